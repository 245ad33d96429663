/* app — the views set up, the layout and one frame; see include/ui/app.h. */
#include "ui/app.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "loadplan.h"
#include "ui/actions_ui.h"
#include "ui/bars.h"
#include "ui/export.h"
#include "util.h"

static const struct view_ops *const all_ops[VIEW_ALL] = {
	[VIEW_SYSTEMS] = &view_systems_ops,	    [VIEW_COMPONENTS] = &view_components_ops,
	[VIEW_DATAPOINTS] = &view_datapoints_ops,   [VIEW_SETPOINTS] = &view_setpoints_ops,
	[VIEW_EVENTS] = &view_events_ops,	    [VIEW_ERRORS] = &view_errors_ops,
	[VIEW_TOKENS] = &view_tokens_ops,	    [VIEW_UNCLASSIFIED] = &view_unclassified_ops,
	[VIEW_INSPECTOR] = &view_inspector_ops,	    [VIEW_REQUESTS] = &view_requests_ops,
	[VIEW_CHART] = &view_chart_ops,
};

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

static bool src_may_contain(void *ctx, uint64_t id, size_t col, const char *needle, size_t len)
{
	struct view *v = ctx;
	return v->ops->may_contain(v, id, col, needle, len);
}

void app_init(struct ui *ui, const struct config *config, const struct topic_table *topics,
	      struct store *store)
{
	memset(ui, 0, sizeof(*ui));
	ui->config = config;
	ui->topics = topics;
	ui->store = store;
	for (int i = 0; i < VIEW_ALL; i++) {
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
		if (v->ops->may_contain)
			src.may_contain = src_may_contain;
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
	export_close(ui);
	for (int i = 0; i < VIEW_ALL; i++) {
		if (ui->views[i].ops->free)
			ui->views[i].ops->free(&ui->views[i]);
		table_free(&ui->views[i].table);
	}
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
	ui->now = ui_clock(ui);
	ui->deadline = 0;
	if (!ui->w_main)
		return;
	struct view *v = ui_current(ui);
	int width = ui->scr.cols;
	if (v->ops->rows) {
		/* the table needs its height for scrolling before the rebuild */
		v->table.height = getmaxy(ui->w_main) - 1;
		/* paused (p): the rows stay as they are, unless the operator
		 * changed the filter or the order himself */
		if (!v->paused || v->table.stale || table_progress(&v->table) >= 0)
			table_refresh(&v->table, v->ops->data_stamp ? v->ops->data_stamp(v) : ui_stamp(ui));
		/* a new sort or filter spread over frames: the next one soon */
		if (table_progress(&v->table) >= 0)
			ui_note_deadline(ui, ui->now + 0.01);
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
	else if (ui->export)
		export_draw(ui);
	else
		actions_ui_draw(ui);
	doupdate();
}
