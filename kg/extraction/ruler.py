"""The actor gazetteer as an entity ruler that runs before ``ner``, so known names win
over NER mistakes: spaCy's ``EntityRuler`` with a faster ``match`` (:class:`IndexedRuler`).
"""
from __future__ import annotations

import warnings
from functools import lru_cache

from spacy.language import Language

__all__ = ["make_actor_ruler"]


@Language.factory("kg_actor_ruler", default_config={"overwrite_ents": True})
def make_actor_ruler(nlp: Language, name: str, overwrite_ents: bool):
    """An EntityRuler fed from the gazetteer, so known names win over NER mistakes."""
    ruler = _indexed_ruler_class()(nlp, name, overwrite_ents=overwrite_ents, phrase_matcher_attr=None)
    from kg.extraction.gazetteer import ruler_names

    ruler.add_names(ruler_names())
    return ruler


@lru_cache(maxsize=1)
def _indexed_ruler_class():
    """spaCy's ``EntityRuler`` with a faster ``match`` for the gazetteer's patterns (see :class:`IndexedRuler`)."""
    from spacy.attrs import LOWER, ORTH
    from spacy.matcher import Matcher
    from spacy.pipeline import EntityRuler
    from spacy.strings import get_string_id

    class IndexedRuler(EntityRuler):
        """An ``EntityRuler`` that finds its simple token patterns through a dictionary.

        Every gazetteer pattern is an exact first token (``ORTH``, or
        ``ORTH IN`` a few spellings) followed by lower-cased tokens
        (``LOWER``). spaCy's ``Matcher`` tries each of the ~35,000 patterns
        (kg's names and the CAMEO dictionaries') at every token; here the
        first two tokens are looked up in dicts and only the few patterns
        starting with them are checked. Other patterns still go
        through a ``Matcher``. The matches, their order and so the entities
        are exactly the ``EntityRuler``'s (``tests/test_nlp.py`` compares them).
        """

        def add_names(self, names):
            """Add ``(label, first token spellings, later tokens lower-cased, id or None)`` names
            (:func:`kg.extraction.gazetteer.ruler_names`): what a simple pattern says, without the
            pattern dicts (the gazetteer's ~35,000 names would take 90 MB as patterns). They match
            as the patterns would, but are not listed in ``patterns``."""
            names = tuple(names)
            for label, _, _, ent_id in names:
                if ent_id:
                    key = get_string_id(self._create_label(label, ent_id))
                    self._ent_ids[key] = (label, ent_id)
                else:
                    self.nlp.vocab.strings.add(label)  # the entity label of a match without id
            self._names = getattr(self, "_names", ()) + names
            self._reindex()

        def __len__(self):
            return super().__len__() + len(getattr(self, "_names", ()))

        def add_patterns(self, patterns):
            # spaCy's Matcher compares each new pattern with every one before it (quadratic: minutes
            # for the ~35,000 names of the CAMEO dictionaries); the simple patterns never reach it.
            simple, other = [], []
            for entry in patterns:
                (other if _simple_pattern(entry["pattern"]) is None else simple).append(entry)
            super().add_patterns(other)
            for entry in simple:
                label = entry["label"]
                if "id" in entry:
                    label = self._create_label(entry["label"], entry["id"])
                    self._ent_ids[self.matcher._normalize_key(label)] = (entry["label"], entry["id"])
                self.token_patterns[label].append(entry["pattern"])
            self._reindex()

        def clear(self):
            super().clear()
            self._names = ()
            self._reindex()

        def remove(self, ent_id):
            labels = [self._create_label(label, eid) for label, eid in self._ent_ids.values() if eid == ent_id]
            if not labels:
                super().remove(ent_id)  # spaCy's error for an unknown id
            for label in labels:
                self.token_patterns.pop(label, None)
                self.phrase_patterns.pop(label, None)
                for matcher in (self.matcher, self.phrase_matcher):
                    if label in matcher:
                        matcher.remove(label)
            self._names = tuple(name for name in getattr(self, "_names", ()) if name[3] != ent_id)
            self._reindex()

        def _reindex(self):
            # By string hashes, as ``Doc.to_array`` gives them: first token -> second token (lower-cased;
            # 0 for a one-word name) -> [(later tokens lower-cased, key)]. Common first names ("Jose",
            # "International") begin hundreds of names.
            index: dict[int, dict[int, list[tuple[tuple[int, ...], int]]]] = {}

            def put(firsts, lowers, key):
                hashed = tuple(get_string_id(word) for word in lowers)
                for first in firsts:
                    index.setdefault(get_string_id(first), {}).setdefault(hashed[0] if hashed else 0, []).append((hashed, key))

            rest = Matcher(self.nlp.vocab, validate=self._validate, fuzzy_compare=self.matcher_fuzzy_compare)
            for label, patterns in self.token_patterns.items():
                for pattern in patterns:
                    simple = _simple_pattern(pattern)
                    if simple is None:
                        rest.add(label, [pattern])
                    else:
                        put(*simple, self.matcher._normalize_key(label))
            for label, firsts, lowers, ent_id in getattr(self, "_names", ()):
                put(firsts, lowers, get_string_id(self._create_label(label, ent_id) if ent_id else label))
            self._first_index = index
            self._rest_matcher = rest if len(rest) else None

        def _require_patterns(self):
            # spaCy's counts every pattern (it lists all ~35,000) on every doc.
            if not self.token_patterns and not self.phrase_patterns and not getattr(self, "_names", ()):
                super()._require_patterns()

        def match(self, doc):
            self._require_patterns()
            index = self._first_index
            found = set()
            size = len(doc)
            columns = doc.to_array([ORTH, LOWER]).tolist() if size else []
            orths = [row[0] for row in columns]
            lowers = [row[1] for row in columns]
            for i, orth in enumerate(orths):
                by_second = index.get(orth)
                if not by_second:
                    continue
                candidates = by_second.get(0, [])
                if i + 1 < size:
                    candidates = candidates + by_second.get(lowers[i + 1], [])
                for rest, key in candidates:
                    end = i + 1 + len(rest)
                    if end <= size and all(lowers[i + 1 + k] == word for k, word in enumerate(rest)):
                        found.add((key, i, end))
            with warnings.catch_warnings():
                warnings.filterwarnings("ignore", message="\\[W036")
                if self._rest_matcher is not None:
                    found.update((m, s, e) for m, s, e in self._rest_matcher(doc) if s != e)
                found.update((m, s, e) for m, s, e in self.phrase_matcher(doc) if s != e)
            # The EntityRuler's order: longest first, then leftmost.
            return sorted(found, key=lambda m: (m[2] - m[1], -m[1]), reverse=True)

    return IndexedRuler


def _simple_pattern(pattern) -> tuple[tuple[str, ...], tuple[str, ...]] | None:
    """``(first token spellings, lower-cased later tokens)`` of a pattern ``[{"ORTH": ...}, {"LOWER": ...}, ...]``, else ``None``.

    >>> _simple_pattern([{"ORTH": {"IN": ["WHITE", "White"]}}, {"LOWER": "house"}])
    (('WHITE', 'White'), ('house',))
    >>> _simple_pattern([{"LOWER": "kremlin", "OP": "?"}]) is None
    True
    """
    if not isinstance(pattern, list) or not pattern or any(not isinstance(spec, dict) for spec in pattern):
        return None
    head, *tail = pattern
    if set(head) != {"ORTH"} or any(set(spec) != {"LOWER"} or not isinstance(spec["LOWER"], str) for spec in tail):
        return None
    orth = head["ORTH"]
    if isinstance(orth, str):
        firsts = (orth,)
    elif isinstance(orth, dict) and set(orth) == {"IN"} and all(isinstance(v, str) for v in orth["IN"]):
        firsts = tuple(orth["IN"])
    else:
        return None
    if any(word != word.lower() for spec in tail for word in [spec["LOWER"]]):
        return None  # never matches lower-cased text; left to the Matcher to decide
    return firsts, tuple(spec["LOWER"] for spec in tail)
