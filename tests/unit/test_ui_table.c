/* Unit tests: ui/table — filtering (substring, field:value), sorting (text,
 * numeric, reversed, stable), and a selection that follows its row id
 * through re-sorting, filtering and live updates. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "ui/table.h"

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
	table_set_filter(&t, "nope:Wind"); /* unknown field: a plain substring */
	table_rebuild(&t);
	assert_int_equal(t.count, 0);
	table_set_filter(&t, "");
	table_rebuild(&t);
	assert_int_equal(t.count, 5);
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_filter),
		cmocka_unit_test(test_sort),
		cmocka_unit_test(test_selection_follows_the_row),
		cmocka_unit_test(test_scrolling_keeps_the_selection_visible),
	};
	return cmocka_run_group_tests_name("ui_table", tests, NULL, NULL);
}
