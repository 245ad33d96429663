/* bars — see include/ui/bars.h. */
#include "ui/bars.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "alerts.h"
#include "loadplan.h"
#include "requests.h"
#include "ui/actions_ui.h"
#include "ui/fmt.h"
#include "ui/live.h"
#include "util.h"

const struct key_help bars_global_keys[] = {
	{ "q", "quit (asks when requests are pending)", true },
	{ "?", "help: every key of this view", true },
	{ "Tab S-Tab", "next / previous view", true },
	{ "1-9 0", "switch view (1 Systems ... 9 Inspector, 0 Requests)", false },
	{ "Esc Bksp", "back to where you drilled from", false },
	{ "/", "filter: substring, or field:value for one column", true },
	{ "s S", "sort by the next column / reverse the order", true },
	{ "i", "inspect the selected row (topic, payload)", false },
	{ "j k Up Down", "move the selection", false },
	{ "g Home", "first row", false },
	{ "G End", "last row", false },
	{ "PgUp PgDn", "page up / down", false },
	{ "C-u C-d", "half a page up / down", false },
	{ "mouse", "click selects, the wheel scrolls (--no-mouse: off)", false },
	{ "C-l", "redraw the screen", false },
	{ "p", "pause the view (rows stay; the inspector stops following) / resume", false },
	{ "y", "copy the row's identifier or value to the clipboard (OSC 52)", false },
	{ "w", "write the view (or a series' history) as CSV", false },
	{ "a", "acknowledge the alert pane's top unacknowledged alert", false, true },
	{ "A", "why an audit line was not written (when the status bar says so); clears it", false },
	{ NULL, NULL, false },
};

unsigned long bars_rate(const struct ui *ui)
{
	long second = (long)floor(ui->now) - 1;
	for (int i = 0; i < UI_RATE_BUCKETS; i++)
		if (ui->rate_second[i] == second)
			return (unsigned long)ui->rate_count[i];
	return 0;
}

/* Appends one segment if it fits; returns the new x. */
static int segment(struct ui *ui, WINDOW *w, int x, int limit, const char *text, enum ui_role role)
{
	char clean[512];
	struct sanitize_result r = sanitize_text(text, strlen(text), ui->scr.smode, clean,
						 sizeof(clean), 0);
	if (x + (int)r.columns > limit)
		return x;
	screen_put(&ui->scr, w, 0, x, (int)r.columns, text, screen_attr(&ui->scr, role), false, false);
	return x + (int)r.columns;
}

void bars_draw_status(struct ui *ui, WINDOW *w, int width)
{
	const struct ui_glyphs *g = ui->scr.g;
	attr_t bar = screen_attr(&ui->scr, UI_ROLE_STATUS_BAR);
	/* --bell: a new ERROR-level event flashes the bar for a second */
	if (ui->bell_until > ui->now) {
		bar = screen_attr(&ui->scr, UI_ROLE_STATUS_BAD) | A_REVERSE;
		ui_note_deadline(ui, ui->bell_until);
	}
	wattrset(w, bar);
	mvwhline(w, 0, 0, ' ', width);

	char clock[16] = "";
	time_t t = (time_t)ui->now;
	struct tm tm;
	localtime_r(&t, &tm);
	strftime(clock, sizeof(clock), "%H:%M", &tm);
	int limit = width - (int)strlen(clock) - 2; /* a blank before the clock */

	char buf[512];
	enum ui_role role;
	const char *sym;
	if (!ui->mqtt) {
		snprintf(buf, sizeof(buf), " %s replay %s ", g->conn_connected, ui->replay_label);
		role = UI_ROLE_STATUS_OK;
	} else {
		char state[300];
		mqtt_status_format(&ui->status, ui->now, state, sizeof(state));
		switch (ui->status.state) {
		case MQTT_STATE_CONNECTED:
			role = ui->status.subscribed ? UI_ROLE_STATUS_OK : UI_ROLE_STATUS_WARN;
			sym = g->conn_connected;
			break;
		case MQTT_STATE_CONNECTING:
		case MQTT_STATE_RECONNECTING:
		case MQTT_STATE_IDLE:
			role = UI_ROLE_STATUS_WARN;
			sym = g->conn_partial;
			break;
		default:
			role = UI_ROLE_STATUS_BAD;
			sym = g->conn_disconnected;
			break;
		}
		snprintf(buf, sizeof(buf), " %s %s ", sym, state);
	}
	/* dropped / evicted are what an operator must never miss: their room
	 * is kept at the right end first, and the other segments (broker,
	 * load, requests, rate, total) give way before them at 80 columns. */
	const struct store_counters *c = store_counters(ui->store);
	uint64_t evicted = store_evicted_total(ui->store) + c->errors_evicted +
			   c->unclassified_dropped;
	uint64_t dropped = ui->dropped + store_refused_total(ui->store);
	char drop_part[48], evict_part[48];
	snprintf(drop_part, sizeof(drop_part), " dropped %llu", (unsigned long long)dropped);
	snprintf(evict_part, sizeof(evict_part), " evicted %llu", (unsigned long long)evicted);
	int tail = (int)(strlen(drop_part) + strlen(evict_part));
	int full_limit = limit;
	limit = limit - tail > 0 ? limit - tail : 0;
	int x = 0;
	char head[600];
	if (ui->broker) {
		snprintf(head, sizeof(head), " %s TLS:%s ", ui->broker, ui->tls ? "yes" : "no");
		if (ui->insecure) /* not a secure connection: said where TLS is shown, as a warning */
			snprintf(head, sizeof(head), " %s ", ui->broker);
		x = segment(ui, w, x, limit, head, UI_ROLE_STATUS_BAR);
		if (ui->insecure)
			x = segment(ui, w, x, limit, "TLS:unverified ", UI_ROLE_STATUS_WARN);
	}
	int after = segment(ui, w, x, limit, buf, role);
	if (after == x) /* too narrow: the state goes first, cut */ {
		screen_put(&ui->scr, w, 0, x, limit - x, buf, screen_attr(&ui->scr, role), false, false);
		after = limit;
	}
	x = after;
	/* first after the connection: an action that left no audit line stays
	 * said until the operator acknowledges it (A) */
	char unaudited[160];
	if (actions_ui_audit_warning(ui, unaudited, sizeof(unaudited)))
		x = segment(ui, w, x, limit, unaudited, UI_ROLE_STATUS_BAD);
	char load[160];
	if (live_status(ui, load, sizeof(load))) /* p: the rows are frozen */
		x = segment(ui, w, x, limit, load, UI_ROLE_STATUS_WARN);
	if (ui->bell_until > ui->now) {
		snprintf(load, sizeof(load), " %s new ERROR event (%llu rung) ",
			 ui->scr.g->level[LEVEL_ERROR], (unsigned long long)ui->bells);
		x = segment(ui, w, x, limit, load, UI_ROLE_STATUS_BAD);
	}
	if (bars_load_state(ui, load, sizeof(load)))
		x = segment(ui, w, x, limit, load, UI_ROLE_STATUS_WARN);
	/* before the counters: requests not at their end yet (the Requests
	 * view, 0, has them; the outbox waits for the connection), read-only */
	char part[128];
	size_t pending = ui_pending_requests(ui);
	if (pending) {
		size_t outbox = requests_count_state(ui->requests, REQUEST_QUEUED);
		if (outbox)
			snprintf(part, sizeof(part), " requests %zu, outbox %zu ", pending, outbox);
		else
			snprintf(part, sizeof(part), " requests %zu ", pending);
		x = segment(ui, w, x, limit, part, UI_ROLE_STATUS_WARN);
	}
	if (ui->read_only)
		x = segment(ui, w, x, limit, " read-only ", UI_ROLE_STATUS_WARN);
	if (ui->config->scope_count) { /* --system / --systems-file: not the whole domain */
		snprintf(part, sizeof(part), " scope: %zu system%s ", ui->config->scope_count,
			 ui->config->scope_count == 1 ? "" : "s");
		x = segment(ui, w, x, limit, part, UI_ROLE_STATUS_WARN);
	}
	snprintf(part, sizeof(part), " %lu msg/s", bars_rate(ui));
	x = segment(ui, w, x, limit, part, UI_ROLE_STATUS_BAR);
	snprintf(part, sizeof(part), " total %llu", (unsigned long long)c->messages);
	x = segment(ui, w, x, limit, part, UI_ROLE_STATUS_BAR);
	snprintf(part, sizeof(part), " decode-err %llu",
		 (unsigned long long)c->decode_errors);
	x = segment(ui, w, x, limit, part, c->decode_errors ? UI_ROLE_STATUS_WARN : UI_ROLE_STATUS_BAR);
	x = segment(ui, w, x, full_limit, drop_part,
		    dropped ? UI_ROLE_STATUS_WARN : UI_ROLE_STATUS_BAR);
	segment(ui, w, x, full_limit, evict_part, evicted ? UI_ROLE_STATUS_WARN : UI_ROLE_STATUS_BAR);
	screen_put(&ui->scr, w, 0, width - (int)strlen(clock) - 1, (int)strlen(clock), clock, bar,
		   false, false);
}

bool bars_load_state(const struct ui *ui, char *buf, size_t size)
{
	if (!ui->plan || ui->status.state != MQTT_STATE_CONNECTED)
		return false;
	struct load_stats st;
	load_plan_stats(ui->plan, &st);
	switch (load_plan_verdict(ui->plan, NULL, 0)) {
	case LOAD_COMPLETE:
		return false;
	case LOAD_LOADING:
		if (st.stage == LOAD_STAGE_SYSTEMS || st.systems_loaded < st.systems_known)
			snprintf(buf, size, " loading %zu/%zu systems ", st.systems_loaded,
				 st.systems_known);
		else
			snprintf(buf, size, " loading: %s ", load_stage_name(st.stage));
		return true;
	case LOAD_REFUSED:
		snprintf(buf, size, " %s %zu subscription%s refused: partial state ", ui->scr.g->level[LEVEL_WARNING],
			 st.filters_refused, st.filters_refused == 1 ? "" : "s");
		return true;
	case LOAD_FAILED:
		snprintf(buf, size, " %s subscribe failed: partial state ", ui->scr.g->level[LEVEL_WARNING]);
		return true;
	case LOAD_NOTHING:
		snprintf(buf, size, " %s nothing for slug %s ", ui->scr.g->level[LEVEL_WARNING], ui->config->slug);
		return true;
	case LOAD_NO_WILDCARD_RETAINED:
		snprintf(buf, size,
			 " %s no retained messages on wildcard subscriptions (RabbitMQ < 3.12?) ",
			 ui->scr.g->level[LEVEL_WARNING]);
		return true;
	case LOAD_INDEX_LOSSY:
		snprintf(buf, size, " %s index cut by the broker: %zu systems read, more missing ",
			 ui->scr.g->level[LEVEL_WARNING], st.systems_known);
		return true;
	case LOAD_SUBTREE_CUT:
		snprintf(buf, size, " %s %zu system%s cut by the broker: partial state ",
			 ui->scr.g->level[LEVEL_WARNING], st.subtrees_cut, st.subtrees_cut == 1 ? "" : "s");
		return true;
	case LOAD_SCOPE_MISSING:
		snprintf(buf, size, " %s %zu of the scope not found ", ui->scr.g->level[LEVEL_WARNING],
			 st.scope_missing);
		return true;
	case LOAD_VERDICT_COUNT:
		break;
	}
	return false;
}

/* The tab bar's forms, widest first: every title; the numbers with the
 * current view's title; the numbers alone. */
enum tab_form { TABS_TITLES, TABS_CURRENT_TITLE, TABS_NUMBERS };

static void tab_label(enum tab_form form, int v, bool active, char *buf, size_t size)
{
	if (form == TABS_CURRENT_TITLE && active)
		snprintf(buf, size, " [%c %s]", view_key((enum view_id)v), view_title((enum view_id)v));
	else if (form == TABS_TITLES)
		snprintf(buf, size, "%c%c %s%c", active ? '[' : ' ', view_key((enum view_id)v),
			 view_title((enum view_id)v), active ? ']' : ' ');
	else if (active)
		snprintf(buf, size, " [%c]", view_key((enum view_id)v));
	else
		snprintf(buf, size, " %c", view_key((enum view_id)v));
}

void bars_draw_tabs(struct ui *ui, WINDOW *w, int y, int width)
{
	enum view_id cur = ui_current(ui)->ops->id;
	char tab[64];
	/* Titles are never cut: the first form that fits whole */
	enum tab_form form = TABS_TITLES;
	for (; form < TABS_NUMBERS; form++) {
		int need = 0;
		for (int v = 0; v < VIEW_COUNT; v++) {
			tab_label(form, v, v == (int)cur, tab, sizeof(tab));
			need += (int)strlen(tab);
		}
		if (need <= width)
			break;
	}
	attr_t plain = screen_attr(&ui->scr, UI_ROLE_TAB);
	wattrset(w, plain);
	mvwhline(w, y, 0, ' ', width);
	int x = 0;
	for (int v = 0; v < VIEW_COUNT && x < width; v++) {
		bool active = v == (int)cur;
		tab_label(form, v, active, tab, sizeof(tab));
		int n = (int)strlen(tab);
		if (x + n > width)
			break;
		screen_put(&ui->scr, w, y, x, n, tab,
			   screen_attr(&ui->scr, active ? UI_ROLE_TAB_ACTIVE : UI_ROLE_TAB), false, false);
		x += n;
	}
}

void bars_draw_crumb(struct ui *ui, WINDOW *w, int y, int width)
{
	char crumb[1024];
	size_t used = 0;
	for (int i = 0; i < ui->nav_depth && used < sizeof(crumb); i++) {
		const struct nav_step *s = &ui->nav[i];
		if (i)
			used += (size_t)snprintf(crumb + used, sizeof(crumb) - used, "%s", ui->scr.g->crumb);
		if (s->label[0])
			used += (size_t)snprintf(crumb + used, sizeof(crumb) - used, "%s%s", s->label,
						 ui->scr.g->crumb);
		if (used < sizeof(crumb))
			used += (size_t)snprintf(crumb + used, sizeof(crumb) - used, "%s",
						 view_title(s->view));
	}
	struct view *v = ui_current(ui);
	char info[256] = "";
	if (v->ops->rows) {
		const struct table *t = &v->table;
		size_t n = (size_t)snprintf(info, sizeof(info), "%zu", t->count);
		if (t->count != t->total)
			n += (size_t)snprintf(info + n, sizeof(info) - n, "/%zu", t->total);
		n += (size_t)snprintf(info + n, sizeof(info) - n, " row%s", t->total == 1 ? "" : "s");
		if (t->filter[0])
			n += (size_t)snprintf(info + n, sizeof(info) - n, "  /%s", t->filter);
		if (t->sort_col >= 0)
			snprintf(info + n, sizeof(info) - n, "  sort %s%s", t->cols[t->sort_col].name,
				 t->sort_desc ? ui->scr.g->sort_desc : ui->scr.g->sort_asc);
	}
	attr_t a = screen_attr(&ui->scr, UI_ROLE_CRUMB);
	wattrset(w, a);
	mvwhline(w, y, 0, ' ', width);
	/* The info (rows, filter, sort) is right-aligned and wins over a long crumb. */
	char clean[512];
	struct sanitize_result r = sanitize_text(info, strlen(info), ui->scr.smode, clean,
						 sizeof(clean), (size_t)(width / 2));
	int info_w = (int)r.columns;
	screen_put(&ui->scr, w, y, 0, width - info_w - 1, crumb, a, true, false);
	screen_put(&ui->scr, w, y, width - info_w, info_w, info, screen_attr(&ui->scr, UI_ROLE_MUTED),
		   false, false);
}

int bars_alert_lines(const struct ui *ui, int rows)
{
	(void)ui;
	int want = rows >= 40 ? 5 : rows >= 24 ? 3 : rows >= 16 ? 1 : 0;
	return want + 1; /* + the title line */
}

void bars_draw_alerts(struct ui *ui, WINDOW *w, int height, int width)
{
	if (height <= 0)
		return;
	const struct ui_glyphs *g = ui->scr.g;
	size_t idx[16];
	struct alert_counts counts;
	size_t max = (size_t)(height - 1) < ARRAY_LEN(idx) ? (size_t)(height - 1) : ARRAY_LEN(idx);
	size_t n = alerts_active(ui->store, idx, max, &counts);
	unsigned total = counts.total;
	char title[256];
	size_t used = (size_t)snprintf(title, sizeof(title), "%s%s Alerts: ", g->hline, g->hline);
	if (!total) {
		snprintf(title + used, sizeof(title) - used, "no active events ");
	} else {
		used += (size_t)snprintf(title + used, sizeof(title) - used, "%u active", total);
		for (int l = LEVEL_COUNT - 1; l >= 0; l--)
			if (counts.level[l])
				used += (size_t)snprintf(title + used, sizeof(title) - used, ", %s %u %s",
							 g->level[l], counts.level[l], event_level_name((enum event_level)l));
		snprintf(title + used, sizeof(title) - used, " ");
	}
	attr_t ta = screen_attr(&ui->scr, UI_ROLE_ALERT_TITLE);
	wattrset(w, ta);
	mvwhline(w, 0, 0, ' ', width);
	int tw = screen_put(&ui->scr, w, 0, 0, width, title, ta, false, false);
	for (int x = tw; x < width; x++)
		mvwaddstr(w, 0, x, g->hline);
	for (int line = 1; line < height; line++) {
		size_t k = (size_t)line - 1;
		if (k >= n) {
			wattrset(w, screen_attr(&ui->scr, UI_ROLE_DEFAULT));
			mvwhline(w, line, 0, ' ', width);
			continue;
		}
		const struct event *e = store_event_at(ui->store, idx[k]);
		const struct event_model *m =
			e->event_model_uuid ? store_find_event_model(ui->store, e->event_model_uuid) : NULL;
		char level[32], entity[256], age[16], text[1024];
		enum event_level lv = store_event_level(ui->store, e);
		enum ui_role role = fmt_level_role(lv);
		/* padded by hand: the glyph is one column but several bytes */
		snprintf(level, sizeof(level), "%s %-7s", g->level[lv < LEVEL_COUNT ? lv : 0],
			 event_level_name(lv));
		fmt_event_entity(ui->store, e, entity, sizeof(entity));
		fmt_age(ui->now, e->time, age, sizeof(age));
		/* Device strings (model code, message, entity) are sanitised by screen_put. */
		/* an acknowledgement on its way shows its state */
		const struct request *q = e->acknowledged ? NULL : requests_for_event(ui->requests, e->uuid);
		char ack[96] = "";
		if (e->acknowledged)
			snprintf(ack, sizeof(ack), "  acknowledged");
		else if (q)
			snprintf(ack, sizeof(ack), "  ack #%u %s", q->id, request_state_name(q->state));
		snprintf(text, sizeof(text), "%s  %s  %.200s  %s  %s ago%s", level,
			 m && m->code ? m->code : "?", m && m->message ? m->message : "", entity, age, ack);
		screen_put(&ui->scr, w, line, 0, width, text, screen_attr(&ui->scr, role), true, false);
	}
}

/* Appends "key what" pairs while they fit. */
static int hint(struct ui *ui, WINDOW *w, int x, int width, const char *key, const char *what)
{
	int need = (int)strlen(key) + (int)strlen(what) + 3;
	if (x + need > width)
		return x;
	x += screen_put(&ui->scr, w, 0, x, (int)strlen(key) + 2, key,
			screen_attr(&ui->scr, UI_ROLE_KEY_HINT_KEY), false, false);
	x += screen_put(&ui->scr, w, 0, x + 1, (int)strlen(what), what,
			screen_attr(&ui->scr, UI_ROLE_KEY_HINT_TEXT), false, false) + 2;
	return x;
}

/* The first word of a help text, for the hint bar. */
static void short_what(const char *what, char *buf, size_t size)
{
	size_t n = strcspn(what, " :(,");
	snprintf(buf, size, "%.*s", (int)n, what);
	if (buf[0] >= 'a' && buf[0] <= 'z')
		buf[0] = (char)(buf[0] - 'a' + 'A');
}

void bars_draw_hints(struct ui *ui, WINDOW *w, int width)
{
	attr_t a = screen_attr(&ui->scr, UI_ROLE_KEY_HINT_TEXT);
	wattrset(w, a);
	mvwhline(w, 0, 0, ' ', width);
	if (ui->mode == INPUT_FILTER) {
		const struct table *t = &ui_current(ui)->table;
		char line[768];
		if (t->filter_error[0]) {
			/* said where the operator types, with the names to use */
			char fields[256];
			table_filter_fields(t, fields, sizeof(fields));
			snprintf(line, sizeof(line), "Filter: %s_   %s %s; columns: %s", ui->filter_edit,
				 ui->scr.g->level[LEVEL_ERROR], t->filter_error, fields);
			screen_put(&ui->scr, w, 0, 0, width, line,
				   screen_attr(&ui->scr, UI_ROLE_STATUS_BAD), true, false);
			return;
		}
		snprintf(line, sizeof(line),
			 "Filter: %s_   (Enter keep, Esc clear; terms all match, field:value for one column)",
			 ui->filter_edit);
		screen_put(&ui->scr, w, 0, 0, width, line, screen_attr(&ui->scr, UI_ROLE_PROMPT), true, false);
		return;
	}
	if (ui->mode == INPUT_CONFIRM_QUIT) {
		char line[256];
		snprintf(line, sizeof(line), "%zu request(s) still pending: quit anyway? (y/n%s)",
			 ui_pending_requests(ui), ui->interrupt_asked ? ", Ctrl-C again: quit" : "");
		screen_put(&ui->scr, w, 0, 0, width, line, screen_attr(&ui->scr, UI_ROLE_PROMPT), true, false);
		return;
	}
	if (ui->flash_message[0] && ui->now < ui->flash_until) {
		screen_put(&ui->scr, w, 0, 0, width, ui->flash_message,
			   screen_attr(&ui->scr, UI_ROLE_PROMPT), true, false);
		ui_note_deadline(ui, ui->flash_until);
		return;
	}
	struct view *v = ui_current(ui);
	bool table = v->ops->rows != NULL;
	int x = 0;
	x = hint(ui, w, x, width, "q", "Quit");
	x = hint(ui, w, x, width, "?", "Help");
	x = hint(ui, w, x, width, "Tab", "View");
	if (ui->nav_depth > 1)
		x = hint(ui, w, x, width, "Esc", "Back");
	char what[64];
	for (const struct key_help *k = v->ops->keys; k && k->keys; k++)
		if (k->hint && !(k->action && ui->read_only) && (!table || v->table.count > 0)) {
			short_what(k->what, what, sizeof(what));
			x = hint(ui, w, x, width, k->keys, what);
		}
	if (table) {
		x = hint(ui, w, x, width, "/", "Filter");
		x = hint(ui, w, x, width, "s", "Sort");
	}
}

/* The length of the next line of `text` at most `width` columns wide, cut
 * after a blank when it can be (help texts are ours: ASCII). */
static size_t wrap_at(const char *text, size_t width)
{
	size_t len = strlen(text);
	if (len <= width)
		return len;
	for (size_t i = width; i > 0; i--)
		if (text[i] == ' ')
			return i;
	return width;
}

/* Lines the text takes when wrapped to width (at least 1). */
static int wrapped_lines(const char *text, size_t width)
{
	int n = 0;
	do {
		size_t cut = wrap_at(text, width);
		text += cut;
		text += strspn(text, " ");
		n++;
	} while (*text);
	return n;
}

/* Is this one key (a token of a help entry's keys, e.g. "g" of "g G Home
 * End") one the view defines itself? */
static bool view_has_key(const struct key_help *own, const char *key, size_t len)
{
	for (const struct key_help *k = own; k && k->keys; k++)
		for (const char *t = k->keys; *t; t += strspn(t, " ")) {
			size_t n = strcspn(t, " ");
			if (n == len && strncmp(t, key, len) == 0)
				return true;
			t += n;
		}
	return false;
}

/* The global entry's keys less those the view defines itself: the view's
 * meaning wins (a in the events view, g in the datapoints view), each key
 * listed once.  Empty: the entry is not listed. */
static void global_keys_left(const struct key_help *own, const char *keys, char *out, size_t size)
{
	size_t used = 0;
	out[0] = '\0';
	for (const char *t = keys; *t; t += strspn(t, " ")) {
		size_t n = strcspn(t, " ");
		if (!view_has_key(own, t, n) && used + n + 2 < size) {
			if (used)
				out[used++] = ' ';
			memcpy(out + used, t, n);
			out[used += n] = '\0';
		}
		t += n;
	}
}

/* One help entry: listed (false: skipped) with its keys and text. */
static bool help_entry(const struct ui *ui, const struct view *v, int set, const struct key_help *k,
		       char *keys, size_t keys_size, char *what, size_t size)
{
	bool table = v->ops->rows != NULL;
	/* table keys mean nothing in a text view and vice versa */
	if (!table && (strcmp(k->keys, "/") == 0 || strcmp(k->keys, "s S") == 0 ||
		       strcmp(k->keys, "i") == 0))
		return false;
	if (set == 1)
		global_keys_left(v->ops->keys, k->keys, keys, keys_size);
	else
		snprintf(keys, keys_size, "%s", k->keys);
	if (!keys[0])
		return false;
	/* actions under --read-only: listed, greyed, and said to be off */
	bool off = k->action && ui->read_only;
	size_t n = (size_t)snprintf(what, size, "%s%s", off ? "off (--read-only): " : "", k->what);
	if (table && strcmp(k->keys, "/") == 0 && n < size) {
		char fields[256];
		table_filter_fields(&v->table, fields, sizeof(fields));
		snprintf(what + n, size - n, "; space-separated terms all match; fields: %s", fields);
	}
	return true;
}

#define HELP_KEYS_W 14

/* An entry's text from row y, wrapped to text_w; the row of its last line. */
static int help_text(struct ui *ui, WINDOW *win, int y, int h, size_t text_w, const char *text,
		     attr_t attr)
{
	for (bool first = true; *text && y < h - 1; first = false) {
		size_t cut = wrap_at(text, text_w);
		char part[512];
		snprintf(part, sizeof(part), "%.*s", (int)cut, text);
		if (!first)
			y++;
		screen_put(&ui->scr, win, y, HELP_KEYS_W + 3, (int)text_w, part, attr, false, false);
		text += cut;
		text += strspn(text, " ");
	}
	return y;
}

/* Under `make demo` (src/sim/demo.sh sets DRIVR_DEMO_JOIN): the command that
 * joins the demo from another terminal, listed first in the help. */
static bool demo_join(char *what, size_t size)
{
	const char *line = getenv("DRIVR_DEMO_JOIN");
	if (!line || !*line)
		return false;
	snprintf(what, size, "join from another terminal: %s", line);
	return true;
}

void bars_draw_help(struct ui *ui, int rows, int cols)
{
	struct view *v = ui_current(ui);
	const struct key_help *sets[2] = { v->ops->keys, bars_global_keys };
	char keys[64], what[512], join[512];
	bool demo = demo_join(join, sizeof(join));
	/* as wide as the longest text needs, at most the screen */
	size_t widest = demo ? strlen(join) : 0;
	for (int s = 0; s < 2; s++)
		for (const struct key_help *k = sets[s]; k && k->keys; k++)
			if (help_entry(ui, v, s, k, keys, sizeof(keys), what, sizeof(what)) && strlen(what) > widest)
				widest = strlen(what);
	int wdt = (int)widest + HELP_KEYS_W + 6;
	if (wdt > cols - 2)
		wdt = cols - 2;
	if (wdt < HELP_KEYS_W + 10)
		wdt = cols;
	size_t text_w = (size_t)(wdt - HELP_KEYS_W - 6);
	int lines = 4 + (demo ? wrapped_lines(join, text_w) : 0);
	for (int s = 0; s < 2; s++)
		for (const struct key_help *k = sets[s]; k && k->keys; k++)
			if (help_entry(ui, v, s, k, keys, sizeof(keys), what, sizeof(what)))
				lines += wrapped_lines(what, text_w);
	int h = lines < rows - 2 ? lines : rows - 2;
	WINDOW *win = newwin(h, wdt, (rows - h) / 2, (cols - wdt) / 2);
	if (!win)
		return;
	attr_t a = screen_attr(&ui->scr, UI_ROLE_HELP), ka = screen_attr(&ui->scr, UI_ROLE_HELP_KEY);
	wattrset(win, a);
	for (int y = 0; y < h; y++)
		mvwhline(win, y, 0, ' ', wdt);
	char title[128];
	snprintf(title, sizeof(title), "Keys of %s (any key closes)", view_title(v->ops->id));
	int y = 1;
	attr_t muted = screen_attr(&ui->scr, UI_ROLE_MUTED);
	if (demo) {
		screen_put(&ui->scr, win, ++y, 2, HELP_KEYS_W, "demo", ka, false, false);
		y = help_text(ui, win, y, h, text_w, join, a);
	}
	for (int s = 0; s < 2; s++)
		for (const struct key_help *k = sets[s]; k && k->keys && y < h - 2; k++) {
			if (!help_entry(ui, v, s, k, keys, sizeof(keys), what, sizeof(what)))
				continue;
			bool off = k->action && ui->read_only;
			screen_put(&ui->scr, win, ++y, 2, HELP_KEYS_W, keys, off ? muted : ka, false,
				   false);
			y = help_text(ui, win, y, h, text_w, what, off ? muted : a);
		}
	/* a frame drawn with plain characters: no ACS, so ASCII stays ASCII */
	for (int x = 0; x < wdt; x++) {
		mvwaddstr(win, 0, x, x == 0 || x == wdt - 1 ? "+" : "-");
		mvwaddstr(win, h - 1, x, x == 0 || x == wdt - 1 ? "+" : "-");
	}
	for (int yy = 1; yy < h - 1; yy++) {
		mvwaddstr(win, yy, 0, "|");
		mvwaddstr(win, yy, wdt - 1, "|");
	}
	screen_put(&ui->scr, win, 0, 2, wdt - 4, title, ka, false, false);
	wnoutrefresh(win);
	delwin(win);
}
