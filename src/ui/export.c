/* export — see include/ui/export.h. */
#include "ui/export.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "csv.h"
#include "ui/fmt.h"
#include "ui/form.h"
#include "util.h"

enum export_what { EXPORT_TABLE, EXPORT_SERIES };

struct ui_export {
	struct form form;
	enum export_what what;
	enum view_id view;   /* EXPORT_TABLE: the view whose rows are written */
	size_t series;       /* EXPORT_SERIES: the store index */
	char path[4096];     /* resolved by the preview */
};

bool export_state_path(const char *name, char *buf, size_t size)
{
	const char *state = getenv("XDG_STATE_HOME"), *home = getenv("HOME");
	int n;
	if (state && *state)
		n = snprintf(buf, size, "%s/drivr-console/%s", state, name);
	else if (home && *home)
		n = snprintf(buf, size, "%s/.local/state/drivr-console/%s", home, name);
	else
		return false;
	return n > 0 && (size_t)n < size;
}

bool export_make_parents(const char *path, char *err, size_t size)
{
	char *copy = xstrdup(path);
	for (char *p = copy + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(copy, 0700) < 0 && errno != EEXIST) {
			snprintf(err, size, "cannot create %s: %s", copy, strerror(errno));
			free(copy);
			return false;
		}
		*p = '/';
	}
	free(copy);
	return true;
}

/* A bare name goes into the state directory, never the working one. */
static bool resolve(const char *typed, char *path, size_t size)
{
	if (strchr(typed, '/')) {
		fmt_copy(path, size, typed);
		return true;
	}
	return export_state_path(typed, path, size);
}

/* ---- writing ------------------------------------------------------------------------ */

static void write_cell(FILE *out, const char *text, bool first)
{
	csv_field(out, text, first, csv_is_number(text));
}

static size_t write_table(FILE *out, struct view *v)
{
	struct table *t = &v->table;
	for (size_t c = 0; c < t->ncols; c++)
		write_cell(out, t->cols[c].name, c == 0);
	csv_end_record(out);
	struct table_cell cell;
	for (size_t r = 0; r < t->count; r++) {
		for (size_t c = 0; c < t->ncols; c++) {
			memset(&cell, 0, sizeof(cell));
			t->src.cell(t->src.ctx, t->ids[r], c, 0, &cell);
			write_cell(out, cell.text, c == 0);
		}
		csv_end_record(out);
	}
	return t->count;
}

static size_t write_series(FILE *out, const struct series *s, size_t max)
{
	struct sample *buf = xmalloc((max ? max : 1) * sizeof(*buf));
	size_t n = series_history(s, buf, max);
	write_cell(out, "time", true);
	write_cell(out, "value", false);
	csv_end_record(out);
	for (size_t i = 0; i < n; i++) {
		char when[40], value[64];
		fmt_time(buf[i].time, when, sizeof(when));
		snprintf(value, sizeof(value), "%.17g", buf[i].value);
		write_cell(out, when, true);
		write_cell(out, value, false);
		csv_end_record(out);
	}
	free(buf);
	return n;
}

/* Creates path (new, 0600, no link followed) and writes the CSV into it;
 * a failed write leaves no half file.  Rows written in *rows. */
static bool write_file(struct ui *ui, const char *path, size_t *rows, char *err, size_t size)
{
	struct ui_export *x = ui->export;
	if (!export_make_parents(path, err, size))
		return false;
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY, 0600);
	if (fd < 0) {
		if (errno == EEXIST)
			snprintf(err, size, "exists: choose another name (%.400s)", path);
		else
			snprintf(err, size, "%.400s: %s", path, strerror(errno));
		return false;
	}
	FILE *out = fdopen(fd, "w");
	if (!out) {
		snprintf(err, size, "%.400s: %s", path, strerror(errno));
		close(fd);
		unlink(path);
		return false;
	}
	if (x->what == EXPORT_TABLE) {
		*rows = write_table(out, &ui->views[x->view]);
	} else {
		const struct series *s = store_series_at(ui->store, x->series);
		size_t max = ui->config->history > 0 ? (size_t)ui->config->history : 1;
		*rows = s->live ? write_series(out, s, max) : 0;
	}
	bool ok = fflush(out) == 0 && !ferror(out) && fsync(fd) == 0;
	int saved = errno;
	if (fclose(out) != 0 && ok) {
		ok = false;
		saved = errno;
	}
	if (!ok) {
		snprintf(err, size, "cannot write %.400s: %s", path, strerror(saved ? saved : EIO));
		unlink(path);
	}
	return ok;
}

/* ---- the form ----------------------------------------------------------------------- */

static bool preview(struct form *f)
{
	struct ui *ui = f->ctx;
	struct ui_export *x = ui->export;
	const char *typed = f->fields[0].text;
	struct stat st;
	if (!typed[0]) {
		snprintf(f->status, sizeof(f->status), "a file name, please");
		return false;
	}
	if (!resolve(typed, x->path, sizeof(x->path))) {
		snprintf(f->status, sizeof(f->status),
			 "no state directory (neither XDG_STATE_HOME nor HOME): give a path");
		return false;
	}
	if (lstat(x->path, &st) == 0) {
		snprintf(f->status, sizeof(f->status), "exists: choose another name (%.200s)", x->path);
		return false;
	}
	form_preview_add(f, UI_ROLE_HELP, "Write as CSV");
	if (x->what == EXPORT_TABLE) {
		const struct table *t = &ui->views[x->view].table;
		form_preview_add(f, UI_ROLE_VALUE, "%s: %zu rows, %zu columns%s", view_title(x->view),
				 t->count, t->ncols, t->filter[0] ? " (the filtered rows)" : "");
	} else {
		const struct series *s = store_series_at(ui->store, x->series);
		form_preview_add(f, UI_ROLE_VALUE, "the history of %s/%s/%s", s->component, s->service,
				 s->characteristic);
	}
	form_preview_add(f, UI_ROLE_HELP, "to a new file, readable by you only (mode 0600):");
	form_preview_add(f, UI_ROLE_VALUE, "%s", x->path);
	return true;
}

void export_open(struct ui *ui)
{
	struct view *v = ui_current(ui);
	struct ui_export x;
	memset(&x, 0, sizeof(x));
	char stem[160];
	if (v->ops->rows) {
		x.what = EXPORT_TABLE;
		x.view = v->ops->id;
		snprintf(stem, sizeof(stem), "%s", view_title(x.view));
	} else if (ui->inspect.kind == INSPECT_SERIES &&
		   store_series_at(ui->store, ui->inspect.index)->live) {
		const struct series *s = store_series_at(ui->store, ui->inspect.index);
		x.what = EXPORT_SERIES;
		x.series = ui->inspect.index;
		snprintf(stem, sizeof(stem), "%s-%s", s->component, s->characteristic);
	} else {
		ui_notice(ui, "nothing to write here: w writes a table view or a series' history");
		return;
	}
	/* a default name that never collides within a second */
	char name[256], when[32];
	time_t now = (time_t)ui_clock(ui);
	struct tm tm;
	gmtime_r(&now, &tm);
	strftime(when, sizeof(when), "%Y%m%d-%H%M%S", &tm);
	snprintf(name, sizeof(name), "%s-%s.csv", stem, when);
	for (char *p = name; *p; p++)
		if (*p == '/' || *p == ' ' || (unsigned char)*p < 0x20)
			*p = '_';
	for (char *p = name; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	ui->export = xmalloc(sizeof(*ui->export));
	*ui->export = x;
	struct form *f = &ui->export->form;
	form_init(f, "Write as CSV", ui);
	form_add(f, "File", name);
	char dir[4096];
	if (export_state_path("", dir, sizeof(dir)))
		snprintf(f->fields[0].note, sizeof(f->fields[0].note),
			 "a bare name goes into %.200s", dir);
	f->preview_fill = preview;
	f->confirm_what = "write it";
}

int export_key(struct ui *ui, int key)
{
	struct ui_export *x = ui->export;
	int r = form_key(&x->form, key);
	if (r == FORM_CANCELLED) {
		export_close(ui);
	} else if (r == FORM_CONFIRMED) {
		char err[600];
		size_t rows = 0;
		if (write_file(ui, x->path, &rows, err, sizeof(err))) {
			ui_notice(ui, "wrote %zu row%s to %s", rows, rows == 1 ? "" : "s", x->path);
			export_close(ui);
		} else {
			snprintf(x->form.status, sizeof(x->form.status), "%.250s", err);
			x->form.step = FORM_EDIT;
		}
	}
	return KEY_HANDLED | KEY_REDRAW;
}

void export_draw(struct ui *ui)
{
	if (ui->export)
		form_draw(&ui->export->form, &ui->scr, ui->scr.rows, ui->scr.cols);
}

void export_close(struct ui *ui)
{
	free(ui->export);
	ui->export = NULL;
}
