"""URLs: slugs, permalinks and the mapping from a URL to the file that serves it. Pure functions, no I/O."""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime
from functools import lru_cache
from urllib.parse import quote

from text_unidecode import unidecode

from sitegen.paths import is_hidden

# Eastern Armenian romanisation, readable rather than reversible: the letter-by-letter tables used by unidecode give
# "erewan" for Երևան and put backticks after aspirates. Digraphs and word-initial forms are handled in `_armenian`.
_ARMENIAN = {
    "ա": "a", "բ": "b", "գ": "g", "դ": "d", "ե": "e", "զ": "z", "է": "e", "ը": "y", "թ": "t", "ժ": "zh",
    "ի": "i", "լ": "l", "խ": "kh", "ծ": "ts", "կ": "k", "հ": "h", "ձ": "dz", "ղ": "gh", "ճ": "ch", "մ": "m",
    "յ": "y", "ն": "n", "շ": "sh", "ո": "o", "չ": "ch", "պ": "p", "ջ": "j", "ռ": "r", "ս": "s", "վ": "v",
    "տ": "t", "ր": "r", "ց": "ts", "ւ": "v", "փ": "p", "ք": "k", "օ": "o", "ֆ": "f", "և": "ev",
}  # fmt: skip
_ARMENIAN_INITIAL = {"ե": "ye", "ո": "vo"}
_NON_SLUG = re.compile(r"[^\w]+")
_ARMENIAN_LETTER = re.compile("[\u0531-\u0587]")
_DANGEROUS_SCHEMES = ("javascript:", "data:", "vbscript:", "file:")


@lru_cache(maxsize=65536)  # the same tags and authors are slugified for thousands of articles
def slugify(text: str) -> str:
    """A readable, URL-safe Latin slug in every script: "Ani Petrosyan" → "ani-petrosyan", "Երևան" → "yerevan",
    "Москва" → "moskva", "Αθήνα" → "athena", "თბილისი" → "tbilisi".

    Armenian is transliterated with sitegen's own table (readable rather than reversible); Latin letters lose their
    accents; every other letter goes through text-unidecode (the table python-slugify uses), without the marks it
    writes for aspirates and soft signs (` and '). A letter it has no Latin for is kept as it is.
    """
    text = _armenian(unicodedata.normalize("NFC", text).lower())
    decomposed = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in decomposed if not unicodedata.combining(c))
    text = unicodedata.normalize("NFC", text)
    if not text.isascii():
        text = "".join(_latin(c) for c in text)
    return _NON_SLUG.sub("-", text).strip("-_").replace("_", "-")


def _latin(char: str) -> str:
    if char.isascii() or not char.isalnum():
        return char
    written = str(unidecode(char))
    if not written.strip() or "[?]" in written:
        return char  # no Latin for it: kept, as browsers show it
    return written.lower().replace("`", "").replace("'", "").replace('"', "")  # ь is ', a mark and no letter


def _armenian(text: str) -> str:
    if not _ARMENIAN_LETTER.search(text):
        return text
    out: list[str] = []
    i = 0
    while i < len(text):
        char = text[i]
        at_word_start = i == 0 or not text[i - 1].isalpha()
        if char == "ո" and i + 1 < len(text) and text[i + 1] == "ւ":
            out.append("u")  # ու is one vowel, "u", at the start of a word too (Ուկրաինա → ukraina)
            i += 2
            continue
        if at_word_start and char in _ARMENIAN_INITIAL:
            out.append(_ARMENIAN_INITIAL[char])
        else:
            out.append(_ARMENIAN.get(char, char))
        i += 1
    return "".join(out)


def permalink(pattern: str, section: str, slug: str, date: datetime | None) -> str:
    """Expand the article URL pattern; empty parts (an article at the content root) collapse."""
    values = {
        "section": section,
        "slug": slug,
        "year": f"{date.year:04d}" if date else "",
        "month": f"{date.month:02d}" if date else "",
        "day": f"{date.day:02d}" if date else "",
    }
    url = pattern
    for token, value in values.items():
        url = url.replace("{" + token + "}", value)
    return normalise_url(url)


def normalise_url(url: str) -> str:
    """`a//b` → `/a/b/`: every page URL starts and ends with a slash."""
    parts = [p for p in url.split("/") if p]
    return "/" + "".join(p + "/" for p in parts)


def unsafe_url_reason(url: str) -> str | None:
    """Why `url` can't name a file inside the output folder, or None when it can."""
    if url.startswith("/") and "/." not in url and "\\" not in url and "\x00" not in url:
        return None  # no dot segment can hide in it: the common case, checked for every page of the archive
    if "\\" in url or "\x00" in url:
        return "contains a backslash or NUL character"
    if not url.startswith("/"):
        return "must start with '/'"
    for part in url.split("/"):
        if part in {".", ".."}:
            return "contains a '.' or '..' segment that would leave the output folder"
        if is_hidden(part):
            return f"contains a hidden segment '{part}'"
    return None


def output_path(url: str) -> str:
    """The file (relative to the output folder, POSIX separators) that serves `url`."""
    if url.endswith("/"):
        return url.lstrip("/") + "index.html"
    return url.lstrip("/")


def absolute(base_url: str, url: str) -> str:
    """An absolute URL from the site's base_url, percent-encoding what needs it; relative when there is no base."""
    if url.startswith(("http://", "https://", "mailto:", "//")):
        return url
    path = quote(url, safe="/#?=&%:@+~")
    return base_url.rstrip("/") + path if base_url else path


def check_url_scheme(url: str) -> str | None:
    """Refuse scripts smuggled in as links or images: `javascript:`, `data:`, `vbscript:`, `file:`."""
    # Browsers drop tabs and newlines anywhere in a URL and control characters before it: "java\tscript:" runs.
    squashed = "".join(c for c in url if c > " ").lower()
    if squashed.startswith(_DANGEROUS_SCHEMES):
        return f"uses a forbidden URL scheme: {url!r}"
    return None
