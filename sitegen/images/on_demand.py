"""Images for `sitegen serve` and `sitegen build --watch`: the same markup and derivatives as a build, made when they
are first needed rather than all before the first page.

A page that shows an image decodes it (or finds what an earlier build learnt of it in the derivative store's
index) to say how big it is, and names its derivatives; a derivative is encoded the first time it is asked for (the
browser asks for the one candidate of a srcset it needs) and kept in the store, where a later build finds it. A
source that cannot be decoded fails the page that shows it with the file's problem, as the build fails.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from pathlib import Path

from sitegen.config import ImagesConfig
from sitegen.content.sources import SourceFile, read_bytes
from sitegen.errors import ContentError, error
from sitegen.images.catalogue import ImageSet, Processed
from sitegen.images.encode import ImageFault, decode, encode
from sitegen.images.recipes import Recipe
from sitegen.images.store import DerivativeStore, source_digest


class OnDemandImages(ImageSet):
    def __init__(self, settings: ImagesConfig, available: Mapping[str, SourceFile], store: DerivativeStore) -> None:
        super().__init__(settings, {})
        self.available = available  # every published file, by its path on the site
        self.store = store  # shared by the snapshots of one preview: it remembers digests and sizes
        self._processed: dict[str, Processed | None] = {}
        self._names: dict[str, tuple[SourceFile, Recipe]] = {}  # derivative in the output → what makes it
        self._lock = threading.Lock()  # pages are rendered, and derivatives asked for, by several request threads

    def get(self, path: str | None) -> Processed | None:
        if path is None or not self.enabled:
            return None
        if path not in self._processed:
            self._processed[path] = self._process(path)
        return self._processed[path]

    def _process(self, path: str) -> Processed | None:
        found = self.available.get(path)
        if found is None:
            return None  # not a file of the site: linked as written (`sitegen build` and `check` name the line)
        try:
            with self._lock:
                digest = self.store.digest_of(found)
                probe = self.store.probe(digest)
            if probe is None:
                probe = decode(read_bytes(found), found.rel, self.settings.max_pixels).probe
                with self._lock:
                    self.store.remember(digest, probe)
        except ImageFault as exc:
            raise ContentError([error(found.rel, None, f"image {path} {exc}")]) from exc
        except OSError:
            return None  # deleted since it was listed: the next snapshot does not list it
        return Processed(path, digest, probe)

    def name(self, image: Processed, recipe: Recipe) -> str:
        rel = super().name(image, recipe)
        found = self.available.get(image.path)
        if found is not None:
            self._names[rel] = (found, recipe)
        return rel

    def knows(self, rel: str) -> bool:
        return rel in self._names

    def derivative(self, rel: str) -> Path | None:
        """The file of a derivative a page named, encoded now if the store lacks it; None when no page named it or
        its source is gone."""
        entry = self._names.get(rel)
        if entry is None:
            return None
        found, recipe = entry
        path = self.store.path(recipe)
        if path.is_file():
            return path
        try:
            data = read_bytes(found)
            if source_digest(data) != recipe.source:
                return None  # changed since the page was rendered: the next snapshot names its new derivatives
            self.store.put(recipe, encode(decode(data, found.rel, self.settings.max_pixels), recipe))
        except (OSError, ImageFault):
            return None
        return path

    def names(self) -> list[str]:
        """Every derivative the pages rendered so far name: what `build --watch` publishes beside them."""
        return list(self._names)
