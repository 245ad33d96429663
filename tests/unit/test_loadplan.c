/* Unit tests: the staged load (loadplan) — the filters it builds from the
 * topic table (and its overrides), batches sized by the budget, pacing by
 * arrivals, the SUBACK barrier it learns, the systems index's end marker and
 * re-reads, the
 * verdicts, and a new round on a reconnection.  The plan is pure: the tests
 * play the broker, with a made-up clock. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "loadplan.h"
#include "topics.h"
#include "util.h"

#define SLUG "acme"
#define ROOT "drivr/v1/" SLUG

struct fixture {
	struct topic_table *topics;
	struct load_plan *plan;
	struct load_options o;
	double now;
};

static int setup(void **state)
{
	struct fixture *f = xcalloc(1, sizeof(*f));
	f->topics = topics_new();
	load_options_default(&f->o);
	f->now = 1000.0;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	load_plan_free(f->plan);
	topics_free(f->topics);
	free(f);
	return 0;
}

static void make_plan(struct fixture *f)
{
	load_plan_free(f->plan);
	f->plan = load_plan_new(f->topics, SLUG, &f->o);
}

static void uuid_of(int i, char *buf, size_t size)
{
	snprintf(buf, size, "00000000-0000-4000-8000-%012d", i);
}

/* One message as the broker would deliver it. */
static void deliver(struct fixture *f, const char *topic, bool retained)
{
	struct topic_match m;
	topic_match(f->topics, topic, strlen(topic), &m);
	load_plan_message(f->plan, &m, retained, f->now);
}

static void deliver_system(struct fixture *f, int i, bool retained)
{
	char uuid[64], topic[256];
	uuid_of(i, uuid, sizeof(uuid));
	snprintf(topic, sizeof(topic), ROOT "/systems/%s", uuid);
	deliver(f, topic, retained);
}

/* Its subtree: n components and the token list. */
static void deliver_subtree(struct fixture *f, int i, int components)
{
	char uuid[64], topic[256];
	uuid_of(i, uuid, sizeof(uuid));
	for (int c = 0; c < components; c++) {
		snprintf(topic, sizeof(topic), ROOT "/systems/%s/components/meter-%d", uuid, c);
		deliver(f, topic, true);
	}
	snprintf(topic, sizeof(topic), ROOT "/authorization/localApiTokens/%s", uuid);
	deliver(f, topic, true);
}

/* The end marker a batch asks for: the domain's retained message again. */
static void deliver_marker(struct fixture *f)
{
	deliver(f, ROOT, true);
}

static bool has_filter(const struct load_batch *b, const char *filter, int qos)
{
	for (size_t i = 0; i < b->count; i++)
		if (!strcmp(b->filters[i], filter))
			return b->qos[i] == qos;
	return false;
}

/* Sends the next batch (asserting there is one) and returns a copy of its
 * id and stage. */
static const struct load_batch *send_next(struct fixture *f)
{
	const struct load_batch *b = load_plan_next(f->plan, f->now);
	assert_non_null(b);
	load_plan_sent(f->plan, b->id, f->now);
	return b;
}

static void ack(struct fixture *f, unsigned id)
{
	load_plan_subscribed(f->plan, id, NULL, 0, NULL, f->now);
}

static void wait_quiet(struct fixture *f)
{
	f->now += f->o.batch_quiet_s + f->o.final_quiet_s + 0.01;
	load_plan_tick(f->plan, f->now);
}

/* A new plan with `budget`, started, its domain batch answered with
 * `systems` systems in the index and quiet: the systems stage is next. */
static void load_domain(struct fixture *f, size_t budget, int systems)
{
	if (budget)
		f->o.budget = budget;
	make_plan(f);
	load_plan_start(f->plan, f->now);
	unsigned domain = send_next(f)->id;
	ack(f, domain);
	for (int i = 0; i < systems; i++)
		deliver_system(f, i, true);
	wait_quiet(f);
}

/* The systems a batch covers, by their subtree filters. */
static int systems_in(const struct load_batch *b, bool *seen, int max)
{
	int n = 0;
	for (size_t i = 0; i < b->count; i++) {
		int id;
		size_t len = strlen(b->filters[i]);
		/* sscanf stops at the end of the text: the scope's exact
		 * systems/<uuid> would match too */
		if (len > 4 && !strcmp(b->filters[i] + len - 4, "/+/#") &&
		    sscanf(b->filters[i], ROOT "/systems/00000000-0000-4000-8000-%12d/+/#", &id) == 1) {
			assert_true(id >= 0 && id < max);
			assert_false(seen[id]); /* never twice in a round */
			seen[id] = true;
			n++;
		}
	}
	return n;
}

/* --- filters ------------------------------------------------------------- */

struct described {
	char filters[3][32][256];
	int qos[3][32];
	int n[3];
};

static void collect(void *ctx, enum load_stage stage, const char *filter, int qos)
{
	struct described *d = ctx;
	int s = stage == LOAD_STAGE_DOMAIN ? 0 : stage == LOAD_STAGE_SYSTEMS ? 1 : 2;
	assert_true(d->n[s] < 32);
	snprintf(d->filters[s][d->n[s]], 256, "%s", filter);
	d->qos[s][d->n[s]++] = qos;
}

static bool described_has(const struct described *d, int stage, const char *filter, int qos)
{
	for (int i = 0; i < d->n[stage]; i++)
		if (!strcmp(d->filters[stage][i], filter))
			return d->qos[stage][i] == qos;
	return false;
}

static void test_filters_from_the_table(void **state)
{
	struct fixture *f = *state;
	make_plan(f);
	struct described d;
	memset(&d, 0, sizeof(d));
	load_plan_describe(f->plan, collect, &d);

	/* stage 1: the domain's rows and the systems index, QoS 0 */
	assert_true(described_has(&d, 0, ROOT, 0));
	/* the first level at once: state, jwks and topics no row knows */
	assert_true(described_has(&d, 0, ROOT "/+", 0));
	assert_false(described_has(&d, 0, ROOT "/state", 0));
	assert_false(described_has(&d, 0, ROOT "/jwks", 0));
	assert_true(described_has(&d, 0, ROOT "/systems/+", 0));
	assert_true(described_has(&d, 0, ROOT "/componentModels/+", 0));
	assert_true(described_has(&d, 0, ROOT "/eventModels/+/state", 0));
	assert_true(described_has(&d, 0, ROOT "/organizations/+", 0));
	for (int i = 0; i < d.n[0]; i++) /* never the whole domain at once */
		assert_string_not_equal(d.filters[0][i], ROOT "/#");
	/* stage 2: the subtree (which shows unknown topics too) and the token list */
	assert_int_equal(d.n[1], 2);
	assert_true(described_has(&d, 1, ROOT "/systems/<systemUuid>/+/#", 0));
	assert_true(described_has(&d, 1, ROOT "/authorization/localApiTokens/<systemUuid>", 0));
	/* stage 3: one input/#, QoS 1 */
	assert_int_equal(d.n[2], 1);
	assert_true(described_has(&d, 2, ROOT "/input/#", 1));
}

static void test_filters_follow_overrides(void **state)
{
	struct fixture *f = *state;
	char err[256];
	/* a site whose components live outside the system's subtree */
	assert_true(topics_override(f->topics, "component",
				    "drivr/v1/{slug}/components/{systemUuid}/{componentCode}", err,
				    sizeof(err)));
	f->o.state_qos = 1; /* a kept session */
	make_plan(f);
	struct described d;
	memset(&d, 0, sizeof(d));
	load_plan_describe(f->plan, collect, &d);
	assert_true(described_has(&d, 1, ROOT "/components/<systemUuid>/+", 1));
	assert_true(described_has(&d, 1, ROOT "/systems/<systemUuid>/+/#", 1));
	assert_true(described_has(&d, 0, ROOT "/systems/+", 1));
}

/* --share: the live stage alone through $share/<group>/ (the retained
 * state needs plain subscriptions: a shared one gets no retained message),
 * and no plain filter reaches an input topic (it would arrive twice). */
static void test_share_only_the_live_stage(void **state)
{
	struct fixture *f = *state;
	char group[16] = "workers";
	f->o.share_group = group;
	load_domain(f, 0, 0);
	memset(group, 'x', sizeof(group) - 1); /* not kept past load_plan_new */
	struct described d;
	memset(&d, 0, sizeof(d));
	load_plan_describe(f->plan, collect, &d);
	assert_int_equal(d.n[2], 1);
	assert_true(described_has(&d, 2, "$share/workers/" ROOT "/input/#", 1));
	for (int s = 0; s < 2; s++)
		for (int i = 0; i < d.n[s]; i++) {
			assert_null(strstr(d.filters[s][i], "$share"));
			assert_null(strstr(d.filters[s][i], "/input"));
		}
	assert_true(described_has(&d, 1, ROOT "/systems/<systemUuid>/+/#", 0));
	/* the batch sent is the shared one */
	const struct load_batch *live = send_next(f);
	assert_int_equal(live->stage, LOAD_STAGE_LIVE);
	assert_int_equal(live->count, 1);
	assert_true(has_filter(live, "$share/workers/" ROOT "/input/#", 1));

	/* input rows without a common prefix: every live filter shared */
	char err[256];
	assert_true(topics_override(f->topics, "datapoint_input",
				    "drivr/v1/{slug}/dp/{systemUuid}/{fmt}", err, sizeof(err)));
	f->o.share_group = "g";
	make_plan(f);
	memset(&d, 0, sizeof(d));
	load_plan_describe(f->plan, collect, &d);
	assert_true(d.n[2] > 1);
	assert_true(described_has(&d, 2, "$share/g/" ROOT "/dp/+/+", 1));
	for (int i = 0; i < d.n[2]; i++)
		assert_true(!strncmp(d.filters[2][i], "$share/g/" ROOT "/", strlen("$share/g/" ROOT "/")));
}

/* --- the stages ------------------------------------------------------------ */

static void test_stages_cover_every_system_once(void **state)
{
	struct fixture *f = *state;
	f->o.budget = 100; /* first estimate 16 per system: 3 systems a batch */
	make_plan(f);
	assert_null(load_plan_next(f->plan, f->now)); /* not connected */
	load_plan_start(f->plan, f->now);

	const struct load_batch *b = send_next(f);
	unsigned domain = b->id;
	assert_int_equal(b->stage, LOAD_STAGE_DOMAIN);
	assert_true(has_filter(b, ROOT "/systems/+", 0));
	assert_null(load_plan_next(f->plan, f->now)); /* one SUBSCRIBE at a time here */
	ack(f, domain);
	deliver(f, ROOT, true);
	for (int i = 0; i < 20; i++)
		deliver_system(f, i, true);
	assert_null(load_plan_next(f->plan, f->now)); /* the domain batch is not quiet yet */
	wait_quiet(f);

	bool seen[20] = { false };
	int covered = 0, batches = 0;
	for (int round = 0; round < 100 && covered < 20; round++) {
		const struct load_batch *s = load_plan_next(f->plan, f->now);
		if (!s) {
			wait_quiet(f);
			continue;
		}
		load_plan_sent(f->plan, s->id, f->now);
		assert_int_equal(s->stage, LOAD_STAGE_SYSTEMS);
		assert_true(s->count <= f->o.max_filters);
		int n = systems_in(s, seen, 20);
		assert_int_equal((size_t)n, s->systems);
		/* subtree + token list each, the end marker; the first batch
		 * also starts with one (does the broker send it again?) */
		assert_int_equal(s->count, 2 * (size_t)n + 1 + (batches == 0));
		assert_string_equal(s->filters[s->count - 1], ROOT);
		if (batches++ == 0)
			assert_int_equal(n, 3); /* (100 / 2) / 16 */
		covered += n;
		if (batches == 1)
			deliver_marker(f); /* the copy heading the first batch */
		deliver_marker(f);
		ack(f, s->id);
	}
	assert_int_equal(covered, 20);

	/* the subtrees arrive; once quiet, the live stage, then loaded */
	for (int i = 0; i < 20; i++)
		deliver_subtree(f, i, 4);
	wait_quiet(f);
	const struct load_batch *live = send_next(f);
	assert_int_equal(live->stage, LOAD_STAGE_LIVE);
	assert_true(has_filter(live, ROOT "/input/#", 1));
	ack(f, live->id);
	char reason[256];
	assert_int_equal(load_plan_verdict(f->plan, reason, sizeof(reason)), LOAD_LOADING);
	assert_false(load_plan_usable(f->plan));
	wait_quiet(f);
	assert_int_equal(load_plan_verdict(f->plan, reason, sizeof(reason)), LOAD_COMPLETE);
	struct load_stats st;
	load_plan_stats(f->plan, &st);
	assert_int_equal(st.systems_known, 20);
	assert_int_equal(st.systems_loaded, 20);
	assert_true(st.loaded > 0);
	assert_null(load_plan_next(f->plan, f->now));
}

/* The next batch waits while the retained messages still expected would
 * pass the budget, and goes once they arrived. */
static void test_batches_paced_by_arrivals(void **state)
{
	struct fixture *f = *state;
	load_domain(f, 100, 30);

	const struct load_batch *b1 = send_next(f); /* 3 systems, 48 expected */
	unsigned id1 = b1->id;
	size_t n1 = b1->systems;
	assert_int_equal(n1, 3);
	const struct load_batch *b2 = send_next(f); /* 96 expected: still within 100 */
	unsigned id2 = b2->id;
	assert_null(load_plan_next(f->plan, f->now)); /* a third would pass the budget */
	(void)id2;
	/* batch 1's messages arrive (its systems are 0, 1, 2): room again */
	ack(f, id1);
	for (int i = 0; i < 3; i++)
		deliver_subtree(f, i, 15);
	assert_non_null(load_plan_next(f->plan, f->now));
}

/* Where a later SUBACK comes after every retained message of the earlier
 * batch (mosquitto), the plan learns it and stops waiting for quiet time;
 * one message behind such a SUBACK unlearns it. */
static void test_suback_barrier_learned_and_unlearned(void **state)
{
	struct fixture *f = *state;
	load_domain(f, 100, 15);

	unsigned a = send_next(f)->id; /* systems 0-2 */
	unsigned b = send_next(f)->id; /* systems 3-5 */
	ack(f, a);
	for (int i = 0; i < 3; i++)
		deliver_subtree(f, i, 10);
	ack(f, b); /* barrier for a: a has 33, and gets nothing more */
	for (int i = 3; i < 6; i++)
		deliver_subtree(f, i, 10);
	f->now += f->o.batch_quiet_s / 2;
	load_plan_tick(f->plan, f->now);
	struct load_stats st;
	load_plan_stats(f->plan, &st);
	assert_int_equal(st.systems_loaded, 0); /* not learned yet: a waits for quiet */
	wait_quiet(f);
	load_plan_stats(f->plan, &st);
	assert_int_equal(st.systems_loaded, 6);

	/* learned: c is done as soon as d's SUBACK arrives, no quiet time */
	unsigned c = send_next(f)->id;
	unsigned d = send_next(f)->id;
	ack(f, c);
	for (int i = 6; i < 9; i++)
		deliver_subtree(f, i, 10);
	ack(f, d);
	load_plan_stats(f->plan, &st);
	assert_int_equal(st.systems_loaded, 9);
	/* a message of c after d's SUBACK: this broker does not keep the order */
	deliver_subtree(f, 6, 1);
	for (int i = 9; i < 12; i++)
		deliver_subtree(f, i, 10);
	unsigned e = send_next(f)->id; /* systems 12-14 */
	for (int i = 12; i < 15; i++)
		deliver_subtree(f, i, 10);
	ack(f, e);
	load_plan_stats(f->plan, &st);
	assert_int_equal(st.systems_loaded, 9); /* d waits for its quiet time again */
	wait_quiet(f);
	load_plan_stats(f->plan, &st);
	assert_int_equal(st.systems_loaded, 15);
}

/* A systems index as big as the budget is read again; a pass that finds new
 * systems asks for one more; the last pass still finding some is a verdict. */
/* A broker learned to be ordered (each SUBACK behind the retained messages
 * before it): the state is in when the last batch is, without the final
 * quiet time; one that broke the order waits for it. */
static void run_to_loaded(struct fixture *f, bool break_order)
{
	f->o.final_quiet_s = 10; /* long: only an ordered broker skips it */
	load_domain(f, 100, 6);
	unsigned a = send_next(f)->id; /* systems 0-2 */
	unsigned b = send_next(f)->id; /* systems 3-5 */
	for (int i = 0; i < 3; i++)
		deliver_subtree(f, i, 10);
	ack(f, a);
	for (int i = 3; i < 6; i++)
		deliver_subtree(f, i, 10);
	ack(f, b); /* the barrier of a: nothing of a comes after it */
	if (break_order)
		deliver_subtree(f, 0, 1);
	f->now += f->o.batch_quiet_s + 0.01;
	load_plan_tick(f->plan, f->now);
	const struct load_batch *live = send_next(f);
	assert_int_equal(live->stage, LOAD_STAGE_LIVE);
	unsigned l = live->id;
	ack(f, l);
	f->now += f->o.batch_quiet_s + 0.01;
	load_plan_tick(f->plan, f->now);
}

static void test_loaded_at_once_on_an_ordered_broker(void **state)
{
	struct fixture *f = *state;
	run_to_loaded(f, false);
	struct load_stats st;
	load_plan_stats(f->plan, &st);
	assert_true(st.loaded > 0);
	assert_int_equal(load_plan_verdict(f->plan, NULL, 0), LOAD_COMPLETE);
}

static void test_loaded_after_quiet_on_an_unordered_broker(void **state)
{
	struct fixture *f = *state;
	run_to_loaded(f, true);
	struct load_stats st;
	load_plan_stats(f->plan, &st);
	assert_true(st.loaded == 0); /* the final quiet time still runs */
	f->now += 10.01;
	load_plan_tick(f->plan, f->now);
	load_plan_stats(f->plan, &st);
	assert_true(st.loaded > 0);
}

/* The domain's retained message; returns whether the plan took it as an
 * end marker (the caller then drops it). */
static bool deliver_domain(struct fixture *f)
{
	struct topic_match m;
	topic_match(f->topics, ROOT, strlen(ROOT), &m);
	return load_plan_message(f->plan, &m, true, f->now);
}

/* load_domain with the domain's retained message (and its marker copy). */
static void load_domain_marked(struct fixture *f, size_t budget, int systems)
{
	f->o.budget = budget;
	make_plan(f);
	load_plan_start(f->plan, f->now);
	unsigned domain = send_next(f)->id;
	ack(f, domain);
	deliver_domain(f);
	for (int i = 0; i < systems; i++)
		deliver_system(f, i, true);
	deliver_domain(f);
	wait_quiet(f);
}

/* Sends the next systems batch and answers it: its systems' subtrees, the
 * marker when `whole`, the SUBACK, quiet.  Returns its systems. */
static bool probe_answered = true; /* false: a broker that does not send it again */

static size_t answer_batch(struct fixture *f, bool whole, int components)
{
	const struct load_batch *b = send_next(f);
	assert_int_equal(b->stage, LOAD_STAGE_SYSTEMS);
	assert_string_equal(b->filters[b->count - 1], ROOT); /* its end marker */
	unsigned id = b->id;
	size_t n = b->systems;
	bool probe = !strcmp(b->filters[0], ROOT); /* the round's first: a copy heads it */
	bool seen[16] = { false };
	systems_in(b, seen, 16);
	if (probe && probe_answered)
		assert_true(deliver_domain(f));
	for (int i = 0; i < 16; i++)
		if (seen[i])
			deliver_subtree(f, i, components);
	if (whole)
		assert_true(deliver_domain(f));
	ack(f, id);
	wait_quiet(f);
	return n;
}

static void finish_live(struct fixture *f)
{
	const struct load_batch *live = send_next(f);
	assert_int_equal(live->stage, LOAD_STAGE_LIVE);
	unsigned id = live->id;
	ack(f, id);
	wait_quiet(f);
}

/* A systems batch whose marker never comes was cut (one big subtree can
 * overflow a batch sized by the mean): each of its systems again, alone;
 * the whole state once those come whole. */
static void test_cut_batch_loaded_again_alone(void **state)
{
	struct fixture *f = *state;
	load_domain_marked(f, 100, 6);
	assert_int_equal(answer_batch(f, true, 5), 3); /* whole: markers come */
	assert_int_equal(answer_batch(f, false, 5), 3); /* cut: no marker */
	struct load_stats st;
	load_plan_stats(f->plan, &st);
	assert_true(st.subtree_check);
	assert_int_equal(st.batches_cut, 1);
	assert_int_equal(st.systems_loaded, 3); /* the cut three not counted: loaded again */
	for (int k = 0; k < 3; k++)
		assert_int_equal(answer_batch(f, true, 5), 1); /* alone, one at a time */
	finish_live(f);
	load_plan_stats(f->plan, &st);
	assert_int_equal(st.systems_loaded, 6);
	assert_int_equal(st.subtrees_cut, 0);
	assert_int_equal(load_plan_verdict(f->plan, NULL, 0), LOAD_COMPLETE);
}

/* Cut even alone: more of one system than the broker's queue holds — the
 * verdict names it, and requests may still go out. */
static void test_subtree_cut_alone_reported(void **state)
{
	struct fixture *f = *state;
	load_domain_marked(f, 100, 4);
	assert_int_equal(answer_batch(f, true, 5), 3);
	assert_int_equal(answer_batch(f, false, 50), 1); /* system 3, alone, cut */
	finish_live(f);
	char reason[512], uuid[64];
	uuid_of(3, uuid, sizeof(uuid));
	assert_int_equal(load_plan_verdict(f->plan, reason, sizeof(reason)), LOAD_SUBTREE_CUT);
	assert_non_null(strstr(reason, uuid));
	assert_true(load_plan_usable(f->plan));
	struct load_stats st;
	load_plan_stats(f->plan, &st);
	assert_int_equal(st.subtrees_cut, 1);
}

/* A broker that does not send a retained message again for a repeated
 * subscription (Aedes): the first batch's marker never comes, the check is
 * off for the round — said in the stats, and no batch taken as cut. */
static void test_markers_off_without_resend(void **state)
{
	struct fixture *f = *state;
	load_domain_marked(f, 100, 6);
	probe_answered = false;
	assert_int_equal(answer_batch(f, false, 5), 3);
	probe_answered = true;
	const struct load_batch *b = send_next(f); /* no marker asked any more */
	assert_int_equal(b->systems, 3);
	assert_string_not_equal(b->filters[b->count - 1], ROOT);
	unsigned id = b->id;
	for (int i = 3; i < 6; i++)
		deliver_subtree(f, i, 5);
	ack(f, id);
	wait_quiet(f);
	finish_live(f);
	struct load_stats st;
	load_plan_stats(f->plan, &st);
	assert_false(st.subtree_check);
	assert_int_equal(st.batches_cut, 0);
	assert_int_equal(st.systems_loaded, 6);
	assert_int_equal(load_plan_verdict(f->plan, NULL, 0), LOAD_COMPLETE);
}

/* A broker found unordered (a message of a batch after a later batch's
 * SUBACK: Aedes streams retained messages) can deliver a marker before its
 * batch's end: the check goes off, no batch is taken as cut. */
static void test_markers_off_on_an_unordered_broker(void **state)
{
	struct fixture *f = *state;
	load_domain_marked(f, 100, 6);
	const struct load_batch *a = send_next(f);
	unsigned aid = a->id;
	const struct load_batch *b = send_next(f);
	unsigned bid = b->id;
	assert_true(deliver_domain(f)); /* the copy heading the first batch */
	ack(f, aid);
	ack(f, bid);
	deliver_subtree(f, 0, 5); /* a's, after b's SUBACK: not ordered */
	wait_quiet(f);
	finish_live(f);
	struct load_stats st;
	load_plan_stats(f->plan, &st);
	assert_false(st.subtree_check);
	assert_int_equal(st.subtrees_cut, 0);
	assert_int_not_equal(load_plan_verdict(f->plan, NULL, 0), LOAD_SUBTREE_CUT);
}

/* A stock mosquitto drops the SUBACK of a SUBSCRIBE that arrives while it
 * drops the client's messages: a batch never answered, with nothing else
 * coming, is taken as cut after SUBACK_WAIT_S — not waited for forever. */
static void test_lost_suback_taken_as_cut(void **state)
{
	struct fixture *f = *state;
	load_domain(f, 100, 3);
	const struct load_batch *b = send_next(f);
	assert_int_equal(b->systems, 3);
	for (int i = 0; i < 3; i++)
		deliver_subtree(f, i, 5); /* its messages, never its SUBACK */
	f->now += 4.9;
	load_plan_tick(f->plan, f->now);
	struct load_stats st;
	load_plan_stats(f->plan, &st);
	assert_int_equal(st.subacks_lost, 0);
	assert_null(load_plan_next(f->plan, f->now)); /* still waiting */
	f->now += 0.2;
	load_plan_tick(f->plan, f->now);
	load_plan_stats(f->plan, &st);
	assert_int_equal(st.subacks_lost, 1);
	assert_int_equal(st.batches_cut, 1);
	const struct load_batch *alone = send_next(f); /* loaded again, one at a time */
	assert_int_equal(alone->systems, 1);
	assert_null(load_plan_next(f->plan, f->now));
}

/* The index goes last in its SUBSCRIBE, the domain topic once more right
 * after it: the broker's queue drops a burst's tail, so the marker coming
 * back means the index came whole — one pass, no re-read. */
static void test_index_end_marker(void **state)
{
	struct fixture *f = *state;
	f->o.budget = 10;
	make_plan(f);
	load_plan_start(f->plan, f->now);
	const struct load_batch *b = send_next(f);
	assert_true(b->count >= 3);
	assert_string_equal(b->filters[0], ROOT);
	assert_string_equal(b->filters[b->count - 2], ROOT "/systems/+");
	assert_string_equal(b->filters[b->count - 1], ROOT);
	unsigned id = b->id;
	ack(f, id);
	assert_false(deliver_domain(f)); /* the domain filter's own copy: news */
	for (int i = 0; i < 12; i++)
		deliver_system(f, i, true);
	assert_true(deliver_domain(f)); /* the marker: dropped by the caller */
	wait_quiet(f);
	assert_int_equal(send_next(f)->stage, LOAD_STAGE_SYSTEMS);
	struct load_stats st;
	load_plan_stats(f->plan, &st);
	assert_int_equal(st.index_passes, 1);
	assert_int_equal(st.markers, 1);
	assert_false(st.index_cut);
	assert_int_equal(st.retained, 13); /* the marker is not counted */
}

/* A pass that ends without its marker was cut: read again (index, marker);
 * a re-read whose marker comes settles it. */
static void test_index_cut_then_whole(void **state)
{
	struct fixture *f = *state;
	f->o.budget = 10;
	make_plan(f);
	load_plan_start(f->plan, f->now);
	unsigned id = send_next(f)->id;
	ack(f, id);
	deliver_domain(f);
	for (int i = 0; i < 11; i++) /* the tail and the marker dropped */
		deliver_system(f, i, true);
	wait_quiet(f);
	const struct load_batch *p2 = send_next(f);
	assert_int_equal(p2->stage, LOAD_STAGE_DOMAIN);
	assert_int_equal(p2->count, 2);
	assert_string_equal(p2->filters[0], ROOT "/systems/+");
	assert_string_equal(p2->filters[1], ROOT);
	unsigned id2 = p2->id;
	ack(f, id2);
	for (int i = 0; i < 14; i++)
		deliver_system(f, i, true);
	assert_true(deliver_domain(f));
	wait_quiet(f);
	assert_int_equal(send_next(f)->stage, LOAD_STAGE_SYSTEMS);
	struct load_stats st;
	load_plan_stats(f->plan, &st);
	assert_int_equal(st.index_passes, 2);
	assert_int_equal(st.systems_known, 14);
	assert_false(st.index_cut);
}

/* Cut in every pass — the same tail each time, as a stock mosquitto does:
 * reported after three passes, however few new systems the re-reads found,
 * and the known systems still load (requests may go out). */
static void test_index_cut_every_pass(void **state)
{
	struct fixture *f = *state;
	f->o.budget = 10;
	make_plan(f);
	load_plan_start(f->plan, f->now);
	unsigned id = send_next(f)->id;
	ack(f, id);
	deliver_domain(f);
	for (int pass = 1; pass <= 3; pass++) {
		for (int i = 0; i < 12; i++) /* the same 12, never the marker */
			deliver_system(f, i, true);
		wait_quiet(f);
		const struct load_batch *b = send_next(f);
		if (pass < 3) {
			assert_int_equal(b->stage, LOAD_STAGE_DOMAIN);
			unsigned next = b->id;
			ack(f, next);
		} else {
			assert_int_equal(b->stage, LOAD_STAGE_SYSTEMS);
		}
	}
	char reason[512];
	assert_int_equal(load_plan_verdict(f->plan, reason, sizeof(reason)), LOAD_INDEX_LOSSY);
	assert_non_null(strstr(reason, "cut the systems index short in each of 3 passes"));
	assert_non_null(strstr(reason, "12 systems read"));
	struct load_stats st;
	load_plan_stats(f->plan, &st);
	assert_true(st.index_cut);
	assert_int_equal(st.markers, 0);
}

/* No retained domain message at all: nothing can mark the index's end, so
 * a big index is not called whole. */
static void test_index_unmarked(void **state)
{
	struct fixture *f = *state;
	load_domain(f, 10, 12); /* no domain message */
	for (int pass = 2; pass <= 3; pass++) {
		const struct load_batch *b = send_next(f);
		assert_int_equal(b->stage, LOAD_STAGE_DOMAIN);
		unsigned id = b->id;
		ack(f, id);
		for (int i = 0; i < 12; i++)
			deliver_system(f, i, true);
		wait_quiet(f);
	}
	assert_int_equal(send_next(f)->stage, LOAD_STAGE_SYSTEMS);
	char reason[512];
	assert_int_equal(load_plan_verdict(f->plan, reason, sizeof(reason)), LOAD_INDEX_LOSSY);
	assert_non_null(strstr(reason, "could not be checked for loss"));
}

/* A small index is not read twice. */
static void test_small_index_read_once(void **state)
{
	struct fixture *f = *state;
	load_domain(f, 0, 5); /* budget 500 */
	assert_int_equal(send_next(f)->stage, LOAD_STAGE_SYSTEMS);
	struct load_stats st;
	load_plan_stats(f->plan, &st);
	assert_int_equal(st.index_passes, 1);
}

/* --- verdicts ---------------------------------------------------------------- */

/* Runs a round where `topics` arrive on the domain batch; returns the verdict. */
static enum load_verdict run_round(struct fixture *f, const char *const *topics, size_t n,
				   bool refuse_first, char *reason, size_t size)
{
	make_plan(f);
	load_plan_start(f->plan, f->now);
	const struct load_batch *b = send_next(f);
	unsigned id = b->id;
	size_t count = b->count;
	bool *refused = xcalloc(count, sizeof(bool));
	refused[0] = refuse_first;
	load_plan_subscribed(f->plan, id, refused, count, NULL, f->now);
	free(refused);
	for (size_t i = 0; i < n; i++)
		deliver(f, topics[i], true);
	for (int i = 0; i < 5; i++) {
		wait_quiet(f);
		const struct load_batch *next = load_plan_next(f->plan, f->now);
		if (next) {
			load_plan_sent(f->plan, next->id, f->now);
			ack(f, next->id);
		}
	}
	return load_plan_verdict(f->plan, reason, size);
}

static void test_verdicts(void **state)
{
	struct fixture *f = *state;
	char reason[512];

	assert_int_equal(run_round(f, NULL, 0, false, reason, sizeof(reason)), LOAD_NOTHING);
	assert_non_null(strstr(reason, "\"acme\""));
	assert_false(load_plan_usable(f->plan)); /* requests wait */

	static const char *const exact_only[] = { ROOT, ROOT "/state", ROOT "/jwks" };
	assert_int_equal(run_round(f, exact_only, 3, false, reason, sizeof(reason)),
			 LOAD_NO_WILDCARD_RETAINED);
	assert_non_null(strstr(reason, "RabbitMQ"));

	static const char *const whole[] = { ROOT, ROOT "/componentModels/m1" };
	assert_int_equal(run_round(f, whole, 2, false, reason, sizeof(reason)), LOAD_COMPLETE);
	assert_true(load_plan_usable(f->plan));
	assert_int_equal(run_round(f, whole, 2, true, reason, sizeof(reason)), LOAD_REFUSED);
	assert_true(load_plan_usable(f->plan)); /* partial, but requests may go */
	assert_non_null(strstr(reason, "refused 1 of"));

	/* a failed round */
	make_plan(f);
	load_plan_start(f->plan, f->now);
	unsigned id = send_next(f)->id;
	load_plan_subscribed(f->plan, id, NULL, 0, "not authorised", f->now);
	assert_int_equal(load_plan_verdict(f->plan, reason, sizeof(reason)), LOAD_FAILED);
	assert_non_null(strstr(reason, "not authorised"));
}

/* Live messages are no load; platform rows forwarded live still count as
 * the platform being there (a platform back after a broker restart). */
static void test_live_messages(void **state)
{
	struct fixture *f = *state;
	char reason[256];
	make_plan(f);
	load_plan_start(f->plan, f->now);
	unsigned id = send_next(f)->id;
	ack(f, id);
	deliver(f, ROOT "/input/datapoint/x/json", false);
	wait_quiet(f);
	struct load_stats st;
	load_plan_stats(f->plan, &st);
	assert_int_equal(st.retained, 0);
	deliver(f, ROOT "/componentModels/m1", false);
	deliver_system(f, 7, false); /* a system announced live: it gets its batch */
	const struct load_batch *b = load_plan_next(f->plan, f->now);
	assert_non_null(b);
	assert_int_equal(b->systems, 1);
	load_plan_sent(f->plan, b->id, f->now);
	ack(f, b->id);
	for (int i = 0; i < 4; i++) {
		wait_quiet(f);
		const struct load_batch *n = load_plan_next(f->plan, f->now);
		if (n) {
			load_plan_sent(f->plan, n->id, f->now);
			ack(f, n->id);
		}
	}
	assert_int_equal(load_plan_verdict(f->plan, reason, sizeof(reason)), LOAD_COMPLETE);
}

/* A reconnection is a new round: the domain batch again, then every system
 * known (the broker forgot the subscriptions of a clean session). */
static void test_new_round_on_reconnect(void **state)
{
	struct fixture *f = *state;
	make_plan(f);
	load_plan_start(f->plan, f->now);
	unsigned id = send_next(f)->id;
	ack(f, id);
	for (int i = 0; i < 4; i++)
		deliver_system(f, i, true);
	wait_quiet(f);
	unsigned s = send_next(f)->id;
	(void)s;
	load_plan_stop(f->plan);
	assert_null(load_plan_next(f->plan, f->now));
	f->now += 5;
	load_plan_start(f->plan, f->now);
	const struct load_batch *again = send_next(f);
	assert_int_equal(again->stage, LOAD_STAGE_DOMAIN);
	unsigned id2 = again->id;
	assert_true(id2 > id);
	ack(f, id2);
	deliver(f, ROOT, true);
	wait_quiet(f);
	const struct load_batch *sys = send_next(f);
	assert_int_equal(sys->stage, LOAD_STAGE_SYSTEMS);
	assert_int_equal(sys->systems, 4); /* known from the first round */
	struct load_stats st;
	load_plan_stats(f->plan, &st);
	assert_int_equal(st.rounds, 2);
}

/* --- scope (--system, --systems-file) --------------------------------------- */

/* A plan scoped to the systems `ids` (uuid_of each). */
static void make_scoped_plan(struct fixture *f, const int *ids, size_t n)
{
	char uuids[16][64];
	const char *v[16];
	assert_true(n <= 16);
	for (size_t i = 0; i < n; i++) {
		uuid_of(ids[i], uuids[i], sizeof(uuids[i]));
		v[i] = uuids[i];
	}
	make_plan(f);
	load_plan_scope(f->plan, v, n);
}

static void test_scope_filters(void **state)
{
	struct fixture *f = *state;
	const int ids[] = { 1 };
	make_scoped_plan(f, ids, 1);
	struct described d;
	memset(&d, 0, sizeof(d));
	load_plan_describe(f->plan, collect, &d);
	/* stage 1: the domain's rows without the systems index */
	assert_true(described_has(&d, 0, ROOT "/+", 0));
	assert_true(described_has(&d, 0, ROOT "/componentModels/+", 0));
	assert_false(described_has(&d, 0, ROOT "/systems/+", 0));
	/* stage 2: the system's own index topic with its subtree and token list */
	assert_int_equal(d.n[1], 3);
	assert_true(described_has(&d, 1, ROOT "/systems/<systemUuid>", 0));
	assert_true(described_has(&d, 1, ROOT "/systems/<systemUuid>/+/#", 0));
	assert_true(described_has(&d, 1, ROOT "/authorization/localApiTokens/<systemUuid>", 0));
	/* stage 3: its inputs (and their /error replies), never input/#; the
	 * rows naming no system are left out */
	assert_false(described_has(&d, 2, ROOT "/input/#", 1));
	assert_true(described_has(&d, 2, ROOT "/input/system/<systemUuid>/#", 1));
	assert_true(described_has(&d, 2, ROOT "/input/component/<systemUuid>/#", 1));
	assert_true(described_has(&d, 2, ROOT "/input/datapoint/<systemUuid>/#", 1));
	assert_true(described_has(&d, 2, ROOT "/input/setpoint/<systemUuid>/#", 1));
	assert_true(described_has(&d, 2, ROOT "/input/setpoint/ack/<systemUuid>/#", 1));
	assert_true(described_has(&d, 2, ROOT "/input/event/s/<systemUuid>/#", 1));
	assert_int_equal(d.n[2], 6);
}

/* The three stages of a scoped round: only the scoped systems, complete
 * when they are in. */
static void test_scope_loads_only_the_scope(void **state)
{
	struct fixture *f = *state;
	const int ids[] = { 1, 5, 7 };
	char reason[512], uuid[64], filter[256];
	make_scoped_plan(f, ids, 3);
	load_plan_start(f->plan, f->now);
	const struct load_batch *b = send_next(f);
	assert_int_equal(b->stage, LOAD_STAGE_DOMAIN);
	assert_false(has_filter(b, ROOT "/systems/+", 0));
	unsigned id = b->id;
	ack(f, id);
	deliver(f, ROOT, true);
	deliver(f, ROOT "/componentModels/m1", true);
	/* an index message of a system outside the scope (a stray one) is not
	 * taken in: it is never loaded */
	deliver_system(f, 9, true);
	wait_quiet(f);

	b = send_next(f);
	assert_int_equal(b->stage, LOAD_STAGE_SYSTEMS);
	assert_int_equal(b->systems, 3);
	bool seen[16] = { false };
	assert_int_equal(systems_in(b, seen, 16), 3);
	assert_true(seen[1] && seen[5] && seen[7] && !seen[9]);
	uuid_of(5, uuid, sizeof(uuid));
	snprintf(filter, sizeof(filter), ROOT "/systems/%s", uuid);
	assert_true(has_filter(b, filter, 0));
	id = b->id;
	ack(f, id);
	for (size_t i = 0; i < 3; i++) {
		deliver_system(f, ids[i], true);
		deliver_subtree(f, ids[i], 4);
	}
	wait_quiet(f);
	assert_int_equal(load_plan_verdict(f->plan, reason, sizeof(reason)), LOAD_LOADING);

	b = send_next(f);
	assert_int_equal(b->stage, LOAD_STAGE_LIVE);
	assert_int_equal(b->count, 18); /* 6 input rows × 3 systems */
	snprintf(filter, sizeof(filter), ROOT "/input/datapoint/%s/#", uuid);
	assert_true(has_filter(b, filter, 1));
	ack(f, b->id);
	wait_quiet(f);
	assert_null(load_plan_next(f->plan, f->now));
	assert_int_equal(load_plan_verdict(f->plan, reason, sizeof(reason)), LOAD_COMPLETE);
	assert_non_null(strstr(reason, "3 systems (the scope)"));
	assert_true(load_plan_usable(f->plan));
	struct load_stats st;
	load_plan_stats(f->plan, &st);
	assert_int_equal(st.scope, 3);
	assert_int_equal(st.scope_missing, 0);
	assert_int_equal(st.systems_known, 3);
	assert_int_equal(st.systems_loaded, 3);
	assert_int_equal(st.index_passes, 0);
}

/* A scoped system the domain does not have: reported once the rest is in,
 * not waited for; requests may still go (the verdict is shown). */
static void test_scope_missing_system(void **state)
{
	struct fixture *f = *state;
	const int ids[] = { 2, 3 };
	char reason[512], uuid[64];
	make_scoped_plan(f, ids, 2);
	load_plan_start(f->plan, f->now);
	ack(f, send_next(f)->id);
	deliver(f, ROOT, true);
	deliver(f, ROOT "/componentModels/m1", true);
	wait_quiet(f);
	ack(f, send_next(f)->id);
	deliver_system(f, 2, true);
	deliver_subtree(f, 2, 3);
	wait_quiet(f);
	ack(f, send_next(f)->id);
	wait_quiet(f);
	assert_int_equal(load_plan_verdict(f->plan, reason, sizeof(reason)), LOAD_SCOPE_MISSING);
	uuid_of(3, uuid, sizeof(uuid));
	assert_non_null(strstr(reason, uuid));
	assert_non_null(strstr(reason, "1 of the 2 systems of the scope not found"));
	assert_true(load_plan_usable(f->plan));
	struct load_stats st;
	load_plan_stats(f->plan, &st);
	assert_int_equal(st.scope_missing, 1);
	assert_true(st.loaded > 0);

	/* a new round forgets what came: the system must come again */
	load_plan_start(f->plan, f->now);
	load_plan_stats(f->plan, &st);
	assert_int_equal(st.scope_missing, 0); /* not loaded yet: nothing said */
	assert_int_equal(load_plan_verdict(f->plan, NULL, 0), LOAD_LOADING);
}

/* Many scoped systems: the live filters go in SUBSCRIBEs of max_filters,
 * and the round is in only when every one of them is answered. */
static void test_scope_live_in_several_batches(void **state)
{
	struct fixture *f = *state;
	const int ids[] = { 0, 1, 2 };
	f->o.max_filters = 4;
	make_scoped_plan(f, ids, 3);
	load_plan_start(f->plan, f->now);
	ack(f, send_next(f)->id);
	deliver(f, ROOT, true);
	deliver(f, ROOT "/componentModels/m1", true);
	wait_quiet(f);
	/* 3 filters a system, 4 a SUBSCRIBE: one system a batch */
	for (int i = 0; i < 3; i++) {
		const struct load_batch *b = send_next(f);
		assert_int_equal(b->stage, LOAD_STAGE_SYSTEMS);
		ack(f, b->id);
		deliver_system(f, ids[i], true);
		deliver_subtree(f, ids[i], 1);
	}
	wait_quiet(f);
	unsigned live[8];
	size_t n = 0, filters = 0;
	const struct load_batch *b;
	while ((b = load_plan_next(f->plan, f->now))) {
		assert_int_equal(b->stage, LOAD_STAGE_LIVE);
		assert_true(b->count <= 4);
		assert_true(n < 8);
		filters += b->count;
		live[n++] = b->id;
		load_plan_sent(f->plan, b->id, f->now);
	}
	assert_int_equal(filters, 18);
	assert_int_equal(n, 5);
	for (size_t i = 0; i + 1 < n; i++)
		ack(f, live[i]);
	wait_quiet(f);
	assert_int_equal(load_plan_verdict(f->plan, NULL, 0), LOAD_LOADING);
	ack(f, live[n - 1]);
	wait_quiet(f);
	assert_int_equal(load_plan_verdict(f->plan, NULL, 0), LOAD_COMPLETE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_filters_from_the_table, setup, teardown),
		cmocka_unit_test_setup_teardown(test_filters_follow_overrides, setup, teardown),
		cmocka_unit_test_setup_teardown(test_share_only_the_live_stage, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stages_cover_every_system_once, setup, teardown),
		cmocka_unit_test_setup_teardown(test_batches_paced_by_arrivals, setup, teardown),
		cmocka_unit_test_setup_teardown(test_suback_barrier_learned_and_unlearned, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_loaded_at_once_on_an_ordered_broker, setup, teardown),
		cmocka_unit_test_setup_teardown(test_loaded_after_quiet_on_an_unordered_broker, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_cut_batch_loaded_again_alone, setup, teardown),
		cmocka_unit_test_setup_teardown(test_subtree_cut_alone_reported, setup, teardown),
		cmocka_unit_test_setup_teardown(test_markers_off_without_resend, setup, teardown),
		cmocka_unit_test_setup_teardown(test_markers_off_on_an_unordered_broker, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_lost_suback_taken_as_cut, setup, teardown),
		cmocka_unit_test_setup_teardown(test_index_end_marker, setup, teardown),
		cmocka_unit_test_setup_teardown(test_index_cut_then_whole, setup, teardown),
		cmocka_unit_test_setup_teardown(test_index_cut_every_pass, setup, teardown),
		cmocka_unit_test_setup_teardown(test_index_unmarked, setup, teardown),
		cmocka_unit_test_setup_teardown(test_small_index_read_once, setup, teardown),
		cmocka_unit_test_setup_teardown(test_verdicts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_live_messages, setup, teardown),
		cmocka_unit_test_setup_teardown(test_new_round_on_reconnect, setup, teardown),
		cmocka_unit_test_setup_teardown(test_scope_filters, setup, teardown),
		cmocka_unit_test_setup_teardown(test_scope_loads_only_the_scope, setup, teardown),
		cmocka_unit_test_setup_teardown(test_scope_missing_system, setup, teardown),
		cmocka_unit_test_setup_teardown(test_scope_live_in_several_batches, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
