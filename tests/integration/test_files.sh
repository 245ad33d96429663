#!/usr/bin/env bash
# Files the console writes, and failures that are never swallowed
# (docs/actions.md "Exit status", docs/reliability.md), against a real
# mosquitto and drivr-sim (GraphQL on loopback, -v: it logs every token it
# issues), with real files:
#   - an audit log that cannot take the line (RLIMIT_FSIZE: the write fails
#     with EFBIG, as on a full disk): a delivered setpoint exits 9 with its
#     outcome line; a rejected one keeps 3 and says the audit failure;
#   - --audit-log a symbolic link / a hard-linked file: refused, exit 9,
#     the target's content and mode untouched;
#   - --token-out a symbolic link, a hard-linked file, a missing directory:
#     exit 2 before anything is issued (drivr-sim issued nothing), targets
#     untouched;
#   - --token-out that fails after the token was issued: the JWT on stdout;
#   - a user token file others can read: a warning on stderr;
#   - the console (tmux): an acknowledgement whose audit line is refused →
#     a status bar warning that outlives the notice until A, then exit 9;
#     the token preview's warning about a user token file others can read.
# The tests run as root here, so modes do not stop writes: the failures are
# made by links, a file size limit and missing directories.
# Every process started here is stopped on exit (lib.sh); only 127.0.0.1.
set -u
cd "$(dirname "$0")/../.."
. tests/integration/lib.sh

BUILD=${BUILD:-build}
SIM=$(pwd)/$BUILD/drivr-sim
CONSOLE=$(pwd)/$BUILD/drivr-console
for f in "$SIM" "$CONSOLE"; do [ -x "$f" ] || { echo "missing $f (run make)"; exit 1; }; done
for tool in mosquitto tmux python3; do
	command -v "$tool" >/dev/null || { echo "test_files: $tool is missing (make deps)"; exit 1; }
done

SLUG=filetest
USER_TOKEN="user-api-token-$$-$RANDOM"
(umask 077 && printf '%s\n' "$USER_TOKEN" >"$IT_TMP/user.token")
unset DRIVR_USER_TOKEN
export XDG_STATE_HOME="$IT_TMP/state"

it_action_world || { it_summary; exit 1; }

CONN=($PLAIN -s "$SLUG" --settle 0.3 --timeout 20 "${CATALOGUE_ARGS[@]}")
SP=(set-setpoint --system "$SYS" --component heat-pump-1 --service heating
	--characteristic flow-temperature-setpoint)
TK=(issue-token --system "$SYS" --duration 1D --graphql-url "$GQL_URL"
	--user-token-file "$IT_TMP/user.token")
issued() { grep -c "drivr-sim: graphql: " "$SIM_LOG"; }
# a target file that must stay as it is: content "keep", mode 0644
target() { printf 'keep\n' >"$1" && chmod 0644 "$1"; }
untouched() { [ "$(cat "$1")" = keep ] && [ "$(stat -c %a "$1")" = 644 ]; }

# --- the audit line cannot be written ------------------------------------------------
# A file size limit of 1 KiB on a log already past it: the append fails with
# EFBIG (SIGXFSZ ignored), as a full disk fails with ENOSPC.  stdout and
# stderr stay far below the limit.
head -c 2048 /dev/zero | tr '\0' 'x' >"$IT_TMP/full.log"
limited() { # NAME args... → RC, NAME.out / NAME.err
	local name=$1
	shift
	(trap '' XFSZ; ulimit -f 1; exec timeout 40 "$CONSOLE" "$@") \
		>"$IT_TMP/$name.out" 2>"$IT_TMP/$name.err"
	RC=$?
}
limited full "${SP[@]}" --value 45 "${CONN[@]}" --audit-log "$IT_TMP/full.log"
it_check "audit log full, setpoint delivered: exit 9, the outcome line printed, the reason on stderr" \
	bash -c "[ $RC -eq 9 ] && grep -q '^delivered: set heat-pump-1/heating/flow-temperature-setpoint = 45' '$IT_TMP/full.err' &&
		 grep -q 'audit log: cannot write .*full.log: File too large — the outcome above stands' '$IT_TMP/full.err'"
limited fullrej "${SP[@]}" --value 57.5 --wait "${CONN[@]}" --audit-log "$IT_TMP/full.log"
it_check "audit log full, setpoint rejected: exit 3 kept (9 replaces 0 only), the audit failure on stderr" \
	bash -c "[ $RC -eq 3 ] && grep -q '^rejected: ' '$IT_TMP/fullrej.err' && grep -q 'audit log: cannot write' '$IT_TMP/fullrej.err'"
it_check "... and the full log is as it was (2048 bytes)" [ "$(stat -c %s "$IT_TMP/full.log")" = 2048 ]

# --- the same on a real full disk and a read-only one ---------------------------------
# A tmpfs of 64 KiB in a private mount namespace (root: unshare -m; otherwise
# a user namespace, unshare -rm), gone with the namespace.  The log holds one
# full page, so the next line needs a page the full filesystem has not got
# (ENOSPC); the read-only case remounts it ro after the log is made (EROFS).
in_mount_ns() { if [ "$(id -u)" = 0 ]; then unshare -m "$@"; else unshare -rm "$@"; fi; }
FS="$IT_TMP/fs"
mkdir -p "$FS"
# on_tmpfs full|ro NAME args... → RC, NAME.out / NAME.err, NAME.size (the log's size after)
on_tmpfs() {
	local how=$1 name=$2
	shift 2
	in_mount_ns bash -c '
		fs=$1 how=$2 size=$3; shift 3
		mount -t tmpfs -o size=64k,mode=0700 tmpfs "$fs" || exit 97
		head -c 4096 /dev/zero | tr "\0" x >"$fs/audit.log" && chmod 0600 "$fs/audit.log"
		if [ "$how" = full ]; then
			dd if=/dev/zero of="$fs/fill" bs=4096 >/dev/null 2>&1
			# full: not one more byte fits
			! (printf x >>"$fs/probe") 2>/dev/null || exit 98
		else
			mount -o remount,ro "$fs" || exit 97
		fi
		timeout 40 "$@"
		rc=$?
		stat -c %s "$fs/audit.log" >"$size"
		exit $rc' _ "$FS" "$how" "$IT_TMP/$name.size" "$@" \
		>"$IT_TMP/$name.out" 2>"$IT_TMP/$name.err"
	RC=$?
}
if in_mount_ns true 2>/dev/null; then
	on_tmpfs full enospc "$CONSOLE" "${SP[@]}" --value 45 "${CONN[@]}" --audit-log "$FS/audit.log"
	it_check "audit log on a full tmpfs (ENOSPC): exit 9, the outcome printed, the reason said, the log as it was" \
		bash -c "[ $RC -eq 9 ] && grep -q '^delivered: ' '$IT_TMP/enospc.err' &&
			 grep -q 'audit log: cannot write .*audit.log: No space left on device — the outcome above stands' '$IT_TMP/enospc.err' &&
			 [ \"\$(cat '$IT_TMP/enospc.size')\" = 4096 ]"
	on_tmpfs ro erofs "$CONSOLE" "${SP[@]}" --value 45 "${CONN[@]}" --audit-log "$FS/audit.log"
	it_check "audit log on a read-only tmpfs (EROFS): exit 9, the outcome printed, the reason said" \
		bash -c "[ $RC -eq 9 ] && grep -q '^delivered: ' '$IT_TMP/erofs.err' &&
			 grep -q 'audit log: .*audit.log: Read-only file system' '$IT_TMP/erofs.err' &&
			 [ \"\$(cat '$IT_TMP/erofs.size')\" = 4096 ]"
else
	echo "skip - no private mount namespace here (unshare -m / -rm refused): ENOSPC and EROFS" \
		"only through EFBIG above"
fi

# --- links: the audit log -------------------------------------------------------------
target "$IT_TMP/precious"
ln -s "$IT_TMP/precious" "$IT_TMP/sym-audit.log"
timeout 40 "$CONSOLE" "${SP[@]}" --value 45 "${CONN[@]}" --audit-log "$IT_TMP/sym-audit.log" \
	>"$IT_TMP/sym.out" 2>"$IT_TMP/sym.err"
RC=$?
it_check "--audit-log a symbolic link: refused, exit 9, the outcome line printed" \
	bash -c "[ $RC -eq 9 ] && grep -q '^delivered: ' '$IT_TMP/sym.err' && grep -q 'sym-audit.log is a symbolic link: refused' '$IT_TMP/sym.err'"
it_check "... the link's target untouched (content, mode 0644)" untouched "$IT_TMP/precious"
ln "$IT_TMP/precious" "$IT_TMP/hard-audit.log"
timeout 40 "$CONSOLE" "${SP[@]}" --value 45 "${CONN[@]}" --audit-log "$IT_TMP/hard-audit.log" \
	>"$IT_TMP/hard.out" 2>"$IT_TMP/hard.err"
RC=$?
it_check "--audit-log a hard-linked file: refused, exit 9; the file untouched" \
	bash -c "[ $RC -eq 9 ] && grep -q 'hard-audit.log has 2 hard links: refused' '$IT_TMP/hard.err'" &&
	untouched "$IT_TMP/precious"
rm -f "$IT_TMP/hard-audit.log"

# --- links and missing directories: --token-out, checked before issuing ---------------
AUDIT="$IT_TMP/audit.log"
before=$(issued)
ln -s "$IT_TMP/precious" "$IT_TMP/sym.jwt"
ln -s "$IT_TMP/nowhere/t.jwt" "$IT_TMP/dangling.jwt"
ln "$IT_TMP/precious" "$IT_TMP/hard.jwt"
bad=0
for out in sym.jwt dangling.jwt hard.jwt nowhere/t.jwt; do
	timeout 40 "$CONSOLE" "${TK[@]}" --device "dev-${out%%.*}" --token-out "$IT_TMP/$out" \
		"${CONN[@]}" --audit-log "$AUDIT" >"$IT_TMP/tk.out" 2>"$IT_TMP/tk.err"
	rc=$?
	if [ $rc -eq 2 ] && grep -q 'nothing issued' "$IT_TMP/tk.err" && ! grep -q CLOUD- "$IT_TMP/tk.out"; then
		bad=$((bad + 1))
	else
		echo "    --token-out $out: exit $rc: $(cat "$IT_TMP/tk.err")"
	fi
done
it_check "--token-out a symlink, a dangling symlink, a hard link, a missing directory: exit 2 each" [ $bad -eq 4 ]
it_check "... nothing issued (drivr-sim's GraphQL log)" [ "$(issued)" = "$before" ]
it_check "... the targets untouched, nothing created where the dangling link points" \
	bash -c "[ \"\$(cat '$IT_TMP/precious')\" = keep ] && [ \"\$(stat -c %a '$IT_TMP/precious')\" = 644 ] && [ ! -e '$IT_TMP/nowhere' ]"

# --- a save failing after issuing: the JWT on stdout ------------------------------------
# No file may grow at all (limit 0): the check before issuing passes (an
# empty probe file), the write of the JWT fails.  Output through a pipe,
# which the limit does not touch.
chmod 0644 "$IT_TMP/user.token" # and: a user token file others can read
mkdir -p "$IT_TMP/tokens"
before=$(issued)
(trap '' XFSZ; ulimit -f 0; exec timeout 40 "$CONSOLE" "${TK[@]}" --device dev-late \
	--token-out "$IT_TMP/tokens/late.jwt" "${CONN[@]}" --audit-log "$AUDIT" 2>&1) | cat >"$IT_TMP/late.out"
RC=${PIPESTATUS[0]}
it_check "--token-out failing after issuing: the JWT on stdout, the reason said, exit 9" \
	bash -c "[ $RC -eq 9 ] && grep -q '^CLOUD-ey' '$IT_TMP/late.out' &&
		 grep -q -- '--token-out: cannot write .*late.jwt: File too large; the JWT follows on stdout' '$IT_TMP/late.out' &&
		 grep -q '^delivered: issue 1D token for dev-late' '$IT_TMP/late.out'"
it_check "... it was issued once, and no file (nor temporary) is left" \
	bash -c "[ $(issued) -eq $((before + 1)) ] && [ -z \"\$(ls -A '$IT_TMP/tokens')\" ]"
it_check "a user token file readable by others: warned on stderr (used all the same)" \
	grep -q 'warning: --user-token-file .*user.token is accessible by others (mode 0644).*chmod 600' "$IT_TMP/late.out"
chmod 0600 "$IT_TMP/user.token"

# --- the console: the warning stays until acknowledged ----------------------------------
ln -s "$IT_TMP/precious" "$IT_TMP/ui-audit.log"
cp "$IT_TMP/user.token" "$IT_TMP/loose.token" && chmod 0644 "$IT_TMP/loose.token"
cat >"$IT_TMP/pane.sh" <<EOF
env TERM=xterm-256color LC_ALL=C.UTF-8 TZ=UTC XDG_STATE_HOME="$IT_TMP/state" "$CONSOLE" $PLAIN -s $SLUG \
	--no-mouse --settle 0.3 --audit-log "$IT_TMP/ui-audit.log" --user-token-file "$IT_TMP/loose.token" \
	--graphql-url "$GQL_URL" 2>"$IT_TMP/console.err"
echo "CONSOLE-EXIT=\$?"
exec sleep 60
EOF
it_tmux_open files 160 30 "$IT_TMP/pane.sh" || { it_fail "tmux starts"; it_summary; exit 1; }
it_check "console: connected" wait_screen '● connected' 10
it_check "console: the retained state is in (no 'loading' on the status bar)" wait_screen_gone '^ .* loading' 10
keys 5
keys / C-u ack:no Enter
keys a
it_check "console: the acknowledgement previewed" wait_screen "input/event/ack/.*/json" 5
keys Enter
it_check "console: confirmed, and the notice says it is not in the audit log" \
	wait_screen 'confirmed.*NOT in the audit log' 10
it_check "console: the status bar says so" wait_screen 'audit log: 1 line not written \(A: seen\)' 3
# The notice goes after 3 s; the warning stays.
it_check "console: the notice goes (after its 3 s)" wait_screen_gone 'NOT in the audit log' 6
it_check "console: the warning outlives the notice" \
	bash -c "tmux -S '$IT_TMUX_SOCK' -f /dev/null capture-pane -p -t files | head -1 | grep -q 'audit log: 1 line not written'"
keys A
it_check "console: A acknowledges it: the reason shown" wait_screen 'ui-audit.log is a symbolic link' 3
it_check "... and the warning gone from the status bar" \
	bash -c "! tmux -S '$IT_TMUX_SOCK' -f /dev/null capture-pane -p -t files | head -1 | grep -q 'line not written'"
keys 7
keys n
keys smart-bulb Down Right Enter
it_check "console: the token preview warns about the user token file others can read" \
	wait_screen 'accessible by others' 5 || screen | sed 's/^/    | /'
keys Escape
keys Escape
keys q
it_check "console: quits with exit 9" wait_screen 'CONSOLE-EXIT=9' 5
it_check "... the count on stderr" grep -q '1 audit line could not be written' "$IT_TMP/console.err"
it_check "console: the link's target untouched" untouched "$IT_TMP/precious"
T kill-server 2>/dev/null

it_summary
