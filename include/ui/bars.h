/* bars — the frame around the views: status bar (broker, TLS, connection
 * state, rates, counters, clock), the view tabs, the breadcrumb, the alert
 * pane (the active events in alerts.h's order, on every view), the
 * key-hint bar (only keys that apply here), and the help window. */
#ifndef DRIVR_UI_BARS_H
#define DRIVR_UI_BARS_H

#include "ui/view.h"

/* Global keys, for help and hints; NULL-terminated. */
extern const struct key_help bars_global_keys[];

void bars_draw_status(struct ui *ui, WINDOW *w, int width);
/* The staged load when it is not complete ("loading 120/500 systems",
 * "nothing for slug X", ...): true and one status segment in buf. */
bool bars_load_state(const struct ui *ui, char *buf, size_t size);
void bars_draw_tabs(struct ui *ui, WINDOW *w, int y, int width);
void bars_draw_crumb(struct ui *ui, WINDOW *w, int y, int width);
/* Lines the alert pane wants for a terminal of `rows` lines. */
int bars_alert_lines(const struct ui *ui, int rows);
void bars_draw_alerts(struct ui *ui, WINDOW *w, int height, int width);
void bars_draw_hints(struct ui *ui, WINDOW *w, int width);
/* The help window over the current view (every key that applies). */
void bars_draw_help(struct ui *ui, int rows, int cols);
/* Messages per second over the last complete second. */
unsigned long bars_rate(const struct ui *ui);

#endif
