"""The browser side of rendering: scrapy-playwright's settings, a download handler that keeps
every browser page within a time budget, and the steps that let a page finish drawing.

Every step is bounded, because one page that never settles used to hold a browser slot for
good and, with every slot held, the crawl made no progress and ignored SIGINT:

- navigation: ``PLAYWRIGHT_DEFAULT_NAVIGATION_TIMEOUT``;
- each script evaluation, wait for the network and "load more" round:
  ``NEWSCRAWL_RENDER_STEP_TIMEOUT``;
- the whole page: ``NEWSCRAWL_RENDER_PAGE_TIMEOUT``; past it the page is closed and the
  download fails (the spider then reads the page without a browser);
- shutdown: once the engine stops (SIGINT, Scrapyd's cancel), pages still in the browser get
  half of ``NEWSCRAWL_RENDER_CLOSE_TIMEOUT`` to finish before they are closed, and closing the
  browser gets a quarter, so the crawl ends within that timeout.

A page's scripts may navigate away (a form, a redirecting script): what the browser then shows
is another page, so :func:`settle_page` fails the download instead of returning it.
"""

from __future__ import annotations

import asyncio
import logging
import os
import shutil
import weakref
from collections.abc import Awaitable
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from playwright.async_api import Error as PlaywrightError
from playwright.async_api import Page
from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.http import Response
from scrapy.settings import BaseSettings

from newscrawl import stats as keys
from newscrawl.compat import PlaywrightHandlerLaunchedOnDemand
from newscrawl.sites.profile import SiteProfile

logger = logging.getLogger(__name__)

# Debian's package first; Playwright's own download is the last resort.
CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/lib/chromium/chromium", "/usr/bin/chromium-browser")

T = TypeVar("T")


class RenderFailed(Exception):
    """A page could not be rendered: it navigated away, or ran out of time."""


# --------------------------------------------------------------------------- launching


def chromium_path(settings: BaseSettings) -> str | None:
    """The browser to launch: ``NEWSCRAWL_CHROMIUM``, else a system Chromium, else None."""
    configured = str(settings.get("NEWSCRAWL_CHROMIUM") or "").strip()
    if configured:
        return configured
    for candidate in CHROMIUM_CANDIDATES:
        if os.access(candidate, os.X_OK):
            return candidate
    return shutil.which("chromium")


def chromium_problem(settings: BaseSettings) -> str | None:
    """Why no browser can be started (None when one can)."""
    path = chromium_path(settings)
    if path is None:
        return ("no Chromium found: install Debian's chromium package, run `playwright install chromium`, "
                "or point NEWSCRAWL_CHROMIUM at a browser")  # fmt: skip
    if not (Path(path).is_file() and os.access(path, os.X_OK)):
        return f"NEWSCRAWL_CHROMIUM={path} is not an executable file"
    return None


def playwright_settings(settings: BaseSettings) -> dict[str, Any]:
    """scrapy-playwright's settings for a crawl that may render: handlers, launch options."""
    handler = "newscrawl.browser.BoundedPlaywrightHandler"
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
        "PLAYWRIGHT_ABORT_REQUEST": "newscrawl.browser.skip_heavy_resources",
        "PLAYWRIGHT_RESTART_DISCONNECTED_BROWSER": True,
    }


def skip_heavy_resources(request: Any) -> bool:
    """Rendered pages load no images, fonts or media: only documents, scripts and data."""
    return request.resource_type in ("image", "font", "media", "stylesheet")


# --------------------------------------------------------------------------- the handler


@dataclass(eq=False)  # kept in a set, by identity
class _BrowserDownload:
    """One request in the browser: its task and the pages opened for it."""

    url: str
    task: asyncio.Future[Response] | None = None
    pages: list[Page] | None = None
    aborted: str | None = None

    async def page_created(self, page: Page, request: Request) -> None:
        """scrapy-playwright's ``playwright_page_init_callback`` (before navigation): remember the
        page to close, and watch which documents it loads."""
        self.pages = [*(self.pages or []), page]
        watch_documents(page)


class BoundedPlaywrightHandler(PlaywrightHandlerLaunchedOnDemand):
    """scrapy-playwright's download handler, starting Playwright with the first page that needs
    it and keeping every page within its time budget (see the module's docstring).

    The stock handler starts Playwright's driver (a Node process of about 120 MB) as the
    engine starts; with ``NEWSCRAWL_RENDER=auto`` most crawls never render a page.
    """

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self.crawler = crawler
        settings = crawler.settings
        self.page_timeout = settings.getfloat("NEWSCRAWL_RENDER_PAGE_TIMEOUT")
        self.close_timeout = settings.getfloat("NEWSCRAWL_RENDER_CLOSE_TIMEOUT")
        self._playwright_started = False
        self._start_lock = asyncio.Lock()
        self._downloads: set[_BrowserDownload] = set()
        self._watcher: asyncio.Task[None] | None = None
        self._closed_for_shutdown = False

    async def download_request(self, request: Request) -> Response:
        """Fetch through the browser when the request asks for it, within the page budget."""
        if not request.meta.get("playwright"):
            return await super().download_request(request)
        if self._closed_for_shutdown:
            raise RenderFailed("the crawl is shutting down: the browser is closed")
        await self._start_once()
        download = _BrowserDownload(request.url)
        request.meta["playwright_page_init_callback"] = download.page_created
        download.task = asyncio.ensure_future(super().download_request(request))
        self._downloads.add(download)
        try:
            done, _ = await asyncio.wait({download.task}, timeout=self.page_timeout)
            if not done:
                await self._abort(download, f"still rendering after {self.page_timeout:g} s")
            return await download.task
        except asyncio.CancelledError:
            if download.aborted is None:  # Scrapy gave up on the request: free its page
                await self._abort(download, "cancelled")
                raise
            raise RenderFailed(f"{request.url}: {download.aborted}") from None
        finally:
            self._downloads.discard(download)

    async def _start_once(self) -> None:
        if self._playwright_started:
            return
        async with self._start_lock:
            if not self._playwright_started:
                await self.launch_playwright()
                self._playwright_started = True
                self._watcher = asyncio.ensure_future(self._watch_for_shutdown())

    async def _abort(self, download: _BrowserDownload, reason: str) -> None:
        """Cancel a browser download and close its pages (which frees their browser slots)."""
        download.aborted = reason
        self.crawler.stats.inc_value(keys.RENDER_ABORTED)
        if download.task is not None and not download.task.done():
            download.task.cancel()
            await asyncio.wait({download.task}, timeout=5)
        for page in download.pages or []:
            with suppress(PlaywrightError, asyncio.TimeoutError):
                await asyncio.wait_for(page.close(), 5)
        logger.warning("browser page given up: %s (%s)", download.url, reason)

    async def _watch_for_shutdown(self) -> None:
        """Once the engine stops, give pages in the browser a while, then close them."""
        engine = self.crawler.engine
        while engine is not None and engine.running:
            await asyncio.sleep(0.5)
        pending = {d.task for d in self._downloads if d.task is not None}
        if pending:
            logger.info("shutting down: %d pages still in the browser get %g s to finish",
                        len(pending), self.close_timeout / 2)  # fmt: skip
            await asyncio.wait(pending, timeout=self.close_timeout / 2)
        for download in list(self._downloads):
            await self._abort(download, "the crawl is shutting down")
        self._closed_for_shutdown = True

    async def close(self) -> None:
        """Close the browser, within a quarter of ``NEWSCRAWL_RENDER_CLOSE_TIMEOUT``."""
        if self._watcher is not None:
            self._watcher.cancel()
        try:
            await asyncio.wait_for(super().close(), self.close_timeout / 4)
        except TimeoutError:
            logger.warning("the browser did not close within %g s; leaving it to exit with the crawl",
                           self.close_timeout / 4)  # fmt: skip


# --------------------------------------------------------------------------- settling a page

# Clicks one "load more" control and returns the number of links before the click, or -1
# when there is none. A control is a button or a link that stays on the page (no href, "#" or
# "javascript:"), outside any form it could submit, whose whole label is one of the site's
# load-more labels or whose class names one of its load-more classes; an element that is not
# a control qualifies only by its class, when it wraps no control and little text.
_CLICK_LOAD_MORE = """({labels, classes}) => {
  const ends = "[\\\\s\\u00bb\\u203a\\u2026+\\u2193\\u25bc\\u2192>.-]+";  // arrows, ellipses, "+"
  const trim = new RegExp(`^${ends}|${ends}$`, "g");
  const label = (el) => (el.innerText || el.textContent || el.value || el.getAttribute("aria-label") || "")
    .replace(/\\s+/g, " ").replace(trim, "").toLowerCase();
  const styled = (el) => Array.from(el.classList)
    .some((c) => classes.some((hint) => c.toLowerCase().includes(hint)));
  const shown = (el) => el.getClientRects().length > 0 && getComputedStyle(el).visibility !== "hidden";
  const staysHere = (el) => {
    const submits = (el.tagName === "INPUT" && ["submit", "image"].includes(el.type))
      || (el.tagName === "BUTTON" && el.type === "submit");
    if (submits && el.form) return false;  // el.form: also a button tied to its form by form="…"
    const link = el.closest("a[href]");
    if (link) {
      const href = link.getAttribute("href").trim().toLowerCase();
      if (!(href === "" || href.startsWith("#") || href.startsWith("javascript:"))) return false;
    }
    return true;
  };
  // Controls clicked before that loaded nothing (settle_page marks them) are not tried again.
  const dead = (window.__newscrawlDead = window.__newscrawlDead || new WeakSet());
  const live = (el) => !dead.has(el) && shown(el) && staysHere(el);
  const controls = Array.from(document.querySelectorAll("button, [role=button], a, input[type=button]"))
    .filter(live);
  let target = controls.find((el) => labels.includes(label(el))) || controls.find(styled);
  if (!target && classes.length) {
    target = Array.from(document.querySelectorAll(classes.map((c) => `[class*="${c}"]`).join(", ")))
      .find((el) => live(el) && styled(el) && label(el).length <= 40
                    && !el.querySelector("button, a, [role=button], input"));
  }
  if (!target) return -1;
  const before = document.querySelectorAll("a[href]").length;
  window.__newscrawlLast = target;
  target.click();
  return before;
}"""
_MORE_LINKS = "(before) => document.querySelectorAll('a[href]').length > before"
_MARK_DEAD = "() => window.__newscrawlDead.add(window.__newscrawlLast)"
# Main-frame documents each page loaded, counted from its creation (see watch_documents).
_DOCUMENTS: weakref.WeakKeyDictionary[Page, list[int]] = weakref.WeakKeyDictionary()
_SCROLL_TO_END = "() => window.scrollTo(0, document.body ? document.body.scrollHeight : 0)"


@dataclass(frozen=True)
class SettlePlan:
    """What :func:`settle_page` does: which controls load more, how often, how long each step."""

    labels: tuple[str, ...]
    classes: tuple[str, ...]
    max_clicks: int
    step_timeout: float  # seconds

    @classmethod
    def for_site(cls, settings: BaseSettings, site: SiteProfile) -> SettlePlan:
        """The plan for ``site``'s load-more labels and class names, bounded by the settings."""
        return cls(
            labels=tuple(label.lower() for label in site.labels.load_more),
            classes=tuple(name.lower() for name in site.load_more_classes),
            max_clicks=settings.getint("NEWSCRAWL_RENDER_MAX_CLICKS"),
            step_timeout=settings.getfloat("NEWSCRAWL_RENDER_STEP_TIMEOUT"),
        )


def watch_documents(page: Page) -> None:
    """Count the documents ``page``'s main frame loads, from before its first navigation, so that
    :func:`settle_page` notices a script that left for another page, even before "load"."""
    count = _DOCUMENTS.setdefault(page, [0])

    def on_request(request: Any) -> None:
        # A server redirect is the same fetch; any other main-frame navigation is a new document.
        main_frame = request.frame == page.main_frame
        if request.is_navigation_request() and main_frame and not request.redirected_from:
            count[0] += 1

    page.on("request", on_request)


async def settle_page(page: Page, plan: SettlePlan) -> None:
    """Let a page finish: wait for its network, click its load-more controls until none is left
    or nothing new appears, scroll to the end (for lists that grow on scrolling).

    Raises :class:`RenderFailed` when the page left for another document meanwhile (or before,
    for a page watched with :func:`watch_documents`).
    """
    start = _without_fragment(page.url)
    await _quiet(page, plan)
    arg = {"labels": list(plan.labels), "classes": list(plan.classes)}
    for _ in range(plan.max_clicks):
        before = await _step(page.evaluate(_CLICK_LOAD_MORE, arg), plan, page, start)
        if before < 0:
            break
        try:
            await page.wait_for_function(_MORE_LINKS, arg=before, timeout=plan.step_timeout * 1000)
        except PlaywrightError:  # nothing new within the step's time: try the next control
            await _step(page.evaluate(_MARK_DEAD), plan, page, start)
    await _step(page.evaluate(_SCROLL_TO_END), plan, page, start)
    await _quiet(page, plan)
    documents = _DOCUMENTS.get(page, [1])[0]
    if _without_fragment(page.url) != start or documents > 1:
        raise RenderFailed(f"the page's scripts navigated from {start} to {page.url}")


async def _quiet(page: Page, plan: SettlePlan) -> None:
    """Wait for the network to go quiet; a page that polls for ever is read as it is."""
    with suppress(PlaywrightError):
        await page.wait_for_load_state("networkidle", timeout=plan.step_timeout * 1000)


async def _step(action: Awaitable[T], plan: SettlePlan, page: Page, start: str) -> T:
    """One script evaluation, within the step timeout; a navigation meanwhile is a failure."""
    try:
        return await asyncio.wait_for(action, plan.step_timeout)
    except TimeoutError:
        raise RenderFailed(f"a script on {start} ran longer than {plan.step_timeout:g} s") from None
    except PlaywrightError as error:  # our scripts do not throw: the page left, closed or crashed
        raise RenderFailed(f"the page at {start} failed while loading more: {error.message}") from error


def _without_fragment(url: str) -> str:
    return url.split("#", 1)[0]
