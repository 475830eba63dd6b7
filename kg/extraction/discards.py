"""The discard list of PETRARCH2: phrases that mark a sentence, or a whole story, as no
matter for event coding (sports, entertainment, history).

``kg/data/cameo_discards.json`` (written by ``scripts/import_cameo_dictionaries.py`` from
``Phoenix.discards.txt``) holds ``sentence`` and ``story`` phrases, each
``{"phrase", "whole_word"}``: a phrase matches case-insensitively from the start of a word,
and, when ``whole_word``, up to the end of one ("basketball" also matches "basketballer";
"world cup" as a whole word does not match "world cups"). An article holding a story
phrase gives no events at all; a sentence holding a sentence phrase gives none when the
``kg_events`` component is asked to (``discard_sentences``: off by default, because the list's
past years, "years ago" and sports words, "soccer", also mark real events in news of crime
and politics: on hand-coded news articles it loses a fifth of the events kg finds right).

>>> discarded_sentence("The striker scored twice in the World Cup final.")
True
>>> discarded_sentence("Chile froze aid to Bolivia."), discarded_story("Manchester United won again.")
(False, True)
"""
from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from kg.errors import Errors, KGError

__all__ = ["Discards", "discarded_sentence", "discarded_story", "load_discards"]

DEFAULT_PATH = Path(__file__).parent.parent / "data" / "cameo_discards.json"


@dataclass(frozen=True)
class Discards:
    """The compiled discard phrases: one pattern for sentences, one for stories (``None``: no phrase)."""

    path: str
    sentence: re.Pattern[str] | None
    story: re.Pattern[str] | None


@lru_cache(maxsize=4)
def load_discards(path: str | os.PathLike[str] | None = None) -> Discards:
    """Read and compile the discard list (by default the one kg ships).

    Raises
    ------
    KGError
        E109 when the file cannot be read or an entry is malformed.
    """
    where = str(path if path is not None else DEFAULT_PATH)
    try:
        data = json.loads(Path(where).read_text(encoding="utf-8"))
        return Discards(where, _compile(data.get("sentence", [])), _compile(data.get("story", [])))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, AttributeError, KeyError, TypeError) as e:
        raise KGError(Errors.E109.format(path=where, what="CAMEO discard list", detail=e)) from e


def _compile(entries: list[dict[str, Any]]) -> re.Pattern[str] | None:
    """One pattern for all phrases: each starts at a word, words apart by any blanks, and a whole
    word ends at one."""
    alternatives = []
    for entry in entries:
        words = str(entry["phrase"]).split()
        if not words:
            continue
        body = r"\s+".join(re.escape(w) for w in words)
        alternatives.append(body + (r"(?![^\W_])" if entry.get("whole_word") else ""))
    if not alternatives:
        return None
    return re.compile(r"(?<![^\W_])(?:" + "|".join(sorted(set(alternatives), key=lambda a: (-len(a), a))) + ")", re.IGNORECASE)


def discarded_sentence(text: str, discards: Discards | None = None) -> bool:
    """Whether ``text`` holds a sentence discard phrase (or a story one: that discards its sentence too)."""
    discards = discards or load_discards()
    return any(pattern is not None and pattern.search(text) for pattern in (discards.sentence, discards.story))


def discarded_story(text: str, discards: Discards | None = None) -> bool:
    """Whether the article ``text`` holds a story discard phrase."""
    discards = discards or load_discards()
    return discards.story is not None and discards.story.search(text) is not None
