"""Other generators' shortcodes in articles moved to sitegen, turned into what they meant.

- `{% highlight go %}…{% endhighlight %}` (Jekyll) and `{{< highlight go >}}…{{< /highlight >}}` (Hugo) are fenced
  code: the code inside is shown as code, never read as HTML (and so never sanitised away).
- `{{< youtube ID >}}`, `{{< vimeo ID >}}`, `{{< tweet user="U" id="N" >}}`, `{{< instagram ID >}}` are the media
  URL alone on its line, which embeds.py makes an embed.
- `{{< figure src="…" caption="…" >}}` (Hugo) and `[caption …]<img …> text[/caption]` (WordPress) are a <figure>.
- `{% raw %}` and `{% endraw %}` (Jekyll's "don't run Liquid here") are dropped, keeping what they enclose.

Each rewrites a line into one line, so line numbers in warnings stay right. Any other shortcode stays as written, and
`leftovers` finds it for `sitegen check`. Nothing inside fenced code is touched.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterator

from markdown import Markdown
from markdown.extensions import Extension
from markdown.preprocessors import Preprocessor

LEFTOVER_MARKERS = ("{{<", "{{%", "{%", "[caption", "[gallery")
_FENCE = re.compile(r"^[ ]{0,3}(`{3,}|~{3,})")
_JEKYLL_HIGHLIGHT = re.compile(r"^[ ]{0,3}\{%-?\s*highlight\s+([\w+#.-]+)[^%]*-?%\}\s*$")
_JEKYLL_END = re.compile(r"^[ ]{0,3}\{%-?\s*endhighlight\s*-?%\}\s*$")
_HUGO = r"\{\{[<%]\s*NAME\s*(?P<args>[^}]*?)\s*[>%]\}\}"
_HUGO_HIGHLIGHT = re.compile(r"^[ ]{0,3}" + _HUGO.replace("NAME", "highlight") + r"\s*$")
_HUGO_END = re.compile(r"^[ ]{0,3}\{\{[<%]\s*/highlight\s*[>%]\}\}\s*$")
_MEDIA_NAMES = r"(?P<name>youtube|vimeo|vimeo_simple|tweet|twitter|twitter_simple|x|instagram|instagram_simple)"
_HUGO_MEDIA = re.compile(r"^[ ]{0,3}" + _HUGO.replace("NAME", _MEDIA_NAMES) + r"\s*$")
_HUGO_FIGURE = re.compile(r"^[ ]{0,3}" + _HUGO.replace("NAME", "figure") + r"\s*$")
_ARGUMENT = re.compile(r"""(?:([\w-]+)=)?(?:"([^"]*)"|'([^']*)'|(\S+))""")
_CAPTION = re.compile(r"\[caption\b([^\]]*)\](.*?)\[/caption\]", re.IGNORECASE)
_CAPTION_ANY_LINE = re.compile(_CAPTION.pattern, re.IGNORECASE | re.DOTALL)
_CAPTION_ATTRIBUTE = re.compile(r"""\bcaption=(?:"([^"]*)"|'([^']*)')""", re.IGNORECASE)
_CAPTION_IMAGE = re.compile(r"^\s*((?:<a\b[^>]*>\s*)?<img\b[^>]*>(?:\s*</a>)?)\s*(.*)$", re.IGNORECASE | re.DOTALL)
_ALIGN = re.compile(r"""align=["']?(align(?:left|right|center|none))""", re.IGNORECASE)
_RAW = re.compile(r"\{%-?\s*(?:end)?raw\s*-?%\}")
_CODE_SPAN = re.compile(r"(`+).+?\1")
_SHORTCODE = "shortcode"
_CODE_FENCE = "````"  # longer than the fences code usually holds


def convert(lines: list[str]) -> list[str]:
    """The lines with every shortcode sitegen understands rewritten (one line each), fenced code untouched."""
    out: list[str] = []
    inside = ""  # the fence of the code block the line is in, _SHORTCODE in a highlight shortcode, "" in prose
    for line in lines:
        if inside == _SHORTCODE:
            ends = _HUGO_END.match(line) or _JEKYLL_END.match(line)
            out.append(_CODE_FENCE if ends else line)
            inside = "" if ends else inside
            continue
        if inside:
            out.append(line)
            inside = "" if _closes(line, inside) else inside
            continue
        opening = _JEKYLL_HIGHLIGHT.match(line) or _HUGO_HIGHLIGHT.match(line)
        if opening is not None:
            language = opening.group(1) if opening.re is _JEKYLL_HIGHLIGHT else _language(opening.group("args"))
            out.append(_CODE_FENCE + language)
            inside = _SHORTCODE
            continue
        fence = _FENCE.match(line)
        if fence is not None:
            inside = fence.group(1)
            out.append(line)
            continue
        out.append(_inline(line))
    return out


def _closes(line: str, fence: str) -> bool:
    found = _FENCE.match(line)
    return found is not None and found.group(1)[0] == fence[0] and len(found.group(1)) >= len(fence)


def leftovers(body: str) -> Iterator[tuple[int, str]]:
    """(line number in the body, counting from 0; the marker) of each shortcode or template tag left in prose."""
    fence = ""
    for number, line in enumerate(convert(body.split("\n"))):
        if fence:
            fence = "" if _closes(line, fence) else fence
            continue
        found = _FENCE.match(line)
        if found:
            fence = found.group(1)
            continue
        if line.startswith(("    ", "\t")):
            continue  # indented code
        prose = _CODE_SPAN.sub("", line).lower()
        marker = next((m for m in LEFTOVER_MARKERS if m in prose), None)
        if marker is not None:
            yield number, marker


def _inline(line: str) -> str:
    if "{" not in line and "[caption" not in line.lower():
        return line
    line = _RAW.sub("", line)
    media = _HUGO_MEDIA.match(line)
    if media is not None:
        return _media_url(media.group("name"), _arguments(media.group("args"))) or line
    figure = _HUGO_FIGURE.match(line)
    if figure is not None:
        return _figure(_arguments(figure.group("args"))) or line
    return _CAPTION.sub(_wordpress_caption, line)


def _arguments(text: str) -> tuple[list[str], dict[str, str]]:
    """Hugo's shortcode arguments: positional values and name="value" pairs."""
    positional: list[str] = []
    named: dict[str, str] = {}
    for name, double, single, bare in _ARGUMENT.findall(text):
        value = double or single or bare
        if name:
            named[name.lower()] = value
        else:
            positional.append(value)
    return positional, named


def _language(args: str) -> str:
    positional, _ = _arguments(args)
    return positional[0] if positional and re.fullmatch(r"[\w+#.-]+", positional[0]) else ""


def _media_url(name: str, args: tuple[list[str], dict[str, str]]) -> str | None:
    positional, named = args
    ident = named.get("id") or (positional[-1] if positional else "")
    if not re.fullmatch(r"[\w-]+", ident):
        return None
    if name == "youtube":
        return f"https://www.youtube.com/watch?v={ident}"
    if name.startswith("vimeo"):
        return f"https://vimeo.com/{ident}"
    if name.startswith("instagram"):
        return f"https://www.instagram.com/p/{ident}/"
    user = named.get("user") or (positional[0] if len(positional) > 1 else "i")
    return f"https://twitter.com/{user}/status/{ident}" if re.fullmatch(r"\w+", user) else None


def _figure(args: tuple[list[str], dict[str, str]]) -> str | None:
    _, named = args
    src = named.get("src")
    if not src:
        return None
    alt = named.get("alt", named.get("title", ""))
    image = f'<img src="{html.escape(src)}" alt="{html.escape(alt)}">'
    if named.get("link"):
        image = f'<a href="{html.escape(named["link"])}">{image}</a>'
    caption = named.get("caption") or named.get("title") or ""
    shown = f"<figcaption>{html.escape(caption)}</figcaption>" if caption else ""
    return f"<figure>{image}{shown}</figure>"


def wordpress_captions(text: str, place: Callable[[str], str] = str) -> tuple[str, int]:
    """Every `[caption]` in a text, across lines (as WordPress exports write them), as a figure; and how many.
    `place` puts each figure in the text (an importer keeps it out of its paragraph making)."""
    return _CAPTION_ANY_LINE.subn(lambda m: place(_wordpress_caption(m)), text)


def _wordpress_caption(found: re.Match[str]) -> str:
    inner = _CAPTION_IMAGE.match(found.group(2))
    if inner is None:
        return found.group(0)
    align = _ALIGN.search(found.group(1))
    classes = "wp-caption" + (f" {align.group(1).lower()}" if align else "")
    written = _CAPTION_ATTRIBUTE.search(found.group(1))  # WordPress 3.4+: [caption caption="…"]<img>[/caption]
    attribute = (written.group(1) or written.group(2) or "") if written else ""
    caption = inner.group(2).strip() or html.escape(html.unescape(attribute), quote=False)
    shown = f"<figcaption>{caption}</figcaption>" if caption else ""
    return f'<figure class="{classes}">{inner.group(1)}{shown}</figure>'


class _Shortcodes(Preprocessor):
    def run(self, lines: list[str]) -> list[str]:
        text = "\n".join(lines)
        if "{" not in text and "[caption" not in text.lower():
            return lines  # the common case: nothing to look at
        return convert(lines)


class ShortcodesExtension(Extension):
    def extendMarkdown(self, md: Markdown) -> None:  # noqa: N802 - Python-Markdown's name
        md.preprocessors.register(_Shortcodes(md), "shortcodes", 29)  # before lists are laid out and fences put aside
