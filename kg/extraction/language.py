"""The spaCy pipeline kg extracts with: an installed model, loaded once, with kg's components.

Nothing is ever downloaded: a model that is not installed is a clear error (E010).
"""
from __future__ import annotations

import logging
from functools import lru_cache
from pathlib import Path

from spacy.language import Language

from kg import DEFAULT_MODEL
from kg.errors import Errors, KGError
from kg.extraction import components  # noqa: F401  (registers kg's spaCy factories)

__all__ = ["DEFAULT_MODEL", "EXTRACTION_COMPONENTS", "load_pipeline", "model_meta"]

log = logging.getLogger(__name__)

#: The components that extract, run apart from the parse in kg's own runs (a failure in them
#: costs only its article, and is reported as an extraction failure, E008).
EXTRACTION_COMPONENTS = ("kg_actors", "kg_events")


@lru_cache(maxsize=4)
def load_pipeline(model: str = DEFAULT_MODEL) -> Language:
    """The installed spaCy pipeline ``model`` with kg's components (:mod:`kg.extraction.components`),
    loaded once per model: ``load_pipeline()(text)._.events``.

    Raises ``KGError`` (E010) when the model is not installed: nothing is
    ever downloaded at run time.

    >>> load_pipeline().pipe_names[-2:]
    ['kg_actors', 'kg_events']
    """
    import spacy

    try:
        nlp = spacy.load(model)
    except OSError as e:
        raise KGError(Errors.E010.format(model=model)) from e
    for name in EXTRACTION_COMPONENTS:
        if name not in nlp.pipe_names:
            nlp.add_pipe(name)  # kg_actors adds kg_line_sentences and kg_actor_ruler before the parser and ner
    return nlp


def model_meta(model: str = DEFAULT_MODEL) -> dict:
    """The ``meta.json`` of the installed spaCy pipeline ``model`` (a package name or a path), without loading it.

    Enough to name the model and its version (``name``, ``version``,
    ``lang``) where the pipeline itself is not needed: the process that
    hands articles to workers. Raises ``KGError`` (E010) when the model is
    not installed.

    >>> model_meta()["version"]
    '3.8.0'
    """
    from spacy import util

    try:
        if util.is_package(model):
            return util.get_model_meta(util.get_package_path(model))
        path = Path(model)
        if path.is_dir():
            return util.get_model_meta(path)
    except (OSError, ValueError) as e:
        raise KGError(Errors.E010.format(model=model)) from e
    raise KGError(Errors.E010.format(model=model))
