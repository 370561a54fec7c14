"""`sitegen import wordpress` on real exports (tests/fixtures/wordpress/SOURCE.md): what it counts is what the export
holds, the imported site builds and checks clean, old URLs lead to the new pages, and hostile exports are refused."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import pytest
import yaml
from lxml import etree

from sitegen.importers.wpplan import RESERVED
from tests.conftest import Run

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
EXPORTS = FIXTURES / "wordpress"
THEME_TEST = EXPORTS / "themeunittestdata.wordpress.xml"
BLOCKS = EXPORTS / "64-block-test-data.xml"
WXR_11 = EXPORTS / "valid-wxr-1.1.xml"
PHOTO = FIXTURES / "photos" / "640px-Notocactus_minimus.jpg"  # a real JPEG (tests/fixtures/photos/SOURCE.md)
Cli = Callable[..., Run]


def items(export: Path) -> list[dict[str, Any]]:
    """The export read independently of the importer: each item's type, status, password, link, id and guid."""
    tree = etree.parse(str(export), etree.XMLParser(resolve_entities=False, no_network=True))
    root = tree.getroot()
    wp = next(uri for uri in root.nsmap.values() if "wordpress.org/export" in uri and "excerpt" not in uri)
    found = []
    for item in root.iter("item"):
        found.append({key: item.findtext(f"{{{wp}}}{name}") or "" for key, name in (
            ("type", "post_type"), ("status", "status"), ("password", "post_password"), ("id", "post_id"))}
            | {"link": item.findtext("link") or "", "guid": item.findtext("guid") or ""})  # fmt: skip
    found.append({"categories": len(root.findall(f".//{{{wp}}}category")),
                  "tags": len(root.findall(f".//{{{wp}}}tag"))})  # fmt: skip
    return found


def imported(cli: Cli, export: Path, site: Path, *args: str) -> dict[str, Any]:
    run = cli("import", "wordpress", export, site, "--format", "json", *args)
    assert run.code == 0, run.err
    report: dict[str, Any] = json.loads(run.out)
    return report


@pytest.mark.parametrize("export", [THEME_TEST, BLOCKS, WXR_11], ids=lambda p: p.name)
def test_the_counts_are_the_exports(cli: Cli, tmp_path: Path, export: Path) -> None:
    report = imported(cli, export, tmp_path / "site")
    *entries, terms = items(export)
    kept = [e for e in entries if e["type"] in ("post", "page") and e["status"] not in ("trash", "auto-draft")]
    counts = report["counts"]
    assert counts.get("posts", 0) == sum(e["type"] == "post" for e in kept)
    assert counts.get("pages", 0) == sum(e["type"] == "page" for e in kept)
    published = [e for e in kept if e["status"] == "publish" and not e["password"]]
    assert counts.get("published", 0) == len(published)
    assert counts.get("draft", 0) + counts.get("scheduled", 0) == len(kept) - len(published)
    assert counts.get("password-protected", 0) == sum(bool(e["password"]) for e in kept)
    assert counts["categories"] == terms["categories"] and counts["tags"] == terms["tags"]
    assert counts["media"] == sum(e["type"] == "attachment" for e in entries)
    written = list((tmp_path / "site" / "content").rglob("*.md"))
    assert len([p for p in written if p.name != "_index.md"]) + sum(
        1 for p in written if p.name == "_index.md" and "type: page" not in p.read_text() and _from_page(p)
    ) == len(kept)


def _from_page(index: Path) -> bool:
    """A section page made from a WordPress page has a body (a category's has only front-matter)."""
    return bool(index.read_text(encoding="utf-8").split("---\n", 2)[2].strip())


@pytest.mark.parametrize("export", [THEME_TEST, BLOCKS], ids=lambda p: p.name)
def test_the_imported_site_builds_checks_and_keeps_old_urls(cli: Cli, tmp_path: Path, export: Path) -> None:
    site = tmp_path / "site"
    report = imported(cli, export, site)
    check = cli("check", site, "--format", "json")
    assert json.loads(check.out)["counts"]["error"] == 0, check.out
    assert cli("build", site, "-q").code == 0
    public = site / "public"
    redirects = _redirect_map(public / "_redirects")
    *entries, _ = items(export)
    published = [e for e in entries if e["type"] in ("post", "page") and e["status"] == "publish" and not e["password"]]
    assert published
    for entry in published:
        link = urlsplit(entry["link"])
        if unquote(link.path).strip("/").split("/")[0] in RESERVED:  # /search/ is sitegen's search page now
            assert any(f"old URL {unquote(link.path)} is now one of sitegen's" in n["message"] for n in report["notes"])
        elif not link.query:
            assert _resolves(public, unquote(link.path)), f"{entry['link']} leads nowhere"
        query = f"/?{'page_id' if entry['type'] == 'page' else 'p'}={entry['id']}"
        assert query in redirects and _resolves(public, redirects[query]), f"{query} leads nowhere"
    feed = etree.parse(str(public / "feed.xml"))
    guids = {e["guid"] for e in entries}
    assert {g.text for g in feed.iter("guid")} <= guids, "feeds keep the WordPress GUIDs"


def _redirect_map(path: Path) -> dict[str, str]:
    """`/ p=1 /new/ 301` (a query) and `/old/ /new/ 301` lines of `_redirects`, as {old: new}."""
    found: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if len(parts) == 4:
            found[f"{parts[0]}?{parts[1]}"] = parts[2]
        else:
            found[parts[0]] = parts[1]
    return found


def _resolves(public: Path, url: str) -> bool:
    """The URL is a page, or a redirect page pointing at one."""
    page = public / url.strip("/") / "index.html"
    if not page.is_file():
        return False
    text = page.read_text(encoding="utf-8")
    if 'http-equiv="refresh"' not in text:
        return True
    target = text.split("url=", 1)[1].split('"', 1)[0]
    return (public / unquote(urlsplit(target).path).strip("/") / "index.html").is_file()


def test_pages_keep_their_nested_urls_and_the_report_names_menus_and_conversions(cli: Cli, tmp_path: Path) -> None:
    site = tmp_path / "site"
    report = imported(cli, THEME_TEST, site)
    assert (site / "content" / "level-1" / "level-2" / "level-3.md").is_file()
    assert "Testing Menu" in report["menus"]
    for kind in ("caption", "gallery", "embed", "blocks", "nextpage"):
        assert report["conversions"].get(kind, 0) > 0, kind
    gallery = (site / "content" / "classic" / "2010" / "post-format-gallery.md").read_text(encoding="utf-8")
    assert "[gallery" not in gallery and gallery.count('class="gallery-item"') > 5
    nextpage = [n for n in report["notes"] if "nextpage" in n["message"]]
    assert nextpage and all(n["title"] and n["line"] for n in nextpage)
    password = [n for n in report["notes"] if "password" in n["message"]]
    assert password and "draft: true" in (site / password[0]["path"]).read_text(encoding="utf-8")


def test_featured_images_keep_their_alt_text_and_tags_are_one_however_capitalised(cli: Cli, tmp_path: Path) -> None:
    site = tmp_path / "site"
    imported(cli, THEME_TEST, site)
    story = (site / "content" / "classic" / "2012" / "template-featured-image-horizontal.md").read_text()
    head = yaml.safe_load(story.split("---\n", 2)[1])
    assert head["image"]["alt"] == "Horizontal Featured Image"
    assert head["image"]["src"].endswith(".jpg") and head["authors"] == ["Theme Buster"]
    for path in (site / "content").rglob("*.md"):
        tags = yaml.safe_load(path.read_text(encoding="utf-8").split("---\n", 2)[1]).get("tags", [])
        assert len({t.casefold() for t in tags}) == len(tags), path


def test_comments_are_data_beside_the_article_and_never_published(cli: Cli, tmp_path: Path) -> None:
    site = tmp_path / "site"
    report = imported(cli, THEME_TEST, site)
    files = list((site / "data" / "comments").rglob("*.json"))
    assert files and sum(len(json.loads(f.read_text())["comments"]) for f in files) == report["counts"]["comments"]
    sample = json.loads(files[0].read_text())
    assert (site / sample["article"]).is_file()
    assert not any("email" in key or key == "ip" for c in sample["comments"] for key in c)
    assert cli("build", site, "-q").code == 0
    assert not any("comment_content" in p.read_text(errors="ignore") for p in (site / "public").rglob("*.json"))


def test_running_again_never_overwrites_an_edited_article(cli: Cli, tmp_path: Path) -> None:
    site = tmp_path / "site"
    imported(cli, WXR_11, site)
    again = imported(cli, WXR_11, site)
    assert set(again["files"]) == {"unchanged"}
    story = next((site / "content").rglob("hello-world.md"))
    story.write_text(story.read_text(encoding="utf-8") + "\nAn editor's line.\n", encoding="utf-8")
    third = imported(cli, WXR_11, site)
    assert "An editor's line." in story.read_text(encoding="utf-8")
    assert third["files"].get("kept (edited)") == 1
    assert any("kept (edited)" in n["message"] and n["path"].endswith("hello-world.md") for n in third["notes"])
    imported(cli, WXR_11, site, "--force")
    assert "An editor's line." not in story.read_text(encoding="utf-8")


def test_media_are_copied_from_uploads_and_links_rewritten(cli: Cli, tmp_path: Path) -> None:
    uploads = tmp_path / "uploads" / "2008" / "06"
    uploads.mkdir(parents=True)
    for name in ("canola2.jpg", "dsc20050727_091048_222.jpg"):
        shutil.copyfile(PHOTO, uploads / name)
    site = tmp_path / "site"
    report = imported(cli, THEME_TEST, site, "--uploads", str(tmp_path / "uploads"))
    copied = site / "static" / "wp-content" / "uploads" / "2008" / "06" / "canola2.jpg"
    assert copied.read_bytes() == PHOTO.read_bytes()
    assert report["counts"]["media copied"] == 2 and report["counts"]["media missing"] > 0
    gallery = (site / "content" / "classic" / "2010" / "post-format-gallery.md").read_text(encoding="utf-8")
    assert 'src="/wp-content/uploads/2008/06/canola2.jpg"' in gallery
    assert "https://wpthemetestdata.files.wordpress.com/2008/06/canola2.jpg" not in gallery
    assert any("not copied" in n["message"] for n in report["notes"]), "missing files are reported"
    assert json.loads(cli("check", site, "--format", "json").out)["counts"]["error"] == 0


# -- hostile exports ---------------------------------------------------------------------------------------------------

_HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n'
_RSS = '<rss version="2.0" xmlns:wp="http://wordpress.org/export/1.2/"><channel><title>{}</title>{}</channel></rss>\n'
HOSTILE = {
    "xxe": _HEAD + '<!DOCTYPE rss [<!ENTITY secret SYSTEM "file:///etc/passwd">]>\n' + _RSS.format("&secret;", ""),
    "billion-laughs": _HEAD + "<!DOCTYPE rss [<!ENTITY a \"lol\">"
    + "".join(f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">' for i in range(8))
    + "]>\n" + _RSS.format("&i;", ""),
    "traversal": _HEAD + _RSS.format("x", (
        "<item><title>evil</title><wp:post_id>9</wp:post_id><wp:post_type>attachment</wp:post_type>"
        "<wp:status>inherit</wp:status><wp:attachment_url>https://x.example/wp-content/uploads/../../../etc/cron.d/x"
        "</wp:attachment_url><wp:postmeta><wp:meta_key>_wp_attached_file</wp:meta_key>"
        "<wp:meta_value>../../../etc/cron.d/x</wp:meta_value></wp:postmeta></item>"
        "<item><title>Post</title><wp:post_id>1</wp:post_id><wp:post_type>post</wp:post_type>"
        "<wp:status>publish</wp:status><wp:post_date_gmt>2020-01-01 00:00:00</wp:post_date_gmt></item>"
    )),
}  # fmt: skip


@pytest.mark.parametrize("kind", sorted(HOSTILE))
def test_hostile_exports_are_refused_and_nothing_is_written(cli: Cli, tmp_path: Path, kind: str) -> None:
    export = tmp_path / "export.xml"
    export.write_text(HOSTILE[kind], encoding="utf-8")
    site = tmp_path / "site"
    site.mkdir()
    run = cli("import", "wordpress", export, site)
    assert run.code == 2
    assert "refused" in run.err and "export.xml:" in run.err
    assert ("DTD" in run.err) if kind != "traversal" else ("../../../etc/cron.d/x" in run.err)
    assert not (site / "content").exists() and not (tmp_path / "etc").exists()


def test_an_export_that_is_not_one_is_a_clear_error(cli: Cli, tmp_path: Path) -> None:
    export = tmp_path / "export.xml"
    export.write_text(
        '<rss xmlns:wp="http://wordpress.org/export/1.2/"><channel><title>x</channel></rss>', encoding="utf-8"
    )
    run = cli("import", "wordpress", export, tmp_path / "site")
    assert run.code == 2 and "export.xml:1: not a readable WordPress export" in run.err
