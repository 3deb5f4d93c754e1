/* Preloaded (LD_PRELOAD), makes MKL take its generic path, the one it runs on a CPU it does not recognise
 * as Intel's (an AMD CPU, by default), on any x86-64 CPU: MKL asks these two service functions whether
 * the CPU is Intel's. The counterpart of mkl_intel_dispatch.c; used by .ci/kernel_paths.py only. */
int mkl_serv_intel_cpu_true(void) { return 0; }
int mkl_serv_intel_cpu(void) { return 0; }
