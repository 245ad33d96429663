/* Unit tests: ui/theme — theme files, fallbacks between depths, errors that
 * name file and line, the shipped themes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "ui/theme.h"

static void test_parse_and_fallback(void **state)
{
	(void)state;
	struct theme t;
	char err[256];
	theme_init_builtin(&t);
	const char *text = "# comment\n"
			   "color = yes\n"
			   "[8]\n"
			   "alert_error = red default bold   # trailing comment\n"
			   "status_bar = black cyan\n"
			   "[256]\n"
			   "alert_error = 196 236 bold underline\n"
			   "[mono]\n"
			   "status_bar = reverse dim\n";
	assert_true(theme_parse(&t, text, "t.theme", err, sizeof(err)));
	assert_true(t.use_color);
	struct theme_style s = theme_style_at(&t, THEME_256, UI_ROLE_ALERT_ERROR);
	assert_int_equal(s.fg, 196);
	assert_int_equal(s.bg, 236);
	assert_int_equal(s.attrs, THEME_ATTR_BOLD | THEME_ATTR_UNDERLINE);
	/* 16 colours: no [16] section, so [8] */
	s = theme_style_at(&t, THEME_16, UI_ROLE_ALERT_ERROR);
	assert_int_equal(s.fg, 1);
	assert_int_equal(s.bg, THEME_COLOR_DEFAULT);
	/* 256: status_bar only in [8] */
	s = theme_style_at(&t, THEME_256, UI_ROLE_STATUS_BAR);
	assert_int_equal(s.fg, 0);
	assert_int_equal(s.bg, 6);
	/* mono: from [mono]; a role nobody set: the built-in attributes */
	s = theme_style_at(&t, THEME_MONO, UI_ROLE_STATUS_BAR);
	assert_int_equal(s.attrs, THEME_ATTR_REVERSE | THEME_ATTR_DIM);
	s = theme_style_at(&t, THEME_MONO, UI_ROLE_SELECTED);
	assert_int_equal(s.attrs, THEME_ATTR_REVERSE);
	s = theme_style_at(&t, THEME_8, UI_ROLE_SELECTED);
	assert_int_equal(s.attrs, THEME_ATTR_REVERSE);
	assert_string_equal(ui_role_name(UI_ROLE_VALUE_STALE), "value_stale");
}

static void expect_error(const char *text, const char *want)
{
	struct theme t;
	char err[256] = "";
	theme_init_builtin(&t);
	assert_false(theme_parse(&t, text, "bad.theme", err, sizeof(err)));
	if (!strstr(err, want))
		fail_msg("\"%s\" lacks \"%s\"", err, want);
}

static void test_errors_name_file_and_line(void **state)
{
	(void)state;
	expect_error("[8]\nnot_a_role = red default\n", "bad.theme:2: unknown role \"not_a_role\"");
	expect_error("[8]\nalert_error = scarlet default\n", "bad.theme:2: unknown colour \"scarlet\"");
	expect_error("[8]\nalert_error = red default shiny\n", "bad.theme:2: unknown attribute \"shiny\"");
	expect_error("[8]\nalert_error = 9 default\n", "bad.theme:2: colour 9 is beyond");
	expect_error("[8]\nalert_error = red\n", "bad.theme:2: expected");
	expect_error("\n\n[88]\n", "bad.theme:3: unknown section [88]");
	expect_error("alert_error = red default\n", "bad.theme:1: \"alert_error\" outside a section");
	expect_error("[8]\nalert_error red\n", "bad.theme:2: expected \"role = ...\"");
	expect_error("color = maybe\n", "bad.theme:1: color must be yes or no");
}

static void test_shipped_themes(void **state)
{
	(void)state;
	const char *names[] = { "default", "light", "high-contrast", "mono" };
	char err[512];
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		struct theme t;
		if (!theme_load(&t, names[i], err, sizeof(err)))
			fail_msg("%s: %s", names[i], err);
		assert_string_equal(t.name, names[i]);
	}
	struct theme t;
	assert_true(theme_load(&t, "mono", err, sizeof(err)));
	assert_false(t.use_color);
	assert_false(theme_load(&t, "no-such", err, sizeof(err)));
	assert_non_null(strstr(err, "unknown theme \"no-such\""));
	assert_false(theme_load(&t, "../etc/passwd", err, sizeof(err)));
	assert_false(theme_load(&t, "/nonexistent/x.theme", err, sizeof(err)));
	assert_non_null(strstr(err, "/nonexistent/x.theme"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_and_fallback),
		cmocka_unit_test(test_errors_name_file_and_line),
		cmocka_unit_test(test_shipped_themes),
	};
	return cmocka_run_group_tests_name("ui_theme", tests, NULL, NULL);
}
