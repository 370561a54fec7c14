"""Problems found in a site, and the exceptions that carry them to the command line.

Every stage collects problems instead of stopping at the first one, so an editor sees everything that is wrong with
the site in one run. A Problem always names a file, and a line where one is known.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

EXIT_OK = 0
EXIT_CONTENT = 1
EXIT_USAGE = 2


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with the site: `path:line: message`."""

    path: str
    line: int | None
    message: str
    severity: Severity = Severity.ERROR

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        prefix = "" if self.severity is Severity.ERROR else f"{self.severity.value}: "
        return f"{where}: {prefix}{self.message}"


def error(path: Path | str, line: int | None, message: str) -> Problem:
    return Problem(str(path), line, message, Severity.ERROR)


def warning(path: Path | str, line: int | None, message: str) -> Problem:
    return Problem(str(path), line, message, Severity.WARNING)


def errors_in(problems: Iterable[Problem]) -> list[Problem]:
    return [p for p in problems if p.severity is Severity.ERROR]


class SitegenError(Exception):
    """A failure that ends the command with `exit_code` after printing every problem it carries.

    Two kinds, one per exit code: ContentError (1: the site's own files are wrong) and UsageError (2: sitegen refuses).
    """

    exit_code = EXIT_CONTENT

    def __init__(self, problems: Iterable[Problem] | str) -> None:
        if isinstance(problems, str):
            problems = [Problem("sitegen", None, problems)]
        self.problems: list[Problem] = sorted(problems, key=_problem_order)
        super().__init__("\n".join(str(p) for p in self.problems))

    @property
    def problem(self) -> Problem:
        """The first problem: a page that fails to render fails for one reason."""
        return self.problems[0]


def _problem_order(p: Problem) -> tuple[str, int, str]:
    return (p.path, p.line or 0, p.message)


class ContentError(SitegenError):
    """Articles, data or templates are wrong (exit 1): fix the files and build again."""

    exit_code = EXIT_CONTENT


class UsageError(SitegenError):
    """sitegen refuses (exit 2): a configuration it cannot use, an output folder where it could damage files it does
    not own, a site being built by another sitegen, or a command asked for something it can't do."""

    exit_code = EXIT_USAGE


def stop_on_errors(problems: Iterable[Problem]) -> None:
    """Raise ContentError with every problem when any of them is an error."""
    found = list(problems)
    if errors_in(found):
        raise ContentError(found)
