"""Issue #16: the command line starts fast. A build imports neither the other commands (serve,
deploy, import, ...) nor the libraries only they need, help texts are translated only when
--help shows them, and a no-op build does not import what only writing pages needs."""

from __future__ import annotations

import argparse
import importlib
import json
import subprocess
import sys
from pathlib import Path

from conftest import REPO, make_region, run_cli

from skpdgen import cli

TODAY = "2026-11-29"

PROBE = """
import json, sys
from skpdgen.cli import main
code = main(sys.argv[1:])
print(json.dumps({"code": code, "modules": sorted(sys.modules)}))
"""


def _modules(root: Path, *args: str) -> tuple[int, set[str]]:
    # the user's cache of this region (parsed skpdgen.yaml, message catalogue): its own
    env = {**_env(), "PYTHONPATH": str(REPO), "XDG_CACHE_HOME": str(root.parent / "cache")}
    done = subprocess.run([sys.executable, "-c", PROBE, *args], cwd=root, capture_output=True,
                          text=True, timeout=300, env=env)
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout.strip().splitlines()[-1])
    return data["code"], set(data["modules"])


def _env() -> dict[str, str]:
    import os
    return {k: v for k, v in os.environ.items() if k not in ("GITHUB_ACTIONS", "CI")}


def _region(root: Path) -> Path:
    return make_region(root, {
        "sites/dinkes/site.yaml": "name: Dinas Kesehatan\n",
        "sites/dinkes/content/berita/2026-11-01-satu.md":
            "---\ntitle: Berita Satu\ndate: 2026-11-01\n---\nIsi.\n",
        "sites/dinkes/content/agenda/rapat.md":
            "---\ntitle: Rapat\nstart: 2026-12-10T09:00\nlocation: Aula\n---\nIsi.\n",
    })


NEVER_FOR_BUILD = {"skpdgen.serve.app", "skpdgen.serve.command", "watchdog",
                   "skpdgen.deploy.run", "skpdgen.deploy.command", "skpdgen.importers.wordpress",
                   "skpdgen.check.run", "skpdgen.report.command", "skpdgen.media.command",
                   "skpdgen.scaffold"}


def test_a_build_imports_only_what_building_needs(tmp_path: Path) -> None:
    root = _region(tmp_path / "r")
    code, modules = _modules(root, "build", "--today", TODAY, "--jobs", "1")
    assert code == 0
    assert not modules & NEVER_FOR_BUILD, modules & NEVER_FOR_BUILD
    assert "icalendar" in modules                  # the agenda's calendar was written
    # nothing changed: no calendar to write (icalendar), no process pool, no compiling
    code, modules = _modules(root, "build", "--today", TODAY)
    assert code == 0
    assert not modules & (NEVER_FOR_BUILD | {"icalendar"}), modules & NEVER_FOR_BUILD
    # nor the renderer, Markdown, images or processes: the agency's key and output were checked;
    # nor PyYAML: skpdgen.yaml and the message catalogue were parsed by the first build
    noop = {"jinja2", "markdown_it", "PIL", "pillow_heif", "multiprocessing",
            "concurrent.futures.process", "skpdgen.site_build", "skpdgen.portal", "yaml"}
    assert not modules & noop, modules & noop


def test_the_command_exits_fast_yet_runs_exit_handlers_and_flushes(tmp_path: Path) -> None:
    """`skpdgen` skips freeing the interpreter's objects at exit (cli.run): what it printed
    still reaches a pipe, exit handlers still run, and exit statuses are main()'s."""
    script = ("import atexit, sys\n"
              "atexit.register(lambda: print('handler ran', flush=True))\n"
              "sys.argv = ['skpdgen', *sys.argv[1:]]\n"
              "from skpdgen.cli import run\n"
              "run()\n")
    for args, status, shown in ((["--version"], 0, "skpdgen"), (["biuld"], 2, "")):
        done = subprocess.run([sys.executable, "-c", script, *args], cwd=tmp_path,
                              capture_output=True, text=True, timeout=120,
                              env={**_env(), "PYTHONPATH": str(REPO)})
        assert done.returncode == status, done.stderr
        assert shown in done.stdout and done.stdout.rstrip().endswith("handler ran")


def test_other_commands_still_work_and_help_lists_them_all(tmp_path: Path) -> None:
    root = _region(tmp_path / "r")
    result = run_cli("--lang", "id", "--help", cwd=root)
    assert result.returncode == 0
    for command in ("build", "serve", "check", "deploy", "report", "optimize", "import"):
        assert f"    {command} " in result.stdout, command
    assert "bangun situs semua perangkat daerah" in result.stdout    # translated for --help
    result = run_cli("--lang", "id", "build", "--help", cwd=root)
    assert "hanya perangkat daerah ini (boleh diulang)" in result.stdout
    assert "include drafts" not in result.stdout
    result = run_cli("--lang", "en", "report", "--help", cwd=root)
    assert result.returncode == 0 and "--fail-on" in result.stdout
    result = run_cli("biuld", cwd=root)
    assert result.returncode == 2
    assert "'biuld'" in result.stderr and "optimize" in result.stderr   # every command offered
    result = run_cli("report", "--format", "json", "--today", TODAY, cwd=root)
    assert result.returncode == 0, result.stderr


def test_the_map_of_commands_to_modules_is_complete() -> None:
    assert sorted(cli.MODULE_OF_COMMAND.values()) == sorted(cli.COMMAND_MODULES)
    for command, module in cli.MODULE_OF_COMMAND.items():
        parser = argparse.ArgumentParser()
        sub = parser.add_subparsers()
        importlib.import_module(module).register(sub)
        assert list(sub.choices) == [command], module
    assert not cli.BUILT_IN_COMMANDS & cli.MODULE_OF_COMMAND.keys()


def test_the_command_word_is_found_only_when_plain() -> None:
    assert cli._command_word(["build", "--site", "x"]) == "build"
    assert cli._command_word(["--lang", "en", "check"]) == "check"
    assert cli._command_word(["--lang=en", "serve", "--port", "0"]) == "serve"
    for unclear in ([], ["--help"], ["--version"], ["--la", "en", "build"], ["-h", "build"]):
        assert cli._command_word(unclear) is None, unclear
