/* world — see world.h. */
#include "world.h"

#include <cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

static const char *const streets[] = { "Maple Street", "Harbour Road", "Mill Lane", "Station Square",
				       "Orchard Way",  "Quarry Hill",  "Linden Alley", "River Walk" };

static void copy_id(char *dst, size_t size, const char *src)
{
	snprintf(dst, size, "%s", src);
}

static void series_init(struct world *w, struct sim_component *c)
{
	const struct sim_model *m = catalogue_model(c->model);
	c->series = xcalloc(m->char_count, sizeof(*c->series));
	for (size_t k = 0; k < m->char_count; k++) {
		const struct sim_characteristic *ch = &m->chars[k];
		struct sim_series *s = &c->series[k];
		rng_uuid(&w->rng, s->stream_uuid);
		s->phase = rng_range(&w->rng, 0, 2 * M_PI);
		if (ch->spec.kind == CHARACTERISTIC_SETTING) {
			s->value = ch->initial;
			if (ch->initial_text)
				s->text = xstrdup(ch->initial_text);
		} else {
			s->value = ch->centre;
		}
	}
}

struct world *world_new(const char *slug, unsigned long long seed, size_t systems,
			size_t components, double now)
{
	struct world *w = xcalloc(1, sizeof(*w));
	rng_seed(&w->rng, seed);
	rng_seed(&w->values, seed ^ 0x76616c756573ULL);
	copy_id(w->slug, sizeof(w->slug), slug);
	w->created_at = now;
	rng_uuid(&w->rng, w->domain_uuid);
	rng_uuid(&w->rng, w->owner_uuid);
	rng_uuid(&w->rng, w->organization_uuid);
	rng_uuid(&w->rng, w->user_uuid);
	rng_uuid(&w->rng, w->role_uuid);
	rng_uuid(&w->rng, w->viewer_role_uuid);
	size_t nm = catalogue_model_count(), ne = catalogue_event_model_count();
	w->model_uuid = xcalloc(nm, sizeof(*w->model_uuid));
	w->event_model_uuid = xcalloc(ne, sizeof(*w->event_model_uuid));
	for (size_t i = 0; i < nm; i++)
		rng_uuid(&w->rng, w->model_uuid[i]);
	for (size_t i = 0; i < ne; i++)
		rng_uuid(&w->rng, w->event_model_uuid[i]);

	w->system_count = systems;
	w->systems = xcalloc(systems, sizeof(*w->systems));
	for (size_t i = 0; i < systems; i++) {
		struct sim_system *s = &w->systems[i];
		rng_uuid(&w->rng, s->uuid);
		snprintf(s->code, sizeof(s->code), "site-%03u.%.30s.example", (unsigned)(i + 1) % 1000, slug);
		snprintf(s->name, sizeof(s->name), "%s %zu", streets[i % ARRAY_LEN(streets)],
			 2 * i + 1 + rng_below(&w->rng, 40));
		snprintf(s->description, sizeof(s->description),
			 "Simulated site with %zu components", components);
		s->status = "ACTIVATED";
		s->connection_state = "CONNECTED";
		s->connection_changed_at = s->updated_at = now;
		s->component_count = components;
		s->components = xcalloc(components, sizeof(*s->components));
		for (size_t j = 0; j < components; j++) {
			struct sim_component *c = &s->components[j];
			c->model = (i + j) % nm;
			const struct sim_model *m = catalogue_model(c->model);
			size_t nth = j / nm + 1;
			rng_uuid(&w->rng, c->uuid);
			snprintf(c->code, sizeof(c->code), "%s-%zu", m->code, nth);
			snprintf(c->name, sizeof(c->name), "%s %zu", m->name, nth);
			c->connection_state = "CONNECTED";
			c->status = "ACTIVATED";
			c->connection_changed_at = c->created_at = c->updated_at = now;
			series_init(w, c);
		}
	}
	/* One component off from the start, so PARTIALLY_CONNECTED shows. */
	if (systems >= 2)
		world_set_connection(w, systems - 1, components - 1, false, now);
	return w;
}

size_t world_component_add(struct world *w, size_t s, size_t m, const char *code,
			   const char *name, double now)
{
	struct sim_system *sys = &w->systems[s];
	sys->components = xrealloc(sys->components, (sys->component_count + 1) * sizeof(*sys->components));
	struct sim_component *c = &sys->components[sys->component_count];
	memset(c, 0, sizeof(*c));
	c->model = m;
	rng_uuid(&w->rng, c->uuid);
	copy_id(c->code, sizeof(c->code), code);
	copy_id(c->name, sizeof(c->name), name ? name : code);
	c->connection_state = "CONNECTED";
	c->status = "ACTIVATED";
	c->connection_changed_at = c->created_at = c->updated_at = now;
	series_init(w, c);
	return sys->component_count++;
}

long world_find_model(const struct world *w, const char *uuid)
{
	for (size_t i = 0; uuid && i < catalogue_model_count(); i++)
		if (strcmp(w->model_uuid[i], uuid) == 0)
			return (long)i;
	return -1;
}

void world_free(struct world *w)
{
	if (!w)
		return;
	for (size_t i = 0; i < w->system_count; i++) {
		struct sim_system *s = &w->systems[i];
		for (size_t j = 0; j < s->component_count; j++) {
			struct sim_component *c = &s->components[j];
			size_t n = catalogue_model(c->model)->char_count;
			for (size_t k = 0; k < n; k++)
				free(c->series[k].text);
			free(c->series);
		}
		free(s->components);
		for (size_t t = 0; t < s->token_count; t++)
			free(s->tokens[t].token);
	}
	for (size_t i = 0; i < WORLD_MAX_SETPOINTS; i++)
		free(w->setpoints[i].text);
	free(w->systems);
	free(w->model_uuid);
	free(w->event_model_uuid);
	free(w);
}

const struct sim_model *world_model(const struct world *w, const struct sim_component *c)
{
	(void)w;
	return catalogue_model(c->model);
}

/* ---- lookups ----------------------------------------------------------- */

struct sim_system *world_find_system(struct world *w, const char *uuid, size_t *index)
{
	for (size_t i = 0; uuid && i < w->system_count; i++) {
		if (strcmp(w->systems[i].uuid, uuid) == 0) {
			if (index)
				*index = i;
			return &w->systems[i];
		}
	}
	return NULL;
}

struct sim_component *world_find_component(struct sim_system *s, const char *code,
					   const char *uuid, size_t *index)
{
	for (size_t j = 0; j < s->component_count; j++) {
		struct sim_component *c = &s->components[j];
		if ((code && strcmp(c->code, code) == 0) || (!code && uuid && strcmp(c->uuid, uuid) == 0)) {
			if (index)
				*index = j;
			return c;
		}
	}
	return NULL;
}

struct sim_component *world_find_component_uuid(struct world *w, const char *uuid,
						size_t *system, size_t *index)
{
	for (size_t i = 0; uuid && i < w->system_count; i++) {
		struct sim_component *c = world_find_component(&w->systems[i], NULL, uuid, index);
		if (c) {
			if (system)
				*system = i;
			return c;
		}
	}
	return NULL;
}

long world_find_stream(const struct sim_component *c, const char *stream_uuid)
{
	size_t n = catalogue_model(c->model)->char_count;
	for (size_t k = 0; stream_uuid && k < n; k++)
		if (strcmp(c->series[k].stream_uuid, stream_uuid) == 0)
			return (long)k;
	return -1;
}

long world_find_event_model(const struct world *w, const char *uuid)
{
	for (size_t i = 0; uuid && i < catalogue_event_model_count(); i++)
		if (strcmp(w->event_model_uuid[i], uuid) == 0)
			return (long)i;
	return -1;
}

struct sim_event *world_find_event(struct world *w, const char *uuid)
{
	for (size_t i = 0; uuid && i < WORLD_MAX_EVENTS; i++)
		if (w->events[i].live && strcmp(w->events[i].uuid, uuid) == 0)
			return &w->events[i];
	return NULL;
}

struct sim_setpoint *world_find_setpoint(struct world *w, const char *receipt)
{
	for (size_t i = 0; receipt && i < WORLD_MAX_SETPOINTS; i++)
		if (w->setpoints[i].live && strcmp(w->setpoints[i].receipt, receipt) == 0)
			return &w->setpoints[i];
	return NULL;
}

/* ---- values ------------------------------------------------------------ */

static double clamp(double v, double lo, double hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

void world_series_step(struct world *w, struct sim_component *c, size_t k, double t)
{
	const struct sim_characteristic *ch = &catalogue_model(c->model)->chars[k];
	struct sim_series *s = &c->series[k];
	if (ch->spec.kind == CHARACTERISTIC_SETTING)
		return;
	switch (ch->spec.data_type) {
	case DATA_TYPE_BOOLEAN:
		if (rng_chance(&w->values, ch->noise))
			s->value = s->value ? 0 : 1;
		return;
	case DATA_TYPE_STRING:
		if (ch->text_count && rng_chance(&w->values, ch->noise))
			s->value = rng_below(&w->values, (uint32_t)ch->text_count);
		return;
	default:
		break;
	}
	if (ch->monotonic) {
		double inc = ch->spec.data_type == DATA_TYPE_INTEGER ? rng_below(&w->values, 2)
								     : ch->noise * rng_unit(&w->values) * 10;
		s->value += inc;
		return;
	}
	double lo = isnan(ch->spec.min) ? ch->lo : ch->spec.min;
	double hi = isnan(ch->spec.max) ? ch->hi : ch->spec.max;
	double bound = ch->swing > 0 ? ch->swing : (hi - lo) / 4;
	s->walk = clamp(s->walk + ch->noise * rng_gauss(&w->values), -bound, bound);
	double wave = ch->period > 0 ? sin(2 * M_PI * t / ch->period + s->phase)
				     : 0;
	double v = clamp(ch->centre + ch->swing * wave + s->walk, lo, hi);
	s->value = ch->spec.data_type == DATA_TYPE_INTEGER ? round(v) : round(v * 100) / 100;
}

static cJSON *phases_json(double v)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "l1", round(v * 10) / 10);
	cJSON_AddNumberToObject(o, "l2", round((v + 1.3) * 10) / 10);
	cJSON_AddNumberToObject(o, "l3", round((v - 0.8) * 10) / 10);
	return o;
}

void world_series_value(const struct world *w, const struct sim_component *c, size_t k,
			struct value *out, cJSON **json_out)
{
	const struct sim_characteristic *ch = &world_model(w, c)->chars[k];
	const struct sim_series *s = &c->series[k];
	memset(out, 0, sizeof(*out));
	*json_out = NULL;
	switch (ch->spec.data_type) {
	case DATA_TYPE_FLOAT:
	case DATA_TYPE_INTEGER:
		out->type = VALUE_NUMBER;
		out->number = s->value;
		out->is_integer = ch->spec.data_type == DATA_TYPE_INTEGER;
		return;
	case DATA_TYPE_BOOLEAN:
		out->type = VALUE_BOOL;
		out->boolean = s->value != 0;
		return;
	case DATA_TYPE_STRING:
	case DATA_TYPE_SELECT:
		out->type = VALUE_STRING;
		if (ch->spec.kind == CHARACTERISTIC_MEASUREMENT && ch->text_count)
			out->text = ch->texts[(size_t)s->value % ch->text_count];
		else
			out->text = s->text ? s->text : "";
		return;
	case DATA_TYPE_JSON:
		*json_out = ch->spec.kind == CHARACTERISTIC_MEASUREMENT
				    ? phases_json(s->value)
				    : cJSON_Parse(s->text ? s->text : "null");
		if (!*json_out)
			*json_out = cJSON_CreateNull();
		out->type = VALUE_JSON;
		out->json = *json_out;
		return;
	case DATA_TYPE_COUNT:
		break;
	}
	out->type = VALUE_NULL;
}

/* ---- connection states ------------------------------------------------- */

bool world_set_connection(struct world *w, size_t system, size_t component, bool connected,
			  double now)
{
	struct sim_system *s = &w->systems[system];
	struct sim_component *c = &s->components[component];
	const char *want = connected ? "CONNECTED" : "DISCONNECTED";
	if (strcmp(c->connection_state, want) != 0) {
		c->connection_state = want;
		c->connection_changed_at = now;
	}
	size_t up = 0;
	for (size_t j = 0; j < s->component_count; j++)
		up += strcmp(s->components[j].connection_state, "CONNECTED") == 0;
	const char *state = up == s->component_count ? "CONNECTED"
			    : up == 0		      ? "DISCONNECTED"
						      : "PARTIALLY_CONNECTED";
	if (strcmp(state, s->connection_state) == 0)
		return false;
	s->connection_state = state;
	s->connection_changed_at = s->updated_at = now;
	return true;
}

/* ---- events ------------------------------------------------------------ */

static bool event_finished(const struct world *w, const struct sim_event *e)
{
	const char *status = world_event_status(w, e);
	return !status || strcmp(status, "RESOLVED") == 0;
}

struct sim_event *world_event_raise(struct world *w, size_t m, size_t s, long component,
				    double now, struct sim_event *evicted)
{
	struct sim_event *slot = NULL;
	for (size_t i = 0; i < WORLD_MAX_EVENTS && !slot; i++)
		if (!w->events[i].live)
			slot = &w->events[i];
	/* Full: the oldest finished one goes, else the oldest of all. */
	for (int pass = 0; pass < 2 && !slot; pass++) {
		for (size_t i = 0; i < WORLD_MAX_EVENTS; i++) {
			struct sim_event *e = &w->events[i];
			if ((pass == 1 || event_finished(w, e)) &&
			    (!slot || e->created_at < slot->created_at))
				slot = e;
		}
	}
	if (evicted)
		*evicted = *slot;
	const struct sim_event_model *em = catalogue_event_model(m);
	memset(slot, 0, sizeof(*slot));
	slot->live = true;
	rng_uuid(&w->rng, slot->uuid);
	slot->model = m;
	slot->system = s;
	slot->component = component;
	slot->time = slot->created_at = slot->updated_at = now;
	slot->end_time = slot->acknowledged_at = TIME_UNKNOWN;
	if (strcmp(em->type, "RANGED") == 0 && em->duration > 0)
		slot->resolve_at = now + em->duration * rng_range(&w->rng, 0.5, 1.5);
	return slot;
}

long world_pick_event_component(struct world *w, size_t s, size_t m)
{
	const struct sim_event_model *em = catalogue_event_model(m);
	struct sim_system *sys = &w->systems[s];
	uint32_t fitting = 0;
	for (size_t j = 0; j < sys->component_count; j++)
		fitting += catalogue_event_fits(em, world_model(w, &sys->components[j]));
	if (!fitting)
		return -1;
	uint32_t pick = rng_below(&w->rng, fitting);
	for (size_t j = 0; j < sys->component_count; j++)
		if (catalogue_event_fits(em, world_model(w, &sys->components[j])) && pick-- == 0)
			return (long)j;
	return -1;
}

void world_event_resolve(struct world *w, struct sim_event *e, double now)
{
	(void)w;
	e->end_time = e->updated_at = now;
	e->resolve_at = 0;
}

void world_event_ack(struct world *w, struct sim_event *e, double now)
{
	(void)w;
	if (!e->acknowledged)
		e->acknowledged_at = now;
	e->acknowledged = true;
	e->updated_at = now;
}

const char *world_event_status(const struct world *w, const struct sim_event *e)
{
	(void)w;
	if (strcmp(catalogue_event_model(e->model)->type, "RANGED") != 0)
		return NULL;
	return e->end_time == TIME_UNKNOWN ? "ACTIVE" : "RESOLVED";
}

/* ---- setpoints --------------------------------------------------------- */

struct sim_setpoint *world_setpoint_add(struct world *w, size_t s, size_t c, size_t k,
					const struct value *v, double now, double delay)
{
	struct sim_setpoint *sp = &w->setpoints[w->setpoint_next];
	w->setpoint_next = (w->setpoint_next + 1) % WORLD_MAX_SETPOINTS;
	free(sp->text);
	memset(sp, 0, sizeof(*sp));
	sp->live = true;
	rng_uuid(&w->rng, sp->uuid);
	rng_uuid(&w->rng, sp->receipt);
	sp->system = s;
	sp->component = c;
	sp->characteristic = k;
	sp->type = v->type;
	sp->number = v->number;
	sp->boolean = v->boolean;
	if (v->type == VALUE_STRING)
		sp->text = xstrdup(v->text ? v->text : "");
	else if (v->type == VALUE_JSON) {
		char *text = cJSON_PrintUnformatted(v->json);
		sp->text = xstrdup(text ? text : "null");
		cJSON_free(text);
	}
	sp->state = SIM_SP_CREATED;
	sp->time = now;
	sp->ack_due = now + delay;
	return sp;
}

void world_setpoint_finish(struct world *w, struct sim_setpoint *sp, bool accepted,
			   const char *message)
{
	sp->state = accepted ? SIM_SP_ACCEPTED : SIM_SP_REJECTED;
	sp->ack_due = 0;
	snprintf(sp->message, sizeof(sp->message), "%s", message ? message : "");
	if (!accepted)
		return;
	struct sim_component *c = &w->systems[sp->system].components[sp->component];
	const struct sim_characteristic *ch = &world_model(w, c)->chars[sp->characteristic];
	struct sim_series *s = &c->series[sp->characteristic];
	switch (sp->type) {
	case VALUE_NUMBER:
		s->value = sp->number;
		break;
	case VALUE_BOOL:
		s->value = sp->boolean;
		break;
	case VALUE_STRING:
		free(s->text);
		s->text = xstrdup(sp->text);
		break;
	case VALUE_JSON: {
		free(s->text);
		s->text = NULL;
		if (ch->spec.data_type == DATA_TYPE_SELECT) { /* ["OPTION"]: the option */
			cJSON *arr = cJSON_Parse(sp->text);
			const char *first = cJSON_GetStringValue(cJSON_GetArrayItem(arr, 0));
			s->text = xstrdup(first ? first : "");
			cJSON_Delete(arr);
		} else {
			s->text = xstrdup(sp->text);
		}
		break;
	}
	default:
		break;
	}
}

const char *world_setpoint_state_name(enum sim_setpoint_state state)
{
	switch (state) {
	case SIM_SP_CREATED:
		return "CREATED";
	case SIM_SP_ACCEPTED:
		return "ACCEPTED";
	case SIM_SP_REJECTED:
		return "REJECTED";
	}
	return "CREATED";
}

void world_setpoint_value(const struct sim_setpoint *sp, struct value *out, cJSON **json_out)
{
	memset(out, 0, sizeof(*out));
	*json_out = NULL;
	out->type = sp->type;
	out->number = sp->number;
	out->is_integer = sp->number == floor(sp->number);
	out->boolean = sp->boolean;
	if (sp->type == VALUE_STRING) {
		out->text = sp->text;
	} else if (sp->type == VALUE_JSON) {
		*json_out = cJSON_Parse(sp->text ? sp->text : "null");
		if (!*json_out)
			*json_out = cJSON_CreateNull();
		out->json = *json_out;
	}
}

/* ---- tokens ------------------------------------------------------------ */

struct sim_token *world_token_add(struct world *w, size_t s, char *token, const char *uuid,
				  const char *device, double now, double expires_at)
{
	struct sim_system *sys = &w->systems[s];
	if (sys->token_count == WORLD_MAX_TOKENS) {
		free(sys->tokens[0].token);
		memmove(&sys->tokens[0], &sys->tokens[1],
			(WORLD_MAX_TOKENS - 1) * sizeof(sys->tokens[0]));
		sys->token_count--;
	}
	struct sim_token *t = &sys->tokens[sys->token_count++];
	memset(t, 0, sizeof(*t));
	copy_id(t->uuid, sizeof(t->uuid), uuid);
	copy_id(t->device, sizeof(t->device), device);
	t->token = token;
	t->created_at = t->not_before = now;
	t->expires_at = expires_at;
	return t;
}

size_t world_tokens_expire(struct world *w, size_t s, double now)
{
	struct sim_system *sys = &w->systems[s];
	size_t kept = 0, gone = 0;
	for (size_t i = 0; i < sys->token_count; i++) {
		struct sim_token *t = &sys->tokens[i];
		if (t->expires_at != TIME_UNKNOWN && t->expires_at <= now) {
			free(t->token);
			gone++;
			continue;
		}
		if (kept != i)
			sys->tokens[kept] = *t;
		kept++;
	}
	sys->token_count = kept;
	return gone;
}
