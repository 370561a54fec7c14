"""The images of one build: the sources its pages show, what is known of each, and the derivatives they need.

`prepare` decides, from the derivative store alone, which sources must be decoded (new or changed photos, or missing
derivatives); `run_task` does that in a worker process; `finish` gathers what the workers told into an `ImageSet`,
which names each derivative in the output and is all that rendering needs.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from sitegen.config import ImagesConfig
from sitegen.content.sources import SourceFile, read_bytes
from sitegen.errors import Problem, error
from sitegen.images.recipes import RESPONSIVE, Probe, Recipe, recipes_for, responsive, social, teaser
from sitegen.images.store import DerivativeStore, source_digest
from sitegen.images.usage import Use, line_of
from sitegen.paths import IMAGES_DIR
from sitegen.urls import slugify


@dataclass(frozen=True)
class Processed:
    """A source whose derivatives are in the store."""

    path: str  # on the site
    digest: str
    probe: Probe
    focuses: tuple[tuple[float, float], ...] = ()


@dataclass(frozen=True)
class EncodeTask:
    """One source to decode and make the missing derivatives of: small and picklable, for a worker."""

    path: str
    source: SourceFile
    focuses: tuple[tuple[float, float], ...]
    settings: ImagesConfig
    store: Path


@dataclass(frozen=True)
class EncodeResult:
    path: str
    digest: str
    probe: Probe | None
    fault: str | None  # why the source could not be used
    encoded: int  # derivatives made


def run_task(task: EncodeTask) -> EncodeResult:
    """Decode one source and encode each derivative the store lacks (in a worker process)."""
    from sitegen.images.encode import ImageFault, decode, encode_many  # Pillow: only where a picture is decoded

    store = DerivativeStore(task.store)
    try:
        data = read_bytes(task.source)
    except OSError as exc:
        return EncodeResult(task.path, "", None, f"cannot be read: {exc.strerror or exc}", 0)
    digest = source_digest(data)  # of the bytes decoded, should the file have changed since it was listed
    try:
        decoded = decode(data, task.source.rel, task.settings.max_pixels)
        missing = [r for r in recipes_for(decoded.probe, digest, task.settings, task.focuses) if not store.has(r)]
        for recipe, derivative in encode_many(decoded, missing):
            store.put(recipe, derivative)
        encoded = len(missing)
    except ImageFault as exc:
        return EncodeResult(task.path, digest, None, str(exc), 0)
    except MemoryError:
        return EncodeResult(task.path, digest, None, "is too large to decode in the memory there is", 0)
    except OSError as exc:  # the store, not the photo: a full disk, a read-only site folder
        return EncodeResult(task.path, digest, None, f"could not be stored in {task.store}: {exc}", 0)
    return EncodeResult(task.path, digest, decoded.probe, None, encoded)


@dataclass
class Prepared:
    uses: Mapping[str, Use]
    known: dict[str, Processed] = field(default_factory=dict)
    tasks: list[EncodeTask] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def prepare(uses: Mapping[str, Use], store: DerivativeStore, settings: ImagesConfig, root: Path) -> Prepared:
    """What is known already and what must be encoded."""
    prepared = Prepared(uses)
    for path, use in sorted(uses.items()):
        focuses = tuple(sorted(use.focuses))
        try:
            digest = store.digest_of(use.source)
        except OSError as exc:
            prepared.problems += _fault(use, f"cannot be read: {exc.strerror or exc}", root)
            continue
        probe = store.probe(digest)
        if probe is not None and all(store.has(r) for r in recipes_for(probe, digest, settings, focuses)):
            prepared.known[path] = Processed(path, digest, probe, focuses)
        else:
            prepared.tasks.append(EncodeTask(path, use.source, focuses, settings, store.folder))
    return prepared


def finish(prepared: Prepared, results: Iterable[EncodeResult], store: DerivativeStore, settings: ImagesConfig,
           root: Path) -> tuple[ImageSet, list[Problem], int]:  # fmt: skip
    """The build's ImageSet, the problems of sources that could not be used, and how many derivatives were made."""
    images = dict(prepared.known)
    problems = list(prepared.problems)
    encoded = 0
    for result in results:
        use = prepared.uses[result.path]
        if result.probe is None:
            problems += _fault(use, result.fault or "cannot be used", root)
            continue
        store.remember(result.digest, result.probe)
        images[result.path] = Processed(result.path, result.digest, result.probe, tuple(sorted(use.focuses)))
        encoded += result.encoded
    return ImageSet(settings, images), problems, encoded


def verify(uses: Mapping[str, Use], store: DerivativeStore, settings: ImagesConfig, root: Path) -> list[Problem]:
    """`sitegen check`: every source decoded, nothing encoded or written, so that a site that passes check builds.
    A source the store knows by its digest was decoded by an earlier build and is not decoded again."""
    from sitegen.images.encode import ImageFault, decode  # Pillow: only where a picture is decoded

    problems: list[Problem] = []
    for _, use in sorted(uses.items()):
        try:
            data = read_bytes(use.source)
        except OSError as exc:
            problems += _fault(use, f"cannot be read: {exc.strerror or exc}", root)
            continue
        if store.probe(source_digest(data)) is not None:
            continue
        try:
            decode(data, use.source.rel, settings.max_pixels)
        except ImageFault as exc:
            problems += _fault(use, str(exc), root)
    return problems


def _fault(use: Use, reason: str, root: Path) -> list[Problem]:
    """The problem of a source, at each line that uses it: the editor sees the article and the file."""
    return [error(source, line_of(root / source, needle), f"image {use.path} ({use.source.rel}) {reason}")
            for source, needle in use.users]  # fmt: skip


class ImageSet:
    """The processed images of a build, and the names their derivatives are published under."""

    def __init__(self, settings: ImagesConfig, images: Mapping[str, Processed]) -> None:
        self.settings = settings
        self.images = images

    @classmethod
    def off(cls, settings: ImagesConfig | None = None) -> ImageSet:
        return cls(settings or ImagesConfig(enabled=False), {})

    @property
    def enabled(self) -> bool:
        return self.settings.enabled

    def get(self, path: str | None) -> Processed | None:
        return self.images.get(path) if path is not None else None

    def responsive(self, image: Processed) -> list[Recipe]:
        return responsive(image.probe, image.digest, self.settings)

    def teaser(self, image: Processed, focus: tuple[float, float]) -> list[Recipe]:
        return teaser(image.probe, image.digest, self.settings, focus)

    def social(self, image: Processed, focus: tuple[float, float]) -> Recipe:
        return social(image.probe, image.digest, self.settings, focus)

    def name(self, image: Processed, recipe: Recipe) -> str:
        """The derivative's file in the output: readable, and new whenever its content is."""
        stem = slugify(image.path.rsplit("/", 1)[-1].rsplit(".", 1)[0])[:60] or "image"
        kind = "" if recipe.kind == RESPONSIVE else f"-{recipe.kind}"
        return f"{IMAGES_DIR}/{stem}{kind}-{recipe.width}.{recipe.key[:12]}.{recipe.suffix}"

    def url(self, image: Processed, recipe: Recipe) -> str:
        return "/" + self.name(image, recipe)

    def recipes(self) -> Iterator[tuple[Processed, Recipe]]:
        for image in self.images.values():
            for recipe in recipes_for(image.probe, image.digest, self.settings, image.focuses):
                yield image, recipe

    def outputs(self, store: DerivativeStore) -> dict[str, Path]:
        """Every derivative the build publishes, by its file in the output, and where it is in the store."""
        return {self.name(image, recipe): store.path(recipe) for image, recipe in self.recipes()}

    def key_for(self, paths: Iterable[str | None]) -> str:
        """What a page showing these images depends on: each one's bytes (its size and derivatives follow)."""
        return ",".join(f"{p}={image.digest}" for p in paths if (image := self.get(p)) is not None)
