/* actions — see include/actions.h. */
#include "actions.h"

#include <math.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "action_flow.h"
#include "config.h"
#include "connection.h"
#include "graphql.h"
#include "loadsub.h"
#include "ingest.h"
#include "jwt.h"
#include "mqtt.h"
#include "offline.h"
#include "payload.h"
#include "requests.h"
#include "secret.h"
#include "util.h"

/* The options only actions take; everything else is a connection option. */
struct action_args {
	const char *name;
	const char *system, *component, *service, *characteristic, *value;
	const char *event, *device, *duration, *token_out;
	bool permanent, wait, msgpack;
};

static const struct {
	const char *flag;
	size_t offset; /* into struct action_args; (size_t)-1 for booleans below */
} value_flags[] = {
	{ "--system", offsetof(struct action_args, system) },
	{ "--component", offsetof(struct action_args, component) },
	{ "--service", offsetof(struct action_args, service) },
	{ "--characteristic", offsetof(struct action_args, characteristic) },
	{ "--value", offsetof(struct action_args, value) },
	{ "--event", offsetof(struct action_args, event) },
	{ "--device", offsetof(struct action_args, device) },
	{ "--duration", offsetof(struct action_args, duration) },
	{ "--token-out", offsetof(struct action_args, token_out) },
};

static const char *const action_names[] = { "set-setpoint", "ack-event", "issue-token" };

bool actions_is_action(const char *word)
{
	for (size_t i = 0; word && i < ARRAY_LEN(action_names); i++)
		if (strcmp(word, action_names[i]) == 0)
			return true;
	return false;
}

/* Takes the action's own flags out of argv; the rest goes to config.
 * rest[0] is the program name. */
static bool split_args(int argc, char **argv, struct action_args *a, char **rest, int *rest_count)
{
	*rest_count = 0;
	rest[(*rest_count)++] = argv[0];
	a->name = argv[1];
	for (int i = 2; i < argc; i++) {
		bool taken = false;
		for (size_t k = 0; k < ARRAY_LEN(value_flags) && !taken; k++) {
			if (strcmp(argv[i], value_flags[k].flag) != 0)
				continue;
			if (i + 1 >= argc) {
				fprintf(stderr, "drivr-console: %s needs a value\n", argv[i]);
				return false;
			}
			*(const char **)((char *)a + value_flags[k].offset) = argv[++i];
			taken = true;
		}
		if (taken)
			continue;
		if (strcmp(argv[i], "--wait") == 0)
			a->wait = true;
		else if (strcmp(argv[i], "--permanent") == 0)
			a->permanent = true;
		else if (strcmp(argv[i], "--msgpack") == 0)
			a->msgpack = true;
		else
			rest[(*rest_count)++] = argv[i];
	}
	return true;
}

/* ---- the run ----------------------------------------------------------------- */

struct action_run {
	const struct config *config;
	const struct action_args *args;
	struct topic_table *topics;
	struct store *store;
	struct ingest ingest;
	struct action_flow flow; /* requests, outbox, audit: as the console */
	struct connection conn;
	struct mqtt *mqtt; /* conn.mqtt */
	struct mqtt_status status;
	struct load_plan *plan; /* NULL with --single-subscription */
	struct request *request;
	bool ever_connected, connection_failed, said_waiting;
	/* the outcome stands but is not recorded: the audit line or the
	 * --token-out file failed (exit 9 instead of 0) */
	bool unrecorded;
};

/* What a lost connection means for the request, in its real state: only a
 * queued one waits in the outbox; we never re-send a sent one (Paho itself
 * does only for a kept session, --keep-session), a delivered one still
 * waits for its answer. */
static const char *request_fate(const struct request *q)
{
	if (!q)
		return "; reconnecting";
	switch (q->state) {
	case REQUEST_QUEUED:
		return "; the request waits in the outbox and goes out after the reconnect";
	case REQUEST_SENT:
		return "; the request was sent but not acknowledged by the broker: it is not re-sent";
	case REQUEST_DELIVERED:
	case REQUEST_PENDING_DEVICE:
		return "; the request was delivered: its answer is awaited after the reconnect";
	default:
		return ""; /* it has ended: its outcome line says how */
	}
}

/* Handles one inbox batch: messages through ingest (and so the flow's
 * observer), everything else through the flow, the connection's fate said. */
static void drain(struct action_run *run)
{
	struct inbox_item *list = inbox_take_all(mqtt_inbox(run->mqtt), NULL);
	double now = time_now();
	for (struct inbox_item *item = list; item; item = item->next) {
		if (run->plan)
			loadsub_event(run->plan, item, now);
		mqtt_status_apply(&run->status, item);
		if (item->kind == INBOX_MESSAGE) {
			struct message_meta meta;
			inbox_message_meta(item, &meta);
			ingest_message(&run->ingest, &meta);
			continue;
		}
		action_flow_transport(&run->flow, item);
		switch (item->kind) {
		case INBOX_CONNECTED:
			run->ever_connected = true;
			break;
		case INBOX_CONNECT_FAILED:
			if (run->ever_connected) {
				break;
			} else if (run->args->wait && !run->said_waiting) {
				/* --wait: the action waits for the broker (Paho retries) up
				 * to --timeout, then goes out as it would have */
				connection_say_failed(&run->conn, item->u.failure.reason,
						      "; --wait: trying until the time-out, the action "
						      "goes out once connected");
				run->said_waiting = true;
			} else if (!run->args->wait) {
				connection_say_failed(&run->conn, item->u.failure.reason, NULL);
				run->connection_failed = true;
			}
			break;
		case INBOX_CONNECTION_LOST:
			fprintf(stderr, "drivr-console: connection lost (%s)%s\n", item->u.failure.reason,
				request_fate(run->request));
			break;
		default:
			break;
		}
	}
	inbox_list_free(list);
}

static void pump(struct action_run *run, int wait_ms)
{
	struct pollfd pfd = { inbox_fd(mqtt_inbox(run->mqtt)), POLLIN, 0 };
	if (run->plan) {
		int plan_ms = loadsub_pump(run->plan, run->mqtt, time_now());
		if (plan_ms >= 0 && plan_ms < wait_ms)
			wait_ms = plan_ms;
	}
	if (poll(&pfd, 1, wait_ms) > 0)
		drain(run);
	if (run->plan)
		loadsub_pump(run->plan, run->mqtt, time_now());
}

/* Connected, subscribed, and the retained state has settled (so the
 * characteristic catalogue and the entities are known). */
static bool wait_ready(struct action_run *run, double deadline)
{
	while (!run->connection_failed && time_monotonic() < deadline) {
		if (action_flow_settled(&run->flow))
			return true;
		pump(run, 50);
	}
	if (run->connection_failed)
		return false;
	char reason[512];
	if (run->plan && run->status.subscribed &&
	    load_plan_verdict(run->plan, reason, sizeof(reason)) != LOAD_COMPLETE)
		fprintf(stderr, "drivr-console: the platform's state on %s is not complete in time: %s\n",
			mqtt_server_uri(run->mqtt), reason);
	else
		fprintf(stderr, "drivr-console: %s %s in time\n",
			!run->status.subscribed ? "not connected to"
			: run->flow.platform_at > run->flow.subscribed_at
				? "the retained state did not settle on"
				: "nothing from the platform for the slug (is it right?) on",
			mqtt_server_uri(run->mqtt));
	return false;
}

static int exit_for(const struct request *q, bool wait)
{
	switch (q->state) {
	case REQUEST_FAILED:
		return q->refused ? EXIT_REFUSED : EXIT_FAILED;
	case REQUEST_CONFIRMED:
		return EXIT_OK;
	case REQUEST_DELIVERED:
	case REQUEST_PENDING_DEVICE:
		return wait ? EXIT_TIMEOUT : EXIT_OK;
	case REQUEST_REJECTED:
		return EXIT_REJECTED;
	case REQUEST_ERROR:
		return EXIT_ERROR_REPLY;
	case REQUEST_TIMED_OUT:
		return EXIT_TIMEOUT;
	default:
		return EXIT_FAILED;
	}
}

/* The outbox sends the queued MQTT request once connected and the
 * platform's state settled (after a reconnection too); follows it until
 * final (or delivered, without --wait), or the deadline. */
static void follow_mqtt(struct action_run *run, double deadline)
{
	struct request *q = run->request;
	while (time_monotonic() < deadline && !request_state_final(q->state)) {
		if (!run->args->wait && q->state != REQUEST_QUEUED && q->state != REQUEST_SENT)
			break;
		action_flow_tick(&run->flow);
		pump(run, 50);
	}
	if (run->args->wait)
		requests_expire(run->flow.requests, q,
				q->state == REQUEST_QUEUED ? "still queued: not connected"
							   : "no final answer in time",
				action_flow_now(&run->flow));
}

/* Without --wait a PUBACK ends the run: say what it proves.  On MQTT 3.1.1
 * a broker acknowledges a publish it then drops (mosquitto above its
 * message_size_limit), so "delivered" there means "to the broker". */
static void note_delivery(struct action_run *run)
{
	struct request *q = run->request;
	if (q->kind == REQUEST_TOKEN || q->state != REQUEST_DELIVERED)
		return;
	requests_note(run->flow.requests, q,
		      run->flow.mqtt_version >= 5
			      ? "accepted by the broker (PUBACK success)"
			      : "to the broker; MQTT 3.1.1 cannot tell a message the broker dropped "
				"(-V 5 can)");
}

static void print_outcome(const struct request *q)
{
	printf("%s: %s", request_state_name(q->state), q->summary);
	if (q->receipt_id)
		printf(" (receipt %s)", q->receipt_id);
	if (q->detail)
		printf(": %s", q->detail);
	if (q->error_code)
		printf(" [%s]", q->error_code);
	printf("\n");
}

/* The issued JWT checked as the tokens view checks it: against the domain's
 * JWKS from the retained state. */
static void report_jwt_check(const struct action_run *run, const char *jwt)
{
	size_t n = store_jwks_count(run->store);
	struct jwt_info info;
	enum jwt_status st = action_flow_check_jwt(&run->flow, jwt, &info);
	fprintf(stderr, "drivr-console: the JWT against the domain's JWKS (%zu key%s): %s (%s, kid %s)\n",
		n, n == 1 ? "" : "s", jwt_status_name(st), info.alg[0] ? info.alg : "?",
		info.kid[0] ? info.kid : "?");
	jwt_info_free(&info);
}

static void issue_token(struct action_run *run, double deadline)
{
	struct request *q = run->request;
	struct requests *r = run->flow.requests;
	char err[512];
	struct action_token_call call;
	action_token_call_init(&call, &run->flow, q, 20);
	requests_mark_sent(r, q, 0, action_flow_now(&run->flow));
	struct graphql_token_result res;
	action_token_call_run(&call, &res);
	action_token_call_free(&call);
	requests_token_response(r, q, res.uuid, res.error, action_flow_now(&run->flow));
	if (res.jwt) {
		/* Shown once: to the file the operator named, else to stdout. */
		if (run->args->token_out) {
			if (graphql_save_jwt(run->args->token_out, res.jwt, false, err, sizeof(err))) {
				fprintf(stderr, "drivr-console: token written to %s (mode 0600)\n",
					run->args->token_out);
			} else {
				/* Issued, so it exists on the platform: never lose it. */
				fprintf(stderr, "drivr-console: --token-out: %s; the JWT follows on stdout "
						"(shown once: keep it now)\n", err);
				printf("%s\n", res.jwt);
				fflush(stdout);
				run->unrecorded = true;
			}
		} else {
			printf("%s\n", res.jwt);
		}
		report_jwt_check(run, res.jwt);
	}
	graphql_token_result_free(&res); /* the JWT wiped */
	while (run->args->wait && q->state == REQUEST_DELIVERED && time_monotonic() < deadline) {
		action_flow_tick(&run->flow);
		pump(run, 50);
	}
}

static struct request *build_request(struct action_run *run, char *err, size_t size)
{
	const struct action_args *a = run->args;
	struct requests *r = run->flow.requests;
	struct request_time now = action_flow_now(&run->flow);
	if (strcmp(a->name, "set-setpoint") == 0) {
		struct action_catalogue catalogue = { 0 };
		const char *why = NULL;
		const struct payload_characteristic *c = action_flow_characteristic(
			run->store, a->system, a->component, a->service, a->characteristic, &catalogue,
			&why);
		if (!c && a->characteristic)
			fprintf(stderr, "drivr-console: %s/%s/%s is not in the catalogue of the component's "
					"model; sending the value as typed\n",
				a->component ? a->component : "?", a->service ? a->service : "?",
				a->characteristic);
		struct setpoint_draft d = { a->system, a->component, a->service, a->characteristic,
					    a->value, c, a->msgpack ? FORMAT_MSGPACK : FORMAT_JSON };
		struct request *q = requests_add_setpoint(r, &d, now, err, size);
		action_catalogue_close(&catalogue);
		return q;
	}
	if (strcmp(a->name, "ack-event") == 0) {
		const char *system = a->system;
		const struct event *e = a->event ? store_find_event(run->store, a->event) : NULL;
		if (!system && e)
			system = e->system_uuid;
		return requests_add_event_ack(r, system, a->event, now, err, size);
	}
	if (!a->permanent && !a->duration) {
		snprintf(err, size, "give --duration (e.g. 1D) or --permanent");
		return NULL;
	}
	struct token_draft d = { a->system, a->device, a->permanent ? NULL : a->duration };
	return requests_add_token(r, &d, now, err, size);
}

static int run_action(struct action_run *run)
{
	char err[512];
	double timeout = run->config->timeout > 0 ? run->config->timeout : 60;
	double deadline = time_monotonic() + timeout;
	if (!wait_ready(run, deadline))
		return EXIT_FAILED;
	run->request = build_request(run, err, sizeof(err));
	if (!run->request) {
		fprintf(stderr, "drivr-console: refused before sending: %s\n", err);
		return EXIT_USAGE;
	}
	char offline[512];
	if (run->request->kind == REQUEST_SETPOINT &&
	    offline_setpoint_warning(run->store, run->request->system_uuid,
				     run->request->component_code, offline, sizeof(offline)))
		fprintf(stderr, "drivr-console: warning: %s\n", offline);
	if (run->request->kind == REQUEST_TOKEN)
		issue_token(run, deadline);
	else
		follow_mqtt(run, deadline);
	note_delivery(run);
	/* One audit line per action, with its outcome (as the console writes):
	 * the flow wrote it when the request ended; a run that ends first (a
	 * PUBACK without --wait) records the state it reached. */
	action_flow_sweep(&run->flow);
	bool recorded = action_flow_record(&run->flow, run->request) && !run->flow.audit_failed;
	print_outcome(run->request);
	if (!recorded) {
		fprintf(stderr, "drivr-console: audit log: %s — the outcome above stands, but it is not "
				"in the audit log\n", run->flow.audit_error);
		run->unrecorded = true;
	}
	int status = exit_for(run->request, run->args->wait);
	/* 9 replaces 0 only: a failure the outcome already reports keeps its
	 * status (the record's failure is on stderr). */
	return status == EXIT_OK && run->unrecorded ? EXIT_UNRECORDED : status;
}

/* issue-token, before connecting: a --token-out that cannot take the JWT
 * would leave a token on the platform nobody has (exit 2, nothing issued);
 * a user token file others can read is said (not refused). */
static bool token_preflight(const struct config *config, const struct action_args *a)
{
	char err[600];
	if (a->token_out && !graphql_check_jwt_path(a->token_out, false, err, sizeof(err))) {
		fprintf(stderr, "drivr-console: --token-out: %s; nothing issued\n", err);
		return false;
	}
	if (graphql_user_token_file_warning(config->user_token_file, err, sizeof(err)))
		fprintf(stderr, "drivr-console: warning: %s\n", err);
	return true;
}

int actions_main(int argc, char **argv)
{
	struct action_args args;
	memset(&args, 0, sizeof(args));
	char **rest = xcalloc((size_t)argc + 1, sizeof(*rest));
	int rest_count, status = EXIT_USAGE;
	struct config config;
	config_init(&config);
	char err[512];
	struct action_run run;
	memset(&run, 0, sizeof(run));

	if (!split_args(argc, argv, &args, rest, &rest_count))
		goto out;
	if (!config_parse_args(&config, rest_count, rest, err, sizeof(err)) ||
	    !config_load_file(&config, err, sizeof(err)) ||
	    !config_validate(&config, err, sizeof(err))) {
		fprintf(stderr, "drivr-console: %s\n", err);
		goto out;
	}
	if (config.read_only) {
		fprintf(stderr, "drivr-console: %s refused: read-only mode\n", args.name);
		status = EXIT_READ_ONLY;
		goto out;
	}
	if (strcmp(args.name, "issue-token") == 0 && !token_preflight(&config, &args))
		goto out;
	run.config = &config;
	run.args = &args;
	run.topics = topics_new();
	if (!config_apply_topic_overrides(&config, run.topics, err, sizeof(err))) {
		fprintf(stderr, "drivr-console: %s\n", err);
		goto out;
	}
	/* The user token file is read again when the token is requested;
	 * a file that cannot be read (missing, a device, over its limit) is a
	 * bad option, said before connecting. */
	if (strcmp(args.name, "issue-token") == 0 && config.user_token_file) {
		char *token = graphql_read_user_token(config.user_token_file, err, sizeof(err));
		if (!token) {
			fprintf(stderr, "drivr-console: %s\n", err);
			goto out;
		}
		secret_free(token);
	}
	/* Connecting starts here (the TLS files checked); the events wait in
	 * the inbox until run_action reads them. */
	enum connection_failure cf = connection_open(&run.conn, &config);
	if (cf != CONNECTION_OK) {
		status = cf == CONNECTION_BAD_OPTION ? EXIT_USAGE : EXIT_FAILED;
		goto out;
	}
	run.mqtt = run.conn.mqtt;
	run.store = store_new(NULL);
	ingest_init(&run.ingest, run.topics, run.store);
	run.plan = connection_load_plan(&config, run.topics);
	run.ingest.plan = run.plan;
	mqtt_status_init(&run.status);
	action_flow_init(&run.flow, &config, run.store, run.topics);
	run.flow.mqtt = run.mqtt;
	run.flow.status = &run.status;
	run.flow.plan = run.plan;
	run.ingest.observer = action_flow_observer;
	run.ingest.observer_ctx = &run.flow;
	status = run_action(&run);
out:
	connection_close(&run.conn, run.ever_connected);
	if (run.flow.requests)
		action_flow_free(&run.flow);
	load_plan_free(run.plan);
	store_free(run.store);
	topics_free(run.topics);
	free(rest);
	config_free(&config);
	return status;
}
