"""Scale-out on Dask: ingest and parse on a cluster, write N-Quads shards, load them into the store.

``kg build INPUT --dask ADDRESS`` (or ``--dask local``, a ``LocalCluster`` of
``--workers`` processes on this machine) runs :func:`build_on_dask`:

1. **List** (on the cluster, a ``dask.bag`` of input units: a file, or a
   range of lines of a large JSONL file): every article's id, text hash and
   metadata, and the messages of inputs that cannot be read. Only this
   listing comes back to the client, never the texts.
2. **Plan** (on the client): give each article the id a normal build would
   (the rules of :func:`kg.ingest.read_articles`: a second article with a
   used id but other text gets ``ID-<hash>``, the same article twice is read
   once), skip those the store already holds from the same input and
   extractor (:meth:`kg.run.pipeline.Builder.already_built`), and group the rest
   into partitions of about ``partition_size`` articles.
3. **Parse** (on the cluster, one bag partition per planned partition): each
   worker reads its units again, parses and extracts the planned articles and
   writes their graphs, and the descriptions of their actors, as one N-Quads
   shard ``SHARDS/part-00000.nq``: the same quads a normal build writes for
   them, one named graph per article.
4. **Load** (on the client, shard by shard as they are done, in order): each
   chunk of articles goes into the store in one transaction with the merged
   events it changes, as a parallel build does. At the end the client writes
   ``SHARDS/ontology.nq`` (the ontology graph) and ``SHARDS/events.nq`` (the
   merged events of the store), so that ``ontology.nq``, ``events.nq`` and the
   ``part-*.nq`` shards load into any SPARQL store (docs/performance.md).

The workers need kg and the model installed, and ``SHARDS`` must be a folder
they can write and the client can read (one machine, or a shared volume).
``kg build --dask`` puts the shards in the store's folder, ``STORE/shards``
(:func:`default_shards`), unless ``--shards DIR`` names another: never in
the working directory.
"""
from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, TextIO

import pyoxigraph

from kg.errors import Errors, KGError
from kg.extraction.language import DEFAULT_MODEL
from kg.ingest import MAX_ARTICLE_CHARS, MAX_FILE_BYTES, content_hash, one_line, read_articles, read_inputs, split_article
from kg.ingest.decode import BOMS, Undecodable, binary_signature, decode
from kg.ingest.readers import input_files, jsonl_record
from kg.ingest.screen import DEFAULT_LANGUAGES, screen
from kg.rdf.merge import MergeRules
from kg.rdf.store import store_path
from kg.records import Article, ArticleExtraction, Notice, Skipped
from kg.run.workers import ArticleOutput, default_workers
from kg.run.pipeline import CHUNK_SIZE, Builder, BuildSummary, check_languages, input_key

if TYPE_CHECKING:
    from distributed import Client

__all__ = ["build_on_dask", "default_shards", "PARTITION_SIZE"]

log = logging.getLogger(__name__)

#: Articles per planned partition (one shard each).
PARTITION_SIZE = 200
#: A JSONL file larger than this is listed and read in ranges of lines, in parallel.
_JSONL_SPLIT_BYTES = 4 * 1024 * 1024
_BLOCK = 16 * 1024 * 1024


@dataclass(frozen=True)
class _Unit:
    """Something one task reads: a file (``path``), lines ``[start, end)`` bytes of a JSONL
    file (the first being line ``first_line``), or articles read by the client (``articles``)."""

    path: str | None = None
    start: int = 0
    end: int = -1
    first_line: int = 1
    articles: tuple[Article, ...] = ()


@dataclass(frozen=True)
class _Listed:
    """An article as the listing sees it: everything but its text."""

    id: str
    digest: str
    title: str | None
    date: str | None
    url: str | None
    source: str

    def article(self, article_id: str) -> Article:
        return Article(article_id, "", self.title, self.date, self.url, self.source)


def build_on_dask(
    inputs: Iterable[str],
    store: pyoxigraph.Store,
    *,
    merge: MergeRules | None = None,
    scheduler: str = "local",
    shards: str | os.PathLike,
    model: str = DEFAULT_MODEL,
    stdin: TextIO | None = None,
    on_skip: Callable[[Skipped | Notice], None] | None = None,
    on_article: Callable[[ArticleExtraction], None] | None = None,
    on_unchanged: Callable[[Article], None] | None = None,
    workers: int | None = None,
    force: bool = False,
    partition_size: int = PARTITION_SIZE,
    client: Client | None = None,
    min_confidence: float | None = None,
    languages: Iterable[str] | None = DEFAULT_LANGUAGES,
) -> BuildSummary:
    """Build ``store`` from ``inputs`` on a Dask cluster (see the module docs); the same store a
    :func:`kg.run.pipeline.build` gives, and N-Quads shards of it in the folder ``shards``
    (``kg build --dask`` gives :func:`default_shards`, inside the store, unless told).

    ``scheduler`` is a scheduler address (``tcp://host:8786``) or ``"local"``
    for a ``LocalCluster`` of ``workers`` processes (default: all cores);
    ``client`` is a ``distributed.Client`` to use instead. Reports of one real-world
    event are merged by the rules ``merge`` (default: the shipped ones), and events under
    ``min_confidence`` (default: the shipped threshold) left out, and articles in a language
    not in ``languages`` skipped (E078), as in a normal build.
    """
    try:
        import dask.bag as db
        from distributed import Client, LocalCluster
    except ImportError as e:
        raise KGError(Errors.E015) from e
    accepted = check_languages(model, languages)
    shard_dir = Path(shards)
    try:
        shard_dir.mkdir(parents=True, exist_ok=True)
        for stale in shard_dir.glob("part-*.nq"):  # shards of an earlier run
            stale.unlink()
    except OSError as e:
        raise KGError(Errors.E017.format(path=shard_dir, detail=e)) from e

    builder = Builder(
        store,
        merge=merge,
        model=model,
        on_skip=on_skip,
        on_article=on_article,
        on_unchanged=on_unchanged,
        min_confidence=min_confidence,
    )
    units = list(_units(inputs, stdin, partition_size, builder.skip, accepted))
    own_cluster = None
    if client is None:
        try:
            if scheduler == "local":
                own_cluster = LocalCluster(
                    n_workers=workers or default_workers(),
                    threads_per_worker=1,
                    processes=True,
                    dashboard_address=None,
                    silence_logs=logging.ERROR,
                )
                client = Client(own_cluster)
            else:
                client = Client(scheduler, timeout=30)
        except (OSError, TimeoutError, ValueError) as e:
            if own_cluster is not None:
                own_cluster.close()
            raise KGError(Errors.E016.format(address=scheduler, detail=e)) from e
    try:
        plan = _plan(client, db, units, builder, partition_size, force, accepted)
        if plan:
            bag = db.from_sequence(plan, npartitions=len(plan)).map_partitions(
                _parse_partition,
                shards=str(shard_dir),
                model=model,
                merge=builder.merge,
                min_confidence=builder.min_confidence,
                languages=accepted,
            )
            futures = client.compute(bag.to_delayed())
            for index, future in enumerate(futures):
                try:
                    (manifest,) = future.result()
                except KGError:
                    raise
                except Exception as e:  # a worker's exception, re-raised here
                    raise KGError(Errors.E018.format(partition=index, detail=f"{type(e).__name__}: {e}")) from e
                _load(builder, shard_dir / manifest["shard"], manifest["articles"])
    finally:
        if own_cluster is not None:
            client.close()
            own_cluster.close()
    _write_extra_shards(store, shard_dir)
    return builder.finish()


def default_shards(store: str | os.PathLike | None = None) -> Path:
    """Where ``kg build --dask`` writes its shards unless ``--shards`` says: the folder ``shards``
    inside the store's folder (``store``, else ``$KG_STORE``, else ``./kg-store``, as
    :func:`kg.rdf.store.store_path` finds it), never the working directory. Oxigraph leaves a
    folder of its own in the store alone.

    >>> default_shards("/data/kg-store").as_posix()
    '/data/kg-store/shards'
    """
    return store_path(store) / "shards"


# ---------------------------------------------------------------- 1. list


def _units(
    inputs: Iterable[str],
    stdin: TextIO | None,
    partition_size: int,
    report: Callable[[Skipped | Notice], None],
    languages: tuple[str, ...] | None = DEFAULT_LANGUAGES,
) -> Iterator[_Unit]:
    """The units of ``inputs``, in the order a normal build reads them."""
    for item in inputs:
        if str(item) == "-":  # the workers cannot read this process's standard input
            read = list(read_articles(["-"], stdin=stdin, languages=languages))
            articles = tuple(a for a in read if isinstance(a, Article))
            for message in (m for m in read if not isinstance(m, Article)):
                report(message)
            for i in range(0, len(articles), partition_size):
                yield _Unit(articles=articles[i : i + partition_size])
            continue
        for found in input_files(Path(item)):  # what cannot be read is named (E003, E005, E140)
            if isinstance(found, Skipped):
                report(one_line(found))
            else:
                yield from _file_units(found, partition_size)


def _file_units(path: Path, lines_per_unit: int) -> Iterator[_Unit]:
    """One unit for a file; ranges of ``lines_per_unit`` lines for a large, plain JSONL file."""
    try:
        large = path.suffix.lower() == ".jsonl" and path.stat().st_size > _JSONL_SPLIT_BYTES
        if large:
            with path.open("rb") as stream:
                head = stream.read(8192)
    except (OSError, ValueError):
        large = False
    if not large or _special(head):
        yield _Unit(path=str(path))
        return
    start, line, count = 0, 1, 0
    offset = 0
    with path.open("rb") as stream:
        while block := stream.read(_BLOCK):
            position = 0
            while (newline := block.find(b"\n", position)) >= 0:
                position = newline + 1
                count += 1
                if count == lines_per_unit:
                    end = offset + position
                    yield _Unit(path=str(path), start=start, end=end, first_line=line)
                    start, line, count = end, line + count, 0
            offset += len(block)
    if offset > start:
        yield _Unit(path=str(path), start=start, end=offset, first_line=line)


def _special(head: bytes) -> bool:
    """A JSONL file read whole: UTF-16/32 (a byte-order mark) or binary content (refused whole)."""
    return any(head.startswith(bom) for bom, _ in BOMS) or binary_signature(head) is not None


def _read_unit(unit: _Unit, languages: tuple[str, ...] | None = DEFAULT_LANGUAGES) -> Iterator[Article | Skipped | Notice]:
    """Articles and messages of a unit, as :func:`kg.ingest.read_articles` gives them (articles
    in other ``languages`` skipped) but for the renaming of repeated ids, which needs every unit
    and is done by the client."""
    if unit.path is None:  # articles read by the client
        yield from unit.articles
        return
    if unit.end < 0:
        items = read_inputs([unit.path], None, MAX_FILE_BYTES)
    else:
        items = _read_lines(Path(unit.path), unit.start, unit.end, unit.first_line)
    for item in items:
        if not isinstance(item, Article):
            yield one_line(item)
            continue
        problem = screen(item, languages)
        if problem is not None:
            yield one_line(problem)
            continue
        for part in split_article(item, MAX_ARTICLE_CHARS):
            yield part if isinstance(part, Article) else one_line(part)


def _read_lines(path: Path, start: int, end: int, first_line: int) -> Iterator[Article | Skipped | Notice]:
    """The records of lines ``[start, end)`` (bytes) of a JSONL file, numbered from ``first_line``
    (what :func:`kg.ingest.read_articles` does for a whole file, line by line)."""
    name = str(path)
    warned = False
    with path.open("rb") as stream:
        stream.seek(start)
        number, position = first_line - 1, start
        while position < end:
            raw = stream.readline()
            if not raw:
                break
            position += len(raw)
            number += 1
            if not raw.strip():
                continue
            try:
                line = raw.decode("utf-8-sig" if number == 1 else "utf-8")
            except UnicodeDecodeError:
                try:
                    line, encoding = decode(raw)
                except Undecodable as e:
                    where = f"{name}:{number}"
                    yield Skipped(where, Errors.E071.format(path=where, detail=e))
                    continue
                if not warned:
                    warned = True
                    yield Notice(f"{name}:{number}", Errors.E070.format(path=f"{name}:{number}", encoding=encoding))
            yield from jsonl_record(line, name, number)


def _list_partition(units: Iterable[_Unit], languages: tuple[str, ...] | None = DEFAULT_LANGUAGES) -> list[list[_Listed | Skipped | Notice]]:
    """Dask task: for each unit, its articles (without their texts) and messages, in order."""
    listed = []
    for unit in units:
        entries: list[_Listed | Skipped | Notice] = []
        for item in _read_unit(unit, languages):
            if isinstance(item, Article):
                entries.append(_Listed(item.id, content_hash(item.text), item.title, item.date, item.url, item.source))
            else:
                entries.append(item)
        listed.append(entries)
    return listed


# ---------------------------------------------------------------- 2. plan


def _plan(
    client: Client,
    db: ModuleType,
    units: list[_Unit],
    builder: Builder,
    partition_size: int,
    force: bool,
    languages: tuple[str, ...] | None = DEFAULT_LANGUAGES,
) -> list[tuple[int, list]]:
    """Partitions to parse: ``(index, [(unit, {position: article id})])``, about ``partition_size`` articles each."""
    if not units:
        return []
    workers = max(1, len(client.scheduler_info().get("workers", {})))
    bag = db.from_sequence(units, npartitions=min(len(units), 4 * workers)).map_partitions(_list_partition, languages=languages)
    seen: dict[str, tuple[str, str]] = {}  # article id -> (source, text hash), as kg.ingest.read_articles keeps it
    plan: list[tuple[int, list]] = []
    current: list = []
    size = 0
    unit_iter = iter(units)
    for future in client.compute(bag.to_delayed()):
        for entries in future.result():
            unit = next(unit_iter)
            picks: dict[int, str] = {}
            position = -1
            for entry in entries:
                if not isinstance(entry, _Listed):
                    builder.skip(entry)
                    continue
                position += 1
                article_id = _unique(entry, seen, builder.skip)
                if article_id is None:
                    continue
                key = input_key(entry.article(article_id), builder.fingerprint, digest=entry.digest)
                if not force and builder.already_built(entry.article(article_id), key):
                    continue
                picks[position] = article_id
            if picks:
                current.append((unit, picks))
                size += len(picks)
            if size >= partition_size:
                plan.append((len(plan), current))
                current, size = [], 0
    if current:
        plan.append((len(plan), current))
    return plan


def _unique(entry: _Listed, seen: dict[str, tuple[str, str]], report: Callable[[Skipped | Notice], None]) -> str | None:
    """The id a normal build gives the article (``kg.ingest.unique``), or ``None`` when it is read once already."""
    article_id = entry.id
    while article_id in seen:
        other, other_digest = seen[article_id]
        if other_digest == entry.digest:
            report(one_line(Skipped(entry.source, Errors.E076.format(path=entry.source or entry.id, id=article_id, other=other))))
            return None
        new_id = f"{entry.id}-{entry.digest[:12]}"
        if new_id == article_id:
            new_id = f"{entry.id}-{entry.digest}"
        report(
            one_line(
                Notice(entry.source, Errors.E075.format(path=entry.source or entry.id, id=article_id, other=other, new_id=new_id))
            )
        )
        article_id = new_id
    seen[article_id] = (entry.source or article_id, entry.digest)
    return article_id


# ---------------------------------------------------------------- 3. parse


def _parse_partition(
    partitions: Iterable[tuple[int, list]],
    *,
    shards: str,
    model: str,
    merge: MergeRules,
    min_confidence: float,
    languages: tuple[str, ...] | None = DEFAULT_LANGUAGES,
) -> list[dict]:
    """Dask task: parse the planned articles of a partition and write their shard; its manifest."""
    from kg.rdf.graph import Provenance
    from kg.extraction.language import load_pipeline
    from kg.run.workers import process_chunk

    manifests = []
    nlp = load_pipeline(model)
    provenance = Provenance.from_pipeline(nlp, model)
    for index, entries in partitions:
        articles: list[Article] = []
        for unit, picks in entries:
            position = -1
            for item in _read_unit(unit, languages):
                if isinstance(item, Article):
                    position += 1
                    if position in picks:
                        articles.append(item if item.id == picks[position] else replace(item, id=picks[position]))
        name = f"part-{index:05d}.nq"
        listed: list = []
        offset = 0
        temporary = Path(shards) / f".{name}.tmp"
        with temporary.open("wb") as shard:
            for i in range(0, len(articles), CHUNK_SIZE):
                for output in process_chunk(
                    nlp,
                    articles[i : i + CHUNK_SIZE],
                    provenance=provenance,
                    graphs=True,
                    merge=merge,
                    min_confidence=min_confidence,
                ):
                    if isinstance(output, Skipped):
                        listed.append(output)
                        continue
                    assert output.nquads is not None  # graphs=True: every article comes with its quads
                    shard.write(output.nquads)
                    listed.append((output.extraction, output.graph_hash, offset, len(output.nquads)))
                    offset += len(output.nquads)
        os.replace(temporary, Path(shards) / name)
        manifests.append({"shard": name, "articles": listed})
    return manifests


# ---------------------------------------------------------------- 4. load


def _load(builder: Builder, shard: Path, articles: list) -> None:
    """Write the articles of a shard into the store, a chunk per transaction."""
    with shard.open("rb") as stream:
        data = stream.read()
    outputs: list[ArticleOutput | Skipped] = []
    for entry in articles:
        if isinstance(entry, Skipped):
            outputs.append(entry)
            continue
        extraction, graph_hash, offset, length = entry
        outputs.append(ArticleOutput(extraction, data[offset : offset + length], graph_hash))
        if len(outputs) >= CHUNK_SIZE:
            builder.write(outputs)
            outputs = []
    if outputs:
        builder.write(outputs)


def _write_extra_shards(store: pyoxigraph.Store, shard_dir: Path) -> None:
    """``ontology.nq`` and ``events.nq`` (the merged events): with the parts, the whole graph."""
    from kg.vocab import EVENTS_GRAPHS, ONTOLOGY_GRAPH

    groups: dict[str, list[pyoxigraph.NamedNode | pyoxigraph.BlankNode]] = {
        "ontology.nq": [pyoxigraph.NamedNode(ONTOLOGY_GRAPH)],
        "events.nq": sorted((g for g in store.named_graphs() if g.value.startswith(EVENTS_GRAPHS)), key=lambda g: g.value),
    }
    for name, graphs in groups.items():
        temporary = shard_dir / f".{name}.tmp"
        with temporary.open("wb") as out:
            for graph in graphs:
                quads = list(store.quads_for_pattern(None, None, None, graph))
                if quads:
                    pyoxigraph.serialize(quads, out, format=pyoxigraph.RdfFormat.N_QUADS)
        os.replace(temporary, shard_dir / name)
