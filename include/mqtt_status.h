/* mqtt_status — the connection as the main loop knows it, and the client's
 * timing rules, without Paho.
 *
 * The status is rebuilt from the inbox events of the client (mqtt.h) in
 * order, so it always agrees with the messages already processed.  The
 * rest is the bookkeeping the client does on Paho's behalf and that tests
 * can check without a broker: the automatic reconnect's back-off, the
 * keep-alive watchdog's verdict, and the window in which a closed
 * connection counts as the broker refusing a publish.  Pure: no I/O, no
 * globals, no clock of its own (every time is a parameter). */
#ifndef DRIVR_MQTT_STATUS_H
#define DRIVR_MQTT_STATUS_H

#include <stdbool.h>
#include <stddef.h>

#include "inbox.h"

/* Connection states, in the order a connection usually goes through them. */
#define MQTT_STATE_LIST(X)             \
	X(IDLE, "idle")                \
	X(CONNECTING, "connecting")    \
	X(CONNECTED, "connected")      \
	X(FAILED, "connect failed")    \
	X(LOST, "connection lost")     \
	X(RECONNECTING, "reconnecting") \
	X(DISCONNECTED, "disconnected")

enum mqtt_state {
#define X(id, name) MQTT_STATE_##id,
	MQTT_STATE_LIST(X)
#undef X
	MQTT_STATE_COUNT
};

const char *mqtt_state_name(enum mqtt_state state);

struct mqtt_status {
	enum mqtt_state state;
	char reason[256];     /* FAILED / LOST / RECONNECTING: the last failure */
	double since;         /* wall clock of the last state change */
	unsigned attempt;     /* RECONNECTING: attempts since the loss */
	double next_retry_at; /* FAILED / LOST / RECONNECTING: when Paho tries next (estimate, 0: never) */
	bool subscribed;      /* a subscription round succeeded on this connection */
	bool fallback;        /* ... with the fallback filters */
	unsigned connections; /* successful connections so far */
};

void mqtt_status_init(struct mqtt_status *status);
/* Applies one inbox item (messages and delivery events change nothing).
 * Returns true when the status changed. */
bool mqtt_status_apply(struct mqtt_status *status, const struct inbox_item *item);
/* One line for a status bar or a log: "connected", "connection lost: ...,
 * reconnecting in 4 s", "reconnecting (attempt 3)". now: wall clock. */
void mqtt_status_format(const struct mqtt_status *status, double now, char *buf, size_t size);

/* Paho's automatic reconnect waits min_s before the first attempt and
 * doubles the wait per failed attempt up to max_s (its ±20 % jitter aside):
 * the nominal wait after attempt `attempt` (1, 2, ...) fails. */
int mqtt_backoff_s(int min_s, int max_s, unsigned attempt);

/* The keep-alive watchdog's verdict for one tick (times in monotonic ms):
 * rx_ms is the last packet from the broker, probe_ms when the unanswered
 * probe went out (0: none out).  After keepalive_s / 2 without a packet a
 * probe goes out; after another half without one the connection is
 * dropped. */
enum mqtt_watchdog_verdict {
	MQTT_WATCHDOG_WAIT,  /* the broker answered recently enough */
	MQTT_WATCHDOG_PROBE, /* send the probe (an UNSUBSCRIBE the broker must answer) */
	MQTT_WATCHDOG_DROP,  /* no answer to the probe: report lost, reconnect */
};
enum mqtt_watchdog_verdict mqtt_watchdog_check(long long now_ms, long long rx_ms,
					       long long probe_ms, int keepalive_s);
/* How often the watchdog looks: keepalive_s / 16, within 50 ms .. 1 s. */
long mqtt_watchdog_tick_ms(int keepalive_s);

/* A tracked publish that Paho discards because the connection closed within
 * this long after it went out counts as refused by the broker: mosquitto
 * closes the connection on a packet above its max_packet_size, and MQTT
 * 3.1.1 has no other way to say no.  A broker that merely went away in that
 * very moment would be taken for a refusal too; the message says "(too
 * large? not authorised?)" for that reason. */
#define MQTT_REFUSAL_WINDOW_MS 2000
/* Whether something at then_ms (monotonic) is within the window at now_ms. */
bool mqtt_within_refusal_window(long long now_ms, long long then_ms);

#endif
