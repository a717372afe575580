"""Text patterns: datelines, source lines, comment counters, ad placeholders, captions."""

import pytest

from newscrawl.extract import patterns
from newscrawl.sites.vietnamvn import VIETNAM_VN

LINES = patterns.for_site(VIETNAM_VN)


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("ZNewsZNews26/05/2026", ("ZNewsZNews", "26/05/2026")),
        ("Báo An GiangBáo An Giang13/07/2025", ("Báo An GiangBáo An Giang", "13/07/2025")),
        ("Báo Dân trí•25/08/2024", ("Báo Dân trí", "25/08/2024")),
        ("Sài Gòn Giải Phóng 26/5/2026 10:30", ("Sài Gòn Giải Phóng", "26/5/2026 10:30")),
        ("Kênh 14Kênh 1426/05/2026", ("Kênh 14Kênh 14", "26/05/2026")),
        ("26/05/2026", None),
        ("Hôm nay trời đẹp.", None),
        ("Sự kiện kết thúc.26/05/2026", None),
    ],
)
def test_outlet_and_date(line, expected):
    assert patterns.outlet_and_date(line) == expected


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("ZNewsZNews26/05/2026", True),
        ("ZNews ZNews 26/05/2026", True),
        ("Báo Dân trí•25/08/2024", True),
        ("Hội nghị diễn ra vào 26/05/2026", False),  # a sentence ending in a date is body text
    ],
)
def test_is_dateline(line, expected):
    assert patterns.is_dateline(line) is expected


@pytest.mark.parametrize(
    "line",
    [
        "Source: ZNews", "Nguồn: Báo An Giang", "Fuente: VnExpress", "Fonte: x", "Bron: x",
        "Forrás: x", "Kilde: x", "出典: x", "来源：新华社", "출처: 연합뉴스", "SOURCE : Le Monde",
        "Quellenlink", "소스 링크", "ソースリンク", "Source link",
    ],
)  # fmt: skip
def test_source_lines(line):
    assert LINES.is_source_line(line)


@pytest.mark.parametrize("line", ["Sources say the plan works.", "Nguồn tin cho biết", "Source code"])
def test_sentences_starting_with_source_words_are_body(line):
    assert not LINES.is_source_line(line)


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("Comment (0)", True), ("Bình luận (12)", True), ("Reactie (0)", True), ("댓글 (0)", True),
        ("コメント (0)", True), ("评论（3）", True), ("3 comments", True), ("Comment on this", False),
        ("Bình luận của ông A (0) là", False),
    ],
)  # fmt: skip
def test_comment_counter(line, expected):
    assert LINES.is_comment_counter(line) is expected


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("[ad_2]", ""), ("[Anzeige_2]", ""), ("[광고_2]", ""), ("[広告2]", ""), ("[ad_1] Mở đầu", "Mở đầu"),
        ("Theo tài liệu [12], con số", "Theo tài liệu [12], con số"), ("[Note 1]", "[Note 1]"),
    ],
)  # fmt: skip
def test_ad_placeholders(line, expected):
    assert patterns.strip_ad_placeholders(line) == expected


@pytest.mark.parametrize(
    "line",
    [
        "Photo: Xiaomi.", "Ảnh: HOÀI NHÂN", "_Photo: VNA", "(Foto: VNA)", "写真: 共同通信",
        "사진: 연합뉴스", "फोटो: पीटीआई", "PHOTO: KHAI MINH", "Xiaomi ra mắt điện thoại - Ảnh 1.",
        "Screenshot 2025-09-26 at 10.10.45.png", "Thủ tướng phát biểu. (Ảnh: TTXVN)", "IMG_2034.JPG",
    ],
)  # fmt: skip
def test_captions(line):
    assert LINES.looks_like_caption(line)


@pytest.mark.parametrize(
    "line",
    [
        "Photography is an art that many people love.", "Ảnh hưởng của bão rất lớn.",
        "The photo shows the delegation arriving: many officials came.", "",
    ],
)  # fmt: skip
def test_body_text_is_not_a_caption(line):
    assert not LINES.looks_like_caption(line)


@pytest.mark.parametrize(
    ("title", "expected"),
    [("Tin mới - Vietnam.vn", "Tin mới"), ("Tin mới | Vietnam.vn", "Tin mới"), ("Tin mới", "Tin mới")],
)
def test_strip_title_suffix(title, expected):
    assert LINES.strip_title_suffix(title) == expected
