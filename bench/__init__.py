"""Benchmarks of Tongxing: `make bench` runs bench/run.py (see docs/benchmarks.md)."""
