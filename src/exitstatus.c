/* exitstatus — see include/exitstatus.h. */
#include "exitstatus.h"

static const struct {
	int value;
	const char *meaning;
} statuses[] = {
#define X(name, value, meaning) { value, meaning },
	EXIT_STATUS_LIST(X)
#undef X
};

void exit_status_print_help(unsigned mask, FILE *out)
{
	fprintf(out, "\nExit status:\n");
	for (size_t i = 0; i < sizeof(statuses) / sizeof(statuses[0]); i++)
		if (mask & (1u << statuses[i].value))
			fprintf(out, "  %d  %s\n", statuses[i].value, statuses[i].meaning);
}
