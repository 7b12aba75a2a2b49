#!/usr/bin/env bash
# Times a fleet audit of two engines against auditing them one after the other, with hyperfine: the
# machine's engine (DOCKER_HOST, else the default socket) and a second one (SECOND, default: one
# started here with scripts/second-engine.sh and stopped on exit). What it shows is whether the
# hosts are collected concurrently: the fleet should take about the slower host's time, not the sum.
#
#   bash bench/fleet.sh [RUNS]          # BIN=target/debug/dockaudit to time a debug build
#
# It creates nothing on the engines; the engine it starts is its own (its own directory and bridge).
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-20}
bin=${BIN:-target/release/dockaudit}
command -v hyperfine >/dev/null || { apt-get update -qq && apt-get install -y -qq hyperfine >/dev/null; }
[[ -x $bin ]] || cargo build --release -p dockaudit
machine=${DOCKER_HOST:-unix:///var/run/docker.sock}
second=${SECOND:-}
if [[ -z $second ]]; then
    dir=/tmp/da-bf$$
    trap 'bash scripts/second-engine.sh stop "$dir" >/dev/null 2>&1; rm -rf "$dir"' EXIT
    second=$(bash scripts/second-engine.sh start "$dir" | tail -n 1)
fi
audit="$bin audit --format json --fail-on never"
hyperfine --warmup 2 --runs "$runs" -N \
    -n "machine only" "$audit --host $machine" \
    -n "second only" "$audit --host $second" \
    -n "fleet of both" "$audit --host $machine --host $second"
hyperfine --warmup 2 --runs "$runs" \
    -n "one after the other" "$audit --host $machine >/dev/null; $audit --host $second >/dev/null"
