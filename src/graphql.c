/* graphql — see include/graphql.h. */
#include "graphql.h"

#include <cJSON.h>
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "secret.h"
#include "util.h"

void graphql_endpoint(const char *url, const char *slug, char *buf, size_t size)
{
	if (url && *url)
		snprintf(buf, size, "%s", url);
	else
		snprintf(buf, size, "https://%s.api.drivr.cloud/graphql", slug ? slug : "");
}

/* The directory part of path (new string): "." for a bare name. */
static char *dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');
	if (!slash)
		return xstrdup(".");
	if (slash == path)
		return xstrdup("/");
	char *dir = xstrdup(path);
	dir[slash - path] = '\0';
	return dir;
}

/* A private temporary file next to path (mkstemp: O_EXCL, mode 0600), so
 * the rename onto path stays in one file system.  Its name in tmp. */
static int make_temp(const char *path, char *tmp, size_t size, char *err, size_t err_size)
{
	char *dir = dir_of(path);
	const char *slash = strrchr(path, '/');
	const char *base = slash ? slash + 1 : path;
	snprintf(tmp, size, "%s/.%.64s.XXXXXX", dir, base);
	int fd = mkstemp(tmp);
	if (fd >= 0)
		fcntl(fd, F_SETFD, FD_CLOEXEC);
	else
		snprintf(err, err_size, "cannot write in %s: %s", dir, strerror(errno));
	free(dir);
	return fd;
}

bool graphql_check_jwt_path(const char *path, bool exclusive, char *err, size_t size)
{
	struct stat st;
	if (!path || !*path) {
		snprintf(err, size, "no file name");
		return false;
	}
	if (lstat(path, &st) == 0) {
		if (exclusive) {
			snprintf(err, size, "%s exists: choose another name", path);
			return false;
		}
		if (S_ISLNK(st.st_mode)) {
			snprintf(err, size, "%s is a symbolic link: refused (the token is never written "
					    "through a link)", path);
			return false;
		}
		if (!S_ISREG(st.st_mode)) {
			snprintf(err, size, "%s is %s: refused", path,
				 S_ISDIR(st.st_mode) ? "a directory" : "not a regular file");
			return false;
		}
		if (st.st_nlink > 1) {
			snprintf(err, size, "%s has %lu hard links: refused (the other names would keep "
					    "the old content and see the new)", path,
				 (unsigned long)st.st_nlink);
			return false;
		}
		if (st.st_uid != geteuid()) {
			snprintf(err, size, "%s belongs to another user: refused", path);
			return false;
		}
	} else if (errno != ENOENT) {
		snprintf(err, size, "%s: %s", path, strerror(errno));
		return false;
	}
	/* The directory must take a new file: try one (access(2) says yes to
	 * root on a read-only or full file system). */
	char tmp[4200];
	int fd = make_temp(path, tmp, sizeof(tmp), err, size);
	if (fd < 0)
		return false;
	close(fd);
	unlink(tmp);
	return true;
}

bool graphql_save_jwt(const char *path, const char *jwt, bool exclusive, char *err, size_t size)
{
	if (!graphql_check_jwt_path(path, exclusive, err, size))
		return false;
	/* Written whole to a new private file, then put in place by name: never
	 * through a link an attacker left at path, never into a file another
	 * name shares, never half-written. */
	char tmp[4200];
	int fd = make_temp(path, tmp, sizeof(tmp), err, size);
	if (fd < 0)
		return false;
	size_t len = strlen(jwt);
	bool ok = write(fd, jwt, len) == (ssize_t)len && write(fd, "\n", 1) == 1 && fsync(fd) == 0;
	int saved = errno;
	if (close(fd) < 0 && ok) {
		ok = false;
		saved = errno;
	}
	if (!ok) {
		snprintf(err, size, "cannot write %s: %s", path, strerror(saved ? saved : EIO));
		unlink(tmp);
		return false;
	}
	/* exclusive: link(2) fails if the name appeared since the check */
	if (exclusive ? link(tmp, path) < 0 : rename(tmp, path) < 0) {
		snprintf(err, size, "cannot write %s: %s", path, strerror(errno));
		unlink(tmp);
		return false;
	}
	if (exclusive)
		unlink(tmp);
	return true;
}

bool graphql_user_token_file_warning(const char *file, char *buf, size_t size)
{
	struct stat st;
	/* Only a regular file: anything else is refused when it is read. */
	if (!file || stat(file, &st) < 0 || !S_ISREG(st.st_mode) || !(st.st_mode & 077))
		return false;
	snprintf(buf, size, "--user-token-file %s is accessible by others (mode %04o): whoever reads "
			    "it acts as you on the platform — chmod 600 it", file,
		 (unsigned)(st.st_mode & 07777));
	return true;
}

char *graphql_read_user_token(const char *file, char *err, size_t size)
{
	if (!file) {
		const char *env = getenv("DRIVR_USER_TOKEN");
		if (env && *env)
			return secret_dup(env);
		snprintf(err, size, "no user API token: use --user-token-file FILE or DRIVR_USER_TOKEN");
		return NULL;
	}
	return secret_read_line(file, "--user-token-file", err, size);
}

void graphql_token_result_free(struct graphql_token_result *r)
{
	secret_free(r->jwt);
	free(r->uuid);
	free(r->error);
	memset(r, 0, sizeof(*r));
}

bool graphql_parse_token_answer(const char *body, size_t len, struct graphql_token_result *out)
{
	cJSON *root = cJSON_ParseWithLength(body, len);
	if (!cJSON_IsObject(root)) {
		out->error = xstrdup("the GraphQL endpoint did not answer with JSON");
		cJSON_Delete(root);
		return false;
	}
	const cJSON *errors = cJSON_GetObjectItemCaseSensitive(root, "errors");
	if (cJSON_IsArray(errors) && cJSON_GetArraySize(errors) > 0) {
		const cJSON *msg = cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(errors, 0), "message");
		out->error = xstrdup(cJSON_IsString(msg) ? msg->valuestring : "GraphQL error");
		cJSON_Delete(root);
		return false;
	}
	/* data holds one member, named after the mutation. */
	const cJSON *data = cJSON_GetObjectItemCaseSensitive(root, "data");
	const cJSON *result = cJSON_IsObject(data) ? data->child : NULL;
	const cJSON *jwt = cJSON_GetObjectItemCaseSensitive(result, "jwt");
	const cJSON *uuid = cJSON_GetObjectItemCaseSensitive(result, "uuid");
	if (!cJSON_IsString(jwt) || !cJSON_IsString(uuid)) {
		out->error = xstrdup("the answer has no jwt and uuid");
		cJSON_Delete(root);
		return false;
	}
	out->jwt = xstrdup(jwt->valuestring);
	out->uuid = xstrdup(uuid->valuestring);
	secret_wipe(jwt->valuestring, strlen(jwt->valuestring)); /* the tree's copy */
	cJSON_Delete(root);
	return true;
}

struct body {
	char *data;
	size_t len, cap, max;
};

/* The answer holds the JWT (token calls): grown by copy, the old buffer
 * wiped (realloc would leave it behind in the heap); doubled, so a large
 * catalogue answer costs linear time.  Past max bytes, refused. */
static size_t collect(char *ptr, size_t size, size_t nmemb, void *userdata)
{
	struct body *b = userdata;
	size_t n = size * nmemb;
	if (b->len + n > b->max)
		return 0;
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		while (cap < b->len + n + 1)
			cap *= 2;
		char *grown = xmalloc(cap);
		if (b->data) {
			memcpy(grown, b->data, b->len);
			secret_wipe(b->data, b->len);
			free(b->data);
		}
		b->data = grown;
		b->cap = cap;
	}
	memcpy(b->data + b->len, ptr, n);
	b->len += n;
	b->data[b->len] = '\0';
	return n;
}

/* One POST of a GraphQL request with the bearer token: true with the body
 * of a 200/400/401/403 answer in *answer (GraphQL servers explain refusals
 * in the body, whatever the status) and the status in *status; false with
 * the transport's reason in *error. */
static bool post(const char *url, const char *user_token, const char *request, const char *cafile,
		 long timeout_s, size_t max, struct body *answer, long *status, char **error)
{
	memset(answer, 0, sizeof(*answer));
	answer->max = max;
	*status = 0;
	CURL *curl = curl_easy_init();
	if (!curl) {
		*error = xstrdup("cannot initialise libcurl");
		return false;
	}
	size_t auth_len = strlen(user_token) + 32;
	char *auth = xmalloc(auth_len);
	snprintf(auth, auth_len, "Authorization: Bearer %s", user_token);
	struct curl_slist *headers = curl_slist_append(NULL, "Content-Type: application/json");
	headers = curl_slist_append(headers, auth);
	char curl_err[CURL_ERROR_SIZE] = "";
	curl_easy_setopt(curl, CURLOPT_URL, url);
	curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(curl, CURLOPT_POSTFIELDS, request);
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(curl, CURLOPT_WRITEDATA, answer);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT, timeout_s);
	curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, curl_err);
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
#if LIBCURL_VERSION_NUM >= 0x075500 /* 7.85.0 has _STR and deprecates the bit mask */
	curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
#else /* older curl: Ubuntu 22.04 (7.81), RHEL 9 (7.76) */
	curl_easy_setopt(curl, CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
	if (cafile)
		curl_easy_setopt(curl, CURLOPT_CAINFO, cafile);
	CURLcode rc = curl_easy_perform(curl);
	curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, status);
	bool ok = false;
	if (rc == CURLE_WRITE_ERROR) { /* collect refused the rest */
		char msg[512];
		snprintf(msg, sizeof(msg), "%s: the answer is larger than %zu bytes: refused", url, max);
		*error = xstrdup(msg);
	} else if (rc != CURLE_OK) {
		char msg[512];
		snprintf(msg, sizeof(msg), "%s: %s", url, curl_err[0] ? curl_err : curl_easy_strerror(rc));
		*error = xstrdup(msg);
	} else if (answer->data &&
		   (*status == 200 || *status == 400 || *status == 401 || *status == 403)) {
		ok = true;
	} else {
		char msg[128];
		snprintf(msg, sizeof(msg), "the GraphQL endpoint answered HTTP %ld", *status);
		*error = xstrdup(msg);
	}
	/* The bearer header and libcurl's copy of it in the list hold the user
	 * token: wiped before they are freed (what libcurl copies internally is
	 * out of our reach). */
	secret_wipe(auth, auth_len);
	free(auth);
	for (struct curl_slist *h = headers; h; h = h->next)
		secret_wipe(h->data, strlen(h->data));
	curl_slist_free_all(headers);
	curl_easy_cleanup(curl);
	if (!ok) {
		secret_wipe(answer->data, answer->len);
		free(answer->data);
		memset(answer, 0, sizeof(*answer));
	}
	return ok;
}

bool graphql_issue_token(const char *url, const char *user_token, const char *body,
			 const char *cafile, long timeout_s, struct graphql_token_result *out)
{
	memset(out, 0, sizeof(*out));
	/* Answers are small; anything past 1 MiB is not a token answer. */
	struct body answer;
	long status;
	if (!post(url, user_token, body, cafile, timeout_s, 1u << 20, &answer, &status, &out->error))
		return false;
	bool ok = graphql_parse_token_answer(answer.data, answer.len, out);
	if (!ok && status != 200 && !strstr(out->error, "HTTP")) {
		char msg[512];
		snprintf(msg, sizeof(msg), "HTTP %ld: %s", status, out->error);
		free(out->error);
		out->error = xstrdup(msg);
	}
	/* the answer holds the JWT */
	secret_wipe(answer.data, answer.len);
	free(answer.data);
	return ok;
}

char *graphql_query(const char *url, const char *user_token, const char *body, const char *cafile,
		    long timeout_s, size_t max, size_t *len, long *status, char **error)
{
	struct body answer;
	*error = NULL;
	if (!post(url, user_token, body, cafile, timeout_s, max, &answer, status, error))
		return NULL;
	*len = answer.len;
	return answer.data;
}
