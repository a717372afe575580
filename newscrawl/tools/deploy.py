"""Build newscrawl's egg and upload it to Scrapyd, checking the answer.

    python -m newscrawl.deploy [--url http://127.0.0.1:6800] [--project newscrawl] [--version V]

Unlike ``scrapyd-deploy``, this exits non-zero when Scrapyd rejects the egg, and leaves no
``build/`` or ``*.egg-info`` behind (everything is built in a temporary folder).
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from newscrawl.tools.scrapyd_api import ScrapydError, call

ROOT = Path(__file__).resolve().parents[2]  # the project: setup.py and the newscrawl package


def build_egg(target_dir: Path) -> Path:
    """Build the egg of the newscrawl package into ``target_dir``; return its path.

    The build runs on a copy of the sources, so no build artefacts land in the project.
    """
    with tempfile.TemporaryDirectory(prefix="newscrawl-build-") as work:
        shutil.copy2(ROOT / "setup.py", work)
        ignore = shutil.ignore_patterns("__pycache__")
        shutil.copytree(ROOT / "newscrawl", Path(work) / "newscrawl", ignore=ignore)
        command = [sys.executable, "setup.py", "-q", "bdist_egg", "--dist-dir", str(target_dir.resolve())]
        done = subprocess.run(command, cwd=work, capture_output=True, text=True)
        if done.returncode != 0:
            raise ScrapydError(f"building the egg failed:\n{done.stderr[-2000:]}")
    eggs = sorted(target_dir.glob("newscrawl-*.egg"))
    if not eggs:
        raise ScrapydError("building the egg produced no .egg file")
    return eggs[-1]


def deploy(url: str, project: str, version: str) -> dict[str, object]:
    """Build and upload the egg; return Scrapyd's answer (raises ScrapydError on rejection)."""
    with tempfile.TemporaryDirectory(prefix="newscrawl-egg-") as folder:
        egg = build_egg(Path(folder))
        return call(
            url, "addversion.json",
            form=[("project", project), ("version", version)],
            files={"egg": (egg.name, egg.read_bytes())},
        )  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    """Command line entry point."""
    parser = argparse.ArgumentParser(prog="python -m newscrawl.deploy", description=__doc__.split("\n")[0])
    parser.add_argument("--url", default="http://127.0.0.1:6800", help="Scrapyd's address")
    parser.add_argument("--project", default="newscrawl", help="Scrapyd project name")
    parser.add_argument("--version", default=str(int(time.time())), help="version label (default: now)")
    args = parser.parse_args(argv)
    try:
        answer = deploy(args.url, args.project, args.version)
    except ScrapydError as error:
        print(f"newscrawl: error: deploy failed: {error}", file=sys.stderr)
        return 1
    print(f"deployed {args.project} {args.version} to {args.url}: spiders {answer.get('spiders')}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
