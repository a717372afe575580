"""Run a spider on Scrapyd periodically (Scrapyd has no scheduler of its own).

    python -m newscrawl.schedule --url URL [--url URL]... --project NAME --spider vietnamvn
                                 (--every 30m | --once) [-a NAME=VALUE]... [-s NAME=VALUE]...

On each Scrapyd (``--url`` once per node of a cluster sharing one Redis), a job is started only
when none of the same spider is pending or running there, so slow runs never pile up. Every
Scrapyd answer's JSON status is checked (Scrapyd reports errors with HTTP 200). ``--once`` suits
cron: exit 0 when every node started a job or already runs one, 1 when any node failed.
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading

from newscrawl.state.incremental import parse_durations
from newscrawl.tools.scrapyd_api import ScrapydError, call

logger = logging.getLogger("newscrawl.tools.schedule")
STARTED, BUSY = "started", "busy"


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


def main(argv: list[str] | None = None) -> int:
    """Command line entry point."""
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
    options = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s: %(message)s")
    try:
        interval = parse_durations(options.every)[0] if options.every else 0.0
    except (ValueError, IndexError):
        parser.error(f"--every {options.every!r} is not a duration such as 30m or 1h")
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    while True:
        failed = False
        for url in options.url:
            try:
                outcome, job = schedule_once(
                    url, options.project, options.spider, options.args, options.settings
                )
                logger.info("%s: %s job %s of %s", url, outcome, job, options.spider)
            except ScrapydError as error:
                logger.error("%s: %s", url, error)
                failed = True
        if options.once:
            return 1 if failed else 0
        if stop.wait(interval):
            return 0


if __name__ == "__main__":
    sys.exit(main())
