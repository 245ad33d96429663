/* Unit tests: url — every accepted broker URL form, every refusal with its
 * message, --host values alone, and the URI handed to Paho. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "url.h"
#include "util.h"

static void expect_url(const char *text, bool tls, const char *host, int port)
{
	struct broker_url u;
	char err[512] = "";
	if (!url_parse(text, &u, err, sizeof(err)))
		fail_msg("%s: refused: %s", text, err);
	if (u.tls != tls || strcmp(u.host, host) != 0 || u.port != port)
		fail_msg("%s: got tls=%d host=%s port=%d", text, u.tls, u.host, u.port);
}

/* Refused, and the message holds every one of the given pieces. */
static void expect_refused(const char *text, const char *piece1, const char *piece2)
{
	struct broker_url u;
	char err[512] = "";
	if (url_parse(text, &u, err, sizeof(err)))
		fail_msg("%s: accepted as host=%s port=%d", text, u.host, u.port);
	if (!strstr(err, piece1) || (piece2 && !strstr(err, piece2)))
		fail_msg("%s: message \"%s\" lacks \"%s\"%s%s", text, err, piece1, piece2 ? " or " : "",
			 piece2 ? piece2 : "");
	assert_string_equal(u.host, ""); /* nothing half-filled */
}

static void test_schemes(void **state)
{
	(void)state;
	expect_url("mqtt://broker.example", false, "broker.example", 0);
	expect_url("tcp://broker.example:1883", false, "broker.example", 1883);
	expect_url("mqtts://mqtt.drivr.cloud:8883", true, "mqtt.drivr.cloud", 8883);
	expect_url("ssl://mqtt.drivr.cloud", true, "mqtt.drivr.cloud", 0);
	expect_url("MQTTS://mqtt.drivr.cloud:8883", true, "mqtt.drivr.cloud", 8883);
	expect_url("Mqtt://localhost", false, "localhost", 0);
	expect_url("SSL://localhost:1", true, "localhost", 1);
	expect_url("TCP://localhost:65535", false, "localhost", 65535);
	/* every scheme with IPv6 and the reference's path */
	expect_url("mqtt://[::1]:1883/drivr/v1/", false, "::1", 1883);
	expect_url("tcp://[::1]/", false, "::1", 0);
	expect_url("mqtts://[::1]:8883/drivr/v1", true, "::1", 8883);
	expect_url("ssl://[2001:db8::42]:8883/drivr/v1/", true, "2001:db8::42", 8883);
}

static void test_hosts(void **state)
{
	(void)state;
	expect_url("mqtt://127.0.0.1:18830", false, "127.0.0.1", 18830);
	expect_url("mqtt://my_host-1.lab.local", false, "my_host-1.lab.local", 0);
	expect_url("mqtt://[::1]:1883", false, "::1", 1883);
	expect_url("mqtts://[::1]", true, "::1", 0);
	expect_url("mqtt://[2001:db8::42]:1884/", false, "2001:db8::42", 1884);
	expect_url("mqtt://[::ffff:127.0.0.1]:1883", false, "::ffff:127.0.0.1", 1883);
	/* Zones: RFC 6874 writes the '%' as %25; the bare form is accepted too. */
	expect_url("mqtt://[fe80::1%25eth0]:1883", false, "fe80::1%eth0", 1883);
	expect_url("mqtt://[fe80::1%eth0]:1883", false, "fe80::1%eth0", 1883);
}

static void test_paths(void **state)
{
	(void)state;
	expect_url("mqtt://localhost/", false, "localhost", 0);
	expect_url("mqtt://localhost:1883/", false, "localhost", 1883);
	/* The DRIVR 1.0.0 reference writes mqtt://mqtt.drivr.cloud:{port}/drivr/v1/ */
	expect_url("mqtt://mqtt.drivr.cloud:1883/drivr/v1/", false, "mqtt.drivr.cloud", 1883);
	expect_url("mqtts://mqtt.drivr.cloud:8883/drivr/v1", true, "mqtt.drivr.cloud", 8883);
	expect_url("mqtt://[::1]/drivr/v1/", false, "::1", 0);
	expect_refused("mqtt://localhost:1883/other", "path \"/other\"", "--slug");
	expect_refused("mqtt://localhost/drivr/v2/", "path \"/drivr/v2/\"", NULL);
	expect_refused("mqtt://localhost//", "path \"//\"", NULL);
	expect_refused("mqtt://localhost?x=1", "unexpected \"?x=1\" after the host and port", NULL);
	expect_refused("mqtt://localhost:1883#top", "unexpected \"#top\"", NULL);
}

static void test_scheme_refusals(void **state)
{
	(void)state;
	expect_refused("", "empty URL", NULL);
	expect_refused("localhost:1883", "no scheme: write mqtt://localhost:1883", "mqtts://");
	expect_refused("http://x", "scheme \"http\" is not one of mqtt://, mqtts://, tcp://, ssl://",
		       NULL);
	expect_refused("mqtt5://x", "scheme \"mqtt5\"", NULL);
	expect_refused("://x", "scheme \"\"", NULL);
	expect_refused("ws://broker:8080", "WebSocket", "use mqtt:// or mqtts://");
	expect_refused("WSS://broker", "WebSocket", NULL);
	expect_refused("wss://[::1]:8081/mqtt", "MQTT over WebSocket (ws://, wss://) is not supported",
		       NULL);
	expect_refused("Ws://broker", "WebSocket", NULL);
	expect_refused("mqtt:/x", "no scheme", NULL);
}

static void test_host_refusals(void **state)
{
	(void)state;
	expect_refused("mqtt://", "no host", NULL);
	expect_refused("mqtt://:1883", "no host", NULL);
	expect_refused("mqtt:///drivr/v1/", "no host", NULL);
	expect_refused("mqtt://[]:1883", "no host", NULL);
	expect_refused("mqtt://[::1:1883", "missing ']'", NULL);
	expect_refused("mqtt://[::1]x", "unexpected \"x\" after ']'", NULL);
	expect_refused("mqtt://[[::1]]:1883", "[::1", "not an IPv6 address");
	expect_refused("mqtt://[127.0.0.1]:1883", "brackets are for IPv6 addresses only", NULL);
	expect_refused("mqtt://[broker]", "brackets are for IPv6", NULL);
	expect_refused("mqtt://[::g]", "::g is not an IPv6 address", NULL);
	expect_refused("mqtt://[fe80::1%]", "IPv6 zone", NULL);
	expect_refused("mqtt://[fe80::1%25]", "IPv6 zone", NULL);
	expect_refused("mqtt://[fe80::1%e/0]", "missing ']'", NULL); /* '/' ends the host part */
	expect_refused("mqtt://[fe80::1%e:0]", "IPv6 zone", NULL);
	expect_refused("mqtt://::1:1883", "an IPv6 address goes in brackets, as in mqtt://[::1]:1883",
		       NULL);
	expect_refused("mqtt://fe80::1", "goes in brackets", NULL);
	expect_refused("mqtt://127.1:1883", "127.1 is not an IPv4 address", NULL);
	expect_refused("mqtt://256.0.0.1", "256.0.0.1 is not an IPv4 address", NULL);
	expect_refused("mqtt://host name", "spaces and control characters", NULL);
	expect_refused("mqtt://host\tname", "spaces and control characters", NULL);
	expect_refused("mqtt://br*ker", "'*' cannot be part of a host name", NULL);
	expect_refused("mqtt://br\xc3\xb6ker", "byte 0xc3 cannot be part of a host name", NULL);

	char long_url[400];
	strcpy(long_url, "mqtt://");
	memset(long_url + 7, 'h', 300);
	long_url[307] = '\0';
	expect_refused(long_url, "longer than 255 characters", NULL);
}

static void test_port_refusals(void **state)
{
	(void)state;
	expect_refused("mqtt://x:", "no port after ':'", NULL);
	expect_refused("mqtt://x:/", "no port after ':'", NULL);
	expect_refused("mqtt://x:0", "port 0 is not between 1 and 65535", NULL);
	expect_refused("mqtt://x:65536", "port 65536 is not between 1 and 65535", NULL);
	expect_refused("mqtt://x:99999999999999999999", "is not between 1 and 65535", NULL);
	expect_refused("mqtt://x:-1", "port \"-1\" is not a number", NULL);
	expect_refused("mqtt://x:+1", "port \"+1\" is not a number", NULL);
	expect_refused("mqtt://x:http", "port \"http\" is not a number", NULL);
	expect_refused("mqtt://x:1883:1884", "port \"1883:1884\"", NULL);
	expect_refused("mqtt://[::1]:", "no port after ':'", NULL);
	expect_refused("mqtt://[::1]:0x10", "not a number", NULL);
}

/* User info is refused, and the password never shows in the message. */
static void test_user_info(void **state)
{
	(void)state;
	expect_refused("mqtt://ada:s3cret@broker:1883", "\"mqtt://***@broker:1883\"",
		       "user names and passwords are not supported");
	expect_refused("mqtt://ada@[::1]", "\"mqtt://***@[::1]\"", NULL);
	expect_refused("mqtts://ada@broker", "\"mqtts://***@broker\"", "user names and passwords");
	expect_refused("mqtt://:s3cret@broker", "\"mqtt://***@broker\"", NULL);
	/* Even when something else is wrong first. */
	char err[256];
	struct broker_url u;
	assert_false(url_parse("http://ada:s3cret@broker", &u, err, sizeof(err)));
	assert_null(strstr(err, "s3cret"));
	assert_non_null(strstr(err, "http://***@broker"));
	assert_false(url_parse("mqtt://a:b@c@broker:0", &u, err, sizeof(err)));
	assert_null(strstr(err, "a:b"));
	assert_false(url_parse("ada:s3cret@broker:1883", &u, err, sizeof(err)));
	assert_null(strstr(err, "s3cret"));
	assert_non_null(strstr(err, "no scheme: write mqtt://***@broker:1883"));
	/* An '@' after the host is no user info (and the path is refused). */
	expect_refused("mqtt://broker/a@b", "path \"/a@b\"", NULL);
}

static void test_err_optional(void **state)
{
	(void)state;
	struct broker_url u;
	assert_false(url_parse("http://x", &u, NULL, 0));
	assert_false(url_parse(NULL, &u, NULL, 0));
	char err[64];
	assert_false(url_parse(NULL, &u, err, sizeof(err)));
	assert_string_equal(err, "no URL");
	/* A short buffer truncates, never overflows. */
	char tiny[8];
	assert_false(url_parse("mqtt://x:0", &u, tiny, sizeof(tiny)));
	assert_int_equal(strlen(tiny), 7);
}

static void expect_host(const char *text, const char *want)
{
	char host[URL_HOST_MAX], err[256] = "";
	if (!url_parse_host(text, host, sizeof(host), err, sizeof(err)))
		fail_msg("host %s refused: %s", text, err);
	assert_string_equal(host, want);
}

static void expect_host_refused(const char *text, const char *piece)
{
	char host[URL_HOST_MAX], err[256] = "";
	if (url_parse_host(text, host, sizeof(host), err, sizeof(err)))
		fail_msg("host %s accepted as %s", text, host);
	if (!strstr(err, piece))
		fail_msg("host %s: message \"%s\" lacks \"%s\"", text, err, piece);
}

static void test_host_alone(void **state)
{
	(void)state;
	expect_host("localhost", "localhost");
	expect_host("127.0.0.1", "127.0.0.1");
	expect_host("::1", "::1");
	expect_host("[::1]", "::1");
	expect_host("fe80::1%eth0", "fe80::1%eth0");
	expect_host("[fe80::1%25eth0]", "fe80::1%eth0");
	expect_host_refused("", "no host");
	expect_host_refused(NULL, "no host");
	expect_host_refused("[::1", "missing ']'");
	expect_host_refused("[]", "\"[]\": no host");
	expect_host_refused("[127.0.0.1]", "brackets are for IPv6 addresses only");
	expect_host_refused("host/path", "'/' cannot be part of a host name");
	expect_host_refused("ada@host", "'@' cannot be part of a host name");
	expect_host_refused("127.1", "not an IPv4 address");
	expect_host_refused("::1::2", "::1::2 is not an IPv6 address");
	/* Too small a buffer is refused, not truncated. */
	char small[4], err[128];
	assert_false(url_parse_host("localhost", small, sizeof(small), err, sizeof(err)));
	assert_non_null(strstr(err, "too long"));
}

static void expect_uri(bool tls, const char *host, int port, const char *want)
{
	char *uri = url_server_uri(tls, host, port);
	assert_string_equal(uri, want);
	free(uri);
}

static void test_server_uri(void **state)
{
	(void)state;
	expect_uri(false, "broker.example", 1883, "tcp://broker.example:1883");
	expect_uri(true, "mqtt.drivr.cloud", 8883, "ssl://mqtt.drivr.cloud:8883");
	expect_uri(false, "127.0.0.1", 18830, "tcp://127.0.0.1:18830");
	expect_uri(false, "::1", 1883, "tcp://[::1]:1883");
	expect_uri(true, "fe80::1%eth0", 8883, "ssl://[fe80::1%eth0]:8883");
	/* Brackets exactly once, even if a caller kept them. */
	expect_uri(false, "[::1]", 1883, "tcp://[::1]:1883");

	char *where = url_authority("::1", 1883);
	assert_string_equal(where, "[::1]:1883");
	free(where);
	where = url_authority("broker.example", 8883);
	assert_string_equal(where, "broker.example:8883");
	free(where);

	/* Round trip: what url_parse gives, url_server_uri turns into Paho's form. */
	struct broker_url u;
	char err[256];
	assert_true(url_parse("MQTT://[::1]:1883/", &u, err, sizeof(err)));
	char *uri = url_server_uri(u.tls, u.host, u.port);
	assert_string_equal(uri, "tcp://[::1]:1883");
	free(uri);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_schemes),
		cmocka_unit_test(test_hosts),
		cmocka_unit_test(test_paths),
		cmocka_unit_test(test_scheme_refusals),
		cmocka_unit_test(test_host_refusals),
		cmocka_unit_test(test_port_refusals),
		cmocka_unit_test(test_user_info),
		cmocka_unit_test(test_err_optional),
		cmocka_unit_test(test_host_alone),
		cmocka_unit_test(test_server_uri),
	};
	return cmocka_run_group_tests_name("url", tests, NULL, NULL);
}
