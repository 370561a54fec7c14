"""The markup of processed images: `<picture>` with AVIF and WebP `<source>`s and a JPEG or PNG `<img>`, each with a
`srcset` of every width and the `sizes` the theme's layout gives it, and the intrinsic `width` and `height` always
(the page keeps its place while pictures load). Pictures load lazily, except the lead image, which the browser is told
to fetch first.

Templates call it as `images`: `images.picture(article.image, sizes, lead=true)`, `images.teaser(...)` for the
16:9 crops of lists, `images.body(article.body_html, article, sizes)` for the pictures in a body. With processing off
(or for an image that is not processed: another host's, an SVG), the markup is the plain `<img>` it always was.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from html import escape

from markupsafe import Markup

from sitegen.content.image_refs import IMG_TAG, site_path, tag_attributes
from sitegen.images.catalogue import ImageSet, Processed
from sitegen.images.recipes import MIME, MODERN_FORMATS, Recipe
from sitegen.images.usage import focus_of, image_path
from sitegen.model import Article, Image

_REPLACED = frozenset({"src", "srcset", "sizes", "width", "height", "loading", "decoding", "fetchpriority"})
_PICTURE = re.compile(r"<picture\b.*?</picture>", re.IGNORECASE | re.DOTALL)
_FALLBACK_WIDTH = 1200  # the <img src> for browsers without srcset: sharp enough, not the largest


class ImageMarkup:
    def __init__(self, images: ImageSet) -> None:
        self.images = images

    @property
    def enabled(self) -> bool:
        return self.images.enabled

    def picture(self, image: Image, sizes: str, lead: bool = False) -> Markup:
        """A front-matter image, whole."""
        found = self.images.get(image_path(image))
        if found is None:
            return _plain(image.src, {"alt": image.alt}, lead)
        return Markup(self._markup(found, self.images.responsive(found), {"alt": image.alt}, sizes, lead))

    def teaser(self, image: Image, sizes: str, lead: bool = False) -> Markup:
        """A front-matter image cropped to the teasers' 16:9 around its focal point."""
        found = self.images.get(image_path(image))
        if found is None or found.probe.animated:
            return self.picture(image, sizes, lead)
        recipes = self.images.teaser(found, focus_of(image))
        return Markup(self._markup(found, recipes, {"alt": image.alt}, sizes, lead))

    def thumbnail(self, image: Image) -> str:
        """The smallest teaser crop's URL (search results show it), or the image's own."""
        found = self.images.get(image_path(image))
        if found is None or found.probe.animated:
            return image.src
        recipes = [r for r in self.images.teaser(found, focus_of(image)) if r.format == found.probe.fallback]
        return self.images.url(found, recipes[0])

    def social(self, image: Image) -> tuple[str, int, int] | None:
        """The social card (URL on this site, width, height), or None when the image is not processed."""
        found = self.images.get(image_path(image))
        if found is None or found.probe.animated:
            return None
        card = self.images.social(found, focus_of(image))
        return self.images.url(found, card), card.width, card.height

    def largest(self, image: Image) -> str | None:
        """The largest whole derivative in the fallback format (structured data offers it beside the card)."""
        found = self.images.get(image_path(image))
        if found is None or found.probe.animated:
            return None
        return self.images.url(found, self._largest(found))

    def body(self, html: str, article: Article, sizes: str) -> Markup:
        """The body with each processed `<img>` made a `<picture>`; pictures an editor wrote, and images with their
        own srcset, are left as written."""

        def picture(found: Processed, own: dict[str, str]) -> str:
            return self._markup(found, self.images.responsive(found), own, sizes, lead=False)

        return Markup(self._each_img(html, article, picture))

    def whole(self, image: Image) -> tuple[str, int, int] | None:
        """The largest whole derivative of a front-matter image (URL, width, height), None when it is not processed:
        what a feed shows, since a feed reader takes one plain `<img>`."""
        found = self.images.get(image_path(image))
        if found is None or found.probe.animated:
            return None
        largest = self._largest(found)
        return self.images.url(found, largest), largest.width, largest.height

    def plain_body(self, html: str, article: Article) -> str:
        """The body as a feed carries it: each processed `<img>` keeps its own attributes but shows the largest
        derivative, with its size, instead of the original. A feed must not link the source file: a photo straight
        from a camera carries its EXIF (where and when it was taken, the camera's serial number), and the derivatives
        carry none. Pictures and srcsets an editor wrote, and animated images (published as they are), are left."""

        def plain(found: Processed, own: dict[str, str]) -> str | None:
            if found.probe.animated:
                return None
            largest = self._largest(found)
            size = {"width": str(largest.width), "height": str(largest.height)}
            return f"<img{_attributes({'src': self.images.url(found, largest), **own, **size})}>"

        return self._each_img(html, article, plain)

    def _each_img(self, html: str, article: Article, make: Callable[[Processed, dict[str, str]], str | None]) -> str:
        """`html` with each `<img>` of a processed image replaced by `make(image, its other attributes)` (None: kept
        as written). Images inside a `<picture>` an editor wrote, or with their own srcset, are kept."""
        if not self.enabled or "<img" not in html:
            return html
        kept = [(m.start(), m.end()) for m in _PICTURE.finditer(html)]

        def replace(match: re.Match[str]) -> str:
            if any(start <= match.start() < end for start, end in kept):
                return match.group(0)
            attrs = tag_attributes(match.group(0))
            found = self.images.get(site_path(attrs.get("src", ""), article.url))
            if found is None or "srcset" in attrs:
                return match.group(0)
            made = make(found, {k: v for k, v in attrs.items() if k not in _REPLACED})
            return match.group(0) if made is None else made

        return IMG_TAG.sub(replace, html)

    def _largest(self, image: Processed) -> Recipe:
        return [r for r in self.images.responsive(image) if r.format == image.probe.fallback][-1]

    def _markup(self, image: Processed, recipes: list[Recipe], attrs: Mapping[str, str], sizes: str,
                lead: bool) -> str:  # fmt: skip
        if image.probe.animated:  # published as it is: its own URL, its size, no derivatives
            size = {"width": str(image.probe.width), "height": str(image.probe.height)}
            return str(_plain(image.path, {**attrs, **size}, lead))
        by_format: dict[str, list[Recipe]] = {}
        for recipe in recipes:
            by_format.setdefault(recipe.format, []).append(recipe)
        fallback = by_format[image.probe.fallback]
        shown = [r for r in fallback if r.width <= _FALLBACK_WIDTH][-1:] or fallback[:1]
        largest = fallback[-1]
        sources = "".join(
            f'<source type="{MIME[fmt]}" srcset="{self._srcset(image, by_format[fmt])}" sizes="{escape(sizes)}">'
            for fmt in MODERN_FORMATS
            if fmt in by_format
        )
        img = {
            "src": self.images.url(image, shown[0]),
            "srcset": self._srcset(image, fallback),
            "sizes": sizes,
            "width": str(largest.width),
            "height": str(largest.height),
            **attrs,
            **_loading(lead),
        }
        return f"<picture>{sources}<img{_attributes(img)}></picture>"

    def _srcset(self, image: Processed, recipes: list[Recipe]) -> str:
        return ", ".join(f"{escape(self.images.url(image, r))} {r.width}w" for r in recipes)


def _loading(lead: bool) -> dict[str, str]:
    return {"loading": "eager", "fetchpriority": "high"} if lead else {"loading": "lazy", "decoding": "async"}


def _attributes(attrs: Mapping[str, str]) -> str:
    return "".join(f' {name}="{escape(value)}"' for name, value in attrs.items())


def _plain(src: str, attrs: Mapping[str, str], lead: bool) -> Markup:
    return Markup(f"<img{_attributes({'src': src, **attrs, **_loading(lead)})}>")
