/* Unit tests: audit log (private file, one JSON line per action) and the
 * GraphQL answer parser. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "audit.h"
#include "graphql.h"

static void test_audit_lines_and_mode(void **state)
{
	(void)state;
	char dir[] = "/tmp/drivr-audit-XXXXXX";
	assert_non_null(mkdtemp(dir));
	char path[256];
	snprintf(path, sizeof(path), "%s/state/drivr-console/audit.log", dir);
	struct audit_entry e = { 1640995200.0, "prod", "set-setpoint",
				 "drivr/v1/adam/input/setpoint/s1/json", "{\"value\":45}", "queued", 7 };
	char err[256];
	assert_true(audit_append(path, &e, err, sizeof(err)));
	e.outcome = "rejected: compressor \x1b[2J locked";
	assert_true(audit_append(path, &e, err, sizeof(err)));
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	char parent[256];
	snprintf(parent, sizeof(parent), "%s/state/drivr-console", dir);
	assert_int_equal(stat(parent, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);

	FILE *f = fopen(path, "r");
	char line[1024];
	int lines = 0;
	while (fgets(line, sizeof(line), f)) {
		cJSON *o = cJSON_Parse(line);
		assert_non_null(o);
		assert_string_equal(cJSON_GetObjectItem(o, "time")->valuestring, "2022-01-01T00:00:00.000Z");
		assert_string_equal(cJSON_GetObjectItem(o, "profile")->valuestring, "prod");
		assert_string_equal(cJSON_GetObjectItem(o, "action")->valuestring, "set-setpoint");
		assert_string_equal(cJSON_GetObjectItem(o, "payload")->valuestring, "{\"value\":45}");
		assert_int_equal(cJSON_GetObjectItem(o, "request")->valueint, 7);
		lines++;
		cJSON_Delete(o);
	}
	fclose(f);
	assert_int_equal(lines, 2);
	/* Escape sequences are escaped in the file, never raw. */
	f = fopen(path, "r");
	int c;
	while ((c = fgetc(f)) != EOF)
		assert_int_not_equal(c, 0x1b);
	fclose(f);
	char cmd[300];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

static void test_graphql_answers(void **state)
{
	(void)state;
	struct graphql_token_result r;
	memset(&r, 0, sizeof(r));
	const char *ok = "{\"data\":{\"createLocalApiToken\":{\"jwt\":\"CLOUD-a.b.c\",\"uuid\":\"u1\"}}}";
	assert_true(graphql_parse_token_answer(ok, strlen(ok), &r));
	assert_string_equal(r.jwt, "CLOUD-a.b.c");
	assert_string_equal(r.uuid, "u1");
	graphql_token_result_free(&r);
	const char *refused = "{\"errors\":[{\"message\":\"not authorized\"}],\"data\":null}";
	assert_false(graphql_parse_token_answer(refused, strlen(refused), &r));
	assert_string_equal(r.error, "not authorized");
	graphql_token_result_free(&r);
	assert_false(graphql_parse_token_answer("<html>", 6, &r));
	assert_non_null(strstr(r.error, "JSON"));
	graphql_token_result_free(&r);
	const char *empty = "{\"data\":{\"createLocalApiToken\":null}}";
	assert_false(graphql_parse_token_answer(empty, strlen(empty), &r));
	graphql_token_result_free(&r);
}

static void test_user_token_sources(void **state)
{
	(void)state;
	char err[256];
	char path[] = "/tmp/drivr-token-XXXXXX";
	int fd = mkstemp(path);
	assert_true(write(fd, "secret-user-token\n", 18) == 18);
	close(fd);
	char *t = graphql_read_user_token(path, err, sizeof(err));
	assert_string_equal(t, "secret-user-token");
	free(t);
	unlink(path);
	assert_null(graphql_read_user_token(path, err, sizeof(err)));
	assert_non_null(strstr(err, path));
	setenv("DRIVR_USER_TOKEN", "from-env", 1);
	t = graphql_read_user_token(NULL, err, sizeof(err));
	assert_string_equal(t, "from-env");
	free(t);
	unsetenv("DRIVR_USER_TOKEN");
	assert_null(graphql_read_user_token(NULL, err, sizeof(err)));
}

static void test_jwt_file_and_endpoint(void **state)
{
	(void)state;
	char err[256], dir[] = "/tmp/drivr-jwt-XXXXXX", path[300];
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/bulb.jwt", dir);
	assert_true(graphql_save_jwt(path, "CLOUD-a.b.c", true, err, sizeof(err)));
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(st.st_size, 12);
	/* exclusive: an existing file is never overwritten */
	assert_false(graphql_save_jwt(path, "CLOUD-x.y.z", true, err, sizeof(err)));
	assert_non_null(strstr(err, "exists"));
	/* not exclusive: replaced, and private again even if loosened */
	chmod(path, 0644);
	assert_true(graphql_save_jwt(path, "CLOUD-x.y", false, err, sizeof(err)));
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(st.st_size, 10);
	unlink(path);
	rmdir(dir);

	char url[128];
	graphql_endpoint(NULL, "adam", url, sizeof(url));
	assert_string_equal(url, "https://adam.api.drivr.cloud/graphql");
	graphql_endpoint("http://127.0.0.1:8080/graphql", "adam", url, sizeof(url));
	assert_string_equal(url, "http://127.0.0.1:8080/graphql");
}

/* Reads a whole small file into buf; its length. */
static ssize_t slurp(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	ssize_t n = read(fd, buf, size - 1);
	close(fd);
	buf[n > 0 ? n : 0] = '\0';
	return n;
}

/* The audit log is never written through a symbolic link or into a file
 * with a second hard link, and a target's mode is never changed; a file
 * that is not regular is refused (its lines would be lost). */
static void test_audit_refuses_links(void **state)
{
	(void)state;
	char dir[] = "/tmp/drivr-audit-XXXXXX", target[300], link_path[300], err[512];
	assert_non_null(mkdtemp(dir));
	snprintf(target, sizeof(target), "%s/target", dir);
	int fd = open(target, O_WRONLY | O_CREAT | O_EXCL, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "keep\n", 5), 5);
	close(fd);
	chmod(target, 0644);
	struct audit_entry e = { 1640995200.0, NULL, "ack-event", "t", "{}", "confirmed", 1 };
	struct stat st;
	char buf[64];

	snprintf(link_path, sizeof(link_path), "%s/sym.log", dir);
	assert_int_equal(symlink(target, link_path), 0);
	assert_false(audit_append(link_path, &e, err, sizeof(err)));
	assert_non_null(strstr(err, "symbolic link"));
	unlink(link_path);
	/* dangling: nothing created at the link's target either */
	char missing[300];
	snprintf(missing, sizeof(missing), "%s/missing", dir);
	assert_int_equal(symlink(missing, link_path), 0);
	assert_false(audit_append(link_path, &e, err, sizeof(err)));
	assert_int_equal(access(missing, F_OK), -1);
	unlink(link_path);

	snprintf(link_path, sizeof(link_path), "%s/hard.log", dir);
	assert_int_equal(link(target, link_path), 0);
	assert_false(audit_append(link_path, &e, err, sizeof(err)));
	assert_non_null(strstr(err, "hard links"));
	unlink(link_path);

	assert_int_equal(stat(target, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0644);
	assert_int_equal(slurp(target, buf, sizeof(buf)), 5);
	assert_string_equal(buf, "keep\n");

	/* not a regular file: /dev/null would swallow every line */
	assert_false(audit_append("/dev/null", &e, err, sizeof(err)));
	assert_non_null(strstr(err, "not a regular file"));
	/* a directory where the file should be */
	assert_false(audit_append(dir, &e, err, sizeof(err)));
	/* our own loosened log is made private again */
	assert_true(audit_append(target, &e, err, sizeof(err)));
	assert_int_equal(stat(target, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	unlink(target);
	rmdir(dir);
}

/* --token-out: checked before anything is issued; written by rename, so a
 * link at the path is replaced, never written through. */
static void test_jwt_path_checks_and_links(void **state)
{
	(void)state;
	char dir[] = "/tmp/drivr-jwt-XXXXXX", target[300], path[300], err[512], buf[64];
	assert_non_null(mkdtemp(dir));
	snprintf(target, sizeof(target), "%s/target", dir);
	int fd = open(target, O_WRONLY | O_CREAT | O_EXCL, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "keep\n", 5), 5);
	close(fd);
	chmod(target, 0644);
	struct stat st;

	snprintf(path, sizeof(path), "%s/no-such-dir/t.jwt", dir);
	assert_false(graphql_check_jwt_path(path, false, err, sizeof(err)));
	assert_non_null(strstr(err, "No such file"));
	assert_false(graphql_save_jwt(path, "CLOUD-a.b.c", false, err, sizeof(err)));

	snprintf(path, sizeof(path), "%s/sym.jwt", dir);
	assert_int_equal(symlink(target, path), 0);
	assert_false(graphql_check_jwt_path(path, false, err, sizeof(err)));
	assert_non_null(strstr(err, "symbolic link"));
	assert_false(graphql_save_jwt(path, "CLOUD-a.b.c", false, err, sizeof(err)));
	unlink(path);

	snprintf(path, sizeof(path), "%s/hard.jwt", dir);
	assert_int_equal(link(target, path), 0);
	assert_false(graphql_save_jwt(path, "CLOUD-a.b.c", false, err, sizeof(err)));
	assert_non_null(strstr(err, "hard links"));
	unlink(path);

	assert_false(graphql_check_jwt_path(dir, false, err, sizeof(err)));
	assert_non_null(strstr(err, "a directory"));

	assert_int_equal(stat(target, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0644);
	assert_int_equal(slurp(target, buf, sizeof(buf)), 5);
	assert_string_equal(buf, "keep\n");

	/* a plain file of ours is replaced whole; no temporary file left */
	assert_true(graphql_save_jwt(target, "CLOUD-x", false, err, sizeof(err)));
	assert_int_equal(slurp(target, buf, sizeof(buf)), 8);
	assert_string_equal(buf, "CLOUD-x\n");
	assert_int_equal(stat(target, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	unlink(target);
	assert_int_equal(rmdir(dir), 0); /* empty: the temporaries were removed */
}

static void test_user_token_file_mode(void **state)
{
	(void)state;
	char path[] = "/tmp/drivr-token-XXXXXX", warn[700];
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	chmod(path, 0600);
	assert_false(graphql_user_token_file_warning(path, warn, sizeof(warn)));
	chmod(path, 0640);
	assert_true(graphql_user_token_file_warning(path, warn, sizeof(warn)));
	assert_non_null(strstr(warn, "mode 0640"));
	assert_non_null(strstr(warn, "chmod 600"));
	assert_false(graphql_user_token_file_warning(NULL, warn, sizeof(warn)));
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_audit_lines_and_mode),
		cmocka_unit_test(test_graphql_answers),
		cmocka_unit_test(test_user_token_sources),
		cmocka_unit_test(test_jwt_file_and_endpoint),
		cmocka_unit_test(test_audit_refuses_links),
		cmocka_unit_test(test_jwt_path_checks_and_links),
		cmocka_unit_test(test_user_token_file_mode),
	};
	return cmocka_run_group_tests_name("audit", tests, NULL, NULL);
}
