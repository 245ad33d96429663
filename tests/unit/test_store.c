/* Unit tests: store.  Matches and decode results are built by hand so the
 * store is tested alone; the full pipeline over the fixtures is in
 * test_ingest.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "store.h"

static const char *SYS = "792b6149-1daa-488f-b07a-f684503b0586";

/* A topic_match carrying the given ids (views into static strings). */
static struct topic_match match_of(enum topic_family family, const char *system,
				   enum topic_id other_id, const char *other)
{
	struct topic_match m;
	memset(&m, 0, sizeof(m));
	m.family = family;
	m.format = FORMAT_JSON;
	m.answers_family = TOPIC_UNCLASSIFIED;
	if (system)
		m.ids[TOPIC_ID_SYSTEM_UUID] = sv_from_cstr(system);
	if (other)
		m.ids[other_id] = sv_from_cstr(other);
	return m;
}

static struct decode_result ok_result(enum topic_family family)
{
	struct decode_result r;
	memset(&r, 0, sizeof(r));
	r.family = family;
	r.ok = true;
	return r;
}

static struct message_meta msg_of(const char *topic, const char *payload, double at)
{
	struct message_meta msg = { topic, strlen(topic), payload, strlen(payload), false, at };
	return msg;
}

static void apply(struct store *store, const struct topic_match *m, const struct decode_result *r,
		  const char *payload, double at)
{
	struct message_meta msg = msg_of("drivr/v1/t/x", payload, at);
	store_apply(store, &msg, m, r);
}

static void apply_datapoint(struct store *store, const char *component, const char *characteristic,
			    double value, double at)
{
	struct topic_match m = match_of(TOPIC_DATAPOINT_INPUT, SYS, 0, NULL);
	struct decode_result r = ok_result(TOPIC_DATAPOINT_INPUT);
	struct datapoint dp;
	memset(&dp, 0, sizeof(dp));
	dp.addr.component_code = component;
	dp.addr.service_code = "electricity";
	dp.addr.characteristic_code = characteristic;
	dp.addr.service_index = -1;
	dp.time = at;
	dp.value.type = VALUE_NUMBER;
	dp.value.number = value;
	r.u.datapoints.count = 1;
	r.u.datapoints.items = &dp;
	apply(store, &m, &r, "{}", at);
}

static void test_system_info_and_stamp(void **state)
{
	(void)state;
	struct store *store = store_new(NULL);
	struct topic_match m = match_of(TOPIC_SYSTEM, SYS, 0, NULL);
	struct decode_result r = ok_result(TOPIC_SYSTEM);
	r.u.system.uuid = SYS;
	r.u.system.name = "ESM";
	r.u.system.code = "esm-1";
	r.u.system.connection_state = "CONNECTED";
	r.u.system.created_at = r.u.system.updated_at = TIME_UNKNOWN;
	r.u.system.connection_state_updated_at = 1000.0;
	uint64_t before = store_stamp(store);
	apply(store, &m, &r, "{\"name\":\"ESM\"}", 5.0);
	assert_true(store_stamp(store) > before);

	const struct system *s = store_find_system(store, SYS);
	assert_non_null(s);
	assert_string_equal(s->name, "ESM");
	assert_string_equal(s->code, "esm-1");
	assert_string_equal(s->connection_state, "CONNECTED");
	assert_true(s->connection_state_updated_at == 1000.0);
	assert_true(s->meta.known);
	assert_false(s->meta.deleted);
	assert_string_equal(s->meta.raw.bytes, "{\"name\":\"ESM\"}");
	uint64_t changed = s->meta.changed;

	/* A partial update keeps what it does not mention. */
	struct decode_result r2 = ok_result(TOPIC_SYSTEM);
	r2.u.system.connection_state = "DISCONNECTED";
	r2.u.system.created_at = r2.u.system.updated_at = TIME_UNKNOWN;
	r2.u.system.connection_state_updated_at = TIME_UNKNOWN;
	apply(store, &m, &r2, "{}", 6.0);
	s = store_find_system(store, SYS);
	assert_string_equal(s->name, "ESM");
	assert_string_equal(s->connection_state, "DISCONNECTED");
	assert_true(s->meta.changed > changed);
	assert_true(s->connection_state_updated_at == 1000.0);

	/* Empty retained payload: deleted, but the slot and its id survive. */
	struct decode_result del = ok_result(TOPIC_SYSTEM);
	del.deleted = true;
	apply(store, &m, &del, "", 7.0);
	s = store_find_system(store, SYS);
	assert_true(s->meta.deleted);
	assert_int_equal(store_systems_count(store), 1);
	assert_int_equal(store_counters(store)->deletions, 1);
	store_free(store);
}

static void test_state_topics(void **state)
{
	(void)state;
	struct store *store = store_new(NULL);
	struct topic_match m = match_of(TOPIC_SYSTEM_STATE, SYS, 0, NULL);
	struct decode_result r = ok_result(TOPIC_SYSTEM_STATE);
	r.u.state.state = "ACTIVATED";
	apply(store, &m, &r, "ACTIVATED", 1.0);
	const struct system *s = store_find_system(store, SYS);
	assert_string_equal(s->state, "ACTIVATED");
	/* Only a state seen, no information yet: a stub. */
	assert_false(s->meta.known);
	r.u.state.state = "DELETED";
	apply(store, &m, &r, "DELETED", 2.0);
	assert_true(store_find_system(store, SYS)->meta.deleted);

	/* The state word never replaces the information payload (the inspector
	 * and the component model's catalogue read it). */
	const char *MODEL = "6f1c1f52-6f4e-4a43-9a62-0a6e0c1d2e3f";
	struct topic_match mm = match_of(TOPIC_COMPONENT_MODEL, NULL, TOPIC_ID_COMPONENT_MODEL_UUID, MODEL);
	struct decode_result mr = ok_result(TOPIC_COMPONENT_MODEL);
	mr.u.component_model.uuid = MODEL;
	mr.u.component_model.code = "heat-pump";
	mr.u.component_model.is_connective = -1;
	apply(store, &mm, &mr, "{\"code\":\"heat-pump\",\"services\":[]}", 1.5);
	struct topic_match ms = match_of(TOPIC_COMPONENT_MODEL_STATE, NULL, TOPIC_ID_COMPONENT_MODEL_UUID, MODEL);
	struct decode_result sr = ok_result(TOPIC_COMPONENT_MODEL_STATE);
	sr.u.state.state = "ACTIVATED";
	apply(store, &ms, &sr, "\"ACTIVATED\"", 1.6);
	const struct component_model *cm = store_find_component_model(store, MODEL);
	assert_non_null(cm);
	assert_string_equal(cm->state, "ACTIVATED");
	assert_string_equal(cm->meta.raw.bytes, "{\"code\":\"heat-pump\",\"services\":[]}");

	struct topic_match dm = match_of(TOPIC_DOMAIN_STATE, NULL, 0, NULL);
	struct decode_result dr = ok_result(TOPIC_DOMAIN_STATE);
	dr.u.state.state = "ARCHIVED";
	apply(store, &dm, &dr, "\"ARCHIVED\"", 3.0);
	assert_non_null(store_domain(store));
	assert_string_equal(store_domain(store)->state, "ARCHIVED");
	store_free(store);
}

static void apply_component(struct store *store, const char *code, bool deleted)
{
	struct topic_match m = match_of(TOPIC_COMPONENT, SYS, TOPIC_ID_COMPONENT_CODE, code);
	struct decode_result r = ok_result(TOPIC_COMPONENT);
	r.deleted = deleted;
	if (!deleted) {
		r.u.component.code = code;
		r.u.component.uuid = strcmp(code, "meter") == 0 ? "uuid-meter" : "uuid-other";
		r.u.component.connection_state = "CONNECTED";
		r.u.component.created_at = r.u.component.updated_at = TIME_UNKNOWN;
		r.u.component.connection_state_updated_at = TIME_UNKNOWN;
	}
	apply(store, &m, &r, deleted ? "" : "{}", 1.0);
}

static void test_components_counted_and_indexed(void **state)
{
	(void)state;
	struct store *store = store_new(NULL);
	apply_component(store, "meter", false);
	apply_component(store, "pump", false);
	apply_component(store, "meter", false); /* update, not a new one */
	const struct system *s = store_find_system(store, SYS);
	assert_non_null(s); /* a stub for the system the components name */
	assert_false(s->meta.known);
	assert_int_equal(s->component_count, 2);
	const struct component *c = store_find_component(store, SYS, "meter");
	assert_non_null(c);
	assert_string_equal(c->connection_state, "CONNECTED");
	assert_ptr_equal(store_find_component_by_uuid(store, "uuid-meter"), c);
	assert_null(store_find_component(store, SYS, "absent"));
	apply_component(store, "pump", true);
	assert_int_equal(store_find_system(store, SYS)->component_count, 1);
	store_free(store);
}

static void test_series_history_ring(void **state)
{
	(void)state;
	struct store_limits limits;
	store_limits_default(&limits);
	limits.history_len = 4;
	struct store *store = store_new(&limits);
	for (int i = 1; i <= 3; i++)
		apply_datapoint(store, "meter", "voltage", i * 10.0, 100.0 + i);
	const struct series *s = store_find_series(store, SYS, "meter", "electricity", "voltage");
	assert_non_null(s);
	struct sample out[8];
	assert_int_equal(series_history(s, out, 8), 3);
	assert_true(out[0].value == 10.0 && out[2].value == 30.0);
	/* Wrap around: 6 values into a ring of 4 keeps the newest 4 in order. */
	for (int i = 4; i <= 6; i++)
		apply_datapoint(store, "meter", "voltage", i * 10.0, 100.0 + i);
	s = store_find_series(store, SYS, "meter", "electricity", "voltage");
	assert_int_equal(series_history(s, out, 8), 4);
	assert_true(out[0].value == 30.0);
	assert_true(out[1].value == 40.0);
	assert_true(out[3].value == 60.0);
	assert_true(out[3].time == 106.0);
	/* Asking for fewer gives the newest ones. */
	assert_int_equal(series_history(s, out, 2), 2);
	assert_true(out[0].value == 50.0 && out[1].value == 60.0);
	assert_true(s->last.type == VALUE_NUMBER && s->last.number == 60.0);
	assert_true(s->prev_number == 50.0);
	assert_int_equal(s->updates, 6);
	store_free(store);
}

static void test_series_lru_eviction(void **state)
{
	(void)state;
	struct store_limits limits;
	store_limits_default(&limits);
	limits.max_series = 3;
	struct store *store = store_new(&limits);
	apply_datapoint(store, "a", "v", 1, 1);
	apply_datapoint(store, "b", "v", 1, 2);
	apply_datapoint(store, "c", "v", 1, 3);
	apply_datapoint(store, "a", "v", 2, 4); /* a is now the most recent */
	apply_datapoint(store, "d", "v", 1, 5); /* evicts b, the least recent */
	assert_int_equal(store_series_live(store), 3);
	assert_int_equal(store_counters(store)->series_evicted, 1);
	assert_null(store_find_series(store, SYS, "b", "electricity", "v"));
	assert_non_null(store_find_series(store, SYS, "a", "electricity", "v"));
	assert_non_null(store_find_series(store, SYS, "d", "electricity", "v"));
	/* The evicted slot is reused, not leaked: slots stay at 3. */
	assert_int_equal(store_series_slots(store), 3);
	for (int i = 0; i < 100; i++) {
		char name[16];
		snprintf(name, sizeof(name), "n%d", i);
		apply_datapoint(store, name, "v", i, 10 + i);
	}
	assert_int_equal(store_series_live(store), 3);
	assert_int_equal(store_series_slots(store), 3);
	assert_int_equal(store_counters(store)->series_evicted, 101);
	assert_non_null(store_find_series(store, SYS, "n99", "electricity", "v"));
	/* the live slots, as a view lists them: exactly the three left */
	size_t live = 0;
	for (size_t i = store_series_next_live(store, 0); i != STORE_NO_SERIES;
	     i = store_series_next_live(store, i + 1)) {
		assert_true(store_series_at(store, i)->live);
		live++;
	}
	assert_int_equal(live, 3);
	store_free(store);
}

static void apply_setpoint(struct store *store, const char *receipt, const char *state_word)
{
	struct topic_match m = match_of(TOPIC_SETPOINT, SYS, 0, NULL);
	struct decode_result r = ok_result(TOPIC_SETPOINT);
	r.u.setpoint.receipt_id = receipt;
	r.u.setpoint.uuid = "sp-uuid";
	r.u.setpoint.state = state_word;
	r.u.setpoint.type = "FLOAT";
	r.u.setpoint.time = 10.0;
	r.u.setpoint.value.type = VALUE_NUMBER;
	r.u.setpoint.value.number = 30.0;
	r.u.setpoint.addr.service_index = -1;
	apply(store, &m, &r, "{}", 20.0);
}

static void apply_ack(struct store *store, const char *receipt, const char *state_word,
		      const char *message)
{
	struct topic_match m = match_of(TOPIC_SETPOINT_ACK, SYS, 0, NULL);
	struct decode_result r = ok_result(TOPIC_SETPOINT_ACK);
	r.u.setpoint_ack.receipt_id = receipt;
	r.u.setpoint_ack.state = state_word;
	r.u.setpoint_ack.message = message;
	apply(store, &m, &r, "{}", 30.0);
}

static void test_setpoint_state_machine(void **state)
{
	(void)state;
	struct store *store = store_new(NULL);
	apply_setpoint(store, "r1", "CREATED");
	const struct setpoint *p = store_find_setpoint(store, "r1");
	assert_non_null(p);
	assert_int_equal(p->state, SETPOINT_CREATED);
	assert_true(p->value.number == 30.0);
	assert_string_equal(p->system_uuid, SYS);
	apply_ack(store, "r1", "REJECTED", "out of range");
	p = store_find_setpoint(store, "r1");
	assert_int_equal(p->state, SETPOINT_REJECTED);
	assert_string_equal(p->message, "out of range");
	/* Final: a late CREATED republish does not resurrect it. */
	apply_setpoint(store, "r1", "CREATED");
	assert_int_equal(store_find_setpoint(store, "r1")->state, SETPOINT_REJECTED);

	/* An ack overtaking its setpoint: a stub that the setpoint completes. */
	apply_ack(store, "r2", "ACCEPTED", NULL);
	p = store_find_setpoint(store, "r2");
	assert_int_equal(p->state, SETPOINT_ACCEPTED);
	assert_false(p->meta.known);
	apply_setpoint(store, "r2", "CREATED");
	p = store_find_setpoint(store, "r2");
	assert_true(p->meta.known);
	assert_int_equal(p->state, SETPOINT_ACCEPTED);
	store_free(store);
}

static void apply_event_model(struct store *store, const char *uuid, const char *level)
{
	struct topic_match m = match_of(TOPIC_EVENT_MODEL, NULL, TOPIC_ID_EVENT_MODEL_UUID, uuid);
	struct decode_result r = ok_result(TOPIC_EVENT_MODEL);
	r.u.event_model.uuid = uuid;
	r.u.event_model.code = "FIRE-ALARM";
	r.u.event_model.event_level = level;
	apply(store, &m, &r, "{}", 1.0);
}

static void apply_event(struct store *store, const char *uuid, const char *status)
{
	struct topic_match m = match_of(TOPIC_EVENT, SYS, TOPIC_ID_EVENT_UUID, uuid);
	struct decode_result r = ok_result(TOPIC_EVENT);
	r.u.event.uuid = uuid;
	r.u.event.event_model_uuid = "model-1";
	r.u.event.status = status;
	r.u.event.acknowledged = 0;
	r.u.event.time = 5.0;
	r.u.event.end_time = TIME_UNKNOWN;
	apply(store, &m, &r, "{}", 2.0);
}

static void test_events_counted_by_level(void **state)
{
	(void)state;
	struct store *store = store_new(NULL);
	/* Event before its model: counted as unknown level, then moved. */
	apply_event(store, "e1", "ACTIVE");
	const struct system *s = store_find_system(store, SYS);
	assert_int_equal(s->active_events[LEVEL_UNKNOWN], 1);
	apply_event_model(store, "model-1", "ERROR");
	s = store_find_system(store, SYS);
	assert_int_equal(s->active_events[LEVEL_UNKNOWN], 0);
	assert_int_equal(s->active_events[LEVEL_ERROR], 1);
	assert_int_equal(store_event_level(store, store_find_event(store, "e1")), LEVEL_ERROR);
	apply_event(store, "e2", "ACTIVE");
	assert_int_equal(store_find_system(store, SYS)->active_events[LEVEL_ERROR], 2);
	apply_event(store, "e1", "RESOLVED");
	apply_event(store, "e1", "RESOLVED"); /* idempotent */
	assert_int_equal(store_find_system(store, SYS)->active_events[LEVEL_ERROR], 1);
	store_free(store);
}

static void apply_system_named(struct store *store, const char *uuid, bool deleted)
{
	struct topic_match m = match_of(TOPIC_SYSTEM, uuid, 0, NULL);
	struct decode_result r = ok_result(TOPIC_SYSTEM);
	r.u.system.uuid = uuid;
	r.u.system.name = "a system";
	r.deleted = deleted;
	apply(store, &m, &r, deleted ? "" : "{}", 1.0);
}

/* At the systems cap a deleted system gives its slot to a new one; with
 * none deleted (or the deleted one pinned) the new one is refused.  Each
 * counted per kind. */
static void test_systems_cap_evicts_deleted_then_refuses(void **state)
{
	(void)state;
	struct store_limits limits;
	store_limits_default(&limits);
	limits.max_entities[STORE_KIND_SYSTEMS] = 3;
	struct store *store = store_new(&limits);
	apply_system_named(store, "s1", false);
	apply_system_named(store, "s2", false);
	apply_system_named(store, "s3", false);
	apply_system_named(store, "s4", false); /* full, nothing deleted */
	assert_int_equal(store_systems_count(store), 3);
	assert_null(store_find_system(store, "s4"));
	assert_int_equal(store_counters(store)->entities_refused[STORE_KIND_SYSTEMS], 1);
	assert_int_equal(store_refused_total(store), 1);

	apply_system_named(store, "s2", true); /* deleted: may go */
	assert_true(store_pin_system(store, "s2")); /* ...but on screen */
	apply_system_named(store, "s5", false);
	assert_null(store_find_system(store, "s5"));
	assert_int_equal(store_counters(store)->entities_refused[STORE_KIND_SYSTEMS], 2);
	store_unpin_system(store, "s2");
	apply_system_named(store, "s5", false);
	assert_non_null(store_find_system(store, "s5"));
	assert_null(store_find_system(store, "s2"));
	assert_non_null(store_find_system(store, "s1"));
	assert_non_null(store_find_system(store, "s3"));
	assert_int_equal(store_systems_count(store), 3);
	assert_int_equal(store_counters(store)->entities_evicted[STORE_KIND_SYSTEMS], 1);
	assert_int_equal(store_evicted_total(store), 1);
	/* the evicted one came back: refused again, nothing left to evict */
	apply_system_named(store, "s2", false);
	assert_null(store_find_system(store, "s2"));
	assert_int_equal(store_counters(store)->entities_refused[STORE_KIND_SYSTEMS], 3);
	store_free(store);
}

/* Events: a resolved one goes first, active ones are kept; the system's
 * active count stays right. */
static void test_events_cap_evicts_resolved(void **state)
{
	(void)state;
	struct store_limits limits;
	store_limits_default(&limits);
	limits.max_entities[STORE_KIND_EVENTS] = 2;
	struct store *store = store_new(&limits);
	apply_event(store, "e1", "ACTIVE");
	apply_event(store, "e2", "ACTIVE");
	apply_event(store, "e3", "ACTIVE");
	assert_null(store_find_event(store, "e3"));
	assert_int_equal(store_counters(store)->entities_refused[STORE_KIND_EVENTS], 1);
	apply_event(store, "e1", "RESOLVED");
	apply_event(store, "e3", "ACTIVE");
	assert_non_null(store_find_event(store, "e3"));
	assert_null(store_find_event(store, "e1"));
	assert_non_null(store_find_event(store, "e2"));
	assert_int_equal(store_counters(store)->entities_evicted[STORE_KIND_EVENTS], 1);
	assert_int_equal(store_find_system(store, SYS)->active_events[LEVEL_UNKNOWN], 2);
	store_free(store);
}

/* Every capped kind holds its cap under a flood of new keys. */
static void test_every_kind_capped(void **state)
{
	(void)state;
	struct store_limits limits;
	store_limits_default(&limits);
	for (int k = 0; k < STORE_KIND_COUNT; k++)
		limits.max_entities[k] = 5;
	struct store *store = store_new(&limits);
	char id[64];
	for (int i = 0; i < 40; i++) {
		snprintf(id, sizeof(id), "id-%d", i);
		struct topic_match m;
		struct decode_result r;
		m = match_of(TOPIC_ORGANIZATION, NULL, TOPIC_ID_ORGANIZATION_UUID, id);
		r = ok_result(TOPIC_ORGANIZATION);
		apply(store, &m, &r, "{}", 1);
		apply_system_named(store, id, false);
		m = match_of(TOPIC_COMPONENT, SYS, TOPIC_ID_COMPONENT_CODE, id);
		r = ok_result(TOPIC_COMPONENT);
		apply(store, &m, &r, "{}", 1);
		m = match_of(TOPIC_COMPONENT_MODEL, NULL, TOPIC_ID_COMPONENT_MODEL_UUID, id);
		r = ok_result(TOPIC_COMPONENT_MODEL);
		r.u.component_model.is_connective = -1;
		apply(store, &m, &r, "{}", 1);
		m = match_of(TOPIC_EVENT_MODEL, NULL, TOPIC_ID_EVENT_MODEL_UUID, id);
		r = ok_result(TOPIC_EVENT_MODEL);
		apply(store, &m, &r, "{}", 1);
		apply_event(store, id, "ACTIVE");
		m = match_of(TOPIC_SETPOINT, SYS, 0, NULL);
		r = ok_result(TOPIC_SETPOINT);
		r.u.setpoint.receipt_id = id;
		r.u.setpoint.state = "CREATED";
		apply(store, &m, &r, "{}", 1);
		m = match_of(TOPIC_LOCAL_API_TOKENS, id, 0, NULL);
		r = ok_result(TOPIC_LOCAL_API_TOKENS);
		apply(store, &m, &r, "{}", 1);
	}
	assert_int_equal(store_organizations_count(store), 5);
	assert_int_equal(store_systems_count(store), 5);
	assert_int_equal(store_components_count(store), 5);
	assert_int_equal(store_component_models_count(store), 5);
	assert_int_equal(store_event_models_count(store), 5);
	assert_int_equal(store_events_count(store), 5);
	assert_int_equal(store_setpoints_count(store), 5);
	assert_int_equal(store_token_lists_count(store), 5);
	/* systems: the first component made SYS a stub, one slot fewer */
	for (int k = 0; k < STORE_KIND_COUNT; k++)
		assert_int_equal(store_counters(store)->entities_refused[k] * 100 + (uint64_t)k,
				 (k == STORE_KIND_SYSTEMS ? 3600 : 3500) + (uint64_t)k);
	store_free(store);
}

/* Last values count in the payload budget: beyond it a string is cut. */
static void test_last_values_in_payload_budget(void **state)
{
	(void)state;
	struct store_limits limits;
	store_limits_default(&limits);
	limits.payload_budget = 10000;
	struct store *store = store_new(&limits);
	char big[4001], code[32];
	memset(big, 'v', 4000);
	big[4000] = '\0';
	for (int i = 0; i < 10; i++) {
		struct topic_match m = match_of(TOPIC_DATAPOINT_INPUT, SYS, 0, NULL);
		struct decode_result r = ok_result(TOPIC_DATAPOINT_INPUT);
		struct datapoint dp;
		memset(&dp, 0, sizeof(dp));
		snprintf(code, sizeof(code), "c%d", i);
		dp.addr.component_code = "comp";
		dp.addr.service_code = "s";
		dp.addr.characteristic_code = code;
		dp.time = 1;
		dp.value.type = VALUE_STRING;
		dp.value.text = big;
		r.u.datapoints.count = 1;
		r.u.datapoints.items = &dp;
		apply(store, &m, &r, "", 1);
	}
	const struct store_counters *c = store_counters(store);
	assert_true(c->payload_bytes <= limits.payload_budget);
	assert_int_equal(c->values_cut, 8); /* two fit whole */
	assert_int_equal(strlen(store_find_series(store, SYS, "comp", "s", "c9")->last.text),
			 STORE_VALUE_MIN);
	assert_int_equal(strlen(store_find_series(store, SYS, "comp", "s", "c0")->last.text), 4000);
	store_free(store);
	/* (store_free with ASan: the accounting went back to zero without a leak) */
}

static void test_limits_for_memory(void **state)
{
	(void)state;
	struct store_limits small, big;
	store_limits_default(&small);
	store_limits_default(&big);
	store_limits_for_memory(&small, 16u << 20);
	store_limits_for_memory(&big, STORE_DEFAULT_MEMORY);
	/* the default holds a 100 000-system domain of 10 components each */
	assert_true(big.max_entities[STORE_KIND_SYSTEMS] >= 100000);
	assert_true(big.max_entities[STORE_KIND_COMPONENTS] >= 1000000);
	assert_true(big.max_series >= 200000);
	assert_true(small.max_entities[STORE_KIND_SYSTEMS] < big.max_entities[STORE_KIND_SYSTEMS]);
	size_t total = small.payload_budget + small.max_series * store_series_cost(small.history_len);
	for (int k = 0; k < STORE_KIND_COUNT; k++)
		total += small.max_entities[k] * store_entity_cost((enum store_kind)k);
	assert_true(total <= 16u << 20);
}

static void test_error_ring_and_unclassified_cap(void **state)
{
	(void)state;
	struct store_limits limits;
	store_limits_default(&limits);
	limits.max_errors = 3;
	limits.max_unclassified = 2;
	struct store *store = store_new(&limits);
	for (int i = 0; i < 5; i++) {
		struct topic_match m = match_of(TOPIC_SYSTEM, SYS, 0, NULL);
		struct decode_result r = ok_result(TOPIC_SYSTEM);
		r.ok = false;
		snprintf(r.error_field, sizeof(r.error_field), "name");
		snprintf(r.error_message, sizeof(r.error_message), "bad %d", i);
		apply(store, &m, &r, "{\"name\":1}", i);
	}
	assert_int_equal(store_errors_count(store), 3);
	assert_int_equal(store_counters(store)->decode_errors, 5);
	assert_int_equal(store_counters(store)->errors_evicted, 2);
	assert_string_equal(store_error_at(store, 0)->message, "bad 4"); /* newest first */
	assert_string_equal(store_error_at(store, 2)->message, "bad 2");
	assert_null(store_error_at(store, 3));
	assert_int_equal(store_error_at(store, 0)->kind, ERROR_RECORD_DECODE);
	assert_string_equal(store_error_at(store, 0)->field, "name");
	assert_string_equal(store_error_at(store, 0)->system_uuid, SYS);
	/* The failed message did not touch the system. */
	assert_null(store_find_system(store, SYS));

	struct topic_match u = match_of(TOPIC_UNCLASSIFIED, NULL, 0, NULL);
	u.unclassified_reason = "no pattern matches";
	struct decode_result ur = ok_result(TOPIC_UNCLASSIFIED);
	ur.ok = false;
	const char *topics[] = { "x/1", "x/2", "x/1", "x/3" };
	for (int i = 0; i < 4; i++) {
		struct message_meta msg = msg_of(topics[i], "p", i);
		store_apply(store, &msg, &u, &ur);
	}
	assert_int_equal(store_unclassified_topics_count(store), 2);
	assert_int_equal(store_find_unclassified(store, "x/1")->count, 2);
	assert_int_equal(store_counters(store)->unclassified_dropped, 1);
	assert_int_equal(store_counters(store)->unclassified_messages, 4);
	store_free(store);
}

static void test_payload_truncation_and_budget(void **state)
{
	(void)state;
	struct store_limits limits;
	store_limits_default(&limits);
	limits.max_payload_bytes = 8;
	limits.payload_budget = 20;
	struct store *store = store_new(&limits);
	const char *uuids[] = { "s1", "s2", "s3" };
	for (int i = 0; i < 3; i++) {
		struct topic_match m = match_of(TOPIC_SYSTEM, uuids[i], 0, NULL);
		struct decode_result r = ok_result(TOPIC_SYSTEM);
		r.u.system.created_at = r.u.system.updated_at = TIME_UNKNOWN;
		r.u.system.connection_state_updated_at = TIME_UNKNOWN;
		apply(store, &m, &r, "0123456789abcdef", 1.0);
	}
	const struct system *s1 = store_find_system(store, "s1");
	assert_int_equal(s1->meta.raw.len, 8);
	assert_int_equal(s1->meta.raw.orig_len, 16);
	assert_true(s1->meta.raw.truncated);
	assert_memory_equal(s1->meta.raw.bytes, "01234567", 8);
	/* 8 + 8 fit the budget of 20, the third does not. */
	assert_null(store_find_system(store, "s3")->meta.raw.bytes);
	assert_int_equal(store_counters(store)->payloads_not_kept, 1);
	assert_int_equal(store_counters(store)->payload_bytes, 16);
	store_free(store);
}

static void test_error_reply_tied_to_input(void **state)
{
	(void)state;
	struct store *store = store_new(NULL);
	const char *input = "drivr/v1/t/input/setpoint/s1/json";
	const char *error_topic = "drivr/v1/t/input/setpoint/s1/json/error";
	/* The request as seen on the input topic. */
	struct topic_match im = match_of(TOPIC_SETPOINT_INPUT, "s1", 0, NULL);
	struct decode_result ir = ok_result(TOPIC_SETPOINT_INPUT);
	struct message_meta imsg = msg_of(input, "{\"value\":999}", 1.0);
	store_apply(store, &imsg, &im, &ir);
	/* The platform's reply. */
	struct topic_match em = match_of(TOPIC_ERROR_REPLY, "s1", 0, NULL);
	em.answers_topic = sv_from_cstr(input);
	em.answers_family = TOPIC_SETPOINT_INPUT;
	struct decode_result er = ok_result(TOPIC_ERROR_REPLY);
	er.u.error_reply.kind = ERROR_PAYLOAD_JSON;
	er.u.error_reply.message = "value above maximum 100";
	er.u.error_reply.code = "VALUE_OUT_OF_RANGE";
	struct message_meta emsg = msg_of(error_topic, "{\"message\":\"...\"}", 2.0);
	store_apply(store, &emsg, &em, &er);
	const struct error_record *rec = store_error_at(store, 0);
	assert_non_null(rec);
	assert_int_equal(rec->kind, ERROR_RECORD_REPLY);
	assert_string_equal(rec->topic, error_topic);
	assert_string_equal(rec->answers_topic, input);
	assert_int_equal(rec->answers_family, TOPIC_SETPOINT_INPUT);
	assert_string_equal(rec->message, "value above maximum 100");
	assert_string_equal(rec->code, "VALUE_OUT_OF_RANGE");
	assert_string_equal(rec->system_uuid, "s1");
	assert_string_equal(rec->answered_input.bytes, "{\"value\":999}");
	assert_int_equal(store_counters(store)->error_replies, 1);
	store_free(store);
}

static void test_missing_topic_id_is_an_error(void **state)
{
	(void)state;
	struct store *store = store_new(NULL);
	/* A site's override dropped {systemUuid} from the system row. */
	struct topic_match m = match_of(TOPIC_SYSTEM, NULL, 0, NULL);
	struct decode_result r = ok_result(TOPIC_SYSTEM);
	apply(store, &m, &r, "{}", 1.0);
	assert_int_equal(store_systems_count(store), 0);
	assert_int_equal(store_errors_count(store), 1);
	assert_non_null(strstr(store_error_at(store, 0)->message, "systemUuid"));
	store_free(store);
}

/* What the console's views read to refresh only what changed: the log of
 * series changes (newest first, from a stamp), the ring's ends, the stamp
 * of each family's last change, and a component stamped by its datapoints
 * (its "last datapoint" changed). */
struct visited {
	size_t slots[8];
	size_t n;
};

static void visit(void *ctx, size_t index)
{
	struct visited *v = ctx;
	if (v->n < 8)
		v->slots[v->n] = index;
	v->n++;
}

static void test_recency_and_family_stamps(void **state)
{
	(void)state;
	struct store *store = store_new(NULL);
	apply_component(store, "a", false);
	uint64_t components = store_family_stamp(store, TOPIC_COMPONENT);
	assert_true(components > 0);
	assert_int_equal(store_family_stamp(store, TOPIC_DATAPOINT_INPUT), 0);
	uint64_t a_changed = store_find_component(store, SYS, "a")->meta.changed;

	apply_datapoint(store, "a", "v", 1, 1);
	apply_datapoint(store, "b", "v", 1, 2);
	apply_datapoint(store, "c", "v", 1, 3);
	apply_datapoint(store, "a", "v", 2, 4);
	assert_int_equal(store_family_stamp(store, TOPIC_COMPONENT), components);
	assert_int_equal(store_family_stamp(store, TOPIC_DATAPOINT_INPUT), store_stamp(store));
	assert_true(store_find_component(store, SYS, "a")->meta.changed > a_changed);

	/* the changes after b's: a (again) and c, newest first */
	uint64_t b_changed = store_find_series(store, SYS, "b", "electricity", "v")->changed;
	struct visited seen = { { 0 }, 0 };
	assert_true(store_series_changed_since(store, b_changed, visit, &seen));
	assert_int_equal(seen.n, 2);
	assert_string_equal(store_series_at(store, seen.slots[0])->component, "a");
	assert_string_equal(store_series_at(store, seen.slots[1])->component, "c");
	/* from the start: all four changes, a twice */
	seen.n = 0;
	assert_true(store_series_changed_since(store, 0, visit, &seen));
	assert_int_equal(seen.n, 4);
	assert_int_equal(seen.slots[0], seen.slots[3]);
	seen.n = 0;
	assert_true(store_series_changed_since(store, store_stamp(store), visit, &seen));
	assert_int_equal(seen.n, 0);

	/* the ring's oldest and newest samples, before and after it wraps */
	const struct series *a = store_find_series(store, SYS, "a", "electricity", "v");
	struct sample oldest, newest;
	assert_int_equal(series_span(a, &oldest, &newest), 2);
	assert_true(oldest.time == 1 && newest.time == 4);
	for (int k = 0; k < 200; k++)
		apply_datapoint(store, "a", "v", k, 10 + k);
	a = store_find_series(store, SYS, "a", "electricity", "v");
	assert_int_equal(series_span(a, &oldest, &newest), 120);
	assert_true(newest.time == 209 && oldest.time == 90);
	/* the log keeps the last 65 536 changes: older stamps are reported lost */
	uint64_t before = store_stamp(store);
	for (int k = 0; k < 70000; k++)
		apply_datapoint(store, "a", "v", k, 300 + k);
	seen.n = 0;
	assert_false(store_series_changed_since(store, before, visit, &seen));
	assert_int_equal(seen.n, 65536);
	seen.n = 0;
	assert_true(store_series_changed_since(store, store_stamp(store) - 10, visit, &seen));
	assert_int_equal(seen.n, 10);
	store_free(store);
}

static void test_enum_names(void **state)
{
	(void)state;
	assert_int_equal(event_level_parse("WARNING"), LEVEL_WARNING);
	assert_int_equal(event_level_parse("warning"), LEVEL_UNKNOWN);
	assert_int_equal(event_level_parse(NULL), LEVEL_UNKNOWN);
	assert_string_equal(event_level_name(LEVEL_SUCCESS), "SUCCESS");
	assert_int_equal(setpoint_state_parse("ACCEPTED"), SETPOINT_ACCEPTED);
	assert_string_equal(setpoint_state_name(SETPOINT_REJECTED), "REJECTED");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_system_info_and_stamp),
		cmocka_unit_test(test_state_topics),
		cmocka_unit_test(test_components_counted_and_indexed),
		cmocka_unit_test(test_series_history_ring),
		cmocka_unit_test(test_series_lru_eviction),
		cmocka_unit_test(test_setpoint_state_machine),
		cmocka_unit_test(test_events_counted_by_level),
		cmocka_unit_test(test_error_ring_and_unclassified_cap),
		cmocka_unit_test(test_payload_truncation_and_budget),
		cmocka_unit_test(test_error_reply_tied_to_input),
		cmocka_unit_test(test_missing_topic_id_is_an_error),
		cmocka_unit_test(test_recency_and_family_stamps),
		cmocka_unit_test(test_enum_names),
		cmocka_unit_test(test_systems_cap_evicts_deleted_then_refuses),
		cmocka_unit_test(test_events_cap_evicts_resolved),
		cmocka_unit_test(test_every_kind_capped),
		cmocka_unit_test(test_last_values_in_payload_budget),
		cmocka_unit_test(test_limits_for_memory),
	};
	return cmocka_run_group_tests_name("store", tests, NULL, NULL);
}
