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
# nft), a fixed cost the engine-only baseline lacks; so the audits are compared with a baseline that
# does those reads too, overlapped with the engine requests (`bare_fetch --host`). The baseline is
# the least an audit must ask the engine: no sizes and no `top` (`bare_fetch --no-sizes --no-top
# --host`), since a local audit reads processes from /proc and measures the few sizes it reports
# (stopped containers' writable layers, unused volumes) on disk. The engine-only baseline and the
# old way (every container's size from the list, `top` per running container: `bare_fetch --host`)
# are kept for reference.
#
# It uses the engine DOCKER_HOST names (a unix socket), else the default socket; a quiet engine gives
# steadier figures: `DOCKER_HOST=$(bash scripts/second-engine.sh start) bash bench/live.sh`. Binaries
# are built in CARGO_TARGET_DIR (default target/).
# Goal (issue 9): the default audit within 1.2x of `bare-fetch --no-sizes --no-top --host`. Everything
# it creates carries dockaudit.test=1 and dockaudit.bench=$tag and is removed on exit, even on failure.
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
  -n bare-fetch "$bin/examples/bare_fetch $socket --no-sizes --no-top" \
  -n 'bare-fetch --no-sizes --no-top --host' "$bin/examples/bare_fetch $socket --no-sizes --no-top --host" \
  -n 'dockaudit audit' "$bin/dockaudit audit --format json --fail-on never > /dev/null" \
  -n 'dockaudit audit --no-sizes' "$bin/dockaudit audit --format json --fail-on never --no-sizes > /dev/null" \
  -n 'bare-fetch --host (sizes of all, top)' "$bin/examples/bare_fetch $socket --host"
