/* world — the simulated domain: systems, components and the state of each
 * characteristic, events, setpoints in flight and local API tokens.
 *
 * Pure state and rules (no I/O): what changes when a value moves, a
 * component drops off, an event is raised, acknowledged or resolved, a
 * setpoint is created or answered.  Publishing is announce.c's job.
 * Bounded: events, setpoints and tokens live in fixed-size tables whose
 * oldest finished entries are reused. */
#ifndef DRIVR_SIM_WORLD_H
#define DRIVR_SIM_WORLD_H

#include <stdbool.h>
#include <stddef.h>

#include "catalogue.h"
#include "decode.h"
#include "rng.h"

#define WORLD_MAX_EVENTS 64     /* retained events kept (oldest finished reused) */
#define WORLD_MAX_SETPOINTS 256 /* setpoints remembered for acknowledgements */
#define WORLD_MAX_TOKENS 16     /* tokens per system (oldest dropped) */
#define WORLD_ID_MAX 64

/* The current value of one characteristic of one component. */
struct sim_series {
	char stream_uuid[37]; /* its time stream */
	double value;         /* numbers; booleans as 0/1 */
	double walk;          /* the random-walk part of a measurement */
	double phase;         /* of its sine, so components do not move in step */
	char *text;           /* STRING / SELECT / JSON settings and strings (owned) */
};

struct sim_component {
	char uuid[37], code[WORLD_ID_MAX], name[WORLD_ID_MAX];
	size_t model; /* catalogue index */
	const char *connection_state; /* "CONNECTED" / "DISCONNECTED" / ... (static) */
	const char *status;           /* ACTIVATED / DEACTIVATED / ARCHIVED (static) */
	double connection_changed_at, created_at, updated_at;
	struct sim_series *series; /* one per characteristic of the model */
};

struct sim_token {
	char uuid[37];
	char device[WORLD_ID_MAX];
	char *token; /* "CLOUD-" + JWT, owned */
	double created_at, not_before, expires_at; /* expires_at TIME_UNKNOWN: permanent */
};

struct sim_system {
	char uuid[37], code[WORLD_ID_MAX], name[WORLD_ID_MAX], description[128];
	const char *status; /* ACTIVATED / DEACTIVATED / ARCHIVED (static) */
	const char *connection_state;
	double connection_changed_at, updated_at;
	struct sim_component *components;
	size_t component_count;
	struct sim_token tokens[WORLD_MAX_TOKENS];
	size_t token_count;
};

struct sim_event {
	bool live;
	char uuid[37];
	size_t model;      /* catalogue event model index */
	size_t system;
	long component;    /* -1: a system event */
	double time, end_time; /* end_time TIME_UNKNOWN while ACTIVE / for SINGLE_POINT */
	double resolve_at;     /* RANGED, ACTIVE: when the stream resolves it (0: never) */
	double created_at, updated_at, acknowledged_at;
	bool acknowledged;
};

enum sim_setpoint_state { SIM_SP_CREATED, SIM_SP_ACCEPTED, SIM_SP_REJECTED };

struct sim_setpoint {
	bool live;
	char uuid[37], receipt[37];
	size_t system, component, characteristic;
	enum value_type type;  /* VALUE_NUMBER, VALUE_BOOL, VALUE_STRING, VALUE_JSON */
	double number;
	bool boolean;
	char *text;            /* strings; JSON and SELECT arrays as JSON text (owned) */
	enum sim_setpoint_state state;
	char message[200];
	double time;
	double ack_due;        /* when the device answers (0: answered) */
};

struct world {
	struct rng rng;    /* the world's shape and its events, changes, uuids */
	struct rng values; /* measurement values only: the Nth value of a run
			    * does not depend on when events happened */
	char slug[WORLD_ID_MAX];
	char domain_uuid[37], owner_uuid[37], organization_uuid[37];
	char user_uuid[37], role_uuid[37], viewer_role_uuid[37];
	char (*model_uuid)[37];       /* per catalogue model */
	char (*event_model_uuid)[37]; /* per catalogue event model */
	struct sim_system *systems;
	size_t system_count;
	struct sim_event events[WORLD_MAX_EVENTS];
	struct sim_setpoint setpoints[WORLD_MAX_SETPOINTS];
	size_t setpoint_next;
	double created_at;
};

/* A deterministic world for seed: systems × components, component j of
 * system i of model (i + j) mod the model count, all CONNECTED but the last
 * component of the last system (when there are two or more systems). */
struct world *world_new(const char *slug, unsigned long long seed, size_t systems,
			size_t components, double now);
void world_free(struct world *w);

const struct sim_model *world_model(const struct world *w, const struct sim_component *c);

/* A new component of system s from catalogue model m (a ComponentInput);
 * returns its index.  The system's components array moves: indexes, never
 * pointers, are kept across calls. */
size_t world_component_add(struct world *w, size_t s, size_t m, const char *code,
			   const char *name, double now);
/* The catalogue model with that uuid; -1 when none. */
long world_find_model(const struct world *w, const char *uuid);

/* Lookups; NULL when absent. */
struct sim_system *world_find_system(struct world *w, const char *uuid, size_t *index);
struct sim_component *world_find_component(struct sim_system *s, const char *code,
					   const char *uuid, size_t *index);
/* A component by uuid anywhere. */
struct sim_component *world_find_component_uuid(struct world *w, const char *uuid,
						size_t *system, size_t *index);
/* A characteristic of c by time stream uuid. */
long world_find_stream(const struct sim_component *c, const char *stream_uuid);
long world_find_event_model(const struct world *w, const char *uuid);
struct sim_event *world_find_event(struct world *w, const char *uuid);
struct sim_setpoint *world_find_setpoint(struct world *w, const char *receipt);

/* Moves characteristic k of c to its value at simulated time t (seconds
 * of stream since the start: the stream's own clock, so values repeat with
 * the seed); measurements only, settings keep theirs. */
void world_series_step(struct world *w, struct sim_component *c, size_t k, double t);
/* The value of characteristic k as a datapoint value; json_out receives a
 * new tree for JSON values (the caller deletes it). */
void world_series_value(const struct world *w, const struct sim_component *c, size_t k,
			struct value *out, struct cJSON **json_out);

/* Sets a component's connection state and recomputes its system's
 * (CONNECTED / PARTIALLY_CONNECTED / DISCONNECTED).  Returns true when the
 * system's state changed. */
bool world_set_connection(struct world *w, size_t system, size_t component, bool connected,
			  double now);

/* Raises an event of model m on system s (component -1: the system).
 * Reuses the oldest finished slot (*evicted receives a copy of what was
 * there so its retained topic can be cleared; evicted->live false if none).
 * RANGED events resolve after about the model's duration. */
struct sim_event *world_event_raise(struct world *w, size_t m, size_t s, long component,
				    double now, struct sim_event *evicted);
/* A component of system s that a COMPONENT event of model m fits, chosen
 * by the rng; -1 when none does. */
long world_pick_event_component(struct world *w, size_t s, size_t m);
/* RANGED: sets end_time (RESOLVED). */
void world_event_resolve(struct world *w, struct sim_event *e, double now);
void world_event_ack(struct world *w, struct sim_event *e, double now);
/* "ACTIVE" / "RESOLVED" / NULL (SINGLE_POINT). */
const char *world_event_status(const struct world *w, const struct sim_event *e);

/* Creates a setpoint in state CREATED from a validated value; the device
 * answers at now + delay. */
struct sim_setpoint *world_setpoint_add(struct world *w, size_t s, size_t c, size_t k,
					const struct value *v, double now, double delay);
/* ACCEPTED also applies the value to the device's setting. */
void world_setpoint_finish(struct world *w, struct sim_setpoint *sp, bool accepted,
			   const char *message);
const char *world_setpoint_state_name(enum sim_setpoint_state state);
/* The setpoint's value as a decode value (json_out as above). */
void world_setpoint_value(const struct sim_setpoint *sp, struct value *out, struct cJSON **json_out);

/* Adds a token (takes `token`), dropping the oldest when full. */
struct sim_token *world_token_add(struct world *w, size_t s, char *token, const char *uuid,
				  const char *device, double now, double expires_at);
/* Removes expired tokens; returns how many went. */
size_t world_tokens_expire(struct world *w, size_t s, double now);

#endif
