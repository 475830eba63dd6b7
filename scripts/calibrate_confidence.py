"""Fit the confidence weights of kg/data/extraction.json on hand-coded articles, and report
how well they are calibrated on held-out articles.

    .venv/bin/python scripts/calibrate_confidence.py ../shared/eval/articles/dev.docs.jsonl \\
        ../shared/eval/articles/dev.gold.jsonl [--write] [--folds 5]

An event's confidence is ``base`` times the weight of each of its features
(kg.extraction.events.features: how its parts were found, a missing or pronoun
argument, no type, its modality), read as the chance that it is right: that a
coder would give the same subject, object and type in that sentence (the
"full" view of kg eval, every event and every gold event, stated as fact or not).
The weights are fitted by maximum likelihood (a log-linear model, L-BFGS, a
small pull of every weight towards 1 so that a feature seen in few events
moves little). Calibration is checked by cross-validation over articles: the
weights are fitted without an article's events, then its events are scored,
and the held-out predictions are binned against how often they were right.

The default ``--min-confidence`` of kg (``min_confidence`` in extraction.json)
is, among the thresholds whose held-out precision on the events stated as fact
reaches the target (0.5), the one of the best held-out F1.
``--write`` writes the fitted weights and the threshold into
kg/data/extraction.json and the tables into docs/confidence.md. The articles
are read from the paths given: the package never reads them.
"""
from __future__ import annotations

import argparse
import json
import math
import random
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy.optimize import minimize

import kg
from kg.evaluation import ArticleGold, read_gold, same_actor, same_sentence
from kg.extraction.events import features, find_events
from kg.extraction.output import event_records
from kg.extraction.parse import parse_articles
from kg.extraction.rules import EVIDENCE, WEIGHED_MODALITIES
from kg.records import Event

ROOT = Path(__file__).resolve().parent.parent
RULES = ROOT / "kg" / "data" / "extraction.json"
DOC = ROOT / "docs" / "confidence.md"
FEATURES = (*EVIDENCE, *WEIGHED_MODALITIES)
PULLS = (0.25, 0.5, 1.0, 2.0, 4.0, 8.0)  # L2 pulls of each log-weight towards 0 (a weight of 1) to choose from
TARGET_PRECISION = 0.5
BINS = (0.0, 0.2, 0.4, 0.6, 0.8, 1.0)


@dataclass(frozen=True)
class Sample:
    doc: str
    features: frozenset[str]
    right: bool
    factual: bool  # kg extract and kg build write only these by default


def samples(docs: Path, gold_path: Path) -> list[Sample]:
    """Every event kg finds in the articles, its features, and whether the gold has it."""
    gold = read_gold(str(gold_path))
    by_doc: dict[str, list[ArticleGold]] = {}
    for g in gold.events:
        assert isinstance(g, ArticleGold), "article-level gold is needed"
        by_doc.setdefault(g.doc, []).append(g)
    nlp = kg.load()
    out = []
    for doc in parse_articles(kg.read(docs), nlp):
        doc = nlp.get_pipe("kg_actors")(doc)
        found = find_events(doc, doc._.actors)
        records = event_records(doc, found)
        right = _matched(by_doc.get(doc._.article.id, []), records)
        for i, (frame, subject, obj) in enumerate(found):
            out.append(Sample(doc._.article.id, frozenset(features(frame, subject, obj)), i in right, records[i].is_factual))
    return out


def _matched(gold: Sequence[ArticleGold], events: Sequence[Event]) -> set[int]:
    """The events a gold event takes, one each, in order (the full view of kg eval)."""
    used: set[int] = set()
    for g in gold:
        for i, e in enumerate(events):
            if i not in used and same_sentence(g.sentence, e.sentence) and g.event_type == e.event_type \
                    and same_actor(g.subject, e.subject) and same_actor(g.object, e.object):
                used.add(i)
                break
    return used


def fit(data: Sequence[Sample], pull: float) -> tuple[float, dict[str, float]]:
    """``base`` and the weight of each feature, by maximum likelihood with a pull towards 1;
    every weight is at most 1 (a feature is a weaker reading)."""
    names = list(FEATURES)
    x = np.array([[f in s.features for f in names] for s in data], dtype=float)
    y = np.array([s.right for s in data], dtype=float)

    def loss(theta: np.ndarray) -> float:
        p = np.clip(np.exp(theta[0] + x @ theta[1:]), 1e-4, 1 - 1e-4)
        return float(-(y * np.log(p) + (1 - y) * np.log(1 - p)).sum() + pull * (theta[1:] ** 2).sum())

    start = np.concatenate([[math.log(max(y.mean(), 0.05))], np.zeros(len(names))])
    bounds = [(math.log(0.05), 0.0)] + [(math.log(0.05), 0.0)] * len(names)
    theta = minimize(loss, start, method="L-BFGS-B", bounds=bounds).x
    return math.exp(theta[0]), {name: math.exp(t) for name, t in zip(names, theta[1:])}


def predict(base: float, weights: dict[str, float], sample: Sample) -> float:
    return min(0.99, base * math.prod(weights[f] for f in sample.features if f in weights))


def cross_validated(data: Sequence[Sample], folds: int, pull: float, seed: int = 7) -> list[tuple[float, Sample]]:
    """(held-out prediction, event) of every event, the weights fitted without its article."""
    docs = sorted({s.doc for s in data})
    random.Random(seed).shuffle(docs)
    out = []
    for k in range(folds):
        held = set(docs[k::folds])
        base, weights = fit([s for s in data if s.doc not in held], pull)
        out += [(predict(base, weights, s), s) for s in data if s.doc in held]
    return out


def log_loss(pairs: Sequence[tuple[float, bool]]) -> float:
    """Mean held-out log-loss: how well the scores predict right and wrong (lower is better)."""
    return -sum(math.log(p if right else 1 - p) for p, right in ((min(max(p, 1e-4), 1 - 1e-4), r) for p, r in pairs)) / len(pairs)


def chosen_pull(data: Sequence[Sample], folds: int) -> tuple[float, list[str]]:
    """The pull with the lowest held-out log-loss, and the table of them all."""
    rows = ["| pull | held-out log-loss |", "|---|---|"]
    losses = {}
    for pull in PULLS:
        losses[pull] = log_loss([(p, s.right) for p, s in cross_validated(data, folds, pull)])
        rows.append(f"| {pull:g} | {losses[pull]:.4f} |")
    return min(losses, key=lambda pull: (losses[pull], pull)), rows


def reliability(pairs: Sequence[tuple[float, bool]]) -> list[str]:
    rows = ["| confidence | events | mean confidence | right |", "|---|---|---|---|"]
    for low, high in zip(BINS, BINS[1:]):
        inside = [(p, r) for p, r in pairs if low <= p < high or (high == 1.0 and p == 1.0)]
        if inside:
            mean = sum(p for p, _ in inside) / len(inside)
            right = sum(r for _, r in inside) / len(inside)
            rows.append(f"| {low:.1f}-{high:.1f} | {len(inside)} | {mean:.2f} | {right:.2f} |")
    return rows


def thresholds(pairs: Sequence[tuple[float, bool]], gold_events: int) -> tuple[list[str], float]:
    """The held-out table by threshold, and the threshold of the best F1 among those whose
    precision reaches the target (precision first, then as many right events as it allows)."""
    rows = ["| min confidence | events kept | right | precision | recall | F1 |", "|---|---|---|---|---|---|"]
    best: tuple[float, float] | None = None  # (F1, threshold)
    for t in [x / 20 for x in range(0, 20)]:
        kept = [r for p, r in pairs if p >= t]
        if not kept:
            break
        precision, recall = sum(kept) / len(kept), sum(kept) / max(gold_events, 1)
        f1 = 2 * sum(kept) / (len(kept) + gold_events)
        rows.append(f"| {t:.2f} | {len(kept)} | {sum(kept)} | {precision:.2f} | {recall:.2f} | {f1:.3f} |")
        if precision >= TARGET_PRECISION and (best is None or f1 > best[0]):
            best = (f1, t)
    return rows, best[1] if best is not None else 0.5


def write(base: float, weights: dict[str, float], threshold: float) -> None:
    text = RULES.read_text(encoding="utf-8")
    # Only the numbers of the "confidence" object change: the rest of the file keeps its layout.
    start = text.index('"confidence": {')
    end = text.index("}", start)
    block = text[start:end]
    for name, value in {"base": base, **weights}.items():
        block, n = re.subn(rf'("{re.escape(name)}": )[0-9.]+', rf"\g<1>{value:.3g}", block, count=1)
        assert n == 1, name
    block, n = re.subn(r'("min_confidence": )[0-9.]+', rf"\g<1>{threshold:.2f}", block, count=1)
    assert n == 1, "min_confidence"
    text = text[:start] + block + text[end:]
    json.loads(text)
    RULES.write_text(text, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("docs", type=Path)
    parser.add_argument("gold", type=Path)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--write", action="store_true", help="write the weights and the tables")
    args = parser.parse_args()
    data = samples(args.docs, args.gold)
    pull, pulls = chosen_pull(data, args.folds)
    held = cross_validated(data, args.folds, pull)
    base, weights = fit(data, pull)
    table = reliability([(p, s.right) for p, s in held])
    # The threshold is read on what the default output holds: the events stated as fact.
    gold_events = sum(g.factual for g in read_gold(str(args.gold)).events)
    cuts, threshold = thresholds([(p, s.right) for p, s in held if s.factual], gold_events)
    counts = {f: sum(f in s.features for s in data) for f in FEATURES}
    lines = [
        f"{len(data)} events in {len({s.doc for s in data})} articles, {sum(s.right for s in data)} right.",
        "",
        "The pull of the weights towards 1, chosen by held-out log-loss:",
        "",
        *pulls,
        "",
        f"Fitted on all of them with pull {pull:g}: base {base:.3f}; weights:",
        "",
        "| feature | events with it | weight |",
        "|---|---|---|",
        *(f"| {f} | {counts[f]} | {weights[f]:.3f} |" for f in FEATURES),
        "",
        f"Held-out ({args.folds}-fold over articles) reliability:",
        "",
        *table,
        "",
        "Held-out precision by threshold, of the events stated as fact (what kg writes by default):",
        "",
        *cuts,
        "",
        f"Chosen min confidence (the best held-out F1 with precision >= {TARGET_PRECISION}): {threshold:.2f}",
    ]
    print("\n".join(lines))
    if args.write:
        write(base, weights, threshold)
        body = DOC.read_text(encoding="utf-8") if DOC.exists() else ""
        marker = "<!-- calibration -->"
        head = body.split(marker)[0] if marker in body else body
        DOC.write_text(head + marker + "\n\n" + "\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
