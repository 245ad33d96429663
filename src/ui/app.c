/* app — views, breadcrumb, layout and frames; see include/ui/app.h. */
#include "ui/app.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "loadplan.h"
#include "requests.h"
#include "ui/actions_ui.h"
#include "ui/bars.h"
#include "util.h"

static const struct view_ops *const all_ops[VIEW_COUNT] = {
	[VIEW_SYSTEMS] = &view_systems_ops,	    [VIEW_COMPONENTS] = &view_components_ops,
	[VIEW_DATAPOINTS] = &view_datapoints_ops,   [VIEW_SETPOINTS] = &view_setpoints_ops,
	[VIEW_EVENTS] = &view_events_ops,	    [VIEW_ERRORS] = &view_errors_ops,
	[VIEW_TOKENS] = &view_tokens_ops,	    [VIEW_UNCLASSIFIED] = &view_unclassified_ops,
	[VIEW_INSPECTOR] = &view_inspector_ops,	    [VIEW_REQUESTS] = &view_requests_ops,
};

static const char *const titles[] = {
#define X(id, title, key) title,
	UI_VIEW_LIST(X)
#undef X
};

static const char keys[] = {
#define X(id, title, key) key,
	UI_VIEW_LIST(X)
#undef X
};

const char *view_title(enum view_id id)
{
	return id < VIEW_COUNT ? titles[id] : "?";
}

char view_key(enum view_id id)
{
	return id < VIEW_COUNT ? keys[id] : '?';
}

/* Table callbacks: the table knows only (ctx, id); ctx is the view. */
static void src_rows(void *ctx, struct table *t)
{
	struct view *v = ctx;
	v->ops->rows(v, t);
}

static void src_cell(void *ctx, uint64_t id, size_t col, int width, struct table_cell *out)
{
	struct view *v = ctx;
	v->ops->cell(v, id, col, width, out);
}

static enum ui_role src_row_role(void *ctx, uint64_t id)
{
	struct view *v = ctx;
	return v->ops->row_role ? v->ops->row_role(v, id) : UI_ROLE_DEFAULT;
}

static uint64_t src_rows_stamp(void *ctx)
{
	struct view *v = ctx;
	return v->ops->rows_stamp(v);
}

static uint64_t src_changed_since(void *ctx, uint64_t since, struct table *t)
{
	struct view *v = ctx;
	return v->ops->changed_since(v, since, t);
}

static uint64_t src_epoch(void *ctx)
{
	struct view *v = ctx;
	return v->ops->epoch(v);
}

void app_init(struct ui *ui, const struct config *config, const struct topic_table *topics,
	      struct store *store)
{
	memset(ui, 0, sizeof(*ui));
	ui->config = config;
	ui->topics = topics;
	ui->store = store;
	for (int i = 0; i < VIEW_COUNT; i++) {
		struct view *v = &ui->views[i];
		v->ops = all_ops[i];
		v->ui = ui;
		struct table_source src = { v, src_rows, src_cell, src_row_role };
		if (v->ops->rows_stamp && v->ops->changed_since) {
			src.rows_stamp = src_rows_stamp;
			src.changed_since = src_changed_since;
		}
		if (v->ops->epoch)
			src.epoch = src_epoch;
		if (v->ops->rows)
			table_init(&v->table, v->ops->cols, v->ops->ncols, &src);
	}
	ui->nav_depth = 1;
	ui->nav[0].view = VIEW_SYSTEMS;
	ui->flash_s = 1.0;
	ui->clock_fixed = config->clock ? time_parse_iso8601(config->clock) : -1;
	ui->stale_s = config->stale;
	ui->stuck_s = config->stuck;
	mqtt_status_init(&ui->status);
	ingest_init(&ui->ingest, topics, store);
	actions_ui_init(ui); /* the requests follow what is ingested */
}

static void delete_windows(struct ui *ui)
{
	WINDOW **ws[] = { &ui->w_status, &ui->w_crumb, &ui->w_main, &ui->w_alerts, &ui->w_hints };
	for (size_t i = 0; i < ARRAY_LEN(ws); i++)
		if (*ws[i]) {
			delwin(*ws[i]);
			*ws[i] = NULL;
		}
}

void app_free(struct ui *ui)
{
	delete_windows(ui);
	for (int i = 0; i < VIEW_COUNT; i++)
		table_free(&ui->views[i].table);
}

struct view *ui_current(struct ui *ui)
{
	return &ui->views[ui->nav[ui->nav_depth - 1].view];
}

static void set_context(struct view *v, const struct view_context *ctx)
{
	struct view_context empty;
	memset(&empty, 0, sizeof(empty));
	if (!ctx)
		ctx = &empty;
	if (memcmp(&v->ctx, ctx, sizeof(*ctx)) != 0) {
		v->ctx = *ctx;
		v->table.stale = true;
		/* another system's rows: start at the top */
		v->table.has_sel = false;
		v->table.sel = v->table.top = 0;
	}
}

/* A system drilled into is on screen: never evicted at a store cap
 * (--max-memory) while its step is open. */
static void nav_pin(struct ui *ui, struct nav_step *s)
{
	s->pinned = s->ctx.system[0] && store_find_system(ui->store, s->ctx.system) &&
		    store_pin_system(ui->store, s->ctx.system);
}

static void nav_unpin(struct ui *ui, struct nav_step *s)
{
	if (s->pinned)
		store_unpin_system(ui->store, s->ctx.system);
	s->pinned = false;
}

void ui_open_view(struct ui *ui, enum view_id id, const struct view_context *ctx,
		  const char *label, bool push)
{
	if (push && ui->nav_depth < UI_NAV_MAX) {
		struct nav_step *s = &ui->nav[ui->nav_depth++];
		memset(s, 0, sizeof(*s));
		s->view = id;
		if (ctx)
			s->ctx = *ctx;
		snprintf(s->label, sizeof(s->label), "%s", label ? label : "");
		nav_pin(ui, s);
	} else {
		for (int i = 0; i < ui->nav_depth; i++)
			nav_unpin(ui, &ui->nav[i]);
		ui->nav_depth = 1;
		memset(&ui->nav[0], 0, sizeof(ui->nav[0]));
		ui->nav[0].view = id;
		if (ctx)
			ui->nav[0].ctx = *ctx;
		nav_pin(ui, &ui->nav[0]);
	}
	set_context(&ui->views[id], ctx);
	ui->views[id].scroll = 0;
}

void ui_open_inspector(struct ui *ui, const struct inspect_target *target, const char *label)
{
	ui->inspect = *target;
	ui_open_view(ui, VIEW_INSPECTOR, NULL, label, true);
}

void app_back(struct ui *ui)
{
	if (ui->nav_depth <= 1)
		return;
	nav_unpin(ui, &ui->nav[ui->nav_depth - 1]);
	ui->nav_depth--;
	const struct nav_step *s = &ui->nav[ui->nav_depth - 1];
	set_context(&ui->views[s->view], &s->ctx);
}

void ui_note_deadline(struct ui *ui, double when)
{
	if (when > ui->now && (ui->deadline <= 0 || when < ui->deadline))
		ui->deadline = when;
}

void ui_notice(struct ui *ui, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(ui->flash_message, sizeof(ui->flash_message), fmt, ap);
	va_end(ap);
	ui->flash_until = app_clock(ui) + 3;
}

size_t ui_pending_requests(const struct ui *ui)
{
	return ui->requests ? requests_pending(ui->requests) : 0;
}

uint64_t ui_stamp(const struct ui *ui)
{
	/* both only grow: their sum changes whenever either does */
	return store_stamp(ui->store) + (ui->requests ? requests_stamp(ui->requests) : 0);
}

uint64_t ui_families_stamp(const struct ui *ui, const enum topic_family *families, size_t n)
{
	uint64_t sum = ui->requests ? requests_stamp(ui->requests) : 0;
	for (size_t i = 0; i < n; i++)
		sum += store_family_stamp(ui->store, families[i]);
	return sum;
}

double app_clock(const struct ui *ui)
{
	return ui->clock_fixed >= 0 ? ui->clock_fixed : time_now();
}

void app_count_message(struct ui *ui, double when)
{
	long second = (long)floor(when);
	int i = (int)(((second % UI_RATE_BUCKETS) + UI_RATE_BUCKETS) % UI_RATE_BUCKETS);
	if (ui->rate_second[i] != second) {
		ui->rate_second[i] = second;
		ui->rate_count[i] = 0;
	}
	ui->rate_count[i]++;
	ui->last_message_at = when;
}

/* Row layout: status, tabs + breadcrumb, the view, the alert pane, hints. */
void app_layout(struct ui *ui)
{
	delete_windows(ui);
	int rows = ui->scr.rows, cols = ui->scr.cols;
	ui->alert_lines = bars_alert_lines(ui, rows);
	int main_h = rows - 3 - ui->alert_lines - 1;
	if (main_h < 1) {
		ui->alert_lines = 0;
		main_h = rows - 4 > 1 ? rows - 4 : 1;
	}
	ui->w_status = newwin(1, cols, 0, 0);
	ui->w_crumb = newwin(2, cols, 1, 0);
	ui->w_main = newwin(main_h, cols, 3, 0);
	if (ui->alert_lines)
		ui->w_alerts = newwin(ui->alert_lines, cols, 3 + main_h, 0);
	ui->w_hints = newwin(1, cols, rows - 1, 0);
	WINDOW *all[] = { ui->w_status, ui->w_crumb, ui->w_main, ui->w_alerts, ui->w_hints };
	for (size_t i = 0; i < ARRAY_LEN(all); i++)
		if (all[i]) {
			leaveok(all[i], TRUE);
			scrollok(all[i], FALSE);
		}
	clearok(curscr, TRUE);
}

static void draw_main(struct ui *ui, struct view *v)
{
	WINDOW *w = ui->w_main;
	int h = getmaxy(w), width = getmaxx(w);
	if (v->ops->draw) {
		v->ops->draw(v, w, 0, h, width);
		return;
	}
	int footer = v->ops->footer ? v->ops->footer(v, w, 0, width, false) : 0;
	if (footer >= h)
		footer = 0;
	table_draw(&v->table, &ui->scr, w, 0, h - footer, width);
	if (v->table.count == 0 && h - footer > 2) {
		char why[512];
		const char *msg = v->table.total ? "no row matches the filter (/ to change it)"
				  : v->ops->empty ? v->ops->empty
						  : "nothing received yet";
		/* An empty view of an incomplete state says why (the whole reason). */
		if (!v->table.total && ui->plan && ui->status.state == MQTT_STATE_CONNECTED) {
			enum load_verdict lv = load_plan_verdict(ui->plan, why, sizeof(why));
			if (lv != LOAD_COMPLETE)
				msg = why;
		}
		screen_put(&ui->scr, w, 2, 2, width - 4, msg, screen_attr(&ui->scr, UI_ROLE_MUTED), false,
			   false);
	}
	if (footer)
		v->ops->footer(v, w, h - footer, width, true);
}

void app_draw(struct ui *ui)
{
	ui->now = app_clock(ui);
	ui->deadline = 0;
	if (!ui->w_main)
		return;
	struct view *v = ui_current(ui);
	int width = ui->scr.cols;
	if (v->ops->rows) {
		/* the table needs its height for scrolling before the rebuild */
		v->table.height = getmaxy(ui->w_main) - 1;
		table_refresh(&v->table, v->ops->data_stamp ? v->ops->data_stamp(v) : ui_stamp(ui));
	}
	draw_main(ui, v);
	bars_draw_status(ui, ui->w_status, width);
	bars_draw_tabs(ui, ui->w_crumb, 0, width);
	bars_draw_crumb(ui, ui->w_crumb, 1, width);
	if (ui->w_alerts)
		bars_draw_alerts(ui, ui->w_alerts, ui->alert_lines, width);
	bars_draw_hints(ui, ui->w_hints, width);
	/* messages per second changes on the next second while traffic flows */
	if (bars_rate(ui) > 0 || ui->now - ui->last_message_at < 2)
		ui_note_deadline(ui, floor(ui->now) + 1.0);
	WINDOW *all[] = { ui->w_status, ui->w_crumb, ui->w_main, ui->w_alerts, ui->w_hints };
	for (size_t i = 0; i < ARRAY_LEN(all); i++)
		if (all[i]) {
			touchwin(all[i]);
			wnoutrefresh(all[i]);
		}
	if (ui->mode == INPUT_HELP)
		bars_draw_help(ui, ui->scr.rows, ui->scr.cols);
	else
		actions_ui_draw(ui);
	doupdate();
}
