"""Merged events: the reports of one block clustered into ``kg:MergedEvent`` nodes, one named graph per block.

What two reports are compared on, and the rules, are :mod:`kg.rdf.merge`.

Each factual or negated report carries, in its article's graph, a
``kg:dedupKey`` (what it is compared on: ``"ASSAULT+COERCE|RUS|UKR"``) and a
``kg:dedupBlock`` (a hash naming the group of reports compared with each other:
type group, the object's key, or the subject's when there is no object, the
year, and the rules; or the article itself when the report has no date). Each
block has its own named graph ``kgr:graph/events/<block>`` holding its merged
events, their ``kg:reportedBy`` links and the ``kg:disputes`` links; it is a
function of the reports of the block and nothing else, recomputed whenever an
article adds or removes reports of it (:func:`block_quads`, written in the same
transaction as the articles by ``kg build`` and :func:`kg.rdf.graph.write_article`). So:

- the merged events do not depend on the order articles arrive in (the
  reports are sorted before they are clustered), and rebuilding gives the
  same triples;
- an article's graph is still replaced in one transaction, and no other
  article's graph is touched: the links live in the block graphs;
- a merged event's IRI comes from its block and its *anchor*, the most precise
  and earliest report of it (type group, actors, date as precise as given,
  place), so a new report that is not more precise attaches to the known event
  without renaming it, and no two blocks ever mint one IRI (an event in two
  block graphs would have two sources counts and two first articles);
- what a merged event owes to its reports (how many distinct articles report
  it, ``kg:sourceCount``, and the earliest of them, ``kg:firstReportedIn``:
  earliest publication date, then article id) is part of the block graph, so
  it is recomputed with the reports and cannot go stale.
"""
from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import TYPE_CHECKING

from rdflib import XSD, Graph, Literal, URIRef
from rdflib.namespace import RDF

from kg.rdf.merge import DateSpan, MergeRules, block_graph_iri, date_span, merged_event_iri
from kg.rdf.namespace import KG, PLOVER
from kg.vocab import EVENTS_GRAPHS, actor_iri

if TYPE_CHECKING:
    import pyoxigraph

__all__ = [
    "Report",
    "block_graph",
    "block_graphs",
    "block_quads",
    "cluster",
    "refresh",
    "reports_in_graph",
    "stored_reports",
]

_BLOCK_ID = re.compile(r"^[0-9a-f]{16}$")
_STATE_CODE = re.compile(r"^[A-Z]{3}$")


@dataclass(frozen=True)
class Report:
    """One event report as the clustering sees it (read back from an article graph)."""

    iri: str
    graph: str  # the article graph it is in
    block: str
    group: str
    subject_key: str
    object_key: str
    subject: str | None
    object: str | None
    predicate: str
    event_type: str | None
    theme: str | None
    instruments: frozenset[str]
    place: str | None
    date: str | None
    precision: str | None
    span: DateSpan | None
    negated: bool
    modality: str
    article_id: str = ""  # of the article (graph) the report is in: a merged event's earliest source
    published: str | None = None
    subject_code: str | None = None  # CAMEO actor codes of its sides (kg:subjectCode, kg:objectCode)
    object_code: str | None = None

    @property
    def order(self) -> tuple:
        """Most precise first, then earliest: the first report of a cluster is its anchor."""
        span = self.span
        return (
            span.rank if span else 9,
            span.start if span else date.max,
            span.end if span else date.max,
            self.subject or "",
            self.object or "",
            self.iri,
        )


# (name in the query and in Report values, property)
_FIELDS = (
    ("block", KG.dedupBlock),
    ("key", KG.dedupKey),
    ("predicate", KG.predicate),
    ("type", KG.eventType),
    ("subject", KG.subject),
    ("object", KG.object),
    ("theme", KG.theme),
    ("date", KG.date),
    ("precision", KG.datePrecision),
    ("dateText", KG.dateText),
    ("place", KG.location),
    ("negated", KG.negated),
    ("modality", KG.modality),
    ("instrument", KG.instrument),
    ("subjectCode", KG.subjectCode),
    ("objectCode", KG.objectCode),
)

# (name, property) of the article a report is in; the article's graph is named by its IRI
_ARTICLE_FIELDS = (("articleId", KG.articleId), ("published", KG.published))

_REPORTS_QUERY = (
    "SELECT ?g ?r " + " ".join(f"?{name}" for name, _ in _FIELDS + _ARTICLE_FIELDS) + " WHERE {\n"
    "  VALUES ?block { %s }\n"
    "  GRAPH ?g {\n"
    f"    ?r <{KG.dedupBlock}> ?block ; <{KG.dedupKey}> ?key .\n"
    + "".join(f"    OPTIONAL {{ ?r <{prop}> ?{name} }}\n" for name, prop in _FIELDS[2:])
    + "".join(f"    OPTIONAL {{ ?g <{prop}> ?{name} }}\n" for name, prop in _ARTICLE_FIELDS)
    + "  }\n}"
)


def _report(iri: str, graph: str, values: dict[str, set[str]], merge: MergeRules) -> Report:
    def one(name: str) -> str | None:
        return min(values[name]) if values.get(name) else None

    group, subject_key, object_key = (one("key") or "||").rsplit("|", 2)
    event_type = one("type")
    return Report(
        iri=iri,
        graph=graph,
        block=one("block") or "",
        group=group,
        subject_key=subject_key,
        object_key=object_key,
        subject=one("subject"),
        object=one("object"),
        predicate=one("predicate") or "",
        event_type=event_type.rsplit("#", 1)[-1] if event_type else None,
        theme=one("theme"),
        instruments=frozenset(values.get("instrument", ())),
        place=one("place"),
        date=one("date"),
        precision=one("precision"),
        span=date_span(one("date"), one("precision"), bool(values.get("dateText")), merge),
        negated=(one("negated") or "false").lower() in ("true", "1"),
        modality=one("modality") or "asserted",
        article_id=one("articleId") or "",
        published=one("published"),
        subject_code=one("subjectCode"),
        object_code=one("objectCode"),
    )


def reports_in_graph(graph: Graph | Iterable[pyoxigraph.Quad], name: str, merge: MergeRules) -> list[Report]:
    """The reports (events with a ``kg:dedupBlock``) of an article graph not yet stored:
    an rdflib ``Graph``, or the pyoxigraph quads of one (as a parallel build makes them)."""
    values: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    names = {str(prop): field_name for field_name, prop in _FIELDS}
    article_names = {str(prop): field_name for field_name, prop in _ARTICLE_FIELDS}
    article: dict[str, set[str]] = defaultdict(set)
    if isinstance(graph, Graph):
        triples = ((str(s), str(p), str(o)) for s, p, o in graph)
    else:
        from kg.rdf.store import term_value

        triples = ((term_value(q.subject), q.predicate.value, term_value(q.object)) for q in graph)
    for subject, predicate, obj in triples:
        if predicate in names:
            values[subject][names[predicate]].add(obj)
        elif subject == name and predicate in article_names:
            article[article_names[predicate]].add(obj)
    return [
        _report(node, name, values[node] | article, merge) for node in sorted(values) if values[node].get("block")
    ]


def stored_reports(store: pyoxigraph.Store, blocks: Iterable[str], merge: MergeRules) -> list[Report]:
    """The reports of ``blocks`` in the article graphs of ``store``."""
    wanted = sorted(b for b in set(blocks) if _BLOCK_ID.match(b))  # our own hex ids: safe in the query text
    if not wanted:
        return []
    found: dict[tuple[str, str], dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    from kg.rdf.store import select

    query = _REPORTS_QUERY % " ".join(f'"{b}"' for b in wanted)
    for row in select(store, query):
        values = found[(row["g"].value, row["r"].value)]
        for name, _ in _FIELDS + _ARTICLE_FIELDS:
            term = row[name]
            if term is not None:
                values[name].add(term.value)
    return [_report(iri, graph, values, merge) for (graph, iri), values in sorted(found.items())]


def cluster(reports: Iterable[Report], merge: MergeRules) -> tuple[list[list[Report]], dict[str, int]]:
    """The merged events of the reports of one block, and the event each denial disputes.

    Factual reports are taken most precise and earliest first; each joins the
    first cluster all of whose reports it is compatible with, or starts a new one.
    The result depends on the set of reports only, never on their order.
    Returns the clusters (each a list of reports, its anchor first) and, for
    each negated report that disputes one, the index of that cluster.

    >>> rules = MergeRules(window_days=1)
    >>> def r(iri, day, precision="day", negated=False):
    ...     return Report(iri, "g", "b", "ASSAULT", "RUS", "UKR", "kgr:RUS", "kgr:UKR", "attack", "ASSAULT", None,
    ...                   frozenset(), None, day, precision, date_span(day, precision, True, rules), negated, "asserted")
    >>> clusters, disputes = cluster([r("c", "2024-03-01", "month"), r("a", "2024-03-04"), r("b", "2024-03-20"),
    ...                               r("d", "2024-03-22", negated=True)], rules)
    >>> [[x.iri for x in members] for members in clusters], disputes
    ([['a', 'c'], ['b']], {'d': 1})
    """
    reports = sorted(reports, key=lambda r: r.order)
    clusters: list[list[Report]] = []
    for report in (r for r in reports if not r.negated):
        for members in clusters:
            if all(_same_event(report, m, merge) for m in members) and _dates_fit([*members, report], merge):
                members.append(report)
                break
        else:
            clusters.append([report])
    disputes: dict[str, int] = {}
    for denial in (r for r in reports if r.negated):
        best = None
        for index, members in enumerate(clusters):
            if _disputes(denial, members, merge) and (best is None or members[0].order[1] > clusters[best][0].order[1]):
                best = index
        if best is not None:
            disputes[denial.iri] = best
    return clusters, disputes


def _same_event(a: Report, b: Report, merge: MergeRules) -> bool:
    if (a.group, a.subject_key, a.object_key, a.modality) != (b.group, b.subject_key, b.object_key, b.modality):
        return False
    if merge.one_sided_same_predicate and "-" in (a.subject_key, a.object_key) and a.predicate != b.predicate:
        return False
    exact = 0
    for mine, theirs, key in ((a.subject, b.subject, a.subject_key), (a.object, b.object, a.object_key)):
        if mine == theirs:
            exact += 1
        elif not _state_and_agent(mine, theirs, key):
            return False
    return exact >= 1 and _things_fit(a, b)


def _state_and_agent(a: str | None, b: str | None, key: str) -> bool:
    """One of two different actors with the same state key is the state itself."""
    if a is None or b is None or not _STATE_CODE.match(key):
        return False
    state = actor_iri("Country", key)
    return state in (a, b)


def _things_fit(a: Report, b: Report) -> bool:
    """Same weapons if both name some, a theme word in common if both have a theme, same place if both give one."""
    if a.instruments and b.instruments:
        if not a.instruments & b.instruments:
            return False
    elif a.theme and b.theme and not _theme_words(a.theme) & _theme_words(b.theme):
        return False
    return not (a.place and b.place and a.place != b.place)


_STOP_WORDS = frozenset(
    "the and for with from more new other some several about over than into this that these those its their "
    "his her our your any all also very most many much few such own two three four five six seven eight nine ten "
    "hundred hundreds thousand thousands million billion".split()
)


@lru_cache(maxsize=4096)
def _theme_words(theme: str) -> frozenset[str]:
    """Content words of a theme, singular: "25 Leopard tanks" -> {"leopard", "tank"}.

    >>> sorted(_theme_words("more air defense and tanks"))
    ['air', 'defense', 'tank']
    """
    words = re.findall(r"[a-z][a-z-]{2,}", theme.lower())
    return frozenset(w[:-1] if w.endswith("s") and not w.endswith("ss") else w for w in words if w not in _STOP_WORDS)


def _dates_fit(members: list[Report], merge: MergeRules) -> bool:
    spans = [m.span for m in members if m.span is not None]
    if not spans:
        return True  # undated: the block is one article's, so these are repeated mentions in it
    if len(spans) < len(members):
        return False
    latest_start = max(s.start for s in spans)
    earliest_end = min(s.end for s in spans)
    return (latest_start - earliest_end).days <= merge.window_days


def _disputes(denial: Report, members: list[Report], merge: MergeRules) -> bool:
    anchor = members[0]
    if (denial.group, denial.modality) != (anchor.group, anchor.modality):
        return False
    if not any(_denies(denial, m) for m in members):
        return False
    if denial.span is None or anchor.span is None:
        return denial.span is None and anchor.span is None
    too_late = (anchor.span.start - denial.span.end).days > merge.window_days
    too_early = (denial.span.start - anchor.span.end).days > merge.dispute_window_days
    return not (too_late or too_early)


def _denies(denial: Report, report: Report) -> bool:
    """Same actors where the denial names them (a side it leaves out matches any actor)."""
    exact = 0
    for mine, theirs, my_key, their_key in (
        (denial.subject, report.subject, denial.subject_key, report.subject_key),
        (denial.object, report.object, denial.object_key, report.object_key),
    ):
        if mine is None:
            continue
        if my_key != their_key:
            return False
        if mine == theirs:
            exact += 1
        elif not _state_and_agent(mine, theirs, my_key):
            return False
    return exact >= 1 and _things_fit(denial, report)


def _anchor_key(anchor: Report) -> str:
    when = anchor.span.label if anchor.span else f"undated:{anchor.graph}"
    things = ",".join(sorted(anchor.instruments))
    return "|".join((anchor.group, anchor.subject or "-", anchor.object or "-", when, anchor.place or "", anchor.modality, things))


def block_graph(reports: Iterable[Report], merge: MergeRules) -> Graph:
    """The graph of one block: a ``kg:MergedEvent`` per cluster of its reports, with
    ``kg:reportedBy`` each report, and ``kg:disputes`` from each denial that disputes one.

    The merged event takes its actors, type and predicate from most of its
    reports (ties: the anchor's), its date and precision from its anchor (the most
    precise, earliest report), the first theme and place its reports give, and
    every weapon they name. The CAMEO code of each side is the one most of the
    reports with that same actor give it (ties: the first in anchor-first order),
    none when none gives one. Its IRI is :func:`kg.rdf.merge.merged_event_iri` of
    the block and the anchor: no other block can mint it, and two clusters of
    the block with one anchor key are numbered. ``reports`` are of one block
    (``ValueError`` otherwise).

    >>> rules = MergeRules()
    >>> def r(iri, block):
    ...     return Report(iri, "g", block, "ACCUSE", "DEU", "RUS", "kgr:DEU", "kgr:RUS", "accuse", "ACCUSE", None,
    ...                   frozenset(), None, "2024-03-04", "day", date_span("2024-03-04", "day", True, rules), False, "asserted")
    >>> one, other = (set(block_graph([r(f"urn:{b}", b * 16)], rules).subjects(RDF.type, KG.MergedEvent)) for b in "12")
    >>> sorted(str(e) for e in one), one & other  # the same anchor in two blocks: two IRIs
    (['https://w3id.org/kg/id/merged-event/1111111111111111-b3e116222ac1'], set())
    """
    reports = list(reports)
    blocks = sorted({r.block for r in reports})
    if len(blocks) > 1:
        raise ValueError(f"reports of {len(blocks)} blocks given, one expected: {', '.join(blocks[:3])}")
    clusters, disputes = cluster(reports, merge)
    graph = Graph()
    iris: list[URIRef] = []
    for members in clusters:
        anchor = members[0]
        key = _anchor_key(anchor)
        node, n = merged_event_iri(anchor.block, key), 1
        while node in iris:  # two clusters with the same anchor key (rare): number them
            n += 1
            node = merged_event_iri(anchor.block, f"{key}|{n}")
        iris.append(node)
        _add_merged_event(graph, node, members)
    for denial, index in sorted(disputes.items()):
        graph.add((URIRef(denial), KG.disputes, iris[index]))
    return graph


def _add_merged_event(graph: Graph, node: URIRef, members: list[Report]) -> None:
    anchor = members[0]
    graph.add((node, RDF.type, KG.MergedEvent))
    subject, obj = _most_common(m.subject for m in members), _most_common(m.object for m in members)
    event_type = _most_common(m.event_type for m in members)
    if subject:
        graph.add((node, KG.subject, URIRef(subject)))
        code = _most_common(m.subject_code for m in members if m.subject == subject and m.subject_code)
        if code:
            graph.add((node, KG.subjectCode, Literal(code)))
    if obj:
        graph.add((node, KG.object, URIRef(obj)))
        code = _most_common(m.object_code for m in members if m.object == obj and m.object_code)
        if code:
            graph.add((node, KG.objectCode, Literal(code)))
    if event_type:
        graph.add((node, KG.eventType, PLOVER[event_type]))
    graph.add((node, KG.predicate, Literal(_most_common(m.predicate for m in members))))
    theme = next((m.theme for m in members if m.theme), None)
    if theme:
        graph.add((node, KG.theme, Literal(theme)))
    for thing in sorted(set().union(*(m.instruments for m in members))):
        graph.add((node, KG.instrument, URIRef(thing)))
    place = next((m.place for m in members if m.place), None)
    if place:
        graph.add((node, KG.location, URIRef(place)))
    if anchor.date:
        graph.add((node, KG.date, Literal(anchor.date[:10], datatype=XSD.date)))
        if anchor.precision:
            graph.add((node, KG.datePrecision, Literal(anchor.precision)))
    graph.add((node, KG.modality, Literal(anchor.modality)))
    for member in members:
        graph.add((node, KG.reportedBy, URIRef(member.iri)))
    # Stored rather than counted at query time, where grouping every report cost seconds on a
    # large store; the block graph is recomputed whenever its reports change, so these follow.
    graph.add((node, KG.sourceCount, Literal(len({m.graph for m in members}))))
    first = min(members, key=lambda m: (m.published or "9999-12-31", m.article_id))
    graph.add((node, KG.firstReportedIn, URIRef(first.graph)))


def _most_common(values: Iterable[str | None]) -> str | None:
    """The most frequent value; ties go to the one seen first (the anchor's side)."""
    values = list(values)
    counts = Counter(values)
    return max(values, key=lambda v: (counts[v], -values.index(v))) if values else None


# ---------------------------------------------------------------- the store


def block_graphs(
    store: pyoxigraph.Store, articles: Mapping[str, Graph | Iterable[pyoxigraph.Quad] | None], merge: MergeRules
) -> list[tuple[str, Graph]]:
    """The new graphs of the blocks that the ``articles`` leave or join, as ``(graph name, graph)``.

    ``articles`` maps article graph names to their new graphs (an rdflib
    ``Graph`` or pyoxigraph quads; ``None`` for an article being removed).
    Blocks of their stored graphs lose their old reports, blocks of the new
    ones gain the new reports, and each block's graph is :func:`block_graph` of
    its reports. An empty graph means the block is gone (writing it drops it).
    Write them in the same transaction as the articles, or before them.
    """
    new: list[Report] = []
    for name, content in articles.items():
        if content is not None:
            new.extend(reports_in_graph(content, name, merge))
    affected = {r.block for r in new}
    for name in articles:
        affected |= _article_blocks(store, name)
    if not affected:
        return []
    reports: dict[str, list[Report]] = defaultdict(list)
    for report in stored_reports(store, affected, merge):
        if report.graph not in articles:
            reports[report.block].append(report)
    for report in new:
        reports[report.block].append(report)
    return [(str(block_graph_iri(block)), block_graph(reports[block], merge)) for block in sorted(affected)]


def block_quads(
    store: pyoxigraph.Store, articles: Mapping[str, Graph | Iterable[pyoxigraph.Quad] | None], merge: MergeRules
) -> list[tuple[str, list[pyoxigraph.Quad]]]:
    """:func:`block_graphs` as ``(graph name, quads)`` pairs for :func:`kg.rdf.store.replace_graphs`, so that
    a batch of articles and the blocks they change are written in one transaction."""
    from kg.rdf.store import to_quads

    return [(name, to_quads(graph, name)) for name, graph in block_graphs(store, articles, merge)]


def _article_blocks(store: pyoxigraph.Store, article: str) -> set[str]:
    import pyoxigraph

    from kg.rdf.store import term_value

    name = pyoxigraph.NamedNode(article)
    predicate = pyoxigraph.NamedNode(str(KG.dedupBlock))
    return {term_value(quad.object) for quad in store.quads_for_pattern(None, predicate, None, name)}


def refresh(store: pyoxigraph.Store, merge: MergeRules | None = None) -> int:
    """Recompute every block graph of ``store`` from the reports in it, with the rules ``merge``
    (default: the shipped ones), in one transaction; returns how many blocks hold merged events.
    For repairs: after article graphs were removed by hand, or a run of a kg before issue 19
    (which wrote an article's blocks in a transaction before the article's) stopped in between."""
    from kg.rdf import store as kg_store

    merge = merge if merge is not None else MergeRules.load()
    blocks = {
        row["b"].value
        for row in kg_store.select(store, f"SELECT DISTINCT ?b WHERE {{ GRAPH ?g {{ ?r <{KG.dedupBlock}> ?b }} }}")
    }
    reports: dict[str, list[Report]] = defaultdict(list)
    for report in stored_reports(store, blocks, merge):
        reports[report.block].append(report)
    pairs = [(str(block_graph_iri(b)), kg_store.to_quads(block_graph(reports[b], merge), str(block_graph_iri(b)))) for b in sorted(blocks)]
    wanted = {name for name, _ in pairs}
    stale = sorted(g.value for g in store.named_graphs() if g.value.startswith(EVENTS_GRAPHS) and g.value not in wanted)
    kg_store.replace_graphs(store, pairs + [(name, []) for name in stale])
    return len(blocks)
