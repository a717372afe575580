"""``scrapy crawl`` with spider arguments and settings checked before anything starts.

Scrapy turns an exception raised while building a spider into a logged traceback;
users (and cron) should instead get one line naming the bad argument and a non-zero exit.
The check runs while options are parsed, before Scrapy sets up logging and the engine.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, NoReturn

from scrapy.commands.crawl import Command as ScrapyCrawlCommand
from scrapy.spiderloader import get_spider_loader

from newscrawl.arguments import ArgumentError, parse_arguments
from newscrawl.checks import settings_problem
from newscrawl.sites.profile import SiteProfileError, crawl_site
from newscrawl.stats import HEALTH_FAILED

if TYPE_CHECKING:
    import argparse

EXIT_BAD_ARGUMENT = 2
EXIT_UNHEALTHY = 3


class Command(ScrapyCrawlCommand):
    """Validate ``-a`` arguments of newscrawl spiders, then crawl as Scrapy does."""

    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
        """Exit with status 2 and one error line when an argument or setting is invalid."""
        super().process_options(args, opts)
        spider_cls = self._validating_spider(args[0]) if args else None
        if spider_cls is None:
            return
        assert self.settings is not None
        try:
            site = crawl_site(self.settings, getattr(spider_cls, "site", None))
        except SiteProfileError as error:
            self._fail(f"invalid setting NEWSCRAWL_SITE: {error}")
        try:
            parse_arguments(opts.spargs, site)
        except ArgumentError as error:
            self._fail(str(error))
        problem = settings_problem(self.settings)
        if problem:
            self._fail(problem)

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        """Crawl as Scrapy does; exit with status 3 when the health report found the output bad."""
        if len(args) != 1:
            super().run(args, opts)
            return
        assert self.crawler_process
        crawler = self._create_crawler(args[0])
        self.crawler_process.crawl(crawler, **opts.spargs)
        self.crawler_process.start()
        if self.crawler_process.bootstrap_failed:
            self.exitcode = 1
        elif crawler.stats.get_value(HEALTH_FAILED):
            self.exitcode = EXIT_UNHEALTHY

    @staticmethod
    def _fail(message: str) -> NoReturn:
        print(f"newscrawl: error: {message}", file=sys.stderr)
        sys.exit(EXIT_BAD_ARGUMENT)

    def _validating_spider(self, spider_name: str) -> type | None:
        """The spider class, if it is one of ours that validates its arguments."""
        assert self.settings is not None
        try:
            spider_cls = get_spider_loader(self.settings).load(spider_name)
        except KeyError:
            return None  # Scrapy reports the unknown spider itself
        return spider_cls if getattr(spider_cls, "validates_arguments", False) else None
