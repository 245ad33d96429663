/* libFuzzer harness: arbitrary topic + payload through the whole pipeline
 * (topic_match → decode → store_apply → snapshot).  Input layout: the first
 * byte picks the topic template (or, for 0xff, a topic taken from the input
 * itself), the rest is the payload.  Any crash, leak or UB is a finding. */
#include <cJSON.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ingest.h"
#include "snapshot.h"

static const char *const templates[] = {
	"drivr/v1/f",
	"drivr/v1/f/state",
	"drivr/v1/f/organizations/o1",
	"drivr/v1/f/systems/s1",
	"drivr/v1/f/systems/s1/state",
	"drivr/v1/f/systems/s1/components/c1",
	"drivr/v1/f/componentModels/m1",
	"drivr/v1/f/eventModels/e1",
	"drivr/v1/f/systems/s1/events/ev1",
	"drivr/v1/f/systems/s1/setpoints",
	"drivr/v1/f/authorization/localApiTokens/s1",
	"drivr/v1/f/jwks",
	"drivr/v1/f/input/system/s1/json/error",
	"drivr/v1/f/input/datapoint/s1/msgpack/error",
	"drivr/v1/f/input/datapoint/s1/json",
	"drivr/v1/f/input/datapoint/s1/msgpack",
	"drivr/v1/f/input/setpoint/ack/s1/json",
	"drivr/v1/f/input/setpoint/ack/s1/msgpack",
	"drivr/v1/f/input/setpoint/s1/json",
	"drivr/v1/f/input/event/s/s1/msgpack",
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct topic_table *topics;
	if (!topics)
		topics = topics_new();
	if (size == 0)
		return 0;
	struct store_limits limits;
	store_limits_default(&limits);
	limits.max_series = 4;
	limits.max_errors = 4;
	limits.max_unclassified = 2;
	limits.history_len = 3;
	struct store *store = store_new(&limits);
	struct ingest ingest;
	ingest_init(&ingest, topics, store);

	const char *topic;
	size_t topic_len;
	const uint8_t *payload = data + 1;
	size_t payload_len = size - 1;
	if (data[0] == 0xff) {
		/* Topic from the input: up to the first NUL. */
		const uint8_t *nul = memchr(payload, 0, payload_len);
		topic = (const char *)payload;
		topic_len = nul ? (size_t)(nul - payload) : payload_len;
		payload += nul ? topic_len + 1 : payload_len;
		payload_len -= nul ? topic_len + 1 : payload_len;
	} else {
		topic = templates[data[0] % (sizeof(templates) / sizeof(*templates))];
		topic_len = strlen(topic);
	}
	/* Twice: the second apply exercises the update paths. */
	for (int i = 0; i < 2; i++) {
		struct message_meta msg = { topic, topic_len, payload, payload_len, i == 0, 1.0 + i };
		ingest_message(&ingest, &msg);
	}
	cJSON *snap = snapshot_build(store, NULL);
	char *text = cJSON_PrintUnformatted(snap);
	cJSON_free(text);
	cJSON_Delete(snap);
	store_free(store);
	return 0;
}
