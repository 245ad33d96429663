/* osc52 — the clipboard escape sequence a terminal (xterm, kitty, iTerm2,
 * Windows Terminal; tmux with set-clipboard on) turns into a copy, even
 * over SSH: ESC ] 52 ; c ; <base64 of the text> BEL.
 *
 * Only base64 follows the prefix, so nothing in the copied text can end
 * the sequence early or start another.  The text itself is cleaned first:
 * control characters (a newline would run a pasted command) and invalid
 * UTF-8 never reach the clipboard. */
#ifndef DRIVR_OSC52_H
#define DRIVR_OSC52_H

#include <stddef.h>

/* Most bytes of text put on the clipboard (terminals cap the sequence;
 * xterm's default is around 100 kB, identifiers are far shorter). */
#define OSC52_MAX_TEXT 4096

/* The text as it will be copied into clean (NUL-terminated): control
 * characters and invalid UTF-8 replaced, cut at OSC52_MAX_TEXT bytes on a
 * character boundary.  Returns its length. */
size_t osc52_clean(const char *text, char *clean, size_t size);

/* The whole sequence for clean text into out; returns its length, or 0
 * when out is too small (needs 4 * (len / 3 + 1) + 8 bytes). */
size_t osc52_sequence(const char *clean, size_t len, char *out, size_t size);

#endif
