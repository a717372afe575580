"""The WARC archive: records of one fetch, files, crash recovery, and crawls that archive."""

from __future__ import annotations

import asyncio
import base64
import errno
import gzip
import hashlib
import json
import random
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import lxml.html
import pytest
from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.http import HtmlResponse, Response
from scrapy.settings import Settings
from scrapy.utils.test import get_crawler
from warcio.archiveiterator import ArchiveIterator

from newscrawl import settings as project_settings
from newscrawl.archive.extension import ArchiveFailed, ArchiveMiddleware, ContentCodingNote
from newscrawl.archive.reader import BAD_RECORD, MISSING, TORN, UNREADABLE, iter_pages
from newscrawl.archive.records import (
    CANONICAL_HEADER,
    DECODED_HEADER,
    NOT_MODIFIED_PROFILE,
    ArchivedPage,
    Fetch,
    build_records,
)
from newscrawl.archive.writer import ArchiveWriter, encode_records, recover_folder, scan_members
from newscrawl.checks import settings_problem
from newscrawl.feedfiles import in_use
from newscrawl.spiders.vietnamvn import VietnamVnSpider
from newscrawl.stats import ARCHIVE_FAILED, ARCHIVE_PAGES, ARCHIVE_RECORDS
from tests.crawl import crawl, start_crawl
from tests.mirror.model import build_site
from tests.mirror.server import MirrorServer, lookup_key

WARCIO = Path(sys.executable).with_name("warcio")
FETCHED_AT = 1_780_000_000.25


def fetch(n: int = 0, **changes: object) -> Fetch:
    """An article fetch with everything set; ``changes`` override fields."""
    values: dict[str, object] = {
        "url": f"http://127.0.0.1:8123/en/article-number-{n}",
        "status": 200,
        "response_headers": [
            ("Content-Type", "text/html; charset=utf-8"), ("ETag", f'"v{n}"'),
            ("Content-Encoding", "gzip"), ("Content-Length", "77"),
        ],
        "body": f"<html><body><h1>Bài {n}</h1><p>{'x' * 500}</p></body></html>".encode(),
        "fetched_at": FETCHED_AT + n,
        "request_headers": [("User-Agent", "newscrawl/0.1"), ("Accept-Encoding", "gzip, deflate")],
        "canonical": f"https://site.example/en/article-number-{n}",
        "content_encoding": "gzip",
        "meta": {"kind": "article", "found_under": ["tin-tuc"], "base_url": "http://127.0.0.1:8123", "n": n},
    }  # fmt: skip
    values.update(changes)
    return Fetch(**values)  # type: ignore[arg-type]


def write(folder: Path, fetches: list[Fetch], max_bytes: int = 10**9, prefix: str = "run") -> ArchiveWriter:
    writer = ArchiveWriter(folder, prefix, max_bytes=max_bytes, info={"software": "newscrawl/test"})
    for one in fetches:
        records = build_records(one)
        writer.append(encode_records(records), len(records))
    writer.close()
    return writer


def sha1_base32(data: bytes) -> str:
    return "sha1:" + base64.b32encode(hashlib.sha1(data).digest()).decode()


def read_all(paths: list[Path]) -> tuple[list[ArchivedPage], Counter[str]]:
    skips: Counter[str] = Counter()
    return list(iter_pages(paths, skips=skips)), skips


# --------------------------------------------------------------------------- records


def test_a_fetch_round_trips_through_a_file(tmp_path):
    original = fetch(1)
    write(tmp_path, [original])
    (page,), skips = read_all([tmp_path])
    assert not skips
    assert page.url == original.url and page.canonical == original.canonical
    assert page.status == 200 and page.body == original.body and not page.rendered
    assert page.meta == original.meta
    assert page.fetched_at == pytest.approx(FETCHED_AT + 1, abs=1e-6)
    # The stored headers describe the decoded body: no wire coding, the real length, and a note.
    assert page.header("Content-Type") == "text/html; charset=utf-8" and page.header("ETag") == '"v1"'
    assert page.header("Content-Encoding") is None
    assert page.header("Content-Length") == str(len(original.body))
    assert page.header(DECODED_HEADER) == "gzip"


def test_records_of_a_fetch_and_their_digests(tmp_path):
    original = fetch(2)
    (path,) = write(tmp_path, [original]).finished
    with path.open("rb") as file:
        records = [(r.rec_type, r.rec_headers, r.http_headers, r.content_stream().read())
                   for r in ArchiveIterator(file)]  # fmt: skip
    assert [r[0] for r in records] == ["warcinfo", "response", "request", "metadata"]
    warcinfo = records[0][3].decode()
    assert "software: newscrawl/test" in warcinfo and records[0][1]["WARC-Filename"] == path.name
    _, response, http, body = records[1]
    response_id = response["WARC-Record-ID"]
    assert response.protocol == "WARC/1.1" and http.statusline == "200 OK"
    assert response["WARC-Payload-Digest"] == sha1_base32(original.body)
    block = http.to_ascii_bytes() + body
    assert response["WARC-Block-Digest"] == sha1_base32(block)
    for _, headers, _, _ in records[1:]:
        assert headers["WARC-Target-URI"] == original.url
        assert headers[CANONICAL_HEADER] == original.canonical
        assert headers["WARC-Date"] == "2026-05-28T20:26:42.250000Z"  # FETCHED_AT + 2
    _, request, request_http, _ = records[2]
    assert request["WARC-Concurrent-To"] == response_id
    assert request_http.protocol == "GET" and request_http.statusline == "/en/article-number-2 HTTP/1.1"
    assert request_http.get_header("Host") == "127.0.0.1:8123"
    assert request_http.get_header("Accept-Encoding") == "gzip, deflate"
    _, metadata, _, payload = records[3]
    assert metadata["WARC-Concurrent-To"] == response_id and metadata["Content-Type"] == "application/json"
    assert json.loads(payload) == original.meta
    assert metadata["WARC-Payload-Digest"] == sha1_base32(payload)


def test_a_304_is_a_revisit_record(tmp_path):
    original = fetch(3, status=304, body=b"", content_encoding=None, refers_to_date=FETCHED_AT)
    (path,) = write(tmp_path, [original]).finished
    with path.open("rb") as file:
        revisit = next(r for r in ArchiveIterator(file) if r.rec_type == "revisit")
        headers, http = revisit.rec_headers, revisit.http_headers
    assert headers["WARC-Profile"] == NOT_MODIFIED_PROFILE
    assert headers["WARC-Refers-To-Target-URI"] == original.url
    assert headers["WARC-Refers-To-Date"] == "2026-05-28T20:26:40.250000Z"
    assert http.statusline == "304 Not Modified" and http.get_header("Content-Length") is None
    (page,), _ = read_all([path])
    assert page.status == 304 and page.body == b"" and page.meta["kind"] == "article"


def test_a_rendered_page_gets_a_conversion_record_that_readers_prefer(tmp_path):
    dom = "<html><body><article>Drawn by a script ✓</article></body></html>".encode()
    original = fetch(4, body=dom, rendered=True, content_encoding=None)
    (path,) = write(tmp_path, [original]).finished
    with path.open("rb") as file:
        records = {r.rec_type: (r.rec_headers, r.content_stream().read()) for r in ArchiveIterator(file)}
    headers, payload = records["conversion"]
    assert payload == dom and headers["Content-Type"] == "text/html; charset=utf-8"
    assert headers["WARC-Refers-To"] == records["response"][0]["WARC-Record-ID"]
    assert headers["WARC-Payload-Digest"] == sha1_base32(dom)
    (page,), _ = read_all([path])
    assert page.rendered and page.body == dom


def test_the_files_pass_warcio_check_and_index(tmp_path):
    paths = write(tmp_path, [fetch(5), fetch(6, status=304, body=b""), fetch(7, rendered=True)]).finished
    check = subprocess.run([str(WARCIO), "check", "-v", *map(str, paths)], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    assert "digest pass" in check.stdout and "failed" not in check.stdout
    index = subprocess.run([str(WARCIO), "index", *map(str, paths)], capture_output=True, text=True)
    assert index.returncode == 0, index.stderr
    types = [json.loads(line)["warc-type"] for line in index.stdout.splitlines()]
    assert types.count("response") == 2 and types.count("revisit") == 1 and types.count("conversion") == 1


def test_since_keeps_pages_fetched_from_then_on(tmp_path):
    write(tmp_path, [fetch(n) for n in range(4)])
    since = datetime.fromtimestamp(FETCHED_AT + 2, UTC).replace(tzinfo=None)  # naive: UTC
    assert [p.meta["n"] for p in iter_pages([tmp_path], since=since)] == [2, 3]


# --------------------------------------------------------------------------- unreadable data


def test_every_torn_end_is_skipped_and_counted_never_misread(tmp_path):
    bodies = [fetch(n).body for n in range(3)]
    (path,) = write(tmp_path / "whole", [fetch(0), fetch(1), fetch(2, rendered=True)]).finished
    data = path.read_bytes()
    torn = tmp_path / "torn.warc.gz"
    seen = Counter()
    for cut in range(1, len(data) - 200, 13):
        torn.write_bytes(data[:-cut])
        if scan_members(torn).good_bytes == len(data) - cut:
            continue  # between two members: the writer writes a fetch's members in one call
        pages, skips = read_all([torn])
        for page in pages:  # what is read is right: a fetch with records missing is dropped
            assert page.body == bodies[page.meta["n"]] and page.rendered == (page.meta["n"] == 2)
        assert sum(skips.values()) == 1 and set(skips) <= {TORN, UNREADABLE}, (cut, skips)
        seen[len(pages)] += 1
    assert set(seen) == {0, 1, 2}


def test_foreign_and_missing_files_are_skipped_with_a_reason(tmp_path, caplog):
    text = tmp_path / "notes.warc.gz"
    text.write_bytes(b"not a WARC file\n" * 20)
    zipped = tmp_path / "zipped.warc.gz"
    zipped.write_bytes(gzip.compress(b"hello world\n" * 50))
    (good,) = write(tmp_path / "good", [fetch(8)]).finished
    pages, skips = read_all([text, zipped, tmp_path / "nowhere.warc.gz", good])
    assert [p.meta["n"] for p in pages] == [8]
    assert skips == {UNREADABLE: 2, MISSING: 1}
    assert f"{text}: offset 0: skipped" in caplog.text


def test_a_record_whose_digest_fails_drops_its_page(tmp_path):
    members = [encode_records([record]) for record in build_records(fetch(9))]
    # The response's body changed after its digests were computed (same length: only they tell).
    members[0] = gzip.compress(gzip.decompress(members[0]).replace(b"<h1>B", b"<h1>X"))
    path = tmp_path / "bad.warc.gz"
    path.write_bytes(b"".join(members) + encode_records(build_records(fetch(10))))
    pages, skips = read_all([path])
    assert [p.meta["n"] for p in pages] == [10] and skips == {BAD_RECORD: 1}


# --------------------------------------------------------------------------- writer


def test_files_are_part_while_written_locked_and_renamed_on_close(tmp_path):
    writer = ArchiveWriter(tmp_path, "2026-01-02T03-04-05.678901", max_bytes=10**9)
    records = build_records(fetch(0))
    writer.append(encode_records(records), len(records))
    part = writer.part_path
    assert part is not None and part.name == "2026-01-02T03-04-05.678901-00001.warc.gz.part"
    assert in_use(part), "the writer holds a lock on its file"
    assert recover_folder(tmp_path) == [], "recovery leaves a live writer's file alone"
    final = writer.close()
    assert final == tmp_path / "2026-01-02T03-04-05.678901-00001.warc.gz" and final.exists()
    assert not part.exists() and writer.part_path is None
    assert writer.records == 3 and writer.bytes == final.stat().st_size


def test_files_rotate_once_past_the_size_limit(tmp_path):
    fetches = [fetch(n, body=random.Random(n).randbytes(5000)) for n in range(7)]  # 5 KB that gzip keeps
    writer = write(tmp_path, fetches, max_bytes=8000, prefix="start-w1")
    names = [p.name for p in writer.finished]
    assert len(names) >= 3
    assert names == [f"start-w1-{n:05d}.warc.gz" for n in range(1, len(names) + 1)]
    assert sorted(p.name for p in tmp_path.iterdir()) == names, "no .part file is left"
    for path in writer.finished[:-1]:
        assert path.stat().st_size >= 8000
    for path in writer.finished:  # each file stands alone: its own warcinfo first
        with path.open("rb") as file:
            assert next(iter(ArchiveIterator(file))).rec_type == "warcinfo"
    pages, skips = read_all([tmp_path])
    assert [p.meta["n"] for p in pages] == list(range(7)) and not skips


def test_recovery_keeps_every_complete_record_and_drops_a_torn_one(tmp_path):
    writer = ArchiveWriter(tmp_path, "killed", max_bytes=10**9)
    for n in range(3):
        records = build_records(fetch(n))
        writer.append(encode_records(records), len(records))
    part = writer.part_path
    assert part is not None
    complete = part.stat().st_size
    last = encode_records(build_records(fetch(3)))
    writer.append(last)
    assert writer._file is not None
    writer._file.close()  # the process dies: the lock goes, the file stays .part
    with part.open("r+b") as file:
        file.truncate(complete + 100)  # the last fetch's first record torn mid-member
    (recovered,) = recover_folder(tmp_path)
    assert recovered.final == tmp_path / "killed-00001.warc.gz"
    assert recovered.records == 1 + 3 * 3 and recovered.torn_bytes == 100
    assert recovered.final.stat().st_size == complete and not part.exists()
    pages, skips = read_all([recovered.final])
    assert [p.meta["n"] for p in pages] == [0, 1, 2] and not skips
    check = subprocess.run([str(WARCIO), "check", str(recovered.final)], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout


def test_recovery_removes_a_part_without_a_complete_record(tmp_path):
    part = tmp_path / "empty-00001.warc.gz.part"
    part.write_bytes(encode_records(build_records(fetch(0)))[:40])
    (recovered,) = recover_folder(tmp_path)
    assert recovered.final is None and recovered.records == 0 and not part.exists()


# --------------------------------------------------------------------------- settings


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("NEWSCRAWL_ARCHIVE", "sometimes", "invalid setting NEWSCRAWL_ARCHIVE: 'sometimes' is not one of"),
        ("NEWSCRAWL_ARCHIVE_MAX_MB", "0", "invalid setting NEWSCRAWL_ARCHIVE_MAX_MB='0': expected a number"),
    ],
)
def test_a_bad_archive_setting_is_one_line(tmp_path, name, value, message):
    settings = Settings()
    settings.setmodule(project_settings, priority="project")
    settings.set("NEWSCRAWL_OUTPUT_DIR", str(tmp_path))
    settings.set("NEWSCRAWL_STATE_ENABLED", False)
    settings.set(name, value)
    problem = settings_problem(settings)
    assert problem is not None and problem.startswith(message)


def test_the_archive_is_off_by_default_and_sees_final_decoded_responses():
    settings = Settings()
    settings.setmodule(project_settings, priority="project")
    assert settings.get("NEWSCRAWL_ARCHIVE") == "off"
    order = settings.getwithbase("DOWNLOADER_MIDDLEWARES")
    archive = order["newscrawl.archive.extension.ArchiveMiddleware"]
    # process_response runs from high numbers to low: below decompression, redirects and retries.
    assert archive < order["newscrawl.middlewares.BackoffRetryMiddleware"]
    assert archive < order["scrapy.downloadermiddlewares.httpcompression.HttpCompressionMiddleware"]
    note = order["newscrawl.archive.extension.ContentCodingNote"]
    assert order["scrapy.downloadermiddlewares.httpcompression.HttpCompressionMiddleware"] < note
    assert note < order["scrapy.downloadermiddlewares.redirect.RedirectMiddleware"]


# --------------------------------------------------------------------------- crawls that archive


def warcio(*args: str | Path) -> subprocess.CompletedProcess[str]:
    """The installed ``warcio`` command."""
    return subprocess.run([str(WARCIO), *map(str, args)], capture_output=True, text=True, timeout=300)


def archive_files(folder: Path) -> list[Path]:
    return sorted(folder.rglob("*.warc.gz"))


def check_with_warcio(files: list[Path]) -> None:
    """Every file passes ``warcio check`` (digests included) and ``warcio index``."""
    assert files
    check = warcio("check", *files)
    assert check.returncode == 0, check.stdout[-2000:] + check.stderr[-2000:]
    index = warcio("index", *files)
    assert index.returncode == 0 and "Traceback" not in index.stderr, index.stderr[-2000:]
    assert sum(1 for line in index.stdout.splitlines() if '"response"' in line) > 0


def visible_text(html: bytes) -> str:
    """The text a reader of the page sees (scripts left out), without whitespace."""
    tree = lxml.html.fromstring(html)
    for script in tree.xpath("//script"):
        script.drop_tree()
    return "".join(tree.text_content().split())


def target(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


# What a mirror route is, for requests the spider does not read as articles.
NOT_ARTICLES = frozenset({
    "robots", "asset", "home", "listing", "api_category", "api_post", "tag", "author",
    "sitemap_index", "sitemap_day", "sitemap_section", "news_sitemap", "rss",
})  # fmt: skip


def route_kind(mirror, request_target: str) -> str | None:
    route = mirror.pages.routes.get(lookup_key(request_target))
    return route[0] if route else None


@pytest.mark.slow
def test_a_crawl_archives_one_response_per_article_page(mirror, tmp_path):
    folder = tmp_path / "archive"
    mirror.reset_log()
    run = crawl(mirror.base_url, tmp_path / "out.jsonl", "-s", "NEWSCRAWL_ARCHIVE=articles",
                "-s", f"NEWSCRAWL_ARCHIVE_DIR={folder}")  # fmt: skip
    assert run.returncode == 0, run.log[-3000:]
    files = archive_files(folder)
    check_with_warcio(files)
    assert not list(folder.glob("*.part")), "a finished crawl leaves no .part file"
    pages, skips = read_all([folder])
    assert not skips
    assert {p.meta["kind"] for p in pages} == {"article"}
    fetched = Counter(r.target for r in mirror.requests if route_kind(mirror, r.target) not in NOT_ARTICLES)
    assert Counter(target(p.url) for p in pages) == fetched
    # What re-extraction needs besides the page: where it was found, and the crawl's origin.
    assert {p.meta["base_url"] for p in pages} == {mirror.base_url}
    categories = set(mirror.site.categories)
    found_under = [p.meta["found_under"] for p in pages if p.meta["found_under"]]
    assert found_under and all(len(f) == 1 and f[0] in categories for f in found_under)
    assert all(p.canonical == p.meta["canonical"] and p.canonical.endswith(p.meta["slug"]) for p in pages)
    # Every record of the feed comes from an archived response.
    archived = {p.canonical for p in pages if p.status == 200}
    assert run.records and {r["url"] for r in run.records} <= archived
    assert f"'newscrawl/archive/pages': {len(pages)}" in run.log


@pytest.mark.slow
def test_all_also_archives_homes_listings_sitemaps_and_feeds(mirror, tmp_path):
    folder = tmp_path / "archive"
    mirror.reset_log()
    run = crawl(mirror.base_url, tmp_path / "out.jsonl", "-s", "NEWSCRAWL_ARCHIVE=all",
                "-s", f"NEWSCRAWL_ARCHIVE_DIR={folder}")  # fmt: skip
    assert run.returncode == 0, run.log[-3000:]
    check_with_warcio(archive_files(folder))
    pages, skips = read_all([folder])
    assert not skips
    assert {"article", "home", "listing", "sitemap", "feed", "robots"} <= {p.meta["kind"] for p in pages}
    assert Counter(target(p.url) for p in pages) == Counter(r.target for r in mirror.requests)


@pytest.mark.slow
def test_kill_9_while_archiving_loses_no_record(mirror, tmp_path):
    state, output = tmp_path / "state.sqlite3", tmp_path / "corpus"
    folder = output / "vietnamvn" / "archive"
    killed = start_crawl(mirror.base_url, state, output, "-s", "NEWSCRAWL_ARCHIVE=articles")
    deadline = time.monotonic() + 120
    while killed.poll() is None and time.monotonic() < deadline:
        if sum(p.read_bytes().count(b"\n") for p in output.rglob("*.jsonl.part")) >= 40:
            break
        time.sleep(0.01)
    assert killed.poll() is None, "the crawl ended before it could be killed"
    killed.send_signal(signal.SIGKILL)
    killed.wait()
    (left,) = folder.glob("*.warc.gz.part")
    (killed_feed,) = (output / "vietnamvn").glob("*.jsonl.part")
    final = start_crawl(mirror.base_url, state, output, "-s", "NEWSCRAWL_ARCHIVE=articles")
    _, stderr = final.communicate(timeout=300)
    assert final.returncode == 0, stderr.decode()[-3000:]
    assert not list(output.rglob("*.part")), "feeds and archive files are all finished"
    recovered = folder / left.name.removesuffix(".part")
    assert recovered.exists() and recovered.name.startswith(killed_feed.name.removesuffix(".jsonl.part"))
    files = archive_files(folder)
    assert len(files) == 2
    check_with_warcio(files)
    pages, skips = read_all([folder])
    assert not skips
    archived = {p.canonical for p in pages if p.status == 200}
    emitted = [json.loads(line) for feed in (output / "vietnamvn").glob("*.jsonl") for line in feed.open()]
    assert emitted and {r["url"] for r in emitted} <= archived, "an article done without its record"
    assert b"recovered" in stderr and b"complete records of an interrupted run" in stderr


@pytest.mark.slow
@pytest.mark.skipif(not shutil.which("chromium"), reason="Debian's chromium is not installed")
def test_a_rendered_page_is_archived_with_its_dom(tmp_path):
    with MirrorServer(build_site(js=True)) as js_mirror:
        folder = tmp_path / "archive"
        run = crawl(js_mirror.base_url, tmp_path / "out.jsonl", "-s", "NEWSCRAWL_ARCHIVE=articles",
                    "-s", f"NEWSCRAWL_ARCHIVE_DIR={folder}")  # fmt: skip
        assert run.returncode == 0, run.log[-3000:]
        client_rendered = js_mirror.site.client_rendered_urls()
    files = archive_files(folder)
    check_with_warcio(files)
    pages, skips = read_all([folder])
    assert not skips
    rendered = [p for p in pages if p.rendered]
    assert client_rendered <= {p.canonical for p in rendered}
    assert all(p.meta["render_kind"] in ("article", "article_fields") for p in rendered)
    conversions = sum(line.count('"conversion"') for line in warcio("index", *files).stdout.splitlines())
    assert conversions == len(rendered)
    # The conversion record holds the DOM the browser drew: the text a script added to the page.
    for page in rendered:
        if page.canonical in client_rendered:
            static = next(p for p in pages if p.canonical == page.canonical and not p.rendered)
            assert len(visible_text(page.body)) > len(visible_text(static.body)) + 100


# --------------------------------------------------------------------------- the middleware


def archiving_crawler(tmp_path: Path, **settings: object) -> tuple[Crawler, VietnamVnSpider]:
    """A crawler of the project's spider with the archive on, as far as the middleware needs it."""
    project = {name: getattr(project_settings, name) for name in dir(project_settings) if name.isupper()}
    values = {**project, "NEWSCRAWL_ARCHIVE": "articles", "NEWSCRAWL_OUTPUT_DIR": str(tmp_path),
              "NEWSCRAWL_STATE_ENABLED": False, **settings}  # fmt: skip
    crawler = get_crawler(VietnamVnSpider, values)
    spider = VietnamVnSpider.from_crawler(crawler, base_url="http://127.0.0.1:8123")
    crawler.spider = spider
    return crawler, spider


def test_the_middleware_archives_an_article_response_as_fetched(tmp_path):
    crawler, spider = archiving_crawler(
        tmp_path, NEWSCRAWL_STATE_URI="redis://127.0.0.1:1/0", NEWSCRAWL_WORKER_ID="w1"
    )
    middleware, note = ArchiveMiddleware.from_crawler(crawler), ContentCodingNote.from_crawler(crawler)
    url = spider.mapper.parse("/en/some-article-slug-here")
    request = Request(spider.mapper.fetch_url(url), callback=spider.parse_article,
                      meta={"site_url": url, "found_under": ["the-thao"]},
                      headers={"User-Agent": "newscrawl/test", "If-None-Match": '"v1"'})  # fmt: skip
    wire = Response(request.url, request=request, headers={"Content-Encoding": "gzip"}, body=b"...")
    note.process_response(request, wire)
    decoded = HtmlResponse(request.url, status=200, request=request, headers={"Content-Type": "text/html"},
                           body="<html><p>Thể thao</p></html>".encode())  # fmt: skip
    assert asyncio.run(middleware.process_response(request, decoded)) is decoded
    listing = Request("http://127.0.0.1:8123/category/the-thao", callback=spider.parse_listing)
    page = HtmlResponse(listing.url, request=listing, body=b"<html></html>")
    assert asyncio.run(middleware.process_response(listing, page)) is page  # `articles` keeps no listing
    (part,) = (tmp_path / "vietnamvn" / "archive").glob("*.part")
    assert part.name.endswith("-w1-00001.warc.gz.part"), "a cluster worker's files carry its id"
    middleware.spider_closed(spider, "finished")
    (page_read,), skips = read_all([tmp_path / "vietnamvn" / "archive"])
    assert not skips and not list((tmp_path / "vietnamvn" / "archive").glob("*.part"))
    assert page_read.url == "http://127.0.0.1:8123/en/some-article-slug-here"
    assert page_read.canonical == url.canonical and page_read.body == decoded.body
    assert page_read.header(DECODED_HEADER) == "gzip"
    assert page_read.meta == {
        "canonical": url.canonical, "lang": "en", "slug": "some-article-slug-here", "kind": "article",
        "found_under": ["the-thao"], "base_url": "http://127.0.0.1:8123",
        "site": "newscrawl.sites.vietnamvn:VIETNAM_VN", "rendered": False, "render_kind": None,
        "fetched_at": page_read.meta["fetched_at"], "spider": "vietnamvn",
    }  # fmt: skip
    stats = crawler.stats
    assert stats.get_value(ARCHIVE_PAGES) == 1 and stats.get_value(ARCHIVE_RECORDS) == 3


def test_a_full_disk_stops_processing_the_page(tmp_path, monkeypatch):
    crawler, spider = archiving_crawler(tmp_path)
    middleware = ArchiveMiddleware.from_crawler(crawler)
    request = Request("http://127.0.0.1:8123/some-article-slug-here", callback=spider.parse_article)
    response = HtmlResponse(request.url, request=request, body=b"<html></html>")

    def full(data: bytes, records: int = 1) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    closed = []

    class Engine:
        def close_spider_async(self, reason: str) -> Any:
            closed.append(reason)
            return asyncio.sleep(0)

    monkeypatch.setattr(middleware.writer, "append", full)
    crawler.engine = Engine()  # type: ignore[assignment]
    with pytest.raises(ArchiveFailed):
        asyncio.run(middleware.process_response(request, response))
    assert middleware.failed and crawler.stats.get_value(ARCHIVE_FAILED) == 1
    assert closed == ["archive_error"]
    with pytest.raises(ArchiveFailed):  # and every page after it
        asyncio.run(middleware.process_response(request, response))
