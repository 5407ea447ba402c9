#!/usr/bin/env bash
# End to end: the real binary in tmux on a fresh data dir, driven from the keyboard only. Start
# the console on an in-process lab, read the help, run a drill of web-app (t, the checklist, y),
# read the card it leaves and the report it announces, dismiss it, clean the drill up
# (:cleanup web-app), read the drill's report again (now with its cleanup), quit with q. The
# report files must be where the console said, with the RTO and the data-loss window the journal
# holds (read from the SQLite journal here, not through drconsole).
# Usage: console.sh PATH/TO/drconsole   (exits non-zero with the last screen on failure)
set -euo pipefail
BIN="$1"
WORK="$(mktemp -d)"
SOCK="drconsole-e2e-$$"
trap 'tmux -L "$SOCK" kill-server 2>/dev/null || true; rm -rf "$WORK"' EXIT

screen() { tmux -L "$SOCK" capture-pane -p -t e2e; }
keys() { tmux -L "$SOCK" send-keys -t e2e "$@"; }

fail() {
  echo "e2e: $1" >&2
  screen >&2
  exit 1
}

# Wait until the screen shows $1 (a fixed string), polling every 50 ms, for up to $2 seconds.
wait_for() {
  local want="$1" limit="${2:-20}" waited=0
  while ! screen | grep -qF -- "$want"; do
    sleep 0.05
    waited=$((waited + 1))
    [ "$waited" -lt $((limit * 20)) ] || fail "timed out waiting for: $want"
  done
}

# Wait until the screen no longer shows $1, polling every 50 ms, for up to $2 seconds.
wait_gone() {
  local gone="$1" limit="${2:-20}" waited=0
  while screen | grep -qF -- "$gone"; do
    sleep 0.05
    waited=$((waited + 1))
    [ "$waited" -lt $((limit * 20)) ] || fail "timed out waiting for this to go: $gone"
  done
}

# The report path the card announces ("Report: PATH"), checked to be in the fresh data dir.
announced() {
  local path
  path=$(screen | grep -oE 'Report: [^ │┃]+\.md' | head -1 | sed 's/^Report: //')
  [ -n "$path" ] || fail "no report announced on the card"
  case "$path" in
    "$WORK"/reports/*.md) ;;
    *) fail "the report $path is not under the data dir $WORK" ;;
  esac
  [ -s "$path" ] || fail "the announced report $path does not exist"
  [ -s "${path%.md}.html" ] || fail "the HTML report beside $path does not exist"
  echo "$path"
}

# RTO (start to the last wait_active) and data-loss window of the newest drill, read from the
# journal, as the report writes them (human_seconds).
journal_figures() {
  python3 - "$WORK/lab/journal.sqlite" <<'PY'
import json, sqlite3, sys
from datetime import datetime
db = sqlite3.connect(sys.argv[1])
def t(v):
    return datetime.fromisoformat(str(v).replace("Z", "+00:00"))
def human(s):
    s = max(0, int(s))
    if s < 60: return f"{s} s"
    if s < 3600: return f"{s // 60} m" if s % 60 == 0 else f"{s // 60} m {s % 60} s"
    m = (s % 3600) // 60
    return f"{s // 3600} h" if m == 0 else f"{s // 3600} h {m} m"
op, started = db.execute(
    "SELECT id, started_at FROM operations WHERE operation_type = 'test_failover' "
    "ORDER BY seq DESC LIMIT 1").fetchone()
ends = [t(f) for (f,) in db.execute(
    "SELECT finished_at FROM steps WHERE operation_id = ? AND step_id LIKE 'wait_active%' "
    "AND status = 'succeeded'", (op,))]
(out,) = db.execute(
    "SELECT output FROM steps WHERE operation_id = ? AND step_id = 'select_snapshot'",
    (op,)).fetchone()
rto = int((max(ends) - t(started)).total_seconds())
print(op)
print(human(rto))
print(human(json.loads(out)["data_loss_seconds"]))
PY
}

tmux -L "$SOCK" -f /dev/null new-session -d -x 120 -y 40 -s e2e
tmux -L "$SOCK" set-option -t e2e remain-on-exit on
tmux -L "$SOCK" respawn-pane -k -t e2e \
  "env DRCONSOLE_DATA_DIR='$WORK' TERM=xterm-256color '$BIN' --lab; echo \"[exit \$?]\"; sleep 2"

wait_for "Protection groups" 30
wait_for "web-app" 30
# Keys show at once, not at the next background refresh: once the first answers are in, the
# help opens (with how to run a drill first) and closes within a second, three times over.
wait_for "web-1" 30
for _ in 1 2 3; do
  keys '?'
  wait_for "Run a drill" 1
  keys Escape
  wait_gone "Run a drill" 1
done

# The drill: t on the selected group (web-app), the checklist, y.
keys t
wait_for "Preconditions" 20
wait_for "flavors mapped" 20
keys Enter
wait_for "Start Test Failover of web-app? (y/N)" 10
keys y
wait_for "Test Failover of web-app: completed" 120
wait_for "Report: " 20
REPORT=$(announced)
FIG=$(journal_figures)
OP=$(echo "$FIG" | sed -n 1p)
RTO=$(echo "$FIG" | sed -n 2p)
LOSS=$(echo "$FIG" | sed -n 3p)
case "$REPORT" in */"$OP".md) ;; *) fail "the report $REPORT is not the drill $OP's" ;; esac
grep -qF "| Achieved RTO | $RTO from start to the last server ACTIVE" "$REPORT" ||
  fail "the report does not give the journal's RTO ($RTO): $(grep 'Achieved RTO' "$REPORT")"
grep -qF "| Data-loss window | $LOSS (RPO target" "$REPORT" ||
  fail "the report does not give the journal's data loss ($LOSS): $(grep 'Data-loss' "$REPORT")"
grep -qF "not cleaned up yet" "$REPORT" || fail "a drill's first report says it is not cleaned up"
screen | grep -qF "RTO: $RTO to the last server ACTIVE" || fail "the card does not show the RTO $RTO"
keys Escape
wait_gone "Enter open the operation" 5

# The cleanup, from the command line; the drill's report is written again, with the cleanup.
keys Escape
wait_for "Protection groups" 5
wait_for "◇ test_active" 10
keys ':'
keys -l 'cleanup web-app'
keys Enter
wait_for "Preconditions" 20
wait_for "✓ target site reachable" 20
keys Enter
wait_for "Start Test Cleanup of web-app? (y/N)" 10
keys y
wait_for "removed 3 servers, 3 ports, 3 volumes" 120
wait_for "Drill to the end of its cleanup" 120
AGAIN=$(announced)
[ "$AGAIN" = "$REPORT" ] || fail "the cleanup announced $AGAIN, not the drill's report $REPORT"
grep -qF "to the end of its cleanup" "$REPORT" || fail "the drill's report lacks its cleanup"
grep -qF "| Achieved RTO | $RTO from start" "$REPORT" || fail "the RTO changed with the cleanup"
keys Escape
wait_gone "Enter open the operation" 5
keys Escape
keys q
wait_for "[exit 0]" 20
echo "e2e: drill $OP (RTO $RTO, data loss $LOSS) and its cleanup from the keyboard; report $REPORT"
