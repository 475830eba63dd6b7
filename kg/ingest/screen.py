"""Is a text an article kg can read? Its language, template code, and (for web pages) its length.

Three checks, each with its own coded message (``docs/reliability.md``):

* **Language** (E078): an article whose text is in a language not accepted
  (``--lang``, default English) is skipped: an English pipeline reads German
  as nonsense (verbs "die", "und"). Texts under :data:`MIN_IDENTIFY_CHARS`
  characters are not judged, since no identifier is reliable on a headline
  (kg's tests are full of one-line English sentences). Identification is by
  lingua (``lingua-language-detector``, low-accuracy mode: its models ship
  in the wheel, nothing is downloaded) on the first :data:`IDENTIFY_CHARS`
  characters; where English is accepted, a text of which
  :data:`ENGLISH_STOP_SHARE` of the words or more are English stop words
  (spaCy's list) plainly reads as English and lingua is not asked (it cost
  3.6 ms an article, the most of what kg adds to parsing after its rules).
* **Template code** (E079): a text of which a fifth or more is placeholders
  (``{{nrco.content.title}}``, ``{% block %}``, ``${headline}``) is a page
  template, not an article.
* **Too short for a web page** (E009): the main text of a page with fewer
  than :data:`MIN_PAGE_CHARS` characters of prose is a photo caption, a
  teaser or a stub, not the article (text and JSONL input is the user's own
  choice of text, and is not held to it).

>>> page_problem("{{nrco.content.title}} {{nrco.content.summary}} Lire la suite", "p.html").message[:6]
'[E079]'
>>> page_problem("Soldiers guard the border crossing near Medyka on Monday.", "caption.html").message[:6]
'[E009]'
>>> parse_languages("EN, de")
('en', 'de')
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from typing import TYPE_CHECKING

from kg.errors import Errors, KGError
from kg.records import Article, Skipped

if TYPE_CHECKING:
    from lingua import LanguageDetector

__all__ = [
    "DEFAULT_LANGUAGES",
    "ENGLISH_STOP_SHARE",
    "IDENTIFY_CHARS",
    "MIN_IDENTIFY_CHARS",
    "MIN_PAGE_CHARS",
    "TEMPLATE_SHARE",
    "english_stop_share",
    "identify",
    "language_name",
    "known_languages",
    "page_problem",
    "parse_languages",
    "prose",
    "screen",
    "template_share",
]

#: Languages an article may be in unless told otherwise (``--lang``): those of the default pipeline.
DEFAULT_LANGUAGES: tuple[str, ...] = ("en",)
#: Fewest characters of prose in the main text of a web page (docs/reliability.md: two-sentence
#: briefs have some 180, captions and teasers one sentence and a credit, up to about 155).
MIN_PAGE_CHARS = 160
#: Fewest characters of prose for the language of a text to be judged (shorter ones are accepted):
#: from 200 characters on, every identifier measured was right on every text (docs/reliability.md).
MIN_IDENTIFY_CHARS = 200
#: Characters of a text the identifier reads (its first ones): two and a half times the length from which
#: every identifier measured was right, at 3.6 ms an article (2,000 took 10 ms, 7 % of parsing one).
IDENTIFY_CHARS = 500
#: Share of the words of the characters judged that are English stop words (spaCy's list) from which a
#: text plainly reads as English, without asking lingua: 0.28 or more in 95 % of 2,046 English texts measured
#: (the others are asked), at most 0.16 in any 200 characters of the paragraphs of nine other languages
#: (docs/reliability.md).
ENGLISH_STOP_SHARE = 0.25
#: Share of a text's non-space characters in template placeholders from which it is template code.
TEMPLATE_SHARE = 0.2

# Placeholders of the common template languages (Mustache/Jinja/Angular/Liquid, JS and JSP/ERB), each on one line.
_PLACEHOLDER = re.compile(
    r"\{\{[^{}\n]{0,300}\}\}|\{%[^%\n]{0,300}%\}|\{#[^#\n]{0,300}#\}|\$\{[^{}\n]{0,300}\}|<%[^%\n]{0,300}%>"
)
_SPACE = re.compile(r"\s+")
_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?")


def template_share(text: str) -> tuple[float, str | None]:
    """The share of the non-space characters of ``text`` in template placeholders, and the first one.

    >>> share, first = template_share("{{page.title}} Read more: {{page.link}}")
    >>> round(share, 2), first
    (0.75, '{{page.title}}')
    """
    found = [m.group() for m in _PLACEHOLDER.finditer(text)]
    if not found:
        return 0.0, None
    total = len(_SPACE.sub("", text))
    inside = sum(len(_SPACE.sub("", p)) for p in found)
    return (inside / total if total else 0.0), found[0]


def prose(text: str) -> str:
    """``text`` without template placeholders, its white space collapsed: what a reader reads."""
    return _SPACE.sub(" ", _PLACEHOLDER.sub(" ", text)).strip()


def _template(text: str, name: str) -> Skipped | None:
    share, example = template_share(text)
    if example is None or share < TEMPLATE_SHARE:
        return None
    return Skipped(name, Errors.E079.format(path=name, share=share, example=example[:60]))


def page_problem(text: str, name: str, *, min_chars: int = MIN_PAGE_CHARS) -> Skipped | None:
    """Why the main text ``text`` of the web page ``name`` is no article (template code, too short), or ``None``."""
    problem = _template(text, name)
    if problem is not None:
        return problem
    chars = len(prose(text))
    if chars < min_chars:
        return Skipped(name, Errors.E009.format(path=name, chars=chars, limit=min_chars))
    return None


def screen(article: Article, languages: Iterable[str] | None) -> Skipped | None:
    """Why ``article`` is not read (template code, or a language not in ``languages``), or ``None``.

    ``languages`` ``None`` accepts every language.
    """
    return _template(article.text, article.source or article.id) or language_problem(article, languages)


def language_problem(article: Article, languages: Iterable[str] | None) -> Skipped | None:
    """Why ``article`` is not read for its language (not one of ``languages``; ``None``: any), or ``None``.

    A build runs it in its workers (:func:`kg.run.workers.process_chunk`), where the parsing is.
    """
    if languages is None:
        return None
    name = article.source or article.id
    accepted = tuple(languages)
    text = prose(article.text[: IDENTIFY_CHARS * 2])[:IDENTIFY_CHARS]
    if len(text) < MIN_IDENTIFY_CHARS:
        return None
    if "en" in accepted and english_stop_share(text) >= ENGLISH_STOP_SHARE:
        return None
    found = identify(text)
    if found is None or found[0] in accepted:
        return None
    code, confidence = found
    return Skipped(
        name,
        Errors.E078.format(
            path=name, language=language_name(code), code=code, confidence=confidence,
            accepted=", ".join(accepted), lang=",".join((*accepted, code)),
        ),
    )


def english_stop_share(text: str) -> float:
    """The share of the words of ``text`` that are English stop words (spaCy's list).

    >>> round(english_stop_share("The ministers met in Vilnius on Tuesday to discuss the border."), 2)
    0.45
    >>> round(english_stop_share("Die Minister trafen sich am Dienstag in Vilnius, um über die Grenze zu sprechen."), 2)
    0.14
    """
    from spacy.lang.en.stop_words import STOP_WORDS

    words = [word.lower() for word in _WORD.findall(text)]
    return sum(word in STOP_WORDS for word in words) / len(words) if words else 0.0


def identify(text: str) -> tuple[str, float] | None:
    """The ISO 639-1 code of the most likely language of ``text`` and lingua's confidence in it,
    or ``None`` when lingua cannot tell (no letters).

    >>> identify("Die Regierung in Berlin hat am Montag neue Hilfen für die Ukraine beschlossen.")[0]
    'de'
    """
    values = _detector().compute_language_confidence_values(text)
    if not values or values[0].value <= 0:
        return None
    return values[0].language.iso_code_639_1.name.lower(), float(values[0].value)


@lru_cache(maxsize=1)
def _detector() -> LanguageDetector:
    from lingua import LanguageDetectorBuilder  # imported when the first long enough text is judged

    return LanguageDetectorBuilder.from_all_languages().with_low_accuracy_mode().build()


@lru_cache(maxsize=1)
def known_languages() -> dict[str, str]:
    """ISO 639-1 code -> English name of every language lingua identifies."""
    from lingua import Language

    return {lang.iso_code_639_1.name.lower(): lang.name.capitalize() for lang in sorted(Language.all(), key=lambda x: x.name)}


def language_name(code: str) -> str:
    """The English name of the language ``code`` ("de" -> "German")."""
    return known_languages().get(code, code)


def parse_languages(value: str | Iterable[str]) -> tuple[str, ...]:
    """The language codes of ``--lang`` (``"en,de"``), checked; ``KGError`` (E085) for an unknown one."""
    parts = value.split(",") if isinstance(value, str) else list(value)
    codes = tuple(dict.fromkeys(p.strip().lower() for p in parts if p.strip()))
    known = known_languages()
    for code in codes:
        if code not in known:
            raise KGError(Errors.E085.format(code=code, choices=", ".join(sorted(known))))
    if not codes:
        raise KGError(Errors.E085.format(code=value, choices=", ".join(sorted(known))))
    return codes
