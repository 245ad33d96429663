/* stopsig — SIGINT, SIGTERM and SIGHUP as a request to stop, the same in
 * every program's loop (headless, the console, drivr-sim): the handler only
 * sets a flag the loop reads (a blocking poll returns EINTR); SIGPIPE is
 * ignored, so a closed pipe is an EPIPE the writer reports. */
#ifndef DRIVR_STOPSIG_H
#define DRIVR_STOPSIG_H

#include <stdbool.h>

/* Installs the handlers (no SA_RESTART: a waiting poll is interrupted). */
void stopsig_install(void);

/* True once one of the signals arrived. */
bool stopsig_requested(void);

/* For a loop that asks before stopping (the console with requests
 * pending): when only SIGINT (Ctrl-C) arrived, forgets it and returns true;
 * a SIGTERM or SIGHUP keeps the request to stop (false). */
bool stopsig_take_interrupt(void);

#endif
