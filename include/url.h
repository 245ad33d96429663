/* url — the one parser of broker URLs: drivr-console's -L/--url (and the
 * config file's url key), drivr-sim's -L and mqtt_options.url all go
 * through it, and the URI handed to Paho is built here too.  Pure.
 *
 *     scheme://host[:port][/]
 *
 *   scheme  mqtt or tcp (plain), mqtts or ssl (TLS); any letter case.
 *           ws:// and wss:// are refused (the console speaks MQTT over TCP).
 *   host    a name (letters, digits, '-', '.', '_'), an IPv4 address
 *           (all four numbers: "127.1" is refused), or an IPv6 address in
 *           brackets: [::1], [fe80::1%25eth0] (RFC 6874; "%eth0" too).
 *   port    1 to 65535; absent: 0 (the caller picks 1883 or 8883).
 *   path    none, "/", or the DRIVR reference's "/drivr/v1/" (which only
 *           names the topic root the console subscribes to anyway).  Any
 *           other path, a query or a fragment is refused, never taken
 *           as part of the host.
 *   user info ("user:pass@host") is refused, and error messages show the
 *           URL with it replaced by "***".
 *
 * Error messages start with the quoted URL (or host) and give the reason:
 * "\"mqtt://x:0\": port 0 is not between 1 and 65535"; callers prefix the
 * option's name.  docs/configuration.md lists the forms. */
#ifndef DRIVR_URL_H
#define DRIVR_URL_H

#include <stdbool.h>
#include <stddef.h>

#define URL_HOST_MAX 256

struct broker_url {
	bool tls;
	char host[URL_HOST_MAX]; /* without brackets; an IPv6 zone as "%eth0" */
	int port;                /* 0 when the URL has none */
};

/* Parses text into *out.  False with a message in err (err may be NULL). */
bool url_parse(const char *text, struct broker_url *out, char *err, size_t err_size);

/* A host given on its own (--host): a name, an IPv4 address, or an IPv6
 * address with or without brackets ("::1", "[::1]", "fe80::1%eth0").
 * Writes it without brackets.  False with a message in err. */
bool url_parse_host(const char *text, char *host, size_t host_size, char *err, size_t err_size);

/* The server URI for Paho: "tcp://host:port" or "ssl://host:port", an IPv6
 * host in brackets (exactly once).  host as url_parse() writes it.
 * Returns a malloc'd string. */
char *url_server_uri(bool tls, const char *host, int port);

/* "host:port", or "[v6]:port" (brackets exactly once), as messages name the
 * broker.  Returns a malloc'd string. */
char *url_authority(const char *host, int port);

#endif
