"""Tiny random-weight models for the tests and the benchmarks, built and saved locally with the real pipeline
classes, then loaded through the studio's own loading code. The runtime never imports this package (an
architecture test keeps it so); it ships with the studio so `python -m studio.bench --tiny` and `bench/gpu-check`
can build the same models on a machine without the test suite."""
