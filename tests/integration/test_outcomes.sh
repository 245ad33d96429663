#!/usr/bin/env bash
# Outcomes that stay true (docs/actions.md): what an action reports is what
# the broker and the platform did, against a real mosquitto and drivr-sim.
#
#  - a publish above the broker's limits: mosquitto 2 acknowledges and drops
#    a PUBLISH above message_size_limit (MQTT 3.1.1: PUBACK 0, MQTT 5: PUBACK
#    0x95) and closes the connection on a packet above max_packet_size
#    (MQTT 5: DISCONNECT 0x95 first).  The console says "delivered" only for
#    a PUBACK it can trust, says on 3.1.1 that it cannot tell a drop, and
#    exits 7 "refused by the broker" (never 1, never "waits in the outbox")
#    for a refusal it can see;
#  - a lost connection says what happens to the request in its real state
#    (sent and delivered ones are not "in the outbox");
#  - a setpoint for a DISCONNECTED component is warned about before it goes
#    out: on set-setpoint's stderr and in the console's preview (tmux);
#  - -V 5 against a broker without MQTT 5 says so and suggests -V 311, in
#    --log, --snapshot, the actions and the console's status bar.
#
# The two limits are test-only values set on this broker, far below
# mosquitto's defaults (no limit); drivr-sim's retained world (~27 KB) is
# under both.  Every process started here is stopped on exit (lib.sh); only
# 127.0.0.1.
set -u
cd "$(dirname "$0")/../.."
. tests/integration/lib.sh

BUILD=${BUILD:-build}
SIM=$(pwd)/$BUILD/drivr-sim
CONSOLE=$(pwd)/$BUILD/drivr-console
for f in "$SIM" "$CONSOLE"; do [ -x "$f" ] || { echo "missing $f (run make)"; exit 1; }; done
for tool in mosquitto mosquitto_pub mosquitto_sub tmux python3; do
	command -v "$tool" >/dev/null || { echo "test_outcomes: $tool is missing (make deps)"; exit 1; }
done

SLUG=outtest
SIZE_LIMIT=60000   # message_size_limit: acknowledged, then dropped
PACKET_LIMIT=100000 # max_packet_size: the connection is closed
export XDG_STATE_HOME="$IT_TMP/state" # the default audit log is never the real one
AUDIT="$IT_TMP/audit.log"

broker_start --conf "message_size_limit $SIZE_LIMIT" --conf "max_packet_size $PACKET_LIMIT" ||
	{ echo "broker did not start"; exit 1; }
PLAIN=$(broker_plain_args)
# --seed 42 starts one component DISCONNECTED; --change-interval 0 keeps it so,
# and its device never answers while it is.
it_spawn sim "$SIM" $PLAIN -s "$SLUG" --seed 42 --rate 5 --change-interval 0 --event-interval 0 \
	--setpoint-interval 0
it_check "drivr-sim ready" wait_for "$IT_TMP/sim.out" "drivr-sim: ready" 15

timeout 15 "$CONSOLE" $PLAIN -s "$SLUG" --snapshot --settle 0.3 --timeout 3 >"$IT_TMP/world.json" 2>/dev/null
read -r SYS OFF_SYS OFF_COMP <<<"$(python3 - "$IT_TMP/world.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
ok = [s["uuid"] for s in d["systems"] if s["connectionState"] == "CONNECTED"]
off = [c for c in d["components"] if c["connectionState"] == "DISCONNECTED" and c["code"].startswith("battery")]
print(ok[0], off[0]["systemUuid"], off[0]["code"])
PY
)"
[ -n "${OFF_COMP:-}" ] || { it_fail "a connected system and a DISCONNECTED battery in the snapshot"; it_summary; exit 1; }
INPUT="drivr/v1/$SLUG/input/setpoint/$SYS/json"

ARGS=($PLAIN -s "$SLUG" --settle 0.3 --timeout 15 --audit-log "$AUDIT")
LABEL=(--system "$SYS" --component battery-1 --service storage --characteristic label)
act() { # NAME args... → exit status in RC, output in NAME.stdout / NAME.stderr
	local name=$1
	shift
	timeout 40 "$CONSOLE" "$@" "${ARGS[@]}" >"$IT_TMP/$name.stdout" 2>"$IT_TMP/$name.stderr"
	RC=$?
}
show() { # NAME — the run's output, cut short, when a check failed
	sed -E 's/x{40,}/x…/; s/^/    | /' "$IT_TMP/$1.stdout" "$IT_TMP/$1.stderr" | cut -c1-220
}
# A value that makes the payload larger than the limit, smaller than the next.
DROPPED=$(head -c $((SIZE_LIMIT + 10000)) /dev/zero | tr '\0' x)
CLOSING=$(head -c $((PACKET_LIMIT + 10000)) /dev/zero | tr '\0' x)

# --- what a PUBACK proves ------------------------------------------------------------
act small5 set-setpoint "${LABEL[@]}" --value hall -V 5
it_check "MQTT 5, a small setpoint: exit 0, delivered: accepted by the broker" \
	bash -c "[ $RC -eq 0 ] && grep -q '^delivered: .*: accepted by the broker (PUBACK success)' '$IT_TMP/small5.stderr'"
it_check "... and no DISCONNECTED warning for a connected component" \
	bash -c "! grep -q DISCONNECTED '$IT_TMP/small5.stderr'"

# 3.1.1 above message_size_limit: PUBACK 0 and dropped.  A subscriber on the
# input topic, proven subscribed by its own marker, sees only the markers:
# the second, published after the attempt, shows the broker had passed on
# all before it.
MARK="drivr/v1/$SLUG/outcome-marker"
it_spawn watch mosquitto_sub $PLAIN -t "$INPUT" -t "$MARK" -v
WATCH_PID=$IT_PID
it_check "a subscriber on $INPUT is in (its marker came back)" it_sub_ready "$IT_TMP/watch.out" "$MARK" 5
act drop311 set-setpoint "${LABEL[@]}" --value "$DROPPED" -V 311
timeout 5 mosquitto_pub $PLAIN -t "$MARK" -m after
it_check "... the marker published after the attempt arrived" wait_for "$IT_TMP/watch.out" "^$MARK after" 5
it_stop "$WATCH_PID"
it_check "3.1.1 above message_size_limit: the broker dropped it (a subscriber saw only the markers)" \
	bash -c "! cut -c1-200 '$IT_TMP/watch.out' | grep -qv '^$MARK '"
it_check "... exit 0 with 'delivered ... to the broker; MQTT 3.1.1 cannot tell a message the broker dropped'" \
	bash -c "[ $RC -eq 0 ] && grep -q '^delivered: .*: to the broker; MQTT 3.1.1 cannot tell a message the broker dropped (-V 5 can)' '$IT_TMP/drop311.stderr'"
[ $RC -eq 0 ] || show drop311

act drop5 set-setpoint "${LABEL[@]}" --value "$DROPPED" -V 5
it_check "MQTT 5 above message_size_limit: exit 7, refused by the broker: packet too large (0x95)" \
	bash -c "[ $RC -eq 7 ] && grep -q '^failed: .*: refused by the broker: packet too large (0x95)$' '$IT_TMP/drop5.stderr'"
[ $RC -eq 7 ] || show drop5

# above max_packet_size: the broker closes the connection on the publish
act close311 set-setpoint "${LABEL[@]}" --value "$CLOSING" -V 311 --wait
it_check "3.1.1 above max_packet_size (--wait): exit 7, the broker closed the connection on the publish" \
	bash -c "[ $RC -eq 7 ] && grep -q '^failed: .*: the broker closed the connection on the publish — refused (too large? not authorised?)$' '$IT_TMP/close311.stderr'"
[ $RC -eq 7 ] || show close311
act close5 set-setpoint "${LABEL[@]}" --value "$CLOSING" -V 5
it_check "MQTT 5 above max_packet_size: exit 7, refused: it closed the connection: packet too large (0x95)" \
	bash -c "[ $RC -eq 7 ] && grep -q '^failed: .*: refused by the broker: it closed the connection on the publish: packet too large (0x95)$' '$IT_TMP/close5.stderr'"
[ $RC -eq 7 ] || show close5
it_check "no refusal is called 'connection failed' or 'waits in the outbox'" \
	bash -c "! grep -qi 'connection failed\|waits in the outbox' '$IT_TMP'/drop5.std* '$IT_TMP'/close311.std* '$IT_TMP'/close5.std*"

it_check "audit log: the outcomes as printed" python3 - "$AUDIT" <<'PY'
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
want = ["delivered: accepted by the broker (PUBACK success)",
        "delivered: to the broker; MQTT 3.1.1 cannot tell a message the broker dropped (-V 5 can)",
        "failed: refused by the broker: packet too large (0x95)",
        "failed: the broker closed the connection on the publish — refused (too large? not authorised?)",
        "failed: refused by the broker: it closed the connection on the publish: packet too large (0x95)"]
got = [l["outcome"] for l in lines]
if got != want:
    print("    audit:", got)
sys.exit(0 if got == want else 1)
PY

# --- a DISCONNECTED component, and a connection lost after delivery --------------------
# Its device never answers: with --wait the request stays "pending device";
# the broker restarts meanwhile.
"$CONSOLE" set-setpoint --system "$OFF_SYS" --component "$OFF_COMP" --service storage \
	--characteristic charge-limit --value 80 --wait "${ARGS[@]}" --timeout 12 \
	>"$IT_TMP/off.stdout" 2>"$IT_TMP/off.stderr" &
OFF_PID=$!
it_track "$OFF_PID"
timeout 10 mosquitto_sub $PLAIN -t "drivr/v1/$SLUG/systems/$OFF_SYS/setpoints" -C 1 -W 8 \
	-F '%p' >"$IT_TMP/created.json" 2>/dev/null
it_check "the platform took it (CREATED): it is delivered" grep -q '"CREATED"' "$IT_TMP/created.json"
broker_restart || it_fail "broker restart"
it_check "... the set-setpoint ends (its --timeout 12)" it_wait_exit "$OFF_PID" 30
wait "$OFF_PID" 2>/dev/null
RC=$?
it_check "set-setpoint for a DISCONNECTED component: a warning on stderr before it goes out" \
	grep -q "^drivr-console: warning: the component $OFF_COMP is DISCONNECTED: the device sees the setpoint only once it reconnects, and the request may time out" "$IT_TMP/off.stderr"
it_check "connection lost after delivery: 'its answer is awaited', not 'waits in the outbox'" \
	bash -c "grep -q 'connection lost (.*); the request was delivered: its answer is awaited after the reconnect' '$IT_TMP/off.stderr' &&
		 ! grep -q 'outbox' '$IT_TMP/off.stderr'"
it_check "... and with no answer from the device: exit 5, timed out" \
	bash -c "[ $RC -eq 5 ] && grep -q '^timed out: ' '$IT_TMP/off.stderr'"
[ $RC -eq 5 ] || show off
it_check "drivr-sim is back after the broker restart" wait_for "$IT_TMP/sim.out" "ready" 10

# --- the console's preview -----------------------------------------------------------------
cat >"$IT_TMP/pane.sh" <<EOF
env TERM=xterm-256color LC_ALL=C.UTF-8 TZ=UTC "$CONSOLE" $PLAIN -s $SLUG --no-mouse --settle 0.3 \
	--audit-log "$IT_TMP/ui-audit.log" 2>"$IT_TMP/console.err"
exec sleep 120
EOF
it_tmux_open out 200 40 "$IT_TMP/pane.sh" || { it_fail "tmux starts"; it_summary; exit 1; }
# lib.sh's screen, with wrapped lines joined (the preview's long lines)
screen() { T capture-pane -p -J -t "$IT_TMUX_SESSION"; }
it_check "console: connected and subscribed" wait_screen '● connected' 10
it_check "console: the retained state is in (no 'loading' on the status bar)" wait_screen_gone '^ .* loading' 10
editor() { # SYSTEM COMPONENT: the setpoint editor from the datapoints view, every field typed
	keys 3
	keys / C-u heat-pump-1 Enter
	keys e
	keys Up Up Up Up C-u "$1" Down C-u "$2" Down C-u storage Down C-u charge-limit Down C-u 80
	keys Enter
}
editor "$OFF_SYS" "$OFF_COMP"
it_check "console preview, DISCONNECTED component: 'it goes out now, but ... is DISCONNECTED'" \
	wait_screen "Connected: it goes out now, but the component $OFF_COMP is DISCONNECTED" 5
screen | grep -E 'DISCONNECTED|goes out' | sed 's/^/    | /'
keys Escape
keys Escape
editor "$SYS" battery-1
it_check "console preview, connected component: 'it goes out now' without a warning" \
	wait_screen 'Connected: it goes out now; its state' 3
keys Escape
keys Escape
keys q
T kill-server 2>/dev/null

# --- -V 5 against a broker without MQTT 5 --------------------------------------------------
# No Debian package ships a broker that speaks only 3.1.1 (mosquitto speaks
# 5), so for this one check a minimal peer answers every CONNECT as a 3.1.1
# broker must answer a protocol level it does not support: CONNACK with
# return code 1, "unacceptable protocol version", then closes.
PEER_PORT=$(it_free_port)
it_spawn peer python3 -c '
import socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1])))
s.listen(8)
while True:
    c, _ = s.accept()
    c.settimeout(5)
    try:
        c.recv(4096)
        c.sendall(bytes([0x20, 0x02, 0x00, 0x01]))
    except OSError:
        pass
    c.close()
' "$PEER_PORT"
it_wait_port "$PEER_PORT" 5 "$IT_PID" || it_fail "the 3.1.1 peer listens"
V5=(-h 127.0.0.1 -p "$PEER_PORT" -s "$SLUG" -V 5)
WANT='the broker 127.0.0.1:'"$PEER_PORT"' does not speak MQTT 5 (it refused protocol version 5): connect with -V 311'
timeout 10 "$CONSOLE" "${V5[@]}" --log --timeout 3 >"$IT_TMP/v5.log" 2>"$IT_TMP/v5.log.err"
RC=$?
it_check "--log -V 5: exit 1, the reason in the log and on stderr" \
	bash -c "[ $RC -eq 1 ] && grep -qF '$WANT' '$IT_TMP/v5.log' && grep -qF '$WANT' '$IT_TMP/v5.log.err'"
timeout 10 "$CONSOLE" "${V5[@]}" --snapshot --timeout 3 >/dev/null 2>"$IT_TMP/v5.snap.err"
RC=$?
it_check "--snapshot -V 5: exit 1, the same reason" bash -c "[ $RC -eq 1 ] && grep -qF '$WANT' '$IT_TMP/v5.snap.err'"
timeout 10 "$CONSOLE" set-setpoint "${LABEL[@]}" --value hall "${V5[@]}" >/dev/null 2>"$IT_TMP/v5.act.err"
RC=$?
it_check "set-setpoint -V 5: exit 1, the same reason" bash -c "[ $RC -eq 1 ] && grep -qF '$WANT' '$IT_TMP/v5.act.err'"
it_check "... never Paho's bare 'CONNACK return code'" \
	bash -c "! grep -q 'CONNACK return code' '$IT_TMP'/v5.*"
cat >"$IT_TMP/pane5.sh" <<EOF
env TERM=xterm-256color LC_ALL=C.UTF-8 TZ=UTC "$CONSOLE" ${V5[*]} --no-mouse 2>"$IT_TMP/console5.err"
exec sleep 120
EOF
it_tmux_open v5 220 30 "$IT_TMP/pane5.sh" || { it_fail "tmux starts"; it_summary; exit 1; }
it_check "console -V 5: the status bar says the broker does not speak MQTT 5" \
	wait_screen 'does not speak MQTT 5' 5
screen | grep -F 'MQTT 5' | sed 's/^/    | /'
T kill-server 2>/dev/null

it_summary
