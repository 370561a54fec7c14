"""Responsive images end to end, with real photographs (tests/fixtures/photos/SOURCE.md): the markup pages show, the
derivatives' sizes and formats, metadata stripped (read back with Pillow), crops around the focal point, the
derivative store (a second build encodes nothing; a changed photo re-encodes and re-renders only its own), bad input,
and the switch that turns it all off."""

from __future__ import annotations

import io
import re
import shutil
import struct
import zlib
from collections.abc import Callable
from pathlib import Path

import feedparser
import lxml.html
import pytest
from PIL import Image, ImageOps

from tests.conftest import BASIC_CONFIG, Run, SiteWriter, article

Cli = Callable[..., Run]
PHOTOS = Path(__file__).resolve().parents[1] / "fixtures" / "photos"
FORMATS = {".avif": "AVIF", ".webp": "WEBP", ".jpg": "JPEG", ".png": "PNG"}
CONFIG = BASIC_CONFIG + "[search]\nenabled = false\n\n[images]\nenabled = true\n"
BODY = "A report.\n\n![A street with GPS](/img/street.jpg)\n\n![Logo](/img/dice.png)\n\n![CMYK](/img/cmyk.jpg)\n"


def site_files() -> dict[str, str]:
    return {
        "sitegen.toml": CONFIG,
        "content/news/drills/index.md": article(
            "Drills", "2025-09-01", BODY, image="{src: cover.jpg, alt: The square, focus: [0.2, 0.5]}"
        ),
        "content/news/other.md": article("Other", "2025-08-01", "No pictures.", image="/img/big.jpg"),
    }


def copy_photos(root: Path) -> None:
    (root / "static" / "img").mkdir(parents=True, exist_ok=True)
    shutil.copy(PHOTOS / "landscape_6.jpg", root / "content" / "news" / "drills" / "cover.jpg")
    shutil.copy(PHOTOS / "DSCN0010.jpg", root / "static" / "img" / "street.jpg")
    shutil.copy(PHOTOS / "PNG_transparency_demonstration_1.png", root / "static" / "img" / "dice.png")
    shutil.copy(PHOTOS / "jpg-cmyk-2.jpg", root / "static" / "img" / "cmyk.jpg")
    # A camera-sized picture made from a real photograph, its EXIF (GPS included) carried over.
    with Image.open(PHOTOS / "DSCN0010.jpg") as photo:
        big = photo.resize((4000, 3000))
        big.save(root / "static" / "img" / "big.jpg", quality=85, exif=photo.info["exif"])


@pytest.fixture
def site(write_site: SiteWriter) -> Path:
    root = write_site(site_files())
    copy_photos(root)
    return root


def build(cli: Cli, root: Path, out: Path) -> tuple[int, int]:
    """Build; the images shown and derivatives encoded, from the summary."""
    run = cli("build", root, "-o", out)
    assert run.code == 0, run.err
    found = re.search(r"Images: (\d+) shown, (\d+) derivatives encoded", run.out)
    if found is None:  # nothing changed at all: the build stopped after checking the published files
        assert " 0 rendered" in run.out and " 0 written" in run.out, run.out
        return 0, 0
    return int(found.group(1)), int(found.group(2))


def page(out: Path, rel: str) -> lxml.html.HtmlElement:
    return lxml.html.fromstring((out / rel).read_bytes())


def derivative(out: Path, url: str) -> Image.Image:
    with Image.open(out / url.lstrip("/")) as image:
        image.load()
        return image.copy() if image.format is None else _loaded(image)


def _loaded(image: Image.Image) -> Image.Image:
    """A copy that keeps the format's name (the file is closed)."""
    copy = image.copy()
    copy.format = image.format
    return copy


def srcset(value: str) -> list[tuple[str, int]]:
    return [(url, int(width.rstrip("w"))) for url, width in (item.split() for item in value.split(", "))]


def test_article_page_shows_pictures_with_every_width_and_format(site: Path, cli: Cli, tmp_path: Path) -> None:
    out = tmp_path / "out"
    shown, encoded = build(cli, site, out)
    assert shown == 5 and encoded > 0
    doc = page(out, "news/drills/index.html")
    pictures = doc.xpath("//picture")
    assert len(pictures) == 4  # the lead image and three in the body
    for picture in pictures:
        types = [s.get("type") for s in picture.xpath(".//source")]
        assert types == ["image/avif", "image/webp"]
        img = picture.xpath(".//img")[0]
        assert img.get("width") and img.get("height") and img.get("sizes") and img.get("alt")
        for element in (*picture.xpath(".//source"), img):
            for url, width in srcset(element.get("srcset")):
                image = derivative(out, url)
                assert image.width == width
                assert image.format == FORMATS[Path(url).suffix]
    lead, *body = (p.xpath(".//img")[0] for p in pictures)
    assert (lead.get("loading"), lead.get("fetchpriority"), lead.get("decoding")) == ("eager", "high", None)
    assert all((img.get("loading"), img.get("decoding")) == ("lazy", "async") for img in body)
    # The lead's intrinsic size is the photo as shown (EXIF orientation 6: stored 450×600, shown 600×450).
    assert (lead.get("width"), lead.get("height")) == ("600", "450")
    assert "51.5rem" in lead.get("sizes") and "44rem" in body[0].get("sizes")  # the column, the body's measure


def test_widths_are_never_upscaled_and_large_photos_get_every_width(site: Path, cli: Cli, tmp_path: Path) -> None:
    out = tmp_path / "out"
    build(cli, site, out)
    street = page(out, "news/drills/index.html").xpath("//img[@alt='A street with GPS']")[0]
    assert [w for _, w in srcset(street.get("srcset"))] == [480, 640]  # 640 wide: its own width, no more
    other = page(out, "news/other/index.html").xpath("//figure[@class='article-image']//img")[0]
    assert [w for _, w in srcset(other.get("srcset"))] == [480, 800, 1200, 1600]
    assert (other.get("width"), other.get("height")) == ("1600", "1200")
    assert Path(other.get("src")).name.startswith("big-1200.")  # the fallback src: sharp, not the largest


def test_orientation_applied_and_metadata_stripped_from_every_derivative(site: Path, cli: Cli, tmp_path: Path) -> None:
    out = tmp_path / "out"
    build(cli, site, out)
    files = sorted((out / "_images").iterdir())
    assert files
    for file in files:
        with Image.open(file) as image:
            assert not image.getexif(), f"{file.name} has EXIF"
            assert not image.getexif().get_ifd(0x8825), f"{file.name} has a GPS position"
            assert not {"xmp", "XML:com.adobe.xmp", "comment", "icc_profile", "exif"} & set(image.info), file.name
            assert image.mode in ("RGB", "RGBA"), f"{file.name} is {image.mode}"  # CMYK converted
    with Image.open(PHOTOS / "landscape_6.jpg") as original:
        upright = ImageOps.exif_transpose(original).convert("RGB")
    cover = next(f for f in files if f.name.startswith("cover-600.") and f.suffix == ".jpg")
    with Image.open(cover) as shown:
        assert shown.size == upright.size == (600, 450)
        grey = shown.convert("L")
        # Colours moved a little (its ICC profile converted to sRGB); turned any other way, it would be far off.
        upright_off = _distance(grey, upright.convert("L"))
        for turned in (Image.Transpose.ROTATE_180, Image.Transpose.FLIP_LEFT_RIGHT, Image.Transpose.FLIP_TOP_BOTTOM):
            assert upright_off * 3 < _distance(grey, upright.convert("L").transpose(turned))


def test_transparent_png_keeps_its_alpha(site: Path, cli: Cli, tmp_path: Path) -> None:
    out = tmp_path / "out"
    build(cli, site, out)
    dice = page(out, "news/drills/index.html").xpath("//img[@alt='Logo']")[0]
    assert dice.get("src").endswith(".png")  # a transparent picture falls back to PNG, not JPEG
    for url, _ in srcset(dice.xpath("ancestor::picture//source[@type='image/webp']")[0].get("srcset")):
        image = derivative(out, url)
        assert image.mode == "RGBA" and image.getchannel("A").getextrema()[0] == 0


def test_teasers_and_social_card_crop_around_the_focal_point(site: Path, cli: Cli, tmp_path: Path) -> None:
    out = tmp_path / "out"
    build(cli, site, out)
    teaser = page(out, "news/index.html").xpath("//a[@class='teaser-image']//img")
    assert teaser
    for img in teaser:
        for url, width in srcset(img.get("srcset")):
            image = derivative(out, url)
            assert image.width == width and abs(image.width / image.height - 16 / 9) < 0.01
    doc = page(out, "news/other/index.html")
    card = doc.xpath("//meta[@property='og:image']/@content")[0]
    assert card == doc.xpath("//meta[@name='twitter:image']/@content")[0]
    image = derivative(out, card.removeprefix("https://news.example.org"))
    assert image.size == (1200, 630) and image.format == "JPEG"
    assert doc.xpath("//meta[@property='og:image:width']/@content") == ["1200"]
    assert card in doc.xpath("//script[@type='application/ld+json']/text()")[0]
    # The drills cover's focus is 20% from the left: its crop keeps the left of the picture.
    with Image.open(PHOTOS / "landscape_6.jpg") as original:
        upright = ImageOps.exif_transpose(original).convert("L")
    left = upright.crop((0, 0, 600, 338)).resize((400, 225))
    right = upright.crop((0, 112, 600, 450)).resize((400, 225))
    drills = page(out, "news/drills/index.html").xpath("//meta[@property='og:image']/@content")[0]
    crop = derivative(out, drills.removeprefix("https://news.example.org")).convert("L")
    assert crop.size == (600, 315)  # no upscaling: the 1200×630 shape at the photo's own width
    teaser_url = srcset(page(out, "news/index.html").xpath("//img[@alt='The square']")[0].get("srcset"))[0][0]
    shown = derivative(out, teaser_url).convert("L").resize((400, 225))
    assert _distance(shown, left) <= _distance(shown, right) or left == right


def _distance(a: Image.Image, b: Image.Image) -> int:
    return sum(abs(x - y) for x, y in zip(a.tobytes(), b.tobytes(), strict=True))


def test_an_animated_gif_is_published_as_it_is_with_its_size(write_site: SiteWriter, cli: Cli, tmp_path: Path) -> None:
    root = write_site(
        {"sitegen.toml": CONFIG, "content/news/a.md": article("A", "2025-09-01", "![Loop](/img/loop.gif)")}
    )
    (root / "static" / "img").mkdir(parents=True)
    frames = []
    for name in ("DSCN0010.jpg", "landscape_6.jpg"):
        with Image.open(PHOTOS / name) as photo:
            frames.append(photo.convert("RGB").resize((320, 240)))
    frames[0].save(root / "static" / "img" / "loop.gif", save_all=True, append_images=frames[1:], duration=200, loop=0)
    out = tmp_path / "out"
    build(cli, root, out)
    img = page(out, "news/a/index.html").xpath("//img[@alt='Loop']")[0]
    assert img.getparent().tag != "picture"
    assert (img.get("src"), img.get("width"), img.get("height"), img.get("loading")) == ("/img/loop.gif", "320",
                                                                                          "240", "lazy")  # fmt: skip
    with Image.open(out / "img" / "loop.gif") as published:
        assert getattr(published, "n_frames", 1) == 2


def test_a_second_build_encodes_nothing_and_a_changed_photo_only_its_own(site: Path, cli: Cli, tmp_path: Path) -> None:
    out = tmp_path / "out"
    build(cli, site, out)
    assert build(cli, site, out)[1] == 0
    (site / "content" / "news" / "other.md").write_text(article("Other", "2025-08-01", "Edited.", image="/img/big.jpg"))
    assert build(cli, site, out)[1] == 0, "an edited article with the same photo encodes nothing"
    before = {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    with Image.open(PHOTOS / "DSCN0010.jpg") as photo:
        ImageOps.mirror(photo).save(site / "static" / "img" / "street.jpg")
    shown, encoded = build(cli, site, out)
    assert shown == 5 and encoded == 6, "two widths in three formats: only the changed photo's derivatives"
    after = {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    changed_pages = {rel for rel in after if rel.endswith(".html") and before.get(rel) != after[rel]}
    assert "news/drills/index.html" in changed_pages, "the page showing it"
    assert not {"index.html", "news/index.html", "news/other/index.html"} & changed_pages, "pages that don't show it"
    assert not any(Path(rel).name.startswith("street-") for rel in after.keys() & before.keys() if "_images" in rel)
    with Image.open(PHOTOS / "landscape_6.jpg") as photo:  # the lead photo: its page and the lists showing it
        ImageOps.mirror(ImageOps.exif_transpose(photo)).save(site / "content" / "news" / "drills" / "cover.jpg")
    build(cli, site, out)
    again = {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    changed_pages = {rel for rel in again if rel.endswith(".html") and after.get(rel) != again[rel]}
    assert {"news/drills/index.html", "news/index.html", "index.html"} <= changed_pages
    assert "news/other/index.html" not in changed_pages
    clean = tmp_path / "clean"
    cli("build", site, "-o", clean, "--clean")
    assert _published(clean) == _published(out), "incremental equals clean"


def _published(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*")
            if p.is_file() and not p.name.startswith(".")}  # fmt: skip


def _bomb_png(width: int, height: int) -> bytes:
    """A PNG header claiming width × height pixels, with a tiny body: what a decompression bomb looks like to a
    decoder before it has unpacked anything."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b"")
    )


def test_bad_images_are_errors_naming_the_article_line(write_site: SiteWriter, cli: Cli, tmp_path: Path) -> None:
    body = (
        "Text.\n\n![Cut](/img/cut.jpg)\n\n![Liar](/img/liar.jpg)\n\n![Bomb](/img/bomb.png)\n\n![Gone](/img/gone.jpg)\n"
    )
    root = write_site({"sitegen.toml": CONFIG, "content/news/a.md": article("A", "2025-09-01", body)})
    img = root / "static" / "img"
    img.mkdir(parents=True)
    data = (PHOTOS / "DSCN0010.jpg").read_bytes()
    (img / "cut.jpg").write_bytes(data[: len(data) // 2])  # truncated halfway
    shutil.copy(PHOTOS / "PNG_transparency_demonstration_1.png", img / "liar.jpg")  # a PNG named .jpg
    (img / "bomb.png").write_bytes(_bomb_png(30_000, 30_000))
    run = cli("build", root, "-o", tmp_path / "out")
    assert run.code == 1
    assert "content/news/a.md:8: image /img/cut.jpg (static/img/cut.jpg) cannot be decoded" in run.err
    assert "content/news/a.md:10: image /img/liar.jpg (static/img/liar.jpg) is a PNG file, not the JPG" in run.err
    assert "content/news/a.md:12: image /img/bomb.png (static/img/bomb.png) has more pixels than" in run.err
    assert "decompression bomb" in run.err
    assert "content/news/a.md:14: image /img/gone.jpg is not a file" in run.err
    assert not (tmp_path / "out").exists(), "nothing published"


def test_pixels_between_the_limit_and_twice_are_refused(write_site: SiteWriter, cli: Cli, tmp_path: Path) -> None:
    """Pillow only warns below twice its limit; sitegen refuses (the suite runs with warnings as errors, too)."""
    root = write_site({"sitegen.toml": CONFIG + "max_pixels = 200000\n",
                       "content/news/a.md": article("A", "2025-09-01", "![Street](/img/street.jpg)")})  # fmt: skip
    (root / "static" / "img").mkdir(parents=True)
    with Image.open(PHOTOS / "DSCN0010.jpg") as photo:
        photo.resize((500, 500)).save(root / "static" / "img" / "street.jpg")  # 250,000 pixels
    run = cli("build", root, "-o", tmp_path / "out")
    assert run.code == 1 and "has more pixels than images.max_pixels (200,000)" in run.err


def test_feeds_show_the_derivatives_never_the_source_files(site: Path, cli: Cli, tmp_path: Path) -> None:
    """A feed carries whole bodies far from the site: it must not link the photos as uploaded, whose EXIF says where
    they were taken (street.jpg and big.jpg carry a GPS position), but their derivatives."""
    out = tmp_path / "out"
    build(cli, site, out)
    base = "https://news.example.org"
    for feed in ("feed.xml", "atom.xml", "news/feed.xml"):
        parsed = feedparser.parse((out / feed).read_bytes())
        assert not parsed.bozo, parsed.bozo_exception
        bodies = [entry.content[0].value for entry in parsed.entries]
        sources = [src for body in bodies for src in lxml.html.fromstring(body).xpath("//img/@src")]
        assert len(sources) == 5, (feed, sources)  # drills: its cover and three body images; other: its cover
        for src in sources:
            assert src.startswith(f"{base}/_images/"), (feed, src)
            with Image.open(out / src.removeprefix(base + "/")) as image:
                assert not image.getexif(), src
        drills = next(b for b in bodies if "A report." in b)
        doc = lxml.html.fromstring(drills)
        assert doc.xpath("//img[@alt='A street with GPS']/@width") == ["640"]  # the largest: no upscaling
        assert doc.xpath("//figure/img/@alt") == ["The square"]


def test_processing_off_links_images_as_written(site: Path, cli: Cli, tmp_path: Path) -> None:
    (site / "sitegen.toml").write_text(CONFIG.replace("enabled = true", "enabled = false"), encoding="utf-8")
    out = tmp_path / "out"
    run = cli("build", site, "-o", out)
    assert run.code == 0, run.err
    doc = page(out, "news/drills/index.html")
    assert not doc.xpath("//picture") and not (out / "_images").exists()
    assert doc.xpath("//figure[@class='article-image']/img/@src") == ["/news/drills/cover.jpg"]
    assert "/img/street.jpg" in doc.xpath("//div[@class='article-body']//img/@src")
    assert doc.xpath("//meta[@property='og:image']/@content") == ["https://news.example.org/news/drills/cover.jpg"]


def test_bad_image_settings_are_configuration_errors(site: Path, cli: Cli) -> None:
    (site / "sitegen.toml").write_text(CONFIG + "widths = [0, 800]\nquality = 101\n", encoding="utf-8")
    run = cli("build", site)
    assert run.code == 2
    assert (
        "'images.widths' must be widths from 16 to 8192" in run.err
        and "'images.quality' must be at most 100" in run.err
    )


def test_derivatives_hold_nothing_but_pixels(tmp_path: Path) -> None:
    """The encoder alone: a photo with GPS, XMP and a camera's EXIF comes out with none of it, in every format."""
    from sitegen.config import ImagesConfig
    from sitegen.images.encode import decode, encode
    from sitegen.images.recipes import recipes_for

    data = (PHOTOS / "DSCN0010.jpg").read_bytes()
    with Image.open(io.BytesIO(data)) as original:
        assert original.getexif().get_ifd(0x8825) and "xmp" in original.info  # the source has them
    decoded = decode(data, "street.jpg", 1_000_000)
    for recipe in recipes_for(decoded.probe, "d", ImagesConfig(), ((0.5, 0.5),)):
        with Image.open(io.BytesIO(encode(decoded, recipe))) as image:
            assert not image.getexif() and "xmp" not in image.info, recipe


def test_check_finds_the_bad_images_a_build_would_refuse(write_site: SiteWriter, cli: Cli, tmp_path: Path) -> None:
    root = write_site({"sitegen.toml": CONFIG, "content/news/a.md": article("A", "2025-09-01", "![Cut](/img/cut.jpg)")})
    (root / "static" / "img").mkdir(parents=True)
    data = (PHOTOS / "DSCN0010.jpg").read_bytes()
    (root / "static" / "img" / "cut.jpg").write_bytes(data[: len(data) // 2])
    run = cli("check", root)
    assert run.code == 1 and "content/news/a.md:6: image /img/cut.jpg (static/img/cut.jpg) cannot be decoded" in run.out
    assert not (root / ".sitegen-cache").exists(), "check writes nothing"
