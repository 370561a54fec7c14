"""Pelican settings for the benchmark: default theme, lists paginated by 20, Atom feeds.

run.py copies this file next to the Pelican corpus and runs `pelican content -o output -s pelicanconf.py`
from there. The content cache is on here (warm builds); the cold build turns it off on the command line
with `-e LOAD_CONTENT_CACHE=false CACHE_CONTENT=false`.
"""

AUTHOR = "Example News"
SITENAME = "Example News"
SITEURL = "https://news.example.org"
PATH = "content"
TIMEZONE = "Asia/Yerevan"
DEFAULT_LANG = "en"

# Lists of 20 teasers, like sitegen's home, section, tag and author pages.
DEFAULT_PAGINATION = 20

# Atom for the whole site and per category (Pelican's sections), as sitegen has for home and sections;
# a feed carries the newest 50 items, like the Hugo site's RSS.
FEED_DOMAIN = SITEURL
FEED_ALL_ATOM = "feeds/all.atom.xml"
CATEGORY_FEED_ATOM = "feeds/{slug}.atom.xml"
AUTHOR_FEED_ATOM = None
AUTHOR_FEED_RSS = None
TRANSLATION_FEED_ATOM = None
FEED_MAX_ITEMS = 50

# Warm builds reuse parsed articles from CACHE_PATH (keyed on file mtime).
LOAD_CONTENT_CACHE = True
CACHE_CONTENT = True
CACHE_PATH = "cache"
