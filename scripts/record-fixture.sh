#!/usr/bin/env bash
# record-fixture.sh: records crates/rules/tests/fixtures/scenario.json, the Snapshot the rule tests run
# on (crates/rules/tests/common), from the real Docker engine on this machine.
#
# It builds the binary, brings up the test scenario of scripts/scenario.md with PREFIX `fx`
# (scripts/scenario.sh up fx), runs `dockaudit collect --label dockaudit.scenario=fx`, checks that no
# planted secret value reached the file, and always removes the scenario again (scenario.sh down fx).
#
# Re-record (and commit the new fixture with the change that needs it) when scripts/scenario.md or
# scripts/scenario.sh changes, when `collect` gathers new facts or the Snapshot format changes
# (schema), or when a rule needs a fact the fixture lacks. Review the diff: it is real engine output,
# so ids, timestamps, and the engine's version and host details change on every recording.
#
# Vulnerability matching uses a database built from the advisory excerpts in
# crates/vulndb/tests/data/advisories/feeds, so VLN001 has a failing image (the bad image's Ubuntu 18.04
# glibc) and a passing one (the good image's Debian 13).
#
# Needs: a reachable Docker engine, busybox-static, cargo. Takes about half a minute plus the build.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
OUT=crates/rules/tests/fixtures/scenario.json
BIN="${CARGO_TARGET_DIR:-target}/debug/dockaudit"
PLANTED=(hunter2-planted-db-secret AKIAIOSFODNN7EXAMPLE planted-label-token-123456
    planted-image-secret-987 planted-log-secret-555 AKIA2PLANTEDFAKE7KEY planted-fake-ssh-key
    planted-deleted-token)

cargo build -p dockaudit

mkdir -p "$(dirname "$OUT")"
tmp=$(mktemp --suffix=.json "${OUT%.json}.XXXXXX")
db=$(mktemp --suffix=.sqlite)
cleanup() {
    rm -f "$tmp" "$db"
    scripts/scenario.sh down fx
}
trap cleanup EXIT

rm -f "$db"
"$BIN" db build --from crates/vulndb/tests/data/advisories/feeds --db "$db" >/dev/null
scripts/scenario.sh up fx
DOCKAUDIT_DB="$db" "$BIN" collect --label dockaudit.scenario=fx -o "$tmp"

for secret in "${PLANTED[@]}"; do
    if grep -qF -- "$secret" "$tmp"; then
        echo "record-fixture: the snapshot contains the planted secret '$secret': collect must redact it; fixture not written" >&2
        exit 1
    fi
done
mv "$tmp" "$OUT"
echo "record-fixture: wrote $OUT ($(wc -c <"$OUT") bytes)"
