"""Articles as the build cache stores them: a round trip gives the same article, and a stored value of the wrong type
is refused (the cache is then thrown away), field by field."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from sitegen.incremental.encoding import TermTable, decode_article, encode_article
from sitegen.model import Article, Body, Image, Term

YEREVAN = ZoneInfo("Asia/Yerevan")
OFFSET = timedelta(hours=4)
_FIELDS = [f.name for f in dataclasses.fields(Article)]


def sample() -> Article:
    return Article(
        source="content/news/story.md", kind="article", title="Talks resume",
        date=datetime(2025, 9, 1, 10, tzinfo=YEREVAN), updated=None, expires=datetime(2026, 1, 1, tzinfo=YEREVAN),
        draft=False, pinned=True, slug="story",
        section="news", url="/news/story/", authors=(Term("Anna", "anna", "/authors/anna/"),),
        tags=(Term("Iran", "iran", "/tags/iran/"), Term("Trade", "trade", "/tags/trade/")),
        image=Image("/img/a.jpg", "alt", "caption", "credit", (0.25, 0.75)), summary=None,
        body=Body(None, "The excerpt.", 3), aliases=("/old/story/",), digest="abc", description="d", guid="g",
        images=("/img/b.jpg",),
    )  # fmt: skip


def test_an_article_comes_back_equal_with_its_excerpt_and_reading_time() -> None:
    original = sample()
    back = decode_article(encode_article(original))
    assert back == original
    assert back.date is not None and back.date.tzinfo is YEREVAN  # the zone keeps its name
    assert back.body.known == ("The excerpt.", 3)
    with pytest.raises(dataclasses.FrozenInstanceError):
        back.title = "changed"  # type: ignore[misc]  # still a frozen dataclass


def test_terms_shared_by_articles_are_one_object() -> None:
    one, two = decode_article(encode_article(sample())), decode_article(encode_article(sample()))
    assert one.tags[0] is two.tags[0]


def test_texts_shared_by_articles_are_one_string() -> None:
    """Read back from JSON, as the cache reads them: a section's path and the kind are one string for all articles,
    and an excerpt that is the summary is the summary's string."""
    story = dataclasses.replace(sample(), summary="The excerpt.")
    one, two = (decode_article(json.loads(json.dumps(encode_article(story)))) for _ in range(2))
    assert one == two == story
    assert one.section is two.section and one.kind is two.kind
    assert one.body.excerpt is one.summary and two.body.excerpt is two.summary
    assert one.summary is not two.summary  # an article's own text stays its own


@pytest.mark.parametrize(
    "date",
    [datetime(2025, 9, 1, 10, tzinfo=timezone(timedelta(hours=4))), datetime(2025, 9, 1, 10, 5, 7, 123456,
     tzinfo=timezone(timedelta(hours=-3, minutes=-30))), datetime(1920, 1, 1, tzinfo=timezone(timedelta(seconds=4321))),
     datetime(2025, 9, 1, 10, tzinfo=UTC), datetime(2025, 9, 1, 10), datetime(2025, 11, 2, 1, 30, fold=1,
     tzinfo=ZoneInfo("America/New_York"))],
)  # fmt: skip
def test_a_date_comes_back_the_same_and_with_one_tzinfo_per_offset(date: datetime) -> None:
    """Read back twice, as two articles are: the same moment, wall time, offset and fold, sharing one tzinfo."""
    story = dataclasses.replace(sample(), date=date)
    one, two = (decode_article(json.loads(json.dumps(encode_article(story)))) for _ in range(2))
    assert one.date is not None and two.date is not None
    assert (one.date, one.date.isoformat(), one.date.fold) == (date, date.isoformat(), date.fold)
    assert one.date.tzinfo is two.date.tzinfo


@pytest.mark.parametrize("text", ["2025-09-01T10:00:00+04:00+04:00", "2025-09-01T10:00:00Z+04:00", "10:00+04:00"])
def test_a_date_text_with_a_known_offset_is_still_checked_whole(text: str) -> None:
    """Texts no build writes, ending in an offset the decoder has seen (and so reads without parsing it again)."""
    decode_article(encode_article(dataclasses.replace(sample(), date=datetime(2025, 1, 1, tzinfo=timezone(OFFSET)))))
    encoded = encode_article(sample())
    encoded[[f.name for f in dataclasses.fields(Article)].index("date")] = [text, None, 0]
    with pytest.raises((TypeError, ValueError)):
        decode_article(encoded)


@pytest.mark.parametrize(
    ("field", "value"),
    [("title", 5), ("draft", 1), ("pinned", "yes"), ("summary", 3), ("date", "2025-09-01"), ("tags", "iran"),
     ("aliases", [1]), ("images", None), ("body", ["x"]), ("image", [1, 2]), ("guid", None)],
)  # fmt: skip
def test_a_value_of_the_wrong_type_is_refused(field: str, value: object) -> None:
    encoded = encode_article(sample())
    encoded[[f.name for f in dataclasses.fields(Article)].index(field)] = value
    with pytest.raises((TypeError, ValueError)):
        decode_article(encoded)


def test_a_record_with_fields_missing_is_refused() -> None:
    with pytest.raises(TypeError):
        decode_article(encode_article(sample())[:-1])


def test_with_a_term_table_tags_and_authors_are_numbers_and_come_back_the_same() -> None:
    table = TermTable([Term("Trade", "trade", "/tags/trade/")])
    encoded = json.loads(json.dumps(encode_article(sample(), table)))
    assert encoded[_FIELDS.index("authors")] == [1] and encoded[_FIELDS.index("tags")] == [2, 0]
    assert [term.name for _, term in table.added()] == ["Anna", "Iran"], "the new ones, after the one read"
    back = decode_article(encoded, TermTable(table.terms))
    assert back == sample()
    assert back.tags[1] is table.terms[0], "one object per term, the table's"


@pytest.mark.parametrize("numbers", [[5], [-1], ["0"], [True], 0])
def test_a_term_number_that_is_not_one_of_the_table_is_refused(numbers: object) -> None:
    table = TermTable([Term("Trade", "trade", "/tags/trade/")])
    encoded = encode_article(dataclasses.replace(sample(), authors=(), tags=()), table)
    encoded[_FIELDS.index("tags")] = numbers
    with pytest.raises((TypeError, IndexError)):
        decode_article(encoded, table)
