"""Bytes to text: UTF-8 first, byte-order marks, legacy encodings guessed by
charset-normalizer; binary content (documents misnamed ``.txt``, NUL bytes,
control characters) refused with the reason.

>>> decode("Zürich".encode("cp1252"))
('Zürich', 'cp1252')
>>> binary_signature(b"%PDF-1.7")
'a PDF document'
"""
from __future__ import annotations

import re
import unicodedata

from kg.errors import Errors
from kg.records import Notice

__all__ = ["BOMS", "SNIFF_BYTES", "Undecodable", "binary_signature", "decode", "valid_unicode"]

#: How much of a file is looked at to tell text from binary content.
SNIFF_BYTES = 8192
BOMS = (  # UTF-32 first: its little-endian mark starts with UTF-16's.
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
_SURROGATE = re.compile("[\ud800-\udfff]")


class Undecodable(Exception):
    """Raw bytes that are not text (the message says why)."""


def decode(raw: bytes) -> tuple[str, str | None]:
    """The text of ``raw`` and, when it was not UTF-8, the encoding it was decoded from.

    Raises ``Undecodable`` for binary content: a known document signature,
    NUL bytes, no plausible text encoding, or many control characters.
    """
    for bom, encoding in BOMS:
        if raw.startswith(bom):
            return _checked(raw.decode(encoding, errors="replace")), encoding.upper()
    problem = binary_signature(raw[:SNIFF_BYTES])
    if problem:
        raise Undecodable(problem)
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
        raise Undecodable("no text encoding fits the bytes")
    return _checked(str(best)), best.encoding


def binary_signature(head: bytes) -> str | None:
    """What the first bytes of a file show it to be when it is not text (``None``: maybe text)."""
    for magic, what in _MAGIC:
        if head.startswith(magic):
            return what
    position = head.find(b"\x00")
    if position >= 0:
        return f"a NUL byte at offset {position}"
    return None


def _checked(text: str) -> str:
    """``text``, unless it is mostly control characters (binary data that happened to decode)."""
    sample = text[:SNIFF_BYTES]
    control = sum(1 for c in sample if c not in "\t\n\r\f\v" and unicodedata.category(c) == "Cc")
    if control > max(4, len(sample) // 50):
        raise Undecodable(f"{control} control characters in the first {len(sample)}")
    return text


def valid_unicode(text: str, name: str) -> tuple[str, Notice | None]:
    """``text`` with unpaired surrogates (which no RDF store or UTF-8 file can hold) replaced, and a notice if any were."""
    count = len(_SURROGATE.findall(text))
    if not count:
        return text, None
    return _SURROGATE.sub("\ufffd", text), Notice(name, Errors.E077.format(path=name, count=count))
