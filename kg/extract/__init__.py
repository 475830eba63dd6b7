"""Extract: parsed articles to actors and events, as spaCy components.

The second stage. :mod:`kg.extract.language` loads the spaCy pipeline with
kg's components; :mod:`kg.extract.clean` sets page furniture aside first;
:mod:`kg.extract.gazetteer` and :mod:`kg.extract.actors` resolve mentions to
actors; :mod:`kg.extract.lexicon` types event words (PLOVER, CAMEO) and
:mod:`kg.extract.events` reads events off the dependency parse;
:mod:`kg.extract.dates` resolves their dates.
"""
