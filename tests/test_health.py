"""Health rules: each fires where it should and stays silent where it should not."""

import pytest

from newscrawl.health.rules import Thresholds, judge, layer_shares

THRESHOLDS = Thresholds(coverage={"body": 0.99, "published_at": 0.95}, min_items=20, max_error_rate=0.05,
                        max_not_rendered=0, max_layer_shift=0.20, min_volume_ratio=0.5, baseline_runs=10)
DAY = 86400.0


def report(emitted=100, body=1.0, date=1.0, empty=(), said_empty=(), items=None, requests=200, errors=0,
           not_rendered=0, layers=None, by_language=None, mode="full", started_at=10 * DAY, healthy=True,
           finish_reason="finished"):
    return {
        "finish_reason": finish_reason, "mode": mode, "started_at": started_at, "healthy": healthy,
        "articles": {"emitted": emitted, "by_language": by_language or {"vi": emitted}},
        "coverage": {"body": body, "published_at": date},
        "listings": {"empty_categories": list(empty), "said_empty": list(said_empty),
                     "items": items if items is not None else {"vi/tin-tuc": 40},
                     "examples": {key: f"https://www.vietnam.vn/category/{key}"
                                  for key in [*empty, *said_empty]}},
        "http": {"requests": requests, "errors": errors, "status": {"200": requests - errors, "503": errors}},
        "pages": {"not_rendered": not_rendered},
        "layers": layers if layers is not None else {"body/selectors": emitted,
                                                      "published_at/selectors": emitted},
        "examples": {"missing": {"body": ["https://www.vietnam.vn/a/"]},
                     "layers": {"body/generic": ["https://www.vietnam.vn/b/", "https://www.vietnam.vn/c/"]}},
    }


def history(count=5, **changes):
    return [report(started_at=(i + 1) * DAY, **changes) for i in range(count)]


def test_a_good_run_is_healthy_with_or_without_history():
    assert judge(report(), [], THRESHOLDS) == judge(report(), history(), THRESHOLDS)
    verdict = judge(report(), history(), THRESHOLDS)
    assert verdict.broken == [] and verdict.warnings == []


def test_an_incremental_run_with_nothing_new_stays_healthy():
    nothing = report(emitted=0, body=None, date=None, requests=70, layers={}, by_language={},
                     mode="incremental")
    verdict = judge(nothing, history(), THRESHOLDS)
    assert verdict.broken == [] and verdict.warnings == []


@pytest.mark.parametrize(
    ("changes", "named"),
    [
        ({"body": 0.9}, "coverage of body is 90.0%, below 99% (e.g. https://www.vietnam.vn/a/)"),
        ({"date": 0.5}, "coverage of published_at"),
        ({"empty": ["vi/the-thao"]}, "category the-thao (vi): its first listing page showed no article and "
                                     "does not say it is empty (e.g. https://www.vietnam.vn/category/vi/the-thao)"),
        ({"errors": 11}, "error rate 5.5% above 5% (11 of 200 requests; 503: 11)"),
        ({"not_rendered": 2}, "2 pages needed a browser"),
        ({"finish_reason": "feed_error"}, "the feed could not be written"),
    ],
)
def test_each_broken_threshold_is_named(changes, named):
    broken = judge(report(**changes), history(), THRESHOLDS).broken
    assert len(broken) == 1 and named in broken[0], broken


def test_coverage_is_not_judged_on_a_handful_of_articles():
    assert judge(report(emitted=3, body=0.33), [], THRESHOLDS).broken == []


def test_a_category_that_says_it_is_empty_is_fine_until_it_had_articles():
    # Never had articles: its "No posts yet" is the truth, in every run.
    never = report(said_empty=["en/su-kien"], items={"vi/su-kien": 40})
    assert judge(never, history(items={"vi/su-kien": 40}), THRESHOLDS).broken == []  # other languages
    assert judge(never, [], THRESHOLDS).broken == []
    # Had 12 articles two runs ago: now saying "empty" is a maintenance notice or a broken listing.
    past = [*history(2, items={"vi/tin-tuc": 40}), report(started_at=3 * DAY, items={"en/su-kien": 12}),
            report(started_at=4 * DAY, said_empty=["en/su-kien"])]
    broken = judge(never, past, THRESHOLDS).broken
    assert len(broken) == 1
    assert broken[0].startswith("category su-kien (en): its listing now says it is empty")
    assert "showed 12 articles in the run of 1970-01-04 00:00 UTC" in broken[0]
    assert "https://www.vietnam.vn/category/en/su-kien" in broken[0]


def test_a_template_rename_is_a_warning_naming_field_layers_and_examples():
    renamed = report(layers={"body/generic": 90, "body/selectors": 10, "published_at/selectors": 100})
    verdict = judge(renamed, history(), THRESHOLDS)
    assert verdict.broken == []
    assert len(verdict.warnings) == 1
    warning = verdict.warnings[0]
    assert warning.startswith("body now comes from the generic layer for 90% of pages (usually 0%) and "
                              "from selectors for 10% (usually 100%; median of the last 5 healthy runs)")
    assert "https://www.vietnam.vn/b/, https://www.vietnam.vn/c/" in warning


def test_small_layer_moves_and_unhealthy_baselines_are_not_drift():
    moved = report(layers={"body/generic": 15, "body/selectors": 85, "published_at/selectors": 100})
    assert judge(moved, history(), THRESHOLDS).warnings == []
    # Only unhealthy runs before: nothing to compare with.
    renamed = report(layers={"body/generic": 100, "published_at/selectors": 100})
    assert judge(renamed, history(healthy=False), THRESHOLDS).warnings == []
    # Too few articles this run to judge shares.
    few = report(emitted=5, layers={"body/generic": 5, "published_at/selectors": 5}, mode="incremental")
    assert judge(few, history(), THRESHOLDS).warnings == []


def test_the_baseline_is_the_median_of_the_last_healthy_runs():
    # Three old runs used the generic layer, the last ten used selectors: selectors are normal now.
    old = history(3, layers={"body/generic": 100, "published_at/selectors": 100})
    recent = [report(started_at=(10 + i) * DAY) for i in range(10)]
    assert judge(report(), old + recent, THRESHOLDS).warnings == []


def test_a_full_run_with_far_fewer_articles_in_a_language_is_a_warning():
    usual = history(by_language={"vi": 200, "en": 180})
    dropped = report(emitted=240, by_language={"vi": 200, "en": 40})
    warnings = judge(dropped, usual, THRESHOLDS).warnings
    assert warnings == [
        "a full run emitted 40 articles in en, 22% of the usual 180 (median of the last 5 full runs): "
        "listings, sitemaps or a language switcher may have changed; compare newscrawl/discovery/* with "
        "an earlier run's"]
    # An incremental run emits what is new, however little; a run cut short is not a full run.
    incremental = report(emitted=3, by_language={"vi": 3}, mode="incremental")
    assert judge(incremental, usual, THRESHOLDS).warnings == []
    assert judge(report(emitted=240, by_language={"vi": 200, "en": 40}, finish_reason="shutdown"), usual,
                 THRESHOLDS).warnings == []
    assert judge(dropped, [], THRESHOLDS).warnings == []


def test_layer_shares_are_per_field():
    shares = layer_shares({"layers": {"body/selectors": 3, "body/generic": 1, "title/structured": 2}})
    assert shares == {"body": {"selectors": 0.75, "generic": 0.25}, "title": {"structured": 1.0}}
