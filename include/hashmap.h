/* hashmap — an open-addressing index from a 64-bit key hash to a uint32
 * slot number in some caller-owned array.
 *
 * The map never sees keys: the caller hashes its key and passes an equality
 * callback that compares the key against the entity at a slot.  That lets one
 * map type index single strings, (system, code) pairs and four-part series
 * keys without copying them.  8 bytes per bucket, load factor <= 1/2.
 * Pure module. */
#ifndef DRIVR_HASHMAP_H
#define DRIVR_HASHMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct hashmap_bucket {
	uint32_t hash; /* low 32 bits of the key hash */
	uint32_t slot; /* slot + 1; 0 marks an empty bucket */
};

struct hashmap {
	struct hashmap_bucket *buckets;
	size_t capacity; /* power of two, 0 before the first insert */
	size_t count;
};

/* Does the entity at `slot` have the key `key`? */
typedef bool (*hashmap_equal_fn)(const void *ctx, uint32_t slot, const void *key);

void hashmap_init(struct hashmap *map);
void hashmap_destroy(struct hashmap *map);

/* Returns true and sets *slot when an entity with `key` is indexed. */
bool hashmap_find(const struct hashmap *map, uint64_t hash, hashmap_equal_fn equal,
		  const void *ctx, const void *key, uint32_t *slot);
/* Indexes `slot` under `hash`; the caller made sure the key is not present. */
void hashmap_insert(struct hashmap *map, uint64_t hash, uint32_t slot);
/* Removes the bucket holding exactly `slot` under `hash`; false if absent. */
bool hashmap_remove(struct hashmap *map, uint64_t hash, uint32_t slot);

#endif
