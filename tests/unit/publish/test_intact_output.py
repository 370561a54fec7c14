"""What `sitegen deploy` publishes: the last build's files, from one reading of its manifest, only when all of them
are still there."""

from __future__ import annotations

import itertools
import json

from sitegen.commands.build import BuildOptions, build
from sitegen.paths import MANIFEST_FILE, PENDING_FILE
from sitegen.publish import writer
from sitegen.publish.writer import intact_output, read_manifest
from tests.conftest import SiteWriter, article

SITE = {
    "content/news/2025/drills.md": article("Joint drills announced", "2025-09-01T09:00:00+04:00", "Drills."),
    "content/news/2025/later.md": article("Later", "2025-09-02T09:00:00+04:00", "Later.", draft="true"),
}


def test_the_files_and_the_flag_of_an_intact_build(write_site: SiteWriter) -> None:
    root = write_site(SITE)
    output = root / "public"
    build(BuildOptions(root=root, output=output))
    built = intact_output(output)
    assert built is not None and not built.unpublished
    assert built.files == read_manifest(output) and "news/drills/index.html" in built.files
    build(BuildOptions(root=root, output=output, drafts=True))
    preview = intact_output(output)
    assert preview is not None and preview.unpublished and "news/later/index.html" in preview.files


def test_nothing_when_the_build_is_not_all_there(write_site: SiteWriter) -> None:
    root = write_site(SITE)
    output = root / "public"
    assert intact_output(output) is None  # never built
    build(BuildOptions(root=root, output=output))
    (output / "news/drills/index.html").write_text("changed by hand, another size")
    assert intact_output(output) is None
    build(BuildOptions(root=root, output=output))
    (output / PENDING_FILE).write_text("{}")  # a commit cut short
    assert intact_output(output) is None
    (output / PENDING_FILE).unlink()
    manifest = json.loads((output / MANIFEST_FILE).read_text())
    manifest["files"]["../outside.html"] = ["0" * 64, 1]  # edited by hand to lead out of the folder
    (output / MANIFEST_FILE).write_text(json.dumps(manifest))
    assert intact_output(output) is None


def test_names_inside_the_folder_are_told_as_their_parts_say() -> None:
    """The quick string tests refuse exactly the names with an empty, `.` or `..` part, a backslash or a NUL: every
    name of up to six characters made of `a`, `.`, `/`, `\\` and NUL."""

    def by_parts(rel: str) -> bool:
        return (
            bool(rel)
            and "\\" not in rel
            and "\x00" not in rel
            and all(p not in {"", ".", ".."} for p in rel.split("/"))
        )

    names = ["".join(chars) for n in range(7) for chars in itertools.product("a./\\\x00", repeat=n)]
    for name in [*names, "news/.../index.html", "a..b.html", "news/./x", "news/../x"]:
        assert writer._safe_rel(name) == by_parts(name), repr(name)
