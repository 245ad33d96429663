/* Unit tests: ui/table — filtering (terms that all match, field:value, an
 * unknown field as an error, hidden columns), the layout by meaning (key
 * columns whole before derived ones, dropped last), sorting (text,
 * numeric, reversed, stable), a selection that follows its row id through
 * re-sorting, filtering and live updates, and incremental refreshes (a
 * source with changed_since) that give exactly the rows and order of a full
 * rebuild, re-reading only the rows that changed, and a filter extended as
 * it is typed that checks only the rows the shorter one kept; a new sort or
 * filter spread over refreshes (a pass) that ends with the same rows and
 * order, the old order and its progress shown meanwhile. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ui/table.h"
#include "ui/theme.h"

struct row {
	uint64_t id;
	const char *name;
	const char *state;
	double age;
	bool present;
};

static struct row rows[] = {
	{ 10, "Boiler", "CONNECTED", 5, true },	      { 11, "Solar", "PARTIALLY", 40, true },
	{ 12, "Cold store", "DISCONNECTED", 360, true }, { 13, "Wind", "CONNECTED", 1, true },
	{ 14, "boiler spare", "DISCONNECTED", 90, true },
};
#define NROWS (sizeof(rows) / sizeof(rows[0]))

static const struct table_column cols[] = {
	{ "name", 10, 0, 0, false, false, false },
	{ "state", 12, 14, 1, false, false, false },
	{ "age", 5, 6, 2, true, true, false },
};

static void src_rows(void *ctx, struct table *t)
{
	(void)ctx;
	for (size_t i = 0; i < NROWS; i++)
		if (rows[i].present)
			table_add_row(t, rows[i].id);
}

static const struct row *find(uint64_t id)
{
	for (size_t i = 0; i < NROWS; i++)
		if (rows[i].id == id)
			return &rows[i];
	return NULL;
}

static void src_cell(void *ctx, uint64_t id, size_t col, int width, struct table_cell *out)
{
	(void)ctx;
	(void)width;
	const struct row *r = find(id);
	if (col == 0)
		snprintf(out->text, sizeof(out->text), "%s", r->name);
	else if (col == 1)
		snprintf(out->text, sizeof(out->text), "%s", r->state);
	else {
		snprintf(out->text, sizeof(out->text), "%.0fs", r->age);
		out->num = r->age;
	}
}

static void setup_table(struct table *t)
{
	struct table_source src = { NULL, src_rows, src_cell, NULL };
	for (size_t i = 0; i < NROWS; i++)
		rows[i].present = true;
	table_init(t, cols, 3, &src);
	t->height = 10;
	table_rebuild(t);
}

static uint64_t selected(const struct table *t)
{
	uint64_t id = 0;
	assert_true(table_selected(t, &id));
	return id;
}

static void test_filter(void **state)
{
	(void)state;
	struct table t;
	setup_table(&t);
	assert_int_equal(t.count, 5);
	table_set_filter(&t, "boiler"); /* case-insensitive, any column */
	table_rebuild(&t);
	assert_int_equal(t.count, 2);
	assert_int_equal(t.total, 5);
	table_set_filter(&t, "state:disconnected"); /* one column */
	table_rebuild(&t);
	assert_int_equal(t.count, 2);
	assert_int_equal(t.ids[0], 12);
	assert_int_equal(t.ids[1], 14);
	table_set_filter(&t, "name:connected"); /* no name contains it */
	table_rebuild(&t);
	assert_int_equal(t.count, 0);
	/* an unknown field is an error, and nothing is filtered */
	assert_false(table_set_filter(&t, "nope:Wind"));
	assert_string_equal(t.filter_error, "no column \"nope\"");
	table_rebuild(&t);
	assert_int_equal(t.count, 5);
	/* terms all match, each in any column or its own */
	assert_true(table_set_filter(&t, "boiler disconnected"));
	table_rebuild(&t);
	assert_int_equal(t.count, 1);
	assert_int_equal(t.ids[0], 14);
	assert_true(table_set_filter(&t, "  state:connected   o "));
	table_rebuild(&t);
	assert_int_equal(t.count, 4); /* DISCONNECTED contains it; Solar is PARTIALLY */
	assert_true(table_set_filter(&t, "state:connected name:w"));
	table_rebuild(&t);
	assert_int_equal(t.count, 1);
	assert_int_equal(t.ids[0], 13);
	/* a time is a substring, not a field */
	assert_true(table_set_filter(&t, "12:00"));
	assert_string_equal(t.filter_error, "");
	table_rebuild(&t);
	assert_int_equal(t.count, 0);
	assert_false(table_set_filter(&t, "a b c d e f g h i"));
	table_set_filter(&t, "");
	table_rebuild(&t);
	assert_int_equal(t.count, 5);
	table_free(&t);
}

static void test_hidden_columns(void **state)
{
	(void)state;
	struct table t;
	setup_table(&t);
	char fields[64];
	table_filter_fields(&t, fields, sizeof(fields));
	assert_string_equal(fields, "name state age");
	table_set_filter(&t, "connected"); /* only the state column has it */
	table_rebuild(&t);
	assert_int_equal(t.count, 4);
	table_hide_columns(&t, 1u << 1);
	table_rebuild(&t);
	assert_int_equal(t.count, 0); /* a hidden column is not searched */
	table_filter_fields(&t, fields, sizeof(fields));
	assert_string_equal(fields, "name age");
	/* nor named: the filter is parsed again against the shown columns */
	table_set_filter(&t, "state:connected");
	assert_string_equal(t.filter_error, "no column \"state\"");
	table_hide_columns(&t, 0);
	assert_true(table_set_filter(&t, "state:connected"));
	table_free(&t);
}

/* Layout: a key column with long texts, a derived one, a plain one. */
static const char *long_names[] = { "flow-temperature", "flow-temperature-setpoint" };

static void layout_rows(void *ctx, struct table *t)
{
	(void)ctx;
	table_add_row(t, 0);
	table_add_row(t, 1);
}

static void layout_cell(void *ctx, uint64_t id, size_t col, int width, struct table_cell *out)
{
	(void)ctx;
	(void)width;
	snprintf(out->text, sizeof(out->text), "%s", col == 0 ? long_names[id] : "x");
}

static const struct table_column layout_cols[] = {
	{ "characteristic", 10, 0, 1, false, false, false, .key = true },
	{ "value", 6, 8, 0, true, false, false },
	{ "trend", 8, 24, 2, false, false, false, true },
	{ "system", 8, 12, 3, false, false, false, .key = true },
};

static void test_layout_keys_first(void **state)
{
	(void)state;
	struct ui_glyphs g = { 0 };
	struct ui_screen scr = { 0 };
	scr.smode = SANITIZE_DISPLAY_ASCII;
	scr.g = &g;
	struct table t;
	struct table_source src = { NULL, layout_rows, layout_cell, NULL };
	table_init(&t, layout_cols, 4, &src);
	t.height = 10;
	table_rebuild(&t);
	/* wide: everything, the key whole (25), the rest shared */
	table_layout(&t, &scr, 80);
	assert_true(t.widths[0] >= 25);
	assert_true(t.widths[2] > 8);
	/* 45: the key (25) and the system key (8) whole first, the derived
	 * trend gives way although its priority is better than the system's */
	table_layout(&t, &scr, 45);
	assert_true(t.widths[0] >= 25);
	assert_int_equal(t.widths[2], 0);
	assert_true(t.widths[3] >= 8);
	/* narrower: the keys are cut (in the middle, when drawn) while their
	 * minimums fit ... */
	table_layout(&t, &scr, 30);
	assert_int_equal(t.widths[2], 0);
	assert_int_equal(t.widths[3], 8);
	assert_int_equal(t.widths[0], 14);
	assert_int_equal(t.widths[1], 6);
	/* ... then the least important key goes (never the priority 0 value) */
	table_layout(&t, &scr, 22);
	assert_int_equal(t.widths[3], 0);
	assert_int_equal(t.widths[0] + t.widths[1], 21);
	/* hidden: as if it did not exist */
	table_hide_columns(&t, 1u << 3);
	table_layout(&t, &scr, 45);
	assert_int_equal(t.widths[3], 0);
	assert_true(t.widths[2] > 0);
	table_free(&t);
}

static void test_sort(void **state)
{
	(void)state;
	struct table t;
	setup_table(&t);
	t.widths[0] = t.widths[1] = t.widths[2] = 5; /* all shown */
	table_sort_next(&t); /* name */
	table_rebuild(&t);
	uint64_t by_name[] = { 10, 14, 12, 11, 13 };
	for (size_t i = 0; i < 5; i++)
		assert_int_equal(t.ids[i], by_name[i]);
	table_sort_next(&t); /* state; equal states keep their natural order */
	table_rebuild(&t);
	uint64_t by_state[] = { 10, 13, 12, 14, 11 };
	for (size_t i = 0; i < 5; i++)
		assert_int_equal(t.ids[i], by_state[i]);
	table_sort_next(&t); /* age, numeric */
	table_sort_reverse(&t);
	table_rebuild(&t);
	uint64_t by_age_desc[] = { 12, 14, 11, 10, 13 };
	for (size_t i = 0; i < 5; i++)
		assert_int_equal(t.ids[i], by_age_desc[i]);
	table_sort_next(&t); /* back to the natural order */
	assert_int_equal(t.sort_col, -1);
	table_rebuild(&t);
	assert_int_equal(t.ids[0], 10);
	table_free(&t);
}

static void test_selection_follows_the_row(void **state)
{
	(void)state;
	struct table t;
	setup_table(&t);
	table_move(&t, 2);
	assert_int_equal(selected(&t), 12);
	t.widths[0] = t.widths[1] = t.widths[2] = 5;
	table_sort_next(&t); /* by name: Cold store moves to index 2 ... */
	table_sort_reverse(&t);
	table_rebuild(&t);
	assert_int_equal(selected(&t), 12); /* ... and stays selected */
	/* a row above it disappears (live update): still the same row */
	rows[4].present = false;
	table_rebuild(&t);
	assert_int_equal(selected(&t), 12);
	/* the selected row itself disappears: the index is kept, clamped */
	size_t at = t.sel;
	rows[2].present = false;
	table_rebuild(&t);
	assert_int_equal(t.sel, at < t.count ? at : t.count - 1);
	/* moves clamp at both ends */
	table_move(&t, -100);
	assert_int_equal(t.sel, 0);
	table_move(&t, 100);
	assert_int_equal(t.sel, t.count - 1);
	table_free(&t);
}

static void test_scrolling_keeps_the_selection_visible(void **state)
{
	(void)state;
	struct table t;
	setup_table(&t);
	t.height = 2;
	table_select_index(&t, 4);
	assert_true(t.top <= 4 && 4 < t.top + 2);
	table_select_index(&t, 0);
	assert_int_equal(t.top, 0);
	assert_int_equal(table_page(&t), 1);
	table_free(&t);
}


/* ---- incremental refreshes ------------------------------------------------
 * A live source of LIVE_ROWS dense ids: rows come and go (rows_stamp), change
 * (a stamp per row, listed by changed_since), and their names carry a suffix
 * that changes with the epoch (another entity's name).  The name column is
 * stable: a name changes only when the set of rows moves (a slot taken by
 * another row), as a series' key does. */
enum { LIVE_ROWS = 300 };

static struct live_row {
	bool present;
	int name, number;
	uint64_t stamp;
} live[LIVE_ROWS];
static uint64_t live_stamp, live_members, live_epoch;
static bool live_lost; /* the source lost track of its changes once */
static unsigned live_clock; /* the "age" column's text follows it */
static unsigned live_cells[3]; /* cells formatted, per column */

static void live_rows(void *ctx, struct table *t)
{
	(void)ctx;
	for (size_t i = 0; i < LIVE_ROWS; i++)
		if (live[i].present)
			table_add_row(t, i);
}

static void live_cell(void *ctx, uint64_t id, size_t col, int width, struct table_cell *out)
{
	(void)ctx;
	(void)width;
	const struct live_row *r = &live[id];
	live_cells[col < 3 ? col : 2]++;
	static const char *const names[] = { "alpha", "Bravo", "charlie", "delta", "echo", "b" };
	if (col == 0)
		snprintf(out->text, sizeof(out->text), "%s-%llu", names[r->name],
			 (unsigned long long)(live_epoch % 3));
	else if (col == 1) {
		snprintf(out->text, sizeof(out->text), "n%d", r->number);
		out->num = r->number;
	} else {
		/* text follows the clock, the key does not */
		snprintf(out->text, sizeof(out->text), "%us", live_clock + (unsigned)r->number);
		out->num = -r->number;
	}
}

/* The number column's text is "n" and digits: any other character is a
 * quick no (the cell is not formatted). */
static size_t live_quick_no;
static bool live_may_contain(void *ctx, uint64_t id, size_t col, const char *needle, size_t len)
{
	(void)ctx;
	(void)id;
	if (col != 1)
		return true;
	for (size_t i = 0; i < len; i++)
		if (!strchr("nN0123456789", needle[i])) {
			live_quick_no++;
			return false;
		}
	return true;
}

static uint64_t live_rows_stamp(void *ctx)
{
	(void)ctx;
	return live_members;
}

static uint64_t live_changed_since(void *ctx, uint64_t since, struct table *t)
{
	(void)ctx;
	if (since != TABLE_NOW && live_lost) {
		live_lost = false;
		table_changed_all(t);
	} else if (since != TABLE_NOW)
		for (size_t i = 0; i < LIVE_ROWS; i++)
			if (live[i].stamp > since) {
				table_add_changed(t, i);
				if (i % 5 == 0)
					table_add_changed(t, i); /* listed twice */
			}
	return live_stamp;
}

static uint64_t live_epoch_of(void *ctx)
{
	(void)ctx;
	return live_epoch;
}

static const struct table_column live_cols[] = {
	{ "name", 10, 0, 0, false, false, false, false, true },
	{ "number", 6, 6, 1, true, true, false },
	{ "age", 5, 6, 2, true, true, false, true },
};

static unsigned long live_random(void)
{
	static unsigned long long x = 0x9e3779b97f4a7c15ULL;
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return (unsigned long)(x >> 11);
}

static void live_update(size_t id)
{
	live[id].number = (int)(live_random() % 20);
	live[id].stamp = ++live_stamp;
}

/* Another row in the slot (as an evicted series' slot taken by a new one). */
static void live_replace(size_t id)
{
	live[id].name = (int)(live_random() % 6);
	live_members++;
	live_update(id);
}

/* Both tables take the same filter and sort; the reference re-reads all. */
static void set_view(struct table *a, struct table *b, const char *filter, int col, bool desc)
{
	struct table *both[] = { a, b };
	for (int i = 0; i < 2; i++) {
		table_set_filter(both[i], filter);
		both[i]->sort_col = col;
		both[i]->sort_desc = desc;
		both[i]->stale = true;
	}
}

/* A key typed into (or erased from) both tables' filter, the sort kept: an
 * extended filter narrows the one before. */
static void type_filter(struct table *a, struct table *b)
{
	static const char keys[] = "abn13 e";
	char filter[TABLE_FILTER_MAX];
	snprintf(filter, sizeof(filter), "%s", a->filter);
	size_t n = strlen(filter);
	if (n > 0 && live_random() % 4 == 0)
		filter[n - 1] = '\0';
	else if (n + 1 < sizeof(filter)) {
		filter[n] = keys[live_random() % (sizeof(keys) - 1)];
		filter[n + 1] = '\0';
	}
	table_set_filter(a, filter);
	table_set_filter(b, filter);
}

static void assert_same_rows(const struct table *got, const struct table *want)
{
	assert_int_equal(got->count, want->count);
	assert_int_equal(got->total, want->total);
	for (size_t i = 0; i < want->count; i++)
		assert_int_equal(got->ids[i], want->ids[i]);
}

/* Random changes, sorts and filters, each followed by a refresh of an
 * incremental table and a full rebuild of a plain one: the same rows in the
 * same order.  With a pass budget (spread), a new sort or filter takes
 * several refreshes, the old order shown meanwhile; it is compared with the
 * rebuild whenever no pass is in progress, and at times finished at once by
 * table_rebuild() (a key that needs the rows). */
static void random_refreshes(double budget_ms)
{
	memset(live, 0, sizeof(live));
	live_stamp = live_members = live_epoch = 0;
	for (size_t i = 0; i < LIVE_ROWS; i++) {
		live[i].present = i % 4 != 3;
		live_replace(i);
	}
	struct table inc, ref;
	/* the reference formats every cell it filters */
	struct table_source src = { NULL,	     live_rows,		 live_cell,
				    NULL,	     live_rows_stamp,	 live_changed_since,
				    live_epoch_of, live_may_contain };
	struct table_source plain = { NULL, live_rows, live_cell, NULL };
	table_init(&inc, live_cols, 3, &src);
	table_init(&ref, live_cols, 3, &plain);
	live_quick_no = 0;
	inc.pass_budget_ms = budget_ms;
	inc.pass_run = 16; /* several runs to merge */
	inc.pass_min_rows = 0;
	inc.height = ref.height = 10;
	size_t in_pass = 0, passes_done = 0, finished_at_once = 0;
	uint64_t shown[LIVE_ROWS];
	size_t shown_count = 0;
	static const char *const filters[] = { "",     "a",     "n1",	     "name:b", "age:3",
					       "3",    "zzz",   "a n1",    "b 1 a",  "name:b n1",
					       "b 3" };
	size_t reread_small = 0, refreshes = 0, narrowed = 0;
	for (int step = 0; step < 6000; step++) {
		unsigned long what = live_random() % 100;
		if (what < 6) {
			set_view(&inc, &ref, filters[live_random() % 11], (int)(live_random() % 4) - 1,
				 live_random() % 2);
		} else if (what < 10) {
			type_filter(&inc, &ref);
			/* at times, typed right after another change, in one frame */
			if (what < 8)
				live_update(live_random() % LIVE_ROWS);
		} else if (what < 12) {
			size_t id = live_random() % LIVE_ROWS;
			live[id].present = !live[id].present;
			live_members++;
			live_update(id);
		} else if (what < 16) {
			live_replace(live_random() % LIVE_ROWS);
		} else if (what < 17) {
			live_lost = true;
			live_update(live_random() % LIVE_ROWS);
		} else if (what < 18) {
			live_epoch++;
		} else if (what < 20) {
			live_clock++;
		} else {
			size_t n = live_random() % 8;
			for (size_t i = 0; i < n; i++)
				live_update(live_random() % LIVE_ROWS);
		}
		/* a refresh whenever anything changed, the clock included (the
		 * "age:3" filter reads it) */
		uint64_t stamp = live_stamp + live_members + live_clock;
		bool was_in_pass = table_progress(&inc) >= 0;
		if (was_in_pass && live_random() % 16 == 0) {
			table_rebuild(&inc); /* finished at once */
			finished_at_once++;
		} else {
			table_refresh(&inc, stamp);
		}
		table_rebuild(&ref);
		if (table_progress(&inc) >= 0) {
			/* the old order stays shown (a pass started over by another
			 * filter keeps showing it too) */
			if (was_in_pass) {
				assert_int_equal(inc.count, shown_count);
				for (size_t i = 0; i < shown_count; i++)
					assert_int_equal(inc.ids[i], shown[i]);
			}
			in_pass++;
			if (!was_in_pass) {
				shown_count = inc.count;
				memcpy(shown, inc.ids, inc.count * sizeof(*inc.ids));
			}
			continue;
		}
		passes_done += was_in_pass;
		assert_same_rows(&inc, &ref);
		refreshes++;
		narrowed += inc.narrowed;
		if (inc.reread < LIVE_ROWS / 4)
			reread_small++;
	}
	/* most refreshes re-read a handful of rows, not all of them */
	assert_true(reread_small > refreshes / 2);
	/* typing extended the filter often enough to test narrowing */
	assert_true(narrowed > 100);
	/* and letters against numbers spared formatting them */
	assert_true(live_quick_no > 1000);
	if (budget_ms > 0) {
		/* passes ran over several refreshes, and completed */
		assert_true(in_pass > 500);
		assert_true(passes_done > 100);
		assert_true(finished_at_once > 10);
	} else {
		assert_int_equal(in_pass, 0);
	}
	table_free(&inc);
	table_free(&ref);
}

static void test_incremental_matches_a_full_rebuild(void **state)
{
	(void)state;
	random_refreshes(0);
}

/* The smallest budget: one step (a chunk of rows, a run sorted, a merge)
 * per refresh, so every pass spans several. */
static void test_spread_pass_matches_a_full_rebuild(void **state)
{
	(void)state;
	random_refreshes(1e-9);
}

/* A pass shows its progress, rising, and ends; a table smaller than
 * pass_min_rows is sorted in one refresh whatever the budget. */
static void test_spread_pass_progress(void **state)
{
	(void)state;
	memset(live, 0, sizeof(live));
	live_stamp = live_members = live_epoch = 0;
	for (size_t i = 0; i < LIVE_ROWS; i++) {
		live[i].present = true;
		live_replace(i);
	}
	struct table t;
	struct table_source src = { NULL, live_rows, live_cell, NULL, live_rows_stamp,
				    live_changed_since, live_epoch_of };
	table_init(&t, live_cols, 3, &src);
	t.height = 10;
	t.pass_budget_ms = 1e-9;
	t.pass_run = 32;
	t.pass_min_rows = 0;
	table_rebuild(&t); /* natural order: nothing to spread */
	t.sort_col = 1;
	t.stale = true;
	table_refresh(&t, 1);
	/* the first refresh read one chunk: the natural order still shown */
	int pct = table_progress(&t);
	assert_true(pct >= 0 && pct < 50);
	assert_int_equal(t.ids[0], 0);
	int refreshes = 1;
	for (int last = pct; table_progress(&t) >= 0; refreshes++) {
		table_refresh(&t, 1);
		assert_true(table_progress(&t) < 0 || table_progress(&t) >= last);
		last = table_progress(&t);
	}
	/* 300 rows: 5 chunks, 10 runs sorted, 9 merges, completed in a step */
	assert_true(refreshes > 10);
	for (size_t i = 1; i < t.count; i++)
		assert_true(live[t.ids[i - 1]].number <= live[t.ids[i]].number);
	/* the default threshold: 300 rows are sorted at once */
	t.sort_col = -1;
	table_refresh(&t, 2);
	t.pass_min_rows = 20000;
	t.sort_col = 1;
	t.sort_desc = true;
	t.stale = true;
	table_refresh(&t, 3);
	assert_true(table_progress(&t) < 0);
	for (size_t i = 1; i < t.count; i++)
		assert_true(live[t.ids[i - 1]].number >= live[t.ids[i]].number);
	table_free(&t);
}

/* The header says a pass is under way, and no longer once it is done. */
static void test_spread_pass_shown_in_the_header(void **state)
{
	(void)state;
	memset(live, 0, sizeof(live));
	live_stamp = live_members = live_epoch = 0;
	for (size_t i = 0; i < LIVE_ROWS; i++) {
		live[i].present = true;
		live_replace(i);
	}
	struct theme theme;
	theme_init_builtin(&theme);
	struct ui_screen scr;
	struct screen_options so = { .dump_path = "/dev/null", .cols = 80, .rows = 24, .ascii = true };
	char err[256];
	setenv("TERM", "xterm", 1); /* whatever runs the tests (TERM=dumb is refused) */
	assert_true(screen_open(&scr, &so, &theme, err, sizeof(err)));
	WINDOW *w = newwin(12, 80, 0, 0);
	struct table t;
	struct table_source src = { NULL, live_rows, live_cell, NULL, live_rows_stamp,
				    live_changed_since, live_epoch_of };
	table_init(&t, live_cols, 3, &src);
	t.pass_budget_ms = 1e-9;
	t.pass_min_rows = 0;
	table_rebuild(&t);
	table_draw(&t, &scr, w, 0, 12, 80);
	t.sort_col = 1;
	t.stale = true;
	table_refresh(&t, 1);
	assert_true(table_progress(&t) >= 0);
	table_draw(&t, &scr, w, 0, 12, 80);
	char header[81];
	mvwinnstr(w, 0, 0, header, 80);
	assert_non_null(strstr(header, "sorting... "));
	assert_non_null(strstr(header, " %"));
	while (table_progress(&t) >= 0)
		table_refresh(&t, 1);
	table_draw(&t, &scr, w, 0, 12, 80);
	mvwinnstr(w, 0, 0, header, 80);
	assert_null(strstr(header, "sorting"));
	assert_non_null(strstr(header, "name"));
	table_free(&t);
	delwin(w);
	screen_close(&scr);
}

static void test_incremental_rereads_only_what_changed(void **state)
{
	(void)state;
	memset(live, 0, sizeof(live));
	live_stamp = live_members = live_epoch = 0;
	for (size_t i = 0; i < LIVE_ROWS; i++) {
		live[i].present = true;
		live_replace(i);
	}
	struct table t;
	struct table_source src = { NULL, live_rows, live_cell, NULL, live_rows_stamp,
				    live_changed_since, live_epoch_of };
	table_init(&t, live_cols, 3, &src);
	t.height = 10;
	t.sort_col = 1; /* by number */
	table_rebuild(&t);
	assert_int_equal(t.reread, LIVE_ROWS);
	live_update(7);
	live_update(8);
	table_refresh(&t, live_stamp);
	assert_int_equal(t.reread, 2);
	for (size_t i = 1; i < t.count; i++)
		assert_true(live[t.ids[i - 1]].number <= live[t.ids[i]].number);
	/* sorted by the stable name and filtered: a changed row is re-read on
	 * its other columns only */
	t.sort_col = 0;
	table_set_filter(&t, "n");
	table_refresh(&t, live_stamp + 500);
	memset(live_cells, 0, sizeof(live_cells));
	live_update(9);
	table_refresh(&t, live_stamp + 501);
	assert_int_equal(t.reread, 1);
	assert_int_equal(live_cells[0], 0);
	assert_int_equal(live_cells[1], 1);
	/* nothing new: nothing re-read, the same order */
	uint64_t first = t.ids[0];
	table_refresh(&t, live_stamp + 1000);
	assert_int_equal(t.reread, 0);
	assert_int_equal(t.ids[0], first);
	/* another entity's name changed (epoch): every row again */
	live_epoch++;
	table_refresh(&t, live_stamp + 1001);
	assert_int_equal(t.reread, LIVE_ROWS);
	table_free(&t);
}

/* A filter extended as it is typed checks only the rows the shorter one
 * kept, and keeps their sorted order; one erased reads every row again. */
static void test_extended_filter_checks_only_its_rows(void **state)
{
	(void)state;
	memset(live, 0, sizeof(live));
	live_stamp = live_members = live_epoch = 0;
	for (size_t i = 0; i < LIVE_ROWS; i++) {
		live[i].present = true;
		live_replace(i);
	}
	struct table t, ref;
	struct table_source src = { NULL, live_rows, live_cell, NULL, live_rows_stamp,
				    live_changed_since, live_epoch_of };
	struct table_source plain = { NULL, live_rows, live_cell, NULL };
	table_init(&t, live_cols, 3, &src);
	table_init(&ref, live_cols, 3, &plain);
	t.height = ref.height = 10;
	set_view(&t, &ref, "", 2, true); /* by age (not searched by "a"), descending */
	table_refresh(&t, 1);
	assert_int_equal(t.reread, LIVE_ROWS);
	/* a filter on a sorted table: every row checked, none sorted again */
	set_view(&t, &ref, "a", 2, true);
	memset(live_cells, 0, sizeof(live_cells));
	table_refresh(&t, 2);
	assert_int_equal(live_cells[2], 0); /* the sort key was not read */
	table_rebuild(&ref);
	assert_true(t.narrowed);
	assert_int_equal(t.reread, LIVE_ROWS);
	assert_same_rows(&t, &ref);
	size_t had = t.count;
	assert_true(had > 0 && had < LIVE_ROWS);
	/* "a" -> "al": only the rows "a" kept */
	table_set_filter(&t, "al");
	table_set_filter(&ref, "al");
	table_refresh(&t, 3);
	table_rebuild(&ref);
	assert_true(t.narrowed);
	assert_int_equal(t.reread, had);
	assert_same_rows(&t, &ref);
	/* a row gone while the filter narrows is checked again when it comes
	 * back: Bravo matched "a", not "al" */
	size_t bravo = 0;
	while (live[bravo].name != 1)
		bravo++;
	table_set_filter(&t, "a");
	table_set_filter(&ref, "a");
	table_refresh(&t, 100);
	live[bravo].present = false;
	live_members++;
	table_refresh(&t, 101);
	table_set_filter(&t, "al");
	table_set_filter(&ref, "al");
	table_refresh(&t, 102);
	assert_true(t.narrowed);
	live[bravo].present = true;
	live_members++;
	table_refresh(&t, 103);
	table_rebuild(&ref);
	assert_same_rows(&t, &ref);
	/* a term on one column is not narrowed by one on any column */
	table_set_filter(&t, "name:b");
	table_refresh(&t, 104);
	set_view(&t, &ref, "n1 b", 2, true);
	table_refresh(&t, 105);
	table_rebuild(&ref);
	assert_false(t.narrowed);
	assert_same_rows(&t, &ref);
	table_set_filter(&t, "al");
	table_set_filter(&ref, "al");
	table_refresh(&t, 106);
	table_rebuild(&ref);
	/* a row changed in the same frame is merged as well */
	live_update(ref.count ? ref.ids[0] : 0);
	table_set_filter(&t, "al -");
	table_set_filter(&ref, "al -");
	table_refresh(&t, 4);
	table_rebuild(&ref);
	assert_true(t.narrowed);
	assert_same_rows(&t, &ref);
	/* erased: wider, every row again */
	table_set_filter(&t, "a");
	table_set_filter(&ref, "a");
	table_refresh(&t, 5);
	table_rebuild(&ref);
	assert_false(t.narrowed);
	assert_int_equal(t.reread, LIVE_ROWS);
	assert_same_rows(&t, &ref);
	/* another sort: every row again */
	set_view(&t, &ref, "al", 0, false);
	table_refresh(&t, 6);
	table_rebuild(&ref);
	assert_false(t.narrowed);
	assert_same_rows(&t, &ref);
	table_free(&t);
	table_free(&ref);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_filter),
		cmocka_unit_test(test_hidden_columns),
		cmocka_unit_test(test_layout_keys_first),
		cmocka_unit_test(test_sort),
		cmocka_unit_test(test_selection_follows_the_row),
		cmocka_unit_test(test_scrolling_keeps_the_selection_visible),
		cmocka_unit_test(test_incremental_matches_a_full_rebuild),
		cmocka_unit_test(test_spread_pass_matches_a_full_rebuild),
		cmocka_unit_test(test_spread_pass_progress),
		cmocka_unit_test(test_spread_pass_shown_in_the_header),
		cmocka_unit_test(test_incremental_rereads_only_what_changed),
		cmocka_unit_test(test_extended_filter_checks_only_its_rows),
	};
	return cmocka_run_group_tests_name("ui_table", tests, NULL, NULL);
}
