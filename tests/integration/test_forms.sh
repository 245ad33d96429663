#!/usr/bin/env bash
# The platform inputs' forms end to end (docs/ui.md "Forms"): the console in
# tmux against mosquitto + drivr-sim (it_action_world) fills each form,
# previews and confirms it, and the Requests view follows it to its end:
#   u  the system form, a new description          → confirmed by the twin
#   r  the event form, a RANGED SYSTEM event model  → confirmed (the event appears)
#   c  the component form, a model from the picker → confirmed (the component appears)
#   c  again, a component model typed by hand that drivr-sim does not know
#      → its /error reply (message and code) beside the request
#   d  the datapoint form, the heat pump's power   → "sent, no error", never confirmed
#   R  the event raised above, resolved           → confirmed (RESOLVED)
# and one audit line each.  A second console with --read-only lists the keys
# greyed and opens no form.
# Every process started here is stopped on exit (lib.sh); only 127.0.0.1.
set -u
cd "$(dirname "$0")/../.."
. tests/integration/lib.sh

BUILD=${BUILD:-build}
SIM=$(pwd)/$BUILD/drivr-sim
CONSOLE=$(pwd)/$BUILD/drivr-console
for f in "$SIM" "$CONSOLE"; do [ -x "$f" ] || { echo "missing $f (run make)"; exit 1; }; done
for tool in mosquitto tmux python3; do
	command -v "$tool" >/dev/null || { echo "test_forms: $tool is missing (make deps)"; exit 1; }
done

SLUG=formtest
(umask 077 && printf 'forms-user-token-%s\n' "$$" >"$IT_TMP/user.token")
unset DRIVR_USER_TOKEN
export XDG_STATE_HOME="$IT_TMP/state" # the default audit log is never the real one
UI_AUDIT="$IT_TMP/ui-audit.log"

it_action_world || { it_summary; exit 1; }
# the system's code (the Systems filter) and name (the entity the Events and
# Datapoints views show), the RANGED SYSTEM event models' codes
read -r SYS_CODE RANGED_CODES SYS_NAME <<<"$(python3 -c 'import json,sys
d = json.load(open(sys.argv[1]))
s = next(s for s in d["systems"] if s["uuid"] == sys.argv[2])
ranged = [m["code"] for m in d["eventModels"]
          if m.get("eventType") == "RANGED" and m.get("entityType") == "SYSTEM"]
print(s.get("code") or "-", "|".join(ranged) or "-", s.get("name") or s.get("code"))' \
	"$IT_TMP/world.json" "$SYS")"
if [ "${SYS_CODE:--}" = - ] || [ "${RANGED_CODES:--}" = - ]; then
	it_fail "the system and a RANGED event model from the snapshot"
	it_summary
	exit 1
fi
BAD_MODEL=00000000-0000-4000-8000-00000000beef # no component model drivr-sim knows

see() { # WHAT PATTERN SECONDS: the check; the screen when it fails
	if wait_screen "$2" "$3"; then it_ok "$1"; else it_fail "$1"; screen | sed 's/^/    | /'; fi
}

ENVS="TERM=xterm-256color LC_ALL=C.UTF-8 TZ=UTC XDG_STATE_HOME=$IT_TMP/state"
pane() { # FILE EXTRA-OPTIONS
	cat >"$1" <<EOF
env $ENVS "$CONSOLE" $PLAIN -s $SLUG --no-mouse --settle 0.3 --audit-log "$UI_AUDIT" \
	--graphql-url "$GQL_URL" --user-token-file "$IT_TMP/user.token" $2 \
	2>"$1.err"
echo "CONSOLE-EXIT=\$?"
exec sleep 60
EOF
}
pane "$IT_TMP/pane.sh" ""
it_tmux_open forms 120 40 "$IT_TMP/pane.sh" || { it_fail "tmux starts"; it_summary; exit 1; }
it_check "console: connected" wait_screen '● connected' 10
it_check "console: the retained state is in" wait_screen_gone '^ .* loading' 10

# --- the system form: a new description, previewed, confirmed by the twin ---------
DESC="set-by-forms-$$"
keys 1 / C-u "$SYS_CODE" Enter
keys u
it_check "u opens the system form prefilled from the twin" wait_screen 'Update a system' 3
keys Down C-u "$DESC" Enter
it_check "system form: the preview shows the exact topic and only the changed member" \
	bash -c "tmux -S '$IT_TMUX_SOCK' -f /dev/null capture-pane -p -t forms | grep -q 'drivr/v1/$SLUG/input/system/$SYS/json' &&
		 tmux -S '$IT_TMUX_SOCK' -f /dev/null capture-pane -p -t forms | grep -qF '{\"description\":\"$DESC\"}'"
keys Enter
# the notice says "sent", then (the twin is quick) the end: either will do here
it_check "system form: sent (notice)" \
	wait_screen "update system ${SYS:0:8}: description.*: (sent|confirmed)" 3

# --- invalid input: refused in the form, nothing sent (the audit below has no line for it) --
keys r
it_check "r opens the event form" wait_screen 'Raise an event' 3
keys Tab C-u yesterday Enter
see "event form: a time that is no date refused inline, no preview" 'is not an ISO-8601 date-time' 3
it_check "... and no preview of a topic to send to" bash -c "! tmux -S '$IT_TMUX_SOCK' -f /dev/null capture-pane -p -t '$IT_TMUX_SESSION' | grep -q 'input/event/s/'"
keys Escape
it_check "Esc closes the refused form" wait_screen_gone 'Raise an event' 3

# --- the event form: a RANGED SYSTEM event model from the picker ----------------
keys r
it_check "r opens the event form with a SYSTEM event model picked" \
	wait_screen '(GRID-OUTAGE|MAINTENANCE-MODE|FIRMWARE-UPDATED|BACK-ONLINE), (RANGED|SINGLE_POINT)' 3
# Left/Right cycle the picker: on to a RANGED model (the event to resolve below)
for _ in 1 2 3 4 5 6 7 8; do
	screen | grep -qE "($RANGED_CODES), RANGED" && break
	keys Right
done
RAISED_MODEL=$(screen | grep -oE "($RANGED_CODES), RANGED" | head -1 | cut -d, -f1)
it_check "event form: the picker offers a RANGED SYSTEM model ($RAISED_MODEL)" [ -n "$RAISED_MODEL" ]
keys Enter
it_check "event form: the preview names the system's event topic" \
	wait_screen "drivr/v1/$SLUG/input/event/s/$SYS/json" 3
keys Enter
it_check "event form: sent (notice)" wait_screen 'raise event .* on system .*: (sent|confirmed)' 3

# --- the component form: a new code, the model from the picker ----------------------
CODE="form-meter-$$"
keys c
see "c opens the component form on the selected system" 'Create a component' 3
keys "$CODE" Tab Right
see "component form: a model picked from the picker (the note names it)" ', 1 of [0-9]+' 3
keys Enter
see "component form: the preview names the system's component topic" \
	"drivr/v1/$SLUG/input/component/$SYS/json" 3
keys Enter
see "component form: sent (notice)" "create component $CODE.*: (sent|confirmed)" 3

# --- again with a model typed by hand that the platform refuses: its /error reply -----
BAD="form-bad-$$"
keys c
see "c opens the component form again" 'Create a component' 3
keys "$BAD" Tab C-u "$BAD_MODEL"
see "component form: a model not known here goes to the platform to judge" \
	'not a model known here: the platform judges it' 3
keys Enter
see "component form (unknown model): the preview" \
	"\\{\"code\":\"$BAD\",\"componentModelUuid\":\"00000000-0000-4000-8000-" 3
keys Enter
see "component form (unknown model): sent (notice)" "create component $BAD.*: (sent|error)" 3

# --- the datapoint form on the heat pump: a MEASUREMENT typed in ----------------------
# (from the Components view: the drivr-sim's own series arrive one by one)
keys 2 / C-u "heat-pump-1 $SYS_NAME" Enter
see "Components: the system's heat pump, alone" ' 1/[0-9]+ rows' 10
keys d
see "d opens the datapoint form on the component" 'Publish a datapoint' 3
keys heating Tab power Tab 2100 Enter
see "datapoint form: the preview names the datapoint topic" \
	"drivr/v1/$SLUG/input/datapoint/$SYS/json" 3
see "datapoint form: the preview says it ends as \"sent, no error\"" 'sent, no error' 1
keys Enter
see "datapoint form: sent (notice)" 'publish heat-pump-1/heating/power.*: sent' 3

# --- followed to their end in the Requests view ------------------------------------------
keys 0
see "Requests: the system update confirmed by the twin" \
	'update system .*description.* ✔ confirmed' 15
see "Requests: the raised event confirmed by the twin" 'raise event .* ✔ confirmed' 15
see "Requests: the new component confirmed by the twin" "create component $CODE .*✔ confirmed" 15
see "Requests: the unknown model's /error beside its request" \
	"create component $BAD .*✖ error .* no component model" 15
# the platform answers no datapoint: 5 s without an /error reply end it
see "Requests: the datapoint sent, no error" 'publish heat-pump-1/heating/power = .* ✔ sent, no error' 15
it_check "... never confirmed" \
	bash -c "! tmux -S '$IT_TMUX_SOCK' -f /dev/null capture-pane -p -t forms | grep -q 'publish heat-pump-1.*confirmed'"
# the answer column is cut at this width: the inspector has all of it
keys / C-u "$BAD" Enter Enter
see "Requests: the inspector shows the platform's message and code" \
	"no component model $BAD_MODEL \\[UNKNOWN_COMPONENT_MODEL\\]" 3
keys Escape / C-u Enter

# --- the resolve form on the event raised above -----------------------------------------
keys 5 / C-u "model:$RAISED_MODEL status:ACTIVE $SYS_NAME" Enter
see "Events: the raised event, ACTIVE, alone" ' 1/[0-9]+ rows' 10
keys R
see "R opens the resolve form (RANGED)" 'Resolve an event' 3
keys Enter
see "resolve form: the preview names the system's event topic" \
	"drivr/v1/$SLUG/input/event/s/$SYS/json" 3
keys Enter
keys 0
see "Requests: the event resolved, confirmed by the twin (RESOLVED)" 'resolve event .* ✔ confirmed' 15
screen | sed -n '1,12p' | sed 's/^/    | /'

it_check "audit: one line each with its end" python3 - "$UI_AUDIT" "$BAD_MODEL" <<'PY'
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
got = sorted((l["action"], l["outcome"].split(":")[0]) for l in lines)
want = sorted([("update-system", "confirmed"), ("raise-event", "confirmed"),
               ("create-component", "confirmed"), ("create-component", "error"),
               ("publish-datapoint", "sent, no error"), ("resolve-event", "confirmed")])
ok = got == want and all(l["topic"] and l["payload"] for l in lines)
err = [l for l in lines if l["outcome"].startswith("error")]
ok = ok and len(err) == 1 and sys.argv[2] in err[0]["payload"] \
	and "[UNKNOWN_COMPONENT_MODEL]" in err[0]["outcome"]
if not ok:
    print("    audit:", got, [l["outcome"] for l in err])
sys.exit(0 if ok else 1)
PY
keys q
keys y
it_check "the console quits with status 0" wait_screen 'CONSOLE-EXIT=0' 5

# --- --read-only: the keys listed greyed, no form opens ---------------------------
pane "$IT_TMP/pane-ro.sh" "--read-only"
T new-session -d -s ro -x 120 -y 40 "bash $IT_TMP/pane-ro.sh" || it_fail "tmux: the read-only session"
IT_TMUX_SESSION=ro
it_check "read-only console: connected" wait_screen '● connected' 10
keys 1 ?
it_check "read-only: the help lists the form keys and says they are off" \
	wait_screen 'u +off \(--read-only\): update the system' 3
keys Escape u
it_check "read-only: u opens no form, the notice says why" \
	wait_screen 'read-only: the system form is off' 3
it_check "read-only: no form on the screen" wait_screen_gone 'Update a system' 1
keys q
it_check "read-only console quits with status 0" wait_screen 'CONSOLE-EXIT=0' 5
it_check "no sanitizer report from drivr-sim or the consoles" \
	bash -c "! grep -lE 'ERROR: (Address|Leak)Sanitizer|runtime error:' '$SIM_LOG' '$IT_TMP'/pane*.sh.err"

it_summary
