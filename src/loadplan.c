/* loadplan — see include/loadplan.h. */
#include "loadplan.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hashmap.h"
#include "util.h"

#define FILTER_MAX 512          /* one filter, built from a pattern */
#define BATCHES_IN_FLIGHT 16    /* SUBSCRIBEs not yet done, at most */
#define ESTIMATE_MARGIN 1.25    /* expected messages per system: the mean seen so far, and some */
#define INDEX_PASSES 3          /* the systems index read at most this often in a round */
#define SUBACK_WAIT_S 5.0       /* a SUBACK not in this long after the last retained message: lost */

static const char *const stage_names[] = {
#define X(id, name) name,
	LOAD_STAGE_LIST(X)
#undef X
};

static const char *const verdict_names[] = {
#define X(id, text) text,
	LOAD_VERDICT_LIST(X)
#undef X
};

const char *load_stage_name(enum load_stage stage)
{
	return stage < LOAD_STAGE_COUNT ? stage_names[stage] : "?";
}

const char *load_verdict_name(enum load_verdict v)
{
	return v < LOAD_VERDICT_COUNT ? verdict_names[v] : "?";
}

void load_options_default(struct load_options *o)
{
	memset(o, 0, sizeof(*o));
	o->state_qos = 0;
	o->live_qos = 1;
	o->budget = 500;
	o->max_filters = 256;
	o->batch_quiet_s = 0.05;
	o->final_quiet_s = 0.05;
	o->first_estimate = 16;
}

/* A list of filters with their QoS, owned. */
struct filter_list {
	char **v;
	int *qos;
	size_t n, cap;
};

static void filters_push(struct filter_list *l, const char *filter, int qos)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 8;
		l->v = xrealloc(l->v, l->cap * sizeof(*l->v));
		l->qos = xrealloc(l->qos, l->cap * sizeof(*l->qos));
	}
	l->v[l->n] = xstrdup(filter);
	l->qos[l->n++] = qos;
}

/* filters_push() unless the list has it already. */
static void filters_add(struct filter_list *l, const char *filter, int qos)
{
	for (size_t i = 0; i < l->n; i++)
		if (!strcmp(l->v[i], filter))
			return;
	filters_push(l, filter, qos);
}

static void filters_clear(struct filter_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	free(l->qos);
	memset(l, 0, sizeof(*l));
}

struct batch {
	unsigned id;
	enum load_stage stage;
	struct filter_list filters; /* freed once answered */
	size_t systems;
	size_t expected, arrived;
	/* The end marker (index and systems batches): copies of the domain's
	 * own retained message this batch asks for, and how many came. */
	unsigned markers_expected, markers_seen;
	bool first_copy_real; /* the first index pass: its first copy is the domain's own */
	size_t arrived_at_barrier; /* arrived when a later batch's SUBACK came */
	bool barrier_seen;          /* ... and one has */
	double sent_at, acked_at, last_at;
	bool sent, acked, done;
	bool suback_lost; /* never answered: stock mosquitto drops SUBACKs while it drops messages */
};

struct plan_system {
	char *uuid;
	uint64_t hash;
	unsigned batch; /* the batch of this round that loads it; 0: none yet */
	bool queued;    /* waiting in pending[] */
	bool alone;     /* its batch was cut: loaded again in a batch of its own */
	bool found;     /* scope: a retained message of it came this round */
};

struct load_plan {
	const struct topic_table *topics;
	char *slug;
	struct load_options o;

	/* Templates, fixed at creation. */
	struct filter_list domain_filters; /* stage 1 */
	struct filter_list live_filters;   /* stage 3 */
	enum topic_family system_rows[TOPIC_FAMILY_COUNT]; /* per-system rows outside the subtree */
	size_t system_row_count;
	bool subtree;            /* systems/<uuid>/+/# covers the rest */
	char *index_filter;      /* the systems index (systems/+), or NULL */
	/* The domain's exact topic (drivr/v1/<slug>), subscribed once more
	 * right after the index in the same SUBSCRIBE: a broker queues a
	 * SUBSCRIBE's retained messages in its filters' order and drops what
	 * overflows the client's queue, the tail first, so the domain message
	 * coming back after the index means the index burst arrived whole.
	 * NULL when the table's domain row is not an exact topic. */
	char *marker_filter;
	bool exact[TOPIC_FAMILY_COUNT]; /* rows whose topic has no id but the slug */

	/* Scope (load_plan_scope): systems[] is the scope, fixed; the index
	 * is not read, each system's own index topic is in its batch. */
	bool scoped;

	/* Systems: every one seen in the index, in order. */
	struct plan_system *systems;
	size_t system_count, system_cap;
	struct hashmap system_index;
	uint32_t *pending; /* slots waiting for a batch, a FIFO */
	size_t pending_head, pending_len, pending_cap;

	/* This round. */
	bool running;
	enum load_stage stage;
	struct batch *batches;
	size_t batch_count, batch_cap;
	unsigned next_id;
	size_t domain_batch, live_batch; /* index + 1; 0: not made yet */
	size_t index_batch;              /* the current pass over the index */
	unsigned index_pass;             /* 1: with the domain rows; 2, 3: the index again */
	size_t index_seen, index_new;    /* in the current pass: index messages, new systems */
	bool index_cut;                  /* no pass of the index was seen to end (marker lost) */
	bool index_unmarked;             /* ... because the domain message never came at all */
	size_t index_most;               /* most index messages one pass brought */
	size_t markers;                  /* marker copies taken out of the stream this round */
	size_t domain_copies;            /* retained domain messages this round, markers too */
	size_t batches_cut;              /* systems batches whose marker never came (loaded again) */
	size_t subacks_lost;             /* batches never answered (taken as cut) */
	/* Does the broker send a retained message again for a subscription
	 * repeated in a later SUBSCRIBE (MQTT says it must)?
	 * Learned from the copy heading this round's first systems batch:
	 * until then, and if not, a batch without its marker is not taken as
	 * cut.  Off too on a broker found unordered (barrier_broken: Aedes
	 * streams retained messages, a marker may overtake its batch). */
	enum { MARKERS_UNKNOWN, MARKERS_TRUSTED, MARKERS_OFF } systems_markers;
	bool probe_sent; /* the batch that finds it out has gone */
	size_t subtrees_cut;             /* ... systems cut even in a batch of their own */
	char *first_cut;                 /* the first of those (uuid) */
	/* Does a later batch's SUBACK mean the earlier batches are in?  It
	 * does where the broker queues a SUBSCRIBE's retained messages while
	 * handling it, in order (mosquitto: before or right after its SUBACK,
	 * so they lie ahead of the next SUBACK in the stream).  Learned from
	 * a batch that got nothing after that SUBACK during its quiet time;
	 * then batches are done at the next SUBACK instead of after their
	 * quiet time.  Unlearned for good by a message behind that barrier
	 * (Aedes streams retained messages from its store, unordered). */
	bool barrier_learned, barrier_broken;
	size_t latest_open;              /* index + 1 of the batch unattributed messages go to */
	size_t systems_loaded, filters_sent, filters_refused, retained, state_messages, state_exact;
	size_t measured_systems, measured_messages, largest_batch;
	char *first_refused, *failure;
	unsigned rounds;
	double started, loaded, last_retained, now;
	struct load_batch view; /* what load_plan_next() returned last */
};

/* ---- filters from patterns ------------------------------------------------ */

/* pattern → filter: {slug} → the slug, {systemUuid} → system ("+" when NULL),
 * any other {id} or {fmt} → "+", {id*} → "#", which ends the filter. */
static bool pattern_filter(const char *pattern, const char *slug, const char *system, char *buf,
			   size_t size)
{
	size_t len = 0;
	const char *p = pattern;
	buf[0] = '\0';
	while (*p) {
		const char *end = strchr(p, '/');
		size_t level = end ? (size_t)(end - p) : strlen(p);
		const char *text = NULL;
		size_t text_len = level;
		bool last = false;
		if (level >= 2 && p[0] == '{' && p[level - 1] == '}') {
			if (level > 2 && p[level - 2] == '*') {
				text = "#";
				last = true;
			} else if (level == 6 && !strncmp(p, "{slug}", 6)) {
				text = slug;
			} else if (!strncmp(p, "{systemUuid}", level) && level == 12 && system) {
				text = system;
			} else {
				text = "+";
			}
			text_len = strlen(text);
		} else {
			text = p;
		}
		if (len + text_len + 2 > size)
			return false;
		if (len)
			buf[len++] = '/';
		memcpy(buf + len, text, text_len);
		len += text_len;
		buf[len] = '\0';
		if (last || !end)
			break;
		p = end + 1;
	}
	return true;
}

static bool has_system_id(const char *pattern)
{
	return strstr(pattern, "{systemUuid}") != NULL;
}

/* No placeholder but the slug: one exact topic. */
static bool exact_pattern(const char *pattern)
{
	const char *p = pattern;
	while ((p = strchr(p, '{'))) {
		if (strncmp(p, "{slug}", 6))
			return false;
		p++;
	}
	return true;
}

/* Literal levels the live filters all start with: "drivr/v1/<slug>/input". */
static size_t common_literal_prefix(const struct filter_list *l, char *buf, size_t size)
{
	if (!l->n || size == 0)
		return 0;
	size_t levels = 0, len = 0;
	const char *first = l->v[0];
	for (;;) {
		const char *end = strchr(first + len, '/');
		size_t level_end = end ? (size_t)(end - first) : strlen(first);
		const char *level = first + len;
		size_t level_len = level_end - len;
		if (!end || (level_len == 1 && (level[0] == '+' || level[0] == '#')))
			break;
		bool shared = true;
		for (size_t i = 1; i < l->n && shared; i++)
			shared = !strncmp(l->v[i], first, level_end + 1);
		if (!shared)
			break;
		len = level_end + 1;
		levels++;
	}
	if (len == 0 || len > size)
		return 0;
	memcpy(buf, first, len - 1);
	buf[len - 1] = '\0';
	return levels;
}

static size_t level_count(const char *s)
{
	size_t n = 1;
	for (; *s; s++)
		n += *s == '/';
	return n;
}

static void build_templates(struct load_plan *p)
{
	char f[FILTER_MAX], sys[FILTER_MAX];
	const char *index_pattern = topics_pattern(p->topics, TOPIC_SYSTEM);
	bool have_index = pattern_filter(index_pattern, p->slug, "{systemUuid}", sys, sizeof(sys)) &&
			  has_system_id(index_pattern);

	for (int fam = 0; fam < TOPIC_UNCLASSIFIED; fam++) {
		const char *pattern = topics_pattern(p->topics, (enum topic_family)fam);
		p->exact[fam] = exact_pattern(pattern);
		if (!pattern_filter(pattern, p->slug, NULL, f, sizeof(f)))
			continue;
		bool live = topic_family_direction((enum topic_family)fam) == TOPIC_PUB ||
			    fam == TOPIC_ERROR_REPLY;
		if (live) {
			filters_add(&p->live_filters, f, p->o.live_qos);
		} else if (fam == TOPIC_SYSTEM || !has_system_id(pattern)) {
			filters_add(&p->domain_filters, f, p->o.state_qos);
			if (fam == TOPIC_SYSTEM && have_index)
				p->index_filter = xstrdup(f);
		} else {
			/* Under systems/<uuid>/: the subtree filter covers it. */
			char mine[FILTER_MAX];
			size_t sys_len = strlen(sys);
			if (have_index &&
			    pattern_filter(pattern, p->slug, "{systemUuid}", mine, sizeof(mine)) &&
			    !strncmp(mine, sys, sys_len) && mine[sys_len] == '/')
				p->subtree = true;
			else
				p->system_rows[p->system_row_count++] = (enum topic_family)fam;
		}
	}
	/* The domain's first level as one drivr/v1/<slug>/+: its own rows there
	 * (state, jwks) and the topics no row knows, for the unclassified view
	 * (deeper unknown topics outside input/ and the systems' subtrees need
	 * --single-subscription: see docs/topics.md). */
	const char *domain_pattern = topics_pattern(p->topics, TOPIC_DOMAIN);
	if (exact_pattern(domain_pattern) &&
	    pattern_filter(domain_pattern, p->slug, NULL, f, sizeof(f) - 2)) {
		size_t len = strlen(f);
		struct filter_list kept = { 0 };
		for (size_t i = 0; i < p->domain_filters.n; i++) {
			const char *d = p->domain_filters.v[i];
			bool one_below = !strncmp(d, f, len) && d[len] == '/' &&
					 !strchr(d + len + 1, '/');
			if (!one_below) /* the first level's filter covers it */
				filters_push(&kept, d, p->domain_filters.qos[i]);
		}
		p->marker_filter = xstrdup(f);
		strcat(f, "/+");
		filters_push(&kept, f, p->o.state_qos);
		filters_clear(&p->domain_filters);
		p->domain_filters = kept;
	}
	/* The index last: what a broker cuts from an overflowing SUBSCRIBE is
	 * its tail, so the domain rows go before the one filter that can
	 * overflow, and the marker right after it. */
	if (p->index_filter) {
		struct filter_list ordered = { 0 };
		for (size_t i = 0; i < p->domain_filters.n; i++)
			if (strcmp(p->domain_filters.v[i], p->index_filter))
				filters_push(&ordered, p->domain_filters.v[i], p->domain_filters.qos[i]);
		filters_push(&ordered, p->index_filter, p->o.state_qos);
		filters_clear(&p->domain_filters);
		p->domain_filters = ordered;
	}
	/* One input/# rather than a filter per input row, when they share more
	 * than the domain's root (else it would be drivr/v1/<slug>/#). */
	char prefix[FILTER_MAX];
	size_t root_levels = level_count(topics_pattern(p->topics, TOPIC_DOMAIN));
	if (common_literal_prefix(&p->live_filters, prefix, sizeof(prefix) - 2) > root_levels) {
		filters_clear(&p->live_filters);
		strcat(prefix, "/#");
		filters_add(&p->live_filters, prefix, p->o.live_qos);
	}
}

/* --share: every live filter as $share/<group>/<filter> (loadplan.h says
 * why only these). */
static void share_live_filters(struct load_plan *p, const char *group)
{
	struct filter_list shared = { 0 };
	for (size_t i = 0; i < p->live_filters.n; i++) {
		size_t size = strlen("$share//") + strlen(group) + strlen(p->live_filters.v[i]) + 1;
		char *f = xmalloc(size);
		snprintf(f, size, "$share/%s/%s", group, p->live_filters.v[i]);
		filters_push(&shared, f, p->live_filters.qos[i]);
		free(f);
	}
	filters_clear(&p->live_filters);
	p->live_filters = shared;
}

/* The per-system filters of one system, appended to l. */
static void system_filters(const struct load_plan *p, const char *uuid, struct filter_list *l)
{
	char f[FILTER_MAX];
	if (p->scoped && p->index_filter &&
	    pattern_filter(topics_pattern(p->topics, TOPIC_SYSTEM), p->slug, uuid, f, sizeof(f)))
		filters_push(l, f, p->o.state_qos);
	if (p->subtree && pattern_filter(topics_pattern(p->topics, TOPIC_SYSTEM), p->slug, uuid, f,
					 sizeof(f) - 5)) {
		strcat(f, "/+/#");
		filters_push(l, f, p->o.state_qos);
	}
	/* Distinct per system: no duplicate check needed. */
	for (size_t i = 0; i < p->system_row_count; i++)
		if (pattern_filter(topics_pattern(p->topics, p->system_rows[i]), p->slug, uuid, f,
				   sizeof(f)))
			filters_push(l, f, p->o.state_qos);
}

static size_t filters_per_system(const struct load_plan *p)
{
	return (p->scoped && p->index_filter ? 1 : 0) + (p->subtree ? 1 : 0) + p->system_row_count;
}

/* ---- systems --------------------------------------------------------------- */

static bool system_equal(const void *ctx, uint32_t slot, const void *key)
{
	const struct load_plan *p = ctx;
	const struct strview *k = key;
	const char *uuid = p->systems[slot].uuid;
	return strlen(uuid) == k->len && !memcmp(uuid, k->ptr, k->len);
}

static struct plan_system *find_system(const struct load_plan *p, struct strview uuid)
{
	uint32_t slot;
	if (hashmap_find(&p->system_index, hash_bytes(uuid.ptr, uuid.len), system_equal, p, &uuid,
			 &slot))
		return &p->systems[slot];
	return NULL;
}

static void pending_push(struct load_plan *p, uint32_t slot)
{
	if (p->pending_head + p->pending_len == p->pending_cap) {
		if (p->pending_head > 0) { /* slide the FIFO back to the front */
			memmove(p->pending, p->pending + p->pending_head,
				p->pending_len * sizeof(*p->pending));
			p->pending_head = 0;
		}
		if (p->pending_len == p->pending_cap) {
			p->pending_cap = p->pending_cap ? p->pending_cap * 2 : 64;
			p->pending = xrealloc(p->pending, p->pending_cap * sizeof(*p->pending));
		}
	}
	p->pending[p->pending_head + p->pending_len++] = slot;
	p->systems[slot].queued = true;
}

static uint32_t pending_pop(struct load_plan *p)
{
	uint32_t slot = p->pending[p->pending_head++];
	p->pending_len--;
	if (!p->pending_len)
		p->pending_head = 0;
	p->systems[slot].queued = false;
	return slot;
}

static void system_seen(struct load_plan *p, struct strview uuid)
{
	struct plan_system *s = find_system(p, uuid);
	if (!s && p->scoped) /* outside the scope: never loaded */
		return;
	if (!s) {
		if (p->system_count == p->system_cap) {
			p->system_cap = p->system_cap ? p->system_cap * 2 : 64;
			p->systems = xrealloc(p->systems, p->system_cap * sizeof(*p->systems));
		}
		uint32_t slot = (uint32_t)p->system_count++;
		s = &p->systems[slot];
		memset(s, 0, sizeof(*s));
		s->uuid = xstrndup(uuid.ptr, uuid.len);
		s->hash = hash_bytes(uuid.ptr, uuid.len);
		hashmap_insert(&p->system_index, s->hash, slot);
		p->index_new++;
	}
	if (p->running && !s->batch && !s->queued)
		pending_push(p, (uint32_t)(s - p->systems));
}

/* ---- scope ------------------------------------------------------------------ */

static struct batch *new_batch(struct load_plan *p, enum load_stage stage);
static void finish_batch(struct load_plan *p, struct batch *b);
static void advance(struct load_plan *p);

void load_plan_scope(struct load_plan *p, const char *const *uuids, size_t count)
{
	for (size_t i = 0; i < count; i++)
		system_seen(p, (struct strview){ uuids[i], strlen(uuids[i]) });
	p->index_new = 0;
	p->scoped = count > 0;
}

/* The domain batch of a scoped round: without the systems index (each
 * scoped system's own index topic goes with its subtree), so a scope of 10
 * in a domain of 10 000 reads 10 index messages, not 10 000. */
static void scope_domain_batch(struct load_plan *p, struct batch *b)
{
	for (size_t i = 0; i < b->filters.n; i++) {
		if (!p->index_filter || strcmp(b->filters.v[i], p->index_filter))
			continue;
		free(b->filters.v[i]);
		memmove(b->filters.v + i, b->filters.v + i + 1, (b->filters.n - i - 1) * sizeof(char *));
		memmove(b->filters.qos + i, b->filters.qos + i + 1,
			(b->filters.n - i - 1) * sizeof(int));
		b->filters.n--;
		break;
	}
	p->index_batch = 0;
	p->index_pass = 0;
}

/* A scoped system's live filters: per input row naming {systemUuid}, the
 * pattern up to that level + "/#" (the input and its /error replies).
 * Rows that name no system (event_input_component, event_ack) are left
 * out: nothing in their topic tells a scoped system from another. */
static void scope_live_filters(const struct load_plan *p, const char *uuid, struct filter_list *l)
{
	static const char id[] = "{systemUuid}";
	size_t mine = l->n; /* other systems' filters differ by the uuid: not compared */
	for (int fam = 0; fam < TOPIC_UNCLASSIFIED; fam++) {
		if (topic_family_direction((enum topic_family)fam) != TOPIC_PUB)
			continue;
		const char *pattern = topics_pattern(p->topics, (enum topic_family)fam);
		const char *at = strstr(pattern, id);
		char head[FILTER_MAX], f[FILTER_MAX];
		size_t len = at ? (size_t)(at - pattern) + sizeof(id) - 1 : 0;
		if (!at || len >= sizeof(head))
			continue;
		memcpy(head, pattern, len);
		head[len] = '\0';
		if (!pattern_filter(head, p->slug, uuid, f, sizeof(f) - 2))
			continue;
		strcat(f, "/#");
		bool dup = false; /* two rows with the same head (overrides) */
		for (size_t i = mine; i < l->n && !dup; i++)
			dup = !strcmp(l->v[i], f);
		if (!dup)
			filters_push(l, f, p->o.live_qos);
	}
}

/* Stage 3 of a scoped round: every scoped system's live filters, in
 * batches of max_filters. */
static const struct load_batch *scope_live_batches(struct load_plan *p, double now)
{
	struct filter_list all = { 0 };
	for (size_t i = 0; i < p->system_count; i++)
		scope_live_filters(p, p->systems[i].uuid, &all);
	size_t first = p->batch_count;
	for (size_t i = 0; i < all.n; i += p->o.max_filters) {
		struct batch *b = new_batch(p, LOAD_STAGE_LIVE);
		for (size_t j = i; j < all.n && j < i + p->o.max_filters; j++)
			filters_push(&b->filters, all.v[j], all.qos[j]);
	}
	filters_clear(&all);
	if (p->batch_count == first) { /* nothing live to subscribe */
		struct batch *b = new_batch(p, LOAD_STAGE_LIVE);
		b->sent = b->acked = true;
		b->acked_at = now;
		finish_batch(p, b);
	}
	p->live_batch = first + 1;
	advance(p);
	return load_plan_next(p, now);
}

/* Scoped systems of which no retained message came this round; *first
 * (optional) the first of them. */
static size_t scope_missing(const struct load_plan *p, const char **first)
{
	size_t n = 0;
	for (size_t i = 0; p->scoped && i < p->system_count; i++) {
		if (p->systems[i].found)
			continue;
		if (!n && first)
			*first = p->systems[i].uuid;
		n++;
	}
	return n;
}

/* ---- the plan ---------------------------------------------------------------- */

struct load_plan *load_plan_new(const struct topic_table *topics, const char *slug,
				const struct load_options *options)
{
	struct load_plan *p = xcalloc(1, sizeof(*p));
	p->topics = topics;
	p->slug = xstrdup(slug);
	if (options)
		p->o = *options;
	else
		load_options_default(&p->o);
	if (!p->o.budget)
		p->o.budget = 1;
	if (!p->o.max_filters)
		p->o.max_filters = 1;
	if (p->o.first_estimate < 1)
		p->o.first_estimate = 1;
	hashmap_init(&p->system_index);
	build_templates(p);
	if (p->o.share_group)
		share_live_filters(p, p->o.share_group);
	p->o.share_group = NULL; /* borrowed: not kept past here */
	return p;
}

static void clear_round(struct load_plan *p)
{
	for (size_t i = 0; i < p->batch_count; i++)
		filters_clear(&p->batches[i].filters);
	free(p->batches);
	p->batches = NULL;
	p->batch_count = p->batch_cap = 0;
	free(p->first_refused);
	free(p->failure);
	p->first_refused = p->failure = NULL;
	p->domain_batch = p->live_batch = p->latest_open = p->index_batch = 0;
	p->index_pass = 0;
	p->index_seen = p->index_new = p->index_most = p->markers = p->domain_copies = 0;
	p->batches_cut = p->subtrees_cut = p->subacks_lost = 0;
	p->systems_markers = MARKERS_UNKNOWN;
	p->probe_sent = false;
	free(p->first_cut);
	p->first_cut = NULL;
	p->index_cut = p->index_unmarked = false;
	p->systems_loaded = p->filters_sent = p->filters_refused = 0;
	p->retained = p->state_messages = p->state_exact = 0;
	p->measured_systems = p->measured_messages = p->largest_batch = 0;
	p->loaded = p->last_retained = 0;
	p->pending_head = p->pending_len = 0;
	for (size_t i = 0; i < p->system_count; i++) {
		p->systems[i].batch = 0;
		p->systems[i].queued = false;
		p->systems[i].found = false;
		p->systems[i].alone = false;
	}
}

void load_plan_free(struct load_plan *p)
{
	if (!p)
		return;
	clear_round(p);
	for (size_t i = 0; i < p->system_count; i++)
		free(p->systems[i].uuid);
	free(p->systems);
	free(p->pending);
	hashmap_destroy(&p->system_index);
	filters_clear(&p->domain_filters);
	filters_clear(&p->live_filters);
	free(p->index_filter);
	free(p->marker_filter);
	free(p->slug);
	free(p);
}

void load_plan_start(struct load_plan *p, double now)
{
	clear_round(p);
	p->running = true;
	p->stage = LOAD_STAGE_DOMAIN;
	p->rounds++;
	p->started = p->now = now;
	/* Known systems come again after the index (which re-announces them). */
	for (size_t i = 0; i < p->system_count; i++)
		pending_push(p, (uint32_t)i);
}

void load_plan_stop(struct load_plan *p)
{
	p->running = false;
	p->stage = LOAD_STAGE_IDLE;
}

static struct batch *new_batch(struct load_plan *p, enum load_stage stage)
{
	if (p->batch_count == p->batch_cap) {
		p->batch_cap = p->batch_cap ? p->batch_cap * 2 : 16;
		p->batches = xrealloc(p->batches, p->batch_cap * sizeof(*p->batches));
	}
	struct batch *b = &p->batches[p->batch_count++];
	memset(b, 0, sizeof(*b));
	b->id = ++p->next_id;
	if (!b->id) /* ids wrap after 4 billion batches; 0 means "none" */
		b->id = ++p->next_id;
	b->stage = stage;
	p->latest_open = p->batch_count;
	return b;
}

static struct batch *batch_by_id(struct load_plan *p, unsigned id)
{
	for (size_t i = p->batch_count; i-- > 0;)
		if (p->batches[i].id == id)
			return &p->batches[i];
	return NULL;
}

static double per_system_estimate(const struct load_plan *p)
{
	if (!p->measured_systems)
		return p->o.first_estimate;
	double mean = (double)p->measured_messages / (double)p->measured_systems;
	return fmax(1.0, ceil(mean * ESTIMATE_MARGIN));
}

/* Retained messages still expected from batches not done. */
static size_t outstanding(const struct load_plan *p, size_t *open)
{
	size_t total = 0;
	*open = 0;
	for (size_t i = 0; i < p->batch_count; i++) {
		const struct batch *b = &p->batches[i];
		if (b->done)
			continue;
		(*open)++;
		if (b->expected > b->arrived)
			total += b->expected - b->arrived;
	}
	return total;
}

static bool systems_open(const struct load_plan *p)
{
	for (size_t i = 0; i < p->batch_count; i++)
		if (p->batches[i].stage == LOAD_STAGE_SYSTEMS && !p->batches[i].done)
			return true;
	return false;
}

/* Every live batch of this round made and done (one, or a scope's several). */
static bool live_done(const struct load_plan *p)
{
	for (size_t i = p->live_batch ? p->live_batch - 1 : 0; i < p->batch_count; i++)
		if (p->batches[i].stage == LOAD_STAGE_LIVE && !p->batches[i].done)
			return false;
	return p->live_batch > 0;
}

static void finish_batch(struct load_plan *p, struct batch *b)
{
	b->done = true;
	if (b->barrier_seen && b->arrived_at_barrier > 0 && b->arrived == b->arrived_at_barrier)
		p->barrier_learned = true;
	if (b->arrived > p->largest_batch)
		p->largest_batch = b->arrived;
	if (b->stage == LOAD_STAGE_SYSTEMS && b->markers_expected == 2 && !b->markers_seen &&
	    p->systems_markers == MARKERS_UNKNOWN)
		p->systems_markers = MARKERS_OFF; /* not even the copy heading the probe came */
	if (p->barrier_broken) /* unordered (Aedes): a marker may come before its batch's end */
		p->systems_markers = MARKERS_OFF;
	bool cut = (b->markers_expected && b->markers_seen < b->markers_expected &&
		    (b->stage != LOAD_STAGE_SYSTEMS || p->systems_markers == MARKERS_TRUSTED)) ||
		   b->suback_lost;
	if (b->stage == LOAD_STAGE_SYSTEMS && cut && b->systems > 1) {
		/* Its marker never came: the broker dropped part of it.  Each of
		 * its systems again, alone, so one big subtree cannot hide the
		 * others' (a batch is sized by the mean, not the largest). */
		p->batches_cut++;
		for (size_t i = 0; i < p->system_count; i++) {
			struct plan_system *s = &p->systems[i];
			if (s->batch != b->id)
				continue;
			s->batch = 0;
			s->alone = true;
			pending_push(p, (uint32_t)i);
		}
	} else if (b->stage == LOAD_STAGE_SYSTEMS) {
		if (cut) { /* alone and still cut: more than the broker's queue holds */
			p->subtrees_cut++;
			for (size_t i = 0; !p->first_cut && i < p->system_count; i++)
				if (p->systems[i].batch == b->id)
					p->first_cut = xstrdup(p->systems[i].uuid);
		}
		p->systems_loaded += b->systems;
		p->measured_systems += b->systems;
		p->measured_messages += b->arrived;
	}
	if (p->latest_open == (size_t)(b - p->batches) + 1)
		p->latest_open = 0;
}

/* Known complete without waiting for quiet: on a broker that queues each
 * SUBACK behind the retained messages of the SUBSCRIBEs before it (learned
 * from the stream, and never contradicted), every batch done means every
 * retained message is in — the final quiet time only guards brokers that
 * stream retained messages out of order. */
static bool ordered_broker(const struct load_plan *p)
{
	return p->barrier_learned && !p->barrier_broken;
}

/* Stage changes that follow from the batches' states. */
static void advance(struct load_plan *p)
{
	if (!p->running)
		return;
	if (p->stage == LOAD_STAGE_DOMAIN && p->domain_batch &&
	    p->batches[p->domain_batch - 1].done &&
	    (!p->index_batch || p->batches[p->index_batch - 1].done)) {
		/* An index burst half a stock broker's queue or more may have
		 * been cut: it is whole only if the marker behind it came.  A
		 * cut one is read again (a client draining faster gets
		 * further); still cut after INDEX_PASSES, it is reported. */
		const struct batch *ib = p->index_batch ? &p->batches[p->index_batch - 1] : NULL;
		bool at_risk = ib && p->index_filter && !p->scoped && p->index_seen >= p->o.budget;
		bool ended = ib && ib->markers_expected && ib->markers_seen >= ib->markers_expected;
		if (p->index_seen > p->index_most)
			p->index_most = p->index_seen;
		if (!at_risk || ended || p->index_pass >= INDEX_PASSES) {
			p->index_cut = at_risk && !ended;
			/* the domain message never came, not even the first copy */
			p->index_unmarked = p->index_cut && (!p->marker_filter || !p->domain_copies);
			p->stage = LOAD_STAGE_SYSTEMS;
		} else {
			struct batch *b = new_batch(p, LOAD_STAGE_DOMAIN);
			filters_push(&b->filters, p->index_filter, p->o.state_qos);
			if (p->marker_filter) {
				filters_push(&b->filters, p->marker_filter, p->o.state_qos);
				b->markers_expected = 1;
			}
			b->expected = p->index_seen;
			p->index_batch = p->batch_count;
			p->index_pass++;
			p->index_seen = p->index_new = 0;
		}
	}
	if (p->stage == LOAD_STAGE_SYSTEMS && !p->pending_len && !systems_open(p))
		p->stage = LOAD_STAGE_LIVE;
	if (p->stage == LOAD_STAGE_LIVE && p->live_batch && live_done(p)) {
		p->stage = LOAD_STAGE_DONE;
	}
	if (p->stage != LOAD_STAGE_DONE)
		return;
	bool open = p->pending_len || systems_open(p);
	if (open) /* systems found later (a new one, a platform back after a restart) */
		p->loaded = 0;
	else if (!p->loaded && (ordered_broker(p) || p->now - p->last_retained >= p->o.final_quiet_s))
		p->loaded = p->now;
}

static void copy_filters(struct batch *b, const struct filter_list *from)
{
	for (size_t i = 0; i < from->n; i++)
		filters_add(&b->filters, from->v[i], from->qos[i]);
}

static const struct load_batch *as_load_batch(struct load_plan *p, const struct batch *b)
{
	struct load_batch *out = &p->view;
	out->id = b->id;
	out->stage = b->stage;
	out->count = b->filters.n;
	out->filters = (const char *const *)b->filters.v;
	out->qos = b->filters.qos;
	out->systems = b->systems;
	return out;
}

const struct load_batch *load_plan_next(struct load_plan *p, double now)
{
	if (!p->running)
		return NULL;
	p->now = now;
	advance(p);
	for (size_t i = 0; i < p->batch_count; i++) /* made but not sent yet */
		if (!p->batches[i].sent)
			return as_load_batch(p, &p->batches[i]);

	if (p->stage == LOAD_STAGE_DOMAIN && !p->domain_batch) {
		struct batch *b = new_batch(p, LOAD_STAGE_DOMAIN);
		copy_filters(b, &p->domain_filters);
		b->expected = p->o.budget / 2;
		p->domain_batch = p->index_batch = p->batch_count;
		p->index_pass = 1;
		if (p->scoped) {
			scope_domain_batch(p, b);
		} else if (p->index_filter && p->marker_filter) {
			/* the domain filter heads the batch: its copy comes first,
			 * the marker's second */
			filters_push(&b->filters, p->marker_filter, p->o.state_qos);
			b->markers_expected = 2;
			b->first_copy_real = true;
		}
		p->index_seen = p->index_new = 0;
		return as_load_batch(p, b);
	}
	if (p->stage >= LOAD_STAGE_SYSTEMS && p->pending_len) {
		size_t open, backlog = outstanding(p, &open);
		double each = per_system_estimate(p);
		size_t per = filters_per_system(p);
		if (!per) { /* no per-system rows: nothing to load per system */
			while (p->pending_len)
				pending_pop(p);
			advance(p);
			return load_plan_next(p, now);
		}
		size_t n = (size_t)fmax(1.0, floor((double)(p->o.budget / 2) / each));
		if (n * per > p->o.max_filters)
			n = p->o.max_filters / per ? p->o.max_filters / per : 1;
		if (p->systems[p->pending[p->pending_head]].alone) {
			n = 1; /* its first batch was cut: alone, and one at a time */
			if (open)
				return NULL;
		}
		if (n > p->pending_len)
			n = p->pending_len;
		size_t expected = (size_t)ceil((double)n * each);
		if (open >= BATCHES_IN_FLIGHT || (backlog > 0 && backlog + expected > p->o.budget))
			return NULL;
		struct batch *b = new_batch(p, LOAD_STAGE_SYSTEMS);
		/* Its end marked, as the index's, where the domain message
		 * exists.  The round's first batch also starts with it: that
		 * copy cannot be cut (the queue is empty then), so whether it
		 * comes tells whether this broker sends a repeated
		 * subscription's retained message at all. */
		bool mark = p->marker_filter && !p->scoped && p->domain_copies &&
			    p->systems_markers != MARKERS_OFF;
		if (mark && p->systems_markers == MARKERS_UNKNOWN && !p->probe_sent) {
			filters_push(&b->filters, p->marker_filter, p->o.state_qos);
			b->markers_expected = 1;
			p->probe_sent = true;
		}
		for (size_t i = 0; i < n; i++) {
			uint32_t slot = pending_pop(p);
			p->systems[slot].batch = b->id;
			system_filters(p, p->systems[slot].uuid, &b->filters);
		}
		b->systems = n;
		b->expected = expected;
		if (mark) {
			filters_push(&b->filters, p->marker_filter, p->o.state_qos);
			b->markers_expected++;
		}
		return as_load_batch(p, b);
	}
	if (p->stage == LOAD_STAGE_LIVE && !p->live_batch && p->scoped)
		return scope_live_batches(p, now);
	if (p->stage == LOAD_STAGE_LIVE && !p->live_batch) {
		struct batch *b = new_batch(p, LOAD_STAGE_LIVE);
		copy_filters(b, &p->live_filters);
		p->live_batch = p->batch_count;
		if (!b->filters.n) { /* nothing live to subscribe */
			b->sent = b->acked = true;
			b->acked_at = now;
			finish_batch(p, b);
			advance(p);
			return load_plan_next(p, now);
		}
		return as_load_batch(p, b);
	}
	return NULL;
}

void load_plan_sent(struct load_plan *p, unsigned id, double now)
{
	struct batch *b = batch_by_id(p, id);
	p->now = now;
	if (!b || b->sent)
		return;
	b->sent = true;
	b->sent_at = now;
	p->filters_sent += b->filters.n;
}

void load_plan_subscribed(struct load_plan *p, unsigned id, const bool *refused, size_t count,
			  const char *error, double now)
{
	struct batch *b = batch_by_id(p, id);
	p->now = now;
	if (!b || b->acked)
		return;
	b->acked = true;
	b->acked_at = now;
	if (error && !p->failure)
		p->failure = xstrdup(error);
	for (size_t i = 0; refused && i < count && i < b->filters.n; i++) {
		if (!refused[i])
			continue;
		p->filters_refused++;
		if (!p->first_refused)
			p->first_refused = xstrdup(b->filters.v[i]);
	}
	filters_clear(&b->filters);
	/* This SUBACK is the barrier of every earlier batch still open. */
	for (size_t i = 0; i < p->batch_count; i++) {
		struct batch *e = &p->batches[i];
		if (e == b || e->done || !e->acked || e->id > b->id)
			continue;
		if (!e->barrier_seen) {
			e->barrier_seen = true;
			e->arrived_at_barrier = e->arrived;
		}
		if (p->barrier_learned && !p->barrier_broken)
			finish_batch(p, e);
	}
	advance(p);
}

/* A retained domain message while the index batch waits for its marker:
 * counts it; true when this copy is the marker (the batch's last copy). */
static bool marker_arrived(struct load_plan *p, double now)
{
	/* Markers come in the order of their batches: the oldest batch still
	 * open and waiting for one.  (On a broker learned to be ordered a
	 * batch is done at the next SUBACK, which its marker precedes: one
	 * done without it was cut, and a marker after that is a later one's.) */
	struct batch *b = NULL;
	for (size_t i = 0; i < p->batch_count && !b; i++) {
		struct batch *e = &p->batches[i];
		if (e->sent && !e->done && e->markers_seen < e->markers_expected)
			b = e;
	}
	if (!b)
		return false;
	b->markers_seen++;
	b->last_at = now;
	if (b->first_copy_real && b->markers_seen == 1)
		return false; /* the first pass's own copy of the domain: a real one */
	if (b->stage == LOAD_STAGE_SYSTEMS && p->systems_markers == MARKERS_UNKNOWN)
		p->systems_markers = MARKERS_TRUSTED; /* the broker sends it again */
	p->markers++;
	return true;
}

bool load_plan_message(struct load_plan *p, const struct topic_match *m, bool retained, double now)
{
	p->now = now;
	if (p->running && retained && m->family == TOPIC_DOMAIN) {
		p->domain_copies++;
		if (marker_arrived(p, now)) {
			p->last_retained = now;
			return true;
		}
	}
	if (m->family == TOPIC_SYSTEM && m->ids[TOPIC_ID_SYSTEM_UUID].ptr)
		system_seen(p, m->ids[TOPIC_ID_SYSTEM_UUID]);
	if (!p->running)
		return false;
	/* Evidence of the platform's state: its rows, retained or forwarded
	 * live (a platform that republishes after a broker restart). */
	if (m->family < TOPIC_UNCLASSIFIED && topic_family_direction(m->family) == TOPIC_SUB &&
	    m->family != TOPIC_ERROR_REPLY) {
		p->state_messages++;
		/* under a scope systems/<uuid> is an exact subscription too */
		if (p->exact[m->family] || (p->scoped && m->family == TOPIC_SYSTEM))
			p->state_exact++;
	}
	if (!retained)
		return false;
	p->retained++;
	p->last_retained = now;

	/* Which batch brought it: a system's rows → that system's batch; the
	 * index and domain rows → the domain batch; anything else → the batch
	 * sent last. */
	size_t target = 0;
	struct strview uuid = m->ids[TOPIC_ID_SYSTEM_UUID];
	if ((m->family != TOPIC_SYSTEM || p->scoped) && m->family != TOPIC_UNCLASSIFIED && uuid.ptr) {
		struct plan_system *s = find_system(p, uuid);
		struct batch *b = s && s->batch ? batch_by_id(p, s->batch) : NULL;
		if (b)
			target = (size_t)(b - p->batches) + 1;
		if (s)
			s->found = true;
	} else if (m->family == TOPIC_SYSTEM) {
		target = p->index_batch;
		p->index_seen++;
	} else if (m->family != TOPIC_UNCLASSIFIED) {
		target = p->domain_batch;
	}
	if (!target)
		target = p->latest_open ? p->latest_open : p->domain_batch;
	if (target) {
		struct batch *b = &p->batches[target - 1];
		b->arrived++;
		b->last_at = now;
		if (b->barrier_seen)
			p->barrier_broken = true; /* it came after a later SUBACK */
	}
	return false;
}

int load_plan_tick(struct load_plan *p, double now)
{
	p->now = now;
	if (!p->running)
		return -1;
	double next = INFINITY;
	for (size_t i = 0; i < p->batch_count; i++) {
		struct batch *b = &p->batches[i];
		if (!b->done && b->sent && !b->acked) {
			/* A stock mosquitto drops the SUBACK of a SUBSCRIBE that
			 * comes while it drops this client's messages (measured:
			 * docs/scaling.md): not answered while nothing else came
			 * either, the batch is taken as cut. */
			double since = fmax(b->sent_at, p->last_retained);
			if (now - since >= SUBACK_WAIT_S) {
				b->suback_lost = true;
				p->subacks_lost++;
				finish_batch(p, b);
			} else {
				next = fmin(next, since + SUBACK_WAIT_S);
			}
			continue;
		}
		if (b->done || !b->acked)
			continue;
		double quiet_from = fmax(b->acked_at, b->last_at);
		if (now - quiet_from >= p->o.batch_quiet_s)
			finish_batch(p, b);
		else
			next = fmin(next, quiet_from + p->o.batch_quiet_s);
	}
	advance(p);
	if (p->stage == LOAD_STAGE_DONE && !p->loaded)
		next = fmin(next, p->last_retained + p->o.final_quiet_s);
	if (next == INFINITY)
		return -1;
	double ms = ceil((next - now) * 1000.0);
	return ms < 0 ? 0 : ms > 60000 ? 60000 : (int)ms;
}

bool load_plan_usable(const struct load_plan *p)
{
	enum load_verdict v = load_plan_verdict(p, NULL, 0);
	return p->loaded > 0 && (v == LOAD_COMPLETE || v == LOAD_REFUSED || v == LOAD_SCOPE_MISSING ||
				 v == LOAD_INDEX_LOSSY || v == LOAD_SUBTREE_CUT);
}

enum load_stage load_plan_batch_stage(const struct load_plan *p, unsigned id)
{
	for (size_t i = p->batch_count; i-- > 0;)
		if (p->batches[i].id == id)
			return p->batches[i].stage;
	return LOAD_STAGE_IDLE;
}

enum load_verdict load_plan_verdict(const struct load_plan *p, char *reason, size_t size)
{
	char dummy[1];
	if (!reason || !size) {
		reason = dummy;
		size = sizeof(dummy);
	}
	if (p->failure) {
		snprintf(reason, size, "a subscription failed: %s", p->failure);
		return LOAD_FAILED;
	}
	if (p->filters_refused) {
		snprintf(reason, size,
			 "the broker refused %zu of %zu subscriptions (%s first): the state is partial",
			 p->filters_refused, p->filters_sent, p->first_refused);
		return LOAD_REFUSED;
	}
	if (p->stage >= LOAD_STAGE_SYSTEMS && p->state_messages == 0) {
		snprintf(reason, size,
			 "nothing for slug \"%s\": no retained message under drivr/v1/%s (wrong slug, "
			 "no access, or a broker that keeps no retained messages)",
			 p->slug, p->slug);
		return LOAD_NOTHING;
	}
	if (p->stage >= LOAD_STAGE_SYSTEMS && p->state_messages == p->state_exact) {
		snprintf(reason, size,
			 "a broker that sends no retained messages to wildcard subscriptions "
			 "(RabbitMQ before 3.12), or an empty domain: only the domain's own topics "
			 "arrived, no system, model or organization");
		return LOAD_NO_WILDCARD_RETAINED;
	}
	if (p->index_cut && p->index_unmarked) {
		snprintf(reason, size,
			 "the systems index (%zu systems in one burst) could not be checked for loss: "
			 "no retained message on %s marks its end — systems may be missing",
			 p->index_most, p->marker_filter ? p->marker_filter : "the domain topic");
		return LOAD_INDEX_LOSSY;
	}
	if (p->subtrees_cut && p->systems_markers == MARKERS_TRUSTED) {
		snprintf(reason, size,
			 "the broker cut the retained state of %zu system%s (%s%s) even loaded alone: "
			 "more than its per-client queue holds (mosquitto: max_queued_messages)",
			 p->subtrees_cut, p->subtrees_cut == 1 ? "" : "s", p->first_cut,
			 p->subtrees_cut > 1 ? " first" : "");
		return LOAD_SUBTREE_CUT;
	}
	if (p->index_cut) {
		snprintf(reason, size,
			 "the broker cut the systems index short in each of %u passes (%zu systems "
			 "read): systems are missing — its per-client queue is smaller than this "
			 "domain's index (mosquitto: max_queued_messages); or load a part with "
			 "--system / --systems-file",
			 p->index_pass, p->system_count);
		return LOAD_INDEX_LOSSY;
	}
	if (!p->loaded) {
		if (p->stage == LOAD_STAGE_SYSTEMS || p->pending_len)
			snprintf(reason, size, "loading: %zu of %zu systems", p->systems_loaded,
				 p->system_count);
		else if (p->stage == LOAD_STAGE_DONE)
			snprintf(reason, size,
				 "loading: every stage subscribed, the retained messages not yet "
				 "quiet for --settle");
		else
			snprintf(reason, size, "loading: %s", load_stage_name(p->stage));
		return LOAD_LOADING;
	}
	size_t missing = scope_missing(p, NULL);
	if (missing) {
		const char *first = NULL;
		scope_missing(p, &first);
		snprintf(reason, size,
			 "%zu of the %zu systems of the scope not found (%s%s): not in the domain, or "
			 "no access",
			 missing, p->system_count, first, missing > 1 ? " first" : "");
		return LOAD_SCOPE_MISSING;
	}
	snprintf(reason, size, "complete: %zu systems%s, %zu retained messages", p->system_count,
		 p->scoped ? " (the scope)" : "", p->retained);
	return LOAD_COMPLETE;
}

void load_plan_stats(const struct load_plan *p, struct load_stats *s)
{
	memset(s, 0, sizeof(*s));
	s->stage = p->stage;
	s->rounds = p->rounds;
	s->systems_known = p->system_count;
	s->systems_loaded = p->systems_loaded;
	s->batches_sent = 0;
	for (size_t i = 0; i < p->batch_count; i++)
		s->batches_sent += p->batches[i].sent;
	s->filters_sent = p->filters_sent;
	s->filters_refused = p->filters_refused;
	s->first_refused = p->first_refused;
	s->failure = p->failure;
	s->retained = p->retained;
	s->state_messages = p->state_messages;
	s->state_exact = p->state_exact;
	s->largest_batch = p->largest_batch;
	s->index_passes = p->index_pass;
	s->index_cut = p->index_cut;
	s->markers = p->markers;
	s->batches_cut = p->batches_cut;
	s->subtrees_cut = p->subtrees_cut;
	s->subacks_lost = p->subacks_lost;
	s->subtree_check = p->systems_markers == MARKERS_TRUSTED;
	if (!s->subtree_check)
		s->subtrees_cut = 0; /* counted on a signal found unreliable since */
	s->started = p->started;
	s->loaded = p->loaded;
	s->scope = p->scoped ? p->system_count : 0;
	s->scope_missing = p->loaded ? scope_missing(p, NULL) : 0;
}

void load_plan_describe(const struct load_plan *p,
			void (*fn)(void *ctx, enum load_stage stage, const char *filter, int qos),
			void *ctx)
{
	struct filter_list sys = { 0 };
	for (size_t i = 0; i < p->domain_filters.n; i++)
		if (!p->scoped || !p->index_filter || strcmp(p->domain_filters.v[i], p->index_filter))
			fn(ctx, LOAD_STAGE_DOMAIN, p->domain_filters.v[i], p->domain_filters.qos[i]);
	system_filters(p, "<systemUuid>", &sys);
	for (size_t i = 0; i < sys.n; i++)
		fn(ctx, LOAD_STAGE_SYSTEMS, sys.v[i], sys.qos[i]);
	filters_clear(&sys);
	const struct filter_list *live = &p->live_filters;
	if (p->scoped) {
		scope_live_filters(p, "<systemUuid>", &sys);
		live = &sys;
	}
	for (size_t i = 0; i < live->n; i++)
		fn(ctx, LOAD_STAGE_LIVE, live->v[i], live->qos[i]);
	filters_clear(&sys);
}
