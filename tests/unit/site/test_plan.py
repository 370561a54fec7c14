"""Planning the site's pages: pagination, and URLs two sources claim. No files needed."""

from __future__ import annotations

from sitegen.config import Config
from sitegen.site.assemble import Visibility, build_site
from sitegen.site.plan import Pager, plan
from tests.unit.parsing import NOW, parse


def test_pager_window_is_bounded() -> None:
    assert Pager(1, 1, "/").window() == [1]
    assert Pager(50, 500, "/x/").window() == [1, None, 48, 49, 50, 51, 52, None, 500]
    assert Pager(2, 500, "/x/").url(1) == "/x/" and Pager(2, 500, "/x/").url(3) == "/x/page/3/"


def test_case_and_unicode_collisions_are_errors() -> None:
    one, _ = parse("---\ntitle: A\ndate: 2025-09-01\nslug: Cafe\u0301\n---\n", "content/a.md")
    two, _ = parse("---\ntitle: B\ndate: 2025-09-01\nslug: caf\u00e9\n---\n", "content/b.md")
    assert one is not None and two is not None
    site = build_site([one, two], {}, Config(), Visibility(NOW), [])
    _, problems = plan(site, 20)
    assert any("content/a.md" in str(p) and "content/b.md" in str(p) for p in problems)
