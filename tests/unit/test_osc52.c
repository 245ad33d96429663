/* Unit tests: osc52 — the clipboard sequence carries only base64. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <locale.h>
#include <string.h>

#include "osc52.h"

static void test_sequence_is_base64_of_the_text(void **state)
{
	(void)state;
	char out[64];
	assert_int_equal(osc52_sequence("heat-pump-1", 11, out, sizeof(out)),
			 strlen("\033]52;c;aGVhdC1wdW1wLTE=\a"));
	assert_string_equal(out, "\033]52;c;aGVhdC1wdW1wLTE=\a");
	osc52_sequence("ab", 2, out, sizeof(out));
	assert_string_equal(out, "\033]52;c;YWI=\a");
	osc52_sequence("abc", 3, out, sizeof(out));
	assert_string_equal(out, "\033]52;c;YWJj\a");
	osc52_sequence("", 0, out, sizeof(out));
	assert_string_equal(out, "\033]52;c;\a");
	/* too small: nothing, never a cut sequence */
	assert_int_equal(osc52_sequence("abcdef", 6, out, 12), 0);
}

static void test_hostile_text_is_cleaned_first(void **state)
{
	(void)state;
	char clean[OSC52_MAX_TEXT + 1], out[2 * OSC52_MAX_TEXT];
	/* BEL / ESC would end the sequence; a newline would run a pasted command */
	size_t n = osc52_clean("x\a\033]52;c;owned\a\nrm -rf /", clean, sizeof(clean));
	assert_null(memchr(clean, '\a', n));
	assert_null(memchr(clean, '\033', n));
	assert_null(memchr(clean, '\n', n));
	size_t len = osc52_sequence(clean, n, out, sizeof(out));
	/* one ESC (the start), one BEL (the end), base64 between */
	assert_int_equal(out[0], '\033');
	assert_int_equal(out[len - 1], '\a');
	for (size_t i = 7; i < len - 1; i++)
		assert_non_null(strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=", out[i]));
}

static void test_text_is_bounded(void **state)
{
	(void)state;
	static char big[3 * OSC52_MAX_TEXT], clean[OSC52_MAX_TEXT + 1];
	memset(big, 'a', sizeof(big) - 1);
	assert_int_equal(osc52_clean(big, clean, sizeof(clean)), OSC52_MAX_TEXT);
	/* a multi-byte character is never cut in half */
	char small[6];
	assert_int_equal(osc52_clean("ab›c", small, sizeof(small)), 5);
	assert_int_equal(osc52_clean("abc›", small, sizeof(small)), 3);
}

int main(void)
{
	setlocale(LC_ALL, "C.UTF-8");
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sequence_is_base64_of_the_text),
		cmocka_unit_test(test_hostile_text_is_cleaned_first),
		cmocka_unit_test(test_text_is_bounded),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
