/* termpick — see include/ui/termpick.h.  Its own file: <term.h> defines
 * every capability name (columns, lines, ...) as a macro. */
#include "ui/termpick.h"

#include <curses.h>
#include <stdio.h>
#include <string.h>
#include <term.h>
#include <unistd.h>

#include "util.h"

/* Is there a terminfo entry for `name`; can it address the cursor?  Read
 * with setupterm, which writes nothing, and forgotten again. */
static bool term_known(const char *name, bool *addressable)
{
	TERMINAL *prev = cur_term;
	int status = 0;
	if (setupterm(name, STDERR_FILENO, &status) != OK) {
		set_curterm(prev);
		return false;
	}
	const char *cup = tigetstr("cup");
	*addressable = cup && cup != (const char *)-1;
	del_curterm(cur_term);
	set_curterm(prev);
	return true;
}

bool termpick(const char *term, char *out, size_t out_size, char *note, size_t note_size,
	      char *err, size_t err_size)
{
	bool addressable = false;
	char family[128];
	snprintf(family, sizeof(family), "%s", term ? term : "");
	const char *fallbacks[] = { "xterm", "vt100" };
	bool found = family[0] && term_known(family, &addressable);
	/* xterm-16color → xterm, screen.xterm-256color → screen.xterm → screen */
	while (!found && family[0]) {
		char *cut = strrchr(family, '-');
		char *dot = strrchr(family, '.');
		if (dot && (!cut || dot > cut))
			cut = dot;
		if (!cut)
			break;
		*cut = '\0';
		found = term_known(family, &addressable);
	}
	for (size_t i = 0; !found && i < ARRAY_LEN(fallbacks); i++) {
		snprintf(family, sizeof(family), "%s", fallbacks[i]);
		found = term_known(family, &addressable);
	}
	if (!found) {
		snprintf(err, err_size, "cannot start the terminal \"%s\" (check TERM): no terminfo "
			 "entry for it, xterm or vt100", term && *term ? term : "(unset)");
		return false;
	}
	if (!addressable) {
		snprintf(err, err_size, "TERM=%s cannot move the cursor, so the full-screen console "
			 "cannot draw on it: set TERM (e.g. xterm), or use --log or --snapshot", family);
		return false;
	}
	snprintf(out, out_size, "%s", family);
	if (!term || !*term)
		snprintf(note, note_size, "TERM is not set: drawing as %s", family);
	else if (strcmp(term, family) != 0)
		snprintf(note, note_size, "TERM=%s has no terminfo entry here: drawing as %s "
			 "(ncurses-term has more)", term, family);
	return true;
}
