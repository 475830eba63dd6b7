"""Actors: resolve the noun phrases of a parsed article to real-world entities.

Named entities are looked up in the gazetteer (:mod:`kg.extraction.gazetteer`); common
noun phrases become actors through their head noun and a country modifier
("Russian troops", "the government of Iraq", "Belarus's military"); later
short forms of a person ("Putin") and personal pronouns ("he", "his")
resolve to the person already introduced in the article.

>>> from kg.extraction.language import load_pipeline
>>> doc = load_pipeline()("Russian President Vladimir Putin met Belarusian troops. Putin said he was pleased.")
>>> index = resolve_actors(doc)
>>> [(m.text, m.actor.label, m.actor.country) for m in index.mentions]
[('Russian President Vladimir Putin', 'Vladimir Putin', 'RUS'), ('Belarusian troops', 'Belarusian armed forces', 'BLR'), ('Putin', 'Vladimir Putin', 'RUS'), ('he', 'Vladimir Putin', 'RUS')]
"""
from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache

from spacy.attrs import ENT_IOB, POS, SENT_START
from spacy.parts_of_speech import NOUN, PRON, PROPN
from spacy.tokens import Doc, Span, Token

from kg.extraction import gazetteer
from kg.extraction.gazetteer_data import armed_forces
from kg.extraction.predicates import doc_words
from kg.extraction.rules import load_rules
from kg.vocab import ACTOR_TYPES, actor_iri

__all__ = [
    "Entity",
    "Mention",
    "ActorIndex",
    "resolve_actors",
    "actor_of",
    "country_mention",
    "national_group",
    "in_country",
    "is_domestic_group",
    "is_outsider_group",
    "group_noun",
    "is_generic",
    "country_actor",
    "entity_span",
]

_ACTOR_POS = frozenset({NOUN, PROPN, PRON})
_ENT_BEGINS = 3  # ENT_IOB of the first token of an entity (1: inside, 2: outside, 0: unset)
_ENTITY_LABELS = frozenset({"GPE", "NORP", "ORG", "PERSON", "LOC", "FAC", "PRODUCT"})
_MODIFIER_DEPS = frozenset({"amod", "compound", "nmod", "poss", "npadvmod"})
_PLACE_PREPS = frozenset({"of", "from", "in", "throughout", "across"})
_ORIGIN_PREPS = frozenset({"of", "from"})
_RESIDENCE_PREPS = frozenset({"of", "in"})
_PERSONAL_PRONOUNS = frozenset({"he", "him", "his", "she", "her", "hers", "himself", "herself"})
_SINGULAR_PRONOUNS = frozenset({"it", "its", "itself"})
_PLURAL_PRONOUNS = frozenset({"they", "them", "their", "theirs", "themselves"})
_COLLECTIVE_PRONOUNS = _SINGULAR_PRONOUNS | _PLURAL_PRONOUNS
# Types an "it" may stand for, and a "they" (besides any plural noun phrase: "the soldiers").
_SINGULAR_TYPES = frozenset({"Country", "Organization", "ArmedForce", "Group"})
_COLLECTIVE_TYPES = frozenset({"Organization", "ArmedForce", "Group"})
# How many sentences back a pronoun may find its antecedent: the same sentence or the one before.
_PRONOUN_REACH = 1
_LEADING_WORDS = ("the ", "The ")
# Nouns for the office of a person ("Macri's office"), which acts as the person.
_OFFICES = frozenset({"office", "government", "administration", "cabinet", "campaign", "team"})
# The IRI prefix of an actor named without its state, until it is placed (_place_unplaced).
_UNPLACED = "unplaced:"
# ``Token.ent_iob`` codes (spaCy): 1 inside an entity, 3 its first token.
_IOB_INSIDE, _IOB_BEGIN = 1, 3


@dataclass(frozen=True)
class Entity:
    """A real-world actor (or thing): one IRI however many times and ways it is mentioned."""

    label: str
    type: str
    country: str | None
    iri: str
    role: str | None = None


@dataclass(frozen=True)
class Mention:
    """A span of the parsed text that refers to ``actor`` (character offsets)."""

    actor: Entity
    text: str
    start: int
    end: int


@dataclass(frozen=True)
class _Salient:
    """An actor a later pronoun may refer to, and the sentence it was last named in."""

    actor: Entity
    sentence: int


@dataclass
class ActorIndex:
    """Actors of one article: mentions in text order, and what later mentions resolve to."""

    mentions: list[Mention] = field(default_factory=list)
    by_token: dict[int, Mention] = field(default_factory=dict)
    people: dict[str, Entity] = field(default_factory=dict)
    shared_surnames: set[str] = field(default_factory=set)  # of two people named: alone, such a name is neither
    things: list[Mention] = field(default_factory=list)  # weapons and equipment: themes, never actors
    coordinated: dict[int, list[Mention]] = field(default_factory=dict)  # "US and British forces": the British ones, by head
    sources: set[str] = field(default_factory=set)  # names of the outlets the article cites: no actors
    countries: frozenset[str] = frozenset()  # the states the article names
    home: str | None = None  # the state the article is about (:func:`home_country`), once resolved
    sentence: int = 0  # while resolving: the number of the sentence being read
    last_person: _Salient | None = None
    last_subject_person: _Salient | None = None
    last_subject_singular: _Salient | None = None  # what "it" may refer to
    last_subject_plural: _Salient | None = None  # what "they" may refer to

    def __iter__(self) -> Iterator[Mention]:
        return iter(self.mentions)

    def remember_surname(self, surname: str, person: Entity) -> None:
        """A later surname alone is the person last named with it, unless two people named share it
        ("Messi" once Jorge and Lionel Messi are both named)."""
        if surname in self.shared_surnames:
            return
        known = self.people.get(surname)
        if known is not None and known.type == "Person" and known.iri != person.iri and not _same_person(known, person):
            self.shared_surnames.add(surname)
            del self.people[surname]
        else:
            self.people[surname] = person

    def __len__(self) -> int:
        return len(self.mentions)

    def pronoun_antecedent(self, pronoun: str = "he") -> Entity | None:
        """The actor a pronoun refers to, named in the same sentence or the one before, or none.

        "he"/"she": a person, the latest in subject position (subjects are the most salient),
        else the latest named. "it": the latest state, organisation, force or group in subject
        position; "they": the latest plural noun phrase, organisation, force or group there
        (never a person or a state). Where none agrees, the pronoun stays unresolved.
        """
        word = pronoun.lower()
        if word in _SINGULAR_PRONOUNS:
            candidates = [self.last_subject_singular]
        elif word in _PLURAL_PRONOUNS:
            candidates = [self.last_subject_plural]
        else:
            candidates = [self.last_subject_person, self.last_person]
        for candidate in candidates:
            if candidate is not None and self.sentence - candidate.sentence <= _PRONOUN_REACH:
                return candidate.actor
        return None


_NOUN_KINDS = ("ArmedForce", "Role", "Government", "Group", "Weapon", "Attack")


@lru_cache(maxsize=1)
def _noun_kind_ranks() -> dict[str, int]:
    """Each noun listed under a kind of ``_NOUN_KINDS``, with the index of the first kind listing it."""
    ranks: dict[str, int] = {}
    for rank in reversed(range(len(_NOUN_KINDS))):
        ranks.update(dict.fromkeys(load_rules().nouns[_NOUN_KINDS[rank]], rank))
    return ranks


def _noun_kind(token: Token) -> str | None:
    """Which kind of actor a common noun names: ArmedForce, Government, Role, Group, Weapon or None.

    The first kind, in ``_NOUN_KINDS`` order, that lists the lemma, the word, or the
    compound with the word right before it when that word modifies it ("armed forces").
    """
    ranks = _noun_kind_ranks()
    lemma = token.lemma_.lower()
    candidates = [lemma, token.text.lower()]
    if token.i > 0:
        previous = token.doc[token.i - 1]
        if previous.dep_ in ("compound", "amod") and previous.head.i == token.i:
            candidates.append(f"{previous.lemma_.lower()} {lemma}")
    found = [ranks[c] for c in candidates if c in ranks]
    return _NOUN_KINDS[min(found)] if found else None


def resolve_actors(doc: Doc) -> ActorIndex:
    """Resolve every entity and actor noun phrase of ``doc``, in text order."""
    index = ActorIndex(countries=_named_countries(doc))
    aliases = _aliases(doc)
    # Only names, nouns, pronouns and the first tokens of entities can be actors: the others are
    # passed over in the arrays, without making a Token of each.
    pos, iob, sent_start = doc.to_array([POS, ENT_IOB, SENT_START]).T.tolist()
    sentence_of = list(itertools.accumulate(start == 1 for start in sent_start))
    for i, (tag, ent_iob) in enumerate(zip(pos, iob)):
        if not (tag in _ACTOR_POS or ent_iob == _ENT_BEGINS or i in aliases) or i in index.by_token:
            continue
        index.sentence = sentence_of[i]
        token = doc[i]
        if token.i in aliases:
            # "Victor Patino, alias "El Quimico"": both names are one person, whatever the NER made of them.
            name_span, alias_span = aliases[token.i]
            person = _person_actor(name_span, _clean_name(name_span.text), index)
            _record(index, name_span, person)
            _record(index, alias_span, person)
            index.people.setdefault(_clean_name(alias_span.text), person)
        elif token.ent_type_ in _ENTITY_LABELS and token.ent_iob_ == "B":
            span = _name_continued(entity_span(token))
            named = _entity_actor(span, index)
            if named is not None:
                _record(index, _with_title(span) if named.type == "Person" else span, named)
                other_names = _other_names_after(span)
                if other_names is not None and named.type != "Person":
                    _record(index, other_names, named)  # "(FARC)": the same organisation, by its acronym
                    index.people.setdefault(other_names[-1].text, named)
        elif token.pos_ == "PROPN" and not token.ent_type_ and token.text in index.people:
            # A surname the NER missed, of a person introduced before ("Umerov thanked ...").
            _record(index, token.doc[token.i : token.i + 1], index.people[token.text])
        elif _is_referring_pronoun(token) and (antecedent := index.pronoun_antecedent(token.lower_)):
            _record(index, token.doc[token.i : token.i + 1], antecedent)
        elif token.pos_ in ("NOUN", "PROPN") and not token.ent_type_ and not _is_title(token):
            noun_actor = _noun_phrase_actor(token, index)
            if noun_actor is not None:
                span = _noun_phrase_span(token)
                others = _coordinated_states(token, index, noun_actor)  # before the phrase's tokens are the head's
                _record(index, span, noun_actor)
                if others:
                    index.coordinated[token.i] = [Mention(actor, span.text, span.start_char, span.end_char) for actor in others]
    index.sentence = sentence_of[-1] if sentence_of else 0  # read later (pronouns met by the event rules)
    _home_country_for_officials(index)
    _place_unplaced(index, doc)
    return index


_ALIAS_WORDS = frozenset({"alias", "aka", "a.k.a.", "a.k.a"})
_QUOTES = frozenset({'"', "“", "”", "'", "‘", "’", "``", "''", "("})


def _aliases(doc: Doc) -> dict[int, tuple[Span, Span]]:
    """``NAME, alias "ALIAS"``: the first token of NAME -> (NAME, ALIAS), the names of one person."""
    found: dict[int, tuple[Span, Span]] = {}
    for i, (lower, _) in enumerate(doc_words(doc)):
        if lower not in _ALIAS_WORDS:
            continue
        token = doc[i]
        end = token.i - (1 if token.i > 0 and doc[token.i - 1].text == "," else 0)
        start = end
        while start > 0 and doc[start - 1].pos_ == "PROPN" and doc[start - 1].text[:1].isupper():
            start -= 1
        first = token.i + 1
        while first < len(doc) and doc[first].text in _QUOTES:
            first += 1
        last = first
        while last < len(doc) and doc[last].text[:1].isupper() and doc[last].is_alpha:
            last += 1
        if start < end and first < last:
            found[start] = (doc[start:end], doc[first:last])
    return found


def _name_continued(span: Span) -> Span:
    """An organisation's name the NER cut before its place ("Revolutionary Armed Forces of" +
    "Colombia"), after the demonym it starts with ("Argentine" + "Football Association"), or
    after the person or place it is named for ("Norte" + "del Valle Cartel", a person to the
    NER)."""
    doc = span.doc
    if span.label_ == "ORG" and span[-1].lower_ in ("of", "for", "de", "del") and span.end < len(doc) and doc[span.end].ent_iob_ == "B":
        return Span(doc, span.start, entity_span(doc[span.end]).end, label=span.label)
    if span.label_ in ("NORP", "PERSON"):
        end = span.end
        while end < len(doc) and (
            (doc[end].tag_ in ("NNP", "NNPS") and doc[end].is_title and doc[end].ent_type_ in ("", "ORG"))
            or (span.label_ == "PERSON" and doc[end].lower_ in _NAME_PARTICLES and end + 1 < len(doc) and doc[end + 1].is_title)
        ):
            end += 1
        if end > span.end and doc[end - 1].lemma_.lower() in load_rules().nouns["OrganizationHeads"]:
            return Span(doc, span.start, end, label="ORG")
    return span


# Lower-case words inside a Spanish or Portuguese name ("Norte del Valle Cartel").
_NAME_PARTICLES = frozenset({"de", "del", "la", "las", "los", "da", "do", "dos"})


def _other_names_after(span: Span) -> Span | None:
    """What the parentheses right after a name hold when they end in an acronym: "(FARC)",
    "(Asociacion del Futbol Argentino - AFA)", the same organisation's other names."""
    doc = span.doc
    if span.end + 2 >= len(doc) or doc[span.end].text != "(":
        return None
    close = next((t.i for t in doc[span.end + 1 : span.end + 12] if t.text == ")"), None)
    if close is None:
        return None
    last = doc[close - 1]
    return doc[span.end + 1 : close] if last.is_upper and len(last.text) >= 2 and last.is_alpha else None


def _named_countries(doc: Doc) -> frozenset[str]:
    """The states a document names (as places or peoples); a capital whose name cities of other
    states have too ("Tripoli") names none."""
    found = set()
    for ent in doc.ents:
        if ent.label_ in ("GPE", "NORP"):
            name = _clean_name(ent.text)
            entry = gazetteer.lookup(name)
            if entry is not None and entry.type == "Country" and entry.country and not (entry.kind == "capital" and gazetteer.has_namesakes(name)):
                found.add(entry.country)
    return frozenset(found)


def is_headline(sentence: Span) -> bool:
    """Whether ``sentence`` is the article's headline: its first sentence, in title case."""
    if sentence.start != 0:
        return False
    words = [t for t in sentence if t.is_alpha and not t.is_stop]
    return len(words) >= 3 and sum(t.text[0].isupper() for t in words) >= 0.8 * len(words)


def home_country(index: ActorIndex, doc: Doc | None = None) -> str | None:
    """The state the article is about: the one its states, forces, bodies and groups name at
    least twice, and twice as often as any other; in a closer call, the one of the two most named
    that the headline of ``doc`` names first (not as a destination: "Extradition to US"), or
    else the other of the two when the headline names one only as a destination; ``None``
    when no state stands out."""
    counts = Counter(
        m.actor.country for m in index.mentions if m.actor.country and m.actor.type != "Person" and not m.actor.iri.startswith(_UNPLACED)
    )
    ranked = counts.most_common(2)
    if not ranked or ranked[0][1] < 2:
        return None
    if len(ranked) == 1 or ranked[0][1] >= 2 * ranked[1][1]:
        return ranked[0][0]
    headline = next(doc.sents, None) if doc is not None and len(doc) else None
    if headline is None or not is_headline(headline):
        return None
    contenders = {country for country, count in ranked if count >= 2}
    destinations = set()
    for country, span in _headline_states(index, headline):
        if not (span.root.dep_ == "pobj" and span.root.head.lower_ in ("to", "into")):
            return country if country in contenders else None
        destinations.add(country)
    # "Smuggler to Face Extradition to US": what goes to one of the two comes from the other.
    others = contenders - destinations
    return others.pop() if len(contenders) == 2 and len(others) == 1 else None


def _headline_states(index: ActorIndex, headline: Span) -> list[tuple[str, Span]]:
    """The states a headline names, in order: its actors' and its peoples' and places' ("Colombian")."""
    doc = headline.doc
    found = []
    for mention in index.mentions:
        span = doc.char_span(mention.start, mention.end)
        if mention.actor.country and span is not None and span.end <= headline.end:
            found.append((span.start, mention.actor.country, span))
    for ent in headline.ents:
        entry = gazetteer.lookup(_clean_name(ent.text)) if ent.label_ in ("GPE", "NORP") else None
        if entry is not None and entry.type == "Country" and entry.country:
            found.append((ent.start, entry.country, ent))
    return [(country, span) for _, country, span in sorted(found, key=lambda item: item[0])]


def _place_unplaced(index: ActorIndex, doc: Doc) -> None:
    """State bodies and forces named without their state ("the security forces", "the Attorney
    General's Office", "authorities") are those of the state the article is about; when no state
    stands out they are no actors (their mentions are dropped)."""
    home = index.home = home_country(index, doc)
    placed: dict[str, Entity | None] = {}

    def place(actor: Entity) -> Entity | None:
        if not actor.iri.startswith(_UNPLACED):
            return actor
        if actor.iri not in placed:
            if actor.type == "Group":  # a domestic group: of the home state, or of none the text says
                placed[actor.iri] = national_group(actor.label, home) if home else Entity(actor.label, "Group", None, actor_iri("Group", actor.label))
            elif home is None:
                placed[actor.iri] = None
            elif actor.type == "ArmedForce":
                placed[actor.iri] = _armed_force(home)
            elif actor.type == "Country":
                placed[actor.iri] = country_actor(home)
            else:
                placed[actor.iri] = keyed(actor.label, actor.type, home)
        return placed[actor.iri]

    mentions = []
    for mention in index.mentions:
        actor = place(mention.actor)
        if actor is not None:
            mentions.append(Mention(actor, mention.text, mention.start, mention.end) if actor is not mention.actor else mention)
    index.mentions = mentions
    for i, mention in list(index.by_token.items()):
        actor = place(mention.actor)
        if actor is None:
            del index.by_token[i]
        elif actor is not mention.actor:
            index.by_token[i] = Mention(actor, mention.text, mention.start, mention.end)


def _home_country_for_officials(index: ActorIndex) -> None:
    """An official named by title alone ("President Abdelaziz Bouteflika") is, in news, an
    official of the country the text is about, when it names only one."""
    counts: dict[str, int] = {}
    for mention in index.mentions:
        if mention.actor.country and mention.actor.type != "Person":
            counts[mention.actor.country] = counts.get(mention.actor.country, 0) + 1
    if len(counts) != 1:
        return  # with several states named, the title alone does not tell which
    (home,) = counts
    placed: dict[str, Entity] = {}
    for position, mention in enumerate(index.mentions):
        actor = mention.actor
        # Known people of no state (UN or NATO officials) keep none.
        if actor.type == "Person" and actor.country is None and actor.role and gazetteer.lookup(actor.label) is None:
            actor = placed.setdefault(actor.iri, keyed(actor.label, actor.type, home, actor.role))
            index.mentions[position] = Mention(actor, mention.text, mention.start, mention.end)
    for i, mention in list(index.by_token.items()):
        if mention.actor.iri in placed:
            index.by_token[i] = Mention(placed[mention.actor.iri], mention.text, mention.start, mention.end)


def actor_of(token: Token, index: ActorIndex) -> Mention | None:
    """The actor mention a noun phrase headed by ``token`` refers to, if any.

    Looks at the token itself, then an apposition ("Moscow's ally Belarus").
    """
    mention = index.by_token.get(token.i)
    if mention is not None:
        return mention
    for child in token.children:
        if child.dep_ == "appos" and child.i in index.by_token:
            return index.by_token[child.i]
    if token.lemma_.lower() in load_rules().nouns["Quantity"] or token.pos_ == "NUM":
        # "thousands of Nigerians", "a group of Moroccan diplomats"
        for prep in token.children:
            if prep.dep_ == "prep" and prep.lower_ == "of":
                for pobj in prep.children:
                    if pobj.dep_ == "pobj" and pobj.i in index.by_token:
                        return index.by_token[pobj.i]
    # "Belarus President Alexander Lukashenko": the parse may head the phrase on a title word.
    for child in token.children:
        if child.dep_ == "compound" and child.i in index.by_token and index.by_token[child.i].actor.type == "Person":
            return index.by_token[child.i]
    return None


def _is_title(token: Token) -> bool:
    """A title or role word before a person's name ("President" in "President Obama")."""
    return token.dep_ in ("compound", "amod", "nmod") and token.head.ent_type_ == "PERSON" and token.i < token.head.i


def _with_title(span: Span) -> Span:
    """A person's mention with the title and nationality before the name: "Russian President Vladimir Putin"."""
    start = span.start
    while start > 0:
        previous = span.doc[start - 1]
        if previous.dep_ in ("compound", "amod", "nmod") and span.start <= previous.head.i < span.end:
            start -= 1
        elif previous.dep_ in ("compound", "amod", "nmod") and start <= previous.head.i < span.start:
            start -= 1
        else:
            break
    return span.doc[start : span.end]


def _is_referring_pronoun(token: Token) -> bool:
    """A pronoun that can refer to an actor: not the "it" of "it is unlikely that"."""
    if token.pos_ != "PRON":
        return False
    if token.lower_ in _PERSONAL_PRONOUNS:
        return True
    if token.lower_ not in _COLLECTIVE_PRONOUNS or token.dep_ == "expl":
        return False
    if token.lower_ == "it" and token.head.lemma_ == "be":
        # "it is unclear whether ..." refers to nothing; "it is willing to ..." does.
        complements = [c for c in token.head.children if c.dep_ in ("acomp", "attr")]
        return bool(complements) and all(c.lemma_.lower() not in load_rules().nouns["Impersonal"] for c in complements)
    return True


def _record(index: ActorIndex, span: Span, actor: Entity) -> None:
    mention = Mention(actor, span.text, span.start_char, span.end_char)
    index.mentions.append(mention)
    for i in range(span.start, span.end):
        index.by_token[i] = mention
    salient = _Salient(actor, index.sentence)
    subject = span.root.dep_ in ("nsubj", "nsubjpass")
    if actor.type == "Person":
        index.remember_surname(actor.label.split()[-1], actor)
        index.last_person = salient
        if subject:
            index.last_subject_person = salient
    elif subject:
        plural = span.root.tag_ in ("NNS", "NNPS") or span.root.lower_ in _PLURAL_PRONOUNS
        if not plural and actor.type in _SINGULAR_TYPES:
            index.last_subject_singular = salient
        if plural or actor.type in _COLLECTIVE_TYPES:
            index.last_subject_plural = salient


def entity_span(token: Token) -> Span:
    """The named entity ``token`` is part of (the same span as in ``doc.ents``), else the token alone.

    Read from the IOB tags around the token: ``doc.ents`` makes a ``Span`` of every
    entity of the document on each call and, called per token, took more time than
    any rule of the extraction.
    """
    doc = token.doc
    start = token.i
    while doc[start].ent_iob == _IOB_INSIDE and start > 0:
        start -= 1
    first = doc[start]
    if first.ent_iob != _IOB_BEGIN or not first.ent_type:
        return doc[token.i : token.i + 1]
    end = token.i + 1
    while end < len(doc) and doc[end].ent_iob == _IOB_INSIDE:
        end += 1
    return Span(doc, start, end, label=first.ent_type, kb_id=first.ent_kb_id, span_id=first.ent_id)


def _clean_name(text: str) -> str:
    for prefix in _LEADING_WORDS:
        if text.startswith(prefix):
            text = text[len(prefix) :]
    for suffix in ("'s", "’s", "'", "’"):
        if text.endswith(suffix):
            text = text[: -len(suffix)]
    return text.strip()


def _entity_actor(span: Span, index: ActorIndex) -> Entity | None:
    name = _clean_name(span.text)
    entry = gazetteer.lookup(name)  # a dictionary's titled alias first ("President Reagan")
    titled = _without_title(span)
    if titled is not None and entry is None:  # "President Lukashenko" taken whole by the NER: the name, and its title
        span, name = titled, _clean_name(titled.text)
        entry = gazetteer.lookup(name)
    if entry is not None:
        if entry.type not in ACTOR_TYPES:
            # Weapons and equipment are things, never actors: kept for the themes they name.
            thing = Entity(entry.name, entry.type, entry.country, str(entry.iri))
            index.things.append(Mention(thing, span.text, span.start_char, span.end_char))
            return None
        if entry.type == "Country" and is_stance(span.root):
            return None  # "Iran-backed", "pro-Russian": the state does nothing here
        if span.label_ == "NORP" and entry.type == "Country":
            return _norp_actor(span, entry.country)
        if entry.type == "Country" and entry.kind == "capital" and entry.country:
            # "Tripoli" in a story that names Lebanon, not Libya, is Lebanon's.
            return country_actor(gazetteer.place_country(name, index.countries) or entry.country)
        actor = Entity(entry.name, entry.type, entry.country, str(entry.iri), entry.role)
        if actor.type == "Person" and " " not in name and entry.kind == "alias" and index.people.get(name) != actor:
            given = _given_names(span)
            if given or not (titled is not None or _modifier_role(span.root) or entry.country in index.countries):
                # A surname alone is the known person only once the article has named them, or with a
                # title ("President Kagame") or their state in the text: "Chavez" in a Mexican story,
                # or "Arturo Chavez", is not Hugo Chavez.
                return _person_actor(span, f"{given} {name}".strip(), index)
        if actor.type == "Person":
            _remember_person(index, name, actor)
        return actor
    if span.label_ == "PERSON" and (given := _given_names(span)):
        name = f"{given} {name}"  # "Lionel Messi" where the NER took "Messi" alone: not Jorge Messi
    known = index.people.get(name)
    if known is not None:
        return known  # a person named before, whatever the NER label now ("Tamm said")
    if name in index.shared_surnames:
        return None  # "Messi" once Jorge and Lionel Messi are named: which one, the text does not say
    # A title makes a name a person, whatever the NER label ("President Edgars Rinkevics",
    # "his Ukrainian counterpart, Rustem Umerov").
    if span.label_ == "PERSON" or (span.label_ in ("ORG", "GPE", "NORP") and _is_titled(span)):
        return _person_actor(span, name, index)
    if span.label_ == "ORG":
        return _organization_actor(span, name)
    if span.label_ == "NORP":
        return _norp_actor(span, None)  # "Iraqi Kurds", "Lebanese Christians": a people of a state
    return None


def _norp_actor(span: Span, country: str | None) -> Entity | None:
    """A demonym: as a modifier it only lends its country; as a head ("the Afghans") it is
    the people, of the place they live in where the text says ("the Albanians of Serbia",
    "Bosnian Serbs"); an ethnic group ("ethnic Albanians") lives where the event happens."""
    if span.root.dep_ in ("amod", "compound", "nmod") and span.root.head.i >= span.end:
        return None
    modifiers = [c for c in span.root.children if c.dep_ in ("amod", "compound") and c.i < span.start]
    people = _people_word(span.root)
    if any(c.lower_ == "ethnic" for c in modifiers):
        return Entity(people, "Group", None, actor_iri("Group", people))
    residence = next((_demonym_country(c) for c in modifiers if _demonym_country(c)), None)
    residence = residence or _modifier_country(span.root, None, exclude=span, preps=_RESIDENCE_PREPS, deps=frozenset())
    if residence and residence != country:
        return national_group(people, residence)
    if country is None:
        return None
    return Entity(gazetteer.country_name(country), "Country", country, actor_iri("Country", country))


def _people_word(token: Token) -> str:
    """A people's name in the singular, as group labels are ("Serbs" -> "serb"): the lemmatizer
    leaves proper nouns as written, and "Bosnian Serbs" and "a Bosnian Serb" are one group."""
    word = token.lemma_.lower()
    return word[:-1] if token.tag_ == "NNPS" and word.endswith("s") and not word.endswith("ss") else word


def _demonym_country(token: Token) -> str | None:
    """The state of a people or place word ("Bosnian", "Kosovo"), if the gazetteer knows it."""
    entry = gazetteer.lookup(token.text) if token.ent_type_ in ("NORP", "GPE") else None
    return entry.country if entry is not None and entry.type == "Country" else None


def _person_actor(span: Span, name: str, index: ActorIndex) -> Entity:
    known = index.people.get(name) or _shorter_name_of(name, index)
    if known is not None:
        return known
    country, role = _modifier_country(span.root, index, exclude=span), _modifier_role(span.root)
    if country is None:
        country, role = _apposition_country(span, index) or (None, role)
    actor = keyed(name, "Person", country, role)
    _remember_person(index, name, actor)
    return actor


def _is_titled(span: Span) -> bool:
    root = span.root
    person_nouns = load_rules().nouns["Role"] | load_rules().nouns["Relational"]
    described = [root.head] if root.dep_ == "appos" else []
    described += [c for c in root.children if c.dep_ == "appos"]
    return bool(_modifier_role(root)) or any(n.lemma_.lower() in person_nouns for n in described)


def _apposition_country(span: Span, index: ActorIndex) -> tuple[str, str | None] | None:
    """Country and role from an apposition: "his Ukrainian counterpart, Rustem Umerov",
    "Kaja Tamm, the Estonian prime minister"."""
    root = span.root
    described = [root.head] if root.dep_ == "appos" else []
    described += [c for c in root.children if c.dep_ == "appos"]
    for noun in described:
        if noun.i in range(span.start, span.end):
            continue
        country = _modifier_country(noun, index)
        if country:
            role = noun.text.title() if noun.lemma_.lower() in load_rules().nouns["Role"] else None
            return country, role
    return None


def _without_title(span: Span) -> Span | None:
    """The name of a person's span that starts with a title ("President Lukashenko"), else ``None``."""
    roles = load_rules().nouns["Role"]
    start = span.start
    while start < span.end - 1 and span.doc[start].lower_ in roles:
        start += 1
    return Span(span.doc, start, span.end, label=span.label) if start > span.start else None


def _given_names(span: Span) -> str:
    """First names the parse puts before a one-word name ("Arturo" of "Arturo Chavez")."""
    nouns = load_rules().nouns
    not_names = nouns["Role"] | nouns["Titles"]
    names = [
        t for t in span.root.lefts
        if t.dep_ == "compound" and t.pos_ == "PROPN" and t.i < span.start and t.text[:1].isupper() and t.is_alpha
        and t.lower_ not in not_names and not t.ent_type_
    ]
    return " ".join(t.text for t in names)


def _shorter_name_of(name: str, index: ActorIndex) -> Entity | None:
    """The person named before whose full name holds every word of ``name``, in order, with the
    same surname ("Juan Diego Usuga" for "Juan Diego Giraldo Usuga"; never "Jorge Messi" for
    "Lionel Messi")."""
    words = name.split()
    if len(words) < 2:
        return None
    for known in reversed(list(dict.fromkeys(index.people.values()))):
        full = known.label.split()
        if full[-1] == words[-1] and _in_order(words, full):
            return known
    return None


def _same_person(one: Entity, other: Entity) -> bool:
    """Two records of one person: one name holds the other's words in order ("Juan Diego Usuga",
    "Juan Diego Giraldo Usuga")."""
    a, b = one.label.split(), other.label.split()
    return _in_order(a, b) or _in_order(b, a)


def _in_order(words: list[str], full: list[str]) -> bool:
    remaining = iter(full)
    return all(word in remaining for word in words)


def _remember_person(index: ActorIndex, name: str, actor: Entity) -> None:
    """Remember a person by full name and by surname: a later surname alone is the person
    last named with it ("Usuga" after "Juan Diego Giraldo Usuga")."""
    index.people.setdefault(name, actor)
    index.remember_surname(name.split()[-1], actor)
    index.remember_surname(actor.label.split()[-1], actor)


def _organization_actor(span: Span, name: str) -> Entity | None:
    country = _country_in_words(span) or _modifier_country(span.root, None, exclude=span)
    if not _is_institution(span):
        return keyed(name, "Organization", country)  # a name of its own: "Revolutionary Armed Forces of Colombia"
    kind = _noun_kind(span.root)
    if kind == "ArmedForce":
        return _armed_force(country) if country else _unplaced("ArmedForce", name)
    if kind == "Government":
        return country_actor(country) if country else _unplaced("Country", name)
    # "the Attorney General's Office": one per state; whose, the article must say
    return keyed(name, "Organization", country) if country else _unplaced("Organization", name)


def _is_institution(span: Span) -> bool:
    """A name made only of the words of state bodies and of a state ("Attorney General's Office",
    "the Colombian National Police"), not a name of its own ("Revolutionary Armed Forces")."""
    words = [t for t in span if t.is_alpha and t.lower_ not in ("s", "of", "the", "for", "and", "de", "del")]
    institution = load_rules().nouns["Institution"]
    return bool(words) and all(t.lower_ in institution or _is_country_word(t) for t in words)


def _is_country_word(token: Token) -> bool:
    entry = gazetteer.lookup(token.text)
    return entry is not None and entry.type == "Country"


def _placeable(token: Token, kind: str) -> bool:
    """Whether a state body or force named without its state is the one of the state the article
    is about: a body or force ("the authorities", "the security forces") or a single office-holder
    ("the president"), not people ("officials", "lawmakers"), a diplomatic mission abroad, or a
    body a name qualifies ("the Morales government")."""
    if any(c.dep_ in ("compound", "poss", "nmod") and c.pos_ == "PROPN" for c in token.children):
        return False
    if kind == "Role":
        return token.tag_ == "NN"
    if kind == "ArmedForce":  # "the army", "troops"; not the mass noun of "with force"
        return token.tag_ == "NNS" or any(c.dep_ in ("det", "poss") for c in token.children)
    return token.lemma_.lower() in load_rules().nouns["Institution"]


def keyed(label: str, actor_type: str, country: str | None, role: str | None = None) -> Entity:
    """An actor known by a name that may be another's in another state: its IRI holds its state,
    so that one node never stands for two states ("General's Office" of Mexico, of Peru).

    >>> keyed("Supreme Court", "Organization", "COL").iri
    'https://w3id.org/kg/id/org/col-supreme-court'
    """
    return Entity(label, actor_type, country, actor_iri(actor_type, f"{country} {label}" if country else label), role)


def _unplaced(actor_type: str, label: str) -> Entity:
    """A state body or force the text names without its state: placed later in the state the
    article is about (:func:`_place_unplaced`), or no actor."""
    return Entity(label, actor_type, None, f"{_UNPLACED}{actor_type}/{label}")


def _country_in_words(span: Span) -> str | None:
    """A country named inside an organisation's name ("Russian Defense Ministry")."""
    for token in span:
        entry = gazetteer.lookup(token.text)
        if entry is not None and entry.type == "Country" and token.text[:1].isupper():
            return entry.country
    return None


def _noun_phrase_actor(token: Token, index: ActorIndex) -> Entity | None:
    kind = _noun_kind(token)
    if token.lemma_.lower() in _OFFICES:
        # "Macri's office", "the Morales government": the office of a person acts as that person.
        for child in token.children:
            if child.dep_ in ("compound", "poss") and child.i in index.by_token and index.by_token[child.i].actor.type == "Person":
                return index.by_token[child.i].actor
    if kind in ("Group", "ArmedForce", "Weapon", "Attack"):
        # "the FARC rebels", "ELN fighters", "a Hamas rocket strike": the members, arms and attacks
        # of a named organisation act as it.
        owner = _owning_organization(token, index)
        doing = _is_doer(token) and not (kind == "Attack" and _has_own_target(token))
        if owner is not None and (kind in ("Group", "ArmedForce") or doing):
            return owner
    if kind is None:
        # People named by nationality and doing something: "Swiss doctors handed over ...".
        lemma = token.lemma_.lower()
        if token.tag_ in ("NNS", "NNPS") and _is_doer(token) and lemma.endswith(tuple(load_rules().nouns["PersonSuffixes"])):
            country = _modifier_country(token, index)
            return _national_group(token, country) if country else None
        return None
    # Where refugees or settlers are says nothing of their country ("refugees in Lebanon").
    outsiders = token.lemma_.lower() in load_rules().nouns["Outsiders"]
    country = _modifier_country(token, index, preps=_ORIGIN_PREPS if outsiders else frozenset())
    if outsiders and not country:
        country = _fled_country(token, index)
    if kind == "Attack" and _has_own_target(token):
        return None  # "the Russian attack on Kyiv killed ...": an attack on someone named is the event
    if kind in ("Weapon", "Attack"):
        return _armed_force(country) if country and _is_doer(token) else None
    if kind == "ArmedForce":
        return _armed_force(country) if country else _unplaced("ArmedForce", token.lemma_.lower()) if _placeable(token, kind) else None
    if kind in ("Government", "Role"):
        if country:
            return country_actor(country)
        return _unplaced("Country", token.lemma_.lower()) if _placeable(token, kind) else None
    if country:
        return _national_group(token, country)
    if token.lemma_.lower() in load_rules().nouns["Domestic"] and not outsiders and token.dep_ not in ("compound", "amod", "nmod"):
        return _unplaced("Group", token.lemma_.lower())  # "the opposition": of the state the article is about
    if token.tag_ in ("NNS", "NNPS"):
        return Entity(token.lemma_.lower(), "Group", None, actor_iri("Group", token.lemma_.lower()))
    return None


def _fled_country(token: Token, index: ActorIndex) -> str | None:
    """The country outsiders flee: "refugees fleeing from Syria", "fleeing the civil war in Liberia"."""
    for verb in token.children:
        if verb.dep_ != "acl" or verb.lemma_.lower() not in load_rules().fleeing_verbs:
            continue
        for child in verb.children:
            if child.dep_ == "dobj":
                country = _token_country(child, index) or _modifier_country(child, index, preps=_RESIDENCE_PREPS)
            elif child.dep_ == "prep" and child.lower_ in ("from", "in"):
                country = next((c for p in child.children if p.dep_ == "pobj" and (c := _token_country(p, index))), None)
            else:
                continue
            if country:
                return country
    return None


def _has_own_target(token: Token) -> bool:
    """Whether a noun names its own target ("attack on Kyiv", "raids against rebels")."""
    return any(c.dep_ == "prep" and c.lower_ in ("on", "against") for c in token.children)


def _coordinated_states(token: Token, index: ActorIndex, actor: Entity) -> list[Entity]:
    """The same kind of actor for each other state of coordinated national modifiers or places: the
    British forces of "US and British forces", China of "the Russian and Chinese governments",
    Uruguay's clubs of "clubs in Argentina and Uruguay"."""
    if actor.country is None or actor.type not in ("ArmedForce", "Country", "Group"):
        return []
    found: dict[str, Entity] = {}
    modifiers = [c for c in token.children if c.dep_ in ("amod", "compound", "nmod") and c.i < token.i]
    preps = _ORIGIN_PREPS if token.lemma_.lower() in load_rules().nouns["Outsiders"] else _PLACE_PREPS
    # "clubs in Argentina, Uruguay and Chile": places that gave the actor its state, not where a
    # state's own actor is ("Russian troops in Russia and Belarus").
    if not any(_token_country(m, index) for m in modifiers):
        modifiers += [p for c in token.children if c.dep_ == "prep" and c.lower_ in preps for p in c.children if p.dep_ == "pobj"]
    for modifier in modifiers:
        for other in modifier.conjuncts:
            country = _token_country(other, index)
            if country and country != actor.country and country not in found:
                if actor.type == "ArmedForce":
                    found[country] = _armed_force(country)
                elif actor.type == "Country":
                    found[country] = country_actor(country)
                else:
                    found[country] = _national_group(token, country)
    return list(found.values())


def _owning_organization(token: Token, index: ActorIndex) -> Entity | None:
    """The named organisation a noun's compound or possessive modifiers name, through a chain of
    compounds ("Hamas" of "a Hamas rocket strike")."""
    for child in token.children:
        if child.dep_ in ("compound", "poss") and child.i < token.i:
            mention = index.by_token.get(child.i)
            if mention is not None:
                if mention.actor.type == "Organization":
                    return mention.actor
            elif child.dep_ == "compound" and (owner := _owning_organization(child, index)) is not None:
                return owner
    return None


def _national_group(token: Token, country: str) -> Entity:
    return national_group(token.lemma_.lower(), country)


def national_group(noun: str, country: str) -> Entity:
    """The group of ``noun`` of a country: "protester (Georgia)", one IRI per country and noun.

    >>> national_group("student", "GEO").label
    'student (Georgia)'
    """
    label = f"{noun} ({gazetteer.country_name(country)})"
    return Entity(label, "Group", country, actor_iri("Group", f"{country} {noun}"))


def group_noun(actor: Entity) -> str:
    """The noun a group is named by, with or without its country.

    >>> group_noun(national_group("refugee", "SYR")), group_noun(Entity("refugee", "Group", None, "x"))
    ('refugee', 'refugee')
    """
    return actor.label.split(" (", 1)[0]


def is_outsider_group(actor: Entity) -> bool:
    """A group whose people come from elsewhere (refugees, settlers, migrants: ``Outsiders``)."""
    return actor.type == "Group" and group_noun(actor) in load_rules().nouns["Outsiders"]


def is_domestic_group(actor: Entity) -> bool:
    """A group of no stated country that a state acting on it would take for its own
    people: protesters, the opposition, journalists (not inspectors or peacekeepers)."""
    return actor.type == "Group" and actor.country is None and actor.label in load_rules().nouns["Domestic"]


def is_generic(actor: Entity) -> bool:
    """A group named by a bare common noun, tied to no state ("protesters", "a group"): no actor of its own.

    >>> is_generic(national_group("student", "GEO")), is_generic(Entity("student", "Group", None, "x"))
    (False, True)
    """
    return actor.type == "Group" and actor.country is None


def in_country(mention: Mention, country: str) -> Mention:
    """A group mention placed in ``country`` by its context ("demonstrators" in Monrovia); not
    outsiders (refugees, settlers, migrants: ``Outsiders``), whom where they are does not place."""
    if mention.actor.type != "Group" or mention.actor.country is not None or is_outsider_group(mention.actor):
        return mention
    return Mention(national_group(mention.actor.label, country), mention.text, mention.start, mention.end)


def _is_doer(token: Token) -> bool:
    return token.dep_ in ("nsubj", "csubj") or (token.dep_ == "pobj" and token.head.dep_ == "agent")


def country_actor(country: str) -> Entity:
    """The state with ISO3 code ``country`` as an actor."""
    return Entity(gazetteer.country_name(country), "Country", country, actor_iri("Country", country))



def _armed_force(country: str) -> Entity:
    label, iri = armed_forces(country, _demonym(country) or gazetteer.country_entry(country).name)
    return Entity(label, "ArmedForce", country, iri)


def _demonym(country: str) -> str | None:
    return gazetteer.demonym(country)


def _modifier_country(
    head: Token,
    index: ActorIndex | None,
    exclude: Span | None = None,
    preps: frozenset[str] = frozenset(),
    deps: frozenset[str] | None = None,
) -> str | None:
    """The country a phrase's modifiers name: "Russian troops", "Iraq's army", "the army of Iraq", "his army".

    A relational noun's possessor is the other side: "Greece's partners" are not Greece.
    """
    preps = preps or _PLACE_PREPS
    deps = _MODIFIER_DEPS if deps is None else deps
    if head.lemma_.lower() in load_rules().nouns["Relational"]:
        deps = deps - {"poss"}
    skip = set(range(exclude.start, exclude.end)) if exclude is not None else set()
    for child in head.children:
        if child.i in skip:
            for grandchild in child.children:
                if grandchild.i not in skip and grandchild.dep_ in deps:
                    country = _token_country(grandchild, index)
                    if country:
                        return country
            continue
        if child.dep_ in deps:
            country = _token_country(child, index)
            if country:
                return country
        elif child.dep_ == "prep" and child.lower_ in preps:
            for pobj in child.children:
                if pobj.dep_ == "pobj":
                    country = _token_country(pobj, index)
                    if country:
                        return country
    return None


def is_stance(token: Token) -> bool:
    """Whether a state's name or people word is part of a stance or relation towards it:
    "pro-Russian separatists" are not Russian, "anti-Syria" journalists not Syrian, "Iran-backed
    militias" and "Russian-made tanks" not Iranian or Russian (``stance_prefixes``, ``relation_participles``)."""
    rules, doc, i = load_rules(), token.doc, token.i
    span = entity_span(token) if token.ent_type_ else doc[i : i + 1]
    before = {doc[j].lower_ for j in range(max(span.start - 2, 0), i + 1)}
    after = doc[span.end + 1].lower_ if span.end + 1 < len(doc) and doc[span.end].text == "-" else ""
    prefixes = tuple(f"{p}-" for p in rules.stance_prefixes)
    return bool(before & rules.stance_prefixes) or token.lower_.startswith(prefixes) or after in rules.relation_participles


def _token_country(token: Token, index: ActorIndex | None) -> str | None:
    if is_stance(token):
        return None
    if index is not None and token.i in index.by_token:
        return index.by_token[token.i].actor.country
    if index is not None and _is_referring_pronoun(token) and (antecedent := index.pronoun_antecedent(token.lower_)):
        return antecedent.country
    if token.ent_type_:
        span = entity_span(token)
        entry = gazetteer.lookup(_clean_name(span.text))
        named = index.countries if index is not None else frozenset()
        if entry is not None and entry.country and entry.type in ACTOR_TYPES and entry.kind != "capital":
            return entry.country  # a weapon's maker does not make its user's phrase national
        if token.ent_type_ in ("GPE", "LOC") or (entry is not None and entry.kind == "capital"):
            return gazetteer.place_country(_clean_name(span.text), named)
    # Chains of modifiers: "the Belarusian armed forces", "Russian Foreign Minister".
    for child in token.children:
        if child.dep_ in _MODIFIER_DEPS and child.i < token.i:
            country = _token_country(child, index)
            if country:
                return country
    return None


def _modifier_role(head: Token) -> str | None:
    roles = load_rules().nouns["Role"]
    words = [t for t in head.lefts if t.dep_ in ("compound", "amod", "nmod") and t.lemma_.lower() in roles]
    return " ".join(t.text for t in words).title() if words else None


def _noun_phrase_span(token: Token) -> Span:
    """The noun phrase of a common-noun actor: its left modifiers up to the head."""
    start = token.i
    for left in token.lefts:
        if left.dep_ in _MODIFIER_DEPS | {"det"}:
            start = min(start, left.left_edge.i)
            break
    return token.doc[start : token.i + 1]


def country_mention(token: Token, index: ActorIndex) -> Mention | None:
    """A mention of the state named by a modifier ("Russian" in "a Russian attack"); a stance
    towards a state ("anti-American protests") names none."""
    if is_stance(token):
        return None
    if token.i in index.by_token:
        return index.by_token[token.i]
    if token.ent_type_ not in ("NORP", "GPE"):
        return None
    span = entity_span(token)
    entry = gazetteer.lookup(_clean_name(span.text))
    if entry is None or entry.type != "Country" or not entry.country:
        return None
    return Mention(country_actor(entry.country), span.text, span.start_char, span.end_char)
