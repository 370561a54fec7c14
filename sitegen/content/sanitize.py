"""Raw HTML in article bodies, made safe with nh3 (the Rust ammonia sanitiser) after Markdown conversion.

Markdown lets editors write any HTML; a pasted `<script>`, an `onerror=` or a `javascript:` link would run on every
reader's browser. Sanitising the converted HTML (not the Markdown source) catches HTML however it was produced. Video
embeds are the one kind of active content news sites need: `<iframe>` is kept only when it loads from a configured
host over HTTPS.
"""

from __future__ import annotations

import functools
import re
from urllib.parse import urlsplit

import nh3

_EXTRA_TAGS = {"tfoot", "iframe", "video", "audio", "source", "track"}
_GLOBAL_ATTRIBUTES = {"class", "id", "title", "lang", "dir"}
_EXTRA_ATTRIBUTES = {
    "a": {"title", "name", "target", "rel"},
    "img": {"title", "loading"},
    "th": {"style"},
    "td": {"style"},  # Python-Markdown aligns table cells with style="text-align: ..."
    "iframe": {"src", "width", "height", "title", "allow", "allowfullscreen", "loading", "referrerpolicy",
               "frameborder"},
    "video": {"src", "controls", "width", "height", "poster", "preload", "muted", "loop", "playsinline"},
    "audio": {"src", "controls", "preload", "muted", "loop"},
    "source": {"src", "type"},
    "track": {"src", "kind", "srclang", "label", "default"},
}  # fmt: skip
_URL_SCHEMES = {"http", "https", "mailto", "tel"}
_TAG_NAME = re.compile(r"<([a-zA-Z][a-zA-Z0-9-]*)")
_HANDLER = re.compile(r"\s(on[a-zA-Z]+)\s*=")
_IFRAME = re.compile(r"<iframe\b([^>]*)>.*?</iframe>", re.DOTALL | re.IGNORECASE)
_SCRIPT_URL = re.compile(r"""(?:href|src)\s*=\s*["']?\s*(javascript|vbscript|data):""", re.IGNORECASE)


def sanitize_html(html: str, embed_hosts: tuple[str, ...]) -> tuple[str, list[str]]:
    """Safe HTML, and a short description of each kind of thing that was removed (for a warning to the editor)."""
    cleaned = _cleaner(embed_hosts).clean(html)
    cleaned = _IFRAME.sub(lambda m: m.group(0) if ' src="' in m.group(1) else "", cleaned)
    return cleaned, _removed(html, cleaned)


def _removed(before: str, after: str) -> list[str]:
    kept = {t.lower() for t in _TAG_NAME.findall(after)} | {"iframe"}  # iframes are counted below
    removed = sorted({f"<{t.lower()}>" for t in _TAG_NAME.findall(before)} - {f"<{t}>" for t in kept})
    handlers = sorted({h.lower() for h in _HANDLER.findall(before)} - {h.lower() for h in _HANDLER.findall(after)})
    removed += [f"{h}= attribute" for h in handlers]
    if any(scheme in before.lower() for scheme in ("script:", "data:")):  # the search is slow: only when it can hit
        found = {s.lower() for s in _SCRIPT_URL.findall(before)} - {s.lower() for s in _SCRIPT_URL.findall(after)}
        removed += [f"{s}: URL" for s in sorted(found)]
    if before.lower().count("<iframe") > after.lower().count("<iframe"):
        removed.append("<iframe> from a host not in embed_hosts")
    return removed


@functools.lru_cache(maxsize=8)
def _cleaner(embed_hosts: tuple[str, ...]) -> nh3.Cleaner:
    hosts = frozenset(embed_hosts)

    def only_embed_hosts(tag: str, attribute: str, value: str) -> str | None:
        if tag == "iframe" and attribute == "src":
            url = urlsplit(value.strip())
            if url.scheme not in ("https", "") or url.hostname not in hosts or not url.netloc:
                return None  # the iframe loses its source, and is then dropped whole
        return value

    attributes = {tag: set(names) for tag, names in nh3.ALLOWED_ATTRIBUTES.items()}
    for tag, names in _EXTRA_ATTRIBUTES.items():
        attributes[tag] = attributes.get(tag, set()) | names
    attributes["*"] = _GLOBAL_ATTRIBUTES
    return nh3.Cleaner(
        tags=nh3.ALLOWED_TAGS | _EXTRA_TAGS,
        clean_content_tags={"script", "style"},
        attributes=attributes,
        attribute_filter=only_embed_hosts,
        url_schemes=_URL_SCHEMES,
        filter_style_properties={"text-align"},
        link_rel=None,  # keep editors' own links as written; rel="noopener" is implied by browsers for target=_blank
        strip_comments=True,
    )
