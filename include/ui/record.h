/* record — the console's --record FILE: every message it receives written
 * as the line `--log` would print for it (headless_log_object), so that
 * `--replay FILE` (console, --log, --snapshot) shows what this console saw.
 *
 * Rotated by size: when FILE reaches --record-max-size the next line goes
 * to FILE.1, then FILE.2, ... — in that order they are the session (cat
 * them in order for one file).  Each file is opened like the audit log
 * (audit.h): never through a symbolic link, only a regular file with one
 * name, mode 0600; a file that exists is started empty.
 *
 * A write that fails stops the recording: the reason is kept for the
 * status line and the exit status (nothing silently missing from a
 * recording). */
#ifndef DRIVR_UI_RECORD_H
#define DRIVR_UI_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ingest.h"

struct record;

/* Opens path (its first file).  NULL with the reason in err. */
struct record *record_open(const char *path, size_t max_size, char *err, size_t err_size);

/* Chains itself in front of the ingest's observer (kept and called after
 * each line), so every ingested message is written. */
void record_attach(struct record *r, struct ingest *ingest);

/* Writes what is buffered (the loop calls it when the inbox is drained). */
void record_flush(struct record *r);

/* Lines written, files used; the error that stopped it ("" when none). */
uint64_t record_lines(const struct record *r);
const char *record_error(const struct record *r);

/* Flushes and closes; false when any line was lost (reason in err). */
bool record_close(struct record *r, char *err, size_t err_size);

#endif
