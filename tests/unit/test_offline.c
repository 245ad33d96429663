/* Unit tests: offline — the DISCONNECTED warning of a setpoint's target.
 * The store is filled through ingest with payloads shaped as the API
 * reference's schema (SystemInformation, component), so the connectionState
 * the warning reads is the one the real topics carry. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "ingest.h"
#include "offline.h"
#include "store.h"
#include "topics.h"

#define SYS "792b6149-1daa-488f-b07a-f684503b0586"

struct world {
	struct topic_table *topics;
	struct store *store;
	struct ingest ingest;
};

static void put(struct world *w, const char *topic, const char *payload)
{
	struct message_meta msg = { topic, strlen(topic), payload, strlen(payload), true, 1.0 };
	ingest_message(&w->ingest, &msg);
}

static void system_in(struct world *w, const char *connection_state)
{
	char payload[512];
	snprintf(payload, sizeof(payload),
		 "{\"uuid\":\"%s\",\"code\":\"plant-7\",\"name\":\"Plant 7\",\"status\":\"ACTIVATED\","
		 "\"connectionState\":\"%s\"}",
		 SYS, connection_state);
	put(w, "drivr/v1/t/systems/" SYS, payload);
}

static void component_in(struct world *w, const char *code, const char *connection_state)
{
	char topic[256], payload[512];
	snprintf(topic, sizeof(topic), "drivr/v1/t/systems/%s/components/%s", SYS, code);
	snprintf(payload, sizeof(payload),
		 "{\"uuid\":\"c-%s\",\"code\":\"%s\",\"name\":\"%s\",\"systemUuid\":\"%s\","
		 "\"connectionState\":\"%s\"}",
		 code, code, code, SYS, connection_state);
	put(w, topic, payload);
}

static int setup(void **state)
{
	static struct world w;
	w.topics = topics_new();
	w.store = store_new(NULL);
	ingest_init(&w.ingest, w.topics, w.store);
	*state = &w;
	return 0;
}

static int teardown(void **state)
{
	struct world *w = *state;
	store_free(w->store);
	topics_free(w->topics);
	return 0;
}

static void test_connected_target_gives_no_warning(void **state)
{
	struct world *w = *state;
	char buf[256] = "stale";
	system_in(w, "CONNECTED");
	component_in(w, "heat-pump-1", "CONNECTED");
	assert_false(offline_setpoint_warning(w->store, SYS, "heat-pump-1", buf, sizeof(buf)));
	assert_string_equal(buf, "");
	/* unknown here: nothing to warn about (the platform decides) */
	assert_false(offline_setpoint_warning(w->store, SYS, "boiler-9", buf, sizeof(buf)));
	assert_false(offline_setpoint_warning(w->store, "no-such-system", "heat-pump-1", buf,
					      sizeof(buf)));
}

static void test_disconnected_component_is_named(void **state)
{
	struct world *w = *state;
	char buf[256];
	system_in(w, "PARTIALLY_CONNECTED");
	component_in(w, "heat-pump-1", "DISCONNECTED");
	component_in(w, "meter-1", "CONNECTED");
	assert_true(offline_setpoint_warning(w->store, SYS, "heat-pump-1", buf, sizeof(buf)));
	assert_string_equal(buf, "the component heat-pump-1 is DISCONNECTED: the device sees the "
				 "setpoint only once it reconnects, and the request may time out");
	/* a sibling that is connected: no warning */
	assert_false(offline_setpoint_warning(w->store, SYS, "meter-1", buf, sizeof(buf)));
}

static void test_disconnected_system_comes_first(void **state)
{
	struct world *w = *state;
	char buf[256];
	system_in(w, "DISCONNECTED");
	component_in(w, "heat-pump-1", "DISCONNECTED");
	assert_true(offline_setpoint_warning(w->store, SYS, "heat-pump-1", buf, sizeof(buf)));
	assert_non_null(strstr(buf, "the system Plant 7 is DISCONNECTED"));
	/* reconnected: the warning goes with it */
	system_in(w, "CONNECTED");
	component_in(w, "heat-pump-1", "CONNECTED");
	assert_false(offline_setpoint_warning(w->store, SYS, "heat-pump-1", buf, sizeof(buf)));
}

static void test_not_connective_and_undefined_are_not_disconnected(void **state)
{
	struct world *w = *state;
	char buf[256];
	system_in(w, "UNDEFINED");
	component_in(w, "heat-pump-1", "NOT_CONNECTIVE");
	assert_false(offline_setpoint_warning(w->store, SYS, "heat-pump-1", buf, sizeof(buf)));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_connected_target_gives_no_warning, setup, teardown),
		cmocka_unit_test_setup_teardown(test_disconnected_component_is_named, setup, teardown),
		cmocka_unit_test_setup_teardown(test_disconnected_system_comes_first, setup, teardown),
		cmocka_unit_test_setup_teardown(test_not_connective_and_undefined_are_not_disconnected,
						setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
