"""The spider's command-line arguments (``-a NAME=VALUE``), declared and validated in one place.

Bad input raises :class:`ArgumentError` with one line naming the argument and what it
accepts; the ``crawl`` command prints it and exits non-zero before the engine starts. What the
site accepts (its languages, the shape of its category slugs, its origin) comes from the
:class:`~newscrawl.sites.profile.SiteProfile` the crawl uses.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from urllib.parse import urlsplit

from newscrawl.sites.profile import SiteProfile

MODES = ("incremental", "full")


class ArgumentError(ValueError):
    """A spider argument has a value the crawl cannot use."""

    def __init__(self, name: str, message: str) -> None:
        super().__init__(f"invalid argument -a {name}: {message}")
        self.name = name


@dataclass(frozen=True)
class CrawlArguments:
    """Validated spider arguments (see the README's argument table)."""

    base_url: str  # the crawl origin: the site's canonical origin unless given
    langs: tuple[str, ...] | None = None  # None: every language the site offers
    sections: frozenset[str] | None = None  # None: every category found
    since: date | None = None
    max_pages: int | None = None
    mode: str = "incremental"
    extra: dict[str, str] = field(default_factory=dict)
    site_langs: tuple[str, ...] = ()  # the site's languages: what ``langs=all`` means

    def wants_lang(self, lang: str) -> bool:
        """True when articles in ``lang`` are to be crawled."""
        return lang in self.langs if self.langs is not None else lang in self.site_langs

    def wants_section(self, slug: str) -> bool:
        """True when the category ``slug`` is to be walked."""
        return self.sections is None or slug in self.sections


def _split(value: str) -> list[str]:
    return [part.strip().lower() for part in value.split(",") if part.strip()]


def _base_url(value: str, site: SiteProfile) -> str:
    parts = urlsplit(value.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ArgumentError("base_url", f"{value!r} is not an http(s) URL such as http://127.0.0.1:8000")
    try:
        parts.port  # noqa: B018 - raises on a malformed port
    except ValueError:
        raise ArgumentError("base_url", f"{value!r} has an invalid port") from None
    if parts.path.strip("/") or parts.query or parts.fragment:
        raise ArgumentError("base_url", f"{value!r} must be an origin only (scheme://host[:port])")
    return f"{parts.scheme}://{parts.netloc}"


def _langs(value: str, site: SiteProfile) -> tuple[str, ...] | None:
    codes = _split(value)
    if not codes:
        example = ",".join(site.languages[:3])
        raise ArgumentError("langs", f"empty; use 'all' or a comma list such as {example}")
    if codes == ["all"]:
        return None
    unknown = [c for c in codes if c not in site.languages]
    if unknown:
        raise ArgumentError(
            "langs", f"unknown language {', '.join(unknown)}; accepted: all, {', '.join(site.languages)}"
        )
    return tuple(dict.fromkeys(codes))


def _sections(value: str, site: SiteProfile) -> frozenset[str]:
    slugs = _split(value)
    bad = [s for s in slugs if not site.urls.category_slug.match(s)]
    if not slugs or bad:
        raise ArgumentError(
            "sections", f"{value!r} is not a comma list of category slugs such as the-thao,di-san"
        )
    return frozenset(slugs)


def _since(value: str, site: SiteProfile) -> date:
    try:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
            raise ValueError
        return date.fromisoformat(value.strip())
    except ValueError:
        raise ArgumentError("since", f"{value!r} is not a date in the form YYYY-MM-DD") from None


def _max_pages(value: str, site: SiteProfile) -> int:
    if not value.strip().isdigit() or int(value) < 1:
        raise ArgumentError("max_pages", f"{value!r} is not a whole number of at least 1")
    return int(value)


def _mode(value: str, site: SiteProfile) -> str:
    mode = value.strip().lower()
    if mode not in MODES:
        raise ArgumentError("mode", f"{value!r} is not one of {', '.join(MODES)}")
    return mode


_PARSERS = {
    "base_url": _base_url,
    "langs": _langs,
    "sections": _sections,
    "since": _since,
    "max_pages": _max_pages,
    "mode": _mode,
}
# Arguments Scrapy or Scrapyd pass to every spider; accepted and ignored.
_PASSTHROUGH = frozenset({"_job", "_version", "setting"})


def parse_arguments(raw: dict[str, object], site: SiteProfile) -> CrawlArguments:
    """Validate raw ``-a`` arguments for a crawl of ``site``; raise ArgumentError if bad."""
    values: dict[str, object] = {"base_url": site.canonical_origin}
    extra: dict[str, str] = {}
    for name, value in raw.items():
        if name in _PASSTHROUGH:
            extra[name] = str(value)
            continue
        parser = _PARSERS.get(name)
        if parser is None:
            raise ArgumentError(name, f"unknown argument; accepted: {', '.join(_PARSERS)}")
        if not isinstance(value, str):
            raise ArgumentError(name, f"expected text, got {type(value).__name__}")
        values[name] = parser(value, site)
    return CrawlArguments(**values, extra=extra, site_langs=site.languages)  # type: ignore[arg-type]
