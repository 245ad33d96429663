# tests/integration/lib.sh — helpers for the integration tests.  Source it:
#
#     . "$(dirname "$0")/lib.sh"
#
# What it gives:
#   IT_TMP                 a private temp dir, removed on exit
#   it_free_port           prints a free TCP port on 127.0.0.1
#   it_certs               test PKI in $IT_CERTS (see below)
#   broker_start [opts]    mosquitto in the background on 127.0.0.1 (plain, --tls,
#                          --allow-sub FILTER, --conf LINE); sets BROKER_PORT,
#                          BROKER_TLS_PORT, BROKER_LOG
#   broker_stop / broker_kill / broker_restart
#   broker_plain_args / broker_tls_args   -h/-p (and TLS files) for clients
#   it_spawn NAME cmd...   start any other process, output in $IT_TMP/NAME.out;
#                          stopped on exit like the broker
#   it_track PID           have the exit trap stop a process started otherwise
#   it_stop PID            stop one process (TERM, then KILL after a bounded wait)
#   it_wait_exit PID S     until PID has exited, at most S seconds (then fails)
#   it_wait_port PORT S    wait until 127.0.0.1:PORT accepts, at most S seconds
#   it_port_closed PORT    nothing accepts on 127.0.0.1:PORT
#   wait_for FILE RE S     until grep finds RE in FILE, at most S seconds
#   wait_until S cmd...    until cmd succeeds, at most S seconds (wall time;
#                          S may be "0.5")
#   it_sub_ready FILE TOPIC S   until a subscriber writing FILE gets what is published
#                          on TOPIC (proves it subscribed before an action)
#   check_json FILE EXPR...  Python expressions over a JSON file (or JSON lines)
#   it_ok / it_fail / it_check / it_summary   counting assertions; it_summary prints
#                          "N passed, N failed" and returns non-zero on failure
#   it_tmux_open, screen, wait_screen, wait_screen_gone, keys, T
#                          the full-screen console in a private tmux (at the end)
#
# Every wait is one of these and fails on its time-out: run it under it_check
# (or test its status).  Never sleep for a fixed time before a negative check
# ("nothing was published", "no second line"): first wait for a positive
# event that proves the system had time to act — a marker published after
# the action and seen by the same subscriber, a counter, a state.
#
# Never use a bare `wait` in a test: it would wait for the broker too.  Wait
# for one PID (`wait "$pid"`) once it_wait_exit has seen it end.
#
# Rules the helpers keep: every process started here is recorded and stopped by
# the EXIT trap (TERM, bounded wait, then KILL); only 127.0.0.1 is used; every
# loop has a bound; nothing is left in /tmp.

set -u

IT_TMP=$(mktemp -d "${TMPDIR:-/tmp}/drivr-it.XXXXXX") || { echo "lib.sh: mktemp failed" >&2; exit 1; }
IT_CERTS="$IT_TMP/certs"
IT_PASSED=0
IT_FAILED=0
_it_pids=""

# --- processes ------------------------------------------------------------

it_alive() {
	kill -0 "$1" 2>/dev/null
}

# Stops one process: TERM, up to 5 s, then KILL; reaps it if it is our child.
it_stop() {
	local pid=$1
	it_alive "$pid" || { wait "$pid" 2>/dev/null; return 0; }
	kill -TERM "$pid" 2>/dev/null
	if ! it_wait_exit "$pid" 5; then
		kill -KILL "$pid" 2>/dev/null
		it_wait_exit "$pid" 2
	fi
	wait "$pid" 2>/dev/null
	return 0
}

# it_wait_exit PID SECONDS — until PID has exited (then reap it with
# `wait PID` for its status); fails if it still runs after SECONDS.
it_wait_exit() {
	wait_until "$2" _it_gone "$1"
}
_it_gone() { ! it_alive "$1"; }

_it_cleanup() {
	local pid
	for pid in $_it_pids; do
		it_stop "$pid"
	done
	_it_pids=""
	[ -n "${IT_TMP:-}" ] && [ -d "$IT_TMP" ] && rm -rf "$IT_TMP"
}

# shellcheck disable=SC2154 # _it_rc is set inside the trap
trap '_it_rc=$?; _it_cleanup; exit $_it_rc' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# it_track PID — the EXIT trap will stop PID too (for `cmd & it_track $!`).
it_track() {
	_it_pids="$_it_pids $1"
}

# it_spawn NAME cmd... — runs cmd in the background with its output in
# $IT_TMP/NAME.out; sets IT_PID.  Stopped on exit.
it_spawn() {
	local name=$1
	shift
	"$@" >"$IT_TMP/$name.out" 2>&1 &
	IT_PID=$!
	_it_pids="$_it_pids $IT_PID"
}

# --- ports ------------------------------------------------------------------

# A port nobody listens on now.  (Someone may take it before we bind it:
# broker_start retries with another port when that happens.)
it_free_port() {
	if command -v python3 >/dev/null 2>&1 &&
		python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()' 2>/dev/null; then
		return 0
	fi
	local port
	for _ in $(seq 1 100); do
		port=$((20000 + (RANDOM * 32768 + RANDOM) % 40000))
		if command -v ss >/dev/null 2>&1; then
			ss -Htan 2>/dev/null | awk '{print $4}' | grep -q ":$port\$" && continue
		elif (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
			continue
		fi
		echo "$port"
		return 0
	done
	echo "it_free_port: no free port found" >&2
	return 1
}

# it_wait_port PORT SECONDS [PID] — until 127.0.0.1:PORT accepts a TCP
# connection; fails early if PID dies.
it_wait_port() {
	wait_until "$2" _it_port_or_gone "$1" "${3:-}" || return 1
	[ -z "${3:-}" ] || it_alive "$3"
}
_it_port_or_gone() {
	! it_port_closed "$1" || { [ -n "$2" ] && ! it_alive "$2"; }
}

# it_port_closed PORT — nothing accepts on 127.0.0.1:PORT.
it_port_closed() {
	! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# --- certificates -------------------------------------------------------------

# it_certs — a small PKI in $IT_CERTS (EC P-256, valid 2 days):
#   ca.crt ca.key                 the test CA
#   server.crt server.key         for 127.0.0.1 (SAN IP:127.0.0.1, DNS:localhost)
#   badname.crt badname.key       signed by the CA, but for "wrong-host.invalid" only
#   client.crt client.key         client certificate signed by the CA (CN drivr-test-client)
#   client.enc.key                client.key encrypted (AES-256) with $IT_KEY_PASS
#   client.pass                   that passphrase, in a file (mode 600)
#   wrong-ca.crt wrong-ca.key     another CA, which signed nothing the broker uses
#   stranger.crt stranger.key     a client certificate signed by the wrong CA
# Idempotent within one run.
IT_KEY_PASS="drivr-test-passphrase"

_it_openssl() {
	timeout 30 openssl "$@" >>"$IT_CERTS/openssl.log" 2>&1 || {
		echo "openssl $1 failed; see below" >&2
		tail -5 "$IT_CERTS/openssl.log" >&2
		return 1
	}
}

# _it_ca NAME CN
_it_ca() {
	_it_openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
		-keyout "$IT_CERTS/$1.key" -out "$IT_CERTS/$1.crt" -days 2 -subj "/CN=$2" \
		-addext "basicConstraints=critical,CA:TRUE" \
		-addext "keyUsage=critical,keyCertSign,cRLSign"
}

# _it_leaf NAME CA CN EXTENSIONS
_it_leaf() {
	local name=$1 ca=$2 cn=$3 ext=$4
	printf '%b\n' "$ext" >"$IT_CERTS/$name.ext"
	_it_openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
		-keyout "$IT_CERTS/$name.key" -out "$IT_CERTS/$name.csr" -subj "/CN=$cn" &&
		_it_openssl x509 -req -in "$IT_CERTS/$name.csr" -CA "$IT_CERTS/$ca.crt" \
			-CAkey "$IT_CERTS/$ca.key" -set_serial "0x$(openssl rand -hex 8)" \
			-days 2 -out "$IT_CERTS/$name.crt" -extfile "$IT_CERTS/$name.ext"
}

it_certs() {
	[ -f "$IT_CERTS/stranger.crt" ] && return 0
	mkdir -p "$IT_CERTS" && chmod 700 "$IT_CERTS" || return 1
	local server="basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyAgreement\nextendedKeyUsage=serverAuth"
	local client="basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyAgreement\nextendedKeyUsage=clientAuth"
	_it_ca ca "drivr-test-ca" &&
		_it_leaf server ca "localhost" "$server\nsubjectAltName=IP:127.0.0.1,DNS:localhost" &&
		_it_leaf badname ca "wrong-host.invalid" "$server\nsubjectAltName=DNS:wrong-host.invalid" &&
		_it_leaf client ca "drivr-test-client" "$client" &&
		_it_openssl pkey -in "$IT_CERTS/client.key" -aes256 -passout "pass:$IT_KEY_PASS" \
			-out "$IT_CERTS/client.enc.key" &&
		_it_ca wrong-ca "drivr-wrong-ca" &&
		_it_leaf stranger wrong-ca "drivr-stranger" "$client" || return 1
	(umask 077 && printf '%s\n' "$IT_KEY_PASS" >"$IT_CERTS/client.pass")
	rm -f "$IT_CERTS"/*.csr "$IT_CERTS"/*.ext
}

# --- the broker -----------------------------------------------------------------

# The dynamic security plugin that ships with mosquitto 2: the only way a
# stock mosquitto refuses a SUBSCRIBE (SUBACK 0x80 / 0x87); its acl_file
# only filters messages at delivery and grants every subscription.
_it_dynsec_plugin() {
	local f
	for f in /usr/lib/*/mosquitto_dynamic_security.so /usr/lib/mosquitto_dynamic_security.so \
		/usr/local/lib/mosquitto_dynamic_security.so /usr/local/lib/*/mosquitto_dynamic_security.so; do
		[ -f "$f" ] && { echo "$f"; return 0; }
	done
	echo "lib.sh: mosquitto_dynamic_security.so not found" >&2
	return 1
}

# _it_dynsec_config FILE FILTER... — anonymous clients may publish and receive
# anything but subscribe only to the FILTERs (as patterns: a SUBSCRIBE is
# allowed when its filter falls within one of them).
_it_dynsec_config() {
	local file=$1 sep="" f
	shift
	{
		echo '{'
		echo '  "defaultACLAccess": {"publishClientSend": true, "publishClientReceive": true,'
		echo '                       "subscribe": false, "unsubscribe": true},'
		echo '  "clients": [],'
		echo '  "groups": [{"groupname": "anonymous", "roles": [{"rolename": "limited"}], "clients": []}],'
		echo '  "anonymousGroup": "anonymous",'
		echo '  "roles": [{"rolename": "limited", "acls": ['
		for f in "$@"; do
			printf '%s    {"acltype": "subscribePattern", "topic": "%s", "priority": 0, "allow": true}' "$sep" "$f"
			sep=",
"
		done
		echo
		echo '  ]}]'
		echo '}'
	} >"$file"
}

# broker_start [--tls] [--tls-cert NAME] [--allow-sub FILTER]... [--conf 'line'] ...
#   A mosquitto with a plain listener on 127.0.0.1:$BROKER_PORT and, with
#   --tls, a TLS listener on 127.0.0.1:$BROKER_TLS_PORT that requires a client
#   certificate signed by the test CA (server certificate NAME, default
#   "server").  --allow-sub (repeatable): clients may subscribe only within
#   these filters, others are refused in the SUBACK (dynamic security
#   plugin).  --conf adds a line to the config.
#   Sets BROKER_PID, BROKER_PORT, BROKER_TLS_PORT (empty without --tls),
#   BROKER_CONF, BROKER_LOG.  Returns non-zero if it does not come up in 10 s.
broker_start() {
	local tls=0 tls_cert=server extra="" plugin
	local -a allow=()
	while [ $# -gt 0 ]; do
		case $1 in
		--tls) tls=1 ;;
		--tls-cert) tls=1; tls_cert=$2; shift ;;
		--allow-sub) allow+=("$2"); shift ;;
		--conf) extra="$extra$2
"; shift ;;
		*) echo "broker_start: unknown option $1" >&2; return 2 ;;
		esac
		shift
	done
	[ $tls = 1 ] && { it_certs || return 1; }
	mkdir -p "$IT_TMP/broker"
	if [ ${#allow[@]} -gt 0 ]; then
		plugin=$(_it_dynsec_plugin) || return 1
		_it_dynsec_config "$IT_TMP/broker/dynsec.json" "${allow[@]}"
		extra="${extra}plugin $plugin
plugin_opt_config_file $IT_TMP/broker/dynsec.json
"
	fi
	BROKER_CONF="$IT_TMP/broker/mosquitto.conf"
	BROKER_LOG="$IT_TMP/broker/mosquitto.log"
	# A port can be taken between it_free_port and the bind: retry.
	for _ in 1 2 3 4 5; do
		BROKER_PORT=$(it_free_port) || return 1
		BROKER_TLS_PORT=""
		[ $tls = 1 ] && { BROKER_TLS_PORT=$(it_free_port) || return 1; }
		{
			echo "# written by tests/integration/lib.sh"
			echo "persistence false"
			echo "log_dest stderr"
			echo "log_type error"
			echo "log_type warning"
			echo "log_type notice"
			echo "log_type information"
			echo "connection_messages true"
			# As root mosquitto drops to user "mosquitto" before reading the
			# certificates, which live in our private (0700) temp dir.
			[ "$(id -u)" = 0 ] && echo "user root"
			echo "per_listener_settings false"
			echo "allow_anonymous true"
			echo "listener $BROKER_PORT 127.0.0.1"
			if [ $tls = 1 ]; then
				echo "listener $BROKER_TLS_PORT 127.0.0.1"
				echo "cafile $IT_CERTS/ca.crt"
				echo "certfile $IT_CERTS/$tls_cert.crt"
				echo "keyfile $IT_CERTS/$tls_cert.key"
				echo "require_certificate true"
			fi
			printf '%s' "$extra"
		} >"$BROKER_CONF"
		_broker_launch || return 1
		if it_wait_port "$BROKER_PORT" 10 "$BROKER_PID" &&
			{ [ -z "$BROKER_TLS_PORT" ] || it_wait_port "$BROKER_TLS_PORT" 10 "$BROKER_PID"; }; then
			return 0
		fi
		if grep -q "Address already in use" "$BROKER_LOG" 2>/dev/null; then
			it_stop "$BROKER_PID"
			continue
		fi
		echo "broker_start: mosquitto did not come up; its log:" >&2
		tail -20 "$BROKER_LOG" >&2
		it_stop "$BROKER_PID"
		return 1
	done
	echo "broker_start: no usable port after 5 tries" >&2
	return 1
}

_broker_launch() {
	mosquitto -c "$BROKER_CONF" >>"$BROKER_LOG" 2>&1 &
	BROKER_PID=$!
	_it_pids="$_it_pids $BROKER_PID"
}

# broker_stop — TERM (bounded), then KILL; the ports are closed afterwards.
broker_stop() {
	[ -n "${BROKER_PID:-}" ] || return 0
	it_stop "$BROKER_PID"
	BROKER_PID=""
}

# broker_kill — as a crash would: SIGKILL, no goodbye to the clients.
broker_kill() {
	[ -n "${BROKER_PID:-}" ] || return 0
	kill -KILL "$BROKER_PID" 2>/dev/null
	wait "$BROKER_PID" 2>/dev/null
	BROKER_PID=""
}

# broker_restart — the same config and ports again (for reconnect tests).
broker_restart() {
	broker_stop
	_broker_launch || return 1
	it_wait_port "$BROKER_PORT" 10 "$BROKER_PID" &&
		{ [ -z "${BROKER_TLS_PORT:-}" ] || it_wait_port "$BROKER_TLS_PORT" 10 "$BROKER_PID"; }
}

# Option sets for mosquitto_pub/_sub (and the console) against the broker.
broker_plain_args() {
	echo "-h 127.0.0.1 -p $BROKER_PORT"
}
broker_tls_args() {
	echo "-h 127.0.0.1 -p $BROKER_TLS_PORT --cafile $IT_CERTS/ca.crt --cert $IT_CERTS/client.crt --key $IT_CERTS/client.key"
}

# --- assertions -------------------------------------------------------------------

it_ok() {
	IT_PASSED=$((IT_PASSED + 1))
	echo "ok - $*"
}

it_fail() {
	IT_FAILED=$((IT_FAILED + 1))
	echo "not ok - $*"
}

# check_json FILE PYTHON-EXPRESSION... — each expression over `d` must hold;
# d is the file's JSON document, or the list of its JSON lines.
check_json() {
	local file=$1
	shift
	python3 - "$file" "$@" <<'PY'
import json, sys
text = open(sys.argv[1]).read()
try:
    d = json.loads(text)
except ValueError:
    d = [json.loads(l) for l in text.splitlines() if l.strip()]
bad = [e for e in sys.argv[2:] if not eval(e, {"d": d})]
for e in bad:
    print("    failed: " + e)
sys.exit(1 if bad else 0)
PY
}

# wait_until SECONDS cmd... — until cmd succeeds, polled every 50 ms; fails
# once SECONDS of wall time have passed (cmd may take time of its own).
# SECONDS may have a fraction ("0.5").
wait_until() {
	local end now
	end=$(_it_usec_after "$1")
	shift
	while :; do
		"$@" && return 0
		now=${EPOCHREALTIME/./}
		[ "$now" -ge "$end" ] && return 1
		sleep 0.05
	done
}
# _it_usec_after SECONDS — the wall clock in µs, SECONDS from now.
_it_usec_after() {
	local whole=${1%.*} frac=0
	[ "$whole" = "$1" ] || frac=${1#*.}
	frac=$(printf '%-6.6s' "$frac")
	frac=${frac// /0}
	echo $((${EPOCHREALTIME/./} + ${whole:-0} * 1000000 + 10#$frac))
}

# wait_for FILE PATTERN SECONDS — until grep finds PATTERN in FILE.
wait_for() {
	wait_until "$3" grep -q -- "$2" "$1" 2>/dev/null
}

# it_sub_ready FILE TOPIC SECONDS — a subscriber (mosquitto_sub, writing
# FILE) is subscribed to TOPIC: "ready-marker" published on TOPIC until it
# shows in FILE (a line "TOPIC ready-marker" with -v, "ready-marker"
# without).  Then a marker published after an action and seen in FILE shows
# the broker had passed on what was published before it.
it_sub_ready() {
	wait_until "$3" _it_sub_echo "$1" "$2"
}
_it_sub_echo() {
	# shellcheck disable=SC2046 # the words of broker_plain_args
	timeout 5 mosquitto_pub $(broker_plain_args) -t "$2" -m ready-marker 2>/dev/null
	wait_for "$1" 'ready-marker$' 0.2
}

# it_check DESCRIPTION cmd... — runs cmd (bounded by the caller), counts.
it_check() {
	local what=$1
	shift
	if "$@"; then it_ok "$what"; else it_fail "$what"; fi
}

# it_summary — the closing line the CI reads; non-zero if anything failed.
it_summary() {
	echo "$IT_PASSED passed, $IT_FAILED failed"
	[ "$IT_FAILED" -eq 0 ]
}

# --- the full-screen console in a private tmux ----------------------------------
# it_tmux_open SESSION COLS ROWS SCRIPT — runs SCRIPT (a file: the pane's
# shell) in a new session of a private tmux server, stopped on exit.  Then:
#   screen                 the pane's text now
#   wait_screen REGEX S    until the pane shows REGEX, at most S seconds
#   wait_screen_gone REGEX S  until it no longer does
#   keys KEY...            tmux send-keys, then a short pause for the frame
IT_TMUX_SESSION=
it_tmux_open() {
	IT_TMUX_SESSION=$1
	T new-session -d -s "$1" -x "$2" -y "$3" "bash $4" || return 1
	it_track "$(T display -p '#{pid}')"
	trap '_it_rc=$?; T kill-server 2>/dev/null; _it_cleanup; exit $_it_rc' EXIT
}
IT_TMUX_SOCK="$IT_TMP/tmux.sock"
T() { tmux -S "$IT_TMUX_SOCK" -f /dev/null "$@"; }
screen() { T capture-pane -p -t "$IT_TMUX_SESSION"; }
wait_screen() { wait_until "$2" _it_screen_has "$1"; }
_it_screen_has() { screen | grep -Eq -- "$1"; }
# wait_screen_gone REGEX S — until the pane no longer shows REGEX (after a
# positive event: the console's " loading" segment gone means its staged
# load is in, not that nothing was drawn yet).
wait_screen_gone() { wait_until "$2" _it_screen_lacks "$1"; }
_it_screen_lacks() { ! screen | grep -Eq -- "$1"; }
keys() { T send-keys -t "$IT_TMUX_SESSION" "$@"; sleep 0.15; }

# it_action_world — the world the action tests share: a broker, drivr-sim on
# $SLUG in the reference's shapes only (no --extensions) serving GraphQL —
# the token mutations and the characteristic catalogue, user token
# $IT_TMP/user.token — and a system whose heat-pump-1 is CONNECTED.  Sets
# PLAIN, GQL_PORT, GQL_URL, SIM_LOG, SYS and CATALOGUE_ARGS (the console's
# options to read the catalogue over GraphQL); false (said) when any of it
# is missing.
it_action_world() {
	broker_start || { echo "broker did not start"; return 1; }
	PLAIN=$(broker_plain_args)
	GQL_PORT=$(it_free_port)
	GQL_URL="http://127.0.0.1:$GQL_PORT/graphql"
	it_spawn sim "$SIM" $PLAIN -s "$SLUG" --seed 7 --rate 2 --device-delay 0.2 \
		--change-interval 0 --event-interval 0 --setpoint-interval 0 -v \
		--graphql-port "$GQL_PORT" --user-token-file "$IT_TMP/user.token"
	CATALOGUE_ARGS=(--graphql-url "$GQL_URL" --user-token-file "$IT_TMP/user.token")
	SIM_LOG="$IT_TMP/sim.out"
	it_check "drivr-sim ready" wait_for "$SIM_LOG" "drivr-sim: ready" 15
	timeout 15 "$CONSOLE" $PLAIN -s "$SLUG" --snapshot --settle 0.3 --timeout 3 \
		>"$IT_TMP/world.json" 2>/dev/null
	SYS=$(python3 - "$IT_TMP/world.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
for s in d["systems"]:
    comps = {c["code"]: c for c in d["components"] if c["systemUuid"] == s["uuid"]}
    if comps.get("heat-pump-1", {}).get("connectionState") == "CONNECTED":
        print(s["uuid"])
        break
PY
)
	[ -n "$SYS" ] || { it_fail "a system from the snapshot"; return 1; }
}
