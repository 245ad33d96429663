#!/usr/bin/env bash
# Integration: a broker whose ACL refuses
#  - SUBSCRIBE to drivr/v1/<slug>/# (SUBACK 0x80) but allows the per-family
#    filters: the console falls back, reports which filters were refused,
#    and still receives;
#  - PUBLISH under drivr/v1/<slug5>/input/# (MQTT 5: PUBACK 0x87 "not
#    authorized"; MQTT 3.1.1: a plain PUBACK, the message dropped): a
#    set-setpoint with -V 5 exits 7 "refused by the broker: not authorized
#    (0x87)", with -V 311 it says it cannot tell; the full-screen console
#    (tmux) shows the request failed with the same reason.
# The refusals come from a small mosquitto plugin built here
# (acl_refuse_plugin.c): mosquitto's own acl_file only filters delivery and
# never refuses a SUBSCRIBE.  Started processes are stopped on exit (lib.sh).
set -u
cd "$(dirname "$0")/../.."
. tests/integration/lib.sh

BUILD=${BUILD:-build}
CONSOLE=$(pwd)/$BUILD/drivr-console
SIM=$(pwd)/$BUILD/drivr-sim
for f in "$SIM" "$CONSOLE"; do [ -x "$f" ] || { echo "missing $f (run make)"; exit 1; }; done
for tool in gcc mosquitto mosquitto_pub tmux python3; do
	command -v "$tool" >/dev/null || { echo "test_acl: $tool is missing (make deps)"; exit 1; }
done
SLUG=adam
SLUG5=acl5
gcc -std=c11 -D_DEFAULT_SOURCE -Wall -Wextra -Werror -fPIC -shared \
	-o "$IT_TMP/acl_refuse.so" tests/integration/acl_refuse_plugin.c ||
	{ echo "cannot build the ACL plugin"; exit 1; }

broker_start --conf "plugin $IT_TMP/acl_refuse.so" \
	--conf "plugin_opt_deny drivr/v1/$SLUG/# drivr/v1/$SLUG/input/#" \
	--conf "plugin_opt_deny_publish drivr/v1/$SLUG5/input/#" ||
	{ echo "broker did not start"; exit 1; }
PLAIN=$(broker_plain_args)

# The single subscription of --single-subscription falls back to the
# reference's per-family filters when drivr/v1/<slug>/# is refused.
"$CONSOLE" $PLAIN -s "$SLUG" --single-subscription --log --timeout 3 >"$IT_TMP/log.ndjson" 2>"$IT_TMP/log.err" &
PID=$!
it_track "$PID"
it_check "--single-subscription: subscribed" wait_for "$IT_TMP/log.ndjson" '"event":"subscribed"' 5
timeout 5 mosquitto_pub $PLAIN -q 1 -t "drivr/v1/$SLUG/systems/s1" -m '{"uuid":"s1","name":"reachable"}'
wait "$PID" # bounded by its --timeout
it_check "console exits 0 after --timeout" [ $? -eq 0 ]

python3 - "$IT_TMP/log.ndjson" <<'PY' >"$IT_TMP/check.out"
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
sub = [l for l in lines if l.get("event") == "subscribed"]
assert len(sub) == 1, sub
s = sub[0]
assert s["fallback"] is True, s
assert s["refused"] == ["drivr/v1/adam/#", "drivr/v1/adam/input/#"], s["refused"]
assert "drivr/v1/adam/systems/#" in s["granted"], s["granted"]
assert any(l.get("family") == "system" and l["decoded"]["name"] == "reachable" for l in lines)
print("ok")
PY
it_check "fallback filters granted, refused ones listed, messages still arrive" grep -q '^ok$' "$IT_TMP/check.out"
[ -s "$IT_TMP/check.out" ] || cat "$IT_TMP/log.ndjson"
it_check "the refusal is reported on stderr, naming the filters" \
	grep -q 'refused 2 subscription(s): drivr/v1/adam/# drivr/v1/adam/input/#' "$IT_TMP/log.err"

# The staged load (the default) with input/# refused: the state still loads,
# the refusal is named, and the load says it is partial.
timeout 5 mosquitto_pub $PLAIN -q 1 -r -t "drivr/v1/$SLUG/systems/s1" -m '{"uuid":"s1","name":"reachable"}'
"$CONSOLE" $PLAIN -s "$SLUG" --log --timeout 3 >"$IT_TMP/staged.ndjson" 2>"$IT_TMP/staged.err" &
PID=$!
it_track "$PID"
it_check "staged: loaded" wait_for "$IT_TMP/staged.ndjson" '"event":"loaded"' 5
wait "$PID"
it_check "staged: --log of a partial state exits 8" [ $? -eq 8 ]
it_check "staged: the refused live filter is listed, the state loads, the load says partial" \
	check_json "$IT_TMP/staged.ndjson" \
	'any(l.get("event") == "subscribed" and l.get("stage") == "live" and l["refused"] == ["drivr/v1/adam/input/#"] for l in d)' \
	'any(l.get("family") == "system" and l["decoded"]["name"] == "reachable" for l in d)' \
	'any(l.get("event") == "loaded" and l["complete"] is False and l["verdict"] == "the broker refused subscriptions" and "drivr/v1/adam/input/#" in l["reason"] for l in d)'
it_check "staged: the refusal is on stderr too" grep -q 'refused 1 subscription(s): drivr/v1/adam/input/#' "$IT_TMP/staged.err"
timeout 15 "$CONSOLE" $PLAIN -s "$SLUG" --snapshot --timeout 10 >"$IT_TMP/snap.json" 2>"$IT_TMP/snap.err"
it_check "staged: a snapshot of the partial state exits 8 and says why" bash -c \
	"[ $? -eq 8 ] && grep -q 'snapshot incomplete: the broker refused 1 of' '$IT_TMP/snap.err'"

# --- a PUBLISH refused by the broker's ACL ------------------------------------------
# drivr-sim's retained world (it exits after it); the action needs no more.
timeout 60 "$SIM" $PLAIN -s "$SLUG5" --seed 3 --systems 2 --rate 0 --event-interval 0 \
	--change-interval 0 --setpoint-interval 0 --duration 1 >/dev/null 2>"$IT_TMP/sim.err" ||
	it_fail "drivr-sim: the world"
timeout 20 "$CONSOLE" $PLAIN -s "$SLUG5" --snapshot --timeout 10 >"$IT_TMP/world.json" 2>/dev/null
SYS=$(python3 -c 'import json,sys
d = json.load(open(sys.argv[1]))
print([c["systemUuid"] for c in d["components"] if c["code"] == "heat-pump-1"][0])' "$IT_TMP/world.json" 2>/dev/null)
[ -n "$SYS" ] || { it_fail "a system with heat-pump-1 in the world"; it_summary; exit 1; }
SP=(set-setpoint --system "$SYS" --component heat-pump-1 --service heating
	--characteristic flow-temperature-setpoint --value 45)
export XDG_STATE_HOME="$IT_TMP/state" # the default audit log is never the real one
timeout 30 "$CONSOLE" "${SP[@]}" $PLAIN -s "$SLUG5" -V 5 --settle 0.3 --timeout 15 \
	--audit-log "$IT_TMP/audit.log" >"$IT_TMP/acl5.stdout" 2>"$IT_TMP/acl5.stderr"
RC=$?
it_check "MQTT 5, a publish the ACL refuses: exit 7, failed: refused by the broker: not authorized (0x87)" \
	bash -c "[ $RC -eq 7 ] && grep -q '^failed: set heat-pump-1/heating/flow-temperature-setpoint = 45.*: refused by the broker: not authorized (0x87)$' '$IT_TMP/acl5.stderr'"
[ $RC -eq 7 ] || sed 's/^/    | /' "$IT_TMP/acl5.stdout" "$IT_TMP/acl5.stderr"
it_check "... its audit line says so" \
	check_json "$IT_TMP/audit.log" 'd["outcome"] == "failed: refused by the broker: not authorized (0x87)"'
timeout 30 "$CONSOLE" "${SP[@]}" $PLAIN -s "$SLUG5" -V 311 --settle 0.3 --timeout 15 \
	>"$IT_TMP/acl311.stdout" 2>"$IT_TMP/acl311.stderr"
RC=$?
it_check "MQTT 3.1.1, the same: exit 0, 'delivered ... cannot tell a message the broker dropped'" \
	bash -c "[ $RC -eq 0 ] && grep -q '^delivered: .*: to the broker; MQTT 3.1.1 cannot tell a message the broker dropped (-V 5 can)' '$IT_TMP/acl311.stderr'"

# The console: the setpoint editor, sent, the request failed with the reason.
cat >"$IT_TMP/pane.sh" <<EOF
env TERM=xterm-256color LC_ALL=C.UTF-8 TZ=UTC XDG_STATE_HOME="$IT_TMP/state" "$CONSOLE" $PLAIN \
	-s $SLUG5 -V 5 --no-mouse --settle 0.3 --audit-log "$IT_TMP/ui-audit.log" 2>"$IT_TMP/console.err"
echo "CONSOLE-EXIT=\$?"
exec sleep 60
EOF
it_tmux_open acl 250 30 "$IT_TMP/pane.sh" || { it_fail "tmux starts"; it_summary; exit 1; }
it_check "console: connected" wait_screen '● connected' 10
it_check "console: the retained state is in (no 'loading' on the status bar)" wait_screen_gone '^ .* loading' 10
keys 3
keys e
keys Up Up Up Up C-u "$SYS" Down C-u heat-pump-1 Down C-u heating Down C-u flow-temperature-setpoint Down C-u 46
keys Enter
it_check "console: the preview says it goes out now" wait_screen 'Connected: it goes out now' 5
keys Enter
keys 0
it_check "console: the request failed, refused by the broker: not authorized (0x87)" \
	wait_screen 'set .*heat-pump-1/heating/flow-temp.* ✖ failed .* refused by the broker: not authorized \(0x87\) .*input/setpoint/' 10
screen | grep -E 'Requests|failed|refused' | sed 's/^/    | /'
keys q
it_check "console: q quits" wait_screen 'CONSOLE-EXIT=' 5
it_check "console audit: failed: refused by the broker: not authorized (0x87)" \
	check_json "$IT_TMP/ui-audit.log" 'd["outcome"] == "failed: refused by the broker: not authorized (0x87)"'
T kill-server 2>/dev/null

it_summary
