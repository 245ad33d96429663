/* catalogue_query — see include/catalogue_query.h. */
#include "catalogue_query.h"

#include <cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ini.h"
#include "util.h"

/* INFERRED from the conventions the reference shows (paged lists under
 * "items", filters as where: {field: {_in: [...]}}) and the field names of
 * DRIVR's published schema; boundaries exist on the numeric characteristic
 * types only, hence the fragments. */
static const char default_text[] =
	"query Catalogue($uuids: [UUID]) {\n"
	"  componentModels(where: {uuid: {_in: $uuids}}) {\n"
	"    items {\n"
	"      uuid\n"
	"      services {\n"
	"        items {\n"
	"          code\n"
	"          name\n"
	"          characteristics {\n"
	"            items {\n"
	"              code\n"
	"              name\n"
	"              dataType\n"
	"              characteristicType\n"
	"              symbol\n"
	"              ... on CharacteristicFloat { boundaryMin boundaryMax boundaryStep }\n"
	"              ... on CharacteristicInteger { boundaryMin boundaryMax boundaryStep }\n"
	"              characteristicValidValues { items { value } }\n"
	"            }\n"
	"          }\n"
	"        }\n"
	"      }\n"
	"    }\n"
	"  }\n"
	"}\n";

static const char *const field_keys[] = {
#define X(id, key, path) key,
	CATALOGUE_FIELD_LIST(X)
#undef X
};

static const char *const field_defaults[] = {
#define X(id, key, path) path,
	CATALOGUE_FIELD_LIST(X)
#undef X
};

void catalogue_query_init(struct catalogue_query *q)
{
	q->text = xstrdup(default_text);
	q->variable = xstrdup("uuids");
	for (size_t i = 0; i < CATALOGUE_FIELD_COUNT; i++)
		q->paths[i] = xstrdup(field_defaults[i]);
}

void catalogue_query_free(struct catalogue_query *q)
{
	if (!q)
		return;
	free(q->text);
	free(q->variable);
	for (size_t i = 0; i < CATALOGUE_FIELD_COUNT; i++)
		free(q->paths[i]);
	memset(q, 0, sizeof(*q));
}

/* ---- the query file ------------------------------------------------------ */

struct file_state {
	struct catalogue_query *q;
	bool query_seen; /* the first "query" line replaces the default text */
};

/* A path: member names of letters, digits, '_' and '-', joined by '.'. */
static bool valid_path(const char *p)
{
	if (!*p || *p == '.')
		return false;
	for (; *p; p++) {
		char c = *p;
		bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
			  c == '_' || c == '-' || (c == '.' && p[1] && p[1] != '.');
		if (!ok)
			return false;
	}
	return true;
}

static bool file_section(void *ctx, const char *name, char *why, size_t size)
{
	(void)ctx;
	return util_fail(why, size, "no sections in a catalogue query file ([%s])", name);
}

static bool file_key(void *ctx, const struct ini_line *line, char *why, size_t size)
{
	struct file_state *st = ctx;
	struct catalogue_query *q = st->q;
	if (strcmp(line->key, "query") == 0) {
		/* one line of the document per "query =" line */
		size_t have = st->query_seen ? strlen(q->text) : 0;
		size_t add = strlen(line->value);
		char *text = xmalloc(have + add + 2);
		memcpy(text, st->query_seen ? q->text : "", have);
		memcpy(text + have, line->value, add);
		text[have + add] = '\n';
		text[have + add + 1] = '\0';
		free(q->text);
		q->text = text;
		st->query_seen = true;
		return true;
	}
	if (strcmp(line->key, "variable") == 0) {
		if (!valid_path(line->value) || strchr(line->value, '.'))
			return util_fail(why, size, "variable: \"%s\" is not a GraphQL name", line->value);
		free(q->variable);
		q->variable = xstrdup(line->value);
		return true;
	}
	for (size_t i = 0; i < CATALOGUE_FIELD_COUNT; i++) {
		if (strcmp(line->key, field_keys[i]) != 0)
			continue;
		if (!valid_path(line->value))
			return util_fail(why, size, "%s: \"%s\" is not a path (member names joined by '.')",
					 line->key, line->value);
		free(q->paths[i]);
		q->paths[i] = xstrdup(line->value);
		return true;
	}
	return util_fail(why, size, "unknown key \"%s\" (query, variable, models, model.uuid, ...: "
				    "docs/topics.md)", line->key);
}

bool catalogue_query_parse_file(struct catalogue_query *q, const char *text, size_t len,
				const char *filename, char *err, size_t err_size)
{
	struct file_state st = { q, false };
	struct ini_reader reader = { file_section, file_key, "key = value", &st };
	if (!ini_parse(text, len, filename, &reader, err, err_size))
		return false;
	if (!strstr(q->text, q->variable))
		return util_fail(err, err_size, "%s: the query never names $%s, the variable that "
						"carries the model uuids", filename, q->variable);
	return true;
}

bool catalogue_query_load(struct catalogue_query *q, const char *path, char *err,
			  size_t err_size)
{
	catalogue_query_init(q);
	if (!path)
		return true;
	size_t len;
	char *text = util_read_file(path, CATALOGUE_QUERY_FILE_MAX, "--catalogue-query", &len, err,
				    err_size);
	if (!text)
		return false;
	bool ok = catalogue_query_parse_file(q, text, len, path, err, err_size);
	free(text);
	return ok;
}

char *catalogue_query_body(const struct catalogue_query *q, const char *const *uuids, size_t n)
{
	cJSON *doc = cJSON_CreateObject();
	cJSON_AddStringToObject(doc, "query", q->text);
	cJSON *vars = cJSON_AddObjectToObject(doc, "variables");
	cJSON *list = cJSON_AddArrayToObject(vars, q->variable);
	for (size_t i = 0; i < n; i++)
		cJSON_AddItemToArray(list, cJSON_CreateString(uuids[i]));
	char *text = cJSON_PrintUnformatted(doc);
	cJSON_Delete(doc);
	if (!text)
		abort(); /* cJSON allocates through malloc: out of memory, as xmalloc */
	char *out = xstrdup(text);
	cJSON_free(text);
	return out;
}

/* ---- the answer ---------------------------------------------------------- */

/* Where in the answer a member was wrong, for the reason. */
struct where {
	char *err;
	size_t size;
	char at[160]; /* "models[2].services[0]" */
};

static bool wrong(struct where *w, const char *path, const char *what)
{
	return util_fail(w->err, w->size, "the catalogue answer is refused: %s%s%s%s %s",
			 *w->at || *path ? "" : "the answer", w->at, *w->at && *path ? "." : "", path, what);
}

/* The member at path under from: NULL when a member on the way is missing
 * or null; *bad when one on the way is not an object. */
static const cJSON *resolve(const cJSON *from, const char *path, bool *bad)
{
	*bad = false;
	const cJSON *it = from;
	const char *p = path;
	while (it && *p) {
		if (cJSON_IsNull(it))
			return NULL;
		if (!cJSON_IsObject(it)) {
			*bad = true;
			return NULL;
		}
		const char *dot = strchr(p, '.');
		size_t n = dot ? (size_t)(dot - p) : strlen(p);
		const cJSON *next = NULL;
		for (const cJSON *m = it->child; m; m = m->next)
			if (m->string && strlen(m->string) == n && memcmp(m->string, p, n) == 0) {
				next = m;
				break;
			}
		it = next;
		p = dot ? dot + 1 : p + n;
	}
	return cJSON_IsNull(it) ? NULL : it;
}

/* A string member: required or optional (missing/null → *out NULL). */
static bool get_string(struct where *w, const cJSON *from, const char *path, bool required,
		       const char **out)
{
	bool bad;
	const cJSON *it = resolve(from, path, &bad);
	*out = NULL;
	if (bad)
		return wrong(w, path, "crosses a member that is not an object");
	if (!it)
		return required ? wrong(w, path, "is missing") : true;
	if (!cJSON_IsString(it))
		return wrong(w, path, "is not a string");
	if (strlen(it->valuestring) > CATALOGUE_STRING_MAX)
		return wrong(w, path, "is too long (over 1024 bytes)");
	*out = it->valuestring;
	return true;
}

/* An optional number (missing/null → NAN). */
static bool get_number(struct where *w, const cJSON *from, const char *path, double *out)
{
	bool bad;
	const cJSON *it = resolve(from, path, &bad);
	*out = NAN;
	if (bad)
		return wrong(w, path, "crosses a member that is not an object");
	if (!it)
		return true;
	if (!cJSON_IsNumber(it) || !isfinite(it->valuedouble))
		return wrong(w, path, "is not a number");
	*out = it->valuedouble;
	return true;
}

/* A list: required, or optional (missing/null → *out NULL); at most max
 * items, counted in *count. */
static bool get_list(struct where *w, const cJSON *from, const char *path, bool required,
		     size_t max, const cJSON **out, size_t *count)
{
	bool bad;
	const cJSON *it = resolve(from, path, &bad);
	*out = NULL;
	*count = 0;
	if (bad)
		return wrong(w, path, "crosses a member that is not an object");
	if (!it)
		return required ? wrong(w, path, "is missing") : true;
	if (!cJSON_IsArray(it))
		return wrong(w, path, "is not a list");
	size_t n = 0;
	for (const cJSON *e = it->child; e; e = e->next)
		if (++n > max) {
			char what[64];
			snprintf(what, sizeof(what), "has more than %zu items", max);
			return wrong(w, path, what);
		}
	*out = it;
	*count = n;
	return true;
}

static void push_at(struct where *w, size_t *mark, const char *name, size_t index)
{
	*mark = strlen(w->at);
	snprintf(w->at + *mark, sizeof(w->at) - *mark, "%s%s[%zu]", *mark ? "." : "", name, index);
}

static void pop_at(struct where *w, size_t mark)
{
	w->at[mark] = '\0';
}

static bool read_characteristic(const struct catalogue_query *q, struct where *w, const cJSON *c,
				struct payload_characteristic *ch, const char **values, size_t *nv,
				bool *unknown_type)
{
	const char *const *p = (const char *const *)q->paths;
	const char *type, *kind;
	if (!cJSON_IsObject(c))
		return wrong(w, "", "is not an object");
	if (!get_string(w, c, p[CATALOGUE_FIELD_CHARACTERISTIC_CODE], true, &ch->code) ||
	    !get_string(w, c, p[CATALOGUE_FIELD_CHARACTERISTIC_NAME], false, &ch->name) ||
	    !get_string(w, c, p[CATALOGUE_FIELD_CHARACTERISTIC_DATA_TYPE], true, &type) ||
	    !get_string(w, c, p[CATALOGUE_FIELD_CHARACTERISTIC_KIND], true, &kind) ||
	    !get_string(w, c, p[CATALOGUE_FIELD_CHARACTERISTIC_UNIT], false, &ch->symbol) ||
	    !get_number(w, c, p[CATALOGUE_FIELD_CHARACTERISTIC_MIN], &ch->min) ||
	    !get_number(w, c, p[CATALOGUE_FIELD_CHARACTERISTIC_MAX], &ch->max) ||
	    !get_number(w, c, p[CATALOGUE_FIELD_CHARACTERISTIC_STEP], &ch->step))
		return false;
	if (!*ch->code)
		return wrong(w, p[CATALOGUE_FIELD_CHARACTERISTIC_CODE], "is empty");
	/* a type the console does not check (DATE, BLOB, ...) is kept: the
	 * kind still tells a SETTING from a MEASUREMENT */
	ch->data_type = payload_data_type_parse(type);
	*unknown_type = ch->data_type == DATA_TYPE_COUNT;
	if (strcmp(kind, "SETTING") == 0)
		ch->kind = CHARACTERISTIC_SETTING;
	else if (strcmp(kind, "MEASUREMENT") == 0)
		ch->kind = CHARACTERISTIC_MEASUREMENT;
	else
		return wrong(w, p[CATALOGUE_FIELD_CHARACTERISTIC_KIND], "is neither MEASUREMENT nor SETTING");
	if (!isnan(ch->step) && ch->step <= 0)
		return wrong(w, p[CATALOGUE_FIELD_CHARACTERISTIC_STEP], "is not above 0");
	if (!isnan(ch->min) && !isnan(ch->max) && ch->min > ch->max)
		return wrong(w, p[CATALOGUE_FIELD_CHARACTERISTIC_MIN], "is above the maximum");
	const cJSON *options;
	size_t count;
	if (!get_list(w, c, p[CATALOGUE_FIELD_CHARACTERISTIC_OPTIONS], false, CATALOGUE_OPTIONS_MAX,
		      &options, &count))
		return false;
	ch->valid_values = &values[*nv];
	size_t i = 0;
	for (const cJSON *o = options ? options->child : NULL; o; o = o->next, i++) {
		size_t mark;
		push_at(w, &mark, p[CATALOGUE_FIELD_CHARACTERISTIC_OPTIONS], i);
		const char *v = NULL;
		bool ok;
		/* an option is a string, or an object holding it */
		if (cJSON_IsString(o)) {
			v = o->valuestring;
			ok = strlen(v) <= CATALOGUE_STRING_MAX || wrong(w, "", "is too long");
		} else if (cJSON_IsObject(o)) {
			ok = get_string(w, o, p[CATALOGUE_FIELD_OPTION_VALUE], true, &v);
		} else {
			ok = wrong(w, "", "is neither a string nor an object");
		}
		pop_at(w, mark);
		if (!ok)
			return false;
		values[(*nv)++] = v;
	}
	ch->valid_value_count = count;
	return true;
}

/* Counts a model's services, characteristics and options (each list
 * checked), so its three arrays are allocated once. */
static bool count_model(const struct catalogue_query *q, struct where *w, const cJSON *model,
			size_t *ns, size_t *nc, size_t *nv)
{
	const char *const *p = (const char *const *)q->paths;
	const cJSON *services, *chars, *options;
	size_t n;
	if (!get_list(w, model, p[CATALOGUE_FIELD_MODEL_SERVICES], true, CATALOGUE_SERVICES_MAX,
		      &services, ns))
		return false;
	*nc = *nv = 0;
	size_t si = 0;
	for (const cJSON *s = services->child; s; s = s->next, si++) {
		size_t mark;
		push_at(w, &mark, p[CATALOGUE_FIELD_MODEL_SERVICES], si);
		if (!cJSON_IsObject(s))
			return wrong(w, "", "is not an object");
		if (!get_list(w, s, p[CATALOGUE_FIELD_SERVICE_CHARACTERISTICS], true,
			      CATALOGUE_CHARACTERISTICS_MAX, &chars, &n))
			return false;
		*nc += n;
		if (*nc > CATALOGUE_CHARACTERISTICS_MAX)
			return wrong(w, "", "brings the model over 4096 characteristics");
		size_t ci = 0;
		for (const cJSON *c = chars->child; c; c = c->next, ci++) {
			size_t cmark;
			push_at(w, &cmark, p[CATALOGUE_FIELD_SERVICE_CHARACTERISTICS], ci);
			if (cJSON_IsObject(c) &&
			    !get_list(w, c, p[CATALOGUE_FIELD_CHARACTERISTIC_OPTIONS], false,
				      CATALOGUE_OPTIONS_MAX, &options, &n))
				return false;
			pop_at(w, cmark);
			*nv += cJSON_IsObject(c) ? n : 0;
		}
		pop_at(w, mark);
	}
	return true;
}

static bool read_model(const struct catalogue_query *q, struct where *w, const cJSON *model,
		       struct catalogue_model *out, size_t *unknown_types)
{
	const char *const *p = (const char *const *)q->paths;
	if (!cJSON_IsObject(model))
		return wrong(w, "", "is not an object");
	if (!get_string(w, model, p[CATALOGUE_FIELD_MODEL_UUID], true, &out->uuid))
		return false;
	size_t ns, nc, nv;
	if (!count_model(q, w, model, &ns, &nc, &nv))
		return false;
	struct payload_catalogue *cat = &out->catalogue;
	cat->services = xcalloc(ns ? ns : 1, sizeof(*cat->services));
	cat->characteristics = xcalloc(nc ? nc : 1, sizeof(*cat->characteristics));
	cat->valid_values = xcalloc(nv ? nv : 1, sizeof(*cat->valid_values));
	bool dummy;
	const cJSON *services = resolve(model, p[CATALOGUE_FIELD_MODEL_SERVICES], &dummy);
	size_t ic = 0, iv = 0, si = 0;
	for (const cJSON *s = services->child; s; s = s->next, si++) {
		size_t mark;
		push_at(w, &mark, p[CATALOGUE_FIELD_MODEL_SERVICES], si);
		struct payload_service *svc = &cat->services[cat->service_count++];
		if (!get_string(w, s, p[CATALOGUE_FIELD_SERVICE_CODE], true, &svc->code) ||
		    !get_string(w, s, p[CATALOGUE_FIELD_SERVICE_NAME], false, &svc->name))
			return false;
		svc->characteristics = &cat->characteristics[ic];
		const cJSON *chars = resolve(s, p[CATALOGUE_FIELD_SERVICE_CHARACTERISTICS], &dummy);
		size_t ci = 0;
		for (const cJSON *c = chars->child; c; c = c->next, ci++) {
			size_t cmark;
			push_at(w, &cmark, p[CATALOGUE_FIELD_SERVICE_CHARACTERISTICS], ci);
			bool unknown = false;
			if (!read_characteristic(q, w, c, &cat->characteristics[ic++],
						 cat->valid_values, &iv, &unknown))
				return false;
			*unknown_types += unknown;
			svc->characteristic_count++;
			pop_at(w, cmark);
		}
		pop_at(w, mark);
	}
	return true;
}

/* A message from the endpoint, made fit for one line of a terminal: control
 * characters replaced, cut at 200 bytes. */
static void clean_message(const char *msg, char *buf, size_t size)
{
	size_t n = 0;
	for (; msg && *msg && n + 1 < size && n < 200; msg++)
		buf[n++] = (unsigned char)*msg < 0x20 || *msg == 0x7f ? '?' : *msg;
	buf[n] = '\0';
}

bool catalogue_answer_parse(const struct catalogue_query *q, const char *body, size_t len,
			    struct catalogue_answer *out, char *err, size_t err_size)
{
	memset(out, 0, sizeof(*out));
	if (len > CATALOGUE_ANSWER_MAX)
		return util_fail(err, err_size, "the catalogue answer is refused: %zu bytes, over the "
						"limit of %u", len, CATALOGUE_ANSWER_MAX);
	cJSON *root = cJSON_ParseWithLength(body, len);
	if (!cJSON_IsObject(root)) {
		cJSON_Delete(root);
		return util_fail(err, err_size, "the catalogue answer is not a JSON object");
	}
	const cJSON *errors = cJSON_GetObjectItemCaseSensitive(root, "errors");
	/* an error list, even beside data: a partial answer is not the catalogue */
	if (errors && !cJSON_IsNull(errors) && !(cJSON_IsArray(errors) && !errors->child)) {
		const cJSON *first = cJSON_IsArray(errors) ? errors->child : NULL;
		char msg[256];
		clean_message(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(first, "message")),
			      msg, sizeof(msg));
		cJSON_Delete(root);
		return util_fail(err, err_size, "GraphQL error: %s", *msg ? msg : "(no message)");
	}
	struct where w = { err, err_size, "" };
	const cJSON *models;
	size_t count;
	if (!get_list(&w, root, q->paths[CATALOGUE_FIELD_MODELS], true, CATALOGUE_MODELS_MAX, &models,
		      &count)) {
		cJSON_Delete(root);
		return false;
	}
	out->root = root;
	out->models = xcalloc(count ? count : 1, sizeof(*out->models));
	size_t i = 0;
	for (const cJSON *m = models->child; m; m = m->next, i++) {
		size_t mark;
		push_at(&w, &mark, q->paths[CATALOGUE_FIELD_MODELS], i);
		struct catalogue_model *cm = &out->models[out->model_count++];
		if (!read_model(q, &w, m, cm, &out->unknown_types)) {
			catalogue_answer_free(out);
			return false;
		}
		for (size_t s = 0; s < cm->catalogue.service_count; s++)
			out->characteristic_count += cm->catalogue.services[s].characteristic_count;
		pop_at(&w, mark);
	}
	return true;
}

void catalogue_answer_free(struct catalogue_answer *a)
{
	if (!a)
		return;
	for (size_t i = 0; i < a->model_count; i++)
		payload_catalogue_free(&a->models[i].catalogue);
	free(a->models);
	cJSON_Delete(a->root);
	memset(a, 0, sizeof(*a));
}

const struct catalogue_model *catalogue_answer_model(const struct catalogue_answer *a,
						     const char *uuid)
{
	for (size_t i = 0; a && uuid && i < a->model_count; i++)
		if (a->models[i].uuid && strcmp(a->models[i].uuid, uuid) == 0)
			return &a->models[i];
	return NULL;
}

const struct payload_characteristic *catalogue_find_characteristic(
	const struct payload_catalogue *c, const char *service, const char *characteristic)
{
	for (size_t i = 0; c && service && characteristic && i < c->service_count; i++) {
		const struct payload_service *svc = &c->services[i];
		if (!svc->code || strcmp(svc->code, service) != 0)
			continue;
		for (size_t k = 0; k < svc->characteristic_count; k++)
			if (svc->characteristics[k].code &&
			    strcmp(svc->characteristics[k].code, characteristic) == 0)
				return &svc->characteristics[k];
	}
	return NULL;
}
