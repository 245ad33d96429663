/* libFuzzer harness: sanitize_text in every mode, asserting what its callers
 * rely on.  Input: byte 0 picks the mode, byte 1 the output size (0..255,
 * 0 meaning a large buffer), byte 2 max_columns (0 = none); the rest is the
 * text.  Invariants, per mode:
 *   all:     out NUL-terminated at .bytes; .bytes < out_size; valid UTF-8;
 *            .columns <= max_columns when there is one; nothing changed and
 *            nothing truncated means out == in; a buffer of 4 bytes per
 *            input byte and no column limit truncates nothing.
 *   DISPLAY: no C0, DEL or C1 (so no ESC), no NUL before .bytes;
 *            UTF8: .columns is the sum of wcwidth() of what was written,
 *            each character at least 1 column wide;
 *            ASCII: printable ASCII only, .columns == .bytes.
 *   JSON:    no C1 and no invalid UTF-8 (C0 is left to the JSON printer).
 * sanitize_is_clean(in) must mean JSON mode changes nothing. */
#include <locale.h>
#include <wchar.h>

#include "fuzz.h"
#include "sanitize.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc, (void)argv;
	/* The console runs in the user's UTF-8 locale: wcwidth depends on it. */
	if (!setlocale(LC_ALL, "C.UTF-8"))
		abort();
	return 0;
}

/* Decodes one UTF-8 character strictly (no overlongs, surrogates, > U+10FFFF);
 * returns its length or 0.  Written apart from sanitize.c's on purpose. */
static size_t utf8_next(const unsigned char *s, size_t len, unsigned *cp)
{
	if (s[0] < 0x80)
		return *cp = s[0], 1;
	size_t n = s[0] >= 0xf0 ? 4 : s[0] >= 0xe0 ? 3 : s[0] >= 0xc0 ? 2 : 0;
	if (n == 0 || n > len || s[0] > 0xf4)
		return 0;
	unsigned v = s[0] & (0x7f >> n);
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		v = v << 6 | (s[i] & 0x3f);
	}
	static const unsigned min[] = { 0, 0, 0x80, 0x800, 0x10000 };
	if (v < min[n] || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
		return 0;
	return *cp = v, n;
}

static struct sanitize_result check(const char *in, size_t len, enum sanitize_mode mode, size_t out_size,
		  size_t max_columns)
{
	char *out = malloc(out_size ? out_size : 1);
	struct sanitize_result r = sanitize_text(in, len, mode, out, out_size, max_columns);
	if (out_size == 0) {
		FUZZ_CHECK(r.bytes == 0 && r.columns == 0);
		FUZZ_CHECK(r.truncated == (len > 0));
		free(out);
		return r;
	}
	FUZZ_CHECK(r.bytes < out_size && out[r.bytes] == '\0');
	FUZZ_CHECK(!max_columns || r.columns <= max_columns);
	if (!r.truncated && !r.changed)
		FUZZ_CHECK(r.bytes == len && memcmp(out, in, len) == 0);
	const unsigned char *s = (const unsigned char *)out;
	size_t columns = 0;
	for (size_t i = 0; i < r.bytes;) {
		unsigned cp;
		size_t n = utf8_next(s + i, r.bytes - i, &cp);
		FUZZ_CHECK(n > 0);
		FUZZ_CHECK(!(cp >= 0x80 && cp <= 0x9f));
		if (mode != SANITIZE_JSON)
			FUZZ_CHECK(cp >= 0x20 && cp != 0x7f);
		if (mode == SANITIZE_DISPLAY_ASCII)
			FUZZ_CHECK(cp < 0x7f);
		if (mode == SANITIZE_DISPLAY_UTF8) {
			int w = wcwidth((wchar_t)cp);
			FUZZ_CHECK(w >= 1);
			columns += (size_t)w;
		}
		i += n;
	}
	if (mode == SANITIZE_DISPLAY_UTF8)
		FUZZ_CHECK(columns == r.columns);
	if (mode == SANITIZE_DISPLAY_ASCII)
		FUZZ_CHECK(r.columns == r.bytes);
	if (mode == SANITIZE_JSON && sanitize_is_clean(in, len))
		FUZZ_CHECK(!r.changed);
	free(out);
	return r;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 3)
		return 0;
	enum sanitize_mode mode = (enum sanitize_mode)(data[0] % 3);
	size_t out_size = data[1] ? data[1] : 4 * (size - 3) + 1;
	size_t max_columns = data[2];
	const char *in = (const char *)data + 3;
	size_t len = size - 3;
	check(in, len, mode, out_size, max_columns);
	/* Every mode, unbounded, on the same text: 4 bytes per input byte is the
	 * worst case (\xNN), so nothing may be left out. */
	for (int m = 0; m < 3; m++)
		FUZZ_CHECK(!check(in, len, (enum sanitize_mode)m, 4 * len + 1, 0).truncated);
	/* No buffer at all. */
	check(in, len, mode, 0, 0);
	return 0;
}
