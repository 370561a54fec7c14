"""What a deploy does, decided before it does anything: the uploads with their reasons, the deletes, the CDN paths.

The order is the build's own (publish/order.py), for the same reason: a reader following a link from any live page
must find its target at every moment. New files go first (assets before pages), then the objects that replace live
ones (assets, pages, then the listings), deletes last. "Live" means in the bucket's listing, as "present" means on
disk for the build. A header-only change is a copy of the object onto itself with new metadata: no body is sent.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from sitegen.deploy.headers import Headers, body_changed
from sitegen.deploy.local import LocalFile
from sitegen.deploy.remote import Manifest
from sitegen.publish.order import publish_order, rank

PUT, COPY = "put", "copy"
DELETE_GUARD_KEYS = 256
DELETE_GUARD_SHARE = 0.10


@dataclass(frozen=True)
class Upload:
    rel: str
    action: str  # PUT (the body is sent) or COPY (headers only)
    reason: str  # new, changed, headers, encoding, missing, unfinished, forced, foreign
    headers: Headers
    sha256: str
    size: int
    replaces: bool  # an object is live at the key


@dataclass
class Plan:
    uploads: list[Upload] = field(default_factory=list)  # in publish order
    deletes: list[str] = field(default_factory=list)
    forgotten: list[str] = field(default_factory=list)  # in the manifest, gone from the bucket: dropped, not deleted
    invalidations: list[str] = field(default_factory=list)  # CDN paths, before collapsing
    unchanged: int = 0

    @property
    def empty(self) -> bool:
        return not (self.uploads or self.deletes or self.forgotten or self.invalidations)

    def steps(self) -> list[list[Upload]]:
        """The uploads in groups: every upload of a group finishes before the next group starts (order.py's ranks;
        within one, order does not matter, so a group goes in parallel)."""
        return [list(group) for _, group in itertools.groupby(self.uploads, key=lambda u: rank(u.rel, u.replaces))]

    def foreign(self) -> list[str]:
        return [u.rel for u in self.uploads if u.reason == "foreign"]

    def guarded(self, site_size: int) -> bool:
        """More deletes than a routine deploy makes: a wrong output folder, a half-built site."""
        return len(self.deletes) > DELETE_GUARD_KEYS or len(self.deletes) > DELETE_GUARD_SHARE * site_size


def make_plan(local: Mapping[str, LocalFile], manifest: Manifest, listing: set[str], *, force: bool) -> Plan:
    plan = Plan()
    reasons: dict[str, tuple[str, str]] = {}
    for rel, file in local.items():
        found = _reason(file, manifest, listing, force)
        if found is None:
            plan.unchanged += 1
        else:
            reasons[rel] = found
    for rel in publish_order(reasons, listing):
        action, reason = reasons[rel]
        file = local[rel]
        plan.uploads.append(Upload(rel, action, reason, file.headers, file.sha256, file.size, rel in listing))
    gone = sorted(set(manifest.files) - set(local))
    plan.deletes = [rel for rel in gone if rel in listing]
    plan.forgotten = [rel for rel in gone if rel not in listing]
    changed = [u.rel for u in plan.uploads if u.replaces]
    plan.invalidations = sorted(set(manifest.invalidations) | set(cdn_paths([*changed, *plan.deletes])))
    return plan


def _reason(file: LocalFile, manifest: Manifest, listing: set[str], force: bool) -> tuple[str, str] | None:
    entry = manifest.files.get(file.rel)
    if entry is None:
        return PUT, "foreign" if file.rel in listing else "new"
    if force:
        return PUT, "forced"
    if not entry.known:
        return PUT, "unfinished"
    if file.rel not in listing:
        return PUT, "missing"
    if (entry.sha256, entry.size) != (file.sha256, file.size):
        return PUT, "changed"
    if entry.headers != file.headers:
        return (PUT, "encoding") if body_changed(entry.headers, file.headers) else (COPY, "headers")
    return None


def cdn_paths(rels: Iterable[str]) -> list[str]:
    """The URLs a CDN caches each output path under: a folder's index.html under its folder URL as well."""
    paths: set[str] = set()
    for rel in rels:
        paths.add("/" + rel)
        if rel == "index.html" or rel.endswith("/index.html"):
            paths.add("/" + rel.removesuffix("index.html"))
    return sorted(paths)
