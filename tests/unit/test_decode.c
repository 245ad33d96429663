/* Unit tests: decode — every fixture field by field, state words, deletion,
 * MessagePack/JSON equivalence, value types, required fields, wrong types
 * with their paths, error replies, and hostile payloads.  Topic matches are
 * built by hand so this test does not depend on the topics module.  Runs
 * from the repository root (the fixtures are read from tests/fixtures). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <cJSON.h>
#include <glob.h>
#include <math.h>
#include <msgpack.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decode.h"
#include "support.h"
#include "util.h"

#define SYS_CE "792b6149-1daa-488f-b07a-f684503b0586"
#define DOMAIN_UUID "24ee14a3-f1c8-49aa-95fc-ad0432e23b99"
#define MODEL_UUID "973c576b-3158-4e51-8374-5fea435b9b68"
#define CREATED "2021-08-06T13:13:06.136333+00:00"
#define UPDATED "2021-08-06T14:39:44.368252+00:00"

/* ---- helpers ------------------------------------------------------------ */

static struct topic_match match_make(enum topic_family family, enum payload_format format)
{
	struct topic_match m;
	memset(&m, 0, sizeof(m));
	m.family = family;
	m.format = format;
	m.answers_family = TOPIC_UNCLASSIFIED;
	return m;
}

static struct topic_match match_json(enum topic_family family)
{
	return match_make(family, FORMAT_JSON);
}

/* An /error reply answering `answers` (e.g. ".../json" or ".../msgpack"). */
static struct topic_match match_error(const char *answers, enum topic_family answers_family)
{
	struct topic_match m = match_make(TOPIC_ERROR_REPLY, FORMAT_OPAQUE);
	m.answers_topic = sv_from_cstr(answers);
	m.answers_family = answers_family;
	return m;
}

/* Decodes from an exact-size heap copy (no NUL after it), so ASan catches
 * any read past the payload. */
static bool decode_lim(const struct topic_match *m, const void *payload, size_t len,
		       const struct decode_limits *limits, struct decode_result *out)
{
	void *copy = len ? malloc(len) : NULL;
	if (len)
		memcpy(copy, payload, len);
	bool ok = decode_payload(m, copy, len, limits, out);
	free(copy);
	/* Strings borrowed from the result must not point into the payload:
	 * the copy is gone now, ASan would flag any later use. */
	return ok;
}

static bool decode_bytes(const struct topic_match *m, const void *payload, size_t len,
			 struct decode_result *out)
{
	struct decode_limits limits;
	decode_limits_default(&limits);
	return decode_lim(m, payload, len, &limits, out);
}

static bool decode_str(const struct topic_match *m, const char *payload, struct decode_result *out)
{
	return decode_bytes(m, payload, strlen(payload), out);
}

#define assert_time(t, iso) assert_time_at((t), (iso), __FILE__, __LINE__)

static void assert_time_at(double t, const char *iso, const char *file, int line)
{
	double want = time_parse_iso8601(iso);
	if (want == TIME_UNKNOWN)
		fail_msg("%s:%d: bad expected time %s", file, line, iso);
	if (fabs(t - want) > 1e-4)
		fail_msg("%s:%d: time %.6f, expected %s (%.6f)", file, line, t, iso, want);
}

#define assert_decode_ok(ok, r) assert_ok_at((ok), (r), __FILE__, __LINE__)

static void assert_ok_at(bool ok, const struct decode_result *r, const char *file, int line)
{
	if (!ok || !r->ok)
		fail_msg("%s:%d: decode failed: %s: %s", file, line, r->error_field,
			 r->error_message);
}

/* Decodes and expects failure with this field and a message containing
 * `needle`. */
#define expect_fail(m, payload, len, field, needle) \
	expect_fail_at((m), (payload), (len), (field), (needle), __FILE__, __LINE__)

static void expect_fail_at(const struct topic_match *m, const void *payload, size_t len,
			   const char *field, const char *needle, const char *file, int line)
{
	struct decode_result r;
	bool ok = decode_bytes(m, payload, len, &r);
	if (ok || r.ok)
		fail_msg("%s:%d: decoded although it should fail", file, line);
	if (strcmp(r.error_field, field) != 0)
		fail_msg("%s:%d: error field \"%s\", expected \"%s\" (%s)", file, line,
			 r.error_field, field, r.error_message);
	if (!strstr(r.error_message, needle))
		fail_msg("%s:%d: error \"%s\" does not contain \"%s\"", file, line,
			 r.error_message, needle);
	decode_result_free(&r);
}

#define expect_fail_str(m, payload, field, needle) \
	expect_fail_at((m), (payload), strlen(payload), (field), (needle), __FILE__, __LINE__)

/* The "payload" member of tests/fixtures/<name>.json, printed unformatted.
 * Free with cJSON_free. */
static char *fixture_payload(const char *name)
{
	char path[256];
	snprintf(path, sizeof(path), "tests/fixtures/%s.json", name);
	cJSON *doc = test_read_json(path);
	const cJSON *payload = cJSON_GetObjectItemCaseSensitive(doc, "payload");
	assert_non_null(payload);
	char *out = cJSON_PrintUnformatted(payload);
	assert_non_null(out);
	cJSON_Delete(doc);
	return out;
}

static bool decode_fixture(const struct topic_match *m, const char *name,
			   struct decode_result *out)
{
	char *payload = fixture_payload(name);
	bool ok = decode_str(m, payload, out);
	cJSON_free(payload);
	return ok;
}

/* MessagePack builder over an sbuffer. */
struct mp {
	msgpack_sbuffer buf;
	msgpack_packer pk;
};

static void mp_init(struct mp *p)
{
	msgpack_sbuffer_init(&p->buf);
	msgpack_packer_init(&p->pk, &p->buf, msgpack_sbuffer_write);
}

static void mp_str(struct mp *p, const char *s)
{
	size_t n = strlen(s);
	msgpack_pack_str(&p->pk, n);
	msgpack_pack_str_body(&p->pk, s, n);
}

static void mp_kv_str(struct mp *p, const char *key, const char *value)
{
	mp_str(p, key);
	mp_str(p, value);
}

/* Packs a cJSON tree: integral numbers as integers, others as doubles. */
static void mp_pack_json(struct mp *p, const cJSON *item)
{
	if (cJSON_IsObject(item)) {
		msgpack_pack_map(&p->pk, (size_t)cJSON_GetArraySize(item));
		for (const cJSON *c = item->child; c; c = c->next) {
			mp_str(p, c->string);
			mp_pack_json(p, c);
		}
	} else if (cJSON_IsArray(item)) {
		msgpack_pack_array(&p->pk, (size_t)cJSON_GetArraySize(item));
		for (const cJSON *c = item->child; c; c = c->next)
			mp_pack_json(p, c);
	} else if (cJSON_IsString(item)) {
		mp_str(p, item->valuestring);
	} else if (cJSON_IsNumber(item)) {
		double v = item->valuedouble;
		if (v == floor(v) && fabs(v) < 1e15)
			msgpack_pack_int64(&p->pk, (int64_t)v);
		else
			msgpack_pack_double(&p->pk, v);
	} else if (cJSON_IsBool(item)) {
		if (cJSON_IsTrue(item))
			msgpack_pack_true(&p->pk);
		else
			msgpack_pack_false(&p->pk);
	} else {
		msgpack_pack_nil(&p->pk);
	}
}

static void datapoints_assert_equal(const struct decode_result *a, const struct decode_result *b)
{
	assert_int_equal(a->u.datapoints.count, b->u.datapoints.count);
	for (size_t i = 0; i < a->u.datapoints.count; i++) {
		const struct datapoint *x = &a->u.datapoints.items[i], *y = &b->u.datapoints.items[i];
		address_assert_equal(&x->addr, &y->addr);
		assert_true(x->time == y->time);
		value_assert_equal(&x->value, &y->value);
	}
	assert_string_equal(a->warning_field, b->warning_field);
	assert_string_equal(a->warning_message, b->warning_message);
}

/* ---- fixtures ----------------------------------------------------------- */

static void test_fixture_domain(void **state)
{
	(void)state;
	struct topic_match m = match_json(TOPIC_DOMAIN);
	struct decode_result r;
	assert_decode_ok(decode_fixture(&m, "domain", &r), &r);
	assert_int_equal(r.family, TOPIC_DOMAIN);
	assert_false(r.deleted);
	const struct upd_domain *d = &r.u.domain;
	assert_str(d->uuid, DOMAIN_UUID);
	assert_str(d->slug, "adam");
	assert_str(d->name, "Adam's DRIVR domain");
	assert_str(d->status, "ACTIVATED");
	assert_str(d->owner_uuid, "52319891-c130-43bd-93ff-bad42f464c84");
	assert_time(d->created_at, CREATED);
	assert_time(d->updated_at, UPDATED);
	assert_string_equal(r.warning_message, "");
	decode_result_free(&r);
}

static void test_fixture_domain_state(void **state)
{
	(void)state;
	struct topic_match m = match_make(TOPIC_DOMAIN_STATE, FORMAT_STATE);
	struct decode_result r;
	char *payload = fixture_payload("domain-state");
	assert_string_equal(payload, "\"ACTIVATED\""); /* the quoted form */
	assert_decode_ok(decode_str(&m, payload, &r), &r);
	cJSON_free(payload);
	assert_str(r.u.state.state, "ACTIVATED");
	assert_false(r.deleted);
	decode_result_free(&r);
}

static void test_fixture_organization(void **state)
{
	(void)state;
	struct topic_match m = match_json(TOPIC_ORGANIZATION);
	struct decode_result r;
	assert_decode_ok(decode_fixture(&m, "organization", &r), &r);
	const struct upd_organization *o = &r.u.organization;
	assert_str(o->uuid, "d837b268-0855-49ab-b6b2-1070ac7c838e");
	assert_str(o->name, "Acme Ltd");
	assert_str(o->alias, "6898400c-651d-4b36-8cd5-d1d8a152f68a");
	assert_str(o->domain_uuid, DOMAIN_UUID);
	assert_str(o->status, "ACTIVATED");
	assert_time(o->created_at, CREATED);
	assert_time(o->updated_at, UPDATED);
	decode_result_free(&r);
}

static void test_fixture_system(void **state)
{
	(void)state;
	struct topic_match m = match_json(TOPIC_SYSTEM);
	struct decode_result r;
	assert_decode_ok(decode_fixture(&m, "system", &r), &r);
	const struct upd_system *s = &r.u.system;
	assert_str(s->uuid, DOMAIN_UUID);
	assert_str(s->code, "my-awesome-machine-device-conglomarate.example.com");
	assert_str(s->name, "World domination device");
	assert_str(s->description, "This system will make me rich.");
	assert_str(s->connection_state, "CONNECTED");
	assert_str(s->status, "ACTIVATED");
	assert_str(s->domain_uuid, DOMAIN_UUID);
	assert_str(s->owner_uuid, "52319891-c130-43bd-93ff-bad42f464c84");
	assert_time(s->connection_state_updated_at, "2021-11-02T17:11:46.833029+00:00");
	assert_time(s->created_at, CREATED);
	assert_time(s->updated_at, UPDATED);
	decode_result_free(&r);
}

static void test_fixture_system_input(void **state)
{
	(void)state;
	struct topic_match m = match_json(TOPIC_SYSTEM_INPUT);
	struct decode_result r;
	assert_decode_ok(decode_fixture(&m, "system-input", &r), &r);
	const struct upd_system_input *s = &r.u.system_input;
	assert_str(s->name, "ESM-system");
	assert_str(s->description, "This is an energy management system.");
	assert_str(s->status, "ACTIVATED");
	assert_str(s->connection_state, "CONNECTED");
	decode_result_free(&r);
}

static void test_fixture_component_model(void **state)
{
	(void)state;
	struct topic_match m = match_json(TOPIC_COMPONENT_MODEL);
	struct decode_result r;
	assert_decode_ok(decode_fixture(&m, "component-model", &r), &r);
	const struct upd_component_model *c = &r.u.component_model;
	assert_str(c->uuid, MODEL_UUID);
	assert_str(c->code, "my-component-model");
	assert_str(c->name, "my-component-model");
	assert_str(c->description, "My awesome component model");
	assert_str(c->component_type, "DEVICE");
	assert_str(c->status, "ACTIVATED");
	assert_int_equal(c->is_connective, 1);
	assert_time(c->created_at, CREATED);
	assert_time(c->updated_at, UPDATED);
	decode_result_free(&r);
}

static void test_fixture_component(void **state)
{
	(void)state;
	struct topic_match m = match_json(TOPIC_COMPONENT);
	m.ids[TOPIC_ID_COMPONENT_CODE] = sv_from_cstr("smart-meter");
	struct decode_result r;
	assert_decode_ok(decode_fixture(&m, "component", &r), &r);
	const struct upd_component *c = &r.u.component;
	assert_str(c->uuid, "00f80405-55a3-4d8e-91c3-14a10f028cf9");
	assert_str(c->code, "smart-meter");
	assert_str(c->name, "Smart Meter");
	assert_str(c->component_model_uuid, MODEL_UUID);
	assert_str(c->system_uuid, SYS_CE);
	assert_str(c->connection_state, "CONNECTED");
	assert_str(c->status, "ACTIVATED");
	assert_time(c->connection_state_updated_at, "2021-11-02T17:11:46.833029+00:00");
	assert_time(c->created_at, CREATED);
	assert_time(c->updated_at, UPDATED);
	decode_result_free(&r);
}

static void test_fixture_component_input(void **state)
{
	(void)state;
	struct topic_match m = match_json(TOPIC_COMPONENT_INPUT);
	struct decode_result r;
	assert_decode_ok(decode_fixture(&m, "component-input", &r), &r);
	const struct upd_component_input *c = &r.u.component_input;
	assert_str(c->code, "smart-meter");
	assert_str(c->component_model_uuid, MODEL_UUID);
	assert_str(c->system_uuid, NULL);
	assert_str(c->name, "Smart Meter");
	assert_str(c->status, "ACTIVATED");
	assert_str(c->connection_state, "CONNECTED");
	decode_result_free(&r);
}

static void test_fixture_event_model(void **state)
{
	(void)state;
	struct topic_match m = match_json(TOPIC_EVENT_MODEL);
	struct decode_result r;
	assert_decode_ok(decode_fixture(&m, "event-model", &r), &r);
	const struct upd_event_model *e = &r.u.event_model;
	assert_str(e->uuid, MODEL_UUID);
	assert_str(e->code, "FIRE-ALARM");
	assert_str(e->event_level, "ERROR");
	assert_str(e->event_type, "SINGLE_POINT");
	assert_str(e->entity_type, "COMPONENT");
	assert_str(e->message, "Fire alarm triggered");
	assert_str(e->status, "ACTIVATED");
	assert_int_equal(e->limit_to_prototypes, 1);
	assert_time(e->created_at, CREATED);
	assert_time(e->updated_at, UPDATED);
	decode_result_free(&r);
}

static void test_fixture_event(void **state)
{
	(void)state;
	struct topic_match m = match_json(TOPIC_EVENT);
	struct decode_result r;
	assert_decode_ok(decode_fixture(&m, "event", &r), &r);
	const struct upd_event *e = &r.u.event;
	assert_str(e->uuid, "5a3e1f0c-8b2d-4e6a-9c1f-2d7b8e4a6c30");
	assert_str(e->event_model_uuid, "181ca359-96a7-4f5d-9d18-8c2dcf2ac9fa");
	assert_str(e->entity_uuid, "3c10f7cc-3205-46ac-99d9-71e31a192cb5");
	assert_str(e->status, "RESOLVED");
	assert_int_equal(e->acknowledged, 0);
	assert_time(e->time, "2022-01-01T00:00:00Z");
	assert_time(e->end_time, "2022-01-01T01:00:00Z");
	assert_time(e->created_at, "2022-01-01T00:00:01Z");
	assert_time(e->updated_at, "2022-01-01T01:00:01Z");
	decode_result_free(&r);
}

static void test_fixture_event_input(void **state)
{
	(void)state;
	struct topic_match m = match_json(TOPIC_EVENT_INPUT_SYSTEM);
	struct decode_result r;
	assert_decode_ok(decode_fixture(&m, "event-input", &r), &r);
	const struct upd_event_input *e = &r.u.event_input;
	assert_str(e->event_model_uuid, "181ca359-96a7-4f5d-9d18-8c2dcf2ac9fa");
	assert_time(e->time, "2022-01-01T00:00:00Z");
	assert_time(e->end_time, "2022-01-01T01:00:00Z");
	decode_result_free(&r);
}

static void test_fixture_datapoint(void **state)
{
	(void)state;
	struct topic_match m = match_json(TOPIC_DATAPOINT_INPUT);
	struct decode_result r;
	assert_decode_ok(decode_fixture(&m, "datapoint", &r), &r);
	assert_int_equal(r.u.datapoints.count, 1);
	const struct datapoint *dp = &r.u.datapoints.items[0];
	assert_str(dp->addr.system_uuid, SYS_CE);
	assert_str(dp->addr.component_code, "smart-meter");
	assert_str(dp->addr.service_code, "electricity");
	assert_str(dp->addr.characteristic_code, "voltage");
	assert_str(dp->addr.time_stream_uuid, NULL);
	assert_str(dp->addr.component_uuid, NULL);
	assert_int_equal(dp->addr.service_index, -1);
	assert_time(dp->time, "2022-01-01T00:00:00Z");
	assert_int_equal(dp->value.type, VALUE_STRING);
	assert_str(dp->value.text, "20V");
	decode_result_free(&r);
}

static void test_fixture_setpoint(void **state)
{
	(void)state;
	struct topic_match m = match_json(TOPIC_SETPOINT);
	struct decode_result r;
	assert_decode_ok(decode_fixture(&m, "setpoint", &r), &r);
	const struct upd_setpoint *s = &r.u.setpoint;
	assert_str(s->uuid, "6b1d2f4e-7c3a-4e9b-8f21-0a5c9d3e7b14");
	assert_str(s->receipt_id, "0f4c2a9e-3d71-4b8a-a6e5-9c2b1d7f8e30");
	assert_str(s->addr.time_stream_uuid, "e2a7c4d1-5b9f-4a36-8c0e-1f6d3b8a2c57");
	assert_str(s->addr.system_uuid, NULL); /* the store falls back to the topic */
	assert_time(s->time, "2022-01-01T00:00:00Z");
	assert_str(s->type, "FLOAT");
	assert_str(s->state, "CREATED");
	assert_str(s->message, NULL);
	assert_int_equal(s->value.type, VALUE_NUMBER);
	assert_true(s->value.number == 30.0);
	decode_result_free(&r);
}

static void test_fixture_setpoint_input(void **state)
{
	(void)state;
	struct topic_match m = match_json(TOPIC_SETPOINT_INPUT);
	struct decode_result r;
	assert_decode_ok(decode_fixture(&m, "setpoint-input", &r), &r);
	const struct upd_setpoint_input *s = &r.u.setpoint_input;
	assert_str(s->addr.system_uuid, SYS_CE);
	assert_str(s->addr.component_code, "smart-meter");
	assert_str(s->addr.service_code, "electricity");
	assert_str(s->addr.characteristic_code, "energy-consumption");
	assert_int_equal(s->value.type, VALUE_NUMBER);
	assert_true(s->value.number == 30.0);
	decode_result_free(&r);
}

static void test_fixture_setpoint_ack(void **state)
{
	(void)state;
	struct topic_match m = match_json(TOPIC_SETPOINT_ACK);
	struct decode_result r;
	assert_decode_ok(decode_fixture(&m, "setpoint-ack", &r), &r);
	const struct upd_setpoint_ack *a = &r.u.setpoint_ack;
	assert_str(a->receipt_id, "0f4c2a9e-3d71-4b8a-a6e5-9c2b1d7f8e30");
	assert_str(a->state, "ACCEPTED");
	assert_str(a->message, "applied");
	decode_result_free(&r);
}

static void test_fixture_error(void **state)
{
	(void)state;
	struct topic_match m =
		match_error("drivr/v1/company-example/input/system/" SYS_CE "/json", TOPIC_SYSTEM_INPUT);
	struct decode_result r;
	assert_decode_ok(decode_fixture(&m, "error", &r), &r);
	assert_int_equal(r.family, TOPIC_ERROR_REPLY);
	assert_int_equal(r.u.error_reply.kind, ERROR_PAYLOAD_JSON);
	assert_str(r.u.error_reply.message,
		   "ILLUSTRATIVE PLACEHOLDER - the DRIVR error payload format is not documented");
	assert_str(r.u.error_reply.code, NULL);
	decode_result_free(&r);
}

static void test_fixture_jwks(void **state)
{
	(void)state;
	struct topic_match m = match_json(TOPIC_JWKS);
	struct decode_result r;
	assert_decode_ok(decode_fixture(&m, "jwks", &r), &r);
	assert_int_equal(r.u.jwks.count, 1);
	const struct jwk *k = &r.u.jwks.items[0];
	assert_str(k->kid, "1");
	assert_str(k->kty, "RSA");
	assert_str(k->n, "1");
	assert_str(k->e, "AQAB");
	assert_str(k->alg, NULL);
	assert_str(k->use, NULL);
	decode_result_free(&r);
}

static void test_fixture_local_api_token(void **state)
{
	(void)state;
	struct topic_match m = match_json(TOPIC_LOCAL_API_TOKENS);
	struct decode_result r;
	assert_decode_ok(decode_fixture(&m, "local-api-token", &r), &r);
	assert_int_equal(r.u.tokens.count, 1);
	const struct token *t = &r.u.tokens.items[0];
	assert_str(t->uuid, "9c4b33e9-f84c-4aaa-ad37-74f0078901a2");
	assert_str(t->status, "ACTIVATED");
	assert_str(t->system_uuid, "9c4b33e9-f84c-4aaa-ad37-74f0078901a2");
	assert_str(t->token, "CLOUD-eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9");
	assert_str(t->subject_uuid, "60c5ba79-6d1a-4623-99df-3f423d7c7d0c");
	assert_str(t->subject_name, "Ada Lovelace");
	assert_str(t->subject_type, "USER");
	assert_time(t->created_at, CREATED);
	assert_time(t->expires_at, CREATED);
	assert_time(t->not_before, CREATED);
	assert_int_equal(t->role_count, 1);
	assert_str(t->roles[0].uuid, "2faa6870-91b0-4b3a-84e8-8bbbd8becbd0");
	assert_str(t->roles[0].name, "System Maintainer");
	decode_result_free(&r);
}

/* Every fixture file has a test above; a new one must get one too. */
static void test_fixtures_all_covered(void **state)
{
	(void)state;
	static const char *const covered[] = {
		"domain", "domain-state", "organization", "system", "system-input",
		"component-model", "component", "component-input", "event-model", "event",
		"event-input", "datapoint", "setpoint", "setpoint-input", "setpoint-ack",
		"error", "jwks", "local-api-token",
	};
	glob_t g;
	assert_int_equal(glob("tests/fixtures/*.json", 0, NULL, &g), 0);
	assert_int_equal(g.gl_pathc, ARRAY_LEN(covered));
	for (size_t i = 0; i < g.gl_pathc; i++) {
		const char *base = strrchr(g.gl_pathv[i], '/') + 1;
		bool found = false;
		for (size_t k = 0; k < ARRAY_LEN(covered) && !found; k++)
			found = strlen(base) == strlen(covered[k]) + 5 &&
				strncmp(base, covered[k], strlen(covered[k])) == 0;
		if (!found)
			fail_msg("fixture %s has no decode test", base);
	}
	globfree(&g);
}

/* ---- state words, deletion, unclassified -------------------------------- */

static void test_state_forms(void **state)
{
	(void)state;
	static const enum topic_family families[] = {
		TOPIC_DOMAIN_STATE, TOPIC_ORGANIZATION_STATE, TOPIC_SYSTEM_STATE,
		TOPIC_COMPONENT_MODEL_STATE, TOPIC_EVENT_MODEL_STATE,
	};
	static const struct {
		const char *payload, *word;
	} good[] = {
		{ "ACTIVATED", "ACTIVATED" },
		{ "\"DELETED\"", "DELETED" },
		{ "  ARCHIVED\r\n", "ARCHIVED" },
		{ " \"CREATED\"\n", "CREATED" },
		{ "SOME_STATE", "SOME_STATE" },
	};
	static const char *const bad[] = {
		"activated", "ACTIVE D", "\"ACTIVATED", "ACTIVATED\"", "\"\"", "  ", "{}",
		"ACTIVATED1", "\"ACTI\\u0056ATED\"", "ACTIVATED\x1b[2J",
	};
	for (size_t f = 0; f < ARRAY_LEN(families); f++) {
		struct topic_match m = match_make(families[f], FORMAT_STATE);
		for (size_t i = 0; i < ARRAY_LEN(good); i++) {
			struct decode_result r;
			assert_decode_ok(decode_str(&m, good[i].payload, &r), &r);
			assert_int_equal(r.family, families[f]);
			assert_str(r.u.state.state, good[i].word);
			decode_result_free(&r);
		}
		for (size_t i = 0; i < ARRAY_LEN(bad); i++)
			expect_fail_str(&m, bad[i], "", "state word");
	}
	/* The payload length is honoured: bytes after it are not read. */
	struct topic_match m = match_make(TOPIC_SYSTEM_STATE, FORMAT_STATE);
	struct decode_result r;
	assert_decode_ok(decode_payload(&m, "ACTIVATEDxyz", 9, NULL, &r), &r);
	assert_str(r.u.state.state, "ACTIVATED");
	decode_result_free(&r);
}

static void test_empty_payload(void **state)
{
	(void)state;
	static const enum topic_family deletable[] = {
		TOPIC_DOMAIN, TOPIC_DOMAIN_STATE, TOPIC_ORGANIZATION, TOPIC_ORGANIZATION_STATE,
		TOPIC_SYSTEM, TOPIC_SYSTEM_STATE, TOPIC_COMPONENT, TOPIC_COMPONENT_MODEL,
		TOPIC_COMPONENT_MODEL_STATE, TOPIC_EVENT_MODEL, TOPIC_EVENT_MODEL_STATE,
		TOPIC_EVENT, TOPIC_SETPOINT, TOPIC_LOCAL_API_TOKENS, TOPIC_JWKS,
	};
	static const enum topic_family inputs[] = {
		TOPIC_SYSTEM_INPUT, TOPIC_COMPONENT_INPUT, TOPIC_DATAPOINT_INPUT, TOPIC_SETPOINT_ACK,
		TOPIC_SETPOINT_INPUT, TOPIC_EVENT_INPUT_SYSTEM, TOPIC_EVENT_INPUT_COMPONENT,
		TOPIC_EVENT_ACK,
	};
	struct decode_result r;
	for (size_t i = 0; i < ARRAY_LEN(deletable); i++) {
		struct topic_match m = match_json(deletable[i]);
		assert_decode_ok(decode_payload(&m, NULL, 0, NULL, &r), &r);
		assert_true(r.deleted);
		assert_int_equal(r.family, deletable[i]);
		assert_null(r.root);
		decode_result_free(&r);
	}
	for (size_t i = 0; i < ARRAY_LEN(inputs); i++) {
		struct topic_match m = match_json(inputs[i]);
		expect_fail(&m, "", 0, "", "empty payload");
	}
	/* Not empty: whitespace is not a deletion. */
	struct topic_match sys = match_json(TOPIC_SYSTEM);
	expect_fail_str(&sys, " ", "", "invalid JSON");
}

static void test_unclassified(void **state)
{
	(void)state;
	struct topic_match m = match_make(TOPIC_UNCLASSIFIED, FORMAT_JSON);
	m.unclassified_reason = "no pattern matches";
	struct decode_result r;
	assert_false(decode_str(&m, "{\"uuid\":\"x\"}", &r));
	assert_false(r.ok);
	assert_string_equal(r.error_message, "unclassified topic");
	assert_int_equal(r.family, TOPIC_UNCLASSIFIED);
	decode_result_free(&r);
}

/* ---- values and datapoints ---------------------------------------------- */

#define DP_ADDR "\"componentCode\":\"c\",\"serviceCode\":\"s\",\"characteristicCode\":\"x\""

static void decode_value(const char *json_value, struct decode_result *r)
{
	char payload[512];
	snprintf(payload, sizeof(payload), "{" DP_ADDR ",\"value\":%s}", json_value);
	struct topic_match m = match_json(TOPIC_DATAPOINT_INPUT);
	assert_decode_ok(decode_str(&m, payload, r), r);
	assert_int_equal(r->u.datapoints.count, 1);
}

static void test_value_types(void **state)
{
	(void)state;
	struct decode_result r;
	const struct value *v;
	static const struct {
		const char *text;
		double number;
		bool is_integer;
	} numbers[] = {
		{ "42", 42.0, true },	     { "-7", -7.0, true },     { "229.5", 229.5, false },
		{ "1.5e3", 1500.0, true },   { "2.5E-1", 0.25, false }, { "0", 0.0, true },
		{ "9007199254740993", 9007199254740992.0, false },
	};
	for (size_t i = 0; i < ARRAY_LEN(numbers); i++) {
		decode_value(numbers[i].text, &r);
		v = &r.u.datapoints.items[0].value;
		assert_int_equal(v->type, VALUE_NUMBER);
		assert_true(v->number == numbers[i].number);
		if (v->is_integer != numbers[i].is_integer)
			fail_msg("%s: is_integer %d", numbers[i].text, v->is_integer);
		decode_result_free(&r);
	}

	decode_value("true", &r);
	v = &r.u.datapoints.items[0].value;
	assert_int_equal(v->type, VALUE_BOOL);
	assert_true(v->boolean);
	decode_result_free(&r);

	decode_value("false", &r);
	v = &r.u.datapoints.items[0].value;
	assert_int_equal(v->type, VALUE_BOOL);
	assert_false(v->boolean);
	decode_result_free(&r);

	decode_value("\"running\"", &r);
	v = &r.u.datapoints.items[0].value;
	assert_int_equal(v->type, VALUE_STRING);
	assert_str(v->text, "running");
	decode_result_free(&r);

	decode_value("null", &r);
	assert_int_equal(r.u.datapoints.items[0].value.type, VALUE_NULL);
	decode_result_free(&r);

	decode_value("{\"a\":[1,2],\"b\":\"x\"}", &r);
	v = &r.u.datapoints.items[0].value;
	assert_int_equal(v->type, VALUE_JSON);
	assert_true(cJSON_IsObject(v->json));
	char *text = cJSON_PrintUnformatted(v->json);
	assert_string_equal(text, "{\"a\":[1,2],\"b\":\"x\"}");
	cJSON_free(text);
	decode_result_free(&r);

	decode_value("[\"opt-a\",\"opt-b\"]", &r); /* SELECT values */
	v = &r.u.datapoints.items[0].value;
	assert_int_equal(v->type, VALUE_JSON);
	assert_true(cJSON_IsArray(v->json));
	assert_int_equal(cJSON_GetArraySize(v->json), 2);
	assert_string_equal(cJSON_GetArrayItem(v->json, 1)->valuestring, "opt-b");
	decode_result_free(&r);

	assert_string_equal(value_type_name(VALUE_ABSENT), "absent");
	assert_string_equal(value_type_name(VALUE_NULL), "null");
	assert_string_equal(value_type_name(VALUE_NUMBER), "number");
	assert_string_equal(value_type_name(VALUE_BOOL), "boolean");
	assert_string_equal(value_type_name(VALUE_STRING), "string");
	assert_string_equal(value_type_name(VALUE_JSON), "json");
}

static void test_datapoint_array(void **state)
{
	(void)state;
	struct topic_match m = match_json(TOPIC_DATAPOINT_INPUT);
	struct decode_result r;
	const char *payload =
		"[{\"timeStreamUuid\":\"ts-1\",\"time\":\"2022-01-01T00:00:00Z\",\"value\":1},"
		"{\"systemCode\":\"plant\",\"componentUuid\":\"cu\",\"serviceUuid\":\"su\","
		"\"serviceIndex\":2,\"characteristicUuid\":\"chu\",\"value\":\"on\"},"
		"{" DP_ADDR ",\"systemUuid\":\"s9\",\"value\":null,\"extra\":{\"x\":[1]}}]";
	assert_decode_ok(decode_str(&m, payload, &r), &r);
	assert_int_equal(r.u.datapoints.count, 3);
	const struct datapoint *dp = r.u.datapoints.items;
	assert_str(dp[0].addr.time_stream_uuid, "ts-1");
	assert_time(dp[0].time, "2022-01-01T00:00:00Z");
	assert_true(dp[0].value.type == VALUE_NUMBER && dp[0].value.number == 1.0);
	assert_str(dp[1].addr.system_code, "plant");
	assert_str(dp[1].addr.system_uuid, NULL);
	assert_str(dp[1].addr.component_uuid, "cu");
	assert_str(dp[1].addr.service_uuid, "su");
	assert_int_equal(dp[1].addr.service_index, 2);
	assert_str(dp[1].addr.characteristic_uuid, "chu");
	assert_true(dp[1].time == DECODE_TIME_ABSENT);
	assert_str(dp[1].value.text, "on");
	assert_str(dp[2].addr.system_uuid, "s9");
	assert_str(dp[2].addr.component_code, "c");
	assert_int_equal(dp[2].value.type, VALUE_NULL);
	/* Items live in the result's one block. */
	assert_ptr_equal(r.arrays, r.u.datapoints.items);
	decode_result_free(&r);
	assert_null(r.arrays);
	assert_null(r.root);

	assert_decode_ok(decode_str(&m, "[]", &r), &r);
	assert_int_equal(r.u.datapoints.count, 0);
	decode_result_free(&r);

	expect_fail_str(&m, "[{" DP_ADDR ",\"value\":1},{" DP_ADDR "}]", "[1].value",
			"missing required field");
	expect_fail_str(&m, "[{" DP_ADDR ",\"value\":1},{\"componentCode\":\"c\",\"value\":1}]",
			"[1]", "no time stream");
	expect_fail_str(&m, "{\"value\":1}", "", "no time stream");
	expect_fail_str(&m, "[{" DP_ADDR ",\"value\":1},7]", "[1]", "expected object, got number");
	expect_fail_str(&m, "[{" DP_ADDR ",\"value\":1,\"time\":\"yesterday\"}]", "[0].time",
			"expected ISO-8601 date-time");
	expect_fail_str(&m, "\"hello\"", "", "expected object or array, got string");
}

/* The same datapoints as JSON and as MessagePack decode identically. */
static void test_msgpack_equals_json(void **state)
{
	(void)state;
	char *fixture = fixture_payload("datapoint");
	const char *payloads[] = {
		fixture,
		"{" DP_ADDR ",\"time\":\"2022-01-01T00:00:01Z\",\"value\":229.5}",
		"{" DP_ADDR ",\"value\":1200,\"serviceIndex\":1}",
		"{" DP_ADDR ",\"value\":-3}",
		"{" DP_ADDR ",\"value\":true}",
		"{" DP_ADDR ",\"value\":null}",
		"{" DP_ADDR ",\"value\":{\"a\":[1,2.5,\"x\",null,false],\"b\":{}}}",
		"[{\"timeStreamUuid\":\"t1\",\"value\":[\"a\",\"b\"]},{" DP_ADDR
		",\"value\":\"pump\\u001b[2J\"}]",
	};
	struct topic_match mj = match_make(TOPIC_DATAPOINT_INPUT, FORMAT_JSON);
	struct topic_match mm = match_make(TOPIC_DATAPOINT_INPUT, FORMAT_MSGPACK);
	for (size_t i = 0; i < ARRAY_LEN(payloads); i++) {
		struct decode_result rj, rm;
		assert_decode_ok(decode_str(&mj, payloads[i], &rj), &rj);
		cJSON *tree = cJSON_Parse(payloads[i]);
		assert_non_null(tree);
		struct mp p;
		mp_init(&p);
		mp_pack_json(&p, tree);
		cJSON_Delete(tree);
		assert_decode_ok(decode_bytes(&mm, p.buf.data, p.buf.size, &rm), &rm);
		msgpack_sbuffer_destroy(&p.buf);
		datapoints_assert_equal(&rj, &rm);
		decode_result_free(&rj);
		decode_result_free(&rm);
	}
	cJSON_free(fixture);

	/* Hand-packed: 30.0 as a MessagePack double counts as integral, like
	 * JSON "30.0" does (cJSON keeps no number text). */
	struct mp p;
	mp_init(&p);
	msgpack_pack_map(&p.pk, 4);
	mp_kv_str(&p, "timeStreamUuid", "ts");
	mp_kv_str(&p, "time", "2022-01-01T00:00:00Z");
	mp_str(&p, "value");
	msgpack_pack_double(&p.pk, 30.0);
	mp_str(&p, "ignored");
	msgpack_pack_array(&p.pk, 0);
	struct decode_result r, rj;
	assert_decode_ok(decode_bytes(&mm, p.buf.data, p.buf.size, &r), &r);
	msgpack_sbuffer_destroy(&p.buf);
	assert_decode_ok(decode_str(&mj,
				    "{\"timeStreamUuid\":\"ts\",\"time\":\"2022-01-01T00:00:00Z\","
				    "\"value\":30.0,\"ignored\":[]}",
				    &rj),
			 &rj);
	datapoints_assert_equal(&r, &rj);
	assert_true(r.u.datapoints.items[0].value.is_integer);
	assert_str(r.u.datapoints.items[0].addr.time_stream_uuid, "ts");
	decode_result_free(&r);
	decode_result_free(&rj);
}

static void test_msgpack_other_families(void **state)
{
	(void)state;
	/* A setpoint ack and an event input as MessagePack. */
	struct mp p;
	mp_init(&p);
	msgpack_pack_map(&p.pk, 3);
	mp_kv_str(&p, "receiptId", "r-1");
	mp_kv_str(&p, "state", "REJECTED");
	mp_kv_str(&p, "message", "out of range");
	struct topic_match m = match_make(TOPIC_SETPOINT_ACK, FORMAT_MSGPACK);
	struct decode_result r;
	assert_decode_ok(decode_bytes(&m, p.buf.data, p.buf.size, &r), &r);
	assert_str(r.u.setpoint_ack.receipt_id, "r-1");
	assert_str(r.u.setpoint_ack.state, "REJECTED");
	assert_str(r.u.setpoint_ack.message, "out of range");
	decode_result_free(&r);
	msgpack_sbuffer_destroy(&p.buf);

	mp_init(&p);
	msgpack_pack_map(&p.pk, 2);
	mp_kv_str(&p, "eventModelUuid", "em-1");
	mp_str(&p, "time");
	msgpack_pack_int(&p.pk, 5); /* a number where a date-time belongs */
	m = match_make(TOPIC_EVENT_INPUT_SYSTEM, FORMAT_MSGPACK);
	expect_fail(&m, p.buf.data, p.buf.size, "time", "expected ISO-8601 date-time, got number");
	msgpack_sbuffer_destroy(&p.buf);
}

static void test_msgpack_hostile(void **state)
{
	(void)state;
	struct topic_match m = match_make(TOPIC_DATAPOINT_INPUT, FORMAT_MSGPACK);
	struct mp p;

	/* bin value */
	mp_init(&p);
	msgpack_pack_map(&p.pk, 2);
	mp_kv_str(&p, "timeStreamUuid", "ts");
	mp_str(&p, "value");
	msgpack_pack_bin(&p.pk, 3);
	msgpack_pack_bin_body(&p.pk, "\x01\x02\x03", 3);
	expect_fail(&m, p.buf.data, p.buf.size, "value", "binary value not supported");
	msgpack_sbuffer_destroy(&p.buf);

	/* ext value, nested: the path names it */
	mp_init(&p);
	msgpack_pack_map(&p.pk, 2);
	mp_kv_str(&p, "timeStreamUuid", "ts");
	mp_str(&p, "value");
	msgpack_pack_array(&p.pk, 2);
	msgpack_pack_int(&p.pk, 1);
	msgpack_pack_ext(&p.pk, 2, 7);
	msgpack_pack_ext_body(&p.pk, "ab", 2);
	expect_fail(&m, p.buf.data, p.buf.size, "value[1]", "extension value (type 7)");
	msgpack_sbuffer_destroy(&p.buf);

	/* non-string map key */
	mp_init(&p);
	msgpack_pack_map(&p.pk, 1);
	msgpack_pack_int(&p.pk, 1);
	mp_str(&p, "x");
	expect_fail(&m, p.buf.data, p.buf.size, "", "map key is not a string");
	msgpack_sbuffer_destroy(&p.buf);

	/* NaN has no JSON form */
	mp_init(&p);
	msgpack_pack_map(&p.pk, 2);
	mp_kv_str(&p, "timeStreamUuid", "ts");
	mp_str(&p, "value");
	msgpack_pack_double(&p.pk, NAN);
	expect_fail(&m, p.buf.data, p.buf.size, "value", "NaN");
	msgpack_sbuffer_destroy(&p.buf);

	/* nor ±infinity: refused the same way (not shown as "inf") */
	for (int sign = -1; sign <= 1; sign += 2) {
		mp_init(&p);
		msgpack_pack_map(&p.pk, 2);
		mp_kv_str(&p, "timeStreamUuid", "ts");
		mp_str(&p, "value");
		msgpack_pack_double(&p.pk, sign * INFINITY);
		expect_fail(&m, p.buf.data, p.buf.size, "value",
			    sign > 0 ? "+infinity is not a valid number" : "-infinity is not a valid number");
		msgpack_sbuffer_destroy(&p.buf);
	}
	/* float32 infinity too */
	mp_init(&p);
	msgpack_pack_map(&p.pk, 2);
	mp_kv_str(&p, "timeStreamUuid", "ts");
	mp_str(&p, "value");
	msgpack_pack_float(&p.pk, INFINITY);
	expect_fail(&m, p.buf.data, p.buf.size, "value", "+infinity");
	msgpack_sbuffer_destroy(&p.buf);

	/* truncated: a map of 2 with one pair */
	mp_init(&p);
	msgpack_pack_map(&p.pk, 2);
	mp_kv_str(&p, "timeStreamUuid", "ts");
	expect_fail(&m, p.buf.data, p.buf.size, "", "truncated MessagePack");
	/* and cut inside a string */
	expect_fail(&m, p.buf.data, p.buf.size - 1, "", "truncated MessagePack");
	msgpack_sbuffer_destroy(&p.buf);

	/* trailing bytes after one complete object */
	expect_fail(&m, "\x80\xc0", 2, "", "data after the value");
	/* 0xc1 is never used */
	expect_fail(&m, "\xc1", 1, "", "invalid MessagePack near byte 0");
	/* a scalar root */
	expect_fail(&m, "\x2a", 1, "", "expected object or array, got number");

	/* A 5-byte header announcing 4 billion elements must not allocate. */
	expect_fail(&m, "\xdd\xff\xff\xff\xff", 5, "", "larger than the payload");
	expect_fail(&m, "\xdf\x7f\xff\xff\xff\xc0", 6, "", "larger than the payload");
	/* a 4 GiB string header */
	expect_fail(&m, "\xdb\xff\xff\xff\xff" "abc", 8, "", "truncated MessagePack");

	/* 10 000 levels of nesting */
	size_t depth = 10000;
	unsigned char *deep = malloc(depth + 1);
	memset(deep, 0x91, depth); /* fixarray of 1 */
	deep[depth] = 0xc0;
	expect_fail(&m, deep, depth + 1, "", "nesting deeper than 32 levels");
	/* 32 levels pass the unpacker (the field decoder then rejects the
	 * array item); 33 do not: msgpack-c's stack is 32 deep. */
	deep[31] = 0x90; /* the 32nd level is an empty array */
	expect_fail(&m, deep, 32, "[0]", "expected object, got array");
	deep[31] = 0x91;
	deep[32] = 0x90;
	expect_fail(&m, deep, 33, "", "nesting deeper than 32 levels");
	free(deep);
}

/* ---- wrong types, nulls, required fields -------------------------------- */

static void test_wrong_types(void **state)
{
	(void)state;
	struct topic_match sys = match_json(TOPIC_SYSTEM);
	expect_fail_str(&sys, "{\"uuid\":\"s1\",\"name\":42}", "name", "expected string, got number");
	expect_fail_str(&sys, "{\"uuid\":\"s1\",\"name\":{}}", "name", "expected string, got object");
	expect_fail_str(&sys, "{\"uuid\":[\"s1\"]}", "uuid", "expected string, got array");
	expect_fail_str(&sys, "{\"uuid\":\"s1\",\"connectionStateUpdatedAt\":true}",
			"connectionStateUpdatedAt", "expected ISO-8601 date-time, got boolean");
	expect_fail_str(&sys, "{\"uuid\":\"s1\",\"createdAt\":1640995200}", "createdAt",
			"expected ISO-8601 date-time, got number");
	expect_fail_str(&sys, "{\"uuid\":\"s1\",\"createdAt\":\"last tuesday\"}", "createdAt",
			"expected ISO-8601 date-time");

	struct topic_match model = match_json(TOPIC_COMPONENT_MODEL);
	expect_fail_str(&model, "{\"uuid\":\"m1\",\"isConnective\":\"yes\"}", "isConnective",
			"expected boolean, got string");
	expect_fail_str(&model, "{\"uuid\":\"m1\",\"isConnective\":1}", "isConnective",
			"expected boolean, got number");
	struct topic_match em = match_json(TOPIC_EVENT_MODEL);
	expect_fail_str(&em, "{\"uuid\":\"e\",\"limitToPrototypes\":\"true\"}", "limitToPrototypes",
			"expected boolean, got string");
	struct topic_match ev = match_json(TOPIC_EVENT);
	expect_fail_str(&ev, "{\"uuid\":\"e\",\"acknowledged\":0}", "acknowledged",
			"expected boolean, got number");

	struct topic_match dp = match_json(TOPIC_DATAPOINT_INPUT);
	expect_fail_str(&dp, "{" DP_ADDR ",\"value\":1,\"serviceIndex\":\"1\"}", "serviceIndex",
			"expected integer, got string");
	expect_fail_str(&dp, "{" DP_ADDR ",\"value\":1,\"serviceIndex\":1.5}", "serviceIndex",
			"non-negative integer");
	expect_fail_str(&dp, "{" DP_ADDR ",\"value\":1,\"serviceIndex\":-1}", "serviceIndex",
			"non-negative integer");
	expect_fail_str(&dp, "[{" DP_ADDR ",\"value\":1},{" DP_ADDR ",\"value\":2,\"componentCode\":7}]",
			"[1].componentCode", "expected string, got number");

	struct topic_match tok = match_json(TOPIC_LOCAL_API_TOKENS);
	expect_fail_str(&tok, "[{\"uuid\":\"t\",\"subject\":\"Ada\"}]", "[0].subject",
			"expected object, got string");
	expect_fail_str(&tok, "[{\"uuid\":\"t\"},{\"uuid\":\"u\",\"subject\":{\"name\":false}}]",
			"[1].subject.name", "expected string, got boolean");
	expect_fail_str(&tok, "[{\"uuid\":\"t\",\"expiresAt\":\"never\"}]", "[0].expiresAt",
			"expected ISO-8601 date-time");

	struct topic_match jw = match_json(TOPIC_JWKS);
	expect_fail_str(&jw, "{\"keys\":[{\"kty\":\"RSA\"},{\"kty\":\"RSA\",\"n\":12}]}", "keys[1].n",
			"expected string, got number");
}

static void test_null_is_absent(void **state)
{
	(void)state;
	struct topic_match model = match_json(TOPIC_COMPONENT_MODEL);
	struct decode_result r;
	assert_decode_ok(decode_str(&model,
				    "{\"uuid\":\"m1\",\"name\":null,\"isConnective\":null,"
				    "\"createdAt\":null,\"unknownNumber\":5,\"unknownObj\":{\"a\":[]},"
				    "\"metadata\":{\"k\":1}}",
				    &r),
			 &r);
	assert_str(r.u.component_model.uuid, "m1");
	assert_str(r.u.component_model.name, NULL);
	assert_str(r.u.component_model.code, NULL);
	assert_int_equal(r.u.component_model.is_connective, -1);
	assert_true(r.u.component_model.created_at == DECODE_TIME_ABSENT);
	assert_true(r.u.component_model.updated_at == DECODE_TIME_ABSENT);
	decode_result_free(&r);

	/* An event without acknowledged/status keeps them absent. */
	struct topic_match ev = match_json(TOPIC_EVENT);
	assert_decode_ok(decode_str(&ev, "{\"uuid\":\"e1\",\"acknowledged\":true}", &r), &r);
	assert_int_equal(r.u.event.acknowledged, 1);
	assert_str(r.u.event.status, NULL);
	assert_true(r.u.event.end_time == DECODE_TIME_ABSENT);
	decode_result_free(&r);

	/* Tokens: null roles and subject are absent; expiresAt null allowed. */
	struct topic_match tok = match_json(TOPIC_LOCAL_API_TOKENS);
	assert_decode_ok(decode_str(&tok,
				    "[{\"uuid\":\"t\",\"roles\":null,\"subject\":null,"
				    "\"expiresAt\":null}]",
				    &r),
			 &r);
	assert_int_equal(r.u.tokens.items[0].role_count, 0);
	assert_null(r.u.tokens.items[0].roles);
	assert_str(r.u.tokens.items[0].subject_name, NULL);
	assert_true(r.u.tokens.items[0].expires_at == DECODE_TIME_ABSENT);
	decode_result_free(&r);
}

static void test_required_fields(void **state)
{
	(void)state;
	struct decode_result r;
	struct topic_match dom = match_json(TOPIC_DOMAIN);
	expect_fail_str(&dom, "{\"uuid\":\"d\"}", "slug", "missing required field");
	expect_fail_str(&dom, "{\"slug\":\"adam\",\"uuid\":null}", "uuid", "missing required field");
	struct topic_match org = match_json(TOPIC_ORGANIZATION);
	expect_fail_str(&org, "{\"name\":\"Acme\"}", "uuid", "missing required field");
	struct topic_match sys = match_json(TOPIC_SYSTEM);
	expect_fail_str(&sys, "{\"name\":\"x\"}", "uuid", "missing required field");
	struct topic_match cm = match_json(TOPIC_COMPONENT_MODEL);
	expect_fail_str(&cm, "{}", "uuid", "missing required field");
	struct topic_match em = match_json(TOPIC_EVENT_MODEL);
	expect_fail_str(&em, "{\"code\":\"X\"}", "uuid", "missing required field");

	/* Components: code from the payload or from the topic. */
	struct topic_match comp = match_json(TOPIC_COMPONENT);
	expect_fail_str(&comp, "{\"uuid\":\"c1\"}", "code", "missing required field");
	comp.ids[TOPIC_ID_COMPONENT_CODE] = sv_from_cstr("meter");
	assert_decode_ok(decode_str(&comp, "{\"uuid\":\"c1\"}", &r), &r);
	assert_str(r.u.component.code, NULL);
	assert_str(r.u.component.uuid, "c1");
	decode_result_free(&r);

	/* Events: uuid from the payload or from the topic. */
	struct topic_match ev = match_json(TOPIC_EVENT);
	expect_fail_str(&ev, "{\"status\":\"ACTIVE\"}", "uuid", "missing required field");
	ev.ids[TOPIC_ID_EVENT_UUID] = sv_from_cstr("e1");
	assert_decode_ok(decode_str(&ev, "{\"status\":\"ACTIVE\"}", &r), &r);
	assert_str(r.u.event.status, "ACTIVE");
	decode_result_free(&r);

	struct topic_match tok = match_json(TOPIC_LOCAL_API_TOKENS);
	expect_fail_str(&tok, "[{\"uuid\":\"t\"},{\"status\":\"ACTIVATED\"}]", "[1].uuid",
			"missing required field");
	struct topic_match jw = match_json(TOPIC_JWKS);
	expect_fail_str(&jw, "{\"keys\":[{\"kid\":\"1\"}]}", "keys[0].kty", "missing required field");
	expect_fail_str(&jw, "{}", "keys", "missing required field");

	struct topic_match ack = match_json(TOPIC_SETPOINT_ACK);
	expect_fail_str(&ack, "{\"state\":\"ACCEPTED\"}", "receiptId", "missing required field");
	expect_fail_str(&ack, "{\"receiptId\":\"r\"}", "state", "missing required field");

	struct topic_match evi = match_json(TOPIC_EVENT_INPUT_COMPONENT);
	expect_fail_str(&evi, "{\"time\":\"2022-01-01T00:00:00Z\"}", "eventModelUuid",
			"missing required field");

	struct topic_match sp = match_json(TOPIC_SETPOINT);
	expect_fail_str(&sp, "{\"state\":\"CREATED\"}", "receiptId", "receiptId or uuid");
	assert_decode_ok(decode_str(&sp, "{\"uuid\":\"sp-1\"}", &r), &r);
	assert_str(r.u.setpoint.uuid, "sp-1");
	assert_int_equal(r.u.setpoint.value.type, VALUE_ABSENT);
	decode_result_free(&r);

	struct topic_match spi = match_json(TOPIC_SETPOINT_INPUT);
	expect_fail_str(&spi, "{\"timeStreamUuid\":\"ts\"}", "value", "missing required field");
	expect_fail_str(&spi, "{\"value\":1,\"serviceCode\":\"s\"}", "", "no time stream");

	/* Inputs without required fields are fine. */
	struct topic_match si = match_json(TOPIC_SYSTEM_INPUT);
	assert_decode_ok(decode_str(&si, "{}", &r), &r);
	assert_str(r.u.system_input.name, NULL);
	decode_result_free(&r);
}

static void test_event_ack(void **state)
{
	(void)state;
	struct topic_match m = match_json(TOPIC_EVENT_ACK);
	struct decode_result r;
	assert_decode_ok(decode_str(&m, "{\"uuid\":\"u-1\"}", &r), &r);
	assert_str(r.u.event_ack.event_uuid, "u-1");
	decode_result_free(&r);
	assert_decode_ok(decode_str(&m, "{\"uuid\":\"u-1\",\"eventUuid\":\"e-1\"}", &r), &r);
	assert_str(r.u.event_ack.event_uuid, "e-1");
	decode_result_free(&r);
	assert_decode_ok(decode_str(&m, "{}", &r), &r); /* the topic id counts */
	assert_str(r.u.event_ack.event_uuid, NULL);
	decode_result_free(&r);
	expect_fail_str(&m, "{\"eventUuid\":5}", "eventUuid", "expected string, got number");
}

static void test_wrong_root(void **state)
{
	(void)state;
	struct topic_match sys = match_json(TOPIC_SYSTEM);
	expect_fail_str(&sys, "[{\"uuid\":\"s1\"}]", "", "expected object, got array");
	expect_fail_str(&sys, "\"s1\"", "", "expected object, got string");
	expect_fail_str(&sys, "null", "", "expected object, got null");
	struct topic_match tok = match_json(TOPIC_LOCAL_API_TOKENS);
	expect_fail_str(&tok, "{\"uuid\":\"t\"}", "", "expected array, got object");
	expect_fail_str(&tok, "[{\"uuid\":\"t\"},\"t2\"]", "[1]", "expected object, got string");
	struct topic_match jw = match_json(TOPIC_JWKS);
	expect_fail_str(&jw, "[]", "", "expected object, got array");
	expect_fail_str(&jw, "{\"keys\":{\"kty\":\"RSA\"}}", "keys", "expected array, got object");
	expect_fail_str(&jw, "{\"keys\":[\"RSA\"]}", "keys[0]", "expected object, got string");
	struct topic_match ack = match_json(TOPIC_SETPOINT_ACK);
	expect_fail_str(&ack, "42", "", "expected object, got number");
}

static void test_tokens_roles(void **state)
{
	(void)state;
	struct topic_match m = match_json(TOPIC_LOCAL_API_TOKENS);
	struct decode_result r;
	assert_decode_ok(decode_str(&m,
				    "[{\"uuid\":\"t1\",\"roles\":[{\"uuid\":\"r1\",\"name\":\"A\"},"
				    "{\"uuid\":\"r2\",\"name\":\"B\"}]},"
				    "{\"uuid\":\"t2\",\"roles\":[]},"
				    "{\"uuid\":\"t3\",\"roles\":[{\"name\":\"C\",\"extra\":1}]}]",
				    &r),
			 &r);
	assert_int_equal(r.u.tokens.count, 3);
	const struct token *t = r.u.tokens.items;
	assert_str(t[0].uuid, "t1");
	assert_int_equal(t[0].role_count, 2);
	assert_str(t[0].roles[0].uuid, "r1");
	assert_str(t[0].roles[0].name, "A");
	assert_str(t[0].roles[1].name, "B");
	assert_int_equal(t[1].role_count, 0);
	assert_int_equal(t[2].role_count, 1);
	assert_str(t[2].roles[0].uuid, NULL);
	assert_str(t[2].roles[0].name, "C");
	/* One block: tokens, then every role in order. */
	assert_ptr_equal(r.arrays, t);
	assert_ptr_equal(t[0].roles, (const void *)&t[3]);
	assert_ptr_equal(t[2].roles, t[0].roles + 2);
	decode_result_free(&r);

	expect_fail_str(&m, "[{\"uuid\":\"t\",\"roles\":\"admin\"}]", "[0].roles",
			"expected array, got string");
	expect_fail_str(&m, "[{\"uuid\":\"t\",\"roles\":{\"name\":\"admin\"}}]", "[0].roles",
			"expected array, got object");
	expect_fail_str(&m,
			"[{\"uuid\":\"t\",\"roles\":[{\"name\":\"a\"},{\"name\":\"b\"},"
			"{\"name\":3}]}]",
			"[0].roles[2].name", "expected string, got number");
	expect_fail_str(&m, "[{\"uuid\":\"t\"},{\"uuid\":\"u\",\"roles\":[{},\"admin\"]}]",
			"[1].roles[1]", "expected object, got string");
}

/* ---- error replies ------------------------------------------------------ */

#define ANSWERS_JSON "drivr/v1/adam/input/datapoint/" SYS_CE "/json"
#define ANSWERS_MSGPACK "drivr/v1/adam/input/datapoint/" SYS_CE "/msgpack"

static void test_error_reply_json(void **state)
{
	(void)state;
	struct topic_match m = match_error(ANSWERS_JSON, TOPIC_DATAPOINT_INPUT);
	struct decode_result r;
	assert_decode_ok(decode_str(&m, "{\"message\":\"value out of range\",\"code\":422}", &r), &r);
	assert_int_equal(r.u.error_reply.kind, ERROR_PAYLOAD_JSON);
	assert_str(r.u.error_reply.message, "value out of range");
	assert_str(r.u.error_reply.code, "422");
	decode_result_free(&r);

	assert_decode_ok(decode_str(&m, "{\"code\":\"E_RANGE\",\"description\":\"too big\","
					"\"error\":\"bad value\"}", &r), &r);
	assert_str(r.u.error_reply.message, "bad value"); /* "error" ranks before "description" */
	assert_str(r.u.error_reply.code, "E_RANGE");
	decode_result_free(&r);

	assert_decode_ok(decode_str(&m, "{\"error\":{\"message\":\"nested\",\"code\":-1.5}}", &r), &r);
	assert_str(r.u.error_reply.message, "nested");
	assert_str(r.u.error_reply.code, "-1.5");
	decode_result_free(&r);

	assert_decode_ok(decode_str(&m, "{\"errors\":[{\"message\":\"graphql style\"}]}", &r), &r);
	assert_str(r.u.error_reply.message, "graphql style");
	decode_result_free(&r);

	assert_decode_ok(decode_str(&m, "{\"detail\":\"d\",\"reason\":\"r\"}", &r), &r);
	assert_str(r.u.error_reply.message, "d");
	assert_str(r.u.error_reply.code, NULL);
	decode_result_free(&r);

	assert_decode_ok(decode_str(&m, "{\"status\":400}", &r), &r);
	assert_int_equal(r.u.error_reply.kind, ERROR_PAYLOAD_JSON);
	assert_str(r.u.error_reply.message, NULL);
	decode_result_free(&r);

	assert_decode_ok(decode_str(&m, "\"quoted complaint\"", &r), &r);
	assert_int_equal(r.u.error_reply.kind, ERROR_PAYLOAD_JSON);
	assert_str(r.u.error_reply.message, "quoted complaint");
	decode_result_free(&r);
}

static void test_error_reply_text_binary(void **state)
{
	(void)state;
	struct topic_match m = match_error(ANSWERS_JSON, TOPIC_DATAPOINT_INPUT);
	struct decode_result r;
	assert_decode_ok(decode_str(&m, "Invalid payload: caf\xc3\xa9\r\n", &r), &r);
	assert_int_equal(r.u.error_reply.kind, ERROR_PAYLOAD_TEXT);
	assert_str(r.u.error_reply.message, "Invalid payload: caf\xc3\xa9");
	assert_str(r.u.error_reply.code, NULL);
	decode_result_free(&r);

	/* Broken JSON is still an error reply: shown as text. */
	assert_decode_ok(decode_str(&m, "{\"message\":", &r), &r);
	assert_int_equal(r.u.error_reply.kind, ERROR_PAYLOAD_TEXT);
	assert_str(r.u.error_reply.message, "{\"message\":");
	decode_result_free(&r);

	assert_decode_ok(decode_bytes(&m, "\xff\xfe\x00\x01", 4, &r), &r);
	assert_int_equal(r.u.error_reply.kind, ERROR_PAYLOAD_BINARY);
	assert_null(r.u.error_reply.message);
	decode_result_free(&r);

	assert_decode_ok(decode_bytes(&m, "ab\0cd", 5, &r), &r); /* NUL: not text */
	assert_int_equal(r.u.error_reply.kind, ERROR_PAYLOAD_BINARY);
	decode_result_free(&r);

	assert_decode_ok(decode_payload(&m, NULL, 0, NULL, &r), &r);
	assert_int_equal(r.u.error_reply.kind, ERROR_PAYLOAD_TEXT);
	assert_str(r.u.error_reply.message, "");
	assert_false(r.deleted);
	decode_result_free(&r);

	/* Too large is the one way an error reply fails. */
	struct decode_limits limits = { 8, 64 };
	assert_false(decode_lim(&m, "0123456789", 10, &limits, &r));
	assert_string_equal(r.error_message, "payload too large (10 bytes, limit 8)");
	decode_result_free(&r);
}

static void test_error_reply_msgpack(void **state)
{
	(void)state;
	struct mp p;
	mp_init(&p);
	msgpack_pack_map(&p.pk, 2);
	mp_kv_str(&p, "message", "unknown characteristic");
	mp_str(&p, "code");
	msgpack_pack_int(&p.pk, 404);
	struct decode_result r;

	struct topic_match m = match_error(ANSWERS_MSGPACK, TOPIC_DATAPOINT_INPUT);
	assert_decode_ok(decode_bytes(&m, p.buf.data, p.buf.size, &r), &r);
	assert_int_equal(r.u.error_reply.kind, ERROR_PAYLOAD_JSON);
	assert_str(r.u.error_reply.message, "unknown characteristic");
	assert_str(r.u.error_reply.code, "404");
	decode_result_free(&r);

	/* Answering a JSON input, the same bytes are not tried as MessagePack. */
	struct topic_match mj = match_error(ANSWERS_JSON, TOPIC_DATAPOINT_INPUT);
	assert_decode_ok(decode_bytes(&mj, p.buf.data, p.buf.size, &r), &r);
	assert_int_equal(r.u.error_reply.kind, ERROR_PAYLOAD_BINARY);
	decode_result_free(&r);
	msgpack_sbuffer_destroy(&p.buf);

	/* JSON and text still work on a msgpack-answered topic. */
	assert_decode_ok(decode_str(&m, "{\"message\":\"json anyway\"}", &r), &r);
	assert_int_equal(r.u.error_reply.kind, ERROR_PAYLOAD_JSON);
	assert_str(r.u.error_reply.message, "json anyway");
	decode_result_free(&r);
	assert_decode_ok(decode_str(&m, "rejected", &r), &r);
	assert_int_equal(r.u.error_reply.kind, ERROR_PAYLOAD_TEXT);
	assert_str(r.u.error_reply.message, "rejected");
	decode_result_free(&r);
	/* A hostile header is no reason to allocate: binary. */
	assert_decode_ok(decode_bytes(&m, "\xdd\xff\xff\xff\xff", 5, &r), &r);
	assert_int_equal(r.u.error_reply.kind, ERROR_PAYLOAD_BINARY);
	decode_result_free(&r);
}

/* ---- hostile JSON ------------------------------------------------------- */

static void test_json_syntax_errors(void **state)
{
	(void)state;
	struct topic_match sys = match_json(TOPIC_SYSTEM);
	expect_fail_str(&sys, "{\"uuid\": \"s1\", \"name\": }", "", "invalid JSON near byte 23");
	/* truncated: the error is at the last byte */
	expect_fail_str(&sys, "{\"uuid\":\"s1\",", "", "invalid JSON near byte 12");
	expect_fail_str(&sys, "{\"uuid\":\"s1", "", "invalid JSON");
	expect_fail_str(&sys, "not json at all", "", "invalid JSON near byte 0");
	expect_fail_str(&sys, "{\"uuid\":\"s1\"} x", "", "invalid JSON near byte 14 (data after");
	expect_fail_str(&sys, "{\"uuid\":\"s1\"}{}", "", "invalid JSON near byte 13");

	/* Trailing whitespace is fine; bytes after len are never read. */
	struct decode_result r;
	assert_decode_ok(decode_str(&sys, " {\"uuid\":\"s1\"}\r\n\t ", &r), &r);
	assert_str(r.u.system.uuid, "s1");
	decode_result_free(&r);
	assert_decode_ok(decode_payload(&sys, "{\"uuid\":\"s1\"}garbage", 13, NULL, &r), &r);
	decode_result_free(&r);
}

static void test_too_large(void **state)
{
	(void)state;
	struct topic_match sys = match_json(TOPIC_SYSTEM);
	size_t big = 1u << 20;
	char *huge = malloc(big);
	memset(huge, 'a', big);
	memcpy(huge, "{\"uuid\":\"", 9);
	memcpy(huge + big - 2, "\"}", 2);
	expect_fail(&sys, huge, big, "", "payload too large (1048576 bytes, limit 262144)");

	/* The limit is inclusive and configurable. */
	struct decode_limits limits = { big, 64 };
	struct decode_result r;
	assert_decode_ok(decode_lim(&sys, huge, big, &limits, &r), &r);
	assert_int_equal(strlen(r.u.system.uuid), big - 11);
	decode_result_free(&r);
	limits.max_payload_bytes = big - 1;
	assert_false(decode_lim(&sys, huge, big, &limits, &r));
	assert_non_null(strstr(r.error_message, "too large"));
	decode_result_free(&r);
	free(huge);

	struct decode_limits def;
	decode_limits_default(&def);
	assert_int_equal(def.max_payload_bytes, 256 * 1024);
	assert_int_equal(def.max_depth, 64);
}

static void test_deep_nesting(void **state)
{
	(void)state;
	size_t depth = 10000;
	char *deep = malloc(depth * 2);
	memset(deep, '[', depth);
	memset(deep + depth, ']', depth);
	struct topic_match sys = match_json(TOPIC_SYSTEM);
	expect_fail(&sys, deep, depth * 2, "", "nesting deeper than 64 levels");
	struct topic_match dp = match_json(TOPIC_DATAPOINT_INPUT);
	expect_fail(&dp, deep, depth, "", "nesting deeper than 64 levels"); /* unclosed too */
	free(deep);

	char *obj = malloc(depth * 5 + depth + 2);
	size_t n = 0;
	for (size_t i = 0; i < depth; i++) {
		memcpy(obj + n, "{\"a\":", 5);
		n += 5;
	}
	obj[n++] = '1';
	memset(obj + n, '}', depth);
	expect_fail(&dp, obj, n + depth, "", "nesting deeper");
	free(obj);

	/* A value nested past the limit (but within cJSON's) fails on that field. */
	char payload[1024];
	n = (size_t)sprintf(payload, "[{" DP_ADDR ",\"value\":");
	for (int i = 0; i < 70; i++)
		payload[n++] = '[';
	for (int i = 0; i < 70; i++)
		payload[n++] = ']';
	n += (size_t)sprintf(payload + n, "}]");
	expect_fail(&dp, payload, n, "[0].value", "nesting deeper than 64 levels");

	/* 62 levels of value under [0] (depth 2) is exactly 64. */
	n = (size_t)sprintf(payload, "[{" DP_ADDR ",\"value\":");
	for (int i = 0; i < 62; i++)
		payload[n++] = '[';
	for (int i = 0; i < 62; i++)
		payload[n++] = ']';
	n += (size_t)sprintf(payload + n, "}]");
	struct decode_result r;
	assert_decode_ok(decode_bytes(&dp, payload, n, &r), &r);
	assert_int_equal(r.u.datapoints.items[0].value.type, VALUE_JSON);
	decode_result_free(&r);

	/* A tight limit applies to the fixed structures too. */
	struct decode_limits limits = { 4096, 3 };
	struct topic_match tok = match_json(TOPIC_LOCAL_API_TOKENS);
	const char *t = "[{\"uuid\":\"t\",\"roles\":[{\"name\":\"x\"}]}]";
	assert_false(decode_lim(&tok, t, strlen(t), &limits, &r));
	assert_string_equal(r.error_field, "[0].roles[0]");
	assert_string_equal(r.error_message, "nesting deeper than 3 levels");
	decode_result_free(&r);
	limits.max_depth = 4;
	assert_decode_ok(decode_lim(&tok, t, strlen(t), &limits, &r), &r);
	decode_result_free(&r);
}

/* JSON has no infinity; cJSON turns 1e400 into one: refused like NaN,
 * wherever the number is.  The largest double still decodes. */
static void test_json_number_out_of_range(void **state)
{
	(void)state;
	struct topic_match m = match_json(TOPIC_DATAPOINT_INPUT);
	expect_fail_str(&m, "{\"timeStreamUuid\":\"ts\",\"value\":1e400}", "value",
			"number out of range (overflows to +infinity)");
	expect_fail_str(&m, "{\"timeStreamUuid\":\"ts\",\"value\":-1e400}", "value",
			"overflows to -infinity");
	expect_fail_str(&m, "{\"timeStreamUuid\":\"ts\",\"value\":{\"a\":[1,2e999]}}", "",
			"number out of range");
	struct decode_result r;
	assert_decode_ok(decode_str(&m, "{\"timeStreamUuid\":\"ts\",\"value\":1.7976931348623157e308}",
				    &r), &r);
	assert_true(isfinite(r.u.datapoints.items[0].value.number));
	decode_result_free(&r);
}

/* A NUL inside a string cuts cJSON's C string: decoded (what is before it
 * is kept) but warned about, never silently cut. */
static void test_embedded_nul(void **state)
{
	(void)state;
	struct topic_match sys = match_json(TOPIC_SYSTEM);
	struct decode_result r;

	assert_decode_ok(decode_str(&sys, "{\"uuid\":\"s1\",\"name\":\"before\\u0000after\"}", &r), &r);
	assert_str(r.u.system.name, "before");
	assert_string_equal(r.warning_field, "");
	assert_non_null(strstr(r.warning_message,
			       "string \"before\" holds a NUL (\\u0000 at byte 27): the rest of it is cut off"));
	decode_result_free(&r);

	/* An escaped backslash followed by "u0000" is text, not a NUL. */
	assert_decode_ok(decode_str(&sys, "{\"uuid\":\"s1\",\"name\":\"a\\\\u0000\"}", &r), &r);
	assert_str(r.u.system.name, "a\\u0000");
	assert_string_equal(r.warning_message, "");
	decode_result_free(&r);

	/* MessagePack strings carry their length: a NUL byte in one. */
	struct mp p;
	mp_init(&p);
	msgpack_pack_map(&p.pk, 2);
	mp_kv_str(&p, "uuid", "s1");
	mp_str(&p, "name");
	msgpack_pack_str(&p.pk, 8);
	msgpack_pack_str_body(&p.pk, "pump\0evil", 8);
	struct topic_match mp = match_make(TOPIC_SYSTEM, FORMAT_MSGPACK);
	assert_decode_ok(decode_bytes(&mp, p.buf.data, p.buf.size, &r), &r);
	assert_str(r.u.system.name, "pump");
	assert_string_equal(r.warning_field, "name");
	assert_non_null(strstr(r.warning_message, "string \"pump\" holds a NUL (a NUL byte)"));
	decode_result_free(&r);
	msgpack_sbuffer_destroy(&p.buf);
}

/* Suspicious strings decode, keep their bytes, and raise one warning. */
static void test_hostile_strings(void **state)
{
	(void)state;
	struct topic_match sys = match_json(TOPIC_SYSTEM);
	struct decode_result r;

	assert_decode_ok(decode_str(&sys, "{\"uuid\":\"s1\",\"name\":\"pump\\u001b[2J\"}", &r), &r);
	assert_str(r.u.system.name, "pump\x1b[2J");
	assert_string_equal(r.warning_field, "name");
	assert_non_null(strstr(r.warning_message, "control character 0x1b"));
	decode_result_free(&r);

	/* Raw ESC bytes (invalid in strict JSON, accepted by cJSON) too. */
	assert_decode_ok(decode_str(&sys, "{\"uuid\":\"s1\",\"code\":\"a\x1b[2Jb\"}", &r), &r);
	assert_str(r.u.system.code, "a\x1b[2Jb");
	assert_string_equal(r.warning_field, "code");
	decode_result_free(&r);

	assert_decode_ok(decode_str(&sys, "{\"uuid\":\"s1\",\"name\":\"caf\xc3\x28\"}", &r), &r);
	assert_str(r.u.system.name, "caf\xc3\x28");
	assert_string_equal(r.warning_field, "name");
	assert_non_null(strstr(r.warning_message, "invalid UTF-8 at byte 3"));
	decode_result_free(&r);

	/* Overlong '/', a surrogate, and C1 CSI: all reported. */
	static const char *const odd[] = { "\xc0\xaf", "\xed\xa0\x80", "\xc2\x9b[31m",
					   "trunc\xe2\x82" };
	for (size_t i = 0; i < ARRAY_LEN(odd); i++) {
		char payload[128];
		snprintf(payload, sizeof(payload), "{\"uuid\":\"s1\",\"description\":\"%s\"}", odd[i]);
		assert_decode_ok(decode_str(&sys, payload, &r), &r);
		assert_str(r.u.system.description, odd[i]);
		assert_string_equal(r.warning_field, "description");
		decode_result_free(&r);
	}

	/* Clean text, UTF-8 and layout whitespace raise nothing. */
	assert_decode_ok(decode_str(&sys,
				    "{\"uuid\":\"s1\",\"name\":\"K\xc3\xbchlraum \xe2\x84\x83 \xf0\x9f\x94\xa5\","
				    "\"description\":\"line 1\\nline 2\\tend\"}",
				    &r),
			 &r);
	assert_string_equal(r.warning_field, "");
	assert_string_equal(r.warning_message, "");
	decode_result_free(&r);

	/* Only the first suspicious field is reported; paths are full. */
	struct topic_match tok = match_json(TOPIC_LOCAL_API_TOKENS);
	assert_decode_ok(decode_str(&tok,
				    "[{\"uuid\":\"t\"},{\"uuid\":\"u\",\"subject\":{\"name\":\"\\u0007\"},"
				    "\"status\":\"\\u0008\"}]",
				    &r),
			 &r);
	assert_string_equal(r.warning_field, "[1].subject.name");
	decode_result_free(&r);

	/* Inside values, including JSON values. */
	struct topic_match dp = match_json(TOPIC_DATAPOINT_INPUT);
	assert_decode_ok(decode_str(&dp, "[{" DP_ADDR ",\"value\":{\"a\":[\"\\u009b2J\"]}}]", &r), &r);
	assert_string_equal(r.warning_field, "[0].value");
	assert_non_null(strstr(r.warning_message, "0x9b"));
	decode_result_free(&r);

	/* A warning is not an error: a later type error still fails. */
	expect_fail_str(&sys, "{\"uuid\":\"s1\",\"name\":\"\\u001b\",\"code\":1}", "code",
			"expected string");
}

static void test_free_safe(void **state)
{
	(void)state;
	struct decode_result r;
	struct topic_match sys = match_json(TOPIC_SYSTEM);
	/* Failure after parsing: the tree is owned and freed. */
	assert_false(decode_str(&sys, "{\"uuid\":\"s1\",\"name\":1}", &r));
	assert_non_null(r.root);
	decode_result_free(&r);
	assert_null(r.root);
	assert_false(r.ok);
	decode_result_free(&r); /* twice is fine */
	decode_result_free(NULL);

	/* Failure inside an array: the block is owned and freed. */
	struct topic_match tok = match_json(TOPIC_LOCAL_API_TOKENS);
	assert_false(decode_str(&tok, "[{\"uuid\":\"t\"},{\"roles\":5}]", &r));
	assert_non_null(r.arrays);
	decode_result_free(&r);
	assert_null(r.arrays);

	/* Failure before anything was allocated. */
	assert_false(decode_str(&sys, "[", &r));
	assert_null(r.root);
	decode_result_free(&r);

	/* Scratch (state word) is released. */
	struct topic_match st = match_make(TOPIC_SYSTEM_STATE, FORMAT_STATE);
	assert_decode_ok(decode_str(&st, "ACTIVATED", &r), &r);
	assert_non_null(r.scratch);
	decode_result_free(&r);
	assert_null(r.scratch);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fixture_domain),
		cmocka_unit_test(test_fixture_domain_state),
		cmocka_unit_test(test_fixture_organization),
		cmocka_unit_test(test_fixture_system),
		cmocka_unit_test(test_fixture_system_input),
		cmocka_unit_test(test_fixture_component_model),
		cmocka_unit_test(test_fixture_component),
		cmocka_unit_test(test_fixture_component_input),
		cmocka_unit_test(test_fixture_event_model),
		cmocka_unit_test(test_fixture_event),
		cmocka_unit_test(test_fixture_event_input),
		cmocka_unit_test(test_fixture_datapoint),
		cmocka_unit_test(test_fixture_setpoint),
		cmocka_unit_test(test_fixture_setpoint_input),
		cmocka_unit_test(test_fixture_setpoint_ack),
		cmocka_unit_test(test_fixture_error),
		cmocka_unit_test(test_fixture_jwks),
		cmocka_unit_test(test_fixture_local_api_token),
		cmocka_unit_test(test_fixtures_all_covered),
		cmocka_unit_test(test_state_forms),
		cmocka_unit_test(test_empty_payload),
		cmocka_unit_test(test_unclassified),
		cmocka_unit_test(test_value_types),
		cmocka_unit_test(test_datapoint_array),
		cmocka_unit_test(test_msgpack_equals_json),
		cmocka_unit_test(test_msgpack_other_families),
		cmocka_unit_test(test_msgpack_hostile),
		cmocka_unit_test(test_wrong_types),
		cmocka_unit_test(test_null_is_absent),
		cmocka_unit_test(test_required_fields),
		cmocka_unit_test(test_event_ack),
		cmocka_unit_test(test_wrong_root),
		cmocka_unit_test(test_tokens_roles),
		cmocka_unit_test(test_error_reply_json),
		cmocka_unit_test(test_error_reply_text_binary),
		cmocka_unit_test(test_error_reply_msgpack),
		cmocka_unit_test(test_json_syntax_errors),
		cmocka_unit_test(test_too_large),
		cmocka_unit_test(test_deep_nesting),
		cmocka_unit_test(test_hostile_strings),
		cmocka_unit_test(test_json_number_out_of_range),
		cmocka_unit_test(test_embedded_nul),
		cmocka_unit_test(test_free_safe),
	};
	return cmocka_run_group_tests_name("decode", tests, NULL, NULL);
}
