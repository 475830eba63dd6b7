"""Convert the CAMEO verb dictionary of PETRARCH2 into kg/data/cameo_verbs.json.

The source is ``CAMEO.2.0.txt`` (Open Event Data Alliance, MIT licence; format in
``dictionaries.rst``, "Verb Dictionary"); the PLOVER type of each CAMEO code comes
from the official table ``CAMEO2PLOVER-2021.txt``. kg never reads either file at run
time: :mod:`kg.extraction.cameo_verbs` reads the JSON this writes.

The JSON (``version`` 1), every key sorted and every list in file order, so that a
re-run gives identical bytes:

``codes``
    CAMEO code -> PLOVER 2021 type, for every code the dictionary uses: the table's
    own row, else the row of its three-digit parent, else its root's; appeals (02x) are ``REQUEST``, as
    kg's lexicon codes them, and statements (01x), which PLOVER dropped, ``null``.
``synsets``
    name (lower case, without ``&``) -> its phrases, lower case, words apart by
    spaces, head last, with the regular plurals the rules make (``+S``, ``Y`` to
    ``IES``, ``SS`` + ``ES``; none for a phrase or a set whose name ends in ``_``).
``verbs``
    spaCy-style lemma (``"freeze"``; a multiword verb as ``"cordon off"``, the verb
    first) -> ``[block, code]``: the block whose patterns it takes, and the code of the
    verb alone (its own, else its block's; ``null`` for ``---``: alone it is no event).
``blocks``
    block name -> its patterns, each an object with ``line`` (in the source), ``code``
    (the active code, ``null`` for ``---`` or a passive-only code) and what it needs:
    ``subject`` (a noun phrase before the verb), ``object`` (a noun phrase after it),
    ``particle`` (``"off"``), ``preps`` (``[[preposition, noun phrase or null], ...]``),
    ``subject_preps``, ``passive`` (the code after ``:``, kept but not used), and ``verbs``
    (the verbs of the block its comment names, where the pattern was first found).
    A noun phrase is a string of words, head last; ``&name`` is any phrase of a synset.

Left out: the irregular forms ``{...}`` (kg reads spaCy's lemmas), the actor markers
``$ + ^ %`` of patterns, and the transformations (``~`` lines).

Usage::

    python scripts/cameo_verbs.py [SOURCE_DIR [PLOVER_TABLE]]   # writes kg/data/cameo_verbs.json
"""
from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

__all__ = ["DICTIONARY", "PLOVER_TABLE", "convert_verbs", "dumps", "parse_plover_table", "parse_verbs"]

ROOT = Path(__file__).resolve().parent.parent
DICTIONARY = "CAMEO.2.0.txt"
PLOVER_TABLE = "CAMEO2PLOVER-2021.txt"
OUTPUT = ROOT / "kg" / "data" / "cameo_verbs.json"
DEFAULT_SOURCE = ROOT.parent / "shared" / "knowledge" / "petrarch2"

#: Words after a verb that are its particle, wherever they stand among the post-verb words.
PARTICLES = frozenset({"up", "off", "down", "out", "back", "forward", "together", "away", "aside", "ahead"})
#: Words that open a prepositional phrase when written without parentheses ("* ON TRIP").
PREPOSITIONS = frozenset(
    {"about", "against", "as", "at", "before", "behind", "between", "by", "for", "from", "in", "into", "of", "on", "over",
     "through", "to", "toward", "towards", "under", "upon", "with", "within", "without"}
)
_MARKERS = frozenset({"$", "+", "^", "%"})
_CODE = re.compile(r"\d{3,4}")


def convert_verbs(source_dir: Path, plover_table: Path | None = None) -> dict[str, Any]:
    """The JSON-able data of ``kg/data/cameo_verbs.json`` from ``source_dir/CAMEO.2.0.txt``.

    ``plover_table`` is ``CAMEO2PLOVER-2021.txt``; by default it is looked for in
    ``source_dir``, then in ``eval/`` beside the folder holding ``source_dir`` (the
    layout of the shared knowledge and eval folders).
    """
    source_dir = Path(source_dir)
    table = plover_table or _find_table(source_dir)
    data = parse_verbs((source_dir / DICTIONARY).read_text(encoding="utf-8", errors="replace"))
    data["codes"] = _codes(data, parse_plover_table(table.read_text(encoding="utf-8")))
    return {
        "version": 1,
        "description": "CAMEO verb dictionary of PETRARCH2 (CAMEO.2.0.txt, Open Event Data Alliance, MIT licence) as "
        "matchers over the dependency parse, with the PLOVER 2021 type of each CAMEO code (CAMEO2PLOVER-2021.txt). "
        "Written by scripts/cameo_verbs.py; do not edit.",
        "codes": data["codes"],
        "synsets": data["synsets"],
        "verbs": data["verbs"],
        "blocks": data["blocks"],
    }


def dumps(data: dict[str, Any]) -> str:
    """The file's text: sorted keys, one pattern, verb or synset per line."""
    lines = ["{"]
    for i, (key, value) in enumerate(data.items()):
        comma = "," if i < len(data) - 1 else ""
        if isinstance(value, dict) and key in ("codes", "synsets", "verbs", "blocks"):
            lines.append(f"  {json.dumps(key)}: {{")
            items = sorted(value.items())
            for j, (name, entry) in enumerate(items):
                inner = "," if j < len(items) - 1 else ""
                if key == "blocks":
                    lines.append(f"    {json.dumps(name)}: [")
                    for k, pattern in enumerate(entry):
                        sep = "," if k < len(entry) - 1 else ""
                        lines.append(f"      {json.dumps(pattern, sort_keys=True, ensure_ascii=False)}{sep}")
                    lines.append(f"    ]{inner}")
                else:
                    lines.append(f"    {json.dumps(name)}: {json.dumps(entry, ensure_ascii=False)}{inner}")
            lines.append(f"  }}{comma}")
        else:
            lines.append(f"  {json.dumps(key)}: {json.dumps(value, ensure_ascii=False)}{comma}")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _find_table(source_dir: Path) -> Path:
    for candidate in (source_dir / PLOVER_TABLE, source_dir.parent.parent / "eval" / PLOVER_TABLE):
        if candidate.is_file():
            return candidate
    raise FileNotFoundError(f"{PLOVER_TABLE} is neither in {source_dir} nor in {source_dir.parent.parent / 'eval'}: pass plover_table")


# ---------------------------------------------------------------- the PLOVER table


def parse_plover_table(text: str) -> dict[str, str]:
    """CAMEO code -> PLOVER type, from the lines ``NNN: TYPE, mode, context # what``."""
    codes: dict[str, str] = {}
    for line in text.splitlines():
        match = re.match(r"\s*(\d{2,4})\s*:\s*([A-Z]+)", line)
        if match:
            codes.setdefault(match.group(1), match.group(2))
    return codes


def _codes(data: dict[str, Any], table: dict[str, str]) -> dict[str, str | None]:
    used = {entry[1] for entry in data["verbs"].values() if entry[1]}
    used |= {p[key] for patterns in data["blocks"].values() for p in patterns for key in ("code", "passive") if p.get(key)}
    return {code: _plover(code, table) for code in sorted(used)}


def _plover(code: str, table: dict[str, str]) -> str | None:
    if code.startswith("01"):
        return None  # public statements: no PLOVER type
    if code.startswith("02"):
        return "REQUEST"  # appeals: PLOVER's REQUEST, as kg's lexicon has it
    for key in (code, code[:3], code[:2]):  # the code's row, its parent's, its root's (176, cyber attack: COERCE)
        if key in table:
            return table[key]
    raise ValueError(f"CAMEO code {code} is in no row of the PLOVER table")


# ---------------------------------------------------------------- the verb dictionary


def parse_verbs(text: str) -> dict[str, Any]:
    """Synsets, verbs and blocks of patterns of a PETRARCH verb dictionary's text (without ``codes``)."""
    synsets: dict[str, list[str]] = {}
    verbs: dict[str, list[str | None]] = {}
    blocks: dict[str, list[dict[str, Any]]] = {}
    forms: dict[str, dict[str, str]] = {}  # block -> verb form (upper case) -> lemma
    synset: str | None = None
    block: str | None = None
    block_code: str | None = None
    in_patterns = False
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.split("#", 1)[0].rstrip()
        if raw.startswith("####### VERB PATTERNS"):
            in_patterns, synset = True, None
            continue
        if not line.strip():
            continue
        if not in_patterns:
            if line.startswith("&"):
                synset = line.strip()[1:]
                synsets.setdefault(_synset_key(synset), [])
            elif line.startswith("+") and synset is not None:
                _add_member(synsets[_synset_key(synset)], line.strip()[1:], plurals=not synset.endswith("_"))
            continue
        if line.startswith("---"):
            block, block_code = _block_header(line)
            blocks.setdefault(block, [])
        elif line.startswith("-"):
            if block is not None:
                pattern = _pattern(line[1:], number, synsets)
                if pattern is not None:
                    origin = _origin(raw, forms.get(block, {}))
                    if origin:
                        pattern["verbs"] = origin
                    blocks[block].append(pattern)
        elif line.startswith("~") or line.startswith("<"):
            continue  # transformations, and the end marker of old files
        elif block is not None:
            lemma, code = _verb(line)
            if lemma:
                for form in _forms(line):
                    forms.setdefault(block, {}).setdefault(form, lemma)
            if lemma and lemma not in verbs:  # the first block a verb is in is its meaning, as in PETRARCH2
                verbs[lemma] = [block, code if code != "" else block_code]
    return {"synsets": synsets, "verbs": verbs, "blocks": blocks}


def _synset_key(name: str) -> str:
    return name.rstrip("_").lower()


def _plural(word: str) -> str:
    if word.endswith("y"):
        return word[:-1] + "ies"
    if word.endswith("ss"):
        return word + "es"
    return word + "s"


def _add_member(members: list[str], term: str, *, plurals: bool) -> None:
    """A synset phrase, and its regular plural unless the phrase or the set ends in ``_``."""
    plural = plurals and not term.endswith("_")
    words = _words(term.rstrip("_").replace("_", " "))
    if not words:
        return
    for phrase in [" ".join(words)] + ([" ".join(words[:-1] + [_plural(words[-1])])] if plural else []):
        if phrase not in members:
            members.append(phrase)


def _words(text: str) -> list[str]:
    """Lower-case words of a phrase; a hyphenated word is its parts, as spaCy splits it ("peace-keeper")."""
    out = []
    for word in text.lower().split():
        out += [part for part in word.split("-") if part] if not word.startswith("&") else [word]
    return out


def _block_header(line: str) -> tuple[str, str | None]:
    """``---  FREEZE   [---]  ---`` -> ``("FREEZE", None)``."""
    inner = line.strip().strip("-").strip()
    code_match = re.search(r"\[([^\]]*)\]", inner)
    name = inner[: code_match.start()].strip() if code_match else inner
    return name or "?", _active_code(code_match.group(1))[0] if code_match else None


def _active_code(text: str) -> tuple[str | None, str | None]:
    """``"042:043"`` -> ``("042", "043")``; ``"---"`` and ``":173"`` have no active code."""
    active, _, passive = text.strip().partition(":")

    def clean(code: str) -> str | None:
        match = _CODE.search(code)
        return match.group(0) if match else None

    return clean(active), clean(passive)


def _verb(line: str) -> tuple[str | None, str | None | str]:
    """A verb line -> (lemma, own code); the code is ``""`` when the line gives none."""
    code: str | None | str = ""
    match = re.search(r"\[([^\]]*)\]", line)
    if match:
        code = _active_code(match.group(1))[0]
        line = line[: match.start()]
    line = re.sub(r"\{[^}]*\}", " ", line)
    words = line.split()
    if not words:
        return None, code
    primary = words[0].lstrip("+").replace("+", "")
    parts = [part for part in primary.lower().split("_") if part]
    return (" ".join(parts) if parts else None), code


def _forms(line: str) -> list[str]:
    """The forms of a verb line, upper case, words joined by ``_``: the primary one, its
    irregular forms ``{...}``, else its regular ones as PETRARCH2 makes them."""
    line = re.sub(r"\[[^\]]*\]", " ", line)
    braces = re.search(r"\{([^}]*)\}", line)
    primary = re.sub(r"\{[^}]*\}", " ", line).split()[0].replace("+", "")
    found = [primary]
    if braces:
        found += [form.replace("+", "") for form in braces.group(1).split()]
    else:
        stem, _, rest = primary.partition("_")
        tail = "_" + rest if rest else ""
        plural = stem + "ES" if stem.endswith(("S", "X", "Z")) else stem[:-1] + "IES" if stem.endswith("Y") else stem + "S"
        past = stem + "D" if stem.endswith("E") else stem + "ED"
        gerund = stem[:-1] + "ING" if stem.endswith("E") and len(stem) > 1 and stem[-2] not in "AEIOU" else stem + "ING"
        found += [form + tail for form in (plural, past, gerund)]
    return found


def _origin(raw: str, forms: dict[str, str]) -> list[str]:
    """The verbs of the block a pattern's comment names: where the pattern was first found."""
    if "#" not in raw:
        return []
    comment = raw.split("#", 1)[1].upper()
    found = [forms[word] for word in re.findall(r"[A-Z][A-Z_'-]*", comment) if word in forms]
    return sorted(set(found))


# ---------------------------------------------------------------- patterns


def _pattern(body: str, number: int, synsets: dict[str, list[str]]) -> dict[str, Any] | None:
    """One pattern line (after its ``-``) as a pattern object, or ``None`` when it cannot be read
    (no ``*``, no code, or a synset not defined)."""
    match = re.search(r"\[([^\]]*)\]\s*$", body.strip())
    if not match or "*" not in body:
        return None
    code, passive = _active_code(match.group(1))
    before, _, after = body.strip()[: match.start()].partition("*")
    if any(word.strip("{}()").lstrip("&").rstrip("_").lower() not in synsets for word in re.findall(r"&[\w'-]+", body)):
        return None
    pattern: dict[str, Any] = {"line": number, "code": code}
    if passive:
        pattern["passive"] = passive
    subject, subject_preps, _ = _segment(before)
    obj, preps, particle = _segment(after)
    if subject:
        pattern["subject"] = subject
    if subject_preps:
        pattern["subject_preps"] = subject_preps
    if obj:
        pattern["object"] = obj
    if particle:
        pattern["particle"] = particle
    if preps:
        pattern["preps"] = preps
    return pattern


def _segment(text: str) -> tuple[str | None, list[list[str | None]], str | None]:
    """One side of a pattern -> (noun phrase, prepositional phrases, particle).

    ``(FOR {FINANCIAL AID})`` is a prepositional phrase, ``{FINANCIAL AID}`` a noun phrase
    (head last), a bare word a noun, a particle or, unbracketed, a preposition opening a
    phrase that runs to the next one ("* ON TRIP")."""
    preps: list[list[str | None]] = []
    for group in re.findall(r"\(([^)]*)\)", text):
        words = _words(group.replace("{", " ").replace("}", " "))
        words = [w for w in words if w not in _MARKERS]
        if words:
            preps.append([words[0], " ".join(words[1:]) or None])
    rest = re.sub(r"\([^)]*\)", " ", text).replace("{", " ").replace("}", " ")
    words = [w for w in _words(rest.replace("_", " ")) if w not in _MARKERS]
    particle = next((w for w in words if w in PARTICLES), None)
    if particle is not None:
        words.remove(particle)
    noun: list[str] = []
    open_prep: list[str] | None = None
    for word in words:
        if word in PREPOSITIONS:
            if open_prep is not None:
                preps.append([open_prep[0], " ".join(open_prep[1:]) or None])
            open_prep = [word]
        elif open_prep is not None:
            open_prep.append(word)
        else:
            noun.append(word)
    if open_prep is not None:
        preps.append([open_prep[0], " ".join(open_prep[1:]) or None])
    return (" ".join(noun) or None), preps, particle


def main(argv: list[str]) -> int:
    source = Path(argv[1]) if len(argv) > 1 else DEFAULT_SOURCE
    table = Path(argv[2]) if len(argv) > 2 else None
    OUTPUT.write_text(dumps(convert_verbs(source, table)), encoding="utf-8")
    print(f"wrote {OUTPUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
