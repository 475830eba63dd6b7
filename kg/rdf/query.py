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
import itertools
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import TextIO

import pyoxigraph

from kg.errors import Errors, KGError
from kg.rdf.store import Term, term_value

__all__ = [
    "QueryResult",
    "QueryRows",
    "saved_queries",
    "resolve_query",
    "query_parameters",
    "parse_parameters",
    "page",
    "run_query",
    "stream_query",
    "to_csv",
    "to_json",
    "write_csv",
    "write_json",
]

# A query's text ends with LIMIT or OFFSET (then a number), comments and blanks aside.
_ENDS_WITH_SLICE = re.compile(r"\b(?:LIMIT|OFFSET)\s+\d+\s*$", re.I)
_COMMENT = re.compile(r"#[^\n]*")
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
        except (OSError, ValueError) as e:  # ValueError: not UTF-8, or a NUL in the name
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


def parse_parameters(params: Iterable[str]) -> dict[str, str]:
    """Name → value of ``NAME=VALUE`` texts (``kg query --param``); a leading ``?`` or ``$`` of a name
    is dropped, as SPARQL writes variables. E153 for a text without ``=``, whose name is empty or
    no SPARQL variable name (``a b``, ``}``), or whose value is not text (bytes that are not UTF-8).

    >>> parse_parameters(["by=Germany", "?since=2024-01-01", "note=a=b"])
    {'by': 'Germany', 'since': '2024-01-01', 'note': 'a=b'}
    >>> parse_parameters(["Germany"])
    Traceback (most recent call last):
    kg.errors.KGError: [E153] Invalid query parameter 'Germany': no '=' between a name and a value. Give it as NAME=VALUE (--param NAME=VALUE), NAME a SPARQL variable name of letters, digits and _, such as by=Germany.
    """
    parsed = {}
    for param in params:
        name, sep, value = param.partition("=")
        name = name.strip().lstrip("?$")
        if not sep or not name:
            problem = "no '=' between a name and a value" if not sep else "the name is empty"
            raise KGError(Errors.E153.format(param=param, problem=problem))
        _variable(name, param)
        _literal(name, value, param)
        parsed[name] = value
    return parsed


def _literal(name: str, value: str, param: str | None = None) -> pyoxigraph.Literal:
    """``value`` as a literal; E153 naming ``param`` for text that is no Unicode (bytes of a command line that are not UTF-8)."""
    try:
        return pyoxigraph.Literal(value)
    except ValueError:
        problem = "its value holds bytes that are not UTF-8"
        raise KGError(Errors.E153.format(param=name if param is None else param, problem=problem)) from None


def _variable(name: str, param: str | None = None) -> pyoxigraph.Variable:
    """The variable ``name`` (pyoxigraph checks SPARQL's grammar); E153 naming ``param`` if it is none."""
    try:
        return pyoxigraph.Variable(name)
    except ValueError:
        problem = f"{name!r} is not a SPARQL variable name"
        raise KGError(Errors.E153.format(param=name if param is None else param, problem=problem)) from None


@dataclass(frozen=True)
class QueryRows:
    """Rows of a query as they come: ``columns``, then ``rows``, an iterator read once.

    Oxigraph computes solutions as they are read (a sorted query sorts first), so a
    caller that writes each row as it comes never holds the whole result.
    """

    columns: list[str]
    rows: Iterator[tuple]


def page(text: str, *, limit: int | None = None, offset: int | None = None) -> str | None:
    """``text`` with ``LIMIT limit`` and ``OFFSET offset`` appended, or None when it already ends with one of them
    (comments aside; such a query is paged as its rows are read, see :func:`stream_query`).

    >>> page("SELECT ?s WHERE { ?s ?p ?o } ORDER BY ?s", limit=10, offset=20)
    'SELECT ?s WHERE { ?s ?p ?o } ORDER BY ?s\\nLIMIT 10\\nOFFSET 20\\n'
    >>> page("SELECT ?s WHERE { ?s ?p ?o } LIMIT 5  # five", limit=10) is None
    True
    """
    if limit is None and offset is None:
        return text
    if _ENDS_WITH_SLICE.search(_COMMENT.sub("", text).rstrip()):
        return None
    # A new line: the query may end with a comment.
    return text + "".join(f"\n{word} {value}" for word, value in (("LIMIT", limit), ("OFFSET", offset)) if value is not None) + "\n"


def stream_query(
    store: pyoxigraph.Store,
    query: str,
    *,
    substitutions: dict[str, str] | None = None,
    limit: int | None = None,
    offset: int | None = None,
) -> QueryRows:
    """Run ``query`` (see :func:`resolve_query`) over the union of the store's graphs; its rows as they come.

    ``limit`` and ``offset`` page the rows: appended to the query as ``LIMIT`` and
    ``OFFSET`` (a sorted query still sorts every row; only the page is read out).
    A query that ends with its own ``LIMIT`` or ``OFFSET`` is paged as its rows
    are read instead. See :func:`run_query` for ``substitutions``.
    """
    if (limit is not None and limit < 0) or (offset is not None and offset < 0):
        raise ValueError("limit and offset must not be negative")
    text = resolve_query(query)
    bound: dict[pyoxigraph.Variable, Term] = {
        _variable(name): _literal(name, value) for name, value in (substitutions or {}).items()
    }
    declared = dict(_PARAM_LINE.findall(text))
    unknown = sorted(set(substitutions or ()) - set(declared)) if declared else []
    if unknown:
        raise KGError(Errors.E032.format(name=unknown[0], params=", ".join(declared)))
    paged = page(text, limit=limit, offset=offset)
    try:
        result = store.query(paged or text, use_default_graph_as_union=True, substitutions=bound or None)
    except SyntaxError as e:
        raise KGError(Errors.E031.format(detail=e)) from e
    except UnicodeEncodeError as e:  # bytes of a command line that are not UTF-8, which Python keeps as surrogates
        raise KGError(Errors.E031.format(detail=f"it holds bytes that are not UTF-8 ({e.reason})")) from e
    except RuntimeError as e:  # a substituted variable the query does not project
        if not bound:
            raise
        raise KGError(Errors.E032.format(name=", ".join(sorted(substitutions or ())), params=", ".join(declared) or "none")) from e
    if isinstance(result, pyoxigraph.QueryBoolean):
        return QueryRows(["ask"], iter([(bool(result),)]))
    if isinstance(result, pyoxigraph.QuerySolutions):
        columns = [v.value for v in result.variables]
        keep = [i for i, column in enumerate(columns) if column not in declared]
        rows: Iterator[tuple] = (tuple(_python_value(solution[i]) for i in keep) for solution in result)
        columns = [columns[i] for i in keep]
    else:
        columns = ["subject", "predicate", "object"]
        rows = (tuple(_python_value(term) for term in (t.subject, t.predicate, t.object)) for t in result)
    if paged is None:
        start = offset or 0
        rows = itertools.islice(rows, start, None if limit is None else start + limit)
    return QueryRows(columns, rows)


def run_query(
    store: pyoxigraph.Store,
    query: str,
    *,
    substitutions: dict[str, str] | None = None,
    limit: int | None = None,
    offset: int | None = None,
) -> QueryResult:
    """Run ``query`` (see :func:`resolve_query`) over the union of the store's graphs.

    ``substitutions`` binds variables to literal values, never by pasting
    text into the query. Oxigraph binds only variables of the SELECT
    projection, so a query lists its parameters there and declares them in
    ``# param NAME: ...`` lines; declared parameters are left out of the
    result's columns (given or not), and an undeclared name raises E032.
    ``limit`` and ``offset`` page the rows (:func:`stream_query`, which gives
    them one by one instead of in a list).
    """
    streamed = stream_query(store, query, substitutions=substitutions, limit=limit, offset=offset)
    return QueryResult(streamed.columns, list(streamed.rows))


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


def write_csv(columns: list[str], rows: Iterable[tuple], out: TextIO) -> int:
    """Write rows as CSV with a header row (empty cells for unbound values), each as it comes; the number of rows."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    count = 0
    for row in rows:
        writer.writerow(["" if value is None else value for value in row])
        count += 1
    return count


def write_json(columns: list[str], rows: Iterable[tuple], out: TextIO) -> int:
    """Write rows as a JSON array of objects, one per row, each as it comes (the text :func:`to_json` gives); the number of rows."""
    count = 0
    for row in rows:
        record = json.dumps(dict(zip(columns, row)), ensure_ascii=False, indent=2)
        out.write(("[\n" if count == 0 else ",\n") + "\n".join("  " + line for line in record.split("\n")))
        count += 1
    out.write("\n]" if count else "[]")
    return count


def to_csv(result: QueryResult) -> str:
    """The result as CSV with a header row (empty cells for unbound values)."""
    out = io.StringIO()
    write_csv(result.columns, result.rows, out)
    return out.getvalue()


def to_json(result: QueryResult) -> str:
    """The result as a JSON array of objects, one per row."""
    return json.dumps(result.records(), ensure_ascii=False, indent=2)
