#!/usr/bin/env bash
# Integration: a broker that refuses drivr/v1/<slug>/# (SUBACK 0x80) but
# allows the per-family filters.  The console falls back, reports which
# filters were refused, and still receives.  The broker's refusal comes from a
# small mosquitto plugin built here (acl_refuse_plugin.c): mosquitto's own
# acl_file only filters delivery and never refuses a SUBSCRIBE.
set -u
cd "$(dirname "$0")/../.."
. tests/integration/lib.sh

CONSOLE=${BUILD:-build}/drivr-console
SLUG=adam
gcc -std=c11 -D_DEFAULT_SOURCE -Wall -Wextra -Werror -fPIC -shared \
	-o "$IT_TMP/acl_refuse.so" tests/integration/acl_refuse_plugin.c ||
	{ echo "cannot build the ACL plugin"; exit 1; }

broker_start --conf "plugin $IT_TMP/acl_refuse.so" \
	--conf "plugin_opt_deny drivr/v1/$SLUG/# drivr/v1/$SLUG/input/#" ||
	{ echo "broker did not start"; exit 1; }
PLAIN=$(broker_plain_args)

# The single subscription of --single-subscription falls back to the
# reference's per-family filters when drivr/v1/<slug>/# is refused.
"$CONSOLE" $PLAIN -s "$SLUG" --single-subscription --log --timeout 3 >"$IT_TMP/log.ndjson" 2>"$IT_TMP/log.err" &
PID=$!
it_track "$PID"
for i in $(seq 1 100); do grep -q '"event":"subscribed"' "$IT_TMP/log.ndjson" 2>/dev/null && break; sleep 0.05; done
timeout 5 mosquitto_pub $PLAIN -q 1 -t "drivr/v1/$SLUG/systems/s1" -m '{"uuid":"s1","name":"reachable"}'
wait "$PID"
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
for i in $(seq 1 100); do grep -q '"event":"loaded"' "$IT_TMP/staged.ndjson" 2>/dev/null && break; sleep 0.05; done
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

it_summary
