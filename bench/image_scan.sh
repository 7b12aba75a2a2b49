#!/usr/bin/env bash
# Times dockaudit's image scan (issue 4, part 1 and 8) on images built locally, with hyperfine, and
# reports the peak memory of one scan (GNU time's maximum resident set size):
#
#   - pkg100: a ~100-package image (the real Ubuntu 18.04 dpkg database of crates/scan/tests/data, 90
#     installed packages) with ~100 MB of incompressible files and 3 000 small config files (what
#     the secret scan reads);
#   - pkg400: a ~400-package image (the same database's stanzas repeated under other names), small.
#
# For each: the scan through the engine (`dockaudit image REF --no-cache`: the engine's export
# stream included), from a `docker save` file (`--archive`: the scan alone), and a cache hit.
#
#   bash bench/image_scan.sh            (uses target/release/dockaudit; builds it if missing)
#
# Everything it creates carries dockaudit.test=1 and dockaudit.bench=$tag and is removed on exit.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v hyperfine >/dev/null || { apt-get update -qq && apt-get install -y -qq hyperfine >/dev/null; }
[[ -x /usr/bin/time ]] || { apt-get update -qq && apt-get install -y -qq time >/dev/null; }
BIN=${BIN:-target/release/dockaudit}
[[ -x $BIN ]] || cargo build --release -p dockaudit
tag="imgbench$$"
work=$(mktemp -d)
export XDG_CACHE_HOME="$work/cache"
export DOCKER_BUILDKIT=0

cleanup() {
    docker images -q --filter "label=dockaudit.bench=$tag" | xargs -r docker rmi -f >/dev/null 2>&1 || true
    docker rmi -f "dockaudit-bench-$tag-base:1" "dockaudit-bench-$tag-pkg100:1" "dockaudit-bench-$tag-pkg400:1" >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT

bb=$(command -v busybox)
mkdir -p "$work/rootfs/bin"
cp "$bb" "$work/rootfs/bin/busybox"
for a in sh sleep echo; do ln -s busybox "$work/rootfs/bin/$a"; done
tar -C "$work/rootfs" -c . | docker import -c "LABEL dockaudit.test=1" -c "LABEL dockaudit.bench=$tag" - "dockaudit-bench-$tag-base:1" >/dev/null

os_release='NAME="Ubuntu"\nID=ubuntu\nVERSION_ID="18.04"\nPRETTY_NAME="Ubuntu 18.04.6 LTS"\n'

# pkg100: real database, ~100 MB of random data in 2 000 files, 3 000 small text files.
ctx="$work/pkg100"
mkdir -p "$ctx/c/var/lib/dpkg" "$ctx/c/etc" "$ctx/c/data" "$ctx/c/app/conf"
printf "$os_release" >"$ctx/c/etc/os-release"
cp crates/scan/tests/data/dpkg/ubuntu-status "$ctx/c/var/lib/dpkg/status"
for i in $(seq 1 2000); do head -c 51200 /dev/urandom >"$ctx/c/data/blob$i.bin"; done
for i in $(seq 1 3000); do printf 'name = service-%d\nport = %d\nlog_level = info\n' "$i" "$i" >"$ctx/c/app/conf/svc$i.conf"; done
printf 'FROM dockaudit-bench-%s-base:1\nCOPY c/ /\n' "$tag" >"$ctx/Dockerfile"
docker build -q -t "dockaudit-bench-$tag-pkg100:1" "$ctx" >/dev/null

# pkg400: the database's 91 stanzas repeated under other names, 4.4 times.
ctx="$work/pkg400"
mkdir -p "$ctx/c/var/lib/dpkg" "$ctx/c/etc"
printf "$os_release" >"$ctx/c/etc/os-release"
for copy in a b c d e; do
    sed "s/^Package: \(.*\)/Package: \1-$copy/" crates/scan/tests/data/dpkg/ubuntu-status
    echo
done | awk -v max=440 '/^Package:/{n++} n<=max' >"$ctx/c/var/lib/dpkg/status"
printf 'FROM dockaudit-bench-%s-base:1\nCOPY c/ /\n' "$tag" >"$ctx/Dockerfile"
docker build -q -t "dockaudit-bench-$tag-pkg400:1" "$ctx" >/dev/null

for img in pkg100 pkg400; do
    ref="dockaudit-bench-$tag-$img:1"
    docker save -o "$work/$img.tar" "$ref"
    echo
    echo "== $img: $(docker image inspect -f '{{.Size}}' "$ref") bytes, save file $(stat -c %s "$work/$img.tar") bytes"
    "$BIN" image "$ref" --no-cache --format json --fail-on never | python3 -c 'import json,sys; d=json.load(sys.stdin); print("packages:", len(d["packages"]), "stats:", d["stats"])'
    hyperfine -N --warmup 1 --runs 10 \
        -n "engine stream ($img)" "$BIN image $ref --no-cache --format json --fail-on never" \
        -n "archive file ($img)" "$BIN image x --archive $work/$img.tar --format json --fail-on never" \
        -n "cache hit ($img)" "$BIN image $ref --format json --fail-on never"
    # The engine's own cost of exporting the image (what the engine stream above includes).
    hyperfine --warmup 1 --runs 5 -n "docker save ($img)" "docker save $ref > /dev/null"
    for mode in engine archive; do
        if [[ $mode == engine ]]; then
            args=(image "$ref" --no-cache --format json --fail-on never)
        else
            args=(image x --archive "$work/$img.tar" --format json --fail-on never)
        fi
        /usr/bin/time -f "$mode peak RSS: %M KiB" "$BIN" "${args[@]}" >/dev/null
    done
done
