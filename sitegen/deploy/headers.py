"""The HTTP headers each published file is stored with, and the bytes it is stored as.

Headers are decided by the file's path and content, never by the time or the machine, so an unchanged site asks for
unchanged headers and a deploy that changed nothing uploads nothing:
- Content-Type from the name, with `charset=utf-8` for text (every text file sitegen writes is UTF-8).
- Cache-Control: names that change whenever the bytes do are immutable for a year: fingerprinted CSS and JavaScript
  (the hash in the name is checked against the file's own digest, so a file that merely looks hashed is not
  cached forever), resized images under _images/, and Pagefind's content-addressed index files. Pages, feeds,
  sitemaps, fragments and robots.txt are short-lived with stale-while-revalidate; everything else an hour.
- A page that is only an instant redirect (an article's alias, a list's old page) also gets the store's redirect
  header, so a static website endpoint (S3, R2) answers 301 while the HTML stays as the fallback for others.
- Optional gzip, deterministic (no name, mtime 0, one level): the same bytes give the same stored object. Never for
  Pagefind's files (its index is compressed already) or for images and fonts, which are.
"""

from __future__ import annotations

import gzip
import re
from collections.abc import Sequence
from pathlib import PurePosixPath
from typing import Any

from sitegen.config import DeployConfig
from sitegen.deploy.config import HeaderRule
from sitegen.paths import IMAGES_DIR, ROBOTS_FILE, SEARCH_DIR
from sitegen.publish.order import ASSET, kind
from sitegen.render.assets import FINGERPRINTED, HASH_LENGTH
from sitegen.site.distribution import ATOM_FILE, RSS_FILE

Headers = dict[str, str]  # HTTP header name → value, only the ones an object is stored with

CONTENT_TYPE, CACHE_CONTROL, CONTENT_ENCODING = "Content-Type", "Cache-Control", "Content-Encoding"
REDIRECT = "Website-Redirect-Location"
BODY_HEADERS = (CONTENT_ENCODING,)  # a change of these changes the stored bytes: the body is sent again

_TYPES = {
    ".html": "text/html", ".htm": "text/html", ".css": "text/css", ".js": "text/javascript", ".mjs": "text/javascript",
    ".json": "application/json", ".xml": "application/xml", ".txt": "text/plain", ".csv": "text/csv",
    ".svg": "image/svg+xml", ".webmanifest": "application/manifest+json", ".map": "application/json",
    ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png", ".gif": "image/gif", ".webp": "image/webp",
    ".avif": "image/avif", ".ico": "image/x-icon", ".woff": "font/woff", ".woff2": "font/woff2", ".ttf": "font/ttf",
    ".otf": "font/otf", ".pdf": "application/pdf", ".mp4": "video/mp4", ".webm": "video/webm", ".mp3": "audio/mpeg",
    ".wasm": "application/wasm", ".md": "text/markdown",
}  # fmt: skip
_FEED_TYPES = {RSS_FILE: "application/rss+xml", ATOM_FILE: "application/atom+xml"}
_TEXT = re.compile(r"^(text/|application/(json|xml|rss\+xml|atom\+xml|manifest\+json)$|image/svg\+xml$)")
_FINGERPRINT = re.compile(rf"\.(?P<hash>[0-9a-f]{{{HASH_LENGTH}}})\.[a-z]+$")
_PAGEFIND_HASHED = re.compile(r"_[0-9a-f]{6,}\.pf_[a-z]+$")  # en_9b83374.pf_index, pagefind.en_621541fc4a.pf_meta
# What the redirect template writes: an instant refresh, in a page no bigger than a redirect needs to be.
_REFRESH = re.compile(rb'<meta http-equiv="refresh" content="0; url=(?P<target>[^"]+)">')
_REDIRECT_MAX_BYTES = 4096


def content_type(rel: str) -> str:
    name = PurePosixPath(rel).name
    found = _FEED_TYPES.get(name) or _TYPES.get(PurePosixPath(name).suffix.lower(), "application/octet-stream")
    if rel == ROBOTS_FILE:
        found = "text/plain"
    return f"{found}; charset=utf-8" if _TEXT.match(found) else found


def is_immutable(rel: str, sha256: str) -> bool:
    """A name that changes whenever the file's bytes do."""
    if rel.startswith(f"{IMAGES_DIR}/"):
        return True
    if rel.startswith(f"{SEARCH_DIR}/"):
        return _PAGEFIND_HASHED.search(rel) is not None
    found = _FINGERPRINT.search(rel)
    return found is not None and rel.endswith(FINGERPRINTED) and sha256.startswith(found["hash"])


def cache_control(rel: str, sha256: str, deploy: DeployConfig) -> str:
    if is_immutable(rel, sha256):
        return deploy.asset_cache
    if kind(rel) != ASSET or (rel.endswith(".json") and rel.startswith(f"{SEARCH_DIR}/")):
        return deploy.page_cache  # pages, feeds, sitemaps, fragments, robots.txt; Pagefind's entry point
    return deploy.other_cache


def may_hold_redirect(rel: str, size: int) -> bool:
    """Worth reading to look for a redirect: only small HTML pages can be one."""
    return rel.endswith((".html", ".htm")) and size <= _REDIRECT_MAX_BYTES


def redirect_target(data: bytes) -> str | None:
    """Where an instant-redirect page sends readers (what its refresh names), or None for any other page."""
    if len(data) > _REDIRECT_MAX_BYTES:
        return None
    found = _REFRESH.search(data)
    if found is None:
        return None
    target = found["target"].decode("utf-8", "replace").replace("&amp;", "&")
    return target if target.startswith(("/", "http://", "https://")) else None


def compressible(rel: str, headers: Headers) -> bool:
    if rel.startswith(f"{SEARCH_DIR}/"):
        return False
    return _TEXT.match(headers[CONTENT_TYPE].partition(";")[0].strip()) is not None


def headers_for(rel: str, sha256: str, redirect: str | None, deploy: DeployConfig,
                rules: Sequence[HeaderRule]) -> Headers:  # fmt: skip
    headers: Headers = {CONTENT_TYPE: content_type(rel), CACHE_CONTROL: cache_control(rel, sha256, deploy)}
    for rule in rules:
        if rule.matches(rel):
            headers[rule.name] = rule.value
    if deploy.gzip and compressible(rel, headers):
        headers[CONTENT_ENCODING] = "gzip"
    if redirect:
        headers[REDIRECT] = redirect
    return headers


def stored_bytes(data: bytes, headers: Headers) -> bytes:
    """The object's body: the file, or its deterministic gzip."""
    if headers.get(CONTENT_ENCODING) == "gzip":
        return gzip.compress(data, compresslevel=9, mtime=0)
    return data


_S3_PARAMS = {
    CONTENT_TYPE: "ContentType", CACHE_CONTROL: "CacheControl", CONTENT_ENCODING: "ContentEncoding",
    "Content-Language": "ContentLanguage", "Content-Disposition": "ContentDisposition",
    REDIRECT: "WebsiteRedirectLocation",
}  # fmt: skip


def s3_params(headers: Headers) -> dict[str, Any]:
    """The headers as boto3's PutObject/CopyObject keyword arguments."""
    return {_S3_PARAMS[name]: value for name, value in sorted(headers.items())}


def body_changed(old: Headers, new: Headers) -> bool:
    return any(old.get(name) != new.get(name) for name in BODY_HEADERS)
