"""The README stays true: its reference is generated from the schemas, its commands exist."""

from __future__ import annotations

import re

from conftest import REPO, run_cli

from skpdgen.reference import BEGIN, END, update_readme


def test_reference_block_is_current() -> None:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    assert BEGIN in text and END in text
    assert update_readme(text) == text, "run: python3 -m skpdgen.reference"


def test_every_documented_command_exists() -> None:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"^\| `skpdgen (\w+)", text, flags=re.M))
    assert {"build", "serve", "check", "report", "new", "deploy", "init"} <= documented
    for command in sorted(documented):
        done = run_cli(command, "--help", cwd=REPO, timeout=60)
        assert done.returncode == 0, (command, done.stderr)
        assert "usage:" in done.stdout


def test_version() -> None:
    done = run_cli("--version", cwd=REPO, timeout=60)
    assert done.returncode == 0 and done.stdout.startswith("skpdgen ")
