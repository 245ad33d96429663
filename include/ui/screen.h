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
#include <termios.h>

#include "sanitize.h"
#include "ui/theme.h"
#include "ui/ttyout.h"

/* One level glyph per enum event_level (store.h), in its order; the
 * terminal layer does not know the store (view.c checks the count). */
#define UI_GLYPH_LEVELS 5

/* Symbols with an ASCII twin, so meaning survives without colour or UTF-8. */
struct ui_glyphs {
	const char *conn_connected, *conn_partial, *conn_disconnected, *conn_unknown;
	const char *level[UI_GLYPH_LEVELS];
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
	/* On a terminal, ncurses writes through the relay (never blocking the
	 * main thread) and the terminal's modes are set here, on stdin: ncurses
	 * cannot, its output being a pipe. */
	struct ttyout *relay;
	struct termios shell_modes;
	bool modes_saved, forced_size;
	bool dump_mode;
	bool ascii, color;
	enum theme_depth depth;
	enum sanitize_mode smode;
	const struct ui_glyphs *g;
	attr_t attr[UI_ROLE_COUNT];
	int rows, cols;
	/* TERM had no terminfo entry: which one is used instead ("" otherwise),
	 * for the console's notice (screen_open also says it on stderr) */
	char term_note[192];
};

/* Starts ncurses (newterm) and applies the theme.  Returns false with a
 * message (no terminal, a TERM that cannot move the cursor — dumb —, no
 * terminfo entry for TERM nor any fallback).  A TERM without an entry falls
 * back to its family (the name cut at its last '-' or '.'), then xterm,
 * then vt100, and says so in term_note. */
bool screen_open(struct ui_screen *scr, const struct screen_options *opts,
		 const struct theme *theme, char *err, size_t err_size);
/* Restores the terminal (idempotent): the last output is delivered (up to
 * a second on a stalled terminal), then the shell's modes come back. */
void screen_close(struct ui_screen *scr);
/* False while the previous frame has not reached the terminal (a stalled
 * SSH link, a paused pane): the loop skips frames then, as tmux defers
 * redraws, so drawing never holds up the drain. */
bool screen_writable(const struct ui_screen *scr);

/* After a resize: records the new size (dump mode: forces it). */
void screen_resize(struct ui_screen *scr, int rows, int cols);
/* After SIGWINCH: reads the terminal's size and resizes ncurses to it
 * (ncurses cannot ask a pipe); KEY_RESIZE follows from wgetch.  Returns
 * true when the size changed.  A forced size (--size) stays. */
bool screen_follow_resize(struct ui_screen *scr);
/* Ctrl-Z: gives the terminal back to the shell and stops the process;
 * returns once continued, with the program's modes and a full redraw due. */
void screen_suspend(struct ui_screen *scr);
/* After SIGCONT from elsewhere (the modes may have been changed while
 * stopped): the program's modes again and a full redraw due. */
void screen_resume(struct ui_screen *scr);

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
