"""Re-extraction (``python -m newscrawl.reextract``): archived pages read again, offline.

End to end (slow): the mirror is crawled with ``NEWSCRAWL_ARCHIVE=articles`` and stopped, and the
archive alone rebuilds the crawl's records, field for field (``crawled_at``, ``status`` and
``version`` aside), for every page layout and for pages the browser drew; with the crawl's state
it emits nothing until the extraction changes, then exactly the records whose text changed, as
``updated`` version 2. Archives written here from the record format (``build_records``) test
``--since``, the choice of each page's latest fetch, and bad input.
"""

from __future__ import annotations

import gzip
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from warcio.warcwriter import WARCWriter

from newscrawl.archive.latest import (
    ArchiveError,
    checked_files,
    chosen_pages,
    read_pages,
    select_latest,
)
from newscrawl.archive.records import ArchivedPage, Fetch, build_records
from newscrawl.sites.vietnamvn import VIETNAM_VN
from newscrawl.tools.replay import page_record
from tests.compare import read_jsonl
from tests.crawl import crawl
from tests.mirror.model import SiteModel, article_path, build_site, canonical_url, change_article
from tests.mirror.server import MirrorServer
from tests.mirror.truth import truth_records

ROOT = Path(__file__).resolve().parent.parent
RUN_KEYS = ("crawled_at", "status", "version")
LAYOUTS = set("ABCDEF")
CHANGED_SITE = "tests.changed_site:NO_SUBHEADINGS"
changed_site = ("--site", CHANGED_SITE)
ORIGIN = "http://127.0.0.1:8000"  # of the archives written here: nothing is ever fetched from it


def reextract(*args: str | Path) -> subprocess.CompletedProcess[str]:
    """Run ``python -m newscrawl.reextract`` as a user would."""
    return subprocess.run(
        [sys.executable, "-m", "newscrawl.reextract", *map(str, args)],
        cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True, text=True,
        timeout=600, stdin=subprocess.DEVNULL,
    )  # fmt: skip


def by_url(records: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Records by URL, without the keys a run sets (when, status, version)."""
    return {r["url"]: {k: v for k, v in r.items() if k not in RUN_KEYS} for r in records}


def differences(got: dict[str, dict[str, Any]], want: dict[str, dict[str, Any]], limit: int = 8) -> str:
    """What differs between two sets of records, readably ("" when they are equal)."""
    lines = [f"missing: {url}" for url in sorted(set(want) - set(got))][:limit]
    lines += [f"extra: {url}" for url in sorted(set(got) - set(want))][:limit]
    for url in sorted(set(got) & set(want)):
        for key in sorted(set(got[url]) | set(want[url])):
            if got[url].get(key) != want[url].get(key):
                lines.append(f"{url} {key}:\n  got  {got[url].get(key)!r}\n  want {want[url].get(key)!r}")
    return "\n".join(lines[: 3 * limit])


def layout_of(site: SiteModel, record: dict[str, Any]) -> str:
    """The mirror layout (A–F) of a record's page."""
    return site.articles[record["translation_key"]].layout


@dataclass
class ArchivedCrawl:
    """A crawl of a mirror with the archive on; the mirror has been stopped since."""

    site: SiteModel
    records: list[dict[str, Any]]
    archive: Path
    state: Path

    def state_copy(self, folder: Path) -> Path:
        """A copy of the crawl's state, for a run that changes it."""
        copy = folder / "state.sqlite3"
        shutil.copyfile(self.state, copy)
        return copy


def archiving_crawl(root: Path, site: SiteModel, *args: str) -> ArchivedCrawl:
    """Crawl ``site`` on a mirror of its own with ``NEWSCRAWL_ARCHIVE=articles``, then stop the mirror."""
    server = MirrorServer(site).start()
    try:
        run = crawl(
            server.base_url, root / "crawl.jsonl", "-s", "NEWSCRAWL_ARCHIVE=articles",
            "-s", f"NEWSCRAWL_ARCHIVE_DIR={root / 'archive'}", *args, state=root / "state.sqlite3",
        )  # fmt: skip
    finally:
        server.stop()
    assert run.returncode == 0, run.log[-3000:]
    assert run.records
    return ArchivedCrawl(site, run.records, root / "archive", root / "state.sqlite3")


@pytest.fixture(scope="module")
def archived(tmp_path_factory: pytest.TempPathFactory) -> ArchivedCrawl:
    """The default mirror (layouts A–F), crawled with the archive on."""
    return archiving_crawl(tmp_path_factory.mktemp("archived"), build_site())


@dataclass
class Replay:
    """What ``reextract`` wrote: its records, and the health report beside them."""

    records: list[dict[str, Any]]
    health: dict[str, Any]


@pytest.fixture(scope="module")
def replayed(archived: ArchivedCrawl, tmp_path_factory: pytest.TempPathFactory) -> Replay:
    """The records ``reextract`` rebuilds from that archive alone."""
    out = tmp_path_factory.mktemp("replayed") / "re.jsonl"
    done = reextract(archived.archive, "--out", out)
    assert done.returncode == 0, done.stderr[-3000:]
    return Replay(read_jsonl(out), json.loads(out.with_suffix(".health.json").read_text()))


# --------------------------------------------------------------------------- end to end


@pytest.mark.slow
def test_the_archive_alone_rebuilds_the_crawls_records_for_every_layout(
    archived: ArchivedCrawl, replayed: Replay
) -> None:
    got, want = by_url(replayed.records), by_url(archived.records)
    assert got == want, differences(got, want)
    assert {layout_of(archived.site, r) for r in replayed.records} == LAYOUTS
    assert {(r["status"], r["version"]) for r in replayed.records} == {("new", 1)}
    assert len(replayed.records) == len(archived.records)
    # Each archived article page was requested once, answered from the archive; no link was
    # followed (the archive would have refused it: an error), and the runs have a name of their own.
    files = checked_files([archived.archive])
    http = replayed.health["http"]
    assert http["requests"] == http["status"]["200"] == len(select_latest(read_pages(files)))
    assert http["errors"] == http["exceptions"] == 0
    assert replayed.health["spider"] == "vietnamvn-reextract"


@pytest.mark.slow
def test_a_page_read_without_a_crawl_gives_the_replays_record(
    archived: ArchivedCrawl, replayed: Replay
) -> None:
    """``page_record`` (fixtures) reads a page as the replay's spider and pipelines do."""
    files = checked_files([archived.archive])
    pages = {p.canonical: p for p in chosen_pages(read_pages(files), select_latest(read_pages(files)))}
    replay = by_url(replayed.records)
    direct = {url: page_record(pages[url], VIETNAM_VN) for url in replay}
    assert by_url([r for r in direct.values() if r is not None]) == replay


@pytest.mark.slow
def test_with_the_crawls_state_and_no_change_nothing_is_out(archived: ArchivedCrawl, tmp_path: Path) -> None:
    out = tmp_path / "re.jsonl"
    done = reextract(archived.archive, "--out", out, "--state", archived.state_copy(tmp_path))
    assert done.returncode == 0, done.stderr[-3000:]
    assert read_jsonl(out) == []


def subheading_urls(site: SiteModel) -> set[str]:
    """Pages of the mirror with a subheading in their body: all the changed site reads differently."""
    return {
        canonical_url(lang, art.slug) for art in site.articles.values()
        for lang, ver in art.versions.items() if any(b.kind in ("h2", "h3") for b in ver.blocks)
    }  # fmt: skip


@pytest.mark.slow
def test_after_an_extractor_change_the_state_lets_out_exactly_the_changed_texts(
    archived: ArchivedCrawl, tmp_path: Path
) -> None:
    # The records the changed extraction gives, from a throwaway state: which texts it changes.
    fresh = reextract(archived.archive, "--out", tmp_path / "fresh.jsonl", "--site", CHANGED_SITE)
    assert fresh.returncode == 0, fresh.stderr[-3000:]
    before, after = by_url(archived.records), by_url(read_jsonl(tmp_path / "fresh.jsonl"))
    assert set(after) == set(before)
    changed = {url for url in after if after[url]["content_hash"] != before[url]["content_hash"]}
    # ... which the mirror's model says independently: the pages with a subheading.
    assert changed == subheading_urls(archived.site) & set(before)
    assert changed and changed < set(before)
    # With the crawl's state: exactly those, as updates to version 2 ...
    state, out = archived.state_copy(tmp_path), tmp_path / "updates.jsonl"
    done = reextract(archived.archive, "--out", out, "--state", state, "--site", CHANGED_SITE)
    assert done.returncode == 0, done.stderr[-3000:]
    updates = read_jsonl(out)
    assert {r["url"] for r in updates} == changed
    assert {(r["status"], r["version"]) for r in updates} == {("updated", 2)}
    assert by_url(updates) == {url: after[url] for url in changed}
    # ... which the state now holds: the same run again lets nothing out.
    again = reextract(archived.archive, "--out", tmp_path / "2.jsonl", "--state", state, *changed_site)
    assert again.returncode == 0, again.stderr[-3000:]
    assert read_jsonl(tmp_path / "2.jsonl") == []


@pytest.mark.slow
@pytest.mark.skipif(not shutil.which("chromium"), reason="Debian's chromium is not installed")
def test_pages_the_browser_drew_are_rebuilt_from_their_archived_dom(tmp_path: Path) -> None:
    site = build_site(js=True)
    archived = archiving_crawl(tmp_path, site, "-s", "NEWSCRAWL_RENDER=auto")
    files = checked_files([archived.archive])
    rendered = {p.canonical for p in read_pages(files) if p.rendered}
    drawn = site.client_rendered_urls() | site.client_meta_urls()
    assert drawn <= rendered
    out = tmp_path / "re.jsonl"
    done = reextract(archived.archive, "--out", out)
    assert done.returncode == 0, done.stderr[-3000:]
    got, want = by_url(read_jsonl(out)), by_url(archived.records)
    assert got == want, differences(got, want)
    assert drawn <= set(got)
    assert {layout_of(site, r) for r in got.values()} == LAYOUTS


# --------------------------------------------------------------------------- archives written here


def epoch(day: str) -> float:
    """Noon UTC of ``YYYY-MM-DD``."""
    return datetime.fromisoformat(f"{day}T12:00:00").replace(tzinfo=UTC).timestamp()


def fetch_of_page(server: MirrorServer, lang: str, slug: str, day: str, status: int | None = None) -> Fetch:
    """The fetch of an article page of ``server``'s site on ``day``, as the crawl archives it."""
    page = server.lookup(article_path(lang, slug))
    return Fetch(
        url=ORIGIN + article_path(lang, slug), status=status or page.status,
        response_headers=list(page.headers.items()), body=page.body if status != 304 else b"",
        fetched_at=epoch(day), canonical=canonical_url(lang, slug),
        meta={"kind": "article", "canonical": canonical_url(lang, slug), "lang": lang, "slug": slug,
              "found_under": [], "base_url": ORIGIN, "site": "", "rendered": False},
    )  # fmt: skip


def write_archive(path: Path, fetches: list[Fetch]) -> Path:
    """A WARC file of ``fetches``, one gzip member per record."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as handle:
        writer = WARCWriter(handle, gzip=True, warc_version="WARC/1.1")
        for fetch in fetches:
            for record in build_records(fetch):
                writer.write_record(record)
    return path


@dataclass
class TwoDays:
    """An archive of three article pages: X on two days (changed in between), Y and Z on the first."""

    archive: Path
    x: str
    y: str
    z: str
    truth: dict[str, dict[str, Any]]  # the pages' expected records as of the latest fetch


@pytest.fixture(scope="module")
def two_days(tmp_path_factory: pytest.TempPathFactory) -> TwoDays:
    return two_days_archive(tmp_path_factory.mktemp("two-days"))


def two_days_archive(folder: Path) -> TwoDays:
    """Write :class:`TwoDays`' archive into ``folder``."""
    site = build_site(n_articles=12, embedded=0)
    server = MirrorServer(site)  # pages are rendered on demand; it is never started
    x, y, z = (a.slug for a in list(site.articles.values())[:3])
    january = [fetch_of_page(server, "vi", slug, "2026-01-10") for slug in (x, y, z)]
    change_article(site, x, langs=["vi"])
    server.rebuild()
    march = [fetch_of_page(server, "vi", x, "2026-03-10"), fetch_of_page(server, "vi", y, "2026-03-10", 304)]
    archive = write_archive(folder / "archive" / "a-00001.warc.gz", january + march)
    truth = {r["url"]: r for r in truth_records(site)}
    return TwoDays(archive, canonical_url("vi", x), canonical_url("vi", y), canonical_url("vi", z), truth)


def test_each_page_is_read_from_its_latest_fetch_with_something_to_read(two_days: TwoDays) -> None:
    files = checked_files([two_days.archive.parent])
    selection = select_latest(read_pages(files))
    pages: list[ArchivedPage] = list(chosen_pages(read_pages(files), selection))
    assert [p.canonical for p in pages] == [two_days.y, two_days.z, two_days.x]  # archive order
    assert {p.canonical: p.status for p in pages} == {two_days.x: 200, two_days.y: 200, two_days.z: 200}
    latest_x = next(p for p in pages if p.canonical == two_days.x)
    record = page_record(latest_x, VIETNAM_VN)
    assert record is not None and record["content_hash"] == two_days.truth[two_days.x]["content_hash"]


@pytest.mark.slow
@pytest.mark.parametrize(
    ("since", "expected"),
    [(None, {"x", "y", "z"}), ("2026-02-01", {"x"}), ("2026-03-10", {"x"}), ("2026-04-01", set())],
)
def test_since_reads_the_pages_fetched_from_that_day_on(
    two_days: TwoDays, tmp_path: Path, since: str | None, expected: set[str]
) -> None:
    out = tmp_path / "re.jsonl"
    done = reextract(two_days.archive, "--out", out, "--progress", *(["--since", since] if since else []))
    assert done.returncode == 0, done.stderr[-3000:]
    records = {r["url"]: r for r in read_jsonl(out)}
    assert set(records) == {getattr(two_days, name) for name in expected}
    # The bar counts the pages read (Y's March fetch is a revisit: its January page is read).
    assert f"{len(expected)}/{len(expected)}" in done.stderr if expected else "0page" in done.stderr
    for url, record in records.items():
        assert record["content_hash"] == two_days.truth[url]["content_hash"]
        assert record["crawled_at"][:10] == ("2026-03-10" if url == two_days.x else "2026-01-10")


# --------------------------------------------------------------------------- bad input


def test_a_missing_path_is_one_line_and_exit_2(tmp_path: Path) -> None:
    done = reextract(tmp_path / "nowhere", "--out", tmp_path / "re.jsonl")
    assert done.returncode == 2
    assert done.stderr == f"newscrawl: error: no such file or folder: {tmp_path / 'nowhere'}\n"
    assert not (tmp_path / "re.jsonl").exists()


@pytest.mark.parametrize("content", [b"just some text\n", b"", gzip.compress(b"<html>not a WARC</html>")])
def test_a_file_that_is_no_warc_is_named_and_exit_2(tmp_path: Path, content: bytes) -> None:
    bad = tmp_path / "notes.warc.gz"
    bad.write_bytes(content)
    done = reextract(bad, "--out", tmp_path / "re.jsonl")
    assert done.returncode == 2
    assert done.stderr == f"newscrawl: error: {bad} is not a WARC file\n"


def test_checked_files_refuses_what_it_cannot_read(tmp_path: Path) -> None:
    with pytest.raises(ArchiveError, match="no such file or folder"):
        checked_files([tmp_path / "missing"])


@pytest.mark.slow
def test_a_torn_archive_keeps_its_complete_pages_and_names_it(two_days: TwoDays, tmp_path: Path) -> None:
    torn = tmp_path / "torn.warc.gz"
    data = two_days.archive.read_bytes()
    # Cut inside the last record of X's March fetch: January's three pages stay whole.
    cut = torn.write_bytes(data[: cut_point(two_days.archive)])
    assert cut
    out = tmp_path / "re.jsonl"
    done = reextract(torn, "--out", out)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "Traceback" not in done.stderr
    assert str(torn) in done.stderr
    records = {r["url"]: r for r in read_jsonl(out)}
    # The reader drops the fetch it was reading when the file broke (its records may be lost);
    # the pages before it are read, X from its January fetch now that March's is torn.
    assert {two_days.x, two_days.y} <= set(records)
    assert records[two_days.x]["crawled_at"].startswith("2026-01-10")
    assert "skipped: 1 torn" in done.stdout


def cut_point(archive: Path) -> int:
    """An offset inside the March fetch of X (the fourth page): its response record is torn."""
    offsets = [p.offset for p in _pages(archive)]
    return offsets[3] + 200


def _pages(archive: Path) -> Iterator[ArchivedPage]:
    return read_pages(checked_files([archive]))
