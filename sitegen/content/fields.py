"""Typed values read out of front-matter fields, each bad one a problem naming its file and line."""

from __future__ import annotations

import difflib
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from sitegen.content.frontmatter import Document, Field
from sitegen.content.offsets import shared_offset
from sitegen.errors import Problem, error, warning
from sitegen.model import Image
from sitegen.urls import check_url_scheme


class FieldReader:
    """Reads typed values out of front-matter fields, collecting a problem (with its line) for each bad one."""

    def __init__(self, source: str, doc: Document, tz: ZoneInfo) -> None:
        self.source = source
        self.doc = doc
        self.tz = tz
        self.problems: list[Problem] = []

    def _field(self, key: str) -> Field | None:
        return self.doc.fields.get(key)

    def _line(self, key: str) -> int | None:
        found = self._field(key)
        return found.line if found else None

    def fail(self, key: str, message: str) -> None:
        found = self._field(key)
        written = found.key if found is not None and found.key else key  # `lastmod`, not the `updated` it became
        self.problems.append(error(self.source, self._line(key), f"{written}: {message}"))

    def warn_unknown(self, known: frozenset[str]) -> None:
        for key, found in self.doc.fields.items():
            if key not in known:
                close = difflib.get_close_matches(key, sorted(known), n=1)
                hint = f" (did you mean '{close[0]}'?)" if close else ""
                self.problems.append(warning(self.source, found.line, f"unknown front-matter key '{key}'{hint}"))

    def text(self, key: str) -> str | None:
        """A string as written: `title: no` is "no" and `title: 2024` is "2024", never False or 2024.0."""
        found = self._field(key)
        if found is None or found.value is None:
            return None
        if isinstance(found.value, str):
            return found.value.strip()
        if found.raw is not None:
            return found.raw.strip()
        self.fail(key, f"must be text, not a {_kind(found.value)}")
        return None

    def flag(self, key: str) -> bool:
        found = self._field(key)
        if found is None or found.value is None:
            return False
        if isinstance(found.value, bool):
            return found.value
        self.fail(key, f"must be true or false, not {_shown(found)}")
        return False

    def integer(self, key: str, default: int) -> int:
        found = self._field(key)
        if found is None or found.value is None:
            return default
        if isinstance(found.value, int) and not isinstance(found.value, bool):
            return found.value
        self.fail(key, f"must be a whole number, not {_shown(found)}")
        return default

    def names(self, *keys: str) -> list[str]:
        """A list of names, or one name as a string (`authors: Ani` and `author: Ani` both work)."""
        for key in keys:
            found = self._field(key)
            if found is None or found.value is None:
                continue
            written = found.written if found.written is not None else found.value
            values = written if isinstance(written, list) else [written]
            names: list[str] = []
            for value in values:
                if isinstance(value, (dict, list)) or value is None:
                    self.fail(key, "must be a list of names")
                    return []
                name = str(value).strip()
                if name and name not in names:
                    names.append(name)
            return names
        return []

    def moment(self, key: str) -> datetime | None:
        """An ISO 8601 date or datetime; a value without an offset is in the site's time zone."""
        found = self._field(key)
        if found is None or found.value is None:
            return None
        value = found.value
        if isinstance(value, datetime):
            parsed = value
        elif isinstance(value, date):
            parsed = datetime.combine(value, time())
        elif isinstance(value, str):
            try:
                parsed = datetime.fromisoformat(value.strip())
            except ValueError as exc:
                self.fail(
                    key, f"{value!r} is not an ISO 8601 date such as 2025-09-11 or 2025-09-11T09:30:00+04:00 ({exc})"
                )
                return None
        else:
            self.fail(key, f"{_shown(found)} is not a date")
            return None
        if not 1000 <= parsed.year <= 9998:  # at the ends of the calendar, converting time zones overflows
            self.fail(key, f"{_shown(found)} is out of range (years 1000 to 9998)")
            return None
        return shared_offset(parsed) if parsed.tzinfo else parsed.replace(tzinfo=self.tz)

    def image(self, base: str = "/") -> Image | None:
        """The image: a bare path is relative to `base` (the site root, or a page bundle's folder)."""
        found = self._field("image")
        if found is None or found.value is None:
            return None
        value = found.written if found.written is not None else found.value  # `alt: no` is "no", not False
        if isinstance(value, str):
            value = {"src": value}
        if not isinstance(value, dict) or not isinstance(value.get("src"), str) or not value["src"].strip():
            self.fail("image", "must be a path or URL, or a mapping with 'src' (and 'alt', 'caption', 'credit')")
            return None
        extra = set(value) - {"src", "alt", "caption", "credit", "focus"}
        if extra:
            self.fail("image", f"unknown image field(s): {', '.join(sorted(map(str, extra)))}")
        src = value["src"].strip()
        reason = check_url_scheme(src)
        if reason:
            self.fail("image", reason)
            return None
        if not src.startswith(("/", "http://", "https://")):
            src = base + src.removeprefix("./")  # static/ is copied to the root; a bundle's files beside its page
        alt, caption, credit = (str(value.get(k) or "").strip() for k in ("alt", "caption", "credit"))
        return Image(src, alt, caption, credit, focus=self._focus(value.get("focus")))

    def _focus(self, value: Any) -> tuple[float, ...]:
        """`focus: [0.3, 0.6]`, `focus: "30% 60%"` or `focus: 0.3, 0.6`: where crops centre, from the left and the
        top of the picture; left out, the centre."""
        if value is None:
            return ()
        parts = value if isinstance(value, list) else str(value).replace(",", " ").split()
        numbers: list[float] = []
        for part in parts:
            text = str(part).strip()
            try:
                number = float(text[:-1]) / 100 if text.endswith("%") else float(text)
            except ValueError:
                number = -1.0
            numbers.append(number)
        if len(numbers) != 2 or not all(0 <= n <= 1 for n in numbers) or any(isinstance(p, bool) for p in parts):
            self.fail("image", f"focus must be two fractions from the left and the top, such as [0.3, 0.6] or "
                               f"\"30% 60%\", not {value!r}")  # fmt: skip
            return ()
        return (numbers[0], numbers[1])


def _shown(found: Field) -> str:
    """A value for a message, cut short: a pasted paragraph or a long list must not flood the terminal."""
    text = found.raw if found.raw is not None else repr(found.value)
    return text if len(text) <= 60 else text[:57] + "..."


def _kind(value: Any) -> str:
    return "list" if isinstance(value, list) else "mapping" if isinstance(value, dict) else type(value).__name__
