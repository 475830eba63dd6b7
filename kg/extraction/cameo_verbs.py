"""The CAMEO verb dictionary as matchers over the dependency parse.

``kg/data/cameo_verbs.json`` (written by ``scripts/cameo_verbs.py`` from PETRARCH2's
``CAMEO.2.0.txt``) gives each verb lemma its block of patterns and the CAMEO code of the
verb alone. A pattern names what the verb needs around it, each part matched on the
parse: an object head with its modifiers ("FREEZE * AID", "ASK * (FOR {FINANCIAL AID})"),
a particle ("CALL * OFF STRIKE"), prepositional phrases, a subject; ``&NAME`` is any
phrase of a synonym set. A word of a pattern matches a token's text or its lemma
("aid", "sanctions"). Of the patterns that match, the one that reads the most words
wins, then the one that reads the most nouns ("WITHDRAW * AMBASSADOR" before "WITHDRAW *
FROM"), then the first in the file; with none, the verb's own code.

The file is read on first use and cached; a block's patterns are compiled, and filed
under the words they need, the first time one of its verbs is met (kg's pipeline
compiles them all as it loads).

>>> from kg.extraction.language import load_pipeline
>>> doc = load_pipeline()("The United States froze aid to Bolivia.")
>>> found = match_verb(doc[3])
>>> found.code, found.plover, found.predicate, found.words, found.pattern
('162', 'SANCTION', 'freeze', 2, True)
>>> plover_of("163"), plover_of("0233"), plover_of("012")
('COERCE', 'REQUEST', None)
"""
from __future__ import annotations

import itertools
import json
import os
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

from spacy.tokens import Token

from kg.errors import Errors, KGError
from kg.extraction.predicates import doc_words, verb_lemma
from kg.vocab import PLOVER_TYPES

__all__ = ["CameoMatch", "CameoVerbs", "load_cameo_verbs", "match_verb", "plover_of"]

DEFAULT_PATH = Path(__file__).parent.parent / "data" / "cameo_verbs.json"

_CODE = re.compile(r"\d{3,4}")
# What follows the verb as its object ("froze aid", "set free"); a passive subject too.
_OBJECT_DEPS = frozenset({"dobj", "dative", "attr", "oprd", "acomp"})
_PREP_DEPS = frozenset({"prep", "agent", "dative"})
# The words of a noun phrase its modifiers may be among ("{FINANCIAL AID}", "weapons of mass destruction").
_MODIFIER_DEPS = frozenset({"amod", "compound", "nmod", "nummod", "quantmod", "poss", "npadvmod", "advmod", "det", "prep", "pobj", "hmod"})
_PARTICLE_DEPS = frozenset({"prt", "advmod", "prep", "compound:prt"})
# How far from the verb a prepositional phrase of a pattern may hang: on the verb, its object
# or particle, or the object of another prepositional phrase ("(ON STATE) (OF ALERT)").
_REGION_DEPS = frozenset({"prep", "agent", "dative", "pobj", "dobj", "nsubjpass", "attr", "oprd", "acomp", "prt", "advmod"})


@dataclass(frozen=True)
class CameoMatch:
    """What the dictionary says of a verb in its sentence.

    ``code`` is the CAMEO code (``None``: the dictionary codes this use as no event),
    ``plover`` its PLOVER 2021 type (``None`` for no event or a public statement, 01x),
    ``predicate`` the verb as the dictionary lists it ("freeze", "call off"), ``words``
    how many words of the sentence the match reads (the verb's, then each pattern word),
    ``pattern`` whether a pattern matched (else the verb's own code), ``line`` the line
    of the source dictionary it comes from (0 for a verb's own code), ``nouns`` how many
    noun phrases it reads (a preposition with any object reads none).
    """

    code: str | None
    plover: str | None
    predicate: str
    words: int
    pattern: bool
    line: int = 0
    nouns: int = 0


@dataclass(frozen=True)
class _Phrase:
    """A noun phrase of a pattern, compiled: head word -> the modifier sets that go with it
    (longest first); a synset gives one entry per phrase in it."""

    heads: Mapping[str, tuple[tuple[str, ...], ...]]

    def match(self, token: Token, around: _Around) -> int:
        """The number of words of the phrase ``token`` heads, 0 if it is not one of them."""
        lower, lemma = around.words(token)
        alternatives = self.heads.get(lower, ()) + self.heads.get(lemma, ())
        if not alternatives:
            return 0
        for modifiers in alternatives:
            if not modifiers:
                return 1
            if around.modifier_words(token).issuperset(modifiers):
                return 1 + len(modifiers)
        return 0


@dataclass(frozen=True)
class _Pattern:
    line: int
    code: str | None
    subject: _Phrase | None
    subject_preps: tuple[tuple[str, _Phrase | None], ...]
    object: _Phrase | None
    particle: str | None
    preps: tuple[tuple[str, _Phrase | None], ...]
    verbs: frozenset[str]
    needs: frozenset[str]  # the particle and prepositions: words that must be under the verb


@dataclass(eq=False)
class CameoVerbs:
    """The loaded dictionary: verb lemma -> (block, own code), the blocks' raw patterns,
    synsets, and the PLOVER type of every code; blocks compile on first use, or all at once
    (:meth:`compile_all`, as kg's pipeline loads)."""

    path: str
    verbs: Mapping[str, tuple[str, str | None]]
    codes: Mapping[str, str | None]
    synsets: Mapping[str, tuple[str, ...]]
    blocks: Mapping[str, tuple[Mapping[str, Any], ...]]
    multiword: Mapping[str, tuple[tuple[str, ...], ...]]
    _compiled: dict[str, tuple[_Pattern, ...]] = field(default_factory=dict, repr=False)
    _by_word: dict[str, tuple[tuple[int, ...], Mapping[str, tuple[int, ...]]]] = field(default_factory=dict, repr=False)

    def patterns(self, block: str) -> tuple[_Pattern, ...]:
        """The compiled patterns of ``block``, in file order."""
        if block not in self._compiled:
            self._compiled[block] = tuple(self._pattern(raw) for raw in self.blocks.get(block, ()))
        return self._compiled[block]

    def candidates(self, block: str, nearby: set[str]) -> list[_Pattern]:
        """The patterns of ``block`` that may match a verb with the words ``nearby`` under it, in
        file order: those that need no word, and those one of whose needed words is there (a
        block has some 50 patterns, a verb's subtree a few of their words)."""
        if block not in self._by_word:
            anywhere: list[int] = []
            by_word: dict[str, list[int]] = {}
            for number, pattern in enumerate(self.patterns(block)):
                # One needed word is enough to file a pattern under (_may_match checks the rest);
                # else any head of its object.
                words = [min(pattern.needs)] if pattern.needs else list(pattern.object.heads) if pattern.object else []
                for word in words:
                    by_word.setdefault(word, []).append(number)
                if not words:
                    anywhere.append(number)
            self._by_word[block] = (tuple(anywhere), MappingProxyType({w: tuple(n) for w, n in by_word.items()}))
        anywhere_numbers, by_word_numbers = self._by_word[block]
        numbers = set(anywhere_numbers)
        for word in nearby:
            numbers.update(by_word_numbers.get(word, ()))
        patterns = self.patterns(block)
        return [patterns[number] for number in sorted(numbers)]

    def compile_all(self) -> None:
        """Compile and index every block now (some 0.3 s), not on first use."""
        for block in self.blocks:
            self.candidates(block, set())

    def _pattern(self, raw: Mapping[str, Any]) -> _Pattern:
        def preps(key: str) -> tuple[tuple[str, _Phrase | None], ...]:
            return tuple((prep, self._phrase(noun) if noun else None) for prep, noun in raw.get(key, ()))

        particle = raw.get("particle")
        return _Pattern(
            line=raw["line"],
            code=raw.get("code"),
            subject=self._phrase(raw["subject"]) if raw.get("subject") else None,
            subject_preps=preps("subject_preps"),
            object=self._phrase(raw["object"]) if raw.get("object") else None,
            particle=particle,
            preps=preps("preps"),
            verbs=frozenset(raw.get("verbs", ())),
            needs=frozenset([prep for prep, _ in raw.get("preps", ())] + ([particle] if particle else [])),
        )

    def _phrase(self, text: str) -> _Phrase:
        """A pattern's noun phrase, synsets expanded: head -> modifier sets."""
        choices = [self.synsets[word[1:]] if word.startswith("&") else (word,) for word in text.split()]
        heads: dict[str, list[tuple[str, ...]]] = {}
        for combination in itertools.product(*choices):
            words = " ".join(combination).split()
            head_at = words.index("of") - 1 if "of" in words[1:] else len(words) - 1  # "weapon of mass destruction"
            modifiers = tuple(w for i, w in enumerate(words) if i != head_at)
            heads.setdefault(words[head_at], []).append(modifiers)
        return _Phrase(MappingProxyType({h: tuple(sorted(set(m), key=lambda x: (-len(x), x))) for h, m in heads.items()}))


@lru_cache(maxsize=4)
def load_cameo_verbs(path: str | os.PathLike[str] | None = None) -> CameoVerbs:
    """Read and check the CAMEO verb dictionary (by default the one kg ships).

    Raises
    ------
    KGError
        E109 when the file cannot be read, is not JSON, or an entry is malformed.
    """
    where = str(path if path is not None else DEFAULT_PATH)
    try:
        data = json.loads(Path(where).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise KGError(Errors.E109.format(path=where, what="CAMEO verb dictionary", detail=e)) from e
    try:
        return _build(where, data)
    except (KeyError, TypeError, ValueError, AttributeError) as e:
        raise KGError(Errors.E109.format(path=where, what="CAMEO verb dictionary", detail=f"malformed entry: {e}")) from e


def _build(where: str, data: Any) -> CameoVerbs:
    if not isinstance(data, dict) or data.get("version") != 1:
        raise ValueError("expected a JSON object of version 1")
    codes: dict[str, str | None] = {}
    for code, plover in data["codes"].items():
        if not _CODE.fullmatch(code) or (plover is not None and plover not in PLOVER_TYPES):
            raise ValueError(f"codes.{code}: {plover!r} is no PLOVER type")
        codes[code] = plover
    verbs: dict[str, tuple[str, str | None]] = {}
    multiword: dict[str, list[tuple[str, ...]]] = {}
    for lemma, (block, code) in data["verbs"].items():
        if block not in data["blocks"] or (code is not None and code not in codes):
            raise ValueError(f"verbs.{lemma}: unknown block {block!r} or code {code!r}")
        verbs[lemma] = (block, code)
        first, *rest = lemma.split()
        if rest:
            multiword.setdefault(first, []).append(tuple(rest))
    for name, patterns in data["blocks"].items():
        for pattern in patterns:
            if pattern.get("code") is not None and pattern["code"] not in codes:
                raise ValueError(f"blocks.{name}: line {pattern['line']}: unknown code {pattern['code']!r}")
    return CameoVerbs(
        path=where,
        verbs=MappingProxyType(verbs),
        codes=MappingProxyType(codes),
        synsets=MappingProxyType({name: tuple(phrases) for name, phrases in data["synsets"].items()}),
        blocks=MappingProxyType({name: tuple(patterns) for name, patterns in data["blocks"].items()}),
        multiword=MappingProxyType({k: tuple(v) for k, v in multiword.items()}),
    )


def plover_of(code: str | None, *, dictionary: CameoVerbs | None = None) -> str | None:
    """The PLOVER 2021 type of a CAMEO code the dictionary uses (``None`` for 01x and unknown codes)."""
    if code is None:
        return None
    return (dictionary or load_cameo_verbs()).codes.get(code)


def match_verb(
    verb: Token, lemma: str | None = None, *, origin_only: bool = False, dictionary: CameoVerbs | None = None
) -> CameoMatch | None:
    """What the dictionary says of ``verb`` in its sentence: its most specific pattern that
    matches, else its own code; ``None`` for a verb the dictionary does not list, or one
    whose own code is null with no pattern matching.

    A multiword verb ("call off", "ask for") is read before its first word alone when its
    other words hang on the verb. With ``origin_only``, a pattern applies only to the verbs
    its source comment names, those it was first written for ("DEPLOY * ARMS" is no pattern
    of "send", a synonym in its block), when the comment names any.
    """
    dictionary = dictionary or load_cameo_verbs()
    lemma = lemma or verb_lemma(verb)
    best: CameoMatch | None = None
    around: _Around | None = None
    for predicate, used in _verb_forms(verb, lemma, dictionary):
        around = around or _Around(verb)
        block, own = dictionary.verbs[predicate]
        verb_words = len(predicate.split())
        found = CameoMatch(own, plover_of(own, dictionary=dictionary), predicate, verb_words, False) if own else None
        for pattern in dictionary.candidates(block, around.nearby):
            if (origin_only and pattern.verbs and predicate not in pattern.verbs) or not _may_match(pattern, around.nearby):
                continue
            words, nouns = _pattern_words(pattern, around, used)
            if words and (found is None or (verb_words + words, nouns) > (found.words, found.nouns)):
                code = pattern.code
                found = CameoMatch(code, plover_of(code, dictionary=dictionary), predicate, verb_words + words, True, pattern.line, nouns)
        if found is not None and (best is None or (found.words, found.nouns) > (best.words, best.nouns)):
            best = found
    return best


class _Around:
    """The parse around a verb that the patterns of its block read, each part gathered once
    for all of them: its children, whether it is passive, the words of its subtree, its
    subjects and prepositions, and the words of the noun phrases tried."""

    def __init__(self, verb: Token) -> None:
        self.verb = verb
        self.children = list(verb.children)
        self.passive = any(c.dep_ in ("auxpass", "nsubjpass") for c in self.children)
        # The words from the verb's left edge to its right edge: its subtree's, or more where the
        # parse is not projective; a prefilter only (_pattern_words reads the parse).
        self._words = doc_words(verb.doc)
        self.nearby = set().union(*self._words[verb.left_edge.i : verb.right_edge.i + 1])
        self._subjects: list[Token] | None = None
        self._regions: dict[bool, list[Token]] = {}
        self._modifiers: dict[int, set[str]] = {}

    def words(self, token: Token) -> tuple[str, str]:
        return self._words[token.i]

    def modifier_words(self, token: Token) -> set[str]:
        if token.i not in self._modifiers:
            self._modifiers[token.i] = _modifier_words(token)
        return self._modifiers[token.i]

    def subjects(self) -> list[Token]:
        if self._subjects is None:
            self._subjects = list(_subjects(self.verb))
        return self._subjects

    def region_preps(self, chained: bool) -> list[Token]:
        if chained not in self._regions:
            self._regions[chained] = _region_preps(self.verb, chained)
        return self._regions[chained]


def _verb_forms(verb: Token, lemma: str, dictionary: CameoVerbs) -> Iterator[tuple[str, frozenset[int]]]:
    """The dictionary's entries this verb may be, multiword ones first, each with the tokens its words take."""
    right = [c for c in verb.children if c.i > verb.i]
    for rest in dictionary.multiword.get(lemma, ()):
        used: set[int] = set()
        for word in rest:
            token = next((c for c in right if c.i not in used and word in (c.lower_, c.lemma_.lower())), None)
            if token is None:
                break
            used.add(token.i)
        else:
            yield f"{lemma} {' '.join(rest)}", frozenset(used)
    if lemma in dictionary.verbs:
        yield lemma, frozenset()


def _may_match(pattern: _Pattern, nearby: set[str]) -> bool:
    """False when a word ``pattern`` needs after the verb (its particle, an object head, a
    preposition) is nowhere under it: most patterns of a block are ruled out without reading the parse."""
    if not pattern.needs.issubset(nearby):
        return False
    return pattern.object is None or not nearby.isdisjoint(pattern.object.heads)


def _pattern_words(pattern: _Pattern, around: _Around, used: frozenset[int]) -> tuple[int, int]:
    """How many words and noun phrases ``pattern`` reads around the verb (no words: it does not match)."""
    count = nouns = 0
    taken = set(used)
    if pattern.particle is not None:
        particle = next(
            (c for c in around.children if c.i not in taken and c.lower_ == pattern.particle and c.dep_ in _PARTICLE_DEPS), None
        )
        if particle is None:
            return 0, 0
        taken.add(particle.i)
        count += 1
    if pattern.object is not None:
        words = max((pattern.object.match(t, around) for t in _objects(around, taken)), default=0)
        if not words:
            return 0, 0
        count, nouns = count + words, nouns + 1
    if pattern.subject is not None or pattern.subject_preps:
        subjects = around.subjects()
        if pattern.subject is not None:
            words = max((pattern.subject.match(t, around) for t in subjects), default=0)
            if not words:
                return 0, 0
            count, nouns = count + words, nouns + 1
        if pattern.subject_preps:
            preps = [p for s in subjects for p in s.children if p.dep_ in _PREP_DEPS]
            words, found = _preps_words(pattern.subject_preps, preps, taken, around)
            if not words:
                return 0, 0
            count, nouns = count + words, nouns + found
    if pattern.preps:
        preps = [p for p in around.region_preps(len(pattern.preps) > 1) if p.i not in taken]
        words, found = _preps_words(pattern.preps, preps, taken, around)
        if not words:
            return 0, 0
        count, nouns = count + words, nouns + found
    return count, nouns


def _objects(around: _Around, taken: set[int]) -> Iterator[Token]:
    """The heads after the verb that a pattern's object may be: objects and their conjuncts,
    the passive subject, and the object of a particle the parser read as a preposition."""
    for child in around.children:
        if child.i in taken:
            if child.dep_ == "prep":  # "called off the strike" parsed as "off the strike"
                yield from (c for c in child.children if c.dep_ == "pobj")
            continue
        if child.dep_ in _OBJECT_DEPS or (around.passive and child.dep_ == "nsubjpass"):
            yield child
            yield from child.conjuncts


def _subjects(verb: Token) -> Iterator[Token]:
    """The heads before the verb a pattern's subject may be: its subject, else the subject it shares."""
    for node in (verb, verb.head) if verb.dep_ in ("conj", "xcomp") else (verb,):
        found = [c for c in node.children if c.dep_ in ("nsubj", "nsubjpass")]
        if found:
            for child in found:
                yield child
                yield from child.conjuncts
            return


def _region_preps(verb: Token, chained: bool) -> list[Token]:
    """The prepositions a pattern's prepositional phrases may be: on the verb, its objects and
    particle, and, for a pattern of several prepositional phrases, on the object of one
    ("(ON STATE) (OF ALERT)"); never inside another clause."""
    found: list[Token] = []
    frontier = [verb]
    for depth in range(3 if chained else 2):
        following = []
        for node in frontier:
            for child in node.children:
                if child.dep_ not in _REGION_DEPS or (depth == 1 and node.dep_ in _PREP_DEPS and child.dep_ != "pobj"):
                    continue
                if child.dep_ in _PREP_DEPS:
                    found.append(child)
                following.append(child)
        frontier = following
    return found


def _preps_words(
    wanted: Iterable[tuple[str, _Phrase | None]], preps: list[Token], taken: set[int], around: _Around
) -> tuple[int, int]:
    """Words and noun phrases read by the prepositional phrases ``wanted``, each matched by a
    distinct preposition (no words: one is missing)."""
    count = nouns = 0
    used: set[int] = set()
    for word, noun in wanted:
        best = 0
        best_token: Token | None = None
        for prep in preps:
            if prep.i in used or prep.lower_ != word:
                continue
            if noun is None:
                words = 1
            else:
                objects = [o for c in prep.children if c.dep_ in ("pobj", "pcomp") for o in (c, *c.conjuncts)]
                words = max((noun.match(o, around) for o in objects), default=0)
                words = 1 + words if words else 0
            if words > best:
                best, best_token = words, prep
        if best_token is None:
            return 0, 0
        used.add(best_token.i)
        count += best
        nouns += noun is not None
    taken |= used
    return count, nouns


def _modifier_words(token: Token) -> set[str]:
    """The words (text and lemma) of the noun phrase ``token`` heads, but the head itself."""
    words: set[str] = set()
    stack = [c for c in token.children if c.dep_ in _MODIFIER_DEPS and (c.dep_ != "prep" or c.lower_ == "of")]
    while stack:
        node = stack.pop()
        words.update(part for part in (node.lower_, node.lemma_.lower()))
        words.update(part for part in node.lower_.split("-") if part)
        stack += [c for c in node.children if c.dep_ in _MODIFIER_DEPS and (c.dep_ != "prep" or c.lower_ == "of")]
    return words
