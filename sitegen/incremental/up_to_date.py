"""Whether a build has anything to do, from stamps alone: the previous build read exactly the same inputs, nothing
has appeared or expired since (its horizon), and its output is still as it was written. Then the build renders,
writes and parses nothing, and is over once the site is listed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime

from sitegen.content.sources import SourceFile
from sitegen.incremental.cache import LastBuild


def inputs_digest(settings: Sequence[str], files: Iterable[SourceFile]) -> str:
    """Everything a build reads, by stamp: unchanged digest, unchanged site (until the horizon)."""
    h = hashlib.sha256()
    for part in settings:
        h.update(part.encode("utf-8", "surrogatepass") + b"\0")
    # One string for all the files, encoded and hashed at once: a call per file is a tenth of a no-op build.
    stamps = "".join([f"{found.fspath}\0{found.mtime_ns}\0{found.size}\n" for found in files])
    h.update(stamps.encode("utf-8", "surrogatepass"))
    return h.hexdigest()


def nothing_changed(last: LastBuild | None, inputs: str, now: datetime, intact: Callable[[], bool]) -> bool:
    """True when the previous build read exactly these inputs, nothing has appeared or expired since, and its output
    is still in place as it was written (`intact`, asked last: it is the costly part): then this build would render
    and write nothing, so skip it all."""
    if last is None or last.inputs != inputs:
        return False
    if last.horizon is not None and now.timestamp() >= last.horizon:
        return False
    return intact()
