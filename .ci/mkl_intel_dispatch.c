/* Preloaded (LD_PRELOAD), makes MKL take its Intel dispatch on any x86-64 CPU, so that
 * MKL_ENABLE_INSTRUCTIONS selects SSE4_2, AVX2 or AVX512 kernels on an AMD machine too. MKL asks these
 * two service functions whether the CPU is Intel's; elsewhere it runs one generic path whatever is set.
 * Used by .ci/kernel_paths.py only; see identities/kernels.py. */
int mkl_serv_intel_cpu_true(void) { return 1; }
int mkl_serv_intel_cpu(void) { return 1; }
