/* table — see include/ui/table.h. */
#include "ui/table.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sanitize.h"
#include "util.h"

void table_init(struct table *t, const struct table_column *cols, size_t ncols,
		const struct table_source *src)
{
	memset(t, 0, sizeof(*t));
	t->cols = cols;
	t->ncols = ncols < TABLE_MAX_COLUMNS ? ncols : TABLE_MAX_COLUMNS;
	t->src = *src;
	t->sort_col = -1;
	/* a frame stays well under the 5 ms a new sort or filter may take */
	t->pass_budget_ms = 2;
	t->pass_min_rows = 20000;
	t->pass_run = 4096; /* ≈1 ms of qsort */
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
	free(t->pass.rows);
	free(t->pass.kept);
	free(t->pass.run_end);
	free(t->pass.scratch);
	memset(&t->pass, 0, sizeof(t->pass));
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

static bool is_hidden(const struct table *t, size_t c)
{
	return c < 32 && (t->hidden >> c) & 1u;
}

/* The terms of the filter one part of the columns matches (bit i = term i):
 * the stable ones, or the others (a row matches when every term is matched
 * by either part).  Each cell is read once for all the terms. */
static uint8_t matches_part(const struct table *t, uint64_t id, bool stable)
{
	struct table_cell cell;
	uint8_t all = (uint8_t)((1u << t->nterms) - 1), got = 0;
	for (size_t c = 0; c < t->ncols && got != all; c++) {
		if (t->cols[c].stable != stable || is_hidden(t, c))
			continue;
		bool read = false;
		for (size_t i = 0; i < t->nterms; i++) {
			const struct table_term *term = &t->terms[i];
			if (got & (1u << i))
				continue;
			/* a named column is searched whatever it is (age:stale);
			 * any-column terms skip glyphs and clock-driven texts */
			if (term->col >= 0 ? (size_t)term->col != c : t->cols[c].unfiltered)
				continue;
			if (!read && t->src.may_contain &&
			    !t->src.may_contain(t->src.ctx, id, c, t->filter + term->at, term->len))
				continue;
			if (!read) {
				cell_reset(&cell);
				t->src.cell(t->src.ctx, id, c, 0, &cell);
				read = true;
			}
			if ((term->col >= 0 || !cell.trusted) &&
			    contains(cell.text, t->filter + term->at, term->len))
				got = (uint8_t)(got | (1u << i));
		}
	}
	return got;
}

static bool filtering(const struct table *t)
{
	return t->nterms > 0;
}

bool table_row_matches(const struct table *t, uint64_t id)
{
	if (!filtering(t))
		return true;
	uint8_t all = (uint8_t)((1u << t->nterms) - 1);
	uint8_t got = matches_part(t, id, true);
	return got == all || (got | matches_part(t, id, false)) == all;
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

/* The first 8 bytes of a text sort key as strcasecmp compares them (each
 * lowered by tolower, unsigned), big-endian and padded with zeros like the
 * end of a string: keys whose prefixes differ compare as their texts do. */
static uint64_t key_prefix(const char *text)
{
	uint64_t p = 0;
	size_t i = 0;
	for (; i < 8 && text[i]; i++)
		p = p << 8 | (uint8_t)tolower((unsigned char)text[i]);
	return i ? p << (8 * (8 - i)) : 0;
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
	if (m->text && strcmp(m->text, cell.text) == 0)
		return !m->valid; /* the same text: no copy (a sort back on a column) */
	free(m->text);
	m->text = xstrdup(cell.text);
	m->prefix = key_prefix(m->text);
	return true;
}

/* Reads the row's filter match and sort key; it moves when either changed.
 * A row that changed (not `whole`) keeps what its stable columns gave. */
static void memo_read(struct table *t, struct table_memo *m, uint64_t id, bool whole)
{
	t->reread++;
	whole = whole || !m->valid || m->stable_old;
	bool match = true;
	if (filtering(t)) {
		uint8_t all = (uint8_t)((1u << t->nterms) - 1);
		if (whole)
			m->stable_terms = matches_part(t, id, true);
		m->stable_old = false;
		match = m->stable_terms == all ||
			(m->stable_terms | matches_part(t, id, false)) == all;
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
	else if (x->prefix != y->prefix)
		r = x->prefix < y->prefix ? -1 : 1;
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
	if (n > 1) /* none: t->moved may be NULL, which qsort must not get */
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
			t->memo[i].valid = t->memo[i].moved = t->memo[i].stable_old = false;
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
		/* the memos looked up first, in a loop of their own: under a
		 * flood the rows are scattered and each memo is a cache miss,
		 * which a short loop overlaps and memo_read's calls would not */
		for (size_t i = 0; i < t->moved_count; i++) {
			uint64_t id = t->moved[i];
			if (id < t->memo_cap && t->memo[id].seen == gen && t->memo[id].valid)
				t->moved[kept++] = id;
		}
		for (size_t i = 0; i < kept; i++)
			memo_read(t, &t->memo[t->moved[i]], t->moved[i], walk);
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

/* A "field:value" term on a column whose text follows the clock (age), or a
 * sort on a key that does (a rate ending now), cannot be kept between
 * refreshes. */
static bool reads_clock(const struct table *t)
{
	for (size_t i = 0; i < t->nterms; i++)
		if (t->terms[i].col >= 0 && t->cols[t->terms[i].col].unfiltered)
			return true;
	return sorted(t) && t->cols[t->sort_col].clocked;
}

/* ---- narrowing a filter ------------------------------------------------------ */

/* Does text[0..len) contain part[0..plen) (case-insensitive)? */
static bool span_contains(const char *text, size_t len, const char *part, size_t plen)
{
	for (size_t at = 0; at + plen <= len; at++)
		if (strncasecmp(text + at, part, plen) == 0)
			return true;
	return false;
}

/* Can a row that failed the filter the memos were read under pass this
 * one?  Not when every old term is contained in a new term on the same
 * column(s): a row the new filter passes has every old term in the cells
 * the old one searched (same hidden columns, so the same cells).  No
 * filter at all is narrowed by any: a filter typed on a sorted table
 * checks its rows and keeps their order, without sorting again. */
static bool filter_narrows(const struct table *t)
{
	if (t->hidden != t->built_hidden)
		return false;
	for (size_t i = 0; i < t->built_nterms; i++) {
		const struct table_term *old = &t->built_terms[i];
		bool covered = false;
		for (size_t j = 0; j < t->nterms && !covered; j++) {
			const struct table_term *term = &t->terms[j];
			covered = term->col == old->col &&
				  span_contains(t->filter + term->at, term->len,
						t->built_filter + old->at, old->len);
		}
		if (!covered)
			return false;
	}
	return true;
}

/* A filter that narrows the one the memos hold, under the same sort and
 * epoch: only the rows in the current order are re-checked, and those that
 * still match keep their places (the order is the same sort, filtered).
 * The others keep match = false; their stable_terms are of the old filter,
 * so their next read is whole (stable_old), and rows not listed now forget
 * their memo (a row that comes back is read again).  The keys are not
 * re-read: a row changed since the last refresh is still to be merged by
 * the incremental refresh that follows, against the key it had. */
static bool can_narrow(const struct table *t, uint64_t epoch)
{
	return incremental(t) && t->memo_ready && filtering(t) && !reads_clock(t) &&
	       epoch == t->built_epoch && t->sort_col == t->built_sort_col &&
	       t->sort_desc == t->built_sort_desc && filter_narrows(t);
}

/* Every memo's stable match is of the old filter; rows not listed now
 * forget theirs. */
static void narrow_begin(struct table *t)
{
	uint32_t gen = t->generation;
	for (size_t i = 0; i < t->memo_cap; i++) {
		struct table_memo *m = &t->memo[i];
		m->stable_old = true;
		if (m->seen != gen)
			m->valid = false;
	}
}

/* Checks a row of the kept order against the narrower filter. */
static bool narrow_row(struct table *t, uint64_t id)
{
	uint8_t all = (uint8_t)((1u << t->nterms) - 1);
	struct table_memo *m = &t->memo[id];
	m->stable_terms = matches_part(t, id, true);
	m->stable_old = false;
	m->match = m->stable_terms == all || (m->stable_terms | matches_part(t, id, false)) == all;
	return m->match;
}

static bool narrow_filter(struct table *t, uint64_t epoch)
{
	if (!can_narrow(t, epoch))
		return false;
	narrow_begin(t);
	size_t kept = 0;
	for (size_t i = 0; i < t->count; i++)
		if (narrow_row(t, t->ids[i]))
			t->ids[kept++] = t->ids[i];
	t->reread = t->count;
	t->count = kept;
	return true;
}

/* What the memos were read under, for the next narrowing. */
static void remember_built(struct table *t)
{
	memcpy(t->built_filter, t->filter, sizeof(t->filter));
	memcpy(t->built_terms, t->terms, sizeof(t->terms));
	t->built_nterms = t->nterms;
	t->built_sort_col = t->sort_col;
	t->built_sort_desc = t->sort_desc;
	t->built_hidden = t->hidden;
}

/* ---- rebuilds ---------------------------------------------------------------- */

static void read_all_rows(struct table *t)
{
	t->count = 0;
	t->src.rows(t->src.ctx, t);
	t->total = t->count;
	t->reread = t->count;
	if (filtering(t)) {
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

/* The memos under a new filter or sort: narrowed, then brought up to date
 * incrementally, when the filter allows it; read again whole otherwise. */
static void rebuild_memo(struct table *t, uint64_t epoch)
{
	t->narrowed = t->stale && narrow_filter(t, epoch);
	if (t->narrowed) {
		size_t checked = t->reread;
		refresh_memo(t, false, t->src.rows_stamp(t->src.ctx) != t->built_rows);
		t->reread += checked;
	} else {
		refresh_memo(t, true, true);
	}
}

/* ---- a new sort or filter spread over frames --------------------------------- */

enum { PASS_CHUNK = 64 }; /* rows read between looks at the clock */

static void reserve_ids(uint64_t **ids, size_t *cap, size_t n)
{
	if (*cap < n) {
		*cap = n;
		*ids = xrealloc(*ids, n * sizeof(**ids));
	}
}

/* The incremental rebuilds of large tables, less a sort or "field:value"
 * term on the clock (those re-read every row every frame anyway).  A small
 * table is rebuilt in one go, however slow the machine (sanitizers). */
static bool pass_applies(const struct table *t)
{
	return t->pass_budget_ms > 0 && t->total >= t->pass_min_rows && incremental(t) &&
	       (sorted(t) || filtering(t)) && !reads_clock(t);
}

/* rows() into the natural order, nothing read: the pass reads them. */
static void list_rows(struct table *t)
{
	size_t shown = t->count; /* the old order stays shown */
	swap_ids(&t->ids, &t->cap, &t->natural, &t->natural_cap);
	t->count = 0;
	t->src.rows(t->src.ctx, t);
	swap_ids(&t->ids, &t->cap, &t->natural, &t->natural_cap);
	t->natural_count = t->total = t->count;
	t->count = shown;
	uint32_t gen = ++t->generation;
	for (size_t i = 0; i < t->natural_count; i++) {
		struct table_memo *m = memo_for(t, t->natural[i]);
		m->seen = gen;
		m->order = (uint32_t)i;
	}
}

/* Starts the pass: a narrower filter re-checks the order kept, anything
 * else reads every row again (from the stamp of this moment). */
static void pass_start(struct table *t, uint64_t epoch)
{
	struct table_pass *p = &t->pass;
	p->narrowing = can_narrow(t, epoch);
	p->epoch = epoch;
	p->rows_stamp = t->src.rows_stamp(t->src.ctx);
	const uint64_t *from = t->ids;
	size_t n = t->count;
	if (p->narrowing) {
		narrow_begin(t);
		p->since = t->built_since;
	} else {
		for (size_t i = 0; i < t->memo_cap; i++)
			t->memo[i].valid = t->memo[i].moved = t->memo[i].stable_old = false;
		p->since = t->src.changed_since(t->src.ctx, TABLE_NOW, t);
		list_rows(t);
		from = t->natural;
		n = t->natural_count;
	}
	reserve_ids(&p->rows, &p->cap, n);
	if (n)
		memcpy(p->rows, from, n * sizeof(*from));
	p->count = n;
	reserve_ids(&p->kept, &p->kept_cap, n);
	p->next = p->kept_count = p->sorted_to = p->nruns = p->reread = p->steps_max = 0;
	p->active = true;
	t->memo_ready = false; /* until the pass completes */
}

/* Reads one row under the new filter and sort; keeps it when it passes. */
static void pass_read(struct table *t, uint64_t id)
{
	struct table_pass *p = &t->pass;
	bool match;
	if (p->narrowing) {
		match = narrow_row(t, id);
	} else {
		struct table_memo *m = &t->memo[id];
		memo_read(t, m, id, true);
		m->moved = false; /* placed by the pass, not merged */
		match = m->match;
	}
	p->reread++;
	if (match)
		p->kept[p->kept_count++] = id;
}

static size_t run_rows(const struct table *t)
{
	return t->pass_run ? t->pass_run : 1;
}

/* Sorts up to pass_run of the rows read since the last run into a run. */
static void pass_close_run(struct table *t)
{
	struct table_pass *p = &t->pass;
	size_t n = p->kept_count - p->sorted_to;
	if (n > run_rows(t))
		n = run_rows(t);
	memo_sorting = t;
	qsort(p->kept + p->sorted_to, n, sizeof(*p->kept), memo_cmp_qsort);
	memo_sorting = NULL;
	if (p->nruns == p->run_cap) {
		p->run_cap = p->run_cap ? p->run_cap * 2 : 16;
		p->run_end = xrealloc(p->run_end, p->run_cap * sizeof(*p->run_end));
	}
	p->run_end[p->nruns++] = p->sorted_to += n;
}

/* Merges the two adjacent runs smallest together (balanced merges). */
static void pass_merge(struct table *t)
{
	struct table_pass *p = &t->pass;
	size_t best = 0, best_len = SIZE_MAX;
	for (size_t r = 0; r + 1 < p->nruns; r++) {
		size_t start = r ? p->run_end[r - 1] : 0;
		if (p->run_end[r + 1] - start < best_len) {
			best_len = p->run_end[r + 1] - start;
			best = r;
		}
	}
	size_t lo = best ? p->run_end[best - 1] : 0, mid = p->run_end[best];
	size_t hi = p->run_end[best + 1];
	reserve_ids(&p->scratch, &p->scratch_cap, hi - lo);
	size_t a = lo, b = mid, out = 0;
	while (a < mid && b < hi)
		p->scratch[out++] = memo_cmp(t, p->kept[a], p->kept[b]) <= 0 ? p->kept[a++]
									    : p->kept[b++];
	while (a < mid)
		p->scratch[out++] = p->kept[a++];
	while (b < hi)
		p->scratch[out++] = p->kept[b++];
	memcpy(p->kept + lo, p->scratch, out * sizeof(*p->scratch));
	memmove(p->run_end + best, p->run_end + best + 1,
		(p->nruns - best - 1) * sizeof(*p->run_end));
	p->nruns--;
}

/* What a rebuild leaves behind, after the memos are read. */
static void rebuilt(struct table *t, uint64_t epoch)
{
	if (incremental(t))
		t->built_rows = t->src.rows_stamp(t->src.ctx);
	t->built_epoch = epoch; /* every row was read under it */
	remember_built(t);
	t->stale = false;
	keep_selection(t);
}

/* The pass's order becomes the table's; the rows changed since the pass
 * started are then re-read and merged, as by any incremental refresh. */
static void pass_complete(struct table *t, uint64_t epoch)
{
	struct table_pass *p = &t->pass;
	p->active = false;
	swap_ids(&t->ids, &t->cap, &p->kept, &p->kept_cap);
	t->count = p->kept_count;
	t->memo_ready = true;
	t->built_since = p->since;
	if (!p->narrowing)
		t->built_rows = p->rows_stamp; /* listed at the start */
	refresh_memo(t, false, p->rows_stamp != t->built_rows);
	t->reread += p->reread;
	t->narrowed = p->narrowing;
	rebuilt(t, epoch);
}

/* Runs still to sort and merges still to do. */
static size_t pass_steps_left(const struct table *t)
{
	const struct table_pass *p = &t->pass;
	if (!sorted(t) || p->narrowing)
		return 0;
	size_t runs = (p->kept_count - p->sorted_to + run_rows(t) - 1) / run_rows(t);
	return runs + (p->nruns + runs > 1 ? p->nruns + runs - 1 : 0);
}

/* One frame of the pass: steps for pass_budget_ms (at least one) — rows
 * read a chunk at a time, sorted into runs of pass_run, the runs merged
 * once all are read. */
static void pass_step(struct table *t, uint64_t epoch)
{
	struct table_pass *p = &t->pass;
	if (epoch != p->epoch || t->src.rows_stamp(t->src.ctx) != p->rows_stamp) {
		/* other rows, or other texts, under the pass: done in one go */
		p->active = false;
		refresh_memo(t, true, true);
		t->narrowed = false;
		rebuilt(t, epoch);
		return;
	}
	double start = time_monotonic(), deadline = start + t->pass_budget_ms / 1e3;
	size_t read = p->reread;
	/* a narrower filter keeps the order; unsorted, the natural order is it */
	bool sorting_runs = sorted(t) && !p->narrowing;
	for (bool first = true; first || time_monotonic() < deadline; first = false) {
		size_t unsorted = p->kept_count - p->sorted_to;
		if (sorting_runs && (unsorted >= run_rows(t) || (unsorted && p->next == p->count))) {
			pass_close_run(t);
		} else if (p->next < p->count) {
			size_t end = p->next + PASS_CHUNK < p->count ? p->next + PASS_CHUNK : p->count;
			for (; p->next < end; p->next++)
				pass_read(t, p->rows[p->next]);
		} else if (sorting_runs && p->nruns > 1) {
			pass_merge(t);
		} else if (!first && time_monotonic() - start > t->pass_budget_ms / 2e3) {
			/* completing re-reads the rows changed meanwhile (a flood's
			 * share of them): in a frame of its own unless there is room */
			break;
		} else {
			t->reread = p->reread - read;
			pass_complete(t, epoch);
			return;
		}
	}
	t->reread = p->reread - read;
	if (p->next == p->count && !p->steps_max)
		p->steps_max = pass_steps_left(t);
}

int table_progress(const struct table *t)
{
	const struct table_pass *p = &t->pass;
	if (!p->active)
		return -1;
	/* reading is most of the work; sorting and merging the rest */
	if (p->next < p->count || !p->steps_max)
		return p->count ? (int)(p->next * 80 / p->count) : 80;
	int pct = 80 + (int)(19 * (p->steps_max - pass_steps_left(t)) / p->steps_max);
	return pct < 99 ? pct : 99;
}

void table_rebuild(struct table *t)
{
	uint64_t epoch = t->src.epoch ? t->src.epoch(t->src.ctx) : 0;
	t->pass.active = false; /* its memos are not ready: read again whole */
	if (incremental(t) && (sorted(t) || filtering(t))) {
		rebuild_memo(t, epoch);
	} else {
		read_all_rows(t);
		t->memo_ready = false;
		t->narrowed = false;
	}
	rebuilt(t, epoch);
}

void table_refresh(struct table *t, uint64_t stamp)
{
	uint64_t epoch = t->src.epoch ? t->src.epoch(t->src.ctx) : 0;
	if (t->pass.active && !t->stale) {
		pass_step(t, epoch);
		t->built_stamp = stamp;
		return;
	}
	if (!t->stale && stamp == t->built_stamp && epoch == t->built_epoch)
		return;
	t->narrowed = false;
	if (t->stale && pass_applies(t)) {
		/* a pass in progress (another filter typed) starts over */
		pass_start(t, epoch);
		t->stale = false;
		pass_step(t, epoch);
		t->built_stamp = stamp;
		return;
	}
	t->pass.active = false;
	if (!incremental(t) || t->stale) {
		table_rebuild(t);
	} else {
		uint64_t rows = t->src.rows_stamp(t->src.ctx);
		if (!sorted(t) && !filtering(t)) {
			/* the natural order unfiltered: only a new set of rows matters */
			if (rows != t->built_rows)
				table_rebuild(t);
		} else {
			bool start_over = epoch != t->built_epoch || !t->memo_ready ||
					  reads_clock(t);
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

/* The widest text of a key column among the rows on screen (at least its
 * header): the room it needs to be shown whole — a flexible column (no
 * max_width) all of it; others up to their max_width, or half the window
 * when that is more (a long name still leaves room for the others; it is
 * cut in the middle beyond). */
static int content_width(const struct table *t, const struct ui_screen *scr, size_t c, int width)
{
	struct table_cell cell;
	char clean[TABLE_CELL_MAX * 4];
	size_t widest = strlen(t->cols[c].name);
	for (size_t i = t->top; i < t->count && i < t->top + (size_t)t->height; i++) {
		cell_reset(&cell);
		t->src.cell(t->src.ctx, t->ids[i], c, 0, &cell);
		struct sanitize_result r = sanitize_text(cell.text, strlen(cell.text), scr->smode,
							 clean, sizeof(clean), 0);
		if (r.columns > widest)
			widest = r.columns;
	}
	int w = widest < 1000 ? (int)widest : 1000;
	int cap = !t->cols[c].max_width		  ? width
		  : t->cols[c].max_width > width / 2 ? t->cols[c].max_width
						      : width / 2;
	if (w > cap)
		w = cap;
	return w > t->cols[c].min_width ? w : t->cols[c].min_width;
}

/* The shown column to drop next: the highest priority number among the
 * ones that do not identify a row, and only when there is none, among
 * those that do (keys: true); -1 when nothing can go. */
static int droppable(const struct table *t, const bool *shown, bool keys)
{
	int worst = -1;
	for (size_t c = 0; c < t->ncols; c++)
		if (shown[c] && t->cols[c].priority > 0 && t->cols[c].key == keys &&
		    (worst < 0 || t->cols[c].priority >= t->cols[worst].priority))
			worst = (int)c;
	return worst;
}

void table_layout(struct table *t, const struct ui_screen *scr, int width)
{
	bool shown[TABLE_MAX_COLUMNS];
	int want[TABLE_MAX_COLUMNS];
	int need = 0, need_whole = 0, count = 0;
	for (size_t c = 0; c < t->ncols; c++) {
		shown[c] = !is_hidden(t, c);
		if (!shown[c])
			continue;
		want[c] = t->cols[c].key ? content_width(t, scr, c, width) : t->cols[c].min_width;
		need += t->cols[c].min_width + (count ? 1 : 0);
		need_whole += want[c] + (count ? 1 : 0);
		count++;
	}
	/* Derived columns give way until the keys are whole ... */
	while (need_whole > width) {
		int c = droppable(t, shown, false);
		if (c < 0)
			break;
		shown[c] = false;
		need -= t->cols[c].min_width + 1;
		need_whole -= want[c] + 1;
	}
	/* ... then keys (the least important first) until the minimums fit. */
	while (need > width) {
		int c = droppable(t, shown, false);
		if (c < 0)
			c = droppable(t, shown, true);
		if (c < 0)
			break;
		shown[c] = false;
		need -= t->cols[c].min_width + 1;
	}
	int left = width - need;
	for (size_t c = 0; c < t->ncols; c++)
		t->widths[c] = shown[c] ? t->cols[c].min_width : 0;
	/* Keys first grow to their texts, one column at a time; then what is
	 * left is shared round robin in priority order, so a long code does
	 * not starve a name; columns stop at their max_width, flexible ones
	 * (max 0) take the rest. */
	for (bool grew = true; left > 0 && grew;) {
		grew = false;
		for (size_t c = 0; c < t->ncols && left > 0; c++)
			if (shown[c] && t->cols[c].key && t->widths[c] < want[c]) {
				t->widths[c]++;
				left--;
				grew = true;
			}
	}
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
	t->y = y + 1;
	t->height = height > 1 ? height - 1 : 0;
	clamp_scroll(t);
	table_layout(t, scr, width); /* after scrolling: keys measure the rows shown */
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
	int pct = table_progress(t);
	if (pct >= 0) {
		/* the old order is shown until the pass completes: said so */
		char note[64];
		int n = snprintf(note, sizeof(note), " %s%s %d %% ",
				 sorted(t) && !t->pass.narrowing ? "sorting" : "filtering",
				 scr->ascii ? "..." : "…", pct);
		int cols = n < width ? n : width;
		screen_put(scr, w, y, width - cols, cols, note, head | A_BOLD, true, true);
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
			const char *text = cell.text;
			char cut[TABLE_CELL_MAX * 4];
			if (t->cols[c].key) {
				/* names that share a prefix differ at the end: keep both */
				sanitize_cut_middle(cell.text, strlen(cell.text), scr->smode,
						    scr->g->ellipsis, cut, sizeof(cut),
						    (size_t)t->widths[c]);
				text = cut;
			}
			screen_put(scr, w, row_y, t->x[c], t->widths[c], text, a, true,
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

/* A term is "field:value" when what comes before its first colon is a
 * word (a letter, then letters, digits, '-' or '_'): a time like 12:00 is
 * a substring. */
static bool names_field(const char *term, size_t len, size_t *flen)
{
	const char *colon = memchr(term, ':', len);
	if (!colon || colon == term || !isalpha((unsigned char)term[0]))
		return false;
	for (const char *p = term; p < colon; p++)
		if (!isalnum((unsigned char)*p) && *p != '-' && *p != '_')
			return false;
	*flen = (size_t)(colon - term);
	return true;
}

/* The shown column called name[0..len) (case-insensitive), or -1. */
static int column_named(const struct table *t, const char *name, size_t len)
{
	for (size_t c = 0; c < t->ncols; c++)
		if (!is_hidden(t, c) && strlen(t->cols[c].name) == len &&
		    strncasecmp(t->cols[c].name, name, len) == 0)
			return (int)c;
	return -1;
}

void table_filter_fields(const struct table *t, char *buf, size_t size)
{
	size_t used = 0;
	if (size)
		buf[0] = '\0';
	for (size_t c = 0; c < t->ncols && used < size; c++) {
		/* a name with a blank cannot be typed as one term */
		if (is_hidden(t, c) || strchr(t->cols[c].name, ' '))
			continue;
		int n = snprintf(buf + used, size - used, "%s%s", used ? " " : "", t->cols[c].name);
		used += n > 0 ? (size_t)n : 0;
	}
}

/* Parsed once here, not for every row. */
bool table_set_filter(struct table *t, const char *filter)
{
	snprintf(t->filter, sizeof(t->filter), "%s", filter ? filter : "");
	t->nterms = 0;
	t->filter_error[0] = '\0';
	t->stale = true;
	size_t at = 0, len = strlen(t->filter);
	while (at < len) {
		at += strspn(t->filter + at, " ");
		size_t n = strcspn(t->filter + at, " ");
		if (n == 0)
			break;
		if (t->nterms == TABLE_TERMS_MAX) {
			snprintf(t->filter_error, sizeof(t->filter_error), "more than %d terms",
				 TABLE_TERMS_MAX);
			break;
		}
		struct table_term *term = &t->terms[t->nterms++];
		size_t flen;
		term->col = -1;
		term->at = at;
		term->len = n;
		if (names_field(t->filter + at, n, &flen)) {
			term->col = column_named(t, t->filter + at, flen);
			if (term->col < 0) {
				snprintf(t->filter_error, sizeof(t->filter_error),
					 "no column \"%.*s\"", (int)flen, t->filter + at);
				break;
			}
			term->at = at + flen + 1;
			term->len = n - flen - 1;
		}
		at += n;
	}
	if (t->filter_error[0])
		t->nterms = 0;
	return !t->filter_error[0];
}

void table_hide_columns(struct table *t, uint32_t mask)
{
	if (mask == t->hidden)
		return;
	t->hidden = mask;
	if (sorted(t) && is_hidden(t, (size_t)t->sort_col))
		t->sort_col = -1;
	/* field:value terms name columns by index: parse again */
	char filter[TABLE_FILTER_MAX];
	snprintf(filter, sizeof(filter), "%s", t->filter);
	table_set_filter(t, filter);
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
