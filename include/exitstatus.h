/* exitstatus — the exit statuses of both programs, in one list: the name
 * used in the code, the number scripts see, and the one line --help prints
 * (docs/actions.md has the long table).  No mode returns a literal number. */
#ifndef DRIVR_EXITSTATUS_H
#define DRIVR_EXITSTATUS_H

#include <stdio.h>

/* X(name, value, meaning) */
#define EXIT_STATUS_LIST(X)                                                                     \
	X(OK, 0, "success; an action: confirmed, or delivered without --wait")                 \
	X(FAILED, 1, "failed: the connection, or the run itself (poll, --stats-file); why on stderr") \
	X(USAGE, 2, "bad options or files; an action: also refused before sending")                \
	X(REJECTED, 3, "an action rejected by the device")                                      \
	X(ERROR_REPLY, 4, "an action answered with an error (the platform's /error, GraphQL)")  \
	X(TIMEOUT, 5, "an action timed out (no PUBACK, no answer, never acknowledged)")         \
	X(READ_ONLY, 6, "an action refused by --read-only")                                     \
	X(REFUSED, 7, "an action refused by the broker (PUBACK >= 0x80, or closed on it)")      \
	X(INCOMPLETE, 8, "incomplete: --snapshot/--log state not all in, or messages dropped")  \
	X(UNRECORDED, 9, "done, but its audit line (or --token-out) not written; replaces 0 only")

enum exit_status {
#define X(name, value, meaning) EXIT_##name = value,
	EXIT_STATUS_LIST(X)
#undef X
};

/* Which statuses a program can end with, for --help: bits (1u << status). */
#define EXIT_STATUS_ALL 0x3ffu
#define EXIT_STATUS_BASIC ((1u << EXIT_OK) | (1u << EXIT_FAILED) | (1u << EXIT_USAGE))

/* "Exit status:" and one line per status of mask. */
void exit_status_print_help(unsigned mask, FILE *out);

#endif
