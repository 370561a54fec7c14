"""`sitegen serve` shows the build's image markup, encodes a derivative on its first request and keeps it."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from sitegen.commands.build import BuildOptions, build
from tests.commands.test_images import PHOTOS, copy_photos, site_files
from tests.conftest import SiteWriter, article
from tests.preview.test_output_sink import Publishing
from tests.preview.test_server import Client, start


def _without_livereload(body: bytes) -> bytes:
    start = body.index(b"<script>window.__sitegen")
    return body[:start] + body[body.index(b"</script>\n", body.index(b"livereload.js")) + 10 :]


def test_serve_shows_the_markup_a_build_writes_and_encodes_on_request(write_site: SiteWriter, tmp_path: Path) -> None:
    root = write_site(site_files())
    copy_photos(root)
    with start(root) as preview:
        client = Client(preview)
        status, body, _ = client.get("/news/drills/")
        assert status == 200 and b"<picture>" in body
        store = root / ".sitegen-cache" / "images"
        before = {p.name for p in store.rglob("*.avif")}
        url = re.search(rb'srcset="(/_images/street-480\.[0-9a-f]+\.avif) 480w', body)
        assert url is not None
        status, image, response = client.get(url.group(1).decode())
        assert status == 200 and response.getheader("Content-Type") == "image/avif"
        assert image[4:12] == b"ftypavif"
        after = {p.name for p in store.rglob("*.avif")}
        assert len(after - before) == 1, "the one derivative asked for is encoded, and kept in the store"
        assert client.get("/_images/street-480.000000000000.avif")[0] == 404, "no page named it"
    built = tmp_path / "built"
    build(BuildOptions(root, built, drafts=True))
    assert _without_livereload(body) == (built / "news/drills/index.html").read_bytes()
    assert (built / url.group(1).decode().lstrip("/")).read_bytes() == image, "the build finds it in the store"


def test_build_watch_publishes_a_saved_articles_new_picture_with_its_derivatives(
    write_site: SiteWriter, tmp_path: Path
) -> None:
    root = write_site(site_files())
    copy_photos(root)
    publishing = Publishing(root, tmp_path / "out")
    shutil.copy(PHOTOS / "640px-Notocactus_minimus.jpg", root / "static" / "img" / "cactus.jpg")
    saved = article("Other", "2025-08-01", "Now with a cactus.\n\n![Cactus](/img/cactus.jpg)\n", image="/img/big.jpg")
    (root / "content/news/other.md").write_text(saved, encoding="utf-8")
    assert publishing.updater.apply({"static/img/cactus.jpg", "content/news/other.md"})
    page = publishing.page("news/other/index.html")
    named = re.findall(r"/_images/cactus-[^\" ]+", page)
    assert named and all((publishing.out / url.lstrip("/")).is_file() for url in named), "no dangling picture"
    assert "<picture>" in page and 'alt="Cactus"' in page
    assert publishing.builds == 0, "published by the watch's own sink, not a full build"
