/* payload — the JSON payload of each DRIVR message family, built from the
 * same typed structs decode.h produces.
 *
 * One definition of the protocol for both sides: drivr-sim builds what the
 * platform publishes (systems, events, setpoints, token lists, /error
 * replies ...) and the console's requests build what an operator sends
 * (setpoint inputs, event acknowledgements) with these functions, and
 * decode_payload() reads every one of them back into the struct it was built
 * from (tests/unit/test_payload.c checks that round trip for each builder).
 *
 * Conventions of every builder:
 *  - a NULL string, a time equal to TIME_UNKNOWN, a tri-state -1, a
 *    service index -1 and a VALUE_ABSENT value leave the member out;
 *  - times are written as ISO-8601 UTC with milliseconds (util.h);
 *  - the result is a new cJSON tree the caller owns (cJSON_Delete), or is
 *    serialised with payload_serialize() as JSON or MessagePack;
 *  - strings are copied: nothing returned borrows from the arguments.
 * Members decode does not read (metadata, host names, the characteristic
 * catalogue of a component model) come through struct payload_extra.
 *
 * Pure module: no I/O, no globals. */
#ifndef DRIVR_PAYLOAD_H
#define DRIVR_PAYLOAD_H

#include <stdbool.h>
#include <stddef.h>

#include "decode.h"
#include "topics.h"

struct cJSON;

/* ---- extension: the characteristic catalogue of a component model ------
 *
 * The reference's ComponentModelInformation says nothing about the services
 * and characteristics of a model, yet a setpoint editor needs each
 * characteristic's data type and limits.  drivr-sim publishes them inside
 * the retained component model payload as an extra top-level member
 * "services" (decoders that do not know it ignore it; "metadata" stays an
 * object of strings as documented).  Member names follow DRIVR's GraphQL
 * schema (Characteristic.dataType, characteristicType, boundaryMin/Max/Step,
 * symbol).  See docs/simulator.md:
 *
 *   "services": [ { "code": "heating", "name": "Heating", "characteristics": [
 *       { "code": "flow-temperature-setpoint", "name": "...", "dataType": "FLOAT",
 *         "characteristicType": "SETTING", "symbol": "°C",
 *         "boundaryMin": 25, "boundaryMax": 60, "boundaryStep": 0.5 },
 *       { "code": "operating-mode", ..., "dataType": "SELECT",
 *         "validValues": ["OFF", "HEATING", "AUTO"] } ] } ]
 */

#define PAYLOAD_DATA_TYPE_LIST(X) \
	X(FLOAT, "FLOAT")         \
	X(INTEGER, "INTEGER")     \
	X(BOOLEAN, "BOOLEAN")     \
	X(STRING, "STRING")       \
	X(SELECT, "SELECT")       \
	X(JSON, "JSON")

enum payload_data_type {
#define X(id, name) DATA_TYPE_##id,
	PAYLOAD_DATA_TYPE_LIST(X)
#undef X
	DATA_TYPE_COUNT /* also "unknown" when parsing */
};

enum payload_characteristic_kind { CHARACTERISTIC_MEASUREMENT, CHARACTERISTIC_SETTING };

/* Limits are NAN when absent (only numeric characteristics have them). */
struct payload_characteristic {
	const char *code, *name;
	enum payload_data_type data_type;
	enum payload_characteristic_kind kind;
	const char *symbol;             /* unit, e.g. "°C"; NULL: none */
	double min, max, step;          /* boundaryMin / boundaryMax / boundaryStep */
	const char *const *valid_values; /* SELECT options */
	size_t valid_value_count;
};

struct payload_service {
	const char *code, *name;
	const struct payload_characteristic *characteristics;
	size_t characteristic_count;
};

const char *payload_data_type_name(enum payload_data_type type);       /* "FLOAT" */
enum payload_data_type payload_data_type_parse(const char *name);      /* DATA_TYPE_COUNT if unknown */
const char *payload_characteristic_kind_name(enum payload_characteristic_kind kind);

/* The catalogue read back from a component model payload (its decoded tree,
 * decode_result.root).  Strings are borrowed from that tree. */
struct payload_catalogue {
	size_t service_count;
	struct payload_service *services;                /* owned */
	struct payload_characteristic *characteristics;  /* owned, all services' */
	const char **valid_values;                       /* owned, all SELECT options */
};

/* Returns false (and an empty catalogue) when the model has no "services"
 * member; members of the wrong type are skipped, never trusted.  Free with
 * payload_catalogue_free(). */
bool payload_catalogue_read(const struct cJSON *model, struct payload_catalogue *out);
void payload_catalogue_free(struct payload_catalogue *catalogue);

/* ---- builders ------------------------------------------------------------ */

struct payload_kv {
	const char *key, *value;
};

/* Members the decoder ignores, for the families that carry them. */
struct payload_extra {
	const struct payload_kv *metadata; /* "metadata": {key: value}; NULL: {} */
	size_t metadata_count;
	const char *owner_uuid;               /* organization: "ownerUuid" */
	const char *domain_uuid;              /* component/event model, component */
	const char *const *host_names;        /* domain: "hostNames" */
	size_t host_name_count;
	const struct payload_service *services; /* component model: the catalogue */
	size_t service_count;
	double acknowledged_at;               /* event: "acknowledgedAt" (TIME_UNKNOWN: none) */
};

/* A payload_extra with nothing set (acknowledged_at = TIME_UNKNOWN). */
void payload_extra_init(struct payload_extra *extra);

/* Information topics (SUB).  extra may be NULL everywhere. */
struct cJSON *payload_build_domain(const struct upd_domain *d, const struct payload_extra *extra);
struct cJSON *payload_build_organization(const struct upd_organization *o,
					 const struct payload_extra *extra);
struct cJSON *payload_build_system(const struct upd_system *s, const struct payload_extra *extra);
struct cJSON *payload_build_component(const struct upd_component *c,
				      const struct payload_extra *extra);
struct cJSON *payload_build_component_model(const struct upd_component_model *m,
					    const struct payload_extra *extra);
struct cJSON *payload_build_event_model(const struct upd_event_model *m,
					const struct payload_extra *extra);
struct cJSON *payload_build_event(const struct upd_event *e, const struct payload_extra *extra);
/* A /state topic: the word as a JSON string ("ACTIVATED"). */
struct cJSON *payload_build_state(const char *state);
/* The setpoint as delivered to the device and republished with its final
 * state: the reference fields plus whatever stream address fields are set
 * (the reference's shape has only timeStreamUuid; drivr-sim adds the codes
 * only with --extensions setpoint-codes). */
struct cJSON *payload_build_setpoint(const struct upd_setpoint *s);
/* The token list of one system: a JSON array. */
struct cJSON *payload_build_tokens(const struct token *tokens, size_t count);
struct cJSON *payload_build_jwks(const struct jwk *keys, size_t count);
/* An /error reply: {"message": ..., "code": ...} (kind is not written). */
struct cJSON *payload_build_error_reply(const struct upd_error_reply *e);

/* Inputs (PUB): what devices and operators send. */
struct cJSON *payload_build_datapoint(const struct datapoint *dp);
struct cJSON *payload_build_datapoints(const struct datapoint *dps, size_t count); /* array */
struct cJSON *payload_build_setpoint_input(const struct upd_setpoint_input *in);
struct cJSON *payload_build_setpoint_ack(const struct upd_setpoint_ack *ack);
struct cJSON *payload_build_system_input(const struct upd_system_input *in);
struct cJSON *payload_build_event_input(const struct upd_event_input *in);
/* Event acknowledgement (a GAP in the reference): {"uuid": <event uuid>}. */
struct cJSON *payload_build_event_ack(const struct upd_event_ack *ack);

/* A value as the wire carries it (NULL for VALUE_ABSENT).  Integral numbers
 * with is_integer are written without a fraction. */
struct cJSON *payload_value_json(const struct value *v);

/* ---- serialising ----------------------------------------------------------- */

/* A growable byte buffer, reused across messages (no allocation once warm). */
struct payload_buf {
	char *data;
	size_t len, cap;
};

void payload_buf_free(struct payload_buf *buf);

/* Replaces buf's contents with root as compact JSON (FORMAT_JSON) or
 * MessagePack (FORMAT_MSGPACK; integral numbers below 2^53 as integers).
 * buf->data is NUL-terminated for JSON.  Returns false only for a format
 * that is neither. */
bool payload_serialize(const struct cJSON *root, enum payload_format format,
		       struct payload_buf *buf);

/* The hot path of the datapoint stream and the flood: one datapoint object
 * written straight into buf (JSON, no tree, no allocation), with `pad`
 * extra bytes in a "pad" member (ignored by decoders) so benchmarks can
 * choose the payload size.  Strings are JSON-escaped; VALUE_JSON values are
 * printed through cJSON.  Returns the length, or 0 when buf is too small. */
size_t payload_write_datapoint(char *buf, size_t size, const struct datapoint *dp, size_t pad);

#endif
