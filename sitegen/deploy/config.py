"""The `[deploy]` table of sitegen.toml: where the site goes and how it is served from there.

Credentials are never part of it: boto3 finds them where AWS tools look (the AWS_* environment variables, a profile
in ~/.aws, an instance role). `profile` only names which profile.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from fnmatch import fnmatchcase

from sitegen.errors import Problem, error

PAGE_CACHE = "public, max-age=60, stale-while-revalidate=600"  # HTML, feeds, sitemaps: fresh within a minute
ASSET_CACHE = "public, max-age=31536000, immutable"  # names that change with their bytes: cached for a year
OTHER_CACHE = "public, max-age=3600"  # files whose name stays when they change (static images, unhashed CSS)
RULE_HEADERS = ("Cache-Control", "Content-Type", "Content-Language", "Content-Disposition")
_RULE = re.compile(r"^(?P<pattern>\S+)\s+(?P<name>[A-Za-z-]+):\s*(?P<value>\S.*)$")
_BUCKET = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")


@dataclass(frozen=True)
class DeployConfig:
    url: str = ""  # s3://bucket/optional/prefix
    endpoint: str = ""  # an S3-compatible server's URL (R2, B2, MinIO, rclone); empty: AWS
    region: str = "us-east-1"
    profile: str = ""  # an AWS profile name (its keys stay in ~/.aws); empty: the default chain
    workers: int = 16  # uploads at once, over one shared client
    gzip: bool = False  # store text files gzip-compressed (Content-Encoding: gzip), deterministically
    page_cache: str = PAGE_CACHE
    asset_cache: str = ASSET_CACHE
    other_cache: str = OTHER_CACHE
    # "PATTERN Header: value", later rules winning: e.g. "fragments/* Cache-Control: public, max-age=15".
    headers: tuple[str, ...] = ()
    cloudfront_distribution: str = ""  # a CloudFront distribution id: its cache is invalidated after a deploy
    invalidation_limit: int = 100  # more changed paths than this are collapsed into wildcards
    lock_timeout_minutes: int = 10  # a lock not refreshed for this long belongs to a deploy that died


@dataclass(frozen=True)
class Target:
    bucket: str
    prefix: str  # "" or "some/prefix/": prepended to every output path

    def key(self, rel: str) -> str:
        return self.prefix + rel

    def __str__(self) -> str:
        return f"s3://{self.bucket}/{self.prefix}"


@dataclass(frozen=True)
class HeaderRule:
    pattern: str  # fnmatch against the output path: `*` crosses folders
    name: str
    value: str

    def matches(self, rel: str) -> bool:
        return fnmatchcase(rel, self.pattern)


def target_of(url: str) -> Target | None:
    """The bucket and prefix of `s3://bucket/prefix`, or None when that is not such a URL."""
    if not url.startswith("s3://"):
        return None
    bucket, _, prefix = url.removeprefix("s3://").partition("/")
    prefix = prefix.strip("/")
    if not _BUCKET.match(bucket) or ".." in prefix.split("/") or "//" in prefix:
        return None
    return Target(bucket, prefix + "/" if prefix else "")


def header_rules(deploy: DeployConfig) -> list[HeaderRule]:
    rules = []
    for text in deploy.headers:
        found = _RULE.match(text.strip())
        if found is not None:
            rules.append(HeaderRule(found["pattern"].lstrip("/"), _canonical(found["name"]), found["value"].strip()))
    return rules


def _canonical(name: str) -> str:
    return "-".join(part.capitalize() for part in name.split("-"))


def check_deploy(deploy: DeployConfig, where: str) -> list[Problem]:
    """What is wrong with the table (only when it sets a url: a site that never deploys has nothing to check)."""
    problems: list[Problem] = []
    if deploy.url and target_of(deploy.url) is None:
        problems.append(error(where, None, f"'deploy.url' must be s3://bucket/optional/prefix, not {deploy.url!r}"))
    if deploy.endpoint and not deploy.endpoint.startswith(("http://", "https://")):
        problems.append(error(where, None, f"'deploy.endpoint' must start with http:// or https://: "
                              f"{deploy.endpoint!r}"))  # fmt: skip
    for name, number, low in (
        ("workers", deploy.workers, 1),
        ("invalidation_limit", deploy.invalidation_limit, 1),
        ("lock_timeout_minutes", deploy.lock_timeout_minutes, 1),
    ):
        if number < low:
            problems.append(error(where, None, f"'deploy.{name}' must be at least {low}, not {number}"))
    for text in deploy.headers:
        found = _RULE.match(text.strip())
        if found is None:
            problems.append(error(where, None, f"'deploy.headers' entries are \"PATTERN Header: value\": {text!r}"))
        elif _canonical(found["name"]) not in RULE_HEADERS:
            names = ", ".join(RULE_HEADERS)
            problems.append(error(where, None, f"'deploy.headers' can set {names}, not {found['name']!r}"))
    return problems
