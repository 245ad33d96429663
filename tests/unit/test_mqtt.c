/* Unit tests: what the mqtt client decides without a broker — the server URI
 * from options, the options it refuses, and its Paho helpers (mqtt_paho.h):
 * the 3.1.1 and MQTT 5 answers read alike, the words of a failed connection.
 * The status model has its own tests (test_mqtt_status.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "mqtt.h"
#include "mqtt_paho.h"

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

/* Paho's four callback shapes become one answer (mqtt_paho.h): the SUBACK
 * codes, refusals and connect failures read the same under 3.1.1 and 5. */
static void test_paho_answers(void **state)
{
	(void)state;
	struct paho_answer a;

	/* 3.1.1, one filter: the granted QoS, or 0x80 as a "success". */
	MQTTAsync_successData ok3;
	memset(&ok3, 0, sizeof(ok3));
	ok3.alt.qos = 1;
	paho_answer_success(&a, &ok3);
	assert_int_equal(paho_suback(&a, 0, 1), 1);
	ok3.alt.qos = 0x80;
	assert_int_equal(paho_suback(&a, 0, 1), 0x80);
	/* several filters: qosList */
	int list[] = { 0, 0x80, 2 };
	ok3.alt.qosList = list;
	assert_int_equal(paho_suback(&a, 1, 3), 0x80);
	assert_int_equal(paho_suback(&a, 2, 3), 2);
	assert_false(paho_refused(&a, NULL));

	/* 3.1.1 failure: MQTT_BAD_SUBSCRIBE is the broker's refusal; any other
	 * code is not an answer from the broker. */
	MQTTAsync_failureData fail3;
	memset(&fail3, 0, sizeof(fail3));
	fail3.code = MQTT_BAD_SUBSCRIBE;
	paho_answer_failure(&a, &fail3);
	int code = 0;
	assert_true(paho_refused(&a, &code));
	assert_int_equal(code, 0x80);
	assert_int_equal(paho_suback(&a, 2, 3), 0x80);
	fail3.code = MQTTASYNC_DISCONNECTED;
	paho_answer_failure(&a, &fail3);
	assert_false(paho_refused(&a, NULL));
	assert_int_equal(paho_connect_code(&a), MQTTASYNC_DISCONNECTED);
	assert_non_null(paho_failure_text(&a));
	fail3.message = "TCP/TLS connect failure";
	paho_answer_failure(&a, &fail3);
	assert_string_equal(paho_failure_text(&a), "TCP/TLS connect failure");

	/* MQTT 5, one filter: reasonCode; several: reasonCodes. */
	MQTTAsync_successData5 ok5 = MQTTAsync_successData5_initializer;
	ok5.reasonCode = MQTTREASONCODE_NOT_AUTHORIZED;
	paho_answer_success5(&a, &ok5);
	assert_int_equal(paho_suback(&a, 0, 1), 0x87);
	/* a PUBACK with a failure reason is a refusal, though a "success" */
	assert_true(paho_refused(&a, &code));
	assert_int_equal(code, 0x87);
	enum MQTTReasonCodes codes[] = { MQTTREASONCODE_GRANTED_QOS_1, MQTTREASONCODE_QUOTA_EXCEEDED };
	ok5.reasonCode = MQTTREASONCODE_SUCCESS;
	ok5.alt.sub.reasonCodes = codes;
	ok5.alt.sub.reasonCodeCount = 2;
	paho_answer_success5(&a, &ok5);
	assert_int_equal(paho_suback(&a, 0, 2), 1);
	assert_int_equal(paho_suback(&a, 1, 2), 0x97);
	/* fewer codes than filters: the rest counts as refused */
	assert_int_equal(paho_suback(&a, 2, 3), 0x80);

	/* MQTT 5 connect failure: the broker's reason, or a 3.1.1 CONNACK
	 * (Aedes), wins over Paho's code. */
	MQTTAsync_failureData5 fail5 = MQTTAsync_failureData5_initializer;
	fail5.code = MQTTASYNC_FAILURE;
	fail5.reasonCode = MQTTREASONCODE_BAD_USER_NAME_OR_PASSWORD;
	paho_answer_failure5(&a, &fail5);
	assert_int_equal(paho_connect_code(&a), 0x86);
	fail5.reasonCode = (enum MQTTReasonCodes)5;
	paho_answer_failure5(&a, &fail5);
	assert_int_equal(paho_connect_code(&a), 5);
	fail5.reasonCode = MQTTREASONCODE_SUCCESS;
	paho_answer_failure5(&a, &fail5);
	assert_int_equal(paho_connect_code(&a), MQTTASYNC_FAILURE);

	/* No data at all (Paho may pass NULL). */
	paho_answer_success(&a, NULL);
	assert_int_equal(paho_suback(&a, 0, 1), 0x80);
	paho_answer_failure5(&a, NULL);
	assert_int_equal(paho_connect_code(&a), MQTTASYNC_FAILURE);
}

static void test_connect_failure_words(void **state)
{
	(void)state;
	char buf[512];
	struct paho_endpoint v3 = { "broker:1883", 4, false, 10 };
	struct paho_endpoint v5tls = { "broker:8883", 5, true, 10 };

	paho_describe_connect_failure(&v3, 5, NULL, buf, sizeof(buf));
	assert_string_equal(buf, "broker broker:1883 refused the connection: not authorized");
	paho_describe_connect_failure(&v5tls, 0x86, NULL, buf, sizeof(buf));
	assert_non_null(strstr(buf, "refused the connection: Bad User Name or Password"));
	paho_describe_connect_failure(&v5tls, 1, NULL, buf, sizeof(buf));
	assert_non_null(strstr(buf, "does not speak MQTT 5"));
	paho_describe_connect_failure(&v3, MQTTASYNC_FAILURE, "TCP/TLS connect failure", buf,
				      sizeof(buf));
	assert_string_equal(buf, "cannot connect to broker:1883 (connection refused, host unreachable)");
	paho_describe_connect_failure(&v5tls, MQTTASYNC_FAILURE, "TCP/TLS connect failure", buf,
				      sizeof(buf));
	assert_non_null(strstr(buf, "or the TLS handshake failed"));
	paho_describe_connect_failure(&v3, MQTTASYNC_FAILURE, "completion failure", buf, sizeof(buf));
	assert_non_null(strstr(buf, "closed the connection before answering (a TLS port?"));
	paho_describe_connect_failure(&v3, MQTTASYNC_FAILURE, "connect timeout", buf, sizeof(buf));
	assert_string_equal(buf, "no answer from broker:1883 within 10 s");

	paho_reason_code_text(MQTTREASONCODE_PACKET_TOO_LARGE, buf, sizeof(buf));
	assert_string_equal(buf, "packet too large (0x95)");
}

static void test_names(void **state)
{
	(void)state;
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
		cmocka_unit_test(test_paho_answers),
		cmocka_unit_test(test_connect_failure_words),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_options_validated),
	};
	return cmocka_run_group_tests_name("mqtt", tests, NULL, NULL);
}
