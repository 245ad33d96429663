/* libFuzzer harness: config file text → config_parse_text, twice (no
 * profile, then --profile prod so the [profile] sections are applied too),
 * then config_validate and the collected [topics] lines onto a topic table.
 * Any crash, leak, UB or a failure without a message is a finding. */
#include "config.h"
#include "fuzz.h"
#include "topics.h"
#include "util.h"

static void one(const char *text, const char *profile)
{
	struct config config;
	config_init(&config);
	if (profile)
		config.profile = xstrdup(profile);
	char err[512] = "";
	if (!config_parse_text(&config, text, "fuzz.conf", err, sizeof(err))) {
		FUZZ_CHECK(err[0] != '\0');
		config_free(&config);
		return;
	}
	err[0] = '\0';
	if (!config_validate(&config, err, sizeof(err)))
		FUZZ_CHECK(err[0] != '\0');
	/* A topics file named by the input is not ours to open. */
	char *topics_file = config.topics_file;
	config.topics_file = NULL;
	struct topic_table *table = topics_new();
	err[0] = '\0';
	if (!config_apply_topic_overrides(&config, table, err, sizeof(err)))
		FUZZ_CHECK(err[0] != '\0');
	topics_free(table);
	config.topics_file = topics_file;
	config_free(&config);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_text(data, size);
	one(text, NULL);
	one(text, "prod");
	free(text);
	return 0;
}
