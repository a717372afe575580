"""Every private (undocumented) API of a pinned dependency that newscrawl relies on, in one place.

Each wrapper below names the version of ``requirements.txt`` it was checked against
(:data:`CHECKED`), what the private API does there and why we use it. The wrappers check the API
before using it and raise :class:`PrivateApiChanged` — naming the package and the version — when
it is gone or has another shape; they never quietly fall back to something else.
``tests/test_compat.py`` checks each API against the installed package, so an upgrade that
changes one fails a test that names the package. After upgrading a package here, re-read the
code each wrapper documents, adapt the wrapper, and update :data:`CHECKED`.

readability-lxml 0.9 — ``Document._html`` and ``Document._parse``
    ``Document._html(force=False)`` (re)builds ``Document.html`` by calling
    ``self._parse(self.input)``: parsing the page and cleaning it up (the costly part:
    lxml's Cleaner and hidden elements dropped). ``summary()`` calls ``_html(True)`` before each
    of its passes, re-parsing and re-cleaning the whole page every time. The generic extractor
    parses and cleans a page once (:func:`readability_tree`) and hands that tree to every pass
    through a Document whose ``_parse`` returns it (:class:`ReadabilityOverTree`). The extractor
    also calls ``score_paragraphs``, ``select_best_candidate`` and ``tags`` (undocumented: the
    documented API is ``title``, ``short_title``, ``content`` and ``summary``); they are checked
    here too.

scrapy-playwright 0.0.48 — ``ScrapyPlaywrightDownloadHandler._maybe_launch_in_thread``
    The stock handler connects this coroutine to ``engine_started`` (Scrapy >= 2.13 API) and
    starts Playwright's driver (a Node process of about 120 MB) in it. Most crawls render no
    page, so :class:`PlaywrightHandlerLaunchedOnDemand` turns that hook into a no-op and offers
    :meth:`~PlaywrightHandlerLaunchedOnDemand.launch_playwright`, the stock start, for the first
    page that needs the browser.

Scrapy 2.19.0 — ``FeedExporter.slots`` and ``FeedSlot.filter``, ``.itemcount``, ``.uri``
    ``FeedExporter.slots`` lists the open feed batches (``FeedSlot``); a slot's ``filter.accepts``
    says whether an item goes to it, ``itemcount`` counts the items it exported and ``uri`` is
    where it writes. Scrapy offers no public way to learn whether a feed took an item or where
    the feed file is: the state keeper records an article only once every feed meant to hold it
    counted it (a full disk otherwise loses it), and the health report is written beside the
    feed file. :func:`feed_slots` reads them from the exporter that the public
    ``Crawler.get_extension(FeedExporter)`` returns.
"""

from __future__ import annotations

import copy
import functools
import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from lxml import html as lxml_html
from readability import Document
from scrapy.crawler import Crawler
from scrapy.extensions.feedexport import FeedExporter
from scrapy_playwright.handler import ScrapyPlaywrightDownloadHandler

# Package (as in requirements.txt) → the version whose private API this module was checked against.
CHECKED = {
    "readability-lxml": "0.9",
    "scrapy-playwright": "0.0.48",
    "Scrapy": "2.19.0",
}


class PrivateApiChanged(RuntimeError):
    """A dependency's private API is not what :mod:`newscrawl.compat` was written against."""

    def __init__(self, package: str, api: str, problem: str) -> None:
        super().__init__(
            f"{package} changed {api}: {problem} (newscrawl.compat was checked against "
            f"{package} {CHECKED[package]}; adapt the wrapper in newscrawl/compat.py)"
        )
        self.package, self.api = package, api


def parameters(function: Any) -> str:
    """``function``'s parameters without annotations, e.g. ``"self, force=False"`` or ``"self, *names"``."""
    out = []
    for parameter in inspect.signature(function).parameters.values():
        kind = parameter.kind
        name = "*" if kind is parameter.VAR_POSITIONAL else "**" if kind is parameter.VAR_KEYWORD else ""
        name += parameter.name
        out.append(name if parameter.default is parameter.empty else f"{name}={parameter.default!r}")
    return ", ".join(out)


def _check_signature(package: str, owner: type, name: str, expected: str) -> Any:
    """``owner.name``, raising :class:`PrivateApiChanged` unless its parameters are ``expected``."""
    api = f"{owner.__name__}.{name}"
    function = inspect.getattr_static(owner, name, None)
    if function is None:
        raise PrivateApiChanged(package, api, f"{owner.__name__} has no attribute {name!r}")
    found = parameters(function)
    if found != expected:
        raise PrivateApiChanged(package, api, f"its parameters are ({found}), expected ({expected})")
    return function


# --------------------------------------------------------------------------- readability-lxml

READABILITY = "readability-lxml"
# Document's methods we call or override → their parameters in readability-lxml 0.9.
READABILITY_METHODS = {
    "_html": "self, force=False",
    "_parse": "self, input",
    "score_paragraphs": "self",
    "select_best_candidate": "self, candidates",
    "tags": "self, node, *tag_names",
}


@functools.cache
def check_readability() -> None:
    """Raise :class:`PrivateApiChanged` unless readability's Document has the methods we use."""
    for name, expected in READABILITY_METHODS.items():
        _check_signature(READABILITY, Document, name, expected)


def readability_tree(page_html: str) -> lxml_html.HtmlElement:
    """``page_html`` parsed and cleaned up by readability (``Document._html(True)``)."""
    check_readability()
    tree = Document(page_html)._html(True)
    if not isinstance(tree, lxml_html.HtmlElement):
        raise PrivateApiChanged(READABILITY, "Document._html", f"it returned {type(tree).__name__}")
    return tree


class ReadabilityOverTree(Document):
    """A readability Document over a page readability has already parsed and cleaned up.

    readability re-parses (and re-cleans, the costly part) its input before every pass; here
    each pass gets the one tree instead: a fresh copy of it, or the tree itself (``copies=False``)
    for the last pass over it.
    """

    def __init__(self, tree: lxml_html.HtmlElement, *, copies: bool = True) -> None:
        check_readability()
        super().__init__(tree)
        self._copies = copies

    def _parse(self, input: lxml_html.HtmlElement) -> lxml_html.HtmlElement:
        """Called by ``Document._html`` before each pass, in place of parsing ``input`` again."""
        return copy.deepcopy(input) if self._copies else input

    def parse(self) -> lxml_html.HtmlElement:
        """Set ``self.html`` for a pass of our own (``Document._html(True)``) and return it."""
        return self._html(True)


# --------------------------------------------------------------------------- scrapy-playwright

PLAYWRIGHT = "scrapy-playwright"


@functools.cache
def check_playwright_handler() -> None:
    """Raise :class:`PrivateApiChanged` unless the handler starts Playwright in the hook we replace."""
    hook = _check_signature(PLAYWRIGHT, ScrapyPlaywrightDownloadHandler, "_maybe_launch_in_thread", "self")
    if not inspect.iscoroutinefunction(hook):
        raise PrivateApiChanged(PLAYWRIGHT, "ScrapyPlaywrightDownloadHandler._maybe_launch_in_thread",
                                "it is no longer a coroutine function")  # fmt: skip


class PlaywrightHandlerLaunchedOnDemand(ScrapyPlaywrightDownloadHandler):
    """scrapy-playwright's download handler, starting Playwright only when asked to.

    The stock handler connects ``_maybe_launch_in_thread`` to ``engine_started``; here that hook
    starts nothing, and :meth:`launch_playwright` does what it did.
    """

    def __init__(self, crawler: Crawler) -> None:
        check_playwright_handler()
        super().__init__(crawler)

    async def _maybe_launch_in_thread(self) -> None:
        """Connected to ``engine_started`` by the stock handler: start nothing yet."""

    async def launch_playwright(self) -> None:
        """Start Playwright's driver (and startup contexts), as the stock handler does at engine start."""
        await super()._maybe_launch_in_thread()


# --------------------------------------------------------------------------- Scrapy feed slots

SCRAPY = "Scrapy"


@dataclass(frozen=True)
class FeedSlotState:
    """What newscrawl reads of one of Scrapy's feed slots (one batch of one feed)."""

    key: int
    """Identity of the slot: a new batch of the same feed is a new slot."""
    uri: str
    """Where the slot writes (a path or URI with its parameters filled in)."""
    itemcount: int
    """Items the slot exported so far."""
    accepts: Callable[[Any], bool]
    """Whether an item goes to this feed (its ``item_classes`` filter)."""


def _private(obj: Any, name: str, api: str) -> Any:
    try:
        return getattr(obj, name)
    except AttributeError:
        raise PrivateApiChanged(SCRAPY, api, f"{type(obj).__name__} has no attribute {name!r}") from None


def feed_slots(crawler: Crawler) -> list[FeedSlotState]:
    """The open slots of the crawl's FeedExporter (none when no feed is configured).

    Call it once the extensions exist (from ``engine_started`` on), as ``Crawler.get_extension``.
    """
    exporter = crawler.get_extension(FeedExporter)
    if exporter is None:
        return []
    found = []
    for slot in _private(exporter, "slots", "FeedExporter.slots"):
        itemcount = _private(slot, "itemcount", "FeedSlot.itemcount")
        if not isinstance(itemcount, int):
            raise PrivateApiChanged(SCRAPY, "FeedSlot.itemcount", f"it is a {type(itemcount).__name__}")
        accepts = _private(_private(slot, "filter", "FeedSlot.filter"), "accepts", "FeedSlot.filter.accepts")
        found.append(FeedSlotState(id(slot), str(_private(slot, "uri", "FeedSlot.uri")), itemcount, accepts))
    return found
