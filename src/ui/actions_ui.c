/* actions_ui — see include/ui/actions_ui.h. */
#include "ui/actions_ui.h"

#include <cJSON.h>
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "alerts.h"
#include "audit.h"
#include "loadplan.h"
#include "graphql.h"
#include "jwt.h"
#include "offline.h"
#include "payload.h"
#include "ui/fmt.h"
#include "ui/form.h"
#include "util.h"

/* request->caller_flags */
enum { AUDITED = 1u << 0, ANNOUNCED = 1u << 1, LATE_AUDITED = 1u << 2, PINNED = 1u << 3 };

/* The GraphQL call's own time-out (seconds); the request's deadline is longer. */
#define TOKEN_CALL_TIMEOUT_S 20

/* One token call on its worker thread.  The worker reads the user API token
 * itself, so the secret never lives in the main thread's memory. */
struct token_job {
	struct token_job *next;
	pthread_t thread;
	int notify_fd; /* the pipe's write end */
	uint32_t request_id;
	char *url, *token_file, *body, *cafile;
	struct graphql_token_result result; /* written by the worker only */
};

/* A JWT waiting to be shown (once). */
struct jwt_shown {
	struct jwt_shown *next;
	char *jwt;
	char uuid[64], device[128], system[64];
	uint32_t request_id;
	char saved_to[512];
};

enum modal { MODAL_NONE, MODAL_SETPOINT, MODAL_ACK, MODAL_TOKEN, MODAL_JWT, MODAL_SAVE_JWT };

struct ui_actions {
	enum modal modal;
	struct form form;
	/* setpoint editor: the catalogue of the component's model, re-read on
	 * every check (its strings borrow from model_tree) */
	cJSON *model_tree;
	struct payload_catalogue catalogue;
	const struct payload_characteristic *ch;
	/* event acknowledgement */
	char ack_event[TOPIC_ID_MAX + 1], ack_system[TOPIC_ID_MAX + 1];
	/* tokens */
	int pipe[2];
	bool curl_ready;
	struct token_job *jobs;
	struct jwt_shown *jwts; /* the first is the one on screen */
	char *audit_path;
	/* audit lines not written: all of them (the exit status), those since
	 * the operator last acknowledged (the status bar), the last reason */
	unsigned audit_failed, audit_unacked;
	char audit_error[512];
	uint64_t seen_stamp; /* requests stamp of the last end-state scan */
	/* The outbox goes out once the platform's state has come (back) after
	 * a (re)connection and settled — a platform that publishes again has
	 * its subscriptions in place: wall clock times. */
	double subscribed_at, platform_at, pump_at;
};

static const char *const BOOLEANS[] = { "true", "false" };
static const char *const LIFETIMES[] = { "short-lived", "permanent" };

static double now_of(const struct ui *ui)
{
	return ui_clock(ui);
}

/* The domain's slug: the option, else the retained domain (replay). */
static const char *slug_of(const struct ui *ui)
{
	const struct domain *d = store_domain(ui->store);
	if (ui->config->slug)
		return ui->config->slug;
	return d && d->slug ? d->slug : "";
}

/* Before building a request: the slug may have arrived with the domain. */
static void sync_slug(struct ui *ui)
{
	if (!ui->config->slug)
		requests_set_slug(ui->requests, slug_of(ui));
}

/* ---- audit and end states ---------------------------------------------------- */

/* One audit line; false when it could not be written — counted, and shown
 * in the status bar until acknowledged (a notice alone would be overwritten
 * by the outcome's). */
static bool audit(struct ui *ui, const struct request *q, const char *outcome)
{
	struct ui_actions *a = ui->actions;
	char err[512];
	if (!a->audit_path) {
		snprintf(err, sizeof(err), "no path: set --audit-log, XDG_STATE_HOME or HOME");
	} else {
		char url[512];
		graphql_endpoint(ui->config->graphql_url, slug_of(ui), url, sizeof(url));
		/* The token body holds no secret: the user token travels as a header. */
		struct audit_entry e = { time_now(), ui->config->profile, request_kind_name(q->kind),
					 q->kind == REQUEST_TOKEN ? url : q->topic, q->payload, outcome,
					 q->id };
		if (audit_append(a->audit_path, &e, err, sizeof(err)))
			return true;
	}
	a->audit_failed++;
	a->audit_unacked++;
	snprintf(a->audit_error, sizeof(a->audit_error), "%s", err);
	return false;
}

bool actions_ui_audit_warning(const struct ui *ui, char *buf, size_t size)
{
	const struct ui_actions *a = ui->actions;
	if (!a || !a->audit_unacked)
		return false;
	snprintf(buf, size, " %s audit log: %u line%s not written (A: seen) ",
		 ui->scr.g->level[LEVEL_ERROR], a->audit_unacked, a->audit_unacked == 1 ? "" : "s");
	return true;
}

bool actions_ui_audit_ack(struct ui *ui)
{
	struct ui_actions *a = ui->actions;
	if (!a || !a->audit_unacked)
		return false;
	ui_notice(ui, "audit log: %.140s", a->audit_error);
	a->audit_unacked = 0;
	return true;
}

static void outcome_text(const struct request *q, char *buf, size_t size)
{
	snprintf(buf, size, "%s%s%s%s%s%s", request_state_name(q->state), q->detail ? ": " : "",
		 q->detail ? q->detail : "", q->error_code ? " [" : "", q->error_code ? q->error_code : "",
		 q->error_code ? "]" : "");
}

/* After anything that may have moved a request: one audit line and one
 * notice for each request that reached its end. */
static void settle(struct ui *ui)
{
	struct ui_actions *a = ui->actions;
	if (requests_stamp(ui->requests) == a->seen_stamp)
		return;
	a->seen_stamp = requests_stamp(ui->requests);
	size_t n = requests_count(ui->requests);
	for (size_t i = 0; i < n; i++) {
		struct request *q = (struct request *)requests_at(ui->requests, i);
		char outcome[1024];
		/* A system a request waits on is never evicted at a store cap
		 * (--max-memory) until the request ends. */
		if (!request_state_final(q->state) && !(q->caller_flags & PINNED) && q->system_uuid &&
		    store_find_system(ui->store, q->system_uuid) && /* no stub for a typo */
		    store_pin_system(ui->store, q->system_uuid))
			q->caller_flags |= PINNED;
		if (request_state_final(q->state) && (q->caller_flags & PINNED)) {
			store_unpin_system(ui->store, q->system_uuid);
			q->caller_flags &= ~(unsigned)PINNED;
		}
		if (request_state_final(q->state) && !(q->caller_flags & AUDITED)) {
			outcome_text(q, outcome, sizeof(outcome));
			bool logged = audit(ui, q, outcome);
			q->caller_flags |= AUDITED;
			ui_notice(ui, "#%u %s: %s%s", q->id, q->summary ? q->summary : "", outcome,
				  logged ? "" : " — NOT in the audit log");
		}
		/* The answer after the time-out: a second line, the first stays. */
		if (q->late && !(q->caller_flags & LATE_AUDITED)) {
			char late[1100];
			outcome_text(q, outcome, sizeof(outcome));
			snprintf(late, sizeof(late), "late: %s", outcome);
			bool logged = audit(ui, q, late);
			q->caller_flags |= LATE_AUDITED;
			ui_notice(ui, "#%u %s: %s%s", q->id, q->summary ? q->summary : "", late,
				  logged ? "" : " — NOT in the audit log");
		}
	}
}

/* ---- the observer and the transport --------------------------------------------- */

static void observe(void *ctx, const struct message_meta *msg, const struct topic_match *match,
		    const struct decode_result *result)
{
	struct ui *ui = ctx;
	(void)msg;
	/* the platform's own topics (its retained state, answers), retained or
	 * forwarded live after a broker restart: not the devices' stream */
	if (match->family < TOPIC_UNCLASSIFIED && topic_family_direction(match->family) == TOPIC_SUB) {
		struct ui_actions *a = ui->actions;
		bool first = a->platform_at < a->subscribed_at;
		a->platform_at = time_now();
		if (first && requests_next_queued(ui->requests))
			a->pump_at = a->platform_at + ui->config->settle;
	}
	struct request *q = requests_observe(ui->requests, match, result, now_of(ui));
	if (q && q->state == REQUEST_ERROR && match->family == TOPIC_ERROR_REPLY &&
	    store_errors_count(ui->store) > 0) {
		/* store_apply made the record just before: the newest one */
		const struct error_record *r = store_error_at(ui->store, 0);
		if (r->kind == ERROR_RECORD_REPLY)
			q->error_record = r->seq;
	}
	if (q)
		settle(ui);
}

void actions_ui_init(struct ui *ui)
{
	struct ui_actions *a = xcalloc(1, sizeof(*a));
	a->pipe[0] = a->pipe[1] = -1;
	a->audit_path = ui->config->audit_log ? xstrdup(ui->config->audit_log) : audit_default_path();
	ui->actions = a;
	ui->requests = requests_new(ui->topics, slug_of(ui));
	ui->read_only = ui->config->read_only;
	ui->ingest.observer = observe;
	ui->ingest.observer_ctx = ui;
}

static void close_catalogue(struct ui_actions *a)
{
	payload_catalogue_free(&a->catalogue);
	memset(&a->catalogue, 0, sizeof(a->catalogue));
	cJSON_Delete(a->model_tree);
	a->model_tree = NULL;
	a->ch = NULL;
}

static void jwt_drop(struct ui_actions *a)
{
	struct jwt_shown *j = a->jwts;
	if (!j)
		return;
	a->jwts = j->next;
	memset(j->jwt, 0, strlen(j->jwt)); /* shown once: not kept */
	free(j->jwt);
	free(j);
}

static void job_free(struct token_job *job)
{
	if (job->result.jwt)
		memset(job->result.jwt, 0, strlen(job->result.jwt));
	graphql_token_result_free(&job->result);
	free(job->url);
	free(job->token_file);
	free(job->body);
	free(job->cafile);
	free(job);
}

unsigned actions_ui_free(struct ui *ui)
{
	struct ui_actions *a = ui->actions;
	if (!a)
		return 0;
	/* Token calls still running: wait (each is bounded by its time-out). */
	while (a->jobs) {
		struct token_job *job = a->jobs;
		a->jobs = job->next;
		pthread_join(job->thread, NULL);
		struct request *q = requests_find(ui->requests, job->request_id);
		if (q)
			requests_token_response(ui->requests, q, job->result.uuid, job->result.error,
						now_of(ui));
		job_free(job);
	}
	settle(ui);
	/* One line for what never reached its end. */
	size_t n = requests_count(ui->requests);
	for (size_t i = 0; i < n; i++) {
		struct request *q = (struct request *)requests_at(ui->requests, i);
		if (q->caller_flags & AUDITED)
			continue;
		char outcome[1024];
		snprintf(outcome, sizeof(outcome), "pending at exit: %s%s",
			 request_state_name(q->state),
			 q->state == REQUEST_QUEUED ? " (never sent: it was in the outbox)" : "");
		audit(ui, q, outcome);
		q->caller_flags |= AUDITED;
	}
	while (a->jwts)
		jwt_drop(a);
	close_catalogue(a);
	if (a->pipe[0] >= 0) {
		close(a->pipe[0]);
		close(a->pipe[1]);
	}
	if (a->curl_ready)
		curl_global_cleanup();
	unsigned failed = a->audit_failed;
	if (failed)
		fprintf(stderr, "drivr-console: %u audit line%s could not be written (the last: %s)\n",
			failed, failed == 1 ? "" : "s", a->audit_error);
	free(a->audit_path);
	free(a);
	ui->actions = NULL;
	requests_free(ui->requests);
	ui->requests = NULL;
	return failed;
}

void actions_ui_transport(struct ui *ui, const struct inbox_item *item)
{
	switch (item->kind) {
	case INBOX_DELIVERED:
		requests_on_delivered(ui->requests, item->u.delivery.token, now_of(ui));
		break;
	case INBOX_PUBLISH_FAILED:
		/* final: never re-sent automatically */
		requests_on_publish_failed(ui->requests, item->u.delivery.token, item->u.delivery.reason,
					   now_of(ui));
		break;
	case INBOX_SUBSCRIBED:
		if (!item->u.subscribed.batch) /* staged batches: the plan says when */
			ui->actions->subscribed_at = time_now();
		return;
	default:
		return;
	}
	settle(ui);
}

static bool ready(const struct ui *ui)
{
	if (!ui->mqtt || ui->status.state != MQTT_STATE_CONNECTED || !ui->status.subscribed)
		return false;
	if (!ui->plan)
		return true;
	/* Staged: the plan says (a refusal is on the status bar). */
	return load_plan_usable(ui->plan);
}

void actions_ui_pump(struct ui *ui)
{
	struct ui_actions *a = ui->actions;
	if (!ready(ui) || !requests_next_queued(ui->requests))
		return;
	/* just (re)connected: the platform's state must be back (an empty
	 * broker just restarted: the platform is not listening yet) and have
	 * settled — the staged load's verdict says both (ready()) */
	if (!ui->plan && a->platform_at < a->subscribed_at) {
		a->pump_at = 0; /* the next retained message pumps again */
		return;
	}
	double quiet = a->platform_at + ui->config->settle;
	if (!ui->plan && time_now() < quiet) {
		a->pump_at = quiet;
		return;
	}
	a->pump_at = 0;
	struct request *q;
	while ((q = requests_next_queued(ui->requests))) {
		int token = 0;
		char err[256];
		enum mqtt_error e = mqtt_publish(ui->mqtt, q->topic, q->payload, q->payload_len, false,
						 &token, err, sizeof(err));
		if (e == MQTT_ERR_NOT_READY)
			break; /* stays in the outbox */
		if (e == MQTT_OK)
			requests_mark_sent(ui->requests, q, token, now_of(ui));
		else
			requests_fail(ui->requests, q, err, now_of(ui));
	}
	settle(ui);
}

double actions_ui_tick(struct ui *ui)
{
	struct ui_actions *a = ui->actions;
	if (a->pump_at > 0 && time_now() >= a->pump_at)
		actions_ui_pump(ui);
	double next = requests_tick(ui->requests, now_of(ui));
	settle(ui);
	if (a->pump_at > 0 && (next <= 0 || a->pump_at < next))
		next = a->pump_at;
	return next;
}

int actions_ui_fd(const struct ui *ui)
{
	return ui->actions ? ui->actions->pipe[0] : -1;
}

bool actions_ui_modal(const struct ui *ui)
{
	return ui->actions && ui->actions->modal != MODAL_NONE;
}

static bool allowed(struct ui *ui, const char *what)
{
	if (!ui->read_only)
		return true;
	ui_notice(ui, "read-only: %s is off (--read-only)", what);
	return false;
}

static void close_modal(struct ui *ui)
{
	struct ui_actions *a = ui->actions;
	a->modal = a->jwts ? MODAL_JWT : MODAL_NONE;
	close_catalogue(a);
}

/* ---- shared bits -------------------------------------------------------------- */

static const struct system *find_system(const struct store *st, const char *id)
{
	if (!id || !*id)
		return NULL;
	const struct system *s = store_find_system(st, id);
	if (s)
		return s;
	/* datapoints may name their system by code */
	size_t n = store_systems_count(st);
	for (size_t i = 0; i < n; i++) {
		s = store_system_at(st, i);
		if (!s->meta.deleted && s->code && strcmp(s->code, id) == 0)
			return s;
	}
	return NULL;
}

/* offline: the target's DISCONNECTED warning (offline.h), or NULL. */
static void where_it_goes(struct form *f, const struct ui *ui, const char *view,
			  const char *offline)
{
	if (offline && ready(ui))
		form_preview_add(f, UI_ROLE_ALERT_WARNING,
				 "Connected: it goes out now, but %s. Its state shows in the %s view "
				 "and the Requests view (0).",
				 offline, view);
	else if (offline)
		form_preview_add(f, UI_ROLE_ALERT_WARNING,
				 "Not connected: it waits in the outbox (Requests view, 0) and goes out "
				 "on reconnect; and %s.",
				 offline);
	else if (ready(ui))
		form_preview_add(f, UI_ROLE_MUTED,
				 "Connected: it goes out now; its state shows in the %s view and the "
				 "Requests view (0) until the end.",
				 view);
	else
		form_preview_add(f, UI_ROLE_ALERT_WARNING,
				 "Not connected: it waits in the outbox (Requests view, 0) and goes out "
				 "on reconnect.");
}

static void preview_payload(struct form *f, const char *topic, const char *payload, size_t len)
{
	form_preview_add(f, UI_ROLE_HELP_KEY, "Publish (QoS 1, not retained) to");
	form_preview_add(f, UI_ROLE_VALUE, "%s", topic);
	form_preview_add(f, UI_ROLE_HELP_KEY, "Payload (JSON, %zu bytes)", len);
	form_preview_add(f, UI_ROLE_VALUE, "%s", payload);
	form_preview_add(f, UI_ROLE_HELP, "%s", "");
}

/* ---- the setpoint editor -------------------------------------------------------- */

enum { SP_SYSTEM, SP_COMPONENT, SP_SERVICE, SP_CHAR, SP_VALUE };

/* The characteristic from the component model's catalogue, or NULL. */
static const struct payload_characteristic *lookup(struct ui *ui, const char *system,
						   const char *component, const char *service,
						   const char *characteristic, const char **why)
{
	struct ui_actions *a = ui->actions;
	close_catalogue(a);
	const struct system *s = find_system(ui->store, system);
	const struct component *c =
		s ? store_find_component(ui->store, s->uuid, component) : NULL;
	if (!c) {
		*why = "component not known here: no catalogue, the value is sent as typed";
		return NULL;
	}
	const struct component_model *m =
		c->component_model_uuid ? store_find_component_model(ui->store, c->component_model_uuid)
					: NULL;
	if (!m || !m->meta.raw.bytes || m->meta.raw.truncated) {
		*why = "the component's model is not known here: the value is sent as typed";
		return NULL;
	}
	a->model_tree = cJSON_ParseWithLength(m->meta.raw.bytes, m->meta.raw.len);
	if (!a->model_tree || !payload_catalogue_read(a->model_tree, &a->catalogue)) {
		*why = "the model has no characteristic catalogue: the value is sent as typed";
		return NULL;
	}
	for (size_t i = 0; i < a->catalogue.service_count; i++) {
		const struct payload_service *svc = &a->catalogue.services[i];
		if (!svc->code || strcmp(svc->code, service) != 0)
			continue;
		for (size_t k = 0; k < svc->characteristic_count; k++)
			if (svc->characteristics[k].code &&
			    strcmp(svc->characteristics[k].code, characteristic) == 0)
				return a->ch = &svc->characteristics[k];
	}
	*why = "not in the model's catalogue: the value is sent as typed";
	return NULL;
}

static void describe(const struct payload_characteristic *c, char *buf, size_t size)
{
	size_t n = (size_t)snprintf(buf, size, "%s %s%s%s", payload_characteristic_kind_name(c->kind),
				    payload_data_type_name(c->data_type), c->symbol ? " in " : "",
				    c->symbol ? c->symbol : "");
	if (!isnan(c->min) && n < size)
		n += (size_t)snprintf(buf + n, size - n, ", min %g", c->min);
	if (!isnan(c->max) && n < size)
		n += (size_t)snprintf(buf + n, size - n, ", max %g", c->max);
	if (!isnan(c->step) && n < size)
		n += (size_t)snprintf(buf + n, size - n, ", step %g", c->step);
	for (size_t i = 0; i < c->valid_value_count && n < size; i++)
		n += (size_t)snprintf(buf + n, size - n, "%s%s", i ? " " : ": ", c->valid_values[i]);
}

static void sp_check(struct form *f)
{
	struct ui *ui = f->ctx;
	struct form_field *fs = f->fields;
	for (size_t i = 0; i < f->count; i++)
		fs[i].note[0] = fs[i].error[0] = fs[i].ok[0] = '\0';
	const struct system *s = find_system(ui->store, fs[SP_SYSTEM].text);
	if (s)
		snprintf(fs[SP_SYSTEM].note, sizeof(fs[SP_SYSTEM].note), "%s",
			 fmt_system_name(ui->store, s->uuid));
	else if (fs[SP_SYSTEM].text[0])
		snprintf(fs[SP_SYSTEM].note, sizeof(fs[SP_SYSTEM].note),
			 "not a system known here: the platform will decide");
	const char *why = NULL;
	const struct payload_characteristic *c =
		lookup(ui, fs[SP_SYSTEM].text, fs[SP_COMPONENT].text, fs[SP_SERVICE].text,
		       fs[SP_CHAR].text, &why);
	struct form_field *v = &fs[SP_VALUE];
	v->choices = NULL;
	v->choice_count = 0;
	if (c) {
		describe(c, fs[SP_CHAR].note, sizeof(fs[SP_CHAR].note));
		if (c->kind != CHARACTERISTIC_SETTING)
			snprintf(fs[SP_CHAR].error, sizeof(fs[SP_CHAR].error),
				 "a measurement: setpoints need a SETTING");
		if (c->data_type == DATA_TYPE_SELECT) {
			v->choices = c->valid_values;
			v->choice_count = c->valid_value_count;
		} else if (c->data_type == DATA_TYPE_BOOLEAN) {
			v->choices = BOOLEANS;
			v->choice_count = 2;
		}
	} else {
		snprintf(fs[SP_CHAR].note, sizeof(fs[SP_CHAR].note), "%s", why);
	}
	/* the current value, when the store has the series */
	const struct series *cur =
		store_find_series(ui->store, fs[SP_SYSTEM].text, fs[SP_COMPONENT].text,
				  fs[SP_SERVICE].text, fs[SP_CHAR].text);
	if (!cur && s && s->code)
		cur = store_find_series(ui->store, s->code, fs[SP_COMPONENT].text, fs[SP_SERVICE].text,
					fs[SP_CHAR].text);
	if (cur && cur->live) {
		char val[128], age[16];
		fmt_value(&cur->last, val, sizeof(val));
		fmt_age(ui->now, cur->received_at, age, sizeof(age));
		snprintf(v->note, sizeof(v->note), "reported now: %s%s%s (%s ago)", val,
			 c && c->symbol ? " " : "", c && c->symbol ? c->symbol : "", age);
	}
	if (!v->text[0]) {
		snprintf(v->error, sizeof(v->error), "type a value");
		return;
	}
	struct value parsed;
	cJSON *json = NULL;
	char err[256];
	if (!requests_parse_value(v->text, c, &parsed, &json, err, sizeof(err))) {
		snprintf(v->error, sizeof(v->error), "%s", err);
		return;
	}
	cJSON_Delete(json);
	const char *type = parsed.type == VALUE_NUMBER ? (parsed.is_integer ? "integer" : "number")
			   : parsed.type == VALUE_BOOL ? "boolean"
			   : parsed.type == VALUE_JSON ? "JSON"
						       : "text";
	snprintf(v->ok, sizeof(v->ok), "%.120s%s%.16s (%s)%s", v->text, c && c->symbol ? " " : "",
		 c && c->symbol ? c->symbol : "", type, c ? "" : ", not checked against a catalogue");
}

static void sp_draft(struct form *f, struct setpoint_draft *d, const struct ui *ui)
{
	const struct system *s = find_system(ui->store, f->fields[SP_SYSTEM].text);
	memset(d, 0, sizeof(*d));
	/* the topic needs the system's uuid even when the row named its code */
	d->system_uuid = s ? s->uuid : f->fields[SP_SYSTEM].text;
	d->component_code = f->fields[SP_COMPONENT].text;
	d->service_code = f->fields[SP_SERVICE].text;
	d->characteristic_code = f->fields[SP_CHAR].text;
	d->value_text = f->fields[SP_VALUE].text;
	d->characteristic = ui->actions->ch;
	d->format = FORMAT_JSON;
}

static bool sp_preview(struct form *f)
{
	struct ui *ui = f->ctx;
	struct setpoint_draft d;
	sp_draft(f, &d, ui);
	char err[256], *topic = NULL, *payload = NULL;
	size_t len = 0;
	if (!requests_preview_setpoint(ui->requests, &d, &topic, &payload, &len, err, sizeof(err))) {
		snprintf(f->status, sizeof(f->status), "Refused before sending: %.200s", err);
		return false;
	}
	const char *sym = d.characteristic && d.characteristic->symbol ? d.characteristic->symbol : "";
	form_preview_add(f, UI_ROLE_HELP, "Set %s/%s/%s of %s to %s%s%s", d.component_code,
			 d.service_code, d.characteristic_code, fmt_system_name(ui->store, d.system_uuid),
			 d.value_text, *sym ? " " : "", sym);
	form_preview_add(f, UI_ROLE_HELP, "%s", "");
	preview_payload(f, topic, payload, len);
	char offline[512];
	bool off = offline_setpoint_warning(ui->store, d.system_uuid, d.component_code, offline,
					    sizeof(offline));
	where_it_goes(f, ui, "Setpoints", off ? offline : NULL);
	free(topic);
	free(payload);
	return true;
}

static void sp_submit(struct ui *ui)
{
	struct form *f = &ui->actions->form;
	struct setpoint_draft d;
	sp_check(f); /* the catalogue again: the store may have moved */
	sp_draft(f, &d, ui);
	char err[256];
	struct request *q = requests_add_setpoint(ui->requests, &d, now_of(ui), err, sizeof(err));
	if (!q) {
		snprintf(f->status, sizeof(f->status), "Refused before sending: %.200s", err);
		f->step = FORM_EDIT;
		return;
	}
	close_modal(ui);
	actions_ui_pump(ui);
	ui_notice(ui, "#%u %s: %s", q->id, q->summary,
		  q->state == REQUEST_QUEUED ? "in the outbox until the connection is back" : "sent");
}

void actions_ui_edit_setpoint(struct ui *ui, const struct setpoint_prefill *p)
{
	sync_slug(ui);
	if (!allowed(ui, "the setpoint editor") || actions_ui_modal(ui))
		return;
	struct ui_actions *a = ui->actions;
	struct form *f = &a->form;
	form_init(f, "Set a setpoint", ui);
	form_add(f, "System", p->system_uuid);
	form_add(f, "Component", p->component);
	form_add(f, "Service", p->service);
	form_add(f, "Characteristic", p->characteristic);
	form_add(f, "Value", p->value);
	f->check = sp_check;
	f->preview_fill = sp_preview;
	f->confirm_what = "send";
	/* prefilled from the row: start on the value */
	form_focus(f, SP_VALUE);
	/* a system known by code: the uuid goes in the field */
	const struct system *s = find_system(ui->store, p->system_uuid);
	if (s)
		snprintf(f->fields[SP_SYSTEM].text, sizeof(f->fields[SP_SYSTEM].text), "%s", s->uuid);
	a->modal = MODAL_SETPOINT;
	sp_check(f);
}

/* ---- event acknowledgement -------------------------------------------------------- */

void actions_ui_ack_event(struct ui *ui, const struct event *e)
{
	if (!allowed(ui, "event acknowledgement") || actions_ui_modal(ui))
		return;
	if (!e || !e->uuid) {
		ui_notice(ui, "no event selected");
		return;
	}
	if (e->acknowledged) {
		ui_notice(ui, "this event is already acknowledged");
		return;
	}
	const struct request *pending = actions_ui_request_for_event(ui, e->uuid);
	if (pending && !request_state_final(pending->state)) {
		ui_notice(ui, "#%u already acknowledges this event (%s)", pending->id,
			  request_state_name(pending->state));
		return;
	}
	sync_slug(ui);
	struct ui_actions *a = ui->actions;
	snprintf(a->ack_event, sizeof(a->ack_event), "%s", e->uuid);
	snprintf(a->ack_system, sizeof(a->ack_system), "%s", e->system_uuid ? e->system_uuid : "");
	/* The same builder as the request: a scratch request list, never sent. */
	struct requests *scratch = requests_new(ui->topics, slug_of(ui));
	char err[256];
	struct request *q = requests_add_event_ack(scratch, e->system_uuid, e->uuid, now_of(ui), err,
						   sizeof(err));
	if (!q) {
		ui_notice(ui, "cannot acknowledge: %s", err);
		requests_free(scratch);
		return;
	}
	struct form *f = &a->form;
	form_init(f, "Acknowledge an event", ui);
	f->confirm_what = "acknowledge";
	const struct event_model *m =
		e->event_model_uuid ? store_find_event_model(ui->store, e->event_model_uuid) : NULL;
	char level[32], entity[256], start[40];
	fmt_level(ui->scr.g, store_event_level(ui->store, e), level, sizeof(level));
	fmt_event_entity(ui->store, e, entity, sizeof(entity));
	fmt_time(e->time, start, sizeof(start));
	form_preview_add(f, UI_ROLE_HELP, "%s  %s  %s", level, m && m->code ? m->code : "?",
			 m && m->message ? m->message : "");
	form_preview_add(f, UI_ROLE_HELP, "on %s, since %s UTC, %s", entity, start,
			 e->status ? e->status : "");
	form_preview_add(f, UI_ROLE_HELP, "%s", "");
	preview_payload(f, q->topic, q->payload, q->payload_len);
	where_it_goes(f, ui, "Events", NULL);
	form_show_preview(f);
	requests_free(scratch);
	a->modal = MODAL_ACK;
}

/* Active events in the alert pane's order. */
void actions_ui_ack_top_alert(struct ui *ui)
{
	size_t idx[64];
	size_t n = alerts_active(ui->store, idx, ARRAY_LEN(idx), NULL);
	for (size_t i = 0; i < n; i++) {
		const struct event *e = store_event_at(ui->store, idx[i]);
		if (e->acknowledged)
			continue;
		const struct request *q = actions_ui_request_for_event(ui, e->uuid);
		if (q && !request_state_final(q->state))
			continue;
		actions_ui_ack_event(ui, e);
		return;
	}
	if (allowed(ui, "event acknowledgement"))
		ui_notice(ui, "no unacknowledged alert");
}

static void ack_submit(struct ui *ui)
{
	struct ui_actions *a = ui->actions;
	char err[256];
	struct request *q = requests_add_event_ack(ui->requests, a->ack_system[0] ? a->ack_system : NULL,
						   a->ack_event, now_of(ui), err, sizeof(err));
	close_modal(ui);
	if (!q) {
		ui_notice(ui, "cannot acknowledge: %s", err);
		return;
	}
	actions_ui_pump(ui);
	ui_notice(ui, "#%u %s: %s", q->id, q->summary,
		  q->state == REQUEST_QUEUED ? "in the outbox until the connection is back" : "sent");
}

/* ---- Local API Tokens --------------------------------------------------------------- */

enum { TK_SYSTEM, TK_DEVICE, TK_LIFETIME, TK_DURATION };

/* 1D, 12H, 30M, 45S, 2W, plain seconds, or ISO-8601 P... */
static bool duration_ok(const char *d)
{
	size_t n = strlen(d), digits = strspn(d, "0123456789");
	if (n == 0)
		return false;
	if (digits == n)
		return true;
	if (digits > 0 && digits + 1 == n && strchr("SMHDWsmhdw", d[n - 1]))
		return true;
	if (d[0] == 'P' && n > 1)
		return strspn(d + 1, "0123456789TYMWDHS.") == n - 1;
	return false;
}

static bool permanent(const struct form *f)
{
	return strcmp(f->fields[TK_LIFETIME].text, "permanent") == 0;
}

static void tk_check(struct form *f)
{
	struct ui *ui = f->ctx;
	struct form_field *fs = f->fields;
	for (size_t i = 0; i < f->count; i++)
		fs[i].note[0] = fs[i].error[0] = fs[i].ok[0] = '\0';
	const struct system *s = find_system(ui->store, fs[TK_SYSTEM].text);
	if (s) {
		const struct token_list *l = store_find_token_list(ui->store, s->uuid);
		snprintf(fs[TK_SYSTEM].note, sizeof(fs[TK_SYSTEM].note), "%s, %zu token%s now",
			 fmt_system_name(ui->store, s->uuid), l ? l->count : 0,
			 l && l->count == 1 ? "" : "s");
	} else if (fs[TK_SYSTEM].text[0]) {
		snprintf(fs[TK_SYSTEM].note, sizeof(fs[TK_SYSTEM].note),
			 "not a system known here: the platform will decide");
	} else {
		snprintf(fs[TK_SYSTEM].error, sizeof(fs[TK_SYSTEM].error), "the system's uuid");
	}
	if (!fs[TK_DEVICE].text[0])
		snprintf(fs[TK_DEVICE].error, sizeof(fs[TK_DEVICE].error),
			 "the device the token is for, e.g. smart-bulb");
	snprintf(fs[TK_LIFETIME].note, sizeof(fs[TK_LIFETIME].note), "%s",
		 permanent(f) ? "never expires: revoke it when the device goes"
			      : "expires after the duration");
	fs[TK_DURATION].readonly = permanent(f);
	if (permanent(f))
		snprintf(fs[TK_DURATION].note, sizeof(fs[TK_DURATION].note), "(permanent: none)");
	else if (!duration_ok(fs[TK_DURATION].text))
		snprintf(fs[TK_DURATION].error, sizeof(fs[TK_DURATION].error),
			 "1D, 12H, 30M, 45S, 2W, seconds, or ISO-8601 like P1DT2H");
	else
		snprintf(fs[TK_DURATION].note, sizeof(fs[TK_DURATION].note),
			 "1D, 12H, 30M, 45S, 2W, seconds, or ISO-8601 like P1DT2H");
}

/* Where the worker will find the user API token, without reading it. */
static bool user_token_source(const struct ui *ui, char *buf, size_t size)
{
	const char *file = ui->config->user_token_file;
	if (file) {
		if (access(file, R_OK) != 0) {
			snprintf(buf, size, "--user-token-file %s: %s", file, strerror(errno));
			return false;
		}
		snprintf(buf, size, "the user API token of %s", file);
		return true;
	}
	const char *env = getenv("DRIVR_USER_TOKEN");
	if (env && *env) {
		snprintf(buf, size, "the user API token of $DRIVR_USER_TOKEN");
		return true;
	}
	snprintf(buf, size, "no user API token: start with --user-token-file FILE or set DRIVR_USER_TOKEN");
	return false;
}

static struct request *tk_build(struct ui *ui, struct requests *into, char *err, size_t size)
{
	struct form *f = &ui->actions->form;
	tk_check(f);
	for (size_t i = 0; i < f->count; i++)
		if (f->fields[i].error[0] && !f->fields[i].readonly) {
			snprintf(err, size, "%s: %s", f->fields[i].label, f->fields[i].error);
			return NULL;
		}
	const struct system *s = find_system(ui->store, f->fields[TK_SYSTEM].text);
	struct token_draft d = { s ? s->uuid : f->fields[TK_SYSTEM].text, f->fields[TK_DEVICE].text,
				 permanent(f) ? NULL : f->fields[TK_DURATION].text };
	return requests_add_token(into, &d, now_of(ui), err, size);
}

static bool tk_preview(struct form *f)
{
	struct ui *ui = f->ctx;
	char err[512], source[600], url[512];
	if (!user_token_source(ui, source, sizeof(source))) {
		snprintf(f->status, sizeof(f->status), "%.250s", source);
		return false;
	}
	/* the same builder as the request: a scratch list, never sent */
	struct requests *scratch = requests_new(ui->topics, slug_of(ui));
	struct request *q = tk_build(ui, scratch, err, sizeof(err));
	if (!q) {
		snprintf(f->status, sizeof(f->status), "Refused before sending: %.200s", err);
		requests_free(scratch);
		return false;
	}
	graphql_endpoint(ui->config->graphql_url, slug_of(ui), url, sizeof(url));
	form_preview_add(f, UI_ROLE_HELP, "Issue a %s Local API Token for \"%s\" on %s",
			 permanent(f) ? "permanent" : f->fields[TK_DURATION].text,
			 f->fields[TK_DEVICE].text, fmt_system_name(ui->store, q->system_uuid));
	form_preview_add(f, UI_ROLE_HELP, "%s", "");
	form_preview_add(f, UI_ROLE_HELP_KEY, "POST (GraphQL over HTTPS) to");
	form_preview_add(f, UI_ROLE_VALUE, "%s", url);
	form_preview_add(f, UI_ROLE_HELP_KEY, "Authorization");
	form_preview_add(f, UI_ROLE_MUTED, "Bearer: %s (never shown, never logged)", source);
	char loose[600];
	if (graphql_user_token_file_warning(ui->config->user_token_file, loose, sizeof(loose)))
		form_preview_add(f, UI_ROLE_ALERT_WARNING, "%s", loose);
	form_preview_add(f, UI_ROLE_HELP_KEY, "Body (%zu bytes)", q->payload_len);
	form_preview_add(f, UI_ROLE_VALUE, "%s", q->payload);
	form_preview_add(f, UI_ROLE_HELP, "%s", "");
	form_preview_add(f, UI_ROLE_MUTED, "The JWT is shown once; the request is confirmed when the "
					   "token appears in the system's token list.");
	requests_free(scratch);
	return true;
}

static void *token_worker(void *arg)
{
	struct token_job *job = arg;
	char err[512];
	char *user = graphql_read_user_token(job->token_file, err, sizeof(err));
	if (!user) {
		job->result.error = xstrdup(err);
	} else {
		graphql_issue_token(job->url, user, job->body, job->cafile, TOKEN_CALL_TIMEOUT_S,
				    &job->result);
		memset(user, 0, strlen(user));
		free(user);
	}
	/* hand the job back: one pointer, an atomic write to the pipe */
	ssize_t w;
	do
		w = write(job->notify_fd, &job, sizeof(job));
	while (w < 0 && errno == EINTR);
	return NULL;
}

static bool start_worker(struct ui *ui, struct request *q, char *err, size_t size)
{
	struct ui_actions *a = ui->actions;
	if (a->pipe[0] < 0) {
		if (pipe(a->pipe) < 0) {
			snprintf(err, size, "pipe: %s", strerror(errno));
			return false;
		}
		for (int i = 0; i < 2; i++)
			fcntl(a->pipe[i], F_SETFD, FD_CLOEXEC);
		fcntl(a->pipe[0], F_SETFL, O_NONBLOCK);
	}
	if (!a->curl_ready) {
		/* not thread-safe: once, here, before any worker */
		if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
			snprintf(err, size, "cannot initialise libcurl");
			return false;
		}
		a->curl_ready = true;
	}
	struct token_job *job = xcalloc(1, sizeof(*job));
	char url[512];
	graphql_endpoint(ui->config->graphql_url, slug_of(ui), url, sizeof(url));
	job->notify_fd = a->pipe[1];
	job->request_id = q->id;
	job->url = xstrdup(url);
	job->token_file = ui->config->user_token_file ? xstrdup(ui->config->user_token_file) : NULL;
	job->body = xstrdup(q->payload);
	job->cafile = ui->config->cafile ? xstrdup(ui->config->cafile) : NULL;
	int rc = pthread_create(&job->thread, NULL, token_worker, job);
	if (rc != 0) {
		snprintf(err, size, "cannot start the token call: %s", strerror(rc));
		job_free(job);
		return false;
	}
	job->next = a->jobs;
	a->jobs = job;
	return true;
}

static void tk_submit(struct ui *ui)
{
	struct form *f = &ui->actions->form;
	char err[512];
	struct request *q = tk_build(ui, ui->requests, err, sizeof(err));
	if (!q) {
		snprintf(f->status, sizeof(f->status), "Refused before sending: %.200s", err);
		f->step = FORM_EDIT;
		return;
	}
	close_modal(ui);
	requests_mark_sent(ui->requests, q, 0, now_of(ui));
	if (!start_worker(ui, q, err, sizeof(err))) {
		requests_fail(ui->requests, q, err, now_of(ui));
		settle(ui);
		return;
	}
	ui_notice(ui, "#%u %s: asking the GraphQL endpoint...", q->id, q->summary);
}

void actions_ui_new_token(struct ui *ui, const char *system_uuid)
{
	sync_slug(ui);
	if (!allowed(ui, "token issuance") || actions_ui_modal(ui))
		return;
	struct ui_actions *a = ui->actions;
	struct form *f = &a->form;
	form_init(f, "Issue a Local API Token", ui);
	form_add(f, "System", system_uuid);
	form_add(f, "Requested device", "");
	struct form_field *life = form_add(f, "Lifetime", "short-lived");
	life->choices = LIFETIMES;
	life->choice_count = ARRAY_LEN(LIFETIMES);
	form_add(f, "Duration", "1D");
	f->check = tk_check;
	f->preview_fill = tk_preview;
	f->confirm_what = "issue the token";
	form_focus(f, system_uuid && *system_uuid ? TK_DEVICE : TK_SYSTEM);
	a->modal = MODAL_TOKEN;
	tk_check(f);
}

void actions_ui_collect(struct ui *ui)
{
	struct ui_actions *a = ui->actions;
	struct token_job *job;
	ssize_t n;
	while ((n = read(a->pipe[0], &job, sizeof(job))) == (ssize_t)sizeof(job)) {
		for (struct token_job **p = &a->jobs; *p; p = &(*p)->next)
			if (*p == job) {
				*p = job->next;
				break;
			}
		pthread_join(job->thread, NULL);
		struct request *q = requests_find(ui->requests, job->request_id);
		if (q)
			requests_token_response(ui->requests, q, job->result.uuid, job->result.error,
						now_of(ui));
		if (job->result.jwt) {
			struct jwt_shown *j = xcalloc(1, sizeof(*j));
			j->jwt = job->result.jwt;
			job->result.jwt = NULL;
			snprintf(j->uuid, sizeof(j->uuid), "%s", job->result.uuid ? job->result.uuid : "?");
			j->request_id = job->request_id;
			if (q && q->summary)
				snprintf(j->device, sizeof(j->device), "%s", q->summary);
			if (q && q->system_uuid)
				snprintf(j->system, sizeof(j->system), "%s", q->system_uuid);
			struct jwt_shown **tail = &a->jwts;
			while (*tail)
				tail = &(*tail)->next;
			*tail = j;
			if (a->modal == MODAL_NONE)
				a->modal = MODAL_JWT;
		} else if (job->result.error) {
			ui_notice(ui, "#%u token refused: %s", job->request_id, job->result.error);
		}
		job_free(job);
	}
	settle(ui);
}

/* ---- the JWT, shown once ------------------------------------------------------------ */

static void jwt_draw(struct ui *ui)
{
	struct jwt_shown *j = ui->actions->jwts;
	if (!j)
		return;
	size_t nk = store_jwks_count(ui->store);
	struct jwt_info info;
	enum jwt_status st =
		jwt_check(j->jwt, nk ? store_jwks_at(ui->store, 0) : NULL, nk, time_now(), &info);
	char head[512], check[512], expiry[96] = "never (permanent)", saved[600] = "";
	snprintf(head, sizeof(head), "#%u %s, on %s: token %s", j->request_id, j->device,
		 fmt_system_name(ui->store, j->system), j->uuid);
	if (info.exp != TIME_UNKNOWN)
		fmt_countdown(time_now(), info.exp, expiry, sizeof(expiry));
	snprintf(check, sizeof(check), "Signature against the domain's JWKS: %s (%s, kid %s); expires %s",
		 jwt_status_name(st), info.alg[0] ? info.alg : "?", info.kid[0] ? info.kid : "?", expiry);
	jwt_info_free(&info);
	if (j->saved_to[0])
		snprintf(saved, sizeof(saved), "Written to %s (mode 0600).", j->saved_to);
	struct box_line lines[] = {
		{ head, UI_ROLE_HELP },
		{ check, st == JWT_VALID ? UI_ROLE_ALERT_SUCCESS : UI_ROLE_ALERT_ERROR },
		{ "", UI_ROLE_HELP },
		{ j->jwt, UI_ROLE_VALUE },
		{ "", UI_ROLE_HELP },
		{ "Shown once: the console forgets it when this closes.", UI_ROLE_ALERT_WARNING },
		{ saved, UI_ROLE_ALERT_SUCCESS },
	};
	form_draw_box(&ui->scr, ui->scr.rows, ui->scr.cols, "The new Local API Token", lines,
		      ARRAY_LEN(lines) - (saved[0] ? 0 : 1), "w write it to a file (0600)   Esc close");
}

static bool save_preview(struct form *f)
{
	const char *path = f->fields[0].text;
	if (!path[0]) {
		snprintf(f->status, sizeof(f->status), "a file name, please");
		return false;
	}
	char err[600];
	if (!graphql_check_jwt_path(path, true, err, sizeof(err))) {
		snprintf(f->status, sizeof(f->status), "%.250s", err);
		return false;
	}
	form_preview_add(f, UI_ROLE_HELP, "Write the token to");
	form_preview_add(f, UI_ROLE_VALUE, "%s", path);
	form_preview_add(f, UI_ROLE_HELP, "readable by you only (mode 0600).");
	return true;
}

static void save_open(struct ui *ui)
{
	struct ui_actions *a = ui->actions;
	struct jwt_shown *j = a->jwts;
	char name[160];
	const char *dev = strstr(j->device, " for ");
	snprintf(name, sizeof(name), "%s-%.8s.jwt", dev ? dev + 5 : "token", j->uuid);
	for (char *p = name; *p; p++)
		if (*p == '/' || *p == ' ')
			*p = '_';
	struct form *f = &a->form;
	form_init(f, "Write the token to a file", ui);
	form_add(f, "File", name);
	f->preview_fill = save_preview;
	f->confirm_what = "write it";
	a->modal = MODAL_SAVE_JWT;
}

static void save_submit(struct ui *ui)
{
	struct ui_actions *a = ui->actions;
	struct jwt_shown *j = a->jwts;
	char err[600];
	const char *path = a->form.fields[0].text;
	if (!j)
		return;
	if (graphql_save_jwt(path, j->jwt, true, err, sizeof(err))) {
		char *abs = realpath(path, NULL);
		snprintf(j->saved_to, sizeof(j->saved_to), "%s", abs ? abs : path);
		free(abs);
		a->modal = MODAL_JWT;
		ui_notice(ui, "token written to %s (mode 0600)", j->saved_to);
	} else {
		snprintf(a->form.status, sizeof(a->form.status), "%.250s", err);
		a->form.step = FORM_EDIT;
	}
}

/* ---- keys and drawing ------------------------------------------------------------------ */

int actions_ui_key(struct ui *ui, int key)
{
	struct ui_actions *a = ui->actions;
	if (a->modal == MODAL_JWT) {
		if (key == 'w' || key == 'W')
			save_open(ui);
		else if (key == 27 || key == 'q' || key == '\r' || key == '\n' || key == KEY_ENTER) {
			jwt_drop(a);
			a->modal = a->jwts ? MODAL_JWT : MODAL_NONE;
		}
		return KEY_HANDLED | KEY_REDRAW;
	}
	int r = form_key(&a->form, key);
	if (r == FORM_CANCELLED) {
		if (a->modal == MODAL_SAVE_JWT)
			a->modal = MODAL_JWT;
		else
			close_modal(ui);
	} else if (r == FORM_CONFIRMED) {
		switch (a->modal) {
		case MODAL_SETPOINT:
			sp_submit(ui);
			break;
		case MODAL_ACK:
			ack_submit(ui);
			break;
		case MODAL_TOKEN:
			tk_submit(ui);
			break;
		case MODAL_SAVE_JWT:
			save_submit(ui);
			break;
		default:
			close_modal(ui);
			break;
		}
	}
	return KEY_HANDLED | KEY_REDRAW;
}

void actions_ui_draw(struct ui *ui)
{
	struct ui_actions *a = ui->actions;
	if (!a || a->modal == MODAL_NONE)
		return;
	if (a->modal == MODAL_JWT)
		jwt_draw(ui);
	else
		form_draw(&a->form, &ui->scr, ui->scr.rows, ui->scr.cols);
}

void actions_ui_cancel(struct ui *ui, uint32_t id)
{
	struct request *q = requests_find(ui->requests, id);
	if (!q)
		return;
	if (request_state_final(q->state)) {
		ui_notice(ui, "#%u is already %s", id, request_state_name(q->state));
		return;
	}
	requests_cancel(ui->requests, id, now_of(ui));
	settle(ui);
}

/* ---- for the views ----------------------------------------------------------------- */

const struct request *actions_ui_request_for_receipt(const struct ui *ui, const char *receipt)
{
	if (!ui->requests || !receipt)
		return NULL;
	for (size_t i = requests_count(ui->requests); i-- > 0;) {
		const struct request *q = requests_at(ui->requests, i);
		if (q->kind == REQUEST_SETPOINT && q->receipt_id && strcmp(q->receipt_id, receipt) == 0)
			return q;
	}
	return NULL;
}

const struct request *actions_ui_request_for_event(const struct ui *ui, const char *event_uuid)
{
	if (!ui->requests || !event_uuid)
		return NULL;
	for (size_t i = requests_count(ui->requests); i-- > 0;) {
		const struct request *q = requests_at(ui->requests, i);
		if (q->kind == REQUEST_EVENT_ACK && q->target && strcmp(q->target, event_uuid) == 0)
			return q;
	}
	return NULL;
}

const struct request *actions_ui_request_for_error(const struct ui *ui, uint64_t seq)
{
	if (!ui->requests || !seq)
		return NULL;
	for (size_t i = requests_count(ui->requests); i-- > 0;) {
		const struct request *q = requests_at(ui->requests, i);
		if (q->state == REQUEST_ERROR && q->error_record == seq)
			return q;
	}
	return NULL;
}

enum ui_role actions_ui_state_text(const struct ui *ui, const struct request *q, char *buf,
				   size_t size)
{
	const struct ui_glyphs *g = ui->scr.g;
	const char *name = request_state_label(q);
	switch (q->state) {
	case REQUEST_QUEUED:
		snprintf(buf, size, "%s %s%s", g->state[1], name,
			 q->kind == REQUEST_TOKEN ? "" : ready(ui) ? "" : " (outbox)");
		return UI_ROLE_STATE_CREATED;
	case REQUEST_SENT:
	case REQUEST_DELIVERED:
	case REQUEST_PENDING_DEVICE:
		snprintf(buf, size, "%s %s", g->state[1], name);
		return UI_ROLE_STATE_CREATED;
	case REQUEST_CONFIRMED:
		snprintf(buf, size, "%s %s", g->state[2], name);
		return UI_ROLE_STATE_ACCEPTED;
	case REQUEST_CANCELLED:
		snprintf(buf, size, "- %s", name);
		return UI_ROLE_MUTED;
	default:
		snprintf(buf, size, "%s %s", g->state[3], name);
		return UI_ROLE_STATE_REJECTED;
	}
}
