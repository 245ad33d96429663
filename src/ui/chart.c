/* chart — series in, a grid of cells out; see include/ui/chart.h.
 *
 * The plot is a bitmap of dots: 2 × 4 per cell in Braille (U+2800 + one bit
 * per dot), 1 × 1 in ASCII, where each series has its own mark (* o x #) so
 * overlaid lines stay apart without colour.  Lines between samples are
 * drawn with Bresenham between pixel coordinates that are clipped to the
 * window and clamped to the grid first, so a hostile value or time cannot
 * make a loop long or an index wild. */
#include "ui/chart.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util.h"

/* not "+", "-" or "|": those are the axes' */
static const char *const ascii_marks[CHART_MAX_SERIES] = { "*", "o", "x", "#" };

/* ---- small helpers ------------------------------------------------------- */

static bool finite_sample(const struct sample *s)
{
	return isfinite(s->time) && isfinite(s->value);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

double chart_usual_interval(const struct sample *samples, size_t n)
{
	if (n < 2)
		return 0;
	double *steps = xmalloc((n - 1) * sizeof(*steps));
	size_t k = 0;
	const struct sample *prev = NULL;
	for (size_t i = 0; i < n; i++) {
		if (!finite_sample(&samples[i]))
			continue;
		if (prev) {
			double dt = samples[i].time - prev->time;
			if (dt > 0 && isfinite(dt))
				steps[k++] = dt;
		}
		prev = &samples[i];
	}
	double median = 0;
	if (k > 0) {
		qsort(steps, k, sizeof(*steps), cmp_double);
		median = k % 2 ? steps[k / 2] : steps[k / 2 - 1] / 2 + steps[k / 2] / 2;
	}
	free(steps);
	return median;
}

bool chart_window_all(const struct chart_series *series, size_t nseries, double *t0, double *t1)
{
	bool any = false;
	for (size_t k = 0; k < nseries; k++)
		for (size_t i = 0; i < series[k].n; i++) {
			const struct sample *s = &series[k].samples[i];
			if (!finite_sample(s))
				continue;
			if (!any || s->time < *t0)
				*t0 = s->time;
			if (!any || s->time > *t1)
				*t1 = s->time;
			any = true;
		}
	return any;
}

/* (x - a) / (b - a) without overflowing when a and b are far apart (±1e308):
 * every term is halved first.  NaN never comes in. */
static double fraction(double x, double a, double b)
{
	double span = b / 2 - a / 2;
	if (!(span > 0))
		return 0.5;
	double f = (x / 2 - a / 2) / span;
	return isfinite(f) ? f : (f > 0 ? 1e9 : -1e9);
}

static double clampd(double v, double lo, double hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

void chart_format_value(double value, const char *unit, char *buf, size_t size)
{
	if (size == 0)
		return;
	if (!isfinite(value))
		snprintf(buf, size, "?");
	else
		snprintf(buf, size, "%.5g", value == 0 ? 0.0 : value); /* no "-0" */
	if (unit && *unit) {
		size_t used = strlen(buf);
		snprintf(buf + used, size - used, " %s", unit);
	}
}

/* Bytes of the UTF-8 character starting at p (1 for a stray byte). */
static size_t utf8_len(const char *p)
{
	unsigned char c = (unsigned char)*p;
	size_t n = c < 0x80 ? 1 : (c & 0xe0) == 0xc0 ? 2 : (c & 0xf0) == 0xe0 ? 3 : (c & 0xf8) == 0xf0 ? 4 : 1;
	for (size_t i = 1; i < n; i++)
		if (((unsigned char)p[i] & 0xc0) != 0x80)
			return 1;
	return n;
}

static int utf8_columns(const char *s)
{
	int cols = 0;
	for (const char *p = s; *p; p += utf8_len(p))
		cols++;
	return cols;
}

/* ---- the grid ------------------------------------------------------------ */

static struct chart_cell *cell(struct chart_grid *g, int x, int y)
{
	if (x < 0 || y < 0 || x >= g->width || y >= g->height)
		return NULL;
	return &g->cells[(size_t)y * (size_t)g->width + (size_t)x];
}

const struct chart_cell *chart_cell_at(const struct chart_grid *grid, int x, int y)
{
	if (!grid->cells || x < 0 || y < 0 || x >= grid->width || y >= grid->height)
		return NULL;
	return &grid->cells[(size_t)y * (size_t)grid->width + (size_t)x];
}

static void set_cell(struct chart_grid *g, int x, int y, const char *glyph, enum chart_cell_kind kind,
		     int series)
{
	struct chart_cell *c = cell(g, x, y);
	if (!c)
		return;
	size_t len = utf8_len(glyph);
	if (len >= sizeof(c->glyph))
		len = 1;
	memcpy(c->glyph, glyph, len);
	c->glyph[len] = '\0';
	c->kind = (uint8_t)kind;
	c->series = (uint8_t)series;
}

/* Writes text from x on row y, one character per cell, up to x_end. */
static void put_text(struct chart_grid *g, int x, int y, int x_end, const char *text,
		     enum chart_cell_kind kind)
{
	for (const char *p = text; *p && x < x_end; p += utf8_len(p), x++)
		set_cell(g, x, y, p, kind, 0);
}

void chart_grid_free(struct chart_grid *grid)
{
	free(grid->cells);
	memset(grid, 0, sizeof(*grid));
}

void chart_row_text(const struct chart_grid *grid, int y, char *buf, size_t size)
{
	size_t used = 0;
	if (size == 0)
		return;
	for (int x = 0; x < grid->width; x++) {
		const struct chart_cell *c = chart_cell_at(grid, x, y);
		size_t len = c ? strlen(c->glyph) : 0;
		if (used + len + 1 > size)
			break;
		memcpy(buf + used, c->glyph, len);
		used += len;
	}
	buf[used] = '\0';
}

/* ---- the plot ------------------------------------------------------------ */

struct plot {
	struct chart_grid *g;
	bool ascii;
	int px_w, px_h; /* dots across and down */
	int cell_w, cell_h;
	uint8_t *dots;  /* per plot cell: Braille bits (ASCII: 1 when marked) */
	uint8_t *who;   /* per plot cell: the last series drawn (1-based) */
};

static void dot(struct plot *p, long px, long py, int series)
{
	if (px < 0 || py < 0 || px >= p->px_w || py >= p->px_h)
		return;
	int cx = (int)px / p->cell_w, cy = (int)py / p->cell_h;
	size_t i = (size_t)cy * (size_t)p->g->plot_w + (size_t)cx;
	if (p->ascii) {
		p->dots[i] = 1;
	} else {
		/* Braille dot numbering: left column 1 2 3 7, right column 4 5 6 8 */
		static const uint8_t bits[2][4] = { { 0x01, 0x02, 0x04, 0x40 },
						    { 0x08, 0x10, 0x20, 0x80 } };
		p->dots[i] |= bits[px % 2][py % 4];
	}
	p->who[i] = (uint8_t)series;
}

/* A line between two points in dot coordinates, x already clipped to the
 * plot; y clamped here, so the loop runs at most px_w + px_h steps. */
static void line(struct plot *p, double xa, double ya, double xb, double yb, int series)
{
	long x0 = lround(clampd(xa, 0, p->px_w - 1)), y0 = lround(clampd(ya, 0, p->px_h - 1));
	long x1 = lround(clampd(xb, 0, p->px_w - 1)), y1 = lround(clampd(yb, 0, p->px_h - 1));
	long dx = labs(x1 - x0), dy = -labs(y1 - y0);
	long sx = x0 < x1 ? 1 : -1, sy = y0 < y1 ? 1 : -1, err = dx + dy;
	for (;;) {
		dot(p, x0, y0, series);
		if (x0 == x1 && y0 == y1)
			break;
		long e2 = 2 * err;
		if (e2 >= dy) {
			err += dy;
			x0 += sx;
		}
		if (e2 <= dx) {
			err += dx;
			y0 += sy;
		}
	}
}

/* Clips the segment to 0 <= x <= px_w - 1 and draws it; false when it lies
 * wholly outside. */
static bool segment(struct plot *p, double xa, double ya, double xb, double yb, int series)
{
	double right = p->px_w - 1;
	if ((xa < 0 && xb < 0) || (xa > right && xb > right))
		return false;
	if (xa > xb) {
		double t = xa;
		xa = xb;
		xb = t;
		t = ya;
		ya = yb;
		yb = t;
	}
	if (xa < 0) {
		ya += (yb - ya) * (0 - xa) / (xb - xa);
		xa = 0;
	}
	if (xb > right) {
		yb = ya + (yb - ya) * (right - xa) / (xb - xa);
		xb = right;
	}
	line(p, xa, ya, xb, yb, series);
	return true;
}

/* The time axis under a gap: dotted between the two samples' columns. */
static void mark_gap(struct plot *p, double xa, double xb)
{
	struct chart_grid *g = p->g;
	double right = p->px_w - 1;
	if (xb < 0 || xa > right)
		return;
	int ca = (int)lround(clampd(xa, 0, right)) / p->cell_w;
	int cb = (int)lround(clampd(xb, 0, right)) / p->cell_w;
	for (int c = ca; c <= cb; c++)
		set_cell(g, g->plot_x + c, g->plot_y + g->plot_h, p->ascii ? "." : "╌", CHART_GAP, 0);
}

static void stats_of(const struct chart_series *s, double t0, double t1, struct chart_stats *st)
{
	memset(st, 0, sizeof(*st));
	for (size_t i = 0; i < s->n; i++) {
		const struct sample *x = &s->samples[i];
		if (!finite_sample(x)) {
			st->invalid++;
			continue;
		}
		if (x->time < t0 || x->time > t1)
			continue;
		if (st->n == 0 || x->value < st->min)
			st->min = x->value;
		if (st->n == 0 || x->value > st->max)
			st->max = x->value;
		if (st->n == 0 || x->time >= st->last_time) {
			st->last = x->value;
			st->last_time = x->time;
		}
		st->n++;
	}
	st->usual = chart_usual_interval(s->samples, s->n);
}

static double to_x(const struct plot *p, double t, double t0, double t1)
{
	/* far outside the window: clamped a few widths out (the clip keeps the slope) */
	return clampd(fraction(t, t0, t1), -4, 5) * (p->px_w - 1);
}

static double to_y(const struct plot *p, double v)
{
	const struct chart_grid *g = p->g;
	double f = g->hi > g->lo ? clampd(fraction(v, g->lo, g->hi), 0, 1) : 0.5;
	return (1 - f) * (p->px_h - 1);
}

static void plot_series(struct plot *p, const struct chart_series *s, int series, double t0,
			double t1, struct chart_stats *st)
{
	double gap = st->usual * CHART_GAP_FACTOR;
	const struct sample *prev = NULL;
	double px = 0, py = 0;
	for (size_t i = 0; i < s->n; i++) {
		const struct sample *cur = &s->samples[i];
		if (!finite_sample(cur)) {
			prev = NULL; /* an invalid sample breaks the line */
			continue;
		}
		double x = to_x(p, cur->time, t0, t1), y = to_y(p, cur->value);
		double dt = prev ? cur->time - prev->time : 0;
		if (prev && (dt < 0 || (gap > 0 && dt > gap))) {
			if (dt > 0 && !(prev->time > t1 || cur->time < t0)) {
				mark_gap(p, px, x);
				st->gaps++;
			}
			prev = NULL;
		}
		if (prev)
			segment(p, px, py, x, y, series);
		else if (cur->time >= t0 && cur->time <= t1)
			segment(p, x, y, x, y, series);
		prev = cur;
		px = x;
		py = y;
	}
}

/* ---- axes ---------------------------------------------------------------- */

static void time_label(double t, double span, char *buf, size_t size)
{
	/* gmtime_r of a time_t a device made up: only within ±3000 years */
	if (!isfinite(t) || fabs(t) > 3e10) {
		snprintf(buf, size, "?");
		return;
	}
	time_t tt = (time_t)floor(t);
	struct tm tm;
	if (!gmtime_r(&tt, &tm)) {
		snprintf(buf, size, "?");
		return;
	}
	if (span < 2 * 86400)
		strftime(buf, size, "%H:%M:%S", &tm);
	else if (span < 300 * 86400)
		strftime(buf, size, "%m-%d %H:%M", &tm);
	else
		strftime(buf, size, "%Y-%m-%d", &tm);
}

static void draw_y_axis(struct chart_grid *g, int label_w, const char *unit, bool ascii, bool any)
{
	int axis = label_w;
	for (int y = 0; y < g->plot_h; y++)
		set_cell(g, axis, y, ascii ? "|" : "│", CHART_AXIS, 0);
	if (!any)
		return; /* nothing to label */
	/* the top and bottom rows hold hi and lo; the middle value (or the
	 * only one) goes on the row its dots land in */
	int cell_h = ascii ? 1 : 4;
	int mid_row = (int)lround(0.5 * (g->plot_h * cell_h - 1)) / cell_h;
	int rows[3] = { mid_row, 0, g->plot_h - 1 };
	double values[3] = { g->lo / 2 + g->hi / 2, g->hi, g->lo };
	int first = 0, count = 1;
	if (g->hi > g->lo) {
		first = g->plot_h >= 5 && mid_row > 0 && mid_row < g->plot_h - 1 ? 0 : 1;
		count = 3;
	}
	for (int i = first; i < count; i++) {
		char text[64];
		chart_format_value(values[i], unit, text, sizeof(text));
		int cols = utf8_columns(text);
		int x = label_w - 1 - cols;
		put_text(g, x < 0 ? 0 : x, rows[i], label_w - 1, text, CHART_LABEL);
		set_cell(g, axis, rows[i], ascii ? "+" : "┤", CHART_AXIS, 0);
	}
}

static void draw_x_axis(struct chart_grid *g, int label_w, double t0, double t1, bool ascii)
{
	int y = g->plot_y + g->plot_h;
	set_cell(g, label_w, y, ascii ? "+" : "└", CHART_AXIS, 0);
	for (int x = g->plot_x; x < g->plot_x + g->plot_w; x++)
		set_cell(g, x, y, ascii ? "-" : "─", CHART_AXIS, 0);
	char left[32], right[32], mid[32];
	double span = t1 - t0;
	time_label(t0, span, left, sizeof(left));
	time_label(t1, span, right, sizeof(right));
	time_label(t0 / 2 + t1 / 2, span, mid, sizeof(mid));
	int lw = utf8_columns(left), rw = utf8_columns(right), mw = utf8_columns(mid);
	int end = g->plot_x + g->plot_w;
	put_text(g, g->plot_x, y + 1, end, left, CHART_LABEL);
	set_cell(g, g->plot_x, y, ascii ? "+" : "┬", CHART_AXIS, 0);
	if (lw + rw + 1 <= g->plot_w) {
		put_text(g, end - rw, y + 1, end, right, CHART_LABEL);
		set_cell(g, end - 1, y, ascii ? "+" : "┬", CHART_AXIS, 0);
	}
	int mx = g->plot_x + g->plot_w / 2;
	if (lw + rw + mw + 4 <= g->plot_w) {
		put_text(g, mx - mw / 2, y + 1, end, mid, CHART_LABEL);
		set_cell(g, mx, y, ascii ? "+" : "┬", CHART_AXIS, 0);
	}
}

/* ---- render -------------------------------------------------------------- */

bool chart_render(struct chart_grid *grid, int width, int height,
		  const struct chart_series *series, size_t nseries, const struct chart_options *opt)
{
	memset(grid, 0, sizeof(*grid));
	if (width < CHART_MIN_WIDTH || height < CHART_MIN_HEIGHT || nseries > CHART_MAX_SERIES ||
	    width > 10000 || height > 10000)
		return false;
	double t0 = opt->t0, t1 = opt->t1;
	if (!isfinite(t0) || !isfinite(t1) || t1 < t0) {
		if (!chart_window_all(series, nseries, &t0, &t1))
			t0 = t1 = 0;
	}
	if (!(t1 > t0))
		t0 = t1 - 1; /* one instant: it sits at the right edge */

	grid->width = width;
	grid->height = height;
	grid->cells = xcalloc((size_t)width * (size_t)height, sizeof(*grid->cells));
	for (size_t i = 0; i < (size_t)width * (size_t)height; i++)
		memcpy(grid->cells[i].glyph, " ", 2);

	/* the value range over what the window shows */
	bool any = false;
	for (size_t k = 0; k < nseries; k++) {
		struct chart_stats *st = &grid->stats[k];
		stats_of(&series[k], t0, t1, st);
		if (!st->n)
			continue;
		if (!any || st->min < grid->lo)
			grid->lo = st->min;
		if (!any || st->max > grid->hi)
			grid->hi = st->max;
		any = true;
	}

	/* y labels: as wide as the widest, at most a third of the width */
	int label_w = 1;
	if (any) {
		const char *unit = opt->unit;
		double vals[3] = { grid->lo, grid->hi, grid->lo / 2 + grid->hi / 2 };
		for (int i = 0; i < 3; i++) {
			char text[64];
			chart_format_value(vals[i], unit, text, sizeof(text));
			int cols = utf8_columns(text) + 1;
			if (cols > label_w)
				label_w = cols;
		}
		if (label_w > width / 3)
			label_w = width / 3;
	}
	int margin = nseries > 1 ? 1 : 0; /* the series' numbers at their newest values */
	grid->plot_x = label_w + 1;
	grid->plot_y = 0;
	grid->plot_w = width - grid->plot_x - margin;
	grid->plot_h = height - 2;

	draw_y_axis(grid, label_w, opt->unit, opt->ascii, any);
	draw_x_axis(grid, label_w, t0, t1, opt->ascii);

	struct plot p = { grid, opt->ascii, 0, 0, opt->ascii ? 1 : 2, opt->ascii ? 1 : 4, NULL, NULL };
	p.px_w = grid->plot_w * p.cell_w;
	p.px_h = grid->plot_h * p.cell_h;
	size_t ncells = (size_t)grid->plot_w * (size_t)grid->plot_h;
	p.dots = xcalloc(ncells, 1);
	p.who = xcalloc(ncells, 1);
	for (size_t k = 0; k < nseries; k++)
		plot_series(&p, &series[k], (int)k + 1, t0, t1, &grid->stats[k]);
	for (int cy = 0; cy < grid->plot_h; cy++)
		for (int cx = 0; cx < grid->plot_w; cx++) {
			size_t i = (size_t)cy * (size_t)grid->plot_w + (size_t)cx;
			if (!p.dots[i])
				continue;
			char glyph[5];
			if (opt->ascii) {
				snprintf(glyph, sizeof(glyph), "%s", ascii_marks[p.who[i] - 1]);
			} else {
				unsigned cp = 0x2800u + p.dots[i];
				glyph[0] = (char)(0xe0 | (cp >> 12));
				glyph[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
				glyph[2] = (char)(0x80 | (cp & 0x3f));
				glyph[3] = '\0';
			}
			set_cell(grid, grid->plot_x + cx, grid->plot_y + cy, glyph, CHART_PLOT, p.who[i]);
		}
	if (margin)
		for (size_t k = 0; k < nseries; k++) {
			if (!grid->stats[k].n)
				continue;
			char digit[2] = { (char)('1' + k), '\0' };
			int row = (int)lround(to_y(&p, grid->stats[k].last)) / p.cell_h;
			set_cell(grid, width - 1, grid->plot_y + row, digit, CHART_MARK, (int)k + 1);
		}
	free(p.dots);
	free(p.who);
	return true;
}

void chart_legend(char *buf, size_t size, size_t index, const char *label,
		  const struct chart_stats *stats, const char *unit, bool ascii)
{
	if (size == 0)
		return;
	/* the figures first: at 80 columns a long label is what gets cut */
	char mark[8] = "";
	if (ascii && index < CHART_MAX_SERIES)
		snprintf(mark, sizeof(mark), "%s", ascii_marks[index]);
	size_t at = 0;
	at += (size_t)snprintf(buf, size, "%zu%s ", index + 1, mark);
	if (at < size && !stats->n) {
		at += (size_t)snprintf(buf + at, size - at, "no samples in this window");
	} else if (at < size) {
		char last[48], lo[48], hi[48];
		chart_format_value(stats->last, unit, last, sizeof(last));
		chart_format_value(stats->min, unit, lo, sizeof(lo));
		chart_format_value(stats->max, unit, hi, sizeof(hi));
		at += (size_t)snprintf(buf + at, size - at, "last %s  min %s  max %s", last, lo, hi);
	}
	if (at < size && stats->gaps)
		at += (size_t)snprintf(buf + at, size - at, "  %zu gap%s", stats->gaps,
				       stats->gaps == 1 ? "" : "s");
	if (at < size && stats->invalid)
		at += (size_t)snprintf(buf + at, size - at, "  %zu invalid skipped", stats->invalid);
	if (at < size && label && *label)
		snprintf(buf + at, size - at, "  %s", label);
}
