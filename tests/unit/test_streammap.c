/* Unit tests: streammap — time stream uuids learned only from addresses
 * that name them both ways; bounded, the oldest forgotten. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "streammap.h"

static struct stream_address address(const char *uuid, const char *characteristic)
{
	struct stream_address a;
	memset(&a, 0, sizeof(a));
	a.time_stream_uuid = uuid;
	a.component_code = "heat-pump-1";
	a.service_code = "heating";
	a.characteristic_code = characteristic;
	a.service_index = -1;
	return a;
}

static void test_learns_only_both_ways(void **state)
{
	(void)state;
	struct streammap *m = streammap_new();
	struct stream_address a = address("ts-1", "flow");
	assert_false(streammap_learn(m, &a, NULL)); /* no system anywhere */
	assert_true(streammap_learn(m, &a, "sys-1"));
	const struct stream_name *n = streammap_find(m, "ts-1");
	assert_non_null(n);
	assert_string_equal(n->system_uuid, "sys-1");
	assert_string_equal(n->characteristic_code, "flow");
	assert_false(streammap_learn(m, &a, "sys-1")); /* nothing new */

	struct stream_address codes_only = address(NULL, "mode");
	assert_false(streammap_learn(m, &codes_only, "sys-1"));
	struct stream_address no_service = address("ts-2", "mode");
	no_service.service_code = NULL;
	assert_false(streammap_learn(m, &no_service, "sys-1"));
	struct stream_address second = address("ts-3", "mode");
	second.service_index = 1; /* another occurrence of the service */
	assert_false(streammap_learn(m, &second, "sys-1"));
	assert_null(streammap_find(m, "ts-2"));
	assert_null(streammap_find(m, NULL));

	/* The payload's system wins over the topic's; newer codes replace. */
	struct stream_address moved = address("ts-1", "flow-setpoint");
	moved.system_uuid = "sys-2";
	assert_true(streammap_learn(m, &moved, "sys-1"));
	n = streammap_find(m, "ts-1");
	assert_string_equal(n->system_uuid, "sys-2");
	assert_string_equal(n->characteristic_code, "flow-setpoint");
	assert_int_equal(streammap_count(m), 1);
	streammap_free(m);
}

static void test_bounded_oldest_forgotten(void **state)
{
	(void)state;
	struct streammap *m = streammap_new();
	char uuid[32];
	for (int i = 0; i < STREAMMAP_MAX + 10; i++) {
		snprintf(uuid, sizeof(uuid), "ts-%d", i);
		struct stream_address a = address(uuid, "flow");
		assert_true(streammap_learn(m, &a, "sys"));
	}
	assert_int_equal(streammap_count(m), STREAMMAP_MAX);
	assert_null(streammap_find(m, "ts-0"));
	assert_null(streammap_find(m, "ts-9"));
	assert_non_null(streammap_find(m, "ts-10"));
	snprintf(uuid, sizeof(uuid), "ts-%d", STREAMMAP_MAX + 9);
	assert_non_null(streammap_find(m, uuid));
	streammap_free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_learns_only_both_ways),
		cmocka_unit_test(test_bounded_oldest_forgotten),
	};
	return cmocka_run_group_tests_name("streammap", tests, NULL, NULL);
}
