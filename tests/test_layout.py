"""The package's layout as the README shows it: every module named, every name a module."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "newscrawl"


def module_map() -> str:
    """The README's module map: the code block that starts with ``newscrawl/``."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    found = re.search(r"```\nnewscrawl/\n(.*?)```", readme, re.DOTALL)
    assert found, "README.md has no module map"
    return found.group(1)


def test_every_module_is_in_the_readme_map() -> None:
    text = module_map()
    named = set(re.findall(r"[\w]+\.py", text)) | {f"{folder}/" for folder in re.findall(r"(\w+)/", text)}
    modules = [p for p in PACKAGE.rglob("*.py") if p.name != "__init__.py"]
    missing = [str(p.relative_to(PACKAGE)) for p in modules if p.name not in named]
    assert missing == [], f"modules missing from the README's map: {missing}"
    folders = {p.parent.name + "/" for p in modules if p.parent != PACKAGE}
    assert folders <= named, folders - named


def test_every_file_in_the_readme_map_exists() -> None:
    existing = {p.name for p in PACKAGE.rglob("*.py")}
    stale = sorted(set(re.findall(r"[\w]+\.py", module_map())) - existing)
    assert stale == [], f"the README's map names files that do not exist: {stale}"


def test_the_spider_has_no_function_over_40_lines() -> None:
    """The spider only navigates, in small steps: a long function is doing another module's job."""
    spider = PACKAGE / "spiders" / "vietnamvn.py"
    tree = ast.parse(spider.read_text(encoding="utf-8"))
    functions = (n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef))
    long = {f.name: f.end_lineno - f.lineno + 1 for f in functions if f.end_lineno - f.lineno + 1 > 40}
    assert long == {}, f"functions of the spider over 40 lines: {long}"
