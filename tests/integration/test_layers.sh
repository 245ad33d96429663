#!/usr/bin/env bash
# Integration: tools/check-layers (make check-layers) — the repository's
# module graph passes; a copy of src/ and include/ with one bad include added
# fails, naming the chain: a cycle (view.c, the views' side, including
# app.h, which includes view.h), a core module including a ui/ header, drivr-sim including
# a ui/ header, and an include that is no file.  Reads sources only.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/integration/lib.sh

command -v python3 >/dev/null || { echo "test_layers: python3 is missing (make deps)"; exit 1; }

if timeout 30 tools/check-layers . >"$IT_TMP/repo.out" 2>&1; then
	it_ok "the repository: $(tail -n 1 "$IT_TMP/repo.out")"
else
	it_fail "the repository:"; cat "$IT_TMP/repo.out"
fi

# bad NAME FILE LINE PATTERN — FILE in a fresh copy gets LINE after its
# first line; check-layers must exit 1 and print PATTERN.
bad() {
	local name=$1 file=$2 line=$3 pattern=$4 tree="$IT_TMP/$1" rc
	mkdir -p "$tree"
	cp -a src include "$tree/"
	sed -i "1a $line" "$tree/$file"
	timeout 30 tools/check-layers "$tree" >"$IT_TMP/$name.out" 2>&1
	rc=$?
	if [ "$rc" = 1 ] && grep -qE "$pattern" "$IT_TMP/$name.out"; then
		it_ok "$name: exit 1, $(grep -E "$pattern" "$IT_TMP/$name.out" | head -n 1)"
	else
		it_fail "$name: exit $rc, wanted /$pattern/:"; cat "$IT_TMP/$name.out"
	fi
}

bad cycle src/ui/view.c '#include "ui/app.h"' \
	'cycle: .*-> ui/view \(include/ui/[a-z_]+.h:[0-9]+\) -> ui/app \(src/ui/view.c:2\)'
bad cycle-long src/store.c '#include "ingest.h"' 'cycle: .*store.*ingest|cycle: .*ingest.*store'
bad core-ui src/util.c '#include "ui/fmt.h"' 'layer: util \(core\) includes ui/fmt \(ui\) at src/util.c:2'
bad sim-ui src/sim/out.c '#include "ui/theme.h"' 'layer: sim/out \(sim\) includes ui/theme \(ui\) at src/sim/out.c:2'
bad no-file src/url.c '#include "nowhere.h"' 'src/url.c:2: "nowhere.h" is not a file'

it_summary
