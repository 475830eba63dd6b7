"""CAMEO actor codes: the code of an actor as mentioned, at the article's date.

A code is the actor's root, a state's ISO3 code or an international one
(``IGO``, ``NGO``...), followed by its sector, the three letters of its role:
``RUSGOV`` (Russia's government), ``COLCOP`` (Colombia's police), ``MEXREB``
(Mexican rebels), ``IGOUNO`` (the United Nations). A state named as a whole
has its bare root (``RUS``). Where the codes come from, first found wins:

1. the CAMEO dictionaries' record of the actor (``kg/data/cameo_actors.jsonl``)
   with its dated roles: the role whose range holds the article's date, else the
   record's default ("Jacques Chirac" is ``FRAGOV`` in 2003, ``FRAELI`` in 2020);
   an undated article takes the role still held when the dictionaries were made;
2. an agent noun of the mention (``kg/data/cameo_agents.json``): "Egyptian riot
   police" -> ``COP``, "the Foreign Minister" -> ``GOV``; for a person, also the
   office kg knows them by ("President" -> ``GOV``);
3. what the actor is: a seat of government ("the Kremlin") -> ``GOV``, a state's
   armed forces -> ``MIL``.

Codes are cut to root and sector (six letters): the finer roles of the
dictionaries ("IGOUNOKID") are not kept.

>>> from kg.extraction.actors import Entity
>>> chirac = Entity("Jacques Chirac", "Person", "FRA", "https://w3id.org/kg/id/person/jacques-chirac")
>>> actor_code(chirac, "Jacques Chirac", "2003-03-02"), actor_code(chirac, "Jacques Chirac", "2020-01-01")
(('GOV', 'FRAGOV'), ('ELI', 'FRAELI'))
>>> police = Entity("Egyptian armed forces", "ArmedForce", "EGY", "https://w3id.org/kg/id/force/egy-armed-forces")
>>> actor_code(police, "Egyptian riot police", None)
('COP', 'EGYCOP')
"""
from __future__ import annotations

import json
import re
from collections.abc import Mapping
from functools import lru_cache
from importlib import resources
from types import MappingProxyType
from typing import Any, Protocol

from kg.extraction.gazetteer import lookup
from kg.extraction.gazetteer_data import cameo_country, cameo_records, normalize

__all__ = ["actor_code", "agent_code", "load_code_data", "role_on"]

_SECTOR = 3  # letters of a root and of a sector
_WORD = re.compile(r"[a-z]+(?:-[a-z]+)*")
_MAX_AGENT_WORDS = 4
# Sectors of what kg resolves without an agent noun.
_TYPE_SECTORS = {"ArmedForce": "MIL"}


class _Actor(Protocol):
    @property
    def label(self) -> str: ...
    @property
    def type(self) -> str: ...
    @property
    def country(self) -> str | None: ...
    @property
    def role(self) -> str | None: ...


def role_on(record: Mapping[str, Any], date: str | None) -> str | None:
    """The code a CAMEO record gives on ``date`` (ISO): the first dated role whose range holds
    it, else the default code. Undated: the first role without an end, else the default.

    >>> record = {"code": "DZAELI", "roles": [["DZAELI", "1955-01-01", "2000-01-01"], ["DZAGOV", "1999-04-27", None]]}
    >>> role_on(record, "1990-05-01"), role_on(record, "2003-03-02"), role_on(record, None)
    ('DZAELI', 'DZAGOV', 'DZAGOV')
    """
    roles = record.get("roles", ())
    if date is None:
        return next((code for code, _, end in roles if end is None), record.get("code"))
    day = date[:10]
    for code, start, end in roles:
        if (start is None or start <= day) and (end is None or day <= end):
            return str(code)
    return record.get("code")


def agent_code(text: str) -> tuple[str, bool] | None:
    """The agent code the words of a mention name, and whether it comes before the root
    (``NGO~`` agents): the longest agent phrase ending last, as the head of an English noun
    phrase comes last ("Egyptian riot police" -> COP).

    >>> agent_code("the Egyptian riot police"), agent_code("Russia's foreign minister")
    (('COP', False), ('GOV', False))
    >>> agent_code("Sergei Lavrov") is None
    True
    """
    agents, prefix_agents = _agents()
    words = _WORD.findall(text.casefold().replace("'s", ""))
    for end in range(len(words), 0, -1):
        for start in range(max(0, end - _MAX_AGENT_WORDS), end):
            phrase = " ".join(words[start:end])
            if phrase in agents:
                return agents[phrase], False
            if phrase in prefix_agents:
                return prefix_agents[phrase], True
    return None


def actor_code(actor: _Actor, text: str, date: str | None) -> tuple[str | None, str | None]:
    """(sector, code) of ``actor`` as mentioned by ``text`` in an article of ``date``; see the module.

    >>> from kg.extraction.actors import country_actor
    >>> actor_code(country_actor("RUS"), "Russia", None), actor_code(country_actor("RUS"), "the Kremlin", None)
    ((None, 'RUS'), ('GOV', 'RUSGOV'))
    """
    if actor.type in ("Person", "Organization"):
        record = _records_by_name().get(normalize(actor.label))
        code = role_on(record, date) if record is not None else None
        # A state's role only for an actor of that state: "Putin" that kg did not take for
        # Vladimir Putin (no title, no Russia in the text) has no country, so no RUSGOV either.
        if code and cameo_country(code) in (None, actor.country):
            return _split(code, actor.country)
    found = agent_code(text)
    if found is None and actor.type == "Person" and actor.role:
        found = agent_code(actor.role)
    if found is not None:
        agent, before = found
        if before:
            return agent[:_SECTOR], f"{agent[:_SECTOR]}{actor.country or ''}"
        return _split(agent[:_SECTOR], actor.country)
    sector = _TYPE_SECTORS.get(actor.type)
    if actor.type == "Country" and _is_seat(text):
        sector = "GOV"
    return _split(sector, actor.country) if sector else (None, actor.country)


def _split(code: str, country: str | None) -> tuple[str | None, str | None]:
    """(sector, code) of a dictionary code or a bare sector, rooted in ``country`` when it has no root."""
    root = cameo_country(code) or (code[:_SECTOR] if len(code) > _SECTOR else None)
    if root is None:  # a sector alone ("ELI", "GOV"): of the actor's state
        return code, f"{country}{code}" if country else code
    rest = code[_SECTOR : 2 * _SECTOR]
    return (rest or None), root + rest


def _is_seat(text: str) -> bool:
    entry = lookup(text)
    return entry is not None and entry.kind == "seat"


def load_code_data() -> None:
    """Read the actor records and agent nouns that codes come from (once; later calls cost nothing)."""
    _records_by_name()
    _agents()


@lru_cache(maxsize=1)
def _records_by_name() -> Mapping[str, Mapping[str, Any]]:
    """People and organisations of the CAMEO dictionaries by each of their names (first record wins)."""
    by_name: dict[str, Mapping[str, Any]] = {}
    for record in cameo_records():
        if record["type"] == "Country":
            continue
        dated = {"code": record.get("code"), "roles": tuple(map(tuple, record.get("roles", ())))}  # what codes need
        for name in (record["name"], *record.get("aliases", ())):
            by_name.setdefault(normalize(name), dated)
    return MappingProxyType(by_name)


@lru_cache(maxsize=1)
def _agents() -> tuple[Mapping[str, str], Mapping[str, str]]:
    with resources.files("kg").joinpath("data", "cameo_agents.json").open(encoding="utf-8") as stream:
        data = json.load(stream)
    return MappingProxyType(data["agents"]), MappingProxyType(data["prefix_agents"])
