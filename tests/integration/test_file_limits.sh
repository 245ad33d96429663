#!/usr/bin/env bash
# Integration: every file the console reads has a size limit and must be a
# regular file (docs/configuration.md, "Files the console reads"): /dev/zero,
# a FIFO nobody writes and a file over the limit are refused at once with
# exit 2 and one line naming the option, the file and the rule — never read
# until memory runs out, never waited on.  No broker: each is refused before
# connecting.
set -u
cd "$(dirname "$0")/../.."
. tests/integration/lib.sh

CONSOLE=${BUILD:-build}/drivr-console
[ -x "$CONSOLE" ] || { echo "missing $CONSOLE (run make)"; exit 1; }

: >"$IT_TMP/empty.ndjson"
mkfifo "$IT_TMP/fifo"
head -c $((1024 * 1024 + 1)) /dev/zero | tr '\0' '#' >"$IT_TMP/big.conf" # a comment 1 MiB + 1 long
# Nothing listens on this port: a check that passed would fail to connect (exit 1), not 2.
NOPORT=$(it_free_port)
ACTION=
DUMP="--dump-screen $IT_TMP/screen.txt --replay $IT_TMP/empty.ndjson"

# refused NAME PATTERN ARGS... — exit 2 within 3 s, one line matching PATTERN.
refused() {
	local name=$1 pattern=$2 start end rc
	shift 2
	start=$(date +%s.%N)
	# shellcheck disable=SC2068
	timeout 10 "$CONSOLE" ${ACTION:-} -h 127.0.0.1 -p "$NOPORT" -s limits "$@" >/dev/null 2>"$IT_TMP/err"
	rc=$?
	end=$(date +%s.%N)
	if [ $rc -eq 2 ] && python3 -c "import sys; sys.exit(0 if $end - $start < 3 else 1)" &&
		[ "$(grep -c . "$IT_TMP/err")" -eq 1 ] && grep -qE -- "$pattern" "$IT_TMP/err"; then
		it_ok "$name: $(cat "$IT_TMP/err")"
	else
		it_fail "$name: rc=$rc, $(cat "$IT_TMP/err")"
	fi
}

DEV='/dev/zero: not a regular file \(a device\); refused'
refused "--config /dev/zero" "--config $DEV" --config /dev/zero --log
refused "--topics /dev/zero" "--topics $DEV" --topics /dev/zero --log
refused "--theme /dev/zero" "--theme $DEV" --theme /dev/zero $DUMP
refused "--keys /dev/zero" "--keys $DEV" --keys /dev/zero $DUMP
refused "--replay /dev/zero" "--replay $DEV" --replay /dev/zero --dump-screen "$IT_TMP/screen.txt"
refused "--key-pass-file /dev/zero (--log)" "--key-pass-file $DEV" --key-pass-file /dev/zero --log
refused "--key-pass-file /dev/zero (--snapshot)" "--key-pass-file $DEV" --key-pass-file /dev/zero --snapshot
ACTION=set-setpoint
refused "--key-pass-file /dev/zero (set-setpoint)" "--key-pass-file $DEV" \
	--key-pass-file /dev/zero --system 00000000-0000-0000-0000-000000000001 \
	--component c --service s --characteristic x --value 1
ACTION=issue-token
refused "--user-token-file /dev/zero (issue-token)" "--user-token-file $DEV" \
	--user-token-file /dev/zero --system 00000000-0000-0000-0000-000000000001 --device d --duration 1D
ACTION=
refused "a FIFO nobody writes to is not waited on" "--config .*fifo: not a regular file \(a FIFO\)" \
	--config "$IT_TMP/fifo" --log
refused "a directory" "--topics .*: not a regular file \(a directory\)" --topics "$IT_TMP" --log
refused "a config file over 1 MiB" "--config .*big.conf: 1.0 MiB, larger than the 1 MiB limit; refused" \
	--config "$IT_TMP/big.conf" --log
# The limit is the file's, not a cut: a file just under it is read whole.
head -c $((1024 * 1024 - 100)) /dev/zero | tr '\0' '#' >"$IT_TMP/fits.conf"
printf '\nslug = fits\n' >>"$IT_TMP/fits.conf"
timeout 10 "$CONSOLE" --config "$IT_TMP/fits.conf" --print-topics >"$IT_TMP/fits.out" 2>&1
it_check "a config file just under 1 MiB is read to its last line" grep -q "drivr/v1/fits/" "$IT_TMP/fits.out"

it_summary
