/* headless — the non-interactive modes on the same pipeline as the console:
 *
 *   --log       one JSON object per received message (and per connection
 *               event) on stdout; --count N / --timeout S end it.
 *   --snapshot  connect, wait until the retained state has settled (no new
 *               message for --settle seconds, bounded by --timeout), print
 *               the store as one JSON document.
 *
 * Exit status: 0 success, 1 the connection failed (reason on stderr). */
#ifndef DRIVR_HEADLESS_H
#define DRIVR_HEADLESS_H

#include "config.h"
#include "decode.h"
#include "store.h"
#include "topics.h"

struct cJSON;

/* Runs config_mode(config) == MODE_LOG or MODE_SNAPSHOT; returns the exit
 * status.  topics is borrowed. */
int headless_run(const struct config *config, const struct topic_table *topics);

/* The --log line of one message (a new object the caller deletes). Pure. */
struct cJSON *headless_log_object(const struct message_meta *msg, const struct topic_match *match,
				  const struct decode_result *result);

/* Reads the TLS key passphrase from --key-pass-file or DRIVR_KEY_PASSPHRASE.
 * Returns a new string (NULL when neither is set); on a read error returns
 * NULL and writes a message to err. */
char *headless_key_passphrase(const struct config *config, char *err, size_t err_size, bool *failed);

struct mqtt_options;
/* Connection options from the configuration; *passphrase (owned by the
 * caller, may be NULL) backs opts->key_password.  False after printing why. */
bool headless_mqtt_options(const struct config *config, struct mqtt_options *opts,
			   char **passphrase);

#endif
