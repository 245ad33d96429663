/* Unit tests: ui/keyscript — the key scripts of the screen tests. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <curses.h>
#include <string.h>

#include "ui/keyscript.h"

static void test_keys_and_actions(void **state)
{
	(void)state;
	struct keyscript ks;
	char err[256];
	const char *text = "# a comment line\n"
			   "j k <Enter>\n"
			   "/ab<Space>c<Esc>\n"
			   "<C-d><PgDn><Lt>\n"
			   "<Resize 120x40> <Click 5 7> <WheelDown> <Dump>\n";
	assert_true(keyscript_parse(&ks, text, "k", err, sizeof(err)));
	int keys[] = { 'j', 'k', '\r', '/', 'a', 'b', ' ', 'c', 27, 4, KEY_NPAGE, '<' };
	size_t nkeys = sizeof(keys) / sizeof(keys[0]);
	assert_int_equal(ks.count, nkeys + 4);
	for (size_t i = 0; i < nkeys; i++) {
		assert_int_equal(ks.events[i].kind, SCRIPT_KEY);
		assert_int_equal(ks.events[i].key, keys[i]);
	}
	assert_int_equal(ks.events[nkeys].kind, SCRIPT_RESIZE);
	assert_int_equal(ks.events[nkeys].a, 120);
	assert_int_equal(ks.events[nkeys].b, 40);
	assert_int_equal(ks.events[nkeys + 1].kind, SCRIPT_CLICK);
	assert_int_equal(ks.events[nkeys + 1].a, 5);
	assert_int_equal(ks.events[nkeys + 1].b, 7);
	assert_int_equal(ks.events[nkeys + 2].kind, SCRIPT_WHEEL);
	assert_int_equal(ks.events[nkeys + 2].key, 1);
	assert_int_equal(ks.events[nkeys + 3].kind, SCRIPT_DUMP);
	keyscript_free(&ks);
}

static void test_errors(void **state)
{
	(void)state;
	struct keyscript ks;
	char err[256];
	assert_false(keyscript_parse(&ks, "j\n\n<Nope>\n", "k.keys", err, sizeof(err)));
	assert_string_equal(err, "k.keys:3: unknown key <Nope>");
	assert_false(keyscript_parse(&ks, "j <Enter\nk>", "k.keys", err, sizeof(err)));
	assert_non_null(strstr(err, "k.keys:1:"));
	assert_false(keyscript_parse(&ks, "<Resize 0x10>", "k.keys", err, sizeof(err)));
	assert_true(keyscript_parse(&ks, "", "k.keys", err, sizeof(err)));
	assert_int_equal(ks.count, 0);
	keyscript_free(&ks);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_keys_and_actions),
		cmocka_unit_test(test_errors),
	};
	return cmocka_run_group_tests_name("ui_keyscript", tests, NULL, NULL);
}
