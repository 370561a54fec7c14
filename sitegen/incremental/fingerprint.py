"""What each page is made from, as one digest: a page whose fingerprint did not change need not be rendered again.

A fingerprint covers sitegen's own code, the configuration, the page's template and every template it loads, what
the page shows around its Route (Renderer.context_key: the blocks every page shows, and the page's edition of latest
news, Most Popular and topics), the bytes of every processed image its articles show (their size, crops and
derivatives' names follow from those and the configuration), the sections and standalone pages every page can link,
and a description of every field of its Route. So it is generic: a new kind of Route is fingerprinted with no change
here. The build date is in it only for a template that mentions `build_time` (the theme's don't: no page depends on
the day it was built).

Articles inside a route are described by their source digest when the page shows their body (the route's own
article, or every article when the template mentions `body_html` or the page is written by Python code rather than a
template, as a full-text feed may be), and otherwise by a digest
of everything but the body: a body-only edit of an article re-renders its own page, not every list that links it.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import jinja2

from sitegen.config import Config
from sitegen.errors import ContentError
from sitegen.images.usage import image_path
from sitegen.incremental.cache import teaser_digest
from sitegen.model import Article, Site
from sitegen.render.renderer import Renderer
from sitegen.site.plan import Route

# A template that mentions an article's HTML, as `x.body_html` or through its Body as `x.body.html`.
_SHOWS_BODY = re.compile(r"\bbody_html\b|\bbody\s*\.\s*html\b")
_SHOWS_DATE = re.compile(r"\bbuild_time\b")  # a site's own template may print the build date


class Fingerprinter:
    def __init__(self, renderer: Renderer, site: Site, config: Config, code: str, teasers: Mapping[str, str]) -> None:
        self.renderer = renderer
        self.images = renderer.images
        self.teasers = teasers  # source → teaser digest, computed once when the article was parsed
        self._seen: dict[tuple[int, bool], tuple[object, str]] = {}  # the object is kept so that its id stays its own
        shared = [
            code,
            config.digest(),
            *(self._article(p, full=False) for p in site.pages),
            *(self._describe(s, full=False) for s in site.sections.values()),
        ]
        self.shared = _digest(shared)
        self._date = renderer.globals["build_time"].date().isoformat()
        self._templates: dict[str, tuple[str, bool]] = {}

    def route(self, route: Route) -> str:
        try:
            template, shows_bodies = self._template(route.template)
            around = self.renderer.context_key(route)
        except (ContentError, jinja2.TemplateError, OSError):
            return "unrenderable:" + os.urandom(8).hex()  # never matches: rendering reports the problem
        parts = [self.shared, template, *around]
        for name in _field_names(type(route)):
            parts.append(name)
            value = getattr(route, name)
            # A plain string field stands as it is (the parts are separated by NUL); anything else is described.
            parts.append(value if type(value) is str else self._describe(value, full=shows_bodies or name == "article"))
        return _digest(parts)

    def template(self, name: str) -> str:
        """The digest of a page's template, what it loads and, when one of them prints it, the build date."""
        return self._template(name)[0]

    def _template(self, name: str) -> tuple[str, bool]:
        if name not in self._templates:
            try:
                sources = self.renderer.template_sources(name)
            except jinja2.TemplateNotFound as exc:
                if exc.name != name:
                    raise
                # Not a Jinja template: a page written by Python (a feed, a sitemap), whose code is in `shared`.
                # It may show anything its articles hold, bodies included.
                self._templates[name] = (_digest(["no template", name]), True)
                return self._templates[name]
            parts = [f"{n}\0{s}" for n, s in sorted(sources.items())]
            if any(_SHOWS_DATE.search(s) for s in sources.values()):
                parts.append(self._date)
            self._templates[name] = (_digest(parts), any(_SHOWS_BODY.search(s) for s in sources.values()))
        return self._templates[name]

    def _describe(self, value: Any, *, full: bool) -> str:
        if isinstance(value, Article):
            return self._article(value, full=full)
        if value is None or isinstance(value, (str, int, float, bool)):
            return repr(value)
        if isinstance(value, datetime):
            return value.isoformat()
        if isinstance(value, (tuple, list)):
            pairs = _describe_pairs(value)  # a sitemap's (URL, last modified) entries: 100,000s at an archive's size
            if pairs is not None:
                return pairs
            return "[" + ",".join(self._describe(v, full=full) for v in value) + "]"
        if isinstance(value, Mapping):
            items = sorted((str(k), self._describe(v, full=full)) for k, v in value.items())
            return "{" + ",".join(f"{k}:{v}" for k, v in items) + "}"
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            key = (id(value), full)  # sections and terms are shared by many routes: describe each once
            if key not in self._seen:
                inner = ",".join(
                    f"{f.name}={self._describe(getattr(value, f.name), full=full)}" for f in dataclasses.fields(value)
                )
                self._seen[key] = (value, f"{type(value).__name__}({inner})")
            return self._seen[key][1]
        return repr(value)

    def _article(self, article: Article, *, full: bool) -> str:
        # Parsing is pure: the source's digest (with the configuration, already in `shared`) determines every field.
        # The pictures it shows are named by their bytes: a changed photo re-renders the pages showing it.
        front = image_path(article.image) if article.image is not None else None
        if full:
            return f"A({article.source}:{article.digest}:{self.images.key_for((front, *article.images))})"
        teaser = self.teasers.get(article.source) or teaser_digest(article)
        return f"T({article.source}:{teaser}:{self.images.key_for((front,))})"


def _describe_pairs(value: tuple[Any, ...] | list[Any]) -> str | None:
    """What `_describe` makes of a sequence of (text, date or None) pairs, in less than half the time; None when
    `value` holds anything else."""
    if not value or type(value[0]) is not tuple:
        return None
    described = []
    for item in value:
        if type(item) is not tuple or len(item) != 2:
            return None
        text, moment = item
        if type(text) is not str:
            return None
        if moment is None:
            described.append(f"[{text!r},None]")
        elif type(moment) is datetime:
            described.append(f"[{text!r},{moment.isoformat()}]")
        else:
            return None
    return "[" + ",".join(described) + "]"


def _digest(parts: list[str]) -> str:
    return hashlib.sha256("\0".join(parts).encode("utf-8", "surrogatepass")).hexdigest()[:24]


_FIELDS: dict[type, tuple[str, ...]] = {}


def _field_names(cls: type) -> tuple[str, ...]:
    if cls not in _FIELDS:
        _FIELDS[cls] = tuple(f.name for f in dataclasses.fields(cls))
    return _FIELDS[cls]
