"""The next moment a site changes by itself, and the sitemaps' months: the quick ways give what the plain ones do,
in fixed offsets and in a zone with summer time, on the days around a change of month or of the clocks."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from sitegen.incremental.reuse import horizon
from sitegen.model import Article
from sitegen.site.distribution import NEWS_WINDOW, _month
from tests.unit.parsing import parse

BERLIN = ZoneInfo("Europe/Berlin")  # clocks go forward on 2025-03-30, back on 2025-10-26
ZONES = [BERLIN, timezone(timedelta(hours=4)), timezone(timedelta(hours=-9, minutes=-30)), UTC]


def plain_horizon(articles: list[Article], now: datetime) -> float | None:
    moments = [
        moment.timestamp()
        for article in articles
        for moment in (article.date, article.expires, article.date + NEWS_WINDOW if article.date else None)
        if moment is not None and moment > now
    ]
    return min(moments, default=None)


def story(date: datetime | None, expires: datetime | None = None) -> Article:
    article, _ = parse("---\ntitle: A\ndate: 2025-01-01\n---\nText.\n")
    assert article is not None
    return replace(article, date=date, expires=expires)


@pytest.mark.parametrize("zone", ZONES, ids=str)
@pytest.mark.parametrize("now", [datetime(2025, 3, 31, 1, 30), datetime(2025, 10, 27, 2, 15), datetime(2025, 7, 1)])
def test_horizon_is_the_nearest_moment_to_come(zone: timezone | ZoneInfo, now: datetime) -> None:
    at = now.replace(tzinfo=zone)
    for hours in range(-80, 5):
        dated = [story(at + timedelta(hours=hours, minutes=m)) for m in (0, 1, 59)]
        assert horizon(dated, at) == plain_horizon(dated, at), hours
    old = [story(at - timedelta(days=30)), story(at - timedelta(days=9), expires=at + timedelta(hours=5)), story(None)]
    assert horizon(old, at) == plain_horizon(old, at) == (at + timedelta(hours=5)).timestamp()
    assert horizon([story(at - timedelta(days=3))], at) is None


@pytest.mark.parametrize("zone", ZONES, ids=str)
def test_a_sitemap_month_is_the_utc_month(zone: timezone | ZoneInfo) -> None:
    start = datetime(2024, 12, 25, tzinfo=zone)
    for hours in range(0, 24 * 400, 7):
        moment = start + timedelta(hours=hours)
        utc = moment.astimezone(UTC)
        assert _month(moment) == f"{utc.year:04d}-{utc.month:02d}", moment
