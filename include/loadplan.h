/* loadplan — the staged subscription that loads a domain's retained state
 * whole, within a broker's per-client queue.
 *
 * Why: a broker sends every retained message matching a new subscription at
 * once, into one client's outgoing queue, and drops what does not fit
 * (mosquitto by default: 20 in flight + 1 000 queued at QoS 1; QoS 0 goes
 * straight to the socket and only what is left beyond 1 000 is dropped;
 * EMQX: 32 + 1 000).  One drivr/v1/<slug>/# of a real domain is far bigger.
 * So the plan subscribes in stages, every filter built from the topic table
 * (overrides included):
 *
 *   1. domain   the domain-level rows (domain, organizations, models; the
 *               first level as drivr/v1/<slug>/+, which holds state, jwks
 *               and topics no row knows) and the systems index
 *               (systems/+): one SUBSCRIBE
 *   2. systems  each known system's subtree (systems/<uuid>/+/#, which also
 *               shows topics no row knows) and its rows outside the subtree
 *               (the token list), in batches sized so the retained messages
 *               still expected stay below `budget`; the next batch goes out
 *               as soon as the expected backlog allows (paced by arrivals)
 *   3. live     the input rows and their /error replies (input/#): device
 *               streams, not retained
 *
 * Shared subscriptions (--log --share GROUP, docs/scaling.md): only the
 * live stage goes through $share/GROUP/.  A broker gives a shared
 * subscription no retained messages and splits its traffic over the group,
 * so the rule follows what a filter carries: the input rows and their
 * /error replies are never retained (device streams, each message to be
 * handled once: split), the platform's rows of stages 1 and 2 are retained
 * state, and their live updates change that state, which every consumer
 * needs whole (plain, every consumer gets every one).  The plain filters
 * never match an input topic, so nothing arrives twice.
 *
 * QoS, by stage: the retained state at QoS 0 — it is read again on every
 * connection (clean session), and at QoS 1 a broker's in-flight window and
 * queue cap apply to the burst without making anything more reliable (a
 * dropped QoS 1 message is as lost); live rows at QoS 1.  With a kept
 * session every stage is QoS 1 (the broker queues while the console is away).
 *
 * A batch is done when its SUBACK is in and none of its retained messages
 * arrived for `batch_quiet_s` (mosquitto sends a SUBSCRIBE's retained
 * messages before its SUBACK; Aedes and EMQX after it).  A system found later
 * (a new systems/<uuid>) gets its subtree in the next batch.
 *
 * The index is the one burst that grows with the domain and cannot be cut
 * into parts (no MQTT filter splits one topic level).  The index filter
 * goes last in its SUBSCRIBE and the domain's exact topic once more right
 * behind it, as an end marker: brokers queue a SUBSCRIBE's retained
 * messages in filter order and drop the overflow, the tail first (stock
 * mosquitto: measured, docs/scaling.md), so the marker arriving means the
 * index arrived whole.  A burst of `budget` or more without its marker is
 * read again, and after INDEX_PASSES reported as cut.  Every systems batch
 * ends with the marker too (a batch is sized by the mean system, and one
 * system can hold thousands of retained events): a batch without it is
 * loaded again one system per batch, and a system cut even alone is
 * reported (LOAD_SUBTREE_CUT).  Markers are credited in batch order.  A
 * batch's marker is a subscription repeated in a later SUBSCRIBE, whose
 * retained message MQTT says must come again; a broker that does not is
 * found out by the round's first systems batch, and the check is
 * then off for the round (said in the stats, never guessed as a cut); so
 * it is on a broker found unordered (a marker may overtake its batch).
 *
 * Completeness is reported, never assumed: load_plan_verdict() says whether
 * every stage loaded, or why not (refusals, nothing for the slug, retained
 * messages only on exact topics, an index cut short).
 *
 * Pure: no I/O; the caller sends the batches (loadsub.c for the programs)
 * and feeds back SUBACKs, retained messages and the clock. */
#ifndef DRIVR_LOADPLAN_H
#define DRIVR_LOADPLAN_H

#include <stdbool.h>
#include <stddef.h>

#include "topics.h"

struct load_options {
	int state_qos;         /* stages 1 and 2: 0 (1 with a kept session) */
	int live_qos;          /* stage 3: 1 */
	size_t budget;         /* retained messages expected outstanding at most (500) */
	size_t max_filters;    /* filters in one SUBSCRIBE (256) */
	double batch_quiet_s;  /* a batch is done this long after its last message (0.05) */
	double final_quiet_s;  /* complete this long after the last retained message (0.05),
				* unless the broker was learned to be ordered: then at once */
	double first_estimate; /* retained messages per system before any was measured (16) */
	/* --share: the live stage's filters as $share/<group>/<filter>, so the
	 * broker hands each live message to one member of the group (NULL:
	 * plain).  Read by load_plan_new() only (not kept). */
	const char *share_group;
};

void load_options_default(struct load_options *o);

#define LOAD_STAGE_LIST(X)          \
	X(IDLE, "not connected")    \
	X(DOMAIN, "domain")         \
	X(SYSTEMS, "systems")       \
	X(LIVE, "live")             \
	X(DONE, "loaded")

enum load_stage {
#define X(id, name) LOAD_STAGE_##id,
	LOAD_STAGE_LIST(X)
#undef X
	LOAD_STAGE_COUNT
};
const char *load_stage_name(enum load_stage stage);

/* Why the state is (not) complete. */
#define LOAD_VERDICT_LIST(X)                                                          \
	X(COMPLETE, "complete")                                                       \
	X(LOADING, "still loading")                                                   \
	X(REFUSED, "the broker refused subscriptions")                                \
	X(FAILED, "a subscription failed")                                            \
	X(NOTHING, "nothing for the slug")                                            \
	X(INDEX_LOSSY, "the systems index lost messages")                             \
	X(SUBTREE_CUT, "a system's retained state was cut")                           \
	X(NO_WILDCARD_RETAINED, "no retained messages on wildcard subscriptions")      \
	X(SCOPE_MISSING, "scoped systems not found")

enum load_verdict {
#define X(id, text) LOAD_##id,
	LOAD_VERDICT_LIST(X)
#undef X
	LOAD_VERDICT_COUNT
};
const char *load_verdict_name(enum load_verdict v); /* "complete", "still loading", ... */

/* One SUBSCRIBE to send.  Borrowed from the plan until load_plan_sent(). */
struct load_batch {
	unsigned id; /* > 0; the SUBACK is reported with it */
	enum load_stage stage;
	size_t count;
	const char *const *filters;
	const int *qos;
	size_t systems; /* stage 2: systems in the batch */
};

/* Counters for status bars, the snapshot and the bench. */
struct load_stats {
	enum load_stage stage;
	unsigned rounds;          /* connections the plan ran on */
	size_t systems_known;     /* systems seen in the index */
	size_t systems_loaded;    /* ... whose subtree batch is done */
	size_t batches_sent;      /* SUBSCRIBEs of this round */
	size_t filters_sent;
	size_t filters_refused;
	const char *first_refused; /* a refused filter, or NULL (borrowed) */
	const char *failure;       /* a round that failed outright, or NULL (borrowed) */
	size_t retained;           /* retained messages this round */
	size_t state_messages;     /* messages on the platform's rows, retained or not */
	size_t state_exact;        /* ... on the domain's exact topics (domain, state, jwks) */
	size_t largest_batch;      /* most retained messages one batch brought */
	unsigned index_passes;     /* times the systems index was read */
	bool index_cut;            /* no pass of it was seen to end: systems missing */
	size_t markers;            /* end markers taken out of the stream */
	size_t batches_cut;        /* systems batches cut (their systems loaded again, alone) */
	size_t subtrees_cut;       /* systems cut even alone: their state is partial */
	size_t subacks_lost;       /* SUBSCRIBEs never answered (taken as cut, loaded again) */
	bool subtree_check;        /* systems batches checked by their marker (the broker sends
				    * it again; off on Aedes, or without a domain message) */
	double started;            /* when this round started (caller's clock) */
	double loaded;             /* when it became complete, 0 before */
	size_t scope;              /* systems of the scope; 0: the whole domain */
	size_t scope_missing;      /* ... of which nothing came (once loaded) */
};

struct load_plan;

/* A plan for `slug` over `topics` (both borrowed: they must outlive it). */
struct load_plan *load_plan_new(const struct topic_table *topics, const char *slug,
				const struct load_options *options);
void load_plan_free(struct load_plan *plan);

/* Scope (--system, --systems-file): only these systems (uuids copied; call
 * before the first start; count 0: the whole domain).  Stage 1 then leaves
 * the systems index out (its whole burst for a few systems) and stage 2
 * reads each scoped system's own index topic with its subtree; stage 3
 * subscribes each scoped system's input topics (pattern up to {systemUuid},
 * then "/#": the inputs and their /error replies) instead of input/#; rows
 * naming no system (event_input_component, event_ack) are not subscribed.
 * Systems outside the scope are never queued.  A scoped system of which no
 * retained message came is reported (LOAD_SCOPE_MISSING), not waited for. */
void load_plan_scope(struct load_plan *plan, const char *const *uuids, size_t count);

/* A connection is up (first or again): every stage from the start.  The
 * systems already known are loaded again after the index. */
void load_plan_start(struct load_plan *plan, double now);
/* The connection is gone: nothing is sent until the next start. */
void load_plan_stop(struct load_plan *plan);

/* The next SUBSCRIBE to send now, or NULL.  Call until NULL; after sending
 * each one call load_plan_sent() (or load_plan_failed() when it could not be
 * sent). */
const struct load_batch *load_plan_next(struct load_plan *plan, double now);
void load_plan_sent(struct load_plan *plan, unsigned id, double now);

/* The broker's answer for batch `id`: refused[i] for each of its filters
 * (NULL: all granted).  error: the round failed outright (no SUBACK). */
void load_plan_subscribed(struct load_plan *plan, unsigned id, const bool *refused, size_t count,
			  const char *error, double now);

/* Every received message (after the topic match).  Only retained messages
 * count for the load; a systems index message makes its system known.
 * Returns true for an end marker (a copy of the domain's retained message
 * the plan asked for to see the index burst end): the caller drops it —
 * it is not news, and --log would print the domain twice. */
bool load_plan_message(struct load_plan *plan, const struct topic_match *match, bool retained,
		       double now);

/* Advances batches whose quiet time has passed.  Returns the milliseconds
 * until it needs calling again (-1: no deadline). */
int load_plan_tick(struct load_plan *plan, double now);

/* Requests may go out: every stage is in on this connection and the state
 * is complete, or partial only because filters were refused, scoped
 * systems are missing or the index was cut (what a request needs may still
 * be there: the outbox and the actions go on, and the verdict is shown).
 * Any other verdict waits. */
bool load_plan_usable(const struct load_plan *plan);

/* The stage of batch `id` of this round (IDLE when unknown). */
enum load_stage load_plan_batch_stage(const struct load_plan *plan, unsigned id);

/* Complete, or why not; reason (optional) gets one line for people. */
enum load_verdict load_plan_verdict(const struct load_plan *plan, char *reason, size_t size);
void load_plan_stats(const struct load_plan *plan, struct load_stats *stats);

/* The filters of the stages for this slug, for --print-topics and the docs:
 * calls fn once per filter with its stage ("<uuid>" stands for a system). */
void load_plan_describe(const struct load_plan *plan,
			void (*fn)(void *ctx, enum load_stage stage, const char *filter, int qos),
			void *ctx);

#endif
