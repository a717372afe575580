"""``settle_page`` in a real headless Chromium: which controls it clicks (the site's load-more
labels as a whole label, or its load-more classes), which it leaves alone (form submits, links
that leave the page, sentences that merely contain a label), and how it fails (a page that
navigates away, a click that never returns)."""

from __future__ import annotations

import asyncio
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from scrapy.settings import Settings

from newscrawl.browser import RenderFailed, SettlePlan, chromium_path, settle_page, watch_documents
from newscrawl.sites.vietnamvn import VIETNAM_VN

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not shutil.which("chromium"), reason="Debian's chromium is not installed"),
]

ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]
ROUNDS, PER_PAGE = 3, 3  # a listing: 3 items, then 2 rounds of "load more" of 3 items each
ALL_ITEMS = ROUNDS * PER_PAGE

# `more(el)` fetches the next items into #list; after the last round the control goes away.
MORE = """<script>
var next = 2;
function more(el) {
  fetch("/more?page=" + next).then(function (r) { return r.text(); }).then(function (html) {
    document.getElementById("list").insertAdjacentHTML("beforeend", html);
    if (++next > ROUNDS) { el.remove(); }
  });
}
</script>""".replace("ROUNDS", str(ROUNDS))


def items(page: int) -> str:
    first = (page - 1) * PER_PAGE + 1
    return "".join(f'<a href="/fr/article-{k}">Article {k}</a>' for k in range(first, first + PER_PAGE))


def listing(*controls: str) -> dict[str, str]:
    """A listing at ``/`` showing the first items and ``controls``, and its next pages."""
    body = f'<h1>Listing</h1><div id="list">{items(1)}</div>{"".join(controls)}{MORE}'
    pages = {"/": f"<!DOCTYPE html><html><head><title>Listing</title></head><body>{body}</body></html>"}
    pages.update({f"/more?page={p}": items(p) for p in range(2, ROUNDS + 1)})
    # where the decoys lead: real pages, so that following one is a real navigation
    pages.update(dict.fromkeys(("/newsletter", "/fr/category/x", "/elsewhere"), "<p>elsewhere</p>"))
    return pages


BUTTON = '<button type="button" onclick="more(this)">Voir plus</button>'
DECOYS = {
    "submit button": '<form action="/newsletter"><button>Voir plus</button></form>',
    "submit input": '<form action="/newsletter"><input type="submit" value="Voir plus"></form>',
    "sentence": '<a href="javascript:void(0)" onclick="window.decoy=1">'
                "Pour en savoir plus sur nos offres, cliquez ici</a>",
    "leaving link": '<a class="btn-load-more" href="/fr/category/x?page=2">Voir plus</a>',
}


# --------------------------------------------------------------------------- serving and settling


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, pages: dict[str, str]) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.pages = pages
        self.hits: list[str] = []
        self.hit = threading.Condition()


class _Handler(BaseHTTPRequestHandler):
    """Serves ``server.pages`` (path and query → HTML, else 404); ``/hold`` answers only once
    ``/elsewhere`` was asked for (or after 10 s), so a page fetching it stays busy until then."""

    server: _Server

    def do_GET(self) -> None:
        server = self.server
        with server.hit:
            server.hits.append(self.path)
            server.hit.notify_all()
            if self.path == "/hold":
                server.hit.wait_for(lambda: "/elsewhere" in server.hits, timeout=10)
        html = server.pages.get(self.path)
        body = (html or "not found").encode()
        with suppress(OSError):  # the browser may have left meanwhile
            self.send_response(200 if html is not None else 404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


@contextmanager
def serve(pages: dict[str, str]) -> Iterator[_Server]:
    server = _Server(pages)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def plan(step_timeout: float = 5) -> SettlePlan:
    return SettlePlan.for_site(Settings({"NEWSCRAWL_RENDER_MAX_CLICKS": 5,
                                         "NEWSCRAWL_RENDER_STEP_TIMEOUT": step_timeout}), VIETNAM_VN)


@dataclass
class Settled:
    """What the page looked like after ``settle_page``: its URL, the failure raised (None when
    it settled), then (only when it settled) the number of items in ``#list``, ``window.decoy``,
    the text of ``<body>``; the uncaught script errors and every request the server had."""

    url: str
    failure: RenderFailed | None
    items: int = 0
    decoy: Any = None
    text: str = ""
    errors: list[str] = field(default_factory=list)
    hits: list[str] = field(default_factory=list)


STATE = """() => ({items: document.querySelectorAll("#list a").length, decoy: window.decoy ?? null,
                   text: document.body.innerText})"""


def settle(pages: dict[str, str], step_timeout: float = 5) -> Settled:
    """Serve ``pages``, open ``/`` in Chromium, run ``settle_page`` on it and report."""
    with serve(pages) as server:
        settled = asyncio.run(_settle(f"http://127.0.0.1:{server.server_port}/", plan(step_timeout)))
        settled.hits = list(server.hits)
    return settled


async def _settle(url: str, plan: SettlePlan) -> Settled:
    from playwright.async_api import async_playwright

    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=chromium_path(Settings()) or "/usr/bin/chromium",
                                           headless=True, args=ARGS)
        try:
            page = await browser.new_page()
            watch_documents(page)  # as the download handler does before the first navigation
            errors: list[str] = []
            page.on("pageerror", lambda error: errors.append(error.message))
            await page.goto(url)
            try:
                await asyncio.wait_for(settle_page(page, plan), 30)
                settled = Settled(page.url, None, **await asyncio.wait_for(page.evaluate(STATE), 10))
            except RenderFailed as failure:
                settled = Settled(page.url, failure)
            settled.errors = errors
            # even a page whose script never returns can be closed
            await asyncio.wait_for(page.close(), 10)
            return settled
        finally:
            with suppress(TimeoutError):
                await asyncio.wait_for(browser.close(), 10)


# --------------------------------------------------------------------------- tests


def test_plan_from_the_profile() -> None:
    settle_plan = plan(2)
    assert {"voir plus", "xem thêm", "load more"} <= set(settle_plan.labels)
    assert "view-more" in settle_plan.classes and "btn-more" in settle_plan.classes
    assert (settle_plan.max_clicks, settle_plan.step_timeout) == (5, 2.0)


def test_clicks_until_the_button_goes() -> None:
    settled = settle(listing(BUTTON))
    assert settled.failure is None and settled.url.endswith("/")
    assert settled.items == ALL_ITEMS
    assert settled.hits.count("/more?page=2") == settled.hits.count(f"/more?page={ROUNDS}") == 1
    assert "Voir plus" not in settled.text


@pytest.mark.parametrize("decoys", [*DECOYS, "all"])
def test_decoys_are_not_clicked(decoys: str) -> None:
    """Decoys come first in the page, so that clicking the first match would hit them."""
    settled = settle(listing(*(DECOYS.values() if decoys == "all" else [DECOYS[decoys]]), BUTTON))
    assert settled.failure is None, settled.failure
    assert settled.url.endswith("/") and settled.decoy is None
    assert not [h for h in settled.hits if h.startswith(("/newsletter", "/fr/category/"))]
    assert settled.items == ALL_ITEMS


def test_a_page_that_navigates_away_fails() -> None:
    """It navigates 300 ms after load; meanwhile a request to ``/hold`` keeps the network busy,
    so the page cannot look settled before it leaves."""
    pages = listing('<script>fetch("/hold"); window.addEventListener("load", function () {'
                    ' setTimeout(function () { location.href = "/elsewhere"; }, 300); });</script>')
    settled = settle(pages)
    assert isinstance(settled.failure, RenderFailed), settled
    assert settled.url.endswith("/elsewhere") and "/elsewhere" in settled.hits


def test_a_script_that_throws_still_settles() -> None:
    pages = listing('<script>throw new Error("boom");</script><p>Still here</p>', BUTTON)
    settled = settle(pages)
    assert settled.failure is None and [e for e in settled.errors if "boom" in e]
    assert "Still here" in settled.text and settled.items == ALL_ITEMS


def test_a_click_that_never_returns_fails_in_time() -> None:
    settled = settle(listing('<button type="button" onclick="while (true) {}">Voir plus</button>'),
                     step_timeout=1)
    assert isinstance(settled.failure, RenderFailed) and "ran longer" in str(settled.failure)


def test_a_styled_element_without_a_label_is_clicked() -> None:
    settled = settle(listing('<div class="view-more" onclick="more(this)">\u25be</div>'))
    assert settled.failure is None and settled.items == ALL_ITEMS


@pytest.mark.parametrize(("label", "clicked"), [
    ("Xem thêm \u00bb", True),
    ("\u2026 더 보기 \u25bc", True),
    ("Read more about our policy", False),
    ("Xem thêm tin tức về Hà Nội", False),
])
def test_labels_in_other_languages(label: str, clicked: bool) -> None:
    settled = settle(listing(f'<button type="button" onclick="window.decoy=1; more(this)">{label}</button>'))
    assert settled.failure is None
    assert (settled.items, settled.decoy) == ((ALL_ITEMS, 1) if clicked else (PER_PAGE, None))


# Controls and scripts an earlier settle_page got wrong.
CASES = {
    # `el.tagName === "INPUT"` counts as a submit whatever its type
    "input button in a form": ('<form><input type="button" value="Voir plus" onclick="more(this)"></form>',
                               lambda s: s.failure is None and s.items == ALL_ITEMS),
    # el.closest("form") misses a submit button tied to its form by form="…"; el.form would not
    "submit tied by form=": ('<form id="f" action="/newsletter"></form><button form="f">Voir plus</button>'
                             + BUTTON, lambda s: s.failure is None and s.items == ALL_ITEMS),
    # the first matching control is clicked again each round: one that loads nothing hides the rest
    "a dead control first": ('<button type="button" onclick="window.decoy=1">More</button>' + BUTTON,
                             lambda s: s.failure is None and s.items == ALL_ITEMS),
    # `start` is the URL after goto: a script that leaves before "load" is not noticed
    "leaves before load": ('<script>location.href = "/elsewhere";</script>',
                           lambda s: isinstance(s.failure, RenderFailed)),
}


@pytest.mark.parametrize("case", CASES)
def test_controls_and_scripts_that_once_misled_it(case: str) -> None:
    controls, expected = CASES[case]
    settled = settle(listing(controls), step_timeout=2)
    assert expected(settled), settled
