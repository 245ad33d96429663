/* sanitize — see include/sanitize.h. */
#include "sanitize.h"

#include <stdint.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <wchar.h>

#include "util.h"

/* Decodes one UTF-8 sequence at s[0..len). Returns its length and sets *cp,
 * or 0 for an invalid, overlong, surrogate or truncated sequence. */
static size_t utf8_decode(const unsigned char *s, size_t len, uint32_t *cp)
{
	unsigned char c = s[0];
	size_t n;
	uint32_t v, min;
	if (c < 0x80) {
		*cp = c;
		return 1;
	} else if (c >= 0xc2 && c <= 0xdf) {
		n = 2, v = c & 0x1f, min = 0x80;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 3, v = c & 0x0f, min = 0x800;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4, v = c & 0x07, min = 0x10000;
	} else {
		return 0;
	}
	if (len < n)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		v = (v << 6) | (s[i] & 0x3f);
	}
	if (v < min || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
		return 0;
	*cp = v;
	return n;
}

static bool is_control(uint32_t cp)
{
	return cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp <= 0x9f);
}

bool sanitize_is_clean(const char *in, size_t len)
{
	const unsigned char *s = (const unsigned char *)in;
	for (size_t i = 0; i < len;) {
		if (s[i] >= 0x20 && s[i] < 0x7f) {
			i++;
			continue;
		}
		uint32_t cp;
		size_t n = utf8_decode(s + i, len - i, &cp);
		if (n == 0 || is_control(cp))
			return false;
		i += n;
	}
	return true;
}

struct writer {
	char *out;
	size_t size, used, columns, max_columns;
	bool full;
};

/* Appends bytes occupying `width` columns, unless that would overflow. */
static bool emit(struct writer *w, const char *bytes, size_t n, size_t width)
{
	if (w->full || w->used + n + 1 > w->size ||
	    (w->max_columns && w->columns + width > w->max_columns)) {
		w->full = true;
		return false;
	}
	memcpy(w->out + w->used, bytes, n);
	w->used += n;
	w->columns += width;
	return true;
}

static const char REPLACEMENT[] = "\xef\xbf\xbd"; /* U+FFFD */

struct sanitize_result sanitize_text(const char *in, size_t len, enum sanitize_mode mode,
				     char *out, size_t out_size, size_t max_columns)
{
	struct sanitize_result res = { 0, 0, false, false };
	struct writer w = { out, out_size, 0, 0, max_columns, out_size == 0 };
	const unsigned char *s = (const unsigned char *)in;
	char esc[8];
	size_t i = 0;
	while (i < len && !w.full) {
		uint32_t cp;
		size_t n = utf8_decode(s + i, len - i, &cp);
		if (n == 0) {
			/* Invalid byte: one replacement per byte keeps resync simple. */
			res.changed = true;
			if (mode == SANITIZE_DISPLAY_ASCII) {
				snprintf(esc, sizeof(esc), "\\x%02x", s[i]);
				emit(&w, esc, 4, 4);
			} else {
				emit(&w, REPLACEMENT, 3, 1);
			}
			if (!w.full)
				i++;
			continue;
		}
		bool ok;
		if (cp < 0x80 && !is_control(cp)) {
			ok = emit(&w, (const char *)s + i, 1, 1);
		} else if (mode == SANITIZE_JSON) {
			if (cp >= 0x80 && cp <= 0x9f) {
				res.changed = true;
				ok = emit(&w, REPLACEMENT, 3, 1);
			} else {
				ok = emit(&w, (const char *)s + i, n, 1); /* C0 is escaped by the JSON printer */
			}
		} else if (cp < 0x20 || cp == 0x7f) {
			res.changed = true;
			esc[0] = '^';
			esc[1] = cp == 0x7f ? '?' : (char)('@' + cp);
			ok = emit(&w, esc, 2, 2);
		} else if (cp <= 0x9f) {
			res.changed = true;
			snprintf(esc, sizeof(esc), "\\x%02x", (unsigned)cp);
			ok = emit(&w, esc, 4, 4);
		} else if (mode == SANITIZE_DISPLAY_ASCII) {
			res.changed = true;
			ok = emit(&w, "?", 1, 1);
		} else {
			int width = wcwidth((wchar_t)cp);
			if (width <= 0) {
				/* Combining marks, zero-width joiners and characters the
				 * locale cannot print would desync our column count from
				 * the terminal's: show them as U+FFFD. */
				res.changed = true;
				ok = emit(&w, REPLACEMENT, 3, 1);
			} else {
				ok = emit(&w, (const char *)s + i, n, (size_t)width);
			}
		}
		if (ok)
			i += n;
	}
	if (out_size)
		out[w.used] = '\0';
	res.bytes = w.used;
	res.columns = w.columns;
	res.truncated = i < len;
	return res;
}

/* Bytes of the UTF-8 character starting with lead byte c (sanitised text
 * is valid UTF-8). */
static size_t utf8_length(unsigned char c)
{
	return c < 0x80 ? 1 : c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
}

struct sanitize_result sanitize_cut_middle(const char *in, size_t len, enum sanitize_mode mode,
					   const char *ellipsis, char *out, size_t out_size,
					   size_t max_columns)
{
	struct sanitize_result whole = sanitize_text(in, len, mode, out, out_size, 0);
	if (max_columns == 0 || (!whole.truncated && whole.columns <= max_columns))
		return whole;
	if (max_columns < 3 || whole.truncated) /* no room for both ends, or no end */
		return sanitize_text(in, len, mode, out, out_size, max_columns);
	/* sanitised text sanitises to itself: cut the clean copy */
	char *clean = xstrndup(out, whole.bytes);
	size_t head_want = (max_columns - 1) / 2; /* the end gets the odd column */
	struct sanitize_result head = sanitize_text(clean, whole.bytes, mode, out, out_size, head_want);
	size_t tail_want = max_columns - 1 - head.columns;
	/* the first character from which the rest fits in tail_want */
	size_t at = 0, before = 0;
	char one[16];
	while (at < whole.bytes && whole.columns - before > tail_want) {
		size_t n = utf8_length((unsigned char)clean[at]);
		if (at + n > whole.bytes)
			n = whole.bytes - at;
		before += sanitize_text(clean + at, n, mode, one, sizeof(one), 0).columns;
		at += n;
	}
	size_t elen = strlen(ellipsis), tail_len = whole.bytes - at;
	struct sanitize_result res = head;
	if (head.bytes + elen + tail_len < out_size) {
		memcpy(out + head.bytes, ellipsis, elen);
		memcpy(out + head.bytes + elen, clean + at, tail_len);
		res.bytes = head.bytes + elen + tail_len;
		out[res.bytes] = '\0';
		res.columns = head.columns + 1 + (whole.columns - before);
	}
	res.changed = whole.changed;
	res.truncated = true;
	free(clean);
	return res;
}

char *sanitize_json_dup(const char *s)
{
	size_t len = strlen(s);
	if (sanitize_is_clean(s, len))
		return xstrndup(s, len);
	/* Worst case every byte becomes a 3-byte U+FFFD. */
	size_t size = len * 3 + 1;
	char *out = xmalloc(size);
	sanitize_text(s, len, SANITIZE_JSON, out, size, 0);
	return out;
}
