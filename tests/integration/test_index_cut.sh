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
#     seen, every system, exit 0; --log prints the domain
#     message once (the marker copy is dropped);
#   - one system with 30 000 retained events beside two small ones, stock
#     broker: its batch loses its marker, each system is loaded again
#     alone, and the big one, cut even alone, is named — exit 8, the two
#     others whole;
#   - the same 30 000 systems, and the big system, on a broker whose
#     per-client queue is raised (on purpose: the only way to deliver the
#     whole burst) — complete, one pass: the markers do not cry wolf.
set -u
cd "$(dirname "$0")/../.."
. tests/integration/lib.sh

CONSOLE=${BUILD:-build}/drivr-console
BURST=tests/integration/retain_burst.py

broker_start || { echo "broker did not start"; exit 1; }
PLAIN=$(broker_plain_args)
python3 "$BURST" 127.0.0.1 "$BROKER_PORT" big 30000 || it_fail "publish 30 000 systems"
python3 "$BURST" 127.0.0.1 "$BROKER_PORT" small 3000 || it_fail "publish 3 000 systems"
python3 "$BURST" 127.0.0.1 "$BROKER_PORT" deep 3 30000 || it_fail "publish a system with 30 000 events"

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
it_check "... complete in one pass, no marker missing, every system" \
	check_json "$IT_TMP/small.json" \
	"d['complete'] is True and d['load']['verdict'] == 'complete'" \
	"d['load']['indexPasses'] == 1 and d['load']['indexCut'] is False and d['load']['batchesCut'] == 0" \
	"d['load']['indexCut'] is False and len(d['systems']) == 3000" \
	"d['domain'] is not None"

# --log until the load is in: the domain message once, the marker dropped
it_spawn log "$CONSOLE" $PLAIN -s small --log
LOG_PID=$IT_PID
wait_for "$IT_TMP/log.out" '"event":"loaded"' 30 || it_fail "--log loaded"
it_stop "$LOG_PID"
it_check "--log: the domain message printed once (the marker copy dropped)" \
	[ "$(grep -c '"topic":"drivr/v1/small"' "$IT_TMP/log.out")" -eq 1 ]

timeout 60 "$CONSOLE" $PLAIN -s deep --snapshot --timeout 50 >"$IT_TMP/deep.json" 2>"$IT_TMP/deep.err"
rc=$?
it_check "a system with 30 000 retained events, stock broker: exit 8 (got $rc), the system named" \
	bash -c "[ $rc -eq 8 ] && grep -q 'the broker cut the retained state of 1 system (00005eed-0000-4000-8000-000000000000)' '$IT_TMP/deep.err'"
it_check "... its batch loaded again alone, every system loaded, the two small ones whole" \
	check_json "$IT_TMP/deep.json" \
	"d['complete'] is False and d['load']['subtreesCut'] == 1 and d['load']['batchesCut'] == 1" \
	"d['load']['systemsLoaded'] == 3 and len(d['systems']) == 3" \
	"d['load']['verdict'] == \"a system's retained state was cut\"" \
	"1000 < len(d['events']) < 30000"

# the same bursts with the per-client queue raised (unlimited)
broker_stop
broker_start --conf "max_queued_messages 0" || { it_fail "raised broker"; it_summary; exit 1; }
PLAIN=$(broker_plain_args)
python3 "$BURST" 127.0.0.1 "$BROKER_PORT" big 30000 || it_fail "publish 30 000 systems (raised)"
python3 "$BURST" 127.0.0.1 "$BROKER_PORT" deep 3 30000 || it_fail "publish the big system (raised)"
timeout 120 "$CONSOLE" $PLAIN -s big --snapshot --timeout 100 >"$IT_TMP/raised.json" 2>"$IT_TMP/raised.err"
rc=$?
it_check "30 000 systems, queue raised: exit 0 (got $rc)" [ "$rc" -eq 0 ]
it_check "... complete, all 30 000, one pass, no marker missing" \
	check_json "$IT_TMP/raised.json" \
	"d['complete'] is True and len(d['systems']) == 30000" \
	"d['load']['indexPasses'] == 1 and d['load']['indexCut'] is False and d['load']['batchesCut'] == 0"
timeout 60 "$CONSOLE" $PLAIN -s deep --snapshot --timeout 50 >"$IT_TMP/deep-raised.json" 2>"$IT_TMP/deep-raised.err"
rc=$?
it_check "the system with 30 000 events, queue raised: exit 0 (got $rc), all 30 000, nothing cut" \
	check_json "$IT_TMP/deep-raised.json" \
	"d['complete'] is True and len(d['events']) == 30000" \
	"d['load']['batchesCut'] == 0 and d['load']['subtreesCut'] == 0"

it_summary
