"""The order in which a commit puts a build's files live, so that no reader ever follows a link to a missing file.

A commit is a series of atomic steps (one rename into place per file, then one removal per file no longer
published), and a build can be killed between any two of them. What holds at every step:

    Start from the home page and from every page that was published before the commit and is still part of the
    site after it; follow every internal link (href and src in pages; the links of feeds and sitemaps). Every file
    reached exists.

Files that are not reachable are not covered, and two kinds of them do link to missing files for a moment:
- New files link each other: a new article links its new tag page and the tag page links the article, so
  whichever goes live first points at the other while it is not there yet. Neither is reachable then: nothing
  published links to a page that did not exist, until the pages that list the new article are replaced.
- Removed files link each other too (an article and its only tag's page), so one of them is always gone while the
  other still links to it. Neither is reachable by then (every page of the new build is live and none links to
  them), and a removed page is no longer part of the site: a reader holding its address gets the 404 page at the
  end anyway, so removed pages are not starting points.

Why the order below keeps it (given that the site before the commit and the site after it have no dangling links
of their own, which `sitegen check` reports):
1. New files go live first: nothing reachable links to them, so they can appear in any order. Assets (images,
   styles, scripts, the search index's chunks) come before pages, feeds, sitemaps and fragments, which use them.
2. Then the files that replace published ones. Each links only to files of the new build, which are either
   published already (nothing is removed before step 3) or new (live since step 1). Assets come first, then pages,
   then the files that list pages (feeds, sitemaps, robots.txt, the fragments pages embed), so that a listing shows
   a page's new title only once the page does.
3. Removals last, when no file of the new build links to the removed ones any more.

"New" means that nothing is at the file's path: it is decided by the file system, not by the manifest, because a
commit killed halfway leaves files that were never recorded as published (see writer.py) and that readers may
already reach.
"""

from __future__ import annotations

from collections.abc import Container, Iterable

from sitegen.paths import ROBOTS_FILE
from sitegen.site.distribution import FRAGMENT_DIR

ASSET, PAGE, LISTING = 0, 1, 2  # what a file is, by its name
_LISTING_SUFFIXES = (".xml",)  # feeds (RSS, Atom) and sitemaps
_PAGE_SUFFIXES = (".html", ".htm")


def kind(rel: str) -> int:
    """ASSET, PAGE or LISTING (a file that lists pages) for the output path `rel`."""
    if rel.endswith(_LISTING_SUFFIXES) or rel == ROBOTS_FILE or rel.startswith(f"{FRAGMENT_DIR}/"):
        return LISTING
    if rel.endswith(_PAGE_SUFFIXES):
        return PAGE
    return ASSET


def rank(rel: str, replaces: bool) -> int:
    """When `rel` goes live: 0 new assets, 1 other new files, then replacements: 2 assets, 3 pages, 4 listings."""
    what = kind(rel)
    if not replaces:
        return 0 if what == ASSET else 1
    return 2 + what


def publish_order(staged: Iterable[str], present: Container[str]) -> list[str]:
    """The staged files in the order they go live; `present` holds those that replace a file at their path.

    Within a rank files go by name, so that a build publishes in the same order whatever order its workers
    finished in.
    """
    return sorted(staged, key=lambda rel: (rank(rel, rel in present), rel))
