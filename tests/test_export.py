"""``python -m newscrawl.export``: the snapshot as Parquet, translation pairs and Moses text."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from newscrawl.datasets import rowgroups
from newscrawl.datasets.schema import ARTICLE_SCHEMA, PAIR_SCHEMA, record_from_row, timestamp
from newscrawl.items import tombstone
from newscrawl.tools.export import export, main
from newscrawl.tools.snapshot import build_snapshot, feed_files
from tests.crawl import crawl
from tests.mirror.model import build_site
from tests.mirror.truth import truth_records

CRAWLED = "2026-12-01T08:00:00+00:00"


def write_feed(path: Path, records: list[dict[str, Any]], tail: bytes = b"") -> None:
    lines = b"".join(json.dumps(r, ensure_ascii=False).encode() + b"\n" for r in records)
    path.write_bytes(lines + tail)


def updated(record: dict[str, Any]) -> dict[str, Any]:
    """The record's second version: one paragraph added, as a later run emits it."""
    body = record["body"] + "\n\nMột đoạn mới."
    return {
        **record, "body": body, "version": 2, "status": "updated", "crawled_at": "2026-12-02T08:00:00+00:00",
        "modified_at": "2026-12-02T10:00:00+07:00", "word_count": len(body.split()),
        "content_hash": hashlib.sha256((record["title"] + "\n" + body).encode()).hexdigest(),
    }  # fmt: skip


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Two runs' feeds of the mirror's truth: the first emits every record, the second updates
    some articles, removes a whole article, a Vietnamese original alone and a translation alone."""
    truth = [{**r, "crawled_at": CRAWLED} for r in truth_records(build_site())]
    for record in truth:
        record.pop("_dup_group", None)
    by_key: dict[str, dict[str, dict[str, Any]]] = {}
    for record in truth:
        by_key.setdefault(record["translation_key"], {})[record["lang"]] = record
    multi = sorted(key for key, langs in by_key.items() if len(langs) >= 3)
    gone_article, gone_original, gone_translation, changed = multi[0], multi[1], multi[2], multi[3:8]
    removed = [*by_key[gone_article].values(), by_key[gone_original]["vi"]]
    removed.append(next(r for lang, r in sorted(by_key[gone_translation].items()) if lang != "vi"))
    # Two originals gain a paragraph their translations lack: those pairs are no longer aligned.
    updates = [
        updated(r) for key in changed for lang, r in by_key[key].items() if lang == "vi" or key in changed[2:]
    ]
    stones = [tombstone(r["url"], r["lang"], r["translation_key"], 1_765_000_000) for r in removed]
    feeds = tmp_path_factory.mktemp("feeds") / "vietnamvn"
    feeds.mkdir()
    write_feed(feeds / "2026-12-01T08-00-00.jsonl", truth)
    write_feed(feeds / "2026-12-02T08-00-00.jsonl", updates + stones)
    gone = {r["url"] for r in removed}
    latest = {r["url"]: r for r in truth + updates if r["url"] not in gone}
    snapshot = feeds.parent / "snapshot.jsonl"
    build_snapshot(feed_files(feeds), snapshot)
    return {
        "feeds": feeds, "snapshot": [json.loads(x) for x in snapshot.read_text().splitlines()],
        "latest": latest, "removed": gone, "updated": {r["url"] for r in updates},
    }  # fmt: skip


def as_read_back(record: dict[str, Any]) -> dict[str, Any]:
    """A snapshot record as the Parquet export gives it back: timestamps as UTC datetimes."""
    times = ("published_at", "modified_at", "crawled_at")
    return {**record, **{key: timestamp(record[key]) for key in times}}


def read_corpus(out: Path) -> list[dict[str, Any]]:
    rows = []
    for path in sorted(out.glob("lang=*/part-0.parquet")):
        table = pq.read_table(path)
        assert table.schema.equals(ARTICLE_SCHEMA, check_metadata=False)
        assert {row["lang"] for row in table.to_pylist()} == {path.parent.name.removeprefix("lang=")}
        rows += [record_from_row(row) for row in table.to_pylist()]
    return rows


def expected_pairs(latest: dict[str, dict[str, Any]]) -> set[tuple[Any, ...]]:
    """Every (Vietnamese, translation) pair the truth implies: same translation_key, both present."""
    originals = {r["translation_key"]: r for r in latest.values() if r["lang"] == "vi"}
    pairs = set()
    for other in latest.values():
        vi = originals.get(other["translation_key"])
        if other["lang"] != "vi" and vi is not None:
            aligned = len(vi["body"].split("\n\n")) == len(other["body"].split("\n\n"))
            pairs.add((vi["translation_key"], other["lang"], vi["url"], other["url"], vi["title"],
                       other["title"], vi["body"], other["body"], vi["published_at"], other["published_at"],
                       vi["source_name"], aligned))  # fmt: skip
    return pairs


def pair_key(row: dict[str, Any]) -> tuple[Any, ...]:
    return tuple(row[k] for k in (
        "translation_key", "other_lang", "vi_url", "other_url", "vi_title", "other_title", "vi_body",
        "other_body", "vi_published_at", "other_published_at", "source_name", "paragraphs_aligned",
    ))  # fmt: skip


# --- Parquet --------------------------------------------------------------------------------------


def test_parquet_reads_back_equal_to_the_snapshot(corpus, tmp_path):
    out = tmp_path / "parquet"
    report = export(feed_files(corpus["feeds"]), out, "parquet", progress=False, rows_per_group=40)
    got = {r["url"]: r for r in read_corpus(out)}
    want = {r["url"]: as_read_back(r) for r in corpus["snapshot"]}
    assert set(got) == set(want) == set(corpus["latest"])
    for url, record in want.items():
        assert got[url] == record, url  # field for field, translations and images included
    assert not set(got) & corpus["removed"]
    assert all(got[url]["version"] == 2 for url in corpus["updated"])
    assert report.facts.skipped == 0 and report.fold.unreadable_lines == 0
    vi = pq.ParquetFile(out / "lang=vi" / "part-0.parquet")
    assert vi.metadata.num_row_groups > 1  # written a row group at a time
    assert vi.metadata.row_group(0).column(0).compression == "ZSTD"
    assert vi.schema_arrow.field("published_at").type == pa.timestamp("us", tz="UTC")
    assert not list(out.rglob(".*"))  # no temporary file left


def test_the_dataset_card_counts_what_was_written(corpus, tmp_path):
    out = tmp_path / "parquet"
    export(feed_files(corpus["feeds"]), out, "parquet", progress=False)
    card = (out / "README.md").read_text()
    langs: dict[str, int] = {}
    for record in corpus["latest"].values():
        langs[record["lang"]] = langs.get(record["lang"], 0) + 1
    for lang, count in langs.items():
        assert f"| `{lang}` | {count:,} | `lang={lang}/part-0.parquet` |" in card
    first = min(timestamp(r["published_at"]) for r in corpus["latest"].values())
    assert f"Published {first:%Y-%m-%d %H:%M}" in card
    assert "translations of that Vietnamese original" in card
    assert "| `translations` | `list<item: struct<lang: string not null, url: string not null>>`" in card


def test_duckdb_reads_the_export(corpus, tmp_path):
    duckdb = pytest.importorskip("duckdb")
    out = tmp_path / "parquet"
    export(feed_files(corpus["feeds"]), out, "parquet", progress=False)
    query = f"SELECT lang, count(*) FROM '{out}/lang=*/part-0.parquet' GROUP BY lang"
    counts = dict(duckdb.sql(query).fetchall())
    want: dict[str, int] = {}
    for record in corpus["latest"].values():
        want[record["lang"]] = want.get(record["lang"], 0) + 1
    assert counts == want
    described = duckdb.sql(f"DESCRIBE SELECT * FROM '{out}/lang=*/part-0.parquet'").fetchall()
    kinds = {row[0]: row[1] for row in described}
    assert kinds["published_at"] == "TIMESTAMP WITH TIME ZONE"
    assert kinds["images"] == "STRUCT(url VARCHAR, caption VARCHAR)[]"


def test_a_language_gone_from_the_corpus_leaves_the_export(tmp_path):
    feeds = tmp_path / "feeds"
    feeds.mkdir()
    records = [{**r, "crawled_at": CRAWLED} for r in truth_records(build_site(n_articles=3, embedded=0))]
    write_feed(feeds / "1.jsonl", records)
    out = tmp_path / "parquet"
    assert main(["--feeds", str(feeds), "--out", str(out)]) == 0
    assert (out / "lang=en" / "part-0.parquet").exists()
    stones = [tombstone(r["url"], r["lang"], r["translation_key"], 1_765_000_000) for r in records
              if r["lang"] == "en"]  # fmt: skip
    write_feed(feeds / "2.jsonl", stones)
    assert main(["--feeds", str(feeds), "--out", str(out)]) == 0
    assert not (out / "lang=en").exists()
    assert (out / "lang=vi" / "part-0.parquet").exists()


# --- pairs and Moses ------------------------------------------------------------------------------


def test_pairs_are_exactly_what_the_truth_implies(corpus, tmp_path):
    out = tmp_path / "pairs"
    export(feed_files(corpus["feeds"]), out, "pairs", progress=False, rows_per_group=50)
    want = expected_pairs(corpus["latest"])
    lines = [json.loads(x) for x in (out / "pairs.jsonl").read_text().splitlines()]
    assert len(lines) == len(want) and {pair_key(row) for row in lines} == want
    table = pq.read_table(out / "pairs.parquet")
    assert table.schema.equals(PAIR_SCHEMA, check_metadata=False)
    rows = table.to_pylist()
    assert len(rows) == len(lines)
    for row, line in zip(rows, lines, strict=True):  # the same pairs in the same order
        assert row == {**line, "vi_published_at": timestamp(line["vi_published_at"]),
                       "other_published_at": timestamp(line["other_published_at"])}  # fmt: skip
    assert not {row["other_url"] for row in lines} & corpus["removed"]
    assert any(not row["paragraphs_aligned"] for row in lines)  # updated originals gained a paragraph
    card = (out / "README.md").read_text()
    en = [p for p in want if p[1] == "en"]
    assert f"| vi-en | {len(en):,} | {sum(p[-1] for p in en):,} |" in card


def test_moses_files_hold_the_paragraph_aligned_pairs(corpus, tmp_path):
    out = tmp_path / "moses"
    assert main(["--feeds", str(corpus["feeds"]), "--format", "moses", "--out", str(out)]) == 0
    pairs = sorted(p for p in expected_pairs(corpus["latest"]) if p[-1])
    langs = sorted({p[1] for p in pairs})
    assert sorted(p.name for p in out.iterdir()) == sorted(
        ["README.md"] + [f"pairs.vi-{lang}.{side}" for lang in langs for side in ("vi", lang)]
    )
    for lang in langs:
        want_vi = sorted(x for p in pairs if p[1] == lang for x in p[6].split("\n\n"))
        want_other = sorted(x for p in pairs if p[1] == lang for x in p[7].split("\n\n"))
        left = (out / f"pairs.vi-{lang}.vi").read_text(encoding="utf-8").splitlines()
        right = (out / f"pairs.vi-{lang}.{lang}").read_text(encoding="utf-8").splitlines()
        assert len(left) == len(right)
        assert sorted(left) == want_vi and sorted(right) == want_other
        # Line n of one file translates line n of the other: paragraph i of a pair on both sides.
        vi_to_other = {x: y for p in pairs if p[1] == lang
                       for x, y in zip(p[6].split("\n\n"), p[7].split("\n\n"), strict=True)}  # fmt: skip
        assert all(vi_to_other[x] == y for x, y in zip(left, right, strict=True))


# --- bad input, failures --------------------------------------------------------------------------


def test_bad_input_is_reported_with_path_and_line(tmp_path, capsys):
    feeds = tmp_path / "feeds"
    feeds.mkdir()
    records = [{**r, "crawled_at": CRAWLED} for r in truth_records(build_site(n_articles=3, embedded=0))]
    unfit = {**records[1], "published_at": "yesterday"}
    torn = feeds / "2026-12-01.jsonl"
    write_feed(torn, [records[0], unfit, *records[2:]], tail=b'{"id": "x", "url": "https://exa')
    csv = feeds / "2026-12-02.jsonl"
    csv.write_text("id,title\n1,Hello\n")
    out = tmp_path / "parquet"
    assert main(["--feeds", str(feeds), "--out", str(out)]) == 0
    err = capsys.readouterr().err
    assert f"{torn}:{len(records) + 1}: not a record" in err
    assert f"{csv}:1: not a record" in err and f"{csv}:2: not a record" in err
    assert f"{torn}:2: Invalid isoformat string: 'yesterday', left out" in err
    assert {r["url"] for r in read_corpus(out)} == {r["url"] for r in records} - {unfit["url"]}


def test_errors_of_the_command_line(corpus, tmp_path, capsys):
    assert main(["--feeds", str(tmp_path / "missing"), "--out", str(tmp_path / "out")]) == 2
    assert "no feed folder" in capsys.readouterr().err
    out = tmp_path / "out"
    assert main(["--feeds", str(corpus["feeds"]), "--format", "pairs", "--out", str(out)]) == 0
    assert main(["--feeds", str(corpus["feeds"]), "--format", "parquet", "--out", str(out)]) == 2
    assert "holds a pairs export" in capsys.readouterr().err
    assert main(["--feeds", str(corpus["feeds"]), "--out", str(corpus["feeds"])]) == 2
    assert "is a feed folder" in capsys.readouterr().err


def test_a_progress_bar_when_asked(corpus, tmp_path, capsys):
    export(feed_files(corpus["feeds"]), tmp_path / "out", "parquet", progress=True)
    err = capsys.readouterr().err
    assert "reading feeds" in err and "parquet" in err and "records" in err


@pytest.mark.parametrize("kind", ["parquet", "pairs"])
def test_a_failure_mid_write_leaves_the_previous_export_whole(corpus, tmp_path, monkeypatch, kind):
    out = tmp_path / kind
    export(feed_files(corpus["feeds"]), out, kind, progress=False)
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    calls = 0
    real = rowgroups.RowGroupWriter.flush

    def failing(self):
        nonlocal calls
        calls += 1
        if calls == 3:
            raise OSError(28, "No space left on device")
        real(self)

    monkeypatch.setattr(rowgroups.RowGroupWriter, "flush", failing)
    with pytest.raises(OSError, match="No space left"):
        export(feed_files(corpus["feeds"]), out, kind, progress=False, rows_per_group=30)
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
    fresh = tmp_path / f"{kind}-fresh"
    calls = 0
    with pytest.raises(OSError):
        export(feed_files(corpus["feeds"]), fresh, kind, progress=False, rows_per_group=30)
    assert not fresh.exists()


# --- the mirror's crawl, end to end ----------------------------------------------------------------


@pytest.mark.slow
def test_exporting_the_mirrors_crawl(mirror, tmp_path):
    """A real crawl of the mirror, exported: Parquet equal to its snapshot, the pairs its truth implies."""
    feeds = tmp_path / "vietnamvn"
    feeds.mkdir()
    run = crawl(mirror.base_url, feeds / "2026-12-01T08-00-00.jsonl")
    assert run.returncode == 0, run.log[-3000:]
    crawled = {r["url"] for r in run.records}
    # The truth minus the one record of its duplicate pair the crawler rightly leaves out.
    truth = {r["url"]: r for r in mirror.truth if r["url"] in crawled}
    assert len(truth) == len(mirror.truth) - 1 == len(crawled)
    out = tmp_path / "parquet"
    assert main(["--feeds", str(feeds), "--out", str(out)]) == 0
    build_snapshot(feed_files(feeds), tmp_path / "snapshot.jsonl")
    snapshot = [json.loads(x) for x in (tmp_path / "snapshot.jsonl").read_text().splitlines()]
    got = {r["url"]: r for r in read_corpus(out)}
    assert got == {r["url"]: as_read_back(r) for r in snapshot}
    pairs_out = tmp_path / "pairs"
    assert main(["--feeds", str(feeds), "--format", "pairs", "--out", str(pairs_out)]) == 0
    rows = [json.loads(x) for x in (pairs_out / "pairs.jsonl").read_text().splitlines()]
    assert len(rows) == len({pair_key(row) for row in rows})
    assert {pair_key(row) for row in rows} == expected_pairs(truth)
