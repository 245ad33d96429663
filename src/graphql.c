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

#include "util.h"

void graphql_endpoint(const char *url, const char *slug, char *buf, size_t size)
{
	if (url && *url)
		snprintf(buf, size, "%s", url);
	else
		snprintf(buf, size, "https://%s.api.drivr.cloud/graphql", slug ? slug : "");
}

bool graphql_save_jwt(const char *path, const char *jwt, bool exclusive, char *err, size_t size)
{
	int flags = O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW | (exclusive ? O_EXCL : O_TRUNC);
	int fd = open(path, flags, 0600);
	if (fd < 0) {
		snprintf(err, size, "%s: %s", path, strerror(errno));
		return false;
	}
	struct stat st;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		snprintf(err, size, "%s: not a regular file", path);
		close(fd);
		return false;
	}
	fchmod(fd, 0600);
	size_t len = strlen(jwt);
	bool ok = write(fd, jwt, len) == (ssize_t)len && write(fd, "\n", 1) == 1;
	if (close(fd) < 0)
		ok = false;
	if (!ok)
		snprintf(err, size, "%s: %s", path, strerror(errno ? errno : EIO));
	return ok;
}

char *graphql_read_user_token(const char *file, char *err, size_t size)
{
	if (!file) {
		const char *env = getenv("DRIVR_USER_TOKEN");
		if (env && *env)
			return xstrdup(env);
		snprintf(err, size, "no user API token: use --user-token-file FILE or DRIVR_USER_TOKEN");
		return NULL;
	}
	char *buf = util_read_file(file, LIMIT_SECRET_FILE, "--user-token-file", NULL, err, size);
	if (!buf)
		return NULL;
	buf[strcspn(buf, "\r\n")] = '\0';
	if (!buf[0]) {
		snprintf(err, size, "--user-token-file %s is empty", file);
		free(buf);
		return NULL;
	}
	return buf;
}

void graphql_token_result_free(struct graphql_token_result *r)
{
	free(r->jwt);
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
	cJSON_Delete(root);
	return true;
}

struct body {
	char *data;
	size_t len;
};

/* Answers are small; anything past 1 MiB is not a token answer. */
static size_t collect(char *ptr, size_t size, size_t nmemb, void *userdata)
{
	struct body *b = userdata;
	size_t n = size * nmemb;
	if (b->len + n > (1u << 20))
		return 0;
	b->data = xrealloc(b->data, b->len + n + 1);
	memcpy(b->data + b->len, ptr, n);
	b->len += n;
	b->data[b->len] = '\0';
	return n;
}

bool graphql_issue_token(const char *url, const char *user_token, const char *body,
			 const char *cafile, long timeout_s, struct graphql_token_result *out)
{
	memset(out, 0, sizeof(*out));
	CURL *curl = curl_easy_init();
	if (!curl) {
		out->error = xstrdup("cannot initialise libcurl");
		return false;
	}
	size_t auth_len = strlen(user_token) + 32;
	char *auth = xmalloc(auth_len);
	snprintf(auth, auth_len, "Authorization: Bearer %s", user_token);
	struct curl_slist *headers = curl_slist_append(NULL, "Content-Type: application/json");
	headers = curl_slist_append(headers, auth);
	struct body answer = { NULL, 0 };
	char curl_err[CURL_ERROR_SIZE] = "";
	curl_easy_setopt(curl, CURLOPT_URL, url);
	curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(curl, CURLOPT_WRITEDATA, &answer);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT, timeout_s);
	curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, curl_err);
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
	if (cafile)
		curl_easy_setopt(curl, CURLOPT_CAINFO, cafile);
	CURLcode rc = curl_easy_perform(curl);
	long status = 0;
	curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
	bool ok = false;
	if (rc != CURLE_OK) {
		char msg[512];
		snprintf(msg, sizeof(msg), "%s: %s", url, curl_err[0] ? curl_err : curl_easy_strerror(rc));
		out->error = xstrdup(msg);
	} else if (answer.data && (status == 200 || status == 400 || status == 401 || status == 403)) {
		/* GraphQL servers explain refusals in the body, whatever the status. */
		ok = graphql_parse_token_answer(answer.data, answer.len, out);
		if (!ok && status != 200 && !strstr(out->error, "HTTP")) {
			char msg[512];
			snprintf(msg, sizeof(msg), "HTTP %ld: %s", status, out->error);
			free(out->error);
			out->error = xstrdup(msg);
		}
	} else {
		char msg[128];
		snprintf(msg, sizeof(msg), "the GraphQL endpoint answered HTTP %ld", status);
		out->error = xstrdup(msg);
	}
	/* The header held the secret: wipe it before freeing. */
	memset(auth, 0, auth_len);
	free(auth);
	curl_slist_free_all(headers);
	free(answer.data);
	curl_easy_cleanup(curl);
	return ok;
}
