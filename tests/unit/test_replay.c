/* Unit tests: replay — the payload as recorded (utf-8, base64, fixtures,
 * old --log lines), the walk through arrays, errors with their offset,
 * pacing by the recorded times. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "replay.h"
#include "util.h"

/* The text in a temporary file; its path in path (unlinked by the caller). */
static struct replay *open_text(const char *text, char *path, size_t size)
{
	snprintf(path, size, "/tmp/drivr-replay-XXXXXX");
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	char err[256];
	struct replay *r = replay_open(path, err, sizeof(err));
	assert_non_null(r);
	return r;
}

static void test_payload_as_recorded(void **state)
{
	(void)state;
	char path[64], err[256];
	/* 0x81 0xa1 'a' 0x01 (MessagePack {"a": 1}) in base64; a text line; an
	 * event line (skipped); a fixture; an old --log line */
	struct replay *r = open_text(
		"{\"time\":\"2026-05-01T12:00:00.540Z\",\"topic\":\"t/1\",\"retained\":true,"
		"\"encoding\":\"base64\",\"payload\":\"gaFhAQ==\"}\n"
		"{\"time\":\"2026-05-01T12:00:01.000Z\",\"topic\":\"t/2\",\"retained\":false,"
		"\"encoding\":\"utf-8\",\"payload\":\"\\\"ON\\\"\\n\"}\n"
		"{\"time\":\"2026-05-01T12:00:01.000Z\",\"event\":\"connected\"}\n"
		"{\"topic\":\"t/3\",\"payload\":{\"x\":[1,2]}}\n"
		"{\"topic\":\"t/4\",\"decoded\":{\"state\":\"OK\"}}\n",
		path, sizeof(path));
	struct message_meta m;
	assert_int_equal(replay_next(r, 7, &m, err, sizeof(err)), 1);
	assert_int_equal(m.topic_len, 3);
	assert_memory_equal(m.topic, "t/1", 3);
	assert_int_equal(m.payload_len, 4);
	assert_memory_equal(m.payload, "\x81\xa1" "a\x01", 4);
	assert_true(m.retained);
	char when[40];
	time_format_iso8601(m.received_at, when, sizeof(when));
	assert_string_equal(when, "2026-05-01T12:00:00.540Z"); /* back as recorded */

	assert_int_equal(replay_next(r, 7, &m, err, sizeof(err)), 1);
	assert_int_equal(m.payload_len, 5);
	assert_memory_equal(m.payload, "\"ON\"\n", 5);
	assert_false(m.retained);

	assert_int_equal(replay_next(r, 7, &m, err, sizeof(err)), 1); /* the event skipped */
	assert_memory_equal(m.topic, "t/3", 3);
	assert_int_equal(m.payload_len, strlen("{\"x\":[1,2]}"));
	assert_memory_equal(m.payload, "{\"x\":[1,2]}", m.payload_len);
	assert_true(m.received_at == 7); /* no "time": the default */

	assert_int_equal(replay_next(r, 7, &m, err, sizeof(err)), 1);
	assert_memory_equal(m.payload, "{\"state\":\"OK\"}", m.payload_len);
	assert_int_equal(replay_next(r, 7, &m, err, sizeof(err)), 0);
	replay_close(r);
	unlink(path);
}

static void test_arrays_are_walked(void **state)
{
	(void)state;
	char path[64], err[256];
	struct replay *r = open_text("[{\"topic\":\"a\",\"payload\":1},[{\"topic\":\"b\",\"payload\":2}],"
				     "3,{\"topic\":\"c\",\"payload\":3}]",
				     path, sizeof(path));
	struct message_meta m;
	const char *want[] = { "a", "b", "c" };
	for (int i = 0; i < 3; i++) {
		assert_int_equal(replay_next(r, 0, &m, err, sizeof(err)), 1);
		assert_memory_equal(m.topic, want[i], 1);
	}
	assert_int_equal(replay_next(r, 0, &m, err, sizeof(err)), 0);
	replay_close(r);
	unlink(path);
}

static void test_errors_name_the_place(void **state)
{
	(void)state;
	char path[64], err[256];
	struct message_meta m;
	struct replay *r = open_text("{\"topic\":\"a\",\"encoding\":\"base64\",\"payload\":\"a$==\"}",
				     path, sizeof(path));
	assert_int_equal(replay_next(r, 0, &m, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "not base64"));
	replay_close(r);
	unlink(path);

	r = open_text("{\"topic\":\"a\",\"encoding\":\"rot13\",\"payload\":\"x\"}", path, sizeof(path));
	assert_int_equal(replay_next(r, 0, &m, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "unknown \"encoding\""));
	replay_close(r);
	unlink(path);

	r = open_text("{\"topic\":\"a\",\"payload\":1}\n{\"topic\": nope}\n", path, sizeof(path));
	assert_int_equal(replay_next(r, 0, &m, err, sizeof(err)), 1);
	assert_int_equal(replay_next(r, 0, &m, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "JSON error at byte"));
	replay_close(r);
	unlink(path);
}

static void test_pace_follows_the_recorded_times(void **state)
{
	(void)state;
	struct replay_pace p;
	replay_pace_init(&p, 0); /* max */
	assert_true(replay_pace_wait(&p, 100, 5) == 0);
	assert_true(replay_pace_wait(&p, 1e9, 5) == 0);

	replay_pace_init(&p, 2);
	assert_true(replay_pace_wait(&p, 1000, 50) == 0); /* the first: now */
	assert_true(replay_pace_wait(&p, 1010, 50) == 5); /* 10 s recorded, at 2x */
	assert_true(replay_pace_wait(&p, 1010, 56) == -1); /* late: at once */
	assert_true(replay_pace_wait(&p, 999, 50) < 0);   /* out of order: at once */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_payload_as_recorded),
		cmocka_unit_test(test_arrays_are_walked),
		cmocka_unit_test(test_errors_name_the_place),
		cmocka_unit_test(test_pace_follows_the_recorded_times),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
