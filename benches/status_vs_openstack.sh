#!/usr/bin/env bash
# `drconsole status` (both sites, both arrays, every group) against `openstack server list` (one
# site) on the same lab, as whole processes, alternating, median of RUNS each (default 7), and
# the ratio; then the round trips on status's critical path, read off a lab whose every call
# takes 200 ms. Needs the clients' venv (.ci/contract/run makes it) or `openstack` on PATH.
# Usage: benches/status_vs_openstack.sh [RUNS]
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
runs="${1:-7}"
key="$(sha256sum "$repo/.ci/contract/requirements.txt" | cut -c1-16)"
venv="${DRCONSOLE_CI_CACHE:-$HOME/.cache/drconsole-ci}/venv-$key"
[ -x "$venv/bin/openstack" ] && export PATH="$venv/bin:$PATH"
command -v openstack >/dev/null || { echo "no openstack client: run .ci/contract/run first" >&2; exit 2; }
(cd "$repo" && cargo build --release --quiet)
bin="$repo/target/release/drconsole"
work="$(mktemp -d)"
lab_pid=""
stop_lab() { [ -z "$lab_pid" ] || { kill "$lab_pid" 2>/dev/null; wait "$lab_pid" 2>/dev/null || true; }; lab_pid=""; }
trap 'stop_lab; rm -rf "$work"' EXIT

start_lab() { # latency_ms
  stop_lab
  rm -rf "$work/lab"
  "$bin" lab serve --dir "$work/lab" --latency-ms "$1" >"$work/lab.log" 2>&1 &
  lab_pid=$!
  until grep -q "^lab site site-b" "$work/lab.log" 2>/dev/null; do sleep 0.1; done
}

# Wall time of one command in milliseconds (its output discarded; a failure stops the bench).
ms() {
  local t0 t1
  t0=$(date +%s%N)
  "$@" >/dev/null 2>"$work/err" || { cat "$work/err" >&2; exit 1; }
  t1=$(date +%s%N)
  echo $(((t1 - t0) / 1000000))
}

median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : int((a[NR/2]+a[NR/2+1])/2)}'; }

export OS_CLIENT_CONFIG_FILE="$work/lab/clouds.yaml" DRCONSOLE_DATA_DIR="$work/data"
status() { "$bin" --config "$work/lab/drconsole.toml" status; }
server_list() { openstack --os-cloud lab-site-a server list; }

start_lab 20
status >/dev/null && server_list >/dev/null   # warm caches (bytecode, first journal)
: >"$work/s"; : >"$work/o"
for i in $(seq "$runs"); do
  ms status >>"$work/s"
  ms server_list >>"$work/o"
done
s=$(median <"$work/s"); o=$(median <"$work/o")
echo "lab latency 20 ms a call, $runs runs each, alternating:"
echo "  drconsole status (2 sites, 2 arrays, 3 groups): median $s ms  [$(tr '\n' ' ' <"$work/s")]"
echo "  openstack server list (1 site):                 median $o ms  [$(tr '\n' ' ' <"$work/o")]"
awk -v s="$s" -v o="$o" 'BEGIN {printf "  ratio: status is %.1fx faster (goal >= 10x)\n", o / s}'

start_lab 200
: >"$work/s"
for i in 1 2 3; do ms status >>"$work/s"; done
s=$(median <"$work/s")
echo "lab latency 200 ms a call: drconsole status median $s ms [$(tr '\n' ' ' <"$work/s")]"
awk -v s="$s" 'BEGIN {printf "  = %.1f calls of 200 ms in a row on the critical path (goal <= 3)\n", s / 200}'
