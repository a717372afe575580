"""Command line for the offline mirror.

``python -m tests.mirror serve [--port 8000] [--seed 7] [--articles 120] [--unlisted N]
[--padding-kb N] [--embedded N] [--js] [--truth PATH]`` serves the mirror until Ctrl-C (sitemaps at
``/sitemap.xml``, feeds at ``/<lang>/sitemap.rss``; ``--js`` adds the pages that need a browser,
see ``model.py``); ``python -m tests.mirror demo`` serves it, crawls it with newscrawl into
``output/demo/`` and compares the feed with the truth.
"""

from __future__ import annotations

import argparse
import signal
import threading
from datetime import UTC, datetime
from pathlib import Path

from .model import SiteModel, build_site
from .server import MirrorServer
from .truth import write_jsonl


def main(argv: list[str] | None = None) -> int:
    """Parse arguments and run the chosen command."""
    parser = argparse.ArgumentParser(prog="python -m tests.mirror",
                                     description="Offline mirror of vietnam.vn for tests.")
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="serve the mirror on 127.0.0.1 until Ctrl-C")
    serve.add_argument("--port", type=int, default=8000, help="port (0 = any free port)")
    serve.add_argument("--seed", type=int, default=7, help="site seed")
    serve.add_argument("--articles", type=int, default=120, help="number of articles")
    serve.add_argument("--unlisted", type=int, default=0,
                       help="extra articles linked only from sitemaps and feeds")
    serve.add_argument("--padding-kb", type=int, default=0,
                       help="pad HTML pages to about this many KB (0 = no padding)")
    serve.add_argument("--embedded", type=int, default=2,
                       help="articles per embedded-data layout (D, E, F; 0 = none)")
    serve.add_argument("--js", action="store_true",
                       help="add the pages that need a browser (build_site(js=True))")
    serve.add_argument("--truth", type=Path, help="write expected records here (JSON Lines)")
    demo = sub.add_parser("demo", help="crawl the mirror with newscrawl and compare with the truth")
    demo.add_argument("--seed", type=int, default=7, help="site seed")
    demo.add_argument("--articles", type=int, default=120, help="number of articles")
    args = parser.parse_args(argv)
    if args.command == "demo":
        return run_demo(build_site(seed=args.seed, n_articles=args.articles))

    site = build_site(seed=args.seed, n_articles=args.articles, unlisted=args.unlisted,
                      page_padding_kb=args.padding_kb, embedded=args.embedded, js=args.js)
    server = MirrorServer(site, port=args.port)
    if args.truth:
        write_jsonl(server.truth, args.truth)
        print(f"wrote {len(server.truth)} expected records to {args.truth}", flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    server.start()
    print(f"serving {len(server.pages)} pages at {server.base_url} (Ctrl-C to stop)", flush=True)
    try:
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    return 0


def run_demo(site: SiteModel) -> int:
    """Serve ``site``, crawl it into output/demo/, and report how the feed compares with the truth."""
    from tests.compare import compare
    from tests.crawl import ROOT, crawl

    out = ROOT / "output" / "demo" / f"{datetime.now(UTC):%Y-%m-%dT%H-%M-%S}.jsonl"
    out.parent.mkdir(parents=True, exist_ok=True)
    with MirrorServer(site) as server:
        print(f"mirror: {len(server.pages)} pages at {server.base_url}; crawling…", flush=True)
        run = crawl(server.base_url, out)
    stats = [line for line in run.log.splitlines() if "'newscrawl/" in line or "'item_" in line]
    print("\n".join(stats))
    result = compare(run.records, server.truth)
    print(f"\nfeed: {out} ({len(run.records)} records, crawl exit status {run.returncode})")
    print("equal to the mirror's truth" if result.equal else result.summary())
    return 0 if result.equal and run.returncode == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
