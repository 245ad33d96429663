/* Unit tests: mqtt_status — the connection status rebuilt from inbox events
 * and its one-line form, the reconnect back-off, the keep-alive watchdog's
 * verdicts and the publish refusal window.  No Paho, no broker: the events
 * are built here as the client would push them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "mqtt_status.h"

/* An event as the client pushes it, at wall time t. */
static struct inbox_item event(enum inbox_kind kind, double t)
{
	struct inbox_item item;
	memset(&item, 0, sizeof(item));
	item.kind = kind;
	item.time = t;
	return item;
}

static void test_status_follows_a_connection(void **state)
{
	(void)state;
	struct mqtt_status s;
	char line[512];
	mqtt_status_init(&s);
	assert_int_equal(s.state, MQTT_STATE_IDLE);
	mqtt_status_format(&s, 0, line, sizeof(line));
	assert_string_equal(line, "idle");

	struct inbox_item e = event(INBOX_CONNECTING, 1000.0);
	assert_true(mqtt_status_apply(&s, &e));
	assert_int_equal(s.state, MQTT_STATE_CONNECTING);
	assert_true(s.since == 1000.0);

	e = event(INBOX_CONNECTED, 1001.0);
	assert_true(mqtt_status_apply(&s, &e));
	assert_int_equal(s.state, MQTT_STATE_CONNECTED);
	assert_int_equal(s.connections, 1);
	assert_false(s.subscribed);
	mqtt_status_format(&s, 1001.0, line, sizeof(line));
	assert_string_equal(line, "connected, subscribing");

	/* The default round, refused and answered by the fallback filters. */
	e = event(INBOX_SUBSCRIBED, 1001.5);
	e.u.subscribed.fallback = true;
	e.u.subscribed.count = 4;
	e.u.subscribed.granted = 3;
	e.u.subscribed.refused = 1;
	assert_true(mqtt_status_apply(&s, &e));
	assert_true(s.subscribed);
	mqtt_status_format(&s, 1002.0, line, sizeof(line));
	assert_string_equal(line, "connected (fallback subscriptions)");
	/* The same event again changes nothing, and says so. */
	assert_false(mqtt_status_apply(&s, &e));

	/* Messages and publish outcomes are not the status's business. */
	e = event(INBOX_MESSAGE, 1003.0);
	assert_false(mqtt_status_apply(&s, &e));
	e = event(INBOX_PUBLISH_FAILED, 1003.0);
	assert_false(mqtt_status_apply(&s, &e));
	assert_true(s.since == 1001.0);
}

static void test_status_failure_and_reconnect(void **state)
{
	(void)state;
	struct mqtt_status s;
	char line[512];
	mqtt_status_init(&s);

	struct inbox_item e = event(INBOX_CONNECT_FAILED, 2000.0);
	e.u.failure.reason = "TLS: certificate verify failed: certificate has expired";
	e.u.failure.retry_in_s = 4;
	assert_true(mqtt_status_apply(&s, &e));
	assert_int_equal(s.state, MQTT_STATE_FAILED);
	assert_true(s.next_retry_at == 2004.0);
	/* The countdown rounds up: 2.5 s left is "in 3 s". */
	mqtt_status_format(&s, 2001.5, line, sizeof(line));
	assert_string_equal(line, "connect failed: TLS: certificate verify failed: certificate has "
				  "expired; reconnecting in 3 s");

	/* A reconnect attempt without a reason of its own keeps the last one. */
	e = event(INBOX_RECONNECTING, 2004.0);
	e.u.reconnecting.attempt = 1;
	e.u.reconnecting.next_delay_s = 2;
	assert_true(mqtt_status_apply(&s, &e));
	assert_int_equal(s.state, MQTT_STATE_RECONNECTING);
	assert_true(s.next_retry_at == 2006.0);
	mqtt_status_format(&s, 2004.0, line, sizeof(line));
	assert_string_equal(line, "reconnecting (attempt 1, last: TLS: certificate verify failed: "
				  "certificate has expired)");
	/* ... and one with a reason (a later probe's finding) replaces it. */
	e = event(INBOX_RECONNECTING, 2006.0);
	e.u.reconnecting.attempt = 2;
	e.u.reconnecting.last_error = "TLS: the broker requires a client certificate";
	mqtt_status_apply(&s, &e);
	assert_int_equal(s.attempt, 2);
	assert_string_equal(s.reason, "TLS: the broker requires a client certificate");

	/* Connected: the failure is forgotten. */
	e = event(INBOX_CONNECTED, 2007.0);
	mqtt_status_apply(&s, &e);
	assert_string_equal(s.reason, "");
	assert_int_equal(s.attempt, 0);
	assert_true(s.next_retry_at == 0);

	/* A loss without a retry time says no countdown. */
	e = event(INBOX_CONNECTION_LOST, 2010.0);
	e.u.failure.reason = "socket error";
	mqtt_status_apply(&s, &e);
	mqtt_status_format(&s, 2010.0, line, sizeof(line));
	assert_string_equal(line, "connection lost: socket error");
	assert_false(s.subscribed);

	/* A failure without words still says something. */
	e = event(INBOX_CONNECT_FAILED, 2011.0);
	e.u.failure.reason = NULL;
	mqtt_status_apply(&s, &e);
	mqtt_status_format(&s, 2011.0, line, sizeof(line));
	assert_string_equal(line, "connect failed: no reason given");

	e = event(INBOX_DISCONNECTED, 2012.0);
	mqtt_status_apply(&s, &e);
	assert_int_equal(s.state, MQTT_STATE_DISCONNECTED);
	assert_true(s.next_retry_at == 0);
}

static void test_status_staged_and_empty_rounds(void **state)
{
	(void)state;
	struct mqtt_status s;
	mqtt_status_init(&s);
	struct inbox_item e = event(INBOX_CONNECTED, 1.0);
	mqtt_status_apply(&s, &e);

	/* A staged batch all refused is not "subscribed"; the next granted one is. */
	e = event(INBOX_SUBSCRIBED, 2.0);
	e.u.subscribed.batch = 1;
	e.u.subscribed.count = 2;
	e.u.subscribed.refused = 2;
	mqtt_status_apply(&s, &e);
	assert_false(s.subscribed);
	e.u.subscribed.batch = 2;
	e.u.subscribed.refused = 0;
	e.u.subscribed.granted = 2;
	mqtt_status_apply(&s, &e);
	assert_true(s.subscribed);
	/* A later failed batch does not take it back. */
	e.u.subscribed.batch = 3;
	e.u.subscribed.error = "subscribe not sent";
	e.u.subscribed.granted = 0;
	mqtt_status_apply(&s, &e);
	assert_true(s.subscribed);

	/* no_subscribe: an empty round means ready. */
	mqtt_status_init(&s);
	e = event(INBOX_CONNECTED, 1.0);
	mqtt_status_apply(&s, &e);
	e = event(INBOX_SUBSCRIBED, 1.0);
	mqtt_status_apply(&s, &e);
	assert_true(s.subscribed);
	/* A failed default round is not. */
	e.u.subscribed.count = 1;
	e.u.subscribed.error = "subscription to drivr/v1/adam/# failed: timeout";
	mqtt_status_apply(&s, &e);
	assert_false(s.subscribed);
}

static void test_state_names(void **state)
{
	(void)state;
	assert_string_equal(mqtt_state_name(MQTT_STATE_LOST), "connection lost");
	assert_string_equal(mqtt_state_name(MQTT_STATE_FAILED), "connect failed");
	assert_string_equal(mqtt_state_name(MQTT_STATE_COUNT), "unknown");
}

static void test_backoff(void **state)
{
	(void)state;
	/* Doubling from the minimum, capped at the maximum. */
	assert_int_equal(mqtt_backoff_s(1, 30, 0), 1);
	assert_int_equal(mqtt_backoff_s(1, 30, 1), 2);
	assert_int_equal(mqtt_backoff_s(1, 30, 3), 8);
	assert_int_equal(mqtt_backoff_s(1, 30, 4), 16);
	assert_int_equal(mqtt_backoff_s(1, 30, 5), 30);
	assert_int_equal(mqtt_backoff_s(1, 30, 4000000000u), 30);
	assert_int_equal(mqtt_backoff_s(5, 5, 3), 5);
}

static void test_watchdog(void **state)
{
	(void)state;
	/* Keep-alive 10 s: a probe after 5 s of silence, ... */
	assert_int_equal(mqtt_watchdog_check(4999, 0, 0, 10), MQTT_WATCHDOG_WAIT);
	assert_int_equal(mqtt_watchdog_check(5000, 0, 0, 10), MQTT_WATCHDOG_PROBE);
	/* ... the drop 5 s after the probe without a packet, ... */
	assert_int_equal(mqtt_watchdog_check(9999, 0, 5000, 10), MQTT_WATCHDOG_WAIT);
	assert_int_equal(mqtt_watchdog_check(10000, 0, 5000, 10), MQTT_WATCHDOG_DROP);
	/* ... and a packet after the probe counts as its answer. */
	assert_int_equal(mqtt_watchdog_check(10000, 7000, 5000, 10), MQTT_WATCHDOG_WAIT);
	assert_int_equal(mqtt_watchdog_check(12000, 7000, 5000, 10), MQTT_WATCHDOG_DROP);

	assert_int_equal(mqtt_watchdog_tick_ms(30), 1000);
	assert_int_equal(mqtt_watchdog_tick_ms(8), 500);
	assert_int_equal(mqtt_watchdog_tick_ms(0), 50);
}

static void test_refusal_window(void **state)
{
	(void)state;
	assert_true(mqtt_within_refusal_window(10000, 8000));
	assert_false(mqtt_within_refusal_window(10001, 8000));
	/* Never published: nothing can have been refused. */
	assert_false(mqtt_within_refusal_window(1000, 0));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_status_follows_a_connection),
		cmocka_unit_test(test_status_failure_and_reconnect),
		cmocka_unit_test(test_status_staged_and_empty_rounds),
		cmocka_unit_test(test_state_names),
		cmocka_unit_test(test_backoff),
		cmocka_unit_test(test_watchdog),
		cmocka_unit_test(test_refusal_window),
	};
	return cmocka_run_group_tests_name("mqtt_status", tests, NULL, NULL);
}
