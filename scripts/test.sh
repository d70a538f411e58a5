#!/usr/bin/env bash
# Install what the test suite needs, then run lint, types and the whole suite.
# usage: bash scripts/test.sh [pytest args...]
set -euo pipefail
cd "$(dirname "$0")/.."

python3 -m pip install --quiet --disable-pip-version-check -e '.[test]'

# System packages for browser and web-server tests (Debian). Needs root; without it the
# browser and nginx tests skip with a reason (in CI, SKPDGEN_REQUIRE_BROWSER=1 fails them).
need=()
[ -x /usr/bin/chromium ] || need+=(chromium)
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || need+=(nginx-light)
command -v java >/dev/null 2>&1 || need+=(default-jre-headless)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
  else
    echo "note: not root, so not installing ${need[*]}; tests that need them will skip" >&2
  fi
fi

# Front-end checkers from npm (axe-core, the Nu HTML Checker), pinned by package-lock.json.
if command -v npm >/dev/null 2>&1 && [ -f package.json ]; then
  npm ci --silent --no-audit --no-fund >/dev/null 2>&1 || npm install --silent --no-audit --no-fund >/dev/null
fi

# The browser editor's package (decap-cms, pinned; skpdgen checks its integrity) for the editor
# tests, fetched once into the cache the build uses; tests themselves never reach the network.
decap=.cache/skpdgen/vendor/decap-cms-3.16.3.tgz
if [ ! -f "$decap" ] && command -v npm >/dev/null 2>&1; then
  mkdir -p "$(dirname "$decap")"
  npm pack decap-cms@3.16.3 --pack-destination "$(dirname "$decap")" --silent >/dev/null || true
fi
[ -f "$decap" ] && export SKPDGEN_DECAP_TARBALL="$PWD/$decap"   # also for scripts/lighthouse.sh

# Lighthouse (mobile, every category >= 95) on three demo pages, when asked (CI asks):
# before the suite, so the suite's summary stays the last line of the log.
if [ "${SKPDGEN_LIGHTHOUSE:-0}" = 1 ]; then
  bash scripts/lighthouse.sh
fi

python3 -m ruff check skpdgen tests scripts
python3 -m mypy
python3 -m pytest "$@"
