"""The settings wiring that depends on other settings, as a Scrapy add-on (``ADDONS``).

- scrapy-playwright's download handlers and browser options, only when a browser may be used
  and exists (:func:`newscrawl.render.playwright_settings`);
- scrapy-redis's scheduler, duplicate filter and the worker extension, plus a per-worker
  default feed, when ``NEWSCRAWL_STATE_URI`` is a Redis URI
  (:func:`newscrawl.cluster.workers.cluster_settings`).

Settings are written at ``spider`` priority: above the project's own ``DOWNLOAD_HANDLERS``,
``EXTENSIONS`` and ``FEEDS`` they extend or replace, below anything given with ``-s``.
"""

from __future__ import annotations

from scrapy.settings import BaseSettings

from newscrawl.cluster.workers import cluster_settings
from newscrawl.render import playwright_settings


class NewscrawlAddon:
    """Applies the rendering and cluster settings the crawl's own settings imply."""

    def update_settings(self, settings: BaseSettings) -> None:
        """Add scrapy-playwright and scrapy-redis where the settings ask for them."""
        for name, value in {**playwright_settings(settings), **cluster_settings(settings)}.items():
            settings.set(name, value, priority="spider")
