#!/usr/bin/env python3
"""Publishing at newsroom pace (issue #12): what one newsroom operation costs a sitegen build, by archive size.

    python benchmarks/publish.py [--sizes 10000 100000] [--workdir DIR] [--jobs N] [--output benchmarks/RESULTS.md]

For every size it writes the shared corpus (search off), builds it cold, then runs the scenarios below one after
the other on the same site, each followed by a no-op build, and prints a Markdown table of wall time, peak RSS and
the files each build wrote and removed, against issue #12's limits, then the files themselves. The corpus, the
measurement and the sitegen command are run.py's. See benchmarks/README.md, "Publishing at newsroom pace".
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import datetime as dt
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR))
sys.path.insert(0, str(BENCH_DIR.parent))  # this tree's sitegen, not an installed copy
import run  # noqa: E402

from sitegen.paths import MANIFEST_FILE, is_hidden  # noqa: E402

DAY = 86_400
SHOWN_PATHS = 40  # paths listed per scenario; the rest are counted
NEWS = ("news-sitemap.xml",)  # the files whose content is windowed by the build date
SEARCH_OFF = "\n[search]\nenabled = false  # search at scale is issue #10; this benchmark measures publishing\n"
ADDED_BEFORE_BUILD = dt.timedelta(hours=2)  # the added article went up two hours before the build, as in run.py


# --------------------------------------------------------------------------- scenarios and their limits


@dataclasses.dataclass(frozen=True)
class Limit:
    """One of issue #12's limits. They are stated for 100,000 articles and checked at every size: the point of the
    issue is that a publish costs the same whatever the archive's size."""

    seconds: float | None = None
    files: int | None = None
    rss_mib: int | None = None
    only: tuple[str, ...] | None = None  # the only files the build may write

    def describe(self) -> str:
        parts = []
        if self.seconds is not None:
            parts.append(f"≤ {self.seconds:g} s")
        if self.files is not None:
            parts.append(f"≤ {self.files:,} files" if self.files else "writes nothing")
        if self.only is not None:
            parts.append("writes only " + ", ".join(self.only))
        if self.rss_mib is not None:
            parts.append(f"≤ {self.rss_mib:,} MiB")
        return ", ".join(parts)

    def met(self, build: Build) -> bool:
        written = build.diff.written
        return all(
            (
                self.seconds is None or build.seconds <= self.seconds,
                self.files is None or len(written) <= self.files,
                self.rss_mib is None or build.rss_kb <= self.rss_mib * 1024,
                self.only is None or set(written) <= set(self.only),
            )
        )

    def as_json(self) -> dict[str, Any]:
        return {"seconds": self.seconds, "files": self.files, "rss_mib": self.rss_mib, "only": self.only}


@dataclasses.dataclass(frozen=True)
class Scenario:
    name: str
    meaning: str
    limit: Limit
    day: int = 0  # the build runs this many days after the base build time


COLD = Scenario("cold", "first build: output and build cache deleted (`--clean`)", Limit(seconds=400, rss_mib=1024))
SCENARIOS = (
    Scenario("noop", "nothing changed", Limit(seconds=1.5, files=0)),
    Scenario("add", "one new article in news/armenia, two hours before the build: the newest", Limit(3, 30)),
    Scenario("body", "one sentence appended to the body of the oldest article", Limit(2, 10)),
    Scenario("title", "the title line of the oldest article changed", Limit(3, 30)),
    Scenario("pageviews", "data/pageviews.csv rewritten: same paths, the view counts turned over", Limit(2, 3)),
    Scenario("newday", "the site built one day later (SOURCE_DATE_EPOCH + 86,400 s)", Limit(3, only=NEWS), day=1),
)


# --------------------------------------------------------------------------- which files a build wrote


@dataclasses.dataclass(frozen=True)
class Snapshot:
    """The output folder as sitegen recorded it and as it is on disk (dot names at the top, sitegen's own, aside)."""

    manifest: dict[str, str]  # path → sha256, from the manifest
    disk: dict[str, tuple[int, int, int]]  # path → (inode, mtime in ns, size)
    sizes: dict[str, int]  # path → size, from the manifest


@dataclasses.dataclass(frozen=True)
class Diff:
    written: list[str]  # there after the build, with other bytes than before (or new)
    removed: list[str]  # there before the build, not after
    same_bytes: list[str]  # replaced on disk by the build with the bytes they had: not counted as written
    untracked: list[str]  # on disk after the build but not in the manifest
    mismatched: list[str]  # in the manifest after the build, but missing on disk or of another size


def take_snapshot(output: Path) -> Snapshot:
    entries = read_manifest(output)
    manifest = {rel: sha for rel, (sha, _) in entries.items()}
    sizes = {rel: size for rel, (_, size) in entries.items()}
    return Snapshot(manifest, disk_files(output), sizes)


def read_manifest(output: Path) -> dict[str, tuple[str, int]]:
    """{path: (sha256, size)} from the output's manifest; {} when there is no output yet."""
    path = output / MANIFEST_FILE
    if not path.exists():
        return {}
    data = json.loads(path.read_text(encoding="utf-8"))
    try:
        return {str(rel): (str(entry[0]), int(entry[1])) for rel, entry in data["files"].items()}
    except (KeyError, TypeError, IndexError, ValueError, AttributeError) as exc:
        raise SystemExit(f"{path}: not a manifest this benchmark can read ({exc!r}): update read_manifest") from exc


def disk_files(output: Path) -> dict[str, tuple[int, int, int]]:
    found: dict[str, tuple[int, int, int]] = {}
    if not output.is_dir():
        return found
    stack = [(output, "")]
    while stack:
        folder, prefix = stack.pop()
        with os.scandir(folder) as entries:
            for entry in entries:
                if not prefix and is_hidden(entry.name):
                    continue  # the manifest, the staging folder, temp files
                rel = prefix + entry.name
                if entry.is_dir(follow_symlinks=False):
                    stack.append((Path(entry.path), rel + "/"))
                else:
                    st = entry.stat(follow_symlinks=False)
                    found[rel] = (st.st_ino, st.st_mtime_ns, st.st_size)
    return found


def diff(before: Snapshot, after: Snapshot, output: Path) -> Diff:
    """What one build changed in the output, by content: the manifest's sha256 per file says what it holds.

    A file whose manifest entry is unchanged but which was replaced on disk (inode, mtime or size changed) is hashed
    again: identical bytes are not a write (a deploy would upload nothing), other bytes are.
    """
    written = {rel for rel, sha in after.manifest.items() if before.manifest.get(rel) != sha}
    written |= after.disk.keys() - before.disk.keys()  # appeared on disk, whatever the manifest says
    touched = {
        rel
        for rel, stat in after.disk.items()
        if rel in after.manifest and rel not in written and before.disk.get(rel) != stat
    }
    same = {rel for rel in touched if file_sha256(output / rel) == after.manifest[rel]}
    written |= touched - same
    gone = (before.manifest.keys() | before.disk.keys()) - (after.manifest.keys() | after.disk.keys())
    mismatched = [rel for rel, size in after.sizes.items() if after.disk.get(rel, (0, 0, -1))[2] != size]
    return Diff(
        written=sorted(written),
        removed=sorted(gone),
        same_bytes=sorted(same),
        untracked=sorted(after.disk.keys() - after.manifest.keys()),
        mismatched=sorted(mismatched),
    )


def file_sha256(path: Path) -> str:
    with path.open("rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


# --------------------------------------------------------------------------- the site and its edits


class PublishSite(run.Sitegen):
    """run.py's sitegen site with search off, built at a fixed time (SOURCE_DATE_EPOCH)."""

    epoch = 0

    def prepare(self) -> None:
        super().prepare()
        with (self.site / "sitegen.toml").open("a", encoding="utf-8") as f:
            f.write(SEARCH_OFF)

    def env(self) -> dict[str, str]:
        env = super().env()
        env["SOURCE_DATE_EPOCH"] = str(self.epoch)
        return env


def base_build_time(newest: str) -> dt.datetime:
    """Midday of the day after the newest article, in the corpus's offset: after every article and the added one."""
    after = dt.datetime.fromisoformat(newest) + dt.timedelta(days=1)
    return after.replace(hour=12, minute=0, second=0, microsecond=0)


def change_title(content: Path, slug: str) -> None:
    """Correct an article's headline: its title line gains a word (the slug, and so the URL, stays)."""
    path = next(content.rglob(f"{slug}.md"))
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    for i, line in enumerate(lines[: run.FRONT_MATTER_LINES]):
        if line.startswith("title:"):
            value = line.removeprefix("title:").strip()
            quoted = len(value) >= 2 and value[0] == value[-1] == '"'
            lines[i] = f'title: "{value[1:-1]} (Corrected)"\n' if quoted else f"title: {value} (Corrected)\n"
            path.write_text("".join(lines), encoding="utf-8")
            return
    raise ValueError(f"{path}: no title line in the front-matter")


def turn_over_pageviews(path: Path) -> None:
    """An analytics refresh: the same paths, each with the view count of its mirror row, so the ranking turns over
    and Most Popular shows other articles."""
    with path.open(newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        fields = list(reader.fieldnames or [])
        rows = list(reader)
    views = [row["views"] for row in rows]
    for row, count in zip(rows, reversed(views), strict=True):
        row["views"] = count
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)


# --------------------------------------------------------------------------- running the scenarios


@dataclasses.dataclass(frozen=True)
class Build:
    seconds: float
    rss_kb: int
    diff: Diff
    pss_kb: int | None = None


@dataclasses.dataclass(frozen=True)
class Outcome:
    scenario: Scenario
    build: Build | None = None
    noop_after: Build | None = None  # the no-op build run right after it, side by side
    error: str | None = None
    ran: bool = True  # False when skipped because the cold build failed


@dataclasses.dataclass
class SizeResult:
    size: int
    base_time: dt.datetime
    old_slug: str
    outcomes: list[Outcome] = dataclasses.field(default_factory=list)


class PublishRun:
    def __init__(self, opts: run.Options) -> None:
        self.opts = opts
        self.results: list[SizeResult] = []
        # Other work on the machine skews every number; the report shows the load so a reader can tell.
        self.load_before = os.getloadavg()[0]
        self.load_after = self.load_before

    def run(self) -> None:
        for size in self.opts.sizes:
            self.results.append(self.run_size(size))
        self.load_after = os.getloadavg()[0]

    def run_size(self, size: int) -> SizeResult:
        site = PublishSite(self.opts, size)
        run.progress(f"{size} articles: writing the corpus")
        site.prepare()
        dated = run.dated_articles(site.content)
        result = SizeResult(size, base_build_time(max(dated)[0]), min(dated)[1])
        site.epoch = int(result.base_time.timestamp())
        cold = self.run_scenario(site, result, COLD)
        result.outcomes.append(cold)
        for scenario in SCENARIOS:
            if cold.error is not None:  # a "rebuild" without the cold build's output would be a first build
                result.outcomes.append(Outcome(scenario, error="not run: the cold build failed", ran=False))
            else:
                result.outcomes.append(self.run_scenario(site, result, scenario))
        return result

    def run_scenario(self, site: PublishSite, result: SizeResult, scenario: Scenario) -> Outcome:
        site.epoch = int(result.base_time.timestamp()) + scenario.day * DAY
        self.change(site, result, scenario)
        site.before(scenario.name)
        try:
            build = self.build(site, scenario.name, scenario.name)
            noop = None if scenario is COLD else self.build(site, "noop", f"{scenario.name}-noop")
        except run.RunError as exc:
            run.progress(f"{result.size} {scenario.name}: failed ({exc})")
            return Outcome(scenario, error=str(exc))
        return Outcome(scenario, build, noop)

    def change(self, site: PublishSite, result: SizeResult, scenario: Scenario) -> None:
        if scenario.name == "add":
            site.write_article(run.NewArticle(1, result.base_time - ADDED_BEFORE_BUILD))
        elif scenario.name == "body":
            run.append_sentence(site.content, result.old_slug, 1)
        elif scenario.name == "title":
            change_title(site.content, result.old_slug)
        elif scenario.name == "pageviews":
            turn_over_pageviews(site.site / "data" / "pageviews.csv")

    def build(self, site: PublishSite, command: str, label: str) -> Build:
        output = site.output_dir()
        before = take_snapshot(output)
        log = self.opts.workdir / "logs" / f"publish-{site.size}-{label}.log"
        measured = run.measure(site.command(command), site.site, site.env(), log, self.opts)
        found = diff(before, take_snapshot(output), output)
        build = Build(measured.seconds, measured.rss_kb, found, measured.pss_kb)
        run.progress(
            f"{site.size} {label}: {measured.seconds:.2f} s, {measured.rss_kb / 1024:.0f} MiB "
            f"(PSS {_mib(measured.pss_kb)}), "
            f"{len(found.written):,} written, {len(found.removed):,} removed"
        )
        return build


# --------------------------------------------------------------------------- the report


def _mib(kb: int | None) -> str:
    return "—" if kb is None else f"{kb / 1024:.0f}"


def markdown(runner: PublishRun, opts: run.Options) -> str:
    lines = ["## Publishing at newsroom pace: sitegen (issue #12)", ""]
    for result in runner.results:
        lines += [*size_section(result), ""]
    lines += [*legend(), "", *run.machine_info(runner.load_before, runner.load_after, opts, "one run per cell")]
    lines.append(f"- sitegen: {sitegen_revision()}")
    return "\n".join(lines) + "\n"


def size_section(result: SizeResult) -> Iterator[str]:
    yield f"### {result.size:,} articles"
    yield ""
    yield (
        f"Built at {result.base_time:%Y-%m-%d %H:%M %z} (SOURCE_DATE_EPOCH={int(result.base_time.timestamp())}), "
        f"`newday` one day later; the old article is `{result.old_slug}`."
    )
    yield ""
    yield (
        "| scenario | wall s | peak MiB (summed RSS) | peak MiB (summed PSS) | files written | files removed "
        "| then no-op: wall s | then no-op: files written | issue's limit | met |"
    )
    yield "|---|---:|---:|---:|---:|---:|---:|---:|---|:---:|"
    for outcome in result.outcomes:
        yield table_row(outcome)
    yield from failures(result)
    yield from checks(result)
    if not any(outcome.build for outcome in result.outcomes):
        return
    yield ""
    yield "Files written and removed by each build (and by the no-op build after it, when it wrote any):"
    for outcome in result.outcomes:
        yield from file_lists(outcome)


def table_row(outcome: Outcome) -> str:
    scenario, build, noop = outcome.scenario, outcome.build, outcome.noop_after
    if build is None:
        cells = ["**failed**" if outcome.ran else "not run", *["—"] * 6]
        verdict = "✗" if outcome.ran else "—"
    else:
        cells = [
            f"{build.seconds:.2f}",
            f"{build.rss_kb / 1024:.0f}",
            _mib(build.pss_kb),
            f"{len(build.diff.written):,}",
            f"{len(build.diff.removed):,}",
            "—" if noop is None else f"{noop.seconds:.2f}",
            "—" if noop is None else f"{len(noop.diff.written):,}",
        ]
        verdict = "✓" if scenario.limit.met(build) else "✗"
    return "| " + " | ".join([scenario.name, *cells, scenario.limit.describe(), verdict]) + " |"


def failures(result: SizeResult) -> Iterator[str]:
    failed = [o for o in result.outcomes if o.error is not None and o.ran]
    if failed:
        yield ""
        yield "Failures (logs in WORKDIR/logs/):"
        for outcome in failed:
            yield f"- {outcome.scenario.name}: `{(outcome.error or '').replace('`', chr(39))}`"


def checks(result: SizeResult) -> Iterator[str]:
    """The disk against the manifest: anything here means the counts above need a second look."""
    found = []
    for outcome in result.outcomes:
        for label, build in (
            (outcome.scenario.name, outcome.build),
            (f"{outcome.scenario.name}, then no-op", outcome.noop_after),
        ):
            if build is None:
                continue
            for what, paths in (
                ("replaced on disk with identical bytes (not counted as written)", build.diff.same_bytes),
                ("on disk but not in the manifest", build.diff.untracked),
                ("in the manifest but missing on disk or of another size", build.diff.mismatched),
            ):
                if paths:
                    found.append(f"- {label}: {len(paths):,} {what}: {shown(paths, 5)}")
    if found:
        yield ""
        yield "Checks of the output against the manifest:"
        yield from found


def file_lists(outcome: Outcome) -> Iterator[str]:
    build, noop = outcome.build, outcome.noop_after
    if build is None:
        return
    diff_ = build.diff
    counts = f"{len(diff_.written):,} written, {len(diff_.removed):,} removed"
    yield ""
    yield f"<details><summary>{outcome.scenario.name}: {counts}</summary>"
    yield ""
    yield from path_list("written", diff_.written)
    yield from path_list("removed", diff_.removed)
    if noop is not None and (noop.diff.written or noop.diff.removed):
        yield from path_list("then the no-op build wrote", noop.diff.written)
        yield from path_list("then the no-op build removed", noop.diff.removed)
    yield ""
    yield "</details>"


def path_list(title: str, paths: Sequence[str]) -> Iterator[str]:
    if not paths:
        return
    yield f"- {title}:"
    for rel in paths[:SHOWN_PATHS]:
        yield f"  - `{rel}`"
    if len(paths) > SHOWN_PATHS:
        yield f"  - … and {len(paths) - SHOWN_PATHS:,} more"


def shown(paths: Sequence[str], limit: int) -> str:
    text = ", ".join(f"`{rel}`" for rel in paths[:limit])
    return text + (f" … and {len(paths) - limit:,} more" if len(paths) > limit else "")


def legend() -> Iterator[str]:
    yield "Scenarios, run in this order on the same site, each followed by a no-op build:"
    for scenario in (COLD, *SCENARIOS):
        yield f"- `{scenario.name}`: {scenario.meaning}"
    yield (
        "- Wall time and peak RSS as in run.py (the whole command; the process tree's memory, summed over its "
        "processes: a page a forked worker shares with its parent counts once per process), and beside it peak PSS "
        "summed (each shared page split among its sharers: what the tree takes of the machine; sampled every "
        "tenth time). Memory limits are checked against the summed RSS. A file is written "
        "when its sha256 in the output's manifest is new or changed, or it appeared on disk, or it was replaced on "
        "disk with other bytes; a file rewritten with identical bytes is not. Removed: in the output before, not after."
    )
    yield (
        "- Limits are issue #12's, stated for 100,000 articles (search off) and checked at every size; `noop` writing "
        "nothing and `newday` writing only the news sitemap are the issue's words made checkable."
    )


def sitegen_revision() -> str:
    def git(*args: str) -> str:
        done = subprocess.run(["git", *args], cwd=run.REPO_ROOT, capture_output=True, text=True, check=False)
        return done.stdout.strip()

    commit = git("rev-parse", "--short", "HEAD") or "unknown commit"
    dirty = " with uncommitted changes" if git("status", "--porcelain", "--untracked-files=no") else ""
    return f"{commit} on {git('rev-parse', '--abbrev-ref', 'HEAD') or 'no branch'}{dirty} ({run.REPO_ROOT})"


def as_json(runner: PublishRun) -> str:
    data = {
        "format": "sitegen-publish-benchmark",
        "version": 1,
        "sitegen": sitegen_revision(),
        "cpus": len(os.sched_getaffinity(0)),
        "load_before": runner.load_before,
        "load_after": runner.load_after,
        "sizes": [
            {
                "articles": result.size,
                "source_date_epoch": int(result.base_time.timestamp()),
                "old_article": result.old_slug,
                "scenarios": [outcome_json(outcome) for outcome in result.outcomes],
            }
            for result in runner.results
        ],
    }
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def outcome_json(outcome: Outcome) -> dict[str, Any]:
    build = outcome.build
    return {
        "name": outcome.scenario.name,
        "meaning": outcome.scenario.meaning,
        "limit": outcome.scenario.limit.as_json(),
        "met": None if build is None else outcome.scenario.limit.met(build),
        "error": outcome.error,
        "build": build_json(build),
        "noop_after": build_json(outcome.noop_after),
    }


def build_json(build: Build | None) -> dict[str, Any] | None:
    if build is None:
        return None
    fields = ("written", "removed", "same_bytes", "untracked", "mismatched")
    lists = {name: paths_json(getattr(build.diff, name)) for name in fields}
    return {"seconds": round(build.seconds, 3), "rss_kb": build.rss_kb, "pss_kb": build.pss_kb, **lists}


def paths_json(paths: list[str]) -> dict[str, Any]:
    return {"count": len(paths), "paths": paths[:SHOWN_PATHS], "more": max(0, len(paths) - SHOWN_PATHS)}


# --------------------------------------------------------------------------- command line


def parse_args(argv: Sequence[str] | None) -> tuple[run.Options, bool, str]:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    p.add_argument(
        "--sizes", type=int, nargs="+", default=[10_000, 100_000], help="article counts (default 10000 100000)"
    )
    p.add_argument("--workdir", type=Path, help="keep the corpus, output and logs here (default: a temp dir, deleted)")
    p.add_argument("--jobs", type=int, help="pass --jobs N to sitegen (default: its own choice)")
    p.add_argument("--timeout", type=float, default=7200, help="seconds before one build is killed (default 7200)")
    p.add_argument("--output", type=Path, help="also append the Markdown report to this file")
    p.add_argument("--format", choices=("markdown", "json"), default="markdown", help="what is printed on stdout")
    p.add_argument("--corpus-script", type=Path, default=run.DEFAULT_CORPUS_SCRIPT)
    args = p.parse_args(argv)
    if not args.corpus_script.is_file():
        p.error(f"corpus script not found: {args.corpus_script}")
    keep = args.workdir is not None
    workdir = (args.workdir or Path(tempfile.mkdtemp(prefix="sitegen-publish-bench-"))).resolve()
    opts = run.Options(
        sizes=list(dict.fromkeys(args.sizes)),
        generators=["sitegen"],
        repeat=1,
        workdir=workdir,
        corpus_script=args.corpus_script.resolve(),
        timeout=args.timeout,
        rss_interval=0.05,
        install=False,
        sitegen_jobs=args.jobs,
        output=args.output,
    )
    return opts, keep, args.format


def main(argv: Sequence[str] | None = None) -> int:
    opts, keep, fmt = parse_args(argv)
    opts.workdir.mkdir(parents=True, exist_ok=True)
    try:
        runner = PublishRun(opts)
        runner.run()
    finally:
        if not keep:
            shutil.rmtree(opts.workdir, ignore_errors=True)
    text = markdown(runner, opts)
    print(as_json(runner) if fmt == "json" else text, end="")
    if opts.output is not None:
        with opts.output.open("a", encoding="utf-8") as f:
            f.write(("\n" if f.tell() else "") + text)  # a blank line after what the file already holds
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:  # the running build was already killed; a traceback would add nothing
        sys.exit(130)
