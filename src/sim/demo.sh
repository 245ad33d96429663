#!/usr/bin/env bash
# make demo — a local DRIVR with the shape of the real one: mosquitto with a
# TLS listener that requires client certificates (on a free 127.0.0.1 port),
# drivr-sim connected over TLS with its GraphQL endpoint, then the console
# connected over TLS with the client certificate.  Quitting the console (or
# Ctrl-C) stops everything this script started.
#
# Others join it: the broker, certificates, slug, GraphQL URL and user token
# are written as [profile demo] into a config file of the demo's own,
# $DEMO_DIR/drivr.conf (rewritten at each start: the ports change; removed
# when the demo stops), never into the user's config file.  The console of
# the demo itself runs with it, and the line that joins from another
# terminal is printed before the console takes the screen (and shown in its
# help, `?`, through DRIVR_DEMO_JOIN):
#     ./drivr-console --config build/demo/drivr.conf --profile demo [--log | ack-event ...]
#
# Environment:
#   BUILD=build                 where drivr-sim and drivr-console are
#   DEMO_DIR=$BUILD/demo        certificates (made once), configs, logs
#   DEMO_SLUG=demo              the simulated domain's slug
#   DEMO_SIM_ARGS="..."         more drivr-sim options (e.g. "--faults 0.1 --rate 50");
#                               the demo turns one extension on (setpoints
#                               name their target's codes; the editor's
#                               types and limits come over GraphQL, as from
#                               the platform): "--extensions none" shows the
#                               reference's shapes only
#   DEMO_CONSOLE_ARGS="..."     run the console with these options instead of
#                               the full screen, e.g. for a test:
#                               DEMO_CONSOLE_ARGS="--snapshot --settle 2 --timeout 20"
# Exit status: the console's.
set -u
cd "$(dirname "$0")/../.." || exit 1

BUILD=${BUILD:-build}
DEMO_DIR=${DEMO_DIR:-$BUILD/demo}
SLUG=${DEMO_SLUG:-demo}
SIM_ARGS=${DEMO_SIM_ARGS:-}
CONSOLE_ARGS=${DEMO_CONSOLE_ARGS:-}
SIM=$BUILD/drivr-sim
CONSOLE=$BUILD/drivr-console
PKI=$DEMO_DIR/pki

say() { printf 'demo: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }

for f in "$SIM" "$CONSOLE"; do [ -x "$f" ] || die "missing $f (run make)"; done
for tool in mosquitto openssl; do
	command -v "$tool" >/dev/null 2>&1 || die "$tool is missing (make deps)"
done

# --- stop everything we started, however we leave --------------------------
PIDS=""
CONF=$DEMO_DIR/drivr.conf
stop_all() {
	local pid i
	# the profile names ports about to close: a console started later is
	# told there is no demo, not left retrying (not when another demo wrote it)
	grep -qx "# demo pid $$" "$CONF" 2>/dev/null && rm -f "$CONF"
	for pid in $PIDS; do kill -TERM "$pid" 2>/dev/null; done
	for pid in $PIDS; do
		for i in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	done
	PIDS=""
}
trap 'stop_all' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
# The terminal closed: stop_all too (mosquitto itself takes SIGHUP for
# "reload" and would stay); said here rather than left to bash's defaults.
trap 'exit 129' HUP

# --- a free loopback port ------------------------------------------------------
free_port() {
	python3 -c 'import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()' 2>/dev/null && return 0
	local port
	for _ in $(seq 1 100); do
		port=$((20000 + RANDOM % 40000))
		(exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || { echo "$port"; return 0; }
	done
	return 1
}

wait_port() { # PORT SECONDS PID
	local i
	for i in $(seq 1 $(($2 * 20))); do
		kill -0 "$3" 2>/dev/null || return 1
		(exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
		sleep 0.05
	done
	return 1
}

# --- certificates, once ------------------------------------------------------------
ossl() { timeout 60 openssl "$@" >>"$PKI/openssl.log" 2>&1 || { tail -5 "$PKI/openssl.log" >&2; die "openssl $1 failed"; }; }

make_pki() {
	mkdir -p "$PKI" && chmod 700 "$PKI" || die "cannot create $PKI"
	say "making a local CA, a server certificate for 127.0.0.1 and a client certificate in $PKI"
	ossl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
		-keyout "$PKI/ca.key" -out "$PKI/ca.crt" -days 825 -subj "/CN=drivr-demo-ca" \
		-addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign"
	local name cn ext
	for name in server client; do
		if [ $name = server ]; then
			cn=localhost
			ext="basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyAgreement\nextendedKeyUsage=serverAuth\nsubjectAltName=IP:127.0.0.1,DNS:localhost"
		else
			cn=drivr-demo-console
			ext="basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyAgreement\nextendedKeyUsage=clientAuth"
		fi
		printf '%b\n' "$ext" >"$PKI/$name.ext"
		ossl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
			-keyout "$PKI/$name.key" -out "$PKI/$name.csr" -subj "/CN=$cn"
		ossl x509 -req -in "$PKI/$name.csr" -CA "$PKI/ca.crt" -CAkey "$PKI/ca.key" \
			-set_serial "0x$(openssl rand -hex 8)" -days 825 -out "$PKI/$name.crt" \
			-extfile "$PKI/$name.ext"
		rm -f "$PKI/$name.csr" "$PKI/$name.ext"
	done
}

pki_usable() {
	local f
	for f in ca.crt ca.key server.crt server.key client.crt client.key; do
		[ -s "$PKI/$f" ] || return 1
	done
	openssl verify -CAfile "$PKI/ca.crt" "$PKI/server.crt" "$PKI/client.crt" >/dev/null 2>&1 &&
		openssl x509 -in "$PKI/server.crt" -noout -checkend 86400 >/dev/null 2>&1
}

mkdir -p "$DEMO_DIR" || die "cannot create $DEMO_DIR"
pki_usable || make_pki
# The user API token the simulator's GraphQL accepts (and the console sends).
if [ ! -s "$DEMO_DIR/user.token" ]; then
	(umask 077 && openssl rand -hex 24 >"$DEMO_DIR/user.token") || die "cannot write the user token"
fi

# --- mosquitto with TLS and required client certificates -----------------------------
BROKER_LOG=$DEMO_DIR/mosquitto.log
: >"$BROKER_LOG"
for attempt in 1 2 3; do
	PORT=$(free_port) || die "no free port"
	{
		echo "# written by src/sim/demo.sh"
		echo "persistence false"
		echo "log_dest stderr"
		echo "log_type error"
		echo "log_type warning"
		echo "log_type notice"
		# As root mosquitto would drop to user "mosquitto", which cannot read
		# the keys in our private directory.
		[ "$(id -u)" = 0 ] && echo "user root"
		echo "allow_anonymous true"
		echo "listener $PORT 127.0.0.1"
		echo "cafile $PKI/ca.crt"
		echo "certfile $PKI/server.crt"
		echo "keyfile $PKI/server.key"
		echo "require_certificate true"
	} >"$DEMO_DIR/mosquitto.conf"
	mosquitto -c "$DEMO_DIR/mosquitto.conf" >>"$BROKER_LOG" 2>&1 &
	BROKER_PID=$!
	PIDS="$PIDS $BROKER_PID"
	wait_port "$PORT" 10 "$BROKER_PID" && break
	grep -q "Address already in use" "$BROKER_LOG" && [ $attempt -lt 3 ] && continue
	tail -5 "$BROKER_LOG" >&2
	die "mosquitto did not start (log: $BROKER_LOG)"
done

TLS=(-h 127.0.0.1 -p "$PORT" --cafile "$PKI/ca.crt" --cert "$PKI/client.crt" --key "$PKI/client.key")

# --- the simulator ---------------------------------------------------------------------
GQL_PORT=$(free_port) || die "no free port"
SIM_LOG=$DEMO_DIR/drivr-sim.log
# shellcheck disable=SC2086 # DEMO_SIM_ARGS are options, split on purpose
"$SIM" "${TLS[@]}" -s "$SLUG" --graphql-port "$GQL_PORT" \
	--user-token-file "$DEMO_DIR/user.token" --extensions setpoint-codes $SIM_ARGS >"$SIM_LOG" 2>&1 &
SIM_PID=$!
PIDS="$SIM_PID $PIDS" # stopped before the broker
for _ in $(seq 1 600); do
	grep -q "drivr-sim: ready" "$SIM_LOG" 2>/dev/null && break
	kill -0 "$SIM_PID" 2>/dev/null || { tail -5 "$SIM_LOG" >&2; die "drivr-sim stopped (log: $SIM_LOG)"; }
	sleep 0.05
done
grep -q "drivr-sim: ready" "$SIM_LOG" || die "drivr-sim not ready after 30 s (log: $SIM_LOG)"
say "broker mqtts://127.0.0.1:$PORT (client certificate required), GraphQL http://127.0.0.1:$GQL_PORT/graphql, slug $SLUG"
say "logs in $DEMO_DIR (mosquitto.log, drivr-sim.log)"

# --- the demo's profile: what a second console needs -------------------------------------
# Absolute paths, so the file works from any directory; written whole, then
# moved in place, so a console never reads half of it.
abs() { printf '%s/%s' "$(cd "$(dirname "$1")" && pwd)" "$(basename "$1")"; }
{
	echo "# written by src/sim/demo.sh at each start (the ports change), removed when it stops"
	echo "# demo pid $$"
	echo "[profile demo]"
	echo "url = mqtts://127.0.0.1:$PORT"
	echo "cafile = $(abs "$PKI/ca.crt")"
	echo "cert = $(abs "$PKI/client.crt")"
	echo "key = $(abs "$PKI/client.key")"
	echo "slug = $SLUG"
	echo "graphql-url = http://127.0.0.1:$GQL_PORT/graphql"
	echo "user-token-file = $(abs "$DEMO_DIR/user.token")"
} >"$CONF.tmp" && mv -f "$CONF.tmp" "$CONF" || die "cannot write $CONF"
PROFILE=(--config "$CONF" --profile demo)
# The line to type in another terminal: the ./drivr-console symlink `make`
# keeps when it is this build's, else the build's own path.
JOIN_CMD=$CONSOLE
[ ./drivr-console -ef "$CONSOLE" ] && JOIN_CMD=./drivr-console
JOIN=$(printf '%q ' "$JOIN_CMD" "${PROFILE[@]}")
JOIN=${JOIN% }
export DRIVR_DEMO_JOIN=$JOIN # the console's help (?) shows it
say "join from another terminal, in $PWD (the same options for --log, --snapshot or an action):"
say "    $JOIN"

# --- the console -------------------------------------------------------------------------
status=0
if [ -n "$CONSOLE_ARGS" ]; then
	# shellcheck disable=SC2086
	"$CONSOLE" "${PROFILE[@]}" $CONSOLE_ARGS
	status=$?
else
	"$CONSOLE" "${PROFILE[@]}" 2>"$DEMO_DIR/console.err"
	status=$?
	if [ $status -eq 2 ] && grep -qE "not built yet|needs a terminal" "$DEMO_DIR/console.err"; then
		# No full screen here (not built yet, or no terminal): the log.
		say "$(cat "$DEMO_DIR/console.err"); showing --log instead (Ctrl-C stops the demo)"
		"$CONSOLE" "${PROFILE[@]}" --log
		status=$?
	else
		cat "$DEMO_DIR/console.err" >&2
	fi
fi
exit $status
