/* Unit tests: termpick against this machine's terminfo (ncurses-base has
 * dumb, xterm and vt100): TERM=dumb refused with a line that points to
 * --log / --snapshot, unknown names falling back to their family, then
 * xterm, with a note saying so; known names used as they are. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "ui/termpick.h"

struct pick {
	bool ok;
	char out[64], note[192], err[256];
};

static struct pick pick(const char *term)
{
	struct pick p;
	memset(&p, 0, sizeof(p));
	p.ok = termpick(term, p.out, sizeof(p.out), p.note, sizeof(p.note), p.err, sizeof(p.err));
	return p;
}

static void test_known_used_as_is(void **state)
{
	(void)state;
	struct pick p = pick("xterm");
	assert_true(p.ok);
	assert_string_equal(p.out, "xterm");
	assert_string_equal(p.note, "");
	p = pick("vt100");
	assert_true(p.ok);
	assert_string_equal(p.out, "vt100");
}

static void test_dumb_refused(void **state)
{
	(void)state;
	struct pick p = pick("dumb");
	assert_false(p.ok);
	assert_non_null(strstr(p.err, "TERM=dumb cannot move the cursor"));
	assert_non_null(strstr(p.err, "--log or --snapshot"));
	assert_null(strchr(p.err, '\n'));
}

static void test_unknown_falls_back(void **state)
{
	(void)state;
	/* the family: cut at the last '-' until terminfo knows it */
	struct pick p = pick("xterm-nonexistent-42");
	assert_true(p.ok);
	assert_string_equal(p.out, "xterm");
	assert_string_equal(p.note, "TERM=xterm-nonexistent-42 has no terminfo entry here: "
				    "drawing as xterm (ncurses-term has more)");
	/* ... or at a '.' */
	p = pick("vt100.nonexistent");
	assert_true(p.ok);
	assert_string_equal(p.out, "vt100");
	/* no family known: xterm */
	p = pick("nonexistent-terminal");
	assert_true(p.ok);
	assert_string_equal(p.out, "xterm");
	assert_non_null(strstr(p.note, "TERM=nonexistent-terminal"));
	/* unset */
	p = pick(NULL);
	assert_true(p.ok);
	assert_string_equal(p.out, "xterm");
	assert_string_equal(p.note, "TERM is not set: drawing as xterm");
	p = pick("");
	assert_true(p.ok);
	assert_string_equal(p.out, "xterm");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_known_used_as_is),
		cmocka_unit_test(test_dumb_refused),
		cmocka_unit_test(test_unknown_falls_back),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
