/* graphql — the two token mutations of DRIVR's GraphQL API, and the
 * characteristic catalogue query (componentModels), on a loopback
 * HTTP endpoint (libmicrohttpd, driven from the main loop through its epoll
 * fd: no extra thread touches the world).
 *
 *   POST /graphql   Authorization: Bearer <user token>
 *   {"query": "mutation { createLocalApiToken(systemUuid: \"…\",
 *              requestedDevice: \"smart-bulb\", duration: \"1D\") { jwt uuid } }",
 *    "variables": {...}}
 *
 * Not a GraphQL engine: the mutation is recognised by name, its arguments
 * are read from the argument list (literals or $variables), the selection
 * picks jwt and/or uuid.  A query naming componentModels is answered with
 * the catalogue of the models whose uuids come in the request's list
 * variable (all models without one), in the console's INFERRED shape
 * (catalogue_graphql_model); the selection is not read.  Errors come back GraphQL-style, {"errors":
 * [{"message": ...}]} (HTTP 200), or with 401/404/405/413 for HTTP-level
 * refusals. */
#include <arpa/inet.h>
#include <cJSON.h>
#include <ctype.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "sim.h"
#include "util.h"

#define BODY_MAX (64 * 1024)

struct graphql_server {
	struct sim *sim;
	struct MHD_Daemon *daemon;
	int fd;
};

struct request_body {
	char *data;
	size_t len;
	bool too_big;
};

static enum MHD_Result send_json(struct MHD_Connection *conn, unsigned status, cJSON *doc)
{
	char *text = cJSON_PrintUnformatted(doc);
	cJSON_Delete(doc);
	struct MHD_Response *resp = MHD_create_response_from_buffer(
		text ? strlen(text) : 0, text ? text : (char *)"", MHD_RESPMEM_MUST_COPY);
	cJSON_free(text);
	if (!resp)
		return MHD_NO;
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
	enum MHD_Result r = MHD_queue_response(conn, status, resp);
	MHD_destroy_response(resp);
	return r;
}

static cJSON *error_doc(const char *message)
{
	cJSON *doc = cJSON_CreateObject();
	cJSON *errors = cJSON_AddArrayToObject(doc, "errors");
	cJSON *e = cJSON_CreateObject();
	cJSON_AddStringToObject(e, "message", message);
	cJSON_AddItemToArray(errors, e);
	cJSON_AddNullToObject(doc, "data");
	return doc;
}

/* ---- the argument list ------------------------------------------------- */

struct args {
	char system_uuid[128], device[128], duration[128];
	bool has_duration;
};

static const char *skip_space(const char *p)
{
	while (*p && (isspace((unsigned char)*p) || *p == ','))
		p++;
	return p;
}

static size_t name_len(const char *p)
{
	size_t n = 0;
	while (isalnum((unsigned char)p[n]) || p[n] == '_')
		n++;
	return n;
}

/* A value: "string", $variable or a bare word (number, enum). */
static const char *read_value(const char *p, const cJSON *vars, char *out, size_t size,
			      char *err, size_t err_size)
{
	size_t o = 0;
	if (*p == '"') {
		for (p++; *p && *p != '"'; p++) {
			char c = *p;
			if (c == '\\' && p[1]) {
				c = *++p;
				c = c == 'n' ? '\n' : c == 't' ? '\t' : c;
			}
			if (o + 1 < size)
				out[o++] = c;
		}
		if (*p != '"') {
			snprintf(err, err_size, "unterminated string in the arguments");
			return NULL;
		}
		out[o] = '\0';
		return p + 1;
	}
	if (*p == '$') {
		size_t n = name_len(p + 1);
		char var[64];
		snprintf(var, sizeof(var), "%.*s", (int)(n < 63 ? n : 63), p + 1);
		const cJSON *v = cJSON_IsObject(vars) ? cJSON_GetObjectItemCaseSensitive(vars, var)
						       : NULL;
		if (cJSON_IsString(v))
			snprintf(out, size, "%s", v->valuestring);
		else if (cJSON_IsNumber(v))
			snprintf(out, size, "%.0f", v->valuedouble);
		else {
			snprintf(err, err_size, "variable $%s is not given (or not a string)", var);
			return NULL;
		}
		return p + 1 + n;
	}
	size_t n = 0;
	while (p[n] && (isalnum((unsigned char)p[n]) || strchr("_.-+", p[n])))
		n++;
	if (!n) {
		snprintf(err, err_size, "cannot read an argument value near \"%.10s\"", p);
		return NULL;
	}
	snprintf(out, size, "%.*s", (int)n, p);
	return p + n;
}

/* Reads "(name: value, ...)" at p; returns the position after ')' or NULL. */
static const char *read_args(const char *p, const cJSON *vars, struct args *args, char *err,
			     size_t err_size)
{
	p = skip_space(p);
	if (*p != '(')
		return p; /* no arguments: required ones are reported later */
	p = skip_space(p + 1);
	while (*p && *p != ')') {
		size_t n = name_len(p);
		if (!n) {
			snprintf(err, err_size, "cannot read an argument name near \"%.10s\"", p);
			return NULL;
		}
		char name[64], value[128];
		snprintf(name, sizeof(name), "%.*s", (int)(n < 63 ? n : 63), p);
		p = skip_space(p + n);
		if (*p != ':') {
			snprintf(err, err_size, "expected ':' after argument %s", name);
			return NULL;
		}
		p = read_value(skip_space(p + 1), vars, value, sizeof(value), err, err_size);
		if (!p)
			return NULL;
		if (strcmp(name, "systemUuid") == 0)
			snprintf(args->system_uuid, sizeof(args->system_uuid), "%s", value);
		else if (strcmp(name, "requestedDevice") == 0)
			snprintf(args->device, sizeof(args->device), "%s", value);
		else if (strcmp(name, "duration") == 0) {
			snprintf(args->duration, sizeof(args->duration), "%s", value);
			args->has_duration = true;
		} else {
			snprintf(err, err_size, "unknown argument \"%s\"", name);
			return NULL;
		}
		p = skip_space(p);
	}
	if (*p != ')') {
		snprintf(err, err_size, "unterminated argument list");
		return NULL;
	}
	return p + 1;
}

/* Which of jwt / uuid the selection set asks for (none given: both). */
static void read_selection(const char *p, bool *jwt, bool *uuid)
{
	p = skip_space(p);
	*jwt = *uuid = true;
	if (*p != '{')
		return;
	*jwt = *uuid = false;
	for (p++; *p && *p != '}';) {
		size_t n = name_len(p);
		if (n == 3 && strncmp(p, "jwt", 3) == 0)
			*jwt = true;
		else if (n == 4 && strncmp(p, "uuid", 4) == 0)
			*uuid = true;
		p += n ? n : 1;
	}
}

/* The model uuids of the request: its first list variable of strings;
 * NULL (every model) when it has none. */
static const cJSON *uuid_list(const cJSON *vars)
{
	for (const cJSON *v = cJSON_IsObject(vars) ? vars->child : NULL; v; v = v->next) {
		if (!cJSON_IsArray(v))
			continue;
		bool strings = true;
		for (const cJSON *e = v->child; e && strings; e = e->next)
			strings = cJSON_IsString(e);
		if (strings)
			return v;
	}
	return NULL;
}

static bool listed(const cJSON *list, const char *uuid)
{
	if (!list)
		return true;
	for (const cJSON *e = list->child; e; e = e->next)
		if (strcmp(e->valuestring, uuid) == 0)
			return true;
	return false;
}

static cJSON *catalogue_answer(struct sim *sim, const cJSON *vars)
{
	const cJSON *list = uuid_list(vars);
	cJSON *doc = cJSON_CreateObject();
	cJSON *items = cJSON_AddArrayToObject(
		cJSON_AddObjectToObject(cJSON_AddObjectToObject(doc, "data"), "componentModels"),
		"items");
	size_t n = 0;
	for (size_t i = 0; i < catalogue_model_count(); i++) {
		if (!listed(list, sim->world->model_uuid[i]))
			continue;
		cJSON_AddItemToArray(items, catalogue_graphql_model(catalogue_model(i),
								    sim->world->model_uuid[i]));
		n++;
	}
	if (sim->opt.verbose)
		fprintf(stderr, "drivr-sim: graphql: componentModels: the catalogue of %zu model%s\n",
			n, n == 1 ? "" : "s");
	return doc;
}

static cJSON *execute(struct sim *sim, const char *query, const cJSON *vars)
{
	if (strstr(query, "componentModels"))
		return catalogue_answer(sim, vars);
	static const char *const fields[] = { "createPermanentLocalApiToken",
					      "createLocalApiToken" };
	const char *at = NULL, *field = NULL;
	for (size_t i = 0; i < ARRAY_LEN(fields) && !at; i++)
		if ((at = strstr(query, fields[i])))
			field = fields[i];
	if (!at)
		return error_doc("drivr-sim serves only the mutations createLocalApiToken and "
				 "createPermanentLocalApiToken, and the query componentModels");
	bool permanent = field == fields[0];
	struct args args;
	memset(&args, 0, sizeof(args));
	char err[256];
	const char *p = read_args(at + strlen(field), vars, &args, err, sizeof(err));
	if (!p)
		return error_doc(err);
	size_t si;
	if (!args.system_uuid[0])
		return error_doc("argument systemUuid is required");
	if (!world_find_system(sim->world, args.system_uuid, &si)) {
		snprintf(err, sizeof(err), "unknown system %s", args.system_uuid);
		return error_doc(err);
	}
	if (!args.device[0])
		return error_doc("argument requestedDevice is required");
	double duration = 0;
	if (!permanent) {
		duration = tokens_parse_duration(args.has_duration ? args.duration : "1D");
		if (duration <= 0) {
			snprintf(err, sizeof(err),
				 "invalid duration \"%s\" (use e.g. 1D, 12H, 30M or PT1H)",
				 args.duration);
			return error_doc(err);
		}
	} else if (args.has_duration) {
		return error_doc("createPermanentLocalApiToken takes no duration");
	}
	const struct sim_token *t =
		tokens_issue(sim, si, args.device, duration, permanent, true, err, sizeof(err));
	if (!t)
		return error_doc(err);
	bool want_jwt, want_uuid;
	read_selection(p, &want_jwt, &want_uuid);
	cJSON *doc = cJSON_CreateObject();
	cJSON *data = cJSON_AddObjectToObject(doc, "data");
	cJSON *result = cJSON_AddObjectToObject(data, field);
	if (want_jwt)
		cJSON_AddStringToObject(result, "jwt", t->token);
	if (want_uuid)
		cJSON_AddStringToObject(result, "uuid", t->uuid);
	if (sim->opt.verbose)
		fprintf(stderr, "drivr-sim: graphql: %s for system %s, device %s: token %s\n", field,
			args.system_uuid, args.device, t->uuid);
	return doc;
}

/* Compares without an early exit, so the time taken says nothing about how
 * much of the token matched. */
static bool secret_equal(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	unsigned char diff = la != lb;
	for (size_t i = 0; i < la; i++)
		diff |= (unsigned char)(a[i] ^ b[i % (lb ? lb : 1)]);
	return diff == 0;
}

static bool authorized(const struct sim *sim, struct MHD_Connection *conn)
{
	const char *h = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
						    MHD_HTTP_HEADER_AUTHORIZATION);
	if (!h || !sim->user_token || !sim->user_token[0] || strncmp(h, "Bearer ", 7) != 0)
		return false;
	return secret_equal(h + 7, sim->user_token);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
				  const char *method, const char *version, const char *upload,
				  size_t *upload_size, void **con_cls)
{
	struct graphql_server *g = cls;
	struct request_body *body = *con_cls;
	(void)version;
	if (!body) { /* headers only so far */
		*con_cls = xcalloc(1, sizeof(*body));
		return MHD_YES;
	}
	if (*upload_size) {
		if (body->len + *upload_size > BODY_MAX) {
			body->too_big = true;
		} else {
			body->data = xrealloc(body->data, body->len + *upload_size + 1);
			memcpy(body->data + body->len, upload, *upload_size);
			body->len += *upload_size;
			body->data[body->len] = '\0';
		}
		*upload_size = 0;
		return MHD_YES;
	}
	if (strcmp(url, "/graphql") != 0)
		return send_json(conn, MHD_HTTP_NOT_FOUND, error_doc("not found: POST /graphql"));
	if (strcmp(method, "POST") != 0)
		return send_json(conn, MHD_HTTP_METHOD_NOT_ALLOWED, error_doc("use POST"));
	if (body->too_big)
		return send_json(conn, 413 /* content too large */, error_doc("request too large"));
	if (!authorized(g->sim, conn))
		return send_json(conn, MHD_HTTP_UNAUTHORIZED,
				 error_doc("missing or invalid Authorization: Bearer <user API token>"));
	cJSON *req = body->data ? cJSON_ParseWithLength(body->data, body->len) : NULL;
	const cJSON *query = cJSON_GetObjectItemCaseSensitive(req, "query");
	unsigned status = MHD_HTTP_OK; /* GraphQL errors travel in a 200 */
	cJSON *doc;
	if (!cJSON_IsObject(req)) {
		doc = error_doc("the body must be a JSON object {\"query\": ..., \"variables\": ...}");
		status = MHD_HTTP_BAD_REQUEST;
	} else if (!cJSON_IsString(query)) {
		doc = error_doc("\"query\" (a string) is required");
		status = MHD_HTTP_BAD_REQUEST;
	} else {
		doc = execute(g->sim, query->valuestring,
			      cJSON_GetObjectItemCaseSensitive(req, "variables"));
	}
	cJSON_Delete(req);
	return send_json(conn, status, doc);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	struct request_body *body = *con_cls;
	(void)cls;
	(void)conn;
	(void)toe;
	if (body) {
		free(body->data);
		free(body);
		*con_cls = NULL;
	}
}

struct graphql_server *graphql_server_start(struct sim *sim, int port, char *err, size_t size)
{
	struct graphql_server *g = xcalloc(1, sizeof(*g));
	g->sim = sim;
	struct sockaddr_in sa;
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK); /* loopback only, never 0.0.0.0 */
	g->daemon = MHD_start_daemon(MHD_USE_EPOLL, (uint16_t)port, NULL, NULL, on_request, g,
				     MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
				     MHD_OPTION_NOTIFY_COMPLETED, on_completed, g,
				     MHD_OPTION_CONNECTION_LIMIT, (unsigned)64,
				     MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)10,
				     MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(256 * 1024),
				     MHD_OPTION_END);
	if (!g->daemon) {
		snprintf(err, size, "cannot serve GraphQL on 127.0.0.1:%d (port in use?)", port);
		free(g);
		return NULL;
	}
	const union MHD_DaemonInfo *info = MHD_get_daemon_info(g->daemon, MHD_DAEMON_INFO_EPOLL_FD);
	g->fd = info ? info->epoll_fd : -1;
	return g;
}

void graphql_server_stop(struct graphql_server *g)
{
	if (!g)
		return;
	MHD_stop_daemon(g->daemon);
	free(g);
}

int graphql_server_fd(const struct graphql_server *g)
{
	return g->fd;
}

void graphql_server_run(struct graphql_server *g)
{
	MHD_run(g->daemon);
}

double graphql_server_timeout(const struct graphql_server *g)
{
	MHD_UNSIGNED_LONG_LONG ms;
	if (MHD_get_timeout(g->daemon, &ms) == MHD_YES)
		return (double)ms / 1000.0;
	return 1.0;
}
