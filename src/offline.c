/* offline — see include/offline.h. */
#include "offline.h"

#include <stdio.h>
#include <string.h>

static bool disconnected(const char *connection_state)
{
	return connection_state && strcmp(connection_state, "DISCONNECTED") == 0;
}

bool offline_setpoint_warning(const struct store *store, const char *system_uuid,
			      const char *component_code, char *buf, size_t size)
{
	if (size)
		buf[0] = '\0';
	const struct system *s = system_uuid ? store_find_system(store, system_uuid) : NULL;
	const struct component *c =
		system_uuid && component_code ? store_find_component(store, system_uuid, component_code)
					      : NULL;
	const char *what;
	char name[256];
	if (s && !s->meta.deleted && disconnected(s->connection_state)) {
		what = "system";
		snprintf(name, sizeof(name), "%s", s->name && *s->name ? s->name : s->uuid);
	} else if (c && !c->meta.deleted && disconnected(c->connection_state)) {
		what = "component";
		snprintf(name, sizeof(name), "%s", c->code);
	} else {
		return false;
	}
	snprintf(buf, size,
		 "the %s %s is DISCONNECTED: the device sees the setpoint only once it reconnects, "
		 "and the request may time out",
		 what, name);
	return true;
}
