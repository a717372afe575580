"""Expected crawler output for the mirror: one record per article-language page."""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from pathlib import Path
from typing import Any

from .grammar import Grammar
from .model import EMBEDDED_LAYOUTS, Article, ArticleVersion, SiteModel, canonical_url

_ZERO_WIDTH = re.compile("[\u200b\u200c\u200d\u2060\ufeff]")
_SPACES = re.compile(r"\s+")
_SPACE_BEFORE = re.compile(r"\s+([,.)])")
_SPACE_AFTER_PAREN = re.compile(r"\(\s+")
_NOT_NORMAL = re.compile("[\u200b\u200c\u200d\u2060\ufeff]|[^\\S ]|  |^ | $| [,.)]|\\( ")
"""Anything :func:`normalize_text` would change besides Unicode normalisation."""
_MARKUP_RESIDUE = re.compile(r"^[_*]+\s*")
_FILE_NAME = re.compile(r"[\w .()-]+\.(?:png|jpe?g|gif|webp|heic)", re.IGNORECASE)
FULL_TIME_LAYOUTS = frozenset({"A", *EMBEDDED_LAYOUTS})
"""Layouts whose pages give the publication time (the others only a dd/mm/yyyy date) and the
modification time."""


def normalize_text(text: str) -> str:
    """The crawler's text normal form: NFC, no zero-width chars, single spaces, tidy punctuation."""
    if unicodedata.is_normalized("NFC", text) and not _NOT_NORMAL.search(text):
        return text
    text = _ZERO_WIDTH.sub("", unicodedata.normalize("NFC", text)).replace("\xa0", " ")
    text = _SPACES.sub(" ", text).strip()
    text = _SPACE_BEFORE.sub(r"\1", text)
    return _SPACE_AFTER_PAREN.sub("(", text)


def caption_truth(text: str) -> str | None:
    """An image caption as the crawler emits it: normalised, without leading markup residue
    (``_Photo: VNA`` → ``Photo: VNA``); None when there is none or it is only a file name."""
    text = _MARKUP_RESIDUE.sub("", normalize_text(text))
    if not text or _FILE_NAME.fullmatch(text):
        return None
    return text


def dup_groups(site: SiteModel) -> dict[str, str]:
    """Slug → duplicate-group name for articles republished under a second slug."""
    groups: dict[str, str] = {}
    for art in site.articles.values():
        if art.dup_of:
            groups[art.slug] = groups[art.dup_of] = f"dup:{art.dup_of}"
    return groups


def _published(art: Article) -> str:
    if art.layout in FULL_TIME_LAYOUTS:
        return art.published.isoformat(timespec="seconds")
    midnight = art.published.replace(hour=0, minute=0, second=0, microsecond=0)
    return midnight.isoformat(timespec="seconds")


def record(site: SiteModel, art: Article, ver: ArticleVersion) -> dict[str, Any]:
    """The exact record (minus ``crawled_at``) a correct crawler emits for one page."""
    lang = ver.lang
    url = canonical_url(lang, art.slug)
    title = normalize_text(ver.title)
    body = "\n\n".join(t for t in (normalize_text(b.text) for b in ver.blocks) if t)
    modified = art.modified if art.layout in FULL_TIME_LAYOUTS else None
    return {
        "id": hashlib.sha1(url.encode()).hexdigest(),
        "url": url,
        "lang": lang,
        "translation_key": art.slug,
        "translations": {lg: canonical_url(lg, art.slug) for lg in site.langs
                         if lg in art.versions and lg != lang},
        "sections": list(art.categories),
        "title": title,
        "summary": normalize_text(ver.lead),
        "body": body,
        "source_name": art.outlet,
        "source_url": art.source_url if art.outlet else None,
        "authors": [site.authors[a].name for a in art.authors],
        "tags": [normalize_text(site.tags[t].labels[lang]) for t in art.tags],
        "published_at": _published(art),
        "modified_at": modified.isoformat(timespec="seconds") if modified else None,
        "images": [{"url": img.url, "caption": caption_truth(img.caption)}
                   for img in ver.images],
        "word_count": len(body.split()),
        "content_hash": hashlib.sha256((title + "\n" + body).encode()).hexdigest(),
        "status": "new",
        "version": 1,
    }


def truth_records(site: SiteModel, grammar: Grammar | None = None) -> list[dict[str, Any]]:
    """Expected records for every article-language page of the current model, sorted by URL
    (taken-down articles have none; sitemap-only articles are included); with a ``grammar``, as
    the site served in it is crawled (:meth:`Grammar.record`).

    Records of a deliberate duplicate pair carry ``_dup_group``: a crawler should emit exactly
    one record per group.
    """
    groups = dup_groups(site)
    out = []
    for art in site.articles.values():
        for ver in art.versions.values():
            rec = record(site, art, ver)
            if art.slug in groups and ver.lang == "vi":
                rec["_dup_group"] = groups[art.slug]
            out.append(rec if grammar is None else grammar.record(rec))
    return sorted(out, key=lambda r: r["url"])


DRAWN_FIELDS = ("published_at", "source_name")
"""Fields a ``client_meta`` page shows only once a script has drawn them."""


def without_browser(site: SiteModel, records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``records`` as a crawl without a browser emits them: on a ``client_meta`` page (see
    :meth:`SiteModel.client_meta_urls`) :data:`DRAWN_FIELDS` are None and the rest is equal
    (title and body are in the page's data, so ``content_hash`` and ``word_count`` stay); other
    records are kept as they are. Browser-only pages are not removed (see
    :func:`split_browser_only`); ``records`` are not modified."""
    drawn = site.client_meta_urls()
    return [{**r, **dict.fromkeys(DRAWN_FIELDS)} if r["url"] in drawn else r for r in records]


def split_browser_only(site: SiteModel, records: list[dict[str, Any]]
                       ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """``records`` split into (what a crawl without a browser produces, what needs one), by
    :meth:`SiteModel.browser_only_urls`; without ``build_site(js=True)`` the second is empty.

    The first list holds the records as such a crawl emits them (:func:`without_browser`: a
    ``client_meta`` page without its date and outlet); ``records`` are not modified.
    """
    hidden = site.browser_only_urls()
    return (without_browser(site, [r for r in records if r["url"] not in hidden]),
            [r for r in records if r["url"] in hidden])


def diff(before: list[dict[str, Any]], after: list[dict[str, Any]]) -> dict[str, set[str]]:
    """URLs ``new`` (only in ``after``), ``removed`` (only in ``before``) and ``updated`` (in both,
    with a different ``content_hash`` or ``modified_at``) between two truths."""
    old = {r["url"]: r for r in before}
    new = {r["url"]: r for r in after}
    return {
        "new": set(new) - set(old),
        "updated": {u for u in set(old) & set(new)
                    if (old[u]["content_hash"], old[u]["modified_at"])
                    != (new[u]["content_hash"], new[u]["modified_at"])},
        "removed": set(old) - set(new),
    }


def write_jsonl(records: list[dict[str, Any]], path: Path) -> None:
    """Write records as JSON Lines (UTF-8, one object per line, sorted by URL)."""
    lines = (json.dumps(r, ensure_ascii=False) for r in sorted(records, key=lambda r: r["url"]))
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
