"""Site configuration: `sitegen.toml`, or a `[tool.sitegen]` table in `pyproject.toml`.

The configuration is validated as a whole: every unknown key, wrong type and bad value is reported at once, each with
the file it came from, because a typo in a key that is silently ignored is a site that quietly looks wrong.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import os
import re
import tomllib
import types
import typing
import zoneinfo
from dataclasses import asdict, dataclass, field, fields, is_dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sitegen.errors import Problem, UsageError, error
from sitegen.paths import CONFIG_FILE, DATA_DIR, PYPROJECT_FILE, PYPROJECT_TABLE
from sitegen.urls import check_url_scheme

RAW_HTML_MODES = ("sanitize", "allow")
DEFAULT_EMBED_HOSTS = (
    "www.youtube.com", "youtube.com", "www.youtube-nocookie.com", "youtube-nocookie.com", "player.vimeo.com",
)  # fmt: skip
_TABLE = f"[{'.'.join(PYPROJECT_TABLE)}]"  # as a TOML file names it


@dataclass(frozen=True)
class PopularConfig:
    count: int = 5
    window_days: int = 7
    file: str = f"{DATA_DIR}/pageviews.csv"


@dataclass(frozen=True)
class NewsletterConfig:
    action: str = ""
    method: str = "post"
    email_field: str = "email"
    honeypot_field: str = "website"
    heading: str = "Subscribe to our newsletter"
    text: str = "To be updated with all the latest news, podcasts, and announcements."
    button: str = "Subscribe"


@dataclass(frozen=True)
class SponsorConfig:
    heading: str = "A word from our sponsors"
    html: str = ""
    image: str = ""
    alt: str = ""
    url: str = ""

    @property
    def enabled(self) -> bool:
        return bool(self.html or self.image)


@dataclass(frozen=True)
class SearchConfig:
    enabled: bool = True  # false: no index, no /search/ page, no search boxes


@dataclass(frozen=True)
class FeedsConfig:
    count: int = 50  # items per feed; Google News reads up to 60 new items per fetch
    atom: bool = True  # an Atom feed (feed.atom) beside every RSS feed


@dataclass(frozen=True)
class ImagesConfig:
    # false: images are published as they are and linked as written (a site whose images an image CDN resizes).
    enabled: bool = True
    widths: tuple[int, ...] = (480, 800, 1200, 1600)  # of each derivative set, never wider than the source
    teaser_widths: tuple[int, ...] = (400, 800)  # of the 16:9 crops teasers show
    quality: int = 80  # JPEG and WebP
    avif_quality: int = 60  # AVIF looks as good as JPEG at a lower number
    # A source with more pixels is refused, not decoded: a small file can unpack to gigabytes (a decompression bomb).
    max_pixels: int = 60_000_000


FRAGMENT_MODES = ("script", "ssi", "esi")


@dataclass(frozen=True)
class FragmentsConfig:
    # How pages show the blocks that change with every publish (latest news, Most Popular, topics), which are also
    # published as files under fragments/: "script" embeds each as of the page's own date and a script swaps in the
    # current file; "ssi" (nginx `ssi on`, Apache mod_include) and "esi" (a CDN) emit include directives instead.
    include: str = "script"


DEPLOY_PAGE_CACHE = "public, max-age=60, stale-while-revalidate=600"  # HTML, feeds, sitemaps: fresh within a minute
DEPLOY_ASSET_CACHE = "public, max-age=31536000, immutable"  # names that change with their bytes: cached for a year
DEPLOY_OTHER_CACHE = "public, max-age=3600"  # files whose name stays when they change (static images, unhashed CSS)


@dataclass(frozen=True)
class DeployConfig:
    """Where `sitegen deploy` publishes (sitegen/deploy/). Credentials are never part of it: boto3 finds them where
    AWS tools look (the AWS_* environment variables, a profile in ~/.aws, an instance role)."""

    url: str = ""  # s3://bucket/optional/prefix
    endpoint: str = ""  # an S3-compatible server's URL (R2, B2, MinIO, rclone); empty: AWS
    region: str = "us-east-1"
    profile: str = ""  # an AWS profile name (its keys stay in ~/.aws); empty: the default chain
    workers: int = 16  # uploads at once, over one shared client
    gzip: bool = False  # store text files gzip-compressed (Content-Encoding: gzip), deterministically
    page_cache: str = DEPLOY_PAGE_CACHE
    asset_cache: str = DEPLOY_ASSET_CACHE
    other_cache: str = DEPLOY_OTHER_CACHE
    # "PATTERN Header: value", later rules winning: e.g. "fragments/* Cache-Control: public, max-age=15".
    headers: tuple[str, ...] = ()
    cloudfront_distribution: str = ""  # a CloudFront distribution id: its cache is invalidated after a deploy
    invalidation_limit: int = 100  # more changed paths than this are collapsed into wildcards
    lock_timeout_minutes: int = 10  # a lock not refreshed for this long belongs to a deploy that died


@dataclass(frozen=True)
class Config:
    title: str = "News"
    description: str = ""
    base_url: str = ""
    language: str = "en"
    timezone: str = "UTC"
    permalink: str = "/{section}/{slug}/"
    page_size: int = 20
    latest_count: int = 5
    topics_count: int = 12
    default_author: str = ""
    publication_name: str = ""  # the name Google News knows the site by; empty: `title`
    logo: str = ""  # the publisher's logo for structured data, a path or URL
    # Raw HTML in articles is sanitised ("sanitize") unless every editor is trusted ("allow").
    raw_html: str = "sanitize"
    # Hosts an article may embed an <iframe> from (exact host names) when raw HTML is sanitised.
    embed_hosts: tuple[str, ...] = DEFAULT_EMBED_HOSTS
    # X/Twitter, Instagram, Facebook, TikTok and Telegram posts are link cards; true loads each platform's script,
    # which turns them into live posts (and lets the platform see every reader).
    embed_scripts: bool = False
    feeds: FeedsConfig = field(default_factory=FeedsConfig)
    popular: PopularConfig = field(default_factory=PopularConfig)
    newsletter: NewsletterConfig = field(default_factory=NewsletterConfig)
    sponsor: SponsorConfig = field(default_factory=SponsorConfig)
    search: SearchConfig = field(default_factory=SearchConfig)
    fragments: FragmentsConfig = field(default_factory=FragmentsConfig)
    images: ImagesConfig = field(default_factory=ImagesConfig)
    deploy: DeployConfig = field(default_factory=DeployConfig)  # where `sitegen deploy` publishes: no page shows it

    @property
    def tz(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)

    @property
    def publisher(self) -> str:
        return self.publication_name or self.title

    def digest(self) -> str:
        """A fingerprint of every setting a page can show: a change re-renders every page (the deploy settings are
        left out: moving the site to another bucket renders nothing)."""
        settings = asdict(self)
        del settings["deploy"]
        blob = json.dumps(settings, sort_keys=True).encode()
        return hashlib.sha256(blob).hexdigest()[:16]


@dataclass(frozen=True)
class LoadedConfig:
    config: Config
    path: Path | None


def load_config(root: Path) -> LoadedConfig:
    """Read the site's configuration; raise UsageError listing every problem in it."""
    path, table = _read_table(root)
    where = path.name if path else CONFIG_FILE
    if path is not None and path.name == PYPROJECT_FILE:
        where = f"{PYPROJECT_FILE} {_TABLE}"
    values, problems = _validate(Config, table, where, "")
    config = Config(**values)
    problems.extend(_check_values(config, where))
    if problems:
        raise UsageError(_with_lines(problems, path))
    return LoadedConfig(config, path)


def _read_table(root: Path) -> tuple[Path | None, dict[str, Any]]:
    own = root / CONFIG_FILE
    if own.is_file():
        return own, _parse_toml(own)
    pyproject = root / PYPROJECT_FILE
    if pyproject.is_file():
        outer, inner = PYPROJECT_TABLE
        tool = _parse_toml(pyproject).get(outer, {})
        if isinstance(tool, dict) and inner in tool:
            section = tool[inner]
            if not isinstance(section, dict):
                raise UsageError([error(pyproject, None, f"{_TABLE} must be a table")])
            return pyproject, section
    return None, {}


def _parse_toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise UsageError([error(path, None, f"not UTF-8 text (byte {exc.start})")]) from exc
    except tomllib.TOMLDecodeError as exc:
        line = _toml_error_line(str(exc))
        raise UsageError([error(path, line, f"invalid TOML: {exc}")]) from exc


def _with_lines(problems: list[Problem], path: Path | None) -> list[Problem]:
    """tomllib keeps no positions: find the line that sets each key named in a problem, for `file:line` messages."""
    if path is None:
        return problems
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    located = []
    for problem in problems:
        key = problem.message.split("'")[1].rsplit(".", 1)[-1] if "'" in problem.message else ""
        line = next(
            (n for n, text in enumerate(lines, 1) if key and re.match(rf"\s*\"?{re.escape(key)}\"?\s*=", text)), None
        )
        located.append(replace(problem, line=line))
    return located


def _toml_error_line(message: str) -> int | None:
    marker = "(at line "
    if marker not in message:
        return None
    digits = message.split(marker, 1)[1].split(",", 1)[0]
    return int(digits) if digits.isdigit() else None


def _validate(cls: type, table: dict[str, Any], where: str, prefix: str) -> tuple[dict[str, Any], list[Problem]]:
    """Check `table` against the dataclass `cls`; the keyword arguments to build it with, and what is wrong."""
    hints = typing.get_type_hints(cls)
    known = {f.name for f in fields(cls)}
    values: dict[str, Any] = {}
    problems: list[Problem] = []
    for key, value in table.items():
        name = f"{prefix}{key}"
        if key not in known:
            problems.append(error(where, None, f"unknown key '{name}'{_did_you_mean(key, known, prefix)}"))
            continue
        expected = hints[key]
        if is_dataclass(expected):
            if not isinstance(value, dict):
                problems.append(error(where, None, f"'{name}' must be a table"))
                continue
            assert isinstance(expected, type)
            inner, inner_problems = _validate(expected, value, where, f"{name}.")
            values[key] = expected(**inner)
            problems += inner_problems
        elif _type_matches(value, expected):
            values[key] = tuple(value) if isinstance(value, list) else value  # frozen config: lists become tuples
        else:
            problems.append(error(where, None, f"'{name}' must be {_type_name(expected)}, not {value!r}"))
    return values, problems


def _type_matches(value: Any, expected: Any) -> bool:
    if isinstance(expected, types.UnionType):
        return any(_type_matches(value, t) for t in typing.get_args(expected))
    if expected is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if typing.get_origin(expected) is tuple:  # tuple[str, ...]: a TOML array of that type
        item = typing.get_args(expected)[0]
        return isinstance(value, list) and all(_type_matches(v, item) for v in value)
    return isinstance(value, expected)


def _type_name(expected: Any) -> str:
    names = {str: "a string", int: "a whole number", bool: "true or false"}
    if typing.get_origin(expected) is tuple:
        return f"a list of {_type_name(typing.get_args(expected)[0]).removeprefix('a ')}s"
    return names.get(expected, str(expected))


def _did_you_mean(key: str, known: set[str], prefix: str) -> str:
    close = difflib.get_close_matches(key, sorted(known), n=1)
    return f" (did you mean '{prefix}{close[0]}'?)" if close else ""


def _check_values(config: Config, where: str) -> list[Problem]:
    problems: list[Problem] = []
    try:
        zoneinfo.ZoneInfo(config.timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        problems.append(error(where, None, f"'timezone' is not an IANA time zone name: {config.timezone!r}"))
    if config.base_url and not config.base_url.startswith(("http://", "https://")):
        problems.append(error(where, None, f"'base_url' must start with http:// or https://: {config.base_url!r}"))
    for name, value in _url_settings(config):
        reason = check_url_scheme(value)
        if reason:
            problems.append(error(where, None, f"'{name}' {reason}"))
    for name, number, low in (
        ("page_size", config.page_size, 1),
        ("latest_count", config.latest_count, 0),
        ("topics_count", config.topics_count, 0),
        ("popular.count", config.popular.count, 0),
        ("popular.window_days", config.popular.window_days, 1),
        ("feeds.count", config.feeds.count, 1),
        ("images.quality", config.images.quality, 1),
        ("images.avif_quality", config.images.avif_quality, 1),
        ("images.max_pixels", config.images.max_pixels, 1),
    ):
        if number < low:
            problems.append(error(where, None, f"'{name}' must be at least {low}, not {number}"))
    problems += _image_problems(config.images, where)
    if "{slug}" not in config.permalink:
        problems.append(error(where, None, f"'permalink' must contain {{slug}}: {config.permalink!r}"))
    if config.raw_html not in RAW_HTML_MODES:
        problems.append(error(where, None, f'\'raw_html\' must be "sanitize" or "allow", not {config.raw_html!r}'))
    for host in config.embed_hosts:
        if not host or "/" in host or ":" in host or host != host.strip().lower():
            problems.append(error(where, None, f"'embed_hosts' entries are host names like www.youtube.com: {host!r}"))
    if config.fragments.include not in FRAGMENT_MODES:
        modes = ", ".join(f'"{m}"' for m in FRAGMENT_MODES)
        problems.append(
            error(where, None, f"'fragments.include' must be one of {modes}, not {config.fragments.include!r}")
        )
    if config.newsletter.method.lower() not in {"post", "get"}:
        problems.append(error(where, None, '\'newsletter.method\' must be "post" or "get"'))
    return problems


def _image_problems(images: ImagesConfig, where: str) -> list[Problem]:
    problems = [
        error(where, None, f"'images.{name}' must be at most 100, not {value}")
        for name, value in (("quality", images.quality), ("avif_quality", images.avif_quality))
        if value > 100
    ]
    for name, widths in (("widths", images.widths), ("teaser_widths", images.teaser_widths)):
        if not widths or any(not 16 <= w <= 8192 for w in widths):
            problems.append(error(where, None, f"'images.{name}' must be widths from 16 to 8192, not {list(widths)}"))
    return problems  # fmt: skip


def _url_settings(config: Config) -> list[tuple[str, str]]:
    return [
        ("newsletter.action", config.newsletter.action),
        ("sponsor.url", config.sponsor.url),
        ("sponsor.image", config.sponsor.image),
        ("logo", config.logo),
    ]


def build_time() -> datetime:
    """Now, or SOURCE_DATE_EPOCH when set: reproducible builds and tests."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if not epoch:
        return datetime.now(UTC)
    try:
        return datetime.fromtimestamp(int(epoch), UTC)
    except (ValueError, OverflowError, OSError) as exc:
        raise UsageError(f"SOURCE_DATE_EPOCH must be a whole number of seconds, not {epoch!r}") from exc
