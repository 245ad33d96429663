/* Unit tests: the whole pipeline (topic_match → decode → store_apply) over
 * every fixture in tests/fixtures, hostile input, and MessagePack/JSON
 * equivalence.  Runs from the repository root (make test does). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <cJSON.h>
#include <msgpack.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ingest.h"
#include "snapshot.h"
#include "support.h"

struct pipeline {
	struct topic_table *topics;
	struct store *store;
	struct ingest ingest;
};

static struct pipeline *pipeline_new(void)
{
	struct pipeline *p = calloc(1, sizeof(*p));
	p->topics = topics_new();
	p->store = store_new(NULL);
	ingest_init(&p->ingest, p->topics, p->store);
	return p;
}

static void pipeline_free(struct pipeline *p)
{
	store_free(p->store);
	topics_free(p->topics);
	free(p);
}

static void feed(struct pipeline *p, const char *topic, const void *payload, size_t len,
		 bool retained)
{
	struct message_meta msg = { topic, strlen(topic), payload, len, retained, 1700000000.0 };
	ingest_message(&p->ingest, &msg);
}

static void feed_str(struct pipeline *p, const char *topic, const char *payload)
{
	feed(p, topic, payload, strlen(payload), false);
}

/* Feeds tests/fixtures/<name>.json: {"topic": ..., "payload": ...}. */
static void feed_fixture(struct pipeline *p, const char *name)
{
	char path[256];
	snprintf(path, sizeof(path), "tests/fixtures/%s.json", name);
	cJSON *doc = test_read_json(path);
	const cJSON *topic = cJSON_GetObjectItemCaseSensitive(doc, "topic");
	assert_true(cJSON_IsString(topic));
	char *payload = cJSON_PrintUnformatted(cJSON_GetObjectItemCaseSensitive(doc, "payload"));
	feed(p, topic->valuestring, payload, strlen(payload), true);
	cJSON_free(payload);
	cJSON_Delete(doc);
}

static void assert_time(double t, const char *iso)
{
	double want = time_parse_iso8601(iso);
	assert_true(want != TIME_UNKNOWN);
	if (t < want - 1e-4 || t > want + 1e-4)
		fail_msg("time %.6f, expected %s (%.6f)", t, iso, want);
}

static void test_every_fixture(void **state)
{
	(void)state;
	struct pipeline *p = pipeline_new();
	const char *names[] = { "domain", "domain-state", "organization", "system",
				"system-input", "component-model", "component", "component-input",
				"event-model", "event-input", "event", "datapoint", "setpoint",
				"setpoint-input", "setpoint-ack", "error", "jwks", "local-api-token" };
	for (size_t i = 0; i < ARRAY_LEN(names); i++)
		feed_fixture(p, names[i]);
	const struct store *s = p->store;
	const struct store_counters *c = store_counters(s);
	assert_int_equal(c->messages, ARRAY_LEN(names));
	assert_int_equal(c->decode_errors, 0);
	assert_int_equal(c->unclassified_messages, 0);
	assert_int_equal(c->error_replies, 1);
	/* Every fixture landed in its own family. */
	for (int f = 0; f < TOPIC_UNCLASSIFIED; f++) {
		bool expected = f != TOPIC_ORGANIZATION_STATE && f != TOPIC_SYSTEM_STATE &&
				f != TOPIC_COMPONENT_MODEL_STATE && f != TOPIC_EVENT_MODEL_STATE &&
				f != TOPIC_EVENT_INPUT_COMPONENT && f != TOPIC_EVENT_ACK;
		if (expected && c->by_family[f] != 1)
			fail_msg("family %s: %llu messages", topic_family_name((enum topic_family)f),
				 (unsigned long long)c->by_family[f]);
	}

	/* domain.json + domain-state.json */
	const struct domain *d = store_domain(s);
	assert_non_null(d);
	assert_string_equal(d->uuid, "24ee14a3-f1c8-49aa-95fc-ad0432e23b99");
	assert_string_equal(d->slug, "adam");
	assert_string_equal(d->name, "Adam's DRIVR domain");
	assert_string_equal(d->status, "ACTIVATED");
	assert_string_equal(d->owner_uuid, "52319891-c130-43bd-93ff-bad42f464c84");
	assert_string_equal(d->state, "ACTIVATED");
	assert_time(d->created_at, "2021-08-06T13:13:06.136333+00:00");
	assert_time(d->updated_at, "2021-08-06T14:39:44.368252+00:00");
	assert_true(d->meta.retained);

	/* organization.json */
	const struct organization *o =
		store_find_organization(s, "d837b268-0855-49ab-b6b2-1070ac7c838e");
	assert_non_null(o);
	assert_string_equal(o->name, "Acme Ltd");
	assert_string_equal(o->alias, "6898400c-651d-4b36-8cd5-d1d8a152f68a");
	assert_string_equal(o->status, "ACTIVATED");

	/* system.json */
	const struct system *sys = store_find_system(s, "24ee14a3-f1c8-49aa-95fc-ad0432e23b99");
	assert_non_null(sys);
	assert_true(sys->meta.known);
	assert_string_equal(sys->code, "my-awesome-machine-device-conglomarate.example.com");
	assert_string_equal(sys->name, "World domination device");
	assert_string_equal(sys->description, "This system will make me rich.");
	assert_string_equal(sys->connection_state, "CONNECTED");
	assert_string_equal(sys->status, "ACTIVATED");
	assert_time(sys->connection_state_updated_at, "2021-11-02T17:11:46.833029+00:00");
	assert_non_null(strstr(sys->meta.raw.bytes, "World domination device"));

	/* component-model.json */
	const struct component_model *cm =
		store_find_component_model(s, "973c576b-3158-4e51-8374-5fea435b9b68");
	assert_non_null(cm);
	assert_string_equal(cm->code, "my-component-model");
	assert_string_equal(cm->component_type, "DEVICE");
	assert_string_equal(cm->description, "My awesome component model");
	assert_int_equal(cm->is_connective, 1);

	/* component.json: keyed by system uuid + code, also findable by uuid */
	const char *sys2 = "792b6149-1daa-488f-b07a-f684503b0586";
	const struct component *comp = store_find_component(s, sys2, "smart-meter");
	assert_non_null(comp);
	assert_string_equal(comp->uuid, "00f80405-55a3-4d8e-91c3-14a10f028cf9");
	assert_string_equal(comp->name, "Smart Meter");
	assert_string_equal(comp->component_model_uuid, "973c576b-3158-4e51-8374-5fea435b9b68");
	assert_string_equal(comp->connection_state, "CONNECTED");
	assert_ptr_equal(store_find_component_by_uuid(s, "00f80405-55a3-4d8e-91c3-14a10f028cf9"),
			 comp);
	assert_int_equal(store_find_system(s, sys2)->component_count, 1);

	/* event-model.json */
	const struct event_model *em =
		store_find_event_model(s, "973c576b-3158-4e51-8374-5fea435b9b68");
	assert_non_null(em);
	assert_string_equal(em->code, "FIRE-ALARM");
	assert_int_equal(em->level, LEVEL_ERROR);
	assert_string_equal(em->event_type, "SINGLE_POINT");
	assert_string_equal(em->entity_type, "COMPONENT");
	assert_string_equal(em->message, "Fire alarm triggered");

	/* event.json */
	const struct event *ev = store_find_event(s, "5a3e1f0c-8b2d-4e6a-9c1f-2d7b8e4a6c30");
	assert_non_null(ev);
	assert_string_equal(ev->event_model_uuid, "181ca359-96a7-4f5d-9d18-8c2dcf2ac9fa");
	assert_string_equal(ev->entity_uuid, "3c10f7cc-3205-46ac-99d9-71e31a192cb5");
	assert_string_equal(ev->system_uuid, "3c10f7cc-3205-46ac-99d9-71e31a192cb5");
	assert_string_equal(ev->status, "RESOLVED");
	assert_false(ev->acknowledged);
	assert_time(ev->time, "2022-01-01T00:00:00+00:00");
	assert_time(ev->end_time, "2022-01-01T01:00:00+00:00");
	assert_false(ev->counted_active);

	/* datapoint.json: a string value keeps its type */
	const struct series *dp = store_find_series(s, sys2, "smart-meter", "electricity", "voltage");
	assert_non_null(dp);
	assert_int_equal(dp->last.type, VALUE_STRING);
	assert_string_equal(dp->last.text, "20V");
	assert_time(dp->last_time, "2022-01-01T00:00:00Z");
	assert_int_equal(store_series_live(s), 1);

	/* setpoint.json then setpoint-ack.json */
	const struct setpoint *sp = store_find_setpoint(s, "0f4c2a9e-3d71-4b8a-a6e5-9c2b1d7f8e30");
	assert_non_null(sp);
	assert_string_equal(sp->uuid, "6b1d2f4e-7c3a-4e9b-8f21-0a5c9d3e7b14");
	assert_string_equal(sp->type, "FLOAT");
	assert_string_equal(sp->time_stream_uuid, "e2a7c4d1-5b9f-4a36-8c0e-1f6d3b8a2c57");
	assert_string_equal(sp->system_uuid, sys2);
	assert_int_equal(sp->value.type, VALUE_NUMBER);
	assert_true(sp->value.number == 30.0);
	assert_int_equal(sp->state, SETPOINT_ACCEPTED);
	assert_string_equal(sp->message, "applied");

	/* error.json: tied to the system input it answers, whose payload we saw */
	const struct error_record *er = store_error_at(s, 0);
	assert_non_null(er);
	assert_int_equal(er->kind, ERROR_RECORD_REPLY);
	assert_string_equal(er->answers_topic,
			    "drivr/v1/company-example/input/system/"
			    "792b6149-1daa-488f-b07a-f684503b0586/json");
	assert_int_equal(er->answers_family, TOPIC_SYSTEM_INPUT);
	assert_string_equal(er->system_uuid, sys2);
	assert_non_null(strstr(er->message, "ILLUSTRATIVE PLACEHOLDER"));
	assert_non_null(er->answered_input.bytes);
	assert_non_null(strstr(er->answered_input.bytes, "ESM-system"));

	/* jwks.json */
	assert_int_equal(store_jwks_count(s), 1);
	assert_string_equal(store_jwks_at(s, 0)->kid, "1");
	assert_string_equal(store_jwks_at(s, 0)->kty, "RSA");
	assert_string_equal(store_jwks_at(s, 0)->e, "AQAB");

	/* local-api-token.json */
	const struct token_list *tl = store_find_token_list(s, "9c4b33e9-f84c-4aaa-ad37-74f0078901a2");
	assert_non_null(tl);
	assert_int_equal(tl->count, 1);
	assert_string_equal(tl->items[0].uuid, "9c4b33e9-f84c-4aaa-ad37-74f0078901a2");
	assert_string_equal(tl->items[0].subject_name, "Ada Lovelace");
	assert_string_equal(tl->items[0].subject_type, "USER");
	assert_string_equal(tl->items[0].roles, "System Maintainer");
	assert_string_equal(tl->items[0].token, "CLOUD-eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9");
	assert_time(tl->items[0].expires_at, "2021-08-06T13:13:06.136333+00:00");

	/* The snapshot carries all of it and no token secret. */
	cJSON *snap = snapshot_build(s, NULL);
	char *text = cJSON_PrintUnformatted(snap);
	assert_non_null(strstr(text, "\"name\":\"World domination device\""));
	assert_null(strstr(text, "CLOUD-eyJ"));
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(snap, "series")), 1);
	cJSON_free(text);
	cJSON_Delete(snap);
	pipeline_free(p);
}

static void test_state_bare_and_quoted_and_deleted(void **state)
{
	(void)state;
	struct pipeline *p = pipeline_new();
	feed_str(p, "drivr/v1/adam/systems/s1/state", "ACTIVATED\n");
	assert_string_equal(store_find_system(p->store, "s1")->state, "ACTIVATED");
	feed_str(p, "drivr/v1/adam/systems/s1/state", "\"DEACTIVATED\"");
	assert_string_equal(store_find_system(p->store, "s1")->state, "DEACTIVATED");
	/* An empty retained payload on an information topic deletes. */
	feed_str(p, "drivr/v1/adam/systems/s1", "{\"uuid\":\"s1\",\"name\":\"x\"}");
	assert_false(store_find_system(p->store, "s1")->meta.deleted);
	feed(p, "drivr/v1/adam/systems/s1", "", 0, true);
	assert_true(store_find_system(p->store, "s1")->meta.deleted);
	assert_int_equal(store_counters(p->store)->decode_errors, 0);
	pipeline_free(p);
}

/* After any hostile message the store must still take a good one. */
static void assert_store_usable(struct pipeline *p)
{
	feed_str(p, "drivr/v1/adam/systems/ok-system", "{\"uuid\":\"ok-system\",\"name\":\"fine\"}");
	const struct system *s = store_find_system(p->store, "ok-system");
	assert_non_null(s);
	assert_string_equal(s->name, "fine");
}

/* Feeds one message and checks it produced exactly one error record or one
 * more unclassified message. */
static void expect_rejected(struct pipeline *p, const char *topic, const void *payload, size_t len,
			    const char *needle)
{
	const struct store_counters *c = store_counters(p->store);
	uint64_t errors = c->decode_errors + c->decode_warnings;
	uint64_t unclassified = c->unclassified_messages;
	feed(p, topic, payload, len, false);
	bool error = c->decode_errors + c->decode_warnings == errors + 1;
	bool uncl = c->unclassified_messages == unclassified + 1;
	if (error == uncl)
		fail_msg("%.60s: expected one error record or one unclassified entry", topic);
	if (error && needle) {
		const struct error_record *r = store_error_at(p->store, 0);
		char both[512];
		snprintf(both, sizeof(both), "%s: %s", r->field ? r->field : "", r->message);
		if (!strstr(both, needle))
			fail_msg("error \"%s\" does not mention \"%s\"", both, needle);
	}
	assert_store_usable(p);
}

static void test_hostile_payloads(void **state)
{
	(void)state;
	struct pipeline *p = pipeline_new();
	const char *sys = "drivr/v1/adam/systems/s1";
	expect_rejected(p, sys, "{\"uuid\":\"s1\",", 13, "JSON");
	expect_rejected(p, sys, "{\"uuid\": \"s1\", \"name\": }", 24, "JSON");
	expect_rejected(p, sys, "not json at all", 15, "JSON");

	/* 1 MiB payload */
	size_t big = 1u << 20;
	char *huge = malloc(big);
	memset(huge, 'a', big);
	memcpy(huge, "{\"name\":\"", 9);
	memcpy(huge + big - 2, "\"}", 2);
	expect_rejected(p, sys, huge, big, "too large");
	free(huge);

	/* 10 000 levels of nesting, as arrays and as objects */
	size_t depth = 10000;
	char *deep = malloc(depth * 2);
	memset(deep, '[', depth);
	memset(deep + depth, ']', depth);
	expect_rejected(p, sys, deep, depth * 2, NULL);
	char *deep_obj = malloc(depth * 6 + 2);
	size_t n = 0;
	for (size_t i = 0; i < depth; i++)
		n += (size_t)sprintf(deep_obj + n, "{\"a\":");
	deep_obj[n++] = '1';
	memset(deep_obj + n, '}', depth);
	expect_rejected(p, "drivr/v1/adam/input/datapoint/s1/json", deep_obj, n + depth, NULL);
	free(deep);
	free(deep_obj);

	/* wrong types both ways, naming the field */
	expect_rejected(p, sys, "{\"uuid\":\"s1\",\"name\":42}", 23, "name");
	expect_rejected(p, sys, "{\"uuid\":\"s1\",\"connectionStateUpdatedAt\":true}", 45,
			"connectionStateUpdatedAt");
	expect_rejected(p, "drivr/v1/adam/componentModels/m1",
			"{\"uuid\":\"m1\",\"isConnective\":\"yes\"}", 34, "isConnective");
	expect_rejected(p, "drivr/v1/adam/authorization/localApiTokens/s1", "{\"uuid\":\"t\"}", 12,
			NULL);

	/* suspicious strings are applied but reported */
	const char esc[] = "{\"uuid\":\"s1\",\"name\":\"pump\\u001b[2J\"}";
	expect_rejected(p, sys, esc, sizeof(esc) - 1, "name");
	assert_string_equal(store_find_system(p->store, "s1")->name, "pump\x1b[2J");
	const char bad_utf8[] = "{\"uuid\":\"s1\",\"name\":\"caf\xc3\x28\"}";
	expect_rejected(p, sys, bad_utf8, sizeof(bad_utf8) - 1, "UTF-8");

	const struct store_counters *c = store_counters(p->store);
	assert_int_equal(c->messages, c->by_family[TOPIC_SYSTEM] + c->by_family[TOPIC_DATAPOINT_INPUT] +
					      c->by_family[TOPIC_COMPONENT_MODEL] +
					      c->by_family[TOPIC_LOCAL_API_TOKENS]);
	pipeline_free(p);
}

static void test_hostile_topics(void **state)
{
	(void)state;
	struct pipeline *p = pipeline_new();
	const char *payload = "{\"uuid\":\"x\"}";
	size_t len = strlen(payload);
	expect_rejected(p, "drivr/v1//systems/s1", payload, len, NULL);
	expect_rejected(p, "drivr/v1/adam/systems//components/c", payload, len, NULL);
	expect_rejected(p, "drivr/v1/adam/systems/+", payload, len, NULL);
	expect_rejected(p, "drivr/v1/adam/systems/#", payload, len, NULL);
	expect_rejected(p, "drivr/v1/adam/unknownThing/1", payload, len, NULL);
	expect_rejected(p, "other/prefix", payload, len, NULL);

	char *long_topic = malloc(4200);
	int n = sprintf(long_topic, "drivr/v1/");
	memset(long_topic + n, 's', 4096);
	strcpy(long_topic + n + 4096, "/systems/s1");
	expect_rejected(p, long_topic, payload, len, NULL);
	n = sprintf(long_topic, "drivr/v1/adam/systems/");
	memset(long_topic + n, 'u', 4096);
	long_topic[n + 4096] = '\0';
	expect_rejected(p, long_topic, payload, len, NULL);
	/* The unclassified entry keeps the whole topic for the operator. */
	assert_non_null(store_find_unclassified(p->store, long_topic));
	free(long_topic);

	/* A device-chosen topic with an escape sequence is kept, not matched. */
	expect_rejected(p, "drivr/v1/adam/\x1b[2J", payload, len, NULL);
	assert_int_equal(store_counters(p->store)->decode_errors, 0);
	pipeline_free(p);
}

/* Packs a cJSON tree as MessagePack (the test's own encoder). */
static void pack_json(msgpack_packer *pk, const cJSON *item)
{
	if (cJSON_IsObject(item)) {
		msgpack_pack_map(pk, (size_t)cJSON_GetArraySize(item));
		for (const cJSON *c = item->child; c; c = c->next) {
			size_t n = strlen(c->string);
			msgpack_pack_str(pk, n);
			msgpack_pack_str_body(pk, c->string, n);
			pack_json(pk, c);
		}
	} else if (cJSON_IsArray(item)) {
		msgpack_pack_array(pk, (size_t)cJSON_GetArraySize(item));
		for (const cJSON *c = item->child; c; c = c->next)
			pack_json(pk, c);
	} else if (cJSON_IsString(item)) {
		size_t n = strlen(item->valuestring);
		msgpack_pack_str(pk, n);
		msgpack_pack_str_body(pk, item->valuestring, n);
	} else if (cJSON_IsNumber(item)) {
		double v = item->valuedouble;
		if (v == (double)(int64_t)v)
			msgpack_pack_int64(pk, (int64_t)v);
		else
			msgpack_pack_double(pk, v);
	} else if (cJSON_IsBool(item)) {
		if (cJSON_IsTrue(item))
			msgpack_pack_true(pk);
		else
			msgpack_pack_false(pk);
	} else {
		msgpack_pack_nil(pk);
	}
}

/* The snapshot without its counters: byte counts differ between the two
 * encodings by nature; everything decoded must not. */
static char *snapshot_text(const struct store *store)
{
	cJSON *snap = snapshot_build(store, NULL);
	cJSON_DeleteItemFromObject(snap, "counters");
	char *text = cJSON_PrintUnformatted(snap);
	cJSON_Delete(snap);
	return text;
}

static void test_msgpack_same_store_as_json(void **state)
{
	(void)state;
	const char *payloads[] = {
		"{\"systemUuid\":\"s1\",\"componentCode\":\"meter\",\"serviceCode\":\"electricity\","
		"\"characteristicCode\":\"voltage\",\"time\":\"2022-01-01T00:00:00Z\",\"value\":229.5}",
		"{\"systemUuid\":\"s1\",\"componentCode\":\"meter\",\"serviceCode\":\"electricity\","
		"\"characteristicCode\":\"power\",\"time\":\"2022-01-01T00:00:01Z\",\"value\":1200}",
		"[{\"componentCode\":\"pump\",\"serviceCode\":\"state\",\"characteristicCode\":\"on\","
		"\"value\":true},{\"componentCode\":\"pump\",\"serviceCode\":\"state\","
		"\"characteristicCode\":\"status\",\"value\":\"running\"},{\"componentCode\":\"pump\","
		"\"serviceCode\":\"diag\",\"characteristicCode\":\"blob\",\"value\":{\"a\":[1,2]}}]",
	};
	struct pipeline *json = pipeline_new(), *mp = pipeline_new();
	for (size_t i = 0; i < ARRAY_LEN(payloads); i++) {
		feed_str(json, "drivr/v1/adam/input/datapoint/s1/json", payloads[i]);
		cJSON *tree = cJSON_Parse(payloads[i]);
		assert_non_null(tree);
		msgpack_sbuffer sbuf;
		msgpack_sbuffer_init(&sbuf);
		msgpack_packer pk;
		msgpack_packer_init(&pk, &sbuf, msgpack_sbuffer_write);
		pack_json(&pk, tree);
		feed(mp, "drivr/v1/adam/input/datapoint/s1/msgpack", sbuf.data, sbuf.size, false);
		msgpack_sbuffer_destroy(&sbuf);
		cJSON_Delete(tree);
	}
	assert_int_equal(store_counters(mp->store)->decode_errors, 0);
	assert_int_equal(store_series_live(mp->store), 5);
	char *a = snapshot_text(json->store), *b = snapshot_text(mp->store);
	assert_string_equal(a, b);
	const struct series *s = store_find_series(mp->store, "s1", "pump", "diag", "blob");
	assert_non_null(s);
	assert_int_equal(s->last.type, VALUE_JSON);
	assert_string_equal(s->last.text, "{\"a\":[1,2]}");
	s = store_find_series(mp->store, "s1", "meter", "electricity", "power");
	assert_true(s->last.is_integer && s->last.number == 1200.0);
	cJSON_free(a);
	cJSON_free(b);
	pipeline_free(json);
	pipeline_free(mp);
}

struct observed {
	int calls;
	enum topic_family last_family;
	bool last_ok;
};

static void observe(void *ctx, const struct message_meta *msg, const struct topic_match *match,
		    const struct decode_result *result)
{
	struct observed *o = ctx;
	(void)msg;
	o->calls++;
	o->last_family = match->family;
	o->last_ok = result->ok;
}

/* The --log mode hangs off the observer: every message reaches it, decoded
 * or not. */
static void test_observer_sees_each_message(void **state)
{
	(void)state;
	struct pipeline *p = pipeline_new();
	struct observed o = { 0, TOPIC_FAMILY_COUNT, false };
	p->ingest.observer = observe;
	p->ingest.observer_ctx = &o;
	feed_str(p, "drivr/v1/adam/state", "ACTIVATED");
	assert_int_equal(o.calls, 1);
	assert_int_equal(o.last_family, TOPIC_DOMAIN_STATE);
	assert_true(o.last_ok);
	feed_str(p, "drivr/v1/adam/systems/s1", "{broken");
	assert_int_equal(o.calls, 2);
	assert_int_equal(o.last_family, TOPIC_SYSTEM);
	assert_false(o.last_ok);
	feed_str(p, "somewhere/else", "x");
	assert_int_equal(o.calls, 3);
	assert_int_equal(o.last_family, TOPIC_UNCLASSIFIED);
	pipeline_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_fixture),
		cmocka_unit_test(test_state_bare_and_quoted_and_deleted),
		cmocka_unit_test(test_hostile_payloads),
		cmocka_unit_test(test_hostile_topics),
		cmocka_unit_test(test_msgpack_same_store_as_json),
		cmocka_unit_test(test_observer_sees_each_message),
	};
	return cmocka_run_group_tests_name("ingest", tests, NULL, NULL);
}
