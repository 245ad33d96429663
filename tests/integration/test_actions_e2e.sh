#!/usr/bin/env bash
# End to end: the operator's actions against a real mosquitto and drivr-sim
# (the platform and its devices, GraphQL on loopback), followed to the end.
#
# (a) the scriptable commands (docs/actions.md):
#   set-setpoint accepted (0), rejected with the device's message (3), out of
#   range refused before sending (2, nothing published: a subscriber sees
#   only a marker), accepted by the catalogue check but refused by the
#   platform with an /error reply (4); ack-event → the event republished
#   acknowledged (0); issue-token → the JWT checked against the JWKS, in the
#   token list, written 0600 (0); the broker down when a setpoint is asked
#   for → it goes out once the broker is back and is confirmed (0);
#   --read-only refuses all three (6);
# (b) the full-screen console in tmux (screen dumps printed below): setpoint
#   accepted / rejected / /error reply (linked in the errors view) / out of
#   range refused by the form, event acknowledged, token issued (the JWT
#   shown once, valid against the JWKS, written to a file 0600, then in the
#   token list), a setpoint queued in the outbox while the broker is down
#   (quitting asks first) that goes out after the reconnect and is
#   confirmed, --read-only;
# then: one audit line per action with its outcome, and the user API token
# nowhere in the audit log, the console's output or any screen dump.
# drivr-sim runs with the catalogue extension only (the form's checks need
# it); its setpoints are the reference's shape, without codes.
# test_actions_schema.sh runs the actions without any extension.
# Every process started here is stopped on exit (lib.sh); only 127.0.0.1.
set -u
cd "$(dirname "$0")/../.."
. tests/integration/lib.sh

BUILD=${BUILD:-build}
SIM=$(pwd)/$BUILD/drivr-sim
CONSOLE=$(pwd)/$BUILD/drivr-console
for f in "$SIM" "$CONSOLE"; do [ -x "$f" ] || { echo "missing $f (run make)"; exit 1; }; done
for tool in mosquitto mosquitto_pub mosquitto_sub tmux python3; do
	command -v "$tool" >/dev/null || { echo "test_actions_e2e: $tool is missing (make deps)"; exit 1; }
done

SLUG=acttest
USER_TOKEN="user-api-token-$$-$RANDOM-do-not-log"
(umask 077 && printf '%s\n' "$USER_TOKEN" >"$IT_TMP/user.token")
unset DRIVR_USER_TOKEN
export XDG_STATE_HOME="$IT_TMP/state" # the default audit log is never the real one
AUDIT="$IT_TMP/audit.log"
UI_AUDIT="$IT_TMP/ui-audit.log"

broker_start || { echo "broker did not start"; exit 1; }
PLAIN=$(broker_plain_args)
GQL_PORT=$(it_free_port)
GQL_URL="http://127.0.0.1:$GQL_PORT/graphql"
it_spawn sim "$SIM" $PLAIN -s "$SLUG" --seed 42 --rate 5 --device-delay 0.2 \
	--change-interval 0 --event-interval 0 --setpoint-interval 0 \
	--graphql-port "$GQL_PORT" --user-token-file "$IT_TMP/user.token" # the reference's shapes only
it_check "drivr-sim ready" wait_for "$IT_TMP/sim.out" "drivr-sim: ready" 15

timeout 15 "$CONSOLE" $PLAIN -s "$SLUG" --snapshot --settle 0.3 --timeout 3 >"$IT_TMP/world.json" 2>/dev/null
read -r SYS SYS_NAME EVENT <<<"$(python3 - "$IT_TMP/world.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
for s in d["systems"]:
    comps = {c["code"]: c for c in d["components"] if c["systemUuid"] == s["uuid"]}
    if comps.get("heat-pump-1", {}).get("connectionState") == "CONNECTED":
        break
ev = [e["uuid"] for e in d["events"] if not e["acknowledged"]]
print(s["uuid"], s["name"].split()[0], ev[0])
PY
)"
[ -n "${EVENT:-}" ] || { it_fail "ids from the snapshot"; it_summary; exit 1; }
INPUT="drivr/v1/$SLUG/input/setpoint/$SYS/json"

# --- (a) the scriptable commands ---------------------------------------------------
ARGS=($PLAIN -s "$SLUG" --settle 0.3 --timeout 20 --audit-log "$AUDIT" \
	--graphql-url "$GQL_URL" --user-token-file "$IT_TMP/user.token") # the catalogue over GraphQL
SP=(--system "$SYS" --component heat-pump-1 --service heating)
act() { # NAME args... → exit status in RC, output in NAME.stdout / NAME.stderr
	local name=$1
	shift
	timeout 40 "$CONSOLE" "$@" "${ARGS[@]}" >"$IT_TMP/$name.stdout" 2>"$IT_TMP/$name.stderr"
	RC=$?
}

act accepted set-setpoint "${SP[@]}" --characteristic flow-temperature-setpoint --value 45 --wait
it_check "set-setpoint 45: exit 0, confirmed (device: applied)" \
	bash -c "[ $RC -eq 0 ] && grep -q '^confirmed: set heat-pump-1/heating/flow-temperature-setpoint = 45 (receipt .*): applied' '$IT_TMP/accepted.stderr'"

it_check "... and nothing on stdout (stdout is data; the outcome is talk, on stderr)" \
	bash -c "[ ! -s '$IT_TMP/accepted.stdout' ]"

act rejected set-setpoint "${SP[@]}" --characteristic flow-temperature-setpoint --value 57.5 --wait
it_check "set-setpoint 57.5: exit 3, rejected with the device's message" \
	bash -c "[ $RC -eq 3 ] && grep -q '^rejected: .*legionella' '$IT_TMP/rejected.stderr'"

# Out of range: refused before anything is built.  A subscriber on the input
# topic, proven subscribed by its own marker, sees only the markers: the
# second, published after the attempt, shows the broker had passed on all
# before it.
MARK="drivr/v1/$SLUG/e2e-marker"
it_spawn watch mosquitto_sub $PLAIN -t "$INPUT" -t "$MARK" -v
WATCH_PID=$IT_PID
it_check "a subscriber on $INPUT is in (its marker came back)" it_sub_ready "$IT_TMP/watch.out" "$MARK" 5
act range set-setpoint "${SP[@]}" --characteristic flow-temperature-setpoint --value 70 --wait
timeout 5 mosquitto_pub $PLAIN -t "$MARK" -m after
it_check "... the marker published after the attempt arrived" wait_for "$IT_TMP/watch.out" "^$MARK after" 5
it_stop "$WATCH_PID"
it_check "set-setpoint 70: exit 2, refused before sending (above the maximum 60)" \
	bash -c "[ $RC -eq 2 ] && grep -q 'refused before sending: 70 is above the maximum 60' '$IT_TMP/range.stderr'"
it_check "... and nothing was published on $INPUT (the subscriber saw only the markers)" \
	bash -c "! grep -qv '^$MARK ' '$IT_TMP/watch.out'"

# Not in the model's catalogue: the command cannot check it, the platform refuses.
act error set-setpoint "${SP[@]}" --characteristic boost-mode --value 1 --wait
it_check "set-setpoint of a characteristic the catalogue lacks: exit 4, the /error reply's message and code" \
	bash -c "[ $RC -eq 4 ] && grep -q 'not in the catalogue' '$IT_TMP/error.stderr' &&
		 grep -q '^error: .*no characteristic heating/boost-mode \[UNKNOWN_CHARACTERISTIC\]' '$IT_TMP/error.stderr'"

act ack ack-event --event "$EVENT" --wait
timeout 10 mosquitto_sub $PLAIN -t "drivr/v1/$SLUG/systems/+/events/$EVENT" -C 1 -W 5 >"$IT_TMP/event.json"
it_check "ack-event: exit 0, confirmed; the event is republished acknowledged" \
	bash -c "[ $RC -eq 0 ] && grep -q '^confirmed: acknowledge event $EVENT' '$IT_TMP/ack.stderr' &&
		 python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if d[\"acknowledged\"] is True and d.get(\"acknowledgedAt\") else 1)' '$IT_TMP/event.json'"

act token issue-token --system "$SYS" --device e2e-bulb --duration 1D --wait \
	--token-out "$IT_TMP/cli.jwt" --graphql-url "$GQL_URL" --user-token-file "$IT_TMP/user.token"
it_check "issue-token: exit 0, confirmed (in the token list), the JWT valid against the JWKS, file 0600" \
	bash -c "[ $RC -eq 0 ] && grep -q '^confirmed: issue 1D token for e2e-bulb' '$IT_TMP/token.stderr' &&
		 grep -q 'JWKS (1 key): valid (RS256, kid ' '$IT_TMP/token.stderr' &&
		 [ \"\$(stat -c %a '$IT_TMP/cli.jwt')\" = 600 ] && grep -q '^CLOUD-ey' '$IT_TMP/cli.jwt'"
it_check "issue-token printed no JWT to stdout with --token-out" bash -c "! grep -q CLOUD- '$IT_TMP/token.stdout'"

# The broker is down when the technician asks: --wait waits for it, then the
# setpoint goes out (after the platform has republished its world) and is confirmed.
broker_stop
"$CONSOLE" set-setpoint "${SP[@]}" --characteristic flow-temperature-setpoint --value 44 --wait \
	"${ARGS[@]}" --timeout 40 >"$IT_TMP/down.stdout" 2>"$IT_TMP/down.stderr" &
DOWN_PID=$!
it_track "$DOWN_PID"
it_check "broker down: set-setpoint --wait says it cannot connect and waits" \
	wait_for "$IT_TMP/down.stderr" "cannot connect to .*--wait" 10
broker_restart || it_fail "broker restart"
it_check "... it ends after the broker is back" it_wait_exit "$DOWN_PID" 45
wait "$DOWN_PID" 2>/dev/null
RC=$?
it_check "broker down when asked: waits, goes out after the reconnect, confirmed (exit 0)" \
	bash -c "[ $RC -eq 0 ] && grep -q 'cannot connect to .*--wait' '$IT_TMP/down.stderr' &&
		 grep -q '^confirmed: set heat-pump-1/heating/flow-temperature-setpoint = 44 ' '$IT_TMP/down.stderr'"
[ $RC -eq 0 ] || sed 's/^/    down: /' "$IT_TMP/down.stdout" "$IT_TMP/down.stderr"
it_check "drivr-sim is back after the broker restart" wait_for "$IT_TMP/sim.out" "ready" 10

ro=0
for a in "set-setpoint ${SP[*]} --characteristic flow-temperature-setpoint --value 45" \
	"ack-event --event $EVENT" "issue-token --system $SYS --device x --permanent"; do
	# shellcheck disable=SC2086 # the words of $a
	timeout 10 "$CONSOLE" $a --read-only "${ARGS[@]}" >/dev/null 2>"$IT_TMP/ro.err"
	[ $? -eq 6 ] && grep -q 'refused: read-only mode' "$IT_TMP/ro.err" && ro=$((ro + 1))
done
it_check "--read-only refuses set-setpoint, ack-event and issue-token (exit 6)" [ $ro -eq 3 ]

it_check "audit log: one line per action with its outcome, mode 0600" python3 - "$AUDIT" <<'PY'
import json, os, stat, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
outcomes = [(l["action"], l["outcome"].split(":")[0]) for l in lines]
want = [("set-setpoint", "confirmed"), ("set-setpoint", "rejected"), ("set-setpoint", "error"),
        ("ack-event", "confirmed"), ("issue-token", "confirmed"), ("set-setpoint", "confirmed")]
ok = outcomes == want and all(l["time"] and l["profile"] and l["topic"] and l["payload"] for l in lines)
ok = ok and "[UNKNOWN_CHARACTERISTIC]" in lines[2]["outcome"] and lines[4]["topic"].endswith("/graphql")
ok = ok and stat.S_IMODE(os.stat(sys.argv[1]).st_mode) == 0o600
if not ok:
    print("    audit:", outcomes)
sys.exit(0 if ok else 1)
PY

# --- (b) the full-screen console in tmux -------------------------------------------
ENVS="TERM=xterm-256color LC_ALL=C.UTF-8 TZ=UTC XDG_STATE_HOME=$IT_TMP/state"
mkdir -p "$IT_TMP/ui"
cat >"$IT_TMP/pane.sh" <<EOF
cd "$IT_TMP/ui"
env $ENVS "$CONSOLE" $PLAIN -s $SLUG --no-mouse --settle 0.3 --audit-log "$UI_AUDIT" \
	--graphql-url "$GQL_URL" --user-token-file "$IT_TMP/user.token" 2>"$IT_TMP/console.err"
echo "CONSOLE-EXIT=\$?"
exec sleep 120
EOF
it_tmux_open e2e 120 36 "$IT_TMP/pane.sh" || { it_fail "tmux starts"; it_summary; exit 1; }

DUMPS=0
dump() { # NAME — keep the screen (grepped for secrets at the end) and show it
	DUMPS=$((DUMPS + 1))
	screen >"$IT_TMP/ui/screen-$DUMPS-$1.txt"
	echo "    --- screen: $1"
	sed -n "${2:-1},${3:-36}p" "$IT_TMP/ui/screen-$DUMPS-$1.txt" | sed 's/^/    | /'
}
# The editor from the datapoints view, every field typed (the selected row
# does not matter): SETPOINT CHARACTERISTIC VALUE
editor() {
	keys 3
	keys / C-u heat-pump-1 Enter
	keys e
	keys Up Up Up Up C-u "$SYS" Down C-u heat-pump-1 Down C-u heating Down C-u "$1" Down C-u "$2"
}

it_check "console: connected and subscribed" wait_screen '● connected' 10
it_check "console: the retained state is in (no 'loading' on the status bar)" wait_screen_gone '^ .* loading' 10

# accepted
editor flow-temperature-setpoint 45.5
it_check "editor: the catalogue's limits and the inline check" \
	wait_screen 'SETTING FLOAT in °C, min 25, max 60, step 0\.5' 3
keys Enter
it_check "editor: preview of the exact topic and payload" \
	bash -c "tmux -S '$IT_TMUX_SOCK' -f /dev/null capture-pane -p -t e2e | grep -q 'drivr/v1/$SLUG/input/setpoint/$SYS/json' &&
		 tmux -S '$IT_TMUX_SOCK' -f /dev/null capture-pane -p -t e2e | grep -q 'Connected: it goes out now'"
dump preview 8 30
keys Enter
it_check "notice names the site: system name › component/service/characteristic" \
	wait_screen "#[0-9]+ set $SYS_NAME[^›]* › heat-pump-1/heating/flow-temperature-setpoint = 45\.5: " 3
keys 4
it_check "setpoint 45.5 accepted: the row shows ACCEPTED and the request confirmed" \
	wait_screen '45\.5 ✔ ACCEPTED +#[0-9]+ confirmed' 10

# out of range: refused by the form, nothing sent
editor flow-temperature-setpoint 70
it_check "editor: 70 refused inline (above the maximum 60)" wait_screen '✖ 70 is above the maximum 60' 3
keys Enter
it_check "editor: Enter refuses before sending" wait_screen 'Refused before sending: 70 is above the maximum 60' 3
dump refused 8 30
keys Escape

# rejected by the device
editor flow-temperature-setpoint 57.5
keys Enter
keys Enter
keys 4
it_check "setpoint 57.5 rejected: the row shows REJECTED with the device's message" \
	wait_screen '57\.5 ✖ REJECTED +#[0-9]+ rejected: above 55' 10

# accepted by the form (not in the catalogue), refused by the platform
editor boost-mode 1
it_check "editor: a characteristic the catalogue lacks is sent as typed" \
	wait_screen 'not in the model.s catalogue: the value is sent as typed' 3
keys Enter
keys Enter
keys 4
it_check "/error reply: the request's row shows error with the platform's message" \
	wait_screen '✖ error +#[0-9]+ component heat' 10
dump setpoints 1 12
keys 6
it_check "errors view: the reply names the request that caused it" \
	wait_screen 'reply .*UNKNOWN_CHA.* #[0-9]+ set heat-pu' 5
dump errors 1 8

# event acknowledged from the events view
keys 5
keys / C-u ack:no Enter
keys a
it_check "ack: preview of the event_ack topic and payload" wait_screen "input/event/ack/.*/json" 3
keys Enter
keys 0
it_check "ack: confirmed (the event came back acknowledged)" \
	wait_screen 'acknowledge [A-Z0-9_-]+ at .* ✔ confirmed' 10
ACKED=$(python3 -c '
import json, sys
for l in open(sys.argv[1]):
    d = json.loads(l)
    if d["action"] == "ack-event":
        print(d["topic"].split("/")[-2])' "$UI_AUDIT" 2>/dev/null | tail -1)
timeout 10 mosquitto_sub $PLAIN -t "drivr/v1/$SLUG/systems/+/events/$ACKED" -C 1 -W 5 >"$IT_TMP/ui-event.json" 2>/dev/null
it_check "ack: the event $ACKED is acknowledged on the broker" \
	python3 -c 'import json,sys; sys.exit(0 if json.load(open(sys.argv[1]))["acknowledged"] is True else 1)' "$IT_TMP/ui-event.json"
keys 5
keys / C-u Enter

# a token: the JWT shown once, valid, written to a file, then in the list
keys 7
TOKENS_BEFORE=$(screen | grep -c '✔ valid')
keys n
keys e2e-lamp Enter
it_check "token: preview names the user token's file, never the token" \
	wait_screen "Bearer: the user API token of $IT_TMP/user.token" 3
keys Enter
it_check "token: the JWT is shown once, valid against the JWKS" \
	wait_screen "Signature against the domain.s JWKS: valid \(RS256" 10
dump jwt 1 36
keys w
keys Enter
keys Enter
JWT_DIR="$IT_TMP/state/drivr-console"
it_check "token: written to a file (mode 0600) in the state directory (0700), not the working one" \
	bash -c "ls '$JWT_DIR'/*e2e-lamp*.jwt >/dev/null 2>&1 && [ \"\$(stat -c %a '$JWT_DIR'/*e2e-lamp*.jwt)\" = 600 ] &&
		 [ \"\$(stat -c %a '$JWT_DIR')\" = 700 ] && ! ls '$IT_TMP'/ui/*.jwt >/dev/null 2>&1"
keys Escape
keys 0
it_check "token: confirmed once it is in the system's token list" \
	wait_screen 'issue 1D token for e2e-lamp.* ✔ confirmed' 10
keys 7
it_check "token: one more row checked valid in the tokens view" \
	bash -c "[ \"\$(tmux -S '$IT_TMUX_SOCK' -f /dev/null capture-pane -p -t e2e | grep -c '✔ valid')\" -gt $TOKENS_BEFORE ]"

# the broker goes away: the setpoint waits in the outbox, quitting asks,
# and it goes out after the reconnect
broker_stop
it_check "broker stopped: the console says the connection is lost" \
	wait_screen '(○ connection lost|◐ reconnecting)' 10
editor flow-temperature-setpoint 46
keys Enter
it_check "preview says it waits in the outbox" wait_screen 'Not connected: it waits in the outbox' 3
keys Enter
keys 4
it_check "the setpoint waits in the outbox (queued) while the broker is away" \
	wait_screen '46 … queued \(outbox\)' 3
dump outbox 1 12
keys q
it_check "q with a pending request asks first" wait_screen 'request\(s\) still pending: quit anyway\? \(y/n\)' 3
keys n
keys C-c
it_check "Ctrl-C with a pending request asks too (a second one quits)" \
	wait_screen 'still pending: quit anyway\? \(y/n, Ctrl-C again: quit\)' 3
keys n
it_check "... and n keeps the console running" bash -c "! tmux -S '$IT_TMUX_SOCK' -f /dev/null capture-pane -p -t e2e | grep -q CONSOLE-EXIT"
broker_restart || it_fail "broker restart"
it_check "after the reconnect it goes out and is confirmed" wait_screen '46 ✔ ACCEPTED +#[0-9]+ confirmed' 30
keys 0
dump requests 1 14

keys q
it_check "q quits (nothing pending): exit 0" wait_screen 'CONSOLE-EXIT=0' 5

# --read-only: the actions are refused in the console too
T new-window -d -t e2e -n ro "exec env $ENVS '$CONSOLE' $PLAIN -s $SLUG --no-mouse --read-only"
IT_TMUX_SESSION=e2e:ro
it_check "--read-only console: connected, the status bar says read-only" \
	wait_screen '● connected .*read-only' 10
keys 4 e
it_check "--read-only console: e refused with a notice" \
	wait_screen 'read-only: the setpoint editor is off' 3
screen >"$IT_TMP/ui/screen-ro.txt"

it_check "console audit: one line per action with its outcome" python3 - "$UI_AUDIT" <<'PY'
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
got = [(l["action"], l["outcome"].split(":")[0]) for l in lines]
want = [("set-setpoint", "confirmed"), ("set-setpoint", "rejected"), ("set-setpoint", "error"),
        ("ack-event", "confirmed"), ("issue-token", "confirmed"), ("set-setpoint", "confirmed")]
ids = [l["request"] for l in lines]
ok = got == want and len(set(ids)) == len(ids)
if not ok:
    print("    audit:", got, ids)
sys.exit(0 if ok else 1)
PY

# The user API token: nowhere but its own file (and the simulator, which checks it).
it_check "the user API token is in no audit line, console output or screen dump" \
	bash -c "! grep -rl -F '$USER_TOKEN' '$AUDIT' '$UI_AUDIT' '$IT_TMP'/*.stdout '$IT_TMP'/*.stderr \
		'$IT_TMP/console.err' '$IT_TMP'/ui/ 2>/dev/null"
it_check "the screen dumps were written ($DUMPS + read-only)" [ "$DUMPS" -ge 6 ]
it_check "no sanitizer report" \
	bash -c "! grep -l 'Sanitizer\|runtime error' '$IT_TMP'/*.stderr '$IT_TMP/console.err' 2>/dev/null"

T kill-server 2>/dev/null
it_summary
