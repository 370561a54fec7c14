"""The `[deploy]` table of sitegen.toml (its shape: DeployConfig in sitegen/config.py) read for a deploy: the bucket
and prefix its url names, its header rules, and what is wrong with its values (checked by `sitegen deploy`, not by
the build, which never reads the table).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from fnmatch import fnmatchcase

from sitegen.config import DeployConfig
from sitegen.errors import Problem, error

RULE_HEADERS = ("Cache-Control", "Content-Type", "Content-Language", "Content-Disposition")
_RULE = re.compile(r"^(?P<pattern>\S+)\s+(?P<name>[A-Za-z-]+):\s*(?P<value>\S.*)$")
_BUCKET = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")


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
