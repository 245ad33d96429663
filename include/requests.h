/* requests — everything an operator sends, followed to its end.
 *
 * Lifecycle of a request:
 *
 *   draft ─validate→ queued ─publish→ sent ─PUBACK→ delivered ─┬→ confirmed
 *            │          │ (outbox while          │             ├→ rejected  (device said no)
 *            ✗ refused  │  disconnected)         │             ├→ error     (/error reply)
 *              before   └→ cancelled             └→ failed     ├→ timed out
 *              sending                              (no resend) └→ cancelled
 *
 * What confirms each kind (correlation, from the messages the store sees):
 *  - setpoint: the platform publishes the setpoint it created, state
 *    CREATED, on the system's setpoint topic.  The reference's Setpoint
 *    (§3.11) names no codes, only uuid, receiptId, timeStreamUuid, time,
 *    type, value, state, message; so a CREATED setpoint is ours when:
 *    the system (the payload's, else the topic's) is ours, the value is
 *    ours (numbers numerically, text exactly, a SELECT option also as a
 *    one-element array, booleans, JSON structurally), the type is ours when
 *    both are known, its time is no earlier than REQUESTS_CLOCK_SKEW_S
 *    before our publish (when it has one), its timeStreamUuid names our
 *    series when the console has learned that uuid (streammap.h), and
 *    codes, when the payload carries them (an extension), are ours.  A
 *    receipt another request adopted is never adopted again; when several
 *    of our requests could take it, the oldest does.  We then follow the
 *    receipt id: "pending device", then ACCEPTED (confirmed) or REJECTED
 *    (rejected, with the device's message);
 *  - event acknowledgement: the event is republished with acknowledged=true;
 *  - token issue (GraphQL over HTTPS, see graphql.h): the token's uuid shows
 *    up in the system's token list topic;
 *  - the platform inputs (inputs.h; §4.1, 4.2, 4.5): the retained twin shows
 *    every member the request expects (request->expect, compared member by
 *    member, times as instants), updated no earlier than REQUESTS_CLOCK_SKEW_S
 *    before our publish: the system (topic's uuid ours), the component
 *    (system and code ours), a new event (one no other request holds; its
 *    uuid becomes the target), the event resolved (the target);
 *  - a datapoint has no confirmation (§4.3): delivered and then no /error
 *    reply for request->quiet seconds ends it as "sent, no error" — never
 *    "confirmed".
 * An /error reply on <our input topic>/error, arriving while a request on
 * that topic waits, ends the oldest such request as "error" with the
 * platform's message (the reply carries no request id: FIFO per topic).
 *
 * Late outcomes: a request that timed out keeps listening for
 * timeouts.late seconds (a receipt it adopted, for as long as the request
 * is kept).  Its answer then ends it as confirmed / rejected / error with
 * `late` set — the time-out was an observation, not the truth.  Waiting
 * requests take an answer first; a timed-out one only what no waiting one
 * matches.
 *
 * Pure module: no I/O (the caller publishes and feeds back what happened),
 * no globals.  Time is passed in, both clocks at once (struct
 * request_time): deadlines run on the monotonic clock, so a wall clock
 * set back or forward (NTP, an operator) neither expires a request nor
 * keeps one alive; the wall clock is only shown, audited and compared with
 * the platform's own times.  Callers read the request's fields; every
 * change goes through the functions here (the change stamp moves with
 * each). */
#ifndef DRIVR_REQUESTS_H
#define DRIVR_REQUESTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "decode.h"
#include "payload.h"
#include "store.h"
#include "topics.h"

#define REQUEST_STATE_LIST(X)                            \
	X(QUEUED, "queued", false)                       \
	X(SENT, "sent", false)                           \
	X(DELIVERED, "delivered", false)                 \
	X(PENDING_DEVICE, "pending device", false)       \
	X(CONFIRMED, "confirmed", true)                  \
	X(NO_ERROR, "sent, no error", true)              \
	X(REJECTED, "rejected", true)                    \
	X(ERROR, "error", true)                          \
	X(FAILED, "failed", true)                        \
	X(TIMED_OUT, "timed out", true)                  \
	X(CANCELLED, "cancelled", true)

enum request_state {
#define X(id, name, final) REQUEST_##id,
	REQUEST_STATE_LIST(X)
#undef X
	REQUEST_STATE_COUNT
};

enum request_kind {
	REQUEST_SETPOINT,
	REQUEST_EVENT_ACK,
	REQUEST_TOKEN,
	/* the platform inputs of inputs.h */
	REQUEST_SYSTEM_UPDATE,
	REQUEST_COMPONENT_CREATE,
	REQUEST_COMPONENT_UPDATE,
	REQUEST_DATAPOINT,
	REQUEST_EVENT_RAISE,
	REQUEST_EVENT_RESOLVE,
};

/* What the operator asks for a setpoint. */
struct setpoint_draft {
	const char *system_uuid, *component_code, *service_code, *characteristic_code;
	const char *value_text; /* as typed */
	/* The characteristic as the catalogue knows it; NULL when unknown (then
	 * the value is sent as typed: number if it parses, else string). */
	const struct payload_characteristic *characteristic;
	enum payload_format format; /* FORMAT_JSON (default) or FORMAT_MSGPACK */
};

struct token_draft {
	const char *system_uuid, *requested_device;
	const char *duration; /* "1D", ...; NULL or "" for a permanent token */
};

/* Now, on both clocks. */
struct request_time {
	double wall; /* epoch seconds (may jump) */
	double mono; /* monotonic seconds (time_monotonic()) */
};

struct request {
	uint32_t id; /* 1, 2, ... in creation order */
	enum request_kind kind;
	enum request_state state;
	char *topic;             /* MQTT requests: the input topic */
	char *payload;           /* what is sent (JSON text, or the GraphQL body) */
	size_t payload_len;
	enum payload_format format;
	char *summary;           /* one line for lists: "set heat-pump/…/flow = 45" */
	char *detail;            /* the outcome: device message, error reply, reason */
	char *error_code;        /* /error reply "code" */
	char *receipt_id;        /* setpoint: adopted from the platform's CREATED */
	char *target;            /* event uuid / token uuid (once known) */
	/* for correlation */
	char *system_uuid, *component_code, *service_code, *characteristic_code;
	struct stored_value value;
	int token; /* Paho delivery token while sent */
	double created_at, sent_at, changed_at; /* wall clock */
	double changed_mono;                    /* monotonic: the late window */
	double deadline;                        /* monotonic; 0: none */
	/* Free for the caller (never touched here): action_flow notes which
	 * outcome it has audited and the /error record that ended the request. */
	unsigned caller_flags;
	uint64_t error_record;
	/* failed: the broker refused the publish (a PUBACK reason code, or it
	 * closed the connection on it), not a lost connection */
	bool refused;
	/* The outcome came after the request had timed out ("confirmed
	 * (late)"); it was "timed out" before. */
	bool late;
	/* setpoint: the characteristic's type when the catalogue knew it, else
	 * DATA_TYPE_COUNT */
	enum payload_data_type data_type;
	/* platform inputs: the members the twin must show (a JSON object's
	 * text; NULL for a datapoint) */
	char *expect;
	/* datapoint: seconds without an /error reply after the PUBACK */
	double quiet;
};

struct request_timeouts {
	double delivery; /* PUBACK after publish; default 10 s */
	double platform; /* a CREATED setpoint / the ack / the token after PUBACK; 20 s */
	double device;   /* ACCEPTED/REJECTED after CREATED; 60 s */
	double late;     /* a timed-out request still takes its answer; 300 s */
};

/* How much earlier than our publish a CREATED setpoint's own `time` may be
 * and still be ours: the platform's clock and ours differ a little. */
#define REQUESTS_CLOCK_SKEW_S 5.0

struct requests;

/* topics is borrowed; slug names the domain requests are built for. */
struct requests *requests_new(const struct topic_table *topics, const char *slug);
void requests_free(struct requests *r);
void requests_set_timeouts(struct requests *r, const struct request_timeouts *t);
/* The domain the next requests are built for (the console learns it from
 * the retained domain when it was started without a slug, e.g. in replay). */
void requests_set_slug(struct requests *r, const char *slug);

/* Parses and checks a typed value against a characteristic (type, SELECT
 * options, min/max/step).  Pure; used by the editor to refuse before
 * sending.  Returns false with a one-line reason. */
bool requests_parse_value(const char *text, const struct payload_characteristic *c,
			  struct value *out, struct cJSON **json_owned, char *err, size_t err_size);

/* Checks the form of an id the platform writes as a UUID (8-4-4-4-12 hex
 * digits, either case): the one-shot actions refuse a mistyped --system or
 * --event before connecting.  Pure; false with a one-line reason. */
bool requests_check_uuid(const char *text, char *err, size_t err_size);
/* Checks a Local API Token lifetime as the form and --duration take it:
 * 1D, 12H, 30M, 45S, 2W, plain seconds, or ISO-8601 like P1DT2H (W, D
 * before T; H, M, S after it).  Zero is refused: a token needs a lifetime
 * (permanent is the other choice).  Pure; false with a one-line reason. */
bool requests_check_duration(const char *text, char *err, size_t err_size);

/* Validates and queues.  NULL with a one-line reason when refused. */
struct request *requests_add_setpoint(struct requests *r, const struct setpoint_draft *d,
				      struct request_time now, char *err, size_t err_size);
/* What requests_add_setpoint would send, without queueing anything: the
 * exact topic and payload (new strings) for the editor's preview.  False
 * with the same reason requests_add_setpoint would give. */
bool requests_preview_setpoint(struct requests *r, const struct setpoint_draft *d, char **topic,
			       char **payload, size_t *payload_len, char *err, size_t err_size);
struct request *requests_add_event_ack(struct requests *r, const char *system_uuid,
				       const char *event_uuid, struct request_time now, char *err,
				       size_t err_size);
/* A platform input (system, component, datapoint, event) as inputs.h
 * builds and checks it: the topic from family + ids (the slug is filled in
 * here), the payload serialised here in format.  All borrowed. */
struct request_input {
	enum request_kind kind;
	enum topic_family family;
	struct topic_ids ids;
	const struct cJSON *payload;
	enum payload_format format;
	const char *system_uuid;
	const char *component_code; /* components: the twin's key with the system */
	const char *target;         /* resolve: the event's uuid */
	const char *expect;         /* see request->expect; NULL for a datapoint */
	const char *summary;
	double quiet;               /* datapoint: request->quiet (> 0) */
};
struct request *requests_add_input(struct requests *r, const struct request_input *in,
				   struct request_time now, char *err, size_t err_size);
/* Checks a value as the wire carries it (a datapoint line's "value")
 * against a characteristic, as requests_parse_value checks a typed one:
 * the type, SELECT options (a string or an array of them), min/max/step.
 * NULL c: any value but null.  Pure; false with a one-line reason. */
bool requests_check_json_value(const struct cJSON *value, const struct payload_characteristic *c,
			       char *err, size_t err_size);
/* Token requests go over HTTP: the caller sends request->payload (the
 * GraphQL body) and reports back with requests_token_response(). */
struct request *requests_add_token(struct requests *r, const struct token_draft *d, struct request_time now,
				   char *err, size_t err_size);

/* Transport feedback. */
void requests_mark_sent(struct requests *r, struct request *req, int token, struct request_time now);
void requests_on_delivered(struct requests *r, int token, struct request_time now);
/* A failed publish is final: never resent automatically.  refused: the
 * broker refused it (request->refused). */
void requests_on_publish_failed(struct requests *r, int token, const char *reason, bool refused,
				struct request_time now);
/* A publish the client refused outright (before any token): final too. */
void requests_fail(struct requests *r, struct request *req, const char *reason, struct request_time now);
/* GraphQL answer for a token request: the token uuid (confirmation then
 * waits for the token list) or the error message.  A request already
 * final (cancelled, timed out) keeps its state; the uuid is still noted. */
void requests_token_response(struct requests *r, struct request *req, const char *token_uuid,
			     const char *error, struct request_time now);

/* Correlates one received message (call after store_apply; every message,
 * datapoints too: the ones naming a time stream both ways teach its name).
 * Returns the request whose state (or receipt) it changed, or NULL.  An /error reply answers the
 * oldest request on its input topic that the platform has not taken yet
 * (sent or delivered: a setpoint already CREATED is past validation). */
struct request *requests_observe(struct requests *r, const struct topic_match *match,
				 const struct decode_result *result, struct request_time now);
/* Time-outs.  Returns the next deadline (monotonic; 0 when nothing waits). */
double requests_tick(struct requests *r, struct request_time now);
/* Ends a request that is not final as timed out with reason: the caller's
 * own deadline passed (an action's --timeout).  False when already final. */
bool requests_expire(struct requests *r, struct request *req, const char *reason,
		     struct request_time now);
bool requests_cancel(struct requests *r, uint32_t id, struct request_time now);
/* Says what a state proves when the caller knows more than the request
 * (the MQTT version a PUBACK came over): sets the detail when it has none. */
void requests_note(struct requests *r, struct request *req, const char *detail);

/* The next queued MQTT request to publish (oldest first), or NULL. */
struct request *requests_next_queued(struct requests *r);

size_t requests_count(const struct requests *r);
const struct request *requests_at(const struct requests *r, size_t index); /* oldest first */
struct request *requests_find(struct requests *r, uint32_t id);
size_t requests_pending(const struct requests *r); /* not final */
size_t requests_count_state(const struct requests *r, enum request_state state);
/* The newest request of a kind about a setpoint receipt, an event, the
 * /error record that ended it (caller's error_record); NULL when none (and
 * for a NULL list or key). */
const struct request *requests_for_receipt(const struct requests *r, const char *receipt);
const struct request *requests_for_event(const struct requests *r, const char *event_uuid);
const struct request *requests_for_error_record(const struct requests *r, uint64_t seq);
/* Bumped on every state change, for views. */
uint64_t requests_stamp(const struct requests *r);

const char *request_state_name(enum request_state state);
/* The state as the views say it: "confirmed (late)" for a late outcome. */
const char *request_state_label(const struct request *request);
bool request_state_final(enum request_state state);
/* The command's name: "set-setpoint", "ack-event", "issue-token", "update-system", ... */
const char *request_kind_name(enum request_kind kind);

#endif
