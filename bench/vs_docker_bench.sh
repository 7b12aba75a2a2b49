#!/usr/bin/env bash
# Times docker-bench-security (the CIS Docker Benchmark 1.6 shell script) and `dockaudit audit`
# side by side on the same engine and containers, with hyperfine (few runs: the script is slow).
# Goal (issue 9): dockaudit at least 100x faster.
#
#   bash bench/vs_docker_bench.sh DOCKER_BENCH_DIR [RUNS]
#
# DOCKER_BENCH_DIR is a checkout of https://github.com/docker/docker-bench-security (its
# docker-bench-security.sh and functions/, tests/ beside it); it is not part of this repository.
# The script runs from its own directory (it sources ./functions and ./tests from there) with -b
# (no colours) and its log in a scratch directory (-l). Both run
# against whatever the engine holds (DOCKER_HOST or the default socket): bring the scenario up first
# (`bash scripts/scenario.sh up PREFIX`) to time them on the same containers. dockaudit runs its
# default audit (`--format json`), image scan cache warm after hyperfine's warm-up.
set -euo pipefail
cd "$(dirname "$0")/.."
dbs=$(cd "${1:?usage: vs_docker_bench.sh DOCKER_BENCH_DIR [RUNS]}" && pwd)
runs=${2:-3}
[[ -f $dbs/docker-bench-security.sh ]] || { echo "no docker-bench-security.sh in $dbs" >&2; exit 2; }
command -v hyperfine >/dev/null || { apt-get update -qq && apt-get install -y -qq hyperfine >/dev/null; }
cargo build --release -q -p dockaudit
bin=$(pwd)/${CARGO_TARGET_DIR:-target}/release/dockaudit
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
out=$(pwd)/bench/out-vs-docker-bench.md
cd "$dbs"
echo "containers: $(docker ps -aq | wc -l) ($(docker ps -q | wc -l) running), images: $(docker images -q | wc -l)" >&2
hyperfine --warmup 1 --runs "$runs" --export-markdown "$out" \
  -n 'docker-bench-security.sh' "sh docker-bench-security.sh -b -l $scratch/dbs.log > /dev/null 2>&1" \
  -n 'dockaudit audit' "$bin audit --format json --fail-on never > /dev/null"
