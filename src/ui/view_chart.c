/* view_chart — the chart of one to four series (ui->chart): a line for the
 * window, a legend line per series, and the grid ui/chart renders from the
 * series' history rings.  Opened with g from the Datapoints view (the
 * selected row, or the rows marked with Space) and from the inspector of a
 * series; Esc goes back.
 *
 * The window follows the newest sample (its right edge) like `less +F`
 * until the operator pans; + and - halve and double it, 0 shows all the
 * history again.  The frame loop redraws it whenever the store changes, at
 * most --fps times a second, so it moves while samples arrive. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "action_flow.h"
#include "sanitize.h"
#include "ui/chart.h"
#include "ui/fmt.h"
#include "ui/view.h"
#include "util.h"

/* The series' colours (themes have no chart roles of their own); the
 * number and, in ASCII, the mark tell them apart without colour. */
static const enum ui_role series_roles[UI_CHART_SERIES] = {
	UI_ROLE_SPARKLINE, UI_ROLE_STATE_CREATED, UI_ROLE_STATE_ACCEPTED, UI_ROLE_VALUE,
};

/* The charted series' histories, copied out of their rings for one frame. */
struct loaded {
	struct chart_series series[UI_CHART_SERIES];
	struct sample *buf[UI_CHART_SERIES];
	const struct series *s[UI_CHART_SERIES]; /* NULL: evicted */
	size_t n;
};

static void load(struct ui *ui, struct loaded *l)
{
	memset(l, 0, sizeof(*l));
	l->n = ui->chart.nshown;
	for (size_t i = 0; i < l->n; i++) {
		const struct series *s = ui_chart_series(ui, &ui->chart.shown[i]);
		l->s[i] = s;
		if (!s || !s->ring_filled)
			continue;
		l->buf[i] = xmalloc(s->ring_filled * sizeof(*l->buf[i]));
		l->series[i].samples = l->buf[i];
		l->series[i].n = series_history(s, l->buf[i], s->ring_filled);
	}
}

static void unload(struct loaded *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->buf[i]);
}

/* The unit of a series from its component model's catalogue (read once per
 * chart opened: a model that arrives later shows on the next g). */
static const char *unit_of(struct ui *ui, struct ui_chart_ref *ref, const struct series *s)
{
	if (!ref->unit_read) {
		ref->unit_read = true;
		struct action_catalogue held;
		memset(&held, 0, sizeof(held));
		const char *why = NULL;
		const struct payload_characteristic *c = action_flow_characteristic(
			ui->store, s->system, s->component, s->service, s->characteristic, &held, &why);
		ref->unit[0] = '\0';
		if (c && c->symbol)
			sanitize_text(c->symbol, strlen(c->symbol), ui->scr.smode, ref->unit,
				      sizeof(ref->unit), 8);
		action_catalogue_close(&held);
	}
	return ref->unit;
}

static void duration(double s, char *buf, size_t size)
{
	if (!isfinite(s) || s < 0)
		snprintf(buf, size, "?");
	else if (s < 60)
		snprintf(buf, size, "%.0fs", s);
	else if (s < 3600)
		snprintf(buf, size, "%dm %02ds", (int)(s / 60), (int)fmod(s, 60));
	else if (s < 86400)
		snprintf(buf, size, "%dh %02dm", (int)(s / 3600), (int)fmod(s / 60, 60));
	else if (s < 1e9)
		snprintf(buf, size, "%.0fd %02dh", floor(s / 86400), (int)fmod(s / 3600, 24));
	else
		snprintf(buf, size, "%.3gs", s);
}

/* The window shown: [t0, t1] from the whole history, the zoom and the pan. */
static void window(const struct ui_chart *c, double all0, double all1, double *t0, double *t1)
{
	if (c->span <= 0) {
		*t0 = all0;
		*t1 = all1;
		return;
	}
	*t1 = c->follow ? all1 : c->end;
	*t0 = *t1 - c->span;
}

static void draw_grid(struct ui *ui, WINDOW *w, int y, const struct chart_grid *g)
{
	for (int row = 0; row < g->height; row++) {
		/* runs of cells with one role, each put once */
		int x = 0;
		while (x < g->width) {
			const struct chart_cell *first = chart_cell_at(g, x, row);
			enum ui_role role = first->kind == CHART_PLOT || first->kind == CHART_MARK
						    ? series_roles[(first->series - 1) % UI_CHART_SERIES]
					    : first->kind == CHART_AXIS || first->kind == CHART_GAP
						    ? UI_ROLE_MUTED
						    : UI_ROLE_DEFAULT;
			char run[4096];
			size_t used = 0;
			int start = x;
			for (; x < g->width; x++) {
				const struct chart_cell *c = chart_cell_at(g, x, row);
				bool same = c->kind == first->kind && c->series == first->series;
				size_t len = strlen(c->glyph);
				if (!same || used + len + 1 > sizeof(run))
					break;
				memcpy(run + used, c->glyph, len);
				used += len;
			}
			run[used] = '\0';
			screen_put(&ui->scr, w, y + row, start, x - start, run, screen_attr(&ui->scr, role),
				   true, false);
		}
	}
}

static void draw(struct view *v, WINDOW *w, int y, int height, int width)
{
	struct ui *ui = v->ui;
	struct ui_chart *c = &ui->chart;
	attr_t plain = screen_attr(&ui->scr, UI_ROLE_DEFAULT);
	for (int i = 0; i < height; i++)
		screen_put(&ui->scr, w, y + i, 0, width, "", plain, true, false);
	if (c->nshown == 0) {
		screen_put(&ui->scr, w, y + 1, 2, width - 4,
			   "No series: press g on a row of the Datapoints view (Space marks up to 4).",
			   screen_attr(&ui->scr, UI_ROLE_MUTED), false, false);
		return;
	}
	struct loaded l;
	load(ui, &l);
	double all0 = 0, all1 = 0, t0, t1;
	bool any = chart_window_all(l.series, l.n, &all0, &all1);
	window(c, all0, all1, &t0, &t1);

	/* one unit on the axis when every series has the same */
	const char *unit = NULL;
	for (size_t i = 0; i < l.n; i++) {
		const char *u = l.s[i] ? unit_of(ui, &c->shown[i], l.s[i]) : "";
		if (i == 0)
			unit = u;
		else if (!unit || strcmp(unit, u) != 0)
			unit = NULL;
	}

	char span[32], all[32], head[256];
	duration(t1 - t0, span, sizeof(span));
	duration(all1 - all0, all, sizeof(all));
	if (!any)
		snprintf(head, sizeof(head), "no numeric samples yet (--history %zu per series)",
			 store_limits(ui->store)->history_len);
	else if (c->span <= 0)
		snprintf(head, sizeof(head), "window %s: all the history, following new samples",
			 all);
	else if (c->follow)
		snprintf(head, sizeof(head), "window %s of %s, following new samples", span, all);
	else {
		char when[40];
		fmt_time(t1, when, sizeof(when));
		snprintf(head, sizeof(head), "window %s of %s, ending %s UTC: paused (f follows)", span,
			 all, when);
	}
	screen_put(&ui->scr, w, y, 0, width, head, screen_attr(&ui->scr, UI_ROLE_CRUMB), true, false);

	struct chart_options opt = { t0, t1, unit, ui->scr.ascii };
	struct chart_grid g;
	int legend = (int)l.n;
	int grid_h = height - 1 - legend;
	bool drawn = chart_render(&g, width, grid_h, l.series, l.n, &opt);
	for (size_t i = 0; i < l.n; i++) {
		char label[600], line[1024];
		const struct series *s = l.s[i];
		if (!s) {
			snprintf(line, sizeof(line), "%zu (evicted: the store gave its place to newer series)",
				 i + 1);
		} else {
			snprintf(label, sizeof(label), "%s/%s/%s  %s", s->component, s->service,
				 s->characteristic[0] ? s->characteristic : s->time_stream_uuid,
				 fmt_system_name(ui->store, s->system));
			struct chart_stats st;
			memset(&st, 0, sizeof(st));
			if (drawn)
				st = g.stats[i];
			chart_legend(line, sizeof(line), i, label, &st, unit_of(ui, &c->shown[i], s),
				     ui->scr.ascii);
			if (!s->ring_filled)
				snprintf(line, sizeof(line), "%zu no numeric history (a %s series)  %s", i + 1,
					 fmt_value_type(&s->last), label);
		}
		screen_put(&ui->scr, w, y + 1 + (int)i, 0, width, line,
			   screen_attr(&ui->scr, series_roles[i]), true, false);
	}
	if (drawn) {
		draw_grid(ui, w, y + 1 + legend, &g);
		chart_grid_free(&g);
	} else if (grid_h > 0) {
		screen_put(&ui->scr, w, y + 1 + legend, 0, width, "(the terminal is too small for the chart)",
			   screen_attr(&ui->scr, UI_ROLE_MUTED), true, false);
	}
	unload(&l);
}

/* The whole history's span, for the keys (zoom, pan). */
static bool history_span(struct ui *ui, double *all0, double *all1)
{
	struct loaded l;
	load(ui, &l);
	bool any = chart_window_all(l.series, l.n, all0, all1);
	unload(&l);
	return any;
}

static int key(struct view *v, int ch)
{
	struct ui_chart *c = &v->ui->chart;
	double all0 = 0, all1 = 0;
	if (!history_span(v->ui, &all0, &all1))
		return ch == '+' || ch == '=' || ch == '-' || ch == '0' || ch == KEY_LEFT ||
				       ch == KEY_RIGHT || ch == 'f' || ch == KEY_END
			       ? KEY_HANDLED
			       : KEY_UNHANDLED;
	double all = all1 - all0 > 1 ? all1 - all0 : 1;
	double span = c->span > 0 ? c->span : all;
	double end = c->follow ? all1 : c->end;
	switch (ch) {
	case '+':
	case '=':
		c->span = span / 2 > 1 ? span / 2 : 1;
		break;
	case '-':
		c->span = span * 2 >= all ? 0 : span * 2;
		if (c->span == 0)
			c->follow = true;
		break;
	case '0':
		c->span = 0;
		c->follow = true;
		break;
	case KEY_LEFT: {
		/* panning stops the following; the window keeps its width, and
		 * goes no further than the oldest sample at its left edge */
		double floor_end = all0 + span < all1 ? all0 + span : all1;
		c->span = span;
		c->end = end - span / 4 > floor_end ? end - span / 4 : floor_end;
		c->follow = false;
		break;
	}
	case KEY_RIGHT:
		c->span = span;
		c->end = end + span / 4;
		c->follow = c->end >= all1;
		break;
	case 'f':
	case KEY_END:
		c->follow = true;
		break;
	default:
		return KEY_UNHANDLED;
	}
	return KEY_HANDLED | KEY_REDRAW;
}

static const struct key_help keys[] = {
	{ "+ -", "zoom the time window in / out", true },
	{ "0", "all the history", true },
	{ "Left Right", "pan (stops following new samples)", true },
	{ "f End", "follow new samples again (newest at the right edge)", true },
	{ NULL, NULL, false },
};

const struct view_ops view_chart_ops = {
	.id = VIEW_CHART,
	.draw = draw,
	.key = key,
	.keys_first = true,
	.keys = keys,
	.empty = NULL,
};
