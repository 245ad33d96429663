/* ingest — one received message through the whole pipeline:
 * topic match → decode → store apply.  The single path used by the headless
 * modes, the full-screen console, the tests and the benchmarks. */
#ifndef DRIVR_INGEST_H
#define DRIVR_INGEST_H

#include "decode.h"
#include "loadplan.h"
#include "store.h"
#include "topics.h"

/* Called after a message was applied, with what it decoded to (for --log).
 * Everything passed is borrowed for the duration of the call. */
typedef void (*ingest_observer)(void *ctx, const struct message_meta *msg,
				const struct topic_match *match, const struct decode_result *result);

struct ingest {
	const struct topic_table *topics; /* borrowed */
	struct store *store;              /* borrowed */
	struct decode_limits limits;
	ingest_observer observer; /* optional */
	void *observer_ctx;
	struct load_plan *plan;   /* optional, borrowed: told of every message */
};

/* Main loops drain the inbox in batches; below this many messages a batch
 * is "small" and the loop pauses INGEST_BATCH_PAUSE_NS to let the next grow. */
#define INGEST_BATCH_TARGET 64
#define INGEST_BATCH_PAUSE_NS 300000L

void ingest_init(struct ingest *ingest, const struct topic_table *topics, struct store *store);
/* Decodes, stores and observes one message.  Returns false when the load
 * plan took it as its end marker (a copy it asked for, not news): nothing
 * stored or observed, and callers do not count it. */
bool ingest_message(struct ingest *ingest, const struct message_meta *msg);

#endif
