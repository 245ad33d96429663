/* options — drivr-sim's command line: its table (SIM_OPTION_LIST) on the
 * options engine both programs share (include/optable.h). */
#ifndef DRIVR_SIM_OPTIONS_H
#define DRIVR_SIM_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "optable.h"

/* X(field, long name, short char or 0, type, argument, default, min, max,
 *   flags, help): the row format of config.h's table, on the same engine
 * (include/optable.h): types, defaults, bounds, --help, messages. */
#define SIM_OPTION_LIST(X)                                                                       \
	X(host, "host", 'h', STRING, "HOST", "localhost", 0, 0, 0, "broker host")                \
	X(port, "port", 'p', INT, "PORT", NULL, 1, 65535, 0,                                      \
	  "broker port; not given: 1883, or 8883 with TLS")                                      \
	X(url, "url", 'L', STRING, "URL", NULL, 0, 0, 0,                                         \
	  "broker as mqtt://host:port or mqtts://host:port")                                     \
	X(client_id, "id", 'i', STRING, "ID", NULL, 0, 0, 0, "client id (default drivr-sim-<pid>)") \
	X(protocol, "protocol-version", 'V', ENUM, "311|5", "311", 0, 0, 0, "MQTT version")        \
	X(slug, "slug", 's', STRING, "SLUG", "demo", 0, 0, 0,                                    \
	  "DRIVR domain slug (topics drivr/v1/<slug>/...)")                                      \
	X(cafile, "cafile", 0, STRING, "FILE", NULL, 0, 0, 0,                                    \
	  "CA certificate(s) to verify the broker (PEM)")                                        \
	X(capath, "capath", 0, STRING, "DIR", NULL, 0, 0, 0, "directory of CA certificates")     \
	X(cert, "cert", 0, STRING, "FILE", NULL, 0, 0, 0, "client certificate (PEM)")            \
	X(key, "key", 0, STRING, "FILE", NULL, 0, 0, 0, "client private key (PEM)")              \
	X(key_pass_file, "key-pass-file", 0, STRING, "FILE", NULL, 0, 0, 0,                      \
	  "file holding the key passphrase (or env DRIVR_KEY_PASSPHRASE)")                       \
	X(insecure, "insecure", 0, FLAG, NULL, NULL, 0, 0, 0, "do not verify the broker's certificate") \
	X(topics_file, "topics", 0, STRING, "FILE", NULL, 0, 0, 0,                               \
	  "topic pattern overrides (docs/topics.md)")                                            \
	/* the retained-burst bench uses 10 000 systems */                                       \
	X(systems, "systems", 0, INT, "N", "5", 1, 100000, 0, "systems in the simulated domain")  \
	X(components, "components", 0, INT, "M", "4", 1, 100, 0, "components per system")        \
	X(rate, "rate", 'r', DOUBLE, "PER_S", "20", 0, 1e6, 0,                                   \
	  "datapoint messages per second, all together")                                         \
	X(seed, "seed", 0, INT, "N", "1", 0, 4294967295.0, 0,                                    \
	  "seed of every random choice (same seed, same run)")                                   \
	X(device_delay, "device-delay", 0, DURATION, "S", "0.5", 0, 3600, 0,                     \
	  "seconds a device takes to acknowledge a setpoint")                                    \
	X(event_interval, "event-interval", 0, DURATION, "S", "8", 0, 86400, 0,                  \
	  "mean seconds between new events; 0: none")                                            \
	X(change_interval, "change-interval", 0, DURATION, "S", "15", 0, 86400, 0,               \
	  "mean seconds between connection state changes; 0: none")                              \
	X(setpoint_interval, "setpoint-interval", 0, DURATION, "S", "30", 0, 86400, 0,           \
	  "mean seconds between setpoints from the cloud; 0: none")                              \
	X(duration, "duration", 0, DURATION, "S", "0", 0, 1e7, 0,                                \
	  "stop after S seconds; 0: at SIGINT/SIGTERM")                                          \
	X(graphql_port, "graphql-port", 'g', INT, "PORT", "0", 0, 65535, 0,                      \
	  "serve GraphQL token mutations on 127.0.0.1:PORT; 0: off")                             \
	X(user_token_file, "user-token-file", 0, STRING, "FILE", NULL, 0, 0, 0,                  \
	  "the user API token GraphQL accepts (or env DRIVR_USER_TOKEN)")                        \
	X(jwt_key, "jwt-key", 0, STRING, "FILE", NULL, 0, 0, 0,                                  \
	  "RSA private key (PEM) that signs tokens (default: a new RSA-2048 key)")               \
	X(faults, "faults", 0, DOUBLE, "RATIO", "0", 0, 1, 0,                                    \
	  "share of hostile messages in the stream")                                             \
	X(flood, "flood", 0, INT, "N", "0", 0, 1e10, 0,                                          \
	  "publish N datapoints as fast as possible, then exit")                                 \
	X(payload_bytes, "payload-bytes", 0, SIZE, "B", "0", 0, 16 * 1024 * 1024, 0,             \
	  "--flood: bytes per payload (padded)")                                                 \
	X(series, "series", 0, INT, "K", "10000", 1, 1e7, 0, "--flood: spread over K series")    \
	X(flood_qos, "flood-qos", 0, INT, "Q", "0", 0, 1, 0, "--flood: QoS of the datapoints")   \
	X(extensions, "extensions", 0, STRING, "LIST", "none", 0, 0, 0,                          \
	  "beyond the reference's shapes: setpoint-codes,catalogue | all | none")                \
	X(verbose, "verbose", 'v', FLAG, NULL, NULL, 0, 0, 0, "log every request answered on stderr") \
	X(help, "help", 0, FLAG, NULL, NULL, 0, 0, OPT_CLI_ONLY, "print this help and exit")     \
	X(version, "version", 0, FLAG, NULL, NULL, 0, 0, OPT_CLI_ONLY, "print the version and exit")

struct sim_options {
	char *host, *url, *client_id, *protocol, *slug;
	long port;
	char *cafile, *capath, *cert, *key, *key_pass_file;
	bool insecure;
	char *topics_file;
	long systems, components;
	double rate;
	long seed;
	double device_delay, event_interval, change_interval, setpoint_interval, duration;
	long graphql_port;
	char *user_token_file, *jwt_key;
	double faults;
	long flood, payload_bytes, series, flood_qos;
	char *extensions;
	bool verbose, help, version;
	/* From --extensions (docs/simulator.md, "Extensions"): by default the
	 * simulator publishes only the reference's shapes. */
	bool ext_setpoint_codes; /* codes and systemUuid in setpoints */
	bool ext_catalogue;      /* "services" in component models */
};

/* The table (tests/unit/test_config.c checks every row). */
extern const struct opt_table sim_options_table;

/* Defaults, then argv.  Returns false with a one-line message in err for an
 * unknown option, a malformed or out-of-range argument.  port is OPT_UNSET
 * when not given. */
bool options_parse(struct sim_options *o, int argc, char **argv, char *err, size_t err_size);
void options_free(struct sim_options *o);
void options_print_help(FILE *stream);

#endif
