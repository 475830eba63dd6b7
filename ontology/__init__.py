"""The kg ontology: kg.ttl, plover.ttl (generated) and shapes.ttl, installed as the package kg.ontology."""
