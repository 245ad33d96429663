/* screen — see include/ui/screen.h. */
#include "ui/screen.h"

#include <signal.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include <langinfo.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <wchar.h>

#include "ui/termpick.h"
#include "util.h"

static const struct ui_glyphs glyphs_utf8 = {
	.conn_connected = "●", .conn_partial = "◐", .conn_disconnected = "○", .conn_unknown = "◌",
	.level = { "·", "✔", "ℹ", "▲", "✖" },
	.state = { "?", "…", "✔", "✖" },
	.sort_asc = "▲", .sort_desc = "▼", .crumb = " › ", .ellipsis = "…", .hline = "─",
	.stuck = "⚠",
	.spark = { "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█" },
};

static const struct ui_glyphs glyphs_ascii = {
	.conn_connected = "*", .conn_partial = "~", .conn_disconnected = "o", .conn_unknown = "?",
	.level = { ".", "+", "i", "^", "!" },
	.state = { "?", ".", "+", "x" },
	.sort_asc = "^", .sort_desc = "v", .crumb = " > ", .ellipsis = "~", .hline = "-",
	.stuck = "!",
	.spark = { "_", ".", "-", ":", "=", "+", "*", "#" },
};

static attr_t style_attrs(unsigned bits)
{
	attr_t a = A_NORMAL;
	if (bits & THEME_ATTR_BOLD)
		a |= A_BOLD;
	if (bits & THEME_ATTR_DIM)
		a |= A_DIM;
	if (bits & THEME_ATTR_REVERSE)
		a |= A_REVERSE;
	if (bits & THEME_ATTR_UNDERLINE)
		a |= A_UNDERLINE;
	if (bits & THEME_ATTR_STANDOUT)
		a |= A_STANDOUT;
	if (bits & THEME_ATTR_ITALIC)
		a |= A_ITALIC;
	if (bits & THEME_ATTR_BLINK)
		a |= A_BLINK;
	return a;
}

static void apply_theme(struct ui_screen *scr, const struct theme *theme, bool defaults_ok)
{
	for (int r = 0; r < UI_ROLE_COUNT; r++) {
		struct theme_style st = theme_style_at(theme, scr->depth, (enum ui_role)r);
		attr_t a = style_attrs(st.attrs);
		if (scr->color && r + 1 < COLOR_PAIRS) {
			short fg = st.fg, bg = st.bg;
			if (!defaults_ok) {
				if (fg < 0)
					fg = COLOR_WHITE;
				if (bg < 0)
					bg = COLOR_BLACK;
			}
			if (fg >= COLORS)
				fg = (short)(fg % 8);
			if (bg >= COLORS)
				bg = (short)(bg % 8);
			init_pair((short)(r + 1), fg, bg);
			a |= COLOR_PAIR(r + 1);
		}
		scr->attr[r] = a;
	}
}

static bool locale_is_utf8(void)
{
	const char *cs = nl_langinfo(CODESET);
	return cs && (strcasecmp(cs, "UTF-8") == 0 || strcasecmp(cs, "utf8") == 0);
}

static void set_size_env(int rows, int cols)
{
	char n[16];
	snprintf(n, sizeof(n), "%d", rows);
	setenv("LINES", n, 1);
	snprintf(n, sizeof(n), "%d", cols);
	setenv("COLUMNS", n, 1);
}

/* The modes ncurses sets for cbreak(), noecho() and nonl() (its
 * initscr also clears ONLCR: its cursor motion counts on a bare LF),
 * and no XON/XOFF: Ctrl-S must not freeze the output.  ISIG stays, so
 * Ctrl-C and Ctrl-Z work; ^S and ^Q reach us as keys. */
static void program_modes(const struct ui_screen *scr)
{
	if (!scr->modes_saved)
		return;
	struct termios tio = scr->shell_modes;
	tio.c_lflag &= ~(tcflag_t)(ICANON | ECHO | ECHONL);
	tio.c_lflag |= ISIG;
	tio.c_iflag &= ~(tcflag_t)(ICRNL | INLCR | IGNCR | IXON | IXOFF);
	tio.c_oflag &= ~(tcflag_t)ONLCR;
	tio.c_cc[VMIN] = 1;
	tio.c_cc[VTIME] = 0;
	tcsetattr(0, TCSANOW, &tio);
}

static void shell_modes(const struct ui_screen *scr)
{
	if (scr->modes_saved)
		tcsetattr(0, TCSANOW, &scr->shell_modes);
}

bool screen_open(struct ui_screen *scr, const struct screen_options *opts,
		 const struct theme *theme, char *err, size_t err_size)
{
	memset(scr, 0, sizeof(*scr));
	scr->dump_mode = opts->dump_path != NULL;
	scr->ascii = opts->ascii || !locale_is_utf8();
	scr->smode = scr->ascii ? SANITIZE_DISPLAY_ASCII : SANITIZE_DISPLAY_UTF8;
	scr->g = scr->ascii ? &glyphs_ascii : &glyphs_utf8;
	const char *term = getenv("TERM");
	if (scr->dump_mode) {
		/* No terminal: ncurses writes to /dev/null with a forced size and
		 * the dump reads back what it believes the screen shows. */
		set_size_env(opts->rows > 0 ? opts->rows : 24, opts->cols > 0 ? opts->cols : 80);
		if (!term || !*term)
			term = "xterm-256color";
		scr->out = fopen("/dev/null", "w");
		scr->in = fopen("/dev/null", "r");
		if (!scr->out || !scr->in) {
			snprintf(err, err_size, "cannot open /dev/null");
			return false;
		}
	} else {
		if (!isatty(0) || !isatty(1)) {
			snprintf(err, err_size,
				 "the console needs a terminal (use --log or --snapshot for pipes)");
			return false;
		}
		/* ncurses writes into the relay's pipe and cannot ask it for the
		 * size: the terminal's size goes to ncurses through LINES and
		 * COLUMNS, here and after each SIGWINCH (screen_follow_resize). */
		int rows = opts->rows, cols = opts->cols;
		scr->forced_size = rows > 0 && cols > 0;
		struct winsize ws;
		if (!scr->forced_size && ioctl(1, TIOCGWINSZ, &ws) == 0 && ws.ws_row && ws.ws_col) {
			rows = ws.ws_row;
			cols = ws.ws_col;
		}
		if (rows > 0 && cols > 0)
			set_size_env(rows, cols);
		if (tcgetattr(0, &scr->shell_modes) == 0)
			scr->modes_saved = true;
		scr->relay = ttyout_start(1, err, err_size);
		if (!scr->relay)
			return false;
	}
	FILE *out = scr->relay ? ttyout_stream(scr->relay) : scr->out ? scr->out : stdout;
	char chosen[128];
	bool picked = termpick(term, chosen, sizeof(chosen), scr->term_note, sizeof(scr->term_note),
				err, err_size);
	if (picked && scr->term_note[0]) /* before the screen: still there after it */
		fprintf(stderr, "drivr-console: %s\n", scr->term_note);
	scr->term = picked ? newterm(chosen, out, scr->in ? scr->in : stdin) : NULL;
	if (!scr->term) {
		if (picked)
			snprintf(err, err_size, "cannot start the terminal \"%s\" (check TERM)", chosen);
		if (scr->out)
			fclose(scr->out);
		if (scr->in)
			fclose(scr->in);
		scr->out = scr->in = NULL;
		ttyout_stop(scr->relay, 1000);
		scr->relay = NULL;
		return false;
	}
	set_term(scr->term);
	/* For ncurses' own bookkeeping (its calls on the tty fail on the pipe);
	 * the terminal gets the same modes from program_modes(). */
	cbreak();
	program_modes(scr);
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	curs_set(0);
	set_escdelay(25);
	scr->color = !opts->no_color && theme->use_color && has_colors();
	bool defaults_ok = true;
	if (scr->color) {
		start_color();
		defaults_ok = use_default_colors() == OK;
		scr->depth = COLORS >= 256 ? THEME_256 : COLORS >= 16 ? THEME_16 : THEME_8;
	} else {
		scr->depth = THEME_MONO;
	}
	apply_theme(scr, theme, defaults_ok);
	if (opts->mouse && !scr->dump_mode) {
		mousemask(BUTTON1_CLICKED | BUTTON1_PRESSED | BUTTON4_PRESSED | BUTTON5_PRESSED, NULL);
		mouseinterval(0);
	}
	getmaxyx(stdscr, scr->rows, scr->cols);
	return true;
}

bool screen_writable(const struct ui_screen *scr)
{
	return !scr->relay || ttyout_idle(scr->relay);
}

void screen_close(struct ui_screen *scr)
{
	if (!scr->term)
		return;
	endwin();
	delscreen(scr->term);
	scr->term = NULL;
	ttyout_stop(scr->relay, 1000);
	scr->relay = NULL;
	shell_modes(scr);
	if (scr->out)
		fclose(scr->out);
	if (scr->in)
		fclose(scr->in);
	scr->out = scr->in = NULL;
}

void screen_resize(struct ui_screen *scr, int rows, int cols)
{
	if (rows > 0 && cols > 0)
		resizeterm(rows, cols);
	getmaxyx(stdscr, scr->rows, scr->cols);
}

bool screen_follow_resize(struct ui_screen *scr)
{
	struct winsize ws;
	if (!scr->relay || scr->forced_size || ioctl(1, TIOCGWINSZ, &ws) != 0 || !ws.ws_row ||
	    !ws.ws_col)
		return false;
	if (ws.ws_row == LINES && ws.ws_col == COLS)
		return false;
	set_size_env(ws.ws_row, ws.ws_col);
	resizeterm(ws.ws_row, ws.ws_col); /* queues KEY_RESIZE for wgetch */
	getmaxyx(stdscr, scr->rows, scr->cols);
	return true;
}

void screen_suspend(struct ui_screen *scr)
{
	if (!scr->relay)
		return;
	endwin();
	ttyout_wait_idle(scr->relay, 1000);
	shell_modes(scr);
	/* stop as the shell expects (the default action), then come back */
	struct sigaction dfl, ours;
	memset(&dfl, 0, sizeof(dfl));
	dfl.sa_handler = SIG_DFL;
	sigemptyset(&dfl.sa_mask);
	sigaction(SIGTSTP, &dfl, &ours);
	raise(SIGTSTP);
	sigaction(SIGTSTP, &ours, NULL);
	screen_resume(scr);
	screen_follow_resize(scr);
}

void screen_resume(struct ui_screen *scr)
{
	if (!scr->relay)
		return;
	program_modes(scr);
	clearok(curscr, TRUE); /* the next frame repaints everything */
}

int screen_put(const struct ui_screen *scr, WINDOW *w, int y, int x, int width, const char *text,
	       attr_t attr, bool pad, bool right)
{
	if (width <= 0)
		return 0;
	char buf[4 * 1024];
	size_t len = text ? strlen(text) : 0;
	struct sanitize_result r =
		sanitize_text(text ? text : "", len, scr->smode, buf, sizeof(buf), (size_t)width);
	if (r.truncated && width >= 2) {
		/* Mark the cut: one column less, then the ellipsis glyph. */
		r = sanitize_text(text, len, scr->smode, buf, sizeof(buf) - 4, (size_t)width - 1);
		memcpy(buf + r.bytes, scr->g->ellipsis, strlen(scr->g->ellipsis) + 1);
		r.columns += 1;
	}
	int cols = (int)r.columns;
	int start = right && cols < width ? x + width - cols : x;
	wattrset(w, attr);
	if (pad && start > x)
		mvwhline(w, y, x, ' ', start - x);
	mvwaddstr(w, y, start, buf);
	if (pad && start + cols < x + width)
		mvwhline(w, y, start + cols, ' ', x + width - start - cols);
	return cols;
}

/* Attribute names for the dump legend. */
static void describe_attr(attr_t a, char *buf, size_t size)
{
	static const struct {
		attr_t bit;
		const char *name;
	} names[] = { { A_BOLD, "bold" },	  { A_DIM, "dim" },	    { A_REVERSE, "reverse" },
		      { A_UNDERLINE, "underline" }, { A_STANDOUT, "standout" }, { A_ITALIC, "italic" },
		      { A_BLINK, "blink" } };
	size_t used = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < ARRAY_LEN(names); i++)
		if (a & names[i].bit)
			used += (size_t)snprintf(buf + used, size > used ? size - used : 0, "%s%s",
						 used ? "," : "", names[i].name);
	if (!used)
		snprintf(buf, size, "normal");
}

struct legend {
	attr_t attr[52];
	short pair[52];
	int count;
};

static char legend_letter(struct legend *l, attr_t a, short pair)
{
	if ((a & ~A_COLOR) == A_NORMAL && pair == 0)
		return '.';
	for (int i = 0; i < l->count; i++)
		if (l->attr[i] == a && l->pair[i] == pair)
			return (char)(i < 26 ? 'a' + i : 'A' + i - 26);
	if (l->count == 52)
		return '?';
	l->attr[l->count] = a;
	l->pair[l->count] = pair;
	int i = l->count++;
	return (char)(i < 26 ? 'a' + i : 'A' + i - 26);
}

bool screen_dump(const struct ui_screen *scr, const char *path, bool append, const char *title,
		 char *err, size_t err_size)
{
	(void)scr;
	FILE *f = fopen(path, append ? "a" : "w");
	if (!f) {
		snprintf(err, err_size, "--dump-screen %s: cannot write", path);
		return false;
	}
	int rows, cols;
	getmaxyx(curscr, rows, cols);
	fprintf(f, "=== %s %dx%d\n", title ? title : "screen", cols, rows);
	char *attrs = xmalloc((size_t)rows * (size_t)(cols + 1));
	struct legend legend = { .count = 0 };
	for (int y = 0; y < rows; y++) {
		char line[8192];
		size_t used = 0, keep = 0;
		char *arow = attrs + (size_t)y * (size_t)(cols + 1);
		for (int x = 0; x < cols; x++) {
			cchar_t cc;
			wchar_t wch[CCHARW_MAX + 1] = { 0 };
			attr_t a = 0;
			short pair = 0;
			arow[x] = '.';
			if (mvwin_wch(curscr, y, x, &cc) == ERR)
				continue;
			getcchar(&cc, wch, &a, &pair, NULL);
			arow[x] = legend_letter(&legend, a & ~A_COLOR, pair);
			int wdt = wch[0] ? wcwidth(wch[0]) : 1;
			char mb[MB_LEN_MAX + 1];
			mbstate_t st;
			memset(&st, 0, sizeof(st));
			size_t n = wch[0] ? wcrtomb(mb, wch[0], &st) : 0;
			if (n == (size_t)-1 || n == 0) {
				mb[0] = ' ';
				n = 1;
			}
			if (used + n < sizeof(line)) {
				memcpy(line + used, mb, n);
				used += n;
				if (mb[0] != ' ' || n > 1)
					keep = used;
			}
			if (wdt == 2) {
				x++;
				if (x < cols)
					arow[x] = arow[x - 1];
			}
		}
		arow[cols] = '\0';
		fprintf(f, "%.*s\n", (int)keep, line);
	}
	fprintf(f, "--- attributes\n");
	for (int y = 0; y < rows; y++)
		fprintf(f, "%s\n", attrs + (size_t)y * (size_t)(cols + 1));
	for (int i = 0; i < legend.count; i++) {
		char names[80];
		describe_attr(legend.attr[i], names, sizeof(names));
		short fg = -1, bg = -1;
		if (legend.pair[i] > 0)
			pair_content(legend.pair[i], &fg, &bg);
		fprintf(f, "%c = %s", i < 26 ? 'a' + i : 'A' + i - 26, names);
		if (legend.pair[i] > 0)
			fprintf(f, " pair %d (%s: fg %d bg %d)", legend.pair[i],
				ui_role_name((enum ui_role)(legend.pair[i] - 1)), fg, bg);
		fputc('\n', f);
	}
	free(attrs);
	fclose(f);
	return true;
}

