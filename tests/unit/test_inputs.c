/* Unit tests: inputs — the schema's checks and payloads of the platform
 * inputs (SystemInput, ComponentInput, DatapointInput, EventInput), and
 * requests following them: the twin that confirms, a datapoint's quiet
 * time ("sent, no error", never confirmed); the twin-side checks (what
 * the retained state already says against an input). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decode.h"
#include "inputs.h"
#include "requests.h"
#include "store.h"
#include "topics.h"
#include "util.h"

#define SYS "792b6149-1daa-488f-b07a-f684503b0586"
#define MODEL "0b1c2d3e-4f50-4617-8293-a4b5c6d7e8f9"
#define EVENT "11111111-2222-4333-8444-555555555555"

static char err[512];

static char *payload_text(const struct input_built *b)
{
	return cJSON_PrintUnformatted(b->payload);
}

static void test_system_update_schema_members_only(void **state)
{
	(void)state;
	struct input_built b;
	struct system_update d = { SYS, "Plant 7", NULL, "DEACTIVATED", NULL, FORMAT_JSON };
	assert_true(inputs_system_update(&d, &b, err, sizeof(err)));
	char *text = payload_text(&b);
	assert_string_equal(text, "{\"name\":\"Plant 7\",\"status\":\"DEACTIVATED\"}");
	cJSON_free(text);
	assert_int_equal(b.in.family, TOPIC_SYSTEM_INPUT);
	assert_string_equal(b.in.ids.v[TOPIC_ID_SYSTEM_UUID], SYS);
	input_built_free(&b);

	struct system_update bad = { SYS, NULL, NULL, "ON", NULL, FORMAT_JSON };
	assert_false(inputs_system_update(&bad, &b, err, sizeof(err)));
	assert_non_null(strstr(err, "status \"ON\" is not one of ACTIVATED, DEACTIVATED, ARCHIVED"));
	struct system_update none = { SYS, NULL, NULL, NULL, NULL, FORMAT_JSON };
	assert_false(inputs_system_update(&none, &b, err, sizeof(err)));
	assert_non_null(strstr(err, "nothing to update"));
	struct system_update uuid = { "not-a-uuid", "x", NULL, NULL, NULL, FORMAT_JSON };
	assert_false(inputs_system_update(&uuid, &b, err, sizeof(err)));
	assert_non_null(strstr(err, "is not a UUID"));
	struct system_update cs = { SYS, NULL, NULL, NULL, "NOT_CONNECTIVE", FORMAT_JSON };
	assert_false(inputs_system_update(&cs, &b, err, sizeof(err))); /* a component's state */
}

static void test_component_checks(void **state)
{
	(void)state;
	struct input_built b;
	struct component_input create = { true, SYS, "meter-2", NULL, "Meter", NULL, NULL, FORMAT_JSON };
	assert_false(inputs_component(&create, &b, err, sizeof(err)));
	assert_non_null(strstr(err, "missing the component model's uuid"));
	create.model_uuid = MODEL;
	create.connection_state = "NOT_CONNECTIVE";
	assert_true(inputs_component(&create, &b, err, sizeof(err)));
	char *text = payload_text(&b);
	assert_string_equal(text, "{\"code\":\"meter-2\",\"componentModelUuid\":\"" MODEL
				  "\",\"name\":\"Meter\",\"connectionState\":\"NOT_CONNECTIVE\"}");
	cJSON_free(text);
	assert_int_equal(b.in.kind, REQUEST_COMPONENT_CREATE);
	assert_string_equal(b.in.component_code, "meter-2");
	input_built_free(&b);

	struct component_input slash = { false, SYS, "a/b", NULL, "x", NULL, NULL, FORMAT_JSON };
	assert_false(inputs_component(&slash, &b, err, sizeof(err)));
	assert_non_null(strstr(err, "topic character"));
	struct component_input nothing = { false, SYS, "meter-2", NULL, NULL, NULL, NULL, FORMAT_JSON };
	assert_false(inputs_component(&nothing, &b, err, sizeof(err)));
	struct component_input state_bad = { false, SYS, "m", NULL, NULL, NULL, "PARTIALLY_CONNECTED",
					     FORMAT_JSON };
	assert_false(inputs_component(&state_bad, &b, err, sizeof(err)));
}

static void test_event_raise_and_resolve(void **state)
{
	(void)state;
	struct input_built b;
	struct event_input raise = { false, SYS, NULL, MODEL, NULL, 1700000000.5, TIME_UNKNOWN,
				     FORMAT_JSON };
	assert_true(inputs_event(&raise, &b, err, sizeof(err)));
	char *text = payload_text(&b);
	assert_string_equal(text, "{\"eventModelUuid\":\"" MODEL "\",\"time\":\"2023-11-14T22:13:20.500Z\"}");
	cJSON_free(text);
	assert_int_equal(b.in.family, TOPIC_EVENT_INPUT_SYSTEM);
	assert_non_null(strstr(b.expect, "\"entityUuid\":\"" SYS "\""));
	input_built_free(&b);

	struct event_input resolve = { true, SYS, NULL, MODEL, EVENT, 1700000000, 1700000100, FORMAT_JSON };
	assert_true(inputs_event(&resolve, &b, err, sizeof(err)));
	assert_string_equal(b.in.target, EVENT);
	assert_non_null(strstr(b.expect, "RESOLVED"));
	input_built_free(&b);
	resolve.end_time = 1600000000; /* before the start */
	assert_false(inputs_event(&resolve, &b, err, sizeof(err)));
	assert_non_null(strstr(err, "before"));
}

/* The twin-side checks take the store's structs as found: a stub (named by
 * another entity only) or a deleted one is as good as none. */
static void test_twin_component_fits(void **state)
{
	(void)state;
	struct system s = { .meta = { .known = true }, .uuid = SYS, .code = "plant-7" };
	struct component c = { .meta = { .known = true }, .system_uuid = SYS, .code = "hp",
			       .uuid = EVENT };
	/* create: a code the system has already is refused, naming both */
	assert_false(inputs_component_fits(true, &s, &c, "hp", err, sizeof(err)));
	assert_string_equal(err, "system plant-7 has a component hp already");
	assert_true(inputs_component_fits(true, &s, NULL, "meter-9", err, sizeof(err)));
	c.meta.deleted = true; /* deleted: the code is free again */
	assert_true(inputs_component_fits(true, &s, &c, "hp", err, sizeof(err)));
	/* update: a system the twin knows must have it */
	assert_false(inputs_component_fits(false, &s, &c, "hp", err, sizeof(err)));
	assert_string_equal(err, "system plant-7 has no component hp");
	c.meta.deleted = false;
	assert_true(inputs_component_fits(false, &s, &c, "hp", err, sizeof(err)));
	/* a system the twin does not know: the platform judges */
	s.meta.known = false;
	assert_true(inputs_component_fits(false, &s, NULL, "hp", err, sizeof(err)));
	assert_true(inputs_component_fits(false, NULL, NULL, "hp", err, sizeof(err)));

	/* a component's event needs its uuid (the topic names it) */
	assert_true(inputs_event_component(&c, "hp", err, sizeof(err)));
	c.uuid = NULL;
	assert_false(inputs_event_component(&c, "hp", err, sizeof(err)));
	assert_non_null(strstr(err, "component hp is not in the retained state"));
	assert_false(inputs_event_component(NULL, "nope", err, sizeof(err)));
	assert_non_null(strstr(err, "component nope"));
}

static void test_twin_event_model_fits(void **state)
{
	(void)state;
	struct event_model ranged = { .meta = { .known = true }, .uuid = MODEL, .code = "MAINT",
				      .event_type = "RANGED", .entity_type = "SYSTEM" };
	struct event_model single = { .meta = { .known = true }, .uuid = MODEL, .code = "TEST",
				      .event_type = "SINGLE_POINT", .entity_type = "COMPONENT" };
	assert_true(inputs_event_model_fits(&ranged, false, true, err, sizeof(err)));
	assert_false(inputs_event_model_fits(&ranged, true, false, err, sizeof(err)));
	assert_string_equal(err, "event model MAINT is for SYSTEM events, not COMPONENT ones");
	assert_true(inputs_event_model_fits(&single, true, false, err, sizeof(err)));
	assert_false(inputs_event_model_fits(&single, true, true, err, sizeof(err)));
	assert_string_equal(err, "event model TEST is SINGLE_POINT: only a RANGED event has an "
				 "end time");
	assert_false(inputs_event_model_single_point(&ranged));
	assert_true(inputs_event_model_single_point(&single));
	/* not known (none, a stub, no type): the platform judges */
	single.code = NULL;
	assert_false(inputs_event_model_fits(&single, false, true, err, sizeof(err)));
	assert_non_null(strstr(err, "event model " MODEL " is for COMPONENT"));
	single.meta.known = false;
	assert_false(inputs_event_model_single_point(&single));
	assert_true(inputs_event_model_fits(&single, false, true, err, sizeof(err)));
	assert_true(inputs_event_model_fits(NULL, true, true, err, sizeof(err)));
	ranged.event_type = ranged.entity_type = NULL;
	assert_false(inputs_event_model_single_point(&ranged));
	assert_true(inputs_event_model_fits(&ranged, true, true, err, sizeof(err)));
}

static void test_twin_event_resolvable(void **state)
{
	(void)state;
	struct event_model m = { .meta = { .known = true }, .uuid = MODEL, .code = "MAINT",
				 .event_type = "RANGED", .entity_type = "SYSTEM" };
	struct event e = { .meta = { .known = true }, .uuid = EVENT, .event_model_uuid = MODEL,
			   .entity_uuid = SYS, .system_uuid = SYS, .status = "ACTIVE",
			   .time = 1700000000, .end_time = TIME_UNKNOWN };
	assert_true(inputs_event_resolvable(EVENT, &e, &m, err, sizeof(err)));
	assert_true(inputs_event_resolvable(EVENT, &e, NULL, err, sizeof(err))); /* model unknown */
	assert_false(inputs_event_resolvable(EVENT, NULL, NULL, err, sizeof(err)));
	assert_string_equal(err, "event " EVENT " is not in the retained state");
	e.meta.known = false;
	assert_false(inputs_event_resolvable(EVENT, &e, &m, err, sizeof(err)));
	e.meta.known = true;
	e.status = "RESOLVED";
	assert_false(inputs_event_resolvable(EVENT, &e, &m, err, sizeof(err)));
	assert_string_equal(err, "event " EVENT " is RESOLVED: only an ACTIVE RANGED event resolves");
	e.status = NULL; /* a SINGLE_POINT event has none */
	assert_false(inputs_event_resolvable(EVENT, &e, &m, err, sizeof(err)));
	assert_non_null(strstr(err, "is SINGLE_POINT (no status)"));
	e.status = "ACTIVE";
	m.event_type = "SINGLE_POINT";
	assert_false(inputs_event_resolvable(EVENT, &e, &m, err, sizeof(err)));
	assert_non_null(strstr(err, "is of a SINGLE_POINT model"));
	m.event_type = "RANGED";
	e.time = TIME_UNKNOWN; /* the input needs its start time */
	assert_false(inputs_event_resolvable(EVENT, &e, &m, err, sizeof(err)));
	assert_non_null(strstr(err, "has no model or time"));

	assert_true(inputs_check_end_time(1700000000, 1700000000, err, sizeof(err)));
	assert_true(inputs_check_end_time(TIME_UNKNOWN, 1, err, sizeof(err)));
	assert_true(inputs_check_end_time(1700000000, TIME_UNKNOWN, err, sizeof(err)));
	assert_false(inputs_check_end_time(1700000000, 1699999999.9, err, sizeof(err)));
	assert_string_equal(err, "the end time is before the event's time");
}

static void test_datapoint_lines(void **state)
{
	(void)state;
	cJSON *o;
	assert_true(inputs_datapoint_line("{\"componentCode\":\"hp\",\"serviceCode\":\"heating\","
					  "\"characteristicCode\":\"flow\",\"value\":41.5}",
					  SYS, &o, err, sizeof(err)));
	cJSON_Delete(o);
	assert_true(inputs_datapoint_line("{\"timeStreamUuid\":\"" MODEL "\",\"value\":true,"
					  "\"time\":\"2026-01-01T00:00:00Z\"}", SYS, &o, err, sizeof(err)));
	cJSON_Delete(o);
	static const struct {
		const char *line, *says;
	} bad[] = {
		{ "[1]", "not a JSON object" },
		{ "{\"timeStreamUuid\":\"" MODEL "\"}", "missing value" },
		{ "{\"componentCode\":\"hp\",\"value\":1}", "no time stream" },
		{ "{\"timeStreamUuid\":\"x\",\"value\":1}", "is not a UUID" },
		{ "{\"timeStreamUuid\":\"" MODEL "\",\"value\":1,\"colour\":\"red\"}", "unknown member" },
		{ "{\"timeStreamUuid\":\"" MODEL "\",\"value\":null}", "null is no value" },
		{ "{\"timeStreamUuid\":\"" MODEL "\",\"value\":1,\"time\":\"yesterday\"}", "ISO-8601" },
		{ "{\"timeStreamUuid\":\"" MODEL "\",\"value\":1,\"serviceIndex\":-1}", "serviceIndex" },
		{ "{\"timeStreamUuid\":\"" MODEL "\",\"value\":1,\"systemUuid\":\"" MODEL "\"}",
		  "is not the system" },
	};
	for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
		assert_false(inputs_datapoint_line(bad[i].line, SYS, &o, err, sizeof(err)));
		assert_null(o);
		if (!strstr(err, bad[i].says))
			fail_msg("line %zu: \"%s\" does not say \"%s\"", i, err, bad[i].says);
	}
}

static void test_json_value_against_characteristic(void **state)
{
	(void)state;
	struct payload_characteristic c = { "flow", NULL, DATA_TYPE_FLOAT, CHARACTERISTIC_MEASUREMENT,
					    NULL, 20, 60, 0.5, NULL, 0 };
	cJSON *v = cJSON_CreateNumber(41.5);
	assert_true(requests_check_json_value(v, &c, err, sizeof(err)));
	cJSON_SetNumberValue(v, 70);
	assert_false(requests_check_json_value(v, &c, err, sizeof(err)));
	assert_non_null(strstr(err, "above the maximum"));
	cJSON_Delete(v);
	v = cJSON_CreateString("41");
	assert_false(requests_check_json_value(v, &c, err, sizeof(err)));
	cJSON_Delete(v);
	static const char *const opts[] = { "OFF", "AUTO" };
	struct payload_characteristic sel = { "mode", NULL, DATA_TYPE_SELECT, CHARACTERISTIC_MEASUREMENT,
					      NULL, 0, 0, 0, opts, 2 };
	v = cJSON_Parse("[\"AUTO\"]");
	assert_true(requests_check_json_value(v, &sel, err, sizeof(err)));
	cJSON_Delete(v);
	v = cJSON_Parse("[\"ON\"]");
	assert_false(requests_check_json_value(v, &sel, err, sizeof(err)));
	cJSON_Delete(v);
}

/* ---- followed by requests ---------------------------------------------------------- */

struct fixture {
	struct topic_table *topics;
	struct requests *r;
};

static struct request *add_built(struct fixture *f, struct input_built *b, double now)
{
	struct request *q = requests_add_input(f->r, &b->in, (struct request_time){ now, now }, err,
					       sizeof(err));
	input_built_free(b);
	assert_non_null(q);
	requests_mark_sent(f->r, q, 7, (struct request_time){ now, now });
	requests_on_delivered(f->r, 7, (struct request_time){ now, now });
	return q;
}

static struct request *feed(struct fixture *f, const char *topic, const char *payload, double now)
{
	struct topic_match m;
	topic_match(f->topics, topic, strlen(topic), &m);
	struct decode_result res;
	assert_true(decode_payload(&m, payload, strlen(payload), NULL, &res));
	struct request *q = requests_observe(f->r, &m, &res, (struct request_time){ now, now });
	decode_result_free(&res);
	return q;
}

static void test_system_update_confirmed_by_twin(void **state)
{
	(void)state;
	struct fixture f = { topics_new(), NULL };
	f.r = requests_new(f.topics, "t");
	struct input_built b;
	struct system_update d = { SYS, "Plant 8", NULL, NULL, NULL, FORMAT_JSON };
	assert_true(inputs_system_update(&d, &b, err, sizeof(err)));
	struct request *q = add_built(&f, &b, 1000);
	assert_string_equal(q->topic, "drivr/v1/t/input/system/" SYS "/json");
	/* the old name, and an old twin with the new one: not ours */
	assert_null(feed(&f, "drivr/v1/t/systems/" SYS, "{\"uuid\":\"" SYS "\",\"name\":\"Plant 7\"}", 1001));
	assert_null(feed(&f, "drivr/v1/t/systems/" SYS, "{\"uuid\":\"" SYS "\",\"name\":\"Plant 8\","
			     "\"updatedAt\":\"1970-01-01T00:00:01Z\"}", 1001));
	assert_int_equal(q->state, REQUEST_DELIVERED);
	assert_ptr_equal(feed(&f, "drivr/v1/t/systems/" SYS, "{\"uuid\":\"" SYS "\",\"name\":\"Plant 8\"}", 1002), q);
	assert_int_equal(q->state, REQUEST_CONFIRMED);
	requests_free(f.r);
	topics_free(f.topics);
}

static void test_event_raised_then_resolved(void **state)
{
	(void)state;
	struct fixture f = { topics_new(), NULL };
	f.r = requests_new(f.topics, "t");
	struct input_built b;
	struct event_input raise = { false, SYS, NULL, MODEL, NULL, 1000.25, TIME_UNKNOWN, FORMAT_JSON };
	assert_true(inputs_event(&raise, &b, err, sizeof(err)));
	struct request *q = add_built(&f, &b, 1000);
	const char *topic = "drivr/v1/t/systems/" SYS "/events/" EVENT;
	/* another time: someone else's event */
	assert_null(feed(&f, topic, "{\"uuid\":\"" EVENT "\",\"eventModelUuid\":\"" MODEL "\",\"entityUuid\":\""
			 SYS "\",\"time\":\"1970-01-01T00:16:39Z\",\"status\":\"ACTIVE\"}", 1001));
	assert_ptr_equal(feed(&f, topic, "{\"uuid\":\"" EVENT "\",\"eventModelUuid\":\"" MODEL
			      "\",\"entityUuid\":\"" SYS "\",\"time\":\"1970-01-01T00:16:40.250Z\","
			      "\"status\":\"ACTIVE\"}", 1001), q);
	assert_int_equal(q->state, REQUEST_CONFIRMED);
	assert_string_equal(q->target, EVENT);

	struct event_input resolve = { true, SYS, NULL, MODEL, EVENT, 1000.25, 1005, FORMAT_JSON };
	assert_true(inputs_event(&resolve, &b, err, sizeof(err)));
	q = add_built(&f, &b, 1006);
	assert_null(feed(&f, topic, "{\"uuid\":\"" EVENT "\",\"status\":\"ACTIVE\"}", 1007));
	assert_ptr_equal(feed(&f, topic, "{\"uuid\":\"" EVENT "\",\"status\":\"RESOLVED\","
			      "\"endTime\":\"1970-01-01T00:16:45Z\"}", 1007), q);
	assert_int_equal(q->state, REQUEST_CONFIRMED);
	requests_free(f.r);
	topics_free(f.topics);
}

static void test_datapoint_ends_without_confirmation(void **state)
{
	(void)state;
	struct fixture f = { topics_new(), NULL };
	f.r = requests_new(f.topics, "t");
	struct input_built b;
	cJSON *items = cJSON_CreateArray();
	cJSON *o;
	assert_true(inputs_datapoint_line("{\"componentCode\":\"hp\",\"serviceCode\":\"s\","
					  "\"characteristicCode\":\"c\",\"value\":1}", SYS, &o, err, sizeof(err)));
	cJSON_AddItemToArray(items, o);
	assert_true(inputs_datapoints(SYS, items, 5, FORMAT_JSON, &b, err, sizeof(err)));
	struct request *q = add_built(&f, &b, 1000);
	assert_string_equal(q->summary, "publish hp/s/c = 1");
	assert_string_equal(q->payload, "{\"componentCode\":\"hp\",\"serviceCode\":\"s\","
					"\"characteristicCode\":\"c\",\"value\":1}");
	requests_tick(f.r, (struct request_time){ 1004, 1004 });
	assert_int_equal(q->state, REQUEST_DELIVERED);
	requests_tick(f.r, (struct request_time){ 1005.1, 1005.1 });
	assert_int_equal(q->state, REQUEST_NO_ERROR);
	assert_string_equal(request_state_name(q->state), "sent, no error");
	assert_string_equal(q->detail, "no /error reply within 5 s");

	/* an /error reply inside the quiet time ends it as an error */
	items = cJSON_CreateArray();
	for (int i = 0; i < 2; i++) {
		assert_true(inputs_datapoint_line("{\"timeStreamUuid\":\"" MODEL "\",\"value\":2}", SYS,
						  &o, err, sizeof(err)));
		cJSON_AddItemToArray(items, o);
	}
	assert_true(inputs_datapoints(SYS, items, 5, FORMAT_JSON, &b, err, sizeof(err)));
	q = add_built(&f, &b, 2000);
	assert_string_equal(q->summary, "publish 2 datapoints");
	assert_ptr_equal(feed(&f, "drivr/v1/t/input/datapoint/" SYS "/json/error",
			      "{\"message\":\"no time stream\",\"code\":\"UNKNOWN_TIME_STREAM\"}", 2001), q);
	assert_int_equal(q->state, REQUEST_ERROR);
	assert_string_equal(q->error_code, "UNKNOWN_TIME_STREAM");
	requests_free(f.r);
	topics_free(f.topics);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_system_update_schema_members_only),
		cmocka_unit_test(test_component_checks),
		cmocka_unit_test(test_event_raise_and_resolve),
		cmocka_unit_test(test_twin_component_fits),
		cmocka_unit_test(test_twin_event_model_fits),
		cmocka_unit_test(test_twin_event_resolvable),
		cmocka_unit_test(test_datapoint_lines),
		cmocka_unit_test(test_json_value_against_characteristic),
		cmocka_unit_test(test_system_update_confirmed_by_twin),
		cmocka_unit_test(test_event_raised_then_resolved),
		cmocka_unit_test(test_datapoint_ends_without_confirmation),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
