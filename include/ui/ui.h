/* ui — the full-screen console (MODE_CONSOLE).
 *
 * One thread: a poll(2) loop over stdin, the inbox eventfd and a timer that
 * is computed from real deadlines only (the next frame when something is
 * dirty, a flash ending, a series going stale, the reconnect countdown, the
 * minute of the clock).  With nothing arriving and nothing scheduled the
 * process sleeps (one wake-up a minute, for the clock).
 *
 * With --dump-screen the console needs no terminal: it replays --replay,
 * runs the --keys script, writes the screen to the file and exits — the
 * screen tests (tests/screen, docs/ui.md). */
#ifndef DRIVR_UI_H
#define DRIVR_UI_H

#include "config.h"
#include "topics.h"

/* Returns the exit status: 0, 1 (connection), 2 (usage: bad theme, files). */
int ui_run(const struct config *config, const struct topic_table *topics);

#endif
