/* store — the live model of one DRIVR domain, built from decoded messages.
 *
 * Entities live in arrays (stable indices, never moved between slots) with
 * hash indexes on their keys, so applying an update is O(1).  Every entity
 * carries the store stamp of its last change, so a view can redraw only what
 * changed.  Memory is bounded by struct store_limits; whatever is evicted,
 * truncated or dropped is counted in struct store_counters.
 *
 * Ownership: the store owns every string it holds (copied on apply); pointers
 * returned by the accessors are borrowed and valid until the next apply.
 * Pure module: no I/O, no globals. */
#ifndef DRIVR_STORE_H
#define DRIVR_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "decode.h"
#include "message.h"
#include "topics.h"

/* The entity kinds with a cap of their own (store_limits.max_entities). */
#define STORE_KIND_LIST(X)                         \
	X(ORGANIZATIONS, organizations, "organizations") \
	X(SYSTEMS, systems, "systems")                     \
	X(COMPONENTS, components, "components")            \
	X(COMPONENT_MODELS, component_models, "component models") \
	X(EVENT_MODELS, event_models, "event models")      \
	X(EVENTS, events, "events")                        \
	X(SETPOINTS, setpoints, "setpoints")               \
	X(TOKEN_LISTS, token_lists, "token lists")

enum store_kind {
#define X(e, table, name) STORE_KIND_##e,
	STORE_KIND_LIST(X)
#undef X
	STORE_KIND_COUNT
};

const char *store_kind_name(enum store_kind kind); /* "systems", ... */

struct store_limits {
	/* Entities kept per kind (0: no cap).  At the cap a new entity takes
	 * the slot of one that is over: deleted (any kind), a resolved
	 * event, a final setpoint (ACCEPTED / REJECTED) — never a pinned
	 * system.  When none
	 * is over, the new entity is refused.  Both counted per kind. */
	size_t max_entities[STORE_KIND_COUNT];
	size_t history_len;       /* samples kept per numeric series (ring) */
	size_t max_series;        /* beyond: least recently updated series evicted */
	size_t max_errors;        /* error records kept (oldest evicted) */
	size_t max_unclassified;  /* distinct unclassified topics kept (new ones dropped) */
	size_t max_inputs;        /* input topics remembered for error correlation */
	size_t max_payload_bytes; /* longest raw payload kept; longer ones truncated */
	size_t payload_budget;    /* total bytes of raw payloads and of the text of
				   * last values (series, setpoints) kept; beyond:
				   * payloads not kept, values cut to STORE_VALUE_MIN */
};

/* Defaults the options table (config.h) shows and sets, kept here once
 * because the store uses them too: samples per series, and --max-memory in
 * MiB, sized for a 100 000-system domain (docs/configuration.md). */
#define STORE_DEFAULT_HISTORY 120
#define STORE_DEFAULT_MAX_MEMORY_MIB 2048
/* The store's share of the default --max-memory: all but the inbox's
 * eighth (config_memory_split). */
#define STORE_DEFAULT_MEMORY (((size_t)STORE_DEFAULT_MAX_MEMORY_MIB << 20) / 8 * 7)

/* A string value kept beyond the payload budget is cut to this many bytes. */
#define STORE_VALUE_MIN 64

/* STORE_DEFAULT_HISTORY samples, 2 000 errors, 1 000 unclassified topics,
 * 4 096 inputs, 16 KiB per payload; the payload budget, series and entity
 * caps as store_limits_for_memory(STORE_DEFAULT_MEMORY).  (--max-series
 * lowers max_series further: headless_store_limits.) */
void store_limits_default(struct store_limits *limits);

/* Sizes every cap from one byte budget (--max-memory minus the inbox's
 * share): payload budget, series and entity counts from what each costs
 * (docs/configuration.md has the figures).  history_len is kept. */
void store_limits_for_memory(struct store_limits *limits, size_t bytes);
/* What one entity of a kind costs (struct, index entry, typical strings). */
size_t store_entity_cost(enum store_kind kind);
/* What one series costs with history_len samples. */
size_t store_series_cost(size_t history_len);

/* struct message_meta: one received message as handed to the store (message.h). */

/* The last raw payload of an entity, for the inspector. */
struct raw_payload {
	char *bytes;       /* owned, NUL-terminated for convenience; NULL if not kept */
	uint32_t len;      /* bytes kept */
	uint32_t orig_len; /* bytes received */
	bool truncated;
};

struct entity_meta {
	uint64_t changed;   /* store stamp of the last change */
	double received_at; /* wall clock of the last message */
	bool retained;
	bool deleted;       /* an empty retained payload or state DELETED removed it */
	bool known;         /* false: a stub created because something referred to it */
	struct raw_payload raw;
};

/* A value as the store keeps it: STRING and JSON are owned text. */
struct stored_value {
	enum value_type type;
	bool is_integer;
	bool boolean;
	double number;
	char *text; /* STRING: the string; JSON: compact JSON text */
};

enum event_level { LEVEL_UNKNOWN, LEVEL_SUCCESS, LEVEL_INFO, LEVEL_WARNING, LEVEL_ERROR, LEVEL_COUNT };
enum setpoint_state { SETPOINT_UNKNOWN, SETPOINT_CREATED, SETPOINT_ACCEPTED, SETPOINT_REJECTED };

struct domain {
	struct entity_meta meta;
	char *uuid, *slug, *name, *status, *state, *owner_uuid;
	double created_at, updated_at;
};

struct organization {
	struct entity_meta meta;
	char *uuid, *name, *alias, *status, *state;
	double created_at, updated_at;
};

struct system {
	struct entity_meta meta;
	char *uuid, *code, *name, *description, *status, *state, *connection_state;
	double connection_state_updated_at, created_at, updated_at;
	uint32_t component_count;
	uint32_t active_events[LEVEL_COUNT]; /* ACTIVE events by level */
	double last_datapoint_at;
	uint32_t pins; /* store_pin_system(): never evicted while > 0 */
};

struct component {
	struct entity_meta meta;
	char *system_uuid, *code; /* the key: system uuid + code */
	char *uuid, *name, *component_model_uuid, *connection_state, *status;
	double connection_state_updated_at, created_at, updated_at;
	double last_datapoint_at;
};

struct component_model {
	struct entity_meta meta;
	char *uuid, *code, *name, *description, *component_type, *status, *state;
	int is_connective;
};

struct event_model {
	struct entity_meta meta;
	char *uuid, *code, *event_type, *entity_type, *message, *status, *state;
	enum event_level level;
	char *level_text; /* as received, for levels the console does not know */
};

struct event {
	struct entity_meta meta;
	char *uuid, *event_model_uuid, *entity_uuid, *system_uuid, *status;
	bool acknowledged;
	double time, end_time;
	enum event_level counted_level; /* level it is counted under while ACTIVE */
	bool counted_active;
};

/* One sample of a numeric (or boolean, as 0/1) series history. */
struct sample {
	double time;
	double value;
};

/* A datapoint time stream, keyed by system + component + service +
 * characteristic (or by its timeStreamUuid when that is all we get). */
struct series {
	uint64_t changed;
	char *system, *component, *service, *characteristic; /* parts of one allocation */
	char *time_stream_uuid;                              /* same allocation, may be "" */
	struct stored_value last;
	double last_time;   /* measurement time (received time if the message had none) */
	double received_at;
	double prev_number; /* previous numeric value, for "changed" flashes */
	uint64_t updates;
	struct sample *ring; /* history_len samples, allocated on first numeric value */
	uint32_t ring_head, ring_filled;
	uint32_t lru_prev, lru_next; /* recency list for eviction */
	bool live;                   /* false: slot free after eviction */
};

struct setpoint {
	struct entity_meta meta;
	char *receipt_id, *uuid, *type, *message;
	char *system_uuid, *component_code, *service_code, *characteristic_code, *time_stream_uuid;
	enum setpoint_state state;
	struct stored_value value;
	double time;             /* creation time from the payload */
	double state_changed_at; /* wall clock of the last state change */
	double first_seen_at;
};

struct stored_token {
	char *uuid, *status, *token, *subject_uuid, *subject_name, *subject_type;
	char *roles; /* role names joined with ", " */
	double created_at, expires_at, not_before;
};

struct token_list {
	struct entity_meta meta;
	char *system_uuid;
	size_t count;
	struct stored_token *items;
};

struct jwks_key {
	char *kid, *kty, *alg, *use, *n, *e;
};

enum error_record_kind {
	ERROR_RECORD_REPLY,  /* the platform answered an input with /error */
	ERROR_RECORD_DECODE, /* a message the console could not decode */
};

struct error_record {
	uint64_t seq; /* increasing; newest has the highest */
	double time;
	enum error_record_kind kind;
	bool warning; /* decoded and applied, but something in it was suspicious */
	char *topic;
	enum topic_family family;         /* of the topic (ERROR_REPLY for replies) */
	char *answers_topic;              /* replies: the input topic answered */
	enum topic_family answers_family; /* replies: that input's family */
	char *system_uuid;                /* when the topic names one */
	char *field;                      /* decode errors: which field */
	char *message;                    /* the reason, or the platform's message */
	char *code;                       /* the platform's code, if any */
	struct raw_payload payload;
	struct raw_payload answered_input; /* the last payload seen on answers_topic */
};

struct unclassified_topic {
	struct entity_meta meta;
	char *topic;
	const char *reason; /* static */
	uint64_t count;
};

struct store_counters {
	uint64_t messages, bytes;
	uint64_t by_family[TOPIC_FAMILY_COUNT];
	uint64_t decode_errors, decode_warnings, error_replies, unclassified_messages, deletions;
	uint64_t series_evicted, errors_evicted, unclassified_dropped, inputs_evicted;
	uint64_t payloads_truncated, payloads_not_kept;
	uint64_t values_cut; /* string values cut to STORE_VALUE_MIN: budget spent */
	size_t payload_bytes; /* raw payload and value text bytes currently kept */
	/* The entity caps: entities whose slot a newer one took, and new
	 * entities refused because nothing could make room. */
	uint64_t entities_evicted[STORE_KIND_COUNT];
	uint64_t entities_refused[STORE_KIND_COUNT];
};

struct store;

/* Sums over the kinds, and the series evicted too: what the status bar's
 * `evicted` counter shows.  Refused entities are dropped messages' worth. */
uint64_t store_evicted_total(const struct store *store);
uint64_t store_refused_total(const struct store *store);

/* limits NULL: store_limits_default(). */
struct store *store_new(const struct store_limits *limits);
void store_free(struct store *store);

/* Applies one decoded message.  A failed decode becomes an error record, an
 * unclassified topic an unclassified entry, an /error reply an error record
 * tied to the input topic it answers. */
void store_apply(struct store *store, const struct message_meta *msg,
		 const struct topic_match *match, const struct decode_result *result);

/* The last payload seen on an input topic (datapoints arrive on the
 * system's input topic), and when; NULL when it is not remembered. */
const struct raw_payload *store_last_input(const struct store *store, const char *topic,
					   double *received_at);

/* The stamp of the last change anywhere; views compare it to redraw. */
uint64_t store_stamp(const struct store *store);
/* The stamp of the last change a message of that family made (0: none):
 * a view that shows only some families redraws when one of them moves.
 * A datapoint also changes its system's and component's last datapoint. */
uint64_t store_family_stamp(const struct store *store, enum topic_family family);
const struct store_counters *store_counters(const struct store *store);
const struct store_limits *store_limits(const struct store *store);
const struct domain *store_domain(const struct store *store); /* NULL until seen */

/* Collections: count, item at index (0 <= i < count), lookup by key.
 * Indices are stable; deleted entities stay (meta.deleted) so ids survive. */
#define STORE_COLLECTION_LIST(X)                          \
	X(organization, organizations)                    \
	X(system, systems)                                \
	X(component, components)                          \
	X(component_model, component_models)              \
	X(event_model, event_models)                      \
	X(event, events)                                  \
	X(setpoint, setpoints)                            \
	X(token_list, token_lists)                        \
	X(unclassified_topic, unclassified_topics)

#define X(type, plural)                                                                  \
	size_t store_##plural##_count(const struct store *store);                         \
	const struct type *store_##type##_at(const struct store *store, size_t index);
STORE_COLLECTION_LIST(X)
#undef X

const struct organization *store_find_organization(const struct store *store, const char *uuid);
const struct system *store_find_system(const struct store *store, const char *uuid);
const struct component *store_find_component(const struct store *store, const char *system_uuid,
					     const char *code);
const struct component *store_find_component_by_uuid(const struct store *store, const char *uuid);
const struct component_model *store_find_component_model(const struct store *store,
							 const char *uuid);
const struct event_model *store_find_event_model(const struct store *store, const char *uuid);
const struct event *store_find_event(const struct store *store, const char *uuid);
const struct setpoint *store_find_setpoint(const struct store *store, const char *receipt_id);
const struct token_list *store_find_token_list(const struct store *store, const char *system_uuid);

/* A system the UI shows or a request waits on: never evicted while pinned
 * (pins count; unpin as often as pinned).  Creates a stub if unknown, so a
 * system pinned before it arrives is kept too; false only when the systems
 * cap refused even that. */
bool store_pin_system(struct store *store, const char *uuid);
void store_unpin_system(struct store *store, const char *uuid);
const struct unclassified_topic *store_find_unclassified(const struct store *store,
							 const char *topic);

/* Series slots include evicted ones (series->live == false): skip them. */
size_t store_series_slots(const struct store *store);
const struct series *store_series_at(const struct store *store, size_t index);
size_t store_series_live(const struct store *store);
const struct series *store_find_series(const struct store *store, const char *system,
				       const char *component, const char *service,
				       const char *characteristic);
/* History oldest → newest: copies up to max samples into out, returns count. */
#define STORE_NO_SERIES SIZE_MAX
/* The first live series slot at or after `from` (STORE_NO_SERIES: none). */
size_t store_series_next_live(const struct store *store, size_t from);
/* Calls visit() with the slot of every series change after `since`, newest
 * first (a series changed twice is visited twice; its slot may hold another
 * series by now).  False when the store no longer remembers back to `since`
 * (it keeps the last 65 536 changes): then some were not visited. */
bool store_series_changed_since(const struct store *store, uint64_t since,
				void (*visit)(void *ctx, size_t index), void *ctx);
size_t series_history(const struct series *series, struct sample *out, size_t max);
/* The oldest and newest samples of the ring; returns how many it holds. */
size_t series_span(const struct series *series, struct sample *oldest, struct sample *newest);

size_t store_jwks_count(const struct store *store);
const struct jwks_key *store_jwks_at(const struct store *store, size_t index);

/* Error records, newest first (index 0 is the newest). */
size_t store_errors_count(const struct store *store);
const struct error_record *store_error_at(const struct store *store, size_t newest_index);

/* The level of an event, through its model (LEVEL_UNKNOWN if not known). */
enum event_level store_event_level(const struct store *store, const struct event *event);

const char *event_level_name(enum event_level level); /* "ERROR", ... "?" */
enum event_level event_level_parse(const char *text);
const char *setpoint_state_name(enum setpoint_state state);
enum setpoint_state setpoint_state_parse(const char *text);

#endif
