/* Unit tests: the pure parts of the mqtt module — the server URI from options, the
 * connection status rebuilt from inbox events, and its one-line form. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "mqtt.h"

/* The URI given to Paho, from a URL or from host + port (include/url.h
 * parses both; these check that mqtt_new uses it). */
static void expect_uri(const char *url, const char *host, int port, const char *want)
{
	struct mqtt_options o;
	enum mqtt_error e;
	char err[256] = "";
	mqtt_options_default(&o);
	o.slug = "adam";
	o.url = url;
	if (host)
		o.host = host;
	o.port = port;
	struct mqtt *m = mqtt_new(&o, &e, err, sizeof(err));
	if (!m)
		fail_msg("url %s host %s: %s", url ? url : "-", host ? host : "-", err);
	assert_string_equal(mqtt_server_uri(m), want);
	mqtt_free(m);
}

static void test_server_uri(void **state)
{
	(void)state;
	expect_uri("mqtt://[::1]:1884", NULL, 0, "tcp://[::1]:1884");
	expect_uri("MQTTS://mqtt.drivr.cloud", NULL, 0, "ssl://mqtt.drivr.cloud:8883");
	expect_uri("mqtt://broker/drivr/v1/", NULL, 18830, "tcp://broker:18830");
	expect_uri("tcp://broker:1885", NULL, 18830, "tcp://broker:1885");
	expect_uri(NULL, "[::1]", 1884, "tcp://[::1]:1884");
	expect_uri(NULL, "::1", 0, "tcp://[::1]:1883");
	expect_uri(NULL, NULL, 0, "tcp://localhost:1883");

	struct mqtt_options o;
	enum mqtt_error e;
	char err[256];
	mqtt_options_default(&o);
	o.slug = "adam";
	o.url = "http://x";
	assert_null(mqtt_new(&o, &e, err, sizeof(err)));
	assert_int_equal(e, MQTT_ERR_URL);
	assert_non_null(strstr(err, "URL \"http://x\": scheme \"http\""));
	o.url = "mqtt://x:99999";
	assert_null(mqtt_new(&o, &e, err, sizeof(err)));
	assert_int_equal(e, MQTT_ERR_URL);
	o.url = NULL;
	o.host = "bad host";
	assert_null(mqtt_new(&o, &e, err, sizeof(err)));
	assert_int_equal(e, MQTT_ERR_INVALID);
	assert_non_null(strstr(err, "host \"bad host\""));
}

static struct inbox_item *event(enum inbox_kind kind)
{
	struct inbox_item *item = inbox_event_new(kind);
	item->time = 1000.0;
	return item;
}

static void test_status_follows_events(void **state)
{
	(void)state;
	struct mqtt_status s;
	char line[512];
	mqtt_status_init(&s);
	assert_int_equal(s.state, MQTT_STATE_IDLE);

	struct inbox_item *e = event(INBOX_CONNECTING);
	assert_true(mqtt_status_apply(&s, e));
	assert_int_equal(s.state, MQTT_STATE_CONNECTING);
	inbox_item_free(e);

	e = event(INBOX_CONNECTED);
	mqtt_status_apply(&s, e);
	inbox_item_free(e);
	assert_int_equal(s.state, MQTT_STATE_CONNECTED);
	assert_false(s.subscribed);
	mqtt_status_format(&s, 1000.0, line, sizeof(line));
	assert_string_equal(line, "connected, subscribing");

	e = event(INBOX_SUBSCRIBED);
	e->u.subscribed.fallback = true;
	e->u.subscribed.granted = 3;
	mqtt_status_apply(&s, e);
	inbox_item_free(e);
	assert_true(s.subscribed);
	mqtt_status_format(&s, 1000.0, line, sizeof(line));
	assert_string_equal(line, "connected (fallback subscriptions)");
	assert_int_equal(s.connections, 1);

	e = event(INBOX_CONNECTION_LOST);
	e->u.failure.reason = strdup("socket error");
	mqtt_status_apply(&s, e);
	inbox_item_free(e);
	assert_int_equal(s.state, MQTT_STATE_LOST);
	assert_false(s.subscribed);
	mqtt_status_format(&s, 1000.0, line, sizeof(line));
	assert_non_null(strstr(line, "connection lost: socket error"));

	e = event(INBOX_RECONNECTING);
	e->u.reconnecting.attempt = 3;
	mqtt_status_apply(&s, e);
	inbox_item_free(e);
	assert_int_equal(s.state, MQTT_STATE_RECONNECTING);
	mqtt_status_format(&s, 1000.0, line, sizeof(line));
	assert_non_null(strstr(line, "attempt 3"));

	/* A message changes nothing. */
	e = event(INBOX_DELIVERED);
	assert_false(mqtt_status_apply(&s, e));
	inbox_item_free(e);
}

static void test_names(void **state)
{
	(void)state;
	assert_string_equal(mqtt_state_name(MQTT_STATE_LOST), "connection lost");
	assert_string_equal(mqtt_strerror(MQTT_ERR_KEY_PASSWORD),
			    "wrong or missing passphrase for the private key");
	assert_string_equal(inbox_kind_name(INBOX_CONNECTION_LOST), "connection_lost");
}

static void test_options_validated(void **state)
{
	(void)state;
	struct mqtt_options o;
	enum mqtt_error e;
	char err[256];
	mqtt_options_default(&o);
	o.host = "127.0.0.1";
	/* No slug: nothing to subscribe to. */
	struct mqtt *m = mqtt_new(&o, &e, err, sizeof(err));
	assert_null(m);
	assert_int_equal(e, MQTT_ERR_INVALID);
	/* A will on a DRIVR topic would mark real equipment as gone. */
	o.slug = "adam";
	o.will_topic = "drivr/v1/adam/input/system/x/json";
	m = mqtt_new(&o, &e, err, sizeof(err));
	assert_null(m);
	assert_non_null(strstr(err, "drivr/"));
	o.will_topic = NULL;
	m = mqtt_new(&o, &e, err, sizeof(err));
	assert_non_null(m);
	assert_string_equal(mqtt_filter(m), "drivr/v1/adam/#");
	assert_non_null(strstr(mqtt_client_id(m), "drivr-console-"));
	assert_string_equal(mqtt_server_uri(m), "tcp://127.0.0.1:1883");
	/* Publishing before connect+subscribe is refused, never queued blindly. */
	assert_int_equal(mqtt_publish(m, "t", "x", 1, false, NULL, err, sizeof(err)), MQTT_ERR_NOT_READY);
	mqtt_free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_server_uri),
		cmocka_unit_test(test_status_follows_events),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_options_validated),
	};
	return cmocka_run_group_tests_name("mqtt", tests, NULL, NULL);
}
