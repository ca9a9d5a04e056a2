"""Benchmarks run by `make bench`; each prints its figures and whether it meets its target."""
