/* errgroup — error records grouped for triage: by the platform's error code,
 * by system, or by the input family an error concerns, with the count, first
 * and last seen and the recent rate of each group, worst offenders first.
 * The console's grouped Errors view and --snapshot's errorSummary are both
 * built here, so they always agree.
 *
 * The groups count the records the store keeps (the last --max-errors):
 * callers show the store's errors_evicted next to them.
 *
 * Pure: no I/O; the caller feeds the records (its own filter applied). */
#ifndef DRIVR_ERRGROUP_H
#define DRIVR_ERRGROUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hashmap.h"
#include "store.h"

#define ERRGROUP_BY_LIST(X)                                  \
	X(CODE, "code")     /* the platform's code */         \
	X(SYSTEM, "system") /* the system the topic names */  \
	X(FAMILY, "family") /* the input family concerned */

enum errgroup_by {
#define X(id, name) ERRGROUP_BY_##id,
	ERRGROUP_BY_LIST(X)
#undef X
	ERRGROUP_BY_COUNT
};

/* The rate is over the last ten minutes before `now`, per minute: it falls
 * to 0 when a group goes quiet, which an average since first seen never does. */
#define ERRGROUP_RATE_WINDOW 600.0

/* Keys of records that have no value of their own for a dimension (real
 * codes, uuids and family names never start with a parenthesis). */
#define ERRGROUP_NO_CODE "(no code)"
#define ERRGROUP_DECODE_ERROR "(decode error)"
#define ERRGROUP_DECODE_WARNING "(decode warning)"
#define ERRGROUP_NO_SYSTEM "(no system)"

struct errgroup {
	uint64_t id;         /* hash of the key: a stable row id */
	char *key;           /* owned */
	uint64_t count;      /* records in the group */
	uint64_t recent;     /* ... within ERRGROUP_RATE_WINDOW before now */
	double first, last;  /* the records' times (received) */
	uint64_t newest_seq; /* the group's newest record */
};

struct errgroups {
	enum errgroup_by by;
	double now;
	struct errgroup *items; /* worst first after errgroups_sort() */
	size_t count, cap;
	uint64_t records; /* records added */
	uint64_t recent;  /* ... of them within the rate window */
	struct hashmap index; /* id -> item */
};

void errgroups_init(struct errgroups *g, enum errgroup_by by, double now);
void errgroups_free(struct errgroups *g);
void errgroups_add(struct errgroups *g, const struct error_record *record);
/* Worst offenders first: most records, then the most recently seen, then
 * by key (a stable order for equal groups). */
void errgroups_sort(struct errgroups *g);
/* A group by its id; NULL when there is none. */
const struct errgroup *errgroups_find(const struct errgroups *g, uint64_t id);

/* The key a record has under `by` (static or the record's own string). */
const char *errgroup_key(enum errgroup_by by, const struct error_record *record);
uint64_t errgroup_id(const char *key);
/* Occurrences per minute over the rate window. */
double errgroup_rate(const struct errgroup *group);
/* "code", "system", "family"; errgroup_by_parse is its inverse (false: unknown). */
const char *errgroup_by_name(enum errgroup_by by);
bool errgroup_by_parse(const char *name, enum errgroup_by *out);

#endif
