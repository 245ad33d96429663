#!/usr/bin/env bash
# Integration: shared subscriptions (issue 16) — `--log --share GROUP` splits
# the live stream between consumers through the broker, and every consumer
# still gets the retained state whole.
#
#   - a real mosquitto (2.0.x: shared subscriptions since 1.6), a small
#     retained world from drivr-sim, three `--log --share workers` consumers
#     and one plain `--log` consumer;
#   - a flood of N live (non-retained) datapoints at QoS 1: the union of the
#     three consumers' datapoint lines is every message of the flood, none
#     twice, each consumer got a non-trivial share; the plain consumer got all
#     N (shared and plain subscriptions side by side);
#   - every consumer (shared or not) logged the retained state whole: the
#     systems of the world, each in every log (a shared subscription gets no
#     retained message: the state must come from plain ones);
#   - the live stage's SUBACK names $share/workers/<slug>/input/#, the other
#     stages' filters are plain;
#   - --share outside --log, or with a GROUP that is not one topic level:
#     exit 2 and one line;
#   - a broker that refuses the shared filter: the refusal named, exit 8.
# The broker's queue is raised so a consumer slower than the flood loses
# nothing (this file tests the split, test_load.sh the stock limits); the
# broker log is checked for drops anyway.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/integration/lib.sh

CONSOLE=${BUILD:-build}/drivr-console
SIM=${BUILD:-build}/drivr-sim
SLUG=share
N=${SHARE_FLOOD:-6000}
SYSTEMS=3
WORLD="--systems $SYSTEMS --components 2 --seed 7"

# --- refused combinations (no broker needed) ----------------------------------
for args in "--share g" "--snapshot --share g" "--print-topics --share g" \
	"--log --share a/b" "--log --share +" "--log --single-subscription --share g"; do
	# shellcheck disable=SC2086 # the words of $args are options
	timeout 10 "$CONSOLE" -s "$SLUG" -p 1 $args >/dev/null 2>"$IT_TMP/refused.err"
	rc=$?
	it_check "$args: refused, exit 2, one line ($(head -1 "$IT_TMP/refused.err"))" \
		bash -c "[ $rc -eq 2 ] && [ \$(wc -l <'$IT_TMP/refused.err') -eq 1 ] &&
			 grep -q -- '--share' '$IT_TMP/refused.err'"
done

broker_start --conf "max_queued_messages 1000000" || { echo "broker did not start"; exit 1; }
PLAIN=$(broker_plain_args)

# --- a small retained world ------------------------------------------------------
# shellcheck disable=SC2086
it_spawn world "$SIM" $PLAIN -s "$SLUG" $WORLD --rate 0 --event-interval 0 \
	--change-interval 0 --setpoint-interval 0
wait_for "$IT_TMP/world.out" "drivr-sim: ready" 60 ||
	{ cat "$IT_TMP/world.out"; it_fail "world ready"; it_summary; exit 1; }

# --- three shared consumers and a plain one ----------------------------------------
# --timeout 6: each ends by itself once the flood is over and quiet (the
# positive event that every message that was coming has come).
CONSUMERS="a b c"
# shellcheck disable=SC2086 # $PLAIN: the broker's options, several words
for name in $CONSUMERS; do
	it_spawn "log-$name" "$CONSOLE" $PLAIN -s "$SLUG" -i "share-$name" --log --share workers \
		--timeout 6
	eval "PID_$name=\$IT_PID"
done
# shellcheck disable=SC2086
it_spawn log-plain "$CONSOLE" $PLAIN -s "$SLUG" -i share-plain --log --timeout 6
# shellcheck disable=SC2034 # read through eval below
PID_plain=$IT_PID
for name in $CONSUMERS plain; do
	it_check "consumer $name: staged load in ('loaded' line)" \
		wait_for "$IT_TMP/log-$name.out" '"event":"loaded"' 20
done

# shellcheck disable=SC2086
timeout 120 "$SIM" $PLAIN -s "$SLUG" $WORLD -i share-flood --flood "$N" --series "$N" \
	--flood-qos 1 --payload-bytes 200 >"$IT_TMP/flood.out" 2>&1
it_check "the flood: $N datapoints accepted by the broker ($(tail -1 "$IT_TMP/flood.out"))" \
	bash -c "[ $? -eq 0 ] && grep -q 'messages=$N .* failed=0' '$IT_TMP/flood.out'"

for name in $CONSUMERS plain; do
	eval "pid=\$PID_$name"
	# shellcheck disable=SC2154 # set by eval
	it_check "consumer $name ends by itself after the quiet --timeout" it_wait_exit "$pid" 60
	wait "$pid"
	rc=$?
	it_check "consumer $name: exit 0" [ "$rc" -eq 0 ]
done
it_check "the broker dropped nothing" bash -c \
	"! grep -q 'Outgoing messages are being dropped' '$BROKER_LOG'"

# The flood's messages: one characteristic code each (--series N), k00000 ...
cat >"$IT_TMP/split.py" <<'EOF'
import json, sys
n, systems, tmp, names = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4:]
def read(name):
    codes, system_lines, subs = [], {}, []
    for line in open(f"{tmp}/log-{name}.out"):
        if not line.startswith("{"):
            continue
        d = json.loads(line)
        if d.get("event") == "subscribed":
            subs.append(d)
        if d.get("family") == "datapoint_input":
            codes.append(d["decoded"]["characteristicCode"])
        if d.get("family") == "system":
            system_lines[d["topic"]] = system_lines.get(d["topic"], 0) + d.get("retained", False)
    return codes, system_lines, subs
logs = {name: read(name) for name in names + ["plain"]}
want = {"k%05d" % i for i in range(n)}
union = [c for name in names for c in logs[name][0]]
shares = {name: len(logs[name][0]) for name in names}
checks = {
    "union": set(union) == want,
    "no_duplicates": len(union) == len(set(union)),
    "shares": all(s >= n // 10 for s in shares.values()),
    "plain_all": sorted(logs["plain"][0]) == sorted(want),
    "state_everywhere": all(len(logs[name][1]) == systems and all(logs[name][1].values())
                            for name in logs),
}
shared_live = all(
    any(s.get("stage") == "live" and f"$share/workers/drivr/v1/share/input/#" in s.get("granted", [])
        for s in logs[name][2])
    and all("$share" not in f for s in logs[name][2] if s.get("stage") != "live"
            for f in s.get("granted", []) + s.get("refused", []))
    for name in names)
plain_live = any(s.get("stage") == "live" and "drivr/v1/share/input/#" in s.get("granted", [])
                 for s in logs["plain"][2])
checks["subscriptions"] = shared_live and plain_live
print(json.dumps({"shares": shares, "union": len(union), "distinct": len(set(union)),
                  "plain": len(logs["plain"][0]), "checks": checks}))
EOF
# shellcheck disable=SC2086 # one argument per consumer
python3 "$IT_TMP/split.py" "$N" "$SYSTEMS" "$IT_TMP" $CONSUMERS >"$IT_TMP/split.json" 2>"$IT_TMP/split.err" ||
	cat "$IT_TMP/split.err"
echo "# split: $(cat "$IT_TMP/split.json")"
split_ok() { check_json "$IT_TMP/split.json" "d[\"checks\"][\"$1\"] is True"; }
it_check "the union of the three shared consumers' lines is every message of the flood" split_ok union
it_check "no message reached two shared consumers" split_ok no_duplicates
it_check "each shared consumer got a non-trivial share (>= N/10)" split_ok shares
it_check "the plain consumer beside them got all $N" split_ok plain_all
it_check "every consumer logged the retained state whole ($SYSTEMS systems, retained)" \
	split_ok state_everywhere
it_check "the live stage is \$share/workers/.../input/#, the state stages plain" \
	split_ok subscriptions

# --- a broker that refuses the shared filter: shown, never silent -----------------------
# (the test plugin refuses SUBSCRIBE to the filters given, as mosquitto hands
# them to it: the shared one with its $share/GROUP/ prefix)
broker_stop
if gcc -std=c11 -D_DEFAULT_SOURCE -Wall -Wextra -Werror -fPIC -shared \
	-o "$IT_TMP/acl_refuse.so" tests/integration/acl_refuse_plugin.c; then
	broker_start --conf "plugin $IT_TMP/acl_refuse.so" \
		--conf "plugin_opt_deny \$share/workers/drivr/v1/$SLUG/input/#" ||
		{ echo "broker did not start"; exit 1; }
	PLAIN=$(broker_plain_args)
	# shellcheck disable=SC2086
	timeout 60 "$SIM" $PLAIN -s "$SLUG" $WORLD --rate 0 --event-interval 0 --change-interval 0 \
		--setpoint-interval 0 --duration 1 >/dev/null 2>&1 || it_fail "the world on the second broker"
	# shellcheck disable=SC2086
	timeout 30 "$CONSOLE" $PLAIN -s "$SLUG" --log --share workers --timeout 2 \
		>"$IT_TMP/refused.ndjson" 2>"$IT_TMP/refused-log.err"
	rc=$?
	it_check "shared filter refused by the broker: exit 8" [ "$rc" -eq 8 ]
	it_check "... the refusal names the shared filter on stderr" \
		grep -qF "refused 1 subscription(s): \$share/workers/drivr/v1/$SLUG/input/#" \
		"$IT_TMP/refused-log.err"
	it_check "... and the 'loaded' line says not complete" \
		grep -qF '"event":"loaded","complete":false' "$IT_TMP/refused.ndjson"
else
	it_fail "build the test plugin"
fi

it_summary
