/* config — see include/config.h. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "exitstatus.h"
#include "ini.h"
#include "logformat.h"
#include "requests.h" /* requests_check_uuid: the one UUID rule */
#include "store.h" /* STORE_DEFAULT_*: the table's defaults the store shares */
#include "topics.h"
#include "url.h"
#include "util.h"

static const struct opt_def option_defs[] = {
#define X(field, name, sh, type, arg, def, min, max, flags, help) \
	{ name, sh, OPT_##type, arg, def, min, max, flags, help, offsetof(struct config, field) },
	CONFIG_OPTION_LIST(X)
#undef X
};

const struct opt_table config_options = {
	"Usage: %s [OPTIONS] -s SLUG\n"
	"       %s set-setpoint|ack-event|issue-token ... (docs/actions.md)\n"
	"Live console for a DRIVR domain over MQTT (full screen, or --log / --snapshot).\n",
	option_defs, ARRAY_LEN(option_defs)
};

void config_init(struct config *config)
{
	memset(config, 0, sizeof(*config));
	opt_defaults(&config_options, config);
}

static void scope_clear(struct config *config)
{
	for (size_t i = 0; i < config->scope_count; i++)
		free(config->scope[i]);
	free(config->scope);
	config->scope = NULL;
	config->scope_count = 0;
}

void config_free(struct config *config)
{
	opt_free(&config_options, config);
	for (size_t i = 0; i < config->topic_override_count; i++) {
		free(config->topic_overrides[i].row);
		free(config->topic_overrides[i].pattern);
		free(config->topic_overrides[i].where);
	}
	free(config->topic_overrides);
	scope_clear(config);
	memset(config, 0, sizeof(*config));
}

bool config_parse_args(struct config *config, int argc, char **argv, char *err, size_t err_size)
{
	return opt_parse_args(&config_options, config, argc, argv, config->set_on_command_line, err,
			      err_size);
}

/* Expands a leading "~/" with $HOME, for paths in config files. */
static char *expand_home(const char *value)
{
	const char *home = getenv("HOME");
	if (value[0] != '~' || value[1] != '/' || !home)
		return xstrdup(value);
	size_t n = strlen(home) + strlen(value);
	char *out = xmalloc(n);
	snprintf(out, n, "%s%s", home, value + 1);
	return out;
}

/* The config file's reader state: which section applies (ini.h reads). */
struct file_reader {
	struct config *config;
	const char *filename;
	enum { SECTION_TOP, SECTION_OUR_PROFILE, SECTION_OTHER, SECTION_TOPICS } section;
	bool profile_found;
};

static bool on_section(void *ctx, const char *name, char *why, size_t why_size)
{
	struct file_reader *r = ctx;
	if (strcmp(name, "topics") == 0) {
		r->section = SECTION_TOPICS;
	} else if (strncmp(name, "profile", 7) == 0 && isspace((unsigned char)name[7])) {
		const char *pname = name + 8;
		while (isspace((unsigned char)*pname))
			pname++;
		bool ours = r->config->profile && strcmp(pname, r->config->profile) == 0;
		r->section = ours ? SECTION_OUR_PROFILE : SECTION_OTHER;
		r->profile_found |= ours;
	} else {
		snprintf(why, why_size, "unknown section [%s] (use [profile NAME] or [topics])", name);
		return false;
	}
	return true;
}

static void add_topic_override(struct file_reader *r, const char *row, const char *pattern,
			       size_t line)
{
	struct config *c = r->config;
	c->topic_overrides = xrealloc(c->topic_overrides,
				      (c->topic_override_count + 1) * sizeof(*c->topic_overrides));
	struct config_topic_override *o = &c->topic_overrides[c->topic_override_count++];
	o->row = xstrdup(row);
	o->pattern = xstrdup(pattern);
	char where[512];
	snprintf(where, sizeof(where), "%s:%zu", r->filename, line);
	o->where = xstrdup(where);
}

static bool on_key(void *ctx, const struct ini_line *line, char *why, size_t why_size)
{
	struct file_reader *r = ctx;
	const char *key = line->key, *value = line->value;
	if (r->section == SECTION_OTHER)
		return true;
	if (r->section == SECTION_TOPICS) {
		add_topic_override(r, key, value, line->number);
		return true;
	}
	const struct opt_def *def = opt_find(&config_options, key, strlen(key));
	if (!def || (def->flags & OPT_CLI_ONLY)) {
		snprintf(why, why_size, "unknown key \"%s\"", key);
		return false;
	}
	if (r->config->set_on_command_line[def - config_options.defs])
		return true;
	char *expanded = def->type == OPT_FLAG ? xstrdup(value) : expand_home(value);
	bool ok = opt_set(def, r->config, expanded, why, why_size);
	free(expanded);
	return ok;
}

static bool parse_text(struct config *config, const char *text, size_t len, const char *filename,
		       char *err, size_t err_size)
{
	struct file_reader r = { config, filename, SECTION_TOP, !config->profile };
	const struct ini_reader reader = { on_section, on_key, "key = value", &r };
	if (!ini_parse(text, len, filename, &reader, err, err_size))
		return false;
	if (!r.profile_found) {
		snprintf(err, err_size, "%s: no [profile %s] section", filename, config->profile);
		return false;
	}
	return true;
}

bool config_parse_text(struct config *config, const char *text, const char *filename, char *err,
		       size_t err_size)
{
	return parse_text(config, text, strlen(text), filename, err, err_size);
}

static char *default_config_path(void)
{
	const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
	char path[4096];
	if (xdg && *xdg)
		snprintf(path, sizeof(path), "%s/drivr-console/config", xdg);
	else if (home && *home)
		snprintf(path, sizeof(path), "%s/.config/drivr-console/config", home);
	else
		return NULL;
	return xstrdup(path);
}

bool config_load_file(struct config *config, char *err, size_t err_size)
{
	bool explicit_file = config->config_file != NULL;
	char *path = explicit_file ? xstrdup(config->config_file) : default_config_path();
	if (!path) {
		if (config->profile) {
			snprintf(err, err_size, "--profile %s: no config file (HOME is not set)",
				 config->profile);
			return false;
		}
		return true;
	}
	size_t len;
	char *text = util_read_file(path, LIMIT_CONFIG_FILE,
				    explicit_file ? "--config" : "config file", &len, err, err_size);
	if (!text) {
		/* Only a missing default file is fine. */
		bool fine = !explicit_file && !config->profile && errno == ENOENT;
		free(path);
		return fine;
	}
	bool ok = parse_text(config, text, len, path, err, err_size);
	free(text);
	free(path);
	return ok;
}

/* Fills host / port from the URL (include/url.h).  --host and --port given
 * on the command line win over the URL's, as they win over the file's: a
 * profile's url with a one-off -p must not silently ignore the -p. */
static bool apply_url(struct config *config, char *err, size_t err_size)
{
	struct broker_url url;
	char why[512];
	if (!url_parse(config->url, &url, why, sizeof(why))) {
		snprintf(err, err_size, "--url %s", why);
		return false;
	}
	if (!config->set_on_command_line[CONFIG_OPT_host] || !config->host) {
		free(config->host);
		config->host = xstrdup(url.host);
	}
	if (url.port && !config->set_on_command_line[CONFIG_OPT_port])
		config->port = url.port;
	return true;
}

/* --host as given (or taken from the URL): checked, brackets dropped, so
 * "[::1]" and "::1" are the same host to everything after. */
static bool normalise_host(struct config *config, char *err, size_t err_size)
{
	char host[URL_HOST_MAX], why[512];
	if (!url_parse_host(config->host, host, sizeof(host), why, sizeof(why))) {
		snprintf(err, err_size, "--host %s", why);
		return false;
	}
	if (strcmp(host, config->host) != 0) {
		free(config->host);
		config->host = xstrdup(host);
	}
	return true;
}

bool config_uses_tls(const struct config *config)
{
	struct broker_url url;
	return (config->url && url_parse(config->url, &url, NULL, 0) && url.tls) || config->cafile ||
	       config->capath || config->cert || config->key;
}

/* --speed N|max (N: a factor of the recorded pace); --record. */
static bool validate_replay(struct config *config, char *err, size_t err_size)
{
	config->speed_factor = 0;
	if (config->speed && strcmp(config->speed, "max") != 0) {
		char *end;
		double v = strtod(config->speed, &end);
		if (end == config->speed || *end || !(v >= 0.01 && v <= 10000)) {
			snprintf(err, err_size, "--speed: \"%s\" is not max or a number from 0.01 to 10000",
				 config->speed);
			return false;
		}
		config->speed_factor = v;
	}
	if (config->speed_factor > 0 && !config->replay) {
		snprintf(err, err_size, "--speed needs --replay");
		return false;
	}
	if (config->record && (config->log || config->snapshot || config->dump_screen)) {
		snprintf(err, err_size, "--record is for the full-screen console (--log writes the "
					"same lines to stdout)");
		return false;
	}
	return true;
}

/* The console's options: frame rate, --size, --clock, --dump-screen. */
static bool validate_console(struct config *config, char *err, size_t err_size)
{
	config->size_cols = config->size_rows = 0;
	if (config->size) {
		char *x = strchr(config->size, 'x'), *end;
		long cols = strtol(config->size, &end, 10);
		long rows = x && end == x ? strtol(x + 1, &end, 10) : 0;
		if (!x || *end || cols < 20 || rows < 6 || cols > 1000 || rows > 1000) {
			snprintf(err, err_size, "--size: \"%s\" is not COLSxROWS (20x6 to 1000x1000)",
				 config->size);
			return false;
		}
		config->size_cols = (int)cols;
		config->size_rows = (int)rows;
	}
	if (config->clock && time_parse_iso8601(config->clock) == TIME_UNKNOWN) {
		snprintf(err, err_size, "--clock: \"%s\" is not an ISO-8601 time", config->clock);
		return false;
	}
	if (config->dump_screen && !config->replay) {
		snprintf(err, err_size, "--dump-screen needs --replay (it runs without a broker)");
		return false;
	}
	if (!validate_replay(config, err, err_size))
		return false;
	return true;
}

/* One UUID into the scope, checked (repeats are dropped by scope_dedupe).
 * where: "--system" or "FILE:LINE". */
static bool scope_add(struct config *config, const char *uuid, const char *where, char *err,
		      size_t err_size)
{
	char why[256];
	if (!requests_check_uuid(uuid, why, sizeof(why)))
		return util_fail(err, err_size, "%s: %s", where, why);
	size_t n = config->scope_count;
	if (!(n & (n - 1))) /* 0, 1, 2, 4, ...: doubled */
		config->scope = xrealloc(config->scope, (n ? 2 * n : 1) * sizeof(*config->scope));
	config->scope[config->scope_count++] = xstrdup(uuid);
	return true;
}

struct scope_entry {
	const char *uuid;
	size_t at; /* its place in the order given */
};

static int scope_order(const void *a, const void *b)
{
	const struct scope_entry *x = a, *y = b;
	int c = strcmp(x->uuid, y->uuid);
	return c ? c : (x->at > y->at) - (x->at < y->at);
}

/* Drops repeated UUIDs, keeping the first of each and the order given;
 * through a sorted copy, so a file of 100 000 UUIDs is not compared
 * pairwise. */
static void scope_dedupe(struct config *config)
{
	size_t n = config->scope_count, kept = 0;
	if (n < 2)
		return;
	struct scope_entry *sorted = xmalloc(n * sizeof(*sorted));
	bool *repeat = xcalloc(n, sizeof(*repeat));
	for (size_t i = 0; i < n; i++)
		sorted[i] = (struct scope_entry){ config->scope[i], i };
	qsort(sorted, n, sizeof(*sorted), scope_order);
	for (size_t i = 1; i < n; i++)
		if (!strcmp(sorted[i].uuid, sorted[i - 1].uuid))
			repeat[sorted[i].at] = true;
	for (size_t i = 0; i < n; i++) {
		if (repeat[i])
			free(config->scope[i]);
		else
			config->scope[kept++] = config->scope[i];
	}
	config->scope_count = kept;
	free(sorted);
	free(repeat);
}

/* --systems-file: one UUID a line; blank lines and # comments (whole line
 * or after the UUID) skipped; spaces around the UUID ignored. */
static bool scope_read_file(struct config *config, char *err, size_t err_size)
{
	size_t len;
	char *text = util_read_file(config->systems_file, LIMIT_SYSTEMS_FILE, "--systems-file", &len,
				    err, err_size);
	if (!text)
		return false;
	bool ok = !memchr(text, '\0', len);
	if (!ok)
		util_fail(err, err_size, "--systems-file %s: a NUL byte (not a text file)",
			  config->systems_file);
	size_t line = 0, entries = 0;
	for (char *p = text; ok && p < text + len;) {
		char *end = memchr(p, '\n', (size_t)(text + len - p));
		char *next = end ? end + 1 : text + len;
		if (end)
			*end = '\0';
		line++;
		char *hash = strchr(p, '#');
		if (hash)
			*hash = '\0';
		while (isspace((unsigned char)*p))
			p++;
		size_t n = strlen(p);
		while (n && isspace((unsigned char)p[n - 1]))
			p[--n] = '\0';
		if (n) {
			char where[512];
			snprintf(where, sizeof(where), "--systems-file %s:%zu", config->systems_file, line);
			ok = scope_add(config, p, where, err, err_size);
			entries++;
		}
		p = next;
	}
	free(text);
	if (ok && !entries)
		ok = util_fail(err, err_size,
			       "--systems-file %s: no UUID in it (an empty scope would show nothing)",
			       config->systems_file);
	return ok;
}

/* --system and --systems-file → config->scope. */
static bool validate_scope(struct config *config, char *err, size_t err_size)
{
	scope_clear(config);
	for (size_t i = 0; i < config->systems.n; i++)
		if (!scope_add(config, config->systems.v[i], "--system", err, err_size))
			return false;
	if (config->systems_file && !scope_read_file(config, err, err_size))
		return false;
	scope_dedupe(config);
	if (!config->scope_count)
		return true;
	if (config->single_subscription)
		return util_fail(err, err_size, "--system / --systems-file scope the staged load: "
						"not with --single-subscription");
	if (config->replay)
		return util_fail(err, err_size, "--system / --systems-file choose what to subscribe: "
						"not with --replay (no broker)");
	return true;
}

bool config_in_scope(const struct config *config, const char *uuid)
{
	if (!config->scope_count)
		return true;
	for (size_t i = 0; i < config->scope_count; i++)
		if (uuid && strcmp(config->scope[i], uuid) == 0)
			return true;
	return false;
}

/* --share GROUP: only where the live stream is split between consumers
 * (a console or a snapshot needs all of it), over the staged load (its
 * live stage is what is shared), and GROUP one topic level (MQTT 5 §4.8.2:
 * a share name holds no '/', '+' or '#'). */
static bool validate_share(const struct config *config, char *err, size_t err_size)
{
	if (!config->share)
		return true;
	if (!config->log || config->replay) {
		snprintf(err, err_size, "--share is for --log from a broker (not the console, "
					"--snapshot, --print-topics or --replay)");
		return false;
	}
	if (config->single_subscription) {
		snprintf(err, err_size, "--share needs the staged load: its live stage is what is "
					"shared (not --single-subscription)");
		return false;
	}
	if (!*config->share || strpbrk(config->share, "/+#")) {
		snprintf(err, err_size, "--share: \"%s\" must be one non-empty topic level",
			 config->share);
		return false;
	}
	return true;
}

bool config_validate(struct config *config, char *err, size_t err_size)
{
	if (config->url && !apply_url(config, err, err_size))
		return false;
	if (!normalise_host(config, err, err_size))
		return false;
	if (config->port < 0)
		config->port = config_uses_tls(config) ? 8883 : 1883;
	if (config->port < 1 || config->port > 65535) {
		snprintf(err, err_size, "--port: %ld is not a TCP port", config->port);
		return false;
	}
	if (!validate_console(config, err, err_size))
		return false;
	int modes = config->log + config->snapshot + config->print_topics;
	if (modes > 1) {
		snprintf(err, err_size, "--log, --snapshot and --print-topics exclude each other");
		return false;
	}
	struct logformat format;
	if (!logformat_parse(&format, config->format, err, err_size))
		return false;
	logformat_free(&format);
	if (format.kind != LOGFORMAT_JSON && !config->log) {
		snprintf(err, err_size, "--format %s is for --log", config->format);
		return false;
	}
	if (!validate_share(config, err, err_size))
		return false;
	if (config->stats_file && (modes || config->dump_screen)) {
		snprintf(err, err_size, "--stats-file is for the full-screen console "
					"(not --log, --snapshot, --print-topics, --dump-screen)");
		return false;
	}
	if (!config->slug && !config->print_topics && !config->replay) {
		snprintf(err, err_size, "missing --slug (the DRIVR domain, e.g. -s adam)");
		return false;
	}
	if (config->slug && (!*config->slug || strpbrk(config->slug, "/+#"))) {
		snprintf(err, err_size, "--slug: \"%s\" must be one non-empty topic level",
			 config->slug);
		return false;
	}
	if ((config->cert && !config->key) || (config->key && !config->cert)) {
		snprintf(err, err_size, "--cert and --key go together");
		return false;
	}
	if (config->keep_session && !config->client_id) {
		snprintf(err, err_size, "--keep-session needs a stable client id (-i ID)");
		return false;
	}
	if (config->will_payload && !config->will_topic) {
		snprintf(err, err_size, "--will-payload needs --will-topic");
		return false;
	}
	if (!validate_scope(config, err, err_size))
		return false;
	return true;
}

enum config_mode config_mode(const struct config *config)
{
	if (config->print_topics)
		return MODE_PRINT_TOPICS;
	if (config->log)
		return MODE_LOG;
	if (config->snapshot)
		return MODE_SNAPSHOT;
	return MODE_CONSOLE;
}

void config_print_help(const char *program, FILE *out)
{
	opt_print_help(&config_options, program, out);
	exit_status_print_help(EXIT_STATUS_ALL, out);
	fprintf(out, "  (3 to 7 and 9: the actions, docs/actions.md; the console also 8 and 9.)\n");
}

bool config_apply_topic_overrides(const struct config *config, struct topic_table *table,
				  char *err, size_t err_size)
{
	char why[512];
	for (size_t i = 0; i < config->topic_override_count; i++) {
		const struct config_topic_override *o = &config->topic_overrides[i];
		if (!topics_override(table, o->row, o->pattern, why, sizeof(why))) {
			snprintf(err, err_size, "%s: %s", o->where, why);
			return false;
		}
	}
	if (config->topics_file && !topics_load_file(table, config->topics_file, err, err_size))
		return false;
	return true;
}

void config_memory_split(const struct config *config, size_t *inbox_bytes, size_t *store_bytes)
{
	size_t total = (size_t)config->max_memory << 20;
	*inbox_bytes = total / 8;
	*store_bytes = total - *inbox_bytes;
}
