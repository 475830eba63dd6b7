"""Scoring kg's events against hand-coded gold events: the functions behind ``kg eval``.

Two gold formats, told apart by their records (one JSON object per line):

``sentence``
    ``{"doc", "source", "target", "event_type"}``, actors as ISO3 country
    codes. Scored as sets per document, in four views: ``pair`` (doc,
    source, target), ``typed`` (the pair and the event type), ``source``
    and ``target``; an event with neither country is left out, on both sides.
``article``
    ``{"doc", "sentence", "trigger", "subject", "object", "event_type",
    "factual"}``, actors as ``{"name", "country", "type"}`` or ``null``.
    A gold event matches a kg event of the same document and sentence
    (:func:`same_sentence`), per view: ``event`` (same type), ``subject``,
    ``object`` (:func:`same_actor`), ``actors`` (both) or ``full`` (both
    and the type). Each gold event takes the first kg event, in kg's order,
    that matches it and no earlier gold event took.

Either way PLOVER 0.5 names count as their PLOVER 2021 successors (the
aliases of the event lexicon), precision counts every kg event of the
documents scored (those with no gold event too), and only what the text
states as fact is scored unless ``include_all``: kg's events for which
``is_factual`` is false and, in article gold, events coded ``"factual":
false``. These are the semantics of the shared scorers ``score.py`` and
``score_articles.py``, so the numbers are theirs.

Gold records and files live in :mod:`kg.evaluation.gold`, the scores and the
matching in :mod:`kg.evaluation.scoring`, the run and its tables in
:mod:`kg.evaluation.report`; this package gives them all:

=======================  ====================================================
``read_gold``            a gold file, its format detected (:class:`Gold`)
``parse_gold``           the same, from lines already read
``score_sentences``      sentence-level gold against events (:class:`Evaluation`)
``score_articles``       article-level gold against events
``evaluate``             either, by the gold's format
``evaluate_inputs``      extract the inputs (as ``kg extract``) and score them
``same_sentence``        the article scorer's sentence match
``same_actor``           its actor match
``generic_words``        the words that name no particular actor (``kg/data/eval_generic_words.txt``)
``print_evaluation``     an evaluation as rich tables (``kg eval``)
=======================  ====================================================

>>> from kg.records import Actor, Event
>>> gold = parse_gold(['{"doc": "d1", "source": "POL", "target": "BLR", "event_type": "SANCTION"}',
...                    '{"doc": "d1", "source": "BLR", "target": "POL", "event_type": "DISAPPROVE"}'])
>>> gold.format, len(gold.events)
('sentence', 2)
>>> poland = Actor("Poland", "Poland", "https://w3id.org/kg/id/country/POL", "Country", "POL", None, (0, 6))
>>> diplomat = Actor("a Belarusian diplomat", "Belarus", "https://w3id.org/kg/id/country/BLR", "Country", "BLR", None, (16, 37))
>>> expel = Event("d1", poland, diplomat, "expel", "SANCTION", "16", None, "Poland expelled a Belarusian diplomat.", (0, 38), None, False, "asserted")
>>> result = evaluate(gold, [expel])
>>> {view: (s.tp, s.gold, s.system) for view, s in result.views.items()}
{'pair': (1, 2, 1), 'typed': (1, 2, 1), 'source': (1, 2, 1), 'target': (1, 2, 1)}
>>> result.views["typed"].recall, [(g.source, g.event_type) for g in result.missed]
(0.5, [('BLR', 'DISAPPROVE')])
"""
from __future__ import annotations

from kg.evaluation.gold import (
    ArticleGold,
    Gold,
    GoldActor,
    SentenceGold,
    parse_gold,
    read_gold,
)
from kg.evaluation.report import evaluate_inputs, print_evaluation
from kg.evaluation.scoring import (
    ARTICLE_VIEWS,
    SENTENCE_VIEWS,
    Evaluation,
    Score,
    evaluate,
    generic_words,
    same_actor,
    same_sentence,
    score_articles,
    score_sentences,
)

__all__ = [
    "ARTICLE_VIEWS",
    "SENTENCE_VIEWS",
    "ArticleGold",
    "Evaluation",
    "Gold",
    "GoldActor",
    "Score",
    "SentenceGold",
    "evaluate",
    "evaluate_inputs",
    "generic_words",
    "parse_gold",
    "print_evaluation",
    "read_gold",
    "same_actor",
    "same_sentence",
    "score_articles",
    "score_sentences",
]
