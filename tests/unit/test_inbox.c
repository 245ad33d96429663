/* inbox: batch wake-ups, ordering, the cap, and many producers at once. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "inbox.h"
#include "store.h"

/* A message allocated the way Paho allocates one, so the inbox can free it
 * with MQTTAsync_freeMessage() / MQTTAsync_free(). */
static void make_message(const char *topic, const char *payload, int retained, char **topic_out,
			 MQTTAsync_message **msg_out)
{
	MQTTAsync_message init = MQTTAsync_message_initializer;
	MQTTAsync_message *msg = MQTTAsync_malloc(sizeof(*msg));
	size_t tlen = strlen(topic), plen = strlen(payload);
	char *t = MQTTAsync_malloc(tlen + 1);

	assert_non_null(msg);
	assert_non_null(t);
	memcpy(t, topic, tlen + 1);
	*msg = init;
	msg->payload = MQTTAsync_malloc(plen ? plen : 1);
	assert_non_null(msg->payload);
	memcpy(msg->payload, payload, plen);
	msg->payloadlen = (int)plen;
	msg->qos = 1;
	msg->retained = retained;
	*topic_out = t;
	*msg_out = msg;
}

static bool push_text(struct inbox *inbox, const char *topic, const char *payload)
{
	char *t;
	MQTTAsync_message *msg;
	make_message(topic, payload, 0, &t, &msg);
	return inbox_push_message(inbox, t, 0, msg);
}

static bool fd_readable(int fd, int timeout_ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	int r;
	while ((r = poll(&p, 1, timeout_ms)) < 0 && errno == EINTR)
		;
	assert_true(r >= 0);
	return r == 1 && (p.revents & POLLIN);
}

static size_t list_len(const struct inbox_item *it)
{
	size_t n = 0;
	for (; it; it = it->next)
		n++;
	return n;
}

static void test_empty(void **state)
{
	(void)state;
	struct inbox *inbox = inbox_new(0);
	size_t count = 99;

	assert_non_null(inbox);
	assert_true(inbox_fd(inbox) >= 0);
	assert_false(fd_readable(inbox_fd(inbox), 0));
	assert_null(inbox_take_all(inbox, &count));
	assert_int_equal(count, 0);
	inbox_free(inbox);
}

/* Many pushes before the consumer looks: the eventfd was written once. */
static void test_one_wakeup_per_batch(void **state)
{
	(void)state;
	struct inbox *inbox = inbox_new(0);
	struct inbox_stats st;
	uint64_t value = 0;

	for (int i = 0; i < 50; i++)
		assert_true(push_text(inbox, "t/a", "x"));
	assert_true(fd_readable(inbox_fd(inbox), 0));
	/* One write for the whole batch: the eventfd's counter holds 1, not
	 * 50; the pipe (test_inbox_pipe) holds one byte, not 50. */
#ifdef DRIVR_WAKE_PIPE
	assert_int_equal(read(inbox_fd(inbox), &value, sizeof(value)), 1);
#else
	assert_int_equal(read(inbox_fd(inbox), &value, sizeof(value)), sizeof(value));
	assert_int_equal(value, 1);
#endif
	inbox_get_stats(inbox, &st);
	assert_int_equal(st.wakeups, 1);
	assert_int_equal(st.queued, 50);

	size_t count = 0;
	struct inbox_item *list = inbox_take_all(inbox, &count);
	assert_int_equal(count, 50);
	assert_int_equal(list_len(list), 50);
	inbox_list_free(list);
	assert_false(fd_readable(inbox_fd(inbox), 0));

	/* The next push starts a new batch: exactly one more wake-up. */
	assert_true(push_text(inbox, "t/b", "y"));
	assert_true(push_text(inbox, "t/b", "z"));
	assert_true(fd_readable(inbox_fd(inbox), 0));
	inbox_get_stats(inbox, &st);
	assert_int_equal(st.wakeups, 2);
	assert_int_equal(st.queued, 2);
	inbox_list_free(inbox_take_all(inbox, NULL));
	assert_false(fd_readable(inbox_fd(inbox), 0));
	inbox_get_stats(inbox, &st);
	assert_int_equal(st.queued, 0);
	assert_int_equal(st.high_water, 50);
	assert_int_equal(st.pushed, 52);
	inbox_free(inbox);
}

/* take_all drains the fd itself, so a consumer that never read it is not
 * woken again for a batch it already took. */
static void test_take_resets_wakeup(void **state)
{
	(void)state;
	struct inbox *inbox = inbox_new(0);

	assert_true(push_text(inbox, "t", "1"));
	assert_true(fd_readable(inbox_fd(inbox), 0));
	inbox_list_free(inbox_take_all(inbox, NULL));
	assert_false(fd_readable(inbox_fd(inbox), 0));
	inbox_free(inbox);
}

/* Messages and events come out in the order they went in. */
static void test_order_with_events(void **state)
{
	(void)state;
	struct inbox *inbox = inbox_new(0);
	struct inbox_item *ev;

	inbox_push(inbox, inbox_event_new(INBOX_CONNECTING));
	ev = inbox_event_new(INBOX_CONNECTED);
	ev->u.connected.mqtt_version = 4;
	inbox_push(inbox, ev);
	assert_true(push_text(inbox, "m/1", "a"));
	inbox_push_failure(inbox, INBOX_CONNECTION_LOST, -3, "broker closed the connection");
	ev = inbox_event_new(INBOX_RECONNECTING);
	ev->u.reconnecting.attempt = 1;
	inbox_push(inbox, ev);
	assert_true(push_text(inbox, "m/2", "b"));
	inbox_push_delivery(inbox, INBOX_DELIVERED, 7, 0, NULL);
	inbox_push_delivery(inbox, INBOX_PUBLISH_FAILED, 8, -3, "disconnected");
	ev = inbox_event_new(INBOX_SUBSCRIBED);
	ev->u.subscribed.count = 2;
	ev->u.subscribed.filters = calloc(2, sizeof(*ev->u.subscribed.filters));
	ev->u.subscribed.filters[0].filter = strdup("drivr/v1/x/#");
	ev->u.subscribed.filters[0].qos = INBOX_SUB_REFUSED;
	ev->u.subscribed.filters[1].filter = strdup("drivr/v1/x/systems/#");
	ev->u.subscribed.filters[1].qos = 1;
	ev->u.subscribed.fallback = true;
	ev->u.subscribed.granted = 1;
	ev->u.subscribed.refused = 1;
	inbox_push(inbox, ev);
	inbox_push_failure(inbox, INBOX_CONNECT_FAILED, 0, NULL);
	inbox_push(inbox, inbox_event_new(INBOX_DISCONNECTED));

	static const enum inbox_kind want[] = {
		INBOX_CONNECTING, INBOX_CONNECTED,      INBOX_MESSAGE,        INBOX_CONNECTION_LOST,
		INBOX_RECONNECTING, INBOX_MESSAGE,      INBOX_DELIVERED,      INBOX_PUBLISH_FAILED,
		INBOX_SUBSCRIBED, INBOX_CONNECT_FAILED, INBOX_DISCONNECTED,
	};
	size_t count;
	struct inbox_item *list = inbox_take_all(inbox, &count);
	assert_int_equal(count, sizeof(want) / sizeof(want[0]));
	size_t i = 0;
	for (struct inbox_item *it = list; it; it = it->next, i++) {
		assert_int_equal(it->kind, want[i]);
		assert_true(it->time > 1.5e9); /* stamped with the wall clock */
	}
	assert_string_equal(list->next->next->u.message.topic, "m/1");
	assert_string_equal(list->next->next->next->u.failure.reason,
			    "broker closed the connection");
	assert_int_equal(list->next->next->next->u.failure.code, -3);
	struct inbox_item *failed = list;
	for (int k = 0; k < 9; k++)
		failed = failed->next;
	assert_int_equal(failed->kind, INBOX_CONNECT_FAILED);
	assert_string_equal(failed->u.failure.reason, ""); /* NULL reason → "" */

	struct inbox_stats st;
	inbox_get_stats(inbox, &st);
	assert_int_equal(st.pushed, 2);
	assert_int_equal(st.events, 9);
	assert_int_equal(st.wakeups, 1);
	inbox_list_free(list);
	inbox_free(inbox);
}

/* Beyond the cap new messages are freed and counted; events still pass. */
static void test_cap_and_dropped(void **state)
{
	(void)state;
	struct inbox *inbox = inbox_new(5);
	struct inbox_stats st;
	char topic[32];

	for (int i = 0; i < 8; i++) {
		snprintf(topic, sizeof(topic), "t/%d", i);
		assert_int_equal(push_text(inbox, topic, "p"), i < 5);
	}
	inbox_push_failure(inbox, INBOX_CONNECTION_LOST, 0, "still delivered");
	inbox_get_stats(inbox, &st);
	assert_int_equal(st.queued, 5);
	assert_int_equal(st.dropped, 3);
	assert_int_equal(st.pushed, 5);

	size_t count;
	struct inbox_item *list = inbox_take_all(inbox, &count);
	assert_int_equal(count, 6);
	/* The oldest were kept (the newest dropped), in order. */
	int i = 0;
	for (struct inbox_item *it = list; it && it->kind == INBOX_MESSAGE; it = it->next, i++) {
		snprintf(topic, sizeof(topic), "t/%d", i);
		assert_string_equal(it->u.message.topic, topic);
	}
	assert_int_equal(i, 5);
	inbox_list_free(list);

	/* Taking frees the room again. */
	assert_true(push_text(inbox, "t/again", "p"));
	inbox_get_stats(inbox, &st);
	assert_int_equal(st.queued, 1);
	assert_int_equal(st.dropped, 3);
	inbox_free(inbox); /* frees the one still queued */
}

/* The byte cap: messages beyond it are dropped and their bytes counted;
 * a taken batch holds its bytes until each item is freed. */
static void test_byte_cap(void **state)
{
	(void)state;
	struct inbox *inbox = inbox_new(0);
	struct inbox_stats st;
	char payload[1001];
	memset(payload, 'x', 1000);
	payload[1000] = '\0';
	size_t cost = inbox_message_cost(3, 1000);
	inbox_set_max_bytes(inbox, 3 * cost + cost / 2); /* room for three */

	for (int i = 0; i < 5; i++)
		assert_int_equal(push_text(inbox, "t/x", payload), i < 3);
	inbox_get_stats(inbox, &st);
	assert_int_equal(st.queued, 3);
	assert_int_equal(st.bytes, 3 * cost);
	assert_int_equal(st.high_water_bytes, 3 * cost);
	assert_int_equal(st.dropped, 2);
	assert_int_equal(st.dropped_bytes, 2000);

	/* Taken but not freed: still held, so still full. */
	struct inbox_item *list = inbox_take_all(inbox, NULL);
	assert_false(push_text(inbox, "t/x", payload));
	/* Freeing one makes room for exactly one. */
	struct inbox_item *rest = list->next;
	inbox_item_free(list);
	assert_true(push_text(inbox, "t/x", payload));
	assert_false(push_text(inbox, "t/x", payload));
	/* A small message still fits in what is left. */
	assert_true(push_text(inbox, "t/x", ""));
	inbox_list_free(rest);
	inbox_get_stats(inbox, &st);
	assert_int_equal(st.bytes, cost + inbox_message_cost(3, 0));
	assert_int_equal(st.dropped, 4);
	inbox_free(inbox);
}

static void test_message_meta(void **state)
{
	(void)state;
	struct inbox *inbox = inbox_new(0);
	char *t;
	MQTTAsync_message *msg;
	struct message_meta meta;

	/* A topic with an embedded NUL: Paho passes its length. */
	make_message("a/b", "{\"v\":1}", 1, &t, &msg);
	t[1] = '\0';
	assert_true(inbox_push_message(inbox, t, 3, msg));
	make_message("plain/topic", "", 0, &t, &msg);
	assert_true(inbox_push_message(inbox, t, 0, msg));

	struct inbox_item *list = inbox_take_all(inbox, NULL);
	inbox_message_meta(list, &meta);
	assert_int_equal(meta.topic_len, 3);
	assert_memory_equal(meta.topic, "a\0b", 3);
	assert_int_equal(meta.payload_len, 7);
	assert_memory_equal(meta.payload, "{\"v\":1}", 7);
	assert_true(meta.retained);
	assert_true(meta.received_at == list->time);

	inbox_message_meta(list->next, &meta);
	assert_int_equal(meta.topic_len, strlen("plain/topic"));
	assert_int_equal(meta.payload_len, 0);
	assert_false(meta.retained);
	inbox_list_free(list);
	inbox_free(inbox);
}

static void test_free_with_pending(void **state)
{
	(void)state;
	struct inbox *inbox = inbox_new(0);
	struct inbox_item *ev = inbox_event_new(INBOX_SUBSCRIBED);

	ev->u.subscribed.count = 1;
	ev->u.subscribed.filters = calloc(1, sizeof(*ev->u.subscribed.filters));
	ev->u.subscribed.filters[0].filter = strdup("f");
	ev->u.subscribed.error = strdup("refused");
	inbox_push(inbox, ev);
	ev = inbox_event_new(INBOX_RECONNECTING);
	ev->u.reconnecting.last_error = strdup("TLS: certificate verify failed");
	inbox_push(inbox, ev);
	inbox_push_failure(inbox, INBOX_CONNECT_FAILED, -1, "reason");
	for (int i = 0; i < 10; i++)
		assert_true(push_text(inbox, "t", "payload"));
	inbox_push_delivery(inbox, INBOX_PUBLISH_FAILED, 1, -1, "x");
	inbox_free(inbox); /* ASan/valgrind: nothing leaks */
	inbox_free(NULL);
}

static void test_kind_names(void **state)
{
	(void)state;
	assert_string_equal(inbox_kind_name(INBOX_MESSAGE), "message");
	assert_string_equal(inbox_kind_name(INBOX_CONNECTION_LOST), "connection_lost");
	assert_string_equal(inbox_kind_name(INBOX_DISCONNECTED), "disconnected");
	assert_string_equal(inbox_kind_name(INBOX_KIND_COUNT), "unknown");
	for (int k = 0; k < INBOX_KIND_COUNT; k++)
		assert_string_not_equal(inbox_kind_name((enum inbox_kind)k), "unknown");
}

/* --- many producers ------------------------------------------------------ */

#define PRODUCERS 4
#define PER_PRODUCER 20000

struct producer {
	struct inbox *inbox;
	int id;
	pthread_barrier_t *start;
};

static void *producer_main(void *arg)
{
	struct producer *p = arg;
	char topic[32], payload[32];

	pthread_barrier_wait(p->start);
	for (int i = 0; i < PER_PRODUCER; i++) {
		snprintf(topic, sizeof(topic), "p/%d", p->id);
		snprintf(payload, sizeof(payload), "%d", i);
		char *t;
		MQTTAsync_message *msg;
		make_message(topic, payload, 0, &t, &msg);
		inbox_push_message(p->inbox, t, 0, msg);
		if (i % 5000 == 4999)
			inbox_push_failure(p->inbox, INBOX_CONNECTION_LOST, p->id, "marker");
	}
	return NULL;
}

/* Producers race; the consumer polls and takes batches like the main loop.
 * Every message arrives once, each producer's in its own order, and the
 * eventfd was written exactly once per non-empty batch taken. */
static void test_many_producers(void **state)
{
	(void)state;
	struct inbox *inbox = inbox_new(1000000);
	pthread_t threads[PRODUCERS];
	struct producer prod[PRODUCERS];
	pthread_barrier_t start;
	int next[PRODUCERS] = { 0 };
	int markers[PRODUCERS] = { 0 };
	size_t received = 0, batches = 0;
	const size_t total = (size_t)PRODUCERS * PER_PRODUCER;

	pthread_barrier_init(&start, NULL, PRODUCERS + 1);
	for (int i = 0; i < PRODUCERS; i++) {
		prod[i] = (struct producer){ inbox, i, &start };
		assert_int_equal(pthread_create(&threads[i], NULL, producer_main, &prod[i]), 0);
	}
	pthread_barrier_wait(&start);

	/* Bounded: 20 s without a wake-up fails the test instead of hanging. */
	while (received < total) {
		assert_true(fd_readable(inbox_fd(inbox), 20000));
		size_t count;
		struct inbox_item *list = inbox_take_all(inbox, &count);
		/* Readable means there is a batch: no stale wake-ups. */
		assert_non_null(list);
		assert_true(count > 0);
		batches++;
		for (struct inbox_item *it = list; it; it = it->next) {
			if (it->kind == INBOX_CONNECTION_LOST) {
				int id = it->u.failure.code;
				/* The marker follows message 4999, 9999, ... of its producer. */
				assert_int_equal(next[id], (markers[id] + 1) * 5000);
				markers[id]++;
				continue;
			}
			assert_int_equal(it->kind, INBOX_MESSAGE);
			int id = it->u.message.topic[2] - '0';
			assert_true(id >= 0 && id < PRODUCERS);
			int seq = atoi((const char *)it->u.message.msg->payload);
			assert_int_equal(seq, next[id]);
			next[id]++;
			received++;
		}
		inbox_list_free(list);
	}
	for (int i = 0; i < PRODUCERS; i++) {
		pthread_join(threads[i], NULL);
		assert_int_equal(next[i], PER_PRODUCER);
	}
	/* Markers pushed after the last message may still be queued. */
	struct inbox_item *rest = inbox_take_all(inbox, NULL);
	if (rest)
		batches++;
	for (struct inbox_item *it = rest; it; it = it->next) {
		assert_int_equal(it->kind, INBOX_CONNECTION_LOST);
		markers[it->u.failure.code]++;
	}
	inbox_list_free(rest);
	for (int i = 0; i < PRODUCERS; i++)
		assert_int_equal(markers[i], PER_PRODUCER / 5000);

	struct inbox_stats st;
	inbox_get_stats(inbox, &st);
	assert_int_equal(st.pushed, total);
	assert_int_equal(st.dropped, 0);
	assert_int_equal(st.wakeups, batches);
	assert_true(batches <= total);
	assert_false(fd_readable(inbox_fd(inbox), 0));
	pthread_barrier_destroy(&start);
	inbox_free(inbox);
}

/* Producers against a small cap while nobody consumes: they never block,
 * and accepted + dropped adds up. */
static void test_many_producers_capped(void **state)
{
	(void)state;
	struct inbox *inbox = inbox_new(1000);
	pthread_t threads[PRODUCERS];
	struct producer prod[PRODUCERS];
	pthread_barrier_t start;

	pthread_barrier_init(&start, NULL, PRODUCERS + 1);
	for (int i = 0; i < PRODUCERS; i++) {
		prod[i] = (struct producer){ inbox, i, &start };
		assert_int_equal(pthread_create(&threads[i], NULL, producer_main, &prod[i]), 0);
	}
	pthread_barrier_wait(&start);
	for (int i = 0; i < PRODUCERS; i++)
		pthread_join(threads[i], NULL);

	struct inbox_stats st;
	inbox_get_stats(inbox, &st);
	assert_int_equal(st.queued, 1000);
	assert_int_equal(st.pushed, 1000);
	assert_int_equal(st.dropped, (uint64_t)PRODUCERS * PER_PRODUCER - 1000);
	assert_int_equal(st.events, PRODUCERS * (PER_PRODUCER / 5000));
	assert_int_equal(st.wakeups, 1);
	size_t count;
	inbox_list_free(inbox_take_all(inbox, &count));
	assert_int_equal(count, 1000 + PRODUCERS * (PER_PRODUCER / 5000));
	pthread_barrier_destroy(&start);
	inbox_free(inbox);
}

/* Paho is built with heap tracking: MQTTAsync_malloc/free only pair up once
 * the library is initialised, which creating a client does (no threads start
 * before a connect).  In the console Paho is always initialised this way. */
static MQTTAsync paho;

static int paho_setup(void **state)
{
	(void)state;
	return MQTTAsync_create(&paho, "tcp://127.0.0.1:1", "test-inbox", MQTTCLIENT_PERSISTENCE_NONE,
				NULL) == MQTTASYNC_SUCCESS ? 0 : -1;
}

static int paho_teardown(void **state)
{
	(void)state;
	MQTTAsync_destroy(&paho);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_one_wakeup_per_batch),
		cmocka_unit_test(test_take_resets_wakeup),
		cmocka_unit_test(test_order_with_events),
		cmocka_unit_test(test_cap_and_dropped),
		cmocka_unit_test(test_byte_cap),
		cmocka_unit_test(test_message_meta),
		cmocka_unit_test(test_free_with_pending),
		cmocka_unit_test(test_kind_names),
		cmocka_unit_test(test_many_producers),
		cmocka_unit_test(test_many_producers_capped),
	};
	return cmocka_run_group_tests(tests, paho_setup, paho_teardown);
}
