"""Every crawl stats key newscrawl writes or reads, in one place.

Writers (spider, pipelines, middlewares, state keeper, cluster) and readers (health report,
tests, benchmarks) use these names rather than string literals, so renaming a counter cannot
silently turn a health check off. Keys with a variable part are built by small functions;
their fixed beginning is the matching ``*_PREFIX`` constant, which readers use to collect
them. The README's "Reading the end-of-crawl stats" table describes them for users.
"""

from __future__ import annotations

ROOT = "newscrawl/"


def _key(*parts: str) -> str:
    return ROOT + "/".join(parts)


# --- records emitted -----------------------------------------------------------------------
ARTICLES_PREFIX = _key("articles", "")  # records emitted per language
SECTIONS_PREFIX = _key("sections", "")  # records emitted per category slug
STATUS_PREFIX = _key("status", "")  # records emitted by status: new, updated, removed
UNCHANGED = _key("unchanged")  # re-checked articles whose text had not changed


def articles(lang: str) -> str:
    """Records emitted in ``lang``."""
    return ARTICLES_PREFIX + lang


def section(slug: str) -> str:
    """Records emitted under category ``slug``."""
    return SECTIONS_PREFIX + slug


def status(name: str) -> str:
    """Records emitted with status ``name`` (``new``, ``updated``, ``removed``)."""
    return STATUS_PREFIX + name


# --- what was not emitted -------------------------------------------------------------------
DROPPED_PREFIX = _key("dropped", "")  # pipeline drops by reason
SKIPPED_PREFIX = _key("skipped", "")  # pages not turned into records, by reason
SKIPPED_NOT_ARTICLE = _key("skipped", "not_article")
SKIPPED_NOT_HTML = _key("skipped", "not_html")
SKIPPED_OLDER_THAN_SINCE = _key("skipped", "older_than_since")
SKIPPED_OTHER_SECTION = _key("skipped", "other_section")


def skipped(reason: str) -> str:
    """Pages not turned into records for ``reason`` (the ``SKIPPED_*`` keys are its values)."""
    return SKIPPED_PREFIX + reason


def dropped(reason: str) -> str:
    """Records dropped by a pipeline for ``reason`` (``no_title``, ``duplicate_url``…)."""
    return DROPPED_PREFIX + reason


# --- listings and navigation ---------------------------------------------------------------
LISTING_PAGES = _key("listing_pages")  # category listing pages read
# Per listing, <lang>/<category slug>:
LISTING_EMPTY_PREFIX = _key("listing_empty", "")  # first page showed no article, said nothing
LISTING_SAYS_EMPTY_PREFIX = _key("listing_says_empty", "")  # …and said so ("No posts yet")
LISTING_ITEMS_PREFIX = _key("listing_items", "")  # article links found on its pages
LISTING_EXAMPLE_PREFIX = _key("listing_example", "")  # its first page, when that showed nothing
DISCOVERED_LANGUAGES = _key("discovered", "languages")
DISCOVERED_CATEGORIES = _key("discovered", "categories")


def listing_empty(listing: str) -> str:
    """The first page of ``listing`` (``<lang>/<category slug>``) showed no article link and did
    not say it has none."""
    return LISTING_EMPTY_PREFIX + listing


def listing_says_empty(listing: str) -> str:
    """The first page of ``listing`` (``<lang>/<slug>``) says it has no articles (the site's message)."""
    return LISTING_SAYS_EMPTY_PREFIX + listing


def listing_items(listing: str) -> str:
    """Article links found on the pages of ``listing`` (``<lang>/<slug>``)."""
    return LISTING_ITEMS_PREFIX + listing


def listing_example(listing: str) -> str:
    """The URL of the first page of ``listing`` (``<lang>/<slug>``) when it showed nothing."""
    return LISTING_EXAMPLE_PREFIX + listing


# --- discovery paths (set at the end of the crawl) -----------------------------------------
DISCOVERY_PREFIX = _key("discovery", "")


def discovery(path: str) -> str:
    """Article URLs found by discovery ``path`` (``listing``, ``sitemap``, ``feed``, ``link``, ``state``)."""
    return DISCOVERY_PREFIX + path


def discovery_only(path: str) -> str:
    """Article URLs that only discovery ``path`` found."""
    return DISCOVERY_PREFIX + f"only_{path}"


# --- incremental runs ----------------------------------------------------------------------
SKIPPED_KNOWN = _key("incremental", "skipped_known")  # known articles not fetched
NOT_MODIFIED = _key("incremental", "not_modified")  # article re-checks answered 304
LISTINGS_STOPPED_EARLY = _key("incremental", "listings_stopped_early")


def fetch_reason(verdict: str) -> str:
    """A known article fetched again: ``recheck`` (schedule) or ``changed`` (sitemap lastmod)."""
    return _key("incremental", f"fetch_{verdict}")


# --- sitemaps and feeds --------------------------------------------------------------------
SITEMAPS_READ = _key("sitemaps", "read")
SITEMAPS_UNCHANGED = _key("sitemaps", "unchanged")  # not fetched: lastmod older than the last run
SITEMAPS_NOT_MODIFIED = _key("sitemaps", "not_modified")  # sitemaps and feeds answered 304
FEEDS_READ = _key("feeds", "read")

# --- extraction ----------------------------------------------------------------------------
FIELD_PREFIX = _key("field", "")


def field_layer(field: str, layer: str) -> str:
    """Extraction ``layer`` produced ``field``."""
    return FIELD_PREFIX + f"{field}/{layer}"


def embedded_skipped(reason: str) -> str:
    """Embedded data left out for ``reason`` (``bad_json``, ``bad_flight_row``…)."""
    return _key("embedded", "skipped", reason)


# --- HTTP ----------------------------------------------------------------------------------
def http_failed(reason: str) -> str:
    """Requests given up for good, by exception name."""
    return _key("http", "failed", reason)


def http_status(code: int) -> str:
    """Article pages answered with ``code`` (404, 410: the article is gone)."""
    return _key("http", str(code))


OFFSITE_REMAPPED = _key("offsite", "remapped")  # alias-host requests sent to the crawl origin
OFFSITE_BLOCKED = _key("offsite", "blocked")  # off-site targets refused
OFFSITE_SCHEME = _key("offsite", "scheme")  # non-http(s) targets refused

# --- politeness ---------------------------------------------------------------------------
CRAWL_DELAY = _key("robots", "crawl_delay")  # seconds robots.txt asks between requests (obeyed)

# --- browser rendering ---------------------------------------------------------------------
NOT_RENDERED = _key("render", "not_rendered")  # pages that needed a browser and had none
RENDER_ABORTED = _key("render", "aborted")  # browser pages closed for time or for shutdown


def rendered(kind: str) -> str:
    """Pages sent through the browser: ``listing``, ``article``, ``article_fields``."""
    return _key("render", kind)


def render_failed(kind: str) -> str:
    """Pages of ``kind`` the browser failed on, read again without it."""
    return _key("render", "failed", kind)


def not_rendered(kind: str) -> str:
    """Pages of ``kind`` that needed a browser and had none."""
    return _key("render", "not_rendered", kind)


# --- feeds, state and health ---------------------------------------------------------------
FEED_FAILED = _key("feed_failed")  # 1 when a feed could not be written
RECOVERED_FEEDS = _key("recovered", "feeds")  # partial feeds of killed runs finished
RECOVERED_RECORDS = _key("recovered", "records")
HEALTH_FAILED = _key("health", "failed")  # thresholds broken
HEALTH_WARNINGS = _key("health", "warnings")  # warnings given

# --- archive (newscrawl.archive) ------------------------------------------------------------
ARCHIVE_PAGES = _key("archive", "pages")  # responses archived (each is 3 or 4 WARC records)
ARCHIVE_RECORDS = _key("archive", "records")  # WARC records written (warcinfo records aside)
ARCHIVE_BYTES = _key("archive", "bytes")  # bytes written, gzipped
ARCHIVE_FILES = _key("archive", "files")  # files this run opened
ARCHIVE_RECOVERED_FILES = _key("archive", "recovered_files")  # killed runs' .part files finished
ARCHIVE_TORN_RECORDS = _key("archive", "torn_records")  # torn last records they dropped
ARCHIVE_FAILED = _key("archive", "failed")  # 1 when the archive could not be written

# --- distributed crawling ------------------------------------------------------------------
CLUSTER_CRAWL = _key("cluster", "crawl")  # id of the cluster-wide crawl this worker joined
CLUSTER_WORKER = _key("cluster", "worker")
CLUSTER_WAKE_UPS = _key("cluster", "wake_ups")
CLUSTER_WAITS = _key("cluster", "waits")
