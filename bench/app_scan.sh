#!/usr/bin/env bash
# Times the application-package inventory (issue 14) on a large image built locally, with hyperfine:
# the engine's own export (`docker save IMAGE > /dev/null`) is the floor; dockaudit's scan through
# the engine (`dockaudit image REF --no-cache`, the export stream included) and from a `docker save`
# file (`--archive`) are compared with it, and so is the same request read by curl (the raw
# stream, nothing parsed). It also prints the stream's time to its first byte, and the CPU (the
# engine's too) and peak RSS of one run of each.
#
# The image ("apps3k"): the rootfs of tests/live_app_packages.rs (real Debian packages: Python
# egg-info/dist-info, Node.js package.json, jars with pom.properties, a gemspec) plus, to reach
# thousands of packages, N_NPM copies of a real package.json under node_modules (renamed), N_PY
# copies of a real egg-info, N_JAR copies of a real jar and N_GO copies of a Go binary built by
# Debian's Go.
#
#   bash bench/app_scan.sh            (uses target/release/dockaudit; builds it if missing)
#
# Needs the Debian packages .ci/run downloads ($DOCKAUDIT_TEST_DEBS) and golang-go. Everything it
# creates carries dockaudit.test=1 and dockaudit.bench=$tag and is removed on exit.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v hyperfine >/dev/null || { apt-get update -qq && apt-get install -y -qq hyperfine >/dev/null; }
BIN=${BIN:-target/release/dockaudit}
[[ -x $BIN ]] || cargo build --release -p dockaudit
N_NPM=${N_NPM:-3000} N_PY=${N_PY:-1000} N_JAR=${N_JAR:-200} N_GO=${N_GO:-20}
debs=${DOCKAUDIT_TEST_DEBS:-/var/cache/dockaudit-test/debs}
tag="appbench$$"
ref="dockaudit-bench-$tag-apps:1"
work=$(mktemp -d)
export XDG_CACHE_HOME="$work/cache"
cleanup() {
    docker rmi -f "$ref" >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT

root="$work/rootfs"
mkdir -p "$root/etc" "$root/app/node_modules" "$root/app/lib" "$root/app/bin" "$root/app/site-packages"
printf 'ID=debian\nVERSION_ID="12"\nPRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\n' >"$root/etc/os-release"
for deb in "$debs"/*.deb; do dpkg -x "$deb" "$root"; done
# A Go binary with a vendored dependency (as the live test builds it).
src="$work/gosrc"
mkdir -p "$src/vendor/golang.org/x/net"
cp -r "$root/usr/share/gocode/src/golang.org/x/net/html" "$src/vendor/golang.org/x/net/"
printf 'module example.com/apptest\n\ngo 1.19\n\nrequire golang.org/x/net v0.7.0\n' >"$src/go.mod"
printf '# golang.org/x/net v0.7.0\n## explicit; go 1.17\ngolang.org/x/net/html\ngolang.org/x/net/html/atom\n' >"$src/vendor/modules.txt"
printf 'package main\n\nimport (\n\t"fmt"\n\t"strings"\n\n\t"golang.org/x/net/html"\n)\n\nfunc main() {\n\tdoc, err := html.Parse(strings.NewReader("<p>hi</p>"))\n\tfmt.Println(doc != nil, err)\n}\n' >"$src/main.go"
(cd "$src" && GOFLAGS=-mod=vendor GOPROXY=off GOCACHE="$work/gocache" go build -o "$work/apptest" .)
pj="$root/usr/share/nodejs/lodash/package.json"
for i in $(seq 1 "$N_NPM"); do
    mkdir -p "$root/app/node_modules/pkg$i"
    sed "s/\"name\": *\"lodash\"/\"name\": \"pkg$i\"/" "$pj" >"$root/app/node_modules/pkg$i/package.json"
done
egg=$(ls -d "$root"/usr/lib/python3/dist-packages/requests-*.egg-info)
for i in $(seq 1 "$N_PY"); do
    mkdir -p "$root/app/site-packages/dist$i-1.0.egg-info"
    sed "s/^Name: requests/Name: dist$i/" "$egg/PKG-INFO" >"$root/app/site-packages/dist$i-1.0.egg-info/PKG-INFO"
done
for i in $(seq 1 "$N_JAR"); do cp "$root/usr/share/java/log4j-core.jar" "$root/app/lib/log4j-core-copy$i.jar"; done
for i in $(seq 1 "$N_GO"); do cp "$work/apptest" "$root/app/bin/apptest$i"; done
tar -C "$root" --numeric-owner -cf - . |
    docker import -c "LABEL dockaudit.test=1" -c "LABEL dockaudit.bench=$tag" - "$ref" >/dev/null
docker save -o "$work/apps.tar" "$ref"
echo "== $(docker image inspect -f '{{.Size}}' "$ref") bytes, $(tar -tvf "$work/apps.tar" >/dev/null; tar -xOf "$work/apps.tar" --wildcards '*.tar' 2>/dev/null | tar -t 2>/dev/null | wc -l) entries"
"$BIN" image "$ref" --no-cache --format json --fail-on never |
    python3 -c 'import json,sys,collections; d=json.load(sys.stdin); c=collections.Counter(p["ecosystem"] for p in d["app_packages"]); print("app packages:", len(d["app_packages"]), dict(c), "stats:", d["stats"])'
# Where the export's time goes: Docker 20.10 writes the whole image to a temporary directory
# before it sends the first byte, so the time to the first byte is the engine's alone.
curl -s --unix-socket /var/run/docker.sock "http://x/images/$ref/get" -o /dev/null \
    -w 'raw stream (curl): first byte after %{time_starttransfer} s, all %{size_download} bytes after %{time_total} s\n'
# CPU and peak memory of one run each (the engine's CPU from dockerd's /proc/PID/stat).
engine_cpu() { local p; p=$(pidof dockerd 2>/dev/null) && awk -v t="$(getconf CLK_TCK)" '{printf "%.2f", ($14+$15)/t}' "/proc/$p/stat" || echo 0; }
for what in "docker save $ref" "$BIN image $ref --no-cache --format json --fail-on never" \
    "$BIN image x --archive $work/apps.tar --format json --fail-on never"; do
    before=$(engine_cpu)
    /usr/bin/time -f "%e s wall, %U s user, %S s sys, %M KiB peak RSS" -o "$work/time" sh -c "$what > /dev/null"
    echo "$(cat "$work/time"), engine CPU $(echo "$(engine_cpu) - $before" | bc) s: $what"
done
# One hyperfine run for the four, so the machine's load is shared alike (runs interleave per
# command, not per round, but back to back).
hyperfine --warmup 1 --runs "${RUNS:-10}" \
    -n "docker save (floor)" "docker save $ref > /dev/null" \
    -n "raw stream (curl)" "curl -s --unix-socket /var/run/docker.sock http://x/images/$ref/get -o /dev/null" \
    -n "engine stream" "$BIN image $ref --no-cache --format json --fail-on never > /dev/null" \
    -n "archive file" "$BIN image x --archive $work/apps.tar --format json --fail-on never > /dev/null"
