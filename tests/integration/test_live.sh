#!/usr/bin/env bash
# Live watching in the full-screen console, against a real mosquitto and
# drivr-sim, in a private tmux (docs/ui.md, "Live watching"):
#   p pauses the view (the status bar counts what waits) and resumes;
#   y copies the selected system's uuid with OSC 52 — tmux, with
#     set-clipboard on, puts it in its paste buffer (show-buffer);
#   w writes the view as CSV into $XDG_STATE_HOME/drivr-console (0700, the
#     file 0600): Python's csv module reads back the rows the view shows;
#   the inspector of a series follows new samples until scrolled up;
#   --bell rings (tmux's bell flag) and flashes on a new ERROR event;
#   Ctrl-C with nothing pending quits at once (exit 0).
# Every process started here is stopped on exit (lib.sh); only 127.0.0.1.
set -u
cd "$(dirname "$0")/../.."
. tests/integration/lib.sh

BUILD=${BUILD:-build}
SIM=$(pwd)/$BUILD/drivr-sim
CONSOLE=$(pwd)/$BUILD/drivr-console
for f in "$SIM" "$CONSOLE"; do [ -x "$f" ] || { echo "missing $f (run make)"; exit 1; }; done
for tool in mosquitto tmux python3; do
	command -v "$tool" >/dev/null || { echo "test_live: $tool is missing (make deps)"; exit 1; }
done

SLUG=livetest
STATE="$IT_TMP/state"
broker_start || { echo "broker did not start"; exit 1; }
PLAIN=$(broker_plain_args)
it_spawn sim "$SIM" $PLAIN -s "$SLUG" --seed 7 --rate 20 --event-interval 1
it_check "drivr-sim ready" wait_for "$IT_TMP/sim.out" "drivr-sim: ready" 15

timeout 15 "$CONSOLE" $PLAIN -s "$SLUG" --snapshot --settle 0.3 --timeout 3 >"$IT_TMP/world.json" 2>/dev/null
read -r SYS SYS_NAME <<<"$(python3 -c '
import json, sys
s = json.load(open(sys.argv[1]))["systems"][0]
print(s["uuid"], s["name"])' "$IT_TMP/world.json")"
[ -n "${SYS_NAME:-}" ] || { it_fail "a system from the snapshot"; it_summary; exit 1; }

mkdir -p "$IT_TMP/cwd"
cat >"$IT_TMP/pane.sh" <<EOF
cd "$IT_TMP/cwd"
env TERM=xterm-256color LC_ALL=C.UTF-8 TZ=UTC XDG_STATE_HOME="$STATE" \
	"$CONSOLE" $PLAIN -s $SLUG --no-mouse --settle 0.3 --bell 2>"$IT_TMP/console.err"
echo "CONSOLE-EXIT=\$?"
exec sleep 120
EOF
# tmux takes OSC 52 into its paste buffers only with set-clipboard on
T start-server \; set -g set-clipboard on \; set -g bell-action any 2>/dev/null
it_tmux_open live 120 36 "$IT_TMP/pane.sh" || { it_fail "tmux starts"; it_summary; exit 1; }
T set -g set-clipboard on
it_check "console: connected and subscribed" wait_screen '● connected' 10

# --- y: the selected system's uuid through OSC 52 -----------------------------------
keys 1
keys / C-u "$SYS_NAME" Enter
keys y
it_check "y: a notice says what was copied" wait_screen "copied system uuid $SYS \\(OSC 52\\)" 3
it_check "y: tmux's paste buffer holds the system's uuid (OSC 52 reached the terminal)" \
	bash -c "[ \"\$(tmux -S '$IT_TMUX_SOCK' -f /dev/null show-buffer 2>/dev/null)\" = '$SYS' ]"
keys / C-u Enter

# --- p: pause and resume ---------------------------------------------------------
keys 3
keys p
it_check "p: the status bar says paused" wait_screen '⏸ paused: [0-9]+ waiting' 3
it_check "paused: the messages that arrive are counted" wait_screen '⏸ paused: [1-9][0-9]* waiting' 5
ROWS_A=$(screen | sed -n '5,12p')
sleep 1.5
ROWS_B=$(screen | sed -n '5,12p')
it_check "paused: the rows stay where they are" [ "$(echo "$ROWS_A" | cut -c1-40)" = "$(echo "$ROWS_B" | cut -c1-40)" ]

# --- w: the (paused) view as CSV ------------------------------------------------------
screen >"$IT_TMP/view.txt"
keys w
sleep 0.3
it_check "w: the prompt names the state directory" wait_screen "a bare name goes into" 3
keys C-u datapoints.csv Enter
it_check "w: the preview says what is written where" wait_screen "Datapoints: [0-9]+ rows, [0-9]+ columns" 3
keys Enter
CSV="$STATE/drivr-console/datapoints.csv"
it_check "w: a notice says where it went" wait_screen "wrote [0-9]+ rows to $CSV" 3
it_check "w: the file is 0600 in a 0700 directory, nothing in the working directory" \
	bash -c "[ \"\$(stat -c %a '$CSV')\" = 600 ] && [ \"\$(stat -c %a '$STATE/drivr-console')\" = 700 ] &&
		 [ -z \"\$(ls -A '$IT_TMP/cwd')\" ]"
it_check "w: Python's csv reads back the rows the view shows, in its order" python3 - "$CSV" "$IT_TMP/view.txt" <<'PY'
import csv, re, sys
rows = list(csv.reader(open(sys.argv[1], newline="", encoding="utf-8")))
screen = open(sys.argv[2], encoding="utf-8").read().splitlines()
header, body = rows[0], rows[1:]
m = re.search(r"(\d+) rows", screen[2])
ok = m and int(m.group(1)) == len(body) and len(body) > 0
ok = ok and header[:4] == ["system", "component", "service", "characteristic"]
# every visible row, cut at the header's column starts: each cell is the
# CSV's (or its start, where the screen cut it with …)
head = screen[3]
starts = [m.start() for m in re.finditer(r"\S+", head)]
shown = [l for l in screen[4:] if l.strip() and not l.startswith("──")][: len(body)]
for line, row in zip(shown, body):
    cells = [line[a:b].strip() for a, b in zip(starts, starts[1:] + [len(line)])]
    # the value column is right-aligned: the characteristic's cell may hold it too
    cells[3] = cells[3].split()[0] if cells[3].split() else ""
    for cell, value in zip(cells[:4], row[:4]):
        if not value.startswith(cell.rstrip("…")):
            ok = False
    if not ok:
        print("    screen:", cells, "\n    csv:   ", row)
        break
if not ok:
    print("    rows:", len(body), "screen:", screen[2])
sys.exit(0 if ok else 1)
PY
it_check "w again with the same name: refused, nothing overwritten" bash -c "
	tmux -S '$IT_TMUX_SOCK' -f /dev/null send-keys -t live w C-u datapoints.csv Enter; sleep 0.3
	tmux -S '$IT_TMUX_SOCK' -f /dev/null capture-pane -p -t live | grep -q 'exists: choose another name'"
keys Escape
keys p
it_check "p again: resumed, the waiting updates applied" wait_screen 'resumed: [0-9]+ updates? applied' 3
it_check "resumed: the status bar no longer says paused" bash -c "! tmux -S '$IT_TMUX_SOCK' -f /dev/null capture-pane -p -t live | head -1 | grep -q paused"

# --- the inspector follows a series ---------------------------------------------------
keys / C-u type:num Enter
wait_screen ' [1-9][0-9]*/[0-9]+ rows' 5
keys Enter
it_check "inspector: a series' history follows new samples" wait_screen '-- following new samples' 3
keys k
it_check "inspector: scrolling up stops following" wait_screen '-- not following: [0-9]+ lines? below \(End or F follows\)' 3
keys F
it_check "inspector: F follows again" wait_screen '-- following new samples' 3
keys Escape
keys / C-u Enter

# --- --bell: a new ERROR-level event (drivr-sim makes one every few seconds) ----------
it_check "--bell: a new ERROR event flashes the status bar" wait_screen 'new ERROR event \([0-9]+ rung\)' 60
it_check "--bell: the terminal got the bell (tmux's bell flag)" \
	bash -c "for i in \$(seq 1 100); do [ \"\$(tmux -S '$IT_TMUX_SOCK' -f /dev/null display -p -t live '#{window_bell_flag}')\" = 1 ] && exit 0; sleep 0.1; done; exit 1"

# --- Ctrl-C with nothing pending quits ---------------------------------------------------
keys C-c
it_check "Ctrl-C with nothing pending quits: exit 0" wait_screen 'CONSOLE-EXIT=0' 5
it_check "no sanitizer report" bash -c "! grep -l 'Sanitizer\|runtime error' '$IT_TMP/console.err' 2>/dev/null"

T kill-server 2>/dev/null
it_summary
