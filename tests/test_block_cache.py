"""What a build keeps of its blocks (kg.rdf.blocks.BlockCache): batch after batch, the store's merged
events are those that recomputing every block from its reports gives (kg.rdf.blocks.block_quads).

The reports are drawn from a small space so that they merge, collide on anchors across sets of alike
reports (one actor, two keys), dispute each other, and leave blocks when their articles are written again.
"""
from __future__ import annotations

from datetime import date, timedelta

import pyoxigraph
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kg.rdf.blocks import BlockCache, Report, _same_event, block_quads, cluster
from kg.rdf.merge import MergeRules, date_span
from kg.rdf.namespace import KG, PLOVER
from kg.rdf.store import open_memory_store, replace_graphs
from kg.vocab import EVENTS_GRAPHS

_BLOCKS = ("0" * 16, "1" * 16)
_ACTORS = ("https://w3id.org/kg/id/country/RUS", "https://w3id.org/kg/id/country/UKR", "https://w3id.org/kg/id/person/x")
_ARTICLES = tuple(f"https://w3id.org/kg/id/article/{name}" for name in "abcd")


def _node(iri: object) -> pyoxigraph.NamedNode:
    return pyoxigraph.NamedNode(str(iri))


@st.composite
def report_triples(draw, article: str, n: int) -> list[tuple]:
    """The triples of one report in an article graph, as kg writes them (the properties block reads)."""
    node = _node(f"https://w3id.org/kg/id/event/{article.rsplit('/', 1)[1]}-{n}")
    subject = draw(st.sampled_from(_ACTORS))
    obj = draw(st.sampled_from(_ACTORS + (None,)))
    values: list[tuple] = [
        (KG.dedupBlock, pyoxigraph.Literal(draw(st.sampled_from(_BLOCKS)))),
        (KG.dedupKey, pyoxigraph.Literal(
            f"{draw(st.sampled_from(['ASSAULT+COERCE', 'AID']))}|{draw(st.sampled_from(['RUS', 'BLR']))}|{'UKR' if obj else '-'}"
        )),
        (KG.predicate, pyoxigraph.Literal(draw(st.sampled_from(["attack", "supply"])))),
        (KG.subject, _node(subject)),
        (KG.date, pyoxigraph.Literal(f"2024-03-{draw(st.integers(1, 4)):02d}")),
        (KG.datePrecision, pyoxigraph.Literal(draw(st.sampled_from(["day", "day", "month", "week"])))),
        (KG.modality, pyoxigraph.Literal(draw(st.sampled_from(["asserted", "asserted", "planned"])))),
        (KG.negated, pyoxigraph.Literal("true" if draw(st.integers(0, 4)) == 0 else "false")),
    ]
    if obj:
        values.append((KG.object, _node(obj)))
    if draw(st.booleans()):
        values.append((KG.eventType, _node(PLOVER[draw(st.sampled_from(["ASSAULT", "AID"]))])))
    if draw(st.booleans()):
        values.append((KG.dateText, pyoxigraph.Literal("on Monday")))
    if draw(st.booleans()):
        values.append((KG.theme, pyoxigraph.Literal(draw(st.sampled_from(["drones", "tanks"])))))
    if draw(st.booleans()):
        values.append((KG.subjectCode, pyoxigraph.Literal(draw(st.sampled_from(["RUSGOV", "RUSMIL"])))))
    return [(node, _node(p), o) for p, o in values]


@st.composite
def article_graph(draw, article: str) -> list[pyoxigraph.Quad] | None:
    """An article's graph (``None``: the article is removed)."""
    if draw(st.integers(0, 6)) == 0:
        return None
    name = _node(article)
    quads = [
        pyoxigraph.Quad(name, _node(KG.articleId), pyoxigraph.Literal(article.rsplit("/", 1)[1]), name),
        pyoxigraph.Quad(name, _node(KG.published), pyoxigraph.Literal(f"2024-03-{draw(st.integers(1, 9)):02d}"), name),
    ]
    for n in range(draw(st.integers(0, 5))):
        quads += [pyoxigraph.Quad(s, p, o, name) for s, p, o in draw(report_triples(article, n))]
    return quads


@st.composite
def batches(draw) -> list[dict[str, list[pyoxigraph.Quad] | None]]:
    """Batches of articles written in turn; an article may come again with other reports."""
    return [
        {article: draw(article_graph(article)) for article in draw(st.lists(st.sampled_from(_ARTICLES), min_size=1, max_size=3, unique=True))}
        for _ in range(draw(st.integers(1, 5)))
    ]


def _events(store: pyoxigraph.Store) -> set[str]:
    return {str(q) for q in store if q.graph_name.value.startswith(EVENTS_GRAPHS)}


def _graphs(store: pyoxigraph.Store) -> set[str]:
    return {g.value for g in store.named_graphs()}


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(batches(), st.integers(1, 30))
def test_a_build_writes_the_merged_events_recomputing_every_block_gives(steps, max_reports):
    rules = MergeRules.load()
    cached, reference = open_memory_store(), open_memory_store()
    cache = BlockCache(cached, rules, max_reports=max_reports)  # small: blocks are forgotten and read again
    for batch in steps:
        articles = [(name, quads or []) for name, quads in batch.items()]
        changes = cache.changes(batch)
        replace_graphs(
            cached, [*articles, *((name, []) for name in changes.dropped)], merge=changes.insert, delete=changes.delete
        )
        cache.commit(changes)
        replace_graphs(reference, [*articles, *block_quads(reference, batch, rules)])
        assert _events(cached) == _events(reference)
        assert _graphs(cached) == _graphs(reference)  # an emptied block's graph is dropped in both


def test_a_fresh_cache_reads_what_the_store_holds():
    """A block the store holds from an earlier build is read, not assumed: the first write of a new
    cache changes only what differs (here: nothing but the new report's event)."""
    rules = MergeRules.load()
    store = open_memory_store()
    first = {_ARTICLES[0]: _article_with_attack(_ARTICLES[0], "2024-03-01")}
    replace_graphs(store, [*first.items(), *block_quads(store, first, rules)])
    before = _events(store)
    second = {_ARTICLES[1]: _article_with_attack(_ARTICLES[1], "2024-03-03")}
    changes = BlockCache(store, rules).changes(second)
    assert not changes.delete and not changes.dropped  # the first event stays as it is
    replace_graphs(store, list(second.items()), merge=changes.insert)
    assert before < _events(store)
    reference = open_memory_store()
    for batch in (first, second):
        replace_graphs(reference, [*batch.items(), *block_quads(reference, batch, rules)])
    assert _events(store) == _events(reference)


def _article_with_attack(article: str, day: str, key: str = "ASSAULT+COERCE|RUS|UKR") -> list[pyoxigraph.Quad]:
    name = _node(article)
    event = _node(f"{article.replace('/article/', '/event/')}-1")
    triples = [
        (name, KG.articleId, pyoxigraph.Literal(article.rsplit("/", 1)[1])),
        (name, KG.published, pyoxigraph.Literal(day)),
        (event, KG.dedupBlock, pyoxigraph.Literal(_BLOCKS[0])),
        (event, KG.dedupKey, pyoxigraph.Literal(key)),
        (event, KG.subject, _node(_ACTORS[0])),
        (event, KG.object, _node(_ACTORS[1])),
        (event, KG.predicate, pyoxigraph.Literal("attack")),
        (event, KG.date, pyoxigraph.Literal(day)),
        (event, KG.datePrecision, pyoxigraph.Literal("day")),
        (event, KG.dateText, pyoxigraph.Literal("on Friday")),
    ]
    return [pyoxigraph.Quad(s, _node(p), o, name) for s, p, o in triples]


def test_an_event_renumbered_by_a_later_report_is_written_again():
    """One actor under two keys gives two sets of alike reports whose anchors have one key: the
    merged events are numbered in their anchors' order across the block, so a report arriving
    later with an earlier anchor renumbers the event already written."""
    rules = MergeRules.load()
    cached, reference = open_memory_store(), open_memory_store()
    cache = BlockCache(cached, rules)
    for article, key in ((_ARTICLES[1], "RUS"), (_ARTICLES[0], "BLR")):  # article b first; a's event sorts first
        batch = {article: _article_with_attack(article, "2024-03-01", key=f"ASSAULT+COERCE|{key}|UKR")}
        changes = cache.changes(batch)
        replace_graphs(cached, list(batch.items()), merge=changes.insert, delete=changes.delete)
        cache.commit(changes)
        replace_graphs(reference, [*batch.items(), *block_quads(reference, batch, rules)])
    merged = {q.subject.value for q in cached.quads_for_pattern(None, _node(KG.reportedBy), None, None)}
    assert len(merged) == 2
    assert _events(cached) == _events(reference)


@st.composite
def alike_reports(draw) -> list[Report]:
    """Alike reports (one set: same type group, keys and modality) with dates of every precision over a year."""
    rules = MergeRules.load()
    found = []
    for n in range(draw(st.integers(0, 40))):
        dated = draw(st.integers(0, 9)) > 0
        day = (date(2024, 1, 1) + timedelta(days=draw(st.integers(0, 400)))).isoformat() if dated else None
        precision = draw(st.sampled_from(["day", "day", "week", "month", "year"])) if dated else None
        found.append(Report(
            iri=f"https://w3id.org/kg/id/event/{n}", graph=f"https://w3id.org/kg/id/article/{n % 5}", block=_BLOCKS[0],
            group="ASSAULT+COERCE", subject_key="RUS", object_key="UKR",
            subject=draw(st.sampled_from(_ACTORS[:1] + _ACTORS[2:])), object=_ACTORS[1], predicate="attack",
            event_type="ASSAULT", theme=draw(st.sampled_from([None, "drones", "tanks"])), instruments=frozenset(),
            place=None, date=day, precision=precision,
            span=date_span(day, precision, draw(st.booleans()), rules) if day else None, negated=False, modality="asserted",
        ))
    return found


@settings(max_examples=300, deadline=None)
@given(alike_reports(), st.integers(0, 40))
def test_clusters_are_those_of_comparing_each_report_with_every_cluster(found, window):
    """The clustering looks only at clusters whose dates can fit (weeks): it gives what comparing
    each report with every cluster, in order, gives."""
    rules = MergeRules(window_days=window)

    def dates_fit(members: list[Report]) -> bool:
        spans = [m.span for m in members if m.span is not None]
        if not spans:
            return True
        return len(spans) == len(members) and (max(s.start for s in spans) - min(s.end for s in spans)).days <= window

    expected: list[list[Report]] = []
    for report in sorted(found, key=lambda r: r.order):
        for members in expected:
            if all(_same_event(report, m, rules) for m in members) and dates_fit([*members, report]):
                members.append(report)
                break
        else:
            expected.append([report])
    assert cluster(found, rules)[0] == expected
