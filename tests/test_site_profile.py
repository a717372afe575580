"""Which site a crawl uses: the spider's profile, or the one NEWSCRAWL_SITE names."""

from __future__ import annotations

import dataclasses

import pytest
from scrapy.utils.test import get_crawler

from newscrawl import settings as project_settings
from newscrawl.checks import settings_problem
from newscrawl.pipelines import crawled_site
from newscrawl.sites.profile import SiteProfileError, crawl_site, load_profile
from newscrawl.sites.vietnamvn import VIETNAM_VN
from newscrawl.spiders.vietnamvn import VietnamVnSpider

# A second site: another origin and hosts, vietnam.vn's grammar otherwise.
OTHER = dataclasses.replace(
    VIETNAM_VN, name="other", canonical_origin="https://news.example", hosts=frozenset({"news.example"})
)
HERE = f"{__name__}:OTHER"
PROJECT = {name: value for name, value in vars(project_settings).items() if name.isupper()}
PROJECT["NEWSCRAWL_STATE_ENABLED"] = False  # no state file: these crawls never start


def test_the_spider_crawls_its_own_profile_by_default() -> None:
    spider = VietnamVnSpider.from_crawler(get_crawler(VietnamVnSpider, PROJECT))
    assert spider.site is VIETNAM_VN and spider.mapper.site is VIETNAM_VN
    assert spider.args.base_url == VIETNAM_VN.canonical_origin


def test_newscrawl_site_names_the_profile_the_crawl_uses() -> None:
    crawler = get_crawler(VietnamVnSpider, {**PROJECT, "NEWSCRAWL_SITE": HERE})
    assert crawled_site(crawler) is OTHER  # before the spider exists: what it will crawl
    spider = VietnamVnSpider.from_crawler(crawler)
    assert spider.site is OTHER and spider.mapper.site is OTHER
    url = spider.mapper.parse("https://news.example/bai-viet-thu-nghiem-so-mot")
    assert url is not None and url.canonical == "https://news.example/bai-viet-thu-nghiem-so-mot"
    assert spider.mapper.parse("https://www.vietnam.vn/bai-viet-thu-nghiem-so-mot") is None


@pytest.mark.parametrize(
    ("value", "says"),
    [
        ("OTHER", "import path"),
        ("no_such_module:X", "cannot import"),
        (f"{__name__}:MISSING", "nothing"),
        (f"{__name__}:HERE", "a str"),
    ],
)
def test_a_bad_newscrawl_site_is_one_line(value: str, says: str) -> None:
    with pytest.raises(SiteProfileError, match=says):
        load_profile(value)
    problem = settings_problem(get_crawler(settings_dict={"NEWSCRAWL_SITE": value}).settings)
    assert problem is not None and "\n" not in problem
    assert problem.startswith("invalid setting NEWSCRAWL_SITE")


def test_profiles_key_caches_cheaply() -> None:
    assert crawl_site({"NEWSCRAWL_SITE": ""}, VIETNAM_VN) is VIETNAM_VN
    assert load_profile(HERE) is OTHER and hash(OTHER) != hash(VIETNAM_VN) and OTHER != VIETNAM_VN
