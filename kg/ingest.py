"""Ingest: read news articles from files, folders, JSONL or standard input.

Every article gets a stable id (the one given, else one derived from its
content) and, where one can be found, a publication date (the JSONL field,
HTML metadata, or a wire dateline such as ``WARSAW, Poland, March 11, 2024 (KGW) —``).

Bad input never stops the run: :func:`read_articles` yields a
:class:`Skipped` record with a one-line, coded message for an input it
could not read, a :class:`Notice` for one it read with a caveat (decoded
from a legacy encoding, split because of its size), and goes on. The rules
and limits are in ``docs/reliability.md``.

>>> [a.id for a in read_articles(["-"], stdin=io.StringIO("Poland sent tanks to Ukraine."))]
['stdin-3873c5d6bd2f']
"""
from __future__ import annotations

import hashlib
import io
import json
import re
import sys
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path
from typing import BinaryIO, TextIO

from kg.errors import Errors

__all__ = [
    "Article",
    "Skipped",
    "Notice",
    "read_articles",
    "read_bytes",
    "split_text",
    "content_hash",
    "find_dateline_date",
    "DATELINE",
    "SUFFIXES",
    "MAX_ARTICLE_CHARS",
    "MAX_FILE_BYTES",
]

TEXT_SUFFIXES = {".txt", ".md"}
HTML_SUFFIXES = {".html", ".htm"}
JSONL_SUFFIXES = {".jsonl"}
SUFFIXES = TEXT_SUFFIXES | HTML_SUFFIXES | JSONL_SUFFIXES

#: Most characters of text one article may have: spaCy's default ``nlp.max_length``.
#: A longer article is split at paragraph breaks into several (see :func:`split_text`).
MAX_ARTICLE_CHARS = 1_000_000
#: Largest ``.txt``/``.md``/``.html`` file read (JSONL files are streamed line by line, without a limit).
MAX_FILE_BYTES = 64 * 1024 * 1024

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
_SURROGATE = re.compile("[\ud800-\udfff]")
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
# Where an over-long article may be cut, best first: after a blank line, a line break, a space.
_BREAKS = (re.compile(r"\n[^\S\n]*\n\s*"), re.compile(r"\n\s*"), re.compile(r"\s+"))

# How much of a file is looked at to tell text from binary content.
_SNIFF_BYTES = 8192
_BOMS = (  # UTF-32 first: its little-endian mark starts with UTF-16's.
    (b"\xff\xfe\x00\x00", "utf-32"),
    (b"\x00\x00\xfe\xff", "utf-32"),
    (b"\xff\xfe", "utf-16"),
    (b"\xfe\xff", "utf-16"),
)
_MAGIC = (  # file signatures of documents that are often misnamed .txt or .html
    (b"%PDF-", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive (or .docx/.xlsx/.epub)"),
    (b"\x1f\x8b", "gzip-compressed data"),
    (b"\x89PNG", "a PNG image"),
    (b"GIF8", "a GIF image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"\xd0\xcf\x11\xe0", "an old Microsoft Office document"),
    (b"{\\rtf", "an RTF document"),
)
# Legacy encodings charset detection may consider; UTF-16/32 without a byte-order mark is not text to us.
_NOT_GUESSED = ["utf_16", "utf_16_be", "utf_16_le", "utf_32", "utf_32_be", "utf_32_le"]


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


@dataclass(frozen=True)
class Notice:
    """An input that was read, but with a caveat the user should know (coded one-line message)."""

    source: str
    message: str


class _Undecodable(Exception):
    """Raw bytes that are not text (the message says why)."""


def read_articles(
    inputs: Iterable[str | Path],
    *,
    stdin: TextIO | BinaryIO | None = None,
    max_chars: int = MAX_ARTICLE_CHARS,
    max_file_bytes: int = MAX_FILE_BYTES,
) -> Iterator[Article | Skipped | Notice]:
    """Yield every article found in ``inputs``, in order.

    Parameters
    ----------
    inputs : paths of ``.txt``/``.md``/``.html``/``.jsonl`` files or folders
        of them (read recursively, in sorted order; other files in a folder
        are ignored), or ``"-"`` for standard input (plain text, or JSONL when
        every line is a JSON object).
    stdin : the stream ``"-"`` reads (default ``sys.stdin``); bytes are read
        from its ``buffer`` when it has one, so any encoding is handled.
    max_chars : longest article text; longer ones are split (:func:`split_text`).
    max_file_bytes : largest text or HTML file read; larger ones are skipped.

    Yields
    ------
    Article; Skipped for input that could not be read; Notice for input that
    was read with a caveat. Each article id is yielded once per run: a second
    article with a used id but other text gets the id ``ID-<hash>``, and the
    same article read twice is skipped the second time.
    """
    seen: dict[str, tuple[str, str]] = {}  # article id -> (source, content hash)
    for item in _read_inputs(inputs, stdin, max_file_bytes):
        if not isinstance(item, Article):
            yield _one_line(item)
            continue
        for part in _split_article(item, max_chars):
            for result in _unique(part, seen) if isinstance(part, Article) else (part,):
                yield result if isinstance(result, Article) else _one_line(result)


def read_bytes(raw: bytes, name: str) -> Iterator[Article | Skipped | Notice]:
    """Read the content ``raw`` of a file called ``name`` (its suffix picks the parser).

    What :func:`read_articles` does for one file, without the file: for
    the fuzzer (``fuzz/fuzz_ingest.py``) and callers that hold bytes.

    >>> [a.title for a in read_bytes(b"Talks in Ankara\\n\\nTurkey hosted talks.", "talks.txt")]
    ['Talks in Ankara']
    >>> [s.message[:6] for s in read_bytes(b"%PDF-1.7 ...", "report.txt")]
    ['[E071]']
    """
    seen: dict[str, tuple[str, str]] = {}
    for item in _read_content(raw, name, Path(name).suffix.lower()):
        if not isinstance(item, Article):
            yield _one_line(item)
            continue
        for part in _split_article(item, MAX_ARTICLE_CHARS):
            for result in _unique(part, seen) if isinstance(part, Article) else (part,):
                yield result if isinstance(result, Article) else _one_line(result)


def content_hash(text: str) -> str:
    """SHA-256 hex digest of an article's text (its identity when no id is given)."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def split_text(text: str, limit: int) -> list[str]:
    """Cut ``text`` into pieces of at most ``limit`` characters that join back into it.

    Each cut is at the last paragraph break (a blank line) that fits, else the
    last line break, else the last space, else at ``limit`` itself.

    >>> split_text("One.\\n\\nTwo.\\n\\nThree.", 12)
    ['One.\\n\\nTwo.\\n\\n', 'Three.']
    >>> "".join(split_text("x" * 25, 10)) == "x" * 25
    True
    """
    if limit < 1:
        raise ValueError("limit must be at least 1")
    pieces: list[str] = []
    start = 0
    while len(text) - start > limit:
        window = text[start : start + limit]
        cut = _last_break(window)
        pieces.append(window[:cut])
        start += cut
    pieces.append(text[start:])
    return pieces


def _last_break(window: str) -> int:
    """Length of the longest prefix of ``window`` that ends after a paragraph, line or word break."""
    for pattern in _BREAKS:
        ends = [m.end() for m in pattern.finditer(window) if m.end() > 0]
        if ends:
            return ends[-1]
    return len(window)


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


# --- inputs -------------------------------------------------------------------------------


def _read_inputs(
    inputs: Iterable[str | Path], stdin: TextIO | BinaryIO | None, max_file_bytes: int
) -> Iterator[Article | Skipped | Notice]:
    for item in inputs:
        if str(item) == "-":
            yield from _read_stdin(stdin if stdin is not None else sys.stdin)
            continue
        path = Path(item)
        try:
            is_dir, is_file = path.is_dir(), path.is_file()
        except (OSError, ValueError):  # e.g. a NUL byte in the name
            is_dir = is_file = False
        if is_dir:
            try:
                files = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SUFFIXES)
            except OSError as e:
                yield Skipped(str(path), Errors.E005.format(path=path, detail=e.strerror or e))
                continue
            for file in files:
                yield from _read_file(file, max_file_bytes)
        elif is_file:
            yield from _read_file(path, max_file_bytes)
        else:
            yield Skipped(str(path), Errors.E003.format(path=path))


def _read_stdin(stream: TextIO | BinaryIO) -> Iterator[Article | Skipped | Notice]:
    buffer = getattr(stream, "buffer", None)
    try:
        data = (buffer if buffer is not None else stream).read()
    except (OSError, UnicodeDecodeError) as e:
        yield Skipped("stdin", Errors.E005.format(path="stdin", detail=e))
        return
    if isinstance(data, str):
        yield from _read_stream(data, "stdin")
        return
    try:
        text, encoding = _decode(data)
    except _Undecodable as e:
        yield Skipped("stdin", Errors.E071.format(path="stdin", detail=e))
        return
    if encoding:
        yield Notice("stdin", Errors.E070.format(path="stdin", encoding=encoding))
    yield from _read_stream(text, "stdin")


def _read_file(path: Path, max_file_bytes: int) -> Iterator[Article | Skipped | Notice]:
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        yield Skipped(str(path), Errors.E004.format(path=path, suffix=suffix))
        return
    try:
        if suffix in JSONL_SUFFIXES:
            yield from _read_jsonl_file(path)
            return
        size = path.stat().st_size
        if size > max_file_bytes:
            yield Skipped(str(path), Errors.E073.format(path=path, size=size, limit=max_file_bytes))
            return
        raw = path.read_bytes()
    except OSError as e:
        yield Skipped(str(path), Errors.E005.format(path=path, detail=e.strerror or e))
        return
    yield from _read_content(raw, str(path), suffix)


def _read_content(raw: bytes, name: str, suffix: str) -> Iterator[Article | Skipped | Notice]:
    """Articles of one file's bytes (``suffix`` picks the parser)."""
    if suffix not in SUFFIXES:
        yield Skipped(name, Errors.E004.format(path=name, suffix=suffix))
        return
    if not raw.strip():
        yield Skipped(name, Errors.E007.format(path=name))
        return
    try:
        text, encoding = _decode(raw)
    except _Undecodable as e:
        yield Skipped(name, Errors.E071.format(path=name, detail=e))
        return
    if encoding:
        yield Notice(name, Errors.E070.format(path=name, encoding=encoding))
    if not text.strip():
        yield Skipped(name, Errors.E007.format(path=name))
    elif suffix in JSONL_SUFFIXES:
        yield from _read_jsonl_lines(text.split("\n"), name)
    elif suffix in HTML_SUFFIXES:
        yield _read_html(text, name)
    else:
        yield _text_article(text, name, default_id=Path(name).stem)


def _read_jsonl_file(path: Path) -> Iterator[Article | Skipped | Notice]:
    """Stream a JSONL file line by line (it may be far larger than memory)."""
    name = str(path)
    with path.open("rb") as stream:
        head = stream.read(_SNIFF_BYTES)
        if any(head.startswith(bom) for bom, _ in _BOMS):  # UTF-16/32: decode whole, it is rare
            yield from _read_content(head + stream.read(), name, ".jsonl")
            return
        problem = _binary_signature(head)
        if problem:
            yield Skipped(name, Errors.E071.format(path=name, detail=problem))
            return
        stream.seek(0)
        blank, warned = True, False
        for number, raw_line in enumerate(stream, 1):
            if not raw_line.strip():
                continue
            blank = False
            try:
                line = raw_line.decode("utf-8-sig" if number == 1 else "utf-8")
            except UnicodeDecodeError:
                try:
                    line, encoding = _decode(raw_line)
                except _Undecodable as e:
                    where = f"{name}:{number}"
                    yield Skipped(where, Errors.E071.format(path=where, detail=e))
                    continue
                if not warned:
                    warned = True
                    yield Notice(f"{name}:{number}", Errors.E070.format(path=f"{name}:{number}", encoding=encoding))
            yield from _jsonl_record(line, name, number)
    if blank:
        yield Skipped(name, Errors.E007.format(path=name))


# --- decoding -----------------------------------------------------------------------------


def _decode(raw: bytes) -> tuple[str, str | None]:
    """The text of ``raw`` and, when it was not UTF-8, the encoding it was decoded from.

    Raises ``_Undecodable`` for binary content: a known document signature,
    NUL bytes, no plausible text encoding, or many control characters.
    """
    for bom, encoding in _BOMS:
        if raw.startswith(bom):
            return _checked(raw.decode(encoding, errors="replace")), encoding.upper()
    problem = _binary_signature(raw[:_SNIFF_BYTES])
    if problem:
        raise _Undecodable(problem)
    try:
        return _checked(raw.decode("utf-8-sig")), None
    except UnicodeDecodeError:
        pass
    # Scraped pages in legacy encodings: keep the text rather than lose the article.
    from charset_normalizer import from_bytes  # imported only for the rare non-UTF-8 file

    best = from_bytes(raw, cp_exclusion=_NOT_GUESSED).best()
    western = from_bytes(raw, cp_isolation=["cp1252"]).best()
    # Short texts fit several code pages equally well: English news is most often Windows-1252.
    if western is not None and (best is None or western.chaos <= best.chaos):
        best = western
    if best is None:
        raise _Undecodable("no text encoding fits the bytes")
    return _checked(str(best)), best.encoding


def _binary_signature(head: bytes) -> str | None:
    for magic, what in _MAGIC:
        if head.startswith(magic):
            return what
    position = head.find(b"\x00")
    if position >= 0:
        return f"a NUL byte at offset {position}"
    return None


def _checked(text: str) -> str:
    """``text``, unless it is mostly control characters (binary data that happened to decode)."""
    sample = text[:_SNIFF_BYTES]
    control = sum(1 for c in sample if c not in "\t\n\r\f\v" and unicodedata.category(c) == "Cc")
    if control > max(4, len(sample) // 50):
        raise _Undecodable(f"{control} control characters in the first {len(sample)}")
    return text


# --- parsers ------------------------------------------------------------------------------


def _read_stream(text: str, name: str) -> Iterator[Article | Skipped | Notice]:
    lines = [line for line in text.splitlines() if line.strip()]
    if lines and all(line.lstrip().startswith("{") for line in lines):
        yield from _read_jsonl_lines(text.split("\n"), name)
    elif text.strip():
        text, notice = _valid_unicode(text, name)
        if notice:
            yield notice
        yield _text_article(text, name, default_id=None)
    else:
        yield Skipped(name, Errors.E007.format(path=name))


def _read_jsonl_lines(lines: Iterable[str], name: str) -> Iterator[Article | Skipped | Notice]:
    for number, line in enumerate(lines, 1):
        if line.strip():
            yield from _jsonl_record(line, name, number)


def _jsonl_record(line: str, name: str, number: int) -> Iterator[Article | Skipped | Notice]:
    where = f"{name}:{number}"
    try:
        record = json.loads(line)
    except (json.JSONDecodeError, RecursionError) as e:
        detail = e.msg if isinstance(e, json.JSONDecodeError) else "nested too deeply"
        yield Skipped(where, Errors.E001.format(path=name, line=number, detail=detail))
        return
    if not isinstance(record, dict):
        yield Skipped(where, Errors.E001.format(path=name, line=number, detail=type(record).__name__))
        return
    body = record.get("text")
    if not isinstance(body, str) or not body.strip():
        yield Skipped(where, Errors.E002.format(path=name, line=number))
        return
    # JSON can spell unpaired surrogates ("\ud800"): no RDF store or UTF-8 file can hold them.
    fields = {key: record.get(key) for key in ("id", "title", "url")}
    bad = sum(len(_SURROGATE.findall(v)) for v in (body, *fields.values()) if isinstance(v, str))
    if bad:
        yield Notice(where, Errors.E077.format(path=where, count=bad))
        body = _SURROGATE.sub("\ufffd", body)
        fields = {k: _SURROGATE.sub("\ufffd", v) if isinstance(v, str) else v for k, v in fields.items()}
    given_id = fields["id"]
    article_id = _id_text(given_id) if given_id not in (None, "") else _derived_id(name, body)
    published = _iso_date(record.get("date")) or find_dateline_date(body)
    yield Article(
        id=article_id,
        text=body,
        title=_optional_str(fields["title"]),
        date=published,
        url=_optional_str(fields["url"]),
        source=where,
    )


def _read_html(html: str, name: str) -> Article | Skipped:
    import trafilatura  # heavy: imported only when an HTML file is read

    try:
        document = trafilatura.bare_extraction(html, with_metadata=True)
    except Exception as e:  # a hostile page must cost only itself  # noqa: BLE001
        return Skipped(name, Errors.E074.format(path=name, detail=f"{type(e).__name__}: {e}"))
    body = getattr(document, "text", None) if document is not None else None
    if not body or not body.strip():
        return Skipped(name, Errors.E006.format(path=name))
    published = _iso_date(getattr(document, "date", None)) or find_dateline_date(body) or _date_in_name(name)
    return Article(
        id=Path(name).stem,
        text=body,
        title=_optional_str(getattr(document, "title", None)),
        date=published,
        url=_optional_str(getattr(document, "url", None)),
        source=name,
    )


def _text_article(text: str, name: str, *, default_id: str | None) -> Article:
    title = _headline(text)
    published_line = _PUBLISHED_LINE.search(text[:2000])
    published = (
        (published_line and _iso_date(published_line.group(1))) or find_dateline_date(text) or _date_in_name(name)
    )
    return Article(
        id=default_id or _derived_id(name, text),
        text=text,
        title=title,
        date=published,
        source=name,
    )


# --- after reading: size limit and unique ids -------------------------------------------


def _split_article(article: Article, max_chars: int) -> Iterator[Article | Notice]:
    """``article``, or its parts when its text is longer than ``max_chars``."""
    if len(article.text) <= max_chars:
        yield article
        return
    pieces = [p for p in split_text(article.text, max_chars) if p.strip()]
    ids = [f"{article.id}-part-{n}" for n in range(1, len(pieces) + 1)]
    yield Notice(
        article.source,
        Errors.E072.format(
            path=article.source or article.id, chars=len(article.text), limit=max_chars,
            parts=len(pieces), first=ids[0], last=ids[-1],
        ),
    )
    for n, (piece, part_id) in enumerate(zip(pieces, ids), 1):
        title = f"{article.title} (part {n} of {len(pieces)})" if article.title else None
        yield replace(article, id=part_id, text=piece, title=title)


def _unique(article: Article, seen: dict[str, tuple[str, str]]) -> Iterator[Article | Skipped | Notice]:
    """``article`` with an id no other article of this run has (each id is one named graph)."""
    digest = content_hash(article.text)
    article_id = article.id
    while article_id in seen:
        other, other_digest = seen[article_id]
        if other_digest == digest:
            yield Skipped(article.source, Errors.E076.format(path=article.source or article.id, id=article_id, other=other))
            return
        new_id = f"{article.id}-{digest[:12]}"
        if new_id == article_id:  # a second copy under the renamed id: caught as a duplicate above
            new_id = f"{article.id}-{digest}"
        yield Notice(
            article.source,
            Errors.E075.format(path=article.source or article.id, id=article_id, other=other, new_id=new_id),
        )
        article_id = new_id
    seen[article_id] = (article.source or article_id, digest)
    yield article if article_id == article.id else replace(article, id=article_id)


# --- small helpers ------------------------------------------------------------------------


def _one_line(item: Skipped | Notice) -> Skipped | Notice:
    """``item`` with control characters of its message (from file names, JSON errors) escaped:
    a message is always one line.

    >>> _one_line(Skipped("a\\nb.txt", "[E007] a\\nb.txt: the file is empty.")).message
    '[E007] a\\\\nb.txt: the file is empty.'
    """
    if not _CONTROL.search(item.message):
        return item
    message = _CONTROL.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), item.message)
    return replace(item, message=message)


def _valid_unicode(text: str, name: str) -> tuple[str, Notice | None]:
    count = len(_SURROGATE.findall(text))
    if not count:
        return text, None
    return _SURROGATE.sub("\ufffd", text), Notice(name, Errors.E077.format(path=name, count=count))


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


def _id_text(value: object) -> str:
    """A JSONL ``id`` as text: strings as given, numbers as written, anything else as compact JSON."""
    if isinstance(value, str):
        return value
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


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
