#!/usr/bin/env bash
# make bench — drivr-console measured against its peers in the same run, on
# the same floods, on a private loopback mosquitto.  Figures are medians of
# BENCH_REPS runs; ratios are what to read (these machines are shared).
#
#   BENCH_N=200000 BENCH_REPS=5 BENCH_RETAINED_SYSTEMS=10000 tests/bench/run.sh
#
# BENCH_ONLY="ingest retained" runs only those scenarios (for a quick check;
# the report shows "-" for the rest): ingest, retained (the burst on a broker
# with raised limits), stock (the same world on a stock broker, the scope
# row), share, pipeline (and memory), render, slowlink, idle.  Empty: all.
#
# Ingest: every consumer registers a persistent session first; one flood
# (drivr-sim --flood) is then queued by the broker for all of them, and each
# drains its backlog alone, one after the other.
set -u
cd "$(dirname "$0")/../.."
. tests/integration/lib.sh

N=${BENCH_N:-200000}
REPS=${BENCH_REPS:-5}
SYSTEMS=${BENCH_RETAINED_SYSTEMS:-10000}
BYTES=${BENCH_PAYLOAD_BYTES:-200}
BUILD=${BUILD:-build}
CONSOLE=$BUILD/drivr-console
SIM=$BUILD/drivr-sim
PAHO=$BUILD/bench/paho_count
MEMORY=$BUILD/bench/memory_bench
INGEST=$BUILD/bench/ingest_bench
RESULTS=$BUILD/bench/results.tsv
mkdir -p "$BUILD/bench"
: >"$RESULTS"

for tool in "$CONSOLE" "$SIM" "$PAHO" "$MEMORY" "$INGEST"; do
	[ -x "$tool" ] || { echo "bench: missing $tool (make bench builds it)"; exit 1; }
done

# bench_only SCENARIO — whether BENCH_ONLY (empty: everything) selects it
bench_only() {
	[ -z "${BENCH_ONLY:-}" ] || [[ " $BENCH_ONLY " == *" $1 "* ]]
}

# The MQTT.js peer (tests/bench/mqttjs, make bench-mqttjs): count.js, a bare
# client that only counts, and MQTT.js's own CLI.  Without Node or the
# installed package their rows are recorded as not measured, with the reason
# (report.py prints it): never silently absent.
MQTTJS_DIR=tests/bench/mqttjs
MQTTJS_COUNT=$MQTTJS_DIR/count.js
MQTTJS_CLI=$MQTTJS_DIR/node_modules/.bin/mqtt
MQTTJS_MISSING=""
if ! command -v node >/dev/null; then
	MQTTJS_MISSING=node_missing
elif [ ! -f "$MQTTJS_DIR/node_modules/mqtt/package.json" ] || [ ! -x "$MQTTJS_CLI" ]; then
	MQTTJS_MISSING=mqtt_not_installed
fi
[ -n "$MQTTJS_MISSING" ] && echo "bench: the MQTT.js rows are not measured: ${MQTTJS_MISSING//_/ }"
TICKS=$(getconf CLK_TCK)

# record SCENARIO CONSUMER METRIC VALUE
record() {
	printf '%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" >>"$RESULTS"
}

# timed NAME cmd... — runs cmd under /usr/bin/time; sets T_WALL T_CPU T_RSS
timed() {
	local out=$IT_TMP/time.out
	/usr/bin/time -f '%e %U %S %M' -o "$out" "$@" >/dev/null 2>"$IT_TMP/timed.err"
	local rc=$?
	# A failing command adds a "Command exited with ..." line first.
	read -r T_WALL u s T_RSS < <(tail -1 "$out") || true
	T_CPU=$(python3 -c "print($u + $s)")
	return $rc
}

broker_start --tls --conf "max_queued_messages 0" --conf "max_queued_bytes 0" \
	--conf "queue_qos0_messages true" || { echo "bench: broker did not start"; exit 1; }
PLAIN="-h 127.0.0.1 -p $BROKER_PORT"
TLS="-h 127.0.0.1 -p $BROKER_TLS_PORT --cafile $IT_CERTS/ca.crt --cert $IT_CERTS/client.crt --key $IT_CERTS/client.key"
FILTER='drivr/v1/bench/#'

# --- slow links (defined here, run near the end) ------------------------------------
# The full-screen console on a pty of the bench's own (slowlink_bench.py, on
# the broker running when it is called): bytes per frame idle, live, j held
# and PgDn held at 80x24 and 250x80, and the key latency over a reader
# throttled to 1 Mbit/s.  One run (about 2 minutes): 25 keys per size.
section_slowlink() {
	local metric value
	if timeout -k 30 600 python3 tests/bench/slowlink_bench.py --console "$CONSOLE" --sim "$SIM" \
		--dir "$IT_TMP" -- $PLAIN >"$IT_TMP/slowlink.out" 2>"$IT_TMP/slowlink.err"; then
		# SIZE-CASE-NAME value → slowlink-SIZE-CASE console NAME value
		while IFS=$'\t' read -r metric value; do
			record "slowlink-${metric%-*}" console "${metric##*-}" "$value"
		done <"$IT_TMP/slowlink.out"
	else
		echo "bench: slow links failed: $(tail -2 "$IT_TMP/slowlink.err")"
	fi
}

# --- ingest ---------------------------------------------------------------------
# consumer_run KIND ARGS QOS COUNT — drains COUNT messages (0: only register)
consumer_run() {
	local kind=$1 args=$2 qos=$3 count=$4
	case $kind in
	mosquitto_sub)
		if [ "$count" = 0 ]; then
			timeout 20 mosquitto_sub $args -i bench-ms -c -q "$qos" -t "$FILTER" -E
		else
			timed timeout 300 mosquitto_sub $args -i bench-ms -c -q "$qos" -t "$FILTER" -C "$count"
		fi ;;
	paho)
		if [ "$count" = 0 ]; then
			timeout 20 "$PAHO" $args -i bench-pc -c -q "$qos" -t "$FILTER" >/dev/null
		else
			timed timeout 300 "$PAHO" $args -i bench-pc -c -q "$qos" -t "$FILTER" -n "$count"
		fi ;;
	console)
		if [ "$count" = 0 ]; then
			# an empty domain: exit 8 (nothing for the slug) is expected
			timeout 20 "$CONSOLE" $args -s bench -i bench-dc -c --snapshot --settle 0.1 --timeout 5 >/dev/null 2>&1 ||
				[ $? -eq 8 ]
		else
			# a flood, no platform state: the snapshot says incomplete (exit 8)
			timed timeout 300 "$CONSOLE" $args -s bench -i bench-dc -c --snapshot --count "$count" --timeout 300 ||
				[ $? -eq 8 ]
		fi ;;
	mqttjs)
		if [ "$count" = 0 ]; then
			timeout 20 node "$MQTTJS_COUNT" $args -i bench-mj -c -q "$qos" -t "$FILTER" >/dev/null
		else
			timed timeout 300 node "$MQTTJS_COUNT" $args -i bench-mj -c -q "$qos" -t "$FILTER" -n "$count"
		fi ;;
	mqttjs-cli)
		if [ "$count" = 0 ]; then
			# The CLI cannot only register: count.js registers the same
			# session (client id, filter, QoS), and also takes what a
			# previous run's stopped CLI may have left unacknowledged.
			timeout 20 node "$MQTTJS_COUNT" $args -i bench-mjcli -c -q "$qos" -t "$FILTER" >/dev/null
		else
			mqttjs_cli_drain "$count" $args -i bench-mjcli --no-clean -q "$qos" -t "$FILTER"
		fi ;;
	console-tui)
		# (d) the full-screen console at 20 fps in a 120x40 pane of a private
		# tmux, a key sent every 100 ms during the drain (tui_bench.py); the
		# session is registered headless, with the same client id.
		if [ "$count" = 0 ]; then
			timeout 20 "$CONSOLE" $args -s bench -i bench-tui -c --snapshot --settle 0.1 --timeout 5 >/dev/null 2>&1 ||
				[ $? -eq 8 ]
		else
			python3 tests/bench/tui_bench.py --console "$CONSOLE" --dir "$IT_TMP" --count "$count" \
				--fps 20 --timeout 300 -- $args -s bench -i bench-tui -c \
				>"$IT_TMP/tui.out" 2>"$IT_TMP/timed.err" || return 1
			T_WALL=$(awk -F'\t' '$1 == "wall_s" {print $2}' "$IT_TMP/tui.out")
			T_CPU=$(awk -F'\t' '$1 == "cpu_s" {print $2}' "$IT_TMP/tui.out")
			T_RSS=$(awk -F'\t' '$1 == "peak_rss_kb" {print $2}' "$IT_TMP/tui.out")
		fi ;;
	esac
}

# mqttjs_cli_drain COUNT ARGS... — MQTT.js's own CLI, `mqtt sub -v ARGS`,
# until it has printed COUNT lines; sets T_WALL T_CPU T_RSS as timed does.
# The CLI never stops by itself: `head -n COUNT` reads its stdout through a
# FIFO and exits at the COUNT-th line (the sim's payloads carry no newline,
# so a message is a line; head, not mawk, which waits to fill its buffer).  T_WALL runs from the
# CLI's start (Node's start-up and the connect included, like the other
# rows' process wall time) to that line read; T_CPU and T_RSS are the CLI's
# own from /proc, read before it is stopped: its disconnect and exit are not
# in them (the other rows' are, a few ms).  Fails when it printed fewer.
mqttjs_cli_drain() {
	local count=$1 fifo=$IT_TMP/mqttjs-cli.fifo pid got t0 t1 u s
	shift
	rm -f "$fifo"
	mkfifo "$fifo" || return 1
	t0=$EPOCHREALTIME
	"$MQTTJS_CLI" sub -v "$@" >"$fifo" 2>"$IT_TMP/timed.err" &
	pid=$!
	it_track "$pid"
	got=$(timeout 300 head -n "$count" <"$fifo" | wc -l)
	t1=$EPOCHREALTIME
	read -r u s < <(awk '{print $14, $15}' "/proc/$pid/stat" 2>/dev/null)
	T_RSS=$(awk '/^VmHWM:/ {print $2}' "/proc/$pid/status" 2>/dev/null)
	it_stop "$pid"
	rm -f "$fifo"
	if [ "${got:-0}" != "$count" ] || [ -z "${u:-}" ]; then
		echo "mqttjs-cli: ${got:-0} of $count lines" >>"$IT_TMP/timed.err"
		return 1
	fi
	T_WALL=$(python3 -c "print($t1 - $t0)")
	T_CPU=$(python3 -c "print(($u + $s) / $TICKS)")
}

# console-tui's own figures: key latency (ms, sent → the answering frame written to
# the terminal), keys, frames, the tmux server's CPU
record_tui() {
	local metric value
	while IFS=$'\t' read -r metric value; do
		case $metric in
		wall_s | cpu_s | peak_rss_kb | msgs_per_s | cpu_us_per_msg) ;;
		*) record "$1" console-tui "$metric" "$value" ;;
		esac
	done <"$IT_TMP/tui.out"
}

# (Each scenario's block is left unindented under its bench_only test.)
if bench_only ingest; then
CONSUMERS="mosquitto_sub paho console console-tui mqttjs mqttjs-cli"
[ -n "$MQTTJS_MISSING" ] && CONSUMERS="mosquitto_sub paho console console-tui"
for transport in tcp tls; do
	args=$PLAIN
	[ $transport = tls ] && args=$TLS
	for qos in 0 1; do
		scenario="ingest-$transport-qos$qos"
		if [ -n "$MQTTJS_MISSING" ]; then
			record "$scenario" mqttjs "not_measured_$MQTTJS_MISSING" 1
			record "$scenario" mqttjs-cli "not_measured_$MQTTJS_MISSING" 1
		fi
		for rep in $(seq 1 "$REPS"); do
			for c in $CONSUMERS; do consumer_run "$c" "$args" "$qos" 0 || echo "bench: $c register failed"; done
			timeout 300 "$SIM" $PLAIN -s bench --flood "$N" --payload-bytes "$BYTES" --flood-qos "$qos" \
				--series 10000 2>>"$IT_TMP/flood.log" || echo "bench: flood failed"
			for c in $CONSUMERS; do
				if consumer_run "$c" "$args" "$qos" "$N"; then
					record "$scenario" "$c" msgs_per_s "$(python3 -c "print($N / $T_WALL)")"
					record "$scenario" "$c" cpu_us_per_msg "$(python3 -c "print($T_CPU * 1e6 / $N)")"
					record "$scenario" "$c" peak_rss_kb "$T_RSS"
					[ "$c" = console-tui ] && record_tui "$scenario"
				else
					echo "bench: $scenario $c failed: $(tail -2 "$IT_TMP/timed.err")"
				fi
			done
			echo "bench: $scenario run $rep done"
		done
	done
done
fi # ingest

# --- retained burst ---------------------------------------------------------------
if bench_only retained; then
broker_stop
broker_start --conf "max_queued_messages 0" --conf "max_queued_bytes 0" || exit 1
PLAIN="-h 127.0.0.1 -p $BROKER_PORT"
timeout 600 "$SIM" $PLAIN -s bench --systems "$SYSTEMS" --components 10 --rate 0 --event-interval 0 \
	--change-interval 0 --setpoint-interval 0 --duration 1 2>>"$IT_TMP/sim.log" >/dev/null
RETAINED=$(timeout 60 mosquitto_sub $PLAIN -t "$FILTER" --retained-only -W 10 2>/dev/null | wc -l)
echo "bench: retained set of $RETAINED messages"
# The console subscribes at QoS 1 (src/mqtt.c) and the sim retains at QoS 1,
# so the broker delivers the console's burst at QoS 1: a PUBACK per message
# and mosquitto's in-flight window, about twice the broker's CPU of QoS 0.
# The -qos1 consumers take the same subscription, for a like-for-like
# comparison; the QoS 0 figures are kept as they were.
# paho_load_seconds [FILE] — connect to last message, from paho_count's
# output (or count.js's, the same line)
paho_load_seconds() {
	sed -nE 's/.* ([0-9.]+) s from connect$/\1/p' "${1:-$IT_TMP/paho.out}"
}
# broker_cpu — the broker's CPU seconds so far (user + system)
broker_cpu() {
	awk -v t="$TICKS" '{print ($14 + $15) / t}' "/proc/$BROKER_PID/stat"
}
for rep in $(seq 1 "$REPS"); do
	if timed timeout 120 mosquitto_sub $PLAIN -t "$FILTER" --retained-only -C "$RETAINED"; then
		record retained-burst mosquitto_sub seconds "$T_WALL"
		record retained-burst mosquitto_sub peak_rss_kb "$T_RSS"
	fi
	if timed timeout 120 mosquitto_sub $PLAIN -q 1 -t "$FILTER" --retained-only -C "$RETAINED"; then
		record retained-burst mosquitto_sub-qos1 seconds "$T_WALL"
	fi
	for qos in 0 1; do
		name=paho
		[ $qos = 1 ] && name=paho-qos1
		b0=$(broker_cpu)
		if /usr/bin/time -f '%e %U %S %M' -o "$IT_TMP/time.out" timeout 120 "$PAHO" $PLAIN \
			-i bench-retained -q $qos -t "$FILTER" -n "$RETAINED" >"$IT_TMP/paho.out" 2>/dev/null; then
			read -r T_WALL u s T_RSS < <(tail -1 "$IT_TMP/time.out")
			record retained-burst $name seconds "$T_WALL"
			record retained-burst $name load_seconds "$(paho_load_seconds)"
			record retained-burst $name cpu_s "$(python3 -c "print($u + $s)")"
			record retained-burst $name broker_cpu_s "$(python3 -c "print($(broker_cpu) - $b0)")"
			[ $qos = 0 ] && record retained-burst $name peak_rss_kb "$T_RSS"
		fi
	done
	# MQTT.js, QoS 0 and 1 like paho: count.js (wall, and connect → last
	# message like paho_count) and the CLI (start → the last message printed:
	# mqttjs_cli_drain; it has no --retained-only, and none but the retained
	# messages arrive here: the sim has stopped).
	for qos in 0 1; do
		suffix=""
		[ $qos = 1 ] && suffix=-qos1
		if [ -n "$MQTTJS_MISSING" ]; then
			record retained-burst "mqttjs$suffix" "not_measured_$MQTTJS_MISSING" 1
			record retained-burst "mqttjs-cli$suffix" "not_measured_$MQTTJS_MISSING" 1
			continue
		fi
		b0=$(broker_cpu)
		if /usr/bin/time -f '%e %U %S %M' -o "$IT_TMP/time.out" timeout 120 node "$MQTTJS_COUNT" $PLAIN \
			-i bench-retained-mj -q $qos -t "$FILTER" --retained-only -n "$RETAINED" \
			>"$IT_TMP/mqttjs.out" 2>"$IT_TMP/timed.err"; then
			read -r T_WALL u s T_RSS < <(tail -1 "$IT_TMP/time.out")
			record retained-burst "mqttjs$suffix" seconds "$T_WALL"
			record retained-burst "mqttjs$suffix" load_seconds "$(paho_load_seconds "$IT_TMP/mqttjs.out")"
			record retained-burst "mqttjs$suffix" cpu_s "$(python3 -c "print($u + $s)")"
			record retained-burst "mqttjs$suffix" broker_cpu_s "$(python3 -c "print($(broker_cpu) - $b0)")"
			record retained-burst "mqttjs$suffix" peak_rss_kb "$T_RSS"
		else
			echo "bench: retained burst mqttjs$suffix failed: $(tail -2 "$IT_TMP/timed.err")"
		fi
		b0=$(broker_cpu)
		if mqttjs_cli_drain "$RETAINED" $PLAIN -i bench-retained-mjcli -q $qos -t "$FILTER"; then
			record retained-burst "mqttjs-cli$suffix" seconds "$T_WALL"
			record retained-burst "mqttjs-cli$suffix" cpu_s "$T_CPU"
			record retained-burst "mqttjs-cli$suffix" broker_cpu_s "$(python3 -c "print($(broker_cpu) - $b0)")"
			record retained-burst "mqttjs-cli$suffix" peak_rss_kb "$T_RSS"
		else
			echo "bench: retained burst mqttjs-cli$suffix failed: $(tail -2 "$IT_TMP/timed.err")"
		fi
	done
	# The console's own figure: connect to last message (loadSeconds), the
	# staged load (the default: docs/architecture.md) and the old single
	# subscription, which this broker's raised limits let through whole.
	# Their wall and CPU time include building and printing the snapshot.
	# --log of the same burst, every message printed as a JSON line (what
	# the issue measured MQTT.js's CLI against): wall, start to exit after
	# the last retained message (--count; the end marker is not counted).
	b0=$(broker_cpu)
	if timed timeout 120 "$CONSOLE" $PLAIN -s bench --log --count "$RETAINED"; then
		record retained-burst console-log wall_seconds "$T_WALL"
		record retained-burst console-log cpu_s "$T_CPU"
		record retained-burst console-log broker_cpu_s "$(python3 -c "print($(broker_cpu) - $b0)")"
		record retained-burst console-log peak_rss_kb "$T_RSS"
	else
		echo "bench: retained burst console-log failed: $(tail -2 "$IT_TMP/timed.err")"
	fi
	# staged: the defaults — the snapshot ends as soon as the plan knows the
	# state is in (docs/architecture.md: no quiet time on an ordered broker)
	for mode in staged single; do
		name=console
		args=""
		[ $mode = single ] && { name=console-single; args="--single-subscription --count $RETAINED"; }
		b0=$(broker_cpu)
		/usr/bin/time -f '%e %U %S %M' -o "$IT_TMP/time.out" timeout 120 "$CONSOLE" $PLAIN -s bench \
			--snapshot --timeout 120 $args >"$IT_TMP/burst.json" 2>/dev/null
		rc=$?
		# single: exit 8, as it cannot call the state complete
		if [ $rc -eq 0 ] || { [ $mode = single ] && [ $rc -eq 8 ]; }; then
			read -r T_WALL u s T_RSS < <(tail -1 "$IT_TMP/time.out")
			load=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['loadSeconds'])" "$IT_TMP/burst.json")
			record retained-burst $name seconds "$load"
			record retained-burst $name load_seconds "$load"
			record retained-burst $name wall_seconds "$T_WALL"
			record retained-burst $name cpu_s "$(python3 -c "print($u + $s)")"
			record retained-burst $name broker_cpu_s "$(python3 -c "print($(broker_cpu) - $b0)")"
			record retained-burst $name peak_rss_kb "$T_RSS"
			record retained-burst $name systems "$(python3 -c "import json,sys; print(len(json.load(open(sys.argv[1]))['systems']))" "$IT_TMP/burst.json")"
		else
			echo "bench: retained burst $name failed (exit $rc)"
		fi
	done
done
record retained-burst messages count "$RETAINED"
fi # retained

# --- the same retained world on a stock broker (no limit raised) ------------------
# Staged: every system; single: what fits mosquitto's default queue.
if bench_only stock; then
broker_stop
broker_start || exit 1
PLAIN="-h 127.0.0.1 -p $BROKER_PORT"
timeout 600 "$SIM" $PLAIN -s bench --systems "$SYSTEMS" --components 10 --rate 0 --event-interval 0 \
	--change-interval 0 --setpoint-interval 0 --duration 1 2>>"$IT_TMP/sim.log" >/dev/null
for mode in staged single; do
	name=console
	args="--settle 0.1"
	[ $mode = single ] && { name=console-single; args="--single-subscription --settle 1"; }
	timeout 120 "$CONSOLE" $PLAIN -s bench --snapshot --timeout 120 $args >"$IT_TMP/stock.json" 2>/dev/null
	rc=$?
	[ $mode = staged ] && cp "$IT_TMP/stock.json" "$IT_TMP/stock-staged.json"
	record retained-stock $name exit "$rc"
	python3 - "$IT_TMP/stock.json" <<'PY' | while read -r metric value; do record retained-stock $name "$metric" "$value"; done
import json, sys
d = json.load(open(sys.argv[1]))
print("systems", len(d["systems"]))
print("components", len(d["components"]))
print("load_seconds", d["loadSeconds"])
print("complete", 1 if d.get("complete") else 0)
PY
done

# A scope of 10 systems (--systems-file) in the same world: its load against
# the whole domain's (docs/configuration.md: the systems index is not read).
python3 -c "import json,sys; [print(s['uuid']) for s in json.load(open(sys.argv[1]))['systems'][::max(1, $SYSTEMS // 10)][:10]]" \
	"$IT_TMP/stock-staged.json" >"$IT_TMP/scope.txt" 2>/dev/null
if [ "$(wc -l <"$IT_TMP/scope.txt")" -eq 10 ]; then
	for rep in $(seq 1 "$REPS"); do
		timeout 120 "$CONSOLE" $PLAIN -s bench --snapshot --timeout 120 --settle 0.1 \
			--systems-file "$IT_TMP/scope.txt" >"$IT_TMP/scope.json" 2>/dev/null
		rc=$?
		record retained-scope console exit "$rc"
		python3 - "$IT_TMP/scope.json" <<'PY' | while read -r metric value; do record retained-scope console "$metric" "$value"; done
import json, sys
d = json.load(open(sys.argv[1]))
print("systems", len(d["systems"]))
print("retained", d["load"]["retained"])
print("load_seconds", d["loadSeconds"])
print("complete", 1 if d.get("complete") else 0)
PY
	done
	python3 - "$IT_TMP/stock-staged.json" "$IT_TMP/scope.json" <<'PY'
import json, sys
whole, scope = (json.load(open(f)) for f in sys.argv[1:])
print(f"bench: a scope of {len(scope['systems'])} of {len(whole['systems'])} systems loads in "
      f"{scope['loadSeconds']:.3f} s vs {whole['loadSeconds']:.3f} s: "
      f"{scope['loadSeconds'] / whole['loadSeconds']:.3f}x")
PY
else
	echo "bench: no 10 systems for the scope row (the staged snapshot failed)"
fi
fi # stock

# --- shared subscriptions: one live flood split over 3 consumers -----------------------
# --log --share (docs/scaling.md): one consumer in the group, then three, on
# the same QoS 1 flood (queue raised: nothing dropped).  msg/s from the first
# to the last datapoint any of them logged; CPU of the busiest consumer.
# On this one machine the consumers share its cores: the figure is the cost
# of the split, not the gain of more machines (CPU per consumer shows that).
if bench_only share; then
broker_stop
broker_start --conf "max_queued_messages 0" --conf "max_queued_bytes 0" || exit 1
PLAIN="-h 127.0.0.1 -p $BROKER_PORT"
timeout 60 "$SIM" $PLAIN -s bench-share --systems 10 --rate 0 --event-interval 0 \
	--change-interval 0 --setpoint-interval 0 --duration 1 2>>"$IT_TMP/sim.log" >/dev/null
# share_run K — K consumers, one flood; prints "metric value" lines
share_run() {
	local k=$1 i pid pids=""
	for i in $(seq 1 "$k"); do
		/usr/bin/time -f '%U %S' -o "$IT_TMP/share-$i.time" "$CONSOLE" $PLAIN -s bench-share \
			-i "bench-share-$i" --log --share bench --timeout 3 >"$IT_TMP/share-$i.log" 2>/dev/null &
		pids="$pids $!"
		it_track $!
	done
	for i in $(seq 1 "$k"); do
		wait_for "$IT_TMP/share-$i.log" '"event":"loaded"' 30 || return 1
	done
	timeout 300 "$SIM" $PLAIN -s bench-share --flood "$N" --payload-bytes "$BYTES" --flood-qos 1 \
		--series 10000 2>>"$IT_TMP/flood.log" || return 1
	for pid in $pids; do
		it_wait_exit "$pid" 120 || return 1
		wait "$pid"
	done
	python3 - "$IT_TMP" "$k" <<'PY'
import datetime, json, sys
tmp, k = sys.argv[1], int(sys.argv[2])
times, cpu = [], []
for i in range(1, k + 1):
    for line in open(f"{tmp}/share-{i}.log"):
        if '"datapoint_input"' in line:
            t = json.loads(line)["time"].replace("Z", "+00:00")
            times.append(datetime.datetime.fromisoformat(t).timestamp())
    u, s = open(f"{tmp}/share-{i}.time").read().split()[-2:]
    cpu.append(float(u) + float(s))
span = max(times) - min(times) if times else 0
print("received", len(times))
print("msgs_per_s", len(times) / span if span > 0 else 0)
print("cpu_s_max_consumer", max(cpu))
PY
}
for rep in $(seq 1 "$REPS"); do
	for k in 1 3; do
		if share_run $k >"$IT_TMP/share.out"; then
			while read -r metric value; do
				record share-split "consumers-$k" "$metric" "$value"
			done <"$IT_TMP/share.out"
		else
			echo "bench: share-split with $k consumer(s) failed"
		fi
	done
done
fi # share

# --- pipeline and memory ------------------------------------------------------------
if bench_only pipeline; then
for rep in $(seq 1 "$REPS"); do
	ns=$("$INGEST" 1000000 10000 | sed -E 's/.*: ([0-9]+) ns.*/\1/')
	record pipeline console ns_per_msg "$ns"
done
for spec in "100000 0" "100000 120" "1000000 120"; do
	set -- $spec
	line=$("$MEMORY" "$1" "$2")
	bps=$(echo "$line" | sed -E 's/.*bytes_per_series=([0-9]+).*/\1/')
	rss=$(echo "$line" | sed -E 's/.*peak_rss_kb=([0-9]+).*/\1/')
	record "memory-$1-history$2" console bytes_per_series "$bps"
	record "memory-$1-history$2" console peak_rss_kb "$rss"
done
fi # pipeline

# --- render -------------------------------------------------------------------------
# Frame time of every view with 100 000 series (tests/bench/render_bench.c):
# lines "SIZE VIEW MODE MEDIAN_MS MAX_MS MAX_CPU_MS", each over 25 frames (the
# first frame of a new sort or filter, modes sort-first, filter-*: over 7; and
# MODE-done, all the frames of that sort or filter until its order is shown:
# the table spreads it over frames).
RENDER=$BUILD/bench/render_bench
if ! bench_only render; then
	: # not selected (BENCH_ONLY)
elif [ -x "$RENDER" ]; then
	"$RENDER" "${BENCH_RENDER_SERIES:-100000}" 5000 2>>"$IT_TMP/render.log" |
		while IFS=$'\t' read -r size view mode med max cpu; do
			record "render-$size-$view-$mode" console frame_ms_median "$med"
			record "render-$size-$view-$mode" console frame_ms_max "$max"
			record "render-$size-$view-$mode" console frame_cpu_ms_max "$cpu"
		done
else
	echo "bench: missing $RENDER"
fi

if bench_only slowlink; then section_slowlink; fi

# --- idle wake-ups --------------------------------------------------------------------
if bench_only idle; then
"$CONSOLE" $PLAIN -s bench-idle --log --timeout 30 >/dev/null 2>&1 &  # a slug with no traffic
IDLE_PID=$!
it_track "$IDLE_PID"
sleep 2
before=$(awk '/voluntary_ctxt_switches/ && !/non/ {print $2}' /proc/$IDLE_PID/task/$IDLE_PID/status)
sleep 5
after=$(awk '/voluntary_ctxt_switches/ && !/non/ {print $2}' /proc/$IDLE_PID/task/$IDLE_PID/status)
record idle console-headless wakeups_per_5s "$((after - before))"
it_stop "$IDLE_PID"

# The full-screen console, connected, on a private tmux server: its main
# thread (the pane's process, exec'd) over the same 5 s.
IDLE_SOCK="$IT_TMP/idle-tmux.sock"
if tmux -S "$IDLE_SOCK" -f /dev/null new-session -d -x 120 -y 40 \
	"exec env TERM=xterm-256color LC_ALL=C.UTF-8 $CONSOLE $PLAIN -s bench-idle --no-mouse"; then
	it_track "$(tmux -S "$IDLE_SOCK" display -p '#{pid}')"
	sleep 2
	IDLE_PID=$(tmux -S "$IDLE_SOCK" list-panes -F '#{pane_pid}' | head -1)
	status=/proc/$IDLE_PID/task/$IDLE_PID/status
	before=$(awk '/voluntary_ctxt_switches/ && !/non/ {print $2}' "$status")
	sleep 5
	after=$(awk '/voluntary_ctxt_switches/ && !/non/ {print $2}' "$status")
	record idle console-tui wakeups_per_5s "$((after - before))"
	tmux -S "$IDLE_SOCK" kill-server
fi
fi # idle

python3 tests/bench/report.py "$RESULTS" | tee "$BUILD/bench/results.md"
