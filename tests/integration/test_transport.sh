#!/usr/bin/env bash
# The integration fixtures themselves (tests/integration/lib.sh): the test PKI,
# a mosquitto on plain and TLS (client certificates required) listeners on
# 127.0.0.1, mosquitto_pub/_sub over both, and that everything started is
# stopped again — also when a test script is interrupted.  Then the console's
# transport over them: a failed TLS connection is explained with the real
# reason (unknown CA, expired, host name mismatch, client certificate
# required or refused), and the same way by --log, an action and the console.
# shellcheck disable=SC2046 # the broker_*_args options are meant to split
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"

for tool in mosquitto mosquitto_pub mosquitto_sub openssl timeout tmux python3; do
	command -v "$tool" >/dev/null 2>&1 || { echo "test_transport: $tool is missing (make deps)" >&2; exit 1; }
done

C=$IT_CERTS
PUB="timeout 15 mosquitto_pub -q 1"
SUB="timeout 15 mosquitto_sub -W 10"

# --- the certificates ----------------------------------------------------------

it_check "test PKI generated" it_certs
it_check "server certificate verifies against the test CA" \
	bash -c "openssl verify -CAfile '$C/ca.crt' '$C/server.crt' >/dev/null"
it_check "client certificate verifies against the test CA" \
	bash -c "openssl verify -CAfile '$C/ca.crt' '$C/client.crt' >/dev/null"
it_check "stranger certificate does not verify against the test CA" \
	bash -c "! openssl verify -CAfile '$C/ca.crt' '$C/stranger.crt' >/dev/null 2>&1"
it_check "server certificate is for IP 127.0.0.1 and localhost" \
	bash -c "openssl x509 -in '$C/server.crt' -noout -ext subjectAltName | grep -q 'IP Address:127.0.0.1' &&
		 openssl x509 -in '$C/server.crt' -noout -ext subjectAltName | grep -q 'DNS:localhost'"
it_check "client key is encrypted" grep -q "ENCRYPTED PRIVATE KEY" "$C/client.enc.key"
it_check "encrypted key opens with the passphrase file" \
	openssl pkey -in "$C/client.enc.key" -passin "file:$C/client.pass" -noout
it_check "encrypted key refuses a wrong passphrase" \
	bash -c "! openssl pkey -in '$C/client.enc.key' -passin pass:wrong -noout 2>/dev/null"
it_check "passphrase file is private" test "$(stat -c %a "$C/client.pass")" = 600

# --- a broker on plain + TLS ----------------------------------------------------

if ! broker_start --tls; then
	it_fail "broker starts with plain and TLS listeners"
	it_summary
	exit 1
fi
it_ok "broker starts (pid $BROKER_PID, plain $BROKER_PORT, TLS $BROKER_TLS_PORT)"
it_check "broker listens on 127.0.0.1 only" \
	bash -c "! grep -E '^listener' '$BROKER_CONF' | grep -v ' 127\.0\.0\.1\$'"

# Retained: the subscriber gets it whenever it subscribes (no race).
$PUB $(broker_plain_args) -r -t drivr/v1/it/plain -m hello-plain
it_check "plain: retained message published and received" \
	test "$($SUB $(broker_plain_args) -t drivr/v1/it/plain -C 1)" = hello-plain

$PUB $(broker_tls_args) -r -t drivr/v1/it/tls -m hello-tls
it_check "TLS with client certificate: retained message published and received" \
	test "$($SUB $(broker_tls_args) -t drivr/v1/it/tls -C 1)" = hello-tls
it_check "the same broker: plain message seen over TLS" \
	test "$($SUB $(broker_tls_args) -t drivr/v1/it/plain -C 1)" = hello-plain

# Live (not retained): wait for the SUBACK before publishing.
it_spawn live-sub mosquitto_sub -d $(broker_tls_args) -t drivr/v1/it/live -C 1 -W 15
sub_pid=$IT_PID
for _ in $(seq 1 100); do
	grep -q SUBACK "$IT_TMP/live-sub.out" 2>/dev/null && break
	sleep 0.05
done
$PUB $(broker_plain_args) -t drivr/v1/it/live -m live-message
for _ in $(seq 1 100); do
	it_alive "$sub_pid" || break
	sleep 0.05
done
it_check "live message from plain reaches a TLS subscriber" grep -q '^live-message$' "$IT_TMP/live-sub.out"
it_stop "$sub_pid"

# What the console's TLS failure tests will rely on.
it_check "TLS without a client certificate is refused" \
	bash -c "! timeout 15 mosquitto_pub -h 127.0.0.1 -p $BROKER_TLS_PORT --cafile '$C/ca.crt' -t x -m y -q 1 2>/dev/null"
it_check "TLS with the wrong CA is refused" \
	bash -c "! timeout 15 mosquitto_pub -h 127.0.0.1 -p $BROKER_TLS_PORT --cafile '$C/wrong-ca.crt' --cert '$C/client.crt' --key '$C/client.key' -t x -m y -q 1 2>/dev/null"
it_check "TLS with a client certificate of another CA is refused" \
	bash -c "! timeout 15 mosquitto_pub -h 127.0.0.1 -p $BROKER_TLS_PORT --cafile '$C/ca.crt' --cert '$C/stranger.crt' --key '$C/stranger.key' -t x -m y -q 1 2>/dev/null"
it_check "plain client on the TLS port gets nowhere" \
	bash -c "! timeout 15 mosquitto_pub -h 127.0.0.1 -p $BROKER_TLS_PORT -t x -m y -q 1 2>/dev/null"

# --- restart, stop -------------------------------------------------------------------

old_pid=$BROKER_PID
it_check "broker restarts on the same ports" broker_restart
it_check "restart gave a new process" test "$BROKER_PID" != "$old_pid"
it_check "old broker process is gone" bash -c "! kill -0 $old_pid 2>/dev/null"
$PUB $(broker_plain_args) -r -t drivr/v1/it/after -m after-restart
it_check "broker works after the restart (persistence off: only new retained)" \
	test "$($SUB $(broker_plain_args) -t drivr/v1/it/after -C 1)" = after-restart

pid=$BROKER_PID
broker_stop
it_check "broker_stop: the process is gone" bash -c "! kill -0 $pid 2>/dev/null"
it_check "broker_stop: plain port closed" it_port_closed "$BROKER_PORT"
it_check "broker_stop: TLS port closed" it_port_closed "$BROKER_TLS_PORT"

# A server certificate for another name: clients that check the host fail.
if broker_start --tls-cert badname; then
	it_check "server certificate for another host name is refused" \
		bash -c "! timeout 15 mosquitto_pub $(broker_tls_args) -t x -m y -q 1 2>/dev/null"
	it_check "... and accepted with --insecure (no host name check)" \
		timeout 15 mosquitto_pub $(broker_tls_args) --insecure -t x -m y -q 1
	broker_stop
else
	it_fail "broker starts with the badname certificate"
fi

# Subscription refusals, as the console's fallback test needs them.
if broker_start --allow-sub 'drivr/v1/it/systems/#' --allow-sub 'drivr/v1/it/jwks'; then
	suback() { # prints the granted QoS / refusal code of one SUBSCRIBE
		timeout 15 mosquitto_sub -d $(broker_plain_args) -t "$1" -W 1 2>/dev/null |
			sed -n 's/.*Subscribed (mid: [0-9]*): \([0-9]*\).*/\1/p' | head -1
	}
	it_check "--allow-sub: drivr/v1/it/# is refused (SUBACK 0x80)" test "$(suback 'drivr/v1/it/#')" = 128
	it_check "--allow-sub: drivr/v1/it/systems/# is granted" test "$(suback 'drivr/v1/it/systems/#')" = 0
	it_check "--allow-sub: a filter within it is granted" test "$(suback 'drivr/v1/it/systems/abc/#')" = 0
	it_check "--allow-sub: drivr/v1/it/jwks is granted" test "$(suback 'drivr/v1/it/jwks')" = 0
	it_check "--allow-sub: drivr/v1/it/state is refused" test "$(suback 'drivr/v1/it/state')" = 128
	$PUB $(broker_plain_args) -r -t drivr/v1/it/systems/s1 -m allowed
	it_check "--allow-sub: publishing and receiving still work" \
		test "$($SUB $(broker_plain_args) -t 'drivr/v1/it/systems/#' -C 1)" = allowed
	broker_stop
else
	it_fail "broker starts with subscription limits"
fi

# --- a TLS failure, explained the same way in every mode -----------------------------

# The client repeats a failed handshake with OpenSSL (src/tlsprobe.c) and its
# CONNECT_FAILED carries the finding; --log, the actions and the console all
# show that one reason.  A server certificate that has expired, for the case
# the other certificates do not cover:
CONSOLE=${BUILD:-build}/drivr-console
export XDG_STATE_HOME="$IT_TMP/state" # the actions' default audit log is never the real one
openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout "$C/expired.key" \
	-out "$IT_TMP/expired.csr" -subj "/CN=localhost" >/dev/null 2>&1 &&
	printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n' >"$IT_TMP/expired.ext" &&
	openssl x509 -req -in "$IT_TMP/expired.csr" -CA "$C/ca.crt" -CAkey "$C/ca.key" -days -1 \
		-set_serial "0x$(openssl rand -hex 8)" -extfile "$IT_TMP/expired.ext" -out "$C/expired.crt" >/dev/null 2>&1
it_check "an expired server certificate (for 127.0.0.1, of the test CA)" \
	bash -c "openssl verify -CAfile '$C/ca.crt' '$C/expired.crt' 2>&1 | grep -q 'certificate has expired'"

# The reason --log gives in its connect_failed line (also checked against
# its stderr line and its exit status 1), on stdout; empty on a mismatch.
log_reason() {
	timeout 20 "$CONSOLE" "$@" -s it --log --timeout 15 >"$IT_TMP/log.out" 2>"$IT_TMP/log.err"
	local rc=$?
	python3 - "$IT_TMP/log.out" "$IT_TMP/log.err" "$rc" <<'PY'
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
failed = [l for l in lines if l.get("event") == "connect_failed"]
err = open(sys.argv[2]).read().strip()
if sys.argv[3] != "1" or len(failed) != 1 or not err.endswith(": " + failed[0]["reason"]):
    sys.exit(0)
print(failed[0]["reason"])
PY
}

# The reason of an action (ack-event: it connects before anything else),
# from its one stderr line; empty unless it exits 1 (ACTION_EXIT_CONNECTION).
action_reason() {
	timeout 20 "$CONSOLE" ack-event --event 00000000-0000-4000-8000-0000000000e1 --system 00000000-0000-4000-8000-0000000000a1 "$@" -s it --timeout 15 \
		>"$IT_TMP/act.out" 2>"$IT_TMP/act.err"
	[ $? -eq 1 ] || return 0
	sed -n 's/^drivr-console: cannot connect to [a-z]*:\/\/[^ ]*: //p' "$IT_TMP/act.err"
}

# The console in a 300-column tmux until its status bar shows the reason
# given (a fixed string); the session is closed either way.
CONSOLE_RUNS=0
console_shows() {
	local reason=$1 i ok=1
	shift
	CONSOLE_RUNS=$((CONSOLE_RUNS + 1))
	{
		printf 'export TERM=xterm-256color LC_ALL=C.UTF-8 XDG_STATE_HOME=%q\n' "$XDG_STATE_HOME"
		printf 'exec %q' "$CONSOLE"
		printf ' %q' "$@" -s it --no-mouse
		printf '\n'
	} >"$IT_TMP/console-$CONSOLE_RUNS.sh"
	if [ -z "$IT_TMUX_SESSION" ]; then
		it_tmux_open "tls$CONSOLE_RUNS" 300 12 "$IT_TMP/console-$CONSOLE_RUNS.sh" || return 1
	else
		IT_TMUX_SESSION="tls$CONSOLE_RUNS"
		T new-session -d -s "$IT_TMUX_SESSION" -x 300 -y 12 "bash $IT_TMP/console-$CONSOLE_RUNS.sh" || return 1
	fi
	for i in $(seq 1 300); do
		if screen | grep -qF -- "$reason"; then ok=0; break; fi
		sleep 0.05
	done
	[ $ok -eq 0 ] || screen >"$IT_TMP/console-$CONSOLE_RUNS.screen"
	T kill-session -t "$IT_TMUX_SESSION" 2>/dev/null
	return $ok
}

# same_everywhere NAME PATTERN ARGS... — --log names the cause (PATTERN, an
# extended regex), an action and the console say exactly the same.
same_everywhere() {
	local name=$1 pattern=$2 reason act
	shift 2
	reason=$(log_reason "$@")
	if [ -n "$reason" ] && grep -qE -- "$pattern" <<<"$reason"; then
		it_ok "$name: --log says why: $reason"
	else
		it_fail "$name: --log: '$reason' ($(cat "$IT_TMP/log.err"))"
		return
	fi
	act=$(action_reason "$@")
	if [ "$act" = "$reason" ]; then
		it_ok "$name: the action says the same (exit 1)"
	else
		it_fail "$name: the action says '$act' ($(cat "$IT_TMP/act.err"))"
	fi
	if console_shows "$reason" "$@"; then
		it_ok "$name: the console's status bar says the same"
	else
		it_fail "$name: the console's screen: $(cat "$IT_TMP/console-$CONSOLE_RUNS.screen" 2>/dev/null)"
	fi
}

if broker_start --tls; then
	TLSHOST="-h 127.0.0.1 -p $BROKER_TLS_PORT"
	same_everywhere "server certificate of an unknown CA" \
		"^TLS: certificate verify failed: .*not signed by the given CA" \
		$TLSHOST --cafile "$C/wrong-ca.crt" --cert "$C/client.crt" --key "$C/client.key"
	same_everywhere "no client certificate" "^TLS: the broker requires a client certificate" \
		$TLSHOST --cafile "$C/ca.crt"
	same_everywhere "client certificate of another CA" \
		"^TLS: the broker refused the client certificate .*stranger\.crt" \
		$TLSHOST --cafile "$C/ca.crt" --cert "$C/stranger.crt" --key "$C/stranger.key"
	same_everywhere "mqtts:// to the plain port" "^TLS: the broker closed the connection during the handshake \(not a TLS port\?" \
		--url "mqtts://127.0.0.1:$BROKER_PORT" --cafile "$C/ca.crt"
	# MQTT 5: the other set of Paho's callbacks, the same reason.
	it_check "MQTT 5: the same reason for an unknown CA" \
		bash -c "[ -n \"\$1\" ] && [ \"\$1\" = \"\$2\" ]" _ \
		"$(log_reason $TLSHOST --cafile "$C/wrong-ca.crt" --cert "$C/client.crt" --key "$C/client.key")" \
		"$(log_reason -V 5 $TLSHOST --cafile "$C/wrong-ca.crt" --cert "$C/client.crt" --key "$C/client.key")"
	# A broker that answers (TLS worked) is not explained away by a probe.
	# (connected and subscribed: the empty broker has nothing for the slug, exit 8)
	timeout 20 "$CONSOLE" $(broker_tls_args) -s it --snapshot --timeout 10 >/dev/null 2>"$IT_TMP/ok.err"
	it_check "a good TLS connection: it loads, no TLS reason anywhere" \
		bash -c "[ $? -eq 8 ] && grep -q 'nothing for slug' '$IT_TMP/ok.err' && ! grep -q 'TLS:' '$IT_TMP/ok.err'"
	broker_stop
else
	it_fail "broker starts with plain and TLS listeners (for the TLS reasons)"
fi
if broker_start --tls-cert badname; then
	same_everywhere "server certificate for another host name" \
		"^TLS: certificate verify failed: host name mismatch .*\"127\.0\.0\.1\"" $(broker_tls_args)
	broker_stop
else
	it_fail "broker starts with the badname certificate (for the TLS reasons)"
fi
if broker_start --tls-cert expired; then
	same_everywhere "expired server certificate" \
		"^TLS: certificate verify failed: certificate has expired" $(broker_tls_args)
	broker_stop
else
	it_fail "broker starts with the expired certificate"
fi

# --- the trap stops everything -------------------------------------------------------

# A script that sources lib.sh, starts a broker and a sleeper, and is then
# stopped with SIGTERM: its trap must stop both and remove its temp dir.
child_out="$IT_TMP/child.info"
it_spawn child bash -c '
	. "$1/lib.sh"
	broker_start || exit 1
	it_spawn sleeper sleep 60
	echo "$BROKER_PID $IT_PID $BROKER_PORT $IT_TMP" >"$2"
	wait "$IT_PID"' child "$HERE" "$child_out"
child_pid=$IT_PID
for _ in $(seq 1 200); do
	[ -s "$child_out" ] && break
	it_alive "$child_pid" || break
	sleep 0.05
done
if [ -s "$child_out" ]; then
	read -r c_broker c_sleeper c_port c_tmp <"$child_out"
	it_stop "$child_pid"
	it_check "interrupted script: its broker was stopped" bash -c "! kill -0 $c_broker 2>/dev/null"
	it_check "interrupted script: its other process was stopped" bash -c "! kill -0 $c_sleeper 2>/dev/null"
	it_check "interrupted script: its port is closed" it_port_closed "$c_port"
	it_check "interrupted script: its temp dir is gone" test ! -e "$c_tmp"
else
	it_fail "child script started a broker"
	it_stop "$child_pid"
fi

# The same for a script that simply ends.
info=$(timeout 60 bash -c '. "$1/lib.sh"; broker_start --tls || exit 1; echo "$BROKER_PID $BROKER_TLS_PORT $IT_TMP"' child "$HERE")
if [ -n "$info" ]; then
	read -r c_broker c_port c_tmp <<<"$info"
	it_check "finished script: its broker was stopped" bash -c "! kill -0 $c_broker 2>/dev/null"
	it_check "finished script: its TLS port is closed" it_port_closed "$c_port"
	it_check "finished script: its temp dir (and keys) are gone" test ! -e "$c_tmp"
else
	it_fail "child script with a TLS broker"
fi

it_summary
