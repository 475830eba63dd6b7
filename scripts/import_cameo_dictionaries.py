"""Convert the PETRARCH2 actor, agent and discard dictionaries into kg/data (issue 17).

The sources are the Phoenix dictionaries of openeventdata/petrarch2 (Open Event Data
Alliance, MIT licence; format in their ``dictionaries.rst``). kg never reads them at run
time: it reads the files this script writes, which are committed.

    Phoenix.{Countries,International,MilNonState}.actors.txt -> kg/data/cameo_actors.jsonl
    Phoenix.agents.txt                                       -> kg/data/cameo_agents.json
    Phoenix.discards.txt                                     -> kg/data/cameo_discards.json
    CAMEO.2.0.txt (by scripts/cameo_verbs.py)                -> kg/data/cameo_verbs.json

Every output is sorted, so a re-run gives byte-identical files. The formats are
described in kg/data/README.md. Problems in the sources (an impossible date, a phrase
without a code, two codes for one agent phrase) are reported on stderr as
``file:line: warning: ...`` and the offending item is left out; a summary line per
output follows.

Usage:
    python scripts/import_cameo_dictionaries.py                     # ../shared/knowledge/petrarch2 -> kg/data
    python scripts/import_cameo_dictionaries.py SOURCE_DIR [--out kg/data] [--no-verbs]
"""
from __future__ import annotations

import argparse
import datetime as dt
import importlib
import json
import re
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SOURCE = ROOT.parent / "shared" / "knowledge" / "petrarch2"
DEFAULT_OUT = ROOT / "kg" / "data"

ACTOR_FILES = {
    "Countries": "Phoenix.Countries.actors.txt",
    "International": "Phoenix.International.actors.txt",
    "MilNonState": "Phoenix.MilNonState.actors.txt",
}
AGENT_FILE = "Phoenix.agents.txt"
DISCARD_FILE = "Phoenix.discards.txt"

#: Names left out of every dictionary (common words, given names used alone; see the file).
LEFT_OUT_FILE = Path(__file__).resolve().parent / "cameo_names_left_out.txt"

ACTORS_OUT = "cameo_actors.jsonl"
AGENTS_OUT = "cameo_agents.json"
DISCARDS_OUT = "cameo_discards.json"
VERBS_OUT = "cameo_verbs.json"

# Acronyms kept upper case inside a multi-word name ("UN Secretary General"), and as a
# single-word name where the general rule would not keep them ("NASA", "ISIS").
KEEP_UPPER = frozenset(
    """AFRICOM ANC AQAP AQI AQIM ASEAN AU BBC CENTCOM CIA CNN CPPCC DARPA DPRK ECOWAS ELN ETA EU EUCOM
    FARC FBI FEMA FSB FYROM HKSAR IAEA ICC ICJ ICRC IGAD II III IMF IRA ISIL ISIS IV KGB LTTE MDC MILF
    MNLF NASA NATO NGO NSA OAS OAU OPEC PACOM PKK PLO POTUS PRC ROK SAARC SADC SOCOM SPLA SPLM UAE UK
    UN UNDP UNESCO UNHCR UNICEF UNITA UNRWA UNSC US USA USAID USSR VI VII VIII WFP WTO ZANU""".split()
)
_VOWELS = frozenset("AEIOUY")
# Phrases whose accented letter was lost in the source (a control or replacement
# character), written as the rest of the dictionaries write such names, without accents.
REPAIRED_NAMES = {
    "LIAMINE_Z\x1aROUAL_": "LIAMINE_ZEROUAL_",
    "JAN_STRASK\x1aY": "JAN_STRASKY",
    "FUA\ufffdAMOTU_": "FUA'AMOTU_",
}
# Words of a name that make a record with dated roles a body, not a person.
ORGANIZATION_WORDS = frozenset(
    """agency alliance army assembly authority bank brigade brigades coalition committee company
    corporation council federation force forces front government group league ministry movement
    observatory organisation organization parliament party politburo republic republica rights
    soviet state treaty union""".split()
)
# Written lower case inside a name ("Islamic Republic of Afghanistan").
SMALL_WORDS = frozenset("a an and at by for in of on or the to".split())
_INITIALS = re.compile(r"\W*(?:[^\W\d_]\.)+[^\W\d_]?\.?\W*")  # U.N., B., D.C., U.K

_BRACKET = re.compile(r"\[([^\]\[]*)\]")
_RESTRICTION = re.compile(r"^(?:(?P<op>[<>])\s*(?P<date>\d+)|(?P<start>\d+)\s*-\s*(?P<end>\d+))$")
_SYNONYM_SPLIT = re.compile(r"\s\+|\+(?=_)")  # "+A_ +B_", "...ISLAMI+_ISLAMIC..."; not "B+H"
_PAREN = re.compile(r"\(([^()]*)\)")
_ACRONYM = re.compile(r"[A-Z0-9.&\-]*[A-Z][A-Z0-9.&\-]*")
_SUBSTITUTION_SET = re.compile(r"^(![A-Z]+!)\s*=\s*(.*)$")
_MARKER = re.compile(r"![A-Z]+!")
_AGENT_LINE = re.compile(r"^(?P<phrase>[^\[{]*?)\s*(?:\{(?P<plural>[^}]*)\})?\s*\[(?P<code>[^\]}]*)[\]}]\s*$")
_MOJIBAKE = re.compile("[\u00c2\u00c3][\u0080-\u02ff\u2010-\u203a]|\ufffd")
_BROKEN = re.compile("[\x00-\x08\x0b-\x1f\x7f\ufffd]")  # replacement and control characters
_NOT_NOUNS = frozenset("a an and at by de for from in of on or the to with".split())
_NO_PLURAL_MAN = frozenset({"human", "german", "roman", "shaman", "ottoman", "talisman", "caiman"})


class ConversionError(Exception):
    """A source problem that stops the conversion; the message names file and line."""


def warn(path: Path | str, line: int, message: str) -> None:
    print(f"{path}:{line}: warning: {message}", file=sys.stderr)


def read_lines(path: Path) -> list[str]:
    """The lines of ``path`` (UTF-8), without their line ends."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise ConversionError(f"{path}: cannot read: {error.strerror}") from error
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise ConversionError(f"{path}:{line}: not UTF-8: {error.reason}") from error
    return text.splitlines()


def split_comment(line: str) -> tuple[str, str]:
    """(content, comment) of a line: a comment runs from the first ``#``."""
    content, _, comment = line.partition("#")
    return content, comment


# ---------------------------------------------------------------- names


def parse_date(text: str) -> str:
    """ISO date of ``YYYYMMDD`` or ``YYMMDD`` (a two-digit year below 30 is 20YY, else 19YY).

    >>> parse_date("20070101"), parse_date("550101"), parse_date("000101")
    ('2007-01-01', '1955-01-01', '2000-01-01')
    """
    if len(text) == 8:
        year, rest = int(text[:4]), text[4:]
    elif len(text) == 6:
        short = int(text[:2])
        year, rest = (2000 + short if short < 30 else 1900 + short), text[2:]
    else:
        raise ValueError(f"date {text!r} has {len(text)} digits, not 6 or 8")
    try:
        return dt.date(year, int(rest[:2]), int(rest[2:])).isoformat()
    except ValueError as error:
        raise ValueError(f"impossible date {text!r} ({error})") from None


def display_case(name: str, *, short_upper: bool = True) -> str:
    """A name as displayed: words title-cased ("Al-Qaeda", "O'Neill", "People's"), but for
    a few small words after the first ("of", "the", "and"); initials with periods ("U.N.",
    "B."), roman numerals and well-known acronyms stay upper case (``KEEP_UPPER``), and so
    does a single-word name of at most five letters when ``short_upper`` ("IAEA").

    >>> display_case("ABDELAZIZ BOUTEFLIKA"), display_case("AL-QAEDA IN IRAQ"), display_case("U.N. SECRETARY GEN.")
    ('Abdelaziz Bouteflika', 'Al-Qaeda in Iraq', 'U.N. Secretary Gen.')
    >>> display_case("ICJ"), display_case("BOEING"), display_case("PUTIN", short_upper=False)
    ('ICJ', 'Boeing', 'Putin')
    """
    words = name.split(" ")
    if len(words) == 1:
        letters = sum(ch.isalpha() for ch in name)
        if (short_upper and letters <= 5) or _INITIALS.fullmatch(name) or name.upper() in KEEP_UPPER:
            return name.upper()
    return " ".join(_word_case(word, i == 0) for i, word in enumerate(words))


def _word_case(word: str, first: bool = True) -> str:
    if _INITIALS.fullmatch(word) or word.upper() in KEEP_UPPER:
        return word.upper()
    if not first and word.lower() in SMALL_WORDS:
        return word.lower()
    return "".join(_part_case(part) for part in re.split(r"([\-/+])", word))


def _part_case(part: str) -> str:
    lowered = part.lower()
    for i, ch in enumerate(lowered):
        if ch.isalnum():
            lowered = lowered[:i] + ch.upper() + lowered[i + 1 :]
            break
    match = re.fullmatch(r"(\W*[A-Za-z]')([a-z])([a-z]+.*)", lowered)  # O'Neill, D'Ivoire
    if match:
        lowered = match[1] + match[2].upper() + match[3]
    return lowered


def _is_acronym(text: str, rest: str) -> bool:
    """Whether ``text``, in parentheses after ``rest``, is its acronym ("IAA" after "ISLAMIC
    ARMY OF ADEN"): one token of at most four letters, or the initials of ``rest``."""
    if " " in text or not _ACRONYM.fullmatch(text):
        return False
    letters = [ch for ch in text if ch.isalpha()]
    if len(letters) <= 4:
        return True
    initials = iter(word[0] for word in re.split(r"[\s\-]+", rest) if word)
    return all(any(letter == initial for initial in initials) for letter in letters)


def clean_name(raw: str, path: Path | str, number: int) -> tuple[str, list[str]]:
    """(name, acronyms) of a raw phrase string, upper case as in the source: underscores
    to spaces, a parenthesised acronym taken out ("ISLAMIC_ARMY_OF_ADEN_(IAA)_" ->
    "ISLAMIC ARMY OF ADEN", ["IAA"]); other parentheses are kept, unbalanced ones and
    stray brackets dropped with a warning."""
    text = " ".join(raw.replace("_", " ").split())
    if "[" in text or "]" in text:
        warn(path, number, f"stray bracket in name {raw.strip()!r} dropped")
        text = " ".join(text.replace("[", " ").replace("]", " ").split())
    acronyms: list[str] = []

    def keep_or_take(match: re.Match[str]) -> str:
        inner = " ".join(match[1].split())
        rest = (text[: match.start()] + " " + text[match.end() :]).strip()
        if _is_acronym(inner.upper(), rest.upper()):
            acronyms.append(inner.upper())
            return " "
        return f"\x00{inner}\x01"  # kept, put back below

    text = _PAREN.sub(keep_or_take, text)
    if "(" in text or ")" in text:
        cleaned = re.sub(r"\([^()]*$", "", text).replace(")", " ")
        shown = " ".join(cleaned.split()).replace("\x00", "(").replace("\x01", ")")
        warn(path, number, f"unbalanced parenthesis in name {raw.strip()!r}: read as {shown!r}")
        text = cleaned
    text = text.replace("\x00", "(").replace("\x01", ")")
    return " ".join(text.split()).strip(" ,"), acronyms


# ---------------------------------------------------------------- actors


@dataclass
class _Record:
    dictionary: str
    line: int
    names: list[tuple[str, int]] = field(default_factory=list)  # raw phrases with their lines
    code: str | None = None
    has_default: bool = False
    roles: list[list[str | None]] = field(default_factory=list)
    comments: list[str] = field(default_factory=list)


def parse_brackets(content: str, record: _Record, path: Path | str, number: int) -> None:
    """Add the ``[CODE]`` and ``[CODE restriction]`` groups of a line to ``record``."""
    for match in _BRACKET.finditer(content):
        parts = match[1].split(None, 1)
        if not parts:
            warn(path, number, "empty brackets ignored")
            continue
        code = parts[0].upper()
        code_or_none = None if code == "---" else code
        if len(parts) == 1:
            if record.has_default:
                warn(path, number, f"second default code [{code}] ignored (the record has [{record.code or '---'}])")
                continue
            record.code, record.has_default = code_or_none, True
            continue
        role = parse_restriction(code_or_none, parts[1].strip(), path, number)
        if role is not None:
            record.roles.append(role)


def parse_restriction(code: str | None, text: str, path: Path | str, number: int) -> list[str | None] | None:
    """``[code, start, end]`` of a date restriction (``<date``, ``>date``, ``date-date``),
    None with a warning if it cannot be read."""
    match = _RESTRICTION.match(text)
    if code is None:
        warn(path, number, f"date restriction {text!r} without a code dropped")
        return None
    if match is None:
        warn(path, number, f"unreadable date restriction [{code} {text}] dropped")
        return None
    try:
        if match["op"] == "<":
            return [code, None, parse_date(match["date"])]
        if match["op"] == ">":
            return [code, parse_date(match["date"]), None]
        start, end = parse_date(match["start"]), parse_date(match["end"])
    except ValueError as error:
        warn(path, number, f"{error}: restriction [{code} {text}] dropped")
        return None
    if start > end:
        warn(path, number, f"restriction [{code} {text}] ends before it starts: dropped")
        return None
    return [code, start, end]


def _records_of(lines: Iterable[str], dictionary: str, path: Path | str) -> Iterator[_Record]:
    """The raw records of an actor dictionary, in file order.

    As PETRARCH reads them, a primary phrase without a code that directly follows a
    record with no code yet is one more synonym of it (``LEONID_BREZHNEV_`` then
    ``LEONID_ILYICH_BREZHNEV`` then the dates of both); here only if no blank or
    comment line comes between. An indented phrase is a synonym too.
    """
    record: _Record | None = None
    gap = False  # a blank or comment line since the last line of the record
    for number, line in enumerate(lines, 1):
        content, comment = split_comment(line)
        if not content.strip():
            gap = True
            # A comment line indented by spaces is what is left of a primary line whose
            # phrase was deleted: what follows is another actor, not the previous one.
            if line.startswith(" ") and line.lstrip().startswith("#"):
                if record is not None:
                    yield record
                record = _Record(dictionary, number, comments=[comment])
            continue
        stripped = content.strip()
        if stripped.startswith("["):  # a code or date restriction line
            if record is None:
                warn(path, number, "code line before any actor phrase ignored")
                continue
            parse_brackets(stripped, record, path, number)
            if comment:
                record.comments.append(comment)
            gap = False
            continue
        phrase_part, bracket, codes = stripped.partition("[")
        synonym = stripped.startswith("+") or line[0] in " \t"
        if line[0] in " \t" and not stripped.startswith("+"):
            warn(path, number, "indented phrase read as a synonym")
        if not synonym and record is not None and record.names and not bracket and not gap:
            synonym = not record.has_default and not record.roles
        if synonym and record is None:
            warn(path, number, "synonym before any actor phrase ignored")
            continue
        if not synonym:
            if record is not None:
                yield record
            record = _Record(dictionary, number)
        assert record is not None
        for phrase in _SYNONYM_SPLIT.split(phrase_part.lstrip("+")):
            if phrase.strip(" _+"):
                record.names.append((phrase.strip().lstrip("+"), number))
        if bracket:
            parse_brackets(bracket + codes, record, path, number)
        if comment:
            record.comments.append(comment)
        gap = False
    if record is not None:
        yield record


def _actor_type(record: _Record) -> str:
    """Person (a leaders list's comment, or dated roles unless the name says it is a
    body), Country (a three-letter code in the Countries dictionary), or Organization."""
    if record.dictionary == "MilNonState":
        return "Organization"
    comments = " ".join(record.comments)
    if "CountryInfo" in comments or "rulers" in comments:
        return "Person"
    codes = [record.code] + [role[0] for role in record.roles]
    if record.dictionary == "Countries" and any(code and len(code) == 3 and code.isalpha() for code in codes):
        return "Country"  # a state, also one that some dates make a part of another ("USRARM")
    if record.roles and not (set(_first_name(record).split()) & ORGANIZATION_WORDS):
        return "Person"
    return "Organization"


def _first_name(record: _Record) -> str:
    return " ".join(record.names[0][0].replace("_", " ").lower().split()) if record.names else ""


def left_out_names(path: Path = LEFT_OUT_FILE) -> frozenset[str]:
    """The names listed in ``path`` (one a line; ``#`` starts a comment line)."""
    return frozenset(line.strip() for line in read_lines(path) if line.strip() and not line.lstrip().startswith("#"))


def is_left_out(name: str, left_out: frozenset[str]) -> bool:
    """Whether a name stays out of kg's gazetteer: a listed common word or given name, or a name
    of digits only ("313", "380")."""
    return name in left_out or name.replace(" ", "").isdigit()


def finish_record(record: _Record, path: Path | str, left_out: frozenset[str] = frozenset()) -> dict[str, Any] | None:
    """The output object of a raw record, None if it has no name (``left_out``: see :func:`is_left_out`)."""
    kind = _actor_type(record)
    names: list[str] = []
    for raw, number in record.names:
        raw = REPAIRED_NAMES.get(raw.strip(), raw)
        if _BROKEN.search(raw):
            warn(path, number, f"name {raw!r} has an undecodable or control character: dropped")
            continue
        name, acronyms = clean_name(raw, path, number)
        short_upper = kind != "Person" and (record.dictionary != "Countries" or not (set(name) & _VOWELS) or len(name) <= 3)
        names.extend(display_case(n, short_upper=short_upper) for n in [name] if n)
        names.extend(acronyms)
    by_key: dict[str, str] = {}
    for name in names:  # the first of each name, case-insensitively, in file order
        by_key.setdefault(name.casefold(), name)
    unique = list(by_key.values())
    kept = [name for name in unique if not is_left_out(name, left_out)]
    if unique and not kept:
        warn(path, record.line, f"every name of the actor ({', '.join(unique)}) is left out: dropped")
        return None
    unique = kept
    if not unique:
        if record.code or record.roles:
            warn(path, record.line, "an actor without a phrase dropped")
        return None
    return {
        "name": unique[0],
        "aliases": unique[1:],
        "type": kind,
        "code": record.code,
        "roles": record.roles,
        "dictionary": record.dictionary,
    }


def parse_actor_file(path: Path, dictionary: str) -> tuple[list[dict[str, Any]], int]:
    """(records, dropped) of one actor dictionary: the records in file order, and how many
    were dropped for having no code, no date restriction and no synonym, or only names left out."""
    records: list[dict[str, Any]] = []
    dropped = 0
    left_out = left_out_names()
    for raw in _records_of(read_lines(path), dictionary, path):
        record = finish_record(raw, path, left_out)
        if record is None or (record["code"] is None and not record["roles"] and not record["aliases"]):
            dropped += 1
            continue
        records.append(record)
    return records, dropped


def sort_actors(records: Iterable[dict[str, Any]]) -> tuple[list[dict[str, Any]], int]:
    """(records sorted by dictionary and name, exact duplicates removed; duplicates)."""
    unique: dict[str, dict[str, Any]] = {}
    total = 0
    for record in records:
        total += 1
        unique.setdefault(actor_line(record), record)
    ordered = sorted(unique.items(), key=lambda item: (item[1]["dictionary"], item[1]["name"].casefold(), item[1]["name"], item[0]))
    return [record for _, record in ordered], total - len(unique)


def actor_line(record: dict[str, Any]) -> str:
    """A record as a line of the JSONL file: compact, keys in the order of the format."""
    return json.dumps(record, ensure_ascii=False, separators=(",", ":"))


def write_actors(records: Iterable[dict[str, Any]], path: Path) -> None:
    write_text(path, "".join(actor_line(record) + "\n" for record in records))


# ---------------------------------------------------------------- agents


def regular_plural(phrase: str) -> str | None:
    """The regular plural of a phrase (its last word), None for a word that ends in a single
    ``s`` (already plural), in a period, or that is a preposition or article.

    >>> [regular_plural(w) for w in ("guerrilla", "militia army", "attorney", "witness", "church", "monarch", "policeman", "taxpayers")]
    ['guerrillas', 'militia armies', 'attorneys', 'witnesses', 'churches', 'monarchs', 'policemen', None]
    """
    head, _, last = phrase.rpartition(" ")
    prefix = f"{head} " if head else ""
    if not last[-1:].isalpha() or last in _NOT_NOUNS:  # "1st lt.", "observers in"
        return None
    if last.endswith("y") and len(last) > 1 and last[-2] not in "aeiou":
        return f"{prefix}{last[:-1]}ies"
    if last.endswith(("ss", "sh", "x", "z")) or (last.endswith("ch") and not last.endswith("arch")):
        return f"{prefix}{last}es"
    if last.endswith("s"):
        return None
    if last.endswith("man") and last not in _NO_PLURAL_MAN:
        return f"{prefix}{last[:-3]}men"
    return f"{prefix}{last}s"


def agent_phrase(text: str) -> str:
    """A dictionary phrase as a key: lower case, underscores and blanks to single spaces."""
    return " ".join(text.replace("_", " ").split()).lower()


def parse_agents(path: Path) -> dict[str, Any]:
    """The agent dictionary: ``agents`` (``~CODE``) and ``prefix_agents`` (``CODE~``), phrase -> code."""
    lines = read_lines(path)
    substitutions: dict[str, list[str]] = {}
    for number, line in enumerate(lines, 1):
        match = _SUBSTITUTION_SET.match(split_comment(line)[0].strip())
        if match:
            substitutions[match[1]] = [item.strip() for item in match[2].split(",") if item.strip()]
    explicit: list[tuple[str, str, str, int]] = []  # (phrase, table, code, line): as written
    generated: list[tuple[str, str, str, int]] = []  # regular plurals, after every explicit one
    for number, line in enumerate(lines, 1):
        content = split_comment(line)[0].strip()
        if not content or _SUBSTITUTION_SET.match(content):
            continue
        match = _AGENT_LINE.match(content)
        if match is None:
            warn(path, number, f"agent phrase without a [code]: {content!r} ignored")
            continue
        code = match["code"].strip().upper()
        if code.startswith("~") and not code.endswith("~"):
            table, code = "agents", code[1:]
        elif code.endswith("~") and not code.startswith("~"):
            table, code = "prefix_agents", code[:-1]
        else:
            warn(path, number, f"agent code [{code}] is neither ~CODE nor CODE~: ignored")
            continue
        raw = match["phrase"]
        if _MOJIBAKE.search(raw):
            warn(path, number, f"agent phrase {raw!r} is mis-encoded: ignored")
            continue
        markers = _MARKER.findall(raw)
        unknown = [m for m in markers if m not in substitutions]
        if unknown:
            warn(path, number, f"unknown substitution marker {unknown[0]}: {raw!r} ignored")
            continue
        forms = [raw]
        for marker in dict.fromkeys(markers):
            forms = [form.replace(marker, item) for form in forms for item in substitutions[marker]]
        for form in forms:
            explicit.append((agent_phrase(form), table, code, number))
        if match["plural"] is not None:
            for plural in match["plural"].split(","):
                if agent_phrase(plural):
                    explicit.append((agent_phrase(plural), table, code, number))
        elif not markers:
            plural = regular_plural(agent_phrase(raw))
            if plural:
                generated.append((plural, table, code, number))
    tables: dict[str, dict[str, str]] = {"agents": {}, "prefix_agents": {}}
    first: dict[str, tuple[str, str, int]] = {}
    for is_plural, entries in ((False, explicit), (True, generated)):
        for phrase, table, code, number in entries:
            if phrase in first:
                kept_table, kept_code, kept_line = first[phrase]
                if (kept_table, kept_code) != (table, code) and not is_plural:
                    warn(path, number, f"{phrase!r} is [{_shown(table, code)}] here but [{_shown(kept_table, kept_code)}] at line {kept_line}: the first kept")
                continue
            first[phrase] = (table, code, number)
            tables[table][phrase] = code
    return {
        "substitutions_expanded": True,
        "agents": dict(sorted(tables["agents"].items())),
        "prefix_agents": dict(sorted(tables["prefix_agents"].items())),
    }


def _shown(table: str, code: str) -> str:
    return f"~{code}" if table == "agents" else f"{code}~"


# ---------------------------------------------------------------- discards


def parse_discards(path: Path) -> dict[str, list[dict[str, Any]]]:
    """The discard list: ``sentence`` and ``story`` (a ``+`` prefix) phrases, lower case,
    ``whole_word`` for a phrase ending in ``_`` (else it matches as a stem)."""
    lists: dict[str, dict[tuple[str, bool], dict[str, Any]]] = {"sentence": {}, "story": {}}
    for number, line in enumerate(read_lines(path), 1):
        content = split_comment(line)[0].strip()
        if not content:
            continue
        kind = "sentence"
        if content.startswith("+"):
            kind, content = "story", content[1:].strip()
        whole_word = content.endswith("_")
        phrase = agent_phrase(content)
        if not phrase:
            warn(path, number, "empty discard phrase ignored")
            continue
        lists[kind].setdefault((phrase, whole_word), {"phrase": phrase, "whole_word": whole_word})
    return {kind: [entries[key] for key in sorted(entries)] for kind, entries in lists.items()}


# ---------------------------------------------------------------- output


def write_text(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="\n") as stream:
        stream.write(text)


def dumps_lines(data: dict[str, Any]) -> str:
    """JSON of an object whose values are objects or lists: sorted keys, one entry (a
    phrase and its code, a discard) per line, UTF-8, a final newline.

    >>> print(dumps_lines({"b": [{"phrase": "x", "whole_word": True}], "a": {"z": "1", "y": "2"}, "c": True}), end="")
    {
    "a": {
      "y": "2",
      "z": "1"
    },
    "b": [
      {"phrase": "x", "whole_word": true}
    ],
    "c": true
    }
    """

    def one(value: Any) -> str:
        return json.dumps(value, ensure_ascii=False, sort_keys=True)

    parts = []
    for key in sorted(data):
        value = data[key]
        if isinstance(value, dict) and value:
            inner = ",\n".join(f"  {one(k)}: {one(value[k])}" for k in sorted(value))
            parts.append(f"{one(key)}: {{\n{inner}\n}}")
        elif isinstance(value, list) and value:
            inner = ",\n".join(f"  {one(item)}" for item in value)
            parts.append(f"{one(key)}: [\n{inner}\n]")
        else:
            parts.append(f"{one(key)}: {one(value)}")
    return "{\n" + ",\n".join(parts) + "\n}\n"


def write_agents(data: dict[str, Any], path: Path) -> None:
    write_text(path, dumps_lines(data))


def write_discards(data: dict[str, Any], path: Path) -> None:
    write_text(path, dumps_lines(data))


def write_verbs(source_dir: Path, path: Path) -> bool:
    """Write the verb dictionary with ``scripts/cameo_verbs.py`` (imported only now); False,
    with a warning, if that module is not there."""
    scripts = str(Path(__file__).resolve().parent)
    if scripts not in sys.path:
        sys.path.insert(0, scripts)
    try:
        module = importlib.import_module("cameo_verbs")
    except ModuleNotFoundError as error:
        if error.name != "cameo_verbs":
            raise
        print(f"warning: scripts/cameo_verbs.py not found: {path.name} not written", file=sys.stderr)
        return False
    try:
        data = module.convert_verbs(source_dir)
    except OSError as error:
        raise ConversionError(f"scripts/cameo_verbs.py: {error}") from error
    dumps = getattr(module, "dumps", None)
    text = dumps(data) if dumps else json.dumps(data, indent=None, sort_keys=True, ensure_ascii=False, separators=(",", ":")) + "\n"
    write_text(path, text)
    return True


def convert(source_dir: Path, out_dir: Path, *, verbs: bool = True) -> dict[str, Any]:
    """Convert every dictionary of ``source_dir`` into ``out_dir``; returns the counts."""
    records: list[dict[str, Any]] = []
    dropped = 0
    for dictionary, name in ACTOR_FILES.items():
        found, lost = parse_actor_file(source_dir / name, dictionary)
        records.extend(found)
        dropped += lost
    actors, duplicates = sort_actors(records)
    write_actors(actors, out_dir / ACTORS_OUT)
    agents = parse_agents(source_dir / AGENT_FILE)
    write_agents(agents, out_dir / AGENTS_OUT)
    discards = parse_discards(source_dir / DISCARD_FILE)
    write_discards(discards, out_dir / DISCARDS_OUT)
    wrote_verbs = write_verbs(source_dir, out_dir / VERBS_OUT) if verbs else False
    per_dictionary = {d: sum(r["dictionary"] == d for r in actors) for d in ACTOR_FILES}
    return {
        "records": per_dictionary,
        "names": sum(1 + len(r["aliases"]) for r in actors),
        "dropped": dropped,
        "duplicates": duplicates,
        "agents": len(agents["agents"]),
        "prefix_agents": len(agents["prefix_agents"]),
        "sentence_discards": len(discards["sentence"]),
        "story_discards": len(discards["story"]),
        "verbs": wrote_verbs,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("source_dir", nargs="?", type=Path, default=DEFAULT_SOURCE, help="folder of the PETRARCH2 dictionaries (default: %(default)s)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder (default: %(default)s)")
    parser.add_argument("--no-verbs", action="store_true", help=f"do not write {VERBS_OUT}")
    args = parser.parse_args(argv)
    try:
        counts = convert(args.source_dir, args.out, verbs=not args.no_verbs)
    except ConversionError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    records = ", ".join(f"{d} {n}" for d, n in counts["records"].items())
    print(
        f"{ACTORS_OUT}: {records} records, {counts['names']} names, {counts['dropped']} dropped (no code, date or synonym, or every name left out), "
        f"{counts['duplicates']} duplicates merged",
        file=sys.stderr,
    )
    print(f"{AGENTS_OUT}: {counts['agents']} agent phrases, {counts['prefix_agents']} prefix agent phrases", file=sys.stderr)
    print(f"{DISCARDS_OUT}: {counts['sentence_discards']} sentence, {counts['story_discards']} story discards", file=sys.stderr)
    if counts["verbs"]:
        print(f"{VERBS_OUT}: written by scripts/cameo_verbs.py", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
