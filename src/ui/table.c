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
	t->stale = true;
}

void table_free(struct table *t)
{
	free(t->ids);
	t->ids = NULL;
	t->count = t->cap = 0;
}

void table_add_row(struct table *t, uint64_t id)
{
	if (t->count == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 64;
		t->ids = xrealloc(t->ids, t->cap * sizeof(*t->ids));
	}
	t->ids[t->count++] = id;
}

/* Case-insensitive substring. */
static bool contains(const char *hay, const char *needle, size_t nlen)
{
	if (nlen == 0)
		return true;
	for (; *hay; hay++)
		if (strncasecmp(hay, needle, nlen) == 0)
			return true;
	return false;
}

bool table_row_matches(const struct table *t, uint64_t id)
{
	const char *f = t->filter;
	if (!*f)
		return true;
	struct table_cell cell;
	/* "field:value" when field names a column; otherwise any column. */
	const char *colon = strchr(f, ':');
	if (colon && colon > f) {
		size_t flen = (size_t)(colon - f);
		for (size_t c = 0; c < t->ncols; c++)
			if (strlen(t->cols[c].name) == flen && strncasecmp(t->cols[c].name, f, flen) == 0) {
				memset(&cell, 0, sizeof(cell));
				t->src.cell(t->src.ctx, id, c, 0, &cell);
				return contains(cell.text, colon + 1, strlen(colon + 1));
			}
	}
	size_t flen = strlen(f);
	for (size_t c = 0; c < t->ncols; c++) {
		memset(&cell, 0, sizeof(cell));
		t->src.cell(t->src.ctx, id, c, 0, &cell);
		if (!cell.trusted && contains(cell.text, f, flen))
			return true;
	}
	return false;
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
		memset(&cell, 0, sizeof(cell));
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

void table_rebuild(struct table *t)
{
	t->count = 0;
	t->src.rows(t->src.ctx, t);
	t->total = t->count;
	if (t->filter[0]) {
		size_t kept = 0;
		for (size_t i = 0; i < t->count; i++)
			if (table_row_matches(t, t->ids[i]))
				t->ids[kept++] = t->ids[i];
		t->count = kept;
	}
	sort_rows(t);
	/* The selection follows its id; if the row is gone, the index stays. */
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

void table_refresh(struct table *t, uint64_t stamp)
{
	if (!t->stale && stamp == t->built_stamp)
		return;
	table_rebuild(t);
	t->built_stamp = stamp;
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
			memset(&cell, 0, sizeof(cell));
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

void table_set_filter(struct table *t, const char *filter)
{
	snprintf(t->filter, sizeof(t->filter), "%s", filter ? filter : "");
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
