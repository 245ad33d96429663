/* termpick — which terminfo entry the console draws with.  An operator may
 * land in any terminal: TERM=dumb (no cursor addressing) is refused with a
 * line that points to --log / --snapshot instead of a blank screen, and a
 * TERM this machine has no entry for (xterm-16color without ncurses-term)
 * falls back to the nearest known entry instead of refusing to start. */
#ifndef DRIVR_UI_TERMPICK_H
#define DRIVR_UI_TERMPICK_H

#include <stdbool.h>
#include <stddef.h>

/* The entry to use for `term` (NULL or "": unset) into out: itself when
 * terminfo has it, else its family — the name cut at its last '-' or '.',
 * again and again (screen.xterm-256color → screen.xterm → screen) —, then
 * xterm, then vt100; note (else "") says which was used instead.  False,
 * with the one-line reason in err, when none is known or the entry cannot
 * move the cursor. */
bool termpick(const char *term, char *out, size_t out_size, char *note, size_t note_size,
	      char *err, size_t err_size);

#endif
