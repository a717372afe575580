"""Downloader middlewares: only the crawl origin is fetched; retries back off."""

from datetime import UTC, datetime

import pytest
from scrapy import Request
from scrapy.exceptions import IgnoreRequest
from scrapy.utils.test import get_crawler

from newscrawl.middlewares import SiteOnlyMiddleware, retry_after_seconds
from newscrawl.spiders.vietnamvn import VietnamVnSpider

ORIGIN = "http://127.0.0.1:8000"


@pytest.fixture
def middleware():
    crawler = get_crawler(VietnamVnSpider)
    crawler.spider = VietnamVnSpider(base_url=ORIGIN)
    crawler.stats.open_spider()
    return SiteOnlyMiddleware.from_crawler(crawler), crawler.stats


def test_origin_requests_pass(middleware):
    mw, _ = middleware
    assert mw.process_request(Request(f"{ORIGIN}/en/bai-viet-thu-nghiem-so-mot")) is None


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://www.vietnam.vn/en/x-y-z-w?page=2", f"{ORIGIN}/en/x-y-z-w?page=2"),
        ("https://vcdn.vietnam.vn/sitemap.xml", f"{ORIGIN}/sitemap.xml"),
        ("http://vietnam.vn", f"{ORIGIN}/"),
    ],
)
def test_alias_hosts_are_fetched_from_the_origin(middleware, url, expected):
    mw, stats = middleware
    assert mw.process_request(Request(url)).url == expected
    assert stats.get_value("newscrawl/offsite/remapped") == 1


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:9999/en/x",  # another port of the origin's host
        "https://127.0.0.1:8000/en/x",  # another scheme
        "http://localhost:8000/en/x",
        "http://10.0.0.1/x",
        "http://169.254.169.254/latest/meta-data/",
        "http://192.168.1.1/",
        "http://[::1]:8000/",
        "https://evil.example.com/www.vietnam.vn/x",
        "https://www.vietnam.vn.evil.example/x",
        "https://www.vietnam.vn:8443/x",
    ],
)
def test_everything_else_is_dropped_and_counted(middleware, url):
    mw, stats = middleware
    with pytest.raises(IgnoreRequest):
        mw.process_request(Request(url))
    assert stats.get_value("newscrawl/offsite/blocked") == 1


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://www.vietnam.vn/x", "data:text/html,hi"])
def test_other_schemes_are_dropped(middleware, url):
    mw, stats = middleware
    with pytest.raises(IgnoreRequest):
        mw.process_request(Request(url))
    assert stats.get_value("newscrawl/offsite/scheme") == 1


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (b"120", 120.0),
        ("Wed, 21 Oct 2026 07:28:00 GMT", 60.0),
        (b"soon", None),
        (None, None),
        ("Wed, 21 Oct 2026 07:26:00 GMT", 0.0),  # a date in the past asks for no wait
    ],
)
def test_retry_after(value, expected):
    now = datetime(2026, 10, 21, 7, 27, tzinfo=UTC)
    assert retry_after_seconds(value, now) == expected


def test_conditional_requests_carry_the_validators_the_spider_found():
    from newscrawl.middlewares import VALIDATORS, ConditionalRequestMiddleware

    mw = ConditionalRequestMiddleware()
    request = Request(f"{ORIGIN}/sitemap.xml", meta={VALIDATORS: ('"v1"', "Tue, 26 May 2026 10:00:00 GMT")})
    assert mw.process_request(request) is None
    assert request.headers[b"If-None-Match"] == b'"v1"'
    assert request.headers[b"If-Modified-Since"] == b"Tue, 26 May 2026 10:00:00 GMT"
    only_etag = Request(f"{ORIGIN}/x", meta={VALIDATORS: ('"v2"', None)})
    mw.process_request(only_etag)
    assert b"If-Modified-Since" not in only_etag.headers
    plain = Request(f"{ORIGIN}/x")
    mw.process_request(plain)
    assert b"If-None-Match" not in plain.headers
