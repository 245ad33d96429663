/* mqtt — see include/mqtt.h.
 *
 * Threads: mqtt_* functions run on the main thread; the on_* callbacks run on
 * Paho's threads and do nothing but build an inbox item and push it (plus,
 * from the connected and SUBACK callbacks, queue the next subscribe, which
 * Paho allows from callbacks).  State shared with the callbacks is atomic or
 * under ssl_lock; everything else is written before the client exists. */
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
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <MQTTAsync.h>

#include "topics.h"
#include "url.h"
#include "util.h"

#define FALLBACK_MAX 32
#define SSL_ERR_SIZE 256  /* OpenSSL reasons of one attempt */
#define REASON_SIZE 1024  /* one event line */

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
	pthread_t wd_thread;
	bool wd_running;
	pthread_mutex_t wd_lock;
	pthread_cond_t wd_cond;
	bool wd_stop;
	char *probe_filter;
	atomic_bool up; /* connected, as far as the watchdog knows */
	atomic_llong rx_ms, probe_ms;
	atomic_bool dropping, drop_done;
	atomic_ullong watchdog_drops;
	/* Staged batches waiting for their SUBACK (freed by the callback, or
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

	/* What we learn about the current TLS attempt, guarded by ssl_lock:
	 * OpenSSL's queued errors (ssl_error_cb) and, from Paho's protocol
	 * trace, the handshake steps OpenSSL does not queue errors for. */
	pthread_mutex_t ssl_lock;
	char ssl_err[SSL_ERR_SIZE]; /* OpenSSL's reasons */
	char tls_alert[64];         /* an alert the broker sent ("unknown CA") */
	bool handshake_done;        /* the TLS handshake itself succeeded */
	bool host_check_failed;     /* Paho's X509_check_host said no ... */
	bool connect_sent;          /* ... and yet CONNECT went out (IP matched) */
};

/* Paho's trace callback has no context: the client whose attempt is being
 * traced (the console has one client). */
static _Atomic(struct mqtt *) trace_owner;

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

static void free_secret(char *s)
{
	if (s) {
		OPENSSL_cleanse(s, strlen(s));
		free(s);
	}
}

/* snprintf(dst, size, "%s", src) without the truncation warning: cutting
 * a reason short is what we want. */
static void copy_trunc(char *dst, size_t size, const char *src)
{
	if (!size)
		return;
	size_t n = strlen(src);
	if (n >= size)
		n = size - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
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

const char *mqtt_state_name(enum mqtt_state state)
{
	static const char *const names[] = {
#define X(id, name) [MQTT_STATE_##id] = name,
		MQTT_STATE_LIST(X)
#undef X
	};
	return (unsigned)state < MQTT_STATE_COUNT ? names[state] : "unknown";
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

/* --- status (main thread, pure) ---------------------------------------- */

void mqtt_status_init(struct mqtt_status *status)
{
	memset(status, 0, sizeof(*status));
	status->state = MQTT_STATE_IDLE;
}

static void set_reason(struct mqtt_status *s, const char *reason)
{
	snprintf(s->reason, sizeof(s->reason), "%s", reason ? reason : "");
}

static bool status_equal(const struct mqtt_status *a, const struct mqtt_status *b)
{
	return a->state == b->state && strcmp(a->reason, b->reason) == 0 && a->since == b->since &&
	       a->attempt == b->attempt && a->next_retry_at == b->next_retry_at &&
	       a->subscribed == b->subscribed && a->fallback == b->fallback &&
	       a->connections == b->connections;
}

bool mqtt_status_apply(struct mqtt_status *s, const struct inbox_item *item)
{
	struct mqtt_status before = *s;
	enum mqtt_state next = s->state;

	switch (item->kind) {
	case INBOX_CONNECTING:
		next = MQTT_STATE_CONNECTING;
		set_reason(s, NULL);
		s->attempt = 0;
		s->next_retry_at = 0;
		s->subscribed = s->fallback = false;
		break;
	case INBOX_CONNECTED:
		next = MQTT_STATE_CONNECTED;
		set_reason(s, NULL);
		s->attempt = 0;
		s->next_retry_at = 0;
		s->subscribed = s->fallback = false;
		s->connections++;
		break;
	case INBOX_CONNECT_FAILED:
	case INBOX_CONNECTION_LOST:
		next = item->kind == INBOX_CONNECT_FAILED ? MQTT_STATE_FAILED : MQTT_STATE_LOST;
		set_reason(s, item->u.failure.reason);
		s->next_retry_at = item->u.failure.retry_in_s > 0
					   ? item->time + item->u.failure.retry_in_s
					   : 0;
		s->subscribed = s->fallback = false;
		break;
	case INBOX_RECONNECTING:
		next = MQTT_STATE_RECONNECTING;
		s->attempt = item->u.reconnecting.attempt;
		if (item->u.reconnecting.last_error)
			set_reason(s, item->u.reconnecting.last_error);
		/* Counted from now: the attempt itself takes up to the connect
		 * time-out, so this is a lower bound. */
		s->next_retry_at = item->time + item->u.reconnecting.next_delay_s;
		break;
	case INBOX_SUBSCRIBED:
		/* count 0: the client subscribes to nothing (no_subscribe) and
		 * is ready as soon as it is connected. */
		if (item->u.subscribed.batch) {
			/* Staged: subscribed from the first batch granted on. */
			s->subscribed |= item->u.subscribed.granted > 0 && !item->u.subscribed.error;
			break;
		}
		s->subscribed = (item->u.subscribed.granted > 0 || item->u.subscribed.count == 0) &&
				!item->u.subscribed.error;
		s->fallback = item->u.subscribed.fallback;
		break;
	case INBOX_DISCONNECTED:
		next = MQTT_STATE_DISCONNECTED;
		s->next_retry_at = 0;
		s->subscribed = s->fallback = false;
		break;
	case INBOX_MESSAGE:
	case INBOX_DELIVERED:
	case INBOX_PUBLISH_FAILED:
	case INBOX_KIND_COUNT:
		return false;
	}
	if (next != s->state) {
		s->state = next;
		s->since = item->time;
	}
	return !status_equal(&before, s);
}

void mqtt_status_format(const struct mqtt_status *s, double now, char *buf, size_t size)
{
	long in = 0;
	if (s->next_retry_at > 0) {
		double d = s->next_retry_at - now;
		in = d > 0 ? (long)(d + 0.999) : 0;
	}

	switch (s->state) {
	case MQTT_STATE_CONNECTED:
		snprintf(buf, size, "connected%s", !s->subscribed ? ", subscribing"
					: s->fallback ? " (fallback subscriptions)" : "");
		break;
	case MQTT_STATE_FAILED:
	case MQTT_STATE_LOST:
		if (s->next_retry_at > 0)
			snprintf(buf, size, "%s: %s; reconnecting in %ld s", mqtt_state_name(s->state),
				 s->reason[0] ? s->reason : "no reason given", in);
		else
			snprintf(buf, size, "%s: %s", mqtt_state_name(s->state),
				 s->reason[0] ? s->reason : "no reason given");
		break;
	case MQTT_STATE_RECONNECTING:
		if (s->reason[0])
			snprintf(buf, size, "reconnecting (attempt %u, last: %s)", s->attempt, s->reason);
		else
			snprintf(buf, size, "reconnecting (attempt %u)", s->attempt);
		break;
	case MQTT_STATE_IDLE:
	case MQTT_STATE_CONNECTING:
	case MQTT_STATE_DISCONNECTED:
	case MQTT_STATE_COUNT:
		snprintf(buf, size, "%s", mqtt_state_name(s->state));
		break;
	}
}

/* --- failure reasons ---------------------------------------------------- */

/* OpenSSL error lines look like
 *   "40C7...:error:0A000086:SSL routines:tls_post_process_server_certificate:
 *    certificate verify failed:../ssl/statem/statem_clnt.c:1889:"
 * (1.1 and 3.x alike: code, library, function, reason, file, line, data).
 * Keeps the reason and any data; the rest is noise for an operator. */
static void ssl_line_reason(const char *line, size_t len, char *out, size_t size)
{
	char tmp[512];
	size_t n = len < sizeof(tmp) - 1 ? len : sizeof(tmp) - 1;
	memcpy(tmp, line, n);
	tmp[n] = '\0';
	while (n && (tmp[n - 1] == '\n' || tmp[n - 1] == '\r' || tmp[n - 1] == ' '))
		tmp[--n] = '\0';

	char *p = strstr(tmp, ":error:");
	if (p) {
		p += strlen(":error:");
		for (int skip = 0; skip < 3 && p; skip++) { /* code, library, function */
			p = strchr(p, ':');
			if (p)
				p++;
		}
	}
	if (!p || !*p) {
		copy_trunc(out, size, tmp);
		return;
	}
	char *reason = p, *rest = strchr(p, ':');
	if (rest) {
		*rest++ = '\0';
		/* skip file and line, keep the data */
		for (int skip = 0; skip < 2 && rest; skip++) {
			rest = strchr(rest, ':');
			if (rest)
				rest++;
		}
	}
	copy_trunc(out, size, reason);
	if (rest && *rest) {
		size_t used = strlen(out);
		if (used + 4 < size) {
			memcpy(out + used, " (", 2);
			copy_trunc(out + used + 2, size - used - 3, rest);
			strcat(out, ")");
		}
	}
}

/* Paho's ssl_error_cb (ERR_print_errors_cb): one call per queued OpenSSL
 * error, on whichever Paho thread runs the handshake.  Returns 1 so OpenSSL
 * goes on to the next error. */
static int on_ssl_error(const char *str, size_t len, void *u)
{
	struct mqtt *m = u;
	char reason[256];

	ssl_line_reason(str, len, reason, sizeof(reason));
	if (!reason[0])
		return 1;
	pthread_mutex_lock(&m->ssl_lock);
	if (!strstr(m->ssl_err, reason)) {
		size_t used = strlen(m->ssl_err);
		snprintf(m->ssl_err + used, sizeof(m->ssl_err) - used, "%s%s", used ? "; " : "",
			 reason);
	}
	pthread_mutex_unlock(&m->ssl_lock);
	return 1;
}

/* Forgets what was learnt about the previous attempt. */
static void tls_diag_reset(struct mqtt *m)
{
	pthread_mutex_lock(&m->ssl_lock);
	m->ssl_err[0] = '\0';
	m->tls_alert[0] = '\0';
	m->handshake_done = m->host_check_failed = m->connect_sent = false;
	pthread_mutex_unlock(&m->ssl_lock);
}

/* Paho's trace, at protocol level while a TLS attempt is in progress (see
 * trace_start): a few lines tell what OpenSSL's error queue does not — an
 * alert from the broker (client certificate missing or refused), and Paho's
 * own host name check, which fails without queuing an error.  Runs under
 * Paho's log lock: it must not call Paho. */
static void on_trace(enum MQTTASYNC_TRACE_LEVELS level, char *message)
{
	struct mqtt *m = atomic_load(&trace_owner);
	const char *p;
	(void)level;

	if (!m || !message)
		return;
	pthread_mutex_lock(&m->ssl_lock);
	if ((p = strstr(message, "SSL alert read:fatal:"))) {
		if (!m->tls_alert[0])
			copy_trunc(m->tls_alert, sizeof(m->tls_alert), p + strlen("SSL alert read:fatal:"));
	} else if (strstr(message, "SSL handshake done")) {
		m->handshake_done = true;
	} else if (strstr(message, "X509_check_host for hostname") && strstr(message, "failed")) {
		m->host_check_failed = true;
	} else if (strstr(message, "-> CONNECT")) {
		m->connect_sent = true;
	}
	pthread_mutex_unlock(&m->ssl_lock);
}

/* Traces a TLS attempt of m (see on_trace); plain TCP needs no trace.
 * on_trace stays installed for good (Paho reads the pointer without a lock
 * we share, so it is never changed while its threads run); only the level
 * moves, which is one int store and safe from Paho's callbacks too. */
static void trace_start(struct mqtt *m)
{
	if (!m->tls)
		return;
	atomic_store(&trace_owner, m);
	MQTTAsync_setTraceLevel(MQTTASYNC_TRACE_PROTOCOL);
}

/* Connected (or gone): at FATAL Paho formats and passes on nothing, so
 * messages cost no trace work. */
static void trace_stop(struct mqtt *m)
{
	struct mqtt *expected = m;
	if (atomic_compare_exchange_strong(&trace_owner, &expected, NULL))
		MQTTAsync_setTraceLevel(MQTTASYNC_TRACE_FATAL);
}

static bool alert_is(const char *alert, const char *what)
{
	return strcasecmp(alert, what) == 0;
}

/* The TLS reason of a failed attempt, if one is known; consumes it.
 * Returns false when nothing TLS-specific was seen. */
static bool tls_diagnosis(struct mqtt *m, char *buf, size_t size)
{
	char ssl[SSL_ERR_SIZE], alert[64];
	bool done, host_failed, sent;

	pthread_mutex_lock(&m->ssl_lock);
	copy_trunc(ssl, sizeof(ssl), m->ssl_err);
	copy_trunc(alert, sizeof(alert), m->tls_alert);
	done = m->handshake_done;
	host_failed = m->host_check_failed;
	sent = m->connect_sent;
	pthread_mutex_unlock(&m->ssl_lock);
	tls_diag_reset(m);
	if (!m->tls)
		return false;

	if (ssl[0]) {
		const char *hint = "";
		if (strstr(ssl, "certificate verify failed"))
			hint = m->cafile || m->capath
				       ? " (the broker's certificate is not signed by the given CA)"
				       : " (no CA file given: the system trust store was used)";
		snprintf(buf, size, "TLS handshake with %s failed: %s%s", m->where, ssl,
			 hint);
		return true;
	}
	if (alert[0]) {
		/* OpenSSL 3.0 names the TLS 1.3 "certificate required" alert "unknown". */
		if (!m->cert && (alert_is(alert, "unknown") || alert_is(alert, "certificate required") ||
				 alert_is(alert, "handshake failure")))
			snprintf(buf, size,
				 "TLS: the broker %s requires a client certificate and none was given "
				 "(alert \"%s\")",
				 m->where, alert);
		else if (m->cert && (alert_is(alert, "unknown CA") || alert_is(alert, "bad certificate") ||
				     alert_is(alert, "certificate unknown") ||
				     alert_is(alert, "certificate expired") ||
				     alert_is(alert, "certificate revoked") ||
				     alert_is(alert, "unsupported certificate") ||
				     alert_is(alert, "decrypt error") || alert_is(alert, "access denied")))
			snprintf(buf, size,
				 "TLS: the broker %s refused the client certificate %s (alert \"%s\")",
				 m->where, m->cert, alert);
		else
			snprintf(buf, size, "TLS: the broker %s ended the handshake (alert \"%s\")",
				 m->where, alert);
		return true;
	}
	if (done && host_failed && !sent && !m->insecure) {
		snprintf(buf, size,
			 "TLS: host name mismatch: the broker's certificate is not valid for \"%s\" "
			 "(connect with a name or address it was issued for)",
			 m->host);
		return true;
	}
	return false;
}

static const char *connack_reason(int code)
{
	switch (code) {
	case 1:
		return "unacceptable protocol version";
	case 2:
		return "client identifier rejected";
	case 3:
		return "server unavailable";
	case 4:
		return "bad user name or password";
	case 5:
		return "not authorized";
	}
	return NULL;
}

/* One line saying why a connection attempt failed, most specific first:
 * the TLS diagnosis, then the broker's answer, then Paho's words with a
 * hint for the usual causes. */
static void describe_connect_failure(struct mqtt *m, int code, const char *message, char *buf,
				     size_t size)
{
	if (tls_diagnosis(m, buf, size))
		return;

	/* A broker without MQTT 5 answers our v5 CONNECT as the 3.1.1 spec
	 * says, CONNACK return code 1 (Paho passes it as code 1, "CONNACK
	 * return code"); an MQTT 5 broker that will not speak 5 says 0x84. */
	if (m->version >= 5 && (code == 1 || code == MQTTREASONCODE_UNSUPPORTED_PROTOCOL_VERSION)) {
		snprintf(buf, size,
			 "the broker %s does not speak MQTT 5 (it refused protocol version 5): "
			 "connect with -V 311",
			 m->where);
		return;
	}

	const char *what = NULL;
	/* 1..5 under MQTT 5: the broker answered with an MQTT 3.1.1 CONNACK
	 * (Aedes does, refusing the version it does not speak). */
	if (code > 0 && (m->version < 5 || code <= 5))
		what = connack_reason(code);
	else if (code >= 0x80 && m->version >= 5)
		what = MQTTReasonCode_toString((enum MQTTReasonCodes)code);
	if (what) {
		snprintf(buf, size, "broker %s refused the connection: %s", m->where, what);
		return;
	}

	if (message && strstr(message, "completion failure")) {
		/* The socket closed after CONNECT went out. */
		/* Some brokers without MQTT 5 close the socket on a v5 CONNECT
		 * instead of answering it. */
		snprintf(buf, size, "the broker %s closed the connection before answering%s%s",
			 m->where, m->tls ? "" : " (a TLS port? then use mqtts://)",
			 m->version >= 5 ? " (a broker without MQTT 5? then -V 311)" : "");
	} else if (message && strstr(message, "connect failure")) {
		snprintf(buf, size,
			 "cannot connect to %s (connection refused, host unreachable%s)", m->where, m->tls ? ", or the TLS handshake failed" : "");
	} else if (message && strstr(message, "timeout")) {
		snprintf(buf, size, "no answer from %s within %d s", m->where,
			 m->connect_timeout);
	} else {
		const char *paho = code < 0 ? MQTTAsync_strerror(code) : NULL;
		snprintf(buf, size, "cannot connect to %s: %s", m->where,
			 message ? message : paho ? paho : "no reason given");
	}
}

/* --- Paho callbacks (Paho's threads) ------------------------------------ */

static int on_message(void *ctx, char *topic, int topic_len, MQTTAsync_message *msg)
{
	struct mqtt *m = ctx;
	alive(m);
	inbox_push_message(m->inbox, topic, topic_len, msg);
	return 1; /* ours now (freed by the consumer, or by the inbox when full) */
}

static void push_failure(struct mqtt *m, enum inbox_kind kind, int code, const char *reason,
			 int retry_in_s)
{
	struct inbox_item *item = inbox_event_new(kind);
	item->u.failure.code = code;
	item->u.failure.reason = xstrdup(reason);
	item->u.failure.retry_in_s = retry_in_s;
	inbox_push(m->inbox, item);
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
 * report through RECONNECTING. */
static bool initial_failure(struct mqtt *m)
{
	return atomic_load(&m->connections) == 0;
}

static void on_connect_failure(void *ctx, MQTTAsync_failureData *resp)
{
	struct mqtt *m = ctx;
	char reason[REASON_SIZE];
	int code = resp ? resp->code : MQTTASYNC_FAILURE;

	if (!initial_failure(m))
		return;
	describe_connect_failure(m, code, resp ? resp->message : NULL, reason, sizeof(reason));
	push_failure(m, INBOX_CONNECT_FAILED, code, reason, m->retry_min);
}

static void on_connect_failure5(void *ctx, MQTTAsync_failureData5 *resp)
{
	struct mqtt *m = ctx;
	char reason[REASON_SIZE];
	int code = MQTTASYNC_FAILURE;

	if (!initial_failure(m))
		return;
	if (resp) {
		bool v311_refusal = resp->reasonCode >= 1 && resp->reasonCode <= 5;
		code = resp->reasonCode >= 0x80 || v311_refusal ? (int)resp->reasonCode : resp->code;
	}
	describe_connect_failure(m, code, resp ? resp->message : NULL, reason, sizeof(reason));
	push_failure(m, INBOX_CONNECT_FAILED, code, reason, m->retry_min);
}

/* Before each automatic reconnect attempt (Paho holds its own lock here:
 * push only).  Returns 0: the connect data stays as it is. */
static int on_reconnect_attempt(void *ctx, MQTTAsync_connectData *data)
{
	struct mqtt *m = ctx;
	char last[REASON_SIZE];
	(void)data;

	unsigned attempt = atomic_fetch_add(&m->attempts, 1) + 1;
	struct inbox_item *item = inbox_event_new(INBOX_RECONNECTING);
	item->u.reconnecting.attempt = attempt;
	/* Paho's back-off: min, doubling per failed attempt, capped at max (±20 % jitter). */
	long delay = m->retry_min;
	for (unsigned i = 0; i < attempt && delay < m->retry_max; i++)
		delay *= 2;
	item->u.reconnecting.next_delay_s = (int)(delay < m->retry_max ? delay : m->retry_max);
	if (tls_diagnosis(m, last, sizeof(last)))
		item->u.reconnecting.last_error = xstrdup(last);
	trace_start(m); /* this attempt is traced like the first one */
	inbox_push(m->inbox, item);
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
	trace_stop(m);
	tls_diag_reset(m);
	alive(m); /* the CONNACK */
	atomic_store(&m->probe_ms, 0);
	atomic_store(&m->up, true);

	struct inbox_item *item = inbox_event_new(INBOX_CONNECTED);
	item->u.connected.reconnect = atomic_fetch_add(&m->connections, 1) > 0;
	item->u.connected.mqtt_version = m->version;
	inbox_push(m->inbox, item);

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

/* Pushes the SUBSCRIBED event of a round.  Filter 0 is the default filter;
 * with fallback, 1..n are the fallbacks with their results in qos[]. */
static void push_subscribed(struct mqtt *m, bool fallback, int primary_qos, const int *qos,
			    size_t n, const char *error)
{
	struct inbox_item *item = inbox_event_new(INBOX_SUBSCRIBED);
	size_t count = 1 + (fallback ? n : 0);

	item->u.subscribed.fallback = fallback;
	item->u.subscribed.count = count;
	item->u.subscribed.filters = xcalloc(count, sizeof(*item->u.subscribed.filters));
	item->u.subscribed.filters[0].filter = xstrdup(m->filter);
	item->u.subscribed.filters[0].qos = refused(primary_qos) ? INBOX_SUB_REFUSED : primary_qos;
	item->u.subscribed.filters[0].code = primary_qos;
	for (size_t i = 0; fallback && i < n; i++) {
		item->u.subscribed.filters[1 + i].filter = xstrdup(m->fallback[i]);
		item->u.subscribed.filters[1 + i].qos = refused(qos[i]) ? INBOX_SUB_REFUSED : qos[i];
		item->u.subscribed.filters[1 + i].code = qos[i];
	}
	for (size_t i = 0; i < count; i++) {
		if (item->u.subscribed.filters[i].qos == INBOX_SUB_REFUSED)
			item->u.subscribed.refused++;
		else
			item->u.subscribed.granted++;
	}
	if (error) {
		item->u.subscribed.error = xstrdup(error);
		item->u.subscribed.granted = 0;
	}
	if (item->u.subscribed.granted > 0 && !error)
		atomic_store(&m->ready, true);
	inbox_push(m->inbox, item);
}

/* qos NULL: every fallback got `fill` (a refusal code). */
static void fallback_done(struct mqtt *m, const int *qos, size_t n, int fill, const char *error)
{
	int all_refused[FALLBACK_MAX];
	if (!qos) {
		for (size_t i = 0; i < FALLBACK_MAX; i++)
			all_refused[i] = fill;
		qos = all_refused;
		n = m->fallback_count;
	}
	push_subscribed(m, true, atomic_load(&m->primary_code), qos, n, error);
}

static void on_fallback_ok(void *ctx, MQTTAsync_successData *resp)
{
	struct mqtt *m = ctx;
	alive(m);
	int qos[FALLBACK_MAX];
	size_t n = m->fallback_count;

	for (size_t i = 0; i < n; i++) {
		if (n == 1)
			qos[i] = resp ? resp->alt.qos : INBOX_SUB_REFUSED;
		else
			qos[i] = resp && resp->alt.qosList ? resp->alt.qosList[i] : INBOX_SUB_REFUSED;
	}
	fallback_done(m, qos, n, 0, NULL);
}

static void on_fallback_fail(void *ctx, MQTTAsync_failureData *resp)
{
	struct mqtt *m = ctx;
	int code = resp ? resp->code : MQTTASYNC_FAILURE;
	char error[REASON_SIZE];

	if (code == MQTT_BAD_SUBSCRIBE) {
		fallback_done(m, NULL, 0, MQTT_BAD_SUBSCRIBE, NULL); /* every fallback refused */
		return;
	}
	snprintf(error, sizeof(error), "fallback subscriptions failed: %s",
		 resp && resp->message ? resp->message : MQTTAsync_strerror(code));
	fallback_done(m, NULL, 0, INBOX_SUB_REFUSED, error);
}

static void on_fallback_ok5(void *ctx, MQTTAsync_successData5 *resp)
{
	struct mqtt *m = ctx;
	alive(m);
	int qos[FALLBACK_MAX];
	size_t n = m->fallback_count;

	for (size_t i = 0; i < n; i++) {
		if (!resp)
			qos[i] = INBOX_SUB_REFUSED;
		else if (n == 1) /* reasonCodes is left uninitialised for one filter */
			qos[i] = (int)resp->reasonCode;
		else if (resp->alt.sub.reasonCodes && resp->alt.sub.reasonCodeCount > (int)i)
			qos[i] = (int)resp->alt.sub.reasonCodes[i];
		else
			qos[i] = INBOX_SUB_REFUSED;
	}
	fallback_done(m, qos, n, 0, NULL);
}

static void on_fallback_fail5(void *ctx, MQTTAsync_failureData5 *resp)
{
	struct mqtt *m = ctx;
	char error[REASON_SIZE];

	if (resp && resp->reasonCode >= 0x80) {
		fallback_done(m, NULL, 0, (int)resp->reasonCode, NULL);
		return;
	}
	snprintf(error, sizeof(error), "fallback subscriptions failed: %s",
		 resp && resp->message ? resp->message
				       : MQTTAsync_strerror(resp ? resp->code : MQTTASYNC_FAILURE));
	fallback_done(m, NULL, 0, INBOX_SUB_REFUSED, error);
}

static void subscribe_fallback(struct mqtt *m)
{
	MQTTAsync_responseOptions ro = MQTTAsync_responseOptions_initializer;
	char error[REASON_SIZE];

	if (m->fallback_count == 0) {
		fallback_done(m, NULL, 0, INBOX_SUB_REFUSED,
			      "the default filter was refused and there is no fallback");
		return;
	}
	ro.context = m;
	if (m->version >= 5) {
		ro.onSuccess5 = on_fallback_ok5;
		ro.onFailure5 = on_fallback_fail5;
	} else {
		ro.onSuccess = on_fallback_ok;
		ro.onFailure = on_fallback_fail;
	}
	int rc = MQTTAsync_subscribeMany(m->client, (int)m->fallback_count, m->fallback,
					 m->fallback_qos, &ro);
	if (rc != MQTTASYNC_SUCCESS) {
		snprintf(error, sizeof(error), "fallback subscriptions not sent: %s",
			 MQTTAsync_strerror(rc));
		fallback_done(m, NULL, 0, INBOX_SUB_REFUSED, error);
	}
}

/* The default filter's SUBACK: granted → done; refused → the fallbacks. */
static void primary_result(struct mqtt *m, int qos)
{
	alive(m); /* a SUBACK */
	atomic_store(&m->primary_code, qos);
	if (refused(qos))
		subscribe_fallback(m);
	else
		push_subscribed(m, false, qos, NULL, 0, NULL);
}

static void primary_error(struct mqtt *m, int code, const char *message)
{
	char error[REASON_SIZE];
	snprintf(error, sizeof(error), "subscription to %s failed: %s", m->filter,
		 message ? message : MQTTAsync_strerror(code) ? MQTTAsync_strerror(code) : "?");
	push_subscribed(m, false, INBOX_SUB_REFUSED, NULL, 0, error);
}

static void on_primary_ok(void *ctx, MQTTAsync_successData *resp)
{
	/* 3.1.1: a refusal can come as success with granted QoS 0x80. */
	primary_result(ctx, resp ? resp->alt.qos : 1);
}

static void on_primary_fail(void *ctx, MQTTAsync_failureData *resp)
{
	int code = resp ? resp->code : MQTTASYNC_FAILURE;
	if (code == MQTT_BAD_SUBSCRIBE)
		primary_result(ctx, INBOX_SUB_REFUSED);
	else
		primary_error(ctx, code, resp ? resp->message : NULL);
}

static void on_primary_ok5(void *ctx, MQTTAsync_successData5 *resp)
{
	/* One filter: the answer is in reasonCode (alt.sub.reasonCodes is
	 * only filled, and only initialised, for two or more). */
	primary_result(ctx, resp ? (int)resp->reasonCode : 1);
}

static void on_primary_fail5(void *ctx, MQTTAsync_failureData5 *resp)
{
	if (resp && resp->reasonCode >= 0x80)
		primary_result(ctx, (int)resp->reasonCode);
	else
		primary_error(ctx, resp ? resp->code : MQTTASYNC_FAILURE, resp ? resp->message : NULL);
}

static void subscribe_primary(struct mqtt *m)
{
	MQTTAsync_responseOptions ro = MQTTAsync_responseOptions_initializer;

	ro.context = m;
	if (m->version >= 5) {
		ro.onSuccess5 = on_primary_ok5;
		ro.onFailure5 = on_primary_fail5;
	} else {
		ro.onSuccess = on_primary_ok;
		ro.onFailure = on_primary_fail;
	}
	int rc = MQTTAsync_subscribe(m->client, m->filter, 1, &ro);
	if (rc != MQTTASYNC_SUCCESS)
		primary_error(m, rc, NULL);
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

/* The SUBSCRIBED event of a batch; codes NULL: every filter got `fill`. */
static void staged_done(struct staged_batch *b, const int *codes, int fill, const char *error)
{
	struct mqtt *m = b->m;
	if (!error)
		alive(m); /* a SUBACK */
	struct inbox_item *item = inbox_event_new(INBOX_SUBSCRIBED);
	item->u.subscribed.batch = b->id;
	item->u.subscribed.count = b->count;
	item->u.subscribed.filters = xcalloc(b->count, sizeof(*item->u.subscribed.filters));
	for (size_t i = 0; i < b->count; i++) {
		int q = codes ? codes[i] : fill;
		item->u.subscribed.filters[i].filter = xstrdup(b->filters[i]);
		item->u.subscribed.filters[i].qos = refused(q) ? INBOX_SUB_REFUSED : q;
		item->u.subscribed.filters[i].code = q;
		if (refused(q))
			item->u.subscribed.refused++;
		else
			item->u.subscribed.granted++;
	}
	if (error) {
		item->u.subscribed.error = xstrdup(error);
		item->u.subscribed.granted = 0;
	}
	if (item->u.subscribed.granted > 0)
		atomic_store(&m->ready, true);
	staged_unlink(m, b);
	free(b);
	inbox_push(m->inbox, item);
}

static void on_staged_ok(void *ctx, MQTTAsync_successData *resp)
{
	struct staged_batch *b = ctx;
	int *codes = xcalloc(b->count, sizeof(int));
	for (size_t i = 0; i < b->count; i++) {
		if (b->count == 1)
			codes[i] = resp ? resp->alt.qos : INBOX_SUB_REFUSED;
		else
			codes[i] = resp && resp->alt.qosList ? resp->alt.qosList[i] : INBOX_SUB_REFUSED;
	}
	staged_done(b, codes, 0, NULL);
	free(codes);
}

static void on_staged_fail(void *ctx, MQTTAsync_failureData *resp)
{
	struct staged_batch *b = ctx;
	int code = resp ? resp->code : MQTTASYNC_FAILURE;
	char error[REASON_SIZE];
	if (code == MQTT_BAD_SUBSCRIBE) {
		staged_done(b, NULL, INBOX_SUB_REFUSED, NULL);
		return;
	}
	snprintf(error, sizeof(error), "%s",
		 resp && resp->message ? resp->message : MQTTAsync_strerror(code));
	staged_done(b, NULL, INBOX_SUB_REFUSED, error);
}

static void on_staged_ok5(void *ctx, MQTTAsync_successData5 *resp)
{
	struct staged_batch *b = ctx;
	int *codes = xcalloc(b->count, sizeof(int));
	for (size_t i = 0; i < b->count; i++) {
		if (!resp)
			codes[i] = INBOX_SUB_REFUSED;
		else if (b->count == 1) /* reasonCodes is only filled for two or more */
			codes[i] = (int)resp->reasonCode;
		else if (resp->alt.sub.reasonCodes && resp->alt.sub.reasonCodeCount > (int)i)
			codes[i] = (int)resp->alt.sub.reasonCodes[i];
		else
			codes[i] = INBOX_SUB_REFUSED;
	}
	staged_done(b, codes, 0, NULL);
	free(codes);
}

static void on_staged_fail5(void *ctx, MQTTAsync_failureData5 *resp)
{
	struct staged_batch *b = ctx;
	char error[REASON_SIZE];
	if (resp && resp->reasonCode >= 0x80) {
		staged_done(b, NULL, (int)resp->reasonCode, NULL);
		return;
	}
	snprintf(error, sizeof(error), "%s",
		 resp && resp->message ? resp->message
				       : MQTTAsync_strerror(resp ? resp->code : MQTTASYNC_FAILURE));
	staged_done(b, NULL, INBOX_SUB_REFUSED, error);
}

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

/* One SUBSCRIBE; the callbacks report it (and free b).  Paho's code: on
 * failure b is still the caller's. */
static int batch_send(struct staged_batch *b, const int *qos)
{
	struct mqtt *m = b->m;
	MQTTAsync_responseOptions ro = MQTTAsync_responseOptions_initializer;
	ro.context = b;
	if (m->version >= 5) {
		ro.onSuccess5 = on_staged_ok5;
		ro.onFailure5 = on_staged_fail5;
	} else {
		ro.onSuccess = on_staged_ok;
		ro.onFailure = on_staged_fail;
	}
	return MQTTAsync_subscribeMany(m->client, (int)b->count, b->filters, (int *)qos, &ro);
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
		snprintf(error, sizeof(error), "subscriptions not sent: %s", MQTTAsync_strerror(rc));
		staged_done(b, NULL, INBOX_SUB_REFUSED, error);
	}
}

/* --- publish outcomes --------------------------------------------------- */

/* A tracked publish that Paho discards because the connection closed within
 * this long after it went out counts as refused by the broker: mosquitto
 * closes the connection on a packet above its max_packet_size, and MQTT
 * 3.1.1 has no other way to say no.  A broker that merely went away in that
 * very moment would be taken for a refusal too; the message says "(too
 * large? not authorised?)" for that reason. */
#define REFUSAL_WINDOW_MS 2000

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

/* "packet too large (0x95)": Paho's name of an MQTT 5 reason code, as the
 * tail of a sentence, with the code the broker's log and docs use. */
static void reason_code_text(int rc, char *buf, size_t size)
{
	const char *name = MQTTReasonCode_toString((enum MQTTReasonCodes)rc);
	snprintf(buf, size, "%s (0x%02x)", name ? name : "unknown reason", (unsigned)rc);
	buf[0] = (char)tolower((unsigned char)buf[0]);
}

/* Paho discards a publish still waiting for its PUBACK when the connection
 * closes (MQTTASYNC_OPERATION_INCOMPLETE): right after it went out, that is
 * the broker refusing it.  Says why in reason. */
static bool closed_on_publish(struct mqtt *m, int code, char *reason, size_t size)
{
	long long now = now_ms();
	if ((code != MQTTASYNC_OPERATION_INCOMPLETE && code != MQTTASYNC_DISCONNECTED) ||
	    now - atomic_load(&m->last_publish_ms) > REFUSAL_WINDOW_MS)
		return false;
	int rc = atomic_load(&m->disconnect_code);
	if (rc >= 0x80 && now - atomic_load(&m->disconnect_ms) <= REFUSAL_WINDOW_MS) {
		char why[128];
		reason_code_text(rc, why, sizeof(why));
		snprintf(reason, size, "refused by the broker: it closed the connection on the publish: %s",
			 why);
	} else {
		snprintf(reason, size, "the broker closed the connection on the publish — refused "
				       "(too large? not authorised?)");
	}
	return true;
}

static void on_publish_ok(void *ctx, MQTTAsync_successData *resp)
{
	struct mqtt *m = ctx;
	alive(m);
	atomic_fetch_add(&m->pub_completed, 1);
	push_outcome(m, INBOX_DELIVERED, resp ? resp->token : 0, 0, false, NULL);
}

static void on_publish_fail(void *ctx, MQTTAsync_failureData *resp)
{
	struct mqtt *m = ctx;
	int code = resp ? resp->code : MQTTASYNC_FAILURE;
	const char *why = resp && resp->message ? resp->message : MQTTAsync_strerror(code);
	char reason[REASON_SIZE];

	atomic_fetch_add(&m->pub_failed, 1);
	bool refused = closed_on_publish(m, code, reason, sizeof(reason));
	if (!refused)
		snprintf(reason, sizeof(reason), "publish failed: %s", why ? why : "unknown error");
	push_outcome(m, INBOX_PUBLISH_FAILED, resp ? resp->token : 0, code, refused, reason);
}

/* MQTT 5: a PUBACK with a reason code >= 0x80 (mosquitto's
 * message_size_limit: "packet too large"; an ACL: "not authorized"). */
static void push_refused5(struct mqtt *m, int token, int rc)
{
	char why[128], reason[REASON_SIZE];
	reason_code_text(rc, why, sizeof(why));
	snprintf(reason, sizeof(reason), "refused by the broker: %s", why);
	push_outcome(m, INBOX_PUBLISH_FAILED, token, rc, true, reason);
}

static void on_publish_ok5(void *ctx, MQTTAsync_successData5 *resp)
{
	struct mqtt *m = ctx;
	alive(m);

	if (resp && resp->reasonCode >= 0x80) { /* PUBACK with a failure reason */
		atomic_fetch_add(&m->pub_failed, 1);
		push_refused5(m, resp->token, (int)resp->reasonCode);
		return;
	}
	atomic_fetch_add(&m->pub_completed, 1);
	push_outcome(m, INBOX_DELIVERED, resp ? resp->token : 0, 0, false, NULL);
}

static void on_publish_fail5(void *ctx, MQTTAsync_failureData5 *resp)
{
	struct mqtt *m = ctx;
	char reason[REASON_SIZE];
	int code = resp ? resp->code : MQTTASYNC_FAILURE;

	atomic_fetch_add(&m->pub_failed, 1);
	if (resp && resp->reasonCode >= 0x80) {
		push_refused5(m, resp->token, (int)resp->reasonCode);
		return;
	}
	bool refused = closed_on_publish(m, code, reason, sizeof(reason));
	if (!refused) {
		const char *why = resp && resp->message ? resp->message : MQTTAsync_strerror(code);
		snprintf(reason, sizeof(reason), "publish failed: %s", why ? why : "unknown error");
	}
	push_outcome(m, INBOX_PUBLISH_FAILED, resp ? resp->token : 0, code, refused, reason);
}

/* Untracked publishes (mqtt_publish_qos with track false): counted only. */
static void on_count_ok(void *ctx, MQTTAsync_successData *resp)
{
	struct mqtt *m = ctx;
	alive(m);
	(void)resp;
	atomic_fetch_add(&m->pub_completed, 1);
}

static void on_count_fail(void *ctx, MQTTAsync_failureData *resp)
{
	struct mqtt *m = ctx;
	(void)resp;
	atomic_fetch_add(&m->pub_failed, 1);
}

static void on_count_ok5(void *ctx, MQTTAsync_successData5 *resp)
{
	struct mqtt *m = ctx;
	alive(m);
	if (resp && resp->reasonCode >= 0x80)
		atomic_fetch_add(&m->pub_failed, 1);
	else
		atomic_fetch_add(&m->pub_completed, 1);
}

static void on_count_fail5(void *ctx, MQTTAsync_failureData5 *resp)
{
	struct mqtt *m = ctx;
	(void)resp;
	atomic_fetch_add(&m->pub_failed, 1);
}

static void on_disconnect_done(void *ctx, MQTTAsync_successData *resp)
{
	struct mqtt *m = ctx;
	(void)resp;
	inbox_push(m->inbox, inbox_event_new(INBOX_DISCONNECTED));
}

static void on_disconnect_fail(void *ctx, MQTTAsync_failureData *resp)
{
	struct mqtt *m = ctx;
	(void)resp; /* the socket is closed either way */
	inbox_push(m->inbox, inbox_event_new(INBOX_DISCONNECTED));
}

static void on_disconnect_done5(void *ctx, MQTTAsync_successData5 *resp)
{
	struct mqtt *m = ctx;
	(void)resp;
	inbox_push(m->inbox, inbox_event_new(INBOX_DISCONNECTED));
}

static void on_disconnect_fail5(void *ctx, MQTTAsync_failureData5 *resp)
{
	struct mqtt *m = ctx;
	(void)resp;
	inbox_push(m->inbox, inbox_event_new(INBOX_DISCONNECTED));
}

/* --- lifetime ----------------------------------------------------------- */

/* Paho reads MQTT_C_CLIENT_TRACE once, when its first client is created;
 * "ON" (or a file it cannot open) sends trace to stdout, over the UI.  So
 * the variables go before that.  The trace callback is ours (on_trace: it
 * keeps a few TLS facts, prints nothing); at level FATAL, outside TLS
 * connection attempts, Paho does not even format its records for it. */
static void paho_quiet_once(void)
{
	unsetenv("MQTT_C_CLIENT_TRACE");
	unsetenv("MQTT_C_CLIENT_TRACE_LEVEL");
	unsetenv("MQTT_C_CLIENT_TRACE_MAX_LINES");
	MQTTAsync_setTraceLevel(MQTTASYNC_TRACE_FATAL);
	MQTTAsync_setTraceCallback(on_trace);
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
	m->key_password = o->key_password ? xstrdup(o->key_password) : NULL;
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

	pthread_mutex_init(&m->ssl_lock, NULL);
	pthread_mutex_init(&m->batch_lock, NULL);
	pthread_mutex_init(&m->wd_lock, NULL);
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC); /* the tick's deadlines */
	pthread_cond_init(&m->wd_cond, &ca);
	pthread_condattr_destroy(&ca);
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

static void watchdog_stop(struct mqtt *m);

void mqtt_free(struct mqtt *m)
{
	if (!m)
		return;
	trace_stop(m);
	/* The watchdog first: it calls into the client. */
	watchdog_stop(m);
	/* Then the client: once destroyed, no callback can touch m. */
	if (m->client)
		MQTTAsync_destroy(&m->client);
	inbox_free(m->inbox);
	while (m->batches) { /* never answered: the client is gone */
		struct staged_batch *b = m->batches;
		m->batches = b->next;
		free(b);
	}
	pthread_mutex_destroy(&m->batch_lock);
	pthread_mutex_destroy(&m->wd_lock);
	pthread_cond_destroy(&m->wd_cond);
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
	free_secret(m->key_password);
	free(m->will_topic);
	free(m->will_payload);
	free(m->fallback_buf);
	free(m->custom_buf);
	free(m->custom);
	free(m->custom_qos);
	pthread_mutex_destroy(&m->ssl_lock);
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
		co.onFailure5 = on_connect_failure5;
	} else {
		co.cleansession = !m->keep_session;
		co.onFailure = on_connect_failure;
	}
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
		ssl.ssl_error_cb = on_ssl_error;
		ssl.ssl_error_context = m;
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

static void on_probe_ok(void *ctx, MQTTAsync_successData *resp)
{
	struct mqtt *m = ctx;
	(void)resp;
	alive(m);
	atomic_store(&m->probe_ms, 0);
}

/* 3.1.1: an UNSUBSCRIBE cannot be refused, so a failure is the connection
 * going away (reported by Paho or by the watchdog itself): the deadline
 * stands. */
static void on_probe_fail(void *ctx, MQTTAsync_failureData *resp)
{
	(void)ctx;
	(void)resp;
}

static void on_probe_ok5(void *ctx, MQTTAsync_successData5 *resp)
{
	struct mqtt *m = ctx;
	(void)resp; /* 0x11 "no subscription existed" included: an answer */
	alive(m);
	atomic_store(&m->probe_ms, 0);
}

static void on_probe_fail5(void *ctx, MQTTAsync_failureData5 *resp)
{
	struct mqtt *m = ctx;
	if (resp && resp->reasonCode >= 0x80) { /* refused (0x87...): still an answer */
		alive(m);
		atomic_store(&m->probe_ms, 0);
	}
}

static void on_drop_done(void *ctx, MQTTAsync_successData *resp)
{
	struct mqtt *m = ctx;
	(void)resp;
	atomic_store(&m->drop_done, true);
}

static void on_drop_fail(void *ctx, MQTTAsync_failureData *resp)
{
	struct mqtt *m = ctx;
	(void)resp; /* the socket is closed either way */
	atomic_store(&m->drop_done, true);
}

static void on_drop_done5(void *ctx, MQTTAsync_successData5 *resp)
{
	struct mqtt *m = ctx;
	(void)resp;
	atomic_store(&m->drop_done, true);
}

static void on_drop_fail5(void *ctx, MQTTAsync_failureData5 *resp)
{
	struct mqtt *m = ctx;
	(void)resp;
	atomic_store(&m->drop_done, true);
}

static void watchdog_probe(struct mqtt *m, long long now)
{
	MQTTAsync_responseOptions ro = MQTTAsync_responseOptions_initializer;
	ro.context = m;
	if (m->version >= 5) {
		ro.onSuccess5 = on_probe_ok5;
		ro.onFailure5 = on_probe_fail5;
	} else {
		ro.onSuccess = on_probe_ok;
		ro.onFailure = on_probe_fail;
	}
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

	MQTTAsync_disconnectOptions d = MQTTAsync_disconnectOptions_initializer;
	MQTTAsync_disconnectOptions d5 = MQTTAsync_disconnectOptions_initializer5;
	if (m->version >= 5) {
		d = d5;
		d.onSuccess5 = on_drop_done5;
		d.onFailure5 = on_drop_fail5;
	} else {
		d.onSuccess = on_drop_done;
		d.onFailure = on_drop_fail;
	}
	d.timeout = 0; /* nothing in flight can finish on a dead connection */
	d.context = m;
	atomic_store(&m->drop_done, false);
	atomic_store(&m->dropping, true);
	if (MQTTAsync_disconnect(m->client, &d) != MQTTASYNC_SUCCESS)
		atomic_store(&m->drop_done, true); /* already closed: just connect */
}

/* One tick, under wd_lock (mqtt_disconnect takes it too: no reconnection
 * after the caller's disconnect). */
static void watchdog_step(struct mqtt *m)
{
	if (!atomic_load(&m->started))
		return;
	long long now = now_ms(), half = m->keepalive * 500LL;
	if (atomic_load(&m->dropping)) {
		if (!atomic_load(&m->drop_done))
			return;
		trace_start(m);
		if (start_connect(m) == MQTTASYNC_SUCCESS) /* else again next tick */
			atomic_store(&m->dropping, false);
		return;
	}
	if (!atomic_load(&m->up))
		return;
	long long rx = atomic_load(&m->rx_ms), probe = atomic_load(&m->probe_ms);
	if (probe) {
		long long since = probe > rx ? probe : rx;
		if (now - since >= half)
			watchdog_drop(m, now - rx);
	} else if (now - rx >= half) {
		watchdog_probe(m, now);
	}
}

static void *watchdog_main(void *arg)
{
	struct mqtt *m = arg;
	long tick_ms = m->keepalive * 1000L / 16;
	tick_ms = tick_ms < 50 ? 50 : tick_ms > 1000 ? 1000 : tick_ms;

	pthread_mutex_lock(&m->wd_lock);
	while (!m->wd_stop) {
		struct timespec until;
		clock_gettime(CLOCK_MONOTONIC, &until);
		until.tv_nsec += (tick_ms % 1000) * 1000000L;
		until.tv_sec += tick_ms / 1000 + until.tv_nsec / 1000000000L;
		until.tv_nsec %= 1000000000L;
		pthread_cond_timedwait(&m->wd_cond, &m->wd_lock, &until);
		if (!m->wd_stop)
			watchdog_step(m);
	}
	pthread_mutex_unlock(&m->wd_lock);
	return NULL;
}

static void watchdog_start(struct mqtt *m)
{
	if (m->wd_running)
		return;
	m->wd_stop = false;
	m->wd_running = pthread_create(&m->wd_thread, NULL, watchdog_main, m) == 0;
	if (!m->wd_running) /* said, never silent: Paho's own keep-alive still works */
		fprintf(stderr, "drivr-console: cannot start the keep-alive watchdog: %s\n",
			strerror(errno));
}

static void watchdog_stop(struct mqtt *m)
{
	if (!m->wd_running)
		return;
	pthread_mutex_lock(&m->wd_lock);
	m->wd_stop = true;
	pthread_cond_signal(&m->wd_cond);
	pthread_mutex_unlock(&m->wd_lock);
	pthread_join(m->wd_thread, NULL);
	m->wd_running = false;
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
	tls_diag_reset(m);
	trace_start(m);

	/* Queued before Paho can report anything, so the order holds. */
	inbox_push(m->inbox, inbox_event_new(INBOX_CONNECTING));
	int rc = start_connect(m);
	if (rc != MQTTASYNC_SUCCESS) {
		char reason[REASON_SIZE];
		trace_stop(m);
		snprintf(reason, sizeof(reason), "cannot start connecting to %s: %s", m->uri,
			 MQTTAsync_strerror(rc) ? MQTTAsync_strerror(rc) : "?");
		push_failure(m, INBOX_CONNECT_FAILED, rc, reason, 0);
		return fail(MQTT_ERR_PAHO, err, size, "%s", reason);
	}
	atomic_store(&m->started, true);
	watchdog_start(m);
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
	if (m->version >= 5) {
		ro.onSuccess5 = track ? on_publish_ok5 : on_count_ok5;
		ro.onFailure5 = track ? on_publish_fail5 : on_count_fail5;
	} else {
		ro.onSuccess = track ? on_publish_ok : on_count_ok;
		ro.onFailure = track ? on_publish_fail : on_count_fail;
	}
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
	MQTTAsync_disconnectOptions d = MQTTAsync_disconnectOptions_initializer;
	MQTTAsync_disconnectOptions d5 = MQTTAsync_disconnectOptions_initializer5;

	if (m->version >= 5) {
		d = d5;
		d.onSuccess5 = on_disconnect_done5;
		d.onFailure5 = on_disconnect_fail5;
	} else {
		d.onSuccess = on_disconnect_done;
		d.onFailure = on_disconnect_fail;
	}
	d.timeout = timeout_ms > 0 ? timeout_ms : 0;
	d.context = m;
	atomic_store(&m->ready, false);
	pthread_mutex_lock(&m->wd_lock); /* no watchdog reconnection after this */
	atomic_store(&m->started, false);
	atomic_store(&m->up, false);
	atomic_store(&m->dropping, false);
	pthread_mutex_unlock(&m->wd_lock);
	trace_stop(m);
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
