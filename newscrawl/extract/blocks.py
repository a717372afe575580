"""Turn an article's body element into ordered text and image blocks, then into body fields.

The walker knows HTML structure (block vs inline elements, figures, lazy images); the
assembler applies the text patterns to decide what is body text, caption or boilerplate.
What a site's bodies hold besides text (excluded blocks, caption classes, its header line, image
hosts served over https too) comes from its profile, compiled once by :func:`body_rules`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from lxml import etree

from newscrawl.extract import patterns
from newscrawl.extract.patterns import SitePatterns
from newscrawl.extract.tree import string_value
from newscrawl.normalize.text import clean_caption, clean_text, dedouble_outlet
from newscrawl.sites.profile import SiteProfile
from newscrawl.urls import safe_join

TEXT, IMAGE, CAPTION = "text", "image", "caption"

_BLOCK_TAGS = frozenset(
    {
        "p", "div", "section", "article", "main", "header", "footer", "aside", "blockquote", "pre",
        "ul", "ol", "li", "dl", "dt", "dd", "table", "thead", "tbody", "tfoot", "tr", "td", "th",
        "h1", "h2", "h3", "h4", "h5", "h6", "figure", "figcaption", "center", "address", "details",
        "summary",
    }
)  # fmt: skip
# Never text, on any site (a site's profile adds its own: SiteProfile.body_exclude).
_SKIP_TAGS = frozenset(
    {"head", "link", "meta", "input", "select", "textarea", "video", "audio", "object", "embed"}
)
# A block whose letters are nearly all link text is navigation (breadcrumb, tag list, byline).
_LINKED_SHARE = 0.9
_EMPHASIS = frozenset({"em", "i", "small", "cite"})
_IMAGE_ATTRS = ("data-src", "data-original", "data-lazy-src", "data-srcset", "src")
_URL_IN_TEXT = re.compile(r"https?://[^\s<>\"')]+")


def _alnum_count(text: str) -> int:
    return sum(map(str.isalnum, text))  # the fastest count in CPython (no generator frames)


def _mostly_linked(text: str, linked: int) -> bool:
    """Whether ``linked`` letters and digits are at least ``_LINKED_SHARE`` of those in ``text``.

    A block with a keyword link or two is prose: counting a short prefix proves it has letters
    enough, without counting the whole paragraph.
    """
    prefix = text[: 2 * linked + 16]
    if linked < _LINKED_SHARE * _alnum_count(prefix):  # the prefix's count bounds the whole's
        return False
    return linked >= _LINKED_SHARE * _alnum_count(text)


@dataclass(slots=True)
class Block:
    """One unit of an article body, in page order."""

    kind: str  # TEXT, IMAGE or CAPTION
    text: str = ""
    url: str = ""  # IMAGE: absolute image URL
    links: list[str] = field(default_factory=list)  # TEXT: hrefs inside the block
    caption_hint: bool = False  # TEXT: styled like a caption (class, or all emphasis)
    linked: bool = False  # TEXT: (nearly) all of it is link text — navigation, not prose
    alt: str = ""  # IMAGE: its alt text


@dataclass(frozen=True, slots=True)
class BodyRules:
    """What a site's profile says about its article bodies, compiled for the walker and assembler."""

    skip_tags: frozenset[str]  # elements whose text is never the article's
    skip_classes: frozenset[str]  # class names of such elements
    caption_class: re.Pattern[str]  # class names (any substring) of captions
    https_image_hosts: frozenset[str]  # images written with https even when linked with http
    site_header: str  # the site's slogan, never body text
    patterns: SitePatterns


@cache
def body_rules(site: SiteProfile) -> BodyRules:
    """The :class:`BodyRules` of ``site``, compiled on first use."""
    excluded = site.body_exclude
    captions = "|".join(map(re.escape, site.caption_classes))
    return BodyRules(
        skip_tags=frozenset(tag for tag in excluded if not tag.startswith(".")) | _SKIP_TAGS,
        skip_classes=frozenset(sel[1:] for sel in excluded if sel.startswith(".")),
        caption_class=re.compile(captions or r"(?!)", re.IGNORECASE),
        https_image_hosts=site.https_image_hosts,
        site_header=site.site_header,
        patterns=patterns.for_site(site),
    )


def image_url(element: etree._Element, page_url: str, https_hosts: frozenset[str] = frozenset()) -> str:
    """Absolute URL of an ``<img>``, preferring lazy-load attributes over a placeholder ``src``;
    ``https`` for an image on one of ``https_hosts`` linked with ``http``."""
    for attr in _IMAGE_ATTRS:
        value = (element.get(attr) or "").strip()
        if attr == "data-srcset" and value:
            value = value.split(",")[0].split()[0]
        if value and not value.startswith("data:"):
            url = safe_join(page_url, value)
            if url:
                if url.startswith("http://") and url[7:].partition("/")[0] in https_hosts:
                    return "https:" + url[5:]
                return url
    return ""


class _Walker:
    """Depth-first walk that flushes inline text into a block at each block boundary."""

    def __init__(self, page_url: str, rules: BodyRules) -> None:
        self.page_url = page_url
        self._skip_tags = rules.skip_tags
        self._skip_classes = rules.skip_classes
        self._caption_class = rules.caption_class
        self._https_hosts = rules.https_image_hosts
        self.blocks: list[Block] = []
        self._parts: list[str] = []
        self._links: list[str] = []
        self._emphasised = 0  # characters inside em/i/small in the current block
        self._linked = 0  # characters inside links in the current block
        self._chars = 0

    def flush(self, classes: str | None = None) -> None:
        """End the current block; ``classes`` are those of the block element it ends, if any."""
        if not self._parts:  # nothing since the last boundary (the counters are all zero then)
            self._links = []
            return
        text = clean_text("".join(self._parts))
        if text:
            all_emphasis = 0 < self._emphasised >= self._chars - 1
            linked = self._linked > 0 and _mostly_linked(text, self._linked)
            hint = bool(classes and self._caption_class.search(classes)) or all_emphasis
            self.blocks.append(Block(TEXT, text, links=self._links, caption_hint=hint, linked=linked))
        self._parts, self._links = [], []
        self._emphasised = self._linked = self._chars = 0

    def add_text(self, text: str | None, emphasis: int, in_link: int) -> None:
        if text:
            self._parts.append(text)
            stripped = len(text.strip())
            self._chars += stripped
            if emphasis:
                self._emphasised += stripped
            if in_link:
                # Letters and digits only: separators between links ("Home / News") do not dilute.
                self._linked += _alnum_count(text)

    def visit(self, element: Any, emphasis: int = 0, in_link: int = 0) -> None:
        tag = element.tag
        if not isinstance(tag, str) or tag in self._skip_tags:
            return
        classes = element.get("class")
        if classes and not self._skip_classes.isdisjoint(classes.split()):
            return
        if tag == "br":
            self._parts.append(" ")
            return
        if tag == "img":
            url = image_url(element, self.page_url, self._https_hosts)
            if url:
                self.flush()
                self.blocks.append(Block(IMAGE, url=url, alt=clean_text(element.get("alt"))))
            return
        if tag == "figcaption":
            self.flush()
            text = clean_text(string_value(element))
            if text:
                self.blocks.append(Block(CAPTION, text))
            return
        if tag == "a":
            href = element.get("href")
            if href:
                self._links.append(href)
                in_link += 1
        is_block = tag in _BLOCK_TAGS
        if is_block:
            self.flush()
        if tag in _EMPHASIS:
            emphasis += 1
        text = element.text
        if text:
            self.add_text(text, emphasis, in_link)
        for child in element:
            self.visit(child, emphasis, in_link)
            text = child.tail  # still inside this element: its emphasis and link hold
            if text:
                self.add_text(text, emphasis, in_link)
        if is_block:
            self.flush(classes)


def walk(element: etree._Element, page_url: str, site: SiteProfile) -> list[Block]:
    """The blocks of ``element`` in page order, read as ``site``'s pages are."""
    walker = _Walker(page_url, body_rules(site))
    walker.visit(element)
    walker.flush()
    return walker.blocks


@dataclass
class BodyParts:
    """What an article body yields once patterns have sorted its blocks."""

    paragraphs: list[str] = field(default_factory=list)
    images: list[dict[str, str | None]] = field(default_factory=list)  # {url, caption or None}
    source_url: str | None = None
    source_line: str | None = None
    dropped: int = 0  # captions, placeholders and boilerplate lines left out


def _source_link(block: Block, page_url: str) -> str | None:
    for href in block.links:
        url = safe_join(page_url, href.strip())
        if url and url.startswith(("http://", "https://")):
            return url
    found = _URL_IN_TEXT.search(block.text)
    return found.group(0) if found else None


def assemble(
    blocks: list[Block],
    page_url: str,
    site: SiteProfile,
    *,
    known: Iterable[str] = (),
    outlet: str = "",
    guessed: bool = False,
) -> BodyParts:
    """Sort blocks into body paragraphs, images with captions, and the source link (``site``'s
    labels recognise the source line, comment counter and captions).

    ``known`` are texts the page shows as metadata (title, lead, outlet, authors): never body.
    ``guessed`` is set when the body element was found by heuristics, not by the site's markup:
    then navigation-like blocks (all links), bare dates and the ``outlet``'s logo are dropped.
    """
    parts = BodyParts()
    rules = body_rules(site)
    lines = rules.patterns
    known = {text for text in known if text}
    seen_images: dict[str, dict[str, str | None]] = {}
    last_image: dict[str, str | None] | None = None
    after_image = False
    for block in blocks:
        if block.kind == IMAGE:
            if guessed and outlet and block.alt == outlet:
                parts.dropped += 1  # the outlet's logo beside its name
                continue
            if block.url not in seen_images:
                seen_images[block.url] = {"url": block.url, "caption": ""}
                parts.images.append(seen_images[block.url])
            last_image, after_image = seen_images[block.url], True
            continue
        text = patterns.strip_ad_placeholders(block.text)
        is_caption = block.kind == CAPTION or (
            lines.looks_like_caption(text) or (block.caption_hint and after_image)
        )
        if is_caption and text:
            attached = after_image or block.kind == CAPTION
            if last_image is not None and not last_image["caption"] and attached:
                last_image["caption"] = text
            parts.dropped += 1
            after_image = block.kind == CAPTION and after_image
            continue
        after_image = False
        if not text or text in known or text == rules.site_header:
            parts.dropped += 1
            continue
        if lines.is_source_line(text):
            parts.source_line = text
            parts.source_url = parts.source_url or _source_link(block, page_url)
            parts.dropped += 1
            continue
        if lines.is_comment_counter(text) or patterns.is_dateline(text):
            parts.dropped += 1
            continue
        if guessed and (block.linked or patterns.is_bare_date(text) or dedouble_outlet(text) in known):
            parts.dropped += 1
            continue
        parts.paragraphs.append(text)
    for image in parts.images:
        image["caption"] = clean_caption(image["caption"])
    return parts
