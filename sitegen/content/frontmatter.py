"""Splitting a Markdown file into front-matter and body, and reading the fields with line numbers.

Front-matter is YAML between `---` lines, TOML between `+++` lines (Hugo's default) or a JSON object (formats.py).
python-frontmatter's boundary pattern decides where YAML front-matter is; the YAML is composed node by node with the
safe loader so that every value keeps the line it came from (errors name it) and its text as written
(`title: no` stays "no", not False).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import yaml
from frontmatter.default_handlers import YAMLHandler

from sitegen.content.formats import json_end, read_json, read_toml, toml_bounds
from sitegen.errors import Problem, error

_BOUNDARY = YAMLHandler.FM_BOUNDARY


class _Loader(yaml.SafeLoader):
    """The safe loader without implicit timestamps: dates stay text, and sitegen parses them with clear errors."""

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        # Aliases (*name) let a few lines expand into gigabytes ("billion laughs"); front-matter never needs them.
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()  # type: ignore[no-untyped-call]
            raise yaml.composer.ComposerError(
                None, None, "YAML aliases (*name) are not allowed in front-matter", event.start_mark
            )
        return super().compose_node(parent, index)


class _FastLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """The same loader on libyaml's C parser, ten times faster; errors are reported by the pure-Python one, whose
    messages and marks are the ones users see."""


_Loader.yaml_implicit_resolvers = _FastLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


@dataclass(frozen=True)
class Field:
    value: Any
    line: int
    raw: str | None  # the scalar's text as written, None for lists and mappings
    written: Any = None  # the value with every scalar as its text as written: `tags: [no, 2024]` → ["no", "2024"]
    key: str = ""  # the key as written, when another generator's name was read as sitegen's (`lastmod` → updated)


@dataclass(frozen=True)
class Document:
    fields: dict[str, Field]
    body: str
    body_line: int  # first line of the body in the file


def decode(source: str, data: bytes) -> tuple[str | None, list[Problem]]:
    """UTF-8 with or without a BOM, CRLF or LF; anything else is an error naming the byte."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        hint = ": it looks like UTF-16, save it as UTF-8" if data.startswith((b"\xff\xfe", b"\xfe\xff")) else ""
        return None, [
            error(source, line, f"not UTF-8 text (invalid byte 0x{data[exc.start]:02x} at offset {exc.start}){hint}")
        ]
    nul = data.find(b"\x00")
    if nul >= 0:  # text editors never write NUL: a binary file, or one cut short by a crash
        line = data[:nul].count(b"\n") + 1
        return None, [error(source, line, f"contains a NUL byte at offset {nul}: not a text file")]
    return text.replace("\r\n", "\n").replace("\r", "\n"), []


def split(source: str, text: str, *, required: bool = True) -> tuple[Document | None, list[Problem]]:
    """Front-matter fields and body of one file, or the problems that stop it being read."""
    if not text.strip():
        return None, [error(source, None, "the file is empty: an article needs front-matter with a title and date")]
    if text.startswith("+++"):
        return _split_toml(source, text)
    if text.startswith("{") and (required or json_end(text) is not None):
        return _split_json(source, text)
    opening = _BOUNDARY.match(text)
    if opening is None:
        if required:
            message = "no front-matter: the file must start with a '---' (YAML), '+++' (TOML) or '{' (JSON) line"
            return None, [error(source, 1, message)]
        return Document({}, text, 1), []
    closing = _BOUNDARY.search(text, opening.end())
    if closing is None:
        return None, [error(source, 1, "the front-matter opened on line 1 is never closed with a '---' line")]
    yaml_start = opening.end() + 1 if text.startswith("\n", opening.end()) else opening.end()
    yaml_text = text[yaml_start : closing.start()]
    first_line = text.count("\n", 0, yaml_start) + 1
    body, body_line = _body_after(text, closing)
    fields, problems = _read_yaml(source, yaml_text, first_line)
    if fields is None:
        return None, problems
    return Document(fields, body, body_line), problems


def _split_toml(source: str, text: str) -> tuple[Document | None, list[Problem]]:
    bounds = toml_bounds(text)
    if bounds is None:
        return None, [error(source, 1, "the front-matter opened on line 1 is never closed with a '+++' line")]
    start, end, after = bounds
    fields, problems = read_toml(source, text[start:end], 1, Field)
    if fields is None:
        return None, problems
    return Document(fields, *_body_from(text, after)), problems


def _split_json(source: str, text: str) -> tuple[Document | None, list[Problem]]:
    fields, end, problems = read_json(source, text, Field)
    if fields is None:
        return None, problems
    return Document(fields, *_body_from(text, end)), problems


def _body_from(text: str, end: int) -> tuple[str, int]:
    """The body after front-matter ending at `end` (the rest of its line is part of it), and its first line."""
    newline = text.find("\n", end)
    start = len(text) if newline < 0 else newline + 1
    return text[start:], text.count("\n", 0, start) + 1


def body_of(text: str) -> tuple[str, int] | None:
    """The body of a file with front-matter and the line it starts on, found as `split` finds them, without reading
    the front-matter (for an article whose fields are already known)."""
    if text.startswith("+++"):
        bounds = toml_bounds(text)
        return None if bounds is None else _body_from(text, bounds[2])
    if text.startswith("{"):
        end = json_end(text)
        return None if end is None else _body_from(text, end)
    opening = _BOUNDARY.match(text)
    closing = _BOUNDARY.search(text, opening.end()) if opening else None
    return None if closing is None else _body_after(text, closing)


def _body_after(text: str, closing: re.Match[str]) -> tuple[str, int]:
    return text[closing.end() :].removeprefix("\n"), text.count("\n", 0, closing.end()) + 2


def _read_yaml(source: str, text: str, first_line: int) -> tuple[dict[str, Field] | None, list[Problem]]:
    # The C loader has no hook to refuse aliases (`&a`/`*a`, the "billion laughs"): text that could hold one takes
    # the pure-Python loader, which refuses them.
    if "&" not in text and "*" not in text:
        fast = _FastLoader(text)
        try:
            node = fast.get_single_node()
            if isinstance(node, yaml.MappingNode):
                return _read_mapping(source, fast, node, first_line)
        except yaml.YAMLError:
            pass  # read again below, for the message
        finally:
            fast.dispose()
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return {}, []
        if not isinstance(node, yaml.MappingNode):
            kind = "a list" if isinstance(node, yaml.SequenceNode) else "a single value"
            line = first_line + node.start_mark.line
            return None, [error(source, line, f"front-matter must be a mapping of 'key: value' lines, not {kind}")]
        return _read_mapping(source, loader, node, first_line)
    except yaml.MarkedYAMLError as exc:
        # A quote left open is only noticed at the end of the stream: the line where it was opened is more useful.
        at_end = "end of stream" in (exc.problem or "")
        mark = (exc.context_mark if at_end else None) or exc.problem_mark or exc.context_mark
        line = first_line + mark.line if mark else first_line
        return None, [error(source, line, f"invalid YAML: {_yaml_message(exc)}")]
    except yaml.YAMLError as exc:
        return None, [error(source, first_line, f"invalid YAML: {exc}")]
    except RecursionError:
        return None, [error(source, first_line, "invalid YAML: lists or mappings nested too deeply")]
    finally:
        loader.dispose()


def _read_mapping(
    source: str, loader: yaml.SafeLoader, node: yaml.MappingNode, first_line: int
) -> tuple[dict[str, Field] | None, list[Problem]]:
    fields: dict[str, Field] = {}
    problems: list[Problem] = []
    for key_node, value_node in node.value:
        line = first_line + key_node.start_mark.line
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, str):
            problems.append(error(source, line, f"front-matter keys must be names, not {key!r}"))
            continue
        if key in fields:
            problems.append(error(source, line, f"'{key}' is given twice (first on line {fields[key].line})"))
            continue
        value = _construct(loader, value_node)
        raw = value_node.value if isinstance(value_node, yaml.ScalarNode) else None
        fields[key] = Field(value, line, raw, _as_written(loader, value_node))
    return (None if problems else fields), problems


_STR = "tag:yaml.org,2002:str"
_SEQ = "tag:yaml.org,2002:seq"


def _construct(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
    """The node's value, as the loader would construct it. Strings and lists of strings (nearly every front-matter
    value) are taken straight from the node: the constructor's machinery costs a tenth of reading an article."""
    if node.tag == _STR and isinstance(node, yaml.ScalarNode):
        return node.value
    items = node.value if node.tag == _SEQ and isinstance(node, yaml.SequenceNode) else None
    if items is not None and all(item.tag == _STR and isinstance(item, yaml.ScalarNode) for item in items):
        return [item.value for item in items]
    return loader.construct_object(node, deep=True)


def _as_written(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
    if node.tag == _STR and isinstance(node, yaml.ScalarNode):
        return node.value
    if isinstance(node, yaml.SequenceNode):
        return [_as_written(loader, item) for item in node.value]
    if isinstance(node, yaml.MappingNode):
        return {str(_as_written(loader, k)): _as_written(loader, v) for k, v in node.value}
    if loader.construct_object(node) is None:
        return None  # `null`, `~` and empty values stay empty
    return str(node.value)


def _yaml_message(exc: yaml.MarkedYAMLError) -> str:
    parts = [exc.context or "", exc.problem or ""]
    message = "; ".join(p for p in parts if p)
    if "could not determine a constructor" in message:
        message += " (only plain YAML is allowed: tags such as !!python/object are refused)"
    return message or str(exc)
