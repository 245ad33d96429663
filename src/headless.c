/* headless — see include/headless.h. */
#include "headless.h"

#include <cJSON.h>
#include <errno.h>
#include <math.h>
#include <openssl/evp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "action_flow.h"
#include "catalogue_session.h"
#include "connection.h"
#include "ingest.h"
#include "loadsub.h"
#include "logformat.h"
#include "mqtt.h"
#include "replay.h"
#include "sanitize.h"
#include "snapshot.h"
#include "stopsig.h"
#include "util.h"

/* ---- one log line -------------------------------------------------------- */

static void add_clean_string(cJSON *obj, const char *name, const char *value)
{
	char *clean = sanitize_json_dup(value);
	cJSON_AddStringToObject(obj, name, clean);
	free(clean);
}

static void add_view(cJSON *obj, const char *name, struct strview v)
{
	char *copy = xstrndup(v.ptr, v.len);
	add_clean_string(obj, name, copy);
	free(copy);
}

/* Replaces a string cJSON owns with its sanitised form, if it needs one. */
static void clean_cjson_string(char **s)
{
	if (!*s || sanitize_is_clean(*s, strlen(*s)))
		return;
	char *clean = sanitize_json_dup(*s);
	size_t n = strlen(clean) + 1;
	char *owned = cJSON_malloc(n);
	memcpy(owned, clean, n);
	free(clean);
	cJSON_free(*s);
	*s = owned;
}

/* Device strings in a decoded tree, keys included, made safe to print. */
static void sanitize_tree(cJSON *item)
{
	for (; item; item = item->next) {
		if (item->string && !(item->type & cJSON_StringIsConst))
			clean_cjson_string(&item->string);
		if (cJSON_IsString(item) && !(item->type & cJSON_IsReference))
			clean_cjson_string(&item->valuestring);
		if (item->child)
			sanitize_tree(item->child);
	}
}

static const char *format_name(enum payload_format format)
{
	switch (format) {
	case FORMAT_JSON:
		return "json";
	case FORMAT_MSGPACK:
		return "msgpack";
	case FORMAT_STATE:
		return "state";
	case FORMAT_OPAQUE:
		return "opaque";
	}
	return "?";
}

/* True when the payload can be printed as its own text and read back byte
 * for byte: UTF-8 without control characters but tab, CR and LF (which
 * JSON escapes), and not MessagePack (whose bytes are rarely text). */
static bool payload_is_text(const struct message_meta *msg, const struct topic_match *match)
{
	if (match->family != TOPIC_UNCLASSIFIED && match->format == FORMAT_MSGPACK)
		return false;
	const char *p = msg->payload, *end = p + msg->payload_len;
	while (p < end) {
		/* splitting at ASCII bytes never cuts a UTF-8 sequence */
		const char *stop = p;
		while (stop < end && *stop != '\t' && *stop != '\n' && *stop != '\r')
			stop++;
		if (!sanitize_is_clean(p, (size_t)(stop - p)))
			return false;
		p = stop < end ? stop + 1 : stop;
	}
	return true;
}

/* The payload as received, for --replay: {"encoding": "utf-8" | "base64",
 * "payload": ...}. */
static void add_payload(cJSON *o, const struct message_meta *msg, const struct topic_match *match)
{
	if (payload_is_text(msg, match)) {
		char *text = xstrndup(msg->payload, msg->payload_len);
		cJSON_AddStringToObject(o, "encoding", "utf-8");
		cJSON_AddStringToObject(o, "payload", text);
		free(text);
		return;
	}
	/* an MQTT payload is under 256 MiB: its base64 fits an int */
	char *b64 = xmalloc(4 * ((msg->payload_len + 2) / 3) + 1);
	EVP_EncodeBlock((unsigned char *)b64, msg->payload, (int)msg->payload_len);
	cJSON_AddStringToObject(o, "encoding", "base64");
	cJSON_AddStringToObject(o, "payload", b64);
	free(b64);
}

cJSON *headless_log_object(const struct message_meta *msg, const struct topic_match *match,
			   const struct decode_result *result)
{
	cJSON *o = cJSON_CreateObject();
	char when[40];
	time_format_iso8601(msg->received_at, when, sizeof(when));
	cJSON_AddStringToObject(o, "time", when);
	add_view(o, "topic", sv_make(msg->topic, msg->topic_len));
	cJSON_AddStringToObject(o, "family", topic_family_name(match->family));
	cJSON_AddBoolToObject(o, "retained", msg->retained);
	cJSON_AddNumberToObject(o, "bytes", (double)msg->payload_len);
	add_payload(o, msg, match);

	if (match->family == TOPIC_UNCLASSIFIED) {
		cJSON_AddStringToObject(o, "reason", match->unclassified_reason
							     ? match->unclassified_reason
							     : "no pattern matches");
		return o;
	}
	cJSON_AddStringToObject(o, "format", format_name(match->format));
	cJSON *ids = cJSON_AddObjectToObject(o, "ids");
	for (int i = 0; i < TOPIC_ID_COUNT; i++)
		if (match->ids[i].ptr)
			add_view(ids, topic_id_name((enum topic_id)i), match->ids[i]);
	if (match->family == TOPIC_ERROR_REPLY) {
		cJSON *answers = cJSON_AddObjectToObject(o, "answers");
		add_view(answers, "topic", match->answers_topic);
		cJSON_AddStringToObject(answers, "family", topic_family_name(match->answers_family));
	}
	if (!result->ok) {
		cJSON *err = cJSON_AddObjectToObject(o, "error");
		add_clean_string(err, "field", result->error_field);
		add_clean_string(err, "message", result->error_message);
		return o;
	}
	if (result->deleted) {
		cJSON_AddBoolToObject(o, "deleted", true);
		return o;
	}
	if (result->warning_message[0]) {
		cJSON *w = cJSON_AddObjectToObject(o, "warning");
		add_clean_string(w, "field", result->warning_field);
		add_clean_string(w, "message", result->warning_message);
	}
	if (match->family == TOPIC_ERROR_REPLY) {
		const struct upd_error_reply *e = &result->u.error_reply;
		cJSON *d = cJSON_AddObjectToObject(o, "decoded");
		static const char *const kinds[] = { "json", "text", "binary" };
		cJSON_AddStringToObject(d, "kind", kinds[e->kind]);
		if (e->message)
			add_clean_string(d, "message", e->message);
		if (e->code)
			add_clean_string(d, "code", e->code);
	} else if (match->format == FORMAT_STATE) {
		cJSON *d = cJSON_AddObjectToObject(o, "decoded");
		add_clean_string(d, "state", result->u.state.state);
	} else if (result->root) {
		/* The decoded tree (MessagePack arrives here as JSON too). */
		cJSON *copy = cJSON_Duplicate(result->root, true);
		if (copy) {
			if (copy->child)
				sanitize_tree(copy->child);
			else
				sanitize_tree(copy);
			cJSON_AddItemToObject(o, "decoded", copy);
		}
	}
	return o;
}

/* ---- running ------------------------------------------------------------- */

struct run {
	const struct config *config;
	enum config_mode mode;
	struct store *store;
	struct ingest ingest;
	struct connection conn;
	struct mqtt *mqtt; /* conn.mqtt */
	struct mqtt_status status;
	struct load_plan *plan; /* NULL with --single-subscription */
	int plan_wait_ms;       /* when the plan needs its next pump */
	bool units_wanted;      /* --format csv: the session's catalogue (GraphQL) */
	uint64_t received;
	double last_traffic;   /* monotonic time of the last message (or of connecting) */
	double started;        /* monotonic */
	bool ever_connected;
	bool done;
	bool cut_short; /* --snapshot: --timeout came first */
	unsigned loaded_round; /* --log: the plan round whose "loaded" line was printed */
	bool load_incomplete;  /* --log: the last round's state was not complete */
	uint64_t drops_told;   /* inbox drops already announced */
	uint64_t refused_told; /* store refusals already announced */
	struct logformat format; /* --format: not json, the event lines stay off stdout */
	char unit[64];           /* --format csv: the last datapoint's unit */
	int exit_status;
};

static void print_line(cJSON *o)
{
	char *text = cJSON_PrintUnformatted(o); /* never NULL: main's cJSON hooks abort */
	fputs(text, stdout);
	fputc('\n', stdout);
	cJSON_free(text);
}

/* --format csv: the unit from the catalogue of the component's model. */
static const char *datapoint_unit(void *ctx, const char *system, const struct datapoint *dp)
{
	struct run *run = ctx;
	struct action_catalogue held;
	memset(&held, 0, sizeof(held));
	const char *why = NULL;
	const struct stream_address *a = &dp->addr;
	const struct payload_characteristic *c = action_flow_characteristic(
		run->store, system, a->component_code, a->service_code, a->characteristic_code,
		&held, &why);
	snprintf(run->unit, sizeof(run->unit), "%s", c && c->symbol ? c->symbol : "");
	action_catalogue_close(&held);
	return run->unit;
}

/* --format csv or a template: true when it wrote the message's lines (a
 * datapoint that did not decode is said on stderr: it has no row). */
static bool log_formatted(struct run *run, const struct message_meta *msg,
			  const struct topic_match *match, const struct decode_result *result)
{
	if (run->format.kind == LOGFORMAT_JSON)
		return false;
	if (!logformat_write(&run->format, stdout, msg, match, result, datapoint_unit, run)) {
		char topic[1024], why[1024], clean_why[1024];
		sanitize_text(msg->topic, msg->topic_len, SANITIZE_DISPLAY_UTF8, topic, sizeof(topic), 0);
		snprintf(why, sizeof(why), "%s: %s", result->error_field, result->error_message);
		sanitize_text(why, strlen(why), SANITIZE_DISPLAY_UTF8, clean_why, sizeof(clean_why), 0);
		fprintf(stderr, "drivr-console: no CSV row for %s: %s\n", topic, clean_why);
	}
	return true;
}

static void log_observer(void *ctx, const struct message_meta *msg, const struct topic_match *match,
			 const struct decode_result *result)
{
	if (log_formatted(ctx, msg, match, result))
		return;
	cJSON *o = headless_log_object(msg, match, result);
	print_line(o);
	cJSON_Delete(o);
}

/* Connection events as log lines: {"time", "event", ...}. */
static void log_event(struct run *run, const struct inbox_item *item)
{
	if (run->mode != MODE_LOG || run->format.kind != LOGFORMAT_JSON)
		return;
	cJSON *o = cJSON_CreateObject();
	char when[40];
	time_format_iso8601(item->time, when, sizeof(when));
	cJSON_AddStringToObject(o, "time", when);
	cJSON_AddStringToObject(o, "event", inbox_kind_name(item->kind));
	switch (item->kind) {
	case INBOX_CONNECTED:
		cJSON_AddBoolToObject(o, "reconnect", item->u.connected.reconnect);
		cJSON_AddStringToObject(o, "broker", mqtt_server_uri(run->mqtt));
		cJSON_AddStringToObject(o, "tls", connection_tls(&run->conn));
		break;
	case INBOX_CONNECT_FAILED:
	case INBOX_CONNECTION_LOST:
		cJSON_AddStringToObject(o, "reason", item->u.failure.reason);
		break;
	case INBOX_RECONNECTING:
		cJSON_AddNumberToObject(o, "attempt", item->u.reconnecting.attempt);
		break;
	case INBOX_SUBSCRIBED: {
		if (item->u.subscribed.batch && run->plan)
			cJSON_AddStringToObject(
				o, "stage",
				load_stage_name(load_plan_batch_stage(run->plan, item->u.subscribed.batch)));
		cJSON_AddBoolToObject(o, "fallback", item->u.subscribed.fallback);
		cJSON *granted = cJSON_AddArrayToObject(o, "granted");
		cJSON *refused = cJSON_AddArrayToObject(o, "refused");
		for (size_t i = 0; i < item->u.subscribed.count; i++) {
			const struct inbox_sub_filter *f = &item->u.subscribed.filters[i];
			cJSON_AddItemToArray(f->qos == INBOX_SUB_REFUSED ? refused : granted,
					     cJSON_CreateString(f->filter));
		}
		if (item->u.subscribed.error)
			cJSON_AddStringToObject(o, "error", item->u.subscribed.error);
		break;
	}
	default:
		break;
	}
	print_line(o);
	cJSON_Delete(o);
	fflush(stdout);
}

/* --log: one "loaded" line per connection, when its staged load is in:
 * scripts wait for it (every stage subscribed, the retained state here). */
static void log_loaded(struct run *run)
{
	struct load_stats st;
	if (run->mode != MODE_LOG || !run->plan)
		return;
	load_plan_stats(run->plan, &st);
	if (!st.loaded || st.rounds == run->loaded_round)
		return;
	run->loaded_round = st.rounds;
	char reason[512], when[40];
	enum load_verdict v = load_plan_verdict(run->plan, reason, sizeof(reason));
	cJSON *o = cJSON_CreateObject();
	time_format_iso8601(time_now(), when, sizeof(when));
	cJSON_AddStringToObject(o, "time", when);
	cJSON_AddStringToObject(o, "event", "loaded");
	cJSON_AddBoolToObject(o, "complete", v == LOAD_COMPLETE);
	cJSON_AddStringToObject(o, "verdict", load_verdict_name(v));
	if (v != LOAD_COMPLETE)
		cJSON_AddStringToObject(o, "reason", reason);
	/* A partial state is said on stderr too, and the exit status says it. */
	run->load_incomplete = v != LOAD_COMPLETE;
	if (run->load_incomplete)
		fprintf(stderr, "drivr-console: the platform's state is not complete: %s\n", reason);
	cJSON_AddNumberToObject(o, "systems", (double)st.systems_known);
	cJSON_AddNumberToObject(o, "retained", (double)st.retained);
	cJSON_AddNumberToObject(o, "seconds", st.loaded - st.started);
	if (run->format.kind == LOGFORMAT_JSON)
		print_line(o);
	cJSON_Delete(o);
	fflush(stdout);
}

/* What an event means for a headless run beyond the log line. */
static void handle_event(struct run *run, const struct inbox_item *item)
{
	mqtt_status_apply(&run->status, item);
	if (run->plan)
		loadsub_event(run->plan, item, time_now());
	/* Staged batches are many: the domain's and the live one are news, the
	 * systems' only when refused or failed. */
	if (item->kind != INBOX_SUBSCRIBED || !item->u.subscribed.batch ||
	    item->u.subscribed.refused || item->u.subscribed.error ||
	    load_plan_batch_stage(run->plan, item->u.subscribed.batch) != LOAD_STAGE_SYSTEMS)
		log_event(run, item);
	switch (item->kind) {
	case INBOX_CONNECTED:
		run->ever_connected = true;
		break;
	case INBOX_CONNECT_FAILED:
		/* Before the first connection a failure is final: the operator
		 * wants the reason now, not Paho retrying a wrong CA forever. */
		if (!run->ever_connected) {
			connection_say_failed(&run->conn, item->u.failure.reason, NULL);
			run->exit_status = EXIT_FAILED;
			run->done = true;
		}
		break;
	case INBOX_CONNECTION_LOST:
		if (run->mode != MODE_LOG || run->format.kind != LOGFORMAT_JSON)
			fprintf(stderr, "drivr-console: connection lost: %s\n", item->u.failure.reason);
		break;
	case INBOX_SUBSCRIBED:
		if (item->u.subscribed.refused) {
			fprintf(stderr, "drivr-console: the broker refused %zu subscription(s):",
				item->u.subscribed.refused);
			for (size_t i = 0; i < item->u.subscribed.count; i++)
				if (item->u.subscribed.filters[i].qos == INBOX_SUB_REFUSED)
					fprintf(stderr, " %s", item->u.subscribed.filters[i].filter);
			fprintf(stderr, "%s\n", item->u.subscribed.fallback ? " (using fallback filters)" : "");
		}
		if (item->u.subscribed.error)
			fprintf(stderr, "drivr-console: subscribe failed: %s\n", item->u.subscribed.error);
		/* The settle clock of --snapshot starts when the retained
		 * messages can start arriving. */
		run->last_traffic = time_monotonic();
		break;
	default:
		break;
	}
}

/* Nothing lost unannounced.  Paho offers no backpressure (its
 * messageArrived may return 0 to be called again, but its receive thread
 * keeps reading the socket and queues in its own unbounded list: the memory
 * moves, the loss does not go away), so what the inbox drops while stdout is
 * blocked is told as soon as the loop runs again: a {"event":"dropped"} line
 * in --log, one stderr line in every mode, and exit status 8 at the end. */
static void announce_losses(struct run *run)
{
	struct inbox_stats st;
	inbox_get_stats(mqtt_inbox(run->mqtt), &st);
	uint64_t refused = store_refused_total(run->store);
	if (st.dropped == run->drops_told && refused == run->refused_told)
		return;
	uint64_t dropped = st.dropped - run->drops_told;
	uint64_t newly_refused = refused - run->refused_told;
	run->drops_told = st.dropped;
	run->refused_told = refused;
	if (run->mode == MODE_LOG && run->format.kind == LOGFORMAT_JSON) {
		cJSON *o = cJSON_CreateObject();
		char when[40];
		time_format_iso8601(time_now(), when, sizeof(when));
		cJSON_AddStringToObject(o, "time", when);
		cJSON_AddStringToObject(o, "event", "dropped");
		cJSON_AddNumberToObject(o, "count", (double)dropped);
		cJSON_AddNumberToObject(o, "total", (double)st.dropped);
		cJSON_AddNumberToObject(o, "refused", (double)newly_refused);
		cJSON_AddNumberToObject(o, "inboxBytes", (double)st.max_bytes);
		print_line(o);
		cJSON_Delete(o);
		fflush(stdout);
	}
	if (dropped)
		fprintf(stderr,
			"drivr-console: dropped %llu message(s) (%llu in all): the inbox was full "
			"(--max-memory's eighth, %zu bytes) while the output did not keep up\n",
			(unsigned long long)dropped, (unsigned long long)st.dropped, st.max_bytes);
	if (newly_refused)
		fprintf(stderr,
			"drivr-console: %llu new entit%s refused (%llu in all): a store cap of "
			"--max-memory is full\n",
			(unsigned long long)newly_refused, newly_refused == 1 ? "y" : "ies",
			(unsigned long long)refused);
}

static size_t drain_inbox(struct run *run)
{
	size_t count = 0;
	struct inbox_item *list = inbox_take_all(mqtt_inbox(run->mqtt), &count);
	struct inbox_item *item = list;
	for (; item && !run->done; item = item->next) {
		if (item->kind != INBOX_MESSAGE) {
			handle_event(run, item);
			continue;
		}
		struct message_meta meta;
		inbox_message_meta(item, &meta);
		run->last_traffic = time_monotonic();
		if (!ingest_message(&run->ingest, &meta))
			continue; /* the load plan's end marker: not counted */
		run->received++;
		if (run->config->count > 0 && run->received >= (uint64_t)run->config->count)
			run->done = true;
	}
	inbox_list_free(list);
	return count;
}

/* Under a flood the main thread outruns Paho's and would wake once per
 * message (eventfd write, poll, read and a mutex hand-off each time).  After
 * a small batch, pausing briefly lets the next one grow: a few hundred
 * microseconds of latency buy most of the hand-off back. */
static void let_batch_grow(size_t last_batch)
{
	if (last_batch > 0 && last_batch < INGEST_BATCH_TARGET) {
		struct timespec pause = { 0, INGEST_BATCH_PAUSE_NS };
		nanosleep(&pause, NULL);
	}
}

/* --format csv: the units from the session's catalogue, asked once the
 * platform's state is in (its models known); until it answers, units come
 * from drivr-sim's MQTT extension or are empty.  A failed query is said. */
static void units_catalogue(struct run *run)
{
	if (!run->units_wanted)
		return;
	struct load_stats st;
	if (run->plan)
		load_plan_stats(run->plan, &st);
	if (catalogue_session_state() == CATALOGUE_IDLE &&
	    (run->plan ? st.loaded > 0 : run->status.subscribed))
		catalogue_session_start(run->store, run->config->slug);
	if (catalogue_session_poll() && catalogue_session_state() == CATALOGUE_FAILED)
		fprintf(stderr, "drivr-console: --format csv units: %s\n", catalogue_session_status());
}

/* Milliseconds poll() may sleep before a deadline needs checking. */
static int next_wait_ms(const struct run *run, double now)
{
	double wait = 3600;
	const struct config *c = run->config;
	if (run->mode == MODE_LOG && c->timeout > 0)
		wait = fmin(wait, run->last_traffic + c->timeout - now);
	if (run->mode == MODE_SNAPSHOT) {
		if (run->status.subscribed && !run->plan)
			wait = fmin(wait, run->last_traffic + c->settle - now);
		if (c->timeout > 0)
			wait = fmin(wait, run->started + c->timeout - now);
	}
	if (run->plan && run->plan_wait_ms >= 0)
		wait = fmin(wait, run->plan_wait_ms / 1000.0);
	if (catalogue_session_state() == CATALOGUE_LOADING)
		wait = fmin(wait, CATALOGUE_POLL_S); /* looked for, never waited on */
	return wait <= 0 ? 0 : (int)ceil(wait * 1000.0);
}

static void check_deadlines(struct run *run, double now)
{
	const struct config *c = run->config;
	if (run->mode == MODE_LOG && c->timeout > 0 && now - run->last_traffic >= c->timeout)
		run->done = true;
	if (run->mode != MODE_SNAPSHOT)
		return;
	if (run->plan) {
		/* Settled on the platform's state, not on device streams: the
		 * staged load says when every stage is in. */
		struct load_stats st;
		load_plan_stats(run->plan, &st);
		if (st.loaded > 0)
			run->done = true;
	} else if (run->status.subscribed && now - run->last_traffic >= c->settle) {
		run->done = true;
	}
	if (!run->done && c->timeout > 0 && now - run->started >= c->timeout) {
		run->cut_short = true;
		if (!run->ever_connected) {
			fprintf(stderr, "drivr-console: no connection to %s within %.1f s\n",
				mqtt_server_uri(run->mqtt), c->timeout);
			run->exit_status = EXIT_FAILED;
		} else if (!run->status.subscribed) {
			fprintf(stderr, "drivr-console: not subscribed within %.1f s\n", c->timeout);
			run->exit_status = EXIT_FAILED;
		}
		run->done = true;
	}
}

/* The snapshot's verdict: "complete" and, when not, "incomplete" with the
 * reasons (also on stderr).  Returns whether it is complete. */
static bool add_verdict(struct run *run, cJSON *doc)
{
	char reason[512] = "";
	bool complete;
	cJSON *reasons = cJSON_CreateArray();
	if (run->plan) {
		enum load_verdict v = load_plan_verdict(run->plan, reason, sizeof(reason));
		complete = v == LOAD_COMPLETE && !run->cut_short;
		struct load_stats st;
		load_plan_stats(run->plan, &st);
		cJSON *load = cJSON_AddObjectToObject(doc, "load");
		cJSON_AddStringToObject(load, "verdict", load_verdict_name(v));
		cJSON_AddStringToObject(load, "stage", load_stage_name(st.stage));
		cJSON_AddNumberToObject(load, "systemsKnown", (double)st.systems_known);
		cJSON_AddNumberToObject(load, "systemsLoaded", (double)st.systems_loaded);
		cJSON_AddNumberToObject(load, "batches", (double)st.batches_sent);
		cJSON_AddNumberToObject(load, "filters", (double)st.filters_sent);
		cJSON_AddNumberToObject(load, "refused", (double)st.filters_refused);
		cJSON_AddNumberToObject(load, "retained", (double)st.retained);
		cJSON_AddNumberToObject(load, "largestBatch", (double)st.largest_batch);
		cJSON_AddNumberToObject(load, "indexPasses", st.index_passes);
		cJSON_AddBoolToObject(load, "indexCut", st.index_cut);
		cJSON_AddNumberToObject(load, "endMarkers", (double)st.markers);
		cJSON_AddNumberToObject(load, "batchesCut", (double)st.batches_cut);
		cJSON_AddNumberToObject(load, "subtreesCut", (double)st.subtrees_cut);
		cJSON_AddNumberToObject(load, "subacksLost", (double)st.subacks_lost);
		cJSON_AddBoolToObject(load, "subtreeCheck", st.subtree_check);
		if (v != LOAD_COMPLETE && v != LOAD_LOADING)
			cJSON_AddItemToArray(reasons, cJSON_CreateString(reason));
	} else {
		/* One subscription: nothing tells a burst the broker cut from a
		 * whole one, so the snapshot cannot call itself complete. */
		complete = false;
		snprintf(reason, sizeof(reason),
			 run->received ? "not checked: --single-subscription cannot tell a burst the "
					 "broker cut short from a whole one"
				       : "nothing for slug \"%s\"", run->config->slug);
		cJSON_AddItemToArray(reasons, cJSON_CreateString(reason));
	}
	if (run->drops_told || run->refused_told) {
		char lost[200];
		snprintf(lost, sizeof(lost),
			 "%llu message(s) dropped, %llu entit(ies) refused at the --max-memory caps",
			 (unsigned long long)run->drops_told, (unsigned long long)run->refused_told);
		cJSON_AddItemToArray(reasons, cJSON_CreateString(lost));
		complete = false;
	}
	if (run->cut_short) {
		char cut[640];
		snprintf(cut, sizeof(cut), "cut short by --timeout after %.1f s (%s)",
			 run->config->timeout, reason);
		cJSON_AddItemToArray(reasons, cJSON_CreateString(cut));
	}
	cJSON_AddBoolToObject(doc, "complete", complete);
	if (!complete) {
		cJSON_AddItemToObject(doc, "incomplete", reasons);
		for (cJSON *r = reasons->child; r; r = r->next)
			fprintf(stderr, "drivr-console: snapshot incomplete: %s\n", r->valuestring);
	} else {
		cJSON_Delete(reasons);
	}
	return complete;
}

void headless_store_limits(const struct config *c, struct store_limits *limits)
{
	size_t inbox_bytes, store_bytes;
	store_limits_default(limits);
	limits->history_len = (size_t)c->history;
	config_memory_split(c, &inbox_bytes, &store_bytes);
	if (store_bytes)
		store_limits_for_memory(limits, store_bytes);
	/* --max-series lowers the budget's figure, never raises it */
	if ((size_t)c->max_series < limits->max_series)
		limits->max_series = (size_t)c->max_series;
}

/* --replay: the file's messages through the same ingest, no broker, paced
 * by their recorded times (--speed; max: at once).  The snapshot of a
 * replay is complete when the whole file went in. */
static int replay_run(struct run *run)
{
	char err[600];
	struct replay *r = replay_open(run->config->replay, err, sizeof(err));
	if (!r) {
		fprintf(stderr, "drivr-console: %s\n", err);
		return EXIT_USAGE;
	}
	struct replay_pace pace;
	replay_pace_init(&pace, run->config->speed_factor);
	struct message_meta meta;
	int got = 0;
	while (!run->done && !stopsig_requested() &&
	       (got = replay_next(r, time_now(), &meta, err, sizeof(err))) > 0) {
		double wait;
		while ((wait = replay_pace_wait(&pace, meta.received_at, time_monotonic())) > 0 &&
		       !stopsig_requested()) {
			fflush(stdout); /* a follower sees what is in before the pause */
			struct timespec ts = { (time_t)wait, (long)((wait - floor(wait)) * 1e9) };
			nanosleep(&ts, NULL); /* a signal cuts it short: stopsig is checked */
		}
		if (stopsig_requested())
			break;
		ingest_message(&run->ingest, &meta);
		run->received++;
		if (run->config->count > 0 && run->received >= (uint64_t)run->config->count)
			run->done = true;
	}
	replay_close(r);
	if (got < 0) {
		fprintf(stderr, "drivr-console: %s\n", err);
		return EXIT_USAGE;
	}
	/* the state of a store cap that refused entities is not all in */
	run->refused_told = store_refused_total(run->store);
	if (run->refused_told)
		fprintf(stderr, "drivr-console: %llu entit(ies) refused at the --max-memory caps\n",
			(unsigned long long)run->refused_told);
	if (run->mode == MODE_LOG)
		return run->refused_told ? EXIT_INCOMPLETE : EXIT_OK;
	struct snapshot_options so = { false, false };
	cJSON *doc = snapshot_build(run->store, &so);
	cJSON_AddStringToObject(doc, "replay", run->config->replay);
	bool whole = !stopsig_requested() && !run->refused_told;
	cJSON_AddBoolToObject(doc, "complete", whole);
	if (!whole) {
		cJSON *reasons = cJSON_AddArrayToObject(doc, "incomplete");
		cJSON_AddItemToArray(reasons, cJSON_CreateString(
			run->refused_told ? "entities refused at the --max-memory caps"
					  : "interrupted before the end of the file"));
	}
	cJSON_AddNumberToObject(doc, "messages", (double)run->received);
	char *text = cJSON_Print(doc);
	puts(text);
	cJSON_free(text);
	cJSON_Delete(doc);
	return whole ? EXIT_OK : EXIT_INCOMPLETE;
}

int headless_run(const struct config *config, const struct topic_table *topics)
{
	struct run run;
	memset(&run, 0, sizeof(run));
	run.config = config;
	run.mode = config_mode(config);

	/* config_validate checked it: cannot fail here */
	logformat_parse(&run.format, config->format, NULL, 0);
	if (config->replay) {
		struct store_limits limits;
		headless_store_limits(config, &limits);
		run.store = store_new(&limits);
		ingest_init(&run.ingest, topics, run.store);
		if (run.mode == MODE_LOG)
			run.ingest.observer = log_observer;
		run.ingest.observer_ctx = &run;
		logformat_begin(&run.format, stdout);
		stopsig_install();
		int status = replay_run(&run);
		fflush(stdout);
		store_free(run.store);
		logformat_free(&run.format);
		return status;
	}

	/* Connecting starts here; the events wait in the inbox for the loop. */
	run.started = run.last_traffic = time_monotonic();
	switch (connection_open(&run.conn, config)) {
	case CONNECTION_OK:
		break;
	case CONNECTION_BAD_OPTION:
		return EXIT_USAGE;
	case CONNECTION_FAILED:
		return EXIT_FAILED;
	}
	run.mqtt = run.conn.mqtt;

	struct store_limits limits;
	headless_store_limits(config, &limits);
	run.store = store_new(&limits);
	ingest_init(&run.ingest, topics, run.store);
	run.plan = connection_load_plan(config, topics);
	run.ingest.plan = run.plan;
	run.plan_wait_ms = -1;
	if (run.mode == MODE_LOG)
		run.ingest.observer = log_observer;
	run.ingest.observer_ctx = &run;
	logformat_begin(&run.format, stdout);
	mqtt_status_init(&run.status);
	stopsig_install();
	run.units_wanted = run.mode == MODE_LOG && run.format.kind == LOGFORMAT_CSV;
	if (run.units_wanted)
		catalogue_session_configure(config);

	/* Full buffering when piped (fast), flushed whenever the feed pauses. */
	while (!run.done && !stopsig_requested()) {
		struct pollfd pfd = { inbox_fd(mqtt_inbox(run.mqtt)), POLLIN, 0 };
		/* Flush before blocking: a follower (--log | ...) sees the last
		 * lines of a burst now, not when the next burst fills the buffer. */
		int ready = poll(&pfd, 1, 0);
		if (ready == 0) {
			fflush(stdout);
			ready = poll(&pfd, 1, next_wait_ms(&run, time_monotonic()));
		}
		if (ready < 0 && errno != EINTR) {
			fprintf(stderr, "drivr-console: poll: %s\n", strerror(errno));
			run.exit_status = EXIT_FAILED;
			break;
		}
		if (ready > 0)
			let_batch_grow(drain_inbox(&run));
		else
			fflush(stdout);
		announce_losses(&run);
		if (run.plan) {
			run.plan_wait_ms = loadsub_pump(run.plan, run.mqtt, time_now());
			log_loaded(&run);
		}
		units_catalogue(&run);
		check_deadlines(&run, time_monotonic());
	}
	catalogue_session_close();

	announce_losses(&run);
	if (run.mode == MODE_LOG && run.exit_status == EXIT_OK &&
	    (run.drops_told || run.refused_told || run.load_incomplete))
		run.exit_status = EXIT_INCOMPLETE;
	if (run.mode == MODE_SNAPSHOT && run.exit_status == EXIT_OK) {
		struct snapshot_options so = { false, false };
		cJSON *doc = snapshot_build(run.store, &so);
		cJSON_AddStringToObject(doc, "broker", mqtt_server_uri(run.mqtt));
		/* How far the broker was checked: "verified", "unverified"
		 * (--insecure) or "off" (plain MQTT). */
		cJSON_AddStringToObject(doc, "tls", connection_tls(&run.conn));
		if (!add_verdict(&run, doc))
			run.exit_status = EXIT_INCOMPLETE;
		/* From connecting to the last message: how long the state took
		 * to load (the settle wait and this printing excluded). */
		cJSON_AddNumberToObject(doc, "loadSeconds",
					run.received ? run.last_traffic - run.started : 0);
		char *text = cJSON_Print(doc);
		puts(text);
		cJSON_free(text);
		cJSON_Delete(doc);
	}
	fflush(stdout);
	connection_close(&run.conn, run.ever_connected);
	load_plan_free(run.plan);
	store_free(run.store);
	logformat_free(&run.format);
	return run.exit_status;
}
