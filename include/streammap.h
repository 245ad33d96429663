/* streammap — which series a timeStreamUuid names, as far as the console
 * has seen it.
 *
 * The reference's Setpoint (§3.11) names its target only by
 * timeStreamUuid; datapoints and the simulator's setpoint extension may
 * carry the uuid *and* the system/component/service/characteristic codes.
 * Every message that carries both teaches one name; nothing else does (no
 * guessing from values or order).  Bounded: the newest STREAMMAP_MAX names
 * are kept, the oldest forgotten.  Pure module: no I/O, no globals. */
#ifndef DRIVR_STREAMMAP_H
#define DRIVR_STREAMMAP_H

#include <stdbool.h>
#include <stddef.h>

#include "decode.h"

#define STREAMMAP_MAX 4096

struct stream_name {
	const char *system_uuid, *component_code, *service_code, *characteristic_code;
};

struct streammap;

struct streammap *streammap_new(void);
void streammap_free(struct streammap *m);

/* Learns from one address when it carries a timeStreamUuid and all three
 * codes; the system is the payload's systemUuid, else topic_system (may be
 * NULL: then nothing is learned).  A uuid seen again with other codes takes
 * the newer ones.  Returns true when something was learned. */
bool streammap_learn(struct streammap *m, const struct stream_address *a, const char *topic_system);

/* The series a uuid names; NULL when never learned (or forgotten).  Valid
 * until the next streammap_learn. */
const struct stream_name *streammap_find(const struct streammap *m, const char *time_stream_uuid);

size_t streammap_count(const struct streammap *m);

#endif
