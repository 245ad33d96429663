/* app — the console's state machine between the loop (ui.c) and the views:
 * windows and layout, one frame, keys, mouse.  Main thread only.
 *
 * The views never call into app (what they share is in view.h, view.c):
 * app draws them, they do not draw the frame. */
#ifndef DRIVR_UI_APP_H
#define DRIVR_UI_APP_H

#include "ui/view.h"

/* Clears *ui and sets up the views, breadcrumb, defaults from the config,
 * the ingest pipeline into store (borrowed) and the request tracker; the
 * screen and the source (broker or replay) are the caller's. */
void app_init(struct ui *ui, const struct config *config, const struct topic_table *topics,
	      struct store *store);
void app_free(struct ui *ui);
/* (Re)creates the windows for the current terminal size. */
void app_layout(struct ui *ui);
/* Draws one frame (rebuilds the current view's rows, then doupdate). */
void app_draw(struct ui *ui);
/* One key; returns KEY_* flags. */
int app_key(struct ui *ui, int key);
/* A click at screen row/column, or the wheel (dir -1 up, +1 down). */
void app_click(struct ui *ui, int row, int col);
void app_wheel(struct ui *ui, int dir);
/* Counts one received message for msgs/s. */
void app_count_message(struct ui *ui, double when);

#endif
