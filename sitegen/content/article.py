"""Articles from Markdown files: front-matter validation and Markdown conversion. Pure: bytes in, Article out.

`parse_article` is the unit of work that the build caches by file digest and spreads over worker processes, so it
takes everything it needs as arguments and reads no files itself.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, replace
from datetime import datetime, time
from pathlib import PurePosixPath
from zoneinfo import ZoneInfo

from sitegen.content.embeds import VIDEO_HOSTS, EmbedSettings, with_scripts
from sitegen.content.fields import FieldReader
from sitegen.content.frontmatter import body_of, decode, split
from sitegen.content.image_refs import image_sources
from sitegen.content.keymap import map_keys
from sitegen.content.markup import MORE_MARKER, MarkupSettings, excerpt, reading_minutes, render_markdown
from sitegen.content.sanitize import sanitize_html
from sitegen.content.settings import ParseSettings
from sitegen.errors import Problem, Severity, error, errors_in, warning
from sitegen.model import ARTICLE, PAGE, Article, Body, SectionInfo, Term, Text
from sitegen.paths import file_stem, is_bundle
from sitegen.urls import check_url_scheme, normalise_url, permalink, slugify, unsafe_url_reason

ARTICLE_KEYS = frozenset({
    "title", "date", "publishdate", "updated", "draft", "expires", "slug", "summary", "description", "authors",
    "author", "tags", "image", "pinned", "type", "section", "aliases", "headless", "guid",
})  # fmt: skip
_JEKYLL_NAME = re.compile(r"^(\d{4})-(\d{2})-(\d{2})-(.+)$")  # Jekyll's _posts/2014-08-08-welcome.markdown
INDEX_KEYS = frozenset({"title", "description", "weight"})
MAX_SLUG_BYTES = 200


def markup_settings(settings: ParseSettings) -> MarkupSettings:
    """Video URLs become players only from hosts the sanitiser lets through (all of them when it is off)."""
    hosts = VIDEO_HOSTS if settings.raw_html == "allow" else VIDEO_HOSTS & frozenset(settings.embed_hosts)
    return MarkupSettings(EmbedSettings(hosts, settings.embed_scripts))


_DEFAULT_SETTINGS = ParseSettings("UTC", "/{section}/{slug}/", "")


def digest_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:20]


def section_of(source: str) -> str:
    """`content/news/armenia/2025/x.md` → `news/armenia`: numeric folders (years, months) are filing, not sections,
    and a page bundle's folder (`news/story/index.md`) is its article's."""
    parts = source.split("/")  # string operations: pathlib costs a tenth of reading an article's front-matter
    folders = parts[1:-2] if is_bundle(source) else parts[1:-1]
    return "/".join(f for f in folders if not f.isdigit())


def section_title(path: str) -> str:
    """A section without `_index.md` is titled from its folder: `news/world-cup` → "World Cup"."""
    return PurePosixPath(path).name.replace("-", " ").replace("_", " ").title() if path else "Home"


def parse_article(source: str, data: bytes, settings: ParseSettings) -> tuple[Article | None, list[Problem]]:
    head, problems = parse_head(source, data, settings)
    if head is None:
        return None, problems
    article, body_problems = complete(head, settings)
    return article, problems + body_problems


@dataclass(frozen=True)
class Head:
    """An article read up to its body: its Body holds no HTML yet (nor, unless a summary or the build cache gave
    them, an excerpt and reading time), and `body` is the Markdown that makes them. What a page list needs; the
    preview converts bodies on demand."""

    article: Article
    body: str | None  # the Markdown as written; None: not read yet (the build cache gave the fields: `known_head`)
    body_line: int  # where it starts in the file


def parse_head(source: str, data: bytes, settings: ParseSettings) -> tuple[Head | None, list[Problem]]:
    """The front-matter stage of `parse_article`: no Markdown is converted (a tenth of the work)."""
    text, problems = decode(source, data)
    if text is None:
        return None, problems
    doc, problems = split(source, text)
    if doc is None:
        return None, problems
    fields, more = map_keys(source, doc.fields)
    problems += more
    headless = fields.get("headless")
    if headless is not None and headless.value is True:  # Hugo: a bundle whose parts other pages use, never a page
        return None, [*problems, Problem(source, headless.line, "headless: not published as a page", Severity.INFO)]
    reader = _ArticleReader(source, replace(doc, fields=fields), ZoneInfo(settings.timezone))
    article = reader.article(data, settings)
    problems += reader.problems
    if article is None or errors_in(more):  # a publish control sitegen refused: never published by mistake
        return None, problems
    return Head(article, doc.body, doc.body_line), problems


def known_head(article: Article, data: bytes) -> Head | None:
    """The Head of an article already parsed from these very bytes (the build cache's, matched by digest): its
    fields as they were, its body found again, no YAML read. None when the bytes are not that article's."""
    if digest_of(data) != article.digest:
        return None
    text, _ = decode(article.source, data)
    found = body_of(text) if text is not None else None
    if found is None:
        return None
    return Head(replace(article, body=Body(None, *article.body.known)), *found)


def complete(head: Head, settings: ParseSettings) -> tuple[Article | None, list[Problem]]:
    """The body stage of `parse_article`: the article with its body converted, or None when it can't be."""
    article, body = head.article, head.body
    if body is None:
        raise ValueError(f"{article.source}: the body has not been read")
    try:
        body_html, problems = _body_html(article.source, body.replace(MORE_MARKER, ""), head.body_line, settings)
        text = text_of(article.summary, body, body_html, markup_settings(settings))
        return replace(article, body=Body.of(text), images=image_sources(body_html, article.url)), problems
    except RecursionError:
        return None, [error(article.source, head.body_line, "the body nests lists or quotes too deeply")]


def text_of(summary: str | None, markdown: str, html: str, settings: MarkupSettings) -> Text:
    return Text(html, excerpt(summary, markdown, html, settings), reading_minutes(html))


def _body_html(source: str, body: str, body_line: int, settings: ParseSettings) -> tuple[str, list[Problem]]:
    """Markdown to HTML, then raw HTML sanitised (unless the site allows it), so the cached article is safe."""
    html = render_markdown(body, markup_settings(settings))
    if settings.raw_html == "allow":
        return _scripts(html, settings), []
    html, removed = sanitize_html(html, settings.embed_hosts)
    problems = [
        warning(source, body_line + body[: _first_unsafe(body, item)].count("\n"), f"unsafe HTML removed: {item}")
        for item in removed
    ]
    return _scripts(html, settings), problems


def _scripts(html: str, settings: ParseSettings) -> str:
    """The social platforms' scripts, for a site that opted in: added after sanitising, which removes scripts."""
    return with_scripts(html) if settings.embed_scripts else html


def parse_section_index(
    source: str, data: bytes, settings: ParseSettings | None = None
) -> tuple[SectionInfo | None, list[Problem]]:
    text, problems = decode(source, data)
    if text is None:
        return None, problems
    if not text.strip():
        text = "---\n---\n"  # an empty _index.md just marks a section: titled from its folder
    doc, problems = split(source, text, required=False)
    if doc is None:
        return None, problems
    reader = _ArticleReader(source, replace(doc, fields={k.lower(): f for k, f in doc.fields.items()}), ZoneInfo("UTC"))
    reader.warn_unknown(INDEX_KEYS)
    path = section_of(source)
    info = SectionInfo(
        path=path,
        source=source,
        title=reader.text("title") or section_title(path),
        description=reader.text("description") or "",
        weight=reader.integer("weight", 0),
        intro_html=reader.intro_html(doc.body, settings or _DEFAULT_SETTINGS),
    )
    return info, problems + reader.problems


class _ArticleReader(FieldReader):
    """The fields of an article or a section index."""

    def article(self, data: bytes, settings: ParseSettings) -> Article | None:
        self.warn_unknown(ARTICLE_KEYS)
        self.flag("headless")  # true never gets here (parse_head): anything but false is an error
        kind = self._kind()
        title = self.text("title")
        if not title:
            self.problems.append(error(self.source, self._line("title"), "missing title: every article needs 'title:'"))
        published = self._published()
        if published is None and kind == ARTICLE and not self._given("date", "publishdate"):
            self.problems.append(
                error(self.source, self._line("date"), "missing date: every article needs 'date:' (ISO 8601)")
            )
        section = self._section()
        slug = self._slug()
        local = published.astimezone(self.tz) if published else None  # URL dates are the site's, as shown
        # A page in a folder keeps the folder in its URL (content/about/team.md → /about/team/), as nested pages do in
        # WordPress and Hugo; a page at the content root is /<slug>/.
        url = (
            normalise_url(f"/{section}/{slug}/")
            if kind == PAGE
            else permalink(settings.permalink, section, slug, local)
        )
        authors = self.names("authors", "author") or ([settings.default_author] if settings.default_author else [])
        summary = self.text("summary")
        article = Article(
            source=self.source, kind=kind, title=title or "", date=published, updated=self.moment("updated"),
            expires=self.moment("expires"), draft=self.flag("draft"), pinned=self.flag("pinned"), slug=slug,
            section=section, url=url,
            authors=tuple(_term(name, "authors") for name in authors),
            tags=tuple(_term(name, "tags") for name in _unique_names(self.names("tags"))),
            image=self.image(url if is_bundle(self.source) else "/"), summary=summary,
            body=Body(excerpt=summary or None),  # "" is no summary: first words
            aliases=self._aliases(), digest=digest_of(data), description=self.text("description") or "",
            guid=self.text("guid") or "",
        )  # fmt: skip
        return None if errors_in(self.problems) else article

    def _given(self, *keys: str) -> bool:
        """One of the fields is written (when it could not be read, that is reported already)."""
        return any((found := self._field(key)) is not None and found.value is not None for key in keys)

    def _published(self) -> datetime | None:
        """The publication moment: `date`, else the date in a Jekyll file name; an embargo (Hugo's `publishDate`)
        later than `date` is when the article is published, and so its date."""
        written = self.moment("date")
        if written is None and self._field("date") is None:
            written = self._name_date()
        embargo = self.moment("publishdate")
        if written is None or embargo is None:
            return written or embargo
        return max(written, embargo)

    def _name_date(self) -> datetime | None:
        found = _JEKYLL_NAME.match(file_stem(self.source.rsplit("/", 1)[-1]))
        if found is None:
            return None
        try:
            day = datetime(int(found.group(1)), int(found.group(2)), int(found.group(3)))
        except ValueError:
            return None
        return datetime.combine(day.date(), time(), tzinfo=self.tz)

    def intro_html(self, body: str, settings: ParseSettings) -> str:
        if not body.strip():
            return ""
        try:
            html, problems = _body_html(self.source, body, self.doc.body_line, settings)
        except RecursionError:
            self.problems.append(error(self.source, self.doc.body_line, "the text nests lists or quotes too deeply"))
            return ""
        self.problems += problems
        return html

    def _kind(self) -> str:
        kind = self.text("type")
        if kind in (None, ARTICLE):
            return ARTICLE
        if kind == PAGE:
            return PAGE
        self.fail("type", f"must be 'page' (a standalone page) or left out, not {kind!r}")
        return ARTICLE

    def _section(self) -> str:
        declared = self.text("section")
        if declared is None:
            return section_of(self.source)
        cleaned = declared.strip("/")
        if unsafe_url_reason(f"/{cleaned}/") or not cleaned:
            self.fail("section", f"{declared!r} is not a section path such as news/armenia")
            return section_of(self.source)
        return cleaned

    def _slug(self) -> str:
        declared = self.text("slug")
        stem = _file_slug(self.source)
        if declared is None:
            return slugify(stem) or "article"
        if "/" in declared or "\\" in declared or declared.strip(".") == "" or ".." in declared:
            self.fail("slug", f"{declared!r} must be a single URL segment such as 'my-article'")
            return slugify(stem) or "article"
        slug = slugify(declared)
        if not slug:
            self.fail("slug", f"{declared!r} has no letters or digits to make a URL from")
            return slugify(stem) or "article"
        if len(slug.encode("utf-8")) > MAX_SLUG_BYTES:  # it becomes a folder name: file systems stop at 255 bytes
            self.fail("slug", f"is {len(slug.encode('utf-8'))} bytes long; at most {MAX_SLUG_BYTES} fit a file name")
            return slugify(stem) or "article"
        return slug

    def _aliases(self) -> tuple[str, ...]:
        aliases: list[str] = []
        for alias in self.names("aliases"):
            url = alias if alias.startswith("/") else "/" + alias
            reason = unsafe_url_reason(url) or check_url_scheme(alias)
            if reason or "://" in alias:
                self.fail("aliases", f"{alias!r} {reason or 'must be a path on this site'}")
                continue
            aliases.append(url if url.endswith((".html", "/")) else url + "/")
        return tuple(aliases)


def _file_slug(source: str) -> str:
    """What the file's name says the slug is: a bundle's folder name; a Jekyll post's name after its date."""
    parts = source.rsplit("/", 2)
    stem = file_stem(parts[-1])
    if is_bundle(source):
        return parts[-2]
    found = _JEKYLL_NAME.match(stem)
    return found.group(4) if found else stem


def _unique_names(names: list[str]) -> list[str]:
    """Names once each, however they are capitalised: `tags: [Iran, iran]` is one tag."""
    seen: dict[str, str] = {}
    for name in names:
        seen.setdefault(name.casefold(), name)
    return list(seen.values())


def _term(name: str, kind: str) -> Term:
    slug = slugify(name) or "_"
    return Term(name=name, slug=slug, url=f"/{kind}/{slug}/")


def _first_unsafe(body: str, removed: str) -> int:
    """Where a removed thing is written in the Markdown (0 when it can't be found), for the warning's line."""
    needle = removed.split(" ", 1)[0].rstrip(">")  # "<script>" → "<script", "onclick=" and "javascript:" stay
    return max(body.lower().find(needle), 0)
