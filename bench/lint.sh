#!/usr/bin/env bash
# Lints N Compose projects and N Dockerfiles (default 1 000 each) with hyperfine, and reports the
# lint's peak memory (GNU time's maximum resident set size). Goal (issue 13): under 1 s.
#
#   bash bench/lint.sh [N]
#
# The files are the public fixtures (crates/rules/tests/fixtures/source: docker/awesome-compose and
# docker-library Dockerfiles, with their .env files), cycled to N copies of each kind, one project
# per directory, in a temporary tree removed on exit. The command is the user's:
# `dockaudit lint TREE --format json --fail-on never` (release build).
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-1000}
command -v hyperfine >/dev/null || { apt-get update -qq && apt-get install -y -qq hyperfine >/dev/null; }
[[ -x /usr/bin/time ]] || { apt-get update -qq && apt-get install -y -qq time >/dev/null; }
bin=target/release/dockaudit
[[ -x $bin ]] || cargo build --release -p dockaudit
tree=$(mktemp -d /tmp/da-lint-bench.XXXXXX)
trap 'rm -rf "$tree"' EXIT
src=crates/rules/tests/fixtures/source
mapfile -t composes < <(find "$src" \( -name 'compose.y*ml' -o -name 'docker-compose.y*ml' \) | sort)
mapfile -t dockerfiles < <(find "$src" -name Dockerfile | sort)
for i in $(seq 0 $((n - 1))); do
  c=${composes[$((i % ${#composes[@]}))]}
  mkdir -p "$tree/compose/$i" "$tree/docker/$i"
  cp "$c" "$tree/compose/$i/compose.yaml"
  if [[ -f $(dirname "$c")/.env ]]; then cp "$(dirname "$c")/.env" "$tree/compose/$i/.env"; fi
  cp "${dockerfiles[$((i % ${#dockerfiles[@]}))]}" "$tree/docker/$i/Dockerfile"
done
echo "tree: $(find "$tree" -name 'compose.yaml' | wc -l) Compose files, $(find "$tree" -name Dockerfile | wc -l) Dockerfiles, $(du -sh "$tree" | cut -f1)"
# Exit 2 would mean a file could not be read: the benchmark must lint everything.
"$bin" lint "$tree" --format json --fail-on never >"$tree.json"
echo "findings: $(grep -c '"rule"' "$tree.json") (rules and results lines), gaps: $(python3 -c "import json,sys; print(len(json.load(open(sys.argv[1]))['gaps']))" "$tree.json")"
rm -f "$tree.json"
hyperfine --warmup 2 --runs 10 "$bin lint $tree --format json --fail-on never >/dev/null"
/usr/bin/time -f 'peak RSS: %M KiB, %e s' "$bin" lint "$tree" --format json --fail-on never >/dev/null
