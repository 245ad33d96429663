/* keyscript — the key scripts of the screen tests (--keys FILE).
 *
 * Each line holds keys: plain characters stand for themselves (blanks
 * between them are ignored; type <Space> for a space) and <Name> for the
 * others: <Enter> <Esc> <Tab> <BTab> <Up> <Down> <Left> <Right> <PgUp>
 * <PgDn> <Home> <End> <Backspace> <Space> <Lt> (a '<'), <C-d> <C-u> <C-l>,
 * and the actions <Resize COLSxROWS>, <Click ROW COL>, <WheelUp>,
 * <WheelDown>, <Dump> (append the screen to the dump file now).  '#' starts
 * a comment line. */
#ifndef DRIVR_UI_KEYSCRIPT_H
#define DRIVR_UI_KEYSCRIPT_H

#include <stdbool.h>
#include <stddef.h>

enum script_kind { SCRIPT_KEY, SCRIPT_RESIZE, SCRIPT_CLICK, SCRIPT_WHEEL, SCRIPT_DUMP };

struct script_event {
	enum script_kind kind;
	int key;  /* SCRIPT_KEY: a curses key code; SCRIPT_WHEEL: +1 down, -1 up */
	int a, b; /* RESIZE: cols, rows; CLICK: row, col */
};

struct keyscript {
	struct script_event *events;
	size_t count;
};

/* Parses text.  Returns false with "file:line: reason" in err. */
bool keyscript_parse(struct keyscript *ks, const char *text, const char *filename, char *err,
		     size_t err_size);
bool keyscript_load(struct keyscript *ks, const char *path, char *err, size_t err_size);
void keyscript_free(struct keyscript *ks);

#endif
