/* store — see include/store.h.
 *
 * Layout: one growable array per entity kind, each with a hashmap index on
 * its key.  Entities never move between slots, so indices handed to views
 * stay valid; deletions only flag them.  Series are the exception: they are
 * bounded by max_series and recycled least-recently-updated first. */
#include "store.h"

#include <cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hashmap.h"
#include "util.h"

/* Longest string field kept from a payload; longer ones are cut (a 200 KiB
 * "name" must not cost 200 KiB per entity). */
#define STORE_FIELD_MAX 1024
#define NO_SLOT UINT32_MAX

/* Series changes remembered for the views: 5 000 per frame under a
 * 100 000 msg/s flood at 20 frames per second; more than this between two
 * frames and a view re-reads every row.  A power of two (1 MiB). */
#define SERIES_LOG_CAP 65536

/* A growable array of one entity kind plus its key index. */
struct table {
	void *items;
	size_t count, capacity, item_size;
	struct hashmap index;
};

struct store {
	struct store_limits limits;
	struct store_counters counters;
	uint64_t stamp;
	uint64_t family_stamp[TOPIC_FAMILY_COUNT]; /* stamp after the family's last change */

	struct domain domain;
	bool have_domain;

	struct table organizations, systems, components, component_models, event_models, events,
		setpoints, token_lists, unclassified_topics;
	struct hashmap components_by_uuid;

	/* Eviction at an entity cap: a scan from the cursor finds a slot that
	 * may go.  evictable_gen moves whenever an entity of the kind may have
	 * become evictable; a full scan that found none records it in
	 * scanned_gen, so a full table with nothing to evict refuses new
	 * entities in O(1) instead of scanning on every message. */
	size_t evict_cursor[STORE_KIND_COUNT];
	uint64_t evictable_gen[STORE_KIND_COUNT], scanned_gen[STORE_KIND_COUNT];
	bool scanned_once[STORE_KIND_COUNT];

	/* Key strings of series (system uuids, component, service and
	 * characteristic codes), one refcounted copy per distinct string:
	 * thousands of series share a handful of codes. */
	struct interned **interned;
	size_t interned_slots, interned_capacity;
	uint32_t interned_free; /* chain of free slots through ->refs */
	struct hashmap interned_index;

	/* Series: slots, index, recency list (head = most recent), free slots. */
	struct series *series;
	size_t series_slots, series_capacity, series_live;
	struct hashmap series_index;
	uint32_t lru_head, lru_tail, free_head;
	uint64_t *series_live_bits; /* a bit per slot: a view lists live series
				     * without touching every slot */
	/* The last SERIES_LOG_CAP series changes, oldest overwritten: a view
	 * re-reads the series changed since its last frame from here, in
	 * order in memory, instead of chasing the recency list. */
	struct series_change {
		uint64_t stamp;
		uint32_t slot;
	} *series_log;
	uint64_t series_logged; /* changes ever logged */

	struct jwks_key *jwks;
	size_t jwks_count;

	/* Error records: a ring of max_errors, errors_total ever added. */
	struct error_record *errors;
	size_t errors_total;

	/* Last payload per input topic, to show next to the /error reply that
	 * answers it.  A FIFO ring of max_inputs topics. */
	struct input_seen {
		char *topic;
		struct raw_payload payload;
		double time;
	} *inputs;
	size_t inputs_total;
	struct hashmap inputs_index;
};

/* ---- small helpers ------------------------------------------------------ */

const char *store_kind_name(enum store_kind kind)
{
	static const char *const names[] = {
#define X(e, table, name) [STORE_KIND_##e] = name,
		STORE_KIND_LIST(X)
#undef X
	};
	return (unsigned)kind < STORE_KIND_COUNT ? names[kind] : "?";
}

/* Per entity: the struct, its hash index entry (~16 B at half load), the
 * strings a typical payload fills (uuids 37 B, names, states; malloc rounds
 * each up to 32) and the raw payload kept for the inspector (its bytes are
 * counted in the payload budget, not here).  Measured with
 * tests/bench/memory_bench-style loads; see docs/configuration.md. */
size_t store_entity_cost(enum store_kind kind)
{
	switch (kind) {
	case STORE_KIND_ORGANIZATIONS: return sizeof(struct organization) + 16 + 5 * 48;
	case STORE_KIND_SYSTEMS: return sizeof(struct system) + 16 + 7 * 48;
	case STORE_KIND_COMPONENTS: return sizeof(struct component) + 32 + 7 * 48;
	case STORE_KIND_COMPONENT_MODELS: return sizeof(struct component_model) + 16 + 7 * 48;
	case STORE_KIND_EVENT_MODELS: return sizeof(struct event_model) + 16 + 8 * 48;
	case STORE_KIND_EVENTS: return sizeof(struct event) + 16 + 5 * 48;
	case STORE_KIND_SETPOINTS: return sizeof(struct setpoint) + 16 + 9 * 48;
	case STORE_KIND_TOKEN_LISTS: return sizeof(struct token_list) + 16 + 48 + 2 * 1024;
	case STORE_KIND_COUNT: break;
	}
	return 256;
}

size_t store_series_cost(size_t history_len)
{
	/* slot, index entry, live bit, interned keys mostly shared, the ring */
	return sizeof(struct series) + 32 + 64 + history_len * sizeof(struct sample);
}

/* Shares of the store's budget, in percent: the payload budget (raw
 * payloads for the inspector, last values), the series, and the entities.
 * The entity share is split by a typical domain's mix per system: 1 system,
 * 10 components, 2 events, 1 setpoint, 1 token list; models and
 * organizations are few (a fixed share each). */
#define SHARE_PAYLOADS 15
#define SHARE_SERIES 30
#define SHARE_ENTITIES 55

void store_limits_for_memory(struct store_limits *limits, size_t bytes)
{
	size_t payloads = bytes / 100 * SHARE_PAYLOADS;
	size_t series = bytes / 100 * SHARE_SERIES;
	size_t entities = bytes / 100 * SHARE_ENTITIES;
	limits->payload_budget = payloads;
	if (limits->max_payload_bytes > payloads / 4)
		limits->max_payload_bytes = payloads / 4 > 256 ? payloads / 4 : 256;
	limits->max_series = series / store_series_cost(limits->history_len);
	/* organizations and both model kinds: 2 % each of the entity share */
	static const enum store_kind few[] = { STORE_KIND_ORGANIZATIONS,
					       STORE_KIND_COMPONENT_MODELS,
					       STORE_KIND_EVENT_MODELS };
	for (size_t i = 0; i < ARRAY_LEN(few); i++)
		limits->max_entities[few[i]] = entities / 50 / store_entity_cost(few[i]);
	size_t rest = entities - 3 * (entities / 50);
	size_t per_system = store_entity_cost(STORE_KIND_SYSTEMS) +
			    10 * store_entity_cost(STORE_KIND_COMPONENTS) +
			    2 * store_entity_cost(STORE_KIND_EVENTS) +
			    store_entity_cost(STORE_KIND_SETPOINTS) +
			    store_entity_cost(STORE_KIND_TOKEN_LISTS);
	size_t systems = rest / per_system;
	limits->max_entities[STORE_KIND_SYSTEMS] = systems;
	limits->max_entities[STORE_KIND_COMPONENTS] = systems * 10;
	limits->max_entities[STORE_KIND_EVENTS] = systems * 2;
	limits->max_entities[STORE_KIND_SETPOINTS] = systems;
	limits->max_entities[STORE_KIND_TOKEN_LISTS] = systems;
	for (int k = 0; k < STORE_KIND_COUNT; k++)
		if (limits->max_entities[k] == 0)
			limits->max_entities[k] = 1;
	if (limits->max_series == 0)
		limits->max_series = 1;
}

void store_limits_default(struct store_limits *limits)
{
	memset(limits, 0, sizeof(*limits));
	limits->history_len = STORE_DEFAULT_HISTORY;
	limits->max_errors = 2000;
	limits->max_unclassified = 1000;
	limits->max_inputs = 4096;
	limits->max_payload_bytes = 16384;
	store_limits_for_memory(limits, STORE_DEFAULT_MEMORY);
}

static uint64_t next_stamp(struct store *store)
{
	return ++store->stamp;
}

static char *dup_field(const char *s)
{
	size_t n = strlen(s);
	return xstrndup(s, n > STORE_FIELD_MAX ? STORE_FIELD_MAX : n);
}

/* Present fields replace, absent ones keep what we had: tolerant of partial
 * payloads and of fields the platform leaves out. */
static void set_field(char **field, const char *value)
{
	if (!value)
		return;
	if (*field && strcmp(*field, value) == 0)
		return;
	free(*field);
	*field = dup_field(value);
}

static void set_time(double *field, double value)
{
	if (value != TIME_UNKNOWN)
		*field = value;
}

static void raw_release(struct store *store, struct raw_payload *raw)
{
	if (raw->bytes) {
		store->counters.payload_bytes -= raw->len;
		free(raw->bytes);
	}
	memset(raw, 0, sizeof(*raw));
}

/* Keeps a copy of a payload within the per-payload cap and the total budget. */
static void raw_keep(struct store *store, struct raw_payload *raw, const void *payload, size_t len)
{
	size_t keep = len < store->limits.max_payload_bytes ? len : store->limits.max_payload_bytes;
	if (raw->bytes && raw->len == keep && memcmp(raw->bytes, payload, keep) == 0) {
		raw->orig_len = (uint32_t)(len > UINT32_MAX ? UINT32_MAX : len);
		return;
	}
	raw_release(store, raw);
	raw->orig_len = (uint32_t)(len > UINT32_MAX ? UINT32_MAX : len);
	if (store->counters.payload_bytes + keep > store->limits.payload_budget) {
		store->counters.payloads_not_kept++;
		return;
	}
	raw->bytes = xmalloc(keep + 1);
	if (keep)
		memcpy(raw->bytes, payload, keep);
	raw->bytes[keep] = '\0';
	raw->len = (uint32_t)keep;
	raw->truncated = keep < len;
	if (raw->truncated)
		store->counters.payloads_truncated++;
	store->counters.payload_bytes += keep;
}

static void touch(struct store *store, struct entity_meta *meta, const struct message_meta *msg)
{
	meta->changed = next_stamp(store);
	meta->received_at = msg->received_at;
	meta->retained = msg->retained;
	raw_keep(store, &meta->raw, msg->payload, msg->payload_len);
}

/* A value's text counts in the payload budget: 60 000 series of 16 KiB
 * strings must not cost a gigabyte outside it. */
static void stored_value_clear(struct store *store, struct stored_value *v)
{
	if (v->text)
		store->counters.payload_bytes -= strlen(v->text);
	free(v->text);
	memset(v, 0, sizeof(*v));
}

/* Copies text within the per-payload cap and the budget (beyond the budget
 * cut to STORE_VALUE_MIN, counted). */
static char *value_text_keep(struct store *store, const char *text)
{
	size_t n = strlen(text);
	if (n > store->limits.max_payload_bytes)
		n = store->limits.max_payload_bytes;
	if (n > STORE_VALUE_MIN && store->counters.payload_bytes + n > store->limits.payload_budget) {
		n = STORE_VALUE_MIN;
		store->counters.values_cut++;
	}
	char *copy = xstrndup(text, n);
	store->counters.payload_bytes += strlen(copy); /* a NUL inside may cut it shorter */
	return copy;
}

static void stored_value_set(struct store *store, struct stored_value *dst, const struct value *src)
{
	stored_value_clear(store, dst);
	dst->type = src->type;
	dst->is_integer = src->is_integer;
	dst->boolean = src->boolean;
	dst->number = src->number;
	if (src->type == VALUE_STRING && src->text) {
		dst->text = value_text_keep(store, src->text);
	} else if (src->type == VALUE_JSON && src->json) {
		char *printed = cJSON_PrintUnformatted(src->json);
		if (printed) {
			dst->text = value_text_keep(store, printed);
			cJSON_free(printed);
		}
	}
}

/* The id a topic carried, copied to a NUL-terminated buffer ("" if absent). */
static const char *topic_id(const struct topic_match *m, enum topic_id id, char *buf, size_t size)
{
	if (!m->ids[id].ptr)
		return NULL;
	return sv_copy(m->ids[id], buf, size);
}

/* ---- tables ------------------------------------------------------------- */

static void table_init(struct table *t, size_t item_size)
{
	memset(t, 0, sizeof(*t));
	t->item_size = item_size;
	hashmap_init(&t->index);
}

static void *table_at(const struct table *t, size_t i)
{
	return (char *)t->items + i * t->item_size;
}

/* Appends a zeroed item and indexes it under hash. */
static uint32_t table_add(struct table *t, uint64_t hash)
{
	if (t->count == t->capacity) {
		t->capacity = t->capacity ? t->capacity * 2 : 16;
		t->items = xrealloc(t->items, t->capacity * t->item_size);
	}
	uint32_t slot = (uint32_t)t->count++;
	memset(table_at(t, slot), 0, t->item_size);
	hashmap_insert(&t->index, hash, slot);
	return slot;
}

/* Tables keyed by one string: the key is the first char* after the meta. */
struct keyed {
	struct entity_meta meta;
	char *key;
};

static bool keyed_equal(const void *ctx, uint32_t slot, const void *key)
{
	const struct keyed *e = table_at(ctx, slot);
	return strcmp(e->key, key) == 0;
}

static void *table_find_str(const struct table *t, const char *key)
{
	uint32_t slot;
	if (!key || !hashmap_find(&t->index, hash_bytes(key, strlen(key)), keyed_equal, t, key, &slot))
		return NULL;
	return table_at(t, slot);
}

/* Finds or creates (as a stub, meta.known false) the entity keyed by key. */
static void *table_get_str(struct table *t, const char *key, bool *created)
{
	void *e = table_find_str(t, key);
	if (created)
		*created = !e;
	if (e)
		return e;
	uint32_t slot = table_add(t, hash_bytes(key, strlen(key)));
	struct keyed *k = table_at(t, slot);
	k->key = dup_field(key);
	return k;
}

/* ---- lifecycle ---------------------------------------------------------- */

struct store *store_new(const struct store_limits *limits)
{
	struct store *store = xcalloc(1, sizeof(*store));
	if (limits)
		store->limits = *limits;
	else
		store_limits_default(&store->limits);
	if (store->limits.max_errors == 0)
		store->limits.max_errors = 1;
	if (store->limits.max_inputs == 0)
		store->limits.max_inputs = 1;
	table_init(&store->organizations, sizeof(struct organization));
	table_init(&store->systems, sizeof(struct system));
	table_init(&store->components, sizeof(struct component));
	table_init(&store->component_models, sizeof(struct component_model));
	table_init(&store->event_models, sizeof(struct event_model));
	table_init(&store->events, sizeof(struct event));
	table_init(&store->setpoints, sizeof(struct setpoint));
	table_init(&store->token_lists, sizeof(struct token_list));
	table_init(&store->unclassified_topics, sizeof(struct unclassified_topic));
	hashmap_init(&store->components_by_uuid);
	hashmap_init(&store->series_index);
	hashmap_init(&store->inputs_index);
	hashmap_init(&store->interned_index);
	store->interned_free = NO_SLOT;
	store->lru_head = store->lru_tail = store->free_head = NO_SLOT;
	store->errors = xcalloc(store->limits.max_errors, sizeof(*store->errors));
	store->inputs = xcalloc(store->limits.max_inputs, sizeof(*store->inputs));
	return store;
}

static void free_strings(char **first, size_t count)
{
	for (size_t i = 0; i < count; i++)
		free(first[i]);
}

/* Frees the char* members listed, for structs whose strings we enumerate. */
#define FREE_ALL(...)                                               \
	do {                                                        \
		char *list_[] = { __VA_ARGS__ };                    \
		free_strings(list_, sizeof(list_) / sizeof(*list_)); \
	} while (0)

static void token_list_clear(struct token_list *l)
{
	for (size_t i = 0; i < l->count; i++) {
		struct stored_token *t = &l->items[i];
		FREE_ALL(t->uuid, t->status, t->token, t->subject_uuid, t->subject_name,
			 t->subject_type, t->roles);
	}
	free(l->items);
	l->items = NULL;
	l->count = 0;
}

static void jwks_clear(struct store *store)
{
	for (size_t i = 0; i < store->jwks_count; i++) {
		struct jwks_key *k = &store->jwks[i];
		FREE_ALL(k->kid, k->kty, k->alg, k->use, k->n, k->e);
	}
	free(store->jwks);
	store->jwks = NULL;
	store->jwks_count = 0;
}

static void error_record_clear(struct store *store, struct error_record *r)
{
	FREE_ALL(r->topic, r->answers_topic, r->system_uuid, r->field, r->message, r->code);
	raw_release(store, &r->payload);
	raw_release(store, &r->answered_input);
	memset(r, 0, sizeof(*r));
}

static void intern_put(struct store *store, const char *text);

static void series_release(struct store *store, struct series *s)
{
	intern_put(store, s->system);
	intern_put(store, s->component);
	intern_put(store, s->service);
	intern_put(store, s->characteristic);
	intern_put(store, s->time_stream_uuid);
	free(s->ring);
	stored_value_clear(store, &s->last);
}

static struct table *table_of(struct store *store, enum store_kind kind)
{
	switch (kind) {
#define X(e, table, name)          \
	case STORE_KIND_##e:       \
		return &store->table;
		STORE_KIND_LIST(X)
#undef X
	case STORE_KIND_COUNT:
		break;
	}
	return NULL;
}

static void stored_value_clear(struct store *store, struct stored_value *v);

/* Frees what one entity owns (not the slot). */
static void entity_release(struct store *store, enum store_kind kind, void *item)
{
	switch (kind) {
	case STORE_KIND_ORGANIZATIONS: {
		struct organization *o = item;
		FREE_ALL(o->uuid, o->name, o->alias, o->status, o->state);
		break;
	}
	case STORE_KIND_SYSTEMS: {
		struct system *s = item;
		FREE_ALL(s->uuid, s->code, s->name, s->description, s->status, s->state,
			 s->connection_state);
		break;
	}
	case STORE_KIND_COMPONENTS: {
		struct component *c = item;
		FREE_ALL(c->system_uuid, c->code, c->uuid, c->name, c->component_model_uuid,
			 c->connection_state, c->status);
		break;
	}
	case STORE_KIND_COMPONENT_MODELS: {
		struct component_model *m = item;
		FREE_ALL(m->uuid, m->code, m->name, m->description, m->component_type, m->status,
			 m->state);
		break;
	}
	case STORE_KIND_EVENT_MODELS: {
		struct event_model *m = item;
		FREE_ALL(m->uuid, m->code, m->event_type, m->entity_type, m->message, m->status,
			 m->state, m->level_text);
		break;
	}
	case STORE_KIND_EVENTS: {
		struct event *e = item;
		FREE_ALL(e->uuid, e->event_model_uuid, e->entity_uuid, e->system_uuid, e->status);
		break;
	}
	case STORE_KIND_SETPOINTS: {
		struct setpoint *p = item;
		FREE_ALL(p->receipt_id, p->uuid, p->type, p->message, p->system_uuid,
			 p->component_code, p->service_code, p->characteristic_code,
			 p->time_stream_uuid);
		stored_value_clear(store, &p->value);
		break;
	}
	case STORE_KIND_TOKEN_LISTS: {
		struct token_list *l = item;
		free(l->system_uuid);
		token_list_clear(l);
		break;
	}
	case STORE_KIND_COUNT:
		return;
	}
	raw_release(store, &((struct entity_meta *)item)->raw);
}

void store_free(struct store *store)
{
	if (!store)
		return;
	struct domain *d = &store->domain;
	FREE_ALL(d->uuid, d->slug, d->name, d->status, d->state, d->owner_uuid);
	raw_release(store, &d->meta.raw);

	for (int k = 0; k < STORE_KIND_COUNT; k++) {
		struct table *t = table_of(store, (enum store_kind)k);
		for (size_t i = 0; i < t->count; i++)
			entity_release(store, (enum store_kind)k, table_at(t, i));
	}
	for (size_t i = 0; i < store->unclassified_topics.count; i++) {
		struct unclassified_topic *u = table_at(&store->unclassified_topics, i);
		free(u->topic);
		raw_release(store, &u->meta.raw);
	}
	struct table *tables[] = { &store->organizations, &store->systems, &store->components,
				   &store->component_models, &store->event_models, &store->events,
				   &store->setpoints, &store->token_lists,
				   &store->unclassified_topics };
	_Static_assert(ARRAY_LEN(tables) == STORE_KIND_COUNT + 1, "a table per kind");
	for (size_t i = 0; i < ARRAY_LEN(tables); i++) {
		free(tables[i]->items);
		hashmap_destroy(&tables[i]->index);
	}
	hashmap_destroy(&store->components_by_uuid);

	for (size_t i = 0; i < store->series_slots; i++)
		if (store->series[i].live)
			series_release(store, &store->series[i]);
	free(store->series);
	free(store->series_live_bits);
	free(store->series_log);
	hashmap_destroy(&store->series_index);
	/* Every series let go of its strings above: only free-list nodes remain,
	 * but free whatever is there. */
	for (size_t i = 0; i < store->interned_slots; i++)
		free(store->interned[i]);
	free(store->interned);
	hashmap_destroy(&store->interned_index);

	jwks_clear(store);
	for (size_t i = 0; i < store->limits.max_errors; i++)
		error_record_clear(store, &store->errors[i]);
	free(store->errors);
	for (size_t i = 0; i < store->limits.max_inputs; i++) {
		free(store->inputs[i].topic);
		raw_release(store, &store->inputs[i].payload);
	}
	free(store->inputs);
	hashmap_destroy(&store->inputs_index);
	free(store);
}

/* ---- enums -------------------------------------------------------------- */

static const char *const level_names[LEVEL_COUNT] = {
	[LEVEL_UNKNOWN] = "?", [LEVEL_SUCCESS] = "SUCCESS", [LEVEL_INFO] = "INFO",
	[LEVEL_WARNING] = "WARNING", [LEVEL_ERROR] = "ERROR",
};

const char *event_level_name(enum event_level level)
{
	return level < LEVEL_COUNT ? level_names[level] : "?";
}

enum event_level event_level_parse(const char *text)
{
	for (int l = LEVEL_SUCCESS; text && l < LEVEL_COUNT; l++)
		if (strcmp(text, level_names[l]) == 0)
			return (enum event_level)l;
	return LEVEL_UNKNOWN;
}

static const char *const setpoint_state_names[] = {
	[SETPOINT_UNKNOWN] = "?", [SETPOINT_CREATED] = "CREATED",
	[SETPOINT_ACCEPTED] = "ACCEPTED", [SETPOINT_REJECTED] = "REJECTED",
};

const char *setpoint_state_name(enum setpoint_state state)
{
	return state <= SETPOINT_REJECTED ? setpoint_state_names[state] : "?";
}

enum setpoint_state setpoint_state_parse(const char *text)
{
	for (int s = SETPOINT_CREATED; text && s <= SETPOINT_REJECTED; s++)
		if (strcmp(text, setpoint_state_names[s]) == 0)
			return (enum setpoint_state)s;
	return SETPOINT_UNKNOWN;
}

/* ---- entity caps ---------------------------------------------------------- */

static uint64_t component_hash(const char *system_uuid, const char *code);

/* The hash an entity is indexed under, from what it stores. */
static uint64_t entity_hash(enum store_kind kind, const void *item)
{
	if (kind == STORE_KIND_COMPONENTS) {
		const struct component *c = item;
		return component_hash(c->system_uuid, c->code);
	}
	const struct keyed *k = item;
	return hash_bytes(k->key, strlen(k->key));
}

/* Whether an entity may give its slot to a new one: deleted, a resolved
 * event, a final setpoint; a system only when no one pins it. */
static bool entity_evictable(enum store_kind kind, const void *item)
{
	const struct entity_meta *meta = item;
	switch (kind) {
	case STORE_KIND_SYSTEMS:
		return meta->deleted && ((const struct system *)item)->pins == 0;
	case STORE_KIND_EVENTS: {
		const struct event *e = item;
		return meta->deleted || (meta->known && !e->counted_active && e->status &&
					 strcmp(e->status, "ACTIVE") != 0);
	}
	case STORE_KIND_SETPOINTS: {
		const struct setpoint *p = item;
		return meta->deleted || p->state == SETPOINT_ACCEPTED ||
		       p->state == SETPOINT_REJECTED;
	}
	default:
		return meta->deleted;
	}
}

/* After a change: an entity that may now go wakes the scan up. */
static void note_evictable(struct store *store, enum store_kind kind, const void *item)
{
	if (item && entity_evictable(kind, item))
		store->evictable_gen[kind]++;
}

static void entity_evict(struct store *store, enum store_kind kind, uint32_t slot)
{
	struct table *t = table_of(store, kind);
	void *item = table_at(t, slot);
	hashmap_remove(&t->index, entity_hash(kind, item), slot);
	if (kind == STORE_KIND_COMPONENTS) {
		struct component *c = item;
		if (c->uuid)
			hashmap_remove(&store->components_by_uuid,
				       hash_bytes(c->uuid, strlen(c->uuid)), slot);
	}
	entity_release(store, kind, item);
	memset(item, 0, t->item_size);
	store->counters.entities_evicted[kind]++;
}

/* A zeroed slot for a new entity of `kind` indexed under hash: a new one
 * below the cap, else an evictable one's; NO_SLOT (counted) when none. */
static uint32_t entity_claim(struct store *store, enum store_kind kind, uint64_t hash)
{
	struct table *t = table_of(store, kind);
	size_t cap = store->limits.max_entities[kind];
	if (cap == 0 || t->count < cap)
		return table_add(t, hash);
	if (!store->scanned_once[kind] || store->scanned_gen[kind] != store->evictable_gen[kind]) {
		size_t n = t->count;
		for (size_t i = 0; i < n; i++) {
			uint32_t slot = (uint32_t)((store->evict_cursor[kind] + i) % n);
			if (!entity_evictable(kind, table_at(t, slot)))
				continue;
			entity_evict(store, kind, slot);
			store->evict_cursor[kind] = slot + 1;
			hashmap_insert(&t->index, hash, slot);
			return slot;
		}
		store->scanned_once[kind] = true;
		store->scanned_gen[kind] = store->evictable_gen[kind];
	}
	store->counters.entities_refused[kind]++;
	return NO_SLOT;
}

/* table_get_str under the kind's cap: NULL when refused. */
static void *entity_get_str(struct store *store, enum store_kind kind, const char *key,
			    bool *created)
{
	struct table *t = table_of(store, kind);
	void *e = table_find_str(t, key);
	if (created)
		*created = !e;
	if (e)
		return e;
	size_t len = strlen(key);
	uint32_t slot = entity_claim(store, kind,
				     hash_bytes(key, len > STORE_FIELD_MAX ? STORE_FIELD_MAX : len));
	if (slot == NO_SLOT)
		return NULL;
	struct keyed *k = table_at(t, slot);
	k->key = dup_field(key);
	return k;
}

uint64_t store_evicted_total(const struct store *store)
{
	uint64_t n = store->counters.series_evicted;
	for (int k = 0; k < STORE_KIND_COUNT; k++)
		n += store->counters.entities_evicted[k];
	return n;
}

uint64_t store_refused_total(const struct store *store)
{
	uint64_t n = 0;
	for (int k = 0; k < STORE_KIND_COUNT; k++)
		n += store->counters.entities_refused[k];
	return n;
}

/* ---- systems, components, events ---------------------------------------- */

static struct system *system_get(struct store *store, const char *uuid)
{
	bool created;
	struct system *s = entity_get_str(store, STORE_KIND_SYSTEMS, uuid, &created);
	if (s && created) {
		s->meta.changed = next_stamp(store);
		s->created_at = s->updated_at = s->connection_state_updated_at = TIME_UNKNOWN;
		s->last_datapoint_at = TIME_UNKNOWN;
	}
	return s;
}

static bool entity_present(const struct entity_meta *meta)
{
	return meta->known && !meta->deleted;
}

struct component_key {
	const char *system_uuid, *code;
};

static uint64_t component_hash(const char *system_uuid, const char *code)
{
	uint64_t h = hash_bytes(system_uuid, strlen(system_uuid) + 1);
	return hash_mix(h, code, strlen(code));
}

static bool component_equal(const void *ctx, uint32_t slot, const void *key)
{
	const struct component *c = table_at(ctx, slot);
	const struct component_key *k = key;
	return strcmp(c->code, k->code) == 0 && strcmp(c->system_uuid, k->system_uuid) == 0;
}

static struct component *component_find(const struct store *store, const char *system_uuid,
					const char *code)
{
	struct component_key key = { system_uuid, code };
	uint32_t slot;
	if (!system_uuid || !code ||
	    !hashmap_find(&store->components.index, component_hash(system_uuid, code),
			  component_equal, &store->components, &key, &slot))
		return NULL;
	return table_at(&store->components, slot);
}

static bool component_uuid_equal(const void *ctx, uint32_t slot, const void *key)
{
	const struct component *c = table_at(ctx, slot);
	return c->uuid && strcmp(c->uuid, key) == 0;
}

static void component_set_uuid(struct store *store, struct component *c, const char *uuid)
{
	if (!uuid || (c->uuid && strcmp(c->uuid, uuid) == 0))
		return;
	uint32_t slot = (uint32_t)(c - (struct component *)store->components.items);
	if (c->uuid)
		hashmap_remove(&store->components_by_uuid, hash_bytes(c->uuid, strlen(c->uuid)),
			       slot);
	set_field(&c->uuid, uuid);
	hashmap_insert(&store->components_by_uuid, hash_bytes(c->uuid, strlen(c->uuid)), slot);
}

/* Keeps system->component_count equal to the number of present components. */
static void component_set_presence(struct store *store, struct component *c, bool known,
				   bool deleted)
{
	bool was = entity_present(&c->meta);
	c->meta.known = known;
	c->meta.deleted = deleted;
	bool is = entity_present(&c->meta);
	if (was != is) {
		struct system *s = system_get(store, c->system_uuid);
		if (!s)
			return; /* refused at the systems cap: counted there */
		if (is)
			s->component_count++;
		else if (s->component_count)
			s->component_count--;
		s->meta.changed = next_stamp(store);
	}
}

static struct component *component_get(struct store *store, const char *system_uuid,
				       const char *code)
{
	struct component *c = component_find(store, system_uuid, code);
	if (c)
		return c;
	uint32_t slot = entity_claim(store, STORE_KIND_COMPONENTS, component_hash(system_uuid, code));
	if (slot == NO_SLOT)
		return NULL;
	c = table_at(&store->components, slot);
	c->system_uuid = dup_field(system_uuid);
	c->code = dup_field(code);
	c->created_at = c->updated_at = c->connection_state_updated_at = TIME_UNKNOWN;
	c->last_datapoint_at = TIME_UNKNOWN;
	c->meta.changed = next_stamp(store);
	return c;
}

enum event_level store_event_level(const struct store *store, const struct event *event)
{
	const struct event_model *m = table_find_str(&store->event_models, event->event_model_uuid);
	return m ? m->level : LEVEL_UNKNOWN;
}

/* Re-counts one event under its system's active_events by level. */
static void event_recount(struct store *store, struct event *e)
{
	if (e->counted_active && e->system_uuid) {
		struct system *s = table_find_str(&store->systems, e->system_uuid);
		if (s && s->active_events[e->counted_level]) {
			s->active_events[e->counted_level]--;
			s->meta.changed = next_stamp(store);
		}
	}
	e->counted_active = false;
	bool active = entity_present(&e->meta) && e->status && strcmp(e->status, "ACTIVE") == 0;
	struct system *s = active && e->system_uuid ? system_get(store, e->system_uuid) : NULL;
	if (s) {
		e->counted_level = store_event_level(store, e);
		s->active_events[e->counted_level]++;
		s->meta.changed = next_stamp(store);
		e->counted_active = true;
	}
}

/* ---- interned key strings ------------------------------------------------ */

struct interned {
	uint32_t refs; /* on a free slot: the next free slot */
	uint32_t slot;
	uint32_t len;
	char text[];
};

static struct interned *interned_of(const char *text)
{
	return (struct interned *)(void *)(text - offsetof(struct interned, text));
}

struct intern_key {
	const char *text;
	size_t len;
};

static bool interned_equal(const void *ctx, uint32_t slot, const void *key)
{
	const struct interned *i = ((const struct store *)ctx)->interned[slot];
	const struct intern_key *k = key;
	return i->len == k->len && memcmp(i->text, k->text, k->len) == 0;
}

/* A shared copy of text[0..len), with one more reference. */
static const char *intern_get(struct store *store, const char *text, size_t len)
{
	struct intern_key key = { text, len };
	uint64_t hash = hash_bytes(text, len);
	uint32_t slot;
	if (hashmap_find(&store->interned_index, hash, interned_equal, store, &key, &slot)) {
		store->interned[slot]->refs++;
		return store->interned[slot]->text;
	}
	if (store->interned_free != NO_SLOT) {
		slot = store->interned_free;
		store->interned_free = store->interned[slot]->refs;
		free(store->interned[slot]);
	} else {
		if (store->interned_slots == store->interned_capacity) {
			store->interned_capacity = store->interned_capacity ? store->interned_capacity * 2 : 64;
			store->interned = xrealloc(store->interned,
						   store->interned_capacity * sizeof(*store->interned));
		}
		slot = (uint32_t)store->interned_slots++;
	}
	struct interned *i = xmalloc(sizeof(*i) + len + 1);
	i->refs = 1;
	i->slot = slot;
	i->len = (uint32_t)len;
	memcpy(i->text, text, len);
	i->text[len] = '\0';
	store->interned[slot] = i;
	hashmap_insert(&store->interned_index, hash, slot);
	return i->text;
}

/* Drops one reference; the last one frees the string (its slot is reused). */
static void intern_put(struct store *store, const char *text)
{
	if (!text)
		return;
	struct interned *i = interned_of(text);
	if (--i->refs > 0)
		return;
	hashmap_remove(&store->interned_index, hash_bytes(i->text, i->len), i->slot);
	/* Keep a minimal header as the free-list node. */
	struct interned *node = xrealloc(i, sizeof(*node));
	node->refs = store->interned_free;
	store->interned[node->slot] = node;
	store->interned_free = node->slot;
}

/* ---- series ------------------------------------------------------------- */

struct series_key {
	const char *part[5]; /* system, component, service, characteristic, time stream */
};

static uint64_t series_hash(const struct series_key *k)
{
	uint64_t h = hash_bytes("", 0);
	for (int i = 0; i < 5; i++)
		h = hash_mix(h, k->part[i], strlen(k->part[i]) + 1);
	return h;
}

static bool series_equal(const void *ctx, uint32_t slot, const void *key)
{
	const struct series *s = &((const struct store *)ctx)->series[slot];
	const struct series_key *k = key;
	return strcmp(s->characteristic, k->part[3]) == 0 && strcmp(s->component, k->part[1]) == 0 &&
	       strcmp(s->service, k->part[2]) == 0 && strcmp(s->system, k->part[0]) == 0 &&
	       strcmp(s->time_stream_uuid, k->part[4]) == 0;
}

static void lru_unlink(struct store *store, uint32_t slot)
{
	struct series *s = &store->series[slot];
	if (s->lru_prev != NO_SLOT)
		store->series[s->lru_prev].lru_next = s->lru_next;
	else
		store->lru_head = s->lru_next;
	if (s->lru_next != NO_SLOT)
		store->series[s->lru_next].lru_prev = s->lru_prev;
	else
		store->lru_tail = s->lru_prev;
	s->lru_prev = s->lru_next = NO_SLOT;
}

static void lru_push_front(struct store *store, uint32_t slot)
{
	struct series *s = &store->series[slot];
	s->lru_prev = NO_SLOT;
	s->lru_next = store->lru_head;
	if (store->lru_head != NO_SLOT)
		store->series[store->lru_head].lru_prev = slot;
	store->lru_head = slot;
	if (store->lru_tail == NO_SLOT)
		store->lru_tail = slot;
}

static void series_evict_oldest(struct store *store)
{
	uint32_t slot = store->lru_tail;
	struct series *s = &store->series[slot];
	struct series_key key = { { s->system, s->component, s->service, s->characteristic,
				    s->time_stream_uuid } };
	hashmap_remove(&store->series_index, series_hash(&key), slot);
	lru_unlink(store, slot);
	series_release(store, s);
	memset(s, 0, sizeof(*s));
	s->lru_next = store->free_head; /* free slots chain through lru_next */
	store->free_head = slot;
	store->series_live_bits[slot / 64] &= ~(UINT64_C(1) << (slot % 64));
	store->series_live--;
	store->counters.series_evicted++;
}

static struct series *series_get(struct store *store, const struct series_key *key)
{
	uint64_t hash = series_hash(key);
	uint32_t slot;
	if (hashmap_find(&store->series_index, hash, series_equal, store, key, &slot)) {
		if (store->lru_head != slot) {
			lru_unlink(store, slot);
			lru_push_front(store, slot);
		}
		return &store->series[slot];
	}
	if (store->limits.max_series == 0)
		return NULL;
	if (store->series_live >= store->limits.max_series)
		series_evict_oldest(store);
	if (store->free_head != NO_SLOT) {
		slot = store->free_head;
		store->free_head = store->series[slot].lru_next;
	} else {
		if (store->series_slots == store->series_capacity) {
			size_t old_words = store->series_capacity / 64;
			store->series_capacity = store->series_capacity ? store->series_capacity * 2 : 64;
			store->series = xrealloc(store->series,
						 store->series_capacity * sizeof(*store->series));
			size_t words = store->series_capacity / 64;
			store->series_live_bits = xrealloc(store->series_live_bits,
							   words * sizeof(*store->series_live_bits));
			memset(store->series_live_bits + old_words, 0,
			       (words - old_words) * sizeof(*store->series_live_bits));
		}
		slot = (uint32_t)store->series_slots++;
	}
	struct series *s = &store->series[slot];
	memset(s, 0, sizeof(*s));
	char **parts[5] = { &s->system, &s->component, &s->service, &s->characteristic,
			    &s->time_stream_uuid };
	for (int i = 0; i < 5; i++) {
		size_t len = strlen(key->part[i]);
		*parts[i] = (char *)intern_get(store, key->part[i],
					       len > STORE_FIELD_MAX ? STORE_FIELD_MAX : len);
	}
	s->live = true;
	store->series_live_bits[slot / 64] |= UINT64_C(1) << (slot % 64);
	s->last_time = s->received_at = TIME_UNKNOWN;
	s->lru_prev = s->lru_next = NO_SLOT;
	/* Index under the stored (possibly cut) key so lookups and removal agree. */
	struct series_key stored = { { s->system, s->component, s->service, s->characteristic,
				       s->time_stream_uuid } };
	hashmap_insert(&store->series_index, series_hash(&stored), slot);
	lru_push_front(store, slot);
	store->series_live++;
	return s;
}

static void series_record(struct store *store, struct series *s, const struct datapoint *dp,
			  double received_at)
{
	if (s->last.type == VALUE_NUMBER)
		s->prev_number = s->last.number;
	stored_value_set(store, &s->last, &dp->value);
	s->last_time = dp->time != TIME_UNKNOWN ? dp->time : received_at;
	s->received_at = received_at;
	s->updates++;
	s->changed = next_stamp(store);
	if (!store->series_log)
		store->series_log = xmalloc(SERIES_LOG_CAP * sizeof(*store->series_log));
	store->series_log[store->series_logged++ & (SERIES_LOG_CAP - 1)] =
		(struct series_change){ s->changed, (uint32_t)(s - store->series) };
	bool numeric = dp->value.type == VALUE_NUMBER || dp->value.type == VALUE_BOOL;
	if (!numeric || store->limits.history_len == 0)
		return;
	if (!s->ring)
		s->ring = xmalloc(store->limits.history_len * sizeof(*s->ring));
	s->ring[s->ring_head].time = s->last_time;
	s->ring[s->ring_head].value =
		dp->value.type == VALUE_BOOL ? (dp->value.boolean ? 1.0 : 0.0) : dp->value.number;
	s->ring_head = (uint32_t)((s->ring_head + 1) % store->limits.history_len);
	if (s->ring_filled < store->limits.history_len)
		s->ring_filled++;
}

size_t series_history(const struct series *series, struct sample *out, size_t max)
{
	size_t n = series->ring_filled < max ? series->ring_filled : max;
	if (!series->ring || n == 0)
		return 0;
	/* The capacity is not stored per series; `filled` stands in for it:
	 * before the ring wraps, head == filled and samples sit at 0..head-1;
	 * once it has wrapped, filled == capacity.  Either way the sample of a
	 * given age sits at (head - 1 - age) modulo filled. */
	size_t filled = series->ring_filled;
	for (size_t i = 0; i < n; i++) {
		size_t age = n - 1 - i; /* 0 = newest */
		out[i] = series->ring[(series->ring_head + 2 * filled - 1 - age) % filled];
	}
	return n;
}

size_t store_series_next_live(const struct store *store, size_t from)
{
	size_t words = (store->series_slots + 63) / 64;
	size_t w = from / 64;
	if (w >= words)
		return STORE_NO_SERIES;
	uint64_t bits = store->series_live_bits[w] & (~UINT64_C(0) << (from % 64));
	for (;;) {
		if (bits)
			return w * 64 + (size_t)__builtin_ctzll(bits);
		if (++w >= words)
			return STORE_NO_SERIES;
		bits = store->series_live_bits[w];
	}
}

bool store_series_changed_since(const struct store *store, uint64_t since,
				void (*visit)(void *ctx, size_t index), void *ctx)
{
	uint64_t n = store->series_logged;
	uint64_t kept = n < SERIES_LOG_CAP ? n : SERIES_LOG_CAP;
	for (uint64_t i = 1; i <= kept; i++) {
		const struct series_change *c = &store->series_log[(n - i) & (SERIES_LOG_CAP - 1)];
		if (c->stamp <= since)
			return true;
		visit(ctx, c->slot);
	}
	return n <= SERIES_LOG_CAP; /* else older changes were overwritten */
}

size_t series_span(const struct series *series, struct sample *oldest, struct sample *newest)
{
	size_t filled = series->ring_filled;
	if (!series->ring || filled == 0)
		return 0;
	/* as in series_history: the newest sits at head - 1, the oldest at head
	 * once the ring has wrapped (at 0 before, where head == filled) */
	*newest = series->ring[(series->ring_head + filled - 1) % filled];
	*oldest = series->ring[series->ring_head % filled];
	return filled;
}

/* ---- apply per family ---------------------------------------------------- */

static void apply_domain(struct store *store, const struct message_meta *msg,
			 const struct decode_result *r)
{
	struct domain *d = &store->domain;
	if (!store->have_domain) {
		d->created_at = d->updated_at = TIME_UNKNOWN;
		store->have_domain = true;
	}
	touch(store, &d->meta, msg);
	if (r->deleted) {
		d->meta.deleted = true;
		return;
	}
	const struct upd_domain *u = &r->u.domain;
	d->meta.known = true;
	d->meta.deleted = false;
	set_field(&d->uuid, u->uuid);
	set_field(&d->slug, u->slug);
	set_field(&d->name, u->name);
	set_field(&d->status, u->status);
	set_field(&d->owner_uuid, u->owner_uuid);
	set_time(&d->created_at, u->created_at);
	set_time(&d->updated_at, u->updated_at);
}

/* A .../state topic: the lifecycle word; DELETED removes the entity.  The
 * raw payload kept is the information message's (the inspector shows it and
 * a component model's characteristic catalogue lives in it), never the
 * state word. */
static void apply_state(struct store *store, struct entity_meta *meta, char **state,
			const struct message_meta *msg, const struct decode_result *r)
{
	meta->changed = next_stamp(store);
	meta->received_at = msg->received_at;
	meta->retained = msg->retained;
	if (r->deleted) {
		free(*state);
		*state = NULL;
		return;
	}
	set_field(state, r->u.state.state);
	if (strcmp(*state, "DELETED") == 0)
		meta->deleted = true;
}

/* The common head of every information topic and its /state twin: a state
 * word goes to `state`; an information message stamps the entity, and an
 * empty one deletes it.  True when the caller should copy the fields. */
static bool apply_head(struct store *store, struct entity_meta *meta, char **state, bool is_state,
		       const struct message_meta *msg, const struct decode_result *r)
{
	if (is_state) {
		apply_state(store, meta, state, msg, r);
		return false;
	}
	touch(store, meta, msg);
	meta->deleted = r->deleted;
	if (r->deleted)
		return false;
	meta->known = true;
	return true;
}

static void apply_organization(struct store *store, const char *uuid,
			       const struct message_meta *msg, const struct decode_result *r)
{
	struct organization *o = entity_get_str(store, STORE_KIND_ORGANIZATIONS, uuid, NULL);
	if (!o)
		return;
	bool go = apply_head(store, &o->meta, &o->state, r->family == TOPIC_ORGANIZATION_STATE, msg, r);
	note_evictable(store, STORE_KIND_ORGANIZATIONS, o);
	if (!go)
		return;
	const struct upd_organization *u = &r->u.organization;
	set_field(&o->name, u->name);
	set_field(&o->alias, u->alias);
	set_field(&o->status, u->status);
	set_time(&o->created_at, u->created_at);
	set_time(&o->updated_at, u->updated_at);
}

static void apply_system(struct store *store, const char *uuid, const struct message_meta *msg,
			 const struct decode_result *r)
{
	struct system *s = system_get(store, uuid);
	if (!s)
		return;
	bool go = apply_head(store, &s->meta, &s->state, r->family == TOPIC_SYSTEM_STATE, msg, r);
	note_evictable(store, STORE_KIND_SYSTEMS, s);
	if (!go)
		return;
	const struct upd_system *u = &r->u.system;
	set_field(&s->code, u->code);
	set_field(&s->name, u->name);
	set_field(&s->description, u->description);
	set_field(&s->status, u->status);
	set_field(&s->connection_state, u->connection_state);
	set_time(&s->connection_state_updated_at, u->connection_state_updated_at);
	set_time(&s->created_at, u->created_at);
	set_time(&s->updated_at, u->updated_at);
}

static void apply_component(struct store *store, const char *system_uuid, const char *code,
			    const struct message_meta *msg, const struct decode_result *r)
{
	struct component *c = component_get(store, system_uuid, code);
	if (!c)
		return;
	touch(store, &c->meta, msg);
	if (r->deleted) {
		component_set_presence(store, c, c->meta.known, true);
		note_evictable(store, STORE_KIND_COMPONENTS, c);
		return;
	}
	const struct upd_component *u = &r->u.component;
	component_set_uuid(store, c, u->uuid);
	set_field(&c->name, u->name);
	set_field(&c->component_model_uuid, u->component_model_uuid);
	set_field(&c->connection_state, u->connection_state);
	set_field(&c->status, u->status);
	set_time(&c->connection_state_updated_at, u->connection_state_updated_at);
	set_time(&c->created_at, u->created_at);
	set_time(&c->updated_at, u->updated_at);
	component_set_presence(store, c, true, false);
}

static void apply_component_model(struct store *store, const char *uuid,
				  const struct message_meta *msg, const struct decode_result *r)
{
	bool created;
	struct component_model *m =
		entity_get_str(store, STORE_KIND_COMPONENT_MODELS, uuid, &created);
	if (!m)
		return;
	if (created)
		m->is_connective = -1;
	bool go = apply_head(store, &m->meta, &m->state, r->family == TOPIC_COMPONENT_MODEL_STATE,
			     msg, r);
	note_evictable(store, STORE_KIND_COMPONENT_MODELS, m);
	if (!go)
		return;
	const struct upd_component_model *u = &r->u.component_model;
	set_field(&m->code, u->code);
	set_field(&m->name, u->name);
	set_field(&m->description, u->description);
	set_field(&m->component_type, u->component_type);
	set_field(&m->status, u->status);
	if (u->is_connective >= 0)
		m->is_connective = u->is_connective;
}

static void apply_event_model(struct store *store, const char *uuid,
			      const struct message_meta *msg, const struct decode_result *r)
{
	struct event_model *m = entity_get_str(store, STORE_KIND_EVENT_MODELS, uuid, NULL);
	if (!m)
		return;
	bool go = apply_head(store, &m->meta, &m->state, r->family == TOPIC_EVENT_MODEL_STATE, msg, r);
	note_evictable(store, STORE_KIND_EVENT_MODELS, m);
	if (!go)
		return;
	const struct upd_event_model *u = &r->u.event_model;
	set_field(&m->code, u->code);
	set_field(&m->event_type, u->event_type);
	set_field(&m->entity_type, u->entity_type);
	set_field(&m->message, u->message);
	set_field(&m->status, u->status);
	set_field(&m->level_text, u->event_level);
	enum event_level level = event_level_parse(m->level_text);
	if (level != m->level) {
		/* Events may have arrived before their model: re-count them all
		 * (models change rarely, events are few compared to datapoints). */
		m->level = level;
		for (size_t i = 0; i < store->events.count; i++) {
			struct event *e = table_at(&store->events, i);
			if (e->event_model_uuid && strcmp(e->event_model_uuid, uuid) == 0)
				event_recount(store, e);
		}
	}
}

static void apply_event(struct store *store, const char *uuid, const char *system_uuid,
			const struct message_meta *msg, const struct decode_result *r)
{
	bool created;
	struct event *e = entity_get_str(store, STORE_KIND_EVENTS, uuid, &created);
	if (!e)
		return;
	if (created)
		e->time = e->end_time = TIME_UNKNOWN;
	touch(store, &e->meta, msg);
	set_field(&e->system_uuid, system_uuid);
	if (r->deleted) {
		e->meta.deleted = true;
	} else {
		const struct upd_event *u = &r->u.event;
		e->meta.known = true;
		e->meta.deleted = false;
		set_field(&e->event_model_uuid, u->event_model_uuid);
		set_field(&e->entity_uuid, u->entity_uuid);
		if (u->status || u->end_time != TIME_UNKNOWN) {
			free(e->status);
			e->status = u->status ? dup_field(u->status) : NULL;
		}
		if (u->acknowledged >= 0)
			e->acknowledged = u->acknowledged;
		set_time(&e->time, u->time);
		set_time(&e->end_time, u->end_time);
	}
	event_recount(store, e);
	note_evictable(store, STORE_KIND_EVENTS, e);
}

static void setpoint_set_state(struct store *store, struct setpoint *p, const char *state,
			       double when)
{
	enum setpoint_state s = setpoint_state_parse(state);
	if (s == SETPOINT_UNKNOWN || s == p->state)
		return;
	/* ACCEPTED and REJECTED are final: a late CREATED does not undo them. */
	if (s == SETPOINT_CREATED && p->state != SETPOINT_UNKNOWN)
		return;
	p->state = s;
	p->state_changed_at = when;
	(void)store;
}

static struct setpoint *setpoint_get(struct store *store, const char *receipt_id, double now)
{
	bool created;
	struct setpoint *p = entity_get_str(store, STORE_KIND_SETPOINTS, receipt_id, &created);
	if (p && created) {
		p->time = TIME_UNKNOWN;
		p->first_seen_at = now;
		p->state_changed_at = now;
	}
	return p;
}

static void apply_setpoint(struct store *store, const char *system_uuid,
			   const struct message_meta *msg, const struct decode_result *r)
{
	const struct upd_setpoint *u = &r->u.setpoint;
	if (r->deleted)
		return; /* the topic holds no single setpoint to delete */
	const char *key = u->receipt_id ? u->receipt_id : u->uuid;
	struct setpoint *p = setpoint_get(store, key, msg->received_at);
	if (!p)
		return;
	touch(store, &p->meta, msg);
	p->meta.known = true;
	set_field(&p->uuid, u->uuid);
	set_field(&p->type, u->type);
	set_field(&p->message, u->message);
	set_field(&p->system_uuid, u->addr.system_uuid ? u->addr.system_uuid : system_uuid);
	set_field(&p->component_code,
		  u->addr.component_code ? u->addr.component_code : u->addr.component_uuid);
	set_field(&p->service_code, u->addr.service_code ? u->addr.service_code : u->addr.service_uuid);
	set_field(&p->characteristic_code, u->addr.characteristic_code
						   ? u->addr.characteristic_code
						   : u->addr.characteristic_uuid);
	set_field(&p->time_stream_uuid, u->addr.time_stream_uuid);
	set_time(&p->time, u->time);
	if (u->value.type != VALUE_ABSENT)
		stored_value_set(store, &p->value, &u->value);
	setpoint_set_state(store, p, u->state ? u->state : "CREATED", msg->received_at);
	note_evictable(store, STORE_KIND_SETPOINTS, p);
}

static void apply_setpoint_ack(struct store *store, const char *system_uuid,
			       const struct message_meta *msg, const struct decode_result *r)
{
	const struct upd_setpoint_ack *u = &r->u.setpoint_ack;
	struct setpoint *p = setpoint_get(store, u->receipt_id, msg->received_at);
	if (!p)
		return;
	/* The ack may overtake the setpoint itself: keep it as a stub that the
	 * delivered setpoint fills in later. */
	p->meta.changed = next_stamp(store);
	p->meta.received_at = msg->received_at;
	set_field(&p->system_uuid, system_uuid);
	set_field(&p->message, u->message);
	setpoint_set_state(store, p, u->state, msg->received_at);
	note_evictable(store, STORE_KIND_SETPOINTS, p);
}

static void apply_tokens(struct store *store, const char *system_uuid,
			 const struct message_meta *msg, const struct decode_result *r)
{
	struct token_list *l = entity_get_str(store, STORE_KIND_TOKEN_LISTS, system_uuid, NULL);
	if (!l)
		return;
	touch(store, &l->meta, msg);
	token_list_clear(l);
	l->meta.deleted = r->deleted;
	if (r->deleted) {
		note_evictable(store, STORE_KIND_TOKEN_LISTS, l);
		return;
	}
	l->meta.known = true;
	const struct upd_tokens *u = &r->u.tokens;
	l->items = xcalloc(u->count, sizeof(*l->items));
	l->count = u->count;
	for (size_t i = 0; i < u->count; i++) {
		const struct token *t = &u->items[i];
		struct stored_token *s = &l->items[i];
		set_field(&s->uuid, t->uuid);
		set_field(&s->status, t->status);
		if (t->token) /* a JWT may be long; keep it whole up to the payload cap */
			s->token = xstrdup(t->token);
		set_field(&s->subject_uuid, t->subject_uuid);
		set_field(&s->subject_name, t->subject_name);
		set_field(&s->subject_type, t->subject_type);
		s->created_at = t->created_at;
		s->expires_at = t->expires_at;
		s->not_before = t->not_before;
		size_t len = 0;
		for (size_t k = 0; k < t->role_count; k++)
			len += (t->roles[k].name ? strlen(t->roles[k].name) : 1) + 2;
		s->roles = xcalloc(1, len + 1);
		for (size_t k = 0; k < t->role_count; k++) {
			if (k)
				strcat(s->roles, ", ");
			strcat(s->roles, t->roles[k].name ? t->roles[k].name : "?");
		}
	}
}

static void apply_jwks(struct store *store, const struct decode_result *r)
{
	jwks_clear(store);
	if (r->deleted)
		return;
	const struct upd_jwks *u = &r->u.jwks;
	store->jwks = xcalloc(u->count, sizeof(*store->jwks));
	store->jwks_count = u->count;
	for (size_t i = 0; i < u->count; i++) {
		const struct jwk *k = &u->items[i];
		struct jwks_key *s = &store->jwks[i];
		set_field(&s->kid, k->kid);
		set_field(&s->kty, k->kty);
		set_field(&s->alg, k->alg);
		set_field(&s->use, k->use);
		if (k->n) /* moduli are long base64url strings: keep whole */
			s->n = xstrdup(k->n);
		set_field(&s->e, k->e);
	}
}

/* Builds the series key parts of a datapoint (see struct series_key). */
static void datapoint_key(const struct datapoint *dp, const char *topic_system,
			  struct series_key *key, char *service_buf, size_t service_size)
{
	const struct stream_address *a = &dp->addr;
	key->part[0] = a->system_uuid    ? a->system_uuid
		       : topic_system    ? topic_system
		       : a->system_code  ? a->system_code
					 : "";
	key->part[1] = a->component_code ? a->component_code : a->component_uuid ? a->component_uuid : "";
	const char *service = a->service_code ? a->service_code : a->service_uuid ? a->service_uuid : "";
	if (a->service_index > 0) {
		snprintf(service_buf, service_size, "%s#%d", service, a->service_index);
		service = service_buf;
	}
	key->part[2] = service;
	key->part[3] = a->characteristic_code	? a->characteristic_code
		       : a->characteristic_uuid ? a->characteristic_uuid
						: "";
	key->part[4] = a->time_stream_uuid ? a->time_stream_uuid : "";
}

static void apply_datapoints(struct store *store, const char *topic_system,
			     const struct message_meta *msg, const struct decode_result *r)
{
	const struct upd_datapoints *u = &r->u.datapoints;
	for (size_t i = 0; i < u->count; i++) {
		const struct datapoint *dp = &u->items[i];
		struct series_key key;
		char service_buf[STORE_FIELD_MAX + 16];
		datapoint_key(dp, topic_system, &key, service_buf, sizeof(service_buf));
		struct series *s = series_get(store, &key);
		if (!s)
			continue;
		series_record(store, s, dp, msg->received_at);
		/* Ages shown on systems and components; only touch known ones so a
		 * flood of datapoints does not create stubs. */
		struct system *sys = table_find_str(&store->systems, s->system);
		if (sys) {
			sys->last_datapoint_at = msg->received_at;
			sys->meta.changed = s->changed;
		}
		struct component *c = component_find(store, s->system, s->component);
		if (c) {
			c->last_datapoint_at = msg->received_at;
			c->meta.changed = s->changed;
		}
	}
}

/* ---- inputs, errors, unclassified --------------------------------------- */

static bool input_equal(const void *ctx, uint32_t slot, const void *key)
{
	const struct store *store = ctx;
	return store->inputs[slot].topic && strcmp(store->inputs[slot].topic, key) == 0;
}

static struct input_seen *input_find(const struct store *store, const char *topic, size_t len)
{
	uint32_t slot;
	if (!hashmap_find(&store->inputs_index, hash_bytes(topic, len), input_equal, store, topic,
			  &slot))
		return NULL;
	return &store->inputs[slot];
}

const struct raw_payload *store_last_input(const struct store *store, const char *topic,
					   double *received_at)
{
	const struct input_seen *in = input_find(store, topic, strlen(topic));
	if (!in)
		return NULL;
	*received_at = in->time;
	return &in->payload;
}

/* Remembers the last payload seen on an input topic (our own requests come
 * back to us too), so an /error reply can be shown next to what caused it. */
static void remember_input(struct store *store, const char *topic, const struct message_meta *msg)
{
	struct input_seen *in = input_find(store, topic, msg->topic_len);
	if (!in) {
		uint32_t slot = (uint32_t)(store->inputs_total % store->limits.max_inputs);
		in = &store->inputs[slot];
		if (in->topic) {
			hashmap_remove(&store->inputs_index, hash_bytes(in->topic, strlen(in->topic)),
				       slot);
			free(in->topic);
			store->counters.inputs_evicted++;
		}
		in->topic = xstrndup(topic, msg->topic_len);
		hashmap_insert(&store->inputs_index, hash_bytes(topic, msg->topic_len), slot);
		store->inputs_total++;
	}
	raw_keep(store, &in->payload, msg->payload, msg->payload_len);
	in->time = msg->received_at;
}

static struct error_record *error_record_new(struct store *store, const struct message_meta *msg,
					     enum error_record_kind kind, const char *topic)
{
	size_t slot = store->errors_total % store->limits.max_errors;
	struct error_record *r = &store->errors[slot];
	if (r->topic)
		store->counters.errors_evicted++;
	error_record_clear(store, r);
	r->seq = ++store->errors_total;
	r->time = msg->received_at;
	r->kind = kind;
	r->topic = xstrdup(topic);
	r->answers_family = TOPIC_UNCLASSIFIED;
	raw_keep(store, &r->payload, msg->payload, msg->payload_len);
	next_stamp(store);
	return r;
}

static void add_error_reply(struct store *store, const char *topic, const struct message_meta *msg,
			    const struct topic_match *m, const struct decode_result *res)
{
	struct error_record *r = error_record_new(store, msg, ERROR_RECORD_REPLY, topic);
	r->family = TOPIC_ERROR_REPLY;
	r->answers_family = m->answers_family;
	if (m->answers_topic.ptr) {
		r->answers_topic = xstrndup(m->answers_topic.ptr, m->answers_topic.len);
		struct input_seen *in = input_find(store, r->answers_topic, m->answers_topic.len);
		if (in && in->payload.bytes)
			raw_keep(store, &r->answered_input, in->payload.bytes, in->payload.len);
	}
	char id[TOPIC_ID_MAX + 1];
	const char *system = topic_id(m, TOPIC_ID_SYSTEM_UUID, id, sizeof(id));
	if (system)
		r->system_uuid = xstrdup(system);
	if (res->ok) {
		if (res->u.error_reply.message)
			r->message = dup_field(res->u.error_reply.message);
		if (res->u.error_reply.code)
			r->code = dup_field(res->u.error_reply.code);
		if (!r->message && res->u.error_reply.kind == ERROR_PAYLOAD_BINARY)
			r->message = xstrdup("(binary payload)");
	} else {
		r->message = dup_field(res->error_message);
	}
	store->counters.error_replies++;
}

static void add_decode_error(struct store *store, const char *topic, const struct message_meta *msg,
			     const struct topic_match *m, const struct decode_result *res)
{
	struct error_record *r = error_record_new(store, msg, ERROR_RECORD_DECODE, topic);
	r->family = m->family;
	char id[TOPIC_ID_MAX + 1];
	const char *system = topic_id(m, TOPIC_ID_SYSTEM_UUID, id, sizeof(id));
	if (system)
		r->system_uuid = xstrdup(system);
	r->field = dup_field(res->error_field);
	r->message = dup_field(res->error_message);
	store->counters.decode_errors++;
}

/* A message that was applied but carried something suspicious. */
static void add_decode_warning(struct store *store, const char *topic,
			       const struct message_meta *msg, const struct topic_match *m,
			       const struct decode_result *res)
{
	struct error_record *r = error_record_new(store, msg, ERROR_RECORD_DECODE, topic);
	r->family = m->family;
	r->warning = true;
	char id[TOPIC_ID_MAX + 1];
	const char *system = topic_id(m, TOPIC_ID_SYSTEM_UUID, id, sizeof(id));
	if (system)
		r->system_uuid = xstrdup(system);
	r->field = dup_field(res->warning_field);
	r->message = dup_field(res->warning_message);
	store->counters.decode_warnings++;
}

static void add_unclassified(struct store *store, const char *topic, const struct message_meta *msg,
			     const struct topic_match *m)
{
	struct unclassified_topic *u = table_find_str(&store->unclassified_topics, topic);
	if (!u) {
		if (store->unclassified_topics.count >= store->limits.max_unclassified) {
			store->counters.unclassified_dropped++;
			return;
		}
		u = table_get_str(&store->unclassified_topics, topic, NULL);
		free(u->topic); /* table_get_str cut the key at STORE_FIELD_MAX: keep it whole */
		u->topic = xstrdup(topic);
		u->meta.known = true;
	}
	touch(store, &u->meta, msg);
	u->reason = m->unclassified_reason ? m->unclassified_reason : "no pattern matches";
	u->count++;
}

/* ---- entry point -------------------------------------------------------- */

/* The topic id a family's entity is keyed by.  A site's pattern override may
 * drop it; such messages become decode errors instead of anonymous entities. */
static bool family_required_id(enum topic_family family, enum topic_id *id)
{
	switch (family) {
	case TOPIC_ORGANIZATION:
	case TOPIC_ORGANIZATION_STATE:
		*id = TOPIC_ID_ORGANIZATION_UUID;
		return true;
	case TOPIC_SYSTEM:
	case TOPIC_SYSTEM_STATE:
	case TOPIC_COMPONENT:
	case TOPIC_LOCAL_API_TOKENS:
		*id = TOPIC_ID_SYSTEM_UUID;
		return true;
	case TOPIC_COMPONENT_MODEL:
	case TOPIC_COMPONENT_MODEL_STATE:
		*id = TOPIC_ID_COMPONENT_MODEL_UUID;
		return true;
	case TOPIC_EVENT_MODEL:
	case TOPIC_EVENT_MODEL_STATE:
		*id = TOPIC_ID_EVENT_MODEL_UUID;
		return true;
	default:
		return false;
	}
}

static void add_missing_id_error(struct store *store, const char *topic,
				 const struct message_meta *msg, const struct topic_match *m,
				 enum topic_id id)
{
	struct error_record *r = error_record_new(store, msg, ERROR_RECORD_DECODE, topic);
	r->family = m->family;
	r->field = xstrdup("");
	char text[128];
	snprintf(text, sizeof(text), "topic carries no {%s} (check the topic pattern)",
		 topic_id_name(id));
	r->message = xstrdup(text);
	store->counters.decode_errors++;
}

void store_apply(struct store *store, const struct message_meta *msg,
		 const struct topic_match *m, const struct decode_result *r)
{
	uint64_t stamp_before = store->stamp;
	store->counters.messages++;
	store->counters.bytes += msg->payload_len;
	store->counters.by_family[m->family < TOPIC_FAMILY_COUNT ? m->family : TOPIC_UNCLASSIFIED]++;

	/* Topics are not NUL-terminated on the wire; records need a C string. */
	char small[512];
	char *topic = msg->topic_len < sizeof(small) ? small : xmalloc(msg->topic_len + 1);
	memcpy(topic, msg->topic, msg->topic_len);
	topic[msg->topic_len] = '\0';

	char sys_buf[TOPIC_ID_MAX + 1], id_buf[TOPIC_ID_MAX + 1];
	const char *system_uuid = topic_id(m, TOPIC_ID_SYSTEM_UUID, sys_buf, sizeof(sys_buf));
	enum topic_id required;

	if (m->family == TOPIC_UNCLASSIFIED) {
		store->counters.unclassified_messages++;
		add_unclassified(store, topic, msg, m);
	} else if (m->family == TOPIC_ERROR_REPLY) {
		add_error_reply(store, topic, msg, m, r);
	} else if (!r->ok) {
		add_decode_error(store, topic, msg, m, r);
	} else if (family_required_id(m->family, &required) && !m->ids[required].ptr) {
		add_missing_id_error(store, topic, msg, m, required);
	} else if (m->family == TOPIC_COMPONENT && !m->ids[TOPIC_ID_COMPONENT_CODE].ptr) {
		add_missing_id_error(store, topic, msg, m, TOPIC_ID_COMPONENT_CODE);
	} else {
		if (r->deleted)
			store->counters.deletions++;
		switch (m->family) {
		case TOPIC_DOMAIN:
			apply_domain(store, msg, r);
			break;
		case TOPIC_DOMAIN_STATE:
			if (!store->have_domain) {
				store->domain.created_at = store->domain.updated_at = TIME_UNKNOWN;
				store->have_domain = true;
			}
			apply_state(store, &store->domain.meta, &store->domain.state, msg, r);
			break;
		case TOPIC_ORGANIZATION:
		case TOPIC_ORGANIZATION_STATE:
			apply_organization(store,
					   topic_id(m, TOPIC_ID_ORGANIZATION_UUID, id_buf, sizeof(id_buf)),
					   msg, r);
			break;
		case TOPIC_SYSTEM:
		case TOPIC_SYSTEM_STATE:
			apply_system(store, system_uuid, msg, r);
			break;
		case TOPIC_COMPONENT:
			apply_component(store, system_uuid,
					topic_id(m, TOPIC_ID_COMPONENT_CODE, id_buf, sizeof(id_buf)),
					msg, r);
			break;
		case TOPIC_COMPONENT_MODEL:
		case TOPIC_COMPONENT_MODEL_STATE:
			apply_component_model(
				store, topic_id(m, TOPIC_ID_COMPONENT_MODEL_UUID, id_buf, sizeof(id_buf)),
				msg, r);
			break;
		case TOPIC_EVENT_MODEL:
		case TOPIC_EVENT_MODEL_STATE:
			apply_event_model(store,
					  topic_id(m, TOPIC_ID_EVENT_MODEL_UUID, id_buf, sizeof(id_buf)),
					  msg, r);
			break;
		case TOPIC_EVENT: {
			const char *uuid = topic_id(m, TOPIC_ID_EVENT_UUID, id_buf, sizeof(id_buf));
			if (!uuid && !r->deleted)
				uuid = r->u.event.uuid;
			if (uuid)
				apply_event(store, uuid, system_uuid, msg, r);
			break;
		}
		case TOPIC_SETPOINT:
			apply_setpoint(store, system_uuid, msg, r);
			break;
		case TOPIC_LOCAL_API_TOKENS:
			apply_tokens(store, system_uuid, msg, r);
			break;
		case TOPIC_JWKS:
			apply_jwks(store, r);
			break;
		case TOPIC_DATAPOINT_INPUT:
			remember_input(store, topic, msg);
			apply_datapoints(store, system_uuid, msg, r);
			break;
		case TOPIC_SETPOINT_ACK:
			remember_input(store, topic, msg);
			apply_setpoint_ack(store, system_uuid, msg, r);
			break;
		case TOPIC_SYSTEM_INPUT:
		case TOPIC_COMPONENT_INPUT:
		case TOPIC_SETPOINT_INPUT:
		case TOPIC_EVENT_INPUT_SYSTEM:
		case TOPIC_EVENT_INPUT_COMPONENT:
		case TOPIC_EVENT_ACK:
			/* Confirmation of these comes from the information topics;
			 * we only remember what was asked, for the error pane. */
			remember_input(store, topic, msg);
			next_stamp(store);
			break;
		case TOPIC_ERROR_REPLY:
		case TOPIC_UNCLASSIFIED:
		case TOPIC_FAMILY_COUNT:
			break;
		}
	}
	if (r->ok && r->warning_message[0] && m->family != TOPIC_ERROR_REPLY &&
	    m->family != TOPIC_UNCLASSIFIED)
		add_decode_warning(store, topic, msg, m, r);
	if (topic != small)
		free(topic);
	if (store->stamp != stamp_before && m->family < TOPIC_FAMILY_COUNT)
		store->family_stamp[m->family] = store->stamp;
}

uint64_t store_family_stamp(const struct store *store, enum topic_family family)
{
	return family < TOPIC_FAMILY_COUNT ? store->family_stamp[family] : store->stamp;
}

/* ---- accessors ---------------------------------------------------------- */

uint64_t store_stamp(const struct store *store)
{
	return store->stamp;
}

const struct store_counters *store_counters(const struct store *store)
{
	return &store->counters;
}

const struct store_limits *store_limits(const struct store *store)
{
	return &store->limits;
}

const struct domain *store_domain(const struct store *store)
{
	return store->have_domain ? &store->domain : NULL;
}

#define X(type, plural)                                                                 \
	size_t store_##plural##_count(const struct store *store)                         \
	{                                                                                \
		return store->plural.count;                                              \
	}                                                                                \
	const struct type *store_##type##_at(const struct store *store, size_t index)     \
	{                                                                                \
		return index < store->plural.count ? table_at(&store->plural, index) : NULL; \
	}
STORE_COLLECTION_LIST(X)
#undef X

const struct organization *store_find_organization(const struct store *store, const char *uuid)
{
	return table_find_str(&store->organizations, uuid);
}

bool store_pin_system(struct store *store, const char *uuid)
{
	struct system *s = uuid ? system_get(store, uuid) : NULL;
	if (s)
		s->pins++;
	return s != NULL;
}

void store_unpin_system(struct store *store, const char *uuid)
{
	struct system *s = uuid ? table_find_str(&store->systems, uuid) : NULL;
	if (s && s->pins && --s->pins == 0)
		note_evictable(store, STORE_KIND_SYSTEMS, s);
}

const struct system *store_find_system(const struct store *store, const char *uuid)
{
	return table_find_str(&store->systems, uuid);
}

const struct component *store_find_component(const struct store *store, const char *system_uuid,
					     const char *code)
{
	return component_find(store, system_uuid, code);
}

const struct component *store_find_component_by_uuid(const struct store *store, const char *uuid)
{
	uint32_t slot;
	if (!uuid || !hashmap_find(&store->components_by_uuid, hash_bytes(uuid, strlen(uuid)),
				   component_uuid_equal, &store->components, uuid, &slot))
		return NULL;
	return table_at(&store->components, slot);
}

const struct component_model *store_find_component_model(const struct store *store,
							 const char *uuid)
{
	return table_find_str(&store->component_models, uuid);
}

const struct event_model *store_find_event_model(const struct store *store, const char *uuid)
{
	return table_find_str(&store->event_models, uuid);
}

const struct event *store_find_event(const struct store *store, const char *uuid)
{
	return table_find_str(&store->events, uuid);
}

const struct setpoint *store_find_setpoint(const struct store *store, const char *receipt_id)
{
	return table_find_str(&store->setpoints, receipt_id);
}

const struct token_list *store_find_token_list(const struct store *store, const char *system_uuid)
{
	return table_find_str(&store->token_lists, system_uuid);
}

const struct unclassified_topic *store_find_unclassified(const struct store *store,
							 const char *topic)
{
	return table_find_str(&store->unclassified_topics, topic);
}

size_t store_series_slots(const struct store *store)
{
	return store->series_slots;
}

const struct series *store_series_at(const struct store *store, size_t index)
{
	return index < store->series_slots ? &store->series[index] : NULL;
}

size_t store_series_live(const struct store *store)
{
	return store->series_live;
}

const struct series *store_find_series(const struct store *store, const char *system,
				       const char *component, const char *service,
				       const char *characteristic)
{
	struct series_key key = { { system, component, service, characteristic, "" } };
	uint32_t slot;
	if (!hashmap_find(&store->series_index, series_hash(&key), series_equal, store, &key, &slot))
		return NULL;
	return &store->series[slot];
}

size_t store_jwks_count(const struct store *store)
{
	return store->jwks_count;
}

const struct jwks_key *store_jwks_at(const struct store *store, size_t index)
{
	return index < store->jwks_count ? &store->jwks[index] : NULL;
}

size_t store_errors_count(const struct store *store)
{
	return store->errors_total < store->limits.max_errors ? store->errors_total
							       : store->limits.max_errors;
}

const struct error_record *store_error_at(const struct store *store, size_t newest_index)
{
	if (newest_index >= store_errors_count(store))
		return NULL;
	size_t seq = store->errors_total - 1 - newest_index;
	return &store->errors[seq % store->limits.max_errors];
}
