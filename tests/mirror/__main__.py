"""Command line: ``python -m tests.mirror serve [--port 8000] [--seed 7] [--articles 120]
[--truth PATH]`` serves the mirror until Ctrl-C."""

from __future__ import annotations

import argparse
import signal
import threading
from pathlib import Path

from .model import build_site
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
    serve.add_argument("--truth", type=Path, help="write expected records here (JSON Lines)")
    args = parser.parse_args(argv)

    server = MirrorServer(build_site(seed=args.seed, n_articles=args.articles), port=args.port)
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


if __name__ == "__main__":
    raise SystemExit(main())
