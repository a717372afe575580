"""Every saved page (``tests/fixtures/pages``) still gives its expected record.

Each fixture is an archived page (``<lang>-<slug>.html.gz``) and the record re-extraction gave
for it (``<lang>-<slug>.json``, with what the page needs to be read again under ``_page``); see
``python -m newscrawl.fixtures`` and the README's "Fixtures" section. A failure names every field
that changed, with a line diff for long text.
"""

from __future__ import annotations

import difflib
import json
import re
from pathlib import Path
from typing import Any

import pytest

from newscrawl.tools.fixtures import FIXTURES, RUN_KEYS, fixture_note, load_fixture, main
from newscrawl.tools.replay import page_record, site_profile

FIXTURE_FILES = sorted(FIXTURES.glob("*.json"))


def field_diff(name: str, got: Any, want: Any) -> str:
    """One field's difference, readably: a line diff for long or multi-line text."""
    if isinstance(got, str) and isinstance(want, str) and ("\n" in got + want or len(got + want) > 160):
        lines = difflib.unified_diff(want.split("\n"), got.split("\n"), "expected", "extracted", lineterm="")
        return f"{name}:\n  " + "\n  ".join(lines)
    if isinstance(got, list | dict) or isinstance(want, list | dict):
        got_text = json.dumps(got, ensure_ascii=False, indent=1).split("\n")
        want_text = json.dumps(want, ensure_ascii=False, indent=1).split("\n")
        lines = difflib.unified_diff(want_text, got_text, "expected", "extracted", lineterm="", n=2)
        return f"{name}:\n  " + "\n  ".join(lines)
    return f"{name}: extracted {got!r}, expected {want!r}"


def record_diff(got: dict[str, Any], want: dict[str, Any]) -> list[str]:
    """Every field that differs between an extracted and an expected record."""
    return [field_diff(k, got.get(k), want.get(k)) for k in want | got if got.get(k) != want.get(k)]


def extracted(json_path: Path) -> tuple[dict[str, Any] | None, dict[str, Any]]:
    """A fixture's record as today's extraction gives it (without the run's keys), and the expected one."""
    page, expected = load_fixture(json_path)
    record = page_record(page, site_profile(page.meta.get("site") or ""))
    if record is not None:
        record = {key: value for key, value in record.items() if key not in RUN_KEYS}
    return record, expected


@pytest.mark.parametrize("json_path", FIXTURE_FILES, ids=[p.stem for p in FIXTURE_FILES])
def test_a_saved_page_gives_its_expected_record(json_path: Path) -> None:
    record, expected = extracted(json_path)
    assert record is not None, f"{json_path.stem}: the page gives no record any more"
    problems = record_diff(record, expected)
    assert not problems, f"{json_path.stem}: {len(problems)} fields differ\n" + "\n".join(problems)


def test_the_seed_fixtures_cover_every_mirror_layout() -> None:
    """One page of each mirror layout, and one the browser drew (their notes say which)."""
    notes = {path.stem: fixture_note(path) for path in FIXTURE_FILES}
    layouts = {m[1] for note in notes.values() if (m := re.match(r"mirror .*layout ([A-F])\b", note))}
    assert layouts == set("ABCDEF"), notes
    rendered = [load_fixture(path)[0] for path in FIXTURE_FILES if "drawn by the browser" in notes[path.stem]]
    assert rendered and all(page.rendered for page in rendered)
    assert all(path.with_suffix(".html.gz").is_file() for path in FIXTURE_FILES)


def test_field_diff_is_readable() -> None:
    diff = field_diff("body", "One.\n\nTwo, changed.", "One.\n\nTwo.")
    assert "-Two." in diff and "+Two, changed." in diff
    assert field_diff("word_count", 3, 2) == "word_count: extracted 3, expected 2"
    assert '+ "b"' in field_diff("tags", ["a", "b"], ["a"])


def test_update_rewrites_nothing_when_nothing_changed(tmp_path: Path) -> None:
    """``fixtures update`` on unchanged extraction leaves every fixture byte for byte."""
    for path in FIXTURE_FILES[:2]:
        for suffix in (".json", ".html.gz"):
            (tmp_path / path.with_suffix(suffix).name).write_bytes(path.with_suffix(suffix).read_bytes())
    assert main(["update", "--dir", str(tmp_path)]) == 0
    for path in FIXTURE_FILES[:2]:
        assert (tmp_path / path.name).read_bytes() == path.read_bytes()


def test_add_saves_an_archived_page_and_its_record(tmp_path: Path) -> None:
    from tests.test_reextract import two_days_archive

    days = two_days_archive(tmp_path / "archive")
    assert main(["add", str(days.archive), days.x, "--dir", str(tmp_path / "pages")]) == 0
    (json_path,) = (tmp_path / "pages").glob("*.json")
    assert json_path.stem == "vi-" + days.x.rsplit("/", 1)[1]
    record, expected = extracted(json_path)
    assert record == expected
    assert expected["content_hash"] == days.truth[days.x]["content_hash"]  # the latest fetch's
    missing = "https://www.vietnam.vn/not-archived"
    assert main(["add", str(days.archive), missing, "--dir", str(tmp_path)]) == 2


def test_a_changed_expectation_is_named_field_by_field(tmp_path: Path) -> None:
    source = FIXTURE_FILES[0]
    document = json.loads(source.read_text(encoding="utf-8"))
    document["title"] += " (edited)"
    document["body"] = document["body"].replace("\n\n", "\n\nAn extra paragraph.\n\n", 1)
    copy = tmp_path / source.name
    copy.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    (tmp_path / source.with_suffix(".html.gz").name).write_bytes(source.with_suffix(".html.gz").read_bytes())
    record, expected = extracted(copy)
    assert record is not None
    problems = record_diff(record, expected)
    assert [p.split(":")[0] for p in problems] == ["title", "body"]
    assert "-An extra paragraph." in problems[1]
