"""Which derivatives an image gets, as data: pure arithmetic on its size, the settings and a focal point.

The parent process and the worker that encodes an image compute the same recipes from the same probe, so a recipe's
`key` (a digest of the source's bytes and everything that shapes the output) names its file in the derivative store
and in the published site: a second build finds every file it would make, and a changed image changes only its own.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from sitegen.config import ImagesConfig

# Bumped when encoding changes in a way that changes the bytes: every derivative is made again, once.
ENCODER_VERSION = "1"
RESPONSIVE = "full"  # the whole picture, at each width
TEASER = "teaser"  # cropped to the teasers' 16:9 around the focal point
SOCIAL = "social"  # the 1200×630 card social networks show (og:image, twitter:image)
TEASER_RATIO = (16, 9)  # the theme's `.teaser-image img { aspect-ratio: 16 / 9 }`
SOCIAL_SIZE = (1200, 630)
MODERN_FORMATS = ("avif", "webp")  # offered in <source>s, best first; the fallback is jpeg or png
MIME = {"avif": "image/avif", "webp": "image/webp", "jpeg": "image/jpeg", "png": "image/png"}
SUFFIX = {"avif": "avif", "webp": "webp", "jpeg": "jpg", "png": "png"}
CENTRE = (0.5, 0.5)


@dataclass(frozen=True)
class Probe:
    """What decoding a source told: its size as shown (after EXIF orientation) and how it must be encoded."""

    width: int
    height: int
    alpha: bool  # transparent somewhere: the fallback is PNG, not JPEG
    animated: bool  # more than one frame: published as it is (a still would lose the animation)

    @property
    def fallback(self) -> str:
        return "png" if self.alpha else "jpeg"


@dataclass(frozen=True)
class Recipe:
    """One derivative: a crop box of the oriented source (left, top, right, bottom), scaled to width × height."""

    kind: str
    box: tuple[int, int, int, int]
    width: int
    height: int
    format: str
    quality: int
    source: str  # the digest of the source's bytes

    @property
    def key(self) -> str:
        text = f"{ENCODER_VERSION}|{self.source}|{self.kind}|{self.box}|{self.width}x{self.height}|{self.format}|" \
               f"{self.quality}"  # fmt: skip
        return hashlib.sha256(text.encode()).hexdigest()[:20]

    @property
    def suffix(self) -> str:
        return SUFFIX[self.format]


def widths_for(available: int, wanted: tuple[int, ...]) -> list[int]:
    """The configured widths the source can fill, never upscaled; a source narrower than the largest also gets its
    own width, so the biggest screens see every pixel there is."""
    fitting = {w for w in wanted if w <= available}
    if not wanted or available < max(wanted):
        fitting.add(available)
    return sorted(fitting)


def crop_box(width: int, height: int, ratio: tuple[int, int], focus: tuple[float, float]) -> tuple[int, int, int, int]:
    """The largest box of `ratio` inside width × height, as centred on `focus` (fractions from the left and the top)
    as the picture's edges allow."""
    rw, rh = ratio
    if width * rh > height * rw:  # wider than the ratio: keep the height
        w, h = max(1, height * rw // rh), height
    else:
        w, h = width, max(1, width * rh // rw)
    left = _clamp(round(focus[0] * width - w / 2), 0, width - w)
    top = _clamp(round(focus[1] * height - h / 2), 0, height - h)
    return (left, top, left + w, top + h)


def _clamp(value: int, low: int, high: int) -> int:
    return max(low, min(value, high))


def responsive(probe: Probe, digest: str, settings: ImagesConfig) -> list[Recipe]:
    """The whole picture at each width, in every format."""
    box = (0, 0, probe.width, probe.height)
    return _set(RESPONSIVE, box, probe, digest, settings, settings.widths)


def teaser(probe: Probe, digest: str, settings: ImagesConfig, focus: tuple[float, float]) -> list[Recipe]:
    box = crop_box(probe.width, probe.height, TEASER_RATIO, focus)
    return _set(TEASER, box, probe, digest, settings, settings.teaser_widths)


def social(probe: Probe, digest: str, settings: ImagesConfig, focus: tuple[float, float]) -> Recipe:
    """The social card: JPEG (every network reads it), 1200×630 when the source is that big, else as big as it is."""
    box = crop_box(probe.width, probe.height, SOCIAL_SIZE, focus)
    width = min(SOCIAL_SIZE[0], box[2] - box[0])
    height = max(1, round(width * SOCIAL_SIZE[1] / SOCIAL_SIZE[0]))
    return Recipe(SOCIAL, box, width, height, "jpeg", settings.quality, digest)


def _set(kind: str, box: tuple[int, int, int, int], probe: Probe, digest: str, settings: ImagesConfig,
         widths: tuple[int, ...]) -> list[Recipe]:  # fmt: skip
    box_w, box_h = box[2] - box[0], box[3] - box[1]
    recipes = []
    for width in widths_for(box_w, widths):
        height = max(1, round(box_h * width / box_w))
        for fmt in (*MODERN_FORMATS, probe.fallback):
            quality = settings.avif_quality if fmt == "avif" else settings.quality
            recipes.append(Recipe(kind, box, width, height, fmt, quality, digest))
    return recipes


def recipes_for(probe: Probe, digest: str, settings: ImagesConfig, focuses: tuple[tuple[float, float], ...]) -> list[
        Recipe]:  # fmt: skip
    """Every derivative of one source: the responsive set, and a teaser set and social card per focal point its
    articles ask for (an image used only inside bodies has no focus and needs neither)."""
    if probe.animated:
        return []
    recipes = responsive(probe, digest, settings)
    for focus in sorted(set(focuses)):
        recipes += teaser(probe, digest, settings, focus)
        recipes.append(social(probe, digest, settings, focus))
    return _unique(recipes)


def _unique(recipes: list[Recipe]) -> list[Recipe]:
    seen: dict[str, Recipe] = {}
    for recipe in recipes:
        seen.setdefault(recipe.key, recipe)
    return list(seen.values())
