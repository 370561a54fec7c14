"""What parsing an article needs from the configuration: small and picklable, sent to worker processes and part of
the build cache's key. A module of its own so that deciding whether a build has anything to do (commands/build.py)
does not load the Markdown parser."""

from __future__ import annotations

from dataclasses import dataclass

from sitegen.config import DEFAULT_EMBED_HOSTS, Config


@dataclass(frozen=True)
class ParseSettings:
    """What parsing needs from the configuration; small and picklable for worker processes."""

    timezone: str
    permalink: str
    default_author: str
    raw_html: str = "sanitize"
    embed_hosts: tuple[str, ...] = DEFAULT_EMBED_HOSTS
    embed_scripts: bool = False

    @classmethod
    def from_config(cls, config: Config) -> ParseSettings:
        return cls(config.timezone, config.permalink, config.default_author, config.raw_html, config.embed_hosts,
                   config.embed_scripts)  # fmt: skip
