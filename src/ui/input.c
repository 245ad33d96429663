/* input — keys and mouse for the console (app_key, app_click, app_wheel).
 *
 * Order, like htop's ScreenManager: a modal prompt (help, filter, quit
 * confirmation) takes every key; then the global keys; then the view's own
 * handler; then the table's navigation.  Handlers return KEY_* flags. */
#include <ctype.h>
#include <string.h>

#include "ui/actions_ui.h"
#include "ui/app.h"
#include "ui/bars.h"
#include "ui/export.h"
#include "ui/live.h"

static int key_filter(struct ui *ui, int key)
{
	struct table *t = &ui_current(ui)->table;
	size_t n = strlen(ui->filter_edit);
	switch (key) {
	case 27:
		table_set_filter(t, ui->filter_before);
		ui->mode = INPUT_NORMAL;
		break;
	case '\r':
	case '\n':
	case KEY_ENTER:
		if (!t->filter_error[0]) /* a filter that cannot apply stays open, said why */
			ui->mode = INPUT_NORMAL;
		break;
	case KEY_BACKSPACE:
	case 127:
	case 8:
		if (n)
			ui->filter_edit[n - 1] = '\0';
		table_set_filter(t, ui->filter_edit);
		break;
	case 21: /* Ctrl-u: clear the line */
		ui->filter_edit[0] = '\0';
		table_set_filter(t, "");
		break;
	default:
		if (key >= 0x20 && key < 0x7f && n + 1 < sizeof(ui->filter_edit)) {
			ui->filter_edit[n] = (char)key;
			ui->filter_edit[n + 1] = '\0';
			table_set_filter(t, ui->filter_edit); /* incremental */
		}
		break;
	}
	/* the selection starts over on a new filter (a rebuild finds it again:
	 * without one, Enter left the table with no selection at all) */
	t->has_sel = false;
	t->sel = t->top = 0;
	t->stale = true;
	return KEY_HANDLED | KEY_REDRAW;
}

static void switch_view(struct ui *ui, int delta)
{
	int cur = (int)ui->nav[0].view;
	if (ui->nav_depth > 1 || delta == 0)
		cur = (int)ui_current(ui)->ops->id;
	int next = ((cur + delta) % VIEW_COUNT + VIEW_COUNT) % VIEW_COUNT;
	ui_open_view(ui, (enum view_id)next, NULL, NULL, false);
}

/* Enter / l / Right: drill down, or inspect when there is nothing below. */
static int key_enter(struct ui *ui, struct view *v, bool inspect_only)
{
	uint64_t id;
	/* a filter just typed: the selection is found again by the rebuild
	 * the next frame would do (skipped while the terminal is busy) */
	if (v->ops->rows && v->table.stale)
		table_rebuild(&v->table);
	if (!v->ops->rows || !table_selected(&v->table, &id))
		return KEY_HANDLED;
	if (!inspect_only && v->ops->drill && v->ops->drill(v, id))
		return KEY_HANDLED | KEY_REDRAW;
	struct inspect_target target;
	if (v->ops->inspect && v->ops->inspect(v, id, &target)) {
		/* the breadcrumb names the row by its first column */
		struct table_cell cell;
		memset(&cell, 0, sizeof(cell));
		v->ops->cell(v, id, 0, 0, &cell);
		ui_open_inspector(ui, &target, cell.text);
	}
	return KEY_HANDLED | KEY_REDRAW;
}

static int key_table(struct view *v, int key)
{
	struct table *t = &v->table;
	long page = (long)table_page(t);
	switch (key) {
	case 'j':
	case KEY_DOWN:
		table_move(t, 1);
		break;
	case 'k':
	case KEY_UP:
		table_move(t, -1);
		break;
	case 'g':
	case KEY_HOME:
		table_select_index(t, 0);
		break;
	case 'G':
	case KEY_END:
		table_select_index(t, t->count ? t->count - 1 : 0);
		break;
	case KEY_NPAGE:
		table_move(t, page);
		break;
	case KEY_PPAGE:
		table_move(t, -page);
		break;
	case 4: /* Ctrl-d */
		table_move(t, page / 2 > 0 ? page / 2 : 1);
		break;
	case 21: /* Ctrl-u */
		table_move(t, -(page / 2 > 0 ? page / 2 : 1));
		break;
	case 's':
		table_sort_next(t);
		break;
	case 'S':
		table_sort_reverse(t);
		break;
	default:
		return KEY_UNHANDLED;
	}
	return KEY_HANDLED | KEY_REDRAW;
}

int app_key(struct ui *ui, int key)
{
	if (ui->mode == INPUT_HELP) {
		ui->mode = INPUT_NORMAL;
		return KEY_HANDLED | KEY_REDRAW;
	}
	if (ui->mode == INPUT_CONFIRM_QUIT) {
		ui->mode = INPUT_NORMAL;
		ui->interrupt_asked = false;
		if (key == 'y' || key == 'Y') {
			ui->quit = true;
			return KEY_HANDLED | KEY_QUIT;
		}
		return KEY_HANDLED | KEY_REDRAW;
	}
	if (ui->mode == INPUT_FILTER)
		return key_filter(ui, key);
	/* an open form or dialog takes every key */
	if (ui->export)
		return export_key(ui, key);
	if (actions_ui_modal(ui))
		return actions_ui_key(ui, key);

	struct view *v = ui_current(ui);
	/* keys act on the rows the operator asked for: a table left stale (a
	 * filter just typed, its frame skipped while the terminal was busy)
	 * is rebuilt first, so g, e, y, Enter find the selection */
	if (v->ops->rows && v->table.stale)
		table_rebuild(&v->table);
	if (v->ops->keys_first && key != 'q' && key != '?' && key != 27) {
		int r = v->ops->key(v, key);
		if (r & KEY_HANDLED)
			return r;
	}
	switch (key) {
	case 'q':
		if (ui_pending_requests(ui) > 0) {
			ui->mode = INPUT_CONFIRM_QUIT;
			return KEY_HANDLED | KEY_REDRAW;
		}
		ui->quit = true;
		return KEY_HANDLED | KEY_QUIT;
	case '?':
		ui->mode = INPUT_HELP;
		return KEY_HANDLED | KEY_REDRAW;
	case '\t':
		switch_view(ui, 1);
		return KEY_HANDLED | KEY_REDRAW;
	case KEY_BTAB:
		switch_view(ui, -1);
		return KEY_HANDLED | KEY_REDRAW;
	case 27:
	case KEY_BACKSPACE:
	case 127:
	case 8:
	case 'h':
	case KEY_LEFT:
		ui_back(ui);
		return KEY_HANDLED | KEY_REDRAW;
	case 12: /* Ctrl-l */
		clearok(curscr, TRUE);
		return KEY_HANDLED | KEY_REDRAW;
	case 'p': /* live watching (ui/live) */
		live_toggle_pause(ui);
		return KEY_HANDLED | KEY_REDRAW;
	case 'y':
		live_copy(ui);
		return KEY_HANDLED | KEY_REDRAW;
	case 'w':
		export_open(ui);
		return KEY_HANDLED | KEY_REDRAW;
	default:
		break;
	}
	for (int id = 0; id < VIEW_COUNT; id++)
		if (key == view_key((enum view_id)id)) {
			ui_open_view(ui, (enum view_id)id, NULL, NULL, false);
			return KEY_HANDLED | KEY_REDRAW;
		}
	if (v->ops->key) {
		int r = v->ops->key(v, key);
		if (r & KEY_HANDLED)
			return r;
	}
	if (key == 'A' && actions_ui_audit_ack(ui))
		return KEY_HANDLED | KEY_REDRAW; /* the status bar's audit warning */
	if (key == 'a') {
		/* the alert pane is on every view: its top unacknowledged alert */
		actions_ui_ack_top_alert(ui);
		return KEY_HANDLED | KEY_REDRAW;
	}
	if (!v->ops->rows)
		return KEY_UNHANDLED;
	switch (key) {
	case '/':
		ui->mode = INPUT_FILTER;
		snprintf(ui->filter_before, sizeof(ui->filter_before), "%s", v->table.filter);
		snprintf(ui->filter_edit, sizeof(ui->filter_edit), "%s", v->table.filter);
		return KEY_HANDLED | KEY_REDRAW;
	case '\r':
	case '\n':
	case KEY_ENTER:
	case 'l':
	case KEY_RIGHT:
		return key_enter(ui, v, false);
	case 'i':
		return key_enter(ui, v, true);
	default:
		return key_table(v, key);
	}
}

void app_click(struct ui *ui, int row, int col)
{
	if (actions_ui_modal(ui) || ui->export)
		return; /* a form or dialog is open: keys only */
	if (ui->mode != INPUT_NORMAL) {
		ui->mode = INPUT_NORMAL;
		return;
	}
	if (row == 1) {
		/* the tabs: find which one by walking them as bars_draw_tabs lays them out */
		int full = 0;
		for (int v = 0; v < VIEW_COUNT; v++)
			full += (int)strlen(view_title((enum view_id)v)) + 4;
		int x = 0;
		for (int v = 0; v < VIEW_COUNT; v++) {
			int n = (full > ui->scr.cols ? (int)(strlen(view_title((enum view_id)v)) < 4
								 ? strlen(view_title((enum view_id)v))
								 : 4)
						    : (int)strlen(view_title((enum view_id)v))) + 4;
			if (col >= x && col < x + n) {
				ui_open_view(ui, (enum view_id)v, NULL, NULL, false);
				return;
			}
			x += n;
		}
		return;
	}
	struct view *v = ui_current(ui);
	if (!v->ops->rows || !ui->w_main)
		return;
	int line = row - getbegy(ui->w_main);
	size_t index;
	if (table_row_at_line(&v->table, line, &index))
		table_select_index(&v->table, index);
}

void app_wheel(struct ui *ui, int dir)
{
	if (actions_ui_modal(ui) || ui->export)
		return;
	struct view *v = ui_current(ui);
	if (v->ops->rows)
		table_move(&v->table, dir * 3);
	else if (v->ops->key)
		for (int i = 0; i < 3; i++)
			v->ops->key(v, dir > 0 ? 'j' : 'k');
}
