"""XML documents for machines (feeds, sitemaps) built with ElementTree, which escapes text and attributes itself.

What ElementTree does not do is keep out the characters XML 1.0 forbids (most control characters): one of those in a
title would make the whole feed unreadable, so text goes through `text()` first.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping

CONTENT_NS = "http://purl.org/rss/1.0/modules/content/"
DC_NS = "http://purl.org/dc/elements/1.1/"
ATOM_NS = "http://www.w3.org/2005/Atom"
SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
NEWS_NS = "http://www.google.com/schemas/sitemap-news/0.9"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"

for _prefix, _uri in (("content", CONTENT_NS), ("dc", DC_NS), ("atom", ATOM_NS), ("news", NEWS_NS)):
    ET.register_namespace(_prefix, _uri)

_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def text(value: str) -> str:
    return _NOT_XML.sub("", value)


def child(parent: ET.Element, tag: str, value: str | None = None, attrs: Mapping[str, str] | None = None) -> ET.Element:
    element = ET.SubElement(parent, tag, {k: text(v) for k, v in (attrs or {}).items()})
    if value is not None:
        element.text = text(value)
    return element


def serialize(root: ET.Element) -> bytes:
    ET.indent(root)
    body = ET.tostring(root, encoding="unicode")
    return ('<?xml version="1.0" encoding="utf-8"?>\n' + body + "\n").encode("utf-8")
