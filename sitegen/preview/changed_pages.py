"""Which pages of the published site a new snapshot changes: what `sitegen build --watch` renders and writes again.

Pages are compared by output path. A page changed when its Route differs (dataclass equality: the articles it holds,
its pager, its section...), or when what it shows besides its Route does (`Renderer.context_key`: the blocks around
it), or when it is new; pages and static files no longer published go. An in-place swap names the pages it touched
(live_site.Changes), so a body edit compares nothing. A new day changes the pages whose template prints the build
date (the build's fingerprints say which: none of the theme's). Some changes reach every page with nothing in any
Route to show for it: templates, the fingerprinted asset names in every head, and what the build's fingerprints count
as shared by every page (the configuration, the standalone pages in the footer, the sections). Then every page is
stale, and the build renders them (it has worker processes and the bodies' HTML at hand).
"""

from __future__ import annotations

from dataclasses import dataclass

from sitegen.incremental.fingerprint import Fingerprinter
from sitegen.preview.live_site import Changes
from sitegen.preview.snapshot import Snapshot


@dataclass(frozen=True)
class PageChanges:
    render: tuple[str, ...] | None  # the outputs of the pages to render again; None: every page
    removed: tuple[str, ...]  # outputs published before that the new snapshot has no more (pages or static files)
    statics: bool  # static files may have changed: publish them all (the Publisher writes the ones that differ)


def changed_pages(before: Snapshot | None, after: Snapshot, changes: Changes) -> PageChanges:
    """What publishing `after` over `before` (None: not known) takes."""
    if before is None or every_page_changed(before, after, changes):
        return PageChanges(None, _removed(before, after), statics=True)
    stale = set(changes.pages)
    if changes.reassembled or changes.blocks:
        stale |= compared(before, after) | _dated(before, after)
    render = tuple(sorted(output for output in stale if output in after.routes))
    return PageChanges(render, _removed(before, after), statics=changes.renderer)


def every_page_changed(before: Snapshot, after: Snapshot, changes: Changes) -> bool:
    if not (changes.reassembled or changes.blocks or changes.renderer):
        return False  # only swapped articles: they are in the pages the swap names
    if before.renderer.env is not after.renderer.env or before.assets != after.assets:
        return True  # templates read again (or the configuration), or a stylesheet's fingerprinted name
    return _fingerprints(before).shared != _fingerprints(after).shared


def compared(before: Snapshot, after: Snapshot) -> set[str]:
    """The pages of `after` that are new, or whose Route or context differs from `before`'s."""
    old_key, new_key = before.renderer.context_key, after.renderer.context_key
    old_routes = before.routes
    changed: set[str] = set()
    for output, route in after.routes.items():
        previous = old_routes.get(output)
        if previous is None or previous != route or old_key(previous) != new_key(route):
            changed.add(output)
    return changed


def _dated(before: Snapshot, after: Snapshot) -> set[str]:
    """On a new day, the pages whose template prints the build date."""
    if before.renderer.globals["build_time"].date() == after.renderer.globals["build_time"].date():  # local dates
        return set()
    old, new = _fingerprints(before), _fingerprints(after)
    templates = {route.template for route in after.routes.values()}
    dated = {name for name in templates if old.template(name) != new.template(name)}
    return {output for output, route in after.routes.items() if route.template in dated}


def _fingerprints(snapshot: Snapshot) -> Fingerprinter:
    """The build's fingerprints of this snapshot (sitegen's code aside: it does not change here)."""
    renderer = snapshot.renderer
    return Fingerprinter(renderer, snapshot.site, renderer.config, "", {})


def _removed(before: Snapshot | None, after: Snapshot) -> tuple[str, ...]:
    if before is None:
        return ()  # the caller publishes everything and compares with the folder's manifest instead
    published = before.routes.keys() | before.statics.keys()
    return tuple(sorted(published - after.routes.keys() - after.statics.keys()))
