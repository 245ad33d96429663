/* replay — messages from a file instead of a broker, fed through
 * ingest_message exactly like live ones (--replay: the console, --log,
 * --snapshot; screen tests, demos and a customer's recording).
 *
 * The file holds JSON objects one after another (NDJSON, a JSON array, or
 * pretty-printed objects back to back):
 *   - the lines of `drivr-console --log` and of the console's --record:
 *     {"time", "topic", "retained", "encoding", "payload", ...}; "encoding"
 *     says what "payload" is: "utf-8" (the payload's own text) or "base64"
 *     (its bytes: MessagePack, anything not clean UTF-8), so the payload
 *     arrives byte for byte as it was received; connection event lines
 *     (no "topic") are skipped;
 *   - the fixture form {"topic": T, "payload": P, "retained": B, "time": ISO}
 *     (no "encoding": P is any JSON value, sent as its compact text; a
 *     string is sent as its JSON text too, which is how /state topics
 *     arrive; "payload_text" gives a raw text payload);
 *   - older --log lines without "payload": their "decoded" tree is sent as
 *     JSON (lossy: MessagePack does not survive that).
 * received_at is the object's "time", else `default_time`. */
#ifndef DRIVR_REPLAY_H
#define DRIVR_REPLAY_H

#include <stdbool.h>
#include <stddef.h>

#include "ingest.h"
#include "message.h"

struct replay; /* opaque: the file's text and a cursor in it */

/* Reads the whole file (LIMIT_REPLAY_FILE).  NULL with "--replay file:
 * reason" in err.  Free with replay_close(). */
struct replay *replay_open(const char *path, char *err, size_t err_size);

/* The next message into *meta (its pointers stay valid until the next call
 * or replay_close).  1: a message; 0: the end of the file; -1: an error
 * (a JSON error or a bad "payload", with the byte offset) in err. */
int replay_next(struct replay *r, double default_time, struct message_meta *meta, char *err,
		size_t err_size);

void replay_close(struct replay *r);

/* Pacing by the recorded times: a message recorded `dt` seconds after the
 * first one is due dt / speed seconds after the replay started; speed 0
 * ("max"): every message at once. */
struct replay_pace {
	double speed;
	double first_recorded; /* < 0: no message yet */
	double started;        /* monotonic, when the first message went in */
};
void replay_pace_init(struct replay_pace *p, double speed);
/* Seconds until a message recorded at `recorded` is due (<= 0: now). */
double replay_pace_wait(struct replay_pace *p, double recorded, double now_monotonic);

#endif
