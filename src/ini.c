/* ini — see include/ini.h. */
#include "ini.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

static char *trim(char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	size_t n = strlen(s);
	while (n && isspace((unsigned char)s[n - 1]))
		s[--n] = '\0';
	return s;
}

static bool is_comment(const char *s)
{
	return *s == '\0' || *s == ';' ||
	       (*s == '#' && (s[1] == '\0' || s[1] == '#' || isspace((unsigned char)s[1])));
}

/* One line (NUL-terminated, ours to change); why says what is wrong. */
static bool one_line(char *line, struct ini_line *at, char **section, const struct ini_reader *r,
		     char *why, size_t why_size)
{
	char *s = trim(line);
	if (is_comment(s))
		return true;
	if (*s == '[') {
		size_t n = strlen(s);
		if (n < 2 || s[n - 1] != ']') {
			snprintf(why, why_size, "malformed section header");
			return false;
		}
		s[n - 1] = '\0';
		char *name = trim(s + 1);
		if (!*name) {
			snprintf(why, why_size, "empty section name");
			return false;
		}
		free(*section);
		*section = xstrdup(name);
		return !r->section || r->section(r->ctx, name, why, why_size);
	}
	char *eq = strchr(s, '=');
	if (eq)
		*eq = '\0';
	char *key = trim(s);
	if (!eq || !*key) {
		snprintf(why, why_size, "expected \"%s\"", r->syntax ? r->syntax : "key = value");
		return false;
	}
	at->section = *section;
	at->key = key;
	at->value = trim(eq + 1);
	return r->key(r->ctx, at, why, why_size);
}

bool ini_parse(const char *text, size_t len, const char *filename, const struct ini_reader *r,
	       char *err, size_t err_size)
{
	if (!filename)
		filename = "(text)";
	if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) {
		text += 3; /* editors on some systems write a BOM */
		len -= 3;
	}
	char *section = NULL, why[512];
	size_t line_no = 0, pos = 0;
	bool ok = true;
	while (ok && pos < len) {
		const char *start = text + pos;
		const char *nl = memchr(start, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - start) : len - pos;
		pos += n + (nl ? 1 : 0);
		line_no++;
		why[0] = '\0';
		if (memchr(start, '\0', n)) {
			snprintf(why, sizeof(why), "NUL byte in the file");
			ok = false;
		} else {
			char *line = xstrndup(start, n);
			struct ini_line at = { filename, line_no, NULL, NULL, NULL };
			ok = one_line(line, &at, &section, r, why, sizeof(why));
			free(line);
		}
		if (!ok)
			snprintf(err, err_size, "%s:%zu: %s", filename, line_no,
				 why[0] ? why : "refused");
	}
	free(section);
	return ok;
}

bool ini_parse_bool(const char *value, bool *out)
{
	if (strcmp(value, "true") == 0 || strcmp(value, "yes") == 0)
		*out = true;
	else if (strcmp(value, "false") == 0 || strcmp(value, "no") == 0)
		*out = false;
	else
		return false;
	return true;
}
