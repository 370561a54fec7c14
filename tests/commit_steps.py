"""Watching a commit step by step on the file system: after every rename and removal, what changed in the output.

`CommitSteps.install` wraps `os.replace` and `os.unlink` (which the Publisher, pathlib and shutil call) so that
after each real call the output folder is listed again; each call that changed a published file, or the manifest,
is a step. The wrapper only calls through and looks: which step does what is read off the folder, never off the
Publisher's arguments. `stop_after` raises `Killed` right after a chosen step, as a SIGKILL landing there would.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from sitegen.paths import MANIFEST_FILE
from sitegen.publish.writer import read_manifest


class Killed(BaseException):
    """A commit stopped at a chosen step (BaseException: nothing in sitegen catches it, as nothing survives SIGKILL)."""


@dataclass(frozen=True)
class Step:
    action: str  # "publish" (a file appeared or changed), "remove" (one went), "manifest" (the manifest changed)
    rel: str


def published_files(output: Path) -> dict[str, bytes]:
    """Every file in `output` but sitegen's own hidden ones (staging, manifest, temp files), with its bytes."""
    found: dict[str, bytes] = {}
    for folder, dirs, files in os.walk(output):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for name in files:
            if not name.startswith("."):
                path = Path(folder, name)
                found[path.relative_to(output).as_posix()] = path.read_bytes()
    return found


@dataclass
class CommitSteps:
    output: Path
    on_step: Callable[[Step], None] = lambda step: None  # called after each step, with the folder as it left it
    stop_after: int | None = None  # raise Killed after this many steps
    steps: list[Step] = field(default_factory=list)

    def install(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self._files = published_files(self.output) if self.output.exists() else {}
        self._manifest = self._read_manifest()
        for name in ("replace", "unlink"):
            monkeypatch.setattr(os, name, self._watching(getattr(os, name)))

    def _watching(self, real: Callable[..., Any]) -> Callable[..., Any]:
        def call(*args: Any, **kwargs: Any) -> Any:
            result = real(*args, **kwargs)
            self._look()
            return result

        return call

    def _look(self) -> None:
        files = published_files(self.output) if self.output.exists() else {}
        manifest = self._read_manifest()
        new = [Step("publish", rel) for rel, data in sorted(files.items()) if self._files.get(rel) != data]
        new += [Step("remove", rel) for rel in sorted(self._files.keys() - files.keys())]
        if manifest != self._manifest:
            new.append(Step("manifest", MANIFEST_FILE))
        self._files, self._manifest = files, manifest
        for step in new:
            self.steps.append(step)
            self.on_step(step)
            if self.stop_after is not None and len(self.steps) >= self.stop_after:
                raise Killed(step)

    def _read_manifest(self) -> dict[str, tuple[str, int]]:
        """What the folder says sitegen wrote: the manifest with the journal of a commit under way (writer.py)."""
        return read_manifest(self.output)

    @property
    def published(self) -> list[str]:
        return [step.rel for step in self.steps if step.action == "publish"]

    @property
    def removed(self) -> list[str]:
        return [step.rel for step in self.steps if step.action == "remove"]
