#!/usr/bin/env bash
# End to end: the commands that manage what the platform keeps — update-system,
# create-component, update-component, publish-datapoint, raise-event,
# resolve-event (docs/actions.md) — against a real mosquitto and drivr-sim.
# Per command: confirmed by the retained twin (read back with mosquitto_sub),
# or for a datapoint "sent, no error" (the platform confirms none);
# invalid input refused before connecting with nothing published (a
# subscriber on input/#, proven subscribed by its marker, sees only the
# markers); an /error reply from the platform shown with its code (exit 4);
# --read-only refuses every one (exit 6); one audit line per request.
# Every process started here is stopped on exit (lib.sh); only 127.0.0.1.
set -u
cd "$(dirname "$0")/../.."
. tests/integration/lib.sh

BUILD=${BUILD:-build}
SIM=$(pwd)/$BUILD/drivr-sim
CONSOLE=$(pwd)/$BUILD/drivr-console
for f in "$SIM" "$CONSOLE"; do [ -x "$f" ] || { echo "missing $f (run make)"; exit 1; }; done
for tool in mosquitto mosquitto_pub mosquitto_sub python3; do
	command -v "$tool" >/dev/null || { echo "test_manage: $tool is missing (make deps)"; exit 1; }
done

SLUG=mngtest
(umask 077 && printf 'user-token-%s\n' "$$" >"$IT_TMP/user.token")
export XDG_STATE_HOME="$IT_TMP/state"
AUDIT="$IT_TMP/audit.log"
it_action_world || { it_summary; exit 1; }
read -r METER_MODEL SYS_EVENT_MODEL SINGLE_MODEL HP_UUID <<<"$(python3 - "$IT_TMP/world.json" "$SYS" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
meter = [m["uuid"] for m in d["componentModels"] if m["code"] == "smart-meter"][0]
ranged = [m["uuid"] for m in d["eventModels"] if m["code"] == "MAINTENANCE-MODE"][0]
single = [m["uuid"] for m in d["eventModels"] if m["code"] == "SELF-TEST-PASSED"][0]
hp = [c["uuid"] for c in d["components"] if c["systemUuid"] == sys.argv[2] and c["code"] == "heat-pump-1"][0]
print(meter, ranged, single, hp)
PY
)"
[ -n "${HP_UUID:-}" ] || { it_fail "models and the heat pump from the snapshot"; it_summary; exit 1; }

ARGS=($PLAIN -s "$SLUG" --settle 0.3 --timeout 20 --audit-log "$AUDIT" "${CATALOGUE_ARGS[@]}")
act() { # NAME args... → exit status in RC, output in NAME.stdout / NAME.stderr
	local name=$1
	shift
	timeout 40 "$CONSOLE" "$@" "${ARGS[@]}" >"$IT_TMP/$name.stdout" 2>"$IT_TMP/$name.stderr"
	RC=$?
	[ -s "$IT_TMP/$name.stdout" ] && echo "    $name: stdout not empty" && RC=99
	return 0
}
twin() { # TOPIC → the retained message, at most 5 s
	timeout 10 mosquitto_sub $PLAIN -t "$1" -C 1 -W 5 2>/dev/null
}
has() { # JSON PYTHON-EXPR over d
	python3 -c 'import json,sys; d=json.loads(sys.argv[1]); sys.exit(0 if eval(sys.argv[2]) else 1)' "$1" "$2"
}
SYSTOPIC="drivr/v1/$SLUG/systems/$SYS"

# --- confirmed by the twin ------------------------------------------------------------
act sys update-system --system "$SYS" --name "Depot North" --description "after the refit" --wait
it_check "update-system: exit 0, confirmed" \
	bash -c "[ $RC -eq 0 ] && grep -q '^confirmed: update system ${SYS:0:8}: name description' '$IT_TMP/sys.stderr'"
it_check "... the retained system shows the new name and description" \
	has "$(twin "$SYSTOPIC")" 'd["name"] == "Depot North" and d["description"] == "after the refit"'

act ccreate create-component --system "$SYS" --component meter-9 --model "$METER_MODEL" \
	--name "Meter 9" --wait
it_check "create-component: exit 0, confirmed" \
	bash -c "[ $RC -eq 0 ] && grep -q '^confirmed: create component meter-9' '$IT_TMP/ccreate.stderr'"
it_check "... the retained component meter-9 appeared with its model" \
	has "$(twin "$SYSTOPIC/components/meter-9")" "d['name'] == 'Meter 9' and d['componentModelUuid'] == '$METER_MODEL'"

act cupdate update-component --system "$SYS" --component meter-9 --name "Meter nine" \
	--status DEACTIVATED --wait
it_check "update-component: exit 0, confirmed; the twin shows name and status" \
	bash -c "[ $RC -eq 0 ] && grep -q '^confirmed: update component meter-9' '$IT_TMP/cupdate.stderr'" &&
	has "$(twin "$SYSTOPIC/components/meter-9")" 'd["name"] == "Meter nine" and d["status"] == "DEACTIVATED"'

act dp publish-datapoint --system "$SYS" --component heat-pump-1 --service heating \
	--characteristic flow-temperature --value 41.5 --error-wait 1
it_check "publish-datapoint: exit 0, \"sent, no error\" after --error-wait (never \"confirmed\")" \
	bash -c "[ $RC -eq 0 ] && grep -q '^sent, no error: publish heat-pump-1/heating/flow-temperature = 41.5: no /error reply within 1 s' '$IT_TMP/dp.stderr' && ! grep -q confirmed '$IT_TMP/dp.stderr'"

printf '%s\n' '{"componentCode":"heat-pump-1","serviceCode":"heating","characteristicCode":"power","value":2100}' \
	'' '{"componentCode":"heat-pump-1","serviceCode":"heating","characteristicCode":"compressor-active","value":true,"time":"2026-01-01T00:00:00Z"}' \
	>"$IT_TMP/values.jsonl"
act dps publish-datapoint --system "$SYS" --values-file - --error-wait 1 <"$IT_TMP/values.jsonl"
it_check "publish-datapoint --values-file -: two lines in one message, sent, no error" \
	bash -c "[ $RC -eq 0 ] && grep -q '^sent, no error: publish 2 datapoints' '$IT_TMP/dps.stderr'"

act raise raise-event --system "$SYS" --model "$SYS_EVENT_MODEL" --wait
it_check "raise-event: exit 0, confirmed (the event appeared)" \
	bash -c "[ $RC -eq 0 ] && grep -q '^confirmed: raise event' '$IT_TMP/raise.stderr'"
RAISED=$(python3 - "$AUDIT" <<'PY'
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
print([l for l in lines if l["action"] == "raise-event"][-1]["outcome"])
PY
)
EVENT=$(timeout 10 mosquitto_sub $PLAIN -t "$SYSTOPIC/events/+" -W 3 2>/dev/null |
	python3 -c "
import json, sys
for l in sys.stdin:
    d = json.loads(l)
    if d.get('eventModelUuid') == '$SYS_EVENT_MODEL' and d.get('status') == 'ACTIVE' and d.get('entityUuid') == '$SYS':
        print(d['uuid'])" | tail -1)
it_check "... an ACTIVE event of that model on the system is retained" [ -n "$EVENT" ]

act resolve resolve-event --event "$EVENT" --wait
it_check "resolve-event: exit 0, confirmed; the twin shows it RESOLVED with its endTime" \
	bash -c "[ $RC -eq 0 ] && grep -q '^confirmed: resolve event $EVENT' '$IT_TMP/resolve.stderr'" &&
	has "$(twin "$SYSTOPIC/events/$EVENT")" 'd["status"] == "RESOLVED" and d["endTime"]'
act again resolve-event --event "$EVENT" --wait
it_check "resolve-event of a RESOLVED event: refused before sending (exit 2)" \
	bash -c "[ $RC -eq 2 ] && grep -q 'refused before sending: event .* is RESOLVED' '$IT_TMP/again.stderr'"

# --- /error replies: well formed, refused by the platform ---------------------------------
act unknown create-component --system "$SYS" --component meter-10 \
	--model 00000000-0000-4000-8000-00000000beef --wait
it_check "create-component of an unknown model: exit 4, the platform's message and code" \
	bash -c "[ $RC -eq 4 ] && grep -q '^error: create component meter-10: no component model 00000000-0000-4000-8000-00000000beef \[UNKNOWN_COMPONENT_MODEL\]' '$IT_TMP/unknown.stderr'"
act dperr publish-datapoint --system "$SYS" --component heat-pump-1 --service heating \
	--characteristic no-such-thing --value 1
it_check "publish-datapoint to a characteristic the model lacks: exit 4 with the /error reply" \
	bash -c "[ $RC -eq 4 ] && grep -q '^error: .*no characteristic heating/no-such-thing \[UNKNOWN_CHARACTERISTIC\]' '$IT_TMP/dperr.stderr'"
act everr raise-event --system "$SYS" --model 00000000-0000-4000-8000-00000000feed --wait
it_check "raise-event of an unknown event model: exit 4, [UNKNOWN_EVENT_MODEL]" \
	bash -c "[ $RC -eq 4 ] && grep -q '\[UNKNOWN_EVENT_MODEL\]' '$IT_TMP/everr.stderr'"
act syserr update-system --system 00000000-0000-4000-8000-00000000dead --name Nowhere --wait
it_check "update-system of a system the platform does not have: exit 4, [UNKNOWN_SYSTEM]" \
	bash -c "[ $RC -eq 4 ] && grep -q '\[UNKNOWN_SYSTEM\]' '$IT_TMP/syserr.stderr'"
act modelerr update-component --system "$SYS" --component heat-pump-1 --model "$METER_MODEL" --wait
it_check "update-component changing its model: exit 4, [MODEL_IMMUTABLE]" \
	bash -c "[ $RC -eq 4 ] && grep -q '\[MODEL_IMMUTABLE\]' '$IT_TMP/modelerr.stderr'"

# --- refused before sending: nothing published -------------------------------------------
MARK="drivr/v1/$SLUG/manage-marker"
it_spawn watch mosquitto_sub $PLAIN -t "drivr/v1/$SLUG/input/system/#" -t "drivr/v1/$SLUG/input/component/#" \
	-t "drivr/v1/$SLUG/input/event/#" -t "drivr/v1/$SLUG/input/datapoint/$SYS/#" -t "$MARK" -v
WATCH_PID=$IT_PID
it_check "a subscriber on the inputs is in (its marker came back)" it_sub_ready "$IT_TMP/watch.out" "$MARK" 5
refused=0
bad() { # NAME WANT-STDERR args...
	local name=$1 want=$2
	shift 2
	act "$name" "$@"
	if [ "$RC" -eq 2 ] && grep -q -- "$want" "$IT_TMP/$name.stderr"; then
		refused=$((refused + 1))
	else
		echo "    $name: exit $RC"; sed 's/^/      /' "$IT_TMP/$name.stderr"
	fi
}
bad b1 'status "ON" is not one of ACTIVATED, DEACTIVATED, ARCHIVED' update-system --system "$SYS" --status ON
bad b2 'nothing to update' update-system --system "$SYS"
bad b3 'missing --model UUID' create-component --system "$SYS" --component meter-11
bad b4 'not a UUID' create-component --system "$SYS" --component meter-11 --model 1234
bad b5 'connection-state "PARTIALLY_CONNECTED" is not one of' update-component --system "$SYS" \
	--component heat-pump-1 --connection-state PARTIALLY_CONNECTED
bad b6 "holds a topic character" create-component --system "$SYS" --component 'a/b' --model "$METER_MODEL"
bad b7 'is not an ISO-8601 date-time' raise-event --system "$SYS" --model "$SYS_EVENT_MODEL" --time yesterday
bad b8 'missing --event UUID' resolve-event
bad b9 'missing --value V' publish-datapoint --system "$SYS" --component heat-pump-1 --service heating \
	--characteristic power
printf '%s\n' '{"componentCode":"heat-pump-1","serviceCode":"heating","characteristicCode":"power","value":1}' \
	'{"componentCode":"heat-pump-1","value":2}' >"$IT_TMP/bad.jsonl"
bad b10 "values-file $IT_TMP/bad.jsonl:2: no time stream" publish-datapoint --system "$SYS" --values-file "$IT_TMP/bad.jsonl"
# known to the twin: refused after connecting, still before sending
bad b11 'refused before sending: system .* has a component heat-pump-1 already' \
	create-component --system "$SYS" --component heat-pump-1 --model "$METER_MODEL"
bad b12 'refused before sending: .* is SINGLE_POINT: only a RANGED event has an end time' \
	raise-event --system "$SYS" --component heat-pump-1 --model "$SINGLE_MODEL" --end-time 2026-01-01T00:00:00Z
bad b13 'refused before sending: .*flow-temperature-setpoint is a SETTING' publish-datapoint --system "$SYS" \
	--component heat-pump-1 --service heating --characteristic flow-temperature-setpoint --value 45
bad b14 'refused before sending: "warm" is not a number' publish-datapoint --system "$SYS" \
	--component heat-pump-1 --service heating --characteristic power --value warm
timeout 5 mosquitto_pub $PLAIN -t "$MARK" -m after
it_check "... the marker published after the attempts arrived" wait_for "$IT_TMP/watch.out" "^$MARK after" 5
it_stop "$WATCH_PID"
it_check "invalid input: all 14 refused with exit 2, each saying why" [ $refused -eq 14 ]
# The datapoint input also carries the devices' own stream (drivr-sim's,
# JSON and MessagePack): there, none of what the refused commands carried.
it_check "... and none of it was published (no system, component or event input; no refused datapoint)" \
	bash -c "! grep -av '^$MARK ' '$IT_TMP/watch.out' | grep -aqv '^drivr/v1/$SLUG/input/datapoint/' &&
		 ! grep -a '^drivr/v1/$SLUG/input/datapoint/' '$IT_TMP/watch.out' |
			grep -aEq 'flow-temperature-setpoint|warm|\"value\":[12][,}]'"
it_check "drivr-sim took its devices' own datapoints without an /error (one reply: the unknown characteristic)" \
	bash -c "[ \$(grep -c '/input/datapoint/.*: [A-Z_][A-Z_]* ' '$SIM_LOG') -eq 1 ]"

ro=0
for a in "update-system --system $SYS --name x" \
	"create-component --system $SYS --component m --model $METER_MODEL" \
	"update-component --system $SYS --component heat-pump-1 --name x" \
	"publish-datapoint --system $SYS --component heat-pump-1 --service heating --characteristic power --value 1" \
	"raise-event --system $SYS --model $SYS_EVENT_MODEL" "resolve-event --event $SYS"; do
	# shellcheck disable=SC2086 # the words of $a
	timeout 10 "$CONSOLE" $a --read-only "${ARGS[@]}" >/dev/null 2>"$IT_TMP/ro.err"
	[ $? -eq 6 ] && grep -q 'refused: read-only mode' "$IT_TMP/ro.err" && ro=$((ro + 1))
done
it_check "--read-only refuses all six (exit 6)" [ $ro -eq 6 ]

it_check "audit log: one line per request sent, with its outcome" python3 - "$AUDIT" <<'PY'
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
got = [(l["action"], l["outcome"].split(":")[0]) for l in lines]
want = [("update-system", "confirmed"), ("create-component", "confirmed"),
        ("update-component", "confirmed"), ("publish-datapoint", "sent, no error"),
        ("publish-datapoint", "sent, no error"), ("raise-event", "confirmed"),
        ("resolve-event", "confirmed"), ("create-component", "error"),
        ("publish-datapoint", "error"), ("raise-event", "error"), ("update-system", "error"),
        ("update-component", "error")]
ok = got == want and all(l["topic"] and l["payload"] for l in lines)
ok = ok and "[UNKNOWN_COMPONENT_MODEL]" in lines[7]["outcome"]
ok = ok and json.loads(lines[0]["payload"]) == {"name": "Depot North", "description": "after the refit"}
if not ok:
    print("    audit:", got)
sys.exit(0 if ok else 1)
PY
it_check "no sanitizer report from drivr-sim or the commands" \
	bash -c "! grep -lE 'ERROR: (Address|Leak)Sanitizer|runtime error:' '$SIM_LOG' '$IT_TMP'/*.stderr"
it_summary
