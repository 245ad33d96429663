/* errgroup — see include/errgroup.h. */
#include "errgroup.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

static const char *const by_names[] = {
#define X(id, name) name,
	ERRGROUP_BY_LIST(X)
#undef X
};

const char *errgroup_by_name(enum errgroup_by by)
{
	return by < ERRGROUP_BY_COUNT ? by_names[by] : "?";
}

bool errgroup_by_parse(const char *name, enum errgroup_by *out)
{
	for (int i = 0; i < ERRGROUP_BY_COUNT; i++)
		if (name && strcmp(name, by_names[i]) == 0) {
			*out = (enum errgroup_by)i;
			return true;
		}
	return false;
}

const char *errgroup_key(enum errgroup_by by, const struct error_record *r)
{
	bool reply = r->kind == ERROR_RECORD_REPLY;
	switch (by) {
	case ERRGROUP_BY_CODE:
		if (r->code && *r->code)
			return r->code;
		return reply ? ERRGROUP_NO_CODE : r->warning ? ERRGROUP_DECODE_WARNING
							      : ERRGROUP_DECODE_ERROR;
	case ERRGROUP_BY_SYSTEM:
		return r->system_uuid && *r->system_uuid ? r->system_uuid : ERRGROUP_NO_SYSTEM;
	case ERRGROUP_BY_FAMILY:
	case ERRGROUP_BY_COUNT:
		break;
	}
	/* a reply concerns the input it answers, not the /error topic */
	return topic_family_name(reply ? r->answers_family : r->family);
}

uint64_t errgroup_id(const char *key)
{
	return hash_bytes(key, strlen(key));
}

void errgroups_init(struct errgroups *g, enum errgroup_by by, double now)
{
	memset(g, 0, sizeof(*g));
	g->by = by;
	g->now = now;
	hashmap_init(&g->index);
}

void errgroups_free(struct errgroups *g)
{
	for (size_t i = 0; i < g->count; i++)
		free(g->items[i].key);
	free(g->items);
	hashmap_destroy(&g->index);
	memset(g, 0, sizeof(*g));
}

static bool same_key(const void *ctx, uint32_t slot, const void *key)
{
	const struct errgroups *g = ctx;
	return strcmp(g->items[slot].key, key) == 0;
}

void errgroups_add(struct errgroups *g, const struct error_record *r)
{
	const char *key = errgroup_key(g->by, r);
	uint64_t id = errgroup_id(key);
	uint32_t slot;
	struct errgroup *e;
	if (hashmap_find(&g->index, id, same_key, g, key, &slot)) {
		e = &g->items[slot];
	} else {
		if (g->count == g->cap) {
			g->cap = g->cap ? g->cap * 2 : 16;
			g->items = xrealloc(g->items, g->cap * sizeof(*g->items));
		}
		slot = (uint32_t)g->count++;
		e = &g->items[slot];
		memset(e, 0, sizeof(*e));
		e->id = id;
		e->key = xstrdup(key);
		e->first = e->last = r->time;
		hashmap_insert(&g->index, id, slot);
	}
	g->records++;
	e->count++;
	if (r->time < e->first)
		e->first = r->time;
	if (r->time > e->last)
		e->last = r->time;
	if (r->seq > e->newest_seq)
		e->newest_seq = r->seq;
	if (r->time <= g->now && g->now - r->time < ERRGROUP_RATE_WINDOW) {
		e->recent++;
		g->recent++;
	}
}

static int worst_first(const void *pa, const void *pb)
{
	const struct errgroup *a = pa, *b = pb;
	if (a->count != b->count)
		return a->count > b->count ? -1 : 1;
	if (a->last != b->last)
		return a->last > b->last ? -1 : 1;
	if (a->newest_seq != b->newest_seq)
		return a->newest_seq > b->newest_seq ? -1 : 1;
	return strcmp(a->key, b->key);
}

void errgroups_sort(struct errgroups *g)
{
	if (g->count > 1)
		qsort(g->items, g->count, sizeof(*g->items), worst_first);
	/* the slots moved: index them again */
	hashmap_destroy(&g->index);
	hashmap_init(&g->index);
	for (size_t i = 0; i < g->count; i++)
		hashmap_insert(&g->index, g->items[i].id, (uint32_t)i);
}

static bool same_id(const void *ctx, uint32_t slot, const void *key)
{
	const struct errgroups *g = ctx;
	return g->items[slot].id == *(const uint64_t *)key;
}

const struct errgroup *errgroups_find(const struct errgroups *g, uint64_t id)
{
	uint32_t slot;
	if (!g->count || !hashmap_find(&g->index, id, same_id, g, &id, &slot))
		return NULL;
	return &g->items[slot];
}

double errgroup_rate(const struct errgroup *group)
{
	return (double)group->recent / (ERRGROUP_RATE_WINDOW / 60.0);
}
