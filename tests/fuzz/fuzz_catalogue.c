/* libFuzzer harness: a component model payload → its characteristic
 * catalogue → a value string parsed against every characteristic (what the
 * setpoint editor does before sending).  Input: the model JSON (decoded as
 * the console decodes the .../componentModels topic), a NUL byte, then the
 * value text.  Checks on every accepted value: numbers are finite and within
 * the characteristic's boundaries, integers whole, a SELECT value one of its
 * options, a JSON value a tree; a refused value always says why. */
#include <cJSON.h>
#include <math.h>

#include "decode.h"
#include "fuzz.h"
#include "payload.h"
#include "requests.h"

static void parse_against(const char *text, const struct payload_characteristic *c)
{
	struct value v;
	struct cJSON *owned;
	char err[256] = "";
	if (!requests_parse_value(text, c, &v, &owned, err, sizeof(err))) {
		FUZZ_CHECK(err[0] != '\0' && owned == NULL);
		return;
	}
	if (v.type == VALUE_NUMBER) {
		FUZZ_CHECK(isfinite(v.number));
		if (c && !isnan(c->min))
			FUZZ_CHECK(v.number >= c->min);
		if (c && !isnan(c->max))
			FUZZ_CHECK(v.number <= c->max);
		if (c && c->data_type == DATA_TYPE_INTEGER)
			FUZZ_CHECK(v.number == floor(v.number));
	}
	if (c && c->data_type == DATA_TYPE_SELECT) {
		FUZZ_CHECK(v.type == VALUE_STRING);
		bool found = false;
		for (size_t i = 0; i < c->valid_value_count && !found; i++)
			found = strcmp(v.text, c->valid_values[i]) == 0;
		FUZZ_CHECK(found);
	}
	if (v.type == VALUE_JSON)
		FUZZ_CHECK(owned && v.json == owned);
	else
		FUZZ_CHECK(owned == NULL);
	cJSON_Delete(owned);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct topic_table *topics;
	if (!topics)
		topics = topics_new();
	char *model, *text;
	fuzz_split(data, size, &model, &text);

	static const char topic[] = "drivr/v1/f/componentModels/m1";
	struct topic_match match;
	topic_match(topics, topic, sizeof(topic) - 1, &match);
	FUZZ_CHECK(match.family == TOPIC_COMPONENT_MODEL);
	struct decode_limits limits;
	decode_limits_default(&limits);
	struct decode_result res;
	decode_payload(&match, model, strlen(model), &limits, &res);
	/* The catalogue reader takes any tree: also one the decoder refused. */
	struct cJSON *root = res.root ? res.root : cJSON_Parse(model);
	struct payload_catalogue cat;
	if (payload_catalogue_read(root, &cat)) {
		for (size_t s = 0; s < cat.service_count; s++) {
			const struct payload_service *svc = &cat.services[s];
			for (size_t i = 0; i < svc->characteristic_count; i++) {
				const struct payload_characteristic *c = &svc->characteristics[i];
				FUZZ_CHECK(c->data_type <= DATA_TYPE_COUNT);
				FUZZ_CHECK(c->valid_value_count == 0 || c->valid_values);
				parse_against(text, c);
			}
		}
	} else {
		FUZZ_CHECK(cat.service_count == 0);
	}
	parse_against(text, NULL);
	payload_catalogue_free(&cat);
	if (root != res.root)
		cJSON_Delete(root);
	decode_result_free(&res);
	free(model);
	free(text);
	return 0;
}
