/* inbox — the hand-over queue between Paho's threads and the main loop.
 *
 * Producers (Paho callbacks, on Paho's threads) append items under a mutex
 * and write the wake-up fd (an eventfd on Linux, a pipe elsewhere) only
 * when the list was empty before: one wake-up per batch, however many items
 * the batch holds.  The consumer (the main thread)
 * polls inbox_fd() and calls inbox_take_all(), which swaps the whole list out
 * in O(1) and hands it over; the main loop walks item->next and frees each
 * item with inbox_item_free().
 *
 * Messages are copied once, topic and payload into the item's own
 * allocation, and Paho's buffers are freed right away on Paho's thread.
 * Taking Paho's buffers over looked cheaper but is not: Debian's Paho tracks
 * its heap under one mutex, and freeing from the main thread contended with
 * the receive thread on every message (measured: 3.5 → 2.4 s CPU for 200 000
 * messages with the copy).  Connection events travel the same list, so the
 * main loop sees them in order with the messages.
 *
 * Bounded twice: at most `cap` messages and at most `max_bytes` bytes are
 * held; beyond either a new message is freed on the spot and counted as
 * dropped (Paho's thread never blocks).  Bytes are what each message's
 * allocation costs (item + topic + payload + malloc's overhead), and they
 * stay counted until the item is freed (inbox_item_free), not only while
 * queued: a taken batch still holds its memory — the console keeps the rest
 * of a batch for its next turn after a time-boxed drain, --log may sit
 * behind a blocked stdout — so "taken" must not make room for another
 * budget's worth.  Events are never dropped (they are few, and the state
 * depends on them).
 *
 * Thread safety: inbox_push*, inbox_event_new, inbox_get_stats and
 * inbox_item_free are safe from any thread; inbox_take_all and inbox_free
 * are for the consumer. */
#ifndef DRIVR_INBOX_H
#define DRIVR_INBOX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <MQTTAsync.h>

#include "message.h"

enum inbox_kind {
	INBOX_MESSAGE,         /* a received PUBLISH */
	INBOX_CONNECTING,      /* a connection attempt was started (mqtt_connect) */
	INBOX_CONNECTED,       /* CONNACK accepted: first connection or a reconnection */
	INBOX_CONNECT_FAILED,  /* an attempt failed; reason says why (TLS, refused, ...) */
	INBOX_CONNECTION_LOST, /* an established connection dropped */
	INBOX_RECONNECTING,    /* Paho's automatic reconnect is starting an attempt */
	INBOX_SUBSCRIBED,      /* the outcome of one subscription round */
	INBOX_DELIVERED,       /* a QoS 1 publish was acknowledged (PUBACK) */
	INBOX_PUBLISH_FAILED,  /* a publish could not be delivered */
	INBOX_DISCONNECTED,    /* mqtt_disconnect() completed */
	INBOX_KIND_COUNT
};

/* The granted QoS of a filter, or this when the broker refused it. */
#define INBOX_SUB_REFUSED 0x80

/* One filter of a subscription round and what the broker answered. */
struct inbox_sub_filter {
	char *filter; /* owned */
	int qos;      /* granted QoS (0..2) or INBOX_SUB_REFUSED */
	int code;     /* the broker's own answer: the QoS, 0x80, or an MQTT 5 reason
		       * code such as 0x87 "not authorized" */
};

struct inbox_item {
	struct inbox_item *next; /* the rest of the batch; NULL at the end */
	enum inbox_kind kind;
	double time; /* wall clock (epoch s) when the producer handed it over */
	struct inbox *owner; /* MESSAGE: the inbox whose byte count it holds */
	size_t bytes;        /* MESSAGE: what it costs, given back when freed */
	union {
		struct {
			char *topic;            /* NUL-terminated copy, in the item's allocation */
			size_t topic_len;       /* topics may hold NULs: use this, not strlen */
			MQTTAsync_message *msg; /* == &copy: payload, length, retained, qos */
			MQTTAsync_message copy; /* payload points into the item's allocation,
						 * followed by a NUL not counted in payloadlen */
		} message;
		struct {
			bool reconnect;   /* false for the first connection of mqtt_connect() */
			int mqtt_version; /* 4 = 3.1.1, 5 = 5 */
		} connected;
		struct {
			int code;       /* Paho / CONNACK / MQTT 5 reason code; 0 if none */
			char *reason;   /* owned, one line, never NULL */
			int retry_in_s; /* automatic reconnect tries again in about this; 0: it won't */
		} failure; /* CONNECT_FAILED, CONNECTION_LOST */
		struct {
			unsigned attempt;  /* 1 for the first attempt after a loss or failure */
			int next_delay_s;  /* Paho's nominal wait before the next attempt if this fails */
			char *last_error;  /* owned; why the previous attempt failed, if known */
		} reconnecting;
		struct {
			bool fallback;     /* the default filter was refused; these are the fallbacks */
			size_t granted;    /* filters accepted */
			size_t refused;    /* filters refused by the broker */
			size_t count;      /* entries in filters (the default filter comes first) */
			struct inbox_sub_filter *filters; /* owned */
			char *error;       /* owned; set when the round failed outright (not a refusal) */
			unsigned batch;    /* mqtt_subscribe_batch()'s id; 0 for the automatic rounds */
		} subscribed;
		struct {
			int token;    /* the token mqtt_publish() returned */
			int code;     /* PUBLISH_FAILED: Paho / MQTT 5 reason code */
			char *reason; /* PUBLISH_FAILED: owned, one line; NULL for DELIVERED */
			/* PUBLISH_FAILED: the broker refused this publish (a PUBACK
			 * reason code >= 0x80, or it closed the connection on it),
			 * as opposed to a connection lost on the way */
			bool refused;
		} delivery;
	} u;
};

struct inbox_stats {
	size_t queued;         /* messages waiting now */
	size_t high_water;     /* most messages ever waiting at once */
	uint64_t pushed;       /* messages accepted */
	uint64_t dropped;      /* messages dropped because the inbox was full */
	uint64_t dropped_bytes; /* their payload bytes */
	size_t bytes;          /* bytes held now: queued + taken but not yet freed */
	size_t high_water_bytes; /* most bytes ever held at once */
	size_t max_bytes;      /* the byte cap (SIZE_MAX: none) */
	uint64_t events;       /* non-message items accepted */
	uint64_t wakeups;      /* wake-up writes (one per batch) */
};

struct inbox;

/* cap: messages queued before new ones are dropped (0: 100 000).  NULL when
 * the wake-up fd cannot be created (errno set). */
struct inbox *inbox_new(size_t cap);
/* The byte cap (0: none, the default).  Set before the producers start. */
void inbox_set_max_bytes(struct inbox *inbox, size_t max_bytes);
/* What one message of these lengths costs against the byte cap. */
size_t inbox_message_cost(size_t topic_len, size_t payload_len);
/* Frees every item still queued, closes the fd.  Producers must be gone
 * (after MQTTAsync_destroy()). */
void inbox_free(struct inbox *inbox);

/* The fd to poll(2) for POLLIN; readable while a batch is waiting. */
int inbox_fd(const struct inbox *inbox);

/* Producer side. */

/* Takes ownership of topic and msg in every case (Paho's callback returns 1).
 * topic_len 0 means NUL-terminated (Paho's convention).  Returns false when
 * the inbox was full: the message was freed and counted as dropped. */
bool inbox_push_message(struct inbox *inbox, char *topic, int topic_len, MQTTAsync_message *msg);
/* Takes ownership of item (from inbox_event_new(), filled in by the caller). */
void inbox_push(struct inbox *inbox, struct inbox_item *item);
/* A zeroed item of `kind` stamped with the current time; never NULL. */
struct inbox_item *inbox_event_new(enum inbox_kind kind);
/* Shortcuts for the events with a reason: reason is copied (NULL → ""). */
void inbox_push_failure(struct inbox *inbox, enum inbox_kind kind, int code, const char *reason);
void inbox_push_delivery(struct inbox *inbox, enum inbox_kind kind, int token, int code,
			 const char *reason);

/* Consumer side. */

/* Takes every queued item, oldest first, and resets the wake-up; the caller
 * owns the returned list (NULL when empty).  count (optional) receives the
 * number of items. */
struct inbox_item *inbox_take_all(struct inbox *inbox, size_t *count);
/* Frees one item and what it owns (not item->next). */
void inbox_item_free(struct inbox_item *item);
/* Frees a whole list from inbox_take_all(). */
void inbox_list_free(struct inbox_item *list);

/* Fills a message_meta (what ingest and the store take) that borrows from a
 * MESSAGE item. */
void inbox_message_meta(const struct inbox_item *item, struct message_meta *meta);

void inbox_get_stats(struct inbox *inbox, struct inbox_stats *stats);

const char *inbox_kind_name(enum inbox_kind kind); /* "message", "connected", ... */

#endif
