"""Sitemap and feed parsing."""

import gzip

import pytest

from newscrawl.discovery.sitemaps import (
    CATEGORIES,
    DAY,
    NEWS,
    OTHER,
    SKIPPED,
    lastmod_epoch,
    parse_feed,
    parse_sitemap,
    sitemap_kind,
)  # fmt: skip
from newscrawl.sites.vietnamvn import VIETNAM_VN

INDEX = b"""<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<sitemap><loc>https://www.vietnam.vn/sitemap/sitemap-post/2026-07-08.xml</loc>
<lastmod>2026-07-08T04:04:10.339Z</lastmod></sitemap>
<sitemap><loc>https://www.vietnam.vn/sitemap-tag.xml</loc></sitemap>
</sitemapindex>"""
URLSET = b"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:xhtml="http://www.w3.org/1999/xhtml">
<url><loc>https://www.vietnam.vn/bai-viet-thu-nghiem-so-mot</loc><lastmod>2026-07-08T04:04:10Z</lastmod>
<xhtml:link rel="alternate" hreflang="en" href="https://www.vietnam.vn/en/bai-viet-thu-nghiem-so-mot"/></url>
<url><loc> https://vietnam.vn/bai-khac-nua-o-day/ </loc></url>
</urlset>"""
RSS = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>Vietnam.vn</title>
<item><title>Tin</title><link>https://www.vietnam.vn/ko/bai-viet-thu-nghiem-so-mot</link>
<pubDate>Tue, 26 May 2026 10:30:00 +0700</pubDate></item>
<item><title>No link</title></item></channel></rss>"""


def test_index_entries():
    kind, entries = parse_sitemap(INDEX)
    assert kind == "sitemapindex"
    assert entries[0].loc.endswith("2026-07-08.xml")
    assert entries[0].lastmod == pytest.approx(lastmod_epoch("2026-07-08T04:04:10.339+00:00"))
    assert entries[1].lastmod is None


def test_urlset_with_alternates_and_gzip():
    for body in (URLSET, gzip.compress(URLSET)):
        kind, entries = parse_sitemap(body)
        assert kind == "urlset"
        assert entries[0].alternates == ("https://www.vietnam.vn/en/bai-viet-thu-nghiem-so-mot",)
        assert entries[1].loc == "https://vietnam.vn/bai-khac-nua-o-day/"


@pytest.mark.parametrize("garbage", [b"", b"<html>not a sitemap</html>", b"\x1f\x8bbroken gzip", b"<<<"])
def test_garbage_gives_nothing(garbage):
    assert parse_sitemap(garbage)[1] == []
    assert parse_feed(garbage) == []


def test_rss_items():
    entries = parse_feed(RSS)
    assert [e.loc for e in entries] == ["https://www.vietnam.vn/ko/bai-viet-thu-nghiem-so-mot"]
    assert entries[0].lastmod == lastmod_epoch("2026-05-26T03:30:00Z")


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/sitemap/sitemap-post/2026-07-08.xml", (DAY, "2026-07-08")),
        ("/news-sitemap.xml", (NEWS, None)),
        ("/sitemap-category.xml", (CATEGORIES, None)),
        ("/sitemap-tag.xml", (SKIPPED, None)),
        ("/sitemap-author.xml", (SKIPPED, None)),
        ("/sitemap-page.xml", (SKIPPED, None)),
        ("/sitemap-other.xml", (OTHER, None)),
    ],
)
def test_sitemap_kind(path, expected):
    assert sitemap_kind(path, VIETNAM_VN.discovery) == expected


@pytest.mark.parametrize(
    ("text", "ok"),
    [("2026-07-08", True), ("2026-07-08T04:04:10.339Z", True), ("garbage", False), ("", False)],
)
def test_lastmod_epoch(text, ok):
    assert (lastmod_epoch(text) is not None) is ok
