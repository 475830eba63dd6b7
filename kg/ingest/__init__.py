"""Ingest: read news articles from files, folders, JSONL or standard input.

The first stage: paths in, :class:`kg.records.Article` records out. Files are
read by the reader registered for their suffix (:mod:`kg.ingest.readers`:
text, HTML, JSONL), after decoding (:mod:`kg.ingest.decode`); web pages are
fetched by :mod:`kg.ingest.web` and read as HTML files are, and
:mod:`kg.ingest.feeds` finds the pages that feeds and sitemaps list. Every article
gets a stable id (the one given, else one derived from its content) and,
where one can be found, a publication date (the JSONL field, HTML metadata,
or a wire dateline such as ``WARSAW, Poland, March 11, 2024 (KGW) —``;
:mod:`kg.ingest.metadata`).

Bad input never stops the run: :func:`read_articles` yields a
:class:`~kg.records.Skipped` record with a one-line, coded message for an
input it could not read, a :class:`~kg.records.Notice` for one it read with a
caveat (decoded from a legacy encoding, split because of its size), and goes
on. The rules and limits are in ``docs/reliability.md``.

>>> [a.id for a in read_articles(["-"], stdin=io.StringIO("Poland sent tanks to Ukraine."))]
['stdin-3873c5d6bd2f']
"""
from __future__ import annotations

import io  # noqa: F401  (the example above)
import re
import sys
from collections.abc import Iterable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import BinaryIO, TextIO

from kg.errors import Errors
from kg.ingest.decode import Undecodable, decode
from kg.ingest.metadata import DATELINE, content_hash, find_dateline_date
from kg.ingest.readers import input_files, read_content, read_stream, reader_for, suffix_list
from kg.ingest.screen import screen
from kg.ingest.web import is_url, read_url
from kg.records import Article, Notice, Skipped

__all__ = [
    "DATELINE",
    "MAX_ARTICLE_CHARS",
    "MAX_FILE_BYTES",
    "content_hash",
    "find_dateline_date",
    "one_line",
    "read_articles",
    "read_bytes",
    "read_inputs",
    "split_article",
    "split_text",
    "unique",
]

#: Most characters of text one article may have; a longer one is split at paragraph breaks into
#: several (see :func:`split_text`). An article's graph is one transaction, whose memory grows
#: with the article (docs/reliability.md, "Memory").
MAX_ARTICLE_CHARS = 200_000
#: Largest ``.txt``/``.md``/``.html`` file read (JSONL files are streamed line by line, without a limit).
MAX_FILE_BYTES = 64 * 1024 * 1024

Items = Iterator[Article | Skipped | Notice]
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
# Where an over-long article may be cut, best first: after a blank line, a line break, a space.
_BREAKS = (re.compile(r"\n[^\S\n]*\n\s*"), re.compile(r"\n\s*"), re.compile(r"\s+"))


def read_articles(
    inputs: Iterable[str | Path | Article],
    *,
    stdin: TextIO | BinaryIO | None = None,
    max_chars: int = MAX_ARTICLE_CHARS,
    max_file_bytes: int = MAX_FILE_BYTES,
    languages: Iterable[str] | None = None,
) -> Items:
    """Yield every article found in ``inputs``, in order.

    Parameters
    ----------
    inputs : paths of ``.txt``/``.md``/``.html``/``.jsonl`` files or folders
        of them (read recursively, in sorted order; other files in a folder
        are ignored), ``"-"`` for standard input (plain text, or JSONL when
        every line is a JSON object), ``http(s)://`` URLs of web pages
        (fetched by :func:`kg.ingest.web.read_url`), or articles already read.
    stdin : the stream ``"-"`` reads (default ``sys.stdin``); bytes are read
        from its ``buffer`` when it has one, so any encoding is handled.
    max_chars : longest article text; longer ones are split (:func:`split_text`).
    max_file_bytes : largest text or HTML file read; larger ones are skipped.
    languages : ISO 639-1 codes of the languages an article may be in
        (``("en",)``); one in another is skipped (E078, :func:`kg.ingest.screen.screen`).
        ``None`` (the default) reads every language. Text that is mostly
        template code is skipped whatever the languages (E079).

    Yields
    ------
    Article; Skipped for input that could not be read; Notice for input that
    was read with a caveat. Each article id is yielded once per run: a second
    article with a used id but other text gets the id ``ID-<hash>``, and the
    same article read twice is skipped the second time.
    """
    yield from _checked(read_inputs(inputs, stdin, max_file_bytes), max_chars, languages)


def read_bytes(raw: bytes, name: str) -> Items:
    """Read the content ``raw`` of a file called ``name`` (its suffix picks the reader).

    What :func:`read_articles` does for one file, without the file: for
    the fuzzer (``fuzz/fuzz_ingest.py``) and callers that hold bytes.

    >>> [a.title for a in read_bytes(b"Talks in Ankara\\n\\nTurkey hosted talks.", "talks.txt")]
    ['Talks in Ankara']
    >>> [s.message[:6] for s in read_bytes(b"%PDF-1.7 ...", "report.txt")]
    ['[E071]']
    """
    yield from _checked(read_content(raw, name, Path(name).suffix.lower()), MAX_ARTICLE_CHARS)


def _checked(items: Iterable[Article | Skipped | Notice], max_chars: int, languages: Iterable[str] | None = None) -> Items:
    """Articles screened (:func:`kg.ingest.screen.screen`), split to ``max_chars`` and given unique ids;
    messages on one line."""
    seen: dict[str, tuple[str, str]] = {}  # article id -> (source, content hash)
    accepted = tuple(languages) if languages is not None else None
    for item in items:
        if not isinstance(item, Article):
            yield one_line(item)
            continue
        problem = screen(item, accepted)
        if problem is not None:
            yield one_line(problem)
            continue
        for part in split_article(item, max_chars):
            for result in unique(part, seen) if isinstance(part, Article) else (part,):
                yield result if isinstance(result, Article) else one_line(result)


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


# ---------------------------------------------------------------- inputs


def read_inputs(inputs: Iterable[str | Path | Article], stdin: TextIO | BinaryIO | None, max_file_bytes: int) -> Items:
    """What each input holds, as read, before articles are split and their ids made unique
    (an :class:`~kg.records.Article` given as an input is taken as it is)."""
    pages: dict[str, str] = {}  # canonical URL -> the URL input read as it: two links to one page are one article
    for item in inputs:
        if isinstance(item, Article):
            yield item
            continue
        if str(item) == "-":
            yield from _read_stdin(stdin if stdin is not None else sys.stdin)
            continue
        if isinstance(item, str) and is_url(item):
            yield from read_url(item, pages)
            continue
        for found in input_files(Path(item)):  # what cannot be read is named (E003, E005, E140)
            if isinstance(found, Skipped):
                yield found
            else:
                yield from _read_file(found, max_file_bytes)


def _read_stdin(stream: TextIO | BinaryIO) -> Items:
    buffer = getattr(stream, "buffer", None)
    try:
        data = (buffer if buffer is not None else stream).read()
    except (OSError, UnicodeDecodeError) as e:
        yield Skipped("stdin", Errors.E005.format(path="stdin", detail=e))
        return
    if isinstance(data, str):
        yield from read_stream(data, "stdin")
        return
    try:
        text, encoding = decode(data)
    except Undecodable as e:
        yield Skipped("stdin", Errors.E071.format(path="stdin", detail=e))
        return
    if encoding:
        yield Notice("stdin", Errors.E070.format(path="stdin", encoding=encoding))
    yield from read_stream(text, "stdin")


def _read_file(path: Path, max_file_bytes: int) -> Items:
    suffix = path.suffix.lower()
    reader = reader_for(suffix)
    if reader is None:
        yield Skipped(str(path), Errors.E004.format(path=path, suffix=suffix, choices=suffix_list()))
        return
    try:
        if reader.read_path is not None:
            yield from reader.read_path(path)
            return
        size = path.stat().st_size
        if size > max_file_bytes:
            yield Skipped(str(path), Errors.E073.format(path=path, size=size, limit=max_file_bytes))
            return
        raw = path.read_bytes()
    except OSError as e:
        yield Skipped(str(path), Errors.E005.format(path=path, detail=e.strerror or e))
        return
    yield from read_content(raw, str(path), suffix)


# ---------------------------------------------------------------- after reading: size limit and unique ids


def split_article(article: Article, max_chars: int) -> Iterator[Article | Notice]:
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


def unique(article: Article, seen: dict[str, tuple[str, str]]) -> Items:
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


def one_line(item: Skipped | Notice) -> Skipped | Notice:
    """``item`` with control characters of its message (from file names, JSON errors) escaped:
    a message is always one line.

    >>> one_line(Skipped("a\\nb.txt", "[E007] a\\nb.txt: the file is empty.")).message
    '[E007] a\\\\nb.txt: the file is empty.'
    """
    if not _CONTROL.search(item.message):
        return item
    message = _CONTROL.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), item.message)
    return replace(item, message=message)
