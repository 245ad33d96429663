/* config — every option of drivr-console in one table, read from the config
 * file's profiles and from the command line (the command line wins).
 *
 * The table (CONFIG_OPTION_LIST) drives parsing, defaults, bounds, --help
 * and docs: an option is added in one place; the engine is optable.h.  Config file (docs/configuration.md):
 *
 *     # top-level keys apply to every profile
 *     slug = adam
 *     [profile prod]
 *     url = mqtts://mqtt.drivr.cloud:8883
 *     cafile = ~/drivr/ca.pem
 *     [topics]
 *     setpoint_input = drivr/v1/{slug}/input/setpoint/{systemUuid}/{fmt}
 *
 * Keys are the long option names.  Pure module except config_load_file(). */
#ifndef DRIVR_CONFIG_H
#define DRIVR_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "optable.h"

enum config_mode { MODE_CONSOLE, MODE_LOG, MODE_SNAPSHOT, MODE_PRINT_TOPICS };

/* X(field, long name, short char or 0, type, argument, default, min, max,
 *   flags, help) — one row per option (include/optable.h has the types).
 * Defaults are here only (the store's from store.h, which it uses too:
 * config.c includes it where the table is expanded);
 * --help prints them and the bounds from this table.  No default: the
 * string is NULL, the number OPT_UNSET (port: chosen from TLS use; count,
 * timeout: none). */
#define CONFIG_STR_(x) #x
#define CONFIG_STR(x) CONFIG_STR_(x)
#define CONFIG_OPTION_LIST(X)                                                                   \
	X(host, "host", 'h', STRING, "HOST", "localhost", 0, 0, 0, "broker host")              \
	X(port, "port", 'p', INT, "PORT", NULL, 1, 65535, 0,                                    \
	  "broker port; not given: 1883, or 8883 with TLS")                                         \
	X(url, "url", 'L', STRING, "URL", NULL, 0, 0, 0,                                       \
	  "broker as mqtt[s]://host[:port], [v6] too (docs/configuration.md)")                 \
	X(client_id, "id", 'i', STRING, "ID", NULL, 0, 0, 0,                                   \
	  "client id (default drivr-console-<host>-<pid>)")                                    \
	X(protocol, "protocol-version", 'V', ENUM, "311|5", "311", 0, 0, 0, "MQTT version")      \
	X(slug, "slug", 's', STRING, "SLUG", NULL, 0, 0, 0,                                    \
	  "DRIVR domain slug (topics drivr/v1/<slug>/...)")                                    \
	X(cafile, "cafile", 0, STRING, "FILE", NULL, 0, 0, 0,                                  \
	  "CA certificate(s) to verify the broker (PEM)")                                      \
	X(capath, "capath", 0, STRING, "DIR", NULL, 0, 0, 0, "directory of CA certificates")   \
	X(cert, "cert", 0, STRING, "FILE", NULL, 0, 0, 0, "client certificate (PEM)")          \
	X(key, "key", 0, STRING, "FILE", NULL, 0, 0, 0,                                        \
	  "client private key (PEM, may be encrypted)")                                        \
	X(key_pass_file, "key-pass-file", 0, STRING, "FILE", NULL, 0, 0, 0,                    \
	  "file holding the key passphrase (or env DRIVR_KEY_PASSPHRASE)")                     \
	X(insecure, "insecure", 0, FLAG, NULL, NULL, 0, 0, 0,                                  \
	  "do not verify the broker's certificate and host name")                              \
	/* 2 s at least: the watchdog checks at a fraction of it (mqtt.h); 65535 is MQTT's */   \
	X(keepalive, "keepalive", 0, INT, "S", "30", 2, 65535, 0,                              \
	  "MQTT keep-alive in seconds; a silent broker is noticed within 1.5 S")               \
	X(will_topic, "will-topic", 0, STRING, "TOPIC", NULL, 0, 0, 0,                         \
	  "register a Last Will on this topic")                                                \
	X(will_payload, "will-payload", 0, STRING, "TEXT", NULL, 0, 0, 0,                      \
	  "payload of the Last Will")                                                          \
	X(profile, "profile", 0, STRING, "NAME", NULL, 0, 0, OPT_CLI_ONLY,                     \
	  "use [profile NAME] of the config file")                                             \
	X(config_file, "config", 0, STRING, "FILE", NULL, 0, 0, OPT_CLI_ONLY,                  \
	  "config file (default $XDG_CONFIG_HOME/drivr-console/config)")                       \
	X(topics_file, "topics", 0, STRING, "FILE", NULL, 0, 0, 0,                             \
	  "topic pattern overrides (docs/topics.md)")                                          \
	X(log, "log", 0, FLAG, NULL, NULL, 0, 0, 0,                                            \
	  "headless: print each message as one JSON line")                                     \
	X(format, "format", 0, STRING, "json|csv|TEMPLATE", "json", 0, 0, 0,                   \
	  "--log: json lines, csv of the datapoints, or a template (%t %p ...; docs/configuration.md)") \
	X(share, "share", 0, STRING, "GROUP", NULL, 0, 0, 0,                                   \
	  "--log: live topics (input/#) through $share/GROUP/: consumers split them (docs/scaling.md)") \
	X(snapshot, "snapshot", 0, FLAG, NULL, NULL, 0, 0, 0,                                  \
	  "headless: print the settled store as JSON")                                         \
	X(print_topics, "print-topics", 0, FLAG, NULL, NULL, 0, 0, 0,                          \
	  "print the topic table and exit")                                                    \
	X(count, "count", 'C', INT, "N", NULL, 0, 1e12, 0,                                     \
	  "--log, --snapshot, console: stop after N messages; 0: never")                      \
	X(timeout, "timeout", 'W', DURATION, "SECONDS", NULL, 0, 1e7, 0,                       \
	  "--log: stop after S s without traffic; --snapshot: wait at most S s")               \
	X(settle, "settle", 0, DURATION, "SECONDS", "0.5", 0, 3600, 0,                         \
	  "quiet time after the last retained message that means the state is in")             \
	X(single_subscription, "single-subscription", 0, FLAG, NULL, NULL, 0, 0, 0,            \
	  "one drivr/v1/<slug>/# instead of the staged load (brokers with raised queue limits)") \
	X(load_budget, "load-budget", 0, INT, "N", "500", 1, 1000000, 0,                       \
	  "staged load: retained messages expected in flight at most")                         \
	X(systems, "system", 0, LIST, "UUID", NULL, 0, 0, 0,                                   \
	  "scope: only this system's topics (repeatable; docs/configuration.md)")              \
	X(systems_file, "systems-file", 0, STRING, "FILE", NULL, 0, 0, 0,                      \
	  "scope: only the systems FILE lists (one UUID a line, # comments)")                  \
	X(history, "history", 0, INT, "N", CONFIG_STR(STORE_DEFAULT_HISTORY), 0, 100000, 0,    \
	  "samples kept per series")                                                           \
	X(max_series, "max-series", 0, INT, "N", "200000", 0, 1e9, 0,                          \
	  "series kept before evicting")                                                       \
	X(max_memory, "max-memory", 0, INT, "MIB", CONFIG_STR(STORE_DEFAULT_MAX_MEMORY_MIB), 4, \
	  1048576, 0, "MiB for messages waiting and the state kept (docs/configuration.md)")   \
	X(theme, "theme", 0, STRING, "NAME", NULL, 0, 0, 0,                                    \
	  "console colours: default, light, high-contrast, mono, or a path (docs/ui.md)")      \
	X(no_color, "no-color", 0, FLAG, NULL, NULL, 0, 0, 0,                                  \
	  "console: attributes only, no colour (also NO_COLOR)")                               \
	X(ascii, "ascii", 0, FLAG, NULL, NULL, 0, 0, 0,                                        \
	  "console: ASCII symbols only (automatic when the locale is not UTF-8)")              \
	X(no_mouse, "no-mouse", 0, FLAG, NULL, NULL, 0, 0, 0, "console: ignore the mouse")     \
	X(bell, "bell", 0, FLAG, NULL, NULL, 0, 0, 0,                                          \
	  "console: ring the bell and flash the status bar on each new ERROR event")         \
	X(fps, "fps", 0, INT, "N", "20", 1, 1000, 0, "console: at most N frames per second")   \
	X(stale, "stale", 0, DURATION, "SECONDS", "300", 0, 1e9, 0,                            \
	  "console: dim series without an update for S s; 0: never")                          \
	X(stuck, "stuck", 0, DURATION, "SECONDS", "60", 0, 1e9, 0,                             \
	  "console: flag setpoints still CREATED after S s; 0: never")                        \
	X(replay, "replay", 0, STRING, "FILE", NULL, 0, 0, 0,                                  \
	  "console, --log, --snapshot: the messages of FILE (--log, --record), no broker")     \
	X(speed, "speed", 0, STRING, "N|max", "max", 0, 0, 0,                                  \
	  "--replay: N times the recorded pace (0.01 to 10000), or max: all at once")          \
	X(record, "record", 0, STRING, "FILE", NULL, 0, 0, 0,                                  \
	  "console: write every message to FILE as --log lines (docs/recording.md)")           \
	X(record_max_size, "record-max-size", 0, SIZE, "BYTES", "67108864", 4096, 1e12, 0,    \
	  "--record: go on in FILE.1, FILE.2, ... at this size (64 MiB; K, M, G)")              \
	X(keys, "keys", 0, STRING, "FILE", NULL, 0, 0, 0,                                      \
	  "console: run the key script FILE first (screen tests)")                             \
	X(dump_screen, "dump-screen", 0, STRING, "FILE", NULL, 0, 0, 0,                        \
	  "console without a terminal: --replay, --keys, write the screen to FILE, exit")      \
	X(size, "size", 0, STRING, "COLSxROWS", NULL, 0, 0, 0,                                 \
	  "--dump-screen: the screen size (default 80x24; 20x6 to 1000x1000)")                 \
	X(clock, "clock", 0, STRING, "TIME", NULL, 0, 0, 0,                                    \
	  "console: fix \"now\" (ISO-8601) for reproducible screens")                          \
	X(stats_file, "stats-file", 0, STRING, "FILE", NULL, 0, 0, 0,                          \
	  "console: at exit, write message, frame and key timings to FILE (JSON, make bench)") \
	X(keep_session, "keep-session", 'c', FLAG, NULL, NULL, 0, 0, 0,                        \
	  "keep the MQTT session (needs -i): the broker queues messages while away")          \
	X(read_only, "read-only", 0, FLAG, NULL, NULL, 0, 0, 0,                                \
	  "refuse every action (setpoints, acks, tokens)")                                     \
	X(graphql_url, "graphql-url", 0, STRING, "URL", NULL, 0, 0, 0,                         \
	  "GraphQL endpoint for tokens (default https://<slug>.api.drivr.cloud/graphql)")      \
	X(user_token_file, "user-token-file", 0, STRING, "FILE", NULL, 0, 0, 0,                \
	  "file holding the user API token (or env DRIVR_USER_TOKEN)")                         \
	X(catalogue_query, "catalogue-query", 0, STRING, "FILE", NULL, 0, 0, 0,                \
	  "the GraphQL query of the characteristic catalogue and its field paths (docs/topics.md)") \
	X(audit_log, "audit-log", 0, STRING, "FILE", NULL, 0, 0, 0,                            \
	  "audit log (default $XDG_STATE_HOME/drivr-console/audit.log)")                       \
	X(help, "help", 0, FLAG, NULL, NULL, 0, 0, OPT_CLI_ONLY, "show this help and exit")     \
	X(version, "version", 0, FLAG, NULL, NULL, 0, 0, OPT_CLI_ONLY,                         \
	  "show the version and exit")

enum config_option {
#define X(field, name, sh, type, arg, def, min, max, flags, help) CONFIG_OPT_##field,
	CONFIG_OPTION_LIST(X)
#undef X
	CONFIG_OPT_COUNT
};

struct config {
	char *host;
	long port;
	char *url;
	char *client_id;
	char *protocol;
	char *slug;
	char *cafile, *capath, *cert, *key, *key_pass_file;
	bool insecure;
	long keepalive;
	char *will_topic, *will_payload;
	char *profile, *config_file, *topics_file;
	bool log, snapshot, print_topics;
	char *format; /* --log --format (logformat.h) */
	char *share;  /* --log --share GROUP: the live stage as a shared subscription */
	long count;
	double timeout, settle;
	bool single_subscription;
	long load_budget;
	/* The scope (--system, --systems-file): config_validate() checks every
	 * UUID and merges both into scope[] (owned, no duplicates, in order);
	 * scope_count 0: the whole domain. */
	struct opt_list systems;
	char *systems_file;
	char **scope;
	size_t scope_count;
	long history, max_series;
	long max_memory; /* MiB: config_memory_split() shares it out */
	/* the console (docs/ui.md) */
	char *theme;
	bool no_color, ascii, no_mouse;
	bool bell; /* --bell: a new ERROR-level event rings (ui/live) */
	long fps;
	double stale, stuck;
	char *replay, *keys, *dump_screen, *size, *clock;
	char *speed;          /* --speed as given; speed_factor: parsed, 0 = max */
	double speed_factor;
	char *record;         /* --record (ui/record) */
	long record_max_size; /* bytes */
	char *stats_file; /* --stats-file (tests/bench/tui_bench.py) */
	int size_cols, size_rows; /* --size, parsed by config_validate */
	bool read_only, keep_session;
	char *graphql_url, *user_token_file, *catalogue_query, *audit_log;
	/* Which options the command line set (so the file does not override). */
	bool set_on_command_line[CONFIG_OPT_COUNT];
	/* [topics] lines from the config file, applied by the caller:
	 * topic_overrides[i] = { row, pattern, "file:line" }. */
	size_t topic_override_count;
	struct config_topic_override {
		char *row, *pattern, *where;
	} *topic_overrides;
	bool help, version;
};

/* The table (include/optable.h) behind parsing and --help. */
extern const struct opt_table config_options;

/* Defaults (from the table); free with config_free(). */
void config_init(struct config *config);
void config_free(struct config *config);

/* Parses argv.  Returns false with a one-line message in err for an unknown
 * option, a missing or malformed argument. */
bool config_parse_args(struct config *config, int argc, char **argv, char *err, size_t err_size);

/* Applies a config file's text: top-level keys, then [profile <config->profile>]
 * keys, never overriding what the command line set; collects [topics] lines.
 * Returns false with "file:line: reason" in err. */
bool config_parse_text(struct config *config, const char *text, const char *filename, char *err,
		       size_t err_size);

/* Reads config->config_file, or the XDG default if that exists.  A missing
 * default file is fine; a missing explicit one, or a missing profile, is an
 * error. */
bool config_load_file(struct config *config, char *err, size_t err_size);

/* Checks combinations (slug required, port range, url scheme, count/timeout
 * values).  Fills host/port from url; reads --systems-file (through
 * util_read_file) into the scope.  Returns false with a message. */
bool config_validate(struct config *config, char *err, size_t err_size);

/* --max-memory split: an eighth for messages waiting in the inbox (the
 * rest of a burst the main loop has not taken, or a batch stuck behind a
 * blocked stdout), the rest for the store (store_limits_for_memory). */
void config_memory_split(const struct config *config, size_t *inbox_bytes, size_t *store_bytes);

/* True when the connection must use TLS (mqtts:// or any TLS file given). */
bool config_uses_tls(const struct config *config);

enum config_mode config_mode(const struct config *config);

/* Is `uuid` in the scope?  True for any system when there is no scope. */
bool config_in_scope(const struct config *config, const char *uuid);

struct topic_table;
/* Applies the config file's [topics] lines, then --topics FILE, to table.
 * False with "file:line: reason" in err. */
bool config_apply_topic_overrides(const struct config *config, struct topic_table *table,
				  char *err, size_t err_size);

/* Writes the --help text (generated from the table, and the exit statuses
 * from exitstatus.h) to a stream. */
void config_print_help(const char *program, FILE *stream);

#endif
