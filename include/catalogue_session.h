/* catalogue_session — the session's characteristic catalogue, read once
 * over GraphQL (catalogue_query) and kept until the program ends.
 *
 * With a user API token configured (--user-token-file or DRIVR_USER_TOKEN,
 * the endpoint of --graphql-url, as the token call), one query asks for the
 * catalogue of every component model the store knows when the caller starts
 * it (once the platform's retained state has settled).  The query runs on a
 * worker thread (the token read, the HTTP call and the answer's reading
 * there), so no loop ever waits on HTTP; the main thread polls for its end.
 *
 * One per process, as a session is: the lookup every setpoint and datapoint
 * check goes through (action_flow_characteristic) reaches it without a
 * handle, so its callers — the one-shot actions, the console's forms, the
 * chart and --format csv — keep their signature.  Main thread only. */
#ifndef DRIVR_CATALOGUE_SESSION_H
#define DRIVR_CATALOGUE_SESSION_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"
#include "payload.h"
#include "store.h"

enum catalogue_state {
	CATALOGUE_UNCONFIGURED, /* no mode asked for it (e.g. --log without csv) */
	CATALOGUE_NO_TOKEN,     /* no user API token: validation off, said */
	CATALOGUE_IDLE,         /* a token: waiting for the caller's start */
	CATALOGUE_LOADING,      /* the query is on its way */
	CATALOGUE_READY,        /* the answer is in */
	CATALOGUE_FAILED        /* the query or its answer failed: validation off, said */
};

/* The HTTP call's bound. */
#define CATALOGUE_CALL_TIMEOUT_S 15

/* Decides from the config whether a catalogue will be read: the token's
 * source (not the token itself: the worker reads it), the endpoint and the
 * query file are copied.  Once per process; later calls change nothing. */
void catalogue_session_configure(const struct config *config);
/* Starts the one query (IDLE only) with the uuids of the component models
 * the store knows; slug names the default endpoint.  False when nothing was
 * started (not IDLE, or no model known yet: nothing to ask). */
bool catalogue_session_start(const struct store *store, const char *slug);
/* Takes the worker's result once it finished: true when the state moved
 * (LOADING → READY / FAILED). */
bool catalogue_session_poll(void);
enum catalogue_state catalogue_session_state(void);
/* One line on where the catalogue stands: "catalogue over GraphQL: 4
 * models, 29 characteristics", "no catalogue (no user API token)", "the
 * catalogue query failed: ...".  Valid until the state changes. */
const char *catalogue_session_status(void);
/* "validation off: <the status>: the value is sent as typed", for a check
 * that found no catalogue.  Valid until the next call. */
const char *catalogue_session_off_reason(void);
/* Queries sent in this process (at most one). */
unsigned catalogue_session_queries(void);

enum catalogue_lookup {
	CATALOGUE_FOUND,       /* *out set */
	CATALOGUE_NOT_IN_MODEL, /* the model's catalogue lacks it (the answer is the platform's word) */
	CATALOGUE_NO_MODEL,    /* the answer has no such model (or the session has no answer) */
};
/* The characteristic of a model by service and code.  Its strings live as
 * long as the session. */
enum catalogue_lookup catalogue_session_find(const char *model_uuid, const char *service,
					     const char *characteristic,
					     const struct payload_characteristic **out);

/* Waits for a running query (bounded by its time-out) and frees it all;
 * the session can be configured again (tests). */
void catalogue_session_close(void);

#endif
