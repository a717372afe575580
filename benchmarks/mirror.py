"""The benchmark's site: the test mirror's model written to disk as static files.

Every request target the mirror answers becomes one file, so nginx can serve the same bytes
the Python ``MirrorServer`` would: HTML pages get ``.html`` (``/`` is ``/index.html``, ``/en`` is
``/en.html``, listing page ``?page=N`` is ``<path>__page_N.html``), everything else (robots.txt,
sitemaps, feeds, assets) keeps its own path. ``nginx.py`` maps requests back to these names.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

from tests.mirror.model import COVERAGE, SiteModel, build_site
from tests.mirror.render import SiteRenderer

ROOT = Path(__file__).resolve().parent.parent
HTML_KINDS = frozenset({"home", "listing", "article", "static", "tag", "author"})
MANIFEST = "manifest.json"
SEED = 7
PADDING_KB = 40


@dataclass
class Manifest:
    """What a written mirror holds: the model's size, pages per kind, bytes, article files."""

    seed: int
    stories: int
    padding_kb: int
    pages: dict[str, int]
    bytes_by_kind: dict[str, int]
    article_files: list[tuple[str, str]] = field(repr=False)
    """``(file relative to the root, language)`` of every article page, in route order."""
    listing_pages: int = 0
    seconds_to_write: float = 0.0

    @property
    def article_pages(self) -> int:
        """Number of article pages (one per article and language)."""
        return self.pages.get("article", 0)

    @property
    def mean_article_kb(self) -> float:
        """Mean size of an article page in KB."""
        return self.bytes_by_kind.get("article", 0) / max(1, self.article_pages) / 1024


def mirror_sources_digest() -> str:
    """Hash of the mirror's code: a written mirror is reused only while the code is the same."""
    digest = hashlib.sha256()
    for path in sorted((ROOT / "tests" / "mirror").glob("*.py")):
        digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()[:12]


def stories_for(article_pages: int) -> int:
    """Number of model articles whose language versions give at least ``article_pages`` pages."""
    per_story = 1 + sum(COVERAGE.values())
    n = math.ceil(article_pages / per_story)
    while True:
        site = build_site(seed=SEED, n_articles=n)
        pages = sum(len(a.versions) for a in site.articles.values())
        if pages >= article_pages:
            return n
        n += math.ceil((article_pages - pages) / per_story) + 1


def build(article_pages: int) -> SiteModel:
    """The benchmark site with at least ``article_pages`` article pages of about 40 KB."""
    return build_site(seed=SEED, n_articles=stories_for(article_pages), page_padding_kb=PADDING_KB)


def file_for(target: str, kind: str) -> str:
    """File (relative to the mirror root) that holds the page of a request target."""
    parts = urlsplit(target)
    path = parts.path.rstrip("/") or "/"
    if kind not in HTML_KINDS:
        return path.lstrip("/")
    if path == "/":
        return "index.html"
    page = dict(parse_qsl(parts.query)).get("page", "1")
    suffix = "" if page == "1" else f"__page_{page}"
    return f"{path.lstrip('/')}{suffix}.html"


def write_mirror(site: SiteModel, root: Path) -> Manifest:
    """Render every page of ``site`` into ``root`` (world-readable: nginx workers read it)."""
    started = time.perf_counter()
    renderer = SiteRenderer(site)
    pages: Counter[str] = Counter()
    sizes: Counter[str] = Counter()
    articles: list[tuple[str, str]] = []
    written: set[str] = set()
    root.mkdir(parents=True, exist_ok=True)
    for target, route in renderer.routes().items():
        kind = route[0]
        name = file_for(target, kind)
        if name in written:  # page 1 of a listing answers two targets
            continue
        written.add(name)
        page = renderer.page(route)
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(page.body)
        pages[kind] += 1
        sizes[kind] += len(page.body)
        if kind == "article":
            articles.append((name, route[2]))
    for folder, _dirs, _files in os.walk(root):
        os.chmod(folder, 0o755)
    return Manifest(
        seed=site.seed,
        stories=len(site.articles),
        padding_kb=site.padding_kb,
        pages=dict(pages),
        bytes_by_kind=dict(sizes),
        article_files=articles,
        listing_pages=pages["listing"],
        seconds_to_write=time.perf_counter() - started,
    )


def static_mirror(
    workdir: Path, article_pages: int, log: Callable[[str], None] = print
) -> tuple[Path, Manifest]:
    """The mirror with at least ``article_pages`` article pages under ``workdir``, written once
    and reused while the mirror's code and parameters are unchanged."""
    stories = stories_for(article_pages)
    root = workdir / f"mirror-s{SEED}-n{stories}-p{PADDING_KB}-{mirror_sources_digest()}"
    manifest_path = root / MANIFEST
    if manifest_path.exists():
        data = json.loads(manifest_path.read_text())
        data["article_files"] = [tuple(item) for item in data["article_files"]]
        log(f"mirror: reusing {root} ({data['pages'].get('article', 0)} article pages)")
        return root, Manifest(**data)
    log(f"mirror: writing {stories} stories (≥ {article_pages} article pages) to {root} …")
    site = build_site(seed=SEED, n_articles=stories, page_padding_kb=PADDING_KB)
    site_dir = root / "site"
    manifest = write_mirror(site, site_dir)
    manifest_path.write_text(json.dumps(asdict(manifest)))
    log(
        f"mirror: {sum(manifest.pages.values())} files, {manifest.article_pages} article pages of "
        f"{manifest.mean_article_kb:.1f} KB, written in {manifest.seconds_to_write:.0f} s"
    )
    return root, manifest
