"""The preview's HTTP server, with live reload (commands/serve.py starts it).

Pages are served from memory (live_site.py keeps the site up to date, snapshot.py renders each page when it is first
asked for) by the standard library's ThreadingHTTPServer, with three rules that Python's `http.server` does not follow
by itself: bind 127.0.0.1 unless told otherwise, answer only Host headers that name this server (a web page cannot reach
it through DNS rebinding), and serve only what the site publishes, after decoding: a request path never reaches the file
system except below the search index's private folder, and then only after resolving symlinks. A small script is added
to HTML as it is served (never to built files); it listens to Server-Sent Events and reloads a page only when an update
changed it."""

from __future__ import annotations

import contextlib
import hashlib
import html
import ipaddress
import json
import mimetypes
import re
import shutil
import socket
import tempfile
import threading
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from pathlib import Path
from urllib.parse import parse_qs, unquote_to_bytes, urlsplit

from sitegen.errors import ContentError, Problem
from sitegen.paths import NOT_FOUND_PAGE, SEARCH_DIR, is_hidden
from sitegen.preview.live_site import LiveSite
from sitegen.preview.reporter import Reporter
from sitegen.preview.search_build import SearchIndex
from sitegen.preview.snapshot import Redirect, Snapshot, locate
from sitegen.preview.update_loop import PreviewState, Updater, run_update_loop
from sitegen.preview.watcher import Watcher

INTERNAL = "/__sitegen/"
KEEPALIVE_SECONDS = 15.0
_LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})
WILDCARDS = frozenset({"0.0.0.0", "::", ""})
_PLAIN_404 = b"<!DOCTYPE html>\n<html><head><meta charset=utf-8><title>Not found</title></head>\n<body><h1>Not found</h1></body></html>\n"  # noqa: E501


# -- which file a URL names ------------------------------------------------------------------------------------------


def request_parts(target: str) -> list[str] | None:
    """The decoded path segments a request target names ("/news/x/" → ["news", "x", ""]), or None (404).

    Anything that could name a file outside the site after decoding is refused outright rather than normalised:
    `..`, encoded slashes and backslashes, NUL, `//host` and absolute-form targets, hidden names.
    """
    raw = _path_of(target)
    if not raw.startswith("/") or raw.startswith("//") or "\\" in raw:
        return None
    if any(code in raw.lower() for code in ("%2f", "%5c", "%00")):
        return None
    try:
        path = unquote_to_bytes(raw).decode("utf-8")
    except UnicodeDecodeError:
        return None
    parts = path.split("/")[1:]
    if any(c in path for c in "\x00\\") or any(is_hidden(p) for p in parts) or "" in parts[:-1]:
        return None
    return parts


def _path_of(target: str) -> str:
    return target.split("?", 1)[0].split("#", 1)[0]


def resolve_url(output: Path, target: str) -> Path | Redirect | None:
    """The file under `output` that the request target names, a redirect to add a folder's slash, or None (404)."""
    parts = request_parts(target)
    if parts is None:
        return None
    base = output.resolve()
    found = base.joinpath(*parts[:-1], parts[-1]).resolve() if parts[-1] else base.joinpath(*parts[:-1]).resolve()
    if not found.is_relative_to(base):
        return None
    if found.is_dir():
        if parts[-1]:
            return Redirect(_path_of(target) + "/") if (found / "index.html").is_file() else None
        found = (found / "index.html").resolve()
        if not found.is_relative_to(base):
            return None
    return found if found.is_file() else None


def read_url(output: Path, target: str) -> tuple[Path | Redirect | None, bytes]:
    """Each file is whole (the build renames files into place); an index file replaced between two requests of one
    search is the price of never holding the preview up for the background build."""
    found = resolve_url(output, target)
    if isinstance(found, Path):
        try:
            return found, found.read_bytes()
        except OSError:
            return None, b""
    return found, b""


# Stylesheet links are left out of a page's version: when only CSS changed, a page whose <link> points at a new
# fingerprinted file name (css/site.<hash>.css) has not changed, and the browser swaps the stylesheet in place.
_STYLESHEET_LINK = re.compile(rb"<link\b[^>]*\bstylesheet\b[^>]*>", re.IGNORECASE)


def digest(name: str, data: bytes) -> str:
    if name.endswith(".html"):
        data = _STYLESHEET_LINK.sub(b"<link rel=stylesheet>", data)
    return hashlib.sha256(data).hexdigest()[:20]


@dataclass(frozen=True)
class Answer:
    status: HTTPStatus
    name: str  # the file name, for the content type
    data: bytes
    version: str | None  # what a browser compares after an update; None for a missing page


def answer(site: Snapshot | None, index_folder: Path, target: str) -> Answer | Redirect:
    """What the request target gets from this version of the site."""
    parts = request_parts(target)
    if parts is not None and parts[0] == SEARCH_DIR:  # served from the background build's folder (search_build.py)
        return _from_folder(index_folder, target, site)
    located = locate(site, parts) if site is not None and parts is not None else None
    if isinstance(located, Redirect):
        return located
    if located is None or site is None:
        return _not_found(site)
    name = located.rsplit("/", 1)[-1]
    try:
        data = site.find(located)
    except ContentError as exc:
        return _broken(exc.problem)
    if data is None:
        return _not_found(site)
    return Answer(HTTPStatus.OK, name, data, digest(name, data))


def _from_folder(folder: Path, target: str, site: Snapshot | None) -> Answer | Redirect:
    found, data = read_url(folder, target)
    if isinstance(found, Redirect):
        return found
    if found is None:
        return _not_found(site)
    return Answer(HTTPStatus.OK, found.name, data, digest(found.name, data))


def _not_found(site: Snapshot | None) -> Answer:
    data = _PLAIN_404
    if site is not None and site.has(NOT_FOUND_PAGE):
        with contextlib.suppress(ContentError):
            data = site.page(NOT_FOUND_PAGE)
    return Answer(HTTPStatus.NOT_FOUND, NOT_FOUND_PAGE, data, None)


def _broken(problem: Problem) -> Answer:
    """A page whose template fails: the problem, in place of the page, until a save fixes it (then it reloads)."""
    text = html.escape(str(problem))
    data = (
        "<!DOCTYPE html>\n<html><head><meta charset=utf-8><title>Template error</title></head>\n<body>"
        f"<h1>This page could not be rendered</h1>\n<pre>{text}</pre></body></html>\n"
    ).encode()
    return Answer(HTTPStatus.INTERNAL_SERVER_ERROR, "error.html", data, "error:" + digest("error.html", data))


def page_version(site: Snapshot | None, index_folder: Path, target: str) -> str | None:
    """The version of what a URL serves (following a folder redirect), None when it is a 404."""
    found = answer(site, index_folder, target)
    if isinstance(found, Redirect):
        found = answer(site, index_folder, found.location)
    return found.version if isinstance(found, Answer) else None


def inject(html: bytes, page: str | None, epoch: int) -> bytes:
    """Add the live-reload script before the last `</body>` (or at the end); the built file itself is untouched."""
    boot = json.dumps({"page": page, "epoch": epoch})
    snippet = f'<script>window.__sitegen={boot};</script><script src="{INTERNAL}livereload.js"></script>\n'
    at = html.lower().rfind(b"</body>")
    at = len(html) if at < 0 else at
    return html[:at] + snippet.encode() + html[at:]


# -- which Host headers are ours -------------------------------------------------------------------------------------


def allowed_host(header: str | None, bound: str, port: int) -> bool:
    """A Host header naming this server: loopback names, the bound address, or (bound to all interfaces) an IP
    address or this machine's name. Any other name may be an attacker's domain rebound to 127.0.0.1."""
    if not header:
        return False
    try:
        parsed = urlsplit("//" + header)
        name, given_port = (parsed.hostname or ""), (parsed.port or 80)
    except ValueError:
        return False
    if given_port != port:
        return False
    if name in _LOOPBACK_NAMES or name == bound.lower():
        return True
    if bound not in WILDCARDS:
        return False
    return _is_ip(name) or name in {socket.gethostname().lower(), socket.getfqdn().lower()}


def _is_ip(name: str) -> bool:
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


# -- HTTP --------------------------------------------------------------------------------------------------------------


class PreviewHTTPServer(ThreadingHTTPServer):
    daemon_threads = True  # an open event stream must not keep the process alive after Ctrl-C
    block_on_close = False

    def __init__(self, address: tuple[str, int], output: Path, state: PreviewState) -> None:
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        super().__init__(address, PreviewHandler)
        self.output = output
        self.state = state
        self.bound = address[0]


class PreviewHandler(BaseHTTPRequestHandler):
    server: PreviewHTTPServer
    server_version = "sitegen-serve"

    def log_message(self, format: str, *args: object) -> None:
        pass  # a request log would drown the build messages

    def do_HEAD(self) -> None:
        self._dispatch(head=True)

    def do_GET(self) -> None:
        self._dispatch(head=False)

    def _dispatch(self, *, head: bool) -> None:
        if not allowed_host(self.headers.get("Host"), self.server.bound, self.server.server_address[1]):
            self._send(HTTPStatus.FORBIDDEN, b"Host not allowed\n", "text/plain; charset=utf-8", head=head)
            return
        path = self.path.split("?", 1)[0]
        if path == INTERNAL + "events":
            self._events()
        elif path == INTERNAL + "livereload.js":
            script = resources.files("sitegen.preview").joinpath("livereload.js").read_bytes()
            self._send(HTTPStatus.OK, script, "text/javascript; charset=utf-8", head=head)
        elif path == INTERNAL + "versions":
            self._versions(head=head)
        else:
            self._file(head=head)

    def _file(self, *, head: bool) -> None:
        state = self.server.state
        while not state.wait_ready(timeout=1.0):
            pass  # nothing to serve until the site has been read once; a later update never holds requests up
        if state.closed:
            return
        outcome = state.outcome  # one snapshot and its epoch for the whole answer
        found = answer(outcome.site, self.server.output, self.path)
        if isinstance(found, Redirect):
            self.send_response(HTTPStatus.MOVED_PERMANENTLY)
            self.send_header("Location", found.location)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        data = found.data
        kind = mimetypes.guess_type(found.name)[0] or "application/octet-stream"
        if kind == "text/html":
            data = inject(data, found.version, outcome.epoch)
        if kind.startswith("text/") or kind in ("application/javascript", "application/json", "image/svg+xml"):
            kind += "; charset=utf-8"
        self._send(found.status, data, kind, head=head)

    def _versions(self, *, head: bool) -> None:
        wanted = parse_qs(urlsplit(self.path).query).get("p", [])
        site = self.server.state.outcome.site
        versions = {p: page_version(site, self.server.output, p) for p in wanted[:100]}
        self._send(HTTPStatus.OK, json.dumps(versions).encode(), "application/json", head=head)

    def _events(self) -> None:
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        state = self.server.state
        seen: int | None = None
        with contextlib.suppress(OSError):  # the browser went away
            while not state.closed:
                outcome = state.wait_newer(seen, KEEPALIVE_SECONDS)
                if outcome is None:
                    self.wfile.write(b": keep-alive\n\n")
                else:
                    seen = outcome.serial
                    self.wfile.write(f"event: state\ndata: {json.dumps(outcome.as_json())}\n\n".encode())
                self.wfile.flush()

    def _send(self, status: HTTPStatus, body: bytes, kind: str, *, head: bool) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.end_headers()
        if not head:
            with contextlib.suppress(OSError):
                self.wfile.write(body)


# -- the whole preview -----------------------------------------------------------------------------------------------


class Preview:
    """Reads, watches and serves one site until closed; everything it made goes away with it."""

    def __init__(
        self,
        root: Path,
        *,
        host: str = "127.0.0.1",
        port: int = 8000,
        drafts: bool = True,
        future: bool = False,
        watcher: Watcher | None = None,
        reporter: Reporter | None = None,
    ) -> None:
        self.root = root.resolve()
        self.reporter = reporter or Reporter()
        # The search index's private folder (the background build writes the whole site there; only /pagefind/ of
        # it is served). Never the site's public/.
        self.output = Path(tempfile.mkdtemp(prefix="sitegen-serve-")) / "site"
        self.state = PreviewState()
        self.live = LiveSite(self.root, drafts=drafts, future=future, reporter=self.reporter)
        self.updater = Updater(self.live, self.state)
        self.index = SearchIndex(self.root, self.output, drafts=drafts, future=future, reporter=self.reporter)
        self.watcher = watcher or Watcher(self.root, reporter=self.reporter)
        try:
            self.http = PreviewHTTPServer((host, port), self.output, self.state)
        except OSError:
            shutil.rmtree(self.output.parent, ignore_errors=True)
            raise
        self._threads: list[threading.Thread] = []

    @property
    def url(self) -> str:
        host, port = str(self.http.server_address[0]), self.http.server_address[1]
        shown = "localhost" if host in WILDCARDS else (f"[{host}]" if ":" in host else host)
        return f"http://{shown}:{port}/"

    def start(self) -> None:
        if self._threads:
            return  # already running (started, then used as a context manager)
        self.watcher.start()  # before the first read, so that nothing saved during it is missed
        self._spawn("sitegen-update", lambda: run_update_loop(self.watcher, self.updater, self.index))
        self._spawn("sitegen-http", lambda: self.http.serve_forever(poll_interval=0.2))

    def _spawn(self, name: str, target: object) -> None:
        thread = threading.Thread(target=target, name=name, daemon=True)  # type: ignore[arg-type]
        thread.start()
        self._threads.append(thread)

    def close(self) -> None:
        try:
            self.watcher.close()
            self.state.close()
            if self._threads:
                self.http.shutdown()
            self.http.server_close()
            for thread in self._threads:
                thread.join(timeout=60)  # an update in progress finishes before the index is stopped
        finally:
            self.index.close()  # even after a second Ctrl-C: a stopped build must not be left holding the lock
            shutil.rmtree(self.output.parent, ignore_errors=True)

    def __enter__(self) -> Preview:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
