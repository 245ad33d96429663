/* theme — see include/ui/theme.h. */
#include "ui/theme.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ini.h"
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

/* The theme reader's state: the section's depth, -1 before any. */
struct theme_reader {
	struct theme *theme;
	int depth;
};

static bool on_section(void *ctx, const char *name, char *why, size_t why_size)
{
	static const char *const depths[THEME_DEPTH_COUNT] = { "mono", "8", "16", "256" };
	struct theme_reader *r = ctx;
	for (int d = 0; d < THEME_DEPTH_COUNT; d++)
		if (strcmp(name, depths[d]) == 0) {
			r->depth = d;
			return true;
		}
	snprintf(why, why_size, "unknown section [%s] (use [8], [16], [256] or [mono])", name);
	return false;
}

static bool on_key(void *ctx, const struct ini_line *line, char *why, size_t why_size)
{
	struct theme_reader *r = ctx;
	if (r->depth < 0 && strcmp(line->key, "color") == 0) {
		if (!ini_parse_bool(line->value, &r->theme->use_color)) {
			snprintf(why, why_size, "color must be yes or no");
			return false;
		}
		return true;
	}
	if (r->depth < 0) {
		snprintf(why, why_size, "\"%s\" outside a section ([8], [16], [256], [mono])",
			 line->key);
		return false;
	}
	enum ui_role role = role_from_name(line->key);
	if (role == UI_ROLE_COUNT) {
		snprintf(why, why_size, "unknown role \"%s\"", line->key);
		return false;
	}
	char *value = xstrdup(line->value); /* parse_style cuts it in words */
	bool ok = parse_style((enum theme_depth)r->depth, value,
			      &r->theme->styles[r->depth][role], why, why_size);
	free(value);
	return ok;
}

static bool parse_text(struct theme *theme, const char *text, size_t len, const char *filename,
		       char *err, size_t err_size)
{
	struct theme_reader r = { theme, -1 };
	const struct ini_reader reader = { on_section, on_key, "role = ...", &r };
	return ini_parse(text, len, filename, &reader, err, err_size);
}

bool theme_parse(struct theme *theme, const char *text, const char *filename, char *err,
		 size_t err_size)
{
	return parse_text(theme, text, strlen(text), filename, err, err_size);
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

/* The themes/ of the source tree an uninstalled binary was built in
 * (<tree>/build/drivr-console): make demo and a developer's run find the
 * shipped themes without installing.  Found from the binary, never from the
 * working directory.  Linux only (/proc); elsewhere none. */
static bool build_tree_dir(char *out, size_t size)
{
#ifdef __linux__
	char exe[4096];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0)
		return false;
	exe[n] = '\0';
	char *slash = strrchr(exe, '/');
	if (!slash)
		return false;
	*slash = '\0';
	snprintf(out, size, "%.4000s/../themes", exe);
	/* only a build tree has it: an installed binary's error names no
	 * directory that is not there */
	struct stat st;
	return stat(out, &st) == 0 && S_ISDIR(st.st_mode);
#else
	(void)out;
	(void)size;
	return false;
#endif
}

size_t theme_search_dirs(char (*dirs)[THEME_PATH_MAX], size_t max)
{
	size_t n = 0;
	const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
	const char *installed = getenv("DRIVR_THEME_DIR");
	if (n < max && xdg && *xdg)
		snprintf(dirs[n++], THEME_PATH_MAX, "%.4000s/drivr-console/themes", xdg);
	else if (n < max && home && *home)
		snprintf(dirs[n++], THEME_PATH_MAX, "%.4000s/.config/drivr-console/themes", home);
	if (n < max)
		snprintf(dirs[n++], THEME_PATH_MAX, "%.4000s",
			 installed && *installed ? installed : DRIVR_THEME_DIR);
	if (n < max && build_tree_dir(dirs[n], THEME_PATH_MAX))
		n++;
	return n;
}

bool theme_load(struct theme *theme, const char *name, char *err, size_t err_size)
{
	char dirs[THEME_SEARCH_MAX][THEME_PATH_MAX];
	size_t ndirs = theme_search_dirs(dirs, THEME_SEARCH_MAX);

	theme_init_builtin(theme);
	theme->use_color = true;
	char *text = NULL;
	size_t len = 0;
	if (strchr(name, '/')) {
		snprintf(theme->path, sizeof(theme->path), "%s", name);
		if (!(text = util_read_file(name, LIMIT_THEME_FILE, "--theme", &len, err, err_size)))
			return false;
	} else {
		if (!*name || strchr(name, '.') == name) {
			snprintf(err, err_size, "theme \"%s\": not a theme name", name);
			return false;
		}
		for (size_t i = 0; i < ndirs && !text; i++) {
			snprintf(theme->path, sizeof(theme->path), "%.4000s/%.60s.theme", dirs[i], name);
			text = util_read_file(theme->path, LIMIT_THEME_FILE, "--theme", &len, err,
					      err_size);
			/* Not there: the next directory; there but refused: said. */
			if (!text && errno != ENOENT)
				return false;
		}
		if (!text) {
			int n = snprintf(err, err_size, "unknown theme \"%s\" (looked for %s.theme in",
					 name, name);
			for (size_t i = 0; i < ndirs && n >= 0 && (size_t)n < err_size; i++)
				n += snprintf(err + n, err_size - (size_t)n, "%s %s", i ? "," : "",
					      dirs[i]);
			if (n >= 0 && (size_t)n < err_size)
				snprintf(err + n, err_size - (size_t)n, ")");
			return false;
		}
	}
	snprintf(theme->name, sizeof(theme->name), "%.60s", name);
	bool ok = parse_text(theme, text, len, theme->path, err, err_size);
	free(text);
	return ok;
}
