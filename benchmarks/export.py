"""Issue 17: what ``python -m newscrawl.export`` costs on 100,000 records, and that memory stays bounded.

Synthetic feeds of about the real record's size (a ~3 KB body of 6–8 paragraphs in the mirror's
six languages, title, lead, translations, tags, images): a first run emitting most records, a
second run updating some and removing others. Each export (``parquet``, then ``pairs`` and
``moses``) runs in a child process; wall time, CPU time and peak RSS come from the kernel
(``wait4``) and ``/proc`` sampling (:mod:`benchmarks.measure`). The target: peak RSS under 500 MB
for the Parquet export. The section "Dataset export" of ``benchmarks/RESULTS.md`` is replaced.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import orjson

from benchmarks.cluster import replace_section
from benchmarks.measure import ProcessRun, run_measured
from benchmarks.run import ROOT, environment, log, machine
from tests.mirror.model import LANGS, VN_TZ, sentences

HEADING = "## Dataset export (issue 17)"
TARGET_MB = 500
UPDATED_SHARE, REMOVED_SHARE = 0.05, 0.01


def synthetic_article(
    rng: random.Random, key: str, lang: str, langs: list[str], when: datetime
) -> dict[str, Any]:
    """One record of realistic size (``body`` about 3 KB)."""
    url = "https://www.example.org" + ("" if lang == "vi" else f"/{lang}") + f"/{key}"
    body = "\n\n".join(sentences(rng, lang, 4, 6) for _ in range(rng.randint(6, 8)))
    title = sentences(rng, lang, 1, 1)
    return {
        "id": hashlib.sha1(url.encode()).hexdigest(), "url": url, "lang": lang, "translation_key": key,
        "translations": {lg: url.replace(f"/{lang}/", f"/{lg}/") for lg in langs if lg != lang},
        "sections": [rng.choice(("kinh-te", "du-lich", "van-hoa", "the-thao"))],
        "title": title, "summary": sentences(rng, lang, 1, 2), "body": body,
        "source_name": "Báo Nhân Dân", "source_url": f"https://nhandan.example/{key}",
        "authors": ["Đức Thắng"], "tags": [sentences(rng, lang, 1, 1)[:20] for _ in range(3)],
        "published_at": when.isoformat(timespec="seconds"), "modified_at": None,
        "images": [{"url": f"https://img.example.org/{key}/{i}.jpg", "caption": sentences(rng, lang, 1, 1)}
                   for i in range(2)],
        "word_count": len(body.split()),
        "content_hash": hashlib.sha256((title + "\n" + body).encode()).hexdigest(),
        "crawled_at": "2026-12-01T08:00:00+00:00", "status": "new", "version": 1,
    }  # fmt: skip


def synthetic_records(count: int, seed: int = 17) -> Iterator[dict[str, Any]]:
    """``count`` records: articles in Vietnamese and a random set of the other languages."""
    rng = random.Random(seed)
    start = datetime(2024, 1, 1, tzinfo=VN_TZ)
    made, number = 0, 0
    while made < count:
        number += 1
        langs = ["vi", *(lg for lg in LANGS[1:] if rng.random() < 0.8)]
        when = start + timedelta(minutes=37 * number)
        for lang in langs[: count - made]:
            yield synthetic_article(rng, f"bai-viet-so-{number}", lang, langs, when)
            made += 1


def write_feeds(folder: Path, count: int) -> dict[str, int]:
    """Two runs' feeds holding ``count`` records in all; what they hold."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(1)
    later: list[bytes] = []
    first = updated = removed = 0
    n_later = int(count * (UPDATED_SHARE + REMOVED_SHARE))
    with (folder / "2026-12-01T08-00-00.jsonl").open("wb") as feed:
        for record in synthetic_records(count - n_later):
            feed.write(orjson.dumps(record, option=orjson.OPT_APPEND_NEWLINE))
            first += 1
            if len(later) < n_later and rng.random() < 2 * (UPDATED_SHARE + REMOVED_SHARE):
                if rng.random() < UPDATED_SHARE / (UPDATED_SHARE + REMOVED_SHARE):
                    body = record["body"] + "\n\n" + sentences(rng, record["lang"], 1, 2)
                    record = {**record, "body": body, "status": "updated", "version": 2}
                    updated += 1
                else:
                    keep = ("id", "url", "lang", "translation_key")
                    record = {**{k: record[k] for k in keep}, "status": "removed", "version": 1}
                    removed += 1
                later.append(orjson.dumps(record, option=orjson.OPT_APPEND_NEWLINE))
    (folder / "2026-12-02T08-00-00.jsonl").write_bytes(b"".join(later))
    return {"records": first + len(later), "first": first, "updated": updated, "removed": removed}


def run_export(kind: str, feeds: Path, out: Path, workdir: Path) -> ProcessRun:
    """One export in a child process, measured."""
    shutil.rmtree(out, ignore_errors=True)
    cmd = [sys.executable, "-m", "newscrawl.export", "--feeds", str(feeds), "--format", kind]
    cmd += ["--out", str(out), "--no-progress"]
    run = run_measured(cmd, workdir / f"export-{kind}.log", cwd=ROOT, env=environment(workdir))
    if run.returncode:
        raise RuntimeError(f"export {kind} failed: see {run.log_path}")
    return run


def render(results: dict[str, Any]) -> str:
    """The RESULTS.md section."""
    feeds = results["feeds"]
    rows = []
    for kind, run, size in results["runs"]:
        rows.append(
            f"| {kind} | {run.wall_s:.1f} | {run.cpu_s:.1f} | {run.max_rss_mb:.0f} | {run.own_peak_mb:.0f} | "
            f"{size / 2**20:.0f} |"
        )
    parquet = results["runs"][0][1]
    verdict = "pass" if parquet.max_rss_mb < TARGET_MB else "**miss**"
    return "\n".join([
        HEADING,
        "",
        f"`.venv/bin/python -m benchmarks.export --records {feeds['records']}` on "
        f"{results['machine']['cpu']} "
        f"({results['machine']['nproc']} cores, shared), {results['when']}, at commit `{results['commit']}`. "
        f"Input: two runs' feeds, {feeds['records']:,} records, {results['input_mb']:.0f} MB of JSON Lines "
        f"(bodies ~3 KB of 6–8 paragraphs in six languages; {feeds['updated']:,} updated and "
        f"{feeds['removed']:,} removed in the second run), folded to {results['articles']:,} articles. "
        "Each export runs alone in a child process: wall and CPU time, peak RSS from the kernel "
        "(`wait4` ru_maxrss) and sampled from `/proc` every 0.5 s. The machine's load average (1 min) "
        f"was {results['load'][0]:.1f} before and {results['load'][1]:.1f} after the exports: where it "
        "exceeds the cores, wall time is mostly waiting for a CPU, and CPU time is the cost.",
        "",
        "| format | wall s | CPU s | peak RSS MB (kernel) | peak RSS MB (sampled) | output MB |",
        "|---|---|---|---|---|---|",
        *rows,
        "",
        f"Target: peak RSS of the Parquet export of {feeds['records']:,} records < {TARGET_MB} MB: "
        f"{parquet.max_rss_mb:.0f} MB, {verdict}. Memory is bounded by the fold's positions (one small "
        "object per article) and one row group (≤ 20,000 rows or 32 MB of JSON) as Python objects and its "
        "Arrow copy, not by the corpus size.",
    ]) + "\n"  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    """Generate the feeds, run the exports, update ``benchmarks/RESULTS.md``."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.export", description=__doc__.split("\n")[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/newscrawl-bench/export"))
    parser.add_argument("--results", type=Path, default=ROOT / "benchmarks" / "RESULTS.md")
    args = parser.parse_args(argv)
    workdir = args.workdir.resolve()
    feeds_dir = workdir / "feeds"
    shutil.rmtree(feeds_dir, ignore_errors=True)
    log(f"writing {args.records} synthetic records to {feeds_dir}")
    feeds = write_feeds(feeds_dir, args.records)
    input_mb = sum(p.stat().st_size for p in feeds_dir.iterdir()) / 2**20
    runs = []
    load_before = os.getloadavg()[0]
    for kind in ("parquet", "pairs", "moses"):
        out = workdir / kind
        log(f"exporting {kind}")
        run = run_export(kind, feeds_dir, out, workdir)
        size = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
        runs.append((kind, run, size))
        log(f"{kind}: {run.wall_s:.1f} s, peak RSS {run.max_rss_mb:.0f} MB")
    articles = int(Path(runs[0][1].log_path).read_text().split(" articles (", 1)[0].rsplit(" ", 1)[1])
    commit = _commit()
    results = {
        "feeds": feeds, "input_mb": input_mb, "runs": runs, "articles": articles, "commit": commit,
        "machine": machine(), "load": (load_before, os.getloadavg()[0]),
        "when": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
    }  # fmt: skip
    previous = args.results.read_text() if args.results.exists() else ""
    args.results.write_text(replace_section(previous, render(results)))
    log(f"wrote the dataset export section of {args.results}")
    return 0 if runs[0][1].max_rss_mb < TARGET_MB else 1


def _commit() -> str:
    head = ["git", "rev-parse", "--short=12", "HEAD"]
    done = subprocess.run(head, cwd=ROOT, capture_output=True, text=True, check=False)
    return done.stdout.strip() or "?"


if __name__ == "__main__":
    raise SystemExit(main())
