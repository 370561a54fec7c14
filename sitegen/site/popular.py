"""The "Most Popular" list from an analytics export (`data/pageviews.csv`: `path,views[,date]`).

Analytics are advisory: an empty or malformed export is a warning (no export at all a note, see
pipeline.read_pageviews) and the list falls back to pinned, then newest articles. The build never fails because of them.
"""

from __future__ import annotations

import csv
import heapq
import io
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import NamedTuple
from urllib.parse import unquote, urlsplit

from sitegen.errors import Problem, warning
from sitegen.model import Article
from sitegen.urls import normalise_url


class PageViews(NamedTuple):  # one per row: 100,000 at an archive's size, a tuple each rather than an object
    path: str
    views: int
    day: date | None


def parse_pageviews(source: str, data: bytes | None) -> tuple[list[PageViews], list[Problem]]:
    if data is None:
        return [], [warning(source, None, "no analytics export: Most Popular shows pinned and newest articles")]
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return [], [warning(source, None, f"not UTF-8 text (byte {exc.start}): Most Popular falls back")]
    # csv.reader, not DictReader: a dict per row is most of the cost of reading 100,000 rows.
    reader = csv.reader(io.StringIO(text))
    header = [h.strip().lower() for h in next(reader, [])]
    if "path" not in header or "views" not in header:
        return [], [
            warning(source, 1, "expected a header 'path,views' (and optionally 'date'): Most Popular falls back")
        ]
    at_path, at_views, at_day = _column(header, "path"), _column(header, "views"), _column(header, "date")
    assert at_path is not None and at_views is not None  # both are in the header: checked above
    width = max(at_path, at_views, -1 if at_day is None else at_day) + 1
    rows: list[PageViews] = []
    problems: list[Problem] = []
    for row in reader:
        if not row:
            continue  # a blank line
        if at_day is None and len(row) >= width:  # most exports: every cell there, no dates; no call per cell
            parsed = _row(row[at_path].strip(), row[at_views].strip(), "")
        else:
            parsed = _row(_cell(row, at_path), _cell(row, at_views), _cell(row, at_day))
        if isinstance(parsed, str):
            problems.append(warning(source, reader.line_num, f"{parsed}: row skipped"))
        else:
            rows.append(parsed)
    if not rows:
        problems.append(warning(source, None, "no usable rows: Most Popular falls back to pinned and newest articles"))
    return rows, problems


def _column(header: list[str], name: str) -> int | None:
    """Where `name` is in the header; the last of two columns with one name, as a dict of the row would keep."""
    return len(header) - 1 - header[::-1].index(name) if name in header else None


def _cell(row: list[str], column: int | None) -> str:
    return row[column].strip() if column is not None and column < len(row) else ""


def _row(path: str, raw_views: str, raw_day: str) -> PageViews | str:
    if not path:
        return "empty path"
    if raw_views.isdigit() and raw_views.isascii():  # most rows: a count, read as it is written
        views = int(raw_views)
    else:
        raw_views = raw_views.replace(",", "").replace("_", "")
        try:
            views = int(float(raw_views))
        except ValueError:
            return f"views {raw_views!r} is not a number"
    if views < 0:
        return f"views {views} is negative"
    day = None
    if raw_day:
        try:
            day = date.fromisoformat(raw_day[:10])
        except ValueError:
            return f"date {raw_day!r} is not YYYY-MM-DD"
    return PageViews(path, views, day)


def normalise_path(path: str) -> str:
    """`https://site/news/x?utm=1#c` and `/news/x` are the same page: `/news/x/`."""
    path = path.strip()
    plain = path.startswith("/") and not path.startswith("//") and not any(c in path for c in "?#%;")
    clean = path if plain else unquote(urlsplit(path).path)  # urlsplit is most of the cost of ranking
    if clean.endswith(("/index.html", "/index.htm")):
        clean = clean.rsplit("/", 1)[0] + "/"
    return normalise_url(clean)


def rank(
    rows: Sequence[PageViews],
    articles: Sequence[Article],
    build_time: datetime,
    window_days: int,
    count: int,
) -> tuple[Article, ...]:
    """Most viewed listed articles in the window before the build, or () when the export says nothing usable."""
    by_url = {a.url: a for a in articles}
    today = build_time.date()
    # A dated row counts a whole day: the day `window_days` before the build overlaps the window, so it is in.
    first_day = today - timedelta(days=window_days)
    totals: dict[str, int] = {}
    for row in rows:
        if row.day is not None and not first_day <= row.day <= today:
            continue
        url = row.path if row.path in by_url else normalise_path(row.path)  # most rows name the page as it is
        if url in by_url:
            totals[url] = totals.get(url, 0) + row.views
    # Ties go to the newer article, then the URL, so the list is stable from build to build.
    # Only the first `count` are shown, and all of them have at least the `count`th largest total: only the pages
    # with that many views are sorted by the whole key (a date each), not every article viewed.
    least = min(heapq.nlargest(count, totals.values()), default=0)
    contenders = [u for u, views in totals.items() if views >= least]
    ranked = sorted(contenders, key=lambda u: (-totals[u], -_stamp(by_url[u]), u))[:count]
    return tuple(by_url[u] for u in ranked if totals[u] > 0)


def fallback(articles: Sequence[Article], count: int) -> tuple[Article, ...]:
    """Pinned stories (newest first), then the newest: the list an editor would pick without analytics."""
    pinned = [a for a in articles if a.pinned]
    rest = [a for a in articles if not a.pinned]
    return tuple((pinned + rest)[:count])


def _stamp(article: Article) -> float:
    return article.date.timestamp() if article.date else 0.0
