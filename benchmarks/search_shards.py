#!/usr/bin/env python3
"""Search at archive scale (issue #13): `sitegen build` with the sharded index against the same site with search off.

    python benchmarks/search_shards.py SITE_DIR [--workdir DIR]

SITE_DIR is the shared corpus (make_corpus.py --format sitegen), search on. The benchmark copies it twice (search on,
and search off: `[search] enabled = false` appended), then on each: a cold build (--clean), one old article's body
edited, one article added (dated two hours before the build), each a build measured with run.py's measure (wall, and
peak RSS of the whole process tree). Then it serves the search-on output and measures, in Chromium, the bytes a
first one-word search downloads from /pagefind/ (bodies as served, before any HTTP compression), and prints every
shard's size. Prints Markdown.
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import http.server
import os
import shutil
import sys
import threading
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR))
sys.path.insert(0, str(BENCH_DIR.parent))
import run  # noqa: E402

EPOCH = 1766995200
SEARCH_OFF = "\n[search]\nenabled = false\n"


def build(site: Path, out: Path, log: Path, opts: run.Options, *, cold: bool = False) -> run.Measurement:
    cmd = [sys.executable, "-m", "sitegen", "build", str(site), "-o", str(out), "-q", *(["--clean"] if cold else [])]
    path = os.pathsep.join(filter(None, [str(BENCH_DIR.parent), os.environ.get("PYTHONPATH")]))
    env = {**os.environ, "SOURCE_DATE_EPOCH": str(EPOCH), "PYTHONPATH": path}
    return run.measure(cmd, site.parent, env, log, opts)


def add_article(site: Path) -> None:
    date = dt.datetime.fromtimestamp(EPOCH, dt.timezone(dt.timedelta(hours=4))) - dt.timedelta(hours=2)
    new = run.NewArticle(1, date)
    (site / "content/news" / f"{new.slug}.md").write_text(new.yaml_front() + new.body, encoding="utf-8")


def scenarios(site: Path, log: Path, opts: run.Options) -> dict[str, run.Measurement]:
    out = site.parent / "out"
    shutil.rmtree(out, ignore_errors=True)
    found = {"cold": build(site, out, log, opts, cold=True)}
    run.append_sentence(site / "content", run.oldest_slug(site / "content"), 1)
    found["one body edited"] = build(site, out, log, opts)
    add_article(site)
    found["one article added"] = build(site, out, log, opts)
    return found


def first_search_bytes(output: Path, word: str) -> tuple[int, int]:
    """Bytes and requests under /pagefind/ of loading /search/?q=word until its results show."""
    from playwright.sync_api import sync_playwright

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=output))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    sizes: list[int] = []
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium")
            page = browser.new_page()
            page.on("response", lambda r: sizes.append(len(r.body())) if "/pagefind/" in r.url else None)
            page.goto(f"http://127.0.0.1:{server.server_port}/search/?q={word}")
            page.wait_for_function("() => /found/.test(document.getElementById('search-status').textContent)",
                                   timeout=60000)  # fmt: skip
            page.wait_for_load_state("networkidle")
            browser.close()
    finally:
        server.shutdown()
    return sum(sizes), len(sizes)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("site", type=Path)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/search-bench/work"))
    parser.add_argument("--word", default="parliament")
    args = parser.parse_args()
    opts = run.Options(sizes=[], generators=[], repeat=1, workdir=args.workdir, corpus_script=Path(), timeout=1800,
                       rss_interval=0.2, install=False, sitegen_jobs=None, output=None)  # fmt: skip
    results = {}
    for side in ("on", "off"):
        site = args.workdir / side / "site"
        shutil.rmtree(site.parent, ignore_errors=True)
        shutil.copytree(args.site, site)
        if side == "off":
            with (site / "sitegen.toml").open("a", encoding="utf-8") as config:
                config.write(SEARCH_OFF)
        results[side] = scenarios(site, args.workdir / f"{side}.log", opts)
        print(side, {k: (round(m.seconds, 1), m.rss_kb // 1024) for k, m in results[side].items()}, flush=True)
    print("| `sitegen build`, 10,000 articles | search off | search on | on ÷ off |\n|---|---|---|---|")
    for name in results["on"]:
        on, off = results["on"][name], results["off"][name]
        print(f"| {name} | {off.seconds:.1f} s, {off.rss_kb // 1024} MB | {on.seconds:.1f} s, {on.rss_kb // 1024} MB "
              f"| {on.seconds / off.seconds:.2f} × |")  # fmt: skip
    index = args.workdir / "on/out/pagefind"
    for shard in sorted(p for p in index.iterdir() if p.is_dir()):
        files = [p for p in shard.rglob("*") if p.is_file()]
        print(f"shard {shard.name}: {len(files)} files, {sum(p.stat().st_size for p in files) / 1024:.0f} KiB")
    total, requests = first_search_bytes(args.workdir / "on/out", args.word)
    print(f"first one-word search ({args.word!r}): {total / 1024:.0f} KiB in {requests} requests under /pagefind/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
