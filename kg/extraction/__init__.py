"""Extract: parsed articles to actors and events, as spaCy components.

The second stage. :mod:`kg.extraction.language` loads the spaCy pipeline with
kg's components; :mod:`kg.extraction.clean` sets page furniture aside first;
:mod:`kg.extraction.gazetteer` and :mod:`kg.extraction.actors` resolve mentions to
actors; :mod:`kg.extraction.lexicon` types event words (PLOVER, CAMEO) and
:mod:`kg.extraction.events` reads events off the dependency parse;
:mod:`kg.extraction.dates` resolves their dates.
"""
