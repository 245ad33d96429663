/* topics — the DRIVR v1 topic table as data.
 *
 * Each row names one message family with its pattern, direction, encoding and
 * the confidence the API reference gives it.  Defaults are compiled in (one
 * X-macro below); any row's pattern can be replaced at run time from a config
 * file (docs/topics.md), so a site can correct an INFERRED pattern without
 * recompiling.
 *
 * Pattern language, level by level (levels split on '/'):
 *   literal      matches itself exactly (case-sensitive)
 *   {name}       captures one non-empty level into the id called name
 *   {fmt}        one level that must be "json" or "msgpack"; sets the format
 *   {name*}      captures one or more levels (used by the error row)
 * Pure module: no I/O except topics_load_file(), no globals. */
#ifndef DRIVR_TOPICS_H
#define DRIVR_TOPICS_H

#include <stdbool.h>
#include <stddef.h>

#include "util.h"

enum topic_direction { TOPIC_SUB, TOPIC_PUB };

/* How the payload of a family is encoded on the wire. */
enum topic_encoding {
	TOPIC_ENC_JSON,   /* always JSON */
	TOPIC_ENC_FMT,    /* JSON or MessagePack, chosen by the {fmt} level */
	TOPIC_ENC_STATE,  /* an enum word, as JSON string or bare text */
	TOPIC_ENC_OPAQUE, /* unknown format: try JSON, then text, then hex */
};

/* What the API reference says about the pattern (its section 0 tags). */
enum topic_confidence { TOPIC_DOC, TOPIC_INFERRED, TOPIC_GAP };

/* The concrete payload format of one received message. */
enum payload_format { FORMAT_JSON, FORMAT_MSGPACK, FORMAT_STATE, FORMAT_OPAQUE };

/* Ids a topic can carry; the {name} placeholders of the patterns. */
#define TOPIC_ID_LIST(X)                                   \
	X(SLUG, "slug")                                    \
	X(SYSTEM_UUID, "systemUuid")                       \
	X(COMPONENT_CODE, "componentCode")                 \
	X(COMPONENT_UUID, "componentUuid")                 \
	X(COMPONENT_MODEL_UUID, "componentModelUuid")      \
	X(EVENT_MODEL_UUID, "eventModelUuid")              \
	X(EVENT_UUID, "eventUuid")                         \
	X(ORGANIZATION_UUID, "organizationUuid")           \
	X(INPUT, "input")

enum topic_id {
#define X(id, name) TOPIC_ID_##id,
	TOPIC_ID_LIST(X)
#undef X
	TOPIC_ID_COUNT
};

/* Longest id accepted from a topic level; longer ones make the topic
 * unclassified (a 4 KiB "uuid" is not an id). */
#define TOPIC_ID_MAX 200
/* Deepest topic considered; deeper topics are unclassified. */
#define TOPIC_LEVELS_MAX 32

/* The family table.  Columns: enum suffix, row name (used in config files and
 * logs), direction, encoding, confidence, default pattern.
 * Order matters only where two patterns could match the same topic: the first
 * matching row wins. */
#define TOPIC_FAMILY_LIST(X)                                                                   \
	X(DOMAIN, "domain", TOPIC_SUB, TOPIC_ENC_JSON, TOPIC_DOC,                              \
	  "drivr/v1/{slug}")                                                                   \
	X(DOMAIN_STATE, "domain_state", TOPIC_SUB, TOPIC_ENC_STATE, TOPIC_DOC,                 \
	  "drivr/v1/{slug}/state")                                                             \
	X(ORGANIZATION, "organization", TOPIC_SUB, TOPIC_ENC_JSON, TOPIC_INFERRED,             \
	  "drivr/v1/{slug}/organizations/{organizationUuid}")                                  \
	X(ORGANIZATION_STATE, "organization_state", TOPIC_SUB, TOPIC_ENC_STATE, TOPIC_INFERRED, \
	  "drivr/v1/{slug}/organizations/{organizationUuid}/state")                            \
	X(SYSTEM, "system", TOPIC_SUB, TOPIC_ENC_JSON, TOPIC_DOC,                              \
	  "drivr/v1/{slug}/systems/{systemUuid}")                                              \
	X(SYSTEM_STATE, "system_state", TOPIC_SUB, TOPIC_ENC_STATE, TOPIC_INFERRED,            \
	  "drivr/v1/{slug}/systems/{systemUuid}/state")                                        \
	X(COMPONENT, "component", TOPIC_SUB, TOPIC_ENC_JSON, TOPIC_INFERRED,                   \
	  "drivr/v1/{slug}/systems/{systemUuid}/components/{componentCode}")                   \
	X(COMPONENT_MODEL, "component_model", TOPIC_SUB, TOPIC_ENC_JSON, TOPIC_INFERRED,       \
	  "drivr/v1/{slug}/componentModels/{componentModelUuid}")                              \
	X(COMPONENT_MODEL_STATE, "component_model_state", TOPIC_SUB, TOPIC_ENC_STATE,          \
	  TOPIC_INFERRED, "drivr/v1/{slug}/componentModels/{componentModelUuid}/state")        \
	X(EVENT_MODEL, "event_model", TOPIC_SUB, TOPIC_ENC_JSON, TOPIC_DOC,                    \
	  "drivr/v1/{slug}/eventModels/{eventModelUuid}")                                      \
	X(EVENT_MODEL_STATE, "event_model_state", TOPIC_SUB, TOPIC_ENC_STATE, TOPIC_INFERRED,  \
	  "drivr/v1/{slug}/eventModels/{eventModelUuid}/state")                                \
	X(EVENT, "event", TOPIC_SUB, TOPIC_ENC_JSON, TOPIC_GAP,                                \
	  "drivr/v1/{slug}/systems/{systemUuid}/events/{eventUuid}")                           \
	X(SETPOINT, "setpoint", TOPIC_SUB, TOPIC_ENC_JSON, TOPIC_INFERRED,                     \
	  "drivr/v1/{slug}/systems/{systemUuid}/setpoints")                                    \
	X(LOCAL_API_TOKENS, "local_api_tokens", TOPIC_SUB, TOPIC_ENC_JSON, TOPIC_DOC,          \
	  "drivr/v1/{slug}/authorization/localApiTokens/{systemUuid}")                         \
	X(JWKS, "jwks", TOPIC_SUB, TOPIC_ENC_JSON, TOPIC_DOC, "drivr/v1/{slug}/jwks")          \
	X(ERROR_REPLY, "error", TOPIC_SUB, TOPIC_ENC_OPAQUE, TOPIC_INFERRED,                   \
	  "drivr/v1/{slug}/input/{input*}/error")                                                    \
	X(SYSTEM_INPUT, "system_input", TOPIC_PUB, TOPIC_ENC_FMT, TOPIC_DOC,                   \
	  "drivr/v1/{slug}/input/system/{systemUuid}/{fmt}")                                   \
	X(COMPONENT_INPUT, "component_input", TOPIC_PUB, TOPIC_ENC_FMT, TOPIC_INFERRED,        \
	  "drivr/v1/{slug}/input/component/{systemUuid}/{fmt}")                                \
	X(DATAPOINT_INPUT, "datapoint_input", TOPIC_PUB, TOPIC_ENC_FMT, TOPIC_INFERRED,        \
	  "drivr/v1/{slug}/input/datapoint/{systemUuid}/{fmt}")                                \
	X(SETPOINT_ACK, "setpoint_ack", TOPIC_PUB, TOPIC_ENC_FMT, TOPIC_INFERRED,              \
	  "drivr/v1/{slug}/input/setpoint/ack/{systemUuid}/{fmt}")                             \
	X(SETPOINT_INPUT, "setpoint_input", TOPIC_PUB, TOPIC_ENC_FMT, TOPIC_INFERRED,          \
	  "drivr/v1/{slug}/input/setpoint/{systemUuid}/{fmt}")                                 \
	X(EVENT_INPUT_SYSTEM, "event_input_system", TOPIC_PUB, TOPIC_ENC_FMT, TOPIC_DOC,       \
	  "drivr/v1/{slug}/input/event/s/{systemUuid}/{fmt}")                                  \
	X(EVENT_INPUT_COMPONENT, "event_input_component", TOPIC_PUB, TOPIC_ENC_FMT,            \
	  TOPIC_INFERRED, "drivr/v1/{slug}/input/event/c/{componentUuid}/{fmt}")               \
	X(EVENT_ACK, "event_ack", TOPIC_PUB, TOPIC_ENC_FMT, TOPIC_GAP,                         \
	  "drivr/v1/{slug}/input/event/ack/{eventUuid}/{fmt}")

enum topic_family {
#define X(id, name, dir, enc, conf, pattern) TOPIC_##id,
	TOPIC_FAMILY_LIST(X)
#undef X
	TOPIC_UNCLASSIFIED,
	TOPIC_FAMILY_COUNT
};

/* The result of matching one received topic.  Ids are views into the topic
 * string passed to topic_match(): valid only while that string lives. */
struct topic_match {
	enum topic_family family;
	enum payload_format format;
	struct strview ids[TOPIC_ID_COUNT]; /* .ptr == NULL when absent */
	/* For TOPIC_ERROR_REPLY: the input topic the error answers (the topic
	 * without its last level) and that topic's own family and ids. */
	struct strview answers_topic;
	enum topic_family answers_family;
	struct strview answers_ids[TOPIC_ID_COUNT];
	/* answers_* are empty / TOPIC_UNCLASSIFIED for every other family. */
	/* For TOPIC_UNCLASSIFIED: why nothing matched (static string). */
	const char *unclassified_reason;
};

struct topic_table; /* opaque: the compiled rows, defaults plus overrides */

/* A fresh table holding the compiled-in defaults.  Free with topics_free(). */
struct topic_table *topics_new(void);
void topics_free(struct topic_table *table);

/* Replaces the pattern of the row called `row_name` (e.g. "setpoint_input").
 * Returns false and writes a one-line reason to err when the row is unknown or
 * the pattern is invalid (unknown placeholder, missing id a request needs, a
 * {fmt} level on a non-FMT row, ...). */
bool topics_override(struct topic_table *table, const char *row_name, const char *pattern,
		     char *err, size_t err_size);

/* Reads "row_name = pattern" lines (docs/topics.md) with the comment rules
 * of every line file (ini.h); an optional "[topics]" header is accepted and
 * any other section refused (a topics file is not the config file, whose
 * own [topics] section config.c reads).  The last line for a row wins.  All
 * or nothing: on error no line is applied and err says "file:line: reason".
 * A file holding a NUL byte is refused. */
bool topics_load_file(struct topic_table *table, const char *path, char *err, size_t err_size);
/* The same rules over a NUL-terminated text (what topics_load_file reads);
 * err names `filename` and the line. */
bool topics_parse_text(struct topic_table *table, const char *text, const char *filename,
		       char *err, size_t err_size);

/* Matches a received topic (not NUL-terminated: topic + len). Never fails:
 * a topic that fits no row yields TOPIC_UNCLASSIFIED. */
void topic_match(const struct topic_table *table, const char *topic, size_t len,
		 struct topic_match *out);

/* Ids for topic_build(): NUL-terminated strings, NULL when not set. */
struct topic_ids {
	const char *v[TOPIC_ID_COUNT];
};

/* Builds the topic of an outgoing request of `family` into buf.
 * fmt picks the {fmt} level (FORMAT_JSON or FORMAT_MSGPACK).  Returns the
 * length written, or -1 when an id the pattern needs is missing/empty or
 * contains '/', '+' or '#', or when buf is too small. */
int topic_build(const struct topic_table *table, enum topic_family family,
		const struct topic_ids *ids, enum payload_format fmt, char *buf, size_t size);

/* The current pattern of a family (default or override). */
const char *topics_pattern(const struct topic_table *table, enum topic_family family);

/* Static facts about a family. */
const char *topic_family_name(enum topic_family family);   /* "setpoint_input", "unclassified" */
enum topic_direction topic_family_direction(enum topic_family family);
enum topic_encoding topic_family_encoding(enum topic_family family);
enum topic_confidence topic_family_confidence(enum topic_family family);
const char *topic_confidence_name(enum topic_confidence c); /* "documented", "inferred", "gap" */
const char *topic_id_name(enum topic_id id);                /* "systemUuid" */
/* Looks a family up by its row name; TOPIC_UNCLASSIFIED when unknown. */
enum topic_family topic_family_from_name(const char *name);

/* The fallback subscription filters of the reference (section 5.1) for a
 * slug, used when the broker refuses drivr/v1/<slug>/#.  Writes at most
 * `max` NUL-terminated filters of up to `each` bytes into `filters`
 * (filters[i * each]); returns how many. */
size_t topics_fallback_filters(const char *slug, char *filters, size_t max, size_t each);

#endif
