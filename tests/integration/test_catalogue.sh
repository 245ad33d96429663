#!/usr/bin/env bash
# The characteristic catalogue from where the platform keeps it: GraphQL.
# drivr-sim runs WITHOUT --extensions catalogue (its component models carry
# no services, as the reference's §3.6), serving GraphQL with a user token.
#   - with the token: set-setpoint of a value above the characteristic's
#     maximum is refused before sending (exit 2, nothing on the input topic)
#     thanks to the catalogue read over GraphQL;
#   - one query per session, however many lookups (publish-datapoint with
#     three values): counted in drivr-sim's -v log;
#   - without a token: "validation off: no catalogue (no user API token)",
#     the value sent; no query;
#   - a refused token (HTTP 401), an unreachable endpoint: said, validation
#     off, the value sent, no crash;
#   - the full-screen console with the token: the setpoint editor refuses
#     the out-of-range value inline, from the same one-query catalogue;
#   - --catalogue-query: a bad file refused before connecting (exit 2); an
#     override with other field paths is used (the answer then misses them:
#     refused with the path, validation off).
# Every process started here is stopped on exit (lib.sh); only 127.0.0.1.
set -u
cd "$(dirname "$0")/../.."
. tests/integration/lib.sh

BUILD=${BUILD:-build}
SIM=$(pwd)/$BUILD/drivr-sim
CONSOLE=$(pwd)/$BUILD/drivr-console
for f in "$SIM" "$CONSOLE"; do [ -x "$f" ] || { echo "missing $f (run make)"; exit 1; }; done
for tool in mosquitto mosquitto_pub mosquitto_sub python3 tmux; do
	command -v "$tool" >/dev/null || { echo "test_catalogue: $tool is missing (make deps)"; exit 1; }
done

SLUG=cattest
export XDG_STATE_HOME="$IT_TMP/state" # the default audit log is never the real one
unset DRIVR_USER_TOKEN
(umask 077 && printf 'user-token-%s\n' "$$" >"$IT_TMP/user.token" &&
	printf 'not-the-token\n' >"$IT_TMP/wrong.token")

broker_start || { echo "broker did not start"; exit 1; }
PLAIN=$(broker_plain_args)
GQL_PORT=$(it_free_port)
GQL_URL="http://127.0.0.1:$GQL_PORT/graphql"
it_spawn sim "$SIM" $PLAIN -s "$SLUG" --seed 7 --rate 2 --device-delay 0.2 \
	--change-interval 0 --event-interval 0 --setpoint-interval 0 -v \
	--graphql-port "$GQL_PORT" --user-token-file "$IT_TMP/user.token"
SIM_LOG="$IT_TMP/sim.out"
it_check "drivr-sim ready" wait_for "$SIM_LOG" "drivr-sim: ready" 15
it_check "drivr-sim says no extension is on (its models carry no services)" \
	bash -c "! grep -q 'extensions:' '$SIM_LOG'"
timeout 15 "$CONSOLE" $PLAIN -s "$SLUG" --snapshot --settle 0.3 --timeout 3 >"$IT_TMP/world.json" 2>/dev/null
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
[ -n "$SYS" ] || { it_fail "a system with a connected heat-pump-1 in the snapshot"; it_summary; exit 1; }

queries() { grep -c 'graphql: componentModels' "$SIM_LOG"; }
ARGS=($PLAIN -s "$SLUG" --settle 0.3 --timeout 20 --graphql-url "$GQL_URL")
SP=(set-setpoint --system "$SYS" --component heat-pump-1 --service heating
	--characteristic flow-temperature-setpoint)
act() { # NAME args... → exit status in RC, output in NAME.stdout / NAME.stderr
	local name=$1
	shift
	timeout 30 "$CONSOLE" "$@" "${ARGS[@]}" >"$IT_TMP/$name.stdout" 2>"$IT_TMP/$name.stderr"
	RC=$?
}

# --- with the token: refused before sending ------------------------------------------
INPUT="drivr/v1/$SLUG/input/setpoint/$SYS/json"
MARK="drivr/v1/$SLUG/cat-marker"
it_spawn watch mosquitto_sub $PLAIN -t "$INPUT" -t "$MARK" -v
WATCH_PID=$IT_PID
it_check "a subscriber on the setpoint input is in (its marker came back)" \
	it_sub_ready "$IT_TMP/watch.out" "$MARK" 5
BEFORE=$(queries)
act range "${SP[@]}" --value 99 --user-token-file "$IT_TMP/user.token"
timeout 5 mosquitto_pub $PLAIN -t "$MARK" -m after
it_check "... the marker published after the attempt arrived" wait_for "$IT_TMP/watch.out" "^$MARK after" 5
it_stop "$WATCH_PID"
it_check "token: set-setpoint 99 refused before sending by the GraphQL catalogue (exit 2, above 60)" \
	bash -c "[ $RC -eq 2 ] && grep -q 'refused before sending: 99 is above the maximum 60' '$IT_TMP/range.stderr'"
it_check "... nothing was published on the setpoint input (only the markers)" \
	bash -c "! grep -qv '^$MARK ' '$IT_TMP/watch.out'"
it_check "... one catalogue query in drivr-sim's log" bash -c "[ $(( $(queries) - BEFORE )) -eq 1 ]"

# Several lookups, one query: three datapoints, each checked.
printf '%s\n' \
	'{"componentCode":"heat-pump-1","serviceCode":"heating","characteristicCode":"flow-temperature","value":41.5}' \
	'{"componentCode":"heat-pump-1","serviceCode":"heating","characteristicCode":"power","value":2100}' \
	'{"componentCode":"heat-pump-1","serviceCode":"status","characteristicCode":"outdoor-temperature","value":7}' \
	>"$IT_TMP/values.jsonl"
BEFORE=$(queries)
act many publish-datapoint --system "$SYS" --values-file "$IT_TMP/values.jsonl" \
	--user-token-file "$IT_TMP/user.token"
it_check "token: publish-datapoint of three values, checked, sent (exit 0), no 'validation off'" \
	bash -c "[ $RC -eq 0 ] && ! grep -q 'validation off' '$IT_TMP/many.stderr'"
it_check "... one catalogue query for the session's three lookups" \
	bash -c "[ $(( $(queries) - BEFORE )) -eq 1 ]"
act setting publish-datapoint --system "$SYS" --component heat-pump-1 --service heating \
	--characteristic flow-temperature-setpoint --value 40 --user-token-file "$IT_TMP/user.token"
it_check "token: a datapoint for a SETTING refused before sending (exit 2), known from GraphQL" \
	bash -c "[ $RC -eq 2 ] && grep -q 'is a SETTING' '$IT_TMP/setting.stderr'"

# --log --format csv: the units from the GraphQL catalogue, once it is in.
timeout -s INT 6 "$CONSOLE" $PLAIN -s "$SLUG" --log --format csv --graphql-url "$GQL_URL" \
	--user-token-file "$IT_TMP/user.token" >"$IT_TMP/log.csv" 2>"$IT_TMP/log.err"
it_check "--format csv with the token: units from the GraphQL catalogue (rows with a unit)" \
	bash -c "tr -d '\\r' <'$IT_TMP/log.csv' | grep -Eq ',(°C|W|V|A|kWh|%|ppm|s)\$'"

# --- without a token: said, sent ----------------------------------------------------
BEFORE=$(queries)
act notoken "${SP[@]}" --value 45
[ "$RC" -eq 0 ] || sed 's/^/    notoken: /' "$IT_TMP/notoken.stderr"
it_check "no token: 'validation off: no catalogue (no user API token)', the value sent (exit 0)" \
	bash -c "[ $RC -eq 0 ] && grep -q 'validation off: no catalogue (no user API token)' '$IT_TMP/notoken.stderr' &&
		 grep -q 'delivered' '$IT_TMP/notoken.stderr'"
it_check "... and no catalogue query" bash -c "[ $(queries) -eq $BEFORE ]"

# --- a refused token, an unreachable endpoint: said, validation off, sent -----------
act refused "${SP[@]}" --value 45 --user-token-file "$IT_TMP/wrong.token"
it_check "a refused token: the query's failure said (HTTP 401), validation off, sent (exit 0)" \
	bash -c "[ $RC -eq 0 ] && grep -q 'the catalogue query failed: HTTP 401' '$IT_TMP/refused.stderr' &&
		 grep -q 'validation off: the catalogue query failed' '$IT_TMP/refused.stderr'"
DEAD_PORT=$(it_free_port)
timeout 30 "$CONSOLE" "${SP[@]}" --value 45 "${ARGS[@]}" --user-token-file "$IT_TMP/user.token" \
	--graphql-url "http://127.0.0.1:$DEAD_PORT/graphql" >"$IT_TMP/dead.stdout" 2>"$IT_TMP/dead.stderr"
RC=$?
it_check "an unreachable endpoint: said, validation off, sent (exit 0)" \
	bash -c "[ $RC -eq 0 ] && grep -q 'the catalogue query failed: http://127.0.0.1:$DEAD_PORT/graphql' '$IT_TMP/dead.stderr' &&
		 grep -q 'validation off' '$IT_TMP/dead.stderr'"

# --- --catalogue-query ---------------------------------------------------------------
printf 'models = data..items\n' >"$IT_TMP/bad.query"
act badfile "${SP[@]}" --value 45 --user-token-file "$IT_TMP/user.token" --catalogue-query "$IT_TMP/bad.query"
it_check "--catalogue-query: a bad path refused before connecting (exit 2, file:line)" \
	bash -c "[ $RC -eq 2 ] && grep -q 'bad.query:1: models' '$IT_TMP/badfile.stderr'"
printf 'characteristic.max = boundaryMaximum\n' >"$IT_TMP/other.query"
act other "${SP[@]}" --value 99 --user-token-file "$IT_TMP/user.token" --catalogue-query "$IT_TMP/other.query"
it_check "--catalogue-query: its paths are the ones read (no boundaryMaximum: no maximum; 99 goes out)" \
	bash -c "[ $RC -eq 0 ] && grep -q 'delivered' '$IT_TMP/other.stderr'"

# --- the full-screen console: the editor checks against the GraphQL catalogue -------
BEFORE=$(queries)
ENVS="TERM=xterm-256color LC_ALL=C.UTF-8 TZ=UTC XDG_STATE_HOME=$IT_TMP/state"
cat >"$IT_TMP/pane.sh" <<EOF
env $ENVS "$CONSOLE" $PLAIN -s $SLUG --no-mouse --settle 0.3 --graphql-url "$GQL_URL" \
	--user-token-file "$IT_TMP/user.token" --audit-log "$IT_TMP/ui-audit.log" 2>"$IT_TMP/console.err"
echo "CONSOLE-EXIT=\$?"
exec sleep 60
EOF
it_tmux_open cat 120 36 "$IT_TMP/pane.sh" || { it_fail "tmux starts"; it_summary; exit 1; }
it_check "console: connected, the retained state in" wait_screen_gone '^ .* loading' 10
it_check "console: one catalogue query for the session" \
	wait_until 5 bash -c "[ \$(grep -c 'graphql: componentModels' '$SIM_LOG') -eq $((BEFORE + 1)) ]"
keys 3
keys / C-u heat-pump-1 Enter
keys e
keys Up Up Up Up C-u "$SYS" Down C-u heat-pump-1 Down C-u heating Down C-u flow-temperature-setpoint Down C-u 70
it_check "editor: 70 refused inline (above the maximum 60, from the GraphQL catalogue)" \
	wait_screen '✖ 70 is above the maximum 60' 3
keys C-u 45
it_check "editor: 45 accepted, checked against the catalogue" wait_screen '✔ 45' 3
keys Escape
keys q
keys y
it_check "console: exits 0" wait_screen 'CONSOLE-EXIT=0' 15
it_check "... still one query after the editor's lookups" \
	bash -c "[ $(queries) -eq $((BEFORE + 1)) ]"

it_summary
