"""One build of a site at a time: two builds publishing into one output folder at once would mix their files.

The lock is an advisory `flock` on a file in the site's cache folder. The kernel releases it when the process ends,
however it ends (even SIGKILL), so a crashed build never leaves a stale lock behind.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

from sitegen.errors import UsageError, error
from sitegen.paths import CACHE_DIR, LOCK_FILE


@contextmanager
def site_lock(root: Path) -> Iterator[None]:
    """Hold the site's build lock for the duration; UsageError (exit 2) at once if another build holds it."""
    path = root / CACHE_DIR / LOCK_FILE
    try:
        path.parent.mkdir(exist_ok=True)
        handle = path.open("a+", encoding="utf-8")
    except OSError:
        # A read-only site folder (a CI checkout mounted read-only) can't hold a lock; its builds still work.
        yield
        return
    with handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise UsageError([error(path.relative_to(root).as_posix(), None, _busy_message(handle))]) from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()}\n")  # for the message another build shows
        handle.flush()
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _busy_message(handle: TextIO) -> str:
    holder = ""
    try:
        handle.seek(0)
        pid = handle.read().strip()
        holder = f" (process {pid})" if pid.isdigit() else ""
    except OSError:
        pass
    return f"another sitegen build of this site is running{holder}: wait for it to finish, then try again"
