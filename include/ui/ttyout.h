/* ttyout — the terminal's output relay.
 *
 * ncurses writes its frames into a pipe; one thread copies the pipe to the
 * terminal.  So the main thread never blocks in a write to a terminal that
 * takes no output (a stalled SSH link, a paused tmux pane, a slow serial
 * line): it asks ttyout_idle() before a frame and skips the frame while the
 * previous one is still on its way, as tmux defers redraws, and the drain of
 * the broker's messages goes on.  A single frame larger than the pipe (1 MiB
 * where the kernel allows it) can still block while the terminal is stalled.
 *
 * The relay owns the pipe, the stream and the thread; the terminal's file
 * descriptor stays the caller's. */
#ifndef DRIVR_UI_TTYOUT_H
#define DRIVR_UI_TTYOUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct ttyout;

/* Starts the relay to tty_fd.  NULL with a message when the pipe or the
 * thread cannot be made. */
struct ttyout *ttyout_start(int tty_fd, char *err, size_t err_size);

/* The stream ncurses writes to (newterm's output); owned by the relay. */
FILE *ttyout_stream(const struct ttyout *t);

/* True when everything written so far has reached the terminal. */
bool ttyout_idle(const struct ttyout *t);

/* Waits up to timeout_ms for ttyout_idle(); returns it. */
bool ttyout_wait_idle(const struct ttyout *t, int timeout_ms);

/* Bytes the terminal took, and whether a write to it failed (the rest is
 * then read and discarded, so ncurses never blocks on a dead terminal). */
uint64_t ttyout_bytes_written(const struct ttyout *t);
bool ttyout_failed(const struct ttyout *t);

/* Delivers what is queued (waiting up to timeout_ms for a stalled
 * terminal, then giving it up), stops the thread and frees everything.
 * NULL is allowed. */
void ttyout_stop(struct ttyout *t, int timeout_ms);

#endif
