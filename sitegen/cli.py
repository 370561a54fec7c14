"""The command line: parses arguments, runs a command, maps problems to messages and exit codes."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from sitegen import __version__
from sitegen.build import BuildOptions, BuildResult, build
from sitegen.errors import EXIT_CONTENT, EXIT_OK, EXIT_USAGE, Problem, SitegenError
from sitegen.progress import Progress


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return EXIT_USAGE
    try:
        code: int = args.run(args)
        return code
    except SitegenError as exc:
        _report(exc.problems)
        noun = "problem" if len(exc.problems) == 1 else "problems"
        print(f"sitegen: {len(exc.problems)} {noun}, nothing published", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("sitegen: interrupted", file=sys.stderr)
        return 130


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="sitegen", description="A static site generator for news publishers.")
    parser.add_argument("--version", action="version", version=f"sitegen {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    build_cmd = commands.add_parser("build", help="build the site into the output folder")
    build_cmd.add_argument("site", nargs="?", default=".", type=Path, metavar="SITE_DIR",
                           help="the site folder (default: the current folder)")  # fmt: skip
    build_cmd.add_argument("-o", "--output", type=Path, help="output folder (default: SITE_DIR/public)")
    build_cmd.add_argument("--drafts", action="store_true", help="include articles marked draft: true")
    build_cmd.add_argument("--future", action="store_true", help="include articles dated after the build time")
    build_cmd.add_argument("-q", "--quiet", action="store_true", help="print only problems")
    build_cmd.add_argument("--clean", action="store_true", help="ignore the build cache: parse and render everything")
    build_cmd.add_argument("-j", "--jobs", type=_jobs, default=0, metavar="N",
                           help="worker processes for parsing and rendering (default: one per CPU)")  # fmt: skip
    build_cmd.set_defaults(run=_run_build)
    return parser


def _run_build(args: argparse.Namespace) -> int:
    root: Path = args.site
    if not root.is_dir():
        print(f"sitegen: {root}: no such site folder", file=sys.stderr)
        return EXIT_USAGE
    output = args.output if args.output is not None else root / "public"
    options = BuildOptions(root=root, output=output, drafts=args.drafts, future=args.future, clean=args.clean,
                           jobs=args.jobs, progress=Progress.for_terminal(args.quiet))  # fmt: skip
    result = build(options)
    _report(result.warnings)
    if not args.quiet:
        print(_summary(result, output))
    return EXIT_OK if not any(p.severity.value == "error" for p in result.warnings) else EXIT_CONTENT


def _summary(result: BuildResult, output: Path) -> str:
    stats = result.stats
    return (
        f"Built {result.articles} articles into {result.pages} pages in {output}: "
        f"{result.rendered} rendered, {result.skipped} skipped, {stats.written} written, {stats.unchanged} unchanged, "
        f"{stats.removed} removed in {result.seconds:.2f} s"
    )


def _jobs(text: str) -> int:
    try:
        jobs = int(text)
    except ValueError:
        jobs = -1
    if jobs < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number of at least 1, not {text!r}")
    return jobs


def _report(problems: Sequence[Problem]) -> None:
    for problem in problems:
        print(problem, file=sys.stderr)
