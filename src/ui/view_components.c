/* view_components — components of the drilled-into system (or of all):
 * code, name, model, connection state, status, last datapoint.  Enter drills
 * into the component's datapoints. */
#include <stdio.h>
#include <string.h>

#include "ui/actions_ui.h"
#include "ui/fmt.h"
#include "ui/view.h"

enum { COL_SYSTEM, COL_CODE, COL_NAME, COL_MODEL, COL_CONN, COL_STATUS, COL_AGE };

static const struct table_column columns[] = {
	/* stable: they change with component messages (rows_stamp) or other
	 * entities' names (epoch); only the last datapoint follows datapoints */
	[COL_SYSTEM] = { "system", 10, 24, 3, false, false, false, false, true, .key = true },
	[COL_CODE] = { "code", 10, 32, 0, false, false, false, false, true, .key = true },
	[COL_NAME] = { "name", 10, 0, 2, false, false, false, false, true },
	[COL_MODEL] = { "model", 8, 20, 4, false, false, false, false, true },
	[COL_CONN] = { "connection", 13, 15, 0, false, false, false, false, true },
	[COL_STATUS] = { "status", 9, 11, 5, false, false, false, false, true },
	[COL_AGE] = { "datapoint", 9, 9, 1, true, true, false, true },
};

/* One system's components: its name is the breadcrumb's. */
static uint32_t context_columns(const struct view_context *ctx)
{
	return ctx->system[0] ? 1u << COL_SYSTEM : 0;
}

static void rows(struct view *v, struct table *t)
{
	size_t n = store_components_count(v->ui->store);
	for (size_t i = 0; i < n; i++) {
		const struct component *c = store_component_at(v->ui->store, i);
		if (c->meta.deleted)
			continue;
		if (v->ctx.system[0] && (!c->system_uuid || strcmp(c->system_uuid, v->ctx.system)))
			continue;
		table_add_row(t, i);
	}
}

static void cell(struct view *v, uint64_t id, size_t col, int width, struct table_cell *out)
{
	(void)width;
	const struct ui *ui = v->ui;
	const struct component *c = store_component_at(ui->store, (size_t)id);
	switch (col) {
	case COL_SYSTEM:
		snprintf(out->text, sizeof(out->text), "%s", fmt_system_name(ui->store, c->system_uuid));
		break;
	case COL_CODE:
		snprintf(out->text, sizeof(out->text), "%s", c->code ? c->code : "");
		if (!c->meta.known)
			out->role = UI_ROLE_MUTED;
		break;
	case COL_NAME:
		snprintf(out->text, sizeof(out->text), "%s", c->name ? c->name : "");
		break;
	case COL_MODEL: {
		const struct component_model *m =
			c->component_model_uuid
				? store_find_component_model(ui->store, c->component_model_uuid)
				: NULL;
		snprintf(out->text, sizeof(out->text), "%s",
			 m && m->code ? m->code
			 : c->component_model_uuid ? c->component_model_uuid
						   : "");
		break;
	}
	case COL_CONN:
		out->role = fmt_connection(ui->scr.g, c->connection_state, out->text, sizeof(out->text));
		break;
	case COL_STATUS:
		snprintf(out->text, sizeof(out->text), "%s", c->status ? c->status : "");
		break;
	case COL_AGE:
		fmt_age(ui->now, c->last_datapoint_at, out->text, sizeof(out->text));
		/* the order of the age without the clock (the table keeps keys) */
		out->num = c->last_datapoint_at > 0 ? -c->last_datapoint_at : 1e18;
		break;
	}
}

/* Rows come and go with component messages (new, deleted) and stubs. */
static uint64_t rows_stamp(struct view *v)
{
	const struct store *store = v->ui->store;
	return store_components_count(store) + store_family_stamp(store, TOPIC_COMPONENT);
}

/* A component is stamped by its messages and by its datapoints. */
static uint64_t changed_since(struct view *v, uint64_t since, struct table *t)
{
	const struct store *store = v->ui->store;
	if (since != TABLE_NOW) {
		size_t n = store_components_count(store);
		for (size_t i = 0; i < n; i++)
			if (store_component_at(store, i)->meta.changed > since)
				table_add_changed(t, i);
	}
	return store_stamp(store);
}

/* Other entities' names: systems and component models. */
static uint64_t epoch(struct view *v)
{
	const struct store *store = v->ui->store;
	return store_family_stamp(store, TOPIC_SYSTEM) +
	       store_family_stamp(store, TOPIC_COMPONENT_MODEL) +
	       store_family_stamp(store, TOPIC_COMPONENT_MODEL_STATE);
}

static bool drill(struct view *v, uint64_t id)
{
	const struct component *c = store_component_at(v->ui->store, (size_t)id);
	struct view_context ctx;
	memset(&ctx, 0, sizeof(ctx));
	snprintf(ctx.system, sizeof(ctx.system), "%s", c->system_uuid ? c->system_uuid : "");
	snprintf(ctx.component, sizeof(ctx.component), "%s", c->code ? c->code : "");
	char label[160];
	if (v->ctx.system[0])
		snprintf(label, sizeof(label), "%s", c->code ? c->code : "?");
	else
		snprintf(label, sizeof(label), "%.70s/%.70s", fmt_system_name(v->ui->store, c->system_uuid),
			 c->code ? c->code : "?");
	ui_open_view(v->ui, VIEW_DATAPOINTS, &ctx, label, true);
	return true;
}

static bool inspect(struct view *v, uint64_t id, struct inspect_target *out)
{
	(void)v;
	out->kind = INSPECT_COMPONENT;
	out->index = (size_t)id;
	return true;
}

/* The platform inputs about the selected component or its system
 * (ui/actions_ui); c also works on an empty list drilled into from a system. */
static int key(struct view *v, int ch)
{
	if (ch != 'u' && ch != 'c' && ch != 'r' && ch != 'd')
		return KEY_UNHANDLED;
	uint64_t id;
	const struct component *c =
		table_selected(&v->table, &id) ? store_component_at(v->ui->store, (size_t)id) : NULL;
	const char *system = c ? c->system_uuid : v->ctx.system[0] ? v->ctx.system : NULL;
	const char *code = c ? c->code : NULL;
	if (ch == 'c')
		actions_ui_edit_component(v->ui, system, NULL);
	else if (ch == 'u')
		actions_ui_edit_component(v->ui, system, code ? code : "");
	else if (ch == 'r')
		actions_ui_raise_event(v->ui, system, code ? code : "");
	else {
		struct setpoint_prefill pre = { system, code ? code : "", "", "", "" };
		actions_ui_publish_datapoint(v->ui, &pre);
	}
	return KEY_HANDLED | KEY_REDRAW;
}

static const struct key_help keys[] = {
	{ "Enter", "datapoints of the component", true },
	{ "u", "update the component (name, model, status, connection)", false, true },
	{ "c", "create a component of the same system", false, true },
	{ "d", "publish a datapoint for a characteristic of the component", false, true },
	{ "r", "raise an event on the component", false, true },
	{ NULL, NULL, false },
};

const struct view_ops view_components_ops = {
	.id = VIEW_COMPONENTS,
	.cols = columns,
	.ncols = sizeof(columns) / sizeof(columns[0]),
	.rows = rows,
	.context_columns = context_columns,
	.cell = cell,
	.rows_stamp = rows_stamp,
	.changed_since = changed_since,
	.epoch = epoch,
	.drill = drill,
	.inspect = inspect,
	.key = key,
	.keys = keys,
};
