"""The CI files: valid YAML, pinned, the documented commands; the same sequence run end to end."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import REPO, make_region, run_cli

from skpdgen.config.region import load_region
from skpdgen.deploy.config import GitTarget, load_targets
from skpdgen.scaffold_ci import DEPLOY_CONFIG, github_workflow, gitlab_ci
from skpdgen.scaffold_ci_shards import github_sharded_workflow, gitlab_sharded_ci

GITHUB = REPO / ".github/workflows/skpdgen.yml"
GITLAB = REPO / ".gitlab-ci.yml"
FAKE_TOKEN = "ghs_FAKE0123456789"
COMMAND = re.compile(r"\bskpdgen ([a-z]+)\b")


def load(path: Path) -> dict[Any, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def github_steps() -> list[dict[str, Any]]:
    steps = load(GITHUB)["jobs"]["site"]["steps"]
    assert isinstance(steps, list)
    return steps


def test_repository_files_are_what_init_writes() -> None:
    assert GITHUB.read_text(encoding="utf-8") == github_workflow(
        install=".", dependency_file="pyproject.toml")
    assert GITLAB.read_text(encoding="utf-8") == gitlab_ci(install=".")
    for text in (github_workflow(), gitlab_ci()):     # the versions `skpdgen init` writes
        assert yaml.safe_load(text)


def test_github_workflow_triggers_pins_and_cache() -> None:
    data = load(GITHUB)
    triggers = data.get("on", data.get(True))        # YAML 1.1 reads a bare `on` as true
    assert set(triggers) == {"pull_request", "push", "schedule", "workflow_dispatch"}
    assert triggers["push"]["branches"] == ["main"]
    assert re.fullmatch(r"\d+ \d+ \* \* \*", triggers["schedule"][0]["cron"])
    steps = github_steps()
    uses = [s["uses"] for s in steps if "uses" in s]
    assert uses == ["actions/checkout@v4", "actions/setup-python@v5", "actions/cache/restore@v4",
                    "actions/cache/save@v4"]
    assert steps[0]["with"]["fetch-depth"] == 0
    assert steps[0]["with"]["persist-credentials"] is False
    assert steps[1]["with"]["cache"] == "pip"
    assert data["jobs"]["site"]["permissions"] == {"contents": "write"}


def test_github_publishing_runs_after_a_failed_build_but_not_on_pull_requests() -> None:
    by_command = {m.group(1): s for s in github_steps()
                  if (m := COMMAND.search(str(s.get("run", ""))))}
    assert list(by_command) == ["build", "check", "deploy"]
    assert "if" not in by_command["build"]
    assert by_command["check"]["if"] == "${{ !cancelled() }}"
    condition = by_command["deploy"]["if"]
    assert "!cancelled()" in condition and "success()" not in condition
    assert "github.event_name != 'pull_request'" in condition
    assert by_command["deploy"]["env"]["SKPDGEN_GIT_TOKEN"] == "${{ github.token }}"


def assert_github_build_cache(steps: list[dict[str, Any]], scope: str = "") -> None:
    """build/ is restored right before `skpdgen build` and saved right after it, even when the
    build failed, under a key new each run; restored from this branch's newest entry, else main's."""
    names = [s.get("uses") or s.get("run") for s in steps]
    build = next(i for i, name in enumerate(names) if str(name).startswith("skpdgen build"))
    restore, save = steps[names.index("actions/cache/restore@v4")], steps[build + 1]
    assert names.index("actions/cache/restore@v4") < build
    assert save["uses"] == "actions/cache/save@v4" and save["if"] == "${{ !cancelled() }}"
    prefix = "skpdgen-build-${{ runner.os }}-" + scope
    key = prefix + "${{ github.ref_name }}-${{ github.run_id }}-${{ github.run_attempt }}"
    for step in (restore, save):     # the same paths, or the entries are not found again
        assert step["with"]["path"].splitlines() == ["build/", "!build/.skpdgen/templates/"]
        assert step["with"]["key"] == key
    default_branch = "${{ github.event.repository.default_branch }}-"
    assert restore["with"]["restore-keys"].splitlines() == [prefix + "${{ github.ref_name }}-",
                                                             prefix + default_branch]


def test_github_workflow_keeps_build_between_runs() -> None:
    assert_github_build_cache(github_steps())
    assert_github_build_cache(yaml.safe_load(github_workflow(ssh=True))["jobs"]["site"]["steps"])


def assert_gitlab_build_cache(job: dict[str, Any], scope: str = "") -> None:
    """The job keeps the pip cache of `default:` and build/ per branch, else the default
    branch's (a merge request saves under its own branch, never the default branch's key)."""
    pip, build = job["cache"]
    assert pip == {"key": "pip-python3.12", "paths": [".cache/pip"]}
    assert build == {"key": f"skpdgen-build-{scope}$CI_COMMIT_REF_SLUG",
                     "fallback_keys": [f"skpdgen-build-{scope}$CI_DEFAULT_BRANCH"],
                     "paths": ["build/"], "when": "always"}


def test_gitlab_pipeline_keeps_build_between_pipelines() -> None:
    data = load(GITLAB)
    assert data["default"]["cache"] == {"key": "pip-python3.12", "paths": [".cache/pip"]}
    for name in ("check", "pages"):
        assert_gitlab_build_cache(data[name])
    assert "cache" not in data["verdict"]          # it builds nothing
    assert_gitlab_build_cache(yaml.safe_load(gitlab_ci(ssh=True))["publish"])


def test_gitlab_pipeline_shape() -> None:
    data = load(GITLAB)
    assert data["variables"]["GIT_DEPTH"] == "0"
    assert ".cache/pip" in data["default"]["cache"]["paths"]
    assert data["check"]["rules"][0]["if"] == '$CI_PIPELINE_SOURCE == "merge_request_event"'
    assert "public" in data["pages"]["artifacts"]["paths"]
    assert data["verdict"]["needs"] == ["pages"]


def test_workflows_name_the_documented_commands() -> None:
    docs = [REPO / "docs/deploy.md"] + ([REPO / "README.md"]
                                         if (REPO / "README.md").is_file() else [])
    for workflow in (GITHUB, GITLAB):
        commands = set(COMMAND.findall(workflow.read_text(encoding="utf-8")))
        assert commands == {"build", "check", "deploy"}, workflow
        for doc in docs:
            text = doc.read_text(encoding="utf-8")
            for command in commands:
                assert f"skpdgen {command}" in text, (doc, command)


def test_deploy_config_for_init_is_valid(tmp_path: Path) -> None:
    root = make_region(tmp_path, {"skpdgen.yaml": "name: Uji\nbase_url: https://uji.go.id/\n"
                                  + DEPLOY_CONFIG})
    targets = load_targets(load_region(root))
    assert [t.name for t in targets] == ["pages", "gitlab"]
    assert all(isinstance(t, GitTarget) for t in targets)
    pages = targets[0]
    assert isinstance(pages, GitTarget)
    assert pages.remote_url(root, {"GITHUB_REPOSITORY": "pemkab/situs"}) == (
        "https://github.com/pemkab/situs.git")


# --- the same commands, end to end ------------------------------------------------------------

def git(*args: str, cwd: Path | None = None) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True,
                          text=True).stdout.strip()


def ci_region(tmp_path: Path) -> tuple[Path, Path]:
    """A region repository (with history) whose `pages` and `gitlab` targets push to `bare`."""
    bare = tmp_path / "origin.git"
    git("init", "--quiet", "--bare", str(bare))
    deploy = DEPLOY_CONFIG.replace("https://github.com/${GITHUB_REPOSITORY}.git", str(bare))
    deploy = deploy.replace("${CI_SERVER_URL}/${CI_PROJECT_PATH}.git", str(bare))
    root = make_region(tmp_path / "region", {
        "skpdgen.yaml": "name: Pemerintah Kabupaten Uji\nbase_url: https://ujikab.go.id/\n"
                        "description: Portal uji.\n" + deploy,
        "sites/dinkes/site.yaml": "name: Dinas Kesehatan\ndescription: Dinas uji.\n",
        "sites/dinkes/content/berita/2024-05-01-vaksin.md":
            "---\ntitle: Vaksinasi\ndate: 2024-05-01\n---\nVaksinasi massal.\n",
        "sites/disdik/site.yaml": "name: Dinas Pendidikan\ndescription: Dinas uji.\n",
        "sites/disdik/content/berita/2024-05-02-ppdb.md":
            "---\ntitle: PPDB\ndate: 2024-05-02\n---\nPendaftaran dibuka.\n",
    })
    (root / ".gitignore").write_text("/build/\n/public/\n/skpdgen-status.txt\n",
                                     encoding="utf-8")
    git("init", "--quiet", "-b", "main", cwd=root)
    git("add", "-A", cwd=root)
    git("-c", "user.name=Uji", "-c", "user.email=uji@example.com", "commit", "--quiet", "-m",
        "Awal", cwd=root)
    git("remote", "add", "origin", str(bare), cwd=root)
    return root, bare


def shell(script: str, root: Path, env: dict[str, str]) -> int:
    """Run a CI script with bash as the runners do, `skpdgen` being this checkout's."""
    prelude = f"skpdgen() {{ {shlex.quote(sys.executable)} -m skpdgen \"$@\"; }}\n"
    full_env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "CI"))}
    full_env.update(env, SKPDGEN_TODAY="2024-06-15")
    return subprocess.run(["bash", "-eo", "pipefail", "-c", prelude + script], cwd=root,
                           env=full_env, capture_output=True, text=True, timeout=300).returncode


def run_github_job(root: Path, event: str) -> tuple[bool, list[str]]:
    """The job's steps after installing, with GitHub's `if:` rules; (job ok, steps run)."""
    failed = False
    ran: list[str] = []
    for step in github_steps():
        run = step.get("run")
        if run is None or "pip install" in run:
            continue
        condition = step.get("if", "")
        if "github.event_name != 'pull_request'" in condition and event == "pull_request":
            continue
        if failed and "!cancelled()" not in condition:
            continue
        env = {k: str(v).replace("${{ github.token }}", FAKE_TOKEN)
               for k, v in step.get("env", {}).items()}
        env.update(GITHUB_ACTIONS="true", GITHUB_EVENT_NAME=event)
        ran.append(run)
        if shell(run, root, env) != 0:
            failed = True
    return not failed, ran


def test_github_job_end_to_end(tmp_path: Path) -> None:
    root, bare = ci_region(tmp_path)
    ok, ran = run_github_job(root, "pull_request")
    assert ok and ran == ["skpdgen build", "skpdgen check"]
    assert git("--git-dir", str(bare), "branch", "--list") == ""

    ok, ran = run_github_job(root, "push")
    assert ok and ran == ["skpdgen build", "skpdgen check", "skpdgen deploy pages"]
    files = git("--git-dir", str(bare), "ls-tree", "-r", "--name-only", "gh-pages").split()
    assert {"index.html", "dinkes/index.html", "disdik/index.html", ".nojekyll",
            "_headers"} <= set(files)
    live_disdik = git("--git-dir", str(bare), "rev-parse", "gh-pages:disdik")

    # One agency breaks: the job still publishes the others, and ends red.
    # a site.yaml error holds the whole agency back (one broken item would not: isolate.py)
    site_yaml = root / "sites/disdik/site.yaml"
    site_yaml.write_text(site_yaml.read_text(encoding="utf-8") + "warna: merah\n",
                         encoding="utf-8")
    (root / "sites/dinkes/content/berita/2024-05-01-vaksin.md").write_text(
        "---\ntitle: Vaksinasi\ndate: 2024-05-01\n---\nVaksinasi massal di stadion.\n",
        encoding="utf-8")
    ok, ran = run_github_job(root, "push")
    assert not ok
    assert ran == ["skpdgen build", "skpdgen check", "skpdgen deploy pages"]
    assert git("--git-dir", str(bare), "rev-parse", "gh-pages:disdik") == live_disdik
    page = git("--git-dir", str(bare), "show", "gh-pages:dinkes/berita/vaksin/index.html")
    assert "di stadion" in page
    blobs = subprocess.run(["git", "--git-dir", str(bare), "cat-file", "--batch-all-objects",
                            "--batch"], check=True, capture_output=True).stdout
    assert FAKE_TOKEN.encode() not in blobs


def test_gitlab_pages_job_end_to_end(tmp_path: Path) -> None:
    root, bare = ci_region(tmp_path)
    data = load(GITLAB)
    pages = "\n".join(data["pages"]["script"])
    verdict = "\n".join(data["verdict"]["script"])
    assert shell(pages, root, {}) == 0
    assert (root / "public/index.html").is_file() and (root / "public/disdik").is_dir()
    assert (root / "public/_headers").is_file()
    assert shell(verdict, root, {}) == 0

    # a site.yaml error holds the whole agency back (one broken item would not: isolate.py)
    site_yaml = root / "sites/disdik/site.yaml"
    site_yaml.write_text(site_yaml.read_text(encoding="utf-8") + "warna: merah\n",
                         encoding="utf-8")
    for leftover in ("public", "skpdgen-status.txt"):
        subprocess.run(["rm", "-rf", str(root / leftover)], check=True)
    assert shell(pages, root, {}) == 0            # healthy sites are published by GitLab
    assert (root / "public/disdik/index.html").is_file()   # disdik's live version is kept
    assert (root / "skpdgen-status.txt").read_text(encoding="utf-8").strip() == "1 1"
    assert shell(verdict, root, {}) != 0          # ... and the pipeline ends red


@pytest.mark.parametrize("text", [github_workflow(), gitlab_ci()])
def test_init_versions_install_the_committed_wheel_not_a_package_index(text: str) -> None:
    from skpdgen import __version__
    assert f'python -m pip install "./vendor/skpdgen-{__version__}-py3-none-any.whl"' in text
    assert "skpdgen==" not in text


# --- the sharded variants (skpdgen init --shards N) -------------------------------------------

SHARDED = {"github": github_sharded_workflow(3, install="."),
           "gitlab": gitlab_sharded_ci(3, install=".")}


@pytest.mark.skipif(shutil.which("check-jsonschema") is None,
                    reason="pip install check-jsonschema")
@pytest.mark.parametrize("host", ["github", "gitlab", "server"])
def test_sharded_ci_files_of_init_validate_against_the_schemas(tmp_path: Path,
                                                                host: str) -> None:
    root = tmp_path / "region"
    done = run_cli("init", str(root), "--host", host, "--shards", "3", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    checks = [(root / ".github/workflows/skpdgen.yml", "vendor.github-workflows"),
              (root / ".gitlab-ci.yml", "vendor.gitlab-ci")]
    found = [(path, schema) for path, schema in checks if path.is_file()]
    assert len(found) == (2 if host == "server" else 1)
    for path, schema in found:
        assert "--shard" in path.read_text(encoding="utf-8")
        done = subprocess.run(["check-jsonschema", "--builtin-schema", schema, str(path)],
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, (path, done.stdout, done.stderr)
    bad = run_cli("init", str(tmp_path / "other"), "--shards", "0", cwd=tmp_path)
    assert bad.returncode == 2 and "--shards must be 1 to 256" in bad.stderr


def test_sharded_github_workflow_shape() -> None:
    data = yaml.safe_load(SHARDED["github"])
    jobs = data["jobs"]
    assert list(jobs) == ["day", "shard", "site"]
    assert jobs["shard"]["strategy"] == {"fail-fast": False, "matrix": {"shard": [1, 2, 3]}}
    upload = next(s for s in jobs["shard"]["steps"] if "upload-artifact" in s.get("uses", ""))
    assert upload["with"]["include-hidden-files"] is True   # build/.skpdgen holds the records
    assert upload["with"]["path"].split() == ["build/", "!build/.skpdgen/cache/spare/"]
    assert upload["if"] == "${{ !cancelled() }}"
    assert jobs["site"]["needs"] == ["day", "shard"] and jobs["site"]["if"] == "${{ !cancelled() }}"
    download = next(s for s in jobs["site"]["steps"] if "download-artifact" in s.get("uses", ""))
    assert download["with"] == {"pattern": "build-*", "merge-multiple": True, "path": "build/"}
    shard_steps = jobs["shard"]["steps"]
    assert_github_build_cache(shard_steps, "shard${{ matrix.shard }}-of-3-")
    runs = [s.get("run") for s in shard_steps]
    assert "skpdgen build --shard ${{ matrix.shard }}/3" in runs
    assert not any("rm " in (run or "") for run in runs)   # build --shard forgets old records
    assert not any("actions/cache" in s.get("uses", "") for s in jobs["site"]["steps"])
    for job in ("shard", "site"):
        assert jobs[job]["env"]["SKPDGEN_TODAY"] == "${{ needs.day.outputs.today }}"
        assert jobs[job]["steps"][0]["with"]["fetch-depth"] == 0


def test_sharded_gitlab_pipeline_shape() -> None:
    data = yaml.safe_load(SHARDED["gitlab"])
    assert data["shard"]["parallel"] == 3
    # build --shard itself forgets the shard records restored with build/
    assert data["shard"]["script"] == ['skpdgen build --shard "$CI_NODE_INDEX/$CI_NODE_TOTAL"']
    assert_gitlab_build_cache(data["shard"], "shard$CI_NODE_INDEX-of-3-")
    for job in ("day", "check", "pages", "verdict"):     # assembled from this run's shards
        assert "cache" not in data[job]
    assert data["shard"]["artifacts"]["paths"] == ["build/"]
    assert data["shard"]["artifacts"]["exclude"] == ["build/.skpdgen/cache/spare/**/*"]
    assert data["shard"]["allow_failure"] == {"exit_codes": [1]}
    assert data["day"]["artifacts"]["reports"]["dotenv"] == "day.env"
    for job in ("check", "pages"):
        assert data[job]["needs"] == ["day", "shard"]
        assert data[job]["rules"][0]["when"] == "always"
    assert data["verdict"]["needs"] == ["pages"]


def _not_uploaded(folder: str, names: list[str]) -> list[str]:
    """What the shard jobs' artifacts leave out: the spare folders (build/.skpdgen/cache/spare)."""
    return ["spare"] if Path(folder).parts[-2:] == (".skpdgen", "cache") else []


def github_sharded_end_to_end(tmp_path: Path, source: Path, workflow: dict[str, Any]
                              ) -> tuple[bool, list[str]]:
    """The day job, each matrix job in its own checkout with its build/ of the last call (its
    cache), the artifacts merged into the final job's checkout, then its steps with GitHub's
    `if:` rules; (final job ok, its steps run)."""
    jobs = workflow["jobs"]
    output = tmp_path / "github_output"
    output.unlink(missing_ok=True)
    assert shell(jobs["day"]["steps"][0]["run"], source, {"GITHUB_OUTPUT": str(output)}) == 0
    assert re.fullmatch(r"today=\d{4}-\d\d-\d\d\n", output.read_text(encoding="utf-8"))
    final = tmp_path / "final"
    shutil.rmtree(final, ignore_errors=True)
    shutil.copytree(source, final)
    for index in jobs["shard"]["strategy"]["matrix"]["shard"]:
        job = tmp_path / f"shard{index}"
        cached = tmp_path / f"cache{index}"     # this shard's build/ as actions/cache keeps it
        shutil.rmtree(job, ignore_errors=True)
        shutil.copytree(source, job, ignore=shutil.ignore_patterns("build"))
        if cached.is_dir():
            shutil.copytree(cached, job / "build")
        for step in jobs["shard"]["steps"]:
            if "run" in step and "pip install" not in step["run"]:
                shell(step["run"].replace("${{ matrix.shard }}", str(index)), job, {})
        shutil.rmtree(cached, ignore_errors=True)
        shutil.copytree(job / "build", cached)
        shutil.copytree(job / "build", final / "build", dirs_exist_ok=True,
                        ignore=_not_uploaded)
    failed, ran = False, []
    for step in jobs["site"]["steps"]:
        run = step.get("run")
        if run is None or "pip install" in run:
            continue
        if failed and "!cancelled()" not in step.get("if", ""):
            continue
        env = {k: str(v).replace("${{ github.token }}", FAKE_TOKEN)
               for k, v in step.get("env", {}).items()}
        env.update(GITHUB_ACTIONS="true", GITHUB_EVENT_NAME="push")
        ran.append(run)
        failed = shell(run, final, env) != 0 or failed
    return not failed, ran


def test_sharded_github_run_end_to_end(tmp_path: Path) -> None:
    root, bare = ci_region(tmp_path)
    workflow = yaml.safe_load(SHARDED["github"])
    ok, ran = github_sharded_end_to_end(tmp_path, root, workflow)
    assert ok and ran == ["skpdgen build --portal-only", "skpdgen check", "skpdgen deploy pages"]
    files = git("--git-dir", str(bare), "ls-tree", "-r", "--name-only", "gh-pages").split()
    assert {"index.html", "status/index.html", "dinkes/index.html", "disdik/index.html",
            "dinkes/pagefind/pagefind-entry.json", "pagefind/pagefind-entry.json"} <= set(files)
    live_disdik = git("--git-dir", str(bare), "rev-parse", "gh-pages:disdik")
    # one agency breaks in its shard: the others are published, it keeps its live version
    site_yaml = root / "sites/disdik/site.yaml"
    site_yaml.write_text(site_yaml.read_text(encoding="utf-8") + "warna: merah\n",
                         encoding="utf-8")
    git("-c", "user.name=Uji", "-c", "user.email=uji@example.com", "commit", "--quiet", "-am",
        "Rusak", cwd=root)
    ok, ran = github_sharded_end_to_end(tmp_path, root, workflow)
    assert not ok and ran[-1] == "skpdgen deploy pages"
    assert git("--git-dir", str(bare), "rev-parse", "gh-pages:disdik") == live_disdik


def test_sharded_gitlab_run_end_to_end(tmp_path: Path) -> None:
    root, _ = ci_region(tmp_path)
    data = yaml.safe_load(SHARDED["gitlab"])
    day = "\n".join(data["day"]["script"])
    assert shell(day, root, {}) == 0
    today = (root / "day.env").read_text(encoding="utf-8").strip()
    assert re.fullmatch(r"SKPDGEN_TODAY=\d{4}-\d\d-\d\d", today)
    final = tmp_path / "final"
    shutil.copytree(root, final)
    for index in range(1, data["shard"]["parallel"] + 1):
        job = tmp_path / f"node{index}"
        shutil.copytree(root, job)
        assert shell("\n".join(data["shard"]["script"]), job,
                     {"CI_NODE_INDEX": str(index), "CI_NODE_TOTAL": "3"}) == 0
        shutil.copytree(job / "build", final / "build", dirs_exist_ok=True,
                        ignore=_not_uploaded)
    assert shell("\n".join(data["pages"]["script"]), final, {}) == 0
    assert (final / "public/index.html").is_file() and (final / "public/disdik").is_dir()
    assert (final / "skpdgen-status.txt").read_text(encoding="utf-8").strip() == "0 0"
    assert shell("\n".join(data["verdict"]["script"]), final, {}) == 0
