"""Parsing a page into the tree extraction reads: bytes in any encoding, broken bytes, empty pages."""

import threading

import pytest
from lxml import etree
from scrapy.http import HtmlResponse

from newscrawl.extract.context import PageContext
from newscrawl.extract.tree import parse_html, parse_html_text, string_value
from newscrawl.sites.vietnamvn import VIETNAM_VN
from newscrawl.urls import UrlMapper

URL = "http://127.0.0.1:8000/bai-viet-thu-nghiem-so-mot"
PAGE = "<html><head><title>Gạo</title></head><body><p>Gạo Hà Nội</p></body></html>"


def paragraph(root: etree._Element) -> str:
    return string_value(root.find(".//p"))


def test_utf8_bytes_give_plain_elements() -> None:
    root = parse_html(PAGE.encode())
    assert type(root) is etree._Element and paragraph(root) == "Gạo Hà Nội"


def test_other_encodings_are_decoded_first() -> None:
    body = "<html><body><p>Đà café</p></body></html>".encode("cp1258")
    assert paragraph(parse_html(body, "cp1258")) == "Đà café"
    assert paragraph(parse_html(body, "windows-1258")) == "Đà café"


def test_invalid_utf8_is_read_from_the_decoded_text() -> None:
    body = b"<html><body><p>caf\xe9 ok</p></body></html>"
    assert paragraph(parse_html(body, "utf-8")) == "caf\ufffd ok"  # lenient decode by default
    assert paragraph(parse_html(body, "utf-8", decoded=lambda: "<p>from the response</p>")) == (
        "from the response"
    )


def test_nul_bytes_are_dropped() -> None:
    assert paragraph(parse_html(b"<p>a\x00b</p>")) == "ab"
    assert paragraph(parse_html_text("<p>a\x00b</p>")) == "ab"


def test_a_lone_surrogate_in_text_does_not_raise() -> None:
    assert paragraph(parse_html_text("<p>a\ud800b</p>")) == "a?b"


@pytest.mark.parametrize("body", [b"", b"   \n", b"<!-- nothing -->", b'<?xml version="1.0"?>'])
def test_a_page_without_elements_gives_an_empty_html_element(body: bytes) -> None:
    root = parse_html(body)
    assert root.tag == "html" and len(root) == 0


def test_unknown_encoding_name_falls_back_to_replacement_decoding() -> None:
    with pytest.raises(LookupError):
        parse_html(b"<p>x</p>", "no-such-encoding")  # a caller's error: Scrapy never reports one
    assert paragraph(parse_html(b"<p>x</p>", "no-such-encoding", decoded=lambda: "<p>y</p>")) == "y"


def test_parsers_are_per_thread() -> None:
    texts = [f"page {n} " * 2000 for n in range(8)]
    pages = [f"<p>{text}</p>".encode() for text in texts]
    results: dict[int, str] = {}

    def parse(n: int) -> None:
        for _ in range(20):
            results[n] = paragraph(parse_html(pages[n]))

    threads = [threading.Thread(target=parse, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == dict(enumerate(texts))


def test_context_from_a_response_in_a_declared_encoding() -> None:
    body = "<html><body><p>Đà café</p></body></html>".encode("cp1258")
    response = HtmlResponse(URL, body=body, headers={"Content-Type": "text/html; charset=windows-1258"})
    ctx = PageContext.from_response(response, "vi", UrlMapper(None, VIETNAM_VN))
    assert paragraph(ctx.root) == "Đà café" and "café" in ctx.html
