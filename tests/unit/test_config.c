/* Unit tests: config — command line, profiles, precedence, errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "exitstatus.h"
#include "optable.h"
#include "../../src/sim/options.h"

static bool parse(struct config *c, char *err, int argc, ...)
{
	char *argv[32] = { "drivr-console" };
	va_list ap;
	va_start(ap, argc);
	for (int i = 1; i <= argc; i++)
		argv[i] = va_arg(ap, char *);
	va_end(ap);
	return config_parse_args(c, argc + 1, argv, err, 256);
}

static void test_command_line(void **state)
{
	(void)state;
	struct config c;
	char err[256] = "";
	config_init(&c);
	/* A trailing option without its value is refused. */
	assert_false(parse(&c, err, 9, "-h", "broker.local", "-p", "1884", "-s", "adam", "--log",
			   "--count=5", "-i"));
	assert_string_equal(err, "--id needs a value (ID)");
	config_free(&c);
	config_init(&c);
	assert_true(parse(&c, err, 10, "-h", "broker.local", "-p", "1884", "-s", "adam", "--log",
			  "--count=5", "--timeout", "2.5"));
	assert_true(config_validate(&c, err, sizeof(err)));
	assert_string_equal(c.host, "broker.local");
	assert_int_equal(c.port, 1884);
	assert_string_equal(c.slug, "adam");
	assert_true(c.log);
	assert_int_equal(c.count, 5);
	assert_true(c.timeout == 2.5);
	assert_int_equal(config_mode(&c), MODE_LOG);
	assert_false(config_uses_tls(&c));
	config_free(&c);
}

static void test_bad_options_one_line(void **state)
{
	(void)state;
	struct config c;
	char err[256];
	config_init(&c);
	assert_false(parse(&c, err, 1, "--bogus"));
	assert_non_null(strstr(err, "--bogus"));
	assert_null(strchr(err, '\n'));
	config_free(&c);
	config_init(&c);
	assert_false(parse(&c, err, 1, "-p"));
	assert_non_null(strstr(err, "needs a value"));
	config_free(&c);
	config_init(&c);
	assert_false(parse(&c, err, 2, "-p", "eighty"));
	assert_non_null(strstr(err, "eighty"));
	config_free(&c);
	config_init(&c);
	assert_false(parse(&c, err, 1, "--insecure=yes"));
	config_free(&c);
	/* Valid syntax, invalid combination. */
	config_init(&c);
	assert_true(parse(&c, err, 1, "--log"));
	assert_false(config_validate(&c, err, sizeof(err)));
	assert_non_null(strstr(err, "--slug"));
	config_free(&c);
	config_init(&c);
	assert_true(parse(&c, err, 4, "-s", "a/b", "-L", "mqtt://x:1"));
	assert_false(config_validate(&c, err, sizeof(err)));
	config_free(&c);
	config_init(&c);
	assert_true(parse(&c, err, 4, "-s", "adam", "--cert", "c.pem"));
	assert_false(config_validate(&c, err, sizeof(err)));
	assert_non_null(strstr(err, "--key"));
	config_free(&c);
}

static void test_url(void **state)
{
	(void)state;
	struct config c;
	char err[256];
	config_init(&c);
	assert_true(parse(&c, err, 4, "-L", "mqtts://mqtt.drivr.cloud", "-s", "adam"));
	assert_true(config_validate(&c, err, sizeof(err)));
	assert_string_equal(c.host, "mqtt.drivr.cloud");
	assert_int_equal(c.port, 8883);
	assert_true(config_uses_tls(&c));
	config_free(&c);
	config_init(&c);
	assert_true(parse(&c, err, 4, "-L", "mqtt://127.0.0.1:18830", "-s", "adam"));
	assert_true(config_validate(&c, err, sizeof(err)));
	assert_string_equal(c.host, "127.0.0.1");
	assert_int_equal(c.port, 18830);
	config_free(&c);
	config_init(&c);
	assert_true(parse(&c, err, 4, "-L", "http://x", "-s", "adam"));
	assert_false(config_validate(&c, err, sizeof(err)));
	assert_non_null(strstr(err, "mqtt://"));
	config_free(&c);
}

/* The URL forms of include/url.h reach host / port / TLS intact. */
static void expect_url(const char *url, const char *host, long port, bool tls)
{
	struct config c;
	char err[256] = "";
	config_init(&c);
	assert_true(parse(&c, err, 4, "-L", url, "-s", "adam"));
	if (!config_validate(&c, err, sizeof(err)))
		fail_msg("%s: %s", url, err);
	assert_string_equal(c.host, host);
	assert_int_equal(c.port, port);
	assert_int_equal(config_uses_tls(&c), tls);
	config_free(&c);
}

static void expect_refused(int argc, char *a1, char *a2, char *a3, char *a4, const char *piece)
{
	struct config c;
	char err[256] = "";
	config_init(&c);
	assert_true(parse(&c, err, argc, a1, a2, a3, a4));
	assert_false(config_validate(&c, err, sizeof(err)));
	if (!strstr(err, piece))
		fail_msg("message \"%s\" lacks \"%s\"", err, piece);
	config_free(&c);
}

static void test_url_forms(void **state)
{
	(void)state;
	expect_url("mqtt://[::1]:1884", "::1", 1884, false);
	expect_url("mqtts://[::1]", "::1", 8883, true);
	expect_url("MQTTS://mqtt.drivr.cloud", "mqtt.drivr.cloud", 8883, true);
	expect_url("ssl://mqtt.drivr.cloud:8884", "mqtt.drivr.cloud", 8884, true);
	expect_url("tcp://127.0.0.1", "127.0.0.1", 1883, false);
	expect_url("mqtt://mqtt.drivr.cloud:1883/drivr/v1/", "mqtt.drivr.cloud", 1883, false);
	expect_refused(4, "-L", "mqtt://[::1]:0", "-s", "adam",
		       "--url \"mqtt://[::1]:0\": port 0 is not between 1 and 65535");
	expect_refused(4, "-L", "mqtt://host/other", "-s", "adam", "--url \"mqtt://host/other\": path");
	expect_refused(4, "-L", "mqtt://ada:pw@host", "-s", "adam", "\"mqtt://***@host\"");
	expect_refused(4, "-L", "ws://host", "-s", "adam", "WebSocket");
	expect_refused(4, "-h", "[::1", "-s", "adam", "--host \"[::1\": missing ']'");
	expect_refused(4, "-h", "a/b", "-s", "adam", "--host \"a/b\"");
}

/* --host: brackets dropped; an IPv6 host is one host however written. */
static void test_host_forms(void **state)
{
	(void)state;
	struct config c;
	char err[256] = "";
	config_init(&c);
	assert_true(parse(&c, err, 6, "-h", "[::1]", "-p", "1884", "-s", "adam"));
	assert_true(config_validate(&c, err, sizeof(err)));
	assert_string_equal(c.host, "::1");
	assert_int_equal(c.port, 1884);
	config_free(&c);
}

/* What the command line says wins over the URL, as over the file: -h and -p
 * with a profile's url (or with -L) are not silently ignored. */
static void test_url_and_command_line(void **state)
{
	(void)state;
	struct config c;
	char err[256] = "";
	config_init(&c);
	assert_true(parse(&c, err, 6, "--profile", "prod", "-p", "18883", "-s", "adam"));
	assert_true(config_parse_text(&c, "[profile prod]\nurl = mqtts://mqtt.drivr.cloud:8883\n",
				      "config", err, sizeof(err)));
	assert_true(config_validate(&c, err, sizeof(err)));
	assert_string_equal(c.host, "mqtt.drivr.cloud");
	assert_int_equal(c.port, 18883);
	assert_true(config_uses_tls(&c));
	config_free(&c);
	config_init(&c);
	assert_true(parse(&c, err, 6, "-L", "mqtt://a.example:1", "-h", "b.example", "-s", "adam"));
	assert_true(config_validate(&c, err, sizeof(err)));
	assert_string_equal(c.host, "b.example");
	assert_int_equal(c.port, 1);
	config_free(&c);
	/* The file's port gives way to the URL's (both from the same place). */
	config_init(&c);
	assert_true(parse(&c, err, 2, "--profile", "p"));
	assert_true(config_parse_text(&c, "slug = a\nport = 1\n[profile p]\nurl = mqtt://x:2\n",
				      "config", err, sizeof(err)));
	assert_true(config_validate(&c, err, sizeof(err)));
	assert_int_equal(c.port, 2);
	config_free(&c);
}

static const char *FILE_TEXT = "# drivr-console config\n"
			       "slug = everywhere\n"
			       "history = 60\n"
			       "\n"
			       "[profile prod]\n"
			       "url = mqtts://mqtt.drivr.cloud:8883\n"
			       "slug = adam\n"
			       "insecure = false\n"
			       "[profile lab]\n"
			       "host = lab.local\n"
			       "[topics]\n"
			       "setpoint_input = drivr/v1/{slug}/input/sp/{systemUuid}/{fmt}\n";

static void test_profiles_and_precedence(void **state)
{
	(void)state;
	struct config c;
	char err[256];
	config_init(&c);
	assert_true(parse(&c, err, 4, "--profile", "prod", "-s", "from-cli"));
	assert_true(config_parse_text(&c, FILE_TEXT, "config", err, sizeof(err)));
	assert_true(config_validate(&c, err, sizeof(err)));
	assert_string_equal(c.slug, "from-cli"); /* the command line wins */
	assert_string_equal(c.host, "mqtt.drivr.cloud");
	assert_int_equal(c.history, 60);          /* top-level key */
	assert_int_equal(c.topic_override_count, 1);
	assert_string_equal(c.topic_overrides[0].row, "setpoint_input");
	assert_string_equal(c.topic_overrides[0].where, "config:12");
	config_free(&c);

	config_init(&c);
	assert_true(parse(&c, err, 2, "--profile", "lab"));
	assert_true(config_parse_text(&c, FILE_TEXT, "config", err, sizeof(err)));
	assert_string_equal(c.slug, "everywhere");
	assert_string_equal(c.host, "lab.local");
	config_free(&c);

	config_init(&c);
	assert_true(parse(&c, err, 2, "--profile", "missing"));
	assert_false(config_parse_text(&c, FILE_TEXT, "config", err, sizeof(err)));
	assert_non_null(strstr(err, "missing"));
	config_free(&c);
}

static void test_file_errors_name_the_line(void **state)
{
	(void)state;
	struct config c;
	char err[256];
	config_init(&c);
	assert_false(config_parse_text(&c, "slug = a\nnonsense\n", "cfg", err, sizeof(err)));
	assert_string_equal(err, "cfg:2: expected \"key = value\"");
	config_free(&c);
	config_init(&c);
	assert_false(config_parse_text(&c, "\n\ncolour = red\n", "cfg", err, sizeof(err)));
	assert_string_equal(err, "cfg:3: unknown key \"colour\"");
	config_free(&c);
	config_init(&c);
	assert_false(config_parse_text(&c, "[weird]\n", "cfg", err, sizeof(err)));
	assert_non_null(strstr(err, "cfg:1: unknown section"));
	config_free(&c);
	config_init(&c);
	assert_false(config_parse_text(&c, "history = many\n", "cfg", err, sizeof(err)));
	assert_non_null(strstr(err, "cfg:1: --history"));
	config_free(&c);
}

static void test_help_lists_every_option(void **state)
{
	(void)state;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	config_print_help("drivr-console", f);
	fclose(f);
	const char *expect[] = { "--host", "--url", "--cafile", "--key-pass-file", "--insecure",
				 "--slug", "--profile", "--log", "--snapshot", "--count",
				 "--timeout", "--help", "--version", "-L,", "--theme",
				 "--no-color", "--ascii", "--no-mouse", "--fps", "--stale",
				 "--replay", "--dump-screen", "--clock", "--stats-file" };
	for (size_t i = 0; i < sizeof(expect) / sizeof(*expect); i++)
		if (!strstr(buf, expect[i]))
			fail_msg("help lacks %s", expect[i]);
	free(buf);
}

static void test_console_options(void **state)
{
	(void)state;
	struct config c;
	char err[256];
	/* defaults */
	config_init(&c);
	assert_int_equal(c.fps, 20);
	assert_true(c.stale == 300);
	assert_true(c.stuck == 60);
	assert_null(c.theme);
	config_free(&c);

	config_init(&c);
	assert_true(parse(&c, err, 16, "-s", "adam", "--theme", "mono", "--no-color", "--ascii",
			  "--no-mouse", "--fps", "5", "--stale", "30", "--stuck=2.5", "--clock",
			  "2024-05-01T12:00:00Z", "--size", "100x30"));
	assert_true(config_validate(&c, err, sizeof(err)));
	assert_string_equal(c.theme, "mono");
	assert_true(c.no_color && c.ascii && c.no_mouse);
	assert_int_equal(c.fps, 5);
	assert_true(c.stale == 30 && c.stuck == 2.5);
	assert_int_equal(c.size_cols, 100);
	assert_int_equal(c.size_rows, 30);
	assert_int_equal(config_mode(&c), MODE_CONSOLE);
	config_free(&c);

	/* --replay needs no slug (no broker); --dump-screen needs --replay */
	config_init(&c);
	assert_true(parse(&c, err, 4, "--replay", "f.json", "--dump-screen", "out.txt"));
	assert_true(config_validate(&c, err, sizeof(err)));
	config_free(&c);
	config_init(&c);
	assert_true(parse(&c, err, 4, "-s", "adam", "--dump-screen", "out.txt"));
	assert_false(config_validate(&c, err, sizeof(err)));
	assert_non_null(strstr(err, "--replay"));
	config_free(&c);

	/* --count and --stats-file in the full-screen console (make bench); the
	 * stats file is the console's only */
	config_init(&c);
	assert_null(c.stats_file);
	assert_true(parse(&c, err, 6, "-s", "adam", "--count", "1000", "--stats-file", "s.json"));
	assert_true(config_validate(&c, err, sizeof(err)));
	assert_int_equal(config_mode(&c), MODE_CONSOLE);
	assert_int_equal(c.count, 1000);
	assert_string_equal(c.stats_file, "s.json");
	config_free(&c);
	config_init(&c);
	assert_true(parse(&c, err, 5, "-s", "adam", "--snapshot", "--stats-file", "s.json"));
	assert_false(config_validate(&c, err, sizeof(err)));
	assert_non_null(strstr(err, "--stats-file"));
	config_free(&c);

	/* bad values: one line naming the option (out of the table's bounds:
	 * refused by the parser, test_every_option; these by config_validate) */
	const char *bad[][2] = { { "--size", "80" },	  { "--size", "10x10" },
				 { "--size", "80x24x" }, { "--clock", "noon" } };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		config_init(&c);
		assert_true(parse(&c, err, 4, "-s", "adam", bad[i][0], bad[i][1]));
		assert_false(config_validate(&c, err, sizeof(err)));
		if (!strstr(err, bad[i][0]))
			fail_msg("%s %s: %s", bad[i][0], bad[i][1], err);
		assert_null(strchr(err, '\n'));
		config_free(&c);
	}

	/* from the config file, and the command line still wins */
	config_init(&c);
	assert_true(parse(&c, err, 2, "--theme", "light"));
	assert_true(config_parse_text(&c, "theme = mono\nascii = yes\nfps = 10\n", "cfg", err,
				      sizeof(err)));
	assert_string_equal(c.theme, "light");
	assert_true(c.ascii);
	assert_int_equal(c.fps, 10);
	config_free(&c);
}

/* --- every option of both tables, generated from the tables ------------- */

/* Up to 64 bytes of any program's option struct, read by the row's type. */
static double number_at(const struct opt_def *d, const void *base)
{
	const char *p = (const char *)base + d->offset;
	if (d->type == OPT_INT || d->type == OPT_SIZE)
		return (double)*(const long *)(const void *)p;
	return *(const double *)(const void *)p;
}

static const char *string_at(const struct opt_def *d, const void *base)
{
	return *(char *const *)(const void *)((const char *)base + d->offset);
}

static bool flag_at(const struct opt_def *d, const void *base)
{
	return *(const bool *)(const void *)((const char *)base + d->offset);
}

/* A value inside the row's bounds, as text ("" for a flag). */
static void valid_value(const struct opt_def *d, bool high, char *buf, size_t size)
{
	switch (d->type) {
	case OPT_FLAG: snprintf(buf, size, "%s", ""); break;
	case OPT_STRING:
	case OPT_LIST: snprintf(buf, size, "%s", "some-value"); break;
	case OPT_ENUM: snprintf(buf, size, "%.*s", (int)strcspn(d->arg, "|"), d->arg); break;
	default:
		if (d->min != d->max)
			snprintf(buf, size, "%.17g", high ? d->max : d->min);
		else
			snprintf(buf, size, "%s", "7");
	}
}

/* Parses argv with the table into a fresh struct; returns it (or NULL
 * with err).  base must be freed by the caller with opt_free + free. */
static void *parse_into(const struct opt_table *t, size_t size, int argc, char **argv, char *err)
{
	void *base = calloc(1, size);
	opt_defaults(t, base);
	if (opt_parse_args(t, base, argc, argv, NULL, err, 256))
		return base;
	opt_free(t, base);
	free(base);
	return NULL;
}

static void expect_stored(const struct opt_def *d, const void *base, const char *value)
{
	if (d->type == OPT_FLAG)
		assert_true(flag_at(d, base));
	else if (d->type == OPT_STRING || d->type == OPT_ENUM)
		assert_string_equal(string_at(d, base), value);
	else if (d->type == OPT_LIST) {
		const struct opt_list *l = (const void *)((const char *)base + d->offset);
		assert_int_equal(l->n, 1);
		assert_string_equal(l->v[0], value);
	} else if (number_at(d, base) != strtod(value, NULL))
		fail_msg("--%s %s stored %g", d->name, value, number_at(d, base));
}

static void check_table(const struct opt_table *t, size_t size)
{
	char err[256], value[64], arg[128];
	void *defaults = calloc(1, size);
	opt_defaults(t, defaults); /* aborts on a default its own row refuses */
	for (size_t i = 0; i < t->count; i++) {
		const struct opt_def *d = &t->defs[i];
		/* the default: as the table says, inside the bounds */
		if (d->def && d->type != OPT_FLAG && d->type != OPT_STRING && d->type != OPT_ENUM) {
			assert_true(number_at(d, defaults) == strtod(d->def, NULL));
			if (d->min != d->max)
				assert_true(number_at(d, defaults) >= d->min &&
					    number_at(d, defaults) <= d->max);
		}
		/* a valid value, low and high: --name V, --name=V, -c V */
		for (int high = 0; high < 2; high++) {
			valid_value(d, high, value, sizeof(value));
			char *argv[4] = { "prog", arg, value, NULL };
			snprintf(arg, sizeof(arg), "--%s", d->name);
			int argc = d->type == OPT_FLAG ? 2 : 3;
			void *base = parse_into(t, size, argc, argv, err);
			if (!base)
				fail_msg("--%s %s: %s", d->name, value, err);
			expect_stored(d, base, value);
			opt_free(t, base);
			free(base);
			if (d->type != OPT_FLAG) {
				snprintf(arg, sizeof(arg), "--%s=%s", d->name, value);
				base = parse_into(t, size, 2, argv, err);
				if (!base)
					fail_msg("%s: %s", arg, err);
				expect_stored(d, base, value);
				opt_free(t, base);
				free(base);
			}
			if (d->short_name) {
				snprintf(arg, sizeof(arg), "-%c", d->short_name);
				base = parse_into(t, size, argc, argv, err);
				if (!base)
					fail_msg("%s %s: %s", arg, value, err);
				expect_stored(d, base, value);
				opt_free(t, base);
				free(base);
			}
		}
		/* out of range, below and above: refused, one line naming it */
		if (d->min != d->max) {
			double outside[2] = { d->min - 1, d->max + 1 };
			for (int k = 0; k < 2; k++) {
				snprintf(value, sizeof(value), "%.17g", outside[k]);
				snprintf(arg, sizeof(arg), "--%s", d->name);
				char *argv[3] = { "prog", arg, value };
				err[0] = '\0';
				void *base = parse_into(t, size, 3, argv, err);
				if (base)
					fail_msg("--%s %s accepted", d->name, value);
				if (strncmp(err, arg, strlen(arg)) != 0 || strchr(err, '\n'))
					fail_msg("--%s %s: \"%s\"", d->name, value, err);
			}
		}
		/* a value that is not one: refused (numbers, enums), a flag's too */
		if (d->type != OPT_STRING && d->type != OPT_LIST) {
			snprintf(arg, sizeof(arg), d->type == OPT_FLAG ? "--%s=yes" : "--%s", d->name);
			char *argv[3] = { "prog", arg, "not-a-value" };
			void *base = parse_into(t, size, d->type == OPT_FLAG ? 2 : 3, argv, err);
			if (base)
				fail_msg("%s not-a-value accepted", arg);
			assert_non_null(strstr(err, d->name));
		}
		/* a value missing at the end */
		if (d->type != OPT_FLAG) {
			snprintf(arg, sizeof(arg), "--%s", d->name);
			char *argv[2] = { "prog", arg };
			assert_null(parse_into(t, size, 2, argv, err));
			assert_non_null(strstr(err, "needs a value"));
		}
	}
	/* --help: every option, its default and bounds (those under the sanity max) */
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	opt_print_help(t, "prog", f);
	fclose(f);
	for (size_t i = 0; i < t->count; i++) {
		const struct opt_def *d = &t->defs[i];
		char want[160];
		snprintf(want, sizeof(want), "--%s", d->name);
		const char *line = strstr(buf, want);
		if (!line)
			fail_msg("help lacks %s", want);
		size_t n = strcspn(line, "\n");
		if (d->def && d->type != OPT_FLAG) {
			snprintf(want, sizeof(want), "(default %s", d->def);
			char *l = strndup(line, n);
			if (!strstr(l, want))
				fail_msg("help line \"%s\" lacks \"%s\"", l, want);
			free(l);
		}
	}
	free(buf);
	opt_free(t, defaults);
	free(defaults);
}

static void test_every_console_option(void **state)
{
	(void)state;
	check_table(&config_options, sizeof(struct config));
	assert_int_equal(config_options.count, CONFIG_OPT_COUNT);
}

static void test_every_sim_option(void **state)
{
	(void)state;
	check_table(&sim_options_table, sizeof(struct sim_options));
}

/* Every option but the command-line-only ones is a config file key, with
 * the same checks and "file:line:" before the message. */
static void test_every_option_as_file_key(void **state)
{
	(void)state;
	char err[512], text[256], value[64];
	for (size_t i = 0; i < config_options.count; i++) {
		const struct opt_def *d = &config_options.defs[i];
		struct config c;
		config_init(&c);
		valid_value(d, true, value, sizeof(value));
		snprintf(text, sizeof(text), "# a comment\n%s = %s\n", d->name,
			 d->type == OPT_FLAG ? "yes" : value);
		bool ok = config_parse_text(&c, text, "cfg", err, sizeof(err));
		if (d->flags & OPT_CLI_ONLY) {
			assert_false(ok);
			char want[128];
			snprintf(want, sizeof(want), "cfg:2: unknown key \"%s\"", d->name);
			assert_string_equal(err, want);
		} else {
			if (!ok)
				fail_msg("%s", err);
			expect_stored(d, &c, value);
		}
		config_free(&c);
		if (d->min != d->max) {
			config_init(&c);
			snprintf(text, sizeof(text), "\n%s = %.17g\n", d->name, d->max + 1);
			assert_false(config_parse_text(&c, text, "cfg", err, sizeof(err)));
			char want[128];
			snprintf(want, sizeof(want), "cfg:2: --%s: ", d->name);
			if (strncmp(err, want, strlen(want)) != 0)
				fail_msg("\"%s\" does not start with \"%s\"", err, want);
			config_free(&c);
		}
	}
}

/* Units of durations and sizes; flags in files. */
static void test_value_forms(void **state)
{
	(void)state;
	struct config c;
	char err[256];
	config_init(&c);
	assert_true(parse(&c, err, 6, "--timeout", "1500ms", "--stale", "5m", "--stuck", "1h"));
	assert_true(c.timeout == 1.5 && c.stale == 300 && c.stuck == 3600);
	config_free(&c);
	config_init(&c);
	assert_false(parse(&c, err, 2, "--timeout", "5d"));
	assert_string_equal(err, "--timeout: \"5d\" is not a duration (seconds, or with ms, s, m, h)");
	config_free(&c);
	config_init(&c);
	assert_false(parse(&c, err, 2, "-V", "4"));
	assert_string_equal(err, "--protocol-version: \"4\" is not one of 311|5");
	config_free(&c);
	config_init(&c);
	assert_false(parse(&c, err, 2, "--keepalive", "1"));
	assert_string_equal(err, "--keepalive: 1 is not between 2 and 65535");
	config_free(&c);
	config_init(&c);
	assert_false(config_parse_text(&c, "insecure = maybe\n", "cfg", err, sizeof(err)));
	assert_string_equal(err, "cfg:1: --insecure must be true or false (or yes, no)");
	config_free(&c);
	struct sim_options o;
	char *argv[] = { "drivr-sim", "--payload-bytes", "4K", "--device-delay", "250ms" };
	assert_true(options_parse(&o, 5, argv, err, sizeof(err)));
	assert_int_equal(o.payload_bytes, 4096);
	assert_true(o.device_delay == 0.25);
	assert_int_equal(o.port, OPT_UNSET);
	options_free(&o);
}

/* --help ends with every exit status of exitstatus.h, one line each. */
static void test_help_lists_exit_statuses(void **state)
{
	(void)state;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	config_print_help("drivr-console", f);
	fclose(f);
	const int values[] = {
#define X(name, value, meaning) value,
		EXIT_STATUS_LIST(X)
#undef X
	};
	const char *meanings[] = {
#define X(name, value, meaning) meaning,
		EXIT_STATUS_LIST(X)
#undef X
	};
	for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
		char want[200];
		snprintf(want, sizeof(want), "\n  %d  %s\n", values[i], meanings[i]);
		if (!strstr(buf, want))
			fail_msg("help lacks status %d", values[i]);
	}
	assert_int_equal(EXIT_USAGE, 2);
	assert_int_equal(EXIT_UNRECORDED, 9);
	free(buf);
}

/* The scope: --system repeatable (OPT_LIST), checked and merged with
 * --systems-file's lines by config_validate; the file's key too. */
#define UUID_A "11111111-2222-4333-8444-555555555555"
#define UUID_B "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee"
static void test_scope(void **state)
{
	(void)state;
	struct config c;
	char err[256] = "";
	config_init(&c);
	assert_true(parse(&c, err, 8, "-s", "adam", "--system", UUID_A, "--system=" UUID_B,
			  "--system", UUID_A, "--log"));
	assert_int_equal(c.systems.n, 3);
	assert_true(config_validate(&c, err, sizeof(err)));
	assert_int_equal(c.scope_count, 2); /* the repeat dropped, in order */
	assert_string_equal(c.scope[0], UUID_A);
	assert_string_equal(c.scope[1], UUID_B);
	assert_true(config_in_scope(&c, UUID_B));
	assert_false(config_in_scope(&c, "aaaaaaaa-bbbb-4ccc-8ddd-000000000000"));
	assert_true(config_validate(&c, err, sizeof(err))); /* again: the same scope */
	assert_int_equal(c.scope_count, 2);
	config_free(&c);

	/* no scope: every system is in it */
	config_init(&c);
	assert_true(parse(&c, err, 2, "-s", "adam"));
	assert_true(config_validate(&c, err, sizeof(err)));
	assert_int_equal(c.scope_count, 0);
	assert_true(config_in_scope(&c, UUID_A));
	config_free(&c);

	/* a value that is no UUID; combinations that cannot be scoped */
	config_init(&c);
	assert_true(parse(&c, err, 4, "-s", "adam", "--system", "site-7/#"));
	assert_false(config_validate(&c, err, sizeof(err)));
	assert_string_equal(err, "--system: \"site-7/#\" is not a UUID (8-4-4-4-12 hex digits)");
	config_free(&c);
	config_init(&c);
	assert_true(parse(&c, err, 5, "-s", "adam", "--system", UUID_A, "--single-subscription"));
	assert_false(config_validate(&c, err, sizeof(err)));
	assert_non_null(strstr(err, "not with --single-subscription"));
	config_free(&c);

	/* the config file: the key repeats; the command line's list wins whole */
	config_init(&c);
	assert_true(config_parse_text(&c, "slug = adam\nsystem = " UUID_A "\nsystem = " UUID_B "\n",
				      "cfg", err, sizeof(err)));
	assert_true(config_validate(&c, err, sizeof(err)));
	assert_int_equal(c.scope_count, 2);
	config_free(&c);
	config_init(&c);
	assert_true(parse(&c, err, 2, "--system", UUID_B));
	assert_true(config_parse_text(&c, "slug = adam\nsystem = " UUID_A "\n", "cfg", err,
				      sizeof(err)));
	assert_true(config_validate(&c, err, sizeof(err)));
	assert_int_equal(c.scope_count, 1);
	assert_string_equal(c.scope[0], UUID_B);
	config_free(&c);

	/* --systems-file: comments, blanks, CRLF; a bad line named; empty refused */
	char path[] = "/tmp/test_config_scope.XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	const char text[] = "# north site\r\n\n  " UUID_B "  # boiler\r\n" UUID_A;
	assert_int_equal(write(fd, text, sizeof(text) - 1), (ssize_t)(sizeof(text) - 1));
	close(fd);
	config_init(&c);
	assert_true(parse(&c, err, 6, "-s", "adam", "--system", UUID_A, "--systems-file", path));
	assert_true(config_validate(&c, err, sizeof(err)));
	assert_int_equal(c.scope_count, 2);
	assert_string_equal(c.scope[0], UUID_A);
	assert_string_equal(c.scope[1], UUID_B);
	config_free(&c);
	FILE *f = fopen(path, "w");
	fputs(UUID_A "\n\nnope\n", f);
	fclose(f);
	config_init(&c);
	assert_true(parse(&c, err, 4, "-s", "adam", "--systems-file", path));
	assert_false(config_validate(&c, err, sizeof(err)));
	char want[256];
	snprintf(want, sizeof(want), "--systems-file %s:3: \"nope\" is not a UUID", path);
	assert_non_null(strstr(err, want));
	config_free(&c);
	f = fopen(path, "w");
	fputs("# nobody yet\n", f);
	fclose(f);
	config_init(&c);
	assert_true(parse(&c, err, 4, "-s", "adam", "--systems-file", path));
	assert_false(config_validate(&c, err, sizeof(err)));
	assert_non_null(strstr(err, "no UUID in it"));
	config_free(&c);
	unlink(path);
}

/* --share GROUP: --log from a broker over the staged load only, GROUP one
 * topic level. */
static void test_share(void **state)
{
	(void)state;
	struct config c;
	char err[256];
	config_init(&c);
	assert_true(parse(&c, err, 5, "-s", "adam", "--log", "--share", "workers"));
	assert_true(config_validate(&c, err, sizeof(err)));
	assert_string_equal(c.share, "workers");
	config_free(&c);
	static const char *const refused[][2] = {
		{ "--snapshot", "for --log" },
		{ "--print-topics", "for --log" },
		{ "--read-only", "for --log" }, /* the console */
		{ "--single-subscription", "staged load" },
	};
	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		config_init(&c);
		bool log = !strcmp(refused[i][0], "--single-subscription");
		assert_true(log ? parse(&c, err, 6, "-s", "adam", "--log", refused[i][0], "--share", "g")
				: parse(&c, err, 5, "-s", "adam", refused[i][0], "--share", "g"));
		assert_false(config_validate(&c, err, sizeof(err)));
		if (!strstr(err, refused[i][1]))
			fail_msg("%s --share: \"%s\" lacks \"%s\"", refused[i][0], err, refused[i][1]);
		config_free(&c);
	}
	config_init(&c);
	assert_true(parse(&c, err, 5, "--replay", "f.json", "--log", "--share", "g"));
	assert_false(config_validate(&c, err, sizeof(err)));
	assert_non_null(strstr(err, "--replay"));
	config_free(&c);
	static const char *const bad_groups[] = { "", "a/b", "a+", "#" };
	for (size_t i = 0; i < sizeof(bad_groups) / sizeof(bad_groups[0]); i++) {
		config_init(&c);
		assert_true(parse(&c, err, 5, "-s", "adam", "--log", "--share", bad_groups[i]));
		assert_false(config_validate(&c, err, sizeof(err)));
		assert_non_null(strstr(err, "one non-empty topic level"));
		config_free(&c);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_command_line),
		cmocka_unit_test(test_bad_options_one_line),
		cmocka_unit_test(test_url),
		cmocka_unit_test(test_url_forms),
		cmocka_unit_test(test_host_forms),
		cmocka_unit_test(test_url_and_command_line),
		cmocka_unit_test(test_profiles_and_precedence),
		cmocka_unit_test(test_file_errors_name_the_line),
		cmocka_unit_test(test_help_lists_every_option),
		cmocka_unit_test(test_console_options),
		cmocka_unit_test(test_share),
		cmocka_unit_test(test_every_console_option),
		cmocka_unit_test(test_every_sim_option),
		cmocka_unit_test(test_every_option_as_file_key),
		cmocka_unit_test(test_value_forms),
		cmocka_unit_test(test_help_lists_exit_statuses),
		cmocka_unit_test(test_scope),
	};
	return cmocka_run_group_tests_name("config", tests, NULL, NULL);
}
