"""Fingerprinted theme assets: `asset('css/site.css')` in a template gives `/css/site.<hash>.css`.

The hash is of the file's bytes, so the URL changes exactly when the file does and the file can be cached forever.
The unhashed copy is published too, for anyone who links it directly. Only CSS and JavaScript are fingerprinted:
images and fonts are referenced from content and CSS by their plain names.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import PurePosixPath

from sitegen.paths import STATIC_DIR

FINGERPRINTED = (".css", ".js")
HASH_LENGTH = 10


@dataclass(frozen=True)
class Assets:
    hashed: Mapping[str, str]  # static path → its fingerprinted path, e.g. css/site.css → css/site.0123456789.css
    known: frozenset[str]  # every static path

    @classmethod
    def fingerprint(cls, files: Iterable[str], read: Callable[[str], bytes]) -> Assets:
        """`files`: every static file's path; only CSS and JavaScript are read."""
        known = frozenset(files)
        return cls({rel: hashed_name(rel, read(rel)) for rel in sorted(known) if rel.endswith(FINGERPRINTED)}, known)

    def url(self, path: str) -> str:
        rel = path.lstrip("/")
        if rel in self.hashed:
            return "/" + self.hashed[rel]
        if rel in self.known:
            return "/" + rel
        raise LookupError(f"asset({path!r}): no such file in {STATIC_DIR}/ or in the theme")


def hashed_name(rel: str, data: bytes) -> str:
    path = PurePosixPath(rel)
    digest = hashlib.sha256(data).hexdigest()[:HASH_LENGTH]
    return str(path.with_name(f"{path.stem}.{digest}{path.suffix}"))
