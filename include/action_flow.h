/* action_flow — the one path an operator's request takes between the
 * requests module and the connection, shared by the one-shot actions
 * (actions.c: a run to one outcome) and the console (ui/actions_ui.c: its
 * loop and forms):
 *
 *  - observe: every ingested message goes to requests_observe (as the
 *    ingest observer); the platform's own topics also tell the outbox that
 *    the platform is (back) there; an /error reply links its store record;
 *  - transport: PUBACKs and refused publishes (requests_on_delivered /
 *    _on_publish_failed), subscriptions, the MQTT version;
 *  - outbox: queued requests go out once connected, subscribed and the
 *    platform's state came back and settled (the staged load's verdict, or
 *    --settle seconds of quiet after its first message) — never before,
 *    never re-sent;
 *  - end states: each request that ends gets one audit line (and a second,
 *    "late: …", for an answer after its time-out), and the caller's
 *    on_end hook hears of it; a system a request waits on stays pinned in
 *    the store until it ends;
 *  - the shared lookups: the characteristic a setpoint is checked against,
 *    the token call (the user token read, used and wiped), the JWT check.
 *
 * Deadlines run on the monotonic clock (request_time.mono); the wall clock
 * (or --clock) stamps what is shown and audited.  Main thread only, except
 * action_token_call_run (any thread). */
#ifndef DRIVR_ACTION_FLOW_H
#define DRIVR_ACTION_FLOW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "catalogue_session.h"
#include "config.h"
#include "graphql.h"
#include "ingest.h"
#include "inbox.h"
#include "jwt.h"
#include "loadplan.h"
#include "mqtt.h"
#include "payload.h"
#include "requests.h"
#include "store.h"

/* How often a loop looks whether the catalogue query finished. */
#define CATALOGUE_POLL_S 0.1

struct action_flow {
	/* borrowed, set by the caller (mqtt and plan may come later, or never:
	 * replay has no connection) */
	const struct config *config;
	struct store *store;
	struct mqtt *mqtt;
	const struct mqtt_status *status;
	struct load_plan *plan; /* NULL: one subscription */
	double clock_fixed;     /* --clock: the wall time; < 0: the real one */
	/* read the session's characteristic catalogue over GraphQL once the
	 * platform's state settled (catalogue_session; with a user API token) */
	bool catalogue_wanted;
	/* told of every request that ends (and of late answers): outcome is
	 * the audit line's, recorded false when that line was not written */
	void (*on_end)(void *ctx, const struct request *q, const char *outcome, bool recorded);
	void *on_end_ctx;

	/* owned */
	struct requests *requests;
	char *audit_path; /* NULL: no HOME nor XDG_STATE_HOME */
	unsigned audit_failed;  /* lines not written in the whole run */
	char audit_error[512];  /* the last reason */
	int mqtt_version;       /* of the last connection: 4 = 3.1.1, 5 */
	/* the outbox without a staged load (monotonic times) */
	double subscribed_at, platform_at, pump_at;
	uint64_t swept_stamp;
};

/* Creates the requests (for the slug of action_flow_slug) and the audit
 * path; the caller then sets the borrowed connection fields. */
void action_flow_init(struct action_flow *f, const struct config *config, struct store *store,
		      const struct topic_table *topics);
void action_flow_free(struct action_flow *f);

/* Now on both clocks (the wall one fixed by --clock). */
struct request_time action_flow_now(const struct action_flow *f);
/* The domain requests are built for: --slug, else the retained domain's. */
const char *action_flow_slug(const struct action_flow *f);
/* Before building a request: the slug may have come with the domain. */
void action_flow_sync_slug(struct action_flow *f);

/* The ingest observer (ctx: the flow). */
void action_flow_observer(void *ctx, const struct message_meta *msg,
			  const struct topic_match *match, const struct decode_result *result);
/* One inbox event other than a message. */
void action_flow_transport(struct action_flow *f, const struct inbox_item *item);

/* Connected, subscribed, and the staged load usable: a request made now
 * goes out at once (else it waits in the outbox). */
bool action_flow_connected(const struct action_flow *f);
/* Connected, and the platform's state came back and settled since the
 * last subscription: what the outbox waits for. */
bool action_flow_settled(const struct action_flow *f);
/* Publishes what waits in the outbox when settled; a publish the client
 * refuses (other than "not connected") fails the request. */
void action_flow_pump(struct action_flow *f);
/* The outbox, time-outs and end states; returns the next deadline
 * (monotonic), 0 when none. */
double action_flow_tick(struct action_flow *f);
/* Audits the requests that ended since the last call (see on_end). */
void action_flow_sweep(struct action_flow *f);

/* One audit line for q now, with its outcome as it stands (for a run that
 * ends before its request does); once per request.  False when not
 * written (counted, the reason in audit_error). */
bool action_flow_record(struct action_flow *f, struct request *q);
/* At exit: one "pending at exit" line for every request not yet audited. */
void action_flow_record_pending(struct action_flow *f);
/* "confirmed", "rejected: msg", "error: msg [CODE]" — as audited. */
void action_flow_outcome(const struct request *q, char *buf, size_t size);

/* A system by uuid, or by code (datapoints may name it so); NULL. */
const struct system *action_flow_system(const struct store *store, const char *id);

/* The characteristic a setpoint or datapoint is checked against: from the
 * session's catalogue (GraphQL, catalogue_session) when it has the
 * component's model, else from drivr-sim's MQTT extension in the model's
 * payload; NULL with why (one line: "validation off: ..." with the
 * session's reason when there is no catalogue) when unknown.  Its strings
 * live in held (or the session) until action_catalogue_close. */
struct action_catalogue {
	struct cJSON *model;
	struct payload_catalogue catalogue;
};
const struct payload_characteristic *
action_flow_characteristic(const struct store *store, const char *system, const char *component,
			   const char *service, const char *characteristic,
			   struct action_catalogue *held, const char **why);
void action_catalogue_close(struct action_catalogue *held);

/* One token call: what it needs, copied so it can run on another thread. */
struct action_token_call {
	char *url, *token_file, *body, *cafile;
	long timeout_s;
};
void action_token_call_init(struct action_token_call *c, const struct action_flow *f,
			    const struct request *q, long timeout_s);
/* Reads the user API token, asks the GraphQL endpoint, wipes the token;
 * any thread.  out as graphql_issue_token's. */
void action_token_call_run(const struct action_token_call *c, struct graphql_token_result *out);
void action_token_call_free(struct action_token_call *c);

/* An issued JWT checked as the tokens view checks it: against the domain's
 * JWKS (info freed with jwt_info_free). */
enum jwt_status action_flow_check_jwt(const struct action_flow *f, const char *jwt,
				      struct jwt_info *info);

#endif
