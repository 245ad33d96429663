/* requests — see include/requests.h. */
#include "requests.h"

#include <cJSON.h>
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "streammap.h"
#include "util.h"

#define SEEN_TOKENS 128

struct requests {
	const struct topic_table *topics;
	char *slug;
	struct request_timeouts timeouts;
	struct request **items; /* oldest first; bounded by REQUESTS_MAX */
	size_t count, capacity;
	uint32_t next_id;
	uint64_t stamp;
	/* Token uuids seen in token lists lately: the list can arrive before
	 * the GraphQL answer that names the token (a ring, newest overwrite). */
	char *seen_tokens[SEEN_TOKENS];
	size_t seen_next;
	/* timeStreamUuid → series, from messages that named both */
	struct streammap *streams;
};

/* Finished requests beyond this many are forgotten, oldest first. */
#define REQUESTS_MAX 512

static const struct {
	const char *name;
	bool final;
} state_info[] = {
#define X(id, name, final) { name, final },
	REQUEST_STATE_LIST(X)
#undef X
};

const char *request_state_name(enum request_state state)
{
	return state < REQUEST_STATE_COUNT ? state_info[state].name : "?";
}

bool request_state_final(enum request_state state)
{
	return state < REQUEST_STATE_COUNT && state_info[state].final;
}

const char *request_state_label(const struct request *q)
{
	if (q->late) {
		switch (q->state) {
		case REQUEST_CONFIRMED:
			return "confirmed (late)";
		case REQUEST_REJECTED:
			return "rejected (late)";
		case REQUEST_ERROR:
			return "error (late)";
		default:
			break;
		}
	}
	return request_state_name(q->state);
}

const char *request_kind_name(enum request_kind kind)
{
	switch (kind) {
	case REQUEST_SETPOINT:
		return "set-setpoint";
	case REQUEST_EVENT_ACK:
		return "ack-event";
	case REQUEST_TOKEN:
		return "issue-token";
	case REQUEST_SYSTEM_UPDATE:
		return "update-system";
	case REQUEST_COMPONENT_CREATE:
		return "create-component";
	case REQUEST_COMPONENT_UPDATE:
		return "update-component";
	case REQUEST_DATAPOINT:
		return "publish-datapoint";
	case REQUEST_EVENT_RAISE:
		return "raise-event";
	case REQUEST_EVENT_RESOLVE:
		return "resolve-event";
	}
	return "?";
}

struct requests *requests_new(const struct topic_table *topics, const char *slug)
{
	struct requests *r = xcalloc(1, sizeof(*r));
	r->topics = topics;
	r->slug = xstrdup(slug);
	r->timeouts.delivery = 10;
	r->timeouts.platform = 20;
	r->timeouts.device = 60;
	r->timeouts.late = 300;
	r->next_id = 1;
	r->streams = streammap_new();
	return r;
}

static void request_free(struct request *q)
{
	free(q->topic);
	free(q->payload);
	free(q->summary);
	free(q->detail);
	free(q->error_code);
	free(q->receipt_id);
	free(q->target);
	free(q->system_uuid);
	free(q->component_code);
	free(q->service_code);
	free(q->characteristic_code);
	free(q->value.text);
	free(q->expect);
	free(q);
}

void requests_free(struct requests *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->count; i++)
		request_free(r->items[i]);
	free(r->items);
	for (size_t i = 0; i < SEEN_TOKENS; i++)
		free(r->seen_tokens[i]);
	streammap_free(r->streams);
	free(r->slug);
	free(r);
}

void requests_set_timeouts(struct requests *r, const struct request_timeouts *t)
{
	r->timeouts = *t;
}

void requests_set_slug(struct requests *r, const char *slug)
{
	free(r->slug);
	r->slug = xstrdup(slug ? slug : "");
}

static char *dup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

static void set_text(char **field, const char *text)
{
	free(*field);
	*field = dup_or_null(text);
}

static void set_state(struct requests *r, struct request *q, enum request_state state, struct request_time now)
{
	q->state = state;
	q->changed_at = now.wall;
	q->changed_mono = now.mono;
	switch (state) {
	case REQUEST_SENT:
		/* A token request is "sent" while its HTTP call runs: no PUBACK,
		 * the GraphQL answer (bounded by the call's own time-out) ends it. */
		q->deadline = now.mono + r->timeouts.delivery +
			      (q->kind == REQUEST_TOKEN ? r->timeouts.platform : 0);
		break;
	case REQUEST_DELIVERED:
		/* a datapoint waits only for an /error reply, its quiet time */
		q->deadline = now.mono + (q->kind == REQUEST_DATAPOINT ? q->quiet : r->timeouts.platform);
		break;
	case REQUEST_PENDING_DEVICE:
		q->deadline = now.mono + r->timeouts.device;
		break;
	default:
		q->deadline = 0; /* queued requests wait for the connection, not a clock */
		break;
	}
	r->stamp++;
}

/* Appends a request, forgetting the oldest finished one when full. */
static struct request *add(struct requests *r, enum request_kind kind, struct request_time now)
{
	if (r->count >= REQUESTS_MAX) {
		for (size_t i = 0; i < r->count; i++) {
			if (request_state_final(r->items[i]->state)) {
				request_free(r->items[i]);
				memmove(&r->items[i], &r->items[i + 1],
					(r->count - i - 1) * sizeof(*r->items));
				r->count--;
				break;
			}
		}
	}
	if (r->count == r->capacity) {
		r->capacity = r->capacity ? r->capacity * 2 : 16;
		r->items = xrealloc(r->items, r->capacity * sizeof(*r->items));
	}
	struct request *q = xcalloc(1, sizeof(*q));
	q->id = r->next_id++;
	q->kind = kind;
	q->created_at = q->changed_at = now.wall;
	q->changed_mono = now.mono;
	q->format = FORMAT_JSON;
	r->items[r->count++] = q;
	r->stamp++;
	return q;
}

/* ---- values ------------------------------------------------------------- */

static bool parse_number(const char *text, double *out)
{
	char *end;
	errno = 0;
	double v = strtod(text, &end);
	while (*end == ' ')
		end++;
	if (errno || end == text || *end || !isfinite(v))
		return false;
	*out = v;
	return true;
}

static bool check_limits(double v, const struct payload_characteristic *c, char *err, size_t size)
{
	if (!isnan(c->min) && v < c->min) {
		snprintf(err, size, "%g is below the minimum %g", v, c->min);
		return false;
	}
	if (!isnan(c->max) && v > c->max) {
		snprintf(err, size, "%g is above the maximum %g", v, c->max);
		return false;
	}
	if (!isnan(c->step) && c->step > 0) {
		double base = isnan(c->min) ? 0.0 : c->min;
		double steps = (v - base) / c->step;
		if (fabs(steps - nearbyint(steps)) > 1e-6) {
			snprintf(err, size, "%g is not a multiple of the step %g from %g", v, c->step,
				 base);
			return false;
		}
	}
	return true;
}

bool requests_parse_value(const char *text, const struct payload_characteristic *c,
			  struct value *out, cJSON **json_owned, char *err, size_t size)
{
	memset(out, 0, sizeof(*out));
	*json_owned = NULL;
	if (!text) {
		snprintf(err, size, "no value");
		return false;
	}
	enum payload_data_type type = c ? c->data_type : DATA_TYPE_COUNT;
	double v;
	switch (type) {
	case DATA_TYPE_FLOAT:
	case DATA_TYPE_INTEGER:
		if (!parse_number(text, &v)) {
			snprintf(err, size, "\"%s\" is not a number", text);
			return false;
		}
		if (type == DATA_TYPE_INTEGER && v != floor(v)) {
			snprintf(err, size, "%s is not an integer", text);
			return false;
		}
		if (!check_limits(v, c, err, size))
			return false;
		out->type = VALUE_NUMBER;
		out->number = v;
		out->is_integer = type == DATA_TYPE_INTEGER;
		return true;
	case DATA_TYPE_BOOLEAN:
		out->type = VALUE_BOOL;
		if (!strcasecmp(text, "true") || !strcasecmp(text, "on") || !strcmp(text, "1")) {
			out->boolean = true;
			return true;
		}
		if (!strcasecmp(text, "false") || !strcasecmp(text, "off") || !strcmp(text, "0"))
			return true;
		snprintf(err, size, "\"%s\" is not a boolean (true/false)", text);
		return false;
	case DATA_TYPE_SELECT:
		for (size_t i = 0; i < c->valid_value_count; i++) {
			if (strcmp(text, c->valid_values[i]) == 0) {
				out->type = VALUE_STRING;
				out->text = text;
				return true;
			}
		}
		{
			/* the options themselves: the operator sees what to type */
			int n = snprintf(err, size, "\"%s\" is not one of the options:", text);
			for (size_t i = 0; i < c->valid_value_count && n > 0 && (size_t)n < size; i++)
				n += snprintf(err + n, size - (size_t)n, "%s %s", i ? "," : "",
					      c->valid_values[i]);
		}
		return false;
	case DATA_TYPE_JSON:
		*json_owned = cJSON_Parse(text);
		if (!*json_owned) {
			snprintf(err, size, "not valid JSON");
			return false;
		}
		out->type = VALUE_JSON;
		out->json = *json_owned;
		return true;
	case DATA_TYPE_STRING:
		out->type = VALUE_STRING;
		out->text = text;
		return true;
	case DATA_TYPE_COUNT:
		/* Unknown characteristic or type: a number if it reads as one,
		 * within the boundaries the model still declares. */
		if (parse_number(text, &v)) {
			if (c && !check_limits(v, c, err, size))
				return false;
			out->type = VALUE_NUMBER;
			out->number = v;
			out->is_integer = v == floor(v) && fabs(v) < 9007199254740992.0;
		} else {
			out->type = VALUE_STRING;
			out->text = text;
		}
		return true;
	}
	return false;
}

bool requests_check_json_value(const cJSON *value, const struct payload_characteristic *c,
			       char *err, size_t size)
{
	if (!value || cJSON_IsNull(value))
		return util_fail(err, size, "no value");
	if (!c)
		return true;
	struct value parsed;
	cJSON *owned = NULL;
	char text[64];
	bool ok;
	switch (c->data_type) {
	case DATA_TYPE_FLOAT:
	case DATA_TYPE_INTEGER:
		if (!cJSON_IsNumber(value))
			return util_fail(err, size, "%s is %s: the value must be a number", c->code,
					 payload_data_type_name(c->data_type));
		snprintf(text, sizeof(text), "%.17g", value->valuedouble);
		ok = requests_parse_value(text, c, &parsed, &owned, err, size);
		break;
	case DATA_TYPE_BOOLEAN:
		if (!cJSON_IsBool(value))
			return util_fail(err, size, "%s is BOOLEAN: the value must be true or false",
					 c->code);
		return true;
	case DATA_TYPE_STRING:
		if (!cJSON_IsString(value))
			return util_fail(err, size, "%s is STRING: the value must be a string", c->code);
		return true;
	case DATA_TYPE_SELECT:
		if (cJSON_IsString(value))
			return requests_parse_value(value->valuestring, c, &parsed, &owned, err, size);
		if (!cJSON_IsArray(value) || !value->child)
			return util_fail(err, size, "%s is SELECT: the value must be an option or an "
						    "array of options", c->code);
		for (const cJSON *it = value->child; it; it = it->next)
			if (!cJSON_IsString(it) ||
			    !requests_parse_value(it->valuestring, c, &parsed, &owned, err, size))
				return cJSON_IsString(it) ? false
							  : util_fail(err, size, "%s is SELECT: "
								      "options are strings", c->code);
		return true;
	case DATA_TYPE_JSON:
		if (!cJSON_IsObject(value) && !cJSON_IsArray(value))
			return util_fail(err, size, "%s is JSON: the value must be an object or an array",
					 c->code);
		return true;
	default:
		ok = true;
		if (cJSON_IsNumber(value)) { /* the boundaries the model still declares */
			snprintf(text, sizeof(text), "%.17g", value->valuedouble);
			ok = requests_parse_value(text, c, &parsed, &owned, err, size);
		}
		break;
	}
	cJSON_Delete(owned);
	return ok;
}

static void stored_from_value(struct stored_value *dst, const struct value *v)
{
	memset(dst, 0, sizeof(*dst));
	dst->type = v->type;
	dst->number = v->number;
	dst->boolean = v->boolean;
	dst->is_integer = v->is_integer;
	if (v->type == VALUE_STRING && v->text)
		dst->text = xstrdup(v->text);
	else if (v->type == VALUE_JSON && v->json) {
		char *p = cJSON_PrintUnformatted(v->json);
		dst->text = xstrdup(p);
		cJSON_free(p);
	}
}

/* The only string of a one-element array of strings, else NULL: the
 * reference delivers a SELECT setpoint's value as an array of options. */
static const char *single_option(const struct value *v)
{
	if (v->type != VALUE_JSON || !cJSON_IsArray(v->json))
		return NULL;
	const cJSON *only = v->json->child;
	return only && !only->next && cJSON_IsString(only) ? only->valuestring : NULL;
}

/* Same value as one the platform reports?  Compared by type: numbers
 * numerically (with a tolerance for JSON round trips), booleans, text
 * exactly (a SELECT option also as a one-element array), JSON
 * structurally. */
static bool value_matches(const struct stored_value *want, const struct value *got)
{
	switch (want->type) {
	case VALUE_NUMBER:
		return got->type == VALUE_NUMBER &&
		       fabs(got->number - want->number) <= 1e-9 * fmax(1.0, fabs(want->number));
	case VALUE_BOOL:
		return got->type == VALUE_BOOL && got->boolean == want->boolean;
	case VALUE_STRING: {
		const char *text = got->type == VALUE_STRING ? got->text : single_option(got);
		return text && want->text && strcmp(text, want->text) == 0;
	}
	case VALUE_JSON: {
		if (got->type == VALUE_STRING) { /* we sent ["X"], it says "X" */
			cJSON *mine = cJSON_Parse(want->text);
			struct value as_value = { .type = VALUE_JSON, .json = mine };
			const char *option = single_option(&as_value);
			bool same = option && got->text && strcmp(option, got->text) == 0;
			cJSON_Delete(mine);
			return same;
		}
		if (got->type != VALUE_JSON || !got->json)
			return false;
		cJSON *mine = cJSON_Parse(want->text);
		bool same = mine && cJSON_Compare(mine, got->json, true);
		cJSON_Delete(mine);
		return same;
	}
	default:
		return false;
	}
}

/* ---- adding --------------------------------------------------------------- */

static bool build_topic(struct requests *r, enum topic_family family, const struct topic_ids *ids,
			enum payload_format format, char **out, char *err, size_t size)
{
	char buf[1024];
	int n = topic_build(r->topics, family, ids, format, buf, sizeof(buf));
	if (n < 0) {
		snprintf(err, size, "cannot build the %s topic (missing or invalid id)",
			 topic_family_name(family));
		return false;
	}
	*out = xstrdup(buf);
	return true;
}

static void set_payload(struct request *q, const cJSON *root)
{
	struct payload_buf buf = { NULL, 0, 0 };
	payload_serialize(root, q->format, &buf);
	q->payload = xmalloc(buf.len + 1);
	memcpy(q->payload, buf.data, buf.len);
	q->payload[buf.len] = '\0';
	q->payload_len = buf.len;
	payload_buf_free(&buf);
}

static bool missing(const char *what, const char *value, char *err, size_t size)
{
	if (value && *value)
		return false;
	snprintf(err, size, "missing %s", what);
	return true;
}

bool requests_check_uuid(const char *text, char *err, size_t size)
{
	static const char form[] = "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx";
	size_t i = 0;
	while (text && text[i] && i < sizeof(form) - 1 &&
	       (form[i] == '-' ? text[i] == '-' : isxdigit((unsigned char)text[i])))
		i++;
	if (text && i == sizeof(form) - 1 && !text[i])
		return true;
	return util_fail(err, size, "\"%.80s\" is not a UUID (8-4-4-4-12 hex digits)",
			 text ? text : "");
}

/* One "<digits><unit>" group of a duration; *p moves past it.  False when
 * there is no number or the unit is not one of units. */
static bool duration_group(const char **p, const char *units, double *seconds)
{
	static const struct {
		char unit;
		double factor;
	} factors[] = { { 'W', 604800 }, { 'D', 86400 }, { 'H', 3600 }, { 'M', 60 }, { 'S', 1 } };
	size_t digits = strspn(*p, "0123456789");
	char unit = (char)toupper((unsigned char)(*p)[digits]);
	if (digits == 0 || digits > 9 || !unit || !strchr(units, unit))
		return false;
	for (size_t i = 0; i < ARRAY_LEN(factors); i++)
		if (factors[i].unit == unit)
			*seconds += strtod(*p, NULL) * factors[i].factor;
	*p += digits + 1;
	return true;
}

bool requests_check_duration(const char *text, char *err, size_t size)
{
	const char *p = text ? text : "";
	double seconds = 0;
	bool ok;
	if (*p == 'P') {
		/* P[nW][nD][T[nH][nM][nS]]: at least one group, and one after a T */
		p++;
		size_t groups = 0;
		while (*p && *p != 'T' && duration_group(&p, "WD", &seconds))
			groups++;
		if (*p == 'T') {
			p++;
			size_t before = groups;
			while (*p && duration_group(&p, "HMS", &seconds))
				groups++;
			ok = groups > before;
		} else {
			ok = groups > 0;
		}
		ok = ok && !*p;
	} else {
		size_t digits = strspn(p, "0123456789");
		ok = digits > 0 && digits <= 9 &&
		     (!p[digits] || (!p[digits + 1] && strchr("SMHDWsmhdw", p[digits])));
		if (ok && p[digits])
			ok = duration_group(&p, "SMHDW", &seconds);
		else if (ok)
			seconds = strtod(p, NULL);
	}
	if (!ok)
		return util_fail(err, size,
				 "\"%.80s\" is not a duration (1D, 12H, 30M, 45S, 2W, seconds, or "
				 "ISO-8601 like P1DT2H)", text ? text : "");
	if (seconds <= 0)
		return util_fail(err, size, "\"%.80s\" is no lifetime: a token needs a positive "
					    "duration, or to be permanent", text);
	return true;
}

/* A setpoint draft checked and built: topic, payload and the parsed value
 * (whose JSON tree, if any, the caller frees with json_value). */
struct built_setpoint {
	char *topic, *payload;
	size_t payload_len;
	enum payload_format format;
	struct value value;
	cJSON *json_value;
};

static bool build_setpoint(struct requests *r, const struct setpoint_draft *d,
			   struct built_setpoint *b, char *err, size_t size)
{
	memset(b, 0, sizeof(*b));
	if (missing("system", d->system_uuid, err, size) ||
	    missing("component", d->component_code, err, size) ||
	    missing("service", d->service_code, err, size) ||
	    missing("characteristic", d->characteristic_code, err, size))
		return false;
	if (d->characteristic && d->characteristic->kind != CHARACTERISTIC_SETTING) {
		snprintf(err, size, "%s is a measurement, not a setting", d->characteristic_code);
		return false;
	}
	if (!requests_parse_value(d->value_text, d->characteristic, &b->value, &b->json_value, err,
				  size))
		return false;

	b->format = d->format == FORMAT_MSGPACK ? FORMAT_MSGPACK : FORMAT_JSON;
	struct topic_ids ids = { { 0 } };
	ids.v[TOPIC_ID_SLUG] = r->slug;
	ids.v[TOPIC_ID_SYSTEM_UUID] = d->system_uuid;
	if (!build_topic(r, TOPIC_SETPOINT_INPUT, &ids, b->format, &b->topic, err, size)) {
		cJSON_Delete(b->json_value);
		b->json_value = NULL;
		return false;
	}
	struct upd_setpoint_input in;
	memset(&in, 0, sizeof(in));
	in.addr.system_uuid = d->system_uuid;
	in.addr.component_code = d->component_code;
	in.addr.service_code = d->service_code;
	in.addr.characteristic_code = d->characteristic_code;
	in.addr.service_index = -1;
	in.value = b->value;
	cJSON *root = payload_build_setpoint_input(&in);
	struct payload_buf buf = { NULL, 0, 0 };
	payload_serialize(root, b->format, &buf);
	cJSON_Delete(root);
	b->payload = xmalloc(buf.len + 1);
	memcpy(b->payload, buf.data, buf.len);
	b->payload[buf.len] = '\0';
	b->payload_len = buf.len;
	payload_buf_free(&buf);
	return true;
}

bool requests_preview_setpoint(struct requests *r, const struct setpoint_draft *d, char **topic,
			       char **payload, size_t *payload_len, char *err, size_t size)
{
	struct built_setpoint b;
	if (!build_setpoint(r, d, &b, err, size))
		return false;
	cJSON_Delete(b.json_value);
	*topic = b.topic;
	*payload = b.payload;
	*payload_len = b.payload_len;
	return true;
}

struct request *requests_add_setpoint(struct requests *r, const struct setpoint_draft *d,
				      struct request_time now, char *err, size_t size)
{
	struct built_setpoint b;
	if (!build_setpoint(r, d, &b, err, size))
		return NULL;
	struct request *q = add(r, REQUEST_SETPOINT, now);
	q->topic = b.topic;
	q->format = b.format;
	q->payload = b.payload;
	q->payload_len = b.payload_len;
	struct value value = b.value;
	cJSON *json_value = b.json_value;
	q->system_uuid = xstrdup(d->system_uuid);
	q->component_code = xstrdup(d->component_code);
	q->service_code = xstrdup(d->service_code);
	q->characteristic_code = xstrdup(d->characteristic_code);
	q->data_type = d->characteristic ? d->characteristic->data_type : DATA_TYPE_COUNT;
	stored_from_value(&q->value, &value);
	char summary[512];
	snprintf(summary, sizeof(summary), "set %s/%s/%s = %s", d->component_code, d->service_code,
		 d->characteristic_code, d->value_text);
	q->summary = xstrdup(summary);
	cJSON_Delete(json_value);
	set_state(r, q, REQUEST_QUEUED, now);
	return q;
}

struct request *requests_add_event_ack(struct requests *r, const char *system_uuid,
				       const char *event_uuid, struct request_time now, char *err, size_t size)
{
	if (missing("event", event_uuid, err, size))
		return NULL;
	struct topic_ids ids = { { 0 } };
	ids.v[TOPIC_ID_SLUG] = r->slug;
	ids.v[TOPIC_ID_EVENT_UUID] = event_uuid;
	ids.v[TOPIC_ID_SYSTEM_UUID] = system_uuid;
	char *topic;
	if (!build_topic(r, TOPIC_EVENT_ACK, &ids, FORMAT_JSON, &topic, err, size))
		return NULL;
	struct request *q = add(r, REQUEST_EVENT_ACK, now);
	q->topic = topic;
	struct upd_event_ack ack = { event_uuid };
	cJSON *root = payload_build_event_ack(&ack);
	set_payload(q, root);
	cJSON_Delete(root);
	q->target = xstrdup(event_uuid);
	q->system_uuid = dup_or_null(system_uuid);
	char summary[256];
	snprintf(summary, sizeof(summary), "acknowledge event %.36s", event_uuid);
	q->summary = xstrdup(summary);
	set_state(r, q, REQUEST_QUEUED, now);
	return q;
}

struct request *requests_add_input(struct requests *r, const struct request_input *in,
				   struct request_time now, char *err, size_t size)
{
	if (missing("system", in->system_uuid, err, size) || !in->payload)
		return in->payload ? NULL : (util_fail(err, size, "no payload"), NULL);
	if (in->kind == REQUEST_DATAPOINT ? in->quiet <= 0 : !in->expect)
		return util_fail(err, size, "nothing to follow the request by"), NULL;
	struct topic_ids ids = in->ids;
	ids.v[TOPIC_ID_SLUG] = r->slug;
	enum payload_format format = in->format == FORMAT_MSGPACK ? FORMAT_MSGPACK : FORMAT_JSON;
	char *topic;
	if (!build_topic(r, in->family, &ids, format, &topic, err, size))
		return NULL;
	struct request *q = add(r, in->kind, now);
	q->topic = topic;
	q->format = format;
	set_payload(q, in->payload);
	q->system_uuid = xstrdup(in->system_uuid);
	q->component_code = dup_or_null(in->component_code);
	q->target = dup_or_null(in->target);
	q->expect = dup_or_null(in->expect);
	q->quiet = in->quiet;
	q->data_type = DATA_TYPE_COUNT;
	q->summary = xstrdup(in->summary ? in->summary : request_kind_name(in->kind));
	set_state(r, q, REQUEST_QUEUED, now);
	return q;
}

struct request *requests_add_token(struct requests *r, const struct token_draft *d, struct request_time now,
				   char *err, size_t size)
{
	if (missing("system", d->system_uuid, err, size) ||
	    missing("requested device", d->requested_device, err, size))
		return NULL;
	bool permanent = !d->duration || !*d->duration;
	cJSON *body = cJSON_CreateObject();
	cJSON_AddStringToObject(
		body, "query",
		permanent ? "mutation Issue($systemUuid: UUID!, $requestedDevice: String!) { "
			    "createPermanentLocalApiToken(systemUuid: $systemUuid, requestedDevice: "
			    "$requestedDevice) { jwt uuid } }"
			  : "mutation Issue($systemUuid: UUID!, $requestedDevice: String!, $duration: "
			    "String!) { createLocalApiToken(systemUuid: $systemUuid, requestedDevice: "
			    "$requestedDevice, duration: $duration) { jwt uuid } }");
	cJSON *vars = cJSON_AddObjectToObject(body, "variables");
	cJSON_AddStringToObject(vars, "systemUuid", d->system_uuid);
	cJSON_AddStringToObject(vars, "requestedDevice", d->requested_device);
	if (!permanent)
		cJSON_AddStringToObject(vars, "duration", d->duration);
	struct request *q = add(r, REQUEST_TOKEN, now);
	char *text = cJSON_PrintUnformatted(body);
	q->payload = xstrdup(text);
	q->payload_len = strlen(text);
	cJSON_free(text);
	cJSON_Delete(body);
	q->system_uuid = xstrdup(d->system_uuid);
	char summary[256];
	snprintf(summary, sizeof(summary), "issue %s token for %s", permanent ? "permanent" : d->duration,
		 d->requested_device);
	q->summary = xstrdup(summary);
	set_state(r, q, REQUEST_QUEUED, now);
	return q;
}

/* ---- transport feedback ------------------------------------------------- */

void requests_mark_sent(struct requests *r, struct request *q, int token, struct request_time now)
{
	q->token = token;
	q->sent_at = now.wall;
	set_state(r, q, REQUEST_SENT, now);
}

static struct request *find_by_token(struct requests *r, int token)
{
	for (size_t i = 0; i < r->count; i++)
		if (r->items[i]->state == REQUEST_SENT && r->items[i]->token == token)
			return r->items[i];
	return NULL;
}

void requests_on_delivered(struct requests *r, int token, struct request_time now)
{
	struct request *q = find_by_token(r, token);
	if (q)
		set_state(r, q, REQUEST_DELIVERED, now);
}

void requests_on_publish_failed(struct requests *r, int token, const char *reason, bool refused,
				struct request_time now)
{
	struct request *q = find_by_token(r, token);
	if (!q)
		return;
	q->refused = refused;
	set_text(&q->detail, reason ? reason : "publish failed");
	set_state(r, q, REQUEST_FAILED, now);
}

void requests_fail(struct requests *r, struct request *q, const char *reason, struct request_time now)
{
	if (request_state_final(q->state))
		return;
	set_text(&q->detail, reason ? reason : "publish refused");
	set_state(r, q, REQUEST_FAILED, now);
}

static bool token_seen(const struct requests *r, const char *uuid)
{
	for (size_t i = 0; i < SEEN_TOKENS; i++)
		if (r->seen_tokens[i] && strcmp(r->seen_tokens[i], uuid) == 0)
			return true;
	return false;
}

/* A timed-out request still listening for its answer (see requests.h). */
static bool listening_late(const struct requests *r, const struct request *q, struct request_time now)
{
	return q->state == REQUEST_TIMED_OUT && !q->late &&
	       now.mono - q->changed_mono <= r->timeouts.late;
}

/* Ends a request with its outcome; one that had timed out gets it late. */
static void finish(struct requests *r, struct request *q, enum request_state state, struct request_time now)
{
	if (q->state == REQUEST_TIMED_OUT)
		q->late = true;
	set_state(r, q, state, now);
}

void requests_token_response(struct requests *r, struct request *q, const char *token_uuid,
			     const char *error, struct request_time now)
{
	if (request_state_final(q->state)) {
		if (token_uuid)
			set_text(&q->target, token_uuid);
		r->stamp++;
		if (token_uuid && listening_late(r, q, now) && token_seen(r, token_uuid))
			finish(r, q, REQUEST_CONFIRMED, now);
		return;
	}
	if (error || !token_uuid) {
		set_text(&q->detail, error ? error : "no token in the answer");
		set_state(r, q, REQUEST_ERROR, now);
		return;
	}
	set_text(&q->target, token_uuid);
	if (q->sent_at == 0)
		q->sent_at = now.wall;
	/* Issued: confirmed once the token list shows it — which may already
	 * have happened (the platform publishes the list before it answers). */
	set_state(r, q, token_seen(r, token_uuid) ? REQUEST_CONFIRMED : REQUEST_DELIVERED, now);
}

/* ---- correlation ---------------------------------------------------------- */

static bool waiting(const struct request *q)
{
	return q->state == REQUEST_SENT || q->state == REQUEST_DELIVERED ||
	       q->state == REQUEST_PENDING_DEVICE;
}

static bool view_equals(struct strview v, const char *s)
{
	return s && v.ptr && sv_equal_cstr(v, s);
}

static bool eq(const char *a, const char *b)
{
	return a && b && strcmp(a, b) == 0;
}

/* A code the payload names (an extension beyond the reference) must be
 * ours; one it does not name says nothing. */
static bool code_agrees(const char *theirs, const char *ours)
{
	return !theirs || eq(theirs, ours);
}

/* Could this setpoint be the one the platform created for q?  Only what
 * the reference's Setpoint gives is required (see requests.h). */
static bool setpoint_fits(const struct requests *r, const struct request *q,
			  const struct topic_match *m, const struct upd_setpoint *u)
{
	const char *system = u->addr.system_uuid;
	if (system ? !eq(system, q->system_uuid)
		   : !view_equals(m->ids[TOPIC_ID_SYSTEM_UUID], q->system_uuid))
		return false;
	if (!value_matches(&q->value, &u->value))
		return false;
	/* The reference's type list has no SELECT (its values come as arrays
	 * of strings), so a SELECT request cannot check the type. */
	if (u->type && q->data_type != DATA_TYPE_COUNT && q->data_type != DATA_TYPE_SELECT &&
	    strcasecmp(u->type, payload_data_type_name(q->data_type)) != 0)
		return false;
	/* Created before we published: someone else's (with a little room for
	 * the two clocks).  A setpoint without a time cannot be checked. */
	if (u->time != TIME_UNKNOWN && u->time < q->sent_at - REQUESTS_CLOCK_SKEW_S)
		return false;
	const struct stream_name *name = streammap_find(r->streams, u->addr.time_stream_uuid);
	if (name && !(eq(name->system_uuid, q->system_uuid) &&
		      eq(name->component_code, q->component_code) &&
		      eq(name->service_code, q->service_code) &&
		      eq(name->characteristic_code, q->characteristic_code)))
		return false;
	return code_agrees(u->addr.component_code, q->component_code) &&
	       code_agrees(u->addr.service_code, q->service_code) &&
	       code_agrees(u->addr.characteristic_code, q->characteristic_code);
}

static struct request *receipt_owner(struct requests *r, const char *receipt)
{
	for (size_t i = 0; receipt && i < r->count; i++)
		if (r->items[i]->kind == REQUEST_SETPOINT && eq(r->items[i]->receipt_id, receipt))
			return r->items[i];
	return NULL;
}

/* The request a new setpoint belongs to, if any: waiting requests first,
 * then timed-out ones still listening.  Within each, the oldest — when two
 * of ours ask the same system for the same value, the platform's setpoints
 * cannot tell them apart, and the first one sent is the first one the
 * platform handles. */
static struct request *adopter(struct requests *r, const struct topic_match *m,
			       const struct upd_setpoint *u, struct request_time now)
{
	for (int late = 0; late <= 1; late++) {
		for (size_t i = 0; i < r->count; i++) {
			struct request *q = r->items[i];
			if (q->kind != REQUEST_SETPOINT || q->receipt_id || q->sent_at <= 0)
				continue;
			if (late ? !listening_late(r, q, now) : !waiting(q))
				continue;
			if (setpoint_fits(r, q, m, u))
				return q;
		}
	}
	return NULL;
}

static struct request *observe_setpoint(struct requests *r, const struct topic_match *m,
					const struct upd_setpoint *u, struct request_time now)
{
	char topic_system[TOPIC_ID_MAX + 1];
	streammap_learn(r->streams, &u->addr,
			m->ids[TOPIC_ID_SYSTEM_UUID].ptr
				? sv_copy(m->ids[TOPIC_ID_SYSTEM_UUID], topic_system, sizeof(topic_system))
				: NULL);
	const char *receipt = u->receipt_id ? u->receipt_id : u->uuid;
	/* A receipt one of ours adopted is that request's, and only its. */
	struct request *q = receipt_owner(r, receipt);
	bool adopted = false;
	if (!q) {
		q = adopter(r, m, u, now);
		if (!q)
			return NULL;
		if (receipt)
			q->receipt_id = xstrdup(receipt);
		adopted = true;
	}
	/* by its receipt: for as long as the request is kept; adopted late:
	 * adopter() checked the window */
	bool late = q->state == REQUEST_TIMED_OUT && !q->late;
	if (!waiting(q) && !late)
		return NULL; /* already ended: a repeat, or after a cancel */
	enum setpoint_state s = setpoint_state_parse(u->state ? u->state : "CREATED");
	if (s == SETPOINT_ACCEPTED) {
		set_text(&q->detail, u->message);
		finish(r, q, REQUEST_CONFIRMED, now);
	} else if (s == SETPOINT_REJECTED) {
		set_text(&q->detail, u->message ? u->message : "rejected by the device");
		finish(r, q, REQUEST_REJECTED, now);
	} else if (late) {
		/* Created after our time-out: it stays "timed out" until the
		 * device answers, but the receipt is noted. */
		if (!adopted)
			return NULL;
		r->stamp++;
	} else if (q->state != REQUEST_PENDING_DEVICE) {
		set_state(r, q, REQUEST_PENDING_DEVICE, now);
	} else {
		return NULL;
	}
	return q;
}

static struct request *observe_error(struct requests *r, const struct topic_match *m,
				     const struct upd_error_reply *e, struct request_time now)
{
	/* The oldest request on the topic the reply answers that the platform
	 * has not taken yet: one already CREATED passed its validation.  A
	 * waiting one first; else one that timed out before the platform took
	 * it, still listening. */
	for (int late = 0; late <= 1; late++) {
		for (size_t i = 0; i < r->count; i++) {
			struct request *q = r->items[i];
			if (!q->topic || !view_equals(m->answers_topic, q->topic))
				continue;
			if (late ? !listening_late(r, q, now) || q->receipt_id || q->sent_at <= 0
				 : q->state != REQUEST_SENT && q->state != REQUEST_DELIVERED)
				continue;
			set_text(&q->detail, e->message ? e->message : "error reply");
			set_text(&q->error_code, e->code);
			finish(r, q, REQUEST_ERROR, now);
			return q;
		}
	}
	return NULL;
}

static struct request *observe_event(struct requests *r, const struct upd_event *e,
				     const char *uuid, struct request_time now)
{
	if (e->acknowledged != 1)
		return NULL;
	for (size_t i = 0; i < r->count; i++) {
		struct request *q = r->items[i];
		if (q->kind == REQUEST_EVENT_ACK && (waiting(q) || listening_late(r, q, now)) &&
		    eq(q->target, uuid)) {
			finish(r, q, REQUEST_CONFIRMED, now);
			return q;
		}
	}
	return NULL;
}

/* ---- the platform inputs: the retained twin shows the change ---------------- */

/* Does the twin's member show what we sent?  Times as instants (the
 * platform may write them with other digits), everything else exactly. */
static bool member_shows(const cJSON *want, const cJSON *got)
{
	if (!got)
		return false;
	if (cJSON_IsString(want) && cJSON_IsString(got) &&
	    (strcmp(want->string, "time") == 0 || strcmp(want->string, "endTime") == 0)) {
		double a = time_parse_iso8601(want->valuestring);
		double b = time_parse_iso8601(got->valuestring);
		return a != TIME_UNKNOWN && b != TIME_UNKNOWN && fabs(a - b) < 0.0005;
	}
	return cJSON_Compare(want, got, true);
}

static bool twin_shows(const char *expect, const cJSON *root)
{
	cJSON *want = expect ? cJSON_Parse(expect) : NULL;
	bool shows = want && cJSON_IsObject(root);
	for (const cJSON *m = want ? want->child : NULL; shows && m; m = m->next)
		shows = member_shows(m, cJSON_GetObjectItemCaseSensitive(root, m->string));
	cJSON_Delete(want);
	return shows;
}

/* Changed after we published (a twin without the time cannot be checked). */
static bool fresh(double changed, const struct request *q)
{
	return changed == TIME_UNKNOWN || changed >= q->sent_at - REQUESTS_CLOCK_SKEW_S;
}

static bool event_held(const struct requests *r, const char *uuid)
{
	for (size_t i = 0; i < r->count; i++)
		if (r->items[i]->kind == REQUEST_EVENT_RAISE && eq(r->items[i]->target, uuid))
			return true;
	return false;
}

/* Is this twin message the change q asked for? */
static bool twin_fits(const struct requests *r, const struct request *q,
		      const struct topic_match *m, const struct decode_result *res, const char *event)
{
	switch (q->kind) {
	case REQUEST_SYSTEM_UPDATE:
		return m->family == TOPIC_SYSTEM &&
		       view_equals(m->ids[TOPIC_ID_SYSTEM_UUID], q->system_uuid) &&
		       fresh(res->u.system.updated_at, q);
	case REQUEST_COMPONENT_CREATE:
	case REQUEST_COMPONENT_UPDATE:
		return m->family == TOPIC_COMPONENT &&
		       view_equals(m->ids[TOPIC_ID_SYSTEM_UUID], q->system_uuid) &&
		       view_equals(m->ids[TOPIC_ID_COMPONENT_CODE], q->component_code) &&
		       fresh(res->u.component.updated_at, q);
	case REQUEST_EVENT_RAISE:
		return m->family == TOPIC_EVENT && event && !q->target && !event_held(r, event) &&
		       fresh(res->u.event.created_at, q);
	case REQUEST_EVENT_RESOLVE:
		return m->family == TOPIC_EVENT && eq(event, q->target) &&
		       fresh(res->u.event.updated_at, q);
	default:
		return false;
	}
}

static struct request *observe_twin(struct requests *r, const struct topic_match *m,
				    const struct decode_result *res, const char *event,
				    struct request_time now)
{
	for (int late = 0; late <= 1; late++) {
		for (size_t i = 0; i < r->count; i++) {
			struct request *q = r->items[i];
			if (!q->expect || q->sent_at <= 0)
				continue;
			if (late ? !listening_late(r, q, now)
				 : q->state != REQUEST_SENT && q->state != REQUEST_DELIVERED)
				continue;
			if (!twin_fits(r, q, m, res, event) || !twin_shows(q->expect, res->root))
				continue;
			if (q->kind == REQUEST_EVENT_RAISE)
				q->target = xstrdup(event);
			finish(r, q, REQUEST_CONFIRMED, now);
			return q;
		}
	}
	return NULL;
}

static void remember_token(struct requests *r, const char *uuid)
{
	for (size_t i = 0; i < SEEN_TOKENS; i++)
		if (r->seen_tokens[i] && strcmp(r->seen_tokens[i], uuid) == 0)
			return;
	free(r->seen_tokens[r->seen_next]);
	r->seen_tokens[r->seen_next] = xstrdup(uuid);
	r->seen_next = (r->seen_next + 1) % SEEN_TOKENS;
}

static struct request *observe_tokens(struct requests *r, const struct upd_tokens *t, struct request_time now)
{
	struct request *changed = NULL;
	for (size_t k = 0; k < t->count; k++)
		if (t->items[k].uuid)
			remember_token(r, t->items[k].uuid);
	for (size_t i = 0; i < r->count; i++) {
		struct request *q = r->items[i];
		if (q->kind != REQUEST_TOKEN || !q->target ||
		    (q->state != REQUEST_DELIVERED && !listening_late(r, q, now)))
			continue;
		for (size_t k = 0; k < t->count; k++) {
			if (eq(t->items[k].uuid, q->target)) {
				finish(r, q, REQUEST_CONFIRMED, now);
				changed = q;
				break;
			}
		}
	}
	return changed;
}

static void learn_streams(struct requests *r, const struct topic_match *m,
			  const struct upd_datapoints *d)
{
	char system[TOPIC_ID_MAX + 1];
	const char *topic_system = NULL;
	for (size_t i = 0; i < d->count; i++) {
		if (!d->items[i].addr.time_stream_uuid)
			continue; /* the common case: nothing to learn, no copy */
		if (!topic_system && m->ids[TOPIC_ID_SYSTEM_UUID].ptr)
			topic_system = sv_copy(m->ids[TOPIC_ID_SYSTEM_UUID], system, sizeof(system));
		streammap_learn(r->streams, &d->items[i].addr, topic_system);
	}
}

struct request *requests_observe(struct requests *r, const struct topic_match *m,
				 const struct decode_result *res, struct request_time now)
{
	if (!res->ok || res->deleted)
		return NULL;
	switch (m->family) {
	case TOPIC_DATAPOINT_INPUT:
		learn_streams(r, m, &res->u.datapoints);
		return NULL;
	case TOPIC_SETPOINT:
		return observe_setpoint(r, m, &res->u.setpoint, now);
	case TOPIC_ERROR_REPLY:
		return observe_error(r, m, &res->u.error_reply, now);
	case TOPIC_EVENT: {
		char uuid[TOPIC_ID_MAX + 1];
		const char *id = m->ids[TOPIC_ID_EVENT_UUID].ptr
					 ? sv_copy(m->ids[TOPIC_ID_EVENT_UUID], uuid, sizeof(uuid))
					 : res->u.event.uuid;
		struct request *q = id ? observe_event(r, &res->u.event, id, now) : NULL;
		return q ? q : id ? observe_twin(r, m, res, id, now) : NULL;
	}
	case TOPIC_SYSTEM:
	case TOPIC_COMPONENT:
		return observe_twin(r, m, res, NULL, now);
	case TOPIC_LOCAL_API_TOKENS:
		return observe_tokens(r, &res->u.tokens, now);
	default:
		return NULL;
	}
}

double requests_tick(struct requests *r, struct request_time now)
{
	double next = 0;
	for (size_t i = 0; i < r->count; i++) {
		struct request *q = r->items[i];
		if (!waiting(q) || q->deadline <= 0)
			continue;
		if (now.mono >= q->deadline && q->kind == REQUEST_DATAPOINT &&
		    q->state == REQUEST_DELIVERED) {
			/* the platform confirms no datapoint: say only what is known */
			char why[96];
			snprintf(why, sizeof(why), "no /error reply within %g s", q->quiet);
			set_text(&q->detail, why);
			set_state(r, q, REQUEST_NO_ERROR, now);
		} else if (now.mono >= q->deadline) {
			static const char *const what[] = {
				[REQUEST_SENT] = "no PUBACK from the broker",
				[REQUEST_DELIVERED] = "no answer from the platform",
				[REQUEST_PENDING_DEVICE] = "the device did not acknowledge",
			};
			const char *why = what[q->state];
			if (q->kind == REQUEST_TOKEN)
				why = q->state == REQUEST_SENT ? "no answer from the GraphQL endpoint"
							       : "the token never appeared in the token list";
			set_text(&q->detail, why);
			set_state(r, q, REQUEST_TIMED_OUT, now);
		} else if (next == 0 || q->deadline < next) {
			next = q->deadline;
		}
	}
	return next;
}

bool requests_expire(struct requests *r, struct request *q, const char *reason,
		     struct request_time now)
{
	if (request_state_final(q->state))
		return false;
	set_text(&q->detail, reason);
	set_state(r, q, REQUEST_TIMED_OUT, now);
	return true;
}

void requests_note(struct requests *r, struct request *q, const char *detail)
{
	if (q->detail || !detail)
		return;
	q->detail = xstrdup(detail);
	r->stamp++;
}

bool requests_cancel(struct requests *r, uint32_t id, struct request_time now)
{
	struct request *q = requests_find(r, id);
	if (!q || request_state_final(q->state))
		return false;
	set_text(&q->detail, q->state == REQUEST_QUEUED ? "cancelled before sending"
							: "cancelled; the platform may still act on it");
	set_state(r, q, REQUEST_CANCELLED, now);
	return true;
}

struct request *requests_next_queued(struct requests *r)
{
	for (size_t i = 0; i < r->count; i++)
		if (r->items[i]->state == REQUEST_QUEUED && r->items[i]->kind != REQUEST_TOKEN)
			return r->items[i];
	return NULL;
}

size_t requests_count(const struct requests *r)
{
	return r->count;
}

const struct request *requests_at(const struct requests *r, size_t index)
{
	return index < r->count ? r->items[index] : NULL;
}

struct request *requests_find(struct requests *r, uint32_t id)
{
	for (size_t i = 0; i < r->count; i++)
		if (r->items[i]->id == id)
			return r->items[i];
	return NULL;
}

size_t requests_pending(const struct requests *r)
{
	size_t n = 0;
	for (size_t i = 0; i < r->count; i++)
		n += !request_state_final(r->items[i]->state);
	return n;
}

uint64_t requests_stamp(const struct requests *r)
{
	return r->stamp;
}

size_t requests_count_state(const struct requests *r, enum request_state state)
{
	size_t n = 0;
	for (size_t i = 0; i < r->count; i++)
		n += r->items[i]->state == state;
	return n;
}

const struct request *requests_for_receipt(const struct requests *r, const char *receipt)
{
	for (size_t i = r && receipt ? r->count : 0; i-- > 0;)
		if (r->items[i]->kind == REQUEST_SETPOINT && eq(r->items[i]->receipt_id, receipt))
			return r->items[i];
	return NULL;
}

const struct request *requests_for_event(const struct requests *r, const char *event_uuid)
{
	for (size_t i = r && event_uuid ? r->count : 0; i-- > 0;)
		if (r->items[i]->kind == REQUEST_EVENT_ACK && eq(r->items[i]->target, event_uuid))
			return r->items[i];
	return NULL;
}

const struct request *requests_for_error_record(const struct requests *r, uint64_t seq)
{
	for (size_t i = r && seq ? r->count : 0; i-- > 0;)
		if (r->items[i]->state == REQUEST_ERROR && r->items[i]->error_record == seq)
			return r->items[i];
	return NULL;
}
