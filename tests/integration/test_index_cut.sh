#!/usr/bin/env bash
# Integration: a systems index bigger than the broker's queue is never called
# complete (docs/scaling.md, the end marker in include/loadplan.h).
#
# A stock mosquitto (20 in flight + 1 000 queued per client, nothing raised)
# drops the tail of a retained burst that overflows the client's queue; the
# systems index, systems/+, is one burst of the domain's size.  Before the
# end marker, a domain of 30 000 systems loaded 12 000-18 000 of them and the
# snapshot said "complete", exit 0.
#
#   - 30 000 systems on a stock broker: --snapshot exits 8, the verdict says
#     the broker cut the index (3 passes), indexCut is true, fewer than
#     30 000 systems, and the ones it has are loaded;
#   - 3 000 systems on the same broker: complete in one pass, the marker
#     seen (endMarkers 1), every system, exit 0; --log prints the domain
#     message once (the marker copy is dropped);
#   - the same 30 000 on a broker whose per-client queue is raised (on
#     purpose: the only way to deliver the whole burst) — complete, all
#     30 000, one pass: the marker does not cry wolf at scale.
set -u
cd "$(dirname "$0")/../.."
. tests/integration/lib.sh

CONSOLE=${BUILD:-build}/drivr-console
BURST=tests/integration/retain_burst.py

broker_start || { echo "broker did not start"; exit 1; }
PLAIN=$(broker_plain_args)
python3 "$BURST" 127.0.0.1 "$BROKER_PORT" big 30000 || it_fail "publish 30 000 systems"
python3 "$BURST" 127.0.0.1 "$BROKER_PORT" small 3000 || it_fail "publish 3 000 systems"

timeout 120 "$CONSOLE" $PLAIN -s big --snapshot --timeout 100 >"$IT_TMP/big.json" 2>"$IT_TMP/big.err"
rc=$?
it_check "30 000 systems, stock broker: exit 8, not 0 (got $rc)" [ "$rc" -eq 8 ]
it_check "... the reason on stderr: the broker cut the index" \
	grep -q "the broker cut the systems index short in each of 3 passes" "$IT_TMP/big.err"
it_check "... the snapshot says so: incomplete, indexCut, fewer than 30 000 systems, those loaded" \
	check_json "$IT_TMP/big.json" \
	"d['complete'] is False" \
	"d['load']['indexCut'] is True and d['load']['indexPasses'] == 3" \
	"d['load']['verdict'] == 'the systems index lost messages'" \
	"1000 < len(d['systems']) < 30000" \
	"d['load']['systemsLoaded'] == d['load']['systemsKnown'] == len(d['systems'])"
echo "# 30 000 on a stock broker: $(python3 -c "import json; print(len(json.load(open('$IT_TMP/big.json'))['systems']))" 2>/dev/null) systems arrived"

timeout 60 "$CONSOLE" $PLAIN -s small --snapshot --timeout 50 >"$IT_TMP/small.json" 2>"$IT_TMP/small.err"
rc=$?
it_check "3 000 systems, stock broker: exit 0 (got $rc)" [ "$rc" -eq 0 ]
it_check "... complete in one pass, the end marker seen, every system" \
	check_json "$IT_TMP/small.json" \
	"d['complete'] is True and d['load']['verdict'] == 'complete'" \
	"d['load']['indexPasses'] == 1 and d['load']['endMarkers'] == 1" \
	"d['load']['indexCut'] is False and len(d['systems']) == 3000" \
	"d['domain'] is not None"

# --log until the load is in: the domain message once, the marker dropped
it_spawn log "$CONSOLE" $PLAIN -s small --log
LOG_PID=$IT_PID
wait_for "$IT_TMP/log.out" '"event":"loaded"' 30 || it_fail "--log loaded"
it_stop "$LOG_PID"
it_check "--log: the domain message printed once (the marker copy dropped)" \
	[ "$(grep -c '"topic":"drivr/v1/small"' "$IT_TMP/log.out")" -eq 1 ]

# the same burst with the per-client queue raised (unlimited)
broker_stop
broker_start --conf "max_queued_messages 0" || { it_fail "raised broker"; it_summary; exit 1; }
PLAIN=$(broker_plain_args)
python3 "$BURST" 127.0.0.1 "$BROKER_PORT" big 30000 || it_fail "publish 30 000 systems (raised)"
timeout 120 "$CONSOLE" $PLAIN -s big --snapshot --timeout 100 >"$IT_TMP/raised.json" 2>"$IT_TMP/raised.err"
rc=$?
it_check "30 000 systems, queue raised: exit 0 (got $rc)" [ "$rc" -eq 0 ]
it_check "... complete, all 30 000, one pass, the marker seen" \
	check_json "$IT_TMP/raised.json" \
	"d['complete'] is True and len(d['systems']) == 30000" \
	"d['load']['indexPasses'] == 1 and d['load']['endMarkers'] == 1"

it_summary
