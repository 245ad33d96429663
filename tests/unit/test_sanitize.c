/* Unit tests: sanitize — nothing from a device may reach the terminal raw. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sanitize.h"

static struct sanitize_result run(const char *in, size_t len, enum sanitize_mode mode, char *out,
				  size_t size, size_t cols)
{
	return sanitize_text(in, len, mode, out, size, cols);
}

/* No byte below 0x20, no DEL, no C1 may survive display sanitising. */
static void assert_terminal_safe(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		assert_true(*p >= 0x20);
		assert_true(*p != 0x7f);
	}
	/* C1 in UTF-8 is C2 80..C2 9F. */
	for (const unsigned char *p = (const unsigned char *)s; p[0] && p[1]; p++)
		assert_false(p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f);
}

static void test_escape_sequences_made_visible(void **state)
{
	(void)state;
	char out[64];
	const char *in = "pump\x1b[2J\x1b]0;owned\x07!";
	struct sanitize_result r = run(in, strlen(in), SANITIZE_DISPLAY_UTF8, out, sizeof(out), 0);
	assert_string_equal(out, "pump^[[2J^[]0;owned^G!");
	assert_true(r.changed);
	assert_false(r.truncated);
	assert_int_equal(r.columns, strlen(out));
	assert_terminal_safe(out);
}

static void test_c1_and_invalid_utf8(void **state)
{
	(void)state;
	char out[64];
	/* C1 CSI encoded in UTF-8, a lone 0x9b byte, an overlong '/', a
	 * surrogate and a truncated sequence. */
	const char in[] = "a\xc2\x9b" "b\x9b" "c\xc0\xaf" "d\xed\xa0\x80" "e\xe2\x82";
	struct sanitize_result r = run(in, sizeof(in) - 1, SANITIZE_DISPLAY_UTF8, out, sizeof(out), 0);
	assert_true(r.changed);
	assert_terminal_safe(out);
	assert_non_null(strstr(out, "a\\x9bb"));
	assert_non_null(strstr(out, "b\xef\xbf\xbd" "c"));

	r = run(in, sizeof(in) - 1, SANITIZE_DISPLAY_ASCII, out, sizeof(out), 0);
	for (const unsigned char *p = (const unsigned char *)out; *p; p++)
		assert_true(*p >= 0x20 && *p < 0x7f);
	assert_non_null(strstr(out, "b\\x9bc"));
}

static void test_valid_utf8_kept_and_measured(void **state)
{
	(void)state;
	char out[64];
	const char *in = "Zähler 电表"; /* the CJK characters are double width */
	struct sanitize_result r = run(in, strlen(in), SANITIZE_DISPLAY_UTF8, out, sizeof(out), 0);
	assert_string_equal(out, in);
	assert_false(r.changed);
	assert_int_equal(r.columns, 7 + 4);
	assert_true(sanitize_is_clean(in, strlen(in)));
	/* ASCII mode replaces them. */
	run(in, strlen(in), SANITIZE_DISPLAY_ASCII, out, sizeof(out), 0);
	assert_string_equal(out, "Z?hler ??");
}

static void test_column_and_buffer_limits(void **state)
{
	(void)state;
	char out[64];
	/* A double-width character never gets cut in half. */
	struct sanitize_result r = run("ab电", 5, SANITIZE_DISPLAY_UTF8, out, sizeof(out), 3);
	assert_string_equal(out, "ab");
	assert_true(r.truncated);
	assert_int_equal(r.columns, 2);
	/* An escape is not cut either: "^[" needs two columns. */
	r = run("x\x1b", 2, SANITIZE_DISPLAY_UTF8, out, sizeof(out), 2);
	assert_string_equal(out, "x");
	assert_true(r.truncated);
	/* Tiny output buffers stay NUL-terminated. */
	char tiny[3];
	r = run("abcdef", 6, SANITIZE_DISPLAY_UTF8, tiny, sizeof(tiny), 0);
	assert_string_equal(tiny, "ab");
	assert_true(r.truncated);
}

static void test_cut_in_the_middle(void **state)
{
	(void)state;
	char out[64];
	const char *e = "\xe2\x80\xa6"; /* … */
	struct sanitize_result r;
	/* fits: unchanged */
	r = sanitize_cut_middle("flow-temperature", 16, SANITIZE_DISPLAY_UTF8, e, out, sizeof(out), 16);
	assert_string_equal(out, "flow-temperature");
	assert_false(r.truncated);
	/* too wide: the start and the (one column longer) end around the ellipsis */
	const char *sp = "flow-temperature-setpoint";
	r = sanitize_cut_middle(sp, strlen(sp), SANITIZE_DISPLAY_UTF8, e, out, sizeof(out), 18);
	assert_string_equal(out, "flow-tem\xe2\x80\xa6-setpoint");
	assert_int_equal(r.columns, 18);
	assert_true(r.truncated);
	/* two names with a common prefix stay apart at 16 columns */
	r = sanitize_cut_middle(sp, strlen(sp), SANITIZE_DISPLAY_ASCII, "~", out, sizeof(out), 16);
	assert_string_equal(out, "flow-te~setpoint");
	assert_int_equal(r.columns, 16);
	/* escapes are made visible first and never split into a raw ESC */
	const char *hostile = "\x1b[2Jaaaaaaaaaaaaaaaaaaaaaaaaa\x1b[0m";
	r = sanitize_cut_middle(hostile, strlen(hostile), SANITIZE_DISPLAY_UTF8, e, out, sizeof(out), 11);
	assert_null(strchr(out, 0x1b));
	assert_string_equal(out, "^[[2J\xe2\x80\xa6^[[0m");
	assert_int_equal(r.columns, 11);
	/* double-width characters are never split: the width stays within */
	const char *wide = "\xe6\xb8\xa9\xe5\xba\xa6\xe8\xa8\xad\xe5\xae\x9a\xe5\x80\xa4"; /* 5 wide */
	r = sanitize_cut_middle(wide, strlen(wide), SANITIZE_DISPLAY_UTF8, e, out, sizeof(out), 6);
	assert_true(r.columns <= 6);
	assert_string_equal(out, "\xe6\xb8\xa9\xe2\x80\xa6\xe5\x80\xa4");
	/* too narrow for both ends: the start alone */
	r = sanitize_cut_middle(sp, strlen(sp), SANITIZE_DISPLAY_UTF8, e, out, sizeof(out), 2);
	assert_string_equal(out, "fl");
}

static void test_json_mode(void **state)
{
	(void)state;
	char *s = sanitize_json_dup("ok\x1b[2J\xc2\x9b\xff");
	/* C0 kept for the JSON printer to escape; C1 and invalid replaced. */
	assert_string_equal(s, "ok\x1b[2J\xef\xbf\xbd\xef\xbf\xbd");
	free(s);
	s = sanitize_json_dup("plain");
	assert_string_equal(s, "plain");
	free(s);
	assert_false(sanitize_is_clean("tab\there", 8));
}

int main(void)
{
	/* wcwidth needs a UTF-8 LC_CTYPE; C.UTF-8 ships with every glibc. */
	if (!setlocale(LC_CTYPE, "C.UTF-8")) {
		fprintf(stderr, "test_sanitize: C.UTF-8 locale missing\n");
		return 1;
	}
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escape_sequences_made_visible),
		cmocka_unit_test(test_c1_and_invalid_utf8),
		cmocka_unit_test(test_valid_utf8_kept_and_measured),
		cmocka_unit_test(test_column_and_buffer_limits),
		cmocka_unit_test(test_cut_in_the_middle),
		cmocka_unit_test(test_json_mode),
	};
	return cmocka_run_group_tests_name("sanitize", tests, NULL, NULL);
}
