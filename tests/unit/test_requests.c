/* Unit tests: requests — validation, building, and following each request
 * to its end from the messages the platform publishes (no broker). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "requests.h"
#include "util.h"

static const char *SYS = "792b6149-1daa-488f-b07a-f684503b0586";

/* Both clocks at t: the tests that are not about clock jumps. */
#define AT(t) ((struct request_time){ (t), (t) })

static const struct payload_characteristic FLOW = {
	"flow-temperature-setpoint", "Flow temperature", DATA_TYPE_FLOAT, CHARACTERISTIC_SETTING,
	"°C", 25, 60, 0.5, NULL, 0,
};
static const char *const MODES[] = { "OFF", "HEATING", "AUTO" };
static const struct payload_characteristic MODE = {
	"operating-mode", "Mode", DATA_TYPE_SELECT, CHARACTERISTIC_SETTING, NULL,
	NAN, NAN, NAN, MODES, 3,
};
static const struct payload_characteristic POWER = {
	"power", "Power", DATA_TYPE_FLOAT, CHARACTERISTIC_MEASUREMENT, "W", NAN, NAN, NAN, NULL, 0,
};

struct fixture {
	struct topic_table *topics;
	struct requests *r;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	f->topics = topics_new();
	f->r = requests_new(f->topics, "adam");
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	requests_free(f->r);
	topics_free(f->topics);
	free(f);
	return 0;
}

/* A message from the platform, through the real topic match and decoder;
 * returns the request it moved (or NULL). */
static struct request *feed(struct fixture *f, const char *topic, const char *payload, double now)
{
	struct topic_match m;
	struct decode_result res;
	struct decode_limits limits;
	decode_limits_default(&limits);
	topic_match(f->topics, topic, strlen(topic), &m);
	decode_payload(&m, payload, strlen(payload), &limits, &res);
	assert_true(res.ok);
	struct request *q = requests_observe(f->r, &m, &res, AT(now));
	decode_result_free(&res);
	return q;
}

static struct request *add_flow(struct fixture *f, const char *value, char *err)
{
	struct setpoint_draft d = { SYS, "heat-pump", "heating", "flow-temperature-setpoint",
				    value, &FLOW, FORMAT_JSON };
	return requests_add_setpoint(f->r, &d, AT(100.0), err, 256);
}

/* Fuzz finding (fuzz_catalogue): a characteristic whose dataType is missing
 * or unknown still declares boundaries; "-0" against boundaryMin 40 was
 * accepted because the unknown-type path skipped the limits.  The input is
 * the reduced crash: the screen fleet's gas-boiler model without dataType. */
static void test_parse_value_unknown_type_keeps_limits(void **state)
{
	(void)state;
	cJSON *model = cJSON_Parse(
		"{\"services\": [{\"code\": \"heating\", \"characteristics\": ["
		"{\"code\": \"target\", \"characteristicType\": \"SETTING\","
		" \"boundaryMin\": 40, \"boundaryMax\": 85, \"boundaryStep\": 0.5}]}]}");
	struct payload_catalogue cat;
	assert_true(payload_catalogue_read(model, &cat));
	const struct payload_characteristic *c = &cat.services[0].characteristics[0];
	assert_int_equal(c->data_type, DATA_TYPE_COUNT);
	struct value v;
	cJSON *json;
	char err[256];
	assert_false(requests_parse_value("-0", c, &v, &json, err, sizeof(err)));
	assert_non_null(strstr(err, "below the minimum 40"));
	assert_false(requests_parse_value("85.5", c, &v, &json, err, sizeof(err)));
	assert_false(requests_parse_value("41.2", c, &v, &json, err, sizeof(err)));
	assert_true(requests_parse_value("41.5", c, &v, &json, err, sizeof(err)));
	assert_true(v.type == VALUE_NUMBER && v.number == 41.5);
	/* Not a number: still sent as text, as for any unknown type. */
	assert_true(requests_parse_value("warm", c, &v, &json, err, sizeof(err)));
	assert_true(v.type == VALUE_STRING);
	payload_catalogue_free(&cat);
	cJSON_Delete(model);
}

static void test_parse_value_by_type(void **state)
{
	(void)state;
	struct value v;
	cJSON *json;
	char err[256];
	assert_true(requests_parse_value("45.5", &FLOW, &v, &json, err, sizeof(err)));
	assert_true(v.type == VALUE_NUMBER && v.number == 45.5);
	assert_false(requests_parse_value("61", &FLOW, &v, &json, err, sizeof(err)));
	assert_non_null(strstr(err, "above the maximum 60"));
	assert_false(requests_parse_value("24.5", &FLOW, &v, &json, err, sizeof(err)));
	assert_non_null(strstr(err, "below the minimum 25"));
	assert_false(requests_parse_value("45.3", &FLOW, &v, &json, err, sizeof(err)));
	assert_non_null(strstr(err, "step 0.5"));
	assert_false(requests_parse_value("warm", &FLOW, &v, &json, err, sizeof(err)));
	assert_non_null(strstr(err, "not a number"));

	struct payload_characteristic integer = FLOW;
	integer.data_type = DATA_TYPE_INTEGER;
	integer.step = 1;
	assert_false(requests_parse_value("30.5", &integer, &v, &json, err, sizeof(err)));
	assert_true(requests_parse_value("30", &integer, &v, &json, err, sizeof(err)));
	assert_true(v.is_integer);

	assert_true(requests_parse_value("AUTO", &MODE, &v, &json, err, sizeof(err)));
	assert_string_equal(v.text, "AUTO");
	assert_false(requests_parse_value("auto", &MODE, &v, &json, err, sizeof(err)));

	struct payload_characteristic flag = MODE;
	flag.data_type = DATA_TYPE_BOOLEAN;
	assert_true(requests_parse_value("on", &flag, &v, &json, err, sizeof(err)));
	assert_true(v.type == VALUE_BOOL && v.boolean);
	assert_false(requests_parse_value("maybe", &flag, &v, &json, err, sizeof(err)));

	struct payload_characteristic blob = MODE;
	blob.data_type = DATA_TYPE_JSON;
	assert_true(requests_parse_value("{\"a\":[1,2]}", &blob, &v, &json, err, sizeof(err)));
	assert_int_equal(v.type, VALUE_JSON);
	cJSON_Delete(json);
	assert_false(requests_parse_value("{oops", &blob, &v, &json, err, sizeof(err)));

	/* Unknown characteristic: a number when it reads as one. */
	assert_true(requests_parse_value("12", NULL, &v, &json, err, sizeof(err)));
	assert_int_equal(v.type, VALUE_NUMBER);
	assert_true(requests_parse_value("eco", NULL, &v, &json, err, sizeof(err)));
	assert_int_equal(v.type, VALUE_STRING);
}

static void test_setpoint_built_from_the_table(void **state)
{
	struct fixture *f = *state;
	char err[256];
	struct request *q = add_flow(f, "45", err);
	assert_non_null(q);
	assert_int_equal(q->state, REQUEST_QUEUED);
	assert_string_equal(q->topic, "drivr/v1/adam/input/setpoint/792b6149-1daa-488f-b07a-f684503b0586/json");
	/* The payload reads back through the console's own decoder. */
	struct topic_match m;
	struct decode_result res;
	struct decode_limits limits;
	decode_limits_default(&limits);
	topic_match(f->topics, q->topic, strlen(q->topic), &m);
	assert_int_equal(m.family, TOPIC_SETPOINT_INPUT);
	assert_true(decode_payload(&m, q->payload, q->payload_len, &limits, &res));
	assert_string_equal(res.u.setpoint_input.addr.component_code, "heat-pump");
	assert_string_equal(res.u.setpoint_input.addr.characteristic_code, "flow-temperature-setpoint");
	assert_true(res.u.setpoint_input.value.number == 45.0);
	decode_result_free(&res);
	assert_ptr_equal(requests_next_queued(f->r), q);

	/* Refused before sending: out of range, and a measurement. */
	assert_null(add_flow(f, "99", err));
	assert_non_null(strstr(err, "maximum"));
	struct setpoint_draft d = { SYS, "meter", "electricity", "power", "5", &POWER, FORMAT_JSON };
	assert_null(requests_add_setpoint(f->r, &d, AT(1.0), err, sizeof(err)));
	assert_non_null(strstr(err, "measurement"));
	d.characteristic_code = "";
	assert_null(requests_add_setpoint(f->r, &d, AT(1.0), err, sizeof(err)));
	assert_string_equal(err, "missing characteristic");
	assert_int_equal(requests_count(f->r), 1);
}

static const char *CREATED =
	"{\"uuid\":\"sp1\",\"receiptId\":\"r1\",\"type\":\"FLOAT\",\"value\":45,\"state\":\"CREATED\","
	"\"systemUuid\":\"792b6149-1daa-488f-b07a-f684503b0586\",\"componentCode\":\"heat-pump\","
	"\"serviceCode\":\"heating\",\"characteristicCode\":\"flow-temperature-setpoint\"}";
static const char *SETPOINTS = "drivr/v1/adam/systems/792b6149-1daa-488f-b07a-f684503b0586/setpoints";

static void test_setpoint_accepted(void **state)
{
	struct fixture *f = *state;
	char err[256];
	struct request *q = add_flow(f, "45", err);
	requests_mark_sent(f->r, q, 7, AT(101.0));
	assert_int_equal(q->state, REQUEST_SENT);
	assert_null(requests_next_queued(f->r));
	requests_on_delivered(f->r, 7, AT(101.1));
	assert_int_equal(q->state, REQUEST_DELIVERED);
	/* Someone else's setpoint (other value) is not ours. */
	feed(f, SETPOINTS,
	     "{\"receiptId\":\"other\",\"value\":30,\"state\":\"CREATED\",\"componentCode\":\"heat-pump\","
	     "\"serviceCode\":\"heating\",\"characteristicCode\":\"flow-temperature-setpoint\"}",
	     101.5);
	assert_int_equal(q->state, REQUEST_DELIVERED);
	feed(f, SETPOINTS, CREATED, 102.0);
	assert_int_equal(q->state, REQUEST_PENDING_DEVICE);
	assert_string_equal(q->receipt_id, "r1");
	feed(f, SETPOINTS,
	     "{\"uuid\":\"sp1\",\"receiptId\":\"r1\",\"value\":45,\"state\":\"ACCEPTED\",\"message\":\"applied\"}",
	     103.0);
	assert_int_equal(q->state, REQUEST_CONFIRMED);
	assert_string_equal(q->detail, "applied");
	assert_int_equal(requests_pending(f->r), 0);
}

static void test_setpoint_rejected_with_message(void **state)
{
	struct fixture *f = *state;
	char err[256];
	struct request *q = add_flow(f, "45", err);
	requests_mark_sent(f->r, q, 1, AT(101.0));
	requests_on_delivered(f->r, 1, AT(101.0));
	feed(f, SETPOINTS, CREATED, 102.0);
	feed(f, SETPOINTS,
	     "{\"receiptId\":\"r1\",\"value\":45,\"state\":\"REJECTED\",\"message\":\"compressor locked\"}",
	     103.0);
	assert_int_equal(q->state, REQUEST_REJECTED);
	assert_string_equal(q->detail, "compressor locked");
}

static void test_error_reply_ends_the_oldest_on_that_topic(void **state)
{
	struct fixture *f = *state;
	char err[256];
	struct request *a = add_flow(f, "45", err), *b = add_flow(f, "50", err);
	requests_mark_sent(f->r, a, 1, AT(101.0));
	requests_mark_sent(f->r, b, 2, AT(101.0));
	requests_on_delivered(f->r, 1, AT(101.0));
	requests_on_delivered(f->r, 2, AT(101.0));
	char topic[256];
	snprintf(topic, sizeof(topic), "%s/error", a->topic);
	feed(f, topic, "{\"message\":\"characteristic is locked\",\"code\":\"LOCKED\"}", 102.0);
	assert_int_equal(a->state, REQUEST_ERROR);
	assert_string_equal(a->detail, "characteristic is locked");
	assert_string_equal(a->error_code, "LOCKED");
	assert_int_equal(b->state, REQUEST_DELIVERED);
	/* A reply for another system's topic touches nothing. */
	feed(f, "drivr/v1/adam/input/setpoint/other/json/error", "{\"message\":\"x\"}", 103.0);
	assert_int_equal(b->state, REQUEST_DELIVERED);
}

static void test_event_ack_confirmed_by_republish(void **state)
{
	struct fixture *f = *state;
	char err[256];
	struct request *q = requests_add_event_ack(f->r, SYS, "ev-1", AT(100.0), err, sizeof(err));
	assert_non_null(q);
	assert_string_equal(q->topic, "drivr/v1/adam/input/event/ack/ev-1/json");
	assert_non_null(strstr(q->payload, "\"ev-1\""));
	requests_mark_sent(f->r, q, 3, AT(100.0));
	requests_on_delivered(f->r, 3, AT(100.1));
	char topic[256];
	snprintf(topic, sizeof(topic), "drivr/v1/adam/systems/%s/events/ev-1", SYS);
	feed(f, topic, "{\"uuid\":\"ev-1\",\"status\":\"ACTIVE\",\"acknowledged\":false}", 100.5);
	assert_int_equal(q->state, REQUEST_DELIVERED);
	feed(f, topic, "{\"uuid\":\"ev-1\",\"status\":\"ACTIVE\",\"acknowledged\":true}", 101.0);
	assert_int_equal(q->state, REQUEST_CONFIRMED);
}

static void test_token_confirmed_by_token_list(void **state)
{
	struct fixture *f = *state;
	char err[256];
	struct token_draft d = { SYS, "smart-bulb", "1D" };
	struct request *q = requests_add_token(f->r, &d, AT(100.0), err, sizeof(err));
	assert_non_null(q);
	assert_non_null(strstr(q->payload, "createLocalApiToken"));
	assert_non_null(strstr(q->payload, "\"duration\":\"1D\""));
	/* Token requests go over HTTP, not through the MQTT outbox. */
	assert_null(requests_next_queued(f->r));
	requests_token_response(f->r, q, "tok-9", NULL, AT(101.0));
	assert_int_equal(q->state, REQUEST_DELIVERED);
	char topic[256];
	snprintf(topic, sizeof(topic), "drivr/v1/adam/authorization/localApiTokens/%s", SYS);
	feed(f, topic, "[{\"uuid\":\"tok-1\"}]", 101.5);
	assert_int_equal(q->state, REQUEST_DELIVERED);
	feed(f, topic, "[{\"uuid\":\"tok-1\"},{\"uuid\":\"tok-9\"}]", 102.0);
	assert_int_equal(q->state, REQUEST_CONFIRMED);

	/* The list may come first: the platform publishes it before it answers. */
	struct request *early = requests_add_token(f->r, &d, AT(102.5), err, sizeof(err));
	requests_mark_sent(f->r, early, 0, AT(102.5));
	feed(f, topic, "[{\"uuid\":\"tok-1\"},{\"uuid\":\"tok-9\"},{\"uuid\":\"tok-10\"}]", 102.6);
	assert_int_equal(early->state, REQUEST_SENT);
	requests_token_response(f->r, early, "tok-10", NULL, AT(102.7));
	assert_int_equal(early->state, REQUEST_CONFIRMED);

	struct token_draft perm = { SYS, "gateway", NULL };
	q = requests_add_token(f->r, &perm, AT(103.0), err, sizeof(err));
	assert_non_null(strstr(q->payload, "createPermanentLocalApiToken"));
	requests_token_response(f->r, q, NULL, "not authorized", AT(104.0));
	assert_int_equal(q->state, REQUEST_ERROR);
	assert_string_equal(q->detail, "not authorized");
}

static void test_timeouts_and_failures(void **state)
{
	struct fixture *f = *state;
	char err[256];
	struct request *q = add_flow(f, "45", err);
	requests_mark_sent(f->r, q, 5, AT(100.0));
	assert_true(requests_tick(f->r, AT(105.0)) == 110.0);
	assert_int_equal(q->state, REQUEST_SENT);
	requests_tick(f->r, AT(110.0));
	assert_int_equal(q->state, REQUEST_TIMED_OUT);
	assert_string_equal(q->detail, "no PUBACK from the broker");

	struct request *p = add_flow(f, "40", err);
	requests_mark_sent(f->r, p, 6, AT(120.0));
	requests_on_publish_failed(f->r, 6, "not authorized", false, AT(120.5));
	assert_int_equal(p->state, REQUEST_FAILED);
	/* Never re-sent automatically. */
	assert_null(requests_next_queued(f->r));

	struct request *c = add_flow(f, "35", err);
	assert_true(requests_cancel(f->r, c->id, AT(121.0)));
	assert_int_equal(c->state, REQUEST_CANCELLED);
	assert_false(requests_cancel(f->r, c->id, AT(122.0)));
	assert_null(requests_next_queued(f->r));
	assert_int_equal(requests_pending(f->r), 0);
	assert_string_equal(request_state_name(REQUEST_PENDING_DEVICE), "pending device");
}

/* The wall clock jumps (NTP, an operator): deadlines run on the monotonic
 * clock, so a jump forward expires nothing and a jump back keeps nothing
 * alive; the wall clock still stamps what is shown and audited. */
static void test_wall_clock_jump_does_not_expire(void **state)
{
	struct fixture *f = *state;
	char err[256];
	struct request *q = add_flow(f, "45", err);
	requests_mark_sent(f->r, q, 5, (struct request_time){ 1700000000.0, 50.0 });
	/* a day later on the wall, one second on the monotonic clock */
	double next = requests_tick(f->r, (struct request_time){ 1700086400.0, 51.0 });
	assert_int_equal(q->state, REQUEST_SENT);
	assert_true(next == 60.0); /* monotonic: sent at 50, PUBACK within 10 s */
	requests_on_delivered(f->r, 5, (struct request_time){ 1700086400.5, 51.5 });
	assert_int_equal(q->state, REQUEST_DELIVERED);
	assert_true(q->changed_at == 1700086400.5);
	/* the wall clock set back an hour: the platform's 20 s still run out */
	requests_tick(f->r, (struct request_time){ 1700082800.0, 71.4 });
	assert_int_equal(q->state, REQUEST_DELIVERED);
	requests_tick(f->r, (struct request_time){ 1700082800.1, 71.5 });
	assert_int_equal(q->state, REQUEST_TIMED_OUT);
	assert_string_equal(q->detail, "no answer from the platform");
}

/* The caller's own deadline (an action's --timeout) ends a request through
 * requests, so its state and the change stamp move together. */
static void test_expire_and_note(void **state)
{
	struct fixture *f = *state;
	char err[256];
	struct request *q = add_flow(f, "45", err);
	uint64_t stamp = requests_stamp(f->r);
	assert_true(requests_expire(f->r, q, "still queued: not connected", AT(130.0)));
	assert_int_equal(q->state, REQUEST_TIMED_OUT);
	assert_string_equal(q->detail, "still queued: not connected");
	assert_true(requests_stamp(f->r) > stamp);
	assert_true(q->changed_at == 130.0);
	/* final stays final */
	assert_false(requests_expire(f->r, q, "again", AT(131.0)));
	assert_string_equal(q->detail, "still queued: not connected");

	struct request *d = add_flow(f, "40", err);
	requests_mark_sent(f->r, d, 9, AT(140.0));
	requests_on_delivered(f->r, 9, AT(140.1));
	stamp = requests_stamp(f->r);
	requests_note(f->r, d, "to the broker");
	assert_string_equal(d->detail, "to the broker");
	assert_true(requests_stamp(f->r) > stamp);
	requests_note(f->r, d, "something else"); /* a detail is never overwritten */
	assert_string_equal(d->detail, "to the broker");

	/* a refusal by the broker is told from a failure of the connection */
	struct request *x = add_flow(f, "35", err), *y = add_flow(f, "30", err);
	requests_mark_sent(f->r, x, 10, AT(150.0));
	requests_mark_sent(f->r, y, 11, AT(150.0));
	requests_on_publish_failed(f->r, 10, "PUBACK 0x97 quota exceeded", true, AT(150.1));
	requests_on_publish_failed(f->r, 11, "connection lost", false, AT(150.1));
	assert_true(x->state == REQUEST_FAILED && x->refused);
	assert_true(y->state == REQUEST_FAILED && !y->refused);
}

/* The lookups the views use: newest first, by kind, by count of state. */
static void test_lookups(void **state)
{
	struct fixture *f = *state;
	char err[256];
	assert_null(requests_for_event(NULL, "ev-1"));
	assert_null(requests_for_event(f->r, NULL));
	struct request *a = requests_add_event_ack(f->r, SYS, "ev-1", AT(100.0), err, sizeof(err));
	struct request *b = requests_add_event_ack(f->r, SYS, "ev-1", AT(101.0), err, sizeof(err));
	struct request *c = requests_add_event_ack(f->r, SYS, "ev-2", AT(102.0), err, sizeof(err));
	assert_ptr_equal(requests_for_event(f->r, "ev-1"), b);
	assert_ptr_equal(requests_for_event(f->r, "ev-2"), c);
	assert_null(requests_for_event(f->r, "ev-3"));
	assert_int_equal(requests_count_state(f->r, REQUEST_QUEUED), 3);
	requests_cancel(f->r, a->id, AT(103.0));
	assert_int_equal(requests_count_state(f->r, REQUEST_QUEUED), 2);
	assert_int_equal(requests_count_state(f->r, REQUEST_CANCELLED), 1);

	/* a receipt adopted from the platform's CREATED */
	struct request *q = add_flow(f, "45", err);
	requests_mark_sent(f->r, q, 1, AT(101.0));
	requests_on_delivered(f->r, 1, AT(101.0));
	assert_null(requests_for_receipt(f->r, "r1"));
	feed(f, SETPOINTS, CREATED, 101.5);
	assert_ptr_equal(requests_for_receipt(f->r, "r1"), q);
	assert_null(requests_for_receipt(f->r, NULL));

	/* the /error record the caller linked */
	struct request *e = add_flow(f, "50", err);
	requests_mark_sent(f->r, e, 2, AT(102.0));
	char topic[256];
	snprintf(topic, sizeof(topic), "%s/error", e->topic);
	feed(f, topic, "{\"message\":\"locked\",\"code\":\"LOCKED\"}", 102.5);
	e->error_record = 42; /* caller's field (action_flow) */
	assert_ptr_equal(requests_for_error_record(f->r, 42), e);
	assert_null(requests_for_error_record(f->r, 0));
	assert_null(requests_for_error_record(f->r, 43));
}

static void test_preview_is_what_add_sends(void **state)
{
	struct fixture *f = *state;
	char err[256], *topic = NULL, *payload = NULL;
	size_t len = 0;
	struct setpoint_draft d = { SYS, "heat-pump", "heating", "flow-temperature-setpoint",
				    "45.5", &FLOW, FORMAT_JSON };
	assert_true(requests_preview_setpoint(f->r, &d, &topic, &payload, &len, err, sizeof(err)));
	assert_int_equal(requests_count(f->r), 0); /* nothing queued by a preview */
	struct request *q = requests_add_setpoint(f->r, &d, AT(1.0), err, sizeof(err));
	assert_non_null(q);
	assert_string_equal(topic, q->topic);
	assert_int_equal(len, q->payload_len);
	assert_memory_equal(payload, q->payload, len);
	assert_non_null(strstr(payload, "\"value\":45.5"));
	free(topic);
	free(payload);
	/* The same refusal as requests_add_setpoint, and nothing allocated. */
	d.value_text = "61";
	topic = payload = NULL;
	assert_false(requests_preview_setpoint(f->r, &d, &topic, &payload, &len, err, sizeof(err)));
	assert_null(topic);
	assert_non_null(strstr(err, "above the maximum 60"));
	/* JSON values: the parsed tree is freed (ASan would see a leak). */
	struct payload_characteristic blob = MODE;
	blob.data_type = DATA_TYPE_JSON;
	d.characteristic = &blob;
	d.value_text = "{\"from\":\"22:00\"}";
	assert_true(requests_preview_setpoint(f->r, &d, &topic, &payload, &len, err, sizeof(err)));
	assert_non_null(strstr(payload, "\"value\":{\"from\":\"22:00\"}"));
	free(topic);
	free(payload);
}

static void test_error_reply_skips_a_setpoint_already_created(void **state)
{
	struct fixture *f = *state;
	char err[256];
	/* The first request is past validation (CREATED, waiting for the
	 * device); a second, bad one on the same topic draws the /error. */
	struct request *a = add_flow(f, "45", err), *b = add_flow(f, "50", err);
	requests_mark_sent(f->r, a, 1, AT(101.0));
	requests_on_delivered(f->r, 1, AT(101.0));
	assert_ptr_equal(feed(f, SETPOINTS, CREATED, 101.5), a);
	assert_int_equal(a->state, REQUEST_PENDING_DEVICE);
	requests_mark_sent(f->r, b, 2, AT(102.0));
	char topic[256];
	snprintf(topic, sizeof(topic), "%s/error", b->topic);
	assert_ptr_equal(feed(f, topic, "{\"message\":\"locked\",\"code\":\"LOCKED\"}", 102.5), b);
	assert_int_equal(a->state, REQUEST_PENDING_DEVICE);
	assert_int_equal(b->state, REQUEST_ERROR);
	/* A second reply finds nobody waiting: nothing changes. */
	assert_null(feed(f, topic, "{\"message\":\"again\"}", 103.0));
	/* The same CREATED again moves nothing either. */
	assert_null(feed(f, SETPOINTS, CREATED, 103.5));
}

static void test_client_refusal_and_token_edges(void **state)
{
	struct fixture *f = *state;
	char err[256];
	struct request *q = add_flow(f, "45", err);
	requests_fail(f->r, q, "not connected: refused by the client", AT(100.0));
	assert_int_equal(q->state, REQUEST_FAILED);
	assert_string_equal(q->detail, "not connected: refused by the client");
	requests_fail(f->r, q, "again", AT(101.0)); /* final stays final */
	assert_string_equal(q->detail, "not connected: refused by the client");
	assert_null(requests_next_queued(f->r));

	/* A token call runs longer than a PUBACK may take: its deadline is the
	 * delivery and platform time-outs together, with its own reason. */
	struct token_draft d = { SYS, "smart-bulb", "1D" };
	struct request *t = requests_add_token(f->r, &d, AT(200.0), err, sizeof(err));
	requests_mark_sent(f->r, t, 0, AT(200.0));
	assert_true(requests_tick(f->r, AT(215.0)) == 230.0);
	assert_int_equal(t->state, REQUEST_SENT);
	requests_tick(f->r, AT(230.0));
	assert_int_equal(t->state, REQUEST_TIMED_OUT);
	assert_string_equal(t->detail, "no answer from the GraphQL endpoint");
	/* The answer after the time-out: the state stays, the uuid is noted. */
	requests_token_response(f->r, t, "tok-late", NULL, AT(231.0));
	assert_int_equal(t->state, REQUEST_TIMED_OUT);
	assert_string_equal(t->target, "tok-late");

	struct request *u = requests_add_token(f->r, &d, AT(300.0), err, sizeof(err));
	requests_token_response(f->r, u, "tok-2", NULL, AT(301.0));
	requests_tick(f->r, AT(321.0));
	assert_int_equal(u->state, REQUEST_TIMED_OUT);
	assert_string_equal(u->detail, "the token never appeared in the token list");
}


/* ---- schema-shaped setpoints (§3.11: no codes, the system in the topic) --- */

/* A setpoint exactly as the reference shapes it, created at `time`. */
static struct request *feed_schema(struct fixture *f, const char *receipt, const char *value,
				   const char *state, double time, double now)
{
	char iso[40], payload[512];
	time_format_iso8601(time, iso, sizeof(iso));
	snprintf(payload, sizeof(payload),
		 "{\"uuid\":\"u-%s\",\"receiptId\":\"%s\",\"timeStreamUuid\":\"ts-flow\","
		 "\"time\":\"%s\",\"type\":\"FLOAT\",\"value\":%s,\"state\":\"%s\"%s}",
		 receipt, receipt, iso, value, state,
		 strcmp(state, "REJECTED") == 0 ? ",\"message\":\"compressor locked\"" : "");
	return feed(f, SETPOINTS, payload, now);
}

static struct request *sent_flow(struct fixture *f, const char *value, int token, double at)
{
	char err[256];
	struct request *q = add_flow(f, value, err);
	assert_non_null(q);
	requests_mark_sent(f->r, q, token, AT(at));
	requests_on_delivered(f->r, token, AT(at + 0.1));
	return q;
}

static void test_schema_setpoint_adopted_by_system_value_time(void **state)
{
	struct fixture *f = *state;
	double t0 = 1700000000.0; /* real epoch times: the payload's time is ISO-8601 */
	struct request *q = sent_flow(f, "45", 1, t0);
	assert_ptr_equal(feed_schema(f, "r1", "45", "CREATED", t0 + 0.2, t0 + 0.3), q);
	assert_int_equal(q->state, REQUEST_PENDING_DEVICE);
	assert_string_equal(q->receipt_id, "r1");
	/* ACCEPTED follows the receipt: no value or time needed any more. */
	assert_ptr_equal(feed(f, SETPOINTS, "{\"receiptId\":\"r1\",\"state\":\"ACCEPTED\",\"message\":\"applied\"}",
			      t0 + 1.0), q);
	assert_int_equal(q->state, REQUEST_CONFIRMED);
	assert_false(q->late);
	assert_string_equal(request_state_label(q), "confirmed");

	/* REJECTED by receipt, with the device's message. */
	struct request *p = sent_flow(f, "57.5", 2, t0 + 10);
	assert_ptr_equal(feed_schema(f, "r2", "57.5", "CREATED", t0 + 10.1, t0 + 10.2), p);
	assert_ptr_equal(feed_schema(f, "r2", "57.5", "REJECTED", t0 + 10.1, t0 + 11), p);
	assert_int_equal(p->state, REQUEST_REJECTED);
	assert_string_equal(p->detail, "compressor locked");
	/* The same receipt again moves nothing (the request has ended). */
	assert_null(feed_schema(f, "r2", "57.5", "ACCEPTED", t0 + 10.1, t0 + 12));
	assert_int_equal(p->state, REQUEST_REJECTED);
}

static void test_schema_setpoint_from_someone_else(void **state)
{
	struct fixture *f = *state;
	double t0 = 1700000000.0;
	struct request *q = sent_flow(f, "45", 1, t0);
	/* another value */
	assert_null(feed_schema(f, "x1", "30", "CREATED", t0 + 0.2, t0 + 0.3));
	/* the same value, created well before our publish (beyond the skew) */
	assert_null(feed_schema(f, "x2", "45", "CREATED", t0 - REQUESTS_CLOCK_SKEW_S - 1, t0 + 0.4));
	/* another system's setpoint topic */
	assert_null(feed(f, "drivr/v1/adam/systems/other-system/setpoints",
			 "{\"receiptId\":\"x3\",\"value\":45,\"state\":\"CREATED\"}", t0 + 0.5));
	/* another type (we know ours is FLOAT from the catalogue) */
	assert_null(feed(f, SETPOINTS, "{\"receiptId\":\"x4\",\"type\":\"STRING\",\"value\":45}", t0 + 0.6));
	/* a code (extension) that is not ours */
	assert_null(feed(f, SETPOINTS, "{\"receiptId\":\"x5\",\"value\":45,\"characteristicCode\":\"other\"}",
			 t0 + 0.7));
	assert_int_equal(q->state, REQUEST_DELIVERED);
	assert_null(q->receipt_id);
	/* Within the skew it is still ours. */
	assert_ptr_equal(feed_schema(f, "r1", "45", "CREATED", t0 - 2, t0 + 0.8), q);
}

static void test_time_stream_uuid_once_learned(void **state)
{
	struct fixture *f = *state;
	double t0 = 1700000000.0;
	/* A datapoint names ts-mode both ways: from now on the console knows it. */
	char dp_topic[256];
	snprintf(dp_topic, sizeof(dp_topic), "drivr/v1/adam/input/datapoint/%s/json", SYS);
	feed(f, dp_topic,
	     "{\"timeStreamUuid\":\"ts-mode\",\"componentCode\":\"heat-pump\",\"serviceCode\":\"heating\","
	     "\"characteristicCode\":\"operating-mode\",\"value\":\"AUTO\"}",
	     t0 - 1);
	struct request *q = sent_flow(f, "45", 1, t0);
	/* Same system, value and time, but the uuid names another series. */
	assert_null(feed(f, SETPOINTS, "{\"receiptId\":\"x1\",\"timeStreamUuid\":\"ts-mode\",\"value\":45}",
			 t0 + 0.2));
	/* An uuid never learned says nothing: adopted on the rest. */
	assert_ptr_equal(feed(f, SETPOINTS, "{\"receiptId\":\"r1\",\"timeStreamUuid\":\"ts-new\",\"value\":45}",
			      t0 + 0.3), q);

	/* SELECT: the reference delivers the option as a one-element array. */
	char err[256];
	struct setpoint_draft d = { SYS, "heat-pump", "heating", "operating-mode", "AUTO", &MODE,
				    FORMAT_JSON };
	struct request *m = requests_add_setpoint(f->r, &d, AT(t0), err, sizeof(err));
	requests_mark_sent(f->r, m, 2, AT(t0 + 1));
	assert_ptr_equal(feed(f, SETPOINTS,
			      "{\"receiptId\":\"r2\",\"timeStreamUuid\":\"ts-mode\",\"type\":\"STRING\","
			      "\"value\":[\"AUTO\"]}",
			      t0 + 1.2),
			 m);
}

static void test_two_requests_same_value(void **state)
{
	struct fixture *f = *state;
	double t0 = 1700000000.0;
	struct request *a = sent_flow(f, "45", 1, t0), *b = sent_flow(f, "45", 2, t0 + 0.1);
	/* The platform's setpoints cannot tell them apart: the oldest first. */
	assert_ptr_equal(feed_schema(f, "r1", "45", "CREATED", t0 + 0.2, t0 + 0.3), a);
	/* r1 is a's: its ACCEPTED never goes to b, even though b would fit. */
	assert_ptr_equal(feed_schema(f, "r1", "45", "ACCEPTED", t0 + 0.2, t0 + 0.4), a);
	assert_int_equal(b->state, REQUEST_DELIVERED);
	assert_null(b->receipt_id);
	assert_ptr_equal(feed_schema(f, "r2", "45", "CREATED", t0 + 0.3, t0 + 0.5), b);
	assert_string_equal(b->receipt_id, "r2");
	assert_string_equal(a->receipt_id, "r1");
	assert_int_equal(a->state, REQUEST_CONFIRMED);
}

static void test_timed_out_then_answered_is_late(void **state)
{
	struct fixture *f = *state;
	double t0 = 1700000000.0;
	/* CREATED in time, the device answers after the time-out. */
	struct request *q = sent_flow(f, "45", 1, t0);
	feed_schema(f, "r1", "45", "CREATED", t0 + 0.2, t0 + 0.3);
	requests_tick(f->r, AT(t0 + 0.3 + 60));
	assert_int_equal(q->state, REQUEST_TIMED_OUT);
	assert_false(q->late);
	assert_ptr_equal(feed_schema(f, "r1", "45", "ACCEPTED", t0 + 0.2, t0 + 90), q);
	assert_int_equal(q->state, REQUEST_CONFIRMED);
	assert_true(q->late);
	assert_string_equal(request_state_label(q), "confirmed (late)");
	assert_null(feed_schema(f, "r1", "45", "REJECTED", t0 + 0.2, t0 + 91)); /* once */

	/* Timed out before the platform created it: adopted late, then
	 * REJECTED late. */
	struct request *p = sent_flow(f, "50", 2, t0 + 100);
	requests_tick(f->r, AT(t0 + 100.1 + 20));
	assert_int_equal(p->state, REQUEST_TIMED_OUT);
	assert_ptr_equal(feed_schema(f, "r2", "50", "CREATED", t0 + 100.5, t0 + 125), p);
	assert_int_equal(p->state, REQUEST_TIMED_OUT);
	assert_string_equal(p->receipt_id, "r2");
	assert_ptr_equal(feed_schema(f, "r2", "50", "REJECTED", t0 + 100.5, t0 + 126), p);
	assert_int_equal(p->state, REQUEST_REJECTED);
	assert_true(p->late);
	assert_string_equal(request_state_label(p), "rejected (late)");

	/* A waiting request takes a matching setpoint before a timed-out one. */
	struct request *old = sent_flow(f, "40", 3, t0 + 200);
	requests_tick(f->r, AT(t0 + 200.1 + 20));
	struct request *fresh = sent_flow(f, "40", 4, t0 + 221);
	assert_ptr_equal(feed_schema(f, "r3", "40", "CREATED", t0 + 221.2, t0 + 221.3), fresh);
	assert_null(old->receipt_id);

	/* An /error reply after the time-out: error (late). */
	struct request *e = sent_flow(f, "35", 5, t0 + 300);
	requests_tick(f->r, AT(t0 + 300.1 + 20));
	char topic[256];
	snprintf(topic, sizeof(topic), "%s/error", e->topic);
	struct request *got = feed(f, topic, "{\"message\":\"locked\",\"code\":\"LOCKED\"}", t0 + 330);
	assert_non_null(got);
	assert_int_equal(got->state, REQUEST_ERROR);
	assert_true(got->late);
	assert_string_equal(request_state_label(got), "error (late)");

	/* Past the late window nothing is adopted any more. */
	struct request *w = sent_flow(f, "30", 6, t0 + 400);
	requests_tick(f->r, AT(t0 + 400.1 + 20));
	assert_null(feed_schema(f, "r6", "30", "CREATED", t0 + 401, t0 + 420.1 + 301));
	assert_int_equal(w->state, REQUEST_TIMED_OUT);
}

/* The checks the one-shot actions make before connecting. */
static void test_uuid_and_duration_checks(void **state)
{
	(void)state;
	char err[256];
	assert_true(requests_check_uuid(SYS, err, sizeof(err)));
	assert_true(requests_check_uuid("792B6149-1DAA-488F-B07A-F684503B0586", err, sizeof(err)));
	const char *bad_ids[] = { "", "demo", "792b6149-1daa-488f-b07a-f684503b058",
				  "792b6149-1daa-488f-b07a-f684503b05866", "792b6149x1daa-488f-b07a-f684503b0586",
				  "g92b6149-1daa-488f-b07a-f684503b0586" };
	for (size_t i = 0; i < sizeof(bad_ids) / sizeof(bad_ids[0]); i++) {
		assert_false(requests_check_uuid(bad_ids[i], err, sizeof(err)));
		assert_non_null(strstr(err, "is not a UUID"));
	}
	assert_false(requests_check_uuid(NULL, err, sizeof(err)));

	const char *good[] = { "1D", "12H", "30M", "45S", "2W", "1d", "3600", "P1D", "P1DT2H",
			       "PT30M", "P2W", "PT1H30M15S" };
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		assert_true(requests_check_duration(good[i], err, sizeof(err)));
	const char *malformed[] = { "", "3X", "D", "1DD", "1.5D", "P", "PT", "P1DT", "P1H",
				    "PT1D", "P1D2", "-1D", "1 D", "9999999999" };
	for (size_t i = 0; i < sizeof(malformed) / sizeof(malformed[0]); i++) {
		assert_false(requests_check_duration(malformed[i], err, sizeof(err)));
		assert_non_null(strstr(err, "is not a duration"));
	}
	assert_false(requests_check_duration(NULL, err, sizeof(err)));
	const char *zero[] = { "0", "0D", "PT0S", "P0D" };
	for (size_t i = 0; i < sizeof(zero) / sizeof(zero[0]); i++) {
		assert_false(requests_check_duration(zero[i], err, sizeof(err)));
		assert_non_null(strstr(err, "is no lifetime"));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_value_by_type),
		cmocka_unit_test(test_parse_value_unknown_type_keeps_limits),
		cmocka_unit_test_setup_teardown(test_setpoint_built_from_the_table, setup, teardown),
		cmocka_unit_test_setup_teardown(test_setpoint_accepted, setup, teardown),
		cmocka_unit_test_setup_teardown(test_setpoint_rejected_with_message, setup, teardown),
		cmocka_unit_test_setup_teardown(test_error_reply_ends_the_oldest_on_that_topic, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_event_ack_confirmed_by_republish, setup, teardown),
		cmocka_unit_test_setup_teardown(test_token_confirmed_by_token_list, setup, teardown),
		cmocka_unit_test_setup_teardown(test_timeouts_and_failures, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wall_clock_jump_does_not_expire, setup, teardown),
		cmocka_unit_test_setup_teardown(test_expire_and_note, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lookups, setup, teardown),
		cmocka_unit_test_setup_teardown(test_preview_is_what_add_sends, setup, teardown),
		cmocka_unit_test_setup_teardown(test_error_reply_skips_a_setpoint_already_created, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_client_refusal_and_token_edges, setup, teardown),
		cmocka_unit_test_setup_teardown(test_schema_setpoint_adopted_by_system_value_time, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_schema_setpoint_from_someone_else, setup, teardown),
		cmocka_unit_test_setup_teardown(test_time_stream_uuid_once_learned, setup, teardown),
		cmocka_unit_test_setup_teardown(test_two_requests_same_value, setup, teardown),
		cmocka_unit_test_setup_teardown(test_timed_out_then_answered_is_late, setup, teardown),
		cmocka_unit_test(test_uuid_and_duration_checks),
	};
	return cmocka_run_group_tests_name("requests", tests, NULL, NULL);
}
