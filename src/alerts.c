/* alerts — see include/alerts.h. */
#include "alerts.h"

#include <stdbool.h>
#include <string.h>

/* a comes before b in the pane */
static bool before(enum event_level al, double at, enum event_level bl, double bt)
{
	return al > bl || (al == bl && at > bt);
}

size_t alerts_active(const struct store *store, size_t *out, size_t max,
		     struct alert_counts *counts)
{
	struct alert_counts local;
	if (!counts)
		counts = &local;
	memset(counts, 0, sizeof(*counts));
	size_t n = 0, total = store_events_count(store);
	for (size_t i = 0; i < total; i++) {
		const struct event *e = store_event_at(store, i);
		if (e->meta.deleted || !e->status || strcmp(e->status, "ACTIVE") != 0)
			continue;
		enum event_level l = store_event_level(store, e);
		counts->level[l < LEVEL_COUNT ? l : LEVEL_UNKNOWN]++;
		counts->total++;
		/* insertion into the kept top-max list; an equal one stays ahead
		 * (the lower store index) */
		size_t pos = n;
		while (pos > 0) {
			const struct event *o = store_event_at(store, out[pos - 1]);
			if (!before(l, e->time, store_event_level(store, o), o->time))
				break;
			pos--;
		}
		if (pos >= max)
			continue;
		size_t end = n < max ? n : max - 1;
		memmove(out + pos + 1, out + pos, (end - pos) * sizeof(*out));
		out[pos] = i;
		if (n < max)
			n++;
	}
	return n;
}
