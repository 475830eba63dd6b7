"""Running ``kg eval``: extract the inputs, score them, print the result."""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace
from typing import TYPE_CHECKING

from kg.evaluation.gold import Gold, GoldEvent, SentenceGold
from kg.evaluation.scoring import Evaluation, evaluate

if TYPE_CHECKING:
    from rich.console import Console

    from kg.records import Event, Notice, Skipped

__all__ = ["evaluate_inputs", "print_evaluation"]


def evaluate_inputs(
    gold: Gold,
    inputs: Iterable[str],
    *,
    include_all: bool = False,
    min_confidence: float = 0.0,
    model: str | None = None,
    workers: int = 1,
    on_skip: Callable[[Skipped | Notice], None] | None = None,
) -> Evaluation:
    """Extract the events of ``inputs`` (files, folders, JSONL, ``-``: as ``kg extract``) and
    score them against ``gold`` (kg's events of confidence ``min_confidence`` or more); ``unread`` names the gold documents no input held, and
    ``documents`` counts the articles read and those.
    Inputs that cannot be read go to ``on_skip``."""
    from kg import DEFAULT_MODEL
    from kg.run.pipeline import extract as run_extract

    events: list[Event] = []
    read: set[str] = set()
    for extraction in run_extract(inputs, model=model or DEFAULT_MODEL, on_skip=on_skip, workers=workers, min_confidence=min_confidence):
        read.add(extraction.article.id)
        events += extraction.events
    result = evaluate(gold, events, include_all=include_all)
    unread = tuple(doc for doc in gold.documents if doc not in read)
    return replace(result, unread=unread, documents=len(read) + len(unread))


def print_evaluation(evaluation: Evaluation, console: Console | None = None, *, show: int = 0) -> None:
    """Print ``evaluation`` as ``kg eval`` does: a line about what was scored, P, R and F1 per
    view (three places, as the shared scorers), then ``show`` missed and ``show`` spurious events."""
    from rich.console import Console
    from rich.table import Table

    from kg.console import literal

    console = console or Console()
    scope = "all events" if evaluation.include_all else "events stated as fact"
    console.print(
        f"{evaluation.format.capitalize()}-level gold, {scope}: {evaluation.gold_scored} gold events "
        f"(of {evaluation.gold_events}) and {evaluation.system_events} kg events in {evaluation.documents} documents",
        highlight=False,
        markup=False,
        soft_wrap=True,
    )
    table = Table("view", "P", "R", "F1", "tp", "gold", "system")
    for name, score in evaluation.views.items():
        table.add_row(name, f"{score.precision:.3f}", f"{score.recall:.3f}", f"{score.f1:.3f}", str(score.tp), str(score.gold), str(score.system))
    console.print(table)
    if not show:
        return
    view = evaluation.strictest_view
    listings = (
        (f"Missed ({view} view): {len(evaluation.missed)}", [_gold_row(g) for g in evaluation.missed[:show]]),
        (f"Spurious ({view} view): {len(evaluation.spurious)}", [_event_row(e) for e in evaluation.spurious[:show]]),
    )
    for title, rows in listings:
        console.print(title, highlight=False, markup=False)
        if not rows:
            continue
        listing = Table(*("doc", "subject", "type", "object", "sentence")[: max(len(row) for row in rows)])
        for row in rows:
            listing.add_row(*map(literal, row))  # the articles' and the gold's text, never read as markup
        console.print(listing)


def _gold_row(g: GoldEvent) -> list[str]:
    if isinstance(g, SentenceGold):
        return [g.doc, g.source or "-", g.event_type, g.target or "-"]
    names = [f"{a.name} ({a.country})" if a and a.country else (a.name if a else "-") for a in (g.subject, g.object)]
    return [g.doc, names[0], g.event_type, names[1], g.sentence]


def _event_row(e: Event) -> list[str]:
    names = [f"{a.label} ({a.country})" if a and a.country else (a.label if a else "-") for a in (e.subject, e.object)]
    return [e.doc, names[0], e.event_type or "-", names[1], e.sentence]
