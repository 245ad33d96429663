/* mqtt_status — see include/mqtt_status.h. */
#include "mqtt_status.h"

#include <stdio.h>
#include <string.h>

const char *mqtt_state_name(enum mqtt_state state)
{
	static const char *const names[] = {
#define X(id, name) [MQTT_STATE_##id] = name,
		MQTT_STATE_LIST(X)
#undef X
	};
	return (unsigned)state < MQTT_STATE_COUNT ? names[state] : "unknown";
}

void mqtt_status_init(struct mqtt_status *status)
{
	memset(status, 0, sizeof(*status));
	status->state = MQTT_STATE_IDLE;
}

static void set_reason(struct mqtt_status *s, const char *reason)
{
	snprintf(s->reason, sizeof(s->reason), "%s", reason ? reason : "");
}

static bool status_equal(const struct mqtt_status *a, const struct mqtt_status *b)
{
	return a->state == b->state && strcmp(a->reason, b->reason) == 0 && a->since == b->since &&
	       a->attempt == b->attempt && a->next_retry_at == b->next_retry_at &&
	       a->subscribed == b->subscribed && a->fallback == b->fallback &&
	       a->connections == b->connections;
}

/* A new attempt or connection: nothing of the previous one holds. */
static void start_over(struct mqtt_status *s)
{
	set_reason(s, NULL);
	s->attempt = 0;
	s->next_retry_at = 0;
	s->subscribed = s->fallback = false;
}

bool mqtt_status_apply(struct mqtt_status *s, const struct inbox_item *item)
{
	struct mqtt_status before = *s;
	enum mqtt_state next = s->state;

	switch (item->kind) {
	case INBOX_CONNECTING:
		next = MQTT_STATE_CONNECTING;
		start_over(s);
		break;
	case INBOX_CONNECTED:
		next = MQTT_STATE_CONNECTED;
		start_over(s);
		s->connections++;
		break;
	case INBOX_CONNECT_FAILED:
	case INBOX_CONNECTION_LOST:
		next = item->kind == INBOX_CONNECT_FAILED ? MQTT_STATE_FAILED : MQTT_STATE_LOST;
		set_reason(s, item->u.failure.reason);
		s->next_retry_at = item->u.failure.retry_in_s > 0
					   ? item->time + item->u.failure.retry_in_s
					   : 0;
		s->subscribed = s->fallback = false;
		break;
	case INBOX_RECONNECTING:
		next = MQTT_STATE_RECONNECTING;
		s->attempt = item->u.reconnecting.attempt;
		if (item->u.reconnecting.last_error)
			set_reason(s, item->u.reconnecting.last_error);
		/* Counted from now: the attempt itself takes up to the connect
		 * time-out, so this is a lower bound. */
		s->next_retry_at = item->time + item->u.reconnecting.next_delay_s;
		break;
	case INBOX_SUBSCRIBED:
		/* count 0: the client subscribes to nothing (no_subscribe) and
		 * is ready as soon as it is connected. */
		if (item->u.subscribed.batch) {
			/* Staged: subscribed from the first batch granted on. */
			s->subscribed |= item->u.subscribed.granted > 0 && !item->u.subscribed.error;
			break;
		}
		s->subscribed = (item->u.subscribed.granted > 0 || item->u.subscribed.count == 0) &&
				!item->u.subscribed.error;
		s->fallback = item->u.subscribed.fallback;
		break;
	case INBOX_DISCONNECTED:
		next = MQTT_STATE_DISCONNECTED;
		s->next_retry_at = 0;
		s->subscribed = s->fallback = false;
		break;
	case INBOX_MESSAGE:
	case INBOX_DELIVERED:
	case INBOX_PUBLISH_FAILED:
	case INBOX_KIND_COUNT:
		return false;
	}
	if (next != s->state) {
		s->state = next;
		s->since = item->time;
	}
	return !status_equal(&before, s);
}

void mqtt_status_format(const struct mqtt_status *s, double now, char *buf, size_t size)
{
	long in = 0;
	if (s->next_retry_at > 0) {
		double d = s->next_retry_at - now;
		in = d > 0 ? (long)(d + 0.999) : 0;
	}
	const char *reason = s->reason[0] ? s->reason : "no reason given";

	switch (s->state) {
	case MQTT_STATE_CONNECTED:
		snprintf(buf, size, "connected%s", !s->subscribed ? ", subscribing"
					: s->fallback ? " (fallback subscriptions)" : "");
		break;
	case MQTT_STATE_FAILED:
	case MQTT_STATE_LOST:
		if (s->next_retry_at > 0)
			snprintf(buf, size, "%s: %s; reconnecting in %ld s", mqtt_state_name(s->state),
				 reason, in);
		else
			snprintf(buf, size, "%s: %s", mqtt_state_name(s->state), reason);
		break;
	case MQTT_STATE_RECONNECTING:
		if (s->reason[0])
			snprintf(buf, size, "reconnecting (attempt %u, last: %s)", s->attempt, s->reason);
		else
			snprintf(buf, size, "reconnecting (attempt %u)", s->attempt);
		break;
	case MQTT_STATE_IDLE:
	case MQTT_STATE_CONNECTING:
	case MQTT_STATE_DISCONNECTED:
	case MQTT_STATE_COUNT:
		snprintf(buf, size, "%s", mqtt_state_name(s->state));
		break;
	}
}

int mqtt_backoff_s(int min_s, int max_s, unsigned attempt)
{
	long delay = min_s;
	for (unsigned i = 0; i < attempt && delay < max_s; i++)
		delay *= 2;
	return (int)(delay < max_s ? delay : max_s);
}

enum mqtt_watchdog_verdict mqtt_watchdog_check(long long now_ms, long long rx_ms,
					       long long probe_ms, int keepalive_s)
{
	long long half = keepalive_s * 500LL;
	if (!probe_ms)
		return now_ms - rx_ms >= half ? MQTT_WATCHDOG_PROBE : MQTT_WATCHDOG_WAIT;
	/* A packet after the probe went out answers it too. */
	long long since = probe_ms > rx_ms ? probe_ms : rx_ms;
	return now_ms - since >= half ? MQTT_WATCHDOG_DROP : MQTT_WATCHDOG_WAIT;
}

long mqtt_watchdog_tick_ms(int keepalive_s)
{
	long tick = keepalive_s * 1000L / 16;
	return tick < 50 ? 50 : tick > 1000 ? 1000 : tick;
}

bool mqtt_within_refusal_window(long long now_ms, long long then_ms)
{
	return then_ms > 0 && now_ms - then_ms <= MQTT_REFUSAL_WINDOW_MS;
}
