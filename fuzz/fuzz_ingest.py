"""Fuzz the ingest parsers: any bytes, read as any input kind, give articles
or coded messages, never an exception, and every article can be stored.

The first byte picks the kind (``.txt``, ``.jsonl``, ``.html``, ``.md`` or
standard input); the rest is the content. Coverage-guided with atheris when
it is installed, else random with hypothesis::

    make fuzz                                        # installs atheris, runs 60 s
    .venv/bin/python fuzz/fuzz_ingest.py --seconds 300
    .venv/bin/python fuzz/fuzz_ingest.py --engine hypothesis --seconds 30

A failing input is saved under ``fuzz/crashes/``; replay it with
``.venv/bin/python fuzz/fuzz_ingest.py fuzz/crashes/FILE``.
"""
from __future__ import annotations

import argparse
import io
import re
import shutil
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
KINDS = (".txt", ".jsonl", ".html", ".md", "-")
_IRI_SAFE = re.compile(r"^https://w3id\.org/kg/id/article/[a-z0-9-]+-[0-9a-f]{12}$")


def check(data: bytes) -> None:
    """Run one input through ingest and storage; raise AssertionError if an invariant breaks."""
    from kg.records import ArticleExtraction
    from kg.rdf.graph import article_graph
    from kg.ingest import MAX_ARTICLE_CHARS, Article, Notice, Skipped, read_articles, read_bytes
    from kg.rdf.store import open_memory_store, replace_graph
    from kg.vocab import article_iri

    if not data:
        return
    kind, content = KINDS[data[0] % len(KINDS)], data[1:]
    if kind == "-":
        stdin = io.TextIOWrapper(io.BytesIO(content), encoding="utf-8")
        items = list(read_articles(["-"], stdin=stdin))
    else:
        items = list(read_bytes(content, "fuzz" + kind))
    ids = set()
    store = open_memory_store()
    for item in items:
        assert isinstance(item, (Article, Skipped, Notice)), item
        if not isinstance(item, Article):
            assert re.match(r"^\[E\d{3}\] ", item.message) and "\n" not in item.message.strip(), item.message
            continue
        assert item.id not in ids, f"duplicate id {item.id!r}"
        ids.add(item.id)
        assert item.text.strip() and len(item.text) <= MAX_ARTICLE_CHARS
        assert item.date is None or date.fromisoformat(item.date).isoformat() == item.date, item.date
        for value in (item.id, item.text, item.title, item.url, item.date):
            assert value is None or not re.search("[\ud800-\udfff]", value), "unpaired surrogate"
        iri = str(article_iri(item.id))
        assert _IRI_SAFE.match(iri), iri
        graph = article_graph(ArticleExtraction(item, [], []))
        replace_graph(store, iri, graph)
        assert sum(1 for _ in store.quads_for_pattern(None, None, None, None)) >= len(graph)


def _crash_dir() -> Path:
    folder = HERE / "crashes"
    folder.mkdir(exist_ok=True)
    return folder


def run_atheris(seconds: int) -> int:
    import atheris

    with atheris.instrument_imports():
        import kg.ingest  # noqa: F401  (instrumented for coverage)
        import kg.rdf.store  # noqa: F401
        import kg.vocab  # noqa: F401

    corpus = Path(tempfile.mkdtemp(prefix="kg-fuzz-corpus-"))
    for seed in (HERE / "seeds").iterdir():
        shutil.copy(seed, corpus / seed.name)
    args = [sys.argv[0], f"-max_total_time={seconds}", f"-artifact_prefix={_crash_dir()}/", "-rss_limit_mb=4096", str(corpus)]
    atheris.Setup(args, check)
    atheris.Fuzz()  # exits the process: 0 when time ran out without a failure
    return 0


def run_hypothesis(seconds: int) -> int:
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    seeds = [p.read_bytes() for p in sorted((HERE / "seeds").iterdir())]
    kinds = st.integers(0, len(KINDS) - 1).map(lambda k: bytes([k]))
    texts = st.text(st.characters(codec="utf-8") | st.sampled_from("\x00\r\n\t{}\"<>\\&;"), max_size=400).map(str.encode)
    legacy = st.text(st.characters(codec="cp1252"), max_size=200).map(lambda t: t.encode("cp1252"))
    bodies = st.binary(max_size=600) | texts | legacy | st.sampled_from(seeds).map(lambda s: s[1:])
    failures = []

    @settings(max_examples=200, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(kind=kinds, body=bodies)
    def one(kind: bytes, body: bytes) -> None:
        try:
            check(kind + body)
        except Exception:
            failures.append(kind + body)
            raise

    deadline, rounds = time.monotonic() + seconds, 0
    while time.monotonic() < deadline:
        rounds += 1
        try:
            one()
        except Exception as e:  # noqa: BLE001
            path = _crash_dir() / f"crash-{int(time.time())}"
            path.write_bytes(failures[-1] if failures else b"")
            print(f"FAILED: {type(e).__name__}: {e}\ninput saved to {path}", file=sys.stderr)
            return 1
    print(f"hypothesis: {rounds * 200} inputs in {seconds} s, no failure")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("replay", nargs="*", help="input files to replay instead of fuzzing")
    parser.add_argument("--seconds", type=int, default=60, help="how long to fuzz (default 60)")
    parser.add_argument("--engine", choices=["auto", "atheris", "hypothesis"], default="auto")
    args = parser.parse_args(argv)
    if args.replay:
        for name in args.replay:
            check(Path(name).read_bytes())
            print(f"{name}: ok")
        return 0
    engine = args.engine
    if engine == "auto":
        try:
            import atheris  # noqa: F401
        except ImportError:
            engine = "hypothesis"
        else:
            engine = "atheris"
    print(f"fuzzing kg.ingest with {engine} for {args.seconds} s", file=sys.stderr)
    return run_atheris(args.seconds) if engine == "atheris" else run_hypothesis(args.seconds)


if __name__ == "__main__":
    sys.exit(main())
