#!/usr/bin/env bash
# The command line of the actions, as a script uses it (docs/actions.md,
# issue 15), against a real mosquitto (connection_messages on: its log shows
# every client that connects) and drivr-sim (GraphQL on loopback, -v: it
# logs every token it issues):
#   - stdout is data: `issue-token > bulb.jwt` gives a one-line JWT file (the
#     outcome line and the JWKS check on stderr); --quiet leaves stderr empty
#     on success and still says a failure;
#   - `set-setpoint ... --help` and `help COMMAND` print the command's usage
#     (exit 0) without connecting; --help names the commands and every exit
#     status of include/exitstatus.h;
#   - several missing or malformed options: all named, one line each, exit 2,
#     no client in the broker's log;
#   - --duration 3X and 0: exit 2 before connecting, nothing issued;
#   - no user API token: exit 2, nothing connected, no audit line.
# Every process started here is stopped on exit (lib.sh); only 127.0.0.1.
set -u
cd "$(dirname "$0")/../.."
. tests/integration/lib.sh

BUILD=${BUILD:-build}
SIM=$(pwd)/$BUILD/drivr-sim
CONSOLE=$(pwd)/$BUILD/drivr-console
for f in "$SIM" "$CONSOLE"; do [ -x "$f" ] || { echo "missing $f (run make)"; exit 1; }; done
for tool in mosquitto python3; do
	command -v "$tool" >/dev/null || { echo "test_cli: $tool is missing (make deps)"; exit 1; }
done

SLUG=clitest
USER_TOKEN="user-api-token-$$-$RANDOM"
(umask 077 && printf '%s\n' "$USER_TOKEN" >"$IT_TMP/user.token")
unset DRIVR_USER_TOKEN
export XDG_STATE_HOME="$IT_TMP/state" XDG_CONFIG_HOME="$IT_TMP/config"
AUDIT="$IT_TMP/audit.log"

it_action_world || { it_summary; exit 1; }

CONN_NO_TOKEN=($PLAIN -s "$SLUG" --settle 0.3 --timeout 20 --audit-log "$AUDIT")
CONN=("${CONN_NO_TOKEN[@]}" "${CATALOGUE_ARGS[@]}") # the catalogue from GraphQL
TK=(issue-token --system "$SYS" --graphql-url "$GQL_URL" --user-token-file "$IT_TMP/user.token")
SP=(set-setpoint --system "$SYS" --component heat-pump-1 --service heating
	--characteristic flow-temperature-setpoint)
# Clients the broker has seen, and tokens drivr-sim has issued, so far.
clients() { grep -c "New connection from" "$BROKER_LOG"; }
issued() { grep -c "drivr-sim: graphql: " "$SIM_LOG"; }
audit_lines() { if [ -f "$AUDIT" ]; then grep -c . "$AUDIT"; else echo 0; fi; }

run() { # NAME args... → RC, NAME.stdout / NAME.stderr (bounded: nothing here waits long)
	local name=$1
	shift
	timeout 40 "$CONSOLE" "$@" >"$IT_TMP/$name.stdout" 2>"$IT_TMP/$name.stderr"
	RC=$?
}
show() { sed "s/^/    $1: /" "$IT_TMP/$1.stdout" "$IT_TMP/$1.stderr"; }

# --- stdout is data --------------------------------------------------------------------
BEFORE=$(clients)
timeout 40 "$CONSOLE" "${TK[@]}" --device bulb --duration 1D "${CONN[@]}" >"$IT_TMP/bulb.jwt" 2>"$IT_TMP/bulb.err"
RC=$?
it_check "issue-token > bulb.jwt: exit 0, the file is one line, a JWT (CLOUD- + header.claims.signature)" \
	python3 - "$IT_TMP/bulb.jwt" "$RC" <<'PY'
import base64, json, re, sys
text = open(sys.argv[1]).read()
lines = text.splitlines()
assert sys.argv[2] == "0", "exit " + sys.argv[2]
assert len(lines) == 1 and text.endswith("\n"), repr(text[:200])
m = re.fullmatch(r"CLOUD-([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)", lines[0])
assert m, lines[0][:80]
pad = lambda s: s + "=" * (-len(s) % 4)
header = json.loads(base64.urlsafe_b64decode(pad(m.group(1))))
claims = json.loads(base64.urlsafe_b64decode(pad(m.group(2))))
assert header.get("alg") and "exp" in claims, (header, claims)
PY
[ $RC -eq 0 ] || sed 's/^/    bulb: /' "$IT_TMP/bulb.err"
it_check "... the outcome and the JWKS check on stderr" \
	bash -c "grep -q '^delivered: issue 1D token for bulb' '$IT_TMP/bulb.err' &&
		 grep -q 'JWKS (1 key): valid' '$IT_TMP/bulb.err'"
it_check "... and it connected (the broker's log shows a client: the check below can see one)" \
	[ "$(clients)" -gt "$BEFORE" ]

run quiet "${TK[@]}" --device quiet-bulb --duration 12H --quiet "${CONN[@]}"
it_check "issue-token --quiet: exit 0, the JWT on stdout, nothing on stderr" \
	bash -c "[ $RC -eq 0 ] && [ \"\$(grep -c . '$IT_TMP/quiet.stdout')\" -eq 1 ] &&
		 grep -q '^CLOUD-ey' '$IT_TMP/quiet.stdout' && [ ! -s '$IT_TMP/quiet.stderr' ]"
[ $RC -eq 0 ] || show quiet

run sp "${SP[@]}" --value 45 "${CONN[@]}"
it_check "set-setpoint: exit 0, stdout empty, the outcome line on stderr" \
	bash -c "[ $RC -eq 0 ] && [ ! -s '$IT_TMP/sp.stdout' ] && grep -q '^delivered: set heat-pump-1/heating/flow-temperature-setpoint = 45' '$IT_TMP/sp.stderr'"
[ $RC -eq 0 ] || show sp
run spq "${SP[@]}" --value 70 --quiet "${CONN[@]}"
it_check "set-setpoint --quiet refused before sending: exit 2, the error still said" \
	bash -c "[ $RC -eq 2 ] && grep -q 'refused before sending: 70 is above the maximum 60' '$IT_TMP/spq.stderr'"

# --- help without connecting ---------------------------------------------------------
BEFORE=$(clients)
run help set-setpoint $PLAIN -s demo --help
it_check "set-setpoint -s demo --help: exit 0, its usage and options on stdout, nothing on stderr" \
	bash -c "[ $RC -eq 0 ] && grep -q '^Usage: drivr-console set-setpoint --system UUID' '$IT_TMP/help.stdout' &&
		 grep -q -- '--characteristic CODE' '$IT_TMP/help.stdout' && grep -q -- '--timeout' '$IT_TMP/help.stdout' &&
		 ! grep -q -- '--duration' '$IT_TMP/help.stdout' && [ ! -s '$IT_TMP/help.stderr' ]"
run helpcmd help issue-token
it_check "help issue-token: exit 0, its options (--duration, --token-out, --user-token-file)" \
	bash -c "[ $RC -eq 0 ] && grep -q '^Usage: drivr-console issue-token' '$IT_TMP/helpcmd.stdout' &&
		 grep -q -- '--duration D' '$IT_TMP/helpcmd.stdout' && grep -q -- '--token-out FILE' '$IT_TMP/helpcmd.stdout' &&
		 grep -q -- '--user-token-file FILE' '$IT_TMP/helpcmd.stdout'"
run helpbad help set-point
it_check "help set-point (no such command): exit 2, the commands named on stderr" \
	bash -c "[ $RC -eq 2 ] && grep -q 'no command \"set-point\"' '$IT_TMP/helpbad.stderr' &&
		 grep -q '^  set-setpoint ' '$IT_TMP/helpbad.stderr'"
run mainhelp --help
it_check "--help names the commands" \
	bash -c "[ $RC -eq 0 ] && grep -q '^  set-setpoint ' '$IT_TMP/mainhelp.stdout' &&
		 grep -q '^  ack-event ' '$IT_TMP/mainhelp.stdout' && grep -q '^  issue-token ' '$IT_TMP/mainhelp.stdout' &&
		 grep -q 'help COMMAND' '$IT_TMP/mainhelp.stdout'"
# every status of EXIT_STATUS_LIST, read from the header itself
STATUSES=$(sed -n 's/^[[:space:]]*X([A-Z_]*, \([0-9]*\),.*/\1/p' include/exitstatus.h)
missing=""
for s in $STATUSES; do
	grep -q "^  $s  " "$IT_TMP/mainhelp.stdout" || missing="$missing $s"
done
it_check "--help lists every exit status of include/exitstatus.h ($(echo $STATUSES))" \
	bash -c "[ -n '$STATUSES' ] && [ -z '$missing' ]"
it_check "none of the help runs connected (the broker's log has no new client)" [ "$(clients)" -eq "$BEFORE" ]

# --- options checked before connecting, all at once -----------------------------------
BEFORE=$(clients)
ISSUED=$(issued)
run missing set-setpoint "${CONN[@]}" --system "$SYS"
it_check "set-setpoint with four options missing: exit 2, each named on its own line, nothing else" \
	bash -c "[ $RC -eq 2 ] && [ ! -s '$IT_TMP/missing.stdout' ] &&
		 grep -q 'missing --component' '$IT_TMP/missing.stderr' && grep -q 'missing --service' '$IT_TMP/missing.stderr' &&
		 grep -q 'missing --characteristic' '$IT_TMP/missing.stderr' && grep -q 'missing --value' '$IT_TMP/missing.stderr' &&
		 [ \"\$(grep -c . '$IT_TMP/missing.stderr')\" -eq 4 ]"
[ $RC -eq 2 ] || show missing
run malformed issue-token "${CONN[@]}" --system not-a-uuid --device d --duration 3X --keepalive 1 \
	--graphql-url "$GQL_URL" --user-token-file "$IT_TMP/user.token" --component x
it_check "issue-token with four bad options: exit 2, all four said (uuid, duration, keepalive, another command's option)" \
	bash -c "[ $RC -eq 2 ] && grep -q -- '--system: \"not-a-uuid\" is not a UUID' '$IT_TMP/malformed.stderr' &&
		 grep -q -- '--duration: \"3X\" is not a duration' '$IT_TMP/malformed.stderr' &&
		 grep -q -- '--keepalive: 1 is not between 2 and 65535' '$IT_TMP/malformed.stderr' &&
		 grep -q 'issue-token takes no --component' '$IT_TMP/malformed.stderr' &&
		 [ \"\$(grep -c . '$IT_TMP/malformed.stderr')\" -eq 4 ]"
[ $RC -eq 2 ] || show malformed
for d in 3X 0; do
	run "dur$d" "${TK[@]}" --device "dur-$d" --duration "$d" "${CONN[@]}"
	it_check "issue-token --duration $d: exit 2, said before connecting" \
		bash -c "[ $RC -eq 2 ] && grep -q -- '--duration: \"$d\" is' '$IT_TMP/dur$d.stderr' &&
			 [ \"\$(grep -c . '$IT_TMP/dur$d.stderr')\" -eq 1 ]"
done
LINES=$(audit_lines)
env -u DRIVR_USER_TOKEN timeout 40 "$CONSOLE" issue-token --system "$SYS" --device no-token --duration 1D \
	--graphql-url "$GQL_URL" "${CONN_NO_TOKEN[@]}" >"$IT_TMP/notoken.stdout" 2>"$IT_TMP/notoken.stderr"
RC=$?
it_check "issue-token without a user API token: exit 2, said" \
	bash -c "[ $RC -eq 2 ] && grep -q 'no user API token' '$IT_TMP/notoken.stderr'"
it_check "... and not in the audit log" [ "$(audit_lines)" -eq "$LINES" ]
it_check "none of these connected (the broker's log has no new client)" [ "$(clients)" -eq "$BEFORE" ]
it_check "... and drivr-sim issued no token for them" [ "$(issued)" -eq "$ISSUED" ]

it_summary
