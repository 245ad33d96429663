/* message — one received message as the transport hands it on and the store
 * takes it (inbox_message_meta fills it, store_apply and ingest_message read
 * it).  A header of its own so that the transport (inbox) and the model
 * (store) share this one type without depending on each other. */
#ifndef DRIVR_MESSAGE_H
#define DRIVR_MESSAGE_H

#include <stdbool.h>
#include <stddef.h>

/* Borrowed: every pointer belongs to the item it was filled from. */
struct message_meta {
	const char *topic;
	size_t topic_len;
	const void *payload;
	size_t payload_len;
	bool retained;
	double received_at; /* wall clock, epoch seconds */
};

#endif
