#!/usr/bin/env bash
# The man pages man/drivr-console.1 and man/drivr-sim.1: `man --warnings -l`
# renders each without one warning (ASCII and UTF-8), and each is in step
# with its program's option table — every long option of --help is in the
# page, and every option the page's OPTIONS section names is in --help.
set -u
cd "$(dirname "$0")/../.."
. tests/integration/lib.sh

BUILD=${BUILD:-build}
command -v man >/dev/null || { echo "man is missing (make deps: man-db, groff-base)"; exit 1; }

# long_options TEXT-FILE → the --names, one a line, sorted
long_options() {
	grep -oE -- '--[a-z][a-z0-9-]*[a-z0-9]' "$1" | sort -u
}

for page in drivr-console drivr-sim; do
	prog=$BUILD/$page
	[ -x "$prog" ] || { echo "missing $prog (run make)"; exit 1; }
	for loc in C C.UTF-8; do
		LC_ALL=$loc MANWIDTH=80 timeout 20 man --warnings -l "man/$page.1" \
			>"$IT_TMP/$page.$loc.txt" 2>"$IT_TMP/$page.$loc.err"
		it_check "man --warnings -l man/$page.1 ($loc): exit 0" [ $? -eq 0 ]
		it_check "man --warnings -l man/$page.1 ($loc): no warning" [ ! -s "$IT_TMP/$page.$loc.err" ]
		[ -s "$IT_TMP/$page.$loc.err" ] && sed 's/^/    /' "$IT_TMP/$page.$loc.err" | head -n 5
	done
	# the ASCII rendering: hyphens are '-', no overstrike
	LC_ALL=C MANWIDTH=200 timeout 20 man -l "man/$page.1" 2>/dev/null | col -b >"$IT_TMP/$page.man"
	it_check "$page(1) renders its NAME" grep -q "^NAME" "$IT_TMP/$page.man"
	timeout 10 "$prog" --help >"$IT_TMP/$page.help"
	# only the option rows of --help (its usage and exit lines name options too)
	grep -E '^  (-[a-zA-Z], )? *--' "$IT_TMP/$page.help" | sed -E 's/^  (-[a-zA-Z], )? *(--[a-z0-9-]+).*/\2/' |
		sort -u >"$IT_TMP/$page.help.opts"
	missing=$(long_options "$IT_TMP/$page.man" | comm -13 - "$IT_TMP/$page.help.opts" | tr '\n' ' ')
	it_check "every long option of $page --help is in $page(1)${missing:+ (missing: $missing)}" \
		[ -z "$missing" ]
	# the OPTIONS section: from its heading to the next one
	sed -n '/^OPTIONS/,/^[A-Z][A-Z ]*$/p' "$IT_TMP/$page.man" | sed '$d' >"$IT_TMP/$page.man.opts"
	stale=$(grep -E '^ {7}(-[a-zA-Z], )?--' "$IT_TMP/$page.man.opts" |
		sed -E 's/^ +(-[a-zA-Z], )?(--[a-z0-9-]+).*/\2/' | sort -u |
		comm -23 - "$IT_TMP/$page.help.opts" | tr '\n' ' ')
	it_check "every option $page(1) describes is one of --help${stale:+ (not in --help: $stale)}" \
		[ -z "$stale" ]
done

for cmd in set-setpoint ack-event issue-token update-system create-component update-component \
	publish-datapoint raise-event resolve-event; do
	it_check "drivr-console(1) describes $cmd" grep -q "^ *$cmd " "$IT_TMP/drivr-console.man"
done

it_summary
