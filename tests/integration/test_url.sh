#!/usr/bin/env bash
# Integration: the broker URL forms of include/url.h against a real mosquitto
# on loopback (a plain and a TLS listener) — every scheme (mqtt, tcp, mqtts,
# ssl; upper case too), names and IPv4 addresses, the reference's path, the
# config file's url key, the default ports (1883, 8883 with TLS), and IPv6
# in brackets on ::1 (the console's -L and -h, and drivr-sim's -L); every
# kind of URL that is refused exits 2 with its reason before any
# connection.  tests/unit/test_url.c has every message.  The IPv6 part is
# skipped, with the reason printed, when this machine has no ::1.
# Started processes are stopped on exit.
# shellcheck disable=SC2046 # broker_plain_args is meant to split
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/integration/lib.sh

BUILD=${BUILD:-build}
CONSOLE=$BUILD/drivr-console
SIM=$BUILD/drivr-sim
for f in "$CONSOLE" "$SIM"; do [ -x "$f" ] || { echo "missing $f (run make)"; exit 1; }; done
SLUG=url-test
TOPIC="drivr/v1/$SLUG/systems/24ee14a3-f1c8-49aa-95fc-ad0432e23b99"
PAYLOAD='{"uuid":"24ee14a3-f1c8-49aa-95fc-ad0432e23b99","name":"url test system"}'

# The system message is retained: every console run below receives it.
# log_once NAME ARGS... — one --log --count 1 run; output in $IT_TMP/NAME.*
log_once() {
	local name=$1
	shift
	# --timeout 20: a TLS handshake of the ASan build on a loaded machine
	timeout 30 "$CONSOLE" "$@" -s "$SLUG" --log --count 1 --timeout 20 \
		>"$IT_TMP/$name.ndjson" 2>"$IT_TMP/$name.err"
}

got_message() {
	check_json "$IT_TMP/$1.ndjson" "any(l.get('topic') == '$TOPIC' and l.get('family') == 'system' for l in d)"
}

# ran_ok NAME STATUS — the run exited 0 and printed the retained message.
ran_ok() {
	[ "$2" -eq 0 ] && got_message "$1"
}

# MQTT connections (not port probes) the broker logged from PEER ("127.0.0.1" or "::1").
connections_from() {
	grep -c "New client connected from $1:[0-9]* as" "$BROKER_LOG"
}

# A free TCP port on ::1 (someone may take it before mosquitto binds it:
# the caller retries).
free_port_v6() {
	python3 -c 'import socket
s = socket.socket(socket.AF_INET6)
s.bind(("::1", 0))
print(s.getsockname()[1])
s.close()'
}

v6_accepts() { (exec 3<>"/dev/tcp/::1/$1") 2>/dev/null; }
wait_port_v6() { wait_until 10 v6_accepts "$1"; }

HAVE_V6=0
if grep -q '^00000000000000000000000000000001 .* lo$' /proc/net/if_inet6 2>/dev/null &&
	python3 -c 'import socket; socket.socket(socket.AF_INET6).bind(("::1", 0))' 2>/dev/null; then
	HAVE_V6=1
fi

# --- the broker: 127.0.0.1 always, ::1 when there is one ------------------------
V6_PORT=""
started=0
for _ in 1 2 3; do
	if [ $HAVE_V6 = 1 ]; then
		V6_PORT=$(free_port_v6) || break
		broker_start --tls --conf "listener $V6_PORT ::1" || continue
		wait_port_v6 "$V6_PORT" && { started=1; break; }
		broker_stop
	else
		broker_start --tls && { started=1; break; }
	fi
done
[ $started = 1 ] || { it_fail "broker starts"; it_summary; exit 1; }
it_ok "broker starts (127.0.0.1:$BROKER_PORT, TLS 127.0.0.1:$BROKER_TLS_PORT${V6_PORT:+, [::1]:$V6_PORT})"
timeout 10 mosquitto_pub $(broker_plain_args) -q 1 -r -t "$TOPIC" -m "$PAYLOAD" ||
	it_fail "retained system message published"

# --- IPv4: scheme in any case, the reference's path ------------------------------
log_once upper -L "MQTT://127.0.0.1:$BROKER_PORT/drivr/v1/"
it_check "-L MQTT://127.0.0.1:PORT/drivr/v1/ (upper case, the reference's path): status 0, message arrived" \
	ran_ok upper $?
log_once tcp -L "tcp://127.0.0.1:$BROKER_PORT"
it_check "-L tcp://127.0.0.1:PORT: status 0, message arrived" ran_ok tcp $?

# --- TLS: mqtts:// and ssl:// (a client certificate, the test CA) --------------------
TLS=(--cafile "$IT_CERTS/ca.crt" --cert "$IT_CERTS/client.crt" --key "$IT_CERTS/client.key")
log_once mqtts -L "mqtts://127.0.0.1:$BROKER_TLS_PORT" "${TLS[@]}"
it_check "-L mqtts://127.0.0.1:TLSPORT: status 0, message arrived over TLS ($(head -c 200 "$IT_TMP/mqtts.err"))" \
	ran_ok mqtts $?
log_once ssl -L "ssl://localhost:$BROKER_TLS_PORT/drivr/v1" "${TLS[@]}"
it_check "-L ssl://localhost:TLSPORT/drivr/v1 (a name, the path without its last /): status 0, message arrived ($(head -c 200 "$IT_TMP/ssl.err"))" \
	ran_ok ssl $?
log_once mqtt -L "mqtt://localhost:$BROKER_PORT/"
it_check "-L mqtt://localhost:PORT/ (plain, a name): status 0, message arrived" ran_ok mqtt $?
log_once mqtts_plain -L "mqtts://127.0.0.1:$BROKER_PORT" "${TLS[@]}"
it_check "-L mqtts:// against the plain listener: no message (TLS was asked for)" \
	bash -c "[ \$1 -ne 0 ] && ! grep -q '$TOPIC' '$IT_TMP/mqtts_plain.ndjson'" _ $?

# The file's url key goes through the same parser.
printf 'url = MQTTS://127.0.0.1:%s/drivr/v1/\ncafile = %s\ncert = %s\nkey = %s\n' "$BROKER_TLS_PORT" \
	"$IT_CERTS/ca.crt" "$IT_CERTS/client.crt" "$IT_CERTS/client.key" >"$IT_TMP/config"
log_once file --config "$IT_TMP/config"
it_check "the config file's url = MQTTS://127.0.0.1:TLSPORT/drivr/v1/: status 0, message arrived" \
	ran_ok file $?
printf 'url = mqtt://127.1:%s\n' "$BROKER_PORT" >"$IT_TMP/bad.config"
log_once badfile --config "$IT_TMP/bad.config"
rc=$?
it_check "... a bad url in the file: status 2, the reason ($(head -c 200 "$IT_TMP/badfile.err"))" \
	bash -c "[ $rc -eq 2 ] && grep -q '127.1 is not an IPv4 address' '$IT_TMP/badfile.err'"

# --- the default ports: 1883 plain, 8883 TLS -----------------------------------------
# Nothing listens there on a test machine: the failed attempt names the port.
if it_port_closed 1883 && it_port_closed 8883; then
	for u in "mqtt://127.0.0.1 127.0.0.1:1883" "tcp://127.0.0.1/ 127.0.0.1:1883" \
		"mqtts://127.0.0.1 127.0.0.1:8883" "SSL://127.0.0.1/drivr/v1/ 127.0.0.1:8883"; do
		set -- $u
		timeout 20 "$CONSOLE" -L "$1" -s "$SLUG" --snapshot --timeout 5 >/dev/null 2>"$IT_TMP/default.err"
		rc=$?
		it_check "-L $1 (no port): the connection goes to $2 (status $rc: $(head -c 120 "$IT_TMP/default.err"))" \
			bash -c "[ $rc -eq 1 ] && grep -q 'cannot connect to $2' '$IT_TMP/default.err'"
	done
else
	echo "skip - default ports: something listens on 127.0.0.1:1883 or :8883 here"
fi

# --- refused before connecting: status 2, a reason, no connection -----------------
before=$(connections_from 127.0.0.1)
refused() { # DESCRIPTION PIECE-OF-MESSAGE ARGS...
	local what=$1 piece=$2
	shift 2
	log_once refused "$@"
	local rc=$?
	# shellcheck disable=SC2016 # $1..$3 belong to the inner shell
	it_check "$what: status 2 ($(head -c 200 "$IT_TMP/refused.err"))" \
		bash -c '[ "$1" -eq 2 ] && grep -qF -- "$2" "$3"' _ "$rc" "$piece" "$IT_TMP/refused.err"
}
refused "IPv6 without brackets" "goes in brackets" -L "mqtt://::1:$BROKER_PORT"
refused "a path that is not the topic root" 'path "/other"' -L "mqtt://127.0.0.1:$BROKER_PORT/other"
refused "WebSocket" "WebSocket" -L "ws://127.0.0.1:$BROKER_PORT"
refused "secure WebSocket" "MQTT over WebSocket (ws://, wss://) is not supported" -L "WSS://127.0.0.1:$BROKER_PORT"
refused "another scheme" 'scheme "http" is not one of mqtt://, mqtts://, tcp://, ssl://' -L "http://127.0.0.1:$BROKER_PORT"
refused "no scheme" "no scheme: write mqtt://127.0.0.1:$BROKER_PORT" -L "127.0.0.1:$BROKER_PORT"
refused "an empty URL" "empty URL" -L ""
refused "port 0" "port 0 is not between 1 and 65535" -L "mqtt://127.0.0.1:0"
refused "port 65536" "port 65536 is not between 1 and 65535" -L "mqtt://127.0.0.1:65536"
refused "a port that is no number" 'port "x" is not a number' -L "mqtt://127.0.0.1:x"
refused "an IPv4 address of two numbers" "127.1 is not an IPv4 address" -L "mqtt://127.1:$BROKER_PORT"
refused "brackets around IPv4" "brackets are for IPv6 addresses only" -L "mqtt://[127.0.0.1]:$BROKER_PORT"
refused "a query" 'unexpected "?x=1" after the host and port' -L "mqtt://127.0.0.1:$BROKER_PORT?x=1"
refused "the option is named" '--url "mqtt://127.0.0.1:0"' -L "mqtt://127.0.0.1:0"
refused "user info (the password is not echoed)" 'mqtt://***@127.0.0.1' \
	-L "mqtt://ada:s3cret@127.0.0.1:$BROKER_PORT"
it_check "... the password is in no message" bash -c "! grep -q s3cret '$IT_TMP/refused.err'"
refused "--host with half a bracket" "missing ']'" -h "[::1" -p "$BROKER_PORT"
it_check "the refused URLs made no connection" [ "$(connections_from 127.0.0.1)" -eq "$before" ]

# --- IPv6 on ::1 -----------------------------------------------------------------
if [ $HAVE_V6 = 0 ]; then
	echo "skip - IPv6 checks: no ::1 on lo here (/proc/net/if_inet6), or it cannot be bound"
else
	log_once v6 -L "mqtt://[::1]:$V6_PORT"
	it_check "-L 'mqtt://[::1]:PORT' --log --count 1: status 0, message arrived ($(head -c 200 "$IT_TMP/v6.err"))" \
		ran_ok v6 $?
	it_check "... over IPv6: the broker saw a connection from ::1" [ "$(connections_from ::1)" -eq 1 ]

	log_once v6host -h "[::1]" -p "$V6_PORT"
	it_check "-h '[::1]' -p PORT: status 0, message arrived" ran_ok v6host $?
	log_once v6bare -h "::1" -p "$V6_PORT"
	it_check "-h ::1 -p PORT: status 0, message arrived" ran_ok v6bare $?
	it_check "... both over IPv6 (3 connections from ::1)" [ "$(connections_from ::1)" -eq 3 ]

	# drivr-sim takes the URL through mqtt_options.url, the other path.
	timeout 20 "$SIM" -L "mqtt://[::1]:$V6_PORT/" -s "$SLUG-sim" --flood 5 --payload-bytes 64 \
		--series 1 2>"$IT_TMP/sim.err"
	it_check "drivr-sim -L 'mqtt://[::1]:PORT/' --flood 5: status 0 ($(head -c 200 "$IT_TMP/sim.err"))" \
		[ $? -eq 0 ]
	it_check "... over IPv6 (a 4th connection from ::1)" [ "$(connections_from ::1)" -eq 4 ]
fi

it_summary
