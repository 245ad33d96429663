/* Unit tests: alerts — which events the alert pane lists, in what order,
 * and the counts per level.  Events and models are applied to a real store
 * by hand (decode results built here), as in test_store.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "alerts.h"
#include "store.h"

static const char *SYS = "792b6149-1daa-488f-b07a-f684503b0586";

static void apply(struct store *store, enum topic_family family, enum topic_id id, const char *key,
		  struct decode_result *r)
{
	struct topic_match m;
	memset(&m, 0, sizeof(m));
	m.family = family;
	m.format = FORMAT_JSON;
	m.answers_family = TOPIC_UNCLASSIFIED;
	m.ids[TOPIC_ID_SYSTEM_UUID] = sv_from_cstr(SYS);
	m.ids[id] = sv_from_cstr(key);
	r->family = family;
	r->ok = true;
	struct message_meta msg = { "drivr/v1/t/x", 12, "{}", 2, false, 1.0 };
	store_apply(store, &msg, &m, r);
}

/* An event model of each level: "m-ERROR", "m-INFO", ... */
static void apply_model(struct store *store, const char *uuid, const char *level)
{
	struct decode_result r;
	memset(&r, 0, sizeof(r));
	r.u.event_model.uuid = uuid;
	r.u.event_model.code = uuid;
	r.u.event_model.event_level = level;
	apply(store, TOPIC_EVENT_MODEL, TOPIC_ID_EVENT_MODEL_UUID, uuid, &r);
}

static void apply_event(struct store *store, const char *uuid, const char *model, const char *status,
			double at)
{
	struct decode_result r;
	memset(&r, 0, sizeof(r));
	r.u.event.uuid = uuid;
	r.u.event.event_model_uuid = model;
	r.u.event.status = status;
	r.u.event.time = at;
	r.u.event.end_time = TIME_UNKNOWN;
	apply(store, TOPIC_EVENT, TOPIC_ID_EVENT_UUID, uuid, &r);
}

static struct store *store_with_models(void)
{
	struct store *store = store_new(NULL);
	apply_model(store, "m-error", "ERROR");
	apply_model(store, "m-warning", "WARNING");
	apply_model(store, "m-info", "INFO");
	return store;
}

static const char *uuid_at(const struct store *store, size_t index)
{
	return store_event_at(store, index)->uuid;
}

static void test_no_events(void **state)
{
	(void)state;
	struct store *store = store_with_models();
	size_t out[4];
	struct alert_counts c;
	assert_int_equal(alerts_active(store, out, 4, &c), 0);
	assert_int_equal(c.total, 0);
	for (int l = 0; l < LEVEL_COUNT; l++)
		assert_int_equal(c.level[l], 0);
	store_free(store);
}

/* Most severe first, newest first within a level; not-active, unknown
 * models counted under their level. */
static void test_order_and_counts(void **state)
{
	(void)state;
	struct store *store = store_with_models();
	apply_event(store, "info-new", "m-info", "ACTIVE", 300);
	apply_event(store, "err-old", "m-error", "ACTIVE", 100);
	apply_event(store, "warn", "m-warning", "ACTIVE", 500);
	apply_event(store, "err-new", "m-error", "ACTIVE", 200);
	apply_event(store, "resolved", "m-error", "RESOLVED", 900);
	apply_event(store, "nomodel", "m-unknown", "ACTIVE", 50);
	size_t out[8];
	struct alert_counts c;
	size_t n = alerts_active(store, out, 8, &c);
	assert_int_equal(n, 5);
	assert_string_equal(uuid_at(store, out[0]), "err-new");
	assert_string_equal(uuid_at(store, out[1]), "err-old");
	assert_string_equal(uuid_at(store, out[2]), "warn");
	assert_string_equal(uuid_at(store, out[3]), "info-new");
	assert_string_equal(uuid_at(store, out[4]), "nomodel"); /* LEVEL_UNKNOWN last */
	assert_int_equal(c.total, 5);
	assert_int_equal(c.level[LEVEL_ERROR], 2);
	assert_int_equal(c.level[LEVEL_WARNING], 1);
	assert_int_equal(c.level[LEVEL_INFO], 1);
	assert_int_equal(c.level[LEVEL_UNKNOWN], 1);
	store_free(store);
}

/* Fewer places than alerts: the first max in order, the counts of all. */
static void test_max_keeps_the_first(void **state)
{
	(void)state;
	struct store *store = store_with_models();
	apply_event(store, "i1", "m-info", "ACTIVE", 10);
	apply_event(store, "e1", "m-error", "ACTIVE", 1);
	apply_event(store, "i2", "m-info", "ACTIVE", 20);
	apply_event(store, "w1", "m-warning", "ACTIVE", 30);
	apply_event(store, "e2", "m-error", "ACTIVE", 2);
	size_t out[2];
	struct alert_counts c;
	assert_int_equal(alerts_active(store, out, 2, &c), 2);
	assert_string_equal(uuid_at(store, out[0]), "e2");
	assert_string_equal(uuid_at(store, out[1]), "e1");
	assert_int_equal(c.total, 5);
	/* max 0: nothing written, still counted; counts optional */
	assert_int_equal(alerts_active(store, NULL, 0, &c), 0);
	assert_int_equal(c.total, 5);
	assert_int_equal(alerts_active(store, out, 1, NULL), 1);
	assert_string_equal(uuid_at(store, out[0]), "e2");
	store_free(store);
}

/* Same level and time: the earlier arrival (lower index) stays first. */
static void test_ties_keep_store_order(void **state)
{
	(void)state;
	struct store *store = store_with_models();
	apply_event(store, "a", "m-warning", "ACTIVE", 7);
	apply_event(store, "b", "m-warning", "ACTIVE", 7);
	apply_event(store, "c", "m-warning", "ACTIVE", 7);
	size_t out[3];
	assert_int_equal(alerts_active(store, out, 3, NULL), 3);
	assert_string_equal(uuid_at(store, out[0]), "a");
	assert_string_equal(uuid_at(store, out[1]), "b");
	assert_string_equal(uuid_at(store, out[2]), "c");
	/* resolved later: leaves the list */
	apply_event(store, "a", "m-warning", "RESOLVED", 7);
	assert_int_equal(alerts_active(store, out, 3, NULL), 2);
	assert_string_equal(uuid_at(store, out[0]), "b");
	store_free(store);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_no_events),
		cmocka_unit_test(test_order_and_counts),
		cmocka_unit_test(test_max_keeps_the_first),
		cmocka_unit_test(test_ties_keep_store_order),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
