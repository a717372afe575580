"""Tests for newscrawl.normalize.text: table-driven cases plus hypothesis properties."""

from __future__ import annotations

import hashlib
import re
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from newscrawl.normalize.text import (
    _STRAY_SPACE_RE,
    ZERO_WIDTH,
    article_id,
    clean_caption,
    clean_text,
    content_hash,
    dedouble_outlet,
    join_paragraphs,
    word_count,
)

NFD_VIET = unicodedata.normalize("NFD", "Việt Nam")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (None, ""),
        ("", ""),
        ("   ", ""),
        ("\n\t \r\n", ""),
        ("plain", "plain"),
        ("  padded  ", "padded"),
        ("a  b\t\tc\nd\r\ne", "a b c d e"),
        ("line\u2028sep\u2029para", "line sep para"),
        # NFC: decomposed Vietnamese becomes precomposed
        (NFD_VIET, "Việt Nam"),
        # zero-width characters and soft hyphen disappear
        ("Hà\u200bNội", "HàNội"),
        ("\ufeffBOM at start", "BOM at start"),
        ("a\u200c\u200d\u2060b", "ab"),
        ("co\u00adoperate", "cooperate"),
        # a zero-width char between letter and combining mark must not block composition
        ("e\u200b\u0301", "é"),
        # non-breaking spaces, as characters or as leftover entities
        ("a\u00a0b", "a b"),
        ("a\u202fb", "a b"),
        ("a&nbsp;b", "a b"),
        ("a&NBSP;&nbsp;b", "a b"),
        ("a&#160;b&#xA0;c", "a b c"),
        ("&nbsp;Hà Nội&nbsp;", "Hà Nội"),
        ("a &amp; b", "a &amp; b"),
        # stray spaces around punctuation left by auto-linked keywords
        ("the Mekong , delta", "the Mekong, delta"),
        ("end of sentence .", "end of sentence."),
        ("( Photo: VNA )", "(Photo: VNA)"),
        ("a\u00a0, b", "a, b"),
        ("Vietnam \n.", "Vietnam."),
        # ... but not where the space is meaningful
        ("built on .NET and .vn", "built on .NET and .vn"),
        ("Pourquoi ? Parce que : voilà !", "Pourquoi ? Parce que : voilà !"),
        ("a ; b", "a ; b"),
        ("TP. HCM", "TP. HCM"),
        ("wait ...", "wait..."),
    ],
)
def test_clean_text(raw: str | None, expected: str) -> None:
    assert clean_text(raw) == expected


@pytest.mark.parametrize(
    ("paragraphs", "expected"),
    [
        ([], ""),
        (["", "  ", "\u200b"], ""),
        (["One."], "One."),
        (["  One. ", "", "Two\nlines", None, "Three"], "One.\n\nTwo lines\n\nThree"),
        ((p for p in ["a", "b"]), "a\n\nb"),
    ],
)
def test_join_paragraphs(paragraphs: list[str | None], expected: str) -> None:
    assert join_paragraphs(paragraphs) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("ZNewsZNews", "ZNews"),
        ("ZNews ZNews", "ZNews"),
        ("Báo An GiangBáo An Giang", "Báo An Giang"),
        ("Sài Gòn Giải PhóngSài Gòn Giải Phóng", "Sài Gòn Giải Phóng"),
        ("Báo Dân tríBáo Dân trí", "Báo Dân trí"),
        ("  VnExpressVnExpress\n", "VnExpress"),
        (unicodedata.normalize("NFD", "Tuổi TrẻTuổi Trẻ"), "Tuổi Trẻ"),
        ("VTVVTV", "VTV"),
        ("ABAB", "AB"),
        # not doubled: unchanged (but cleaned)
        ("VnExpress", "VnExpress"),
        ("Báo Dân trí", "Báo Dân trí"),
        ("  Nhân  Dân ", "Nhân Dân"),
        ("AA", "AA"),
        ("A A", "A A"),
        ("Tạp chí Cộng sản", "Tạp chí Cộng sản"),
        ("ZNewsZNew", "ZNewsZNew"),
        ("", ""),
    ],
)
def test_dedouble_outlet(raw: str, expected: str) -> None:
    assert dedouble_outlet(raw) == expected


@pytest.mark.parametrize(
    ("body", "expected"),
    [("", 0), ("one", 1), ("Hà Nội là thủ đô", 5), ("a\n\nb c", 3), ("  x  ", 1)],
)
def test_word_count(body: str, expected: int) -> None:
    assert word_count(body) == expected


def test_content_hash() -> None:
    digest = content_hash("Tiêu đề", "Đoạn một.\n\nĐoạn hai.")
    expected = "Tiêu đề\nĐoạn một.\n\nĐoạn hai.".encode()
    assert digest == hashlib.sha256(expected).hexdigest()
    assert len(digest) == 64
    assert content_hash("a", "b") == content_hash("a", "b")
    # the separator keeps title and body apart
    assert content_hash("ab", "c") != content_hash("a", "bc")


def test_article_id() -> None:
    url = "https://www.vietnam.vn/en/some-slug"
    assert article_id(url) == hashlib.sha1(url.encode()).hexdigest()
    assert len(article_id(url)) == 40
    assert article_id(url) != article_id("https://www.vietnam.vn/some-slug")


# --- properties ---------------------------------------------------------------------------

# Pieces that stress the tricky spots: whitespace kinds, invisibles, entities (whole and
# split by invisibles), combining marks, and the punctuation around stray-space removal.
NASTY = st.lists(
    st.sampled_from(
        list(" \t\n\r\u00a0\u202f\u2028\u200b\u200c\u200d\u2060\ufeff\u00ad,.()&;#x0a16")
        + ["&nbsp;", "&#160;", "e", "\u0301", "\u0323", "ư", "Ạ", "nbsp", "NET", "漢"]
    ),
    max_size=25,
).map("".join)
ANY_TEXT = st.one_of(st.text(max_size=60), NASTY)
FORBIDDEN = (*ZERO_WIDTH, "\u00ad", "\u00a0", "\u202f", "  ", "&nbsp;")


@settings(max_examples=300)
@given(ANY_TEXT)
def test_clean_text_properties(raw: str) -> None:
    out = clean_text(raw)
    assert clean_text(out) == out
    assert out == out.strip()
    assert unicodedata.is_normalized("NFC", out)
    for bad in FORBIDDEN:
        assert bad not in out
    assert all(ch == " " or not ch.isspace() for ch in out)


# The stray-space rule in its plain form: a space before "," ")" or a "." ending a word, or after "(".
PLAIN_STRAY_SPACE = re.compile(r" (?=[,)]|\.(?!\w))|(?<=\() ")


@settings(max_examples=500)
@given(st.one_of(ANY_TEXT, st.text(alphabet=" (),.a_1é\t", max_size=30)))
def test_stray_spaces_go_as_the_plain_rule_says(raw: str) -> None:
    once = " ".join(raw.split())
    assert _STRAY_SPACE_RE.sub("", once) == PLAIN_STRAY_SPACE.sub("", once)


NAME = st.text(
    alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 "
    "ăâđêôơưáàảãạấầẩẫậắằẳẵặéèẻẽẹếềểễệíìỉĩịóòỏõọốồổỗộớờởỡợúùủũụứừửữựýỳỷỹỵĐ",
    min_size=2,
    max_size=30,
).filter(lambda s: clean_text(s) == s and len(s) >= 2)


@given(NAME)
def test_dedouble_outlet_undoes_doubling(name: str) -> None:
    assert dedouble_outlet(name + name) == name
    assert dedouble_outlet(name + " " + name) == name


def test_clean_text_answers_alike_from_its_memory() -> None:
    """Recently cleaned strings come back as they are; anything else is cleaned as usual."""

    class Smart(str):
        """Like lxml's smart strings: a str subclass."""

    raw = "  Hội\u200b  An ( lantern ) , festival  "
    first = clean_text(raw)
    assert first == "Hội An (lantern), festival"
    assert clean_text(first) is first
    assert clean_text(raw) == first
    again = clean_text(Smart(first))
    assert again == first and type(again) is str


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Photo: VNA", "Photo: VNA"),
        ("_Photo: TTXVN", "Photo: TTXVN"),
        ("*Ảnh:  HOÀI NHÂN*", "Ảnh: HOÀI NHÂN"),
        ("IMG_1234.JPG", None),
        ("Screenshot 2026-08-29 at 20.14.43.png", None),
        ("dsc-0123.jpeg", None),
        ("_z6032561817224-3b1e.webp_", None),
        ("The new bridge.jpg is open", "The new bridge.jpg is open"),
        ("", None),
        ("\u200b ", None),
        (None, None),
    ],
)
def test_clean_caption(raw: str | None, expected: str | None) -> None:
    """A file name or nothing is no caption; emphasis markers a CMS left are removed."""
    assert clean_caption(raw) == expected
