#!/usr/bin/env bash
# Times a full `dockaudit audit` against a bare fetch of the same engine data (examples/bare_fetch.rs:
# same requests, same concurrency, no conversion, masking, rules or report), on N labelled
# containers (default 200: half running `sleep`, half created) besides whatever the engine already
# holds, with hyperfine. N=0 creates none: it times the engine as it is (a scenario brought up with
# `bash scripts/scenario.sh up PREFIX`, say).
#
#   bash bench/live.sh [N]
#
# A local audit also reads the host (the /proc scan for dockerd, daemon.json, files, iptables-save,
# nft), a fixed cost the engine-only baseline lacks; so each audit is compared with a baseline that
# does those reads too, overlapped with the engine requests (`bare_fetch --host`), and the
# `--no-sizes` audit with a baseline without sizes (`bare_fetch --no-sizes --host`): on some storage
# drivers (fuse-overlayfs) the sizes cost the engine seconds and hide everything else. The
# engine-only baseline is kept as the first line.
#
# It uses the engine DOCKER_HOST names (a unix socket), else the default socket; a quiet engine gives
# steadier figures: `DOCKER_HOST=$(bash scripts/second-engine.sh start) bash bench/live.sh`. Binaries
# are built in CARGO_TARGET_DIR (default target/).
# Goal (issue: foundation): the audit within 1.5x of the bare fetch. Everything it creates carries
# dockaudit.test=1 and dockaudit.bench=$tag and is removed on exit, even on failure.
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-200}
tag="bench$$"
command -v hyperfine >/dev/null || { apt-get update -qq && apt-get install -y -qq hyperfine >/dev/null; }

cleanup() {
  docker ps -aq --filter "label=dockaudit.bench=$tag" | xargs -r docker rm -f >/dev/null
  docker rmi -f "dockaudit-bench-$tag:1" >/dev/null 2>&1 || true
}
trap cleanup EXIT

root=$(mktemp -d)
mkdir -p "$root/bin"
cp /bin/busybox "$root/bin/"
for a in sh sleep echo; do ln -s busybox "$root/bin/$a"; done
tar -C "$root" -c . | docker import -c "LABEL dockaudit.test=1" - "dockaudit-bench-$tag:1" >/dev/null
rm -rf "$root"

echo "creating $n containers..." >&2
for i in $(seq 1 "$n"); do
  if (( i % 2 )); then
    docker run -d --label dockaudit.test=1 --label "dockaudit.bench=$tag" --name "$tag-$i" \
      "dockaudit-bench-$tag:1" sh -c 'echo started; sleep 3600' >/dev/null
  else
    docker create --label dockaudit.test=1 --label "dockaudit.bench=$tag" --name "$tag-$i" \
      "dockaudit-bench-$tag:1" sleep 3600 >/dev/null
  fi
done

socket=${DOCKER_HOST:-unix:///var/run/docker.sock}
socket=${socket#unix://}
cargo build --release -q -p dockaudit
cargo build --release -q -p dockaudit-collect --example bare_fetch
bin=${CARGO_TARGET_DIR:-target}/release
hyperfine --warmup 2 --runs 10 --export-markdown "bench/out-$n.md" \
  -n bare-fetch "$bin/examples/bare_fetch $socket" \
  -n 'bare-fetch --host' "$bin/examples/bare_fetch $socket --host" \
  -n 'dockaudit audit' "$bin/dockaudit audit --format json --fail-on never > /dev/null" \
  -n 'bare-fetch --no-sizes --host' "$bin/examples/bare_fetch $socket --no-sizes --host" \
  -n 'dockaudit audit --no-sizes' "$bin/dockaudit audit --format json --fail-on never --no-sizes > /dev/null"
