/* loadsub — see include/loadsub.h. */
#include "loadsub.h"

#include <stdbool.h>
#include <stdlib.h>

#include "util.h"

void loadsub_event(struct load_plan *plan, const struct inbox_item *item, double now)
{
	switch (item->kind) {
	case INBOX_CONNECTED:
		load_plan_start(plan, now);
		break;
	case INBOX_CONNECT_FAILED:
	case INBOX_CONNECTION_LOST:
	case INBOX_DISCONNECTED:
		load_plan_stop(plan);
		break;
	case INBOX_SUBSCRIBED: {
		if (!item->u.subscribed.batch)
			break;
		size_t n = item->u.subscribed.count;
		bool *refused = xcalloc(n ? n : 1, sizeof(bool));
		for (size_t i = 0; i < n; i++)
			refused[i] = item->u.subscribed.filters[i].qos == INBOX_SUB_REFUSED;
		load_plan_subscribed(plan, item->u.subscribed.batch, refused, n,
				     item->u.subscribed.error, now);
		free(refused);
		break;
	}
	default:
		break;
	}
}

int loadsub_pump(struct load_plan *plan, struct mqtt *mqtt, double now)
{
	const struct load_batch *b;
	int wait = load_plan_tick(plan, now);
	while ((b = load_plan_next(plan, now))) {
		char err[256];
		unsigned id = b->id;
		enum mqtt_error e =
			mqtt_subscribe_batch(mqtt, id, b->filters, b->qos, b->count, err, sizeof(err));
		load_plan_sent(plan, id, now);
		if (e != MQTT_OK) {
			/* Not connected any more: the loss event stops the plan
			 * and the next connection starts it again. */
			if (e == MQTT_ERR_NOT_READY) {
				load_plan_stop(plan);
				return -1;
			}
			load_plan_subscribed(plan, id, NULL, 0, err, now);
		}
	}
	int again = load_plan_tick(plan, now);
	if (wait < 0 || (again >= 0 && again < wait))
		wait = again;
	return wait;
}
