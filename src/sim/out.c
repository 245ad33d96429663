/* out — every message the simulator publishes goes through here. */
#include <cJSON.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "sim.h"

void out_init(struct sim_out *out, struct mqtt *mqtt, const struct topic_table *topics,
	      const char *slug)
{
	memset(out, 0, sizeof(*out));
	out->mqtt = mqtt;
	out->topics = topics;
	out->slug = slug;
}

void out_free(struct sim_out *out)
{
	payload_buf_free(&out->buf);
}

struct topic_ids out_ids(const struct sim_out *out)
{
	struct topic_ids ids;
	memset(&ids, 0, sizeof(ids));
	ids.v[TOPIC_ID_SLUG] = out->slug;
	return ids;
}

/* Paho refuses a publish once it holds maxBufferedMessages (1 000) not yet
 * written or acknowledged, even while connected: a burst (the retained
 * state of a large world) waits for it to drain instead of losing messages.
 * Bounded: after 10 s of no progress the publish is tried (and counted as
 * not sent if refused). */
#define OUT_HELD_MAX 900

static void wait_for_room(struct mqtt *mqtt)
{
	struct timespec ms = { 0, 1000000L };
	for (int i = 0; i < 10000; i++) {
		struct mqtt_publish_stats st;
		mqtt_get_publish_stats(mqtt, &st);
		if (st.sent - st.completed - st.failed < OUT_HELD_MAX)
			return;
		nanosleep(&ms, NULL);
	}
}

bool out_publish_raw(struct sim_out *out, const char *topic, const void *data, size_t len,
		     int qos, bool retain)
{
	char err[256];
	wait_for_room(out->mqtt);
	if (mqtt_publish_qos(out->mqtt, topic, data, len, qos, retain, false, NULL, err,
			     sizeof(err)) != MQTT_OK) {
		out->not_sent++;
		snprintf(out->last_error, sizeof(out->last_error), "%s", err);
		return false;
	}
	out->published++;
	return true;
}

bool out_publish(struct sim_out *out, enum topic_family family, const struct topic_ids *ids,
		 enum payload_format fmt, cJSON *root, bool retain)
{
	char topic[512];
	int n = topic_build(out->topics, family, ids, fmt, topic, sizeof(topic));
	if (n < 0 || !payload_serialize(root, fmt, &out->buf)) {
		cJSON_Delete(root);
		out->not_sent++;
		snprintf(out->last_error, sizeof(out->last_error), "cannot build a %s message",
			 topic_family_name(family));
		return false;
	}
	cJSON_Delete(root);
	return out_publish_raw(out, topic, out->buf.data, out->buf.len, 1, retain);
}
