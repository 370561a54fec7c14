"""Articles written for Hugo, Jekyll and Pelican: TOML and JSON front-matter, their keys, their publish controls."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from sitegen.content.article import parse_section_index
from sitegen.model import Article
from tests.unit.parsing import parse

YEREVAN = ZoneInfo("Asia/Yerevan")


def parsed(text: str, source: str = "content/news/2025/x.md") -> Article:
    article, problems = parse(text, source)
    assert article is not None and problems == [], problems
    return article


def refused(text: str, source: str = "content/news/2025/x.md") -> list[str]:
    article, problems = parse(text, source)
    assert article is None, "a publish control sitegen can't honour must stop the article"
    return problems


# -- formats ----------------------------------------------------------------------------------------------------


def test_toml_front_matter_as_hugo_writes_it() -> None:
    article = parsed(
        '+++\ntitle = "Drills near the border"\ndate = 2025-05-21T12:00:00+04:00\nlastmod = 2025-05-22\n'
        'tags = ["Iran", "Azerbaijan"]\ndraft = false\n+++\nBody **text**.\n'
    )
    assert article.title == "Drills near the border"
    assert article.date is not None
    assert article.date == datetime(2025, 5, 21, 12, tzinfo=ZoneInfo("Asia/Yerevan")).astimezone(article.date.tzinfo)
    assert article.updated == datetime(2025, 5, 22, tzinfo=YEREVAN)
    assert [t.name for t in article.tags] == ["Iran", "Azerbaijan"]
    assert article.body_html == "<p>Body <strong>text</strong>.</p>"


def test_toml_values_keep_their_text_and_errors_their_line() -> None:
    article = parsed('+++\ntitle = 2024\ndate = "2025-01-02"\n+++\n')
    assert article.title == "2024"
    _, problems = parse('+++\ntitle = "x"\ndate = \n+++\n')
    assert problems and problems[0].startswith("content/news/2025/x.md:3: invalid TOML")
    _, problems = parse('+++\ntitle = "x"\n')
    assert problems == ["content/news/2025/x.md:1: the front-matter opened on line 1 is never closed with a '+++' line"]


def test_toml_table_values_are_named_on_their_header_line() -> None:
    _, problems = parse('+++\ntitle = "T"\ndate = 2025-01-02\n\n[params]\nfeatured = true\n+++\n')
    assert problems == ["content/news/2025/x.md:5: warning: unknown front-matter key 'params'"]


def test_json_front_matter() -> None:
    article = parsed('{\n  "title": "JSON story",\n  "date": "2025-03-01T09:00:00+04:00",\n  "tags": ["A"]\n}\nBody.\n')
    assert article.title == "JSON story" and [t.name for t in article.tags] == ["A"]
    assert article.body_html == "<p>Body.</p>"
    _, problems = parse('{\n  "title": "x",\n  "title": "y",\n  "date": "2025-01-01"\n}\n')
    assert problems == ["content/news/2025/x.md:2: 'title' is given twice"]


def test_a_toml_section_index() -> None:
    info, problems = parse_section_index("content/news/_index.md", b'+++\ntitle = "News"\nweight = 2\n+++\nIntro.\n')
    assert problems == [] and info is not None
    assert (info.title, info.weight, info.intro_html) == ("News", 2, "<p>Intro.</p>")


def test_no_front_matter_names_all_three_forms() -> None:
    _, problems = parse("Just text\n")
    assert problems == [
        "content/news/2025/x.md:1: no front-matter: the file must start with a '---' (YAML), '+++' (TOML) or '{' "
        "(JSON) line"
    ]


# -- keys -------------------------------------------------------------------------------------------------------


def test_other_generators_keys_are_read_as_sitegens() -> None:
    article = parsed(
        "---\nTitle: Mapped\ndate: 2025-01-01\nlastmod: 2025-01-05\nexpiryDate: 2030-01-01\n"
        "images: [/img/a.jpg, /img/b.jpg]\ncategories: [World]\ntags: [Iran]\nredirect_from: [/old/mapped/]\n"
        "excerpt: The teaser.\ndescription: For search engines.\nlayout: post\n---\nBody\n"
    )
    assert article.updated == datetime(2025, 1, 5, tzinfo=YEREVAN)
    assert article.expires == datetime(2030, 1, 1, tzinfo=YEREVAN)
    assert article.image is not None and article.image.src == "/img/a.jpg"
    assert [t.name for t in article.tags] == ["Iran", "World"]
    assert article.aliases == ("/old/mapped/",)
    assert article.excerpt == "The teaser." and article.description == "For search engines."


def test_pelican_comma_separated_tags_and_modified() -> None:
    article = parsed(
        "---\ntitle: P\ndate: 2025-01-01 10:20\nmodified: 2025-01-02 08:00\ntags: yerevan, politics\n---\n"
    )
    assert [t.name for t in article.tags] == ["yerevan", "politics"]
    assert article.updated == datetime(2025, 1, 2, 8, tzinfo=YEREVAN)


def test_jekyll_dates_with_a_space_before_the_offset() -> None:
    article = parsed("---\ntitle: J\ndate: 2015-11-06 16:40:16 -0800\n---\n")
    assert article.date is not None and article.date.utcoffset() is not None
    assert article.date.isoformat() == "2015-11-06T16:40:16-08:00"


def test_two_names_for_one_field_is_an_error() -> None:
    _, problems = parse("---\ntitle: T\ndate: 2025-01-01\nupdated: 2025-01-02\nlastmod: 2025-01-03\n---\n")
    assert problems == ["content/news/2025/x.md:5: 'lastmod' and 'updated' (line 4) both set updated: keep one"]


def test_a_bad_value_is_named_by_the_key_as_written() -> None:
    _, problems = parse("---\ntitle: T\ndate: 2025-01-01\nlastmod: soon\n---\n")
    assert problems[0].startswith("content/news/2025/x.md:4: lastmod: 'soon' is not an ISO 8601 date")


def test_tags_differing_only_in_case_are_one_tag() -> None:
    assert [t.name for t in parsed("---\ntitle: T\ndate: 2025-01-01\ntags: [Iran, iran, IRAN]\n---\n").tags] == ["Iran"]


# -- Jekyll file names -------------------------------------------------------------------------------------------


def test_a_jekyll_post_name_gives_date_and_slug() -> None:
    article = parsed("---\ntitle: Welcome\n---\nHi\n", "content/blog/2014-08-08-welcome-to-jekyll.markdown")
    assert article.date == datetime(2014, 8, 8, tzinfo=YEREVAN)
    assert article.slug == "welcome-to-jekyll" and article.url == "/blog/welcome-to-jekyll/"


def test_the_front_matter_date_wins_over_the_file_name() -> None:
    article = parsed("---\ntitle: W\ndate: 2014-08-09T10:00:00+04:00\n---\n", "content/blog/2014-08-08-w.md")
    assert article.date is not None and article.date.day == 9 and article.slug == "w"


# -- publish controls ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "control", ["published: false", "status: draft", "status: Draft", "status: pending", "private: true"]
)
def test_controls_that_keep_an_article_unpublished_make_it_a_draft(control: str) -> None:
    assert parsed(f"---\ntitle: T\ndate: 2025-01-01\n{control}\n---\n").draft


@pytest.mark.parametrize("control", ["published: true", "status: published", "visible: true", "hidden: false",
                                     "private: false", "draft: false"])  # fmt: skip
def test_controls_that_publish_change_nothing(control: str) -> None:
    assert not parsed(f"---\ntitle: T\ndate: 2025-01-01\n{control}\n---\n").draft


@pytest.mark.parametrize(
    ("control", "message"),
    [
        ("hidden: true", "hidden: true: sitegen has no unlisted articles"),
        ("visible: false", "visible: false: sitegen has no unlisted articles"),
        ("status: hidden", "status: hidden: sitegen has no unlisted articles"),
        ("status: maybe", "status: 'maybe' is not one sitegen knows"),
        ("published: sometimes", "published: 'sometimes' is not an ISO 8601 date"),
        ("private: yes please", "private: must be true or false"),
    ],
)
def test_controls_sitegen_cannot_honour_stop_the_article_with_their_line(control: str, message: str) -> None:
    problems = refused(f"---\ntitle: T\ndate: 2025-01-01\n{control}\n---\n")
    assert problems[0].startswith(f"content/news/2025/x.md:4: {message}"), problems


def test_publish_date_is_an_embargo() -> None:
    article = parsed("---\ntitle: T\ndate: 2025-01-01T09:00:00+04:00\npublishDate: 2030-01-01T09:00:00+04:00\n---\n")
    assert article.date == datetime(2030, 1, 1, 9, tzinfo=YEREVAN)  # published then: the date readers see
    article = parsed("---\ntitle: T\npubdate: 2025-02-01\n---\n")  # alone, it is the date
    assert article.date == datetime(2025, 2, 1, tzinfo=YEREVAN)
    article = parsed("---\ntitle: T\ndate: 2025-03-01\npublished: 2025-02-01\n---\n")  # Hugo's `published`: a date
    assert article.date == datetime(2025, 3, 1, tzinfo=YEREVAN)


def test_url_dates_are_the_sites_day() -> None:
    from sitegen.content.article import parse_article
    from sitegen.content.settings import ParseSettings

    settings = ParseSettings("Asia/Yerevan", "/{year}/{month}/{day}/{slug}/", "")
    text = b"---\ntitle: T\ndate: 2025-05-31T22:30:00+00:00\n---\n"  # June 1, 02:30 in Yerevan
    article, _ = parse_article("content/news/x.md", text, settings)
    assert article is not None and article.url == "/2025/06/01/x/"
