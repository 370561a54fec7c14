"""Dates share one time zone object per offset: the same moments, compared without working out offsets each time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from sitegen.content.article import parse_article
from sitegen.content.offsets import Now, shared_offset
from sitegen.content.settings import ParseSettings
from sitegen.incremental.encoding import decode_article, encode_article
from tests.conftest import article


def test_equal_offsets_get_one_object_and_keep_their_wall_time() -> None:
    first = shared_offset(datetime.fromisoformat("2025-09-01T09:00:00+04:00"))
    second = shared_offset(datetime.fromisoformat("2025-09-02T10:30:00.250000+04:00"))
    assert first.tzinfo is second.tzinfo
    assert first.isoformat() == "2025-09-01T09:00:00+04:00"
    assert second.isoformat() == "2025-09-02T10:30:00.250000+04:00"
    other = shared_offset(datetime.fromisoformat("2025-09-01T09:00:00-05:00"))
    assert other.tzinfo is not first.tzinfo and other.isoformat() == "2025-09-01T09:00:00-05:00"


def test_names_zones_and_naive_dates_are_left_as_they_are() -> None:
    named = datetime(2025, 9, 1, 9, tzinfo=timezone(timedelta(hours=4), "AMT"))
    assert shared_offset(named).tzname() == "AMT"
    assert shared_offset(datetime(2025, 9, 1, 9, tzinfo=timezone(timedelta(hours=4)))).tzname() == "UTC+04:00"
    yerevan = datetime(2025, 9, 1, 9, tzinfo=ZoneInfo("Asia/Yerevan"))
    assert shared_offset(yerevan) is yerevan
    naive = datetime(2025, 9, 1, 9)
    assert shared_offset(naive) is naive
    assert shared_offset(datetime(2025, 9, 1, 9, tzinfo=UTC)).tzinfo is UTC


def test_articles_parsed_and_read_from_the_cache_share_offsets() -> None:
    settings = ParseSettings("Asia/Yerevan", "/{section}/{slug}/", "")
    parsed = [
        parse_article(f"content/news/{name}.md", article(name, when, "Text.").encode(), settings)[0]
        for name, when in (("one", "2025-09-01T09:00:00+04:00"), ("two", "2025-09-02T10:00:00+04:00"))
    ]
    dates = [a.date for a in parsed if a is not None]
    assert len(dates) == 2 and dates[0] is not None and dates[1] is not None
    assert dates[0].tzinfo is dates[1].tzinfo and dates[0].isoformat() == "2025-09-01T09:00:00+04:00"
    assert parsed[0] is not None
    read = decode_article(encode_article(parsed[0]))
    assert read.date is not None and read.date.tzinfo is dates[0].tzinfo and read.date == dates[0]


def test_now_beside_a_date_compares_and_subtracts_as_the_moment_itself() -> None:
    """The build time, put in each date's fixed offset, gives every comparison and difference it gives as it is; a
    date in a named zone (with summer time) or a second object of the same offset is compared with it unchanged."""
    moment = datetime(2025, 10, 26, 0, 30, tzinfo=UTC)  # Berlin's clocks go back at 01:00 UTC
    now = Now(moment)
    yerevan, minus = timezone(timedelta(hours=4)), timezone(timedelta(hours=-9, minutes=-30))
    zones = [yerevan, minus, timezone(timedelta(hours=4)), ZoneInfo("Europe/Berlin"), UTC]
    for zone in zones:
        for minutes in range(-200, 200, 7):
            date = (moment + timedelta(minutes=minutes)).astimezone(zone)
            beside = now.beside(date)
            assert (date > beside, date <= beside, beside - date) == (date > moment, date <= moment, moment - date)
    assert now.beside(datetime(2025, 1, 1, tzinfo=yerevan)).tzinfo is yerevan
    assert now.beside(datetime(2025, 1, 1, tzinfo=ZoneInfo("Europe/Berlin"))) is moment
    naive = Now(datetime(2025, 1, 1))
    assert naive.beside(datetime(2025, 1, 1, tzinfo=yerevan)) is naive.moment
