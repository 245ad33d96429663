#!/usr/bin/env bash
# The integration fixtures themselves (tests/integration/lib.sh): the test PKI,
# a mosquitto on plain and TLS (client certificates required) listeners on
# 127.0.0.1, mosquitto_pub/_sub over both, and that everything started is
# stopped again — also when a test script is interrupted.
# shellcheck disable=SC2046 # the broker_*_args options are meant to split
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"

for tool in mosquitto mosquitto_pub mosquitto_sub openssl timeout; do
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
