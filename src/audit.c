/* audit — see include/audit.h. */
#include "audit.h"

#include <cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sanitize.h"
#include "secret.h"
#include "util.h"

char *audit_default_path(void)
{
	const char *state = getenv("XDG_STATE_HOME"), *home = getenv("HOME");
	char path[4096];
	if (state && *state)
		snprintf(path, sizeof(path), "%s/drivr-console/audit.log", state);
	else if (home && *home)
		snprintf(path, sizeof(path), "%s/.local/state/drivr-console/audit.log", home);
	else
		return NULL;
	return xstrdup(path);
}

/* mkdir -p of the file's directory, each level 0700 when we create it. */
static bool make_parents(const char *path, char *err, size_t size)
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

static void add_str(cJSON *o, const char *name, const char *value)
{
	if (!value) {
		cJSON_AddNullToObject(o, name);
		return;
	}
	char *clean = sanitize_json_dup(value);
	cJSON_AddStringToObject(o, name, clean);
	free(clean);
}

/* Opens the log for one append, never through a link: a symbolic link
 * (O_NOFOLLOW) or a second hard link would let whoever made it read or
 * redirect the log — and a chmod would loosen someone else's file.  Only a
 * regular file is a log: /dev/null would lose every line without a word. */
int audit_open(const char *path, char *err, size_t size)
{
	if (!make_parents(path, err, size))
		return -1;
	/* O_NONBLOCK: a FIFO without a reader fails at once instead of hanging */
	int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK,
		      0600);
	if (fd < 0) {
		if (errno == ELOOP)
			snprintf(err, size, "%s is a symbolic link: refused (the audit log is never "
					    "written through a link)", path);
		else
			snprintf(err, size, "cannot open %s: %s", path, strerror(errno));
		return -1;
	}
	struct stat st;
	if (fstat(fd, &st) < 0) {
		snprintf(err, size, "cannot stat %s: %s", path, strerror(errno));
	} else if (!S_ISREG(st.st_mode)) {
		snprintf(err, size, "%s is not a regular file: refused", path);
	} else if (st.st_nlink > 1) {
		snprintf(err, size, "%s has %lu hard links: refused (another name would share the log)",
			 path, (unsigned long)st.st_nlink);
	} else if (secret_file_private(fd, path, err, size)) {
		/* Our own log stays private even if someone loosened it; a file of
		 * another user keeps its mode. */
		return fd;
	}
	close(fd);
	return -1;
}

bool audit_append(const char *path, const struct audit_entry *e, char *err, size_t size)
{
	int fd = audit_open(path, err, size);
	if (fd < 0)
		return false;
	cJSON *o = cJSON_CreateObject();
	char when[40];
	time_format_iso8601(e->time, when, sizeof(when));
	cJSON_AddStringToObject(o, "time", when);
	add_str(o, "profile", e->profile ? e->profile : "-");
	add_str(o, "action", e->action);
	cJSON_AddNumberToObject(o, "request", e->request_id);
	add_str(o, "topic", e->topic);
	add_str(o, "payload", e->payload);
	add_str(o, "outcome", e->outcome);
	char *text = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	size_t len = strlen(text);
	text[len] = '\n'; /* replace the NUL: one write(2), so lines never interleave */
	ssize_t n;
	do
		n = write(fd, text, len + 1);
	while (n < 0 && errno == EINTR);
	bool ok = n == (ssize_t)(len + 1);
	if (!ok)
		snprintf(err, size, "cannot write %s: %s", path,
			 n < 0 ? strerror(errno) : "short write (disk full?)");
	cJSON_free(text);
	if (close(fd) < 0 && ok) {
		snprintf(err, size, "cannot write %s: %s", path, strerror(errno));
		ok = false;
	}
	return ok;
}
