"""Fingerprints describe a route's fields exactly: the quicker description of a sitemap's entries says the same."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from sitegen.incremental.fingerprint import Fingerprinter

YEREVAN = timezone(timedelta(hours=4))


def describer() -> Fingerprinter:
    fingerprints = object.__new__(Fingerprinter)  # only _describe is used: it needs none of what a build gives
    fingerprints._seen = {}
    return fingerprints


@pytest.mark.parametrize(
    "value",
    [
        ((("/news/a/", datetime(2025, 3, 1, 9, tzinfo=YEREVAN)), ("/b,'c]/", None), ("/d/", datetime(2025, 3, 2)))),
        [("/news/a/", datetime(2025, 3, 1, 9, 0, 0, 5, tzinfo=UTC))],
        (("/a/", "not a date"), ("/b/", None)),  # not pairs of a date: described field by field
        (("/a/", None, "third"),),
        ((1, None),),
        (("/a/", None), "loose"),
    ],
)
def test_pairs_are_described_as_item_by_item(value: Any) -> None:
    fingerprints = describer()
    item_by_item = "[" + ",".join(fingerprints._describe(v, full=False) for v in value) + "]"
    assert fingerprints._describe(value, full=False) == item_by_item


def test_a_changed_date_or_url_changes_the_description() -> None:
    fingerprints = describer()
    moment = datetime(2025, 3, 1, 9, tzinfo=YEREVAN)
    one = fingerprints._describe((("/a/", moment),), full=False)
    assert one != fingerprints._describe((("/a/", moment + timedelta(seconds=1)),), full=False)
    assert one != fingerprints._describe((("/a/", moment.astimezone(UTC)),), full=False)
    assert one != fingerprints._describe((("/b/", moment),), full=False)
