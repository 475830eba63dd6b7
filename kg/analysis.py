"""Analysis of the actor network: who is central, which pairs interact most.

Plain functions over the NetworkX graphs of :func:`kg.exporters.to_networkx`
(a ``MultiDiGraph`` with one edge per event, or its weighted ``DiGraph``
with ``collapse=True``), plus :func:`summary`, which reads a store and puts
everything ``kg stats`` prints into one dict (JSON-ready).

=======================  ====================================================
function                 returns
=======================  ====================================================
``weighted_digraph``     a ``DiGraph`` whose edge ``weight`` counts events
``actor_centrality``     one row per actor: degree, partners, PageRank,
                         betweenness (sorted, most active first)
``strongest_dyads``      the actor pairs with most events, with their type mix
``actors_by_type``       number of actors per class in a store
``events_by_type``       number of events per PLOVER type in a store (each
                         real-world event once, however many reports)
``summary``              all of the above for a store
``print_summary``        a ``summary`` as rich tables
=======================  ====================================================

Rows are lists of dicts, so ``pandas.DataFrame(actor_centrality(G))`` is a
table.

>>> import networkx as nx
>>> G = nx.MultiDiGraph([("RUS", "BLR"), ("RUS", "BLR"), ("BLR", "POL")])
>>> [row["id"] for row in actor_centrality(G)]
['BLR', 'RUS', 'POL']
"""
from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Any

import networkx as nx
from networkx.utils import not_implemented_for

from kg.exporters.network import to_networkx
from kg.rdf.counts import StoreCounts, real_world_events, store_actors, store_counts

if TYPE_CHECKING:
    import pyoxigraph
    from rich.console import Console

__all__ = [
    "weighted_digraph",
    "actor_centrality",
    "strongest_dyads",
    "actors_by_type",
    "events_by_type",
    "summary",
    "print_summary",
    "web_sources",
]

UNTYPED = "untyped"


@not_implemented_for("undirected")
def weighted_digraph(G: nx.DiGraph | nx.MultiDiGraph, weight: str = "weight") -> nx.DiGraph:
    """The actor network as a ``DiGraph`` whose edge ``weight`` counts events.

    Parameters
    ----------
    G : networkx.MultiDiGraph or networkx.DiGraph
        An actor network from :func:`kg.exporters.to_networkx`. Parallel edges
        of a ``MultiDiGraph`` (one per event) are summed.
    weight : str, default "weight"
        Edge attribute holding each edge's weight; an edge without it counts
        1 (one event). Edges of weight 0 or less are left out: in a graph
        collapsed by type, ``weight_ASSAULT == 0`` means "no assault".

    Returns
    -------
    networkx.DiGraph
        Every node of ``G`` with its attributes; edge attribute ``weight``
        (the summed weights) and ``distance`` (``1 / weight``, so that strong
        ties are short for path-based measures).

    Raises
    ------
    NetworkXNotImplemented
        If ``G`` is undirected.

    Examples
    --------
    >>> G = nx.MultiDiGraph([("RUS", "BLR"), ("RUS", "BLR"), ("BLR", "POL")])
    >>> D = weighted_digraph(G)
    >>> D.edges["RUS", "BLR"]
    {'weight': 2, 'distance': 0.5}
    """
    D = nx.DiGraph()
    D.add_nodes_from(G.nodes(data=True))
    for u, v, data in G.edges(data=True):
        w = data.get(weight, 1)
        if w <= 0:
            continue
        if D.has_edge(u, v):
            D.edges[u, v]["weight"] += w
        else:
            D.add_edge(u, v, weight=w)
    for _, _, data in D.edges(data=True):
        data["distance"] = 1 / data["weight"]
    return D


@not_implemented_for("undirected")
def actor_centrality(
    G: nx.DiGraph | nx.MultiDiGraph, *, weight: str = "weight", n: int | None = None
) -> list[dict[str, Any]]:
    """Rank actors by activity and centrality in the event network.

    Parameters
    ----------
    G : networkx.MultiDiGraph or networkx.DiGraph
        An actor network from :func:`kg.exporters.to_networkx`.
    weight : str, default "weight"
        Edge attribute counting events (see :func:`weighted_digraph`); with
        ``to_networkx(store, collapse="type")``, ``"weight_ASSAULT"`` ranks
        actors on assaults only.
    n : int, optional
        Return only the first ``n`` rows.

    Returns
    -------
    list of dict
        One row per actor, most active first (``degree``, then ``pagerank``,
        then label). Keys: ``id``, ``label``, ``type``, ``country``,
        ``mentions`` (node attributes, ``""``/0 when missing), ``degree``
        (events the actor takes part in, as subject or object),
        ``out_degree`` (as subject), ``in_degree`` (as object), ``partners``
        (distinct actors it has events with), ``pagerank`` and
        ``betweenness``.

    Raises
    ------
    NetworkXNotImplemented
        If ``G`` is undirected.

    See Also
    --------
    weighted_digraph, strongest_dyads

    Notes
    -----
    PageRank runs on the directed graph weighted by number of events: an
    actor ranks high when many events, from actors that rank high, target it.
    Betweenness (normalised, on directed shortest paths) uses ``1 / events``
    as the length of an edge, so a path along heavy ties is short; it is the
    share of shortest paths between other actors that pass through the actor
    (brokers between otherwise separate groups score high).

    Examples
    --------
    >>> G = nx.MultiDiGraph([("RUS", "BLR"), ("RUS", "BLR"), ("BLR", "POL"), ("RUS", "UKR"), ("POL", "UKR")])
    >>> G.nodes["RUS"].update(label="Russia", type="Country", country="RUS", mentions=5)
    >>> for r in actor_centrality(G):
    ...     print(r["label"], r["degree"], r["out_degree"], r["partners"], round(r["pagerank"], 2), round(r["betweenness"], 2))
    BLR 3 1 2 0.19 0.17
    Russia 3 3 2 0.12 0.0
    UKR 2 0 2 0.4 0.0
    POL 2 1 2 0.29 0.17
    """
    D = weighted_digraph(G, weight=weight)
    pagerank = nx.pagerank(D, weight="weight") if D.number_of_edges() else {v: 1 / len(D) for v in D}
    betweenness = nx.betweenness_centrality(D, weight="distance", normalized=True)
    rows = []
    for node, data in D.nodes(data=True):
        out_degree = D.out_degree(node, weight="weight")
        in_degree = D.in_degree(node, weight="weight")
        rows.append(
            {
                "id": node,
                "label": data.get("label") or str(node),
                "type": data.get("type") or "",
                "country": data.get("country") or "",
                "mentions": data.get("mentions") or 0,
                "degree": out_degree + in_degree,
                "out_degree": out_degree,
                "in_degree": in_degree,
                "partners": len(set(D.successors(node)) | set(D.predecessors(node))),
                "pagerank": pagerank.get(node, 0.0),
                "betweenness": betweenness.get(node, 0.0),
            }
        )
    rows.sort(key=lambda r: (-r["degree"], -r["pagerank"], r["label"], str(r["id"])))
    return rows[:n] if n is not None else rows


@not_implemented_for("undirected")
def strongest_dyads(G: nx.DiGraph | nx.MultiDiGraph, n: int | None = 10) -> list[dict[str, Any]]:
    """The pairs of actors with most events between them, both directions together.

    Parameters
    ----------
    G : networkx.MultiDiGraph or networkx.DiGraph
        An actor network from :func:`kg.exporters.to_networkx`. From a
        ``MultiDiGraph`` the type mix comes from each edge's ``event_type``;
        from a collapsed ``DiGraph``, from its ``weight`` and ``types``
        (``"AID:2;CONSULT:1"``) attributes.
    n : int or None, default 10
        How many pairs to return (None: all).

    Returns
    -------
    list of dict
        Strongest first (most events, then labels). Keys: ``actor_a``,
        ``actor_b`` (labels), ``id_a``, ``id_b``, ``events`` (total),
        ``a_to_b`` and ``b_to_a`` (events in each direction; ``a`` is the
        more active side), ``types`` (events per type, most frequent first,
        ``"untyped"`` for events without a type), ``first_date`` and
        ``last_date`` (``""`` when no event is dated).

    Raises
    ------
    NetworkXNotImplemented
        If ``G`` is undirected.

    See Also
    --------
    actor_centrality

    Examples
    --------
    >>> G = nx.MultiDiGraph()
    >>> G.add_edge("BLR", "RUS", event_type="CONSULT", date="2024-03-12")
    0
    >>> G.add_edge("RUS", "BLR", event_type="AID", date="2024-03-11")
    0
    >>> G.add_edge("RUS", "BLR", event_type="AID", date="")
    1
    >>> G.add_edge("POL", "BLR", event_type="", date="")
    0
    >>> top = strongest_dyads(G, 1)[0]
    >>> top["actor_a"], top["actor_b"], top["events"], top["a_to_b"], top["b_to_a"]
    ('RUS', 'BLR', 3, 2, 1)
    >>> top["types"], top["first_date"], top["last_date"]
    ({'AID': 2, 'CONSULT': 1}, '2024-03-11', '2024-03-12')
    >>> strongest_dyads(G)[1]["types"]
    {'untyped': 1}
    """
    directed: dict[tuple, int] = Counter()
    types: dict[frozenset, Counter] = {}
    dates: dict[frozenset, list[str]] = {}
    for u, v, data in G.edges(data=True):
        if u == v:
            continue
        pair = frozenset((u, v))
        mix = types.setdefault(pair, Counter())
        pair_dates = dates.setdefault(pair, [])
        if G.is_multigraph():
            count = 1
            mix[data.get("event_type") or UNTYPED] += 1
            if data.get("date"):
                pair_dates.append(data["date"])
        else:
            count = data.get("weight", 1)
            typed = _parse_types(data.get("types", ""))
            mix.update(typed)
            if count > sum(typed.values()):
                mix[UNTYPED] += count - sum(typed.values())
            pair_dates.extend(d for d in (data.get("first_date"), data.get("last_date")) if d)
        directed[u, v] += count

    def label(node: str) -> str:
        return G.nodes[node].get("label") or str(node)

    rows = []
    for pair, mix in types.items():
        u, v = sorted(pair, key=lambda node: (-directed[node, _other(pair, node)], label(node), str(node)))
        pair_dates = sorted(dates[pair])
        rows.append(
            {
                "actor_a": label(u),
                "actor_b": label(v),
                "id_a": u,
                "id_b": v,
                "events": directed[u, v] + directed[v, u],
                "a_to_b": directed[u, v],
                "b_to_a": directed[v, u],
                "types": dict(sorted(mix.items(), key=lambda item: (-item[1], item[0]))),
                "first_date": pair_dates[0] if pair_dates else "",
                "last_date": pair_dates[-1] if pair_dates else "",
            }
        )
    rows.sort(key=lambda r: (-r["events"], r["actor_a"], r["actor_b"]))
    return rows[:n] if n is not None else rows


def _other(pair: frozenset[str], node: str) -> str:
    (other,) = pair - {node}
    return other


def _parse_types(text: str) -> Counter:
    """``"AID:2;CONSULT:1"`` -> ``Counter({"AID": 2, "CONSULT": 1})``."""
    mix: Counter = Counter()
    for item in filter(None, (text or "").split(";")):
        name, _, count = item.rpartition(":")
        mix[name] += int(count)
    return mix


def actors_by_type(store: pyoxigraph.Store) -> dict[str, int]:
    """Number of actors in ``store`` per actor class, most frequent first.

    The actors are those of the ``actors`` count (:mod:`kg.rdf.counts`): every
    actor an article mentions or makes a side of an event, so the numbers add
    up to it. An actor with several classes counts once, under its most
    specific one (as in :func:`kg.exporters.to_networkx`).

    Examples
    --------
    >>> from kg.rdf.store import open_memory_store
    >>> store = open_memory_store()
    >>> store.update('''PREFIX kg: <https://w3id.org/kg/ontology#>
    ...   INSERT DATA { <urn:rus> a kg:Country . <urn:blr> a kg:Country . <urn:nato> a kg:Organization, kg:Actor .
    ...                 <urn:m1> kg:actor <urn:rus> . <urn:m2> kg:actor <urn:nato> . <urn:e1> kg:object <urn:blr> .
    ...                 <urn:pol> a kg:Country }''')
    >>> actors_by_type(store)   # Poland: in no article
    {'Country': 2, 'Organization': 1}
    """
    counts = Counter(store_actors(store).values())
    return dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))


def events_by_type(store: pyoxigraph.Store, *, include_unfactual: bool = False) -> dict[str, int]:
    """Number of events in ``store`` per PLOVER type, most frequent first.

    Each real-world event counts once: a ``kg:MergedEvent`` (the reports of one
    event merged by ``kg build``, see ``docs/dedup.md``) is one event, and so
    is each report merged into none (not stated as fact, or built with
    ``--no-dedup``). Events without a type count as ``"untyped"``; events not stated as facts
    (negated, or hypothetical, alleged or purpose ``kg:modality``) are left
    out unless ``include_unfactual``. The numbers add up to the ``events``
    count of :mod:`kg.rdf.counts` (with ``include_unfactual``, to ``events``
    and ``not_factual``). Events without an object (``NATO convened``) count too, though they are
    no edge of the actor network.

    Examples
    --------
    >>> from kg.rdf.store import open_memory_store
    >>> store = open_memory_store()
    >>> store.update('''PREFIX kg: <https://w3id.org/kg/ontology#> PREFIX plover: <https://w3id.org/kg/plover#>
    ...   INSERT DATA { <urn:e1> a kg:Event ; kg:eventType plover:AID . <urn:e2> a kg:Event ; kg:eventType plover:AID .
    ...                 <urn:e3> a kg:Event . <urn:e4> a kg:Event ; kg:eventType plover:ASSAULT ; kg:negated true }''')
    >>> events_by_type(store)
    {'AID': 2, 'untyped': 1}
    >>> events_by_type(store, include_unfactual=True)["ASSAULT"]
    1
    >>> store.update('''PREFIX kg: <https://w3id.org/kg/ontology#> PREFIX plover: <https://w3id.org/kg/plover#>
    ...   INSERT DATA { <urn:m> a kg:MergedEvent ; kg:eventType plover:AID ; kg:reportedBy <urn:e1>, <urn:e2> }''')
    >>> events_by_type(store)
    {'AID': 1, 'untyped': 1}
    """

    counts = Counter(
        min(event.types) if event.types else UNTYPED
        for event in real_world_events(store).values()
        if include_unfactual or event.factual
    )
    return dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))


def summary(store: pyoxigraph.Store, *, top: int = 10) -> dict[str, Any]:
    """Everything ``kg stats`` reports about a store, as a JSON-ready dict.

    Parameters
    ----------
    store : pyoxigraph.Store
        A kg store.
    top : int, default 10
        How many actors and dyads to list.

    Returns
    -------
    dict
        ``counts`` (:func:`kg.rdf.counts.store_counts`, the counts ``kg build``
        ends with: ``articles``, ``reports``, ``events`` — real-world events
        stated as fact, reports of one event merged —, ``not_factual``,
        ``actors``, ``triples``), ``actors_by_type``, ``events_by_type``
        (events stated as fact: they add up to ``counts["events"]``),
        ``network`` (``actors``, ``events`` and ``pairs``: the nodes, edges
        and actor pairs of the actor network of factual events with an
        object, its ``density`` and number of
        weakly connected ``components``), ``top_actors``
        (:func:`actor_centrality`), ``dyads`` (:func:`strongest_dyads`) and
        ``sources`` (:func:`web_sources`: the feeds and sitemaps of the
        articles fetched from the web, with their last fetch).

    Examples
    --------
    >>> from kg.rdf.store import open_memory_store
    >>> result = summary(open_memory_store())
    >>> result["counts"]
    {'articles': 0, 'reports': 0, 'events': 0, 'not_factual': 0, 'actors': 0, 'triples': 0}
    >>> result["top_actors"], result["dyads"], result["sources"]
    ([], [], [])
    """
    multi = to_networkx(store)
    collapsed = weighted_digraph(multi)
    return {
        "counts": store_counts(store).to_dict(),
        "actors_by_type": actors_by_type(store),
        "events_by_type": events_by_type(store),
        "network": {
            "actors": multi.number_of_nodes(),
            "events": multi.number_of_edges(),
            "pairs": collapsed.number_of_edges(),
            "density": nx.density(collapsed) if len(collapsed) > 1 else 0.0,
            "components": nx.number_weakly_connected_components(collapsed) if len(collapsed) else 0,
        },
        "top_actors": actor_centrality(multi, n=top),
        "dyads": strongest_dyads(multi, top),
        "sources": web_sources(store),
    }


def web_sources(store: pyoxigraph.Store) -> list[dict[str, Any]]:
    """Where the store's articles fetched from the web came from: the rows of the saved query
    ``sources``, one per feed or sitemap (``source`` ``""`` for the URLs given to ``kg build``),
    with its ``articles`` and the UTC times of its ``first_fetch`` and ``last_fetch``.

    >>> from kg.rdf.store import open_memory_store
    >>> store = open_memory_store()
    >>> store.update('''PREFIX kg: <https://w3id.org/kg/ontology#> PREFIX prov: <http://www.w3.org/ns/prov#>
    ...   PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
    ...   INSERT DATA { <urn:a1> prov:wasGeneratedBy <urn:f1> . <urn:f1> a kg:Fetch ; prov:endedAtTime "2025-03-04T10:00:00Z"^^xsd:dateTime ;
    ...                   prov:used <urn:rss> . <urn:rss> kg:url "https://example.com/rss.xml" .
    ...                 <urn:a2> prov:wasGeneratedBy <urn:f2> . <urn:f2> a kg:Fetch ; prov:endedAtTime "2025-03-05T10:00:00Z"^^xsd:dateTime }''')
    >>> [(row["source"], row["articles"], row["last_fetch"]) for row in web_sources(store)]
    [('', 1, '2025-03-05T10:00:00Z'), ('https://example.com/rss.xml', 1, '2025-03-04T10:00:00Z')]
    """
    from kg.rdf.query import run_query

    return [{**row, "source": row["source"] or ""} for row in run_query(store, "sources").records()]


def print_summary(result: dict[str, Any], console: Console | None = None) -> None:
    """Print a :func:`summary` as rich tables (counts, types, top actors, dyads).

    Event types get their CAMEO root from the event lexicon.
    """
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    from kg.console import literal
    from kg.errors import KGError
    from kg.extraction.lexicon import event_type

    console = console or Console()
    counts, network = result["counts"], result["network"]
    console.print(str(StoreCounts(**counts)), highlight=False)
    console.print(
        f"Actor network: {network['actors']} actors, {network['events']} events between "
        f"{network['pairs']} directed pairs, density {network['density']:.3f}, "
        f"{network['components']} weakly connected components",
        highlight=False,
    )
    console.print()

    actors = Table("type", "actors", title="Actors by type", title_justify="left")
    for name, count in result["actors_by_type"].items():
        actors.add_row(literal(name), str(count))
    console.print(actors)
    console.print()

    def cameo(name: str) -> str:
        try:
            return event_type(name).cameo
        except KGError:
            return ""

    events = Table("PLOVER type", "CAMEO", "events", title="Events by type", title_justify="left")
    for name, count in result["events_by_type"].items():
        events.add_row(literal(name), cameo(name), str(count))
    console.print(events)
    console.print("Events not stated as fact (negated, hypothetical, alleged, purpose) are left out.", style="dim")
    console.print()

    top = Table(
        "#", "actor", "type", "country", "mentions", "events", "out", "in", "partners", "PageRank", "betweenness",
        title="Top actors by degree",
        title_justify="left",
    )
    for i, row in enumerate(result["top_actors"], 1):
        top.add_row(
            str(i), literal(row["label"]), literal(row["type"]), literal(row["country"]), str(row["mentions"]), str(row["degree"]),
            str(row["out_degree"]), str(row["in_degree"]), str(row["partners"]),
            f"{row['pagerank']:.3f}", f"{row['betweenness']:.3f}",
        )
    console.print(top)
    console.print(
        "events = events as subject (out) or object (in); partners = distinct actors; "
        "PageRank and betweenness are weighted by number of events.",
        style="dim",
    )
    console.print()

    dyads = Table(
        "actor A", "actor B", "events", "A→B", "B→A", "types", "first", "last",
        title="Strongest dyads", title_justify="left",
    )
    for row in result["dyads"]:
        mix = ", ".join(f"{name} {count}" for name, count in row["types"].items())
        dyads.add_row(  # names and types are the store's text: printed as written, never read as markup
            literal(row["actor_a"]), literal(row["actor_b"]), str(row["events"]), str(row["a_to_b"]), str(row["b_to_a"]),
            literal(mix), literal(row["first_date"]), literal(row["last_date"]),
        )
    console.print(dyads)
    if result.get("sources"):
        console.print()
        sources = Table("source", "articles", "first fetch", "last fetch", title="Sources fetched from the web", title_justify="left")
        for row in result["sources"]:
            # Text, not markup: a URL is printed as it is written.
            source = Text(row["source"]) if row["source"] else Text("(URLs given to kg build)", style="dim")
            sources.add_row(source, str(row["articles"]), Text(row["first_fetch"]), Text(row["last_fetch"]))
        console.print(sources)
        console.print(f"Last fetch: {result['sources'][0]['last_fetch']} (UTC)", highlight=False)
