"""CI files for a region repository (written by `skpdgen init`, and used by this repository).

- `github_workflow()`: .github/workflows/skpdgen.yml for GitHub Actions
- `gitlab_ci()`: .gitlab-ci.yml for GitLab CI
- `deploy_config(host)`: the `deploy:` section of skpdgen.yaml that `init --host` writes
- `DEPLOY_CONFIG`: the demo's `deploy:` section (GitHub and GitLab Pages both)
- `HEADERS_FILE`, `NGINX_CONF`: the security headers as `_headers` and as an nginx server
- `github_build_cache()`, `gitlab_job_cache()`: build/ kept from one run to the next

Both pipelines run the same commands: on a pull/merge request `skpdgen build` and
`skpdgen check` (errors show on the changed lines); on the main branch, every day and on
demand, also `skpdgen deploy`. Publishing runs even when one agency failed to build, so the
healthy agencies go live, and the run still ends red.

Both keep build/ between runs (actions/cache, GitLab `cache:`), so a push builds only the
agencies it changed instead of the whole region from a fresh checkout. That is safe whatever
the cache holds: skpdgen hashes every input again by content (a checkout gives new mtimes and
inodes) and checks every output it keeps against its record (size and mtime, else sha256), so
an old, partial or missing build/ costs time, never a wrong page (docs/performance.md).
"""

from __future__ import annotations

import textwrap

from skpdgen.deploy.headers import HEADERS_FILE, NGINX_CONF
from skpdgen.scaffold_install import default_install

HOSTS = ("github", "gitlab", "server")
PYTHON = "3.12"
# 00:15 WIB (17:15 UTC): items dated today go live and the scorecard counts the new day.
DAILY_CRON = "15 17 * * *"

_DEPLOY_GITHUB = """\
deploy:
  # GitHub Pages from the gh-pages branch of this repository (GitHub Actions sets
  # GITHUB_REPOSITORY; the workflow passes its token in SKPDGEN_GIT_TOKEN). For a project
  # page (https://OWNER.github.io/REPO/) base_url must end in /REPO/. See README.md.
  pages:
    type: git
    remote: https://github.com/${GITHUB_REPOSITORY}.git
    branch: gh-pages
"""

_DEPLOY_GITLAB = """\
deploy:
  # GitLab Pages: the published site is kept on the 'pages' branch of this project
  # (SKPDGEN_GIT_TOKEN: a project access token with write_repository; see README.md).
  gitlab:
    type: git
    remote: ${CI_SERVER_URL}/${CI_PROJECT_PATH}.git
    branch: pages
"""

# the demo's section: both Pages targets (tests publish through either)
DEPLOY_CONFIG = _DEPLOY_GITHUB + _DEPLOY_GITLAB.removeprefix("deploy:\n")

_DEPLOY_SERVER = """\
deploy:
  # The kabupaten's own server: rsync over SSH into <path>/releases/<id>/, then an atomic
  # switch of <path>/current (nginx serves current). The key and known_hosts come from the
  # CI secrets SKPDGEN_SSH_KEY and SKPDGEN_SSH_KNOWN_HOSTS, never from this file.
  # `skpdgen deploy server --rollback` serves the previous release. See README.md.
  server:
    type: ssh
    host: web.contohkab.go.id
    user: deploy
    path: /var/www/kabupaten
    keep: 5
"""


# What the build cache keeps: build/ without the compiled templates, which are signed with a
# key made in the runner's home for each job (render/template_cache.template_key): a new
# runner could never use them. GitLab's `cache:` has no exclusions; there they are kept
# (0.4 MB) and simply ignored.
GITHUB_CACHE_PATHS = ("build/", "!build/.skpdgen/templates/")
BUILD_CACHE = "skpdgen-build"
_PIP_CACHE = f"""\
key: pip-python{PYTHON}
paths:
  - .cache/pip
"""


def github_build_cache(scope: str = "") -> tuple[str, str]:
    """The steps that restore build/ before `skpdgen build` and save it after it.

    Every run saves a new entry (its run id and attempt are in the key: an entry is never
    overwritten) and restores the newest entry of its branch, else of main. `scope` tells
    apart the entries of jobs that build different agencies (the shards).
    """
    paths = "".join(f"            {path}\n" for path in GITHUB_CACHE_PATHS)
    prefix = f"{BUILD_CACHE}-${{{{ runner.os }}}}-{scope}"
    key = f"{prefix}${{{{ github.ref_name }}}}-${{{{ github.run_id }}}}-${{{{ github.run_attempt }}}}"
    restore = f"""\
      # build/ of the last run, so that a push builds only what it changed (a fresh checkout
      # would build the whole region). Every run saves a new entry and restores the newest of
      # its branch, else of the default branch (the daily run too). A pull request may restore
      # the default branch's entries but saves under its own ref (GitHub scopes caches by
      # ref): it cannot change them.
      # Whatever it restores, the sources are hashed again and each kept page is checked
      # against its record: an old or partial build/ costs time, never a wrong page.
      # Size: about 65 MB for 10,000 posts; GitHub drops the least recently used entries over
      # 10 GB (Actions > Caches, or `gh cache delete --all`, empties it). docs/performance.md
      - name: Restore build/ from the last run
        uses: actions/cache/restore@v4
        with:
          path: |
{paths}          key: {key}
          restore-keys: |
            {prefix}${{{{ github.ref_name }}}}-
            {prefix}${{{{ github.event.repository.default_branch }}}}-
"""
    save = f"""\
      - name: Save build/ for the next run, also after a failed build (the other agencies stand)
        if: ${{{{ !cancelled() }}}}
        uses: actions/cache/save@v4
        with:
          path: |
{paths}          key: {key}
"""
    return restore, save


def gitlab_job_cache(scope: str = "") -> str:
    """A job's `cache:`: the pip cache of `default:` and build/ of the last pipeline of this
    branch, else of the default branch; saved also when the job fails (`when: always`)."""
    pip = "".join(("    - " if i == 0 else "      ") + line + "\n"
                  for i, line in enumerate(_PIP_CACHE.splitlines()))
    return f"""\
  # build/ of the last pipeline of this branch, else of the default branch: only what changed
  # is built again (see the comment at the top)
  cache:
{pip}    - key: {BUILD_CACHE}-{scope}$CI_COMMIT_REF_SLUG
      fallback_keys:
        - {BUILD_CACHE}-{scope}$CI_DEFAULT_BRANCH
      paths:
        - build/
      when: always
"""


GITLAB_CACHE_COMMENT = """\
# Each job that builds keeps build/ in a cache keyed by its branch, so a push builds only the
# agencies it changed. A merge request saves under its own branch and never changes the
# default branch's entry; GitLab also keeps protected branches' caches apart from the others
# by default (Settings > CI/CD > General pipelines), so a merge request's first pipeline reads
# main's cache only when that is unticked. Whatever is restored, the sources are hashed again
# and each kept page is checked against its record: an old build/ costs time, never a wrong
# page. To start afresh: Build > Pipelines > Clear runner caches. See docs/performance.md.
"""


def deploy_config(host: str) -> str:
    """The `deploy:` section for `init --host github|gitlab|server` (one target only)."""
    return {"github": _DEPLOY_GITHUB, "gitlab": _DEPLOY_GITLAB, "server": _DEPLOY_SERVER}[host]


def install_comment(indent: str) -> str:
    """Why skpdgen is installed from this source, and how to change it."""
    return "".join(f"{indent}# {line}\n" for line in (
        "Installed from the source pinned here, never from a package index (it is not published",
        "there): a wheel committed in this repository (./vendor/skpdgen-X-py3-none-any.whl), a git",
        "URL pinned to a tag or commit (git+https://HOST/OWNER/skpdgen@v0.2.0) or \".\" in a fork.",
        "Set by `init --install SPEC`. To upgrade, change this line (and in the other CI file);",
        "`skpdgen check` says when the source cannot work."))


def github_workflow(install: str | None = None, dependency_file: str | None = None,
                    target: str = "pages", ssh: bool = False) -> str:
    """The GitHub Actions workflow; `install` is what `pip install` gets (see scaffold_install).

    `ssh`: publish to an `ssh` target with the key and known_hosts from the secrets.
    """
    install = install or default_install()
    cache_path = dependency_file or ".github/workflows/skpdgen.yml"
    publish, permission = _github_publish(target, ssh)
    restore, save = github_build_cache()
    return f"""\
# skpdgen: build and check every pull request; build, check and publish the main branch,
# every day (items dated today go live, the scorecard is recomputed) and on demand.
# Publishing runs even when one agency fails to build: the healthy agencies go live, the
# failed one keeps its published version, and the run ends red. See README.md.
name: skpdgen

on:
  pull_request:
  push:
    branches: [main]
  schedule:
    - cron: "{DAILY_CRON}"
  workflow_dispatch:

permissions:
  contents: read

concurrency:
  group: skpdgen-${{{{ github.ref }}}}
  cancel-in-progress: ${{{{ github.event_name == 'pull_request' }}}}

jobs:
  site:
    name: Build, check and publish
    runs-on: ubuntu-24.04
    timeout-minutes: 30
    permissions:
      contents: {permission}
    env:
      PYTHONUTF8: "1"
    steps:
      - name: Check out, with full history (the scorecard reads git dates)
        uses: actions/checkout@v4
        with:
          fetch-depth: 0
          persist-credentials: false

      - name: Set up Python
        uses: actions/setup-python@v5
        with:
          python-version: "{PYTHON}"
          cache: pip
          cache-dependency-path: {cache_path}

{install_comment("      ")}      - name: Install skpdgen
        run: python -m pip install "{install}"

{restore}
      - name: Build
        run: skpdgen build

{save}
      - name: Check links, anchors and images
        if: ${{{{ !cancelled() }}}}
        run: skpdgen check

{publish}"""


def _github_publish(target: str, ssh: bool) -> tuple[str, str]:
    """The publishing step of a GitHub workflow, and the `contents` permission it needs."""
    if ssh:
        publish = f"""\
      - name: Publish to the server (rsync over SSH, atomic switch of current)
        if: ${{{{ !cancelled() && github.event_name != 'pull_request' && github.ref == 'refs/heads/main' }}}}
        env:
          # Settings > Secrets and variables > Actions: the private key of the deploy user,
          # and the server's line(s) of `ssh-keyscan -t ed25519 HOST` (checked, never trusted blindly)
          SKPDGEN_SSH_KEY: ${{{{ secrets.SKPDGEN_SSH_KEY }}}}
          SKPDGEN_SSH_KNOWN_HOSTS: ${{{{ secrets.SKPDGEN_SSH_KNOWN_HOSTS }}}}
        run: skpdgen deploy {target}
"""
        permission = "read"
    else:
        publish = f"""\
      - name: Publish to GitHub Pages (gh-pages branch)
        if: ${{{{ !cancelled() && github.event_name != 'pull_request' && github.ref == 'refs/heads/main' }}}}
        env:
          SKPDGEN_GIT_TOKEN: ${{{{ github.token }}}}
        run: skpdgen deploy {target}
"""
        permission = "write"
    return publish, permission


def gitlab_prelude(install: str) -> str:
    """What every generated .gitlab-ci.yml starts with: when it runs, the image, the install."""
    return f"""\
workflow:
  rules:
    - if: $CI_PIPELINE_SOURCE == "merge_request_event"
    - if: $CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH

default:
  image: python:{PYTHON}
  cache:
{textwrap.indent(_PIP_CACHE, "    ")}  before_script:
{install_comment("    ")}    - python -m pip install "{install}"

variables:
  PIP_CACHE_DIR: $CI_PROJECT_DIR/.cache/pip
  GIT_DEPTH: "0"
  PYTHONUTF8: "1"
"""


def gitlab_ci(install: str | None = None, target: str = "gitlab", branch: str = "pages",
              ssh: bool = False) -> str:
    """The GitLab CI pipeline: checks on merge requests, GitLab Pages from the main branch.

    `ssh`: publish to an `ssh` target (CI/CD variables SKPDGEN_SSH_KEY, SKPDGEN_SSH_KNOWN_HOSTS,
    either of the type File) instead of GitLab Pages.
    """
    install = install or default_install()
    cache = gitlab_job_cache()
    if ssh:
        job = f"""\
# publish to the kabupaten's server; Settings > CI/CD > Variables: SKPDGEN_SSH_KEY (the deploy
# user's private key) and SKPDGEN_SSH_KNOWN_HOSTS (`ssh-keyscan -t ed25519 HOST`), protected
publish:
  stage: publish
  rules:
    - if: $CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH && $CI_PIPELINE_SOURCE != "merge_request_event"
{cache}  script:
    - status=0
    - skpdgen build || status=1
    - skpdgen check || status=1
    - skpdgen deploy {target} || deployed=$?
    - echo "$status ${{deployed:-0}}" > skpdgen-status.txt
    - test "${{deployed:-0}}" -le 1
  artifacts:
    when: always
    paths:
      - skpdgen-status.txt
"""
        needs = "publish"
    else:
        job = f"""\
pages:
  stage: publish
  rules:
    - if: $CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH && $CI_PIPELINE_SOURCE != "merge_request_event"
{cache}  script:
    - status=0
    - skpdgen build || status=1
    - skpdgen check || status=1
    - skpdgen deploy {target} || deployed=$?
    - echo "$status ${{deployed:-0}}" > skpdgen-status.txt
    - test "${{deployed:-0}}" -le 1
    - git fetch --quiet --depth=1 origin {branch}
    - mkdir -p public && git archive FETCH_HEAD | tar -x -C public
  artifacts:
    when: always
    paths:
      - public
      - skpdgen-status.txt
"""
        needs = "pages"
    return f"""\
# skpdgen: build and check every merge request; build, check and publish the default
# branch, on every push, every day (a pipeline schedule) and on demand (Run pipeline).
# Publishing runs even when one agency fails to build: the healthy agencies go live, the
# failed one keeps its published version, and the pipeline ends red. See README.md.

{GITLAB_CACHE_COMMENT}
{gitlab_prelude(install)}
stages:
  - check
  - publish
  - verdict

check:
  stage: check
  rules:
    - if: $CI_PIPELINE_SOURCE == "merge_request_event"
{gitlab_job_cache()}  script:
    - status=0
    - skpdgen build || status=1
    - skpdgen check || status=1
    - exit $status

{job}
verdict:
  stage: verdict
  rules:
    - if: $CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH && $CI_PIPELINE_SOURCE != "merge_request_event"
  needs: [{needs}]
  before_script: []
  script:
    - cat skpdgen-status.txt
    - test "$(cat skpdgen-status.txt)" = "0 0"
"""


__all__ = ["DEPLOY_CONFIG", "HEADERS_FILE", "HOSTS", "NGINX_CONF", "deploy_config", "github_build_cache",
           "github_workflow", "gitlab_ci", "gitlab_job_cache"]
