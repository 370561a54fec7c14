"""Planning the site's pages: pagination, and URLs two sources claim. No files needed."""

from __future__ import annotations

from sitegen.config import Config
from sitegen.site.assemble import Visibility, build_site
from sitegen.site.plan import Pager, chunk_items, plan
from tests.unit.parsing import NOW, parse


def test_pager_window_is_bounded() -> None:
    assert Pager(1, "/").window() == [1]
    assert Pager(500, "/x/").window() == [500, 499, 498, None, 1]  # the front page (numbered last): older pages
    assert Pager(50, "/x/", front=False).window() == [50, 49, 48, None, 1]  # never newer ones: they come and go
    assert Pager(2, "/x/", front=False).window() == [2, 1]
    front = Pager(3, "/x/")
    assert (front.url(3), front.url(2), front.older, front.newer) == ("/x/", "/x/page/2/", "/x/page/2/", None)
    numbered = Pager(2, "/x/", front=False)
    assert (numbered.url(2), numbered.newer, numbered.older) == ("/x/page/2/", "/x/page/3/", "/x/page/1/")


def test_case_and_unicode_collisions_are_errors() -> None:
    one, _ = parse("---\ntitle: A\ndate: 2025-09-01\nslug: Cafe\u0301\n---\n", "content/a.md")
    two, _ = parse("---\ntitle: B\ndate: 2025-09-01\nslug: caf\u00e9\n---\n", "content/b.md")
    assert one is not None and two is not None
    site = build_site([one, two], {}, Config(), Visibility(NOW), [])
    _, problems = plan(site, 20)
    assert any("content/a.md" in str(p) and "content/b.md" in str(p) for p in problems)


def test_a_numbered_page_keeps_its_articles_as_the_list_grows() -> None:
    parsed = [parse(f"---\ntitle: S{i}\ndate: 2025-01-01\n---\n", f"content/s{i}.md")[0] for i in range(40)]
    listed = [a for a in parsed if a is not None]  # a list is newest first: a new article joins at the front
    assert len(listed) == 40
    for page_size in (1, 3, 10):
        published: dict[int, tuple[object, ...]] = {}
        for n in range(len(listed) + 1):
            pages = chunk_items(listed[len(listed) - n :], page_size)
            front = pages[-1]
            assert len(front) == n if n < page_size else page_size <= len(front) < 2 * page_size
            assert sum(len(p) for p in pages) == n
            for number, items in enumerate(pages[:-1], 1):
                assert published.setdefault(number, items) == items, (page_size, n, number)
