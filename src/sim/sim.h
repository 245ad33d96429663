/* sim — the running simulator: everything its modules share, passed by
 * pointer (no globals but the signal flag in main.c).
 *
 *   main.c      options, connection, the poll loop, shutdown
 *   out.c       every publish: topic_build + payload_serialize + mqtt
 *   announce.c  the world's retained state (domain, models, systems, ...)
 *   stream.c    the live part: datapoints, connection changes, events,
 *               cloud setpoints, device acknowledgements, token expiry
 *   answers.c   what the platform answers to inputs (and /error replies)
 *   tokens.c    local API tokens: claims, signature, the token list
 *   graphql.c   the loopback GraphQL endpoint for the token mutations
 *   faults.c    hostile messages for --faults
 *   flood.c     --flood for benchmarks */
#ifndef DRIVR_SIM_SIM_H
#define DRIVR_SIM_SIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mqtt.h"
#include "options.h"
#include "payload.h"
#include "rng.h"
#include "signer.h"
#include "topics.h"
#include "world.h"

struct graphql_server;

/* The outlet: one reused buffer, counters of what went out. */
struct sim_out {
	struct mqtt *mqtt;                 /* borrowed */
	const struct topic_table *topics;  /* borrowed */
	const char *slug;                  /* borrowed */
	struct payload_buf buf;
	uint64_t published, not_sent;      /* not_sent: refused before Paho (disconnected) */
	char last_error[256];
};

struct sim {
	struct sim_options opt;
	struct topic_table *topics;
	struct world *world;
	struct signer *signer;
	struct mqtt *mqtt;
	struct mqtt_status status;
	struct sim_out out;
	struct graphql_server *graphql;
	char *user_token;          /* what GraphQL accepts as "Bearer <token>" */
	struct rng faults_rng;     /* separate, so --faults does not change the world */

	/* stream clocks (wall-clock seconds) */
	double next_datapoint, next_change, next_event, next_setpoint, next_sweep;
	size_t cursor_system, cursor_component, cursor_char; /* datapoint round-robin */
	double stream_clock; /* simulated seconds: 1/rate per datapoint tick */

	bool announced;     /* retained state published on this connection */
	unsigned long long announce_mark; /* publishes handed to Paho up to its end */
	bool ready_printed; /* the "ready" line went to stderr */
	uint64_t answered, errors_sent, datapoints, faults_sent;
};

/* out.c */
void out_init(struct sim_out *out, struct mqtt *mqtt, const struct topic_table *topics,
	      const char *slug);
void out_free(struct sim_out *out);
/* ids with the slug filled in */
struct topic_ids out_ids(const struct sim_out *out);
/* Publishes root (taken) on the family's topic, serialised in fmt, QoS 1.
 * Returns false when it could not be handed to Paho (counted). */
bool out_publish(struct sim_out *out, enum topic_family family, const struct topic_ids *ids,
		 enum payload_format fmt, struct cJSON *root, bool retain);
/* Raw bytes on a topic (faults, flood, fast datapoints). */
bool out_publish_raw(struct sim_out *out, const char *topic, const void *data, size_t len,
		     int qos, bool retain);

/* announce.c */
void announce_all(struct sim *sim);
void announce_jwks(struct sim *sim);
void announce_system(struct sim *sim, size_t s);
void announce_component(struct sim *sim, size_t s, size_t c);
void announce_event(struct sim *sim, const struct sim_event *e);
void announce_event_cleared(struct sim *sim, const struct sim_event *e);
void announce_setpoint(struct sim *sim, const struct sim_setpoint *sp);
void announce_tokens(struct sim *sim, size_t s);
/* One datapoint of characteristic k of component c of system s. */
void announce_datapoint(struct sim *sim, size_t s, size_t c, size_t k, double now);

/* stream.c */
void stream_init(struct sim *sim, double now);
/* Does what is due at now; returns seconds until something is due next. */
double stream_tick(struct sim *sim, double now);
/* Raises an event and publishes it (clearing an evicted one). */
void stream_raise_event(struct sim *sim, size_t model, size_t system, long component, double now);

/* answers.c: one message received on a subscribed input topic. */
void answers_handle(struct sim *sim, const char *topic, size_t topic_len, const void *payload,
		    size_t len);
/* The subscription filters for the input families the platform answers,
 * derived from the topic table's patterns (so overrides apply).  Writes up
 * to max filters; returns how many (owned strings in filters[]). */
size_t answers_filters(const struct sim *sim, char **filters, size_t max);

/* tokens.c: issues a token (signs, stores, republishes the list unless
 * publish is false).
 * permanent: no expiry; else duration_s > 0.  On failure NULL with err. */
const struct sim_token *tokens_issue(struct sim *sim, size_t system, const char *device,
				     double duration_s, bool permanent, bool publish, char *err,
				     size_t err_size);
/* Parses "1D", "12H", "30M", "45S", "P1DT2H", "PT30M", "3600": seconds, or
 * a negative number when malformed. */
double tokens_parse_duration(const char *text);

/* faults.c: publishes one hostile message of a kind chosen by rng. */
void faults_publish_one(struct sim *sim, double now);

/* flood.c: the whole --flood run; returns the exit status. */
int flood_run(struct sim *sim);

/* graphql.c */
struct graphql_server *graphql_server_start(struct sim *sim, int port, char *err, size_t err_size);
void graphql_server_stop(struct graphql_server *g);
int graphql_server_fd(const struct graphql_server *g);     /* poll for POLLIN, then graphql_server_run */
void graphql_server_run(struct graphql_server *g);
double graphql_server_timeout(const struct graphql_server *g); /* seconds until it needs a run (or 1) */

#endif
