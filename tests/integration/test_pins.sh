#!/usr/bin/env bash
# Pins under a cap, in the full-screen console (issue 12): at the systems cap
# of --max-memory a new system takes the slot of a deleted one, but never of
# a system the operator has drilled into (store_pin_system, src/ui/app.c) or
# one a pending request waits on (src/ui/actions_ui.c).
#
# A real mosquitto; the systems cap C of --max-memory 4 measured first (a
# --snapshot of a world larger than it); then a world of C-4 systems
# (drivr-sim, retained) and the console in tmux with --max-memory 4:
#   - a setpoint for system P goes out (no platform answers it: it stays
#     pending for 20 s), then drill into system D (Enter); the platform
#     deletes D, P and another system X (an empty retained payload on their
#     topics: the reference's "the retained value disappears", decoded as a
#     deletion);
#   - 12 new systems arrive: 4 fill the free slots, the 5th takes X's slot
#     (evicted 1), the other 7 are refused (dropped 7) — D's and P's slots
#     are never taken, so D's name and its components are still on screen;
#   - q (y: the request is still pending): exit 8, the refusals on stderr.
# The counts are exact: without either pin D or P is a second evictable
# system and the checks fail (evicted 2, dropped 6; without D's, its name
# gone from the breadcrumb).
# Every process started here is stopped on exit (lib.sh); only 127.0.0.1.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/integration/lib.sh

BUILD=${BUILD:-build}
SIM=$(pwd)/$BUILD/drivr-sim
CONSOLE=$(pwd)/$BUILD/drivr-console
for f in "$SIM" "$CONSOLE"; do [ -x "$f" ] || { echo "missing $f (run make)"; exit 1; }; done
for tool in mosquitto mosquitto_pub tmux python3; do
	command -v "$tool" >/dev/null || { echo "test_pins: $tool is missing (make deps)"; exit 1; }
done

MEM=4    # MiB: the smallest --max-memory, a systems cap of a few hundred
FREE=4   # slots left free by the world
NEW=12   # new systems: FREE fill the free slots, 1 takes X's, the rest refused
SLUG=pins
export XDG_STATE_HOME="$IT_TMP/state"

broker_start || { echo "broker did not start"; exit 1; }
PLAIN=$(broker_plain_args)
quiet_sim() { # SLUG SEED SYSTEMS — a retained world, then drivr-sim exits
	timeout 60 "$SIM" $PLAIN -s "$1" --seed "$2" --systems "$3" --components 2 --rate 0 \
		--event-interval 0 --change-interval 0 --setpoint-interval 0 --duration 1 \
		>/dev/null 2>>"$IT_TMP/sim.err"
}

# --- the cap, as the store computes it from --max-memory --------------------------
quiet_sim probe 1 400 || it_fail "drivr-sim: the probe world"
timeout 60 "$CONSOLE" $PLAIN -s probe --snapshot --max-memory $MEM --timeout 30 \
	>"$IT_TMP/probe.json" 2>/dev/null
CAP=$(python3 -c 'import json,sys
d = json.load(open(sys.argv[1]))
print(len(d["systems"]) if d["counters"]["entitiesRefused"]["systems"] > 0 else 0)' "$IT_TMP/probe.json" 2>/dev/null)
[ "${CAP:-0}" -gt $((FREE + 2)) ] || { it_fail "the systems cap of --max-memory $MEM (got '${CAP:-}')"; it_summary; exit 1; }
it_ok "the systems cap of --max-memory $MEM is $CAP (400 offered)"

# --- the world: CAP - FREE systems ----------------------------------------------------
WORLD=$((CAP - FREE))
quiet_sim "$SLUG" 7 "$WORLD" || it_fail "drivr-sim: the world"
timeout 30 "$CONSOLE" $PLAIN -s "$SLUG" --snapshot --timeout 20 >"$IT_TMP/world.json" 2>/dev/null
read -r D_UUID D_NAME X_UUID X_NAME P_UUID P_COMP D_COMPS <<<"$(python3 - "$IT_TMP/world.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
s = sorted(d["systems"], key=lambda s: s["name"])
def comps(i):
    return sorted(c["code"] for c in d["components"] if c["systemUuid"] == s[i]["uuid"])
# names are "Word Word": joined by "_" for read, split back below
print(s[0]["uuid"], s[0]["name"].replace(" ", "_"), s[1]["uuid"], s[1]["name"].replace(" ", "_"),
      s[2]["uuid"], comps(2)[0], ",".join(comps(0)))
PY
)"
D_NAME=${D_NAME//_/ }
X_NAME=${X_NAME//_/ }
[ -n "${D_COMPS:-}" ] || { it_fail "the world: $WORLD systems with components"; it_summary; exit 1; }
it_ok "the world: $WORLD systems; D = '$D_NAME' (components $D_COMPS), X = '$X_NAME', P = $P_UUID"

# --- the console --------------------------------------------------------------------
cat >"$IT_TMP/pane.sh" <<EOF
env TERM=xterm-256color LC_ALL=C.UTF-8 TZ=UTC XDG_STATE_HOME="$IT_TMP/state" "$CONSOLE" $PLAIN -s $SLUG --no-mouse \
	--max-memory $MEM 2>"$IT_TMP/console.err"
echo "CONSOLE-EXIT=\$?"
exec sleep 120
EOF
it_tmux_open pins 160 40 "$IT_TMP/pane.sh" || { it_fail "tmux starts"; it_summary; exit 1; }
status_bar() { screen | head -1; }
# counter NAME — the number after NAME in the status bar (dropped, evicted, total)
counter() { status_bar | grep -Eo " $1 [0-9]+" | grep -Eo '[0-9]+$'; }

it_check "console: connected, the world loaded below the cap (dropped 0, evicted 0)" \
	wait_screen "● connected.* total [0-9]+.* dropped 0 evicted 0" 15
it_check "... its $WORLD systems listed" wait_screen "^Systems .* $WORLD rows" 10
it_check "... the load is over (no 'loading' on the status bar)" wait_screen_gone '^ .* loading' 10

# A setpoint for P: delivered to the broker, nobody answers (drivr-sim has
# gone): pending for the platform's 20 s, long enough for what follows.
keys 3
keys e
keys Up Up Up Up C-u "$P_UUID" Down C-u "$P_COMP" Down C-u heating Down C-u flow-temperature-setpoint Down C-u 45
keys Enter
it_check "a setpoint for P: the preview says it goes out now" wait_screen 'Connected: it goes out now' 5
keys Enter
it_check "... sent and pending (the status bar: requests 1, no outbox)" wait_screen ' requests 1 +[0-9]+ msg/s' 5
keys 1
# Drill into D: its components, D's name in the breadcrumb (the system
# column, the same on every row there, is hidden).
keys / C-u "$D_NAME" Enter
keys Enter
COMP_RE="${D_COMPS//,/|}"
it_check "Enter on D: its components view, D's name in the breadcrumb" \
	wait_screen "^Systems › $D_NAME › Components" 5
it_check "... and its components in the rows" wait_screen "^($COMP_RE) " 3
screen | sed -n '1,8p' | sed 's/^/    | /'

# D and X deleted by the platform, then the new systems: one message each.
# Their arrival is proven by the status bar's total (every message counts),
# so the counters below are read only after the console has had them all.
TOTAL0=$(counter total)
timeout 5 mosquitto_pub $PLAIN -q 1 -r -n -t "drivr/v1/$SLUG/systems/$D_UUID" || it_fail "delete D"
timeout 5 mosquitto_pub $PLAIN -q 1 -r -n -t "drivr/v1/$SLUG/systems/$X_UUID" || it_fail "delete X"
timeout 5 mosquitto_pub $PLAIN -q 1 -r -n -t "drivr/v1/$SLUG/systems/$P_UUID" || it_fail "delete P"
for i in $(seq -w 1 $NEW); do
	u=$(printf 'eeeeeeee-0000-4000-8000-0000000000%s' "$i")
	timeout 5 mosquitto_pub $PLAIN -q 1 -t "drivr/v1/$SLUG/systems/$u" \
		-m "{\"uuid\":\"$u\",\"name\":\"pinless new-$i\",\"connectionState\":\"CONNECTED\"}" ||
		it_fail "publish new-$i"
done
it_check "the console has every message: total $TOTAL0 + 3 deletions + $NEW new" \
	wait_screen " total $((TOTAL0 + 3 + NEW)) " 10
REFUSED=$((NEW - FREE - 1))
it_check "status bar: X's slot reused (evicted 1), not D's or P's; $REFUSED new systems refused (dropped $REFUSED)" \
	bash -c "[ '$(counter evicted)' = 1 ] && [ '$(counter dropped)' = $REFUSED ]"
status_bar | sed 's/^/    | /'
it_check "D (deleted, drilled into) is still in the store: its name in the breadcrumb" \
	wait_screen "^Systems › $D_NAME › Components" 3
it_check "... every one of its components still listed" \
	bash -c "for c in ${D_COMPS//,/ }; do tmux -S '$IT_TMUX_SOCK' -f /dev/null capture-pane -p -t pins | grep -Eq \"^\$c \" || exit 1; done"
screen | sed -n '1,8p' | sed 's/^/    | /'

# Back to the systems: the deleted ones hidden, the first FREE + 1 new ones kept.
# (D's pin goes with Esc: nothing arrives any more to take its slot.)
keys Escape
keys / C-u "pinless new-" Enter
KEPT=$(for i in $(seq 1 $((FREE + 1))); do printf 'pinless new-%02d\n' "$i"; done | paste -sd'|')
ROWS=$((WORLD - 3 + FREE + 1))
it_check "systems view: $((FREE + 1)) of the new ones kept, D, P and X hidden ($ROWS rows)" \
	wait_screen "^Systems .* $((FREE + 1))/$ROWS rows" 3
it_check "... new-01 to new-0$((FREE + 1)), the first to arrive; none of the refused ones" \
	bash -c "[ \"\$(tmux -S '$IT_TMUX_SOCK' -f /dev/null capture-pane -p -t pins | sed 1,3d | grep -Ec '$KEPT')\" -eq $((FREE + 1)) ] &&
		 [ \"\$(tmux -S '$IT_TMUX_SOCK' -f /dev/null capture-pane -p -t pins | sed 1,3d | grep -c 'pinless new-')\" -eq $((FREE + 1)) ]"
keys / C-u "$X_NAME" Enter
it_check "... X (deleted, and evicted: the counter above) is not listed (0 rows)" wait_screen "^Systems .* 0/$ROWS rows" 3
keys / C-u Enter

keys q
it_check "q: the setpoint for P is still pending, quit anyway? y" wait_screen '1 request\(s\) still pending: quit anyway' 3
keys y
it_check "exit 8 (entities refused at the caps)" wait_screen 'CONSOLE-EXIT=8' 5
it_check "... and stderr says how many: $REFUSED" \
	grep -q "this session dropped 0 message(s) and refused $REFUSED entities at the --max-memory caps" "$IT_TMP/console.err"
it_check "no sanitizer report" bash -c "! grep -q 'Sanitizer\|runtime error' '$IT_TMP/console.err'"

T kill-server 2>/dev/null
it_summary
