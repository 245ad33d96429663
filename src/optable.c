/* optable — see include/optable.h. */
#include "optable.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

#define FIELD(base, def, type) ((type *)(void *)((char *)(base) + (def)->offset))

/* Bounds and defaults as people write them: 65535, 0.5, 1e+07 only when huge. */
static void format_number(double v, char *buf, size_t size)
{
	if (v == floor(v) && fabs(v) < 1e15)
		snprintf(buf, size, "%.0f", v);
	else
		snprintf(buf, size, "%g", v);
}

static bool bounded(const struct opt_def *def)
{
	return def->min != def->max;
}

/* A number with an optional unit suffix: units[i].suffix scales by factor. */
struct unit {
	const char *suffix;
	double factor;
};

static bool parse_number(const char *text, const struct unit *units, size_t nunits,
			 bool integer, double *out)
{
	char *end;
	errno = 0;
	double v = integer ? (double)strtol(text, &end, 10) : strtod(text, &end);
	if (errno || end == text || !isfinite(v))
		return false;
	if (*end) {
		size_t i = 0;
		while (i < nunits && strcmp(end, units[i].suffix) != 0)
			i++;
		if (i == nunits)
			return false;
		v *= units[i].factor;
	}
	*out = v;
	return true;
}

static const struct unit duration_units[] = { { "ms", 0.001 }, { "s", 1 }, { "m", 60 },
					       { "h", 3600 } };
static const struct unit size_units[] = { { "K", 1024.0 }, { "M", 1024.0 * 1024 },
					  { "G", 1024.0 * 1024 * 1024 } };

/* def->arg "311|5": is word one of them? */
static bool enum_has(const struct opt_def *def, const char *word)
{
	size_t n = strlen(word);
	for (const char *p = def->arg; p && *p;) {
		size_t len = strcspn(p, "|");
		if (len == n && strncmp(p, word, n) == 0 && n)
			return true;
		p += len + (p[len] == '|');
	}
	return false;
}

bool opt_set(const struct opt_def *def, void *base, const char *value, char *err,
	     size_t err_size)
{
	double v = 0;
	char lo[32], hi[32];
	switch (def->type) {
	case OPT_FLAG: {
		bool b = true;
		if (value && strcmp(value, "true") && strcmp(value, "yes")) {
			if (strcmp(value, "false") && strcmp(value, "no"))
				return util_fail(err, err_size, "--%s must be true or false (or yes, no)",
					    def->name);
			b = false;
		}
		*FIELD(base, def, bool) = b;
		return true;
	}
	case OPT_ENUM:
		if (!enum_has(def, value))
			return util_fail(err, err_size, "--%s: \"%s\" is not one of %s", def->name, value,
				    def->arg);
		/* fall through */
	case OPT_STRING:
		free(*FIELD(base, def, char *));
		*FIELD(base, def, char *) = xstrdup(value);
		return true;
	case OPT_LIST: {
		struct opt_list *l = FIELD(base, def, struct opt_list);
		l->v = xrealloc(l->v, (l->n + 1) * sizeof(*l->v));
		l->v[l->n++] = xstrdup(value);
		return true;
	}
	case OPT_INT:
		if (!parse_number(value, NULL, 0, true, &v))
			return util_fail(err, err_size, "--%s: \"%s\" is not an integer", def->name,
				    value);
		break;
	case OPT_SIZE:
		if (!parse_number(value, size_units, ARRAY_LEN(size_units), true, &v) ||
		    v != floor(v))
			return util_fail(err, err_size, "--%s: \"%s\" is not a size (bytes, or with K, M, G)",
				    def->name, value);
		break;
	case OPT_DOUBLE:
		if (!parse_number(value, NULL, 0, false, &v))
			return util_fail(err, err_size, "--%s: \"%s\" is not a number", def->name, value);
		break;
	case OPT_DURATION:
		if (!parse_number(value, duration_units, ARRAY_LEN(duration_units), false, &v) ||
		    v < 0)
			return util_fail(err, err_size,
				    "--%s: \"%s\" is not a duration (seconds, or with ms, s, m, h)",
				    def->name, value);
		break;
	}
	if (bounded(def) && (v < def->min || v > def->max)) {
		format_number(def->min, lo, sizeof(lo));
		format_number(def->max, hi, sizeof(hi));
		return util_fail(err, err_size, "--%s: %s is not between %s and %s", def->name, value, lo,
			    hi);
	}
	if (def->type == OPT_INT || def->type == OPT_SIZE)
		*FIELD(base, def, long) = (long)v;
	else
		*FIELD(base, def, double) = v;
	return true;
}

void opt_defaults(const struct opt_table *t, void *base)
{
	for (size_t i = 0; i < t->count; i++) {
		const struct opt_def *def = &t->defs[i];
		char err[256];
		if (def->def) {
			if (!opt_set(def, base, def->def, err, sizeof(err))) {
				fprintf(stderr, "option table: default of %s\n", err);
				abort();
			}
			continue;
		}
		switch (def->type) {
		case OPT_FLAG: *FIELD(base, def, bool) = false; break;
		case OPT_STRING:
		case OPT_ENUM: *FIELD(base, def, char *) = NULL; break;
		case OPT_INT:
		case OPT_SIZE: *FIELD(base, def, long) = OPT_UNSET; break;
		case OPT_DOUBLE:
		case OPT_DURATION: *FIELD(base, def, double) = OPT_UNSET; break;
		case OPT_LIST: memset(FIELD(base, def, struct opt_list), 0, sizeof(struct opt_list)); break;
		}
	}
}

void opt_free(const struct opt_table *t, void *base)
{
	for (size_t i = 0; i < t->count; i++) {
		const struct opt_def *def = &t->defs[i];
		if (def->type == OPT_STRING || def->type == OPT_ENUM) {
			free(*FIELD(base, def, char *));
			*FIELD(base, def, char *) = NULL;
		} else if (def->type == OPT_LIST) {
			struct opt_list *l = FIELD(base, def, struct opt_list);
			for (size_t j = 0; j < l->n; j++)
				free(l->v[j]);
			free(l->v);
			memset(l, 0, sizeof(*l));
		}
	}
}

const struct opt_def *opt_find(const struct opt_table *t, const char *name, size_t len)
{
	for (size_t i = 0; i < t->count; i++)
		if (strlen(t->defs[i].name) == len && strncmp(t->defs[i].name, name, len) == 0)
			return &t->defs[i];
	return NULL;
}

const struct opt_def *opt_find_short(const struct opt_table *t, char c)
{
	for (size_t i = 0; c && i < t->count; i++)
		if (t->defs[i].short_name == c)
			return &t->defs[i];
	return NULL;
}

bool opt_parse_args(const struct opt_table *t, void *base, int argc, char **argv, bool *given,
		    char *err, size_t err_size)
{
	for (int i = 1; i < argc; i++) {
		const char *arg = argv[i], *value = NULL;
		const struct opt_def *def;
		if (arg[0] == '-' && arg[1] == '-' && arg[2]) {
			const char *name = arg + 2, *eq = strchr(name, '=');
			size_t len = eq ? (size_t)(eq - name) : strlen(name);
			if (!(def = opt_find(t, name, len)))
				return util_fail(err, err_size, "unknown option --%.*s (see --help)",
					    (int)len, name);
			if (eq && def->type == OPT_FLAG)
				return util_fail(err, err_size, "--%s takes no value", def->name);
			if (eq)
				value = eq + 1;
		} else if (arg[0] == '-' && arg[1] && !arg[2]) {
			if (!(def = opt_find_short(t, arg[1])))
				return util_fail(err, err_size, "unknown option %s (see --help)", arg);
		} else {
			return util_fail(err, err_size, "unexpected argument \"%s\" (see --help)", arg);
		}
		if (def->type != OPT_FLAG && !value) {
			if (i + 1 >= argc)
				return util_fail(err, err_size, "--%s needs a value (%s)", def->name,
					    def->arg);
			value = argv[++i];
		}
		if (!opt_set(def, base, value, err, err_size))
			return false;
		if (given)
			given[def - t->defs] = true;
	}
	return true;
}

/* "(default 30, 2 to 65535)", "(default 0.5)", "(1 to 1000)" or "". */
static void help_suffix(const struct opt_def *def, char *buf, size_t size)
{
	char lo[32], hi[32];
	bool has_def = def->def && def->type != OPT_FLAG;
	bool show_bounds = bounded(def) && def->max < OPT_SANITY_MAX;
	buf[0] = '\0';
	if (!has_def && !show_bounds)
		return;
	format_number(def->min, lo, sizeof(lo));
	format_number(def->max, hi, sizeof(hi));
	if (has_def && show_bounds)
		snprintf(buf, size, " (default %s; %s to %s)", def->def, lo, hi);
	else if (has_def)
		snprintf(buf, size, " (default %s)", def->def);
	else
		snprintf(buf, size, " (%s to %s)", lo, hi);
}

void opt_print_help(const struct opt_table *t, const char *program, FILE *out)
{
	fprintf(out, t->usage, program, program);
	fputc('\n', out);
	for (size_t i = 0; i < t->count; i++) {
		const struct opt_def *def = &t->defs[i];
		char left[80], suffix[128];
		const char *arg = def->type == OPT_FLAG ? NULL : def->arg;
		if (def->short_name)
			snprintf(left, sizeof(left), "-%c, --%s%s%s", def->short_name, def->name,
				 arg ? " " : "", arg ? arg : "");
		else
			snprintf(left, sizeof(left), "    --%s%s%s", def->name, arg ? " " : "",
				 arg ? arg : "");
		help_suffix(def, suffix, sizeof(suffix));
		fprintf(out, "  %-32s %s%s\n", left, def->help, suffix);
	}
}
