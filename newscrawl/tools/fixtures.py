"""Real pages with their expected records, taken from an archive: extraction's regression tests.

    python -m newscrawl.fixtures add ARCHIVE URL [URL ...] [--note TEXT] [--dir FOLDER] [--site module:NAME]
    python -m newscrawl.fixtures update [NAME ...] [--dir FOLDER] [--site module:NAME]

FOLDER is ``tests/fixtures/pages`` unless given. ``add`` saves the latest archived fetch of each
article URL (canonical, or as fetched) as ``<lang>-<slug>.html.gz`` and beside it
``<lang>-<slug>.json``: the record re-extraction gives for it (without ``crawled_at``, ``status``
and ``version``), and under ``_page`` what the page needs to be read again (the URL fetched,
canonical URL, the crawl's ``base_url``, the categories it was found under, its Content-Type,
whether the browser drew it) and why it was chosen (``--note``). ``tests/test_fixtures.py`` reads
every fixture again and compares field by field. ``update`` rewrites the expected records of the
fixtures named (all by default) from today's extraction: after a deliberate change, review the
difference with ``git diff`` before committing it.
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from newscrawl.archive.latest import ArchiveError, checked_files, is_article_page, read_pages
from newscrawl.archive.records import ArchivedPage
from newscrawl.commands.crawl import EXIT_BAD_ARGUMENT
from newscrawl.sites.profile import SiteProfileError
from newscrawl.tools.replay import page_record, site_profile

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "pages"
PAGE_KEY = "_page"
# Record keys that depend on the run, not on the page.
RUN_KEYS = ("crawled_at", "status", "version")


class FixtureError(Exception):
    """A fixture that cannot be made or read (one line)."""


def fixture_name(record: dict[str, Any]) -> str:
    """``<lang>-<slug>``: the file name (without suffix) of a record's fixture."""
    return f"{record['lang']}-{record['translation_key']}"


def expected_record(record: dict[str, Any]) -> dict[str, Any]:
    """What a fixture expects of a record: all but the run's keys."""
    return {key: value for key, value in record.items() if key not in RUN_KEYS}


def page_info(page: ArchivedPage, note: str = "") -> dict[str, Any]:
    """What besides its body a page needs to be read again (the fixture's ``_page``), and why it
    is a fixture (``note``: free text for the reviewer)."""
    content_type = next((value for name, value in page.headers if name.lower() == "content-type"), None)
    return {
        "url": page.url, "canonical": page.canonical, "base_url": page.meta.get("base_url"),
        "found_under": list(page.meta.get("found_under") or []), "content_type": content_type,
        "rendered": page.rendered, "fetched_at": page.fetched_at, "site": page.meta.get("site") or "",
        "note": note,
    }  # fmt: skip


def fixture_page(html_gz: Path, info: dict[str, Any]) -> ArchivedPage:
    """The archived page a fixture stands for, rebuilt from its body and ``_page``."""
    headers = [("Content-Type", info["content_type"])] if info.get("content_type") else []
    meta = {"kind": "article", "base_url": info.get("base_url"), "found_under": info.get("found_under") or [],
            "site": info.get("site") or "", "rendered": bool(info.get("rendered"))}  # fmt: skip
    return ArchivedPage(
        url=info["url"], canonical=info.get("canonical"), status=200, headers=headers,
        body=gzip.decompress(html_gz.read_bytes()), meta=meta, fetched_at=float(info.get("fetched_at") or 0),
        rendered=bool(info.get("rendered")), record_id="", path=str(html_gz), offset=0,
    )  # fmt: skip


def load_fixture(json_path: Path) -> tuple[ArchivedPage, dict[str, Any]]:
    """A fixture's page and its expected record."""
    expected = json.loads(json_path.read_text(encoding="utf-8"))
    info = expected.pop(PAGE_KEY)
    return fixture_page(json_path.with_suffix(".html.gz"), info), expected


def fixture_note(json_path: Path) -> str:
    """Why a fixture was chosen (its ``_page`` note)."""
    return str(json.loads(json_path.read_text(encoding="utf-8"))[PAGE_KEY].get("note") or "")


def write_fixture(folder: Path, page: ArchivedPage, record: dict[str, Any], note: str = "") -> Path:
    """Save ``page`` and its expected ``record``; return the JSON's path."""
    folder.mkdir(parents=True, exist_ok=True)
    name = fixture_name(record)
    # mtime 0: the same page gives the same bytes, so git sees a change only when there is one.
    (folder / f"{name}.html.gz").write_bytes(gzip.compress(page.body, mtime=0))
    json_path = folder / f"{name}.json"
    document = {PAGE_KEY: page_info(page, note), **expected_record(record)}
    json_path.write_text(json.dumps(document, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return json_path


def latest_pages(pages: Iterable[ArchivedPage], urls: set[str]) -> dict[str, ArchivedPage]:
    """The latest 200 fetch of each article page among ``urls`` (canonical or as fetched)."""
    found: dict[str, ArchivedPage] = {}
    for page in pages:
        if not is_article_page(page) or page.status != 200:
            continue
        key = next((u for u in (page.canonical, page.url) if u in urls), None)
        if key is not None and (key not in found or page.fetched_at >= found[key].fetched_at):
            found[key] = page
    return found


def add(archive: Path, urls: list[str], folder: Path, site_name: str | None, note: str = "") -> list[Path]:
    """Save a fixture for each of ``urls`` from ``archive``; raises FixtureError naming a URL missing."""
    found = latest_pages(read_pages(checked_files([archive])), set(urls))
    missing = [url for url in urls if url not in found]
    if missing:
        raise FixtureError(f"no archived article page {missing[0]} in {archive}")
    written = []
    for url in urls:
        page = found[url]
        record = page_record(page, site_profile(site_name or page.meta.get("site") or ""))
        if record is None:
            raise FixtureError(f"{url} gives no record (not an article, or no title or body)")
        written.append(write_fixture(folder, page, record, note))
    return written


def update(folder: Path, names: list[str], site_name: str | None) -> list[Path]:
    """Rewrite the expected records of the fixtures ``names`` (all when empty) from today's extraction."""
    paths = [folder / f"{name}.json" for name in names] if names else sorted(folder.glob("*.json"))
    written = []
    for json_path in paths:
        if not json_path.is_file():
            raise FixtureError(f"no fixture {json_path}")
        page, _ = load_fixture(json_path)
        record = page_record(page, site_profile(site_name or page.meta.get("site") or ""))
        if record is None:
            raise FixtureError(f"{json_path.name}: the page gives no record any more")
        written.append(write_fixture(folder, page, record, fixture_note(json_path)))
    return written


def main(argv: list[str] | None = None) -> int:
    """Command line entry point."""
    parser = argparse.ArgumentParser(prog="python -m newscrawl.fixtures", description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    adding = commands.add_parser("add", help="save archived pages as fixtures")
    adding.add_argument("archive", type=Path, help="a WARC file or a folder of them")
    adding.add_argument("urls", nargs="+", metavar="URL", help="article URLs (canonical, or as fetched)")
    adding.add_argument("--note", default="", help="why these pages are fixtures (kept in their JSON)")
    updating = commands.add_parser("update", help="rewrite expected records from today's extraction")
    updating.add_argument("names", nargs="*", metavar="NAME", help="fixtures (<lang>-<slug>); default: all")
    for command in (adding, updating):
        command.add_argument("--dir", type=Path, default=FIXTURES, help="the fixtures' folder")
        command.add_argument("--site", help="site profile package.module:NAME (default: the page's)")
    args = parser.parse_args(argv)
    try:
        if args.command == "add":
            written = add(args.archive, args.urls, args.dir, args.site, args.note)
        else:
            written = update(args.dir, args.names, args.site)
    except (ArchiveError, FixtureError, SiteProfileError) as error:
        print(f"newscrawl: error: {error}", file=sys.stderr)
        return EXIT_BAD_ARGUMENT
    for path in written:
        print(f"{path.with_suffix('')}: .json, .html.gz")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
