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

/* Appends one line; creates the directories (0700) and the file (0600).
 * Returns false with a reason in err. */
bool audit_append(const char *path, const struct audit_entry *entry, char *err, size_t err_size);

#endif
