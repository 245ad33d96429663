/* tlsprobe — explains a failed TLS connection in OpenSSL's own words.
 *
 * Paho reports many TLS failures as a bare "connect failure": a broker that
 * requires a client certificate, one that rejects ours, a host name that does
 * not match.  When the first connection fails, the headless modes (and the
 * console, from a worker thread) repeat the handshake once with OpenSSL
 * directly, with the same files and checks, and read the broker's alert.
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

/* Connects, handshakes and waits briefly for the broker's verdict on our
 * certificate.  Returns true when the probe itself succeeded (no TLS problem
 * found) and false with a one-line reason otherwise, e.g.
 * "certificate verify failed: Hostname mismatch" or
 * "the broker requires a client certificate (tlsv13 alert certificate required)". */
bool tlsprobe_run(const struct tlsprobe_target *target, char *reason, size_t size);

#endif
