"""A WordPress post's content as a sitegen body: HTML blocks Markdown leaves as they are, each separated by a blank
line, with WordPress's own conventions made explicit.

- Classic posts are stored without paragraphs: WordPress adds them when it shows a post (wpautop). Here text between
  blank lines becomes `<p>`, a single line break `<br>`, and block-level HTML and `<pre>` are left alone.
- Block-editor posts keep their markup between `<!-- wp:… -->` comments: the comments are dropped, `wp:embed`
  becomes its URL alone on a line (which sitegen makes an embed), and a dynamic block (latest posts, search, archives:
  HTML WordPress made at view time) is reported, since there is nothing in the export to show.
- Shortcodes: `[caption]` → a figure (sitegen's own conversion), `[gallery]` → figures of its images, `[embed]` and an
  oEmbed URL alone on a line → sitegen's embeds, `[audio]`/`[video]` → the HTML elements. Any other shortcode is kept
  as written, visible, and reported with its line.
- `<!--more-->` is kept (sitegen's teaser marker); `<!--nextpage-->` is dropped and reported (sitegen shows a story on
  one page).
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from sitegen.content.embeds import social_post, vimeo_player, youtube_player
from sitegen.content.markup import MORE_MARKER
from sitegen.content.shortcodes import wordpress_captions

NEXTPAGE = "<!--nextpage-->"
_BLOCK_TAGS = (
    "address|article|aside|audio|blockquote|details|dd|div|dl|dt|fieldset|figcaption|figure|footer|form|h[1-6]|header|"
    "hgroup|hr|iframe|li|main|nav|ol|p|pre|section|summary|table|tbody|td|tfoot|th|thead|tr|ul|video|picture|style|"
    "script|object|noscript|map|math|menu"
)
_BLOCK_START = re.compile(rf"^\s*(?:<(?:/?(?:{_BLOCK_TAGS}))\b|<!--)", re.IGNORECASE)
_AROUND_BLOCK = re.compile(rf"(<(?:{_BLOCK_TAGS})\b[^>]*>|</(?:{_BLOCK_TAGS})>|<!--more-->)", re.IGNORECASE)
_PRE = re.compile(r"<pre\b.*?</pre>", re.IGNORECASE | re.DOTALL)
_TAG_ONLY = re.compile(rf"^<(/?)({_BLOCK_TAGS})\b[^>]*>$", re.IGNORECASE)
_PROSE_HOLDERS = frozenset({"blockquote", "div", "section", "article", "aside", "main", "header", "footer", "details",
                            "form", "figure", "fieldset", "nav"})  # fmt: skip
_VOID = frozenset({"hr"})
_BLOCK_COMMENT = re.compile(r"<!--\s*(/?)wp:([a-z0-9/-]+)(\s+\{.*?\})?\s*(/?)-->", re.DOTALL)
_EMBED_BLOCK = re.compile(
    r"<!--\s*wp:(?:core-)?embed[a-z/-]*\s+(\{.*?\})\s*-->(.*?)<!--\s*/wp:(?:core-)?embed[a-z/-]*\s*-->", re.DOTALL
)
_FIGCAPTION = re.compile(r"<figcaption[^>]*>(.*?)</figcaption>", re.DOTALL | re.IGNORECASE)
_SHORTCODE = re.compile(r"\[(\[?)([a-zA-Z][\w-]*)(\s[^\]]*?)?(/?)\](?:(.*?)\[/\2\])?(\]?)", re.DOTALL)
_ATTRIBUTE = re.compile(r"""([\w-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"']+))|(\S+)""")
_URL_LINE = re.compile(r"^\s*(https?://[^\s<>\"]+)\s*$")
_CORE_SHORTCODES = frozenset({"audio", "video", "playlist", "embed", "gallery", "caption", "wp_caption", "videopress"})
_SELF_CLOSING_DYNAMIC = "WordPress made their HTML when showing the page; the export has none to show"


@dataclass(frozen=True)
class Attachment:
    id: str
    url: str
    parent: str
    title: str
    alt: str
    caption: str
    order: int
    file: str  # relative to the uploads folder (`_wp_attached_file`), "" when the export does not say


@dataclass
class Conversion:
    """What converting one body did: counts by kind, and notes (line in the body, message) for the report."""

    counts: dict[str, int] = field(default_factory=dict)
    notes: list[tuple[int | None, str]] = field(default_factory=list)
    _pending: list[tuple[str, str]] = field(default_factory=list)  # (text found there, message)

    def count(self, kind: str, n: int = 1) -> None:
        if n:
            self.counts[kind] = self.counts.get(kind, 0) + n

    def note(self, text: str, at: int, message: str, *, kept: str = "") -> None:
        """A note about `text[at:]`; its line is found in the final body by what is written there (`kept`, or the
        first words after `at`), since paragraphs and dropped markup move lines."""
        self._pending.append((kept or _words_at(text, at), message))

    def place_notes(self, final: str) -> None:
        start = 0
        for needle, message in self._pending:
            where = final.find(needle, start) if needle else -1
            where = final.find(needle) if where < 0 and needle else where
            self.notes.append((final.count("\n", 0, where) + 1 if where >= 0 else None, message))
            start = max(where, start)
        self._pending.clear()


def _words_at(text: str, at: int) -> str:
    """The first run of text without markup from `at` on: it is in the final body as written."""
    for line in text[max(at, 0) :].split("\n"):
        for run in re.split(r"<!--.*?-->|<[^>]*>|\x00\d+\x00", line):
            if run.strip() and "<!--" not in run:
                return run.strip()[:40]
    return ""


@dataclass(frozen=True)
class BodyContext:
    post_id: str
    attachments: Mapping[str, Attachment]
    children: Mapping[str, tuple[str, ...]]  # post id → its attachments' ids, in menu order
    media_url: Callable[[str], str]  # an old media URL → the one to publish


def convert_body(content: str, context: BodyContext) -> tuple[str, Conversion]:
    """The body to write below the front-matter, and what was done to it."""
    done = Conversion()
    kept: list[str] = []  # HTML made here: placed as a block of its own, never cut into paragraphs

    def place(made: str) -> str:
        kept.append(made)
        return f"\n\n\x00{len(kept) - 1}\x00\n\n"

    text = content.replace("\r\n", "\n").replace("\r", "\n")
    blocks = "<!-- wp:" in text
    if blocks:
        text = _blocks(text, done)
    text, captions = wordpress_captions(text, place)
    done.count("caption", captions)
    text = _SHORTCODE.sub(lambda m: _shortcode(m, context, done, text, place), text)
    if NEXTPAGE in text:
        done.count("nextpage", text.count(NEXTPAGE))
        after = text.find(NEXTPAGE) + len(NEXTPAGE)
        done.note(text, after, "<!--nextpage--> dropped here: sitegen shows the whole story on one page")
        text = text.replace(NEXTPAGE, "\n\n")
    # Block-editor HTML is complete as it is (WordPress does not add paragraphs to it): only classic posts get them.
    text = re.sub(r"\n\s*\n(\s*\n)+", "\n\n", text).strip() + "\n" if blocks else autop(text)
    text = re.sub(r"\x00(\d+)\x00", lambda m: kept[int(m.group(1))], text)
    done.place_notes(text)
    text = _embeds(text, done)
    return _rewrite_media(text, context), done


# -- the block editor ------------------------------------------------------------------------------------------------


def _blocks(text: str, done: Conversion) -> str:
    text = _EMBED_BLOCK.sub(lambda m: _embed_block(m, done), text)
    dynamic: dict[str, int] = {}
    first = -1

    def comment(found: re.Match[str]) -> str:
        nonlocal first
        closing, name, _, self_closing = found.groups()
        if not closing:
            done.count("blocks")
        if self_closing:
            dynamic[f"wp:{name}"] = dynamic.get(f"wp:{name}", 0) + 1
            first = found.start() if first < 0 else first
        return "\n\n" if name in ("more", "nextpage") else "\n"

    converted = _BLOCK_COMMENT.sub(comment, text)
    if dynamic:
        done.count("dynamic blocks", sum(dynamic.values()))
        names = ", ".join(f"{name} ×{n}" if n > 1 else name for name, n in sorted(dynamic.items()))
        done.note(text, first, f"dynamic blocks left out ({names}): {_SELF_CLOSING_DYNAMIC}")
    return converted


def _embed_block(found: re.Match[str], done: Conversion) -> str:
    try:
        attributes = json.loads(found.group(1))
    except ValueError:
        attributes = {}
    url = attributes.get("url") if isinstance(attributes, dict) else None
    if not isinstance(url, str) or not url.startswith(("http://", "https://")):
        return found.group(2)
    caption = _FIGCAPTION.search(found.group(2))
    shown = f'\n\n<p class="embed-caption">{caption.group(1).strip()}</p>' if caption else ""
    return f"\n\n{url}{shown}\n\n"


# -- shortcodes ------------------------------------------------------------------------------------------------------


def _shortcode(found: re.Match[str], context: BodyContext, done: Conversion, text: str,
               place: Callable[[str], str]) -> str:  # fmt: skip
    escaped, name, args, _, inner, escaped_end = found.groups()
    if escaped and escaped_end:  # [[gallery]] is WordPress's way of writing the text "[gallery]"
        return found.group(0)[1:-1]
    name = name.lower()
    attributes = _attributes(args or "")
    if name == "gallery":
        made = _gallery(attributes, context)
        if made:
            done.count("gallery")
            return place(made)
        done.note(text, found.start(), "[gallery] kept as written: none of its images are in the export",
                  kept=found.group(0))  # fmt: skip
        return found.group(0)
    if name == "embed" and inner and _URL_LINE.match(inner):  # counted with the other URLs alone on a line
        return f"\n\n{inner.strip()}\n\n"
    if name in ("audio", "video"):
        source = attributes.get("src") or attributes.get("mp3") or attributes.get("mp4") or attributes.get("0", "")
        if source.startswith(("http://", "https://", "/")):
            done.count(name)
            poster = f' poster="{html.escape(attributes["poster"])}"' if "poster" in attributes else ""
            return place(f'<{name} controls src="{html.escape(source)}"{poster}></{name}>')
    if name in _CORE_SHORTCODES or inner is not None or "=" in (args or ""):
        done.count("shortcode kept")
        done.note(text, found.start(), f"[{name}] shortcode kept as written: sitegen has no equivalent",
                  kept=found.group(0))  # fmt: skip
    return found.group(0)


def _attributes(text: str) -> dict[str, str]:
    values: dict[str, str] = {}
    for position, (name, double, single, bare, positional) in enumerate(_ATTRIBUTE.findall(text)):
        if name:
            values[name.lower()] = html.unescape(double or single or bare)
        else:
            values[str(position)] = html.unescape(positional.strip("\"'"))
    return values


def _gallery(attributes: Mapping[str, str], context: BodyContext) -> str:
    """The gallery's images as figures: those named by `ids`/`include`, else the post's own attachments."""
    named = attributes.get("ids") or attributes.get("include") or ""
    if named:
        ids = [i.strip() for i in named.split(",") if i.strip()]
    else:
        source = attributes.get("id", context.post_id)
        ids = list(context.children.get(source, ()))
    excluded = {i.strip() for i in attributes.get("exclude", "").split(",")}
    images = [context.attachments[i] for i in ids if i in context.attachments and i not in excluded]
    if not images:
        return ""
    columns = attributes.get("columns", "3")
    items = []
    for image in images:
        caption = f"<figcaption>{html.escape(image.caption)}</figcaption>" if image.caption else ""
        items.append(f'<figure class="gallery-item"><img src="{html.escape(image.url)}" '
                     f'alt="{html.escape(image.alt)}" loading="lazy">{caption}</figure>')  # fmt: skip
    columns_class = f" gallery-columns-{columns}" if columns.isdigit() else ""
    return f'<figure class="gallery{columns_class}">\n' + "\n".join(items) + "\n</figure>"


# -- paragraphs ------------------------------------------------------------------------------------------------------


def autop(text: str, *, line_breaks: bool = True) -> str:
    """Paragraphs from blank lines (and `<br>` from single line breaks); block-level HTML, `<pre>` and the
    placeholders of HTML made by the importer as written. The result is HTML blocks separated by blank lines, which
    Markdown passes through."""
    pre: list[str] = []

    def hold(found: re.Match[str]) -> str:
        pre.append(found.group(0))
        return f"\n\n\x01{len(pre) - 1}\x01\n\n"

    text = _PRE.sub(hold, text)
    text = _AROUND_BLOCK.sub(lambda m: f"\n\n{m.group(1)}\n\n", text)
    chunks = [c.strip() for c in re.split(r"\n\s*\n", text) if c.strip()]
    out: list[str] = []
    open_tags: list[str] = []  # the block elements the chunk is inside: paragraphs go only where prose goes
    for chunk in chunks:
        tag = _TAG_ONLY.match(chunk)
        if chunk.startswith("\x01"):
            made = pre[int(chunk.strip("\x01"))]
        elif tag is not None or chunk.startswith("\x00") or _BLOCK_START.match(chunk) or _URL_LINE.match(chunk):
            made = chunk
        elif chunk == MORE_MARKER or (open_tags and open_tags[-1] not in _PROSE_HOLDERS):
            made = chunk  # the text of a list item, a cell, a heading: as written
        else:
            inner = re.sub(r"\s*\n\s*", "<br>\n", chunk) if line_breaks else chunk
            made = f"<p>{inner}</p>"
        if tag is not None:
            _track(open_tags, tag.group(1) == "/", tag.group(2).lower())
        if not open_tags and not _is_html(made):  # a URL or marker on its own: a Markdown block of its own
            made = f"\n{made}\n"
        out.append(made)
        out.append("\n" if open_tags else "\n\n")
    return "".join(out).strip() + "\n"


def _track(open_tags: list[str], closing: bool, name: str) -> None:
    if name in _VOID:
        return
    if not closing:
        open_tags.append(name)
    elif name in open_tags:
        del open_tags[len(open_tags) - 1 - open_tags[::-1].index(name) :]


def _is_html(chunk: str) -> bool:
    return chunk.startswith("<") and chunk != MORE_MARKER


def _embeds(text: str, done: Conversion) -> str:
    """oEmbed URLs alone on a line: the ones sitegen embeds are counted, the others stay links and are reported."""
    for found in re.finditer(r"^(https?://\S+)$", text, re.MULTILINE):
        url = html.unescape(found.group(1))
        if youtube_player(url) or vimeo_player(url) or social_post(url):
            done.count("embed")
        else:
            done.notes.append((text.count("\n", 0, found.start()) + 1, f"{url}: no embed for it in sitegen; a link"))
    return text


# -- media -----------------------------------------------------------------------------------------------------------

_URL_IN_HTML = re.compile(r"""(?:https?:)?//[^\s"'<>),]+""")


def _rewrite_media(text: str, context: BodyContext) -> str:
    return _URL_IN_HTML.sub(lambda m: context.media_url(m.group(0)), text)
