/* view_setpoints — setpoints with value, state (CREATED / ACCEPTED /
 * REJECTED), type, creation time and age of the last state change.  A
 * setpoint still CREATED --stuck seconds after it was created stands out
 * (role SETPOINT_STUCK and a "stuck" mark, not colour alone). */
#include <stdio.h>
#include <string.h>

#include "ui/fmt.h"
#include "ui/view.h"

enum { COL_SYSTEM, COL_TARGET, COL_VALUE, COL_STATE, COL_TYPE, COL_CREATED, COL_AGE, COL_MESSAGE };

static const struct table_column columns[] = {
	[COL_SYSTEM] = { "system", 8, 20, 3, false, false, false },
	[COL_TARGET] = { "target", 12, 0, 0, false, false, false },
	[COL_VALUE] = { "value", 6, 12, 0, true, false, false },
	[COL_STATE] = { "state", 15, 16, 0, false, false, false },
	[COL_TYPE] = { "type", 6, 12, 5, false, false, false },
	[COL_CREATED] = { "created", 19, 19, 4, false, true, true },
	[COL_AGE] = { "changed", 7, 7, 1, true, true, false },
	[COL_MESSAGE] = { "message", 8, 30, 6, false, false, false },
};

static void rows(struct view *v, struct table *t)
{
	size_t n = store_setpoints_count(v->ui->store);
	for (size_t i = 0; i < n; i++) {
		const struct setpoint *p = store_setpoint_at(v->ui->store, i);
		if (p->meta.deleted)
			continue;
		if (v->ctx.system[0] && (!p->system_uuid || strcmp(p->system_uuid, v->ctx.system)))
			continue;
		table_add_row(t, i);
	}
}

static double created_at(const struct setpoint *p)
{
	return p->time > 0 ? p->time : p->first_seen_at;
}

static bool is_stuck(const struct ui *ui, const struct setpoint *p)
{
	return p->state == SETPOINT_CREATED && ui->stuck_s > 0 &&
	       ui->now - created_at(p) >= ui->stuck_s;
}

static void cell(struct view *v, uint64_t id, size_t col, int width, struct table_cell *out)
{
	(void)width;
	struct ui *ui = v->ui;
	const struct setpoint *p = store_setpoint_at(ui->store, (size_t)id);
	switch (col) {
	case COL_SYSTEM:
		snprintf(out->text, sizeof(out->text), "%s", fmt_system_name(ui->store, p->system_uuid));
		break;
	case COL_TARGET:
		if (p->characteristic_code)
			snprintf(out->text, sizeof(out->text), "%s/%s/%s",
				 p->component_code ? p->component_code : "?",
				 p->service_code ? p->service_code : "?", p->characteristic_code);
		else
			snprintf(out->text, sizeof(out->text), "%s",
				 p->time_stream_uuid ? p->time_stream_uuid : p->receipt_id);
		break;
	case COL_VALUE:
		fmt_value(&p->value, out->text, sizeof(out->text));
		break;
	case COL_STATE: {
		char s[64];
		out->role = fmt_setpoint_state(ui->scr.g, p->state, s, sizeof(s));
		if (is_stuck(ui, p)) {
			snprintf(out->text, sizeof(out->text), "%s CREATED stuck", ui->scr.g->stuck);
			out->role = UI_ROLE_SETPOINT_STUCK;
		} else {
			snprintf(out->text, sizeof(out->text), "%s", s);
		}
		break;
	}
	case COL_TYPE:
		snprintf(out->text, sizeof(out->text), "%s", p->type ? p->type : "");
		break;
	case COL_CREATED:
		fmt_time(created_at(p), out->text, sizeof(out->text));
		out->num = created_at(p);
		break;
	case COL_AGE:
		fmt_age(ui->now, p->state_changed_at, out->text, sizeof(out->text));
		out->num = ui->now - p->state_changed_at;
		break;
	case COL_MESSAGE:
		snprintf(out->text, sizeof(out->text), "%s", p->message ? p->message : "");
		break;
	}
}

static enum ui_role row_role(struct view *v, uint64_t id)
{
	struct ui *ui = v->ui;
	const struct setpoint *p = store_setpoint_at(ui->store, (size_t)id);
	if (is_stuck(ui, p))
		return UI_ROLE_SETPOINT_STUCK;
	if (p->state == SETPOINT_CREATED && ui->stuck_s > 0)
		ui_note_deadline(ui, created_at(p) + ui->stuck_s);
	return UI_ROLE_DEFAULT;
}

static bool inspect(struct view *v, uint64_t id, struct inspect_target *out)
{
	(void)v;
	out->kind = INSPECT_SETPOINT;
	out->index = (size_t)id;
	return true;
}

static const struct key_help keys[] = {
	{ "Enter", "inspect the setpoint", true },
	{ NULL, NULL, false },
};

const struct view_ops view_setpoints_ops = {
	.id = VIEW_SETPOINTS,
	.cols = columns,
	.ncols = sizeof(columns) / sizeof(columns[0]),
	.rows = rows,
	.cell = cell,
	.row_role = row_role,
	.inspect = inspect,
	.keys = keys,
};
