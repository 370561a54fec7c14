"""Pagefind itself: one shard's pages fed to its Python service from memory, and the index files it makes.

Apart from the rest of search (pagefind.py) so that the service, asyncio and the Pagefind package load only when a
shard is indexed: a build with search off, or one whose every shard is carried over, does not pay for them.
"""

from __future__ import annotations

import asyncio
import base64
import concurrent.futures
import json
from collections.abc import Callable, Coroutine, Mapping, Sequence
from typing import Any

from pagefind.index import IndexConfig
from pagefind.service import PagefindService

from sitegen.errors import SitegenError, UsageError, error
from sitegen.publish.search_shards import indexed_page, with_field
from sitegen.site.plan import Route

_IN_FLIGHT = 32  # pages sent to Pagefind before waiting for its replies: bounded memory, a busy service


def index_shard(
    read: Callable[[str], bytes],
    pages: Sequence[Route],
    language: str,
    wait: Callable[[], bool] | None = None,
    extra: str = "",
) -> dict[str, bytes]:
    """Index `pages` (`read` gives a page's bytes by its output path) with Pagefind; its files by path relative to
    the shard's folder. `wait`, called before each page, may block (a paused run) and returns False to give up
    (then nothing is returned). `extra`: markup added to each page's marked body (metadata fields)."""
    try:
        return _run(_index(read, pages, language, wait, extra))
    except SitegenError:
        raise  # `read` refused (a page deleted while it was read), with the page's name
    except FileNotFoundError as exc:
        if exc.filename is not None:
            raise  # a page gone while it was read (the watch's refresh): made again later
        raise pagefind_failed(str(exc)) from exc  # no Pagefind binary
    except Exception as exc:  # the service reports its errors as bare Exceptions
        raise pagefind_failed(str(exc) or repr(exc)) from exc


def _run(work: Coroutine[Any, Any, dict[str, bytes]]) -> dict[str, bytes]:
    """Run `work` in an event loop of its own: in a thread of its own when the caller's thread already runs one (a
    build started from asynchronous code)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(work)
    with concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="sitegen-pagefind") as pool:
        return pool.submit(asyncio.run, work).result()


async def _index(
    read: Callable[[str], bytes], pages: Sequence[Route], language: str, wait: Callable[[], bool] | None, extra: str
) -> dict[str, bytes]:
    # One language for the whole site, whatever a template's `lang` says: Pagefind splits indexes by language
    # and the browser searches only the index of the search page's language, so a second one would be unfindable.
    config = IndexConfig(force_language=language)
    async with PromptService() as service:  # a service per shard: its memory goes with it
        index = await service.create_index(config)
        pending: set[asyncio.Task[Any]] = set()
        for route in pages:
            if wait is not None and not wait():
                return {}
            if len(pending) >= _IN_FLIGHT:
                done, pending = await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
                for task in done:
                    task.result()
            page = read(route.output)
            html = with_field(indexed_page(page) or page, extra.encode()).decode("utf-8", "replace")
            pending.add(asyncio.ensure_future(index.add_html_file(content=html, url=route.url)))
        for task in pending:
            await task
        # In memory, not written to a folder and read back: the service answers a WriteFiles before its files
        # are all on disk (an empty pagefind-entry.json was read so).
        files = await index.get_files()
    return kept_files({str(file["path"]): bytes(file["content"]) for file in files})


class PromptService(PagefindService):
    """Pagefind's Python service, reading each reply as soon as it arrives.

    The stock service sleeps 0.1 s before reading each reply (measured: 17 minutes for 10,000 pages); this reads
    them back to back, which makes it as fast as the CLI (about 3 s per 1,000 pages). It replaces only that loop,
    with the same message format, so it is tied to the pinned Pagefind (pyproject.toml)."""

    async def _wait_for_responses(self) -> None:
        # Replies are base64 (never a comma) ended by a comma. Read in blocks rather than with `readuntil`, whose
        # buffer limit a shard's files (one reply to GetFiles) would overrun.
        stdout = self._backend.stdout
        assert stdout is not None
        pending = bytearray()
        while block := await stdout.read(1 << 20):
            pending += block
            while (end := pending.find(b",")) >= 0:
                self._resolve(bytes(pending[:end]))
                del pending[: end + 1]

    def _resolve(self, message: bytes) -> None:
        reply = json.loads(base64.b64decode(message))
        if not isinstance(reply, dict):
            return
        future = self._responses.pop(reply.get("message_id"), None)  # type: ignore[arg-type]
        if future is None or future.done():
            return
        payload = reply["payload"]
        if payload.get("type") == "Error":
            future.set_exception(Exception(payload.get("message", "Pagefind failed")))
        else:
            future.set_result(payload)


_UNUSED = ("pagefind-ui.", "pagefind-component-ui.", "pagefind-modular-ui.", "pagefind-highlight.")


def kept_files(files: Mapping[str, bytes]) -> dict[str, bytes]:
    """The files of an index that the search page uses (not Pagefind's own search UIs: the theme has its own
    page), by path relative to the index's folder."""
    kept = {}
    for path, data in files.items():
        rel = path.replace("\\", "/").removeprefix("/").removeprefix("pagefind/")
        if not rel.rsplit("/", 1)[-1].startswith(_UNUSED):
            kept[rel] = data
    return kept


def pagefind_failed(reason: str) -> UsageError:
    return UsageError([error("[search]", None, f"Pagefind could not build the search index: {reason} (install "
                              "pagefind[bin], or turn search off with enabled = false in [search])")])  # fmt: skip
