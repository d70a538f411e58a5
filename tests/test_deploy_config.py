"""The `deploy:` section of skpdgen.yaml, usage errors of `skpdgen deploy`, the headers."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import REPO, make_region, run_cli

from skpdgen.config.region import load_region
from skpdgen.deploy.config import DirTarget, GitTarget, load_targets
from skpdgen.deploy.headers import ADMIN_CSP, HEADERS_FILE, NGINX_CONF, SECURITY_HEADERS
from skpdgen.diagnostics import ConfigError

BASE = "name: Pemerintah Kabupaten Uji\nbase_url: https://ujikab.go.id/\n"
AGENCY: dict[str, str | bytes] = {"sites/dinkes/site.yaml": "name: Dinas Kesehatan\n"}


def region_with(tmp_path: Path, deploy: str) -> Path:
    return make_region(tmp_path, {"skpdgen.yaml": BASE + deploy, **AGENCY})


def errors_of(root: Path) -> list[str]:
    with pytest.raises(ConfigError) as info:
        load_targets(load_region(root))
    return [d.format_text() for d in info.value.diagnostics]


def test_targets_are_read_in_order_with_defaults(tmp_path: Path) -> None:
    root = region_with(tmp_path, """\
deploy:
  pages:
    type: git
    remote: ../situs.git
  server:
    type: dir
    path: www
""")
    pages, server = load_targets(load_region(root))
    assert pages == GitTarget("pages", "../situs.git", "gh-pages")
    assert pages.remote_url(root) == str((root / "../situs.git").resolve())
    assert server == DirTarget("server", (root / "www").resolve(), 5)


@pytest.mark.parametrize(("deploy", "expected"), [
    ("deploy:\n  pages:\n    type: git\n    remote: x.git\n    brnach: main\n",
     "skpdgen.yaml:7: error: unknown key 'deploy.pages.brnach' (did you mean 'branch'?)"),
    ("deploy:\n  pages:\n    type: gti\n    remote: x.git\n",
     "skpdgen.yaml:5: error: 'deploy.pages.type' must be one of git, dir, ssh, got 'gti' "
     "(did you mean 'git'?)"),
    ("deploy:\n  pages:\n    remote: x.git\n",
     "skpdgen.yaml:5: error: missing required key 'deploy.pages.type'"),
    ("deploy:\n  server:\n    type: dir\n    path: /srv/www\n    keep: lima\n",
     "skpdgen.yaml:7: error: 'deploy.server.keep' must be a whole number, got 'lima'"),
    ("deploy:\n  server:\n    type: dir\n    path: /srv/www\n    keep: 1\n",
     "skpdgen.yaml:7: error: 'deploy.server.keep' must be at least 2, got 1"),
    ("deploy:\n  server:\n    type: dir\n    remote: x.git\n",
     "skpdgen.yaml:6: error: unknown key 'deploy.server.remote'"),
    ("deploy:\n  pages:\n    type: git\n",
     "skpdgen.yaml:5: error: missing required key 'deploy.pages.remote'"),
    ("deploy: [pages]\n", "skpdgen.yaml:3: error: 'deploy' must be a mapping"),
    ("deploy:\n  Pages Utama:\n    type: git\n    remote: x.git\n",
     "skpdgen.yaml:4: error: deploy target name 'Pages Utama' is not allowed"),
])
def test_config_errors_name_line_and_fix(tmp_path: Path, deploy: str, expected: str) -> None:
    errors = errors_of(region_with(tmp_path, deploy))
    assert any(e.startswith(expected) for e in errors), errors


def test_a_password_in_the_remote_is_refused_without_echoing_it(tmp_path: Path) -> None:
    root = region_with(tmp_path, "deploy:\n  pages:\n    type: git\n"
                                 "    remote: https://pemkab:ghp_rahasia@github.com/x/y.git\n")
    errors = errors_of(root)
    assert errors[0].startswith("skpdgen.yaml:6: error: 'deploy.pages.remote' contains a "
                                "password or token")
    assert "ghp_rahasia" not in "".join(errors)


@pytest.mark.parametrize("remote", [
    "https://ghp_0123456789abcdefghijABCDEFGHIJ012345@github.com/x/y.git",
    "https://github_pat_11ABCDEFG0123456789_abcdef@github.com/x/y.git",
    "https://glpat-abcdefghij0123456789@gitlab.com/x/y.git",
    "https://0123456789abcdef0123456789abcdef01234567@github.com/x/y.git",
])
def test_a_token_as_the_user_name_is_refused_too(tmp_path: Path, remote: str) -> None:
    root = region_with(tmp_path, f"deploy:\n  pages:\n    type: git\n    remote: {remote}\n")
    errors = errors_of(root)
    assert "contains a password or token" in errors[0]
    secret = remote.split("//", 1)[1].split("@", 1)[0]
    assert secret not in "".join(errors)


def test_a_user_name_alone_is_fine(tmp_path: Path) -> None:
    root = region_with(tmp_path, "deploy:\n  pages:\n    type: git\n"
                                 "    remote: https://pemkab@dev.azure.com/pemkab/situs/_git/situs\n")
    assert isinstance(load_targets(load_region(root))[0], GitTarget)


def test_an_unparsable_remote_url_is_an_error_not_a_traceback(tmp_path: Path) -> None:
    root = region_with(tmp_path, "deploy:\n  pages:\n    type: git\n"
                                 "    remote: 'https://user:rahasia@[github.com/x.git'\n")
    errors = errors_of(root)
    assert errors[0].startswith("skpdgen.yaml:6: error: 'deploy.pages.remote' is not a valid URL")
    assert "rahasia" not in "".join(errors)


def test_remote_from_the_environment(tmp_path: Path) -> None:
    target = GitTarget("pages", "https://github.com/${GITHUB_REPOSITORY}.git")
    assert target.remote_url(tmp_path, {"GITHUB_REPOSITORY": "pemkab/situs"}) == (
        "https://github.com/pemkab/situs.git")
    with pytest.raises(ConfigError) as info:
        target.remote_url(tmp_path, {})
    assert "${GITHUB_REPOSITORY}, which is not set" in info.value.diagnostics[0].message


def test_command_usage_errors_exit_2(tmp_path: Path) -> None:
    root = region_with(tmp_path, "deploy:\n  pages:\n    type: git\n    remote: x.git\n"
                                 "  server:\n    type: dir\n    path: www\n")
    result = run_cli("deploy", cwd=root)
    assert result.returncode == 2
    assert "run skpdgen build first" in result.stderr and "Traceback" not in result.stderr
    result = run_cli("deploy", "pagse", cwd=root)
    assert result.returncode == 2 and "did you mean 'pages'?" in result.stderr
    (root / "skpdgen.yaml").write_text(BASE + "deploy:\n  pages:\n    type: git\n"
                                       "    remote: ${NOT_SET_ANYWHERE}\n", encoding="utf-8")
    result = run_cli("deploy", cwd=root)
    assert result.returncode == 2 and "NOT_SET_ANYWHERE" in result.stderr
    (root / "skpdgen.yaml").write_text(BASE, encoding="utf-8")
    result = run_cli("deploy", cwd=root)
    assert result.returncode == 2 and "no deploy targets" in result.stderr


def test_rollback_of_a_dir_target_that_was_never_deployed(tmp_path: Path) -> None:
    root = region_with(tmp_path, "deploy:\n  server:\n    type: dir\n    path: www\n")
    result = run_cli("deploy", "server", "--rollback", cwd=root)
    assert result.returncode == 1
    assert "nothing to roll back" in result.stderr


def test_headers_file_is_strict_and_assets_are_immutable() -> None:
    rules: dict[str, list[str]] = {}
    current = ""
    for line in HEADERS_FILE.splitlines():
        if line.startswith("/"):
            current = line
            rules[current] = []
        elif line.startswith("  "):
            rules[current].append(line.strip())
    assert set(rules) == {"/*", "/assets/*", "/:site/assets/*", "/admin/*", "/:site/admin/*"}
    for rule in ("/admin/*", "/:site/admin/*"):   # the editor: the strict policy detached
        assert rules[rule] == ["! Content-Security-Policy",
                               f"Content-Security-Policy: {ADMIN_CSP}"]
    admin_rules = rules.pop("/admin/*") + rules.pop("/:site/admin/*")
    assert len(admin_rules) == 4
    csp = next(h for h in rules["/*"] if h.startswith("Content-Security-Policy: "))
    for directive in ("default-src 'self'", "script-src 'self' 'wasm-unsafe-eval'", "style-src 'self'",
                      "img-src 'self' data:", "object-src 'none'", "frame-ancestors 'none'",
                      "base-uri 'self'", "form-action 'self'"):
        assert directive in csp
    # the only relaxation: Pagefind's WebAssembly ('wasm-unsafe-eval' allows no JS eval)
    assert "unsafe-inline" not in csp and "'unsafe-eval'" not in csp
    assert "Strict-Transport-Security: max-age=31536000" in rules["/*"]
    assert "X-Content-Type-Options: nosniff" in rules["/*"]
    # each header is set by one rule only: hosts join repeated headers with commas
    names = [h.split(":", 1)[0] for headers in rules.values() for h in headers]
    assert names.count("Cache-Control") == 2 and len(names) == len(SECURITY_HEADERS) + 2
    for rule in ("/assets/*", "/:site/assets/*"):
        assert rules[rule] == ["Cache-Control: public, max-age=31536000, immutable"]


def test_nginx_conf_repeats_every_header_in_every_location() -> None:
    locations = NGINX_CONF.count("location ") - NGINX_CONF.count("location = /_headers")
    for name, value in SECURITY_HEADERS:
        expected = locations - 1 if name == "Content-Security-Policy" else locations
        assert NGINX_CONF.count(f'add_header {name} "{value}" always;') == expected
    # the editor's location has its own policy
    assert NGINX_CONF.count(f'add_header Content-Security-Policy "{ADMIN_CSP}" always;') == 1
    assert 'add_header Cache-Control "public, max-age=31536000, immutable" always;' in NGINX_CONF
    assert "root /var/www/kabupaten/current;" in NGINX_CONF


def test_docs_show_the_headers_and_the_nginx_block_as_deployed() -> None:
    docs = (REPO / "docs/deploy.md").read_text(encoding="utf-8")
    assert NGINX_CONF in docs
    block = "/*\n" + docs.split("```\n/*\n", 1)[1].split("```", 1)[0]
    rules = [line for line in HEADERS_FILE.splitlines()[1:] if line and not line.startswith("#")]
    assert [line for line in block.splitlines() if line] == rules
