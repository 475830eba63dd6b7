"""Dates: resolve a temporal expression of an article against its publication date.

News dates events relative to the day of writing: "Monday", "last February",
"earlier this year". A resolved date keeps the precision the text gives it.
Expressions relative to the day of writing are resolved here (a news
"Monday" is the latest Monday up to the publication day); dates that carry
their own day, month or year are read by dateparser.

>>> resolve_date("Monday", "2022-12-19")       # the article was written on a Monday
ResolvedDate(date='2022-12-19', precision='day')
>>> resolve_date("last February", "2022-12-19")
ResolvedDate(date='2022-02-01', precision='month')
>>> resolve_date("earlier this year", "2022-12-19")
ResolvedDate(date='2022-01-01', precision='year')
>>> resolve_date("on March 3, 2021", None)
ResolvedDate(date='2021-03-03', precision='day')
"""
from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache

__all__ = ["ResolvedDate", "resolve_date"]

_WEEKDAYS = {name.lower(): i for i, name in enumerate(calendar.day_name)}
_MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
_MONTHS.update({name.lower(): i for i, name in enumerate(calendar.month_abbr) if name})
_LEADING = re.compile(r"^(?:on|in|at|since|during|by|until|from|as of|before|after|early|late|earlier|later|the)\s+", re.I)
_PART_OF_DAY = re.compile(r"\s+(?:morning|afternoon|evening|night|overnight)$", re.I)


@dataclass(frozen=True)
class ResolvedDate:
    """An ISO date and how much of it the text gave: ``day``, ``week``, ``month`` or ``year``.

    A month or a year is given as its first day (``2022-02-01``), so every
    date sorts and plots; ``precision`` says which part is meaningful.
    """

    date: str
    precision: str


def _month(year: int, month: int) -> ResolvedDate:
    return ResolvedDate(f"{year}-{month:02d}-01", "month")


def _year(year: int) -> ResolvedDate:
    return ResolvedDate(f"{year}-01-01", "year")


def resolve_date(text: str, published: str | None) -> ResolvedDate | None:
    """Resolve ``text`` ("Monday", "last month", "March 3, 2021") against the ISO date ``published``.

    Relative expressions need ``published``; without it only absolute dates resolve.
    Returns None for what is not a date of an event ("the 1970s", "for years").
    """
    base = date.fromisoformat(published) if published else None
    return _resolve(_normalise(text), base)


def _normalise(text: str) -> str:
    cleaned = " ".join(text.replace("’", "'").split()).strip(" ,.")
    previous = None
    while previous != cleaned:
        previous = cleaned
        cleaned = _LEADING.sub("", cleaned)
    return _PART_OF_DAY.sub("", cleaned).lower()


@lru_cache(maxsize=4096)
def _resolve(text: str, base: date | None) -> ResolvedDate | None:
    if base is not None:
        relative = _relative(text, base)
        if relative is not None:
            return relative
    return _absolute(text, base)


def _relative(text: str, base: date) -> ResolvedDate | None:
    if text in ("today", "tonight", "this morning", "this afternoon", "this evening"):
        return ResolvedDate(base.isoformat(), "day")
    if text in ("yesterday", "last night"):
        return ResolvedDate((base - timedelta(days=1)).isoformat(), "day")
    if text in _WEEKDAYS or (text.startswith("last ") and text[5:] in _WEEKDAYS):
        weekday = _WEEKDAYS[text.split()[-1]]
        back = (base.weekday() - weekday) % 7
        if text.startswith("last ") and back == 0:
            back = 7
        return ResolvedDate((base - timedelta(days=back)).isoformat(), "day")
    if text in ("this year", "this year's"):
        return _year(base.year)
    if text == "last year":
        return _year(base.year - 1)
    if text in ("this month",):
        return _month(base.year, base.month)
    if text == "last month":
        year, month = (base.year, base.month - 1) if base.month > 1 else (base.year - 1, 12)
        return _month(year, month)
    if text == "last week":
        return ResolvedDate((base - timedelta(days=7)).isoformat(), "week")
    words = text.split()
    if words and words[-1] in _MONTHS and len(words) <= 2 and (len(words) == 1 or words[0] in ("last", "this")):
        month = _MONTHS[words[-1]]
        # "February" means the latest February not after the article; "last February" one strictly before this month.
        year = base.year if month < base.month or (month == base.month and words[0] != "last") else base.year - 1
        if words[0] == "this":
            year = base.year
        return _month(year, month)
    return None


def _absolute(text: str, base: date | None) -> ResolvedDate | None:
    """Dates that carry their own day, month or year, read by dateparser."""
    if not re.search(r"\d", text) and not any(word in _MONTHS for word in text.split()) and "ago" not in text:
        return None  # "the 1970s" has digits; words alone ("for years") are no date
    if re.search(r"\d0s\b", text):
        return None  # decades are no date of an event
    if base is None and not re.search(r"\b(1[89]|20)\d\d\b", text):
        return None  # a date without a year needs the article's date
    data = _parser(base).get_date_data(text)
    if data.date_obj is None:
        return None
    found = data.date_obj.date()
    if data.period == "year":
        return _year(found.year)
    if data.period == "month":
        return _month(found.year, found.month)
    return ResolvedDate(found.isoformat(), "day")


@lru_cache(maxsize=64)
def _parser(base: date | None):
    from dateparser.date import DateDataParser  # slow to import: only when a date needs it

    settings: dict[str, object] = {"PREFER_DATES_FROM": "past"}
    if base is not None:
        settings["RELATIVE_BASE"] = datetime.combine(base, datetime.min.time())
    return DateDataParser(languages=["en"], settings=settings)
