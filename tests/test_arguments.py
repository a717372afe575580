"""Spider arguments: valid values parse, bad ones fail with a message naming the argument."""

from datetime import date

import pytest

from newscrawl.arguments import ArgumentError, parse_arguments
from newscrawl.sites.vietnamvn import VIETNAM_VN


def test_defaults():
    args = parse_arguments({}, VIETNAM_VN)
    assert args.base_url == "https://www.vietnam.vn"
    assert args.langs is None and args.sections is None
    assert args.since is None and args.max_pages is None and args.mode == "incremental"


@pytest.mark.parametrize(
    ("raw", "attr", "expected"),
    [
        ({"langs": "all"}, "langs", None),
        ({"langs": "vi,EN, zh-cn"}, "langs", ("vi", "en", "zh-cn")),
        ({"langs": "en,en"}, "langs", ("en",)),
        ({"sections": "the-thao,di-san"}, "sections", frozenset({"the-thao", "di-san"})),
        ({"since": "2026-05-01"}, "since", date(2026, 5, 1)),
        ({"max_pages": "3"}, "max_pages", 3),
        ({"mode": "FULL"}, "mode", "full"),
        ({"base_url": "http://127.0.0.1:8000/"}, "base_url", "http://127.0.0.1:8000"),
        ({"_job": "abc123"}, "extra", {"_job": "abc123"}),
    ],
)
def test_valid_arguments(raw, attr, expected):
    assert getattr(parse_arguments(raw, VIETNAM_VN), attr) == expected


@pytest.mark.parametrize(
    ("raw", "name", "hint"),
    [
        ({"langs": "xx"}, "langs", "unknown language xx"),
        ({"langs": "zh"}, "langs", "zh-cn"),
        ({"langs": ""}, "langs", "all"),
        ({"sections": "Thể thao"}, "sections", "category slugs"),
        ({"sections": ","}, "sections", "category slugs"),
        ({"since": "2026-13-01"}, "since", "YYYY-MM-DD"),
        ({"since": "01/05/2026"}, "since", "YYYY-MM-DD"),
        ({"since": "yesterday"}, "since", "YYYY-MM-DD"),
        ({"max_pages": "ten"}, "max_pages", "whole number"),
        ({"max_pages": "0"}, "max_pages", "whole number"),
        ({"max_pages": "-2"}, "max_pages", "whole number"),
        ({"mode": "fast"}, "mode", "incremental, full"),
        ({"base_url": "127.0.0.1:8000"}, "base_url", "http(s) URL"),
        ({"base_url": "ftp://example.org"}, "base_url", "http(s) URL"),
        ({"base_url": "http://127.0.0.1:99999"}, "base_url", "port"),
        ({"base_url": "http://127.0.0.1:8000/news"}, "base_url", "origin only"),
        ({"lang": "en"}, "lang", "unknown argument"),
    ],
)
def test_bad_arguments_name_the_argument_and_accepted_values(raw, name, hint):
    with pytest.raises(ArgumentError) as error:
        parse_arguments(raw, VIETNAM_VN)
    assert error.value.name == name
    message = str(error.value)
    assert message.startswith(f"invalid argument -a {name}: ")
    assert hint in message and "\n" not in message
