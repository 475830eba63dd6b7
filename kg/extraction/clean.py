"""Page furniture out, offsets kept: boilerplate lines of scraped pages (bylines,
captions, credits, prompts) and wire datelines are dropped before parsing, and
a title glued to the first sentence gets a line break of its own
(:func:`clean_text`); offsets in the cleaned text map back to the article's own
text (:meth:`CleanText.to_original`), so spans always point into the article as
it was read. The patterns and word lists are data: ``kg/data/boilerplate.txt``
and ``kg/data/furniture.json``.

>>> cleaned = clean_text("Title\\nSubscribe Now Choose a package.\\nRussia attacked.")
>>> cleaned.text
'Title\\nRussia attacked.'
>>> cleaned.to_original(cleaned.text.index("Russia"))
38
"""
from __future__ import annotations

import bisect
import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

from kg.ingest.metadata import match_dateline

__all__ = ["TITLE_SPAN", "CleanText", "clean_text", "doc_clean_text", "is_boilerplate", "title_end"]

# How far into an article a title glued to its first sentence is looked for.
TITLE_SPAN = 250


@dataclass(frozen=True)
class CleanText:
    """Article text without boilerplate lines, and where each kept piece was.

    ``segments`` holds ``(clean_offset, original_offset)`` of every kept piece
    of text, in order; ``inserted`` the offsets of the characters the cleaning
    added (the line break after a glued title), which map to the position
    between the two characters of the article they separate.
    """

    text: str
    segments: tuple[tuple[int, int], ...] = field(default_factory=tuple)
    inserted: tuple[int, ...] = ()

    def to_original(self, offset: int) -> int:
        """The article offset of character ``offset`` of the cleaned text."""
        if not self.segments:
            return offset
        index = bisect.bisect_right(self.segments, (offset, float("inf"))) - 1
        clean_start, original_start = self.segments[max(index, 0)]
        return original_start + (offset - clean_start)

    def span_to_original(self, start: int, end: int) -> tuple[int, int]:
        """The article offsets of the cleaned span ``[start, end)``, whitespace trimmed."""
        while start < end and self.text[start].isspace():
            start += 1
        while end > start and self.text[end - 1].isspace():
            end -= 1
        if end == start:
            return self.to_original(start), self.to_original(start)
        # The end maps through its last character: a removed line may follow it.
        return self.to_original(start), self.to_original(end - 1) + 1


@lru_cache(maxsize=1)
def _furniture() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(resources.files("kg.data").joinpath("furniture.json").read_text(encoding="utf-8"))
    return data


def _words(name: str) -> frozenset[str]:
    return frozenset(_furniture()["title"][name]["words"])


_FRAGMENT = re.compile(r"\{(\w+)\}\s*=\s*(.+)")


@lru_cache(maxsize=1)
def _boilerplate_patterns() -> tuple[re.Pattern[str], ...]:
    credits = sorted(_furniture()["credits"]["names"], key=len, reverse=True)
    fragments = {"agency": "(?:" + "|".join(re.escape(name) for name in credits) + ")"}

    def expand(regex: str) -> str:
        for name, value in fragments.items():
            regex = regex.replace("{" + name + "}", value)
        return regex

    patterns = []
    lines = resources.files("kg.data").joinpath("boilerplate.txt").read_text(encoding="utf-8").splitlines()
    for line in (line.strip() for line in lines):
        if not line or line.startswith("#"):
            continue
        if fragment := _FRAGMENT.fullmatch(line):
            fragments[fragment.group(1)] = "(?:" + expand(fragment.group(2)) + ")"
        else:
            patterns.append(re.compile(expand(line), re.I))
    return tuple(patterns)


def is_boilerplate(line: str) -> bool:
    """True for a line of page furniture, not article text: prompts, bylines,
    photo captions and credits, links to other stories.

    >>> is_boilerplate("Already a Subscriber? Current print subscriber?")
    True
    >>> is_boilerplate("By Jane Doe and John Roe"), is_boilerplate("(Photo: AP)")
    (True, True)
    >>> is_boilerplate("Belarus provided Russia with a launching pad.")
    False
    >>> is_boilerplate("By Tuesday, Russia had withdrawn its troops.")
    False
    """
    stripped = line.strip()
    return bool(stripped) and any(p.fullmatch(stripped) for p in _boilerplate_patterns())


_WORD = re.compile(r"[^\W_][\w'’.\-]*")
_SENTENCE_END = re.compile(r"[.?!](?=\s|$)")
_CLOSING = "\"”’')]"


def title_end(line: str) -> int | None:
    """Where the title at the start of ``line`` ends when it runs into the first
    sentence: the offset of the sentence's first letter, else ``None``.

    A title is glued when a lower-case letter, "?", "!", "." or a closing quote
    is followed directly by the capital of a word ("... Central America?Testimony
    at a recent hearing ..."), or ends with ". " before a sentence the parser
    might read on with. Only in the first :data:`TITLE_SPAN` characters; never
    inside a name written in one word ("DynCorp", "McDonald", "iPhone",
    "U.S.A."): a break between a lower-case letter and a capital needs a title
    in title case before it (or a lower-case word of three letters or more:
    "supplierPolice"), and running text, not more title, after it.

    >>> title_end("Who Will Pay for the War?Testimony at a hearing showed it.")
    25
    >>> title_end("Mexico Cartels Steal GoldAuthorities say gangs robbed trucks.")
    25
    >>> title_end("Colombia Hires DynCorp to Train Police") is None
    True
    >>> title_end("Protests at McDonald's in Lima turned violent on Monday.") is None
    True
    """
    head = line[: TITLE_SPAN + 200]  # what follows a title's end is read up to 200 characters on
    for i in range(1, min(len(head), TITLE_SPAN)):
        if head[i].isupper() and _is_title_end(head, i):
            return i
    return None


def _is_title_end(line: str, i: int) -> bool:
    prev, left = line[i - 1], line[:i]
    word = re.match(r"[^\W\d_]+", line[i:])
    right_word = word.group() if word else ""
    capitalised = len(right_word) > 1 and right_word[1:].islower()
    if not (capitalised or right_word.isupper() and len(right_word) > 1 or right_word in ("A", "I")):
        return False
    if len(left.split()) < 2 or not _running_text(line[i:]):
        return False
    start = i
    while start > 0 and line[start - 1].isalpha():
        start -= 1
    head, names = line[start:i], _words("camel_case_names")
    if line[start : i + len(right_word)] in names:
        return False
    if prev.isalpha():  # "WeekAccording", "supplierPolice", "DynCorpThe"; not "DynCorp", "McDonald", "iPhone"
        if not capitalised:
            return False
        if head in names:
            return _title_case(left)
        if len(head) < 3 or head in _words("name_prefixes") or not head[1:].islower():
            return False
        return head.islower() or _title_case(left)
    if prev in "?!":
        return True
    if prev in _CLOSING:  # 'Two "Narco-Subs"The navy'; not "O'Brien", "d'Ivoire"
        return not line[i - 2].isspace() and (prev not in "'’" or line[i - 3 : i - 1].isalpha())
    if prev == ".":  # "Bolivia.Colombia's"; not "U.S.A.", "Gen.Smith", "Amazon.Com"
        return _ends_sentence(left) and right_word.casefold() not in _words("domains")
    if prev == " " and line[i - 2] in ".?!":  # "Title. The brother ..."
        return (line[i - 2] != "." or _ends_sentence(left.rstrip())) and _title_case(left)
    return False


def _ends_sentence(left: str) -> bool:
    """True when the period ending ``left`` ends a word, not an abbreviation."""
    last = left.split()[-1].lstrip("\"“‘'(")[:-1]
    return len(last) > 1 and "." not in last and last[-1].isalnum() and last not in _words("abbreviations")


def _title_case(text: str) -> bool:
    """Every word capitalised but the small ones ("Colombia Admits that its Drug Gangs Are in Bolivia")."""
    words = _WORD.findall(text)
    small = _words("small_words")
    return len(words) >= 2 and all(w[0].isupper() or w[0].isdigit() or w.casefold() in small for w in words)


def _running_text(text: str) -> bool:
    """True when the first sentence of ``text`` soon has a lower-case word that is no
    title's small word: "Testimony at a recent hearing", not "Corp to Train Police"."""
    text = text[:200].split("\n")[0]
    found = _SENTENCE_END.search(text)
    words = _WORD.findall(text[: found.end() if found else len(text)])[1:7]
    small = _words("small_words")
    return any(w[0].islower() and w.casefold() not in small for w in words)



def doc_clean_text(doc: Any) -> CleanText:
    """The cleaned text a spaCy doc was parsed from: ``doc._.clean``, which kg's runs set, else the
    doc's own text as it is (``doc.text`` joins every token's text again, a Token object each)."""
    clean = doc._.clean if doc.has_extension("clean") else None
    return clean if clean is not None else CleanText(doc.text)

def clean_text(text: str) -> CleanText:
    """Drop boilerplate lines (:func:`is_boilerplate`) and wire datelines
    ("KYIV, Ukraine (AP) — ", :func:`kg.ingest.metadata.match_dateline`), and
    break a title glued to the first sentence (:func:`title_end`), remembering
    where the kept text was.

    A dateline or a title is not part of the first sentence: parsed with it,
    the place and the agency become false subjects.

    >>> cleaned = clean_text("Who Will Pay?Testimony at a hearing showed it.\\nBOGOTA -- Police arrested a man.")
    >>> print(cleaned.text)
    Who Will Pay?
    Testimony at a hearing showed it.
    Police arrested a man.
    >>> cleaned.inserted, cleaned.to_original(cleaned.text.index("Police"))
    ((13,), 57)
    """
    kept: list[str] = []
    segments: list[tuple[int, int]] = []
    inserted: list[int] = []
    clean_offset = original_offset = 0
    title_pending = True

    def keep(piece: str, original: int) -> None:
        nonlocal clean_offset
        kept.append(piece)
        segments.append((clean_offset, original))
        clean_offset += len(piece)

    for line in text.splitlines(keepends=True):
        if not is_boilerplate(line):
            dateline = match_dateline(line)
            cut = dateline.end() if dateline else 0
            body, start = line[cut:], original_offset + cut
            split = None
            if title_pending and body.strip():
                title_pending = False
                split = title_end(body)
            if split is None:
                keep(body, start)
            else:  # the title, a line break, then the first sentence without its dateline
                dateline = match_dateline(body[split:])
                cut = split + (dateline.end() if dateline else 0)
                keep(body[:split], start)
                inserted.append(clean_offset)
                keep("\n", start + split)
                keep(body[cut:], start + cut)
        original_offset += len(line)
    return CleanText("".join(kept), tuple(segments), tuple(inserted))
