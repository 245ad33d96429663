/* form — see include/ui/form.h. */
#include "ui/form.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "util.h"

void form_init(struct form *f, const char *title, void *ctx)
{
	memset(f, 0, sizeof(*f));
	snprintf(f->title, sizeof(f->title), "%s", title);
	f->ctx = ctx;
	f->confirm_what = "send";
}

struct form_field *form_add(struct form *f, const char *label, const char *text)
{
	if (f->count >= FORM_MAX_FIELDS)
		return NULL;
	struct form_field *fld = &f->fields[f->count++];
	memset(fld, 0, sizeof(*fld));
	snprintf(fld->label, sizeof(fld->label), "%s", label);
	snprintf(fld->text, sizeof(fld->text), "%s", text ? text : "");
	memcpy(fld->initial, fld->text, sizeof(fld->initial));
	return fld;
}

bool form_add_specs(struct form *f, const struct form_spec *specs, size_t count,
		    const char *const *texts)
{
	if (f->count + count > FORM_MAX_FIELDS)
		return false;
	for (size_t i = 0; i < count; i++) {
		struct form_field *fld = form_add(f, specs[i].label, texts ? texts[i] : NULL);
		fld->required = specs[i].flags & FORM_REQUIRED;
		fld->optional = specs[i].flags & FORM_OPTIONAL;
		fld->readonly = specs[i].flags & FORM_READONLY;
		fld->check = specs[i].check;
	}
	return true;
}

void form_check_fields(struct form *f)
{
	for (size_t i = 0; i < f->count; i++) {
		struct form_field *fld = &f->fields[i];
		fld->note[0] = fld->error[0] = fld->ok[0] = '\0';
		if (fld->readonly)
			continue;
		if (!fld->text[0]) {
			if (fld->required)
				snprintf(fld->error, sizeof(fld->error), "required");
			continue;
		}
		if (fld->check)
			fld->check(fld, fld->error, sizeof(fld->error));
	}
}

bool form_first_error(const struct form *f, char *buf, size_t size)
{
	for (size_t i = 0; i < f->count; i++)
		if (!f->fields[i].readonly && f->fields[i].error[0]) {
			snprintf(buf, size, "%s: %s", f->fields[i].label, f->fields[i].error);
			return true;
		}
	return false;
}

bool form_field_changed(const struct form_field *fld)
{
	return strcmp(fld->text, fld->initial) != 0;
}

const char *form_text_or_null(const struct form_field *fld)
{
	return fld->text[0] ? fld->text : NULL;
}

void form_focus(struct form *f, size_t index)
{
	if (index < f->count && !f->fields[index].readonly)
		f->focus = index;
}

void form_preview_clear(struct form *f)
{
	f->preview_used = f->preview_count = 0;
	f->preview[0] = '\0';
}

void form_preview_add(struct form *f, enum ui_role role, const char *fmt, ...)
{
	if (f->preview_count >= FORM_PREVIEW_LINES || f->preview_used + 1 >= sizeof(f->preview))
		return;
	va_list ap;
	va_start(ap, fmt);
	size_t room = sizeof(f->preview) - f->preview_used;
	int n = vsnprintf(f->preview + f->preview_used, room, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	f->preview_off[f->preview_count] = f->preview_used;
	f->preview_role[f->preview_count++] = role;
	f->preview_used += (size_t)n < room ? (size_t)n + 1 : room;
}

void form_show_preview(struct form *f)
{
	f->step = FORM_PREVIEW;
}

static bool editable(const struct form *f)
{
	for (size_t i = 0; i < f->count; i++)
		if (!f->fields[i].readonly)
			return true;
	return false;
}

static void move_focus(struct form *f, int dir)
{
	if (!f->count)
		return;
	size_t i = f->focus;
	for (size_t n = 0; n < f->count; n++) {
		i = (i + f->count + (size_t)(dir > 0 ? 1 : f->count - 1)) % f->count;
		if (!f->fields[i].readonly) {
			f->focus = i;
			return;
		}
	}
}

/* Removes the last character (a whole UTF-8 sequence). */
static void erase_last(char *text)
{
	size_t n = strlen(text);
	while (n > 0 && ((unsigned char)text[n - 1] & 0xC0) == 0x80)
		n--;
	if (n > 0)
		n--;
	text[n] = '\0';
}

/* An optional field's cycle has one more stop: the empty text (left out). */
static void cycle_choice(struct form_field *fld, int dir)
{
	if (!fld->choice_count)
		return;
	size_t stops = fld->choice_count + (fld->optional ? 1 : 0);
	size_t at = stops; /* not one of them: start at either end */
	for (size_t i = 0; i < fld->choice_count; i++)
		if (strcmp(fld->text, fld->choices[i]) == 0)
			at = i;
	if (fld->optional && !fld->text[0])
		at = fld->choice_count;
	size_t next;
	if (at == stops)
		next = dir > 0 ? 0 : stops - 1;
	else
		next = (at + stops + (size_t)(dir > 0 ? 1 : stops - 1)) % stops;
	snprintf(fld->text, sizeof(fld->text), "%s", next < fld->choice_count ? fld->choices[next] : "");
}

static void edited(struct form *f)
{
	f->status[0] = '\0';
	if (f->check)
		f->check(f);
}

static int key_preview(struct form *f, int key)
{
	switch (key) {
	case '\r':
	case '\n':
	case KEY_ENTER:
	case 'y':
	case 'Y':
		return FORM_CONFIRMED;
	case 27:
	case 'n':
	case 'N':
	case KEY_BACKSPACE:
	case 127:
	case 8:
		if (!editable(f))
			return FORM_CANCELLED;
		f->step = FORM_EDIT;
		return FORM_OPEN;
	default:
		return FORM_OPEN;
	}
}

int form_key(struct form *f, int key)
{
	if (f->step == FORM_PREVIEW)
		return key_preview(f, key);
	struct form_field *fld = f->count ? &f->fields[f->focus] : NULL;
	switch (key) {
	case 27:
		return FORM_CANCELLED;
	case '\r':
	case '\n':
	case KEY_ENTER:
		edited(f);
		form_preview_clear(f);
		if (!f->preview_fill || f->preview_fill(f))
			f->step = FORM_PREVIEW;
		return FORM_OPEN;
	case '\t':
	case KEY_DOWN:
		move_focus(f, 1);
		return FORM_OPEN;
	case KEY_BTAB:
	case KEY_UP:
		move_focus(f, -1);
		return FORM_OPEN;
	case KEY_LEFT:
	case KEY_RIGHT:
		if (fld && !fld->readonly && fld->choice_count) {
			cycle_choice(fld, key == KEY_RIGHT ? 1 : -1);
			edited(f);
		}
		return FORM_OPEN;
	case KEY_BACKSPACE:
	case 127:
	case 8:
		if (fld && !fld->readonly) {
			erase_last(fld->text);
			edited(f);
		}
		return FORM_OPEN;
	case 21: /* Ctrl-u */
		if (fld && !fld->readonly) {
			fld->text[0] = '\0';
			edited(f);
		}
		return FORM_OPEN;
	default:
		/* printable ASCII, and the bytes of UTF-8 sequences as they come */
		if (fld && !fld->readonly && ((key >= 0x20 && key < 0x7f) || (key >= 0x80 && key <= 0xff))) {
			size_t n = strlen(fld->text);
			if (n + 1 < sizeof(fld->text)) {
				fld->text[n] = (char)key;
				fld->text[n + 1] = '\0';
				edited(f);
			}
		}
		return FORM_OPEN;
	}
}

/* ---- drawing ---------------------------------------------------------------- */

#define BOX_MAX_ROWS 96

struct wrapped {
	char text[BOX_MAX_ROWS][512];
	enum ui_role role[BOX_MAX_ROWS];
	size_t count;
};

/* Sanitises text once, then cuts it into rows of at most width columns
 * (the clean text sanitises to itself, so bytes in = bytes out).  Rows
 * after the first keep the first one's leading blanks (a hanging indent),
 * and a cut prefers the last blank of the row. */
static void wrap(const struct ui_screen *scr, struct wrapped *w, const char *text, enum ui_role role,
		 int width)
{
	char clean[8192];
	struct sanitize_result all =
		sanitize_text(text, strlen(text), scr->smode, clean, sizeof(clean), 0);
	size_t indent = strspn(clean, " ");
	if ((int)indent * 2 > width)
		indent = 0;
	size_t pos = 0;
	do {
		if (w->count >= BOX_MAX_ROWS)
			return;
		char *row = w->text[w->count];
		size_t lead = pos ? indent : 0;
		memset(row, ' ', lead);
		struct sanitize_result r =
			sanitize_text(clean + pos, all.bytes - pos, scr->smode, row + lead,
				      sizeof(w->text[0]) - lead, (size_t)width - lead);
		w->role[w->count++] = role;
		if (r.bytes == 0)
			break; /* empty line, or a character wider than the box */
		if (pos + r.bytes < all.bytes) {
			/* not the end: back up to the last blank, if there is one worth it */
			size_t keep = r.bytes;
			while (keep > 0 && row[lead + keep - 1] != ' ')
				keep--;
			if (keep > 0 && --keep > r.bytes / 2) {
				row[lead + keep] = '\0';
				pos += keep + 1;
				continue;
			}
		}
		pos += r.bytes;
	} while (pos < all.bytes);
}

void form_draw_box(const struct ui_screen *scr, int rows, int cols, const char *title,
		   const struct box_line *lines, size_t count, const char *footer)
{
	int bw = cols >= 84 ? 80 : cols - 2;
	if (bw < 20)
		bw = cols;
	int inner = bw - 4;
	if (inner < 1 || rows < 5)
		return;
	static struct wrapped body, foot; /* large; the main thread only */
	body.count = foot.count = 0;
	for (size_t i = 0; i < count; i++)
		wrap(scr, &body, lines[i].text ? lines[i].text : "", lines[i].role, inner);
	if (footer)
		wrap(scr, &foot, footer, UI_ROLE_HELP_KEY, inner);
	/* frame + blank + body + blank + footer + frame */
	int want = (int)body.count + (int)foot.count + 4;
	int h = want < rows - 1 ? want : rows - 1;
	if (h < 5)
		h = rows < 5 ? rows : 5;
	int body_rows = h - 4 - (int)foot.count;
	if (body_rows < 0)
		body_rows = 0;
	bool cut = (int)body.count > body_rows;
	WINDOW *win = newwin(h, bw, (rows - h) / 2, (cols - bw) / 2);
	if (!win)
		return;
	attr_t a = screen_attr(scr, UI_ROLE_HELP);
	wattrset(win, a);
	for (int y = 0; y < h; y++)
		mvwhline(win, y, 0, ' ', bw);
	/* a frame of plain characters: ASCII stays ASCII */
	for (int x = 0; x < bw; x++) {
		mvwaddstr(win, 0, x, x == 0 || x == bw - 1 ? "+" : "-");
		mvwaddstr(win, h - 1, x, x == 0 || x == bw - 1 ? "+" : "-");
	}
	for (int y = 1; y < h - 1; y++) {
		mvwaddstr(win, y, 0, "|");
		mvwaddstr(win, y, bw - 1, "|");
	}
	char t[256];
	snprintf(t, sizeof(t), " %s ", title);
	screen_put(scr, win, 0, 2, bw - 4, t, screen_attr(scr, UI_ROLE_HELP_KEY), false, false);
	int y = 2;
	for (int i = 0; i < body_rows && i < (int)body.count; i++, y++) {
		bool last_shown = cut && i == body_rows - 1;
		screen_put(scr, win, y, 2, inner, last_shown ? scr->g->ellipsis : body.text[i],
			   screen_attr(scr, body.role[i]), false, false);
	}
	y = h - 1 - (int)foot.count;
	for (size_t i = 0; i < foot.count && y < h - 1; i++, y++)
		if (y > 0)
			screen_put(scr, win, y, 2, inner, foot.text[i], screen_attr(scr, foot.role[i]), false,
				   false);
	wnoutrefresh(win);
	delwin(win);
	/* the rows may hold a secret (the JWT shown once): not kept past the draw */
	for (size_t i = 0; i < body.count; i++)
		memset(body.text[i], 0, sizeof(body.text[i]));
}

void form_draw(const struct form *f, const struct ui_screen *scr, int rows, int cols)
{
	struct box_line lines[FORM_MAX_FIELDS * 3 + FORM_PREVIEW_LINES + 4];
	char bufs[FORM_MAX_FIELDS][FORM_TEXT_MAX + 64];
	char notes[FORM_MAX_FIELDS * 2][300];
	size_t n = 0, nn = 0;
	char title[200];
	if (f->step == FORM_PREVIEW) {
		snprintf(title, sizeof(title), "%s: check before you %s", f->title, f->confirm_what);
		for (size_t i = 0; i < f->preview_count; i++)
			lines[n++] = (struct box_line){ f->preview + f->preview_off[i], f->preview_role[i] };
		char footer[160];
		snprintf(footer, sizeof(footer), "Enter %s   %s", f->confirm_what,
			 editable(f) ? "Esc back to the form" : "Esc cancel");
		form_draw_box(scr, rows, cols, title, lines, n, footer);
		return;
	}
	for (size_t i = 0; i < f->count; i++) {
		const struct form_field *fld = &f->fields[i];
		bool focus = i == f->focus && !fld->readonly;
		snprintf(bufs[i], sizeof(bufs[i]), "%-15s %s %s%s", fld->label, focus ? ">" : " ", fld->text,
			 focus ? "_" : "");
		lines[n++] = (struct box_line){ bufs[i], fld->readonly ? UI_ROLE_MUTED
							   : focus     ? UI_ROLE_PROMPT
								       : UI_ROLE_HELP };
		if (fld->error[0]) {
			snprintf(notes[nn], sizeof(notes[nn]), "%-17s %s %s", "", scr->g->level[4], fld->error);
			lines[n++] = (struct box_line){ notes[nn++], UI_ROLE_ALERT_ERROR };
		} else if (fld->ok[0]) {
			snprintf(notes[nn], sizeof(notes[nn]), "%-17s %s %s", "", scr->g->level[1], fld->ok);
			lines[n++] = (struct box_line){ notes[nn++], UI_ROLE_ALERT_SUCCESS };
		}
		if (fld->note[0] && nn < ARRAY_LEN(notes)) {
			snprintf(notes[nn], sizeof(notes[nn]), "%-17s %s", "", fld->note);
			lines[n++] = (struct box_line){ notes[nn++], UI_ROLE_MUTED };
		}
	}
	if (f->status[0]) {
		lines[n++] = (struct box_line){ "", UI_ROLE_HELP };
		lines[n++] = (struct box_line){ f->status, UI_ROLE_ALERT_ERROR };
	}
	bool choices = f->count && f->fields[f->focus].choice_count;
	form_draw_box(scr, rows, cols, f->title, lines, n,
		      choices ? "Tab next field   Left/Right choose   Enter preview   Esc cancel"
			      : "Tab next field   Enter preview   Esc cancel");
}
