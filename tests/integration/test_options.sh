#!/usr/bin/env bash
# Integration: the option tables as the programs apply them, no broker.  For
# every option whose --help line shows bounds ("LO to HI"), of drivr-console
# and drivr-sim: a value past each bound exits 2 with one line on stderr
# naming the option, and both bounds themselves get past the option parser
# (whatever the run then says, it is not about that option's range).
# --help exits 0 and lists the exit statuses.  tests/unit/test_config.c
# checks every row of the tables in-process; this checks the exit status.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/integration/lib.sh

BUILD=${BUILD:-build}
CONSOLE=$BUILD/drivr-console
SIM=$BUILD/drivr-sim
for f in "$CONSOLE" "$SIM"; do [ -x "$f" ] || { echo "missing $f (run make)"; exit 1; }; done

# check_bounds PROGRAM — every bounded option of PROGRAM's --help.
check_bounds() {
	local prog=$1 name lo hi rc lines checked=0 line
	"$prog" --help >"$IT_TMP/help" 2>&1
	it_check "$(basename "$prog") --help exits 0" [ $? -eq 0 ]
	it_check "$(basename "$prog") --help lists the exit statuses" \
		grep -q '^Exit status:' "$IT_TMP/help"
	while IFS= read -r line; do
		name=$(sed -nE 's/^ +(-., )?--([a-z0-9-]+).*/\2/p' <<<"$line")
		lo=$(sed -nE 's/.*[(;] ?(-?[0-9.]+) to ([0-9.]+)\)$/\1/p' <<<"$line")
		hi=$(sed -nE 's/.*[(;] ?(-?[0-9.]+) to ([0-9.]+)\)$/\2/p' <<<"$line")
		[ -n "$name" ] && [ -n "$lo" ] && [ -n "$hi" ] || continue
		checked=$((checked + 1))
		for v in "$(python3 -c "print($lo - 1)")" "$(python3 -c "print($hi + 1)")"; do
			XDG_CONFIG_HOME="$IT_TMP/xdg" timeout 5 "$prog" "--$name" "$v" \
				>/dev/null 2>"$IT_TMP/err"
			rc=$?
			lines=$(grep -c . "$IT_TMP/err")
			if [ $rc -eq 2 ] && [ "$lines" -eq 1 ] && grep -q -- "--$name" "$IT_TMP/err"; then
				it_ok "$(basename "$prog") --$name $v: exit 2, $(cat "$IT_TMP/err")"
			else
				it_fail "$(basename "$prog") --$name $v: rc=$rc, $lines line(s): $(cat "$IT_TMP/err")"
			fi
		done
		for v in "$lo" "$hi"; do
			XDG_CONFIG_HOME="$IT_TMP/xdg" timeout 5 "$prog" "--$name" "$v" --help \
				>/dev/null 2>"$IT_TMP/err"
			rc=$?
			it_check "$(basename "$prog") --$name $v (a bound) is accepted" [ $rc -eq 0 ]
		done
	done <"$IT_TMP/help"
	it_check "$(basename "$prog"): some bounded options were found in --help ($checked)" \
		[ "$checked" -ge 5 ]
}

check_bounds "$CONSOLE"
check_bounds "$SIM"
it_summary
