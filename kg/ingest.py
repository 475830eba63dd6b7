"""Ingest: read news articles from files, folders, JSONL or standard input.

Every article gets a stable id (the one given, else one derived from its
content) and, where one can be found, a publication date (the JSONL field,
HTML metadata, or a wire dateline such as ``WARSAW, Poland, March 11, 2024 (KGW) —``).

Bad input never stops the run: :func:`read_articles` yields a
:class:`Skipped` record with a one-line, coded message for it and goes on.

>>> [a.id for a in read_articles(["-"], stdin=io.StringIO("Poland sent tanks to Ukraine."))]
['stdin-3873c5d6bd2f']
"""
from __future__ import annotations

import hashlib
import io
import json
import re
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TextIO

from kg.errors import Errors

__all__ = ["Article", "Skipped", "read_articles", "content_hash", "find_dateline_date", "DATELINE", "SUFFIXES"]

TEXT_SUFFIXES = {".txt", ".md"}
HTML_SUFFIXES = {".html", ".htm"}
JSONL_SUFFIXES = {".jsonl"}
SUFFIXES = TEXT_SUFFIXES | HTML_SUFFIXES | JSONL_SUFFIXES

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


@dataclass(frozen=True)
class Article:
    """One news article, as read from its source.

    ``date`` is an ISO date string (``"2024-03-11"``) or ``None``.
    ``source`` names where it came from (``path`` or ``path:line``).
    """

    id: str
    text: str
    title: str | None = None
    date: str | None = None
    url: str | None = None
    source: str = ""


@dataclass(frozen=True)
class Skipped:
    """An input that could not be read, with the coded one-line reason."""

    source: str
    message: str


def read_articles(inputs: Iterable[str | Path], *, stdin: TextIO | None = None) -> Iterator[Article | Skipped]:
    """Yield every article found in ``inputs``, in order.

    Parameters
    ----------
    inputs : paths of ``.txt``/``.md``/``.html``/``.jsonl`` files or folders
        of them (read recursively, in sorted order), or ``"-"`` for standard
        input (plain text, or JSONL when every line is a JSON object).
    stdin : the stream ``"-"`` reads (default ``sys.stdin``).

    Yields
    ------
    Article, or Skipped for input that could not be read.
    """
    for item in inputs:
        if str(item) == "-":
            yield from _read_stream((stdin or sys.stdin).read(), "stdin")
            continue
        path = Path(item)
        if path.is_dir():
            files = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SUFFIXES)
            for file in files:
                yield from _read_file(file)
        elif path.is_file():
            yield from _read_file(path)
        else:
            yield Skipped(str(path), Errors.E003.format(path=path))


def content_hash(text: str) -> str:
    """SHA-256 hex digest of an article's text (its identity when no id is given)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def find_dateline_date(text: str, *, year_hint: int | None = None) -> str | None:
    """The ISO date in a wire dateline at the start of a paragraph, if any.

    >>> find_dateline_date("WARSAW, Poland, March 11, 2024 (KGW) — Poland sent tanks.")
    '2024-03-11'
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


def _read_file(path: Path) -> Iterator[Article | Skipped]:
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        yield Skipped(str(path), Errors.E004.format(path=path, suffix=suffix))
        return
    try:
        raw = path.read_bytes()
    except OSError as e:
        yield Skipped(str(path), Errors.E005.format(path=path, detail=e.strerror or e))
        return
    text = _decode(raw)
    if not text.strip():
        yield Skipped(str(path), Errors.E007.format(path=path))
        return
    if suffix in JSONL_SUFFIXES:
        yield from _read_jsonl(text, str(path))
    elif suffix in HTML_SUFFIXES:
        yield _read_html(text, str(path))
    else:
        yield _text_article(text, str(path), default_id=path.stem)


def _decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Scraped pages in legacy encodings: keep the text rather than lose the article.
        return raw.decode("cp1252", errors="replace")


def _read_stream(text: str, name: str) -> Iterator[Article | Skipped]:
    lines = [line for line in text.splitlines() if line.strip()]
    if lines and all(line.lstrip().startswith("{") for line in lines):
        yield from _read_jsonl(text, name)
    elif text.strip():
        yield _text_article(text, name, default_id=None)
    else:
        yield Skipped(name, Errors.E007.format(path=name))


def _read_jsonl(text: str, name: str) -> Iterator[Article | Skipped]:
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        where = f"{name}:{number}"
        try:
            record = json.loads(line)
        except json.JSONDecodeError as e:
            yield Skipped(where, Errors.E001.format(path=name, line=number, detail=e.msg))
            continue
        if not isinstance(record, dict):
            yield Skipped(where, Errors.E001.format(path=name, line=number, detail=type(record).__name__))
            continue
        body = record.get("text")
        if not isinstance(body, str) or not body.strip():
            yield Skipped(where, Errors.E002.format(path=name, line=number))
            continue
        given_id = record.get("id")
        article_id = str(given_id) if given_id not in (None, "") else _derived_id(name, body)
        published = _iso_date(record.get("date")) or find_dateline_date(body)
        yield Article(
            id=article_id,
            text=body,
            title=_optional_str(record.get("title")),
            date=published,
            url=_optional_str(record.get("url")),
            source=where,
        )


def _read_html(html: str, name: str) -> Article | Skipped:
    import trafilatura  # heavy: imported only when an HTML file is read

    document = trafilatura.bare_extraction(html, with_metadata=True)
    body = getattr(document, "text", None) if document is not None else None
    if not body or not body.strip():
        return Skipped(name, Errors.E006.format(path=name))
    published = _iso_date(getattr(document, "date", None)) or find_dateline_date(body) or _date_in_name(name)
    return Article(
        id=Path(name).stem,
        text=body,
        title=getattr(document, "title", None),
        date=published,
        url=getattr(document, "url", None),
        source=name,
    )


def _text_article(text: str, name: str, *, default_id: str | None) -> Article:
    title = _headline(text)
    published_line = _PUBLISHED_LINE.search(text[:2000])
    published = (
        (published_line and published_line.group(1)) or find_dateline_date(text) or _date_in_name(name)
    )
    return Article(
        id=default_id or _derived_id(name, text),
        text=text,
        title=title,
        date=published,
        source=name,
    )


def _headline(text: str) -> str | None:
    """The first line, when it reads as a headline: short, followed by a blank line, no final period."""
    lines = text.lstrip().splitlines()
    if len(lines) < 2 or lines[1].strip():
        return None
    first = lines[0].strip().lstrip("#").strip()
    if 0 < len(first) <= 200 and not first.endswith("."):
        return first
    return None


def _date_in_name(name: str) -> str | None:
    """An ISO date in a file name (``ap-putin-minsk-2022-12-19.txt``), as scrapers often save them."""
    match = _DATE_IN_NAME.search(Path(name).name)
    return _iso_date(match.group(1)) if match else None


def _derived_id(name: str, text: str) -> str:
    return f"{Path(name).stem or 'article'}-{content_hash(text)[:12]}"


def _iso_date(value: object) -> str | None:
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


def _optional_str(value: object) -> str | None:
    return value if isinstance(value, str) and value.strip() else None
