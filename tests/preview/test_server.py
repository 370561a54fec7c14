"""The preview server over HTTP: traversal, Host header, errors, and serving while a rebuild runs."""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

import sitegen
from sitegen.commands.build import BuildOptions, build
from sitegen.preview.live_site import Update
from sitegen.preview.server import Preview, allowed_host, inject, resolve_url
from sitegen.preview.snapshot import Redirect
from tests.conftest import SiteWriter, article

ARTICLE = "content/news/x.md"


class Client:
    def __init__(self, preview: Preview) -> None:
        self.port = int(preview.http.server_address[1])

    def get(self, path: str, host: str | None = None) -> tuple[int, bytes, http.client.HTTPResponse]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        conn.request("GET", path, headers={"Host": f"127.0.0.1:{self.port}" if host is None else host})
        response = conn.getresponse()
        body = response.read()
        conn.close()
        return response.status, body, response

    def first_event(self) -> dict[str, object]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        conn.request("GET", "/__sitegen/events", headers={"Host": f"localhost:{self.port}"})
        response = conn.getresponse()
        lines = []
        while (line := response.fp.readline().decode()) != "\n":
            lines.append(line)
        conn.close()
        data = next(line for line in lines if line.startswith("data: "))
        result: dict[str, object] = json.loads(data[len("data: ") :])
        return result


def wait_for(condition: Callable[[], bool]) -> None:
    deadline = time.monotonic() + 20
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


@pytest.fixture
def site(write_site: SiteWriter) -> Path:
    return write_site({ARTICLE: article("Ex", "2025-09-01", "Old words.")})


def start(root: Path) -> Preview:
    preview = Preview(root, port=0)
    preview.start()
    assert preview.state.wait_ready(timeout=30)
    return preview


@pytest.fixture
def preview(site: Path) -> Iterator[Preview]:
    with start(site) as running:
        yield running


def test_serves_what_build_writes_with_the_script_added(preview: Preview, tmp_path: Path) -> None:
    client = Client(preview)
    status, body, response = client.get("/news/x/")
    assert status == 200
    assert b"Old words." in body
    assert b"/__sitegen/livereload.js" in body
    assert response.getheader("Cache-Control") == "no-store"
    build(BuildOptions(preview.root, tmp_path / "built", drafts=True))
    served = (
        body[: body.index(b"<script>window.__sitegen")]
        + body[body.index(b"</script>\n", body.index(b"livereload.js")) + 10 :]
    )
    assert served == (tmp_path / "built/news/x/index.html").read_bytes()
    assert client.get("/news/x")[2].getheader("Location") == "/news/x/"
    status, body, _ = client.get("/__sitegen/livereload.js")
    assert status == 200 and b"EventSource" in body


def test_drafts_shown_with_a_banner(write_site: SiteWriter) -> None:
    root = write_site({ARTICLE: article("Ex", "2025-09-01", "Draft words.", draft="true")})
    with start(root) as preview:
        status, body, _ = Client(preview).get("/news/x/")
    assert status == 200
    assert b'class="draft-banner"' in body


TRAVERSALS = [
    "/../../etc/passwd",
    "/%2e%2e/%2e%2e/etc/passwd",
    "/%2E%2E/%2E%2E/etc/passwd",
    "/news/..%2f..%2f..%2fetc/passwd",
    "/..%5c..%5cetc%5cpasswd",
    "/..\\..\\etc\\passwd",
    "/news/x/index.html%00.css",
    "//etc/passwd",
    "/%2fetc%2fpasswd",
    "http://127.0.0.1/etc/passwd",
    "/.sitegen-manifest.json",
    "/%2esitegen-manifest.json",
    "/css/",  # a folder without index.html is not listed
    "/outside/secret.txt",  # a symlink in static/ out of the site
    "/pagefind/outside/secret.txt",  # a symlink in the search index's folder out of it
    "/pagefind/../../secret-folder/secret.txt",
    "/pagefind/%2e%2e/%2e%2e/secret-folder/secret.txt",
    "/%ff%fe",
]


@pytest.fixture
def exposed(write_site: SiteWriter, tmp_path: Path) -> Iterator[Preview]:
    """A site whose static folder, and whose search index folder, link to a secret outside."""
    secret = tmp_path / "secret-folder"
    secret.mkdir()
    (secret / "secret.txt").write_text("SECRET", encoding="utf-8")
    root = write_site({ARTICLE: article("Ex", "2025-09-01", "Old words."), "static/css/extra.css": "p {}"})
    (root / "static/outside").symlink_to(secret)
    with start(root) as running:
        (running.output / "pagefind").mkdir(parents=True, exist_ok=True)
        (running.output / "pagefind/outside").symlink_to(secret)
        yield running


@pytest.mark.parametrize("target", TRAVERSALS)
def test_traversal_is_404(exposed: Preview, target: str) -> None:
    status, body, _ = Client(exposed).get(target)
    assert status == 404
    assert b"SECRET" not in body and b"root:" not in body


def test_resolve_url(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a/index.html").write_text("x", encoding="utf-8")
    (tmp_path / "empty").mkdir()
    assert resolve_url(tmp_path, "/a/") == tmp_path / "a/index.html"
    assert resolve_url(tmp_path, "/a/?q=1") == tmp_path / "a/index.html"
    assert resolve_url(tmp_path, "/a") == Redirect("/a/")
    assert resolve_url(tmp_path, "/empty/") is None
    assert resolve_url(tmp_path, "/a/../a/index.html") is None


def test_404_page_of_the_site_is_used(preview: Preview) -> None:
    client = Client(preview)
    status, body, _ = client.get("/nope/")
    assert status == 404 and b"not found" in body.lower() and b"livereload.js" in body
    templates = preview.root / "templates"
    templates.mkdir()
    (templates / "404.html").write_text("<html><body>Our own 404</body></html>", encoding="utf-8")
    wait_for(lambda: b"Our own 404" in client.get("/nope/")[1])
    assert client.get("/nope/")[0] == 404


@pytest.mark.parametrize("host", ["evil.example:{port}", "127.0.0.1.nip.io:{port}", "localhost:1", "", "[::2]:{port}"])
def test_foreign_host_header_is_refused(preview: Preview, host: str) -> None:
    client = Client(preview)
    status, body, _ = client.get("/news/x/", host=host.format(port=client.port))
    assert status == 403
    assert b"Old words." not in body


@pytest.mark.parametrize("host", ["localhost:{port}", "127.0.0.1:{port}", "[::1]:{port}"])
def test_own_host_header_is_accepted(preview: Preview, host: str) -> None:
    client = Client(preview)
    assert client.get("/news/x/", host=host.format(port=client.port))[0] == 200


def test_allowed_host_when_bound_to_all_interfaces() -> None:
    assert allowed_host("192.168.1.20:8000", "0.0.0.0", 8000)
    assert not allowed_host("evil.example:8000", "0.0.0.0", 8000)
    assert not allowed_host("192.168.1.20:8000", "127.0.0.1", 8000)


def test_inject_before_the_last_body() -> None:
    html = b"<html><body><p>&lt;/body&gt;</p></BODY></html>"
    out = inject(html, "abc", 1)
    assert out.index(b"livereload.js") < out.index(b"</BODY>")
    assert inject(b"no body", None, 1).startswith(b"no body<script>")


def test_requests_during_an_update_get_the_last_complete_site(
    preview: Preview, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = Client(preview)
    updating = threading.Event()
    release = threading.Event()
    real = preview.live.update

    def held(changes: set[str]) -> Update:
        updating.set()
        release.wait(timeout=30)
        return real(changes)

    monkeypatch.setattr(preview.live, "update", held)
    (preview.root / ARTICLE).write_text(article("Ex", "2025-09-01", "New words."), encoding="utf-8")
    assert updating.wait(timeout=20)
    status, body, _ = client.get("/news/x/")
    assert status == 200 and b"Old words." in body
    release.set()
    wait_for(lambda: preview.state.outcome.serial == 2)
    status, body, _ = client.get("/news/x/")
    assert status == 200 and b"New words." in body


def test_template_errors_keep_the_last_good_site_or_show_on_the_page(write_site: SiteWriter) -> None:
    root = write_site({
        ARTICLE: article("Ex", "2025-09-02", "Words."),
        "content/news/bad.md": article("Bad", "2025-09-01", "Other words."),
    })  # fmt: skip
    with start(root) as preview:
        client = Client(preview)
        (root / "templates").mkdir()
        only_bad = "{% if article.title == 'Bad' %}{{ article.nosuch }}{% endif %}{{ article.title }}"
        (root / "templates/article.html").write_text(only_bad, encoding="utf-8")
        wait_for(lambda: preview.state.outcome.serial >= 2)
        assert not preview.state.outcome.problems  # the sample page rendered: the edit is live
        assert client.get("/news/x/")[1].startswith(b"Ex")
        status, body, _ = client.get("/news/bad/")  # the error only this article triggers, on its page
        assert status == 500 and b"templates/article.html:1" in body and b"nosuch" in body
        assert b"livereload.js" in body
        (root / "templates/article.html").write_text("{{ article.title | nosuchfilter }}", encoding="utf-8")
        wait_for(lambda: preview.state.outcome.serial >= 3)
        problems = preview.state.outcome.problems
        assert problems and problems[0].path == "templates/article.html" and "nosuchfilter" in problems[0].message
        assert client.get("/news/x/")[1].startswith(b"Ex"), "the last good site is still served"


def test_failed_first_build_still_serves_and_reports(write_site: SiteWriter) -> None:
    root = write_site({ARTICLE: '---\ntitle: "Ex\ndate: 2025-09-01\n---\nBody\n'})
    with start(root) as preview:
        client = Client(preview)
        status, body, _ = client.get("/")
        assert status == 404 and b"livereload.js" in body
        event = client.first_event()
        problems = event["problems"]
        assert isinstance(problems, list) and problems
        assert problems[0]["path"] == ARTICLE and problems[0]["line"]
        (root / ARTICLE).write_text(article("Ex", "2025-09-01", "Fixed words."), encoding="utf-8")
        wait_for(lambda: preview.state.outcome.serial >= 2 and not preview.state.outcome.problems)
        status, body, _ = client.get("/news/x/")
        assert status == 200 and b"Fixed words." in body
        assert client.first_event()["problems"] == []


def test_versions_change_only_for_changed_pages(preview: Preview) -> None:
    client = Client(preview)
    before = json.loads(client.get("/__sitegen/versions?p=/news/x/&p=/css/site.css&p=/gone/")[1])
    assert before["/gone/"] is None and before["/news/x/"]
    (preview.root / ARTICLE).write_text(article("Ex", "2025-09-01", "New words."), encoding="utf-8")
    wait_for(lambda: preview.state.outcome.serial >= 2)
    after = json.loads(client.get("/__sitegen/versions?p=/news/x/&p=/css/site.css")[1])
    assert after["/news/x/"] != before["/news/x/"]
    assert after["/css/site.css"] == before["/css/site.css"]


def test_close_removes_the_private_output(site: Path) -> None:
    preview = start(site)
    folder = preview.output.parent
    assert folder.is_dir() and not (site / "public").exists()
    preview.close()
    assert not folder.exists()
    assert not any(t.name.startswith("sitegen-") for t in threading.enumerate())


def test_serve_command_refuses_a_missing_folder(cli: Callable[..., object], tmp_path: Path) -> None:
    run = cli("serve", tmp_path / "missing")
    assert getattr(run, "code") == 2  # noqa: B009


def test_no_leftover_files_in_the_site(preview: Preview) -> None:
    # The cache folder (build lock, build state: the search index's build) is the site's own, ignored by git; nothing
    # else may appear.
    assert {p.name for p in preview.root.iterdir()} <= {".sitegen-cache", "content", "sitegen.toml"}


def _children(pid: int) -> set[int]:
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        found.update(int(c) for c in (task / "children").read_text().split())
    return found


def test_ctrl_c_stops_the_server_and_its_search_build_cleanly(site: Path) -> None:
    port = _free_port()
    before = set(Path(tempfile.gettempdir()).glob("sitegen-serve-*"))
    env = {**os.environ, "PYTHONPATH": str(Path(sitegen.__file__).resolve().parent.parent)}
    server = subprocess.Popen(
        [sys.executable, "-m", "sitegen", "serve", str(site), "--port", str(port)],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        wait_for(lambda: _children(server.pid) != set())  # the background search-index build has started
        indexer = _children(server.pid)
        server.send_signal(signal.SIGINT)
        _, err = server.communicate(timeout=60)
    finally:
        server.kill()
    assert server.returncode == 0
    assert b"Traceback" not in err
    assert not any(Path(f"/proc/{pid}").exists() for pid in indexer), "the search-index build was left running"
    assert set(Path(tempfile.gettempdir()).glob("sitegen-serve-*")) == before


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def test_a_folder_redirect_keeps_the_url_percent_encoded(write_site: SiteWriter) -> None:
    root = write_site({"content/մշակույթ/x.md": article("Ex", "2025-09-01", "Words.")})
    with start(root) as preview:
        client = Client(preview)
        status, _, response = client.get("/%D5%B4%D5%B7%D5%A1%D5%AF%D5%B8%D6%82%D5%B5%D5%A9/x")
        assert status == 301
        assert response.getheader("Location") == "/%D5%B4%D5%B7%D5%A1%D5%AF%D5%B8%D6%82%D5%B5%D5%A9/x/"
        assert client.get(response.getheader("Location") or "")[0] == 200
