"""WordPress's export format (WXR 1.0–1.2, the `http://` and `https://` namespace forms), read as a stream.

An export is untrusted input and can be a gigabyte: lxml's iterparse reads it element by element (each `<item>` is
dropped once read, so memory stays flat), with no network, no DTD loaded and no entity expanded. A document type
declaration is refused outright: an export WordPress wrote never has one, and a DTD is how XML bombs (billion laughs)
and external entities (XXE, reading /etc/passwd) get in.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn

from lxml import etree

from sitegen.errors import UsageError, error

_WP_VERSIONS = ("1.0", "1.1", "1.2")
_CONTENT = "http://purl.org/rss/1.0/modules/content/"
_DC = "http://purl.org/dc/elements/1.1/"


class HostileExportError(UsageError):
    """The export asks for something no WordPress export does (a DTD, entities): refused, nothing imported."""


@dataclass(frozen=True)
class Author:
    login: str
    display_name: str


@dataclass(frozen=True)
class Category:
    nicename: str
    name: str
    parent: str  # the parent's nicename, "" at the top
    description: str = ""


@dataclass(frozen=True)
class Channel:
    """What an export says about its site, read before the first item."""

    title: str = ""
    link: str = ""
    description: str = ""
    language: str = ""
    version: str = ""
    base_site_url: str = ""
    base_blog_url: str = ""
    authors: dict[str, Author] = field(default_factory=dict)
    categories: dict[str, Category] = field(default_factory=dict)
    tags: dict[str, str] = field(default_factory=dict)  # slug → name


@dataclass(frozen=True)
class Comment:
    id: str
    parent: str
    author: str
    author_url: str
    date_gmt: str
    content: str
    approved: str
    type: str


@dataclass(frozen=True)
class Item:
    """One `<item>`: a post, a page, an attachment, a menu item or another post type."""

    line: int  # where it starts in the export
    title: str
    link: str
    guid: str
    creator: str
    content: str
    excerpt: str
    post_id: str
    post_date: str
    post_date_gmt: str
    post_name: str
    status: str
    parent: str
    menu_order: int
    post_type: str
    password: str
    sticky: bool
    attachment_url: str
    terms: tuple[tuple[str, str, str], ...]  # (domain, nicename, name)
    meta: dict[str, str]
    comments: tuple[Comment, ...]


def read_channel(path: Path) -> Channel:
    """The site's details, authors and terms: everything before the first item (exports put them there)."""
    values: dict[str, Any] = {"authors": {}, "categories": {}, "tags": {}}
    for element, namespace in _elements(path, stop_at_item=True):
        parent = element.getparent()
        if parent is None or etree.QName(parent).localname != "channel":
            continue  # a part of what is read below, when its parent closes
        qname = etree.QName(element)
        name, wp = qname.localname, qname.namespace == namespace
        if wp and name == "author":
            author = Author(
                _child(element, namespace, "author_login"), _child(element, namespace, "author_display_name")
            )
            values["authors"][author.login] = author
        elif wp and name == "category":
            category = Category(
                *(
                    _child(element, namespace, n)
                    for n in ("category_nicename", "cat_name", "category_parent", "category_description")
                )
            )
            values["categories"][category.nicename] = category
        elif wp and name == "tag":
            values["tags"][_child(element, namespace, "tag_slug")] = _child(element, namespace, "tag_name")
        elif wp and name in ("wxr_version", "base_site_url", "base_blog_url"):
            values["version" if name == "wxr_version" else name] = (element.text or "").strip()
        elif not qname.namespace and name in ("title", "link", "description", "language"):
            values[name] = (element.text or "").strip()
        element.clear()
    channel = Channel(**values)
    if channel.version and channel.version not in _WP_VERSIONS:
        raise UsageError([error(str(path), None, f"WXR version {channel.version} is not one sitegen reads (1.0–1.2)")])
    return channel


def read_items(path: Path) -> Iterator[Item]:
    """Every `<item>`, in the order of the export, each released once read."""
    for element, wp in _elements(path, stop_at_item=False):
        if element.tag != "item":
            continue
        yield _item(element, wp)
        element.clear()  # the stream's memory: drop the item and the siblings already read
        while element.getprevious() is not None:
            del element.getparent()[0]


def _elements(path: Path, *, stop_at_item: bool) -> Iterator[tuple[Any, str]]:
    """(element, the export's wp namespace) for each element closed, refusing what only an attack would write."""
    wp = ""
    try:
        with path.open("rb") as handle:  # closed even when the caller stops reading early
            if _declares_doctype(handle.read(_PROLOG_READ)):
                _refuse(path)
            handle.seek(0)
            parser = etree.iterparse(handle, events=("start", "end"), resolve_entities=False, no_network=True,
                                     load_dtd=False, huge_tree=False, remove_comments=True)  # fmt: skip
            for event, element in parser:
                if event == "start":
                    if element.getparent() is None:
                        _refuse_doctype(path, element)
                        wp = _wp_namespace(path, element)
                    elif stop_at_item and element.tag == "item":
                        return
                    continue
                yield element, wp
    except etree.XMLSyntaxError as exc:
        last = (
            exc.error_log.last_error
        )  # libxml2's own message: "Entity 'b' not defined" rather than "no element found"
        line = last.line if last is not None and last.line else exc.lineno
        message = last.message if last is not None else exc.msg
        raise UsageError([error(str(path), line or None, f"not a readable WordPress export: {message}")]) from exc


# The start of the file looked at for a DOCTYPE before parsing: WordPress writes a short prolog (the XML declaration,
# a comment of about a kilobyte) before <rss>.
_PROLOG_READ = 1 << 20
_PROLOG_PART = re.compile(rb"\s*(?:<\?.*?\?>|<!--.*?-->)", re.DOTALL)


def _declares_doctype(head: bytes) -> bool:
    """Whether the prolog at the start of an export (UTF-8, as WordPress writes it) declares a document type. Looked
    for before lxml parses anything: a libxml2 of 2025 or later stops an entity bomb inside its DTD with an error of
    its own ("maximum entity amplification factor exceeded") before the root element, where the DOCTYPE was refused,
    so the message would depend on the libxml2 that lxml ships. A prolog this does not read (another encoding, longer
    than `_PROLOG_READ`) is still refused once the root element is read."""
    position = len(codecs.BOM_UTF8) if head.startswith(codecs.BOM_UTF8) else 0
    while (part := _PROLOG_PART.match(head, position)) is not None:
        position = part.end()
    return head[position:].lstrip()[:9].upper() == b"<!DOCTYPE"


def _refuse_doctype(path: Path, root: Any) -> None:
    info = root.getroottree().docinfo
    if info.doctype or info.internalDTD is not None or info.externalDTD is not None:
        _refuse(path)


def _refuse(path: Path) -> NoReturn:
    raise HostileExportError([error(str(path), 1, (
            "refused: the export declares a DTD (<!DOCTYPE …>), which WordPress never writes; DTDs are how entity "
            "bombs and external entities (XXE) attack XML readers. Remove the DOCTYPE if you trust the file"
        ))])  # fmt: skip


def _wp_namespace(path: Path, root: Any) -> str:
    """The `wp:` namespace of the export (http:// or https://, version 1.0–1.2)."""
    for uri in (root.nsmap or {}).values():
        if uri and uri.rstrip("/").split("//", 1)[-1] in {f"wordpress.org/export/{v}" for v in _WP_VERSIONS}:
            return str(uri)
    if etree.QName(root).localname != "rss":
        raise UsageError([error(str(path), root.sourceline, "not a WordPress export: the document is not RSS")])
    raise UsageError([error(str(path), root.sourceline, (
        "not a WordPress export: no wp: namespace (http(s)://wordpress.org/export/1.x/) on <rss>"
    ))])  # fmt: skip


def _child(element: Any, namespace: str, name: str) -> str:
    found = element.find(f"{{{namespace}}}{name}")
    return (found.text or "").strip() if found is not None else ""


def _text(element: Any, tag: str) -> str:
    found = element.find(tag)
    return (found.text or "") if found is not None else ""


def _item(element: Any, wp: str) -> Item:
    def w(name: str) -> str:
        return _child(element, wp, name)

    excerpt = next((e.text or "" for e in element if etree.QName(e).localname == "encoded"
                    and "excerpt" in (etree.QName(e).namespace or "")), "")  # fmt: skip
    meta = {_child(m, wp, "meta_key"): _child(m, wp, "meta_value") for m in element.findall(f"{{{wp}}}postmeta")}
    terms = tuple(
        (c.get("domain", ""), c.get("nicename", ""), (c.text or "").strip()) for c in element.findall("category")
    )
    order = w("menu_order")
    return Item(
        line=element.sourceline or 0, title=_text(element, "title").strip(), link=_text(element, "link").strip(),
        guid=_text(element, "guid").strip(), creator=_text(element, f"{{{_DC}}}creator").strip(),
        content=_text(element, f"{{{_CONTENT}}}encoded"), excerpt=excerpt, post_id=w("post_id"),
        post_date=w("post_date"), post_date_gmt=w("post_date_gmt"), post_name=w("post_name"), status=w("status"),
        parent=w("post_parent"), menu_order=int(order) if order.lstrip("-").isdigit() else 0,
        post_type=w("post_type"), password=w("post_password"), sticky=w("is_sticky") == "1",
        attachment_url=w("attachment_url"), terms=terms, meta=meta,
        comments=tuple(_comment(c, wp) for c in element.findall(f"{{{wp}}}comment")),
    )  # fmt: skip


def _comment(element: Any, wp: str) -> Comment:
    def w(name: str) -> str:
        return _child(element, wp, name)

    return Comment(w("comment_id"), w("comment_parent"), w("comment_author"), w("comment_author_url"),
                   w("comment_date_gmt"), w("comment_content"), w("comment_approved"), w("comment_type"))  # fmt: skip
