"""Raw HTML in article bodies, made safe with nh3 (the Rust ammonia sanitiser) after Markdown conversion.

Markdown lets editors write any HTML; a pasted `<script>`, an `onerror=` or a `javascript:` link would run on every
reader's browser. Sanitising the converted HTML (not the Markdown source) catches HTML however it was produced. Video
embeds are the one kind of active content news sites need: `<iframe>` is kept only when it loads from a configured
host over HTTPS. What responsive images and old-style alignment need is kept (`<picture>`, `<source>`, `srcset`,
`sizes`, `width`, `height`, `loading`, `align`), and so is what sitegen's own Markdown makes (embeds, task lists,
highlighted code). Whatever is removed is named, so that the editor hears of it.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from urllib.parse import urlsplit

import nh3

_EXTRA_TAGS = {"tfoot", "iframe", "video", "audio", "source", "track", "picture", "section", "input"}
_GLOBAL_ATTRIBUTES = {"class", "id", "title", "lang", "dir"}
_IMAGE = {"src", "srcset", "sizes", "width", "height", "loading", "decoding", "align", "alt", "title"}
_EXTRA_ATTRIBUTES = {
    "a": {"title", "name", "target", "rel"},
    "img": _IMAGE,
    "th": {"style"},
    "td": {"style"},  # Python-Markdown aligns table cells with style="text-align: ..."
    "iframe": {"src", "width", "height", "title", "allow", "allowfullscreen", "loading", "referrerpolicy",
               "frameborder"},
    "video": {"src", "controls", "width", "height", "poster", "preload", "muted", "loop", "playsinline"},
    "audio": {"src", "controls", "preload", "muted", "loop"},
    "source": {"src", "type", "srcset", "sizes", "media", "width", "height"},
    "track": {"src", "kind", "srclang", "label", "default"},
    "p": {"align"}, "div": {"align"}, "h1": {"align"}, "h2": {"align"}, "h3": {"align"}, "figure": {"align"},
    "blockquote": {"cite"},
    "input": {"checked", "disabled"},  # task lists' checkboxes (only type="checkbox": see tag_attribute_values)
}  # fmt: skip
_URL_SCHEMES = {"http", "https", "mailto", "tel"}
_TAG = re.compile(r"""<([a-zA-Z][a-zA-Z0-9-]*)((?:\s+[^\s=>/]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>]+))?)*)\s*/?>""")
_ATTRIBUTE = re.compile(r"""([^\s=>/]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+)))?""")
_IFRAME = re.compile(r"<iframe\b([^>]*)>.*?</iframe>", re.DOTALL | re.IGNORECASE)
_SCHEME = re.compile(r"^\s*([a-zA-Z][a-zA-Z0-9+.-]*):")


def sanitize_html(html: str, embed_hosts: tuple[str, ...]) -> tuple[str, list[str]]:
    """Safe HTML, and a short description of each thing that was removed (for a warning to the editor)."""
    cleaned = _cleaner(embed_hosts).clean(html)
    cleaned = _IFRAME.sub(lambda m: m.group(0) if ' src="' in m.group(1) else "", cleaned)
    return cleaned, ([] if cleaned == html else _removed(html, cleaned))


def _removed(before: str, after: str) -> list[str]:
    """What is in `before` and not in `after`: whole elements by name, else attributes (with a forbidden scheme)."""
    tags_before, attributes_before = _inventory(before)
    tags_after, attributes_after = _inventory(after)
    gone_tags = {tag for tag, count in tags_before.items() if count > tags_after[tag]}
    removed = [f"<{tag}>" for tag in sorted(gone_tags - {"iframe"})]
    for (tag, name, scheme), count in sorted(attributes_before.items()):
        if tag in gone_tags or count <= attributes_after[(tag, name, scheme)]:
            continue
        if scheme and scheme not in _URL_SCHEMES:
            removed.append(f"{scheme}: URL")
        elif name.startswith("on"):
            removed.append(f"{name}= attribute")
        else:
            removed.append(f"{name}= attribute on <{tag}>")
    if "iframe" in gone_tags:
        removed.append("<iframe> from a host not in embed_hosts")
    return list(dict.fromkeys(removed))


def _inventory(html: str) -> tuple[Counter[str], Counter[tuple[str, str, str]]]:
    """How many of each element, and of each attribute per element (with a link's scheme), the HTML has."""
    tags: Counter[str] = Counter()
    attributes: Counter[tuple[str, str, str]] = Counter()
    for found in _TAG.finditer(html):
        tag = found.group(1).lower()
        tags[tag] += 1
        for name, double, single, bare in _ATTRIBUTE.findall(found.group(2)):
            value = double or single or bare
            scheme = _SCHEME.match(value) if name.lower() in ("href", "src") else None
            attributes[(tag, name.lower(), scheme.group(1).lower() if scheme else "")] += 1
    return tags, attributes


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
        generic_attribute_prefixes={"data-"},  # inert without scripts; the social platforms' cards are made of them
        tag_attribute_values={"input": {"type": {"checkbox"}}},
    )
