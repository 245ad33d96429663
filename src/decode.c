/* decode — see include/decode.h.
 *
 * One pass per message: parse (cJSON, or msgpack-c converted to the same
 * cJSON tree), then one table-driven field decoder per family walks each
 * object's children once and stores borrowed pointers into the tree.  Paths
 * for error messages ("[0].roles[2].name") are only formatted when something
 * fails, so the good path does no formatting and no per-field allocation. */
#include "decode.h"

#include <cJSON.h>
#include <math.h>
#include <msgpack.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* msgpack-c unpacks with a fixed stack of this many open containers
 * (MSGPACK_EMBED_STACK_SIZE, compiled into the library), so MessagePack
 * nesting is capped here whatever limits->max_depth says. */
#define MP_DEPTH_MAX 32
#ifdef MSGPACK_EMBED_STACK_SIZE
_Static_assert(MP_DEPTH_MAX <= MSGPACK_EMBED_STACK_SIZE, "msgpack-c unpack stack is smaller");
#endif

/* Path segments: fixed structures need 3 ("[0].roles[1]"); the MessagePack
 * conversion needs one per nesting level. */
#define PATH_SEGS_MAX (MP_DEPTH_MAX + 4)

/* Doubles hold every integer below 2^53 exactly. */
#define EXACT_INT_LIMIT 9007199254740992.0

struct path_seg {
	const char *key; /* NULL: an array index */
	size_t key_len;
	size_t index;
};

struct dctx {
	const struct topic_match *match;
	const struct decode_limits *limits;
	struct decode_result *out;
	struct path_seg seg[PATH_SEGS_MAX];
	int nseg;
};

/* ---- paths, errors, warnings -------------------------------------------- */

static void buf_append(char *buf, size_t size, size_t *len, const char *s, size_t n)
{
	if (*len + 1 >= size)
		return;
	if (n > size - 1 - *len)
		n = size - 1 - *len;
	memcpy(buf + *len, s, n);
	*len += n;
	buf[*len] = '\0';
}

/* The path of the current container plus `key` (NULL: the container). */
static void path_format(const struct dctx *c, const char *key, char *buf, size_t size)
{
	size_t len = 0;
	buf[0] = '\0';
	for (int i = 0; i < c->nseg; i++) {
		const struct path_seg *s = &c->seg[i];
		if (s->key) {
			if (len)
				buf_append(buf, size, &len, ".", 1);
			buf_append(buf, size, &len, s->key, s->key_len);
		} else {
			char idx[24];
			int n = snprintf(idx, sizeof(idx), "[%zu]", s->index);
			buf_append(buf, size, &len, idx, (size_t)n);
		}
	}
	if (key) {
		if (len)
			buf_append(buf, size, &len, ".", 1);
		buf_append(buf, size, &len, key, strlen(key));
	}
}

__attribute__((format(printf, 3, 4)))
static bool fail(struct dctx *c, const char *key, const char *fmt, ...)
{
	struct decode_result *out = c->out;
	va_list ap;
	out->ok = false;
	path_format(c, key, out->error_field, sizeof(out->error_field));
	va_start(ap, fmt);
	vsnprintf(out->error_message, sizeof(out->error_message), fmt, ap);
	va_end(ap);
	return false;
}

static bool seg_push_key(struct dctx *c, const char *key, size_t len)
{
	if (c->nseg >= PATH_SEGS_MAX)
		return fail(c, NULL, "nesting deeper than %d levels", PATH_SEGS_MAX);
	c->seg[c->nseg++] = (struct path_seg){ key, len, 0 };
	return true;
}

static bool seg_push_index(struct dctx *c, size_t index)
{
	if (c->nseg >= PATH_SEGS_MAX)
		return fail(c, NULL, "nesting deeper than %d levels", PATH_SEGS_MAX);
	c->seg[c->nseg++] = (struct path_seg){ NULL, 0, index };
	return true;
}

static void seg_pop(struct dctx *c)
{
	c->nseg--;
}

/* Containers of the fixed structures sit at depth nseg + 1 (the root has
 * no segment).  Called after pushing the segment of a container. */
static bool depth_check(struct dctx *c)
{
	if (c->nseg + 1 > c->limits->max_depth)
		return fail(c, NULL, "nesting deeper than %d levels", c->limits->max_depth);
	return true;
}

/* Length of the well-formed UTF-8 sequence at s (at most n bytes), 0 if it
 * is not one: no overlongs, no surrogates, nothing above U+10FFFF. */
static size_t utf8_seq_len(const unsigned char *s, size_t n)
{
	unsigned char b = s[0];
	unsigned char lo = 0x80, hi = 0xbf;
	size_t len;
	if (b < 0x80)
		return 1;
	if (b >= 0xc2 && b <= 0xdf) {
		len = 2;
	} else if (b >= 0xe0 && b <= 0xef) {
		len = 3;
		if (b == 0xe0)
			lo = 0xa0;
		else if (b == 0xed)
			hi = 0x9f;
	} else if (b >= 0xf0 && b <= 0xf4) {
		len = 4;
		if (b == 0xf0)
			lo = 0x90;
		else if (b == 0xf4)
			hi = 0x8f;
	} else {
		return 0;
	}
	if (n < len || s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < len; i++) {
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	}
	return len;
}

static bool utf8_valid(const unsigned char *s, size_t n)
{
	for (size_t i = 0; i < n;) {
		size_t k = utf8_seq_len(s + i, n - i);
		if (!k)
			return false;
		i += k;
	}
	return true;
}

/* Reports the first suspicious string of a message that is otherwise fine:
 * invalid UTF-8, or control characters a terminal could act on (C0 except
 * tab/newline/CR, DEL, C1).  The text is kept raw; the UI sanitises. */
static void text_check(struct dctx *c, const char *key, const char *text)
{
	struct decode_result *out = c->out;
	const unsigned char *s = (const unsigned char *)text;
	if (out->warning_message[0])
		return; /* only the first one is reported */
	for (size_t i = 0; s[i];) {
		unsigned char b = s[i];
		if (b >= 0x20 && b < 0x7f) {
			i++;
			continue;
		}
		/* The terminating NUL is never a continuation byte, so the
		 * sequence check stops at it without knowing the length. */
		size_t k = b < 0x80 ? 1 : utf8_seq_len(s + i, 4);
		if (!k) {
			path_format(c, key, out->warning_field, sizeof(out->warning_field));
			snprintf(out->warning_message, sizeof(out->warning_message),
				 "invalid UTF-8 at byte %zu of the string", i);
			return;
		}
		unsigned code = k == 1 ? b : k == 2 && b == 0xc2 ? s[i + 1] : 0x20;
		if ((code < 0x20 && code != '\t' && code != '\n' && code != '\r') ||
		    (code >= 0x7f && code <= 0x9f)) {
			path_format(c, key, out->warning_field, sizeof(out->warning_field));
			snprintf(out->warning_message, sizeof(out->warning_message),
				 "control character 0x%02x at byte %zu of the string", code, i);
			return;
		}
		i += k;
	}
}

/* A string holding a NUL: cJSON keeps C strings, so everything after it is
 * gone.  Reported as a warning naming what is left ("before") and where.
 * prefix: the string's bytes before the NUL. */
static void nul_warning(struct dctx *c, const char *key, const char *prefix, size_t n,
			const char *where)
{
	struct decode_result *out = c->out;
	if (out->warning_message[0])
		return; /* only the first one is reported */
	char shown[28];
	size_t k = 0;
	for (size_t i = 0; i < n && k < 24; i++) /* printable ASCII only, for a one-line message */
		shown[k++] = prefix[i] >= 0x20 && prefix[i] < 0x7f ? prefix[i] : '?';
	shown[k] = '\0';
	path_format(c, key, out->warning_field, sizeof(out->warning_field));
	snprintf(out->warning_message, sizeof(out->warning_message),
		 "string \"%s%s\" holds a NUL (%s): the rest of it is cut off", shown,
		 n > k ? "..." : "", where);
}

/* JSON: the \u0000 escape (or a raw NUL byte) inside a string token, keys
 * included, found in the raw text, since cJSON's tree cannot show it.  The
 * field is the payload's ("") — the scan knows no path. */
static void json_nul_scan(struct dctx *c, const char *p, size_t len)
{
	bool in = false;
	size_t start = 0;
	char where[48];
	for (size_t i = 0; i < len; i++) {
		char ch = p[i];
		if (!in) {
			if (ch == '"') {
				in = true;
				start = i + 1;
			}
			continue;
		}
		if (ch == '"') {
			in = false;
		} else if (ch == '\0') {
			snprintf(where, sizeof(where), "a raw NUL byte at byte %zu", i);
			nul_warning(c, NULL, p + start, i - start, where);
			return;
		} else if (ch == '\\') {
			if (i + 5 < len && p[i + 1] == 'u' && memcmp(p + i + 2, "0000", 4) == 0) {
				snprintf(where, sizeof(where), "\\u0000 at byte %zu", i);
				nul_warning(c, NULL, p + start, i - start, where);
				return;
			}
			i++; /* the escaped character: \" does not end the string */
		}
	}
}

/* JSON has no infinity, but cJSON turns a number beyond double's range
 * (1e400) into one; refused like MessagePack's NaN and ±inf, wherever it
 * is in the payload.  Bounded by the parser's own depth limit. */
static bool json_finite_check(struct dctx *c, const cJSON *node)
{
	for (const cJSON *it = node; it; it = it->next) {
		if (cJSON_IsNumber(it) && !isfinite(it->valuedouble))
			return fail(c, it->string, "number out of range (%s)",
				    it->valuedouble > 0 ? "overflows to +infinity" : "overflows to -infinity");
		if (it->child && !json_finite_check(c, it->child))
			return false;
	}
	return true;
}

static const char *json_type_name(const cJSON *item)
{
	switch (item->type & 0xff) {
	case cJSON_False:
	case cJSON_True:
		return "boolean";
	case cJSON_NULL:
		return "null";
	case cJSON_Number:
		return "number";
	case cJSON_String:
		return "string";
	case cJSON_Array:
		return "array";
	case cJSON_Object:
		return "object";
	default:
		return "invalid";
	}
}

/* ---- JSON --------------------------------------------------------------- */

static bool is_json_space(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r';
}

/* Deepest container nesting in p[0..end), strings skipped.  Only run when
 * cJSON failed, to tell "too deep" from a syntax error. */
static int json_depth_before(const char *p, size_t end)
{
	int depth = 0, deepest = 0;
	bool in_string = false;
	for (size_t i = 0; i < end; i++) {
		char ch = p[i];
		if (in_string) {
			if (ch == '\\')
				i++;
			else if (ch == '"')
				in_string = false;
		} else if (ch == '"') {
			in_string = true;
		} else if (ch == '[' || ch == '{') {
			if (++depth > deepest)
				deepest = depth;
		} else if (ch == ']' || ch == '}') {
			depth--;
		}
	}
	return deepest;
}

/* Parses the whole payload (only trailing whitespace may follow the value).
 * quiet: no error recorded (the error reply probe). */
static cJSON *json_parse(struct dctx *c, const char *p, size_t len, bool quiet)
{
	const char *end = NULL;
	cJSON *root = cJSON_ParseWithLengthOpts(p, len, &end, false);
	if (!root) {
		if (quiet)
			return NULL;
		size_t at = end && end >= p && (size_t)(end - p) <= len ? (size_t)(end - p) : 0;
		if (json_depth_before(p, at < len ? at + 1 : len) > c->limits->max_depth)
			fail(c, NULL, "nesting deeper than %d levels", c->limits->max_depth);
		else
			fail(c, NULL, "invalid JSON near byte %zu", at);
		return NULL;
	}
	size_t at = (size_t)(end - p);
	while (at < len && is_json_space(p[at]))
		at++;
	if (at < len) {
		cJSON_Delete(root);
		if (!quiet)
			fail(c, NULL, "invalid JSON near byte %zu (data after the value)", at);
		return NULL;
	}
	if (!quiet) {
		if (!json_finite_check(c, root)) {
			cJSON_Delete(root);
			return NULL;
		}
		json_nul_scan(c, p, len);
	}
	return root;
}

/* ---- MessagePack -------------------------------------------------------- */

static uint64_t be_read(const unsigned char *p, size_t n)
{
	uint64_t v = 0;
	for (size_t i = 0; i < n; i++)
		v = v << 8 | p[i];
	return v;
}

/* Checks the structure before msgpack-c sees it: one complete object, no
 * trailing bytes, nesting within max_depth, and no container announcing
 * more elements than bytes remain — msgpack-c allocates a container's
 * element array up front, so a 5-byte header could ask for gigabytes. */
static bool mp_scan(struct dctx *c, const unsigned char *p, size_t len, int max_depth, bool quiet)
{
	uint64_t left[MP_DEPTH_MAX];
	int top = 0;
	size_t off = 0;
	for (;;) {
		if (off >= len)
			return quiet ? false : fail(c, NULL, "truncated MessagePack (%zu bytes)", len);
		unsigned char b = p[off];
		size_t hdr = 1, len_bytes = 0;
		uint64_t skip = 0, count = 0;
		int container = 0; /* 1 array, 2 map */
		if (b <= 0x7f || b >= 0xe0 || b == 0xc0 || b == 0xc2 || b == 0xc3) {
			/* fixint, nil, bool */
		} else if (b <= 0x8f) {
			container = 2;
			count = b & 0x0f;
		} else if (b <= 0x9f) {
			container = 1;
			count = b & 0x0f;
		} else if (b <= 0xbf) {
			skip = b & 0x1f;
		} else {
			switch (b) {
			case 0xc4: case 0xc5: case 0xc6: /* bin 8/16/32 */
				len_bytes = (size_t)1 << (b - 0xc4);
				hdr = 1 + len_bytes;
				break;
			case 0xc7: case 0xc8: case 0xc9: /* ext 8/16/32: length, type */
				len_bytes = (size_t)1 << (b - 0xc7);
				hdr = 2 + len_bytes;
				break;
			case 0xca: skip = 4; break;
			case 0xcb: skip = 8; break;
			case 0xcc: case 0xcd: case 0xce: case 0xcf:
				skip = (uint64_t)1 << (b - 0xcc);
				break;
			case 0xd0: case 0xd1: case 0xd2: case 0xd3:
				skip = (uint64_t)1 << (b - 0xd0);
				break;
			case 0xd4: case 0xd5: case 0xd6: case 0xd7: case 0xd8: /* fixext */
				skip = 1 + ((uint64_t)1 << (b - 0xd4));
				break;
			case 0xd9: case 0xda: case 0xdb: /* str 8/16/32 */
				len_bytes = (size_t)1 << (b - 0xd9);
				hdr = 1 + len_bytes;
				break;
			case 0xdc: case 0xdd: /* array 16/32 */
				container = 1;
				len_bytes = b == 0xdc ? 2 : 4;
				hdr = 1 + len_bytes;
				break;
			case 0xde: case 0xdf: /* map 16/32 */
				container = 2;
				len_bytes = b == 0xde ? 2 : 4;
				hdr = 1 + len_bytes;
				break;
			default: /* 0xc1 is never used */
				return quiet ? false
					     : fail(c, NULL, "invalid MessagePack near byte %zu", off);
			}
		}
		if (len - off < hdr)
			return quiet ? false : fail(c, NULL, "truncated MessagePack (%zu bytes)", len);
		if (len_bytes) {
			uint64_t n = be_read(p + off + 1, len_bytes);
			if (container)
				count = n;
			else
				skip = n;
		}
		if (container == 2)
			count *= 2;
		off += hdr;
		if (skip > len - off)
			return quiet ? false : fail(c, NULL, "truncated MessagePack (%zu bytes)", len);
		off += (size_t)skip;
		if (container) {
			if (top + 1 > max_depth)
				return quiet ? false
					     : fail(c, NULL, "nesting deeper than %d levels", max_depth);
			if (count > len - off)
				return quiet ? false
					     : fail(c, NULL,
						    "invalid MessagePack near byte %zu (container larger than the payload)",
						    off - hdr);
			if (count) {
				left[top++] = count;
				continue;
			}
		}
		/* One element done: close every container it completes. */
		while (top > 0 && --left[top - 1] == 0)
			top--;
		if (top == 0)
			break;
	}
	if (off != len)
		return quiet ? false
			     : fail(c, NULL, "invalid MessagePack near byte %zu (data after the value)",
				    off);
	return true;
}

/* cJSON reports allocation failure as NULL; like xmalloc, give up. */
static cJSON *node_check(cJSON *node)
{
	if (!node) {
		fprintf(stderr, "drivr: out of memory (cJSON node)\n");
		abort();
	}
	return node;
}

static char *mp_strdup(const char *s, size_t len)
{
	char *copy = cJSON_malloc(len + 1); /* freed by cJSON_Delete */
	if (!copy) {
		fprintf(stderr, "drivr: out of memory (%zu bytes)\n", len + 1);
		abort();
	}
	if (len)
		memcpy(copy, s, len);
	copy[len] = '\0';
	return copy;
}

/* Links item after *tail, keeping cJSON's invariant child->prev == last. */
static void node_append(cJSON *parent, cJSON **tail, cJSON *item)
{
	if (*tail) {
		(*tail)->next = item;
		item->prev = *tail;
	} else {
		parent->child = item;
	}
	*tail = item;
	parent->child->prev = item;
}

static cJSON *mp_convert(struct dctx *c, const msgpack_object *o, bool quiet);

static cJSON *mp_convert_array(struct dctx *c, const msgpack_object *o, bool quiet)
{
	cJSON *array = node_check(cJSON_CreateArray()), *tail = NULL;
	for (uint32_t i = 0; i < o->via.array.size; i++) {
		if (!seg_push_index(c, i)) {
			cJSON_Delete(array);
			return NULL;
		}
		cJSON *item = mp_convert(c, &o->via.array.ptr[i], quiet);
		seg_pop(c);
		if (!item) {
			cJSON_Delete(array);
			return NULL;
		}
		node_append(array, &tail, item);
	}
	return array;
}

static cJSON *mp_convert_map(struct dctx *c, const msgpack_object *o, bool quiet)
{
	cJSON *object = node_check(cJSON_CreateObject()), *tail = NULL;
	for (uint32_t i = 0; i < o->via.map.size; i++) {
		const msgpack_object_kv *kv = &o->via.map.ptr[i];
		if (kv->key.type != MSGPACK_OBJECT_STR) {
			if (!quiet)
				fail(c, NULL, "map key is not a string");
			cJSON_Delete(object);
			return NULL;
		}
		const char *key = kv->key.via.str.ptr;
		size_t key_len = kv->key.via.str.size;
		if (!seg_push_key(c, key, key_len)) {
			cJSON_Delete(object);
			return NULL;
		}
		cJSON *item = mp_convert(c, &kv->val, quiet);
		seg_pop(c);
		if (!item) {
			cJSON_Delete(object);
			return NULL;
		}
		item->string = mp_strdup(key, key_len);
		node_append(object, &tail, item);
	}
	return object;
}

/* One msgpack object → cJSON, so the JSON field decoder reads it.  Paths of
 * errors come from the segments pushed on the way down. */
static cJSON *mp_convert(struct dctx *c, const msgpack_object *o, bool quiet)
{
	cJSON *node;
	switch (o->type) {
	case MSGPACK_OBJECT_NIL:
		return node_check(cJSON_CreateNull());
	case MSGPACK_OBJECT_BOOLEAN:
		return node_check(cJSON_CreateBool(o->via.boolean));
	case MSGPACK_OBJECT_POSITIVE_INTEGER:
		return node_check(cJSON_CreateNumber((double)o->via.u64));
	case MSGPACK_OBJECT_NEGATIVE_INTEGER:
		return node_check(cJSON_CreateNumber((double)o->via.i64));
	case MSGPACK_OBJECT_FLOAT32:
	case MSGPACK_OBJECT_FLOAT64:
		/* JSON has no NaN or infinity; cJSON would also convert them
		 * to int (UB). */
		if (isnan(o->via.f64)) {
			if (!quiet)
				fail(c, NULL, "NaN is not a valid number");
			return NULL;
		}
		if (isinf(o->via.f64)) {
			if (!quiet)
				fail(c, NULL, "%s is not a valid number",
				     o->via.f64 > 0 ? "+infinity" : "-infinity");
			return NULL;
		}
		return node_check(cJSON_CreateNumber(o->via.f64));
	case MSGPACK_OBJECT_STR:
		node = node_check(cJSON_CreateNull());
		node->type = cJSON_String;
		node->valuestring = mp_strdup(o->via.str.ptr, o->via.str.size);
		if (!quiet) {
			const char *nul = memchr(o->via.str.ptr, 0, o->via.str.size);
			if (nul)
				nul_warning(c, NULL, o->via.str.ptr, (size_t)(nul - o->via.str.ptr),
					    "a NUL byte");
		}
		return node;
	case MSGPACK_OBJECT_ARRAY:
		return mp_convert_array(c, o, quiet);
	case MSGPACK_OBJECT_MAP:
		return mp_convert_map(c, o, quiet);
	case MSGPACK_OBJECT_BIN:
		if (!quiet)
			fail(c, NULL, "binary value not supported");
		return NULL;
	case MSGPACK_OBJECT_EXT:
		if (!quiet)
			fail(c, NULL, "extension value (type %d) not supported", o->via.ext.type);
		return NULL;
	}
	if (!quiet)
		fail(c, NULL, "unknown MessagePack type %d", (int)o->type);
	return NULL;
}

static cJSON *msgpack_parse(struct dctx *c, const char *p, size_t len, bool quiet)
{
	int max_depth = c->limits->max_depth < MP_DEPTH_MAX ? c->limits->max_depth : MP_DEPTH_MAX;
	if (!mp_scan(c, (const unsigned char *)p, len, max_depth, quiet))
		return NULL;
	msgpack_unpacked unpacked;
	size_t off = 0;
	msgpack_unpacked_init(&unpacked);
	msgpack_unpack_return ret = msgpack_unpack_next(&unpacked, p, len, &off);
	cJSON *root = NULL;
	if (ret == MSGPACK_UNPACK_SUCCESS && off == len) {
		root = mp_convert(c, &unpacked.data, quiet);
		c->nseg = 0;
	} else if (!quiet) {
		fail(c, NULL, "invalid MessagePack (msgpack-c error %d)", (int)ret);
	}
	msgpack_unpacked_destroy(&unpacked);
	return root;
}

/* ---- field tables ------------------------------------------------------- */

enum field_kind {
	F_STRING,  /* const char * */
	F_TIME,    /* double, DECODE_TIME_ABSENT */
	F_TRIBOOL, /* int: -1 absent, 0, 1 */
	F_INDEX,   /* int: -1 absent, else a non-negative integer */
	F_VALUE,   /* struct value */
	F_OBJECT,  /* nested object decoded with `sub` into the same base */
};

struct field_spec {
	const char *key;
	enum field_kind kind;
	size_t offset;
	const struct field_spec *sub;
	size_t nsub;
};

#define FS(key, type, member) { key, F_STRING, offsetof(type, member), NULL, 0 }
#define FT(key, type, member) { key, F_TIME, offsetof(type, member), NULL, 0 }
#define FB(key, type, member) { key, F_TRIBOOL, offsetof(type, member), NULL, 0 }
#define FI(key, type, member) { key, F_INDEX, offsetof(type, member), NULL, 0 }
#define FV(key, type, member) { key, F_VALUE, offsetof(type, member), NULL, 0 }
#define FO(key, sub) { key, F_OBJECT, 0, sub, ARRAY_LEN(sub) }

/* The stream address shared by datapoints, setpoints and setpoint inputs. */
#define ADDR_FIELDS(type)                                                         \
	FS("timeStreamUuid", type, addr.time_stream_uuid),                        \
	FS("systemUuid", type, addr.system_uuid),                                 \
	FS("systemCode", type, addr.system_code),                                 \
	FS("componentUuid", type, addr.component_uuid),                           \
	FS("componentCode", type, addr.component_code),                           \
	FS("serviceUuid", type, addr.service_uuid),                               \
	FS("serviceCode", type, addr.service_code),                               \
	FS("characteristicUuid", type, addr.characteristic_uuid),                 \
	FS("characteristicCode", type, addr.characteristic_code),                 \
	FI("serviceIndex", type, addr.service_index)

static const struct field_spec domain_fields[] = {
	FS("uuid", struct upd_domain, uuid),
	FS("slug", struct upd_domain, slug),
	FS("name", struct upd_domain, name),
	FS("status", struct upd_domain, status),
	FS("ownerUuid", struct upd_domain, owner_uuid),
	FT("createdAt", struct upd_domain, created_at),
	FT("updatedAt", struct upd_domain, updated_at),
};

static const struct field_spec organization_fields[] = {
	FS("uuid", struct upd_organization, uuid),
	FS("name", struct upd_organization, name),
	FS("alias", struct upd_organization, alias),
	FS("domainUuid", struct upd_organization, domain_uuid),
	FS("status", struct upd_organization, status),
	FT("createdAt", struct upd_organization, created_at),
	FT("updatedAt", struct upd_organization, updated_at),
};

static const struct field_spec system_fields[] = {
	FS("uuid", struct upd_system, uuid),
	FS("code", struct upd_system, code),
	FS("name", struct upd_system, name),
	FS("description", struct upd_system, description),
	FS("connectionState", struct upd_system, connection_state),
	FS("status", struct upd_system, status),
	FS("domainUuid", struct upd_system, domain_uuid),
	FS("ownerUuid", struct upd_system, owner_uuid),
	FT("connectionStateUpdatedAt", struct upd_system, connection_state_updated_at),
	FT("createdAt", struct upd_system, created_at),
	FT("updatedAt", struct upd_system, updated_at),
};

static const struct field_spec component_fields[] = {
	FS("uuid", struct upd_component, uuid),
	FS("code", struct upd_component, code),
	FS("name", struct upd_component, name),
	FS("componentModelUuid", struct upd_component, component_model_uuid),
	FS("systemUuid", struct upd_component, system_uuid),
	FS("connectionState", struct upd_component, connection_state),
	FS("status", struct upd_component, status),
	FT("connectionStateUpdatedAt", struct upd_component, connection_state_updated_at),
	FT("createdAt", struct upd_component, created_at),
	FT("updatedAt", struct upd_component, updated_at),
};

static const struct field_spec component_model_fields[] = {
	FS("uuid", struct upd_component_model, uuid),
	FS("code", struct upd_component_model, code),
	FS("name", struct upd_component_model, name),
	FS("description", struct upd_component_model, description),
	FS("componentType", struct upd_component_model, component_type),
	FS("status", struct upd_component_model, status),
	FB("isConnective", struct upd_component_model, is_connective),
	FT("createdAt", struct upd_component_model, created_at),
	FT("updatedAt", struct upd_component_model, updated_at),
};

static const struct field_spec event_model_fields[] = {
	FS("uuid", struct upd_event_model, uuid),
	FS("code", struct upd_event_model, code),
	FS("eventLevel", struct upd_event_model, event_level),
	FS("eventType", struct upd_event_model, event_type),
	FS("entityType", struct upd_event_model, entity_type),
	FS("message", struct upd_event_model, message),
	FS("status", struct upd_event_model, status),
	FB("limitToPrototypes", struct upd_event_model, limit_to_prototypes),
	FT("createdAt", struct upd_event_model, created_at),
	FT("updatedAt", struct upd_event_model, updated_at),
};

static const struct field_spec event_fields[] = {
	FS("uuid", struct upd_event, uuid),
	FS("eventModelUuid", struct upd_event, event_model_uuid),
	FS("entityUuid", struct upd_event, entity_uuid),
	FS("status", struct upd_event, status),
	FB("acknowledged", struct upd_event, acknowledged),
	FT("time", struct upd_event, time),
	FT("endTime", struct upd_event, end_time),
	FT("createdAt", struct upd_event, created_at),
	FT("updatedAt", struct upd_event, updated_at),
};

static const struct field_spec datapoint_fields[] = {
	ADDR_FIELDS(struct datapoint),
	FT("time", struct datapoint, time),
	FV("value", struct datapoint, value),
};

static const struct field_spec setpoint_fields[] = {
	ADDR_FIELDS(struct upd_setpoint),
	FS("uuid", struct upd_setpoint, uuid),
	FS("receiptId", struct upd_setpoint, receipt_id),
	FS("type", struct upd_setpoint, type),
	FS("state", struct upd_setpoint, state),
	FS("message", struct upd_setpoint, message),
	FT("time", struct upd_setpoint, time),
	FV("value", struct upd_setpoint, value),
};

static const struct field_spec setpoint_input_fields[] = {
	ADDR_FIELDS(struct upd_setpoint_input),
	FV("value", struct upd_setpoint_input, value),
};

static const struct field_spec setpoint_ack_fields[] = {
	FS("receiptId", struct upd_setpoint_ack, receipt_id),
	FS("state", struct upd_setpoint_ack, state),
	FS("message", struct upd_setpoint_ack, message),
};

static const struct field_spec system_input_fields[] = {
	FS("name", struct upd_system_input, name),
	FS("description", struct upd_system_input, description),
	FS("status", struct upd_system_input, status),
	FS("connectionState", struct upd_system_input, connection_state),
};

static const struct field_spec component_input_fields[] = {
	FS("code", struct upd_component_input, code),
	FS("componentModelUuid", struct upd_component_input, component_model_uuid),
	FS("systemUuid", struct upd_component_input, system_uuid),
	FS("name", struct upd_component_input, name),
	FS("status", struct upd_component_input, status),
	FS("connectionState", struct upd_component_input, connection_state),
};

static const struct field_spec event_input_fields[] = {
	FS("eventModelUuid", struct upd_event_input, event_model_uuid),
	FT("time", struct upd_event_input, time),
	FT("endTime", struct upd_event_input, end_time),
};

/* The event acknowledgement names its event either way; eventUuid wins. */
struct event_ack_raw {
	const char *event_uuid, *uuid;
};

static const struct field_spec event_ack_fields[] = {
	FS("eventUuid", struct event_ack_raw, event_uuid),
	FS("uuid", struct event_ack_raw, uuid),
};

static const struct field_spec token_subject_fields[] = {
	FS("uuid", struct token, subject_uuid),
	FS("name", struct token, subject_name),
	FS("type", struct token, subject_type),
};

/* "roles" is read separately: its items live in the result's block. */
static const struct field_spec token_fields[] = {
	FS("uuid", struct token, uuid),
	FS("status", struct token, status),
	FS("systemUuid", struct token, system_uuid),
	FS("token", struct token, token),
	FT("createdAt", struct token, created_at),
	FT("expiresAt", struct token, expires_at),
	FT("notBefore", struct token, not_before),
	FO("subject", token_subject_fields),
};

static const struct field_spec role_fields[] = {
	FS("uuid", struct token_role, uuid),
	FS("name", struct token_role, name),
};

static const struct field_spec jwk_fields[] = {
	FS("kid", struct jwk, kid),
	FS("kty", struct jwk, kty),
	FS("alg", struct jwk, alg),
	FS("use", struct jwk, use),
	FS("n", struct jwk, n),
	FS("e", struct jwk, e),
};

/* ---- field decoding ----------------------------------------------------- */

#define FIELD(base, f, type) ((type *)(void *)((char *)(base) + (f)->offset))

static void fields_defaults(const struct field_spec *specs, size_t n, void *base)
{
	for (size_t i = 0; i < n; i++) {
		const struct field_spec *f = &specs[i];
		if (f->kind == F_TIME)
			*FIELD(base, f, double) = DECODE_TIME_ABSENT;
		else if (f->kind == F_TRIBOOL || f->kind == F_INDEX)
			*FIELD(base, f, int) = -1;
		else if (f->kind == F_OBJECT)
			fields_defaults(f->sub, f->nsub, base);
	}
}

static const struct field_spec *field_find(const struct field_spec *specs, size_t n,
					   const char *key)
{
	for (size_t i = 0; i < n; i++) {
		if (specs[i].key[0] == key[0] && strcmp(specs[i].key, key) == 0)
			return &specs[i];
	}
	return NULL;
}

/* Depth and suspicious strings inside a VALUE_JSON value; `depth` is the
 * nesting level of `node` itself. */
static bool json_value_walk(struct dctx *c, const char *key, const cJSON *node, int depth)
{
	if (depth > c->limits->max_depth)
		return fail(c, key, "nesting deeper than %d levels", c->limits->max_depth);
	for (const cJSON *it = node->child; it; it = it->next) {
		if (cJSON_IsString(it))
			text_check(c, key, it->valuestring);
		else if ((cJSON_IsArray(it) || cJSON_IsObject(it)) &&
			 !json_value_walk(c, key, it, depth + 1))
			return false;
	}
	return true;
}

static bool value_read(struct dctx *c, const char *key, const cJSON *item, struct value *v)
{
	memset(v, 0, sizeof(*v));
	switch (item->type & 0xff) {
	case cJSON_NULL:
		v->type = VALUE_NULL;
		return true;
	case cJSON_False:
	case cJSON_True:
		v->type = VALUE_BOOL;
		v->boolean = cJSON_IsTrue(item);
		return true;
	case cJSON_Number:
		v->type = VALUE_NUMBER;
		v->number = item->valuedouble;
		/* cJSON keeps no number text: integral and exact counts. */
		v->is_integer = fabs(v->number) < EXACT_INT_LIMIT && v->number == floor(v->number);
		return true;
	case cJSON_String:
		v->type = VALUE_STRING;
		v->text = item->valuestring;
		text_check(c, key, v->text);
		return true;
	case cJSON_Array:
	case cJSON_Object:
		v->type = VALUE_JSON;
		v->json = item;
		/* The object holding the value sits at nseg + 1. */
		return json_value_walk(c, key, item, c->nseg + 2);
	default:
		return fail(c, key, "unsupported value");
	}
}

static bool fields_decode(struct dctx *c, const cJSON *obj, const struct field_spec *specs,
			  size_t n, void *base);

static bool field_read(struct dctx *c, const struct field_spec *f, const cJSON *item, void *base)
{
	bool null = cJSON_IsNull(item);
	switch (f->kind) {
	case F_STRING:
		if (null) {
			*FIELD(base, f, const char *) = NULL;
			return true;
		}
		if (!cJSON_IsString(item))
			return fail(c, f->key, "expected string, got %s", json_type_name(item));
		*FIELD(base, f, const char *) = item->valuestring;
		text_check(c, f->key, item->valuestring);
		return true;
	case F_TIME: {
		double t = DECODE_TIME_ABSENT;
		if (!null) {
			if (!cJSON_IsString(item))
				return fail(c, f->key, "expected ISO-8601 date-time, got %s",
					    json_type_name(item));
			t = time_parse_iso8601(item->valuestring);
			if (t == TIME_UNKNOWN)
				return fail(c, f->key, "expected ISO-8601 date-time");
		}
		*FIELD(base, f, double) = t;
		return true;
	}
	case F_TRIBOOL:
		if (!null && !cJSON_IsBool(item))
			return fail(c, f->key, "expected boolean, got %s", json_type_name(item));
		*FIELD(base, f, int) = null ? -1 : cJSON_IsTrue(item) ? 1 : 0;
		return true;
	case F_INDEX: {
		int v = -1;
		if (!null) {
			if (!cJSON_IsNumber(item))
				return fail(c, f->key, "expected integer, got %s", json_type_name(item));
			double d = item->valuedouble;
			if (!(d >= 0 && d <= 1e9) || d != floor(d))
				return fail(c, f->key, "expected a non-negative integer");
			v = (int)d;
		}
		*FIELD(base, f, int) = v;
		return true;
	}
	case F_VALUE:
		return value_read(c, f->key, item, FIELD(base, f, struct value));
	case F_OBJECT: {
		if (null)
			return true;
		if (!cJSON_IsObject(item))
			return fail(c, f->key, "expected object, got %s", json_type_name(item));
		if (!seg_push_key(c, f->key, strlen(f->key)) || !depth_check(c))
			return false;
		bool ok = fields_decode(c, item, f->sub, f->nsub, base);
		seg_pop(c);
		return ok;
	}
	}
	return fail(c, f->key, "internal: unknown field kind");
}

/* One pass over the object's members; unknown members are ignored. */
static bool fields_decode(struct dctx *c, const cJSON *obj, const struct field_spec *specs,
			  size_t n, void *base)
{
	for (const cJSON *it = obj->child; it; it = it->next) {
		if (!it->string)
			continue;
		const struct field_spec *f = field_find(specs, n, it->string);
		if (f && !field_read(c, f, it, base))
			return false;
	}
	return true;
}

/* Root or array item that must be an object, decoded with a table. */
static bool object_decode(struct dctx *c, const cJSON *obj, const struct field_spec *specs,
			  size_t n, void *base)
{
	fields_defaults(specs, n, base);
	if (!cJSON_IsObject(obj))
		return fail(c, NULL, "expected object, got %s", json_type_name(obj));
	return fields_decode(c, obj, specs, n, base);
}

static bool require(struct dctx *c, const void *present, const char *key)
{
	return present ? true : fail(c, key, "missing required field");
}

/* Items of an array node, or 1 for a lone object. */
static size_t array_count(const cJSON *node)
{
	size_t n = 0;
	for (const cJSON *it = node->child; it; it = it->next)
		n++;
	return n;
}

/* ---- per family --------------------------------------------------------- */

#define DECODE_TABLE(c, root, table, member) \
	object_decode(c, root, table, ARRAY_LEN(table), &(c)->out->u.member)

static bool address_complete(const struct stream_address *a)
{
	return a->time_stream_uuid ||
	       ((a->component_uuid || a->component_code) && (a->service_uuid || a->service_code) &&
		(a->characteristic_uuid || a->characteristic_code));
}

static bool address_require(struct dctx *c, const struct stream_address *a)
{
	if (address_complete(a))
		return true;
	return fail(c, NULL,
		    "no time stream: needs timeStreamUuid, or component, service and "
		    "characteristic (code or uuid)");
}

static bool datapoint_decode(struct dctx *c, const cJSON *obj, struct datapoint *dp)
{
	if (!object_decode(c, obj, datapoint_fields, ARRAY_LEN(datapoint_fields), dp))
		return false;
	if (dp->value.type == VALUE_ABSENT)
		return fail(c, "value", "missing required field");
	return address_require(c, &dp->addr);
}

static bool decode_datapoints(struct dctx *c, const cJSON *root)
{
	struct upd_datapoints *u = &c->out->u.datapoints;
	if (cJSON_IsObject(root)) {
		u->items = xcalloc(1, sizeof(*u->items));
		c->out->arrays = u->items;
		u->count = 1;
		return datapoint_decode(c, root, &u->items[0]);
	}
	if (!cJSON_IsArray(root))
		return fail(c, NULL, "expected object or array, got %s", json_type_name(root));
	size_t n = array_count(root);
	if (!n)
		return true;
	u->items = xcalloc(n, sizeof(*u->items));
	c->out->arrays = u->items;
	u->count = n;
	size_t i = 0;
	for (const cJSON *it = root->child; it; it = it->next, i++) {
		if (!seg_push_index(c, i) || !depth_check(c))
			return false;
		if (!datapoint_decode(c, it, &u->items[i]))
			return false;
		seg_pop(c);
	}
	return true;
}

static const cJSON *token_roles(const cJSON *token)
{
	return cJSON_IsObject(token) ? cJSON_GetObjectItemCaseSensitive(token, "roles") : NULL;
}

static bool token_decode(struct dctx *c, const cJSON *obj, struct token *t,
			 struct token_role **next_role)
{
	if (!object_decode(c, obj, token_fields, ARRAY_LEN(token_fields), t))
		return false;
	if (!require(c, t->uuid, "uuid"))
		return false;
	const cJSON *roles = token_roles(obj);
	if (!roles || cJSON_IsNull(roles))
		return true;
	if (!cJSON_IsArray(roles))
		return fail(c, "roles", "expected array, got %s", json_type_name(roles));
	if (!seg_push_key(c, "roles", 5) || !depth_check(c))
		return false;
	t->roles = *next_role;
	size_t k = 0;
	for (const cJSON *it = roles->child; it; it = it->next, k++) {
		if (!seg_push_index(c, k) || !depth_check(c))
			return false;
		if (!object_decode(c, it, role_fields, ARRAY_LEN(role_fields), &t->roles[k]))
			return false;
		seg_pop(c);
	}
	t->role_count = k;
	*next_role += k;
	seg_pop(c);
	return true;
}

/* Tokens and all their roles share one block: tokens first, then roles. */
static bool decode_tokens(struct dctx *c, const cJSON *root)
{
	struct upd_tokens *u = &c->out->u.tokens;
	if (!cJSON_IsArray(root))
		return fail(c, NULL, "expected array, got %s", json_type_name(root));
	size_t n = 0, roles = 0;
	for (const cJSON *it = root->child; it; it = it->next) {
		const cJSON *r = token_roles(it);
		n++;
		if (cJSON_IsArray(r))
			roles += array_count(r);
	}
	if (!n)
		return true;
	char *block = xcalloc(1, n * sizeof(struct token) + roles * sizeof(struct token_role));
	c->out->arrays = block;
	u->items = (struct token *)(void *)block;
	u->count = n;
	struct token_role *next_role = (struct token_role *)(void *)(block + n * sizeof(struct token));
	size_t i = 0;
	for (const cJSON *it = root->child; it; it = it->next, i++) {
		if (!seg_push_index(c, i) || !depth_check(c))
			return false;
		if (!token_decode(c, it, &u->items[i], &next_role))
			return false;
		seg_pop(c);
	}
	return true;
}

static bool decode_jwks(struct dctx *c, const cJSON *root)
{
	struct upd_jwks *u = &c->out->u.jwks;
	if (!cJSON_IsObject(root))
		return fail(c, NULL, "expected object, got %s", json_type_name(root));
	const cJSON *keys = cJSON_GetObjectItemCaseSensitive(root, "keys");
	if (!keys || cJSON_IsNull(keys))
		return fail(c, "keys", "missing required field");
	if (!cJSON_IsArray(keys))
		return fail(c, "keys", "expected array, got %s", json_type_name(keys));
	size_t n = array_count(keys);
	if (!n)
		return true;
	u->items = xcalloc(n, sizeof(*u->items));
	c->out->arrays = u->items;
	u->count = n;
	if (!seg_push_key(c, "keys", 4) || !depth_check(c))
		return false;
	size_t i = 0;
	for (const cJSON *it = keys->child; it; it = it->next, i++) {
		if (!seg_push_index(c, i) || !depth_check(c))
			return false;
		if (!object_decode(c, it, jwk_fields, ARRAY_LEN(jwk_fields), &u->items[i]) ||
		    !require(c, u->items[i].kty, "kty"))
			return false;
		seg_pop(c);
	}
	seg_pop(c);
	return true;
}

static bool decode_tree(struct dctx *c, const cJSON *root)
{
	struct decode_result *out = c->out;
	const struct topic_match *m = c->match;
	switch (m->family) {
	case TOPIC_DOMAIN:
		return DECODE_TABLE(c, root, domain_fields, domain) &&
		       require(c, out->u.domain.uuid, "uuid") &&
		       require(c, out->u.domain.slug, "slug");
	case TOPIC_ORGANIZATION:
		return DECODE_TABLE(c, root, organization_fields, organization) &&
		       require(c, out->u.organization.uuid, "uuid");
	case TOPIC_SYSTEM:
		return DECODE_TABLE(c, root, system_fields, system) &&
		       require(c, out->u.system.uuid, "uuid");
	case TOPIC_COMPONENT:
		/* Components are keyed by code; the topic carries it too. */
		return DECODE_TABLE(c, root, component_fields, component) &&
		       require(c, out->u.component.code ? out->u.component.code
							 : m->ids[TOPIC_ID_COMPONENT_CODE].ptr,
			       "code");
	case TOPIC_COMPONENT_MODEL:
		return DECODE_TABLE(c, root, component_model_fields, component_model) &&
		       require(c, out->u.component_model.uuid, "uuid");
	case TOPIC_EVENT_MODEL:
		return DECODE_TABLE(c, root, event_model_fields, event_model) &&
		       require(c, out->u.event_model.uuid, "uuid");
	case TOPIC_EVENT:
		return DECODE_TABLE(c, root, event_fields, event) &&
		       require(c, out->u.event.uuid ? out->u.event.uuid
						     : m->ids[TOPIC_ID_EVENT_UUID].ptr,
			       "uuid");
	case TOPIC_SETPOINT:
		return DECODE_TABLE(c, root, setpoint_fields, setpoint) &&
		       (out->u.setpoint.receipt_id || out->u.setpoint.uuid ||
			fail(c, "receiptId", "missing required field (receiptId or uuid)"));
	case TOPIC_LOCAL_API_TOKENS:
		return decode_tokens(c, root);
	case TOPIC_JWKS:
		return decode_jwks(c, root);
	case TOPIC_SYSTEM_INPUT:
		return DECODE_TABLE(c, root, system_input_fields, system_input);
	case TOPIC_COMPONENT_INPUT:
		return DECODE_TABLE(c, root, component_input_fields, component_input);
	case TOPIC_DATAPOINT_INPUT:
		return decode_datapoints(c, root);
	case TOPIC_SETPOINT_ACK:
		return DECODE_TABLE(c, root, setpoint_ack_fields, setpoint_ack) &&
		       require(c, out->u.setpoint_ack.receipt_id, "receiptId") &&
		       require(c, out->u.setpoint_ack.state, "state");
	case TOPIC_SETPOINT_INPUT: {
		struct upd_setpoint_input *u = &out->u.setpoint_input;
		if (!DECODE_TABLE(c, root, setpoint_input_fields, setpoint_input))
			return false;
		if (u->value.type == VALUE_ABSENT)
			return fail(c, "value", "missing required field");
		return address_require(c, &u->addr);
	}
	case TOPIC_EVENT_INPUT_SYSTEM:
	case TOPIC_EVENT_INPUT_COMPONENT:
		return DECODE_TABLE(c, root, event_input_fields, event_input) &&
		       require(c, out->u.event_input.event_model_uuid, "eventModelUuid");
	case TOPIC_EVENT_ACK: {
		struct event_ack_raw raw = { NULL, NULL };
		if (!object_decode(c, root, event_ack_fields, ARRAY_LEN(event_ack_fields), &raw))
			return false;
		out->u.event_ack.event_uuid = raw.event_uuid ? raw.event_uuid : raw.uuid;
		return true;
	}
	default:
		return fail(c, NULL, "no decoder for family %d", (int)m->family);
	}
}

/* ---- state words -------------------------------------------------------- */

static bool decode_state(struct dctx *c, const char *p, size_t len)
{
	size_t b = 0, e = len;
	while (b < e && is_json_space(p[b]))
		b++;
	while (e > b && is_json_space(p[e - 1]))
		e--;
	/* "ACTIVATED" as a JSON string or bare; no escapes in an enum word. */
	if (e - b >= 2 && p[b] == '"' && p[e - 1] == '"') {
		b++;
		e--;
	}
	bool valid = e > b;
	for (size_t i = b; i < e && valid; i++)
		valid = (p[i] >= 'A' && p[i] <= 'Z') || p[i] == '_';
	if (!valid)
		return fail(c, NULL, "expected one state word such as ACTIVATED");
	c->out->scratch = xstrndup(p + b, e - b);
	c->out->u.state.state = c->out->scratch;
	return true;
}

/* ---- error replies ------------------------------------------------------ */

static const char *string_member(const cJSON *obj, const char *key)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, key);
	return cJSON_IsString(it) && it->valuestring[0] ? it->valuestring : NULL;
}

static const char *message_member(const cJSON *obj)
{
	static const char *const keys[] = { "message", "error", "description", "detail", "reason" };
	for (size_t i = 0; i < ARRAY_LEN(keys); i++) {
		const char *s = string_member(obj, keys[i]);
		if (s)
			return s;
	}
	return NULL;
}

/* "code": a string, or a number rendered into scratch. */
static const char *code_member(struct dctx *c, const cJSON *obj)
{
	const cJSON *code = cJSON_GetObjectItemCaseSensitive(obj, "code");
	if (cJSON_IsString(code) && code->valuestring[0])
		return code->valuestring;
	if (!cJSON_IsNumber(code))
		return NULL;
	double v = code->valuedouble;
	c->out->scratch = xmalloc(32);
	if (fabs(v) < 1e15 && v == floor(v))
		snprintf(c->out->scratch, 32, "%.0f", v);
	else
		snprintf(c->out->scratch, 32, "%.17g", v);
	return c->out->scratch;
}

static void error_reply_from_object(struct dctx *c, const cJSON *obj)
{
	struct upd_error_reply *e = &c->out->u.error_reply;
	e->kind = ERROR_PAYLOAD_JSON;
	e->message = message_member(obj);
	e->code = code_member(c, obj);
	/* {"error": {"message": ..., "code": ...}} and GraphQL's
	 * {"errors": [{"message": ...}]}. */
	const cJSON *inner = cJSON_GetObjectItemCaseSensitive(obj, "error");
	if (!cJSON_IsObject(inner)) {
		inner = cJSON_GetObjectItemCaseSensitive(obj, "errors");
		inner = cJSON_IsArray(inner) ? inner->child : NULL;
	}
	if (cJSON_IsObject(inner)) {
		if (!e->message)
			e->message = message_member(inner);
		if (!e->code)
			e->code = code_member(c, inner);
	}
}

static bool ends_with(struct strview v, const char *suffix)
{
	size_t n = strlen(suffix);
	return v.ptr && v.len >= n && memcmp(v.ptr + v.len - n, suffix, n) == 0;
}

/* Never fails: whatever the bytes, the reply is shown. */
static bool decode_error_reply(struct dctx *c, const char *p, size_t len)
{
	struct decode_result *out = c->out;
	struct upd_error_reply *e = &out->u.error_reply;
	cJSON *root = NULL;
	if (len && ends_with(c->match->answers_topic, "/msgpack"))
		root = msgpack_parse(c, p, len, true);
	if (!root && len)
		root = json_parse(c, p, len, true);
	if (cJSON_IsObject(root)) {
		out->root = root;
		error_reply_from_object(c, root);
		return true;
	}
	if (cJSON_IsString(root)) {
		out->root = root;
		e->kind = ERROR_PAYLOAD_JSON;
		e->message = root->valuestring;
		return true;
	}
	cJSON_Delete(root);
	if (len == 0) {
		e->kind = ERROR_PAYLOAD_TEXT;
		out->scratch = xstrdup("");
		e->message = out->scratch;
		return true;
	}
	if (utf8_valid((const unsigned char *)p, len) && !memchr(p, '\0', len)) {
		while (len && is_json_space(p[len - 1]))
			len--;
		e->kind = ERROR_PAYLOAD_TEXT;
		out->scratch = xstrndup(p, len);
		e->message = out->scratch;
		return true;
	}
	e->kind = ERROR_PAYLOAD_BINARY;
	return true;
}

/* ---- entry points ------------------------------------------------------- */

void decode_limits_default(struct decode_limits *limits)
{
	limits->max_payload_bytes = 256 * 1024;
	limits->max_depth = 64;
}

/* An empty payload clears a retained topic: the entity is gone. */
static bool family_deletable(enum topic_family family)
{
	switch (family) {
	case TOPIC_DOMAIN:
	case TOPIC_DOMAIN_STATE:
	case TOPIC_ORGANIZATION:
	case TOPIC_ORGANIZATION_STATE:
	case TOPIC_SYSTEM:
	case TOPIC_SYSTEM_STATE:
	case TOPIC_COMPONENT:
	case TOPIC_COMPONENT_MODEL:
	case TOPIC_COMPONENT_MODEL_STATE:
	case TOPIC_EVENT_MODEL:
	case TOPIC_EVENT_MODEL_STATE:
	case TOPIC_EVENT:
	case TOPIC_SETPOINT:
	case TOPIC_LOCAL_API_TOKENS:
	case TOPIC_JWKS:
		return true;
	default:
		return false;
	}
}

static bool family_is_state(enum topic_family family)
{
	return family == TOPIC_DOMAIN_STATE || family == TOPIC_ORGANIZATION_STATE ||
	       family == TOPIC_SYSTEM_STATE || family == TOPIC_COMPONENT_MODEL_STATE ||
	       family == TOPIC_EVENT_MODEL_STATE;
}

static bool decode_dispatch(struct dctx *c, const char *p, size_t len)
{
	const struct topic_match *m = c->match;
	if (m->family == TOPIC_UNCLASSIFIED || (unsigned)m->family >= TOPIC_FAMILY_COUNT)
		return fail(c, NULL, "unclassified topic");
	if (len > c->limits->max_payload_bytes)
		return fail(c, NULL, "payload too large (%zu bytes, limit %zu)", len,
			    c->limits->max_payload_bytes);
	if (m->family == TOPIC_ERROR_REPLY)
		return decode_error_reply(c, p, len);
	if (len == 0) {
		if (!family_deletable(m->family))
			return fail(c, NULL, "empty payload");
		c->out->deleted = true;
		return true;
	}
	if (family_is_state(m->family))
		return decode_state(c, p, len);
	cJSON *root = m->format == FORMAT_MSGPACK ? msgpack_parse(c, p, len, false)
						  : json_parse(c, p, len, false);
	if (!root)
		return false;
	c->out->root = root;
	return decode_tree(c, root);
}

bool decode_payload(const struct topic_match *match, const void *payload, size_t len,
		    const struct decode_limits *limits, struct decode_result *out)
{
	struct decode_limits defaults;
	if (!limits) {
		decode_limits_default(&defaults);
		limits = &defaults;
	}
	memset(out, 0, sizeof(*out));
	out->family = match->family;
	struct dctx c = { .match = match, .limits = limits, .out = out, .nseg = 0 };
	if (!payload)
		len = 0;
	out->ok = decode_dispatch(&c, payload, len);
	return out->ok;
}

void decode_result_free(struct decode_result *result)
{
	if (!result)
		return;
	cJSON_Delete(result->root);
	free(result->scratch);
	free(result->arrays);
	memset(result, 0, sizeof(*result));
}

const char *value_type_name(enum value_type type)
{
	switch (type) {
	case VALUE_ABSENT:
		return "absent";
	case VALUE_NULL:
		return "null";
	case VALUE_NUMBER:
		return "number";
	case VALUE_BOOL:
		return "boolean";
	case VALUE_STRING:
		return "string";
	case VALUE_JSON:
		return "json";
	}
	return "unknown";
}
