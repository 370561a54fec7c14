"""TOML (`+++`) and JSON (`{`) front-matter, as Hugo writes them, read into fields with the line each key is on.

tomllib and json keep no positions, so a key's line is found in the text: the line that sets it at the top level
(a table's values are the table's, on its `[header]` line). Every scalar also keeps its text as written, as YAML's do,
so `title = 2024` is the title "2024".
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Callable
from datetime import date, datetime, time
from typing import Any

from sitegen.errors import Problem, error

TOML_BOUNDARY = re.compile(r"^\+{3}[ \t]*$", re.MULTILINE)
_TOML_LINE = re.compile(r"at line (\d+)")

# Field is defined in frontmatter.py, which imports this module: it is passed in to keep the import one way.
FieldMaker = Callable[[Any, int, str | None, Any], Any]


def toml_bounds(text: str) -> tuple[int, int, int] | None:
    """(start of the TOML, its end, end of the closing +++ line), or None when it is never closed."""
    opening = TOML_BOUNDARY.match(text)
    if opening is None:
        return None
    closing = TOML_BOUNDARY.search(text, opening.end())
    return None if closing is None else (opening.end(), closing.start(), closing.end())


def read_toml(source: str, text: str, first_line: int, make: FieldMaker) -> tuple[dict[str, Any] | None, list[Problem]]:
    try:
        table = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        found = _TOML_LINE.search(str(exc))
        line = first_line + int(found.group(1)) - 1 if found else first_line
        return None, [error(source, line, f"invalid TOML: {exc}")]
    lines = text.split("\n")
    fields = {}
    for key, value in table.items():
        line, raw = _toml_position(lines, key)
        fields[key] = make(value, first_line + line, raw if isinstance(value, (str, int, float, bool)) else None,
                           _as_written(value))  # fmt: skip
    return fields, []


def _toml_position(lines: list[str], key: str) -> tuple[int, str | None]:
    """The line (from 0) that sets a top-level key, and the value's text as written on it."""
    pattern = re.compile(rf"""^\s*(?:{re.escape(key)}|"{re.escape(key)}"|'{re.escape(key)}')\s*=\s*(.*?)\s*$""")
    header = re.compile(rf"""^\s*\[\[?\s*(?:{re.escape(key)}|"{re.escape(key)}")\s*[.\]]""")
    in_table = False
    for number, line in enumerate(lines):
        if line.lstrip().startswith("["):
            in_table = True
            if header.match(line):
                return number, None
        found = None if in_table else pattern.match(line)
        if found:
            raw = found.group(1)
            return number, raw[1:-1] if raw[:1] in "\"'" and raw[-1:] == raw[:1] else raw
    return 0, None


def json_end(text: str) -> int | None:
    """Where the JSON object the text starts with ends, or None when it is not one."""
    try:
        _, end = json.JSONDecoder().raw_decode(text)
    except json.JSONDecodeError:
        return None
    return end


def read_json(source: str, text: str, make: FieldMaker) -> tuple[dict[str, Any] | None, int, list[Problem]]:
    """The fields of the JSON object the file starts with, and where it ends; duplicate keys are errors."""
    problems: list[Problem] = []

    def no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        seen: dict[str, Any] = {}
        for key, value in pairs:
            if key in seen:
                problems.append(error(source, _json_line(text, key), f"'{key}' is given twice"))
            seen[key] = value
        return seen

    try:
        table, end = json.JSONDecoder(object_pairs_hook=no_duplicates).raw_decode(text)
    except json.JSONDecodeError as exc:
        return None, 0, [error(source, exc.lineno, f"invalid JSON front-matter: {exc.msg}")]
    if not isinstance(table, dict):
        return None, 0, [error(source, 1, "front-matter must be a JSON object")]
    fields = {
        key: make(value, _json_line(text[:end], key), json.dumps(value) if _scalar(value) else None, _as_written(value))
        for key, value in table.items()
    }
    return (None if problems else fields), end, problems


def _json_line(text: str, key: str) -> int:
    found = re.search(rf'"{re.escape(key)}"\s*:', text)
    return text.count("\n", 0, found.start()) + 1 if found else 1


def _scalar(value: Any) -> bool:
    return isinstance(value, (int, float, bool)) and value is not None


def _as_written(value: Any) -> Any:
    """Every scalar as text: `tags = ["no", 2024]` → ["no", "2024"], dates in ISO 8601."""
    if isinstance(value, str) or value is None:
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (datetime, date, time)):
        return value.isoformat()
    if isinstance(value, list):
        return [_as_written(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _as_written(v) for k, v in value.items()}
    return str(value)
