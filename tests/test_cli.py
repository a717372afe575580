"""The command line rejects bad arguments with one clear line and a non-zero exit."""

import pytest

from tests.crawl import scrapy


@pytest.mark.parametrize(
    ("argument", "named"),
    [
        ("langs=xx", "-a langs"),
        ("since=2026-02-30", "-a since"),
        ("max_pages=many", "-a max_pages"),
        ("mode=turbo", "-a mode"),
        ("base_url=ftp://127.0.0.1", "-a base_url"),
        ("colour=blue", "-a colour"),
    ],
)
def test_bad_argument_fails_before_start_with_one_line(argument, named):
    done = scrapy("crawl", "vietnamvn", "-a", argument, timeout=120)
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith(f"newscrawl: error: invalid argument {named}:")
    assert "Traceback" not in done.stderr + done.stdout


@pytest.mark.parametrize(
    ("setting", "named"),
    [
        ("CONCURRENT_REQUESTS=lots", "CONCURRENT_REQUESTS"),
        ("DOWNLOAD_TIMEOUT=-1", "DOWNLOAD_TIMEOUT"),
        ("RETRY_TIMES=2.5", "RETRY_TIMES"),
        ("NEWSCRAWL_RENDER=sometimes", "NEWSCRAWL_RENDER"),
        ("NEWSCRAWL_RECHECK_AFTER=1x", "NEWSCRAWL_RECHECK_AFTER"),
        ("NEWSCRAWL_SITE=nope", "NEWSCRAWL_SITE"),
        ("NEWSCRAWL_SITE=newscrawl.sites.vietnamvn:NOPE", "NEWSCRAWL_SITE"),
    ],
)
def test_bad_setting_fails_before_start_with_one_line(setting, named, tmp_path):
    done = scrapy("crawl", "vietnamvn", "-s", setting, "-s", f"NEWSCRAWL_STATE_URI={tmp_path}/s.sqlite3",
                  cwd=tmp_path, timeout=120)  # fmt: skip
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"newscrawl: error: invalid setting {named}")
