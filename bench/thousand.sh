#!/usr/bin/env bash
# Audits N containers (default 1000: half running `sleep`, half created) on a private engine, with
# hyperfine, and reports the audit's peak memory (GNU time's maximum resident set size).
# Goal (issue 9): 1 000 containers audited in <= 2 s with <= 100 MB RSS.
#
#   bash bench/thousand.sh [N] [ENGINE_DIR]
#
# It starts its own engine (scripts/second-engine.sh, under ENGINE_DIR, default /tmp/da-thousand)
# so the machine's engine and the sessions using it are not slowed, and stops it at the end; with
# DOCKER_HOST set to a unix socket it uses that engine instead and leaves it running. Everything it
# creates carries dockaudit.test=1 and dockaudit.bench=$tag and is removed on exit, even on failure.
# The audit is the default one (`--format json`); `--no-image-scan` is not needed: the one image is
# busybox, scanned once and cached after the warm-up.
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-1000}
engine_dir=${2:-/tmp/da-thousand}
tag="thousand$$"
command -v hyperfine >/dev/null || { apt-get update -qq && apt-get install -y -qq hyperfine >/dev/null; }
[[ -x /usr/bin/time ]] || { apt-get update -qq && apt-get install -y -qq time >/dev/null; }
bb=$(command -v busybox) || { echo "needs busybox-static" >&2; exit 2; }

started=""
if [[ -z ${DOCKER_HOST:-} ]]; then
  DOCKER_HOST=$(bash scripts/second-engine.sh start "$engine_dir" | tail -1)
  started=1
fi
export DOCKER_HOST

cleanup() {
  docker ps -aq --filter "label=dockaudit.bench=$tag" | xargs -r -n 100 docker rm -f >/dev/null
  docker rmi -f "dockaudit-bench-$tag:1" >/dev/null 2>&1 || true
  if [[ -n $started ]]; then bash scripts/second-engine.sh stop "$engine_dir" >/dev/null; fi
}
trap cleanup EXIT

root=$(mktemp -d)
mkdir -p "$root/bin"
cp "$bb" "$root/bin/busybox"
for a in sh sleep; do ln -s busybox "$root/bin/$a"; done
tar -C "$root" -c . | docker import -c "LABEL dockaudit.test=1" - "dockaudit-bench-$tag:1" >/dev/null
rm -rf "$root"

echo "creating $n containers on $DOCKER_HOST..." >&2
seq 1 "$n" | xargs -P 4 -I{} sh -c '
  i={}
  if [ $((i % 2)) -eq 1 ]; then verb="run -d"; else verb=create; fi
  docker $verb --label dockaudit.test=1 --label dockaudit.bench='"$tag"' --name '"$tag"'-$i \
    --network none dockaudit-bench-'"$tag"':1 sleep 3600 >/dev/null'
echo "$(docker ps -q --filter "label=dockaudit.bench=$tag" | wc -l) running, $(docker ps -aq --filter "label=dockaudit.bench=$tag" | wc -l) in all" >&2

socket=${DOCKER_HOST#unix://}
cargo build --release -q -p dockaudit
cargo build --release -q -p dockaudit-collect --example bare_fetch
bin=${CARGO_TARGET_DIR:-target}/release
export XDG_CACHE_HOME=$(mktemp -d)
# Where the time goes: the rules and the report alone, over a snapshot of the same engine.
snapshot="$XDG_CACHE_HOME/snapshot.json"
"$bin/dockaudit" collect -o "$snapshot" >/dev/null
hyperfine --warmup 1 --runs 5 --export-markdown "bench/out-thousand-$n.md" \
  -n 'bare-fetch --no-sizes --no-top --host' "$bin/examples/bare_fetch $socket --no-sizes --no-top --host" \
  -n 'dockaudit audit' "$bin/dockaudit audit --format json --fail-on never > /dev/null" \
  -n 'dockaudit audit --no-sizes' "$bin/dockaudit audit --format json --fail-on never --no-sizes > /dev/null" \
  -n 'dockaudit collect' "$bin/dockaudit collect -o $XDG_CACHE_HOME/again.json > /dev/null" \
  -n 'dockaudit audit --snapshot' "$bin/dockaudit audit --snapshot $snapshot --format json --fail-on never > /dev/null"
/usr/bin/time -f "dockaudit audit: %e s, peak RSS %M KiB" "$bin/dockaudit" audit --format json --fail-on never >/dev/null
rm -rf "$XDG_CACHE_HOME"
