/* form — the console's one modal widget: a box over the views with a few
 * labelled text fields, inline validation under each, and a second step
 * that previews exactly what will be sent before the operator confirms.
 *
 *   edit step:     Tab / Shift-Tab / Up / Down move between fields, typing
 *                  edits the focused one (Backspace, Ctrl-u clears), Left /
 *                  Right cycle a field's choices (SELECT options, true/false),
 *                  Enter asks the owner for the preview (refused: the reason
 *                  shows on the status line and the form stays), Esc cancels;
 *   preview step:  Enter (or y) confirms, Esc (or n) goes back to editing —
 *                  or cancels, for a form without editable fields (a plain
 *                  confirmation such as an event acknowledgement).
 *
 * The owner (actions_ui.c) checks the fields after every edit (check) and
 * builds the preview (preview), filling notes, errors and preview lines.
 * form_draw_box() is shared with the other dialogs (the JWT shown once).
 * Every string is drawn through screen_put(), so device strings stay inert.
 * Main thread only. */
#ifndef DRIVR_UI_FORM_H
#define DRIVR_UI_FORM_H

#include <stdbool.h>
#include <stddef.h>

#include "ui/screen.h"
#include "ui/theme.h"

#define FORM_MAX_FIELDS 8
#define FORM_TEXT_MAX 256
#define FORM_PREVIEW_LINES 24
#define FORM_PREVIEW_BYTES 4096

struct form_field;

/* A field's own check (the owner wraps the module that owns the rule, e.g.
 * inputs.h): false with a one-line reason.  Called for non-empty text. */
typedef bool (*form_check_fn)(const struct form_field *fld, char *err, size_t err_size);

struct form_field {
	char label[32];
	char text[FORM_TEXT_MAX];
	char initial[FORM_TEXT_MAX]; /* the text it opened with (form_field_changed) */
	bool readonly;
	/* form_check_fields: empty is refused (required) or means "not sent"
	 * (optional: Left / Right then also pass through the empty text) */
	bool required, optional;
	form_check_fn check;
	/* Left / Right cycle through these (borrowed; the owner keeps them alive). */
	const char *const *choices;
	size_t choice_count;
	char note[256];  /* under the field, muted: what it is, limits, current value */
	char error[256]; /* inline validation: why the text is refused */
	char ok[256];    /* inline validation: what the text means when it is fine */
};

enum form_step { FORM_EDIT, FORM_PREVIEW };
enum form_result { FORM_OPEN, FORM_CANCELLED, FORM_CONFIRMED };

struct form {
	char title[160];
	struct form_field fields[FORM_MAX_FIELDS];
	size_t count, focus;
	enum form_step step;
	char status[256]; /* one line: why Enter was refused, ... */
	/* preview lines (form_preview_add) */
	char preview[FORM_PREVIEW_BYTES];
	size_t preview_used, preview_count;
	size_t preview_off[FORM_PREVIEW_LINES];
	enum ui_role preview_role[FORM_PREVIEW_LINES];
	const char *confirm_what; /* "send", "issue the token", ... */
	/* the owner */
	void *ctx;
	void (*check)(struct form *f);   /* after every edit: notes, errors */
	bool (*preview_fill)(struct form *f); /* Enter: false = refused (status says why) */
};

void form_init(struct form *f, const char *title, void *ctx);
/* Appends a field (NULL when FORM_MAX_FIELDS are there). */
struct form_field *form_add(struct form *f, const char *label, const char *text);

/* A form described as data: one row per field, in order. */
enum { FORM_REQUIRED = 1, FORM_OPTIONAL = 2, FORM_READONLY = 4 };
struct form_spec {
	const char *label;
	unsigned flags;      /* FORM_REQUIRED, FORM_OPTIONAL, FORM_READONLY */
	form_check_fn check; /* NULL: any text */
};
/* Appends one field per spec (texts[i] its text, NULL: empty); false when
 * they do not fit FORM_MAX_FIELDS. */
bool form_add_specs(struct form *f, const struct form_spec *specs, size_t count,
		    const char *const *texts);
/* Clears every field's note, error and ok, then checks each editable field
 * as its spec says: required and empty, or its check refusing it, set its
 * error.  The owner adds what depends on more than one field after it. */
void form_check_fields(struct form *f);
/* The first editable field with an error as "Label: error"; false when none. */
bool form_first_error(const struct form *f, char *buf, size_t size);
/* The text differs from the one the field opened with. */
bool form_field_changed(const struct form_field *fld);
/* The field's text, or NULL when it is empty (an optional member left out). */
const char *form_text_or_null(const struct form_field *fld);
void form_focus(struct form *f, size_t index);
/* Preview lines, cleared with form_preview_clear(). */
void form_preview_clear(struct form *f);
void form_preview_add(struct form *f, enum ui_role role, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Skips to the preview step (forms without editable fields). */
void form_show_preview(struct form *f);

/* One key; returns enum form_result. */
int form_key(struct form *f, int key);
void form_draw(const struct form *f, const struct ui_screen *scr, int rows, int cols);

/* A box in the middle of the screen: a title, lines (wrapped to its width;
 * cut with an ellipsis line when the screen is too short) and a footer. */
struct box_line {
	const char *text;
	enum ui_role role;
};
void form_draw_box(const struct ui_screen *scr, int rows, int cols, const char *title,
		   const struct box_line *lines, size_t count, const char *footer);

#endif
