"""Benchmark commands (`make bench-…`): they print figures and write them to docs/benchmarks.md."""
