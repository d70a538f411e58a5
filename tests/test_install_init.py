"""`skpdgen init --host/--install/--root`: one host's files, CI files that validate against the
GitHub-workflow and GitLab-CI schemas and install skpdgen from a source that exists, the
Indonesian README with its checklist, CODEOWNERS, placeholders and install problems reported
by build and check; `theme eject` and partial theme overrides; `new` in the region's timezone.
"""

from __future__ import annotations

import shutil
import subprocess
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml
from conftest import make_region, override_theme_file, run_cli

from skpdgen import __version__

TODAY = "2024-06-15"
CHECK_JSONSCHEMA = shutil.which("check-jsonschema")


def init(tmp_path: Path, *args: str, name: str = "kab") -> tuple[Path, subprocess.CompletedProcess[str]]:
    result = run_cli("init", name, *args, cwd=tmp_path)
    assert "Traceback" not in result.stderr
    return tmp_path / name, result


def install_lines(path: Path) -> list[str]:
    return [line.strip().removeprefix("run: ").removeprefix("- ")
            for line in path.read_text(encoding="utf-8").splitlines()
            if "pip install" in line and not line.strip().startswith("#")]


@pytest.mark.parametrize("host, files, absent, target", [
    ("github", [".github/workflows/skpdgen.yml"], [".gitlab-ci.yml"], "pages"),
    ("gitlab", [".gitlab-ci.yml"], [".github"], "gitlab"),
    ("server", [".github/workflows/skpdgen.yml", ".gitlab-ci.yml"], [], "server"),
])
def test_init_writes_only_the_chosen_host(tmp_path: Path, host: str, files: list[str],
                                          absent: list[str], target: str) -> None:
    root, result = init(tmp_path, "--host", host, "--name", "Pemerintah Kabupaten Uji",
                        "--base-url", "https://ujikab.go.id/")
    assert result.returncode == 0, result.stderr
    for rel in files:
        assert (root / rel).is_file(), rel
        assert f"skpdgen deploy {target}" in (root / rel).read_text(encoding="utf-8")
    for rel in absent:
        assert not (root / rel).exists(), rel
    config = yaml.safe_load((root / "skpdgen.yaml").read_text(encoding="utf-8"))
    assert list(config["deploy"]) == [target]
    # the CI installs the wheel that init committed, which exists
    wheel = root / "vendor" / f"skpdgen-{__version__}-py3-none-any.whl"
    assert wheel.is_file()
    for rel in files:
        assert install_lines(root / rel) == [f'python -m pip install "./{wheel.relative_to(root)}"']
    # a plain `skpdgen deploy --dry-run` on a workstation meets only the chosen target
    dry = run_cli("deploy", "--dry-run", cwd=root, env={"GITHUB_REPOSITORY": "pemkab/situs"})
    others = {"pages", "gitlab", "server"} - {target}
    assert not any(f"'{other}'" in dry.stderr or f"deploy {other}" in dry.stdout
                   for other in others), dry.stderr


@pytest.mark.skipif(CHECK_JSONSCHEMA is None, reason="pip install check-jsonschema")
@pytest.mark.parametrize("host", ["github", "gitlab", "server"])
def test_generated_ci_files_validate_against_the_vendored_schemas(tmp_path: Path,
                                                                  host: str) -> None:
    root, result = init(tmp_path, "--host", host)
    assert result.returncode == 0, result.stderr
    repo = Path(__file__).resolve().parent.parent
    checks = [(root / ".github/workflows/skpdgen.yml", "vendor.github-workflows"),
              (root / ".gitlab-ci.yml", "vendor.gitlab-ci"),
              (repo / ".github/workflows/skpdgen.yml", "vendor.github-workflows"),
              (repo / ".gitlab-ci.yml", "vendor.gitlab-ci")]
    for path, schema in checks:
        if not path.is_file():
            continue
        done = subprocess.run([str(CHECK_JSONSCHEMA), "--builtin-schema", schema, str(path)],
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, (path, done.stdout, done.stderr)


def test_readme_codeowners_guide_and_checklist(tmp_path: Path) -> None:
    root, result = init(tmp_path)
    assert result.returncode == 0, result.stderr
    readme = (root / "README.md").read_text(encoding="utf-8")
    for words in ("Panduan 5 menit", "tulis berita", "pratinjau", "Di mana folder setiap dinas",
                  "`sites/contoh/`", "Arti kesalahan", "CODEOWNERS",
                  "Require review from Code Owners", "Daftar periksa hari pertama",
                  "git init -b main", "docs/panduan-staf.md", "./vendor/skpdgen-"):
        assert words in readme, words
    assert "$" not in readme.replace("${", "")       # every template field was filled
    assert (root / "docs/panduan-staf.md").is_file()
    # init's own output ends with the same numbered checklist
    lines = result.stdout.strip().splitlines()
    numbered = [line.strip() for line in lines if line.strip()[:2].rstrip(".").isdigit()]
    assert numbered and lines[-1].strip() == numbered[-1]
    assert all(step in readme for step in numbered)
    assert "hapus dinas contoh" in result.stdout and "push" in result.stdout
    # CODEOWNERS: one line per agency folder, and `new site` adds its own
    owners = (root / "CODEOWNERS").read_text(encoding="utf-8")
    assert "# /sites/contoh/ @" in owners
    assert run_cli("new", "site", "dinsos", "--name", "Dinas Sosial", cwd=root).returncode == 0
    assert "# /sites/dinsos/ @" in (root / "CODEOWNERS").read_text(encoding="utf-8")


def test_placeholders_warn_in_build_and_fail_check(tmp_path: Path) -> None:
    root, _ = init(tmp_path)
    build = run_cli("build", "--today", TODAY, cwd=root)
    assert build.returncode == 0, build.stderr
    assert "skpdgen.yaml:2: warning: 'name' is still the placeholder value" in build.stderr
    assert "skpdgen.yaml:3: warning: 'base_url' is still the placeholder value" in build.stderr
    check = run_cli("check", "--today", TODAY, cwd=root)
    assert check.returncode == 1
    assert "skpdgen.yaml:2: error: 'name' is still the placeholder value" in check.stderr
    text = (root / "skpdgen.yaml").read_text(encoding="utf-8")
    (root / "skpdgen.yaml").write_text(text.replace("Kabupaten Contoh", "Kabupaten Uji")
                                       .replace("contohkab.go.id", "ujikab.go.id"),
                                       encoding="utf-8")
    check = run_cli("check", "--today", TODAY, cwd=root)
    assert "placeholder" not in check.stderr and check.returncode == 0, check.stderr


@pytest.mark.parametrize("spec, message", [
    ("skpdgen==0.1.0", "error: 'pip install skpdgen==0.1.0' asks a package index"),
    ("./vendor/tidak-ada.whl", "error: the install source './vendor/tidak-ada.whl' does not exist"),
    ("git+https://git.example.go.id/diskominfo/skpdgen", "warning: the install source"),
    ("git+https://git.example.go.id/diskominfo/skpdgen@main", "warning: the install source "
     "'git+https://git.example.go.id/diskominfo/skpdgen@main' follows the branch 'main'"),
])
def test_check_says_when_the_install_step_cannot_work(tmp_path: Path, spec: str,
                                                      message: str) -> None:
    root, _ = init(tmp_path, "--name", "Pemerintah Kabupaten Uji", "--base-url",
                   "https://ujikab.go.id/")
    workflow = root / ".github/workflows/skpdgen.yml"
    text = workflow.read_text(encoding="utf-8")
    line = next(n for n, t in enumerate(text.splitlines(), 1) if "pip install" in t)
    workflow.write_text(text.replace(f"./vendor/skpdgen-{__version__}-py3-none-any.whl", spec),
                        encoding="utf-8")
    check = run_cli("check", "--today", TODAY, cwd=root)
    assert f".github/workflows/skpdgen.yml:{line}: {message}" in check.stderr, check.stderr
    assert check.returncode == (1 if "error:" in message else 0)


def test_init_refuses_an_install_source_that_cannot_work(tmp_path: Path) -> None:
    _, result = init(tmp_path, "--install", f"git+file://{tmp_path}/tidak-ada@v1.0.0")
    assert result.returncode == 2
    assert "does not exist" in result.stderr and not (tmp_path / "kab").exists()
    _, result = init(tmp_path, "--install", "skpdgen==0.1.0", name="kab2")
    assert result.returncode == 2 and "package index" in result.stderr
    root, result = init(tmp_path, "--install", "git+https://git.example.go.id/d/skpdgen@v0.2.0",
                        name="kab3")
    assert result.returncode == 0 and not (root / "vendor").exists()
    assert 'pip install "git+https://git.example.go.id/d/skpdgen@v0.2.0"' in (
        root / ".github/workflows/skpdgen.yml").read_text(encoding="utf-8")


def test_init_takes_root_too(tmp_path: Path) -> None:
    result = run_cli("init", "--root", "kab", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "kab/skpdgen.yaml").is_file()
    result = run_cli("init", "a", "--root", "b", cwd=tmp_path)
    assert result.returncode == 2 and "give one" in result.stderr


def test_github_project_pages_needs_the_repository_path(tmp_path: Path) -> None:
    root = make_region(tmp_path, {
        "skpdgen.yaml": "name: Pemerintah Kabupaten Uji\nbase_url: https://pemkab-uji.github.io/\n"
                        "description: Uji.\n",
        "sites/dinkes/site.yaml": "name: Dinas Kesehatan\ndescription: Uji.\n"})
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    subprocess.run(["git", "-C", str(root), "remote", "add", "origin",
                    "https://github.com/pemkab-uji/situs.git"], check=True)
    check = run_cli("check", "--today", TODAY, cwd=root)
    assert ("skpdgen.yaml:2: warning: base_url https://pemkab-uji.github.io/ is a GitHub Pages "
            "address at the root") in check.stderr
    assert "https://pemkab-uji.github.io/situs/" in check.stderr
    text = (root / "skpdgen.yaml").read_text(encoding="utf-8")
    (root / "skpdgen.yaml").write_text(text.replace(".github.io/", ".github.io/situs/"),
                                       encoding="utf-8")
    assert "GitHub Pages" not in run_cli("check", "--today", TODAY, cwd=root).stderr


def test_new_dates_files_in_the_regions_timezone(tmp_path: Path) -> None:
    # the region is 26 hours ahead of the machine: their dates always differ
    root = make_region(tmp_path, {
        "skpdgen.yaml": "name: Uji\nbase_url: https://ujikab.go.id/\ntimezone: Etc/GMT-14\n",
        "sites/dinkes/site.yaml": "name: Dinas Kesehatan\n"})
    result = run_cli("new", "berita", "dinkes", "Judul", cwd=root,
                     env={"TZ": "Etc/GMT+12", "SKPDGEN_TODAY": ""})
    assert result.returncode == 0, result.stderr
    region_day = datetime.now(ZoneInfo("Etc/GMT-14")).date().isoformat()
    assert f"berita/{region_day}-judul.md" in result.stdout


def test_new_site_without_name(tmp_path: Path) -> None:
    root = make_region(tmp_path, {})
    result = run_cli("new", "site", "dinkes", cwd=root)
    assert result.returncode == 2 and "--name is missing" in result.stderr


# --- the built-in theme, overridden in part, or ejected --------------------------------------

SITE = {"sites/dinkes/site.yaml": "name: Dinas Kesehatan\ndescription: Uji.\n",
        "sites/dinkes/content/berita/2024-05-01-vaksin.md":
            "---\ntitle: Vaksinasi\ndate: 2024-05-01\n---\nVaksinasi massal.\n"}


def test_a_partial_override_uses_its_files_and_the_built_in_rest(tmp_path: Path) -> None:
    root = make_region(tmp_path, dict(SITE))
    css = override_theme_file(root, "static/css/main.css")
    css.write_text(css.read_text(encoding="utf-8") + "\n.uji-override{color:red}\n",
                   encoding="utf-8")
    single = override_theme_file(root, "templates/single.html")
    single.write_text(single.read_text(encoding="utf-8").replace(
        "{%- block content %}", "{%- block content %}<p>TEMPLAT-WILAYAH</p>", 1), encoding="utf-8")
    result = run_cli("build", "--today", TODAY, cwd=root)
    assert result.returncode == 0, result.stderr
    page = (root / "build/dinkes/berita/vaksin/index.html").read_text(encoding="utf-8")
    assert "TEMPLAT-WILAYAH" in page                       # the region's template
    assert "TEMPLAT-WILAYAH" not in (root / "build/dinkes/index.html").read_text()  # built-in home
    styles = list((root / "build/assets/css").glob("main.*.css")) or list(
        (root / "build").rglob("main.*.css"))
    assert styles and any(".uji-override" in p.read_text(encoding="utf-8") for p in styles)
    assert list((root / "build").rglob("main.*.js"))        # built-in script still published


def test_theme_eject_copies_the_rest_and_never_overwrites(tmp_path: Path) -> None:
    root = make_region(tmp_path, dict(SITE))
    mine = override_theme_file(root, "templates/single.html")
    mine.write_text("{# milik wilayah #}\n" + mine.read_text(encoding="utf-8"), encoding="utf-8")
    before = mine.read_bytes()
    result = run_cli("theme", "eject", cwd=root)
    assert result.returncode == 0, result.stderr
    assert "kept 1 files the region already had" in result.stdout
    assert mine.read_bytes() == before
    builtin = Path(__file__).resolve().parent.parent / "skpdgen/themes/default"
    expected = {p.relative_to(builtin) for p in builtin.rglob("*")
                if p.is_file() and "__pycache__" not in p.parts}
    ejected = {p.relative_to(root / "themes/default")
               for p in (root / "themes/default").rglob("*") if p.is_file()}
    assert ejected == expected
    assert run_cli("build", "--today", TODAY, cwd=root).returncode == 0
    again = run_cli("theme", "eject", cwd=root)
    assert again.returncode == 0 and "copied 0 files" in again.stdout


# --- a published portal that has grown old says so --------------------------------------------

def test_status_page_says_when_the_published_version_is_old(tmp_path: Path, browser: object
                                                           ) -> None:
    import functools
    import http.server
    import threading
    from datetime import date

    root = make_region(tmp_path, dict(SITE))
    pages: dict[str, bool] = {}
    for day in (TODAY, date.today().isoformat()):
        result = run_cli("build", "--today", day, "--clean", cwd=root)
        assert result.returncode == 0, result.stderr
        handler = functools.partial(http.server.SimpleHTTPRequestHandler,
                                    directory=str(root / "build"))
        handler.log_message = lambda *a: None  # type: ignore[method-assign]
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        try:
            page = browser.new_page()  # type: ignore[attr-defined]
            page.goto(f"http://127.0.0.1:{server.server_address[1]}/status/")
            note = page.locator(".js-published-old")
            page.wait_for_load_state("load")
            pages[day] = note.is_visible()
            if pages[day]:
                assert "terakhir diterbitkan" in note.inner_text()
            page.close()
        finally:
            server.shutdown()
    assert pages == {TODAY: True, date.today().isoformat(): False}
