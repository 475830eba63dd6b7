"""Page furniture out, offsets kept: boilerplate lines of scraped pages and wire
datelines are dropped before parsing (:func:`clean_text`); offsets in the
cleaned text map back to the article's own text (:meth:`CleanText.to_original`),
so spans always point into the article as it was read.

>>> cleaned = clean_text("Title\\nSubscribe Now Choose a package.\\nRussia attacked.")
>>> cleaned.text
'Title\\nRussia attacked.'
>>> cleaned.to_original(cleaned.text.index("Russia"))
38
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

from kg.ingest import DATELINE

__all__ = ["CleanText", "clean_text", "is_boilerplate"]


@dataclass(frozen=True)
class CleanText:
    """Article text without boilerplate lines, and where each kept line was.

    ``segments`` holds ``(clean_offset, original_offset)`` of every kept line,
    in order.
    """

    text: str
    segments: tuple[tuple[int, int], ...] = field(default_factory=tuple)

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
def _boilerplate_patterns() -> tuple[re.Pattern[str], ...]:
    lines = resources.files("kg.data").joinpath("boilerplate.txt").read_text(encoding="utf-8").splitlines()
    return tuple(re.compile(line.strip(), re.I) for line in lines if line.strip() and not line.startswith("#"))


def is_boilerplate(line: str) -> bool:
    """True for a line of page furniture, not article text.

    >>> is_boilerplate("Already a Subscriber? Current print subscriber?")
    True
    >>> is_boilerplate("Belarus provided Russia with a launching pad.")
    False
    """
    stripped = line.strip()
    return bool(stripped) and any(p.fullmatch(stripped) for p in _boilerplate_patterns())


def clean_text(text: str) -> CleanText:
    """Drop boilerplate lines and wire datelines ("KYIV, Ukraine (AP) — "),
    remembering where the kept text was.

    A dateline is not part of the first sentence: parsed with it, the
    place and the agency become false subjects.
    """
    kept: list[str] = []
    segments: list[tuple[int, int]] = []
    clean_offset = original_offset = 0
    for line in text.splitlines(keepends=True):
        if not is_boilerplate(line):
            dateline = DATELINE.match(line)
            cut = len(line) - len(line[dateline.end() :].lstrip(" ")) if dateline else 0
            kept.append(line[cut:])
            segments.append((clean_offset, original_offset + cut))
            clean_offset += len(line) - cut
        original_offset += len(line)
    return CleanText("".join(kept), tuple(segments))
