"""Layer 0: the data a page embeds for its own scripts — the most reliable source there is.

Sources, in page order: ``__NEXT_DATA__`` (Next.js pages router), App Router flight data,
JSON-LD, and script assignments such as ``window.__INITIAL_STATE__ = {…}`` (see
:mod:`newscrawl.extract.payloads`). Among all the objects they hold, the article is one with
a title and an HTML body (or a JSON-LD article type) whose title or slug matches the page's:
menus, footers and related-post lists carry titles and HTML too, and often come first.

Key names are matched by meaning, not one spelling: :data:`FIELD_KEYS` lists the synonyms of
every field, compared without case or separators (``publishedAt`` = ``published_at`` =
``PublishedAt``). Every value is checked by its shape before use (a date in range, an http(s)
URL or a site path, a body of HTML blocks with real text); one that fails is ignored.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import tzinfo
from functools import cached_property, lru_cache
from typing import Any

from lxml import etree
from lxml import html as lxml_html

from newscrawl.extract import patterns, payloads
from newscrawl.extract.base import BodyLayer, node_text
from newscrawl.extract.blocks import BodyParts
from newscrawl.extract.context import ARTICLE_TYPES, PageContext
from newscrawl.extract.fields import Image, answers
from newscrawl.normalize.dates import parse_date, parse_epoch
from newscrawl.normalize.text import clean_caption, clean_text, dedouble_outlet
from newscrawl.sites.profile import SiteProfile
from newscrawl.urls import ARTICLE, CATEGORY, last_segment, safe_join


def _keys(*names: str) -> frozenset[str]:
    return frozenset(map(norm_key, names))


@lru_cache(maxsize=4096)
def norm_key(key: str) -> str:
    """A key as compared with the synonym table: lower case, no ``_ - . @`` or spaces."""
    return key.lower().translate(_SEPARATORS)


_SEPARATORS = str.maketrans("", "", "_-. @")

#: Synonyms of each field's key in embedded data (compared through :func:`norm_key`).
FIELD_KEYS: dict[str, frozenset[str]] = {
    "title": _keys("title", "headline", "postTitle", "articleTitle", "heading"),
    "summary": _keys(
        "summary",
        "description",
        "excerpt",
        "sapo",
        "lead",
        "intro",
        "abstract",
        "teaser",
        "standfirst",
        "shortDescription",
        "desc",
    ),
    "body": _keys(
        "content",
        "contentHtml",
        "body",
        "bodyHtml",
        "html",
        "detail",
        "articleBody",
        "postContent",
        "fullContent",
        "mainContent",
        "articleContent",
    ),
    "published_at": _keys(
        "publishedAt",
        "published",
        "datePublished",
        "publishTime",
        "publishDate",
        "publicationDate",
        "pubDate",
        "createdAt",
        "created",
        "dateCreated",
        "firstPublishedAt",
        "publishedTime",
        "postDate",
        "releaseDate",
        "date",
    ),
    "modified_at": _keys(
        "modifiedAt",
        "modified",
        "dateModified",
        "updatedAt",
        "updated",
        "updateTime",
        "updateDate",
        "lastModified",
        "lastUpdated",
        "editedAt",
        "modifiedTime",
    ),
    "source_name": _keys(
        "source",
        "sourceName",
        "origin",
        "originName",
        "outlet",
        "sourceOrganization",
        "sourceTitle",
        "originalSource",
        "newsSource",
        "sourceSite",
    ),
    "source_url": _keys(
        "sourceUrl",
        "sourceLink",
        "originUrl",
        "originLink",
        "originalUrl",
        "originalLink",
        "isBasedOn",
        "isBasedOnUrl",
        "sourceHref",
    ),
    "sections": _keys(
        "categories",
        "category",
        "sections",
        "section",
        "articleSection",
        "categorySlug",
        "categorySlugs",
    ),
    "tags": _keys("tags", "tag", "keywords", "tagList", "hashtags", "topics", "labels"),
    "images": _keys(
        "images",
        "image",
        "thumbnail",
        "thumb",
        "cover",
        "coverImage",
        "featuredImage",
        "featureImage",
        "gallery",
        "photos",
        "photo",
        "media",
        "ogImage",
    ),
    "translations": _keys(
        "translations",
        "alternates",
        "alternateLanguages",
        "languages",
        "locales",
        "availableLanguages",
        "availableLocales",
        "workTranslation",
        "hreflang",
        "i18n",
    ),
    "authors": _keys("authors", "author", "byline", "writer", "writers", "creator", "creators"),
}
# Inside nested values: a name, a link, a slug, a language, an image's caption, a wrapped value.
_NAME_KEYS = _keys("name", "title", "label", "text", "displayName", "fullName")
_LINK_KEYS = _keys("url", "link", "href", "permalink", "canonical", "canonicalUrl", "path", "@id")
_SLUG_KEYS = _keys("slug", "alias", "code")
_LANG_KEYS = _keys("lang", "locale", "language", "inLanguage", "hreflang", "languageCode")
_IMAGE_URL_KEYS = _keys("src", "url", "contentUrl", "href", "link", "original", "large")
_CAPTION_KEYS = _keys("caption", "alt", "description")
_WRAPPED_KEYS = _keys("rendered", "html", "value", "raw")
# Keys of the page's identity in a candidate: its slug or address.
_IDENTITY_KEYS = _SLUG_KEYS | _LINK_KEYS | _keys("mainEntityOfPage", "url")

_MAX_DEPTH = 40
_MAX_NODES = 50_000  # containers visited per page: a bound on pathological payloads
_MAX_TITLE = 500
_MAX_NAME = 120
_MIN_BODY_LETTERS = 20
_BODY_PROBE = 20_000  # characters of a body looked at for its text
_TAG = re.compile(r"<[^>]*>")
_BLOCK_TAG = re.compile(r"<(?:p|div|h[1-6]|ul|ol|li|blockquote|figure|table|section|article|br)\b", re.I)
_ISO_DATE = re.compile(r"\s*\d{4}-\d\d-\d\d(?:[T ]\d\d:\d\d|\s*$)")
# Escapes could spell any key or markup: such a payload is always parsed.
_ESCAPE = b"\\u"
_TITLE_KEY_ENDS = (b'itle"', b'ITLE"', b'eadline"', b'EADLINE"', b'eading"')

# Where a candidate came from; JSON-LD describes the page, so it needs no identity match.
NEXT_DATA, FLIGHT, JSONLD, ASSIGNMENT = "next_data", "flight", "jsonld", "assignment"


def may_hold_article(raw: bytes) -> bool:
    """Whether a JSON payload may hold an article object: markup and a title-like key.

    Most payloads (menus, settings, translations of the interface) have neither, and a byte
    search costs far less than parsing tens of KB of JSON.
    """
    # One-byte searches first: a memchr, far faster than a longer needle's on a long payload.
    if b"\\" in raw and _ESCAPE in raw:
        return True
    return b"<" in raw and any(end in raw for end in _TITLE_KEY_ENDS)


# --------------------------------------------------------------------------- value checks


def _unwrap(value: Any) -> Any:
    """``{"rendered": "<p>…</p>"}`` (WordPress and others) as the string it wraps."""
    if isinstance(value, dict):
        for key, inner in value.items():
            if norm_key(key) in _WRAPPED_KEYS and isinstance(inner, str):
                return inner
    return value


def is_html_body(value: Any) -> bool:
    """HTML with block elements and some real text (a lone ``<br>`` or an icon is not a body)."""
    if not isinstance(value, str) or "<" not in value or not _BLOCK_TAG.search(value):
        return False
    return _has_letters(_TAG.sub(" ", value[:_BODY_PROBE]))


def _has_letters(text: str) -> bool:
    return sum(map(str.isalnum, text)) >= _MIN_BODY_LETTERS


def checked_date(value: Any, lang: str, tz: tzinfo) -> str | None:
    """ISO 8601 (naive means the site's zone, ``tz``) or epoch seconds/milliseconds, in range;
    else None."""
    if isinstance(value, str) and _ISO_DATE.match(value):
        return parse_date(value, lang, tz=tz)
    return parse_epoch(value, tz=tz) if isinstance(value, int | float | str) else None


def checked_url(value: Any, base: str) -> str | None:
    """An absolute http(s) URL, or a path resolved against ``base``; None for anything else."""
    if not isinstance(value, str):
        return None
    value = value.strip()
    if not value or value.startswith("data:") or any(c in value for c in "\n\r\t<>\"'"):
        return None
    url = safe_join(base, value) if value.startswith(("/", "http://", "https://")) else None
    return url if url and url.startswith(("http://", "https://")) else None


def _text(value: Any, limit: int) -> str | None:
    if not isinstance(value, str) or "://" in value:
        return None
    text = clean_text(value)
    return text if 0 < len(text) <= limit else None


def _items(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _inner(value: dict[str, Any], keys: frozenset[str]) -> Iterator[Any]:
    """The values of ``value``'s keys that are among ``keys``."""
    return (inner for key, inner in value.items() if norm_key(key) in keys)


def _name(value: Any) -> str | None:
    """A name given as a string or as an object with a name-like key."""
    if isinstance(value, dict):
        return next(filter(None, (_text(v, _MAX_NAME) for v in _inner(value, _NAME_KEYS))), None)
    return _text(value, _MAX_NAME)


# --------------------------------------------------------------------------- candidates


@dataclass(slots=True)
class Candidate:
    """An object of embedded data that may be the article, with its keys by meaning."""

    obj: dict[str, Any]
    source: str
    resolve: Callable[[Any], Any]
    keys: dict[str, list[str]]  # field → the object's keys for it, in the object's order
    has_body: bool

    def values(self, field: str) -> Iterator[Any]:
        """The values this object gives ``field`` under any of its spellings (resolved)."""
        for key in self.keys.get(field, ()):
            yield _unwrap(self.resolve(self.obj[key]))


def _field_keys(obj: dict[str, Any]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for key in obj:
        if isinstance(key, str):
            normal = norm_key(key)
            for field, synonyms in FIELD_KEYS.items():
                if normal in synonyms:
                    found.setdefault(field, []).append(key)
    return found


def _is_article_type(obj: dict[str, Any]) -> bool:
    types = obj.get("@type")
    return any(isinstance(t, str) and t.lower() in ARTICLE_TYPES for t in _items(types))


def _candidate(obj: dict[str, Any], source: str, resolve: Callable[[Any], Any]) -> Candidate | None:
    keys = _field_keys(obj)
    if "title" not in keys and source != JSONLD:
        return None
    candidate = Candidate(obj, source, resolve, keys, has_body=False)
    if any(_text(v, _MAX_TITLE) for v in candidate.values("title")):
        candidate.has_body = any(is_html_body(v) for v in candidate.values("body"))
        if candidate.has_body:
            return candidate
    if source == JSONLD and _is_article_type(obj):
        candidate.has_body = any(_plain_body(v) is not None for v in candidate.values("body"))
        return candidate
    return None


def find_candidates(
    data: Any, source: str, resolve: Callable[[Any], Any] = lambda value: value
) -> list[Candidate]:
    """Article-like objects in ``data``, depth first in payload order (bounded in depth and size)."""
    found: list[Candidate] = []
    stack: list[tuple[Any, int]] = [(data, 0)]
    visited = 0
    while stack and visited < _MAX_NODES:
        node, depth = stack.pop()
        visited += 1
        if isinstance(node, dict):
            candidate = _candidate(node, source, resolve)
            if candidate is not None:
                found.append(candidate)
            children: Any = node.values()
        elif isinstance(node, list):
            children = node
        else:
            continue
        if depth < _MAX_DEPTH:
            containers = [child for child in children if isinstance(child, dict | list)]
            stack.extend((child, depth + 1) for child in reversed(containers))
    return found


def page_candidates(ctx: PageContext) -> list[Candidate]:
    """Every article-like object of every embedded source of the page, in page order."""
    found: list[Candidate] = []
    skips = ctx.skips
    raw = ctx.next_data_raw
    if raw and may_hold_article(raw):
        found += find_candidates(payloads.loads(raw, skips), NEXT_DATA)
    for obj in ctx.jsonld:
        found += find_candidates(obj, JSONLD)
    chunks: list[str] = []
    for script in ctx.inline_scripts:
        if not payloads.may_be_state(script):
            continue
        chunk = payloads.flight_chunk(script, skips)
        if chunk is not None:
            chunks.append(chunk)
            continue
        assigned = payloads.assignment(script, skips)
        if assigned is not None:
            found += find_candidates(assigned[1], ASSIGNMENT)
    if chunks:
        flight = payloads.parse_flight(chunks, skips)
        for value in flight.values.values():
            found += find_candidates(value, FLIGHT, flight.resolve)
    return found


# --------------------------------------------------------------------------- identity


@dataclass(frozen=True, slots=True)
class PageIdentity:
    """What names the page: its titles (case-folded) and its slug."""

    titles: frozenset[str]
    slug: str
    lines: patterns.SitePatterns = field(compare=False, repr=False)  # the site's title suffix

    def matches(self, candidate: Candidate) -> bool:
        """True when the candidate's title or slug is the page's."""
        for value in candidate.values("title"):
            title = _text(value, _MAX_TITLE)
            if title and self.lines.strip_title_suffix(title).casefold() in self.titles:
                return True
        if not self.slug:
            return False
        for key, value in candidate.obj.items():
            if isinstance(key, str) and norm_key(key) in _IDENTITY_KEYS:
                value = candidate.resolve(value)
                if isinstance(value, dict):
                    value = value.get("@id") or value.get("url")
                if isinstance(value, str) and last_segment(value) == self.slug:
                    return True
        return False


def page_identity(ctx: PageContext) -> PageIdentity:
    """The page's titles (Open Graph, Twitter, ``<title>``, first ``<h1>``) and URL slug."""
    raw = [ctx.first_meta("og:title"), ctx.first_meta("twitter:title"), ctx.title_text]
    h1 = next(ctx.root.iter("h1"), None)
    if h1 is not None:
        raw.append(node_text(h1, ctx.site))
    lines = patterns.for_site(ctx.site)
    titles = frozenset(clean_text(lines.strip_title_suffix(t)).casefold() for t in raw if t and clean_text(t))
    canonical = ctx.canonical_link
    target = ctx.mapper.parse(canonical or ctx.url, ctx.url)
    slug = target.slug if target is not None and target.kind == ARTICLE else ""
    return PageIdentity(titles, slug, lines)


def choose(candidates: list[Candidate], identity: PageIdentity) -> list[Candidate]:
    """The candidates that are this page's article: those matching the page, bodies first.

    JSON-LD describes the page it is on, so its only article object counts without a match.
    """
    matching = [c for c in candidates if identity.matches(c)]
    jsonld = [c for c in candidates if c.source == JSONLD]
    if len(jsonld) == 1 and jsonld[0] not in matching:
        matching.append(jsonld[0])
    return sorted(matching, key=lambda c: not c.has_body)  # stable: page order otherwise


# --------------------------------------------------------------------------- field readers


def _plain_body(value: Any) -> etree._Element | None:
    """JSON-LD ``articleBody`` (text, not HTML) as a ``<div>`` of one ``<p>`` per line."""
    if not isinstance(value, str) or "<" in value or not _has_letters(value[:_BODY_PROBE]):
        return None
    root = etree.Element("div")
    for line in value.splitlines():
        if line.strip():
            etree.SubElement(root, "p").text = line
    return root


def read_title(value: Any, ctx: PageContext) -> str | None:
    title = _text(value, _MAX_TITLE)
    return _text(patterns.for_site(ctx.site).strip_title_suffix(title), _MAX_TITLE) if title else None


def read_summary(value: Any, ctx: PageContext) -> str | None:
    if isinstance(value, str) and "<" in value:
        value = _fragment_text(value, ctx.site)
    return _text(value, 5000)


def read_date(value: Any, ctx: PageContext) -> str | None:
    return checked_date(value, ctx.lang, ctx.site.timezone)


def read_outlet(value: Any, ctx: PageContext) -> str | None:
    """An outlet's name: a string, or an object's name; never a URL."""
    for item in _items(value):
        name = _name(item)
        if name:
            return dedouble_outlet(name)
    return None


def read_source_url(value: Any, ctx: PageContext) -> str | None:
    """The original article's address: off the site, absolute http(s)."""
    for item in _items(value):
        links = _inner(item, _LINK_KEYS) if isinstance(item, dict) else [item]
        for link in links:
            url = checked_url(link, ctx.url) if isinstance(link, str) and "://" in link else None
            if url and ctx.mapper.parse(url) is None:
                return url
    return None


def read_sections(value: Any, ctx: PageContext) -> list[str] | None:
    """Category slugs: slug strings, category links, or objects with a slug or link."""
    slugs: list[str] = []
    for item in _items(value):
        found = None
        if isinstance(item, str):
            found = _category_slug(item, ctx)
        elif isinstance(item, dict):
            inner = [*_inner(item, _SLUG_KEYS), *_inner(item, _LINK_KEYS)]
            found = next(filter(None, (_category_slug(v, ctx) for v in inner if isinstance(v, str))), None)
        if found and found not in slugs:
            slugs.append(found)
    return slugs or None


def _category_slug(value: str, ctx: PageContext) -> str | None:
    value = value.strip()
    if "/" in value:
        target = ctx.mapper.parse(value, ctx.url)
        return target.slug if target is not None and target.kind == CATEGORY else None
    return value if ctx.site.urls.category_slug.match(value) else None


def read_tags(value: Any, ctx: PageContext) -> list[str] | None:
    """Tag names: a list of strings or objects, or one comma-separated string."""
    if isinstance(value, str):
        value = value.split(",")
    names = [_name(item) for item in _items(value)]
    return list(dict.fromkeys(n for n in names if n)) or None


def read_authors(value: Any, ctx: PageContext) -> list[str] | None:
    names: list[str] = []
    for item in _items(value):
        if isinstance(item, str):
            names += [n for n in map(clean_text, patterns.split_names(item)) if _text(n, _MAX_NAME)]
        elif (name := _name(item)) is not None:
            names.append(name)
    return list(dict.fromkeys(names)) or None


def read_images(value: Any, ctx: PageContext) -> list[dict[str, str | None]] | None:
    """Images: URL strings or objects with a URL and a caption, in order, each once."""
    images: dict[str, dict[str, str | None]] = {}
    for item in _items(value):
        caption = None
        if isinstance(item, dict):
            caption = next(
                filter(None, (clean_caption(c) for c in _inner(item, _CAPTION_KEYS) if isinstance(c, str))),
                None,
            )
            item = next((v for v in _inner(item, _IMAGE_URL_KEYS) if isinstance(v, str)), None)
        url = checked_url(item, ctx.url)
        if url and url not in images:
            images[url] = {"url": url, "caption": caption}
    return list(images.values()) or None


def read_translations(value: Any, ctx: PageContext) -> dict[str, str] | None:
    """``{lang: canonical URL}`` from language codes, ``{lang, slug|path|url}`` objects or a mapping."""
    if isinstance(value, dict) and not any(norm_key(k) in _LANG_KEYS for k in value):
        value = [{"lang": lang, "url": target} for lang, target in value.items()]
    identity_slug = ctx.mapper.parse(ctx.url)
    own_slug = identity_slug.slug if identity_slug is not None else ""
    found: dict[str, str] = {}
    languages = ctx.site.languages
    for item in _items(value):
        lang, slug, link = None, own_slug, None
        if isinstance(item, str):
            lang = _language(item, languages)
        elif isinstance(item, dict):
            lang = next(filter(None, (_language(v, languages) for v in _inner(item, _LANG_KEYS))), None)
            slug = next((v for v in _inner(item, _SLUG_KEYS) if isinstance(v, str)), slug)
            link = next((v for v in _inner(item, _LINK_KEYS) if isinstance(v, str)), None)
        if link is None and lang is not None and slug:
            link = f"{ctx.mapper.home_path(lang)}/{slug}"
        target = ctx.mapper.parse(checked_url(link, ctx.url)) if link else None
        if target is not None and target.kind == ARTICLE and target.lang != ctx.lang:
            found.setdefault(target.lang, target.canonical)
    return found or None


def _language(value: Any, languages: tuple[str, ...]) -> str | None:
    """One of the site's ``languages`` from ``en``, ``EN``, ``zh_CN``, ``en-US``; None if not one."""
    if not isinstance(value, str):
        return None
    code = value.strip().lower().replace("_", "-")
    if code in languages:
        return code
    base = code.split("-", 1)[0]
    return base if base in languages else None


def _fragment_text(markup: str, site: SiteProfile) -> str:
    root = _fragment(markup)
    return node_text(root, site) if root is not None else ""


def _fragment(markup: str) -> etree._Element | None:
    try:
        return lxml_html.fragment_fromstring(markup, create_parent="div")
    except (ValueError, etree.ParserError):
        return None


Reader = Callable[[Any, PageContext], Any]
#: How each field is read from a value; source_url also looks inside the outlet's object.
READERS: dict[str, tuple[Reader, tuple[str, ...]]] = {
    "title": (read_title, ("title",)),
    "summary": (read_summary, ("summary",)),
    "published_at": (read_date, ("published_at",)),
    "modified_at": (read_date, ("modified_at",)),
    "source_name": (read_outlet, ("source_name",)),
    "source_url": (read_source_url, ("source_url", "source_name")),
    "sections": (read_sections, ("sections",)),
    "tags": (read_tags, ("tags",)),
    "authors": (read_authors, ("authors",)),
    "images": (read_images, ("images",)),
    "translations": (read_translations, ("translations",)),
}


# --------------------------------------------------------------------------- the layer


class EmbeddedLayer(BodyLayer):
    """Every field the page's embedded data gives its article."""

    name = "embedded"

    @cached_property
    def _article(self) -> list[Candidate]:
        candidates = page_candidates(self.ctx)
        return choose(candidates, page_identity(self.ctx)) if candidates else []

    def has_answers(self) -> bool:
        return bool(self._article)

    def _read(self, field: str) -> Any:
        reader, fields = READERS[field]
        for candidate in self._article:
            for key_field in fields:
                for value in candidate.values(key_field):
                    found = reader(value, self.ctx)
                    if found:
                        return found
        return None

    @answers
    def title(self) -> str | None:
        return self._read("title")

    @answers
    def summary(self) -> str | None:
        return self._read("summary")

    @answers
    def published_at(self) -> str | None:
        return self._read("published_at")

    @answers
    def modified_at(self) -> str | None:
        return self._read("modified_at")

    @answers
    def source_name(self) -> str | None:
        return self._read("source_name")

    @answers
    def source_url(self) -> str | None:
        found = self._read("source_url")
        if found is None and self._body_parts is not None:
            found = self._body_parts.source_url  # the body's own "Source:" line
        return found

    @answers
    def sections(self) -> list[str] | None:
        return self._read("sections")

    @answers
    def tags(self) -> list[str] | None:
        return self._read("tags")

    @answers
    def authors(self) -> list[str] | None:
        return self._read("authors")

    @answers
    def translations(self) -> dict[str, str] | None:
        return self._read("translations")

    @answers
    def is_article(self) -> bool | None:
        return True if self._article else None

    @answers
    def images(self) -> list[Image] | None:
        """The body's images; a body without any takes the images the data lists."""
        parts = self._body_parts
        if parts is None:
            return None
        return parts.images or self._read("images") or []  # type: ignore[return-value]

    def body_parts(self) -> BodyParts | None:
        """The first body that gives paragraphs: HTML, else JSON-LD's plain ``articleBody``."""
        for plain in (False, True):
            for candidate in self._article:
                for value in candidate.values("body"):
                    root = _plain_body(value) if plain else _fragment(value) if is_html_body(value) else None
                    parts = self.assemble_body(root) if root is not None else None
                    if parts is not None and parts.paragraphs:
                        return parts
        return None
