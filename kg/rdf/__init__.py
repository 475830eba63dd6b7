"""RDF: events as a graph in a persistent store.

The third stage. :mod:`kg.rdf.graph` turns an article's extraction into its
named graph, :mod:`kg.rdf.merge` merges reports of one real-world event,
:mod:`kg.rdf.store` keeps the graphs in Oxigraph, :mod:`kg.rdf.query` runs
saved and ad-hoc SPARQL, :mod:`kg.rdf.validate` checks the SHACL shapes.
"""
