"""Export the store: RDF serialisations and the actor network (Gephi, yEd, Cytoscape).

Exporters live in a registry, in the manner of rdflib's plugin registry: each
has a name, a file suffix, a one-line description and a function with the
signature ``(store, stream: BinaryIO, **options) -> None``. ``kg export FORMAT``
offers every registered name.

========  ==========  =========================================================
name      suffix      what is written
========  ==========  =========================================================
ttl       .ttl        Turtle of the union of all graphs (Turtle has no named
                      graphs, so the article graphs are merged)
trig      .trig       TriG: every named graph (one per article) kept
nq        .nq         N-Quads: every named graph kept, one quad per line
jsonld    .jsonld     JSON-LD: every named graph kept (``@graph`` per article)
gexf      .gexf       GEXF 1.2draft of the actor network with dynamic spells
                      (event dates), for Gephi's timeline
graphml   .graphml    GraphML of the actor network
csv       .csv        Gephi's spreadsheet import: an edges table, plus a nodes
                      table when the output is a path (see ``write_csv``)
========  ==========  =========================================================

The graph formats (``gexf``, ``graphml``, ``csv``) take the options of
``to_networkx``: ``collapse``, ``start``, ``end``, ``event_types``,
``min_confidence`` and ``include_unfactual``. The RDF formats write the whole store and take no option;
``export`` rejects options a format does not accept instead of ignoring them.

Other packages add formats through the entry-point group ``kg.exporters``
(as rdflib's plugins do): the entry point's name is the format's name, its
value an :class:`Exporter` or a writer function ``(store, stream, **options)``
(suffix ``.NAME``, description the first line of its docstring). For example,
in the other package's ``pyproject.toml``::

    [project.entry-points."kg.exporters"]
    dot = "kg_dot:write_dot"

They are loaded the first time the registry is listed or looked up, never at
``import kg.exporters``; a format that is registered already keeps its exporter.
An entry point that cannot be loaded stays listed, and using it raises
``KGError`` (E048) naming it; the other formats are unaffected.

``networkx`` and ``pyoxigraph`` are imported only when an exporter runs, so
``import kg.exporters`` stays cheap.

>>> exporter_names()
['ttl', 'trig', 'nq', 'jsonld', 'gexf', 'graphml', 'csv']
>>> get_exporter("gexf").suffix
'.gexf'
"""
from __future__ import annotations

import importlib
import importlib.metadata
import inspect
import logging
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from kg.errors import Errors, KGError
from kg.exporters.output import output_file

if TYPE_CHECKING:
    import networkx as nx
    import pyoxigraph

__all__ = [
    "ENTRY_POINT_GROUP",
    "Exporter",
    "register",
    "get_exporter",
    "exporter_names",
    "export",
    "to_networkx",
]

logger = logging.getLogger(__name__)

#: The entry-point group through which other packages register exporters.
ENTRY_POINT_GROUP = "kg.exporters"


def to_networkx(store: pyoxigraph.Store, **filters: Any) -> nx.MultiDiGraph | nx.DiGraph:
    """The actor network of ``store`` (see :func:`kg.exporters.network.to_networkx` for the filters)."""
    from kg.exporters.network import to_networkx as network

    return network(store, **filters)


@dataclass(frozen=True)
class Exporter:
    """A registered export format.

    ``target`` is the exporter function ``(store, stream, **options)`` or a
    ``"module:function"`` string imported on first use (like rdflib plugins).
    ``write_path``, if set, is used instead when the output is a path, for
    formats that write more than one file: ``(store, path, **options) -> list[Path]``.
    """

    name: str
    target: Callable[..., None] | str
    suffix: str
    description: str
    write_path: Callable[..., list[Path]] | str | None = None

    @property
    def func(self) -> Callable[..., None]:
        return _resolve(self.name, self.target)

    def __call__(self, store: pyoxigraph.Store, stream: BinaryIO, **options: Any) -> None:
        self.func(store, stream, **options)

    def options(self) -> list[str] | None:
        """Names of the options the exporter accepts (None: any)."""
        params = inspect.signature(self.func).parameters.values()
        if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params):
            return None
        return [p.name for p in params if p.kind is inspect.Parameter.KEYWORD_ONLY]


@dataclass(frozen=True)
class _Unloadable(Exporter):
    """An exporter of another package whose entry point cannot be loaded: listed, but using it
    raises ``error``."""

    error: str = ""

    @property
    def func(self) -> Callable[..., None]:
        raise KGError(self.error)


_EXPORTERS: dict[str, Exporter] = {}
_entry_points_loaded = False


def register(
    name: str,
    func: Callable[..., None] | str,
    *,
    suffix: str,
    description: str,
    write_path: Callable[..., list[Path]] | str | None = None,
) -> Exporter:
    """Register (or replace) the exporter ``name``; ``func`` may be ``"module:function"``.

    >>> def write_count(store, stream):
    ...     stream.write(str(len(store)).encode())
    >>> register("count", write_count, suffix=".txt", description="Number of quads").name
    'count'
    >>> _ = _EXPORTERS.pop("count")
    """
    exporter = Exporter(name.lower(), func, suffix, description, write_path)
    _EXPORTERS[exporter.name] = exporter
    return exporter


def get_exporter(name: str) -> Exporter:
    """The exporter registered as ``name``; ``KGError`` (E040) if there is none."""
    _load_entry_points()
    try:
        return _EXPORTERS[name.lower()]
    except KeyError:
        raise KGError(Errors.E040.format(name=name, choices=", ".join(exporter_names()))) from None


def exporter_names() -> list[str]:
    """Names of the registered exporters, in registration order (for ``click.Choice``);
    those of other packages (entry points) come after kg's own, by name."""
    _load_entry_points()
    return list(_EXPORTERS)


def _load_entry_points() -> None:
    """Register, the first time it is called, the exporters of the entry-point group ``kg.exporters``."""
    global _entry_points_loaded
    if _entry_points_loaded:
        return
    _entry_points_loaded = True
    for entry in sorted(importlib.metadata.entry_points(group=ENTRY_POINT_GROUP), key=lambda e: e.name):
        name = entry.name.lower()
        if name in _EXPORTERS:
            logger.warning("export format %r of the entry point %r ignored: one of that name is registered", name, entry.value)
            continue
        _EXPORTERS[name] = _entry_point_exporter(name, entry)


def _entry_point_exporter(name: str, entry: importlib.metadata.EntryPoint) -> Exporter:
    """The exporter an entry point names: its :class:`Exporter` (renamed ``name``), or one made of its
    writer function; if it cannot be loaded, an exporter that raises E048 when used."""
    try:
        target = entry.load()
    except Exception as e:  # noqa: BLE001  any error of another package's import must spare the other formats
        return _unloadable(name, entry, f"{type(e).__name__}: {e}")
    if isinstance(target, Exporter):
        return replace(target, name=name)
    if callable(target):
        summary = (inspect.getdoc(target) or "").strip().splitlines()
        description = summary[0] if summary else f"{name} export of {_package(entry)}"
        return Exporter(name, target, f".{name}", description)
    return _unloadable(name, entry, f"{type(target).__name__} {target!r} is neither an Exporter nor a writer function")


def _unloadable(name: str, entry: importlib.metadata.EntryPoint, detail: str) -> Exporter:
    package = _package(entry)
    detail = " ".join(detail.split())  # one line, whatever the package's exception says
    error = Errors.E048.format(name=name, value=entry.value, package=package, detail=detail)
    return _Unloadable(name, entry.value, f".{name}", f"cannot be loaded (entry point {entry.value!r} of {package})", error=error)


def _package(entry: importlib.metadata.EntryPoint) -> str:
    return entry.dist.name if entry.dist is not None else "its package"


def _resolve(name: str, target: Callable | str) -> Callable:
    if callable(target):
        return target
    module_name, _, attribute = target.partition(":")
    try:
        return getattr(importlib.import_module(module_name), attribute)
    except (ImportError, AttributeError, ValueError) as e:
        raise KGError(Errors.E045.format(name=name, target=target, detail=e)) from e


def export(
    store: pyoxigraph.Store,
    format_name: str,
    output: str | os.PathLike | BinaryIO | None = None,
    **options: Any,
) -> list[Path]:
    """Export ``store`` in the format ``format_name`` to ``output``.

    ``output`` is a path, an open binary stream, or None / ``"-"`` for
    standard output. For ``csv`` a path is special: a path not ending in
    ``.csv`` is a directory that gets ``nodes.csv`` and ``edges.csv``; a path
    ``x.csv`` gets the edges table, and the nodes table goes beside it as
    ``x.nodes.csv``. A stream gets the edges table only. A path is written
    safely (:mod:`kg.exporters.output`): through a temporary file renamed over
    it once whole, only as a new file or over a regular one, in an existing
    folder; a failed export leaves the previous file as it was.

    Options whose value is None are dropped (so a CLI can pass unset options
    through); any other option the format does not take raises ``KGError``
    (E041) rather than being ignored. Returns the paths written (empty for a
    stream).

    Raises ``KGError``: E040 unknown format, E041 option not applicable,
    E042/E043 bad dates, E044 output not writable, E150 a link, pipe, device
    or folder at the path, E151 no such folder, E152 a write failed (a full disk).
    """
    exporter = get_exporter(format_name)
    options = {key: value for key, value in options.items() if value is not None}
    accepted = exporter.options()
    if accepted is not None:
        unknown = sorted(set(options) - set(accepted))
        if unknown:
            raise KGError(
                Errors.E041.format(
                    options=", ".join(unknown), name=exporter.name, accepted=", ".join(accepted) or "no options"
                )
            )

    if output is None or output == "-":
        stdout = sys.stdout.buffer
        exporter(store, stdout, **options)
        stdout.flush()
        return []
    if isinstance(output, (str, os.PathLike)):
        path = Path(output)
        if exporter.write_path is not None:
            return list(_resolve(exporter.name, exporter.write_path)(store, path, **options))
        with output_file(path) as stream:
            exporter(store, stream, **options)
        return [path]
    exporter(store, output, **options)
    return []


register("ttl", "kg.exporters.rdf:write_turtle", suffix=".ttl", description="Turtle: all article graphs merged into one graph")
register("trig", "kg.exporters.rdf:write_trig", suffix=".trig", description="TriG: the dataset, one named graph per article")
register("nq", "kg.exporters.rdf:write_nquads", suffix=".nq", description="N-Quads: the dataset, one named graph per article")
register("jsonld", "kg.exporters.rdf:write_jsonld", suffix=".jsonld", description="JSON-LD: the dataset, one @graph per article")
register("gexf", "kg.exporters.gephi:write_gexf", suffix=".gexf", description="GEXF actor network with event dates as spells (Gephi)")
register("graphml", "kg.exporters.gephi:write_graphml", suffix=".graphml", description="GraphML actor network (yEd, Cytoscape, Gephi)")
register(
    "csv",
    "kg.exporters.gephi:write_csv",
    suffix=".csv",
    description="Gephi spreadsheet tables: edges, plus nodes when writing to a path",
    write_path="kg.exporters.gephi:csv_to_path",
)
