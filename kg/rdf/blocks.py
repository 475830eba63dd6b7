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
import sys
from collections import Counter, OrderedDict, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import NamedTuple

import pyoxigraph
from rdflib import XSD, Graph, URIRef
from rdflib.namespace import RDF

from kg.rdf.merge import DateSpan, MergeRules, block_graph_iri, date_span, merged_event_iri
from kg.rdf.namespace import KG, PLOVER
from kg.vocab import EVENTS_GRAPHS, actor_iri

__all__ = [
    "Report",
    "BlockCache",
    "BlockChanges",
    "block_graph",
    "block_graph_quads",
    "block_graphs",
    "block_quads",
    "cluster",
    "refresh",
    "reports_in_graph",
    "stored_reports",
]

_BLOCK_ID = re.compile(r"^[0-9a-f]{16}$")
_STATE_CODE = re.compile(r"^[A-Z]{3}$")


@dataclass(frozen=True, slots=True)
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
    # The values that reports share (graph, block, actors, words) are interned: a build keeps many reports (BlockCache).
    def one(name: str) -> str | None:
        return sys.intern(min(values[name])) if values.get(name) else None

    group, subject_key, object_key = (sys.intern(part) for part in (one("key") or "||").rsplit("|", 2))
    event_type = one("type")
    return Report(
        iri=iri,
        graph=sys.intern(graph),
        block=one("block") or "",
        group=group,
        subject_key=subject_key,
        object_key=object_key,
        subject=one("subject"),
        object=one("object"),
        predicate=one("predicate") or "",
        event_type=sys.intern(event_type.rsplit("#", 1)[-1]) if event_type else None,
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
    alike: dict[tuple[str, str, str, str], list[Report]] = defaultdict(list)
    for report in reports:
        if not report.negated:
            alike[_alike(report)].append(report)
    # Only alike reports merge (_same_event), so each set of them is clustered on its own: the
    # clusters are those of one pass over all the reports, and a build reclusters only the
    # sets a batch changes (BlockCache). Clusters come in their anchors' order, as one pass makes them.
    clusters = sorted((c for members in alike.values() for c in _cluster_alike(members, merge)), key=lambda c: c[0].order)
    return clusters, _disputes_of([r for r in reports if r.negated], clusters, merge)


def _alike(report: Report) -> tuple[str, str, str, str]:
    """What two reports must share to be one event (:func:`_same_event`)."""
    return (report.group, report.subject_key, report.object_key, report.modality)


def _cluster_alike(reports: list[Report], merge: MergeRules) -> list[list[Report]]:
    """The clusters of alike reports given most precise and earliest first: each joins the first
    cluster all of whose reports it is compatible with, or starts a new one."""
    clusters: list[list[Report]] = []
    # Dates fit when the latest start of the reports' dates is at most the window after the earliest
    # end; undated reports (a block of one article: repeated mentions in it) fit only undated ones.
    # So each cluster keeps that start and end (None: undated), compared first, and is listed under
    # the weeks a report's dates could fit it in (its anchor's dates and the window either side:
    # joining only narrows them), so a report is compared with the clusters of its weeks only.
    bounds: list[tuple[date, date] | None] = []
    undated: list[int] = []
    by_week: dict[int, list[int]] = defaultdict(list)
    window = merge.window_days
    for report in reports:
        span = report.span
        if span is None:
            candidates: Iterable[int] = undated
        else:
            weeks = range(_week(span.start), _week(span.end) + 1)
            candidates = sorted({i for week in weeks for i in by_week.get(week, ())})
        for index in candidates:
            known = bounds[index]
            if known is not None and span is not None:
                known = (max(known[0], span.start), min(known[1], span.end))
                if (known[0] - known[1]).days > window:
                    continue
            members = clusters[index]
            if all(_same_event(report, m, merge) for m in members):
                members.append(report)
                bounds[index] = known
                break
        else:
            index = len(clusters)
            clusters.append([report])
            if span is None:
                bounds.append(None)
                undated.append(index)
            else:
                bounds.append((span.start, span.end))
                for week in range(_week(span.start, -window), _week(span.end, window) + 1):
                    by_week[week].append(index)
    return clusters


def _week(day: date, shift: int = 0) -> int:
    """The number of the week ``shift`` days after ``day``."""
    return (day.toordinal() + shift) // 7


def _disputes_of(denials: Iterable[Report], clusters: list[list[Report]], merge: MergeRules) -> dict[str, int]:
    """For each denial that disputes a cluster, the index of the one it disputes (the latest anchored)."""
    disputes: dict[str, int] = {}
    for denial in denials:
        best = None
        for index, members in enumerate(clusters):
            if _disputes(denial, members, merge) and (best is None or members[0].order[1] > clusters[best][0].order[1]):
                best = index
        if best is not None:
            disputes[denial.iri] = best
    return disputes


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
    ...     return Report(iri, "urn:g", block, "ACCUSE", "DEU", "RUS", "urn:DEU", "urn:RUS", "accuse", "ACCUSE", None,
    ...                   frozenset(), None, "2024-03-04", "day", date_span("2024-03-04", "day", True, rules), False, "asserted")
    >>> one, other = (set(block_graph([r(f"urn:{b}", b * 16)], rules).subjects(RDF.type, KG.MergedEvent)) for b in "12")
    >>> sorted(str(e) for e in one), one & other  # the same anchor in two blocks: two IRIs
    (['https://w3id.org/kg/id/merged-event/1111111111111111-8cfde233308a'], set())
    """
    return _rdflib_graph(block_graph_quads(reports, merge))


def block_graph_quads(reports: Iterable[Report], merge: MergeRules) -> list[pyoxigraph.Quad]:
    """:func:`block_graph` as the quads of the block's named graph (what the store holds)."""
    reports = list(reports)
    blocks = sorted({r.block for r in reports})
    if len(blocks) > 1:
        raise ValueError(f"reports of {len(blocks)} blocks given, one expected: {', '.join(blocks[:3])}")
    if not blocks:
        return []
    name = _node(str(block_graph_iri(blocks[0])))
    clusters, disputes = cluster(reports, merge)
    nodes = _numbered(blocks[0], clusters)
    quads = [quad for members, node in zip(clusters, nodes) for quad in _event_quads(node, members, name)]
    return quads + _dispute_quads(disputes, nodes, name)


def _numbered(block: str, clusters: list[list[Report]]) -> list[pyoxigraph.NamedNode]:
    """The IRI of each merged event (clusters in their anchors' order): two with one anchor key are numbered."""
    nodes: list[pyoxigraph.NamedNode] = []
    taken: set[pyoxigraph.NamedNode] = set()
    for members in clusters:
        key = _anchor_key(members[0])
        node, n = _node(str(merged_event_iri(block, key))), 1
        while node in taken:  # two clusters with the same anchor key (rare): number them
            n += 1
            node = _node(str(merged_event_iri(block, f"{key}|{n}")))
        taken.add(node)
        nodes.append(node)
    return nodes


def _event_quads(node: pyoxigraph.NamedNode, members: list[Report], graph: pyoxigraph.NamedNode) -> tuple[pyoxigraph.Quad, ...]:
    anchor = members[0]
    out: list[pyoxigraph.Quad] = []

    def add(predicate: URIRef, obj: pyoxigraph.NamedNode | pyoxigraph.Literal) -> None:
        out.append(pyoxigraph.Quad(node, _node(str(predicate)), obj, graph))

    add(RDF.type, _node(str(KG.MergedEvent)))
    subject, obj = _most_common(m.subject for m in members), _most_common(m.object for m in members)
    event_type = _most_common(m.event_type for m in members)
    if subject:
        add(KG.subject, _node(subject))
        code = _most_common(m.subject_code for m in members if m.subject == subject and m.subject_code)
        if code:
            add(KG.subjectCode, pyoxigraph.Literal(code))
    if obj:
        add(KG.object, _node(obj))
        code = _most_common(m.object_code for m in members if m.object == obj and m.object_code)
        if code:
            add(KG.objectCode, pyoxigraph.Literal(code))
    if event_type:
        add(KG.eventType, _node(str(PLOVER[event_type])))
    add(KG.predicate, pyoxigraph.Literal(_most_common(m.predicate for m in members) or ""))
    theme = next((m.theme for m in members if m.theme), None)
    if theme:
        add(KG.theme, pyoxigraph.Literal(theme))
    for thing in sorted(set().union(*(m.instruments for m in members))):
        add(KG.instrument, _node(thing))
    place = next((m.place for m in members if m.place), None)
    if place:
        add(KG.location, _node(place))
    if anchor.date:
        add(KG.date, pyoxigraph.Literal(anchor.date[:10], datatype=_node(str(XSD.date))))
        if anchor.precision:
            add(KG.datePrecision, pyoxigraph.Literal(anchor.precision))
    add(KG.modality, pyoxigraph.Literal(anchor.modality))
    for member in members:
        add(KG.reportedBy, _node(member.iri))
    # Stored rather than counted at query time, where grouping every report cost seconds on a
    # large store; the block graph is recomputed whenever its reports change, so these follow.
    add(KG.sourceCount, pyoxigraph.Literal(str(len({m.graph for m in members})), datatype=_node(str(XSD.integer))))
    first = min(members, key=lambda m: (m.published or "9999-12-31", m.article_id))
    add(KG.firstReportedIn, _node(first.graph))
    return tuple(out)


def _dispute_quads(
    disputes: dict[str, int], nodes: list[pyoxigraph.NamedNode], graph: pyoxigraph.NamedNode
) -> list[pyoxigraph.Quad]:
    predicate = _node(str(KG.disputes))
    return [pyoxigraph.Quad(_node(denial), predicate, nodes[index], graph) for denial, index in sorted(disputes.items())]


@lru_cache(maxsize=65536)
def _node(iri: str) -> pyoxigraph.NamedNode:
    return pyoxigraph.NamedNode(iri)


def _rdflib_graph(quads: Iterable[pyoxigraph.Quad]) -> Graph:
    return Graph().parse(data=pyoxigraph.serialize((q.triple for q in quads), format=pyoxigraph.RdfFormat.N_TRIPLES), format="nt")


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
    return [(name, _rdflib_graph(quads)) for name, quads in block_quads(store, articles, merge)]


def block_quads(
    store: pyoxigraph.Store, articles: Mapping[str, Graph | Iterable[pyoxigraph.Quad] | None], merge: MergeRules
) -> list[tuple[str, list[pyoxigraph.Quad]]]:
    """:func:`block_graphs` as ``(graph name, quads)`` pairs for :func:`kg.rdf.store.replace_graphs`, so that
    a batch of articles and the blocks they change are written in one transaction."""
    new = _new_reports(articles, merge)
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
    return [(str(block_graph_iri(block)), block_graph_quads(reports[block], merge)) for block in sorted(affected)]


def _new_reports(articles: Mapping[str, Graph | Iterable[pyoxigraph.Quad] | None], merge: MergeRules) -> list[Report]:
    return [r for name, content in articles.items() if content is not None for r in reports_in_graph(content, name, merge)]


def _article_blocks(store: pyoxigraph.Store, article: str) -> set[str]:
    from kg.rdf.store import term_value

    name = pyoxigraph.NamedNode(article)
    predicate = pyoxigraph.NamedNode(str(KG.dedupBlock))
    return {term_value(quad.object) for quad in store.quads_for_pattern(None, predicate, None, name)}


# ---------------------------------------------------------------- what a build keeps of its blocks


class BlockChanges(NamedTuple):
    """What writing a batch of articles changes in the block graphs: graphs left empty (dropped),
    quads that go and quads that come; :meth:`BlockCache.commit` it once written."""

    dropped: list[str]
    delete: list[pyoxigraph.Quad]
    insert: list[pyoxigraph.Quad]
    blocks: dict[str, _Block]


class BlockCache:
    """The blocks a build has read or written, so that a batch costs what it changes, not what
    the blocks it touches hold.

    :func:`block_quads` reads every report of every block a batch touches and
    rewrites those graphs whole: a build then costs the square of its size,
    since the blocks grow (all attacks on one state in a year) and most
    batches touch them. This keeps each block's reports, clustered by the sets
    of alike reports (:func:`_alike`; only those merge), and the quads of each
    merged event: a batch reclusters only the sets it changes, and its write
    deletes and inserts only the quads that differ. The result is the same as
    :func:`block_quads` (a test compares them). The store must change only
    through this cache while it lives (a build's own store); the least recently
    used blocks are forgotten past ``max_reports`` (read again if touched).

    >>> from kg.rdf.store import open_memory_store
    >>> cache = BlockCache(open_memory_store(), MergeRules.load())
    >>> cache.changes({"https://w3id.org/kg/id/article/a": []})
    BlockChanges(dropped=[], delete=[], insert=[], blocks={})
    """

    def __init__(self, store: pyoxigraph.Store, merge: MergeRules, *, max_reports: int = 50_000) -> None:
        self._store, self._merge, self._max_reports = store, merge, max_reports
        self._blocks: OrderedDict[str, _Block] = OrderedDict()

    def changes(self, articles: Mapping[str, Graph | Iterable[pyoxigraph.Quad] | None]) -> BlockChanges:
        """What writing ``articles`` (as for :func:`block_quads`) changes; nothing changes until :meth:`commit`."""
        new: dict[str, list[Report]] = defaultdict(list)
        for report in _new_reports(articles, self._merge):
            new[report.block].append(report)
        leaving: set[str] = set()  # blocks where stored articles of the batch have reports
        for name in articles:
            leaving |= _article_blocks(self._store, name)
        affected = sorted(leaving | set(new))
        self._load([b for b in affected if b not in self._blocks])
        changes = BlockChanges([], [], [], {})
        for block in affected:
            old = self._blocks[block]
            state = old.changed(articles if block in leaving else {}, new.get(block, []), self._merge)
            changes.blocks[block] = state
            if not state.events and not state.disputes:
                changes.dropped.append(str(block_graph_iri(block)))
                continue
            delete, insert = state.differences(old)
            changes.delete.extend(delete)
            changes.insert.extend(insert)
        return changes

    def commit(self, changes: BlockChanges) -> None:
        """Take ``changes`` as written."""
        for block, state in changes.blocks.items():
            self._blocks[block] = state
            self._blocks.move_to_end(block)
        held = sum(b.size for b in self._blocks.values())
        while held > self._max_reports and len(self._blocks) > 1:
            _, forgotten = self._blocks.popitem(last=False)
            held -= forgotten.size

    def _load(self, blocks: list[str]) -> None:
        if not blocks:
            return
        reports: dict[str, list[Report]] = defaultdict(list)
        for report in stored_reports(self._store, blocks, self._merge):
            reports[report.block].append(report)
        for block in blocks:
            name = _node(str(block_graph_iri(block)))
            stored = frozenset(self._store.quads_for_pattern(None, None, None, name))
            self._blocks[block] = _Block.of(block, reports[block], self._merge, stored)


class _Alike(NamedTuple):
    """Reports of a block alike in what :func:`_same_event` compares first, their clusters (in their
    anchors' order) and each cluster's merged event: its IRI and quads (``None`` until made)."""

    reports: frozenset[Report]
    clusters: list[list[Report]]
    events: list[tuple[pyoxigraph.NamedNode, tuple[pyoxigraph.Quad, ...]] | None]

    @classmethod
    def of(cls, reports: Iterable[Report], merge: MergeRules, before: _Alike | None = None) -> _Alike:
        """The set of ``reports``; a cluster with the same reports as one of ``before`` keeps its event."""
        reports = frozenset(reports)
        clusters = _cluster_alike(sorted(reports, key=lambda r: r.order), merge)
        known = {tuple(members): event for members, event in zip(before.clusters, before.events)} if before else {}
        return cls(reports, clusters, [known.get(tuple(members)) for members in clusters])


class _Block(NamedTuple):
    """A block as the cache knows it: its sets of alike reports, its denials, the quads of each
    merged event and of the disputes; ``stored``, the quads the store holds, when read from it
    and not yet written (the next write compares with those)."""

    block: str
    alike: dict[tuple[str, str, str, str], _Alike]
    denials: frozenset[Report]
    events: dict[pyoxigraph.NamedNode, tuple[pyoxigraph.Quad, ...]]
    disputes: frozenset[pyoxigraph.Quad]
    stored: frozenset[pyoxigraph.Quad] | None

    @property
    def size(self) -> int:
        return len(self.denials) + sum(len(a.reports) for a in self.alike.values())

    @classmethod
    def of(cls, block: str, reports: list[Report], merge: MergeRules, stored: frozenset[pyoxigraph.Quad]) -> _Block:
        return cls(block, {}, frozenset(), {}, frozenset(), None).changed({}, reports, merge)._replace(stored=stored)

    def changed(self, leaving: Mapping[str, object], arriving: list[Report], merge: MergeRules) -> _Block:
        """The block once the reports of the article graphs ``leaving`` left it and ``arriving`` joined it."""
        alike = dict(self.alike)
        denials = self.denials
        changed: dict[tuple[str, str, str, str], set[Report]] = {}
        if leaving:
            for key, known in self.alike.items():
                if any(r.graph in leaving for r in known.reports):
                    changed[key] = {r for r in known.reports if r.graph not in leaving}
            denials = frozenset(r for r in denials if r.graph not in leaving)
        for report in arriving:
            if report.negated:
                denials |= {report}
                continue
            key = _alike(report)
            if key not in changed:
                changed[key] = set(alike[key].reports) if key in alike else set()
            changed[key].add(report)
        for key, reports in changed.items():
            if reports:
                alike[key] = _Alike.of(reports, merge, alike.get(key))
            else:
                alike.pop(key, None)
        # The merged events in their anchors' order, numbered across the block (as block_graph_quads does).
        order = sorted(((a, i) for a in alike.values() for i in range(len(a.clusters))), key=lambda p: p[0].clusters[p[1]][0].order)
        clusters = [a.clusters[i] for a, i in order]
        nodes = _numbered(self.block, clusters)
        name = _node(str(block_graph_iri(self.block)))
        events: dict[pyoxigraph.NamedNode, tuple[pyoxigraph.Quad, ...]] = {}
        for (members, index), node in zip(order, nodes):
            made = members.events[index]
            if made is None or made[0] != node:
                made = (node, _event_quads(node, members.clusters[index], name))
                members.events[index] = made
            events[node] = made[1]
        disputes = _disputes_of(sorted(denials, key=lambda r: r.order), clusters, merge)
        return _Block(self.block, alike, denials, events, frozenset(_dispute_quads(disputes, nodes, name)), None)

    def differences(self, old: _Block) -> tuple[list[pyoxigraph.Quad], list[pyoxigraph.Quad]]:
        """The quads to delete and to insert to make ``old``'s graph this one."""
        if old.stored is not None:
            now = {q for quads in self.events.values() for q in quads} | self.disputes
            return list(old.stored - now), list(now - old.stored)
        delete: list[pyoxigraph.Quad] = []
        insert: list[pyoxigraph.Quad] = []
        for node in old.events.keys() | self.events.keys():
            before, after = old.events.get(node, ()), self.events.get(node, ())
            if before is not after:
                delete.extend(set(before) - set(after))
                insert.extend(set(after) - set(before))
        delete.extend(old.disputes - self.disputes)
        insert.extend(self.disputes - old.disputes)
        return delete, insert


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
    pairs = [(str(block_graph_iri(b)), block_graph_quads(reports[b], merge)) for b in sorted(blocks)]
    wanted = {name for name, _ in pairs}
    stale = sorted(g.value for g in store.named_graphs() if g.value.startswith(EVENTS_GRAPHS) and g.value not in wanted)
    kg_store.replace_graphs(store, pairs + [(name, []) for name in stale])
    return len(blocks)
