/* libFuzzer harness: a topics override file → topics_parse_text (the rule
 * topics_load_file uses).  Checks: all or nothing (a refused text leaves every
 * pattern at its default, and says why); with the patterns it accepted, every
 * family builds a topic of the length it reports, and that topic matches
 * without crashing. */
#include "fuzz.h"
#include "topics.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct topic_table *defaults;
	if (!defaults)
		defaults = topics_new();
	char *text = fuzz_text(data, size);
	struct topic_table *t = topics_new();
	char err[512] = "";
	bool ok = topics_parse_text(t, text, "fuzz.topics", err, sizeof(err));
	if (!ok) {
		FUZZ_CHECK(err[0] != '\0');
		for (int f = 0; f < TOPIC_UNCLASSIFIED; f++)
			FUZZ_CHECK(strcmp(topics_pattern(t, (enum topic_family)f),
					  topics_pattern(defaults, (enum topic_family)f)) == 0);
	}
	struct topic_ids ids;
	for (int i = 0; i < TOPIC_ID_COUNT; i++)
		ids.v[i] = "id1";
	for (int f = 0; f < TOPIC_UNCLASSIFIED; f++) {
		char buf[1024];
		int n = topic_build(t, (enum topic_family)f, &ids, FORMAT_JSON, buf, sizeof(buf));
		if (n < 0)
			continue;
		FUZZ_CHECK((size_t)n == strlen(buf));
		struct topic_match m;
		topic_match(t, buf, (size_t)n, &m);
	}
	topics_free(t);
	free(text);
	return 0;
}
