"""A publish readers never see half-done: `sitegen build` killed at any moment of its commit leaves no reachable link
to a missing file, and the next build completes it into exactly what a clean build writes.

The site is built, then changed so that the next build adds articles (with a new tag, a new author and a new image),
edits two titles and deletes an article (whose tag and author pages go with it). That build is then
- watched in-process at every step of its commit (every moment a kill can land: each step is one atomic rename or
  removal), and
- run as a real `python -m sitegen build` and SIGKILLed at seeded random moments of its commit, found with the
  Publisher's test hook (SITEGEN_TEST_COMMIT_STEP: each step is announced on stderr and slowed).
After each, a reader's walk (tests/links.py) from the home page and from every page published before the build that
the new site keeps finds nothing missing (the invariant of sitegen/publish/order.py), and the next build's output
equals a clean build's, byte for byte, manifest included. Search is off there: Pagefind names its chunks differently
on every run, so an index is never byte-identical; the last test watches a commit with search on and checks that
the index in place is whole at every step.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest

from sitegen.publish.order import rank
from sitegen.publish.writer import TEST_STEP_ENV
from tests.commit_steps import CommitSteps, Step, published_files
from tests.conftest import BASIC_CONFIG, BUILD_EPOCH, Run, SiteWriter, article
from tests.links import missing_links, pages_in

Cli = Callable[..., Run]
REPO = Path(__file__).resolve().parents[2]
SEED = 20250911
TRIALS = 12
STEP_SECONDS = 0.02  # how long the test hook holds each step: a kill lands within the first half of one

SITE = {
    "sitegen.toml": BASIC_CONFIG + "\n[search]\nenabled = false\n",
    "content/news/_index.md": "---\ntitle: News\n---\n",
    "content/news/alpha.md": article("Alpha", "2025-09-01", "First story.", tags="[Iran, Economy]",
                                     authors="[Ani Petrosyan]", image="/img/photo.jpg"),
    "content/news/beta.md": article("Beta", "2025-09-02", "Second story, see [Alpha](/news/alpha/).", tags="[Iran]"),
    "content/sports/gamma.md": article("Gamma", "2025-09-03", "Third story.", tags="[Football]",
                                       authors="[Aram Hakobyan]"),
    "content/sports/delta.md": article("Delta", "2025-09-04", "To be deleted.", tags="[Chess]",
                                       authors="[Gone Author]"),
    "content/about.md": "---\ntitle: About us\ntype: page\nslug: about\n---\n\nWho we are.\n",
    "static/img/photo.jpg": "a photo",
}  # fmt: skip

CHANGES = {
    "content/news/alpha.md": article("Alpha, corrected", "2025-09-01", "First story.", tags="[Iran, Economy]",
                                     authors="[Ani Petrosyan]", image="/img/photo.jpg"),
    "content/sports/gamma.md": article("Gamma, updated", "2025-09-03", "Third story.", tags="[Football]",
                                       authors="[Aram Hakobyan]"),
    "content/news/epsilon.md": article("Epsilon", "2025-09-05", "New, see [Zeta](/news/zeta/).",
                                       tags="[Iran, Elections]", authors="[Lilit Sargsyan]", image="/img/new.jpg"),
    "content/news/zeta.md": article("Zeta", "2025-09-06", "Newer, see [Epsilon](/news/epsilon/).",
                                    tags="[Elections]", authors="[Lilit Sargsyan]"),
    "static/img/new.jpg": "a new photo",
}  # fmt: skip
DELETED = "content/sports/delta.md"


def change(root: Path) -> None:
    for rel, text in CHANGES.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    (root / DELETED).unlink()


def everything(folder: Path) -> dict[str, bytes]:
    """Every file under `folder`, sitegen's own hidden ones (manifest, staging, temp files) included."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


class Scenario:
    """The site after its first build and the changes, kept aside so that each trial starts from the same state;
    and what a clean build of the changed site writes."""

    def __init__(self, write_site: SiteWriter, cli: Cli, tmp_path: Path) -> None:
        self.root = write_site(SITE)
        self.output = self.root / "public"
        assert cli("build", self.root, "-q").code == 0
        self.pages_before = pages_in(self.output)
        change(self.root)
        self.saved = tmp_path / "saved"
        shutil.copytree(self.root, self.saved, symlinks=True)  # copy2: the stamps the build cache knows are kept
        clean_site = tmp_path / "clean-site"
        shutil.copytree(self.root, clean_site, symlinks=True, ignore=shutil.ignore_patterns("public", ".sitegen-*"))
        assert cli("build", clean_site, "-q").code == 0
        self.clean = everything(clean_site / "public")
        pages_after = pages_in(clean_site / "public")
        assert "news/epsilon/index.html" in pages_after and "tags/chess/index.html" in self.pages_before
        assert missing_links(clean_site / "public", ["index.html", *pages_after]) == []  # the new site is whole
        # Where readers start: the home page, and every page published before that the new site keeps.
        self.roots = sorted({"index.html"} | (self.pages_before & pages_after))

    def restore(self) -> None:
        shutil.rmtree(self.root)
        shutil.copytree(self.saved, self.root, symlinks=True)


@pytest.fixture
def scenario(write_site: SiteWriter, cli: Cli, tmp_path: Path) -> Scenario:
    return Scenario(write_site, cli, tmp_path)


def test_no_step_of_a_real_commit_leaves_a_dangling_link(
    scenario: Scenario, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = published_files(scenario.output)
    dangling: list[tuple[Step, list[tuple[str, str]]]] = []

    def walk(step: Step) -> None:
        missing = missing_links(scenario.output, scenario.roots)
        if missing:
            dangling.append((step, missing))

    steps = CommitSteps(scenario.output, on_step=walk)
    steps.install(monkeypatch)
    assert cli("build", scenario.root, "-q").code == 0
    monkeypatch.undo()
    assert dangling == []
    published, removed = steps.published, steps.removed
    ranks = [rank(rel, rel in before) for rel in published]
    assert ranks == sorted(ranks)  # every file the build wrote went through the order: statics, pages, feeds
    assert published.index("img/new.jpg") < published.index("news/epsilon/index.html")
    assert published.index("tags/elections/index.html") < published.index("index.html")
    assert published.index("news/alpha/index.html") < published.index("feed.xml")
    assert published.index("index.html") < published.index("fragments/latest-news.html")  # pages embed fragments
    assert "tags/chess/index.html" in removed and "sports/delta/index.html" in removed
    assert [step.action for step in steps.steps][-len(removed) - 1 :] == ["remove"] * len(removed) + ["manifest"]
    assert everything(scenario.output) == scenario.clean


def _announced_steps(root: Path) -> list[tuple[str, str]]:
    """(action, path) of every step of the commit, as the test hook announces them, in a build run to its end."""
    done = subprocess.run(_build_command(root), env=_env(0), capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    steps = [line.split(" ", 3)[2:] for line in done.stderr.splitlines() if line.startswith("sitegen-test-step ")]
    return [(action, rel) for action, rel in steps]


def _build_command(root: Path) -> list[str]:
    return [sys.executable, "-m", "sitegen", "build", str(root), "-q"]


def _env(step_seconds: float) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(REPO), "SOURCE_DATE_EPOCH": str(BUILD_EPOCH),
            TEST_STEP_ENV: repr(step_seconds)}  # fmt: skip


def _kill_at(root: Path, step: int, pause: float) -> int:
    """Run the build and SIGKILL it `pause` seconds after it announced `step` (so before that step is done)."""
    with subprocess.Popen(_build_command(root), env=_env(STEP_SECONDS), stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE, text=True) as build:  # fmt: skip
        assert build.stderr is not None
        for line in build.stderr:
            if line.startswith(f"sitegen-test-step {step} "):
                time.sleep(pause)
                build.send_signal(signal.SIGKILL)
                break
        return build.wait()


def test_sigkill_at_random_moments_of_publishing_leaves_no_dangling_link(scenario: Scenario, cli: Cli) -> None:
    scenario.restore()
    steps = _announced_steps(scenario.root)
    assert everything(scenario.output) == scenario.clean  # the hook changes nothing but the timing
    rng = random.Random(SEED)
    landed: Counter[str] = Counter()
    for trial in range(TRIALS):
        scenario.restore()
        step, pause = rng.randrange(len(steps)), rng.uniform(0, STEP_SECONDS / 2)
        where = f"trial {trial} (seed {SEED}): killed before step {step} of {len(steps)}, {steps[step]}"
        assert _kill_at(scenario.root, step, pause) == -signal.SIGKILL, where
        landed[steps[step][0]] += 1
        assert missing_links(scenario.output, scenario.roots) == [], where
        assert cli("build", scenario.root, "-q").code == 0, where
        assert everything(scenario.output) == scenario.clean, where
    assert landed["publish"] >= TRIALS // 2 and landed["remove"] >= 1, landed  # kills landed all through the commit


def test_the_search_index_in_place_is_whole_at_every_step(
    write_site: SiteWriter, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Pagefind's entry file names the metadata file of the index (by hash); a new index's files, chunks
    included, are all new names: they go live before the entry is replaced, and the old ones go last. So for every
    shard the listing names (pagefind/sitegen-search.json)."""
    root = write_site({**SITE, "sitegen.toml": BASIC_CONFIG})
    output = root / "public"
    assert cli("build", root, "-q").code == 0
    change(root)
    broken: list[Step] = []

    def check(step: Step) -> None:
        for shard in json.loads((output / "pagefind/sitegen-search.json").read_bytes())["shards"]:
            entry = json.loads((output / f"pagefind/{shard}/pagefind-entry.json").read_bytes())
            if not all(
                (output / f"pagefind/{shard}/pagefind.{lang['hash']}.pf_meta").is_file()
                for lang in entry["languages"].values()
            ):
                broken.append(step)

    steps = CommitSteps(output, on_step=check)
    steps.install(monkeypatch)
    assert cli("build", root, "-q").code == 0
    monkeypatch.undo()
    assert broken == []
    published = [rel for rel in steps.published if rel.startswith("pagefind/")]
    entries = [i for i, rel in enumerate(published) if rel.endswith(("/pagefind-entry.json", "/sitegen-shard.json"))]
    metas = [i for i, rel in enumerate(published) if rel.endswith(".pf_meta")]
    assert entries and metas and min(entries) > max(metas)  # replaced: after the new files they name
    assert any(rel.endswith(".pf_meta") for rel in published) and any(
        rel.startswith("pagefind/") for rel in steps.removed
    )
