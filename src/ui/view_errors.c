/* view_errors — every /error reply and every decode error or warning,
 * newest first: time, kind, the input topic a reply answers (or the topic
 * that failed to decode), the reason and the platform's code.  Rows are the
 * records' sequence numbers, so the selection survives new errors arriving.
 * A reply that ended one of this session's requests names it (request
 * column: "#4 set boiler-1/heating/target = 90"). */
#include <stdio.h>
#include <string.h>

#include "requests.h"
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
	size_t n = store_errors_count(v->ui->store);
	for (size_t i = 0; i < n; i++) {
		const struct error_record *r = store_error_at(v->ui->store, i);
		if (v->ctx.system[0] && (!r->system_uuid || strcmp(r->system_uuid, v->ctx.system)))
			continue;
		table_add_row(t, r->seq);
	}
}

static void cell(struct view *v, uint64_t id, size_t col, int width, struct table_cell *out)
{
	(void)width;
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
	if (!view_error_by_seq(v->ui->store, id))
		return false;
	out->kind = INSPECT_ERROR;
	out->index = (size_t)id;
	return true;
}

static const struct key_help keys[] = {
	{ "Enter", "inspect the error and the input it answers", true },
	{ NULL, NULL, false },
};

/* A new record (its sequence number), the requests replies name, system
 * names. */
static uint64_t data_stamp(struct view *v)
{
	static const enum topic_family families[] = { TOPIC_SYSTEM };
	size_t n = store_errors_count(v->ui->store);
	uint64_t newest = n ? store_error_at(v->ui->store, 0)->seq : 0;
	return newest + ui_families_stamp(v->ui, families, 1);
}

const struct view_ops view_errors_ops = {
	.id = VIEW_ERRORS,
	.cols = columns,
	.ncols = sizeof(columns) / sizeof(columns[0]),
	.rows = rows,
	.data_stamp = data_stamp,
	.cell = cell,
	.inspect = inspect,
	.keys = keys,
};
