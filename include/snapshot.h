/* snapshot — the whole store as one JSON document (for --snapshot, tests and
 * exports).  Every device string goes through sanitize_json_dup(), so the
 * document is valid UTF-8 without C1 controls whatever the broker sent.
 * Secrets are left out: local API token strings are never printed. */
#ifndef DRIVR_SNAPSHOT_H
#define DRIVR_SNAPSHOT_H

#include <stdbool.h>

#include "store.h"

struct cJSON;

struct snapshot_options {
	bool include_payloads; /* raw payloads of errors and unclassified topics */
	bool include_deleted;  /* entities flagged deleted */
	double now;            /* errorSummary's rates end here (<= 0: the clock) */
};

/* Builds the document; the caller owns it (cJSON_Delete). */
struct cJSON *snapshot_build(const struct store *store, const struct snapshot_options *options);

/* Adds a value as the store keeps it under `name` (number, bool, string,
 * parsed JSON, or null). Shared with the NDJSON log. */
void snapshot_add_value(struct cJSON *object, const char *name, const struct stored_value *value);

#endif
