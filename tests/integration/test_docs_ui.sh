#!/usr/bin/env bash
# docs/ui.md against the program: every screen it shows is in a golden
# screen, every filter example filters as it says, the theme example loads,
# the --stats-file example has the real keys, every key of its key table is
# in the help of its view (or handled in src/ui/), every view is its tab.
# The rules (markers before the fenced blocks, notes right of the screen):
# tests/integration/docs_ui_check.py.  No broker; a few seconds.
set -u
cd "$(dirname "$0")/../.."
. tests/integration/lib.sh

CONSOLE=${BUILD:-build}/drivr-console
[ -x "$CONSOLE" ] || { echo "missing $CONSOLE (run make)"; exit 1; }

timeout 60 python3 tests/integration/docs_ui_check.py "$CONSOLE" "$IT_TMP" >"$IT_TMP/check.out" 2>&1
rc=$?
cat "$IT_TMP/check.out"
# The checker's own count is the summary; a crash or time-out fails too.
tail -1 "$IT_TMP/check.out" | grep -q '^[0-9]* passed, 0 failed$' && [ $rc -eq 0 ]
