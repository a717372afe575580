"""The WARC archive of what the crawl fetched (``NEWSCRAWL_ARCHIVE``): records.py is the format,
writer.py the files, extension.py the Scrapy wiring, reader.py reads the pages back."""

from newscrawl.archive.reader import iter_pages
from newscrawl.archive.records import ArchivedPage

__all__ = ["ArchivedPage", "iter_pages"]
