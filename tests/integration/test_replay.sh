#!/usr/bin/env bash
# Record and replay, round trip: what a customer recorded is what a support
# engineer sees.  A drivr-sim world (its MessagePack models included) is
# watched at the same time by a live --snapshot, a --log capture and the
# full-screen console with --record (tmux, rotated files); each recording is
# replayed with --snapshot --replay and compared with the live snapshot
# (same systems, components, series and their last values; no decode
# error), and --log --replay prints back the captured lines exactly.  Also:
# --replay needs no broker, --speed paces by the recorded times, the
# console's clock is the replay's, --record's files are private and never
# written through a link.
set -u
cd "$(dirname "$0")/../.."
. tests/integration/lib.sh

CONSOLE=$(pwd)/${BUILD:-build}/drivr-console
SIM=$(pwd)/${BUILD:-build}/drivr-sim
[ -x "$CONSOLE" ] || { echo "missing $CONSOLE (run make)"; exit 1; }
[ -x "$SIM" ] || { echo "missing $SIM (run make)"; exit 1; }
for tool in tmux mosquitto python3; do
	command -v "$tool" >/dev/null 2>&1 || { echo "test_replay: $tool is missing (make deps)" >&2; exit 1; }
done

broker_start || { echo "broker did not start"; exit 1; }
B="-h 127.0.0.1 -p $BROKER_PORT -s demo --single-subscription"

# --- the live session: three watchers, then the world --------------------------
# One subscription each, made before the simulator starts, so all three see
# the same messages; each ends after 3 s without traffic once it stops.
# shellcheck disable=SC2086 # $B: words
"$CONSOLE" $B --snapshot --settle 3 --timeout 60 >"$IT_TMP/live.json" 2>"$IT_TMP/live.err" &
SNAP=$!
it_track "$SNAP"
# shellcheck disable=SC2086
"$CONSOLE" $B --log --timeout 3 >"$IT_TMP/capture.ndjson" 2>"$IT_TMP/capture.err" &
LOG=$!
it_track "$LOG"

REC="$IT_TMP/rec/session.ndjson"
mkdir -p "$IT_TMP/rec"
cat >"$IT_TMP/pane.sh" <<EOF
env TERM=xterm-256color LC_ALL=C.UTF-8 TZ=UTC "$CONSOLE" $B --no-mouse \
	--record "$REC" --record-max-size 16K 2>"$IT_TMP/console.err"
echo "CONSOLE-EXIT=\$?"
exec sleep 120
EOF
it_tmux_open replay 120 40 "$IT_TMP/pane.sh" || { it_fail "tmux starts"; it_summary; exit 1; }
it_check "the console is connected" wait_screen "● connected" 10
it_check "--log is subscribed" wait_for "$IT_TMP/capture.ndjson" '"event":"subscribed"' 10
# The snapshot has no line to show it subscribed; it started first, and the
# retained state reaches it whenever it subscribes.
it_spawn sim "$SIM" -h 127.0.0.1 -p "$BROKER_PORT" -s demo --systems 3 --rate 30 --seed 11 \
	--duration 3
SIM_PID=$IT_PID
it_check "the simulator ran its 3 s" it_wait_exit "$SIM_PID" 20
it_check "--log ended after 3 s without traffic" it_wait_exit "$LOG" 20
it_check "--snapshot ended after its settle time" it_wait_exit "$SNAP" 20
keys q
it_check "the console quits with q, exit 0" wait_screen "CONSOLE-EXIT=0" 10

# --- the capture: the payload as received ------------------------------------------
it_check "--log: MessagePack payloads kept as base64, text ones as utf-8" \
	check_json "$IT_TMP/capture.ndjson" \
	"any(o.get('encoding') == 'base64' and o.get('format') == 'msgpack' for o in d)" \
	"any(o.get('encoding') == 'utf-8' for o in d)" \
	"all('payload' in o for o in d if 'topic' in o)"

# --- --log --replay: the same lines, no broker -------------------------------------
broker_stop
timeout 20 "$CONSOLE" --log --replay "$IT_TMP/capture.ndjson" -p "$BROKER_PORT" \
	>"$IT_TMP/relog.ndjson" 2>"$IT_TMP/relog.err"
it_check "--log --replay: exit 0 with the broker gone (it does not connect)" test $? -eq 0
it_check "--log --replay prints back every captured message line, byte for byte" python3 - \
	"$IT_TMP/capture.ndjson" "$IT_TMP/relog.ndjson" <<'PY'
import json, sys
live = [l for l in open(sys.argv[1]) if "topic" in json.loads(l)]
again = open(sys.argv[2]).readlines()
sys.exit(0 if live == again and len(live) > 50 else 1)
PY
it_check "--log --replay: zero decode errors" check_json "$IT_TMP/relog.ndjson" \
	"not any('error' in o for o in d)"

# --- --snapshot --replay of each recording = the live snapshot --------------------
# (receivedAt and the like are each client's own clock: left out.)
same_as_live() {
	python3 - "$IT_TMP/live.json" "$1" <<'PY'
import json, sys
live, again = (json.load(open(p)) for p in sys.argv[1:3])
def strip(v):
    if isinstance(v, dict):
        return {k: strip(x) for k, x in v.items() if k not in ("receivedAt", "lastDatapointAt")}
    if isinstance(v, list):
        return [strip(x) for x in v]
    return v
bad = [k for k in ("systems", "components", "series", "componentModels", "events",
                   "setpoints", "domain") if strip(live[k]) != strip(again[k])]
if not live["series"] or not live["systems"]:
    bad.append("the live snapshot is empty")
if again["counters"]["decodeErrors"]:
    bad.append("decode errors: %d" % again["counters"]["decodeErrors"])
for k in bad:
    print("    differs: " + k)
sys.exit(1 if bad else 0)
PY
}
timeout 20 "$CONSOLE" --snapshot --replay "$IT_TMP/capture.ndjson" >"$IT_TMP/from-log.json"
it_check "--snapshot --replay of the --log capture: exit 0, complete" \
	check_json "$IT_TMP/from-log.json" "d['complete'] is True" "d['replay'].endswith('capture.ndjson')"
it_check "... the same systems, components and series values as the live snapshot" \
	same_as_live "$IT_TMP/from-log.json"

it_check "--record: rotated at 16K (session.ndjson, .1, ...), each file 0600" bash -c "
	[ -s '$REC' ] && [ -s '$REC.1' ] &&
	[ -z \"\$(find '$IT_TMP/rec' -type f ! -perm 0600)\" ] &&
	[ \"\$(find '$IT_TMP/rec' -type f -size +16k)\" = '' ]"
n=$(find "$IT_TMP/rec" -type f | wc -l)
parts=("$REC")
for ((i = 1; i < n; i++)); do parts+=("$REC.$i"); done
cat "${parts[@]}" >"$IT_TMP/recording.ndjson"
timeout 20 "$CONSOLE" --snapshot --replay "$IT_TMP/recording.ndjson" >"$IT_TMP/from-record.json"
it_check "--snapshot --replay of the console's recording ($n files): the live snapshot" \
	same_as_live "$IT_TMP/from-record.json"
it_check "the recording holds the lines --log printed (same topics, payloads, times)" python3 - \
	"$IT_TMP/capture.ndjson" "$IT_TMP/recording.ndjson" <<'PY'
import json, sys
def key(o): return (o["topic"], o["payload"], o["retained"])
live = [key(o) for o in map(json.loads, open(sys.argv[1])) if "topic" in o]
rec = [key(o) for o in map(json.loads, open(sys.argv[2]))]
sys.exit(0 if sorted(live) == sorted(rec) else 1)
PY

# --- --speed: paced by the recorded times --------------------------------------
span=$(python3 -c "
import json, sys
from datetime import datetime
t = [datetime.fromisoformat(o['time'].replace('Z', '+00:00')).timestamp()
     for o in map(json.loads, open('$IT_TMP/capture.ndjson')) if 'topic' in o]
print(max(t) - min(t))")
start=${EPOCHREALTIME/./}
timeout 30 "$CONSOLE" --log --replay "$IT_TMP/capture.ndjson" --speed 2 >/dev/null
took=$(((${EPOCHREALTIME/./} - start) / 1000))
it_check "--speed 2 takes half the recorded span (${span} s → ${took} ms)" python3 -c "
import sys; s = $span / 2; sys.exit(0 if s * 0.9 <= $took / 1000 <= s + 1.5 else 1)"
timeout 5 "$CONSOLE" --log --replay "$IT_TMP/capture.ndjson" --speed 0 >/dev/null 2>"$IT_TMP/speed.err"
it_check "--speed 0 refused (exit 2)" test $? -eq 2
timeout 5 "$CONSOLE" --log -s demo --speed 2 >/dev/null 2>&1
it_check "--speed without --replay refused (exit 2)" test $? -eq 2

# The console at --speed 4 on a terminal (script(1)'s pty): it draws as the
# messages come and quits by itself with --count once all are in.
msgs=$(grep -c '"topic"' "$IT_TMP/capture.ndjson")
start=${EPOCHREALTIME/./}
TERM=xterm-256color LC_ALL=C.UTF-8 timeout 30 script -qec "'$CONSOLE' --replay '$IT_TMP/capture.ndjson' \
	--speed 4 --count $msgs --no-mouse --stats-file '$IT_TMP/paced.json'" /dev/null >/dev/null 2>&1
rc=$?
took=$(((${EPOCHREALTIME/./} - start) / 1000))
it_check "console --replay --speed 4: the $msgs messages in a quarter of ${span} s (${took} ms), exit 0" \
	bash -c "[ $rc -eq 0 ] && grep -q '\"messages\": $msgs,' '$IT_TMP/paced.json' &&
		python3 -c 'import sys; s = $span / 4; sys.exit(0 if s * 0.9 <= $took / 1000 <= s + 2 else 1)'"

# --- the console's clock is the replay's ---------------------------------------
last=$(python3 -c "
import json
t = [o['time'] for o in map(json.loads, open('$IT_TMP/capture.ndjson')) if 'topic' in o]
print(max(t)[11:16])")
TZ=UTC timeout 20 "$CONSOLE" --replay "$IT_TMP/capture.ndjson" --dump-screen "$IT_TMP/screen.txt" \
	2>/dev/null
it_check "console --replay: the status bar's clock is the last message's time ($last)" \
	bash -c "sed -n 2p '$IT_TMP/screen.txt' | grep -q ' $last\$'"

# --- --record's files: never through a link -----------------------------------------
echo keep >"$IT_TMP/target"
ln -s "$IT_TMP/target" "$IT_TMP/link.ndjson"
TERM=xterm timeout 5 "$CONSOLE" --replay "$IT_TMP/capture.ndjson" --record "$IT_TMP/link.ndjson" \
	</dev/null >/dev/null 2>"$IT_TMP/link.err"
rc=$?
it_check "--record to a symbolic link: refused, exit 2, its target untouched" bash -c "
	[ $rc -eq 2 ] && grep -q 'symbolic link' '$IT_TMP/link.err' && [ \"\$(cat '$IT_TMP/target')\" = keep ]"
timeout 5 "$CONSOLE" --log --replay "$IT_TMP/capture.ndjson" --record "$IT_TMP/x.ndjson" >/dev/null 2>&1
it_check "--record with --log refused (exit 2)" test $? -eq 2

it_summary
