/* action_flow — see include/action_flow.h. */
#include "action_flow.h"

#include <cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "catalogue_query.h"
#include "catalogue_session.h"
#include "secret.h"
#include "util.h"

/* request->caller_flags */
enum { AUDITED = 1u << 0, LATE_AUDITED = 1u << 1, PINNED = 1u << 2 };

void action_flow_init(struct action_flow *f, const struct config *config, struct store *store,
		      const struct topic_table *topics)
{
	memset(f, 0, sizeof(*f));
	f->config = config;
	f->store = store;
	f->clock_fixed = -1;
	f->audit_path = config->audit_log ? xstrdup(config->audit_log) : audit_default_path();
	f->requests = requests_new(topics, action_flow_slug(f));
	catalogue_session_configure(config);
}

void action_flow_free(struct action_flow *f)
{
	requests_free(f->requests);
	f->requests = NULL;
	free(f->audit_path);
	f->audit_path = NULL;
	catalogue_session_close();
}

struct request_time action_flow_now(const struct action_flow *f)
{
	return (struct request_time){ f->clock_fixed >= 0 ? f->clock_fixed : time_now(),
				      time_monotonic() };
}

const char *action_flow_slug(const struct action_flow *f)
{
	const struct domain *d = store_domain(f->store);
	if (f->config->slug)
		return f->config->slug;
	return d && d->slug ? d->slug : "";
}

void action_flow_sync_slug(struct action_flow *f)
{
	if (!f->config->slug)
		requests_set_slug(f->requests, action_flow_slug(f));
}

/* ---- audit and end states ---------------------------------------------------- */

void action_flow_outcome(const struct request *q, char *buf, size_t size)
{
	snprintf(buf, size, "%s%s%s%s%s%s", request_state_name(q->state), q->detail ? ": " : "",
		 q->detail ? q->detail : "", q->error_code ? " [" : "", q->error_code ? q->error_code : "",
		 q->error_code ? "]" : "");
}

/* One audit line; false when it could not be written (counted, the reason
 * kept for the caller to show). */
static bool audit(struct action_flow *f, const struct request *q, const char *outcome)
{
	char err[512];
	if (!f->audit_path) {
		snprintf(err, sizeof(err), "no path: set --audit-log, XDG_STATE_HOME or HOME");
	} else {
		char url[512];
		graphql_endpoint(f->config->graphql_url, action_flow_slug(f), url, sizeof(url));
		/* The token body holds no secret: the user token travels as a
		 * header, never in the body. */
		struct audit_entry e = { time_now(), f->config->profile, request_kind_name(q->kind),
					 q->kind == REQUEST_TOKEN ? url : q->topic, q->payload, outcome,
					 q->id };
		if (audit_append(f->audit_path, &e, err, sizeof(err)))
			return true;
	}
	f->audit_failed++;
	snprintf(f->audit_error, sizeof(f->audit_error), "%s", err);
	return false;
}

static void tell_end(struct action_flow *f, const struct request *q, const char *outcome,
		     bool recorded)
{
	if (f->on_end)
		f->on_end(f->on_end_ctx, q, outcome, recorded);
}

/* A system a request waits on is never evicted at a store cap
 * (--max-memory) until the request ends. */
static void pin(struct action_flow *f, struct request *q)
{
	bool waits = !request_state_final(q->state);
	if (waits && !(q->caller_flags & PINNED) && q->system_uuid &&
	    store_find_system(f->store, q->system_uuid) && /* no stub for a typo */
	    store_pin_system(f->store, q->system_uuid))
		q->caller_flags |= PINNED;
	if (!waits && (q->caller_flags & PINNED)) {
		store_unpin_system(f->store, q->system_uuid);
		q->caller_flags &= ~(unsigned)PINNED;
	}
}

void action_flow_sweep(struct action_flow *f)
{
	if (requests_stamp(f->requests) == f->swept_stamp)
		return;
	f->swept_stamp = requests_stamp(f->requests);
	size_t n = requests_count(f->requests);
	for (size_t i = 0; i < n; i++) {
		/* caller_flags are ours (requests.h): the one field written here */
		struct request *q = (struct request *)requests_at(f->requests, i);
		char outcome[1024];
		pin(f, q);
		if (request_state_final(q->state) && !(q->caller_flags & AUDITED)) {
			action_flow_outcome(q, outcome, sizeof(outcome));
			q->caller_flags |= AUDITED;
			tell_end(f, q, outcome, audit(f, q, outcome));
		}
		/* The answer after the time-out: a second line, the first stays. */
		if (q->late && !(q->caller_flags & LATE_AUDITED)) {
			char late[1100];
			action_flow_outcome(q, outcome, sizeof(outcome));
			snprintf(late, sizeof(late), "late: %s", outcome);
			q->caller_flags |= LATE_AUDITED;
			tell_end(f, q, late, audit(f, q, late));
		}
	}
}

bool action_flow_record(struct action_flow *f, struct request *q)
{
	if (q->caller_flags & AUDITED)
		return true;
	char outcome[1024];
	action_flow_outcome(q, outcome, sizeof(outcome));
	q->caller_flags |= AUDITED;
	return audit(f, q, outcome);
}

void action_flow_record_pending(struct action_flow *f)
{
	action_flow_sweep(f);
	size_t n = requests_count(f->requests);
	for (size_t i = 0; i < n; i++) {
		struct request *q = (struct request *)requests_at(f->requests, i);
		if (q->caller_flags & AUDITED)
			continue;
		char outcome[1024];
		snprintf(outcome, sizeof(outcome), "pending at exit: %s%s", request_state_name(q->state),
			 q->state == REQUEST_QUEUED ? " (never sent: it was in the outbox)" : "");
		q->caller_flags |= AUDITED;
		audit(f, q, outcome);
	}
}

/* ---- the observer and the transport ------------------------------------------------ */

void action_flow_observer(void *ctx, const struct message_meta *msg,
			  const struct topic_match *match, const struct decode_result *result)
{
	struct action_flow *f = ctx;
	(void)msg;
	/* The platform's own topics (its retained state, answers) — retained or
	 * forwarded live after a broker restart — not the devices' stream. */
	if (match->family < TOPIC_UNCLASSIFIED && topic_family_direction(match->family) == TOPIC_SUB)
		f->platform_at = time_monotonic();
	struct request *q = requests_observe(f->requests, match, result, action_flow_now(f));
	if (q && q->state == REQUEST_ERROR && match->family == TOPIC_ERROR_REPLY &&
	    store_errors_count(f->store) > 0) {
		/* store_apply made the record just before: the newest one */
		const struct error_record *r = store_error_at(f->store, 0);
		if (r->kind == ERROR_RECORD_REPLY)
			q->error_record = r->seq;
	}
	if (q)
		action_flow_sweep(f);
}

void action_flow_transport(struct action_flow *f, const struct inbox_item *item)
{
	switch (item->kind) {
	case INBOX_CONNECTED:
		f->mqtt_version = item->u.connected.mqtt_version;
		return;
	case INBOX_SUBSCRIBED:
		/* staged batches: the plan says when the state is in */
		if (!item->u.subscribed.batch)
			f->subscribed_at = time_monotonic();
		return;
	case INBOX_DELIVERED:
		requests_on_delivered(f->requests, item->u.delivery.token, action_flow_now(f));
		break;
	case INBOX_PUBLISH_FAILED:
		/* final: never re-sent automatically */
		requests_on_publish_failed(f->requests, item->u.delivery.token, item->u.delivery.reason,
					   item->u.delivery.refused, action_flow_now(f));
		break;
	default:
		return;
	}
	action_flow_sweep(f);
}

/* ---- the outbox ----------------------------------------------------------------- */

bool action_flow_connected(const struct action_flow *f)
{
	if (!f->mqtt || !f->status || f->status->state != MQTT_STATE_CONNECTED ||
	    !f->status->subscribed)
		return false;
	/* Staged: the plan says (a refusal is said by the caller). */
	return !f->plan || load_plan_usable(f->plan);
}

/* Without a staged load: when the platform's state is back (an empty broker
 * just restarted: the platform is not listening yet) and quiet; 0 while it
 * is not back. */
static double quiet_from(const struct action_flow *f)
{
	if (f->platform_at <= f->subscribed_at || f->subscribed_at <= 0)
		return 0;
	return f->platform_at + f->config->settle;
}

bool action_flow_settled(const struct action_flow *f)
{
	if (!action_flow_connected(f))
		return false;
	if (f->plan)
		return true; /* the staged load's verdict says both */
	double quiet = quiet_from(f);
	return quiet > 0 && time_monotonic() >= quiet;
}

void action_flow_pump(struct action_flow *f)
{
	f->pump_at = 0;
	if (!requests_next_queued(f->requests) || !action_flow_connected(f))
		return;
	if (!action_flow_settled(f)) {
		/* not back yet: its next message pumps again; back: when quiet */
		f->pump_at = f->plan ? 0 : quiet_from(f);
		return;
	}
	struct request *q;
	while ((q = requests_next_queued(f->requests))) {
		int token = 0;
		char err[256];
		enum mqtt_error e = mqtt_publish(f->mqtt, q->topic, q->payload, q->payload_len, false,
						 &token, err, sizeof(err));
		if (e == MQTT_ERR_NOT_READY)
			break; /* stays in the outbox */
		if (e == MQTT_OK)
			requests_mark_sent(f->requests, q, token, action_flow_now(f));
		else
			requests_fail(f->requests, q, err, action_flow_now(f));
	}
	action_flow_sweep(f);
}

double action_flow_tick(struct action_flow *f)
{
	if (requests_next_queued(f->requests) && (f->pump_at == 0 || time_monotonic() >= f->pump_at))
		action_flow_pump(f);
	double next = requests_tick(f->requests, action_flow_now(f));
	action_flow_sweep(f);
	if (f->pump_at > 0 && (next <= 0 || f->pump_at < next))
		next = f->pump_at;
	/* the session's catalogue: asked once the platform's state settled
	 * (the models are known then), its end looked for every tick */
	if (f->catalogue_wanted && action_flow_settled(f))
		catalogue_session_start(f->store, action_flow_slug(f));
	catalogue_session_poll();
	if (catalogue_session_state() == CATALOGUE_LOADING) {
		double soon = time_monotonic() + CATALOGUE_POLL_S;
		if (next <= 0 || soon < next)
			next = soon;
	}
	return next;
}

/* ---- shared lookups ----------------------------------------------------------------- */

const struct system *action_flow_system(const struct store *st, const char *id)
{
	if (!id || !*id)
		return NULL;
	const struct system *s = store_find_system(st, id);
	if (s)
		return s;
	size_t n = store_systems_count(st);
	for (size_t i = 0; i < n; i++) {
		s = store_system_at(st, i);
		if (!s->meta.deleted && s->code && strcmp(s->code, id) == 0)
			return s;
	}
	return NULL;
}

void action_catalogue_close(struct action_catalogue *held)
{
	payload_catalogue_free(&held->catalogue);
	memset(&held->catalogue, 0, sizeof(held->catalogue));
	cJSON_Delete(held->model);
	held->model = NULL;
}

/* The drivr-sim extension: "services" in the model's retained payload. */
static const struct payload_characteristic *
from_extension(const struct component_model *m, const char *service, const char *characteristic,
	       struct action_catalogue *held, bool *has_catalogue)
{
	*has_catalogue = false;
	if (!m->meta.raw.bytes || m->meta.raw.truncated)
		return NULL;
	held->model = cJSON_ParseWithLength(m->meta.raw.bytes, m->meta.raw.len);
	if (!held->model || !payload_catalogue_read(held->model, &held->catalogue))
		return NULL;
	*has_catalogue = true;
	return catalogue_find_characteristic(&held->catalogue, service, characteristic);
}

const struct payload_characteristic *
action_flow_characteristic(const struct store *store, const char *system, const char *component,
			   const char *service, const char *characteristic,
			   struct action_catalogue *held, const char **why)
{
	action_catalogue_close(held);
	const struct system *s = action_flow_system(store, system);
	const struct component *c =
		s && component ? store_find_component(store, s->uuid, component) : NULL;
	if (!c) {
		*why = "component not known here: no catalogue, the value is sent as typed";
		return NULL;
	}
	if (!c->component_model_uuid) {
		*why = "the component's model is not known here: the value is sent as typed";
		return NULL;
	}
	/* The platform's catalogue (GraphQL) wins; what it lacks for a model
	 * it knows, it lacks. */
	const struct payload_characteristic *found;
	switch (catalogue_session_find(c->component_model_uuid, service, characteristic, &found)) {
	case CATALOGUE_FOUND:
		return found;
	case CATALOGUE_NOT_IN_MODEL:
		*why = "not in the model's catalogue: the value is sent as typed";
		return NULL;
	case CATALOGUE_NO_MODEL:
		break;
	}
	/* Else drivr-sim's MQTT extension, when the model carries it. */
	const struct component_model *m = store_find_component_model(store, c->component_model_uuid);
	bool has_catalogue = false;
	found = m ? from_extension(m, service, characteristic, held, &has_catalogue) : NULL;
	if (found)
		return found;
	if (has_catalogue) {
		*why = "not in the model's catalogue: the value is sent as typed";
		return NULL;
	}
	/* Nowhere: said with the session's reason, never skipped silently. */
	if (catalogue_session_state() == CATALOGUE_READY)
		*why = "validation off: the model is not in the platform's catalogue (GraphQL): the "
		       "value is sent as typed";
	else if (catalogue_session_state() == CATALOGUE_UNCONFIGURED)
		*why = "the model has no characteristic catalogue: the value is sent as typed";
	else
		*why = catalogue_session_off_reason();
	return NULL;
}

void action_token_call_init(struct action_token_call *c, const struct action_flow *f,
			    const struct request *q, long timeout_s)
{
	char url[512];
	graphql_endpoint(f->config->graphql_url, action_flow_slug(f), url, sizeof(url));
	c->url = xstrdup(url);
	c->token_file = f->config->user_token_file ? xstrdup(f->config->user_token_file) : NULL;
	c->body = xstrdup(q->payload);
	c->cafile = f->config->cafile ? xstrdup(f->config->cafile) : NULL;
	c->timeout_s = timeout_s;
}

void action_token_call_run(const struct action_token_call *c, struct graphql_token_result *out)
{
	char err[512];
	char *user = graphql_read_user_token(c->token_file, err, sizeof(err));
	if (!user) {
		memset(out, 0, sizeof(*out));
		out->error = xstrdup(err);
		return;
	}
	graphql_issue_token(c->url, user, c->body, c->cafile, c->timeout_s, out);
	secret_free(user);
}

void action_token_call_free(struct action_token_call *c)
{
	free(c->url);
	free(c->token_file);
	free(c->body);
	free(c->cafile);
	memset(c, 0, sizeof(*c));
}

enum jwt_status action_flow_check_jwt(const struct action_flow *f, const char *jwt,
				      struct jwt_info *info)
{
	size_t n = store_jwks_count(f->store);
	return jwt_check(jwt, n ? store_jwks_at(f->store, 0) : NULL, n, time_now(), info);
}
