/* inputs — the platform inputs an operator sends besides setpoints, checked
 * against the API reference's schema and built with its members only:
 *
 *   update-system      SystemInput (§3.5): name, description, status,
 *                      connectionState — a partial update, at least one;
 *   create-component   ComponentInput (§3.8): code, componentModelUuid
 *   update-component   (required on create), name, status, connectionState;
 *                      systemUuid is implied by the topic and not sent;
 *   publish-datapoint  DatapointInput (§3.10): one object or an array, each
 *                      naming its time stream (timeStreamUuid, or component,
 *                      service and characteristic by code or uuid) with a
 *                      value; systemUuid is the topic's;
 *   raise-event        EventInput (§3.15): eventModelUuid, time, endTime;
 *   resolve-event      EventInput again, for the event's model and start
 *                      time with its endTime: the reference resolves a RANGED
 *                      event "when it gets an endTime (at creation or via an
 *                      update)" and has no update topic (§2.6 row 24, a GAP),
 *                      so the update goes where events are created.
 *
 * Each builder fills a struct input_built: the request_input requests_add_input
 * takes (topic family + ids, payload, what the twin must show to confirm,
 * summary), owning what it points to.  Checks say one line.  The builders
 * do not look at the twin; the twin-side checks below do, given the
 * entities the caller found in the store (one copy for the commands and the
 * console's forms).
 *
 * Pure module: no I/O, no globals. */
#ifndef DRIVR_INPUTS_H
#define DRIVR_INPUTS_H

#include <stdbool.h>
#include <stddef.h>

#include "requests.h"

struct cJSON;

/* The schema's enums. */
extern const char *const inputs_system_statuses[];           /* ACTIVATED DEACTIVATED ARCHIVED */
extern const char *const inputs_system_connection_states[];  /* §3.4 */
extern const char *const inputs_component_connection_states[]; /* §3.7 */
#define INPUTS_STATUS_COUNT 3
#define INPUTS_SYSTEM_STATE_COUNT 4
#define INPUTS_COMPONENT_STATE_COUNT 4

/* Longest code accepted (a component code is a topic level). */
#define INPUTS_CODE_MAX 100
/* Most datapoints in one publish-datapoint (one message). */
#define INPUTS_DATAPOINTS_MAX 1000

/* value one of words[0..n); false with "WHAT \"x\" is not one of A, B, C". */
bool inputs_check_enum(const char *what, const char *value, const char *const *words, size_t n,
		       char *err, size_t err_size);
/* A code: 1..INPUTS_CODE_MAX printable characters, no white space, no '/',
 * '+' or '#' (a component code is a topic level). */
bool inputs_check_code(const char *what, const char *text, char *err, size_t err_size);
/* An ISO-8601 date-time (util.h's reading) → *out epoch seconds. */
bool inputs_check_time(const char *what, const char *text, double *out, char *err,
		       size_t err_size);

struct input_built {
	struct request_input in; /* its pointers into the members below */
	struct cJSON *payload;
	char *expect, *summary;
	/* ids copied (the topic's) */
	char *system_uuid, *component_code, *component_uuid, *target;
};
void input_built_free(struct input_built *b);

struct system_update {
	const char *system_uuid;
	const char *name, *description, *status, *connection_state; /* NULL: unchanged */
	enum payload_format format;
};
bool inputs_system_update(const struct system_update *d, struct input_built *b, char *err,
			  size_t err_size);

struct component_input {
	bool create;
	const char *system_uuid, *code;
	const char *model_uuid; /* componentModelUuid: required to create */
	const char *name, *status, *connection_state;
	enum payload_format format;
};
bool inputs_component(const struct component_input *d, struct input_built *b, char *err,
		      size_t err_size);

/* One event input: raise (time defaults to now, so the twin's event can be
 * told ours by it) or resolve (the event's model, start time and target). */
struct event_input {
	bool resolve;
	const char *system_uuid;
	const char *component_uuid; /* NULL: a system event (/s/ topic) */
	const char *model_uuid;
	const char *event_uuid;     /* resolve: the event */
	double time, end_time;      /* TIME_UNKNOWN: none */
	enum payload_format format;
};
bool inputs_event(const struct event_input *d, struct input_built *b, char *err,
		  size_t err_size);

/* One DatapointInput object as a line of --values-file gives it: known
 * members only, of the schema's types (uuids, codes, a non-negative
 * serviceIndex, an ISO-8601 time, a value that is not null), a time
 * stream named (timeStreamUuid, or component, service and characteristic),
 * a systemUuid, if any, being system_uuid.  *out: the object (owned). */
bool inputs_datapoint_line(const char *line, const char *system_uuid, struct cJSON **out,
			   char *err, size_t err_size);

/* -- what the retained twin already says about an input --
 * The entities as the caller found them in the store: NULL, a stub named by
 * another entity or a deleted one counts as not in the retained state.
 * Each returns false with the reason (one line) in err. */
struct system;
struct component;
struct event;
struct event_model;

/* create: the system s must not have a component code already; update: a
 * system the twin knows (s) must have it (c).  An unknown system passes:
 * the platform judges it. */
bool inputs_component_fits(bool create, const struct system *s, const struct component *c,
			   const char *code, char *err, size_t err_size);
/* A component's event goes to a topic named by the component's uuid: c
 * (the component code names) must be in the retained state with it. */
bool inputs_event_component(const struct component *c, const char *code, char *err,
			    size_t err_size);
/* A model the twin knows whose event type is not RANGED: its events are
 * single points, with no end time (and nothing to resolve). */
bool inputs_event_model_single_point(const struct event_model *m);
/* An event model the twin knows must be for the entity (a component's or
 * the system's event) and, with an end time (ended), be RANGED; one it does
 * not know (m NULL or a stub) passes: the platform judges it. */
bool inputs_event_model_fits(const struct event_model *m, bool component, bool ended,
			     char *err, size_t err_size);
/* Only an ACTIVE event of a RANGED model (or of one the twin does not know)
 * resolves, and the input needs its model and start time from the twin.
 * uuid: the event as the operator named it; m: the event's model, if found. */
bool inputs_event_resolvable(const char *uuid, const struct event *e,
			     const struct event_model *m, char *err, size_t err_size);
/* An end time is not before the event's start (time); either unknown
 * (TIME_UNKNOWN) passes. */
bool inputs_check_end_time(double time, double end_time, char *err, size_t err_size);

/* The datapoints (an array of checked objects; taken) of one system as one
 * input: a single object when there is one.  quiet: seconds without an
 * /error reply that end it. */
bool inputs_datapoints(const char *system_uuid, struct cJSON *items, double quiet,
		       enum payload_format format, struct input_built *b, char *err,
		       size_t err_size);

#endif
