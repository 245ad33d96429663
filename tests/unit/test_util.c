/* Unit tests: util (time parsing/formatting, string views, hashing) and the
 * hashmap index. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hashmap.h"
#include "util.h"

static void test_time_parse_forms(void **state)
{
	(void)state;
	assert_true(time_parse_iso8601("1970-01-01T00:00:00Z") == 0.0);
	assert_true(time_parse_iso8601("2022-01-01T00:00:00Z") == 1640995200.0);
	/* Platform output: microseconds and an explicit offset. */
	double t = time_parse_iso8601("2021-08-06T13:13:06.136333+00:00");
	assert_true(t > 1628255586.136 && t < 1628255586.137);
	/* Offsets move the instant; +0200 without colon too. */
	assert_true(time_parse_iso8601("2022-01-01T02:00:00+02:00") == 1640995200.0);
	assert_true(time_parse_iso8601("2022-01-01T02:00:00+0200") == 1640995200.0);
	assert_true(time_parse_iso8601("2021-12-31T23:00:00-01:00") == 1640995200.0);
	assert_true(time_parse_iso8601("2022-01-01 00:00:00Z") == 1640995200.0);
	/* Leap day. */
	assert_true(time_parse_iso8601("2024-02-29T00:00:00Z") == 1709164800.0);
}

static void test_time_parse_rejects(void **state)
{
	(void)state;
	const char *bad[] = { "", "2022", "2022-01-01", "2022-01-01T00:00:00",
			      "2022-13-01T00:00:00Z", "2022-01-01T25:00:00Z", "2022-01-01T00:00:00Zjunk",
			      "20x2-01-01T00:00:00Z", "2022-01-01T00:00:00.Z", "2022-01-01T00:00:00+5" };
	for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
		if (time_parse_iso8601(bad[i]) != TIME_UNKNOWN)
			fail_msg("accepted \"%s\"", bad[i]);
	}
	assert_true(time_parse_iso8601(NULL) == TIME_UNKNOWN);
}

static void test_time_format(void **state)
{
	(void)state;
	char buf[40];
	time_format_iso8601(1640995200.25, buf, sizeof(buf));
	assert_string_equal(buf, "2022-01-01T00:00:00.250Z");
	time_format_iso8601(TIME_UNKNOWN, buf, sizeof(buf));
	assert_string_equal(buf, "-");
}

static void test_strview(void **state)
{
	(void)state;
	const char *topic = "drivr/v1/adam";
	struct strview v = sv_make(topic + 9, 4);
	assert_true(sv_equal_cstr(v, "adam"));
	assert_false(sv_equal_cstr(v, "ada"));
	assert_false(sv_equal_cstr(v, "adams"));
	char small[3];
	assert_string_equal(sv_copy(v, small, sizeof(small)), "ad");
	assert_true(sv_equal(v, sv_from_cstr("adam")));
	assert_int_not_equal(hash_bytes("a", 1), hash_bytes("b", 1));
}

/* hashmap over an array of strings */
static bool str_equal(const void *ctx, uint32_t slot, const void *key)
{
	char *const *names = ctx;
	return strcmp(names[slot], key) == 0;
}

static uint64_t h(const char *s)
{
	return hash_bytes(s, strlen(s));
}

static void test_hashmap_insert_find_remove(void **state)
{
	(void)state;
	enum { N = 5000 };
	char **names = calloc(N, sizeof(*names));
	struct hashmap map;
	hashmap_init(&map);
	for (uint32_t i = 0; i < N; i++) {
		names[i] = malloc(16);
		snprintf(names[i], 16, "key-%u", i);
		hashmap_insert(&map, h(names[i]), i);
	}
	assert_int_equal(map.count, N);
	for (uint32_t i = 0; i < N; i++) {
		uint32_t slot = UINT32_MAX;
		assert_true(hashmap_find(&map, h(names[i]), str_equal, names, names[i], &slot));
		assert_int_equal(slot, i);
	}
	uint32_t slot;
	assert_false(hashmap_find(&map, h("absent"), str_equal, names, "absent", &slot));
	/* Remove every other key; the rest must stay reachable (backward shift
	 * must not break probe runs). */
	for (uint32_t i = 0; i < N; i += 2)
		assert_true(hashmap_remove(&map, h(names[i]), i));
	assert_false(hashmap_remove(&map, h(names[0]), 0));
	assert_int_equal(map.count, N / 2);
	for (uint32_t i = 0; i < N; i++) {
		bool found = hashmap_find(&map, h(names[i]), str_equal, names, names[i], &slot);
		assert_int_equal(found, i % 2 == 1);
	}
	hashmap_destroy(&map);
	for (uint32_t i = 0; i < N; i++)
		free(names[i]);
	free(names);
}

/* Colliding hashes: every key under the same hash, told apart by equality. */
static void test_hashmap_collisions(void **state)
{
	(void)state;
	char *names[] = { "a", "b", "c", "d" };
	struct hashmap map;
	hashmap_init(&map);
	for (uint32_t i = 0; i < 4; i++)
		hashmap_insert(&map, 42, i);
	uint32_t slot;
	assert_true(hashmap_find(&map, 42, str_equal, names, "c", &slot));
	assert_int_equal(slot, 2);
	assert_true(hashmap_remove(&map, 42, 1));
	assert_true(hashmap_find(&map, 42, str_equal, names, "d", &slot));
	assert_int_equal(slot, 3);
	assert_false(hashmap_find(&map, 42, str_equal, names, "b", &slot));
	hashmap_destroy(&map);
}

/* util_read_file: the limit is the file's size, inclusive; what is not a
 * regular file is refused without reading; a missing file keeps ENOENT. */
static void test_read_file_limits(void **state)
{
	(void)state;
	char dir[] = "/tmp/drivr-util-XXXXXX", path[64], err[256];
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/f", dir);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs("0123456789", f);
	fclose(f);

	size_t len = 0;
	char *text = util_read_file(path, 10, "--x", &len, err, sizeof(err));
	assert_non_null(text);
	assert_int_equal(len, 10);
	assert_string_equal(text, "0123456789");
	free(text);

	assert_null(util_read_file(path, 9, "--x", &len, err, sizeof(err)));
	assert_int_equal(errno, EFBIG);
	assert_non_null(strstr(err, "larger than the 0 KiB limit; refused"));

	assert_null(util_read_file("/dev/zero", 1u << 20, "--x", &len, err, sizeof(err)));
	assert_int_equal(errno, EINVAL);
	assert_string_equal(err, "--x /dev/zero: not a regular file (a device); refused");

	assert_null(util_read_file(dir, 1u << 20, "--x", &len, err, sizeof(err)));
	assert_non_null(strstr(err, "(a directory)"));

	unlink(path);
	assert_null(util_read_file(path, 10, "--x", &len, err, sizeof(err)));
	assert_int_equal(errno, ENOENT);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_read_file_limits),
		cmocka_unit_test(test_time_parse_forms),
		cmocka_unit_test(test_time_parse_rejects),
		cmocka_unit_test(test_time_format),
		cmocka_unit_test(test_strview),
		cmocka_unit_test(test_hashmap_insert_find_remove),
		cmocka_unit_test(test_hashmap_collisions),
	};
	return cmocka_run_group_tests_name("util", tests, NULL, NULL);
}
