#!/usr/bin/env bash
# Integration: scoped subscriptions (--system, --systems-file; issue 16).
#
#   - drivr-sim with 50 systems on a stock mosquitto: --snapshot --system A
#     --system B holds exactly A and B (their components, token lists) and
#     the domain-level state, complete, exit 0, without reading the systems
#     index;
#   - --systems-file (comments, blank lines, a repeat) the same way; a bad
#     line refused with file:line, exit 2;
#   - a scoped UUID the domain does not have: reported, exit 8, not waited
#     for;
#   - --log with a scope while drivr-sim publishes for every system: nothing
#     of another system, and a marker published to the scoped system after
#     that traffic arrives (so the traffic for the others had its chance);
#   - an action on a system outside the scope: exit 2 before connecting;
#   - --print-topics shows the scoped filters.
set -u
cd "$(dirname "$0")/../.."
. tests/integration/lib.sh

CONSOLE=${BUILD:-build}/drivr-console
SIM=${BUILD:-build}/drivr-sim
SLUG=scoped
NOWHERE=00000000-0000-4000-8000-00000000dead

broker_start || { echo "broker did not start"; exit 1; }
PLAIN=$(broker_plain_args)

# datapoints for every system all the time (--rate), the rest quiet
it_spawn sim "$SIM" $PLAIN -s "$SLUG" --systems 50 --components 4 --rate 200 \
	--event-interval 0 --change-interval 0 --setpoint-interval 0
wait_for "$IT_TMP/sim.out" "drivr-sim: ready" 60 || { cat "$IT_TMP/sim.out"; it_fail "sim ready"; it_summary; exit 1; }

timeout 60 "$CONSOLE" $PLAIN -s "$SLUG" --snapshot --timeout 30 >"$IT_TMP/all.json" 2>"$IT_TMP/all.err"
it_check "the whole domain: 50 systems, complete" \
	check_json "$IT_TMP/all.json" 'len(d["systems"]) == 50' 'd["complete"] is True'
mapfile -t UUIDS < <(python3 -c "import json,sys; [print(s['uuid']) for s in json.load(open(sys.argv[1]))['systems']]" "$IT_TMP/all.json")
A=${UUIDS[3]} B=${UUIDS[17]} C=${UUIDS[42]}

# --- --snapshot --system A --system B --------------------------------------------
timeout 60 "$CONSOLE" $PLAIN -s "$SLUG" --snapshot --timeout 30 --system "$A" --system "$B" \
	>"$IT_TMP/ab.json" 2>"$IT_TMP/ab.err"
rc=$?
it_check "--system A --system B: exit 0 (got $rc)" [ "$rc" -eq 0 ]
it_check "... exactly A and B, their components and token lists, complete" \
	check_json "$IT_TMP/ab.json" \
	"sorted(s['uuid'] for s in d['systems']) == sorted(['$A', '$B'])" \
	"len(d['components']) == 8" \
	"set(c['systemUuid'] for c in d['components']) == {'$A', '$B'}" \
	"len(d['tokens']) == 2" \
	"d['complete'] is True and d['load']['verdict'] == 'complete'" \
	"d['load']['systemsKnown'] == 2 and d['load']['systemsLoaded'] == 2" \
	"d['load']['indexPasses'] == 0"
it_check "... and the domain-level state (domain, models)" \
	check_json "$IT_TMP/ab.json" "d['domain'] is not None" "len(d['componentModels']) > 0"
it_check "... read 2 systems' index topics, not the index of 50 (retained $(python3 -c "import json; print(json.load(open('$IT_TMP/ab.json'))['load']['retained'])") vs $(python3 -c "import json; print(json.load(open('$IT_TMP/all.json'))['load']['retained'])"))" \
	python3 -c "import json; a=json.load(open('$IT_TMP/ab.json'))['load']['retained']; w=json.load(open('$IT_TMP/all.json'))['load']['retained']; exit(0 if a * 5 < w else 1)"

# --- --systems-file ---------------------------------------------------------------
printf '# site north\n\n%s   # boiler room\n  %s\n%s\n' "$C" "$A" "$C" >"$IT_TMP/scope.txt"
timeout 60 "$CONSOLE" $PLAIN -s "$SLUG" --snapshot --timeout 30 --systems-file "$IT_TMP/scope.txt" \
	>"$IT_TMP/file.json" 2>"$IT_TMP/file.err"
rc=$?
it_check "--systems-file (comments, blanks, a repeat): exit 0 (got $rc)" [ "$rc" -eq 0 ]
it_check "... exactly C and A, complete" check_json "$IT_TMP/file.json" \
	"sorted(s['uuid'] for s in d['systems']) == sorted(['$A', '$C'])" "d['complete'] is True"
printf '%s\nnot-a-uuid\n' "$A" >"$IT_TMP/bad.txt"
timeout 10 "$CONSOLE" $PLAIN -s "$SLUG" --snapshot --systems-file "$IT_TMP/bad.txt" \
	>/dev/null 2>"$IT_TMP/bad.err"
rc=$?
it_check "a bad line in --systems-file: exit 2 with file:line" \
	bash -c "[ $rc -eq 2 ] && grep -q 'bad.txt:2: \"not-a-uuid\" is not a UUID' '$IT_TMP/bad.err'"
: >"$IT_TMP/empty.txt"
timeout 10 "$CONSOLE" $PLAIN -s "$SLUG" --snapshot --systems-file "$IT_TMP/empty.txt" \
	>/dev/null 2>"$IT_TMP/empty.err"
it_check "an empty --systems-file: exit 2 (an empty scope would show nothing)" \
	bash -c "[ $? -eq 2 ] && grep -q 'no UUID' '$IT_TMP/empty.err'"

# --- a scoped system the domain does not have --------------------------------------
start=$EPOCHREALTIME
timeout 60 "$CONSOLE" $PLAIN -s "$SLUG" --snapshot --timeout 30 --system "$A" --system "$NOWHERE" \
	>"$IT_TMP/missing.json" 2>"$IT_TMP/missing.err"
rc=$?
secs=$(python3 -c "print(round($EPOCHREALTIME - $start, 1))")
it_check "an unknown UUID in the scope: exit 8 in $secs s (not the 30 s time-out)" \
	bash -c "[ $rc -eq 8 ] && python3 -c 'exit(0 if $secs < 20 else 1)'"
it_check "... the verdict names it; A is there" \
	check_json "$IT_TMP/missing.json" "d['complete'] is False" \
	"d['load']['verdict'] == 'scoped systems not found'" \
	"any('$NOWHERE' in r for r in d['incomplete'])" \
	"[s['uuid'] for s in d['systems']] == ['$A']"
it_check "... and says so on stderr" grep -q "$NOWHERE" "$IT_TMP/missing.err"

# --- --log with a scope while every system publishes ------------------------------
# a witness of the traffic for every system, over the same time
it_spawn all mosquitto_sub $PLAIN -v -t "drivr/v1/$SLUG/input/datapoint/#"
ALL_PID=$IT_PID
it_spawn log "$CONSOLE" $PLAIN -s "$SLUG" --log --system "$A"
LOG_PID=$IT_PID
it_check "--log --system A: loaded, complete" wait_for "$IT_TMP/log.out" '"event":"loaded","complete":true' 20
# drivr-sim goes round every characteristic of the 50 systems: A's come in
# turn, the others' around them
a_datapoints() { [ "$(grep -c "input/datapoint/$A/" "$IT_TMP/log.out")" -ge 3 ]; }
it_check "... A's datapoints arrive" wait_until 20 a_datapoints
timeout 5 mosquitto_pub $PLAIN -q 1 -t "drivr/v1/$SLUG/input/datapoint/$A/json" -m '{"scope-marker":1}'
it_check "... the marker published to A arrives" wait_for "$IT_TMP/log.out" 'scope-marker' 10
kill "$LOG_PID" "$ALL_PID" 2>/dev/null
it_wait_exit "$LOG_PID" 5
it_wait_exit "$ALL_PID" 5
others=$(grep -av "input/datapoint/$A/" "$IT_TMP/all.out" | grep -ac "input/datapoint/")
it_check "... while drivr-sim published $others datapoints for the other systems" [ "$others" -gt 100 ]
python3 - "$IT_TMP/log.out" "$A" >"$IT_TMP/log.check" <<'PY'
import json, sys
a = sys.argv[2]
lines = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")]
topics = [l["topic"] for l in lines if "topic" in l]
datapoints = [t for t in topics if "/input/datapoint/" in t]
others = [t for t in topics if ("/systems/" in t or "/input/" in t or "/localApiTokens/" in t) and a not in t]
print(len(topics), len(datapoints), len(others), others[:3])
sys.exit(0 if datapoints and not others else 1)
PY
rc=$?
it_check "... nothing of another system, A's datapoints there ($(cat "$IT_TMP/log.check"): topics, A's datapoints, others)" [ "$rc" -eq 0 ]

# --- the full-screen console ---------------------------------------------------------
if command -v tmux >/dev/null; then
	echo "env TERM=xterm-256color LC_ALL=C.UTF-8 $CONSOLE $PLAIN -s $SLUG --no-mouse --system $A --system $B --system $C 2>$IT_TMP/tui.err; exec sleep 60" \
		>"$IT_TMP/pane.sh"
	it_tmux_open scope 160 30 "$IT_TMP/pane.sh" || it_fail "tmux starts"
	it_check "the console's status bar shows the scope" wait_screen 'scope: 3 systems' 10
	it_check "its Systems view holds the 3 scoped systems" wait_screen '^Systems .* 3 rows' 10
	T kill-server 2>/dev/null
else
	it_fail "tmux missing"
fi

# --- actions ---------------------------------------------------------------------
printf '%s\n' "$C" >"$IT_TMP/c.txt"
closed=$(it_free_port)
timeout 10 "$CONSOLE" set-setpoint -h 127.0.0.1 -p "$closed" -s "$SLUG" --systems-file "$IT_TMP/c.txt" \
	--system "$B" --component c1 --service s --characteristic k --value 1 \
	>/dev/null 2>"$IT_TMP/act.err"
rc=$?
it_check "an action on a system outside the scope: exit 2, before connecting (a closed port)" \
	bash -c "[ $rc -eq 2 ] && grep -q 'outside the scope' '$IT_TMP/act.err' && ! grep -q 'cannot connect' '$IT_TMP/act.err'"

# --- the filters ----------------------------------------------------------------
"$CONSOLE" --print-topics -s "$SLUG" --system "$A" >"$IT_TMP/topics.txt"
it_check "--print-topics with a scope: no systems index, the system's own topic, its inputs" bash -c \
	"! grep -q 'drivr/v1/$SLUG/systems/+\$' '$IT_TMP/topics.txt' &&
	 grep -q '^systems  0    drivr/v1/$SLUG/systems/<systemUuid>\$' '$IT_TMP/topics.txt' &&
	 grep -q '^live     1    drivr/v1/$SLUG/input/datapoint/<systemUuid>/#' '$IT_TMP/topics.txt' &&
	 ! grep -q 'drivr/v1/$SLUG/input/#' '$IT_TMP/topics.txt'"
timeout 10 "$CONSOLE" -s "$SLUG" --snapshot --single-subscription --system "$A" >/dev/null 2>"$IT_TMP/single.err"
it_check "--single-subscription with a scope: refused, exit 2" \
	bash -c "[ $? -eq 2 ] && grep -q 'not with --single-subscription' '$IT_TMP/single.err'"

it_summary
