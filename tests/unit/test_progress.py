"""The progress bar: drawn on a terminal for long stages, never in a pipe, cleared before the summary."""

from __future__ import annotations

import io

from sitegen.progress import Progress


def test_a_long_stage_draws_a_bar_and_clears_it() -> None:
    stream = io.StringIO()
    progress = Progress(enabled=True, stream=stream)
    progress.start("rendering", 1000)
    for _ in range(1000):
        progress.tick()
    progress.finish()
    text = stream.getvalue()
    assert "rendering" in text and "1000/1000" in text and "█" in text
    assert text.endswith("\r\033[K")


def test_nothing_is_drawn_when_disabled_or_for_short_stages() -> None:
    for progress, total in ((Progress(enabled=False, stream=io.StringIO()), 5000), (None, 10)):
        stream = io.StringIO()
        bar = progress or Progress(enabled=True, stream=stream)
        bar.stream = stream
        bar.start("reading", total)
        bar.tick(total)
        bar.finish()
        assert stream.getvalue() == ""


def test_for_terminal_is_off_when_quiet() -> None:
    assert not Progress.for_terminal(quiet=True).enabled
