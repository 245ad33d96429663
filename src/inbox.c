/* inbox — see include/inbox.h. */
#include "inbox.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

/* The wake-up the consumer polls.  Linux: one eventfd (a counter).  Elsewhere
 * (the BSDs, macOS), or with -DDRIVR_WAKE_PIPE (the pipe's unit test): a
 * non-blocking pipe.  Both keep the same protocol: written only on the
 * empty → non-empty transition and drained by take_all, both under the
 * lock, so at most one write is ever pending and a pipe never fills. */
#if defined(__linux__) && !defined(DRIVR_WAKE_PIPE)
#include <sys/eventfd.h>

static bool wake_open(int fds[2])
{
	fds[0] = fds[1] = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	return fds[0] >= 0;
}

static void wake_close(int fds[2])
{
	close(fds[0]);
}

static void wake_signal(int fds[2])
{
	uint64_t one = 1;
	/* Cannot block (EFD_NONBLOCK) and cannot overflow in practice: the
	 * counter is reset by every take_all. */
	ssize_t w = write(fds[1], &one, sizeof(one));
	(void)w;
}

static void wake_drain(int fds[2])
{
	uint64_t n;
	while (read(fds[0], &n, sizeof(n)) < 0 && errno == EINTR)
		;
}
#else
#include <fcntl.h>

static bool wake_open(int fds[2])
{
	if (pipe(fds) != 0)
		return false;
	for (int i = 0; i < 2; i++)
		if (fcntl(fds[i], F_SETFL, O_NONBLOCK) != 0 || fcntl(fds[i], F_SETFD, FD_CLOEXEC) != 0) {
			int saved = errno;
			close(fds[0]);
			close(fds[1]);
			errno = saved;
			return false;
		}
	return true;
}

static void wake_close(int fds[2])
{
	close(fds[0]);
	close(fds[1]);
}

static void wake_signal(int fds[2])
{
	char one = 1;
	ssize_t w = write(fds[1], &one, 1); /* at most one byte is ever pending */
	(void)w;
}

static void wake_drain(int fds[2])
{
	char buf[64];
	for (;;) {
		ssize_t n = read(fds[0], buf, sizeof(buf));
		if (n > 0 || (n < 0 && errno == EINTR))
			continue;
		break; /* EAGAIN: empty */
	}
}
#endif

#define INBOX_DEFAULT_CAP 100000

struct inbox {
	pthread_mutex_t lock;
	struct inbox_item *head, *tail; /* guarded by lock */
	size_t queued;                  /* messages in the list; guarded by lock */
	size_t cap;
	size_t max_bytes;
	/* Bytes of messages queued or taken and not yet freed: the consumer
	 * frees outside the lock, hence atomic. */
	_Atomic size_t bytes;
	int wake[2]; /* [0] polled by the consumer, [1] written (one eventfd: the same) */
	/* Counters, guarded by lock. */
	size_t high_water, high_water_bytes;
	uint64_t pushed, dropped, dropped_bytes, events, wakeups;
};

struct inbox *inbox_new(size_t cap)
{
	int wake[2];
	if (!wake_open(wake))
		return NULL;
	struct inbox *inbox = xcalloc(1, sizeof(*inbox));
	pthread_mutex_init(&inbox->lock, NULL);
	inbox->cap = cap ? cap : INBOX_DEFAULT_CAP;
	inbox->max_bytes = SIZE_MAX;
	atomic_init(&inbox->bytes, 0);
	inbox->wake[0] = wake[0];
	inbox->wake[1] = wake[1];
	return inbox;
}

void inbox_set_max_bytes(struct inbox *inbox, size_t max_bytes)
{
	inbox->max_bytes = max_bytes ? max_bytes : SIZE_MAX;
}

/* The item, topic and payload in one allocation, plus glibc's per-chunk
 * header rounded up (16 bytes on 64-bit): what RSS really grows by. */
size_t inbox_message_cost(size_t topic_len, size_t payload_len)
{
	return sizeof(struct inbox_item) + topic_len + 1 + payload_len + 1 + 16;
}

void inbox_free(struct inbox *inbox)
{
	if (!inbox)
		return;
	inbox_list_free(inbox->head);
	wake_close(inbox->wake);
	pthread_mutex_destroy(&inbox->lock);
	free(inbox);
}

int inbox_fd(const struct inbox *inbox)
{
	return inbox->wake[0];
}

/* Appends under the lock.  The wake-up is written only on the empty →
 * non-empty transition, and while the lock is held, so "one write per batch"
 * is exact: take_all drains the fd under the same lock. */
static void append_locked(struct inbox *inbox, struct inbox_item *item)
{
	bool was_empty = inbox->head == NULL;

	item->next = NULL;
	if (inbox->tail)
		inbox->tail->next = item;
	else
		inbox->head = item;
	inbox->tail = item;
	if (was_empty) {
		wake_signal(inbox->wake);
		inbox->wakeups++;
	}
}

/* Queues a MESSAGE item or, when the inbox is full, frees it and counts it. */
static bool push_message_item(struct inbox *inbox, struct inbox_item *item)
{
	pthread_mutex_lock(&inbox->lock);
	size_t held = atomic_load(&inbox->bytes);
	if (inbox->queued >= inbox->cap || item->bytes > inbox->max_bytes - held) {
		inbox->dropped++;
		inbox->dropped_bytes += (uint64_t)item->u.message.copy.payloadlen;
		pthread_mutex_unlock(&inbox->lock);
		inbox_item_free(item); /* outside the lock; owner not set: not counted */
		return false;
	}
	item->owner = inbox;
	held = atomic_fetch_add(&inbox->bytes, item->bytes) + item->bytes;
	if (held > inbox->high_water_bytes)
		inbox->high_water_bytes = held;
	inbox->queued++;
	inbox->pushed++;
	if (inbox->queued > inbox->high_water)
		inbox->high_water = inbox->queued;
	append_locked(inbox, item);
	pthread_mutex_unlock(&inbox->lock);
	return true;
}

bool inbox_push_message(struct inbox *inbox, char *topic, int topic_len, MQTTAsync_message *msg)
{
	/* One allocation for the item, the topic and the payload, made before
	 * taking the lock so the consumer never waits on malloc. */
	size_t tlen = topic_len > 0 ? (size_t)topic_len : (topic ? strlen(topic) : 0);
	size_t plen = msg && msg->payloadlen > 0 ? (size_t)msg->payloadlen : 0;
	struct inbox_item *item = xmalloc(sizeof(*item) + tlen + 1 + plen + 1);
	memset(item, 0, sizeof(*item));
	char *bytes = (char *)(item + 1);
	if (tlen)
		memcpy(bytes, topic, tlen);
	bytes[tlen] = '\0';
	if (plen)
		memcpy(bytes + tlen + 1, msg->payload, plen);
	bytes[tlen + 1 + plen] = '\0'; /* not counted in payloadlen; handy for text */
	item->kind = INBOX_MESSAGE;
	item->time = time_now();
	item->bytes = inbox_message_cost(tlen, plen);
	item->u.message.topic = bytes;
	item->u.message.topic_len = tlen;
	MQTTAsync_message empty = MQTTAsync_message_initializer;
	item->u.message.copy = empty;
	item->u.message.copy.payload = bytes + tlen + 1;
	item->u.message.copy.payloadlen = (int)plen;
	if (msg) {
		item->u.message.copy.qos = msg->qos;
		item->u.message.copy.retained = msg->retained;
		item->u.message.copy.dup = msg->dup;
		item->u.message.copy.msgid = msg->msgid;
		MQTTAsync_freeMessage(&msg);
	}
	item->u.message.msg = &item->u.message.copy;
	if (topic)
		MQTTAsync_free(topic);
	return push_message_item(inbox, item);
}

struct inbox_item *inbox_event_new(enum inbox_kind kind)
{
	struct inbox_item *item = xcalloc(1, sizeof(*item));
	item->kind = kind;
	item->time = time_now();
	return item;
}

void inbox_push(struct inbox *inbox, struct inbox_item *item)
{
	if (item->kind == INBOX_MESSAGE) {
		if (!item->bytes) /* built by the caller: its topic and payload live elsewhere */
			item->bytes = inbox_message_cost(item->u.message.topic_len,
							 item->u.message.copy.payloadlen > 0
								 ? (size_t)item->u.message.copy.payloadlen
								 : 0);
		push_message_item(inbox, item); /* so the caps hold */
		return;
	}
	pthread_mutex_lock(&inbox->lock);
	inbox->events++;
	append_locked(inbox, item);
	pthread_mutex_unlock(&inbox->lock);
}

void inbox_push_failure(struct inbox *inbox, enum inbox_kind kind, int code, const char *reason)
{
	struct inbox_item *item = inbox_event_new(kind);
	item->u.failure.code = code;
	item->u.failure.reason = xstrdup(reason ? reason : "");
	inbox_push(inbox, item);
}

void inbox_push_delivery(struct inbox *inbox, enum inbox_kind kind, int token, int code,
			 const char *reason)
{
	struct inbox_item *item = inbox_event_new(kind);
	item->u.delivery.token = token;
	item->u.delivery.code = code;
	item->u.delivery.reason = reason ? xstrdup(reason) : NULL;
	inbox_push(inbox, item);
}

struct inbox_item *inbox_take_all(struct inbox *inbox, size_t *count)
{
	struct inbox_item *list;

	pthread_mutex_lock(&inbox->lock);
	list = inbox->head;
	inbox->head = inbox->tail = NULL;
	inbox->queued = 0;
	/* Drain under the lock: a push after this sees an empty list and
	 * writes again, so no wake-up is lost and none is left stale. */
	wake_drain(inbox->wake);
	pthread_mutex_unlock(&inbox->lock);

	if (count) {
		size_t c = 0;
		for (struct inbox_item *it = list; it; it = it->next)
			c++;
		*count = c;
	}
	return list;
}

void inbox_item_free(struct inbox_item *item)
{
	if (!item)
		return;
	switch (item->kind) {
	case INBOX_MESSAGE:
		/* topic and payload live in the item's own allocation */
		if (item->owner)
			atomic_fetch_sub(&item->owner->bytes, item->bytes);
		break;
	case INBOX_CONNECT_FAILED:
	case INBOX_CONNECTION_LOST:
		free(item->u.failure.reason);
		break;
	case INBOX_SUBSCRIBED:
		for (size_t i = 0; i < item->u.subscribed.count; i++)
			free(item->u.subscribed.filters[i].filter);
		free(item->u.subscribed.filters);
		free(item->u.subscribed.error);
		break;
	case INBOX_DELIVERED:
	case INBOX_PUBLISH_FAILED:
		free(item->u.delivery.reason);
		break;
	case INBOX_RECONNECTING:
		free(item->u.reconnecting.last_error);
		break;
	case INBOX_CONNECTING:
	case INBOX_CONNECTED:
	case INBOX_DISCONNECTED:
	case INBOX_KIND_COUNT:
		break;
	}
	free(item);
}

void inbox_list_free(struct inbox_item *list)
{
	while (list) {
		struct inbox_item *next = list->next;
		inbox_item_free(list);
		list = next;
	}
}

void inbox_message_meta(const struct inbox_item *item, struct message_meta *meta)
{
	const MQTTAsync_message *msg = item->u.message.msg;

	meta->topic = item->u.message.topic;
	meta->topic_len = item->u.message.topic_len;
	meta->payload = msg ? msg->payload : NULL;
	meta->payload_len = msg && msg->payloadlen > 0 ? (size_t)msg->payloadlen : 0;
	meta->retained = msg && msg->retained;
	meta->received_at = item->time;
}

void inbox_get_stats(struct inbox *inbox, struct inbox_stats *stats)
{
	pthread_mutex_lock(&inbox->lock);
	stats->queued = inbox->queued;
	stats->high_water = inbox->high_water;
	stats->pushed = inbox->pushed;
	stats->dropped = inbox->dropped;
	stats->dropped_bytes = inbox->dropped_bytes;
	stats->bytes = atomic_load(&inbox->bytes);
	stats->high_water_bytes = inbox->high_water_bytes;
	stats->max_bytes = inbox->max_bytes;
	stats->events = inbox->events;
	stats->wakeups = inbox->wakeups;
	pthread_mutex_unlock(&inbox->lock);
}

const char *inbox_kind_name(enum inbox_kind kind)
{
	static const char *const names[INBOX_KIND_COUNT] = {
		[INBOX_MESSAGE] = "message",
		[INBOX_CONNECTING] = "connecting",
		[INBOX_CONNECTED] = "connected",
		[INBOX_CONNECT_FAILED] = "connect_failed",
		[INBOX_CONNECTION_LOST] = "connection_lost",
		[INBOX_RECONNECTING] = "reconnecting",
		[INBOX_SUBSCRIBED] = "subscribed",
		[INBOX_DELIVERED] = "delivered",
		[INBOX_PUBLISH_FAILED] = "publish_failed",
		[INBOX_DISCONNECTED] = "disconnected",
	};
	return (unsigned)kind < INBOX_KIND_COUNT ? names[kind] : "unknown";
}
