#!/usr/bin/env bash
# Integration: a broker that stops answering (SIGSTOP: the TCP connection
# stays open, nothing comes back — a hung broker or a dead path) is noticed
# by the keep-alive watchdog within 1.5 × --keepalive, reported as a
# connection_lost event, and the console reconnects once it answers again
# (SIGCONT).  A quiet broker that answers is not taken for dead.  Both MQTT
# versions run at once against the same broker (one pause for both).
set -u
cd "$(dirname "$0")/../.."
. tests/integration/lib.sh

CONSOLE=${BUILD:-build}/drivr-console
[ -x "$CONSOLE" ] || { echo "missing $CONSOLE (run make)"; exit 1; }

broker_start || { it_fail "broker starts"; it_summary; exit 1; }
# Whatever happens below, the broker is running again before the exit trap
# stops it (TERM does nothing to a stopped process).
resume_broker() { [ -n "${BROKER_PID:-}" ] && kill -CONT "$BROKER_PID" 2>/dev/null; return 0; }
# (the status first: resume_broker's would hide a failed check)
trap '_it_rc=$?; resume_broker; _it_cleanup; exit $_it_rc' EXIT

# A small domain (its own topic and one system): the load is complete, so
# stderr has nothing to say about it.
timeout 5 mosquitto_pub $(broker_plain_args) -q 1 -r -t drivr/v1/dead -m '{"uuid":"d","slug":"dead","name":"dead"}'
timeout 5 mosquitto_pub $(broker_plain_args) -q 1 -r -t drivr/v1/dead/systems/s1 -m '{"uuid":"s1","name":"one"}'

"$CONSOLE" $(broker_plain_args) -s dead --log --keepalive 4 >"$IT_TMP/v4.ndjson" 2>"$IT_TMP/v4.err" &
V4=$!
it_track "$V4"
"$CONSOLE" $(broker_plain_args) -V 5 -s dead --log --keepalive 2 >"$IT_TMP/v5.ndjson" 2>"$IT_TMP/v5.err" &
V5=$!
it_track "$V5"
it_check "3.1.1 console connects and loads" wait_for "$IT_TMP/v4.ndjson" '"event":"loaded"' 10
it_check "5 console connects and loads" wait_for "$IT_TMP/v5.ndjson" '"event":"loaded"' 10

# Quiet but alive: 3 s without a message is 1.5 keep-alives of the MQTT 5
# console (its probes are answered) and more than half of the 3.1.1 one's.
# The time is what is tested here (the watchdog's deadline passes with
# answers), so it is a fixed span, not a wait for an event.
sleep 3
it_check "a quiet broker that answers is not taken for dead" \
	bash -c "! grep -q connection_lost '$IT_TMP/v4.ndjson' '$IT_TMP/v5.ndjson'"

kill -STOP "$BROKER_PID"
t0=$(date +%s.%N)
wait_for "$IT_TMP/v5.ndjson" '"event":"connection_lost"' 5
t5=$(date +%s.%N)
wait_for "$IT_TMP/v4.ndjson" '"event":"connection_lost"' 8
t4=$(date +%s.%N)
d4=$(python3 -c "print(round($t4 - $t0, 2))")
d5=$(python3 -c "print(round($t5 - $t0, 2))")
echo "# connection_lost after the broker stopped: 3.1.1 keep-alive 4 s: $d4 s; 5 keep-alive 2 s: $d5 s"
# 1.5 keep-alives, plus 0.5 s for a loaded machine (the watchdog's worst
# case is one keep-alive and two ticks; Paho alone takes 2–2.7).
it_check "3.1.1, --keepalive 4: connection_lost within 6.5 s ($d4 s)" \
	python3 -c "import sys; sys.exit(0 if $d4 <= 6.5 and open('$IT_TMP/v4.ndjson').read().count('connection_lost') else 1)"
it_check "5, --keepalive 2: connection_lost within 3.5 s ($d5 s)" \
	python3 -c "import sys; sys.exit(0 if $d5 <= 3.5 and open('$IT_TMP/v5.ndjson').read().count('connection_lost') else 1)"
it_check "the reason names the silence and the keep-alive" \
	grep -q 'no answer from the broker for [0-9.]* s (keep-alive 4 s)' "$IT_TMP/v4.ndjson"

kill -CONT "$BROKER_PID"
it_check "3.1.1: reconnected once the broker answers again" \
	wait_for "$IT_TMP/v4.ndjson" '"event":"connected","reconnect":true' 15
it_check "5: reconnected once the broker answers again" \
	wait_for "$IT_TMP/v5.ndjson" '"event":"connected","reconnect":true' 15
loaded_twice() { [ "$(grep -c '"event":"loaded"' "$1")" -ge 2 ]; }
it_check "... and loaded again" wait_until 5 loaded_twice "$IT_TMP/v4.ndjson"
it_check "one connection_lost each (the watchdog's, not Paho's as well)" bash -c \
	"[ \$(grep -c connection_lost '$IT_TMP/v4.ndjson') -eq 1 ] && [ \$(grep -c connection_lost '$IT_TMP/v5.ndjson') -eq 1 ]"

kill -TERM "$V4" "$V5"
it_check "3.1.1 console ends cleanly on TERM" bash -c "timeout 10 tail --pid=$V4 -f /dev/null"
it_check "5 console ends cleanly on TERM" bash -c "timeout 10 tail --pid=$V5 -f /dev/null"
it_check "nothing unexpected on stderr" bash -c "! grep -v '^drivr-console: interrupted' '$IT_TMP/v4.err' '$IT_TMP/v5.err' | grep -q ."

it_summary
