"""Benchmarks of kg (``make bench``, ``python -m bench``): throughput against spaCy itself,
scaling with workers, memory against corpus size, and the store against rdflib.

Speed is measured here, never in the tests. See ``docs/performance.md``.
"""
