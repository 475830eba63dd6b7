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


def test_publication_dates_from_datelines():
    assert find_dateline_date("KYIV, Ukraine (AP) — Russia attacked.") is None
    assert find_dateline_date("ASTANA, Kazakhstan — Kazakhstan hosted talks.") is None
    assert find_dateline_date("WARSAW, Poland, March 11, 2024 (KGW) — Poland sent tanks.") == "2024-03-11"
    assert find_dateline_date("LONDON, 11 March 2024 (Reuters) - Britain protested.") == "2024-03-11"
    assert find_dateline_date("THE HAGUE, Netherlands, Sept. 5, 2023 — The court ruled.") == "2023-09-05"
    assert find_dateline_date("BEIJING, Jan. 5 (Xinhua) -- China protested.", year_hint=2023) == "2023-01-05"
    assert find_dateline_date("Title\n\nMEXICO CITY, Feb. 2, 2021 — Mexico protested.") == "2021-02-02"
    # a date-shaped start that is no dateline gives no date
    assert find_dateline_date("NATO, March 11, 2024 - the alliance met.") is None


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


# --- bad input: every class gets a one-line coded message, and nothing else is lost ----------

from kg.ingest import MAX_ARTICLE_CHARS, Notice, read_bytes, split_text  # noqa: E402


def _notices(items):
    return [i for i in items if isinstance(i, Notice)]


def test_non_utf8_is_decoded_with_a_warning_naming_the_file(tmp_path):
    western = tmp_path / "western.txt"
    western.write_bytes("Déjà vu in Paris: Côte d’Ivoire protested to France.".encode("cp1252"))
    cyrillic = tmp_path / "cyrillic.txt"
    cyrillic.write_bytes("Россия атаковала Украину в понедельник, сообщило министерство.".encode("cp1251"))
    utf16 = tmp_path / "utf16.txt"
    utf16.write_bytes("Japan protested to China.".encode("utf-16"))
    plain = tmp_path / "plain.txt"
    plain.write_text("Poland sent tanks to Ukraine.", encoding="utf-8")
    items = list(read_articles([western, cyrillic, utf16, plain]))
    texts = {a.id: a.text for a in _articles(items)}
    assert texts["western"].startswith("Déjà vu in Paris: Côte d’Ivoire")
    assert texts["cyrillic"].startswith("Россия атаковала")
    assert texts["utf16"] == "Japan protested to China."
    notices = {n.source: n.message for n in _notices(items)}
    assert set(notices) == {str(western), str(cyrillic), str(utf16)}  # UTF-8 needs no warning
    assert notices[str(western)].startswith(f"[E070] {western}: not UTF-8; decoded as cp1252")
    assert "cp1251" in notices[str(cyrillic)] and "\n" not in notices[str(cyrillic)]


def test_binary_files_are_refused_by_name(tmp_path):
    (tmp_path / "scan.txt").write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n")
    (tmp_path / "photo.html").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    (tmp_path / "dump.md").write_bytes(b"Russia\x00\x00\x01\x02attacked")
    (tmp_path / "noise.txt").write_bytes(bytes(range(1, 32)) * 20)
    (tmp_path / "dump.jsonl").write_bytes(b'{"text": "x"}\x00\x00\n')
    (tmp_path / "good.txt").write_text("France protested to Italy.")
    (tmp_path / "image.png").write_bytes(b"\x89PNG\r\n")  # another suffix in a folder: ignored
    items = list(read_articles([tmp_path]))
    assert [a.id for a in _articles(items)] == ["good"]
    refused = {s.source: s.message for s in _skipped(items)}
    assert set(refused) == {str(tmp_path / n) for n in ("scan.txt", "photo.html", "dump.md", "noise.txt", "dump.jsonl")}
    assert all(m.startswith("[E071]") for m in refused.values())
    assert "a PDF document" in refused[str(tmp_path / "scan.txt")]
    assert "NUL byte" in refused[str(tmp_path / "dump.md")]
    named = list(read_articles([tmp_path / "image.png"]))  # named explicitly: told, not ignored
    assert _skipped(named)[0].message.startswith("[E004]")


def test_empty_and_whitespace_files_are_skipped(tmp_path):
    for name, content in [("empty.txt", ""), ("blank.md", " \n\t\n"), ("blank.html", "\n\n"), ("blank.jsonl", "\n \n")]:
        (tmp_path / name).write_text(content)
    items = list(read_articles(sorted(tmp_path.iterdir())))
    assert not _articles(items)
    assert sorted(s.source for s in _skipped(items)) == sorted(str(p) for p in tmp_path.iterdir())
    assert all(s.message.startswith("[E007]") for s in _skipped(items))
    assert _skipped(read_articles(["-"], stdin=io.StringIO("  \n")))[0].message.startswith("[E007] stdin")


def test_html_without_main_text(tmp_path):
    page = tmp_path / "script-only.html"
    page.write_text("<html><head><title>Live</title></head><body><script>load();</script></body></html>")
    (skipped,) = _skipped(read_articles([page]))
    assert skipped.message.startswith("[E006]") and str(page) in skipped.message


def test_oversize_article_is_split_at_paragraph_breaks(tmp_path):
    paragraphs = [f"Paragraph {i}: Poland sent tanks to Ukraine, the ministry said." for i in range(40)]
    text = "A long report\n\n" + "\n\n".join(paragraphs) + "\n"
    path = tmp_path / "long.txt"
    path.write_text(text)
    items = list(read_articles([path], max_chars=500))
    parts = _articles(items)
    (notice,) = _notices(items)
    assert notice.message.startswith(f"[E072] {path}: {len(text):,} characters, over the limit of 500")
    assert f"long-part-1 to long-part-{len(parts)}" in notice.message
    assert [a.id for a in parts] == [f"long-part-{n}" for n in range(1, len(parts) + 1)]
    assert all(len(a.text) <= 500 for a in parts) and "".join(a.text for a in parts) == text
    assert all(a.text.endswith("\n\n") or a is parts[-1] for a in parts)  # cut at paragraph breaks
    assert parts[1].title == f"A long report (part 2 of {len(parts)})"
    assert MAX_ARTICLE_CHARS == 200_000  # a build's transaction per article stays some 300 MB (docs/reliability.md)


def test_split_text_never_loses_or_exceeds():
    assert split_text("x" * 25, 10) == ["x" * 10, "x" * 10, "x" * 5]
    assert split_text("ab cd ef", 5) == ["ab ", "cd ef"]
    assert split_text("line one\nline two\n\npara", 12) == ["line one\n", "line two\n\n", "para"]


def test_oversize_file_is_refused(tmp_path):
    path = tmp_path / "huge.txt"
    path.write_text("Russia attacked Ukraine. " * 10)
    (skipped,) = _skipped(read_articles([path], max_file_bytes=100))
    assert skipped.message.startswith(f"[E073] {path}: 250 bytes, over the limit of 100 bytes")


def test_jsonl_hostile_lines_cost_only_themselves(tmp_path):
    path = tmp_path / "wire.jsonl"
    path.write_bytes(
        b'{"id": "ok1", "text": "Russia attacked Ukraine."}\n'
        b'{"id": "sur", "text": "China \\ud800 protested.", "title": "\\udfff"}\n'
        + "{\"id\": \"latin\", \"text\": \"Côte d’Ivoire protested.\"}\n".encode("cp1252")
        + b"[" * 100000 + b"\n"
        + b'{"id": 7, "text": "Iran threatened Israel.", "url": "https://x/a> <b"}\n'
        + '{"id": "sep", "text": "Egypt\u2028protested."}\n'.encode("utf-8")
    )
    items = list(read_articles([path]))
    articles = {a.id: a for a in _articles(items)}
    assert list(articles) == ["ok1", "sur", "latin", "7", "sep"]
    assert articles["sur"].text == "China \ufffd protested." and articles["sur"].title == "\ufffd"
    assert articles["latin"].text == "Côte d’Ivoire protested."
    assert articles["7"].url == "https://x/a> <b"  # a literal, never an IRI
    assert articles["sep"].text == "Egypt\u2028protested."  # U+2028 does not end a JSONL line
    messages = [i.message for i in items if not isinstance(i, Article)]
    assert messages[0].startswith(f"[E077] {path}:2: 2 character(s)")
    assert messages[1].startswith(f"[E070] {path}:3: not UTF-8")
    assert messages[2].startswith(f"[E001] {path}:4: not a JSON object (nested too deeply)")


def test_duplicate_ids_never_overwrite_another_article(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "report.txt").write_text("France protested.")
    (tmp_path / "b" / "report.txt").write_text("Japan protested.")
    items = list(read_articles([tmp_path, tmp_path / "a" / "report.txt"]))
    ids = [a.id for a in _articles(items)]
    assert ids[0] == "report" and ids[1].startswith("report-") and len(ids) == 2
    renamed, duplicate = [i.message for i in items if not isinstance(i, Article)]
    assert renamed.startswith("[E075]") and repr(ids[1]) in renamed
    assert duplicate.startswith("[E076]") and "read once" in duplicate


def test_stdin_bytes_in_a_legacy_encoding():
    stream = io.TextIOWrapper(io.BytesIO("Déjà, Côte d’Ivoire protested.".encode("cp1252")), encoding="utf-8")
    items = list(read_articles(["-"], stdin=stream))
    assert _articles(items)[0].text == "Déjà, Côte d’Ivoire protested."
    assert _notices(items)[0].message.startswith("[E070] stdin:")


def test_invalid_published_date_is_ignored():
    (article,) = _articles(read_bytes(b"# Pact\n\n*Published 2024-13-45*\n\nFrance signed a pact.", "pact.md"))
    assert article.date is None


def test_names_no_file_can_have(tmp_path):
    (skipped,) = _skipped(read_articles([f"{tmp_path}/a\x00b.txt"]))
    assert skipped.message.startswith("[E003]")


def test_messages_stay_one_line_whatever_the_file_name(tmp_path):
    (tmp_path / "evil\nname [E000].txt").write_text(" ")
    (skipped,) = _skipped(read_articles([tmp_path]))
    assert skipped.message == f"[E007] {tmp_path}/evil\\nname [E000].txt: the file is empty (or only whitespace)."


# ---------------------------------------------------------------- unreadable folders and files (issue 19)

import errno  # noqa: E402
import os  # noqa: E402
import shutil  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402
from click.testing import CliRunner  # noqa: E402

from kg.cli import cli  # noqa: E402


def _deny(monkeypatch, *denied: Path) -> None:
    """Make the folders and files ``denied`` unreadable, as ``chmod 000`` does for any user but
    root (tests may run as root, whom file modes do not stop)."""
    scandir, read_bytes = os.scandir, Path.read_bytes

    def refused(path) -> PermissionError:
        return PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(path))

    def denied_scandir(path="."):
        if Path(path) in denied:
            raise refused(path)
        return scandir(path)

    def denied_read_bytes(self: Path) -> bytes:
        if self in denied:
            raise refused(self)
        return read_bytes(self)

    monkeypatch.setattr(os, "scandir", denied_scandir)  # what os.walk lists folders with
    monkeypatch.setattr(Path, "read_bytes", denied_read_bytes)


def _inputs(tmp_path: Path) -> tuple[Path, Path, Path]:
    folder = tmp_path / "in"
    (folder / "ok").mkdir(parents=True)
    (folder / "locked").mkdir()
    (folder / "ok" / "tanks.txt").write_text("Germany delivered tanks to Ukraine.")
    (folder / "ok" / "secret.txt").write_text("France recalled its ambassador from Mali.")
    (folder / "locked" / "attack.txt").write_text("Russia attacked Ukraine.")
    return folder, folder / "locked", folder / "ok" / "secret.txt"


def test_unreadable_folders_and_files_are_named(tmp_path, monkeypatch):
    folder, locked, secret = _inputs(tmp_path)
    _deny(monkeypatch, locked, secret)
    items = list(read_articles([folder, locked]))
    assert [a.id for a in _articles(items)] == ["tanks"]
    assert [s.message for s in _skipped(items)] == [
        f"[E140] {locked}: the folder cannot be read (Permission denied); none of the files in it were read.",
        f"[E005] {secret}: cannot be read (Permission denied).",
        f"[E140] {locked}: the folder cannot be read (Permission denied); none of the files in it were read.",
    ]


def test_an_unreadable_folder_fails_strict_builds_and_extractions(tmp_path, monkeypatch, nlp):
    folder, locked, _ = _inputs(tmp_path)
    _deny(monkeypatch, locked)
    line = f"[E140] {locked}: the folder cannot be read (Permission denied)"
    built = CliRunner().invoke(cli, ["build", str(folder), "--store", str(tmp_path / "store"), "--workers", "1", "--strict"])
    assert built.exit_code == 1, built.output
    assert "2 articles; 1 input skipped" in built.output and line in built.output
    assert "[E081] --strict: 1 input(s) had problems" in built.output
    extracted = CliRunner().invoke(cli, ["extract", str(locked), "--strict"])
    assert extracted.exit_code == 1 and line in extracted.output
    relaxed = CliRunner().invoke(cli, ["extract", str(folder)])
    assert relaxed.exit_code == 0 and line in relaxed.output and '"doc": "tanks"' in relaxed.output


# Root reads files whatever their mode: as root, the test runs in a process without that power.
_WITHOUT_ROOTS_READING = ["setpriv", "--inh-caps=-dac_override,-dac_read_search", "--bounding-set=-dac_override,-dac_read_search", "--"]
_SKIPPED = "import sys; from kg.ingest import Skipped, read_articles; [print(i.message) for i in read_articles(sys.argv[1:]) if isinstance(i, Skipped)]"


def test_chmod_000_folders_and_files_are_named(tmp_path):
    prefix = []
    if os.geteuid() == 0:
        prefix = _WITHOUT_ROOTS_READING
        if shutil.which("setpriv") is None or subprocess.run([*prefix, "true"], capture_output=True).returncode != 0:
            pytest.skip("root reads folders and files whatever their mode, and setpriv cannot take that away here")
    folder, locked, secret = _inputs(tmp_path)
    locked.chmod(0)
    secret.chmod(0)
    try:
        run = subprocess.run([*prefix, sys.executable, "-c", _SKIPPED, str(folder)], capture_output=True, text=True, timeout=120)
    finally:
        locked.chmod(0o755)
        secret.chmod(0o644)
    assert run.stdout.splitlines() == [
        f"[E140] {locked}: the folder cannot be read (Permission denied); none of the files in it were read.",
        f"[E005] {secret}: cannot be read (Permission denied).",
    ], run.stderr


def test_a_path_that_is_neither_file_nor_folder_is_named(tmp_path):
    fifo = tmp_path / "feed.txt"
    os.mkfifo(fifo)  # reading it would wait for a writer for ever
    (skipped,) = _skipped(read_articles([fifo, tmp_path]))  # named when given; ignored inside a folder
    assert skipped.message == f"[E005] {fifo}: cannot be read (neither a file nor a folder)."
