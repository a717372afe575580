"""The package's layout as the README shows it: every module named, every name a module."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

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
    long = {}
    for module in sorted((PACKAGE / "spiders").glob("*.py")):
        tree = ast.parse(module.read_text(encoding="utf-8"))
        functions = (n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef))
        long.update({f"{module.name}:{f.name}": f.end_lineno - f.lineno + 1
                     for f in functions if f.end_lineno - f.lineno + 1 > 40})
    assert long == {}, f"functions of the spider over 40 lines: {long}"


# --- the site stays in its profile ---------------------------------------------------------------


def _string_constants(tree: ast.Module) -> list[ast.Constant]:
    """Every string constant of a module except docstrings (comments are not in the tree)."""
    docstrings = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            first = node.body[0] if node.body else None
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                docstrings.add(id(first.value))
    return [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings
    ]


def _word(text: str) -> re.Pattern[str]:
    """``text`` standing alone: not inside a longer word or class name."""
    return re.compile(rf"(?<![\w-]){re.escape(text)}(?![\w-])", re.IGNORECASE)


def site_specifics() -> dict[str, re.Pattern[str]]:
    """What names vietnam.vn: its hosts, URL grammar, class names, labels and time zone."""
    from newscrawl.sites.vietnamvn import VIETNAM_VN as site

    found: dict[str, re.Pattern[str]] = {}
    for host in site.hosts | site.https_image_hosts:
        found[f"host {host}"] = re.compile(re.escape(host), re.IGNORECASE)
        first, _, rest = host.partition(".")
        if rest.count(".") and first != "www":  # a subdomain of the site's own: "vstatic."
            found[f"host {first}."] = re.compile(rf"(?<![\w.-]){re.escape(first)}\.", re.IGNORECASE)
    grammar, discovery = site.urls, site.discovery
    for segment in (grammar.category, *grammar.tags, *grammar.authors):
        found[f"path /{segment}/"] = re.compile(re.escape(f"/{segment}/"))
    for path in (discovery.sitemap, discovery.feed.replace("{home}", "")):
        found[f"path {path}"] = re.compile(re.escape(path))
    sitemap_patterns = (discovery.day_sitemap, discovery.category_sitemap, discovery.news_sitemap)
    for pattern in sitemap_patterns:
        for name in re.findall(r"[a-z]+(?:-[a-z]+)+", pattern.pattern):
            found[f"sitemap {name}"] = re.compile(re.escape(name))
    selectors = [
        *(css for group in site.article.values() for css in group),
        *site.listing_links, *site.listing_dates, *site.body_exclude,
    ]  # fmt: skip
    classes = {name for css in selectors for name in re.findall(r"\.([\w-]+)", css)}
    classes |= {*site.listing_excluded_classes, *site.next_page_classes, *site.load_more_classes}
    classes |= set(site.caption_classes)
    for name in classes:
        if "-" in name:  # a compound is the site's own name; "date" or "ads" are anyone's words
            found[f"class {name}"] = _word(name)
    labels = site.labels
    words = (
        *labels.next_page, *labels.load_more, *labels.source, *labels.source_link, *labels.comment,
        *labels.caption_credit, *labels.caption_numbered, *labels.empty_listing, site.site_header,
    )  # fmt: skip
    for label in words:
        if len(label) >= 4 and label.lower() not in GENERIC_WORDS:
            found[f"label {label!r}"] = _word(label)
    offset = site.timezone.utcoffset(None)
    assert offset is not None
    hours, minutes = divmod(int(offset.total_seconds()) // 60, 60)
    for zone in (f"+{hours:02d}:{minutes:02d}", f"+{hours:02d}{minutes:02d}", "Ho_Chi_Minh"):
        found[f"time zone {zone}"] = re.compile(re.escape(zone))
    return found


#: English words among the site's labels that the code uses for what they mean everywhere (the
#: ``rel=next`` of HTML, the ``source_url`` and ``images`` of the record).
GENERIC_WORDS = frozenset({"next", "more", "source", "comment", "comments", "image", "photo", "photos"})


def site_offset_hours() -> float:
    """The site's UTC offset in hours."""
    from newscrawl.sites.vietnamvn import VIETNAM_VN

    offset = VIETNAM_VN.timezone.utcoffset(None)
    assert offset is not None
    return offset.total_seconds() / 3600


def site_leaks(tree: ast.Module) -> list[str]:
    """What of the site a module names: ``line: what (in 'constant')``."""
    checks = site_specifics()
    leaks = []
    for node in _string_constants(tree):
        for what, pattern in checks.items():
            if pattern.search(node.value):
                leaks.append(f"{node.lineno}: {what} in {node.value[:60]!r}")
    offset = site_offset_hours()
    for node in ast.walk(tree):  # timedelta(hours=7): the zone as a number
        if isinstance(node, ast.Call):
            for keyword in node.keywords:
                value = keyword.value
                if keyword.arg == "hours" and isinstance(value, ast.Constant) and value.value == offset:
                    leaks.append(f"{node.lineno}: time zone hours={offset}")
    return leaks


def test_nothing_outside_sites_names_the_site() -> None:
    """Hosts, path prefixes, class names, labels and the time zone of vietnam.vn live in its profile."""
    found = {}
    for module in sorted(PACKAGE.rglob("*.py")):
        if module.relative_to(PACKAGE).parts[0] == "sites":
            continue
        leaks = site_leaks(ast.parse(module.read_text(encoding="utf-8")))
        if leaks:
            found[str(module.relative_to(PACKAGE))] = leaks
    assert found == {}, f"modules naming the site (its profile should): {found}"


@pytest.mark.parametrize(
    "source",
    [
        'ORIGIN = "https://www.vietnam.vn"',
        'IMAGES = "http://vstatic."',
        'path = f"{home}/sitemap.rss"',
        'DAY = r"/sitemap-post/(\\d+)"',
        'CATEGORY = "/category/"',
        'BODY = ".post-detail-body"',
        'LINK = "a.v-link-title"',
        'LABEL = re.compile("xem thêm|tải thêm")',
        'SOURCE = ("Nguồn",)',
        'OFFSET = "+07:00"',
        "VN = timezone(timedelta(hours=7))",
    ],
)
def test_the_site_check_finds_what_it_looks_for(source: str) -> None:
    assert site_leaks(ast.parse(source))


def test_the_site_check_ignores_docstrings_and_generic_words() -> None:
    source = '"""Crawls www.vietnam.vn: /category/ pages, .post-detail-body."""\n'
    source += 'KEYS = ("source_url", "next", "date")'
    assert site_leaks(ast.parse(source)) == []
