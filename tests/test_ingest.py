"""Ingest: every input kind, stable ids, dates, and bad input that never stops the run."""
from __future__ import annotations

import io
import json

from kg.ingest import Article, Skipped, find_dateline_date, read_articles


def _articles(items):
    return [i for i in items if isinstance(i, Article)]


def _skipped(items):
    return [i for i in items if isinstance(i, Skipped)]


def test_text_file_headline_and_dateline_date(tmp_path):
    path = tmp_path / "talks.txt"
    path.write_text("Envoys meet in Ankara\n\nANKARA, Turkey, May 3, 2024 (KGW) — Turkey hosted talks.\n")
    (article,) = _articles(read_articles([path]))
    assert article.id == "talks"
    assert article.title == "Envoys meet in Ankara"
    assert article.date == "2024-05-03"
    assert article.source == str(path)


def test_dateline_without_date_gives_no_date():
    assert find_dateline_date("KYIV, Ukraine (AP) — Russia attacked.") is None
    assert find_dateline_date("BEIJING, Jan. 5, 2023 (KGW) -- China protested.") == "2023-01-05"


def test_date_in_file_name(tmp_path):
    path = tmp_path / "wire-2023-04-09.txt"
    path.write_text("Poland sent tanks to Ukraine.")
    (article,) = _articles(read_articles([path]))
    assert article.date == "2023-04-09"


def test_markdown_published_line(tmp_path):
    path = tmp_path / "pact.md"
    path.write_text("# A pact\n\n*Published 2024-09-26*\n\nFrance signed a pact with India.\n")
    (article,) = _articles(read_articles([path]))
    assert article.date == "2024-09-26"
    assert article.title == "A pact"


def test_html_main_text_and_metadata(tmp_path):
    path = tmp_path / "page.html"
    path.write_text(
        "<html><head><title>Aid pledged</title>"
        '<meta property="article:published_time" content="2024-06-03T09:00:00Z"></head>'
        "<body><nav>Home | World | Subscribe</nav><article><h1>Aid pledged</h1>"
        "<p>Japan pledged new reconstruction aid to Ukraine on Monday, the foreign ministry in Tokyo said.</p>"
        "<p>The package includes funds for power stations and water networks across the country.</p>"
        "</article><footer>Already a subscriber? Log in</footer></body></html>"
    )
    (article,) = _articles(read_articles([path]))
    assert "Japan pledged new reconstruction aid" in article.text
    assert "Log in" not in article.text
    assert article.date == "2024-06-03"
    assert article.title == "Aid pledged"


def test_jsonl_records_and_bad_lines(tmp_path):
    path = tmp_path / "wire.jsonl"
    lines = [
        json.dumps({"id": "a1", "text": "Russia attacked Ukraine.", "date": "2024-01-02", "title": "T", "url": "https://x"}),
        "{not json",
        json.dumps({"id": "a2"}),
        json.dumps(["a list"]),
        "",
        json.dumps({"text": "China protested to Japan."}),
    ]
    path.write_text("\n".join(lines) + "\n")
    items = list(read_articles([path]))
    good, bad = _articles(items), _skipped(items)
    assert [a.id for a in good][0] == "a1"
    assert good[0].date == "2024-01-02" and good[0].url == "https://x"
    assert good[1].id.startswith("wire-")  # derived from content: stable
    assert [s.source for s in bad] == [f"{path}:2", f"{path}:3", f"{path}:4"]
    assert bad[0].message.startswith("[E001]") and f"{path}:2" in bad[0].message


def test_derived_ids_are_stable(tmp_path):
    text = "Germany condemned the strike."
    first = _articles(read_articles(["-"], stdin=io.StringIO(text)))[0].id
    second = _articles(read_articles(["-"], stdin=io.StringIO(text)))[0].id
    assert first == second
    other = _articles(read_articles(["-"], stdin=io.StringIO(text + " Again.")))[0].id
    assert other != first


def test_stdin_jsonl_is_detected():
    stream = io.StringIO('{"id": "s1", "text": "Iran threatened Israel."}\n')
    (article,) = _articles(read_articles(["-"], stdin=stream))
    assert article.id == "s1"


def test_directory_recursive_and_unsupported_or_missing(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "a.txt").write_text("France protested.")
    (tmp_path / "sub" / "b.md").write_text("Japan protested.")
    (tmp_path / "notes.pdf").write_bytes(b"%PDF")
    (tmp_path / "empty.txt").write_text("   \n")
    items = list(read_articles([tmp_path, tmp_path / "missing.txt", tmp_path / "notes.pdf"]))
    assert sorted(a.id for a in _articles(items)) == ["a", "b"]
    messages = [s.message for s in _skipped(items)]
    assert any(m.startswith("[E007]") and "empty.txt" in m for m in messages)
    assert any(m.startswith("[E003]") and "missing.txt" in m for m in messages)
    assert any(m.startswith("[E004]") and "notes.pdf" in m for m in messages)


def test_legacy_encoding_is_decoded(tmp_path):
    path = tmp_path / "latin.txt"
    path.write_bytes("Côte d’Ivoire protested.".encode("cp1252"))
    (article,) = _articles(read_articles([path]))
    assert article.text.startswith("Côte d’Ivoire")
