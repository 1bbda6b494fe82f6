"""Benchmarks: long-running measurements, outside the test suite."""
