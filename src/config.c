/* config — see include/config.h. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "topics.h"
#include "url.h"
#include "util.h"

enum option_index {
#define X(field, name, shortopt, kind, arg, help) OPT_##field,
	CONFIG_OPTION_LIST(X)
#undef X
	OPT_COUNT
};

struct option_def {
	const char *name;
	char short_name;
	enum config_kind kind;
	const char *arg;
	const char *help;
	size_t offset;
};

static const struct option_def options[] = {
#define X(field, name, shortopt, kind, arg, help) \
	{ name, shortopt, CONFIG_##kind, arg, help, offsetof(struct config, field) },
	CONFIG_OPTION_LIST(X)
#undef X
};

_Static_assert(OPT_COUNT <= 64, "set_on_command_line is too small");

void config_init(struct config *config)
{
	memset(config, 0, sizeof(*config));
	config->port = -1; /* chosen from TLS use in config_validate */
	config->count = -1;
	config->timeout = -1;
	config->settle = 0.5;
	config->load_budget = 500;
	config->keepalive = 30;
	config->history = 120;
	config->max_series = 200000;
	config->max_memory = CONFIG_DEFAULT_MAX_MEMORY_MIB;
	config->fps = 20;
	config->stale = 300;
	config->stuck = 60;
}

void config_free(struct config *config)
{
	for (size_t i = 0; i < OPT_COUNT; i++)
		if (options[i].kind == CONFIG_STR)
			free(*(char **)((char *)config + options[i].offset));
	for (size_t i = 0; i < config->topic_override_count; i++) {
		free(config->topic_overrides[i].row);
		free(config->topic_overrides[i].pattern);
		free(config->topic_overrides[i].where);
	}
	free(config->topic_overrides);
	memset(config, 0, sizeof(*config));
}

static const struct option_def *find_long(const char *name, size_t len)
{
	for (size_t i = 0; i < OPT_COUNT; i++)
		if (strlen(options[i].name) == len && strncmp(options[i].name, name, len) == 0)
			return &options[i];
	return NULL;
}

static const struct option_def *find_short(char c)
{
	for (size_t i = 0; i < OPT_COUNT; i++)
		if (options[i].short_name == c)
			return &options[i];
	return NULL;
}

/* Stores one option's value; value is NULL for flags. */
static bool set_option(struct config *config, const struct option_def *opt, const char *value,
		       char *err, size_t err_size)
{
	void *field = (char *)config + opt->offset;
	char *end;
	switch (opt->kind) {
	case CONFIG_FLAG:
		*(bool *)field = true;
		return true;
	case CONFIG_STR:
		free(*(char **)field);
		*(char **)field = xstrdup(value);
		return true;
	case CONFIG_INT: {
		errno = 0;
		long v = strtol(value, &end, 10);
		if (errno || end == value || *end || v < 0) {
			snprintf(err, err_size, "--%s: \"%s\" is not a non-negative integer",
				 opt->name, value);
			return false;
		}
		*(long *)field = v;
		return true;
	}
	case CONFIG_NUM: {
		errno = 0;
		double v = strtod(value, &end);
		if (errno || end == value || *end || !isfinite(v) || v < 0) {
			snprintf(err, err_size, "--%s: \"%s\" is not a number of seconds", opt->name,
				 value);
			return false;
		}
		*(double *)field = v;
		return true;
	}
	}
	return false;
}

bool config_parse_args(struct config *config, int argc, char **argv, char *err, size_t err_size)
{
	for (int i = 1; i < argc; i++) {
		const char *arg = argv[i];
		const struct option_def *opt = NULL;
		const char *value = NULL;
		if (strcmp(arg, "--help") == 0) {
			config->help = true;
			continue;
		}
		if (strcmp(arg, "--version") == 0) {
			config->version = true;
			continue;
		}
		if (arg[0] == '-' && arg[1] == '-' && arg[2]) {
			const char *name = arg + 2, *eq = strchr(name, '=');
			size_t len = eq ? (size_t)(eq - name) : strlen(name);
			opt = find_long(name, len);
			if (!opt) {
				snprintf(err, err_size, "unknown option --%.*s (see --help)", (int)len,
					 name);
				return false;
			}
			if (eq)
				value = eq + 1;
			if (eq && opt->kind == CONFIG_FLAG) {
				snprintf(err, err_size, "--%s takes no value", opt->name);
				return false;
			}
		} else if (arg[0] == '-' && arg[1] && !arg[2]) {
			opt = find_short(arg[1]);
			if (!opt) {
				snprintf(err, err_size, "unknown option %s (see --help)", arg);
				return false;
			}
		} else {
			snprintf(err, err_size, "unexpected argument \"%s\" (see --help)", arg);
			return false;
		}
		if (opt->kind != CONFIG_FLAG && !value) {
			if (i + 1 >= argc) {
				snprintf(err, err_size, "--%s needs a value (%s)", opt->name, opt->arg);
				return false;
			}
			value = argv[++i];
		}
		if (!set_option(config, opt, value, err, err_size))
			return false;
		config->set_on_command_line[opt - options] = true;
	}
	return true;
}

static char *trim(char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	size_t n = strlen(s);
	while (n && isspace((unsigned char)s[n - 1]))
		s[--n] = '\0';
	return s;
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

bool config_parse_text(struct config *config, const char *text, const char *filename, char *err,
		       size_t err_size)
{
	enum { SECTION_TOP, SECTION_OUR_PROFILE, SECTION_OTHER, SECTION_TOPICS } section = SECTION_TOP;
	bool profile_found = !config->profile;
	char *copy = xstrdup(text), *save = NULL;
	int line_no = 0;
	bool ok = true;
	/* strtok_r would skip empty lines and miscount: walk lines by hand. */
	for (char *line = copy; line && ok; line = save) {
		char *nl = strchr(line, '\n');
		save = nl ? nl + 1 : NULL;
		if (nl)
			*nl = '\0';
		line_no++;
		char *s = trim(line);
		if (!*s || *s == ';' || (*s == '#' && (s[1] == ' ' || s[1] == '\0' || s[1] == '#')))
			continue;
		if (*s == '[') {
			char *close = strchr(s, ']');
			if (!close || close[1]) {
				snprintf(err, err_size, "%s:%d: malformed section header", filename, line_no);
				ok = false;
				break;
			}
			*close = '\0';
			char *name = trim(s + 1);
			if (strcmp(name, "topics") == 0) {
				section = SECTION_TOPICS;
			} else if (strncmp(name, "profile", 7) == 0 && isspace((unsigned char)name[7])) {
				char *pname = trim(name + 8);
				bool ours = config->profile && strcmp(pname, config->profile) == 0;
				section = ours ? SECTION_OUR_PROFILE : SECTION_OTHER;
				profile_found |= ours;
			} else {
				snprintf(err, err_size,
					 "%s:%d: unknown section [%s] (use [profile NAME] or [topics])",
					 filename, line_no, name);
				ok = false;
			}
			continue;
		}
		char *eq = strchr(s, '=');
		if (!eq) {
			snprintf(err, err_size, "%s:%d: expected \"key = value\"", filename, line_no);
			ok = false;
			break;
		}
		*eq = '\0';
		char *key = trim(s), *value = trim(eq + 1);
		if (section == SECTION_OTHER)
			continue;
		if (section == SECTION_TOPICS) {
			config->topic_overrides =
				xrealloc(config->topic_overrides, (config->topic_override_count + 1) *
									  sizeof(*config->topic_overrides));
			struct config_topic_override *o =
				&config->topic_overrides[config->topic_override_count++];
			o->row = xstrdup(key);
			o->pattern = xstrdup(value);
			char where[512];
			snprintf(where, sizeof(where), "%s:%d", filename, line_no);
			o->where = xstrdup(where);
			continue;
		}
		const struct option_def *opt = find_long(key, strlen(key));
		if (!opt || opt == &options[OPT_profile] || opt == &options[OPT_config_file]) {
			snprintf(err, err_size, "%s:%d: unknown key \"%s\"", filename, line_no, key);
			ok = false;
			break;
		}
		if (config->set_on_command_line[opt - options])
			continue;
		if (opt->kind == CONFIG_FLAG) {
			if (strcmp(value, "true") && strcmp(value, "false") && strcmp(value, "yes") &&
			    strcmp(value, "no")) {
				snprintf(err, err_size, "%s:%d: %s must be true or false", filename,
					 line_no, key);
				ok = false;
				break;
			}
			*(bool *)((char *)config + opt->offset) =
				strcmp(value, "true") == 0 || strcmp(value, "yes") == 0;
			continue;
		}
		char *expanded = expand_home(value);
		char msg[256];
		if (!set_option(config, opt, expanded, msg, sizeof(msg))) {
			snprintf(err, err_size, "%s:%d: %s", filename, line_no, msg);
			ok = false;
		}
		free(expanded);
	}
	free(copy);
	if (ok && !profile_found) {
		snprintf(err, err_size, "%s: no [profile %s] section", filename, config->profile);
		ok = false;
	}
	return ok;
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
	char *text = util_read_file(path, LIMIT_CONFIG_FILE,
				    explicit_file ? "--config" : "config file", NULL, err, err_size);
	if (!text) {
		/* Only a missing default file is fine. */
		bool fine = !explicit_file && !config->profile && errno == ENOENT;
		free(path);
		return fine;
	}
	bool ok = config_parse_text(config, text, path, err, err_size);
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
	if (!config->set_on_command_line[OPT_host] || !config->host) {
		free(config->host);
		config->host = xstrdup(url.host);
	}
	if (url.port && !config->set_on_command_line[OPT_port])
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

/* The console's options: frame rate, --size, --clock, --dump-screen. */
static bool validate_console(struct config *config, char *err, size_t err_size)
{
	if (config->fps < 1 || config->fps > 1000) {
		snprintf(err, err_size, "--fps: %ld is not between 1 and 1000", config->fps);
		return false;
	}
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
	return true;
}

bool config_validate(struct config *config, char *err, size_t err_size)
{
	if (config->url && !apply_url(config, err, err_size))
		return false;
	if (!config->host)
		config->host = xstrdup("localhost");
	if (!normalise_host(config, err, err_size))
		return false;
	if (config->port < 0)
		config->port = config_uses_tls(config) ? 8883 : 1883;
	if (config->port < 1 || config->port > 65535) {
		snprintf(err, err_size, "--port: %ld is not a TCP port", config->port);
		return false;
	}
	if (config->protocol && strcmp(config->protocol, "311") && strcmp(config->protocol, "5") &&
	    strcmp(config->protocol, "mqttv311") && strcmp(config->protocol, "mqttv5")) {
		snprintf(err, err_size, "--protocol-version: \"%s\" (use 311 or 5)", config->protocol);
		return false;
	}
	if (!validate_console(config, err, err_size))
		return false;
	int modes = config->log + config->snapshot + config->print_topics;
	if (modes > 1) {
		snprintf(err, err_size, "--log, --snapshot and --print-topics exclude each other");
		return false;
	}
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
	if (config->max_memory < 4 || config->max_memory > (1L << 20)) {
		snprintf(err, err_size, "--max-memory: from 4 to 1048576 MiB");
		return false;
	}
	if (config->history > 100000) {
		snprintf(err, err_size, "--history: at most 100000 samples");
		return false;
	}
	/* 2 s at least: the watchdog checks at a fraction of it (mqtt.h);
	 * 65535 is MQTT's own limit. */
	if (config->keepalive < 2 || config->keepalive > 65535) {
		snprintf(err, err_size, "--keepalive: %ld is not between 2 and 65535 seconds",
			 config->keepalive);
		return false;
	}
	if (config->load_budget < 1 || config->load_budget > 1000000) {
		snprintf(err, err_size, "--load-budget: %ld is not between 1 and 1000000",
			 config->load_budget);
		return false;
	}
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
	fprintf(out,
		"Usage: %s [OPTIONS] -s SLUG\n"
		"Live console for a DRIVR domain over MQTT (full screen, or --log / --snapshot).\n\n",
		program);
	for (size_t i = 0; i < OPT_COUNT; i++) {
		const struct option_def *o = &options[i];
		char left[64];
		if (o->short_name)
			snprintf(left, sizeof(left), "-%c, --%s%s%s", o->short_name, o->name,
				 o->arg ? " " : "", o->arg ? o->arg : "");
		else
			snprintf(left, sizeof(left), "    --%s%s%s", o->name, o->arg ? " " : "",
				 o->arg ? o->arg : "");
		fprintf(out, "  %-34s %s\n", left, o->help);
	}
	fprintf(out, "  %-34s %s\n  %-34s %s\n", "    --help", "show this help and exit",
		"    --version", "show the version and exit");
	fprintf(out, "\nExit status: 0 ok, 1 connection failed, 2 bad options.\n");
	/* The actions' own statuses (docs/actions.md, include/actions.h). */
	fprintf(out, "Actions (set-setpoint, ack-event, issue-token) also: 3 rejected by the device, "
		     "4 error reply,\n5 timed out, 6 refused by --read-only, 7 refused by the broker, 9 done but its "
		     "audit line\n(or issue-token's --token-out: the JWT then on stdout) not written — "
		     "9 replaces 0 only.\n");
	fprintf(out, "The console also: 9 when an audit line could not be written.\n");
	fprintf(out, "--snapshot and --log also: 8 incomplete (--snapshot: cut short by --timeout, "
		     "nothing for the\nslug, subscriptions refused, ...; --log: messages dropped): "
		     "the reasons on stderr.\n");
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
