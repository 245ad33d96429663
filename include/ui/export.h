/* export — `w`: the current view (every row after filter and sort, every
 * column, as the view shows them) or, in the inspector of a series, its
 * history, written as CSV (csv.h) to a file the operator names in a form.
 *
 * The default directory is export_state_dir() ($XDG_STATE_HOME/drivr-console,
 * else ~/.local/state/drivr-console), never the working directory: a bare
 * file name goes there too.  Directories it creates are 0700, the file is
 * new (O_EXCL: never over an existing one, never through a symbolic link)
 * and 0600.  Main thread only. */
#ifndef DRIVR_UI_EXPORT_H
#define DRIVR_UI_EXPORT_H

#include <stdbool.h>
#include <stddef.h>

#include "ui/view.h"

/* The console's state directory with name appended ("" for the directory
 * itself) into buf; false when neither XDG_STATE_HOME nor HOME is set. */
bool export_state_path(const char *name, char *buf, size_t size);
/* mkdir -p of path's directory, levels it creates 0700; false + err. */
bool export_make_parents(const char *path, char *err, size_t size);

/* w: opens the form (or says why there is nothing to write). */
void export_open(struct ui *ui);
/* The open form takes every key. */
int export_key(struct ui *ui, int key);
void export_draw(struct ui *ui);
void export_close(struct ui *ui);

#endif
