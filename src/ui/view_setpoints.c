/* view_setpoints — setpoints with value, state (CREATED / ACCEPTED /
 * REJECTED), type, creation time and age of the last state change.  A
 * setpoint still CREATED --stuck seconds after it was created stands out
 * (role SETPOINT_STUCK and a "stuck" mark, not colour alone).
 *
 * The operator's own setpoint requests (e: the editor) show here too: a
 * setpoint the platform created for one carries the request's number and
 * state in the request column; a request with no setpoint (yet) is a row of
 * its own — queued in the outbox, sent, or ended by an /error reply, whose
 * message shows next to it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "requests.h"
#include "ui/actions_ui.h"
#include "ui/fmt.h"
#include "ui/view.h"
#include "util.h"

enum { COL_SYSTEM, COL_TARGET, COL_VALUE, COL_STATE, COL_REQUEST, COL_TYPE, COL_CREATED, COL_AGE,
       COL_MESSAGE };

static const struct table_column columns[] = {
	[COL_SYSTEM] = { "system", 8, 20, 3, false, false, false, .key = true },
	[COL_TARGET] = { "target", 12, 0, 0, false, false, false, .key = true },
	[COL_VALUE] = { "value", 6, 12, 0, true, false, false },
	[COL_STATE] = { "state", 17, 18, 0, false, false, false },
	[COL_REQUEST] = { "request", 22, 0, 1, false, false, false },
	[COL_TYPE] = { "type", 6, 12, 5, false, false, false },
	[COL_CREATED] = { "created", 19, 19, 4, false, true, true },
	[COL_AGE] = { "changed", 7, 7, 1, true, true, false },
	[COL_MESSAGE] = { "message", 8, 30, 6, false, false, false },
};

/* Row ids: store indices, or a request of ours with no setpoint row. */
#define REQUEST_ROW (1ull << 63)

/* The setpoint the platform created for a request, if the store has it. */
static const struct setpoint *setpoint_of(const struct ui *ui, const struct request *q)
{
	const struct setpoint *p = q->receipt_id ? store_find_setpoint(ui->store, q->receipt_id) : NULL;
	return p && !p->meta.deleted ? p : NULL;
}

static double created_at(const struct setpoint *p);

/* A row and its creation time, for the newest-first order. */
struct dated_row {
	uint64_t id;
	double time;
};

static int newest_first(const void *a, const void *b)
{
	const struct dated_row *x = a, *y = b;
	if (x->time != y->time)
		return x->time > y->time ? -1 : 1;
	return x->id > y->id ? -1 : x->id < y->id; /* the later arrival first */
}

static void rows(struct view *v, struct table *t)
{
	struct ui *ui = v->ui;
	/* added in arrival order, then handed over newest first (new setpoints
	 * on top, where an 80x24 window sees them) */
	size_t first = t->count;
	size_t n = store_setpoints_count(ui->store);
	for (size_t i = 0; i < n; i++) {
		const struct setpoint *p = store_setpoint_at(ui->store, i);
		if (p->meta.deleted)
			continue;
		if (v->ctx.system[0] && (!p->system_uuid || strcmp(p->system_uuid, v->ctx.system)))
			continue;
		table_add_row(t, i);
	}
	size_t nr = ui->requests ? requests_count(ui->requests) : 0;
	for (size_t i = 0; i < nr; i++) {
		const struct request *q = requests_at(ui->requests, i);
		if (q->kind != REQUEST_SETPOINT || setpoint_of(ui, q))
			continue;
		if (v->ctx.system[0] && (!q->system_uuid || strcmp(q->system_uuid, v->ctx.system)))
			continue;
		table_add_row(t, REQUEST_ROW | q->id);
	}
	size_t added = t->count - first;
	struct dated_row *dated = xmalloc((added ? added : 1) * sizeof(*dated));
	for (size_t i = 0; i < added; i++) {
		uint64_t id = t->ids[first + i];
		const struct request *q =
			id & REQUEST_ROW ? requests_find(ui->requests, (uint32_t)(id & 0xffffffffu)) : NULL;
		dated[i].id = id;
		dated[i].time = q ? q->created_at
				  : id & REQUEST_ROW ? 0 : created_at(store_setpoint_at(ui->store, (size_t)id));
	}
	qsort(dated, added, sizeof(*dated), newest_first);
	for (size_t i = 0; i < added; i++)
		t->ids[first + i] = dated[i].id;
	free(dated);
}

static const struct request *request_row(const struct ui *ui, uint64_t id)
{
	return id & REQUEST_ROW ? requests_find(ui->requests, (uint32_t)(id & 0xffffffffu)) : NULL;
}

/* "#3 pending device", "#4 error: value 70 ... [OUT_OF_RANGE]" */
static void request_text(const struct request *q, bool with_state, char *buf, size_t size)
{
	snprintf(buf, size, "#%u%s%s%s%s%s%s%s", q->id, with_state ? " " : "",
		 with_state ? request_state_label(q) : "", q->detail ? (with_state ? ": " : " ") : "",
		 q->detail ? q->detail : "", q->error_code ? " [" : "", q->error_code ? q->error_code : "",
		 q->error_code ? "]" : "");
}

/* A request of ours with no setpoint row (yet). */
static void request_cell(struct ui *ui, const struct request *q, size_t col, struct table_cell *out)
{
	switch (col) {
	case COL_SYSTEM:
		snprintf(out->text, sizeof(out->text), "%s", fmt_system_name(ui->store, q->system_uuid));
		break;
	case COL_TARGET:
		snprintf(out->text, sizeof(out->text), "%s/%s/%s", q->component_code, q->service_code,
			 q->characteristic_code);
		break;
	case COL_VALUE:
		fmt_value(&q->value, out->text, sizeof(out->text));
		break;
	case COL_STATE:
		out->role = actions_ui_state_text(ui, q, out->text, sizeof(out->text));
		break;
	case COL_REQUEST:
		request_text(q, false, out->text, sizeof(out->text));
		if (q->state == REQUEST_ERROR || q->state == REQUEST_FAILED || q->state == REQUEST_TIMED_OUT)
			out->role = UI_ROLE_ALERT_ERROR;
		break;
	case COL_TYPE:
		break;
	case COL_CREATED:
		fmt_time(q->created_at, out->text, sizeof(out->text));
		out->num = q->created_at;
		break;
	case COL_AGE:
		fmt_age(ui->now, q->changed_at, out->text, sizeof(out->text));
		out->num = ui->now - q->changed_at;
		break;
	case COL_MESSAGE:
		snprintf(out->text, sizeof(out->text), "%s", q->detail ? q->detail : "");
		break;
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
	if (id & REQUEST_ROW) {
		const struct request *q = request_row(ui, id);
		if (q)
			request_cell(ui, q, col, out);
		return;
	}
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
	case COL_REQUEST: {
		const struct request *q = requests_for_receipt(ui->requests, p->receipt_id);
		if (q) {
			request_text(q, true, out->text, sizeof(out->text));
			if (q->state == REQUEST_REJECTED || q->state == REQUEST_TIMED_OUT)
				out->role = UI_ROLE_STATE_REJECTED;
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
	if (id & REQUEST_ROW)
		return UI_ROLE_DEFAULT;
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
	if (id & REQUEST_ROW) {
		out->kind = INSPECT_REQUEST;
		out->index = (size_t)(id & 0xffffffffu);
		return true;
	}
	out->kind = INSPECT_SETPOINT;
	out->index = (size_t)id;
	return true;
}

/* e: the editor, prefilled from the row (a setpoint or one of our requests). */
static int key(struct view *v, int ch)
{
	if (ch != 'e')
		return KEY_UNHANDLED;
	struct ui *ui = v->ui;
	uint64_t id;
	struct setpoint_prefill pre = { v->ctx.system, "", "", "", "" };
	char value[256] = "";
	if (table_selected(&v->table, &id)) {
		const struct request *q = request_row(ui, id);
		const struct setpoint *p = id & REQUEST_ROW ? NULL : store_setpoint_at(ui->store, (size_t)id);
		if (q) {
			fmt_value(&q->value, value, sizeof(value));
			pre = (struct setpoint_prefill){ q->system_uuid, q->component_code, q->service_code,
							 q->characteristic_code, value };
		} else if (p) {
			fmt_value(&p->value, value, sizeof(value));
			pre = (struct setpoint_prefill){ p->system_uuid, p->component_code, p->service_code,
							 p->characteristic_code, value };
		}
	}
	actions_ui_edit_setpoint(ui, &pre);
	return KEY_HANDLED | KEY_REDRAW;
}

static const struct key_help keys[] = {
	{ "e", "edit: send a new value for the selected setpoint's characteristic", true, true },
	{ "Enter", "inspect the setpoint (or the request)", true },
	{ NULL, NULL, false },
};

/* Setpoints, the device's acknowledgements, our requests, system names. */
static uint64_t data_stamp(struct view *v)
{
	static const enum topic_family families[] = { TOPIC_SETPOINT, TOPIC_SETPOINT_ACK,
						      TOPIC_SYSTEM };
	return ui_families_stamp(v->ui, families, sizeof(families) / sizeof(families[0]));
}

const struct view_ops view_setpoints_ops = {
	.id = VIEW_SETPOINTS,
	.cols = columns,
	.ncols = sizeof(columns) / sizeof(columns[0]),
	.rows = rows,
	.data_stamp = data_stamp,
	.cell = cell,
	.row_role = row_role,
	.inspect = inspect,
	.key = key,
	.keys = keys,
};
