"""HTML detection and mislabelled UTF-8."""

import pytest
from scrapy.http import HtmlResponse, JsonResponse, TextResponse, XmlResponse

from newscrawl.encoding import is_html, utf8_if_mislabelled

URL = "http://127.0.0.1:8000/bai-viet-thu-nghiem-so-mot"
VIETNAMESE = "<html><body><p>Gạo Hà Nội</p></body></html>"


@pytest.mark.parametrize(
    ("response", "expected"),
    [
        (HtmlResponse(URL, body=b"<html></html>"), True),
        (TextResponse(URL, body=b"<!doctype html><p>x</p>"), True),
        (TextResponse(URL, body=b"<p>x</p>", headers={"Content-Type": "text/html; charset=utf-8"}), True),
        (TextResponse(URL, body=b"%PDF-1.4 printable", headers={"Content-Type": "application/pdf"}), False),
        (TextResponse(URL, body=b"plain words"), False),
        (JsonResponse(URL, body=b'{"title": "x"}'), False),
        (XmlResponse(URL, body=b"<urlset/>"), False),
    ],
)
def test_is_html(response, expected):
    assert is_html(response) is expected


def test_utf8_served_as_latin_1_is_read_as_utf8():
    latin_1 = {"Content-Type": "text/html; charset=iso-8859-1"}
    response = HtmlResponse(URL, body=VIETNAMESE.encode(), headers=latin_1)
    assert "Gạo" not in response.text
    assert "Gạo Hà Nội" in utf8_if_mislabelled(response).text


def test_a_real_windows_1258_page_keeps_its_encoding():
    body = "<html><body><p>Ha Noi café</p></body></html>".encode("cp1258")
    response = HtmlResponse(URL, body=body, headers={"Content-Type": "text/html; charset=windows-1258"})
    assert utf8_if_mislabelled(response) is response and "café" in response.text
