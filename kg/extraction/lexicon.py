"""The event lexicon: lemmas of event verbs and nouns typed by PLOVER and CAMEO.

The word lists live in ``kg/data/event_lexicon.json``, grouped by PLOVER 2021
event type; each type names its CAMEO root(s), quad class and Goldstein score.
The file is read and checked on first use (never at import) and cached.

>>> verb_type("shell").plover
'ASSAULT'
>>> verb_type("call").plover, verb_type("call", "for").plover
('CONSULT', 'REQUEST')
>>> noun_type("talk").cameo
'04'
"""
from __future__ import annotations

import json
import logging
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

from kg.errors import Errors, KGError
from kg.vocab import PLOVER_TYPES, QUAD_CLASSES

__all__ = [
    "EventType",
    "Lexicon",
    "load_lexicon",
    "verb_type",
    "noun_type",
    "event_type",
    "cameo_root",
]

logger = logging.getLogger(__name__)

DEFAULT_PATH = Path(__file__).parent.parent / "data" / "event_lexicon.json"

_ROOT_CODE = re.compile(r"(0[1-9]|1[0-9]|20)")
_LEMMA = re.compile(r"[a-z][a-z'-]*( [a-z][a-z'-]*)*")
_TYPE_FIELDS = ("cameo", "cameo_roots", "quad_class", "goldstein", "description", "verbs", "nouns", "phrases")
_ROOT_FIELDS = ("name", "goldstein", "quad_class", "plover", "plover_also")


@dataclass(frozen=True)
class EventType:
    """One PLOVER event type with the CAMEO root(s) it comes from.

    ``cameo`` is the root closest to the type, ``cameo_roots`` all roots
    that map to it, and ``goldstein`` the Goldstein score of ``cameo``. An
    event's type may carry a finer code in ``cameo`` instead ("162" for
    SANCTION): the CAMEO verb dictionary's (``kg.extraction.cameo_verbs``).
    """

    plover: str
    cameo: str
    quad_class: str
    goldstein: float
    description: str
    cameo_roots: tuple[str, ...] = ()


@dataclass(frozen=True, eq=False)
class Lexicon:
    """A loaded event lexicon: read-only lookups from lemma to PLOVER type name.

    ``phrases`` is keyed by ``(verb lemma, particle)``; ``aliases`` maps
    older PLOVER names (DEMAND, FIGHT, ...) to PLOVER 2021 ones.
    """

    path: str
    types: Mapping[str, EventType]
    verbs: Mapping[str, str]
    nouns: Mapping[str, str]
    phrases: Mapping[tuple[str, str], str]
    aliases: Mapping[str, str]
    cameo_roots: Mapping[str, Mapping[str, Any]]


@lru_cache(maxsize=8)
def load_lexicon(path: str | os.PathLike[str] | None = None) -> Lexicon:
    """Read and check an event lexicon (by default the one kg ships).

    Parameters
    ----------
    path : str or path-like, optional
        A JSON file in the format of ``kg/data/event_lexicon.json``.

    Returns
    -------
    Lexicon
        Cached: the same path gives the same object.

    Raises
    ------
    KGError
        E050 the file cannot be read, E051 it is not JSON, E052 wrong version,
        E053 a malformed entry, E054 an unknown PLOVER type, E055 a malformed
        CAMEO root code, E056 a lemma under two types, E057 CAMEO roots that
        contradict each other.

    Examples
    --------
    >>> lexicon = load_lexicon()
    >>> lexicon.verbs["detain"], lexicon.phrases[("blow", "up")]
    ('COERCE', 'ASSAULT')
    >>> sorted(lexicon.types) == sorted(PLOVER_TYPES)
    True
    """
    where = str(path if path is not None else DEFAULT_PATH)
    try:
        text = Path(where).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise KGError(Errors.E050.format(path=where, detail=e)) from e
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        raise KGError(Errors.E051.format(path=where, detail=e)) from e
    lexicon = _build(where, data)
    logger.debug(
        "event lexicon %s: %d verbs, %d nouns, %d phrases", where, len(lexicon.verbs), len(lexicon.nouns), len(lexicon.phrases)
    )
    return lexicon


def verb_type(lemma: str, particle: str | None = None, *, lexicon: Lexicon | None = None) -> EventType | None:
    """The event type of a verb lemma, or of a verb + particle phrase.

    Parameters
    ----------
    lemma : str
        A verb lemma ("attack"), or a phrase written out ("call for").
    particle : str, optional
        The particle or preposition of a phrasal verb ("for" in "called for").
        With a particle only the phrase is looked up: ``None`` means the
        phrase is not listed, and the caller then falls back to the bare verb.
        So a listed phrase wins over its verb ("call for" is REQUEST, "call"
        CONSULT).
    lexicon : Lexicon, optional
        Defaults to ``load_lexicon()``.

    Returns
    -------
    EventType or None
        ``None`` for a verb (or phrase) that is not in the lexicon.

    Examples
    --------
    >>> verb_type("Detain").plover
    'COERCE'
    >>> verb_type("pull", "out").plover, verb_type("pull out").plover
    ('RETREAT', 'RETREAT')
    >>> verb_type("supply", "with") is None, verb_type("say") is None
    (True, True)
    """
    lexicon = lexicon or load_lexicon()
    words = _norm(lemma).split()
    if particle is None and len(words) == 2:
        words, particle = words[:1], words[1]
    if len(words) != 1:
        return None
    if particle is not None:
        name = lexicon.phrases.get((words[0], _norm(particle)))
    else:
        name = lexicon.verbs.get(words[0])
    return lexicon.types[name] if name else None


def noun_type(lemma: str, *, lexicon: Lexicon | None = None) -> EventType | None:
    """The event type of an event noun lemma ("attack", "talk", "hunger strike").

    Multiword entries are written with single spaces, modifier first; to catch
    them, look up "modifier head" before the bare head.

    Parameters
    ----------
    lemma : str
        A noun lemma, or a space-separated compound.
    lexicon : Lexicon, optional
        Defaults to ``load_lexicon()``.

    Returns
    -------
    EventType or None

    Examples
    --------
    >>> noun_type("sanction").plover, noun_type("hunger  strike").plover
    ('SANCTION', 'PROTEST')
    >>> noun_type("strike").plover, noun_type("missile") is None
    ('ASSAULT', True)
    """
    lexicon = lexicon or load_lexicon()
    name = lexicon.nouns.get(_norm(lemma))
    return lexicon.types[name] if name else None


def event_type(name: str, *, lexicon: Lexicon | None = None) -> EventType:
    """The event type called ``name``: a PLOVER 2021 type or a PLOVER 0.5 alias.

    Parameters
    ----------
    name : str
        "AID", "assault", or an older name: DEMAND (now REQUEST), DISAPPROVE and
        INVESTIGATE (now ACCUSE), FIGHT (now ASSAULT).
    lexicon : Lexicon, optional
        Defaults to ``load_lexicon()``.

    Returns
    -------
    EventType

    Raises
    ------
    KGError
        E058 if no type or alias has that name.

    Examples
    --------
    >>> event_type("aid").goldstein
    7.0
    >>> event_type("FIGHT").plover, event_type("FIGHT").cameo_roots
    ('ASSAULT', ('18', '19', '20'))
    """
    lexicon = lexicon or load_lexicon()
    key = _norm(name).upper()
    key = lexicon.aliases.get(key, key)
    try:
        return lexicon.types[key]
    except KeyError:
        raise KGError(
            Errors.E058.format(name=name, choices=", ".join(lexicon.types), aliases=", ".join(lexicon.aliases))
        ) from None


def cameo_root(code: str, *, lexicon: Lexicon | None = None) -> dict[str, Any]:
    """Facts about a CAMEO root code, "01" to "20".

    Parameters
    ----------
    code : str
        Two digits.
    lexicon : Lexicon, optional
        Defaults to ``load_lexicon()``.

    Returns
    -------
    dict
        A new dict with ``code``, ``name``, ``goldstein``, ``quad_class``,
        ``plover`` (the PLOVER type of the root, ``None`` for 01 and 02, which
        PLOVER dropped), ``plover_also`` (types some sub-codes map to instead)
        and ``notes`` (may be empty).

    Raises
    ------
    KGError
        E059 for anything but "01" to "20".

    Examples
    --------
    >>> root = cameo_root("19")
    >>> root["name"], root["goldstein"], root["quad_class"], root["plover"], root["plover_also"]
    ('FIGHT', -10.0, 'material conflict', 'ASSAULT', ['COERCE'])
    >>> cameo_root("02")["plover"] is None
    True
    """
    lexicon = lexicon or load_lexicon()
    key = code.strip() if isinstance(code, str) else code
    if not isinstance(key, str) or key not in lexicon.cameo_roots:
        raise KGError(Errors.E059.format(code=code))
    root = lexicon.cameo_roots[key]
    return {
        "code": key,
        "name": root["name"],
        "goldstein": root["goldstein"],
        "quad_class": root["quad_class"],
        "plover": root["plover"],
        "plover_also": list(root["plover_also"]),
        "notes": root.get("notes", ""),
    }


# ---------------------------------------------------------------- checks


def _norm(text: str) -> str:
    return " ".join(text.lower().split())


def _quad_of(code: str) -> str:
    n = int(code)
    return QUAD_CLASSES[0 if n <= 5 else 1 if n <= 8 else 2 if n <= 13 else 3]


@dataclass(frozen=True)
class _Check:
    """The coded errors of one lexicon file, and the checks of its values."""

    path: str

    def malformed(self, where: str, detail: str) -> KGError:
        return KGError(Errors.E053.format(path=self.path, where=where, detail=detail))

    def unknown(self, name: Any, where: str) -> KGError:
        return KGError(Errors.E054.format(path=self.path, name=name, where=where, choices=", ".join(PLOVER_TYPES)))

    def bad_code(self, code: Any, where: str) -> KGError:
        return KGError(Errors.E055.format(path=self.path, code=code, where=where))

    def number(self, value: Any, where: str) -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not -10 <= value <= 10:
            raise self.malformed(where, "expected a Goldstein score from -10 to 10")
        return float(value)

    def text(self, value: Any, where: str) -> str:
        if not isinstance(value, str) or not value.strip():
            raise self.malformed(where, "expected a non-empty string")
        return value


def _build(path: str, data: Any) -> Lexicon:
    check = _Check(path)
    if not isinstance(data, dict):
        raise check.malformed("(top level)", "expected a JSON object")
    if data.get("version") != 1:
        raise KGError(Errors.E052.format(path=path, version=data.get("version")))
    for key in ("types", "cameo_roots"):
        if not isinstance(data.get(key), dict):
            raise check.malformed(key, "expected a JSON object")
    roots = _cameo_roots(check, data["cameo_roots"])
    types, lemmas = _types(check, data["types"])
    _check_roots_of_types(check, types, roots)
    aliases = _aliases(check, data.get("aliases", {}), types)
    return Lexicon(
        path=path,
        types=MappingProxyType(types),
        verbs=MappingProxyType(lemmas["verbs"]),
        nouns=MappingProxyType(lemmas["nouns"]),
        phrases=MappingProxyType({(verb, particle): v for k, v in lemmas["phrases"].items() for verb, particle in [k.split()]}),
        aliases=MappingProxyType(aliases),
        cameo_roots=MappingProxyType(roots),
    )


def _cameo_roots(check: _Check, table: dict[str, Any]) -> dict[str, Mapping[str, Any]]:
    """The table of the 20 CAMEO roots, checked."""
    roots: dict[str, Mapping[str, Any]] = {}
    for code, entry in table.items():
        where = f"cameo_roots.{code}"
        if not _ROOT_CODE.fullmatch(code):
            raise check.bad_code(code, "cameo_roots")
        if not isinstance(entry, dict) or any(f not in entry for f in _ROOT_FIELDS):
            raise check.malformed(where, f"expected an object with {', '.join(_ROOT_FIELDS)}")
        check.text(entry["name"], f"{where}.name")
        check.number(entry["goldstein"], f"{where}.goldstein")
        if entry["quad_class"] != _quad_of(code):
            raise check.malformed(f"{where}.quad_class", f"CAMEO root {code} is {_quad_of(code)!r}")
        if entry["plover"] is not None and entry["plover"] not in PLOVER_TYPES:
            raise check.unknown(entry["plover"], f"{where}.plover")
        if not isinstance(entry["plover_also"], list):
            raise check.malformed(f"{where}.plover_also", "expected a list of PLOVER types")
        for name in entry["plover_also"]:
            if name not in PLOVER_TYPES:
                raise check.unknown(name, f"{where}.plover_also")
        roots[code] = MappingProxyType(dict(entry, plover_also=tuple(entry["plover_also"])))
    missing = [f"{n:02d}" for n in range(1, 21) if f"{n:02d}" not in roots]
    if missing:
        raise check.malformed("cameo_roots", f"missing roots {', '.join(missing)}")
    return roots


def _types(check: _Check, table: dict[str, Any]) -> tuple[dict[str, EventType], dict[str, dict[str, str]]]:
    """The PLOVER types, and their lemmas by part of speech (lemma -> type), checked."""
    types: dict[str, EventType] = {}
    lemmas: dict[str, dict[str, str]] = {"verbs": {}, "nouns": {}, "phrases": {}}
    for name, entry in table.items():
        where = f"types.{name}"
        if name not in PLOVER_TYPES:
            raise check.unknown(name, "types")
        if not isinstance(entry, dict) or any(f not in entry for f in _TYPE_FIELDS):
            raise check.malformed(where, f"expected an object with {', '.join(_TYPE_FIELDS)}")
        cameo = entry["cameo"]
        if not isinstance(cameo, str) or not _ROOT_CODE.fullmatch(cameo):
            raise check.bad_code(cameo, f"{where}.cameo")
        if not isinstance(entry["cameo_roots"], list) or not entry["cameo_roots"]:
            raise check.malformed(f"{where}.cameo_roots", "expected a non-empty list of CAMEO roots")
        for code in entry["cameo_roots"]:
            if not isinstance(code, str) or not _ROOT_CODE.fullmatch(code):
                raise check.bad_code(code, f"{where}.cameo_roots")
        if entry["quad_class"] not in QUAD_CLASSES:
            raise check.malformed(f"{where}.quad_class", f"expected one of {', '.join(QUAD_CLASSES)}")
        types[name] = EventType(
            plover=name,
            cameo=cameo,
            quad_class=entry["quad_class"],
            goldstein=check.number(entry["goldstein"], f"{where}.goldstein"),
            description=check.text(entry["description"], f"{where}.description"),
            cameo_roots=tuple(entry["cameo_roots"]),
        )
        _add_lemmas(check, lemmas, name, entry)
    missing = [name for name in PLOVER_TYPES if name not in types]
    if missing:
        raise check.malformed("types", f"missing PLOVER types {', '.join(missing)}")
    return types, lemmas


def _add_lemmas(check: _Check, lemmas: dict[str, dict[str, str]], name: str, entry: dict[str, Any]) -> None:
    """The verbs, phrases and nouns of the type ``name``: lower-case lemmas of the right shape, each under one type."""
    where = f"types.{name}"
    for pos, words in (("verbs", 1), ("phrases", 2), ("nouns", 0)):
        if not isinstance(entry[pos], list):
            raise check.malformed(f"{where}.{pos}", "expected a list of lemmas")
        for i, lemma in enumerate(entry[pos]):
            if not isinstance(lemma, str) or not _LEMMA.fullmatch(lemma):
                raise check.malformed(f"{where}.{pos}[{i}]", f"{lemma!r} is not a lower-case lemma")
            if words and len(lemma.split()) != words:
                shape = "one word" if words == 1 else "a verb and one particle"
                raise check.malformed(f"{where}.{pos}[{i}]", f"{lemma!r} is not {shape}")
            first = lemmas[pos].setdefault(lemma, name)
            if first != name or entry[pos].index(lemma) != i:
                raise KGError(Errors.E056.format(path=check.path, pos=pos[:-1], lemma=lemma, first=first, second=name))


def _check_roots_of_types(check: _Check, types: dict[str, EventType], roots: dict[str, Mapping[str, Any]]) -> None:
    """The CAMEO roots each type names agree with the table of roots."""
    for name, etype in types.items():

        def inconsistent(detail: str) -> KGError:
            return KGError(Errors.E057.format(path=check.path, plover=name, detail=detail))

        if etype.cameo not in etype.cameo_roots:
            raise inconsistent(f"its main root {etype.cameo} is not among its cameo_roots {list(etype.cameo_roots)}")
        for code in etype.cameo_roots:
            if name != roots[code]["plover"] and name not in roots[code]["plover_also"]:
                raise inconsistent(f"root {code} is listed but cameo_roots.{code} maps to {roots[code]['plover']}")
        for code, root in roots.items():
            if root["plover"] == name and code not in etype.cameo_roots:
                raise inconsistent(f"cameo_roots.{code} maps to {name} but root {code} is not in its cameo_roots")


def _aliases(check: _Check, aliases: Any, types: dict[str, EventType]) -> dict[str, str]:
    """Older PLOVER names and the PLOVER 2021 type each stands for."""
    if not isinstance(aliases, dict):
        raise check.malformed("aliases", "expected an object of old name -> PLOVER type")
    for alias, target in aliases.items():
        if not isinstance(alias, str) or alias != alias.upper() or alias in types:
            raise check.malformed(f"aliases.{alias}", "an alias is an upper-case name that is not a PLOVER 2021 type")
        if target not in types:
            raise check.unknown(target, f"aliases.{alias}")
    return dict(aliases)
