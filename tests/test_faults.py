"""Reliability: the crawl against a mirror that misbehaves on demand (``tests/mirror/faults.py``).

A small dedicated mirror (30 articles; Vietnamese crawled) serves each group of faults during
one crawl, on distinct article paths; the tests then check the output against the truth, the
crawl's stats and health report, and the mirror's access log (arrival times, fault labels).
A fault-free crawl of the same mirror is the baseline that counters are compared with. Feeds
and state stay in each test's own folder (``NEWSCRAWL_OUTPUT_DIR``), never in the repository's
``output/``, where a concurrent crawl's ``.part`` feed would be "recovered" into our state.

Which URL a redirected article is recorded under: the crawler records the *requested* URL
(``meta["site_url"]``), made canonical. A redirect chain that ends on the same article thus
gives that article's canonical URL, which is also the truth.

Every crawl resolves host names through :class:`LoopbackResolver`: were a link or redirect off
the loopback interface ever followed, the request would fail here rather than leave the machine
(and would still show in ``downloader/request_count``).
"""

from __future__ import annotations

import http.client
import ipaddress
import json
import os
import re
import subprocess
import sys
import threading
import time
import unicodedata
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
from scrapy.resolver import CachingThreadedResolver
from twisted.internet import defer
from twisted.internet.error import DNSLookupError

from tests.compare import compare, read_jsonl
from tests.crawl import FAST, ROOT
from tests.mirror.faults import (
    GARBAGE,
    JPEG,
    PDF,
    PDF_UNCOMPRESSED,
    Delay,
    Fault,
    Huge,
    Redirect,
    Reset,
    Serve,
    Status,
    Trickle,
    Truncate,
    article_json,
    encode_cp1258,
    malformed,
    nested,
    not_found_template,
    recoded,
    robots_txt,
)
from tests.mirror.model import build_site
from tests.mirror.server import MirrorServer, RequestRecord

pytestmark = pytest.mark.slow

CANONICAL = "https://www.vietnam.vn"
RETRY_TIMES = 2
BACKOFF_BASE = 0.05
TIMEOUT = 2
# Fast, deterministic crawls: Vietnamese only, short timeout and backoff, and the health
# report's error-rate threshold out of the way (these crawls fail on purpose).
ARGS = (
    "-a", "langs=vi", "-s", f"DOWNLOAD_TIMEOUT={TIMEOUT}", "-s", f"RETRY_TIMES={RETRY_TIMES}",
    "-s", f"NEWSCRAWL_RETRY_BACKOFF_BASE={BACKOFF_BASE}", "-s", "NEWSCRAWL_HEALTH_MAX_ERROR_RATE=1.0",
    "-s", "TWISTED_DNS_RESOLVER=tests.test_faults.LoopbackResolver",
)  # fmt: skip
NO_SITEMAPS = ("-s", "NEWSCRAWL_SITEMAPS=False")  # for single-fault crawls: listings find every article
MB = 1024 * 1024


class LoopbackResolver(CachingThreadedResolver):
    """Resolves ``localhost`` and loopback addresses only; any other name fails at once."""

    def getHostByName(self, name: str, timeout: Sequence[int] = ()) -> defer.Deferred[str]:
        """Resolve loopback names; refuse the rest (no DNS query leaves the machine)."""
        try:
            loopback = ipaddress.ip_address(name).is_loopback
        except ValueError:
            loopback = name.lower().rstrip(".") == "localhost"
        if loopback:
            return super().getHostByName(name, timeout)
        return defer.fail(DNSLookupError(f"{name}: tests resolve loopback names only"))


# --------------------------------------------------------------------------- running crawls


@dataclass
class Run:
    """A finished crawl: exit status, log, records, stats, health report, peak memory of the
    crawl process, its feed and state files, and the mirror's access log during the crawl."""

    returncode: int
    log: str
    records: list[dict[str, Any]]
    stats: dict[str, float]
    health: dict[str, Any]
    max_rss_mb: float
    seconds: float
    out: Path
    state: Path
    requests: list[RequestRecord] = field(default_factory=list)

    def urls(self) -> set[str]:
        """URLs of the records."""
        return {r["url"] for r in self.records}

    def stat(self, name: str) -> float:
        """One stat (0 when absent)."""
        return self.stats.get(name, 0)

    def hits(self, path: str) -> list[RequestRecord]:
        """Requests the mirror received for ``path`` (any query, with or without trailing slash)."""
        return [r for r in self.requests if (r.path.rstrip("/") or "/") == path]


_STAT = re.compile(r"^\s*[{ ]?'([^']+)': (-?\d+(?:\.\d+)?)", re.M)


def parse_stats(log: str) -> dict[str, float]:
    """The numeric stats of Scrapy's end-of-crawl dump."""
    _, _, dump = log.rpartition("Dumping Scrapy stats:")
    dump = dump.split("\n20", 1)[0]  # up to the next log line
    return {key: float(value) for key, value in _STAT.findall(dump)}


def run_crawl(base_url: str, out: Path, *args: str, state: Path | None = None, timeout: float = 180) -> Run:
    """``scrapy crawl vietnamvn`` as :func:`tests.crawl.crawl` runs it, plus :data:`ARGS`, with
    feeds and state under ``out``'s folder and the crawl process's peak memory measured."""
    state = state or out.with_name(out.name + ".state.sqlite3")
    log_path = out.with_name(out.name + ".log")
    command = [
        sys.executable, "-m", "scrapy", "crawl", "vietnamvn", "-a", f"base_url={base_url}", "-O", str(out),
        *FAST, *ARGS, "-s", f"NEWSCRAWL_STATE_URI={state}",
        "-s", f"NEWSCRAWL_OUTPUT_DIR={out.parent / 'feeds'}", *args,
    ]  # fmt: skip
    env = {**os.environ, "PYTHONPATH": str(ROOT), "SCRAPY_SETTINGS_MODULE": "newscrawl.settings",
           "XDG_STATE_HOME": str(out.parent)}  # fmt: skip
    started = time.monotonic()
    with log_path.open("wb") as log:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdin=subprocess.DEVNULL,
                                   stdout=subprocess.DEVNULL, stderr=log)  # fmt: skip
    while True:  # os.wait4 gives this child's own peak memory
        pid, status, usage = os.wait4(process.pid, os.WNOHANG)
        if pid:
            break
        if time.monotonic() - started > timeout:
            process.kill()
            _, status, usage = os.wait4(process.pid, 0)
            break
        time.sleep(0.05)
    process.returncode = os.waitstatus_to_exitcode(status)
    text = log_path.read_text(encoding="utf-8", errors="replace")
    health = out.with_suffix(".health.json")
    return Run(
        returncode=process.returncode, log=text, records=read_jsonl(out) if out.exists() else [],
        stats=parse_stats(text), health=json.loads(health.read_text()) if health.exists() else {},
        max_rss_mb=usage.ru_maxrss / 1024, seconds=time.monotonic() - started, out=out, state=state,
    )  # fmt: skip


def faulted_crawl(mirror: MirrorServer, faults: Mapping[str, Fault], out: Path, *args: str,
                  state: Path | None = None) -> Run:
    """Crawl ``mirror`` with ``faults`` installed; the run keeps the access log of the crawl."""
    mirror.reset_log()
    with mirror.faults.injected(faults):
        run = run_crawl(mirror.base_url, out, *args, state=state)
    time.sleep(0.2)  # let handler threads of cut connections finish their bookkeeping
    run.requests = mirror.requests
    return run


def assert_no_crash(run: Run) -> None:
    """The crawl ended normally: exit status 0, finished, no callback raised."""
    assert run.returncode == 0, run.log[-3000:]
    errors = run.log.find("Spider error processing")
    assert errors < 0, run.log[errors:][:4000]
    assert not [k for k in run.stats if k.startswith("spider_exceptions")], run.stats
    assert run.health.get("finish_reason") == "finished", run.log[-3000:]


def assert_no_traceback(run: Run) -> None:
    """Nothing in the log printed a Python traceback."""
    where = run.log.find("Traceback")
    assert where < 0, run.log[max(0, where - 300):][:3000]


def assert_output(records: list[dict[str, Any]], expected: list[dict[str, Any]]) -> None:
    """The records equal ``expected`` exactly."""
    result = compare(records, expected)
    assert result.equal, result.summary()


def gaps(requests: list[RequestRecord]) -> list[float]:
    """Seconds between consecutive requests."""
    return [b.at - a.at for a, b in zip(requests, requests[1:], strict=False)]


# --------------------------------------------------------------------------- the mirror


@dataclass
class Site:
    """The dedicated mirror, its Vietnamese truth, and article paths free for faults."""

    mirror: MirrorServer
    truth: list[dict[str, Any]]
    free: list[str]

    def path(self, n: int) -> str:
        """The ``n``-th article path free for faults."""
        return self.free[n]

    def record(self, path: str) -> dict[str, Any]:
        """The truth record of an article path."""
        return next(r for r in self.truth if r["url"] == CANONICAL + path)

    def without(self, paths: Sequence[str]) -> list[dict[str, Any]]:
        """The truth minus the articles at ``paths``."""
        gone = {CANONICAL + p for p in paths}
        return [r for r in self.truth if r["url"] not in gone]


def assert_article(run: Run, site: Site, path: str) -> None:
    """The article at ``path`` was emitted once, exactly as the truth has it."""
    assert_output([r for r in run.records if r["translation_key"] == path.strip("/")], [site.record(path)])


@pytest.fixture(scope="module")
def site() -> Iterator[Site]:
    """A small mirror (30 articles, vi + en) of its own, so faults never touch other tests."""
    # No embedded-data layouts: the faults are aimed at pages whose article is in their markup.
    server = MirrorServer(build_site(seed=11, n_articles=30, langs=("vi", "en"), embedded=0)).start()
    truth = [r for r in server.truth if r["lang"] == "vi"]
    # Deliberate duplicates are left alone: only one of each pair is ever emitted.
    free = sorted(r["url"].removeprefix(CANONICAL) for r in truth if "_dup_group" not in r)
    yield Site(server, truth, free)
    server.stop()


@pytest.fixture(scope="module")
def baseline(site: Site, tmp_path_factory: pytest.TempPathFactory) -> Run:
    """A crawl of the mirror without faults."""
    return faulted_crawl(site.mirror, {}, tmp_path_factory.mktemp("baseline") / "out.jsonl")


def test_baseline_crawl_equals_the_truth(site: Site, baseline: Run) -> None:
    assert_no_crash(baseline)
    assert_no_traceback(baseline)
    assert_output(baseline.records, site.truth)
    assert not [r for r in baseline.requests if r.fault]


# --------------------------------------------------------------------------- the fault API itself


def fetch(mirror: MirrorServer, target: str, method: str = "GET") -> tuple[int, dict[str, str], bytes]:
    """One request to the mirror on a fresh connection: status, headers, body."""
    connection = http.client.HTTPConnection(mirror.host, mirror.port, timeout=10)
    try:
        connection.request(method, target)
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


@pytest.fixture
def clean(site: Site) -> Iterator[Site]:
    """The site, its faults cleared after the test whatever happens."""
    yield site
    site.mirror.faults.clear()


def test_faults_are_served_counted_and_restored(clean: Site) -> None:
    site = clean
    faults, path = site.mirror.faults, site.path(0)
    site.mirror.reset_log()
    with faults.injected({path: Status(503, times=2), f"{path}?page=2": Status(404)}):
        assert [fetch(site.mirror, path)[0] for _ in range(3)] == [503, 503, 200]
        assert fetch(site.mirror, f"{path}/?page=2")[0] == 404  # the query key decides first
        assert fetch(site.mirror, f"{path}?utm_source=x")[0] == 200  # the path's fault, exhausted
        assert faults.served(path) == 2 and faults.served(f"{path}?page=2") == 1
    assert [(r.status, r.fault) for r in site.mirror.requests] == [
        (503, "Status(503)"), (503, "Status(503)"), (200, ""), (404, "Status(404)"), (200, "")]
    assert all(a.at <= b.at for a, b in zip(site.mirror.requests, site.mirror.requests[1:], strict=False))
    faults.set(path, Status(410))
    with faults.injected({path: Status(500)}):
        assert fetch(site.mirror, path)[0] == 500
        assert faults.served(path) == 1  # the path's counter restarts with each installation
    assert fetch(site.mirror, path)[0] == 410  # what was there before is back
    assert faults.served(path) == 2  # and the path's counter goes on
    faults.remove(path)
    assert fetch(site.mirror, path)[0] == 200 and faults.served(path) == 2
    faults.clear()
    assert fetch(site.mirror, path)[0] == 200 and faults.counts() == {}


def test_faults_are_delivered_as_described(clean: Site) -> None:
    site = clean
    mirror, path = site.mirror, site.path(0)
    normal = fetch(mirror, path)[2]
    with mirror.faults.injected({path: Truncate(0.5)}), pytest.raises(http.client.IncompleteRead):
        fetch(mirror, path)
    with mirror.faults.injected({path: Reset(0.5)}), pytest.raises(ConnectionError):
        fetch(mirror, path)
    with mirror.faults.injected({path: Trickle(0.5)}):
        started = time.monotonic()
        assert fetch(mirror, path)[2] == normal and time.monotonic() - started >= 0.45
    with mirror.faults.injected({path: Huge(300_000, declare_length=False)}):
        status, headers, body = fetch(mirror, path)
        assert (status, len(body), "Content-Length" in headers) == (200, 300_000, False)
    with mirror.faults.injected({path: Redirect("http://evil.example/x", 307)}):
        assert fetch(mirror, path)[1]["Location"] == "http://evil.example/x"
    with mirror.faults.injected({path: Status(429, retry_date=5)}):
        retry_at = parsedate_to_datetime(fetch(mirror, path)[1]["Retry-After"]).timestamp()
        assert time.time() + 3 < retry_at <= time.time() + 6
    with mirror.faults.injected({path: Status(503, retry_after=1)}):
        assert fetch(mirror, path, "HEAD")[1]["Retry-After"] == "1"
    with mirror.faults.injected({path: malformed()}):
        assert GARBAGE in fetch(mirror, path)[2]
    with mirror.faults.injected({path: nested(5000)}):
        assert fetch(mirror, path)[2].count(b"<div>") >= 5000


def test_windows_1258_encoding_round_trips(site: Site) -> None:
    for record in site.truth:
        for text in (record["title"], record["body"]):
            encoded = encode_cp1258(text)
            assert unicodedata.normalize("NFC", encoded.decode("cp1258")) == text


# --------------------------------------------------------------------------- HTTP errors

GONE = {404: 0, 410: 1}
FAILING = {
    "500": (2, Status(500)), "502": (3, Status(502)), "503-retry-after": (4, Status(503, retry_after=1)),
    "429-retry-after-date": (5, Status(429, retry_date=2)), "429": (6, Status(429)),
}  # fmt: skip
RECOVERING = {
    "503-twice": (7, Status(503, times=2)), "429-once-retry-after": (8, Status(429, retry_after=1, times=1)),
    "500-once": (9, Status(500, times=1)),
}  # fmt: skip


def served_with(status: int) -> int:
    """Responses with ``status`` the HTTP-error crawl gets: every try of the failing articles,
    and the failures before recovery of the recovering ones."""
    failing = sum(1 + RETRY_TIMES for _, f in FAILING.values() if f.status == status)
    return failing + sum(f.times or 0 for _, f in RECOVERING.values() if f.status == status)


@pytest.fixture(scope="module")
def http_run(site: Site, tmp_path_factory: pytest.TempPathFactory) -> Run:
    """One crawl with 404, 410, always-failing 5xx/429 and recovering 5xx/429 articles."""
    faults: dict[str, Fault] = {site.path(n): Status(code) for code, n in GONE.items()}
    faults.update({site.path(n): fault for n, fault in (*FAILING.values(), *RECOVERING.values())})
    return faulted_crawl(site.mirror, faults, tmp_path_factory.mktemp("http") / "out.jsonl")


def test_http_error_crawl_ends_normally_without_what_failed(site: Site, http_run: Run) -> None:
    assert_no_crash(http_run)
    assert_no_traceback(http_run)
    failed = [site.path(n) for n in GONE.values()] + [site.path(n) for n, _ in FAILING.values()]
    assert_output(http_run.records, site.without(failed))
    assert http_run.health["http"]["retries_given_up"] == len(FAILING)


@pytest.mark.parametrize("status", sorted(GONE))
def test_gone_article_is_counted_not_retried(site: Site, http_run: Run, status: int) -> None:
    path = site.path(GONE[status])
    assert [r.status for r in http_run.hits(path)] == [status]
    assert CANONICAL + path not in http_run.urls()
    assert http_run.stat(f"newscrawl/http/{status}") == 1
    assert http_run.stat("newscrawl/status/removed") == 0  # never emitted, so no tombstone


@pytest.mark.parametrize("name", sorted(FAILING))
def test_failing_article_is_retried_with_backoff_then_counted(site: Site, http_run: Run, name: str) -> None:
    n, fault = FAILING[name]
    path = site.path(n)
    hits = http_run.hits(path)
    assert [r.status for r in hits] == [fault.status] * (1 + RETRY_TIMES)
    assert CANONICAL + path not in http_run.urls()
    assert http_run.health["http"]["status"][str(fault.status)] == served_with(fault.status)
    # Waits: at least the exponential backoff from NEWSCRAWL_RETRY_BACKOFF_BASE, or what
    # Retry-After asks (1 s, or an HTTP date 1-2 s ahead). A lower bound holds by causality: the
    # server logs a try before answering it, the crawler waits after the answer. Retries also
    # queue behind other requests (lower priority), so there is no upper bound to check.
    asked = 1.0 if fault.retry_after or fault.retry_date else 0.0
    for k, gap in enumerate(gaps(hits)):
        assert gap >= max(BACKOFF_BASE * 2**k, asked) - 0.01, gaps(hits)


@pytest.mark.parametrize("name", sorted(RECOVERING))
def test_article_recovering_after_failures_is_in_the_output(site: Site, http_run: Run, name: str) -> None:
    n, fault = RECOVERING[name]
    path = site.path(n)
    hits = http_run.hits(path)
    assert [r.status for r in hits] == [fault.status] * (fault.times or 0) + [200]
    assert site.mirror.faults.served(path) == fault.times
    if fault.retry_after:
        assert min(gaps(hits)) >= float(fault.retry_after) - 0.01, gaps(hits)
    assert_article(http_run, site, path)


def test_next_incremental_run_picks_up_what_failed(site: Site, http_run: Run, tmp_path: Path) -> None:
    # Same state file, the site healthy again: what failed is fetched and emitted now (the
    # 404/410 pages are back too), and nothing emitted before is emitted again.
    second = faulted_crawl(site.mirror, {}, tmp_path / "second.jsonl", state=http_run.state)
    assert_no_crash(second)
    failed = [site.path(n) for n in GONE.values()] + [site.path(n) for n, _ in FAILING.values()]
    assert_output(second.records, [site.record(p) for p in failed])
    for path in failed:
        assert len(second.hits(path)) == 1


# --------------------------------------------------------------------------- slow and broken connections

WITHIN_TIMEOUT = {"delay": (0, Delay(0.6)), "trickle": (1, Trickle(0.8))}
TIMING_OUT = {"hang": (2, Delay(TIMEOUT + 3)), "trickle-too-slow": (3, Trickle(TIMEOUT + 3))}
CUT = {
    "reset": (4, Reset(0.5)), "truncated": (5, Truncate(0.5)),
    "reset-near-the-end": (6, Reset(0.98)), "truncated-near-the-end": (7, Truncate(0.98)),
}  # fmt: skip
FAILING_ONCE = {
    "timeout-once": (8, Delay(TIMEOUT + 3, times=1)), "reset-once": (9, Reset(0.7, times=1)),
    "truncated-once": (10, Truncate(0.7, times=1)),
}  # fmt: skip


@pytest.fixture(scope="module")
def network_run(site: Site, tmp_path_factory: pytest.TempPathFactory) -> Run:
    """One crawl with slow pages, hung pages, resets and truncated bodies."""
    groups = (WITHIN_TIMEOUT, TIMING_OUT, CUT, FAILING_ONCE)
    faults = {site.path(n): fault for group in groups for n, fault in group.values()}
    return faulted_crawl(site.mirror, faults, tmp_path_factory.mktemp("network") / "out.jsonl")


def test_network_fault_crawl_ends_normally_without_what_failed(site: Site, network_run: Run) -> None:
    assert_no_crash(network_run)
    failed = [site.path(n) for n, _ in (*TIMING_OUT.values(), *CUT.values())]
    assert_output(network_run.records, site.without(failed))
    assert network_run.health["http"]["retries_given_up"] == len(TIMING_OUT) + len(CUT)


def test_download_failures_are_logged_without_a_traceback(network_run: Run) -> None:
    # What failed is in the stats and the health report; the log says it in one line each.
    assert_no_traceback(network_run)


def test_no_record_is_a_prefix_of_its_article(site: Site, network_run: Run) -> None:
    truth = {r["url"]: r for r in site.truth}
    for record in network_run.records:
        want = truth[record["url"]]
        assert (record["body"], record["word_count"], record["images"]) == (
            want["body"], want["word_count"], want["images"]
        ), record["url"]


@pytest.mark.parametrize("name", sorted(WITHIN_TIMEOUT))
def test_slow_page_within_the_timeout_is_extracted(site: Site, network_run: Run, name: str) -> None:
    path = site.path(WITHIN_TIMEOUT[name][0])
    assert [r.status for r in network_run.hits(path)] == [200]
    assert_article(network_run, site, path)


@pytest.mark.parametrize("name", sorted(TIMING_OUT))
def test_timed_out_page_is_retried_then_counted(site: Site, network_run: Run, name: str) -> None:
    path = site.path(TIMING_OUT[name][0])
    hits = network_run.hits(path)
    assert len(hits) == 1 + RETRY_TIMES
    assert CANONICAL + path not in network_run.urls()
    # Every try ran into the timeout (arrival times cannot show it: the client's clock starts
    # before the server sees the request).
    timeouts = network_run.stat("downloader/exception_type_count/scrapy.exceptions.DownloadTimeoutError")
    assert timeouts == len(TIMING_OUT) * (1 + RETRY_TIMES) + 1  # + the first try of "timeout-once"


@pytest.mark.parametrize("name", sorted(CUT))
def test_cut_response_is_retried_and_never_parsed(site: Site, network_run: Run, name: str) -> None:
    path = site.path(CUT[name][0])
    assert len(network_run.hits(path)) == 1 + RETRY_TIMES
    assert site.mirror.faults.served(path) == 1 + RETRY_TIMES
    assert CANONICAL + path not in network_run.urls()


@pytest.mark.parametrize("name", sorted(FAILING_ONCE))
def test_page_failing_once_is_complete_on_retry(site: Site, network_run: Run, name: str) -> None:
    path = site.path(FAILING_ONCE[name][0])
    assert [r.fault != "" for r in network_run.hits(path)] == [True, False]
    assert_article(network_run, site, path)


# --------------------------------------------------------------------------- redirects


class Sink:
    """A tiny HTTP server that logs every request it gets (a host the crawl must never reach)."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self.requests: list[tuple[str, str]] = []
        sink = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                """Log the request; answer with a page."""
                sink.requests.append((self.headers.get("Host", ""), self.path))
                body = b"<html><body><h1>not the site</h1></body></html>"
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                """Quiet."""

        self.httpd = ThreadingHTTPServer((host, port), Handler)
        self.httpd.daemon_threads = True
        self.base_url = f"http://{host}:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def stop(self) -> None:
        """Stop and close."""
        self.httpd.shutdown()
        self.httpd.server_close()


@dataclass
class RedirectRun:
    """The redirect crawl, and the servers it must not have reached."""

    run: Run
    sinks: list[Sink]


CHAIN, LOOP, SELF_LOOP = 0, 1, 2
SELF_LOOP_HOPS = 30
OFFSITE = {
    "other-domain": (3, "http://evil.example/{slug}"),
    "protocol-relative-other-domain": (4, "//evil.example/{slug}"),
    "other-loopback-address-same-port": (5, "{other_host}/{slug}"),
    "other-port-same-host": (6, "{other_port}/{slug}"),
    "localhost-same-port": (7, "http://localhost:{port}/{slug}"),
    "file-scheme": (8, "file:///etc/passwd"),
}  # fmt: skip


@pytest.fixture(scope="module")
def redirect_run(site: Site, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedirectRun]:
    """One crawl with a redirect chain, two loops and redirects off the crawl origin; sinks
    listen on another port of 127.0.0.1 and on 127.0.0.2 at the mirror's own port."""
    mirror = site.mirror
    other_port, other_host = Sink(), Sink("127.0.0.2", mirror.port)
    slug = site.path(CHAIN).strip("/")
    faults: dict[str, Fault] = {
        # 301 to the canonical host (an alias the crawler maps to its origin), 302, 307, then the
        # article itself with a trailing slash (the first fault is served once).
        f"/{slug}": Redirect(f"{CANONICAL}/bai-viet/{slug}", 301, times=1),
        f"/bai-viet/{slug}": Redirect(f"/amp/{slug}", 302),
        f"/amp/{slug}": Redirect(f"{mirror.base_url}/{slug}/", 307),
        site.path(LOOP): Redirect("/loop/a", 302),
        "/loop/a": Redirect("/loop/b", 302),
        "/loop/b": Redirect("/loop/a", 302),
    }
    looping = site.path(SELF_LOOP)  # to itself with a new query every time: never a seen URL
    faults[looping] = Redirect(f"{looping}?hop=1", 302)
    for k in range(1, SELF_LOOP_HOPS):
        faults[f"{looping}?hop={k}"] = Redirect(f"{looping}?hop={k + 1}", 302)
    places = {"other_host": other_host.base_url, "other_port": other_port.base_url, "port": str(mirror.port)}
    for n, location in OFFSITE.values():
        faults[site.path(n)] = Redirect(location.format(slug=site.path(n).strip("/"), **places), 302)
    try:
        run = faulted_crawl(mirror, faults, tmp_path_factory.mktemp("redirects") / "out.jsonl")
        yield RedirectRun(run, [other_port, other_host])
    finally:
        other_port.stop()
        other_host.stop()


def test_redirect_crawl_ends_normally_without_what_failed(site: Site, redirect_run: RedirectRun) -> None:
    run = redirect_run.run
    assert_no_crash(run)
    assert_no_traceback(run)
    failed = [site.path(n) for n in (LOOP, SELF_LOOP)] + [site.path(n) for n, _ in OFFSITE.values()]
    assert_output(run.records, site.without(failed))


def test_redirect_chain_is_followed_to_the_real_page(site: Site, redirect_run: RedirectRun) -> None:
    run = redirect_run.run
    path = site.path(CHAIN)
    slug = path.strip("/")
    hops = {path, f"/bai-viet/{slug}", f"/amp/{slug}"}
    chain = [(r.target, r.status) for r in run.requests if (r.path.rstrip("/") or "/") in hops]
    assert chain == [(path, 301), (f"/bai-viet/{slug}", 302), (f"/amp/{slug}", 307), (f"{path}/", 200)]
    assert run.stat("newscrawl/offsite/remapped") == 1  # the hop through https://www.vietnam.vn
    # Recorded under the requested URL, made canonical: the same article, so the truth's URL.
    assert_article(run, site, path)


def test_redirect_loops_stop(site: Site, redirect_run: RedirectRun) -> None:
    run = redirect_run.run
    assert sorted(r.target for r in run.requests if r.path.startswith("/loop/")) == ["/loop/a", "/loop/b"]
    assert 1 < len(run.hits(site.path(SELF_LOOP))) <= 21  # REDIRECT_MAX_TIMES (20) redirects at most
    for n in (LOOP, SELF_LOOP):
        assert CANONICAL + site.path(n) not in run.urls()


@pytest.mark.parametrize("name", sorted(OFFSITE))
def test_offsite_redirect_is_never_followed(site: Site, redirect_run: RedirectRun, name: str) -> None:
    run = redirect_run.run
    path = site.path(OFFSITE[name][0])
    assert [r.status for r in run.hits(path)] == [302]
    assert CANONICAL + path not in run.urls()
    assert [sink.requests for sink in redirect_run.sinks] == [[], []]
    assert not [r for r in run.requests if r.headers.get("Host", "").startswith("localhost")]
    # Every request the downloader sent reached the mirror: none went to another host or a file.
    assert run.stat("downloader/request_count") == len(run.requests)
    exceptions = {k for k in run.stats if k.startswith("downloader/exception_type_count/")}
    assert exceptions <= {"downloader/exception_type_count/scrapy.exceptions.IgnoreRequest"}
    # newscrawl's SiteOnlyMiddleware drops the http(s) ones; Scrapy never follows file: at all.
    assert run.stat("newscrawl/offsite/blocked") == len(OFFSITE) - 1


# --------------------------------------------------------------------------- odd content

CHARSETS = {
    "no-charset-anywhere": recoded("utf-8", header=None, meta=None),
    "latin-1-header-on-utf-8-with-utf-8-meta": recoded("utf-8", header="iso-8859-1", meta="utf-8"),
    "latin-1-header-on-utf-8-no-meta": recoded("utf-8", header="iso-8859-1", meta=None),
    "windows-1258-declared": recoded("windows-1258", header="windows-1258", meta="windows-1258"),
    "windows-1258-in-meta-only": recoded("windows-1258", header=None, meta="windows-1258"),
}


@pytest.fixture(scope="module")
def content_run(site: Site, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """One crawl with charset trouble and malformed or nested HTML; returns the run and the
    article path of each variant."""
    variants: dict[str, Fault] = {**CHARSETS, "malformed": malformed(), "nested-1000": nested(1000)}
    paths = dict(zip(variants, site.free, strict=False))
    faults = {paths[name]: fault for name, fault in variants.items()}
    run = faulted_crawl(site.mirror, faults, tmp_path_factory.mktemp("content") / "out.jsonl")
    return {"run": run, "paths": paths}


def test_odd_content_crawl_ends_normally(content_run: dict[str, Any]) -> None:
    assert_no_crash(content_run["run"])
    assert_no_traceback(content_run["run"])


@pytest.mark.parametrize("variant", list(CHARSETS))
def test_vietnamese_text_comes_out_right_whatever_the_charset(
    site: Site, content_run: dict[str, Any], variant: str
) -> None:
    assert_article(content_run["run"], site, content_run["paths"][variant])


@pytest.mark.parametrize("variant", ["malformed", "nested-1000"])
def test_broken_or_deep_markup_is_extracted(site: Site, content_run: dict[str, Any], variant: str) -> None:
    assert_article(content_run["run"], site, content_run["paths"][variant])


@pytest.fixture(scope="module")
def very_deep_run(site: Site, tmp_path_factory: pytest.TempPathFactory) -> Run:
    """A crawl with one article wrapped in 5,000 nested ``<div>``s."""
    out = tmp_path_factory.mktemp("deep") / "out.jsonl"
    return faulted_crawl(site.mirror, {site.path(0): nested(5000)}, out, *NO_SITEMAPS)


def test_very_deep_markup_never_crashes_nor_gives_an_empty_record(
    site: Site, baseline: Run, very_deep_run: Run
) -> None:
    run, path = very_deep_run, site.path(0)
    assert_no_crash(run)
    assert_no_traceback(run)
    got = [r for r in run.records if r["url"] == CANONICAL + path]
    if got:
        assert_article(run, site, path)
    else:  # skipped, and counted
        dropped = sum(v for k, v in run.stats.items() if k.startswith("newscrawl/dropped/"))
        before = sum(v for k, v in baseline.stats.items() if k.startswith("newscrawl/dropped/"))
        assert dropped == before + 1


@pytest.mark.xfail(strict=True, reason=(
    "libxml2 2.14 (lxml 6.1, used by parsel/Scrapy selectors) stops building the tree at nesting "
    "depth ~2048 even with huge_tree, so everything after the 2048th <div> — the whole article "
    "body — is missing from response.selector; newscrawl/extract (site and generic layers) then "
    "finds no body and the record is dropped as newscrawl/dropped/no_body instead of extracted "
    "(nesting of 2,000 extracts fine)"
))  # fmt: skip
def test_very_deep_markup_is_extracted(site: Site, very_deep_run: Run) -> None:
    assert_article(very_deep_run, site, site.path(0))


@pytest.fixture(scope="module")
def soft_404_run(site: Site, tmp_path_factory: pytest.TempPathFactory) -> Run:
    """One crawl where two articles answer 200 with Next.js's "404" page (bare, and in the
    site's header and footer)."""
    faults = {site.path(0): Serve(not_found_template()),
              site.path(1): Serve(not_found_template(site.mirror.pages.renderer, "vi"))}  # fmt: skip
    return faulted_crawl(site.mirror, faults, tmp_path_factory.mktemp("soft404") / "out.jsonl", *NO_SITEMAPS)


@pytest.mark.parametrize(("variant", "n"), [("bare", 0), ("in-site-chrome", 1)])
def test_error_template_with_status_200_gives_no_record(
    site: Site, baseline: Run, soft_404_run: Run, variant: str, n: int
) -> None:
    run, path = soft_404_run, site.path(n)
    assert_no_crash(run)
    assert [r.status for r in run.hits(path)] == [200]
    assert CANONICAL + path not in run.urls()
    assert_output(run.records, site.without([site.path(0), site.path(1)]))
    assert run.stat("newscrawl/skipped/not_article") == baseline.stat("newscrawl/skipped/not_article") + 2


NON_HTML = {
    "jpeg": Serve(JPEG, "image/jpeg"),
    "pdf": Serve(PDF, "application/pdf"),
    "pdf-uncompressed": Serve(PDF_UNCOMPRESSED, "application/pdf"),
    "json": Serve(b"", "application/json"),  # body: the article as JSON, made in the test
}


@pytest.mark.parametrize(
    "kind",
    [
        "jpeg", "pdf",
        "pdf-uncompressed",
        "json",
    ],
)  # fmt: skip
def test_non_html_at_an_article_url_gives_no_record_and_is_counted(
    site: Site, tmp_path: Path, kind: str
) -> None:
    path = site.path(0)
    fault = NON_HTML[kind]
    if kind == "json":
        want = site.record(path)
        fault = Serve(article_json(want["title"], want["summary"], want["published_at"]), "application/json")
    run = faulted_crawl(site.mirror, {path: fault}, tmp_path / "out.jsonl", *NO_SITEMAPS)
    assert_no_crash(run)
    assert_no_traceback(run)
    assert [r.status for r in run.hits(path)] == [200]
    assert CANONICAL + path not in run.urls()
    assert run.stat("newscrawl/skipped/not_html") == 1
    assert_output(run.records, site.without([path]))


# --------------------------------------------------------------------------- pages over 10 MB


@pytest.mark.parametrize("declared", [True, False], ids=["content-length", "streamed"])
def test_page_over_10_mb_is_skipped_with_a_count_in_bounded_memory(
    site: Site, baseline: Run, tmp_path: Path, declared: bool
) -> None:
    path = site.path(1)
    size = 64 * MB
    run = faulted_crawl(site.mirror, {path: Huge(size, declare_length=declared)}, tmp_path / "out.jsonl",
                        *NO_SITEMAPS)  # fmt: skip
    assert_no_crash(run)
    assert len(run.hits(path)) == 1  # DOWNLOAD_MAXSIZE cancels it; not retried
    assert CANONICAL + path not in run.urls()
    assert run.stat("downloader/exception_type_count/scrapy.exceptions.DownloadCancelledError") == 1
    assert run.health["http"]["exceptions"] == 1
    assert site.mirror.faults.bytes_sent(path) < 20 * MB  # the crawler hung up early
    assert run.max_rss_mb < baseline.max_rss_mb + 40, (run.max_rss_mb, baseline.max_rss_mb)
    assert_output(run.records, site.without([path]))


# --------------------------------------------------------------------------- robots.txt


def test_crawl_delay_spaces_every_request_to_the_site(site: Site, tmp_path: Path) -> None:
    """robots.txt's Crawl-delay: 2 holds with AutoThrottle on (it may not lower the delay) and
    without jitter; the spacing is read from the mirror's own access log."""
    robots = Serve(robots_txt(crawl_delay=2), "text/plain; charset=utf-8")
    run = faulted_crawl(site.mirror, {"/robots.txt": robots}, tmp_path / "out.jsonl",
                        "-s", "AUTOTHROTTLE_ENABLED=True", "-s", "CLOSESPIDER_PAGECOUNT=6")
    assert run.returncode == 0, run.log[-3000:]
    arrivals = [r.at for r in run.requests]
    assert run.requests[0].path == "/robots.txt" and len(arrivals) >= 6, [r.target for r in run.requests]
    gaps = [later - earlier for earlier, later in pairwise(arrivals)]
    # Scrapy spaces the requests as it sends them; the mirror stamps them as they arrive, a few
    # milliseconds of network and thread scheduling later or sooner.
    assert min(gaps) >= 1.95, gaps
    assert run.stat("newscrawl/robots/crawl_delay") == 2
    assert run.log.count("asks for Crawl-delay: 2 s") == 1


def test_crawl_delay_is_ignored_only_when_asked(site: Site, tmp_path: Path) -> None:
    robots = Serve(robots_txt(crawl_delay=2), "text/plain; charset=utf-8")
    run = faulted_crawl(site.mirror, {"/robots.txt": robots}, tmp_path / "out.jsonl",
                        "-s", "NEWSCRAWL_OBEY_CRAWL_DELAY=False", "-s", "CLOSESPIDER_PAGECOUNT=6")
    arrivals = [r.at for r in run.requests]
    assert min(later - earlier for earlier, later in pairwise(arrivals)) < 1.0
    assert "Crawl-delay" not in run.log


def test_path_disallowed_by_robots_txt_is_never_requested(site: Site, tmp_path: Path) -> None:
    blocked = site.path(2)
    robots = Serve(robots_txt(f"{blocked}$"), "text/plain; charset=utf-8")
    run = faulted_crawl(site.mirror, {"/robots.txt": robots}, tmp_path / "out.jsonl")
    assert_no_crash(run)
    assert [r.path for r in run.requests][0] == "/robots.txt"
    assert run.hits(blocked) == []
    assert run.stat("robotstxt/forbidden") >= 1
    assert_output(run.records, site.without([blocked]))  # the rule blocks that path only
