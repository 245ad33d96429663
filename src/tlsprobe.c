/* tlsprobe — see include/tlsprobe.h. */
#include "tlsprobe.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

/* A TCP connection bounded by timeout_ms; -1 with errno's text in reason. */
static int connect_bounded(const char *host, int port, int timeout_ms, char *reason, size_t size)
{
	char service[16];
	snprintf(service, sizeof(service), "%d", port);
	struct addrinfo hints, *res = NULL;
	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	int rc = getaddrinfo(host, service, &hints, &res);
	if (rc != 0) {
		snprintf(reason, size, "cannot resolve %s: %s", host, gai_strerror(rc));
		return -1;
	}
	int fd = -1, err = 0;
	for (struct addrinfo *ai = res; ai && fd < 0; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
		if (fd < 0) {
			err = errno;
			continue;
		}
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) < 0 && errno != EINPROGRESS) {
			err = errno;
			close(fd);
			fd = -1;
			continue;
		}
		struct pollfd pfd = { fd, POLLOUT, 0 };
		socklen_t len = sizeof(err);
		if (poll(&pfd, 1, timeout_ms) != 1) {
			err = ETIMEDOUT;
		} else if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0) {
			err = errno;
		}
		if (err) {
			close(fd);
			fd = -1;
		}
	}
	freeaddrinfo(res);
	if (fd < 0) {
		snprintf(reason, size, "cannot connect to %s:%d: %s", host, port, strerror(err));
		return -1;
	}
	/* Blocking from here on, with time-outs for every read and write. */
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	struct timeval tv = { timeout_ms / 1000, (timeout_ms % 1000) * 1000 };
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	return fd;
}

/* The most specific OpenSSL error queued, as text ("" when none). */
static void last_ssl_error(char *buf, size_t size)
{
	unsigned long e, last = 0;
	while ((e = ERR_get_error()) != 0)
		last = e;
	buf[0] = '\0';
	if (last) {
		const char *r = ERR_reason_error_string(last);
		snprintf(buf, size, "%s", r ? r : "unknown OpenSSL error");
	}
}

/* Never let OpenSSL prompt on the terminal for a passphrase. */
static int password_cb(char *buf, int size, int rwflag, void *userdata)
{
	(void)rwflag;
	const char *pw = userdata ? userdata : "";
	int n = (int)strlen(pw);
	if (n >= size)
		n = size - 1;
	memcpy(buf, pw, (size_t)n);
	return n;
}

static bool setup_ctx(SSL_CTX *ctx, const struct tlsprobe_target *t, char *reason, size_t size)
{
	char err[256];
	SSL_CTX_set_default_passwd_cb(ctx, password_cb);
	SSL_CTX_set_default_passwd_cb_userdata(ctx, (void *)(t->key_password ? t->key_password : ""));
	if ((t->cafile || t->capath) &&
	    !SSL_CTX_load_verify_locations(ctx, t->cafile, t->capath)) {
		last_ssl_error(err, sizeof(err));
		snprintf(reason, size, "cannot load CA %s: %s", t->cafile ? t->cafile : t->capath, err);
		return false;
	}
	if (!t->cafile && !t->capath)
		SSL_CTX_set_default_verify_paths(ctx);
	if (t->cert && SSL_CTX_use_certificate_chain_file(ctx, t->cert) != 1) {
		last_ssl_error(err, sizeof(err));
		snprintf(reason, size, "cannot use certificate %s: %s", t->cert, err);
		return false;
	}
	if (t->key && SSL_CTX_use_PrivateKey_file(ctx, t->key, SSL_FILETYPE_PEM) != 1) {
		last_ssl_error(err, sizeof(err));
		snprintf(reason, size, "cannot use key %s: %s", t->key, err);
		return false;
	}
	SSL_CTX_set_verify(ctx, t->insecure ? SSL_VERIFY_NONE : SSL_VERIFY_PEER, NULL);
	return true;
}

/* Explains a verification failure: OpenSSL's verify result is precise
 * ("certificate has expired", "unable to get local issuer certificate"),
 * with what an operator can do about it. */
static void explain_verify(SSL *ssl, const struct tlsprobe_target *t, char *reason, size_t size)
{
	long v = SSL_get_verify_result(ssl);
	const char *hint = "";
	switch (v) {
	case X509_V_ERR_HOSTNAME_MISMATCH:
	case X509_V_ERR_IP_ADDRESS_MISMATCH:
		snprintf(reason, size,
			 "certificate verify failed: host name mismatch (the broker's certificate "
			 "is not issued for \"%s\": connect with a name or address it was issued for)",
			 t->host);
		return;
	case X509_V_ERR_CERT_HAS_EXPIRED:
	case X509_V_ERR_CERT_NOT_YET_VALID:
		hint = " (the broker's certificate is outside its validity dates: renew it, or check "
		       "the clocks)";
		break;
	case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
	case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
	case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
	case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
	case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
		hint = t->cafile || t->capath
			       ? " (the broker's certificate is not signed by the given CA: check --cafile)"
			       : " (no --cafile given: the system trust store was used)";
		break;
	}
	snprintf(reason, size, "certificate verify failed: %s%s", X509_verify_cert_error_string(v),
		 hint);
}

/* The broker's alert, after our certificate (or its absence) was judged. */
static void explain_alert(const struct tlsprobe_target *t, const char *err, char *reason,
			  size_t size)
{
	if (!t->cert)
		snprintf(reason, size,
			 "the broker requires a client certificate (%s); give --cert and --key", err);
	else
		snprintf(reason, size, "the broker refused the client certificate %s (%s)", t->cert,
			 err);
}

/* After the handshake, how long a TLS 1.3 broker may take to judge our
 * certificate before we take silence for acceptance. */
#define ALERT_WAIT_MS 1000

enum tlsprobe_result tlsprobe_run(const struct tlsprobe_target *t, char *reason, size_t size)
{
	int timeout = t->timeout_ms > 0 ? t->timeout_ms : 3000;
	int fd = connect_bounded(t->host, t->port, timeout, reason, size);
	if (fd < 0)
		return TLSPROBE_UNREACHABLE;
	ERR_clear_error();
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
	SSL *ssl = NULL;
	enum tlsprobe_result result = TLSPROBE_FAILED;
	char err[256];
	if (!ctx) {
		snprintf(reason, size, "OpenSSL cannot create a TLS context");
		goto out;
	}
	if (!setup_ctx(ctx, t, reason, size))
		goto out;
	ssl = SSL_new(ctx);
	SSL_set_fd(ssl, fd);
	SSL_set_tlsext_host_name(ssl, t->host);
	if (!t->insecure) {
		/* The same host check Paho's verify=1 makes: name or IP address. */
		X509_VERIFY_PARAM *param = SSL_get0_param(ssl);
		if (!X509_VERIFY_PARAM_set1_ip_asc(param, t->host))
			SSL_set1_host(ssl, t->host);
	}
	if (SSL_connect(ssl) != 1) {
		last_ssl_error(err, sizeof(err));
		if (SSL_get_verify_result(ssl) != X509_V_OK)
			explain_verify(ssl, t, reason, size);
		else if (strstr(err, "certificate required") || strstr(err, "handshake failure") ||
			 strstr(err, "unknown ca") || strstr(err, "bad certificate") ||
			 strstr(err, "certificate unknown"))
			explain_alert(t, err, reason, size);
		else if (err[0])
			snprintf(reason, size, "handshake failed: %s", err);
		else
			snprintf(reason, size, "the broker closed the connection during the handshake "
					       "(not a TLS port? then mqtt://)");
		goto out;
	}
	/* TLS 1.3: the broker judges our certificate after the handshake; its
	 * alert arrives on the first read.  A time-out means it accepted us. */
	struct timeval tv = { ALERT_WAIT_MS / 1000, (ALERT_WAIT_MS % 1000) * 1000 };
	if (timeout < ALERT_WAIT_MS)
		tv = (struct timeval){ timeout / 1000, (timeout % 1000) * 1000 };
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	char byte;
	int n = SSL_read(ssl, &byte, 1);
	if (n <= 0 && SSL_get_error(ssl, n) == SSL_ERROR_SSL) {
		last_ssl_error(err, sizeof(err));
		explain_alert(t, err, reason, size);
		goto out;
	}
	result = TLSPROBE_ACCEPTED;
	snprintf(reason, size, "TLS handshake succeeded");
out:
	if (ssl)
		SSL_free(ssl);
	SSL_CTX_free(ctx);
	close(fd);
	ERR_clear_error();
	return result;
}
