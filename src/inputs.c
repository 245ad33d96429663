/* inputs — see include/inputs.h. */
#include "inputs.h"

#include <cJSON.h>
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store.h"
#include "util.h"

const char *const inputs_system_statuses[] = { "ACTIVATED", "DEACTIVATED", "ARCHIVED" };
const char *const inputs_system_connection_states[] = { "CONNECTED", "DISCONNECTED",
							"PARTIALLY_CONNECTED", "UNDEFINED" };
const char *const inputs_component_connection_states[] = { "CONNECTED", "DISCONNECTED",
							   "NOT_CONNECTIVE", "UNDEFINED" };

bool inputs_check_enum(const char *what, const char *value, const char *const *words, size_t n,
		       char *err, size_t size)
{
	for (size_t i = 0; value && i < n; i++)
		if (strcmp(value, words[i]) == 0)
			return true;
	int len = snprintf(err, size, "%s \"%.60s\" is not one of", what, value ? value : "");
	for (size_t i = 0; i < n && len > 0 && (size_t)len < size; i++)
		len += snprintf(err + len, size - (size_t)len, "%s %s", i ? "," : "", words[i]);
	return false;
}

bool inputs_check_code(const char *what, const char *text, char *err, size_t size)
{
	size_t n = text ? strlen(text) : 0;
	if (n == 0)
		return util_fail(err, size, "%s is empty", what);
	if (n > INPUTS_CODE_MAX)
		return util_fail(err, size, "%s is longer than %d characters", what, INPUTS_CODE_MAX);
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)text[i];
		if (ch <= ' ' || ch == 0x7f || ch == '/' || ch == '+' || ch == '#')
			return util_fail(err, size, "%s \"%.60s\" holds %s (a code has no white space, "
						    "control characters, '/', '+' or '#')",
					 what, text, ch <= ' ' || ch == 0x7f ? "a space or control character"
									     : "a topic character");
	}
	return true;
}

bool inputs_check_time(const char *what, const char *text, double *out, char *err, size_t size)
{
	double t = text ? time_parse_iso8601(text) : TIME_UNKNOWN;
	if (t == TIME_UNKNOWN)
		return util_fail(err, size, "%s \"%.60s\" is not an ISO-8601 date-time (e.g. "
					    "2026-01-31T12:00:00Z)", what, text ? text : "");
	*out = t;
	return true;
}

void input_built_free(struct input_built *b)
{
	cJSON_Delete(b->payload);
	free(b->expect);
	free(b->summary);
	free(b->system_uuid);
	free(b->component_code);
	free(b->component_uuid);
	free(b->target);
	memset(b, 0, sizeof(*b));
}

static char *print_object(const cJSON *o)
{
	char *p = cJSON_PrintUnformatted(o);
	char *copy = xstrdup(p);
	cJSON_free(p);
	return copy;
}

static void add_time(cJSON *o, const char *name, double t)
{
	char buf[40];
	time_format_iso8601(t, buf, sizeof(buf));
	cJSON_AddStringToObject(o, name, buf);
}

static char *dup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

/* The parts every input shares; the payload is the twin's expectation too
 * unless the builder sets its own. */
static void built_init(struct input_built *b, enum request_kind kind, enum topic_family family,
		       const char *system_uuid, enum payload_format format)
{
	memset(b, 0, sizeof(*b));
	b->system_uuid = xstrdup(system_uuid);
	b->payload = cJSON_CreateObject();
	b->in.kind = kind;
	b->in.family = family;
	b->in.format = format == FORMAT_MSGPACK ? FORMAT_MSGPACK : FORMAT_JSON;
	b->in.ids.v[TOPIC_ID_SYSTEM_UUID] = b->system_uuid;
	b->in.system_uuid = b->system_uuid;
}

static void built_finish(struct input_built *b, const char *summary)
{
	b->summary = xstrdup(summary);
	b->in.payload = b->payload;
	b->in.expect = b->expect;
	b->in.summary = b->summary;
	b->in.component_code = b->component_code;
	b->in.target = b->target;
	b->in.ids.v[TOPIC_ID_COMPONENT_UUID] = b->component_uuid;
}

static bool check_system(const char *uuid, char *err, size_t size)
{
	char why[200];
	if (!uuid || !*uuid)
		return util_fail(err, size, "missing the system's uuid");
	if (!requests_check_uuid(uuid, why, sizeof(why)))
		return util_fail(err, size, "system: %s", why);
	return true;
}

static bool check_uuid(const char *what, const char *uuid, char *err, size_t size)
{
	char why[200];
	if (!uuid || !*uuid)
		return util_fail(err, size, "missing %s", what);
	if (!requests_check_uuid(uuid, why, sizeof(why)))
		return util_fail(err, size, "%s: %s", what, why);
	return true;
}

/* A free text the schema types as string: any, but not empty where the
 * platform needs a name. */
static bool check_name(const char *name, char *err, size_t size)
{
	if (name && !*name)
		return util_fail(err, size, "an empty name: leave it out to keep the current one");
	return true;
}

bool inputs_system_update(const struct system_update *d, struct input_built *b, char *err,
			  size_t size)
{
	memset(b, 0, sizeof(*b));
	if (!check_system(d->system_uuid, err, size) || !check_name(d->name, err, size) ||
	    (d->status && !inputs_check_enum("status", d->status, inputs_system_statuses,
					     INPUTS_STATUS_COUNT, err, size)) ||
	    (d->connection_state &&
	     !inputs_check_enum("connectionState", d->connection_state,
				inputs_system_connection_states, INPUTS_SYSTEM_STATE_COUNT, err, size)))
		return false;
	if (!d->name && !d->description && !d->status && !d->connection_state)
		return util_fail(err, size, "nothing to update: give a name, description, status or "
					    "connection state");
	built_init(b, REQUEST_SYSTEM_UPDATE, TOPIC_SYSTEM_INPUT, d->system_uuid, d->format);
	if (d->name)
		cJSON_AddStringToObject(b->payload, "name", d->name);
	if (d->description)
		cJSON_AddStringToObject(b->payload, "description", d->description);
	if (d->status)
		cJSON_AddStringToObject(b->payload, "status", d->status);
	if (d->connection_state)
		cJSON_AddStringToObject(b->payload, "connectionState", d->connection_state);
	b->expect = print_object(b->payload); /* a partial update: the twin shows each */
	char summary[200];
	snprintf(summary, sizeof(summary), "update system %.8s:%s%s%s%s", d->system_uuid,
		 d->name ? " name" : "", d->description ? " description" : "",
		 d->status ? " status" : "", d->connection_state ? " connectionState" : "");
	built_finish(b, summary);
	return true;
}

bool inputs_component(const struct component_input *d, struct input_built *b, char *err,
		      size_t size)
{
	memset(b, 0, sizeof(*b));
	if (!check_system(d->system_uuid, err, size) ||
	    !inputs_check_code("the component's code", d->code, err, size) ||
	    (d->create && !check_uuid("the component model's uuid", d->model_uuid, err, size)) ||
	    (!d->create && d->model_uuid &&
	     !check_uuid("the component model's uuid", d->model_uuid, err, size)) ||
	    !check_name(d->name, err, size) ||
	    (d->status && !inputs_check_enum("status", d->status, inputs_system_statuses,
					     INPUTS_STATUS_COUNT, err, size)) ||
	    (d->connection_state &&
	     !inputs_check_enum("connectionState", d->connection_state,
				inputs_component_connection_states, INPUTS_COMPONENT_STATE_COUNT, err,
				size)))
		return false;
	if (!d->create && !d->model_uuid && !d->name && !d->status && !d->connection_state)
		return util_fail(err, size, "nothing to update: give a name, status, connection "
					    "state or model");
	built_init(b, d->create ? REQUEST_COMPONENT_CREATE : REQUEST_COMPONENT_UPDATE,
		   TOPIC_COMPONENT_INPUT, d->system_uuid, d->format);
	b->component_code = xstrdup(d->code);
	cJSON_AddStringToObject(b->payload, "code", d->code);
	if (d->model_uuid)
		cJSON_AddStringToObject(b->payload, "componentModelUuid", d->model_uuid);
	if (d->name)
		cJSON_AddStringToObject(b->payload, "name", d->name);
	if (d->status)
		cJSON_AddStringToObject(b->payload, "status", d->status);
	if (d->connection_state)
		cJSON_AddStringToObject(b->payload, "connectionState", d->connection_state);
	b->expect = print_object(b->payload);
	char summary[200];
	snprintf(summary, sizeof(summary), "%s component %s", d->create ? "create" : "update",
		 d->code);
	built_finish(b, summary);
	return true;
}

bool inputs_event(const struct event_input *d, struct input_built *b, char *err, size_t size)
{
	memset(b, 0, sizeof(*b));
	if (!check_system(d->system_uuid, err, size) ||
	    (d->component_uuid && !check_uuid("the component's uuid", d->component_uuid, err, size)) ||
	    !check_uuid("the event model's uuid", d->model_uuid, err, size) ||
	    (d->resolve && !check_uuid("the event's uuid", d->event_uuid, err, size)))
		return false;
	if (d->resolve && (d->time == TIME_UNKNOWN || d->end_time == TIME_UNKNOWN))
		return util_fail(err, size, "resolving needs the event's time and an end time");
	if (!inputs_check_end_time(d->time, d->end_time, err, size))
		return false;
	built_init(b, d->resolve ? REQUEST_EVENT_RESOLVE : REQUEST_EVENT_RAISE,
		   d->component_uuid ? TOPIC_EVENT_INPUT_COMPONENT : TOPIC_EVENT_INPUT_SYSTEM,
		   d->system_uuid, d->format);
	b->component_uuid = dup_or_null(d->component_uuid);
	b->target = dup_or_null(d->resolve ? d->event_uuid : NULL);
	cJSON_AddStringToObject(b->payload, "eventModelUuid", d->model_uuid);
	if (d->time != TIME_UNKNOWN)
		add_time(b->payload, "time", d->time);
	if (d->end_time != TIME_UNKNOWN)
		add_time(b->payload, "endTime", d->end_time);
	cJSON *expect = cJSON_CreateObject();
	if (d->resolve) {
		cJSON_AddStringToObject(expect, "status", "RESOLVED");
		add_time(expect, "endTime", d->end_time);
	} else {
		cJSON_AddStringToObject(expect, "eventModelUuid", d->model_uuid);
		cJSON_AddStringToObject(expect, "entityUuid",
					d->component_uuid ? d->component_uuid : d->system_uuid);
		if (d->time != TIME_UNKNOWN)
			add_time(expect, "time", d->time);
		if (d->end_time != TIME_UNKNOWN)
			add_time(expect, "endTime", d->end_time);
	}
	b->expect = print_object(expect);
	cJSON_Delete(expect);
	char summary[200];
	if (d->resolve)
		snprintf(summary, sizeof(summary), "resolve event %.36s", d->event_uuid);
	else
		snprintf(summary, sizeof(summary), "raise event (model %.8s) on %s %.8s%s",
			 d->model_uuid, d->component_uuid ? "component" : "system",
			 d->component_uuid ? d->component_uuid : d->system_uuid,
			 d->end_time != TIME_UNKNOWN ? ", resolved" : "");
	built_finish(b, summary);
	return true;
}

/* ---- what the twin already says ------------------------------------------------- */

/* Held by the retained state (not a stub another entity named, not deleted). */
static bool known(const struct entity_meta *m)
{
	return m && m->known && !m->deleted;
}

bool inputs_component_fits(bool create, const struct system *s, const struct component *c,
			   const char *code, char *err, size_t size)
{
	const char *system = s ? (s->code ? s->code : s->uuid) : NULL;
	if (create && c && known(&c->meta))
		return util_fail(err, size, "system %.60s has a component %.60s already",
				 system ? system : "?", code);
	if (!create && s && known(&s->meta) && !(c && known(&c->meta)))
		return util_fail(err, size, "system %.60s has no component %.60s", system, code);
	return true;
}

bool inputs_event_component(const struct component *c, const char *code, char *err, size_t size)
{
	if (!c || !known(&c->meta) || !c->uuid)
		return util_fail(err, size, "component %.60s is not in the retained state (its uuid "
					    "names the event's topic)", code);
	return true;
}

bool inputs_event_model_single_point(const struct event_model *m)
{
	return m && known(&m->meta) && m->event_type && strcmp(m->event_type, "RANGED") != 0;
}

bool inputs_event_model_fits(const struct event_model *m, bool component, bool ended, char *err,
			     size_t size)
{
	if (!m || !known(&m->meta))
		return true;
	const char *name = m->code ? m->code : m->uuid;
	const char *want = component ? "COMPONENT" : "SYSTEM";
	if (m->entity_type && strcmp(m->entity_type, want) != 0)
		return util_fail(err, size, "event model %.60s is for %.20s events, not %s ones", name,
				 m->entity_type, want);
	if (ended && inputs_event_model_single_point(m))
		return util_fail(err, size, "event model %.60s is %.20s: only a RANGED event has an "
					    "end time", name, m->event_type);
	return true;
}

bool inputs_event_resolvable(const char *uuid, const struct event *e, const struct event_model *m,
			     char *err, size_t size)
{
	if (!e || !known(&e->meta) || !e->system_uuid)
		return util_fail(err, size, "event %.40s is not in the retained state",
				 uuid ? uuid : "?");
	/* a SINGLE_POINT event has no status: it never was ACTIVE */
	if (!e->status || strcmp(e->status, "ACTIVE") != 0)
		return util_fail(err, size, "event %.40s is %.30s: only an ACTIVE RANGED event "
					    "resolves", uuid, e->status ? e->status
									: "SINGLE_POINT (no status)");
	if (inputs_event_model_single_point(m))
		return util_fail(err, size, "event %.40s is of a %.20s model: only an ACTIVE RANGED "
					    "event resolves", uuid, m->event_type);
	if (!e->event_model_uuid || e->time == TIME_UNKNOWN)
		return util_fail(err, size, "event %.40s has no model or time in the retained state",
				 uuid);
	return true;
}

bool inputs_check_end_time(double time, double end_time, char *err, size_t size)
{
	if (time != TIME_UNKNOWN && end_time != TIME_UNKNOWN && end_time < time)
		return util_fail(err, size, "the end time is before the event's time");
	return true;
}

/* ---- datapoints ------------------------------------------------------------------ */

enum member_type { M_UUID, M_CODE, M_INDEX, M_TIME, M_VALUE };

static const struct {
	const char *name;
	enum member_type type;
} datapoint_members[] = {
	{ "systemUuid", M_UUID },	  { "systemCode", M_CODE },
	{ "timeStreamUuid", M_UUID },	  { "componentUuid", M_UUID },
	{ "componentCode", M_CODE },	  { "serviceUuid", M_UUID },
	{ "serviceCode", M_CODE },	  { "serviceIndex", M_INDEX },
	{ "characteristicUuid", M_UUID }, { "characteristicCode", M_CODE },
	{ "time", M_TIME },		  { "value", M_VALUE },
};

static bool check_member(const cJSON *m, enum member_type type, char *err, size_t size)
{
	char why[200];
	double t;
	switch (type) {
	case M_UUID:
		if (!cJSON_IsString(m))
			return util_fail(err, size, "%s: expected a uuid string", m->string);
		if (!requests_check_uuid(m->valuestring, why, sizeof(why)))
			return util_fail(err, size, "%s: %s", m->string, why);
		return true;
	case M_CODE:
		if (!cJSON_IsString(m))
			return util_fail(err, size, "%s: expected a string", m->string);
		return inputs_check_code(m->string, m->valuestring, err, size);
	case M_INDEX:
		if (!cJSON_IsNumber(m) || m->valuedouble < 0 || m->valuedouble > 1e6 ||
		    m->valuedouble != floor(m->valuedouble))
			return util_fail(err, size, "serviceIndex: expected an integer from 0");
		return true;
	case M_TIME:
		if (!cJSON_IsString(m))
			return util_fail(err, size, "time: expected an ISO-8601 string");
		return inputs_check_time("time", m->valuestring, &t, err, size);
	case M_VALUE:
		if (cJSON_IsNull(m))
			return util_fail(err, size, "value: null is no value");
		return true;
	}
	return false;
}

static bool has(const cJSON *o, const char *a, const char *b)
{
	return cJSON_GetObjectItemCaseSensitive(o, a) || cJSON_GetObjectItemCaseSensitive(o, b);
}

bool inputs_datapoint_line(const char *line, const char *system_uuid, cJSON **out, char *err,
			   size_t size)
{
	*out = NULL;
	cJSON *o = cJSON_Parse(line);
	if (!cJSON_IsObject(o)) {
		cJSON_Delete(o);
		return util_fail(err, size, "not a JSON object");
	}
	bool ok = true;
	for (const cJSON *m = o->child; ok && m; m = m->next) {
		size_t i = 0;
		while (i < ARRAY_LEN(datapoint_members) && strcmp(datapoint_members[i].name, m->string))
			i++;
		if (i == ARRAY_LEN(datapoint_members))
			ok = util_fail(err, size, "unknown member \"%.60s\" (DatapointInput has "
						  "systemUuid, timeStreamUuid, componentCode, serviceCode, "
						  "characteristicCode, ..., time, value)", m->string);
		else
			ok = check_member(m, datapoint_members[i].type, err, size);
	}
	const cJSON *sys = cJSON_GetObjectItemCaseSensitive(o, "systemUuid");
	if (ok && !cJSON_GetObjectItemCaseSensitive(o, "value"))
		ok = util_fail(err, size, "missing value");
	else if (ok && !cJSON_GetObjectItemCaseSensitive(o, "timeStreamUuid") &&
		 !(has(o, "componentCode", "componentUuid") && has(o, "serviceCode", "serviceUuid") &&
		   has(o, "characteristicCode", "characteristicUuid")))
		ok = util_fail(err, size, "no time stream: give timeStreamUuid, or the component, "
					  "service and characteristic (code or uuid)");
	else if (ok && sys && system_uuid && strcmp(sys->valuestring, system_uuid) != 0)
		ok = util_fail(err, size, "systemUuid %.36s is not the system the datapoints go to "
					  "(%.36s)", sys->valuestring, system_uuid);
	if (!ok) {
		cJSON_Delete(o);
		return false;
	}
	*out = o;
	return true;
}

bool inputs_datapoints(const char *system_uuid, cJSON *items, double quiet,
		       enum payload_format format, struct input_built *b, char *err, size_t size)
{
	memset(b, 0, sizeof(*b));
	int n = cJSON_GetArraySize(items);
	bool ok = check_system(system_uuid, err, size);
	if (ok && n == 0)
		ok = util_fail(err, size, "no datapoint");
	else if (ok && n > INPUTS_DATAPOINTS_MAX)
		ok = util_fail(err, size, "%d datapoints: at most %d at once", n,
			       INPUTS_DATAPOINTS_MAX);
	else if (ok && !(quiet > 0))
		ok = util_fail(err, size, "the quiet time must be positive");
	if (!ok) {
		cJSON_Delete(items);
		return false;
	}
	built_init(b, REQUEST_DATAPOINT, TOPIC_DATAPOINT_INPUT, system_uuid, format);
	cJSON_Delete(b->payload);
	/* one object alone, several as the array the reference allows */
	b->payload = n == 1 ? cJSON_DetachItemFromArray(items, 0) : items;
	if (n == 1)
		cJSON_Delete(items);
	b->in.quiet = quiet;
	char summary[300];
	const cJSON *one = n == 1 ? b->payload : NULL;
	const cJSON *cc = one ? cJSON_GetObjectItemCaseSensitive(one, "componentCode") : NULL;
	const cJSON *sc = one ? cJSON_GetObjectItemCaseSensitive(one, "serviceCode") : NULL;
	const cJSON *kc = one ? cJSON_GetObjectItemCaseSensitive(one, "characteristicCode") : NULL;
	if (cJSON_IsString(cc) && cJSON_IsString(sc) && cJSON_IsString(kc)) {
		char *value = cJSON_PrintUnformatted(cJSON_GetObjectItemCaseSensitive(one, "value"));
		snprintf(summary, sizeof(summary), "publish %s/%s/%s = %.80s", cc->valuestring,
			 sc->valuestring, kc->valuestring, value);
		cJSON_free(value);
	} else {
		snprintf(summary, sizeof(summary), "publish %d datapoint%s", n, n == 1 ? "" : "s");
	}
	built_finish(b, summary);
	return true;
}
