/* catalogue_query — the GraphQL query that reads the characteristic
 * catalogue of component models (services, characteristics, data type,
 * MEASUREMENT/SETTING, boundaries, options), and the reading of its answer.
 *
 * A component model's MQTT payload has no services (the reference's §3.6);
 * the platform serves them through GraphQL.  DRIVR's schema is not in the
 * reference, so the query is INFERRED: its text and the paths of the
 * answer's fields live in ONE table (CATALOGUE_FIELD_LIST and the default
 * text below), which a file given with --catalogue-query replaces row by
 * row (docs/topics.md, "GraphQL catalogue query").
 *
 * The answer is untrusted: a member of the wrong type, a missing required
 * member, an error list, a body or a list over its limit refuses the whole
 * answer with one line saying where — never a partial catalogue that looks
 * whole.  Pure module. */
#ifndef DRIVR_CATALOGUE_QUERY_H
#define DRIVR_CATALOGUE_QUERY_H

#include <stdbool.h>
#include <stddef.h>

#include "payload.h"

struct cJSON;

/* The answer's fields: the key in a --catalogue-query file, and the default
 * path (member names joined by '.') from the object the row applies to:
 * the whole answer for "models", a model for "model.*", and so on. */
#define CATALOGUE_FIELD_LIST(X)                                                      \
	X(MODELS, "models", "data.componentModels.items")                            \
	X(MODEL_UUID, "model.uuid", "uuid")                                          \
	X(MODEL_SERVICES, "model.services", "services.items")                        \
	X(SERVICE_CODE, "service.code", "code")                                      \
	X(SERVICE_NAME, "service.name", "name")                                      \
	X(SERVICE_CHARACTERISTICS, "service.characteristics", "characteristics.items") \
	X(CHARACTERISTIC_CODE, "characteristic.code", "code")                        \
	X(CHARACTERISTIC_NAME, "characteristic.name", "name")                        \
	X(CHARACTERISTIC_DATA_TYPE, "characteristic.dataType", "dataType")           \
	X(CHARACTERISTIC_KIND, "characteristic.characteristicType", "characteristicType") \
	X(CHARACTERISTIC_UNIT, "characteristic.unit", "symbol")                      \
	X(CHARACTERISTIC_MIN, "characteristic.min", "boundaryMin")                   \
	X(CHARACTERISTIC_MAX, "characteristic.max", "boundaryMax")                   \
	X(CHARACTERISTIC_STEP, "characteristic.step", "boundaryStep")                \
	X(CHARACTERISTIC_OPTIONS, "characteristic.options", "characteristicValidValues.items") \
	X(OPTION_VALUE, "option.value", "value")

enum catalogue_field {
#define X(id, key, path) CATALOGUE_FIELD_##id,
	CATALOGUE_FIELD_LIST(X)
#undef X
	CATALOGUE_FIELD_COUNT
};

/* Limits on what an answer may hold; past one, the answer is refused. */
#define CATALOGUE_ANSWER_MAX (4u << 20)   /* bytes of the body */
#define CATALOGUE_MODELS_MAX 4096         /* models in one answer */
#define CATALOGUE_SERVICES_MAX 256        /* services of one model */
#define CATALOGUE_CHARACTERISTICS_MAX 4096 /* characteristics of one model */
#define CATALOGUE_OPTIONS_MAX 1024        /* options of one characteristic */
#define CATALOGUE_STRING_MAX 1024         /* bytes of one code, name, unit, option */
#define CATALOGUE_QUERY_FILE_MAX (64u * 1024u) /* --catalogue-query */

struct catalogue_query {
	char *text;     /* owned: the GraphQL document */
	char *variable; /* owned: the variable that carries the model uuids */
	char *paths[CATALOGUE_FIELD_COUNT]; /* owned */
};

/* The built-in query (the INFERRED default). */
void catalogue_query_init(struct catalogue_query *q);
void catalogue_query_free(struct catalogue_query *q);
/* Replaces rows with those of a query file's text ("query = ..." lines,
 * joined by newlines, replace the document; "variable = NAME"; one line per
 * field key).  False with "file:line: reason" in err; q may then hold some
 * of the file's rows (the caller drops it). */
bool catalogue_query_parse_file(struct catalogue_query *q, const char *text, size_t len,
				const char *filename, char *err, size_t err_size);
/* catalogue_query_init, then the file at path (CATALOGUE_QUERY_FILE_MAX);
 * path NULL: the default only. */
bool catalogue_query_load(struct catalogue_query *q, const char *path, char *err,
			  size_t err_size);
/* The request body: {"query": text, "variables": {variable: [uuids]}}.
 * New string (free()). */
char *catalogue_query_body(const struct catalogue_query *q, const char *const *uuids, size_t n);

/* One model's catalogue from the answer.  Its strings are borrowed from
 * the answer's tree. */
struct catalogue_model {
	const char *uuid;
	struct payload_catalogue catalogue; /* owned arrays */
};

struct catalogue_answer {
	struct cJSON *root; /* owned: the strings' home */
	struct catalogue_model *models; /* owned */
	size_t model_count;
	size_t characteristic_count; /* of all models */
	size_t unknown_types; /* characteristics of a data type the console does not check */
};

/* Reads an answer body.  False with the reason in err (a GraphQL error's
 * message, or the first member that is wrong, by its path in the answer);
 * out is then empty.  Free with catalogue_answer_free. */
bool catalogue_answer_parse(const struct catalogue_query *q, const char *body, size_t len,
			    struct catalogue_answer *out, char *err, size_t err_size);
void catalogue_answer_free(struct catalogue_answer *a);
/* The model with that uuid; NULL. */
const struct catalogue_model *catalogue_answer_model(const struct catalogue_answer *a,
						     const char *uuid);
/* The characteristic of a catalogue by service and code; NULL. */
const struct payload_characteristic *catalogue_find_characteristic(
	const struct payload_catalogue *c, const char *service, const char *characteristic);

#endif
