/* view_errors — every /error reply and every decode error or warning,
 * newest first: time, kind, the input topic a reply answers (or the topic
 * that failed to decode), the reason and the platform's code.  Rows are the
 * records' sequence numbers, so the selection survives new errors arriving.
 * A reply that ended one of this session's requests names it (request
 * column: "#4 set boiler-1/heating/target = 90").
 *
 * Grouped (b cycles: by code, by system, by input family, off): one row per
 * group (errgroup, as --snapshot's errorSummary), worst offenders first, with
 * the count, the rate over the last ten minutes and first and last seen;
 * Enter lists the group's records — this view again, one step down the
 * breadcrumb, its context naming the group. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "errgroup.h"
#include "requests.h"
#include "util.h"
#include "ui/actions_ui.h"
#include "ui/fmt.h"
#include "ui/view.h"

enum { COL_TIME, COL_KIND, COL_FAMILY, COL_TOPIC, COL_MESSAGE, COL_CODE, COL_REQUEST };

static const struct table_column columns[] = {
	[COL_TIME] = { "time", 19, 19, 2, false, true, true },
	[COL_KIND] = { "kind", 7, 7, 0, false, false, false },
	[COL_FAMILY] = { "family", 8, 16, 3, false, false, false },
	[COL_TOPIC] = { "topic / answers", 16, 0, 0, false, false, false, .key = true },
	[COL_MESSAGE] = { "message", 16, 0, 0, false, false, false },
	[COL_CODE] = { "code", 5, 40, 4, false, false, false, .key = true },
	/* a key too: which of the operator's requests the reply ended */
	[COL_REQUEST] = { "request", 8, 40, 1, false, false, false, .key = true },
};

enum { GCOL_KEY, GCOL_COUNT, GCOL_RATE, GCOL_LAST, GCOL_FIRST };

/* One table per dimension: the first header names it. */
#define GROUP_COLUMNS(key_name)                                                              \
	{                                                                                    \
		[GCOL_KEY] = { .name = key_name, .min_width = 16 },                          \
		[GCOL_COUNT] = { .name = "count", .min_width = 5, .max_width = 6,          \
				 .right = true, .numeric = true, .desc_first = true },       \
		[GCOL_RATE] = { .name = "rate", .min_width = 6, .max_width = 7, .priority = 2, \
				.right = true, .numeric = true, .desc_first = true,          \
				.unfiltered = true },                                        \
		[GCOL_LAST] = { .name = "last seen", .min_width = 19, .max_width = 19,     \
				.priority = 1, .numeric = true, .desc_first = true },        \
		[GCOL_FIRST] = { .name = "first seen", .min_width = 19, .max_width = 19,   \
				 .priority = 3, .numeric = true },                           \
	}

static const struct table_column group_columns[ERRGROUP_BY_COUNT][5] = {
	[ERRGROUP_BY_CODE] = GROUP_COLUMNS("code"),
	[ERRGROUP_BY_SYSTEM] = GROUP_COLUMNS("system"),
	[ERRGROUP_BY_FAMILY] = GROUP_COLUMNS("family"),
};

/* The view's own state (v->state). */
struct errors_state {
	bool grouped;
	enum errgroup_by by;       /* while grouped, and of the group a step lists */
	struct errgroups groups;   /* of the last rows(), worst first */
};

static struct errors_state *state_of(struct view *v)
{
	if (!v->state) {
		struct errors_state *st = xcalloc(1, sizeof(*st));
		errgroups_init(&st->groups, ERRGROUP_BY_CODE, 0);
		v->state = st;
	}
	return v->state;
}

/* The groups are listed (not one group's records, not every record). */
static bool showing_groups(struct view *v)
{
	return v->state && state_of(v)->grouped && !v->ctx.group[0];
}

/* The columns follow what is listed: groups or records. */
static void relayout(struct view *v)
{
	const struct table_column *cols = columns;
	size_t n = sizeof(columns) / sizeof(columns[0]);
	if (showing_groups(v)) {
		cols = group_columns[state_of(v)->by];
		n = sizeof(group_columns[0]) / sizeof(group_columns[0][0]);
	}
	if (v->table.cols == cols)
		return;
	struct table_source src = v->table.src;
	table_free(&v->table);
	table_init(&v->table, cols, n, &src); /* sort and filter were the other columns' */
	v->table.stale = true;
}

static void context_changed(struct view *v)
{
	relayout(v);
}

static void free_state(struct view *v)
{
	struct errors_state *st = v->state;
	if (!st)
		return;
	errgroups_free(&st->groups);
	free(st);
	v->state = NULL;
}

/* Does a record belong in the view: the drilled-into system, the group. */
static bool record_shown(struct view *v, const struct error_record *r)
{
	if (v->ctx.system[0] && (!r->system_uuid || strcmp(r->system_uuid, v->ctx.system)))
		return false;
	return !v->ctx.group[0] || strcmp(errgroup_key(state_of(v)->by, r), v->ctx.group) == 0;
}

static void group_rows(struct view *v, struct table *t)
{
	struct errors_state *st = state_of(v);
	errgroups_free(&st->groups);
	errgroups_init(&st->groups, st->by, v->ui->now);
	size_t n = store_errors_count(v->ui->store);
	for (size_t i = 0; i < n; i++) {
		const struct error_record *r = store_error_at(v->ui->store, i);
		if (record_shown(v, r))
			errgroups_add(&st->groups, r);
	}
	errgroups_sort(&st->groups);
	for (size_t i = 0; i < st->groups.count; i++)
		table_add_row(t, st->groups.items[i].id);
}

/* A group's key as people read it: a system by its name. */
static const char *group_label(struct view *v, const char *key)
{
	if (state_of(v)->by == ERRGROUP_BY_SYSTEM && strcmp(key, ERRGROUP_NO_SYSTEM) != 0)
		return fmt_system_name(v->ui->store, key);
	return key;
}

static void group_cell(struct view *v, uint64_t id, size_t col, struct table_cell *out)
{
	const struct errgroup *g = errgroups_find(&state_of(v)->groups, id);
	if (!g) {
		snprintf(out->text, sizeof(out->text), "-");
		return;
	}
	switch (col) {
	case GCOL_KEY:
		fmt_copy(out->text, sizeof(out->text), group_label(v, g->key));
		break;
	case GCOL_COUNT:
		snprintf(out->text, sizeof(out->text), "%llu", (unsigned long long)g->count);
		out->num = (double)g->count;
		break;
	case GCOL_RATE:
		out->num = errgroup_rate(g);
		snprintf(out->text, sizeof(out->text), "%.1f/m", out->num);
		break;
	case GCOL_LAST:
		fmt_time(g->last, out->text, sizeof(out->text));
		out->num = g->last;
		break;
	case GCOL_FIRST:
		fmt_time(g->first, out->text, sizeof(out->text));
		out->num = g->first;
		break;
	}
}

/* b: by code → by system → by input family → every record. */
static int key(struct view *v, int k)
{
	if (k != 'b' || v->ctx.group[0])
		return KEY_UNHANDLED; /* one group's records: Esc goes back to the groups */
	struct errors_state *st = state_of(v);
	if (!st->grouped) {
		st->grouped = true;
		st->by = ERRGROUP_BY_CODE;
	} else if (st->by + 1 < ERRGROUP_BY_COUNT) {
		st->by++;
	} else {
		st->grouped = false;
	}
	relayout(v);
	if (st->grouped)
		ui_notice(v->ui, "errors grouped by %s (b: %s)", errgroup_by_name(st->by),
			  st->by + 1 < ERRGROUP_BY_COUNT ? "next grouping" : "every error");
	else
		ui_notice(v->ui, "every error, newest first (b: group them)");
	return KEY_HANDLED | KEY_REDRAW;
}

/* Enter on a group: its records, one step down the breadcrumb. */
static bool drill(struct view *v, uint64_t id)
{
	if (!showing_groups(v))
		return false;
	struct errors_state *st = state_of(v);
	const struct errgroup *g = errgroups_find(&st->groups, id);
	if (!g)
		return true; /* gone since the frame: nothing to open, nothing to inspect */
	struct view_context ctx = v->ctx;
	fmt_copy(ctx.group, sizeof(ctx.group), g->key);
	char label[160];
	snprintf(label, sizeof(label), "%s %s", errgroup_by_name(st->by), group_label(v, g->key));
	ui_open_view(v->ui, VIEW_ERRORS, &ctx, label, true);
	return true;
}

/* The record of a sequence number, or NULL once evicted. */
const struct error_record *view_error_by_seq(const struct store *store, uint64_t seq)
{
	size_t n = store_errors_count(store);
	if (!n)
		return NULL;
	uint64_t newest = store_error_at(store, 0)->seq;
	if (seq > newest || newest - seq >= n)
		return NULL;
	const struct error_record *r = store_error_at(store, (size_t)(newest - seq));
	return r && r->seq == seq ? r : NULL;
}

static void rows(struct view *v, struct table *t)
{
	if (showing_groups(v)) {
		group_rows(v, t);
		return;
	}
	size_t n = store_errors_count(v->ui->store);
	for (size_t i = 0; i < n; i++) {
		const struct error_record *r = store_error_at(v->ui->store, i);
		if (!record_shown(v, r))
			continue;
		table_add_row(t, r->seq);
	}
}

static void cell(struct view *v, uint64_t id, size_t col, int width, struct table_cell *out)
{
	(void)width;
	if (showing_groups(v)) {
		group_cell(v, id, col, out);
		return;
	}
	const struct error_record *r = view_error_by_seq(v->ui->store, id);
	if (!r) {
		snprintf(out->text, sizeof(out->text), "-");
		return;
	}
	bool reply = r->kind == ERROR_RECORD_REPLY;
	switch (col) {
	case COL_TIME:
		fmt_time(r->time, out->text, sizeof(out->text));
		out->num = (double)r->seq;
		break;
	case COL_KIND:
		snprintf(out->text, sizeof(out->text), "%s",
			 reply ? "reply" : r->warning ? "warning" : "decode");
		out->role = r->warning ? UI_ROLE_ALERT_WARNING : UI_ROLE_ALERT_ERROR;
		break;
	case COL_FAMILY:
		snprintf(out->text, sizeof(out->text), "%s",
			 topic_family_name(reply ? r->answers_family : r->family));
		break;
	case COL_TOPIC:
		fmt_copy(out->text, sizeof(out->text),
			 fmt_topic_short(reply && r->answers_topic ? r->answers_topic : r->topic,
					 v->ui->config->slug));
		break;
	case COL_MESSAGE:
		if (r->field && *r->field)
			snprintf(out->text, sizeof(out->text), "%s: %s", r->field,
				 r->message ? r->message : "");
		else
			snprintf(out->text, sizeof(out->text), "%s", r->message ? r->message : "");
		break;
	case COL_CODE:
		snprintf(out->text, sizeof(out->text), "%s", r->code ? r->code : "");
		break;
	case COL_REQUEST: {
		const struct request *q = requests_for_error_record(v->ui->requests, r->seq);
		if (q)
			snprintf(out->text, sizeof(out->text), "#%u %s", q->id, q->summary ? q->summary : "");
		break;
	}
	}
}

static bool inspect(struct view *v, uint64_t id, struct inspect_target *out)
{
	if (showing_groups(v) || !view_error_by_seq(v->ui->store, id))
		return false;
	out->kind = INSPECT_ERROR;
	out->index = (size_t)id;
	return true;
}

static const struct key_help keys[] = {
	{ "Enter", "inspect the error (grouped: the group's errors)", true },
	{ "b", "group by code, by system, by input family, or not", true },
	{ NULL, NULL, false },
};

/* A new record (its sequence number), the requests replies name, system
 * names. */
static uint64_t data_stamp(struct view *v)
{
	static const enum topic_family families[] = { TOPIC_SYSTEM };
	size_t n = store_errors_count(v->ui->store);
	uint64_t newest = n ? store_error_at(v->ui->store, 0)->seq : 0;
	uint64_t stamp = newest + ui_families_stamp(v->ui, families, 1);
	if (showing_groups(v) && state_of(v)->groups.recent) {
		/* the rates fall as records leave their window: every 10 s */
		double step = floor(v->ui->now / 10);
		ui_note_deadline(v->ui, (step + 1) * 10);
		stamp += (uint64_t)step;
	}
	return stamp;
}

const struct view_ops view_errors_ops = {
	.id = VIEW_ERRORS,
	.cols = columns,
	.ncols = sizeof(columns) / sizeof(columns[0]),
	.rows = rows,
	.data_stamp = data_stamp,
	.cell = cell,
	.inspect = inspect,
	.drill = drill,
	.key = key,
	.context_changed = context_changed,
	.free = free_state,
	.keys = keys,
};
