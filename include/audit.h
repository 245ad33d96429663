/* audit — an append-only record of every operator action.
 *
 * One JSON object per line in $XDG_STATE_HOME/drivr-console/audit.log
 * (~/.local/state/... when unset), created with mode 0600 in a 0700
 * directory: time, profile, action, topic, payload, outcome — one line per
 * action, written when it ends (the console also writes one for a request
 * still pending when it quits, and a second one, outcome "late: ...", when
 * the answer to a request that had timed out arrives after all).  Secrets never
 * reach it: callers pass what was published, never the user API token. */
#ifndef DRIVR_AUDIT_H
#define DRIVR_AUDIT_H

#include <stdbool.h>
#include <stddef.h>

struct audit_entry {
	double time;
	const char *profile; /* NULL: "-" */
	const char *action;  /* "set-setpoint", "ack-event", "issue-token" */
	const char *topic;   /* or the GraphQL URL */
	const char *payload;
	const char *outcome; /* the end state: "confirmed", "rejected: ...", "error: ... [CODE]" */
	unsigned request_id;
};

/* The log's path (new string), from XDG_STATE_HOME or HOME; NULL if neither. */
char *audit_default_path(void);

/* Opens the log for appending (creating the directories 0700 and the file
 * 0600): never through a symbolic link, never a file with a second hard
 * link or one that is not regular; the mode of an existing log made 0600
 * only when it is ours.  The descriptor, or -1 with a reason in err. */
int audit_open(const char *path, char *err, size_t err_size);

/* Appends one line (one write(2)) through audit_open.  Returns false with a
 * reason in err: refused (above), or the write failed (disk full, ...). */
bool audit_append(const char *path, const struct audit_entry *entry, char *err, size_t err_size);

#endif
