/* view_requests — every request of this session, newest first: what it is,
 * on which site (system name, component; the event's model), where it
 * goes, its state live until its end (the outbox: "queued" while
 * the connection is down), the platform's or device's answer, and its age.
 * c cancels one that has not ended; Enter inspects its topic and payload.
 * Rows are request ids, so the selection survives new requests. */
#include <stdio.h>
#include <string.h>

#include "requests.h"
#include "ui/actions_ui.h"
#include "ui/fmt.h"
#include "ui/view.h"

enum { COL_ID, COL_KIND, COL_WHAT, COL_STATE, COL_AGE, COL_DETAIL, COL_TARGET };

static const struct table_column columns[] = {
	[COL_ID] = { "#", 3, 4, 0, true, true, true },
	[COL_KIND] = { "action", 12, 12, 6, false, false, false },
	[COL_WHAT] = { "request", 28, 48, 0, false, false, false, .key = true },
	[COL_STATE] = { "state", 17, 18, 0, false, false, false },
	[COL_AGE] = { "changed", 7, 7, 2, true, true, false },
	[COL_DETAIL] = { "answer", 10, 0, 1, false, false, false },
	[COL_TARGET] = { "topic / endpoint", 20, 70, 5, false, false, false },
};

static void rows(struct view *v, struct table *t)
{
	struct requests *r = v->ui->requests;
	if (!r)
		return;
	for (size_t i = requests_count(r); i-- > 0;) {
		const struct request *q = requests_at(r, i);
		if (v->ctx.system[0] && (!q->system_uuid || strcmp(q->system_uuid, v->ctx.system)))
			continue;
		table_add_row(t, q->id);
	}
}

static void cell(struct view *v, uint64_t id, size_t col, int width, struct table_cell *out)
{
	(void)width;
	struct ui *ui = v->ui;
	const struct request *q = requests_find(ui->requests, (uint32_t)id);
	if (!q) {
		snprintf(out->text, sizeof(out->text), "-");
		return;
	}
	switch (col) {
	case COL_ID:
		snprintf(out->text, sizeof(out->text), "%u", q->id);
		out->num = q->id;
		break;
	case COL_KIND:
		snprintf(out->text, sizeof(out->text), "%s", request_kind_name(q->kind));
		break;
	case COL_WHAT:
		actions_ui_request_label(ui, q, out->text, sizeof(out->text));
		break;
	case COL_STATE:
		out->role = actions_ui_state_text(ui, q, out->text, sizeof(out->text));
		break;
	case COL_AGE:
		fmt_age(ui->now, q->changed_at, out->text, sizeof(out->text));
		out->num = ui->now - q->changed_at;
		break;
	case COL_DETAIL:
		snprintf(out->text, sizeof(out->text), "%s%s%s%s", q->detail ? q->detail : "",
			 q->error_code ? " [" : "", q->error_code ? q->error_code : "",
			 q->error_code ? "]" : "");
		if (!q->detail && q->receipt_id)
			snprintf(out->text, sizeof(out->text), "receipt %s", q->receipt_id);
		if (!q->detail && q->state == REQUEST_QUEUED && q->kind != REQUEST_TOKEN)
			snprintf(out->text, sizeof(out->text), "waits for the connection");
		if (q->state == REQUEST_ERROR || q->state == REQUEST_REJECTED ||
		    q->state == REQUEST_FAILED || q->state == REQUEST_TIMED_OUT)
			out->role = UI_ROLE_ALERT_ERROR;
		break;
	case COL_TARGET:
		snprintf(out->text, sizeof(out->text), "%s",
			 q->kind == REQUEST_TOKEN ? "GraphQL" : fmt_topic_short(q->topic, ui->config->slug));
		break;
	}
}

static bool inspect(struct view *v, uint64_t id, struct inspect_target *out)
{
	(void)v;
	out->kind = INSPECT_REQUEST;
	out->index = (size_t)id;
	return true;
}

static int key(struct view *v, int ch)
{
	if (ch != 'c')
		return KEY_UNHANDLED;
	uint64_t id;
	if (table_selected(&v->table, &id))
		actions_ui_cancel(v->ui, (uint32_t)id);
	return KEY_HANDLED | KEY_REDRAW;
}

static const struct key_help keys[] = {
	{ "c", "cancel the request (queued: never sent; sent: no longer followed)", true },
	{ "Enter", "inspect the request: topic, payload, answer", true },
	{ NULL, NULL, false },
};

const struct view_ops view_requests_ops = {
	.id = VIEW_REQUESTS,
	.cols = columns,
	.ncols = sizeof(columns) / sizeof(columns[0]),
	.rows = rows,
	.cell = cell,
	.inspect = inspect,
	.key = key,
	.keys = keys,
	.empty = "no request yet: e sends a setpoint, a acknowledges an event, n issues a token",
};
