#!/usr/bin/env bash
# tmux test of the chart view against a live series: drivr-sim streams
# datapoints into a real mosquitto, the console charts one series (g in the
# Datapoints view) and follows it — a sample arriving moves the newest time
# at the right end of the time axis and the legend's last value with it;
# Left pans (the window stops: "paused", new samples do not move it), f
# follows again, Esc goes back to the Datapoints view.
set -u
cd "$(dirname "$0")/../.."
. tests/integration/lib.sh

CONSOLE=$(pwd)/${BUILD:-build}/drivr-console
SIM=$(pwd)/${BUILD:-build}/drivr-sim
[ -x "$CONSOLE" ] || { echo "missing $CONSOLE (run make)"; exit 1; }
[ -x "$SIM" ] || { echo "missing $SIM (run make)"; exit 1; }
for tool in tmux mosquitto python3; do
	command -v "$tool" >/dev/null 2>&1 || { echo "test_chart: $tool is missing (make deps)" >&2; exit 1; }
done

broker_start || { echo "broker did not start"; exit 1; }
# a quiet world: only the datapoint stream (20/s over every characteristic:
# one series gets a sample every few seconds), the models' catalogue (the
# chart's unit) served over GraphQL, the reference's shapes only on MQTT
GQL_PORT=$(it_free_port)
echo "chart-test-user-token" >"$IT_TMP/user.token"
chmod 600 "$IT_TMP/user.token"
it_spawn sim "$SIM" -h 127.0.0.1 -p "$BROKER_PORT" -s demo --systems 2 --rate 20 --seed 7 \
	--event-interval 0 --change-interval 0 --setpoint-interval 0 \
	--graphql-port "$GQL_PORT" --user-token-file "$IT_TMP/user.token"
it_ok "data: drivr-sim (pid $IT_PID)"

cat >"$IT_TMP/pane.sh" <<SH
env TERM=xterm-256color LC_ALL=C.UTF-8 TZ=UTC "$CONSOLE" -h 127.0.0.1 -p $BROKER_PORT -s demo \
	--graphql-url "http://127.0.0.1:$GQL_PORT/graphql" --user-token-file "$IT_TMP/user.token" \
	--no-mouse 2>"$IT_TMP/console.err"
echo "CONSOLE-EXIT=\$?"
exec sleep 60
SH
it_tmux_open chart 120 40 "$IT_TMP/pane.sh" || { it_fail "tmux starts"; it_summary; exit 1; }

it_check "the console shows the systems" wait_screen '^Systems .* [1-9][0-9]* rows' 5
keys 3
keys / r e t u r n - t e m p e r a t u r e Enter
# the filter applied and the series there: drivr-sim sends each series a
# sample every few seconds, so right after the start the filter may match
# nothing yet ("0/49 rows") — g would then have nothing to chart
it_check "the datapoints view lists the series (the filter applied, 1 row)" \
	wait_screen ' 1/[0-9]+ rows? +/return-temperature' 10
keys g
if wait_screen '^Datapoints › return-temperature › Chart' 5; then
	it_ok "g opens the chart, following new samples"
else
	it_fail "g opens the chart, following new samples"
	screen | sed 's/^/    | /'
fi
it_check "the header says it follows" wait_screen 'following new samples' 3
it_check "the legend: last, min, max with the unit" wait_screen '^1 last [-0-9.]+ °C  min .* max .*return-temperature' 3

# The time axis ends with the newest sample's time (HH:MM:SS, UTC) and the
# legend names its value: both move when the next sample arrives.
newest() { screen | grep -E '^ +[0-2][0-9]:[0-5][0-9]:[0-5][0-9]' | grep -Eo '[0-2][0-9]:[0-5][0-9]:[0-5][0-9] *$' | tr -d ' '; }
legend() { screen | grep -E '^1 last '; }
before=$(newest)
legend_before=$(legend)
it_check "the time axis ends at the newest sample ($before)" test -n "$before"
moved() { [ -n "$(newest)" ] && [ "$(newest)" != "$before" ]; }
if wait_until 15 moved; then
	it_ok "a new sample moves the right end of the time axis ($before → $(newest))"
else
	it_fail "a new sample moves the right end of the time axis (still $before)"
	screen | sed 's/^/    /' | head -30
fi
# the legend follows the same sample: its last value is the newest one
legend_after=$(legend)
it_check "the legend shows the last value" grep -Eq '^1 last [-0-9.]+ °C' <<<"$legend_after"
echo "    legend: $legend_before"
echo "            $legend_after"

# Left: paused — a new sample arrives, the window stays.
keys Left
it_check "Left pans: the window stops following (paused)" wait_screen 'paused \(f follows\)' 3
paused_at=$(newest)
# several new samples of the series arrive meanwhile (one every few seconds)
sleep 8
it_check "while paused the window does not move ($paused_at)" test "$(newest)" = "$paused_at"
keys f
it_check "f follows again" wait_screen 'following new samples' 3
later() { [ -n "$(newest)" ] && [[ "$(newest)" > "$paused_at" ]]; }
it_check "following again: the newest sample is back at the right end" wait_until 3 later
keys Escape
it_check "Esc goes back to the datapoints" wait_screen '^Datapoints ' 3
keys q
it_check "q quits with 0" wait_screen 'CONSOLE-EXIT=0' 3
it_summary
