"""What an article's text and file name tell about it: its id, headline and publication date.

>>> find_dateline_date("WARSAW, Poland, March 11, 2024 (KGW) — Poland sent tanks.")
'2024-03-11'
>>> headline("Talks in Ankara\\n\\nTurkey hosted talks.")
'Talks in Ankara'
"""
from __future__ import annotations

import hashlib
import json
import re
from datetime import date, datetime
from pathlib import Path

__all__ = [
    "DATELINE",
    "content_hash",
    "date_in_name",
    "derived_id",
    "find_dateline_date",
    "headline",
    "id_text",
    "iso_date",
    "optional_str",
    "published_line_date",
]

# "KYIV, Ukraine (AP) —", "WARSAW, Poland, March 11, 2024 (KGW) —", "BEIJING, Jan. 5 (Xinhua) --"
DATELINE = re.compile(
    r"^\s*(?P<place>[A-Z][A-Z .'\-]+(?:,\s*[A-Z][\w .'\-]*?)*?)"
    r"(?:,\s*(?P<date>[A-Z][a-z]{2,8}\.? \d{1,2}(?:,? \d{4})?))?"
    r"\s*\((?P<agency>[^)]{1,40})\)\s*(?:—|–|--|-)",
    re.MULTILINE,
)
_DATE_IN_NAME = re.compile(r"(?<!\d)(\d{4}-\d{2}-\d{2})(?!\d)")
_ISO_DATE = re.compile(r"^(\d{4}-\d{2}-\d{2})")
# A markdown "*Published 2024-05-02*" or plain "Published: 2024-05-02" line.
_PUBLISHED_LINE = re.compile(r"^\W*(?:published|posted|updated)\W*(\d{4}-\d{2}-\d{2})\W*$", re.I | re.M)


def content_hash(text: str) -> str:
    """SHA-256 hex digest of an article's text (its identity when no id is given)."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def find_dateline_date(text: str, *, year_hint: int | None = None) -> str | None:
    """The ISO date in a wire dateline at the start of a paragraph, if any.

    >>> find_dateline_date("KYIV, Ukraine (AP) — Russia attacked.") is None
    True
    """
    for match in DATELINE.finditer(text[:5000]):
        raw = match.group("date")
        if not raw:
            continue
        parsed = _parse_month_day(raw, year_hint)
        if parsed:
            return parsed
    return None


def _parse_month_day(raw: str, year_hint: int | None) -> str | None:
    cleaned = raw.replace(".", "").replace(",", "")
    for fmt in ("%B %d %Y", "%b %d %Y"):
        try:
            return datetime.strptime(cleaned, fmt).date().isoformat()
        except ValueError:
            pass
    if year_hint:
        for fmt in ("%B %d %Y", "%b %d %Y"):
            try:
                return datetime.strptime(f"{cleaned} {year_hint}", fmt).date().isoformat()
            except ValueError:
                pass
    return None


def published_line_date(text: str) -> str | None:
    """The date of a "Published 2024-05-02" line near the top of a text."""
    found = _PUBLISHED_LINE.search(text[:2000])
    return iso_date(found.group(1)) if found else None


def headline(text: str) -> str | None:
    """The first line, when it reads as a headline: short, followed by a blank line, no final period."""
    lines = text.lstrip().splitlines()
    if len(lines) < 2 or lines[1].strip():
        return None
    first = lines[0].strip().lstrip("#").strip()
    if 0 < len(first) <= 200 and not first.endswith("."):
        return first
    return None


def date_in_name(name: str) -> str | None:
    """An ISO date in a file name (``ap-putin-minsk-2022-12-19.txt``), as scrapers often save them."""
    match = _DATE_IN_NAME.search(Path(name).name)
    return iso_date(match.group(1)) if match else None


def derived_id(name: str, text: str) -> str:
    """The id of an article that has none: its source's name and a hash of its text.

    >>> derived_id("stdin", "Poland sent tanks to Ukraine.")
    'stdin-3873c5d6bd2f'
    """
    return f"{Path(name).stem or 'article'}-{content_hash(text)[:12]}"


def id_text(value: object) -> str:
    """A JSONL ``id`` as text: strings as given, numbers as written, anything else as compact JSON."""
    if isinstance(value, str):
        return value
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


def iso_date(value: object) -> str | None:
    """The ISO date a field gives (``"2024-03-11T10:00"``, a ``date``), else ``None``."""
    if isinstance(value, (date, datetime)):
        return value.isoformat()[:10]
    if isinstance(value, str):
        match = _ISO_DATE.match(value.strip())
        if match:
            try:
                return date.fromisoformat(match.group(1)).isoformat()
            except ValueError:
                return None
    return None


def optional_str(value: object) -> str | None:
    """``value`` if it is a string with some text, else ``None``."""
    return value if isinstance(value, str) and value.strip() else None
