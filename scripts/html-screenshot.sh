#!/usr/bin/env bash
# Renders the HTML report of the recorded scenario (crates/rules/tests/fixtures/scenario.json) in
# headless Chromium and writes the screenshot the README shows: docs/img/html-report.png.
#
#   bash scripts/html-screenshot.sh [OUT.png]
#
# Needs Debian's chromium (apt-get install chromium). Re-run it when the page's layout changes.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-docs/img/html-report.png}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cargo build -q -p dockaudit
./target/debug/dockaudit audit --snapshot crates/rules/tests/fixtures/scenario.json \
    --format html="$work/report.html" --fail-on never
chromium --headless --disable-gpu --no-sandbox --no-first-run --user-data-dir="$work/profile" \
    --hide-scrollbars --window-size=1280,2000 --screenshot="$out" "file://$work/report.html" 2>/dev/null
echo "wrote $out"
