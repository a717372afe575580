"""Folding run feeds into a latest-version snapshot."""

import json

from newscrawl.snapshot import build_snapshot, feed_files, main


def write(path, *records, tail=b""):
    path.write_bytes(b"".join(json.dumps(r).encode() + b"\n" for r in records) + tail)


def test_latest_version_wins_and_removed_articles_leave(tmp_path):
    feeds = tmp_path / "vietnamvn"
    feeds.mkdir()
    write(feeds / "2026-01-01T00-00-00.jsonl",
          {"id": "a", "version": 1, "status": "new", "title": "A1"},
          {"id": "b", "version": 1, "status": "new", "title": "B1"},
          {"id": "c", "version": 1, "status": "new", "title": "C1"})  # fmt: skip
    write(feeds / "2026-01-02T00-00-00.jsonl",
          {"id": "a", "version": 2, "status": "updated", "title": "A2"},
          {"id": "b", "version": 1, "status": "removed", "title": ""}, tail=b"garbage\n")  # fmt: skip
    write(feeds / "2026-01-03T00-00-00.jsonl.part", {"id": "d", "version": 1, "status": "new"})
    out = tmp_path / "snapshot.jsonl"
    report = build_snapshot(feed_files(feeds), out)
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert sorted((r["id"], r["title"]) for r in rows) == [("a", "A2"), ("c", "C1")]
    assert (report.feeds, report.records, report.articles, report.removed, report.unreadable_lines) == (
        2, 5, 2, 1, 1,
    )  # fmt: skip


def test_command_line(tmp_path, capsys):
    feeds = tmp_path / "vietnamvn"
    feeds.mkdir()
    write(feeds / "run.jsonl", {"id": "a", "version": 1, "status": "new"})
    assert main(["--feeds", str(feeds)]) == 0
    assert (tmp_path / "vietnamvn-snapshot.jsonl").exists()
    assert "1 articles" in capsys.readouterr().out
    assert main(["--feeds", str(tmp_path / "missing")]) == 2
