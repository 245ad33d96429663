/* sanitize — the one gate every device string passes before it reaches a
 * terminal or a JSON document we print.
 *
 * Broker data is untrusted: names may hold escape sequences (ESC [ 2 J),
 * C1 controls (0x9b is CSI on some terminals), invalid UTF-8 or characters
 * of zero or double width.  The sanitiser makes every such byte visible and
 * harmless, and measures display width with wcwidth().  Pure module (uses the
 * C library's wcwidth, which depends on the process locale's LC_CTYPE). */
#ifndef DRIVR_SANITIZE_H
#define DRIVR_SANITIZE_H

#include <stdbool.h>
#include <stddef.h>

enum sanitize_mode {
	/* For the screen: C0/DEL as caret notation (^[, ^?), C1 as \x9b,
	 * invalid UTF-8 as U+FFFD, zero-width and non-printable characters as
	 * U+FFFD too. */
	SANITIZE_DISPLAY_UTF8,
	/* For ASCII terminals: as above, but every non-ASCII character becomes
	 * '?' and invalid bytes \xNN. */
	SANITIZE_DISPLAY_ASCII,
	/* For JSON we print: valid UTF-8 kept (the JSON printer escapes C0),
	 * C1 controls and invalid sequences become U+FFFD. */
	SANITIZE_JSON,
};

struct sanitize_result {
	size_t bytes;   /* bytes written to out, excluding the NUL */
	size_t columns; /* display width of what was written */
	bool changed;   /* something was replaced or escaped */
	bool truncated; /* out or max_columns was too small for everything */
};

/* Sanitises in[0..len) into out (always NUL-terminated when out_size > 0),
 * stopping before a character that would exceed max_columns (0 = no limit)
 * or not fit in out. */
struct sanitize_result sanitize_text(const char *in, size_t len, enum sanitize_mode mode,
				     char *out, size_t out_size, size_t max_columns);

/* Sanitises in[0..len) like sanitize_text (a display mode) and, when it is
 * wider than max_columns, keeps its start and its end around `ellipsis`
 * (one column; "…" or "~"): "flow-tem…-setpoint".  Names that share a
 * prefix stay apart.  out is always NUL-terminated and at most
 * max_columns wide. */
struct sanitize_result sanitize_cut_middle(const char *in, size_t len, enum sanitize_mode mode,
					   const char *ellipsis, char *out, size_t out_size,
					   size_t max_columns);

/* Quick check: true when in[0..len) is valid UTF-8 with no C0/C1 control
 * characters and no DEL, i.e. sanitize_text would change nothing
 * (tab and newline count as control characters). */
bool sanitize_is_clean(const char *in, size_t len);

/* Newly allocated SANITIZE_JSON copy of a NUL-terminated string (never NULL). */
char *sanitize_json_dup(const char *s);

#endif
