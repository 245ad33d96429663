#!/usr/bin/env bash
# The platform inputs' forms end to end (docs/ui.md "Forms"): the console in
# tmux against mosquitto + drivr-sim (it_action_world) fills the system form
# (u, a new description) and the event form (r, a SYSTEM event model from
# the picker), previews and confirms each, and the Requests view shows both
# confirmed by the twin; one audit line each.  A second console with
# --read-only lists the keys greyed and opens no form.
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
SYS_CODE=$(python3 -c 'import json,sys
d = json.load(open(sys.argv[1]))
print(next(s.get("code") or "" for s in d["systems"] if s["uuid"] == sys.argv[2]))' \
	"$IT_TMP/world.json" "$SYS")
[ -n "$SYS_CODE" ] || { it_fail "the system's code from the snapshot"; it_summary; exit 1; }

ENVS="TERM=xterm-256color LC_ALL=C.UTF-8 TZ=UTC XDG_STATE_HOME=$IT_TMP/state"
pane() { # FILE EXTRA-OPTIONS
	cat >"$1" <<EOF
env $ENVS "$CONSOLE" $PLAIN -s $SLUG --no-mouse --settle 0.3 --audit-log "$UI_AUDIT" $2 \
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

# --- the event form: the first SYSTEM event model of the picker ------------------
keys r
it_check "r opens the event form with a SYSTEM event model picked" \
	wait_screen '(GRID-OUTAGE|MAINTENANCE-MODE|FIRMWARE-UPDATED), (RANGED|SINGLE_POINT)' 3
keys Enter
it_check "event form: the preview names the system's event topic" \
	wait_screen "drivr/v1/$SLUG/input/event/s/$SYS/json" 3
keys Enter
it_check "event form: sent (notice)" wait_screen 'raise event .* on system .*: (sent|confirmed)' 3

# --- both followed to their end in the Requests view ------------------------------
keys 0
it_check "Requests: the system update confirmed by the twin" \
	wait_screen 'update system .*description.* ✔ confirmed' 15
it_check "Requests: the raised event confirmed by the twin" \
	wait_screen 'raise event .* ✔ confirmed' 15
screen | sed -n '1,12p' | sed 's/^/    | /'

it_check "audit: one line each, confirmed" python3 - "$UI_AUDIT" <<'PY'
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
got = sorted((l["action"], l["outcome"].split(":")[0]) for l in lines)
ok = got == [("raise-event", "confirmed"), ("update-system", "confirmed")]
if not ok:
    print("    audit:", got)
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

it_summary
