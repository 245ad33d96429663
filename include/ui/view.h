/* view — what every view of the console has in common, and the console's
 * shared state (struct ui) that views read; the functions below (view.c)
 * are all the views call outside their own file and the core: the views
 * never call app.c, which draws them.
 *
 * A view is a table over one store collection (systems, components, ...) or,
 * for the inspector, a text pane.  Its ops format cells and answer keys; the
 * key handler returns flags like htop's Panel (handled / redraw / quit).
 * Views keep no copies of store data: rows are stable store indices (or
 * sequence numbers), re-read on every draw. */
#ifndef DRIVR_UI_VIEW_H
#define DRIVR_UI_VIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "ingest.h"
#include "mqtt.h"
#include "store.h"
#include "topics.h"
#include "ui/screen.h"
#include "ui/table.h"

/* X(enum suffix, tab title, key) — the order of Tab and of the number keys. */
#define UI_VIEW_LIST(X)                          \
	X(SYSTEMS, "Systems", '1')               \
	X(COMPONENTS, "Components", '2')         \
	X(DATAPOINTS, "Datapoints", '3')         \
	X(SETPOINTS, "Setpoints", '4')           \
	X(EVENTS, "Events", '5')                 \
	X(ERRORS, "Errors", '6')                 \
	X(TOKENS, "Tokens", '7')                 \
	X(UNCLASSIFIED, "Unclassified", '8')     \
	X(INSPECTOR, "Inspector", '9')           \
	X(REQUESTS, "Requests", '0')

enum view_id {
#define X(id, title, key) VIEW_##id,
	UI_VIEW_LIST(X)
#undef X
	VIEW_COUNT,
	/* views without a tab or number key, opened from a row (Esc returns) */
	VIEW_CHART = VIEW_COUNT,
	VIEW_ALL
};

/* Key handler results (combinable). */
enum { KEY_UNHANDLED = 0, KEY_HANDLED = 1, KEY_REDRAW = 2, KEY_QUIT = 4 };

/* A drill-down context: which system / component a view is limited to. */
struct view_context {
	char system[256];    /* system uuid, "" = all */
	char component[256]; /* component code within system, "" = all */
	char group[256];     /* errors: one group's key, "" = not one group */
};

/* What the inspector shows. */
enum inspect_kind {
	INSPECT_NONE,
	INSPECT_SYSTEM,
	INSPECT_COMPONENT,
	INSPECT_SERIES,
	INSPECT_SETPOINT,
	INSPECT_EVENT,
	INSPECT_TOKENS,
	INSPECT_ERROR,
	INSPECT_UNCLASSIFIED,
	INSPECT_REQUEST, /* index: the request id */
};

struct inspect_target {
	enum inspect_kind kind;
	size_t index;  /* store index (errors: sequence number) */
};

/* One line of help: the keys, what they do, whether the key-hint bar
 * shows it, and whether it is an operator action (sends something: hidden
 * from the hints and greyed in the help under --read-only). */
struct key_help {
	const char *keys;
	const char *what;
	bool hint;
	bool action;
};

struct view;
struct ui;
struct requests;
struct ui_actions;

struct view_ops {
	enum view_id id;
	const struct table_column *cols;
	size_t ncols;
	/* table views */
	void (*rows)(struct view *v, struct table *t);
	void (*cell)(struct view *v, uint64_t id, size_t col, int width, struct table_cell *out);
	enum ui_role (*row_role)(struct view *v, uint64_t id); /* optional */
	/* optional: what the rows show changed (default: anything in the
	 * store or the requests) — a view of events is not rebuilt for every
	 * datapoint of a flood */
	uint64_t (*data_stamp)(struct view *v);
	/* optional: incremental refreshes of large tables (table_source) */
	uint64_t (*rows_stamp)(struct view *v);
	uint64_t (*changed_since)(struct view *v, uint64_t since, struct table *t);
	uint64_t (*epoch)(struct view *v);
	/* optional: a quick no for filtering (table_source.may_contain) */
	bool (*may_contain)(struct view *v, uint64_t id, size_t col, const char *needle, size_t len);
	/* optional: the columns the drill-down context makes constant (bit =
	 * column), hidden while it holds (the system column of one system) */
	uint32_t (*context_columns)(const struct view_context *ctx);
	/* Enter: drill into the row (false: nothing below it). Optional. */
	bool (*drill)(struct view *v, uint64_t id);
	/* The inspector's target for a row (false: nothing to inspect). */
	bool (*inspect)(struct view *v, uint64_t id, struct inspect_target *out);
	/* Lines drawn under the table (tokens: JWKS keys); returns lines used. */
	int (*footer)(struct view *v, WINDOW *w, int y, int width, bool draw);
	/* text views (the inspector) replace the table */
	void (*draw)(struct view *v, WINDOW *w, int y, int height, int width);
	int (*key)(struct view *v, int key);
	/* optional: the context changed (drill-down, back, another view's
	 * key): a view whose columns depend on it lays its table out again */
	void (*context_changed)(struct view *v);
	/* optional: frees the view's own state (app_free) */
	void (*free)(struct view *v);
	bool keys_first; /* key() sees keys before the global ones but q ? Esc (the chart's 0, arrows) */
	const struct key_help *keys; /* view-specific keys, NULL-terminated */
	const char *empty;           /* shown when there is no row (NULL: "nothing received yet") */
};

struct view {
	const struct view_ops *ops;
	struct ui *ui;
	struct table table;
	struct view_context ctx;
	size_t scroll; /* text views */
	int text_lines; /* text views: lines of the last draw */
	void *state;    /* the view's own data (errors: the grouping), ops->free frees it */
	/* live watching (ui/live): p froze the rows (the store goes on, the
	 * table is not refreshed) at the store's message count paused_at; the
	 * inspector stops following new samples once scrolled up */
	bool paused;
	uint64_t paused_at;
	bool unfollowed;
};

/* One step of the breadcrumb. */
struct nav_step {
	enum view_id view;
	struct view_context ctx;
	char label[160]; /* what was drilled into ("" for a top view) */
	bool pinned;     /* ctx.system is pinned in the store while this step is open */
};

/* The chart (view_chart.c): the series it shows and the Datapoints rows
 * marked for it with Space.  A series is held by its store slot and its
 * key, so a slot that another series took after an eviction is not charted
 * in its place. */
#define UI_CHART_SERIES 4
struct ui_chart_ref {
	size_t slot;
	char key[512];  /* system, component, service, characteristic, stream */
	char unit[32];  /* from the component model's catalogue, sanitised */
	bool unit_read; /* the catalogue was looked at (once per chart opened) */
};

struct ui_chart {
	struct ui_chart_ref shown[UI_CHART_SERIES], marked[UI_CHART_SERIES];
	size_t nshown, nmarked;
	double span; /* seconds the window shows (0: all the history) */
	double end;  /* its right edge while not following */
	bool follow; /* the right edge is the newest sample (like less +F) */
};

#define UI_NAV_MAX 8
#define UI_RATE_BUCKETS 8

enum input_mode { INPUT_NORMAL, INPUT_FILTER, INPUT_HELP, INPUT_CONFIRM_QUIT };

struct ui {
	const struct config *config;
	const struct topic_table *topics;
	struct store *store;
	struct ingest ingest;
	struct ui_screen scr;
	struct view views[VIEW_ALL];
	struct nav_step nav[UI_NAV_MAX];
	int nav_depth; /* nav[nav_depth - 1] is the current view */
	struct inspect_target inspect;
	struct ui_chart chart;

	/* time */
	double clock_fixed; /* --clock (epoch s), or < 0: the real clock */
	double now;         /* wall clock of the frame being drawn */
	double stale_s, stuck_s, flash_s;
	double deadline;    /* set while drawing: the earliest wall time the screen
			     * changes by itself (flash ends, a series goes stale) */

	/* operator actions (actions_ui.c): every request of this session, the
	 * open form or dialog, the token worker; --read-only refuses them all */
	struct requests *requests;
	struct ui_actions *actions;
	bool read_only;

	/* source */
	struct mqtt *mqtt;   /* NULL in replay mode */
	struct mqtt_status status;
	struct load_plan *plan; /* the staged load; NULL in replay, --single-subscription */
	int plan_wait_ms;       /* when the plan needs its next pump (-1: no deadline) */
	const char *broker;  /* for the status bar */
	bool tls;
	bool insecure;       /* TLS without verification (--insecure): TLS:unverified */
	char replay_label[160];
	uint64_t dropped;    /* inbox drops */
	/* messages per second: counts per wall-clock second */
	uint64_t rate_count[UI_RATE_BUCKETS];
	long rate_second[UI_RATE_BUCKETS];
	double last_message_at;

	/* input */
	enum input_mode mode;
	char filter_edit[TABLE_FILTER_MAX];
	char filter_before[TABLE_FILTER_MAX];
	char flash_message[160]; /* one-line notice in the hint bar */
	double flash_until;
	bool quit;
	/* --bell: rings counted; the status bar flashes until bell_until */
	uint64_t bells;
	double bell_until;
	/* Ctrl-C with requests pending asks like q; a second one quits */
	bool interrupt_asked;
	struct ui_export *export; /* the w prompt (ui/export), NULL: closed */
	/* windows */
	WINDOW *w_status, *w_crumb, *w_main, *w_alerts, *w_hints;
	int alert_lines;
};

/* Every view's ops (one file each). */
extern const struct view_ops view_systems_ops, view_components_ops, view_datapoints_ops,
	view_setpoints_ops, view_events_ops, view_errors_ops, view_tokens_ops,
	view_unclassified_ops, view_inspector_ops, view_requests_ops, view_chart_ops;

const char *view_title(enum view_id id);
char view_key(enum view_id id);
/* The current view. */
struct view *ui_current(struct ui *ui);
/* Opens a view: drill-down pushes (label says what was entered), a
 * top-level switch replaces the breadcrumb. */
void ui_open_view(struct ui *ui, enum view_id id, const struct view_context *ctx,
		  const char *label, bool push);
/* Opens the inspector on a target. */
void ui_open_inspector(struct ui *ui, const struct inspect_target *target, const char *label);
/* Opens the chart on the series in those slots (at most UI_CHART_SERIES;
 * evicted ones are skipped): all the history, following new samples. */
void ui_open_chart(struct ui *ui, const size_t *slots, size_t n, const char *label);
/* Space in the Datapoints view: marks the series for the chart, or unmarks
 * it.  False when UI_CHART_SERIES are marked already. */
bool ui_chart_toggle_mark(struct ui *ui, size_t slot);
/* The series' number among the marked (1..UI_CHART_SERIES), 0: not marked. */
int ui_chart_mark_number(const struct ui *ui, size_t slot);
/* The series a reference holds, NULL when it was evicted. */
const struct series *ui_chart_series(const struct ui *ui, const struct ui_chart_ref *ref);
/* Esc: back to where the operator drilled from. */
void ui_back(struct ui *ui);
/* The wall clock the console shows (--clock fixes it). */
double ui_clock(const struct ui *ui);
/* Notes the time at which the screen changes by itself (views, while drawing). */
void ui_note_deadline(struct ui *ui, double when);
/* A short notice in the hint bar for a few seconds. */
void ui_notice(struct ui *ui, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Requests not yet at their end state: quitting asks first. */
size_t ui_pending_requests(const struct ui *ui);
/* The store's and the requests' change stamps together: views that show
 * both redraw when either changes. */
uint64_t ui_stamp(const struct ui *ui);
/* A data_stamp: the families' last changes and the requests' stamp (all
 * only grow, so their sum moves whenever one does). */
uint64_t ui_families_stamp(const struct ui *ui, const enum topic_family *families, size_t n);

#endif
