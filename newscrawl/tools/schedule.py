"""Run a spider on Scrapyd periodically (Scrapyd has no scheduler of its own).

    python -m newscrawl.schedule --url URL [--url URL]... --project NAME --spider vietnamvn
                                 (--every 30m | --once) [-a NAME=VALUE]... [-s NAME=VALUE]...
                                 [--report PATH]

On each Scrapyd (``--url`` once per node of a cluster sharing one Redis), a job is started only
when none of the same spider is pending or running there, so slow runs never pile up. Every
Scrapyd answer's JSON status is checked (Scrapyd reports errors with HTTP 200). ``--once`` suits
cron: exit 0 when every node started a job or already runs one, 1 when any node failed.

``--report PATH`` keeps the report page (:mod:`newscrawl.tools.report`) up to date: the
scheduler watches the jobs it started or found running, and rewrites the page each time it sees
one end, from the run history in the jobs' state (``-s NEWSCRAWL_STATE_URI=…`` when given, else
the default state). With ``--once`` (cron), the page is rewritten at each call instead, with the
runs finished until then. A page that cannot be written is logged; scheduling goes on.
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading
import time
from pathlib import Path

from newscrawl.state import StateError
from newscrawl.state.incremental import parse_durations
from newscrawl.tools.scrapyd_api import ScrapydError, call

logger = logging.getLogger("newscrawl.tools.schedule")
STARTED, BUSY = "started", "busy"
# How often, with --report, Scrapyd is asked whether the watched jobs have ended.
REPORT_POLL_SECONDS = 15.0


def _pair(value: str) -> tuple[str, str]:
    name, sep, rest = value.partition("=")
    if not sep or not name.strip():
        raise argparse.ArgumentTypeError(f"{value!r} is not NAME=VALUE")
    return name.strip(), rest


def schedule_once(
    url: str, project: str, spider: str, args: list[tuple[str, str]], settings: list[tuple[str, str]]
) -> tuple[str, str]:
    """Start a job unless one of ``spider`` is pending or running: ``(STARTED|BUSY, job id)``."""
    jobs = call(url, "listjobs.json", query={"project": project})
    for state in ("pending", "running"):
        for job in jobs.get(state, []):
            if job.get("spider") == spider:
                return BUSY, str(job.get("id"))
    form = [("project", project), ("spider", spider), *args]
    form += [("setting", f"{name}={value}") for name, value in settings]
    answer = call(url, "schedule.json", form=form)
    return STARTED, str(answer.get("jobid"))


class JobWatcher:
    """The jobs this scheduler started or found running, per Scrapyd, until they end."""

    def __init__(self, project: str) -> None:
        self.project = project
        self.jobs: dict[str, set[str]] = {}

    def watch(self, url: str, job_id: str) -> None:
        """Watch a job of the Scrapyd at ``url`` until it is neither pending nor running."""
        self.jobs.setdefault(url, set()).add(job_id)

    def ended(self) -> list[tuple[str, str]]:
        """``(url, job id)`` of the watched jobs that are no longer pending or running (finished,
        or cancelled); they are watched no more. A Scrapyd that does not answer keeps its jobs."""
        done: list[tuple[str, str]] = []
        for url, ids in list(self.jobs.items()):
            try:
                jobs = call(url, "listjobs.json", query={"project": self.project})
            except ScrapydError as error:
                logger.warning("%s: cannot tell whether jobs ended: %s", url, error)
                continue
            active = {str(job.get("id")) for state in ("pending", "running") for job in jobs.get(state, [])}
            done += [(url, job_id) for job_id in sorted(ids - active)]
            ids &= active
            if not ids:
                del self.jobs[url]
        return done


class ReportRefresher:
    """Rewrites the report page from the run history of the jobs' state."""

    def __init__(self, path: Path, state_uri: str, spider: str) -> None:
        self.path, self.state_uri, self.spider = path, state_uri, spider

    def refresh(self) -> bool:
        """Write the page now; False (and an error logged) when it cannot be."""
        from newscrawl.tools.report import write_report  # matplotlib only for those who ask

        try:
            count = write_report(self.state_uri, self.path, spider=self.spider)
        except StateError as error:
            logger.error("report %s not refreshed: %s", self.path, error)
            return False
        except OSError as error:
            logger.error("report %s not refreshed: %s", self.path, error.strerror or error)
            return False
        logger.info("report %s refreshed (%d runs)", self.path, count)
        return True


def state_uri_of(settings: list[tuple[str, str]]) -> str:
    """The jobs' ``NEWSCRAWL_STATE_URI`` (the last ``-s`` giving it), or "" for the default state."""
    uris = [value for name, value in settings if name == "NEWSCRAWL_STATE_URI"]
    return uris[-1].strip() if uris else ""


def build_parser() -> argparse.ArgumentParser:
    """The command line of ``python -m newscrawl.schedule``."""
    parser = argparse.ArgumentParser(prog="python -m newscrawl.schedule", description=__doc__.split("\n")[0])
    parser.add_argument(
        "--url", required=True, action="append", help="a Scrapyd's address, e.g. http://127.0.0.1:6800"
    )
    parser.add_argument("--project", required=True)
    parser.add_argument("--spider", required=True)
    when = parser.add_mutually_exclusive_group(required=True)
    when.add_argument("--every", help="interval between attempts, e.g. 30m, 1h")
    when.add_argument("--once", action="store_true", help="one attempt (for cron)")
    parser.add_argument("-a", dest="args", type=_pair, action="append", default=[], help="spider argument")
    parser.add_argument("-s", dest="settings", type=_pair, action="append", default=[], help="setting")
    parser.add_argument(
        "--report", type=Path, help="rewrite this report page (HTML) each time a job is seen to end"
    )
    return parser


def run(options: argparse.Namespace, interval: float, stop: threading.Event) -> int:
    """Schedule every ``interval`` seconds (once with ``options.once``) until ``stop`` is set."""
    report = (
        ReportRefresher(options.report, state_uri_of(options.settings), options.spider)
        if options.report
        else None
    )
    watcher = JobWatcher(options.project)
    if report is not None and not options.once:
        report.refresh()  # the page is there from the start, with the runs so far
    next_round = time.monotonic()
    while True:
        if time.monotonic() >= next_round:
            failed = False
            for url in options.url:
                try:
                    outcome, job = schedule_once(
                        url, options.project, options.spider, options.args, options.settings
                    )
                    logger.info("%s: %s job %s of %s", url, outcome, job, options.spider)
                    watcher.watch(url, job)
                except ScrapydError as error:
                    logger.error("%s: %s", url, error)
                    failed = True
            if options.once:
                if report is not None:
                    report.refresh()
                return 1 if failed else 0
            next_round = time.monotonic() + interval
        if report is not None and watcher.jobs and watcher.ended():
            report.refresh()
        wait = next_round - time.monotonic()
        if report is not None and watcher.jobs:
            wait = min(wait, REPORT_POLL_SECONDS)
        if stop.wait(max(wait, 0.0)):
            return 0


def main(argv: list[str] | None = None) -> int:
    """Command line entry point."""
    parser = build_parser()
    options = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s: %(message)s")
    try:
        interval = parse_durations(options.every)[0] if options.every else 0.0
    except (ValueError, IndexError):
        parser.error(f"--every {options.every!r} is not a duration such as 30m or 1h")
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    return run(options, interval, stop)


if __name__ == "__main__":
    sys.exit(main())
