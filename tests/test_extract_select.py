"""Compiled CSS selectors (newscrawl.extract.select) against parsel's own ``Selector.css``."""

from __future__ import annotations

import pytest
from parsel import Selector

from newscrawl.extract.select import Css, PageIndex, class_names
from newscrawl.sites.vietnamvn import VIETNAM_VN

PAGE = """<html><head><title>t</title></head><body class="page">
<div class="post-detail-container outer">
  <div class="post-tags"><a href="/tag/a">A</a><span class="post-tags"><a href="/tag/b">B</a></span></div>
  <h1 class="post-detail-title">Title</h1>
  <div class="	post-detail-body
 x"><p>one</p><div class="post-detail-body"><p>two</p></div></div>
  <span itemprop="author" rel="author">Ann</span><time datetime="2026-01-02">x</time>
  <a class="post-tags" href="/tag/c"><a href="/tag/d">D</a></a>
</div>
<div class="post-tags-more tags"><a href="/tag/e">E</a></div>
<div class="ant-breadcrumb"><a href="/">Home</a><a href="/category/x">X</a></div>
<nav itemtype="https://schema.org/BreadcrumbList"><a href="/category/y">Y</a></nav>
<div class="post-detail&#160;odd post-detail"><article><p>in article</p></article></div>
<div itemprop="articleBody" class=""></div>
</body></html>"""

EXTRA = (
    "a[href]", "div > p", "*", "H1", "[Rel=author]", "[class*=post]", "[class*='']", "div.post-tags",
    ".post-detail-container h1", ".post-tags a", "p", "[itemprop]", "[itemtype*=Breadcrumb] a",
    ".post-detail", ".x", ".outer", ".odd", ".page", ".tags", ".post", ".ant-breadcrumb", ".detail-body",
)  # fmt: skip
SELECTORS = sorted({css for group in VIETNAM_VN.article.values() for css in group} | set(EXTRA))


@pytest.mark.parametrize("css", SELECTORS)
def test_css_selects_what_parsel_selects(css: str) -> None:
    """Same elements in the same order, from the whole page and from every element as scope."""
    selector = Selector(text=PAGE)
    index = PageIndex(selector.root)
    compiled = Css(css)
    for scope in [selector, *selector.xpath("//*")]:
        expected = [node.root for node in scope.css(css)]
        assert compiled.select(index, scope.root) == expected, (css, scope.root.tag, scope.root.get("class"))


def test_simple_selectors_do_not_fall_back_to_xpath() -> None:
    """Every selector of the site profile is answered from the index (the fast path)."""
    for group in VIETNAM_VN.article.values():
        for css in group:
            assert type(Css(css)._query).__name__ in ("_Simple", "_Descendant"), css


def test_first_and_class_names() -> None:
    index = PageIndex(Selector(text=PAGE).root)
    assert Css(".post-detail-body").first(index).get("class").split() == ["post-detail-body", "x"]
    assert Css(".nowhere").first(index) is None
    # normalize-space() splits on XML whitespace only: a no-break space belongs to the name.
    assert class_names(" a\tb\r\nc  d\xa0e ") == ["a", "b", "c", "d\xa0e"]
