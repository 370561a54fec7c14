"""The files a deploy publishes: exactly what the last build wrote, as its manifest records them.

The build's manifest (publish/writer.py) already has every file's sha256 and size, so a deploy reads no file to find
what changed; it reads only the small HTML pages that may be redirects, and the files it uploads. A build that was
cut short, or a file changed in the output folder since, stops the deploy: it would publish a site no build made.
Files someone else put into the output folder are not the build's and are not deployed.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sitegen.config import DeployConfig
from sitegen.deploy.config import header_rules
from sitegen.deploy.headers import Headers, headers_for, may_hold_redirect, redirect_target
from sitegen.errors import UsageError
from sitegen.paths import is_hidden
from sitegen.publish.writer import intact_output


@dataclass(frozen=True)
class LocalFile:
    rel: str
    sha256: str
    size: int
    headers: Headers


def local_files(output: Path, deploy: DeployConfig) -> dict[str, LocalFile]:
    built = intact_output(output)
    if built is None:
        raise UsageError(f"deploy: {output}: no complete build there (never built, a build cut short, or a "
                         "published file changed since): run `sitegen build` first")  # fmt: skip
    if built.unpublished:
        raise UsageError(f"deploy: {output} was built with --drafts or --future: its pages show what is not "
                         "published yet; run `sitegen build` without them first")  # fmt: skip
    rules = header_rules(deploy)
    files: dict[str, LocalFile] = {}
    for rel, (sha256, size) in built.files.items():
        if any(is_hidden(part) for part in rel.split("/")):
            continue
        redirect = redirect_target((output / rel).read_bytes()) if may_hold_redirect(rel, size) else None
        files[rel] = LocalFile(rel, sha256, size, headers_for(rel, sha256, redirect, deploy, rules))
    return files
