/* view — the console's shared state as the views see it: titles and keys,
 * the breadcrumb (open a view, drill down, back), the wall clock, notices,
 * deadlines and change stamps; see include/ui/view.h.
 *
 * Views call only this module (and the core): never app.c, which draws the
 * frame and owns the windows, so the views and the frame around them do not
 * depend on each other. */
#include "ui/view.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "requests.h"
#include "util.h"

/* screen.h sizes the glyph tables without the store's enums. */
_Static_assert(UI_GLYPH_LEVELS == LEVEL_COUNT, "one level glyph per enum event_level");
_Static_assert(sizeof(((struct ui_glyphs *)0)->state) / sizeof(char *) == SETPOINT_REJECTED + 1,
	       "one state glyph per enum setpoint_state");

static const char *const titles[] = {
#define X(id, title, key) title,
	UI_VIEW_LIST(X)
#undef X
};

static const char keys[] = {
#define X(id, title, key) key,
	UI_VIEW_LIST(X)
#undef X
};

const char *view_title(enum view_id id)
{
	if (id == VIEW_CHART)
		return "Chart";
	return id < VIEW_COUNT ? titles[id] : "?";
}

char view_key(enum view_id id)
{
	return id < VIEW_COUNT ? keys[id] : '?';
}

struct view *ui_current(struct ui *ui)
{
	return &ui->views[ui->nav[ui->nav_depth - 1].view];
}

static void set_context(struct view *v, const struct view_context *ctx)
{
	struct view_context empty;
	memset(&empty, 0, sizeof(empty));
	if (!ctx)
		ctx = &empty;
	if (memcmp(&v->ctx, ctx, sizeof(*ctx)) != 0) {
		v->ctx = *ctx;
		v->table.stale = true;
		/* another system's rows: start at the top */
		v->table.has_sel = false;
		v->table.sel = v->table.top = 0;
		if (v->ops->context_changed)
			v->ops->context_changed(v);
	}
	if (v->ops->context_columns)
		table_hide_columns(&v->table, v->ops->context_columns(&v->ctx));
}

/* A system drilled into is on screen: never evicted at a store cap
 * (--max-memory) while its step is open. */
static void nav_pin(struct ui *ui, struct nav_step *s)
{
	s->pinned = s->ctx.system[0] && store_find_system(ui->store, s->ctx.system) &&
		    store_pin_system(ui->store, s->ctx.system);
}

static void nav_unpin(struct ui *ui, struct nav_step *s)
{
	if (s->pinned)
		store_unpin_system(ui->store, s->ctx.system);
	s->pinned = false;
}

void ui_open_view(struct ui *ui, enum view_id id, const struct view_context *ctx,
		  const char *label, bool push)
{
	if (push && ui->nav_depth < UI_NAV_MAX) {
		struct nav_step *s = &ui->nav[ui->nav_depth++];
		memset(s, 0, sizeof(*s));
		s->view = id;
		if (ctx)
			s->ctx = *ctx;
		snprintf(s->label, sizeof(s->label), "%s", label ? label : "");
		nav_pin(ui, s);
	} else {
		for (int i = 0; i < ui->nav_depth; i++)
			nav_unpin(ui, &ui->nav[i]);
		ui->nav_depth = 1;
		memset(&ui->nav[0], 0, sizeof(ui->nav[0]));
		ui->nav[0].view = id;
		if (ctx)
			ui->nav[0].ctx = *ctx;
		nav_pin(ui, &ui->nav[0]);
	}
	set_context(&ui->views[id], ctx);
	ui->views[id].scroll = 0;
}

void ui_open_inspector(struct ui *ui, const struct inspect_target *target, const char *label)
{
	ui->inspect = *target;
	ui->views[VIEW_INSPECTOR].unfollowed = false; /* a new target is followed (ui/live) */
	ui_open_view(ui, VIEW_INSPECTOR, NULL, label, true);
}

void ui_back(struct ui *ui)
{
	if (ui->nav_depth <= 1)
		return;
	nav_unpin(ui, &ui->nav[ui->nav_depth - 1]);
	ui->nav_depth--;
	const struct nav_step *s = &ui->nav[ui->nav_depth - 1];
	set_context(&ui->views[s->view], &s->ctx);
}

void ui_note_deadline(struct ui *ui, double when)
{
	if (when > ui->now && (ui->deadline <= 0 || when < ui->deadline))
		ui->deadline = when;
}

void ui_notice(struct ui *ui, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(ui->flash_message, sizeof(ui->flash_message), fmt, ap);
	va_end(ap);
	ui->flash_until = ui_clock(ui) + 3;
}

size_t ui_pending_requests(const struct ui *ui)
{
	return ui->requests ? requests_pending(ui->requests) : 0;
}

uint64_t ui_stamp(const struct ui *ui)
{
	/* both only grow: their sum changes whenever either does */
	return store_stamp(ui->store) + (ui->requests ? requests_stamp(ui->requests) : 0);
}

uint64_t ui_families_stamp(const struct ui *ui, const enum topic_family *families, size_t n)
{
	uint64_t sum = ui->requests ? requests_stamp(ui->requests) : 0;
	for (size_t i = 0; i < n; i++)
		sum += store_family_stamp(ui->store, families[i]);
	return sum;
}

double ui_clock(const struct ui *ui)
{
	return ui->clock_fixed >= 0 ? ui->clock_fixed : time_now();
}


/* ---- the chart's series ---------------------------------------------------- */

static void series_key(const struct series *s, char *buf, size_t size)
{
	snprintf(buf, size, "%s\x1f%s\x1f%s\x1f%s\x1f%s", s->system, s->component, s->service,
		 s->characteristic, s->time_stream_uuid);
}

static void chart_ref_set(struct ui *ui, struct ui_chart_ref *ref, size_t slot)
{
	memset(ref, 0, sizeof(*ref));
	ref->slot = slot;
	series_key(store_series_at(ui->store, slot), ref->key, sizeof(ref->key));
}

const struct series *ui_chart_series(const struct ui *ui, const struct ui_chart_ref *ref)
{
	if (ref->slot >= store_series_slots(ui->store))
		return NULL;
	const struct series *s = store_series_at(ui->store, ref->slot);
	char key[sizeof(ref->key)];
	if (!s->live)
		return NULL;
	series_key(s, key, sizeof(key));
	return strcmp(key, ref->key) == 0 ? s : NULL;
}

void ui_open_chart(struct ui *ui, const size_t *slots, size_t n, const char *label)
{
	struct ui_chart *c = &ui->chart;
	c->nshown = 0;
	for (size_t i = 0; i < n && c->nshown < UI_CHART_SERIES; i++)
		if (slots[i] < store_series_slots(ui->store) &&
		    store_series_at(ui->store, slots[i])->live)
			chart_ref_set(ui, &c->shown[c->nshown++], slots[i]);
	c->span = 0;
	c->end = 0;
	c->follow = true;
	ui_open_view(ui, VIEW_CHART, NULL, label, true);
}

int ui_chart_mark_number(const struct ui *ui, size_t slot)
{
	const struct ui_chart *c = &ui->chart;
	for (size_t i = 0; i < c->nmarked; i++)
		if (c->marked[i].slot == slot && ui_chart_series(ui, &c->marked[i]))
			return (int)i + 1;
	return 0;
}

bool ui_chart_toggle_mark(struct ui *ui, size_t slot)
{
	struct ui_chart *c = &ui->chart;
	/* forget marks whose series went (evicted): they would hold a place */
	size_t kept = 0;
	for (size_t i = 0; i < c->nmarked; i++)
		if (ui_chart_series(ui, &c->marked[i]))
			c->marked[kept++] = c->marked[i];
	c->nmarked = kept;
	for (size_t i = 0; i < c->nmarked; i++)
		if (c->marked[i].slot == slot) {
			memmove(&c->marked[i], &c->marked[i + 1],
				(c->nmarked - i - 1) * sizeof(c->marked[0]));
			c->nmarked--;
			return true;
		}
	if (c->nmarked == UI_CHART_SERIES)
		return false;
	chart_ref_set(ui, &c->marked[c->nmarked++], slot);
	return true;
}
