"""`build --watch`'s sink, driven in-process: what it does when a publish fails, when the clock publishes a scheduled
article, and what it leaves in the build cache for the next `sitegen build`."""

from __future__ import annotations

from pathlib import Path

import pytest

from sitegen.commands.build import BuildOptions, build_holding_lock
from sitegen.incremental.cache import BuildCache, Made, cache_key, code_digest
from sitegen.paths import STAGING_DIR
from sitegen.preview.live_site import LiveSite
from sitegen.preview.output_sink import FullBuild, OutputSink, OutputUpdater
from sitegen.preview.reporter import Reporter
from tests.conftest import BASIC_CONFIG, BUILD_EPOCH, SiteWriter, article

CONFIG = BASIC_CONFIG + "\n[search]\nenabled = false\n"


class Publishing:
    def __init__(self, root: Path, out: Path) -> None:
        self.builds = 0
        self.out = out
        self.options = BuildOptions(root, out, jobs=1)
        self.live = LiveSite(root, drafts=False, reporter=Reporter())
        self.sink = OutputSink(root, out, self.full_build)
        self.updater = OutputUpdater(self.live, self.sink)
        assert self.live.load().published
        build_holding_lock(self.options)
        assert self.live.snapshot is not None
        self.sink.adopt(self.live.snapshot)

    def full_build(self) -> FullBuild:
        self.builds += 1
        result = build_holding_lock(self.options)
        return FullBuild(result.rendered, result.stats, tuple(result.warnings))

    def page(self, rel: str) -> str:
        path = self.out / rel
        return path.read_text(encoding="utf-8") if path.exists() else ""


@pytest.fixture
def site(write_site: SiteWriter) -> Path:
    files = {"sitegen.toml": CONFIG}
    for n in range(4):
        files[f"content/news/s{n}.md"] = article(f"Story {n}", f"2025-09-0{n + 1}", f"Words {n}.")
    return write_site(files)


def test_a_refused_publish_is_owed_to_the_next(site: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    publishing = Publishing(site, tmp_path / "out")
    foreign = publishing.out / "news/new/index.html"
    foreign.parent.mkdir()
    foreign.write_text("someone else's page", encoding="utf-8")
    before = {p: p.read_bytes() for p in publishing.out.rglob("*") if p.is_file()}
    (site / "content/news/s1.md").write_text(article("Story 1", "2025-09-02", "New words 1."), encoding="utf-8")
    (site / "content/news/new.md").write_text(article("New", "2025-08-01", "New words."), encoding="utf-8")
    assert not publishing.updater.apply({"content/news/s1.md", "content/news/new.md"})
    err = capsys.readouterr().err
    assert "was not written by sitegen: refusing to overwrite it" in err and "nothing published" in err
    assert {p: p.read_bytes() for p in publishing.out.rglob("*") if p.is_file()} == before
    assert not (publishing.out / STAGING_DIR).exists()
    foreign.unlink()
    (site / "content/news/s2.md").write_text(article("Story 2", "2025-09-03", "New words 2."), encoding="utf-8")
    assert publishing.updater.apply({"content/news/s2.md"})
    assert "New words 1." in publishing.page("news/s1/index.html"), "the refused publish's pages came with the next"
    assert "New words." in publishing.page("news/new/index.html")
    assert "New words 2." in publishing.page("news/s2/index.html")
    assert publishing.builds == 0


def test_a_scheduled_article_is_published_when_its_time_comes(
    site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (site / "content/news/later.md").write_text(article("Later", "2025-09-11T11:00:00+04:00"), encoding="utf-8")
    publishing = Publishing(site, tmp_path / "out")  # the build time is 10:00 in Yerevan
    assert not (publishing.out / "news/later/index.html").exists()
    assert not publishing.updater.idle(), "nothing is due yet"
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(BUILD_EPOCH + 3600))
    assert publishing.updater.idle()
    assert "Later" in publishing.page("news/later/index.html") and "Later" in publishing.page("index.html")
    assert publishing.builds == 0, "the same day: only the pages it joins are rendered"


def test_a_new_day_drops_old_news_from_the_news_sitemap_and_rewrites_no_page(
    site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (site / "content/news/fresh.md").write_text(article("Fresh", "2025-09-10T12:00:00+04:00"), encoding="utf-8")
    publishing = Publishing(site, tmp_path / "out")
    assert "/news/fresh/" in publishing.page("news-sitemap.xml")
    page = (publishing.out / "news/fresh/index.html").stat().st_ino
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(BUILD_EPOCH + 2 * 86400))  # out of the 48 hours' window
    assert publishing.updater.idle()
    assert "/news/fresh/" not in publishing.page("news-sitemap.xml")
    assert (publishing.out / "news/fresh/index.html").stat().st_ino == page, "no page depends on the day"
    assert publishing.builds == 0


def test_pages_it_writes_are_forgotten_by_the_build_cache(site: Path, tmp_path: Path) -> None:
    publishing = Publishing(site, tmp_path / "out")
    folder = str((tmp_path / "out").resolve())

    def fingerprints() -> dict[str, Made]:
        cache = BuildCache.open(site, cache_key(code_digest(), publishing.live.files.settings))  # type: ignore[union-attr]
        cache.read_state()
        assert cache.last is None or cache.last.inputs
        return cache.routes_for(folder)

    before = fingerprints()
    assert "news/s3/index.html" in before and "news/s0/index.html" in before
    (site / "content/news/s3.md").write_text(article("Story 3", "2025-09-04", "Other words."), encoding="utf-8")
    assert publishing.updater.apply({"content/news/s3.md"})
    after = fingerprints()
    assert "news/s3/index.html" not in after, "rewritten: its fingerprint is gone"
    assert after["news/s0/index.html"] == before["news/s0/index.html"], "untouched: its fingerprint stays"
    cache = BuildCache.open(site, cache_key(code_digest(), publishing.live.files.settings))  # type: ignore[union-attr]
    assert cache.last is None, "no 'nothing changed' shortcut for the next build"
    assert cache.index == "", "and no site key: the next build fingerprints every page"
