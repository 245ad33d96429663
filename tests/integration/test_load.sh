#!/usr/bin/env bash
# Integration: the retained state loaded whole from brokers with their
# *default* limits, and completeness reported, never assumed (issue 11).
#
#   - a stock mosquitto (no max_queued_messages line: 20 in flight + 1 000
#     queued per client) and drivr-sim --systems 500 --components 8: the
#     snapshot holds all 500 systems and 4 000 components, and says complete;
#     the old single drivr/v1/<slug>/# loses most of it (shown, not assumed);
#   - the full-screen console shows the 500 systems;
#   - --snapshot on a live domain ends by itself; --timeout cutting it short,
#     a wrong slug, a broker that sends retained messages only on exact
#     topics (RabbitMQ < 3.12, played by a test plugin): exit 8 and the reason;
#   - the actions name the same reason instead of "is the slug right?".
# No broker limit is raised anywhere in this file.
set -u
cd "$(dirname "$0")/../.."
. tests/integration/lib.sh

CONSOLE=${BUILD:-build}/drivr-console
SIM=${BUILD:-build}/drivr-sim
SLUG=big

"$CONSOLE" --print-topics -s "$SLUG" >"$IT_TMP/topics.txt"
it_check "--print-topics lists the staged filters, built from the table" bash -c \
	"grep -q '^systems  0    drivr/v1/$SLUG/systems/<systemUuid>/+/#' '$IT_TMP/topics.txt' &&
	 grep -q '^live     1    drivr/v1/$SLUG/input/#' '$IT_TMP/topics.txt' &&
	 ! grep -q 'drivr/v1/$SLUG/#' '$IT_TMP/topics.txt'"

broker_start || { echo "broker did not start"; exit 1; }
PLAIN=$(broker_plain_args)
it_check "the test broker has no queue limit of its own (stock defaults)" bash -c \
	"[ -s '$BROKER_CONF' ] && ! grep -q 'max_queued\|max_inflight\|message_size' '$BROKER_CONF'"

# --- a world bigger than the broker's per-client queue ------------------------
it_spawn sim "$SIM" $PLAIN -s "$SLUG" --systems 500 --components 8 --rate 0 \
	--event-interval 0 --change-interval 0 --setpoint-interval 0
SIM_PID=$IT_PID
wait_for "$IT_TMP/sim.out" "drivr-sim: ready" 60 || { cat "$IT_TMP/sim.out"; it_fail "sim ready"; it_summary; exit 1; }
it_check "drivr-sim sent every retained message (no 'not sent' warning)" bash -c "! grep -q 'not sent' '$IT_TMP/sim.out'"

timeout 60 "$CONSOLE" $PLAIN -s "$SLUG" --snapshot --timeout 30 >"$IT_TMP/snap.json" 2>"$IT_TMP/snap.err"
it_check "stock broker: --snapshot exits 0" [ $? -eq 0 ]
it_check "stock broker: 500 systems, 4 000 components, 500 token lists, complete" \
	check_json "$IT_TMP/snap.json" \
	'len(d["systems"]) == 500' 'len(d["components"]) == 4000' 'len(d["tokens"]) == 500' \
	'all(s["componentCount"] == 8 for s in d["systems"])' \
	'd["complete"] is True and d["load"]["verdict"] == "complete"' \
	'd["load"]["systemsLoaded"] == 500 and d["load"]["refused"] == 0' \
	'd["load"]["largestBatch"] < 1020 or d["load"]["batches"] > 2'
it_check "the broker dropped nothing for the console" bash -c \
	"[ -s '$BROKER_LOG' ] && ! grep -q 'Outgoing messages are being dropped' '$BROKER_LOG'"

# What the single subscription gets from the same broker: shown, and never
# called complete (it cannot tell).
timeout 60 "$CONSOLE" $PLAIN -s "$SLUG" --snapshot --single-subscription --timeout 30 \
	>"$IT_TMP/single.json" 2>"$IT_TMP/single.err"
rc=$?
it_check "--single-subscription on a stock broker: exit 8, 'not checked' (it got $(python3 -c "import json; print(len(json.load(open('$IT_TMP/single.json'))['systems']))" 2>/dev/null) of 500 systems)" \
	bash -c "[ $rc -eq 8 ] && grep -q 'not checked' '$IT_TMP/single.err'"

# --log: one "loaded" line per connection, with the verdict
timeout 60 "$CONSOLE" $PLAIN -s "$SLUG" --log --timeout 2 >"$IT_TMP/log.ndjson" 2>"$IT_TMP/log.err"
it_check "--log says when the state is in: a 'loaded' line, complete, 500 systems" \
	check_json "$IT_TMP/log.ndjson" \
	'[l for l in d if l.get("event") == "loaded"][0]["complete"] is True' \
	'[l for l in d if l.get("event") == "loaded"][0]["systems"] == 500' \
	'len([l for l in d if l.get("family") == "component"]) == 4000'

# --- the full-screen console on the same broker --------------------------------
if command -v tmux >/dev/null; then
	echo "env TERM=xterm-256color LC_ALL=C.UTF-8 $CONSOLE $PLAIN -s $SLUG --no-mouse 2>$IT_TMP/tui.err; exec sleep 60" \
		>"$IT_TMP/pane.sh"
	it_tmux_open load 120 30 "$IT_TMP/pane.sh" || it_fail "tmux starts"
	it_check "the console's Systems view holds 500 rows" wait_screen '^Systems .* 500 rows' 10
	status_settled() { screen | head -1 | grep -q 'connected' && ! screen | head -1 | grep -q 'loading\|nothing for\|refused'; }
	it_check "and its status bar drops the loading notice once every stage is in" wait_until 5 status_settled
	keys 2
	it_check "its Components view holds 4 000 rows" wait_screen '^Components .* 4000 rows' 3
	T kill-server 2>/dev/null
else
	it_fail "tmux missing"
fi

# --- cut short by --timeout, a wrong slug -----------------------------------------
# --load-budget 1: one system's batch at a time, each done only after its
# quiet time (no later SUBACK to learn the order from) — 500 systems take
# far longer than --timeout 3 (the default load takes well under a second;
# --settle no longer holds it back on mosquitto, an ordered broker)
timeout 30 "$CONSOLE" $PLAIN -s "$SLUG" --snapshot --load-budget 1 --timeout 3 >"$IT_TMP/cut.json" 2>"$IT_TMP/cut.err"
rc=$?
it_check "--timeout cutting the load short: exit 8, the document says so" bash -c \
	"[ $rc -eq 8 ] && grep -q 'cut short by --timeout' '$IT_TMP/cut.err'"
it_check "the cut-short document is printed, complete false, with the reason" check_json "$IT_TMP/cut.json" \
	'd["complete"] is False and any("cut short" in r for r in d["incomplete"])'

timeout 30 "$CONSOLE" $PLAIN -s nosuchslug --snapshot --timeout 10 >"$IT_TMP/wrong.json" 2>"$IT_TMP/wrong.err"
rc=$?
it_check "a wrong slug: exit 8 naming the slug" bash -c \
	"[ $rc -eq 8 ] && grep -q 'nothing for slug \"nosuchslug\"' '$IT_TMP/wrong.err'"
it_stop "$SIM_PID"

# --- a live domain: the snapshot settles on the platform's state ------------------
it_spawn live "$SIM" $PLAIN -s live --rate 200 --event-interval 0.5 --change-interval 0.5
LIVE_PID=$IT_PID
wait_for "$IT_TMP/live.out" "drivr-sim: ready" 30 || it_fail "live sim ready"
start=$(date +%s.%N)
timeout 60 "$CONSOLE" $PLAIN -s live --snapshot >"$IT_TMP/livesnap.json" 2>"$IT_TMP/livesnap.err"
rc=$?
took=$(python3 -c "import time; print(round(time.time() - $start, 2))")
it_check "a live domain (200 datapoints/s, events, changes): --snapshot ends by itself in ${took} s, exit 0" \
	bash -c "[ $rc -eq 0 ] && python3 -c 'import sys; sys.exit(0 if $took < 5 else 1)'"
it_check "with every system, component, model, event and token list" check_json "$IT_TMP/livesnap.json" \
	'len(d["systems"]) == 5 and len(d["components"]) == 20 and len(d["componentModels"]) == 4' \
	'len(d["eventModels"]) == 8 and len(d["tokens"]) == 5 and len(d["events"]) >= 1' \
	'd["complete"] is True'
it_stop "$LIVE_PID"
broker_stop

# --- retained messages only on exact topics (RabbitMQ before 3.12) ---------------
gcc -std=c11 -D_DEFAULT_SOURCE -Wall -Wextra -Werror -fPIC -shared \
	-o "$IT_TMP/acl_refuse.so" tests/integration/acl_refuse_plugin.c || it_fail "build the test plugin"
broker_start --conf "plugin $IT_TMP/acl_refuse.so" \
	--conf "plugin_opt_retained_only_for drivr/v1/rabbit" || { it_fail "plugin broker"; it_summary; exit 1; }
PLAIN=$(broker_plain_args)
it_spawn rsim "$SIM" $PLAIN -s rabbit --rate 0 --event-interval 0 --change-interval 0 --setpoint-interval 0
wait_for "$IT_TMP/rsim.out" "drivr-sim: ready" 30 || it_fail "rabbit sim ready"
timeout 30 "$CONSOLE" $PLAIN -s rabbit --snapshot --timeout 10 >"$IT_TMP/rabbit.json" 2>"$IT_TMP/rabbit.err"
rc=$?
it_check "retained only on exact topics: --snapshot exits 8 and names the cause" bash -c \
	"[ $rc -eq 8 ] && grep -q 'no retained messages to wildcard subscriptions (RabbitMQ before 3.12)' '$IT_TMP/rabbit.err'"
it_check "the document has the domain, and says incomplete" check_json "$IT_TMP/rabbit.json" \
	'd["domain"]["slug"] == "rabbit" and d["complete"] is False and len(d["systems"]) == 0'
timeout 30 "$CONSOLE" set-setpoint $PLAIN -s rabbit --system 00000000-0000-4000-8000-000000000001 \
	--component heat-pump-1 --service heating --characteristic flow-temperature-setpoint --value 45 \
	--timeout 3 --audit-log "$IT_TMP/audit.log" >"$IT_TMP/act.out" 2>"$IT_TMP/act.err"
rc=$?
it_check "an action there: exit 1 with the same cause, not 'is the slug right?'" bash -c \
	"[ $rc -eq 1 ] && grep -q 'RabbitMQ before 3.12' '$IT_TMP/act.err' && ! grep -q 'is it right' '$IT_TMP/act.err'"
if command -v tmux >/dev/null; then
	echo "env TERM=xterm-256color LC_ALL=C.UTF-8 $CONSOLE $PLAIN -s rabbit --no-mouse 2>$IT_TMP/tui2.err; exec sleep 60" \
		>"$IT_TMP/pane2.sh"
	it_tmux_open rabbit 160 30 "$IT_TMP/pane2.sh" || it_fail "tmux starts"
	it_check "the console's status bar names the cause too" \
		wait_screen '^ .*no retained messages on wildcard subscriptions \(RabbitMQ < 3\.12\?\)' 5
	it_check "and the empty Systems view gives the whole reason" wait_screen 'RabbitMQ before 3\.12' 3
	T kill-server 2>/dev/null
fi
broker_stop

it_summary
