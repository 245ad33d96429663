#!/usr/bin/env bash
# tmux smoke tests of the full-screen console against a real broker: it
# starts, shows the systems within 2 s, survives a resize from 120x40 to
# 80x24, quits with q and leaves the terminal as it found it; and it sleeps
# when nothing arrives (main-thread wake-ups counted over 5 s).
#
# Data: drivr-sim when it is built (build/drivr-sim), else the screen tests'
# fleet published as retained messages.  A private tmux server (its own
# socket in the test's temp dir) is killed at the end.
set -u
cd "$(dirname "$0")/../.."
. tests/integration/lib.sh

CONSOLE=$(pwd)/${BUILD:-build}/drivr-console
SIM=$(pwd)/${BUILD:-build}/drivr-sim
[ -x "$CONSOLE" ] || { echo "missing $CONSOLE (run make)"; exit 1; }
for tool in tmux mosquitto mosquitto_pub python3; do
	command -v "$tool" >/dev/null 2>&1 || { echo "test_tui: $tool is missing (make deps)" >&2; exit 1; }
done

broker_start || { echo "broker did not start"; exit 1; }

# --- data ------------------------------------------------------------------
if [ -x "$SIM" ]; then
	SLUG=demo
	it_spawn sim "$SIM" -h 127.0.0.1 -p "$BROKER_PORT" -s "$SLUG" --systems 3 --rate 5 --seed 7
	it_ok "data: drivr-sim (pid $IT_PID)"
else
	SLUG=acme
	python3 - "$BROKER_PORT" <<'PY' || it_fail "publish the fleet"
import json, subprocess, sys
for line in open("tests/screen/fleet.json"):
    o = json.loads(line)
    if "payload" in o and o.get("retained"):
        subprocess.run(["timeout", "10", "mosquitto_pub", "-h", "127.0.0.1", "-p", sys.argv[1],
                        "-q", "1", "-r", "-t", o["topic"], "-m", json.dumps(o["payload"])],
                       check=True)
PY
	it_ok "data: the fleet fixtures, retained (drivr-sim not built)"
fi

# --- a private tmux server (lib.sh) -----------------------------------------
ENVS="TERM=xterm-256color LC_ALL=C.UTF-8 TZ=UTC"
# The pane runs a shell: terminal modes before, the console, its status and
# the modes after — so we can see the terminal was left sane (stty -g: the
# modes without the size, which the resize changes on purpose).
# Job control on (set -m), as in an interactive shell: Ctrl-Z stops the
# console (status 148), the shell records the modes it got back, and `fg`
# (once the test creates the file "fg") continues it.
cat >"$IT_TMP/pane.sh" <<EOF
set -m
stty -g >"$IT_TMP/stty.before"
env $ENVS "$CONSOLE" -h 127.0.0.1 -p $BROKER_PORT -s $SLUG --no-mouse 2>"$IT_TMP/console.err"
rc=\$?
while [ \$rc = 148 ]; do
	stty -g >"$IT_TMP/stty.stopped"
	echo CONSOLE-STOPPED
	i=0 # until the test says fg, at most 30 s
	while [ ! -e "$IT_TMP/fg" ] && [ \$i -lt 600 ]; do sleep 0.05; i=\$((i + 1)); done
	rm -f "$IT_TMP/fg"
	fg >/dev/null
	rc=\$?
done
echo "CONSOLE-EXIT=\$rc"
stty -g >"$IT_TMP/stty.after"
echo PROMPT-BACK
exec sleep 120
EOF
it_tmux_open tui 120 40 "$IT_TMP/pane.sh" || { it_fail "tmux starts"; it_summary; exit 1; }
SOCK=$IT_TMUX_SOCK

start=$(date +%s.%N)
if wait_screen '^Systems .* [1-9][0-9]* rows' 2; then
	it_ok "systems shown within 2 s ($(python3 -c "import time; print(round(time.time() - $start, 2))") s)"
else
	it_fail "systems shown within 2 s"
	screen | head -8 | sed 's/^/    /'
fi
it_check "status bar: broker, TLS no, connected" wait_screen "tcp://127.0.0.1:$BROKER_PORT TLS:no +● connected" 2
it_check "key-hint bar on the last line" bash -c "tmux -S '$SOCK' -f /dev/null capture-pane -p -t tui | tail -1 | grep -q '^q Quit ? Help'"

# --- keys -----------------------------------------------------------------------
keys '?'
it_check "? opens the help of the current view" wait_screen 'Keys of Systems' 2
keys Escape
keys Enter
it_check "Enter drills into the system's components" wait_screen '^Systems › .* › Components' 2
keys Escape
it_check "Esc goes back" wait_screen '^Systems  +.*rows' 2

# --- resize 120x40 → 80x24 ---------------------------------------------------
T resize-window -t tui -x 80 -y 24
it_check "after the resize the screen is 80x24" [ "$(T display -p -t tui '#{pane_width}x#{pane_height}')" = 80x24 ]
# laid_out FILE — the screen now, saved; systems, alert pane and hints in it
laid_out() {
	screen >"$1"
	grep -Eq '^Systems .* rows' "$1" && grep -q 'Alerts' "$1" && tail -1 "$1" | grep -q '^q Quit' &&
		[ "$(wc -l <"$1")" -le 24 ]
}
it_check "after the resize: systems, alert pane and hints are laid out again" \
	wait_until 3 laid_out "$IT_TMP/small.txt"
it_check "nothing wider than 80 columns" \
	python3 -c "import sys; sys.exit(any(len(l.rstrip('\n')) > 80 for l in open('$IT_TMP/small.txt', encoding='utf-8')))"
T resize-window -t tui -x 120 -y 40
wide_status() { [ "$(screen | head -1 | wc -L)" -gt 80 ]; }
it_check "back at 120x40: the status bar drawn wider than 80" wait_until 3 wide_status
T resize-window -t tui -x 80 -y 24
it_check "still running after resizes" wait_screen '^Systems .* rows' 2

# --- Ctrl-Z and fg: the shell gets its terminal back while the console is stopped
PANE_TTY=$(T display -p -t tui '#{pane_tty}')
keys C-z
it_check "Ctrl-Z stops the console and the shell takes over" wait_screen '^CONSOLE-STOPPED' 3
it_check "while stopped the terminal has the shell's modes (stty -g = before)" \
	cmp -s "$IT_TMP/stty.before" "$IT_TMP/stty.stopped"
it_check "while stopped the console's screen is gone" bash -c "! tmux -S '$SOCK' -f /dev/null capture-pane -p -t tui | grep -q '^q Quit'"
touch "$IT_TMP/fg"
it_check "after fg the console redraws" wait_screen '^q Quit' 3
it_check "after fg the program's modes again (-icanon -echo -ixon)" \
	bash -c "stty -a -F '$PANE_TTY' | grep -Eq -- '-icanon' && stty -a -F '$PANE_TTY' | grep -Eq -- '-echo ' &&
		 stty -a -F '$PANE_TTY' | grep -Eq -- '-ixon'"

# --- quit ----------------------------------------------------------------------
keys q
it_check "q quits with status 0" wait_screen 'CONSOLE-EXIT=0' 3
it_check "the shell gets the terminal back" wait_screen 'PROMPT-BACK' 2
it_check "the pane is alive (nothing crashed the terminal)" [ "$(T display -p -t tui '#{pane_dead}')" = 0 ]
it_check "terminal modes after = before (stty -g: echo, icanon, ...)" cmp -s "$IT_TMP/stty.before" "$IT_TMP/stty.after"
it_check "nothing on stderr" [ ! -s "$IT_TMP/console.err" ]

# --- --count and --stats-file (make bench): quits by itself, writes its timings ---
T new-window -d -t tui -n count "env $ENVS '$CONSOLE' -h 127.0.0.1 -p $BROKER_PORT -s $SLUG --no-mouse \
	--count 5 --stats-file '$IT_TMP/stats.json' 2>'$IT_TMP/count.err'; echo \$? >'$IT_TMP/count.rc'; exec sleep 60"
it_check "--count 5: the console quits by itself" wait_until 5 test -s "$IT_TMP/count.rc"
it_check "... with status 0" [ "$(cat "$IT_TMP/count.rc" 2>/dev/null)" = 0 ]
it_check "--stats-file: messages, frames, ordered monotonic times, keys" python3 - "$IT_TMP/stats.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
assert s["messages"] == 5 and s["frames"] >= 1 and s["frameSeconds"] >= 0, s
t = [s[k] for k in ("started", "connected", "firstMessage", "lastMessage", "exited")]
assert all(isinstance(x, float) for x in t) and t == sorted(t), t
assert isinstance(s["keys"], list), s
PY
it_check "--count run: nothing on stderr" [ ! -s "$IT_TMP/count.err" ]

# --- any terminal: TERM=dumb refused, a TERM without terminfo entry falls back ---
T new-window -d -t tui -n dumb "env $ENVS TERM=dumb '$CONSOLE' -h 127.0.0.1 -p $BROKER_PORT -s $SLUG \
	--no-mouse 2>'$IT_TMP/dumb.err'; echo \$? >'$IT_TMP/dumb.rc'; exec sleep 60"
for _ in $(seq 1 100); do
	[ -s "$IT_TMP/dumb.rc" ] && break
	sleep 0.05
done
it_check "TERM=dumb: exit 2 at once (no blank screen left running)" [ "$(cat "$IT_TMP/dumb.rc" 2>/dev/null)" = 2 ]
it_check "TERM=dumb: one line pointing to --log / --snapshot" \
	bash -c "[ \$(grep -c . '$IT_TMP/dumb.err') -eq 1 ] && grep -q 'TERM=dumb cannot move the cursor.*--log or --snapshot' '$IT_TMP/dumb.err'"
T new-window -d -t tui -n fallback "env $ENVS TERM=xterm-nonexistent-42 '$CONSOLE' -h 127.0.0.1 -p $BROKER_PORT \
	-s $SLUG --no-mouse 2>'$IT_TMP/fallback.err'; echo \$? >'$IT_TMP/fallback.rc'; exec sleep 60"
fallback_shows() {
	local i
	for i in $(seq 1 40); do
		T capture-pane -p -t tui:fallback | grep -Eq "$1" && return 0
		sleep 0.05
	done
	return 1
}
it_check "unknown TERM: the console runs, drawn as xterm" fallback_shows '^Systems .* [1-9][0-9]* rows'
it_check "unknown TERM: the hint bar says which entry draws" \
	fallback_shows 'TERM=xterm-nonexistent-42 has no terminfo entry here: drawing as xterm'
T send-keys -t tui:fallback q
for _ in $(seq 1 60); do
	[ -s "$IT_TMP/fallback.rc" ] && break
	sleep 0.05
done
it_check "unknown TERM: q quits with status 0" [ "$(cat "$IT_TMP/fallback.rc" 2>/dev/null)" = 0 ]
it_check "unknown TERM: the same notice on stderr (seen after the screen is gone)" \
	grep -q 'drivr-console: TERM=xterm-nonexistent-42 has no terminfo entry here: drawing as xterm' "$IT_TMP/fallback.err"

# --- idle: connected, no traffic ------------------------------------------------
# A slug nobody publishes on; the pane runs the console itself (pane_pid).
T new-window -d -t tui -n idle "exec env $ENVS '$CONSOLE' -h 127.0.0.1 -p $BROKER_PORT -s quiet-$$"
IDLE_PID=$(T display -p -t tui:idle '#{pane_pid}')
IT_TMUX_SESSION=tui:idle
# Quiet: connected, the (empty) load over, the rate back at 0 msg/s — the
# frames that follow the connection are done.
it_check "idle: connected, nothing for the slug, 0 msg/s" wait_screen '● connected .*nothing for slug.* 0 msg/s' 5
ctx() { awk '/^voluntary_ctxt_switches/ { print $2 }' "/proc/$IDLE_PID/task/$IDLE_PID/status"; }
# the last frames of the load (the rate's last tick) may still be due:
# measured once a whole second passed without a wake-up
settled() { local x; x=$(ctx); sleep 1; [ "$(ctx)" = "$x" ]; }
if [ -r "/proc/$IDLE_PID/task/$IDLE_PID/status" ]; then
	it_check "idle: the main thread settles (a second without a wake-up)" wait_until 6 settled
	a=$(ctx)
	sleep 5 # the measurement window (a span of time is what is tested)
	b=$(ctx)
	wakeups=$((b - a))
	echo "    main-thread wake-ups in 5 s idle: $wakeups"
	it_check "idle: at most 2 wake-ups of the main thread in 5 s (got $wakeups)" [ "$wakeups" -le 2 ]
else
	it_fail "idle: cannot read /proc/$IDLE_PID"
fi

# --- the broker goes away and comes back: reason and countdown in the status bar ---
_idle_status_has() { screen | head -1 | grep -Eq -- "$1"; }
idle_shows() { wait_until "$2" _idle_status_has "$1"; }
broker_stop
it_check "broker stopped: the status bar says why and that it reconnects" \
	idle_shows '(○ connection lost|◐ reconnecting).*(lost|reconnect|in [0-9]+ s)' 5
T capture-pane -p -t tui:idle | head -1 | sed 's/^/    /'
broker_restart
it_check "broker back: connected again" idle_shows '● connected' 20

T kill-server 2>/dev/null
it_summary
