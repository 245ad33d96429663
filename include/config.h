/* config — every option of drivr-console in one table, read from the config
 * file's profiles and from the command line (the command line wins).
 *
 * The table (CONFIG_OPTION_LIST) drives parsing, --help and docs: an option
 * is added in one place.  Config file (docs/configuration.md):
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

enum config_mode { MODE_CONSOLE, MODE_LOG, MODE_SNAPSHOT, MODE_PRINT_TOPICS };

/* X(field, long name, short char or 0, kind, argument name, help)
 * kind: STR (string), INT (integer), NUM (seconds, may have a fraction),
 * FLAG (no argument, sets true). */
#define CONFIG_OPTION_LIST(X)                                                                   \
	X(host, "host", 'h', STR, "HOST", "broker host (default localhost)")                   \
	X(port, "port", 'p', INT, "PORT", "broker port (default 1883, 8883 with TLS)")         \
	X(url, "url", 'L', STR, "URL", "broker as mqtt[s]://host[:port], [v6] too (docs/configuration.md)") \
	X(client_id, "id", 'i', STR, "ID", "client id (default drivr-console-<host>-<pid>)")   \
	X(protocol, "protocol-version", 'V', STR, "311|5", "MQTT version (default 311)")       \
	X(slug, "slug", 's', STR, "SLUG", "DRIVR domain slug (topics drivr/v1/<slug>/...)")    \
	X(cafile, "cafile", 0, STR, "FILE", "CA certificate(s) to verify the broker (PEM)")    \
	X(capath, "capath", 0, STR, "DIR", "directory of CA certificates")                     \
	X(cert, "cert", 0, STR, "FILE", "client certificate (PEM)")                            \
	X(key, "key", 0, STR, "FILE", "client private key (PEM, may be encrypted)")            \
	X(key_pass_file, "key-pass-file", 0, STR, "FILE",                                      \
	  "file holding the key passphrase (or env DRIVR_KEY_PASSPHRASE)")                     \
	X(insecure, "insecure", 0, FLAG, NULL,                                                 \
	  "do not verify the broker's certificate and host name")                              \
	X(keepalive, "keepalive", 0, INT, "S",                                                 \
	  "MQTT keep-alive in seconds; a silent broker is noticed within 1.5 S (default 30)")  \
	X(will_topic, "will-topic", 0, STR, "TOPIC", "register a Last Will on this topic")     \
	X(will_payload, "will-payload", 0, STR, "TEXT", "payload of the Last Will")            \
	X(profile, "profile", 0, STR, "NAME", "use [profile NAME] of the config file")         \
	X(config_file, "config", 0, STR, "FILE",                                               \
	  "config file (default $XDG_CONFIG_HOME/drivr-console/config)")                       \
	X(topics_file, "topics", 0, STR, "FILE", "topic pattern overrides (docs/topics.md)")   \
	X(log, "log", 0, FLAG, NULL, "headless: print each message as one JSON line")          \
	X(snapshot, "snapshot", 0, FLAG, NULL, "headless: print the settled store as JSON")    \
	X(print_topics, "print-topics", 0, FLAG, NULL, "print the topic table and exit")       \
	X(count, "count", 'C', INT, "N", "--log, --snapshot, console: stop after N messages")  \
	X(timeout, "timeout", 'W', NUM, "SECONDS",                                             \
	  "--log: stop after S s without traffic; --snapshot: wait at most S s")               \
	X(settle, "settle", 0, NUM, "SECONDS",                                                 \
	  "quiet time after the last retained message that means the state is in (default 0.5)") \
	X(single_subscription, "single-subscription", 0, FLAG, NULL,                           \
	  "one drivr/v1/<slug>/# instead of the staged load (brokers with raised queue limits)") \
	X(load_budget, "load-budget", 0, INT, "N",                                             \
	  "staged load: retained messages expected in flight at most (default 500)")           \
	X(history, "history", 0, INT, "N", "samples kept per series (default 120)")            \
	X(max_series, "max-series", 0, INT, "N", "series kept before evicting (default 200000)") \
	X(max_memory, "max-memory", 0, INT, "MIB",                                             \
	  "MiB for messages waiting and the state kept (default 2048; docs/configuration.md)") \
	X(theme, "theme", 0, STR, "NAME",                                                      \
	  "console colours: default, light, high-contrast, mono (docs/ui.md)")                 \
	X(no_color, "no-color", 0, FLAG, NULL, "console: attributes only, no colour (also NO_COLOR)") \
	X(ascii, "ascii", 0, FLAG, NULL,                                                       \
	  "console: ASCII symbols only (automatic when the locale is not UTF-8)")              \
	X(no_mouse, "no-mouse", 0, FLAG, NULL, "console: ignore the mouse")                    \
	X(fps, "fps", 0, INT, "N", "console: at most N frames per second (default 20)")        \
	X(stale, "stale", 0, NUM, "SECONDS",                                                   \
	  "console: dim series without an update for S s (default 300, 0: never)")             \
	X(stuck, "stuck", 0, NUM, "SECONDS",                                                   \
	  "console: flag setpoints still CREATED after S s (default 60, 0: never)")            \
	X(replay, "replay", 0, STR, "FILE",                                                    \
	  "console: show the messages of FILE (--log NDJSON or fixtures), no broker")          \
	X(keys, "keys", 0, STR, "FILE", "console: run the key script FILE first (screen tests)") \
	X(dump_screen, "dump-screen", 0, STR, "FILE",                                          \
	  "console without a terminal: --replay, --keys, write the screen to FILE, exit")      \
	X(size, "size", 0, STR, "COLSxROWS", "--dump-screen: the screen size (default 80x24)") \
	X(clock, "clock", 0, STR, "TIME",                                                      \
	  "console: fix \"now\" (ISO-8601) for reproducible screens") \
	X(stats_file, "stats-file", 0, STR, "FILE",                                            \
	  "console: at exit, write message, frame and key timings to FILE (JSON, make bench)") \
	X(keep_session, "keep-session", 'c', FLAG, NULL,                                       \
	  "keep the MQTT session (needs -i): the broker queues messages while away")          \
	X(read_only, "read-only", 0, FLAG, NULL, "refuse every action (setpoints, acks, tokens)") \
	X(graphql_url, "graphql-url", 0, STR, "URL",                                           \
	  "GraphQL endpoint for tokens (default https://<slug>.api.drivr.cloud/graphql)")      \
	X(user_token_file, "user-token-file", 0, STR, "FILE",                                  \
	  "file holding the user API token (or env DRIVR_USER_TOKEN)")                         \
	X(audit_log, "audit-log", 0, STR, "FILE",                                              \
	  "audit log (default $XDG_STATE_HOME/drivr-console/audit.log)")

enum config_kind { CONFIG_STR, CONFIG_INT, CONFIG_NUM, CONFIG_FLAG };

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
	long count;
	double timeout, settle;
	bool single_subscription;
	long load_budget;
	long history, max_series;
	long max_memory; /* MiB: config_memory_split() shares it out */
	/* the console (docs/ui.md) */
	char *theme;
	bool no_color, ascii, no_mouse;
	long fps;
	double stale, stuck;
	char *replay, *keys, *dump_screen, *size, *clock;
	char *stats_file; /* --stats-file (tests/bench/tui_bench.py) */
	int size_cols, size_rows; /* --size, parsed by config_validate */
	bool read_only, keep_session;
	char *graphql_url, *user_token_file, *audit_log;
	/* Which fields the command line set (so the file does not override). */
	bool set_on_command_line[64];
	/* [topics] lines from the config file, applied by the caller:
	 * topic_overrides[i] = { row, pattern, "file:line" }. */
	size_t topic_override_count;
	struct config_topic_override {
		char *row, *pattern, *where;
	} *topic_overrides;
	bool help, version;
};

/* Defaults; free with config_free(). */
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
 * values).  Fills host/port from url.  Returns false with a message. */
bool config_validate(struct config *config, char *err, size_t err_size);

/* --max-memory split: an eighth for messages waiting in the inbox (the
 * rest of a burst the main loop has not taken, or a batch stuck behind a
 * blocked stdout), the rest for the store (store_limits_for_memory). */
#define CONFIG_DEFAULT_MAX_MEMORY_MIB 2048
void config_memory_split(const struct config *config, size_t *inbox_bytes, size_t *store_bytes);

/* True when the connection must use TLS (mqtts:// or any TLS file given). */
bool config_uses_tls(const struct config *config);

enum config_mode config_mode(const struct config *config);

struct topic_table;
/* Applies the config file's [topics] lines, then --topics FILE, to table.
 * False with "file:line: reason" in err. */
bool config_apply_topic_overrides(const struct config *config, struct topic_table *table,
				  char *err, size_t err_size);

/* Writes the --help text (generated from the table) to a stream. */
void config_print_help(const char *program, FILE *stream);

#endif
