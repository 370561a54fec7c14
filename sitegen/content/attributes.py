"""Attribute lists (`## Heading {#id .class}`), read only where they can't be text.

Python-Markdown's attr_list takes any `{…}` at the end of a block or heading as attributes and deletes it, so
`## Budget vote {updated}` loses "{updated}" and a last line `{Editor's note: corrected on Monday}` vanishes without
a word. Here only three forms are attributes: `{: …}` (the colon says so), and `{#id …}` / `{.class …}` when every
part of it is an `#id`, a `.class` or a `key=value`. Anything else in braces stays in the text, as the editor wrote it.
"""

from __future__ import annotations

import re

from markdown import Markdown
from markdown.extensions import Extension
from markdown.extensions.attr_list import AttrListTreeprocessor

_PART = r"""(?:[#.][^\s{}#.="']+|[\w:-]+=(?:"[^"\n]*"|'[^'\n]*'|[^\s{}"']+))"""
# `{:` and anything, or `{` then only attribute parts; the one group is what attr_list reads.
_FIRST = r"""[#.][^\s{}#.="']+"""
_BASE = r"\{(?:\:[ ]*(?=[^\}\n ])|[ ]*(?=" + _FIRST + r"(?:[ ]+" + _PART + r")*[ ]*\}))([^\}\n ][^\n]*?)[ ]*\}"


class StrictAttrListTreeprocessor(AttrListTreeprocessor):
    # The stubs mark these Final; Python-Markdown reads them from the instance, which is what subclassing is for.
    BASE_RE = _BASE  # type: ignore[misc]
    HEADER_RE = re.compile(rf"[ ]+{_BASE}[ ]*$")  # type: ignore[misc]
    BLOCK_RE = re.compile(rf"\n[ ]*{_BASE}[ ]*$")  # type: ignore[misc]
    INLINE_RE = re.compile(rf"^{_BASE}")  # type: ignore[misc]


class StrictAttrListExtension(Extension):
    """Registered under attr_list's own name: superfences and the other extensions look for it by name."""

    def extendMarkdown(self, md: Markdown) -> None:  # noqa: N802 - Python-Markdown's name
        md.treeprocessors.register(StrictAttrListTreeprocessor(md), "attr_list", 8)
        md.registerExtension(self)
