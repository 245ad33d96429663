/* drivr-console — entry point: an action (actions.h), or options, topic
 * table, then one mode; every status is an enum exit_status. */
#include <cJSON.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "actions.h"
#include "config.h"
#include "connection.h"
#include "exitstatus.h"
#include "headless.h"
#include "loadplan.h"
#include "topics.h"
#include "ui/ui.h"
#include "util.h"

static void print_filter(void *ctx, enum load_stage stage, const char *filter, int qos)
{
	(void)ctx;
	printf("%-8s %d    %s\n", load_stage_name(stage), qos, filter);
}

/* The table, and with a slug the staged load's filters built from it. */
static void print_topics(const struct config *config, const struct topic_table *topics)
{
	static const char *const directions[] = { "SUB", "PUB" };
	static const char *const encodings[] = { "json", "json|msgpack", "state", "opaque" };
	printf("%-22s %-4s %-13s %-11s %s\n", "row", "dir", "encoding", "confidence", "pattern");
	for (int f = 0; f < TOPIC_UNCLASSIFIED; f++) {
		enum topic_family family = (enum topic_family)f;
		printf("%-22s %-4s %-13s %-11s %s\n", topic_family_name(family),
		       directions[topic_family_direction(family)],
		       encodings[topic_family_encoding(family)],
		       topic_confidence_name(topic_family_confidence(family)),
		       topics_pattern(topics, family));
	}
	if (!config->slug)
		return;
	struct load_plan *plan = connection_load_plan(config, topics);
	if (!plan) {
		printf("\nsubscription (--single-subscription): drivr/v1/%s/#\n", config->slug);
		return;
	}
	printf("\nsubscriptions, in stages (docs/architecture.md); systems: one batch per few systems\n");
	printf("%-8s %-4s %s\n", "stage", "qos", "filter");
	load_plan_describe(plan, print_filter, NULL);
	load_plan_free(plan);
}

/* `help` alone: the console's --help; `help COMMAND`: the command's. */
static int help_command(int argc, char **argv)
{
	if (argc > 3) {
		fprintf(stderr, "drivr-console: help takes one command at most\n");
		return EXIT_USAGE;
	}
	if (argc == 2) {
		config_print_help("drivr-console", stdout);
		actions_print_commands("drivr-console", stdout);
		return EXIT_OK;
	}
	if (actions_print_help(argv[2], "drivr-console", stdout))
		return EXIT_OK;
	fprintf(stderr, "drivr-console: help: no command \"%s\"; the commands:", argv[2]);
	actions_print_commands("drivr-console", stderr);
	return EXIT_USAGE;
}

int main(int argc, char **argv)
{
	setlocale(LC_ALL, "");
	/* cJSON allocates through xmalloc: out of memory aborts, as everywhere
	 * else, so no cJSON result is NULL for lack of memory. */
	cJSON_InitHooks(&(cJSON_Hooks){ .malloc_fn = xmalloc, .free_fn = free });
	if (argc > 1 && actions_is_action(argv[1]))
		return actions_main(argc, argv);
	if (argc > 1 && strcmp(argv[1], "help") == 0)
		return help_command(argc, argv);
	struct config config;
	char err[512];
	config_init(&config);
	int status = EXIT_OK;
	if (!config_parse_args(&config, argc, argv, err, sizeof(err))) {
		fprintf(stderr, "drivr-console: %s\n", err);
		config_free(&config);
		return EXIT_USAGE;
	}
	if (config.help || config.version) {
		if (config.help) {
			config_print_help("drivr-console", stdout);
			actions_print_commands("drivr-console", stdout);
		}
		else
			printf("drivr-console %s\n", DRIVR_VERSION);
		config_free(&config);
		return EXIT_OK;
	}
	if (!config_load_file(&config, err, sizeof(err)) ||
	    !config_validate(&config, err, sizeof(err))) {
		fprintf(stderr, "drivr-console: %s\n", err);
		config_free(&config);
		return EXIT_USAGE;
	}
	struct topic_table *topics = topics_new();
	if (!config_apply_topic_overrides(&config, topics, err, sizeof(err))) {
		fprintf(stderr, "drivr-console: %s\n", err);
		status = EXIT_USAGE;
	} else {
		switch (config_mode(&config)) {
		case MODE_PRINT_TOPICS:
			print_topics(&config, topics);
			break;
		case MODE_LOG:
		case MODE_SNAPSHOT:
			status = headless_run(&config, topics);
			break;
		case MODE_CONSOLE:
			status = ui_run(&config, topics);
			break;
		}
	}
	topics_free(topics);
	config_free(&config);
	return status;
}
