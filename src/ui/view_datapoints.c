/* view_datapoints — one row per series (a datapoint time stream): where it
 * comes from, the last value and its type, age, a sparkline of the history
 * ring and the update rate.  Numeric values that just changed flash (role
 * VALUE_CHANGED) for flash_s; series without an update for --stale seconds
 * are dimmed (VALUE_STALE, and the age column says "stale"). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "ui/actions_ui.h"
#include "ui/fmt.h"
#include "ui/view.h"

enum { COL_SYSTEM, COL_COMPONENT, COL_SERVICE, COL_CHAR, COL_VALUE, COL_TYPE, COL_AGE, COL_TREND,
       COL_RATE };

static const struct table_column columns[] = {
	/* stable: a series' key and its system's name (the epoch) */
	[COL_SYSTEM] = { "system", 8, 20, 3, false, false, false, false, true, .key = true },
	[COL_COMPONENT] = { "component", 9, 18, 2, false, false, false, false, true, .key = true },
	[COL_SERVICE] = { "service", 7, 14, 4, false, false, false, false, true, .key = true },
	[COL_CHAR] = { "characteristic", 10, 0, 0, false, false, false, false, true, .key = true },
	[COL_VALUE] = { "value", 8, 16, 0, true, false, false },
	[COL_TYPE] = { "type", 4, 4, 5, false, false, false },
	[COL_AGE] = { "age", 5, 6, 1, true, true, false, true },
	[COL_TREND] = { "trend", 8, 24, 2, false, false, false, true },
	/* derived, like the age: searched by name only (rate:/m) */
	[COL_RATE] = { "rate", 7, 8, 6, true, true, true, true, .clocked = true },
};

/* Under a drill-down the system (and the component) is the same on every
 * row: the breadcrumb names it. */
static uint32_t context_columns(const struct view_context *ctx)
{
	return (ctx->system[0] ? 1u << COL_SYSTEM : 0) | (ctx->component[0] ? 1u << COL_COMPONENT : 0);
}

static bool in_context(const struct view *v, const struct series *s)
{
	if (v->ctx.system[0] && strcmp(s->system, v->ctx.system)) {
		/* datapoints may name their system by code */
		const struct system *sys = store_find_system(v->ui->store, v->ctx.system);
		if (!sys || !sys->code || strcmp(s->system, sys->code))
			return false;
	}
	return !v->ctx.component[0] || strcmp(s->component, v->ctx.component) == 0;
}

static void rows(struct view *v, struct table *t)
{
	const struct store *store = v->ui->store;
	bool all = !v->ctx.system[0] && !v->ctx.component[0];
	for (size_t i = store_series_next_live(store, 0); i != STORE_NO_SERIES;
	     i = store_series_next_live(store, i + 1))
		if (all || in_context(v, store_series_at(store, i)))
			table_add_row(t, i);
}

static bool is_stale(const struct ui *ui, const struct series *s)
{
	return ui->stale_s > 0 && ui->now - s->received_at >= ui->stale_s;
}

/* Updates per second over a window from the ring's oldest sample to now (not
 * to the newest sample): a series that fell silent shows its rate falling
 * instead of the last one it had. */
static double rate_per_s(const struct series *s, double now)
{
	struct sample oldest, newest;
	size_t got = series_span(s, &oldest, &newest);
	if (got < 2)
		return 0;
	double end = now > newest.time ? now : newest.time;
	double span = end - oldest.time;
	return span > 0 ? (double)(got - 1) / span : 0;
}

/* The system's name for a series.  Series keep their system uuid interned
 * (one pointer per system) and a system's series tend to sit together, so
 * the last lookup is remembered: filtering 100 000 series looks up each
 * system once, not once per series.  It holds while no system message came
 * and no series was evicted (an interned uuid freed with its last series may
 * come back at the same address for another system).  Main thread only. */
static const char *system_name(const struct store *store, const char *uuid)
{
	static struct {
		const struct store *store;
		const char *uuid, *name;
		uint64_t systems_stamp, evicted;
	} last;
	uint64_t stamp = store_family_stamp(store, TOPIC_SYSTEM);
	uint64_t evicted = store_counters(store)->series_evicted;
	if (last.store != store || last.uuid != uuid || last.systems_stamp != stamp ||
	    last.evicted != evicted) {
		last.store = store;
		last.uuid = uuid;
		last.name = fmt_system_name(store, uuid);
		last.systems_stamp = stamp;
		last.evicted = evicted;
	}
	return last.name;
}

static void cell(struct view *v, uint64_t id, size_t col, int width, struct table_cell *out)
{
	struct ui *ui = v->ui;
	const struct series *s = store_series_at(ui->store, (size_t)id);
	switch (col) {
	case COL_SYSTEM:
		fmt_copy(out->text, sizeof(out->text), system_name(ui->store, s->system));
		break;
	case COL_COMPONENT:
		fmt_copy(out->text, sizeof(out->text), s->component);
		break;
	case COL_SERVICE:
		fmt_copy(out->text, sizeof(out->text), s->service);
		break;
	case COL_CHAR: {
		const char *name = s->characteristic[0] ? s->characteristic : s->time_stream_uuid;
		/* a row marked for the chart (Space) says so where it is drawn;
		 * filters and sorting (width 0) see the name alone */
		int mark = width > 0 ? ui_chart_mark_number(ui, (size_t)id) : 0;
		if (mark)
			snprintf(out->text, sizeof(out->text), "[%d] %s", mark, name);
		else
			fmt_copy(out->text, sizeof(out->text), name);
		break;
	}
	case COL_VALUE: {
		fmt_value(&s->last, out->text, sizeof(out->text));
		bool changed = s->last.type == VALUE_NUMBER && s->updates > 1 &&
			       s->prev_number != s->last.number;
		if (changed && ui->now - s->received_at < ui->flash_s) {
			out->role = UI_ROLE_VALUE_CHANGED;
			if (width > 0)
				ui_note_deadline(ui, s->received_at + ui->flash_s);
		}
		break;
	}
	case COL_TYPE:
		fmt_copy(out->text, sizeof(out->text), fmt_value_type(&s->last));
		break;
	case COL_AGE:
		if (is_stale(ui, s))
			snprintf(out->text, sizeof(out->text), "stale");
		else
			fmt_age(ui->now, s->received_at, out->text, sizeof(out->text));
		/* the same order as the age, without the clock: the table keeps
		 * sort keys between frames (changed_since) */
		out->num = -s->received_at;
		break;
	case COL_TREND: {
		struct sample buf[64];
		size_t want = width > 0 && width < 64 ? (size_t)width : 64;
		size_t n = series_history(s, buf, want);
		fmt_sparkline(ui->scr.g, buf, n, width > 0 ? width : 0, out->text, sizeof(out->text));
		out->role = UI_ROLE_SPARKLINE;
		out->trusted = true;
		break;
	}
	case COL_RATE: {
		double r = rate_per_s(s, ui->now);
		out->num = r;
		if (r <= 0)
			snprintf(out->text, sizeof(out->text), "-");
		else if (r >= 1)
			snprintf(out->text, sizeof(out->text), "%.1f/s", r);
		else
			snprintf(out->text, sizeof(out->text), "%.1f/m", r * 60);
		break;
	}
	}
}

/* A number's text (fmt_value: %.0f or %.6g) holds only digits, a sign, a
 * point, an exponent, or inf / nan: a filter term with any other character
 * ("ch3") cannot be in it, so the value is not formatted to be searched
 * (5 000 changed series a frame under a flood, 100 000 for a new filter). */
static bool may_contain(struct view *v, uint64_t id, size_t col, const char *needle, size_t len)
{
	if (col != COL_VALUE)
		return true;
	const struct series *s = store_series_at(v->ui->store, (size_t)id);
	if (s->last.type != VALUE_NUMBER)
		return true;
	for (size_t i = 0; i < len; i++)
		if (needle[i] == '\0' || !strchr("0123456789.+-eEiInNfFaA", needle[i]))
			return false;
	return true;
}

static enum ui_role row_role(struct view *v, uint64_t id)
{
	struct ui *ui = v->ui;
	const struct series *s = store_series_at(ui->store, (size_t)id);
	if (is_stale(ui, s))
		return UI_ROLE_VALUE_STALE;
	if (ui->stale_s > 0)
		ui_note_deadline(ui, s->received_at + ui->stale_s);
	return UI_ROLE_DEFAULT;
}

/* Rows come and go only when a series is created or evicted. */
static uint64_t rows_stamp(struct view *v)
{
	return store_series_slots(v->ui->store) + store_counters(v->ui->store)->series_evicted;
}

static void add_changed(void *table, size_t index)
{
	table_add_changed(table, index);
}

/* The series updated after `since`, from the store's log of changes. */
static uint64_t changed_since(struct view *v, uint64_t since, struct table *t)
{
	const struct store *store = v->ui->store;
	if (since != TABLE_NOW && !store_series_changed_since(store, since, add_changed, t))
		table_changed_all(t); /* more changes than the log keeps */
	return store_stamp(store);
}

/* Everything a row shows is the series' own, except its system's name. */
static uint64_t epoch(struct view *v)
{
	return store_family_stamp(v->ui->store, TOPIC_SYSTEM);
}

static bool inspect(struct view *v, uint64_t id, struct inspect_target *out)
{
	(void)v;
	out->kind = INSPECT_SERIES;
	out->index = (size_t)id;
	return true;
}

static bool drill(struct view *v, uint64_t id)
{
	struct inspect_target t = { INSPECT_SERIES, (size_t)id };
	const struct series *s = store_series_at(v->ui->store, (size_t)id);
	ui_open_inspector(v->ui, &t, s->characteristic[0] ? s->characteristic : "series");
	return true;
}

/* Space: marks the selected series for the chart (up to four); g: the
 * chart of the marked series, or of the selected one. */
static int key_chart(struct view *v, int ch)
{
	struct ui *ui = v->ui;
	uint64_t id;
	bool selected = table_selected(&v->table, &id);
	if (ch == ' ') {
		if (selected && !ui_chart_toggle_mark(ui, (size_t)id))
			ui_notice(ui, "%d series are marked already: Space on one unmarks it",
				  UI_CHART_SERIES);
		return KEY_HANDLED | KEY_REDRAW;
	}
	size_t slots[UI_CHART_SERIES], n = 0;
	for (size_t i = 0; i < ui->chart.nmarked; i++)
		if (ui_chart_series(ui, &ui->chart.marked[i]))
			slots[n++] = ui->chart.marked[i].slot;
	if (n == 0 && selected)
		slots[n++] = (size_t)id;
	if (n == 0) {
		ui_notice(ui, "no series to chart");
		return KEY_HANDLED | KEY_REDRAW;
	}
	const struct series *s = store_series_at(ui->store, slots[0]);
	char label[160];
	if (n == 1)
		snprintf(label, sizeof(label), "%s", s->characteristic[0] ? s->characteristic : "series");
	else
		snprintf(label, sizeof(label), "%zu series", n);
	ui_open_chart(ui, slots, n, label);
	return KEY_HANDLED | KEY_REDRAW;
}

/* e: the setpoint editor for the series' characteristic, its last value
 * prefilled. */
static int key(struct view *v, int ch)
{
	if (ch == ' ' || ch == 'g')
		return key_chart(v, ch);
	if (ch != 'e' && ch != 'd')
		return KEY_UNHANDLED;
	uint64_t id;
	struct setpoint_prefill pre = { v->ctx.system, v->ctx.component, "", "", "" };
	char value[256] = "";
	if (table_selected(&v->table, &id)) {
		const struct series *s = store_series_at(v->ui->store, (size_t)id);
		fmt_value(&s->last, value, sizeof(value));
		pre = (struct setpoint_prefill){ s->system, s->component, s->service, s->characteristic,
						 value };
	}
	if (ch == 'd')
		actions_ui_publish_datapoint(v->ui, &pre);
	else
		actions_ui_edit_setpoint(v->ui, &pre);
	return KEY_HANDLED | KEY_REDRAW;
}

static const struct key_help keys[] = {
	{ "Enter", "inspect the series", true },
	{ "g", "chart the series (the marked ones, or the selected)", true },
	{ "Space", "mark / unmark the series for the chart (up to 4)", false },
	{ "e", "edit: send a setpoint for the series' characteristic", true, true },
	{ "d", "publish a datapoint for the series' characteristic", false, true },
	{ NULL, NULL, false },
};

const struct view_ops view_datapoints_ops = {
	.id = VIEW_DATAPOINTS,
	.cols = columns,
	.ncols = sizeof(columns) / sizeof(columns[0]),
	.rows = rows,
	.context_columns = context_columns,
	.cell = cell,
	.row_role = row_role,
	.rows_stamp = rows_stamp,
	.changed_since = changed_since,
	.epoch = epoch,
	.may_contain = may_contain,
	.drill = drill,
	.inspect = inspect,
	.key = key,
	.keys = keys,
};
