/* snapshot — see include/snapshot.h. */
#include "snapshot.h"

#include <cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "errgroup.h"
#include "sanitize.h"
#include "util.h"

/* Adds a sanitised string member; NULL becomes JSON null. */
static void add_str(cJSON *obj, const char *name, const char *value)
{
	if (!value) {
		cJSON_AddNullToObject(obj, name);
		return;
	}
	char *clean = sanitize_json_dup(value);
	cJSON_AddStringToObject(obj, name, clean);
	free(clean);
}

static void add_time(cJSON *obj, const char *name, double t)
{
	if (t == TIME_UNKNOWN) {
		cJSON_AddNullToObject(obj, name);
		return;
	}
	char buf[40];
	time_format_iso8601(t, buf, sizeof(buf));
	cJSON_AddStringToObject(obj, name, buf);
}

static void add_raw(cJSON *obj, const char *name, const struct raw_payload *raw)
{
	if (!raw->bytes) {
		cJSON_AddNullToObject(obj, name);
		return;
	}
	add_str(obj, name, raw->bytes);
	if (raw->truncated)
		cJSON_AddNumberToObject(obj, "payloadBytes", raw->orig_len);
}

void snapshot_add_value(cJSON *obj, const char *name, const struct stored_value *v)
{
	switch (v->type) {
	case VALUE_NUMBER:
		cJSON_AddNumberToObject(obj, name, v->number);
		break;
	case VALUE_BOOL:
		cJSON_AddBoolToObject(obj, name, v->boolean);
		break;
	case VALUE_STRING:
		add_str(obj, name, v->text);
		break;
	case VALUE_JSON: {
		cJSON *parsed = v->text ? cJSON_Parse(v->text) : NULL;
		if (parsed)
			cJSON_AddItemToObject(obj, name, parsed);
		else
			add_str(obj, name, v->text); /* cut by the payload cap: keep as text */
		break;
	}
	case VALUE_ABSENT:
	case VALUE_NULL:
		cJSON_AddNullToObject(obj, name);
		break;
	}
}

static void add_meta(cJSON *obj, const struct entity_meta *meta)
{
	add_time(obj, "receivedAt", meta->received_at);
	cJSON_AddBoolToObject(obj, "retained", meta->retained);
	if (!meta->known)
		cJSON_AddBoolToObject(obj, "stub", true);
	if (meta->deleted)
		cJSON_AddBoolToObject(obj, "deleted", true);
}

static bool skip(const struct snapshot_options *opt, const struct entity_meta *meta)
{
	return meta->deleted && !opt->include_deleted;
}

static cJSON *build_domain(const struct store *store)
{
	const struct domain *d = store_domain(store);
	if (!d)
		return cJSON_CreateNull();
	cJSON *o = cJSON_CreateObject();
	add_str(o, "uuid", d->uuid);
	add_str(o, "slug", d->slug);
	add_str(o, "name", d->name);
	add_str(o, "status", d->status);
	add_str(o, "state", d->state);
	add_str(o, "ownerUuid", d->owner_uuid);
	add_time(o, "createdAt", d->created_at);
	add_time(o, "updatedAt", d->updated_at);
	add_meta(o, &d->meta);
	return o;
}

static cJSON *build_systems(const struct store *store, const struct snapshot_options *opt)
{
	cJSON *arr = cJSON_CreateArray();
	for (size_t i = 0; i < store_systems_count(store); i++) {
		const struct system *s = store_system_at(store, i);
		if (skip(opt, &s->meta))
			continue;
		cJSON *o = cJSON_CreateObject();
		add_str(o, "uuid", s->uuid);
		add_str(o, "code", s->code);
		add_str(o, "name", s->name);
		add_str(o, "description", s->description);
		add_str(o, "status", s->status);
		add_str(o, "state", s->state);
		add_str(o, "connectionState", s->connection_state);
		add_time(o, "connectionStateUpdatedAt", s->connection_state_updated_at);
		add_time(o, "createdAt", s->created_at);
		add_time(o, "updatedAt", s->updated_at);
		cJSON_AddNumberToObject(o, "componentCount", s->component_count);
		cJSON *active = cJSON_AddObjectToObject(o, "activeEvents");
		for (int l = 0; l < LEVEL_COUNT; l++)
			if (s->active_events[l])
				cJSON_AddNumberToObject(active, event_level_name((enum event_level)l),
							s->active_events[l]);
		add_time(o, "lastDatapointAt", s->last_datapoint_at);
		add_meta(o, &s->meta);
		cJSON_AddItemToArray(arr, o);
	}
	return arr;
}

static cJSON *build_components(const struct store *store, const struct snapshot_options *opt)
{
	cJSON *arr = cJSON_CreateArray();
	for (size_t i = 0; i < store_components_count(store); i++) {
		const struct component *c = store_component_at(store, i);
		if (skip(opt, &c->meta))
			continue;
		cJSON *o = cJSON_CreateObject();
		add_str(o, "systemUuid", c->system_uuid);
		add_str(o, "code", c->code);
		add_str(o, "uuid", c->uuid);
		add_str(o, "name", c->name);
		add_str(o, "componentModelUuid", c->component_model_uuid);
		add_str(o, "connectionState", c->connection_state);
		add_str(o, "status", c->status);
		add_time(o, "connectionStateUpdatedAt", c->connection_state_updated_at);
		add_time(o, "lastDatapointAt", c->last_datapoint_at);
		add_meta(o, &c->meta);
		cJSON_AddItemToArray(arr, o);
	}
	return arr;
}

static cJSON *build_models(const struct store *store, const struct snapshot_options *opt,
			   cJSON **event_models)
{
	cJSON *arr = cJSON_CreateArray();
	for (size_t i = 0; i < store_component_models_count(store); i++) {
		const struct component_model *m = store_component_model_at(store, i);
		if (skip(opt, &m->meta))
			continue;
		cJSON *o = cJSON_CreateObject();
		add_str(o, "uuid", m->uuid);
		add_str(o, "code", m->code);
		add_str(o, "name", m->name);
		add_str(o, "componentType", m->component_type);
		add_str(o, "status", m->status);
		add_str(o, "state", m->state);
		if (m->is_connective >= 0)
			cJSON_AddBoolToObject(o, "isConnective", m->is_connective);
		add_meta(o, &m->meta);
		cJSON_AddItemToArray(arr, o);
	}
	*event_models = cJSON_CreateArray();
	for (size_t i = 0; i < store_event_models_count(store); i++) {
		const struct event_model *m = store_event_model_at(store, i);
		if (skip(opt, &m->meta))
			continue;
		cJSON *o = cJSON_CreateObject();
		add_str(o, "uuid", m->uuid);
		add_str(o, "code", m->code);
		add_str(o, "eventLevel", m->level_text);
		add_str(o, "eventType", m->event_type);
		add_str(o, "entityType", m->entity_type);
		add_str(o, "message", m->message);
		add_str(o, "status", m->status);
		add_str(o, "state", m->state);
		add_meta(o, &m->meta);
		cJSON_AddItemToArray(*event_models, o);
	}
	return arr;
}

static cJSON *build_series(const struct store *store)
{
	cJSON *arr = cJSON_CreateArray();
	for (size_t i = 0; i < store_series_slots(store); i++) {
		const struct series *s = store_series_at(store, i);
		if (!s->live)
			continue;
		cJSON *o = cJSON_CreateObject();
		add_str(o, "system", s->system);
		add_str(o, "component", s->component);
		add_str(o, "service", s->service);
		add_str(o, "characteristic", s->characteristic);
		if (s->time_stream_uuid[0])
			add_str(o, "timeStreamUuid", s->time_stream_uuid);
		cJSON_AddStringToObject(o, "type", value_type_name(s->last.type));
		snapshot_add_value(o, "value", &s->last);
		add_time(o, "time", s->last_time);
		add_time(o, "receivedAt", s->received_at);
		cJSON_AddNumberToObject(o, "updates", (double)s->updates);
		cJSON_AddNumberToObject(o, "history", s->ring_filled);
		cJSON_AddItemToArray(arr, o);
	}
	return arr;
}

static cJSON *build_setpoints(const struct store *store)
{
	cJSON *arr = cJSON_CreateArray();
	for (size_t i = 0; i < store_setpoints_count(store); i++) {
		const struct setpoint *p = store_setpoint_at(store, i);
		cJSON *o = cJSON_CreateObject();
		add_str(o, "receiptId", p->receipt_id);
		add_str(o, "uuid", p->uuid);
		add_str(o, "systemUuid", p->system_uuid);
		add_str(o, "componentCode", p->component_code);
		add_str(o, "serviceCode", p->service_code);
		add_str(o, "characteristicCode", p->characteristic_code);
		add_str(o, "timeStreamUuid", p->time_stream_uuid);
		add_str(o, "type", p->type);
		snapshot_add_value(o, "value", &p->value);
		cJSON_AddStringToObject(o, "state", setpoint_state_name(p->state));
		add_str(o, "message", p->message);
		add_time(o, "time", p->time);
		add_time(o, "stateChangedAt", p->state_changed_at);
		add_meta(o, &p->meta);
		cJSON_AddItemToArray(arr, o);
	}
	return arr;
}

static cJSON *build_events(const struct store *store, const struct snapshot_options *opt)
{
	cJSON *arr = cJSON_CreateArray();
	for (size_t i = 0; i < store_events_count(store); i++) {
		const struct event *e = store_event_at(store, i);
		if (skip(opt, &e->meta))
			continue;
		cJSON *o = cJSON_CreateObject();
		add_str(o, "uuid", e->uuid);
		add_str(o, "eventModelUuid", e->event_model_uuid);
		add_str(o, "entityUuid", e->entity_uuid);
		add_str(o, "systemUuid", e->system_uuid);
		cJSON_AddStringToObject(o, "level", event_level_name(store_event_level(store, e)));
		add_str(o, "status", e->status);
		cJSON_AddBoolToObject(o, "acknowledged", e->acknowledged);
		add_time(o, "time", e->time);
		add_time(o, "endTime", e->end_time);
		add_meta(o, &e->meta);
		cJSON_AddItemToArray(arr, o);
	}
	return arr;
}

static cJSON *build_tokens(const struct store *store, const struct snapshot_options *opt)
{
	cJSON *arr = cJSON_CreateArray();
	for (size_t i = 0; i < store_token_lists_count(store); i++) {
		const struct token_list *l = store_token_list_at(store, i);
		if (skip(opt, &l->meta))
			continue;
		cJSON *o = cJSON_CreateObject();
		add_str(o, "systemUuid", l->system_uuid);
		cJSON *items = cJSON_AddArrayToObject(o, "tokens");
		for (size_t k = 0; k < l->count; k++) {
			const struct stored_token *t = &l->items[k];
			cJSON *to = cJSON_CreateObject();
			add_str(to, "uuid", t->uuid);
			add_str(to, "status", t->status);
			add_str(to, "subjectUuid", t->subject_uuid);
			add_str(to, "subjectName", t->subject_name);
			add_str(to, "subjectType", t->subject_type);
			add_str(to, "roles", t->roles);
			add_time(to, "createdAt", t->created_at);
			add_time(to, "notBefore", t->not_before);
			add_time(to, "expiresAt", t->expires_at);
			cJSON_AddBoolToObject(to, "hasToken", t->token != NULL);
			cJSON_AddItemToArray(items, to);
		}
		add_meta(o, &l->meta);
		cJSON_AddItemToArray(arr, o);
	}
	return arr;
}

static cJSON *build_jwks(const struct store *store)
{
	cJSON *arr = cJSON_CreateArray();
	for (size_t i = 0; i < store_jwks_count(store); i++) {
		const struct jwks_key *k = store_jwks_at(store, i);
		cJSON *o = cJSON_CreateObject();
		add_str(o, "kid", k->kid);
		add_str(o, "kty", k->kty);
		add_str(o, "alg", k->alg);
		add_str(o, "use", k->use);
		cJSON_AddItemToArray(arr, o);
	}
	return arr;
}

static cJSON *build_errors(const struct store *store, const struct snapshot_options *opt)
{
	cJSON *arr = cJSON_CreateArray();
	for (size_t i = 0; i < store_errors_count(store); i++) {
		const struct error_record *r = store_error_at(store, i);
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "kind", r->kind == ERROR_RECORD_REPLY ? "reply"
						   : r->warning			? "warning"
										: "decode");
		add_time(o, "time", r->time);
		add_str(o, "topic", r->topic);
		cJSON_AddStringToObject(o, "family", topic_family_name(r->family));
		if (r->kind == ERROR_RECORD_REPLY) {
			add_str(o, "answersTopic", r->answers_topic);
			cJSON_AddStringToObject(o, "answersFamily",
						topic_family_name(r->answers_family));
			add_raw(o, "answeredInput", &r->answered_input);
		} else {
			add_str(o, "field", r->field);
		}
		add_str(o, "systemUuid", r->system_uuid);
		add_str(o, "message", r->message);
		add_str(o, "code", r->code);
		if (opt->include_payloads)
			add_raw(o, "payload", &r->payload);
		cJSON_AddItemToArray(arr, o);
	}
	return arr;
}

/* The errors grouped as the console's grouped Errors view shows them (the
 * same module): each dimension's groups, worst offenders first. */
static cJSON *build_error_summary(const struct store *store, double now)
{
	static const char *const names[ERRGROUP_BY_COUNT] = {
		[ERRGROUP_BY_CODE] = "byCode",
		[ERRGROUP_BY_SYSTEM] = "bySystem",
		[ERRGROUP_BY_FAMILY] = "byFamily",
	};
	cJSON *o = cJSON_CreateObject();
	size_t n = store_errors_count(store);
	cJSON_AddNumberToObject(o, "records", (double)n);
	/* the groups count only the records kept: say how many gave way */
	cJSON_AddNumberToObject(o, "evicted", (double)store_counters(store)->errors_evicted);
	cJSON_AddNumberToObject(o, "rateWindowSeconds", ERRGROUP_RATE_WINDOW);
	add_time(o, "at", now);
	for (int by = 0; by < ERRGROUP_BY_COUNT; by++) {
		struct errgroups g;
		errgroups_init(&g, (enum errgroup_by)by, now);
		for (size_t i = 0; i < n; i++)
			errgroups_add(&g, store_error_at(store, i));
		errgroups_sort(&g);
		cJSON *arr = cJSON_AddArrayToObject(o, names[by]);
		for (size_t i = 0; i < g.count; i++) {
			const struct errgroup *e = &g.items[i];
			cJSON *item = cJSON_CreateObject();
			add_str(item, "key", e->key);
			if (by == ERRGROUP_BY_SYSTEM) {
				const struct system *s = store_find_system(store, e->key);
				add_str(item, "name", s ? s->name : NULL);
			}
			cJSON_AddNumberToObject(item, "count", (double)e->count);
			add_time(item, "firstSeen", e->first);
			add_time(item, "lastSeen", e->last);
			cJSON_AddNumberToObject(item, "ratePerMinute", errgroup_rate(e));
			cJSON_AddItemToArray(arr, item);
		}
		errgroups_free(&g);
	}
	return o;
}

static cJSON *build_unclassified(const struct store *store, const struct snapshot_options *opt)
{
	cJSON *arr = cJSON_CreateArray();
	for (size_t i = 0; i < store_unclassified_topics_count(store); i++) {
		const struct unclassified_topic *u = store_unclassified_topic_at(store, i);
		cJSON *o = cJSON_CreateObject();
		add_str(o, "topic", u->topic);
		cJSON_AddStringToObject(o, "reason", u->reason);
		cJSON_AddNumberToObject(o, "count", (double)u->count);
		add_time(o, "receivedAt", u->meta.received_at);
		cJSON_AddBoolToObject(o, "retained", u->meta.retained);
		if (opt->include_payloads)
			add_raw(o, "payload", &u->meta.raw);
		cJSON_AddItemToArray(arr, o);
	}
	return arr;
}

static cJSON *build_counters(const struct store *store)
{
	const struct store_counters *c = store_counters(store);
	cJSON *o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "messages", (double)c->messages);
	cJSON_AddNumberToObject(o, "bytes", (double)c->bytes);
	cJSON_AddNumberToObject(o, "decodeErrors", (double)c->decode_errors);
	cJSON_AddNumberToObject(o, "decodeWarnings", (double)c->decode_warnings);
	cJSON_AddNumberToObject(o, "errorReplies", (double)c->error_replies);
	cJSON_AddNumberToObject(o, "unclassifiedMessages", (double)c->unclassified_messages);
	cJSON_AddNumberToObject(o, "deletions", (double)c->deletions);
	cJSON_AddNumberToObject(o, "seriesLive", (double)store_series_live(store));
	cJSON_AddNumberToObject(o, "seriesEvicted", (double)c->series_evicted);
	cJSON_AddNumberToObject(o, "errorsEvicted", (double)c->errors_evicted);
	cJSON_AddNumberToObject(o, "unclassifiedDropped", (double)c->unclassified_dropped);
	cJSON_AddNumberToObject(o, "payloadsTruncated", (double)c->payloads_truncated);
	cJSON_AddNumberToObject(o, "payloadsNotKept", (double)c->payloads_not_kept);
	cJSON_AddNumberToObject(o, "payloadBytesKept", (double)c->payload_bytes);
	cJSON_AddNumberToObject(o, "valuesCut", (double)c->values_cut);
	/* the entity caps of --max-memory, per kind: slots given to newer
	 * entities, and new entities refused */
	cJSON *ev = cJSON_AddObjectToObject(o, "entitiesEvicted");
	cJSON *rf = cJSON_AddObjectToObject(o, "entitiesRefused");
	for (int k = 0; k < STORE_KIND_COUNT; k++) {
		cJSON_AddNumberToObject(ev, store_kind_name((enum store_kind)k),
					(double)c->entities_evicted[k]);
		cJSON_AddNumberToObject(rf, store_kind_name((enum store_kind)k),
					(double)c->entities_refused[k]);
	}
	cJSON *fam = cJSON_AddObjectToObject(o, "byFamily");
	for (int f = 0; f < TOPIC_FAMILY_COUNT; f++)
		if (c->by_family[f])
			cJSON_AddNumberToObject(fam, topic_family_name((enum topic_family)f),
						(double)c->by_family[f]);
	return o;
}

cJSON *snapshot_build(const struct store *store, const struct snapshot_options *options)
{
	struct snapshot_options defaults = { false, false, 0 };
	const struct snapshot_options *opt = options ? options : &defaults;
	cJSON *doc = cJSON_CreateObject();
	cJSON *event_models;
	cJSON_AddItemToObject(doc, "domain", build_domain(store));
	cJSON *orgs = cJSON_AddArrayToObject(doc, "organizations");
	for (size_t i = 0; i < store_organizations_count(store); i++) {
		const struct organization *org = store_organization_at(store, i);
		if (skip(opt, &org->meta))
			continue;
		cJSON *o = cJSON_CreateObject();
		add_str(o, "uuid", org->uuid);
		add_str(o, "name", org->name);
		add_str(o, "alias", org->alias);
		add_str(o, "status", org->status);
		add_str(o, "state", org->state);
		add_meta(o, &org->meta);
		cJSON_AddItemToArray(orgs, o);
	}
	cJSON_AddItemToObject(doc, "systems", build_systems(store, opt));
	cJSON_AddItemToObject(doc, "components", build_components(store, opt));
	cJSON_AddItemToObject(doc, "componentModels", build_models(store, opt, &event_models));
	cJSON_AddItemToObject(doc, "eventModels", event_models);
	cJSON_AddItemToObject(doc, "series", build_series(store));
	cJSON_AddItemToObject(doc, "setpoints", build_setpoints(store));
	cJSON_AddItemToObject(doc, "events", build_events(store, opt));
	cJSON_AddItemToObject(doc, "tokens", build_tokens(store, opt));
	cJSON_AddItemToObject(doc, "jwks", build_jwks(store));
	cJSON_AddItemToObject(doc, "errors", build_errors(store, opt));
	cJSON_AddItemToObject(doc, "errorSummary",
			      build_error_summary(store, opt->now > 0 ? opt->now : time_now()));
	cJSON_AddItemToObject(doc, "unclassified", build_unclassified(store, opt));
	cJSON_AddItemToObject(doc, "counters", build_counters(store));
	return doc;
}
