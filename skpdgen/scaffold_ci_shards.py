"""The CI files of a large region built in shards (written by `skpdgen init --shards N`).

- `github_sharded_workflow()`: a `strategy.matrix` of N jobs, each `skpdgen build --shard I/N`
  uploading its build/ as an artifact; a final job downloads them into one build/, runs
  `skpdgen build --portal-only`, `skpdgen check` and (main branch) `skpdgen deploy`.
- `gitlab_sharded_ci()`: the same with `parallel: N` (CI_NODE_INDEX/CI_NODE_TOTAL), artifacts,
  and a final job with `needs:`.

Both first fix the day once (`SKPDGEN_TODAY`, in the region's time zone), so jobs that start
on both sides of midnight still build one day's site (`--portal-only` refuses a mix). As in
the one-job files (scaffold_ci.py), publishing runs even when an agency (or a whole shard)
failed: what is missing is held back with its published version kept, and the run ends red.

Each shard job keeps its own build/ between runs (the key names the shard and N: the agencies
of shard I of N are always the same ones); `build --shard` forgets the shard records restored
with it, so a record always means "built by this run". The final job keeps none: it assembles build/ from
this run's shards alone (an older build/ under them could pass off an agency whose shard failed
as built by an earlier run), and the portal takes seconds (docs/sharding.md).
"""


from __future__ import annotations

from skpdgen.scaffold_ci import (
    DAILY_CRON,
    GITLAB_CACHE_COMMENT,
    PYTHON,
    _github_publish,
    github_build_cache,
    gitlab_job_cache,
    gitlab_prelude,
    install_comment,
)
from skpdgen.scaffold_install import default_install

MAX_CI_SHARDS = 256
SPARE_GLOB = "build/.skpdgen/cache/spare/"     # staging.spare_path: never needed by another job
TIMEZONE = "Asia/Jakarta"


# Indonesia's zones have no summer time: a POSIX TZ string needs no time-zone database
# (a bare CI image may have none); any other zone is passed by name.
POSIX_TZ = {"Asia/Jakarta": "WIB-7", "Asia/Pontianak": "WIB-7", "Asia/Makassar": "WITA-8",
            "Asia/Jayapura": "WIT-9"}


def _day_command(timezone: str) -> str:
    return f"TZ={POSIX_TZ.get(timezone, timezone)} date +%F"


def github_sharded_workflow(shards: int, install: str | None = None, target: str = "pages",
                            ssh: bool = False, timezone: str = TIMEZONE) -> str:
    """.github/workflows/skpdgen.yml for a region built by `shards` jobs."""
    install = install or default_install()
    publish, permission = _github_publish(target, ssh)
    matrix = ", ".join(str(i) for i in range(1, shards + 1))
    restore, save = github_build_cache(f"shard${{{{ matrix.shard }}}}-of-{shards}-")
    setup = f"""\
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
          cache-dependency-path: .github/workflows/skpdgen.yml

{install_comment("      ")}      - name: Install skpdgen
        run: python -m pip install "{install}"
"""
    return f"""\
# skpdgen, in {shards} shards: each job of the matrix builds the agencies of its shard (a
# shard depends on the agency's folder name only, so adding an agency moves no other one);
# a final job copies their build/ folders together, builds the portal, the scorecard and the
# search, checks, and publishes the main branch (every day and on demand too).
# Publishing runs even when an agency or a whole shard fails: the others go live, the failed
# ones keep their published version, and the run ends red. See README.md.
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
  day:
    name: The day to build for
    runs-on: ubuntu-24.04
    timeout-minutes: 5
    outputs:
      today: ${{{{ steps.day.outputs.today }}}}
    steps:
      - name: Today in the region's time zone (skpdgen.yaml `timezone`), one day for every job
        id: day
        run: echo "today=$({_day_command(timezone)})" >> "$GITHUB_OUTPUT"

  shard:
    name: Build shard ${{{{ matrix.shard }}}} of {shards}
    needs: day
    runs-on: ubuntu-24.04
    timeout-minutes: 60
    strategy:
      fail-fast: false
      matrix:
        shard: [{matrix}]
    env:
      PYTHONUTF8: "1"
      SKPDGEN_TODAY: ${{{{ needs.day.outputs.today }}}}
    steps:
{setup}
{restore}
      - name: Build this shard's agencies (it first forgets the shard records restored with build/)
        run: skpdgen build --shard ${{{{ matrix.shard }}}}/{shards}

{save}
      - name: Keep its build/ for the final job
        if: ${{{{ !cancelled() }}}}
        uses: actions/upload-artifact@v4
        with:
          name: build-${{{{ matrix.shard }}}}
          # not the spare folders (the outputs before last, for the next staging): a zip
          # would store their hard links as copies, and the final job builds no agency
          path: |
            build/
            !{SPARE_GLOB}
          include-hidden-files: true
          retention-days: 1

  site:
    name: Portal, check and publish
    needs: [day, shard]
    if: ${{{{ !cancelled() }}}}
    runs-on: ubuntu-24.04
    timeout-minutes: 30
    permissions:
      contents: {permission}
    env:
      PYTHONUTF8: "1"
      SKPDGEN_TODAY: ${{{{ needs.day.outputs.today }}}}
    steps:
{setup}
      # no build/ cache here: build/ is this run's shards only, and the portal takes seconds
      - name: Copy the shards' build/ folders together
        uses: actions/download-artifact@v4
        with:
          pattern: build-*
          merge-multiple: true
          path: build/

      - name: Build the portal from the shards' agencies
        run: skpdgen build --portal-only

      - name: Check links, anchors and images
        if: ${{{{ !cancelled() }}}}
        run: skpdgen check

{publish}"""


def gitlab_sharded_ci(shards: int, install: str | None = None, target: str = "gitlab",
                      branch: str = "pages", ssh: bool = False,
                      timezone: str = TIMEZONE) -> str:
    """.gitlab-ci.yml for a region built by `shards` parallel jobs."""
    install = install or default_install()
    name = "publish" if ssh else "pages"
    pages_lines = "" if ssh else f"""\
    - git fetch --quiet --depth=1 origin {branch}
    - mkdir -p public && git archive FETCH_HEAD | tar -x -C public
"""
    pages_paths = "" if ssh else "      - public\n"
    comment = ("# publish to the kabupaten's server; Settings > CI/CD > Variables: SKPDGEN_SSH_KEY "
               "(the deploy\n# user's private key) and SKPDGEN_SSH_KNOWN_HOSTS (`ssh-keyscan -t "
               "ed25519 HOST`), protected\n" if ssh else "")
    return f"""\
# skpdgen, in {shards} shards: `parallel: {shards}` jobs each build the agencies of one shard (a
# shard depends on the agency's folder name only); a final job takes their build/ folders,
# builds the portal, the scorecard and the search, checks, and publishes the default branch
# (on every push, every day with a pipeline schedule, and on demand).
# Publishing runs even when an agency or a whole shard fails: the others go live, the failed
# ones keep their published version, and the pipeline ends red. See README.md.

{GITLAB_CACHE_COMMENT}# The final jobs keep none: build/ is this run's shards only; the portal takes seconds.

{gitlab_prelude(install)}
stages:
  - shards
  - publish
  - verdict

# today in the region's time zone (skpdgen.yaml `timezone`): one day for every job
day:
  stage: .pre
  before_script: []
  script:
    - echo "SKPDGEN_TODAY=$({_day_command(timezone)})" > day.env
  artifacts:
    reports:
      dotenv: day.env

shard:
  stage: shards
  parallel: {shards}
  needs: [day]
{gitlab_job_cache(f"shard$CI_NODE_INDEX-of-{shards}-")}  script:
    - skpdgen build --shard "$CI_NODE_INDEX/$CI_NODE_TOTAL"
  # an agency that fails (exit status 1) is held back by the final job, which ends red
  allow_failure:
    exit_codes: [1]
  artifacts:
    when: always
    expire_in: 1 day
    paths:
      - build/
    exclude:        # the spare folders: a zip would store their hard links as copies
      - {SPARE_GLOB}**/*

# the final jobs run even when a shard failed: its agencies are held back, the pipeline is red
check:
  stage: publish
  rules:
    - if: $CI_PIPELINE_SOURCE == "merge_request_event"
      when: always
  needs: [day, shard]
  script:
    - status=0
    - skpdgen build --portal-only || status=1
    - skpdgen check || status=1
    - exit $status

{comment}{name}:
  stage: publish
  rules:
    - if: $CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH && $CI_PIPELINE_SOURCE != "merge_request_event"
      when: always
  needs: [day, shard]
  script:
    - status=0
    - skpdgen build --portal-only || status=1
    - skpdgen check || status=1
    - skpdgen deploy {target} || deployed=$?
    - echo "$status ${{deployed:-0}}" > skpdgen-status.txt
    - test "${{deployed:-0}}" -le 1
{pages_lines}  artifacts:
    when: always
    paths:
{pages_paths}      - skpdgen-status.txt

verdict:
  stage: verdict
  rules:
    - if: $CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH && $CI_PIPELINE_SOURCE != "merge_request_event"
  needs: [{name}]
  before_script: []
  script:
    - cat skpdgen-status.txt
    - test "$(cat skpdgen-status.txt)" = "0 0"
"""


__all__ = ["MAX_CI_SHARDS", "github_sharded_workflow", "gitlab_sharded_ci"]
