"""Serve the mirror's site under another URL grammar and other hosts (issue 15).

A :class:`Grammar` maps what the mirror writes in vietnam.vn's grammar to a second site's:
hosts (``www.vietnam.vn`` → ``www.example-news.test``…), the first path segments of listings,
tags and authors (``/category/`` → ``/chuyen-muc/``…) and the names of the discovery documents
(``/sitemap.xml`` → ``/sitemap_index.xml``, ``/sitemap/sitemap-post/D.xml`` →
``/sitemaps/posts-D.xml``, ``/sitemap.rss`` → ``/rss.xml``…). ``MirrorServer(site,
grammar=...)`` renders every page as usual, then :meth:`Grammar.rewrite` maps its bytes, and its
route table is keyed by the rewritten request targets (so the second grammar's paths answer and
the old ones are 404); ``truth_records(site, grammar=...)`` maps the truth's ``url``, ``id``,
``translations`` and ``images[].url`` through the same function.

Why a rewrite of the rendered text rather than a grammar threaded through model, render and
feeds: URLs are written in some forty places (hrefs in five host styles, canonical and hreflang
links, ``og:url``, ``__NEXT_DATA__``, flight data, JSON-LD, the JSON API, inline script configs,
sitemaps, feeds, robots.txt, the padding's site config, image URLs stored in the model). One
function over the output reaches all of them, including ones added later, and leaves the default
rendering untouched by construction (no grammar: no code runs). It is exact because of what the
mirror writes, and ``tests/test_mirror_grammar.py`` checks each premise:

- prose never contains a path, and the site's name in texts is spelt ``Vietnam.vn`` /
  ``VIETNAM.VN`` (title suffix, slogan, ``og:site_name``, captions' credits), while hosts are
  always lower case: host names are matched case-sensitively, delimited by non-host characters;
- external URLs (outlets, social links, portals) hold none of the mapped segments or documents;
- the only place where the bytes are not a plain serialisation is layout E's flight data (split
  into chunks at arbitrary points, long bodies in ``T`` rows prefixed with their byte length):
  the renderer rewrites that payload before it measures and splits it
  (:meth:`SiteRenderer._layout_e`), so a URL is never cut before it is mapped;
- the rewrite is idempotent and its output holds none of the old forms, so rewriting a page
  whose flight payload was already rewritten changes nothing more.

Texts stay as they are: the second profile keeps vietnam.vn's title suffix and site header.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

DAY = r"\d{4}-\d{2}-\d{2}"
_HOST_CHARS = r"[\w.-]"


@dataclass(frozen=True)
class Grammar:
    """How the second site names what the mirror names in vietnam.vn's grammar.

    ``hosts`` maps each lower-case vietnam.vn host the mirror writes (site aliases and the image
    host) to the second site's; ``segments`` maps first path segments (after a language prefix;
    also inside ``/api/<segment>/`` and Next.js page names); ``documents`` maps the paths of
    discovery documents (old, new), ``{day}`` standing for a ``YYYY-MM-DD`` day; a document's
    path may follow a language prefix (feeds).
    """

    name: str
    canonical_origin: str
    hosts: Mapping[str, str] = field(hash=False)
    segments: Mapping[str, str] = field(hash=False)
    documents: tuple[tuple[str, str], ...]

    @cached_property
    def _rules(self) -> list[tuple[re.Pattern[str], str]]:
        hosts = sorted(self.hosts, key=len, reverse=True)
        host_re = re.compile(rf"(?<!{_HOST_CHARS})(?:{'|'.join(map(re.escape, hosts))})"
                             rf"(?!{_HOST_CHARS}*\w)")
        rules = [(host_re, "")]
        segments = "|".join(map(re.escape, self.segments))
        rules.append((re.compile(rf"/({segments})/"), ""))
        for old, new in self.documents:
            pattern = re.escape(old).replace(re.escape("{day}"), f"({DAY})")
            rules.append((re.compile(rf"{pattern}(?![\w./-])"), new.replace("{day}", r"\1")))
        return rules

    def rewrite(self, text: str) -> str:
        """``text`` with every URL, path and host in the second grammar."""
        (host_re, _), (seg_re, _), *documents = self._rules
        text = host_re.sub(lambda m: self.hosts[m.group(0)], text)
        text = seg_re.sub(lambda m: f"/{self.segments[m.group(1)]}/", text)
        for pattern, replacement in documents:
            text = pattern.sub(replacement, text)
        return text

    def rewrite_bytes(self, body: bytes) -> bytes:
        """A UTF-8 body rewritten (see :meth:`rewrite`)."""
        return self.rewrite(body.decode("utf-8")).encode("utf-8")

    def record(self, rec: dict[str, Any]) -> dict[str, Any]:
        """A truth record as the second site's crawl emits it: its URL (and the ``id`` derived
        from it), translations and image URLs in the second grammar; every text as it was."""
        url = self.rewrite(rec["url"])
        return {**rec, "id": hashlib.sha1(url.encode()).hexdigest(), "url": url,
                "translations": {lg: self.rewrite(u) for lg, u in rec["translations"].items()},
                "images": [{**img, "url": self.rewrite(img["url"])} for img in rec["images"]]}


VIETNAM_VN_DOCUMENTS = ("/sitemap.xml", "/news-sitemap.xml", "/sitemap/sitemap-post/{day}.xml",
                        "/sitemap/sitemap-category.xml", "/sitemap/sitemap-page.xml",
                        "/sitemap/sitemap-tag.xml", "/sitemap/sitemap-author.xml",
                        "/sitemap.rss")
"""Discovery documents the mirror serves in vietnam.vn's grammar (see ``feeds.py``)."""

EXAMPLE_NEWS_GRAMMAR = Grammar(
    name="examplenews",
    canonical_origin="https://www.example-news.test",
    hosts={"www.vietnam.vn": "www.example-news.test", "vietnam.vn": "example-news.test",
           "vcdn.vietnam.vn": "m.example-news.test", "thongtin.vietnam.vn": "m.example-news.test",
           "vjs.vietnam.vn": "m.example-news.test", "vstatic.vietnam.vn": "img.example-news.test"},
    segments={"category": "chuyen-muc", "tag": "the", "author": "tac-gia"},
    documents=tuple(zip(VIETNAM_VN_DOCUMENTS, (
        "/sitemap_index.xml", "/sitemaps/news.xml", "/sitemaps/posts-{day}.xml",
        "/sitemaps/categories.xml", "/sitemaps/pages.xml", "/sitemaps/tags.xml",
        "/sitemaps/authors.xml", "/rss.xml"), strict=True)),
)
"""The mirror as ``tests.example_site.EXAMPLE_NEWS`` describes it."""

IDENTITY_GRAMMAR = Grammar(
    name="vietnamvn", canonical_origin="https://www.vietnam.vn",
    hosts={h: h for h in EXAMPLE_NEWS_GRAMMAR.hosts},
    segments={s: s for s in EXAMPLE_NEWS_GRAMMAR.segments},
    documents=tuple((d, d) for d in VIETNAM_VN_DOCUMENTS),
)
"""vietnam.vn's own grammar as a :class:`Grammar`: every rule maps a form to itself (a test of
the rewrite's exactness: serving with it must give the default bytes)."""
