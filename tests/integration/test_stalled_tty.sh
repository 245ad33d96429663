#!/usr/bin/env bash
# The full-screen console on a terminal nobody reads (a stalled
# SSH link; Ctrl-S no longer stops it: XON/XOFF is off) while a flood of
# 64 KiB messages arrives.  Drawing must not hold up the drain: every message
# is ingested while the terminal is stalled (frames skipped, counted), and
# memory stays within --max-memory.  The terminal is a real pty
# (stalled_tty.py) that is simply not read for a while.  (Before ui/ttyout
# the console blocked in a frame's write here: 241 of 241 messages arrived
# only after the reader came back.)
set -u
cd "$(dirname "$0")/../.."
. tests/integration/lib.sh

CONSOLE=${BUILD:-build}/drivr-console
SIM=${BUILD:-build}/drivr-sim
SLUG=stall
N=200

# log_type subscribe: the broker logs each SUBSCRIBE (the console's live stage below)
broker_start --conf "log_type subscribe" || { echo "broker did not start"; exit 1; }
PLAIN=$(broker_plain_args)
# a small retained world, so the staged load is in before the flood
it_spawn sim "$SIM" $PLAIN -s "$SLUG" --systems 2 --components 2 --rate 0 \
	--event-interval 0 --change-interval 0 --setpoint-interval 0
it_check "drivr-sim ready" wait_for "$IT_TMP/sim.out" "drivr-sim: ready" 30
RETAINED=$(timeout 10 mosquitto_sub $PLAIN -t "drivr/v1/$SLUG/#" --retained-only -W 2 2>/dev/null | wc -l)

python3 tests/integration/stalled_tty.py 8 30 "$IT_TMP/stats.json" -- \
	"$CONSOLE" $PLAIN -s "$SLUG" --no-mouse --max-memory 64 --count $((RETAINED + N)) \
	--stats-file "$IT_TMP/stats.json" >"$IT_TMP/stall.out" 2>"$IT_TMP/stall.err" &
STALL_PID=$!
it_track "$STALL_PID"
it_check "console started on its pty" wait_for "$IT_TMP/stall.out" "started" 15
# Its staged load ends with the live stage: once the broker has that
# SUBSCRIBE, the flood reaches the console.
it_check "the console's live stage subscribed (drivr/v1/$SLUG/input/#)" \
	wait_for "$BROKER_LOG" "drivr-console-.* drivr/v1/$SLUG/input/#\$" 15
it_check "its terminal is stalled (keys pressed, nothing read)" wait_for "$IT_TMP/stall.out" "^stalled" 15
timeout 60 "$SIM" $PLAIN -s "$SLUG" --flood "$N" --payload-bytes 65536 --flood-qos 1 \
	>"$IT_TMP/flood.out" 2>&1 || it_fail "flood"
it_check "the console ends by itself after every message (--count)" it_wait_exit "$STALL_PID" 60
wait "$STALL_PID"
tail -1 "$IT_TMP/stall.out" >"$IT_TMP/result.json"
it_check "every message ingested while nobody read the terminal, frames skipped, memory bounded" \
	check_json "$IT_TMP/result.json" \
	'd["stats"] is not None and d["stats"]["messages"] >= '"$((RETAINED + N))" \
	'd["stats"]["lastMessage"] < d["resumed"]' \
	'd["stats"]["framesSkipped"] > 0' \
	'0 < d["peakRssKb"] < 96 * 1024' \
	'd["exit"] == 0'
cat "$IT_TMP/result.json" | python3 -c 'import json,sys; d=json.load(sys.stdin); s=d["stats"] or {}; print("    messages %s, frames %s, skipped %s, peak RSS %s KiB, last message %.2f s before the reader came back" % (s.get("messages"), s.get("frames"), s.get("framesSkipped"), d["peakRssKb"], d["resumed"] - (s.get("lastMessage") or 0)))' 2>/dev/null
broker_stop
it_summary
