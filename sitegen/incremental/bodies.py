"""Article bodies kept out of memory: the HTML of each article's Markdown, in files under `.sitegen-cache/bodies/`.

A body file is named by the digest of its source and of everything that shapes the HTML (the cache key: sitegen's
code and the parse settings), so it never needs invalidating, only pruning. Workers that parse write them; workers that
render read the ones their pages show and let go afterwards: no process holds every body of the archive at once, and
a build where nothing changed reads none. A body that is missing or unreadable is made again by parsing its source:
the store may make a build faster, never different.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from sitegen.content.article import parse_article
from sitegen.content.settings import ParseSettings
from sitegen.content.sources import SourceFile, read_bytes
from sitegen.errors import ContentError, error
from sitegen.model import Article, Body, Text
from sitegen.paths import temp_name


@dataclass(frozen=True)
class BodyStore:
    folder: Path | None  # None: nowhere to keep bodies (they stay in memory)
    key: str
    trust: bool = True  # False (`--clean`): write every body again, even one that is already there

    def _name(self, digest: str) -> str:
        return hashlib.sha256(f"{self.key}\0{digest}".encode()).hexdigest()[:32]

    def _path(self, digest: str) -> Path:
        assert self.folder is not None
        name = self._name(digest)
        return self.folder / name[:2] / f"{name}.html"

    def put(self, digest: str, body: str) -> bool:
        """Keep `body`; False when it cannot be kept (then the caller keeps it in memory)."""
        if self.folder is None:
            return False
        path = self._path(digest)
        if self.trust and path.exists():
            return True
        data = body.encode("utf-8", "surrogatepass")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(temp_name(path.name, os.getpid()))
            tmp.write_bytes(hashlib.sha256(data).hexdigest().encode() + b"\n" + data)
            tmp.replace(path)  # whole or not at all, even with parallel writers
        except OSError:
            return False
        return True

    def get(self, digest: str) -> str | None:
        """The body, or None when it is missing or not what was written (each file starts with its own digest)."""
        if self.folder is None:
            return None
        try:
            check, _, data = self._path(digest).read_bytes().partition(b"\n")
            if hashlib.sha256(data).hexdigest().encode() != check:
                return None
            return data.decode("utf-8", "surrogatepass")
        except (OSError, UnicodeDecodeError):
            return None

    def discard(self, digests: Iterable[str]) -> None:
        """Remove these bodies (versions no article has any more): what an incremental build replaced, without
        listing a store of 100,000 files."""
        if self.folder is None:
            return
        for digest in digests:
            with contextlib.suppress(OSError):
                self._path(digest).unlink()

    def prune(self, digests: Iterable[str]) -> None:
        """Remove every body that is not one of these articles' (old versions, deleted articles, other settings)."""
        if self.folder is None or not self.folder.is_dir():
            return
        keep = {f"{self._name(d)}.html" for d in digests}
        for sub in os.scandir(self.folder):
            if not sub.is_dir(follow_symlinks=False):
                continue
            for entry in os.scandir(sub.path):
                if entry.name not in keep:
                    with contextlib.suppress(OSError):
                        os.unlink(entry.path)  # noqa: PTH108 - a DirEntry's path


@dataclass
class Bodies:
    """Where a build's articles that were read without their HTML get it: the body store, else their file again.

    `attach` gives each such article's Body this loader; a page that shows a body loads it then, and the render
    worker lets go of what a page loaded once the page is staged (`release`): a worker holds the bodies of the page it
    renders, not of the archive.
    """

    store: BodyStore
    files: Mapping[str, SourceFile]
    settings: ParseSettings
    _loaded: list[Body] = field(default_factory=list)

    def attach(self, articles: Iterable[Article]) -> None:
        for article in articles:
            if not article.body.loaded:
                article.body.load_with(partial(self._load, article))

    def release(self) -> None:
        """Let go of every body loaded since the last release."""
        for body in self._loaded:
            body.release()
        self._loaded.clear()

    def _load(self, article: Article) -> Text:
        excerpt, minutes = article.body.known
        html = self.store.get(article.digest)
        if html is not None and excerpt is not None and minutes is not None:
            text = Text(html, excerpt, minutes)
        else:
            text = self._parse_again(article)
        self._loaded.append(article.body)
        return text

    def _parse_again(self, article: Article) -> Text:
        found = self.files.get(article.source)
        try:
            if found is None:
                raise OSError("not found")
            parsed, _ = parse_article(found.rel, read_bytes(found), self.settings)
        except OSError as exc:
            problem = error(article.source, None, f"could not be read again during the build: {exc}")
            raise ContentError([problem]) from exc
        if parsed is None or parsed.digest != article.digest:
            raise ContentError([error(article.source, None, "changed during the build: build again")])
        self.store.put(article.digest, parsed.body_html)
        return Text(parsed.body_html, parsed.excerpt, parsed.reading_minutes)
