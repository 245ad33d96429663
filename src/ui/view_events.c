/* view_events — every event: level (through its model), model code and
 * message, the entity it concerns, start and end, status, acknowledged —
 * and, while an acknowledgement of ours is on its way, its number and state.
 * a acknowledges the selected event (previewed, confirmed).  The alert pane
 * (bars.c) shows the active ones from every view. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "requests.h"
#include "ui/actions_ui.h"
#include "ui/fmt.h"
#include "ui/view.h"
#include "util.h"

enum { COL_LEVEL, COL_MODEL, COL_MESSAGE, COL_ENTITY, COL_START, COL_END, COL_STATUS, COL_ACK };

static const struct table_column columns[] = {
	[COL_LEVEL] = { "level", 9, 9, 0, false, true, true },
	[COL_MODEL] = { "model", 8, 24, 2, false, false, false, .key = true },
	[COL_MESSAGE] = { "message", 10, 0, 1, false, false, false },
	[COL_ENTITY] = { "entity", 10, 32, 0, false, false, false, .key = true },
	[COL_START] = { "start", 19, 19, 4, false, true, true },
	[COL_END] = { "end", 19, 19, 5, false, true, true },
	[COL_STATUS] = { "status", 8, 10, 0, false, false, false },
	[COL_ACK] = { "ack", 3, 22, 3, false, false, false },
};

/* A row and its start, for the newest-first order. */
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
	/* added in arrival order, then handed over newest first (new events on
	 * top, where an 80x24 window sees them) */
	size_t first = t->count;
	size_t n = store_events_count(v->ui->store);
	for (size_t i = 0; i < n; i++) {
		const struct event *e = store_event_at(v->ui->store, i);
		if (e->meta.deleted)
			continue;
		if (v->ctx.system[0] && (!e->system_uuid || strcmp(e->system_uuid, v->ctx.system)))
			continue;
		table_add_row(t, i);
	}
	size_t added = t->count - first;
	struct dated_row *dated = xmalloc((added ? added : 1) * sizeof(*dated));
	for (size_t i = 0; i < added; i++) {
		dated[i].id = t->ids[first + i];
		dated[i].time = store_event_at(v->ui->store, (size_t)dated[i].id)->time;
	}
	qsort(dated, added, sizeof(*dated), newest_first);
	for (size_t i = 0; i < added; i++)
		t->ids[first + i] = dated[i].id;
	free(dated);
}

static void cell(struct view *v, uint64_t id, size_t col, int width, struct table_cell *out)
{
	(void)width;
	struct ui *ui = v->ui;
	const struct event *e = store_event_at(ui->store, (size_t)id);
	const struct event_model *m =
		e->event_model_uuid ? store_find_event_model(ui->store, e->event_model_uuid) : NULL;
	switch (col) {
	case COL_LEVEL: {
		enum event_level l = store_event_level(ui->store, e);
		out->role = fmt_level(ui->scr.g, l, out->text, sizeof(out->text));
		out->num = l;
		break;
	}
	case COL_MODEL:
		snprintf(out->text, sizeof(out->text), "%s",
			 m && m->code ? m->code : e->event_model_uuid ? e->event_model_uuid : "-");
		break;
	case COL_MESSAGE:
		snprintf(out->text, sizeof(out->text), "%s", m && m->message ? m->message : "");
		break;
	case COL_ENTITY:
		fmt_event_entity(ui->store, e, out->text, sizeof(out->text));
		break;
	case COL_START:
		fmt_time(e->time, out->text, sizeof(out->text));
		out->num = e->time;
		break;
	case COL_END:
		fmt_time(e->end_time, out->text, sizeof(out->text));
		out->num = e->end_time;
		break;
	case COL_STATUS:
		/* a SINGLE_POINT event has no status: said, not left blank */
		snprintf(out->text, sizeof(out->text), "%s", e->status && *e->status ? e->status : "point");
		if (!e->status || !*e->status)
			out->role = UI_ROLE_MUTED;
		else if (strcmp(e->status, "ACTIVE") == 0)
			out->role = fmt_level_role(store_event_level(ui->store, e));
		break;
	case COL_ACK: {
		const struct request *q = requests_for_event(ui->requests, e->uuid);
		if (q && (!e->acknowledged || !request_state_final(q->state)))
			snprintf(out->text, sizeof(out->text), "%s #%u %s", e->acknowledged ? "yes" : "no",
				 q->id, request_state_name(q->state));
		else
			snprintf(out->text, sizeof(out->text), "%s", e->acknowledged ? "yes" : "no");
		break;
	}
	}
}

static bool inspect(struct view *v, uint64_t id, struct inspect_target *out)
{
	(void)v;
	out->kind = INSPECT_EVENT;
	out->index = (size_t)id;
	return true;
}

static int key(struct view *v, int ch)
{
	if (ch != 'a' && ch != 'R')
		return KEY_UNHANDLED;
	uint64_t id;
	const struct event *e =
		table_selected(&v->table, &id) ? store_event_at(v->ui->store, (size_t)id) : NULL;
	if (ch == 'R')
		actions_ui_resolve_event(v->ui, e);
	else if (e)
		actions_ui_ack_event(v->ui, e);
	return KEY_HANDLED | KEY_REDRAW;
}

static const struct key_help keys[] = {
	{ "a", "acknowledge the selected event", true, true },
	{ "R", "resolve the selected ACTIVE RANGED event (its end time)", false, true },
	{ "Enter", "inspect the event", true },
	{ NULL, NULL, false },
};

/* Events, their models, and the names of the entities they concern. */
static uint64_t data_stamp(struct view *v)
{
	static const enum topic_family families[] = { TOPIC_EVENT, TOPIC_EVENT_MODEL,
						      TOPIC_EVENT_MODEL_STATE, TOPIC_SYSTEM,
						      TOPIC_COMPONENT };
	return ui_families_stamp(v->ui, families, sizeof(families) / sizeof(families[0]));
}

const struct view_ops view_events_ops = {
	.id = VIEW_EVENTS,
	.cols = columns,
	.ncols = sizeof(columns) / sizeof(columns[0]),
	.rows = rows,
	.cell = cell,
	.data_stamp = data_stamp,
	.inspect = inspect,
	.key = key,
	.keys = keys,
};
