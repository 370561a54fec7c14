"""Pillow's part: decode a source safely, orient it, strip it, and encode its derivatives.

Decoding is where bad input shows: a truncated or corrupt file, a file that is not the format its name says, and a
decompression bomb (a small file that unpacks to billions of pixels) all become an `ImageFault` with a message for
the editor, never a crash or a memory blow-up. Pillow's own limit (`Image.MAX_IMAGE_PIXELS`) is set from the
settings before any file is opened, and its warning for images above the limit is an error here, as its error is for
images above twice the limit: a site's own photos are never that big.

Every derivative is made from the pixels alone: a fresh image holds no EXIF (GPS position, camera serial numbers),
no XMP, no IPTC, no comments; colours are converted to sRGB from the source's ICC profile (the web's default, so the
profile itself is left out).
"""

from __future__ import annotations

import io
import warnings
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import groupby

from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError

from sitegen.images.recipes import Probe, Recipe

# What each file name suffix promises, as Pillow names formats.
FORMATS_BY_SUFFIX = {
    ".jpg": {"JPEG", "MPO"}, ".jpeg": {"JPEG", "MPO"}, ".png": {"PNG"}, ".gif": {"GIF"}, ".webp": {"WEBP"},
    ".avif": {"AVIF"}, ".tif": {"TIFF"}, ".tiff": {"TIFF"}, ".bmp": {"BMP"},
}  # fmt: skip
_SAVE = {"avif": "AVIF", "webp": "WEBP", "jpeg": "JPEG", "png": "PNG"}
_SRGB = ImageCms.createProfile("sRGB")


class ImageFault(Exception):  # noqa: N818 - an outcome the build reports, not a failure of sitegen
    """A source that cannot be made into derivatives; the message says why, for the editor."""


@dataclass(frozen=True)
class Decoded:
    image: Image.Image  # oriented, in RGB or RGBA, sRGB, with no metadata
    probe: Probe


def decode(data: bytes, name: str, max_pixels: int) -> Decoded:
    """The picture in `data` (the file `name`), oriented as its EXIF says and stripped to its pixels."""
    previous, Image.MAX_IMAGE_PIXELS = Image.MAX_IMAGE_PIXELS, max_pixels  # deliberately: the site's limit
    try:
        return _decode(data, name, max_pixels)
    finally:
        Image.MAX_IMAGE_PIXELS = previous  # a library's global: put back for whatever else runs in this process


def _decode(data: bytes, name: str, max_pixels: int) -> Decoded:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as opened:
                _check_format(opened, name)
                animated = getattr(opened, "n_frames", 1) > 1
                opened.load()
                oriented = ImageOps.exif_transpose(opened)
                pixels = _to_srgb(oriented)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ImageFault(f"has more pixels than images.max_pixels ({max_pixels:,}) allows: refused as a possible "
                         f"decompression bomb ({exc})") from exc  # fmt: skip
    except UnidentifiedImageError as exc:
        raise ImageFault("is not an image Pillow can read (corrupt, or not what its name says)") from exc
    except (OSError, SyntaxError, ValueError, EOFError) as exc:
        raise ImageFault(f"cannot be decoded: {exc} (a truncated or corrupt file?)") from exc
    alpha = pixels.mode == "RGBA" and _transparent(pixels)
    if not alpha and pixels.mode == "RGBA":
        pixels = pixels.convert("RGB")
    return Decoded(pixels, Probe(pixels.width, pixels.height, alpha, animated))


def _transparent(image: Image.Image) -> bool:
    """Some pixel is not opaque: an alpha channel that is all 255 (common in PNG exports) is dropped."""
    low = image.getchannel("A").getextrema()[0]
    return isinstance(low, (int, float)) and low < 255


def _check_format(opened: Image.Image, name: str) -> None:
    suffix = name[name.rfind(".") :].lower() if "." in name else ""
    promised = FORMATS_BY_SUFFIX.get(suffix)
    if promised is not None and opened.format not in promised:
        raise ImageFault(f"is a {opened.format} file, not the {suffix.lstrip('.').upper()} its name says: rename it")


def _to_srgb(image: Image.Image) -> Image.Image:
    """RGB or RGBA pixels in sRGB, in a new image that carries nothing but them."""
    profile = image.info.get("icc_profile")
    mode = "RGBA" if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info else "RGB"
    if profile and image.mode in ("RGB", "RGBA", "CMYK", "L"):
        try:
            source = ImageCms.ImageCmsProfile(io.BytesIO(profile))
            out_mode = "RGBA" if image.mode == "RGBA" else "RGB"
            converted = ImageCms.profileToProfile(image, source, _SRGB, outputMode=out_mode)
            if converted is not None:
                image = converted
        except (ImageCms.PyCMSError, OSError, ValueError):
            pass  # a broken profile: the pixels as they are, which is what browsers without colour management show
    clean = image.convert(mode)
    bare = Image.new(clean.mode, clean.size)
    bare.paste(clean)
    return bare


def encode(decoded: Decoded, recipe: Recipe) -> bytes:
    """One derivative's bytes: cropped, scaled down, and saved with nothing but pixels."""
    image = decoded.image
    if recipe.box != (0, 0, image.width, image.height):
        image = image.crop(recipe.box)
    return _save(_scaled(image, recipe), recipe)


def encode_many(decoded: Decoded, recipes: Iterable[Recipe]) -> Iterator[tuple[Recipe, bytes]]:
    """Many derivatives of one source, each size scaled once for all its formats, and each from the next larger
    size of the same crop rather than from the whole photo: scaling a camera's 24 megapixels a dozen times costs
    more than all the encoding."""
    by_box: dict[tuple[int, int, int, int], list[Recipe]] = {}
    for recipe in recipes:
        by_box.setdefault(recipe.box, []).append(recipe)
    for box, group in by_box.items():
        image = decoded.image
        current = image.crop(box) if box != (0, 0, image.width, image.height) else image
        for _, same_size in groupby(sorted(group, key=lambda r: (-r.width, r.format)), key=lambda r: r.width):
            batch = list(same_size)
            current = _scaled(current, batch[0])
            for recipe in batch:
                yield recipe, _save(current, recipe)


def _scaled(image: Image.Image, recipe: Recipe) -> Image.Image:
    if image.size == (recipe.width, recipe.height):
        return image
    return image.resize((recipe.width, recipe.height), Image.Resampling.LANCZOS, reducing_gap=3.0)


def _save(image: Image.Image, recipe: Recipe) -> bytes:
    if recipe.format == "jpeg" and image.mode == "RGBA":
        flat = Image.new("RGB", image.size, (255, 255, 255))  # a social card of a transparent PNG: on white
        flat.paste(image, mask=image.getchannel("A"))
        image = flat
    out = io.BytesIO()
    image.save(out, _SAVE[recipe.format], **_options(recipe))
    return out.getvalue()


def _options(recipe: Recipe) -> dict[str, object]:
    # No exif, xmp, icc_profile or comment argument is given: the fresh image has none to carry over.
    if recipe.format == "avif":
        return {"quality": recipe.quality, "speed": 8}
    if recipe.format == "webp":
        return {"quality": recipe.quality, "method": 4}
    if recipe.format == "jpeg":
        return {"quality": recipe.quality, "optimize": True, "progressive": True}
    return {"optimize": True}
