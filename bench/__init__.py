"""Benchmarks: `python -m bench [--quick] [--out FILE]`."""
