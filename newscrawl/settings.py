"""Every newscrawl default in one place. Override any of them with ``-s NAME=VALUE``.

Scrapy's own settings are set here only where newscrawl needs something other than
Scrapy's default; the ``NEWSCRAWL_*`` settings are the project's own.
"""

BOT_NAME = "newscrawl"
SPIDER_MODULES = ["newscrawl.spiders"]
NEWSPIDER_MODULE = "newscrawl.spiders"
# Our `crawl` command validates spider arguments before the engine starts (one-line errors).
COMMANDS_MODULE = "newscrawl.commands"

# --- politeness towards the real site ---------------------------------------------------
USER_AGENT = "newscrawl/0.1 (research news corpus crawler; Scrapy)"
ROBOTSTXT_OBEY = True
# robots.txt's Crawl-delay, when it has one, is the least time between two requests to the site
# (newscrawl.politeness); False ignores it. Only applies while ROBOTSTXT_OBEY is on.
NEWSCRAWL_OBEY_CRAWL_DELAY = True
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 2.0
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 8
# Scrapy starts this many asyncio tasks for every response's callback output; our pipelines
# are synchronous, so the default 100 only costs task creation (8 % of a crawl's CPU, profiled).
CONCURRENT_ITEMS = 8
DOWNLOAD_TIMEOUT = 30
# Article pages are tens of KB; anything near this is not an article.
DOWNLOAD_MAXSIZE = 10 * 1024 * 1024
DOWNLOAD_WARNSIZE = 2 * 1024 * 1024

# --- retries with exponential backoff (429 and 5xx honour Retry-After) ------------------
RETRY_ENABLED = True
RETRY_TIMES = 3
RETRY_HTTP_CODES = [429, 500, 502, 503, 504, 522, 524, 408]
DOWNLOADER_MIDDLEWARES = {
    # First of all: nothing but the crawl origin is fetched, redirects included.
    "newscrawl.middlewares.SiteOnlyMiddleware": 50,
    # If-None-Match / If-Modified-Since from the validators the spider put in request.meta.
    "newscrawl.middlewares.ConditionalRequestMiddleware": 60,
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "newscrawl.middlewares.BackoffRetryMiddleware": 550,
    # NEWSCRAWL_ARCHIVE (off by default): the final response, decoded, after redirects and retries;
    # the Content-Encoding noted before HttpCompressionMiddleware (590) removes it.
    "newscrawl.archive.extension.ArchiveMiddleware": 540,
    "newscrawl.archive.extension.ContentCodingNote": 595,
}
NEWSCRAWL_RETRY_BACKOFF_BASE = 1.0  # seconds before the first retry; doubles each time
NEWSCRAWL_RETRY_BACKOFF_MAX = 60.0  # cap, also for Retry-After

# --- settings that depend on others: browser rendering, distributed crawling ---------------
# newscrawl.addon wires in scrapy-playwright when a browser may be used and exists, and
# scrapy-redis when NEWSCRAWL_STATE_URI is a Redis URI.
ADDONS = {"newscrawl.addon.NewscrawlAddon": 0}

# --- no code-executing extensions --------------------------------------------------------
# Scrapy 2.19 starts a RemoteControl HTTP server that runs posted code, and a telnet console.
REMOTE_CONTROL_ENABLED = False
TELNETCONSOLE_ENABLED = False
EXTENSIONS = {
    "scrapy.extensions.remote_control.RemoteControl": None,
    "scrapy.extensions.telnet.TelnetConsole": None,
    # Before the state keeper: the health report reads the run history and hands the keeper this
    # run's report before the keeper closes the state (both at spider_closed, in this order).
    "newscrawl.health.HealthReport": 50,
    # After Scrapy's FeedExporter (0): commits state only once the feed holds the item.
    "newscrawl.state.keeper.StateKeeper": 100,
    "newscrawl.politeness.CrawlDelay": 300,
    # A redis:// NEWSCRAWL_STATE_URI adds newscrawl.cluster.scheduler.ClusterWorker (see cluster/workers.py).
}

# --- items and output ----------------------------------------------------------------------
ITEM_PIPELINES = {
    "newscrawl.pipelines.ValidatePipeline": 100,
    "newscrawl.pipelines.DeduplicatePipeline": 200,
    "newscrawl.pipelines.StatePipeline": 300,
}
# One JSON Lines file per run; orjson serves every JSON Lines format name (also `-O x.jsonl`).
# A feed is written as `<name>.part` and renamed when complete (newscrawl.feedfiles).
# %(output_dir)s is NEWSCRAWL_OUTPUT_DIR made absolute, %(worker)s the worker id (FEED_URI_PARAMS);
# %(batch_time)s is the start time with microseconds, so two runs never share a feed name.
NEWSCRAWL_OUTPUT_DIR = "output"
FEEDS = {
    "%(output_dir)s/%(name)s/%(batch_time)s.jsonl": {"format": "jsonlines", "encoding": "utf-8"},
}
FEED_URI_PARAMS = "newscrawl.feedfiles.feed_uri_params"
FEED_STORAGES = {
    "": "newscrawl.feedfiles.AtomicFileFeedStorage",
    "file": "newscrawl.feedfiles.AtomicFileFeedStorage",
}
FEED_EXPORTERS = {
    "jsonlines": "newscrawl.exporters.OrjsonLinesExporter",
    "jsonl": "newscrawl.exporters.OrjsonLinesExporter",
    "jl": "newscrawl.exporters.OrjsonLinesExporter",
}
FEED_EXPORT_ENCODING = "utf-8"

LOG_LEVEL = "INFO"

# --- newscrawl ---------------------------------------------------------------------------
# The site to crawl: the import path "package.module:NAME" of a newscrawl.sites.profile.SiteProfile
# (hosts, URL grammar, selectors, labels, time zone). Empty: the spider's own (vietnam.vn's).
NEWSCRAWL_SITE = ""
# Listing items per page are few; a category deeper than this is a pagination loop.
NEWSCRAWL_MAX_LISTING_PAGES = 5000
# Read robots.txt's sitemaps (day sitemaps, news sitemap) and each language's RSS feed too.
NEWSCRAWL_SITEMAPS = True

# --- archive of what was fetched (newscrawl.archive): WARC/1.1, one gzip member per record -----
# off | articles: every response to an article request (any status: 200, 304 as a revisit record,
# 404, 410) | all: also homes, listings, sitemaps, feeds, robots.txt (every HTML, XML, JSON response).
# Each page gets request, response (decoded body), metadata (categories found under, base_url…)
# and, when rendered, conversion (the DOM) records; its records are flushed before the spider
# sees the page, so an article is never recorded as done without them.
NEWSCRAWL_ARCHIVE = "off"
# Folder of the archive files; empty: <NEWSCRAWL_OUTPUT_DIR>/<spider>/archive/. Files are named
# like the feed, <start time>[-<worker>]-00001.warc.gz, and end in .part while written.
NEWSCRAWL_ARCHIVE_DIR = ""
# A file is finished and the next one begun once it passes this many megabytes.
NEWSCRAWL_ARCHIVE_MAX_MB = 1000

# --- crawl state and incremental runs ------------------------------------------------------
# Where state lives: a SQLite file path; empty means $XDG_STATE_HOME/newscrawl/state.sqlite3
# (~/.local/state/...), shared by `scrapy crawl` and Scrapyd jobs of the same user.
NEWSCRAWL_STATE_URI = ""
NEWSCRAWL_STATE_ENABLED = True
# Known articles are fetched again (conditionally) when one of these times after publication
# has passed since their last fetch, or when a sitemap's lastmod is newer than that fetch.
NEWSCRAWL_RECHECK_AFTER = "1h,1d,7d,30d"
# A sitemap whose lastmod is up to this much older than the last run's start is read again
# (conditionally): the site's clock and ours may disagree.
NEWSCRAWL_SITEMAP_LASTMOD_MARGIN = "1d"
# An incremental run stops paginating a category after this many pages of known articles.
NEWSCRAWL_KNOWN_PAGES_BEFORE_STOP = 1

# --- distributed crawling (newscrawl.cluster.scheduler): NEWSCRAWL_STATE_URI=redis://HOST:PORT/DB -------
# Workers started with the same Redis URI join one crawl: scrapy-redis's scheduler and duplicate
# filter (always persistent, keys per crawl), the state in Redis, one feed per worker named
# <start time>-<worker id>.jsonl. Fold the feeds of all workers with `python -m newscrawl.snapshot`.
# A URI without a password takes the environment variable NEWSCRAWL_REDIS_PASSWORD (kept out of
# command lines and Scrapyd's log).
# This worker's name in feeds and in Redis; empty: <host name>-<process id>.
NEWSCRAWL_WORKER_ID = ""
# Seconds between heartbeats; a worker silent for NEWSCRAWL_WORKER_TIMEOUT seconds counts as dead
# (its in-flight pages are left to the next incremental run).
NEWSCRAWL_HEARTBEAT_INTERVAL = 2.0
NEWSCRAWL_WORKER_TIMEOUT = 30.0
# An idle worker closes once the shared queue is empty and no live peer has been busy this long.
NEWSCRAWL_IDLE_TIMEOUT = 10.0

# --- health report (newscrawl.health) ---------------------------------------------------------
# Written beside the feed at the end of every crawl. Breaking a threshold logs an ERROR and
# makes `scrapy crawl` exit with status 3.
NEWSCRAWL_HEALTH_ENABLED = True
# Least share of emitted articles that must have each field.
NEWSCRAWL_HEALTH_MIN_COVERAGE = {"title": 0.99, "body": 0.99, "published_at": 0.95}
# Coverage is judged only when a run emitted at least this many articles.
NEWSCRAWL_HEALTH_MIN_ITEMS = 20
# Most share of requests ending in a network error, 429 or 5xx (after retries).
NEWSCRAWL_HEALTH_MAX_ERROR_RATE = 0.05
# Pages that needed a browser but could not be rendered.
NEWSCRAWL_HEALTH_MAX_NOT_RENDERED = 0
# Warnings (logged; the exit status is unchanged), against the median of the last
# NEWSCRAWL_HEALTH_BASELINE_RUNS healthy runs: a field whose share from one extraction layer moved
# by more than this many points (the site's markup changed), and a full run that emitted less
# than this share of the usual articles in a language.
NEWSCRAWL_HEALTH_MAX_LAYER_SHIFT = 20
NEWSCRAWL_HEALTH_MIN_VOLUME_RATIO = 0.5
NEWSCRAWL_HEALTH_BASELINE_RUNS = 10
# Runs kept in the crawl state's run history (the report page draws them).
NEWSCRAWL_HISTORY_RUNS = 500

# --- browser rendering (newscrawl.render, scrapy-playwright) ---------------------------------
# auto: a listing without article links, or an article without a body from any static layer,
# is fetched once more through Chromium when it carries scripts; never: no browser; always.
NEWSCRAWL_RENDER = "auto"
# Browser to launch; empty: /usr/bin/chromium (Debian), else Playwright's own.
NEWSCRAWL_CHROMIUM = ""
# "Load more" clicks per rendered listing page, at most.
NEWSCRAWL_RENDER_MAX_CLICKS = 50
# Seconds each browser step may take (a script evaluation, a wait for the network, a "load
# more" round), and a whole page; a page past its time is closed and read without the browser.
NEWSCRAWL_RENDER_STEP_TIMEOUT = 10.0
NEWSCRAWL_RENDER_PAGE_TIMEOUT = 120.0
# Seconds a rendering crawl takes to close after SIGINT or Scrapyd's cancel, at most: pages in
# the browser get half of it to finish, closing the browser a quarter.
NEWSCRAWL_RENDER_CLOSE_TIMEOUT = 30.0
PLAYWRIGHT_MAX_CONTEXTS = 2
PLAYWRIGHT_MAX_PAGES_PER_CONTEXT = 4
PLAYWRIGHT_DEFAULT_NAVIGATION_TIMEOUT = 30_000  # ms
