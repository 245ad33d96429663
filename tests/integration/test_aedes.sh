#!/usr/bin/env bash
# Against a second broker nobody here wrote: Aedes (Node.js, tests/aedes,
# pinned by its lockfile; `make aedes` installs it).  The other scripts run
# against mosquitto; this one checks that nothing in the console depends on
# mosquitto's habits (Aedes sends retained messages after the SUBACK, in its
# own order, keeps them in memory only, and speaks MQTT 3.1.1 but not 5).
# Plain TCP on 127.0.0.1: TLS is mosquitto's part (test_transport.sh).
#
#   -V 5 is refused by Aedes: exit 1, the refusal named;
#   the retained world of drivr-sim (500 systems × 8 components, no stream:
#   about 5600 retained messages, more than a stock mosquitto queues for one
#   client) is complete in --snapshot: exactly 500 systems, 4000 components;
#   --log --count N prints N message lines, every family of the platform's
#   world and the live stream (JSON and MessagePack datapoints);
#   events deleted (empty retained payloads) while a --log follower watched:
#   a fresh --snapshot afterwards holds exactly the follower's 64 events; a
#   hostile stream (--faults) meanwhile: decode errors, no escape byte, the
#   oversized payload delivered whole and refused by the decoder;
#   set-setpoint (0 accepted, 3 rejected, 2 refused before sending, 4 error
#   reply), ack-event (0, the event republished acknowledged), issue-token (0)
#   with --wait;
#   a broker restart (Aedes loses every retained message): --log reports the
#   lost connection, reconnects (`reconnect: true`) and continues with the
#   world drivr-sim republished and the stream; --snapshot is complete again;
#   a setpoint asked for while Aedes is down goes out after it is back (0).
# Every process started here is stopped on exit (lib.sh); only 127.0.0.1.
set -u
cd "$(dirname "$0")/../.."
. tests/integration/lib.sh

BUILD=${BUILD:-build}
SIM=$(pwd)/$BUILD/drivr-sim
CONSOLE=$(pwd)/$BUILD/drivr-console
AEDES_DIR=$(pwd)/tests/aedes
for f in "$SIM" "$CONSOLE"; do [ -x "$f" ] || { echo "missing $f (run make)"; exit 1; }; done
for tool in node npm mosquitto_sub python3; do
	command -v "$tool" >/dev/null || { echo "test_aedes: $tool is missing (make deps)"; exit 1; }
done
# Installs Aedes when missing or when its lockfile changed; nothing otherwise.
make --no-print-directory aedes >"$IT_TMP/npm.log" 2>&1 ||
	{ echo "test_aedes: make aedes failed:"; tail -20 "$IT_TMP/npm.log"; exit 1; }

# --- Aedes ----------------------------------------------------------------------
AEDES_RUNS=0

# _aedes_launch — Aedes on $AEDES_PORT, log $IT_TMP/aedes-N.log; 0 once it
# says it is ready, 3 when the port was taken, 1 otherwise.
_aedes_launch() {
	AEDES_RUNS=$((AEDES_RUNS + 1))
	AEDES_LOG="$IT_TMP/aedes-$AEDES_RUNS.log"
	node "$AEDES_DIR/broker.js" "$AEDES_PORT" >"$AEDES_LOG" 2>&1 &
	AEDES_PID=$!
	it_track "$AEDES_PID"
	wait_until 10 _aedes_up || return 1
	grep -q '^aedes: ready on' "$AEDES_LOG" && return 0
	wait "$AEDES_PID" # it died: its status says why
}
_aedes_up() { grep -q '^aedes: ready on' "$AEDES_LOG" || ! it_alive "$AEDES_PID"; }

# aedes_start — on a free port (another one if it was taken meanwhile).
aedes_start() {
	local rc
	for _ in 1 2 3 4 5; do
		AEDES_PORT=$(it_free_port) || return 1
		_aedes_launch
		rc=$?
		[ $rc -eq 0 ] && return 0
		[ $rc -eq 3 ] && continue
		echo "aedes did not come up; its log:" >&2
		tail -20 "$AEDES_LOG" >&2
		return 1
	done
	return 1
}

aedes_stop() {
	it_stop "$AEDES_PID"
}

# aedes_restart — the same port again; empty, as Aedes keeps nothing on disk.
aedes_restart() {
	aedes_stop
	_aedes_launch
}

aedes_start || { echo "aedes did not start"; exit 1; }
MQ=(-h 127.0.0.1 -p "$AEDES_PORT")
it_ok "Aedes $(node -p 'require(process.argv[1] + "/node_modules/aedes/package.json").version' "$AEDES_DIR") up on 127.0.0.1:$AEDES_PORT (node $(node --version))"

# --- MQTT 5 ---------------------------------------------------------------------
timeout 15 "$CONSOLE" "${MQ[@]}" -s nobody -V 5 --log --timeout 5 >"$IT_TMP/v5.out" 2>"$IT_TMP/v5.err"
RC=$?
it_check "-V 5: Aedes refuses MQTT 5, exit 1 with the refusal named" \
	bash -c "[ $RC -eq 1 ] && grep -q 'does not speak MQTT 5 (it refused protocol version 5): connect with -V 311' '$IT_TMP/v5.err'"

# --- two simulated domains on the one broker -----------------------------------
# "world": a large retained state and no stream (so --snapshot settles);
# "act": a small world with a stream, GraphQL, devices that answer.
WORLD=aedesworld
CHURN=aedeschurn
SLUG=aedesact
USER_TOKEN="user-api-token-$$-$RANDOM"
(umask 077 && printf '%s\n' "$USER_TOKEN" >"$IT_TMP/user.token")
unset DRIVR_USER_TOKEN
export XDG_STATE_HOME="$IT_TMP/state" # the default audit log is never the real one
GQL_PORT=$(it_free_port)
GQL_URL="http://127.0.0.1:$GQL_PORT/graphql"
QUIET=(--event-interval 0 --change-interval 0 --setpoint-interval 0)

it_spawn world "$SIM" "${MQ[@]}" -s "$WORLD" --seed 7 --systems 500 --components 8 --rate 0 "${QUIET[@]}"
WORLD_PID=$IT_PID
# the catalogue extension: the actions check values against it before sending
it_spawn sim "$SIM" "${MQ[@]}" -s "$SLUG" --seed 42 --rate 20 --device-delay 0.2 "${QUIET[@]}" \
	--extensions catalogue --graphql-port "$GQL_PORT" --user-token-file "$IT_TMP/user.token"
SIM_PID=$IT_PID
# "churn": events as fast as it goes for a few seconds, so the platform deletes
# old ones (an empty retained payload), and a hostile stream (--faults),
# watched live by a --log follower.
it_spawn churn "$SIM" "${MQ[@]}" -s "$CHURN" --seed 3 --systems 3 --components 2 --rate 40 \
	--faults 0.3 --event-interval 0.02 --change-interval 0 --setpoint-interval 0 --duration 6
CHURN_PID=$IT_PID
it_check "drivr-sim ($CHURN, a new event every 20 ms, hostile stream, for 6 s) ready on Aedes" \
	wait_for "$IT_TMP/churn.out" "drivr-sim: ready" 30
"$CONSOLE" "${MQ[@]}" -s "$CHURN" --log --timeout 3 >"$IT_TMP/churn.ndjson" 2>"$IT_TMP/churn.err" &
CHURN_LOG_PID=$!
it_track "$CHURN_LOG_PID"
it_check "drivr-sim ($WORLD, 500 systems × 8 components) ready on Aedes" \
	wait_for "$IT_TMP/world.out" "drivr-sim: ready" 30
it_check "drivr-sim ($SLUG, with a stream and GraphQL) ready on Aedes" \
	wait_for "$IT_TMP/sim.out" "drivr-sim: ready" 30

# --- the retained world -----------------------------------------------------------
# snapshot_complete FILE — exactly the world drivr-sim announced, every
# component in one of its systems, all of it retained.
snapshot_complete() {
	check_json "$1" \
		'd["domain"]["slug"] == "'"$WORLD"'" and d["domain"]["retained"] is True' \
		'len(d["systems"]) == 500' \
		'len(d["components"]) == 4000' \
		'len({c["uuid"] for c in d["components"]}) == 4000' \
		'{c["systemUuid"] for c in d["components"]} == {s["uuid"] for s in d["systems"]}' \
		'len(d["componentModels"]) == 4 and len(d["eventModels"]) == 8' \
		'len(d["organizations"]) == 1 and len(d["jwks"]) == 1 and len(d["tokens"]) == 500' \
		'd["counters"]["decodeErrors"] == 0 and d["counters"]["unclassifiedMessages"] == 0'
}

snapshot_ok() { # STATUS FILE
	[ "$1" -eq 0 ] && snapshot_complete "$2"
}

timeout 40 "$CONSOLE" "${MQ[@]}" -s "$WORLD" --snapshot --settle 1 --timeout 30 \
	>"$IT_TMP/snap.json" 2>"$IT_TMP/snap.err"
RC=$?
it_check "--snapshot: exit 0, the whole retained world: 500 systems, 4000 components, 4 models, 8 event models, 500 token lists" \
	snapshot_ok $RC "$IT_TMP/snap.json"
snapshot_ok $RC "$IT_TMP/snap.json" ||
	{ sed 's/^/    snapshot: /' "$IT_TMP/snap.err"; python3 -c 'import json,sys; print("    load:", json.load(open(sys.argv[1])).get("load"))' "$IT_TMP/snap.json"; }

# --- --log --count N --------------------------------------------------------------
N=150
timeout 30 "$CONSOLE" "${MQ[@]}" -s "$SLUG" --log --count $N --timeout 20 >"$IT_TMP/log.ndjson" 2>"$IT_TMP/log.err"
RC=$?
it_check "--log --count $N: exit 0, $N message lines, every one in a known family, none a decode error" \
	check_json "$IT_TMP/log.ndjson" "$RC == 0" \
	"len([l for l in d if 'topic' in l]) == $N" \
	"all(l.get('family') not in (None, 'unclassified') for l in d if 'topic' in l)" \
	"not any('error' in l for l in d if 'topic' in l)"
it_check "--log: the platform's retained families and the live stream (JSON and MessagePack datapoints)" \
	check_json "$IT_TMP/log.ndjson" \
	"{'domain', 'organization', 'system', 'system_state', 'component', 'component_model', 'event_model', 'event', 'local_api_tokens', 'jwks', 'datapoint_input'} <= {l['family'] for l in d if 'topic' in l}" \
	"all(l['retained'] for l in d if l.get('family') in ('domain', 'system', 'component'))" \
	"not any(l['retained'] for l in d if l.get('family') == 'datapoint_input')" \
	"{'json', 'msgpack'} <= {l['format'] for l in d if l.get('family') == 'datapoint_input'}"

# --- retained deletions ---------------------------------------------------------------
# The follower saw every event and every deletion; once the churn is over a
# fresh subscriber must get exactly the events the follower ended with — none
# deleted, none missing, and no empty retained payload (the spec: a zero-byte
# retained message is not sent to new subscribers).
it_check "the churn ends" it_wait_exit "$CHURN_PID" 20
it_wait_exit "$CHURN_LOG_PID" 20 || it_stop "$CHURN_LOG_PID" # (then RC says so)
wait "$CHURN_LOG_PID" 2>/dev/null
RC=$?
it_check "hostile stream through Aedes: --log ended by itself (exit 0), decode errors reported, the ~300 KiB payload whole (refused as too large), no raw escape byte printed" \
	check_json "$IT_TMP/churn.ndjson" "$RC == 0" \
	"sum(1 for l in d if 'error' in l and 'topic' in l) > 0" \
	"any(l.get('bytes', 0) > 256 * 1024 and 'payload too large' in l['error']['message'] for l in d)" \
	"b'\\x1b' not in open('$IT_TMP/churn.ndjson', 'rb').read()"
timeout 20 "$CONSOLE" "${MQ[@]}" -s "$CHURN" --snapshot --settle 0.5 --timeout 10 >"$IT_TMP/churn.json" 2>/dev/null
RC=$?
it_check "events deleted while a --log follower watched: a fresh --snapshot holds exactly the follower's events, 64, no deletion" \
	python3 - "$IT_TMP/churn.ndjson" "$IT_TMP/churn.json" $RC <<'PY'
import json, sys
live, deleted = {}, 0
for line in open(sys.argv[1]):
    l = json.loads(line)
    if l.get("family") != "event":
        continue
    uuid = l["topic"].split("/")[-1]
    if l["bytes"] == 0:
        live.pop(uuid, None)
        deleted += 1
    else:
        live[uuid] = True
snap = json.load(open(sys.argv[2]))
got = {e["uuid"] for e in snap["events"]}
ok = (int(sys.argv[3]) == 0 and deleted > 0 and got == set(live) and len(got) == 64
      and snap["counters"]["deletions"] == 0)
if not ok:
    print(f"    follower: {len(live)} events after {deleted} deletions; snapshot: {len(got)} events, "
          f"{snap['counters']['deletions']} deletions, {len(got ^ set(live))} differ")
sys.exit(0 if ok else 1)
PY

# --- the three actions --------------------------------------------------------------
timeout 20 "$CONSOLE" "${MQ[@]}" -s "$SLUG" --snapshot --settle 0.3 --timeout 5 >"$IT_TMP/act.json" 2>/dev/null
read -r SYS EVENT <<<"$(python3 - "$IT_TMP/act.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
for s in d["systems"]:
    comps = {c["code"]: c for c in d["components"] if c["systemUuid"] == s["uuid"]}
    if comps.get("heat-pump-1", {}).get("connectionState") == "CONNECTED":
        break
ev = [e["uuid"] for e in d["events"] if not e["acknowledged"]]
print(s["uuid"], ev[0])
PY
)"
[ -n "${EVENT:-}" ] || { it_fail "ids from the snapshot of $SLUG"; it_summary; exit 1; }

ARGS=("${MQ[@]}" -s "$SLUG" --settle 0.3 --timeout 20 --audit-log "$IT_TMP/audit.log")
SP=(--system "$SYS" --component heat-pump-1 --service heating)
act() { # NAME args... → exit status in RC, output in NAME.stdout / NAME.stderr
	local name=$1
	shift
	timeout 40 "$CONSOLE" "$@" "${ARGS[@]}" >"$IT_TMP/$name.stdout" 2>"$IT_TMP/$name.stderr"
	RC=$?
	[ $RC -eq "$EXPECT" ] || sed "s/^/    $name: /" "$IT_TMP/$name.stdout" "$IT_TMP/$name.stderr"
}

EXPECT=0 act accepted set-setpoint "${SP[@]}" --characteristic flow-temperature-setpoint --value 45 --wait
it_check "set-setpoint 45: exit 0, confirmed (device: applied)" \
	bash -c "[ $RC -eq 0 ] && grep -q '^confirmed: set heat-pump-1/heating/flow-temperature-setpoint = 45 (receipt .*): applied' '$IT_TMP/accepted.stderr'"

EXPECT=3 act rejected set-setpoint "${SP[@]}" --characteristic flow-temperature-setpoint --value 57.5 --wait
it_check "set-setpoint 57.5: exit 3, rejected with the device's message" \
	bash -c "[ $RC -eq 3 ] && grep -q '^rejected: .*legionella' '$IT_TMP/rejected.stderr'"

EXPECT=2 act range set-setpoint "${SP[@]}" --characteristic flow-temperature-setpoint --value 70 --wait
it_check "set-setpoint 70: exit 2, refused before sending (above the maximum 60)" \
	bash -c "[ $RC -eq 2 ] && grep -q 'refused before sending: 70 is above the maximum 60' '$IT_TMP/range.stderr'"

EXPECT=4 act error set-setpoint "${SP[@]}" --characteristic boost-mode --value 1 --wait
it_check "set-setpoint of a characteristic the catalogue lacks: exit 4, the /error reply's code" \
	bash -c "[ $RC -eq 4 ] && grep -q '^error: .*\[UNKNOWN_CHARACTERISTIC\]' '$IT_TMP/error.stderr'"

EXPECT=0 act ack ack-event --event "$EVENT" --wait
timeout 10 mosquitto_sub "${MQ[@]}" -t "drivr/v1/$SLUG/systems/+/events/$EVENT" -C 1 -W 5 >"$IT_TMP/event.json" 2>/dev/null
it_check "ack-event: exit 0, confirmed; Aedes holds the event retained, acknowledged" \
	bash -c "[ $RC -eq 0 ] && grep -q '^confirmed: acknowledge event $EVENT' '$IT_TMP/ack.stderr' &&
		 python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if d[\"acknowledged\"] is True else 1)' '$IT_TMP/event.json'"

EXPECT=0 act token issue-token --system "$SYS" --device aedes-bulb --duration 1D --wait \
	--token-out "$IT_TMP/cli.jwt" --graphql-url "$GQL_URL" --user-token-file "$IT_TMP/user.token"
it_check "issue-token: exit 0, confirmed (in the token list), valid against the JWKS" \
	bash -c "[ $RC -eq 0 ] && grep -q '^confirmed: issue 1D token for aedes-bulb' '$IT_TMP/token.stderr' &&
		 grep -q 'JWKS (1 key): valid (RS256, kid ' '$IT_TMP/token.stderr' && grep -q '^CLOUD-ey' '$IT_TMP/cli.jwt'"

# --- a broker restart ------------------------------------------------------------------
# --log follows it; Aedes comes back empty, drivr-sim republishes its world.
"$CONSOLE" "${MQ[@]}" -s "$SLUG" --log --timeout 30 >"$IT_TMP/follow.ndjson" 2>"$IT_TMP/follow.err" &
FOLLOW_PID=$!
it_track "$FOLLOW_PID"
it_check "--log follows the stream before the restart" wait_for "$IT_TMP/follow.ndjson" '"family":"datapoint_input"' 10
SIM_READY=$(grep -c 'drivr-sim: ready' "$IT_TMP/sim.out")
WORLD_READY=$(grep -c 'drivr-sim: ready' "$IT_TMP/world.out")

aedes_stop
it_check "Aedes stopped: --log reports the connection lost" wait_for "$IT_TMP/follow.ndjson" '"event":"connection_lost"' 10
# Meanwhile a setpoint is asked for: it waits for the broker and the platform.
"$CONSOLE" set-setpoint "${SP[@]}" --characteristic flow-temperature-setpoint --value 44 --wait \
	"${ARGS[@]}" --timeout 40 >"$IT_TMP/down.stdout" 2>"$IT_TMP/down.stderr" &
DOWN_PID=$!
it_track "$DOWN_PID"
it_check "set-setpoint --wait says it cannot connect and waits" \
	wait_for "$IT_TMP/down.stderr" "cannot connect to .*--wait" 10
_aedes_launch || it_fail "Aedes restarts on port $AEDES_PORT"

it_check "--log reconnects (connected, reconnect: true)" \
	wait_for "$IT_TMP/follow.ndjson" '"event":"connected","reconnect":true' 20
republished() {
	[ "$(grep -c 'drivr-sim: ready' "$IT_TMP/sim.out")" -gt "$SIM_READY" ] &&
		[ "$(grep -c 'drivr-sim: ready' "$IT_TMP/world.out")" -gt "$WORLD_READY" ]
}
it_check "drivr-sim republished both worlds on the restarted Aedes" wait_until 20 republished
# The follower has the republished world and the stream, then stops.
followed() {
	check_json "$IT_TMP/follow.ndjson" >/dev/null \
		"{'domain', 'system', 'component', 'local_api_tokens', 'datapoint_input'} <= {l.get('family') for l in d[[i for i, l in enumerate(d) if l.get('event') == 'connected' and l['reconnect']][0]:]}"
}
it_check "--log continues after the reconnect: the republished world and the stream" wait_until 10 followed
it_stop "$FOLLOW_PID"

it_check "the set-setpoint asked for while Aedes was down ends" it_wait_exit "$DOWN_PID" 45
wait "$DOWN_PID" 2>/dev/null
RC=$?
it_check "a setpoint asked for while Aedes was down goes out after it is back, confirmed (exit 0)" \
	bash -c "[ $RC -eq 0 ] && grep -q '^confirmed: set heat-pump-1/heating/flow-temperature-setpoint = 44 ' '$IT_TMP/down.stderr'"
[ $RC -eq 0 ] || sed 's/^/    down: /' "$IT_TMP/down.stdout" "$IT_TMP/down.stderr"

timeout 40 "$CONSOLE" "${MQ[@]}" -s "$WORLD" --snapshot --settle 1 --timeout 30 \
	>"$IT_TMP/snap2.json" 2>"$IT_TMP/snap2.err"
RC=$?
it_check "after the restart --snapshot is complete again (exit 0, 500 systems, 4000 components)" \
	snapshot_ok $RC "$IT_TMP/snap2.json"

# EPIPE / ECONNRESET: a client that closed its socket (after its DISCONNECT,
# every run here ends so) while Aedes was still writing the live stream to it;
# the clients' own exit statuses are checked above.
it_check "Aedes logged no client errors (but sockets closed mid-write)" bash -c \
	"! grep -h 'error' '$IT_TMP'/aedes-*.log | grep -v 'unacceptable protocol version' | grep -v 'EPIPE\|ECONNRESET'"
for pid in "$SIM_PID" "$WORLD_PID"; do it_stop "$pid"; done
it_summary
