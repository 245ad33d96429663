/* drivr-sim — the DRIVR platform and its devices on an MQTT broker: entry
 * point, connection, the poll loop and a clean shutdown.  See sim.h for the
 * modules and docs/simulator.md for what it publishes. */
#include <cJSON.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "exitstatus.h"
#include "secret.h"
#include "sim.h"
#include "stopsig.h"
#include "util.h"

#define FILTERS_MAX 16

static bool setup_secrets(struct sim *sim, char **passphrase, char *err, size_t size)
{
	const struct sim_options *o = &sim->opt;
	if (o->user_token_file) {
		if (!(sim->user_token = secret_read_line(o->user_token_file, "--user-token-file", err, size)))
			return false;
	} else if (getenv("DRIVR_USER_TOKEN")) {
		sim->user_token = xstrdup(getenv("DRIVR_USER_TOKEN"));
	}
	if (o->graphql_port && (!sim->user_token || !sim->user_token[0])) {
		snprintf(err, size, "--graphql-port needs a user token: --user-token-file FILE or "
				    "DRIVR_USER_TOKEN");
		return false;
	}
	*passphrase = NULL;
	if (o->key_pass_file)
		return (*passphrase = secret_read_line(o->key_pass_file, "--key-pass-file", err, size));
	if (getenv("DRIVR_KEY_PASSPHRASE"))
		*passphrase = xstrdup(getenv("DRIVR_KEY_PASSPHRASE"));
	return true;
}

static struct mqtt *connect_broker(struct sim *sim, const char *passphrase, int *status)
{
	const struct sim_options *o = &sim->opt;
	struct mqtt_options mo;
	char id[64], err[512];
	char *filters[FILTERS_MAX];
	size_t nf = 0;
	mqtt_options_default(&mo);
	mo.url = o->url;
	mo.host = o->host;
	mo.port = o->port == OPT_UNSET ? 0 : (int)o->port; /* 0: mqtt picks it from TLS use */
	mo.cafile = o->cafile;
	mo.capath = o->capath;
	mo.cert = o->cert;
	mo.key = o->key;
	mo.key_password = passphrase;
	mo.insecure = o->insecure;
	mo.mqtt_version = o->protocol && strchr(o->protocol, '5') ? 5 : 4;
	snprintf(id, sizeof(id), "drivr-sim-%ld", (long)getpid());
	mo.client_id = o->client_id ? o->client_id : id;
	mo.slug = o->slug;
	if (o->flood) {
		mo.no_subscribe = true; /* a benchmark publisher listens to nothing */
	} else {
		nf = answers_filters(sim, filters, FILTERS_MAX);
		mo.filters = (const char *const *)filters;
		mo.filter_count = nf;
	}
	enum mqtt_error e;
	struct mqtt *m = mqtt_new(&mo, &e, err, sizeof(err));
	for (size_t i = 0; i < nf; i++)
		free(filters[i]);
	if (!m) {
		fprintf(stderr, "drivr-sim: %s\n", err);
		*status = e == MQTT_ERR_INVALID || e == MQTT_ERR_URL ? EXIT_USAGE : EXIT_FAILED;
		return NULL;
	}
	if (mqtt_connect(m, err, sizeof(err)) != MQTT_OK) {
		fprintf(stderr, "drivr-sim: %s\n", err);
		mqtt_free(m);
		*status = EXIT_FAILED;
		return NULL;
	}
	return m;
}

static unsigned long long publish_pending(struct sim *sim)
{
	struct mqtt_publish_stats st;
	mqtt_get_publish_stats(sim->mqtt, &st);
	return st.sent > st.completed + st.failed ? st.sent - st.completed - st.failed : 0;
}

/* Publishes handed to Paho so far; once that many have completed, the
 * broker holds everything published before (one connection, in order). */
static unsigned long long publish_sent(struct sim *sim)
{
	struct mqtt_publish_stats st;
	mqtt_get_publish_stats(sim->mqtt, &st);
	return st.sent;
}

static bool publish_done_up_to(struct sim *sim, unsigned long long mark)
{
	struct mqtt_publish_stats st;
	mqtt_get_publish_stats(sim->mqtt, &st);
	return st.completed + st.failed >= mark;
}

/* One inbox event; returns false when the run must end (first connection
 * failed). */
static bool handle_event(struct sim *sim, const struct inbox_item *item)
{
	mqtt_status_apply(&sim->status, item);
	switch (item->kind) {
	case INBOX_CONNECT_FAILED:
		if (sim->status.connections == 0) {
			fprintf(stderr, "drivr-sim: cannot connect to %s: %s\n",
				mqtt_server_uri(sim->mqtt), item->u.failure.reason);
			return false;
		}
		break;
	case INBOX_CONNECTION_LOST:
		fprintf(stderr, "drivr-sim: %s (reconnecting)\n", item->u.failure.reason);
		sim->announced = false;
		/* "ready" again once the world is republished: a script that
		 * restarts the broker waits for the second line. */
		sim->ready_printed = false;
		break;
	case INBOX_SUBSCRIBED:
		if (item->u.subscribed.refused || item->u.subscribed.error) {
			fprintf(stderr, "drivr-sim: the broker refused %zu of our subscriptions%s%s\n",
				item->u.subscribed.refused, item->u.subscribed.error ? ": " : "",
				item->u.subscribed.error ? item->u.subscribed.error : "");
		}
		/* Every connection: the retained state again (a restarted broker
		 * without persistence has lost it). */
		if (sim->status.subscribed && !sim->opt.flood) {
			announce_all(sim);
			sim->announced = true;
			sim->announce_mark = publish_sent(sim);
		}
		break;
	default:
		break;
	}
	return true;
}

static bool drain_inbox(struct sim *sim)
{
	bool go_on = true;
	struct inbox_item *list = inbox_take_all(mqtt_inbox(sim->mqtt), NULL);
	for (struct inbox_item *it = list; it && go_on; it = it->next) {
		if (it->kind != INBOX_MESSAGE) {
			go_on = handle_event(sim, it);
			continue;
		}
		MQTTAsync_message *msg = it->u.message.msg;
		answers_handle(sim, it->u.message.topic, it->u.message.topic_len, msg->payload,
			       msg->payloadlen > 0 ? (size_t)msg->payloadlen : 0);
	}
	inbox_list_free(list);
	return go_on;
}

static void print_ready(struct sim *sim)
{
	fprintf(stderr, "drivr-sim: ready: slug %s, %zu systems, %ld components each, on %s",
		sim->opt.slug, sim->world->system_count, sim->opt.components,
		mqtt_server_uri(sim->mqtt));
	if (sim->graphql)
		fprintf(stderr, "; GraphQL on http://127.0.0.1:%ld/graphql", sim->opt.graphql_port);
	if (sim->opt.ext_setpoint_codes || sim->opt.ext_catalogue)
		fprintf(stderr, "; extensions:%s%s", sim->opt.ext_setpoint_codes ? " setpoint-codes" : "",
			sim->opt.ext_catalogue ? " catalogue" : "");
	fputc('\n', stderr);
	if (sim->out.not_sent)
		fprintf(stderr, "drivr-sim: warning: %llu messages not sent (last: %s)\n",
			(unsigned long long)sim->out.not_sent, sim->out.last_error);
	sim->ready_printed = true;
}

static int run_loop(struct sim *sim)
{
	double started = time_monotonic();
	double next_stream = 0;
	while (!stopsig_requested()) {
		double now_wall;
		double wait = 1.0;
		if (sim->announced)
			wait = next_stream;
		if (sim->graphql)
			wait = wait < graphql_server_timeout(sim->graphql) ? wait : graphql_server_timeout(sim->graphql);
		if (sim->announced && !sim->ready_printed)
			wait = wait < 0.01 ? wait : 0.01;
		if (sim->opt.duration > 0) {
			double left = sim->opt.duration - (time_monotonic() - started);
			if (left <= 0)
				break;
			wait = wait < left ? wait : left;
		}
		struct pollfd pfd[2] = { { inbox_fd(mqtt_inbox(sim->mqtt)), POLLIN, 0 },
					 { sim->graphql ? graphql_server_fd(sim->graphql) : -1, POLLIN, 0 } };
		int ms = wait <= 0 ? 0 : wait > 1.0 ? 1000 : (int)(wait * 1000.0 + 0.999);
		int ready = poll(pfd, 2, ms);
		if (ready < 0 && errno != EINTR) {
			fprintf(stderr, "drivr-sim: poll: %s\n", strerror(errno));
			return EXIT_FAILED;
		}
		if (ready > 0 && (pfd[0].revents & POLLIN) && !drain_inbox(sim))
			return EXIT_FAILED;
		if (sim->graphql)
			graphql_server_run(sim->graphql);
		/* "ready" once the retained state is with the broker: tests and
		 * the demo start their consoles after this line. */
		if (sim->announced && !sim->ready_printed && publish_done_up_to(sim, sim->announce_mark))
			print_ready(sim);
		now_wall = time_now();
		if (sim->announced)
			next_stream = stream_tick(sim, now_wall);
	}
	return EXIT_OK;
}

/* Waits (bounded) for the first connection, for --flood. */
static bool wait_connected(struct sim *sim, double seconds)
{
	double end = time_monotonic() + seconds;
	while (!stopsig_requested() && !sim->status.subscribed && time_monotonic() < end) {
		struct pollfd pfd = { inbox_fd(mqtt_inbox(sim->mqtt)), POLLIN, 0 };
		if (poll(&pfd, 1, 100) > 0 && !drain_inbox(sim))
			return false;
	}
	if (!sim->status.subscribed && !stopsig_requested())
		fprintf(stderr, "drivr-sim: no connection to %s within %.0f s\n",
			mqtt_server_uri(sim->mqtt), seconds);
	return sim->status.subscribed;
}

static void shutdown_broker(struct sim *sim)
{
	char err[256];
	/* What Paho still holds goes out first (bounded). */
	double end = time_monotonic() + 3.0;
	while (sim->status.subscribed && publish_pending(sim) > 0 && time_monotonic() < end) {
		struct pollfd pfd = { inbox_fd(mqtt_inbox(sim->mqtt)), POLLIN, 0 };
		if (poll(&pfd, 1, 10) > 0)
			inbox_list_free(inbox_take_all(mqtt_inbox(sim->mqtt), NULL));
	}
	if (sim->status.connections > 0 && mqtt_disconnect(sim->mqtt, 1000, err, sizeof(err)) == MQTT_OK) {
		end = time_monotonic() + 2.0;
		bool gone = false;
		while (!gone && time_monotonic() < end) {
			struct pollfd pfd = { inbox_fd(mqtt_inbox(sim->mqtt)), POLLIN, 0 };
			if (poll(&pfd, 1, 50) <= 0)
				continue;
			struct inbox_item *list = inbox_take_all(mqtt_inbox(sim->mqtt), NULL);
			for (struct inbox_item *it = list; it; it = it->next)
				gone |= it->kind == INBOX_DISCONNECTED;
			inbox_list_free(list);
		}
	}
}

static int run(struct sim *sim)
{
	char err[512];
	char *passphrase = NULL;
	int status = EXIT_OK;
	if (!setup_secrets(sim, &passphrase, err, sizeof(err))) {
		fprintf(stderr, "drivr-sim: %s\n", err);
		return EXIT_USAGE;
	}
	double now = time_now();
	sim->world = world_new(sim->opt.slug, (unsigned long long)sim->opt.seed,
			       (size_t)sim->opt.systems, (size_t)sim->opt.components, now);
	rng_seed(&sim->faults_rng, (unsigned long long)sim->opt.seed ^ 0x5eedfa17ULL);
	if (!sim->opt.flood) {
		if (!(sim->signer = signer_new(sim->opt.jwt_key, err, sizeof(err)))) {
			fprintf(stderr, "drivr-sim: %s\n", err);
			secret_free(passphrase);
			return EXIT_USAGE;
		}
		/* Every system starts with one token (a commissioning tool's). */
		for (size_t s = 0; s < sim->world->system_count; s++)
			tokens_issue(sim, s, "commissioning-tool", 30 * 86400.0, false, false, err,
				     sizeof(err));
		stream_init(sim, now);
	}
	mqtt_status_init(&sim->status);
	stopsig_install();
	sim->mqtt = connect_broker(sim, passphrase, &status);
	secret_free(passphrase);
	if (!sim->mqtt)
		return status;
	out_init(&sim->out, sim->mqtt, sim->topics, sim->opt.slug);

	if (sim->opt.flood) {
		status = wait_connected(sim, 15) ? flood_run(sim) : EXIT_FAILED;
	} else {
		if (sim->opt.graphql_port &&
		    !(sim->graphql = graphql_server_start(sim, (int)sim->opt.graphql_port, err, sizeof(err)))) {
			fprintf(stderr, "drivr-sim: %s\n", err);
			status = EXIT_USAGE;
		} else {
			status = run_loop(sim);
		}
		graphql_server_stop(sim->graphql);
		sim->graphql = NULL;
		fprintf(stderr,
			"drivr-sim: stopping: %llu messages published, %llu datapoints, %llu inputs "
			"answered, %llu /error replies, %llu hostile messages\n",
			(unsigned long long)sim->out.published, (unsigned long long)sim->datapoints,
			(unsigned long long)sim->answered, (unsigned long long)sim->errors_sent,
			(unsigned long long)sim->faults_sent);
	}
	/* Nothing retained is cleared: the broker keeps the last state, as the
	 * platform's would. */
	shutdown_broker(sim);
	return status;
}

int main(int argc, char **argv)
{
	struct sim sim;
	char err[512];
	memset(&sim, 0, sizeof(sim));
	/* cJSON allocates through xmalloc: out of memory aborts, as everywhere */
	cJSON_InitHooks(&(cJSON_Hooks){ .malloc_fn = xmalloc, .free_fn = free });
	if (!options_parse(&sim.opt, argc, argv, err, sizeof(err))) {
		fprintf(stderr, "drivr-sim: %s\n", err);
		options_free(&sim.opt);
		return EXIT_USAGE;
	}
	if (sim.opt.help || sim.opt.version) {
		if (sim.opt.help)
			options_print_help(stdout);
		else
			printf("drivr-sim %s\n", DRIVR_VERSION);
		options_free(&sim.opt);
		return EXIT_OK;
	}
	sim.topics = topics_new();
	int status;
	if (sim.opt.topics_file && !topics_load_file(sim.topics, sim.opt.topics_file, err, sizeof(err))) {
		fprintf(stderr, "drivr-sim: %s\n", err);
		status = EXIT_USAGE;
	} else {
		status = run(&sim);
	}
	mqtt_free(sim.mqtt);
	out_free(&sim.out);
	signer_free(sim.signer);
	world_free(sim.world);
	topics_free(sim.topics);
	secret_free(sim.user_token);
	options_free(&sim.opt);
	return status;
}
