"""Re-extract archived article pages with today's code: how a fix reaches the corpus's past.

    python -m newscrawl.reextract PATH [PATH ...] --out FILE.jsonl [--since DATE] [--state URI]
                                  [--site package.module:NAME] [-s NAME=VALUE ...] [--progress]

PATH: WARC files or folders of them (``*.warc.gz``, as ``NEWSCRAWL_ARCHIVE`` writes them). Each
archived article page (its latest fetch; a revisit has nothing to read) goes through today's
extraction, loaders and pipelines (validation, deduplication, the state), offline, in a real
Scrapy crawl of :class:`~newscrawl.tools.replay.ReplaySpider`, into ``FILE.jsonl``.

Without ``--state`` the state is a throwaway one: every record comes out ``new``, version 1,
equal field for field to what the crawl emitted with the extraction of the day (``crawled_at``:
when the page was fetched). With ``--state URI`` (the crawl's own state) only articles whose text
changed come out, as ``updated`` with the next version, and the state records them: the next
snapshot holds the fixed text. ``--since DATE`` reads only pages fetched on or after that day
(UTC). Exit status: 0; 2 for bad input (one line); 3 when the health report found the output bad.
"""

from __future__ import annotations

import argparse
import logging
import sys
import tempfile
from collections import Counter
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from scrapy import signals
from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings

from newscrawl import stats as keys
from newscrawl.archive import reader
from newscrawl.archive.latest import (
    ArchiveError,
    Selection,
    checked_files,
    chosen_pages,
    read_pages,
    select_latest,
)
from newscrawl.archive.records import ArchivedPage
from newscrawl.checks import settings_problem
from newscrawl.commands.crawl import EXIT_BAD_ARGUMENT, EXIT_UNHEALTHY
from newscrawl.sites.profile import SiteProfileError, load_profile
from newscrawl.tools.replay import ReplaySpider

_HANDLER = "newscrawl.tools.replay.ArchiveDownloadHandler"


class BadInput(Exception):
    """Input the command cannot read: one line for the user, exit status 2."""


def parse_since(text: str) -> datetime:
    """``YYYY-MM-DD`` (midnight UTC) or an ISO 8601 time (UTC when it names no zone)."""
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)") from None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def setting_pair(text: str) -> tuple[str, str]:
    """``NAME=VALUE`` of ``-s``."""
    name, equals, value = text.partition("=")
    if not equals or not name:
        raise argparse.ArgumentTypeError(f"{text!r} is not NAME=VALUE")
    return name, value


def replay_settings(out: Path, state: str, site: str, overrides: Iterable[tuple[str, str]]) -> Settings:
    """The project's settings, made offline: archive in, ``out`` out, ``state`` as the crawl state."""
    settings = Settings()
    settings.setmodule("newscrawl.settings", priority="project")
    extensions = {**settings.getdict("EXTENSIONS"), "newscrawl.cluster.scheduler.ClusterWorker": None}
    settings.setdict({
        "NEWSCRAWL_SITE": site, "NEWSCRAWL_STATE_URI": state, "LOG_LEVEL": "WARNING",
        # The health report goes beside the output, and nothing else is written (no archive).
        "NEWSCRAWL_OUTPUT_DIR": str(out.resolve().parent),
        "FEEDS": {str(out.resolve()): {"format": "jsonlines", "encoding": "utf-8", "overwrite": True}},
    }, priority="cmdline")  # fmt: skip
    settings.setdict(dict(overrides), priority="cmdline")
    # What no override may change: pages come from the archive and nothing else, no browser is
    # started (rendered pages are archived as drawn), nothing is archived again, and a Redis state
    # is only a state (a replay joins no cluster crawl: Scrapy's own scheduler).
    settings.setdict({
        "DOWNLOAD_HANDLERS": {"http": _HANDLER, "https": _HANDLER},
        "NEWSCRAWL_RENDER": "never", "ROBOTSTXT_OBEY": False, "NEWSCRAWL_SITEMAPS": False,
        "NEWSCRAWL_ARCHIVE": "off", "AUTOTHROTTLE_ENABLED": False, "DOWNLOAD_DELAY": 0,
        # Pages of every origin the archive holds are read; none is fetched.
        "DOWNLOADER_MIDDLEWARES": {
            **settings.getdict("DOWNLOADER_MIDDLEWARES"), "newscrawl.middlewares.SiteOnlyMiddleware": None,
        },
        "SCHEDULER": "scrapy.core.scheduler.Scheduler",
        "DUPEFILTER_CLASS": "scrapy.dupefilters.RFPDupeFilter", "EXTENSIONS": extensions,
    }, priority=50)  # fmt: skip
    return settings


def choose_site(given: str | None, named: set[str]) -> str:
    """``--site``, else the site profile the archive's pages name (one for all)."""
    if given:
        return given
    if len(named) > 1:
        sites = ", ".join(sorted(named))
        raise BadInput(f"the archive holds pages of several sites ({sites}): choose one with --site")
    return named.pop() if named else ""


class Progress:
    """A tqdm bar over the pages replayed (on stderr; off when that is not a terminal, unless asked)."""

    def __init__(self, total: int, forced: bool) -> None:
        from tqdm import tqdm  # only the command line draws one

        shown = forced or sys.stderr.isatty()
        self.bar = tqdm(total=total, unit="page", file=sys.stderr, disable=not shown)

    def response_received(self, **_: Any) -> None:
        """One more archived page read."""
        self.bar.update()

    def close(self) -> None:
        """Finish the bar."""
        self.bar.close()


def select(args: argparse.Namespace) -> tuple[list[Path], Selection, Counter[str]]:
    """The archive files, the page fetches to read from them, and what could not be read (by reason)."""
    files = checked_files(args.paths)
    skips: Counter[str] = Counter()
    selection = select_latest(read_pages(files, args.since, skips))
    # The crawl reads the same files again: what cannot be read was told once, here.
    logging.getLogger(reader.__name__).addFilter(lambda record: False)
    return files, selection, skips


def replay(args: argparse.Namespace, files: list[Path], selection: Selection, site: str) -> dict[str, Any]:
    """Crawl the selected pages with :class:`ReplaySpider` into ``--out``; the crawl's stats."""
    with tempfile.TemporaryDirectory(prefix="newscrawl-reextract-") as scratch:
        state = args.state or str(Path(scratch) / "state.sqlite3")
        settings = replay_settings(args.out, state, site, args.settings)
        problem = settings_problem(settings)
        if problem:
            raise BadInput(problem)

        def pages() -> Iterator[ArchivedPage]:
            return chosen_pages(read_pages(files, args.since), selection)

        progress = Progress(len(selection), args.progress)
        process = CrawlerProcess(settings)
        crawler = process.create_crawler(ReplaySpider)
        crawler.signals.connect(progress.response_received, signal=signals.response_received)
        process.crawl(crawler, pages=pages)
        process.start()
        progress.close()
    return crawler.stats.get_stats() if crawler.stats else {}


def run(args: argparse.Namespace) -> int:
    """Select the pages, replay them, say what came out; raises BadInput or ArchiveError."""
    files, selection, skips = select(args)
    site = choose_site(args.site, selection.sites)
    try:
        if site:
            load_profile(site)
    except SiteProfileError as error:
        raise BadInput(f"invalid site profile: {error}") from None
    stats = replay(args, files, selection, site)
    emitted = sum(v for k, v in stats.items() if k.startswith(keys.STATUS_PREFIX))
    skipped = f"; skipped: {', '.join(f'{n} {why}' for why, n in sorted(skips.items()))}" if skips else ""
    print(f"{args.out}: {emitted} records from {len(selection)} archived article pages "
          f"({len(files)} files{skipped})")  # fmt: skip
    return EXIT_UNHEALTHY if stats.get(keys.HEALTH_FAILED) else 0


def main(argv: list[str] | None = None) -> int:
    """Command line entry point."""
    parser = argparse.ArgumentParser(prog="python -m newscrawl.reextract", description=__doc__.split("\n")[0])
    parser.add_argument("paths", type=Path, nargs="+", metavar="PATH", help="WARC files or folders of them")
    parser.add_argument("--out", type=Path, required=True, help="JSON Lines file to write")
    parser.add_argument("--since", type=parse_since, help="only pages fetched on or after this day (UTC)")
    parser.add_argument("--state", help="the crawl state to compare with (default: a throwaway one)")
    parser.add_argument("--site", help="site profile package.module:NAME (default: the archive's)")
    parser.add_argument("-s", dest="settings", type=setting_pair, action="append", default=[],
                        metavar="NAME=VALUE", help="a Scrapy or newscrawl setting")  # fmt: skip
    parser.add_argument("--progress", action="store_true", help="draw the progress bar even off a terminal")
    args = parser.parse_args(argv)
    try:
        return run(args)
    except (BadInput, ArchiveError) as error:
        print(f"newscrawl: error: {error}", file=sys.stderr)
        return EXIT_BAD_ARGUMENT


if __name__ == "__main__":
    raise SystemExit(main())
