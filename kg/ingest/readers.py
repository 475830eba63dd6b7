"""Readers of each kind of input file, registered by suffix: plain text (``.txt``,
``.md``), web pages (``.html``, ``.htm``, main text by trafilatura) and JSONL (one
article per line). A new kind of file is one :func:`register_reader` call.

>>> [r.name for r in readers()]
['text', 'html', 'jsonl']
>>> reader_for(".MD").name
'text'
>>> [a.title for a in reader_for(".txt").read_text("Talks in Ankara\\n\\nTurkey hosted talks.", "talks.txt")]
['Talks in Ankara']
"""
from __future__ import annotations

import json
import os
import re
import stat
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from kg.errors import Errors
from kg.ingest.decode import BOMS, SNIFF_BYTES, Undecodable, binary_signature, decode, valid_unicode
from kg.ingest.metadata import (
    date_in_name,
    derived_id,
    find_dateline_date,
    headline,
    id_text,
    iso_date,
    optional_str,
    page_date,
    published_line_date,
)
from kg.ingest.screen import page_problem
from kg.records import Article, Notice, Skipped

__all__ = [
    "Reader",
    "input_files",
    "jsonl_record",
    "read_content",
    "read_stream",
    "reader_for",
    "readers",
    "register_reader",
    "suffix_list",
    "suffixes",
]

Items = Iterator[Article | Skipped | Notice]
_SURROGATE = re.compile("[\ud800-\udfff]")


@dataclass(frozen=True)
class Reader:
    """How to read one kind of file.

    ``read_text(text, name)`` yields the articles of the decoded text of the
    file ``name``; ``read_path(path)``, when given, streams a file from disk
    instead, whatever its size (JSONL files may be larger than memory).
    """

    name: str
    suffixes: tuple[str, ...]
    read_text: Callable[[str, str], Items]
    read_path: Callable[[Path], Items] | None = None


_READERS: dict[str, Reader] = {}  # suffix -> reader


def register_reader(reader: Reader) -> Reader:
    """Register (or replace) ``reader`` for each of its suffixes (lower case, with the dot)."""
    for suffix in reader.suffixes:
        _READERS[suffix.lower()] = reader
    return reader


def reader_for(suffix: str) -> Reader | None:
    """The reader of files ending in ``suffix``, if any."""
    return _READERS.get(suffix.lower())


def readers() -> list[Reader]:
    """The registered readers, in registration order."""
    return list(dict.fromkeys(_READERS.values()))


def suffixes() -> frozenset[str]:
    """Every suffix a reader is registered for."""
    return frozenset(_READERS)


def suffix_list() -> str:
    """The suffixes for a message: ".txt, .md, .html, .htm or .jsonl"."""
    names = list(_READERS)
    return ", ".join(names[:-1]) + f" or {names[-1]}" if len(names) > 1 else "".join(names)


def input_files(path: Path) -> Iterator[Path | Skipped]:
    """The files an input path names: the path itself if it is a file, else the files of a
    folder and its subfolders that a reader reads (other files are ignored), in sorted order.

    What cannot be read is named, never dropped: a missing path (E003), one that cannot
    be looked at or is neither file nor folder (E005), a folder or subfolder that cannot
    be listed (E140), a file in a folder whose kind cannot be told (E005).

    >>> [item.message for item in input_files(Path("no/such/file.txt"))]
    ['[E003] no/such/file.txt: no such file or directory.']
    """
    try:
        mode = path.stat().st_mode
    except (FileNotFoundError, NotADirectoryError, ValueError):  # ValueError: a NUL byte in the name
        yield Skipped(str(path), Errors.E003.format(path=path))
        return
    except OSError as e:
        yield Skipped(str(path), Errors.E005.format(path=path, detail=e.strerror or e))
        return
    if stat.S_ISREG(mode):
        yield path
    elif stat.S_ISDIR(mode):
        yield from _folder_files(path)
    else:
        yield Skipped(str(path), Errors.E005.format(path=path, detail="neither a file nor a folder"))


def _folder_files(folder: Path) -> Iterator[Path | Skipped]:
    known = suffixes()
    found: list[tuple[Path, Path | Skipped]] = []

    def unlisted(error: OSError) -> None:
        where = Path(error.filename) if error.filename else folder
        found.append((where, Skipped(str(where), Errors.E140.format(path=where, detail=error.strerror or error))))

    # Symbolic links to folders are not followed (a link to a parent would loop); links to files are read.
    for root, _folders, names in os.walk(folder, onerror=unlisted):
        for name in names:
            path = Path(root, name)
            if path.suffix.lower() not in known:
                continue
            try:
                if path.is_file():
                    found.append((path, path))
            except OSError as e:
                found.append((path, Skipped(str(path), Errors.E005.format(path=path, detail=e.strerror or e))))
    for _, item in sorted(found, key=lambda pair: pair[0]):
        yield item


def read_content(raw: bytes, name: str, suffix: str) -> Items:
    """Articles of the bytes ``raw`` of the file ``name``, by the reader of ``suffix``."""
    reader = reader_for(suffix)
    if reader is None:
        yield Skipped(name, Errors.E004.format(path=name, suffix=suffix, choices=suffix_list()))
        return
    if not raw.strip():
        yield Skipped(name, Errors.E007.format(path=name))
        return
    try:
        text, encoding = decode(raw)
    except Undecodable as e:
        yield Skipped(name, Errors.E071.format(path=name, detail=e))
        return
    if encoding:
        yield Notice(name, Errors.E070.format(path=name, encoding=encoding))
    if not text.strip():
        yield Skipped(name, Errors.E007.format(path=name))
    else:
        yield from reader.read_text(text, name)


# ---------------------------------------------------------------- plain text


def read_text_file(text: str, name: str) -> Items:
    """A text file is one article, its id the file's name."""
    yield _text_article(text, name, default_id=Path(name).stem)


def _text_article(text: str, name: str, *, default_id: str | None) -> Article:
    published = published_line_date(text) or find_dateline_date(text) or date_in_name(name)
    return Article(
        id=default_id or derived_id(name, text),
        text=text,
        title=headline(text),
        date=published,
        source=name,
    )


def read_stream(text: str, name: str) -> Items:
    """Standard input: JSONL when every line is a JSON object, else one article of plain text."""
    lines = [line for line in text.splitlines() if line.strip()]
    if lines and all(line.lstrip().startswith("{") for line in lines):
        yield from _jsonl_lines(text.split("\n"), name)
    elif text.strip():
        text, notice = valid_unicode(text, name)
        if notice:
            yield notice
        yield _text_article(text, name, default_id=None)
    else:
        yield Skipped(name, Errors.E007.format(path=name))


# ---------------------------------------------------------------- web pages


def read_html(html: str, name: str) -> Items:
    """A web page is one article: its main text, title, date and URL as trafilatura finds them.

    A page whose main text is template code (E079) or too short to be an
    article (E009, :func:`kg.ingest.screen.page_problem`) is skipped. Its date
    is the one the page gives of itself (:func:`kg.ingest.metadata.page_date`:
    ``<meta>``, JSON-LD), else a dateline or "Published" line of the main
    text, else trafilatura's (which may come from a teaser of another
    article), else one in the file name.
    """
    import trafilatura  # heavy: imported only when an HTML file is read

    try:
        document = trafilatura.bare_extraction(html, with_metadata=True)
    except Exception as e:  # a hostile page must cost only itself  # noqa: BLE001
        yield Skipped(name, Errors.E074.format(path=name, detail=f"{type(e).__name__}: {e}"))
        return
    body = getattr(document, "text", None) if document is not None else None
    if not body or not body.strip():
        yield Skipped(name, Errors.E006.format(path=name))
        return
    problem = page_problem(body, name)
    if problem is not None:
        yield problem
        return
    published = (
        page_date(html)
        or published_line_date(body)
        or find_dateline_date(body)
        or iso_date(getattr(document, "date", None))
        or date_in_name(name)
    )
    yield Article(
        id=Path(name).stem,
        text=body,
        title=optional_str(getattr(document, "title", None)),
        date=published,
        url=optional_str(getattr(document, "url", None)),
        source=name,
    )


# ---------------------------------------------------------------- JSONL


def read_jsonl_text(text: str, name: str) -> Items:
    yield from _jsonl_lines(text.split("\n"), name)


def read_jsonl_path(path: Path) -> Items:
    """Stream a JSONL file line by line (it may be far larger than memory)."""
    name = str(path)
    with path.open("rb") as stream:
        head = stream.read(SNIFF_BYTES)
        if any(head.startswith(bom) for bom, _ in BOMS):  # UTF-16/32: decode whole, it is rare
            yield from read_content(head + stream.read(), name, ".jsonl")
            return
        problem = binary_signature(head)
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
                    line, encoding = decode(raw_line)
                except Undecodable as e:
                    where = f"{name}:{number}"
                    yield Skipped(where, Errors.E071.format(path=where, detail=e))
                    continue
                if not warned:
                    warned = True
                    yield Notice(f"{name}:{number}", Errors.E070.format(path=f"{name}:{number}", encoding=encoding))
            yield from jsonl_record(line, name, number)
    if blank:
        yield Skipped(name, Errors.E007.format(path=name))


def _jsonl_lines(lines: Iterable[str], name: str) -> Items:
    for number, line in enumerate(lines, 1):
        if line.strip():
            yield from jsonl_record(line, name, number)


def jsonl_record(line: str, name: str, number: int) -> Items:
    """The article of line ``number`` of the JSONL file ``name`` (or why it has none)."""
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
    article_id = id_text(given_id) if given_id not in (None, "") else derived_id(name, body)
    published = iso_date(record.get("date")) or find_dateline_date(body)
    yield Article(
        id=article_id,
        text=body,
        title=optional_str(fields["title"]),
        date=published,
        url=optional_str(fields["url"]),
        source=where,
    )


register_reader(Reader("text", (".txt", ".md"), read_text_file))
register_reader(Reader("html", (".html", ".htm"), read_html))
register_reader(Reader("jsonl", (".jsonl",), read_jsonl_text, read_jsonl_path))
