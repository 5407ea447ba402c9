#!/usr/bin/env bash
# `drconsole status --json` on the scale topology (assets/lab/scale.toml: 20 groups, 1,000
# servers, 3,000+ volumes a site) as a whole process: wall time and peak RSS of each of RUNS runs
# (default 5) with /usr/bin/time -v, then the median wall and the largest RSS. The lab runs in its
# own process at LATENCY_MS a call (default 20, the lab's default). Goal: < 1 s and < 50 MB.
# Usage: benches/status_scale.sh [RUNS]
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
runs="${1:-5}"
latency="${LATENCY_MS:-20}"
(cd "$repo" && cargo build --release --quiet)
bin="$repo/target/release/drconsole"
work="$(mktemp -d)"
lab_pid=""
trap '[ -z "$lab_pid" ] || { kill "$lab_pid" 2>/dev/null; wait "$lab_pid" 2>/dev/null || true; }; rm -rf "$work"' EXIT

"$bin" lab serve --dir "$work/lab" --topology "$repo/assets/lab/scale.toml" \
  --latency-ms "$latency" >"$work/lab.log" 2>&1 &
lab_pid=$!
until grep -q "^lab site site-b" "$work/lab.log" 2>/dev/null; do
  kill -0 "$lab_pid" 2>/dev/null || { cat "$work/lab.log" >&2; exit 1; }
  sleep 0.1
done
export DRCONSOLE_DATA_DIR="$work/data"
status() { "$bin" --config "$work/lab/drconsole.toml" status --json; }
status >"$work/first.json"  # the first run makes the journal
groups=$(grep -c '"current_primary"' "$work/first.json" || true)
: >"$work/runs"
for i in $(seq "$runs"); do
  /usr/bin/time -v "$bin" --config "$work/lab/drconsole.toml" status --json \
    >/dev/null 2>"$work/time"
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,t,":"); s=0; for(i=1;i<=n;i++) s=s*60+t[i]; print s}' "$work/time")
  rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$work/time")
  cpu=$(awk -F': ' '/User time/ {u=$2} /System time/ {s=$2} END {print u+s}' "$work/time")
  echo "$wall $rss $cpu" >>"$work/runs"
done
echo "status --json on the scale topology ($groups groups), lab at $latency ms a call, $runs runs:"
awk '{printf "  run %d: wall %.2f s, peak RSS %.1f MB, CPU %.2f s\n", NR, $1, $2/1024, $3}' "$work/runs"
sort -n "$work/runs" | awk '{w[NR]=$1; if ($2>r) r=$2} END {printf "  median wall %.2f s, largest peak RSS %.1f MB (goal < 1 s, < 50 MB)\n", w[int((NR+1)/2)], r/1024}'
