/* Unit tests: csv — RFC 4180 quoting, no escapes, no formulas. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"

static const char *field(const char *in, bool number)
{
	static char buf[256];
	csv_format_field(in, number, buf, sizeof(buf));
	return buf;
}

static void test_plain_fields_are_not_quoted(void **state)
{
	(void)state;
	assert_string_equal(field("heat-pump-1", false), "heat-pump-1");
	assert_string_equal(field("", false), "");
	assert_string_equal(field(NULL, false), "");
	assert_string_equal(field("Mill Lane 27 › heat", false), "Mill Lane 27 › heat");
}

static void test_rfc4180_quoting(void **state)
{
	(void)state;
	assert_string_equal(field("a,b", false), "\"a,b\"");
	assert_string_equal(field("say \"hi\"", false), "\"say \"\"hi\"\"\"");
}

static void test_escapes_and_controls_are_made_visible(void **state)
{
	(void)state;
	/* nothing below 0x20 reaches the file: a `cat` of it moves nothing */
	assert_string_equal(field("pump\x1b]0;owned\x07", false), "pump^[]0;owned^G");
	assert_string_equal(field("two\nlines", false), "two^Jlines");
}

static void test_formulas_are_guarded(void **state)
{
	(void)state;
	assert_string_equal(field("=HYPERLINK(\"x\")", false), "\"'=HYPERLINK(\"\"x\"\")\"");
	assert_string_equal(field("+1", false), "\"'+1\"");
	assert_string_equal(field("-cmd", false), "\"'-cmd\"");
	assert_string_equal(field("@SUM(A1)", false), "\"'@SUM(A1)\"");
	assert_string_equal(field("-", false), "-");
	/* a number the caller formatted stays a number */
	assert_string_equal(field("-12.5", true), "-12.5");
	assert_true(csv_is_number("-12.5"));
	assert_true(csv_is_number("57"));
	assert_false(csv_is_number("-1+2"));
	assert_false(csv_is_number("+5"));
	assert_false(csv_is_number("5s"));
	assert_false(csv_is_number(""));
	assert_false(csv_is_number("-"));
}

static void test_bounded_and_long_fields(void **state)
{
	(void)state;
	char small[8];
	size_t need = csv_format_field("abcdefghijkl", false, small, sizeof(small));
	assert_int_equal(need, 12);
	assert_string_equal(small, "abcdefg");
	/* csv_field writes a long field whole */
	char *big = malloc(5000);
	memset(big, 'x', 4999);
	big[4999] = '\0';
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	csv_field(f, "a", true, false);
	csv_field(f, big, false, false);
	csv_end_record(f);
	fclose(f);
	assert_int_equal(len, 2 + 4999 + 2);
	assert_memory_equal(text, "a,x", 3);
	assert_memory_equal(text + len - 2, "\r\n", 2);
	free(text);
	free(big);
}

int main(void)
{
	setlocale(LC_ALL, "C.UTF-8");
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_fields_are_not_quoted),
		cmocka_unit_test(test_rfc4180_quoting),
		cmocka_unit_test(test_escapes_and_controls_are_made_visible),
		cmocka_unit_test(test_formulas_are_guarded),
		cmocka_unit_test(test_bounded_and_long_fields),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
