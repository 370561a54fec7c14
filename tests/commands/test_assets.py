"""Fingerprinted theme CSS and JavaScript through the `asset()` template helper."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable

from sitegen.render.assets import hashed_name
from tests.conftest import Run, SiteWriter, article
from tests.publishing import build, read

SITE = {"content/news/a.md": article("A", "2025-09-01")}


def test_pages_link_hashed_copies_and_the_plain_files_stay(write_site: SiteWriter, cli: Callable[..., Run]) -> None:
    out = build(write_site, cli, SITE)
    html = read(out, "index.html")
    css = re.search(r'href="/(css/site\.([0-9a-f]{10})\.css)"', html)
    js = re.search(r'src="/(js/site\.([0-9a-f]{10})\.js)"', html)
    assert css and js
    for match, plain in ((css, "css/site.css"), (js, "js/site.js")):
        data = (out / plain).read_bytes()
        assert (out / match.group(1)).read_bytes() == data
        assert match.group(2) == hashlib.sha256(data).hexdigest()[:10]


def test_the_hash_follows_the_sites_own_css(write_site: SiteWriter, cli: Callable[..., Run]) -> None:
    out = build(write_site, cli, {**SITE, "static/css/site.css": "body { color: red; }\n"})
    name = hashed_name("css/site.css", b"body { color: red; }\n")
    assert f'href="/{name}"' in read(out, "index.html")
    assert (out / name).read_text() == "body { color: red; }\n"


def test_an_unknown_asset_is_a_template_error(write_site: SiteWriter, cli: Callable[..., Run]) -> None:
    page = '{% extends "base.html" %}{% block content %}<img src="{{ asset(\'img/nope.png\') }}">{% endblock %}'
    root = write_site({**SITE, "templates/home.html": page})
    result = cli("build", root, "-q")
    assert result.code == 1
    assert "templates/home.html:1" in result.err
    assert "img/nope.png" in result.err
