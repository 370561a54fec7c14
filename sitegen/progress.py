"""Progress of a long build on a terminal: one line redrawn in place, on stderr, never in a pipe or a log."""

from __future__ import annotations

import sys
import time
from typing import TextIO

_WIDTH = 30
_MIN_TOTAL = 200  # smaller stages finish before a bar would be worth drawing
_REDRAW_SECONDS = 0.1


class Progress:
    """Counts work done in named stages; draws a bar only when `enabled` (a terminal, and not `-q`)."""

    def __init__(self, enabled: bool = False, stream: TextIO | None = None) -> None:
        self.enabled = enabled
        self.stream = stream if stream is not None else sys.stderr
        self.stage = ""
        self.total = 0
        self.done = 0
        self._drawn_at = 0.0
        self._visible = False

    @classmethod
    def for_terminal(cls, quiet: bool) -> Progress:
        return cls(enabled=not quiet and sys.stderr.isatty())

    def start(self, stage: str, total: int) -> None:
        self.finish()
        self.stage, self.total, self.done = stage, total, 0

    def tick(self, count: int = 1) -> None:
        self.done += count
        if not self.enabled or self.total < _MIN_TOTAL:
            return
        now = time.monotonic()
        if now - self._drawn_at >= _REDRAW_SECONDS or self.done >= self.total:
            self._drawn_at = now
            self._draw()

    def finish(self) -> None:
        if self._visible:
            self.stream.write("\r\033[K")  # clear the bar: the summary line replaces it
            self.stream.flush()
            self._visible = False

    def _draw(self) -> None:
        share = min(1.0, self.done / self.total) if self.total else 1.0
        filled = round(share * _WIDTH)
        bar = "█" * filled + "░" * (_WIDTH - filled)
        self.stream.write(f"\r{self.stage:<10} {bar} {self.done}/{self.total}")
        self.stream.flush()
        self._visible = True
