"""Lists indented as GitHub users indent them, laid out on the four-space grid Python-Markdown reads.

Python-Markdown nests a list only when it is indented by four spaces, so lists nested by two (or three, under
`1.`) flatten. mdx_truly_sane_lists makes two spaces work but then four do not, and it splits a list whose items are
separated by blank lines into one list per item; so this small preprocessor does it instead, with CommonMark's rule:
a line belongs to a list item when it is indented at least as far as the item's text (`- ` → 2, `1. ` → 3), and is
re-indented to the item's place on Python-Markdown's grid, fenced code in the item with it. It also adds the blank
line Python-Markdown needs where CommonMark needs none: before a list that follows a paragraph, and before the next
item after an item's second paragraph. Code outside lists is left as it is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from markdown import Markdown
from markdown.extensions import Extension
from markdown.preprocessors import Preprocessor

GRID = 4  # Python-Markdown's tab_length: the indent of each level of a nested list
_MARKER = re.compile(r"^( *)([-+*]|\d{1,9}[.)])( +|$)")
_THEMATIC = re.compile(r"^ {0,3}([-*_])(?: *\1){2,} *$")
_FENCE = re.compile(r"^ *(`{3,}|~{3,})")
_NOT_PROSE = ("<", "|", "#", ">")  # HTML, tables, headings and quotes: no blank line is ever added after them


@dataclass(frozen=True)
class _Item:
    source: int  # the column the item's text starts at, as written
    grid: int  # the column it starts at on the grid


class _Layout:
    def __init__(self) -> None:
        self.out: list[str] = []
        self.items: list[_Item] = []
        self.fence: tuple[str, _Item] | None = None
        self.previous = "blank"  # blank, marker, text (in an item), prose (outside lists), other
        self.loose = False  # the innermost item has had a blank line

    def line(self, line: str) -> None:
        if self.fence is not None:
            self._in_fence(line)
        elif not line.strip():
            self.out.append(line)
            self.loose = self.loose or bool(self.items)
            self.previous = "blank"
        elif (marker := _MARKER.match(line)) is not None and not _THEMATIC.match(line) and self._is_item(marker):
            self._item(line, marker)
        else:
            self._text(line)

    def _is_item(self, marker: re.Match[str]) -> bool:
        indent = len(marker.group(1))
        return bool(self.items) or indent < GRID  # at the top, four spaces in is indented code

    def _item(self, line: str, marker: re.Match[str]) -> None:
        indent, sign, gap = len(marker.group(1)), marker.group(2), marker.group(3)
        after_blank = self.previous == "blank"
        while self.items and indent < self.items[-1].source:
            self.items.pop()
        starts_list = sign in "-+*" or sign[:-1] == "1"
        interrupts = self.previous == "prose" and not self.items and starts_list and gap != ""
        if interrupts or (self.previous == "text" and self.loose and not after_blank):
            self.out.append("")  # Python-Markdown starts a list, or an item, only after a blank line
        base = self.items[-1].grid if self.items else 0
        text_at = indent + len(sign) + (len(gap) if 0 < len(gap) <= 4 else 1)
        self.items.append(_Item(text_at, base + GRID))
        self.out.append(" " * base + sign + " " + line[marker.end() :])
        self.previous, self.loose = "marker", False

    def _text(self, line: str) -> None:
        indent = len(line) - len(line.lstrip(" "))
        fence = _FENCE.match(line)
        if self.items and indent < self.items[-1].source and (self.previous == "blank" or fence is not None):
            while self.items and indent < self.items[-1].source:
                self.items.pop()  # after a blank line, text less indented than the item is not in it
        if not self.items:
            self.out.append(line.lstrip(" ") if fence is not None and indent < GRID else line)
            prose = indent < GRID and not line.lstrip().startswith(_NOT_PROSE)
            self.previous = "prose" if prose else "other"
        elif indent < self.items[-1].source:
            self.out.append(line)  # a lazy continuation of the item's paragraph
            self.previous = "text"
        else:
            self.out.append(_moved(line, self.items[-1]))
            self.previous = "text"
        if fence is not None:  # a fence indented by up to three spaces at the top is one too (and its code with it)
            self.fence = (fence.group(1), self.items[-1] if self.items else _Item(min(indent, GRID - 1), 0))

    def _in_fence(self, line: str) -> None:
        assert self.fence is not None
        opened, item = self.fence
        self.out.append(_moved(line, item))
        found = _FENCE.match(line)
        if found and found.group(1)[0] == opened[0] and len(found.group(1)) >= len(opened):
            self.fence = None
            self.previous = "text" if self.items else "other"


def _moved(line: str, item: _Item) -> str:
    """The line with its item's indentation as written replaced by the item's place on the grid."""
    indent = len(line) - len(line.lstrip(" "))
    return " " * item.grid + line[min(indent, item.source) :] if item.grid != item.source else line


def lay_out(lines: list[str]) -> list[str]:
    layout = _Layout()
    for line in lines:
        layout.line(line)
    return layout.out


class _Lists(Preprocessor):
    def run(self, lines: list[str]) -> list[str]:
        return lay_out(lines)


class ListsExtension(Extension):
    def extendMarkdown(self, md: Markdown) -> None:  # noqa: N802 - Python-Markdown's name
        md.preprocessors.register(_Lists(md), "list_layout", 28)  # after shortcodes (29), before fences (25)
