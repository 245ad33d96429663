#!/usr/bin/env bash
# Integration: the `make demo` stack (src/sim/demo.sh), non-interactively —
# certificates made once, mosquitto on a free loopback port with TLS that
# requires client certificates, drivr-sim over TLS with its GraphQL endpoint,
# and the console over TLS in --snapshot mode (DEMO_CONSOLE_ARGS).  Checks
# that systems, components, series, events and tokens arrived, that the
# broker refuses a client without a certificate, that a second run reuses the
# certificates, and that the demo leaves no process behind.  Joining: the
# line the demo prints (its own config file, [profile demo]) is all a second
# console needs — a --snapshot gets the demo's world, ack-event and
# issue-token succeed —, the console's help shows it, the user's config is
# never written, and once the demo stops the line says so (exit 2).
set -u
cd "$(dirname "$0")/../.."
. tests/integration/lib.sh

BUILD=${BUILD:-build}
for f in "$BUILD/drivr-sim" "$BUILD/drivr-console"; do [ -x "$f" ] || { echo "missing $f (run make)"; exit 1; }; done
export BUILD
export DEMO_DIR=$IT_TMP/demo
# The user's own config and state: the demo must not write there.
export XDG_CONFIG_HOME=$IT_TMP/xdg-config XDG_STATE_HOME=$IT_TMP/xdg-state

# demo ARGS... in the background: DEMO_PID, output in $IT_TMP/demo.{json,err}
DEMO_CONSOLE_ARGS="--snapshot --settle 2 --timeout 10" timeout 60 src/sim/demo.sh \
	>"$IT_TMP/demo.json" 2>"$IT_TMP/demo.err" &
DEMO_PID=$!
it_track "$DEMO_PID"

# While the console takes its snapshot: the broker's shape, seen from outside.
it_check "the demo is up (it names its broker)" wait_for "$IT_TMP/demo.err" "demo: broker" 30
PORT=$(sed -n 's#.*broker mqtts://127.0.0.1:\([0-9]*\).*#\1#p' "$IT_TMP/demo.err")
GQL=$(sed -n 's#.*GraphQL http://127.0.0.1:\([0-9]*\)/graphql.*#\1#p' "$IT_TMP/demo.err")
it_check "the demo names its broker and GraphQL ports ($PORT, $GQL)" [ -n "$PORT" ] && [ -n "$GQL" ]
PKI=$DEMO_DIR/pki
it_check "a client without a certificate is refused" bash -c \
	"! timeout 5 mosquitto_sub -h 127.0.0.1 -p $PORT --cafile $PKI/ca.crt -t 'drivr/v1/demo/jwks' -C 1 -W 3 >/dev/null 2>&1"
it_check "a client with the demo's client certificate gets the JWKS" bash -c \
	"timeout 5 mosquitto_sub -h 127.0.0.1 -p $PORT --cafile $PKI/ca.crt --cert $PKI/client.crt --key $PKI/client.key -t 'drivr/v1/demo/jwks' -C 1 -W 3 | grep -q RS256"
it_check "GraphQL answers on loopback with the demo's user token" bash -c \
	"timeout 5 curl -s -X POST -H \"Authorization: Bearer \$(cat $DEMO_DIR/user.token)\" --data '{\"query\":\"mutation { createLocalApiToken(systemUuid: \\\"x\\\", requestedDevice: \\\"d\\\") { uuid } }\"}' http://127.0.0.1:$GQL/graphql | grep -q 'unknown system'"

it_wait_exit "$DEMO_PID" 60 # bounded by its timeout 60 anyway
wait "$DEMO_PID"
rc=$?
it_check "the demo (console --snapshot over TLS) exits 0" [ $rc -eq 0 ]
[ $rc -eq 0 ] || cat "$IT_TMP/demo.err"
it_check "systems, components, series, events and tokens arrived over TLS" check_json "$IT_TMP/demo.json" \
	'd["broker"].startswith("ssl://127.0.0.1:")' \
	'len(d["systems"]) == 5 and len(d["components"]) == 20' \
	'len(d["series"]) >= 20' \
	'len(d["events"]) >= 5' \
	'len(d["tokens"]) == 5 and all(t["tokens"] for t in d["tokens"])' \
	'len(d["jwks"]) == 1 and len(d["componentModels"]) == 4 and len(d["eventModels"]) == 8' \
	'd["counters"]["decodeErrors"] == 0'
it_check "the demo stopped its broker" it_port_closed "$PORT"
it_check "the demo stopped drivr-sim (GraphQL port closed)" it_port_closed "$GQL"
it_check "drivr-sim said it stopped" grep -q "drivr-sim: stopping" "$DEMO_DIR/drivr-sim.log"

# A second run: the certificates are reused, not made again.
before=$(stat -c %Y "$PKI/ca.crt")
# No --timeout: the snapshot of the live demo ends by itself once the
# platform's state is in (the device stream never goes quiet).
start=$(date +%s)
DEMO_CONSOLE_ARGS="--snapshot --settle 0.3" timeout 60 src/sim/demo.sh \
	>"$IT_TMP/demo2.json" 2>"$IT_TMP/demo2.err"
rc=$?
took=$(($(date +%s) - start))
demo2_ok() { [ $rc -eq 0 ] && [ $took -lt 30 ] && check_json "$IT_TMP/demo2.json" 'd["complete"] is True'; }
it_check "a second run works: --snapshot of the live demo ends by itself (${took} s, demo start-up included), complete" \
	demo2_ok
it_check "and reuses the certificates" bash -c \
	"[ $before = \$(stat -c %Y '$PKI/ca.crt') ] && ! grep -q 'making a local CA' '$IT_TMP/demo2.err'"

# Ctrl-C (SIGINT to the script) while the console runs: everything stops.
DEMO_CONSOLE_ARGS="--log" timeout 60 src/sim/demo.sh >"$IT_TMP/demo3.out" 2>"$IT_TMP/demo3.err" &
DEMO_PID=$!
it_track "$DEMO_PID"
it_check "the console streams the demo's datapoints" wait_for "$IT_TMP/demo3.out" '"family":"datapoint_input"' 30
PORT=$(sed -n 's#.*broker mqtts://127.0.0.1:\([0-9]*\).*#\1#p' "$IT_TMP/demo3.err")

# Joining the running demo with nothing but the printed line.
LINE=$(sed -n '/join from another terminal/{n;s/^demo:     //p;}' "$IT_TMP/demo3.err")
JOIN=()
eval "JOIN=($LINE)" # the demo prints it shell-quoted (printf %q)
it_check "the demo prints the join line before the console: '$LINE'" \
	[ "${JOIN[*]:1}" = "--config $DEMO_DIR/drivr.conf --profile demo" ]
it_check "it names this build's console" [ "${JOIN[0]}" -ef "$BUILD/drivr-console" ]
timeout 30 "${JOIN[@]}" --snapshot --settle 0.3 >"$IT_TMP/join.json" 2>"$IT_TMP/join.err"
rc=$?
it_check "a second console --snapshot with only those options: exit 0, the demo's world over TLS" \
	check_json "$IT_TMP/join.json" "$rc == 0" 'd["complete"] is True' \
	"d[\"broker\"] == \"ssl://127.0.0.1:$PORT\"" \
	'len(d["systems"]) == 5 and len(d["components"]) == 20' \
	'any(not e["acknowledged"] for e in d["events"])'
read -r SYS EVENT <<<"$(python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
print(d["systems"][0]["uuid"], [e["uuid"] for e in d["events"] if not e["acknowledged"]][0])' \
	"$IT_TMP/join.json" 2>/dev/null)"
timeout 40 "${JOIN[0]}" ack-event "${JOIN[@]:1}" --event "${EVENT:-none}" --wait --timeout 20 \
	>"$IT_TMP/ack.out" 2>"$IT_TMP/ack.err"
rc=$?
it_check "ack-event with those options: exit 0 (the platform confirmed)" [ $rc -eq 0 ]
[ $rc -eq 0 ] || cat "$IT_TMP/ack.err"
timeout 40 "${JOIN[0]}" issue-token "${JOIN[@]:1}" --system "${SYS:-none}" --device demo-bulb \
	--duration 1D --token-out "$IT_TMP/bulb.jwt" --wait --timeout 20 >"$IT_TMP/token.out" 2>"$IT_TMP/token.err"
rc=$?
it_check "issue-token with those options (the profile's GraphQL URL and user token): exit 0, a JWT" \
	bash -c "[ $rc -eq 0 ] && grep -qE '^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$' '$IT_TMP/bulb.jwt'"
[ $rc -eq 0 ] || cat "$IT_TMP/token.err"
it_check "nothing written to the user's config" [ ! -e "$XDG_CONFIG_HOME" ]

kill -INT "$DEMO_PID"
it_check "SIGINT ends the demo within 10 s" it_wait_exit "$DEMO_PID" 10
it_check "and its broker is gone" it_port_closed "${PORT:-1}"
it_check "and its profile: the join line now says there is no demo (exit 2 at once)" bash -c \
	"[ ! -e '$DEMO_DIR/drivr.conf' ] && { timeout 5 $LINE --snapshot; [ \$? -eq 2 ]; } 2>&1 | grep -q drivr.conf"

# The terminal closed (SIGHUP to the script): everything stops too — mosquitto
# alone would take the HUP for "reload" and stay.
DEMO_CONSOLE_ARGS="--log" timeout 60 src/sim/demo.sh >"$IT_TMP/demo5.out" 2>"$IT_TMP/demo5.err" &
DEMO_PID=$!
it_track "$DEMO_PID"
it_check "(a demo for SIGHUP is up)" wait_for "$IT_TMP/demo5.out" '"family":"datapoint_input"' 30
PORT=$(sed -n 's#.*broker mqtts://127.0.0.1:\([0-9]*\).*#\1#p' "$IT_TMP/demo5.err")
kill -HUP "$DEMO_PID"
it_check "SIGHUP ends the demo within 10 s" it_wait_exit "$DEMO_PID" 10
it_check "and its broker is gone" it_port_closed "${PORT:-1}"

# The console's help (?) shows the join line when it runs under the demo.
printf '?\n' >"$IT_TMP/help.keys"
DEMO_CONSOLE_ARGS="--replay tests/screen/fleet.json --keys $IT_TMP/help.keys --dump-screen $IT_TMP/help.txt --size 200x40" \
	timeout 60 src/sim/demo.sh >/dev/null 2>"$IT_TMP/demo4.err"
rc=$?
JOIN4=$(sed -n '/join from another terminal/{n;s/^demo:     //p;}' "$IT_TMP/demo4.err")
it_check "the console's help under the demo lists the join line" bash -c \
	"[ $rc -eq 0 ] && grep -qF 'demo           join from another terminal: $JOIN4' '$IT_TMP/help.txt'"

# The full-screen demo as a user meets it, in a private tmux: the join line
# is in the console's help, and still on the terminal once the console quit.
if command -v tmux >/dev/null 2>&1; then
	cat >"$IT_TMP/pane.sh" <<EOF
env TERM=xterm-256color LC_ALL=C.UTF-8 BUILD=$BUILD DEMO_DIR=$DEMO_DIR timeout --foreground 90 src/sim/demo.sh
echo "DEMO-EXIT=\$?"
exec sleep 120
EOF
	it_tmux_open demo 160 40 "$IT_TMP/pane.sh" || { it_fail "tmux starts"; it_summary; exit 1; }
	# 45 s: the whole demo (CA, broker, drivr-sim, the console) starting
	# under ASan while the plain lane runs beside it; the screen when not
	it_check "full screen: the console shows the demo's systems" wait_screen '^Systems .* 5 rows' 45 ||
		screen | sed 's/^/    | /'
	keys '?'
	it_check "? shows the join line" wait_screen "join from another terminal: ${JOIN[0]} --config $DEMO_DIR/drivr.conf" 3
	keys Escape
	keys q
	it_check "q quits the demo (exit 0)" wait_screen '^DEMO-EXIT=0' 15
	it_check "the join line is still on the terminal after the console quit" \
		bash -c "tmux -S '$IT_TMUX_SOCK' -f /dev/null capture-pane -p -t demo | grep -qxF 'demo:     $LINE'"
else
	echo "# tmux not installed: the full-screen demo is not checked"
fi

# Under SAN=1 the programs report leaks and undefined behaviour on exit.
it_check "no sanitizer report from drivr-sim or the console" \
	bash -c "! grep -sl 'Sanitizer\|runtime error' '$DEMO_DIR/drivr-sim.log' '$IT_TMP'/demo*.err '$IT_TMP'/{join,ack,token}.err 2>/dev/null"

it_summary
