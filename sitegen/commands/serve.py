"""`sitegen serve`: the live preview (sitegen.preview) started, reported on, and stopped on Ctrl-C or SIGTERM."""

from __future__ import annotations

import ipaddress
import shutil
import signal
import threading
from pathlib import Path
from types import FrameType

from sitegen.errors import EXIT_OK, EXIT_USAGE
from sitegen.preview.reporter import Reporter
from sitegen.preview.server import WILDCARDS, Preview


def serve(root: Path, *, host: str, port: int, drafts: bool, future: bool) -> int:
    """Run the preview until Ctrl-C or SIGTERM; exit quietly."""
    reporter = Reporter()
    if not root.is_dir():
        reporter.failure(f"sitegen: {root}: no such site folder")
        return EXIT_USAGE
    if host in WILDCARDS or not _is_loopback(host):
        reporter.failure(f"sitegen: warning: serving on {host or 'all interfaces'}: anyone on your network can read "
                         "the preview, drafts included")  # fmt: skip
    try:
        preview = Preview(root, host=host, port=port, drafts=drafts, future=future, reporter=reporter)
    except OSError as exc:
        reporter.failure(f"sitegen: cannot listen on {host}:{port}: {exc.strerror or exc}")
        return EXIT_USAGE
    # Installed explicitly: a process started in the background inherits an ignored SIGINT and would never stop.
    previous = {sig: signal.signal(sig, _interrupt) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        preview.start()
        reporter.status(f"Serving {root} at {preview.url} (drafts {'shown' if drafts else 'hidden'}; Ctrl-C to stop)")
        threading.Event().wait()
    except KeyboardInterrupt:
        reporter.failure("\nStopping.")
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        try:
            preview.close()
        except KeyboardInterrupt:  # a second Ctrl-C while an update finishes: stop waiting for anything
            preview.index.kill()
            shutil.rmtree(preview.output.parent, ignore_errors=True)
    return EXIT_OK


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
