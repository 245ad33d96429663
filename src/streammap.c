/* streammap — see include/streammap.h.  A ring of entries (the oldest is
 * overwritten when full) indexed by a hashmap on the uuid. */
#include "streammap.h"

#include <stdlib.h>
#include <string.h>

#include "hashmap.h"
#include "util.h"

struct entry {
	char *uuid; /* NULL: free slot */
	char *strings; /* one allocation for the four parts of the name */
	struct stream_name name;
};

struct streammap {
	struct entry entries[STREAMMAP_MAX];
	size_t next, count;
	struct hashmap index;
};

struct streammap *streammap_new(void)
{
	struct streammap *m = xcalloc(1, sizeof(*m));
	hashmap_init(&m->index);
	return m;
}

static void entry_clear(struct entry *e)
{
	free(e->uuid);
	free(e->strings);
	memset(e, 0, sizeof(*e));
}

void streammap_free(struct streammap *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < STREAMMAP_MAX; i++)
		entry_clear(&m->entries[i]);
	hashmap_destroy(&m->index);
	free(m);
}

static uint64_t uuid_hash(const char *uuid)
{
	return hash_bytes(uuid, strlen(uuid));
}

static bool uuid_equal(const void *ctx, uint32_t slot, const void *key)
{
	const struct streammap *m = ctx;
	return strcmp(m->entries[slot].uuid, key) == 0;
}

static void set_name(struct entry *e, const char *system, const struct stream_address *a)
{
	const char *parts[4] = { system, a->component_code, a->service_code, a->characteristic_code };
	size_t len[4], total = 0;
	for (int i = 0; i < 4; i++)
		total += (len[i] = strlen(parts[i])) + 1;
	free(e->strings);
	e->strings = xmalloc(total);
	const char **out[4] = { &e->name.system_uuid, &e->name.component_code, &e->name.service_code,
				&e->name.characteristic_code };
	char *p = e->strings;
	for (int i = 0; i < 4; i++) {
		memcpy(p, parts[i], len[i] + 1);
		*out[i] = p;
		p += len[i] + 1;
	}
}

static bool same_name(const struct stream_name *n, const char *system, const struct stream_address *a)
{
	return strcmp(n->system_uuid, system) == 0 && strcmp(n->component_code, a->component_code) == 0 &&
	       strcmp(n->service_code, a->service_code) == 0 &&
	       strcmp(n->characteristic_code, a->characteristic_code) == 0;
}

bool streammap_learn(struct streammap *m, const struct stream_address *a, const char *topic_system)
{
	const char *system = a->system_uuid ? a->system_uuid : topic_system;
	/* A service index above 0 names another occurrence than the codes
	 * alone would: not a name the console can compare with its own. */
	if (!a->time_stream_uuid || !system || !a->component_code || !a->service_code ||
	    !a->characteristic_code || a->service_index > 0)
		return false;
	uint64_t hash = uuid_hash(a->time_stream_uuid);
	uint32_t slot;
	if (hashmap_find(&m->index, hash, uuid_equal, m, a->time_stream_uuid, &slot)) {
		struct entry *e = &m->entries[slot];
		if (same_name(&e->name, system, a))
			return false;
		set_name(e, system, a);
		return true;
	}
	struct entry *e = &m->entries[m->next];
	if (e->uuid) {
		hashmap_remove(&m->index, uuid_hash(e->uuid), (uint32_t)m->next);
		entry_clear(e);
		m->count--;
	}
	e->uuid = xstrdup(a->time_stream_uuid);
	set_name(e, system, a);
	hashmap_insert(&m->index, hash, (uint32_t)m->next);
	m->next = (m->next + 1) % STREAMMAP_MAX;
	m->count++;
	return true;
}

const struct stream_name *streammap_find(const struct streammap *m, const char *time_stream_uuid)
{
	uint32_t slot;
	if (!time_stream_uuid ||
	    !hashmap_find(&m->index, uuid_hash(time_stream_uuid), uuid_equal, m, time_stream_uuid, &slot))
		return NULL;
	return &m->entries[slot].name;
}

size_t streammap_count(const struct streammap *m)
{
	return m->count;
}
