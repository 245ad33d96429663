/* view_systems — one row per system: name, code, status, connection state,
 * components, active events (worst level), last update.  Enter drills into
 * the system's components. */
#include <stdio.h>
#include <string.h>

#include "ui/actions_ui.h"
#include "ui/fmt.h"
#include "ui/view.h"

enum { COL_NAME, COL_CODE, COL_STATUS, COL_CONN, COL_COMPS, COL_EVENTS, COL_AGE };

static const struct table_column columns[] = {
	[COL_NAME] = { "name", 14, 0, 0, false, false, false, .key = true },
	[COL_CODE] = { "code", 10, 28, 3, false, false, false, .key = true },
	[COL_STATUS] = { "status", 9, 11, 4, false, false, false },
	[COL_CONN] = { "connection", 13, 15, 0, false, false, false },
	[COL_COMPS] = { "comps", 5, 5, 2, true, true, true },
	[COL_EVENTS] = { "events", 7, 8, 1, true, true, true },
	[COL_AGE] = { "updated", 7, 7, 1, true, true, false },
};

static void rows(struct view *v, struct table *t)
{
	size_t n = store_systems_count(v->ui->store);
	for (size_t i = 0; i < n; i++)
		if (!store_system_at(v->ui->store, i)->meta.deleted)
			table_add_row(t, i);
}

static enum event_level worst_level(const struct system *s, unsigned *total)
{
	enum event_level worst = LEVEL_UNKNOWN;
	*total = 0;
	for (int l = 0; l < LEVEL_COUNT; l++) {
		*total += s->active_events[l];
		if (s->active_events[l] && l > (int)worst)
			worst = (enum event_level)l;
	}
	return worst;
}

static void cell(struct view *v, uint64_t id, size_t col, int width, struct table_cell *out)
{
	(void)width;
	const struct ui *ui = v->ui;
	const struct system *s = store_system_at(ui->store, (size_t)id);
	double updated = s->meta.received_at > s->last_datapoint_at ? s->meta.received_at
								     : s->last_datapoint_at;
	switch (col) {
	case COL_NAME:
		snprintf(out->text, sizeof(out->text), "%s", fmt_system_name(ui->store, s->uuid));
		if (!s->meta.known)
			out->role = UI_ROLE_MUTED;
		break;
	case COL_CODE:
		snprintf(out->text, sizeof(out->text), "%s", s->code ? s->code : "");
		break;
	case COL_STATUS:
		snprintf(out->text, sizeof(out->text), "%s",
			 s->state ? s->state : s->status ? s->status : "");
		break;
	case COL_CONN:
		out->role = fmt_connection(ui->scr.g, s->connection_state, out->text, sizeof(out->text));
		break;
	case COL_COMPS:
		snprintf(out->text, sizeof(out->text), "%u", s->component_count);
		out->num = s->component_count;
		break;
	case COL_EVENTS: {
		unsigned total;
		enum event_level worst = worst_level(s, &total);
		if (total) {
			snprintf(out->text, sizeof(out->text), "%s %u", ui->scr.g->level[worst], total);
			out->role = fmt_level_role(worst);
		} else {
			snprintf(out->text, sizeof(out->text), "-");
		}
		out->num = worst * 1e6 + total;
		break;
	}
	case COL_AGE:
		fmt_age(ui->now, updated, out->text, sizeof(out->text));
		out->num = updated > 0 ? ui->now - updated : 1e18;
		break;
	}
}

static bool drill(struct view *v, uint64_t id)
{
	const struct system *s = store_system_at(v->ui->store, (size_t)id);
	struct view_context ctx;
	memset(&ctx, 0, sizeof(ctx));
	snprintf(ctx.system, sizeof(ctx.system), "%s", s->uuid ? s->uuid : "");
	ui_open_view(v->ui, VIEW_COMPONENTS, &ctx, fmt_system_name(v->ui->store, s->uuid), true);
	return true;
}

static bool inspect(struct view *v, uint64_t id, struct inspect_target *out)
{
	(void)v;
	out->kind = INSPECT_SYSTEM;
	out->index = (size_t)id;
	return true;
}

/* The platform inputs about the selected system (ui/actions_ui). */
static int key(struct view *v, int ch)
{
	if (ch != 'u' && ch != 'c' && ch != 'r')
		return KEY_UNHANDLED;
	uint64_t id;
	const struct system *s =
		table_selected(&v->table, &id) ? store_system_at(v->ui->store, (size_t)id) : NULL;
	const char *uuid = s ? s->uuid : NULL;
	if (ch == 'u')
		actions_ui_update_system(v->ui, uuid);
	else if (ch == 'c')
		actions_ui_edit_component(v->ui, uuid, NULL);
	else
		actions_ui_raise_event(v->ui, uuid, NULL);
	return KEY_HANDLED | KEY_REDRAW;
}

static const struct key_help keys[] = {
	{ "Enter", "components of the system", true },
	{ "u", "update the system (name, description, status, connection)", false, true },
	{ "c", "create a component of the system (model from a picker)", false, true },
	{ "r", "raise an event on the system (model from a picker)", false, true },
	{ NULL, NULL, false },
};

const struct view_ops view_systems_ops = {
	.id = VIEW_SYSTEMS,
	.cols = columns,
	.ncols = sizeof(columns) / sizeof(columns[0]),
	.rows = rows,
	.cell = cell,
	.drill = drill,
	.inspect = inspect,
	.key = key,
	.keys = keys,
};
