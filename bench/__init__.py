"""Benchmarks (`make bench`): each prints figures against a baseline measured in the same run."""
