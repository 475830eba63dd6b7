"""Query: SPARQL over the store, including the saved queries shipped with kg.

A query is SPARQL text, the path of a ``.rq`` file, or the name of a saved
query (``kg/queries/NAME.rq``). Queries see the union of all article graphs.

>>> from kg.rdf.store import open_memory_store
>>> result = run_query(open_memory_store(), "actors")
>>> result.columns
['actor', 'type', 'country', 'mentions', 'id', 'code']
"""
from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

import pyoxigraph

from kg.errors import Errors, KGError
from kg.rdf.store import Term, term_value

__all__ = ["QueryResult", "saved_queries", "resolve_query", "query_parameters", "run_query", "to_csv", "to_json"]

# "# param NAME: what it is" lines of a query declare its parameters (see run_query).
_PARAM_LINE = re.compile(r"^#\s*param\s+([A-Za-z_][A-Za-z0-9_]*)\s*:\s*(.*)$", re.M)

_XSD = "http://www.w3.org/2001/XMLSchema#"
_STRING = pyoxigraph.NamedNode(_XSD + "string")
# A literal's Python value by its datatype; other datatypes give their lexical form.
_CONVERTERS = {
    pyoxigraph.NamedNode(_XSD + name): convert
    for names, convert in (
        (("integer", "int", "long"), int),
        (("decimal", "double"), float),
        (("boolean",), lambda lexical: lexical == "true"),
    )
    for name in names
}


@dataclass(frozen=True)
class QueryResult:
    """Rows of a SELECT (or ASK, or CONSTRUCT as subject/predicate/object rows)."""

    columns: list[str]
    rows: list[tuple]

    def records(self) -> list[dict]:
        """The rows as dicts keyed by column name."""
        return [dict(zip(self.columns, row)) for row in self.rows]


@lru_cache(maxsize=1)
def saved_queries() -> dict[str, str]:
    """Name → SPARQL text of every query shipped in ``kg/queries``."""
    folder = resources.files("kg.queries")
    return {
        entry.name[: -len(".rq")]: entry.read_text(encoding="utf-8")
        for entry in folder.iterdir()
        if entry.name.endswith(".rq")
    }


def resolve_query(query: str) -> str:
    """The SPARQL text for ``query``: a saved query's name, a ``.rq`` file, or SPARQL itself."""
    saved = saved_queries()
    if query in saved:
        return saved[query]
    if query.endswith(".rq") or (len(query) < 256 and "\n" not in query and Path(query).is_file()):
        path = Path(query)
        try:
            return path.read_text(encoding="utf-8")
        except OSError as e:
            raise KGError(Errors.E030.format(name=query, saved=", ".join(sorted(saved)))) from e
    if any(word in query.upper() for word in ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")):
        return query
    raise KGError(Errors.E030.format(name=query, saved=", ".join(sorted(saved))))


def query_parameters(query: str) -> dict[str, str]:
    """Name → description of the parameters a query declares in ``# param NAME: ...`` lines.

    >>> sorted(query_parameters("events-between"))
    ['a', 'b', 'since', 'until']
    """
    return dict(_PARAM_LINE.findall(resolve_query(query)))


def run_query(store: pyoxigraph.Store, query: str, *, substitutions: dict[str, str] | None = None) -> QueryResult:
    """Run ``query`` (see :func:`resolve_query`) over the union of the store's graphs.

    ``substitutions`` binds variables to literal values, never by pasting
    text into the query. Oxigraph binds only variables of the SELECT
    projection, so a query lists its parameters there and declares them in
    ``# param NAME: ...`` lines; declared parameters are left out of the
    result's columns (given or not), and an undeclared name raises E032.
    """
    text = resolve_query(query)
    declared = dict(_PARAM_LINE.findall(text))
    unknown = sorted(set(substitutions or ()) - set(declared)) if declared else []
    if unknown:
        raise KGError(Errors.E032.format(name=unknown[0], params=", ".join(declared)))
    bound: dict[pyoxigraph.Variable, Term] = {
        pyoxigraph.Variable(k): pyoxigraph.Literal(v) for k, v in (substitutions or {}).items()
    }
    try:
        result = store.query(text, use_default_graph_as_union=True, substitutions=bound or None)
    except SyntaxError as e:
        raise KGError(Errors.E031.format(detail=e)) from e
    except RuntimeError as e:  # a substituted variable the query does not project
        if not bound:
            raise
        raise KGError(Errors.E032.format(name=", ".join(sorted(substitutions or ())), params=", ".join(declared) or "none")) from e
    if isinstance(result, pyoxigraph.QueryBoolean):
        return QueryResult(["ask"], [(bool(result),)])
    if isinstance(result, pyoxigraph.QuerySolutions):
        columns = [v.value for v in result.variables]
        rows = [tuple(map(_python_value, solution)) for solution in result]
        if declared:
            keep = [i for i, column in enumerate(columns) if column not in declared]
            columns, rows = [columns[i] for i in keep], [tuple(row[i] for i in keep) for row in rows]
        return QueryResult(columns, rows)
    triples = [tuple(_python_value(term) for term in (t.subject, t.predicate, t.object)) for t in result]
    return QueryResult(["subject", "predicate", "object"], triples)


def _python_value(term: Term | None) -> object:
    if term is None:
        return None
    if isinstance(term, pyoxigraph.Literal):
        datatype = term.datatype
        convert = None if datatype == _STRING else _CONVERTERS.get(datatype)
        return convert(term.value) if convert else term.value
    if isinstance(term, pyoxigraph.BlankNode):
        return f"_:{term.value}"
    return term_value(term)


def to_csv(result: QueryResult) -> str:
    """The result as CSV with a header row (empty cells for unbound values)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(result.columns)
    for row in result.rows:
        writer.writerow(["" if value is None else value for value in row])
    return out.getvalue()


def to_json(result: QueryResult) -> str:
    """The result as a JSON array of objects, one per row."""
    return json.dumps(result.records(), ensure_ascii=False, indent=2)
