/* csv — see include/csv.h. */
#include "csv.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "sanitize.h"
#include "util.h"

/* A leading character a spreadsheet may take for the start of a formula. */
static bool formula_start(char c)
{
	return c == '=' || c == '+' || c == '-' || c == '@' || c == '\t' || c == '\r';
}

size_t csv_format_field(const char *text, bool number, char *buf, size_t size)
{
	if (!text)
		text = "";
	size_t len = strlen(text);
	/* caret notation at most triples a byte (C1: \x9b is four) */
	size_t clean_size = len * 4 + 1;
	char *clean = xmalloc(clean_size);
	sanitize_text(text, len, SANITIZE_DISPLAY_UTF8, clean, clean_size, 0);
	/* a lone "-" (a placeholder) is no formula */
	bool guard = !number && formula_start(clean[0]) && clean[1];
	bool quote = guard || strpbrk(clean, ",\"\r\n") != NULL;
	size_t n = 0;
#define PUT(c)                        \
	do {                          \
		if (n + 1 < size)     \
			buf[n] = (c); \
		n++;                  \
	} while (0)
	if (quote)
		PUT('"');
	if (guard)
		PUT('\'');
	for (const char *p = clean; *p; p++) {
		if (*p == '"')
			PUT('"');
		PUT(*p);
	}
	if (quote)
		PUT('"');
#undef PUT
	if (size)
		buf[n < size ? n : size - 1] = '\0';
	free(clean);
	return n;
}

void csv_field(FILE *out, const char *text, bool first, bool number)
{
	char small[1024];
	size_t need = csv_format_field(text, number, small, sizeof(small));
	if (!first)
		fputc(',', out);
	if (need < sizeof(small)) {
		fputs(small, out);
		return;
	}
	char *big = xmalloc(need + 1);
	csv_format_field(text, number, big, need + 1);
	fputs(big, out);
	free(big);
}

bool csv_is_number(const char *text)
{
	if (!text || !*text || !(isdigit((unsigned char)text[0]) || text[0] == '-' || text[0] == '.'))
		return false;
	char *end;
	double v = strtod(text, &end);
	(void)v;
	return end != text && *end == '\0';
}

void csv_end_record(FILE *out)
{
	fputs("\r\n", out);
}
