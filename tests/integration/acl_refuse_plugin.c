/* A mosquitto plugin for tests: refuses SUBSCRIBE to the filters given as
 * plugin_opt_deny (space separated), allows everything else.
 *
 * plugin_opt_retained_only_for TOPIC: retained messages are delivered only
 * on TOPIC (the one exact filter the console subscribes to), as RabbitMQ
 * before 3.12 does for every wildcard subscription; live messages pass.
 *
 * plugin_opt_deny_publish PREFIX/#...: a PUBLISH from a client to a topic
 * under one of these (space separated) is refused, as an ACL refuses it —
 * mosquitto answers an MQTT 5 client with PUBACK 0x87 "not authorized" and
 * drops the message silently for MQTT 3.1.1. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mosquitto.h>
#include <mosquitto_broker.h>
#include <mosquitto_plugin.h>

static mosquitto_plugin_id_t *plugin_id;
static char *denied;
static char *retained_only_for;
static char *denied_publish;

/* topic under one of the space-separated "prefix/#" filters (or equal to one without "#") */
static int under_any(const char *filters, const char *topic)
{
	char *copy = strdup(filters), *save = NULL;
	int hit = 0;
	for (char *f = strtok_r(copy, " ", &save); f && !hit; f = strtok_r(NULL, " ", &save)) {
		size_t n = strlen(f);
		if (n >= 1 && f[n - 1] == '#')
			hit = strncmp(f, topic, n - 1) == 0;
		else
			hit = strcmp(f, topic) == 0;
	}
	free(copy);
	return hit;
}

static int on_acl_check(int event, void *event_data, void *userdata)
{
	struct mosquitto_evt_acl_check *ed = event_data;
	(void)event;
	(void)userdata;
	if (ed->access == MOSQ_ACL_READ && retained_only_for && ed->retain &&
	    strcmp(ed->topic, retained_only_for) != 0)
		return MOSQ_ERR_ACL_DENIED;
	if (ed->access == MOSQ_ACL_WRITE && denied_publish && under_any(denied_publish, ed->topic))
		return MOSQ_ERR_ACL_DENIED;
	if (ed->access != MOSQ_ACL_SUBSCRIBE || !denied)
		return MOSQ_ERR_SUCCESS;
	char *copy = strdup(denied), *save = NULL;
	int rc = MOSQ_ERR_SUCCESS;
	for (char *f = strtok_r(copy, " ", &save); f; f = strtok_r(NULL, " ", &save))
		if (strcmp(f, ed->topic) == 0)
			rc = MOSQ_ERR_ACL_DENIED;
	free(copy);
	return rc;
}

int mosquitto_plugin_version(int supported_version_count, const int *supported_versions)
{
	for (int i = 0; i < supported_version_count; i++)
		if (supported_versions[i] == 5)
			return 5;
	return -1;
}

int mosquitto_plugin_init(mosquitto_plugin_id_t *identifier, void **user_data,
			  struct mosquitto_opt *opts, int opt_count)
{
	(void)user_data;
	plugin_id = identifier;
	for (int i = 0; i < opt_count; i++)
		if (strcmp(opts[i].key, "deny") == 0)
			denied = strdup(opts[i].value);
		else if (strcmp(opts[i].key, "retained_only_for") == 0)
			retained_only_for = strdup(opts[i].value);
		else if (strcmp(opts[i].key, "deny_publish") == 0)
			denied_publish = strdup(opts[i].value);
	return mosquitto_callback_register(plugin_id, MOSQ_EVT_ACL_CHECK, on_acl_check, NULL, NULL);
}

int mosquitto_plugin_cleanup(void *user_data, struct mosquitto_opt *opts, int opt_count)
{
	(void)user_data;
	(void)opts;
	(void)opt_count;
	free(denied);
	free(retained_only_for);
	free(denied_publish);
	return mosquitto_callback_unregister(plugin_id, MOSQ_EVT_ACL_CHECK, on_acl_check, NULL);
}
