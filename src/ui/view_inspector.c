/* view_inspector — the raw side of one row: its topic, retained flag, time,
 * and the last payload pretty-printed (JSON through cJSON; UTF-8 text as
 * sanitised lines; anything else as a hex + ASCII dump).  A series shows the
 * system's datapoint input topic and the last payload seen there, and its
 * history follows new samples.  Token strings are redacted.  The text is
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
	size_t pinned; /* leading lines that stay on screen while the rest scrolls */
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

/* Valid UTF-8 without control characters but tab, CR and newline: shown
 * as text; anything else (MessagePack, a broken encoding) as a hex dump. */
static bool printable_text(const char *bytes, size_t len)
{
	const unsigned char *p = (const unsigned char *)bytes, *end = p + len;
	while (p < end) {
		unsigned c = *p;
		size_t n = c < 0x80 ? 1 : (c & 0xe0) == 0xc0 ? 2 : (c & 0xf0) == 0xe0 ? 3
				     : (c & 0xf8) == 0xf0 ? 4 : 0;
		if (n == 0 || (size_t)(end - p) < n || (n == 2 && c < 0xc2) || (n == 4 && c > 0xf4))
			return false;
		if (n == 1 && ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f))
			return false;
		for (size_t k = 1; k < n; k++)
			if ((p[k] & 0xc0) != 0x80)
				return false;
		/* overlong 3/4-byte forms, surrogates, C1 controls */
		if ((n == 3 && c == 0xe0 && p[1] < 0xa0) || (n == 3 && c == 0xed && p[1] >= 0xa0) ||
		    (n == 4 && c == 0xf0 && p[1] < 0x90) || (n == 4 && c == 0xf4 && p[1] >= 0x90) ||
		    (n == 2 && c == 0xc2 && p[1] < 0xa0))
			return false;
		p += n;
	}
	return true;
}

/* 16 bytes a line: offset, hex (a gap after 8), the bytes as ASCII ('.'
 * for anything else) — like hexdump -C.  At most HEX_DUMP_MAX bytes. */
#define HEX_DUMP_MAX 4096
static void add_hex_dump(struct lines *l, const char *bytes, size_t len)
{
	const unsigned char *b = (const unsigned char *)bytes;
	size_t shown = len < HEX_DUMP_MAX ? len : HEX_DUMP_MAX;
	add(l, "  (binary or not UTF-8: hex dump%s)", shown < len ? ", the first 4096 bytes" : "");
	for (size_t off = 0; off < shown; off += 16) {
		char hex[64], ascii[17];
		size_t h = 0, a = 0;
		for (size_t k = off; k < off + 16; k++) {
			if (k < shown)
				h += (size_t)snprintf(hex + h, sizeof(hex) - h, "%02x ", b[k]);
			else
				h += (size_t)snprintf(hex + h, sizeof(hex) - h, "   ");
			if (k == off + 7)
				hex[h++] = ' ';
			if (k < shown)
				ascii[a++] = b[k] >= 0x20 && b[k] < 0x7f ? (char)b[k] : '.';
		}
		hex[h] = '\0';
		ascii[a] = '\0';
		add(l, "  %08zx  %s |%s|", off, hex, ascii);
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
	if (!raw->len)
		return;
	if (printable_text(raw->bytes, raw->len)) {
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
	add_hex_dump(l, raw->bytes, raw->len);
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

/* Datapoints arrive on the system's input topic, several series in one
 * message: the topic (JSON or MessagePack, whichever was seen last) and
 * the last payload seen there (for this series or another) — raw NULL
 * when none is remembered. */
static void series_input(const struct ui *ui, const struct series *s, char *topic, size_t size,
			 const struct raw_payload **raw, double *when)
{
	struct topic_ids ids;
	memset(&ids, 0, sizeof(ids));
	ids.v[TOPIC_ID_SLUG] = slug_of(ui);
	ids.v[TOPIC_ID_SYSTEM_UUID] = s->system;
	static const enum payload_format formats[] = { FORMAT_MSGPACK, FORMAT_JSON };
	*raw = NULL;
	topic[0] = '\0';
	for (size_t i = 0; i < ARRAY_LEN(formats); i++) {
		char t[1024];
		double at = 0;
		if (topic_build(ui->topics, TOPIC_DATAPOINT_INPUT, &ids, formats[i], t, sizeof(t)) < 0)
			continue;
		const struct raw_payload *r = store_last_input(ui->store, t, &at);
		if (!topic[0] || (r && (!*raw || at > *when))) {
			fmt_copy(topic, size, t);
			if (r) {
				*raw = r;
				*when = at;
			}
		}
	}
}

static void build_series(struct lines *l, const struct ui *ui, const struct series *s)
{
	char value[256], when[40];
	char topic[1024];
	const struct raw_payload *raw;
	double raw_at = 0;
	series_input(ui, s, topic, sizeof(topic), &raw, &raw_at);
	add(l, "Series    %s / %s / %s / %s", fmt_system_name(ui->store, s->system), s->component,
	    s->service, s->characteristic);
	add(l, "Topic     %s", topic);
	if (s->time_stream_uuid[0])
		add(l, "Stream    %s", s->time_stream_uuid);
	fmt_value(&s->last, value, sizeof(value));
	add(l, "Value     %s (%s)", value, fmt_value_type(&s->last));
	fmt_time(s->last_time, when, sizeof(when));
	add(l, "Measured  %s UTC", when);
	add(l, "Updates   %llu", (unsigned long long)s->updates);
	l->pinned = l->n; /* the series and its value stay while the history scrolls */
	if (raw) {
		fmt_time(raw_at, when, sizeof(when));
		add(l, "Payload   %u bytes, the last on this topic (%s UTC):", raw->orig_len, when);
		add_payload(l, raw);
	} else {
		add(l, "Payload   (not kept: only the last payload of recent input topics is)");
	}
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
	char when[40], state[64], label[512];
	actions_ui_request_label(ui, q, label, sizeof(label));
	add(l, "Request   #%u %s", q->id, label);
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

/* The history of a series is followed like `less +F`: the view stays at
 * the newest sample until the operator scrolls up; End or F follows again.
 * The last line says which. */
static void draw(struct view *v, WINDOW *w, int y, int height, int width)
{
	struct ui *ui = v->ui;
	struct lines l = { NULL, 0, 0, 0 };
	build(&l, ui);
	bool follows = ui->inspect.kind == INSPECT_SERIES && height > 2;
	int body = follows ? height - 1 : height;
	/* pinned lines at the top (at most half the pane), the rest scrolls */
	size_t pin = l.pinned < (size_t)body / 2 ? l.pinned : 0;
	size_t rest = l.n - pin, room = (size_t)body - pin;
	v->text_lines = (int)rest;
	if (follows && !v->unfollowed)
		v->scroll = rest > room ? rest - room : 0;
	if (v->scroll + room > rest)
		v->scroll = rest > room ? rest - room : 0;
	attr_t a = screen_attr(&ui->scr, UI_ROLE_DEFAULT);
	for (int i = 0; i < body; i++) {
		size_t k = (size_t)i < pin ? (size_t)i : pin + v->scroll + ((size_t)i - pin);
		screen_put(&ui->scr, w, y + i, 0, width, k < l.n ? l.v[k] : "", a, true, false);
	}
	if (follows) {
		char line[160];
		size_t below = rest - v->scroll - (room < rest ? room : rest);
		if (!v->unfollowed)
			snprintf(line, sizeof(line), "-- following new samples (k or PgUp stops) --");
		else
			snprintf(line, sizeof(line), "-- not following: %zu line%s below (End or F follows) --",
				 below, below == 1 ? "" : "s");
		screen_put(&ui->scr, w, y + body, 0, width, line, screen_attr(&ui->scr, UI_ROLE_MUTED),
			   true, false);
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
	bool up = false;
	switch (ch) {
	case 'j':
	case KEY_DOWN:
		to++;
		break;
	case 'k':
	case KEY_UP:
		to--;
		up = true;
		break;
	case 'g':
	case KEY_HOME:
		to = 0;
		up = true;
		break;
	case 'G':
	case KEY_END:
	case 'F':
		to = v->text_lines;
		v->unfollowed = false;
		break;
	case KEY_NPAGE:
	case 4: /* Ctrl-d */
		to += ch == 4 ? page / 2 : page;
		break;
	case KEY_PPAGE:
	case 21: /* Ctrl-u */
		to -= ch == 21 ? page / 2 : page;
		up = true;
		break;
	default:
		return KEY_UNHANDLED;
	}
	if (up)
		v->unfollowed = true; /* stop following, as less does */
	v->scroll = to < 0 ? 0 : (size_t)to;
	return KEY_HANDLED | KEY_REDRAW;
}

static const struct key_help keys[] = {
	{ "j k g G", "scroll", true },
	{ "g", "of a series: its chart (Home: the top)", false },
	{ "End F", "follow new samples again (k, PgUp: stop)", false },
	{ NULL, NULL, false },
};

const struct view_ops view_inspector_ops = {
	.id = VIEW_INSPECTOR,
	.draw = draw,
	.key = key,
	.keys = keys,
};
