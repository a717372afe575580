"""Browser rendering with scrapy-playwright — only for pages that need it.

``NEWSCRAWL_RENDER``: ``never`` (no browser is ever started), ``auto`` (default: a listing
page without article links, an article page without a body from any static layer, or one drawn
from its embedded data that lacks a date or outlet, is fetched once more through Chromium when
it carries scripts) or ``always`` (every page).
Pages that needed a browser but could not get one are counted as not rendered, which the
health report turns into a non-zero exit. A page the browser fails on (see
``newscrawl.browser``) is read once more without it, counted as ``render/failed/<kind>``.
"""

from __future__ import annotations

from typing import Any

from scrapy import Request
from scrapy.http import TextResponse
from scrapy.settings import BaseSettings
from scrapy_playwright.page import PageMethod

from newscrawl.browser import SettlePlan, chromium_problem, settle_page
from newscrawl.browser import playwright_settings as browser_settings
from newscrawl.extract.article import Extraction
from newscrawl.extract.embedded import EmbeddedLayer
from newscrawl.sites.profile import SiteProfile

MODES = ("auto", "never", "always")
RENDERED = "newscrawl_rendered"  # request meta: this request already went through the browser
RENDER_KIND = "newscrawl_render_kind"  # request meta: why (listing, article, article_fields, always)
RENDER_FAILED = "newscrawl_render_failed"  # request meta: the browser failed; this is the static retry


def render_mode(settings: BaseSettings) -> str:
    """``NEWSCRAWL_RENDER``, validated (raises ValueError naming the accepted values)."""
    mode = str(settings.get("NEWSCRAWL_RENDER", "auto")).strip().lower()
    if mode not in MODES:
        raise ValueError(f"{mode!r} is not one of {', '.join(MODES)}")
    return mode


def browser_problem(settings: BaseSettings) -> str | None:
    """Why no browser can be started (None when one can, or when rendering is off)."""
    return None if render_mode(settings) == "never" else chromium_problem(settings)


def playwright_settings(settings: BaseSettings) -> dict[str, Any]:
    """scrapy-playwright settings for this crawl (:func:`newscrawl.browser.playwright_settings`).

    Empty when rendering is ``never`` or no browser exists, so Playwright is never started.
    """
    if render_mode(settings) == "never" or chromium_problem(settings) is not None:
        return {}
    return browser_settings(settings)


def has_scripts(response: TextResponse) -> bool:
    """True when the page runs JavaScript (inline or external)."""
    return bool(response.xpath("//script[not(@type) or contains(@type, 'javascript') or @type='module']"))


# Fields worth a browser when a page drawn from its own data lacks them.
RENDER_FOR_FIELDS = ("published_at", "source_name")


def missing_drawn_fields(extraction: Extraction) -> list[str]:
    """The :data:`RENDER_FOR_FIELDS` a page lacks when its body came from its embedded data.

    A page whose body is in its static HTML was rendered by the server, date and outlet
    included: what it lacks, it does not have (the site's own articles name no outlet). A page
    drawn by scripts from its data may show in the browser what that data left out.
    """
    if extraction.layers.get("body") != EmbeddedLayer.name:
        return []
    return [name for name in RENDER_FOR_FIELDS if name not in extraction.fields]


def render_meta(settings: BaseSettings, site: SiteProfile, kind: str) -> dict[str, Any]:
    """Request meta that sends a request through the browser and lets the page finish, clicking
    the controls that ``site``'s load-more labels and class names name (see
    :func:`newscrawl.browser.settle_page`)."""
    return {
        "playwright": True,
        RENDERED: True,
        RENDER_KIND: kind,
        "playwright_page_methods": [PageMethod(settle_page, SettlePlan.for_site(settings, site))],
    }


def static_retry(request: Request) -> Request:
    """``request`` once more without the browser, after the browser failed on it."""
    meta = {k: v for k, v in request.meta.items() if not k.startswith("playwright")}
    return request.replace(meta={**meta, RENDER_FAILED: True}, dont_filter=True)
