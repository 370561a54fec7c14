"""The deploy's pure parts: headers from names and digests, the plan's reasons and order, CDN path collapsing."""

from __future__ import annotations

import gzip
import hashlib
from typing import Any

from sitegen.config import DeployConfig
from sitegen.deploy.cdn import collapse, invalidate
from sitegen.deploy.config import header_rules, target_of
from sitegen.deploy.headers import headers_for, redirect_target, stored_bytes
from sitegen.deploy.local import LocalFile
from sitegen.deploy.plan import COPY, PUT, cdn_paths, make_plan
from sitegen.deploy.remote import UNFINISHED, Entry, Manifest

SETTINGS = DeployConfig(url="s3://bucket/site")


def _file(rel: str, data: bytes, settings: DeployConfig = SETTINGS) -> LocalFile:
    digest = hashlib.sha256(data).hexdigest()
    return LocalFile(rel, digest, len(data), headers_for(rel, digest, None, settings, header_rules(settings)))


def test_targets() -> None:
    target = target_of("s3://my-bucket/a/b/")
    assert target is not None and target.bucket == "my-bucket" and target.key("x.html") == "a/b/x.html"
    assert target_of("s3://my-bucket") is not None and target_of("https://x") is None
    assert target_of("s3://Bad_Bucket/x") is None and target_of("s3://bucket/../x") is None


def test_a_name_that_only_looks_fingerprinted_is_not_cached_for_a_year() -> None:
    data = b"body { color: red }"
    real = hashlib.sha256(data).hexdigest()[:10]
    assert _file(f"css/site.{real}.css", data).headers["Cache-Control"] == SETTINGS.asset_cache
    assert _file("css/site.0123456789.css", data).headers["Cache-Control"] == SETTINGS.other_cache
    assert _file("_images/ab12/photo-800.webp", b"x").headers["Cache-Control"] == SETTINGS.asset_cache
    assert _file("pagefind/index/en_9b83374.pf_index", b"x").headers["Cache-Control"] == SETTINGS.asset_cache
    assert _file("pagefind/pagefind-entry.json", b"{}").headers["Cache-Control"] == SETTINGS.page_cache
    assert _file("sitemap.xml", b"<x/>").headers["Cache-Control"] == SETTINGS.page_cache


def test_content_types_and_gzip() -> None:
    settings = DeployConfig(gzip=True)
    assert _file("atom.xml", b"", settings).headers["Content-Type"] == "application/atom+xml; charset=utf-8"
    assert _file("robots.txt", b"", settings).headers["Content-Encoding"] == "gzip"
    assert "Content-Encoding" not in _file("photo.jpg", b"", settings).headers  # compressed already
    assert "Content-Encoding" not in _file("pagefind/pagefind.js", b"", settings).headers  # never Pagefind's
    assert _file("photo.jpg", b"").headers["Content-Type"] == "image/jpeg"
    page = _file("index.html", b"<p>hi</p>", settings)
    stored = stored_bytes(b"<p>hi</p>" * 100, page.headers)
    assert stored == stored_bytes(b"<p>hi</p>" * 100, page.headers) and gzip.decompress(stored) == b"<p>hi</p>" * 100


def test_header_rules_win_over_defaults() -> None:
    settings = DeployConfig(headers=("fragments/* cache-control: no-cache", "*.pdf Content-Disposition: attachment"))
    assert _file("fragments/latest.html", b"", settings).headers["Cache-Control"] == "no-cache"
    assert _file("files/report.pdf", b"", settings).headers["Content-Disposition"] == "attachment"


def test_redirect_pages_are_recognised_by_their_instant_refresh() -> None:
    page = b'<head><meta http-equiv="refresh" content="0; url=https://x.org/news/a/"></head>'
    assert redirect_target(page) == "https://x.org/news/a/"
    assert redirect_target(b'<meta http-equiv="refresh" content="0; url=javascript:x">') is None
    assert redirect_target(page + b" " * 5000) is None  # an article page with a refresh in it is not a redirect


def test_reasons_and_order() -> None:
    files = {
        f.rel: f
        for f in (
            _file("index.html", b"home 2"),
            _file("css/a.css", b"a"),
            _file("new/index.html", b"n"),
            _file("same.txt", b"s"),
            _file("cut.txt", b"c"),
        )
    }
    manifest = Manifest(
        {
            "index.html": Entry("old", 6, files["index.html"].headers),
            "css/a.css": Entry(files["css/a.css"].sha256, 1, {"Content-Type": "text/css", "Cache-Control": "x"}),
            "same.txt": Entry(files["same.txt"].sha256, 1, files["same.txt"].headers),
            "cut.txt": UNFINISHED,
            "gone.html": Entry("g", 1, {}),
            "vanished.html": Entry("v", 1, {}),
        }
    )
    listing = {"index.html", "css/a.css", "same.txt", "cut.txt", "gone.html", "foreign.txt"}
    plan = make_plan(files, manifest, listing, force=False)
    assert [(u.rel, u.action, u.reason) for u in plan.uploads] == [
        ("new/index.html", PUT, "new"),  # new files first
        ("css/a.css", COPY, "headers"),  # then replacements: assets,
        ("cut.txt", PUT, "unfinished"),
        ("index.html", PUT, "changed"),  # then pages
    ]
    assert plan.unchanged == 1 and plan.deletes == ["gone.html"] and plan.forgotten == ["vanished.html"]
    assert "foreign.txt" not in plan.deletes
    assert [len(step) for step in plan.steps()] == [1, 2, 1]


def test_cdn_paths_and_collapse() -> None:
    assert cdn_paths(["index.html", "news/a/index.html", "feed.xml"]) == [
        "/",
        "/feed.xml",
        "/index.html",
        "/news/a/",
        "/news/a/index.html",
    ]
    many = [f"/news/story-{n}/" for n in range(50)] + ["/feed.xml", "/index.html"]
    assert collapse(many, 100) == sorted(many)
    assert collapse(many, 10) == ["/feed.xml", "/index.html", "/news/*"]
    assert collapse(many, 2) == ["/*"]


class _RecordingCloudFront:
    """A MOCK of CloudFront's client: it records the requests it is sent and answers with an id."""

    def __init__(self) -> None:
        self.batches: list[dict[str, Any]] = []

    def create_invalidation(self, DistributionId: str, InvalidationBatch: dict[str, Any]) -> dict[str, Any]:  # noqa: N803 - boto3's names
        self.batches.append(InvalidationBatch)
        return {"Invalidation": {"Id": f"I{len(self.batches)}"}}


def test_each_invalidation_has_its_own_caller_reference() -> None:
    """CloudFront takes a caller reference it has seen as a retry of that request and invalidates nothing: the same
    article fixed twice must be invalidated twice."""
    client = _RecordingCloudFront()
    paths = ["/news/a/", "/news/a/index.html"]
    invalidate(client, "E123", paths)  # type: ignore[arg-type]
    invalidate(client, "E123", paths)  # type: ignore[arg-type]
    first, second = client.batches
    assert first["Paths"] == second["Paths"] == {"Quantity": 2, "Items": paths}
    assert first["CallerReference"] != second["CallerReference"]
