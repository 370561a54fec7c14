"""Golden sites: tests/golden/sites/NAME is built and compared file by file with tests/golden/sites/NAME/expected.

After an intended change to the theme or the output, run `pytest tests/golden --update-golden` and review
the diff of expected/ like any other change.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import Run

SITES = Path(__file__).parent / "sites"
GENERATED = {".sitegen-manifest.json"}  # bookkeeping, not part of the published site's contract


def published(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name not in GENERATED
    }


@pytest.mark.parametrize("name", sorted(p.name for p in SITES.iterdir() if p.is_dir()))
def test_golden_site(name: str, tmp_path: Path, cli: Callable[..., Run], request: pytest.FixtureRequest) -> None:
    site = tmp_path / name
    shutil.copytree(SITES / name, site, ignore=shutil.ignore_patterns("expected"))
    result = cli("build", site, "-o", tmp_path / "out")
    assert result.code == 0, result.err
    actual = published(tmp_path / "out")
    expected_dir = SITES / name / "expected"
    if request.config.getoption("--update-golden"):
        shutil.rmtree(expected_dir, ignore_errors=True)
        shutil.copytree(tmp_path / "out", expected_dir, ignore=shutil.ignore_patterns(*GENERATED))
    expected = published(expected_dir)
    assert sorted(actual) == sorted(expected), "a page appeared or disappeared"
    for rel, data in expected.items():
        if rel.endswith((".png", ".jpg")):  # a page bundle's images: compared as bytes
            assert actual[rel] == data, f"{rel} differs"
            continue
        assert actual[rel].decode() == data.decode(), f"{rel} differs (run with --update-golden if intended)"
