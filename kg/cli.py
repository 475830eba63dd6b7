"""The ``kg`` command line: a thin layer over :mod:`kg.run.pipeline`, :mod:`kg.rdf.query` and :mod:`kg.exporters`.

Heavy modules (spaCy, networkx) are imported inside the commands that need
them, so ``kg --help`` and ``kg query`` start fast.
"""
from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, TextIO

import click
from click.shell_completion import CompletionItem

from kg import DEFAULT_MODEL
from kg.errors import Errors, KGError
from kg.rdf.store import DEFAULT_STORE

if TYPE_CHECKING:
    from rich.progress import TaskID

    from kg.rdf.query import QueryResult
    from kg.records import Notice, Skipped

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
    default=DEFAULT_MODEL,
    show_default=True,
    help="Name of an installed spaCy pipeline.",
)


WORKERS_OPTION = click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=None,
    metavar="N",
    help="Processes that parse and extract in parallel (default: all cores). Inputs of a few dozen articles are parsed in this process.",
)


def _workers(workers: int | None) -> int:
    from kg.run.workers import default_workers

    return workers or default_workers()


MIN_CONFIDENCE_OPTION = click.option(
    "--min-confidence",
    type=click.FloatRange(min=0, max=1),
    default=None,
    metavar="P",
    help="Leave out events of confidence under P (default: the calibrated threshold of kg/data/extraction.json, "
    "docs/confidence.md; 0 keeps every event).",
)


def _min_confidence(value: float | None) -> float:
    from kg.extraction.rules import load_rules

    return load_rules().confidence.min_confidence if value is None else value


def _languages(_ctx: click.Context, _param: click.Parameter, value: str) -> tuple[str, ...]:
    from kg.ingest.screen import parse_languages

    try:
        return parse_languages(value)
    except KGError as e:
        raise click.BadParameter(str(e)) from e


LANG_OPTION = click.option(
    "--lang",
    "languages",
    default="en",
    show_default=True,
    metavar="CODE[,CODE]",
    callback=_languages,
    help="Languages the articles are in (ISO 639-1 codes); an article of 200 characters or more in another is skipped "
    "([E078]). Each needs a spaCy pipeline for it: --model (kg's event rules are written for English).",
)


STRICT_OPTION = click.option(
    "--strict",
    is_flag=True,
    help="Exit with status 1 when any input was skipped or read with a warning (the rest is still processed).",
)


def _warn(skipped: Skipped | Notice) -> None:
    click.echo(f"warning: {skipped.message}", err=True)


def _report_problems(skipped: list[Skipped], notices: list[Notice], *, strict: bool, limit: int = 20) -> None:
    """The closing list of skipped inputs and warnings; under ``--strict``, exit 1 if there are any."""
    for heading, items in (("Skipped", skipped), ("Read with a warning", notices)):
        if not items:
            continue
        click.echo(f"{heading} ({len(items)}):", err=True)
        for item in items[:limit]:
            click.echo(f"  {item.message}", err=True)
        if len(items) > limit:
            click.echo(f"  ... and {len(items) - limit} more (listed above)", err=True)
    if strict and (skipped or notices):
        raise click.ClickException(Errors.E081.format(count=len(skipped) + len(notices)))


DELAY_OPTION = click.option(
    "--delay",
    type=click.FloatRange(min=0),
    default=1.0,
    show_default=True,
    metavar="SECONDS",
    help="Fewest seconds between two requests to one host (a longer Crawl-delay of its robots.txt wins).",
)


def _url_list(path: str) -> list[str]:
    """The URLs of a --urls file, one a line; blank lines and # comments are left out."""
    from kg.ingest.web import is_url

    try:
        lines = open(path, encoding="utf-8").read().splitlines()
    except (OSError, UnicodeDecodeError) as e:
        raise KGError(Errors.E174.format(path=path, detail=getattr(e, "strerror", None) or e)) from e
    urls = []
    for number, line in enumerate(lines, 1):
        value = "" if line.lstrip().startswith("#") else line.strip()
        if not value:
            continue
        if not is_url(value):
            raise KGError(Errors.E169.format(path=path, line=number, value=value))
        urls.append(value)
    return urls


class _Commands(click.Group):
    """The ``kg`` group: the one place where a ``KGError`` of any command becomes a
    ``click.ClickException``, printed as its one-line message without a traceback (exit status 1)."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except KGError as e:
            raise click.ClickException(str(e)) from e


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="kg")
def cli() -> None:
    """Build a knowledge graph of geopolitical events from news articles.

    \b
    Example:
      kg build data/ --store kg-store
      kg query relations --format csv
      kg export gexf -o kg.gexf
    """


@cli.command()
@click.argument("inputs", nargs=-1, required=True)
@click.option("--format", "fmt", type=click.Choice(["jsonl", "tsv"]), default="jsonl", show_default=True)
@click.option(
    "-o", "--output", default="-", metavar="FILE",
    help="Output file (default: stdout), written whole or not at all: a new file or over a regular one, in an existing folder.",
)
@click.option(
    "--all", "include_all", is_flag=True,
    help="Write every event: also negated, hypothetical, alleged and purpose ones, and those under --min-confidence, flagged kept=false.",
)
@MIN_CONFIDENCE_OPTION
@MODEL_OPTION
@LANG_OPTION
@WORKERS_OPTION
@STRICT_OPTION
def extract(
    inputs: tuple[str, ...],
    fmt: str,
    output: str,
    include_all: bool,
    min_confidence: float | None,
    model: str,
    languages: tuple[str, ...],
    workers: int | None,
    strict: bool,
) -> None:
    """Extract events from INPUT files, folders, JSONL or - (stdin), one per line.

    By default only events the text states as facts or plans, with a
    confidence of at least --min-confidence, are written: negated ("did not
    attack"), hypothetical ("could attack"), alleged ("accused of
    attacking") and purpose ("rallied to demand") ones, and the less sure,
    need --all, which adds to each event whether it is kept by default
    ("kept").

    \b
    Example:
      kg extract data/articles/ --format jsonl -o events.jsonl
      echo "Russia supplied Belarus with missiles." | kg extract -
      kg extract corpus.jsonl --workers 4 -o events.jsonl
    """
    from kg.ingest import Notice
    from kg.run.pipeline import extract as run_extract

    problems: list[Skipped | Notice] = []

    def warn(item: Skipped | Notice) -> None:
        problems.append(item)
        _warn(item)

    threshold = _min_confidence(min_confidence)
    columns = ["doc", "subject", "subject_country", "predicate", "object", "object_country", "event_type", "theme", "date", "sentence"]
    with _text_output(output) as out:  # a refused -o stops the run before any parsing
        if fmt == "tsv":
            out.write("\t".join(columns + ["kept"] * include_all) + "\n")
        extractions = run_extract(
            inputs, model=model, on_skip=warn, workers=_workers(workers), min_confidence=0 if include_all else threshold, languages=languages
        )
        for extraction in extractions:
            for event in extraction.events:
                kept = event.is_factual and event.confidence >= threshold
                if not include_all and not kept:
                    continue
                record = event.to_json()
                if include_all:
                    record["kept"] = kept
                if fmt == "jsonl":
                    out.write(json.dumps(record, ensure_ascii=False) + "\n")
                else:
                    out.write("\t".join(_tsv_cells(record)) + "\n")
    notices = [p for p in problems if isinstance(p, Notice)]
    _report_problems([p for p in problems if not isinstance(p, Notice)], notices, strict=strict)


@contextmanager
def _text_output(path: str) -> Iterator[TextIO]:
    """Standard output for ``-``; else the file ``path``, written safely (:mod:`kg.exporters.output`)."""
    if path == "-":
        yield sys.stdout
        return
    from kg.exporters.output import output_text

    with output_text(path) as out:
        yield out


# What ends a line or a cell of TSV, for some reader: str.splitlines' line breaks and the tab.
_TSV_BREAKS = re.compile("[\t\n\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")


def _tsv_cells(record: dict) -> list[str]:
    subject, obj = record["subject"] or {}, record["object"] or {}
    kept = [str(record["kept"]).lower()] if "kept" in record else []
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
    return ["" if c is None else _TSV_BREAKS.sub(" ", str(c)) for c in cells] + kept


@cli.command("eval")
@click.argument("gold", type=click.Path(dir_okay=False))
@click.argument("inputs", nargs=-1, required=True)
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.option(
    "--show", type=click.IntRange(min=0), default=None, metavar="N",
    help="List N missed and N spurious events (default: none in the table, all in JSON).",
)
@click.option("--all", "include_all", is_flag=True, help="Score every event: gold coded as not factual, and kg's events kg extract writes only with --all.")
@MIN_CONFIDENCE_OPTION
@MODEL_OPTION
@WORKERS_OPTION
def evaluate(
    gold: str,
    inputs: tuple[str, ...],
    fmt: str,
    show: int | None,
    include_all: bool,
    min_confidence: float | None,
    model: str,
    workers: int | None,
) -> None:
    """Score kg's events in INPUT (as kg extract reads it) against the gold events in GOLD.

    GOLD is JSON lines, sentence-level ({"doc", "source", "target",
    "event_type"}, countries as ISO3 codes: views pair, typed, source,
    target) or article-level ({"doc", "sentence", "trigger", "subject",
    "object", "event_type", "factual"}: views event, subject, object,
    actors, full), told apart by the records. Prints precision, recall and
    F1 per view; only what the text states as fact, at or above
    --min-confidence, is scored unless --all (as kg extract writes).

    \b
    Example:
      kg eval gold.jsonl docs.jsonl
      kg eval gold.jsonl docs.jsonl --show 10
      kg eval gold.jsonl articles/ --format json > scores.json
    """
    from kg.evaluation import evaluate_inputs, print_evaluation, read_gold

    gold_set = read_gold(gold)  # a bad gold file stops the run before any parsing
    threshold = _min_confidence(min_confidence) if min_confidence is not None or not include_all else 0.0
    result = evaluate_inputs(
        gold_set,
        inputs,
        include_all=include_all,
        min_confidence=threshold,
        model=model,
        workers=_workers(workers),
        on_skip=_warn,
    )
    if result.unread:
        docs = ", ".join(result.unread[:5]) + (", ..." if len(result.unread) > 5 else "")
        click.echo(f"warning: {Errors.E117.format(path=gold, count=len(result.unread), docs=docs)}", err=True)
    if fmt == "json":
        click.echo(json.dumps(result.to_json(show=show), ensure_ascii=False, indent=2))
    else:
        from rich.console import Console

        print_evaluation(result, Console(width=None if sys.stdout.isatty() else 200), show=show or 0)


@cli.command()
@click.argument("inputs", nargs=-1)
@click.option(
    "--urls", "urls_file", type=click.Path(dir_okay=False), default=None, metavar="FILE",
    help="Also read the web pages whose URLs FILE lists, one a line (# starts a comment).",
)
@DELAY_OPTION
@STORE_OPTION
@MODEL_OPTION
@LANG_OPTION
@STRICT_OPTION
@click.option(
    "--dedup-window", type=click.IntRange(min=0), default=None, metavar="DAYS",
    help="Reports of one event may be this many days apart (default 1, kg/data/dedup.json).",
)
@click.option("--no-dedup", is_flag=True, help="Do not merge reports of the same event: one event per report.")
@MIN_CONFIDENCE_OPTION
@WORKERS_OPTION
@click.option("--force", is_flag=True, help="Parse every article again, even those stored from the same input and extractor.")
@click.option(
    "--dask",
    "dask_address",
    default=None,
    metavar="ADDRESS",
    help="Parse on a Dask cluster: a scheduler address (tcp://host:8786), or 'local' for a cluster of --workers processes here.",
)
@click.option(
    "--shards",
    "shards_dir",
    default=None,
    type=click.Path(file_okay=False),
    help="With --dask: folder for the N-Quads shards (part-00000.nq, ...), shared by the workers and this machine "
    "[default: STORE/shards, inside the store].",
)
def build(
    inputs: tuple[str, ...],
    urls_file: str | None,
    delay: float,
    store_dir: str,
    model: str,
    languages: tuple[str, ...],
    strict: bool,
    dedup_window: int | None,
    no_dedup: bool,
    min_confidence: float | None,
    workers: int | None,
    force: bool,
    dask_address: str | None,
    shards_dir: str | None,
) -> None:
    """Ingest INPUT articles (files, folders, JSONL, - for stdin, or http(s) URLs of web pages),
    extract their events and write them to the store.

    Each article is one named graph: building an article again replaces it.
    Each article is committed on its own: if the build is stopped, run it
    again to complete the rest. Reports of the same real-world event, in one
    article or many, are merged into one event (docs/dedup.md). Events of
    confidence under --min-confidence are left out. Articles not in --lang
    (default English), pages of template code and pages too short to be an
    article are skipped, each with a coded line. A web page is fetched
    politely (its site's robots.txt, --delay between two requests to a host)
    and read as an .html file is; its article id is its canonical URL.

    \b
    Example:
      kg build data/ --store kg-store
      kg build https://example.com/news/2025/03/04/story.html
      kg build --urls urls.txt
      kg build data/ --store kg-store --dedup-window 2
      kg build corpus/ --workers 4
      kg build corpus/ --dask tcp://scheduler:8786 --shards /shared/shards
    """
    from rich.console import Console
    from rich.markup import escape
    from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    from kg.ingest.web import Fetcher, FetchSettings, fetching, is_url
    from kg.rdf.merge import MergeRules
    from kg.rdf.store import open_store
    from kg.run.pipeline import build as run_build, check_languages

    inputs = (*inputs, *(_url_list(urls_file) if urls_file else ()))
    if not inputs:
        raise click.UsageError("Give at least one INPUT, or --urls FILE.")
    urls = [item for item in inputs if is_url(item)]
    if dask_address and urls:
        raise KGError(Errors.E171.format(url=urls[0]))
    check_languages(model, languages)  # E010, E086 before the store is made
    console = Console(stderr=True)
    stored = 0

    def advance(task: TaskID) -> None:
        nonlocal stored
        stored += 1
        progress.advance(task)

    try:
        merge = MergeRules.load().with_options(enabled=not no_dedup, window_days=dedup_window)
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

            def warn(skipped: Skipped | Notice) -> None:
                progress.console.print(f"[yellow]warning:[/] {escape(skipped.message)}", markup=True, highlight=False, soft_wrap=True)

            if dask_address:
                from kg.run.distributed import build_on_dask, default_shards

                summary = build_on_dask(
                    inputs, store, merge=merge, scheduler=dask_address, shards=shards_dir or default_shards(store_dir),
                    model=model, on_skip=warn,
                    on_article=lambda _: advance(task), on_unchanged=lambda _: advance(task),
                    workers=_workers(workers), force=force, min_confidence=min_confidence, languages=languages,
                )
            else:
                with fetching(Fetcher(FetchSettings(delay=delay), trusted=urls)):
                    summary = run_build(
                        inputs, store, merge=merge, model=model, on_skip=warn,
                        on_article=lambda _: advance(task), on_unchanged=lambda _: advance(task),
                        workers=_workers(workers), force=force, min_confidence=min_confidence, languages=languages,
                    )
    except KeyboardInterrupt:
        console.print(Errors.E082.format(articles=stored), highlight=False, markup=False, soft_wrap=True)
        sys.exit(130)
    console.print(summary.describe(store_dir), highlight=False, markup=False, soft_wrap=True)
    _report_problems(summary.skipped, summary.notices, strict=strict)


def _duration(_ctx: click.Context, _param: click.Parameter, value: str) -> float:
    from kg.run.watch import parse_duration

    try:
        return parse_duration(value)
    except KGError as e:
        raise click.BadParameter(str(e)) from e


@cli.command()
@click.argument("sources", nargs=-1, required=True, metavar="SOURCE...")
@click.option(
    "--every", default="15m", show_default=True, metavar="DURATION", callback=_duration,
    help="Time from the end of a round to the start of the next: 90s, 15m, 1h, 1h30m.",
)
@click.option("--once", is_flag=True, help="Run one round and exit (for cron or a systemd timer).")
@STORE_OPTION
@MODEL_OPTION
@LANG_OPTION
@DELAY_OPTION
@click.option(
    "--max-pages", type=click.IntRange(min=1), default=100, show_default=True, metavar="N",
    help="Most pages fetched in a round; the others wait for the next round.",
)
@click.option(
    "--timeout", type=click.IntRange(min=1), default=20, show_default=True, metavar="SECONDS",
    help="Seconds a response may take (a timed-out request is tried twice more).",
)
@click.option(
    "--dedup-window", type=click.IntRange(min=0), default=None, metavar="DAYS",
    help="Reports of one event may be this many days apart (default 1, kg/data/dedup.json); as the store was built.",
)
@click.option("--no-dedup", is_flag=True, help="Do not merge reports of the same event: one event per report.")
@MIN_CONFIDENCE_OPTION
def watch(
    sources: tuple[str, ...],
    every: float,
    once: bool,
    store_dir: str,
    model: str,
    languages: tuple[str, ...],
    delay: float,
    max_pages: int,
    timeout: int,
    dedup_window: int | None,
    no_dedup: bool,
    min_confidence: float | None,
) -> None:
    """Follow feeds, sitemaps and sites: build what is new into the store, round after round.

    Each SOURCE is an RSS or Atom feed, a sitemap (or sitemap index), or a
    site's home page (the feeds it links to are followed). A round asks each
    source for what it lists (conditional requests: an unchanged feed costs
    one short answer), fetches the pages not seen before (at most
    --max-pages), builds their articles into the store as kg build does,
    merging their events with those already there, and prints one summary
    line. Pages are fetched politely: robots.txt, --delay between two
    requests to a host, --timeout and a size limit on every response. A
    failure is one coded line naming the URL; the URL is tried again after a
    back-off that doubles with each failure. The fetch cache is
    STORE/fetch/cache.sqlite. SIGINT or SIGTERM stops after the article in
    hand; the next run resumes. docs/watch.md: cron, systemd.

    \b
    Example:
      kg watch https://example.com/rss.xml --every 15m
      kg watch https://example.com/ https://example.org/sitemap.xml --once
    """
    from kg.ingest.web import FetchSettings, is_url
    from kg.rdf.merge import MergeRules
    from kg.run.pipeline import check_languages
    from kg.run.watch import BuildOptions, watch as run_watch

    for source in sources:
        if not is_url(source):
            raise click.BadParameter(f"{source!r} is not an http(s) URL", param_hint="SOURCE")
    check_languages(model, languages)  # E010, E086 before the first round
    options = BuildOptions(
        model=model,
        languages=languages,
        merge=MergeRules.load().with_options(enabled=not no_dedup, window_days=dedup_window),
        min_confidence=min_confidence,
    )
    run_watch(
        sources,
        store_dir,
        every=every,
        once=once,
        settings=FetchSettings(delay=delay, timeout=timeout, max_pages=max_pages),
        options=options,
        report=_warn,
        on_round=lambda summary: click.echo(summary.describe(store_dir)),
        on_stop=lambda line: click.echo(line, err=True),
    )


@cli.command()
@click.argument("query")
@STORE_OPTION
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True)
@click.option(
    "--param",
    "params",
    multiple=True,
    metavar="NAME=VALUE",
    help="Bind the query variable ?NAME to the literal VALUE (repeatable); never pasted into the query text.",
)
@click.option("--limit", type=click.IntRange(min=0), default=None, metavar="N", help="At most N rows (SPARQL LIMIT).")
@click.option(
    "--offset", type=click.IntRange(min=0), default=None, metavar="K", help="Skip the first K rows (SPARQL OFFSET)."
)
def query(query: str, store_dir: str, fmt: str, params: tuple[str, ...], limit: int | None, offset: int | None) -> None:
    """Run QUERY: SPARQL text, a .rq file, or a saved query (actors, relations,
    events-between, timeline, supplies, provenance, material-conflict, dyads,
    sources).

    Saved queries take parameters with --param; see docs/ontology.md.
    --limit and --offset page the rows (appended to the query as LIMIT and
    OFFSET); CSV and JSON are written row by row as the store answers.

    \b
    Example:
      kg query relations --format csv
      kg query events-between --param a=Russia --param b=UKR --param since=2024-01-01
      kg query provenance --param by=Germany --param property=aids
      kg query dyads --param by=RUS --param type=ASSAULT
      kg query provenance --format csv --limit 100 --offset 200   # rows 201 to 300
      kg query 'SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }'
    """
    from kg.rdf.query import QueryResult, parse_parameters, stream_query, write_csv, write_json
    from kg.rdf.store import open_store

    try:
        substitutions = parse_parameters(params)
    except KGError as e:  # a usage error, as click's own (exit status 2)
        raise click.BadParameter(str(e), param_hint="'--param'") from e
    result = stream_query(
        open_store(store_dir, read_only=True), query, substitutions=substitutions, limit=limit, offset=offset
    )
    out = sys.stdout
    try:
        if fmt == "csv":
            write_csv(result.columns, result.rows, out)
        elif fmt == "json":
            write_json(result.columns, result.rows, out)
            out.write("\n")
        else:  # a table is laid out once every row is in
            _print_table(QueryResult(result.columns, list(result.rows)))
        out.flush()
    except BrokenPipeError:  # `kg query ... | head`: the reader has what it wanted
        os.dup2(os.open(os.devnull, os.O_WRONLY), out.fileno())  # so that the exit's flush does not fail again
        sys.exit(0)


def _print_table(result: QueryResult) -> None:
    from rich.console import Console
    from rich.table import Table

    from kg.console import literal

    table = Table(*result.columns, show_lines=False)
    for row in result.rows:
        table.add_row(*map(literal, row))  # article text is data: "[/bold]" or ESC in it is printed, not obeyed
    console = Console(width=None if sys.stdout.isatty() else 200)
    console.print(table)
    console.print(f"{len(result.rows)} rows", style="dim")


class _ExportFormat(click.ParamType):
    """The name of a registered export format (:func:`kg.exporters.exporter_names`), as a ``click.Choice``
    of them would take it; the names are listed only when a value is checked, since listing them
    loads the exporters of other packages (entry points), which ``import kg.cli`` must not."""

    name = "choice"

    def _choice(self) -> click.Choice[str]:
        from kg.exporters import exporter_names

        return click.Choice(exporter_names())

    def convert(self, value: object, param: click.Parameter | None, ctx: click.Context | None) -> str:
        return self._choice().convert(value, param, ctx)

    def get_missing_message(self, param: click.Parameter, ctx: click.Context | None) -> str:
        return self._choice().get_missing_message(param, ctx)

    def shell_complete(self, ctx: click.Context, param: click.Parameter, incomplete: str) -> list[CompletionItem]:
        return self._choice().shell_complete(ctx, param, incomplete)


class _ExportCommand(click.Command):
    """``kg export``, whose help lists every registered format with its description."""

    def format_help_text(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        from kg.exporters import exporter_names, get_exporter

        super().format_help_text(ctx, formatter)
        with formatter.section("Formats"):
            formatter.write_dl([(name, get_exporter(name).description) for name in exporter_names()])


@cli.command(cls=_ExportCommand)
@click.argument("fmt", metavar="FORMAT", type=_ExportFormat())
@STORE_OPTION
@click.option(
    "-o", "--output", default=None, metavar="PATH",
    help="Output file (default: stdout); for csv, a folder. Written whole or not at all: a new file or over a regular "
    "one, in an existing folder.",
)
def export(fmt: str, store_dir: str, output: str | None) -> None:
    """Export the graph as RDF (ttl, trig, nq, jsonld) or for Gephi (gexf, graphml, csv).

    Other installed packages may add formats (entry points kg.exporters);
    every FORMAT is listed below.

    \b
    Example:
      kg export gexf -o kg.gexf
      kg export trig > kg.trig
    """
    from kg.exporters import export as run_export
    from kg.rdf.store import open_store

    store = open_store(store_dir, read_only=True)
    target = output if output is not None else sys.stdout.buffer
    run_export(store, fmt, target)
    if output is not None:
        click.echo(f"Wrote {fmt} to {output}", err=True)


@cli.command()
@STORE_OPTION
@click.option(
    "--inference",
    type=click.Choice(["none", "rdfs", "owlrl", "both"]),
    default="none",
    show_default=True,
    help="Inference to run before validating (none is enough for the kg shapes); any other validates with pyshacl.",
)
@click.option(
    "--engine",
    type=click.Choice(["sparql", "pyshacl"]),
    default=None,
    help="sparql: the shapes compiled into queries Oxigraph runs on the store (fast; the default); pyshacl: a few "
    "graphs at a time (slow; the default with --inference, which only pyshacl runs).",
)
def validate(store_dir: str, inference: str, engine: str | None) -> None:
    """Check the store against the SHACL shapes of the kg ontology.

    Runs the shapes of ontology/shapes.ttl, compiled into SPARQL queries, on
    the store itself (the results pyshacl gives on the union of the store's
    graphs, in Oxigraph's memory and time), with a progress bar on stderr.
    Prints one line per result (severity, focus node, property, message,
    graph) and exits 1 when any is a violation; otherwise prints one line
    saying the store conforms. With --inference, pyshacl validates a few
    graphs at a time instead, much slower.

    \b
    Example:
      kg validate --store kg-store
      kg validate --store kg-store --engine pyshacl   # the reference implementation
    """
    from rich.console import Console
    from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    from kg.rdf.store import open_store
    from kg.rdf.validate import format_result, validate_store

    store = open_store(store_dir, read_only=True)
    console = Console(stderr=True)
    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total} steps"),
        TimeElapsedColumn(),
        console=console,
        transient=True,
        disable=not console.is_terminal,  # a bar only where someone watches
    ) as progress:
        task = progress.add_task("Validating", total=None)
        report = validate_store(
            store,
            engine=engine,
            inference=inference,
            on_progress=lambda done, total: progress.update(task, completed=done, total=total),
        )
    for result in report.results:
        click.echo(format_result(result))
    if not report.conforms:
        focus = len({r.focus for r in report.violations})
        click.echo(f"{len(report.violations)} violations on {focus} nodes in {store_dir} ({report.triples} triples)", err=True)
        sys.exit(1)
    warnings = len(report.results)
    click.echo(f"{store_dir} conforms to the kg shapes ({report.triples} triples" + (f", {warnings} warnings)" if warnings else ")"))


def _result_size(_ctx: click.Context, _param: click.Parameter, value: str) -> int:
    from kg.serve import parse_size

    try:
        return parse_size(value)
    except ValueError as e:
        raise click.BadParameter(str(e)) from e


@cli.command()
@STORE_OPTION
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on; 0.0.0.0 lets other machines query the store.")
@click.option("--port", default=7878, show_default=True, type=click.IntRange(1, 65535))
@click.option("--timeout", "timeout_s", default=30, show_default=True, type=click.IntRange(min=0), help="Stop a query after this many seconds (HTTP 504; 0: never).")
@click.option(
    "--max-result-size",
    default="50MB",
    show_default=True,
    callback=_result_size,
    metavar="SIZE",
    help="Refuse a query result larger than this (HTTP 507) rather than send it: bytes, or with KB, MB, GB (KiB, MiB, GiB); 0: no limit.",
)
@click.option("--cors/--no-cors", default=True, show_default=True, help="Let web pages on other origins query the endpoint.")
@click.option(
    "--allow-service",
    is_flag=True,
    help="Let queries call other endpoints with SERVICE: the server then sends requests wherever a query says, for any web page (docs/serve.md).",
)
def serve(store_dir: str, host: str, port: int, timeout_s: int, max_result_size: int, cors: bool, allow_service: bool) -> None:
    """Serve the store as a read-only SPARQL 1.1 endpoint, with a query page.

    Queries see the union of all article graphs, as with kg query; results
    come as JSON, XML, CSV or TSV by the Accept header. Updates are refused.
    A result over --max-result-size is refused whole, never cut short; a
    query past --timeout is stopped (HTTP 504); SERVICE is refused (403).
    The endpoint keeps the view of the store it opened: after kg build,
    send SIGHUP (kill -HUP PID) to reopen it. Ctrl-C stops it.

    \b
    Example:
      kg serve --store kg-store --port 7878 --max-result-size 10MB
      curl -H 'Accept: text/csv' --data-urlencode 'query=SELECT * WHERE { ?s ?p ?o } LIMIT 3' http://127.0.0.1:7878/query
    """
    from kg.serve import serve as run_serve

    run_serve(
        store_dir,
        host,
        port,
        timeout_s=timeout_s,
        max_result_size=max_result_size,
        cors=cors,
        allow_service=allow_service,
        on_message=lambda line: click.echo(line, err=True),
    )


@cli.command()
@STORE_OPTION
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.option("--top", type=click.IntRange(min=1), default=10, show_default=True, help="How many actors and dyads to list.")
def stats(store_dir: str, fmt: str, top: int) -> None:
    """Summarise the graph: counts per type, central actors, strongest dyads.

    Actors are ranked by degree (events as subject or object), with their
    weighted PageRank and betweenness; dyads are the actor pairs with most
    events, with their mix of event types. Articles fetched from the web
    (kg build URL, kg watch) are counted per feed, with the last fetch, and
    the last round of kg watch is given.

    \b
    Example:
      kg stats --top 5
      kg stats --format json > stats.json
    """
    from kg.analysis import print_summary, summary
    from kg.ingest.fetch_cache import FetchCache
    from kg.rdf.store import open_store, store_path

    result = summary(open_store(store_dir, read_only=True), top=top)
    cache = FetchCache.existing(store_path(store_dir))  # a store kg watch wrote to
    last_round = cache.last_round() if cache is not None else None
    if cache is not None:
        cache.close()
    if last_round is not None:
        result["last_round"] = last_round.to_json()
    if fmt == "json":
        click.echo(json.dumps(result, ensure_ascii=False, indent=2))
    else:
        from rich.console import Console

        print_summary(result, Console(width=None if sys.stdout.isatty() else 200))
        if last_round is not None:
            r = result["last_round"]
            click.echo(
                f"Last kg watch round: {r['started']} to {r['ended']} (UTC): {r['sources']} sources checked, "
                f"new articles {r['articles']}, skipped {r['skipped']}, errors {r['errors']}"
            )


