"""CI files for a region repository (written by `skpdgen init`, and used by this repository).

- `github_workflow()`: .github/workflows/skpdgen.yml for GitHub Actions
- `gitlab_ci()`: .gitlab-ci.yml for GitLab CI
- `DEPLOY_CONFIG`: the `deploy:` section of skpdgen.yaml that both workflows use
- `HEADERS_FILE`, `NGINX_CONF`: the security headers as `_headers` and as an nginx server

Both pipelines run the same commands: on a pull/merge request `skpdgen build` and
`skpdgen check` (errors show on the changed lines); on the main branch, every day and on
demand, also `skpdgen deploy`. Publishing runs even when one agency failed to build, so the
healthy agencies go live, and the run still ends red.
"""

from __future__ import annotations

from skpdgen import __version__
from skpdgen.deploy.headers import HEADERS_FILE, NGINX_CONF

DEFAULT_INSTALL = f"skpdgen=={__version__}"
PYTHON = "3.12"
# 00:15 WIB (17:15 UTC): items dated today go live and the scorecard counts the new day.
DAILY_CRON = "15 17 * * *"

DEPLOY_CONFIG = """\
deploy:
  # GitHub Pages from the gh-pages branch of this repository (GitHub Actions sets
  # GITHUB_REPOSITORY; the workflow passes its token in SKPDGEN_GIT_TOKEN).
  pages:
    type: git
    remote: https://github.com/${GITHUB_REPOSITORY}.git
    branch: gh-pages
  # GitLab Pages: the published site is kept on the 'pages' branch of this project
  # (SKPDGEN_GIT_TOKEN: a project access token with write_repository, see docs/deploy.md).
  gitlab:
    type: git
    remote: ${CI_SERVER_URL}/${CI_PROJECT_PATH}.git
    branch: pages
  # Your own server with nginx: atomic releases, `skpdgen deploy server --rollback`.
  # server:
  #   type: dir
  #   path: /var/www/kabupaten
  #   keep: 5
"""


def github_workflow(install: str = DEFAULT_INSTALL, dependency_file: str | None = None,
                    target: str = "pages") -> str:
    """The GitHub Actions workflow; `install` is what `pip install` gets (a version or '.')."""
    cache_path = dependency_file or ".github/workflows/skpdgen.yml"
    return f"""\
# skpdgen: build and check every pull request; build, check and publish the main branch,
# every day (items dated today go live, the scorecard is recomputed) and on demand.
# Publishing runs even when one agency fails to build: the healthy agencies go live, the
# failed one keeps its published version, and the run ends red. See docs/deploy.md.
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
      contents: write
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

      - name: Install skpdgen
        run: python -m pip install "{install}"

      - name: Build
        run: skpdgen build

      - name: Check links, anchors and images
        if: ${{{{ !cancelled() }}}}
        run: skpdgen check

      - name: Publish to GitHub Pages (gh-pages branch)
        if: ${{{{ !cancelled() && github.event_name != 'pull_request' && github.ref == 'refs/heads/main' }}}}
        env:
          SKPDGEN_GIT_TOKEN: ${{{{ github.token }}}}
        run: skpdgen deploy {target}
"""


def gitlab_ci(install: str = DEFAULT_INSTALL, target: str = "gitlab", branch: str = "pages"
              ) -> str:
    """The GitLab CI pipeline: checks on merge requests, GitLab Pages from the main branch."""
    return f"""\
# skpdgen: build and check every merge request; build, check and publish the default
# branch, on every push, every day (a pipeline schedule) and on demand (Run pipeline).
# Publishing runs even when one agency fails to build: the healthy agencies go live, the
# failed one keeps its published version, and the pipeline ends red. See docs/deploy.md.

workflow:
  rules:
    - if: $CI_PIPELINE_SOURCE == "merge_request_event"
    - if: $CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH

default:
  image: python:{PYTHON}
  cache:
    key: pip-python{PYTHON}
    paths:
      - .cache/pip
  before_script:
    - python -m pip install "{install}"

variables:
  PIP_CACHE_DIR: $CI_PROJECT_DIR/.cache/pip
  GIT_DEPTH: "0"
  PYTHONUTF8: "1"

stages:
  - check
  - publish
  - verdict

check:
  stage: check
  rules:
    - if: $CI_PIPELINE_SOURCE == "merge_request_event"
  script:
    - status=0
    - skpdgen build || status=1
    - skpdgen check || status=1
    - exit $status

pages:
  stage: publish
  rules:
    - if: $CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH && $CI_PIPELINE_SOURCE != "merge_request_event"
  script:
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

verdict:
  stage: verdict
  rules:
    - if: $CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH && $CI_PIPELINE_SOURCE != "merge_request_event"
  needs: [pages]
  before_script: []
  script:
    - cat skpdgen-status.txt
    - test "$(cat skpdgen-status.txt)" = "0 0"
"""


__all__ = ["DEPLOY_CONFIG", "HEADERS_FILE", "NGINX_CONF", "github_workflow", "gitlab_ci"]
