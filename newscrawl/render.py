"""Browser rendering with scrapy-playwright — only for pages that need it.

``NEWSCRAWL_RENDER``: ``never`` (no browser is ever started), ``auto`` (default: a listing
page without article links, an article page without a body from any static layer, or one drawn
from its embedded data that lacks a date or outlet, is fetched once more through Chromium when
it carries scripts) or ``always`` (every page).
Pages that needed a browser but could not get one are counted as not rendered, which the
health report turns into a non-zero exit.
"""

from __future__ import annotations

import asyncio
import os
import shutil
from pathlib import Path
from typing import Any

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.http import Response, TextResponse
from scrapy.settings import BaseSettings
from scrapy_playwright.page import PageMethod

from newscrawl.compat import PlaywrightHandlerLaunchedOnDemand
from newscrawl.extract.article import Extraction
from newscrawl.extract.embedded import EmbeddedLayer
from newscrawl.sites.profile import SiteProfile

MODES = ("auto", "never", "always")
# Debian's package first; Playwright's own download is the last resort.
CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/lib/chromium/chromium", "/usr/bin/chromium-browser")
RENDERED = "newscrawl_rendered"  # request meta: this request already went through the browser

# Clicks "load more" buttons until none is left (bounded), then scrolls to the end, so
# listings that grow in place show every item. A control loads more when its class or text
# holds one of the site's load-more labels or class names (given as the argument, lower case).
_LOAD_EVERYTHING = """async ({maxClicks, labels, classes}) => {
  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
  const words = labels.concat(classes);
  const loadsMore = (el) => {
    if (el.offsetParent === null) return false;
    const text = ((el.className || "") + " " + el.textContent).toLowerCase();
    return words.some((word) => text.includes(word));
  };
  const styled = classes.map((name) => `[class*="${name}"]`).join(", ");
  // Real controls first; a styled element only when it wraps no control of its own.
  const button = () =>
    Array.from(document.querySelectorAll("button, [role=button], a:not([href])")).find(loadsMore) ||
    (styled ? Array.from(document.querySelectorAll(styled)) : [])
      .find((el) => loadsMore(el) && !el.querySelector("button, a, [role=button]"));
  for (let i = 0; i < maxClicks; i++) {
    const target = button();
    if (!target) break;
    const before = document.querySelectorAll("a[href]").length;
    target.click();
    for (let t = 0; t < 50 && document.querySelectorAll("a[href]").length === before; t++) await sleep(100);
    if (document.querySelectorAll("a[href]").length === before) break;
  }
  window.scrollTo(0, document.body.scrollHeight);
}"""


def render_mode(settings: BaseSettings) -> str:
    """``NEWSCRAWL_RENDER``, validated (raises ValueError naming the accepted values)."""
    mode = str(settings.get("NEWSCRAWL_RENDER", "auto")).strip().lower()
    if mode not in MODES:
        raise ValueError(f"{mode!r} is not one of {', '.join(MODES)}")
    return mode


def chromium_path(settings: BaseSettings) -> str | None:
    """The browser to launch: ``NEWSCRAWL_CHROMIUM``, else a system Chromium, else None."""
    configured = str(settings.get("NEWSCRAWL_CHROMIUM") or "").strip()
    if configured:
        return configured
    for candidate in CHROMIUM_CANDIDATES:
        if os.access(candidate, os.X_OK):
            return candidate
    return shutil.which("chromium")


def browser_problem(settings: BaseSettings) -> str | None:
    """Why no browser can be started (None when one can, or when rendering is off)."""
    if render_mode(settings) == "never":
        return None
    path = chromium_path(settings)
    if path is None:
        return ("no Chromium found: install Debian's chromium package, run `playwright install chromium`, "
                "or point NEWSCRAWL_CHROMIUM at a browser")  # fmt: skip
    if not (Path(path).is_file() and os.access(path, os.X_OK)):
        return f"NEWSCRAWL_CHROMIUM={path} is not an executable file"
    return None


def playwright_settings(settings: BaseSettings) -> dict[str, Any]:
    """scrapy-playwright settings for this crawl: download handlers, launch options, bounds.

    Empty when rendering is ``never`` or no browser exists, so Playwright is never started.
    """
    if render_mode(settings) == "never" or browser_problem(settings) is not None:
        return {}
    handler = "newscrawl.render.LazyPlaywrightDownloadHandler"
    return {
        "DOWNLOAD_HANDLERS": {"http": handler, "https": handler},
        "PLAYWRIGHT_BROWSER_TYPE": "chromium",
        "PLAYWRIGHT_LAUNCH_OPTIONS": {
            "executable_path": chromium_path(settings),
            "headless": True,
            # Without these, Chromium reaches for Google's hosts on this closed network.
            "args": [
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--disable-quic",
            ],
        },  # fmt: skip
        "PLAYWRIGHT_ABORT_REQUEST": "newscrawl.render.skip_heavy_resources",
        "PLAYWRIGHT_RESTART_DISCONNECTED_BROWSER": True,
    }


class LazyPlaywrightDownloadHandler(PlaywrightHandlerLaunchedOnDemand):
    """scrapy-playwright's download handler, starting Playwright with the first page that needs it.

    The stock handler starts Playwright's driver (a Node process of about 120 MB) as the
    engine starts; with ``NEWSCRAWL_RENDER=auto`` most crawls never render a page.
    """

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self._playwright_started = False
        self._start_lock = asyncio.Lock()

    async def download_request(self, request: Request) -> Response:
        """Start Playwright first if this is the crawl's first page for the browser."""
        if request.meta.get("playwright") and not self._playwright_started:
            async with self._start_lock:
                if not self._playwright_started:
                    await self.launch_playwright()
                    self._playwright_started = True
        return await super().download_request(request)


def skip_heavy_resources(request: Any) -> bool:
    """Rendered pages load no images, fonts or media: only documents, scripts and data."""
    return request.resource_type in ("image", "font", "media", "stylesheet")


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


def render_meta(settings: BaseSettings, site: SiteProfile) -> dict[str, Any]:
    """Request meta that sends a request through the browser and lets the page finish, clicking
    the controls that ``site``'s load-more labels and class names name."""
    load_more = {
        "maxClicks": settings.getint("NEWSCRAWL_RENDER_MAX_CLICKS"),
        "labels": [label.lower() for label in site.labels.load_more],
        "classes": [name.lower() for name in site.load_more_classes],
    }
    return {
        "playwright": True,
        RENDERED: True,
        "playwright_page_methods": [
            PageMethod("wait_for_load_state", "networkidle"),
            PageMethod("evaluate", _LOAD_EVERYTHING, load_more),
            PageMethod("wait_for_load_state", "networkidle"),
        ],
    }
