/* catalogue_session — see include/catalogue_session.h. */
#include "catalogue_session.h"

#include <curl/curl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalogue_query.h"
#include "graphql.h"
#include "secret.h"
#include "util.h"

/* What the worker needs, copied: the main thread touches none of it until
 * done is set. */
struct catalogue_job {
	pthread_t thread;
	char *url, *token_file, *cafile, *body;
	struct catalogue_query query;
	/* written by the worker only */
	struct catalogue_answer answer;
	char error[512];
	bool ok;
	atomic_bool done;
};

static struct {
	enum catalogue_state state;
	char *graphql_url, *token_file, *cafile, *query_file;
	struct catalogue_job *job; /* LOADING */
	struct catalogue_answer answer; /* READY */
	unsigned queries;
	bool curl_ready;
	char status[640];
	char off[720]; /* catalogue_session_off_reason's */
} session;

void catalogue_session_configure(const struct config *config)
{
	if (session.state != CATALOGUE_UNCONFIGURED)
		return;
	const char *env = getenv("DRIVR_USER_TOKEN");
	bool token = config->user_token_file || (env && *env);
	session.state = token ? CATALOGUE_IDLE : CATALOGUE_NO_TOKEN;
	session.graphql_url = config->graphql_url ? xstrdup(config->graphql_url) : NULL;
	session.token_file = config->user_token_file ? xstrdup(config->user_token_file) : NULL;
	session.cafile = config->cafile ? xstrdup(config->cafile) : NULL;
	session.query_file = config->catalogue_query ? xstrdup(config->catalogue_query) : NULL;
}

static void *worker(void *arg)
{
	struct catalogue_job *job = arg;
	char *user = graphql_read_user_token(job->token_file, job->error, sizeof(job->error));
	if (user) {
		size_t len = 0;
		long status = 0;
		char *error = NULL;
		char *body = graphql_query(job->url, user, job->body, job->cafile,
					   CATALOGUE_CALL_TIMEOUT_S, CATALOGUE_ANSWER_MAX, &len, &status,
					   &error);
		secret_free(user);
		if (body) {
			job->ok = catalogue_answer_parse(&job->query, body, len, &job->answer, job->error,
							 sizeof(job->error));
			if (!job->ok && status != 200) {
				char reason[400];
				snprintf(reason, sizeof(reason), "%.399s", job->error);
				snprintf(job->error, sizeof(job->error), "HTTP %ld: %s", status, reason);
			}
			free(body);
		} else {
			snprintf(job->error, sizeof(job->error), "%s", error ? error : "no answer");
			free(error);
		}
	}
	atomic_store(&job->done, true);
	return NULL;
}

static void job_free(struct catalogue_job *job)
{
	free(job->url);
	free(job->token_file);
	free(job->cafile);
	free(job->body);
	catalogue_query_free(&job->query);
	catalogue_answer_free(&job->answer);
	free(job);
}

static void fail(const char *why)
{
	session.state = CATALOGUE_FAILED;
	snprintf(session.status, sizeof(session.status),
		 "the catalogue query failed: %s", why);
}

/* The uuids of the component models the store knows, retained or named by
 * a component (borrowed from the store). */
static const char **model_uuids(const struct store *store, size_t *count)
{
	size_t n = store_component_models_count(store);
	const char **uuids = xcalloc(n ? n : 1, sizeof(*uuids));
	*count = 0;
	for (size_t i = 0; i < n && *count < CATALOGUE_MODELS_MAX; i++) {
		const struct component_model *m = store_component_model_at(store, i);
		if (!m->meta.deleted && m->uuid && *m->uuid)
			uuids[(*count)++] = m->uuid;
	}
	return uuids;
}

bool catalogue_session_start(const struct store *store, const char *slug)
{
	if (session.state != CATALOGUE_IDLE)
		return false;
	size_t n;
	const char **uuids = model_uuids(store, &n);
	if (n == 0) {
		free(uuids);
		return false;
	}
	struct catalogue_job *job = xcalloc(1, sizeof(*job));
	char err[512];
	/* a query file that cannot be read is the session's failure, said
	 * where validation is (the one-shot actions refuse it before
	 * connecting) */
	if (!catalogue_query_load(&job->query, session.query_file, err, sizeof(err))) {
		free(uuids);
		job_free(job);
		fail(err);
		return false;
	}
	char url[512];
	graphql_endpoint(session.graphql_url, slug, url, sizeof(url));
	job->url = xstrdup(url);
	job->token_file = session.token_file ? xstrdup(session.token_file) : NULL;
	job->cafile = session.cafile ? xstrdup(session.cafile) : NULL;
	job->body = catalogue_query_body(&job->query, uuids, n);
	free(uuids);
	atomic_init(&job->done, false);
	/* curl_global_init is not thread-safe: here, on the main thread, before
	 * the worker's first easy handle */
	if (!session.curl_ready && curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		job_free(job);
		fail("cannot initialise libcurl");
		return false;
	}
	session.curl_ready = true;
	if (pthread_create(&job->thread, NULL, worker, job) != 0) {
		job_free(job);
		fail("cannot start a thread");
		return false;
	}
	session.job = job;
	session.queries++;
	session.state = CATALOGUE_LOADING;
	return true;
}

/* The job's end taken into the session (the thread joined). */
static void take(struct catalogue_job *job)
{
	pthread_join(job->thread, NULL);
	session.job = NULL;
	if (job->ok) {
		session.answer = job->answer;
		memset(&job->answer, 0, sizeof(job->answer));
		session.state = CATALOGUE_READY;
		snprintf(session.status, sizeof(session.status),
			 "catalogue over GraphQL: %zu model%s, %zu characteristic%s%s", session.answer.model_count,
			 session.answer.model_count == 1 ? "" : "s", session.answer.characteristic_count,
			 session.answer.characteristic_count == 1 ? "" : "s",
			 session.answer.unknown_types ? " (some of types not checked)" : "");
	} else {
		fail(job->error);
	}
	job_free(job);
}

bool catalogue_session_poll(void)
{
	if (session.state != CATALOGUE_LOADING || !atomic_load(&session.job->done))
		return false;
	take(session.job);
	return true;
}

enum catalogue_state catalogue_session_state(void)
{
	return session.state;
}

const char *catalogue_session_status(void)
{
	switch (session.state) {
	case CATALOGUE_UNCONFIGURED:
		return "no catalogue";
	case CATALOGUE_NO_TOKEN:
		return "no catalogue (no user API token)";
	case CATALOGUE_IDLE:
		return "the catalogue is not read yet (no component model known)";
	case CATALOGUE_LOADING:
		return "the catalogue is still loading";
	case CATALOGUE_READY:
	case CATALOGUE_FAILED:
		return session.status;
	}
	return "";
}

const char *catalogue_session_off_reason(void)
{
	snprintf(session.off, sizeof(session.off), "validation off: %s: the value is sent as typed",
		 catalogue_session_status());
	return session.off;
}

unsigned catalogue_session_queries(void)
{
	return session.queries;
}

enum catalogue_lookup catalogue_session_find(const char *model_uuid, const char *service,
					     const char *characteristic,
					     const struct payload_characteristic **out)
{
	*out = NULL;
	const struct catalogue_model *m = session.state == CATALOGUE_READY
						  ? catalogue_answer_model(&session.answer, model_uuid)
						  : NULL;
	if (!m)
		return CATALOGUE_NO_MODEL;
	*out = catalogue_find_characteristic(&m->catalogue, service, characteristic);
	return *out ? CATALOGUE_FOUND : CATALOGUE_NOT_IN_MODEL;
}

void catalogue_session_close(void)
{
	if (session.job)
		take(session.job); /* waits: the call is bounded by its time-out */
	catalogue_answer_free(&session.answer);
	free(session.graphql_url);
	free(session.token_file);
	free(session.cafile);
	free(session.query_file);
	if (session.curl_ready)
		curl_global_cleanup();
	memset(&session, 0, sizeof(session));
}
