"""Atomic feed files and recovery of partial feeds."""

import json

from newscrawl.feeds import AtomicFileFeedStorage, complete_lines, finish_partial_feed


def test_feed_is_invisible_until_complete(tmp_path):
    target = tmp_path / "out" / "feed.jsonl"
    storage = AtomicFileFeedStorage(str(target))
    file = storage.open(None)
    file.write(b'{"a": 1}\n')
    assert not target.exists() and (tmp_path / "out" / "feed.jsonl.part").exists()
    storage.store(file)
    assert target.read_bytes() == b'{"a": 1}\n'
    assert not (tmp_path / "out" / "feed.jsonl.part").exists()


def test_appending_keeps_the_existing_feed(tmp_path):
    target = tmp_path / "feed.jsonl"
    target.write_bytes(b'{"a": 1}\n')
    storage = AtomicFileFeedStorage(str(target))
    file = storage.open(None)
    file.write(b'{"a": 2}\n')
    storage.store(file)
    assert target.read_bytes() == b'{"a": 1}\n{"a": 2}\n'


def test_overwrite_replaces(tmp_path):
    target = tmp_path / "feed.jsonl"
    target.write_bytes(b'{"old": 1}\n')
    storage = AtomicFileFeedStorage(str(target), feed_options={"overwrite": True})
    file = storage.open(None)
    file.write(b'{"new": 1}\n')
    storage.store(file)
    assert target.read_bytes() == b'{"new": 1}\n'


def test_recovery_keeps_complete_lines_and_drops_a_torn_one(tmp_path):
    part = tmp_path / "2026-01-01T00-00-00.jsonl.part"
    part.write_bytes(b'{"url": "a"}\n{"url": "b"}\n{"url": "c", "ti')
    final, records = finish_partial_feed(part, set())
    assert final == tmp_path / "2026-01-01T00-00-00.jsonl"
    assert [r["url"] for r in records] == ["a", "b"]
    assert [json.loads(line)["url"] for line in final.read_text().splitlines()] == ["a", "b"]
    assert not part.exists()


def test_recovery_never_overwrites_a_feed(tmp_path):
    (tmp_path / "out.jsonl").write_text('{"url": "old"}\n')
    part = tmp_path / "out.jsonl.part"
    part.write_bytes(b'{"url": "a"}\n')
    final, _ = finish_partial_feed(part, set())
    assert final.name.startswith("out.recovered-") and final.suffix == ".jsonl"
    assert (tmp_path / "out.jsonl").read_text() == '{"url": "old"}\n'
    reserved = tmp_path / "next.jsonl"
    part = tmp_path / "next.jsonl.part"
    part.write_bytes(b'{"url": "b"}\n')
    final, _ = finish_partial_feed(part, {reserved.resolve()})
    assert final != reserved


def test_complete_lines_stop_at_garbage(tmp_path):
    part = tmp_path / "x.part"
    part.write_bytes(b'{"url": "a"}\nnot json\n{"url": "c"}\n')
    assert [r["url"] for r in complete_lines(part)] == ["a"]
