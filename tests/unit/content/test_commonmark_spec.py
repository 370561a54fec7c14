"""The CommonMark and GFM spec examples (tests/fixtures/commonmark) through sitegen's Markdown converter.

Python-Markdown is not a CommonMark implementation, so not every example passes; this reports the pass rate of each
section and fails when one falls below the floor measured for it, so a change of extension or setting can't silently
make editors' Markdown render worse. `python3 -m tests.unit.content.test_commonmark_spec` prints the table.

HTML is compared as the spec's own runner compares it (its test/normalize.py): white space collapsed outside <pre>
and dropped around block tags, attributes sorted, character references decoded except for < > & ". sitegen's own
additions are taken off first, since the spec's HTML cannot have them: heading ids, Pygments' highlighting markup
and the task list's classes (and `language-text`, Pygments' name for code in no language).
"""

from __future__ import annotations

import html
import json
import re
import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote, unquote

from sitegen.content.markup import render_markdown

FIXTURE = Path(__file__).parents[2] / "fixtures" / "commonmark" / "examples.json"
EXAMPLES: list[dict[str, object]] = json.loads(FIXTURE.read_text(encoding="utf-8"))

# Passed / total per section, as measured when the floors were set (a section may only get better).
FLOORS = {
    "Thematic breaks": 17,  # of 19
    "ATX headings": 12,  # of 18
    "Setext headings": 16,  # of 27
    "Indented code blocks": 10,  # of 12
    "Fenced code blocks": 14,  # of 29
    "Paragraphs": 7,  # of 8
    "Block quotes": 18,  # of 25
    "List items": 33,  # of 48
    "Lists": 13,  # of 26
    "Backslash escapes": 7,  # of 13
    "Code spans": 13,  # of 22
    "Emphasis and strong emphasis": 119,  # of 132
    "Links": 59,  # of 90
    "Images": 15,  # of 22
    "Autolinks": 11,  # of 19
    "Hard line breaks": 9,  # of 15
    "Tables (extension)": 4,  # of 8
    "Task list items (extension)": 2,  # of 2
    "Strikethrough (extension)": 2,  # of 2
    "Autolinks (extension)": 10,  # of 11
}

_BLOCK_TAGS = frozenset(
    [
        "article",
        "header",
        "aside",
        "hgroup",
        "blockquote",
        "hr",
        "iframe",
        "body",
        "li",
        "map",
        "button",
        "object",
        "canvas",
        "ol",
        "caption",
        "output",
        "col",
        "p",
        "colgroup",
        "pre",
        "dd",
        "progress",
        "div",
        "section",
        "dl",
        "table",
        "td",
        "dt",
        "tbody",
        "embed",
        "textarea",
        "fieldset",
        "tfoot",
        "figcaption",
        "th",
        "figure",
        "thead",
        "footer",
        "tr",
        "form",
        "ul",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "video",
        "script",
        "style",
    ]
)
_SPACE = re.compile(r"\s+")
_HEADING_ID = re.compile(r"(<h[1-6]) id=\"[^\"]*\"")
_HIGHLIGHT = re.compile(
    r"<div class=\"(?:language-([\w+#-]+) )?highlight\"><pre>(?:<span></span>)?<code>(.*?)</pre></div>", re.DOTALL
)
_SPAN = re.compile(r"</?span[^>]*>")
_TASK_CLASS = re.compile(r" class=\"task-list(?:-item)?\"")


def without_additions(produced: str) -> str:
    """sitegen's HTML without what the spec's can't have: heading ids, Pygments' markup, task-list classes."""
    produced = _HEADING_ID.sub(r"\1", produced)

    def plain_code(match: re.Match[str]) -> str:
        language = f' class="language-{match.group(1)}"' if match.group(1) not in (None, "text") else ""
        return f"<pre><code{language}>{_SPAN.sub('', match.group(2))}</pre>"

    return _TASK_CLASS.sub("", _HIGHLIGHT.sub(plain_code, produced))


class _Normaliser(HTMLParser):
    """The spec runner's normal form of an HTML fragment."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.out: list[str] = []
        self.last = "starttag"
        self.last_tag = ""
        self.in_pre = False

    def handle_data(self, data: str) -> None:
        after_tag = self.last in ("starttag", "endtag")
        if after_tag and self.last_tag == "br":
            data = data.lstrip("\n")
        if not self.in_pre:
            data = _SPACE.sub(" ", data)
            if after_tag and self.last_tag in _BLOCK_TAGS:
                data = data.lstrip() if self.last == "starttag" else data.strip()
        self.out.append(data)
        self.last = "data"

    def _trim(self) -> None:
        text = "".join(self.out).rstrip()
        self.out = [text]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "pre":
            self.in_pre = True
        if tag in _BLOCK_TAGS:
            self._trim()
        shown = []
        for name, value in sorted(attrs, key=lambda a: (a[0], a[1] or "")):
            if value in (None, ""):
                shown.append(f" {name}")  # disabled and disabled="" are the same attribute
            elif name in ("href", "src"):
                shown.append(f' {name}="{quote(unquote(value), safe="/")}"')
            else:
                shown.append(f' {name}="{html.escape(value, quote=True)}"')
        self.out.append(f"<{tag}{''.join(shown)}>")
        self.last, self.last_tag = "starttag", tag

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        self.last = "endtag"

    def handle_endtag(self, tag: str) -> None:
        if tag == "pre":
            self.in_pre = False
        elif tag in _BLOCK_TAGS:
            self._trim()
        self.out.append(f"</{tag}>")
        self.last, self.last_tag = "endtag", tag

    def handle_comment(self, data: str) -> None:
        self.out.append(f"<!--{data}-->")
        self.last = "comment"

    def handle_entityref(self, name: str) -> None:
        self._char(html.unescape(f"&{name};"), f"&{name};")

    def handle_charref(self, name: str) -> None:
        self._char(html.unescape(f"&#{name};"), f"&#{name};")

    def _char(self, char: str, written: str) -> None:
        escaped = {"<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;"}
        self.out.append(escaped.get(char, written if char.startswith("&") else char))
        self.last = "ref"


def normalise(fragment: str) -> str:
    parser = _Normaliser()
    parser.feed(fragment)
    parser.close()
    return "".join(parser.out)


def passes(example: dict[str, object]) -> bool:
    markdown, expected = str(example["markdown"]), str(example["html"])
    try:
        produced = render_markdown(markdown)
    except Exception:  # a crash on an example is a failed example, reported with the others
        return False
    return normalise(without_additions(produced)) == normalise(expected)


def pass_rates() -> dict[str, tuple[int, int]]:
    """Passed and total examples of each section, in the fixture's order."""
    rates: dict[str, tuple[int, int]] = {}
    for example in EXAMPLES:
        section = str(example["section"])
        passed, total = rates.get(section, (0, 0))
        rates[section] = (passed + passes(example), total + 1)
    return rates


def report(rates: dict[str, tuple[int, int]]) -> str:
    lines = ["| section | passed | rate |", "|---|---|---|"]
    lines += [f"| {s} | {p}/{t} | {p / t:.0%} |" for s, (p, t) in rates.items()]
    passed, total = sum(p for p, _ in rates.values()), sum(t for _, t in rates.values())
    return "\n".join([*lines, f"| all | {passed}/{total} | {passed / total:.0%} |"])


def test_every_section_is_measured() -> None:
    assert set(FLOORS) == {str(e["section"]) for e in EXAMPLES}


def test_pass_rate_per_section_never_falls() -> None:
    rates = pass_rates()
    fallen = {s: (rates[s][0], floor) for s, floor in FLOORS.items() if rates[s][0] < floor}
    assert not fallen, f"sections now below their floor (passed, floor): {fallen}\n{report(rates)}"


def test_normalisation_is_the_spec_runners() -> None:
    assert normalise("\n\t<p>\n\t\ta  b\t\t</p>\n\t") == "<p>a b</p>"
    assert normalise('<a title="bar" HREF="foo">x</a>') == '<a href="foo" title="bar">x</a>'
    assert normalise("&forall;&amp;&gt;&lt;&quot;") == "\u2200&amp;&gt;&lt;&quot;"
    assert normalise("<br />") == "<br>"
    assert normalise("<p>a</p>") != normalise("<p>b</p>")


if __name__ == "__main__":
    sys.stdout.write(report(pass_rates()) + "\n")
