#!/usr/bin/env bash
# Benchmarks of `dockaudit watch` (issue 11), against the engine DOCKER_HOST names (a unix socket),
# else /var/run/docker.sock:
#
#   1. latency: the time from `docker run -d …` (no memory limit) returning to its RES001 finding
#      on /metrics (goal < 200 ms), RUNS times (default 20): min, median, p90, max;
#   2. memory: the watcher's resident set (VmRSS) every 2 000 engine events up to EVENTS (default
#      10 000), the events made by pausing and unpausing one container (each is an event that makes
#      the watcher re-read that container and re-judge): goal flat.
#
#   bash bench/watch.sh [RUNS] [EVENTS]
#
# The watcher is filtered to this run's label (--label dockaudit.bench=TAG), so other containers on
# the engine are audited at the full audit but judged only if labelled. The binary is
# target/${PROFILE:-release}/dockaudit (PROFILE=debug to use a debug build). Everything created
# carries dockaudit.test=1 and dockaudit.bench=TAG and is removed on exit, even on failure.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-20}
events=${2:-10000}
profile=${PROFILE:-release}
tag="benchwatch$$"
bin="target/$profile/dockaudit"
[[ -x $bin ]] || cargo build --profile "$( [[ $profile == debug ]] && echo dev || echo "$profile")" -p dockaudit --bin dockaudit
work=$(mktemp -d)
watch_pid=""

cleanup() {
    [[ -n $watch_pid ]] && kill "$watch_pid" 2>/dev/null || true
    ids=$(docker ps -aq --filter "label=dockaudit.bench=$tag")
    # shellcheck disable=SC2086
    [[ -n $ids ]] && docker rm -f $ids >/dev/null
    docker rmi -f "$tag-img:1" >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT

busybox=$(command -v busybox)
mkdir -p "$work/rootfs/bin"
cp "$busybox" "$work/rootfs/bin/busybox"
for a in sh sleep; do ln -s busybox "$work/rootfs/bin/$a"; done
tar -C "$work/rootfs" -cf - . | docker import -c "LABEL dockaudit.test=1" -c "LABEL dockaudit.bench=$tag" - "$tag-img:1" >/dev/null

"$bin" watch --listen 127.0.0.1:0 --label "dockaudit.bench=$tag" --no-image-scan --interval 1h \
    2>"$work/stderr" &
watch_pid=$!
for _ in $(seq 600); do
    addr=$(sed -n 's/.*listening on http:\/\///p' "$work/stderr" | head -n1)
    [[ -n $addr ]] && curl -fs "http://$addr/healthz" >/dev/null 2>&1 && break
    sleep 0.1
done
[[ -n $addr ]] || { cat "$work/stderr" >&2; exit 1; }
echo "watch: $bin, pid $watch_pid, http://$addr; engine $(docker version -f '{{.Server.Version}}')"

python3 - "$addr" "$tag" "$runs" "$events" "$watch_pid" <<'PY'
import http.client, json, os, socket, statistics, subprocess, sys, time
addr, tag, runs, events, pid = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
host, port = addr.rsplit(":", 1)

def metrics():
    c = http.client.HTTPConnection(host, int(port), timeout=30)
    c.request("GET", "/metrics")
    body = c.getresponse().read().decode()
    c.close()
    return body

def rss_kib():
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1])

def run(*args):
    return subprocess.run(["docker", *args], check=True, capture_output=True, text=True).stdout.strip()

latencies = []
for i in range(runs):
    name = f"{tag}-lat{i}"
    run("run", "-d", "--name", name, "--label", "dockaudit.test=1", "--label", f"dockaudit.bench={tag}",
        f"{tag}-img:1", "sleep", "600")
    returned = time.monotonic()
    needle = f'target="{name}"'
    while True:
        m = metrics()
        if any(l.startswith("dockaudit_finding{") and 'rule="RES001"' in l and needle in l for l in m.splitlines()):
            break
        if time.monotonic() - returned > 30:
            sys.exit(f"{name}: no finding after 30 s")
        time.sleep(0.002)
    latencies.append((time.monotonic() - returned) * 1000)
    run("rm", "-f", name)
latencies.sort()
p90 = latencies[min(len(latencies) - 1, int(round(0.9 * (len(latencies) - 1))))]
print(f"latency docker run -> /metrics over {runs} runs: min {latencies[0]:.0f} ms, median "
      f"{statistics.median(latencies):.0f} ms, p90 {p90:.0f} ms, max {latencies[-1]:.0f} ms")

# Events: pause/unpause one container through the API (a raw unix-socket client: the CLI would be
# the bottleneck).
name = f"{tag}-mem"
cid = run("run", "-d", "--name", name, "--label", "dockaudit.test=1", "--label", f"dockaudit.bench={tag}",
          f"{tag}-img:1", "sleep", "3600")
sock_path = os.environ.get("DOCKER_HOST", "unix:///var/run/docker.sock").removeprefix("unix://")
def post(path):
    s = socket.socket(socket.AF_UNIX); s.connect(sock_path)
    s.sendall(f"POST {path} HTTP/1.1\r\nHost: d\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".encode())
    while s.recv(65536): pass
    s.close()
def seen():
    for l in metrics().splitlines():
        if l.startswith("dockaudit_engine_events_total "):
            return int(float(l.split()[1]))
    return 0
time.sleep(1)
base = seen()
print(f"memory: VmRSS {rss_kib()} KiB after the first audit and {base} events")
step = 2000
done = 0
start = time.monotonic()
while done < events:
    for _ in range(step // 2):
        post(f"/containers/{cid}/pause"); post(f"/containers/{cid}/unpause")
    done += step
    while seen() < base + done:
        time.sleep(0.05)
    time.sleep(0.5)  # let the last re-judgement finish
    print(f"memory: VmRSS {rss_kib()} KiB after {done} more events ({time.monotonic()-start:.0f} s)")
PY
