/* url — see include/url.h.
 *
 * The inner checks write a bare reason ("port 0 is not between 1 and
 * 65535"); url_parse() and url_parse_host() put the quoted input in front,
 * so every message has the same shape. */
#include "url.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util.h"

#define REASON_SIZE 320

static bool reason(char *why, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why, REASON_SIZE, fmt, ap);
	va_end(ap);
	return false;
}

/* "\"<shown>\": <why>" into err; always false. */
static bool report(char *err, size_t err_size, const char *shown, const char *why)
{
	if (err && err_size)
		snprintf(err, err_size, "\"%s\": %s", shown, why);
	return false;
}

/* The URL as messages may show it: user info (which may hold a password)
 * replaced by "***". */
static void shown_url(const char *text, char *buf, size_t size)
{
	const char *sep = strstr(text, "://");
	const char *auth = sep ? sep + 3 : text;
	const char *end = auth + strcspn(auth, "/?#");
	const char *at = NULL;
	for (const char *p = auth; p < end; p++)
		if (*p == '@')
			at = p;
	if (at)
		snprintf(buf, size, "%.*s***%s", (int)(auth - text), text, at);
	else
		snprintf(buf, size, "%s", text);
}

static bool name_char(unsigned char c)
{
	return isalnum(c) || c == '-' || c == '.' || c == '_';
}

/* A host name or an IPv4 address.  Digits and dots alone must be a whole
 * dotted quad: the resolver would read "127.1" as 127.0.0.1. */
static bool check_name(const char *h, size_t len, char *why)
{
	if (len == 0)
		return reason(why, "no host");
	if (len >= URL_HOST_MAX)
		return reason(why, "host name longer than %d characters", URL_HOST_MAX - 1);
	bool numeric = true;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)h[i];
		if (!name_char(c))
			return isprint(c) ? reason(why, "'%c' cannot be part of a host name", c)
					  : reason(why, "byte 0x%02x cannot be part of a host name", c);
		if (!isdigit(c) && c != '.')
			numeric = false;
	}
	if (numeric) {
		char buf[URL_HOST_MAX];
		struct in_addr a;
		snprintf(buf, sizeof(buf), "%.*s", (int)len, h);
		if (inet_pton(AF_INET, buf, &a) != 1)
			return reason(why, "%s is not an IPv4 address (four numbers 0 to 255)", buf);
	}
	return true;
}

/* An IPv6 address (without brackets), optionally with a zone: "%25eth0" as
 * RFC 6874 writes it in URLs, or plain "%eth0".  Writes "addr%zone". */
static bool check_ipv6(const char *h, size_t len, char *host, size_t host_size, char *why)
{
	char addr[INET6_ADDRSTRLEN + 1], zone[IF_NAMESIZE];
	const char *pct = memchr(h, '%', len);
	size_t alen = pct ? (size_t)(pct - h) : len;
	zone[0] = '\0';

	if (alen == 0)
		return reason(why, "no host");
	if (alen >= sizeof(addr))
		return reason(why, "%.*s is not an IPv6 address", (int)alen, h);
	memcpy(addr, h, alen);
	addr[alen] = '\0';
	struct in6_addr a6;
	if (inet_pton(AF_INET6, addr, &a6) != 1) {
		if (!strchr(addr, ':'))
			return reason(why, "brackets are for IPv6 addresses only (write %s without them)",
				      addr);
		return reason(why, "%s is not an IPv6 address", addr);
	}
	if (pct) {
		const char *z = pct + 1, *zend = h + len;
		if (zend - z >= 2 && z[0] == '2' && z[1] == '5')
			z += 2;
		size_t zlen = (size_t)(zend - z);
		if (zlen == 0 || zlen >= sizeof(zone))
			return reason(why, "the IPv6 zone (after %%) must be an interface name");
		for (size_t i = 0; i < zlen; i++)
			if (!name_char((unsigned char)z[i]) && z[i] != '~')
				return reason(why, "the IPv6 zone (after %%) must be an interface name");
		memcpy(zone, z, zlen);
		zone[zlen] = '\0';
	}
	if (strlen(addr) + 1 + strlen(zone) >= host_size)
		return reason(why, "host too long");
	snprintf(host, host_size, zone[0] ? "%s%%%s" : "%s", addr, zone);
	return true;
}

static bool check_port(const char *p, size_t len, int *port, char *why)
{
	if (len == 0)
		return reason(why, "no port after ':'");
	long v = 0;
	for (size_t i = 0; i < len; i++) {
		if (!isdigit((unsigned char)p[i]))
			return reason(why, "port \"%.*s\" is not a number", (int)len, p);
		if (v <= 65535) /* stop growing: the range check below refuses it */
			v = v * 10 + (p[i] - '0');
	}
	if (v < 1 || v > 65535)
		return reason(why, "port %.*s is not between 1 and 65535", (int)len, p);
	*port = (int)v;
	return true;
}

/* "fe80" of "fe80::1", "" of "::1": a second ':' then means an IPv6 address
 * without brackets rather than a bad port. */
static bool looks_hex(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (!isxdigit((unsigned char)s[i]))
			return false;
	return true;
}

/* What may follow host[:port]. */
static bool check_rest(const char *rest, char *why)
{
	static const char *const accepted[] = { "", "/", "/drivr/v1", "/drivr/v1/" };
	for (size_t i = 0; i < ARRAY_LEN(accepted); i++)
		if (strcmp(rest, accepted[i]) == 0)
			return true;
	if (rest[0] == '/')
		return reason(why,
			      "path \"%s\": a broker URL has no path (only \"/\" or the reference's "
			      "\"/drivr/v1/\"; topics come from --slug)",
			      rest);
	return reason(why, "unexpected \"%s\" after the host and port", rest);
}

/* The scheme, up to "://": sets *tls, or writes why (shown: the URL as
 * messages may show it). */
static bool check_scheme(const char *text, const char *shown, const char **after, bool *tls,
			 char *why)
{
	static const struct {
		const char *name;
		bool tls;
	} schemes[] = { { "mqtt", false }, { "tcp", false }, { "mqtts", true }, { "ssl", true } };
	const char *sep = strstr(text, "://");
	if (!sep)
		return reason(why, "no scheme: write mqtt://%s (or mqtts://%s for TLS)", shown, shown);
	size_t n = (size_t)(sep - text);
	*after = sep + 3;
	for (size_t i = 0; i < ARRAY_LEN(schemes); i++) {
		if (strlen(schemes[i].name) == n && strncasecmp(text, schemes[i].name, n) == 0) {
			*tls = schemes[i].tls;
			return true;
		}
	}
	if ((n == 2 && strncasecmp(text, "ws", 2) == 0) || (n == 3 && strncasecmp(text, "wss", 3) == 0))
		return reason(why, "MQTT over WebSocket (ws://, wss://) is not supported: use "
				   "mqtt:// or mqtts://");
	return reason(why, "scheme \"%.*s\" is not one of mqtt://, mqtts://, tcp://, ssl://", (int)n,
		      text);
}

static bool parse_into(const char *text, const char *shown, struct broker_url *out, char *why)
{
	if (!*text)
		return reason(why, "empty URL");
	for (const char *p = text; *p; p++)
		if ((unsigned char)*p <= ' ' || *p == 0x7f)
			return reason(why, "spaces and control characters do not belong in a URL");

	const char *auth = NULL;
	if (!check_scheme(text, shown, &auth, &out->tls, why))
		return false;
	const char *auth_end = auth + strcspn(auth, "/?#");
	if (memchr(auth, '@', (size_t)(auth_end - auth)))
		return reason(why, "user names and passwords are not supported in the URL (the "
				   "console authenticates with --cert and --key)");

	const char *p; /* after the host */
	if (*auth == '[') {
		const char *close = memchr(auth, ']', (size_t)(auth_end - auth));
		if (!close)
			return reason(why, "missing ']' after the IPv6 address");
		if (!check_ipv6(auth + 1, (size_t)(close - auth - 1), out->host, sizeof(out->host),
				why))
			return false;
		p = close + 1;
		if (p < auth_end && *p != ':')
			return reason(why, "unexpected \"%.*s\" after ']'", (int)(auth_end - p), p);
	} else {
		const char *colon = memchr(auth, ':', (size_t)(auth_end - auth));
		p = colon ? colon : auth_end;
		if (colon && memchr(colon + 1, ':', (size_t)(auth_end - colon - 1)) &&
		    looks_hex(auth, (size_t)(colon - auth)))
			return reason(why, "an IPv6 address goes in brackets, as in mqtt://[::1]:1883");
		if (!check_name(auth, (size_t)(p - auth), why))
			return false;
		memcpy(out->host, auth, (size_t)(p - auth));
		out->host[p - auth] = '\0';
	}

	out->port = 0;
	if (p < auth_end && !check_port(p + 1, (size_t)(auth_end - p - 1), &out->port, why))
		return false;
	return check_rest(auth_end, why);
}

bool url_parse(const char *text, struct broker_url *out, char *err, size_t err_size)
{
	char why[REASON_SIZE], shown[REASON_SIZE];
	memset(out, 0, sizeof(*out));
	if (!text) {
		if (err && err_size)
			snprintf(err, err_size, "no URL");
		return false;
	}
	shown_url(text, shown, sizeof(shown));
	if (parse_into(text, shown, out, why))
		return true;
	memset(out, 0, sizeof(*out));
	return report(err, err_size, shown, why);
}

bool url_parse_host(const char *text, char *host, size_t host_size, char *err, size_t err_size)
{
	char why[REASON_SIZE];
	size_t len = text ? strlen(text) : 0;
	bool ok;
	if (len == 0) {
		ok = reason(why, "no host");
	} else if (text[0] == '[') {
		ok = text[len - 1] == ']' ? check_ipv6(text + 1, len - 2, host, host_size, why)
					  : reason(why, "missing ']' after the IPv6 address");
	} else if (strchr(text, ':')) {
		ok = check_ipv6(text, len, host, host_size, why);
	} else {
		ok = check_name(text, len, why);
		if (ok && len >= host_size)
			ok = reason(why, "host too long");
		if (ok)
			memcpy(host, text, len + 1);
	}
	return ok || report(err, err_size, text ? text : "", why);
}

char *url_authority(const char *host, int port)
{
	/* url_parse() strips the brackets; never add a second pair. */
	bool bracket = strchr(host, ':') && host[0] != '[';
	size_t size = strlen(host) + 16;
	char *text = xmalloc(size);
	snprintf(text, size, bracket ? "[%s]:%d" : "%s:%d", host, port);
	return text;
}

char *url_server_uri(bool tls, const char *host, int port)
{
	char *authority = url_authority(host, port);
	size_t size = strlen(authority) + 8;
	char *uri = xmalloc(size);
	snprintf(uri, size, "%s://%s", tls ? "ssl" : "tcp", authority);
	free(authority);
	return uri;
}
