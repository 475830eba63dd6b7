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
from collections.abc import Iterator
from datetime import date, datetime
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

__all__ = [
    "DATELINE",
    "content_hash",
    "date_in_name",
    "datelines",
    "derived_id",
    "find_dateline_date",
    "headline",
    "id_text",
    "iso_date",
    "match_dateline",
    "optional_str",
    "page_date",
    "published_line_date",
]

# Upper-case letters of the Latin scripts, for places such as "BOGOTÁ" and "ŁÓDŹ".
_UPPER = "A-Z" + "".join(ch for ch in map(chr, range(0xC0, 0x250)) if ch.isupper())
_MONTH = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November|December"
    r"|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\.?"
)
_WORD = rf"[{_UPPER}](?:[^\W\d_]|['’.\-])*"  # letters, no digits: "COVID-19 - The" is no place
# The shape of a wire dateline at the start of a paragraph: a place (upper case,
# checked by match_dateline), up to two ", Region" parts, a date, an agency in
# parentheses, then a dash (—, –, --, a hyphen or AP's old "_" between spaces).
# "KYIV, Ukraine (AP) —", "WARSAW, Poland, March 11, 2024 (KGW) —",
# "BEIJING, Jan. 5 (Xinhua) --", "WASHINGTON (Reuters) -", "BOGOTA --".
DATELINE = re.compile(
    rf"^[ \t]*(?P<place>{_WORD}(?: {_WORD}){{0,5}})"
    rf"(?P<region>(?:,[ ]*{_WORD}(?: (?:{_WORD}|and|of|the|de|del|da|do|d['’]{_WORD})){{0,4}}){{0,2}}?)"
    rf"(?:,[ ]*(?P<date>{_MONTH} \d{{1,2}}(?:,? \d{{4}})?|\d{{1,2}} {_MONTH}(?:,? \d{{4}})?))?"
    r"(?:[ ]*\((?P<agency>[^()\n]{1,40})\))?"
    r"[ ]*(?P<dash>—|–|―|--|(?<=[\s)])[-_](?=\s))[ \t]*",
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
    >>> find_dateline_date("LONDON, 11 March 2024 (Reuters) - Britain protested.")
    '2024-03-11'
    """
    for match in datelines(text[:5000]):
        raw = match.group("date")
        if not raw:
            continue
        parsed = _parse_month_day(raw, year_hint)
        if parsed:
            return parsed
    return None


def match_dateline(text: str, pos: int = 0) -> re.Match[str] | None:
    """The wire dateline opening the paragraph at ``pos`` of ``text``, if it is one.

    :data:`DATELINE` gives the shape; a dateline also needs a sentence after
    its dash (not one in lower case: "NATO - the alliance - said") and a place
    that reads as one: in upper case ("BOGOTA --"), or in title case before a
    news agency ("Bogota (AFP) -"). A bare upper-case word with no region,
    date or agency is no place when it names an actor ("NATO - The alliance
    said", kg/data/furniture.json).

    >>> match_dateline("MINSK, Belarus (AP) — Belarus closed the border.").group("place")
    'MINSK'
    >>> match_dateline("BOGOTA -- Police arrested a man.").end()
    10
    >>> match_dateline("NATO - The alliance met.") is None, match_dateline("BOGOTA police arrested a man.") is None
    (True, True)
    """
    match = DATELINE.match(text, pos, pos + 300)  # a dateline is short: never read a whole long line
    return match if match and _reads_as_dateline(match) else None


def datelines(text: str) -> Iterator[re.Match[str]]:
    """The wire datelines opening paragraphs of ``text`` (see :func:`match_dateline`)."""
    return (match for match in DATELINE.finditer(text) if _reads_as_dateline(match))


def _reads_as_dateline(match: re.Match[str]) -> bool:
    text, end = match.string, match.end()
    line_end = text.find("\n", end)
    rest = text[end : line_end if line_end >= 0 else len(text)]
    if not rest or rest[0].islower() or not any(ch.islower() for ch in rest):
        return False  # no sentence follows: "NATO - the alliance -", "RUSSIA INVADES - LIVE"
    place, agency = match.group("place"), match.group("agency")
    if not place.isupper():
        return bool(agency) and len(place.split()) <= 3 and agency.strip().casefold() in _credits()
    if agency or match.group("region") or match.group("date"):
        return True
    letters = [ch for ch in place if ch.isalpha()]
    first_word = re.split(r"[ \-]", place, maxsplit=1)[0]
    actor = {place.strip("."), first_word.strip(".")} & _not_places()  # "NATO —", "FARC-EP —", "US ARMY —"
    return len(letters) >= 3 and bool(_VOWEL.search(place)) and not actor


_VOWEL = re.compile(r"[AEIOUYÀ-ÆÈ-ÏÒ-ÖØ-Ü]")


@lru_cache(maxsize=1)
def _furniture() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(resources.files("kg.data").joinpath("furniture.json").read_text(encoding="utf-8"))
    return data


@lru_cache(maxsize=1)
def _credits() -> frozenset[str]:
    return frozenset(name.casefold() for name in _furniture()["credits"]["names"])


@lru_cache(maxsize=1)
def _not_places() -> frozenset[str]:
    return frozenset(_furniture()["dateline"]["not_places"])


def _parse_month_day(raw: str, year_hint: int | None) -> str | None:
    cleaned = raw.replace(".", "").replace(",", "").replace("Sept ", "Sep ")
    candidates = [cleaned] + ([f"{cleaned} {year_hint}"] if year_hint else [])
    for candidate in candidates:
        for fmt in ("%B %d %Y", "%b %d %Y", "%d %B %Y", "%d %b %Y"):
            try:
                return datetime.strptime(candidate, fmt).date().isoformat()
            except ValueError:
                pass
    return None


def published_line_date(text: str) -> str | None:
    """The date of a "Published 2024-05-02" line near the top of a text."""
    found = _PUBLISHED_LINE.search(text[:2000])
    return iso_date(found.group(1)) if found else None


# A page's own statement of when it was published, best first: Open Graph / article metadata,
# schema.org microdata, Dublin Core and the names news sites and their analytics use.
_DATE_META = (
    "article:published_time", "og:article:published_time", "datepublished", "dc.date.issued", "dcterms.issued",
    "dc.date", "dcterms.date", "date", "pubdate", "publishdate", "publish-date", "parsely-pub-date", "sailthru.date",
)
_ARTICLE_TYPES = {"article", "newsarticle", "reportagenewsarticle", "analysisnewsarticle", "blogposting", "report", "webpage"}


def page_date(html: str) -> str | None:
    """The publication date a web page gives of itself: its ``<meta>`` tags
    (``article:published_time``, ``itemprop="datePublished"``, ``dc.date`` ...), else
    the ``datePublished`` of its JSON-LD article (not of the articles it links to),
    else a ``<time itemprop="datePublished">``. ``None`` when it gives none.

    Dates anywhere else on the page (teasers of related articles, archives) are
    not the article's: :func:`kg.ingest.readers.read_html` looks at them last.

    >>> page_date('<html><head><meta property="article:published_time" content="2024-03-11T07:30:00Z"></head></html>')
    '2024-03-11'
    >>> page_date('<script type="application/ld+json">{"@type": "NewsArticle", "datePublished": "2024-03-11"}</script>')
    '2024-03-11'
    """
    from lxml import etree, html as lxml_html  # lxml comes with trafilatura

    try:
        root = lxml_html.fromstring(html)
    except (etree.LxmlError, ValueError, TypeError):
        return None
    found: dict[str, str] = {}
    for meta in root.iter("meta"):
        key = (meta.get("property") or meta.get("name") or meta.get("itemprop") or "").strip().lower()
        value = iso_date(meta.get("content"))
        if key in _DATE_META and value and key not in found:
            found[key] = value
    for key in _DATE_META:
        if key in found:
            return found[key]
    for script in root.iter("script"):
        if (script.get("type") or "").strip().lower() != "application/ld+json" or not script.text:
            continue
        try:
            data = json.loads(script.text)
        except (json.JSONDecodeError, RecursionError):
            continue
        value = _json_ld_date(data)
        if value:
            return value
    for element in root.iter("time"):
        if (element.get("itemprop") or "").lower() == "datepublished":
            value = iso_date(element.get("datetime"))
            if value:
                return value
    return None


def _json_ld_date(data: object) -> str | None:
    """The ``datePublished`` of the article a JSON-LD block describes (top level or in its ``@graph``)."""
    items = data if isinstance(data, list) else [data]
    items = [graph_item for item in items if isinstance(item, dict) for graph_item in [item, *(item.get("@graph") or [])]]
    for item in items:
        if not isinstance(item, dict):
            continue
        kinds = item.get("@type")
        kinds = kinds if isinstance(kinds, list) else [kinds]
        if any(isinstance(k, str) and k.lower() in _ARTICLE_TYPES for k in kinds):
            value = iso_date(item.get("datePublished"))
            if value:
                return value
    return None


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
