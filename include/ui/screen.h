/* screen — the terminal: ncurses setup and teardown, colour depth, the
 * role → attribute table, glyphs (Unicode or ASCII), text cells drawn through
 * the sanitiser, and the screen dump used by the screen tests.
 *
 * Only the main thread calls into this module (ncurses is not thread-safe). */
#ifndef DRIVR_UI_SCREEN_H
#define DRIVR_UI_SCREEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include <curses.h>

#include "sanitize.h"
#include "store.h"
#include "ui/theme.h"

/* Symbols with an ASCII twin, so meaning survives without colour or UTF-8. */
struct ui_glyphs {
	const char *conn_connected, *conn_partial, *conn_disconnected, *conn_unknown;
	const char *level[LEVEL_COUNT];
	const char *state[4]; /* enum setpoint_state */
	const char *sort_asc, *sort_desc, *crumb, *ellipsis, *hline, *stuck;
	const char *spark[8];
};

struct screen_options {
	const char *dump_path; /* set: no terminal — ncurses writes to /dev/null */
	int cols, rows;        /* forced size (0: the terminal's) */
	bool ascii;            /* --ascii (ASCII is also chosen for non-UTF-8 locales) */
	bool no_color;         /* --no-color or NO_COLOR */
	bool mouse;
};

struct ui_screen {
	SCREEN *term;
	FILE *out, *in; /* /dev/null streams in dump mode */
	bool dump_mode;
	bool ascii, color;
	enum theme_depth depth;
	enum sanitize_mode smode;
	const struct ui_glyphs *g;
	attr_t attr[UI_ROLE_COUNT];
	int rows, cols;
};

/* Starts ncurses (newterm) and applies the theme.  Returns false with a
 * message (no terminal, TERM unknown). */
bool screen_open(struct ui_screen *scr, const struct screen_options *opts,
		 const struct theme *theme, char *err, size_t err_size);
/* Restores the terminal (idempotent). */
void screen_close(struct ui_screen *scr);
/* False while the terminal does not take output (stopped, a stalled ssh):
 * the loop skips frames then, as tmux defers redraws, so drawing never
 * holds up the drain. */
bool screen_writable(const struct ui_screen *scr);

/* After a resize: records the new size (dump mode: forces it). */
void screen_resize(struct ui_screen *scr, int rows, int cols);

static inline attr_t screen_attr(const struct ui_screen *scr, enum ui_role role)
{
	return scr->attr[role < UI_ROLE_COUNT ? role : UI_ROLE_DEFAULT];
}

/* Draws a device (or any) string into exactly `width` columns at y, x:
 * sanitised (escape sequences visible and inert), cut to the width, padded
 * with spaces when pad is set; right-aligned when right is set.  Returns the
 * columns written. */
int screen_put(const struct ui_screen *scr, WINDOW *w, int y, int x, int width, const char *text,
	       attr_t attr, bool pad, bool right);

/* Writes the screen as the terminal shows it: the text, then one line per
 * row of attribute letters with a legend.  append: add to the file. */
bool screen_dump(const struct ui_screen *scr, const char *path, bool append, const char *title,
		 char *err, size_t err_size);

#endif
