"""Start-up checks of the project's settings, so a bad value stops the crawl with one clear line."""

from __future__ import annotations

import tempfile
from pathlib import Path

from scrapy.settings import BaseSettings

from newscrawl.archive.extension import archive_mode
from newscrawl.render import render_mode
from newscrawl.sites.profile import SiteProfileError, load_profile
from newscrawl.state import StateError, open_state
from newscrawl.state.incremental import parse_durations
from newscrawl.state.store import is_redis_uri

_POSITIVE_INTS = (
    "NEWSCRAWL_MAX_LISTING_PAGES", "NEWSCRAWL_KNOWN_PAGES_BEFORE_STOP", "CONCURRENT_REQUESTS",
    "CONCURRENT_REQUESTS_PER_DOMAIN", "CONCURRENT_ITEMS", "PLAYWRIGHT_MAX_CONTEXTS",
    "PLAYWRIGHT_MAX_PAGES_PER_CONTEXT", "NEWSCRAWL_HISTORY_RUNS", "NEWSCRAWL_HEALTH_BASELINE_RUNS",
)  # fmt: skip
_NON_NEGATIVE_INTS = ("RETRY_TIMES", "NEWSCRAWL_HEALTH_MIN_ITEMS", "DOWNLOAD_MAXSIZE")
_NON_NEGATIVE_FLOATS = (
    "NEWSCRAWL_RETRY_BACKOFF_BASE", "NEWSCRAWL_RETRY_BACKOFF_MAX", "DOWNLOAD_DELAY", "DOWNLOAD_TIMEOUT",
    "AUTOTHROTTLE_TARGET_CONCURRENCY", "NEWSCRAWL_HEALTH_MAX_ERROR_RATE", "NEWSCRAWL_IDLE_TIMEOUT",
    "NEWSCRAWL_HEALTH_MAX_LAYER_SHIFT", "NEWSCRAWL_HEALTH_MIN_VOLUME_RATIO",
)  # fmt: skip
_POSITIVE_FLOATS = (
    "NEWSCRAWL_HEARTBEAT_INTERVAL", "NEWSCRAWL_WORKER_TIMEOUT", "NEWSCRAWL_RENDER_STEP_TIMEOUT",
    "NEWSCRAWL_RENDER_PAGE_TIMEOUT", "NEWSCRAWL_RENDER_CLOSE_TIMEOUT", "NEWSCRAWL_ARCHIVE_MAX_MB",
)  # fmt: skip


def settings_problem(settings: BaseSettings) -> str | None:
    """The first problem with newscrawl's settings, as one line naming the setting, or None."""
    site = str(settings.get("NEWSCRAWL_SITE") or "").strip()
    if site:
        try:
            load_profile(site)
        except SiteProfileError as error:
            return f"invalid setting NEWSCRAWL_SITE: {error}"
    for name in _POSITIVE_INTS:
        value = str(settings.get(name)).strip()
        if not value.isdigit() or int(value) < 1:
            return f"invalid setting {name}={value!r}: expected a whole number of at least 1"
    for name in _NON_NEGATIVE_INTS:
        value = str(settings.get(name)).strip()
        if not value.isdigit():
            return f"invalid setting {name}={value!r}: expected a whole number ≥ 0"
    for name in _NON_NEGATIVE_FLOATS:
        try:
            if settings.getfloat(name) < 0:
                raise ValueError
        except ValueError:
            return f"invalid setting {name}={settings.get(name)!r}: expected a number ≥ 0"
    for name in _POSITIVE_FLOATS:
        try:
            if settings.getfloat(name) <= 0:
                raise ValueError
        except ValueError:
            return f"invalid setting {name}={settings.get(name)!r}: expected a number > 0"
    try:
        render_mode(settings)
    except ValueError as error:
        return f"invalid setting NEWSCRAWL_RENDER: {error}"
    try:
        archive = archive_mode(settings)
    except ValueError as error:
        return f"invalid setting NEWSCRAWL_ARCHIVE: {error}"
    for name in ("NEWSCRAWL_RECHECK_AFTER", "NEWSCRAWL_SITEMAP_LASTMOD_MARGIN"):
        try:
            parse_durations(settings.get(name))
        except ValueError as error:
            return f"invalid setting {name}: {error}"
    output = Path(str(settings.get("NEWSCRAWL_OUTPUT_DIR"))).expanduser()
    problem = _unwritable(output)
    if problem:
        return f"invalid setting NEWSCRAWL_OUTPUT_DIR: the folder {output} is not writable ({problem})"
    folder = str(settings.get("NEWSCRAWL_ARCHIVE_DIR") or "").strip()
    if archive != "off" and folder:
        problem = _unwritable(Path(folder).expanduser())
        if problem:
            return f"invalid setting NEWSCRAWL_ARCHIVE_DIR: the folder {folder} is not writable ({problem})"
    uri = settings.get("NEWSCRAWL_STATE_URI")
    if is_redis_uri(uri):
        return _cluster_problem(settings, uri)
    if settings.getbool("NEWSCRAWL_STATE_ENABLED"):
        try:
            open_state(uri).close()
        except StateError as error:
            return f"invalid setting NEWSCRAWL_STATE_URI: {error}"
    return None


def _unwritable(folder: Path) -> str | None:
    """Why files cannot be written in ``folder`` (made if missing), or None."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as error:
        return error.strerror or str(error)
    return None


def _cluster_problem(settings: BaseSettings, uri: str) -> str | None:
    """What stops a distributed crawl on ``uri`` from starting (the server is only pinged:
    opening the store would join the crawl)."""
    if not settings.getbool("NEWSCRAWL_STATE_ENABLED"):
        return "invalid setting NEWSCRAWL_STATE_ENABLED=False: a crawl on Redis keeps its state there"
    interval = settings.getfloat("NEWSCRAWL_HEARTBEAT_INTERVAL")
    if settings.getfloat("NEWSCRAWL_WORKER_TIMEOUT") < 2 * interval:
        return "invalid setting NEWSCRAWL_WORKER_TIMEOUT: must be ≥ 2 × NEWSCRAWL_HEARTBEAT_INTERVAL"
    from newscrawl.state.redis_store import connect  # here: a single-machine crawl needs no Redis client

    try:
        connect(uri).close()
    except StateError as error:
        return f"invalid setting NEWSCRAWL_STATE_URI: {error}"
    return None
