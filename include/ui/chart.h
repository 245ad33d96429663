/* chart — a line chart of up to four series as a grid of cells: the plot
 * (Braille dots, or one ASCII mark per series), the y-axis labels with the
 * unit, a time axis, and gaps where a series was stale.  Series in, cells
 * out: no ncurses, no store, no clock — the chart view (view_chart.c) draws
 * the cells, the unit tests read them.
 *
 * A gap: two consecutive samples further apart than CHART_GAP_FACTOR times
 * the series' usual interval (the median of its steps between samples) are
 * not joined, and the time axis under them is drawn dotted.
 *
 * Values and times come from devices: NaN and infinities are skipped (and
 * counted), huge magnitudes are scaled without overflowing, every pixel is
 * clamped to the grid. */
#ifndef DRIVR_UI_CHART_H
#define DRIVR_UI_CHART_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store.h" /* struct sample */

#define CHART_MAX_SERIES 4
/* A step longer than this many usual intervals is a gap (stale). */
#define CHART_GAP_FACTOR 3.0
/* Smallest grid chart_render draws into. */
#define CHART_MIN_WIDTH 16
#define CHART_MIN_HEIGHT 4

struct chart_series {
	const struct sample *samples; /* oldest → newest, as the ring keeps them; borrowed */
	size_t n;
};

enum chart_cell_kind {
	CHART_BLANK,
	CHART_AXIS,  /* the axis lines and ticks */
	CHART_LABEL, /* y-axis values, times */
	CHART_PLOT,  /* dots of one or more series */
	CHART_GAP,   /* the time axis under a gap */
	CHART_MARK,  /* a series' number at the height of its newest value (overlays) */
};

struct chart_cell {
	char glyph[5];  /* one character, UTF-8, NUL-terminated (a blank is " ") */
	uint8_t kind;   /* enum chart_cell_kind */
	uint8_t series; /* CHART_PLOT, CHART_MARK: 1..4, the last series drawn in the cell */
};

struct chart_options {
	double t0, t1;    /* the time window shown (t0 < t1; equal: widened by a second) */
	const char *unit; /* on the y-axis labels; NULL or "": none (already sanitised) */
	bool ascii;       /* ASCII marks and axes instead of Braille and box drawing */
};

/* Per series, what the window held. */
struct chart_stats {
	size_t n;       /* finite samples inside the window */
	size_t invalid; /* samples skipped: NaN or infinite value or time */
	size_t gaps;    /* gaps starting or ending inside the window */
	double min, max, last, last_time; /* over those samples (when n > 0) */
	double usual;   /* the series' usual interval (0: fewer than two samples) */
};

struct chart_grid {
	int width, height;
	struct chart_cell *cells; /* width × height, row by row; owned: chart_grid_free */
	int plot_x, plot_y, plot_w, plot_h; /* the plot area, in cells */
	double lo, hi;            /* the value range shown (both 0 with nothing to show) */
	struct chart_stats stats[CHART_MAX_SERIES];
};

/* Draws the series into a new grid of width × height.  Returns false
 * (grid zeroed, nothing allocated) when the size is below the minimum or
 * there are more than CHART_MAX_SERIES series. */
bool chart_render(struct chart_grid *grid, int width, int height,
		  const struct chart_series *series, size_t nseries, const struct chart_options *opt);
void chart_grid_free(struct chart_grid *grid);
/* The cell at x, y (NULL outside the grid). */
const struct chart_cell *chart_cell_at(const struct chart_grid *grid, int x, int y);
/* One row of the grid as text (glyphs joined), for tests and dumps. */
void chart_row_text(const struct chart_grid *grid, int y, char *buf, size_t size);

/* The median of the positive steps between consecutive finite sample times
 * (0: fewer than two such samples). */
double chart_usual_interval(const struct sample *samples, size_t n);
/* The window that holds every finite sample of the series: false when none. */
bool chart_window_all(const struct chart_series *series, size_t nseries, double *t0, double *t1);

/* A value the way the axis and legend write it: at most 5 significant
 * digits, exponent form for huge or tiny ones, the unit after a space;
 * "nan" / "inf" never reach it (callers skip them). */
void chart_format_value(double value, const char *unit, char *buf, size_t size);
/* The legend line of series `index` (0-based): its number (and its ASCII
 * mark in ASCII mode), last / min / max in the window, gaps and skipped
 * samples, then the label (the figures first: a narrow screen cuts the
 * label).  Truncated to size. */
void chart_legend(char *buf, size_t size, size_t index, const char *label,
		  const struct chart_stats *stats, const char *unit, bool ascii);

#endif
