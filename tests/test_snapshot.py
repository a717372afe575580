"""Folding run feeds into a latest-version snapshot."""

import json

from newscrawl.tools.snapshot import build_snapshot, feed_files, fold_feeds, main


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


def test_worker_folders_fold_into_one_in_run_order(tmp_path, capsys):
    node1, node2 = tmp_path / "node1", tmp_path / "node2"
    node1.mkdir()
    node2.mkdir()
    write(node1 / "2026-01-01T00-00-00-w1.jsonl", {"id": "a", "version": 1, "status": "new", "title": "A1"})
    write(node2 / "2026-01-01T00-00-00-w2.jsonl", {"id": "b", "version": 1, "status": "new", "title": "B1"})
    write(node2 / "2026-01-02T00-00-00-w2.jsonl", {"id": "a", "version": 2, "status": "new", "title": "2"})
    write(node1 / "2026-01-03T00-00-00-w1.jsonl", {"id": "b", "version": 1, "status": "removed"})
    out = tmp_path / "snapshot.jsonl"
    assert main(["--feeds", str(node1), str(node2), "--out", str(out)]) == 0
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert [(r["id"], r["title"]) for r in rows] == [("a", "2")]
    assert "4 records in 4 feeds" in capsys.readouterr().out


def test_unreadable_lines_are_reported_with_path_and_line(tmp_path, capsys):
    feeds = tmp_path / "vietnamvn"
    feeds.mkdir()
    torn = b'{"id": "b", "ver'
    write(feeds / "2026-01-01T00-00-00.jsonl", {"id": "a", "version": 1, "status": "new"}, tail=torn)
    (feeds / "2026-01-02T00-00-00.jsonl").write_bytes(b"id,title\nx,y\n")
    out = tmp_path / "snapshot.jsonl"
    assert main(["--feeds", str(feeds), "--out", str(out)]) == 0
    err = capsys.readouterr().err
    assert f"{feeds / '2026-01-01T00-00-00.jsonl'}:2: not a record" in err
    assert f"{feeds / '2026-01-02T00-00-00.jsonl'}:1: not a record" in err
    assert f"{feeds / '2026-01-02T00-00-00.jsonl'}:2: not a record" in err


def test_a_last_line_without_newline_is_not_glued_to_the_next(tmp_path):
    feeds = tmp_path / "vietnamvn"
    feeds.mkdir()
    (feeds / "1.jsonl").write_bytes(b'{"id": "a", "version": 1, "status": "new"}')
    write(feeds / "2.jsonl", {"id": "b", "version": 1, "status": "new"})
    out = tmp_path / "snapshot.jsonl"
    build_snapshot(feed_files(feeds), out)
    assert [json.loads(line)["id"] for line in out.read_text().splitlines()] == ["a", "b"]


def test_fold_reads_back_by_language_in_snapshot_order(tmp_path):
    feeds = tmp_path / "vietnamvn"
    feeds.mkdir()
    write(feeds / "1.jsonl",
          {"id": "a", "version": 1, "status": "new", "lang": "vi"},
          {"id": "b", "version": 1, "status": "new", "lang": "en"},
          {"id": "c", "version": 1, "status": "new", "lang": "vi"})  # fmt: skip
    write(feeds / "2.jsonl", {"id": "a", "version": 2, "status": "updated", "lang": "vi"})
    fold = fold_feeds(feed_files(feeds))
    assert fold.languages() == {"vi": 2, "en": 1}
    assert [(r["id"], r["version"]) for _kept, r in fold.records("vi")] == [("c", 1), ("a", 2)]
    assert [fold.where(kept) for kept, _r in fold.records("en")] == [f"{feeds / '1.jsonl'}:2"]
