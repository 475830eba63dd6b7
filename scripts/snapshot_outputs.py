"""Write every user-visible output of the installed ``kg`` into a folder, to compare two versions.

Used to check that a change of kg's code leaves its outputs as they were:

    .venv/bin/python scripts/snapshot_outputs.py /tmp/before [MORE.jsonl ...]
    # ... change kg ...
    .venv/bin/python scripts/snapshot_outputs.py /tmp/after [MORE.jsonl ...]
    diff -r /tmp/before /tmp/after && echo identical

It runs the ``kg`` command next to this Python (never kg's internals, which
change) on the sample corpus in ``data/`` and on each extra JSONL input:
``kg extract`` (JSONL, JSONL ``--all``, TSV), ``kg build`` into a fresh store,
then ``kg export`` in every format, every saved query and ``kg stats``.
Two things differ between any two builds and are masked: the time an article
graph was made (``prov:endedAtTime``) and the build's input keys
(``urn:x-kg:input-key``), which hash kg's version and data files.
"""
from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
KG = Path(sys.executable).parent / "kg"
SAMPLE = [str(ROOT / "data" / "articles"), str(ROOT / "data" / "wire.jsonl")]
EXPORTS = ("ttl", "trig", "nq", "jsonld", "gexf", "graphml")
QUERIES = ("actors", "relations", "events-between", "timeline", "supplies", "provenance", "material-conflict", "dyads")
# provenance without parameters exhausts memory on stores of a few hundred articles (issue 18): the sample only.
SAMPLE_ONLY_QUERIES = {"provenance"}
_TIME = re.compile(r'"\d{4}-\d\d-\d\dT[0-9:.]+(?:Z|[+-]\d\d:\d\d)?"(\^\^<http://www.w3.org/2001/XMLSchema#dateTime>)')
_INPUT_KEY = re.compile(r'(<urn:x-kg:input-key> |"urn:x-kg:input-key":\[\{"@value":)"[^"]*"')
_TIME_CELL = re.compile(r"\b\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)?")


def run(*args: str, cwd: Path) -> str:
    done = subprocess.run([str(KG), *args], cwd=cwd, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"kg {' '.join(args)} failed ({done.returncode}):\n{done.stderr}")
    return done.stdout


def masked(text: str) -> str:
    text = _TIME.sub(r'"TIME"\1', text)
    text = _INPUT_KEY.sub(r'\1"INPUT-KEY"', text)
    return _TIME_CELL.sub("TIME", text)


def snapshot(name: str, inputs: list[str], out: Path, *, build: bool) -> None:
    folder = out / name
    folder.mkdir(parents=True)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        (folder / "extract.jsonl").write_text(run("extract", "--format", "jsonl", *inputs, cwd=work))
        (folder / "extract-all.jsonl").write_text(run("extract", "--all", "--format", "jsonl", *inputs, cwd=work))
        (folder / "extract.tsv").write_text(run("extract", "--format", "tsv", *inputs, cwd=work))
        if not build:
            return
        store = str(work / "store")
        run("build", *inputs, "--store", store, "--workers", "1", cwd=work)
        for fmt in EXPORTS:
            (folder / f"export.{fmt}").write_text(masked(run("export", fmt, "--store", store, cwd=work)))
        run("export", "csv", "--store", store, "-o", str(work / "csv"), cwd=work)
        for table in sorted((work / "csv").iterdir()):
            shutil.copy(table, folder / f"export-csv-{table.name}")
        for query in QUERIES if name == "sample" else [q for q in QUERIES if q not in SAMPLE_ONLY_QUERIES]:
            (folder / f"query-{query}.csv").write_text(masked(run("query", query, "--store", store, "--format", "csv", cwd=work)))
        (folder / "stats.json").write_text(run("stats", "--store", store, "--format", "json", cwd=work))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="folder to create (must not exist)")
    parser.add_argument("inputs", nargs="*", help="more JSONL inputs, each snapshotted on its own")
    parser.add_argument("--no-build", action="store_true", help="for the extra inputs, kg extract only")
    args = parser.parse_args()
    if args.out.exists():
        raise SystemExit(f"{args.out} exists; give a new folder")
    snapshot("sample", SAMPLE, args.out, build=True)
    for path in args.inputs:
        snapshot(Path(path).name.removesuffix(".jsonl"), [str(Path(path).resolve())], args.out, build=not args.no_build)
    print(f"snapshot written to {args.out}")


if __name__ == "__main__":
    main()
