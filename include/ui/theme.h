/* theme — colour roles and the theme files that map them to colours.
 *
 * Views never name a colour: they ask for a role (UI_ROLE_ALERT_ERROR, ...).
 * A theme file (themes/NAME.theme, docs/ui.md) maps each role to a
 * foreground, a background and attributes, per colour depth:
 *
 *     [8]                          # terminals with 8 colours
 *     alert_error = red default bold
 *     [256]
 *     alert_error = 196 default bold
 *     [mono]                       # no colour (NO_COLOR, --no-color, mono terminals)
 *     alert_error = bold reverse
 *
 * The richest section the terminal can show is used; a role a section leaves
 * out falls back to the next poorer section, then to the built-in default.
 * Meaning never rests on colour alone: views add a symbol or a word. */
#ifndef DRIVR_UI_THEME_H
#define DRIVR_UI_THEME_H

#include <stdbool.h>
#include <stddef.h>

/* X(enum suffix, name in theme files, built-in mono attributes) */
#define UI_ROLE_LIST(X)                                  \
	X(DEFAULT, "default", "")                        \
	X(STATUS_BAR, "status_bar", "reverse")           \
	X(STATUS_OK, "status_ok", "reverse bold")        \
	X(STATUS_WARN, "status_warn", "reverse bold")    \
	X(STATUS_BAD, "status_bad", "reverse bold")      \
	X(TAB, "tab", "")                                \
	X(TAB_ACTIVE, "tab_active", "reverse bold")      \
	X(CRUMB, "crumb", "bold")                        \
	X(HEADER, "header", "underline bold")            \
	X(SELECTED, "selected", "reverse")               \
	X(MUTED, "muted", "dim")                         \
	X(CONN_CONNECTED, "conn_connected", "bold")      \
	X(CONN_PARTIAL, "conn_partial", "")              \
	X(CONN_DISCONNECTED, "conn_disconnected", "dim") \
	X(ALERT_TITLE, "alert_title", "bold")            \
	X(ALERT_ERROR, "alert_error", "bold")            \
	X(ALERT_WARNING, "alert_warning", "bold")        \
	X(ALERT_INFO, "alert_info", "")                  \
	X(ALERT_SUCCESS, "alert_success", "")            \
	X(VALUE, "value", "")                            \
	X(VALUE_CHANGED, "value_changed", "bold")        \
	X(VALUE_STALE, "value_stale", "dim")             \
	X(SPARKLINE, "sparkline", "")                    \
	X(STATE_CREATED, "state_created", "")            \
	X(STATE_ACCEPTED, "state_accepted", "")          \
	X(STATE_REJECTED, "state_rejected", "bold")      \
	X(SETPOINT_STUCK, "setpoint_stuck", "bold underline") \
	X(KEY_HINT_KEY, "key_hint_key", "reverse")       \
	X(KEY_HINT_TEXT, "key_hint_text", "")            \
	X(PROMPT, "prompt", "bold")                      \
	X(HELP, "help", "")                              \
	X(HELP_KEY, "help_key", "bold")

enum ui_role {
#define X(id, name, mono) UI_ROLE_##id,
	UI_ROLE_LIST(X)
#undef X
	UI_ROLE_COUNT
};

/* Colour depths a theme section can describe, poorest first. */
enum theme_depth { THEME_MONO, THEME_8, THEME_16, THEME_256, THEME_DEPTH_COUNT };

#define THEME_COLOR_DEFAULT (-1) /* the terminal's own colour */
#define THEME_COLOR_UNSET (-2)

struct theme_style {
	bool set;
	short fg, bg;      /* THEME_COLOR_DEFAULT or 0..255 */
	unsigned attrs;    /* THEME_ATTR_* bits */
};

enum {
	THEME_ATTR_BOLD = 1u << 0,
	THEME_ATTR_DIM = 1u << 1,
	THEME_ATTR_REVERSE = 1u << 2,
	THEME_ATTR_UNDERLINE = 1u << 3,
	THEME_ATTR_STANDOUT = 1u << 4,
	THEME_ATTR_ITALIC = 1u << 5,
	THEME_ATTR_BLINK = 1u << 6,
};

struct theme {
	char name[64];
	char path[4096];   /* the file it came from ("" for the built-in one) */
	bool use_color;    /* false: the theme asks for attributes only (mono) */
	struct theme_style styles[THEME_DEPTH_COUNT][UI_ROLE_COUNT];
};

const char *ui_role_name(enum ui_role role);

/* The built-in theme: mono attributes only (what a missing file falls back to). */
void theme_init_builtin(struct theme *theme);

/* Parses theme text.  Returns false with "file:line: reason" in err. Pure. */
bool theme_parse(struct theme *theme, const char *text, const char *filename, char *err,
		 size_t err_size);

/* Finds NAME.theme in the directories of theme_search_dirs(), first found
 * wins (a NAME with a '/' is a path), and parses it.  Returns false with a
 * one-line message (an unknown name lists the directories). */
bool theme_load(struct theme *theme, const char *name, char *err, size_t err_size);

/* Where theme_load looks, in order (docs/ui.md, "Themes"):
 *   1. the user's: $XDG_CONFIG_HOME/drivr-console/themes, or
 *      ~/.config/drivr-console/themes without XDG_CONFIG_HOME;
 *   2. the installed themes: $DRIVR_THEME_DIR when set (a relocated
 *      install, the tests), else $(PREFIX)/share/drivr-console/themes;
 *   3. an uninstalled binary's source tree: <binary's dir>/../themes.
 * Never the working directory.  Fills dirs, returns how many (<= max). */
#define THEME_PATH_MAX 4096
#define THEME_SEARCH_MAX 3
size_t theme_search_dirs(char (*dirs)[THEME_PATH_MAX], size_t max);

/* The style of a role at a depth, after the fallbacks (never unset). */
struct theme_style theme_style_at(const struct theme *theme, enum theme_depth depth,
				  enum ui_role role);

#endif
