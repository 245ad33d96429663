/* Unit tests: ui/fmt — ages, countdowns, values, symbols + words, sparklines. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "ui/fmt.h"

static const struct ui_glyphs g = {
	.conn_connected = "*", .conn_partial = "~", .conn_disconnected = "o", .conn_unknown = "?",
	.level = { ".", "+", "i", "^", "!" },
	.state = { "?", ".", "+", "x" },
	.spark = { "0", "1", "2", "3", "4", "5", "6", "7" },
};

static void test_ages_and_countdowns(void **state)
{
	(void)state;
	char b[64];
	double now = 1714564800; /* 2024-05-01T12:00:00Z */
	fmt_age(now, now - 5.9, b, sizeof(b));
	assert_string_equal(b, "5s");
	fmt_age(now, now - 125, b, sizeof(b));
	assert_string_equal(b, "2m");
	fmt_age(now, now - 7200, b, sizeof(b));
	assert_string_equal(b, "2h");
	fmt_age(now, now - 3 * 86400, b, sizeof(b));
	assert_string_equal(b, "3d");
	fmt_age(now, now + 10, b, sizeof(b)); /* clock skew: never negative */
	assert_string_equal(b, "0s");
	fmt_age(now, -1, b, sizeof(b));
	assert_string_equal(b, "-");
	fmt_countdown(now, now + 3 * 86400 + 4 * 3600, b, sizeof(b));
	assert_string_equal(b, "in 3d 4h");
	fmt_countdown(now, now - 90, b, sizeof(b));
	assert_string_equal(b, "expired 1m ago");
	fmt_time(now, b, sizeof(b));
	assert_string_equal(b, "2024-05-01 12:00:00");
}

static void test_values_and_symbols(void **state)
{
	(void)state;
	char b[64];
	struct stored_value v = { VALUE_NUMBER, true, false, 42, NULL };
	fmt_value(&v, b, sizeof(b));
	assert_string_equal(b, "42");
	v.is_integer = false;
	v.number = 3.14159;
	fmt_value(&v, b, sizeof(b));
	assert_string_equal(b, "3.14159");
	assert_string_equal(fmt_value_type(&v), "num");
	v.type = VALUE_BOOL;
	v.boolean = true;
	fmt_value(&v, b, sizeof(b));
	assert_string_equal(b, "true");
	assert_int_equal(fmt_connection(&g, "CONNECTED", b, sizeof(b)), UI_ROLE_CONN_CONNECTED);
	assert_string_equal(b, "* CONNECTED");
	assert_int_equal(fmt_connection(&g, "PARTIALLY_CONNECTED", b, sizeof(b)), UI_ROLE_CONN_PARTIAL);
	assert_string_equal(b, "~ PARTIALLY");
	assert_int_equal(fmt_connection(&g, "DISCONNECTED", b, sizeof(b)), UI_ROLE_CONN_DISCONNECTED);
	assert_int_equal(fmt_connection(&g, "UNDEFINED", b, sizeof(b)), UI_ROLE_MUTED);
	assert_string_equal(b, "? UNDEFINED");
	assert_int_equal(fmt_level(&g, LEVEL_ERROR, b, sizeof(b)), UI_ROLE_ALERT_ERROR);
	assert_string_equal(b, "! ERROR");
	assert_int_equal(fmt_setpoint_state(&g, SETPOINT_REJECTED, b, sizeof(b)), UI_ROLE_STATE_REJECTED);
	assert_string_equal(b, "x REJECTED");
	/* fmt_copy: the whole string when it fits, cut to size - 1 when not */
	fmt_copy(b, sizeof(b), "meter-1");
	assert_string_equal(b, "meter-1");
	char small[4];
	fmt_copy(small, sizeof(small), "electricity");
	assert_string_equal(small, "ele");
	fmt_copy(small, sizeof(small), "");
	assert_string_equal(small, "");
}

static void test_sparkline(void **state)
{
	(void)state;
	char b[64];
	struct sample s[10];
	for (int i = 0; i < 10; i++) {
		s[i].time = i;
		s[i].value = i;
	}
	fmt_sparkline(&g, s, 8, 8, b, sizeof(b));
	assert_string_equal(b, "01234567");
	/* only the newest `width` samples, scaled among themselves */
	fmt_sparkline(&g, s, 10, 2, b, sizeof(b));
	assert_string_equal(b, "07");
	/* flat: the middle */
	for (int i = 0; i < 3; i++)
		s[i].value = 5;
	fmt_sparkline(&g, s, 3, 10, b, sizeof(b));
	assert_string_equal(b, "333");
	fmt_sparkline(&g, s, 0, 10, b, sizeof(b));
	assert_string_equal(b, "");
	/* never beyond the buffer */
	for (int i = 0; i < 10; i++)
		s[i].value = i;
	fmt_sparkline(&g, s, 10, 10, b, 4);
	assert_string_equal(b, "012");
}

static void test_topic_short(void **state)
{
	(void)state;
	assert_string_equal(fmt_topic_short("drivr/v1/demo/input/datapoint/u/json", "demo"),
			    "input/datapoint/u/json");
	/* another slug's topic stays whole; so does one outside the root */
	assert_string_equal(fmt_topic_short("drivr/v1/demo2/jwks", "demo"), "drivr/v1/demo2/jwks");
	assert_string_equal(fmt_topic_short("other/v1/demo/x", "demo"), "other/v1/demo/x");
	/* no slug known (a replay): any slug level */
	assert_string_equal(fmt_topic_short("drivr/v1/acme/systems/u", ""), "systems/u");
	assert_string_equal(fmt_topic_short("drivr/v1/acme", ""), "drivr/v1/acme");
	assert_string_equal(fmt_topic_short(NULL, "demo"), "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ages_and_countdowns),
		cmocka_unit_test(test_values_and_symbols),
		cmocka_unit_test(test_sparkline),
		cmocka_unit_test(test_topic_short),
	};
	return cmocka_run_group_tests_name("ui_fmt", tests, NULL, NULL);
}
