/* Unit tests: payload — every builder's output, serialised as JSON and (for
 * input families) as MessagePack, goes through the real topic table
 * (topic_build → topic_match) and decode_payload() and comes back as the
 * struct it was built from.  Plus the characteristic catalogue read-back,
 * the datapoint fast path against the tree builder, and escaping. */
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

#include "decode.h"
#include "payload.h"
#include "support.h"
#include "topics.h"
#include "util.h"

#define SLUG "adam"
#define SYS "792b6149-1daa-488f-b07a-f684503b0586"
#define OTHER "24ee14a3-f1c8-49aa-95fc-ad0432e23b99"
#define T0 1640995200.125 /* 2022-01-01T00:00:00.125Z: milliseconds survive */
#define T1 1640998800.5

/* ---- helpers ------------------------------------------------------------ */

struct rt {
	struct topic_table *topics;
	char topic[512];
	struct topic_match match;
	struct payload_buf buf;
	struct decode_result r;
};

static int setup(void **state)
{
	struct rt *t = calloc(1, sizeof(*t));
	t->topics = topics_new();
	*state = t;
	return 0;
}

static int teardown(void **state)
{
	struct rt *t = *state;
	decode_result_free(&t->r);
	payload_buf_free(&t->buf);
	topics_free(t->topics);
	free(t);
	return 0;
}

/* Builds the topic of `family`, matches it back, serialises root in fmt and
 * decodes it: the result is in t->r (must decode).  Takes root. */
#define roundtrip(t, family, ids, fmt, root) roundtrip_at((t), (family), (ids), (fmt), (root), __LINE__)

static void roundtrip_at(struct rt *t, enum topic_family family, const struct topic_ids *ids,
			 enum payload_format fmt, cJSON *root, int line)
{
	decode_result_free(&t->r);
	int n = topic_build(t->topics, family, ids, fmt, t->topic, sizeof(t->topic));
	if (n < 0)
		fail_msg("line %d: topic_build failed for %s", line, topic_family_name(family));
	topic_match(t->topics, t->topic, (size_t)n, &t->match);
	if (t->match.family != family)
		fail_msg("line %d: %s matched as %s", line, t->topic,
			 topic_family_name(t->match.family));
	assert_true(payload_serialize(root, fmt, &t->buf));
	cJSON_Delete(root);
	if (!decode_payload(&t->match, t->buf.data, t->buf.len, NULL, &t->r))
		fail_msg("line %d: %s does not decode: %s: %s", line, t->topic, t->r.error_field,
			 t->r.error_message);
	if (t->r.warning_message[0])
		fail_msg("line %d: warning %s: %s", line, t->r.warning_field, t->r.warning_message);
}

#define assert_time(a, b) assert_time_at((a), (b), __LINE__)

static void assert_time_at(double a, double b, int line)
{
	if ((a == TIME_UNKNOWN) != (b == TIME_UNKNOWN) || fabs(a - b) > 1e-3)
		fail_msg("line %d: time %.4f != %.4f", line, a, b);
}

static struct topic_ids ids_system(void)
{
	struct topic_ids ids = { { NULL } };
	ids.v[TOPIC_ID_SLUG] = SLUG;
	ids.v[TOPIC_ID_SYSTEM_UUID] = SYS;
	return ids;
}

static struct stream_address address_codes(void)
{
	struct stream_address a;
	memset(&a, 0, sizeof(a));
	a.system_uuid = SYS;
	a.component_code = "heat-pump-1";
	a.service_code = "heating";
	a.characteristic_code = "flow-temperature-setpoint";
	a.service_index = -1;
	return a;
}

/* ---- information topics ------------------------------------------------- */

static void test_domain(void **state)
{
	struct rt *t = *state;
	struct upd_domain d = { OTHER, SLUG, "Adam's domain", "ACTIVATED", SYS, T0, T1 };
	const char *hosts[] = { "https://api.adam.drivr.cloud" };
	struct payload_extra x;
	payload_extra_init(&x);
	x.host_names = hosts;
	x.host_name_count = 1;
	struct topic_ids ids = { { NULL } };
	ids.v[TOPIC_ID_SLUG] = SLUG;
	roundtrip(t, TOPIC_DOMAIN, &ids, FORMAT_JSON, payload_build_domain(&d, &x));
	const struct upd_domain *u = &t->r.u.domain;
	assert_str(u->uuid, d.uuid);
	assert_str(u->slug, d.slug);
	assert_str(u->name, d.name);
	assert_str(u->status, d.status);
	assert_str(u->owner_uuid, d.owner_uuid);
	assert_time(u->created_at, T0);
	assert_time(u->updated_at, T1);
	const cJSON *h = cJSON_GetObjectItem(t->r.root, "hostNames");
	assert_int_equal(cJSON_GetArraySize(h), 1);
}

static void test_state(void **state)
{
	struct rt *t = *state;
	struct topic_ids ids = ids_system();
	roundtrip(t, TOPIC_SYSTEM_STATE, &ids, FORMAT_JSON, payload_build_state("ACTIVATED"));
	assert_str(t->r.u.state.state, "ACTIVATED");
}

static void test_organization(void **state)
{
	struct rt *t = *state;
	struct upd_organization o = { OTHER, "Acme Ltd", "acme", SYS, "ACTIVATED", T0, T1 };
	struct payload_kv md[] = { { "region", "north" } };
	struct payload_extra x;
	payload_extra_init(&x);
	x.metadata = md;
	x.metadata_count = 1;
	x.owner_uuid = SYS;
	struct topic_ids ids = { { NULL } };
	ids.v[TOPIC_ID_SLUG] = SLUG;
	ids.v[TOPIC_ID_ORGANIZATION_UUID] = OTHER;
	roundtrip(t, TOPIC_ORGANIZATION, &ids, FORMAT_JSON, payload_build_organization(&o, &x));
	const struct upd_organization *u = &t->r.u.organization;
	assert_str(u->uuid, o.uuid);
	assert_str(u->name, o.name);
	assert_str(u->alias, o.alias);
	assert_str(u->domain_uuid, o.domain_uuid);
	assert_str(u->status, o.status);
	assert_time(u->created_at, T0);
	const cJSON *m = cJSON_GetObjectItem(t->r.root, "metadata");
	assert_str(cJSON_GetStringValue(cJSON_GetObjectItem(m, "region")), "north");
	assert_str(cJSON_GetStringValue(cJSON_GetObjectItem(t->r.root, "ownerUuid")), SYS);
}

static void test_system(void **state)
{
	struct rt *t = *state;
	struct upd_system s = { SYS,	      "hp-0001.example.com", "Heat pump house 1",
				"Demo system", "PARTIALLY_CONNECTED", "ACTIVATED",
				OTHER,	      OTHER,		    T0,
				T0,	      T1 };
	struct topic_ids ids = ids_system();
	roundtrip(t, TOPIC_SYSTEM, &ids, FORMAT_JSON, payload_build_system(&s, NULL));
	const struct upd_system *u = &t->r.u.system;
	assert_str(u->uuid, s.uuid);
	assert_str(u->code, s.code);
	assert_str(u->name, s.name);
	assert_str(u->description, s.description);
	assert_str(u->connection_state, s.connection_state);
	assert_str(u->status, s.status);
	assert_str(u->domain_uuid, s.domain_uuid);
	assert_str(u->owner_uuid, s.owner_uuid);
	assert_time(u->connection_state_updated_at, T0);
	assert_time(u->created_at, T0);
	assert_time(u->updated_at, T1);
	/* metadata is always an object (of strings) */
	assert_true(cJSON_IsObject(cJSON_GetObjectItem(t->r.root, "metadata")));
}

static void test_component(void **state)
{
	struct rt *t = *state;
	struct upd_component c = { OTHER,	"battery-1", "Battery 1", SYS, SYS,
				   "DISCONNECTED", "ACTIVATED", T1,	   T0,	T1 };
	struct topic_ids ids = ids_system();
	ids.v[TOPIC_ID_COMPONENT_CODE] = "battery-1";
	roundtrip(t, TOPIC_COMPONENT, &ids, FORMAT_JSON, payload_build_component(&c, NULL));
	const struct upd_component *u = &t->r.u.component;
	assert_str(u->uuid, c.uuid);
	assert_str(u->code, c.code);
	assert_str(u->name, c.name);
	assert_str(u->component_model_uuid, c.component_model_uuid);
	assert_str(u->system_uuid, c.system_uuid);
	assert_str(u->connection_state, c.connection_state);
	assert_str(u->status, c.status);
	assert_time(u->connection_state_updated_at, T1);
	assert_time(u->created_at, T0);
}

static const char *const modes[] = { "OFF", "HEATING", "AUTO" };
static const struct payload_characteristic hp_chars[] = {
	{ "flow-temperature", "Flow temperature", DATA_TYPE_FLOAT, CHARACTERISTIC_MEASUREMENT,
	  "°C", NAN, NAN, NAN, NULL, 0 },
	{ "flow-temperature-setpoint", "Flow temperature setpoint", DATA_TYPE_FLOAT,
	  CHARACTERISTIC_SETTING, "°C", 25, 60, 0.5, NULL, 0 },
	{ "operating-mode", "Operating mode", DATA_TYPE_SELECT, CHARACTERISTIC_SETTING, NULL, NAN,
	  NAN, NAN, modes, 3 },
};
static const struct payload_characteristic status_chars[] = {
	{ "state-text", "State", DATA_TYPE_STRING, CHARACTERISTIC_MEASUREMENT, NULL, NAN, NAN, NAN,
	  NULL, 0 },
};
static const struct payload_service hp_services[] = {
	{ "heating", "Heating", hp_chars, 3 },
	{ "status", "Status", status_chars, 1 },
};

static void test_component_model_and_catalogue(void **state)
{
	struct rt *t = *state;
	struct upd_component_model m = { OTHER,	   "heat-pump", "Heat pump", "An air/water heat pump",
					 "DEVICE", "ACTIVATED", 1,	     T0,
					 T1 };
	struct payload_extra x;
	payload_extra_init(&x);
	x.services = hp_services;
	x.service_count = 2;
	x.domain_uuid = SYS;
	struct topic_ids ids = { { NULL } };
	ids.v[TOPIC_ID_SLUG] = SLUG;
	ids.v[TOPIC_ID_COMPONENT_MODEL_UUID] = OTHER;
	roundtrip(t, TOPIC_COMPONENT_MODEL, &ids, FORMAT_JSON, payload_build_component_model(&m, &x));
	const struct upd_component_model *u = &t->r.u.component_model;
	assert_str(u->uuid, m.uuid);
	assert_str(u->code, m.code);
	assert_str(u->name, m.name);
	assert_str(u->description, m.description);
	assert_str(u->component_type, m.component_type);
	assert_str(u->status, m.status);
	assert_int_equal(u->is_connective, 1);
	assert_time(u->updated_at, T1);

	struct payload_catalogue cat;
	assert_true(payload_catalogue_read(t->r.root, &cat));
	assert_int_equal(cat.service_count, 2);
	assert_str(cat.services[0].code, "heating");
	assert_int_equal(cat.services[0].characteristic_count, 3);
	assert_int_equal(cat.services[1].characteristic_count, 1);
	const struct payload_characteristic *sp = &cat.services[0].characteristics[1];
	assert_str(sp->code, "flow-temperature-setpoint");
	assert_int_equal(sp->data_type, DATA_TYPE_FLOAT);
	assert_int_equal(sp->kind, CHARACTERISTIC_SETTING);
	assert_str(sp->symbol, "°C");
	assert_true(sp->min == 25 && sp->max == 60 && sp->step == 0.5);
	const struct payload_characteristic *mt = &cat.services[0].characteristics[0];
	assert_true(isnan(mt->min) && isnan(mt->max) && isnan(mt->step));
	assert_int_equal(mt->kind, CHARACTERISTIC_MEASUREMENT);
	const struct payload_characteristic *sel = &cat.services[0].characteristics[2];
	assert_int_equal(sel->data_type, DATA_TYPE_SELECT);
	assert_int_equal(sel->valid_value_count, 3);
	assert_str(sel->valid_values[2], "AUTO");
	assert_str(cat.services[1].characteristics[0].code, "state-text");
	assert_int_equal(cat.services[1].characteristics[0].data_type, DATA_TYPE_STRING);
	payload_catalogue_free(&cat);

	/* A model without the extension: no catalogue, nothing allocated. */
	cJSON *plain = payload_build_component_model(&m, NULL);
	assert_false(payload_catalogue_read(plain, &cat));
	assert_int_equal(cat.service_count, 0);
	payload_catalogue_free(&cat);
	cJSON_Delete(plain);

	/* Hostile shapes are skipped, not trusted. */
	cJSON *bad = cJSON_Parse("{\"services\":[1,{\"code\":2,\"characteristics\":[\"x\",{"
				 "\"code\":\"c\",\"dataType\":\"NOPE\",\"boundaryMin\":\"1\","
				 "\"validValues\":[3,\"A\"]}]}]}");
	assert_true(payload_catalogue_read(bad, &cat));
	assert_int_equal(cat.service_count, 1);
	assert_null(cat.services[0].code);
	assert_int_equal(cat.services[0].characteristic_count, 1);
	assert_int_equal(cat.services[0].characteristics[0].data_type, DATA_TYPE_COUNT);
	assert_true(isnan(cat.services[0].characteristics[0].min));
	assert_int_equal(cat.services[0].characteristics[0].valid_value_count, 1);
	payload_catalogue_free(&cat);
	cJSON_Delete(bad);
}

static void test_event_model(void **state)
{
	struct rt *t = *state;
	struct upd_event_model m = { OTHER,	"OVERHEAT", "WARNING", "RANGED", "COMPONENT",
				     "Too hot", "ACTIVATED", 0,	      T0,	T1 };
	struct topic_ids ids = { { NULL } };
	ids.v[TOPIC_ID_SLUG] = SLUG;
	ids.v[TOPIC_ID_EVENT_MODEL_UUID] = OTHER;
	roundtrip(t, TOPIC_EVENT_MODEL, &ids, FORMAT_JSON, payload_build_event_model(&m, NULL));
	const struct upd_event_model *u = &t->r.u.event_model;
	assert_str(u->uuid, m.uuid);
	assert_str(u->code, m.code);
	assert_str(u->event_level, m.event_level);
	assert_str(u->event_type, m.event_type);
	assert_str(u->entity_type, m.entity_type);
	assert_str(u->message, m.message);
	assert_str(u->status, m.status);
	assert_int_equal(u->limit_to_prototypes, 0);
}

static void test_event(void **state)
{
	struct rt *t = *state;
	struct upd_event e = { OTHER, SYS, SYS, "RESOLVED", 1, T0, T1, T0, T1 };
	struct payload_extra x;
	payload_extra_init(&x);
	x.acknowledged_at = T1;
	struct topic_ids ids = ids_system();
	ids.v[TOPIC_ID_EVENT_UUID] = OTHER;
	roundtrip(t, TOPIC_EVENT, &ids, FORMAT_JSON, payload_build_event(&e, &x));
	const struct upd_event *u = &t->r.u.event;
	assert_str(u->uuid, e.uuid);
	assert_str(u->event_model_uuid, e.event_model_uuid);
	assert_str(u->entity_uuid, e.entity_uuid);
	assert_str(u->status, e.status);
	assert_int_equal(u->acknowledged, 1);
	assert_time(u->time, T0);
	assert_time(u->end_time, T1);
	assert_time(u->created_at, T0);
	assert_time(u->updated_at, T1);
	assert_non_null(cJSON_GetObjectItem(t->r.root, "acknowledgedAt"));

	/* SINGLE_POINT: no status, no end time; those members are absent. */
	struct upd_event sp = { OTHER, SYS, SYS, NULL, 0, T0, TIME_UNKNOWN, T0, T0 };
	roundtrip(t, TOPIC_EVENT, &ids, FORMAT_JSON, payload_build_event(&sp, NULL));
	assert_null(t->r.u.event.status);
	assert_time(t->r.u.event.end_time, TIME_UNKNOWN);
	assert_int_equal(t->r.u.event.acknowledged, 0);
	assert_null(cJSON_GetObjectItem(t->r.root, "endTime"));
	assert_null(cJSON_GetObjectItem(t->r.root, "acknowledgedAt"));
}

static void test_setpoint(void **state)
{
	struct rt *t = *state;
	struct upd_setpoint s;
	memset(&s, 0, sizeof(s));
	s.addr = address_codes();
	s.addr.time_stream_uuid = OTHER;
	s.uuid = SYS;
	s.receipt_id = "0f4c2a9e-3d71-4b8a-a6e5-9c2b1d7f8e30";
	s.type = "FLOAT";
	s.state = "REJECTED";
	s.message = "above 55 °C needs the legionella programme";
	s.time = T0;
	s.value.type = VALUE_NUMBER;
	s.value.number = 57.5;
	struct topic_ids ids = ids_system();
	roundtrip(t, TOPIC_SETPOINT, &ids, FORMAT_JSON, payload_build_setpoint(&s));
	const struct upd_setpoint *u = &t->r.u.setpoint;
	address_assert_equal(&u->addr, &s.addr);
	assert_str(u->uuid, s.uuid);
	assert_str(u->receipt_id, s.receipt_id);
	assert_str(u->type, s.type);
	assert_str(u->state, s.state);
	assert_str(u->message, s.message);
	assert_time(u->time, T0);
	value_assert_equal(&u->value, &s.value);
}

static void test_tokens(void **state)
{
	struct rt *t = *state;
	struct token_role roles[] = { { OTHER, "System Maintainer" }, { SYS, "Viewer" } };
	struct token tokens[2];
	memset(tokens, 0, sizeof(tokens));
	tokens[0] = (struct token){ OTHER, "ACTIVATED", SYS, "CLOUD-eyJ.a.b", OTHER, "Ada Lovelace",
				    "USER", T0, T1, T0, 2, roles };
	tokens[1] = (struct token){ SYS, "ACTIVATED", SYS, "CLOUD-eyJ.c.d", NULL, NULL,
				    NULL, T0, TIME_UNKNOWN, T0, 0, NULL };
	struct topic_ids ids = ids_system();
	roundtrip(t, TOPIC_LOCAL_API_TOKENS, &ids, FORMAT_JSON, payload_build_tokens(tokens, 2));
	const struct upd_tokens *u = &t->r.u.tokens;
	assert_int_equal(u->count, 2);
	for (size_t i = 0; i < 2; i++) {
		assert_str(u->items[i].uuid, tokens[i].uuid);
		assert_str(u->items[i].status, tokens[i].status);
		assert_str(u->items[i].system_uuid, tokens[i].system_uuid);
		assert_str(u->items[i].token, tokens[i].token);
		assert_str(u->items[i].subject_uuid, tokens[i].subject_uuid);
		assert_str(u->items[i].subject_name, tokens[i].subject_name);
		assert_str(u->items[i].subject_type, tokens[i].subject_type);
		assert_time(u->items[i].created_at, tokens[i].created_at);
		assert_time(u->items[i].expires_at, tokens[i].expires_at);
		assert_time(u->items[i].not_before, tokens[i].not_before);
		assert_int_equal(u->items[i].role_count, tokens[i].role_count);
	}
	assert_str(u->items[0].roles[1].name, "Viewer");
	assert_str(u->items[0].roles[0].uuid, OTHER);

	/* An empty list is an empty array, not a deletion. */
	roundtrip(t, TOPIC_LOCAL_API_TOKENS, &ids, FORMAT_JSON, payload_build_tokens(NULL, 0));
	assert_false(t->r.deleted);
	assert_int_equal(t->r.u.tokens.count, 0);
}

static void test_jwks(void **state)
{
	struct rt *t = *state;
	struct jwk k = { "sim-1", "RSA", "RS256", "sig", "0vx7agoebGcQSuu", "AQAB" };
	struct topic_ids ids = { { NULL } };
	ids.v[TOPIC_ID_SLUG] = SLUG;
	roundtrip(t, TOPIC_JWKS, &ids, FORMAT_JSON, payload_build_jwks(&k, 1));
	const struct upd_jwks *u = &t->r.u.jwks;
	assert_int_equal(u->count, 1);
	assert_str(u->items[0].kid, k.kid);
	assert_str(u->items[0].kty, k.kty);
	assert_str(u->items[0].alg, k.alg);
	assert_str(u->items[0].use, k.use);
	assert_str(u->items[0].n, k.n);
	assert_str(u->items[0].e, k.e);
}

/* An /error reply to a setpoint input: through the error row, JSON and
 * MessagePack (a reply to a .../msgpack input is tried as MessagePack). */
static void test_error_reply(void **state)
{
	struct rt *t = *state;
	static const enum payload_format fmts[] = { FORMAT_JSON, FORMAT_MSGPACK };
	for (size_t i = 0; i < ARRAY_LEN(fmts); i++) {
		char input[256], topic[300];
		struct topic_ids ids = ids_system();
		int n = topic_build(t->topics, TOPIC_SETPOINT_INPUT, &ids, fmts[i], input,
				    sizeof(input));
		assert_true(n > 0);
		snprintf(topic, sizeof(topic), "%s/error", input);
		topic_match(t->topics, topic, strlen(topic), &t->match);
		assert_int_equal(t->match.family, TOPIC_ERROR_REPLY);
		assert_int_equal(t->match.answers_family, TOPIC_SETPOINT_INPUT);
		struct upd_error_reply e = { ERROR_PAYLOAD_JSON, "value 70 is above the maximum 60",
					     "OUT_OF_RANGE" };
		cJSON *root = payload_build_error_reply(&e);
		assert_true(payload_serialize(root, fmts[i], &t->buf));
		cJSON_Delete(root);
		decode_result_free(&t->r);
		assert_true(decode_payload(&t->match, t->buf.data, t->buf.len, NULL, &t->r));
		assert_int_equal(t->r.u.error_reply.kind, ERROR_PAYLOAD_JSON);
		assert_str(t->r.u.error_reply.message, e.message);
		assert_str(t->r.u.error_reply.code, e.code);
	}
}

/* ---- inputs, JSON and MessagePack ---------------------------------------- */

static const enum payload_format both[] = { FORMAT_JSON, FORMAT_MSGPACK };

static void test_setpoint_input(void **state)
{
	struct rt *t = *state;
	cJSON *options = cJSON_Parse("[\"HEATING\"]");
	struct upd_setpoint_input values[4];
	memset(values, 0, sizeof(values));
	for (size_t i = 0; i < 4; i++)
		values[i].addr = address_codes();
	values[0].value = (struct value){ VALUE_NUMBER, 42.5, false, false, NULL, NULL };
	values[1].value = (struct value){ VALUE_NUMBER, 3, true, false, NULL, NULL };
	values[2].value = (struct value){ VALUE_BOOL, 0, false, true, NULL, NULL };
	values[3].value = (struct value){ VALUE_JSON, 0, false, false, NULL, options };
	values[3].addr.time_stream_uuid = OTHER;
	values[3].addr.service_index = 2;
	for (size_t f = 0; f < ARRAY_LEN(both); f++) {
		for (size_t i = 0; i < 4; i++) {
			struct topic_ids ids = ids_system();
			roundtrip(t, TOPIC_SETPOINT_INPUT, &ids, both[f],
				  payload_build_setpoint_input(&values[i]));
			assert_int_equal(t->match.format, both[f]);
			address_assert_equal(&t->r.u.setpoint_input.addr, &values[i].addr);
			value_assert_equal(&t->r.u.setpoint_input.value, &values[i].value);
		}
	}
	cJSON_Delete(options);
}

static void test_setpoint_ack(void **state)
{
	struct rt *t = *state;
	struct upd_setpoint_ack a = { "receipt-1", "REJECTED", "filter change due" };
	for (size_t f = 0; f < ARRAY_LEN(both); f++) {
		struct topic_ids ids = ids_system();
		roundtrip(t, TOPIC_SETPOINT_ACK, &ids, both[f], payload_build_setpoint_ack(&a));
		assert_str(t->r.u.setpoint_ack.receipt_id, a.receipt_id);
		assert_str(t->r.u.setpoint_ack.state, a.state);
		assert_str(t->r.u.setpoint_ack.message, a.message);
	}
}

static void test_event_ack(void **state)
{
	struct rt *t = *state;
	struct upd_event_ack a = { OTHER };
	for (size_t f = 0; f < ARRAY_LEN(both); f++) {
		struct topic_ids ids = { { NULL } };
		ids.v[TOPIC_ID_SLUG] = SLUG;
		ids.v[TOPIC_ID_EVENT_UUID] = OTHER;
		roundtrip(t, TOPIC_EVENT_ACK, &ids, both[f], payload_build_event_ack(&a));
		assert_str(t->r.u.event_ack.event_uuid, OTHER);
		assert_true(sv_equal_cstr(t->match.ids[TOPIC_ID_EVENT_UUID], OTHER));
	}
	/* The wire form is {"uuid": ...}. */
	cJSON *o = payload_build_event_ack(&a);
	assert_str(cJSON_GetStringValue(cJSON_GetObjectItem(o, "uuid")), OTHER);
	cJSON_Delete(o);
}

static void test_system_and_event_input(void **state)
{
	struct rt *t = *state;
	struct upd_system_input si = { "New name", NULL, "ACTIVATED", "DISCONNECTED" };
	struct upd_event_input ei = { OTHER, T0, T1 };
	for (size_t f = 0; f < ARRAY_LEN(both); f++) {
		struct topic_ids ids = ids_system();
		roundtrip(t, TOPIC_SYSTEM_INPUT, &ids, both[f], payload_build_system_input(&si));
		assert_str(t->r.u.system_input.name, si.name);
		assert_null(t->r.u.system_input.description);
		assert_str(t->r.u.system_input.status, si.status);
		assert_str(t->r.u.system_input.connection_state, si.connection_state);
		roundtrip(t, TOPIC_EVENT_INPUT_SYSTEM, &ids, both[f], payload_build_event_input(&ei));
		assert_str(t->r.u.event_input.event_model_uuid, OTHER);
		assert_time(t->r.u.event_input.time, T0);
		assert_time(t->r.u.event_input.end_time, T1);
	}
}

static void test_datapoints(void **state)
{
	struct rt *t = *state;
	cJSON *blob = cJSON_Parse("{\"l1\":230.1,\"l2\":[1,2],\"ok\":true}");
	struct datapoint dps[5];
	memset(dps, 0, sizeof(dps));
	for (size_t i = 0; i < 5; i++) {
		dps[i].addr = address_codes();
		dps[i].addr.system_uuid = NULL; /* implied by the topic */
		dps[i].time = T0 + (double)i;
	}
	dps[0].value = (struct value){ VALUE_NUMBER, 230.25, false, false, NULL, NULL };
	dps[1].value = (struct value){ VALUE_NUMBER, -17, true, false, NULL, NULL };
	dps[2].value = (struct value){ VALUE_BOOL, 0, false, true, NULL, NULL };
	dps[3].value = (struct value){ VALUE_STRING, 0, false, false, "defrosting \"now\"", NULL };
	dps[4].value = (struct value){ VALUE_JSON, 0, false, false, NULL, blob };
	for (size_t f = 0; f < ARRAY_LEN(both); f++) {
		struct topic_ids ids = ids_system();
		/* One object at a time ... */
		for (size_t i = 0; i < 5; i++) {
			roundtrip(t, TOPIC_DATAPOINT_INPUT, &ids, both[f],
				  payload_build_datapoint(&dps[i]));
			assert_int_equal(t->r.u.datapoints.count, 1);
			address_assert_equal(&t->r.u.datapoints.items[0].addr, &dps[i].addr);
			assert_time(t->r.u.datapoints.items[0].time, dps[i].time);
			value_assert_equal(&t->r.u.datapoints.items[0].value, &dps[i].value);
		}
		/* ... and all in one array. */
		roundtrip(t, TOPIC_DATAPOINT_INPUT, &ids, both[f], payload_build_datapoints(dps, 5));
		assert_int_equal(t->r.u.datapoints.count, 5);
		for (size_t i = 0; i < 5; i++)
			value_assert_equal(&t->r.u.datapoints.items[i].value, &dps[i].value);
	}
	cJSON_Delete(blob);
}

/* The fast path writes what the tree builder writes (plus the padding). */
static void test_write_datapoint(void **state)
{
	struct rt *t = *state;
	cJSON *blob = cJSON_Parse("{\"a\":[1,2.5]}");
	struct datapoint dp;
	memset(&dp, 0, sizeof(dp));
	dp.addr = address_codes();
	dp.addr.service_index = 1;
	dp.time = T0;
	struct value values[] = {
		{ VALUE_NUMBER, 0.1, false, false, NULL, NULL },
		{ VALUE_NUMBER, 1e300, false, false, NULL, NULL },
		{ VALUE_NUMBER, -42, true, false, NULL, NULL },
		{ VALUE_BOOL, 0, false, true, NULL, NULL },
		{ VALUE_STRING, 0, false, false, "tab\there \"q\" \\ \x01 ü", NULL },
		{ VALUE_JSON, 0, false, false, NULL, blob },
	};
	char buf[2048];
	struct topic_ids ids = ids_system();
	int n = topic_build(t->topics, TOPIC_DATAPOINT_INPUT, &ids, FORMAT_JSON, t->topic,
			    sizeof(t->topic));
	topic_match(t->topics, t->topic, (size_t)n, &t->match);
	for (size_t i = 0; i < ARRAY_LEN(values); i++) {
		dp.value = values[i];
		size_t len = payload_write_datapoint(buf, sizeof(buf), &dp, 0);
		assert_true(len > 0);
		cJSON *fast = cJSON_Parse(buf);
		cJSON *tree = payload_build_datapoint(&dp);
		if (!cJSON_Compare(fast, tree, true)) {
			char *text = cJSON_PrintUnformatted(tree);
			fail_msg("fast \"%s\" != tree \"%s\"", buf, text);
		}
		cJSON_Delete(fast);
		cJSON_Delete(tree);
		decode_result_free(&t->r);
		assert_true(decode_payload(&t->match, buf, len, NULL, &t->r));
		value_assert_equal(&t->r.u.datapoints.items[0].value, &values[i]);
		address_assert_equal(&t->r.u.datapoints.items[0].addr, &dp.addr);
	}
	/* Padding: the size grows by exactly pad; it still decodes. */
	dp.value = values[0];
	size_t base = payload_write_datapoint(buf, sizeof(buf), &dp, 0);
	size_t padded = payload_write_datapoint(buf, sizeof(buf), &dp, 1000);
	assert_int_equal(padded, base + 1000 + strlen(",\"pad\":\"\""));
	decode_result_free(&t->r);
	assert_true(decode_payload(&t->match, buf, padded, NULL, &t->r));
	/* Too small a buffer: 0, never an overflow. */
	assert_int_equal(payload_write_datapoint(buf, 20, &dp, 0), 0);
	assert_int_equal(payload_write_datapoint(buf, base, &dp, 0), 0);
	assert_int_equal(payload_write_datapoint(buf, base + 1, &dp, 0), base);
	cJSON_Delete(blob);
}

static void test_serialize_reuse(void **state)
{
	(void)state;
	struct payload_buf buf = { NULL, 0, 0 };
	/* Grows past its first size and is reused. */
	cJSON *big = cJSON_CreateObject();
	char key[16];
	for (int i = 0; i < 200; i++) {
		snprintf(key, sizeof(key), "k%d", i);
		cJSON_AddNumberToObject(big, key, i);
	}
	assert_true(payload_serialize(big, FORMAT_JSON, &buf));
	assert_int_equal(buf.len, strlen(buf.data));
	cJSON *back = cJSON_Parse(buf.data);
	assert_true(cJSON_Compare(back, big, true));
	cJSON_Delete(back);
	size_t cap = buf.cap;
	cJSON *small = cJSON_CreateString("x");
	assert_true(payload_serialize(small, FORMAT_JSON, &buf));
	assert_string_equal(buf.data, "\"x\"");
	assert_int_equal(buf.cap, cap);
	assert_false(payload_serialize(small, FORMAT_STATE, &buf));
	cJSON_Delete(small);
	cJSON_Delete(big);
	payload_buf_free(&buf);
}

static void test_names(void **state)
{
	(void)state;
	for (int i = 0; i < DATA_TYPE_COUNT; i++)
		assert_int_equal(payload_data_type_parse(payload_data_type_name((enum payload_data_type)i)), i);
	assert_int_equal(payload_data_type_parse("BLOB"), DATA_TYPE_COUNT);
	assert_int_equal(payload_data_type_parse(NULL), DATA_TYPE_COUNT);
	assert_string_equal(payload_characteristic_kind_name(CHARACTERISTIC_SETTING), "SETTING");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_domain, setup, teardown),
		cmocka_unit_test_setup_teardown(test_state, setup, teardown),
		cmocka_unit_test_setup_teardown(test_organization, setup, teardown),
		cmocka_unit_test_setup_teardown(test_system, setup, teardown),
		cmocka_unit_test_setup_teardown(test_component, setup, teardown),
		cmocka_unit_test_setup_teardown(test_component_model_and_catalogue, setup, teardown),
		cmocka_unit_test_setup_teardown(test_event_model, setup, teardown),
		cmocka_unit_test_setup_teardown(test_event, setup, teardown),
		cmocka_unit_test_setup_teardown(test_setpoint, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tokens, setup, teardown),
		cmocka_unit_test_setup_teardown(test_jwks, setup, teardown),
		cmocka_unit_test_setup_teardown(test_error_reply, setup, teardown),
		cmocka_unit_test_setup_teardown(test_setpoint_input, setup, teardown),
		cmocka_unit_test_setup_teardown(test_setpoint_ack, setup, teardown),
		cmocka_unit_test_setup_teardown(test_event_ack, setup, teardown),
		cmocka_unit_test_setup_teardown(test_system_and_event_input, setup, teardown),
		cmocka_unit_test_setup_teardown(test_datapoints, setup, teardown),
		cmocka_unit_test_setup_teardown(test_write_datapoint, setup, teardown),
		cmocka_unit_test(test_serialize_reuse),
		cmocka_unit_test(test_names),
	};
	return cmocka_run_group_tests_name("payload", tests, NULL, NULL);
}
