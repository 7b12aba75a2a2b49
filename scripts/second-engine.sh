#!/usr/bin/env bash
# A second, current Docker Engine beside the machine's own (Debian bookworm ships 20.10, API 1.41), so
# that dockaudit is tested against both ends of the API range it supports.
#
#   bash scripts/second-engine.sh start [DIR]   # prints the socket URL on its last line
#   bash scripts/second-engine.sh stop  [DIR]
#
# `start` downloads Debian unstable's docker.io and containerd packages once (no install: `apt-get
# download` with a private package list, then `dpkg -x`, into $DOCKAUDIT_ENGINE_CACHE, default
# /var/tmp/dockaudit-engine-cache), and runs that dockerd with its own data root, exec root, pid file,
# unix socket and bridge under DIR, no iptables changes, and an empty daemon.json, so it shares nothing
# with the machine's engine but the kernel and the system's runc (unstable's runc needs a newer glibc
# than bookworm has). `stop` stops it and removes its bridge and its state. Several can run at once
# with different DIRs: the bridge name and subnet are derived from DIR. DIR defaults to
# /tmp/da-engine (keep it short: containerd's socket paths under it must fit in 108 bytes).
#
# Never start a test dockerd with --bridge=none: dockerd then deletes the host's docker0 at start-up.
set -euo pipefail

cmd=${1:?usage: second-engine.sh start|stop [DIR]}
dir=${2:-/tmp/da-engine}
cache=${DOCKAUDIT_ENGINE_CACHE:-/var/tmp/dockaudit-engine-cache}
sum=$(printf '%s' "$dir" | cksum | cut -d' ' -f1)
bridge="da$(printf '%08x' "$sum" | cut -c1-8)"
bridge_cidr="172.29.$((sum % 250)).1/24"
socket="$dir/docker.sock"

stop() {
    if [[ -f $dir/dockerd.pid ]]; then
        pid=$(cat "$dir/dockerd.pid")
        if kill -0 "$pid" 2>/dev/null; then
            kill "$pid"
            for _ in $(seq 30); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
        fi
        rm -f "$dir/dockerd.pid"
    fi
    if ip link show "$bridge" >/dev/null 2>&1; then ip link delete "$bridge"; fi
    # Its state goes with it, so every start is a fresh engine: unmount what it left, then remove.
    awk -v d="$dir/" 'index($2, d) == 1 {print $2}' /proc/mounts | sort -r | xargs -r umount -l
    rm -rf "$dir/data" "$dir/exec"
}

fetch() {
    local apt="$cache/apt"
    mkdir -p "$apt/lists/partial" "$apt/cache/archives/partial" "$cache/pkgs"
    echo "deb http://deb.debian.org/debian sid main" >"$apt/sources.list"
    local opts=(-o "Dir::Etc::sourcelist=$apt/sources.list" -o "Dir::Etc::sourceparts=/dev/null"
        -o "Dir::State::Lists=$apt/lists" -o "Dir::Cache=$apt/cache" -o "APT::Sandbox::User=root")
    apt-get -qq "${opts[@]}" update
    (cd "$cache/pkgs" && apt-get -qq "${opts[@]}" download docker.io containerd)
    rm -rf "$cache/root.new"
    for deb in "$cache"/pkgs/*.deb; do dpkg -x "$deb" "$cache/root.new"; done
    mv "$cache/root.new" "$cache/root"
}

start() {
    mkdir -p "$dir" "$cache"
    # One fetch at a time, however many engines start at once.
    (
        flock 9
        if [[ ! -x $cache/root/usr/sbin/dockerd ]]; then fetch >&2; fi
    ) 9>"$cache/.lock"
    mkdir -p "$dir/bin" "$dir/data" "$dir/exec"
    for b in usr/sbin/dockerd usr/sbin/docker-proxy usr/bin/containerd usr/bin/containerd-shim-runc-v2 usr/bin/docker-init; do
        ln -sf "$cache/root/$b" "$dir/bin/"
    done
    echo '{}' >"$dir/daemon.json"
    if ! ip link show "$bridge" >/dev/null 2>&1; then
        ip link add "$bridge" type bridge
        ip addr add "$bridge_cidr" dev "$bridge"
        ip link set "$bridge" up
    fi
    PATH="$dir/bin:$PATH" nohup dockerd --config-file "$dir/daemon.json" \
        --data-root "$dir/data" --exec-root "$dir/exec" --pidfile "$dir/dockerd.pid" \
        -H "unix://$socket" --bridge "$bridge" --iptables=false --ip6tables=false \
        >"$dir/dockerd.log" 2>&1 </dev/null &
    for _ in $(seq 60); do
        if docker -H "unix://$socket" info >/dev/null 2>&1; then
            docker -H "unix://$socket" version -f 'second engine: {{.Server.Version}} (API {{.Server.APIVersion}})' >&2
            echo "unix://$socket"
            return 0
        fi
        sleep 1
    done
    echo "the second engine did not answer within 60 s; last lines of $dir/dockerd.log:" >&2
    tail -n 20 "$dir/dockerd.log" >&2 || true
    stop
    return 1
}

case $cmd in
start) start ;;
stop) stop ;;
*) echo "usage: second-engine.sh start|stop [DIR]" >&2; exit 2 ;;
esac
