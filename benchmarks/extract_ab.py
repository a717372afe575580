"""Did a change make extraction slower? Two revisions, same saved pages, rounds taking turns.

``python -m benchmarks.extract_ab --base REV [--head REV] [--pages 500] [--rounds 4]``

Checks both revisions out (``git worktree``, removed afterwards), saves ``--pages`` article
pages of the benchmark mirror (seed and padding of ``benchmarks.mirror``; the mirror's code is
taken from the working tree, so both revisions read the very same bytes), and then runs, in
rounds, one process per revision that times lxml's parse and newscrawl's article path
(``benchmarks.micro.newscrawl_record``) page by page, taking turns. Each round gives a revision's
ratio to lxml's parse, which holds when the machine's speed drifts; the report is the mean ratio
of each revision and the change between them, in JSON on stdout (``--out`` writes it too).

Pages of layouts that only one revision can read (the embedded-data layouts, say) are left out
with ``--layouts ABC``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent

# Run in each revision's own tree: lxml vs newscrawl, page by page, fastest of ``passes``.
_TIMER = """
import json, statistics, sys, time
from pathlib import Path
from lxml import etree
from lxml.html import HTMLParser
from benchmarks.micro import ORIGIN, newscrawl_record, read_pages
from newscrawl.urls import UrlMapper
pages = read_pages(Path(sys.argv[1]))
passes = int(sys.argv[2])
parser = HTMLParser(recover=True, encoding="utf-8")
try:  # the mapper is given the site's profile since issue 15; earlier revisions import it
    from newscrawl.sites.vietnamvn import VIETNAM_VN
    mapper = UrlMapper(ORIGIN, VIETNAM_VN)
except (ImportError, TypeError):
    mapper = UrlMapper(ORIGIN)
contenders = (
    lambda url, raw: etree.fromstring(raw, parser),
    lambda url, raw: newscrawl_record(mapper, url, raw),
)
for url, _lang, raw in pages:
    for run in contenders:
        run(url, raw)
best = [[float("inf")] * len(pages) for _ in contenders]
for n in range(passes):
    for i, (url, _lang, raw) in enumerate(pages):
        for k in ((0, 1) if (i + n) % 2 == 0 else (1, 0)):
            started = time.thread_time_ns()
            contenders[k](url, raw)
            best[k][i] = min(best[k][i], time.thread_time_ns() - started)
lxml_ms, newscrawl_ms = (statistics.median(times) / 1e6 for times in best)
print(json.dumps({"lxml_ms": lxml_ms, "newscrawl_ms": newscrawl_ms, "ratio": newscrawl_ms / lxml_ms}))
"""


def save_pages(folder: Path, count: int, layouts: str) -> Path:
    """``count`` article pages of ``layouts`` spread over the benchmark mirror, as ``micro`` lists them."""
    from benchmarks.mirror import PADDING_KB, SEED, stories_for
    from tests.mirror.model import article_path, build_site
    from tests.mirror.render import SiteRenderer

    site = build_site(seed=SEED, n_articles=stories_for(4 * count), page_padding_kb=PADDING_KB)
    renderer = SiteRenderer(site)
    found = [(art, lang) for art in site.articles.values() if art.layout in layouts for lang in art.versions]
    step = len(found) / min(count, len(found))
    listing = []
    for art, lang in (found[int(i * step)] for i in range(min(count, len(found)))):
        path = article_path(lang, art.slug)
        file = folder / (path.strip("/").replace("/", "__") + ".html")
        file.write_bytes(renderer.page(("article", art.slug, lang)).body)
        listing.append([str(file), path, lang])
    pages = folder / "pages.json"
    pages.write_text(json.dumps(listing))
    return pages


def checkout(rev: str, folder: Path) -> Path:
    """A detached work tree of ``rev`` in ``folder``."""
    subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", "-f", str(folder), rev],
                   check=True, capture_output=True)  # fmt: skip
    return folder


def time_revision(tree: Path, pages: Path, passes: int) -> dict[str, float]:
    done = subprocess.run(
        [sys.executable, "-c", _TIMER, str(pages), str(passes)], cwd=tree, capture_output=True, text=True
    )
    if done.returncode != 0:
        raise RuntimeError(f"timing {tree} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout)


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.extract_ab", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--base", required=True, help="the revision to compare against")
    parser.add_argument("--head", default="HEAD", help="the revision measured (default HEAD)")
    parser.add_argument("--pages", type=int, default=500)
    parser.add_argument("--layouts", default="ABCDEF", help="mirror layouts the pages are drawn from")
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument(
        "--passes", type=int, default=5, help="timed passes per round (a page's time is its best)"
    )
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    started = time.time()
    with tempfile.TemporaryDirectory(prefix="extract-ab-") as work:
        work_dir = Path(work)
        (work_dir / "pages").mkdir()
        pages = save_pages(work_dir / "pages", args.pages, args.layouts)
        trees = {
            "base": checkout(args.base, work_dir / "base"),
            "head": checkout(args.head, work_dir / "head"),
        }
        rounds: dict[str, list[dict[str, float]]] = {"base": [], "head": []}
        try:
            for n in range(args.rounds):
                for name in ("base", "head") if n % 2 == 0 else ("head", "base"):
                    rounds[name].append(time_revision(trees[name], pages, args.passes))
                    print(f"round {n + 1} {name}: {rounds[name][-1]['ratio']:.3f} × lxml", file=sys.stderr)
        finally:
            for tree in trees.values():
                subprocess.run(
                    ["git", "-C", str(ROOT), "worktree", "remove", "--force", str(tree)], check=False
                )
    ratio = {name: statistics.fmean(r["ratio"] for r in found) for name, found in rounds.items()}
    report = {
        "base": args.base, "head": args.head, "pages": args.pages, "layouts": args.layouts,
        "rounds": rounds, "mean_ratio": ratio, "change": ratio["head"] / ratio["base"] - 1,
        "seconds": round(time.time() - started),
    }  # fmt: skip
    text = json.dumps(report, indent=1)
    print(text)
    if args.out:
        args.out.write_text(text + "\n")
    return report


if __name__ == "__main__":
    main()
