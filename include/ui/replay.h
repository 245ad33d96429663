/* replay — messages from a file instead of a broker, through ingest_message
 * exactly like live ones (for screen tests, demos and bug reports).
 *
 * The file holds JSON objects one after another (NDJSON, a JSON array, or
 * pretty-printed objects back to back):
 *   - the fixture form  {"topic": T, "payload": P, "retained": B, "time": ISO}
 *     (payload: any JSON value, sent as its compact text; a string payload is
 *     sent as its JSON text too, which is how /state topics arrive; use
 *     "payload_text" for a raw text payload);
 *   - the lines of `drivr-console --log` ({"topic", "decoded", "retained",
 *     "time"}; connection event lines are skipped).
 * received_at is the object's "time", else `default_time`. */
#ifndef DRIVR_UI_REPLAY_H
#define DRIVR_UI_REPLAY_H

#include <stdbool.h>
#include <stddef.h>

#include "ingest.h"

/* Feeds every message of the file to ingest.  Returns the count, or -1 with
 * "file: reason" (and the byte offset of a JSON error) in err. */
long replay_file(struct ingest *ingest, const char *path, double default_time, char *err,
		 size_t err_size);

#endif
