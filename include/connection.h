/* connection — one way from the options to a connecting client, for every
 * mode: --log / --snapshot (headless.h), the one-shot actions (actions.h)
 * and the console (ui/ui.h).
 *
 * It turns the configuration into the client's options (mqtt.h), reads the
 * TLS key's passphrase (--key-pass-file or DRIVR_KEY_PASSPHRASE, never the
 * command line), creates the client and starts connecting (the TLS files
 * are checked there, before a console takes the screen), and says in one
 * line why when it cannot.  Why a connection attempt failed is the
 * client's CONNECT_FAILED reason (a TLS failure explained by tlsprobe.h);
 * every mode prints it with connection_say_failed().  Also the staged load
 * of the retained state every connection starts (loadplan.h).
 *
 * Exit statuses stay the callers': connection_open() says which kind of
 * failure it was (a bad option or file, or the client), each mode maps it
 * to its own status. */
#ifndef DRIVR_CONNECTION_H
#define DRIVR_CONNECTION_H

#include <stdbool.h>

#include "config.h"
#include "mqtt.h"
#include "topics.h"

struct load_plan;

enum connection_failure {
	CONNECTION_OK,
	CONNECTION_BAD_OPTION, /* an option or a file the operator gave (the usage status) */
	CONNECTION_FAILED,     /* the client could not be created or start connecting */
};

struct connection {
	struct mqtt *mqtt;        /* owned; NULL when not open */
	struct mqtt_options opts; /* strings borrowed from the configuration */
	char *passphrase;         /* owned (opts.key_password), wiped when closed */
};

/* The client's options from the configuration; *passphrase (owned by the
 * caller, may stay NULL) backs opts->key_password.  Says --insecure on
 * stderr (every start, every mode).  False with the reason in err when the
 * passphrase file cannot be read. */
bool connection_options(const struct config *config, struct mqtt_options *opts,
			char **passphrase, char *err, size_t err_size);

/* Options, passphrase, client, and the first attempt started.  On failure
 * one line on stderr ("drivr-console: ..."), *conn left closed. */
enum connection_failure connection_open(struct connection *conn, const struct config *config);

/* With disconnect, a clean DISCONNECT first (bounded: 1 s); then the client
 * and the passphrase go.  Safe on a closed connection. */
void connection_close(struct connection *conn, bool disconnect);

/* How far the broker is checked: "off" (plain MQTT), "unverified"
 * (--insecure) or "verified". */
const char *connection_tls(const struct connection *conn);

/* The one line every mode prints when the first connection failed:
 * "drivr-console: cannot connect to <uri>: <reason><suffix>" on stderr. */
void connection_say_failed(const struct connection *conn, const char *reason, const char *suffix);

/* The staged load of the configuration (NULL with --single-subscription);
 * topics is borrowed and must outlive it.  Free with load_plan_free(). */
struct load_plan *connection_load_plan(const struct config *config,
				       const struct topic_table *topics);

#endif
