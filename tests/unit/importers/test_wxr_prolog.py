"""The DOCTYPE of an export is found in its prolog before lxml parses it (whatever libxml2 it ships), and the real
exports of the fixtures (tests/fixtures/wordpress/) have none."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from sitegen.importers.wxr import _declares_doctype

FIXTURES = Path(__file__).parents[2] / "fixtures" / "wordpress"
DECLARATION = b'<?xml version="1.0" encoding="UTF-8"?>\n'


@pytest.mark.parametrize(
    "head",
    [
        DECLARATION + b"<!DOCTYPE rss [<!ENTITY a 'lol'>]><rss/>",
        codecs.BOM_UTF8 + DECLARATION + b"\n<!-- generator -->\n  <!doctype rss SYSTEM 'x.dtd'>\n<rss/>",
        b"<!DOCTYPE rss><rss/>",
        DECLARATION + b'<?xml-stylesheet href="a.xsl"?><!-- a -->\n<!-- b --><!DOCTYPE rss>',
    ],
)
def test_a_doctype_in_the_prolog_is_found(head: bytes) -> None:
    assert _declares_doctype(head)


@pytest.mark.parametrize(
    "head",
    [
        DECLARATION + b"<rss><channel><title>&lt;!DOCTYPE in a title</title></channel></rss>",
        DECLARATION + b"<!-- <!DOCTYPE rss> in a comment --><rss/>",
        DECLARATION + b"<!-- a comment cut short",
        b"",
    ],
)
def test_no_doctype_is_found_where_there_is_none(head: bytes) -> None:
    assert not _declares_doctype(head)


def test_the_real_exports_have_no_doctype() -> None:
    exports = sorted(FIXTURES.glob("*.xml"))
    assert len(exports) >= 3
    for export in exports:
        assert not _declares_doctype(export.read_bytes()[: 1 << 20]), export.name
