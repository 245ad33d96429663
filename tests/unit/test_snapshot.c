/* Unit tests: snapshot_build's errorSummary — /error replies and decode
 * errors fed through the real pipeline (topic_match → decode → store), then
 * grouped by code, system and input family with counts, first and last seen
 * and the rate, worst offenders first. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <cJSON.h>
#include <stdio.h>
#include <string.h>

#include "ingest.h"
#include "snapshot.h"

#define SYS_A "792b6149-1daa-488f-b07a-f684503b0586"
#define SYS_B "3c10f7cc-3205-46ac-99d9-71e31a192cb5"
#define T0 1700000000.0

static void feed(struct ingest *in, const char *topic, const char *payload, double at)
{
	struct message_meta msg = { topic, strlen(topic), payload, strlen(payload), false, at };
	ingest_message(in, &msg);
}

static const cJSON *group(const cJSON *summary, const char *by, int i)
{
	const cJSON *arr = cJSON_GetObjectItemCaseSensitive(summary, by);
	assert_true(cJSON_IsArray(arr));
	const cJSON *g = cJSON_GetArrayItem(arr, i);
	assert_non_null(g);
	return g;
}

static void assert_group(const cJSON *g, const char *key, int count, const char *first,
			 const char *last, double rate)
{
	assert_string_equal(cJSON_GetObjectItemCaseSensitive(g, "key")->valuestring, key);
	assert_int_equal(cJSON_GetObjectItemCaseSensitive(g, "count")->valueint, count);
	assert_string_equal(cJSON_GetObjectItemCaseSensitive(g, "firstSeen")->valuestring, first);
	assert_string_equal(cJSON_GetObjectItemCaseSensitive(g, "lastSeen")->valuestring, last);
	assert_true(cJSON_GetObjectItemCaseSensitive(g, "ratePerMinute")->valuedouble == rate);
}

static void test_error_summary(void **state)
{
	(void)state;
	struct topic_table *topics = topics_new();
	struct store *store = store_new(NULL);
	struct ingest in;
	ingest_init(&in, topics, store);
	const char *reply_a = "drivr/v1/demo/input/system/" SYS_A "/json/error";
	const char *reply_b = "drivr/v1/demo/input/system/" SYS_B "/json/error";
	/* VALUE_OUT_OF_RANGE three times on A (one within the last 10 minutes),
	 * UNKNOWN_SYSTEM once on B (the newest), a decode error on B's system */
	feed(&in, reply_a, "{\"message\":\"too high\",\"code\":\"VALUE_OUT_OF_RANGE\"}", T0);
	feed(&in, reply_a, "{\"message\":\"too high\",\"code\":\"VALUE_OUT_OF_RANGE\"}", T0 + 60);
	feed(&in, reply_a, "{\"message\":\"too high\",\"code\":\"VALUE_OUT_OF_RANGE\"}", T0 + 3000);
	feed(&in, "drivr/v1/demo/systems/" SYS_B, "{not json", T0 + 3100);
	feed(&in, reply_b, "{\"error\":{\"message\":\"who?\",\"code\":\"UNKNOWN_SYSTEM\"}}", T0 + 3200);
	assert_int_equal(store_errors_count(store), 5);

	struct snapshot_options opt = { false, false, T0 + 3300 };
	cJSON *doc = snapshot_build(store, &opt);
	const cJSON *s = cJSON_GetObjectItemCaseSensitive(doc, "errorSummary");
	assert_true(cJSON_IsObject(s));
	assert_int_equal(cJSON_GetObjectItemCaseSensitive(s, "records")->valueint, 5);
	assert_int_equal(cJSON_GetObjectItemCaseSensitive(s, "evicted")->valueint, 0);
	assert_int_equal(cJSON_GetObjectItemCaseSensitive(s, "rateWindowSeconds")->valueint, 600);

	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(s, "byCode")), 3);
	assert_group(group(s, "byCode", 0), "VALUE_OUT_OF_RANGE", 3, "2023-11-14T22:13:20.000Z",
		     "2023-11-14T23:03:20.000Z", 0.1);
	/* one each: the most recent first */
	assert_group(group(s, "byCode", 1), "UNKNOWN_SYSTEM", 1, "2023-11-14T23:06:40.000Z",
		     "2023-11-14T23:06:40.000Z", 0.1);
	assert_group(group(s, "byCode", 2), "(decode error)", 1, "2023-11-14T23:05:00.000Z",
		     "2023-11-14T23:05:00.000Z", 0.1);

	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(s, "bySystem")), 2);
	assert_group(group(s, "bySystem", 0), SYS_A, 3, "2023-11-14T22:13:20.000Z",
		     "2023-11-14T23:03:20.000Z", 0.1);
	assert_group(group(s, "bySystem", 1), SYS_B, 2, "2023-11-14T23:05:00.000Z",
		     "2023-11-14T23:06:40.000Z", 0.2);

	/* replies are grouped under the input they answer */
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(s, "byFamily")), 2);
	assert_group(group(s, "byFamily", 0), topic_family_name(TOPIC_SYSTEM_INPUT), 4,
		     "2023-11-14T22:13:20.000Z", "2023-11-14T23:06:40.000Z", 0.2);
	assert_group(group(s, "byFamily", 1), topic_family_name(TOPIC_SYSTEM), 1,
		     "2023-11-14T23:05:00.000Z", "2023-11-14T23:05:00.000Z", 0.1);
	cJSON_Delete(doc);
	store_free(store);
	topics_free(topics);
}

/* No errors: an empty summary, not a missing one. */
static void test_error_summary_empty(void **state)
{
	(void)state;
	struct store *store = store_new(NULL);
	cJSON *doc = snapshot_build(store, NULL);
	const cJSON *s = cJSON_GetObjectItemCaseSensitive(doc, "errorSummary");
	assert_int_equal(cJSON_GetObjectItemCaseSensitive(s, "records")->valueint, 0);
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(s, "byCode")), 0);
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(s, "bySystem")), 0);
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(s, "byFamily")), 0);
	cJSON_Delete(doc);
	store_free(store);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_error_summary),
		cmocka_unit_test(test_error_summary_empty),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
