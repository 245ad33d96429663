#!/usr/bin/env bash
# Screen tests (tig-style, no terminal): for each tests/screen/cases/NAME.keys
# the console replays tests/screen/fleet.json at a fixed clock, runs the key
# script, dumps its screen (text + attributes) and the dump is compared with
# tests/screen/golden/NAME.txt.
#
#   UPDATE_GOLDEN=1 tests/integration/test_tui_screens.sh   # rewrite the goldens
#   tests/integration/test_tui_screens.sh NAME...           # only these cases
#
# A case file may start with directives: "#! ARGS" (more options, e.g.
# --size 160x40 or its own --replay) and "#env VAR=VALUE" (e.g. TERM=xterm,
# LC_ALL=C, NO_COLOR=1).  Key syntax: include/ui/keyscript.h, docs/ui.md.
set -u
cd "$(dirname "$0")/../.."
. tests/integration/lib.sh

CONSOLE=${BUILD:-build}/drivr-console
[ -x "$CONSOLE" ] || { echo "missing $CONSOLE (run make)"; exit 1; }
CASES=tests/screen/cases
GOLDEN=tests/screen/golden
CLOCK=2024-05-01T12:00:00Z

# A checkout leaves the fixture user token 0644 (git keeps no modes), and
# the token preview warns about a token file others can read: keep it
# private, as a real one is, so the golden screen does not depend on umask.
chmod 600 tests/screen/user.token

run_case() {
	local name=$1 keys="$CASES/$1.keys" out="$IT_TMP/$1.txt" args envs replay
	args=$(sed -n 's/^#! //p' "$keys" | tr '\n' ' ')
	envs=$(sed -n 's/^#env //p' "$keys" | tr '\n' ' ')
	replay="--replay tests/screen/fleet.json"
	case " $args " in *" --replay "*) replay="" ;; esac
	# shellcheck disable=SC2086 # args and envs are word lists on purpose
	env -u NO_COLOR -u COLUMNS -u LINES -u DRIVR_USER_TOKEN TZ=UTC LC_ALL=C.UTF-8 TERM=xterm-256color \
		XDG_STATE_HOME="$IT_TMP/state" $envs \
		timeout 20 "$CONSOLE" $replay --clock "$CLOCK" --keys "$keys" --dump-screen "$out" \
		$args </dev/null >"$IT_TMP/$name.stdout" 2>"$IT_TMP/$name.stderr"
	local rc=$?
	if [ $rc -ne 0 ]; then
		it_fail "$name: exit $rc: $(head -c 300 "$IT_TMP/$name.stderr")"
		return
	fi
	if [ -s "$IT_TMP/$name.stdout" ]; then
		it_fail "$name: wrote to stdout in dump mode"
		return
	fi
	if [ "${UPDATE_GOLDEN:-0}" = 1 ]; then
		cp "$out" "$GOLDEN/$name.txt"
		it_ok "$name: golden updated"
	elif [ ! -f "$GOLDEN/$name.txt" ]; then
		it_fail "$name: no golden $GOLDEN/$name.txt (UPDATE_GOLDEN=1 to create it)"
	elif diff -u "$GOLDEN/$name.txt" "$out" >"$IT_TMP/$name.diff"; then
		it_ok "$name"
	else
		it_fail "$name: screen differs from $GOLDEN/$name.txt:"
		head -40 "$IT_TMP/$name.diff" | sed 's/^/    /'
	fi
}

if [ $# -gt 0 ]; then
	names="$*"
else
	names=$(for f in "$CASES"/*.keys; do basename "$f" .keys; done)
fi
for name in $names; do
	run_case "$name"
done

# Goldens without a case are stale.
for g in "$GOLDEN"/*.txt; do
	[ -e "$g" ] || continue
	n=$(basename "$g" .txt)
	[ -f "$CASES/$n.keys" ] || it_fail "golden $g has no case $CASES/$n.keys"
done

# The hostile name: no raw ESC or BEL anywhere in the dump, the escapes shown.
if [ -f "$IT_TMP/hostile.txt" ]; then
	it_check "hostile: no control character reaches the screen" \
		bash -c "! LC_ALL=C grep -q \$'[\\x01-\\x08\\x0b-\\x1f\\x7f]' '$IT_TMP/hostile.txt'"
	it_check "hostile: the name is shown as ^[]0;pwned^G^[[2J" \
		grep -qF '^[]0;pwned^G^[[2J' "$IT_TMP/hostile.txt"
fi

# Secrets never reach a screen: the user API token (token-preview names its
# file) and the token strings of the fleet's token lists.
if [ $# -eq 0 ]; then
	it_check "no dump shows the user API token or a token string" \
		bash -c "! grep -l -e 'screen-test-user-token-never-shown' -e 'CLOUD-' '$IT_TMP'/*.txt"
fi

# Options the screen tests rely on fail clearly.
"$CONSOLE" --replay tests/screen/fleet.json --dump-screen "$IT_TMP/x" --theme no-such-theme \
	>/dev/null 2>"$IT_TMP/theme.err"
it_check "unknown theme: exit 2 and a message naming it" \
	bash -c "[ $? -eq 2 ] && grep -q 'unknown theme \"no-such-theme\"' '$IT_TMP/theme.err'"
printf 'color = yes\n[8]\nalert_error = red\nbogus_role = red default\n' >"$IT_TMP/bad.theme"
"$CONSOLE" --replay tests/screen/fleet.json --dump-screen "$IT_TMP/x" --theme "$IT_TMP/bad.theme" \
	>/dev/null 2>"$IT_TMP/bad.err"
it_check "bad theme line: exit 2, file and line named" \
	bash -c "[ $? -eq 2 ] && grep -q 'bad.theme:3: ' '$IT_TMP/bad.err'"
for t in themes/*.theme; do
	"$CONSOLE" --replay tests/screen/fleet.json --dump-screen "$IT_TMP/x" --theme "$t" \
		>/dev/null 2>"$IT_TMP/t.err"
	it_check "shipped theme $t loads" [ $? -eq 0 ]
done
# TERM=dumb cannot move the cursor: one line pointing elsewhere, exit 2
# (it used to draw nothing and keep running).
TERM=dumb "$CONSOLE" --replay tests/screen/fleet.json --dump-screen "$IT_TMP/x" \
	>/dev/null 2>"$IT_TMP/dumb.err"
it_check "TERM=dumb: exit 2 and one line pointing to --log / --snapshot" \
	bash -c "[ $? -eq 2 ] && [ \$(grep -c . '$IT_TMP/dumb.err') -eq 1 ] &&
		grep -q 'TERM=dumb cannot move the cursor.*--log or --snapshot' '$IT_TMP/dumb.err'"
printf 'j\n<Bogus>\n' >"$IT_TMP/bad.keys"
"$CONSOLE" --replay tests/screen/fleet.json --dump-screen "$IT_TMP/x" --keys "$IT_TMP/bad.keys" \
	>/dev/null 2>"$IT_TMP/keys.err"
it_check "bad key script: exit 2 and file:line" \
	bash -c "[ $? -eq 2 ] && grep -q 'bad.keys:2: unknown key <Bogus>' '$IT_TMP/keys.err'"
# --replay with --count on a terminal (script(1)'s pty): the replayed
# messages count, so it quits by itself (it used to wait for q forever)
REPLAYED=$(grep -c '"topic"' tests/screen/fleet.json)
TERM=xterm-256color LC_ALL=C.UTF-8 timeout 10 script -qec "'$CONSOLE' --replay tests/screen/fleet.json \
	--count $REPLAYED --no-mouse --stats-file '$IT_TMP/replay-stats.json'" /dev/null >/dev/null 2>&1
it_check "--replay --count N: quits by itself, exit 0, the $REPLAYED replayed messages counted" \
	bash -c "[ $? -eq 0 ] && grep -q '\"messages\": $REPLAYED,' '$IT_TMP/replay-stats.json'"

it_summary
