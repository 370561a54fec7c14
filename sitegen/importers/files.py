"""Writing an import into a site, safely: never outside the site, never over an editor's work.

Every file an import writes is recorded (path → digest of the bytes written) in `.sitegen-import.json` in the site
folder. Running the import again rewrites a file only when it is still exactly what the import wrote (or `--force`);
a file edited since, or one the import did not write, is kept and reported.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from sitegen.errors import UsageError, error

MANIFEST = ".sitegen-import.json"
WRITTEN, UPDATED, UNCHANGED, KEPT_EDITED, KEPT_FOREIGN = "written", "updated", "unchanged", "kept (edited)", "kept"


def safe_relative(rel: str) -> str | None:
    """Why a relative path from an export can't name a file inside a folder (`../x`, `/etc`, `a\\b`), or None."""
    if not rel or "\x00" in rel or "\\" in rel:
        return "is empty or holds a backslash or NUL"
    path = PurePosixPath(rel)
    if path.is_absolute() or (len(rel) > 1 and rel[1] == ":"):
        return "is absolute"
    if any(part in ("..", ".") or part.startswith(".") for part in path.parts):
        return "has a '..', '.' or hidden segment that would leave its folder"
    return None


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass
class SiteWriter:
    """The one writer of an import: each file's outcome is counted for the report."""

    root: Path
    force: bool = False
    outcomes: dict[str, str] = field(default_factory=dict)  # rel → outcome
    _written: dict[str, str] = field(default_factory=dict)  # rel → digest, as recorded by earlier imports

    def __post_init__(self) -> None:
        path = self.root / MANIFEST
        if path.is_file():
            try:
                loaded = json.loads(path.read_text(encoding="utf-8"))
                self._written = {str(k): str(v) for k, v in loaded.get("files", {}).items()}
            except (ValueError, AttributeError):
                self._written = {}  # a damaged record: every existing file counts as the editor's

    def write(self, rel: str, data: bytes) -> str:
        target = self._target(rel)
        outcome = self._outcome(rel, target, digest(data))
        if outcome in (WRITTEN, UPDATED):
            target.parent.mkdir(parents=True, exist_ok=True)
            temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
            temporary.write_bytes(data)
            temporary.replace(target)
            self._written[rel] = digest(data)
        self.outcomes[rel] = outcome
        return outcome

    def copy(self, source: Path, rel: str) -> str:
        target = self._target(rel)
        data_digest = _file_digest(source)
        outcome = self._outcome(rel, target, data_digest)
        if outcome in (WRITTEN, UPDATED):
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)
            self._written[rel] = data_digest
        self.outcomes[rel] = outcome
        return outcome

    def save(self) -> None:
        record = {"format": "sitegen-import", "version": 1, "files": dict(sorted(self._written.items()))}
        (self.root / MANIFEST).write_text(json.dumps(record, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")

    def _target(self, rel: str) -> Path:
        reason = safe_relative(rel)
        target = self.root.joinpath(*PurePosixPath(rel).parts)
        if reason is None:
            resolved = target.resolve()
            if not resolved.is_relative_to(self.root.resolve()):
                reason = "leads out of the site through a linked folder"
        if reason is not None:
            raise UsageError([error(rel, None, f"refused to write: the path {reason}")])
        return target

    def _outcome(self, rel: str, target: Path, new: str) -> str:
        if not target.exists():
            return WRITTEN
        current = _file_digest(target)
        if current == new:
            return UNCHANGED
        if self.force:
            return UPDATED
        recorded = self._written.get(rel)
        if recorded is None:
            return KEPT_FOREIGN
        return UPDATED if recorded == current else KEPT_EDITED


def _file_digest(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()
