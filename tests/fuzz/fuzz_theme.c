/* libFuzzer harness: theme text → theme_parse (the rule theme_load uses),
 * then every role at every depth through theme_style_at, whose colours must
 * be the terminal default or 0..255 whatever the file said. */
#include "fuzz.h"
#include "ui/theme.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_text(data, size);
	struct theme theme;
	theme_init_builtin(&theme);
	theme.use_color = true;
	char err[512] = "";
	bool ok = theme_parse(&theme, text, "fuzz.theme", err, sizeof(err));
	FUZZ_CHECK(ok || err[0] != '\0');
	for (int d = 0; d < THEME_DEPTH_COUNT; d++)
		for (int r = 0; r < UI_ROLE_COUNT; r++) {
			struct theme_style st = theme_style_at(&theme, (enum theme_depth)d,
							       (enum ui_role)r);
			FUZZ_CHECK(st.fg >= THEME_COLOR_DEFAULT && st.fg <= 255);
			FUZZ_CHECK(st.bg >= THEME_COLOR_DEFAULT && st.bg <= 255);
		}
	free(text);
	return 0;
}
