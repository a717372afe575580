"""Stats keys are one checked contract: named in newscrawl/stats.py only, and documented."""

from __future__ import annotations

import ast
import inspect
import re
from pathlib import Path

from newscrawl import stats

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "newscrawl"
# A product token such as the user agent's "newscrawl/0.1" is not a stats key.
_NOT_A_KEY = re.compile(r"newscrawl/\d")


def _string_parts(tree: ast.AST) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            found.append((node.lineno, node.value))
    return found


def test_no_module_but_stats_spells_a_stats_key() -> None:
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path == PACKAGE / "stats.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for line, text in _string_parts(tree):  # f-string parts are Constants too
            if text.startswith("newscrawl/") and not _NOT_A_KEY.match(text):
                offenders.append(f"{path.relative_to(ROOT)}:{line}: {text!r}")
    assert offenders == [], "stats keys spelled outside newscrawl/stats.py: " + "; ".join(offenders)


def _known_keys() -> tuple[set[str], list[re.Pattern[str]]]:
    """Fixed keys, and one pattern per key template (a function of stats.py)."""
    fixed = {value for name, value in vars(stats).items() if name.isupper() and isinstance(value, str)}
    templates = []
    mod = stats.__name__
    for name, function in vars(stats).items():
        if inspect.isfunction(function) and not name.startswith("_") and function.__module__ == mod:
            arity = len(inspect.signature(function).parameters)
            sample = re.escape(function(*(f"@@{i}@@" for i in range(arity))))
            templates.append(re.compile(re.sub(r"@@\d@@", "[^/]+", sample) + "$"))
    return fixed, templates


def _readme_keys() -> list[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = readme.split("## Reading the end-of-crawl stats", 1)[1].split("\n## ", 1)[0]
    keys = []
    for row in table.splitlines():
        if not row.startswith("| `"):
            continue
        previous = ""
        for key in re.findall(r"`([^`]+)`", row.split("|")[1]):
            if key.startswith("…/"):
                key = previous.rsplit("/", 1)[0] + key[1:]
            keys.append(key)
            previous = key
    return keys


def test_the_readme_stats_table_names_keys_that_exist() -> None:
    fixed, templates = _known_keys()
    every = sorted(fixed) + [t.pattern for t in templates]
    readme = _readme_keys()
    assert len(readme) > 20
    missing = []
    for key in readme:
        if key.endswith("…"):  # a group of keys
            if not any(k.startswith(key[:-1]) for k in every):
                missing.append(key)
            continue
        concrete = re.sub(r"<[^>]+>", "x", key)
        if concrete not in fixed and not any(t.match(concrete) for t in templates):
            missing.append(key)
    assert missing == [], f"the README's stats table names keys stats.py does not have: {missing}"


def test_key_templates_build_the_documented_keys() -> None:
    assert stats.listing_empty("the-gioi") == "newscrawl/listing_empty/the-gioi"
    assert stats.field_layer("body", "generic") == "newscrawl/field/body/generic"
    assert stats.discovery_only("sitemap") == "newscrawl/discovery/only_sitemap"
    assert stats.articles("en").startswith(stats.ARTICLES_PREFIX)
