"""Compare crawler output with the mirror's truth, record for record (used by tests and the demo)."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass
class Comparison:
    """Differences between an output feed and the truth."""

    missing: list[str] = field(default_factory=list)
    extra: list[str] = field(default_factory=list)
    duplicated: list[str] = field(default_factory=list)
    mismatched: dict[str, dict[str, tuple[Any, Any]]] = field(default_factory=dict)
    dup_groups_wrong: list[str] = field(default_factory=list)

    @property
    def equal(self) -> bool:
        """True when the output equals the truth."""
        return not (self.missing or self.extra or self.duplicated or self.mismatched or self.dup_groups_wrong)

    def summary(self, limit: int = 10) -> str:
        """A readable account of the differences."""
        lines = [
            f"missing {len(self.missing)}, extra {len(self.extra)}, duplicated {len(self.duplicated)}, "
            f"mismatched {len(self.mismatched)}, duplicate groups wrong {len(self.dup_groups_wrong)}"
        ]
        lines += [f"  missing: {u}" for u in self.missing[:limit]]
        lines += [f"  extra: {u}" for u in self.extra[:limit]]
        lines += [f"  duplicated: {u}" for u in self.duplicated[:limit]]
        lines += [f"  duplicate group: {g}" for g in self.dup_groups_wrong[:limit]]
        for url, fields in list(self.mismatched.items())[:limit]:
            for name, (got, want) in fields.items():
                lines.append(f"  {url} {name}:\n    got  {got!r}\n    want {want!r}")
        return "\n".join(lines)


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    """Every record of a JSON Lines file."""
    with path.open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


def compare(output: list[dict[str, Any]], truth: list[dict[str, Any]]) -> Comparison:
    """Compare records by URL; ``crawled_at`` is checked for presence only."""
    result = Comparison()
    counts = Counter(r["url"] for r in output)
    result.duplicated = sorted(u for u, n in counts.items() if n > 1)
    got = {r["url"]: r for r in output}
    want = {r["url"]: r for r in truth}
    groups: dict[str, list[str]] = {}
    for url, record in want.items():
        if "_dup_group" in record:
            groups.setdefault(record["_dup_group"], []).append(url)
    grouped = {url for urls in groups.values() for url in urls}
    for name, urls in groups.items():
        if sum(url in got for url in urls) != 1:
            result.dup_groups_wrong.append(name)
    result.missing = sorted(u for u in want if u not in got and u not in grouped)
    result.extra = sorted(u for u in got if u not in want)
    for url in sorted(set(got) & set(want)):
        expected = {k: v for k, v in want[url].items() if k != "_dup_group"}
        actual = dict(got[url])
        if not actual.pop("crawled_at", None):
            result.mismatched.setdefault(url, {})["crawled_at"] = (None, "a timestamp")
        diff = {k: (actual.get(k), v) for k, v in expected.items() if actual.get(k) != v}
        diff.update({k: (v, None) for k, v in actual.items() if k not in expected})
        if diff:
            result.mismatched.setdefault(url, {}).update(diff)
    return result
