/* ingest — see include/ingest.h. */
#include "ingest.h"

#include <string.h>

#include "util.h"

void ingest_init(struct ingest *ingest, const struct topic_table *topics, struct store *store)
{
	memset(ingest, 0, sizeof(*ingest));
	ingest->topics = topics;
	ingest->store = store;
	decode_limits_default(&ingest->limits);
}

bool ingest_message(struct ingest *ingest, const struct message_meta *msg)
{
	struct topic_match match;
	struct decode_result result;

	topic_match(ingest->topics, msg->topic, msg->topic_len, &match);
	/* The plan's quiet times run from when a message is handled here, not
	 * from when Paho's thread took it: behind a backlog (a slow terminal,
	 * a sanitizer build) a batch must not look quiet while its messages
	 * still wait in the inbox.  An end marker it asked for is not news:
	 * dropped. */
	if (ingest->plan && load_plan_message(ingest->plan, &match, msg->retained, time_now()))
		return false;
	decode_payload(&match, msg->payload, msg->payload_len, &ingest->limits, &result);
	store_apply(ingest->store, msg, &match, &result);
	if (ingest->observer)
		ingest->observer(ingest->observer_ctx, msg, &match, &result);
	decode_result_free(&result);
	return true;
}
