/* alerts — which events are alerts now, and in what order: the console's
 * alert pane and its `a` key (acknowledge the top unacknowledged alert)
 * read the same list, so the key acts on the line the operator sees first.
 *
 * An alert is an event the store holds with status ACTIVE (not deleted).
 * Order: most severe level first (store_event_level: the event model's
 * level), newest first within a level, ties by store index.
 *
 * Pure: reads the store, no I/O, no state. */
#ifndef DRIVR_ALERTS_H
#define DRIVR_ALERTS_H

#include <stddef.h>

#include "store.h"

struct alert_counts {
	unsigned level[LEVEL_COUNT]; /* active events per level */
	unsigned total;
};

/* The first `max` alerts in order, as store indices of events (out has room
 * for max); returns how many were written.  counts (optional) receives the
 * number of active events per level, all of them, not only the first max.
 * O(events × max): max is a pane's few lines. */
size_t alerts_active(const struct store *store, size_t *out, size_t max,
		     struct alert_counts *counts);

#endif
