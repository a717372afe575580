"""The report page: HTML from run histories, the command, the scheduler's refresh, a real browser."""

from __future__ import annotations

import dataclasses
import io
import re
import shutil
import sqlite3
import threading
from pathlib import Path
from typing import Any

import lxml.html
import pytest

from newscrawl.state import RunRecord, SqliteStateStore
from newscrawl.tools import report, schedule
from newscrawl.tools.report_charts import crawl_points, downsample, layer_shares, point_of
from tests.report_history import (
    CHROMIUM_ARGS,
    EMPTY_ALARM,
    RENAME_WARNING,
    demo_history,
    long_history,
    record,
    summary,
    write_state,
)

NOW = 1_790_000_000.0  # 2026-09-21 14:13 UTC
CHARTS = 5
# 500 runs measured 191 kB (1 run: 82 kB, 30 runs: 150 kB); charts past 200 crawls average groups.
MAX_BYTES_500_RUNS = 250_000
ALARM = "coverage of body is 41.0%, below 90%"
WARNING = "published_at found by the generic layer on 35% of pages"
EXTERNAL = re.compile(
    r"""(?:src|href|xlink:href|action|poster|data)\s*=\s*["']?\s*(?:https?:)?//|@import|url\(\s*["']?\s*(?:https?:)?//""",
    re.IGNORECASE,
)


def healthy_runs(count: int, end: float = NOW - 7200) -> list[RunRecord]:
    """``count`` healthy runs, 12 hours apart, ending at ``end``."""
    return [
        record(i + 1, end - (count - 1 - i) * 43200, summary(emitted={"vi": 100 + i, "en": 50}))
        for i in range(count)
    ]


def with_alarm(runs: list[RunRecord]) -> list[RunRecord]:
    """``runs`` and a later run that broke a threshold and has a warning."""
    last = runs[-1]
    bad = summary(emitted={"vi": 90, "en": 40}, broken=[ALARM], warnings=[WARNING], coverage={"body": 0.41})
    return [*runs, record(last.run_id + 1, last.started_at + 3600, bad)]


def render(runs: list[RunRecord]) -> str:
    return report.render_report(
        runs, title="Crawl report: vietnamvn", generated_at=NOW, location="/srv/state"
    )


def parse(html: str) -> Any:
    return lxml.html.document_fromstring(html)


def table_rows(html: str) -> list[list[str]]:
    return [[cell.text_content().strip() for cell in row] for row in parse(html).xpath("//table/tbody/tr")]


def assert_self_contained(html: str) -> None:
    assert not EXTERNAL.search(html), EXTERNAL.search(html)
    assert "http://" not in html and "https://" not in html
    document = parse(html)
    assert not document.xpath("//script | //link | //img | //iframe | //object | //embed")
    for element in document.iter():
        for name, value in element.attrib.items():
            if name.endswith("href"):
                assert value.startswith("#"), (name, value)


# --------------------------------------------------------------------------- the page


def test_the_latest_alarms_and_warnings_come_first_and_the_page_is_self_contained():
    runs = with_alarm(healthy_runs(8))
    html = render(runs)
    first_chart = html.index("<svg")
    assert html.index(ALARM) < first_chart and html.index(WARNING) < first_chart
    document = parse(html)
    (alarms,) = document.xpath('//*[@id="status"]//div[contains(@class, "alarm")]')
    assert ALARM in alarms.text_content() and "1 alarm" in alarms.text_content()
    (warnings,) = document.xpath('//*[@id="status"]//div[contains(@class, "warn")]')
    assert WARNING in warnings.text_content()
    assert not document.xpath('//*[@id="status"]//div[contains(@class, "ok")]')
    assert html.count("<svg") == CHARTS and len(document.xpath("//figure/svg")) == CHARTS
    header = document.xpath("//header")[0].text_content()
    assert "vietnamvn" in header and "/srv/state" in header and "9 runs shown" in header
    assert "2026-09-21 14:13 UTC" in header
    assert_self_contained(html)


def test_the_table_lists_the_runs_newest_first():
    runs = with_alarm(healthy_runs(8))
    rows = table_rows(render(runs))
    assert len(rows) == 9
    assert rows[0][0] == "2026-09-21 13:13"  # the run with the alarm
    # started, duration, mode, outcome, exit, articles, new, updated, removed, error rate, pages/s,
    # alarms, warnings
    assert rows[0][2:] == ["incremental", "finished", "3", "130", "130", "0", "0", "0.5%", "1.33", "1", "1"]
    assert rows[1][5] == "157" and rows[-1][5] == "150" and rows[1][-2:] == ["0", "0"]
    assert rows[0][1] == "5 min 00 s"
    document = parse(render(runs))
    assert document.xpath("//table/tbody/tr[1]/@class") == ["bad warned"]


def test_a_healthy_latest_run_says_so_in_green():
    html = render(healthy_runs(3))
    document = parse(html)
    (ok,) = document.xpath('//*[@id="status"]//div[contains(@class, "ok")]')
    assert "Healthy" in ok.text_content()
    assert not document.xpath('//*[@id="status"]//div[contains(@class, "alarm")]')


def test_a_killed_latest_run_is_said_and_the_latest_finished_verdict_shown():
    runs = with_alarm(healthy_runs(4))
    killed = record(99, runs[-1].started_at + 600, None, outcome=None)
    html = render([*runs, killed])
    status = parse(html).xpath('//*[@id="status"]')[0].text_content()
    assert "The latest run has not finished" in status and "still running, or was killed" in status
    assert "Latest finished run" in status and ALARM in status
    assert html.index("has not finished") < html.index(ALARM) < html.index("<svg")
    rows = table_rows(html)
    assert rows[0][3] == "not finished" and rows[0][-2:] == ["—", "—"]
    assert html.count("<svg") == CHARTS


def test_no_runs_make_a_clear_page_without_charts():
    html = report.render_report([], title="Crawl report: vietnamvn", generated_at=NOW, spider="vietnamvn")
    document = parse(html)
    assert "No runs recorded yet" in document.text_content()
    assert "<svg" not in html and not document.xpath("//table")
    assert "0 runs shown" in document.xpath("//header")[0].text_content()
    assert_self_contained(html)


def test_one_run_draws_every_chart_with_its_point():
    html = render(healthy_runs(1))
    assert html.count("<svg") == CHARTS and len(table_rows(html)) == 1
    assert "Healthy" in html
    assert_self_contained(html)


def test_five_hundred_runs_stay_small_and_the_same_runs_give_the_same_page():
    runs = long_history(500, end=NOW - 3600)
    html = render(runs)
    assert len(html.encode()) < MAX_BYTES_500_RUNS, len(html.encode())
    assert html.count("<svg") == CHARTS and len(table_rows(html)) == report.TABLE_ROWS
    assert "each point is the average of 3 consecutive crawls" in html
    assert "450 earlier runs are in the charts only" in html
    assert render(runs) == html  # deterministic: fixed hash salt, no dates in the SVG
    assert_self_contained(html)


def test_older_reports_without_some_sections_and_odd_values_still_render():
    runs = [
        record(1, NOW - 9000, {}),
        record(2, NOW - 8000, {"healthy": False}),
        record(3, NOW - 7000, {"articles": {"emitted": "12"}, "coverage": {"body": None}, "http": []}),
        record(4, NOW - 6000, {"healthy": True, "layers": {"body/selectors": 3, "body": 1}}),
        dataclasses.replace(record(5, NOW - 5000, None), details={}),  # finished without a report
    ]
    html = render(runs)
    assert html.count("<svg") == CHARTS and len(table_rows(html)) == 5
    assert "No health report was recorded" in html
    assert "reported unhealthy (no threshold named)" not in html  # the latest is not run 2
    html = render(runs[:2])
    assert "reported unhealthy (no threshold named)" in html


def test_crawl_points_combine_cluster_workers_and_downsampling_keeps_bad_marks():
    one = record(7, NOW, summary(emitted={"vi": 30}, requests=100, errors=10), worker="a")
    two = record(
        7, NOW + 5, summary(emitted={"vi": 10, "en": 5}, requests=100, errors=0, broken=["x"]), worker="b"
    )
    (point,) = crawl_points([two, one])
    assert point.by_language == {"vi": 40, "en": 5} and point.emitted == 45
    assert point.unhealthy and point.started_at == NOW and point.errors / point.requests == 0.05
    assert layer_shares(point_of(one), "body", ["selectors", "generic"]) == [1.0, 0.0]
    points = crawl_points(long_history(500, end=NOW))
    shown = downsample(points, 200)
    assert len(shown) == 167 and sum(p.runs for p in shown) == 500
    assert sum(p.unhealthy for p in shown) >= 45  # every tenth run is bad: no group of three hides one


# --------------------------------------------------------------------------- the command


def test_the_command_writes_the_report_of_a_real_sqlite_state(tmp_path, capsys):
    state = tmp_path / "state.sqlite3"
    write_state(state, demo_history(end=NOW - 3600))
    store = SqliteStateStore(state)
    store.start_run("vietnamvn", NOW - 600, {"mode": "incremental"})  # still running
    store.close()
    out = tmp_path / "site" / "report.html"
    out.parent.mkdir()
    assert report.main(["--state", str(state), "--out", str(out)]) == 0
    assert "wrote" in capsys.readouterr().err
    html = out.read_text(encoding="utf-8")
    assert "31 runs shown" in html and "The latest run has not finished" in html
    assert html.count("<svg") == CHARTS and len(table_rows(html)) == 31
    assert str(state) in html
    assert RENAME_WARNING in html and EMPTY_ALARM in html  # in the table's hover texts
    assert [p.name for p in out.parent.iterdir()] == ["report.html"]  # no temporary file left
    assert oct(out.stat().st_mode & 0o777) == "0o644"
    # Another spider's history: none yet.
    assert report.main(["--state", str(state), "--out", str(out), "--spider", "other", "--runs", "5"]) == 0
    assert "No runs recorded yet" in out.read_text(encoding="utf-8")


def test_a_missing_or_broken_state_is_one_line_on_stderr_and_exit_2(tmp_path, capsys):
    out = tmp_path / "report.html"
    assert report.main(["--state", str(tmp_path / "none.sqlite3"), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no crawl state at" in err and "Traceback" not in err
    broken = tmp_path / "broken.sqlite3"
    broken.write_bytes(b"this is not a database" * 100)
    assert report.main(["--state", str(broken), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "not a usable SQLite database" in err
    old = tmp_path / "old.sqlite3"
    sqlite3.connect(old).execute("PRAGMA user_version = 1").connection.close()
    assert report.main(["--state", str(old), "--out", str(out)]) == 2
    assert "schema" in capsys.readouterr().err
    assert not out.exists()


def test_an_unwritable_output_is_exit_1(tmp_path, capsys):
    state = tmp_path / "state.sqlite3"
    write_state(state, healthy_runs(2))
    assert report.main(["--state", str(state), "--out", str(tmp_path / "no" / "dir" / "r.html")]) == 1
    assert "cannot write" in capsys.readouterr().err


# --------------------------------------------------------------------------- the scheduler


class FakeScrapyd:
    """Scrapyd's listjobs and schedule answers; a job ends (its run recorded) after a few looks."""

    def __init__(self, state: Path, looks_until_done: int = 3) -> None:
        self.state, self.looks_until_done = state, looks_until_done
        self.running: list[dict[str, str]] = []
        self.finished: list[dict[str, str]] = []
        self.looks = 0
        self.scheduled: list[list[tuple[str, str]]] = []

    def call(self, url: str, endpoint: str, *, query: Any = None, form: Any = None, files: Any = None) -> Any:
        if endpoint == "schedule.json":
            self.scheduled.append(list(form))
            self.running.append({"id": f"job-{len(self.scheduled)}", "spider": "vietnamvn"})
            return {"status": "ok", "jobid": self.running[-1]["id"]}
        assert endpoint == "listjobs.json"
        self.looks += 1
        if self.running and self.looks >= self.looks_until_done:
            write_state(self.state, healthy_runs(1, end=NOW))  # the job's crawl, as its keeper writes it
            self.finished += self.running
            self.running = []
        return {"status": "ok", "pending": [], "running": list(self.running), "finished": list(self.finished)}


def test_the_scheduler_refreshes_the_report_when_a_job_ends(tmp_path, monkeypatch):
    state, page = tmp_path / "jobs" / "state.sqlite3", tmp_path / "report.html"
    state.parent.mkdir()
    fake = FakeScrapyd(state)
    monkeypatch.setattr(schedule, "call", fake.call)
    monkeypatch.setattr(schedule, "REPORT_POLL_SECONDS", 0.01)
    stop = threading.Event()
    refreshes: list[str] = []
    original = schedule.ReportRefresher.refresh

    def refresh(self: schedule.ReportRefresher) -> bool:
        written = original(self)
        refreshes.append(page.read_text(encoding="utf-8") if written else "")
        if len(refreshes) == 2:
            stop.set()
        return written

    monkeypatch.setattr(schedule.ReportRefresher, "refresh", refresh)
    argv = ["--url", "http://127.0.0.1:1", "--project", "p", "--spider", "vietnamvn", "--every", "1h",
            "--report", str(page), "-s", "OTHER=1", "-s", f"NEWSCRAWL_STATE_URI={state}"]  # fmt: skip
    assert schedule.run(schedule.build_parser().parse_args(argv), 3600.0, stop) == 0
    # At the start the state does not exist yet (no page), then the job ends and its run shows.
    assert refreshes[0] == "" and "1 run shown" in refreshes[1] and "Healthy" in refreshes[1]
    assert len(fake.scheduled) == 1 and fake.looks >= 3


def test_once_with_report_schedules_then_writes_the_page(tmp_path, monkeypatch, caplog):
    state, page = tmp_path / "state.sqlite3", tmp_path / "report.html"
    write_state(state, healthy_runs(3))
    fake = FakeScrapyd(state, looks_until_done=100)
    monkeypatch.setattr(schedule, "call", fake.call)
    monkeypatch.setattr(schedule.signal, "signal", lambda *_: None)
    argv = ["--url", "http://127.0.0.1:1", "--project", "p", "--spider", "vietnamvn", "--once",
            "-s", f"NEWSCRAWL_STATE_URI={state}", "--report", str(page)]  # fmt: skip
    assert schedule.main(argv) == 0
    assert "3 runs shown" in page.read_text(encoding="utf-8") and len(fake.scheduled) == 1
    # A report that cannot be written is an error in the log; the scheduling still succeeded.
    argv[argv.index(f"NEWSCRAWL_STATE_URI={state}")] = f"NEWSCRAWL_STATE_URI={tmp_path / 'none.sqlite3'}"
    fake.running = []
    assert schedule.main(argv) == 0
    assert "not refreshed: no crawl state at" in caplog.text


def test_the_report_state_is_the_jobs_state_setting():
    assert schedule.state_uri_of([("A", "1")]) == ""
    assert schedule.state_uri_of([("NEWSCRAWL_STATE_URI", "/a"), ("NEWSCRAWL_STATE_URI", " /b ")]) == "/b"


@pytest.mark.slow
def test_the_scheduler_refreshes_the_report_after_a_real_scrapyd_job(scrapyd, mirror, tmp_path, monkeypatch):
    from newscrawl.tools import deploy

    deploy.deploy(scrapyd.url, "newscrawl", "100")
    state, page = tmp_path / "state.sqlite3", tmp_path / "report.html"
    monkeypatch.setattr(schedule, "REPORT_POLL_SECONDS", 0.5)
    refreshed = threading.Event()
    original = schedule.ReportRefresher.refresh

    def refresh(self: schedule.ReportRefresher) -> bool:
        written = original(self)
        if written and "finished" in page.read_text(encoding="utf-8"):
            refreshed.set()
        return written

    monkeypatch.setattr(schedule.ReportRefresher, "refresh", refresh)
    argv = ["--url", scrapyd.url, "--project", "newscrawl", "--spider", "vietnamvn", "--every", "1h",
            "--report", str(page), "-a", f"base_url={mirror.base_url}",
            "-s", f"NEWSCRAWL_STATE_URI={state}", "-s", f"NEWSCRAWL_OUTPUT_DIR={tmp_path / 'corpus'}",
            "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "NEWSCRAWL_RETRY_BACKOFF_BASE=0.1"]  # fmt: skip
    stop = threading.Event()
    result: list[int] = []
    worker = threading.Thread(
        target=lambda: result.append(schedule.run(schedule.build_parser().parse_args(argv), 3600.0, stop))
    )
    worker.start()
    try:
        assert refreshed.wait(300), "the report was not refreshed after the job ended"
    finally:
        stop.set()
        worker.join(60)
    assert result == [0]
    html = page.read_text(encoding="utf-8")
    rows = table_rows(html)
    assert "1 run shown" in html and len(rows) == 1 and rows[0][3] == "finished"
    # The job's own health report, as the crawl recorded it: articles, HTTP requests, a verdict.
    assert int(rows[0][5].replace(",", "")) > 0 and rows[0][4] in ("0", "3") and rows[0][9].endswith("%")


# --------------------------------------------------------------------------- a real browser


@pytest.mark.slow
def test_the_page_in_headless_chromium_loads_nothing_else_and_draws_its_charts(tmp_path):
    chromium = shutil.which("chromium")
    if chromium is None:
        pytest.skip("chromium is not installed: run scripts/install-chromium (as root)")
    from PIL import Image  # Pillow comes with matplotlib
    from playwright.sync_api import sync_playwright

    state, page_file = tmp_path / "state.sqlite3", tmp_path / "report.html"
    write_state(state, with_alarm(demo_history(end=NOW - 86400)))
    assert report.main(["--state", str(state), "--out", str(page_file)]) == 0
    uri = page_file.resolve().as_uri()
    requests: list[str] = []
    messages: list[str] = []
    errors: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport={"width": 1280, "height": 900})
            context.set_default_timeout(30000)
            page = context.new_page()
            page.on("request", lambda r: requests.append(r.url))
            page.on(
                "console",
                lambda m: messages.append(f"{m.type}: {m.text}") if m.type in ("error", "warning") else None,
            )
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(uri, wait_until="load")
            charts = page.locator("figure svg")
            assert charts.count() == CHARTS
            for i in range(CHARTS):
                box = charts.nth(i).bounding_box()
                assert charts.nth(i).is_visible() and box and box["width"] > 300 and box["height"] > 80, box
            alarm = page.locator("#status .verdict.alarm").bounding_box()
            assert alarm and alarm["y"] + alarm["height"] <= (charts.first.bounding_box() or {"y": 0})["y"]
            assert page.locator("#runs tbody tr").count() == 31
            shot = page.screenshot(full_page=True)
            page.set_content("<html><body></body></html>")
            blank = page.screenshot(full_page=True)
        finally:
            browser.close()
    assert requests == [uri], requests
    assert messages == [] and errors == []
    image = Image.open(io.BytesIO(shot)).convert("RGB")
    assert image.width == 1280 and image.height > 1500
    colours = image.getcolors(maxcolors=1 << 20) or []
    assert len(colours) > 200  # lines, areas, text: far from a blank page
    white = max(count for count, _ in colours)
    assert white < 0.9 * image.width * image.height
    assert len(Image.open(io.BytesIO(blank)).convert("RGB").getcolors(maxcolors=1 << 20) or []) < 5
