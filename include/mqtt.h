/* mqtt — the console's transport: a wrapper over Paho's async client.
 *
 * One client per struct mqtt.  Everything Paho reports (messages, connection
 * state, subscription results, delivery outcomes) arrives on the inbox
 * (mqtt_inbox()), in order; the main loop polls inbox_fd() and feeds the
 * events to mqtt_status_apply() (mqtt_status.h, included here).  No
 * function here blocks on the network.  The modes do not call mqtt_new()
 * themselves: connection.h turns their options into a connecting client.
 *
 * What the wrapper guarantees:
 *  - TLS verifies the server certificate *and* its host name unless
 *    insecure is set (Paho's initializer leaves the host name check off).
 *  - TLS files are checked before connecting, naming the file at fault
 *    (missing, unreadable, not PEM, wrong key passphrase, key not matching the
 *    certificate).  A failed handshake is explained in one line, "TLS: ...":
 *    the handshake is repeated with OpenSSL (tlsprobe.h) on a thread of the
 *    client, and the CONNECT_FAILED event waits for its finding (the server
 *    certificate's verify result: unknown CA, expired, host name mismatch;
 *    or the broker's alert: client certificate required or refused).
 *    OpenSSL never prompts for a passphrase.
 *  - CONNECT_FAILED is the failure of the first attempt of mqtt_connect();
 *    once connected, a loss is CONNECTION_LOST and the attempts after it are
 *    RECONNECTING events (with last_error when a probe of an earlier TLS
 *    attempt found the reason).
 *  - Automatic reconnect (Paho's own back-off); every connection, first or
 *    not, re-subscribes from Paho's connected callback.
 *  - A broker that stops answering is reported lost within one keep-alive
 *    (keepalive_s; Paho alone: 2-2.7 times it): a watchdog thread sends an
 *    UNSUBSCRIBE of drivr/v1/<slug>/.keepalive-probe (never subscribed) after
 *    keepalive_s / 2 with nothing from the broker, and after another half
 *    without anything pushes CONNECTION_LOST ("no answer from the broker for
 *    N s"), closes the connection and connects again (CONNECTED with
 *    reconnect set).  Started by mqtt_connect(), stopped by mqtt_free().
 *  - Subscriptions: what mqtt_options says (staged batches, the default of
 *    every mode; the caller's filters; none; or drivr/v1/<slug>/# at QoS 1
 *    with topics_fallback_filters() when the broker refuses it), each round
 *    answered by a SUBSCRIBED event saying which filters were granted and
 *    refused.
 *  - mqtt_publish() refuses until a subscription round succeeded on the
 *    current connection ("always subscribe before publishing").
 *  - Paho's trace never reaches the terminal: MQTT_C_CLIENT_TRACE is removed
 *    from the environment before Paho initialises (it would print to
 *    stdout), and nothing here installs a trace callback.
 *  - Paho callbacks only hand over to the inbox; they never block, never
 *    query Paho's state, never touch the UI.
 *
 * Ownership: mqtt_new() copies every string of the options; the inbox is
 * owned by the struct mqtt and freed by mqtt_free(). */
#ifndef DRIVR_MQTT_H
#define DRIVR_MQTT_H

#include <stdbool.h>
#include <stddef.h>

#include "inbox.h"
#include "mqtt_status.h"

/* Errors: enum suffix, message.  mqtt_strerror() gives the message; the
 * err buffer of each call gives the detail (which file, which option). */
#define MQTT_ERROR_LIST(X)                                                 \
	X(OK, "success")                                                   \
	X(INVALID, "invalid option")                                       \
	X(URL, "bad broker URL")                                           \
	X(FILE, "cannot use a TLS file")                                   \
	X(KEY_PASSWORD, "wrong or missing passphrase for the private key") \
	X(KEY, "unusable private key")                                     \
	X(CERT, "unusable certificate")                                    \
	X(STATE, "not possible in the current state")                      \
	X(NOT_READY, "not connected and subscribed")                       \
	X(PAHO, "MQTT client library error")

enum mqtt_error {
#define X(id, msg) MQTT_ERR_##id,
	MQTT_ERROR_LIST(X)
#undef X
	MQTT_ERR_COUNT
};
#define MQTT_OK MQTT_ERR_OK

const char *mqtt_strerror(enum mqtt_error error);

struct mqtt_options {
	/* Where: either url (parsed by url_parse(), include/url.h: mqtt://,
	 * mqtts://, tcp://, ssl://, [v6addr]) or host + port; host may be an
	 * IPv6 address with or without brackets. */
	const char *url;
	const char *host; /* default "localhost" */
	int port;         /* 0: 1883, or 8883 with TLS */
	bool tls;         /* also on with mqtts://, cafile, capath or cert */

	const char *client_id; /* NULL: "drivr-console-<hostname>-<pid>" */

	/* TLS.  key_password is the passphrase itself: the caller reads it from
	 * a file or the environment, never from the command line. */
	const char *cafile, *capath, *cert, *key, *key_password;
	bool insecure; /* skip server certificate and host name checks */

	int mqtt_version;      /* 4 = 3.1.1 (default), 5 = MQTT 5 */
	int keepalive_s;       /* 30; also the watchdog's period (see above) */
	int connect_timeout_s; /* 10 */
	int retry_min_s;       /* automatic reconnect back-off: 1 ... */
	int retry_max_s;       /* ... doubling up to 30 */

	/* Last Will: off unless will_topic is set (a presence topic of the
	 * operator's own).  A topic under drivr/ is refused unless will_on_drivr
	 * is set: the broker would publish it when the console goes away, as if
	 * real equipment had. */
	const char *will_topic, *will_payload;
	int will_qos;
	bool will_retain;
	bool will_on_drivr;

	const char *slug; /* required: subscriptions are drivr/v1/<slug>/... */

	/* Keep the session (clean session / clean start off): the broker queues
	 * what arrives while the console is away and delivers it on reconnect.
	 * Needs an explicit, stable client_id. */
	bool keep_session;

	size_t inbox_cap; /* messages queued before dropping; 0: the inbox default */
	size_t inbox_max_bytes; /* bytes held before dropping (--max-memory's share); 0: none */

	/* Subscriptions other than the default (drivr-sim): with filters set,
	 * exactly these filter_count filters at QoS 1 (no fallback; the
	 * SUBSCRIBED event lists them, mqtt_filter() names the first); with
	 * no_subscribe, none at all: publishing is allowed as soon as the
	 * connection is up (an empty SUBSCRIBED round says so).  Both unset:
	 * drivr/v1/<slug>/# with fallback, as described above. */
	const char *const *filters;
	size_t filter_count;
	bool no_subscribe;
	/* Staged (loadplan.h): nothing is subscribed on connecting; the caller
	 * sends its batches with mqtt_subscribe_batch() after each CONNECTED. */
	bool staged;
};

void mqtt_options_default(struct mqtt_options *opts);

struct mqtt;

/* Validates and copies the options, creates the Paho client (no network
 * yet).  NULL on error: *error (optional) and err say why. */
struct mqtt *mqtt_new(const struct mqtt_options *opts, enum mqtt_error *error, char *err,
		      size_t err_size);
/* Destroys the Paho client (its threads are stopped when this returns), then
 * the inbox with whatever it still holds.  For a clean DISCONNECT call
 * mqtt_disconnect() first and wait (bounded) for the DISCONNECTED event. */
void mqtt_free(struct mqtt *m);

/* Checks the TLS files (readable, PEM, passphrase, key matches certificate)
 * and starts connecting.  Returns at once; the outcome arrives as CONNECTED
 * or CONNECT_FAILED.  After a failure Paho keeps retrying with back-off
 * (RECONNECTING events) until mqtt_disconnect(). */
enum mqtt_error mqtt_connect(struct mqtt *m, char *err, size_t err_size);

/* Staged mode: one SUBSCRIBE of count filters (copied), each with its QoS.
 * Returns at once; a SUBSCRIBED event with .batch = id reports the broker's
 * answer per filter (or the round's failure).  STATE when not connected or
 * not in staged mode. */
enum mqtt_error mqtt_subscribe_batch(struct mqtt *m, unsigned id, const char *const *filters,
				     const int *qos, size_t count, char *err, size_t err_size);

/* Publishes at QoS 1 (payload copied).  *token (optional) receives the
 * token that the DELIVERED or PUBLISH_FAILED event will carry; that event is
 * queued after this returns, never before.  NOT_READY when not connected
 * and subscribed. */
enum mqtt_error mqtt_publish(struct mqtt *m, const char *topic, const void *payload, size_t len,
			     bool retain, int *token, char *err, size_t err_size);

/* mqtt_publish() with a QoS (0..2) and, with track false, no DELIVERED /
 * PUBLISH_FAILED event: the outcome is only counted (mqtt_get_publish_stats),
 * so a high-rate publisher (drivr-sim's stream and flood) does not fill the
 * inbox.  Paho copies the payload and sends from its own thread; this never
 * waits for the network. */
enum mqtt_error mqtt_publish_qos(struct mqtt *m, const char *topic, const void *payload, size_t len,
				 int qos, bool retain, bool track, int *token, char *err,
				 size_t err_size);

/* Publishes handed to Paho (sent) and their outcomes, tracked or not.
 * sent - completed - failed is what Paho still holds (QoS 0: not yet
 * written to the socket; QoS 1: not yet acknowledged): wait for it to reach
 * 0 before disconnecting and nothing queued is lost. */
struct mqtt_publish_stats {
	unsigned long long sent, completed, failed;
};
void mqtt_get_publish_stats(struct mqtt *m, struct mqtt_publish_stats *stats);

/* Stops automatic reconnect and disconnects, letting in-flight messages
 * finish for up to timeout_ms.  A DISCONNECTED event follows. */
enum mqtt_error mqtt_disconnect(struct mqtt *m, int timeout_ms, char *err, size_t err_size);

/* The inbox to poll and drain; owned by m. */
struct inbox *mqtt_inbox(struct mqtt *m);

const char *mqtt_client_id(const struct mqtt *m);
const char *mqtt_server_uri(const struct mqtt *m); /* as given to Paho: "ssl://host:8883" */
const char *mqtt_filter(const struct mqtt *m);     /* "drivr/v1/<slug>/#" */

/* The TLS file checks of mqtt_connect(), alone (for --check style use). */
enum mqtt_error mqtt_check_tls_files(const struct mqtt_options *opts, char *err, size_t err_size);

#endif
