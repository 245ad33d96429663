/* Unit tests: logformat — --format's parsing, CSV rows of datapoints, the
 * template's directives, and no device escape reaching the output. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "logformat.h"
#include "util.h"

#define DP_TOPIC "drivr/v1/acme/input/datapoint/sys-1/json"

/* One message through topic_match + decode_payload + logformat_write; the
 * output is returned (caller frees). */
struct written {
	char *text;
	bool ok;
};

static const char *fixed_unit(void *ctx, const char *system, const struct datapoint *dp)
{
	(void)system;
	(void)dp;
	return ctx;
}

static struct written run_format(struct logformat *f, const char *topic, const void *payload,
				 size_t len, bool retained, const char *unit)
{
	struct topic_table *topics = topics_new();
	struct topic_match match;
	topic_match(topics, topic, strlen(topic), &match);
	struct decode_limits limits;
	decode_limits_default(&limits);
	struct decode_result result;
	decode_payload(&match, payload, len, &limits, &result);
	struct message_meta msg = { topic, strlen(topic), payload, len, retained, 1700000000.25 };
	char *buf = NULL;
	size_t size = 0;
	FILE *out = open_memstream(&buf, &size);
	assert_non_null(out);
	struct written w;
	w.ok = logformat_write(f, out, &msg, &match, &result, fixed_unit, (void *)unit);
	fclose(out);
	w.text = buf;
	decode_result_free(&result);
	topics_free(topics);
	return w;
}

static struct logformat parsed(const char *spec)
{
	struct logformat f;
	char err[256];
	assert_true(logformat_parse(&f, spec, err, sizeof(err)));
	return f;
}

static void test_parse_names_and_refusals(void **state)
{
	(void)state;
	struct logformat f;
	char err[256] = "";
	assert_true(logformat_parse(&f, NULL, err, sizeof(err)));
	assert_int_equal(f.kind, LOGFORMAT_JSON);
	assert_true(logformat_parse(&f, "json", err, sizeof(err)));
	assert_int_equal(f.kind, LOGFORMAT_JSON);
	assert_true(logformat_parse(&f, "csv", err, sizeof(err)));
	assert_int_equal(f.kind, LOGFORMAT_CSV);
	assert_true(logformat_parse(&f, "%t %p", err, sizeof(err)));
	assert_int_equal(f.kind, LOGFORMAT_TEMPLATE);
	logformat_free(&f);

	assert_false(logformat_parse(&f, "cvs", err, sizeof(err)));
	assert_non_null(strstr(err, "\"cvs\" is not json, csv or a template"));
	assert_false(logformat_parse(&f, "%t %q", err, sizeof(err)));
	assert_non_null(strstr(err, "%q is not a directive"));
	assert_false(logformat_parse(&f, "%t\\e[2J", err, sizeof(err)));
	assert_non_null(strstr(err, "\\e is not an escape"));
	assert_false(logformat_parse(&f, "trailing %", err, sizeof(err)));
	assert_false(logformat_parse(&f, "trailing \\", err, sizeof(err)));
}

static void test_csv_header_and_one_row_per_datapoint(void **state)
{
	(void)state;
	struct logformat f = parsed("csv");
	char *buf = NULL;
	size_t size = 0;
	FILE *out = open_memstream(&buf, &size);
	logformat_begin(&f, out);
	fclose(out);
	assert_string_equal(buf, "time,system,component,service,characteristic,value,unit\r\n");
	free(buf);

	const char *payload =
		"[{\"componentCode\":\"boiler\",\"serviceCode\":\"heat\",\"characteristicCode\":"
		"\"flow-temp\",\"time\":\"2024-03-01T10:00:00Z\",\"value\":-12.5},"
		"{\"componentCode\":\"boiler\",\"serviceCode\":\"heat\",\"characteristicCode\":"
		"\"mode\",\"value\":\"eco, quiet\"}]";
	struct written w = run_format(&f, DP_TOPIC, payload, strlen(payload), false, "°C");
	assert_true(w.ok);
	/* the system from the topic; no time of its own: the reception time */
	assert_string_equal(w.text,
			    "2024-03-01T10:00:00.000Z,sys-1,boiler,heat,flow-temp,-12.5,°C\r\n"
			    "2023-11-14T22:13:20.250Z,sys-1,boiler,heat,mode,\"eco, quiet\",°C\r\n");
	free(w.text);
	logformat_free(&f);
}

static void test_csv_skips_other_families_and_counts_bad_datapoints(void **state)
{
	(void)state;
	struct logformat f = parsed("csv");
	const char *system = "{\"uuid\":\"sys-1\",\"name\":\"x\"}";
	struct written w = run_format(&f, "drivr/v1/acme/systems/sys-1", system, strlen(system),
				      true, NULL);
	assert_true(w.ok);
	assert_string_equal(w.text, "");
	free(w.text);

	const char *bad = "{\"value\":";
	w = run_format(&f, DP_TOPIC, bad, strlen(bad), false, NULL);
	assert_false(w.ok);
	assert_string_equal(w.text, "");
	assert_int_equal(f.skipped, 1);
	free(w.text);
	logformat_free(&f);
}

static void test_csv_device_strings_are_sanitised_and_guarded(void **state)
{
	(void)state;
	struct logformat f = parsed("csv");
	const char *payload = "{\"systemCode\":\"=HYPERLINK(1)\",\"componentCode\":\"b\\u001b[2J\","
			      "\"serviceCode\":\"s\",\"characteristicCode\":\"c\",\"time\":"
			      "\"2024-03-01T10:00:00Z\",\"value\":true}";
	struct written w = run_format(&f, DP_TOPIC, payload, strlen(payload), false, "\x1b]0;x\x07");
	assert_true(w.ok);
	assert_null(strchr(w.text, '\x1b'));
	assert_null(strchr(w.text, '\x07'));
	assert_string_equal(w.text, "2024-03-01T10:00:00.000Z,\"'=HYPERLINK(1)\",b^[[2J,s,c,true,"
				    "^[]0;x^G\r\n");
	free(w.text);
	logformat_free(&f);
}

static void test_template_directives(void **state)
{
	(void)state;
	struct logformat f = parsed("%I %U %t %r %l %f\\t%p|%x|100%%\\\\");
	const char *payload = "{\"value\":1}";
	struct written w = run_format(&f, DP_TOPIC, payload, 11, true, NULL);
	assert_string_equal(w.text, "2023-11-14T22:13:20.250Z 1700000000.250000 " DP_TOPIC
				    " 1 11 datapoint_input\t{\"value\":1}|7b2276616c7565223a317d|100%\\\n");
	free(w.text);
	logformat_free(&f);
}

static void test_template_payload_cannot_move_the_terminal(void **state)
{
	(void)state;
	struct logformat f = parsed("%t: %p");
	/* an escape, a newline, a C1 CSI and invalid UTF-8 in topic and payload */
	const char payload[] = "a\x1b[2Jb\nc\xc2\x9b" "d\xff";
	const char *topic = "drivr/v1/acme/x\x1b]0;t\x07";
	struct written w = run_format(&f, topic, payload, sizeof(payload) - 1, false, NULL);
	for (const char *p = w.text; *p; p++)
		if (*p != '\n')
			assert_true((unsigned char)*p >= 0x20 && *p != 0x7f);
	assert_null(strstr(w.text, "\xc2\x9b"));
	/* one message, one line */
	assert_ptr_equal(strchr(w.text, '\n'), w.text + strlen(w.text) - 1);
	assert_non_null(strstr(w.text, "a^[[2Jb^Jc"));
	free(w.text);
	logformat_free(&f);
}

static void test_value_text(void **state)
{
	(void)state;
	char buf[64];
	bool number;
	struct value v = { VALUE_NUMBER, 0.1, false, false, NULL, NULL };
	logformat_value_text(&v, buf, sizeof(buf), &number);
	assert_string_equal(buf, "0.1");
	assert_true(number);
	v.number = 1.0 / 3.0;
	logformat_value_text(&v, buf, sizeof(buf), &number);
	assert_true(strtod(buf, NULL) == 1.0 / 3.0);
	v.number = 42;
	v.is_integer = true;
	logformat_value_text(&v, buf, sizeof(buf), &number);
	assert_string_equal(buf, "42");
	v.type = VALUE_NULL;
	logformat_value_text(&v, buf, sizeof(buf), &number);
	assert_string_equal(buf, "");
	assert_false(number);
	v.type = VALUE_BOOL;
	v.boolean = false;
	logformat_value_text(&v, buf, sizeof(buf), &number);
	assert_string_equal(buf, "false");
}

int main(void)
{
	setlocale(LC_ALL, "C.UTF-8");
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_names_and_refusals),
		cmocka_unit_test(test_csv_header_and_one_row_per_datapoint),
		cmocka_unit_test(test_csv_skips_other_families_and_counts_bad_datapoints),
		cmocka_unit_test(test_csv_device_strings_are_sanitised_and_guarded),
		cmocka_unit_test(test_template_directives),
		cmocka_unit_test(test_template_payload_cannot_move_the_terminal),
		cmocka_unit_test(test_value_text),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
