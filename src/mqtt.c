/* mqtt — see include/mqtt.h.
 *
 * The Paho glue: the client's lifetime, connections, subscription rounds,
 * publishes, the keep-alive watchdog and the explanation of failed TLS
 * attempts.  What needs no Paho is in mqtt_status.c (the status model, the
 * back-off, the watchdog's verdict); Paho's twin callbacks for MQTT 3.1.1
 * and 5 meet in mqtt_paho.c, so every handler here is written once.
 *
 * Threads: mqtt_* functions run on the main thread; the handlers run on
 * Paho's threads and do nothing but build an inbox item and push it (plus,
 * from the connected and SUBACK handlers, queue the next subscribe, which
 * Paho allows from callbacks).  Two threads of our own: the watchdog and,
 * for TLS, the prober (see "TLS failures").  State shared with them is
 * atomic or under a lock; everything else is written before the client
 * exists. */
#include "mqtt.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <MQTTAsync.h>

#include "mqtt_paho.h"
#include "secret.h"
#include "tlsprobe.h"
#include "topics.h"
#include "url.h"
#include "util.h"

#define FALLBACK_MAX 32
#define REASON_SIZE 1024  /* one event line */

/* One of the client's own threads (the watchdog, the prober): the
 * condition it waits on, under its lock, and the flag that ends it. */
struct worker {
	pthread_t thread;
	bool running, stop;
	pthread_mutex_t lock;
	pthread_cond_t cond; /* on CLOCK_MONOTONIC, for timed waits */
};

struct mqtt {
	MQTTAsync client;
	struct inbox *inbox;

	/* Copied options (owned), fixed after mqtt_new(). */
	char *uri, *host, *client_id, *filter;
	char *where; /* "host:port", "[v6]:port": for messages */
	char *cafile, *capath, *cert, *key, *key_password;
	char *will_topic, *will_payload;
	int will_qos;
	bool will_retain;
	bool tls, insecure, keep_session;
	int port, version, keepalive, connect_timeout, retry_min, retry_max;

	/* The fallback filters, one allocation; read-only after mqtt_new(). */
	size_t fallback_count;
	char *fallback_buf;
	char *fallback[FALLBACK_MAX];
	int fallback_qos[FALLBACK_MAX];

	/* Subscriptions chosen by the caller (mqtt_options.filters /
	 * no_subscribe) instead of the default filter; read-only after
	 * mqtt_new().  custom[] points into custom_buf. */
	enum { SUB_DEFAULT, SUB_CUSTOM, SUB_NONE, SUB_STAGED } sub_mode;
	size_t custom_count;
	char *custom_buf;
	char **custom;
	int *custom_qos;

	/* Shared with Paho's threads. */
	atomic_bool ready;       /* a subscription round succeeded on this connection */
	atomic_uint connections; /* CONNECTED events so far */
	atomic_uint attempts;    /* automatic reconnect attempts since the last success */
	atomic_int primary_code; /* the broker's answer to the default filter this round */
	atomic_bool started;     /* mqtt_connect() done, no mqtt_disconnect() since */
	/* The keep-alive watchdog (see "watchdog" below): its thread, and what
	 * it watches.  rx_ms: monotonic ms of the last packet from the broker
	 * (any message, ack or CONNACK); probe_ms: when the unanswered probe
	 * went out (0: none out); dropping: the watchdog closed the connection
	 * and reconnects once Paho confirms (drop_done). */
	struct worker wd;
	char *probe_filter;
	atomic_bool up; /* connected, as far as the watchdog knows */
	atomic_llong rx_ms, probe_ms;
	atomic_bool dropping, drop_done;
	atomic_ullong watchdog_drops;
	/* Staged batches waiting for their SUBACK (freed by the handler, or
	 * by mqtt_free() when Paho never answered), under batch_lock. */
	pthread_mutex_t batch_lock;
	struct staged_batch *batches;
	/* Publish outcomes, tracked or not (mqtt_get_publish_stats). */
	atomic_ullong pub_sent, pub_completed, pub_failed;
	/* For telling a refused publish from a lost connection (see
	 * closed_on_publish): when the last tracked publish went out, and the
	 * reason code of the broker's last DISCONNECT (MQTT 5) with its time;
	 * monotonic milliseconds. */
	atomic_llong last_publish_ms, disconnect_ms;
	atomic_int disconnect_code;

	/* The prober (see "TLS failures"), a TLS client's only; under why.lock. */
	struct worker why;
	bool why_wanted;
	unsigned why_gen;        /* moves at every CONNECTED: older findings are stale */
	unsigned why_wanted_gen; /* the generation the wanted probe is for */
	struct inbox_item *why_failure; /* the first CONNECT_FAILED, waiting for its probe */
	struct inbox_item *why_held, **why_tail; /* what Paho reported meanwhile */
	char *why_last; /* the last probe's finding, for the next RECONNECTING */
};

/* --- small helpers ------------------------------------------------------ */

__attribute__((format(printf, 4, 5)))
static enum mqtt_error fail(enum mqtt_error e, char *err, size_t size, const char *fmt, ...)
{
	if (err && size) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(err, size, fmt, ap);
		va_end(ap);
	}
	return e;
}

static char *dup_or_null(const char *s)
{
	return s && *s ? xstrdup(s) : NULL;
}


static long long now_ms(void)
{
	return (long long)(time_monotonic() * 1000.0);
}

/* A packet came from the broker: the connection is alive (watchdog). */
static void alive(struct mqtt *m)
{
	atomic_store(&m->rx_ms, now_ms());
}

static int clamp_int(int v, int lo, int hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

const char *mqtt_strerror(enum mqtt_error error)
{
	static const char *const msgs[] = {
#define X(id, msg) [MQTT_ERR_##id] = msg,
		MQTT_ERROR_LIST(X)
#undef X
	};
	return (unsigned)error < MQTT_ERR_COUNT ? msgs[error] : "unknown error";
}

void mqtt_options_default(struct mqtt_options *opts)
{
	memset(opts, 0, sizeof(*opts));
	opts->host = "localhost";
	opts->mqtt_version = 4;
	opts->keepalive_s = 30;
	opts->connect_timeout_s = 10;
	opts->retry_min_s = 1;
	opts->retry_max_s = 30;
	opts->will_qos = 0;
}

/* --- TLS file checks ---------------------------------------------------- */

struct pem_password {
	const char *password;
	bool asked;
};

/* Never prompts: without a passphrase an encrypted key simply fails. */
static int read_key_password(char *buf, int size, int rwflag, void *u)
{
	struct pem_password *pw = u;
	(void)rwflag;
	pw->asked = true;
	if (!pw->password || size <= 0)
		return -1;
	size_t n = strlen(pw->password);
	if (n > (size_t)size)
		return -1;
	memcpy(buf, pw->password, n);
	return (int)n;
}

static FILE *open_file(const char *what, const char *path, enum mqtt_error *e, char *err,
		       size_t size)
{
	FILE *f = fopen(path, "r");
	if (!f)
		*e = fail(MQTT_ERR_FILE, err, size, "cannot read %s %s: %s", what, path,
			  strerror(errno));
	return f;
}

static enum mqtt_error check_ca_file(const char *path, char *err, size_t size)
{
	enum mqtt_error e = MQTT_OK;
	FILE *f = open_file("CA file", path, &e, err, size);
	if (!f)
		return e;
	X509 *x = PEM_read_X509(f, NULL, NULL, NULL);
	fclose(f);
	if (!x)
		e = fail(MQTT_ERR_CERT, err, size, "no PEM certificate in CA file %s", path);
	X509_free(x);
	return e;
}

static enum mqtt_error check_ca_dir(const char *path, char *err, size_t size)
{
	DIR *d = opendir(path);
	if (!d)
		return fail(MQTT_ERR_FILE, err, size, "cannot read CA directory %s: %s", path,
			    strerror(errno));
	closedir(d);
	return MQTT_OK;
}

static enum mqtt_error check_client_pair(const char *cert_path, const char *key_path,
					 const char *password, char *err, size_t size)
{
	enum mqtt_error e = MQTT_OK;
	X509 *cert = NULL;
	EVP_PKEY *key = NULL;
	FILE *f;

	if (cert_path) {
		if (!(f = open_file("certificate", cert_path, &e, err, size)))
			goto out;
		cert = PEM_read_X509(f, NULL, NULL, NULL);
		fclose(f);
		if (!cert) {
			e = fail(MQTT_ERR_CERT, err, size, "no PEM certificate in %s", cert_path);
			goto out;
		}
	}
	if (!key_path)
		key_path = cert_path; /* the key may sit in the certificate file */
	if (!(f = open_file("key file", key_path, &e, err, size)))
		goto out;
	struct pem_password pw = { password, false };
	key = PEM_read_PrivateKey(f, NULL, read_key_password, &pw);
	fclose(f);
	if (!key) {
		if (pw.asked && password)
			e = fail(MQTT_ERR_KEY_PASSWORD, err, size, "wrong password for key file %s",
				 key_path);
		else if (pw.asked)
			e = fail(MQTT_ERR_KEY_PASSWORD, err, size,
				 "key file %s is encrypted and no passphrase was given", key_path);
		else if (key_path == cert_path)
			e = fail(MQTT_ERR_KEY, err, size,
				 "no private key in certificate file %s: give the key file too",
				 cert_path);
		else
			e = fail(MQTT_ERR_KEY, err, size, "no PEM private key in %s", key_path);
		goto out;
	}
	if (cert && X509_check_private_key(cert, key) != 1)
		e = fail(MQTT_ERR_KEY, err, size, "key file %s does not match certificate %s",
			 key_path, cert_path);
out:
	X509_free(cert);
	EVP_PKEY_free(key);
	ERR_clear_error(); /* ours, not the next handshake's */
	return e;
}

enum mqtt_error mqtt_check_tls_files(const struct mqtt_options *opts, char *err, size_t size)
{
	enum mqtt_error e;

	if (opts->key && *opts->key && !(opts->cert && *opts->cert))
		return fail(MQTT_ERR_INVALID, err, size, "a key file (%s) needs a certificate",
			    opts->key);
	if (opts->cafile && *opts->cafile && (e = check_ca_file(opts->cafile, err, size)))
		return e;
	if (opts->capath && *opts->capath && (e = check_ca_dir(opts->capath, err, size)))
		return e;
	if (opts->cert && *opts->cert &&
	    (e = check_client_pair(opts->cert, opts->key && *opts->key ? opts->key : NULL,
				   opts->key_password, err, size)))
		return e;
	return MQTT_OK;
}

/* --- our threads -------------------------------------------------------- */

static void worker_init(struct worker *w)
{
	pthread_mutex_init(&w->lock, NULL);
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&w->cond, &ca);
	pthread_condattr_destroy(&ca);
}

/* Starts main(m) once; a thread that cannot start is said (what), never
 * silent: the client works without it, with less said or noticed. */
static void worker_start(struct worker *w, void *(*main)(void *), struct mqtt *m, const char *what)
{
	if (w->running)
		return;
	w->stop = false;
	w->running = pthread_create(&w->thread, NULL, main, m) == 0;
	if (!w->running)
		fprintf(stderr, "drivr-console: cannot start the %s: %s\n", what, strerror(errno));
}

/* Sets the stop flag, wakes the thread and joins it. */
static void worker_stop(struct worker *w)
{
	if (!w->running)
		return;
	pthread_mutex_lock(&w->lock);
	w->stop = true;
	pthread_cond_signal(&w->cond);
	pthread_mutex_unlock(&w->lock);
	pthread_join(w->thread, NULL);
	w->running = false;
}

static void worker_destroy(struct worker *w)
{
	pthread_mutex_destroy(&w->lock);
	pthread_cond_destroy(&w->cond);
}

/* --- inbox events ------------------------------------------------------- */

static void push_failure(struct mqtt *m, enum inbox_kind kind, int code, const char *reason,
			 int retry_in_s)
{
	struct inbox_item *item = inbox_event_new(kind);
	item->u.failure.code = code;
	item->u.failure.reason = xstrdup(reason);
	item->u.failure.retry_in_s = retry_in_s;
	inbox_push(m->inbox, item);
}

/* --- TLS failures ---------------------------------------------------------
 *
 * Paho says no more about a failed TLS handshake than "connect failure".
 * So when the first attempt of a TLS client fails without an answer from
 * the broker (a CONNACK refusal means TLS worked, and is kept), the prober
 * thread repeats the handshake with OpenSSL (tlsprobe.h) and the
 * CONNECT_FAILED event carries its finding: the server certificate's
 * verify result (unknown CA, expired, host name mismatch) or the broker's
 * alert (client certificate required or refused).  Every mode reads the
 * reason from that one event.  What Paho reports while the probe runs
 * (RECONNECTING) is held back and follows the CONNECT_FAILED, so the order
 * of events stays that of the attempts; a CONNECTED (or the caller's
 * disconnect) releases everything at once with Paho's own words.  From
 * the second automatic reconnect attempt of a TLS client on (the first
 * failed), each is probed too, and a finding rides on the next
 * RECONNECTING as last_error. */

/* How long one probe may take per step (connect, handshake). */
#define WHY_TIMEOUT_MS 3000

/* Under why_lock: the waiting CONNECT_FAILED, then what was held, go out. */
static void why_release(struct mqtt *m)
{
	if (m->why_failure) {
		inbox_push(m->inbox, m->why_failure);
		m->why_failure = NULL;
	}
	while (m->why_held) {
		struct inbox_item *item = m->why_held;
		m->why_held = item->next;
		item->next = NULL;
		inbox_push(m->inbox, item);
	}
	m->why_tail = &m->why_held;
}

/* Under why_lock: an event after a waiting CONNECT_FAILED is held. */
static void why_push(struct mqtt *m, struct inbox_item *item)
{
	if (!m->why_failure) {
		inbox_push(m->inbox, item);
		return;
	}
	item->next = NULL;
	*m->why_tail = item;
	m->why_tail = &item->next;
}

/* Under why_lock: a probe for the current generation of attempts. */
static void why_request(struct mqtt *m)
{
	m->why_wanted = true;
	m->why_wanted_gen = m->why_gen;
	pthread_cond_signal(&m->why.cond);
}

static void *why_main(void *arg)
{
	struct mqtt *m = arg;
	struct tlsprobe_target t = { m->host, m->port, m->cafile, m->capath, m->cert,
				     m->key, m->key_password, m->insecure, WHY_TIMEOUT_MS };
	pthread_mutex_lock(&m->why.lock);
	for (;;) {
		while (!m->why.stop && !m->why_wanted)
			pthread_cond_wait(&m->why.cond, &m->why.lock);
		if (m->why.stop)
			break;
		m->why_wanted = false;
		unsigned gen = m->why_wanted_gen;
		pthread_mutex_unlock(&m->why.lock);

		char found[512], reason[REASON_SIZE];
		bool tls_cause = tlsprobe_run(&t, found, sizeof(found)) == TLSPROBE_FAILED;
		snprintf(reason, sizeof(reason), "TLS: %s", found);

		pthread_mutex_lock(&m->why.lock);
		if (gen != m->why_gen)
			continue; /* connected meanwhile: the finding is stale */
		if (tls_cause && m->why_failure) {
			free(m->why_failure->u.failure.reason);
			m->why_failure->u.failure.reason = xstrdup(reason);
		} else if (tls_cause) {
			free(m->why_last);
			m->why_last = xstrdup(reason);
		}
		why_release(m);
	}
	pthread_mutex_unlock(&m->why.lock);
	return NULL;
}

/* Joins the prober (a probe under way ends within its time-out) and drops
 * whatever it still held: the inbox goes next. */
static void why_stop(struct mqtt *m)
{
	worker_stop(&m->why);
	inbox_item_free(m->why_failure);
	m->why_failure = NULL;
	inbox_list_free(m->why_held);
	m->why_held = NULL;
	m->why_tail = &m->why_held;
	free(m->why_last);
	m->why_last = NULL;
}

/* --- connection events (Paho's threads) ---------------------------------- */

static int on_message(void *ctx, char *topic, int topic_len, MQTTAsync_message *msg)
{
	struct mqtt *m = ctx;
	alive(m);
	inbox_push_message(m->inbox, topic, topic_len, msg);
	return 1; /* ours now (freed by the consumer, or by the inbox when full) */
}

static void on_connection_lost(void *ctx, char *cause)
{
	struct mqtt *m = ctx;
	char reason[REASON_SIZE];

	atomic_store(&m->ready, false);
	atomic_store(&m->attempts, 0);
	/* The watchdog reported this loss already (it closed the connection). */
	if (!atomic_exchange(&m->up, false))
		return;
	/* Paho passes no cause (always NULL so far); keep one if it ever does. */
	if (cause && *cause)
		snprintf(reason, sizeof(reason), "connection to %s lost: %s", m->where,
			 cause);
	else
		snprintf(reason, sizeof(reason),
			 "connection to %s lost (broker gone, network down or keep-alive expired)",
			 m->where);
	push_failure(m, INBOX_CONNECTION_LOST, 0, reason, m->retry_min);
}

/* MQTT 5 only: the broker sent DISCONNECT with a reason code. */
static void on_disconnected5(void *ctx, MQTTProperties *props, enum MQTTReasonCodes rc)
{
	struct mqtt *m = ctx;
	char reason[REASON_SIZE];
	(void)props;

	atomic_store(&m->ready, false);
	atomic_store(&m->attempts, 0);
	snprintf(reason, sizeof(reason), "broker %s disconnected: %s", m->where,
		 MQTTReasonCode_toString(rc));
	/* Before the publish it may have been about fails (Paho's order). */
	atomic_store(&m->disconnect_code, (int)rc);
	atomic_store(&m->disconnect_ms, now_ms());
	push_failure(m, INBOX_CONNECTION_LOST, (int)rc, reason, m->retry_min);
}

/* Paho calls the connect onFailure once per mqtt_connect(): for the first
 * attempt when it fails, or else for the loss of a connection that had been
 * made (right after connectionLost, "socket error").  Only the first is a
 * CONNECT_FAILED; a loss was reported already, and the attempts after it
 * report through RECONNECTING.  A TLS attempt without the broker's answer
 * waits for the prober (see "TLS failures"). */
static void connect_answered(void *ctx, const struct paho_answer *a)
{
	struct mqtt *m = ctx;
	if (a->ok || atomic_load(&m->connections) > 0)
		return;
	int code = paho_connect_code(a);
	struct paho_endpoint e = { m->where, m->version, m->tls, m->connect_timeout };
	char reason[REASON_SIZE];
	paho_describe_connect_failure(&e, code, a->message, reason, sizeof(reason));

	struct inbox_item *item = inbox_event_new(INBOX_CONNECT_FAILED);
	item->u.failure.code = code;
	item->u.failure.reason = xstrdup(reason);
	item->u.failure.retry_in_s = m->retry_min;
	pthread_mutex_lock(&m->why.lock);
	if (m->why.running && code <= 0 && !m->why_failure) {
		m->why_failure = item;
		why_request(m);
	} else {
		why_push(m, item);
	}
	pthread_mutex_unlock(&m->why.lock);
}
PAHO_TWINS(connect_answered)

/* Before each automatic reconnect attempt (Paho holds its own lock here:
 * push only).  Returns 0: the connect data stays as it is. */
static int on_reconnect_attempt(void *ctx, MQTTAsync_connectData *data)
{
	struct mqtt *m = ctx;
	(void)data;

	unsigned attempt = atomic_fetch_add(&m->attempts, 1) + 1;
	struct inbox_item *item = inbox_event_new(INBOX_RECONNECTING);
	item->u.reconnecting.attempt = attempt;
	item->u.reconnecting.next_delay_s = mqtt_backoff_s(m->retry_min, m->retry_max, attempt);
	pthread_mutex_lock(&m->why.lock);
	item->u.reconnecting.last_error = m->why_last; /* the previous attempt's */
	m->why_last = NULL;
	/* From the second attempt on (one failed already): this attempt's
	 * reason, for the next one.  An ordinary reconnection is not probed. */
	if (m->why.running && !m->why_failure && attempt >= 2)
		why_request(m);
	why_push(m, item);
	pthread_mutex_unlock(&m->why.lock);
	return 0;
}

static void subscribe_primary(struct mqtt *m);
static void subscribe_custom(struct mqtt *m);
static void subscribe_none(struct mqtt *m);

static void on_connected(void *ctx, char *cause)
{
	struct mqtt *m = ctx;
	(void)cause; /* "connect onSuccess called" / "automatic reconnect": we count instead */

	atomic_store(&m->ready, false);
	atomic_store(&m->attempts, 0);
	alive(m); /* the CONNACK */
	atomic_store(&m->probe_ms, 0);
	atomic_store(&m->up, true);

	struct inbox_item *item = inbox_event_new(INBOX_CONNECTED);
	item->u.connected.reconnect = atomic_fetch_add(&m->connections, 1) > 0;
	item->u.connected.mqtt_version = m->version;
	pthread_mutex_lock(&m->why.lock);
	m->why_gen++;
	free(m->why_last);
	m->why_last = NULL;
	why_release(m);
	inbox_push(m->inbox, item);
	pthread_mutex_unlock(&m->why.lock);

	/* Every connection starts clean (clean session): subscribe again. */
	if (m->sub_mode == SUB_CUSTOM)
		subscribe_custom(m);
	else if (m->sub_mode == SUB_NONE)
		subscribe_none(m);
	else if (m->sub_mode == SUB_DEFAULT)
		subscribe_primary(m);
	/* SUB_STAGED: the main loop sends its batches on CONNECTED. */
}

/* --- subscriptions ------------------------------------------------------ */

static bool refused(int qos)
{
	return qos < 0 || qos >= 0x80;
}

/* The filters of a SUBSCRIBED event: filters[i] with the broker's codes[i];
 * counts granted and refused.  With an error the round failed outright. */
static struct inbox_item *subscribed_event(const char *const *filters, const int *codes,
					   size_t count, const char *error)
{
	struct inbox_item *item = inbox_event_new(INBOX_SUBSCRIBED);
	item->u.subscribed.count = count;
	item->u.subscribed.filters = xcalloc(count, sizeof(*item->u.subscribed.filters));
	for (size_t i = 0; i < count; i++) {
		struct inbox_sub_filter *f = &item->u.subscribed.filters[i];
		f->filter = xstrdup(filters[i]);
		f->qos = refused(codes[i]) ? INBOX_SUB_REFUSED : codes[i];
		f->code = codes[i];
		if (refused(codes[i]))
			item->u.subscribed.refused++;
		else
			item->u.subscribed.granted++;
	}
	if (error) {
		item->u.subscribed.error = xstrdup(error);
		item->u.subscribed.granted = 0;
	}
	return item;
}

/* A round's answer: the broker's code for each of n filters into codes[]
 * (a refusal counts as an answer).  Returns false, with Paho's words in
 * error, when the round failed without the broker's answer. */
static bool suback_codes(const struct paho_answer *a, int *codes, size_t n, const char *what,
			 char *error, size_t size)
{
	if (!a->ok && !paho_refused(a, NULL)) {
		snprintf(error, size, "%s%s", what, paho_failure_text(a));
		for (size_t i = 0; i < n; i++)
			codes[i] = INBOX_SUB_REFUSED;
		return false;
	}
	for (size_t i = 0; i < n; i++)
		codes[i] = paho_suback(a, i, n);
	return true;
}

/* Pushes the SUBSCRIBED event of the default round: the default filter
 * (primary_code), then, with fallback, the fallback filters (codes). */
static void push_subscribed(struct mqtt *m, int primary_code, const int *codes, bool fallback,
			    const char *error)
{
	const char *filters[1 + FALLBACK_MAX];
	int all[1 + FALLBACK_MAX];
	size_t n = fallback ? m->fallback_count : 0;
	filters[0] = m->filter;
	all[0] = primary_code;
	for (size_t i = 0; i < n; i++) {
		filters[1 + i] = m->fallback[i];
		all[1 + i] = codes[i];
	}
	struct inbox_item *item = subscribed_event(filters, all, 1 + n, error);
	item->u.subscribed.fallback = fallback;
	if (item->u.subscribed.granted > 0)
		atomic_store(&m->ready, true);
	inbox_push(m->inbox, item);
}

static void fallback_answered(void *ctx, const struct paho_answer *a)
{
	struct mqtt *m = ctx;
	int codes[FALLBACK_MAX];
	char error[REASON_SIZE];
	bool answered = suback_codes(a, codes, m->fallback_count, "fallback subscriptions failed: ",
				     error, sizeof(error));
	if (answered)
		alive(m); /* a SUBACK */
	push_subscribed(m, atomic_load(&m->primary_code), codes, true, answered ? NULL : error);
}
PAHO_TWINS(fallback_answered)

static void subscribe_fallback(struct mqtt *m)
{
	MQTTAsync_responseOptions ro = MQTTAsync_responseOptions_initializer;
	int none[FALLBACK_MAX];
	char error[REASON_SIZE];

	for (size_t i = 0; i < FALLBACK_MAX; i++)
		none[i] = INBOX_SUB_REFUSED;
	if (m->fallback_count == 0) {
		push_subscribed(m, atomic_load(&m->primary_code), none, true,
				"the default filter was refused and there is no fallback");
		return;
	}
	ro.context = m;
	PAHO_ON(ro, m->version >= 5, fallback_answered);
	int rc = MQTTAsync_subscribeMany(m->client, (int)m->fallback_count, m->fallback,
					 m->fallback_qos, &ro);
	if (rc != MQTTASYNC_SUCCESS) {
		snprintf(error, sizeof(error), "fallback subscriptions not sent: %s",
			 MQTTAsync_strerror(rc));
		push_subscribed(m, atomic_load(&m->primary_code), none, true, error);
	}
}

/* The default filter's SUBACK: granted → done; refused → the fallbacks. */
static void primary_answered(void *ctx, const struct paho_answer *a)
{
	struct mqtt *m = ctx;
	int code;
	char error[REASON_SIZE], what[300];
	snprintf(what, sizeof(what), "subscription to %s failed: ", m->filter);
	if (!suback_codes(a, &code, 1, what, error, sizeof(error))) {
		push_subscribed(m, INBOX_SUB_REFUSED, NULL, false, error);
		return;
	}
	alive(m); /* a SUBACK */
	atomic_store(&m->primary_code, code);
	if (refused(code))
		subscribe_fallback(m);
	else
		push_subscribed(m, code, NULL, false, NULL);
}
PAHO_TWINS(primary_answered)

static void subscribe_primary(struct mqtt *m)
{
	MQTTAsync_responseOptions ro = MQTTAsync_responseOptions_initializer;

	ro.context = m;
	PAHO_ON(ro, m->version >= 5, primary_answered);
	int rc = MQTTAsync_subscribe(m->client, m->filter, 1, &ro);
	if (rc != MQTTASYNC_SUCCESS) {
		char error[REASON_SIZE];
		snprintf(error, sizeof(error), "subscription to %s failed: %s", m->filter,
			 MQTTAsync_strerror(rc) ? MQTTAsync_strerror(rc) : "?");
		push_subscribed(m, INBOX_SUB_REFUSED, NULL, false, error);
	}
}

/* --- caller-chosen subscriptions (mqtt_options.filters, no_subscribe) -- */

/* Nothing to subscribe: ready at once; an empty SUBSCRIBED round says so. */
static void subscribe_none(struct mqtt *m)
{
	atomic_store(&m->ready, true);
	inbox_push(m->inbox, inbox_event_new(INBOX_SUBSCRIBED));
}


/* --- batches: staged (mqtt_subscribe_batch) and caller-chosen rounds ---- */

struct staged_batch {
	struct staged_batch *next;
	struct mqtt *m;
	unsigned id;
	size_t count;
	char **filters; /* into one allocation after the struct */
};

static void staged_unlink(struct mqtt *m, struct staged_batch *b)
{
	pthread_mutex_lock(&m->batch_lock);
	for (struct staged_batch **p = &m->batches; *p; p = &(*p)->next)
		if (*p == b) {
			*p = b->next;
			break;
		}
	pthread_mutex_unlock(&m->batch_lock);
}

/* The SUBSCRIBED event of a batch (codes per filter), and b freed. */
static void staged_done(struct staged_batch *b, const int *codes, const char *error)
{
	struct mqtt *m = b->m;
	if (!error)
		alive(m); /* a SUBACK */
	struct inbox_item *item =
		subscribed_event((const char *const *)b->filters, codes, b->count, error);
	item->u.subscribed.batch = b->id;
	if (item->u.subscribed.granted > 0)
		atomic_store(&m->ready, true);
	staged_unlink(m, b);
	free(b);
	inbox_push(m->inbox, item);
}

static void batch_answered(void *ctx, const struct paho_answer *a)
{
	struct staged_batch *b = ctx;
	int *codes = xcalloc(b->count, sizeof(int));
	char error[REASON_SIZE];
	bool answered = suback_codes(a, codes, b->count, "", error, sizeof(error));
	staged_done(b, codes, answered ? NULL : error);
	free(codes);
}
PAHO_TWINS(batch_answered)

/* A batch of count filters (copied) waiting for its SUBACK, registered with m. */
static struct staged_batch *batch_new(struct mqtt *m, unsigned id, const char *const *filters,
				      size_t count)
{
	size_t bytes = sizeof(struct staged_batch) + count * sizeof(char *);
	for (size_t i = 0; i < count; i++)
		bytes += strlen(filters[i]) + 1;
	struct staged_batch *b = xmalloc(bytes);
	b->m = m;
	b->id = id;
	b->count = count;
	b->filters = (char **)(b + 1);
	char *p = (char *)(b->filters + count);
	for (size_t i = 0; i < count; i++) {
		size_t n = strlen(filters[i]) + 1;
		memcpy(p, filters[i], n);
		b->filters[i] = p;
		p += n;
	}
	pthread_mutex_lock(&m->batch_lock);
	b->next = m->batches;
	m->batches = b;
	pthread_mutex_unlock(&m->batch_lock);
	return b;
}

/* One SUBSCRIBE; the handler reports it (and frees b).  Paho's code: on
 * failure b is still the caller's. */
static int batch_send(struct staged_batch *b, const int *qos)
{
	MQTTAsync_responseOptions ro = MQTTAsync_responseOptions_initializer;
	ro.context = b;
	PAHO_ON(ro, b->m->version >= 5, batch_answered);
	return MQTTAsync_subscribeMany(b->m->client, (int)b->count, b->filters, (int *)qos, &ro);
}

enum mqtt_error mqtt_subscribe_batch(struct mqtt *m, unsigned id, const char *const *filters,
				     const int *qos, size_t count, char *err, size_t size)
{
	if (m->sub_mode != SUB_STAGED)
		return fail(MQTT_ERR_STATE, err, size, "not in staged mode");
	if (!count || count > INT_MAX)
		return fail(MQTT_ERR_INVALID, err, size, "no filters in the batch");
	struct staged_batch *b = batch_new(m, id, filters, count);
	int rc = batch_send(b, qos);
	if (rc != MQTTASYNC_SUCCESS) {
		staged_unlink(m, b);
		free(b);
		return fail(rc == MQTTASYNC_DISCONNECTED ? MQTT_ERR_NOT_READY : MQTT_ERR_PAHO, err,
			    size, "subscribe not sent: %s", MQTTAsync_strerror(rc));
	}
	return MQTT_OK;
}

/* mqtt_options.filters: the caller's filters as one round, a batch with id
 * 0, from the connected callback. */
static void subscribe_custom(struct mqtt *m)
{
	struct staged_batch *b = batch_new(m, 0, (const char *const *)m->custom, m->custom_count);
	int rc = batch_send(b, m->custom_qos);
	if (rc != MQTTASYNC_SUCCESS) {
		char error[REASON_SIZE];
		int *codes = xcalloc(b->count, sizeof(int));
		for (size_t i = 0; i < b->count; i++)
			codes[i] = INBOX_SUB_REFUSED;
		snprintf(error, sizeof(error), "subscriptions not sent: %s", MQTTAsync_strerror(rc));
		staged_done(b, codes, error);
		free(codes);
	}
}

/* --- publish outcomes --------------------------------------------------- */

static void push_outcome(struct mqtt *m, enum inbox_kind kind, int token, int code, bool refused,
			 const char *reason)
{
	struct inbox_item *item = inbox_event_new(kind);
	item->u.delivery.token = token;
	item->u.delivery.code = code;
	item->u.delivery.reason = reason ? xstrdup(reason) : NULL;
	item->u.delivery.refused = refused;
	inbox_push(m->inbox, item);
}

/* Paho discards a publish still waiting for its PUBACK when the connection
 * closes (MQTTASYNC_OPERATION_INCOMPLETE): right after it went out, that is
 * the broker refusing it (MQTT_REFUSAL_WINDOW_MS).  Says why in reason. */
static bool closed_on_publish(struct mqtt *m, int code, char *reason, size_t size)
{
	long long now = now_ms();
	if ((code != MQTTASYNC_OPERATION_INCOMPLETE && code != MQTTASYNC_DISCONNECTED) ||
	    !mqtt_within_refusal_window(now, atomic_load(&m->last_publish_ms)))
		return false;
	int rc = atomic_load(&m->disconnect_code);
	if (rc >= 0x80 && mqtt_within_refusal_window(now, atomic_load(&m->disconnect_ms))) {
		char why[128];
		paho_reason_code_text(rc, why, sizeof(why));
		snprintf(reason, size, "refused by the broker: it closed the connection on the publish: %s",
			 why);
	} else {
		snprintf(reason, size, "the broker closed the connection on the publish — refused "
				       "(too large? not authorised?)");
	}
	return true;
}

/* A tracked publish: DELIVERED, or PUBLISH_FAILED saying whether the broker
 * refused it (MQTT 5: a PUBACK with a reason code >= 0x80, mosquitto's
 * message_size_limit "packet too large", an ACL's "not authorized"; or the
 * connection closed on it) or the connection was lost on the way. */
static void publish_answered(void *ctx, const struct paho_answer *a)
{
	struct mqtt *m = ctx;
	char reason[REASON_SIZE];
	int rc;

	if (a->ok)
		alive(m); /* a PUBACK */
	if (paho_refused(a, &rc)) {
		char why[128];
		atomic_fetch_add(&m->pub_failed, 1);
		paho_reason_code_text(rc, why, sizeof(why));
		snprintf(reason, sizeof(reason), "refused by the broker: %s", why);
		push_outcome(m, INBOX_PUBLISH_FAILED, a->token, rc, true, reason);
		return;
	}
	if (a->ok) {
		atomic_fetch_add(&m->pub_completed, 1);
		push_outcome(m, INBOX_DELIVERED, a->token, 0, false, NULL);
		return;
	}
	atomic_fetch_add(&m->pub_failed, 1);
	bool closed = closed_on_publish(m, a->code, reason, sizeof(reason));
	if (!closed)
		snprintf(reason, sizeof(reason), "publish failed: %s", paho_failure_text(a));
	push_outcome(m, INBOX_PUBLISH_FAILED, a->token, a->code, closed, reason);
}
PAHO_TWINS(publish_answered)

/* Untracked publishes (mqtt_publish_qos with track false): counted only. */
static void publish_counted(void *ctx, const struct paho_answer *a)
{
	struct mqtt *m = ctx;
	if (a->ok)
		alive(m);
	if (a->ok && !paho_refused(a, NULL))
		atomic_fetch_add(&m->pub_completed, 1);
	else
		atomic_fetch_add(&m->pub_failed, 1);
}
PAHO_TWINS(publish_counted)

/* The caller's disconnect: the socket is closed either way. */
static void disconnect_answered(void *ctx, const struct paho_answer *a)
{
	struct mqtt *m = ctx;
	(void)a;
	inbox_push(m->inbox, inbox_event_new(INBOX_DISCONNECTED));
}
PAHO_TWINS(disconnect_answered)

/* Paho's disconnect options for either protocol version, answered by the
 * handler pair the caller installs (PAHO_ON). */
static MQTTAsync_disconnectOptions disconnect_options(struct mqtt *m, int timeout_ms)
{
	MQTTAsync_disconnectOptions d = MQTTAsync_disconnectOptions_initializer;
	MQTTAsync_disconnectOptions d5 = MQTTAsync_disconnectOptions_initializer5;
	if (m->version >= 5)
		d = d5;
	d.timeout = timeout_ms > 0 ? timeout_ms : 0;
	d.context = m;
	return d;
}

/* --- lifetime ----------------------------------------------------------- */

/* Paho reads MQTT_C_CLIENT_TRACE once, when its first client is created;
 * "ON" (or a file it cannot open) sends trace to stdout, over the UI.  So
 * the variables go before that.  Nothing here reads Paho's trace: at level
 * FATAL Paho does not even format its records. */
static void paho_quiet_once(void)
{
	unsetenv("MQTT_C_CLIENT_TRACE");
	unsetenv("MQTT_C_CLIENT_TRACE_LEVEL");
	unsetenv("MQTT_C_CLIENT_TRACE_MAX_LINES");
	MQTTAsync_setTraceLevel(MQTTASYNC_TRACE_FATAL);
}

static void default_client_id(char *buf, size_t size)
{
	char host[64] = "host";
	if (gethostname(host, sizeof(host)) != 0 || !host[0])
		snprintf(host, sizeof(host), "host");
	host[sizeof(host) - 1] = '\0';
	for (char *p = host; *p; p++) /* client ids are safest as [A-Za-z0-9.-_] */
		if (!isalnum((unsigned char)*p) && *p != '-' && *p != '.' && *p != '_')
			*p = '_';
	snprintf(buf, size, "drivr-console-%s-%ld", host, (long)getpid());
}

static bool has_wildcard(const char *topic)
{
	return strpbrk(topic, "+#") != NULL;
}

/* mqtt_options.filters / no_subscribe: the caller's subscriptions. */
static enum mqtt_error copy_subscriptions(struct mqtt *m, const struct mqtt_options *o, char *err,
					  size_t size)
{
	if (o->staged) {
		if (o->filter_count || o->no_subscribe)
			return fail(MQTT_ERR_INVALID, err, size,
				    "staged subscriptions exclude filters and no_subscribe");
		m->sub_mode = SUB_STAGED;
		return MQTT_OK;
	}
	if (o->no_subscribe) {
		if (o->filter_count)
			return fail(MQTT_ERR_INVALID, err, size,
				    "no_subscribe and subscription filters are exclusive");
		m->sub_mode = SUB_NONE;
		return MQTT_OK;
	}
	if (!o->filters || !o->filter_count)
		return MQTT_OK;
	size_t total = 0;
	for (size_t i = 0; i < o->filter_count; i++) {
		const char *f = o->filters[i];
		if (!f || !*f || strlen(f) > 65535)
			return fail(MQTT_ERR_INVALID, err, size, "subscription filter %zu is empty", i);
		total += strlen(f) + 1;
	}
	m->sub_mode = SUB_CUSTOM;
	m->custom_count = o->filter_count;
	m->custom_buf = xmalloc(total);
	m->custom = xcalloc(o->filter_count, sizeof(*m->custom));
	m->custom_qos = xcalloc(o->filter_count, sizeof(*m->custom_qos));
	char *p = m->custom_buf;
	for (size_t i = 0; i < o->filter_count; i++) {
		size_t n = strlen(o->filters[i]) + 1;
		memcpy(p, o->filters[i], n);
		m->custom[i] = p;
		m->custom_qos[i] = 1;
		p += n;
	}
	/* mqtt_filter() names the first of them. */
	free(m->filter);
	m->filter = xstrdup(m->custom[0]);
	return MQTT_OK;
}

static enum mqtt_error copy_options(struct mqtt *m, const struct mqtt_options *o, char *err,
				    size_t size)
{
	char host[URL_HOST_MAX], why[512];
	bool url_tls = false;
	int port = o->port;

	if (!o->slug || !*o->slug || strpbrk(o->slug, "/+#"))
		return fail(MQTT_ERR_INVALID, err, size,
			    "a slug is required, without '/', '+' or '#' (got \"%s\")",
			    o->slug ? o->slug : "");
	if (o->url && *o->url) {
		struct broker_url url;
		if (!url_parse(o->url, &url, why, sizeof(why)))
			return fail(MQTT_ERR_URL, err, size, "URL %s", why);
		snprintf(host, sizeof(host), "%s", url.host);
		url_tls = url.tls;
		if (url.port)
			port = url.port;
	} else if (!url_parse_host(o->host && *o->host ? o->host : "localhost", host, sizeof(host),
				   why, sizeof(why))) {
		return fail(MQTT_ERR_INVALID, err, size, "host %s", why);
	}
	if (port < 0 || port > 65535)
		return fail(MQTT_ERR_INVALID, err, size, "bad port %d", port);
	bool tls_files = (o->cafile && *o->cafile) || (o->capath && *o->capath) ||
			 (o->cert && *o->cert);
	if (o->url && *o->url && !url_tls && tls_files)
		return fail(MQTT_ERR_INVALID, err, size,
			    "TLS files given with a plain mqtt:// URL (use mqtts://)");
	m->tls = o->tls || url_tls || tls_files;
	if (!port)
		port = m->tls ? 8883 : 1883;
	if (o->mqtt_version != 0 && o->mqtt_version != 4 && o->mqtt_version != 5)
		return fail(MQTT_ERR_INVALID, err, size,
			    "MQTT version %d not supported (4 = 3.1.1, 5 = 5)", o->mqtt_version);
	if (o->will_topic && *o->will_topic) {
		if (has_wildcard(o->will_topic))
			return fail(MQTT_ERR_INVALID, err, size, "will topic \"%s\" has a wildcard",
				    o->will_topic);
		if (o->will_qos < 0 || o->will_qos > 2)
			return fail(MQTT_ERR_INVALID, err, size, "will QoS %d", o->will_qos);
		if (strncmp(o->will_topic, "drivr/", 6) == 0 && !o->will_on_drivr)
			return fail(MQTT_ERR_INVALID, err, size,
				    "will topic \"%s\" is under drivr/: the broker would publish it "
				    "when the console drops, as if real equipment had gone",
				    o->will_topic);
	}
	if (o->key && *o->key && !(o->cert && *o->cert))
		return fail(MQTT_ERR_INVALID, err, size, "a key file (%s) needs a certificate",
			    o->key);

	m->host = xstrdup(host);
	m->port = port;
	m->uri = url_server_uri(m->tls, host, port);
	m->where = url_authority(host, port);
	if (o->client_id && *o->client_id) {
		m->client_id = xstrdup(o->client_id);
	} else {
		char id[128];
		default_client_id(id, sizeof(id));
		m->client_id = xstrdup(id);
	}
	m->cafile = dup_or_null(o->cafile);
	m->capath = dup_or_null(o->capath);
	m->cert = dup_or_null(o->cert);
	m->key = dup_or_null(o->key);
	m->key_password = secret_dup(o->key_password);
	m->insecure = o->insecure;
	m->will_topic = dup_or_null(o->will_topic);
	m->will_payload = xstrdup(o->will_payload ? o->will_payload : "");
	m->will_qos = o->will_qos;
	m->will_retain = o->will_retain;
	m->keep_session = o->keep_session;
	m->version = o->mqtt_version == 5 ? 5 : 4;
	m->keepalive = o->keepalive_s > 0 ? o->keepalive_s : 30;
	m->connect_timeout = o->connect_timeout_s > 0 ? o->connect_timeout_s : 10;
	m->retry_min = clamp_int(o->retry_min_s > 0 ? o->retry_min_s : 1, 1, 3600);
	m->retry_max = clamp_int(o->retry_max_s > 0 ? o->retry_max_s : 30, m->retry_min, 3600);

	size_t flen = strlen("drivr/v1//#") + strlen(o->slug) + 1;
	m->filter = xmalloc(flen);
	snprintf(m->filter, flen, "drivr/v1/%s/#", o->slug);
	/* The watchdog's UNSUBSCRIBE: a filter nothing ever subscribes to (no
	 * topic row has a leading dot), inside the domain an ACL allows. */
	size_t plen = strlen("drivr/v1//.keepalive-probe") + strlen(o->slug) + 1;
	m->probe_filter = xmalloc(plen);
	snprintf(m->probe_filter, plen, "drivr/v1/%s/.keepalive-probe", o->slug);

	size_t each = strlen(o->slug) + 128;
	m->fallback_buf = xcalloc(FALLBACK_MAX, each);
	m->fallback_count = topics_fallback_filters(o->slug, m->fallback_buf, FALLBACK_MAX, each);
	for (size_t i = 0; i < m->fallback_count; i++) {
		m->fallback[i] = m->fallback_buf + i * each;
		m->fallback_qos[i] = 1;
	}
	return copy_subscriptions(m, o, err, size);
}

struct mqtt *mqtt_new(const struct mqtt_options *opts, enum mqtt_error *error, char *err,
		      size_t err_size)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	struct mqtt *m = xcalloc(1, sizeof(*m));
	enum mqtt_error e;

	worker_init(&m->why);
	m->why_tail = &m->why_held;
	pthread_mutex_init(&m->batch_lock, NULL);
	worker_init(&m->wd);
	atomic_init(&m->up, false);
	atomic_init(&m->rx_ms, 0);
	atomic_init(&m->probe_ms, 0);
	atomic_init(&m->dropping, false);
	atomic_init(&m->drop_done, false);
	atomic_init(&m->watchdog_drops, 0);
	atomic_init(&m->ready, false);
	atomic_init(&m->connections, 0);
	atomic_init(&m->attempts, 0);
	atomic_init(&m->primary_code, 0);
	atomic_init(&m->started, false);
	atomic_init(&m->pub_sent, 0);
	atomic_init(&m->pub_completed, 0);
	atomic_init(&m->pub_failed, 0);
	atomic_init(&m->last_publish_ms, 0);
	atomic_init(&m->disconnect_ms, 0);
	atomic_init(&m->disconnect_code, 0);
	if ((e = copy_options(m, opts, err, err_size)))
		goto bad;
	if (!(m->inbox = inbox_new(opts->inbox_cap))) {
		e = fail(MQTT_ERR_PAHO, err, err_size, "cannot create the inbox: %s", strerror(errno));
		goto bad;
	}
	inbox_set_max_bytes(m->inbox, opts->inbox_max_bytes);

	pthread_once(&once, paho_quiet_once);

	MQTTAsync_createOptions co = MQTTAsync_createOptions_initializer;
	co.MQTTVersion = m->version == 5 ? MQTTVERSION_5 : MQTTVERSION_3_1_1;
	co.sendWhileDisconnected = 0; /* a request must not fire minutes later */
	co.maxBufferedMessages = 1000;
	int rc = MQTTAsync_createWithOptions(&m->client, m->uri, m->client_id,
					     MQTTCLIENT_PERSISTENCE_NONE, NULL, &co);
	if (rc != MQTTASYNC_SUCCESS) {
		m->client = NULL;
		e = fail(MQTT_ERR_PAHO, err, err_size, "cannot create the MQTT client for %s: %s",
			 m->uri, MQTTAsync_strerror(rc) ? MQTTAsync_strerror(rc) : "?");
		goto bad;
	}
	if ((rc = MQTTAsync_setCallbacks(m->client, m, on_connection_lost, on_message, NULL)) ||
	    (rc = MQTTAsync_setConnected(m->client, m, on_connected)) ||
	    (rc = MQTTAsync_setUpdateConnectOptions(m->client, m, on_reconnect_attempt)) ||
	    (m->version >= 5 && (rc = MQTTAsync_setDisconnected(m->client, m, on_disconnected5)))) {
		e = fail(MQTT_ERR_PAHO, err, err_size, "cannot set the MQTT callbacks: %s",
			 MQTTAsync_strerror(rc) ? MQTTAsync_strerror(rc) : "?");
		goto bad;
	}
	if (error)
		*error = MQTT_OK;
	return m;
bad:
	if (error)
		*error = e;
	mqtt_free(m);
	return NULL;
}

void mqtt_free(struct mqtt *m)
{
	if (!m)
		return;
	/* The watchdog first: it calls into the client. */
	worker_stop(&m->wd);
	/* Then the client: once destroyed, no callback can touch m. */
	if (m->client)
		MQTTAsync_destroy(&m->client);
	/* The prober pushes to the inbox: before it goes. */
	why_stop(m);
	inbox_free(m->inbox);
	while (m->batches) { /* never answered: the client is gone */
		struct staged_batch *b = m->batches;
		m->batches = b->next;
		free(b);
	}
	pthread_mutex_destroy(&m->batch_lock);
	worker_destroy(&m->wd);
	free(m->probe_filter);
	free(m->uri);
	free(m->where);
	free(m->host);
	free(m->client_id);
	free(m->filter);
	free(m->cafile);
	free(m->capath);
	free(m->cert);
	free(m->key);
	secret_free(m->key_password);
	free(m->will_topic);
	free(m->will_payload);
	free(m->fallback_buf);
	free(m->custom_buf);
	free(m->custom);
	free(m->custom_qos);
	worker_destroy(&m->why);
	free(m);
}

/* Builds Paho's connect options from the copied ones and starts an attempt
 * (mqtt_connect, and the watchdog's reconnection).  Paho copies them. */
static int start_connect(struct mqtt *m)
{
	MQTTAsync_connectOptions co = MQTTAsync_connectOptions_initializer;
	MQTTAsync_connectOptions co5 = MQTTAsync_connectOptions_initializer5;
	if (m->version >= 5) {
		co = co5;
		co.cleanstart = !m->keep_session;
	} else {
		co.cleansession = !m->keep_session;
	}
	/* Success is reported by on_connected (every connection, not only this
	 * attempt's); the handler takes failures only. */
	PAHO_ON(co, m->version >= 5, connect_answered);
	co.MQTTVersion = m->version >= 5 ? MQTTVERSION_5 : MQTTVERSION_3_1_1;
	co.keepAliveInterval = m->keepalive;
	co.connectTimeout = m->connect_timeout;
	co.automaticReconnect = 1;
	co.minRetryInterval = m->retry_min;
	co.maxRetryInterval = m->retry_max;
	co.context = m;

	MQTTAsync_willOptions will = MQTTAsync_willOptions_initializer;
	if (m->will_topic) {
		will.topicName = m->will_topic;
		will.message = m->will_payload;
		will.qos = m->will_qos;
		will.retained = m->will_retain;
		co.will = &will;
	}

	MQTTAsync_SSLOptions ssl = MQTTAsync_SSLOptions_initializer;
	if (m->tls) {
		ssl.trustStore = m->cafile;
		ssl.CApath = m->capath;
		ssl.keyStore = m->cert;
		ssl.privateKey = m->key;
		/* Never NULL: with NULL, OpenSSL's default callback would prompt
		 * for a passphrase on the terminal; "" just fails. */
		ssl.privateKeyPassword = m->key_password ? m->key_password : "";
		ssl.enableServerCertAuth = !m->insecure;
		ssl.verify = !m->insecure; /* host name check; Paho's default is off */
		ssl.sslVersion = MQTT_SSL_VERSION_DEFAULT;
		co.ssl = &ssl;
	}

	return MQTTAsync_connect(m->client, &co);
}

/* --- watchdog ------------------------------------------------------------
 *
 * Paho notices a dead broker late: PINGREQ after a keep-alive K without
 * traffic, the loss only after another K without PINGRESP (2-2.7 K
 * measured: 80 s at K = 30).  The watchdog, on its own thread so a busy main
 * loop cannot delay it and every mode has it: after K/2 with nothing from
 * the broker, an UNSUBSCRIBE of a filter never subscribed (every client may
 * send it; the broker must answer with an UNSUBACK, MQTT 3.1.1 3.10.4, 5
 * 3.10.4); after another K/2 with nothing at all from the broker, the
 * connection is reported lost (CONNECTION_LOST) and closed, and a new
 * connection is started: Paho's automatic reconnect never starts while it
 * believes the connection is up, and it stops after a disconnect we ask
 * for.  Worst case K + two ticks (tick K/16, 50 ms .. 1 s).
 *
 * Closing sends a DISCONNECT: if the broker was only paused it will not
 * publish the Last Will for this connection (the new one replaces it). */

/* The probe's UNSUBACK, or any answer: the broker is there.  MQTT 5 may
 * refuse the UNSUBSCRIBE (0x87...) or say 0x11 "no subscription existed":
 * answers too.  A 3.1.1 failure is the connection going away (an
 * UNSUBSCRIBE cannot be refused), reported by Paho or by the watchdog
 * itself: the deadline stands. */
static void probe_answered(void *ctx, const struct paho_answer *a)
{
	struct mqtt *m = ctx;
	if (a->ok || paho_refused(a, NULL)) {
		alive(m);
		atomic_store(&m->probe_ms, 0);
	}
}
PAHO_TWINS(probe_answered)

/* The watchdog's own disconnect: the socket is closed either way. */
static void drop_answered(void *ctx, const struct paho_answer *a)
{
	struct mqtt *m = ctx;
	(void)a;
	atomic_store(&m->drop_done, true);
}
PAHO_TWINS(drop_answered)

static void watchdog_probe(struct mqtt *m, long long now)
{
	MQTTAsync_responseOptions ro = MQTTAsync_responseOptions_initializer;
	ro.context = m;
	PAHO_ON(ro, m->version >= 5, probe_answered);
	atomic_store(&m->probe_ms, now);
	if (MQTTAsync_unsubscribe(m->client, m->probe_filter, &ro) != MQTTASYNC_SUCCESS)
		atomic_store(&m->probe_ms, 0); /* not connected after all: Paho reports it */
}

static void watchdog_drop(struct mqtt *m, long long silent_ms)
{
	char reason[REASON_SIZE];
	if (!atomic_exchange(&m->up, false))
		return; /* Paho reported the loss first */
	atomic_store(&m->ready, false);
	atomic_store(&m->attempts, 0);
	atomic_store(&m->probe_ms, 0);
	atomic_fetch_add(&m->watchdog_drops, 1);
	snprintf(reason, sizeof(reason),
		 "connection to %s lost: no answer from the broker for %.1f s (keep-alive %d s)",
		 m->where, (double)silent_ms / 1000.0, m->keepalive);
	push_failure(m, INBOX_CONNECTION_LOST, 0, reason, m->retry_min);

	/* Time-out 0: nothing in flight can finish on a dead connection. */
	MQTTAsync_disconnectOptions d = disconnect_options(m, 0);
	PAHO_ON(d, m->version >= 5, drop_answered);
	atomic_store(&m->drop_done, false);
	atomic_store(&m->dropping, true);
	if (MQTTAsync_disconnect(m->client, &d) != MQTTASYNC_SUCCESS)
		atomic_store(&m->drop_done, true); /* already closed: just connect */
}

/* One tick, under wd.lock (mqtt_disconnect takes it too: no reconnection
 * after the caller's disconnect). */
static void watchdog_step(struct mqtt *m)
{
	if (!atomic_load(&m->started))
		return;
	long long now = now_ms();
	if (atomic_load(&m->dropping)) {
		if (!atomic_load(&m->drop_done))
			return;
		if (start_connect(m) == MQTTASYNC_SUCCESS) /* else again next tick */
			atomic_store(&m->dropping, false);
		return;
	}
	if (!atomic_load(&m->up))
		return;
	long long rx = atomic_load(&m->rx_ms);
	switch (mqtt_watchdog_check(now, rx, atomic_load(&m->probe_ms), m->keepalive)) {
	case MQTT_WATCHDOG_PROBE:
		watchdog_probe(m, now);
		break;
	case MQTT_WATCHDOG_DROP:
		watchdog_drop(m, now - rx);
		break;
	case MQTT_WATCHDOG_WAIT:
		break;
	}
}

static void *watchdog_main(void *arg)
{
	struct mqtt *m = arg;
	long tick_ms = mqtt_watchdog_tick_ms(m->keepalive);

	pthread_mutex_lock(&m->wd.lock);
	while (!m->wd.stop) {
		struct timespec until;
		clock_gettime(CLOCK_MONOTONIC, &until);
		until.tv_nsec += (tick_ms % 1000) * 1000000L;
		until.tv_sec += tick_ms / 1000 + until.tv_nsec / 1000000000L;
		until.tv_nsec %= 1000000000L;
		pthread_cond_timedwait(&m->wd.cond, &m->wd.lock, &until);
		if (!m->wd.stop)
			watchdog_step(m);
	}
	pthread_mutex_unlock(&m->wd.lock);
	return NULL;
}

enum mqtt_error mqtt_connect(struct mqtt *m, char *err, size_t size)
{
	if (atomic_load(&m->started))
		return fail(MQTT_ERR_STATE, err, size, "already connecting or connected");

	if (m->tls) {
		struct mqtt_options o;
		mqtt_options_default(&o);
		o.cafile = m->cafile;
		o.capath = m->capath;
		o.cert = m->cert;
		o.key = m->key;
		o.key_password = m->key_password;
		enum mqtt_error e = mqtt_check_tls_files(&o, err, size);
		if (e)
			return e;
	}

	atomic_store(&m->ready, false);
	atomic_store(&m->attempts, 0);
	atomic_store(&m->connections, 0);
	if (m->tls) /* Paho's words remain without it */
		worker_start(&m->why, why_main, m, "TLS prober");

	/* Queued before Paho can report anything, so the order holds. */
	inbox_push(m->inbox, inbox_event_new(INBOX_CONNECTING));
	int rc = start_connect(m);
	if (rc != MQTTASYNC_SUCCESS) {
		char reason[REASON_SIZE];
		snprintf(reason, sizeof(reason), "cannot start connecting to %s: %s", m->uri,
			 MQTTAsync_strerror(rc) ? MQTTAsync_strerror(rc) : "?");
		push_failure(m, INBOX_CONNECT_FAILED, rc, reason, 0);
		return fail(MQTT_ERR_PAHO, err, size, "%s", reason);
	}
	atomic_store(&m->started, true);
	/* Paho's own keep-alive remains without it */
	worker_start(&m->wd, watchdog_main, m, "keep-alive watchdog");
	return MQTT_OK;
}

enum mqtt_error mqtt_publish(struct mqtt *m, const char *topic, const void *payload, size_t len,
			     bool retain, int *token, char *err, size_t size)
{
	return mqtt_publish_qos(m, topic, payload, len, 1, retain, true, token, err, size);
}

enum mqtt_error mqtt_publish_qos(struct mqtt *m, const char *topic, const void *payload, size_t len,
				 int qos, bool retain, bool track, int *token, char *err,
				 size_t size)
{
	if (token)
		*token = 0;
	if (!topic || !*topic || has_wildcard(topic))
		return fail(MQTT_ERR_INVALID, err, size, "cannot publish to \"%s\"",
			    topic ? topic : "");
	if (len > INT_MAX)
		return fail(MQTT_ERR_INVALID, err, size, "payload too large (%zu bytes)", len);
	if (qos < 0 || qos > 2)
		return fail(MQTT_ERR_INVALID, err, size, "QoS %d", qos);
	if (!atomic_load(&m->ready))
		return fail(MQTT_ERR_NOT_READY, err, size,
			    "not sent: the connection is not up and subscribed");

	MQTTAsync_message msg = MQTTAsync_message_initializer;
	msg.payload = (void *)payload; /* Paho copies it */
	msg.payloadlen = (int)len;
	msg.qos = qos;
	msg.retained = retain;

	MQTTAsync_responseOptions ro = MQTTAsync_responseOptions_initializer;
	ro.context = m;
	if (track)
		PAHO_ON(ro, m->version >= 5, publish_answered);
	else
		PAHO_ON(ro, m->version >= 5, publish_counted);
	/* Counted before Paho can complete it, so pending never goes negative. */
	atomic_fetch_add(&m->pub_sent, 1);
	if (track)
		atomic_store(&m->last_publish_ms, now_ms());
	int rc = MQTTAsync_sendMessage(m->client, topic, &msg, &ro);
	if (rc != MQTTASYNC_SUCCESS) {
		atomic_fetch_sub(&m->pub_sent, 1);
		return fail(rc == MQTTASYNC_DISCONNECTED ? MQTT_ERR_NOT_READY : MQTT_ERR_PAHO, err,
			    size, "not sent: %s",
			    MQTTAsync_strerror(rc) ? MQTTAsync_strerror(rc) : "?");
	}
	if (token)
		*token = ro.token;
	return MQTT_OK;
}

void mqtt_get_publish_stats(struct mqtt *m, struct mqtt_publish_stats *stats)
{
	/* completed/failed first: a callback between the loads can then only
	 * make pending look larger, never negative. */
	stats->completed = atomic_load(&m->pub_completed);
	stats->failed = atomic_load(&m->pub_failed);
	stats->sent = atomic_load(&m->pub_sent);
}

enum mqtt_error mqtt_disconnect(struct mqtt *m, int timeout_ms, char *err, size_t size)
{
	MQTTAsync_disconnectOptions d = disconnect_options(m, timeout_ms);
	PAHO_ON(d, m->version >= 5, disconnect_answered);
	atomic_store(&m->ready, false);
	pthread_mutex_lock(&m->wd.lock); /* no watchdog reconnection after this */
	atomic_store(&m->started, false);
	atomic_store(&m->up, false);
	atomic_store(&m->dropping, false);
	pthread_mutex_unlock(&m->wd.lock);
	/* A CONNECT_FAILED waiting for its probe goes before DISCONNECTED. */
	pthread_mutex_lock(&m->why.lock);
	why_release(m);
	pthread_mutex_unlock(&m->why.lock);
	int rc = MQTTAsync_disconnect(m->client, &d);
	if (rc == MQTTASYNC_DISCONNECTED) {
		/* Not connected (e.g. between reconnect attempts): Paho has
		 * stopped retrying all the same; say so in order. */
		inbox_push(m->inbox, inbox_event_new(INBOX_DISCONNECTED));
		return MQTT_OK;
	}
	if (rc != MQTTASYNC_SUCCESS)
		return fail(MQTT_ERR_PAHO, err, size, "disconnect: %s",
			    MQTTAsync_strerror(rc) ? MQTTAsync_strerror(rc) : "?");
	return MQTT_OK;
}

struct inbox *mqtt_inbox(struct mqtt *m)
{
	return m->inbox;
}

const char *mqtt_client_id(const struct mqtt *m)
{
	return m->client_id;
}

const char *mqtt_server_uri(const struct mqtt *m)
{
	return m->uri;
}

const char *mqtt_filter(const struct mqtt *m)
{
	return m->filter;
}
