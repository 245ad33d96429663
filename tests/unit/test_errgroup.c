/* Unit tests: errgroup — the keys of each dimension, counts, first and last
 * seen, the rate window and the worst-first order.  Records are built by
 * hand: the module reads nothing but their fields. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "errgroup.h"

static const char *SYS_A = "792b6149-1daa-488f-b07a-f684503b0586";
static const char *SYS_B = "0c4b1a4e-5e0e-4f51-9d2e-1c1f6a0d2b11";

static struct error_record reply(uint64_t seq, double t, const char *code, const char *system,
				 enum topic_family answers)
{
	struct error_record r;
	memset(&r, 0, sizeof(r));
	r.seq = seq;
	r.time = t;
	r.kind = ERROR_RECORD_REPLY;
	r.family = TOPIC_ERROR_REPLY;
	r.answers_family = answers;
	r.code = (char *)code;
	r.system_uuid = (char *)system;
	return r;
}

static struct error_record decode_error(uint64_t seq, double t, bool warning,
					enum topic_family family)
{
	struct error_record r;
	memset(&r, 0, sizeof(r));
	r.seq = seq;
	r.time = t;
	r.kind = ERROR_RECORD_DECODE;
	r.warning = warning;
	r.family = family;
	return r;
}

static void test_keys(void **state)
{
	(void)state;
	struct error_record r = reply(1, 10, "INVALID_VALUE", SYS_A, TOPIC_SETPOINT_INPUT);
	assert_string_equal(errgroup_key(ERRGROUP_BY_CODE, &r), "INVALID_VALUE");
	assert_string_equal(errgroup_key(ERRGROUP_BY_SYSTEM, &r), SYS_A);
	/* a reply is about the input it answers, not its own /error topic */
	assert_string_equal(errgroup_key(ERRGROUP_BY_FAMILY, &r),
			    topic_family_name(TOPIC_SETPOINT_INPUT));
	r.code = (char *)"";
	r.system_uuid = NULL;
	assert_string_equal(errgroup_key(ERRGROUP_BY_CODE, &r), ERRGROUP_NO_CODE);
	assert_string_equal(errgroup_key(ERRGROUP_BY_SYSTEM, &r), ERRGROUP_NO_SYSTEM);

	struct error_record d = decode_error(2, 10, false, TOPIC_DATAPOINT_INPUT);
	assert_string_equal(errgroup_key(ERRGROUP_BY_CODE, &d), ERRGROUP_DECODE_ERROR);
	assert_string_equal(errgroup_key(ERRGROUP_BY_FAMILY, &d), topic_family_name(TOPIC_DATAPOINT_INPUT));
	d.warning = true;
	assert_string_equal(errgroup_key(ERRGROUP_BY_CODE, &d), ERRGROUP_DECODE_WARNING);
}

static void test_counts_order_rate(void **state)
{
	(void)state;
	double now = 10000;
	struct error_record recs[] = {
		/* B: 2 records, the newest at now - 5 */
		reply(1, now - 3600, "B", SYS_A, TOPIC_SETPOINT_INPUT),
		reply(2, now - 5, "B", SYS_A, TOPIC_SETPOINT_INPUT),
		/* A: 3 records, one of them inside the rate window */
		reply(3, now - 7200, "A", SYS_B, TOPIC_EVENT_ACK),
		reply(4, now - 700, "A", SYS_B, TOPIC_EVENT_ACK),
		reply(5, now - 60, "A", SYS_A, TOPIC_EVENT_ACK),
		/* C: 2 records like B's count, but older: after B */
		reply(6, now - 9000, "C", SYS_B, TOPIC_SETPOINT_INPUT),
		reply(7, now - 8000, "C", SYS_B, TOPIC_SETPOINT_INPUT),
	};
	struct errgroups g;
	errgroups_init(&g, ERRGROUP_BY_CODE, now);
	for (size_t i = 0; i < sizeof(recs) / sizeof(recs[0]); i++)
		errgroups_add(&g, &recs[i]);
	errgroups_sort(&g);
	assert_int_equal(g.count, 3);
	assert_int_equal(g.records, 7);
	assert_int_equal(g.recent, 2);
	assert_string_equal(g.items[0].key, "A");
	assert_string_equal(g.items[1].key, "B");
	assert_string_equal(g.items[2].key, "C");
	assert_int_equal(g.items[0].count, 3);
	assert_true(g.items[0].first == now - 7200);
	assert_true(g.items[0].last == now - 60);
	assert_int_equal(g.items[0].newest_seq, 5);
	assert_int_equal(g.items[0].recent, 1);
	assert_true(errgroup_rate(&g.items[0]) == 0.1); /* 1 in 10 minutes */
	assert_int_equal(g.items[1].recent, 1);
	assert_int_equal(g.items[2].recent, 0);
	assert_true(errgroup_rate(&g.items[2]) == 0.0);

	/* found by id after the sort moved them */
	const struct errgroup *c = errgroups_find(&g, errgroup_id("C"));
	assert_non_null(c);
	assert_string_equal(c->key, "C");
	assert_int_equal(c->count, 2);
	assert_null(errgroups_find(&g, errgroup_id("D")));
	errgroups_free(&g);

	/* the same records by system: A has 3 (B 2 + A's last), B has 4 */
	errgroups_init(&g, ERRGROUP_BY_SYSTEM, now);
	for (size_t i = 0; i < sizeof(recs) / sizeof(recs[0]); i++)
		errgroups_add(&g, &recs[i]);
	errgroups_sort(&g);
	assert_int_equal(g.count, 2);
	assert_string_equal(g.items[0].key, SYS_B);
	assert_int_equal(g.items[0].count, 4);
	assert_string_equal(g.items[1].key, SYS_A);
	assert_int_equal(g.items[1].count, 3);
	errgroups_free(&g);
}

/* Equal counts: the most recently seen first, whatever the order added. */
static void test_ties(void **state)
{
	(void)state;
	struct error_record a = decode_error(1, 100, false, TOPIC_DATAPOINT_INPUT);
	struct error_record b = decode_error(2, 200, false, TOPIC_EVENT);
	struct error_record c = decode_error(3, 200, false, TOPIC_SETPOINT);
	struct errgroups g;
	errgroups_init(&g, ERRGROUP_BY_FAMILY, 300);
	errgroups_add(&g, &a);
	errgroups_add(&g, &b);
	errgroups_add(&g, &c);
	errgroups_sort(&g);
	assert_int_equal(g.count, 3);
	/* same count and time: the newer record (seq 3) first */
	assert_string_equal(g.items[0].key, topic_family_name(TOPIC_SETPOINT));
	assert_string_equal(g.items[1].key, topic_family_name(TOPIC_EVENT));
	assert_string_equal(g.items[2].key, topic_family_name(TOPIC_DATAPOINT_INPUT));
	errgroups_free(&g);

	/* nothing added: no group, nothing found */
	errgroups_init(&g, ERRGROUP_BY_CODE, 0);
	errgroups_sort(&g);
	assert_int_equal(g.count, 0);
	assert_null(errgroups_find(&g, errgroup_id(ERRGROUP_NO_CODE)));
	errgroups_free(&g);
}

static void test_names(void **state)
{
	(void)state;
	enum errgroup_by by;
	for (int i = 0; i < ERRGROUP_BY_COUNT; i++) {
		assert_true(errgroup_by_parse(errgroup_by_name((enum errgroup_by)i), &by));
		assert_int_equal(by, i);
	}
	assert_false(errgroup_by_parse("topic", &by));
	assert_false(errgroup_by_parse(NULL, &by));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_keys),
		cmocka_unit_test(test_counts_order_rate),
		cmocka_unit_test(test_ties),
		cmocka_unit_test(test_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
