/* table — see include/ui/table.h. */
#include "ui/table.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util.h"

void table_init(struct table *t, const struct table_column *cols, size_t ncols,
		const struct table_source *src)
{
	memset(t, 0, sizeof(*t));
	t->cols = cols;
	t->ncols = ncols < TABLE_MAX_COLUMNS ? ncols : TABLE_MAX_COLUMNS;
	t->src = *src;
	t->sort_col = -1;
	table_set_filter(t, "");
}

void table_free(struct table *t)
{
	for (size_t i = 0; i < t->memo_cap; i++)
		free(t->memo[i].text);
	free(t->memo);
	free(t->natural);
	free(t->prev);
	free(t->moved);
	free(t->ids);
	t->memo = NULL;
	t->natural = t->prev = t->moved = t->ids = NULL;
	t->memo_cap = t->natural_cap = t->prev_cap = t->moved_cap = 0;
	t->natural_count = t->moved_count = 0;
	t->count = t->cap = 0;
}

/* Appends id to a growable list of row ids. */
static void push_id(uint64_t **ids, size_t *count, size_t *cap, uint64_t id)
{
	if (*count == *cap) {
		*cap = *cap ? *cap * 2 : 64;
		*ids = xrealloc(*ids, *cap * sizeof(**ids));
	}
	(*ids)[(*count)++] = id;
}

void table_add_row(struct table *t, uint64_t id)
{
	push_id(&t->ids, &t->count, &t->cap, id);
}

/* Case-insensitive substring; the first byte is compared before calling
 * strncasecmp (filters run over every cell of every row). */
static bool contains(const char *hay, const char *needle, size_t nlen)
{
	if (nlen == 0)
		return true;
	int first = tolower((unsigned char)needle[0]);
	for (; *hay; hay++)
		if (tolower((unsigned char)*hay) == first && strncasecmp(hay, needle, nlen) == 0)
			return true;
	return false;
}

/* A cell ready to be formatted: only what a view may leave unset is reset
 * (not the whole text buffer — this runs for every cell of every row). */
static void cell_reset(struct table_cell *cell)
{
	cell->text[0] = '\0';
	cell->role = UI_ROLE_DEFAULT;
	cell->num = 0;
	cell->trusted = false;
}

/* The filter over one part of the columns: the stable ones, or the others
 * (a row matches when either part does). */
static bool matches_part(const struct table *t, uint64_t id, bool stable)
{
	struct table_cell cell;
	if (t->filter_col >= 0) {
		if (t->cols[t->filter_col].stable != stable)
			return false;
		cell_reset(&cell);
		t->src.cell(t->src.ctx, id, (size_t)t->filter_col, 0, &cell);
		return contains(cell.text, t->filter + t->filter_at, t->filter_len);
	}
	for (size_t c = 0; c < t->ncols; c++) {
		if (t->cols[c].unfiltered || t->cols[c].stable != stable)
			continue;
		cell_reset(&cell);
		t->src.cell(t->src.ctx, id, c, 0, &cell);
		if (!cell.trusted && contains(cell.text, t->filter + t->filter_at, t->filter_len))
			return true;
	}
	return false;
}

bool table_row_matches(const struct table *t, uint64_t id)
{
	if (!t->filter[0])
		return true;
	return matches_part(t, id, true) || matches_part(t, id, false);
}

struct sort_key {
	uint64_t id;
	size_t order; /* natural position: keeps the sort stable */
	double num;
	char *text;
};

static int sort_cmp(const void *a, const void *b, void *arg)
{
	const struct sort_key *x = a, *y = b;
	const struct table *t = arg;
	int r;
	if (t->cols[t->sort_col].numeric)
		r = x->num < y->num ? -1 : x->num > y->num ? 1 : 0;
	else
		r = strcasecmp(x->text, y->text);
	if (t->sort_desc)
		r = -r;
	if (r == 0)
		r = x->order < y->order ? -1 : x->order > y->order ? 1 : 0;
	return r;
}

/* qsort has no context argument in C11: a file-level pointer for the
 * comparator (main thread only). */
static const struct table *sorting;
static int sort_cmp_qsort(const void *a, const void *b)
{
	return sort_cmp(a, b, (void *)sorting);
}

static void sort_rows(struct table *t)
{
	if (t->sort_col < 0 || (size_t)t->sort_col >= t->ncols || t->count < 2)
		return;
	struct sort_key *keys = xmalloc(t->count * sizeof(*keys));
	struct table_cell cell;
	for (size_t i = 0; i < t->count; i++) {
		cell_reset(&cell);
		t->src.cell(t->src.ctx, t->ids[i], (size_t)t->sort_col, 0, &cell);
		keys[i].id = t->ids[i];
		keys[i].order = i;
		keys[i].num = cell.num;
		keys[i].text = t->cols[t->sort_col].numeric ? NULL : xstrdup(cell.text);
	}
	sorting = t;
	qsort(keys, t->count, sizeof(*keys), sort_cmp_qsort);
	sorting = NULL;
	for (size_t i = 0; i < t->count; i++) {
		t->ids[i] = keys[i].id;
		free(keys[i].text);
	}
	free(keys);
}

static void clamp_scroll(struct table *t)
{
	if (t->count == 0) {
		t->sel = t->top = 0;
		return;
	}
	if (t->sel >= t->count)
		t->sel = t->count - 1;
	size_t h = t->height > 0 ? (size_t)t->height : 1;
	if (t->sel < t->top)
		t->top = t->sel;
	if (t->sel >= t->top + h)
		t->top = t->sel - h + 1;
	if (t->top + h > t->count)
		t->top = t->count > h ? t->count - h : 0;
}

/* ---- incremental refreshes (source->changed_since) ----------------------- */

static bool incremental(const struct table *t)
{
	return t->src.rows_stamp && t->src.changed_since;
}

static bool sorted(const struct table *t)
{
	return t->sort_col >= 0 && (size_t)t->sort_col < t->ncols;
}

static struct table_memo *memo_for(struct table *t, uint64_t id)
{
	if (id >= t->memo_cap) {
		size_t cap = t->memo_cap ? t->memo_cap : 256;
		while (cap <= id)
			cap *= 2;
		t->memo = xrealloc(t->memo, cap * sizeof(*t->memo));
		memset(t->memo + t->memo_cap, 0, (cap - t->memo_cap) * sizeof(*t->memo));
		t->memo_cap = cap;
	}
	return &t->memo[id];
}

void table_add_changed(struct table *t, uint64_t id)
{
	push_id(&t->moved, &t->moved_count, &t->moved_cap, id);
}

void table_changed_all(struct table *t)
{
	t->all_changed = true;
}

/* Reads the row's sort key into its memo; true when it differs from the one
 * kept (or none was). */
static bool memo_read_key(struct table *t, struct table_memo *m, uint64_t id)
{
	struct table_cell cell;
	cell_reset(&cell);
	t->src.cell(t->src.ctx, id, (size_t)t->sort_col, 0, &cell);
	if (t->cols[t->sort_col].numeric) {
		bool changed = !m->valid || cell.num != m->num;
		m->num = cell.num;
		return changed;
	}
	if (m->valid && m->text && strcmp(m->text, cell.text) == 0)
		return false;
	free(m->text);
	m->text = xstrdup(cell.text);
	return true;
}

/* Reads the row's filter match and sort key; it moves when either changed.
 * A row that changed (not `whole`) keeps what its stable columns gave. */
static void memo_read(struct table *t, struct table_memo *m, uint64_t id, bool whole)
{
	t->reread++;
	whole = whole || !m->valid;
	bool match = true;
	if (t->filter[0]) {
		if (whole)
			m->stable_match = matches_part(t, id, true);
		match = m->stable_match || matches_part(t, id, false);
	}
	bool key_changed = sorted(t) && (whole || !t->cols[t->sort_col].stable) &&
			   memo_read_key(t, m, id);
	if (!m->valid || key_changed || match != m->match)
		m->moved = true;
	m->match = match;
	m->valid = true;
}

static int memo_cmp(const struct table *t, uint64_t a, uint64_t b)
{
	const struct table_memo *x = &t->memo[a], *y = &t->memo[b];
	int r;
	if (t->cols[t->sort_col].numeric)
		r = x->num < y->num ? -1 : x->num > y->num ? 1 : 0;
	else
		r = strcasecmp(x->text ? x->text : "", y->text ? y->text : "");
	if (t->sort_desc)
		r = -r;
	if (r == 0)
		r = x->order < y->order ? -1 : x->order > y->order ? 1 : 0;
	return r;
}

/* qsort has no context argument in C11 (main thread only, as above). */
static const struct table *memo_sorting;
static int memo_cmp_qsort(const void *a, const void *b)
{
	return memo_cmp(memo_sorting, *(const uint64_t *)a, *(const uint64_t *)b);
}

static void swap_ids(uint64_t **a, size_t *a_cap, uint64_t **b, size_t *b_cap)
{
	uint64_t *ids = *a;
	size_t cap = *a_cap;
	*a = *b;
	*a_cap = *b_cap;
	*b = ids;
	*b_cap = cap;
}

/* rows() again: the natural order, which rows are present (seen in this
 * generation); rows not read yet are read, rows that came back move. */
static void walk_rows(struct table *t)
{
	size_t listed = t->count; /* the current order stays as it is */
	swap_ids(&t->ids, &t->cap, &t->natural, &t->natural_cap);
	t->count = 0;
	t->src.rows(t->src.ctx, t);
	swap_ids(&t->ids, &t->cap, &t->natural, &t->natural_cap);
	t->natural_count = t->total = t->count;
	t->count = listed;
	uint32_t gen = ++t->generation;
	for (size_t i = 0; i < t->natural_count; i++) {
		uint64_t id = t->natural[i];
		struct table_memo *m = memo_for(t, id);
		bool was_present = m->seen == gen - 1;
		m->seen = gen;
		m->order = (uint32_t)i;
		if (!m->valid)
			memo_read(t, m, id, true);
		else if (!was_present)
			m->moved = true;
		if (m->moved)
			table_add_changed(t, id);
	}
}

/* The new order: the natural one filtered, or the previous order without
 * the rows that moved, merged with those rows sorted. */
static void reorder(struct table *t, size_t prev_count)
{
	if (t->cap < t->natural_count) {
		t->cap = t->natural_count;
		t->ids = xrealloc(t->ids, t->cap * sizeof(*t->ids));
	}
	uint32_t gen = t->generation;
	if (!sorted(t)) {
		size_t out = 0;
		for (size_t i = 0; i < t->natural_count; i++)
			if (t->memo[t->natural[i]].match)
				t->ids[out++] = t->natural[i];
		t->count = out;
		for (size_t i = 0; i < t->moved_count; i++)
			t->memo[t->moved[i]].moved = false;
		return;
	}
	/* the rows to merge: moved, still listed, passing the filter */
	size_t n = 0;
	for (size_t i = 0; i < t->moved_count; i++) {
		struct table_memo *m = &t->memo[t->moved[i]];
		if (m->moved && m->seen == gen && m->match)
			t->moved[n++] = t->moved[i];
		else
			m->moved = false; /* left out of the merge by seen or match */
	}
	memo_sorting = t;
	qsort(t->moved, n, sizeof(*t->moved), memo_cmp_qsort);
	memo_sorting = NULL;
	size_t unique = 0; /* a row listed twice sorts next to itself */
	for (size_t i = 0; i < n; i++)
		if (unique == 0 || t->moved[unique - 1] != t->moved[i])
			t->moved[unique++] = t->moved[i];
	size_t out = 0, a = 0, b = 0;
	while (a < prev_count || b < unique) {
		if (a < prev_count) {
			const struct table_memo *m = &t->memo[t->prev[a]];
			if (m->seen != gen || !m->match || m->moved) {
				a++;
				continue;
			}
		}
		if (b >= unique || (a < prev_count && memo_cmp(t, t->prev[a], t->moved[b]) <= 0))
			t->ids[out++] = t->prev[a++];
		else
			t->ids[out++] = t->moved[b++];
	}
	t->count = out;
	for (size_t i = 0; i < unique; i++)
		t->memo[t->moved[i]].moved = false;
}

/* Re-reads what changed since the last refresh (everything when
 * start_over), walks rows() again when its stamp moved, and reorders only
 * when some row moved. */
static void refresh_memo(struct table *t, bool start_over, bool walk)
{
	t->reread = 0;
	t->moved_count = 0;
	if (start_over) {
		for (size_t i = 0; i < t->memo_cap; i++)
			t->memo[i].valid = t->memo[i].moved = false;
		t->built_since = t->src.changed_since(t->src.ctx, TABLE_NOW, t);
		walk = true;
	} else {
		t->built_since = t->src.changed_since(t->src.ctx, t->built_since, t);
		if (t->all_changed) {
			t->all_changed = false;
			refresh_memo(t, true, true);
			return;
		}
		/* rows listed last time that changed; others are not in this view.
		 * When the set of rows moved, a slot may hold another row now:
		 * those are re-read whole. */
		uint32_t gen = t->generation;
		size_t kept = 0;
		for (size_t i = 0; i < t->moved_count; i++) {
			uint64_t id = t->moved[i];
			if (id < t->memo_cap && t->memo[id].seen == gen && t->memo[id].valid) {
				memo_read(t, &t->memo[id], id, walk);
				t->moved[kept++] = id;
			}
		}
		t->moved_count = kept;
	}
	if (walk)
		walk_rows(t);
	bool any = walk;
	for (size_t i = 0; i < t->moved_count && !any; i++)
		any = t->memo[t->moved[i]].moved;
	t->memo_ready = true;
	if (!any)
		return; /* same rows, same keys, same matches: the same order */
	size_t prev_count = start_over ? 0 : t->count;
	swap_ids(&t->ids, &t->cap, &t->prev, &t->prev_cap);
	reorder(t, prev_count);
}

/* A "field:value" filter on a column whose text follows the clock (age)
 * cannot be kept between refreshes. */
static bool filter_reads_clock(const struct table *t)
{
	return t->filter_col >= 0 && t->cols[t->filter_col].unfiltered;
}

/* ---- rebuilds ---------------------------------------------------------------- */

static void read_all_rows(struct table *t)
{
	t->count = 0;
	t->src.rows(t->src.ctx, t);
	t->total = t->count;
	t->reread = t->count;
	if (t->filter[0]) {
		size_t kept = 0;
		for (size_t i = 0; i < t->count; i++)
			if (table_row_matches(t, t->ids[i]))
				t->ids[kept++] = t->ids[i];
		t->count = kept;
	}
	sort_rows(t);
}

/* The selection follows its id; if the row is gone, the index stays. */
static void keep_selection(struct table *t)
{
	if (t->has_sel) {
		for (size_t i = 0; i < t->count; i++)
			if (t->ids[i] == t->sel_id) {
				t->sel = i;
				break;
			}
	}
	clamp_scroll(t);
	t->has_sel = t->count > 0;
	if (t->has_sel)
		t->sel_id = t->ids[t->sel];
}

void table_rebuild(struct table *t)
{
	if (incremental(t) && (sorted(t) || t->filter[0])) {
		refresh_memo(t, true, true);
	} else {
		read_all_rows(t);
		t->memo_ready = false;
	}
	if (incremental(t))
		t->built_rows = t->src.rows_stamp(t->src.ctx);
	t->stale = false;
	keep_selection(t);
}

void table_refresh(struct table *t, uint64_t stamp)
{
	uint64_t epoch = t->src.epoch ? t->src.epoch(t->src.ctx) : 0;
	if (!t->stale && stamp == t->built_stamp && epoch == t->built_epoch)
		return;
	if (!incremental(t) || t->stale) {
		table_rebuild(t);
	} else {
		uint64_t rows = t->src.rows_stamp(t->src.ctx);
		if (!sorted(t) && !t->filter[0]) {
			/* the natural order unfiltered: only a new set of rows matters */
			if (rows != t->built_rows)
				table_rebuild(t);
		} else {
			bool start_over = epoch != t->built_epoch || !t->memo_ready ||
					  filter_reads_clock(t);
			refresh_memo(t, start_over, rows != t->built_rows);
			t->built_rows = rows;
			keep_selection(t);
		}
	}
	t->built_stamp = stamp;
	t->built_epoch = epoch;
	t->stale = false;
}

void table_select_index(struct table *t, size_t index)
{
	if (t->count == 0)
		return;
	t->sel = index < t->count ? index : t->count - 1;
	t->sel_id = t->ids[t->sel];
	t->has_sel = true;
	clamp_scroll(t);
}

void table_move(struct table *t, long delta)
{
	if (t->count == 0)
		return;
	long to = (long)t->sel + delta;
	if (to < 0)
		to = 0;
	table_select_index(t, (size_t)to);
}

bool table_selected(const struct table *t, uint64_t *id)
{
	if (!t->has_sel || t->count == 0)
		return false;
	*id = t->ids[t->sel];
	return true;
}

size_t table_page(const struct table *t)
{
	return t->height > 1 ? (size_t)t->height - 1 : 1;
}

/* Which columns fit: drop the highest priority numbers until the minimum
 * widths (plus one space between columns) fit, then share what is left. */
static void layout(struct table *t, int width)
{
	bool shown[TABLE_MAX_COLUMNS];
	int need = 0;
	for (size_t c = 0; c < t->ncols; c++) {
		shown[c] = true;
		need += t->cols[c].min_width + (c ? 1 : 0);
	}
	while (need > width) {
		int worst = -1;
		for (size_t c = 0; c < t->ncols; c++)
			if (shown[c] && t->cols[c].priority > 0 &&
			    (worst < 0 || t->cols[c].priority >= t->cols[worst].priority))
				worst = (int)c;
		if (worst < 0)
			break;
		shown[worst] = false;
		need -= t->cols[worst].min_width + 1;
	}
	int left = width - need;
	for (size_t c = 0; c < t->ncols; c++)
		t->widths[c] = shown[c] ? t->cols[c].min_width : 0;
	/* Share what is left one column at a time, round robin in priority
	 * order, so a long code does not starve a name; columns stop at
	 * their max_width, flexible ones (max 0) take the rest. */
	bool grew = true;
	while (left > 0 && grew) {
		grew = false;
		for (int pass = 0; pass <= 9 && left > 0; pass++)
			for (size_t c = 0; c < t->ncols && left > 0; c++) {
				if (!shown[c] || t->cols[c].priority != pass)
					continue;
				if (t->cols[c].max_width && t->widths[c] >= t->cols[c].max_width)
					continue;
				t->widths[c]++;
				left--;
				grew = true;
			}
	}
	int x = 0;
	for (size_t c = 0; c < t->ncols; c++) {
		t->x[c] = x;
		if (t->widths[c])
			x += t->widths[c] + 1;
	}
}

void table_draw(struct table *t, const struct ui_screen *scr, WINDOW *w, int y, int height,
		int width)
{
	layout(t, width);
	t->y = y + 1;
	t->height = height > 1 ? height - 1 : 0;
	clamp_scroll(t);
	attr_t head = screen_attr(scr, UI_ROLE_HEADER);
	wattrset(w, head);
	mvwhline(w, y, 0, ' ', width);
	for (size_t c = 0; c < t->ncols; c++) {
		if (!t->widths[c])
			continue;
		char name[64];
		const char *mark = (int)c == t->sort_col ? (t->sort_desc ? scr->g->sort_desc
									    : scr->g->sort_asc)
							 : "";
		snprintf(name, sizeof(name), "%s%s", t->cols[c].name, mark);
		screen_put(scr, w, y, t->x[c], t->widths[c], name, head, true, t->cols[c].right);
	}
	struct table_cell cell;
	for (int line = 0; line < t->height; line++) {
		size_t i = t->top + (size_t)line;
		int row_y = t->y + line;
		if (i >= t->count) {
			wattrset(w, screen_attr(scr, UI_ROLE_DEFAULT));
			mvwhline(w, row_y, 0, ' ', width);
			continue;
		}
		uint64_t id = t->ids[i];
		bool selected = i == t->sel;
		enum ui_role row_role = t->src.row_role ? t->src.row_role(t->src.ctx, id)
							: UI_ROLE_DEFAULT;
		attr_t base = screen_attr(scr, selected ? UI_ROLE_SELECTED : row_role);
		wattrset(w, base);
		mvwhline(w, row_y, 0, ' ', width);
		for (size_t c = 0; c < t->ncols; c++) {
			if (!t->widths[c])
				continue;
			cell_reset(&cell);
			t->src.cell(t->src.ctx, id, c, t->widths[c], &cell);
			attr_t a = base;
			if (!selected && cell.role != UI_ROLE_DEFAULT)
				a = screen_attr(scr, cell.role);
			else if (selected && cell.role != UI_ROLE_DEFAULT)
				/* keep the cell's emphasis visible on the selected row */
				a = base | (screen_attr(scr, cell.role) & (A_BOLD | A_UNDERLINE));
			screen_put(scr, w, row_y, t->x[c], t->widths[c], cell.text, a, true,
				   t->cols[c].right);
		}
	}
}

void table_sort_next(struct table *t)
{
	int c = t->sort_col;
	for (size_t n = 0; n <= t->ncols; n++) {
		c++;
		if (c >= (int)t->ncols) {
			c = -1;
			break;
		}
		if (t->widths[c] > 0)
			break;
	}
	t->sort_col = c;
	t->sort_desc = c >= 0 && t->cols[c].desc_first;
	t->stale = true;
}

void table_sort_reverse(struct table *t)
{
	if (t->sort_col >= 0)
		t->sort_desc = !t->sort_desc;
	t->stale = true;
}

/* Parsed once here, not for every row: "field:value" when field names a
 * column, otherwise a substring of any column. */
void table_set_filter(struct table *t, const char *filter)
{
	snprintf(t->filter, sizeof(t->filter), "%s", filter ? filter : "");
	t->filter_col = -1;
	t->filter_at = 0;
	const char *colon = strchr(t->filter, ':');
	if (colon && colon > t->filter) {
		size_t flen = (size_t)(colon - t->filter);
		for (size_t c = 0; c < t->ncols; c++)
			if (strlen(t->cols[c].name) == flen &&
			    strncasecmp(t->cols[c].name, t->filter, flen) == 0) {
				t->filter_col = (int)c;
				t->filter_at = flen + 1;
				break;
			}
	}
	t->filter_len = strlen(t->filter + t->filter_at);
	t->stale = true;
}

bool table_row_at_line(const struct table *t, int line, size_t *index)
{
	if (line < t->y || line >= t->y + t->height)
		return false;
	size_t i = t->top + (size_t)(line - t->y);
	if (i >= t->count)
		return false;
	*index = i;
	return true;
}
