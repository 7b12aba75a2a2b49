#!/usr/bin/env bash
# record-host-fixture.sh: records the live host rule fixtures crates/rules/tests/fixtures/host/live-*.json
# with `dockaudit collect` on this machine: the engine's objects and, because the engine is local,
# this machine's host facts (files, audit rules, kernel protections) and firewall.
#
#   bash scripts/record-host-fixture.sh
#
# For each engine it creates, labelled dockaudit.test=1 and dockaudit.scenario=hx:
#   hx-listen-all    --network host, busybox httpd on every interface   (fails NET010)
#   hx-listen-local  --network host, busybox httpd on 127.0.0.1          (passes NET010)
#   hx-published     default bridge, -p PORT:8080 on every interface     (NET007, NET009)
# collects with `--label dockaudit.scenario=hx`, and always removes what it created.
#
# Engines: the machine's own (live-machine.json: Docker 20.10, iptables managed by Docker), and
# the second, current engine of scripts/second-engine.sh when it runs (live-current.json: Docker
# 28.5 with --iptables=false). Set SECOND=unix:///path.sock to name another, or SECOND= to skip.
#
# Re-record when the host collectors or the Snapshot format change, and review the diff: it is
# this machine's real state (kernel, files, firewall), so ids, pids, ports and timestamps change.
# Needs root (listening sockets of other processes, the firewall), docker, busybox-static, cargo.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
OUT=crates/rules/tests/fixtures/host
BIN="${CARGO_TARGET_DIR:-target}/debug/dockaudit"
SECOND=${SECOND-unix:///tmp/da-engine/docker.sock}
LABELS=(--label dockaudit.test=1 --label dockaudit.scenario=hx)

die() { echo "record-host-fixture: $*" >&2; exit 1; }
[[ $(id -u) -eq 0 ]] || die "run as root: reading other processes' sockets and the firewall needs it"

busybox=""
for bb in /bin/busybox /usr/bin/busybox; do
    if [[ -x $bb ]] && ! ldd "$bb" >/dev/null 2>&1; then busybox=$bb; break; fi
done
[[ -n $busybox ]] || die "no static busybox (apt-get install busybox-static)"

free_port() {
    local p
    while :; do
        p=$((20000 + RANDOM % 20000))
        if ! ss -Hltn "sport = :$p" | grep -q .; then echo "$p"; return; fi
    done
}

cleanup() { # HOST: removes this script's objects from one engine
    local host=$1 ids
    ids=$(docker -H "$host" ps -aq --filter label=dockaudit.scenario=hx)
    # shellcheck disable=SC2086
    [[ -z $ids ]] || docker -H "$host" rm -f $ids >/dev/null
    docker -H "$host" rmi -f dockaudit-test-hx-base:1 >/dev/null 2>&1 || true
}

record() { # HOST NAME
    local host=$1 name=$2 rootfs all local published
    trap 'cleanup "$host"; rm -rf "$rootfs"' RETURN
    rootfs=$(mktemp -d)
    mkdir -p "$rootfs/bin" "$rootfs/www"
    cp "$busybox" "$rootfs/bin/busybox"
    tar -C "$rootfs" --numeric-owner -c . |
        docker -H "$host" import --change "LABEL dockaudit.test=1" \
            --change "LABEL dockaudit.scenario=hx" - dockaudit-test-hx-base:1 >/dev/null
    all=$(free_port) local=$(free_port) published=$(free_port)
    docker -H "$host" run -d --name hx-listen-all "${LABELS[@]}" --network host \
        dockaudit-test-hx-base:1 /bin/busybox httpd -f -h /www -p "$all" >/dev/null
    docker -H "$host" run -d --name hx-listen-local "${LABELS[@]}" --network host \
        dockaudit-test-hx-base:1 /bin/busybox httpd -f -h /www -p "127.0.0.1:$local" >/dev/null
    docker -H "$host" run -d --name hx-published "${LABELS[@]}" -p "$published:8080" \
        dockaudit-test-hx-base:1 /bin/busybox httpd -f -h /www -p 8080 >/dev/null
    # Give the servers a moment to bind.
    for _ in $(seq 50); do
        if ss -Hltn "sport = :$all" | grep -q . && ss -Hltn "sport = :$local" | grep -q .; then break; fi
        sleep 0.1
    done
    "$BIN" collect -H "$host" --label dockaudit.scenario=hx --no-logs -o "$OUT/$name.json"
    echo "record-host-fixture: wrote $OUT/$name.json ($(wc -c <"$OUT/$name.json") bytes)"
}

cargo build -p dockaudit
mkdir -p "$OUT"
record unix:///var/run/docker.sock live-machine
if [[ -n $SECOND ]]; then
    if docker -H "$SECOND" info >/dev/null 2>&1; then
        record "$SECOND" live-current
    else
        echo "record-host-fixture: no engine at $SECOND (start it with scripts/second-engine.sh start); live-current.json not recorded" >&2
    fi
fi
