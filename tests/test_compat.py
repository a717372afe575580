"""The private APIs newscrawl.compat wraps, checked against the installed packages.

Each test fails with a message naming the package when an upgrade changed what the wrapper
relies on; re-check the wrapper then (see newscrawl/compat.py) and update ``compat.CHECKED``.
"""

from __future__ import annotations

import inspect
import json
import re
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path
from types import SimpleNamespace

import pytest
from lxml import html as lxml_html
from readability import Document
from scrapy import Spider
from scrapy.extensions.feedexport import FeedExporter
from scrapy.utils.test import get_crawler
from scrapy_playwright.handler import ScrapyPlaywrightDownloadHandler

from newscrawl import compat
from newscrawl.extract.generic import main_content

ROOT = Path(__file__).resolve().parent.parent
READABILITY = f"readability-lxml {compat.CHECKED['readability-lxml']}"
PLAYWRIGHT = f"scrapy-playwright {compat.CHECKED['scrapy-playwright']}"
SCRAPY = f"Scrapy {compat.CHECKED['Scrapy']}"


def pinned(package: str) -> str | None:
    """The version requirements.txt pins ``package`` at."""
    for line in (ROOT / "requirements.txt").read_text(encoding="utf-8").splitlines():
        match = re.fullmatch(r"([A-Za-z0-9_.-]+)==(\S+)", line.strip())
        if match and match[1].lower() == package.lower():
            return match[2]
    return None


@pytest.mark.parametrize("package", sorted(compat.CHECKED))
def test_compat_was_checked_against_the_pinned_and_installed_version(package: str) -> None:
    checked, pin, installed = compat.CHECKED[package], pinned(package), version(package)
    assert checked == pin == installed, (
        f"{package}: newscrawl.compat was checked against {checked}, requirements.txt pins {pin}, "
        f"{installed} is installed: re-check {package}'s private APIs documented in newscrawl/compat.py "
        "(tests/test_compat.py helps), then update compat.CHECKED"
    )


# --------------------------------------------------------------------------- readability-lxml

ARTICLE = " ".join(["Hội An giữ gìn những ngôi nhà cổ, những con phố và những lễ hội của mình."] * 6)
PAGE = f"""<html><head><title>T</title><script>var x = 1;</script></head><body>
<nav><a href="/a">Trang chủ</a> <a href="/b">Thể thao</a></nav>
<div class="story"><p>{ARTICLE}</p><p>{ARTICLE}</p><p hidden>not shown</p></div>
<footer><a href="/c">Liên hệ</a></footer></body></html>"""


@pytest.mark.parametrize(("name", "expected"), sorted(compat.READABILITY_METHODS.items()))
def test_readability_document_methods_keep_their_parameters(name: str, expected: str) -> None:
    method = inspect.getattr_static(Document, name, None)
    assert method is not None, f"{READABILITY} changed Document.{name}: it is gone"
    assert compat.parameters(method) == expected, (
        f"{READABILITY} changed Document.{name}: parameters ({compat.parameters(method)}), "
        f"expected ({expected})"
    )


def test_readability_html_builds_the_tree_through_parse_before_every_pass() -> None:
    calls = []

    class Recording(Document):
        def _parse(self, input):
            calls.append(input)
            return super()._parse(input)

    document = Recording(PAGE)
    tree = document._html(True)
    problem = f"{READABILITY} changed Document._html"
    assert calls == [PAGE], f"{problem}: it no longer parses the input through Document._parse"
    assert document.html is tree and isinstance(tree, lxml_html.HtmlElement), (
        f"{problem}: it no longer returns and keeps (Document.html) the parsed tree"
    )
    assert document._html() is tree and len(calls) == 1, f"{problem}: _html() without force parses again"
    assert not tree.xpath("//*[@hidden]") and not tree.xpath("//script"), (
        f"{READABILITY} changed Document._parse: it no longer cleans the page up"
    )
    calls.clear()
    document.summary(html_partial=True)
    assert calls and all(call is PAGE for call in calls), (
        f"{READABILITY} changed Document.summary: its passes no longer start from Document._parse(input)"
    )


def test_readability_wrappers_read_a_small_page() -> None:
    tree = compat.readability_tree(PAGE)
    before = lxml_html.tostring(tree)
    summary = compat.ReadabilityOverTree(tree).summary(html_partial=True)
    assert summary.count("Hội An giữ gìn") == 12, f"{READABILITY}: the summary of a parsed tree lost the text"
    assert "Liên hệ" not in summary and "Thể thao" not in summary
    assert lxml_html.tostring(tree) == before, "the passes must work on copies of the tree"
    last = compat.ReadabilityOverTree(tree, copies=False)
    assert last.parse() is tree and last.html is tree, f"{READABILITY} changed Document._html"
    best = last.select_best_candidate(last.score_paragraphs())
    assert best is not None and best["elem"].get("class") == "story", (
        f"{READABILITY} changed score_paragraphs/select_best_candidate: best candidate {best}"
    )
    assert [node.tag for node in last.tags(tree, "p", "a")] == ["p", "p", "a", "a", "a"]
    root = main_content(PAGE)
    assert root is not None and root.text_content().count("Hội An giữ gìn") == 12


def test_a_missing_readability_method_is_an_error_naming_the_package(monkeypatch) -> None:
    monkeypatch.delattr(Document, "_parse")
    compat.check_readability.cache_clear()
    try:
        with pytest.raises(compat.PrivateApiChanged, match=r"^readability-lxml changed Document\._parse"):
            compat.readability_tree(PAGE)
    finally:
        monkeypatch.undo()
        compat.check_readability.cache_clear()


# --------------------------------------------------------------------------- scrapy-playwright

# The stock handler and ours, with a browser provider that only records that it was started,
# in a process of their own (the handler needs Scrapy's asyncio reactor).
PLAYWRIGHT_PROBE = r"""
import json, sys
from scrapy.utils.reactor import install_reactor
install_reactor("twisted.internet.asyncioreactor.AsyncioSelectorReactor")
from twisted.internet import reactor
from scrapy import signals
from scrapy.utils.defer import deferred_from_coro
from scrapy.utils.test import get_crawler
from scrapy_playwright.handler import ScrapyPlaywrightDownloadHandler
from newscrawl.compat import PlaywrightHandlerLaunchedOnDemand

started = []

class Provider:
    def __init__(self, config):
        pass

    async def start(self):
        started.append(True)

async def probe():
    out = {}
    handlers = {"stock": ScrapyPlaywrightDownloadHandler, "ours": PlaywrightHandlerLaunchedOnDemand}
    for name, cls in handlers.items():
        crawler = get_crawler(settings_dict={"PLAYWRIGHT_BROWSER_PROVIDER": "__main__.Provider"})
        handler = cls(crawler)
        started.clear()
        await crawler.signals.send_catch_log_async(signals.engine_started)
        out[name] = {"started_at_engine_start": len(started)}
        if name == "ours":
            await handler.launch_playwright()
            out[name]["started_by_launch_playwright"] = len(started)
    print(json.dumps(out))

failed = []
def run():
    done = deferred_from_coro(probe())
    done.addErrback(lambda failure: failed.append(failure.getTraceback()))
    done.addBoth(lambda _: reactor.stop())
reactor.callWhenRunning(run)
reactor.run()
if failed:
    sys.exit(failed[0])
"""


def test_playwright_launch_hook_keeps_its_shape() -> None:
    hook = inspect.getattr_static(ScrapyPlaywrightDownloadHandler, "_maybe_launch_in_thread", None)
    problem = f"{PLAYWRIGHT} changed ScrapyPlaywrightDownloadHandler._maybe_launch_in_thread"
    assert hook is not None, f"{problem}: it is gone"
    assert inspect.iscoroutinefunction(hook), f"{problem}: it is no longer a coroutine function"
    assert compat.parameters(hook) == "self", f"{problem}: parameters ({compat.parameters(hook)})"


def test_playwright_starts_at_engine_start_only_through_the_hook_we_replace() -> None:
    done = subprocess.run([sys.executable, "-c", PLAYWRIGHT_PROBE], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)  # fmt: skip
    assert done.returncode == 0, f"{PLAYWRIGHT}: the handler probe failed:\n{done.stderr[-3000:]}"
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["stock"] == {"started_at_engine_start": 1}, (
        f"{PLAYWRIGHT} changed ScrapyPlaywrightDownloadHandler: the stock handler no longer starts "
        f"Playwright once at engine_started through _maybe_launch_in_thread: {result}"
    )
    assert result["ours"] == {"started_at_engine_start": 0, "started_by_launch_playwright": 1}, (
        f"{PLAYWRIGHT} changed ScrapyPlaywrightDownloadHandler: engine_started no longer goes only "
        f"through _maybe_launch_in_thread, or calling it no longer starts Playwright: {result}"
    )


def test_a_missing_playwright_hook_is_an_error_naming_the_package(monkeypatch) -> None:
    monkeypatch.delattr(ScrapyPlaywrightDownloadHandler, "_maybe_launch_in_thread")
    compat.check_playwright_handler.cache_clear()
    try:
        with pytest.raises(compat.PrivateApiChanged, match=r"^scrapy-playwright changed Scrapy"):
            compat.check_playwright_handler()
    finally:
        monkeypatch.undo()
        compat.check_playwright_handler.cache_clear()


# --------------------------------------------------------------------------- Scrapy feed slots


class Note:
    """An item class only the filtered feed takes."""


def stub_crawler(exporter: object) -> SimpleNamespace:
    return SimpleNamespace(get_extension=lambda cls: exporter if cls is FeedExporter else None)


def test_feed_slots_of_a_constructed_exporter(tmp_path: Path) -> None:
    feeds = {
        str(tmp_path / "all.jsonl"): {"format": "jsonlines"},
        str(tmp_path / "notes.jsonl"): {"format": "jsonlines", "item_classes": [f"{__name__}.Note"]},
    }
    crawler = get_crawler(Spider, settings_dict={"FEEDS": feeds})
    exporter = FeedExporter.from_crawler(crawler)
    exporter.open_spider(Spider("probe"))
    slots = compat.feed_slots(stub_crawler(exporter))
    found = [(Path(slot.uri).name, slot.itemcount) for slot in slots]
    assert found == [("all.jsonl", 0), ("notes.jsonl", 0)], (
        f"{SCRAPY} changed FeedExporter.slots or FeedSlot.uri/itemcount: {slots}"
    )
    filtered = f"{SCRAPY} changed FeedSlot.filter.accepts"
    assert [slot.accepts({}) for slot in slots] == [True, False], filtered
    assert [slot.accepts(Note()) for slot in slots] == [True, True], filtered
    assert len({slot.key for slot in slots}) == 2
    assert compat.feed_slots(stub_crawler(None)) == []


def test_a_missing_feed_slot_attribute_is_an_error_naming_the_package(tmp_path: Path) -> None:
    feeds = {str(tmp_path / "x.jsonl"): {"format": "jsonlines"}}
    crawler = get_crawler(Spider, settings_dict={"FEEDS": feeds})
    exporter = FeedExporter.from_crawler(crawler)
    exporter.open_spider(Spider("probe"))
    del exporter.slots[0].itemcount
    with pytest.raises(compat.PrivateApiChanged, match=r"^Scrapy changed FeedSlot\.itemcount"):
        compat.feed_slots(stub_crawler(exporter))
    del exporter.slots
    with pytest.raises(compat.PrivateApiChanged, match=r"^Scrapy changed FeedExporter\.slots"):
        compat.feed_slots(stub_crawler(exporter))


# A real crawl: an extension after the FeedExporter reads the slots as each item is scraped,
# as newscrawl's state keeper does.
FEED_PROBE = r"""
import json, sys
from dataclasses import dataclass
from pathlib import Path
from scrapy import Spider, signals
from scrapy.crawler import CrawlerProcess
from newscrawl.compat import feed_slots

@dataclass
class Note:
    text: str = "note"

class Probe:
    seen = []

    @classmethod
    def from_crawler(cls, crawler):
        probe = cls()
        probe.crawler = crawler
        crawler.signals.connect(probe.item_scraped, signals.item_scraped)
        crawler.signals.connect(probe.spider_closed, signals.spider_closed)
        return probe

    def item_scraped(self, item, spider):
        self.seen.append([[Path(s.uri).name, s.itemcount, s.accepts(item)] for s in feed_slots(self.crawler)])

    def spider_closed(self, spider):
        print(json.dumps(self.seen))

class Items(Spider):
    name = "items"

    async def start(self):
        yield {"n": 1}
        yield Note()
        yield {"n": 2}

out = Path(sys.argv[1])
process = CrawlerProcess({
    "FEEDS": {str(out / "all.jsonl"): {"format": "jsonlines"},
              str(out / "notes.jsonl"): {"format": "jsonlines", "item_classes": ["__main__.Note"]}},
    "EXTENSIONS": {"__main__.Probe": 100},
    "TELNETCONSOLE_ENABLED": False, "LOG_LEVEL": "ERROR",
})
process.crawl(Items)
process.start()
"""


def test_feed_slots_count_each_item_in_a_real_crawl(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-c", FEED_PROBE, str(tmp_path)], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)  # fmt: skip
    assert done.returncode == 0, f"{SCRAPY}: the feed probe crawl failed:\n{done.stderr[-3000:]}"
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen == [
        [["all.jsonl", 1, True], ["notes.jsonl", 0, False]],
        [["all.jsonl", 2, True], ["notes.jsonl", 1, True]],
        [["all.jsonl", 3, True], ["notes.jsonl", 1, False]],
    ], (
        f"{SCRAPY} changed the FeedExporter: its slots (through Crawler.get_extension) no longer count "
        f"each item they took by the time later item_scraped receivers run: {seen}"
    )
