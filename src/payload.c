/* payload — see include/payload.h.
 *
 * Every builder is a list of "add this member if present" calls over the
 * decode struct, in the order the reference's examples use; the member names
 * are the ones decode.c's field tables read, so a renamed field breaks the
 * round-trip test rather than the wire. */
#include "payload.h"

#include <cJSON.h>
#include <math.h>
#include <msgpack.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/* Doubles hold every integer below 2^53 exactly. */
#define EXACT_INT_LIMIT 9007199254740992.0

/* cJSON reports allocation failure as NULL; like xmalloc, give up. */
static cJSON *check(cJSON *node)
{
	if (!node) {
		fprintf(stderr, "drivr: out of memory (cJSON node)\n");
		abort();
	}
	return node;
}

static cJSON *new_object(void)
{
	return check(cJSON_CreateObject());
}

static void add(cJSON *obj, const char *key, cJSON *item)
{
	cJSON_AddItemToObject(obj, key, check(item));
}

static void add_str(cJSON *obj, const char *key, const char *value)
{
	if (value)
		add(obj, key, cJSON_CreateString(value));
}

static void add_time(cJSON *obj, const char *key, double t)
{
	if (t == TIME_UNKNOWN || !isfinite(t) || t < 0)
		return;
	char buf[40];
	time_format_iso8601(t, buf, sizeof(buf));
	add(obj, key, cJSON_CreateString(buf));
}

static void add_tribool(cJSON *obj, const char *key, int v)
{
	if (v >= 0)
		add(obj, key, cJSON_CreateBool(v != 0));
}

static void add_number(cJSON *obj, const char *key, double v)
{
	if (!isnan(v))
		add(obj, key, cJSON_CreateNumber(v));
}

static void add_metadata(cJSON *obj, const struct payload_extra *extra)
{
	cJSON *md = new_object();
	for (size_t i = 0; extra && i < extra->metadata_count; i++)
		if (extra->metadata[i].key && extra->metadata[i].value)
			add_str(md, extra->metadata[i].key, extra->metadata[i].value);
	add(obj, "metadata", md);
}

static void add_address(cJSON *obj, const struct stream_address *a)
{
	add_str(obj, "systemUuid", a->system_uuid);
	add_str(obj, "systemCode", a->system_code);
	add_str(obj, "timeStreamUuid", a->time_stream_uuid);
	add_str(obj, "componentUuid", a->component_uuid);
	add_str(obj, "componentCode", a->component_code);
	add_str(obj, "serviceUuid", a->service_uuid);
	add_str(obj, "serviceCode", a->service_code);
	if (a->service_index >= 0)
		add(obj, "serviceIndex", cJSON_CreateNumber(a->service_index));
	add_str(obj, "characteristicUuid", a->characteristic_uuid);
	add_str(obj, "characteristicCode", a->characteristic_code);
}

cJSON *payload_value_json(const struct value *v)
{
	switch (v->type) {
	case VALUE_ABSENT:
		return NULL;
	case VALUE_NULL:
		return check(cJSON_CreateNull());
	case VALUE_NUMBER:
		return check(cJSON_CreateNumber(v->number));
	case VALUE_BOOL:
		return check(cJSON_CreateBool(v->boolean));
	case VALUE_STRING:
		return check(cJSON_CreateString(v->text ? v->text : ""));
	case VALUE_JSON:
		return v->json ? check(cJSON_Duplicate(v->json, true)) : check(cJSON_CreateNull());
	}
	return NULL;
}

static void add_value(cJSON *obj, const char *key, const struct value *v)
{
	cJSON *item = payload_value_json(v);
	if (item)
		add(obj, key, item);
}

void payload_extra_init(struct payload_extra *extra)
{
	memset(extra, 0, sizeof(*extra));
	extra->acknowledged_at = TIME_UNKNOWN;
}

/* ---- data types ---------------------------------------------------------- */

const char *payload_data_type_name(enum payload_data_type type)
{
	static const char *const names[] = {
#define X(id, name) [DATA_TYPE_##id] = name,
		PAYLOAD_DATA_TYPE_LIST(X)
#undef X
	};
	return (unsigned)type < DATA_TYPE_COUNT ? names[type] : "UNKNOWN";
}

enum payload_data_type payload_data_type_parse(const char *name)
{
	for (int t = 0; name && t < DATA_TYPE_COUNT; t++)
		if (strcmp(name, payload_data_type_name((enum payload_data_type)t)) == 0)
			return (enum payload_data_type)t;
	return DATA_TYPE_COUNT;
}

const char *payload_characteristic_kind_name(enum payload_characteristic_kind kind)
{
	return kind == CHARACTERISTIC_SETTING ? "SETTING" : "MEASUREMENT";
}

/* ---- information topics -------------------------------------------------- */

cJSON *payload_build_domain(const struct upd_domain *d, const struct payload_extra *extra)
{
	cJSON *o = new_object();
	add_str(o, "uuid", d->uuid);
	add_str(o, "slug", d->slug);
	add_str(o, "name", d->name);
	add_str(o, "status", d->status);
	cJSON *hosts = check(cJSON_CreateArray());
	for (size_t i = 0; extra && i < extra->host_name_count; i++)
		cJSON_AddItemToArray(hosts, check(cJSON_CreateString(extra->host_names[i])));
	add(o, "hostNames", hosts);
	add_str(o, "ownerUuid", d->owner_uuid);
	add(o, "domainFeatures", cJSON_CreateArray());
	add_time(o, "createdAt", d->created_at);
	add_time(o, "updatedAt", d->updated_at);
	return o;
}

cJSON *payload_build_organization(const struct upd_organization *org,
				  const struct payload_extra *extra)
{
	cJSON *o = new_object();
	add_str(o, "uuid", org->uuid);
	add_str(o, "name", org->name);
	add_str(o, "alias", org->alias);
	add_str(o, "domainUuid", org->domain_uuid);
	add_str(o, "ownerUuid", extra ? extra->owner_uuid : NULL);
	add_metadata(o, extra);
	add_str(o, "status", org->status);
	add_time(o, "createdAt", org->created_at);
	add_time(o, "updatedAt", org->updated_at);
	return o;
}

cJSON *payload_build_system(const struct upd_system *s, const struct payload_extra *extra)
{
	cJSON *o = new_object();
	add_str(o, "uuid", s->uuid);
	add_str(o, "code", s->code);
	add_str(o, "name", s->name);
	add_str(o, "description", s->description);
	add_str(o, "connectionState", s->connection_state);
	add_time(o, "connectionStateUpdatedAt", s->connection_state_updated_at);
	add_str(o, "status", s->status);
	add_metadata(o, extra);
	add_str(o, "domainUuid", s->domain_uuid);
	add_str(o, "ownerUuid", s->owner_uuid);
	add_time(o, "createdAt", s->created_at);
	add_time(o, "updatedAt", s->updated_at);
	return o;
}

cJSON *payload_build_component(const struct upd_component *c, const struct payload_extra *extra)
{
	cJSON *o = new_object();
	add_str(o, "uuid", c->uuid);
	add_str(o, "code", c->code);
	add_str(o, "name", c->name);
	add_str(o, "componentModelUuid", c->component_model_uuid);
	add_str(o, "systemUuid", c->system_uuid);
	add_str(o, "connectionState", c->connection_state);
	add_time(o, "connectionStateUpdatedAt", c->connection_state_updated_at);
	add_str(o, "status", c->status);
	add_metadata(o, extra);
	add_time(o, "createdAt", c->created_at);
	add_time(o, "updatedAt", c->updated_at);
	return o;
}

static cJSON *characteristic_json(const struct payload_characteristic *ch)
{
	cJSON *o = new_object();
	add_str(o, "code", ch->code);
	add_str(o, "name", ch->name);
	add_str(o, "dataType", payload_data_type_name(ch->data_type));
	add_str(o, "characteristicType", payload_characteristic_kind_name(ch->kind));
	add_str(o, "symbol", ch->symbol);
	add_number(o, "boundaryMin", ch->min);
	add_number(o, "boundaryMax", ch->max);
	add_number(o, "boundaryStep", ch->step);
	if (ch->valid_value_count) {
		cJSON *vv = check(cJSON_CreateArray());
		for (size_t i = 0; i < ch->valid_value_count; i++)
			cJSON_AddItemToArray(vv, check(cJSON_CreateString(ch->valid_values[i])));
		add(o, "validValues", vv);
	}
	return o;
}

cJSON *payload_build_component_model(const struct upd_component_model *m,
				     const struct payload_extra *extra)
{
	cJSON *o = new_object();
	add_str(o, "uuid", m->uuid);
	add_str(o, "code", m->code);
	add_tribool(o, "isConnective", m->is_connective);
	add_str(o, "description", m->description);
	add_str(o, "componentType", m->component_type);
	add_str(o, "name", m->name);
	add_str(o, "domainUuid", extra ? extra->domain_uuid : NULL);
	add_metadata(o, extra);
	add_str(o, "status", m->status);
	add_time(o, "createdAt", m->created_at);
	add_time(o, "updatedAt", m->updated_at);
	if (extra && extra->service_count) {
		cJSON *services = check(cJSON_CreateArray());
		for (size_t i = 0; i < extra->service_count; i++) {
			const struct payload_service *s = &extra->services[i];
			cJSON *so = new_object();
			add_str(so, "code", s->code);
			add_str(so, "name", s->name);
			cJSON *chars = check(cJSON_CreateArray());
			for (size_t k = 0; k < s->characteristic_count; k++)
				cJSON_AddItemToArray(chars, characteristic_json(&s->characteristics[k]));
			add(so, "characteristics", chars);
			cJSON_AddItemToArray(services, so);
		}
		add(o, "services", services);
	}
	return o;
}

cJSON *payload_build_event_model(const struct upd_event_model *m, const struct payload_extra *extra)
{
	cJSON *o = new_object();
	add_str(o, "uuid", m->uuid);
	add_str(o, "code", m->code);
	add_str(o, "eventLevel", m->event_level);
	add_str(o, "eventType", m->event_type);
	add_str(o, "entityType", m->entity_type);
	add_tribool(o, "limitToPrototypes", m->limit_to_prototypes);
	add_str(o, "message", m->message);
	add_str(o, "domainUuid", extra ? extra->domain_uuid : NULL);
	add_metadata(o, extra);
	add_str(o, "status", m->status);
	add_time(o, "createdAt", m->created_at);
	add_time(o, "updatedAt", m->updated_at);
	return o;
}

cJSON *payload_build_event(const struct upd_event *e, const struct payload_extra *extra)
{
	cJSON *o = new_object();
	add_str(o, "uuid", e->uuid);
	add_str(o, "eventModelUuid", e->event_model_uuid);
	add_str(o, "entityUuid", e->entity_uuid);
	add_time(o, "time", e->time);
	add_time(o, "endTime", e->end_time);
	add_str(o, "status", e->status);
	add_tribool(o, "acknowledged", e->acknowledged);
	if (extra)
		add_time(o, "acknowledgedAt", extra->acknowledged_at);
	add_metadata(o, extra);
	add_time(o, "createdAt", e->created_at);
	add_time(o, "updatedAt", e->updated_at);
	return o;
}

cJSON *payload_build_state(const char *state)
{
	return check(cJSON_CreateString(state ? state : ""));
}

cJSON *payload_build_setpoint(const struct upd_setpoint *s)
{
	cJSON *o = new_object();
	add_str(o, "uuid", s->uuid);
	add_str(o, "receiptId", s->receipt_id);
	add_address(o, &s->addr);
	add_time(o, "time", s->time);
	add_str(o, "type", s->type);
	add_value(o, "value", &s->value);
	add_str(o, "state", s->state);
	add_str(o, "message", s->message);
	return o;
}

cJSON *payload_build_tokens(const struct token *tokens, size_t count)
{
	cJSON *arr = check(cJSON_CreateArray());
	for (size_t i = 0; i < count; i++) {
		const struct token *t = &tokens[i];
		cJSON *o = new_object();
		add_str(o, "uuid", t->uuid);
		add_str(o, "status", t->status);
		add_time(o, "createdAt", t->created_at);
		/* Permanent tokens: null, as the reference allows. */
		if (t->expires_at == TIME_UNKNOWN)
			add(o, "expiresAt", cJSON_CreateNull());
		else
			add_time(o, "expiresAt", t->expires_at);
		add_time(o, "notBefore", t->not_before);
		add_str(o, "systemUuid", t->system_uuid);
		cJSON *roles = check(cJSON_CreateArray());
		for (size_t k = 0; k < t->role_count; k++) {
			cJSON *r = new_object();
			add_str(r, "uuid", t->roles[k].uuid);
			add_str(r, "name", t->roles[k].name);
			cJSON_AddItemToArray(roles, r);
		}
		add(o, "roles", roles);
		add_str(o, "token", t->token);
		if (t->subject_uuid || t->subject_name || t->subject_type) {
			cJSON *subject = new_object();
			add_str(subject, "uuid", t->subject_uuid);
			add_str(subject, "name", t->subject_name);
			add_str(subject, "type", t->subject_type);
			add(o, "subject", subject);
		}
		cJSON_AddItemToArray(arr, o);
	}
	return arr;
}

cJSON *payload_build_jwks(const struct jwk *keys, size_t count)
{
	cJSON *o = new_object();
	cJSON *arr = check(cJSON_CreateArray());
	for (size_t i = 0; i < count; i++) {
		const struct jwk *k = &keys[i];
		cJSON *ko = new_object();
		add_str(ko, "kid", k->kid);
		add_str(ko, "kty", k->kty);
		add_str(ko, "alg", k->alg);
		add_str(ko, "use", k->use);
		add_str(ko, "n", k->n);
		add_str(ko, "e", k->e);
		cJSON_AddItemToArray(arr, ko);
	}
	add(o, "keys", arr);
	return o;
}

cJSON *payload_build_error_reply(const struct upd_error_reply *e)
{
	cJSON *o = new_object();
	add_str(o, "message", e->message ? e->message : "");
	add_str(o, "code", e->code);
	return o;
}

/* ---- inputs ----------------------------------------------------------------- */

cJSON *payload_build_datapoint(const struct datapoint *dp)
{
	cJSON *o = new_object();
	add_address(o, &dp->addr);
	add_time(o, "time", dp->time);
	add_value(o, "value", &dp->value);
	return o;
}

cJSON *payload_build_datapoints(const struct datapoint *dps, size_t count)
{
	cJSON *arr = check(cJSON_CreateArray());
	for (size_t i = 0; i < count; i++)
		cJSON_AddItemToArray(arr, payload_build_datapoint(&dps[i]));
	return arr;
}

cJSON *payload_build_setpoint_input(const struct upd_setpoint_input *in)
{
	cJSON *o = new_object();
	add_address(o, &in->addr);
	add_value(o, "value", &in->value);
	return o;
}

cJSON *payload_build_setpoint_ack(const struct upd_setpoint_ack *ack)
{
	cJSON *o = new_object();
	add_str(o, "receiptId", ack->receipt_id);
	add_str(o, "state", ack->state);
	add_str(o, "message", ack->message);
	return o;
}

cJSON *payload_build_system_input(const struct upd_system_input *in)
{
	cJSON *o = new_object();
	add_str(o, "name", in->name);
	add_str(o, "description", in->description);
	add_str(o, "status", in->status);
	add_str(o, "connectionState", in->connection_state);
	return o;
}

cJSON *payload_build_event_input(const struct upd_event_input *in)
{
	cJSON *o = new_object();
	add_str(o, "eventModelUuid", in->event_model_uuid);
	add_time(o, "time", in->time);
	add_time(o, "endTime", in->end_time);
	return o;
}

cJSON *payload_build_event_ack(const struct upd_event_ack *ack)
{
	cJSON *o = new_object();
	add_str(o, "uuid", ack->event_uuid);
	return o;
}

/* ---- catalogue, read back ---------------------------------------------------- */

static const char *member_str(const cJSON *obj, const char *key)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, key);
	return cJSON_IsString(it) ? it->valuestring : NULL;
}

static double member_num(const cJSON *obj, const char *key)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, key);
	return cJSON_IsNumber(it) ? it->valuedouble : NAN;
}

static size_t array_len(const cJSON *arr)
{
	size_t n = 0;
	for (const cJSON *it = cJSON_IsArray(arr) ? arr->child : NULL; it; it = it->next)
		n++;
	return n;
}

bool payload_catalogue_read(const cJSON *model, struct payload_catalogue *out)
{
	memset(out, 0, sizeof(*out));
	const cJSON *services = cJSON_IsObject(model)
					? cJSON_GetObjectItemCaseSensitive(model, "services")
					: NULL;
	if (!cJSON_IsArray(services))
		return false;
	/* Count first: three blocks, no reallocation, borrowed strings. */
	size_t ns = 0, nc = 0, nv = 0;
	for (const cJSON *s = services->child; s; s = s->next) {
		if (!cJSON_IsObject(s))
			continue;
		ns++;
		const cJSON *chars = cJSON_GetObjectItemCaseSensitive(s, "characteristics");
		for (const cJSON *c = cJSON_IsArray(chars) ? chars->child : NULL; c; c = c->next) {
			if (!cJSON_IsObject(c))
				continue;
			nc++;
			nv += array_len(cJSON_GetObjectItemCaseSensitive(c, "validValues"));
		}
	}
	out->services = xcalloc(ns, sizeof(*out->services));
	out->characteristics = xcalloc(nc, sizeof(*out->characteristics));
	out->valid_values = xcalloc(nv, sizeof(*out->valid_values));
	size_t ic = 0, iv = 0;
	for (const cJSON *s = services->child; s; s = s->next) {
		if (!cJSON_IsObject(s))
			continue;
		struct payload_service *svc = &out->services[out->service_count++];
		svc->code = member_str(s, "code");
		svc->name = member_str(s, "name");
		svc->characteristics = &out->characteristics[ic];
		const cJSON *chars = cJSON_GetObjectItemCaseSensitive(s, "characteristics");
		for (const cJSON *c = cJSON_IsArray(chars) ? chars->child : NULL; c; c = c->next) {
			if (!cJSON_IsObject(c))
				continue;
			struct payload_characteristic *ch = &out->characteristics[ic++];
			ch->code = member_str(c, "code");
			ch->name = member_str(c, "name");
			ch->data_type = payload_data_type_parse(member_str(c, "dataType"));
			const char *kind = member_str(c, "characteristicType");
			ch->kind = kind && strcmp(kind, "SETTING") == 0 ? CHARACTERISTIC_SETTING
								     : CHARACTERISTIC_MEASUREMENT;
			ch->symbol = member_str(c, "symbol");
			ch->min = member_num(c, "boundaryMin");
			ch->max = member_num(c, "boundaryMax");
			ch->step = member_num(c, "boundaryStep");
			const cJSON *vv = cJSON_GetObjectItemCaseSensitive(c, "validValues");
			ch->valid_values = &out->valid_values[iv];
			for (const cJSON *v = cJSON_IsArray(vv) ? vv->child : NULL; v; v = v->next)
				if (cJSON_IsString(v))
					out->valid_values[iv++] = v->valuestring;
			ch->valid_value_count = (size_t)(&out->valid_values[iv] - ch->valid_values);
			svc->characteristic_count++;
		}
	}
	return true;
}

void payload_catalogue_free(struct payload_catalogue *catalogue)
{
	if (!catalogue)
		return;
	free(catalogue->services);
	free(catalogue->characteristics);
	free(catalogue->valid_values);
	memset(catalogue, 0, sizeof(*catalogue));
}

/* ---- serialising ----------------------------------------------------------- */

void payload_buf_free(struct payload_buf *buf)
{
	free(buf->data);
	memset(buf, 0, sizeof(*buf));
}

static void buf_reserve(struct payload_buf *buf, size_t need)
{
	if (need <= buf->cap)
		return;
	size_t cap = buf->cap ? buf->cap : 256;
	while (cap < need)
		cap *= 2;
	buf->data = xrealloc(buf->data, cap);
	buf->cap = cap;
}

static int mp_write(void *data, const char *bytes, size_t len)
{
	struct payload_buf *buf = data;
	buf_reserve(buf, buf->len + len + 1);
	memcpy(buf->data + buf->len, bytes, len);
	buf->len += len;
	return 0;
}

static void mp_pack(msgpack_packer *pk, const cJSON *item)
{
	switch (item->type & 0xff) {
	case cJSON_False:
		msgpack_pack_false(pk);
		break;
	case cJSON_True:
		msgpack_pack_true(pk);
		break;
	case cJSON_Number: {
		double v = item->valuedouble;
		if (fabs(v) < EXACT_INT_LIMIT && v == floor(v))
			msgpack_pack_int64(pk, (int64_t)v);
		else
			msgpack_pack_double(pk, v);
		break;
	}
	case cJSON_String: {
		size_t n = strlen(item->valuestring);
		msgpack_pack_str(pk, n);
		msgpack_pack_str_body(pk, item->valuestring, n);
		break;
	}
	case cJSON_Array: {
		size_t n = array_len(item);
		msgpack_pack_array(pk, n);
		for (const cJSON *it = item->child; it; it = it->next)
			mp_pack(pk, it);
		break;
	}
	case cJSON_Object: {
		size_t n = 0;
		for (const cJSON *it = item->child; it; it = it->next)
			n++;
		msgpack_pack_map(pk, n);
		for (const cJSON *it = item->child; it; it = it->next) {
			size_t k = strlen(it->string);
			msgpack_pack_str(pk, k);
			msgpack_pack_str_body(pk, it->string, k);
			mp_pack(pk, it);
		}
		break;
	}
	default: /* cJSON_NULL, raw */
		msgpack_pack_nil(pk);
		break;
	}
}

bool payload_serialize(const cJSON *root, enum payload_format format, struct payload_buf *buf)
{
	buf->len = 0;
	if (format == FORMAT_MSGPACK) {
		msgpack_packer pk;
		msgpack_packer_init(&pk, buf, mp_write);
		mp_pack(&pk, root);
		return true;
	}
	if (format != FORMAT_JSON)
		return false;
	buf_reserve(buf, 256);
	/* cJSON wants a few bytes of slack beyond the text. */
	while (!cJSON_PrintPreallocated((cJSON *)root, buf->data, (int)buf->cap - 5, false))
		buf_reserve(buf, buf->cap * 2);
	buf->len = strlen(buf->data);
	return true;
}

/* ---- the datapoint fast path ----------------------------------------------- */

struct wbuf {
	char *p;
	size_t size, len;
	bool overflow;
};

static void w_bytes(struct wbuf *w, const char *s, size_t n)
{
	if (w->overflow || w->len + n >= w->size) {
		w->overflow = true;
		return;
	}
	memcpy(w->p + w->len, s, n);
	w->len += n;
}

static void w_cstr(struct wbuf *w, const char *s)
{
	w_bytes(w, s, strlen(s));
}

/* A JSON string literal: quotes, backslash and control characters escaped;
 * other bytes (UTF-8 or not) pass as they are, as cJSON does. */
static void w_json_string(struct wbuf *w, const char *s)
{
	w_bytes(w, "\"", 1);
	const char *run = s;
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;
		if (ch >= 0x20 && ch != '"' && ch != '\\')
			continue;
		w_bytes(w, run, (size_t)(s - run));
		char esc[8];
		if (ch == '"' || ch == '\\')
			snprintf(esc, sizeof(esc), "\\%c", ch);
		else
			snprintf(esc, sizeof(esc), "\\u%04x", ch);
		w_cstr(w, esc);
		run = s + 1;
	}
	w_bytes(w, run, (size_t)(s - run));
	w_bytes(w, "\"", 1);
}

static void w_member(struct wbuf *w, bool *first, const char *key)
{
	w_cstr(w, *first ? "{\"" : ",\"");
	*first = false;
	w_cstr(w, key);
	w_cstr(w, "\":");
}

static void w_str_member(struct wbuf *w, bool *first, const char *key, const char *value)
{
	if (!value)
		return;
	w_member(w, first, key);
	w_json_string(w, value);
}

static void w_number(struct wbuf *w, double v)
{
	char num[40];
	if (!isfinite(v))
		snprintf(num, sizeof(num), "null"); /* JSON has no NaN, as cJSON */
	else if (fabs(v) < 1e15 && v == floor(v))
		snprintf(num, sizeof(num), "%.0f", v);
	else if (snprintf(num, sizeof(num), "%.15g", v) > 0 && strtod(num, NULL) != v)
		snprintf(num, sizeof(num), "%.17g", v); /* the shortest that reads back */
	w_cstr(w, num);
}

size_t payload_write_datapoint(char *buf, size_t size, const struct datapoint *dp, size_t pad)
{
	struct wbuf w = { buf, size, 0, false };
	bool first = true;
	const struct stream_address *a = &dp->addr;
	w_str_member(&w, &first, "systemUuid", a->system_uuid);
	w_str_member(&w, &first, "systemCode", a->system_code);
	w_str_member(&w, &first, "timeStreamUuid", a->time_stream_uuid);
	w_str_member(&w, &first, "componentUuid", a->component_uuid);
	w_str_member(&w, &first, "componentCode", a->component_code);
	w_str_member(&w, &first, "serviceUuid", a->service_uuid);
	w_str_member(&w, &first, "serviceCode", a->service_code);
	if (a->service_index >= 0) {
		w_member(&w, &first, "serviceIndex");
		w_number(&w, a->service_index);
	}
	w_str_member(&w, &first, "characteristicUuid", a->characteristic_uuid);
	w_str_member(&w, &first, "characteristicCode", a->characteristic_code);
	if (dp->time != TIME_UNKNOWN && isfinite(dp->time) && dp->time >= 0) {
		char t[40];
		time_format_iso8601(dp->time, t, sizeof(t));
		w_member(&w, &first, "time");
		w_json_string(&w, t);
	}
	const struct value *v = &dp->value;
	if (v->type != VALUE_ABSENT) {
		w_member(&w, &first, "value");
		switch (v->type) {
		case VALUE_NUMBER:
			w_number(&w, v->number);
			break;
		case VALUE_BOOL:
			w_cstr(&w, v->boolean ? "true" : "false");
			break;
		case VALUE_STRING:
			w_json_string(&w, v->text ? v->text : "");
			break;
		case VALUE_JSON: {
			char *text = v->json ? cJSON_PrintUnformatted(v->json) : NULL;
			w_cstr(&w, text ? text : "null");
			cJSON_free(text);
			break;
		}
		case VALUE_NULL:
		case VALUE_ABSENT:
			w_cstr(&w, "null");
			break;
		}
	}
	if (pad) {
		w_member(&w, &first, "pad");
		w_bytes(&w, "\"", 1);
		if (!w.overflow && w.len + pad < w.size) {
			memset(w.p + w.len, 'x', pad);
			w.len += pad;
		} else {
			w.overflow = true;
		}
		w_bytes(&w, "\"", 1);
	}
	w_cstr(&w, first ? "{}" : "}");
	if (w.overflow)
		return 0;
	buf[w.len] = '\0';
	return w.len;
}
