/* loadsub — a load plan (loadplan.h) driven over the MQTT client: the one
 * piece of glue every mode (headless, actions, console) uses.
 *
 * The loop calls loadsub_event() for each connection event it drains and
 * loadsub_pump() after each drain and on its timer; the ingest hook
 * (ingest.plan) feeds the plan the messages.  Clock: wall time (time_now()),
 * the clock of the inbox's received_at. */
#ifndef DRIVR_LOADSUB_H
#define DRIVR_LOADSUB_H

#include "inbox.h"
#include "loadplan.h"
#include "mqtt.h"

/* CONNECTED starts the plan; a loss or failure stops it; the SUBSCRIBED of
 * a staged batch is the broker's answer.  Other items change nothing. */
void loadsub_event(struct load_plan *plan, const struct inbox_item *item, double now);

/* Advances the plan and sends every batch that is due.  Returns the
 * milliseconds until it needs calling again (-1: no deadline). */
int loadsub_pump(struct load_plan *plan, struct mqtt *mqtt, double now);

#endif
