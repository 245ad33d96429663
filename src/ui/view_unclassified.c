/* view_unclassified — topics the topic table does not know, so an operator
 * can see what the broker sends beyond the documented families: topic, why
 * it matched nothing, how many messages, retained, last seen.  Enter shows
 * the last payload in the inspector. */
#include <stdio.h>
#include <string.h>

#include "ui/fmt.h"
#include "ui/view.h"

enum { COL_TOPIC, COL_REASON, COL_COUNT, COL_RETAINED, COL_AGE };

static const struct table_column columns[] = {
	[COL_TOPIC] = { "topic", 20, 0, 0, false, false, false, .key = true },
	[COL_REASON] = { "reason", 12, 30, 2, false, false, false },
	[COL_COUNT] = { "msgs", 6, 8, 0, true, true, true },
	[COL_RETAINED] = { "retained", 8, 8, 3, false, false, false },
	[COL_AGE] = { "seen", 5, 6, 1, true, true, false },
};

static void rows(struct view *v, struct table *t)
{
	size_t n = store_unclassified_topics_count(v->ui->store);
	for (size_t i = 0; i < n; i++)
		table_add_row(t, i);
}

static void cell(struct view *v, uint64_t id, size_t col, int width, struct table_cell *out)
{
	(void)width;
	struct ui *ui = v->ui;
	const struct unclassified_topic *u = store_unclassified_topic_at(ui->store, (size_t)id);
	switch (col) {
	case COL_TOPIC:
		fmt_copy(out->text, sizeof(out->text), fmt_topic_short(u->topic, ui->config->slug));
		break;
	case COL_REASON:
		snprintf(out->text, sizeof(out->text), "%s", u->reason ? u->reason : "");
		break;
	case COL_COUNT:
		snprintf(out->text, sizeof(out->text), "%llu", (unsigned long long)u->count);
		out->num = (double)u->count;
		break;
	case COL_RETAINED:
		snprintf(out->text, sizeof(out->text), "%s", u->meta.retained ? "yes" : "no");
		break;
	case COL_AGE:
		fmt_age(ui->now, u->meta.received_at, out->text, sizeof(out->text));
		out->num = ui->now - u->meta.received_at;
		break;
	}
}

static bool inspect(struct view *v, uint64_t id, struct inspect_target *out)
{
	(void)v;
	out->kind = INSPECT_UNCLASSIFIED;
	out->index = (size_t)id;
	return true;
}

static const struct key_help keys[] = {
	{ "Enter", "inspect the last payload", true },
	{ NULL, NULL, false },
};

static uint64_t data_stamp(struct view *v)
{
	const struct store_counters *n = store_counters(v->ui->store);
	return n->unclassified_messages + n->unclassified_dropped;
}

const struct view_ops view_unclassified_ops = {
	.id = VIEW_UNCLASSIFIED,
	.cols = columns,
	.ncols = sizeof(columns) / sizeof(columns[0]),
	.rows = rows,
	.data_stamp = data_stamp,
	.cell = cell,
	.inspect = inspect,
	.keys = keys,
};
