"""The names of a site's folder and of its output folder, each written once: the vocabulary every layer shares.

It imports nothing from sitegen, so that any module can import it. Names are single path components (or, for files
inside a folder named here, relative to that folder) unless said otherwise.
"""

from __future__ import annotations

# -- the site folder: what editors write ------------------------------------------------------------------------------

CONTENT_DIR = "content"  # articles and pages, Markdown
TEMPLATES_DIR = "templates"  # the site's own templates, overriding the theme's (the theme has the same layout)
STATIC_DIR = "static"  # copied into the output as they are, overriding the theme's
DATA_DIR = "data"  # e.g. the analytics export behind "Most Popular"
SOURCE_DIRS = (CONTENT_DIR, TEMPLATES_DIR, STATIC_DIR, DATA_DIR)  # every folder a build reads

CONFIG_FILE = "sitegen.toml"
PYPROJECT_FILE = "pyproject.toml"  # read for its [tool.sitegen] table when there is no sitegen.toml
PYPROJECT_TABLE = ("tool", "sitegen")  # the keys of that table: [tool.sitegen]
CONFIG_FILES = (CONFIG_FILE, PYPROJECT_FILE)

MARKDOWN_SUFFIX = ".md"  # what `sitegen new` writes
MARKDOWN_SUFFIXES = (".md", ".markdown")  # the files under content/ that are articles (Jekyll's posts are .markdown)
INDEX_FILE = "_index.md"  # in a folder of content/: what that folder's section says about itself
BUNDLE_INDEX_STEM = "index"  # content/news/story/index.md: a page bundle, published with the files beside it

# -- the site's cache: sitegen's own, kept between builds -------------------------------------------------------------

CACHE_DIR = ".sitegen-cache"  # in the site folder; the output may never be inside it
STATE_FILE = "state.sqlite3"  # in CACHE_DIR: the previous build's state
BODIES_DIR = "bodies"  # in CACHE_DIR: article bodies' HTML
LOCK_FILE = "build.lock"  # in CACHE_DIR: held by the one build running
IMAGE_CACHE_DIR = "images"  # in CACHE_DIR: resized images, named by what they are made from
IMAGE_INDEX_FILE = "index.sqlite3"  # in IMAGE_CACHE_DIR: each source file's digest and size

# -- the output folder ------------------------------------------------------------------------------------------------

OUTPUT_DIR = "public"  # in the site folder, when no output folder is given
MANIFEST_FILE = ".sitegen-manifest.json"  # what sitegen wrote into the output: only those files are ever replaced
PENDING_FILE = ".sitegen-manifest.pending"  # the files a commit under way may have written (beside the manifest)
STAGING_DIR = ".sitegen-staging"  # pages of a build not yet published
SEARCH_DIR = "pagefind"  # the search index (made by Pagefind); served at /pagefind/
SEARCH_STATE_FILE = "sitegen-search.json"  # in SEARCH_DIR: what the index was made from
NOT_FOUND_PAGE = "404.html"  # what a web server answers for a missing page
ROBOTS_FILE = "robots.txt"  # generated unless the site's static/ has its own
IMAGES_DIR = "_images"  # resized images; their names change with their content, so they can be cached forever

# -- names that are never part of a site ------------------------------------------------------------------------------


def is_hidden(name: str) -> bool:
    """A dot name (.git, .DS_Store, an editor's swap or lock file, sitegen's own files in the output): never a source,
    never read as content, never served."""
    return name.startswith(".")


def is_autosave(name: str) -> bool:
    """An editor's autosave of a file (emacs: `#x.md#`): never content."""
    return name.startswith("#")


def temp_name(name: str, pid: int) -> str:
    """The hidden name a file is written under by process `pid` before it is renamed onto `name`: `.x.json.42.tmp`."""
    return f".{name}.{pid}.tmp"


def temp_pattern(name: str) -> str:
    """A glob matching every `temp_name(name, pid)`: what writes of `name` cut short by a kill leave behind."""
    return f".{name}.*.tmp"


def file_stem(name: str) -> str:
    """A file name without its last suffix, as `PurePosixPath(name).stem` gives it."""
    dot = name.rfind(".")
    return name[:dot] if 0 < dot < len(name) - 1 else name


def is_bundle(source: str) -> bool:
    """`content/news/story/index.md`: the article of a page bundle, whose folder holds the files it shows."""
    parts = source.split("/")
    return len(parts) > 2 and file_stem(parts[-1]) == BUNDLE_INDEX_STEM
