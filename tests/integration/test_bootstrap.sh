#!/usr/bin/env bash
# Integration: ./bootstrap, the README's first command on a machine without
# make (a Debian 12 minimal install).  It runs with a PATH that has no make
# and stubs for apt-get and sudo that record their arguments (a test double
# for the package manager only: the stub "installs" make by putting a
# wrapper of the real make on that PATH).  Checked: it asks apt-get for
# exactly the package make (after an update), as root directly and as
# another user through sudo; it then execs make with its own arguments (same
# PID, make's output and exit status); with make present it never calls
# apt-get; without root or sudo, or when apt-get fails, it says so and
# exits 1 without running make.  shellcheck, when installed, finds nothing.
# And the README's first two commands are ./bootstrap demo / test, the test
# one exactly what .ci/run runs.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/integration/lib.sh

ROOT=$PWD
REAL_MAKE=$(command -v make) || { echo "this test needs make itself"; exit 1; }
VERSION=$("$REAL_MAKE" -s --no-print-directory print-version)
NOBODY=65534

if command -v shellcheck >/dev/null 2>&1; then
	it_check "shellcheck bootstrap (POSIX sh)" shellcheck -s sh bootstrap
else
	echo "# shellcheck not installed: not run"
fi
it_check "bootstrap is a /bin/sh script" grep -qx '#!/bin/sh' <(head -1 bootstrap)

# The README's first commands are what a fresh machine runs, and CI runs
# exactly the README's test command.
readme_cmds() { # the commands of the README's first ```sh block
	awk '/^```sh$/ { inside = 1; next } inside && /^```$/ { exit } inside { sub(/ *#.*/, ""); print }' README.md
}
it_check "the README's first commands start from ./bootstrap: $(readme_cmds | tr '\n' ';')" \
	[ "$(readme_cmds)" = "$(printf './bootstrap demo\n./bootstrap test')" ]
it_check ".ci/run runs exactly the README's test command" \
	[ "$(sed -n 's/^exec //p' .ci/run)" = "$(readme_cmds | grep ' test$')" ]

# What bootstrap may use besides make: a directory with just these tools.
TOOLS=$IT_TMP/tools
mkdir -p "$TOOLS"
for t in id dirname env; do ln -s "$(command -v "$t")" "$TOOLS/$t"; done

# A case's directory: a stub bin (apt-get, sudo, later make) and a log.
# The unprivileged cases run as nobody, who must reach and write them.
chmod 755 "$IT_TMP"
setup() { # NAME → CASE_DIR, STUB
	CASE_DIR=$IT_TMP/$1
	STUB=$CASE_DIR/bin
	mkdir -p "$STUB" && chmod 777 "$CASE_DIR" "$STUB"
	: >"$CASE_DIR/apt.log" && : >"$CASE_DIR/sudo.log" && : >"$CASE_DIR/make.log"
	chmod 666 "$CASE_DIR"/*.log
	# make, once "installed": records its PID and arguments, then is the real
	# make, with the test's PATH back for the recipes' tools
	cat >"$CASE_DIR/make-wrapper" <<-EOF
		#!/bin/sh
		printf '%s %s\n' "\$\$" "\$*" >>"$CASE_DIR/make.log"
		PATH='$PATH'
		exec "$REAL_MAKE" "\$@"
	EOF
	# apt-get: records its arguments, the environment it got and whether
	# sudo ran it; "install" with make among the words puts make on PATH
	cat >"$STUB/apt-get" <<-EOF
		#!/bin/sh
		printf '%s|%s|%s\n' "\${THROUGH_SUDO:-direct}" "\${DEBIAN_FRONTEND:-}" "\$*" >>"$CASE_DIR/apt.log"
		[ -e "$CASE_DIR/apt-fails" ] && exit 100
		if [ "\$1" = install ]; then
			for w in "\$@"; do
				[ "\$w" = make ] && $(command -v cp) "$CASE_DIR/make-wrapper" "$STUB/make"
			done
		fi
		exit 0
	EOF
	cat >"$STUB/sudo" <<-EOF
		#!/bin/sh
		printf '%s\n' "\$*" >>"$CASE_DIR/sudo.log"
		THROUGH_SUDO=sudo
		export THROUGH_SUDO
		exec "\$@"
	EOF
	chmod 755 "$CASE_DIR/make-wrapper" "$STUB/apt-get" "$STUB/sudo"
}

# boot [--as-nobody] ARGS... — ./bootstrap ARGS from another directory, with
# PATH=$STUB:$TOOLS only; BOOT_PID, RC, output in $CASE_DIR/out and err.
boot() {
	local as=()
	if [ "$1" = --as-nobody ]; then
		# not root already: this user is the other user
		[ "$(id -u)" = 0 ] && as=("$(command -v setpriv)" "--reuid=$NOBODY" "--regid=$NOBODY" --clear-groups)
		shift
	fi
	# no timeout(1) in between: it would be the PID make must have
	(cd / && exec env -i PATH="$STUB:$TOOLS" "${as[@]}" "$ROOT/bootstrap" "$@") \
		>"$CASE_DIR/out" 2>"$CASE_DIR/err" &
	BOOT_PID=$!
	it_track "$BOOT_PID"
	it_wait_exit "$BOOT_PID" 60 || { it_fail "bootstrap $* still running after 60 s"; it_stop "$BOOT_PID"; }
	wait "$BOOT_PID"
	RC=$?
}

APT_UPDATE="update -q"
APT_INSTALL="install -y -q --no-install-recommends make"
# apt_asked WHO — apt-get ran twice, update then install of exactly make,
# noninteractive, WHO = direct or sudo.
apt_asked() {
	local want
	want=$(printf '%s|noninteractive|%s\n' "$1" "$APT_UPDATE" "$1" "$APT_INSTALL")
	[ "$(cat "$CASE_DIR/apt.log")" = "$want" ] &&
		# the packages: the words after "install" that are not options
		[ "$(sed -n 's/.*|install //p' "$CASE_DIR/apt.log" | tr ' ' '\n' | grep -v '^-')" = make ]
}
# execed ARGS — make ran once, in bootstrap's own process, with ARGS.
execed() { [ "$(cat "$CASE_DIR/make.log")" = "$BOOT_PID $*" ]; }
made_version() { [ $RC -eq 0 ] && [ "$(cat "$CASE_DIR/out")" = "$VERSION" ]; }

# --- no make, as root: apt-get directly -----------------------------------------
# (not root: the "root" case goes through sudo, checked as such below)
AS_ROOT=direct
[ "$(id -u)" = 0 ] || AS_ROOT=sudo
setup root
it_check "no make on PATH to begin with" bash -c "! PATH='$STUB:$TOOLS' command -v make"
boot print-version
it_check "as $(id -un): apt-get update, then apt-get install of exactly make (noninteractive, $AS_ROOT)" apt_asked $AS_ROOT
[ $AS_ROOT = direct ] && it_check "and sudo is not used" [ ! -s "$CASE_DIR/sudo.log" ]
it_check "then make is exec'd (same PID) with bootstrap's arguments" execed print-version
it_check "and make ran in the repository: exit 0, printed $VERSION" made_version
it_check "it said what it installs" grep -q "installing the Debian package make" "$CASE_DIR/err"

# --- no make, another user: through sudo ------------------------------------------
setup sudo
boot --as-nobody print-version
it_check "as another user: through sudo, update then install of exactly make" apt_asked sudo
it_check "sudo was asked for exactly those two commands" bash -c "[ \"\$(cat '$CASE_DIR/sudo.log')\" = \"\$(printf 'env DEBIAN_FRONTEND=noninteractive apt-get %s\n' '$APT_UPDATE' '$APT_INSTALL')\" ]"
it_check "then make is exec'd with bootstrap's arguments" execed print-version
it_check "and printed the version" made_version

# --- no make, another user, no sudo: refused --------------------------------------
setup nosudo
rm "$STUB/sudo"
boot --as-nobody demo
it_check "without root or sudo: exit 1, says to run it as root or install sudo" \
	bash -c "[ $RC -eq 1 ] && grep -q 'run ./bootstrap as root, or install sudo' '$CASE_DIR/err'"
it_check "and neither apt-get nor make ran" bash -c "[ ! -s '$CASE_DIR/apt.log' ] && [ ! -s '$CASE_DIR/make.log' ]"

# --- apt-get fails -----------------------------------------------------------------
setup aptfails
touch "$CASE_DIR/apt-fails"
boot demo
it_check "apt-get failing: exit 1, named, make not run" \
	bash -c "[ $RC -eq 1 ] && grep -q 'apt-get update failed' '$CASE_DIR/err' && [ ! -s '$CASE_DIR/make.log' ]"

# --- make present: apt-get never called ----------------------------------------------
setup present
cp "$CASE_DIR/make-wrapper" "$STUB/make"
boot print-version
it_check "make present: apt-get not called" [ ! -s "$CASE_DIR/apt.log" ]
it_check "make exec'd (same PID) with the arguments" execed print-version
it_check "and printed the version" made_version
boot -s no-such-target
it_check "make's own exit status passes through (a target make does not know: 2)" \
	bash -c "[ $RC -eq 2 ] && grep -q 'no-such-target' '$CASE_DIR/err'"

it_summary
