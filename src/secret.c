/* secret — see include/secret.h. */
#include "secret.h"

#include <errno.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

char *secret_read_line(const char *path, const char *what, char *err, size_t size)
{
	size_t len = 0;
	char *buf = util_read_file(path, LIMIT_SECRET_FILE, what, &len, err, size);
	if (!buf)
		return NULL;
	size_t line = strcspn(buf, "\r\n");
	/* the rest of the file is not the secret, but may hold others */
	secret_wipe(buf + line, len - line);
	buf[line] = '\0';
	if (line == 0) {
		snprintf(err, size, "%s %s is empty", what, path);
		free(buf);
		return NULL;
	}
	return buf;
}

char *secret_dup(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

void secret_wipe(void *p, size_t n)
{
	if (p && n)
		OPENSSL_cleanse(p, n);
}

void secret_free(char *s)
{
	if (!s)
		return;
	secret_wipe(s, strlen(s));
	free(s);
}

bool secret_file_private(int fd, const char *path, char *err, size_t size)
{
	struct stat st;
	if (fstat(fd, &st) < 0) {
		snprintf(err, size, "cannot stat %s: %s", path, strerror(errno));
		return false;
	}
	if (st.st_uid != geteuid() || (st.st_mode & 07777) == 0600)
		return true;
	if (fchmod(fd, 0600) < 0) {
		snprintf(err, size, "cannot make %s private (mode 0600): %s", path, strerror(errno));
		return false;
	}
	return true;
}
