"""kg: news articles in, an RDF knowledge graph of geopolitical events out.

The stages are modules of plain functions: :mod:`kg.ingest`, :mod:`kg.extract.language`,
:mod:`kg.extract.actors`, :mod:`kg.extract.events`, :mod:`kg.rdf.graph`, :mod:`kg.rdf.store`,
:mod:`kg.rdf.query` and :mod:`kg.export`; :mod:`kg.run.pipeline` runs them in order.
Importing ``kg`` is cheap: nothing heavy loads until it is used.
"""
from __future__ import annotations

__version__ = "0.1.0"
__all__ = ["__version__", "build", "extract", "open_store", "run_query", "to_networkx"]

_LAZY = {
    "build": "kg.run.pipeline",
    "extract": "kg.run.pipeline",
    "open_store": "kg.rdf.store",
    "run_query": "kg.rdf.query",
    "to_networkx": "kg.export",
}


def __getattr__(name: str):
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'kg' has no attribute {name!r}")
