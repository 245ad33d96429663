/* options — see options.h. */
#include "options.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

enum opt_kind { STR, INT, NUM, FLAG };

struct opt_spec {
	const char *name;
	char short_name;
	enum opt_kind kind;
	const char *def, *arg, *help;
	size_t offset;
};

static const struct opt_spec specs[] = {
#define X(field, name, sh, kind, def, arg, help) \
	{ name, sh, kind, def, arg, help, offsetof(struct sim_options, field) },
	SIM_OPTION_LIST(X)
#undef X
};

#define FIELD(o, s, type) ((type *)(void *)((char *)(o) + (s)->offset))

static bool set_value(struct sim_options *o, const struct opt_spec *s, const char *text, char *err,
		      size_t size)
{
	char *end;
	switch (s->kind) {
	case STR:
		free(*FIELD(o, s, char *));
		*FIELD(o, s, char *) = text ? xstrdup(text) : NULL;
		return true;
	case INT: {
		errno = 0;
		long v = strtol(text, &end, 10);
		if (errno || end == text || *end) {
			snprintf(err, size, "--%s: \"%s\" is not an integer", s->name, text);
			return false;
		}
		*FIELD(o, s, long) = v;
		return true;
	}
	case NUM: {
		errno = 0;
		double v = strtod(text, &end);
		if (errno || end == text || *end || !isfinite(v)) {
			snprintf(err, size, "--%s: \"%s\" is not a number", s->name, text);
			return false;
		}
		*FIELD(o, s, double) = v;
		return true;
	}
	case FLAG:
		*FIELD(o, s, bool) = true;
		return true;
	}
	return false;
}

/* Ranges: a wrong value is refused here, not discovered mid-run. */
static bool check_ranges(const struct sim_options *o, char *err, size_t size)
{
	struct {
		const char *name;
		double v, lo, hi;
	} r[] = {
		{ "port", (double)o->port, 0, 65535 },
		{ "systems", (double)o->systems, 1, 100000 }, /* the retained-burst bench uses 10 000 */
		{ "components", (double)o->components, 1, 100 },
		{ "rate", o->rate, 0, 1e6 },
		{ "device-delay", o->device_delay, 0, 3600 },
		{ "event-interval", o->event_interval, 0, 86400 },
		{ "change-interval", o->change_interval, 0, 86400 },
		{ "setpoint-interval", o->setpoint_interval, 0, 86400 },
		{ "duration", o->duration, 0, 1e7 },
		{ "graphql-port", (double)o->graphql_port, 0, 65535 },
		{ "faults", o->faults, 0, 1 },
		{ "flood", (double)o->flood, 0, 1e10 },
		{ "payload-bytes", (double)o->payload_bytes, 0, 16 * 1024 * 1024 },
		{ "series", (double)o->series, 1, 1e7 },
		{ "flood-qos", (double)o->flood_qos, 0, 1 },
	};
	for (size_t i = 0; i < ARRAY_LEN(r); i++) {
		if (r[i].v < r[i].lo || r[i].v > r[i].hi) {
			snprintf(err, size, "--%s must be between %g and %g", r[i].name, r[i].lo,
				 r[i].hi);
			return false;
		}
	}
	if (!o->slug || !*o->slug || strpbrk(o->slug, "/+#")) {
		snprintf(err, size, "--slug must be non-empty, without '/', '+' or '#'");
		return false;
	}
	return true;
}

/* --extensions: a comma-separated list of names, or all / none. */
static bool parse_extensions(struct sim_options *o, char *err, size_t size)
{
	o->ext_setpoint_codes = o->ext_catalogue = false;
	const char *p = o->extensions ? o->extensions : "";
	while (*p) {
		size_t n = strcspn(p, ",");
		if (n == 3 && strncmp(p, "all", 3) == 0) {
			o->ext_setpoint_codes = o->ext_catalogue = true;
		} else if (n == 14 && strncmp(p, "setpoint-codes", 14) == 0) {
			o->ext_setpoint_codes = true;
		} else if (n == 9 && strncmp(p, "catalogue", 9) == 0) {
			o->ext_catalogue = true;
		} else if (!(n == 4 && strncmp(p, "none", 4) == 0) && n > 0) {
			snprintf(err, size,
				 "--extensions: \"%.*s\" is not setpoint-codes, catalogue, all or none",
				 (int)n, p);
			return false;
		}
		p += n;
		if (*p == ',')
			p++;
	}
	return true;
}

bool options_parse(struct sim_options *o, int argc, char **argv, char *err, size_t size)
{
	memset(o, 0, sizeof(*o));
	for (size_t i = 0; i < ARRAY_LEN(specs); i++)
		if (specs[i].def && !set_value(o, &specs[i], specs[i].def, err, size))
			return false;

	struct option longs[ARRAY_LEN(specs) + 1];
	char shorts[2 * ARRAY_LEN(specs) + 2];
	size_t ns = 0;
	shorts[ns++] = ':'; /* missing arguments reported as ':' */
	for (size_t i = 0; i < ARRAY_LEN(specs); i++) {
		longs[i].name = specs[i].name;
		longs[i].has_arg = specs[i].kind == FLAG ? no_argument : required_argument;
		longs[i].flag = NULL;
		longs[i].val = 256 + (int)i;
		if (specs[i].short_name) {
			shorts[ns++] = specs[i].short_name;
			if (specs[i].kind != FLAG)
				shorts[ns++] = ':';
		}
	}
	memset(&longs[ARRAY_LEN(specs)], 0, sizeof(longs[0]));
	shorts[ns] = '\0';

	opterr = 0;
	optind = 1;
	int c;
	while ((c = getopt_long(argc, argv, shorts, longs, NULL)) != -1) {
		const struct opt_spec *s = NULL;
		if (c >= 256 && c < 256 + (int)ARRAY_LEN(specs)) {
			s = &specs[c - 256];
		} else {
			for (size_t i = 0; i < ARRAY_LEN(specs) && !s; i++)
				if (specs[i].short_name && specs[i].short_name == c)
					s = &specs[i];
		}
		if (c == ':') {
			snprintf(err, size, "%s needs an argument", argv[optind - 1]);
			return false;
		}
		if (!s) {
			snprintf(err, size, "unknown option %s (see --help)", argv[optind - 1]);
			return false;
		}
		if (!set_value(o, s, optarg, err, size))
			return false;
	}
	if (optind < argc) {
		snprintf(err, size, "unexpected argument \"%s\"", argv[optind]);
		return false;
	}
	return o->help || o->version ||
	       (check_ranges(o, err, size) && parse_extensions(o, err, size));
}

void options_free(struct sim_options *o)
{
	for (size_t i = 0; i < ARRAY_LEN(specs); i++)
		if (specs[i].kind == STR)
			free(*FIELD(o, &specs[i], char *));
	memset(o, 0, sizeof(*o));
}

void options_print_help(FILE *f)
{
	fprintf(f, "usage: drivr-sim [options]\n"
		   "The DRIVR platform and its devices, simulated on an MQTT broker "
		   "(docs/simulator.md).\n\n");
	for (size_t i = 0; i < ARRAY_LEN(specs); i++) {
		const struct opt_spec *s = &specs[i];
		char left[64];
		if (s->short_name)
			snprintf(left, sizeof(left), "-%c, --%s%s%s", s->short_name, s->name,
				 s->arg ? " " : "", s->arg ? s->arg : "");
		else
			snprintf(left, sizeof(left), "    --%s%s%s", s->name, s->arg ? " " : "",
				 s->arg ? s->arg : "");
		fprintf(f, "  %-30s %s", left, s->help);
		if (s->def && s->kind != FLAG)
			fprintf(f, " [%s]", s->def);
		fputc('\n', f);
	}
}
