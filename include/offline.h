/* offline — will the target of a setpoint see it now?
 *
 * The platform reports each system's and component's connectionState
 * (retained, docs/topics.md).  A setpoint for a system or component it
 * reports DISCONNECTED still goes out and the platform takes it (CREATED),
 * but the device sees it only once it reconnects, and the request may time
 * out waiting for the device's answer.  The console's setpoint preview and
 * `set-setpoint` both warn with the line built here, before sending.
 *
 * Pure: reads the store, no I/O. */
#ifndef DRIVR_OFFLINE_H
#define DRIVR_OFFLINE_H

#include <stdbool.h>
#include <stddef.h>

#include "store.h"

/* True, with a one-line warning in buf, when the store knows the system
 * (by uuid) or its component (by code) as DISCONNECTED; the system is
 * named first when both are.  False (buf empty) when both are connected,
 * in another state, or unknown here. */
bool offline_setpoint_warning(const struct store *store, const char *system_uuid,
			      const char *component_code, char *buf, size_t size);

#endif
