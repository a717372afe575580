"""Pure URL logic: recognise the site's URL shapes, canonicalise, and map hosts.

Every link the spider sees goes through :class:`UrlMapper`: it decides whether the link
is on the site at all, what kind of page it names (home, category, article, ...), the
URL to fetch it from (the crawl origin, e.g. a mirror) and its canonical output URL. What the
site's URLs look like comes from the :class:`~newscrawl.sites.profile.SiteProfile` the mapper is
given; every :class:`SiteUrl` it makes keeps that profile.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import SplitResult, parse_qsl, urlencode, urljoin, urlsplit

from newscrawl.sites.profile import SiteProfile

HOME, CATEGORY, ARTICLE, TAG, OTHER = "home", "category", "article", "tag", "other"
_MULTI_SLASH = re.compile(r"/{2,}")
# Query keys that only track clicks; dropped everywhere.
_TRACKING_KEY = re.compile(r"^(utm_\w+|fbclid|gclid|zarsrc|zalo\w*|ref|source|from|_ga)$", re.I)
_DEFAULT_PORTS = {"http": 80, "https": 443}
_PLAIN_ABSOLUTE = re.compile(r"(?:https?:)?//[^\x00-\x20/?#;\\][^\x00-\x20?#;\\]*\Z")
# Parsed links kept per mapper; the same category, tag and translation links recur on many pages.
_PARSE_CACHE_SIZE = 16_384


@dataclass(frozen=True, slots=True)
class SiteUrl:
    """A URL on the site, reduced to what identifies the page."""

    kind: str  # HOME, CATEGORY, ARTICLE, TAG or OTHER
    path: str  # normalised: no trailing slash, no duplicate slashes ("" for the root)
    query: str  # tracking parameters removed; kept only for listings (pagination)
    lang: str
    slug: str  # article, category or tag slug ("" otherwise)
    site: SiteProfile = field(compare=False, repr=False)  # the site whose URL this is

    @property
    def canonical(self) -> str:
        """Canonical URL on the site's canonical origin, without query or fragment."""
        return self.site.canonical_origin + self.path


def classify_path(path: str, site: SiteProfile) -> tuple[str, str, str]:
    """Return ``(kind, lang, slug)`` for a normalised URL path of ``site``."""
    segments = [s for s in path.split("/") if s]
    if segments and segments[0] in site.prefixed_languages:
        lang, rest = segments[0], segments[1:]
    else:
        lang, rest = site.default_lang, segments
    if not rest:
        return HOME, lang, ""
    grammar = site.urls
    is_listing = len(rest) == 2 or (len(rest) == 4 and grammar.page_path.search("/" + "/".join(rest)))
    if rest[0] == grammar.category and is_listing and grammar.category_slug.match(rest[1]):
        return CATEGORY, lang, rest[1]
    if rest[0] in grammar.tags and len(rest) == 2:
        return TAG, lang, rest[1]
    if len(rest) == 1 and rest[0] not in grammar.reserved and grammar.article_slug.match(rest[0]):
        return ARTICLE, lang, rest[0]
    return OTHER, lang, ""


def normalise_path(path: str) -> str:
    """Collapse duplicate slashes and drop a trailing slash (the site treats both alike)."""
    path = path or "/"
    if "//" in path:
        path = _MULTI_SLASH.sub("/", path)
    return path.rstrip("/")


def safe_split(url: str) -> SplitResult | None:
    """``urlsplit`` whose port has been checked, or None for a malformed URL."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises on a malformed host or port
    except ValueError:
        return None
    return parts


def last_segment(href: str) -> str:
    """The last path segment of a link, without query, fragment or trailing slash: its slug."""
    return href.split("#", 1)[0].split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1]


def safe_join(base: str, href: str) -> str | None:
    """``urljoin`` that gives None for a malformed URL (``http://[x``) instead of raising."""
    joined = _join_and_split(base, href)
    return joined[0] if joined is not None else None


def _join(base: str, href: str) -> str:
    # urljoin parses both URLs only to give back an absolute http(s) URL as written, or a
    # scheme-relative one with the base's scheme, when it has nothing to re-serialise (no
    # query, fragment or parameters, nothing urlsplit strips): most links and image URLs.
    if _PLAIN_ABSOLUTE.match(href):
        if href.startswith("//"):
            scheme = base.partition(":")[0]
            if scheme in _DEFAULT_PORTS:
                return f"{scheme}:{href}"
        else:
            return href
    return urljoin(base, href)


def _join_and_split(base: str, href: str) -> tuple[str, SplitResult, int | None] | None:
    """``(joined URL, its parts, its port)`` of ``href`` against ``base``, or None if malformed."""
    try:
        joined = _join(base, href)
        parts = urlsplit(joined)
        return joined, parts, parts.port  # .port raises on a malformed host or port
    except ValueError:
        return None


def clean_query(query: str) -> str:
    """Drop tracking parameters; keep the rest in their order."""
    pairs = [(k, v) for k, v in parse_qsl(query, keep_blank_values=True) if not _TRACKING_KEY.match(k)]
    return urlencode(pairs)


def _base_key(href: str, base: str) -> str:
    """The part of ``base`` that resolving ``href`` against it depends on.

    A link with its own host, or a path from the root, takes only the scheme and host of the
    base (both end before the base's third slash): pages of one site then share cache entries.
    """
    if href.startswith(("/", "http://", "https://")):
        return "/".join(base.split("/", 3)[:3])
    return base


class UrlMapper:
    """Maps links between the site's hosts, the crawl origin and canonical URLs.

    ``base_url`` is the crawl origin (a mirror, say); None is the site's canonical origin.
    """

    def __init__(self, base_url: str | None, site: SiteProfile) -> None:
        self.site = site
        self._hosts = site.hosts
        if base_url is None:
            base_url = site.canonical_origin
        parts = urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"not an http(s) origin: {base_url!r}")
        self.origin = f"{parts.scheme}://{parts.netloc}"
        self._scheme = parts.scheme
        self._origin_key = (parts.hostname.lower(), parts.port or _DEFAULT_PORTS[parts.scheme])
        self._parsed: dict[tuple[str, str], SiteUrl | None] = {}

    def is_origin(self, scheme: str, host: str | None, port: int | None) -> bool:
        """True for the crawl origin itself: same scheme, host and port."""
        if scheme != self._scheme or not host:
            return False
        return (host.lower().rstrip("."), port or _DEFAULT_PORTS[scheme]) == self._origin_key

    def is_site_host(self, scheme: str, host: str | None, port: int | None) -> bool:
        """True for the crawl origin and the site's own hosts (on their default ports)."""
        if scheme not in ("http", "https") or not host:
            return False
        if self.is_origin(scheme, host, port):
            return True
        default_port = _DEFAULT_PORTS[scheme]
        return host.lower().rstrip(".") in self._hosts and (port or default_port) == default_port

    def parse(self, href: str | None, base: str | None = None, *, cache: bool = True) -> SiteUrl | None:
        """Resolve ``href`` (relative to ``base``) to a :class:`SiteUrl`, or None if off-site.

        Answers are cached, as links repeat from page to page; ``cache=False`` is for a URL
        seen once (each record's own URL, say), which would only crowd the cache.
        """
        if not href:
            return None
        href = href.strip()
        base = base or self.origin
        if not cache:
            return self._resolve(href, base)
        key = (href, _base_key(href, base))
        try:
            return self._parsed[key]
        except KeyError:
            pass
        found = self._resolve(href, base)
        if len(self._parsed) >= _PARSE_CACHE_SIZE:
            self._parsed.clear()
        self._parsed[key] = found
        return found

    def _resolve(self, href: str, base: str) -> SiteUrl | None:
        joined = _join_and_split(base, href)
        if joined is None:
            return None
        _url, parts, port = joined
        if not self.is_site_host(parts.scheme, parts.hostname, port):
            return None
        path = normalise_path(parts.path)
        kind, lang, slug = classify_path(path, self.site)
        query = clean_query(parts.query) if kind == CATEGORY else ""
        return SiteUrl(kind=kind, path=path, query=query, lang=lang, slug=slug, site=self.site)

    def fetch_url(self, url: SiteUrl) -> str:
        """The URL to request ``url`` from: the crawl origin, same path (and listing query)."""
        return self.origin + (url.path or "/") + (f"?{url.query}" if url.query else "")

    def home_path(self, lang: str) -> str:
        """Path of a language's home page."""
        return "" if lang == self.site.default_lang else f"/{lang}"

    def category_path(self, lang: str, slug: str) -> str:
        """Path of a category listing in a language."""
        return f"{self.home_path(lang)}/{self.site.urls.category}/{slug}"
