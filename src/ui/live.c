/* live — see include/ui/live.h. */
#include "ui/live.h"

#include <stdio.h>
#include <string.h>

#include "osc52.h"
#include "requests.h"
#include "ui/fmt.h"
#include "util.h"

/* ---- pause ----------------------------------------------------------------------- */

static uint64_t messages_in(const struct ui *ui)
{
	return store_counters(ui->store)->messages;
}

void live_toggle_pause(struct ui *ui)
{
	struct view *v = ui_current(ui);
	if (!v->ops->rows) {
		/* the inspector's text: p stops or resumes following */
		v->unfollowed = !v->unfollowed;
		return;
	}
	v->paused = !v->paused;
	if (v->paused) {
		v->paused_at = messages_in(ui);
		return;
	}
	v->table.stale = true; /* catch up at once: rows, filter and order */
	ui_notice(ui, "resumed: %llu update%s applied",
		  (unsigned long long)(messages_in(ui) - v->paused_at),
		  messages_in(ui) - v->paused_at == 1 ? "" : "s");
}

bool live_paused(const struct ui *ui)
{
	const struct view *v = &ui->views[ui->nav[ui->nav_depth - 1].view];
	return v->ops->rows && v->paused;
}

bool live_status(const struct ui *ui, char *buf, size_t size)
{
	if (!live_paused(ui))
		return false;
	const struct view *v = &ui->views[ui->nav[ui->nav_depth - 1].view];
	uint64_t waiting = messages_in(ui) - v->paused_at;
	snprintf(buf, size, " %s paused: %llu waiting ", ui->scr.ascii ? "||" : "⏸",
		 (unsigned long long)waiting);
	return true;
}

/* ---- the bell --------------------------------------------------------------------- */

void live_probe_before(struct ui *ui, const struct message_meta *msg, struct live_probe *p)
{
	memset(p, 0, sizeof(*p));
	if (!ui->config->bell || msg->retained)
		return;
	struct topic_match m;
	topic_match(ui->topics, msg->topic, msg->topic_len, &m);
	struct strview id = m.ids[TOPIC_ID_EVENT_UUID];
	if (m.family != TOPIC_EVENT || !id.ptr || id.len >= sizeof(p->uuid))
		return;
	memcpy(p->uuid, id.ptr, id.len);
	p->uuid[id.len] = '\0';
	const struct event *e = store_find_event(ui->store, p->uuid);
	p->event = true;
	p->was_known = e && e->meta.known;
}

void live_probe_after(struct ui *ui, const struct live_probe *p)
{
	if (!p->event || p->was_known)
		return;
	const struct event *e = store_find_event(ui->store, p->uuid);
	if (!e || store_event_level(ui->store, e) != LEVEL_ERROR)
		return;
	ui->bells++;
	ui->bell_until = ui_clock(ui) + 1.0;
	beep(); /* through ncurses' output, in order with the frames */
}

/* ---- copy ------------------------------------------------------------------------- */

static void copy_str(char *text, size_t size, const char *s)
{
	fmt_copy(text, size, s ? s : "");
}

/* The identifier (or value) that names a row of this kind. */
static bool target_text(struct ui *ui, const struct inspect_target *t, char *text, size_t size,
			const char **what)
{
	struct store *st = ui->store;
	switch (t->kind) {
	case INSPECT_SYSTEM:
		*what = "system uuid";
		copy_str(text, size, store_system_at(st, t->index)->uuid);
		return true;
	case INSPECT_COMPONENT:
		*what = "component code";
		copy_str(text, size, store_component_at(st, t->index)->code);
		return true;
	case INSPECT_SERIES: {
		const struct series *s = store_series_at(st, t->index);
		if (!s->live)
			return false;
		*what = "value";
		fmt_value(&s->last, text, size);
		return true;
	}
	case INSPECT_SETPOINT:
		*what = "setpoint value";
		fmt_value(&store_setpoint_at(st, t->index)->value, text, size);
		return true;
	case INSPECT_EVENT:
		*what = "event uuid";
		copy_str(text, size, store_event_at(st, t->index)->uuid);
		return true;
	case INSPECT_TOKENS:
		*what = "system uuid";
		copy_str(text, size, store_token_list_at(st, t->index)->system_uuid);
		return true;
	case INSPECT_UNCLASSIFIED:
		*what = "topic";
		copy_str(text, size, store_unclassified_topic_at(st, t->index)->topic);
		return true;
	case INSPECT_ERROR: {
		const struct error_record *r = view_error_by_seq(st, t->index);
		if (!r)
			return false;
		*what = "error topic";
		copy_str(text, size, r->topic);
		return true;
	}
	case INSPECT_REQUEST: {
		const struct request *q =
			ui->requests ? requests_find(ui->requests, (uint32_t)t->index) : NULL;
		if (!q)
			return false;
		/* the platform's receipt id is what support asks for; until
		 * there is one, the request's number */
		*what = q->receipt_id ? "receipt id" : "request id";
		if (q->receipt_id)
			copy_str(text, size, q->receipt_id);
		else
			snprintf(text, size, "#%u", q->id);
		return true;
	}
	case INSPECT_NONE:
		break;
	}
	return false;
}

bool live_copy_text(struct ui *ui, char *text, size_t size, const char **what)
{
	struct view *v = ui_current(ui);
	struct inspect_target t = ui->inspect;
	if (v->ops->rows) {
		uint64_t id;
		if (v->table.stale)
			table_rebuild(&v->table);
		if (!v->ops->inspect || !table_selected(&v->table, &id) || !v->ops->inspect(v, id, &t))
			return false;
	}
	return target_text(ui, &t, text, size, what);
}

void live_copy(struct ui *ui)
{
	char text[OSC52_MAX_TEXT + 1], clean[OSC52_MAX_TEXT + 1], seq[2 * OSC52_MAX_TEXT];
	const char *what = "";
	if (!live_copy_text(ui, text, sizeof(text), &what) || !text[0]) {
		ui_notice(ui, "nothing to copy here");
		return;
	}
	size_t len = osc52_clean(text, clean, sizeof(clean));
	size_t n = osc52_sequence(clean, len, seq, sizeof(seq));
	FILE *out = ui->scr.relay ? ttyout_stream(ui->scr.relay) : ui->scr.out;
	/* between frames, in the stream ncurses writes to (and flushes) */
	if (!out || !n || fwrite(seq, 1, n, out) != n || fflush(out) != 0) {
		ui_notice(ui, "cannot copy: the terminal did not take the sequence");
		return;
	}
	ui_notice(ui, "copied %s %s%s (OSC 52)", what, clean,
		  len >= OSC52_MAX_TEXT ? " (cut)" : "");
}
