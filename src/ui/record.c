/* record — see include/ui/record.h. */
#include "ui/record.h"

#include <cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "headless.h"
#include "secret.h"
#include "util.h"

struct record {
	char *path;
	size_t max_size;
	unsigned part;  /* 0: path, n: path.n */
	FILE *out;      /* NULL once stopped by an error */
	size_t written; /* bytes in the current file */
	uint64_t lines;
	char error[600];
	ingest_observer next; /* the observer that was there before */
	void *next_ctx;
};

/* The audit log's rules (audit.c): no link, a regular file with one name,
 * private.  Emptied only after those checks, so a refused file is never
 * truncated. */
static FILE *open_part(const char *path, char *err, size_t err_size)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK, 0600);
	if (fd < 0) {
		if (errno == ELOOP)
			snprintf(err, err_size, "--record %s is a symbolic link: refused", path);
		else
			snprintf(err, err_size, "--record %s: %s", path, strerror(errno));
		return NULL;
	}
	struct stat st;
	if (fstat(fd, &st) < 0)
		snprintf(err, err_size, "--record %s: %s", path, strerror(errno));
	else if (!S_ISREG(st.st_mode))
		snprintf(err, err_size, "--record %s is not a regular file: refused", path);
	else if (st.st_nlink > 1)
		snprintf(err, err_size, "--record %s has %lu hard links: refused", path,
			 (unsigned long)st.st_nlink);
	else if (!secret_file_private(fd, path, err, err_size))
		; /* err says why */
	else if (ftruncate(fd, 0) < 0)
		snprintf(err, err_size, "--record %s: %s", path, strerror(errno));
	else {
		FILE *f = fdopen(fd, "w");
		if (f)
			return f;
		snprintf(err, err_size, "--record %s: %s", path, strerror(errno));
	}
	close(fd);
	return NULL;
}

struct record *record_open(const char *path, size_t max_size, char *err, size_t err_size)
{
	FILE *f = open_part(path, err, err_size);
	if (!f)
		return NULL;
	struct record *r = xcalloc(1, sizeof(*r));
	r->path = xstrdup(path);
	r->max_size = max_size;
	r->out = f;
	return r;
}

static void stop(struct record *r, const char *what)
{
	if (!r->error[0])
		snprintf(r->error, sizeof(r->error), "%s", what);
	if (r->out)
		fclose(r->out);
	r->out = NULL;
}

/* The next file of the session, before a line that would pass the limit. */
static void rotate(struct record *r)
{
	if (fclose(r->out) != 0) {
		r->out = NULL;
		snprintf(r->error, sizeof(r->error), "--record %s: %s", r->path, strerror(errno));
		return;
	}
	r->out = NULL;
	char next[4200], err[600];
	snprintf(next, sizeof(next), "%s.%u", r->path, ++r->part);
	r->out = open_part(next, err, sizeof(err));
	if (!r->out)
		stop(r, err);
	r->written = 0;
}

static void write_line(struct record *r, const char *text, size_t len)
{
	if (!r->out)
		return;
	if (r->written > 0 && r->written + len + 1 > r->max_size)
		rotate(r);
	if (!r->out)
		return;
	if (fwrite(text, 1, len, r->out) != len || fputc('\n', r->out) == EOF) {
		char why[600];
		snprintf(why, sizeof(why), "--record %s: %s", r->path, strerror(errno));
		stop(r, why);
		return;
	}
	r->written += len + 1;
	r->lines++;
}

static void record_observer(void *ctx, const struct message_meta *msg,
			    const struct topic_match *match, const struct decode_result *result)
{
	struct record *r = ctx;
	if (r->out) {
		cJSON *o = headless_log_object(msg, match, result);
		char *text = cJSON_PrintUnformatted(o);
		write_line(r, text, strlen(text));
		cJSON_free(text);
		cJSON_Delete(o);
	}
	if (r->next)
		r->next(r->next_ctx, msg, match, result);
}

void record_attach(struct record *r, struct ingest *ingest)
{
	r->next = ingest->observer;
	r->next_ctx = ingest->observer_ctx;
	ingest->observer = record_observer;
	ingest->observer_ctx = r;
}

void record_flush(struct record *r)
{
	if (r && r->out && fflush(r->out) != 0) {
		char why[600];
		snprintf(why, sizeof(why), "--record %s: %s", r->path, strerror(errno));
		stop(r, why);
	}
}

uint64_t record_lines(const struct record *r)
{
	return r->lines;
}

const char *record_error(const struct record *r)
{
	return r->error;
}

bool record_close(struct record *r, char *err, size_t err_size)
{
	if (!r)
		return true;
	record_flush(r);
	if (r->out && fclose(r->out) != 0)
		snprintf(r->error, sizeof(r->error), "--record %s: %s", r->path, strerror(errno));
	bool ok = !r->error[0];
	if (!ok)
		snprintf(err, err_size, "%s", r->error);
	free(r->path);
	free(r);
	return ok;
}
