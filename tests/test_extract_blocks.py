"""Body walking and assembly: paragraphs, images with captions, boilerplate left out."""

from lxml import html

from newscrawl.extract.blocks import CAPTION, IMAGE, TEXT, assemble, walk
from newscrawl.sites.vietnamvn import VIETNAM_VN

PAGE = "https://www.vietnam.vn/en/bai-viet-thu-nghiem-so-mot"


def body(markup: str, **kwargs):
    root = html.fragment_fromstring(markup, create_parent="div")
    return assemble(walk(root, PAGE, VIETNAM_VN), PAGE, VIETNAM_VN, **kwargs)


def test_inline_elements_do_not_split_words_and_br_separates():
    root = html.fragment_fromstring("<p>Hà <b>N</b>ội<br>hôm nay</p><p> \u00a0 </p>", create_parent="div")
    assert [(b.kind, b.text) for b in walk(root, PAGE, VIETNAM_VN)] == [(TEXT, "Hà Nội hôm nay")]


def test_text_directly_in_divs_becomes_paragraphs():
    parts = body("<div>First line<div>Nested block</div>tail text</div>")
    assert parts.paragraphs == ["First line", "Nested block", "tail text"]


def test_figures_lazy_images_and_captions():
    blocks = walk(
        html.fragment_fromstring(
            '<figure><img src="data:image/gif;base64,R0" data-src="//vstatic.vietnam.vn/a.jpg">'
            "<figcaption>Photo: <i>VNA</i></figcaption></figure>",
            create_parent="div",
        ),
        PAGE,
        VIETNAM_VN,
    )
    assert [(b.kind, b.url or b.text) for b in blocks] == [
        (IMAGE, "https://vstatic.vietnam.vn/a.jpg"),
        (CAPTION, "Photo: VNA"),
    ]


def test_captions_in_every_style_go_to_images_not_body():
    parts = body(
        '<p>Intro.</p><img src="/a.jpg"><p class="caption">Ảnh: HOÀI NHÂN</p>'
        '<p>Middle.</p><img src="/b.jpg"><p><em>A plain emphasised caption</em></p>'
        '<p>More.</p><img src="/c.jpg"><p>Screenshot 2025-09-26 at 10.10.45.png</p>'
        "<p>(Foto: VNA)</p><p>End.</p>"
    )
    assert parts.paragraphs == ["Intro.", "Middle.", "More.", "End."]
    assert parts.images == [
        {"url": "https://www.vietnam.vn/a.jpg", "caption": "Ảnh: HOÀI NHÂN"},
        {"url": "https://www.vietnam.vn/b.jpg", "caption": "A plain emphasised caption"},
        {"url": "https://www.vietnam.vn/c.jpg", "caption": None},  # a file name is no caption
    ]


def test_emphasis_away_from_an_image_stays_body_text():
    assert body("<p>Intro.</p><p><em>An emphasised quote.</em></p>").paragraphs == [
        "Intro.",
        "An emphasised quote.",
    ]


def test_boilerplate_lines_are_dropped_and_source_link_kept():
    parts = body(
        "<p>[ad_1]</p><p>Lead.</p><p>Text [ad_1] here.</p><p>ZNewsZNews26/05/2026</p>"
        '<div class="related-posts"><a href="/x">Related</a></div><p>[ad_2]</p>'
        '<p>Source: <a href="https://znews.vn/bai-goc.html">ZNews</a></p><p>Comment (0)</p>',
        known=["Lead."],
    )
    assert parts.paragraphs == ["Text here."]
    assert parts.source_url == "https://znews.vn/bai-goc.html"


def test_source_line_without_link_takes_the_url_in_its_text():
    parts = body("<p>Body.</p><p>Nguồn: https://baoangiang.com.vn/bai-viet.html</p>")
    assert parts.source_url == "https://baoangiang.com.vn/bai-viet.html"


def test_same_image_twice_is_listed_once():
    parts = body('<p>a</p><img src="/a.jpg"><p>b</p><img src="/a.jpg">')
    assert parts.images == [{"url": "https://www.vietnam.vn/a.jpg", "caption": None}]


def test_text_after_an_element_inside_a_link_is_link_text():
    """A breadcrumb link wrapping its separators is navigation, not prose."""
    def blocks_of(markup: str):
        return walk(html.fragment_fromstring(markup, create_parent="div"), PAGE, VIETNAM_VN)

    crumbs = blocks_of('<p><a href="/">Home <b>›</b> News <b>›</b> World and more</a></p>')
    assert [(b.text, b.linked) for b in crumbs] == [("Home › News › World and more", True)]
    prose = blocks_of('<p>Read <a href="/x">this</a> and then <b>the rest</b> of it</p>')
    assert [b.linked for b in prose] == [False]
