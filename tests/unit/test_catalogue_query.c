/* Unit tests: catalogue_query — the GraphQL catalogue query built from its
 * one table (overridable by a file), and its answer read strictly: every
 * hostile answer (wrong types, missing members, over a limit, an error
 * list) refused with a reason that says where, never a crash. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalogue_query.h"
#include "catalogue_session.h"
#include "config.h"
#include "util.h"

/* An answer in the default shape: one model, two services. */
static const char good[] =
	"{\"data\":{\"componentModels\":{\"items\":[{\"uuid\":\"m-1\",\"services\":{\"items\":["
	"{\"code\":\"heating\",\"name\":\"Heating\",\"characteristics\":{\"items\":["
	"{\"code\":\"flow\",\"name\":\"Flow\",\"dataType\":\"FLOAT\",\"characteristicType\":\"SETTING\","
	"\"symbol\":\"°C\",\"boundaryMin\":25,\"boundaryMax\":60,\"boundaryStep\":0.5,"
	"\"characteristicValidValues\":{\"items\":[\"x\"]}},"
	"{\"code\":\"mode\",\"name\":null,\"dataType\":\"SELECT\",\"characteristicType\":\"SETTING\","
	"\"symbol\":null,\"characteristicValidValues\":{\"items\":[{\"value\":\"OFF\"},\"AUTO\"]}}]}},"
	"{\"code\":\"status\",\"characteristics\":{\"items\":["
	"{\"code\":\"since\",\"dataType\":\"TIMESTAMP\",\"characteristicType\":\"MEASUREMENT\"}]}}"
	"]}}]}}}";

static void test_body(void **state)
{
	(void)state;
	struct catalogue_query q;
	catalogue_query_init(&q);
	const char *uuids[] = { "a-1", "b-2" };
	char *body = catalogue_query_body(&q, uuids, 2);
	cJSON *doc = cJSON_Parse(body);
	assert_non_null(doc);
	const char *text = cJSON_GetStringValue(cJSON_GetObjectItem(doc, "query"));
	assert_non_null(text);
	assert_non_null(strstr(text, "componentModels(where: {uuid: {_in: $uuids}})"));
	const cJSON *list = cJSON_GetObjectItem(cJSON_GetObjectItem(doc, "variables"), "uuids");
	assert_int_equal(cJSON_GetArraySize(list), 2);
	assert_string_equal(cJSON_GetArrayItem(list, 1)->valuestring, "b-2");
	cJSON_Delete(doc);
	free(body);
	catalogue_query_free(&q);
}

static void test_parse_good(void **state)
{
	(void)state;
	struct catalogue_query q;
	catalogue_query_init(&q);
	struct catalogue_answer a;
	char err[512] = "";
	assert_true(catalogue_answer_parse(&q, good, strlen(good), &a, err, sizeof(err)));
	assert_int_equal(a.model_count, 1);
	assert_int_equal(a.characteristic_count, 3);
	assert_int_equal(a.unknown_types, 1); /* TIMESTAMP: kept, its type not checked */
	const struct catalogue_model *m = catalogue_answer_model(&a, "m-1");
	assert_non_null(m);
	assert_null(catalogue_answer_model(&a, "m-2"));
	const struct payload_characteristic *c =
		catalogue_find_characteristic(&m->catalogue, "heating", "flow");
	assert_non_null(c);
	assert_int_equal(c->data_type, DATA_TYPE_FLOAT);
	assert_int_equal(c->kind, CHARACTERISTIC_SETTING);
	assert_string_equal(c->symbol, "°C");
	assert_true(c->min == 25 && c->max == 60 && c->step == 0.5);
	assert_int_equal(c->valid_value_count, 1);
	assert_string_equal(c->valid_values[0], "x");
	c = catalogue_find_characteristic(&m->catalogue, "heating", "mode");
	assert_non_null(c);
	assert_null(c->name);
	assert_true(isnan(c->min) && isnan(c->max) && isnan(c->step));
	assert_int_equal(c->valid_value_count, 2);
	assert_string_equal(c->valid_values[0], "OFF");
	assert_string_equal(c->valid_values[1], "AUTO");
	c = catalogue_find_characteristic(&m->catalogue, "status", "since");
	assert_non_null(c);
	assert_int_equal(c->kind, CHARACTERISTIC_MEASUREMENT);
	assert_int_equal(c->data_type, DATA_TYPE_COUNT);
	assert_null(catalogue_find_characteristic(&m->catalogue, "status", "flow"));
	assert_null(catalogue_find_characteristic(&m->catalogue, NULL, "flow"));
	catalogue_answer_free(&a);
	catalogue_answer_free(&a); /* twice: harmless */
	catalogue_query_free(&q);
}

/* good with the first occurrence of from replaced by to. */
static char *edited(const char *from, const char *to)
{
	const char *at = strstr(good, from);
	assert_non_null(at);
	size_t n = strlen(good) - strlen(from) + strlen(to);
	char *s = malloc(n + 1);
	size_t head = (size_t)(at - good);
	memcpy(s, good, head);
	strcpy(s + head, to);
	strcat(s, at + strlen(from));
	return s;
}

static void assert_refused(const struct catalogue_query *q, const char *body, size_t len,
			   const char *reason)
{
	struct catalogue_answer a;
	char err[512] = "";
	bool ok = catalogue_answer_parse(q, body, len, &a, err, sizeof(err));
	if (ok || !strstr(err, reason))
		fail_msg("expected refusal with \"%s\", got %s: \"%s\"", reason, ok ? "accepted" : "refused",
			 err);
	assert_null(a.models);
	assert_null(a.root);
	assert_int_equal(a.model_count, 0);
}

static void refused_edit(const struct catalogue_query *q, const char *from, const char *to,
			 const char *reason)
{
	char *s = edited(from, to);
	assert_refused(q, s, strlen(s), reason);
	free(s);
}

static void test_parse_hostile(void **state)
{
	(void)state;
	struct catalogue_query q;
	catalogue_query_init(&q);
	assert_refused(&q, "", 0, "not a JSON object");
	assert_refused(&q, "[1,2]", 5, "not a JSON object");
	assert_refused(&q, "{\"data\":", 8, "not a JSON object");
	const char *errors = "{\"errors\":[{\"message\":\"bad\\u001b[31mtoken\"}],\"data\":null}";
	assert_refused(&q, errors, strlen(errors), "GraphQL error: bad?[31mtoken");
	assert_refused(&q, "{\"errors\":5}", 12, "GraphQL error: (no message)");
	/* an error list beside data: refused all the same */
	char *partial = edited("{\"data\":", "{\"errors\":[{\"message\":\"partial\"}],\"data\":");
	assert_refused(&q, partial, strlen(partial), "GraphQL error: partial");
	free(partial);
	/* an empty error list is no error */
	char *empty = edited("{\"data\":", "{\"errors\":[],\"data\":");
	struct catalogue_answer ok_answer;
	char ok_err[256];
	assert_true(catalogue_answer_parse(&q, empty, strlen(empty), &ok_answer, ok_err, sizeof(ok_err)));
	catalogue_answer_free(&ok_answer);
	free(empty);
	assert_refused(&q, "{\"data\":null}", 13, "data.componentModels.items is missing");
	assert_refused(&q, "{\"data\":5}", 10, "crosses a member that is not an object");
	assert_refused(&q, "{\"data\":{\"componentModels\":{\"items\":{}}}}", 41, "is not a list");
	assert_refused(&q, "{\"data\":{\"componentModels\":{\"items\":[7]}}}", 42,
		       "data.componentModels.items[0] is not an object");
	refused_edit(&q, "\"uuid\":\"m-1\"", "\"uuid\":1", "[0].uuid is not a string");
	refused_edit(&q, "\"uuid\":\"m-1\",", "", "[0].uuid is missing");
	refused_edit(&q, "\"services\":{\"items\":[", "\"services\":{\"itemz\":[",
		     "services.items is missing");
	refused_edit(&q, "{\"code\":\"heating\",", "{\"code\":[],",
		     "services.items[0].code is not a string");
	refused_edit(&q, "\"code\":\"flow\",", "",
		     "services.items[0].characteristics.items[0].code is missing");
	refused_edit(&q, "\"code\":\"flow\"", "\"code\":\"\"", "code is empty");
	refused_edit(&q, "\"dataType\":\"FLOAT\"", "\"dataType\":true", "dataType is not a string");
	refused_edit(&q, "\"characteristicType\":\"SETTING\"", "\"characteristicType\":\"KNOB\"",
		     "neither MEASUREMENT nor SETTING");
	refused_edit(&q, "\"boundaryMin\":25", "\"boundaryMin\":\"25\"", "boundaryMin is not a number");
	refused_edit(&q, "\"boundaryStep\":0.5", "\"boundaryStep\":0", "boundaryStep is not above 0");
	refused_edit(&q, "\"boundaryMin\":25", "\"boundaryMin\":99", "boundaryMin is above the maximum");
	refused_edit(&q, "{\"value\":\"OFF\"}", "3",
		     "characteristicValidValues.items[0] is neither a string nor an object");
	refused_edit(&q, "{\"value\":\"OFF\"}", "{\"value\":null}",
		     "characteristicValidValues.items[0].value is missing");
	refused_edit(&q, "\"characteristicValidValues\":{\"items\":[\"x\"]}",
		     "\"characteristicValidValues\":{\"items\":5}", "characteristicValidValues.items is not a list");

	/* limits: a string, a list, the body */
	char *long_code = malloc(CATALOGUE_STRING_MAX + 3);
	memset(long_code, 'x', CATALOGUE_STRING_MAX + 1);
	long_code[CATALOGUE_STRING_MAX + 1] = '\0';
	char to[CATALOGUE_STRING_MAX + 32];
	snprintf(to, sizeof(to), "\"code\":\"%s\"", long_code);
	refused_edit(&q, "\"code\":\"flow\"", to, "code is too long");
	free(long_code);
	size_t n = CATALOGUE_OPTIONS_MAX + 1;
	char *many = malloc(n * 4 + 64);
	strcpy(many, "\"characteristicValidValues\":{\"items\":[");
	for (size_t i = 0; i < n; i++)
		strcat(many, i ? ",\"a\"" : "\"a\"");
	strcat(many, "]}");
	refused_edit(&q, "\"characteristicValidValues\":{\"items\":[\"x\"]}", many,
		     "has more than 1024 items");
	free(many);
	size_t big = CATALOGUE_ANSWER_MAX + 1;
	char *huge = malloc(big);
	memset(huge, ' ', big);
	assert_refused(&q, huge, big, "over the limit");
	free(huge);
	/* nesting deeper than cJSON takes */
	char deep[4100];
	size_t k = 0;
	k += (size_t)snprintf(deep, sizeof(deep), "{\"data\":");
	while (k < 4000)
		deep[k++] = '[';
	deep[k] = '\0';
	assert_refused(&q, deep, k, "not a JSON object");
	catalogue_query_free(&q);
}

static void test_query_file(void **state)
{
	(void)state;
	struct catalogue_query q;
	char err[512] = "";
	catalogue_query_init(&q);
	const char file[] = "# an override\n"
			    "query = query C($ids: [UUID]) {\n"
			    "query =   models(uuids: $ids) { list { id } }\n"
			    "query = }\n"
			    "variable = ids\n"
			    "models = data.models.list\n"
			    "model.uuid = id\n";
	assert_true(catalogue_query_parse_file(&q, file, strlen(file), "q.conf", err, sizeof(err)));
	/* ini trims each value: indentation is lost, as GraphQL allows */
	assert_string_equal(q.text, "query C($ids: [UUID]) {\nmodels(uuids: $ids) { list { id } }\n}\n");
	assert_string_equal(q.variable, "ids");
	assert_string_equal(q.paths[CATALOGUE_FIELD_MODELS], "data.models.list");
	assert_string_equal(q.paths[CATALOGUE_FIELD_MODEL_UUID], "id");
	assert_string_equal(q.paths[CATALOGUE_FIELD_SERVICE_CODE], "code"); /* kept */
	const char *uuids[] = { "u" };
	char *body = catalogue_query_body(&q, uuids, 1);
	assert_non_null(strstr(body, "\"variables\":{\"ids\":[\"u\"]}"));
	free(body);
	catalogue_query_free(&q);

	struct {
		const char *text, *reason;
	} bad[] = {
		{ "colour = red\n", "q.conf:1: unknown key \"colour\"" },
		{ "[query]\n", "q.conf:1: no sections" },
		{ "models = data..items\n", "q.conf:1: models: \"data..items\" is not a path" },
		{ "models = .data\n", "is not a path" },
		{ "model.uuid = a b\n", "is not a path" },
		{ "variable = a.b\n", "is not a GraphQL name" },
		{ "variable = other\n", "never names $other" },
		{ "query = { componentModels { items { uuid } } }\n", "never names $uuids" },
		{ "models\n", "q.conf:1:" },
	};
	for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
		catalogue_query_init(&q);
		err[0] = '\0';
		assert_false(catalogue_query_parse_file(&q, bad[i].text, strlen(bad[i].text), "q.conf", err,
							sizeof(err)));
		if (!strstr(err, bad[i].reason))
			fail_msg("%s: expected \"%s\", got \"%s\"", bad[i].text, bad[i].reason, err);
		catalogue_query_free(&q);
	}
	/* a file that is not there */
	assert_false(catalogue_query_load(&q, "/nonexistent/catalogue.query", err, sizeof(err)));
	assert_non_null(strstr(err, "--catalogue-query /nonexistent/catalogue.query"));
	catalogue_query_free(&q);
	assert_true(catalogue_query_load(&q, NULL, err, sizeof(err)));
	assert_non_null(strstr(q.text, "componentModels"));
	catalogue_query_free(&q);
}

/* The answer read through a file's other paths. */
static void test_parse_other_paths(void **state)
{
	(void)state;
	struct catalogue_query q;
	char err[512] = "";
	catalogue_query_init(&q);
	const char file[] = "models = result.list\nmodel.services = svcs\nservice.characteristics = chs\n"
			    "characteristic.max = top\n";
	assert_true(catalogue_query_parse_file(&q, file, strlen(file), "q", err, sizeof(err)));
	const char body[] = "{\"result\":{\"list\":[{\"uuid\":\"m\",\"svcs\":[{\"code\":\"s\",\"chs\":["
			    "{\"code\":\"c\",\"dataType\":\"INTEGER\",\"characteristicType\":\"SETTING\","
			    "\"top\":9,\"boundaryMax\":1}]}]}]}}";
	struct catalogue_answer a;
	assert_true(catalogue_answer_parse(&q, body, strlen(body), &a, err, sizeof(err)));
	const struct payload_characteristic *c =
		catalogue_find_characteristic(&a.models[0].catalogue, "s", "c");
	assert_non_null(c);
	assert_true(c->max == 9); /* "top", not boundaryMax */
	catalogue_answer_free(&a);
	catalogue_query_free(&q);
}

/* Without a user API token the session says so, and finds nothing. */
static void test_session_no_token(void **state)
{
	(void)state;
	unsetenv("DRIVR_USER_TOKEN");
	struct config config;
	config_init(&config);
	assert_int_equal(catalogue_session_state(), CATALOGUE_UNCONFIGURED);
	catalogue_session_configure(&config);
	assert_int_equal(catalogue_session_state(), CATALOGUE_NO_TOKEN);
	assert_string_equal(catalogue_session_off_reason(),
			    "validation off: no catalogue (no user API token): the value is sent as typed");
	assert_false(catalogue_session_start(NULL, "slug")); /* never asks */
	const struct payload_characteristic *c;
	assert_int_equal(catalogue_session_find("m", "s", "c", &c), CATALOGUE_NO_MODEL);
	assert_null(c);
	assert_int_equal(catalogue_session_queries(), 0);
	catalogue_session_close();
	assert_int_equal(catalogue_session_state(), CATALOGUE_UNCONFIGURED);
	config_free(&config);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_body),
		cmocka_unit_test(test_parse_good),
		cmocka_unit_test(test_parse_hostile),
		cmocka_unit_test(test_query_file),
		cmocka_unit_test(test_parse_other_paths),
		cmocka_unit_test(test_session_no_token),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
