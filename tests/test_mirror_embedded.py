"""Tests of the mirror's embedded-data article layouts (D ``__NEXT_DATA__``, E React flight data,
F JSON-LD): generated apart from the rest of the site, fields only in the data the page embeds
(after decoys), and read back from that data by the oracle of ``test_mirror``."""

from __future__ import annotations

import json
import re
from collections import Counter
from functools import cache
from typing import Any

import lxml.html
import pytest

from tests.mirror.model import (
    CANONICAL,
    EMBEDDED_LAYOUTS,
    OUTLETS,
    Article,
    SiteModel,
    article_path,
    build_site,
    canonical_url,
    change_article,
    home_path,
)
from tests.mirror.render import TEXT_ROW_MIN, UI, Page, css_class, render_site
from tests.mirror.truth import caption_truth, normalize_text, record, truth_records
from tests.test_mirror import (
    _body,
    _read_back,
    assert_read_back,
    flight_chunks,
    flight_post,
    flight_rows,
    json_ld_article,
    next_data,
    site_path,
)

SPELLINGS = {  # field → its key in each spelling of layout E's article object
    "title": ("title", "headline"), "summary": ("sapo", "description"),
    "body": ("contentHtml", "body_html"), "published": ("publishTime", "published_at"),
    "modified": ("modifiedAt", "updated_at"), "source_name": ("sourceName", "origin"),
    "source_url": ("sourceUrl", "origin"), "sections": ("category", "section|sections"),
    "tags": ("keywords", "tag_list"), "authors": ("authors", "author"),
    "images": ("images", "cover"), "translations": ("translations", "alternates"),
}


@cache
def site_and_pages() -> tuple[SiteModel, dict[str, Page]]:
    """The default site, rendered once."""
    site = build_site()
    return site, render_site(site)


def embedded(site: SiteModel, layout: str | None = None) -> list[Article]:
    """The site's articles of the embedded layouts (or of one of them)."""
    return [a for a in site.articles.values()
            if a.layout in EMBEDDED_LAYOUTS and layout in (None, a.layout)]


def html_of(art: Article, lang: str) -> str:
    return site_and_pages()[1][article_path(lang, art.slug)].body.decode()


def visible(html: str) -> lxml.html.HtmlElement:
    """The page's content area: no head, header, footer or scripts."""
    doc = lxml.html.fromstring(html)
    for el in doc.xpath("//head | //header | //footer | //script"):
        el.drop_tree()
    return doc


# --------------------------------------------------------------------------- generation


def test_embedded_articles_are_generated_apart() -> None:
    site = site_and_pages()[0]
    arts = embedded(site)
    assert Counter(a.layout for a in arts) == dict.fromkeys(EMBEDDED_LAYOUTS, 2)
    assert all(set(a.versions) == set(site.langs) for a in arts)
    assert all(a.outlet in OUTLETS and a.source_url for a in arts)
    assert all(a.listed and not a.dup_of for a in arts)
    for layout in EMBEDDED_LAYOUTS:
        group = embedded(site, layout)
        assert any(a.modified for a in group) and any(a.tags for a in group)
        assert any(a.authors for a in group)
        assert any(i.caption for a in group for i in a.versions["vi"].images)
    assert len({a.published.date() for a in arts}) == len(arts)
    assert [a.data_variant for a in embedded(site, "E")] == [0, 1]
    assert not embedded(build_site(n_articles=0))
    assert not embedded(build_site(n_articles=20, embedded=0))
    assert Counter(a.layout for a in embedded(build_site(n_articles=20, embedded=3))) == \
        dict.fromkeys(EMBEDDED_LAYOUTS, 3)
    with pytest.raises(ValueError):
        build_site(embedded=-1)


@pytest.mark.parametrize("kwargs", [{}, {"seed": 3, "n_articles": 30, "langs": ("vi", "en", "ja"),
                                         "unlisted": 2, "js": True}])
def test_existing_site_is_unchanged(kwargs: dict[str, Any]) -> None:
    """Adding the embedded layouts changes no other article, its page or its record."""
    without, with_ = build_site(**kwargs, embedded=0), build_site(**kwargs)
    assert not embedded(without)
    assert all(with_.articles[slug] == art for slug, art in without.articles.items())
    assert len(with_.articles) == len(without.articles) + 2 * len(EMBEDDED_LAYOUTS)
    old, new = render_site(without), render_site(with_)
    for art in without.articles.values():
        for lang, ver in art.versions.items():
            path = article_path(lang, art.slug)
            assert new[path] == old[path], path
            assert record(with_, art, ver) == record(without, art, ver)
    added = {canonical_url(lg, a.slug) for a in embedded(with_) for lg in a.versions}
    assert [r for r in truth_records(with_) if r["url"] not in added] == truth_records(without)
    in_lists = {site_path(h) for key, page in new.items() if "/category/" in key
                for h in re.findall(r'class="v-link-title" href="([^"]+)"', page.body.decode())}
    assert {article_path(lg, a.slug) for a in embedded(with_) for lg in a.versions} <= in_lists


# --------------------------------------------------------------------------- markup


def test_pages_show_no_field_outside_embedded_data() -> None:
    site = site_and_pages()[0]
    links = {ui["source_link"] for ui in UI.values()}  # ("Source:" also starts captions)
    for art in embedded(site):
        for lang in art.versions:
            html = html_of(art, lang)
            doc = lxml.html.fromstring(html)
            assert doc.xpath("//link[@rel='canonical']/@href") == [canonical_url(lang, art.slug)]
            assert not doc.xpath("//link[@hreflang] | //meta[starts-with(@property,'og:')]"
                                 " | //meta[starts-with(@property,'article:')]"
                                 " | //meta[@name='description' or @name='author']")
            assert "post-detail" not in html and "<article" not in html
            switcher = doc.xpath("//div[@class='lang-switcher']/a/@href")
            assert switcher == [home_path(lg) for lg in site.langs]
            shown = visible(html)
            text = shown.text_content()
            assert not re.search(r"\d\d/\d\d/\d{4}", text), (art.layout, lang)
            assert art.outlet not in text and not any(label in text for label in links)
            hrefs = shown.xpath("//a/@href")
            assert art.source_url not in hrefs and not [h for h in hrefs if "/category/" in h]
            for script in doc.xpath("//script"):
                script.drop_tree()
            assert art.source_url not in lxml.html.tostring(doc, encoding="unicode")


def test_layout_d_is_drawn_by_script_from_next_data() -> None:
    site = site_and_pages()[0]
    for art in embedded(site, "D"):
        for lang in art.versions:
            html = html_of(art, lang)
            doc = lxml.html.fromstring(html)
            root = doc.xpath("//div[@id='post-root']")
            assert len(root) == 1 and len(root[0]) == 0 and not root[0].text
            assert not doc.xpath("//h1")
            script = [s for s in doc.xpath("//script[not(@src) and not(@type)]/text()")
                      if "post-root" in s]
            assert len(script) == 1 and "__NEXT_DATA__" in script[0]
            assert "fetch(" not in script[0]
            props = next_data(html)["props"]["pageProps"]
            assert list(props)[:4] == ["menu", "footer", "relatedPosts", "post"]  # decoys first
            assert set(props["footer"]) == {"title", "content"}
            assert any("html" in item for item in props["menu"])
            assert 2 <= len(props["relatedPosts"]) <= 3
            assert art.slug not in {p["slug"] for p in props["relatedPosts"]}
            post = props["post"]
            assert list(post)[:3] == ["title", "slug", "lang"] and post["lang"] == lang
            assert ("excerpt" in post) == bool(art.versions[lang].lead)
            assert ("updatedAt" in post) == bool(art.modified)
            assert ("thumbnail" in post) == bool(art.versions[lang].images)


def test_layout_e_flight_data() -> None:
    site = site_and_pages()[0]
    keys: dict[int, set[str]] = {0: set(), 1: set()}
    text_rows = inline = mid_row = 0
    for art in embedded(site, "E"):
        for lang in art.versions:
            html = html_of(art, lang)
            assert "__NEXT_DATA__" not in html
            assert "(self.__next_f=self.__next_f||[]).push([0])" in html
            doc = lxml.html.fromstring(html)
            assert len(doc.xpath("//h1")) == 1
            chunks = flight_chunks(html)
            assert len(chunks) >= 3
            mid_row += sum(not c.endswith("\n") for c in chunks[:-1])
            rows = flight_rows(html)
            kinds = [kind for _, kind, _ in rows]
            assert {"I", "HL", "json"} <= set(kinds)
            decoys = next(i for i, (_, kind, v) in enumerate(rows)
                          if kind == "json" and "footer" in v[3])
            article = next(i for i, (_, kind, v) in enumerate(rows)
                           if kind == "json" and "post" in v[3])
            assert decoys < article  # the decoys come first
            shell = rows[decoys][2][3]
            assert set(shell["footer"]) == {"title", "content"}
            assert shell["relatedPosts"] and shell["menu"]
            raw = rows[article][2][3]["post"]
            body_key = "contentHtml" if art.data_variant == 0 else "body_html"
            post = flight_post(html)
            if "T" in kinds:
                text_rows += 1
                assert raw[body_key] == "$5" and len(post[body_key]) >= TEXT_ROW_MIN
            else:
                inline += 1
                assert raw[body_key] == post[body_key] and len(post[body_key]) < TEXT_ROW_MIN
            keys[art.data_variant] |= set(post)
    assert text_rows and mid_row
    assert keys[0] >= {"title", "slug", "sapo", "contentHtml", "publishTime", "modifiedAt",
                       "sourceName", "sourceUrl", "category", "keywords", "authors", "images",
                       "translations"}
    assert keys[1] >= {"headline", "slug", "description", "body_html", "published_at",
                       "updated_at", "origin", "tag_list", "author", "cover", "alternates"}
    assert keys[1] & {"section", "sections"}
    for field, (first, second) in SPELLINGS.items():  # every field under two spellings
        assert first != second and first in keys[0], field
        assert set(second.split("|")) & keys[1], field


def test_layout_e_text_row_lengths_are_utf8_bytes() -> None:
    site = site_and_pages()[0]
    non_ascii = 0
    for art in embedded(site, "E"):
        for lang in art.versions:
            html = html_of(art, lang)
            data = "".join(flight_chunks(html))
            for match in re.finditer(r"(?:^|\n)5:T([0-9a-f]+),", data):
                text = flight_post(html)["contentHtml" if art.data_variant == 0
                                         else "body_html"]
                assert int(match.group(1), 16) == len(text.encode())
                after = data[match.end() + len(text):]
                assert re.match(r"4:\[", after)  # no newline after the text
                non_ascii += len(text.encode()) != len(text)
    assert non_ascii


def test_layout_f_json_ld() -> None:
    site = site_and_pages()[0]
    records = {r["url"]: r for r in truth_records(site)}
    for art in embedded(site, "F"):
        for lang in art.versions:
            html = html_of(art, lang)
            doc = lxml.html.fromstring(html)
            graph = json.loads(doc.xpath("//script[@type='application/ld+json']/text()")[0])
            assert graph["@context"] == "https://schema.org"
            assert [n["@type"] for n in graph["@graph"]] == ["WebSite", "BreadcrumbList",
                                                            "NewsArticle"]
            crumbs = graph["@graph"][1]["itemListElement"]
            assert [c["item"] for c in crumbs[1:]] == [
                CANONICAL + (f"/{lang}" if lang != "vi" else "") + f"/category/{s}"
                for s in art.categories]
            news = json_ld_article(html)
            assert news["datePublished"].endswith("Z") and "<" not in news["articleBody"]
            assert news["mainEntityOfPage"] == canonical_url(lang, art.slug)
            assert all("caption" not in i or i["caption"] for i in news.get("image", []))
            rec = records[canonical_url(lang, art.slug)]
            shown = visible(html)  # title, lead and body are also in the markup
            assert normalize_text(shown.xpath("string(//h1)")) == rec["title"]
            inner = shown.cssselect("." + css_class("inner", art.slug))[0]
            assert _body(inner) == (rec["body"], rec["images"])


# --------------------------------------------------------------------------- truth


def test_truth_of_embedded_layouts() -> None:
    site = site_and_pages()[0]
    for art in embedded(site):
        for lang, ver in art.versions.items():
            rec = record(site, art, ver)
            assert rec["published_at"] == art.published.isoformat(timespec="seconds")
            assert rec["modified_at"] == (art.modified.isoformat(timespec="seconds")
                                          if art.modified else None)
            assert rec["source_name"] == art.outlet and rec["source_url"] == art.source_url
            assert set(rec["translations"]) == set(site.langs) - {lang}
            assert [i["url"] for i in rec["images"]] == [i.url for i in ver.images]
    assert_read_back(site_and_pages()[1], site, [r for r in truth_records(site) if any(
        r["translation_key"] == a.slug for a in embedded(site))])


def test_embedded_read_back_after_change_and_with_padding() -> None:
    site = build_site(n_articles=40)
    for art in embedded(site):
        change_article(site, art.slug, langs=["vi", "ja"], retitle="ja")
        assert art.modified == site.now
    pages = render_site(site)
    assert_read_back(pages, site, truth_records(site))
    padded = build_site(n_articles=40, page_padding_kb=24)
    assert truth_records(padded) == truth_records(build_site(n_articles=40))
    pages = render_site(padded)
    for art in embedded(padded):
        for lang, ver in art.versions.items():
            got = _read_back(pages[article_path(lang, art.slug)].body.decode(), art.layout,
                             art.slug, padded)
            rec = record(padded, art, ver)
            assert {k: rec[k] for k in got} == got


def test_caption_truth() -> None:
    assert caption_truth("") is None and caption_truth(" \u200b ") is None
    assert caption_truth("_Photo: VNA") == "Photo: VNA"
    assert caption_truth("*Ảnh: TTXVN") == "Ảnh: TTXVN"
    for name in ("Screenshot 2025-09-26 at 10.10.45.png", "IMG_1234.JPG", "dsc-0123.jpeg"):
        assert caption_truth(name) is None
    assert caption_truth("Photo:  Xiaomi.") == "Photo: Xiaomi."
    assert caption_truth("Hội An - Ảnh 1.") == "Hội An - Ảnh 1."
    site = site_and_pages()[0]
    raw = [i.caption for a in site.articles.values() for v in a.versions.values()
           for i in v.images]
    for pattern in (r"Screenshot \d{4}-\d\d-\d\d at [\d.]+\.png", r"IMG_\d{4}\.JPG",
                    r"dsc-\d{4}\.jpeg", r"_Photo: .+"):
        assert sum(bool(re.fullmatch(pattern, c)) for c in raw) >= 3, pattern
