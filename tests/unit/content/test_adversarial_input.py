"""Adversarial input: every malformed or hostile file gets a clear `path:line: message`, never a traceback, never a
silently wrong page. Cases from ../shared/guide/reliability.md and issue #6."""

from __future__ import annotations

from pathlib import Path

import pytest

from sitegen.content.article import parse_article, parse_section_index
from sitegen.content.settings import ParseSettings
from sitegen.errors import Problem, Severity
from sitegen.model import Article
from tests.unit.parsing import SETTINGS


def parse(text: str | bytes, source: str = "content/news/x.md") -> tuple[Article | None, list[Problem]]:
    data = text.encode("utf-8") if isinstance(text, str) else text
    return parse_article(source, data, SETTINGS)


def errors(problems: list[Problem]) -> list[str]:
    return [str(p) for p in problems if p.severity is Severity.ERROR]


def warnings(problems: list[Problem]) -> list[str]:
    return [str(p) for p in problems if p.severity is Severity.WARNING]


# --------------------------------------------------------------------------------------------------------- YAML


@pytest.mark.parametrize(
    "tag",
    [
        "!!python/object/apply:os.system ['touch {marker}']",
        "!!python/name:os.system",
        "!!python/object/new:os.system ['touch {marker}']",
        "!!python/module:os",
    ],
)
def test_python_tags_are_refused_and_nothing_runs(tag: str, tmp_path: Path) -> None:
    marker = tmp_path / "PWNED"
    text = f"---\ntitle: T\ndate: 2025-09-01\nimage: {tag.format(marker=marker)}\n---\nBody\n"
    found, problems = parse(text)
    assert found is None
    assert any("content/news/x.md:4: invalid YAML" in e and "refused" in e for e in errors(problems))
    assert not marker.exists()


@pytest.mark.parametrize(
    ("written", "title"),
    [("no", "no"), ("yes", "yes"), ("off", "off"), ("2024", "2024"), ("1.10", "1.10"), ("1e3", "1e3"),
     ("2024-01-01", "2024-01-01"), ("'quoted: yes'", "quoted: yes"), ('"007"', "007"), ("0x1F", "0x1F"),
     ("1.0", "1.0"), ("null-ish", "null-ish")],
)  # fmt: skip
def test_titles_are_the_text_as_written(written: str, title: str) -> None:
    found, problems = parse(f"---\ntitle: {written}\ndate: 2025-09-01\n---\nBody\n")
    assert problems == []
    assert found is not None and found.title == title


def test_tags_and_authors_are_the_text_as_written() -> None:
    found, problems = parse("---\ntitle: T\ndate: 2025-09-01\ntags: [no, 2024, 1.10]\nauthors: yes\n---\n")
    assert errors(problems) == []
    assert found is not None
    assert [t.name for t in found.tags] == ["no", "2024", "1.10"]
    assert [a.name for a in found.authors] == ["yes"]


def test_image_fields_are_the_text_as_written() -> None:
    found, _ = parse("---\ntitle: T\ndate: 2025-09-01\nimage: {src: a.jpg, alt: no, caption: 2024}\n---\n")
    assert found is not None and found.image is not None
    assert (found.image.alt, found.image.caption) == ("no", "2024")


@pytest.mark.parametrize(
    ("front", "message"),
    [
        ("- title: T\n- date: 2025-09-01", "x.md:2: front-matter must be a mapping of 'key: value' lines, not a list"),
        ("just a sentence", "x.md:2: front-matter must be a mapping of 'key: value' lines, not a single value"),
        ('title: "unclosed\ndate: 2025-09-01', "content/news/x.md:2: invalid YAML"),
        ("title: A: B\ndate: 2025-09-01", "content/news/x.md:2: invalid YAML: mapping values are not allowed here"),
        ("title: T\ndate: 2025-09-01\ntags:\n\t- a", "content/news/x.md:5: invalid YAML"),
        ("title: T\ntitle: U\ndate: 2025-09-01", "content/news/x.md:3: 'title' is given twice (first on line 2)"),
        ("a: &x [1, 2]\nb: *x\ntitle: T", "content/news/x.md:3: invalid YAML: YAML aliases (*name) are not allowed"),
        ("title: " + "[" * 3000, "content/news/x.md:2: invalid YAML"),
        ("? [a, b]\n: c\ntitle: T", "front-matter keys must be names"),
    ],
)  # fmt: skip
def test_malformed_front_matter_is_an_error_with_its_line(front: str, message: str) -> None:
    found, problems = parse(f"---\n{front}\n---\nBody\n")
    assert found is None
    assert any(message in e for e in errors(problems)), problems


def test_billion_laughs_is_refused_quickly() -> None:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    lines += [f"{chr(98 + i)}: &{chr(98 + i)} [{','.join(['*' + chr(97 + i)] * 9)}]" for i in range(8)]
    found, problems = parse("---\ntitle: T\ndate: 2025-09-01\n" + "\n".join(lines) + "\ndraft: *i\n---\n")
    assert found is None
    assert any("aliases" in e for e in errors(problems))


def test_a_long_bad_value_is_cut_short_in_the_message() -> None:
    _, problems = parse("---\ntitle: T\ndate: 2025-09-01\ndraft: [" + ", ".join(["x"] * 5000) + "]\n---\n")
    assert errors(problems) and all(len(e) < 200 for e in errors(problems))


# ------------------------------------------------------------------------------------------------ required fields


@pytest.mark.parametrize(
    ("front", "message"),
    [
        ("date: 2025-09-01", "missing title"),
        ('title: ""\ndate: 2025-09-01', "missing title"),
        ("title: ~\ndate: 2025-09-01", "missing title"),
        ("title: T", "missing date"),
        ("title: T\ndate:", "content/news/x.md:3: missing date"),
        ("title: T\ndate: null", "missing date"),
        ("title: T\ndate: 2024-13-01", "content/news/x.md:3: date: '2024-13-01' is not an ISO 8601 date"),
        ("title: T\ndate: 31/12/2024", "content/news/x.md:3: date: '31/12/2024' is not an ISO 8601 date"),
        ("title: T\ndate: 20240101", "content/news/x.md:3: date: 20240101 is not a date"),
        ("title: [a, b]\ndate: 2025-09-01", "content/news/x.md:2: title: must be text, not a list"),
        ("title: T\ndate: 2025-09-01\ndraft: maybe", "content/news/x.md:4: draft: must be true or false"),
        ("title: T\ndate: 2025-09-10\nimage: javascript:alert(1)", "forbidden URL scheme"),
        ("title: T\ndate: 2025-09-10\naliases: ['../../etc']", "aliases:"),
    ],
)
def test_missing_or_invalid_fields_name_the_file(front: str, message: str) -> None:
    found, problems = parse(f"---\n{front}\n---\nBody\n")
    assert found is None
    assert any(message in e for e in errors(problems)), problems


def test_naive_dates_are_in_the_site_time_zone() -> None:
    found, _ = parse("---\ntitle: T\ndate: 2025-09-01 09:30\n---\n")
    assert found is not None and found.date is not None
    assert found.date.isoformat() == "2025-09-01T09:30:00+04:00"
    found, _ = parse("---\ntitle: T\ndate: 2025-09-01\n---\n")
    assert found is not None and found.date is not None and found.date.utcoffset() is not None


def test_unknown_keys_are_warnings_with_a_suggestion() -> None:
    found, problems = parse("---\ntitle: T\ndate: 2025-09-01\ntgas: [a]\n---\n")
    assert found is not None
    assert warnings(problems) == [
        "content/news/x.md:4: warning: unknown front-matter key 'tgas' (did you mean 'tags'?)"
    ]
    assert len(problems) == 1, problems  # the warning is the only problem


# ------------------------------------------------------------------------------------------------------ encodings


def test_bom_and_crlf_parse_like_plain_utf8() -> None:
    plain = "---\ntitle: Երևան\ndate: 2025-09-01\ntags: [a]\n---\nFirst line.\n\nSecond.\n"
    a, _ = parse(plain)
    b, problems = parse(b"\xef\xbb\xbf" + plain.replace("\n", "\r\n").encode("utf-8"))
    c, _ = parse(plain.replace("\n", "\r").encode("utf-8"))
    assert problems == []
    assert a is not None and b is not None and c is not None
    assert (a.title, a.date, a.body_html) == (b.title, b.date, b.body_html) == (c.title, c.date, c.body_html)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ("---\ntitle: T\n---\n".encode("utf-16"), "byte 0xff at offset 0): it looks like UTF-16"),
        (b"---\ntitle: T\xc3\n---\n", "not UTF-8 text"),
    ],
)  # fmt: skip
def test_other_encodings_are_an_error_with_the_byte_offset(data: bytes, message: str) -> None:
    found, problems = parse(data)
    assert found is None
    assert any(message in e for e in errors(problems)), problems


def test_non_utf8_names_the_byte() -> None:
    found, problems = parse(b"---\ntitle: caf\xe9\n---\n")
    assert found is None
    assert errors(problems) == ["content/news/x.md:2: not UTF-8 text (invalid byte 0xe9 at offset 14)"]
    assert len(problems) == 1, problems


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "the file is empty"),
        ("   \n\n\t\n", "the file is empty"),
        ("\ufeff", "the file is empty"),
        ("---\ntitle: T\ndate: 2025-09-01\nBody without a closing line\n",
         "x.md:1: the front-matter opened on line 1 is never closed"),
        ("Just text, no front-matter.\n", "content/news/x.md:1: no front-matter"),
        ("---\n---\n", "missing title"),
    ],
)  # fmt: skip
def test_empty_and_unclosed_files_are_clear_errors(text: str, message: str) -> None:
    found, problems = parse(text)
    assert found is None
    assert any(message in e for e in errors(problems)), problems


def test_an_empty_section_index_just_marks_the_section() -> None:
    info, problems = parse_section_index("content/world-cup/_index.md", b"")
    assert problems == []
    assert info is not None and info.title == "World Cup"


# --------------------------------------------------------------------------------------------------- URL fields


@pytest.mark.parametrize(
    "url",
    ["javascript:alert(1)", "JaVaScRiPt:alert(1)", " javascript:alert(1)", "java\tscript:alert(1)",
     "\x01javascript:alert(1)", "data:text/html;base64,PHNjcmlwdD4=", "vbscript:msgbox(1)", "file:///etc/passwd"],
)  # fmt: skip
def test_script_urls_in_image_are_refused(url: str) -> None:
    found, problems = parse(f"---\ntitle: T\ndate: 2025-09-01\nimage: {{src: {url!r}}}\n---\n".replace("'", '"'))
    assert found is None
    assert any("content/news/x.md:4: image: uses a forbidden URL scheme" in e for e in errors(problems)), problems


# --------------------------------------------------------------------------------------------------- raw HTML


BODY = """\
Intro <b>bold</b> text.

<script>alert("x")</script>

<img src="/a.png" onerror="alert(1)" alt="pic">

[click](javascript:alert(1)) and <a href="JAVASCRIPT:alert(2)">this</a> and <a href="/ok/">ok</a>

<iframe src="https://www.youtube.com/embed/abc" width="560" allowfullscreen></iframe>

<iframe src="https://evil.example/embed"></iframe>

<iframe src="http://player.vimeo.com/video/1"></iframe>

    <script>shown as code</script>

| a | b |
|:--|--:|
| 1 | 2 |
"""


def test_raw_html_is_sanitised_after_markdown() -> None:
    found, problems = parse(f"---\ntitle: T\ndate: 2025-09-01\n---\n{BODY}")
    assert found is not None
    html = found.body_html
    assert "<script>" not in html and "alert(" not in html.replace("&lt;script&gt;shown as code", "")
    assert "onerror" not in html
    assert "javascript" not in html.lower()
    assert '<a href="/ok/">ok</a>' in html
    assert "<b>bold</b>" in html
    assert '<iframe src="https://www.youtube.com/embed/abc" width="560" allowfullscreen="">' in html
    assert "evil.example" not in html
    assert "player.vimeo.com" not in html  # not over HTTPS
    assert "&lt;script&gt;shown as code&lt;/script&gt;" in html  # code stays code
    assert 'style="text-align:left"' in html  # Markdown table alignment survives
    assert 'alt="pic"' in html
    # One warning for each thing removed, on the line it was written on.
    assert sorted(warnings(problems)) == [
        "content/news/x.md:11: warning: unsafe HTML removed: javascript: URL",
        "content/news/x.md:13: warning: unsafe HTML removed: <iframe> from a host not in embed_hosts",
        "content/news/x.md:7: warning: unsafe HTML removed: <script>",
        "content/news/x.md:9: warning: unsafe HTML removed: onerror= attribute",
    ]


def test_the_teaser_never_shows_script_source() -> None:
    found, _ = parse("---\ntitle: T\ndate: 2025-09-01\n---\nLead <script>var secret = 1;</script> text.\n")
    assert found is not None
    assert "secret" not in found.excerpt
    found, _ = parse("---\ntitle: T\ndate: 2025-09-01\n---\nLead <script>var x;</script>\n<!--more-->\nRest\n")
    assert found is not None and "var x" not in found.excerpt


def test_raw_html_allow_keeps_everything() -> None:
    settings = ParseSettings("UTC", "/{section}/{slug}/", "", raw_html="allow")
    found, problems = parse_article("content/x.md", f"---\ntitle: T\ndate: 2025-09-01\n---\n{BODY}".encode(), settings)
    assert found is not None and problems == []
    assert '<script>alert("x")</script>' in found.body_html
    assert "evil.example" in found.body_html


def test_section_intros_are_sanitised_too() -> None:
    info, problems = parse_section_index("content/news/_index.md", b"---\ntitle: N\n---\nHi <script>x()</script>")
    assert info is not None and "<script>" not in info.intro_html
    assert any("unsafe HTML removed" in w for w in warnings(problems))


def test_deeply_nested_markdown_is_an_error_not_a_crash() -> None:
    found, problems = parse("---\ntitle: T\ndate: 2025-09-01\n---\n" + "* " * 3000 + "x\n")
    assert found is None
    assert any("content/news/x.md:5: the body nests lists or quotes too deeply" in e for e in errors(problems))
    found, _ = parse("---\ntitle: T\ndate: 2025-09-01\n---\n* fine\n")
    assert found is not None and "<li>fine</li>" in found.body_html  # the converter recovered


# ---------------------------------------------------------------------------------------------------------- limits


@pytest.mark.parametrize("date", ["0001-01-01", "9999-12-31T23:59:59-12:00", "0999-01-01"])
def test_dates_at_the_ends_of_the_calendar_are_errors(date: str) -> None:
    found, problems = parse(f"---\ntitle: T\ndate: {date}\n---\n")
    assert found is None
    assert any("content/news/x.md:3: date:" in e and "out of range" in e for e in errors(problems)), problems


def test_nul_bytes_are_an_error() -> None:
    found, problems = parse(b"---\ntitle: T\ndate: 2025-09-01\n---\nbody \x00 here\n")
    assert found is None
    assert errors(problems) == ["content/news/x.md:5: contains a NUL byte at offset 39: not a text file"]


def test_a_slug_too_long_for_a_file_name_is_an_error() -> None:
    found, problems = parse("---\ntitle: T\ndate: 2025-09-01\nslug: " + "汉" * 100 + "\n---\n")  # "han-han-…"
    assert found is None
    assert errors(problems) == ["content/news/x.md:4: slug: is 299 bytes long; at most 200 fit a file name"]
