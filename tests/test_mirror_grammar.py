"""The mirror served under a second URL grammar and hosts (``tests/mirror/grammar.py``), and the
second profile that describes it (``tests/example_site.py``): issue 15."""

from __future__ import annotations

import re
import urllib.error
import urllib.request
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from lxml import etree

from tests.compare import compare
from tests.crawl import crawl
from tests.example_site import EXAMPLE_NEWS
from tests.mirror import feeds
from tests.mirror.grammar import EXAMPLE_NEWS_GRAMMAR, IDENTITY_GRAMMAR, VIETNAM_VN_DOCUMENTS
from tests.mirror.model import OUTLETS, SiteModel, build_site
from tests.mirror.render import SiteRenderer
from tests.mirror.server import MirrorServer
from tests.mirror.truth import truth_records
from tests.test_mirror import flight_chunks, flight_rows

G = EXAMPLE_NEWS_GRAMMAR
ORIGIN = "https://www.example-news.test"
SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
OLD_FORMS = re.compile(
    r"(?<![\w.-])(?:[\w-]+\.)*vietnam\.vn(?![\w-])"  # a host (texts spell it Vietnam.vn)
    r"|//(?:[\w-]+\.)*vietnam\.vn"  # a host in a URL, in any case
    r"|/(?:category|tag|tags|author|authors)/"
    r"|sitemap-post|sitemap\.rss|/sitemap\.xml|news-sitemap|/sitemap/sitemap-|sitemap-(?:page|tag|author|category)")
"""What vietnam.vn's grammar writes: none of it may remain under the second grammar."""
TEXTS = ("Vietnam.vn", "VIETNAM.VN")
"""The site's name as texts show it (title suffix, slogan, og:site_name, credits): kept."""


@pytest.fixture(scope="module")
def example_mirror() -> Iterator[MirrorServer]:
    """The default mirror site served in the second grammar."""
    server = MirrorServer(build_site(), grammar=G).start()
    yield server
    server.stop()


def get(server: MirrorServer, target: str) -> tuple[int, bytes, str]:
    """(status, body, content type) of a GET on the running mirror."""
    try:
        with urllib.request.urlopen(server.base_url + target, timeout=10) as resp:
            return resp.status, resp.read(), resp.headers.get("Content-Type", "")
    except urllib.error.HTTPError as err:
        return err.code, err.read(), err.headers.get("Content-Type", "")


def local(url: str) -> str:
    """Request target of a URL on one of the second site's hosts."""
    parts = urlsplit(url)
    assert parts.hostname in EXAMPLE_NEWS.hosts, url
    return parts.path + (f"?{parts.query}" if parts.query else "")


def canonical(url: str) -> str:
    """A sitemap ``<loc>`` as its canonical URL (alias host and trailing slash dropped)."""
    parts = urlsplit(url)
    assert parts.hostname in EXAMPLE_NEWS.hosts, url
    return ORIGIN + (parts.path.rstrip("/") or "/")


def served_text(body: bytes) -> str:
    """A served body as text, with a page's flight data joined (a URL may be cut in chunks)."""
    text = body.decode()
    if "self.__next_f.push([1," in text:
        text += "\n" + "".join(flight_chunks(text))
    return text


def old_forms(text: str) -> list[str]:
    """Old-grammar URLs, paths and hosts in ``text`` (with some context)."""
    return [text[max(0, m.start() - 40):m.end() + 20] for m in OLD_FORMS.finditer(text)]


# --------------------------------------------------------------------------- the rewrite


@pytest.mark.parametrize("kwargs", [{}, {"js": True, "unlisted": 3},
                                    {"n_articles": 20, "page_padding_kb": 30}])
def test_default_and_identity_grammars_serve_the_same_bytes(kwargs: dict) -> None:
    site = build_site(**kwargs)
    plain, same = SiteRenderer(site), SiteRenderer(site, IDENTITY_GRAMMAR)
    routes = plain.routes()
    assert same.routes() == routes
    for route in set(routes.values()):
        assert same.page(route) == plain.page(route), route
    assert truth_records(site, IDENTITY_GRAMMAR) == truth_records(site)


@pytest.fixture(scope="module")
def js_site() -> SiteModel:
    return build_site(js=True, unlisted=3, n_articles=60)


@pytest.mark.parametrize("kwargs", [{"js": True, "unlisted": 3, "n_articles": 60},
                                    {"n_articles": 20, "page_padding_kb": 30}])
def test_no_page_names_the_old_grammar_or_hosts(kwargs: dict) -> None:
    renderer = SiteRenderer(build_site(**kwargs), G)
    left: dict[str, list[str]] = {}
    for target, route in renderer.routes().items():
        assert not old_forms(target), target
        page = renderer.page(route)
        text = served_text(page.body)
        if found := old_forms(text):
            left[target] = found[:3]
        assert not old_forms(" ".join(page.headers.values()))
        # what is left of "vietnam.vn" is the site's name in texts
        assert text.lower().count("vietnam.vn") == sum(text.count(t) for t in TEXTS), target
    assert not left, list(left.items())[:5]


def test_the_rewrite_is_exact(js_site: SiteModel) -> None:
    renderer = SiteRenderer(js_site, G)
    plain = SiteRenderer(js_site).routes()
    routes = renderer.routes()
    assert len(routes) == len(plain)  # one new target per old one
    # external URLs and every text of the truth are left alone
    externals = [home for home, _, _ in OUTLETS.values()]
    externals += [a.source_url for a in js_site.articles.values() if a.source_url]
    assert [G.rewrite(u) for u in externals] == externals
    default = {(r["translation_key"], r["lang"]): r for r in truth_records(js_site)}
    for rec in truth_records(js_site, G):
        old = default[rec["translation_key"], rec["lang"]]
        urls = ("id", "url", "translations", "images")
        assert {k: v for k, v in rec.items() if k not in urls} == \
            {k: v for k, v in old.items() if k not in urls}
        assert rec["url"] == ORIGIN + urlsplit(old["url"]).path
        assert rec["translations"] == {lg: ORIGIN + urlsplit(u).path
                                       for lg, u in old["translations"].items()}
        assert [i["caption"] for i in rec["images"]] == [i["caption"] for i in old["images"]]
        assert all(urlsplit(i["url"]).hostname == "img.example-news.test" for i in rec["images"])
        assert all(urlsplit(i["url"]).path == urlsplit(j["url"]).path
                   for i, j in zip(rec["images"], old["images"], strict=True))
    # idempotent: a page rewritten twice is the page rewritten once
    for route in list(set(routes.values()))[::7]:
        body = renderer.page(route).body
        assert G.rewrite_bytes(body) == body


def unmeasured(payload: str) -> str:
    """A flight payload without the byte lengths of its ``T`` rows."""
    return re.sub(r"(?m)^(\d+):T[0-9a-f]+,", r"\1:T,", payload)


def test_flight_data_is_rewritten_before_it_is_measured_and_cut() -> None:
    site = build_site(n_articles=20, embedded=4)
    renderer = SiteRenderer(site, G)
    plain = SiteRenderer(site)
    long_rows = 0
    for art in (a for a in site.articles.values() if a.layout == "E"):
        for lang in art.versions:
            new = renderer.page(("article", art.slug, lang)).body.decode()
            old = plain.page(("article", art.slug, lang)).body.decode()
            rows = flight_rows(new)  # parses only if every T row's length is its text's
            # the same payload in the second grammar, T rows measured afresh
            assert unmeasured(G.rewrite("".join(flight_chunks(old)))) == \
                unmeasured("".join(flight_chunks(new)))
            long_rows += sum(kind == "T" for _, kind, _ in rows)
    assert long_rows  # a long body was measured


# --------------------------------------------------------------------------- served


def test_every_truth_url_is_served_at_its_new_path(example_mirror: MirrorServer) -> None:
    truth = example_mirror.truth
    assert truth and all(r["url"].startswith(ORIGIN + "/") for r in truth)
    for rec in truth:
        status, body, _ = get(example_mirror, local(rec["url"]))
        assert status == 200, rec["url"]
        canonicals = re.findall(rb'<link rel="canonical" href="([^"]*)"', body)
        assert canonicals in ([], [rec["url"].encode()])  # layout C has none
        # its images are written on the second site's image host (lazy or protocol-relative)
        text = served_text(body)
        assert all(i["url"] in text or i["url"].removeprefix("https:") in text
                   for i in rec["images"]), rec["url"]


def test_old_grammar_paths_answer_404(example_mirror: MirrorServer) -> None:
    plain = set(SiteRenderer(example_mirror.site).routes())
    gone = sorted(plain - set(example_mirror.pages))
    assert len(gone) > 100
    assert all(example_mirror.lookup(t).status == 404 for t in gone)
    day = next(iter(example_mirror.pages.renderer.days))
    for target in ("/category/tin-tuc", "/en/category/tin-tuc?page=2", "/sitemap.xml",
                   f"/sitemap/sitemap-post/{day}.xml", "/sitemap.rss", "/en/sitemap.rss",
                   "/news-sitemap.xml", "/sitemap/sitemap-category.xml",
                   *[t for t in gone if "/tag/" in t or "/author/" in t][:2]):
        assert target in gone or target.startswith("/en/category/")
        assert get(example_mirror, target)[0] == 404, target
    for target in ("/chuyen-muc/tin-tuc", "/en/chuyen-muc/tin-tuc?page=2",
                   "/sitemap_index.xml", f"/sitemaps/posts-{day}.xml", "/rss.xml",
                   "/en/rss.xml", "/sitemaps/news.xml", "/sitemaps/categories.xml", "/robots.txt"):
        assert get(example_mirror, target)[0] == 200, target


def _locs(body: bytes) -> list[str]:
    return [el.text.strip() for el in etree.fromstring(body).iter(f"{SM}loc")]


def test_sitemaps_list_exactly_the_truth_urls(example_mirror: MirrorServer) -> None:
    discovery = EXAMPLE_NEWS.discovery
    status, robots, _ = get(example_mirror, "/robots.txt")
    assert status == 200
    assert re.findall(r"(?m)^Sitemap: (\S+)$", robots.decode()) == [ORIGIN + discovery.sitemap]
    status, index, ctype = get(example_mirror, discovery.sitemap)
    assert status == 200 and "xml" in ctype
    found: set[str] = set()
    kinds: dict[str, int] = {}
    for loc in _locs(index):
        path = urlsplit(loc).path
        day = discovery.day_sitemap.search(path)
        kind = ("day" if day else "news" if discovery.news_sitemap.search(path)
                else "categories" if discovery.category_sitemap.search(path)
                else "skipped" if discovery.skipped_sitemaps.search(path) else "other")
        kinds[kind] = kinds.get(kind, 0) + 1
        status, body, _ = get(example_mirror, local(loc))
        assert status == 200, loc
        assert not old_forms(body.decode()), loc
        if day:
            assert path == f"/sitemaps/posts-{day.group(1)}.xml"
            found.update(canonical(u) for u in _locs(body))
    assert kinds == {"day": len(example_mirror.pages.renderer.days), "news": 1, "categories": 1,
                     "skipped": len(feeds.SECTION_SITEMAPS) - 1}
    assert found == {r["url"] for r in example_mirror.truth}
    # each language's feed, where the profile says it is, links only truth URLs
    truth_urls = {r["url"] for r in example_mirror.truth}
    for lang in example_mirror.site.langs:
        home = "" if lang == EXAMPLE_NEWS.default_lang else f"/{lang}"
        status, rss, ctype = get(example_mirror, discovery.feed.format(home=home))
        assert status == 200 and "rss" in ctype
        links = [el.text for el in etree.fromstring(rss).iter("link")][1:]
        assert links and set(links) <= truth_urls


def test_profile_describes_the_grammar() -> None:
    profile = EXAMPLE_NEWS
    assert profile.canonical_origin == G.canonical_origin == ORIGIN
    assert set(G.hosts.values()) == profile.hosts | profile.https_image_hosts
    assert profile.urls.category == G.segments["category"]
    assert profile.urls.tags == (G.segments["tag"],)
    assert profile.urls.authors == (G.segments["author"],)
    documents = dict(G.documents)
    assert profile.discovery.sitemap == documents["/sitemap.xml"]
    assert profile.discovery.feed == "{home}" + documents["/sitemap.rss"]
    day = documents["/sitemap/sitemap-post/{day}.xml"].format(day="2026-11-20")
    assert profile.discovery.day_sitemap.search(day).group(1) == "2026-11-20"
    for old, new in G.documents:
        new = new.format(day="2026-11-20")
        patterns = [d for d in ("day_sitemap", "category_sitemap", "news_sitemap",
                                "skipped_sitemaps")
                    if getattr(profile.discovery, d).search(new)]
        assert len(patterns) <= 1, new  # a document is one kind at most
        assert old in VIETNAM_VN_DOCUMENTS
    # the same markup: only URLs and hosts differ from vietnam.vn's profile
    from newscrawl.sites.vietnamvn import VIETNAM_VN
    same = ("default_lang", "languages", "labels", "timezone", "title_suffix", "site_header",
            "listing_links", "article", "body_exclude")
    assert all(getattr(profile, f) == getattr(VIETNAM_VN, f) for f in same)
    assert not profile.urls.reserved & {"category", "tag", "author"}
    assert {"chuyen-muc", "the", "tac-gia"} <= profile.urls.reserved


# --------------------------------------------------------------------------- end to end


@pytest.mark.slow
def test_example_profile_crawls_the_mirror_in_its_grammar_to_its_truth(
        example_mirror: MirrorServer, tmp_path) -> None:
    example_mirror.reset_log()
    run = crawl(example_mirror.base_url, tmp_path / "out.jsonl",
                "-s", "NEWSCRAWL_SITE=tests.example_site:EXAMPLE_NEWS")
    assert run.returncode == 0, run.log[-3000:]
    result = compare(run.records, example_mirror.truth)
    assert result.equal, result.summary() + "\n" + run.log[-3000:]
    # nothing was asked in the old grammar
    assert not [r.target for r in example_mirror.requests if old_forms(r.target)]
