"""The only reader of a site's files: finds content, static and data files and hands over their bytes.

Listing is separate from reading so that an incremental build can stat every file but read only the changed ones.
"""

from __future__ import annotations

import os
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from pathlib import Path
from stat import S_ISDIR, S_ISLNK, S_ISREG
from typing import NamedTuple

from sitegen import paths
from sitegen.errors import Problem, warning
from sitegen.model import Article
from sitegen.urls import output_path


class SourceFile(NamedTuple):
    """A file found under the site, by its stamp. A named tuple, not a dataclass: every build lists every file of the
    archive, and a tuple is made in a fraction of a frozen dataclass's time."""

    rel: str  # relative to the site root, POSIX separators
    fspath: str  # where it is: a string, made a Path only when it is read (an archive lists 100,000s on every build)
    mtime_ns: int
    size: int

    @property
    def path(self) -> Path:
        return Path(self.fspath)

    @property
    def name(self) -> str:
        return self.rel.rpartition("/")[2]

    @property
    def stamp(self) -> tuple[int, int]:
        return (self.mtime_ns, self.size)


@dataclass(frozen=True)
class Sources:
    articles: tuple[SourceFile, ...]
    section_indexes: tuple[SourceFile, ...]
    problems: tuple[Problem, ...]
    resources: tuple[SourceFile, ...] = ()  # files of page bundles, published beside their article


def find_content(root: Path) -> Sources:
    """Every `content/**/*.md` and `*.markdown`; `_index.md` files describe sections; the other files of a page
    bundle's folder (`news/story/index.md` + `cover.jpg`) are its resources. Any other file is a warning: a file an
    editor put there and sitegen does not publish must not go unnoticed. Sorted, so every build sees one order."""
    articles: list[SourceFile] = []
    indexes: list[SourceFile] = []
    others: list[SourceFile] = []
    bundles: set[str] = set()
    listed, problems = _walk(root, root / paths.CONTENT_DIR)
    for found in listed:
        folder, _, name = found.rel.rpartition("/")
        if name == paths.INDEX_FILE:
            indexes.append(found)
        elif name.endswith(paths.MARKDOWN_SUFFIXES) and not name.startswith("_index."):
            articles.append(found)
            if name.startswith(_BUNDLE_PREFIX) and paths.is_bundle(found.rel):  # the prefix first: 100,000s of articles
                bundles.add(folder)
        else:
            others.append(found)
    resources = [f for f in others if _bundle_of(f.rel, bundles) is not None]
    problems += [_unused(f) for f in others if _bundle_of(f.rel, bundles) is None]
    if bundles:  # most archives have none: then no article is inside one
        inside = {a.rel for a in articles if not paths.is_bundle(a.rel) and _bundle_of(a.rel, bundles) is not None}
        part = "not used: Markdown inside a page bundle is a part of its page (as in Hugo), not an article; move it out"
        problems += [warning(a.rel, None, f"{part} of the bundle's folder to publish it") for a in articles
                     if a.rel in inside]  # fmt: skip
        articles = [a for a in articles if a.rel not in inside]
    return Sources(tuple(articles), tuple(indexes), tuple(problems), tuple(resources))


def bundle_files(articles: Iterable[Article], resources: Iterable[SourceFile]) -> dict[str, SourceFile]:
    """Where page bundles' files are published: beside their article's page, so that the article's relative links
    (`![](cover.jpg)`) find them. Only the bundles of the articles given (the published ones)."""
    published = {
        article.source.rsplit("/", 1)[0]: output_path(article.url).rsplit("/", 1)[0]
        for article in articles
        if paths.is_bundle(article.source)
    }
    files: dict[str, SourceFile] = {}
    for resource in resources if published else ():
        bundle = _bundle_of(resource.rel, published.keys())
        if bundle is not None:
            files[f"{published[bundle]}/{resource.rel[len(bundle) + 1 :]}".lstrip("/")] = resource
    return files


def _bundle_of(rel: str, bundles: Collection[str]) -> str | None:
    """The innermost bundle folder holding `rel`, or None."""
    folder = rel
    while "/" in folder:
        folder = folder.rsplit("/", 1)[0]
        if folder in bundles:
            return folder
    return None


def _unused(found: SourceFile) -> Problem:
    return warning(found.rel, None, (
        "not used: under content/ sitegen reads .md and .markdown articles, _index.md section pages, and the files "
        "beside a page bundle's index.md (put other files in static/)"
    ))  # fmt: skip


def find_static(root: Path, folder: Path) -> tuple[dict[str, SourceFile], list[Problem]]:
    """Files under a static folder, keyed by their path in the output."""
    found, problems = _walk(root, folder)
    return {f.path.relative_to(folder).as_posix(): f for f in found}, problems


def content_file(root: Path, rel: str) -> SourceFile | None:
    """The file `content/...` names, as `find_content` would list it, or None when it would not list it (gone,
    hidden, an autosave, inside a hidden or linked folder, linked out of the site, not a regular file)."""
    parts = rel.split("/")
    if parts[0] != paths.CONTENT_DIR or len(parts) < 2 or not rel.endswith(paths.MARKDOWN_SUFFIXES):
        return None
    if any(paths.is_hidden(part) for part in parts) or paths.is_autosave(parts[-1]):
        return None
    path = root.joinpath(*parts)
    if any(root.joinpath(*parts[:depth]).is_symlink() for depth in range(1, len(parts) - 1)):
        return None  # the walk does not enter linked folders
    if _outside(path, root.resolve(), root) is not None:
        return None
    try:
        stat = path.stat()
    except OSError:
        return None
    return SourceFile(rel, str(path), stat.st_mtime_ns, stat.st_size) if S_ISREG(stat.st_mode) else None


def walk_order(rel: str) -> tuple[tuple[int, str], ...]:
    """The position `find_content` lists a file in: in each folder its files by name, then its subfolders by name."""
    parts = rel.split("/")
    return (*((1, folder) for folder in parts[:-1]), (0, parts[-1]))


def read_bytes(found: SourceFile) -> bytes:
    with open(found.fspath, "rb") as f:  # noqa: PTH123 - a string path: no Path made per file read
        return f.read()


def read_optional(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None


def _walk(root: Path, top: Path) -> tuple[list[SourceFile], list[Problem]]:
    """The files under `top`, in walk order, and a problem for each link skipped on the way."""
    listed: list[SourceFile] = []
    problems: list[Problem] = []
    if not top.is_dir():
        return listed, problems
    real_root = root.resolve()
    if top.is_relative_to(root) and top != root and (outside := _outside(top, real_root, root)) is not None:
        return listed, [outside]  # content/ or static/ itself linked to somewhere outside the site
    _walk_folder(_Walk(root, real_root, listed, problems), str(top), top.relative_to(root).as_posix())
    return listed, problems


_BUNDLE_PREFIX = f"{paths.BUNDLE_INDEX_STEM}."  # how every page bundle's article is named: index.md


@dataclass(frozen=True)
class _Walk:
    root: Path
    real_root: Path
    listed: list[SourceFile]  # what the walk found, appended to: no generator to resume per file
    problems: list[Problem]


def _walk_folder(walk: _Walk, folder: str, rel: str) -> None:
    """One folder's files, then its subfolders', each sorted by name. A name list and one `lstat` per name (which
    gives a file's stamp and its type at once) rather than `os.walk`, `os.scandir` or pathlib: a newsroom's archive is
    100,000s of files, this runs on every build, even when nothing changed, and it is the most of what such a build
    costs (measured at 100,000 articles: 0.7 s, against 0.9 s with `os.scandir` entries)."""
    try:
        names = sorted(os.listdir(folder))  # noqa: PTH208 - names, not a Path made per file
    except OSError:
        return
    where = folder + os.sep
    prefix = "" if rel == "." else f"{rel}/"
    subfolders = []
    found = walk.listed.append
    for name in names:
        if paths.is_hidden(name):
            continue  # hidden files and folders (.git, editors' state) are never content
        path = where + name
        try:
            stat = os.lstat(path)
        except OSError:
            continue  # vanished between listing and stat (an editor's save in progress)
        mode = stat.st_mode
        if S_ISREG(mode):
            if not paths.is_autosave(name):  # editors' autosaves (#x.md#)
                found(SourceFile(prefix + name, path, stat.st_mtime_ns, stat.st_size))
        elif S_ISDIR(mode):
            subfolders.append(name)
        elif S_ISLNK(mode):
            _linked(walk, path, prefix + name)
        # anything else (a FIFO, a device) would block or never end when read: never content
    for name in subfolders:
        _walk_folder(walk, where + name, prefix + name)


def _linked(walk: _Walk, path: str, rel: str) -> None:
    """A link found by the walk: a linked folder is checked (a warning when it leads outside) but, as with os.walk,
    not entered; a linked file inside the site is listed (by its target's stamp), one leading out is a warning."""
    try:
        target: os.stat_result | None = os.stat(path)  # noqa: PTH116 - the link's target
    except OSError:
        target = None  # a link to nothing: a warning below, unless it is an autosave's
    folder = target is not None and S_ISDIR(target.st_mode)
    if not folder and paths.is_autosave(rel.rpartition("/")[2]):
        return
    if (outside := _outside(Path(path), walk.real_root, walk.root)) is not None:
        walk.problems.append(outside)
    elif target is not None and S_ISREG(target.st_mode):
        walk.listed.append(SourceFile(rel, path, target.st_mtime_ns, target.st_size))


def _outside(path: Path, real_root: Path, root: Path) -> Problem | None:
    """Why a symlink is not followed (a link to /etc is not content), or None when it stays inside the site."""
    if not path.is_symlink():
        return None
    try:
        target = path.resolve()
    except (RuntimeError, OSError):  # a loop of links (Python 3.11 raises RuntimeError; later ones OSError)
        return warning(path.relative_to(root).as_posix(), None, "symlink loop: skipped")
    if target.is_relative_to(real_root) and target.exists():
        return None
    where = "a missing file" if not target.exists() else f"{target} outside the site"
    return warning(path.relative_to(root).as_posix(), None, f"symlink to {where}: skipped")


def find_content_folders(root: Path) -> list[str]:
    """Every folder under `content/` (hidden ones and links left out), relative to it, POSIX separators, sorted."""
    top = root / paths.CONTENT_DIR
    found: list[str] = []
    for folder, dirs, _ in os.walk(top):
        dirs[:] = sorted(d for d in dirs if not paths.is_hidden(d) and not (Path(folder) / d).is_symlink())
        found += [(Path(folder) / d).relative_to(top).as_posix() for d in dirs]
    return sorted(found)
