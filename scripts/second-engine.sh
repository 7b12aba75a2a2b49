#!/usr/bin/env bash
# A second, current Docker Engine beside the machine's own (Debian bookworm ships 20.10, API 1.41), so
# that dockaudit is tested against both ends of the API range it supports.
#
#   bash scripts/second-engine.sh start [DIR]   # prints the socket URL on its last line
#   bash scripts/second-engine.sh stop  [DIR]
#
# `start` downloads Debian unstable's docker.io and containerd packages (no install: `apt-get download`
# with a private package list under DIR, then `dpkg -x`), and runs that dockerd with its own data
# root, exec root, pid file, unix socket and bridge, no iptables changes, and an empty daemon.json,
# so it shares nothing with the machine's engine but the kernel and the system's runc (unstable's runc
# needs a newer glibc than bookworm has). `stop` stops it and removes its bridge and its state; the
# package cache stays in DIR for the next start. DIR defaults to /tmp/da-engine (kept short: containerd's socket
# paths under it must fit in 108 bytes).
set -euo pipefail

cmd=${1:?usage: second-engine.sh start|stop [DIR]}
dir=${2:-/tmp/da-engine}
bridge=dockaudit-br0
bridge_cidr=172.29.255.1/24
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
    local apt="$dir/apt"
    mkdir -p "$apt/lists/partial" "$apt/cache/archives/partial" "$dir/pkgs"
    echo "deb http://deb.debian.org/debian sid main" >"$apt/sources.list"
    local opts=(-o "Dir::Etc::sourcelist=$apt/sources.list" -o "Dir::Etc::sourceparts=/dev/null"
        -o "Dir::State::Lists=$apt/lists" -o "Dir::Cache=$apt/cache" -o "APT::Sandbox::User=root")
    apt-get -qq "${opts[@]}" update
    (cd "$dir/pkgs" && apt-get -qq "${opts[@]}" download docker.io containerd)
    rm -rf "$dir/root"
    for deb in "$dir"/pkgs/*.deb; do dpkg -x "$deb" "$dir/root"; done
}

start() {
    mkdir -p "$dir"
    if [[ ! -x $dir/root/usr/sbin/dockerd ]]; then fetch >&2; fi
    mkdir -p "$dir/bin" "$dir/data" "$dir/exec"
    for b in usr/sbin/dockerd usr/sbin/docker-proxy usr/bin/containerd usr/bin/containerd-shim-runc-v2 usr/bin/docker-init; do
        ln -sf "$dir/root/$b" "$dir/bin/"
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
