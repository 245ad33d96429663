/* hashmap — see include/hashmap.h.  Linear probing with backward-shift
 * deletion, so removals leave no tombstones behind. */
#include "hashmap.h"

#include <stdlib.h>

#include "util.h"

void hashmap_init(struct hashmap *map)
{
	map->buckets = NULL;
	map->capacity = 0;
	map->count = 0;
}

void hashmap_destroy(struct hashmap *map)
{
	free(map->buckets);
	hashmap_init(map);
}

static void place(struct hashmap_bucket *buckets, size_t mask, uint32_t hash, uint32_t slot1)
{
	size_t i = hash & mask;
	while (buckets[i].slot)
		i = (i + 1) & mask;
	buckets[i].hash = hash;
	buckets[i].slot = slot1;
}

static void grow(struct hashmap *map)
{
	size_t capacity = map->capacity ? map->capacity * 2 : 16;
	struct hashmap_bucket *buckets = xcalloc(capacity, sizeof(*buckets));
	for (size_t i = 0; i < map->capacity; i++)
		if (map->buckets[i].slot)
			place(buckets, capacity - 1, map->buckets[i].hash, map->buckets[i].slot);
	free(map->buckets);
	map->buckets = buckets;
	map->capacity = capacity;
}

bool hashmap_find(const struct hashmap *map, uint64_t hash, hashmap_equal_fn equal,
		  const void *ctx, const void *key, uint32_t *slot)
{
	if (!map->capacity)
		return false;
	uint32_t h = (uint32_t)hash;
	size_t mask = map->capacity - 1;
	for (size_t i = h & mask;; i = (i + 1) & mask) {
		const struct hashmap_bucket *b = &map->buckets[i];
		if (!b->slot)
			return false;
		if (b->hash == h && equal(ctx, b->slot - 1, key)) {
			*slot = b->slot - 1;
			return true;
		}
	}
}

void hashmap_insert(struct hashmap *map, uint64_t hash, uint32_t slot)
{
	if ((map->count + 1) * 2 > map->capacity)
		grow(map);
	place(map->buckets, map->capacity - 1, (uint32_t)hash, slot + 1);
	map->count++;
}

bool hashmap_remove(struct hashmap *map, uint64_t hash, uint32_t slot)
{
	if (!map->capacity)
		return false;
	uint32_t h = (uint32_t)hash;
	size_t mask = map->capacity - 1;
	size_t i = h & mask;
	while (map->buckets[i].slot != slot + 1 || map->buckets[i].hash != h) {
		if (!map->buckets[i].slot)
			return false;
		i = (i + 1) & mask;
	}
	/* Backward shift: pull later members of the probe run into the hole
	 * whenever their home bucket is not between the hole and them. */
	size_t hole = i;
	for (size_t j = (i + 1) & mask; map->buckets[j].slot; j = (j + 1) & mask) {
		size_t home = map->buckets[j].hash & mask;
		bool between = hole <= j ? (hole < home && home <= j) : (hole < home || home <= j);
		if (!between) {
			map->buckets[hole] = map->buckets[j];
			hole = j;
		}
	}
	map->buckets[hole].slot = 0;
	map->buckets[hole].hash = 0;
	map->count--;
	return true;
}
