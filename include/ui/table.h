/* table — the generic list widget every view is built on (after tmux's
 * mode-tree): columns with priorities that drop on narrow terminals, sorting
 * by any column, a filter of space-separated terms (each a substring of any
 * column, or field:value for one), and a selection held by a stable row id
 * so it survives re-sorting and live updates.
 *
 * Columns are laid out by meaning: the ones that identify a row (key) get
 * the room their visible texts need before any other column grows, derived
 * columns (ages, rates, sparklines) are dropped before a key column is cut,
 * and a key column that must be cut loses its middle (flow-tem…-setpoint),
 * where names that share a prefix still differ.  A view hides the columns
 * that are constant under its drill-down (table_hide_columns).
 *
 * The table knows nothing about the store: a view supplies the row ids and
 * formats one cell at a time (table_source).  Only visible rows are drawn.
 *
 * Large tables under a flood: a source that can list the rows changed since
 * a stamp (changed_since) and tell when its set of rows changed (rows_stamp)
 * gets incremental refreshes.  The table keeps, per row id, the row's filter
 * match and sort key; a refresh re-reads only the rows changed since the last
 * one and merges those whose key or match moved into the order it kept:
 * O(changed · log changed), plus O(rows) only when some row moved — instead
 * of formatting, filtering and sorting every row every frame.  A filter
 * extended as it is typed ("ch" then "ch3") re-checks only the rows that
 * matched the shorter one, in the order it kept.
 *
 * A new sort or filter over a large table is spread over frames: a pass
 * reads the rows a few milliseconds per frame (pass_budget_ms), sorting what
 * each frame read into a run and merging the runs once all are read, while
 * the old order stays shown with the progress in the header ("sorting…
 * 40 %").  It then catches up with the rows changed meanwhile as any
 * incremental refresh does, so its result is that of a rebuild at that
 * moment.  table_rebuild() (a key that needs the new rows) finishes it at
 * once. */
#ifndef DRIVR_UI_TABLE_H
#define DRIVR_UI_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ui/screen.h"
#include "ui/theme.h"

#define TABLE_MAX_COLUMNS 12
#define TABLE_CELL_MAX 512
#define TABLE_FILTER_MAX 128
#define TABLE_TERMS_MAX 8 /* filter terms; more are an error */

struct table_column {
	const char *name;   /* header; also the field name of "field:value" filters */
	int min_width;      /* columns are never drawn narrower */
	int max_width;      /* 0: takes the space left over */
	int priority;       /* 0: always shown; higher numbers are dropped first */
	bool right;         /* right-aligned (numbers, ages) */
	bool numeric;       /* sorts by cell.num (ages, counts) */
	bool desc_first;    /* first sort on it is descending (counts, levels) */
	bool unfiltered;    /* any-column filters skip it: glyphs (sparklines), or
			     * text that changes with the clock (ages) */
	bool stable;        /* incremental sources: its text changes only when the
			     * rows_stamp or the epoch moves (names, codes), so a
			     * row's change does not re-read it */
	bool key;           /* identifies the row (name, code, characteristic):
			     * widened to its texts first, dropped last, cut in
			     * the middle */
	bool clocked;       /* its sort key follows the clock (a rate over a window
			     * ending now): a sort on it re-reads every row */
};

struct table_cell {
	char text[TABLE_CELL_MAX]; /* raw (the table sanitises when drawing) */
	enum ui_role role;         /* UI_ROLE_DEFAULT: the row's role */
	double num;                /* sort key of numeric columns */
	bool trusted;              /* text is ours (glyphs, sparklines): still sanitised, but
				    * never filtered on */
};

struct table;

struct table_source {
	void *ctx;
	/* Adds every row (table_add_row) in the view's natural order. */
	void (*rows)(void *ctx, struct table *t);
	/* Formats one cell; width is the drawn width (0 when sorting/filtering). */
	void (*cell)(void *ctx, uint64_t id, size_t col, int width, struct table_cell *out);
	/* The role of the whole row (stale, stuck...), or UI_ROLE_DEFAULT. */
	enum ui_role (*row_role)(void *ctx, uint64_t id);
	/* Optional, for large tables; both or neither (NULL: every refresh
	 * re-reads every row).  Ids must then be small dense indexes.
	 *
	 * rows_stamp: moves whenever rows() may list other rows or another
	 * order.  changed_since: adds (table_add_changed) every row whose cells
	 * changed after `since`, and returns the stamp to pass next time; with
	 * since == TABLE_NOW it adds nothing.  A source with them promises that
	 * a row's filterable texts and sort keys change only then (or with the
	 * epoch) — so its sort keys (cell.num) never depend on the clock. */
	uint64_t (*rows_stamp)(void *ctx);
	uint64_t (*changed_since)(void *ctx, uint64_t since, struct table *t);
	/* Optional: what the rows' texts depend on besides the rows themselves
	 * (other entities' names); when it moves, the next refresh re-reads all. */
	uint64_t (*epoch)(void *ctx);
	/* Optional: false when the cell's text cannot contain needle[0..len)
	 * (case-insensitive) — a quick no, such as letters against a number,
	 * that spares formatting the cell to filter it; true when it may. */
	bool (*may_contain)(void *ctx, uint64_t id, size_t col, const char *needle, size_t len);
};

#define TABLE_NOW UINT64_MAX

/* What the table keeps per row id between incremental refreshes. */
struct table_memo {
	double num;     /* sort key (numeric columns) */
	char *text;     /* sort key (text columns), owned */
	uint64_t prefix; /* text's first 8 bytes, lowered, big-endian: most
			  * comparisons end on it without strcasecmp */
	uint32_t order; /* position in the natural order (stable ties) */
	uint32_t seen;  /* the last generation rows() listed it in */
	bool valid;     /* match and key were read under the current filter/sort */
	bool match;     /* passes the filter */
	uint8_t stable_terms; /* the filter terms its stable columns match (bits) */
	bool moved;     /* to be merged into the order (this refresh only) */
	bool stable_old; /* stable_terms were read under an earlier filter (one
			  * this filter narrows): its next read is whole */
};

struct table {
	const struct table_column *cols;
	size_t ncols;
	struct table_source src;
	/* rows after filtering and sorting */
	uint64_t *ids;
	size_t count, cap;
	size_t total; /* before filtering */
	/* selection and scrolling */
	size_t sel, top;
	uint64_t sel_id;
	bool has_sel;
	/* sort: -1 = the view's natural order */
	int sort_col;
	bool sort_desc;
	char filter[TABLE_FILTER_MAX];
	/* the filter as parsed by table_set_filter(): its terms, each the
	 * column a "field:value" term names (-1: any column) and the text to
	 * look for in it; a row matches when every term does */
	struct table_term {
		int col;
		size_t at, len; /* in filter[] */
	} terms[TABLE_TERMS_MAX];
	size_t nterms;
	/* why the filter cannot be applied (an unknown column); "" when it is.
	 * A filter with an error filters nothing. */
	char filter_error[160];
	uint32_t hidden; /* columns not shown, filtered or sorted on (bit = column) */
	/* rebuild only when the data or the filter/sort changed */
	uint64_t built_stamp;
	bool stale;
	/* incremental refreshes (source->changed_since): a memo per row id,
	 * the natural order, the previous order, the rows to merge into it */
	struct table_memo *memo;
	size_t memo_cap;
	uint64_t *natural, *prev, *moved;
	size_t natural_count, natural_cap, prev_cap, moved_count, moved_cap;
	uint64_t built_epoch, built_rows, built_since;
	uint32_t generation; /* of rows() walks; only grows, so a row absent for a
			      * while is never taken for one listed last time */
	bool memo_ready; /* false: the next refresh re-reads every row */
	bool all_changed; /* set by table_changed_all() during changed_since */
	size_t reread;   /* rows re-read by the last refresh (tests and benches) */
	/* the filter, sort and hidden columns the memos were read under: a
	 * filter that narrows it (every term of it contained in a term of the
	 * new one) re-checks only the rows that still match */
	struct table_term built_terms[TABLE_TERMS_MAX];
	char built_filter[TABLE_FILTER_MAX];
	size_t built_nterms;
	int built_sort_col;
	bool built_sort_desc;
	uint32_t built_hidden;
	bool narrowed; /* the last refresh narrowed the filter (tests, benches) */
	/* a new sort or filter spread over frames (incremental sources only) */
	double pass_budget_ms; /* per frame; 0: applied in one go (table_init: 2) */
	size_t pass_run;       /* rows sorted at once, a bounded step (table_init: 4096) */
	size_t pass_min_rows;  /* smaller tables are not spread (table_init: 20 000) */
	struct table_pass {
		bool active;
		bool narrowing;	    /* re-checks the order kept under a narrower filter */
		uint64_t *rows;	    /* to read, in order */
		size_t count, next, cap;
		uint64_t *kept;	    /* read and matching: sorted runs */
		size_t kept_count, kept_cap, sorted_to; /* kept[0..sorted_to) is in runs */
		size_t *run_end;    /* end of each run in kept */
		size_t nruns, run_cap;
		uint64_t *scratch;  /* merges */
		size_t scratch_cap;
		uint64_t since, rows_stamp, epoch; /* the source's stamps at the start */
		size_t reread;	    /* rows read so far */
		size_t steps_max;   /* sorts and merges left once all were read */
	} pass;
	/* layout of the last draw */
	int widths[TABLE_MAX_COLUMNS];
	int x[TABLE_MAX_COLUMNS];
	int y, height; /* first row line (after the header) and rows shown */
};

void table_init(struct table *t, const struct table_column *cols, size_t ncols,
		const struct table_source *src);
void table_free(struct table *t);

/* For source->rows(). */
void table_add_row(struct table *t, uint64_t id);
/* For source->changed_since(): the row changed (duplicates are fine), or
 * every row may have (the source lost track): all are re-read. */
void table_add_changed(struct table *t, uint64_t id);
void table_changed_all(struct table *t);

/* Re-reads the rows, filters, sorts, and finds the selected id again (a
 * pass in progress is finished at once). */
void table_rebuild(struct table *t);
/* table_rebuild() unless nothing changed since the last one: the data's
 * stamp is the same and no filter, sort or context change marked it stale.
 * A new sort or filter of an incremental source starts a pass spread over
 * frames (pass_budget_ms each); each refresh then advances it. */
void table_refresh(struct table *t, uint64_t stamp);
/* A pass is in progress: its percentage done (0-99), or -1.  The caller
 * draws another frame soon while it is. */
int table_progress(const struct table *t);

/* Draws header + visible rows into w at rows y .. y+height-1. */
void table_draw(struct table *t, const struct ui_screen *scr, WINDOW *w, int y, int height,
		int width);

/* Navigation: moves the selection by delta rows (clamped). */
void table_move(struct table *t, long delta);
void table_select_index(struct table *t, size_t index);
/* The selected row's id; false when the table is empty. */
bool table_selected(const struct table *t, uint64_t *id);

/* Sort: next shown column (cycling back to the natural order), or reverse. */
void table_sort_next(struct table *t);
void table_sort_reverse(struct table *t);
/* Parses and applies a filter; false (and t->filter_error says why) when a
 * term names no column or there are too many terms: nothing is filtered. */
bool table_set_filter(struct table *t, const char *filter);
/* The column names a "field:value" term may use, space-separated. */
void table_filter_fields(const struct table *t, char *buf, size_t size);
/* Hides the columns in mask (bit c = column c): constant under a
 * drill-down.  Marks the table stale when the mask changed. */
void table_hide_columns(struct table *t, uint32_t mask);

/* Rows a page holds (for PgUp/PgDn, Ctrl-d/u). */
size_t table_page(const struct table *t);

/* Which row a click on screen line `line` of the window hits; false if none. */
bool table_row_at_line(const struct table *t, int line, size_t *index);

/* Which columns are shown and how wide, for a window `width` columns wide
 * (table_draw does it; exposed for tests): t->widths, 0 = not shown. */
void table_layout(struct table *t, const struct ui_screen *scr, int width);

/* Does the row pass the current filter? (exposed for tests) */
bool table_row_matches(const struct table *t, uint64_t id);

#endif
