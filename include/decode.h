/* decode — payload bytes of one message → a typed update.
 *
 * JSON is parsed with cJSON; MessagePack (the .../msgpack input topics) is
 * unpacked with msgpack-c into the same cJSON tree, so both formats go through
 * one field decoder and yield identical updates.
 *
 * Every byte is untrusted.  The decoder never trusts a field's type: a known
 * field of the wrong type fails the message with a decode error naming the
 * field and what was expected; unknown fields are ignored; a missing optional
 * field or a JSON null is "absent".  Strings in the result are borrowed from
 * the parsed tree owned by the result: valid until decode_result_free().
 * Pure module: no I/O, no globals. */
#ifndef DRIVR_DECODE_H
#define DRIVR_DECODE_H

#include <stdbool.h>
#include <stddef.h>

#include "topics.h"

struct cJSON;

/* Absent numeric fields / times.  Times are epoch seconds (util.h). */
#define DECODE_TIME_ABSENT TIME_UNKNOWN

enum value_type {
	VALUE_ABSENT,
	VALUE_NULL,
	VALUE_NUMBER,
	VALUE_BOOL,
	VALUE_STRING,
	VALUE_JSON, /* an object or array, kept as JSON */
};

/* A datapoint or setpoint value with its type preserved. */
struct value {
	enum value_type type;
	double number;            /* VALUE_NUMBER */
	bool is_integer;          /* VALUE_NUMBER without fraction or exponent */
	bool boolean;             /* VALUE_BOOL */
	const char *text;         /* VALUE_STRING */
	const struct cJSON *json; /* VALUE_JSON: the object/array node */
};

struct upd_domain {
	const char *uuid, *slug, *name, *status, *owner_uuid;
	double created_at, updated_at;
};

/* Any .../state topic: one enum word. */
struct upd_state {
	const char *state;
};

struct upd_organization {
	const char *uuid, *name, *alias, *domain_uuid, *status;
	double created_at, updated_at;
};

struct upd_system {
	const char *uuid, *code, *name, *description, *connection_state, *status;
	const char *domain_uuid, *owner_uuid;
	double connection_state_updated_at, created_at, updated_at;
};

struct upd_component {
	const char *uuid, *code, *name, *component_model_uuid, *system_uuid;
	const char *connection_state, *status;
	double connection_state_updated_at, created_at, updated_at;
};

struct upd_component_model {
	const char *uuid, *code, *name, *description, *component_type, *status;
	int is_connective; /* -1 absent, 0, 1 */
	double created_at, updated_at;
};

struct upd_event_model {
	const char *uuid, *code, *event_level, *event_type, *entity_type, *message, *status;
	int limit_to_prototypes; /* -1 absent, 0, 1 */
	double created_at, updated_at;
};

struct upd_event {
	const char *uuid, *event_model_uuid, *entity_uuid, *status;
	int acknowledged; /* -1 absent, 0, 1 */
	double time, end_time, created_at, updated_at;
};

/* How datapoints, setpoints and setpoint inputs name their time stream: a
 * timeStreamUuid, or system + component + service + characteristic, each by
 * code or uuid. */
struct stream_address {
	const char *time_stream_uuid;
	const char *system_uuid, *system_code;
	const char *component_uuid, *component_code;
	const char *service_uuid, *service_code;
	const char *characteristic_uuid, *characteristic_code;
	int service_index; /* -1 absent */
};

struct datapoint {
	struct stream_address addr;
	double time;
	struct value value;
};

/* A datapoint input carries one object or an array of them. */
struct upd_datapoints {
	size_t count;
	struct datapoint *items; /* owned by the decode_result */
};

struct upd_setpoint {
	struct stream_address addr;
	const char *uuid, *receipt_id, *type, *state, *message;
	double time;
	struct value value;
};

struct upd_setpoint_input {
	struct stream_address addr;
	struct value value;
};

struct upd_setpoint_ack {
	const char *receipt_id, *state, *message;
};

struct upd_system_input {
	const char *name, *description, *status, *connection_state;
};

struct upd_component_input {
	const char *code, *component_model_uuid, *system_uuid, *name, *status, *connection_state;
};

struct upd_event_input {
	const char *event_model_uuid;
	double time, end_time;
};

/* Event acknowledgement input (topic and payload are a GAP in the reference;
 * payload {"uuid": ...} or {"eventUuid": ...}, the topic id also counts). */
struct upd_event_ack {
	const char *event_uuid;
};

struct token_role {
	const char *uuid, *name;
};

struct token {
	const char *uuid, *status, *system_uuid, *token;
	const char *subject_uuid, *subject_name, *subject_type;
	double created_at, expires_at, not_before;
	size_t role_count;
	struct token_role *roles; /* owned by the decode_result */
};

struct upd_tokens {
	size_t count;
	struct token *items; /* owned by the decode_result */
};

struct jwk {
	const char *kid, *kty, *alg, *use, *n, *e;
};

struct upd_jwks {
	size_t count;
	struct jwk *items; /* owned by the decode_result */
};

/* An /error reply.  The format is undocumented: message/code are picked from
 * a JSON object when there is one ("message", "error", "description",
 * "detail", "reason", also nested as {"error": {"message"}} or GraphQL-style
 * {"errors": [{"message"}]}; "code"), else the payload is text or, if not
 * UTF-8 (or holding NUL), binary.  Replies to .../msgpack inputs are tried as
 * MessagePack first. */
enum error_payload_kind { ERROR_PAYLOAD_JSON, ERROR_PAYLOAD_TEXT, ERROR_PAYLOAD_BINARY };
struct upd_error_reply {
	enum error_payload_kind kind;
	const char *message; /* may be NULL */
	const char *code;    /* may be NULL; numeric codes are rendered to text */
};

struct decode_result {
	enum topic_family family;
	bool ok;      /* false: see error_field / error_message */
	bool deleted; /* empty payload on an information topic: entity removed */
	union {
		struct upd_domain domain;
		struct upd_state state;
		struct upd_organization organization;
		struct upd_system system;
		struct upd_component component;
		struct upd_component_model component_model;
		struct upd_event_model event_model;
		struct upd_event event;
		struct upd_datapoints datapoints;
		struct upd_setpoint setpoint;
		struct upd_setpoint_input setpoint_input;
		struct upd_setpoint_ack setpoint_ack;
		struct upd_system_input system_input;
		struct upd_component_input component_input;
		struct upd_event_input event_input;
		struct upd_event_ack event_ack;
		struct upd_tokens tokens;
		struct upd_jwks jwks;
		struct upd_error_reply error_reply;
	} u;
	/* On failure: the JSON path of the offending field ("value",
	 * "[2].roles[0].name", "" for the whole payload) and a one-line reason
	 * ("expected string, got number", "invalid JSON near byte 17"). */
	char error_field[96];
	char error_message[160];
	/* A message that decoded but carries something suspicious (invalid
	 * UTF-8, control characters or escape sequences in a string, a string
	 * cut at an embedded NUL — JSON's \u0000, a raw NUL byte, a NUL in a
	 * MessagePack string; for JSON the field is "", the raw scan knows no
	 * path): the first such field.  Kept and applied (the UI sanitises every string) but also
	 * reported, so hostile or broken devices are visible.  "" when none. */
	char warning_field[96];
	char warning_message[160];
	/* Owned internals; released by decode_result_free(). */
	struct cJSON *root;
	char *scratch; /* NUL-terminated copy for text/state payloads, code text */
	void *arrays;  /* one block for the items/roles arrays */
};

struct decode_limits {
	size_t max_payload_bytes; /* larger payloads fail with "payload too large" */
	int max_depth;            /* deeper nesting fails (cJSON caps at 1000;
				   * msgpack-c's own stack at 32 levels) */
};

/* 256 KiB and depth 64 unless a caller needs otherwise. */
void decode_limits_default(struct decode_limits *limits);

/* Decodes payload[0..len) of a message whose topic matched `match`.
 * Always fills *out (free it with decode_result_free, even on failure).
 * Returns out->ok.  TOPIC_UNCLASSIFIED is never decoded: out->ok is false with
 * the reason "unclassified topic". */
bool decode_payload(const struct topic_match *match, const void *payload, size_t len,
		    const struct decode_limits *limits, struct decode_result *out);
void decode_result_free(struct decode_result *result);

/* Type names for messages and logs: "number", "string", ... */
const char *value_type_name(enum value_type type);

#endif
