"""The actor network for Gephi, yEd and Cytoscape: GEXF (with event dates as
spells, for Gephi's timeline), GraphML, and Gephi's spreadsheet-import CSV tables.

Each writer builds the network with :func:`kg.exporters.network.to_networkx` and
takes its options (``collapse``, ``start``, ``end``, ``event_types``,
``min_confidence``, ``include_unfactual``).
"""
from __future__ import annotations

import csv
import datetime as dt
import os
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from kg.exporters.output import output_files, output_folder
from kg.exporters.network import _collapse, _collapse_mode, _edge_groups, _multigraph, _plain_graph, to_networkx

if TYPE_CHECKING:
    import networkx as nx
    import pyoxigraph

__all__ = ["COLLAPSED_EDGE_COLUMNS", "EDGE_COLUMNS", "NODE_COLUMNS", "write_csv", "write_csv_tables", "write_gexf", "write_graphml"]

NODE_COLUMNS = ("Id", "Label", "type", "country", "mentions", "code")
EDGE_COLUMNS = ("Source", "Target", "Type", "Id", "Label", "Weight", "event_type", "date", "article", "theme")
COLLAPSED_EDGE_COLUMNS = ("Source", "Target", "Type", "Id", "Label", "Weight", "types", "first_date", "last_date")

def write_gexf(
    store: pyoxigraph.Store,
    stream: BinaryIO,
    *,
    collapse: bool | str = True,
    start: str | dt.date | None = None,
    end: str | dt.date | None = None,
    event_types: str | Iterable[str] | None = None,
    min_confidence: float | None = None,
    include_unfactual: bool = False,
) -> None:
    """GEXF 1.2draft of the actor network, dynamic so Gephi's timeline works.

    Every edge carries one spell per distinct date of its events (``start`` =
    ``end`` = the ISO date); the graph is ``mode="dynamic"`` with
    ``timeformat="date"`` as soon as one event is dated. Undated edges and all
    nodes have no spell: Gephi shows them at every time.

    ``collapse`` defaults to True here: by default Gephi merges parallel edges
    on import, so one weighted edge per actor pair, with all its dates as
    spells, is what it would display anyway. A collapsed edge has the
    attributes of ``to_networkx(collapse=True)`` plus ``event_type``, the
    most frequent type of the pair's events (ties: alphabetical; ``""`` if
    none is typed), for Gephi's partition colouring and filters. With ``collapse=False`` each event is an edge whose
    GEXF id is the event IRI. The other options are those of ``to_networkx``.
    """
    import networkx as nx

    mode = _collapse_mode(collapse)
    multi = _multigraph(
        store,
        start=start,
        end=end,
        event_types=event_types,
        min_confidence=min_confidence,
        include_unfactual=include_unfactual,
    )
    if mode:
        graph = _collapse(multi, by_type=mode == "type")
        for (u, v), events in _edge_groups(multi).items():
            # The main type of the pair, so Gephi can colour and filter edges by it.
            types = Counter(d["event_type"] for d in events if d["event_type"])
            graph.edges[u, v]["event_type"] = min(types, key=lambda name: (-types[name], name)) if types else ""
            dates = sorted({d["date"] for d in events if d["date"]})
            if dates:
                graph.edges[u, v]["spells"] = [(date, date) for date in dates]
    else:
        graph = multi
        for _, _, key, data in graph.edges(keys=True, data=True):
            data["id"] = key
            if data["date"]:
                data["spells"] = [(data["date"], data["date"])]
    _plain_graph(graph, keep=("spells",))
    nx.write_gexf(graph, stream, version="1.2draft")


def write_graphml(
    store: pyoxigraph.Store,
    stream: BinaryIO,
    *,
    collapse: bool | str = False,
    start: str | dt.date | None = None,
    end: str | dt.date | None = None,
    event_types: str | Iterable[str] | None = None,
    min_confidence: float | None = None,
    include_unfactual: bool = False,
) -> None:
    """GraphML of the actor network: one edge per event (id = event IRI), or
    one weighted edge per actor pair with ``collapse=True``. Options as in
    ``to_networkx``."""
    import networkx as nx

    graph = to_networkx(
        store,
        collapse=collapse,
        start=start,
        end=end,
        event_types=event_types,
        min_confidence=min_confidence,
        include_unfactual=include_unfactual,
    )
    _plain_graph(graph)
    nx.write_graphml(graph, stream)


def write_csv(
    store: pyoxigraph.Store,
    stream: BinaryIO,
    *,
    collapse: bool = False,
    start: str | dt.date | None = None,
    end: str | dt.date | None = None,
    event_types: str | Iterable[str] | None = None,
    min_confidence: float | None = None,
    include_unfactual: bool = False,
) -> None:
    """Gephi's edges table (UTF-8 CSV) of the actor network.

    A stream holds one file, so this writes the edges table only: columns
    ``EDGE_COLUMNS`` (one row per event, ``Id`` = event IRI, ``Label`` =
    predicate, ``Weight`` = 1; Gephi sums parallel edges on import), or
    ``COLLAPSED_EDGE_COLUMNS`` with ``collapse=True``. Node labels and
    attributes need the nodes table too: ``export(store, "csv", path)`` writes
    both (see ``write_csv_tables``).
    """
    graph = to_networkx(
        store,
        collapse=collapse,
        start=start,
        end=end,
        event_types=event_types,
        min_confidence=min_confidence,
        include_unfactual=include_unfactual,
    )
    _write_edges_csv(graph, stream)


def write_csv_tables(
    store: pyoxigraph.Store, directory: str | os.PathLike, **options: Any
) -> tuple[Path, Path]:
    """Write Gephi's ``nodes.csv`` and ``edges.csv`` into ``directory`` (made if its folder exists).

    ``nodes.csv`` has the columns ``NODE_COLUMNS`` (``Id`` = actor IRI);
    ``edges.csv`` is the table of ``write_csv``. ``options`` are those of
    ``to_networkx``. Returns the paths of the two files. Import them in Gephi
    with File > Import spreadsheet, nodes first. The folder and both files are
    written as :mod:`kg.exporters.output` says (no links, no missing folders).
    """
    with output_folder(directory) as folder:
        return _write_csv_pair(store, folder / "nodes.csv", folder / "edges.csv", **options)


def _write_csv_pair(store: pyoxigraph.Store, nodes_path: Path, edges_path: Path, **options: Any) -> tuple[Path, Path]:
    # Both targets are checked before the network is built, and renamed only once both are whole.
    with output_files(edges_path, nodes_path) as (edges, nodes):
        graph = to_networkx(store, **options)
        _write_nodes_csv(graph, nodes)
        _write_edges_csv(graph, edges)
    return nodes_path, edges_path


def csv_to_path(store: pyoxigraph.Store, path: Path, **options: Any) -> list[Path]:
    """``csv`` to a path: a directory gets nodes.csv + edges.csv; ``x.csv`` gets
    the edges, with the nodes beside it in ``x.nodes.csv``."""
    if path.suffix.lower() != ".csv":
        return list(write_csv_tables(store, path, **options))
    nodes_path = path.with_name(f"{path.stem}.nodes.csv")
    return list(_write_csv_pair(store, nodes_path, path, **options))


class _Utf8:
    """A text sink over a binary stream, for the csv module."""

    def __init__(self, stream: BinaryIO):
        self.stream = stream

    def write(self, text: str) -> int:
        return self.stream.write(text.encode("utf-8"))


def _write_nodes_csv(graph: nx.Graph, stream: BinaryIO) -> None:
    writer = csv.writer(_Utf8(stream), lineterminator="\n")
    writer.writerow(NODE_COLUMNS)
    for node, data in graph.nodes(data=True):
        writer.writerow([node, data["label"], data["type"], data["country"], data["mentions"], data.get("code", "")])


def _write_edges_csv(graph: nx.Graph, stream: BinaryIO) -> None:
    writer = csv.writer(_Utf8(stream), lineterminator="\n")
    if graph.is_multigraph():
        writer.writerow(EDGE_COLUMNS)
        for u, v, key, d in graph.edges(keys=True, data=True):
            row = [d["predicate"], 1, d["event_type"], d["date"], d["article"], d["theme"]]
            writer.writerow([u, v, "Directed", key, *row])
    else:
        writer.writerow(COLLAPSED_EDGE_COLUMNS)
        for u, v, d in graph.edges(data=True):
            row = ["", d["weight"], d["types"], d["first_date"], d["last_date"]]
            writer.writerow([u, v, "Directed", f"{u} -> {v}", *row])
