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

#include "action_flow.h"
#include "alerts.h"
#include "graphql.h"
#include "inputs.h"
#include "jwt.h"
#include "offline.h"
#include "payload.h"
#include "secret.h"
#include "ui/export.h"
#include "ui/fmt.h"
#include "ui/form.h"
#include "util.h"

/* The GraphQL call's own time-out (seconds); the request's deadline is longer. */
#define TOKEN_CALL_TIMEOUT_S 20

/* One token call on its worker thread.  The worker reads the user API token
 * itself, so the secret never lives in the main thread's memory. */
struct token_job {
	struct token_job *next;
	pthread_t thread;
	int notify_fd; /* the pipe's write end */
	uint32_t request_id;
	struct action_token_call call;
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

enum modal {
	MODAL_NONE,
	MODAL_SETPOINT,
	MODAL_ACK,
	MODAL_TOKEN,
	MODAL_JWT,
	MODAL_SAVE_JWT,
	MODAL_INPUT, /* one of the platform inputs' forms (struct input_form) */
};

struct input_form;

struct ui_actions {
	/* requests, outbox, audit: the path every request takes */
	struct action_flow flow;
	enum modal modal;
	struct form form;
	/* setpoint editor: the catalogue of the component's model, re-read on
	 * every check (ch borrows from it) */
	struct action_catalogue catalogue;
	const struct payload_characteristic *ch;
	/* the platform inputs' form open, and its model picker's choices
	 * (uuids copied: the store may change while the form is open) */
	const struct input_form *input;
	char model_text[64][TOPIC_ID_MAX + 1];
	const char *model_choice[64];
	size_t model_total;
	/* event acknowledgement */
	char ack_event[TOPIC_ID_MAX + 1], ack_system[TOPIC_ID_MAX + 1];
	/* tokens */
	int pipe[2];
	bool curl_ready;
	struct token_job *jobs;
	struct jwt_shown *jwts; /* the first is the one on screen */
	/* audit lines not written (flow.audit_failed) the operator has seen
	 * (key A): the status bar shows the rest */
	unsigned audit_acked;
};

static const char *const BOOLEANS[] = { "true", "false" };
static const char *const LIFETIMES[] = { "short-lived", "permanent" };

/* The flow, with the connection as the loop has it now (the client and
 * the staged load are made after actions_ui_init, or never in replay). */
static struct action_flow *flow_of(const struct ui *ui)
{
	struct action_flow *f = &ui->actions->flow;
	f->mqtt = ui->mqtt;
	f->plan = ui->plan;
	return f;
}

static struct request_time now_of(const struct ui *ui)
{
	return action_flow_now(flow_of(ui));
}

static const char *slug_of(const struct ui *ui)
{
	return action_flow_slug(flow_of(ui));
}

static void sync_slug(struct ui *ui)
{
	action_flow_sync_slug(flow_of(ui));
}

/* ---- audit and end states ---------------------------------------------------- */

/* Audit lines not written are shown in the status bar until acknowledged
 * (a notice alone would be overwritten by the outcome's). */
bool actions_ui_audit_warning(const struct ui *ui, char *buf, size_t size)
{
	const struct ui_actions *a = ui->actions;
	unsigned unacked = a ? a->flow.audit_failed - a->audit_acked : 0;
	if (!unacked)
		return false;
	snprintf(buf, size, " %s audit log: %u line%s not written (A: seen) ",
		 ui->scr.g->level[LEVEL_ERROR], unacked, unacked == 1 ? "" : "s");
	return true;
}

bool actions_ui_audit_ack(struct ui *ui)
{
	struct ui_actions *a = ui->actions;
	if (!a || a->flow.audit_failed == a->audit_acked)
		return false;
	ui_notice(ui, "audit log: %.140s", a->flow.audit_error);
	a->audit_acked = a->flow.audit_failed;
	return true;
}

void actions_ui_request_label(const struct ui *ui, const struct request *q, char *buf, size_t size)
{
	const char *summary = q->summary ? q->summary : "";
	const char *site = q->system_uuid ? fmt_system_name(ui->store, q->system_uuid) : NULL;
	switch (q->kind) {
	case REQUEST_SETPOINT:
		/* five sites may have a heat-pump-1: the system's name first */
		if (site && strncmp(summary, "set ", 4) == 0) {
			snprintf(buf, size, "set %s › %s", site, summary + 4);
			return;
		}
		break;
	case REQUEST_EVENT_ACK: {
		const struct event *e = q->target ? store_find_event(ui->store, q->target) : NULL;
		if (!e)
			break;
		const struct event_model *m = e->event_model_uuid
			? store_find_event_model(ui->store, e->event_model_uuid) : NULL;
		char entity[256];
		const char *system = fmt_system_name(ui->store, e->system_uuid);
		fmt_event_entity(ui->store, e, entity, sizeof(entity));
		/* an event of the system itself names it once */
		bool same = strcmp(entity, system) == 0;
		snprintf(buf, size, "acknowledge %s at %s%s%s (event %.8s)",
			 m && m->code ? m->code : "event", system, same ? "" : " › ",
			 same ? "" : entity, e->uuid);
		return;
	}
	default:
		if (site) {
			snprintf(buf, size, "%s at %s", summary, site);
			return;
		}
		break;
	}
	snprintf(buf, size, "%s", summary);
}

/* A request ended (or its late answer came): one notice. */
static void on_end(void *ctx, const struct request *q, const char *outcome, bool recorded)
{
	char label[512];
	actions_ui_request_label(ctx, q, label, sizeof(label));
	ui_notice(ctx, "#%u %s: %s%s", q->id, label, outcome, recorded ? "" : " — NOT in the audit log");
}

void actions_ui_init(struct ui *ui)
{
	struct ui_actions *a = xcalloc(1, sizeof(*a));
	a->pipe[0] = a->pipe[1] = -1;
	action_flow_init(&a->flow, ui->config, ui->store, ui->topics);
	a->flow.status = &ui->status;
	a->flow.clock_fixed = ui->clock_fixed;
	a->flow.on_end = on_end;
	a->flow.on_end_ctx = ui;
	a->flow.catalogue_wanted = true; /* the forms' checks, the chart's units */
	ui->actions = a;
	ui->requests = a->flow.requests;
	ui->read_only = ui->config->read_only;
	ui->ingest.observer = action_flow_observer;
	ui->ingest.observer_ctx = &a->flow;
}

static void close_catalogue(struct ui_actions *a)
{
	action_catalogue_close(&a->catalogue);
	a->ch = NULL;
}

static void jwt_drop(struct ui_actions *a)
{
	struct jwt_shown *j = a->jwts;
	if (!j)
		return;
	a->jwts = j->next;
	secret_free(j->jwt); /* shown once: not kept */
	free(j);
}

static void job_free(struct token_job *job)
{
	graphql_token_result_free(&job->result); /* the JWT wiped */
	action_token_call_free(&job->call);
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
	/* One line for what never reached its end. */
	a->flow.on_end = NULL; /* no screen for notices any more */
	action_flow_record_pending(&a->flow);
	while (a->jwts)
		jwt_drop(a);
	close_catalogue(a);
	if (a->pipe[0] >= 0) {
		close(a->pipe[0]);
		close(a->pipe[1]);
	}
	if (a->curl_ready)
		curl_global_cleanup();
	unsigned failed = a->flow.audit_failed;
	if (failed)
		fprintf(stderr, "drivr-console: %u audit line%s could not be written (the last: %s)\n",
			failed, failed == 1 ? "" : "s", a->flow.audit_error);
	action_flow_free(&a->flow);
	free(a);
	ui->actions = NULL;
	ui->requests = NULL;
	return failed;
}

void actions_ui_transport(struct ui *ui, const struct inbox_item *item)
{
	action_flow_transport(flow_of(ui), item);
}

static bool ready(const struct ui *ui)
{
	return action_flow_connected(flow_of(ui));
}

void actions_ui_pump(struct ui *ui)
{
	action_flow_pump(flow_of(ui));
}

double actions_ui_tick(struct ui *ui)
{
	return action_flow_tick(flow_of(ui));
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
	return action_flow_system(st, id);
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
	a->ch = action_flow_characteristic(ui->store, system, component, service, characteristic,
					   &a->catalogue, why);
	return a->ch;
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

/* A value field's text checked as requests will (the characteristic's type
 * and bounds, or as typed without one): the error, or what it reads as. */
static void check_value_text(struct form_field *v, const struct payload_characteristic *c,
			     const char *unchecked)
{
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
		 c && c->symbol ? c->symbol : "", type, c ? "" : unchecked);
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
	check_value_text(v, c, ", not checked against a catalogue");
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

/* A request went out (or into the outbox): one notice naming its site. */
static void notice_sent(struct ui *ui, const struct request *q)
{
	char label[512];
	actions_ui_request_label(ui, q, label, sizeof(label));
	ui_notice(ui, "#%u %s: %s", q->id, label,
		  q->state == REQUEST_QUEUED ? "in the outbox until the connection is back" : "sent");
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
	notice_sent(ui, q);
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
	const struct request *pending = requests_for_event(ui->requests, e->uuid);
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
		const struct request *q = requests_for_event(ui->requests, e->uuid);
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
	notice_sent(ui, q);
}

/* ---- Local API Tokens --------------------------------------------------------------- */

enum { TK_SYSTEM, TK_DEVICE, TK_LIFETIME, TK_DURATION };

/* 1D, 12H, 30M, 45S, 2W, plain seconds, or ISO-8601 P...; never zero
 * (the same check as issue-token --duration). */
static bool duration_ok(const char *d)
{
	char why[256];
	return requests_check_duration(d, why, sizeof(why));
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
	action_token_call_run(&job->call, &job->result);
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
	job->notify_fd = a->pipe[1];
	job->request_id = q->id;
	action_token_call_init(&job->call, flow_of(ui), q, TOKEN_CALL_TIMEOUT_S);
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
		action_flow_sweep(flow_of(ui));
		return;
	}
	char label[512];
	actions_ui_request_label(ui, q, label, sizeof(label));
	ui_notice(ui, "#%u %s: asking the GraphQL endpoint...", q->id, label);
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
	action_flow_sweep(flow_of(ui));
}

/* ---- the JWT, shown once ------------------------------------------------------------ */

static void jwt_draw(struct ui *ui)
{
	struct jwt_shown *j = ui->actions->jwts;
	if (!j)
		return;
	struct jwt_info info;
	enum jwt_status st = action_flow_check_jwt(flow_of(ui), j->jwt, &info);
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
	if (!export_make_parents(path, err, sizeof(err)) ||
	    !graphql_check_jwt_path(path, true, err, sizeof(err))) {
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
	/* the state directory (ui/export), never the working directory */
	char path[4096];
	if (!export_state_path(name, path, sizeof(path)))
		snprintf(path, sizeof(path), "%s", name);
	struct form *f = &a->form;
	form_init(f, "Write the token to a file", ui);
	form_add(f, "File", path);
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

/* ---- the platform inputs: system, component, datapoint, event ------------------------ */

/* Each form is data: its fields (struct form_spec, checked by form.c with
 * the inputs module's checks), a context step for what depends on the twin
 * or on several fields, and a builder that fills the inputs module's draft.
 * Preview and send share one path: the builder's struct input_built through
 * requests_add_input — into a scratch list for the preview (never sent), into
 * the console's requests on confirmation. */

/* Field checks: the inputs and requests modules' rules, under the field's label. */
static bool check_uuid_field(const struct form_field *fld, char *err, size_t size)
{
	return requests_check_uuid(fld->text, err, size);
}

static bool check_code_field(const struct form_field *fld, char *err, size_t size)
{
	return inputs_check_code(fld->label, fld->text, err, size);
}

static bool check_time_field(const struct form_field *fld, char *err, size_t size)
{
	double t;
	return inputs_check_time(fld->label, fld->text, &t, err, size);
}

static bool check_enum_field(const struct form_field *fld, char *err, size_t size)
{
	return inputs_check_enum(fld->label, fld->text, fld->choices, fld->choice_count, err, size);
}

static const char *const FORMATS[] = { "JSON", "MessagePack" };

static enum payload_format format_of(const struct form_field *fld)
{
	return strcmp(fld->text, "MessagePack") == 0 ? FORMAT_MSGPACK : FORMAT_JSON;
}

static void set_choices(struct form_field *fld, const char *const *choices, size_t n)
{
	fld->choices = choices;
	fld->choice_count = n;
}

struct input_form {
	const char *title, *what, *view; /* what: for --read-only's notice */
	const struct form_spec *specs;
	size_t count;
	size_t format_field;
	/* notes and errors that need the twin or several fields (after the
	 * fields' own checks) */
	void (*context)(struct ui *ui, struct form *f);
	/* the inputs module's draft from the fields; false with why */
	bool (*build)(struct ui *ui, struct form *f, struct input_built *b, char *err, size_t size);
};

#define SPECS(a) a, ARRAY_LEN(a)

/* The twin's entity, if the retained state holds it (not a stub). */
#define KNOWN(e) ((e) && (e)->meta.known && !(e)->meta.deleted)

static void note_system(struct ui *ui, struct form_field *fld)
{
	const struct system *s = find_system(ui->store, fld->text);
	snprintf(fld->note, sizeof(fld->note), "%s", KNOWN(s) ? fmt_system_name(ui->store, s->uuid)
								: "not a system known here: the platform judges it");
}

/* The models the store knows, as a picker's choices (uuids; the note names
 * the one shown).  Component models, or event models of one entity type. */
static void pick_models(struct ui *ui, struct form_field *fld, const char *entity_type)
{
	struct ui_actions *a = ui->actions;
	const struct store *st = ui->store;
	size_t n = 0, total = 0;
	size_t count = entity_type ? store_event_models_count(st) : store_component_models_count(st);
	for (size_t i = 0; i < count; i++) {
		const char *uuid;
		if (entity_type) {
			const struct event_model *m = store_event_model_at(st, i);
			if (!KNOWN(m) || !m->uuid || (m->entity_type && strcmp(m->entity_type, entity_type)))
				continue;
			uuid = m->uuid;
		} else {
			const struct component_model *m = store_component_model_at(st, i);
			if (!KNOWN(m) || !m->uuid)
				continue;
			uuid = m->uuid;
		}
		total++;
		if (n < ARRAY_LEN(a->model_text)) {
			snprintf(a->model_text[n], sizeof(a->model_text[n]), "%s", uuid);
			a->model_choice[n] = a->model_text[n];
			n++;
		}
	}
	a->model_total = total;
	set_choices(fld, a->model_choice, n);
}

/* Under the model picker: which model, and how many there are. */
static void note_model(struct ui *ui, struct form_field *fld, const char *code, const char *name,
		       const char *extra)
{
	const struct ui_actions *a = ui->actions;
	size_t shown = fld->choice_count;
	if (!code) {
		snprintf(fld->note, sizeof(fld->note), "%s; Left/Right: %zu known model%s%s",
			 fld->text[0] ? "not a model known here: the platform judges it" : "no model",
			 shown, shown == 1 ? "" : "s",
			 a->model_total > shown ? " (the first ones)" : "");
		return;
	}
	size_t at = 0;
	for (size_t i = 0; i < shown; i++)
		if (strcmp(fld->choices[i], fld->text) == 0)
			at = i + 1;
	snprintf(fld->note, sizeof(fld->note), "%s%s%s%s%s, %zu of %zu%s", code,
		 name && strcmp(name, code) ? " (" : "", name && strcmp(name, code) ? name : "",
		 name && strcmp(name, code) ? ")" : "", extra ? extra : "", at, a->model_total,
		 a->model_total > shown ? " (the picker holds the first ones)" : "");
}

static void note_component_model(struct ui *ui, struct form_field *fld)
{
	const struct component_model *m = store_find_component_model(ui->store, fld->text);
	note_model(ui, fld, KNOWN(m) && m->code ? m->code : NULL, KNOWN(m) ? m->name : NULL, NULL);
}

/* A member the form prefilled from the twin: sent only when changed. */
static const char *changed(const struct form_field *fld)
{
	return form_field_changed(fld) && (fld->text[0] || !fld->optional) ? fld->text : NULL;
}

static void note_sent(struct form_field *fld)
{
	if (fld->readonly || fld->error[0] || fld->note[0])
		return;
	if (changed(fld))
		snprintf(fld->note, sizeof(fld->note), "changed: sent");
	else if (!fld->text[0] && fld->optional)
		snprintf(fld->note, sizeof(fld->note), "empty: not sent");
}

/* -- update a system (SystemInput) -- */

enum { US_SYSTEM, US_NAME, US_DESCRIPTION, US_STATUS, US_CONNECTION, US_FORMAT };
static const struct form_spec update_system_specs[] = {
	{ "System", FORM_READONLY, NULL },
	{ "Name", FORM_OPTIONAL, NULL },
	{ "Description", 0, NULL },
	{ "Status", FORM_OPTIONAL, check_enum_field },
	{ "Connection", FORM_OPTIONAL, check_enum_field },
	{ "Format", FORM_REQUIRED, check_enum_field },
};

static void update_system_context(struct ui *ui, struct form *f)
{
	note_system(ui, &f->fields[US_SYSTEM]);
	for (size_t i = US_NAME; i <= US_CONNECTION; i++)
		note_sent(&f->fields[i]);
}

static bool update_system_build(struct ui *ui, struct form *f, struct input_built *b, char *err,
				size_t size)
{
	(void)ui;
	struct form_field *fs = f->fields;
	struct system_update d = { fs[US_SYSTEM].text, changed(&fs[US_NAME]),
				   changed(&fs[US_DESCRIPTION]), changed(&fs[US_STATUS]),
				   changed(&fs[US_CONNECTION]), format_of(&fs[US_FORMAT]) };
	return inputs_system_update(&d, b, err, size);
}

static const struct input_form update_system_form = {
	"Update a system", "the system form", "Systems", SPECS(update_system_specs), US_FORMAT,
	update_system_context, update_system_build,
};

/* -- create or update a component (ComponentInput) -- */

enum { CO_SYSTEM, CO_CODE, CO_MODEL, CO_NAME, CO_STATUS, CO_CONNECTION, CO_FORMAT };
static const struct form_spec create_component_specs[] = {
	{ "System", FORM_READONLY, NULL },
	{ "Code", FORM_REQUIRED, check_code_field },
	{ "Model", FORM_REQUIRED, check_uuid_field },
	{ "Name", FORM_OPTIONAL, NULL },
	{ "Status", FORM_OPTIONAL, check_enum_field },
	{ "Connection", FORM_OPTIONAL, check_enum_field },
	{ "Format", FORM_REQUIRED, check_enum_field },
};
static const struct form_spec update_component_specs[] = {
	{ "System", FORM_READONLY, NULL },
	{ "Code", FORM_READONLY, NULL },
	{ "Model", FORM_OPTIONAL, check_uuid_field },
	{ "Name", FORM_OPTIONAL, NULL },
	{ "Status", FORM_OPTIONAL, check_enum_field },
	{ "Connection", FORM_OPTIONAL, check_enum_field },
	{ "Format", FORM_REQUIRED, check_enum_field },
};

static bool creating(const struct form *f)
{
	return !f->fields[CO_CODE].readonly;
}

static void component_context(struct ui *ui, struct form *f)
{
	struct form_field *fs = f->fields;
	note_system(ui, &fs[CO_SYSTEM]);
	note_component_model(ui, &fs[CO_MODEL]);
	const struct system *s = find_system(ui->store, fs[CO_SYSTEM].text);
	const struct component *c = KNOWN(s) && fs[CO_CODE].text[0]
		? store_find_component(ui->store, s->uuid, fs[CO_CODE].text) : NULL;
	char why[200];
	if (!fs[CO_CODE].error[0] &&
	    !inputs_component_fits(creating(f), KNOWN(s) ? s : NULL, c, fs[CO_CODE].text, why,
				   sizeof(why)))
		snprintf(fs[CO_CODE].error, sizeof(fs[CO_CODE].error), "%s%s", why,
			 creating(f) ? " (u on it updates it)" : "");
	if (creating(f)) {
		for (size_t i = CO_NAME; i <= CO_CONNECTION; i++)
			if (!fs[i].text[0] && !fs[i].note[0])
				snprintf(fs[i].note, sizeof(fs[i].note), "empty: not sent");
		return;
	}
	for (size_t i = CO_NAME; i <= CO_CONNECTION; i++)
		note_sent(&fs[i]);
	if (!fs[CO_MODEL].error[0] && changed(&fs[CO_MODEL]))
		snprintf(fs[CO_MODEL].ok, sizeof(fs[CO_MODEL].ok), "changed: sent");
}

static bool component_build(struct ui *ui, struct form *f, struct input_built *b, char *err,
			    size_t size)
{
	(void)ui;
	struct form_field *fs = f->fields;
	bool create = creating(f);
	struct component_input d = {
		create,
		fs[CO_SYSTEM].text,
		fs[CO_CODE].text,
		create ? form_text_or_null(&fs[CO_MODEL]) : changed(&fs[CO_MODEL]),
		create ? form_text_or_null(&fs[CO_NAME]) : changed(&fs[CO_NAME]),
		create ? form_text_or_null(&fs[CO_STATUS]) : changed(&fs[CO_STATUS]),
		create ? form_text_or_null(&fs[CO_CONNECTION]) : changed(&fs[CO_CONNECTION]),
		format_of(&fs[CO_FORMAT]),
	};
	return inputs_component(&d, b, err, size);
}

static const struct input_form create_component_form = {
	"Create a component", "the component form", "Components", SPECS(create_component_specs),
	CO_FORMAT, component_context, component_build,
};
static const struct input_form update_component_form = {
	"Update a component", "the component form", "Components", SPECS(update_component_specs),
	CO_FORMAT, component_context, component_build,
};

/* -- publish a datapoint (DatapointInput) -- */

enum { DP_SYSTEM, DP_COMPONENT, DP_SERVICE, DP_CHAR, DP_VALUE, DP_TIME, DP_FORMAT };
static const struct form_spec datapoint_specs[] = {
	{ "System", FORM_READONLY, NULL },
	{ "Component", FORM_REQUIRED, check_code_field },
	{ "Service", FORM_REQUIRED, check_code_field },
	{ "Characteristic", FORM_REQUIRED, check_code_field },
	{ "Value", FORM_REQUIRED, NULL },
	{ "Time", FORM_REQUIRED, check_time_field },
	{ "Format", FORM_REQUIRED, check_enum_field },
};

/* A datapoint has no answer on the platform's side (§4.3): this long
 * without an /error reply ends it as "sent, no error" (publish-datapoint's
 * --error-wait default). */
#define DATAPOINT_QUIET_S 5.0

static void datapoint_context(struct ui *ui, struct form *f)
{
	struct form_field *fs = f->fields;
	note_system(ui, &fs[DP_SYSTEM]);
	const char *why = NULL;
	const struct payload_characteristic *c =
		lookup(ui, fs[DP_SYSTEM].text, fs[DP_COMPONENT].text, fs[DP_SERVICE].text,
		       fs[DP_CHAR].text, &why);
	struct form_field *v = &fs[DP_VALUE];
	set_choices(v, NULL, 0);
	if (c) {
		describe(c, fs[DP_CHAR].note, sizeof(fs[DP_CHAR].note));
		if (c->kind != CHARACTERISTIC_MEASUREMENT && !fs[DP_CHAR].error[0])
			snprintf(fs[DP_CHAR].error, sizeof(fs[DP_CHAR].error),
				 "a SETTING: datapoints are MEASUREMENTs (e sends a setpoint)");
		if (c->data_type == DATA_TYPE_SELECT)
			set_choices(v, c->valid_values, c->valid_value_count);
		else if (c->data_type == DATA_TYPE_BOOLEAN)
			set_choices(v, BOOLEANS, 2);
	} else if (!fs[DP_CHAR].error[0]) {
		/* the catalogue session's reasons say "validation off" themselves */
		if (!strncmp(why, "validation off", 14))
			snprintf(fs[DP_CHAR].note, sizeof(fs[DP_CHAR].note), "%s", why);
		else
			snprintf(fs[DP_CHAR].note, sizeof(fs[DP_CHAR].note),
				 "validation off: no catalogue (%s)", why);
	}
	if (!v->text[0])
		return;
	check_value_text(v, c, ", not checked");
}

static bool datapoint_build(struct ui *ui, struct form *f, struct input_built *b, char *err,
			    size_t size)
{
	struct form_field *fs = f->fields;
	const struct payload_characteristic *c = ui->actions->ch;
	struct value v;
	cJSON *json = NULL;
	if (!requests_parse_value(fs[DP_VALUE].text, c, &v, &json, err, size))
		return false;
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "componentCode", fs[DP_COMPONENT].text);
	cJSON_AddStringToObject(o, "serviceCode", fs[DP_SERVICE].text);
	cJSON_AddStringToObject(o, "characteristicCode", fs[DP_CHAR].text);
	cJSON_AddStringToObject(o, "time", fs[DP_TIME].text);
	cJSON_AddItemToObject(o, "value", payload_value_json(&v));
	cJSON_Delete(json);
	/* the object through the inputs module's line check, as --values-file's are */
	char *line = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	cJSON *checked = NULL;
	bool ok = inputs_datapoint_line(line, fs[DP_SYSTEM].text, &checked, err, size);
	cJSON_free(line);
	if (!ok)
		return false;
	cJSON *items = cJSON_CreateArray();
	cJSON_AddItemToArray(items, checked);
	return inputs_datapoints(fs[DP_SYSTEM].text, items, DATAPOINT_QUIET_S,
				 format_of(&fs[DP_FORMAT]), b, err, size);
}

static const struct input_form datapoint_form = {
	"Publish a datapoint", "the datapoint form", "Datapoints", SPECS(datapoint_specs), DP_FORMAT,
	datapoint_context, datapoint_build,
};

/* -- raise an event (EventInput) -- */

enum { EV_SYSTEM, EV_COMPONENT, EV_MODEL, EV_TIME, EV_END, EV_FORMAT };
static const struct form_spec raise_event_specs[] = {
	{ "System", FORM_READONLY, NULL },
	{ "Component", FORM_READONLY, NULL },
	{ "Event model", FORM_REQUIRED, check_uuid_field },
	{ "Time", FORM_REQUIRED, check_time_field },
	{ "End time", FORM_OPTIONAL, check_time_field },
	{ "Format", FORM_REQUIRED, check_enum_field },
};

static const struct component *event_component(const struct ui *ui, const struct form *f)
{
	const struct system *s = find_system(ui->store, f->fields[EV_SYSTEM].text);
	return s && f->fields[EV_COMPONENT].text[0]
		? store_find_component(ui->store, s->uuid, f->fields[EV_COMPONENT].text) : NULL;
}

/* The model picked, when the twin knows it. */
static const struct event_model *event_model_of(const struct ui *ui, const struct form *f)
{
	const struct event_model *m = store_find_event_model(ui->store, f->fields[EV_MODEL].text);
	return KNOWN(m) ? m : NULL;
}

static void raise_event_context(struct ui *ui, struct form *f)
{
	struct form_field *fs = f->fields;
	note_system(ui, &fs[EV_SYSTEM]);
	bool component = fs[EV_COMPONENT].text[0] != '\0';
	const struct component *c = event_component(ui, f);
	char why[200];
	if (!component)
		snprintf(fs[EV_COMPONENT].note, sizeof(fs[EV_COMPONENT].note),
			 "(none: an event of the system itself)");
	else if (!inputs_event_component(c, fs[EV_COMPONENT].text, why, sizeof(why)))
		snprintf(fs[EV_COMPONENT].error, sizeof(fs[EV_COMPONENT].error), "%s", why);
	else
		snprintf(fs[EV_COMPONENT].note, sizeof(fs[EV_COMPONENT].note), "uuid %s", c->uuid);
	const struct event_model *m = event_model_of(ui, f);
	const char *want = component ? "COMPONENT" : "SYSTEM";
	char extra[160] = "";
	if (m)
		snprintf(extra, sizeof(extra), ", %s", m->event_type ? m->event_type : "type unknown");
	note_model(ui, &fs[EV_MODEL], m ? (m->code ? m->code : "?") : NULL, NULL, extra);
	/* the entity only: the end time goes read-only for a SINGLE_POINT model */
	if (!fs[EV_MODEL].error[0] &&
	    !inputs_event_model_fits(m, component, false, why, sizeof(why)))
		snprintf(fs[EV_MODEL].error, sizeof(fs[EV_MODEL].error), "%s", why);
	if (!fs[EV_MODEL].choice_count && !m)
		snprintf(fs[EV_MODEL].note, sizeof(fs[EV_MODEL].note),
			 "no event model for %s events known here: type its uuid", want);
	/* an end time only for a RANGED event */
	fs[EV_END].readonly = inputs_event_model_single_point(m);
	if (fs[EV_END].readonly) {
		fs[EV_END].error[0] = '\0';
		snprintf(fs[EV_END].note, sizeof(fs[EV_END].note), "%s: no end time",
			 m->event_type);
	} else if (!fs[EV_END].text[0]) {
		snprintf(fs[EV_END].note, sizeof(fs[EV_END].note),
			 "empty: the event starts ACTIVE; a time: it starts RESOLVED");
	}
}

static bool raise_event_build(struct ui *ui, struct form *f, struct input_built *b, char *err,
			      size_t size)
{
	struct form_field *fs = f->fields;
	const struct component *c = event_component(ui, f);
	if (fs[EV_COMPONENT].text[0] && !inputs_event_component(c, fs[EV_COMPONENT].text, err, size))
		return false;
	double t = TIME_UNKNOWN, end = TIME_UNKNOWN;
	if (!inputs_check_time("the time", fs[EV_TIME].text, &t, err, size) ||
	    (!fs[EV_END].readonly && fs[EV_END].text[0] &&
	     !inputs_check_time("the end time", fs[EV_END].text, &end, err, size)))
		return false;
	struct event_input d = { false, fs[EV_SYSTEM].text, c ? c->uuid : NULL, fs[EV_MODEL].text,
				 NULL, t, end, format_of(&fs[EV_FORMAT]) };
	return inputs_event(&d, b, err, size);
}

static const struct input_form raise_event_form = {
	"Raise an event", "the event form", "Events", SPECS(raise_event_specs), EV_FORMAT,
	raise_event_context, raise_event_build,
};

/* -- resolve an active RANGED event (EventInput with its endTime) -- */

enum { RE_EVENT, RE_MODEL, RE_ENTITY, RE_TIME, RE_END, RE_FORMAT };
static const struct form_spec resolve_event_specs[] = {
	{ "Event", FORM_READONLY, NULL },
	{ "Event model", FORM_READONLY, NULL },
	{ "On", FORM_READONLY, NULL },
	{ "Since", FORM_READONLY, NULL },
	{ "End time", FORM_REQUIRED, check_time_field },
	{ "Format", FORM_REQUIRED, check_enum_field },
};

/* The event still resolvable (inputs_event_resolvable()); NULL with why. */
static const struct event *resolvable(const struct ui *ui, const char *uuid, char *why,
				      size_t size)
{
	const struct event *e = uuid ? store_find_event(ui->store, uuid) : NULL;
	const struct event_model *m =
		KNOWN(e) && e->event_model_uuid ? store_find_event_model(ui->store, e->event_model_uuid)
						: NULL;
	return inputs_event_resolvable(uuid, e, m, why, size) ? e : NULL;
}

static void resolve_event_context(struct ui *ui, struct form *f)
{
	struct form_field *fs = f->fields;
	const struct event *e =
		resolvable(ui, fs[RE_EVENT].text, fs[RE_EVENT].error, sizeof(fs[RE_EVENT].error));
	if (!e)
		return;
	const struct event_model *m = store_find_event_model(ui->store, e->event_model_uuid);
	snprintf(fs[RE_MODEL].note, sizeof(fs[RE_MODEL].note), "%s%s%s",
		 KNOWN(m) && m->code ? m->code : "not known here", KNOWN(m) && m->event_type ? ", " : "",
		 KNOWN(m) && m->event_type ? m->event_type : "");
	double end;
	char err[64];
	if (!fs[RE_END].error[0] &&
	    inputs_check_time("the end time", fs[RE_END].text, &end, err, sizeof(err)))
		inputs_check_end_time(e->time, end, fs[RE_END].error, sizeof(fs[RE_END].error));
}

static bool resolve_event_build(struct ui *ui, struct form *f, struct input_built *b, char *err,
				size_t size)
{
	struct form_field *fs = f->fields;
	const struct event *e = resolvable(ui, fs[RE_EVENT].text, err, size);
	if (!e)
		return false;
	double end;
	if (!inputs_check_time("the end time", fs[RE_END].text, &end, err, size))
		return false;
	bool component = e->entity_uuid && strcmp(e->entity_uuid, e->system_uuid) != 0;
	struct event_input d = { true, e->system_uuid, component ? e->entity_uuid : NULL,
				 e->event_model_uuid, e->uuid, e->time, end,
				 format_of(&fs[RE_FORMAT]) };
	return inputs_event(&d, b, err, size);
}

static const struct input_form resolve_event_form = {
	"Resolve an event", "the event form", "Events", SPECS(resolve_event_specs), RE_FORMAT,
	resolve_event_context, resolve_event_build,
};

/* -- the shared path -- */

static void in_check(struct form *f)
{
	struct ui *ui = f->ctx;
	const struct input_form *in = ui->actions->input;
	form_check_fields(f);
	in->context(ui, f);
}

/* The built input queued into r (a scratch list for the preview); NULL with
 * why.  The fields are checked again first: the twin may have moved. */
static struct request *in_queue(struct ui *ui, struct requests *r, struct input_built *b,
				char *err, size_t size)
{
	struct form *f = &ui->actions->form;
	const struct input_form *in = ui->actions->input;
	in_check(f);
	memset(b, 0, sizeof(*b));
	if (form_first_error(f, err, size))
		return NULL;
	if (!in->build(ui, f, b, err, size))
		return NULL;
	return requests_add_input(r, &b->in, now_of(ui), err, size);
}

/* The payload as it goes out: JSON as text; MessagePack as its bytes in hex
 * and the same members decoded. */
static void preview_input(struct form *f, const struct request *q, const struct input_built *b)
{
	form_preview_add(f, UI_ROLE_HELP_KEY, "Publish (QoS 1, not retained) to");
	form_preview_add(f, UI_ROLE_VALUE, "%s", q->topic);
	if (b->in.format != FORMAT_MSGPACK) {
		form_preview_add(f, UI_ROLE_HELP_KEY, "Payload (JSON, %zu bytes)", q->payload_len);
		form_preview_add(f, UI_ROLE_VALUE, "%.*s", (int)q->payload_len, q->payload);
	} else {
		char hex[3 * 512 + 1];
		size_t shown = q->payload_len < 512 ? q->payload_len : 512, h = 0;
		for (size_t i = 0; i < shown; i++)
			h += (size_t)snprintf(hex + h, sizeof(hex) - h, "%s%02x", i ? " " : "",
					      (unsigned char)q->payload[i]);
		form_preview_add(f, UI_ROLE_HELP_KEY, "Payload (MessagePack, %zu bytes)", q->payload_len);
		form_preview_add(f, UI_ROLE_VALUE, "%s%s", hex, shown < q->payload_len ? " …" : "");
		char *decoded = cJSON_PrintUnformatted(b->payload);
		form_preview_add(f, UI_ROLE_HELP_KEY, "decoded");
		form_preview_add(f, UI_ROLE_VALUE, "%s", decoded ? decoded : "?");
		cJSON_free(decoded);
	}
	form_preview_add(f, UI_ROLE_HELP, "%s", "");
}

static bool in_preview(struct form *f)
{
	struct ui *ui = f->ctx;
	const struct input_form *in = ui->actions->input;
	struct requests *scratch = requests_new(ui->topics, slug_of(ui));
	struct input_built b;
	char err[512];
	struct request *q = in_queue(ui, scratch, &b, err, sizeof(err));
	if (!q) {
		snprintf(f->status, sizeof(f->status), "Refused before sending: %.200s", err);
		input_built_free(&b);
		requests_free(scratch);
		return false;
	}
	char label[512];
	actions_ui_request_label(ui, q, label, sizeof(label));
	form_preview_add(f, UI_ROLE_HELP, "%s", label);
	form_preview_add(f, UI_ROLE_HELP, "%s", "");
	preview_input(f, q, &b);
	if (q->kind == REQUEST_DATAPOINT)
		form_preview_add(f, UI_ROLE_MUTED,
				 "The platform never answers a datapoint: it ends as \"sent, no error\" "
				 "after %g s without an /error reply (never \"confirmed\").",
				 DATAPOINT_QUIET_S);
	where_it_goes(f, ui, q->kind == REQUEST_DATAPOINT ? "Requests" : in->view, NULL);
	input_built_free(&b);
	requests_free(scratch);
	return true;
}

static void in_submit(struct ui *ui)
{
	struct form *f = &ui->actions->form;
	struct input_built b;
	char err[512];
	struct request *q = in_queue(ui, ui->requests, &b, err, sizeof(err));
	input_built_free(&b);
	if (!q) {
		snprintf(f->status, sizeof(f->status), "Refused before sending: %.200s", err);
		f->step = FORM_EDIT;
		return;
	}
	close_modal(ui);
	actions_ui_pump(ui);
	notice_sent(ui, q);
}

/* Opens one of the forms with its fields' first texts; focus: the first
 * field to edit. */
static struct form *in_open(struct ui *ui, const struct input_form *in, const char *const *texts,
			    size_t focus)
{
	sync_slug(ui);
	if (!allowed(ui, in->what) || actions_ui_modal(ui))
		return NULL;
	struct ui_actions *a = ui->actions;
	struct form *f = &a->form;
	form_init(f, in->title, ui);
	form_add_specs(f, in->specs, in->count, texts);
	set_choices(&f->fields[in->format_field], FORMATS, ARRAY_LEN(FORMATS));
	f->check = in_check;
	f->preview_fill = in_preview;
	f->confirm_what = "send";
	a->input = in;
	a->modal = MODAL_INPUT;
	form_focus(f, focus);
	return f;
}

static void now_text(const struct ui *ui, char *buf, size_t size)
{
	time_format_iso8601(now_of(ui).wall, buf, size);
}

void actions_ui_update_system(struct ui *ui, const char *system_uuid)
{
	const struct system *s = find_system(ui->store, system_uuid);
	if (!KNOWN(s)) {
		if (allowed(ui, "the system form"))
			ui_notice(ui, "no system selected");
		return;
	}
	const char *texts[] = { s->uuid, s->name, s->description, s->status, s->connection_state,
				"JSON" };
	struct form *f = in_open(ui, &update_system_form, texts, US_NAME);
	if (!f)
		return;
	set_choices(&f->fields[US_STATUS], inputs_system_statuses, INPUTS_STATUS_COUNT);
	set_choices(&f->fields[US_CONNECTION], inputs_system_connection_states,
		    INPUTS_SYSTEM_STATE_COUNT);
	in_check(f);
}

void actions_ui_edit_component(struct ui *ui, const char *system_uuid, const char *code)
{
	const struct system *s = find_system(ui->store, system_uuid);
	if (!KNOWN(s)) {
		if (allowed(ui, "the component form"))
			ui_notice(ui, "no system selected");
		return;
	}
	const struct component *c = code ? store_find_component(ui->store, s->uuid, code) : NULL;
	struct form *f;
	if (code) {
		if (!KNOWN(c)) {
			if (allowed(ui, "the component form"))
				ui_notice(ui, "no component selected");
			return;
		}
		const char *texts[] = { s->uuid, c->code, c->component_model_uuid, c->name, c->status,
					c->connection_state, "JSON" };
		f = in_open(ui, &update_component_form, texts, CO_NAME);
	} else {
		const char *texts[] = { s->uuid, "", "", "", "", "", "JSON" };
		f = in_open(ui, &create_component_form, texts, CO_CODE);
	}
	if (!f)
		return;
	pick_models(ui, &f->fields[CO_MODEL], NULL);
	set_choices(&f->fields[CO_STATUS], inputs_system_statuses, INPUTS_STATUS_COUNT);
	set_choices(&f->fields[CO_CONNECTION], inputs_component_connection_states,
		    INPUTS_COMPONENT_STATE_COUNT);
	in_check(f);
}

void actions_ui_publish_datapoint(struct ui *ui, const struct setpoint_prefill *p)
{
	const struct system *s = find_system(ui->store, p->system_uuid);
	if (!s || !s->uuid) {
		if (allowed(ui, "the datapoint form"))
			ui_notice(ui, "no system selected");
		return;
	}
	char now[40];
	now_text(ui, now, sizeof(now));
	const char *texts[] = { s->uuid, p->component, p->service, p->characteristic, p->value, now,
				"JSON" };
	size_t focus = !p->component || !*p->component ? DP_COMPONENT
		       : !p->service || !*p->service   ? DP_SERVICE
		       : !p->characteristic || !*p->characteristic ? DP_CHAR
								   : DP_VALUE;
	struct form *f = in_open(ui, &datapoint_form, texts, focus);
	if (f)
		in_check(f);
}

void actions_ui_raise_event(struct ui *ui, const char *system_uuid, const char *component)
{
	const struct system *s = find_system(ui->store, system_uuid);
	if (!s || !s->uuid) {
		if (allowed(ui, "the event form"))
			ui_notice(ui, "no system selected");
		return;
	}
	char now[40];
	now_text(ui, now, sizeof(now));
	const char *texts[] = { s->uuid, component, "", now, "", "JSON" };
	struct form *f = in_open(ui, &raise_event_form, texts, EV_MODEL);
	if (!f)
		return;
	pick_models(ui, &f->fields[EV_MODEL], component && *component ? "COMPONENT" : "SYSTEM");
	if (f->fields[EV_MODEL].choice_count)
		snprintf(f->fields[EV_MODEL].text, sizeof(f->fields[EV_MODEL].text), "%s",
			 f->fields[EV_MODEL].choices[0]);
	in_check(f);
}

void actions_ui_resolve_event(struct ui *ui, const struct event *e)
{
	char why[200];
	if (!e || !e->uuid) {
		if (allowed(ui, "the event form"))
			ui_notice(ui, "no event selected");
		return;
	}
	if (!resolvable(ui, e->uuid, why, sizeof(why))) {
		if (allowed(ui, "the event form"))
			ui_notice(ui, "cannot resolve this event: %s", why);
		return;
	}
	char entity[256], since[40], now[40];
	fmt_event_entity(ui->store, e, entity, sizeof(entity));
	time_format_iso8601(e->time, since, sizeof(since));
	now_text(ui, now, sizeof(now));
	if (now_of(ui).wall < e->time)
		snprintf(now, sizeof(now), "%s", since);
	const char *texts[] = { e->uuid, e->event_model_uuid, entity, since, now, "JSON" };
	struct form *f = in_open(ui, &resolve_event_form, texts, RE_END);
	if (f)
		in_check(f);
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
		case MODAL_INPUT:
			in_submit(ui);
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
	action_flow_sweep(flow_of(ui));
}

/* ---- for the views ----------------------------------------------------------------- */

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
	case REQUEST_NO_ERROR: /* ended without a reply: done, never "confirmed" */
		snprintf(buf, size, "%s %s", g->state[2], name);
		return UI_ROLE_MUTED;
	case REQUEST_CANCELLED:
		snprintf(buf, size, "- %s", name);
		return UI_ROLE_MUTED;
	default:
		snprintf(buf, size, "%s %s", g->state[3], name);
		return UI_ROLE_STATE_REJECTED;
	}
}
