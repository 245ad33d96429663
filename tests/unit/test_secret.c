/* Unit tests: secret — one rule for reading a secret line, wiping, and the
 * private mode of files that hold or record secrets. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "secret.h"
#include "util.h"

struct dir {
	char path[64];
};

static int setup(void **state)
{
	struct dir *d = calloc(1, sizeof(*d));
	snprintf(d->path, sizeof(d->path), "/tmp/drivr-secret-XXXXXX");
	assert_non_null(mkdtemp(d->path));
	*state = d;
	return 0;
}

static int teardown(void **state)
{
	struct dir *d = *state;
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", d->path);
	assert_int_equal(system(cmd), 0);
	free(d);
	return 0;
}

/* Writes content (len bytes) to dir/name; the path in out. */
static void put(const struct dir *d, const char *name, const char *content, size_t len, char *out,
		size_t size)
{
	snprintf(out, size, "%s/%s", d->path, name);
	FILE *f = fopen(out, "w");
	assert_non_null(f);
	assert_int_equal(fwrite(content, 1, len, f), len);
	fclose(f);
}

static char *read_of(const struct dir *d, const char *content, char *err)
{
	char path[256];
	put(d, "s", content, strlen(content), path, sizeof(path));
	return secret_read_line(path, "--user-token-file", err, 256);
}

static void test_read_line_rules(void **state)
{
	struct dir *d = *state;
	char err[256];
	char *s = read_of(d, "tok-123\n", err);
	assert_string_equal(s, "tok-123"); /* the editor's newline is not part of it */
	secret_free(s);
	s = read_of(d, "tok-123\r\n", err);
	assert_string_equal(s, "tok-123");
	secret_free(s);
	s = read_of(d, "tok-123", err); /* no newline at all */
	assert_string_equal(s, "tok-123");
	secret_free(s);
	s = read_of(d, "first\nsecond\n", err); /* only the first line */
	assert_string_equal(s, "first");
	/* the rest of the buffer was wiped, not left behind the NUL */
	assert_true(s[5] == '\0' && s[6] == '\0' && s[11] == '\0');
	secret_free(s);
	/* empty: refused, never an empty secret — an empty file, a blank line */
	assert_null(read_of(d, "", err));
	assert_non_null(strstr(err, "--user-token-file"));
	assert_non_null(strstr(err, "is empty"));
	assert_null(read_of(d, "\nsecond\n", err));
	assert_non_null(strstr(err, "is empty"));
}

static void test_read_line_limits(void **state)
{
	struct dir *d = *state;
	char err[256], path[256];
	/* over LIMIT_SECRET_FILE: refused by util_read_file, with what it is */
	size_t big = LIMIT_SECRET_FILE + 1;
	char *content = malloc(big);
	memset(content, 'x', big);
	put(d, "big", content, big, path, sizeof(path));
	free(content);
	assert_null(secret_read_line(path, "--key-pass-file", err, sizeof(err)));
	assert_non_null(strstr(err, "--key-pass-file"));
	assert_non_null(strstr(err, "limit"));
	/* missing, a directory */
	snprintf(path, sizeof(path), "%s/none", d->path);
	assert_null(secret_read_line(path, "--key-pass-file", err, sizeof(err)));
	assert_non_null(strstr(err, "No such file"));
	assert_null(secret_read_line(d->path, "--key-pass-file", err, sizeof(err)));
	assert_non_null(strstr(err, "directory"));
}

static void test_wipe_and_free(void **state)
{
	(void)state;
	char buf[16] = "hunter2";
	secret_wipe(buf, sizeof(buf));
	for (size_t i = 0; i < sizeof(buf); i++)
		assert_int_equal(buf[i], 0);
	secret_wipe(NULL, 4); /* nothing to wipe */
	secret_free(NULL);
	char *s = secret_dup("jwt");
	assert_string_equal(s, "jwt");
	secret_free(s);
	assert_null(secret_dup(NULL));
}

static void test_file_private(void **state)
{
	struct dir *d = *state;
	char path[256], err[256];
	put(d, "log", "x", 1, path, sizeof(path));
	assert_int_equal(chmod(path, 0644), 0);
	int fd = open(path, O_WRONLY);
	assert_true(fd >= 0);
	assert_true(secret_file_private(fd, path, err, sizeof(err)));
	struct stat st;
	assert_int_equal(fstat(fd, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	/* already private: nothing to do */
	assert_true(secret_file_private(fd, path, err, sizeof(err)));
	close(fd);
	/* a descriptor that is not open: the failure is said, not ignored */
	assert_false(secret_file_private(fd, path, err, sizeof(err)));
	assert_non_null(strstr(err, path));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_read_line_rules, setup, teardown),
		cmocka_unit_test_setup_teardown(test_read_line_limits, setup, teardown),
		cmocka_unit_test(test_wipe_and_free),
		cmocka_unit_test_setup_teardown(test_file_private, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
