/* replay — see include/ui/replay.h. */
#include "ui/replay.h"

#include <cJSON.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/* One object → one message; false when it is not a message (event lines). */
static bool replay_one(struct ingest *ingest, const cJSON *o, double default_time)
{
	const cJSON *topic = cJSON_GetObjectItemCaseSensitive(o, "topic");
	if (!cJSON_IsString(topic))
		return false;
	const cJSON *payload = cJSON_GetObjectItemCaseSensitive(o, "payload");
	const cJSON *text = cJSON_GetObjectItemCaseSensitive(o, "payload_text");
	if (!payload)
		payload = cJSON_GetObjectItemCaseSensitive(o, "decoded");
	const cJSON *retained = cJSON_GetObjectItemCaseSensitive(o, "retained");
	const cJSON *when = cJSON_GetObjectItemCaseSensitive(o, "time");
	char *body = NULL;
	if (cJSON_IsString(text))
		body = xstrdup(text->valuestring);
	else if (payload)
		body = cJSON_PrintUnformatted(payload);
	else
		body = xstrdup("");
	struct message_meta meta;
	memset(&meta, 0, sizeof(meta));
	meta.topic = topic->valuestring;
	meta.topic_len = strlen(topic->valuestring);
	meta.payload = body ? body : "";
	meta.payload_len = body ? strlen(body) : 0;
	meta.retained = cJSON_IsTrue(retained);
	double t = cJSON_IsString(when) ? time_parse_iso8601(when->valuestring) : TIME_UNKNOWN;
	meta.received_at = t != TIME_UNKNOWN ? t : default_time;
	ingest_message(ingest, &meta);
	if (cJSON_IsString(text))
		free(body);
	else
		cJSON_free(body);
	return true;
}

static void feed(struct ingest *ingest, const cJSON *item, double default_time, long *count)
{
	if (cJSON_IsArray(item)) {
		for (const cJSON *c = item->child; c; c = c->next)
			feed(ingest, c, default_time, count);
	} else if (cJSON_IsObject(item) && replay_one(ingest, item, default_time)) {
		(*count)++;
	}
}

long replay_file(struct ingest *ingest, const char *path, double default_time, char *err,
		 size_t err_size)
{
	size_t len;
	/* Whole, within a limit: one JSON document spans the file, or NDJSON
	 * lines parsed one at a time (a line's tree is freed before the next). */
	char *text = util_read_file(path, LIMIT_REPLAY_FILE, "--replay", &len, err, err_size);
	if (!text)
		return -1;
	long count = 0;
	const char *p = text, *end = text + len;
	while (p < end) {
		while (p < end && isspace((unsigned char)*p))
			p++;
		if (p >= end)
			break;
		const char *stop = NULL;
		cJSON *item = cJSON_ParseWithLengthOpts(p, (size_t)(end - p), &stop, false);
		if (!item) {
			const char *at = cJSON_GetErrorPtr();
			snprintf(err, err_size, "--replay %s: JSON error at byte %ld", path,
				 (long)((at ? at : p) - text));
			free(text);
			return -1;
		}
		feed(ingest, item, default_time, &count);
		cJSON_Delete(item);
		p = stop;
	}
	free(text);
	return count;
}
