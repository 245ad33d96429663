/* announce — the world as the platform publishes it: retained information
 * topics built with the payload builders, on topics built from the table. */
#include <cJSON.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "sim.h"
#include "util.h"

static const struct payload_kv sim_metadata[] = { { "source", "drivr-sim" } };

static void extra_default(struct payload_extra *x, const struct world *w)
{
	payload_extra_init(x);
	x->metadata = sim_metadata;
	x->metadata_count = ARRAY_LEN(sim_metadata);
	x->domain_uuid = w->domain_uuid;
}

static void announce_domain(struct sim *sim)
{
	struct world *w = sim->world;
	char host[128];
	snprintf(host, sizeof(host), "https://%.60s.api.drivr.cloud", w->slug);
	const char *hosts[] = { host };
	struct upd_domain d = { w->domain_uuid, w->slug, "Simulated DRIVR domain", "ACTIVATED",
				w->owner_uuid, w->created_at, w->created_at };
	struct payload_extra x;
	extra_default(&x, w);
	x.host_names = hosts;
	x.host_name_count = 1;
	struct topic_ids ids = out_ids(&sim->out);
	out_publish(&sim->out, TOPIC_DOMAIN, &ids, FORMAT_JSON, payload_build_domain(&d, &x), true);
	out_publish(&sim->out, TOPIC_DOMAIN_STATE, &ids, FORMAT_JSON,
		    payload_build_state("ACTIVATED"), true);

	struct upd_organization o = { w->organization_uuid, "Simulated Utilities Ltd", "sim-utilities",
				      w->domain_uuid, "ACTIVATED", w->created_at, w->created_at };
	x.owner_uuid = w->owner_uuid;
	ids.v[TOPIC_ID_ORGANIZATION_UUID] = w->organization_uuid;
	out_publish(&sim->out, TOPIC_ORGANIZATION, &ids, FORMAT_JSON,
		    payload_build_organization(&o, &x), true);
	out_publish(&sim->out, TOPIC_ORGANIZATION_STATE, &ids, FORMAT_JSON,
		    payload_build_state("ACTIVATED"), true);
}

void announce_jwks(struct sim *sim)
{
	struct jwk k = { signer_kid(sim->signer), "RSA", "RS256", "sig", signer_n(sim->signer),
			 signer_e(sim->signer) };
	struct topic_ids ids = out_ids(&sim->out);
	out_publish(&sim->out, TOPIC_JWKS, &ids, FORMAT_JSON, payload_build_jwks(&k, 1), true);
}

static void announce_models(struct sim *sim)
{
	struct world *w = sim->world;
	struct topic_ids ids = out_ids(&sim->out);
	for (size_t i = 0; i < catalogue_model_count(); i++) {
		const struct sim_model *m = catalogue_model(i);
		struct upd_component_model u = { w->model_uuid[i], m->code, m->name, m->description,
						 m->component_type, "ACTIVATED", m->connective,
						 w->created_at, w->created_at };
		struct payload_extra x;
		extra_default(&x, w);
		size_t n = 0;
		/* The catalogue is an extension: the reference's model has none. */
		struct payload_service *services =
			sim->opt.ext_catalogue ? catalogue_services_new(m, &n) : NULL;
		x.services = services;
		x.service_count = n;
		ids.v[TOPIC_ID_COMPONENT_MODEL_UUID] = w->model_uuid[i];
		out_publish(&sim->out, TOPIC_COMPONENT_MODEL, &ids, FORMAT_JSON,
			    payload_build_component_model(&u, &x), true);
		out_publish(&sim->out, TOPIC_COMPONENT_MODEL_STATE, &ids, FORMAT_JSON,
			    payload_build_state("ACTIVATED"), true);
		catalogue_services_free(services, n);
	}
	ids.v[TOPIC_ID_COMPONENT_MODEL_UUID] = NULL;
	for (size_t i = 0; i < catalogue_event_model_count(); i++) {
		const struct sim_event_model *m = catalogue_event_model(i);
		struct upd_event_model u = { w->event_model_uuid[i], m->code, m->level, m->type,
					     m->entity, m->message, "ACTIVATED",
					     m->only_model != NULL,
					     w->created_at, w->created_at };
		struct payload_extra x;
		extra_default(&x, w);
		ids.v[TOPIC_ID_EVENT_MODEL_UUID] = w->event_model_uuid[i];
		out_publish(&sim->out, TOPIC_EVENT_MODEL, &ids, FORMAT_JSON,
			    payload_build_event_model(&u, &x), true);
		out_publish(&sim->out, TOPIC_EVENT_MODEL_STATE, &ids, FORMAT_JSON,
			    payload_build_state("ACTIVATED"), true);
	}
}

void announce_system(struct sim *sim, size_t i)
{
	struct world *w = sim->world;
	struct sim_system *s = &w->systems[i];
	struct upd_system u = { s->uuid,	       s->code,	     s->name,	     s->description,
				s->connection_state, s->status,	     w->domain_uuid, w->owner_uuid,
				s->connection_changed_at, w->created_at, s->updated_at };
	struct payload_extra x;
	extra_default(&x, w);
	struct topic_ids ids = out_ids(&sim->out);
	ids.v[TOPIC_ID_SYSTEM_UUID] = s->uuid;
	out_publish(&sim->out, TOPIC_SYSTEM, &ids, FORMAT_JSON, payload_build_system(&u, &x), true);
	out_publish(&sim->out, TOPIC_SYSTEM_STATE, &ids, FORMAT_JSON, payload_build_state(s->status),
		    true);
}

void announce_component(struct sim *sim, size_t i, size_t j)
{
	struct world *w = sim->world;
	struct sim_system *s = &w->systems[i];
	struct sim_component *c = &s->components[j];
	struct upd_component u = { c->uuid,   c->code,		     c->name,
				   w->model_uuid[c->model], s->uuid, c->connection_state,
				   c->status, c->connection_changed_at, c->created_at,
				   fmax(c->connection_changed_at, c->updated_at) };
	struct payload_extra x;
	extra_default(&x, w);
	struct topic_ids ids = out_ids(&sim->out);
	ids.v[TOPIC_ID_SYSTEM_UUID] = s->uuid;
	ids.v[TOPIC_ID_COMPONENT_CODE] = c->code;
	out_publish(&sim->out, TOPIC_COMPONENT, &ids, FORMAT_JSON, payload_build_component(&u, &x),
		    true);
}

void announce_event(struct sim *sim, const struct sim_event *e)
{
	struct world *w = sim->world;
	struct sim_system *s = &w->systems[e->system];
	const char *entity = e->component >= 0 ? s->components[e->component].uuid : s->uuid;
	struct upd_event u = { e->uuid,	   w->event_model_uuid[e->model], entity,
			       world_event_status(w, e), e->acknowledged ? 1 : 0, e->time,
			       e->end_time, e->created_at, e->updated_at };
	struct payload_extra x;
	extra_default(&x, w);
	x.acknowledged_at = e->acknowledged_at;
	struct topic_ids ids = out_ids(&sim->out);
	ids.v[TOPIC_ID_SYSTEM_UUID] = s->uuid;
	ids.v[TOPIC_ID_EVENT_UUID] = e->uuid;
	out_publish(&sim->out, TOPIC_EVENT, &ids, FORMAT_JSON, payload_build_event(&u, &x), true);
}

/* An event pushed out of the bounded table: its retained topic is cleared
 * (an empty retained payload, the reference's "entity deleted"). */
void announce_event_cleared(struct sim *sim, const struct sim_event *e)
{
	char topic[512];
	struct topic_ids ids = out_ids(&sim->out);
	ids.v[TOPIC_ID_SYSTEM_UUID] = sim->world->systems[e->system].uuid;
	ids.v[TOPIC_ID_EVENT_UUID] = e->uuid;
	if (topic_build(sim->topics, TOPIC_EVENT, &ids, FORMAT_JSON, topic, sizeof(topic)) > 0)
		out_publish_raw(&sim->out, topic, "", 0, 1, true);
}

void announce_setpoint(struct sim *sim, const struct sim_setpoint *sp)
{
	struct world *w = sim->world;
	struct sim_system *s = &w->systems[sp->system];
	struct sim_component *c = &s->components[sp->component];
	const struct sim_characteristic *ch = &world_model(w, c)->chars[sp->characteristic];
	struct upd_setpoint u;
	memset(&u, 0, sizeof(u));
	/* The reference's Setpoint (§3.11) names its target by timeStreamUuid
	 * only (the system is in the topic); the codes are an extension. */
	if (sim->opt.ext_setpoint_codes) {
		u.addr.system_uuid = s->uuid;
		u.addr.component_code = c->code;
		u.addr.service_code = ch->service;
		u.addr.characteristic_code = ch->spec.code;
	}
	u.addr.time_stream_uuid = c->series[sp->characteristic].stream_uuid;
	u.addr.service_index = -1;
	u.uuid = sp->uuid;
	u.receipt_id = sp->receipt;
	u.type = payload_data_type_name(ch->spec.data_type);
	u.state = world_setpoint_state_name(sp->state);
	u.message = sp->message[0] ? sp->message : NULL;
	u.time = sp->time;
	cJSON *json = NULL;
	world_setpoint_value(sp, &u.value, &json);
	struct topic_ids ids = out_ids(&sim->out);
	ids.v[TOPIC_ID_SYSTEM_UUID] = s->uuid;
	out_publish(&sim->out, TOPIC_SETPOINT, &ids, FORMAT_JSON, payload_build_setpoint(&u), false);
	cJSON_Delete(json);
}

void announce_tokens(struct sim *sim, size_t i)
{
	struct world *w = sim->world;
	struct sim_system *s = &w->systems[i];
	struct token_role role = { w->role_uuid, "System Maintainer" };
	struct token items[WORLD_MAX_TOKENS];
	for (size_t k = 0; k < s->token_count; k++) {
		const struct sim_token *t = &s->tokens[k];
		items[k] = (struct token){ t->uuid,   "ACTIVATED",  s->uuid,	   t->token,
					   w->user_uuid, "Ada Lovelace", "USER",	   t->created_at,
					   t->expires_at, t->not_before,  1,		   &role };
	}
	struct topic_ids ids = out_ids(&sim->out);
	ids.v[TOPIC_ID_SYSTEM_UUID] = s->uuid;
	out_publish(&sim->out, TOPIC_LOCAL_API_TOKENS, &ids, FORMAT_JSON,
		    payload_build_tokens(items, s->token_count), true);
}

void announce_datapoint(struct sim *sim, size_t i, size_t j, size_t k, double now)
{
	struct world *w = sim->world;
	struct sim_system *s = &w->systems[i];
	struct sim_component *c = &s->components[j];
	const struct sim_model *m = world_model(w, c);
	struct datapoint dp;
	memset(&dp, 0, sizeof(dp));
	dp.addr.component_code = c->code;
	dp.addr.service_code = m->chars[k].service;
	dp.addr.characteristic_code = m->chars[k].spec.code;
	dp.addr.service_index = -1;
	dp.time = now;
	cJSON *json = NULL;
	world_series_value(w, c, k, &dp.value, &json);
	struct topic_ids ids = out_ids(&sim->out);
	ids.v[TOPIC_ID_SYSTEM_UUID] = s->uuid;
	if (m->msgpack) {
		out_publish(&sim->out, TOPIC_DATAPOINT_INPUT, &ids, FORMAT_MSGPACK,
			    payload_build_datapoint(&dp), false);
	} else {
		char topic[512], buf[2048];
		size_t len = payload_write_datapoint(buf, sizeof(buf), &dp, 0);
		if (len && topic_build(sim->topics, TOPIC_DATAPOINT_INPUT, &ids, FORMAT_JSON, topic,
				       sizeof(topic)) > 0)
			out_publish_raw(&sim->out, topic, buf, len, 1, false);
	}
	cJSON_Delete(json);
	sim->datapoints++;
}

void announce_all(struct sim *sim)
{
	struct world *w = sim->world;
	announce_domain(sim);
	announce_jwks(sim);
	announce_models(sim);
	for (size_t i = 0; i < w->system_count; i++) {
		announce_system(sim, i);
		for (size_t j = 0; j < w->systems[i].component_count; j++)
			announce_component(sim, i, j);
		announce_tokens(sim, i);
	}
	for (size_t e = 0; e < WORLD_MAX_EVENTS; e++)
		if (w->events[e].live)
			announce_event(sim, &w->events[e]);
}
