"""Shared test helpers: regions written from dicts, the CLI as a subprocess, a browser."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parent.parent
# The editor's vendored package for every build a test makes (scripts/test.sh fetches it once);
# without it the editor is skipped with a warning, and no test ever reaches the network.
os.environ.setdefault("SKPDGEN_DECAP_TARBALL",
                      str(REPO / ".cache" / "skpdgen" / "vendor" / "decap-cms-3.16.3.tgz"))
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]

REGION_YAML = """\
name: Pemerintah Kabupaten Uji
base_url: https://ujikab.go.id/
"""


def write_tree(root: Path, files: dict[str, str | bytes]) -> Path:
    """Write {relative path: text or bytes}; text is dedented so fixtures read naturally."""
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(textwrap.dedent(content).lstrip("\n"), encoding="utf-8")
    return root


def make_region(root: Path, files: dict[str, str | bytes]) -> Path:
    """A region repository in `root`: skpdgen.yaml (unless given); the built-in theme applies."""
    if "skpdgen.yaml" not in files:
        files = {"skpdgen.yaml": REGION_YAML, **files}
    write_tree(root, files)
    return root


BUILTIN_THEME = REPO / "skpdgen" / "themes" / "default"


def override_theme_file(root: Path, rel: str) -> Path:
    """A copy of one built-in theme file in the region's themes/default/ (a partial override)."""
    target = root / "themes" / "default" / rel
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes((BUILTIN_THEME / rel).read_bytes())
    return target


def run_cli(*args: str, cwd: Path, env: dict[str, str] | None = None,
            timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """Run `python -m skpdgen ARGS` in `cwd`, as a user would."""
    full_env = {k: v for k, v in os.environ.items() if k not in ("GITHUB_ACTIONS", "CI")}
    full_env.update(env or {})
    return subprocess.run([sys.executable, "-m", "skpdgen", *args], cwd=cwd, env=full_env,
                          capture_output=True, text=True, timeout=timeout)


def require_browser() -> bool:
    """True in CI (SKPDGEN_REQUIRE_BROWSER=1): a missing browser fails instead of skipping."""
    return os.environ.get("SKPDGEN_REQUIRE_BROWSER") == "1"


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Headless Debian Chromium through Playwright."""
    reason = None
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        reason = "playwright is not installed (pip install -e '.[test]')"
    if reason is None and not Path(CHROMIUM).exists():
        reason = f"{CHROMIUM} not found (apt-get install chromium)"
    if reason is not None:
        if require_browser():
            pytest.fail(f"browser required in CI: {reason}")
        pytest.skip(reason)
    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield instance
        instance.close()
