"""How long `Publisher.commit` takes to put a large publish live: a synthetic site in a temp folder, no rendering.

    PYTHONPATH=. python benchmarks/publish_commit.py [--files 10000] [--repeat 3]

Three publishes of `--files` files (nine in ten pages `section/N/slug/index.html`, the rest feeds and assets):
- `new`: into an empty output folder, every file new (a first build);
- `replace`: every file changed (a template edit);
- `mixed`: of the files published before, a tenth deleted, seven in ten changed, a fifth unchanged; and a fifth as
  many new ones.
`commit()` is what is timed; staging the files (`put`, done while pages render) is shown beside it. The table
shows the median of `--repeat` runs, each on a fresh copy. It prints a Markdown table; it checks nothing.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from sitegen.publish.writer import Publisher

PAGE = b"<!doctype html><html><body>" + b"<p>A paragraph of a news story.</p>" * 120 + b"</body></html>"


def site_files(count: int, version: str, first: int = 0) -> dict[str, bytes]:
    """`count` files numbered from `first`: pages, then a feed per ten sections, then assets."""
    files: dict[str, bytes] = {}
    for n in range(first, first + count):
        data = PAGE + f"<!-- {version} {n} -->".encode()
        if n % 10 == 9:
            rel = f"section-{n % 97}/feed-{n}.xml" if n % 20 == 9 else f"img/picture-{n}.jpg"
        else:
            rel = f"section-{n % 97}/{n // 1000}/story-{n}/index.html"
        files[rel] = data
    return files


def timed_commit(output: Path, files: dict[str, bytes]) -> tuple[float, float]:
    """(seconds staging, seconds committing)."""
    started = time.perf_counter()
    publisher = Publisher.open(output)
    for rel, data in files.items():
        publisher.put(rel, data)
    staged = time.perf_counter()
    publisher.commit()
    return staged - started, time.perf_counter() - staged


def publish(output: Path, files: dict[str, bytes]) -> None:
    timed_commit(output, files)


def scenarios(count: int) -> dict[str, tuple[Callable[[Path], None], Callable[[Path], tuple[float, float]]]]:
    """name → (prepare the output folder, time the commit)."""
    before = site_files(count, "v1")
    changed = site_files(count, "v2")
    tenth = count // 10
    changed_part = site_files(7 * tenth, "v2", first=tenth)  # the first tenth is deleted
    unchanged_part = site_files(count - 8 * tenth, "v1", first=8 * tenth)
    mixed = {**changed_part, **unchanged_part, **site_files(2 * tenth, "v1", first=count)}
    return {
        "new": (lambda out: None, lambda out: timed_commit(out, before)),
        "replace": (lambda out: publish(out, before), lambda out: timed_commit(out, changed)),
        "mixed": (lambda out: publish(out, before), lambda out: timed_commit(out, mixed)),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--files", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(f"| {args.files:,} files | commit, median of {args.repeat} | min | max | staging (put), median |")
    print("|---|---|---|---|---|")
    for name, (prepare, run) in scenarios(args.files).items():
        commits, stagings = [], []
        for _ in range(args.repeat):
            scratch = Path(tempfile.mkdtemp(prefix="sitegen-commit-"))
            try:
                prepare(scratch / "out")
                staging, commit = run(scratch / "out")
            finally:
                shutil.rmtree(scratch)
            commits.append(commit)
            stagings.append(staging)
        print(f"| {name} | {ms(statistics.median(commits))} | {ms(min(commits))} | {ms(max(commits))} "
              f"| {ms(statistics.median(stagings))} |")  # fmt: skip


def ms(seconds: float) -> str:
    return f"{seconds * 1000:,.0f} ms"


if __name__ == "__main__":
    main()
