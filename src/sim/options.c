/* options — see options.h. */
#include "options.h"

#include <stdlib.h>
#include <string.h>

#include "exitstatus.h"
#include "util.h"

static const struct opt_def option_defs[] = {
#define X(field, name, sh, type, arg, def, min, max, flags, help) \
	{ name, sh, OPT_##type, arg, def, min, max, flags, help, offsetof(struct sim_options, field) },
	SIM_OPTION_LIST(X)
#undef X
};

const struct opt_table sim_options_table = {
	"usage: %s [options]\n"
	"The DRIVR platform and its devices, simulated on an MQTT broker (docs/simulator.md).\n",
	option_defs, ARRAY_LEN(option_defs)
};

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
	opt_defaults(&sim_options_table, o);
	if (!opt_parse_args(&sim_options_table, o, argc, argv, NULL, err, size))
		return false;
	if (o->help || o->version)
		return true;
	if (!*o->slug || strpbrk(o->slug, "/+#")) {
		snprintf(err, size, "--slug must be non-empty, without '/', '+' or '#'");
		return false;
	}
	return parse_extensions(o, err, size);
}

void options_free(struct sim_options *o)
{
	opt_free(&sim_options_table, o);
	memset(o, 0, sizeof(*o));
}

void options_print_help(FILE *f)
{
	opt_print_help(&sim_options_table, "drivr-sim", f);
	exit_status_print_help(EXIT_STATUS_BASIC, f);
}
