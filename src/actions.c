/* actions — see include/actions.h. */
#include "actions.h"

#include <cJSON.h>
#include <math.h>
#include <poll.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "action_flow.h"
#include "catalogue_query.h"
#include "config.h"
#include "connection.h"
#include "graphql.h"
#include "inputs.h"
#include "loadsub.h"
#include "ingest.h"
#include "jwt.h"
#include "mqtt.h"
#include "offline.h"
#include "optable.h"
#include "payload.h"
#include "requests.h"
#include "secret.h"
#include "util.h"

/* The options only actions take; everything else is a console option
 * (config.h), of which the commands use the connection's and a few more. */
#define ACTION_OPTION_LIST(X)                                                                  \
	X(system, "system", STRING, "UUID", "the system's uuid")                               \
	X(component, "component", STRING, "CODE", "the component's code, e.g. heat-pump-1")    \
	X(service, "service", STRING, "CODE", "the service's code, e.g. heating")              \
	X(characteristic, "characteristic", STRING, "CODE",                                   \
	  "the characteristic's code, e.g. flow-temperature-setpoint")                         \
	X(value, "value", STRING, "V", "the value; the component model's catalogue checks it") \
	X(msgpack, "msgpack", FLAG, NULL, "send the input as MessagePack (default JSON)")       \
	X(event, "event", STRING, "UUID", "the event's uuid")                                  \
	X(device, "device", STRING, "NAME", "the device the token is for, e.g. smart-bulb")    \
	X(duration, "duration", STRING, "D",                                                   \
	  "the token's lifetime: 1D, 12H, 30M, 45S, 2W, seconds, or ISO-8601 like P1DT2H")     \
	X(permanent, "permanent", FLAG, NULL, "a token that never expires (not --duration)")   \
	X(token_out, "token-out", STRING, "FILE",                                              \
	  "write the JWT to FILE (mode 0600), not to stdout")                                  \
	X(new_name, "name", STRING, "TEXT", "the new name")                                        \
	X(description, "description", STRING, "TEXT", "the new description")                   \
	X(status, "status", STRING, "WORD", "ACTIVATED, DEACTIVATED or ARCHIVED")              \
	X(connection_state, "connection-state", STRING, "WORD",                                \
	  "system: CONNECTED, DISCONNECTED, PARTIALLY_CONNECTED, UNDEFINED; component: "       \
	  "CONNECTED, DISCONNECTED, NOT_CONNECTIVE, UNDEFINED")                                \
	X(model, "model", STRING, "UUID",                                                      \
	  "the component model's uuid (components), the event model's (raise-event)")          \
	X(time, "time", STRING, "T", "ISO-8601, e.g. 2026-01-31T12:00:00Z; not given: now")   \
	X(end_time, "end-time", STRING, "T",                                                   \
	  "ISO-8601: the RANGED event's end (it is RESOLVED); resolve-event: not given: now")  \
	X(values_file, "values-file", STRING, "FILE|-",                                        \
	  "DatapointInput objects, one JSON line each (- : stdin), checked before sending")     \
	X(error_wait, "error-wait", DURATION, "S",                                             \
	  "a datapoint ends as \"sent, no error\" after S s without an /error reply (5)")     \
	X(wait, "wait", FLAG, NULL,                                                            \
	  "follow the request to its end state; wait for the broker until --timeout")          \
	X(quiet, "quiet", FLAG, NULL, "no talk on stderr (outcome, warnings): errors only")    \
	X(help, "help", FLAG, NULL, "show this command's help and exit")

enum action_option {
#define X(field, name, type, arg, help) ACTION_OPT_##field,
	ACTION_OPTION_LIST(X)
#undef X
};

struct action_args {
	const char *name; /* the command, argv[1] */
	/* the table's values (optable.h: strings owned, freed by opt_free) */
	char *system, *component, *service, *characteristic, *value;
	char *event, *device, *duration, *token_out;
	char *new_name, *description, *status, *connection_state, *model, *time, *end_time;
	char *values_file;
	double error_wait; /* OPT_UNSET: the default */
	bool msgpack, permanent, wait, quiet, help;
	/* publish-datapoint --values-file: the checked lines (an array, owned) */
	struct cJSON *values;
};

static const struct opt_def action_defs[] = {
#define X(field, name, type, arg, help) \
	{ name, 0, OPT_##type, arg, NULL, 0, 0, 0, help, offsetof(struct action_args, field) },
	ACTION_OPTION_LIST(X)
#undef X
};

static const struct opt_table action_options = { "", action_defs, ARRAY_LEN(action_defs) };

#define OPT_BIT(field) (1u << ACTION_OPT_##field)
#define EVERY_COMMAND (OPT_BIT(wait) | OPT_BIT(quiet) | OPT_BIT(help))

static const struct command {
	const char *name, *summary, *synopsis;
	unsigned takes, needs; /* OPT_BITs; --duration or --permanent: issue-token's own check */
	bool graphql;          /* uses --graphql-url and the user API token */
} commands[] = {
	{ "set-setpoint", "send a setpoint the catalogue checked, and follow it",
	  "--system UUID --component CODE --service CODE --characteristic CODE --value V\n"
	  "              [--msgpack] [--wait] [--quiet] [options]",
	  OPT_BIT(system) | OPT_BIT(component) | OPT_BIT(service) | OPT_BIT(characteristic) |
		  OPT_BIT(value) | OPT_BIT(msgpack) | EVERY_COMMAND,
	  OPT_BIT(system) | OPT_BIT(component) | OPT_BIT(service) | OPT_BIT(characteristic) |
		  OPT_BIT(value),
	  false },
	{ "ack-event", "acknowledge an event", "--event UUID [--system UUID] [--wait] [--quiet] [options]",
	  OPT_BIT(event) | OPT_BIT(system) | EVERY_COMMAND, OPT_BIT(event), false },
	{ "issue-token", "issue a Local API Token (GraphQL), checked against the domain's JWKS",
	  "--system UUID --device NAME (--duration D | --permanent)\n"
	  "              [--token-out FILE] [--wait] [--quiet] [options]",
	  OPT_BIT(system) | OPT_BIT(device) | OPT_BIT(duration) | OPT_BIT(permanent) |
		  OPT_BIT(token_out) | EVERY_COMMAND,
	  OPT_BIT(system) | OPT_BIT(device), true },
	{ "update-system", "change a system's name, description, status or connection state",
	  "--system UUID [--name TEXT] [--description TEXT] [--status WORD]\n"
	  "              [--connection-state WORD] [--msgpack] [--wait] [--quiet] [options]",
	  OPT_BIT(system) | OPT_BIT(new_name) | OPT_BIT(description) | OPT_BIT(status) |
		  OPT_BIT(connection_state) | OPT_BIT(msgpack) | EVERY_COMMAND,
	  OPT_BIT(system), false },
	{ "create-component", "create a component of a system from a component model",
	  "--system UUID --component CODE --model UUID [--name TEXT] [--status WORD]\n"
	  "              [--connection-state WORD] [--msgpack] [--wait] [--quiet] [options]",
	  OPT_BIT(system) | OPT_BIT(component) | OPT_BIT(model) | OPT_BIT(new_name) | OPT_BIT(status) |
		  OPT_BIT(connection_state) | OPT_BIT(msgpack) | EVERY_COMMAND,
	  OPT_BIT(system) | OPT_BIT(component) | OPT_BIT(model), false },
	{ "update-component", "change a component's name, status, connection state or model",
	  "--system UUID --component CODE [--name TEXT] [--status WORD]\n"
	  "              [--connection-state WORD] [--model UUID] [--msgpack] [--wait] [options]",
	  OPT_BIT(system) | OPT_BIT(component) | OPT_BIT(model) | OPT_BIT(new_name) | OPT_BIT(status) |
		  OPT_BIT(connection_state) | OPT_BIT(msgpack) | EVERY_COMMAND,
	  OPT_BIT(system) | OPT_BIT(component), false },
	{ "publish-datapoint", "publish datapoints of a system (no confirmation exists: errors only)",
	  "--system UUID (--component CODE --service CODE --characteristic CODE\n"
	  "              --value V [--time T] | --values-file FILE|-) [--error-wait S]\n"
	  "              [--msgpack] [--quiet] [options]",
	  OPT_BIT(system) | OPT_BIT(component) | OPT_BIT(service) | OPT_BIT(characteristic) |
		  OPT_BIT(value) | OPT_BIT(time) | OPT_BIT(values_file) | OPT_BIT(error_wait) |
		  OPT_BIT(msgpack) | EVERY_COMMAND,
	  OPT_BIT(system), false },
	{ "raise-event", "raise an event on a system or one of its components",
	  "--system UUID [--component CODE] --model UUID [--time T] [--end-time T]\n"
	  "              [--msgpack] [--wait] [--quiet] [options]",
	  OPT_BIT(system) | OPT_BIT(component) | OPT_BIT(model) | OPT_BIT(time) | OPT_BIT(end_time) |
		  OPT_BIT(msgpack) | EVERY_COMMAND,
	  OPT_BIT(system) | OPT_BIT(model), false },
	{ "resolve-event", "resolve an ACTIVE RANGED event (its end time set)",
	  "--event UUID [--end-time T] [--msgpack] [--wait] [--quiet] [options]",
	  OPT_BIT(event) | OPT_BIT(end_time) | OPT_BIT(msgpack) | EVERY_COMMAND, OPT_BIT(event),
	  false },
};

/* The console's options a command uses, shown by its --help (the console's
 * --help has them all); a better line where the console's speaks of modes. */
static const struct {
	const char *name, *help; /* help NULL: the table's */
} run_options[] = {
	{ "host", NULL }, { "port", NULL }, { "url", NULL }, { "id", NULL },
	{ "protocol-version", NULL }, { "slug", NULL }, { "cafile", NULL }, { "capath", NULL },
	{ "cert", NULL }, { "key", NULL }, { "key-pass-file", NULL }, { "insecure", NULL },
	{ "keepalive", NULL }, { "keep-session", NULL }, { "profile", NULL }, { "config", NULL },
	{ "topics", NULL }, { "single-subscription", NULL }, { "load-budget", NULL },
	{ "timeout", "the whole run at most S s; not given: 60" },
	{ "settle", NULL }, { "read-only", "refuse the action (exit 6)" }, { "audit-log", NULL },
};
static const char *const graphql_options[] = { "graphql-url", "user-token-file" };

static const struct command *find_command(const char *word)
{
	for (size_t i = 0; word && i < ARRAY_LEN(commands); i++)
		if (strcmp(word, commands[i].name) == 0)
			return &commands[i];
	return NULL;
}

bool actions_is_action(const char *word)
{
	return find_command(word) != NULL;
}

void actions_print_commands(const char *program, FILE *out)
{
	fprintf(out, "\nCommands (%s COMMAND --help, or %s help COMMAND, for one):\n", program,
		program);
	for (size_t i = 0; i < ARRAY_LEN(commands); i++)
		fprintf(out, "  %-14s %s\n", commands[i].name, commands[i].summary);
	fprintf(out, "  %-14s %s\n", "help COMMAND", "show a command's options and exit");
	fprintf(out, "A command prints its data (issue-token: the JWT) on stdout, its outcome and "
		     "warnings on stderr.\n");
}

/* A console option by its table row, its help replaced when given. */
static void add_console_option(struct opt_def *defs, size_t *n, const char *name, const char *help)
{
	const struct opt_def *def = opt_find(&config_options, name, strlen(name));
	if (!def) /* a row renamed in config.h without this list: test_cli's --help runs catch it */
		abort();
	defs[*n] = *def;
	if (help)
		defs[*n].help = help;
	(*n)++;
}

static void print_command_help(const struct command *cmd, const char *program, FILE *out)
{
	fprintf(out, "Usage: %s %s %s\n%s.\n\nOptions of %s:", program, cmd->name, cmd->synopsis,
		cmd->summary, cmd->name);
	struct opt_def defs[ARRAY_LEN(action_defs) + ARRAY_LEN(run_options) + ARRAY_LEN(graphql_options)];
	size_t n = 0;
	for (size_t i = 0; i < ARRAY_LEN(action_defs); i++)
		if (cmd->takes & (1u << i))
			defs[n++] = action_defs[i];
	opt_print_help(&(struct opt_table){ "", defs, n }, program, out);
	n = 0;
	for (size_t i = 0; i < ARRAY_LEN(run_options); i++)
		add_console_option(defs, &n, run_options[i].name, run_options[i].help);
	for (size_t i = 0; cmd->graphql && i < ARRAY_LEN(graphql_options); i++)
		add_console_option(defs, &n, graphql_options[i], NULL);
	fprintf(out, "\nConnection and run options (docs/configuration.md; profiles too):");
	opt_print_help(&(struct opt_table){ "", defs, n }, program, out);
	fprintf(out, "\nstdout: %s; stderr: the outcome line, warnings and errors (--quiet: errors "
		     "only).\nEvery option is checked before connecting: all that are wrong are "
		     "said, exit 2.\n",
		cmd->graphql ? "the JWT only (without --token-out)" : "nothing");
	exit_status_print_help(EXIT_STATUS_ALL & ~(1u << EXIT_INCOMPLETE), out);
	fprintf(out, "(docs/actions.md has the long table)\n");
}

bool actions_print_help(const char *command, const char *program, FILE *out)
{
	const struct command *cmd = find_command(command);
	if (cmd)
		print_command_help(cmd, program, out);
	return cmd != NULL;
}

/* Everything wrong with the options, one line each, said together. */
struct problems {
	char **lines;
	size_t count;
};

static void problem(struct problems *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void problem(struct problems *p, const char *fmt, ...)
{
	char line[600];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	p->lines = xrealloc(p->lines, (p->count + 1) * sizeof(*p->lines));
	p->lines[p->count++] = xstrdup(line);
}

static void problems_free(struct problems *p)
{
	for (size_t i = 0; i < p->count; i++)
		free(p->lines[i]);
	free(p->lines);
	memset(p, 0, sizeof(*p));
}

/* A console option at argv[i]: its row, for how many words it takes. */
static const struct opt_def *console_option(const char *arg)
{
	if (arg[0] == '-' && arg[1] == '-' && arg[2])
		return opt_find(&config_options, arg + 2, strcspn(arg + 2, "="));
	if (arg[0] == '-' && arg[1] && !arg[2])
		return opt_find_short(&config_options, arg[1]);
	return NULL;
}

/* The command's own options into a, the rest through the console's parser,
 * one option at a time so that every bad one is said, not just the first. */
static void parse_args(const struct command *cmd, int argc, char **argv, struct action_args *a,
		       struct config *config, struct problems *p)
{
	char err[512];
	for (int i = 2; i < argc; i++) {
		const char *arg = argv[i];
		const struct opt_def *def = NULL;
		if (arg[0] == '-' && arg[1] == '-' && arg[2])
			def = opt_find(&action_options, arg + 2, strcspn(arg + 2, "="));
		if (def) {
			const char *value = strchr(arg, '=');
			value = value ? value + 1 : NULL;
			if (def->type != OPT_FLAG && !value) {
				if (i + 1 >= argc) {
					problem(p, "--%s needs a value (%s)", def->name, def->arg);
					continue;
				}
				value = argv[++i];
			}
			if (!(cmd->takes & (1u << (def - action_defs))))
				problem(p, "%s takes no --%s", cmd->name, def->name);
			else if (def->type == OPT_FLAG && value)
				problem(p, "--%s takes no value", def->name);
			else if (!opt_set(def, a, value, err, sizeof(err)))
				problem(p, "%s", err);
			continue;
		}
		def = console_option(arg);
		int words = def && def->type != OPT_FLAG && !strchr(arg, '=') && i + 1 < argc ? 2 : 1;
		char *one[] = { argv[0], argv[i], words == 2 ? argv[i + 1] : NULL };
		if (!config_parse_args(config, words + 1, one, err, sizeof(err)))
			problem(p, "%s", err);
		i += words - 1;
	}
}

/* The most a --values-file may hold (stdin too): INPUTS_DATAPOINTS_MAX
 * lines of a few KiB. */
#define LIMIT_VALUES_FILE (4 * UTIL_MiB)

static char *read_values(const char *path, char *err, size_t size)
{
	if (strcmp(path, "-") != 0)
		return util_read_file(path, LIMIT_VALUES_FILE, "--values-file", NULL, err, size);
	size_t len = 0, cap = 64 * 1024;
	char *text = xmalloc(cap + 1);
	size_t n;
	while ((n = fread(text + len, 1, cap - len, stdin)) > 0) {
		len += n;
		if (len == cap && cap >= LIMIT_VALUES_FILE) {
			free(text);
			util_fail(err, size, "--values-file -: stdin holds more than %u bytes",
				  (unsigned)LIMIT_VALUES_FILE);
			return NULL;
		}
		if (len == cap) {
			cap *= 2;
			text = xrealloc(text, cap + 1);
		}
	}
	text[len] = '\0';
	return text;
}

/* Every line of --values-file checked (all that are wrong said, by line
 * number) into a->values; nothing is sent unless all are right. */
static void check_values_file(struct action_args *a, struct problems *p)
{
	char err[600];
	char *text = read_values(a->values_file, err, sizeof(err));
	if (!text) {
		problem(p, "%s", err);
		return;
	}
	cJSON *items = cJSON_CreateArray();
	size_t line = 0, bad = 0;
	for (char *at = text, *next; at && *at; at = next) {
		next = strchr(at, '\n');
		if (next)
			*next++ = '\0';
		line++;
		if (at[strspn(at, " \t\r")] == '\0')
			continue; /* blank lines separate nothing, and are allowed */
		cJSON *o;
		if (!inputs_datapoint_line(at, a->system, &o, err, sizeof(err))) {
			if (bad++ < 20)
				problem(p, "--values-file %s:%zu: %s", a->values_file, line, err);
			continue;
		}
		cJSON_AddItemToArray(items, o);
	}
	free(text);
	int n = cJSON_GetArraySize(items);
	if (bad > 20)
		problem(p, "--values-file %s: %zu more lines are wrong", a->values_file, bad - 20);
	else if (!bad && n == 0)
		problem(p, "--values-file %s: no datapoint in it", a->values_file);
	else if (n > INPUTS_DATAPOINTS_MAX)
		problem(p, "--values-file %s: %d datapoints, at most %d at once", a->values_file, n,
			INPUTS_DATAPOINTS_MAX);
	a->values = items;
}

/* The platform inputs' own checks (the schema's: enums, codes, times,
 * uuids), run on what the options say before connecting; what needs the
 * twin (a component's uuid, the event's model) comes after. */
static void check_inputs(const struct command *cmd, struct action_args *a, struct problems *p)
{
	char err[600];
	double t;
	bool component_cmd = strstr(cmd->name, "-component") != NULL;
	if (a->model && *a->model && !requests_check_uuid(a->model, err, sizeof(err)))
		problem(p, "--model: %s", err);
	if (a->time && !inputs_check_time("--time", a->time, &t, err, sizeof(err)))
		problem(p, "%s", err);
	if (a->end_time && !inputs_check_time("--end-time", a->end_time, &t, err, sizeof(err)))
		problem(p, "%s", err);
	if (a->status && *a->status &&
	    !inputs_check_enum("--status", a->status, inputs_system_statuses, INPUTS_STATUS_COUNT,
			       err, sizeof(err)))
		problem(p, "%s", err);
	if (a->connection_state && *a->connection_state &&
	    !inputs_check_enum("--connection-state", a->connection_state,
			       component_cmd ? inputs_component_connection_states
					     : inputs_system_connection_states,
			       component_cmd ? INPUTS_COMPONENT_STATE_COUNT : INPUTS_SYSTEM_STATE_COUNT,
			       err, sizeof(err)))
		problem(p, "%s", err);
	if (a->component && *a->component && (cmd->takes & OPT_BIT(model)) &&
	    !inputs_check_code("--component", a->component, err, sizeof(err)))
		problem(p, "%s", err);
	if (a->error_wait != OPT_UNSET && (a->error_wait <= 0 || a->error_wait > 300))
		problem(p, "--error-wait: %g is not more than 0 and at most 300 s", a->error_wait);
	if (strcmp(cmd->name, "update-system") == 0 && !a->new_name && !a->description && !a->status &&
	    !a->connection_state)
		problem(p, "nothing to update: give --name, --description, --status or "
			   "--connection-state");
	if (strcmp(cmd->name, "update-component") == 0 && !a->new_name && !a->status &&
	    !a->connection_state && !a->model)
		problem(p, "nothing to update: give --name, --status, --connection-state or --model");
	if (strcmp(cmd->name, "raise-event") == 0 && a->time && a->end_time &&
	    time_parse_iso8601(a->end_time) < time_parse_iso8601(a->time))
		problem(p, "--end-time is before --time");
	if (strcmp(cmd->name, "publish-datapoint") != 0)
		return;
	if (a->values_file) {
		if (a->component || a->service || a->characteristic || a->value || a->time)
			problem(p, "--values-file names its time streams, values and times: no "
				   "--component, --service, --characteristic, --value or --time with it");
		else if (a->system && requests_check_uuid(a->system, err, sizeof(err)))
			check_values_file(a, p);
		return;
	}
	static const struct {
		unsigned bit;
		const char *what;
	} single[] = {
		{ OPT_BIT(component), "--component CODE" },
		{ OPT_BIT(service), "--service CODE" },
		{ OPT_BIT(characteristic), "--characteristic CODE" },
		{ OPT_BIT(value), "--value V" },
	};
	const char *given[] = { a->component, a->service, a->characteristic, a->value };
	for (size_t i = 0; i < ARRAY_LEN(single); i++)
		if (!given[i])
			problem(p, "missing %s (or --values-file FILE)", single[i].what);
	for (size_t i = 0; i < 3; i++)
		if (given[i] && *given[i] && !inputs_check_code(single[i].what, given[i], err, sizeof(err)))
			problem(p, "%s", err);
}

/* What can be checked without the broker: every option the command needs,
 * the form of ids and of the token's lifetime. */
static void check_args(const struct command *cmd, struct action_args *a, struct problems *p)
{
	char err[600];
	for (size_t i = 0; i < ARRAY_LEN(action_defs); i++) {
		const struct opt_def *def = &action_defs[i];
		const char *text = def->type == OPT_STRING
					   ? *(char *const *)(const void *)((const char *)a + def->offset)
					   : NULL;
		if ((cmd->needs & (1u << i)) && !text)
			problem(p, "missing --%s %s (%s)", def->name, def->arg, def->help);
		/* an empty value is one (a STRING characteristic may take ""), an empty code is not */
		else if (text && !*text && i != ACTION_OPT_value)
			problem(p, "--%s is empty", def->name);
	}
	if (a->system && *a->system && !requests_check_uuid(a->system, err, sizeof(err)))
		problem(p, "--system: %s", err);
	if (a->event && *a->event && !requests_check_uuid(a->event, err, sizeof(err)))
		problem(p, "--event: %s", err);
	check_inputs(cmd, a, p);
	if (strcmp(cmd->name, "issue-token") != 0)
		return;
	if (a->duration && a->permanent)
		problem(p, "--duration and --permanent exclude each other");
	else if (!a->duration && !a->permanent)
		problem(p, "missing --duration D (e.g. 1D) or --permanent");
	else if (a->duration && *a->duration &&
		 !requests_check_duration(a->duration, err, sizeof(err)))
		problem(p, "--duration: %s", err);
}

/* Talk — progress, warnings, an outcome that is no failure: stderr, and
 * nothing with --quiet.  Errors are printed directly, always. */
static void say(const struct action_args *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(const struct action_args *a, const char *fmt, ...)
{
	if (a->quiet)
		return;
	va_list ap;
	va_start(ap, fmt);
	fputs("drivr-console: ", stderr);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
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

/* The session's catalogue (GraphQL) before the value is checked: asked once
 * the state settled, waited for within the run's time.  A failure is said
 * and leaves validation off (or to the MQTT extension), never the run. */
static void wait_catalogue(struct action_run *run, double deadline)
{
	action_flow_tick(&run->flow); /* starts the query */
	while (catalogue_session_state() == CATALOGUE_LOADING && time_monotonic() < deadline) {
		pump(run, 50);
		action_flow_tick(&run->flow);
	}
	if (catalogue_session_state() == CATALOGUE_FAILED)
		say(run->args, "%s\n", catalogue_session_status());
}

static int exit_for(const struct request *q, bool wait)
{
	switch (q->state) {
	case REQUEST_FAILED:
		return q->refused ? EXIT_REFUSED : EXIT_FAILED;
	case REQUEST_CONFIRMED:
	case REQUEST_NO_ERROR:
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
		/* a datapoint always waits out its quiet time: that is its outcome */
		if (!run->args->wait && q->kind != REQUEST_DATAPOINT && q->state != REQUEST_QUEUED &&
		    q->state != REQUEST_SENT)
			break;
		action_flow_tick(&run->flow);
		pump(run, 50);
	}
	if (run->args->wait || q->kind == REQUEST_DATAPOINT)
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

/* The outcome line: on stderr (stdout is data), with --quiet only when it
 * is a failure. */
static void print_outcome(const struct request *q, bool quiet, int status)
{
	if (quiet && status == EXIT_OK)
		return;
	fprintf(stderr, "%s: %s", request_state_name(q->state), q->summary);
	if (q->receipt_id)
		fprintf(stderr, " (receipt %s)", q->receipt_id);
	if (q->detail)
		fprintf(stderr, ": %s", q->detail);
	if (q->error_code)
		fprintf(stderr, " [%s]", q->error_code);
	fprintf(stderr, "\n");
}

/* The issued JWT checked as the tokens view checks it: against the domain's
 * JWKS from the retained state. */
static void report_jwt_check(const struct action_run *run, const char *jwt)
{
	size_t n = store_jwks_count(run->store);
	struct jwt_info info;
	enum jwt_status st = action_flow_check_jwt(&run->flow, jwt, &info);
	say(run->args, "the JWT against the domain's JWKS (%zu key%s): %s (%s, kid %s)\n", n,
	    n == 1 ? "" : "s", jwt_status_name(st), info.alg[0] ? info.alg : "?",
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
		/* Shown once: to the file the operator named, else to stdout, alone
		 * on its line (issue-token > bulb.jwt is the token file). */
		if (run->args->token_out) {
			if (graphql_save_jwt(run->args->token_out, res.jwt, false, err, sizeof(err))) {
				say(run->args, "token written to %s (mode 0600)\n", run->args->token_out);
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
			fflush(stdout);
		}
		report_jwt_check(run, res.jwt);
	}
	graphql_token_result_free(&res); /* the JWT wiped */
	while (run->args->wait && q->state == REQUEST_DELIVERED && time_monotonic() < deadline) {
		action_flow_tick(&run->flow);
		pump(run, 50);
	}
}

/* An entity the retained state holds (not a stub named by another). */
#define KNOWN(e) ((e) && (e)->meta.known && !(e)->meta.deleted)

/* The datapoint value as the component model's catalogue types it; a
 * characteristic that is a SETTING is refused (setpoints set those). */
static bool datapoint_value(struct action_run *run, const char *component, const char *service,
			    const char *characteristic, const char *text, const cJSON *given,
			    cJSON **out, char *err, size_t size)
{
	const struct action_args *a = run->args;
	struct action_catalogue held = { 0 };
	const char *why = NULL;
	const struct payload_characteristic *c = action_flow_characteristic(
		run->store, a->system, component, service, characteristic, &held, &why);
	bool ok = true;
	*out = NULL;
	if (c && c->kind != CHARACTERISTIC_MEASUREMENT) {
		ok = util_fail(err, size, "%s/%s is a SETTING: datapoints are MEASUREMENTs "
					  "(set-setpoint sets a SETTING)", service, characteristic);
	} else if (given) {
		ok = requests_check_json_value(given, c, err, size);
	} else {
		struct value v;
		cJSON *json = NULL;
		ok = requests_parse_value(text, c, &v, &json, err, size);
		if (ok)
			*out = payload_value_json(&v);
		cJSON_Delete(json);
	}
	if (ok && !c)
		say(a, "%s/%s/%s: %s\n", component, service, characteristic, why);
	action_catalogue_close(&held);
	return ok;
}

static bool build_datapoints(struct action_run *run, struct input_built *b, char *err,
			     size_t size)
{
	struct action_args *a = (struct action_args *)run->args;
	double quiet = a->error_wait != OPT_UNSET ? a->error_wait : 5;
	enum payload_format format = a->msgpack ? FORMAT_MSGPACK : FORMAT_JSON;
	if (a->values) {
		/* the lines' values against the catalogue, where the codes name it */
		int line = 0;
		for (const cJSON *o = a->values->child; o; o = o->next) {
			line++;
			const char *cc = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, "componentCode"));
			const char *sc = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, "serviceCode"));
			const char *kc = cJSON_GetStringValue(
				cJSON_GetObjectItemCaseSensitive(o, "characteristicCode"));
			cJSON *unused = NULL;
			char why[400];
			if (cc && sc && kc &&
			    !datapoint_value(run, cc, sc, kc, NULL,
					     cJSON_GetObjectItemCaseSensitive(o, "value"), &unused, why,
					     sizeof(why)))
				return util_fail(err, size, "datapoint %d (of the lines with one): %s",
						 line, why);
		}
		cJSON *items = a->values;
		a->values = NULL;
		return inputs_datapoints(a->system, items, quiet, format, b, err, size);
	}
	cJSON *value;
	if (!datapoint_value(run, a->component, a->service, a->characteristic, a->value, NULL, &value,
			     err, size))
		return false;
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "componentCode", a->component);
	cJSON_AddStringToObject(o, "serviceCode", a->service);
	cJSON_AddStringToObject(o, "characteristicCode", a->characteristic);
	/* the time of the measurement: the reference recommends sending it */
	char when[40];
	time_format_iso8601(a->time ? time_parse_iso8601(a->time) : action_flow_now(&run->flow).wall,
			    when, sizeof(when));
	cJSON_AddStringToObject(o, "time", when);
	cJSON_AddItemToObject(o, "value", value);
	cJSON *items = cJSON_CreateArray();
	cJSON_AddItemToArray(items, o);
	return inputs_datapoints(a->system, items, quiet, format, b, err, size);
}

/* inputs_event_model_fits(), saying when the twin does not know the model. */
static bool event_model_fits(struct action_run *run, bool component, bool ended, char *err,
			     size_t size)
{
	const struct event_model *m = store_find_event_model(run->store, run->args->model);
	if (!KNOWN(m))
		say(run->args, "event model %s is not in the retained state: the platform judges it\n",
		    run->args->model);
	/* the entity first: a system's event may want a --component */
	if (!inputs_event_model_fits(m, component, false, err, size)) {
		size_t n = strlen(err);
		if (!component)
			snprintf(err + n, size - n, " (--component CODE names a component)");
		return false;
	}
	return inputs_event_model_fits(m, component, ended, err, size);
}

static bool build_event(struct action_run *run, struct input_built *b, char *err, size_t size)
{
	const struct action_args *a = run->args;
	double now = action_flow_now(&run->flow).wall;
	enum payload_format format = a->msgpack ? FORMAT_MSGPACK : FORMAT_JSON;
	double end = a->end_time ? time_parse_iso8601(a->end_time) : TIME_UNKNOWN;
	if (strcmp(a->name, "resolve-event") == 0) {
		const struct event *e = store_find_event(run->store, a->event);
		const struct event_model *m = KNOWN(e) && e->event_model_uuid
			? store_find_event_model(run->store, e->event_model_uuid) : NULL;
		if (!inputs_event_resolvable(a->event, e, m, err, size))
			return false;
		if (!config_in_scope(run->config, e->system_uuid))
			return util_fail(err, size, "event %s is of system %s, outside the scope",
					 a->event, e->system_uuid);
		bool component = e->entity_uuid && strcmp(e->entity_uuid, e->system_uuid) != 0;
		struct event_input d = { true, e->system_uuid, component ? e->entity_uuid : NULL,
					 e->event_model_uuid, a->event, e->time,
					 end != TIME_UNKNOWN ? end : fmax(now, e->time), format };
		return inputs_event(&d, b, err, size);
	}
	const char *component_uuid = NULL;
	if (a->component) {
		const struct system *s = action_flow_system(run->store, a->system);
		const struct component *c =
			s ? store_find_component(run->store, s->uuid, a->component) : NULL;
		if (!inputs_event_component(c, a->component, err, size))
			return false;
		component_uuid = c->uuid;
	}
	if (!event_model_fits(run, component_uuid != NULL, end != TIME_UNKNOWN, err, size))
		return false;
	/* a time always: the twin's event is told ours by it */
	struct event_input d = { false, a->system, component_uuid, a->model, NULL,
				 a->time ? time_parse_iso8601(a->time) : now, end, format };
	return inputs_event(&d, b, err, size);
}

static bool build_component(struct action_run *run, struct input_built *b, char *err, size_t size)
{
	const struct action_args *a = run->args;
	bool create = strcmp(a->name, "create-component") == 0;
	const struct system *s = action_flow_system(run->store, a->system);
	const struct component *c = KNOWN(s) ? store_find_component(run->store, s->uuid, a->component)
					      : NULL;
	if (!inputs_component_fits(create, KNOWN(s) ? s : NULL, c, a->component, err, size)) {
		size_t n = strlen(err);
		snprintf(err + n, size - n, " (%s)", create ? "update-component changes it"
							   : "create-component creates it");
		return false;
	}
	if (!KNOWN(s))
		say(a, "system %s is not in the retained state: the platform judges it\n", a->system);
	const struct component_model *m =
		a->model ? store_find_component_model(run->store, a->model) : NULL;
	if (a->model && !KNOWN(m))
		say(a, "component model %s is not in the retained state: the platform judges it\n",
		    a->model);
	struct component_input d = { create, a->system, a->component, a->model, a->new_name,
				     a->status, a->connection_state,
				     a->msgpack ? FORMAT_MSGPACK : FORMAT_JSON };
	return inputs_component(&d, b, err, size);
}

/* The platform inputs: built from the options and the twin, then queued. */
static struct request *build_input(struct action_run *run, char *err, size_t size)
{
	const struct action_args *a = run->args;
	struct input_built b;
	memset(&b, 0, sizeof(b));
	bool ok;
	if (strcmp(a->name, "update-system") == 0) {
		if (!KNOWN(store_find_system(run->store, a->system)))
			say(a, "system %s is not in the retained state: the platform judges it\n",
			    a->system);
		struct system_update d = { a->system, a->new_name, a->description, a->status,
					   a->connection_state,
					   a->msgpack ? FORMAT_MSGPACK : FORMAT_JSON };
		ok = inputs_system_update(&d, &b, err, size);
	} else if (strstr(a->name, "-component")) {
		ok = build_component(run, &b, err, size);
	} else if (strcmp(a->name, "publish-datapoint") == 0) {
		ok = build_datapoints(run, &b, err, size);
	} else {
		ok = build_event(run, &b, err, size);
	}
	struct request *q = ok ? requests_add_input(run->flow.requests, &b.in,
						     action_flow_now(&run->flow), err, size)
			       : NULL;
	input_built_free(&b);
	return q;
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
		/* never skipped silently: a characteristic the catalogue lacks,
		 * or no catalogue at all (validation off, and why) */
		if (!c && a->characteristic && strncmp(why, "not in ", 7) == 0)
			say(a, "%s/%s/%s is not in the catalogue of the component's model; sending the "
			       "value as typed\n",
			    a->component ? a->component : "?", a->service ? a->service : "?",
			    a->characteristic);
		else if (!c && a->characteristic)
			say(a, "%s/%s/%s: %s\n", a->component ? a->component : "?",
			    a->service ? a->service : "?", a->characteristic, why);
		struct setpoint_draft d = { a->system, a->component, a->service, a->characteristic,
					    a->value, c, a->msgpack ? FORMAT_MSGPACK : FORMAT_JSON };
		struct request *q = requests_add_setpoint(r, &d, now, err, size);
		action_catalogue_close(&catalogue);
		return q;
	}
	if (strcmp(a->name, "issue-token") != 0 && strcmp(a->name, "ack-event") != 0)
		return build_input(run, err, size);
	if (strcmp(a->name, "ack-event") == 0) {
		const char *system = a->system;
		const struct event *e = a->event ? store_find_event(run->store, a->event) : NULL;
		if (!system && e)
			system = e->system_uuid;
		return requests_add_event_ack(r, system, a->event, now, err, size);
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
	if (run->flow.catalogue_wanted)
		wait_catalogue(run, deadline);
	run->request = build_request(run, err, sizeof(err));
	if (!run->request) {
		fprintf(stderr, "drivr-console: refused before sending: %s\n", err);
		return EXIT_USAGE;
	}
	char offline[512];
	if (run->request->kind == REQUEST_SETPOINT &&
	    offline_setpoint_warning(run->store, run->request->system_uuid,
				     run->request->component_code, offline, sizeof(offline)))
		say(run->args, "warning: %s\n", offline);
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
	int status = exit_for(run->request, run->args->wait);
	print_outcome(run->request, run->args->quiet, status);
	if (!recorded) {
		fprintf(stderr, "drivr-console: audit log: %s — the outcome above stands, but it is not "
				"in the audit log\n", run->flow.audit_error);
		run->unrecorded = true;
	}
	/* 9 replaces 0 only: a failure the outcome already reports keeps its
	 * status (the record's failure is on stderr). */
	return status == EXIT_OK && run->unrecorded ? EXIT_UNRECORDED : status;
}

/* The files an action needs, before connecting: issue-token's --token-out
 * and user API token; the topic overrides.  A user token file others can
 * read is said (not refused). */
static void check_files(const struct command *cmd, const struct action_args *a,
			const struct config *config, struct topic_table *topics, struct problems *p)
{
	char err[600];
	if (!config_apply_topic_overrides(config, topics, err, sizeof(err)))
		problem(p, "%s", err);
	struct catalogue_query query;
	if (!catalogue_query_load(&query, config->catalogue_query, err, sizeof(err)))
		problem(p, "%s", err);
	catalogue_query_free(&query);
	if (!cmd->graphql)
		return;
	/* a --token-out that cannot take the JWT would leave a token on the
	 * platform nobody has */
	if (a->token_out && !graphql_check_jwt_path(a->token_out, false, err, sizeof(err)))
		problem(p, "--token-out: %s; nothing issued", err);
	/* read again by the call; here a missing token, or a file that cannot
	 * be read (missing, a device, over its limit), is a bad option */
	char *token = graphql_read_user_token(config->user_token_file, err, sizeof(err));
	if (!token)
		problem(p, "%s", err);
	secret_free(token);
	if (graphql_user_token_file_warning(config->user_token_file, err, sizeof(err)))
		say(a, "warning: %s\n", err);
}

int actions_main(int argc, char **argv)
{
	const struct command *cmd = find_command(argv[1]);
	struct action_args args;
	memset(&args, 0, sizeof(args));
	args.name = cmd->name;
	args.error_wait = OPT_UNSET;
	int status = EXIT_USAGE;
	struct config config;
	config_init(&config);
	char err[512];
	struct action_run run;
	memset(&run, 0, sizeof(run));
	struct problems problems = { NULL, 0 };

	/* Nothing connects before every option is checked: all that is wrong
	 * is said at once, exit 2. */
	parse_args(cmd, argc, argv, &args, &config, &problems);
	if (args.help) {
		print_command_help(cmd, "drivr-console", stdout);
		status = EXIT_OK;
		goto out;
	}
	check_args(cmd, &args, &problems);
	if (!config_load_file(&config, err, sizeof(err)) ||
	    !config_validate(&config, err, sizeof(err)))
		problem(&problems, "%s", err);
	else if (args.system && !config_in_scope(&config, args.system))
		/* the scope (a profile's system / systems-file) is what this
		 * operator may touch: refused before connecting */
		problem(&problems, "--system %s is outside the scope (%zu system%s: system, "
				   "systems-file)", args.system, config.scope_count,
			config.scope_count == 1 ? "" : "s");
	if (!problems.count && config.read_only) {
		fprintf(stderr, "drivr-console: %s refused: read-only mode\n", args.name);
		status = EXIT_READ_ONLY;
		goto out;
	}
	run.topics = topics_new();
	if (!config.read_only)
		check_files(cmd, &args, &config, run.topics, &problems);
	if (problems.count) {
		for (size_t i = 0; i < problems.count; i++)
			fprintf(stderr, "drivr-console %s: %s\n", cmd->name, problems.lines[i]);
		goto out;
	}
	run.config = &config;
	run.args = &args;
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
	/* the value checks read the session's catalogue (GraphQL) */
	run.flow.catalogue_wanted = strcmp(cmd->name, "set-setpoint") == 0 ||
				    strcmp(cmd->name, "publish-datapoint") == 0;
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
	problems_free(&problems);
	opt_free(&action_options, &args);
	cJSON_Delete(args.values);
	config_free(&config);
	return status;
}
