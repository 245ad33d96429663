/* osc52 — see include/osc52.h. */
#include "osc52.h"

#include <string.h>

#include "sanitize.h"

size_t osc52_clean(const char *text, char *clean, size_t size)
{
	if (!size)
		return 0;
	size_t len = text ? strlen(text) : 0;
	size_t cap = size - 1 < OSC52_MAX_TEXT ? size - 1 : OSC52_MAX_TEXT;
	/* control characters as caret notation: visible, inert when pasted */
	sanitize_text(text ? text : "", len, SANITIZE_DISPLAY_UTF8, clean, cap + 1, 0);
	return strlen(clean);
}

size_t osc52_sequence(const char *clean, size_t len, char *out, size_t size)
{
	static const char b64[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	static const char head[] = "\033]52;c;";
	size_t need = sizeof(head) - 1 + (len + 2) / 3 * 4 + 1;
	if (need + 1 > size)
		return 0;
	size_t n = sizeof(head) - 1;
	memcpy(out, head, n);
	const unsigned char *p = (const unsigned char *)clean;
	for (size_t i = 0; i < len; i += 3) {
		unsigned v = (unsigned)p[i] << 16;
		if (i + 1 < len)
			v |= (unsigned)p[i + 1] << 8;
		if (i + 2 < len)
			v |= p[i + 2];
		out[n++] = b64[(v >> 18) & 63];
		out[n++] = b64[(v >> 12) & 63];
		out[n++] = i + 1 < len ? b64[(v >> 6) & 63] : '=';
		out[n++] = i + 2 < len ? b64[v & 63] : '=';
	}
	out[n++] = '\a';
	out[n] = '\0';
	return n;
}
