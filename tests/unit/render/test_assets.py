"""Asset fingerprinting: which theme files get a hashed copy and what URL `asset()` gives. No files needed."""

from __future__ import annotations

from sitegen.render.assets import Assets, hashed_name


def test_assets_only_fingerprint_css_and_js() -> None:
    assets = Assets.fingerprint(["css/a.css", "img/b.png"], lambda rel: b"x")
    assert assets.url("/css/a.css") == f"/{hashed_name('css/a.css', b'x')}"
    assert assets.url("img/b.png") == "/img/b.png"
