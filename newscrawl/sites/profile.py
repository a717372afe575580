"""What a crawl needs to know of one site, in one frozen object: :class:`SiteProfile`.

Hosts, languages, URL grammar, discovery documents, selectors, labels in every language, time
zone, image hosts. When the site changes, its profile changes and nothing else does; a second
site is a second profile. Compiled patterns are built once per profile (it is frozen, so the
cached properties below never go stale, and the modules that compile its selectors and labels
keep them in caches keyed by the profile).

No module outside ``newscrawl/sites/`` imports a profile: the spider holds one (``site``,
overridable with the ``NEWSCRAWL_SITE`` setting, see :func:`crawl_site`) and hands it on, through
its :class:`~newscrawl.urls.UrlMapper`, to discovery and extraction.
"""

from __future__ import annotations

import importlib
import re
from dataclasses import dataclass, field
from datetime import tzinfo
from functools import cached_property
from typing import Any


@dataclass(frozen=True)
class UrlGrammar:
    """How the site's paths name its pages (after an optional language prefix)."""

    category: str  # first segment of a category listing: /<category>/<slug>
    tags: tuple[str, ...]  # first segments of tag pages
    authors: tuple[str, ...]  # first segments of author pages
    # First path segments that are never article slugs.
    reserved: frozenset[str]
    article_slug: re.Pattern[str]
    category_slug: re.Pattern[str]
    page_query_keys: tuple[str, ...]  # ?page=N and its spellings
    page_path: re.Pattern[str]  # /page/N at the end of a listing path


@dataclass(frozen=True)
class Discovery:
    """Documents that list the site's pages besides its navigation."""

    sitemap: str  # the sitemap index, when robots.txt names none
    feed: str  # a language's RSS feed, ``{home}`` standing for the language's home path
    day_sitemap: re.Pattern[str]  # one day's posts; group 1 is the day (YYYY-MM-DD)
    category_sitemap: re.Pattern[str]
    news_sitemap: re.Pattern[str]
    skipped_sitemaps: re.Pattern[str]  # tags, pages, authors, media: no articles to find


@dataclass(frozen=True)
class Labels:
    """Words the site shows, in every language it has (compared case-insensitively)."""

    next_page: frozenset[str]  # pagination links that lead onwards
    load_more: tuple[str, ...]  # buttons that load more items in place
    source: tuple[str, ...]  # "Source:" before the original article's link
    source_link: tuple[str, ...]  # a link whose text alone says "source link"
    comment: tuple[str, ...]  # the comment counter under an article
    caption_credit: tuple[str, ...]  # "Photo:" and its translations before a credit
    caption_numbered: tuple[str, ...] = ()  # "Ảnh" in "… - Ảnh 1.": a numbered picture ends a caption
    empty_listing: tuple[str, ...] = ()  # "No posts yet": a listing that is empty on purpose


@dataclass(frozen=True)
class SiteProfile:
    """Everything specific to one site; the crawl, extraction and discovery are given one."""

    name: str
    canonical_origin: str  # output URLs use it, whatever host served the page
    hosts: frozenset[str]  # hosts that serve the same paths
    default_lang: str  # the language without a path prefix
    languages: tuple[str, ...]  # accepted by ``-a langs``: a typo fails at start
    urls: UrlGrammar
    discovery: Discovery
    labels: Labels
    timezone: tzinfo  # of dates the site prints without one
    title_suffix: re.Pattern[str]  # " - Site name" at the end of page titles
    site_header: str  # the slogan every page shows above the article
    listing_links: tuple[str, ...]  # selectors of a listing's article links
    listing_excluded_areas: tuple[str, ...]  # links inside these belong to other listings
    listing_excluded_classes: tuple[str, ...]
    listing_dates: tuple[str, ...]  # selectors of an item's date on a listing
    article: dict[str, tuple[str, ...]] = field(hash=False)  # selectors by role
    body_exclude: tuple[str, ...] = ()  # tags and .classes inside a body that are never text
    caption_classes: tuple[str, ...] = ()  # class names (any substring) of captions in a body
    # Image hosts that serve http and https alike: their images are written with https.
    https_image_hosts: frozenset[str] = frozenset()
    # Class names (any substring of the class attribute) of a listing's "next page" link, and of
    # controls that load more items in place; both lead a listing onwards.
    next_page_classes: tuple[str, ...] = ()
    load_more_classes: tuple[str, ...] = ()

    def __hash__(self) -> int:
        # Cheap: profiles key the caches of compiled selectors and patterns, looked up per page.
        # Equal profiles have equal names and origins, so this agrees with the generated __eq__.
        return hash((self.name, self.canonical_origin))

    @cached_property
    def prefixed_languages(self) -> frozenset[str]:
        """Languages whose paths start with their code."""
        return frozenset(self.languages) - {self.default_lang}

    @cached_property
    def canonical_host(self) -> str:
        """The host of :attr:`canonical_origin`."""
        return self.canonical_origin.split("://", 1)[1].split("/", 1)[0]


class SiteProfileError(ValueError):
    """A ``NEWSCRAWL_SITE`` value that names no :class:`SiteProfile`."""


def load_profile(path: str) -> SiteProfile:
    """The profile at ``"package.module:NAME"``; :class:`SiteProfileError` (one line) if there is none."""
    module_name, colon, attribute = path.strip().partition(":")
    if not colon or not module_name or not attribute:
        raise SiteProfileError(f"{path!r} is not an import path such as package.module:NAME")
    try:
        module = importlib.import_module(module_name)
    except Exception as error:  # ImportError, or the module itself failing: either way unusable
        raise SiteProfileError(f"cannot import {module_name!r}: {error}") from None
    found: Any = getattr(module, attribute, None)
    if not isinstance(found, SiteProfile):
        what = "nothing" if found is None else f"a {type(found).__name__}"
        raise SiteProfileError(f"{path!r} is {what}, not a SiteProfile")
    return found


def crawl_site(settings: Any, default: SiteProfile | None) -> SiteProfile:
    """The profile a crawl uses: ``NEWSCRAWL_SITE`` when set, else ``default`` (the spider's own)."""
    configured = str(settings.get("NEWSCRAWL_SITE") or "").strip()
    if configured:
        return load_profile(configured)
    if default is None:
        raise SiteProfileError("no site profile: set NEWSCRAWL_SITE to package.module:NAME")
    return default
