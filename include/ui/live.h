/* live — the habits of live watching (docs/ui.md, "Live watching"):
 *
 *   p   pauses the current view: its rows stop moving and re-sorting while
 *       the store goes on taking every message; the status bar says how
 *       many arrived meanwhile; p again catches up at once;
 *   y   copies the selected row's identifier or value to the clipboard
 *       with OSC 52, written into the stream ncurses draws through (so it
 *       reaches the terminal between two frames, never inside one);
 *   --bell  rings and flashes the status bar once per new ERROR-level
 *       event (a live one: not the retained state of a (re)load).
 *
 * Main thread only. */
#ifndef DRIVR_UI_LIVE_H
#define DRIVR_UI_LIVE_H

#include <stdbool.h>
#include <stddef.h>

#include "message.h"
#include "ui/view.h"

/* p: pauses or resumes the current view. */
void live_toggle_pause(struct ui *ui);
/* True when the current view's rows are frozen. */
bool live_paused(const struct ui *ui);
/* The status bar's segment while paused (" ⏸ paused: 12 waiting ": messages
 * ingested since). */
bool live_status(const struct ui *ui, char *buf, size_t size);

/* --bell: whether msg brings a new event, asked before it is ingested
 * (after it, the event is known either way). */
struct live_probe {
	bool event;        /* an event topic, live (not retained) */
	bool was_known;    /* the event had been seen before */
	char uuid[64];
};
void live_probe_before(struct ui *ui, const struct message_meta *msg, struct live_probe *p);
/* After ingest: a new ERROR-level event rings the bell (beep) and flashes
 * the status bar for a second. */
void live_probe_after(struct ui *ui, const struct live_probe *p);

/* y: what the selected row copies (into text), and what it is ("system
 * uuid", "value" ...); false when there is nothing to copy. */
bool live_copy_text(struct ui *ui, char *text, size_t size, const char **what);
/* y: copies it (OSC 52) and says so in a notice. */
void live_copy(struct ui *ui);

#endif
