"""Extraction: parsed articles to actors and events, as spaCy components.

The second stage. :mod:`kg.extraction.language` loads the spaCy pipeline with
kg's components (:mod:`kg.extraction.components`: ``kg_line_sentences``,
``kg_actor_ruler``, ``kg_actors``, ``kg_events``); :mod:`kg.extraction.parse`
parses articles, their page furniture set aside (:mod:`kg.extraction.clean`).
:mod:`kg.extraction.gazetteer` and :mod:`kg.extraction.actors` resolve
mentions to actors. Events: :mod:`kg.extraction.events` runs the rule steps
of :mod:`kg.extraction.steps` over a :class:`~kg.extraction.frame.Frame` for
each event word (typed by :mod:`kg.extraction.lexicon` and
:mod:`kg.extraction.predicates`; reading :mod:`kg.extraction.arguments`,
:mod:`kg.extraction.modality` and :mod:`kg.extraction.circumstances`), with
the word classes of :mod:`kg.extraction.rules`; :mod:`kg.extraction.output`
turns them into :mod:`kg.records`, dates resolved by :mod:`kg.extraction.dates`.
"""
