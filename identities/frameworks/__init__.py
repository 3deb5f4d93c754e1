"""Frameworks other than JAX, differentiated through one jaxpr interpreter.

- :mod:`.interpreter`: evaluates an identity's jaxpr with a framework's operations; a probe maps named
  library calls to the framework's native functions;
- :mod:`.adapter`: which frameworks exist and what each one's module provides;
- :mod:`.torch`: PyTorch's table and gradient adapter; :mod:`.tensorflow`: TensorFlow's;
- :mod:`.numpy`: NumPy and SciPy's LAPACK as a table with no autodiff (no conformance column): evaluates a
  JAX function without an XLA compile, for ``find``;
- :mod:`.deviations`: expected deviations from the closed forms, as data with reasons;
- :mod:`.conformance`: the harness: identity × framework × result, special points included.

Framework modules import their framework; this package does not.
"""
