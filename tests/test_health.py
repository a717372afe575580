"""Health thresholds."""

import pytest

from newscrawl.health import evaluate

THRESHOLDS = {
    "coverage": {"body": 0.99, "published_at": 0.95},
    "min_items": 20,
    "max_error_rate": 0.05,
    "max_not_rendered": 0,
}


def report(emitted=100, body=1.0, date=1.0, empty=(), requests=200, errors=0, not_rendered=0):
    return {
        "finish_reason": "finished",
        "articles": {"emitted": emitted},
        "coverage": {"body": body, "published_at": date},
        "listings": {"empty_categories": list(empty)},
        "http": {"requests": requests, "errors": errors},
        "pages": {"not_rendered": not_rendered},
    }


def test_a_good_run_is_healthy():
    assert evaluate(report(), THRESHOLDS) == []


def test_an_incremental_run_with_nothing_new_is_healthy():
    assert evaluate(report(emitted=0, body=None, date=None, requests=70), THRESHOLDS) == []


@pytest.mark.parametrize(
    ("changes", "named"),
    [
        ({"body": 0.9}, "coverage of body is 90.0%, below 99%"),
        ({"date": 0.5}, "coverage of published_at"),
        ({"empty": ["the-thao"]}, "the-thao"),
        ({"errors": 11}, "error rate 5.5% above 5%"),
        ({"not_rendered": 2}, "2 pages needed a browser"),
    ],
)
def test_each_broken_threshold_is_named(changes, named):
    broken = evaluate(report(**changes), THRESHOLDS)
    assert len(broken) == 1 and named in broken[0]


def test_coverage_is_not_judged_on_a_handful_of_articles():
    assert evaluate(report(emitted=3, body=0.33), THRESHOLDS) == []
