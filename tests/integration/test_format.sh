#!/usr/bin/env bash
# Integration: drivr-console --log --format csv and --format TEMPLATE against
# drivr-sim on a real mosquitto on loopback.  The CSV is read back with
# Python's csv module (RFC 4180), its series checked against a --snapshot of
# the same world and its units against the simulator's catalogue; hostile
# device strings never put an escape on stdout; bad --format values are exit 2.
set -u
cd "$(dirname "$0")/../.."
. tests/integration/lib.sh

BUILD=${BUILD:-build}
CONSOLE=$BUILD/drivr-console
SIM=$BUILD/drivr-sim
for f in "$SIM" "$CONSOLE"; do [ -x "$f" ] || { echo "missing $f (run make)"; exit 1; }; done
SLUG=format-it

broker_start || { echo "broker did not start"; exit 1; }
PLAIN=$(broker_plain_args)

# --- bad values are refused before connecting ------------------------------------
timeout 10 "$CONSOLE" $PLAIN -s "$SLUG" --log --format cvs >"$IT_TMP/bad.out" 2>"$IT_TMP/bad.err"
it_check "--format cvs: exit 2" [ $? -eq 2 ]
it_check "and says what it accepts" grep -q 'is not json, csv or a template' "$IT_TMP/bad.err"
timeout 10 "$CONSOLE" $PLAIN -s "$SLUG" --log --format '%t %q' >/dev/null 2>"$IT_TMP/badq.err"
it_check "--format '%t %q' (unknown directive): exit 2" [ $? -eq 2 ]
it_check "and names the directive" grep -q '%q is not a directive' "$IT_TMP/badq.err"
timeout 10 "$CONSOLE" $PLAIN -s "$SLUG" --snapshot --format csv >/dev/null 2>"$IT_TMP/notlog.err"
it_check "--format csv without --log: exit 2" [ $? -eq 2 ]

# --- the simulated world, with its catalogue (units) -----------------------------
it_spawn sim "$SIM" $PLAIN -s "$SLUG" --seed 7 --rate 60 --change-interval 0 \
	--event-interval 0 --setpoint-interval 0 --extensions all
SIM_PID=$IT_PID
it_check "drivr-sim says ready within 15 s" wait_for "$IT_TMP/sim.out" "drivr-sim: ready" 15

timeout 30 "$CONSOLE" $PLAIN -s "$SLUG" --log --format csv --count 400 \
	>"$IT_TMP/dp.csv" 2>"$IT_TMP/dp.err"
it_check "--log --format csv --count 400 exits 0" [ $? -eq 0 ]
timeout 20 "$CONSOLE" $PLAIN -s "$SLUG" --snapshot --settle 1 --timeout 10 \
	>"$IT_TMP/world.json" 2>"$IT_TMP/world.err"
it_check "--snapshot of the same world exits 0" [ $? -eq 0 ]

check_csv() {
	python3 - "$IT_TMP/dp.csv" "$IT_TMP/world.json" <<'PY'
import csv, json, sys, datetime
raw = open(sys.argv[1], "rb").read()
world = json.load(open(sys.argv[2]))
bad = []
def need(cond, what):
    if not cond:
        bad.append(what)
need(b"\x1b" not in raw, "no ESC byte")
lines = raw.split(b"\r\n")
need(lines[-1] == b"" and all(b"\n" not in l for l in lines), "every record ends in CRLF")
with open(sys.argv[1], newline="", encoding="utf-8") as f:
    rows = list(csv.reader(f))
header, body = rows[0], rows[1:]
need(header == ["time", "system", "component", "service", "characteristic", "value", "unit"],
     "header %r" % header)
need(len(body) >= 100, "at least 100 datapoint rows (%d)" % len(body))
need(all(len(r) == 7 for r in body), "7 fields in every row")
# every row names a component of the world, under its own system
components = {(c["systemUuid"], c["code"]) for c in world["components"]}
systems = {s["uuid"] for s in world["systems"]}
for r in body[:5000]:
    t, system, comp, svc, ch, value, unit = r
    try:
        datetime.datetime.strptime(t, "%Y-%m-%dT%H:%M:%S.%fZ")
    except ValueError:
        bad.append("time %r" % t); break
    if system not in systems:
        bad.append("system %r not in the snapshot" % system); break
    if (system, comp) not in components:
        bad.append("component %r not in the snapshot" % ((system, comp),)); break
    if not svc or not ch:
        bad.append("service and characteristic %r" % r); break
numbers = [r for r in body if r[4] in ("flow-temperature", "return-temperature", "power")]
need(numbers, "rows of numeric characteristics")
for r in numbers:
    try:
        float(r[5])
    except ValueError:
        bad.append("value %r is no number" % r[5]); break
need(any(r[6] for r in body), "units from the catalogue")
need(all(r[6] == "°C" for r in body if r[4] == "flow-temperature"), "flow-temperature in °C")
need(all(r[6] == "W" for r in body if r[4] == "power"), "power in W")
for b in bad:
    print("    failed: " + b)
sys.exit(1 if bad else 0)
PY
}
it_check "CSV read back by Python's csv module: header, rows, the snapshot's components, units" check_csv
it_check "csv: no JSON event line on stdout (connected, loaded)" \
	bash -c "! grep -q '\"event\"' '$IT_TMP/dp.csv'"

# --- a template ----------------------------------------------------------------
timeout 30 "$CONSOLE" $PLAIN -s "$SLUG" --log --format '%I\t%t\t%r\t%l\t%f' --count 50 \
	>"$IT_TMP/tpl.out" 2>"$IT_TMP/tpl.err"
it_check "--format TEMPLATE exits 0" [ $? -eq 0 ]
check_template() {
	python3 - "$IT_TMP/tpl.out" "$SLUG" <<'PY'
import sys
lines = open(sys.argv[1], encoding="utf-8").read().split("\n")
slug = sys.argv[2]
bad = []
if lines[-1] != "" or len(lines) != 51:
    bad.append("50 lines, each ending in a newline (%d)" % (len(lines) - 1))
for l in lines[:-1]:
    f = l.split("\t")
    if len(f) != 5 or not f[0].endswith("Z") or not (f[1] + "/").startswith("drivr/v1/%s/" % slug) \
            or f[2] not in ("0", "1") or not f[3].isdigit() or not f[4]:
        bad.append("line %r" % l)
        break
if not any(l.split("\t")[2] == "1" for l in lines[:-1]):
    bad.append("the retained state shows as %r 1")
for b in bad:
    print("    failed: " + b)
sys.exit(1 if bad else 0)
PY
}
it_check "template lines: ISO time, topic, retained, bytes, family" check_template
it_stop "$SIM_PID"

# --- hostile device strings ------------------------------------------------------
# A retained datapoint (the staged load's retained state brings it) whose
# codes, value and payload carry terminal escapes.
HOSTILE=hostile-it
ESC=$'\x1b'
HTOPIC="drivr/v1/$HOSTILE/input/datapoint/sys-h/json"
HPAYLOAD="{\"componentCode\":\"c${ESC}[2J\",\"serviceCode\":\"=cmd\",\"characteristicCode\":\"x${ESC}]0;pwn\\u0007\",\"time\":\"2024-03-01T10:00:00Z\",\"value\":\"v${ESC}[31m\"}"
timeout 10 mosquitto_pub $PLAIN -q 1 -r -t "$HTOPIC" -m "$HPAYLOAD" || it_fail "publish the hostile datapoint"
timeout 20 "$CONSOLE" $PLAIN -s "$HOSTILE" --single-subscription --log --format csv --count 1 \
	>"$IT_TMP/h.csv" 2>"$IT_TMP/h.err"
it_check "hostile datapoint: --format csv exits 0" [ $? -eq 0 ]
it_check "its row is there, the escapes shown as ^[" grep -q '\^\[\[2J' "$IT_TMP/h.csv"
it_check "the formula is guarded" grep -q "\"'=cmd\"" "$IT_TMP/h.csv"
it_check "no ESC or BEL byte on stdout (csv)" bash -c "! grep -q \$'[\\x1b\\x07]' '$IT_TMP/h.csv'"
timeout 20 "$CONSOLE" $PLAIN -s "$HOSTILE" --single-subscription --log --format '%t %p' --count 1 \
	>"$IT_TMP/h.tpl" 2>"$IT_TMP/h.tplerr"
it_check "hostile payload: --format '%t %p' exits 0" [ $? -eq 0 ]
it_check "the payload is there, made visible" grep -q 'v\^\[\[31m' "$IT_TMP/h.tpl"
it_check "no ESC byte on stdout (template)" bash -c "! grep -q \$'\\x1b' '$IT_TMP/h.tpl'"
it_check "one message, one line" [ "$(wc -l <"$IT_TMP/h.tpl")" -eq 1 ]

# Under SAN=1 the programs report leaks and undefined behaviour on exit.
head -n 4 "$IT_TMP/dp.csv" | sed 's/^/    /'
it_check "no sanitizer report" \
	bash -c "! grep -l 'Sanitizer\|runtime error' '$IT_TMP'/*.out '$IT_TMP'/*.err 2>/dev/null"

it_summary
