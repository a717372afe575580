"""``scrapy crawl`` with spider arguments checked before the engine starts.

Scrapy turns an exception raised while building a spider into a logged traceback;
users (and cron) should instead get one line naming the bad argument and a non-zero exit.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from scrapy.commands.crawl import Command as ScrapyCrawlCommand

from newscrawl.arguments import ArgumentError, parse_arguments

if TYPE_CHECKING:
    import argparse

EXIT_BAD_ARGUMENT = 2


class Command(ScrapyCrawlCommand):
    """Validate ``-a`` arguments of newscrawl spiders, then crawl as Scrapy does."""

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        """Exit with status 2 and one error line when an argument is invalid."""
        if args and self._validates_arguments(args[0]):
            try:
                parse_arguments(opts.spargs)
            except ArgumentError as error:
                print(f"newscrawl: error: {error}", file=sys.stderr)
                self.exitcode = EXIT_BAD_ARGUMENT
                return
        super().run(args, opts)

    def _validates_arguments(self, spider_name: str) -> bool:
        assert self.crawler_process
        try:
            spider_cls = self.crawler_process.spider_loader.load(spider_name)
        except KeyError:
            return False  # Scrapy reports the unknown spider itself
        return getattr(spider_cls, "validates_arguments", False)
