#!/usr/bin/env bash
# Lighthouse (mobile) on the demo build: agency home, a news item and a service page.
# Fails when performance, accessibility, best-practices or SEO is below the threshold (95).
#
# usage: bash scripts/lighthouse.sh
#   LIGHTHOUSE_PREFIX  where lighthouse@12.2.3 is installed (default: a cache folder; it is big,
#                      so it is not in package.json)
#   LIGHTHOUSE_MIN     minimum score per category (default 95)
#   LIGHTHOUSE_OUT     folder for the JSON and HTML reports (default: a temporary folder)
#   CHROME_PATH        the browser (default /usr/bin/chromium)
#
# Needs node/npm, Python with skpdgen installed (pip install -e .) and Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
REPO=$PWD

VERSION=12.2.3
MIN=${LIGHTHOUSE_MIN:-95}
PREFIX=${LIGHTHOUSE_PREFIX:-${XDG_CACHE_HOME:-$HOME/.cache}/skpdgen-lighthouse-$VERSION}
export CHROME_PATH=${CHROME_PATH:-/usr/bin/chromium}
TODAY=2026-11-29
PAGES=(
  "agency-home dinkes/"
  "news-item dinkes/berita/imunisasi-kejar-anak/"
  "service dinkes/layanan/surat-keterangan-sehat/"
)

started=$(date +%s)
work=$(mktemp -d)
OUT=${LIGHTHOUSE_OUT:-$work/reports}
mkdir -p "$OUT"
server_pid=
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work/demo"
  if [ -z "${LIGHTHOUSE_OUT:-}" ]; then rm -rf "$work"; fi
}
trap cleanup EXIT

# 1. Lighthouse itself, in its own prefix (not in package.json).
command -v npm >/dev/null || { echo "npm is needed (apt-get install npm)" >&2; exit 2; }
[ -x "$CHROME_PATH" ] || { echo "$CHROME_PATH not found (apt-get install chromium)" >&2; exit 2; }
LH="$PREFIX/node_modules/.bin/lighthouse"
if [ ! -x "$LH" ] || ! "$LH" --version 2>/dev/null | grep -qx "$VERSION"; then
  echo "installing lighthouse@$VERSION into $PREFIX ..."
  mkdir -p "$PREFIX"
  npm install --prefix "$PREFIX" --no-save --no-audit --no-fund --silent "lighthouse@$VERSION" >/dev/null
fi

# 2. The demo region, built as CI builds it.
mkdir -p "$work/demo"
cp -r skpdgen.yaml sites static "$work/demo/"
(cd "$work/demo" && python3 -m skpdgen build --today "$TODAY" >/dev/null)

# 3. Served on 127.0.0.1 like a static host: gzip for text, long caching for fingerprinted assets.
port_file="$work/port"
python3 "$REPO/scripts/static_server.py" "$work/demo/build" "$port_file" &
server_pid=$!
for _ in $(seq 50); do [ -s "$port_file" ] && break; sleep 0.1; done
PORT=$(cat "$port_file")
BASE="http://127.0.0.1:$PORT/"

# 4. Lighthouse, mobile (its default form factor and throttling), one page at a time.
fail=0
printf '%-12s %12s %14s %15s %5s\n' page performance accessibility best-practices seo
for entry in "${PAGES[@]}"; do
  name=${entry%% *}; path=${entry#* }
  "$LH" "$BASE$path" --quiet --form-factor=mobile \
    --only-categories=performance,accessibility,best-practices,seo \
    --chrome-flags="--headless=new --no-sandbox --disable-gpu --disable-background-networking" \
    --output=json --output=html --output-path="$OUT/$name" >/dev/null 2>"$OUT/$name.log" \
    || { echo "lighthouse failed on $path:"; cat "$OUT/$name.log"; exit 1; }
  python3 - "$OUT/$name.report.json" "$name" "$MIN" <<'EOF' || fail=1
import json, sys
report, name, minimum = json.load(open(sys.argv[1])), sys.argv[2], int(sys.argv[3])
cats = ["performance", "accessibility", "best-practices", "seo"]
scores = {c: round((report["categories"][c]["score"] or 0) * 100) for c in cats}
print(f"{name:<12} {scores['performance']:>12} {scores['accessibility']:>14} "
      f"{scores['best-practices']:>15} {scores['seo']:>5}")
low = [c for c in cats if scores[c] < minimum]
for c in low:
    for ref in report["categories"][c]["auditRefs"]:
        audit = report["audits"][ref["id"]]
        if ref["weight"] and audit["score"] is not None and audit["score"] < 1:
            print(f"    {c}: {audit['id']}: {audit['title']} ({audit.get('displayValue', '')})")
sys.exit(1 if low else 0)
EOF
done
echo "took $(( $(date +%s) - started )) s${LIGHTHOUSE_OUT:+; reports in $OUT}"
if [ "$fail" != 0 ]; then
  echo "FAIL: a score is below $MIN" >&2
  exit 1
fi
echo "OK: every score >= $MIN"
