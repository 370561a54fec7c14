"""The command line: parses arguments, runs a command, maps problems to messages and exit codes."""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from sitegen import __version__
from sitegen.commands.build import BuildOptions, BuildResult, build
from sitegen.config import build_time, load_config
from sitegen.errors import EXIT_CONTENT, EXIT_OK, EXIT_USAGE, Problem, SitegenError
from sitegen.paths import CONFIG_FILE, CONTENT_DIR, OUTPUT_DIR, PYPROJECT_FILE
from sitegen.progress import Progress


def entry() -> NoReturn:
    """The `sitegen` command: `main`, then an exit that leaves the interpreter without tearing it down. Freeing the
    objects of a built archive one by one took 1.3 s at 100,000 articles (0.3 s at 10,000) after the build had
    finished; everything the command does is done and closed when `main` returns (pools, files, the lock, the
    preview's folder), so only the standard streams are left to flush. An exception still exits the usual way, and
    so does a run under a profiler or a coverage tracer (`python -m cProfile -m sitegen`), which write their data at
    exit."""
    code = main()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except BrokenPipeError:
            pass  # the reader went away (`sitegen build | head`): it had read what it wanted
        except OSError as exc:  # a full disk under `sitegen check --format json > report.json`: the output is lost
            code = code or EXIT_USAGE
            with contextlib.suppress(OSError, ValueError):
                sys.stderr.write(f"sitegen: could not write the output: {exc.strerror or exc}\n")
                sys.stderr.flush()
        except ValueError:
            pass  # a stream already closed: nothing of it is left to write
    if sys.gettrace() is not None or sys.getprofile() is not None:
        sys.exit(code)
    os._exit(code)


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
    except OSError as exc:  # a full disk, a read-only output folder: a message, not a traceback
        print(f"sitegen: {exc.filename or 'error'}: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_USAGE


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="sitegen", description="A static site generator for news publishers.")
    parser.add_argument("--version", action="version", version=f"sitegen {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    build_cmd = commands.add_parser("build", help="build the site into the output folder")
    _site_argument(build_cmd)
    build_cmd.add_argument("-o", "--output", type=Path, help=f"output folder (default: SITE_DIR/{OUTPUT_DIR})")
    build_cmd.add_argument("--drafts", action="store_true", help="include articles marked draft: true")
    build_cmd.add_argument("--future", action="store_true", help="include articles dated after the build time")
    build_cmd.add_argument("-q", "--quiet", action="store_true", help="print only problems")
    build_cmd.add_argument("--clean", action="store_true", help="ignore the build cache: parse and render everything")
    build_cmd.add_argument("-j", "--jobs", type=_jobs, default=0, metavar="N",
                           help="worker processes for parsing and rendering (default: one per CPU)")  # fmt: skip
    build_cmd.add_argument("--watch", action="store_true",
                           help="keep running: publish every change saved to the site (Ctrl-C to stop)")  # fmt: skip
    build_cmd.set_defaults(run=_run_build)
    _editor_commands(commands)

    serve_cmd = commands.add_parser("serve", help="preview the site with live reload while you edit")
    _site_argument(serve_cmd)
    serve_cmd.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    serve_cmd.add_argument("--port", type=int, default=8000, help="port to listen on (default: 8000)")
    serve_cmd.add_argument("--drafts", action=argparse.BooleanOptionalAction, default=True,
                           help="show articles marked draft: true, with a Draft banner (default: shown)")  # fmt: skip
    serve_cmd.add_argument("--future", action="store_true", help="include articles dated after now")
    serve_cmd.set_defaults(run=_run_serve)
    _import_command(commands)
    _deploy_command(commands)
    return parser


def _deploy_command(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    deploy_cmd = commands.add_parser("deploy", help="publish the built site to S3 (or S3-compatible storage) and a CDN")
    _site_argument(deploy_cmd)
    deploy_cmd.add_argument("-o", "--output", type=Path, help=f"the built folder (default: SITE_DIR/{OUTPUT_DIR})")
    deploy_cmd.add_argument("--dry-run", action="store_true", help="print the plan; change nothing")
    deploy_cmd.add_argument("--yes", action="store_true",
                            help="go ahead past the delete guard and over objects sitegen did not upload")  # fmt: skip
    deploy_cmd.add_argument("--force", action="store_true", help="upload every file, changed or not")
    deploy_cmd.add_argument("--format", choices=("text", "json"), default="text", help="output format (default: text)")
    deploy_cmd.set_defaults(run=_run_deploy)


def _run_deploy(args: argparse.Namespace) -> int:
    from sitegen.commands import deploy  # boto3 loads only for this command

    root: Path = args.site
    if not _is_site_folder(root):
        return EXIT_USAGE
    options = deploy.DeployOptions(root, args.output, dry_run=args.dry_run, yes=args.yes, force=args.force)
    try:
        report = deploy.deploy(options)
    except SitegenError as exc:
        _report(exc.problems)  # one line each: what failed and what to do; the summary line would add nothing
        return exc.exit_code
    print(report.to_json() if args.format == "json" else report.to_text())
    return EXIT_OK


def _import_command(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    import_cmd = commands.add_parser("import", help="bring an archive over from WordPress, Hugo or Jekyll")
    kinds = import_cmd.add_subparsers(dest="kind", metavar="FROM", required=True)
    wordpress = kinds.add_parser("wordpress", help="a WordPress export (Tools → Export → All content)")
    wordpress.add_argument("source", type=Path, metavar="EXPORT.xml", help="the WXR file WordPress exported")
    wordpress.add_argument("--uploads", type=Path, metavar="DIR", help="a copy of the old site's wp-content/uploads")
    wordpress.add_argument("--categories", choices=("sections", "tags"), default="sections",
                           help="categories become sections (default; the first one of a post) or tags")  # fmt: skip
    wordpress.add_argument("--section", default="news",
                           help="section of uncategorised posts (of all posts with --categories tags)")  # fmt: skip
    for name, what in (("hugo", "a Hugo site folder"), ("jekyll", "a Jekyll site folder")):
        other = kinds.add_parser(name, help=f"{what}: content, static files and configuration")
        other.add_argument("source", type=Path, metavar="SOURCE_DIR", help=what)
        if name == "jekyll":
            other.add_argument("--section", default="news", help="the section _posts go to (default: news)")
    for parser in (wordpress, *(kinds.choices[n] for n in ("hugo", "jekyll"))):
        _site_argument(parser)
        parser.add_argument("--force", action="store_true", help="replace articles edited since the last import")
        parser.add_argument("--format", choices=("text", "json"), default="text", help="the report's format")
        parser.set_defaults(run=_run_import)


def _run_import(args: argparse.Namespace) -> int:
    from sitegen.commands import imports  # the importers load only for this command

    extra = {key: getattr(args, key) for key in ("uploads", "categories", "section") if hasattr(args, key)}
    options = imports.ImportOptions(args.source, args.site, force=args.force, **extra)
    report = imports.run(args.kind, options)
    print(report.to_json() if args.format == "json" else report.to_text())
    return EXIT_OK


def _site_argument(command: argparse.ArgumentParser) -> None:
    command.add_argument("site", nargs="?", default=".", type=Path, metavar="SITE_DIR",
                         help="the site folder (default: the current folder)")  # fmt: skip


def _is_site_folder(root: Path) -> bool:
    """A folder with a config or a content/ folder: building anywhere else would only make an empty public/."""
    if not root.is_dir():
        print(f"sitegen: {root}: no such site folder", file=sys.stderr)
        return False
    if not ((root / CONFIG_FILE).is_file() or (root / CONTENT_DIR).is_dir() or (root / PYPROJECT_FILE).is_file()):
        print(f"sitegen: {root}: not a site folder (no {CONFIG_FILE} and no {CONTENT_DIR}/); `sitegen init` makes one",
              file=sys.stderr)  # fmt: skip
        return False
    return True


def _run_build(args: argparse.Namespace) -> int:
    root: Path = args.site
    if not _is_site_folder(root):
        return EXIT_USAGE
    output = args.output if args.output is not None else root / OUTPUT_DIR
    options = BuildOptions(root=root, output=output, drafts=args.drafts, future=args.future, clean=args.clean,
                           jobs=args.jobs, progress=Progress.for_terminal(args.quiet))  # fmt: skip
    if args.watch:
        from sitegen.commands.watch import watch  # watchdog loads only for this command

        return watch(options, lambda result: _print_summary(result, output, quiet=args.quiet), quiet=args.quiet)
    result = build(options)
    _report(result.warnings)
    _print_summary(result, output, quiet=args.quiet)
    return EXIT_OK if not any(p.severity.value == "error" for p in result.warnings) else EXIT_CONTENT


def _run_serve(args: argparse.Namespace) -> int:
    from sitegen.commands.serve import serve  # the server and watchdog load only for this command

    return serve(args.site, host=args.host, port=args.port, drafts=args.drafts, future=args.future)


def _print_summary(result: BuildResult, output: Path, *, quiet: bool) -> None:
    """The build's summary, printed once the site is published: a reader that went away (`sitegen build | head -1`)
    loses the rest of it, and the exit code still says how the build went."""
    if quiet:
        return
    with contextlib.suppress(BrokenPipeError):
        print(_summary(result, output), flush=True)
        if result.images:
            print(f"Images: {result.images} shown, {result.encoded} derivatives encoded", flush=True)
        if result.search.pages or result.search.reindexed:
            print(_search_summary(result), flush=True)


def _summary(result: BuildResult, output: Path) -> str:
    stats = result.stats
    return (
        f"Built {result.articles} articles into {result.pages} pages in {output}: "
        f"{result.rendered} rendered, {result.skipped} skipped, {stats.written} written, {stats.unchanged} unchanged, "
        f"{stats.removed} removed in {result.seconds:.2f} s"
    )


def _search_summary(result: BuildResult) -> str:
    search = result.search
    if not search.reindexed:
        return (f"Search index: {search.pages} articles, unchanged ({search.shards} shards, kept {search.files} files, "
                f"{search.seconds:.2f} s)")  # fmt: skip
    return (f"Search index: {search.pages} articles indexed, {search.shards_indexed} of {search.shards} shards made "
            f"again ({search.files} files, {search.seconds:.2f} s)")  # fmt: skip


def _jobs(text: str) -> int:
    try:
        jobs = int(text)
    except ValueError:
        jobs = -1
    if jobs < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number of at least 1, not {text!r}")
    return jobs


def _report(problems: Sequence[Problem]) -> None:
    with contextlib.suppress(BrokenPipeError):  # no one left to read them: the exit code is what is left to say
        for problem in problems:
            print(problem, file=sys.stderr)


# ------------------------------------------------------------------------------------------- editors: new, init, check


def _editor_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    new_cmd = commands.add_parser("new", help="start a new article (a draft) with its front-matter filled in")
    new_cmd.add_argument("title", help="the headline; the file name (and URL) is made from it")
    new_cmd.add_argument("--section", required=True, help="the section folder, e.g. news/armenia")
    new_cmd.add_argument("--author", action="append", default=[], help="author name (repeat for several)")
    new_cmd.add_argument("--tag", action="extend", nargs="+", default=[], metavar="TAG",
                         help="tags: --tag Politics Yerevan, or --tag repeated")  # fmt: skip
    new_cmd.add_argument("--slug", help="the URL name instead of one made from the title")
    new_cmd.add_argument("--create-section", action="store_true", help="start the section if it does not exist")
    new_cmd.add_argument("-s", "--site", type=Path, default=Path(), metavar="SITE_DIR",
                         help="the site folder (default: the current folder)")  # fmt: skip
    new_cmd.set_defaults(run=_run_new)

    init_cmd = commands.add_parser("init", help="create a new site that builds at once")
    init_cmd.add_argument("folder", type=Path, metavar="DIR", help="folder for the new site (created if needed)")
    init_cmd.add_argument("--title", default="My News", help="publication name")
    init_cmd.add_argument("--base-url", default="", help="absolute URL the site is served from")
    init_cmd.add_argument("--language", default="en", help="ISO 639 language code, e.g. hy")
    init_cmd.add_argument("--timezone", default="UTC", help="IANA time zone, e.g. Asia/Yerevan")
    init_cmd.set_defaults(run=_run_init)

    check_cmd = commands.add_parser("check", help="report every problem with the site; builds and writes nothing")
    _site_argument(check_cmd)
    check_cmd.add_argument(
        "-o", "--output", type=Path, help=f"output folder the build would use (default: SITE_DIR/{OUTPUT_DIR})"
    )
    check_cmd.add_argument("--strict", action="store_true", help="fail on warnings too")
    check_cmd.add_argument("--format", choices=("text", "json"), default="text", help="output format (default: text)")
    check_cmd.add_argument("--drafts", action="store_true", help="check as for a build with --drafts")
    check_cmd.add_argument("--future", action="store_true", help="check as for a build with --future")
    check_cmd.set_defaults(run=_run_check)


def _run_new(args: argparse.Namespace) -> int:
    root: Path = args.site
    if not _is_site_folder(root):
        return EXIT_USAGE
    from sitegen.commands.scaffold import ArticleRequest, new_article  # front-matter checks load only for this command

    request = ArticleRequest(args.title, args.section, tuple(args.author), tuple(args.tag), args.slug,
                             args.create_section)  # fmt: skip
    try:
        rel = new_article(root, load_config(root).config, request, build_time())
    except SitegenError as exc:
        _report(exc.problems)
        return exc.exit_code
    print(root / rel)
    return EXIT_OK


def _run_init(args: argparse.Namespace) -> int:
    from sitegen.commands.scaffold import SiteRequest, init_site  # loads only for this command

    folder: Path = args.folder
    try:
        init_site(SiteRequest(folder, args.title, args.base_url, args.language, args.timezone), build_time())
    except SitegenError as exc:
        _report(exc.problems)
        return exc.exit_code
    print(f"Created a new site in {folder}. Next:")
    if not args.base_url:
        print(f"  set base_url in {folder / CONFIG_FILE} (feeds, sitemaps and canonical links need it)")
    print(f"  cd {folder}")
    print('  sitegen new "My first story" --section news')
    print("  sitegen check")
    print("  sitegen build")
    return EXIT_OK


def _run_check(args: argparse.Namespace) -> int:
    root: Path = args.site
    if not _is_site_folder(root):
        return EXIT_USAGE
    from sitegen.commands.check import CheckOptions, check  # the parser and renderer load only when they are needed

    report = check(CheckOptions(root, args.output, args.drafts, args.future, args.strict))
    print(report.to_json() if args.format == "json" else report.to_text())
    return report.exit_code
