#!/usr/bin/env bash
# Integration: drivr-console --log and --snapshot against a real mosquitto on
# loopback, over plain TCP and over TLS with client certificates; connection
# failures; broker restart mid-stream.  Started processes are stopped on exit.
set -u
cd "$(dirname "$0")/../.."
. tests/integration/lib.sh

CONSOLE=${BUILD:-build}/drivr-console
[ -x "$CONSOLE" ] || { echo "missing $CONSOLE (run make)"; exit 1; }
SLUG=company-example
FIX=tests/fixtures

# fixture NAME → prints "topic<TAB>payload" (payload as compact JSON)
fixture() {
	python3 - "$FIX/$1.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
print(d["topic"] + "\t" + json.dumps(d["payload"], separators=(",", ":")))
PY
}

# pub ARGS... NAME [retained] — publish a fixture, rewriting its slug to ours.
pub_fixture() {
	local args=$1 name=$2 retain=${3:-} line topic payload
	line=$(fixture "$name") || return 1
	topic=${line%%	*}
	payload=${line#*	}
	topic=$(echo "$topic" | sed -E "s#^drivr/v1/[^/]+#drivr/v1/$SLUG#")
	# shellcheck disable=SC2086
	timeout 10 mosquitto_pub $args -q 1 $retain -t "$topic" -m "$payload"
}

RETAINED="domain-state organization system component-model component event-model event setpoint jwks local-api-token"
# The fixtures' component, event, setpoint and token list belong to systems
# other than system.json's: the staged load reads the subtrees of the systems
# in the index, so each of them is announced too (as a real domain would).
OTHER_SYSTEMS="792b6149-1daa-488f-b07a-f684503b0586 3c10f7cc-3205-46ac-99d9-71e31a192cb5 9c4b33e9-f84c-4aaa-ad37-74f0078901a2"
pub_system() { # ARGS UUID
	timeout 10 mosquitto_pub $1 -q 1 -r -t "drivr/v1/$SLUG/systems/$2" \
		-m "{\"uuid\":\"$2\",\"code\":\"s-$2\",\"name\":\"system $2\",\"connectionState\":\"CONNECTED\",\"status\":\"ACTIVATED\"}"
}

# --- plain TCP: snapshot of the retained state --------------------------------
broker_start --tls || { echo "broker did not start"; exit 1; }
PLAIN=$(broker_plain_args)
for f in $RETAINED; do pub_fixture "$PLAIN" "$f" -r || it_fail "publish $f"; done
for u in $OTHER_SYSTEMS; do pub_system "$PLAIN" "$u" || it_fail "publish system $u"; done

timeout 20 "$CONSOLE" $PLAIN -s "$SLUG" --snapshot --settle 0.5 --timeout 10 >"$IT_TMP/snap.json" 2>"$IT_TMP/snap.err"
it_check "--snapshot exits 0 over TCP" [ $? -eq 0 ]
it_check "--snapshot has every retained entity, field by field" check_json "$IT_TMP/snap.json" \
	'len(d["systems"]) >= 1' \
	'any(s["uuid"] == "24ee14a3-f1c8-49aa-95fc-ad0432e23b99" and s["name"] == "World domination device" and s["connectionState"] == "CONNECTED" and s["retained"] for s in d["systems"])' \
	'any(c["code"] == "smart-meter" and c["uuid"] == "00f80405-55a3-4d8e-91c3-14a10f028cf9" and c["connectionState"] == "CONNECTED" for c in d["components"])' \
	'd["componentModels"][0]["code"] == "my-component-model" and d["componentModels"][0]["isConnective"] is True' \
	'd["eventModels"][0]["code"] == "FIRE-ALARM" and d["eventModels"][0]["eventLevel"] == "ERROR"' \
	'd["events"][0]["status"] == "RESOLVED" and d["events"][0]["acknowledged"] is False and d["events"][0]["endTime"].startswith("2022-01-01T01:00:00")' \
	'd["setpoints"][0]["receiptId"] == "0f4c2a9e-3d71-4b8a-a6e5-9c2b1d7f8e30" and d["setpoints"][0]["state"] == "CREATED" and d["setpoints"][0]["value"] == 30' \
	'd["organizations"][0]["name"] == "Acme Ltd"' \
	'd["domain"]["state"] == "ACTIVATED"' \
	'd["jwks"][0]["kid"] == "1" and d["jwks"][0]["kty"] == "RSA"' \
	'd["tokens"][0]["tokens"][0]["subjectName"] == "Ada Lovelace" and d["tokens"][0]["tokens"][0]["roles"] == "System Maintainer"' \
	'd["counters"]["decodeErrors"] == 0 and d["counters"]["messages"] == 13' \
	'd["errors"] == [] and d["unclassified"] == []' \
	'd["errorSummary"]["records"] == 0 and d["errorSummary"]["byCode"] == [] and d["errorSummary"]["evicted"] == 0' \
	'd["complete"] is True and d["load"]["systemsLoaded"] == 4 and "incomplete" not in d'
it_check "--snapshot never prints token secrets" bash -c "! grep -q CLOUD- '$IT_TMP/snap.json'"

# --- MQTT 5, profiles, bad options -------------------------------------------
timeout 20 "$CONSOLE" $PLAIN -V 5 -s "$SLUG" --snapshot --settle 0.3 --timeout 10 >"$IT_TMP/v5.json" 2>"$IT_TMP/v5.err"
it_check "-V 5 (MQTT 5) snapshot has the same systems" check_json "$IT_TMP/v5.json" \
	'any(s["name"] == "World domination device" for s in d["systems"])'

mkdir -p "$IT_TMP/xdg/drivr-console"
cat >"$IT_TMP/xdg/drivr-console/config" <<CONF
# written by test_headless.sh
[profile it]
host = 127.0.0.1
port = $BROKER_PORT
slug = $SLUG
settle = 0.3
CONF
XDG_CONFIG_HOME="$IT_TMP/xdg" timeout 20 "$CONSOLE" --profile it --snapshot --timeout 10 >"$IT_TMP/profile.json" 2>"$IT_TMP/profile.err"
it_check "--profile reads host, port and slug from \$XDG_CONFIG_HOME/drivr-console/config" \
	check_json "$IT_TMP/profile.json" 'len(d["systems"]) >= 1'

# usage_error DESCRIPTION args... — exit status 2 and exactly one line on stderr
usage_error() {
	local what=$1 rc lines
	shift
	XDG_CONFIG_HOME="$IT_TMP/xdg" timeout 5 "$CONSOLE" "$@" >/dev/null 2>"$IT_TMP/usage.err"
	rc=$?
	lines=$(grep -c . "$IT_TMP/usage.err")
	if [ $rc -eq 2 ] && [ "$lines" -eq 1 ]; then
		it_ok "$what: exit 2, $(cat "$IT_TMP/usage.err")"
	else
		it_fail "$what: rc=$rc, $lines line(s): $(cat "$IT_TMP/usage.err")"
	fi
}
usage_error "unknown option" --bogus
usage_error "missing slug" --log -p "$BROKER_PORT"
usage_error "port without a value" -s "$SLUG" -p
usage_error "unknown profile" --profile nope --log
usage_error "bad URL scheme" -L http://127.0.0.1 -s "$SLUG" --log
"$CONSOLE" --version | grep -qE '^drivr-console [0-9]+\.[0-9]+\.[0-9]+$'
it_check "--version prints the version" [ $? -eq 0 ]
"$CONSOLE" --help | grep -q -- '--cafile'
it_check "--help lists the options" [ $? -eq 0 ]

# --- plain TCP: --log of live (non-retained) traffic ---------------------------
"$CONSOLE" $PLAIN -s "$SLUG" --log --count 5 --timeout 15 >"$IT_TMP/log.ndjson" 2>"$IT_TMP/log.err" &
LOG_PID=$!
it_track "$LOG_PID"
it_check "--log --count 5: subscribed (its log says so)" wait_for "$IT_TMP/log.ndjson" '"event":"subscribed"' 5
# The 10 retained messages arrive at once: --count 5 stops after five of them.
it_wait_exit "$LOG_PID" 15
wait "$LOG_PID"
rc=$?
it_check "--log --count 5 stops by itself with status 0" [ $rc -eq 0 ]
it_check "--log printed exactly 5 message lines" \
	[ "$(grep -c '"topic"' "$IT_TMP/log.ndjson")" -eq 5 ]

"$CONSOLE" $PLAIN -s "$SLUG" --log --timeout 3 >"$IT_TMP/live.ndjson" 2>"$IT_TMP/live.err" &
LOG_PID=$!
it_track "$LOG_PID"
it_check "--log: loaded" wait_for "$IT_TMP/live.ndjson" '"event":"loaded"' 5
pub_fixture "$PLAIN" datapoint
pub_fixture "$PLAIN" setpoint-ack
pub_fixture "$PLAIN" error
timeout 5 mosquitto_pub $PLAIN -t "drivr/v1/$SLUG/systems/x" -m '{"uuid":"x","name":42}'
timeout 5 mosquitto_pub $PLAIN -t "drivr/v1/$SLUG/mystery" -m 'hello'
wait "$LOG_PID"
it_check "--log --timeout ends after the traffic stops, status 0" [ $? -eq 0 ]
it_check "--log lines carry time, topic, family, ids, retained and decoded fields or the error" \
	check_json "$IT_TMP/live.ndjson" \
	'any(l.get("family") == "datapoint_input" and l["ids"]["systemUuid"] == "792b6149-1daa-488f-b07a-f684503b0586" and l["decoded"]["value"] == "20V" and l["retained"] is False and "time" in l for l in d)' \
	'any(l.get("family") == "setpoint_ack" and l["decoded"]["state"] == "ACCEPTED" for l in d)' \
	'any(l.get("family") == "error" and l["answers"]["family"] == "system_input" and "PLACEHOLDER" in l["decoded"]["message"] for l in d)' \
	'any(l.get("family") == "system" and l.get("error", {}).get("field") == "name" and "expected string" in l["error"]["message"] for l in d)' \
	'any(l.get("family") == "unclassified" and l["topic"].endswith("/mystery") for l in d)' \
	'all(("event" in l) or ("topic" in l and "family" in l and "retained" in l) for l in d)'

# --- TLS with client certificates ----------------------------------------------
TLS=$(broker_tls_args)
timeout 20 "$CONSOLE" $TLS -s "$SLUG" --snapshot --settle 0.5 --timeout 10 >"$IT_TMP/tls.json" 2>"$IT_TMP/tls.err"
it_check "--snapshot over TLS with a client certificate" [ $? -eq 0 ]
it_check "TLS snapshot has the same retained systems" check_json "$IT_TMP/tls.json" \
	'any(s["name"] == "World domination device" for s in d["systems"])' \
	'd["broker"].startswith("ssl://")'

ENC="-h 127.0.0.1 -p $BROKER_TLS_PORT --cafile $IT_CERTS/ca.crt --cert $IT_CERTS/client.crt --key $IT_CERTS/client.enc.key"
: >"$IT_TMP/empty.pass" # an empty passphrase file: refused as every empty secret file is
echo "not-the-passphrase" >"$IT_TMP/wrong.pass"
timeout 20 "$CONSOLE" $ENC --key-pass-file "$IT_CERTS/client.pass" -s "$SLUG" --snapshot --settle 0.3 --timeout 10 >"$IT_TMP/enc.json" 2>"$IT_TMP/enc.err"
it_check "encrypted client key with --key-pass-file" [ $? -eq 0 ]
it_check "a verified TLS snapshot says so (tls: verified), no --insecure warning" bash -c \
	"check_json() { python3 -c 'import json,sys; sys.exit(0 if json.load(open(sys.argv[1]))[\"tls\"] == \"verified\" else 1)' \"\$1\"; };
	 check_json '$IT_TMP/enc.json' && ! grep -q insecure '$IT_TMP/enc.err'"
DRIVR_KEY_PASSPHRASE="$IT_KEY_PASS" timeout 20 "$CONSOLE" $ENC -s "$SLUG" --snapshot --settle 0.3 --timeout 10 >/dev/null 2>"$IT_TMP/enc2.err"
it_check "encrypted client key with DRIVR_KEY_PASSPHRASE" [ $? -eq 0 ]

# expect_failure NAME PATTERN console-args... — exit 1 within 10 s, one line naming the cause
expect_failure() {
	local name=$1 pattern=$2 start end rc lines
	shift 2
	start=$(date +%s)
	timeout 20 "$CONSOLE" "$@" -s "$SLUG" --snapshot --timeout 15 >/dev/null 2>"$IT_TMP/fail.err"
	rc=$?
	end=$(date +%s)
	lines=$(grep -c . "$IT_TMP/fail.err")
	if [ $rc -eq 1 ] && [ $((end - start)) -le 10 ] && [ "$lines" -eq 1 ] &&
		grep -qiE "$pattern" "$IT_TMP/fail.err"; then
		it_ok "$name fails fast: $(cat "$IT_TMP/fail.err")"
	else
		it_fail "$name: rc=$rc after $((end - start)) s, $lines line(s): $(cat "$IT_TMP/fail.err")"
	fi
}

expect_failure "wrong CA" "certificate verify failed" \
	-h 127.0.0.1 -p "$BROKER_TLS_PORT" --cafile "$IT_CERTS/wrong-ca.crt" --cert "$IT_CERTS/client.crt" --key "$IT_CERTS/client.key"
expect_failure "missing client certificate" "requires a client certificate" \
	-h 127.0.0.1 -p "$BROKER_TLS_PORT" --cafile "$IT_CERTS/ca.crt"
expect_failure "client certificate from another CA" "refused the client certificate.*stranger.crt" \
	-h 127.0.0.1 -p "$BROKER_TLS_PORT" --cafile "$IT_CERTS/ca.crt" --cert "$IT_CERTS/stranger.crt" --key "$IT_CERTS/stranger.key"
expect_failure "wrong key passphrase" "wrong password for key file" \
	$ENC --key-pass-file "$IT_TMP/wrong.pass"
timeout 20 "$CONSOLE" $ENC --key-pass-file "$IT_TMP/empty.pass" -s "$SLUG" --snapshot --timeout 5 \
	>/dev/null 2>"$IT_TMP/empty.err"
it_check "an empty --key-pass-file: exit 2 (a bad option, the secrets' one rule), said" \
	bash -c "[ $? -eq 2 ] && grep -q 'key-pass-file .*empty.pass is empty' '$IT_TMP/empty.err'"
expect_failure "client certificate file that does not exist" "no-such.pem" \
	-h 127.0.0.1 -p "$BROKER_TLS_PORT" --cafile "$IT_CERTS/ca.crt" --cert "$IT_CERTS/no-such.pem" --key "$IT_CERTS/client.key"
expect_failure "nothing listening" "refused|connect" -h 127.0.0.1 -p "$(it_free_port)"
broker_stop

# Wrong host name: a broker whose certificate names another host.
broker_start --tls-cert badname || { it_fail "badname broker"; it_summary; exit 1; }
expect_failure "wrong host name" "host name mismatch" $(broker_tls_args)
timeout 20 "$CONSOLE" $(broker_tls_args) --insecure -s "$SLUG" --snapshot --settle 0.3 --timeout 10 >"$IT_TMP/insecure.json" 2>"$IT_TMP/insecure.err"
# connected and subscribed: the empty broker has nothing for the slug (exit 8, said)
it_check "--insecure skips the host name check (explicitly)" bash -c \
	"[ $? -eq 8 ] && grep -q 'nothing for slug' '$IT_TMP/insecure.err'"
it_check "--insecure is said on stderr at start" \
	grep -q "warning: --insecure: the broker's certificate and host name are not verified" "$IT_TMP/insecure.err"
it_check "... and recorded in the snapshot (tls: unverified)" \
	check_json "$IT_TMP/insecure.json" 'd["tls"] == "unverified"' 'd["broker"].startswith("ssl://")'
timeout 20 "$CONSOLE" $(broker_tls_args) --insecure -s "$SLUG" --log --timeout 1 >"$IT_TMP/insecure.ndjson" 2>"$IT_TMP/insecure-log.err"
it_check "--log: the warning, and tls: unverified on the connected line" bash -c \
	"grep -q 'warning: --insecure' '$IT_TMP/insecure-log.err' && grep -q '\"event\":\"connected\".*\"tls\":\"unverified\"' '$IT_TMP/insecure.ndjson'"
broker_stop

# --- broker killed and restarted mid-stream -----------------------------------
broker_start || { it_fail "restart broker"; it_summary; exit 1; }
PLAIN=$(broker_plain_args)
"$CONSOLE" $PLAIN -s "$SLUG" --log --timeout 30 >"$IT_TMP/restart.ndjson" 2>"$IT_TMP/restart.err" &
LOG_PID=$!
it_track "$LOG_PID"
it_check "restart: loaded" wait_for "$IT_TMP/restart.ndjson" '"event":"loaded"' 5
timeout 5 mosquitto_pub $PLAIN -q 1 -t "drivr/v1/$SLUG/state" -m 'ACTIVATED'
broker_kill
it_check "restart: the loss is noticed" wait_for "$IT_TMP/restart.ndjson" '"event":"connection_lost"' 10
broker_restart || it_fail "broker came back"
loaded_twice() { [ "$(grep -c '"event":"loaded"' "$1")" -ge 2 ]; }
it_check "restart: re-subscribed and loaded again" wait_until 15 loaded_twice "$IT_TMP/restart.ndjson"
timeout 5 mosquitto_pub $PLAIN -q 1 -t "drivr/v1/$SLUG/state" -m 'DEACTIVATED'
it_check "restart: a message published after it arrives (its line flushed as the feed pauses)" wait_for "$IT_TMP/restart.ndjson" 'DEACTIVATED' 5
it_stop "$LOG_PID"
it_check "the log shows the connection lost, the reconnect and the re-subscription" check_json "$IT_TMP/restart.ndjson" \
	'any(l.get("event") == "connection_lost" for l in d)' \
	'any(l.get("event") == "connected" and l["reconnect"] for l in d)' \
	'len([l for l in d if l.get("event") == "subscribed" and l.get("stage") == "domain"]) >= 2' \
	'len([l for l in d if l.get("event") == "loaded"]) >= 2'
it_check "a message published after the restart arrives" check_json "$IT_TMP/restart.ndjson" \
	'any(l.get("family") == "domain_state" and l["decoded"]["state"] == "DEACTIVATED" for l in d)'

# --- leaks: valgrind on --log --count (normal build only; ASan covers its own) --
if [ "${BUILD:-build}" = build ] && command -v valgrind >/dev/null; then
	for f in system component datapoint; do pub_fixture "$PLAIN" "$f" -r; done
	timeout 60 valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect \
		--error-exitcode=99 "$CONSOLE" $PLAIN -s "$SLUG" --log --count 3 --timeout 20 \
		>/dev/null 2>"$IT_TMP/valgrind.err"
	rc=$?
	it_check "no leaks under valgrind for --log --count 3 (rc=$rc)" [ $rc -eq 0 ]
	[ $rc -eq 0 ] || head -30 "$IT_TMP/valgrind.err"
fi

it_summary
