/* graphql — the HTTPS calls the console makes: DRIVR issues Local API
 * Tokens only through its GraphQL API (createLocalApiToken /
 * createPermanentLocalApiToken), and serves the characteristic catalogue
 * only there (catalogue_query builds that query and reads its answer).  libcurl, bearer authentication with a user
 * API token read from a file or the environment — never from the command
 * line, never logged. */
#ifndef DRIVR_GRAPHQL_H
#define DRIVR_GRAPHQL_H

#include <stdbool.h>
#include <stddef.h>

/* Reads the user API token from `file` (secret_read_line: the first line,
 * an empty one refused) or, when file is NULL, the environment variable
 * DRIVR_USER_TOKEN.  New string, freed with secret_free(), or NULL with a
 * reason in err. */
char *graphql_read_user_token(const char *file, char *err, size_t err_size);

struct graphql_token_result {
	char *jwt;   /* "CLOUD-..." ; owned, a secret: wiped by graphql_token_result_free */
	char *uuid;  /* owned */
	char *error; /* owned: transport, HTTP or GraphQL error */
};

/* POSTs body (the GraphQL request JSON) to url with the bearer token and
 * reads {"data": {"<mutation>": {"jwt", "uuid"}}} or {"errors": [...]}.
 * cafile (optional) verifies an https:// endpoint.  Blocking, bounded by
 * timeout_s.  Returns true when jwt and uuid came back. */
bool graphql_issue_token(const char *url, const char *user_token, const char *body,
			 const char *cafile, long timeout_s, struct graphql_token_result *out);
void graphql_token_result_free(struct graphql_token_result *r);

/* POSTs body (a GraphQL request) to url with the bearer token; the answer
 * of a 200/400/401/403 (GraphQL explains refusals in the body) as a new
 * string of *len bytes (free()), its HTTP status in *status.  NULL with the
 * transport's reason in *error (owned) — the endpoint unreachable, another
 * status, an answer over max bytes.  Blocking, bounded by timeout_s. */
char *graphql_query(const char *url, const char *user_token, const char *body, const char *cafile,
		    long timeout_s, size_t max, size_t *len, long *status, char **error);

/* The endpoint: url when given, else https://<slug>.api.drivr.cloud/graphql. */
void graphql_endpoint(const char *url, const char *slug, char *buf, size_t size);

/* Whether graphql_save_jwt(path, ..., exclusive) can work, checked before a
 * token is issued: the directory takes a new file (one is created and
 * removed), and an existing path is a regular file of ours with one link —
 * never a symbolic link, a hard-linked file or a directory.  With exclusive
 * an existing path is refused.  False with a reason in err. */
bool graphql_check_jwt_path(const char *path, bool exclusive, char *err, size_t err_size);

/* Writes an issued JWT (a secret: shown once) to path, readable by its owner
 * only (0600): the checks above, then a new temporary file in the same
 * directory (O_EXCL) renamed onto path — an existing file is replaced, never
 * written into.  With exclusive, an existing file is refused.  False with a
 * reason in err; path is then untouched. */
bool graphql_save_jwt(const char *path, const char *jwt, bool exclusive, char *err,
		      size_t err_size);

/* A user token file group or others can access: true with the warning in
 * buf (as ssh says of keys; the token is used all the same, docs/actions.md). */
bool graphql_user_token_file_warning(const char *file, char *buf, size_t size);

/* Parses a GraphQL answer body (pure; used by graphql_issue_token). */
bool graphql_parse_token_answer(const char *body, size_t len, struct graphql_token_result *out);

#endif
