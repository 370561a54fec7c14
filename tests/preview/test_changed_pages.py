"""What `build --watch` renders again after a change: every page whose bytes changed, found without rendering the
others, and every file the site no longer has.

Each kind of change an editor makes (test_live_site.CHANGES) is applied to the golden site; every page is rendered
before and after, and every page left out of the plan must have kept its bytes.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from sitegen.preview.changed_pages import changed_pages
from sitegen.preview.live_site import Changes, LiveSite
from tests.conftest import BUILD_EPOCH, SiteWriter, article
from tests.preview.test_live_site import CHANGES, FESTIVAL, edit, golden, served

__all__ = ["golden"]  # the fixture, used by name

# What reaches every page with nothing in a Route to show for it: the build renders those.
EVERY_PAGE = {"template", "stylesheet", "config", "config and the last section index", "section index", "folder moved"}


@pytest.mark.parametrize("change", sorted(CHANGES))
def test_pages_left_out_keep_their_bytes(golden: Path, change: str) -> None:
    live = LiveSite(golden, drafts=False)
    assert live.load().published
    before = live.snapshot
    assert before is not None
    old = served(before)
    effect, paths = CHANGES[change]
    effect(golden)
    update = live.update(set(paths))
    assert update.published, update.problems
    after = live.snapshot
    assert after is not None
    new = served(after)
    plan = changed_pages(before, after, update.changes)
    assert set(plan.removed) == set(old) - set(new)
    assert (plan.render is None) == (change in EVERY_PAGE)
    if plan.render is None:
        return
    differ = {rel for rel in after.routes if old.get(rel) != new[rel]}
    assert differ <= set(plan.render), f"changed but not rendered again: {sorted(differ - set(plan.render))}"
    if any(old.get(rel) != new[rel] for rel in after.statics):
        assert plan.statics, "a static file changed"


def test_a_body_edit_compares_nothing_and_renders_the_pages_holding_it(golden: Path) -> None:
    live = LiveSite(golden, drafts=False)
    live.load()
    before = live.snapshot
    assert before is not None
    edit(golden / FESTIVAL, "\n---\n", "\n---\nA new first paragraph.\n\n")
    update = live.update({FESTIVAL})
    after = live.snapshot
    assert after is not None and not update.changes.reassembled and update.changes.pages
    plan = changed_pages(before, after, update.changes)
    holders = {rel for rel, route in before.routes.items() if any(a.source == FESTIVAL for a in route.articles())}
    assert plan.render is not None and set(plan.render) == holders
    assert plan.removed == () and not plan.statics


def test_a_new_story_renders_its_page_and_the_lists_it_joins_not_other_articles(write_site: SiteWriter) -> None:
    files = {f"content/news/a{n}.md": article(f"Story {n}", f"2025-09-0{n + 1}") for n in range(8)}
    root = write_site(files)
    live = LiveSite(root, drafts=False)
    live.load()
    before = live.snapshot
    assert before is not None
    (root / "content/news/new.md").write_text(article("New story", "2025-09-10"), encoding="utf-8")
    update = live.update({"content/news/new.md"})
    after = live.snapshot
    assert after is not None and update.changes.reassembled
    plan = changed_pages(before, after, update.changes)
    assert plan.render is not None
    assert "news/new/index.html" in plan.render and "index.html" in plan.render and "news/index.html" in plan.render
    others = {f"news/a{n}/index.html" for n in range(8)}
    assert not others & set(plan.render), "other articles' pages are untouched (each shows its own edition)"


def test_a_new_day_renders_the_pages_whose_template_prints_the_date(
    write_site: SiteWriter, monkeypatch: pytest.MonkeyPatch
) -> None:
    dated = "{% extends 'base.html' %}\n{% block content %}{{ build_time | longdate }}{% endblock %}\n"
    root = write_site({
        "content/news/a.md": article("A", "2025-09-01"),
        "content/about.md": "---\ntitle: About\ntype: page\n---\nAbout us.\n",
        "templates/page.html": dated,
    })  # fmt: skip
    live = LiveSite(root, drafts=False)
    live.load()
    before = live.snapshot
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(BUILD_EPOCH + 86400))
    assert live.moved_on()
    update = live.update(set())
    after = live.snapshot
    assert before is not None and after is not None and update.published
    plan = changed_pages(before, after, update.changes)
    assert plan.render is not None and "about/index.html" in plan.render
    assert "news/a/index.html" not in plan.render, "the theme's pages do not print the date"
    assert b"Friday, September 12, 2025" in after.page("about/index.html")


def test_with_nothing_published_every_page_is_stale(write_site: SiteWriter) -> None:
    live = LiveSite(write_site({"content/news/a.md": article("A", "2025-09-01")}), drafts=False)
    live.load()
    assert live.snapshot is not None
    assert changed_pages(None, live.snapshot, Changes()).render is None
