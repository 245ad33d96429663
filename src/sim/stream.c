/* stream — the live part of the simulation, driven by the main loop's
 * clock: datapoints at --rate, connection changes, events raised and
 * resolved, setpoints from the cloud, the devices' acknowledgements and
 * token expiry.  Intervals are exponential around their mean (from the
 * seeded rng), so the sequence repeats with the seed. */
#include <cJSON.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "sim.h"
#include "util.h"

#define NEVER 1e300
#define SWEEP_S 5.0
/* Datapoints published per tick at most: a stalled loop catches up in
 * bounded bursts instead of all at once. */
#define BURST_MAX 200

static double interval(struct sim *sim, double mean)
{
	if (mean <= 0)
		return NEVER;
	/* exponential, clipped to [0.2, 3] × mean so demos never stall */
	double u = rng_unit(&sim->world->rng);
	double x = -log(1 - u);
	return mean * fmin(3.0, fmax(0.2, x));
}

void stream_raise_event(struct sim *sim, size_t model, size_t system, long component, double now)
{
	struct sim_event evicted;
	struct sim_event *e = world_event_raise(sim->world, model, system, component, now, &evicted);
	if (evicted.live)
		announce_event_cleared(sim, &evicted);
	announce_event(sim, e);
}

void stream_init(struct sim *sim, double now)
{
	struct world *w = sim->world;
	/* A few events from the start, so a console that connects first sees
	 * every level: one per system, alternating system and component. */
	for (size_t i = 0; i < w->system_count; i++) {
		size_t m = i % catalogue_event_model_count();
		const struct sim_event_model *em = catalogue_event_model(m);
		long comp = -1;
		if (strcmp(em->entity, "COMPONENT") == 0 &&
		    (comp = world_pick_event_component(w, i, m)) < 0)
			continue;
		struct sim_event evicted;
		world_event_raise(w, m, i, comp, now - 10.0 * (double)(i + 1), &evicted);
	}
	sim->next_datapoint = now;
	sim->next_change = now + interval(sim, sim->opt.change_interval);
	sim->next_event = now + interval(sim, sim->opt.event_interval);
	sim->next_setpoint = now + interval(sim, sim->opt.setpoint_interval);
	sim->next_sweep = now + SWEEP_S;
}

/* The next characteristic of a connected component, round-robin. */
static bool next_series(struct sim *sim, size_t *s, size_t *c, size_t *k)
{
	struct world *w = sim->world;
	size_t total = 0;
	for (size_t i = 0; i < w->system_count; i++)
		total += w->systems[i].component_count;
	for (size_t tries = 0; tries <= total; tries++) {
		struct sim_system *sys = &w->systems[sim->cursor_system];
		struct sim_component *comp = &sys->components[sim->cursor_component];
		size_t n = world_model(w, comp)->char_count;
		if (sim->cursor_char < n && strcmp(comp->connection_state, "CONNECTED") == 0) {
			*s = sim->cursor_system;
			*c = sim->cursor_component;
			*k = sim->cursor_char++;
			return true;
		}
		/* next component */
		sim->cursor_char = 0;
		if (++sim->cursor_component >= sys->component_count) {
			sim->cursor_component = 0;
			sim->cursor_system = (sim->cursor_system + 1) % w->system_count;
		}
	}
	return false;
}

static void tick_datapoints(struct sim *sim, double now)
{
	if (sim->opt.rate <= 0)
		return;
	double period = 1.0 / sim->opt.rate;
	for (int n = 0; n < BURST_MAX && sim->next_datapoint <= now; n++) {
		sim->next_datapoint += period;
		sim->stream_clock += period;
		if (sim->opt.faults > 0 && rng_chance(&sim->faults_rng, sim->opt.faults)) {
			faults_publish_one(sim, now);
			continue;
		}
		size_t s, c, k;
		if (!next_series(sim, &s, &c, &k))
			continue;
		world_series_step(sim->world, &sim->world->systems[s].components[c], k,
				  sim->stream_clock);
		announce_datapoint(sim, s, c, k, now);
	}
	if (sim->next_datapoint < now - 1.0) /* far behind: drop the backlog */
		sim->next_datapoint = now;
}

static void tick_connection(struct sim *sim, double now)
{
	struct world *w = sim->world;
	size_t s = rng_below(&w->rng, (uint32_t)w->system_count);
	struct sim_system *sys = &w->systems[s];
	size_t c = rng_below(&w->rng, (uint32_t)sys->component_count);
	bool was_up = strcmp(sys->components[c].connection_state, "CONNECTED") == 0;
	bool was_down = strcmp(sys->connection_state, "DISCONNECTED") == 0;
	bool system_changed = world_set_connection(w, s, c, !was_up, now);
	announce_component(sim, s, c);
	if (system_changed)
		announce_system(sim, s);
	if (system_changed && was_down) { /* "System back online" */
		for (size_t m = 0; m < catalogue_event_model_count(); m++)
			if (strcmp(catalogue_event_model(m)->code, "BACK-ONLINE") == 0)
				stream_raise_event(sim, m, s, -1, now);
	}
}

static void tick_event(struct sim *sim, double now)
{
	struct world *w = sim->world;
	size_t m = rng_below(&w->rng, (uint32_t)catalogue_event_model_count());
	size_t s = rng_below(&w->rng, (uint32_t)w->system_count);
	long c = -1;
	if (strcmp(catalogue_event_model(m)->entity, "COMPONENT") == 0 &&
	    (c = world_pick_event_component(w, s, m)) < 0)
		return; /* no component of that kind here: no event this time */
	stream_raise_event(sim, m, s, c, now);
}

/* A value for setting k: inside the limits, on the step, sometimes one the
 * device refuses (so both outcomes show in a demo). */
static bool pick_setting_value(struct sim *sim, const struct sim_characteristic *ch,
			       struct value *v, cJSON **json)
{
	struct rng *r = &sim->world->rng;
	memset(v, 0, sizeof(*v));
	*json = NULL;
	switch (ch->spec.data_type) {
	case DATA_TYPE_FLOAT:
	case DATA_TYPE_INTEGER: {
		double lo = ch->spec.min, hi = ch->spec.max, step = ch->spec.step;
		if (isnan(lo) || isnan(hi))
			return false;
		double steps = isnan(step) || step <= 0 ? 100 : floor((hi - lo) / step);
		double pick = rng_below(r, (uint32_t)steps + 1);
		v->type = VALUE_NUMBER;
		v->number = lo + pick * (isnan(step) || step <= 0 ? (hi - lo) / 100 : step);
		v->is_integer = v->number == floor(v->number);
		return true;
	}
	case DATA_TYPE_BOOLEAN:
		v->type = VALUE_BOOL;
		v->boolean = rng_chance(r, 0.5);
		return true;
	case DATA_TYPE_SELECT:
		if (!ch->spec.valid_value_count)
			return false;
		v->type = VALUE_STRING;
		v->text = ch->spec.valid_values[rng_below(r, (uint32_t)ch->spec.valid_value_count)];
		return true;
	case DATA_TYPE_STRING:
		v->type = VALUE_STRING;
		v->text = rng_chance(r, 0.5) ? "garage" : "utility room";
		return true;
	case DATA_TYPE_JSON:
		*json = cJSON_Parse(rng_chance(r, 0.5) ? "{\"start\":\"23:00\",\"end\":\"05:00\"}"
						       : "{\"start\":\"01:00\",\"end\":\"07:00\"}");
		v->type = VALUE_JSON;
		v->json = *json;
		return true;
	case DATA_TYPE_COUNT:
		break;
	}
	return false;
}

/* A setpoint "from the cloud" (as if an operator used DRIVR's UI). */
static void tick_setpoint(struct sim *sim, double now)
{
	struct world *w = sim->world;
	size_t s = rng_below(&w->rng, (uint32_t)w->system_count);
	struct sim_system *sys = &w->systems[s];
	size_t c = rng_below(&w->rng, (uint32_t)sys->component_count);
	const struct sim_model *m = world_model(w, &sys->components[c]);
	size_t settings[32], n = 0;
	for (size_t k = 0; k < m->char_count && n < ARRAY_LEN(settings); k++)
		if (m->chars[k].spec.kind == CHARACTERISTIC_SETTING)
			settings[n++] = k;
	if (!n)
		return;
	size_t k = settings[rng_below(&w->rng, (uint32_t)n)];
	struct value v;
	cJSON *json;
	if (pick_setting_value(sim, &m->chars[k], &v, &json)) {
		struct sim_setpoint *sp =
			world_setpoint_add(w, s, c, k, &v, now, sim->opt.device_delay);
		announce_setpoint(sim, sp);
	}
	cJSON_Delete(json);
}

/* The device side: a connected component answers its setpoint with an
 * acknowledgement on the setpoint ack input (the platform side, answers.c,
 * then finishes the setpoint when that ack arrives through the broker). */
static void device_ack(struct sim *sim, struct sim_setpoint *sp)
{
	struct world *w = sim->world;
	struct sim_system *sys = &w->systems[sp->system];
	struct sim_component *c = &sys->components[sp->component];
	const struct sim_model *m = world_model(w, c);
	const struct sim_characteristic *ch = &m->chars[sp->characteristic];
	const char *text = sp->type == VALUE_STRING ? sp->text : NULL;
	char option[128];
	if (sp->type == VALUE_JSON && ch->spec.data_type == DATA_TYPE_SELECT) {
		cJSON *arr = cJSON_Parse(sp->text);
		snprintf(option, sizeof(option), "%s",
			 cJSON_GetStringValue(cJSON_GetArrayItem(arr, 0))
				 ? cJSON_GetStringValue(cJSON_GetArrayItem(arr, 0))
				 : "");
		cJSON_Delete(arr);
		text = option;
	} else if (sp->type == VALUE_BOOL) {
		text = sp->boolean ? "true" : "false";
	}
	const char *refusal = catalogue_refusal(ch, sp->type == VALUE_NUMBER ? sp->number : NAN, text);
	struct upd_setpoint_ack ack = { sp->receipt, refusal ? "REJECTED" : "ACCEPTED",
					refusal ? refusal : "applied" };
	struct topic_ids ids = out_ids(&sim->out);
	ids.v[TOPIC_ID_SYSTEM_UUID] = sys->uuid;
	out_publish(&sim->out, TOPIC_SETPOINT_ACK, &ids, m->msgpack ? FORMAT_MSGPACK : FORMAT_JSON,
		    payload_build_setpoint_ack(&ack), false);
	sp->ack_due = 0;
}

static double tick_due(struct sim *sim, double now)
{
	struct world *w = sim->world;
	double next = NEVER;
	for (size_t i = 0; i < WORLD_MAX_SETPOINTS; i++) {
		struct sim_setpoint *sp = &w->setpoints[i];
		if (!sp->live || sp->ack_due <= 0 || sp->state != SIM_SP_CREATED)
			continue;
		bool up = strcmp(w->systems[sp->system].components[sp->component].connection_state,
				 "CONNECTED") == 0;
		if (sp->ack_due <= now && up) /* offline devices answer when back */
			device_ack(sim, sp);
		else
			next = fmin(next, up ? sp->ack_due : now + 1.0);
	}
	for (size_t i = 0; i < WORLD_MAX_EVENTS; i++) {
		struct sim_event *e = &w->events[i];
		if (!e->live || e->resolve_at <= 0)
			continue;
		if (e->resolve_at <= now) {
			world_event_resolve(w, e, now);
			announce_event(sim, e);
		} else {
			next = fmin(next, e->resolve_at);
		}
	}
	return next;
}

double stream_tick(struct sim *sim, double now)
{
	tick_datapoints(sim, now);
	if (now >= sim->next_change) {
		tick_connection(sim, now);
		sim->next_change = now + interval(sim, sim->opt.change_interval);
	}
	if (now >= sim->next_event) {
		tick_event(sim, now);
		sim->next_event = now + interval(sim, sim->opt.event_interval);
	}
	if (now >= sim->next_setpoint) {
		tick_setpoint(sim, now);
		sim->next_setpoint = now + interval(sim, sim->opt.setpoint_interval);
	}
	if (now >= sim->next_sweep) {
		for (size_t s = 0; s < sim->world->system_count; s++)
			if (world_tokens_expire(sim->world, s, now))
				announce_tokens(sim, s);
		sim->next_sweep = now + SWEEP_S;
	}
	double next = tick_due(sim, now);
	if (sim->opt.rate > 0)
		next = fmin(next, sim->next_datapoint);
	next = fmin(next, fmin(sim->next_change, fmin(sim->next_event, sim->next_setpoint)));
	next = fmin(next, sim->next_sweep);
	return fmax(0, next - now);
}
