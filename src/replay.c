/* replay — see include/replay.h. */
#include "replay.h"

#include <cJSON.h>
#include <ctype.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/* Arrays may nest (a fixture may group its messages); deeper is refused. */
#define REPLAY_MAX_DEPTH 16

struct replay {
	char *path;
	char *text; /* the whole file */
	size_t len, pos;
	cJSON *doc; /* the top-level value being walked, or NULL */
	const cJSON *stack[REPLAY_MAX_DEPTH]; /* the next item at each array level */
	int depth;
	char *body; /* the current message's payload (owned) */
	size_t body_len;
};

struct replay *replay_open(const char *path, char *err, size_t err_size)
{
	size_t len;
	/* Whole, within a limit: one JSON document spans the file, or NDJSON
	 * lines parsed one at a time (a line's tree is freed before the next). */
	char *text = util_read_file(path, LIMIT_REPLAY_FILE, "--replay", &len, err, err_size);
	if (!text)
		return NULL;
	struct replay *r = xcalloc(1, sizeof(*r));
	r->path = xstrdup(path);
	r->text = text;
	r->len = len;
	return r;
}

void replay_close(struct replay *r)
{
	if (!r)
		return;
	cJSON_Delete(r->doc);
	free(r->body);
	free(r->text);
	free(r->path);
	free(r);
}

static void set_body(struct replay *r, char *body, size_t len)
{
	free(r->body);
	r->body = body;
	r->body_len = len;
}

/* Standard base64 (padded) → bytes; false when it is not base64. */
static bool decode_base64(struct replay *r, const char *in)
{
	size_t n = strlen(in);
	if (n % 4)
		return false;
	unsigned char *out = xmalloc(n / 4 * 3 + 1);
	int got = n ? EVP_DecodeBlock(out, (const unsigned char *)in, (int)n) : 0;
	if (got < 0) {
		free(out);
		return false;
	}
	/* EVP_DecodeBlock counts the padding as zero bytes */
	for (size_t i = n; i > 0 && in[i - 1] == '='; i--)
		got--;
	set_body(r, (char *)out, (size_t)(got < 0 ? 0 : got));
	return got >= 0;
}

/* The payload of one message object into r->body; false for a payload
 * that cannot be what was received (reason in err). */
static bool take_payload(struct replay *r, const cJSON *o, char *err, size_t err_size)
{
	const cJSON *payload = cJSON_GetObjectItemCaseSensitive(o, "payload");
	const cJSON *encoding = cJSON_GetObjectItemCaseSensitive(o, "encoding");
	const cJSON *text = cJSON_GetObjectItemCaseSensitive(o, "payload_text");
	if (encoding) {
		/* a --log / --record line: the payload as received */
		if (!cJSON_IsString(encoding) || !cJSON_IsString(payload)) {
			snprintf(err, err_size, "\"encoding\" needs a string \"payload\"");
			return false;
		}
		if (strcmp(encoding->valuestring, "base64") == 0) {
			if (decode_base64(r, payload->valuestring))
				return true;
			snprintf(err, err_size, "\"payload\" is not base64");
			return false;
		}
		if (strcmp(encoding->valuestring, "utf-8") != 0) {
			snprintf(err, err_size, "unknown \"encoding\" (utf-8 or base64)");
			return false;
		}
		set_body(r, xstrdup(payload->valuestring), strlen(payload->valuestring));
		return true;
	}
	if (cJSON_IsString(text)) {
		set_body(r, xstrdup(text->valuestring), strlen(text->valuestring));
		return true;
	}
	if (!payload)
		payload = cJSON_GetObjectItemCaseSensitive(o, "decoded");
	char *json = payload ? cJSON_PrintUnformatted(payload) : NULL;
	char *body = json ? xstrdup(json) : xstrdup("");
	cJSON_free(json);
	set_body(r, body, strlen(body));
	return true;
}

/* The next object of the walk (depth-first through arrays), or NULL. */
static const cJSON *next_object(struct replay *r)
{
	while (r->depth > 0) {
		const cJSON *item = r->stack[r->depth - 1];
		if (!item) {
			r->depth--;
			continue;
		}
		r->stack[r->depth - 1] = item->next;
		if (cJSON_IsArray(item) && r->depth < REPLAY_MAX_DEPTH)
			r->stack[r->depth++] = item->child;
		else if (cJSON_IsObject(item))
			return item;
	}
	return NULL;
}

/* Parses the next top-level value; false at the end (or an error, err set). */
static bool next_doc(struct replay *r, char *err, size_t err_size, bool *failed)
{
	cJSON_Delete(r->doc);
	r->doc = NULL;
	while (r->pos < r->len && isspace((unsigned char)r->text[r->pos]))
		r->pos++;
	if (r->pos >= r->len)
		return false;
	const char *p = r->text + r->pos, *stop = NULL;
	r->doc = cJSON_ParseWithLengthOpts(p, r->len - r->pos, &stop, false);
	if (!r->doc) {
		const char *at = cJSON_GetErrorPtr();
		snprintf(err, err_size, "--replay %s: JSON error at byte %ld", r->path,
			 (long)((at ? at : p) - r->text));
		*failed = true;
		return false;
	}
	r->pos = (size_t)(stop - r->text);
	r->stack[0] = r->doc;
	r->depth = 1;
	return true;
}

int replay_next(struct replay *r, double default_time, struct message_meta *meta, char *err,
		size_t err_size)
{
	for (;;) {
		const cJSON *o = next_object(r);
		if (!o) {
			bool failed = false;
			if (!next_doc(r, err, err_size, &failed))
				return failed ? -1 : 0;
			continue;
		}
		const cJSON *topic = cJSON_GetObjectItemCaseSensitive(o, "topic");
		if (!cJSON_IsString(topic))
			continue; /* an event line */
		char why[120];
		if (!take_payload(r, o, why, sizeof(why))) {
			snprintf(err, err_size, "--replay %s: %s (the object before byte %zu)", r->path,
				 why, r->pos);
			return -1;
		}
		const cJSON *retained = cJSON_GetObjectItemCaseSensitive(o, "retained");
		const cJSON *when = cJSON_GetObjectItemCaseSensitive(o, "time");
		double t = cJSON_IsString(when) ? time_parse_iso8601(when->valuestring) : TIME_UNKNOWN;
		memset(meta, 0, sizeof(*meta));
		meta->topic = topic->valuestring;
		meta->topic_len = strlen(topic->valuestring);
		meta->payload = r->body;
		meta->payload_len = r->body_len;
		meta->retained = cJSON_IsTrue(retained);
		meta->received_at = t != TIME_UNKNOWN ? t : default_time;
		return 1;
	}
}

void replay_pace_init(struct replay_pace *p, double speed)
{
	p->speed = speed;
	p->first_recorded = -1;
	p->started = 0;
}

double replay_pace_wait(struct replay_pace *p, double recorded, double now_monotonic)
{
	if (p->speed <= 0)
		return 0;
	if (p->first_recorded < 0) {
		p->first_recorded = recorded;
		p->started = now_monotonic;
		return 0;
	}
	return p->started + (recorded - p->first_recorded) / p->speed - now_monotonic;
}
