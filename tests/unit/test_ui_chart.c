/* Unit tests: ui/chart — scaling, gaps, Braille dots, the ASCII fallback,
 * legend and axis labels, and values from untrusted devices (NaN,
 * infinities, ±DBL_MAX, times out of order) that must neither crash nor
 * overflow. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "ui/chart.h"

#define T0 1714564800.0 /* 2024-05-01T12:00:00Z */

/* The Braille glyph of a dot bit pattern (U+2800 + bits), as UTF-8. */
static void braille(unsigned bits, char out[4])
{
	unsigned cp = 0x2800u + bits;
	out[0] = (char)(0xe0 | (cp >> 12));
	out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
	out[2] = (char)(0x80 | (cp & 0x3f));
	out[3] = '\0';
}

static bool is_braille(const char *g)
{
	/* U+2800..U+28FF: E2 A0..A3 xx */
	return (unsigned char)g[0] == 0xe2 && (unsigned char)g[1] >= 0xa0 &&
	       (unsigned char)g[1] <= 0xa3 && g[3] == '\0';
}

static size_t count_kind(const struct chart_grid *g, enum chart_cell_kind kind)
{
	size_t n = 0;
	for (int y = 0; y < g->height; y++)
		for (int x = 0; x < g->width; x++)
			n += chart_cell_at(g, x, y)->kind == kind;
	return n;
}

static void test_usual_interval(void **state)
{
	(void)state;
	struct sample s[] = { { 0, 1 }, { 10, 1 }, { 20, NAN }, { 30, 1 }, { 100, 1 }, { 110, 1 } };
	/* steps of finite samples: 10, 20 (NaN skipped), 70, 10 → median 15 */
	assert_true(fabs(chart_usual_interval(s, 6) - 15) < 1e-9);
	assert_true(chart_usual_interval(s, 1) == 0);
	struct sample same[] = { { 5, 1 }, { 5, 2 } }; /* no positive step */
	assert_true(chart_usual_interval(same, 2) == 0);
}

/* A rising line from the bottom-left to the top-right corner of the plot,
 * the value range from the samples, labels at the top and bottom rows. */
static void test_scaling(void **state)
{
	(void)state;
	struct sample s[] = { { T0 - 10, 0 }, { T0, 10 } };
	struct chart_series cs = { s, 2 };
	struct chart_options opt = { T0 - 10, T0, NULL, false };
	struct chart_grid g;
	assert_true(chart_render(&g, 30, 8, &cs, 1, &opt));
	assert_true(g.lo == 0 && g.hi == 10);
	assert_int_equal(g.plot_h, 6);
	char row[512];
	chart_row_text(&g, 0, row, sizeof(row));
	assert_true(strncmp(row, "10 ┤", strlen("10 ┤")) == 0);
	chart_row_text(&g, g.plot_h - 1, row, sizeof(row));
	assert_true(strncmp(row, " 0 ┤", strlen(" 0 ┤")) == 0);
	/* bottom-left dot (dot 7) in the first plot cell, top-right (dot 4) in the last */
	const struct chart_cell *first = chart_cell_at(&g, g.plot_x, g.plot_h - 1);
	const struct chart_cell *last = chart_cell_at(&g, g.plot_x + g.plot_w - 1, 0);
	assert_int_equal(first->kind, CHART_PLOT);
	assert_int_equal(last->kind, CHART_PLOT);
	assert_true(is_braille(first->glyph) && is_braille(last->glyph));
	unsigned fb = (((unsigned char)first->glyph[1] & 0x03) << 6) | ((unsigned char)first->glyph[2] & 0x3f);
	unsigned lb = (((unsigned char)last->glyph[1] & 0x03) << 6) | ((unsigned char)last->glyph[2] & 0x3f);
	assert_true(fb & 0x40);
	assert_true(lb & 0x08);
	/* and nothing in the opposite corners */
	assert_int_equal(chart_cell_at(&g, g.plot_x, 0)->kind, CHART_BLANK);
	assert_int_equal(chart_cell_at(&g, g.plot_x + g.plot_w - 1, g.plot_h - 1)->kind, CHART_BLANK);
	assert_int_equal(g.stats[0].n, 2);
	assert_true(g.stats[0].last == 10 && g.stats[0].min == 0 && g.stats[0].max == 10);
	chart_grid_free(&g);
	assert_null(g.cells);

	/* a window on the second half: the first sample is outside, the line
	 * is clipped at the left edge, min/max come from the window only */
	opt.t0 = T0 - 5;
	assert_true(chart_render(&g, 30, 8, &cs, 1, &opt));
	assert_int_equal(g.stats[0].n, 1);
	assert_true(g.stats[0].min == 10 && g.stats[0].max == 10);
	chart_grid_free(&g);
}

/* A constant value: one row of Braille cells, each with the two dots of
 * the same dot row. */
static void test_braille_dots(void **state)
{
	(void)state;
	struct sample s[] = { { T0 - 100, 7 }, { T0, 7 } };
	struct chart_series cs = { s, 2 };
	struct chart_options opt = { T0 - 100, T0, NULL, false };
	struct chart_grid g;
	assert_true(chart_render(&g, 40, 10, &cs, 1, &opt));
	long py = lround(0.5 * (g.plot_h * 4 - 1));
	int row = (int)py / 4;
	static const unsigned left[4] = { 0x01, 0x02, 0x04, 0x40 }, right[4] = { 0x08, 0x10, 0x20, 0x80 };
	char want[4];
	braille(left[py % 4] | right[py % 4], want);
	for (int x = g.plot_x; x < g.plot_x + g.plot_w; x++)
		assert_string_equal(chart_cell_at(&g, x, row)->glyph, want);
	assert_int_equal(count_kind(&g, CHART_PLOT), (size_t)g.plot_w);
	/* one label (the value itself) in the middle row */
	char text[512];
	chart_row_text(&g, row, text, sizeof(text));
	assert_true(strncmp(text, "7 ┤", strlen("7 ┤")) == 0);
	chart_grid_free(&g);
}

/* Samples every 10 s with a 100 s silence: two stretches of line, one gap
 * (the time axis dotted under it, no dot in its middle), counted. */
static void test_gaps(void **state)
{
	(void)state;
	struct sample s[20];
	size_t n = 0;
	for (int k = 0; k < 10; k++) /* T0-300 .. T0-210 */
		s[n++] = (struct sample){ T0 - 300 + 10 * k, 5 };
	for (int k = 0; k < 10; k++) /* T0-90 .. T0: 120 s of silence before */
		s[n++] = (struct sample){ T0 - 90 + 10 * k, 5 };
	struct chart_series cs = { s, n };
	struct chart_options opt = { T0 - 300, T0, NULL, false };
	struct chart_grid g;
	assert_true(chart_render(&g, 62, 8, &cs, 1, &opt));
	assert_true(fabs(g.stats[0].usual - 10) < 1e-9);
	assert_int_equal(g.stats[0].gaps, 1);
	int axis = g.plot_y + g.plot_h;
	/* the gap runs from x(T0-210) to x(T0-90): 30 % to 70 % of the width */
	int mid = g.plot_x + g.plot_w / 2;
	assert_int_equal(chart_cell_at(&g, mid, axis)->kind, CHART_GAP);
	assert_string_equal(chart_cell_at(&g, mid, axis)->glyph, "╌");
	assert_int_equal(chart_cell_at(&g, g.plot_x + 2, axis)->kind, CHART_AXIS);
	for (int y = 0; y < g.plot_h; y++)
		assert_int_not_equal(chart_cell_at(&g, mid, y)->kind, CHART_PLOT);
	assert_true(count_kind(&g, CHART_GAP) > 0);
	chart_grid_free(&g);

	/* a step of up to 3 usual intervals is not a gap */
	s[10].time = s[9].time + 30;
	for (int k = 11; k < 20; k++)
		s[k].time = s[k - 1].time + 10;
	opt.t0 = s[0].time;
	opt.t1 = s[19].time;
	assert_true(chart_render(&g, 62, 8, &cs, 1, &opt));
	assert_int_equal(g.stats[0].gaps, 0);
	assert_int_equal(count_kind(&g, CHART_GAP), 0);
	chart_grid_free(&g);
}

/* --ascii: nothing but ASCII, one mark per series, the overlay numbers. */
static void test_ascii_fallback(void **state)
{
	(void)state;
	struct sample a[] = { { T0 - 60, 1 }, { T0 - 30, 3 }, { T0, 2 } };
	struct sample b[] = { { T0 - 60, 10 }, { T0, 9 } };
	struct chart_series cs[] = { { a, 3 }, { b, 2 } };
	struct chart_options opt = { T0 - 60, T0, "kW", true };
	struct chart_grid g;
	assert_true(chart_render(&g, 40, 10, cs, 2, &opt));
	bool star = false, ring = false;
	for (int y = 0; y < g.height; y++)
		for (int x = 0; x < g.width; x++) {
			const struct chart_cell *c = chart_cell_at(&g, x, y);
			for (const char *p = c->glyph; *p; p++)
				assert_true((unsigned char)*p < 0x80);
			if (c->kind == CHART_PLOT) {
				star |= c->series == 1 && strcmp(c->glyph, "*") == 0;
				ring |= c->series == 2 && strcmp(c->glyph, "o") == 0;
			}
		}
	assert_true(star && ring);
	/* the overlay numbers sit in the last column at each newest value */
	/* 8 dot rows for 1..10: 9 lands on row 1, 2 on row 6 */
	assert_string_equal(chart_cell_at(&g, g.width - 1, 1)->glyph, "2");
	assert_int_equal(chart_cell_at(&g, g.width - 1, 1)->kind, CHART_MARK);
	assert_int_equal(chart_cell_at(&g, g.width - 1, 1)->series, 2);
	assert_string_equal(chart_cell_at(&g, g.width - 1, 6)->glyph, "1");
	char row[256];
	chart_row_text(&g, 0, row, sizeof(row));
	assert_true(strncmp(row, " 10 kW +", 8) == 0); /* right-aligned to "5.5 kW" */
	chart_row_text(&g, g.plot_y + g.plot_h, row, sizeof(row));
	assert_true(strncmp(row, "       ++-", 10) == 0); /* corner, tick, axis */
	chart_grid_free(&g);
}

static void test_legend_and_axis_labels(void **state)
{
	(void)state;
	char b[256];
	struct chart_stats st = { 5, 0, 0, 12, 22, 21.5, T0, 10 };
	chart_legend(b, sizeof(b), 0, "turbine-1/rotor/rpm", &st, "°C", false);
	assert_string_equal(b, "1 last 21.5 °C  min 12 °C  max 22 °C  turbine-1/rotor/rpm");
	st.gaps = 2;
	st.invalid = 1;
	chart_legend(b, sizeof(b), 1, "x", &st, NULL, true);
	assert_string_equal(b, "2o last 21.5  min 12  max 22  2 gaps  1 invalid skipped  x");
	st.n = 0;
	st.gaps = 0;
	st.invalid = 0;
	chart_legend(b, sizeof(b), 3, "y", &st, NULL, true);
	assert_string_equal(b, "4# no samples in this window  y");
	st.n = 1;
	chart_legend(b, 12, 0, "a long label", &st, "°C", false); /* cut, never overrun */
	assert_int_equal(strlen(b), 11);

	chart_format_value(0, NULL, b, sizeof(b));
	assert_string_equal(b, "0");
	chart_format_value(-0.0, NULL, b, sizeof(b));
	assert_string_equal(b, "0");
	chart_format_value(45.25, "°C", b, sizeof(b));
	assert_string_equal(b, "45.25 °C");
	chart_format_value(123456789, NULL, b, sizeof(b));
	assert_string_equal(b, "1.2346e+08");
	chart_format_value(NAN, "x", b, sizeof(b));
	assert_string_equal(b, "? x");

	/* the time axis: the window's ends (and middle when there is room), UTC */
	struct sample s[] = { { T0 - 60, 1 }, { T0, 2 } };
	struct chart_series cs = { s, 2 };
	struct chart_options opt = { T0 - 60, T0, NULL, false };
	struct chart_grid g;
	assert_true(chart_render(&g, 60, 6, &cs, 1, &opt));
	chart_row_text(&g, g.height - 1, b, sizeof(b));
	assert_non_null(strstr(b, "11:59:00"));
	assert_non_null(strstr(b, "11:59:30"));
	assert_non_null(strstr(b, "12:00:00"));
	assert_true(strlen(b) == 60 && b[59] == '0'); /* right-aligned to the plot's end */
	chart_grid_free(&g);
	/* days apart: dates */
	opt.t0 = T0 - 5 * 86400;
	assert_true(chart_render(&g, 60, 6, &cs, 1, &opt));
	chart_row_text(&g, g.height - 1, b, sizeof(b));
	assert_non_null(strstr(b, "04-26 12:00"));
	chart_grid_free(&g);
}

/* Whatever a device sends: no crash, no overflow, every cell valid, the
 * invalid samples counted, the range finite. */
static void test_hostile_values(void **state)
{
	(void)state;
	struct sample s[] = {
		{ T0 - 50, NAN },      { T0 - 40, INFINITY }, { NAN, 3 },	      { T0 - 30, -INFINITY },
		{ T0 - 20, DBL_MAX },  { T0 - 10, -DBL_MAX }, { T0 - 5, 1e-300 },     { T0 - 100, 4 },
		{ -DBL_MAX, 1 },       { DBL_MAX, 2 },	      { INFINITY, 2 },	      { T0, 5e307 },
	};
	struct chart_series cs[] = { { s, 12 }, { s + 4, 8 } };
	for (int ascii = 0; ascii < 2; ascii++) {
		struct chart_options opt = { NAN, NAN, "u", ascii };
		struct chart_grid g;
		assert_true(chart_render(&g, 50, 12, cs, 2, &opt));
		assert_true(isfinite(g.lo) && isfinite(g.hi) && g.lo <= g.hi);
		assert_int_equal(g.stats[0].invalid, 5);
		for (int y = 0; y < g.height; y++)
			for (int x = 0; x < g.width; x++) {
				const struct chart_cell *c = chart_cell_at(&g, x, y);
				assert_true(strlen(c->glyph) >= 1 && strlen(c->glyph) <= 4);
				assert_true(c->series <= 2);
			}
		chart_grid_free(&g);
		/* a window given as ±DBL_MAX and one of zero width */
		opt.t0 = -DBL_MAX;
		opt.t1 = DBL_MAX;
		assert_true(chart_render(&g, 50, 12, cs, 2, &opt));
		chart_grid_free(&g);
		opt.t0 = opt.t1 = T0;
		assert_true(chart_render(&g, 50, 12, cs, 2, &opt));
		chart_grid_free(&g);
	}
	/* times going backwards are not joined (and are not gaps either) */
	struct sample back[] = { { T0, 1 }, { T0 - 30, 2 }, { T0 - 20, 3 } };
	struct chart_series cb = { back, 3 };
	struct chart_options opt = { T0 - 30, T0, NULL, false };
	struct chart_grid g;
	assert_true(chart_render(&g, 30, 6, &cb, 1, &opt));
	assert_int_equal(g.stats[0].n, 3);
	chart_grid_free(&g);
	/* nothing at all, too small, too many series: no grid */
	struct chart_series none = { NULL, 0 };
	assert_true(chart_render(&g, 30, 6, &none, 1, &opt));
	assert_int_equal(count_kind(&g, CHART_PLOT), 0);
	chart_grid_free(&g);
	assert_false(chart_render(&g, CHART_MIN_WIDTH - 1, 10, &cb, 1, &opt));
	assert_null(g.cells);
	assert_false(chart_render(&g, 40, CHART_MIN_HEIGHT - 1, &cb, 1, &opt));
	struct chart_series five[5] = { cb, cb, cb, cb, cb };
	assert_false(chart_render(&g, 40, 10, five, 5, &opt));
	assert_true(chart_render(&g, 40, 10, five, 4, &opt));
	chart_grid_free(&g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_usual_interval),	cmocka_unit_test(test_scaling),
		cmocka_unit_test(test_braille_dots),	cmocka_unit_test(test_gaps),
		cmocka_unit_test(test_ascii_fallback),	cmocka_unit_test(test_legend_and_axis_labels),
		cmocka_unit_test(test_hostile_values),
	};
	return cmocka_run_group_tests_name("ui_chart", tests, NULL, NULL);
}
