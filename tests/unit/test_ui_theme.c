/* Unit tests: ui/theme — theme files, fallbacks between depths, errors that
 * name file and line, the shipped themes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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
			   "; the same comment rules as every line file (ini.h)\n"
			   "alert_error = red default bold\n"
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
	/* no comment after a value (ini.h): said, not silently cut */
	expect_error("[8]\nalert_error = red default bold # note\n",
		     "bad.theme:2: unknown attribute \"#\"");
	expect_error("[8]\n[]\n", "bad.theme:2: empty section name");
}

static void test_shipped_themes(void **state)
{
	(void)state;
	/* the tree's themes as the installed directory (the tests run in the tree) */
	setenv("DRIVR_THEME_DIR", "themes", 1);
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

static void write_file(const char *dir, const char *name, const char *text)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void make_dirs(const char *base, const char *sub, char *out, size_t size)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s", base);
	for (const char *p = sub; *p;) {
		size_t n = strcspn(p, "/");
		size_t len = strlen(path);
		snprintf(path + len, sizeof(path) - len, "/%.*s", (int)n, p);
		mkdir(path, 0700);
		p += n + (p[n] == '/');
	}
	snprintf(out, size, "%s", path);
}

/* Where themes come from (docs/ui.md): the user's directory, then the
 * installed one; never the working directory's ./themes. */
static void test_search_order(void **state)
{
	(void)state;
	char base[] = "/tmp/test_ui_theme_XXXXXX", user[4096], home_user[4096], inst[4096],
	     cwd_themes[4096], old_cwd[4096], err[1024];
	assert_non_null(mkdtemp(base));
	assert_non_null(getcwd(old_cwd, sizeof(old_cwd)));
	make_dirs(base, "xdg/drivr-console/themes", user, sizeof(user));
	make_dirs(base, "home/.config/drivr-console/themes", home_user, sizeof(home_user));
	make_dirs(base, "inst", inst, sizeof(inst));
	make_dirs(base, "cwd/themes", cwd_themes, sizeof(cwd_themes));
	write_file(user, "a.theme", "color = no\n");
	write_file(inst, "a.theme", "color = yes\n");
	write_file(inst, "b.theme", "color = no\n");
	write_file(home_user, "h.theme", "color = no\n");
	write_file(cwd_themes, "c.theme", "color = no\n");
	char xdg[4096], home[4096], cwd[4096];
	snprintf(xdg, sizeof(xdg), "%s/xdg", base);
	snprintf(home, sizeof(home), "%s/home", base);
	snprintf(cwd, sizeof(cwd), "%s/cwd", base);
	setenv("XDG_CONFIG_HOME", xdg, 1);
	setenv("HOME", home, 1);
	setenv("DRIVR_THEME_DIR", inst, 1);
	assert_int_equal(chdir(cwd), 0);

	char dirs[THEME_SEARCH_MAX][THEME_PATH_MAX];
	size_t n = theme_search_dirs(dirs, THEME_SEARCH_MAX);
	assert_true(n >= 2);
	assert_string_equal(dirs[0], user);
	assert_string_equal(dirs[1], inst);

	struct theme t;
	char want[4200];
	/* the user's copy wins over the installed one */
	assert_true(theme_load(&t, "a", err, sizeof(err)));
	snprintf(want, sizeof(want), "%s/a.theme", user);
	assert_string_equal(t.path, want);
	assert_false(t.use_color);
	/* only installed: found there */
	assert_true(theme_load(&t, "b", err, sizeof(err)));
	snprintf(want, sizeof(want), "%s/b.theme", inst);
	assert_string_equal(t.path, want);
	/* ./themes is not searched; the message lists where it looked */
	assert_false(theme_load(&t, "c", err, sizeof(err)));
	assert_non_null(strstr(err, "unknown theme \"c\""));
	assert_non_null(strstr(err, user));
	assert_non_null(strstr(err, inst));
	assert_null(strstr(err, cwd_themes));
	/* a name with a '/' is a path, relative ones too */
	assert_true(theme_load(&t, "themes/c.theme", err, sizeof(err)));
	assert_string_equal(t.path, "themes/c.theme");
	/* without XDG_CONFIG_HOME: ~/.config/drivr-console/themes */
	unsetenv("XDG_CONFIG_HOME");
	n = theme_search_dirs(dirs, THEME_SEARCH_MAX);
	assert_string_equal(dirs[0], home_user);
	assert_true(theme_load(&t, "h", err, sizeof(err)));
	assert_false(theme_load(&t, "a", err, sizeof(err)) && !t.use_color); /* inst's a */
	assert_int_equal(chdir(old_cwd), 0);
	unsetenv("DRIVR_THEME_DIR");
	char cmd[4200];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", base);
	assert_int_equal(system(cmd), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_and_fallback),
		cmocka_unit_test(test_errors_name_file_and_line),
		cmocka_unit_test(test_shipped_themes),
		cmocka_unit_test(test_search_order),
	};
	return cmocka_run_group_tests_name("ui_theme", tests, NULL, NULL);
}
