"""The comparison crawlers: a bare Scrapy spider and Scrapy + trafilatura.

All three walk the link graph newscrawl walks on the mirror — language homes, every category
listing page, robots.txt's sitemap index with its day, news and category sitemaps, each
language's RSS feed, and every article page — with plain Scrapy settings (no project settings).
The bare spider does nothing with an article page; the trafilatura one extracts it and
exports one JSON line per article with Scrapy's own ``JsonLinesItemExporter``.

Run one: ``python -m benchmarks.spiders bare|trafilatura --base-url URL [--output F]``.
"""

from __future__ import annotations

import argparse
import re
from collections.abc import AsyncIterator, Iterator
from typing import Any
from urllib.parse import parse_qsl, urljoin, urlsplit

import scrapy
from scrapy.crawler import CrawlerProcess
from scrapy.http import Response
from scrapy.settings import Settings

SITE_HOSTS = frozenset(
    {"www.vietnam.vn", "vietnam.vn", "vcdn.vietnam.vn", "vjs.vietnam.vn", "thongtin.vietnam.vn"}
)
LANG_SEGMENT = re.compile(r"^[a-z]{2}(?:-[a-z]{2})?$")
ARTICLE_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+){3,}$")
"""The site's article URL shape: one path segment of at least four hyphenated words."""
PAGE_PATH = re.compile(r"^\d+$")
LOCATION = re.compile(rb"<(?:loc|link)>\s*([^<\s]+)\s*</(?:loc|link)>")
SKIPPED_SITEMAPS = re.compile(r"sitemap-(?:tag|page|author)s?\.xml$")
"""Sitemaps newscrawl does not read (tag, static page and author URLs are never articles)."""
HOME, LISTING, ARTICLE, XML = "home", "listing", "article", "xml"

SETTINGS: dict[str, Any] = {
    # Scrapy's defaults, minus the code-executing extensions (DESIGN.md §5), plus what
    # newscrawl's crawl uses: robots.txt obeyed, the same concurrency, INFO logging.
    "ROBOTSTXT_OBEY": True,
    "CONCURRENT_REQUESTS": 16,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 8,
    "AUTOTHROTTLE_ENABLED": False,
    "TELNETCONSOLE_ENABLED": False,
    "REMOTE_CONTROL_ENABLED": False,
    "EXTENSIONS": {
        "scrapy.extensions.remote_control.RemoteControl": None,
        "scrapy.extensions.telnet.TelnetConsole": None,
    },
    "LOG_LEVEL": "INFO",
    "FEED_EXPORT_ENCODING": "utf-8",
}


class BareSpider(scrapy.Spider):
    """Follows homes, listings, sitemaps and feeds to every article page; extracts nothing."""

    name = "bare"

    def __init__(self, base_url: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        parts = urlsplit(base_url)
        self.origin = f"{parts.scheme}://{parts.netloc}"
        self.origin_netloc = parts.netloc

    async def start(self) -> AsyncIterator[scrapy.Request]:
        """The Vietnamese home, its feed and the sitemap index robots.txt names."""
        yield scrapy.Request(self.origin + "/", callback=self.parse_html)
        yield scrapy.Request(self.origin + "/sitemap.rss", callback=self.parse_xml)
        yield scrapy.Request(self.origin + "/sitemap.xml", callback=self.parse_xml)

    def target(self, href: str, base: str) -> tuple[str, str] | None:
        """``(kind, URL on the origin)`` of a link on the site, or None for anything else."""
        try:
            parts = urlsplit(urljoin(base, href.strip()))
            host = parts.hostname
        except ValueError:
            return None
        if parts.netloc != self.origin_netloc and host not in SITE_HOSTS:
            return None
        path = re.sub(r"/{2,}", "/", parts.path).rstrip("/")
        segments = path.split("/")[1:] if path else []
        lang = segments[0] if segments and LANG_SEGMENT.match(segments[0]) else ""
        rest = segments[1:] if lang else segments
        if path.endswith((".xml", ".rss")):
            return XML, self.origin + path
        if not rest:
            return HOME, self.origin + (path or "/")
        if rest[0] == "category" and len(rest) == 2:
            page = dict(parse_qsl(parts.query)).get("page", "1")
            return LISTING, self.origin + path + ("" if page == "1" else f"?page={page}")
        if rest[0] == "category" and len(rest) == 4 and rest[2] == "page" and PAGE_PATH.match(rest[3]):
            base_path = path.rsplit("/page/", 1)[0]
            return LISTING, self.origin + (base_path if rest[3] == "1" else path)
        if len(rest) == 1 and ARTICLE_SLUG.match(rest[0]):
            return ARTICLE, self.origin + path
        return None

    def follow(self, kind: str, url: str) -> scrapy.Request:
        """The request for a link of ``kind`` (Scrapy's duplicate filter drops repeats)."""
        if kind == ARTICLE:
            return scrapy.Request(url, callback=self.parse_article)
        if kind == XML:
            return scrapy.Request(url, callback=self.parse_xml)
        return scrapy.Request(url, callback=self.parse_html)

    def parse_html(self, response: Response) -> Iterator[scrapy.Request]:
        """A home or listing page: follow its language homes (and their feeds), categories,
        pagination (links and ``<link rel=next>``) and article links."""
        for href in response.xpath("//a/@href | //link[@rel='next']/@href").getall():
            found = self.target(href, response.url)
            if found is None:
                continue
            kind, url = found
            yield self.follow(kind, url)
            if kind == HOME:
                yield scrapy.Request(url.rstrip("/") + "/sitemap.rss", callback=self.parse_xml)

    def parse_xml(self, response: Response) -> Iterator[scrapy.Request]:
        """A sitemap index, sitemap or RSS feed: follow its sitemaps and article URLs."""
        for raw in LOCATION.findall(response.body):
            found = self.target(raw.decode("utf-8", "replace").replace("&amp;", "&"), response.url)
            if found is None or found[0] not in (ARTICLE, XML) or SKIPPED_SITEMAPS.search(found[1]):
                continue
            yield self.follow(*found)

    def parse_article(self, response: Response) -> Iterator[dict[str, Any]]:
        """Nothing: the bare crawl only downloads article pages."""
        return iter(())


class TrafilaturaSpider(BareSpider):
    """The bare crawl plus ``trafilatura.extract`` (default options) on every article page."""

    name = "trafilatura"

    def parse_article(self, response: Response) -> Iterator[dict[str, Any]]:
        """One record: URL and the main text trafilatura finds."""
        import trafilatura

        text = trafilatura.extract(response.text, url=response.url)
        yield {"url": response.url, "text": text or ""}


SPIDERS: dict[str, type[BareSpider]] = {
    "bare": BareSpider,
    "trafilatura": TrafilaturaSpider,
}


def main(argv: list[str] | None = None) -> int:
    """Run one spider against ``--base-url`` with Scrapy's defaults and :data:`SETTINGS`."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.spiders")
    parser.add_argument("spider", choices=sorted(SPIDERS))
    parser.add_argument("--base-url", required=True)
    parser.add_argument("--output", help="JSON Lines feed (Scrapy's JsonLinesItemExporter)")
    parser.add_argument("-s", dest="settings", action="append", default=[], metavar="NAME=VALUE")
    args = parser.parse_args(argv)
    settings = Settings()
    settings.setdict(SETTINGS, priority="project")
    if args.output:
        settings.set("FEEDS", {args.output: {"format": "jsonlines", "encoding": "utf-8"}}, priority="project")
    for pair in args.settings:
        name, _, value = pair.partition("=")
        settings.set(name, value, priority="cmdline")
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(SPIDERS[args.spider])
    process.crawl(crawler, base_url=args.base_url)
    process.start()
    return 0 if crawler.stats.get_value("finish_reason") == "finished" else 1


if __name__ == "__main__":
    raise SystemExit(main())
