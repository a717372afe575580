"""Atomic feed files and recovery of partial feeds."""

import contextlib
import json

from newscrawl.feedfiles import AtomicFileFeedStorage, complete_records, recover_partial_feed


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
    committed = []
    final = recover_partial_feed(part, set(), committed.append)
    assert final == tmp_path / "2026-01-01T00-00-00.jsonl"
    assert [r["url"] for r in committed] == ["a", "b"]
    assert [json.loads(line)["url"] for line in final.read_text().splitlines()] == ["a", "b"]
    assert not part.exists()


def test_recovery_interrupted_before_the_rename_can_be_redone(tmp_path):
    part = tmp_path / "run.jsonl.part"
    part.write_bytes(b'{"url": "a"}\n{"url": "b')

    def killed(record):
        raise KeyboardInterrupt  # stands for a kill while committing

    with contextlib.suppress(KeyboardInterrupt):
        recover_partial_feed(part, set(), killed)
    assert part.read_bytes() == b'{"url": "a"}\n'  # torn tail already cut, file not yet renamed
    committed = []
    final = recover_partial_feed(part, set(), committed.append)
    assert [r["url"] for r in committed] == ["a"] and final.read_bytes() == b'{"url": "a"}\n'
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run.jsonl"]


def test_recovery_never_overwrites_a_feed(tmp_path):
    (tmp_path / "out.jsonl").write_text('{"url": "old"}\n')
    part = tmp_path / "out.jsonl.part"
    part.write_bytes(b'{"url": "a"}\n')
    final = recover_partial_feed(part, set(), lambda record: None)
    assert final.name.startswith("out.recovered-") and final.suffix == ".jsonl"
    assert (tmp_path / "out.jsonl").read_text() == '{"url": "old"}\n'
    reserved = tmp_path / "next.jsonl"
    part = tmp_path / "next.jsonl.part"
    part.write_bytes(b'{"url": "b"}\n')
    assert recover_partial_feed(part, {reserved.resolve()}, lambda record: None) != reserved


def test_complete_records_stop_at_garbage(tmp_path):
    part = tmp_path / "x.part"
    part.write_bytes(b'{"url": "a"}\nnot json\n{"url": "c"}\n')
    records, good = complete_records(part)
    assert [r["url"] for r in records] == ["a"] and good == len(b'{"url": "a"}\n')


def test_recovery_of_an_append_run_continues_the_feed(tmp_path):
    (tmp_path / "out.jsonl").write_bytes(b'{"url": "old"}\n')
    part = tmp_path / "out.jsonl.part"
    part.write_bytes(b'{"url": "old"}\n{"url": "new"}\n{"url": "to')
    committed = []
    final = recover_partial_feed(part, set(), committed.append)
    assert final == tmp_path / "out.jsonl"
    assert final.read_bytes() == b'{"url": "old"}\n{"url": "new"}\n'
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.jsonl"]


def test_a_part_file_written_by_a_live_crawl_is_left_alone(tmp_path):
    from newscrawl.feedfiles import in_use

    storage = AtomicFileFeedStorage(str(tmp_path / "live.jsonl"))
    file = storage.open(None)
    file.write(b'{"url": "a"}\n')
    part = tmp_path / "live.jsonl.part"
    assert in_use(part)
    storage.store(file)
    assert not in_use(part)  # gone, and its lock with it
