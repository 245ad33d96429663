/* tlsprobe — explains a failed TLS connection in OpenSSL's own words.
 *
 * Paho reports every TLS failure as a bare "connect failure": a server
 * certificate of an unknown CA, one that has expired or names another host,
 * a broker that requires a client certificate or rejects ours.  The client
 * (mqtt.c) repeats the handshake with OpenSSL directly, with the same files
 * and checks, and reads the verify result and the broker's alert: the one
 * mechanism for every mode, independent of Paho's version and its trace.
 * Blocking, bounded by a time-out; no Paho involved. */
#ifndef DRIVR_TLSPROBE_H
#define DRIVR_TLSPROBE_H

#include <stdbool.h>
#include <stddef.h>

struct tlsprobe_target {
	const char *host;
	int port;
	const char *cafile, *capath, *cert, *key, *key_password;
	bool insecure;
	int timeout_ms; /* for connect, handshake and the wait for an alert */
};

enum tlsprobe_result {
	TLSPROBE_ACCEPTED,    /* the handshake went through and the broker kept us */
	TLSPROBE_UNREACHABLE, /* no TCP connection: nothing learnt about TLS */
	TLSPROBE_FAILED,      /* the TLS handshake failed, or the broker refused us */
};

/* Connects, handshakes and waits briefly (at most a second) for the
 * broker's verdict on our certificate.  reason gets one line in every case,
 * e.g. "certificate verify failed: certificate has expired (...)",
 * "certificate verify failed: host name mismatch (...)" or
 * "the broker requires a client certificate (...)". */
enum tlsprobe_result tlsprobe_run(const struct tlsprobe_target *target, char *reason, size_t size);

#endif
