"""A media URL alone on a line becomes an embed, as editors paste them.

- YouTube and Vimeo: a responsive player that sets no tracking cookie until the reader plays it
  (www.youtube-nocookie.com, player.vimeo.com with `dnt=1`), when the site's `embed_hosts` allow that host.
- X/Twitter, Instagram, Facebook, TikTok and Telegram: a link card, in the markup each platform's own script turns
  into a live post. No third-party script is loaded unless the site opts in (`embed_scripts = true`): then
  `with_scripts` adds each platform's script once, after sanitising, since the sanitiser removes every script.

A URL inside a paragraph, a list or a link stays a link.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit
from xml.etree import ElementTree

from markdown import Markdown
from markdown.blockparser import BlockParser
from markdown.blockprocessors import BlockProcessor
from markdown.extensions import Extension

YOUTUBE_HOST = "www.youtube-nocookie.com"
VIMEO_HOST = "player.vimeo.com"
VIDEO_HOSTS = frozenset({YOUTUBE_HOST, VIMEO_HOST})
_ALONE = re.compile(r"^[ ]{0,3}<?(https?://[^\s<>]+?)>?[ ]*$")
_YOUTUBE_ID = re.compile(r"^[\w-]{11}$")
_SCRIPTS = {
    "x": '<script async src="https://platform.twitter.com/widgets.js" charset="utf-8"></script>',
    "instagram": '<script async src="https://www.instagram.com/embed.js"></script>',
    "tiktok": '<script async src="https://www.tiktok.com/embed.js"></script>',
    "facebook": '<script async defer crossorigin="anonymous" '
    'src="https://connect.facebook.net/en_US/sdk.js#xfbml=1&amp;version=v21.0"></script>',
}
_PLATFORM_MARKUP = {  # what marks a card of each platform in the HTML: its script looks for the same
    "x": 'class="twitter-tweet"',
    "instagram": 'class="instagram-media"',
    "tiktok": 'class="tiktok-embed"',
    "facebook": 'class="fb-post"',
}
_TELEGRAM_CARD = re.compile(r'(<figure class="embed embed-card embed-telegram" data-telegram-post="([\w]+/\d+)">)')


@dataclass(frozen=True)
class EmbedSettings:
    video_hosts: frozenset[str] = VIDEO_HOSTS  # the players the site lets in
    scripts: bool = False  # the site opted in to the platforms' scripts


def with_scripts(body_html: str) -> str:
    """The platforms' scripts for the cards in a sanitised body: once per platform, per post for Telegram."""
    scripts = [script for name, script in _SCRIPTS.items() if _PLATFORM_MARKUP[name] in body_html]
    body_html = _TELEGRAM_CARD.sub(
        lambda m: (
            m.group(1) + '<script async src="https://telegram.org/js/telegram-widget.js?22" '
            f'data-telegram-post="{m.group(2)}" data-width="100%"></script>'
        ),
        body_html,
    )
    return body_html + "".join(f"\n{script}" for script in scripts)


# -- videos --------------------------------------------------------------------------------------------------------


def youtube_player(url: str) -> str | None:
    """The privacy-enhanced player URL of a YouTube video page URL, or None when it is not one."""
    parts = urlsplit(url)
    host = (parts.hostname or "").removeprefix("www.").removeprefix("m.")
    video = None
    if host == "youtu.be":
        video = parts.path.strip("/")
    elif host in ("youtube.com", "youtube-nocookie.com", "music.youtube.com"):
        if parts.path == "/watch":
            video = parse_qs(parts.query).get("v", [""])[0]
        elif parts.path.startswith(("/embed/", "/shorts/", "/live/", "/v/")):
            video = parts.path.split("/")[2]
    if not video or not _YOUTUBE_ID.match(video):
        return None
    start = _seconds(parse_qs(parts.query).get("t", parse_qs(parts.query).get("start", [""]))[0])
    return f"https://{YOUTUBE_HOST}/embed/{video}" + (f"?start={start}" if start else "")


def vimeo_player(url: str) -> str | None:
    parts = urlsplit(url)
    host = (parts.hostname or "").removeprefix("www.")
    segments = [s for s in parts.path.split("/") if s]
    if host == "player.vimeo.com" and len(segments) >= 2 and segments[0] == "video":
        segments = segments[1:]
    elif host != "vimeo.com":
        return None
    numbers = [i for i, s in enumerate(segments) if s.isdigit()]
    if not numbers:
        return None
    at = numbers[-1]
    private = segments[at + 1] if at + 1 < len(segments) and re.fullmatch(r"[0-9a-f]{6,}", segments[at + 1]) else ""
    return f"https://{VIMEO_HOST}/video/{segments[at]}?dnt=1" + (f"&h={private}" if private else "")


def _seconds(value: str) -> int:
    """`90`, `90s` or `1m30s` → 90."""
    found = re.fullmatch(r"(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s?)?", value or "")
    if not found:
        return 0
    hours, minutes, seconds = (int(g) if g else 0 for g in found.groups())
    return hours * 3600 + minutes * 60 + seconds


def _video(player: str, label: str, platform: str) -> ElementTree.Element:
    figure = ElementTree.Element("figure", {"class": f"embed embed-video embed-{platform}"})
    ElementTree.SubElement(figure, "iframe", {
        "src": player, "title": label, "loading": "lazy", "referrerpolicy": "strict-origin-when-cross-origin",
        "allow": "accelerometer; clipboard-write; encrypted-media; gyroscope; picture-in-picture; web-share",
        "allowfullscreen": "",
    }).text = ""  # fmt: skip
    return figure


# -- social posts --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Post:
    platform: str  # x, instagram, facebook, tiktok, telegram
    url: str
    label: str  # the card's link text
    key: str = ""  # what the platform's script needs besides the URL: a TikTok video id, a Telegram post


def social_post(url: str) -> Post | None:
    parts = urlsplit(url)
    host = (parts.hostname or "").removeprefix("www.").removeprefix("m.").removeprefix("mobile.")
    segments = [s for s in parts.path.split("/") if s]
    if host in ("twitter.com", "x.com") and len(segments) >= 3 and segments[1] == "status" and segments[2].isdigit():
        return Post("x", f"https://twitter.com/{segments[0]}/status/{segments[2]}", f"Post by @{segments[0]} on X")
    if host == "instagram.com" and len(segments) >= 2 and segments[0] in ("p", "reel", "tv"):
        kind = "reel" if segments[0] == "reel" else "post"
        return Post("instagram", f"https://www.instagram.com/{segments[0]}/{segments[1]}/", f"Instagram {kind}")
    if host == "tiktok.com" and len(segments) >= 3 and segments[1] == "video" and segments[2].isdigit():
        return Post("tiktok", f"https://www.tiktok.com/{segments[0]}/video/{segments[2]}",
                    f"TikTok video by {segments[0]}", segments[2])  # fmt: skip
    if host in ("facebook.com", "fb.watch") and segments:
        return Post("facebook", url, "Facebook post")
    if host == "t.me" and len(segments) == 2 and segments[1].isdigit() and re.fullmatch(r"\w+", segments[0]):
        return Post("telegram", f"https://t.me/{segments[0]}/{segments[1]}", f"Telegram post by @{segments[0]}",
                    f"{segments[0]}/{segments[1]}")  # fmt: skip
    return None


def _card(post: Post) -> ElementTree.Element:
    figure = ElementTree.Element("figure", {"class": f"embed embed-card embed-{post.platform}"})
    if post.platform == "telegram":
        figure.set("data-telegram-post", post.key)
    holder = figure
    if post.platform == "facebook":
        holder = ElementTree.SubElement(
            figure, "div", {"class": "fb-post", "data-href": post.url, "data-width": "auto"}
        )
    quote = ElementTree.SubElement(holder, "blockquote", _card_attributes(post))
    line = ElementTree.SubElement(quote, "section" if post.platform == "tiktok" else "p")
    link = ElementTree.SubElement(line, "a", {"href": post.url})
    link.text = post.label
    return figure


def _card_attributes(post: Post) -> dict[str, str]:
    if post.platform == "x":
        return {"class": "twitter-tweet", "data-dnt": "true"}
    if post.platform == "instagram":
        return {"class": "instagram-media", "data-instgrm-permalink": post.url, "data-instgrm-version": "14"}
    if post.platform == "tiktok":
        return {"class": "tiktok-embed", "cite": post.url, "data-video-id": post.key}
    if post.platform == "facebook":
        return {"class": "fb-xfbml-parse-ignore", "cite": post.url}
    return {"class": "telegram-post"}


# -- the block processor -------------------------------------------------------------------------------------------


class _Embeds(BlockProcessor):
    def __init__(self, parser: BlockParser, settings: EmbedSettings) -> None:
        super().__init__(parser)
        self.settings = settings

    def test(self, parent: ElementTree.Element, block: str) -> bool:
        if parent is not self.parser.root or "\n" in block.strip() or "://" not in block:
            return False  # in a list, a quote or a table, a URL stays a link
        return self._embed(block) is not None

    def run(self, parent: ElementTree.Element, blocks: list[str]) -> None:
        made = self._embed(blocks.pop(0))
        assert made is not None
        parent.append(made)

    def _embed(self, block: str) -> ElementTree.Element | None:
        found = _ALONE.match(block.strip("\n"))
        if found is None:
            return None
        url = html.unescape(found.group(1))
        makers: list[tuple[Callable[[str], str | None], str, str, str]] = [
            (youtube_player, YOUTUBE_HOST, "YouTube video", "youtube"),
            (vimeo_player, VIMEO_HOST, "Vimeo video", "vimeo"),
        ]
        for maker, host, label, platform in makers:
            player = maker(url)
            if player is not None:
                return _video(player, label, platform) if host in self.settings.video_hosts else None
        post = social_post(url)
        return _card(post) if post is not None else None


class EmbedsExtension(Extension):
    def __init__(self, settings: EmbedSettings) -> None:
        super().__init__()
        self.settings = settings

    def extendMarkdown(self, md: Markdown) -> None:  # noqa: N802 - Python-Markdown's name
        # Before paragraphs, after everything else: only a block that would be a paragraph of one URL.
        md.parser.blockprocessors.register(_Embeds(md.parser, self.settings), "embeds", 12)
