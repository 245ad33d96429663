/* theme — see include/ui/theme.h. */
#include "ui/theme.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

#ifndef DRIVR_THEME_DIR
#define DRIVR_THEME_DIR "/usr/local/share/drivr-console/themes"
#endif

static const char *const role_names[] = {
#define X(id, name, mono) name,
	UI_ROLE_LIST(X)
#undef X
};

static const char *const role_mono[] = {
#define X(id, name, mono) mono,
	UI_ROLE_LIST(X)
#undef X
};

static const struct {
	const char *name;
	unsigned bit;
} attr_names[] = {
	{ "bold", THEME_ATTR_BOLD },	       { "dim", THEME_ATTR_DIM },
	{ "reverse", THEME_ATTR_REVERSE },     { "underline", THEME_ATTR_UNDERLINE },
	{ "standout", THEME_ATTR_STANDOUT },   { "italic", THEME_ATTR_ITALIC },
	{ "blink", THEME_ATTR_BLINK },	       { "normal", 0 },
	{ "-", 0 },
};

static const char *const color_names[] = { "black", "red",     "green", "yellow",
					   "blue",  "magenta", "cyan",  "white" };

const char *ui_role_name(enum ui_role role)
{
	return role < UI_ROLE_COUNT ? role_names[role] : "?";
}

static bool parse_attr(const char *word, unsigned *bits)
{
	for (size_t i = 0; i < ARRAY_LEN(attr_names); i++)
		if (strcmp(word, attr_names[i].name) == 0) {
			*bits |= attr_names[i].bit;
			return true;
		}
	return false;
}

/* "default", "red", "bright-red", or 0..255. */
static bool parse_color(const char *word, short *color)
{
	if (strcmp(word, "default") == 0) {
		*color = THEME_COLOR_DEFAULT;
		return true;
	}
	bool bright = strncmp(word, "bright-", 7) == 0;
	const char *base = bright ? word + 7 : word;
	for (size_t i = 0; i < ARRAY_LEN(color_names); i++)
		if (strcmp(base, color_names[i]) == 0) {
			*color = (short)(i + (bright ? 8 : 0));
			return true;
		}
	char *end;
	errno = 0;
	long v = strtol(word, &end, 10);
	if (!errno && end != word && !*end && v >= 0 && v <= 255) {
		*color = (short)v;
		return true;
	}
	return false;
}

void theme_init_builtin(struct theme *theme)
{
	memset(theme, 0, sizeof(*theme));
	snprintf(theme->name, sizeof(theme->name), "built-in");
	theme->use_color = false;
	for (int r = 0; r < UI_ROLE_COUNT; r++) {
		struct theme_style *s = &theme->styles[THEME_MONO][r];
		char words[64];
		snprintf(words, sizeof(words), "%s", role_mono[r]);
		s->set = true;
		s->fg = s->bg = THEME_COLOR_DEFAULT;
		for (char *save, *w = strtok_r(words, " ", &save); w; w = strtok_r(NULL, " ", &save))
			parse_attr(w, &s->attrs);
	}
}

static enum ui_role role_from_name(const char *name)
{
	for (int r = 0; r < UI_ROLE_COUNT; r++)
		if (strcmp(name, role_names[r]) == 0)
			return (enum ui_role)r;
	return UI_ROLE_COUNT;
}

static char *trim(char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	size_t n = strlen(s);
	while (n && isspace((unsigned char)s[n - 1]))
		s[--n] = '\0';
	return s;
}

/* One "role = ..." line of a section.  Colour sections: fg bg [attrs...];
 * the mono section: attrs only. */
static bool parse_style(enum theme_depth depth, char *value, struct theme_style *out, char *why,
			size_t why_size)
{
	struct theme_style s = { true, THEME_COLOR_DEFAULT, THEME_COLOR_DEFAULT, 0 };
	int n = 0;
	char *save;
	for (char *w = strtok_r(value, " \t", &save); w; w = strtok_r(NULL, " \t", &save), n++) {
		if (depth != THEME_MONO && n < 2) {
			if (!parse_color(w, n == 0 ? &s.fg : &s.bg)) {
				snprintf(why, why_size,
					 "unknown colour \"%s\" (a name like red or bright-red, default, or 0-255)",
					 w);
				return false;
			}
			short c = n == 0 ? s.fg : s.bg;
			int limit = depth == THEME_8 ? 8 : depth == THEME_16 ? 16 : 256;
			if (c >= limit) {
				snprintf(why, why_size, "colour %d is beyond this [%d] section", c,
					 limit);
				return false;
			}
			continue;
		}
		if (!parse_attr(w, &s.attrs)) {
			snprintf(why, why_size,
				 "unknown attribute \"%s\" (bold dim reverse underline standout italic blink normal)",
				 w);
			return false;
		}
	}
	if (depth != THEME_MONO && n < 2) {
		snprintf(why, why_size, "expected \"role = FG BG [attributes]\"");
		return false;
	}
	*out = s;
	return true;
}

bool theme_parse(struct theme *theme, const char *text, const char *filename, char *err,
		 size_t err_size)
{
	int depth = -1;
	char *copy = xstrdup(text), *next;
	int line_no = 0;
	bool ok = true;
	char why[200];
	for (char *line = copy; line && ok; line = next) {
		char *nl = strchr(line, '\n');
		next = nl ? nl + 1 : NULL;
		if (nl)
			*nl = '\0';
		line_no++;
		char *hash = strchr(line, '#');
		if (hash)
			*hash = '\0';
		char *s = trim(line);
		if (!*s)
			continue;
		why[0] = '\0';
		if (*s == '[') {
			if (strcmp(s, "[mono]") == 0)
				depth = THEME_MONO;
			else if (strcmp(s, "[8]") == 0)
				depth = THEME_8;
			else if (strcmp(s, "[16]") == 0)
				depth = THEME_16;
			else if (strcmp(s, "[256]") == 0)
				depth = THEME_256;
			else
				snprintf(why, sizeof(why), "unknown section %s (use [8], [16], [256] or [mono])", s);
		} else {
			char *eq = strchr(s, '=');
			if (!eq) {
				snprintf(why, sizeof(why), "expected \"role = ...\"");
			} else {
				*eq = '\0';
				char *key = trim(s), *value = trim(eq + 1);
				enum ui_role role = role_from_name(key);
				if (depth < 0 && strcmp(key, "color") == 0) {
					if (strcmp(value, "yes") && strcmp(value, "no"))
						snprintf(why, sizeof(why), "color must be yes or no");
					theme->use_color = strcmp(value, "yes") == 0;
				} else if (depth < 0) {
					snprintf(why, sizeof(why), "\"%s\" outside a section ([8], [16], [256], [mono])", key);
				} else if (role == UI_ROLE_COUNT) {
					snprintf(why, sizeof(why), "unknown role \"%s\"", key);
				} else {
					parse_style((enum theme_depth)depth, value,
						    &theme->styles[depth][role], why, sizeof(why));
				}
			}
		}
		if (why[0]) {
			snprintf(err, err_size, "%s:%d: %s", filename, line_no, why);
			ok = false;
		}
	}
	free(copy);
	return ok;
}

struct theme_style theme_style_at(const struct theme *theme, enum theme_depth depth,
				  enum ui_role role)
{
	if (role >= UI_ROLE_COUNT)
		role = UI_ROLE_DEFAULT;
	if (depth != THEME_MONO)
		for (int d = depth; d > THEME_MONO; d--)
			if (theme->styles[d][role].set)
				return theme->styles[d][role];
	if (theme->styles[THEME_MONO][role].set)
		return theme->styles[THEME_MONO][role];
	struct theme builtin;
	theme_init_builtin(&builtin);
	return builtin.styles[THEME_MONO][role];
}

bool theme_load(struct theme *theme, const char *name, char *err, size_t err_size)
{
	char dirs[3][4096];
	size_t ndirs = 0;
	const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
	snprintf(dirs[ndirs++], sizeof(dirs[0]), "themes");
	if (xdg && *xdg)
		snprintf(dirs[ndirs++], sizeof(dirs[0]), "%s/drivr-console/themes", xdg);
	else if (home && *home)
		snprintf(dirs[ndirs++], sizeof(dirs[0]), "%s/.config/drivr-console/themes", home);
	snprintf(dirs[ndirs++], sizeof(dirs[0]), "%s", DRIVR_THEME_DIR);

	theme_init_builtin(theme);
	theme->use_color = true;
	char *text = NULL;
	if (strchr(name, '/')) {
		snprintf(theme->path, sizeof(theme->path), "%s", name);
		if (!(text = util_read_file(name, LIMIT_THEME_FILE, "--theme", NULL, err, err_size)))
			return false;
	} else {
		if (!*name || strchr(name, '.') == name) {
			snprintf(err, err_size, "theme \"%s\": not a theme name", name);
			return false;
		}
		for (size_t i = 0; i < ndirs && !text; i++) {
			snprintf(theme->path, sizeof(theme->path), "%.4000s/%.60s.theme", dirs[i], name);
			text = util_read_file(theme->path, LIMIT_THEME_FILE, "--theme", NULL, err,
					      err_size);
			/* Not there: the next directory; there but refused: said. */
			if (!text && errno != ENOENT)
				return false;
		}
		if (!text) {
			snprintf(err, err_size, "unknown theme \"%s\" (looked for %s.theme in %s, %s%s%s)",
				 name, name, dirs[0], dirs[1], ndirs > 2 ? ", " : "",
				 ndirs > 2 ? dirs[2] : "");
			return false;
		}
	}
	snprintf(theme->name, sizeof(theme->name), "%.60s", name);
	bool ok = theme_parse(theme, text, theme->path, err, err_size);
	free(text);
	return ok;
}
