/* libFuzzer harness: a screen-test key script → keyscript_parse.  A parsed
 * resize is always positive; a failure always says why. */
#include "fuzz.h"
#include "ui/keyscript.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_text(data, size);
	struct keyscript ks;
	char err[512] = "";
	if (keyscript_parse(&ks, text, "fuzz.keys", err, sizeof(err))) {
		for (size_t i = 0; i < ks.count; i++)
			if (ks.events[i].kind == SCRIPT_RESIZE)
				FUZZ_CHECK(ks.events[i].a > 0 && ks.events[i].b > 0);
		keyscript_free(&ks);
	} else {
		FUZZ_CHECK(err[0] != '\0' && ks.events == NULL);
	}
	free(text);
	return 0;
}
