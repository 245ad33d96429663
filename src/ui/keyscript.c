/* keyscript — see include/ui/keyscript.h. */
#include "ui/keyscript.h"

#include <curses.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

static const struct {
	const char *name;
	int key;
} names[] = {
	{ "Enter", '\r' },	   { "Esc", 27 },	   { "Tab", '\t' },	     { "BTab", KEY_BTAB },
	{ "Up", KEY_UP },	   { "Down", KEY_DOWN },   { "Left", KEY_LEFT },    { "Right", KEY_RIGHT },
	{ "PgUp", KEY_PPAGE },	   { "PgDn", KEY_NPAGE },  { "Home", KEY_HOME },    { "End", KEY_END },
	{ "Backspace", KEY_BACKSPACE }, { "Space", ' ' },  { "Lt", '<' },	     { "C-d", 4 },
	{ "C-u", 21 },		   { "C-l", 12 },
};

static void push(struct keyscript *ks, struct script_event ev)
{
	ks->events = xrealloc(ks->events, (ks->count + 1) * sizeof(*ks->events));
	ks->events[ks->count++] = ev;
}

static bool parse_name(struct keyscript *ks, const char *name, char *why, size_t why_size)
{
	struct script_event ev = { SCRIPT_KEY, 0, 0, 0 };
	for (size_t i = 0; i < ARRAY_LEN(names); i++)
		if (strcmp(name, names[i].name) == 0) {
			ev.key = names[i].key;
			push(ks, ev);
			return true;
		}
	if (sscanf(name, "Resize %dx%d", &ev.a, &ev.b) == 2 && ev.a > 0 && ev.b > 0) {
		ev.kind = SCRIPT_RESIZE;
	} else if (sscanf(name, "Click %d %d", &ev.a, &ev.b) == 2) {
		ev.kind = SCRIPT_CLICK;
	} else if (strcmp(name, "WheelUp") == 0 || strcmp(name, "WheelDown") == 0) {
		ev.kind = SCRIPT_WHEEL;
		ev.key = name[5] == 'D' ? 1 : -1;
	} else if (strcmp(name, "Dump") == 0) {
		ev.kind = SCRIPT_DUMP;
	} else {
		snprintf(why, why_size, "unknown key <%s>", name);
		return false;
	}
	push(ks, ev);
	return true;
}

bool keyscript_parse(struct keyscript *ks, const char *text, const char *filename, char *err,
		     size_t err_size)
{
	memset(ks, 0, sizeof(*ks));
	int line_no = 1;
	char why[128] = "";
	for (const char *p = text; *p && !why[0]; p++) {
		if (*p == '\n') {
			line_no++;
		} else if (*p == '#' && (p == text || p[-1] == '\n')) {
			while (p[1] && p[1] != '\n')
				p++;
		} else if (*p == '<') {
			const char *close = strchr(p, '>');
			const char *nl = strchr(p, '\n');
			if (!close || (nl && nl < close)) {
				snprintf(why, sizeof(why), "'<' without '>' (type <Lt> for '<')");
				break;
			}
			char name[64];
			snprintf(name, sizeof(name), "%.*s", (int)(close - p - 1), p + 1);
			if (!parse_name(ks, name, why, sizeof(why)))
				break;
			p = close;
		} else if (*p != ' ' && *p != '\t' && *p != '\r') {
			struct script_event ev = { SCRIPT_KEY, (unsigned char)*p, 0, 0 };
			push(ks, ev);
		}
	}
	if (why[0]) {
		snprintf(err, err_size, "%s:%d: %s", filename, line_no, why);
		keyscript_free(ks);
		return false;
	}
	return true;
}

bool keyscript_load(struct keyscript *ks, const char *path, char *err, size_t err_size)
{
	char *buf = util_read_file(path, LIMIT_KEYS_FILE, "--keys", NULL, err, err_size);
	if (!buf)
		return false;
	bool ok = keyscript_parse(ks, buf, path, err, err_size);
	free(buf);
	return ok;
}

void keyscript_free(struct keyscript *ks)
{
	free(ks->events);
	ks->events = NULL;
	ks->count = 0;
}
