"""Hugo shortcodes and Jekyll Liquid tags that only an import can convert, because they name other pages of the old
site or its configuration: `ref`/`relref`, `post_url`, `link`, `relative_url`, `site.*`, `param`; and those sitegen's
renderer leaves alone: `gist`, comments. The ones the renderer already converts (highlight, youtube, vimeo, tweet,
instagram, figure, raw: sitegen/content/shortcodes.py) are left for it. Anything else stays as written and is
reported with its line; `sitegen check` warns about it too.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from sitegen.content.shortcodes import convert

Resolver = Callable[[str], str | None]  # a path the old site's tags name → the page's URL in sitegen, or None

_HUGO_COMMENT = re.compile(r"\{\{</\*.*?\*/>\}\}|\{\{/\*.*?\*/\}\}", re.DOTALL)
_HUGO_REF = re.compile(r"""\{\{[<%]\s*(?:rel)?ref\s+(?:"([^"]+)"|'([^']+)'|(\S+))\s*[>%]\}\}""")
_HUGO_GIST = re.compile(r"""\{\{[<%]\s*gist\s+"?([\w-]+)"?\s+"?([0-9a-f]+)"?(?:\s+"?[^>%]*"?)?\s*[>%]\}\}""")
_HUGO_PARAM = re.compile(r"""\{\{[<%]\s*param\s+"?([\w.]+)"?\s*[>%]\}\}""")
_LIQUID_COMMENT = re.compile(r"\{%-?\s*comment\s*-?%\}.*?\{%-?\s*endcomment\s*-?%\}", re.DOTALL)
_POST_URL = re.compile(r"\{%-?\s*post_url\s+([\w./-]+)\s*-?%\}")
_LINK = re.compile(r"\{%-?\s*link\s+([\w./-]+)\s*-?%\}")
_GIST = re.compile(r"\{%-?\s*gist\s+(?:([\w-]+)/)?([0-9a-f]+)(?:\s+[\w.-]+)?\s*-?%\}")
_URL_FILTER = re.compile(r"""\{\{-?\s*(?:"([^"]*)"|'([^']*)')\s*\|\s*(relative_url|absolute_url)\s*-?\}\}""")
_SITE_VALUE = re.compile(r"\{\{-?\s*site\.([\w.]+)\s*-?\}\}")
_LEFT = re.compile(r"\{\{[<%].*?[>%]\}\}|\{%.*?%\}|\{\{.*?\}\}")


@dataclass
class Converted:
    text: str
    counts: dict[str, int] = field(default_factory=dict)
    notes: list[tuple[int, str]] = field(default_factory=list)  # (line in the body, from 1; message)


def convert_tags(body: str, resolve: Resolver, settings: Mapping[str, object], base_url: str = "") -> Converted:
    """The body with the tags an import can settle replaced; `settings` are the old site's (for `site.x`)."""
    done = Converted(body)
    rules: list[tuple[str, re.Pattern[str], Callable[[re.Match[str]], str | None]]] = [
        ("comment", _HUGO_COMMENT, lambda m: ""),
        ("comment", _LIQUID_COMMENT, lambda m: ""),
        ("ref", _HUGO_REF, lambda m: resolve(m.group(1) or m.group(2) or m.group(3))),
        ("post_url", _POST_URL, lambda m: resolve(m.group(1))),
        ("link", _LINK, lambda m: resolve(m.group(1))),
        ("gist", _HUGO_GIST, lambda m: f"https://gist.github.com/{m.group(1)}/{m.group(2)}"),
        ("gist", _GIST, lambda m: f"https://gist.github.com/{m.group(1) + '/' if m.group(1) else ''}{m.group(2)}"),
        ("url", _URL_FILTER, lambda m: _site_url(m.group(1) or m.group(2) or "", m.group(3), resolve, base_url)),
        ("site", _SITE_VALUE, lambda m: _setting(settings, m.group(1))),
        ("param", _HUGO_PARAM, lambda m: _setting(settings, "params." + m.group(1))),
    ]
    for kind, pattern, make in rules:
        done.text = pattern.sub(lambda m, k=kind, f=make: _apply(m, k, f, done), done.text)  # type: ignore[misc]
    _report_leftovers(done)
    return done


def _apply(found: re.Match[str], kind: str, make: Callable[[re.Match[str]], str | None], done: Converted) -> str:
    made = make(found)
    if made is None:
        line = done.text.count("\n", 0, found.start()) + 1
        done.notes.append((line, f"{found.group(0)!r} kept as written: what it names is not in the import"))
        return found.group(0)
    done.counts[kind] = done.counts.get(kind, 0) + 1
    return made


def _site_url(path: str, kind: str, resolve: Resolver, base_url: str) -> str | None:
    url = resolve(path)
    if url is None:
        return None  # a page that is not imported: kept and reported, never a link made up to point nowhere
    return base_url.rstrip("/") + url if kind == "absolute_url" and base_url else url


def _setting(settings: Mapping[str, object], dotted: str) -> str | None:
    value: object = settings
    for part in dotted.split("."):
        if not isinstance(value, Mapping) or part not in value:
            return None
        value = value[part]
    return str(value) if isinstance(value, (str, int, float)) and not isinstance(value, bool) else None


def _report_leftovers(done: Converted) -> None:
    """Every tag still in prose once sitegen's renderer has converted its own: kept, and reported."""
    lines = done.text.split("\n")
    rendered = convert(lines)  # what the renderer will make of each line (highlight, youtube, figure, raw, ...)
    inside = False
    for number, line in enumerate(rendered, start=1):
        if line.startswith(("```", "~~~")):
            inside = not inside
            continue
        if inside:
            continue
        noted = {line_number for line_number, _ in done.notes}
        for found in _LEFT.finditer(line) if number not in noted else ():
            done.notes.append((number, f"{found.group(0)[:60]!r} kept as written: sitegen has no equivalent"))
