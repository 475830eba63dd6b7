"""Run the benchmarks and print them side by side; the results also go to ``bench/results/``.

    make bench                                    # everything, about 20 minutes on 2 cores
    BENCH_ARTICLES=100 BENCH_RSS_SIZES=50,200 BENCH_TRIPLES=100000 make bench   # a quick run

1. **throughput**: articles/s of bare ``nlp.pipe`` (spaCy's pipeline, no kg
   component) and of ``kg extract`` (one worker) on ``BENCH_ARTICLES``
   articles, and their ratio, the two in turns in one process,
   ``BENCH_PAIRED_CHUNK`` (50) articles at a time (run minutes apart, the
   same code's ratio ranged from 0.71 to 0.80 on a shared virtual machine),
   with numpy's requests for transparent huge pages off, and the CPU seconds
   (user, system) of each; and of ``nlp.pipe`` with kg's components on the first
   ``BENCH_PIPE_ARTICLES`` (100).
2. **build**: ``kg build`` articles/s with each of ``BENCH_WORKERS`` workers
   (end to end: the command, its start-up and the model loads included; the
   defaults, merging of reports on), into a fresh on-disk store; the ratio to
   one worker, beside the machine's reference: the same numbers of processes
   parsing ``BENCH_REFERENCE_ARTICLES`` articles (by default the build's own
   ``BENCH_ARTICLES``: 200 gave ratios from 1.74 to 1.88 between runs) with
   kg's pipeline and nothing else (``bench.tasks reference``), so the build's
   ratio reads against what the machine allows.
3. **memory**: peak RSS of ``kg build`` (the defaults, ``BENCH_RSS_WORKERS``
   workers; the largest process) for each of ``BENCH_RSS_SIZES`` articles.
4. **store**: a store of ``BENCH_TRIPLES`` triples (the sample's graphs
   replicated under new IRIs), its bulk-load time, and the latency (wall and
   CPU) and peak RSS of every saved query without and with one parameter
   (``bench.tasks.QUERIES``), each in a fresh process; the ``relations``,
   ``actors``, ``events-between`` and ``dyads`` queries also against an
   in-memory rdflib Dataset (each rdflib query stopped after
   ``BENCH_RDFLIB_TIMEOUT`` seconds).
5. **dedup**: ``kg build`` with the merging of reports (the default, as in
   sections 2 and 3) and without (``--no-dedup``) on ``BENCH_DEDUP_ARTICLES``
   articles: what merging costs.
6. **validate**: ``kg validate`` (wall and CPU time, peak RSS, the load
   average) of a store of ``BENCH_VALIDATE_TRIPLES`` triples (1,000,000; made
   as in section 4), in a fresh process; and of the store ``kg build`` (the
   defaults) makes of ``BENCH_VALIDATE_ARTICLES`` (2,000) generated articles,
   whose reports overlap: it must conform (section 3 builds it when it builds
   as many articles; else section 6 does, with the most of ``BENCH_WORKERS``).
7. **long**: ``kg build`` (the defaults) of one article of each of
   ``BENCH_LONG_CHARS`` characters (2,000,000) on one line, generated text
   with no paragraph or line break: wall time and peak RSS (the largest
   process). Memory must not grow with the article (docs/reliability.md).

``BENCH_ONLY=throughput,store`` runs some sections only; ``BENCH_WORK`` is
the scratch folder (default: a temporary one).
"""
from __future__ import annotations

import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

from bench.corpus import write_corpus, write_one_line

ROOT = Path(__file__).resolve().parent.parent
SECTIONS = ("dictionaries", "throughput", "build", "memory", "store", "dedup", "validate", "long")


def _env_int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


def _env_list(name: str, default: str) -> list[int]:
    return [int(x) for x in os.environ.get(name, default).split(",") if x.strip()]


def _task(*args: str, env: dict[str, str] | None = None) -> dict:
    """Run ``python -m bench.tasks ARGS`` in a fresh process (with ``env`` added to its environment); its JSON result."""
    done = subprocess.run(
        [sys.executable, "-m", "bench.tasks", *args], capture_output=True, text=True, cwd=ROOT, env={**os.environ, **(env or {})}
    )
    if done.returncode != 0:
        raise RuntimeError(f"bench task {args[0]} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _kg_build(corpus: Path, store: Path, workers: int, *, dedup: bool = False, keep: bool = False) -> dict:
    """``kg build`` in a fresh process (under ``bench.tasks rss``): wall time and peak RSS (the store is removed, unless ``keep``)."""
    shutil.rmtree(store, ignore_errors=True)
    command = [sys.executable, "-c", "from kg.cli import cli; cli()", "build", str(corpus), "--store", str(store), "--workers", str(workers)]
    if not dedup:
        command.append("--no-dedup")
    result = _task("rss", "--", *command)
    if result["returncode"] != 0:
        raise RuntimeError(f"kg build failed:\n{result['stderr']}")
    lines = result["stderr"].splitlines()  # "Built ...", then what the store holds
    built = next(("\n".join(lines[i : i + 2]) for i, line in enumerate(lines) if line.startswith("Built")), "")
    if not keep:
        shutil.rmtree(store, ignore_errors=True)
    return {key: result[key] for key in ("seconds", "max_rss_mb", "main_rss_mb", "worker_rss_mb")} | {"summary": built}


def _machine() -> dict:
    cpu = ""
    try:
        cpu = next(line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    import pyoxigraph
    import rdflib
    import spacy

    import kg

    memory = 0
    try:
        memory = int(next(line.split()[1] for line in open("/proc/meminfo") if line.startswith("MemTotal"))) // 1024
    except (OSError, StopIteration):
        pass
    return {
        "cpus": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(),
        "cpu": cpu,
        "memory_mb": memory,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "kg": kg.__version__,
        "spacy": spacy.__version__,
        "pyoxigraph": pyoxigraph.__version__,
        "rdflib": rdflib.__version__,
    }


def main() -> None:
    only = {s.strip() for s in os.environ.get("BENCH_ONLY", ",".join(SECTIONS)).split(",") if s.strip()}
    articles = _env_int("BENCH_ARTICLES", 1000)
    workers = _env_list("BENCH_WORKERS", "1,2")
    rss_sizes = _env_list("BENCH_RSS_SIZES", "500,2000")
    rss_workers = _env_int("BENCH_RSS_WORKERS", 2)
    triples = _env_int("BENCH_TRIPLES", 1_000_000)
    dedup_articles = _env_int("BENCH_DEDUP_ARTICLES", 100)
    rdflib_timeout = _env_int("BENCH_RDFLIB_TIMEOUT", 120)
    validate_triples = _env_int("BENCH_VALIDATE_TRIPLES", 1_000_000)
    validate_articles = _env_int("BENCH_VALIDATE_ARTICLES", 2000)
    long_chars = _env_list("BENCH_LONG_CHARS", "2000000")
    work = Path(os.environ.get("BENCH_WORK") or tempfile.mkdtemp(prefix="kg-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()

    # One generated sequence: every corpus is a prefix of the largest.
    largest = max([articles, dedup_articles, *rss_sizes, validate_articles])
    full = write_corpus(work / f"corpus-{largest}.jsonl", largest)
    corpora: dict[int, Path] = {}

    def corpus(count: int) -> Path:
        if count not in corpora:
            path = work / f"corpus-{count}-of-{largest}.jsonl"
            with full.open(encoding="utf-8") as source, path.open("w", encoding="utf-8") as out:
                for n, line in enumerate(source):
                    if n == count:
                        break
                    out.write(line)
            corpora[count] = path
        return corpora[count]

    built_for_validate: dict = {}  # a store of BENCH_VALIDATE_ARTICLES articles section 3 built for section 6
    sizes = [len(line.encode("utf-8")) for line in full.open(encoding="utf-8")]
    results: dict = {
        "when": datetime.now(timezone.utc).replace(microsecond=0).isoformat(),
        "machine": _machine(),
        "corpus": {"articles": largest, "mean_jsonl_bytes": round(sum(sizes) / len(sizes))},
        "params": {
            "BENCH_ARTICLES": articles,
            "BENCH_WORKERS": workers,
            "BENCH_RSS_SIZES": rss_sizes,
            "BENCH_RSS_WORKERS": rss_workers,
            "BENCH_TRIPLES": triples,
            "BENCH_DEDUP_ARTICLES": dedup_articles,
            "BENCH_RDFLIB_TIMEOUT": rdflib_timeout,
            "BENCH_VALIDATE_TRIPLES": validate_triples,
            "BENCH_VALIDATE_ARTICLES": validate_articles,
            "BENCH_LONG_CHARS": long_chars,
        },
    }
    print(f"kg benchmarks: {results['machine']['cpus']} CPUs ({results['machine']['cpu']}), scratch {work}", flush=True)

    if "dictionaries" in only:
        print("[0] loading kg's knowledge with and without the CAMEO dictionaries ...", flush=True)
        runs = {mode: _task("dictionaries", mode) for mode in ("with", "without")}
        results["dictionaries"] = {
            **runs,
            "cost_seconds": runs["with"]["seconds"] - runs["without"]["seconds"],
            "cost_mb": runs["with"]["rss_mb"] - runs["without"]["rss_mb"],
        }

    if "throughput" in only:
        print(f"[1] throughput on {articles} articles ...", flush=True)
        # numpy asks for transparent huge pages for arrays of 4 MB and more; where the kernel compacts memory to
        # find them (defrag "madvise"), bare nlp.pipe's large batches stalled for seconds of system time, at random:
        # both sides run without them (NUMPY_MADVISE_HUGEPAGE=0), as the stricter and steadier comparison.
        paired = _task(
            "paired", str(corpus(articles)), str(articles), str(_env_int("BENCH_PAIRED_CHUNK", 50)), env={"NUMPY_MADVISE_HUGEPAGE": "0"}
        )
        sample = min(articles, _env_int("BENCH_PIPE_ARTICLES", 100))  # kg's nlp.pipe alone: a smaller sample will do
        pipe = _task("pipe", str(corpus(sample)), str(sample))
        bare = {"articles": articles, "seconds": paired["bare_seconds"], "cpu_seconds": paired["bare_cpu"], "pipes": paired["pipes"]}
        extract = {
            "articles": paired["extracted_articles"],
            "events": paired["events"],
            "seconds": paired["extract_seconds"],
            "cpu_seconds": paired["extract_cpu"],
        }
        rate = {name: r["articles"] / r["seconds"] for name, r in (("bare", bare), ("pipe", pipe), ("extract", extract))}
        results["throughput"] = {
            "articles": articles,
            "paired_chunk": paired["chunk"],  # timed in turns, this many articles at a time
            "chunk_ratios": paired["chunk_ratios"],
            "bare_nlp_pipe": {**bare, "articles_per_s": rate["bare"]},
            "kg_nlp_pipe": {**pipe, "articles_per_s": rate["pipe"]},
            "kg_extract": {**extract, "articles_per_s": rate["extract"]},
            "extract_vs_bare": rate["extract"] / rate["bare"],
        }

    if "build" in only:
        runs = {}
        for n in workers:
            print(f"[2] kg build of {articles} articles, {n} worker(s) ...", flush=True)
            run = _kg_build(corpus(articles), work / "store-build", n, dedup=True)
            runs[str(n)] = {**run, "articles_per_s": articles / run["seconds"]}
        base = runs[str(workers[0])]["articles_per_s"]
        reference_articles = min(articles, _env_int("BENCH_REFERENCE_ARTICLES", articles))
        reference = {}
        for n in workers:
            print(f"    the machine's reference: {n} process(es) parsing {reference_articles} articles ...", flush=True)
            reference[str(n)] = _task("reference", str(corpus(reference_articles)), str(reference_articles), str(n))
        first = reference[str(workers[0])]["seconds"]
        results["build"] = {
            "articles": articles,
            "dedup": True,
            "runs": runs,
            "ratio_to_first": {k: v["articles_per_s"] / base for k, v in runs.items()},
            "reference": reference,
            "reference_ratio_to_first": {k: first / v["seconds"] for k, v in reference.items()},
        }

    if "memory" in only:
        runs = {}
        for size in rss_sizes:
            print(f"[3] peak RSS of kg build of {size} articles ({rss_workers} workers) ...", flush=True)
            keep = "validate" in only and size == validate_articles  # section 6 validates this store
            run = _kg_build(corpus(size), work / "store-rss", rss_workers, dedup=True, keep=keep)
            runs[str(size)] = {**run, "articles_per_s": size / run["seconds"]}
            if keep:
                shutil.rmtree(work / "store-validate-built", ignore_errors=True)
                (work / "store-rss").rename(work / "store-validate-built")
                built_for_validate = {"articles": size, "workers": rss_workers, "build_seconds": run["seconds"]}
        results["memory"] = {"workers": rss_workers, "dedup": True, "runs": runs}

    if "store" in only:
        print(f"[4] store of {triples:,} triples: load and queries ...", flush=True)
        oxigraph = _task("store", str(triples), str(work / "store-synthetic"))
        print("    the same queries on rdflib ...", flush=True)
        in_rdflib = _task("rdflib", oxigraph["nquads"], str(rdflib_timeout))
        ratios = {}
        for name, other in in_rdflib["query_seconds"].items():  # the queries timed on both
            ratios[name] = (other if other is not None else rdflib_timeout) / oxigraph["query_seconds"][name]
        results["store"] = {"oxigraph": oxigraph, "rdflib": in_rdflib, "rdflib_vs_oxigraph": ratios}
        shutil.rmtree(work / "store-synthetic", ignore_errors=True)

    if "dedup" in only and dedup_articles:
        n = max(workers)
        print(f"[5] kg build of {dedup_articles} articles with the merging of reports ({n} workers) ...", flush=True)
        with_dedup = _kg_build(corpus(dedup_articles), work / "store-dedup", n, dedup=True)
        without = _kg_build(corpus(dedup_articles), work / "store-dedup", n, dedup=False)
        results["dedup"] = {
            "articles": dedup_articles,
            "workers": n,
            "with_dedup": {**with_dedup, "articles_per_s": dedup_articles / with_dedup["seconds"]},
            "without": {**without, "articles_per_s": dedup_articles / without["seconds"]},
        }

    if "validate" in only:
        print(f"[6] kg validate of a store of {validate_triples:,} triples ...", flush=True)
        made = _task("synthetic", str(validate_triples), str(work / "store-validate"))
        results["validate"] = {"triples": made["triples"]} | _task("validate", str(work / "store-validate" / "store"))
        shutil.rmtree(work / "store-validate", ignore_errors=True)
        if validate_articles:
            built = work / "store-validate-built"
            if not built_for_validate:  # section 3 did not build it
                n = max(workers)
                print(f"    kg build of {validate_articles} generated articles ({n} workers, the defaults) ...", flush=True)
                run = _kg_build(corpus(validate_articles), built, n, dedup=True, keep=True)
                built_for_validate = {"articles": validate_articles, "workers": n, "build_seconds": run["seconds"]}
            print(f"    kg validate of the store of {validate_articles} generated articles ...", flush=True)
            results["validate"]["built"] = built_for_validate | _task("merging", str(built)) | _task("validate", str(built))
            shutil.rmtree(built, ignore_errors=True)

    if "long" in only:
        runs = {}
        for chars in long_chars:
            n = max(workers)
            print(f"[7] kg build of one article of {chars:,} characters on one line ({n} workers) ...", flush=True)
            article = write_one_line(work / f"long-{chars}.txt", chars)
            runs[str(chars)] = _kg_build(article, work / "store-long", n, dedup=True)
        results["long"] = {"workers": max(workers), "runs": runs}

    results["seconds"] = time.perf_counter() - started
    out_dir = Path(os.environ.get("BENCH_RESULTS", ROOT / "bench" / "results"))
    out_dir.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(timezone.utc).strftime("%Y%m%d-%H%M%S")
    path = out_dir / f"{stamp}-{results['machine']['cpus']}cpu.json"
    path.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(report(results))
    print(f"results: {path}  ({results['seconds'] / 60:.1f} min)")
    if not os.environ.get("BENCH_WORK"):
        shutil.rmtree(work, ignore_errors=True)


def report(results: dict) -> str:
    """The results as text tables (also used for docs/performance.md)."""
    lines = []
    if "dictionaries" in results:
        d = results["dictionaries"]
        lines += [
            "\n0. Loading kg's knowledge (gazetteer, entity-ruler index, actor codes, verb patterns, discards)",
            f"   {'with the CAMEO dictionaries':<34}{d['with']['seconds']:8.2f} s  {d['with']['rss_mb']:6.0f} MB",
            f"   {'without them':<34}{d['without']['seconds']:8.2f} s  {d['without']['rss_mb']:6.0f} MB",
            f"   {'cost of the dictionaries':<34}{d['cost_seconds']:8.2f} s  {d['cost_mb']:6.0f} MB",
        ]
    if "throughput" in results:
        t = results["throughput"]
        lines += [
            f"\n1. Throughput, {t['articles']} articles, one process",
            f"   {'bare spaCy nlp.pipe':<34}{t['bare_nlp_pipe']['articles_per_s']:8.2f} articles/s",
            f"   {'kg pipeline nlp.pipe':<34}{t['kg_nlp_pipe']['articles_per_s']:8.2f} articles/s  (first {t['kg_nlp_pipe']['articles']})",
            f"   {'kg extract (1 worker)':<34}{t['kg_extract']['articles_per_s']:8.2f} articles/s",
            f"   {'kg extract / bare nlp.pipe':<34}{t['extract_vs_bare']:8.2f}"
            + (f"  (in turns, {t['paired_chunk']} articles at a time; chunks {min(t['chunk_ratios']):.2f}-{max(t['chunk_ratios']):.2f})" if "chunk_ratios" in t else ""),
        ]
    if "build" in results:
        b = results["build"]
        lines.append(f"\n2. kg build, {b['articles']} articles, end to end" + (" (the defaults: merging on)" if b.get("dedup") else " (--no-dedup)"))
        for n, run in b["runs"].items():
            line = f"   {n + ' worker(s)':<34}{run['articles_per_s']:8.2f} articles/s  ({run['seconds']:.0f} s, x{b['ratio_to_first'][n]:.2f}"
            if "reference_ratio_to_first" in b:
                reference = b["reference_ratio_to_first"][n]
                line += f"; the machine's reference x{reference:.2f}, build/reference {b['ratio_to_first'][n] / reference:.2f}"
            lines.append(line + ")")
    if "memory" in results:
        m = results["memory"]
        lines.append(f"\n3. Peak RSS of kg build ({m['workers']} workers): largest process (main, largest worker)")
        for size, run in m["runs"].items():
            lines.append(
                f"   {size + ' articles':<34}{run['max_rss_mb']:8.0f} MB  "
                f"({run['main_rss_mb']:.0f} MB, {run['worker_rss_mb']:.0f} MB; {run['seconds']:.0f} s)"
            )
    if "store" in results:
        s = results["store"]
        ox, rd = s["oxigraph"], s["rdflib"]
        lines += [
            f"\n4. Store of {ox['triples']:,} quads ({ox['nquads_mb']:.0f} MB of N-Quads)",
            f"   {'load: Oxigraph bulk_load':<34}{ox['load_seconds']:8.1f} s",
            f"   {'load: rdflib Dataset.parse':<34}{rd['load_seconds']:8.1f} s",
            f"   {'query':<30}{'Oxigraph':>10}{'CPU':>8}{'peak RSS':>10}{'rdflib':>12}{'ratio':>8}{'rows':>8}",
        ]
        for name, seconds in ox["query_seconds"].items():
            cpu = f"{ox['query_cpu_seconds'][name]:6.2f} s" if "query_cpu_seconds" in ox else ""
            rss = f"{ox['query_rss_mb'][name]:7.0f} MB" if "query_rss_mb" in ox else ""
            if name in rd["query_seconds"]:
                other = rd["query_seconds"][name]
                shown = f"{other:10.2f} s" if other is not None else f">{rd['timeout']:8d} s"
                ratio = ('>' if other is None else '') + f"{s['rdflib_vs_oxigraph'][name]:.0f}x"
            else:
                shown, ratio = "", ""
            lines.append(f"   {name:<30}{seconds:8.2f} s{cpu:>8}{rss:>10}{shown:>12}{ratio:>8}{ox['rows'][name]:>8}")
    if "dedup" in results:
        d = results["dedup"]
        lines += [
            f"\n5. kg build, {d['articles']} articles, {d['workers']} workers: merging reports of one event",
            f"   {'with (the default)':<34}{d['with_dedup']['articles_per_s']:8.2f} articles/s",
            f"   {'without (--no-dedup)':<34}{d['without']['articles_per_s']:8.2f} articles/s",
        ]
    if "validate" in results:
        v = results["validate"]
        lines += [
            f"\n6. kg validate, store of {v['triples']:,} quads" + ("" if v["conforms"] else f" (does not conform: {' '.join(v['stderr'])})"),
            f"   {'wall time':<34}{v['seconds']:8.1f} s" + (f"  (load average {v['load_before']:.1f} before, {v['load_after']:.1f} after)" if "load_before" in v else ""),
        ]
        if "cpu_seconds" in v:
            lines.append(f"   {'CPU time':<34}{v['cpu_seconds']:8.1f} s")
        lines.append(f"   {'peak RSS':<34}{v['max_rss_mb']:8.0f} MB")
        if "built" in v:
            b = v["built"]
            verdict = "conforms" if b["conforms"] else f"does not conform: {' '.join(b['stderr'])}"
            lines += [
                f"   kg build of {b['articles']} generated articles ({b['workers']} workers): {b['build_seconds']:.0f} s, "
                f"{b['merged_events']} merged events, {b['merged_from_several']} of several reports (up to {b['max_sources']})",
                f"   kg validate of that store ({b['quads']:,} quads): {verdict}; {b['seconds']:.1f} s, CPU {b['cpu_seconds']:.1f} s, {b['max_rss_mb']:.0f} MB",
            ]
    if "long" in results:
        lines.append(f"\n7. kg build of one article on one line ({results['long']['workers']} workers): peak RSS (main, largest worker)")
        for chars, run in results["long"]["runs"].items():
            lines.append(
                f"   {int(chars):>11,} characters{'':<12}{run['max_rss_mb']:8.0f} MB  "
                f"({run['main_rss_mb']:.0f} MB, {run['worker_rss_mb']:.0f} MB; {run['seconds']:.0f} s)"
            )
    return "\n".join(lines)


if __name__ == "__main__":
    main()
