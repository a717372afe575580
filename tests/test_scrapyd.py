"""Deploying to a real Scrapyd and running scheduled jobs against the mirror."""

from __future__ import annotations

from pathlib import Path

import pytest

from newscrawl.tools import deploy, schedule
from newscrawl.tools.scrapyd_api import ScrapydError, call
from tests.compare import compare, read_jsonl

pytestmark = pytest.mark.slow
PROJECT = "newscrawl"


def job_settings(tmp: Path) -> list[tuple[str, str]]:
    return [
        ("NEWSCRAWL_STATE_URI", str(tmp / "state.sqlite3")),
        ("NEWSCRAWL_OUTPUT_DIR", str(tmp / "corpus")),
        ("AUTOTHROTTLE_ENABLED", "False"),
        ("NEWSCRAWL_RETRY_BACKOFF_BASE", "0.1"),
    ]


def run_job(scrapyd, mirror, tmp: Path) -> str:
    outcome, job_id = schedule.schedule_once(
        scrapyd.url, PROJECT, "vietnamvn", [("base_url", mirror.base_url)], job_settings(tmp)
    )
    assert outcome == schedule.STARTED
    scrapyd.wait_for_job(PROJECT, job_id)
    log = scrapyd.job_log(PROJECT, "vietnamvn", job_id)
    assert "finish_reason': 'finished'" in log, log[-3000:]
    assert "Traceback" not in log, log[-3000:]
    return job_id


def test_deploy_checks_scrapyds_answer(scrapyd, tmp_path):
    assert deploy.main(["--url", scrapyd.url, "--project", PROJECT, "--version", "1"]) == 0
    spiders = call(scrapyd.url, "listspiders.json", query={"project": PROJECT})
    assert spiders["spiders"] == ["vietnamvn"]
    # A rejected upload (not an egg) is an error, not a silent success.
    with pytest.raises(ScrapydError, match="error"):
        call(scrapyd.url, "addversion.json", form=[("project", PROJECT), ("version", "bad")],
             files={"egg": ("x.egg", b"not an egg")})  # fmt: skip
    assert not list(Path(deploy.ROOT).glob("*.egg-info")) and not (Path(deploy.ROOT) / "build").exists()


def test_scheduled_job_crawls_the_mirror(scrapyd, mirror, tmp_path):
    deploy.deploy(scrapyd.url, PROJECT, "2")
    run_job(scrapyd, mirror, tmp_path)
    feeds = list((tmp_path / "corpus" / "vietnamvn").glob("*.jsonl"))
    assert len(feeds) == 1
    result = compare(read_jsonl(feeds[0]), mirror.truth)
    assert result.equal, result.summary()


def test_schedule_never_starts_a_second_job_while_one_runs(scrapyd, mirror, tmp_path):
    deploy.deploy(scrapyd.url, PROJECT, "3")
    settings = job_settings(tmp_path) + [("DOWNLOAD_DELAY", "1")]
    args = [("base_url", mirror.base_url)]
    first = schedule.schedule_once(scrapyd.url, PROJECT, "vietnamvn", args, settings)
    second = schedule.schedule_once(scrapyd.url, PROJECT, "vietnamvn", args, settings)
    assert first[0] == schedule.STARTED and second == (schedule.BUSY, first[1])
    call(scrapyd.url, "cancel.json", form=[("project", PROJECT), ("job", first[1])])
    scrapyd.wait_until_inactive(PROJECT, first[1])


def test_schedule_reports_scrapyd_errors(scrapyd, caplog):
    argv = ["--url", scrapyd.url, "--project", "no-such-project", "--spider", "vietnamvn", "--once"]
    assert schedule.main(argv) == 1
    assert "no-such-project" in caplog.text


def test_schedule_reports_an_unreachable_scrapyd(caplog):
    from tests.scrapyd_service import free_port

    argv = ["--url", f"http://127.0.0.1:{free_port()}", "--project", PROJECT, "--spider", "x", "--once"]
    assert schedule.main(argv) == 1
    assert "cannot reach Scrapyd" in caplog.text
