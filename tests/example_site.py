"""A second site profile, ``EXAMPLE_NEWS``: vietnam.vn's markup under other hosts and URL grammar.

Issue 15: a second profile, over the mirror rendered with it (``MirrorServer(site,
grammar=EXAMPLE_NEWS_GRAMMAR)``, see ``tests/mirror/grammar.py``), must crawl to its truth with
no change outside ``newscrawl/sites/``. The crawl selects it with
``-s NEWSCRAWL_SITE=tests.example_site:EXAMPLE_NEWS``.

Same markup as vietnam.vn, so the same labels, selectors, languages, time zone, title suffix
(" - Vietnam.vn") and site header; different everything that names a URL:

- hosts ``www.example-news.test`` (canonical), ``example-news.test``, ``m.example-news.test``;
  images on ``img.example-news.test`` (served over https as well);
- listings ``/chuyen-muc/<slug>``, tags ``/the/<slug>``, authors ``/tac-gia/<slug>``;
- the sitemap index ``/sitemap_index.xml`` (also named in robots.txt), day sitemaps
  ``/sitemaps/posts-YYYY-MM-DD.xml``, ``/sitemaps/news.xml``, ``/sitemaps/categories.xml``,
  ``/sitemaps/{pages,tags,authors}.xml``; a language's RSS feed at ``{home}/rss.xml``.
"""

from __future__ import annotations

import dataclasses
import re

from newscrawl.sites.vietnamvn import VIETNAM_VN

CANONICAL_ORIGIN = "https://www.example-news.test"
HOSTS = frozenset({"www.example-news.test", "example-news.test", "m.example-news.test"})
IMAGE_HOST = "img.example-news.test"

_OLD_SEGMENTS = frozenset({"category", "tag", "tags", "author", "authors", "sitemap",
                           "sitemap.xml", "news-sitemap.xml"})
RESERVED_SEGMENTS = (VIETNAM_VN.urls.reserved - _OLD_SEGMENTS) | {
    "chuyen-muc", "the", "tac-gia", "sitemaps", "sitemap_index.xml", "rss.xml"}

EXAMPLE_NEWS = dataclasses.replace(
    VIETNAM_VN,
    name="examplenews",
    canonical_origin=CANONICAL_ORIGIN,
    hosts=HOSTS,
    urls=dataclasses.replace(
        VIETNAM_VN.urls,
        category="chuyen-muc",
        tags=("the",),
        authors=("tac-gia",),
        reserved=RESERVED_SEGMENTS,
    ),
    discovery=dataclasses.replace(
        VIETNAM_VN.discovery,
        sitemap="/sitemap_index.xml",
        feed="{home}/rss.xml",
        day_sitemap=re.compile(r"/sitemaps/posts-(\d{4}-\d{2}-\d{2})\.xml(?:\.gz)?$"),
        category_sitemap=re.compile(r"/sitemaps/categories\.xml"),
        news_sitemap=re.compile(r"/sitemaps/news\.xml"),
        skipped_sitemaps=re.compile(r"/sitemaps/(?:tags|pages|authors|videos|images)\.xml",
                                    re.IGNORECASE),
    ),
    https_image_hosts=frozenset({IMAGE_HOST}),
)
