#!/usr/bin/env bash
# Integration: `make install` and `make uninstall` as a packager runs them,
# into a temporary PREFIX (and once staged with DESTDIR): the man pages and
# the bash and zsh completions land where man and the shells look; the installed
# console finds its themes in the installed directory — run from an empty
# directory with an empty home, so neither ./themes nor the user's are there
# to help — and names that directory when a theme is missing; the PREFIX is
# the one built in (make rebuilt what embeds it), never /usr/local; uninstall
# leaves nothing of ours behind, and keeps (and says so) a file it did not
# install.
#
# The build is a copy of $BUILD (objects, stamps), so only what PREFIX
# reaches is rebuilt, and $BUILD itself is never touched; the flags of the
# calling `make` (MAKEFLAGS: SAN=1 ... in the ASan lane) are kept.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/integration/lib.sh

BUILD=${BUILD:-build}
for f in "$BUILD/drivr-console" "$BUILD/drivr-sim"; do
	[ -x "$f" ] || { echo "missing $f (run make)"; exit 1; }
done
REPO=$PWD
THEMES=$(cd themes && ls ./*.theme | sed 's|^\./||; s|\.theme$||')
[ -n "$THEMES" ] || { echo "test_install: no themes/*.theme"; exit 1; }

cp -a "$BUILD" "$IT_TMP/build"
mkdir -p "$IT_TMP/empty" "$IT_TMP/home" "$IT_TMP/xdg"

# mk TARGET VAR=VALUE... — make in the repository on the copied build; the
# output is kept in $IT_TMP/make.log.
mk() {
	timeout 600 make --no-print-directory -C "$REPO" BUILD="$IT_TMP/build" "$@" \
		>>"$IT_TMP/make.log" 2>&1
}

# console BINARY ARGS... — the installed console, away from the repository.
console() {
	local bin=$1
	shift
	(cd "$IT_TMP/empty" && HOME="$IT_TMP/home" XDG_CONFIG_HOME="$IT_TMP/xdg" \
		timeout 20 "$bin" "$@")
}

# --- install into PREFIX ---------------------------------------------------
P=$IT_TMP/prefix
if mk install PREFIX="$P"; then
	it_ok "make install PREFIX=$P"
else
	it_fail "make install PREFIX=$P:"; tail -20 "$IT_TMP/make.log"
fi
it_check "programs installed, executable" test -x "$P/bin/drivr-console" -a -x "$P/bin/drivr-sim"
missing=""
for t in $THEMES; do
	[ -f "$P/share/drivr-console/themes/$t.theme" ] || missing="$missing $t"
done
it_check "every theme installed (missing:${missing:- none})" test -z "$missing"
it_check "man pages installed in share/man/man1" \
	test -f "$P/share/man/man1/drivr-console.1" -a -f "$P/share/man/man1/drivr-sim.1"
it_check "man finds the installed page by name (MANPATH=PREFIX/share/man)" \
	sh -c "MANPATH='$P/share/man' timeout 10 man -w drivr-console | grep -qxF '$P/share/man/man1/drivr-console.1'"
it_check "bash completion installed under the command's name" \
	test -f "$P/share/bash-completion/completions/drivr-console"
it_check "the installed bash completion registers drivr-console" \
	bash -c "source '$P/share/bash-completion/completions/drivr-console' && complete -p drivr-console >/dev/null"
it_check "zsh completion installed in site-functions" \
	grep -q '^#compdef drivr-console' "$P/share/zsh/site-functions/_drivr-console"

# the themes are found there (a dump-mode frame: no terminal needed)
for t in $THEMES; do
	if console "$P/bin/drivr-console" --theme "$t" --replay "$REPO/tests/screen/fleet.json" \
		--clock 2024-05-01T12:00:00Z --dump-screen "$IT_TMP/screen-$t.txt" \
		>"$IT_TMP/theme-$t.out" 2>&1 && [ -s "$IT_TMP/screen-$t.txt" ]; then
		it_ok "--theme $t found in the installed directory"
	else
		it_fail "--theme $t:"; cat "$IT_TMP/theme-$t.out"
	fi
done
# PREFIX is built in (make rebuilt what embeds it): the message lists every
# directory searched — the installed one, and not /usr/local's.  (The
# binary's bytes are no proof: the compiler may keep the path as immediates.)
console "$P/bin/drivr-console" --theme no-such-theme --replay "$REPO/tests/screen/fleet.json" \
	--dump-screen "$IT_TMP/screen-none.txt" >"$IT_TMP/none.out" 2>&1
rc=$?
if [ "$rc" = 2 ] && grep -qF "$P/share/drivr-console/themes" "$IT_TMP/none.out"; then
	it_ok "a missing theme: exit 2, the message names the installed directory"
else
	it_fail "a missing theme: exit $rc:"; cat "$IT_TMP/none.out"
fi
if grep -qF "/usr/local/share" "$IT_TMP/none.out"; then
	it_fail "the installed console still looks in /usr/local/share:"; cat "$IT_TMP/none.out"
else
	it_ok "no /usr/local/share among the directories searched"
fi
# and it is that directory the console depends on: moved away, the theme is gone
first=$(echo "$THEMES" | head -n 1)
mv "$P/share/drivr-console/themes" "$IT_TMP/themes.away"
console "$P/bin/drivr-console" --theme "$first" --replay "$REPO/tests/screen/fleet.json" \
	--dump-screen "$IT_TMP/screen-away.txt" >"$IT_TMP/away.out" 2>&1
rc=$?
mv "$IT_TMP/themes.away" "$P/share/drivr-console/themes"
it_check "without the installed directory --theme $first fails (exit $rc)" test "$rc" = 2
it_check "drivr-sim --version runs installed" \
	sh -c "'$P/bin/drivr-sim' --version 2>&1 | grep -q '^drivr-sim '"

# --- uninstall ---------------------------------------------------------------
if mk uninstall PREFIX="$P"; then
	it_ok "make uninstall PREFIX=$P"
else
	it_fail "make uninstall PREFIX=$P:"; tail -20 "$IT_TMP/make.log"
fi
left=$(find "$P" -mindepth 1 ! -type d)
it_check "nothing left under PREFIX (left: ${left:-none})" test -z "$left"
it_check "share/drivr-console removed" test ! -e "$P/share/drivr-console"
it_check "man pages and completions removed" test ! -e "$P/share/man/man1/drivr-console.1" \
	-a ! -e "$P/share/man/man1/drivr-sim.1" -a ! -e "$P/share/bash-completion/completions/drivr-console" \
	-a ! -e "$P/share/zsh/site-functions/_drivr-console"

# a file uninstall did not install is kept, and said
mk install PREFIX="$P"
echo "# the operator's own" >"$P/share/drivr-console/themes/mine.theme"
: >"$IT_TMP/make.log"
mk uninstall PREFIX="$P"
it_check "uninstall keeps a theme it did not install" test -f "$P/share/drivr-console/themes/mine.theme"
it_check "uninstall says it kept the directory" grep -q "kept $P/share/drivr-console/themes (not empty)" "$IT_TMP/make.log"
it_check "the programs are gone all the same" test ! -e "$P/bin/drivr-console" -a ! -e "$P/bin/drivr-sim"

# --- staged: DESTDIR + PREFIX, as a package build does ---------------------
D=$IT_TMP/stage
if mk install DESTDIR="$D" PREFIX=/opt/drivr-test; then
	it_ok "make install DESTDIR=$D PREFIX=/opt/drivr-test"
else
	it_fail "staged install:"; tail -20 "$IT_TMP/make.log"
fi
it_check "staged under DESTDIR" test -x "$D/opt/drivr-test/bin/drivr-console" \
	-a -f "$D/opt/drivr-test/share/drivr-console/themes/$first.theme"
console "$D/opt/drivr-test/bin/drivr-console" --theme no-such-theme \
	--replay "$REPO/tests/screen/fleet.json" --dump-screen "$IT_TMP/screen-staged.txt" \
	>"$IT_TMP/staged.out" 2>&1
it_check "the staged console looks in PREFIX's directory, not under DESTDIR" \
	sh -c "grep -qF /opt/drivr-test/share/drivr-console/themes '$IT_TMP/staged.out' &&
		! grep -qF '$D' '$IT_TMP/staged.out'"
mk uninstall DESTDIR="$D" PREFIX=/opt/drivr-test
left=$(find "$D" -mindepth 1 ! -type d)
it_check "staged uninstall: nothing left (left: ${left:-none})" test -z "$left"

it_summary
