/* view_inspector — the raw side of one row: its topic, retained flag, time,
 * and the last payload pretty-printed (JSON through cJSON; anything else as
 * sanitised text or a hex dump).  Token strings are redacted.  The text is
 * rebuilt from the store on every draw, so it follows live updates. */
#include <cJSON.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "graphql.h"
#include "requests.h"
#include "ui/actions_ui.h"
#include "ui/fmt.h"
#include "ui/view.h"
#include "util.h"

struct lines {
	char **v;
	size_t n, cap;
};

static void add(struct lines *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void add(struct lines *l, const char *fmt, ...)
{
	char buf[2048];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 64;
		l->v = xrealloc(l->v, l->cap * sizeof(*l->v));
	}
	l->v[l->n++] = xstrdup(buf);
}

static void lines_free(struct lines *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
}

/* Secrets never reach the screen: every "token" string is replaced. */
static void redact(cJSON *item)
{
	for (; item; item = item->next) {
		if (item->string && strcmp(item->string, "token") == 0 && cJSON_IsString(item))
			cJSON_SetValuestring(item, "<redacted>");
		if (item->child)
			redact(item->child);
	}
}

/* Adds the payload: pretty JSON, text lines, or a hex dump. */
static void add_payload(struct lines *l, const struct raw_payload *raw)
{
	if (!raw->bytes) {
		add(l, "  (payload not kept)");
		return;
	}
	if (raw->truncated)
		add(l, "  (kept %u of %u bytes)", raw->len, raw->orig_len);
	cJSON *root = cJSON_ParseWithLength(raw->bytes, raw->len);
	if (root) {
		redact(root);
		char *text = cJSON_Print(root);
		cJSON_Delete(root);
		for (char *line = text, *next; line && *line; line = next) {
			next = strchr(line, '\n');
			if (next)
				*next++ = '\0';
			char out[2048];
			size_t o = 0;
			bool indent = true;
			for (const char *p = line; *p && o + 3 < sizeof(out); p++) {
				if (*p == '\t' && indent) {
					out[o++] = ' ';
					out[o++] = ' ';
				} else {
					indent = false;
					out[o++] = *p == '\t' ? ' ' : *p;
				}
			}
			out[o] = '\0';
			add(l, "  %s", out);
		}
		cJSON_free(text);
		return;
	}
	bool binary = memchr(raw->bytes, '\0', raw->len) != NULL;
	for (uint32_t i = 0; i < raw->len && !binary; i++)
		binary = (unsigned char)raw->bytes[i] < 0x09;
	if (!binary) {
		char *copy = xstrndup(raw->bytes, raw->len);
		for (char *line = copy, *next; line; line = next) {
			next = strchr(line, '\n');
			if (next)
				*next++ = '\0';
			add(l, "  %s", line);
		}
		free(copy);
		return;
	}
	for (uint32_t off = 0; off < raw->len && off < 4096; off += 16) {
		char hex[64];
		size_t h = 0;
		for (uint32_t k = off; k < off + 16 && k < raw->len; k++)
			h += (size_t)snprintf(hex + h, sizeof(hex) - h, "%02x ", (unsigned char)raw->bytes[k]);
		add(l, "  %04x  %s", off, hex);
	}
}

static const char *slug_of(const struct ui *ui)
{
	const struct domain *d = store_domain(ui->store);
	if (ui->config->slug)
		return ui->config->slug;
	return d && d->slug ? d->slug : "{slug}";
}

static void add_topic(struct lines *l, const struct ui *ui, enum topic_family family,
		      const char *system, const char *component, const char *event)
{
	struct topic_ids ids;
	memset(&ids, 0, sizeof(ids));
	ids.v[TOPIC_ID_SLUG] = slug_of(ui);
	ids.v[TOPIC_ID_SYSTEM_UUID] = system;
	ids.v[TOPIC_ID_COMPONENT_CODE] = component;
	ids.v[TOPIC_ID_EVENT_UUID] = event;
	char topic[1024];
	if (topic_build(ui->topics, family, &ids, FORMAT_JSON, topic, sizeof(topic)) < 0)
		snprintf(topic, sizeof(topic), "?");
	add(l, "Topic     %s", topic);
}

static void add_meta(struct lines *l, const struct ui *ui, const struct entity_meta *m)
{
	char when[40], age[16];
	fmt_time(m->received_at, when, sizeof(when));
	fmt_age(ui->now, m->received_at, age, sizeof(age));
	add(l, "Retained  %s", m->retained ? "yes" : "no");
	add(l, "Received  %s UTC (%s ago)%s%s", when, age, m->known ? "" : "  [stub: not seen yet]",
	    m->deleted ? "  [deleted]" : "");
	add(l, "Payload   %u bytes", m->raw.orig_len);
	add_payload(l, &m->raw);
}

static void build_series(struct lines *l, const struct ui *ui, const struct series *s)
{
	char value[256], when[40];
	add(l, "Series    %s / %s / %s / %s", fmt_system_name(ui->store, s->system), s->component,
	    s->service, s->characteristic);
	if (s->time_stream_uuid[0])
		add(l, "Stream    %s", s->time_stream_uuid);
	fmt_value(&s->last, value, sizeof(value));
	add(l, "Value     %s (%s)", value, fmt_value_type(&s->last));
	fmt_time(s->last_time, when, sizeof(when));
	add(l, "Measured  %s UTC", when);
	add(l, "Updates   %llu", (unsigned long long)s->updates);
	struct sample buf[512];
	size_t n = series_history(s, buf, ARRAY_LEN(buf));
	add(l, "History   %zu samples, newest last:", n);
	for (size_t i = 0; i < n; i++) {
		fmt_time(buf[i].time, when, sizeof(when));
		add(l, "  %s  %.6g", when, buf[i].value);
	}
}

static void build_error(struct lines *l, const struct ui *ui, const struct error_record *r)
{
	char when[40];
	fmt_time(r->time, when, sizeof(when));
	add(l, "Topic     %s", r->topic ? r->topic : "");
	add(l, "Kind      %s", r->kind == ERROR_RECORD_REPLY ? "error reply"
				 : r->warning		      ? "decode warning"
							      : "decode error");
	add(l, "Time      %s UTC", when);
	if (r->field && *r->field)
		add(l, "Field     %s", r->field);
	add(l, "Message   %s", r->message ? r->message : "");
	if (r->code)
		add(l, "Code      %s", r->code);
	add(l, "Payload   %u bytes", r->payload.orig_len);
	add_payload(l, &r->payload);
	if (r->kind == ERROR_RECORD_REPLY) {
		add(l, "%s", "");
		add(l, "Answers   %s (%s)", r->answers_topic ? r->answers_topic : "?",
		    topic_family_name(r->answers_family));
		const struct request *q = requests_for_error_record(ui->requests, r->seq);
		if (q)
			add(l, "Request   #%u %s (Requests view, 0)", q->id, q->summary ? q->summary : "");
		else
			add(l, "Request   none of this session's requests");
		add(l, "Input     last payload seen on that topic:");
		add_payload(l, &r->answered_input);
	}
}

static void build_request(struct lines *l, const struct ui *ui, const struct request *q)
{
	char when[40], state[64];
	add(l, "Request   #%u %s", q->id, q->summary ? q->summary : "");
	add(l, "Action    %s", request_kind_name(q->kind));
	actions_ui_state_text(ui, q, state, sizeof(state));
	add(l, "State     %s", state);
	if (q->detail)
		add(l, "Answer    %s%s%s%s", q->detail, q->error_code ? " [" : "",
		    q->error_code ? q->error_code : "", q->error_code ? "]" : "");
	if (q->receipt_id)
		add(l, "Receipt   %s", q->receipt_id);
	if (q->target)
		add(l, "Target    %s", q->target);
	fmt_time(q->created_at, when, sizeof(when));
	add(l, "Created   %s UTC", when);
	if (q->sent_at > 0) {
		fmt_time(q->sent_at, when, sizeof(when));
		add(l, "Sent      %s UTC", when);
	}
	fmt_time(q->changed_at, when, sizeof(when));
	add(l, "Changed   %s UTC", when);
	if (q->kind == REQUEST_TOKEN) {
		char url[512];
		graphql_endpoint(ui->config->graphql_url, slug_of(ui), url, sizeof(url));
		add(l, "Endpoint  %s (GraphQL; the user API token is never shown)", url);
	} else {
		add(l, "Topic     %s (QoS 1)", q->topic ? q->topic : "");
	}
	struct raw_payload raw = { q->payload, (uint32_t)q->payload_len, (uint32_t)q->payload_len,
				   false };
	add(l, "Payload   %zu bytes", q->payload_len);
	add_payload(l, &raw);
}

static void build(struct lines *l, struct ui *ui)
{
	const struct inspect_target *t = &ui->inspect;
	struct store *st = ui->store;
	switch (t->kind) {
	case INSPECT_NONE:
		add(l, "Nothing selected: press Enter or i on a row of another view.");
		break;
	case INSPECT_SYSTEM: {
		const struct system *s = store_system_at(st, t->index);
		add_topic(l, ui, TOPIC_SYSTEM, s->uuid, NULL, NULL);
		add_meta(l, ui, &s->meta);
		break;
	}
	case INSPECT_COMPONENT: {
		const struct component *c = store_component_at(st, t->index);
		add_topic(l, ui, TOPIC_COMPONENT, c->system_uuid, c->code, NULL);
		add_meta(l, ui, &c->meta);
		break;
	}
	case INSPECT_SETPOINT: {
		const struct setpoint *p = store_setpoint_at(st, t->index);
		add_topic(l, ui, TOPIC_SETPOINT, p->system_uuid, NULL, NULL);
		add(l, "Receipt   %s", p->receipt_id ? p->receipt_id : "");
		add_meta(l, ui, &p->meta);
		break;
	}
	case INSPECT_EVENT: {
		const struct event *e = store_event_at(st, t->index);
		add_topic(l, ui, TOPIC_EVENT, e->system_uuid, NULL, e->uuid);
		add_meta(l, ui, &e->meta);
		break;
	}
	case INSPECT_TOKENS: {
		const struct token_list *tl = store_token_list_at(st, t->index);
		add_topic(l, ui, TOPIC_LOCAL_API_TOKENS, tl->system_uuid, NULL, NULL);
		add_meta(l, ui, &tl->meta);
		break;
	}
	case INSPECT_UNCLASSIFIED: {
		const struct unclassified_topic *u = store_unclassified_topic_at(st, t->index);
		add(l, "Topic     %s", u->topic ? u->topic : "");
		add(l, "Reason    %s", u->reason ? u->reason : "");
		add(l, "Messages  %llu", (unsigned long long)u->count);
		add_meta(l, ui, &u->meta);
		break;
	}
	case INSPECT_SERIES: {
		const struct series *s = store_series_at(st, t->index);
		if (!s->live)
			add(l, "This series was evicted (--max-series).");
		else
			build_series(l, ui, s);
		break;
	}
	case INSPECT_REQUEST: {
		const struct request *q =
			ui->requests ? requests_find(ui->requests, (uint32_t)t->index) : NULL;
		if (!q)
			add(l, "This request is no longer kept.");
		else
			build_request(l, ui, q);
		break;
	}
	case INSPECT_ERROR: {
		const struct error_record *r = view_error_by_seq(st, t->index);
		if (!r)
			add(l, "This error record was evicted.");
		else
			build_error(l, ui, r);
		break;
	}
	}
}

static void draw(struct view *v, WINDOW *w, int y, int height, int width)
{
	struct ui *ui = v->ui;
	struct lines l = { NULL, 0, 0 };
	build(&l, ui);
	v->text_lines = (int)l.n;
	if (v->scroll + (size_t)height > l.n)
		v->scroll = l.n > (size_t)height ? l.n - (size_t)height : 0;
	attr_t a = screen_attr(&ui->scr, UI_ROLE_DEFAULT);
	for (int i = 0; i < height; i++) {
		size_t k = v->scroll + (size_t)i;
		screen_put(&ui->scr, w, y + i, 0, width, k < l.n ? l.v[k] : "", a, true, false);
	}
	lines_free(&l);
}

static int key(struct view *v, int ch)
{
	struct ui *ui = v->ui;
	if (ch == 'g' && ui->inspect.kind == INSPECT_SERIES &&
	    store_series_at(ui->store, ui->inspect.index)->live) {
		const struct series *s = store_series_at(ui->store, ui->inspect.index);
		ui_open_chart(ui, &ui->inspect.index, 1,
			      s->characteristic[0] ? s->characteristic : "series");
		return KEY_HANDLED | KEY_REDRAW;
	}
	int page = v->ui->scr.rows > 8 ? v->ui->scr.rows - 8 : 1;
	long to = (long)v->scroll;
	switch (ch) {
	case 'j':
	case KEY_DOWN:
		to++;
		break;
	case 'k':
	case KEY_UP:
		to--;
		break;
	case 'g':
	case KEY_HOME:
		to = 0;
		break;
	case 'G':
	case KEY_END:
		to = v->text_lines;
		break;
	case KEY_NPAGE:
	case 4: /* Ctrl-d */
		to += ch == 4 ? page / 2 : page;
		break;
	case KEY_PPAGE:
	case 21: /* Ctrl-u */
		to -= ch == 21 ? page / 2 : page;
		break;
	default:
		return KEY_UNHANDLED;
	}
	v->scroll = to < 0 ? 0 : (size_t)to;
	return KEY_HANDLED | KEY_REDRAW;
}

static const struct key_help keys[] = {
	{ "j k g G", "scroll", true },
	{ "g", "of a series: its chart (Home: the top)", false },
	{ NULL, NULL, false },
};

const struct view_ops view_inspector_ops = {
	.id = VIEW_INSPECTOR,
	.draw = draw,
	.key = key,
	.keys = keys,
};
