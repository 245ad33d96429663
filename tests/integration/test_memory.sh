#!/usr/bin/env bash
# Integration: --max-memory holds under pressure, and nothing is lost
# unannounced (docs/reliability.md, "Memory bounded in bytes").
#   - --log behind a stalled reader, a flood of 64 KiB datapoints: peak RSS
#     (VmHWM) stays near the small budget; printed lines + the counts of the
#     {"event":"dropped"} lines == messages published; stderr says so; exit 8.
#   - --snapshot of a domain larger than a small budget's systems cap: the
#     store holds the cap, counts the refused, and calls itself incomplete.
# Started processes are stopped on exit.
set -u
cd "$(dirname "$0")/../.."
. tests/integration/lib.sh

CONSOLE=${BUILD:-build}/drivr-console
SIM=${BUILD:-build}/drivr-sim
[ -x "$CONSOLE" ] && [ -x "$SIM" ] || { echo "missing $CONSOLE / $SIM (run make)"; exit 1; }

# Unlimited broker queues: the console's inbox is the only place a message
# can be lost, so the accounting below must be exact.
broker_start --conf "max_queued_messages 0" --conf "max_queued_bytes 0" || exit 1
PLAIN="-h 127.0.0.1 -p $BROKER_PORT"

# --- --log, a stalled reader, 64 KiB messages --------------------------------------
N=300 # × 64 KiB = 19 MiB published; --max-memory 8 gives the inbox 1 MiB
mkfifo "$IT_TMP/log.fifo"
"$CONSOLE" $PLAIN -s mem --log --max-memory 8 --timeout 4 >"$IT_TMP/log.fifo" 2>"$IT_TMP/log.err" &
CPID=$!
it_track "$CPID"
# The reader: takes lines until the staged load is in, says so, stalls 4 s
# (the flood arrives meanwhile), then reads the rest.
python3 - "$IT_TMP/log.fifo" "$IT_TMP/log.out" "$IT_TMP/reader.ready" <<'PY' &
import sys, time
src = open(sys.argv[1], "rb")
out = open(sys.argv[2], "wb")
for line in src:
    out.write(line)
    if b'"event":"loaded"' in line:
        break
out.flush()
open(sys.argv[3], "w").close()
time.sleep(4)
for line in src:
    out.write(line)
PY
RPID=$!
it_track "$RPID"
hwm_kb=0
it_check "the console loaded before the flood" wait_until 10 test -e "$IT_TMP/reader.ready"
timeout 60 "$SIM" $PLAIN -s mem --flood $N --payload-bytes 65536 --series 10 2>"$IT_TMP/flood.err" &
FPID=$!
it_track "$FPID"
# hwm_sample PID VAR — true once PID is gone; until then its VmHWM (kB) in
# VAR (it is gone from /proc once the process exits).  For wait_until.
hwm_sample() {
	it_alive "$1" || return 0
	local v
	v=$(awk '/^VmHWM:/ {print $2}' "/proc/$1/status" 2>/dev/null)
	[ -n "$v" ] && printf -v "$2" '%s' "$v"
	return 1
}
it_check "the console ends by itself (--timeout 4), VmHWM sampled meanwhile" wait_until 20 hwm_sample "$CPID" hwm_kb
wait "$CPID"
rc=$?
it_stop "$RPID"
it_stop "$FPID"
# A baseline: the same console without traffic (libraries, Paho, OpenSSL).
"$CONSOLE" $PLAIN -s mem-idle --log --max-memory 8 --timeout 1 >/dev/null 2>&1 &
BPID=$!
it_track "$BPID"
base_kb=0
it_check "the idle console ends by itself (--timeout 1)" wait_until 10 hwm_sample "$BPID" base_kb
it_stop "$BPID"
lines=$(grep -c '"family":"datapoint_input"' "$IT_TMP/log.out")
dropped=$(python3 -c '
import json, sys
print(sum(json.loads(l).get("count", 0) for l in open(sys.argv[1]) if "\"event\":\"dropped\"" in l))' "$IT_TMP/log.out")
echo "log: $lines lines + $dropped dropped of $N; VmHWM ${hwm_kb} kB (idle ${base_kb} kB); exit $rc"
it_check "lines printed + dropped = published ($lines + $dropped = $N)" [ $((lines + dropped)) -eq $N ]
it_check "some were dropped (the reader stalled) and announced on stderr" \
	bash -c "[ $dropped -gt 0 ] && grep -q 'drivr-console: dropped' '$IT_TMP/log.err'"
it_check "--log with drops exits 8 (got $rc)" [ $rc -eq 8 ]
# 8 MiB of budget + the 64 KiB messages in Paho's and stdio's hands + slack;
# without the byte cap the inbox alone held the whole 19 MiB.
it_check "peak RSS within the budget: ${hwm_kb} kB ≤ idle ${base_kb} kB + 8 MiB + 4 MiB" \
	[ "$hwm_kb" -gt 0 ] && [ "$hwm_kb" -le $((base_kb + 12 * 1024)) ]

# --- --snapshot past the systems cap ----------------------------------------------
SYSTEMS=300
timeout 60 "$SIM" $PLAIN -s caps --systems $SYSTEMS --components 2 --rate 0 --event-interval 0 \
	--change-interval 0 --setpoint-interval 0 --duration 1 >/dev/null 2>"$IT_TMP/sim.err"
timeout 60 "$CONSOLE" $PLAIN -s caps --snapshot --max-memory 4 --timeout 30 \
	>"$IT_TMP/snap.json" 2>"$IT_TMP/snap.err"
rc=$?
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print("snapshot: %d systems kept, %d refused" % (len(d["systems"]), d["counters"]["entitiesRefused"]["systems"]))' "$IT_TMP/snap.json" 2>/dev/null
it_check "--snapshot past a cap exits 8 (got $rc)" [ $rc -eq 8 ]
it_check "the snapshot holds the cap, counts the refused, says why" \
	check_json "$IT_TMP/snap.json" '0 < len(d["systems"]) < '$SYSTEMS' and d["counters"]["entitiesRefused"]["systems"] > 0 and not d["complete"] and any("refused" in r for r in d["incomplete"])'
it_check "stderr names the refusal" grep -q "refused" "$IT_TMP/snap.err"

# The full-screen console past the same cap (on a pty from script(1)), quitting
# by itself after every retained message: exit 8, the refusals said at exit.
R=$(timeout 10 mosquitto_sub $PLAIN -t "drivr/v1/caps/#" --retained-only -W 2 2>/dev/null | wc -l)
TERM=xterm-256color timeout 60 script -qec \
	"$CONSOLE $PLAIN -s caps --no-mouse --max-memory 4 --count $R 2>$IT_TMP/tui.err" /dev/null \
	>/dev/null 2>&1
rc=$?
it_check "the console past a cap exits 8 and says what it refused (got $rc after $R messages)" \
	bash -c "[ $rc -eq 8 ] && grep -q 'this session dropped 0 message(s) and refused [1-9][0-9]* entit' '$IT_TMP/tui.err'"

it_summary
