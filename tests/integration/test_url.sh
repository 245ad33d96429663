#!/usr/bin/env bash
# Integration: the broker URL forms of include/url.h against a real mosquitto
# on loopback — IPv4 with an upper-case scheme and the reference's path, and
# IPv6 in brackets on ::1 (the console's -L and -h, and drivr-sim's -L); a
# URL that is refused exits 2 before any connection.  The IPv6 part is
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
	timeout 20 "$CONSOLE" "$@" -s "$SLUG" --log --count 1 --timeout 10 \
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

wait_port_v6() {
	for _ in $(seq 1 200); do
		(exec 3<>"/dev/tcp/::1/$1") 2>/dev/null && return 0
		sleep 0.05
	done
	return 1
}

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
		broker_start --conf "listener $V6_PORT ::1" || continue
		wait_port_v6 "$V6_PORT" && { started=1; break; }
		broker_stop
	else
		broker_start && { started=1; break; }
	fi
done
[ $started = 1 ] || { it_fail "broker starts"; it_summary; exit 1; }
it_ok "broker starts (127.0.0.1:$BROKER_PORT${V6_PORT:+, [::1]:$V6_PORT})"
timeout 10 mosquitto_pub $(broker_plain_args) -q 1 -r -t "$TOPIC" -m "$PAYLOAD" ||
	it_fail "retained system message published"

# --- IPv4: scheme in any case, the reference's path ------------------------------
log_once upper -L "MQTT://127.0.0.1:$BROKER_PORT/drivr/v1/"
it_check "-L MQTT://127.0.0.1:PORT/drivr/v1/ (upper case, the reference's path): status 0, message arrived" \
	ran_ok upper $?
log_once tcp -L "tcp://127.0.0.1:$BROKER_PORT"
it_check "-L tcp://127.0.0.1:PORT: status 0, message arrived" ran_ok tcp $?

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
refused "port 0" "port 0 is not between 1 and 65535" -L "mqtt://127.0.0.1:0"
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
