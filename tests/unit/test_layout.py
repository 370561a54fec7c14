"""The code's shape, checked: imports flow one way through the stage packages, without cycles; modules and
functions stay small; the build cache notices a change to any of sitegen's code."""

from __future__ import annotations

import ast
import shutil
from pathlib import Path

import pytest

from sitegen.incremental import cache
from sitegen.model import Site

PACKAGE = Path(__file__).resolve().parents[2] / "sitegen"

# Lower layers never import higher ones. The shared vocabulary is importable by every layer; pipeline.py (the stage
# order) sits above the stages it calls, below the preview and the commands that call it.
LAYERS: dict[str, int] = {
    "sitegen": 0, "sitegen.errors": 0, "sitegen.paths": 0, "sitegen.model": 0, "sitegen.urls": 0,
    "sitegen.config": 0, "sitegen.progress": 0,
    "sitegen.content": 1,
    "sitegen.site": 2,
    "sitegen.images": 3,
    "sitegen.render": 4,
    "sitegen.publish": 5,
    "sitegen.incremental": 6,
    "sitegen.pipeline": 7,
    "sitegen.preview": 8,
    "sitegen.importers": 8,
    "sitegen.deploy": 8,
    "sitegen.commands": 9,
    "sitegen.cli": 10, "sitegen.__main__": 10,
}  # fmt: skip
MAX_MODULE_LINES = 500
MAX_FUNCTION_LINES = 60


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def layer(module: str) -> int:
    """The layer of a module: that of the longest name in LAYERS it is, or is inside."""
    candidates = [name for name in LAYERS if module == name or module.startswith(name + ".")]
    best = max(candidates, key=len)
    if best == "sitegen" and module != "sitegen":
        raise AssertionError(f"{module} is in no layer: add it to LAYERS")
    return LAYERS[best]


def imports_of(path: Path, *, top_level_only: bool = False) -> set[str]:
    """The sitegen modules a file imports (`from sitegen.x import y` counts sitegen.x.y when that is a module)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    nodes = tree.body if top_level_only else list(ast.walk(tree))
    found: set[str] = set()
    for node in nodes:
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name.split(".")[0] == "sitegen")
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "sitegen":
            found.add(node.module)
            for alias in node.names:
                child = f"{node.module}.{alias.name}"
                if (PACKAGE.parent / child.replace(".", "/")).with_suffix(".py").exists():
                    found.add(child)
    return found


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(PACKAGE.rglob("*.py")) if "__pycache__" not in p.parts}


def test_every_module_is_in_a_layer() -> None:
    for name in modules():
        layer(name)


def test_no_module_imports_a_layer_above_it() -> None:
    wrong = [
        f"{name} (layer {layer(name)}) imports {imported} (layer {layer(imported)})"
        for name, path in modules().items()
        for imported in sorted(imports_of(path))
        if layer(imported) > layer(name)
    ]
    assert not wrong, "\n".join(wrong)


def test_no_import_cycles() -> None:
    known = modules()
    graph = {
        name: {i for i in imports_of(path, top_level_only=True) if i in known and i != name}
        for name, path in known.items()
    }
    state: dict[str, str] = {}
    cycles: list[str] = []

    def visit(name: str, trail: list[str]) -> None:
        state[name] = "open"
        for child in sorted(graph[name]):
            if state.get(child) == "open":
                cycles.append(" → ".join([*trail[trail.index(child) :], child]))
            elif child not in state:
                visit(child, [*trail, child])
        state[name] = "done"

    for name in sorted(graph):
        if name not in state:
            visit(name, [name])
    assert not cycles, "\n".join(cycles)


def test_the_layering_check_can_fail(tmp_path: Path) -> None:
    """A layer-0 module importing a command is what the check above must catch."""
    bad = tmp_path / "bad.py"
    bad.write_text("from sitegen.commands.build import build\n", encoding="utf-8")
    assert any(layer(i) > layer("sitegen.model") for i in imports_of(bad))


def test_modules_and_functions_are_small() -> None:
    too_long: list[str] = []
    for name, path in modules().items():
        text = path.read_text(encoding="utf-8")
        if text.count("\n") > MAX_MODULE_LINES:
            too_long.append(f"{name}: {text.count(chr(10))} lines")
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                lines = (node.end_lineno or node.lineno) - node.lineno + 1
                if lines > MAX_FUNCTION_LINES:
                    too_long.append(f"{name}.{node.name}: {lines} lines")
    assert not too_long, "\n".join(too_long)


def test_the_cache_key_covers_the_code_of_every_subpackage(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    copy = tmp_path / "sitegen"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(cache, "_PACKAGE", copy)
    first = cache.code_digest()
    assert cache.code_digest() == first, "stable"
    (copy / "__pycache__").mkdir(exist_ok=True)
    (copy / "__pycache__" / "x.pyc").write_bytes(b"compiled")
    assert cache.code_digest() == first, "compiled files are not code"
    for changed in ("preview/swap.py", "render/feeds.py", "preview/livereload.js", "errors.py"):
        target = copy / changed
        original = target.read_bytes()
        target.write_bytes(original + b"\n# edited\n")
        assert cache.code_digest() != first, f"an edit of {changed} reaches the cache key"
        target.write_bytes(original)
    assert cache.code_digest() == first
    (copy / "site" / "new_stage.py").write_text("X = 1\n", encoding="utf-8")
    assert cache.code_digest() != first, "a new module reaches the cache key"


def test_the_swap_knows_every_field_of_the_site_that_holds_articles() -> None:
    """preview/swap.py replaces an article in the Site's fields it names: a new field holding articles must be
    named there too."""
    from sitegen.preview import swap

    named = {*swap._ONE, *swap._TUPLES, *swap._MAPPINGS}
    hints = Site.__annotations__
    holding = {name for name, hint in hints.items() if "Article" in str(hint)}
    assert holding == named, "Site fields holding articles and the swap's lists differ"
