/* options — drivr-sim's command line: one table (SIM_OPTION_LIST) drives
 * parsing, defaults and --help. */
#ifndef DRIVR_SIM_OPTIONS_H
#define DRIVR_SIM_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* X(field, long name, short char or 0, kind, default, argument, help)
 * kind: STR, INT, NUM (may have a fraction), FLAG. */
#define SIM_OPTION_LIST(X)                                                                       \
	X(host, "host", 'h', STR, "localhost", "HOST", "broker host")                            \
	X(port, "port", 'p', INT, "0", "PORT", "broker port (default 1883, 8883 with TLS)")      \
	X(url, "url", 'L', STR, NULL, "URL", "broker as mqtt://host:port or mqtts://host:port")  \
	X(client_id, "id", 'i', STR, NULL, "ID", "client id (default drivr-sim-<pid>)")          \
	X(protocol, "protocol-version", 'V', STR, "311", "311|5", "MQTT version")                \
	X(slug, "slug", 's', STR, "demo", "SLUG", "DRIVR domain slug (topics drivr/v1/<slug>/...)") \
	X(cafile, "cafile", 0, STR, NULL, "FILE", "CA certificate(s) to verify the broker (PEM)") \
	X(capath, "capath", 0, STR, NULL, "DIR", "directory of CA certificates")                 \
	X(cert, "cert", 0, STR, NULL, "FILE", "client certificate (PEM)")                        \
	X(key, "key", 0, STR, NULL, "FILE", "client private key (PEM)")                          \
	X(key_pass_file, "key-pass-file", 0, STR, NULL, "FILE",                                  \
	  "file holding the key passphrase (or env DRIVR_KEY_PASSPHRASE)")                       \
	X(insecure, "insecure", 0, FLAG, NULL, NULL, "do not verify the broker's certificate")   \
	X(topics_file, "topics", 0, STR, NULL, "FILE", "topic pattern overrides (docs/topics.md)") \
	X(systems, "systems", 0, INT, "5", "N", "systems in the simulated domain")               \
	X(components, "components", 0, INT, "4", "M", "components per system")                   \
	X(rate, "rate", 'r', NUM, "20", "PER_S", "datapoint messages per second, all together")  \
	X(seed, "seed", 0, INT, "1", "N", "seed of every random choice (same seed, same run)")   \
	X(device_delay, "device-delay", 0, NUM, "0.5", "S",                                      \
	  "seconds a device takes to acknowledge a setpoint")                                    \
	X(event_interval, "event-interval", 0, NUM, "8", "S", "mean seconds between new events (0: none)") \
	X(change_interval, "change-interval", 0, NUM, "15", "S",                                 \
	  "mean seconds between connection state changes (0: none)")                             \
	X(setpoint_interval, "setpoint-interval", 0, NUM, "30", "S",                             \
	  "mean seconds between setpoints from the cloud (0: none)")                             \
	X(duration, "duration", 0, NUM, "0", "S", "stop after S seconds (0: at SIGINT/SIGTERM)") \
	X(graphql_port, "graphql-port", 'g', INT, "0", "PORT",                                   \
	  "serve GraphQL token mutations on 127.0.0.1:PORT (0: off)")                            \
	X(user_token_file, "user-token-file", 0, STR, NULL, "FILE",                              \
	  "the user API token GraphQL accepts (or env DRIVR_USER_TOKEN)")                        \
	X(jwt_key, "jwt-key", 0, STR, NULL, "FILE",                                              \
	  "RSA private key (PEM) that signs tokens (default: a new RSA-2048 key)")               \
	X(faults, "faults", 0, NUM, "0", "RATIO", "share of hostile messages in the stream (0..1)") \
	X(flood, "flood", 0, INT, "0", "N", "publish N datapoints as fast as possible, then exit") \
	X(payload_bytes, "payload-bytes", 0, INT, "0", "B", "--flood: bytes per payload (padded)") \
	X(series, "series", 0, INT, "10000", "K", "--flood: spread over K series")               \
	X(flood_qos, "flood-qos", 0, INT, "0", "Q", "--flood: QoS of the datapoints (0 or 1)")   \
	X(extensions, "extensions", 0, STR, "none", "LIST",                                      \
	  "beyond the reference's shapes: setpoint-codes,catalogue | all | none")                \
	X(verbose, "verbose", 'v', FLAG, NULL, NULL, "log every request answered on stderr")     \
	X(help, "help", 0, FLAG, NULL, NULL, "print this help and exit")                         \
	X(version, "version", 0, FLAG, NULL, NULL, "print the version and exit")

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

/* Defaults, then argv.  Returns false with a one-line message in err for an
 * unknown option, a malformed or out-of-range argument. */
bool options_parse(struct sim_options *o, int argc, char **argv, char *err, size_t err_size);
void options_free(struct sim_options *o);
void options_print_help(FILE *stream);

#endif
