/* answers — the platform's side of every input it is sent: validate, act,
 * and answer on the input topic + "/error" with {"message", "code"} when
 * something is wrong.  Inputs are routed with topic_match and read with
 * decode_payload, the console's own code: one definition of the protocol.
 * Never trusts a byte: whatever arrives, the worst outcome is an /error
 * reply (in the input's own format, JSON or MessagePack). */
#include "answers.h"

#include <cJSON.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim.h"
#include "util.h"

const char *sim_error_code(enum sim_error e)
{
	static const char *const codes[] = {
#define X(id, text) [SIM_ERR_##id] = #id,
		SIM_ERROR_LIST(X)
#undef X
	};
	return (unsigned)e < SIM_ERR_COUNT ? codes[e] : "UNKNOWN";
}

/* One input being answered. */
struct answer {
	struct sim *sim;
	char topic[TOPIC_ID_MAX * 4];
	const struct topic_match *match;
	double now;
	char prefix[40]; /* before an error's message: "datapoint 3: " */
};

/* Replies on <input topic>/error; returns false (the input failed). */
__attribute__((format(printf, 3, 4)))
static bool reply_error(struct answer *a, enum sim_error code, const char *fmt, ...)
{
	char message[512], topic[sizeof(a->topic) + 8];
	size_t at = (size_t)snprintf(message, sizeof(message), "%s", a->prefix);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(message + at, sizeof(message) - at, fmt, ap);
	va_end(ap);
	struct upd_error_reply e = { ERROR_PAYLOAD_JSON, message, sim_error_code(code) };
	cJSON *root = payload_build_error_reply(&e);
	enum payload_format fmt_out = a->match->format == FORMAT_MSGPACK ? FORMAT_MSGPACK
									 : FORMAT_JSON;
	snprintf(topic, sizeof(topic), "%s/error", a->topic);
	struct sim_out *out = &a->sim->out;
	if (payload_serialize(root, fmt_out, &out->buf))
		out_publish_raw(out, topic, out->buf.data, out->buf.len, 1, false);
	cJSON_Delete(root);
	a->sim->errors_sent++;
	if (a->sim->opt.verbose)
		fprintf(stderr, "drivr-sim: %s: %s %s\n", a->topic, sim_error_code(code), message);
	return false;
}

static bool log_ok(struct answer *a, const char *what)
{
	a->sim->answered++;
	if (a->sim->opt.verbose)
		fprintf(stderr, "drivr-sim: %s: %s\n", a->topic, what);
	return true;
}

/* The decoder's reason, as one of our codes. */
static void reply_decode_failure(struct answer *a, const struct decode_result *r)
{
	enum sim_error code = SIM_ERR_MALFORMED_PAYLOAD;
	if (strstr(r->error_message, "payload too large"))
		code = SIM_ERR_PAYLOAD_TOO_LARGE;
	else if (strstr(r->error_message, "missing required field") ||
		 strstr(r->error_message, "no time stream"))
		code = SIM_ERR_MISSING_FIELD;
	else if (r->error_field[0] && strncmp(r->error_message, "expected", 8) == 0)
		code = SIM_ERR_WRONG_TYPE;
	if (r->error_field[0])
		reply_error(a, code, "%s: %s", r->error_field, r->error_message);
	else
		reply_error(a, code, "%s", r->error_message);
}

static const char *topic_id(const struct answer *a, enum topic_id id, char *buf, size_t size)
{
	struct strview v = a->match->ids[id];
	return v.ptr ? sv_copy(v, buf, size) : NULL;
}

/* ---- setpoint inputs ----------------------------------------------------- */

static const char *type_expectation(enum payload_data_type t)
{
	switch (t) {
	case DATA_TYPE_FLOAT:
		return "a number";
	case DATA_TYPE_INTEGER:
		return "an integer";
	case DATA_TYPE_BOOLEAN:
		return "true or false";
	case DATA_TYPE_STRING:
		return "a string";
	case DATA_TYPE_SELECT:
		return "one of the options (a string, or an array of strings)";
	case DATA_TYPE_JSON:
		return "an object or an array";
	case DATA_TYPE_COUNT:
		break;
	}
	return "a value";
}

static bool option_valid(const struct payload_characteristic *spec, const char *s)
{
	for (size_t i = 0; s && i < spec->valid_value_count; i++)
		if (strcmp(spec->valid_values[i], s) == 0)
			return true;
	return false;
}

static void options_text(const struct payload_characteristic *spec, char *buf, size_t size)
{
	size_t len = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < spec->valid_value_count && len + 1 < size; i++)
		len += (size_t)snprintf(buf + len, size - len, "%s%s", i ? ", " : "",
					spec->valid_values[i]);
}

/* Checks v against the characteristic; false after replying. */
static bool value_check(struct answer *a, const struct sim_characteristic *ch, const struct value *v)
{
	const struct payload_characteristic *spec = &ch->spec;
	const char *unit = spec->symbol ? spec->symbol : "";
	const char *sp = spec->symbol ? " " : "";
	bool type_ok;
	switch (spec->data_type) {
	case DATA_TYPE_FLOAT:
		type_ok = v->type == VALUE_NUMBER;
		break;
	case DATA_TYPE_INTEGER:
		type_ok = v->type == VALUE_NUMBER && v->number == floor(v->number);
		break;
	case DATA_TYPE_BOOLEAN:
		type_ok = v->type == VALUE_BOOL;
		break;
	case DATA_TYPE_STRING:
		type_ok = v->type == VALUE_STRING;
		break;
	case DATA_TYPE_SELECT:
		type_ok = v->type == VALUE_STRING ||
			  (v->type == VALUE_JSON && cJSON_IsArray(v->json) && v->json->child);
		break;
	case DATA_TYPE_JSON:
		type_ok = v->type == VALUE_JSON;
		break;
	default:
		type_ok = false;
	}
	if (!type_ok) {
		reply_error(a, SIM_ERR_WRONG_TYPE, "value: %s/%s is %s, expected %s, got %s",
			    ch->service, spec->code, payload_data_type_name(spec->data_type),
			    type_expectation(spec->data_type),
			    v->type == VALUE_NUMBER && spec->data_type == DATA_TYPE_INTEGER
				    ? "a fraction"
				    : value_type_name(v->type));
		return false;
	}
	if (spec->data_type == DATA_TYPE_SELECT) {
		char opts[256];
		options_text(spec, opts, sizeof(opts));
		if (v->type == VALUE_STRING && !option_valid(spec, v->text)) {
			reply_error(a, SIM_ERR_INVALID_OPTION, "value \"%s\" is not one of %s", v->text,
				    opts);
			return false;
		}
		for (const cJSON *it = v->type == VALUE_JSON ? v->json->child : NULL; it; it = it->next) {
			if (!cJSON_IsString(it) || !option_valid(spec, it->valuestring)) {
				reply_error(a, SIM_ERR_INVALID_OPTION,
					    "value %s is not one of %s",
					    cJSON_IsString(it) ? it->valuestring : "(not a string)", opts);
				return false;
			}
		}
		return true;
	}
	if (v->type != VALUE_NUMBER)
		return true;
	double x = v->number;
	if (!isnan(spec->min) && x < spec->min) {
		reply_error(a, SIM_ERR_OUT_OF_RANGE, "value %g%s%s is below the minimum %g%s%s of %s/%s",
			    x, sp, unit, spec->min, sp, unit, ch->service, spec->code);
		return false;
	}
	if (!isnan(spec->max) && x > spec->max) {
		reply_error(a, SIM_ERR_OUT_OF_RANGE, "value %g%s%s is above the maximum %g%s%s of %s/%s",
			    x, sp, unit, spec->max, sp, unit, ch->service, spec->code);
		return false;
	}
	if (!isnan(spec->step) && spec->step > 0) {
		double base = isnan(spec->min) ? 0 : spec->min;
		double k = (x - base) / spec->step;
		if (fabs(k - round(k)) > 1e-9 * fmax(1, fabs(k))) {
			reply_error(a, SIM_ERR_STEP_MISMATCH,
				    "value %g is not on the %g step from %g (nearest: %g)", x,
				    spec->step, base, base + round(k) * spec->step);
			return false;
		}
	}
	return true;
}

static void services_text(const struct sim_model *m, char *buf, size_t size)
{
	size_t len = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < m->char_count && len + 1 < size; i++)
		if (i == 0 || strcmp(m->chars[i].service, m->chars[i - 1].service) != 0)
			len += (size_t)snprintf(buf + len, size - len, "%s%s", len ? ", " : "",
						m->chars[i].service);
}

/* The time stream an address names on system s (timeStreamUuid, or the
 * component, service and characteristic): false after replying. */
static bool find_stream(struct answer *a, struct sim_system *s, const struct stream_address *ad,
			struct sim_component **cp, size_t *ci, long *k)
{
	struct world *w = a->sim->world;
	*cp = NULL;
	*k = -1;
	if ((ad->system_uuid && strcmp(ad->system_uuid, s->uuid) != 0) ||
	    (ad->system_code && strcmp(ad->system_code, s->code) != 0))
		return reply_error(a, SIM_ERR_SYSTEM_MISMATCH,
				   "the payload names system %s, the topic %s",
				   ad->system_uuid ? ad->system_uuid : ad->system_code, s->uuid);
	if (ad->time_stream_uuid) {
		for (size_t j = 0; j < s->component_count && *k < 0; j++) {
			*k = world_find_stream(&s->components[j], ad->time_stream_uuid);
			if (*k >= 0) {
				*cp = &s->components[j];
				*ci = j;
			}
		}
		if (!*cp)
			return reply_error(a, SIM_ERR_UNKNOWN_TIME_STREAM,
					   "system %s has no time stream %s", s->uuid,
					   ad->time_stream_uuid);
	} else {
		*cp = world_find_component(s, ad->component_code, ad->component_uuid, ci);
		struct sim_component *c = *cp;
		if (!c)
			return reply_error(a, SIM_ERR_UNKNOWN_COMPONENT, "system %s has no component %s",
					   s->uuid,
					   ad->component_code ? ad->component_code : ad->component_uuid);
		const struct sim_model *m = world_model(w, c);
		char services[256];
		services_text(m, services, sizeof(services));
		if (!ad->service_code || ad->service_index > 0)
			return reply_error(a, SIM_ERR_UNKNOWN_SERVICE,
					   "component %s (%s) has no service %s%s (services: %s; "
					   "give serviceCode, index 0)",
					   c->code, m->code,
					   ad->service_code ? ad->service_code
					   : ad->service_uuid ? ad->service_uuid
							      : "(none)",
					   ad->service_index > 0 ? " at that index" : "", services);
		bool service_known = false;
		for (size_t i = 0; i < m->char_count; i++)
			service_known |= strcmp(m->chars[i].service, ad->service_code) == 0;
		if (!service_known)
			return reply_error(a, SIM_ERR_UNKNOWN_SERVICE,
					   "component %s (%s) has no service %s (services: %s)", c->code,
					   m->code, ad->service_code, services);
		size_t idx;
		if (!ad->characteristic_code ||
		    !catalogue_find(m, ad->service_code, ad->characteristic_code, &idx))
			return reply_error(a, SIM_ERR_UNKNOWN_CHARACTERISTIC,
					   "component %s (%s) has no characteristic %s/%s", c->code,
					   m->code, ad->service_code,
					   ad->characteristic_code ? ad->characteristic_code
								   : ad->characteristic_uuid);
		*k = (long)idx;
	}
	return true;
}

static bool on_setpoint_input(struct answer *a, const struct upd_setpoint_input *in)
{
	struct world *w = a->sim->world;
	char id[TOPIC_ID_MAX + 1];
	const char *sys_id = topic_id(a, TOPIC_ID_SYSTEM_UUID, id, sizeof(id));
	size_t si, ci = 0;
	long k = -1;
	struct sim_system *s = world_find_system(w, sys_id, &si);
	if (!s)
		return reply_error(a, SIM_ERR_UNKNOWN_SYSTEM, "unknown system %s", sys_id ? sys_id : "");
	struct sim_component *c = NULL;
	if (!find_stream(a, s, &in->addr, &c, &ci, &k))
		return false;
	const struct sim_characteristic *ch = &world_model(w, c)->chars[k];
	if (ch->spec.kind != CHARACTERISTIC_SETTING)
		return reply_error(a, SIM_ERR_NOT_A_SETTING,
				   "%s/%s of %s is a MEASUREMENT; setpoints need a SETTING", ch->service,
				   ch->spec.code, c->code);
	if (!value_check(a, ch, &in->value))
		return false;
	struct sim_setpoint *sp =
		world_setpoint_add(w, si, ci, (size_t)k, &in->value, a->now, a->sim->opt.device_delay);
	announce_setpoint(a->sim, sp);
	return log_ok(a, "setpoint CREATED");
}

/* ---- setpoint acknowledgements ------------------------------------------- */

static bool on_setpoint_ack(struct answer *a, const struct upd_setpoint_ack *ack)
{
	struct world *w = a->sim->world;
	char id[TOPIC_ID_MAX + 1];
	const char *sys_id = topic_id(a, TOPIC_ID_SYSTEM_UUID, id, sizeof(id));
	struct sim_setpoint *sp = world_find_setpoint(w, ack->receipt_id);
	if (!sp)
		return reply_error(a, SIM_ERR_UNKNOWN_RECEIPT, "no setpoint with receiptId %s",
				   ack->receipt_id);
	bool accepted = strcmp(ack->state, "ACCEPTED") == 0;
	if (!accepted && strcmp(ack->state, "REJECTED") != 0)
		return reply_error(a, SIM_ERR_INVALID_STATE,
				   "state \"%s\": an acknowledgement is ACCEPTED or REJECTED",
				   ack->state);
	const struct sim_system *s = &w->systems[sp->system];
	if (!sys_id || strcmp(sys_id, s->uuid) != 0)
		return reply_error(a, SIM_ERR_SYSTEM_MISMATCH,
				   "setpoint %s belongs to system %s, not %s", ack->receipt_id,
				   s->uuid, sys_id ? sys_id : "");
	if (sp->state != SIM_SP_CREATED)
		return reply_error(a, SIM_ERR_ALREADY_FINAL, "setpoint %s is already %s",
				   ack->receipt_id, world_setpoint_state_name(sp->state));
	world_setpoint_finish(w, sp, accepted, ack->message);
	announce_setpoint(a->sim, sp);
	/* An accepted setting is the device's new value: it reports it. */
	if (accepted)
		announce_datapoint(a->sim, sp->system, sp->component, sp->characteristic, a->now);
	return log_ok(a, accepted ? "setpoint ACCEPTED" : "setpoint REJECTED");
}

/* ---- events -------------------------------------------------------------- */

static bool on_event_ack(struct answer *a, const struct upd_event_ack *ack)
{
	char id[TOPIC_ID_MAX + 1];
	const char *topic_uuid = topic_id(a, TOPIC_ID_EVENT_UUID, id, sizeof(id));
	if (ack->event_uuid && topic_uuid && strcmp(ack->event_uuid, topic_uuid) != 0)
		return reply_error(a, SIM_ERR_EVENT_MISMATCH,
				   "the payload acknowledges event %s, the topic names %s",
				   ack->event_uuid, topic_uuid);
	const char *uuid = ack->event_uuid ? ack->event_uuid : topic_uuid;
	struct sim_event *e = world_find_event(a->sim->world, uuid);
	if (!e)
		return reply_error(a, SIM_ERR_UNKNOWN_EVENT, "no event %s", uuid ? uuid : "");
	world_event_ack(a->sim->world, e, a->now);
	announce_event(a->sim, e);
	return log_ok(a, "event acknowledged");
}

/* The ACTIVE event of model m on the entity that started at t (to the
 * millisecond the payloads carry); NULL when none. */
static struct sim_event *find_open_event(struct world *w, size_t m, size_t s, long component,
					 double t)
{
	for (size_t i = 0; i < WORLD_MAX_EVENTS; i++) {
		struct sim_event *e = &w->events[i];
		if (e->live && e->model == m && e->system == s && e->component == component &&
		    e->end_time == TIME_UNKNOWN && fabs(e->time - t) < 0.0005)
			return e;
	}
	return NULL;
}

static bool on_event_input(struct answer *a, const struct upd_event_input *in, bool component)
{
	struct world *w = a->sim->world;
	char id[TOPIC_ID_MAX + 1];
	size_t si = 0, ci = 0;
	if (component) {
		const char *uuid = topic_id(a, TOPIC_ID_COMPONENT_UUID, id, sizeof(id));
		if (!world_find_component_uuid(w, uuid, &si, &ci))
			return reply_error(a, SIM_ERR_UNKNOWN_COMPONENT, "no component %s",
					   uuid ? uuid : "");
	} else {
		const char *uuid = topic_id(a, TOPIC_ID_SYSTEM_UUID, id, sizeof(id));
		if (!world_find_system(w, uuid, &si))
			return reply_error(a, SIM_ERR_UNKNOWN_SYSTEM, "unknown system %s",
					   uuid ? uuid : "");
	}
	long m = world_find_event_model(w, in->event_model_uuid);
	if (m < 0)
		return reply_error(a, SIM_ERR_UNKNOWN_EVENT_MODEL, "no event model %s",
				   in->event_model_uuid);
	const struct sim_event_model *em = catalogue_event_model((size_t)m);
	const char *want = component ? "COMPONENT" : "SYSTEM";
	if (strcmp(em->entity, want) != 0)
		return reply_error(a, SIM_ERR_WRONG_ENTITY_TYPE,
				   "event model %s (%s) is for %s events, this topic is for %s", em->code,
				   in->event_model_uuid, em->entity, want);
	if (component && !catalogue_event_fits(em, world_model(w, &w->systems[si].components[ci])))
		return reply_error(a, SIM_ERR_WRONG_ENTITY_TYPE,
				   "event model %s is limited to %s components", em->code,
				   em->only_model);
	bool ranged = strcmp(em->type, "RANGED") == 0;
	if (in->time != TIME_UNKNOWN && in->end_time != TIME_UNKNOWN && in->end_time < in->time)
		return reply_error(a, SIM_ERR_INVALID_VALUE, "endTime is before time");
	/* An endTime for the ACTIVE event of this model, entity and start time
	 * is its update: it is RESOLVED (§4.5; the reference has no other
	 * update topic). */
	struct sim_event *open = ranged && in->end_time != TIME_UNKNOWN && in->time != TIME_UNKNOWN
					 ? find_open_event(w, (size_t)m, si, component ? (long)ci : -1,
							   in->time)
					 : NULL;
	if (open) {
		world_event_resolve(w, open, a->now);
		open->end_time = in->end_time;
		announce_event(a->sim, open);
		return log_ok(a, "event resolved");
	}
	struct sim_event evicted;
	struct sim_event *e = world_event_raise(w, (size_t)m, si, component ? (long)ci : -1,
						a->now, &evicted);
	if (evicted.live)
		announce_event_cleared(a->sim, &evicted);
	e->resolve_at = 0; /* someone else's event: it ends when they say so */
	if (in->time != TIME_UNKNOWN)
		e->time = in->time;
	if (in->end_time != TIME_UNKNOWN && strcmp(em->type, "RANGED") == 0)
		e->end_time = in->end_time;
	announce_event(a->sim, e);
	return log_ok(a, "event created");
}

/* ---- system inputs --------------------------------------------------------- */

static bool one_of(const char *s, const char *const *words, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(s, words[i]) == 0)
			return true;
	return false;
}

static bool on_system_input(struct answer *a, const struct upd_system_input *in)
{
	static const char *const statuses[] = { "ACTIVATED", "DEACTIVATED", "ARCHIVED" };
	static const char *const states[] = { "CONNECTED", "DISCONNECTED", "PARTIALLY_CONNECTED",
					      "UNDEFINED" };
	struct world *w = a->sim->world;
	char id[TOPIC_ID_MAX + 1];
	const char *uuid = topic_id(a, TOPIC_ID_SYSTEM_UUID, id, sizeof(id));
	size_t si;
	struct sim_system *s = world_find_system(w, uuid, &si);
	if (!s)
		return reply_error(a, SIM_ERR_UNKNOWN_SYSTEM, "unknown system %s", uuid ? uuid : "");
	if (in->status && !one_of(in->status, statuses, ARRAY_LEN(statuses)))
		return reply_error(a, SIM_ERR_INVALID_VALUE,
				   "status \"%s\" is not ACTIVATED, DEACTIVATED or ARCHIVED", in->status);
	if (in->connection_state && !one_of(in->connection_state, states, ARRAY_LEN(states)))
		return reply_error(a, SIM_ERR_INVALID_VALUE,
				   "connectionState \"%s\" is not CONNECTED, DISCONNECTED, "
				   "PARTIALLY_CONNECTED or UNDEFINED",
				   in->connection_state);
	if (in->name && (!in->name[0] || strlen(in->name) >= sizeof(s->name)))
		return reply_error(a, SIM_ERR_INVALID_VALUE, "name must have 1 to %zu bytes",
				   sizeof(s->name) - 1);
	if (in->description && strlen(in->description) >= sizeof(s->description))
		return reply_error(a, SIM_ERR_INVALID_VALUE, "description longer than %zu bytes",
				   sizeof(s->description) - 1);
	if (in->name)
		snprintf(s->name, sizeof(s->name), "%s", in->name);
	if (in->description)
		snprintf(s->description, sizeof(s->description), "%s", in->description);
	if (in->status) /* keep the static word, not the decoder's borrowed one */
		for (size_t i = 0; i < ARRAY_LEN(statuses); i++)
			if (strcmp(in->status, statuses[i]) == 0)
				s->status = statuses[i];
	if (in->connection_state) {
		for (size_t i = 0; i < ARRAY_LEN(states); i++)
			if (strcmp(in->connection_state, states[i]) == 0)
				s->connection_state = states[i];
		s->connection_changed_at = a->now;
	}
	s->updated_at = a->now;
	announce_system(a->sim, si);
	return log_ok(a, "system updated");
}

/* ---- component inputs ------------------------------------------------------ */

/* A ComponentInput (§3.8): a code the system lacks is created (its model
 * required), a known one updated; the component republished retained. */
static bool on_component_input(struct answer *a, const struct upd_component_input *in)
{
	static const char *const statuses[] = { "ACTIVATED", "DEACTIVATED", "ARCHIVED" };
	static const char *const states[] = { "CONNECTED", "DISCONNECTED", "NOT_CONNECTIVE",
					      "UNDEFINED" };
	struct world *w = a->sim->world;
	char id[TOPIC_ID_MAX + 1];
	const char *uuid = topic_id(a, TOPIC_ID_SYSTEM_UUID, id, sizeof(id));
	size_t si, ci;
	struct sim_system *s = world_find_system(w, uuid, &si);
	if (!s)
		return reply_error(a, SIM_ERR_UNKNOWN_SYSTEM, "unknown system %s", uuid ? uuid : "");
	if (in->system_uuid && strcmp(in->system_uuid, s->uuid) != 0)
		return reply_error(a, SIM_ERR_SYSTEM_MISMATCH, "the payload names system %s, the topic %s",
				   in->system_uuid, s->uuid);
	if (!in->code)
		return reply_error(a, SIM_ERR_MISSING_FIELD, "code: missing required field");
	if (!in->code[0] || strlen(in->code) >= WORLD_ID_MAX || strpbrk(in->code, "/+# "))
		return reply_error(a, SIM_ERR_INVALID_VALUE,
				   "code must have 1 to %d bytes without '/', '+', '#' or spaces",
				   WORLD_ID_MAX - 1);
	if (in->name && (!in->name[0] || strlen(in->name) >= WORLD_ID_MAX))
		return reply_error(a, SIM_ERR_INVALID_VALUE, "name must have 1 to %d bytes",
				   WORLD_ID_MAX - 1);
	if (in->status && !one_of(in->status, statuses, ARRAY_LEN(statuses)))
		return reply_error(a, SIM_ERR_INVALID_VALUE,
				   "status \"%s\" is not ACTIVATED, DEACTIVATED or ARCHIVED", in->status);
	if (in->connection_state && !one_of(in->connection_state, states, ARRAY_LEN(states)))
		return reply_error(a, SIM_ERR_INVALID_VALUE,
				   "connectionState \"%s\" is not CONNECTED, DISCONNECTED, "
				   "NOT_CONNECTIVE or UNDEFINED", in->connection_state);
	long m = in->component_model_uuid ? world_find_model(w, in->component_model_uuid) : -1;
	if (in->component_model_uuid && m < 0)
		return reply_error(a, SIM_ERR_UNKNOWN_COMPONENT_MODEL, "no component model %s",
				   in->component_model_uuid);
	struct sim_component *c = world_find_component(s, in->code, NULL, &ci);
	if (!c) {
		if (m < 0)
			return reply_error(a, SIM_ERR_MISSING_FIELD,
					   "componentModelUuid: required to create component %s",
					   in->code);
		ci = world_component_add(w, si, (size_t)m, in->code, in->name, a->now);
		c = &s->components[ci];
	} else if (m >= 0 && (size_t)m != c->model) {
		return reply_error(a, SIM_ERR_MODEL_IMMUTABLE,
				   "component %s is a %s; its model cannot change", c->code,
				   world_model(w, c)->code);
	} else if (in->name) {
		snprintf(c->name, sizeof(c->name), "%s", in->name);
	}
	if (in->status)
		for (size_t i = 0; i < ARRAY_LEN(statuses); i++)
			if (strcmp(in->status, statuses[i]) == 0)
				c->status = statuses[i];
	bool system_changed = false;
	if (in->connection_state) {
		bool up = strcmp(in->connection_state, "CONNECTED") == 0;
		if (up || strcmp(in->connection_state, "DISCONNECTED") == 0)
			system_changed = world_set_connection(w, si, ci, up, a->now);
		for (size_t i = 0; i < ARRAY_LEN(states); i++)
			if (strcmp(in->connection_state, states[i]) == 0)
				c->connection_state = states[i];
		c->connection_changed_at = a->now;
	}
	c->updated_at = a->now;
	announce_component(a->sim, si, ci);
	if (system_changed)
		announce_system(a->sim, si);
	return log_ok(a, "component created or updated");
}

/* ---- datapoint inputs ------------------------------------------------------ */

/* A DatapointInput (§3.10), one or many: each must name a characteristic
 * of the system with a value it takes.  Nothing is published on success (the
 * reference has no echo); the first bad one is the /error reply.  The
 * devices' own stream arrives here too: it passes, and is not counted. */
static bool on_datapoint_input(struct answer *a, const struct upd_datapoints *d)
{
	struct world *w = a->sim->world;
	char id[TOPIC_ID_MAX + 1];
	const char *uuid = topic_id(a, TOPIC_ID_SYSTEM_UUID, id, sizeof(id));
	size_t si;
	struct sim_system *s = world_find_system(w, uuid, &si);
	if (!s)
		return reply_error(a, SIM_ERR_UNKNOWN_SYSTEM, "unknown system %s", uuid ? uuid : "");
	for (size_t i = 0; i < d->count; i++) {
		if (d->count > 1)
			snprintf(a->prefix, sizeof(a->prefix), "datapoint %zu: ", i + 1);
		const struct datapoint *dp = &d->items[i];
		struct sim_component *c;
		size_t ci;
		long k;
		if (!find_stream(a, s, &dp->addr, &c, &ci, &k))
			return false;
		/* §3.10 wants a MEASUREMENT, but the simulated devices report
		 * their settings' values as datapoints too (announce_datapoint
		 * after an accepted setpoint, and in the stream): refusing
		 * SETTINGs here would answer the devices' own stream with errors.
		 * The console refuses them before sending. */
		const struct sim_characteristic *ch = &world_model(w, c)->chars[k];
		if (!value_check(a, ch, &dp->value))
			return false;
	}
	return true; /* not logged: the devices' stream passes here all the time */
}

/* ---- entry points -------------------------------------------------------- */

static const enum topic_family answered[] = {
	TOPIC_SETPOINT_INPUT,	    TOPIC_SETPOINT_ACK,	   TOPIC_EVENT_ACK,
	TOPIC_EVENT_INPUT_SYSTEM, TOPIC_EVENT_INPUT_COMPONENT, TOPIC_SYSTEM_INPUT,
	TOPIC_COMPONENT_INPUT,	    TOPIC_DATAPOINT_INPUT,
};

void answers_handle(struct sim *sim, const char *topic, size_t topic_len, const void *payload,
		    size_t len)
{
	struct topic_match m;
	topic_match(sim->topics, topic, topic_len, &m);
	bool ours = false;
	for (size_t i = 0; i < ARRAY_LEN(answered); i++)
		ours |= m.family == answered[i];
	struct answer a = { sim, "", &m, time_now(), "" };
	/* Not an input we answer (an /error reply, a pattern override that
	 * makes filters overlap ...), or a topic too long to answer on. */
	if (!ours || topic_len >= sizeof(a.topic) || memchr(topic, '\0', topic_len))
		return;
	memcpy(a.topic, topic, topic_len);
	a.topic[topic_len] = '\0';

	struct decode_result r;
	if (!decode_payload(&m, payload, len, NULL, &r)) {
		reply_decode_failure(&a, &r);
		decode_result_free(&r);
		return;
	}
	switch (m.family) {
	case TOPIC_SETPOINT_INPUT:
		on_setpoint_input(&a, &r.u.setpoint_input);
		break;
	case TOPIC_SETPOINT_ACK:
		on_setpoint_ack(&a, &r.u.setpoint_ack);
		break;
	case TOPIC_EVENT_ACK:
		on_event_ack(&a, &r.u.event_ack);
		break;
	case TOPIC_EVENT_INPUT_SYSTEM:
	case TOPIC_EVENT_INPUT_COMPONENT:
		on_event_input(&a, &r.u.event_input, m.family == TOPIC_EVENT_INPUT_COMPONENT);
		break;
	case TOPIC_SYSTEM_INPUT:
		on_system_input(&a, &r.u.system_input);
		break;
	case TOPIC_COMPONENT_INPUT:
		on_component_input(&a, &r.u.component_input);
		break;
	case TOPIC_DATAPOINT_INPUT:
		on_datapoint_input(&a, &r.u.datapoints);
		break;
	default:
		break;
	}
	decode_result_free(&r);
}

/* A pattern as a subscription filter: {slug} → the slug, {x} → +,
 * {x*} → #. */
static bool pattern_filter(const char *pattern, const char *slug, char *buf, size_t size)
{
	size_t len = 0;
	const char *p = pattern;
	while (*p) {
		const char *end = strchr(p, '/');
		size_t n = end ? (size_t)(end - p) : strlen(p);
		const char *level = p;
		size_t level_len = n;
		if (n >= 2 && p[0] == '{' && p[n - 1] == '}') {
			bool many = n >= 3 && p[n - 2] == '*';
			bool is_slug = n == 6 && strncmp(p, "{slug}", 6) == 0;
			level = is_slug ? slug : many ? "#" : "+";
			level_len = strlen(level);
		}
		if (len + level_len + 2 >= size)
			return false;
		if (len)
			buf[len++] = '/';
		memcpy(buf + len, level, level_len);
		len += level_len;
		p += n;
		if (*p == '/')
			p++;
	}
	buf[len] = '\0';
	return len > 0;
}

size_t answers_filters(const struct sim *sim, char **filters, size_t max)
{
	size_t n = 0;
	for (size_t i = 0; i < ARRAY_LEN(answered) && n < max; i++) {
		char buf[512];
		if (!pattern_filter(topics_pattern(sim->topics, answered[i]), sim->opt.slug, buf,
				    sizeof(buf)))
			continue;
		bool dup = false;
		for (size_t k = 0; k < n; k++)
			dup |= strcmp(filters[k], buf) == 0;
		if (!dup)
			filters[n++] = xstrdup(buf);
	}
	return n;
}
