/* faults — hostile messages mixed into the stream (--faults RATIO): what a
 * broken or malicious device could publish.  The console must survive each
 * one and report it (decode errors and warnings); the simulator's own
 * answers.c must answer the malformed setpoint input with an /error reply.
 * Every kind is non-retained, and the "rogue" system has its own uuid, so
 * no real entity is overwritten. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim.h"
#include "util.h"

#define ROGUE_SYSTEM "bad0bad0-0000-4000-8000-000000000000"
#define OVERSIZED_BYTES (300 * 1024) /* above the console's 256 KiB decode limit */

enum fault {
	FAULT_BAD_JSON,
	FAULT_WRONG_TYPE,
	FAULT_ESCAPES,
	FAULT_BAD_UTF8,
	FAULT_OVERSIZED,
	FAULT_UNKNOWN_TOPIC,
	FAULT_BAD_MSGPACK,
	FAULT_DEEP,
	FAULT_BAD_SETPOINT_INPUT,
	FAULT_MISSING_VALUE,
	FAULT_COUNT
};

static bool fault_topic(struct sim *sim, enum topic_family family, const char *system,
			enum payload_format fmt, char *buf, size_t size)
{
	struct topic_ids ids = out_ids(&sim->out);
	ids.v[TOPIC_ID_SYSTEM_UUID] = system;
	return topic_build(sim->topics, family, &ids, fmt, buf, size) > 0;
}

static void publish(struct sim *sim, const char *topic, const void *data, size_t len)
{
	if (out_publish_raw(&sim->out, topic, data, len, 1, false))
		sim->faults_sent++;
}

void faults_publish_one(struct sim *sim, double now)
{
	char topic[512], buf[1024];
	const char *system = sim->world->systems[0].uuid;
	enum fault kind = (enum fault)rng_below(&sim->faults_rng, FAULT_COUNT);
	(void)now;
	switch (kind) {
	case FAULT_BAD_JSON:
		if (fault_topic(sim, TOPIC_DATAPOINT_INPUT, system, FORMAT_JSON, topic, sizeof(topic)))
			publish(sim, topic, "{\"componentCode\": \"heat-pump-1\", \"value\": ", 42);
		break;
	case FAULT_WRONG_TYPE:
		if (fault_topic(sim, TOPIC_SYSTEM, ROGUE_SYSTEM, FORMAT_JSON, topic, sizeof(topic))) {
			int n = snprintf(buf, sizeof(buf), "{\"uuid\":\"%s\",\"name\":42}", ROGUE_SYSTEM);
			publish(sim, topic, buf, (size_t)n);
		}
		break;
	case FAULT_ESCAPES:
		if (fault_topic(sim, TOPIC_SYSTEM, ROGUE_SYSTEM, FORMAT_JSON, topic, sizeof(topic))) {
			/* raw ESC and BEL bytes, and a C1 CSI, inside a JSON string */
			int n = snprintf(buf, sizeof(buf),
					 "{\"uuid\":\"%s\",\"code\":\"rogue\",\"name\":"
					 "\"\x1b[2J\x1b[31mPWNED\x07 \xc2\x9b" "6n\"}",
					 ROGUE_SYSTEM);
			publish(sim, topic, buf, (size_t)n);
		}
		break;
	case FAULT_BAD_UTF8:
		if (fault_topic(sim, TOPIC_DATAPOINT_INPUT, system, FORMAT_JSON, topic, sizeof(topic))) {
			static const char p[] = "{\"componentCode\":\"rogue\",\"serviceCode\":\"x\","
						"\"characteristicCode\":\"status\",\"value\":\"\xff\xfe"
						"broken \xc3\x28\"}";
			publish(sim, topic, p, sizeof(p) - 1);
		}
		break;
	case FAULT_OVERSIZED:
		if (fault_topic(sim, TOPIC_DATAPOINT_INPUT, system, FORMAT_JSON, topic, sizeof(topic))) {
			char *big = xmalloc(OVERSIZED_BYTES);
			struct datapoint dp;
			memset(&dp, 0, sizeof(dp));
			dp.addr.component_code = "rogue";
			dp.addr.service_code = "x";
			dp.addr.characteristic_code = "big";
			dp.addr.service_index = -1;
			dp.time = TIME_UNKNOWN;
			dp.value.type = VALUE_NUMBER;
			size_t len = payload_write_datapoint(big, OVERSIZED_BYTES, &dp,
							     OVERSIZED_BYTES - 200);
			if (len)
				publish(sim, topic, big, len);
			free(big);
		}
		break;
	case FAULT_UNKNOWN_TOPIC: {
		int n = snprintf(topic, sizeof(topic), "drivr/v1/%s/mystery/%u", sim->opt.slug,
				 rng_below(&sim->faults_rng, 4));
		if (n > 0 && (size_t)n < sizeof(topic))
			publish(sim, topic, "who am I?", 9);
		break;
	}
	case FAULT_BAD_MSGPACK:
		if (fault_topic(sim, TOPIC_DATAPOINT_INPUT, system, FORMAT_MSGPACK, topic,
				sizeof(topic))) {
			/* a map announcing 15 pairs, then the never-used byte 0xc1 */
			static const unsigned char p[] = { 0x8f, 0xa1, 'a', 0xc1, 0xc1 };
			publish(sim, topic, p, sizeof(p));
		}
		break;
	case FAULT_DEEP:
		if (fault_topic(sim, TOPIC_DATAPOINT_INPUT, system, FORMAT_JSON, topic, sizeof(topic))) {
			char deep[700];
			size_t n = 0;
			n += (size_t)snprintf(deep, sizeof(deep),
					      "{\"componentCode\":\"rogue\",\"serviceCode\":\"x\","
					      "\"characteristicCode\":\"deep\",\"value\":");
			for (int i = 0; i < 100; i++)
				deep[n++] = '[';
			for (int i = 0; i < 100; i++)
				deep[n++] = ']';
			deep[n++] = '}';
			publish(sim, topic, deep, n);
		}
		break;
	case FAULT_BAD_SETPOINT_INPUT:
		if (fault_topic(sim, TOPIC_SETPOINT_INPUT, system, FORMAT_JSON, topic, sizeof(topic)))
			publish(sim, topic, "{\"value\": [1, 2", 15);
		break;
	case FAULT_MISSING_VALUE:
		if (fault_topic(sim, TOPIC_DATAPOINT_INPUT, system, FORMAT_JSON, topic, sizeof(topic))) {
			static const char p[] = "{\"componentCode\":\"rogue\",\"serviceCode\":\"x\","
						"\"characteristicCode\":\"nothing\"}";
			publish(sim, topic, p, sizeof(p) - 1);
		}
		break;
	case FAULT_COUNT:
		break;
	}
}
