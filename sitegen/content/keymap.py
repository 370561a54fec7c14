"""Front-matter of Hugo, Jekyll and Pelican read as sitegen's, and the publish controls of each honoured or refused.

Articles moved from another generator keep their front-matter. Keys are compared without case (Hugo's `publishDate`
is `publishdate`), the common names of other generators become sitegen's (the table is in docs/front-matter.md), and
a key that decides whether an article is published is never merely "unknown": sitegen either does what it says or
stops the build naming the file and line, so a story meant to stay hidden is never published by mistake.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from typing import Any

from sitegen.content.frontmatter import Field
from sitegen.errors import Problem, error

# Another generator's name → sitegen's. Lists (tags) are merged; for the others, both names at once is an error.
SYNONYMS = {
    "lastmod": "updated", "modified": "updated", "last_modified_at": "updated", "date_modified": "updated",
    "expirydate": "expires", "unpublishdate": "expires", "expiry_date": "expires",
    "pubdate": "publishdate", "publish_date": "publishdate",
    "images": "image", "featured_image": "image",
    "redirect_from": "aliases",
    "excerpt": "summary",
    "categories": "tags", "category": "tags",
}  # fmt: skip
MERGED = frozenset({"tags"})
IGNORED = frozenset({"layout"})  # the other generator's template: sitegen's theme chooses its own
PUBLISHED_STATUSES = frozenset({"published", "publish", "public", "future", "scheduled"})
DRAFT_STATUSES = frozenset({"draft", "pending", "private"})
_UNLISTED = (
    "sitegen has no unlisted articles (published but left out of lists and feeds): remove it to publish the article, "
    "or write 'draft: true' to keep it unpublished"
)


def map_keys(source: str, fields: dict[str, Field]) -> tuple[dict[str, Field], list[Problem]]:
    """sitegen's fields from another generator's; every publish control honoured (as draft or publishdate) or an
    error with its line."""
    mapped: dict[str, Field] = {}
    problems: list[Problem] = []
    for written, found in fields.items():
        key = written.lower()
        if key in IGNORED:
            continue
        if key in ("published", "status", "visible", "hidden", "private"):
            control, problem = _control(source, key, found)
            problems += [problem] if problem else []
            if control is not None:
                _put(source, mapped, control[0], replace(control[1], key=written), problems)
            continue
        name = SYNONYMS.get(key, key)
        value = found
        if name == "image" and key != "image":
            value = _first_image(found)
        if name in MERGED:
            value = replace(found, value=_names(found.value), written=_names(found.written))
        _put(source, mapped, name, replace(value, key=found.key or written), problems)
    return mapped, problems


def _put(source: str, mapped: dict[str, Field], name: str, found: Field, problems: list[Problem]) -> None:
    other = mapped.get(name)
    if other is None:
        mapped[name] = found
    elif name in MERGED:  # sitegen's own key first, then the others in the order they are written
        first, then = (found, other) if found.key.lower() == name else (other, found)
        mapped[name] = replace(first, value=[*first.value, *then.value], written=[*first.written, *then.written])
    elif name == "draft" and isinstance(other.value, bool) and isinstance(found.value, bool):
        mapped[name] = other if other.value else found  # any "not published" wins
    else:
        problems.append(error(source, found.line, (
            f"'{found.key}' and '{other.key or name}' (line {other.line}) both set {name}: keep one"
        )))  # fmt: skip


def _control(source: str, key: str, found: Field) -> tuple[tuple[str, Field] | None, Problem | None]:
    """What a publish control means in sitegen's terms: (field, value), nothing, or an error."""
    value = found.value
    if key == "published":  # Jekyll: false keeps a post unpublished; Hugo: the publication date
        if isinstance(value, bool):
            return (("draft", replace(found, value=True)) if not value else None), None
        if isinstance(value, (str, date, datetime)) and str(value).strip():
            return ("publishdate", found), None
        return None, error(source, found.line, "published: must be true, false or a date")
    if key == "status":  # Pelican, WordPress exports
        status = str(value).strip().lower() if isinstance(value, str) else ""
        if status in PUBLISHED_STATUSES:
            return None, None
        if status in DRAFT_STATUSES:
            return ("draft", replace(found, value=True)), None
        if status == "hidden":
            return None, error(source, found.line, f"status: hidden: {_UNLISTED}")
        known = ", ".join(sorted(PUBLISHED_STATUSES | DRAFT_STATUSES))
        return None, error(source, found.line, f"status: {found.raw or value!r} is not one sitegen knows ({known})")
    if not isinstance(value, bool):
        return None, error(source, found.line, f"{key}: must be true or false")
    if key == "private":
        return (("draft", replace(found, value=True)) if value else None), None
    shown = value if key == "visible" else not value  # visible: false and hidden: true ask for an unlisted article
    return None, (None if shown else error(source, found.line, f"{key}: {str(value).lower()}: {_UNLISTED}"))


def _first_image(found: Field) -> Field:
    """Hugo's `images: [a.jpg, b.jpg]` is the article's image: the first one."""
    if isinstance(found.value, list):
        first = found.value[0] if found.value else None
        written = found.written[0] if isinstance(found.written, list) and found.written else first
        return replace(found, value=first, written=written, raw=first if isinstance(first, str) else None)
    return found


def _names(value: Any) -> list[Any]:
    """A list of names, from a list or from one string of comma-separated names (Pelican's `tags: a, b`)."""
    if value is None:
        return []
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return list(value) if isinstance(value, list) else [value]
