#!/usr/bin/env bash
# End to end: the real binary in tmux. Start the console on an in-process lab, open the failover
# dialog from the command line, confirm by typing the group's name, watch the operation complete on screen, quit with q.
# Usage: console.sh PATH/TO/drconsole   (exits non-zero with the last screen on failure)
set -euo pipefail
BIN="$1"
WORK="$(mktemp -d)"
SOCK="drconsole-e2e-$$"
trap 'tmux -L "$SOCK" kill-server 2>/dev/null || true; rm -rf "$WORK"' EXIT

screen() { tmux -L "$SOCK" capture-pane -p -t e2e; }

# Wait until the screen shows $1 (a fixed string), polling every 50 ms, for up to $2 seconds.
wait_for() {
  local want="$1" limit="${2:-20}" waited=0
  while ! screen | grep -qF -- "$want"; do
    sleep 0.05
    waited=$((waited + 1))
    if [ "$waited" -ge $((limit * 20)) ]; then
      echo "e2e: timed out waiting for: $want" >&2
      screen >&2
      exit 1
    fi
  done
}

# Wait until the screen no longer shows $1, polling every 50 ms, for up to $2 seconds.
wait_gone() {
  local gone="$1" limit="${2:-20}" waited=0
  while screen | grep -qF -- "$gone"; do
    sleep 0.05
    waited=$((waited + 1))
    if [ "$waited" -ge $((limit * 20)) ]; then
      echo "e2e: timed out waiting for this to go: $gone" >&2
      screen >&2
      exit 1
    fi
  done
}

tmux -L "$SOCK" -f /dev/null new-session -d -x 120 -y 40 -s e2e
tmux -L "$SOCK" set-option -t e2e remain-on-exit on
tmux -L "$SOCK" respawn-pane -k -t e2e \
  "env DRCONSOLE_DATA_DIR='$WORK' TERM=xterm-256color '$BIN' --lab; echo \"[exit \$?]\"; sleep 2"

wait_for "Protection groups" 30
wait_for "web-app" 30
# Keys show at once, not at the next background refresh (every 5 s): once the first answers are
# in, the help overlay opens and closes within a second, three times over.
wait_for "web-1" 30
for _ in 1 2 3; do
  tmux -L "$SOCK" send-keys -t e2e '?'
  wait_for "filter the focused list" 1
  tmux -L "$SOCK" send-keys -t e2e Escape
  wait_gone "filter the focused list" 1
done
tmux -L "$SOCK" send-keys -t e2e ':'
wait_for ":"
tmux -L "$SOCK" send-keys -t e2e -l 'failover web-app'
tmux -L "$SOCK" send-keys -t e2e Enter
wait_for "Preconditions" 20
wait_for "flavors mapped" 20
tmux -L "$SOCK" send-keys -t e2e Enter
wait_for "Type the group's name" 10
tmux -L "$SOCK" send-keys -t e2e -l 'web-app'
wait_for "[ Enter: start ]  " 10
tmux -L "$SOCK" send-keys -t e2e Enter
wait_for "completed" 90
tmux -L "$SOCK" send-keys -t e2e q
wait_for "[exit 0]" 20
echo "e2e: console failover completed and quit cleanly"
