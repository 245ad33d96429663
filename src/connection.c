/* connection — see include/connection.h. */
#include "connection.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>


#include "loadplan.h"
#include "secret.h"
#include "util.h"

/* --key-pass-file, else DRIVR_KEY_PASSPHRASE: a new string, NULL when
 * neither is set.  False when the file cannot be read (err says why). */
static bool read_passphrase(const struct config *c, char **passphrase, char *err, size_t size)
{
	*passphrase = NULL;
	if (c->key_pass_file) {
		/* the secrets' one rule: the first line, an empty one refused */
		*passphrase = secret_read_line(c->key_pass_file, "--key-pass-file", err, size);
		return *passphrase != NULL;
	}
	const char *env = getenv("DRIVR_KEY_PASSPHRASE");
	*passphrase = secret_dup(env);
	return true;
}

bool connection_options(const struct config *c, struct mqtt_options *o, char **passphrase,
			char *err, size_t err_size)
{
	mqtt_options_default(o);
	o->host = c->host;
	o->port = (int)c->port;
	o->tls = config_uses_tls(c);
	o->client_id = c->client_id;
	o->cafile = c->cafile;
	o->capath = c->capath;
	o->cert = c->cert;
	o->key = c->key;
	o->insecure = c->insecure;
	/* Every start, every mode, before a screen is taken: the connection
	 * is encrypted but anyone in the path can pose as the broker. */
	if (o->tls && o->insecure)
		fprintf(stderr, "drivr-console: warning: --insecure: the broker's certificate and "
				"host name are not verified (TLS:unverified)\n");
	o->keepalive_s = (int)c->keepalive;
	o->mqtt_version = c->protocol && strchr(c->protocol, '5') ? 5 : 4;
	o->will_topic = c->will_topic;
	o->will_payload = c->will_payload;
	o->slug = c->slug;
	o->keep_session = c->keep_session;
	o->staged = !c->single_subscription;
	size_t store_bytes;
	config_memory_split(c, &o->inbox_max_bytes, &store_bytes);
	if (!read_passphrase(c, passphrase, err, err_size))
		return false;
	o->key_password = *passphrase;
	return true;
}

enum connection_failure connection_open(struct connection *conn, const struct config *c)
{
	char err[512];
	enum mqtt_error e;

	memset(conn, 0, sizeof(*conn));
	if (!connection_options(c, &conn->opts, &conn->passphrase, err, sizeof(err))) {
		fprintf(stderr, "drivr-console: %s\n", err);
		return CONNECTION_BAD_OPTION;
	}
	conn->mqtt = mqtt_new(&conn->opts, &e, err, sizeof(err));
	if (conn->mqtt)
		e = mqtt_connect(conn->mqtt, err, sizeof(err));
	if (e == MQTT_OK)
		return CONNECTION_OK;
	fprintf(stderr, "drivr-console: %s\n", err);
	connection_close(conn, false);
	/* An option the client refuses (a URL, a host, a will topic) is a bad
	 * option; a TLS file or passphrase that does not work, like anything
	 * the client cannot do, is a failed connection. */
	switch (e) {
	case MQTT_ERR_INVALID:
	case MQTT_ERR_URL:
		return CONNECTION_BAD_OPTION;
	default:
		return CONNECTION_FAILED;
	}
}

void connection_close(struct connection *conn, bool disconnect)
{
	char err[256];
	if (conn->mqtt) {
		if (disconnect)
			mqtt_disconnect(conn->mqtt, 1000, err, sizeof(err));
		mqtt_free(conn->mqtt);
		conn->mqtt = NULL;
	}
	secret_free(conn->passphrase);
	conn->passphrase = NULL;
	conn->opts.key_password = NULL;
}

const char *connection_tls(const struct connection *conn)
{
	if (!conn->opts.tls)
		return "off";
	return conn->opts.insecure ? "unverified" : "verified";
}

void connection_say_failed(const struct connection *conn, const char *reason, const char *suffix)
{
	fprintf(stderr, "drivr-console: cannot connect to %s: %s%s\n", mqtt_server_uri(conn->mqtt),
		reason, suffix ? suffix : "");
}

struct load_plan *connection_load_plan(const struct config *c, const struct topic_table *topics)
{
	if (c->single_subscription)
		return NULL;
	struct load_options lo;
	load_options_default(&lo);
	lo.budget = (size_t)c->load_budget;
	lo.final_quiet_s = c->settle;
	if (c->keep_session) /* the broker queues for a kept session: QoS 1 throughout */
		lo.state_qos = 1;
	lo.share_group = c->share; /* NULL: every stage plain */
	struct load_plan *plan = load_plan_new(topics, c->slug, &lo);
	load_plan_scope(plan, (const char *const *)c->scope, c->scope_count);
	return plan;
}
