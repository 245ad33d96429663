/* topics — see include/topics.h.
 *
 * Every row's pattern is split into levels once, when the row is defined
 * (topics_new, topics_override), so matching a received topic is: split the
 * topic once into level views, then compare level by level against each row
 * in table order.  topic_match() never allocates. */
#include "topics.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "ini.h"

#define STR_(x) #x
#define STR(x) STR_(x)

/* Literal compare for views against short string constants. */
#define SV_IS(v, lit) ((v).len == sizeof(lit) - 1 && memcmp((v).ptr, lit, sizeof(lit) - 1) == 0)

/* Longest level text quoted in an error message. */
#define ERR_QUOTE_MAX 60

_Static_assert(TOPIC_ID_COUNT <= 32, "id masks are 32-bit");

enum level_kind { LEVEL_LITERAL, LEVEL_ID, LEVEL_FMT, LEVEL_MULTI };

struct pattern_level {
	enum level_kind kind;
	enum topic_id id;       /* LEVEL_ID, LEVEL_MULTI */
	struct strview literal; /* LEVEL_LITERAL: a view into the row's pattern */
};

struct topic_row {
	char *pattern; /* owned copy, as given */
	struct pattern_level levels[TOPIC_LEVELS_MAX];
	size_t count;
	int multi;         /* index of the {name*} level, -1 when none */
	uint32_t id_mask;  /* bit per enum topic_id the pattern names */
};

struct topic_table {
	struct topic_row rows[TOPIC_UNCLASSIFIED];
};

struct family_info {
	const char *name;
	enum topic_direction direction;
	enum topic_encoding encoding;
	enum topic_confidence confidence;
	const char *pattern;
};

static const struct family_info family_info[TOPIC_UNCLASSIFIED] = {
#define X(id, name, dir, enc, conf, pattern) [TOPIC_##id] = { name, dir, enc, conf, pattern },
	TOPIC_FAMILY_LIST(X)
#undef X
};

static const char *const id_names[TOPIC_ID_COUNT] = {
#define X(id, name) [TOPIC_ID_##id] = name,
	TOPIC_ID_LIST(X)
#undef X
};

/* Section 5.1 of the API reference, after "drivr/v1/<slug>". */
static const char *const fallback_suffixes[] = {
	"",
	"/state",
	"/jwks",
	"/authorization/localApiTokens/+",
	"/systems/#",
	"/componentModels/#",
	"/eventModels/#",
	"/organizations/#",
	"/input/#",
};

static bool family_valid(enum topic_family family)
{
	return (unsigned)family < TOPIC_UNCLASSIFIED;
}

static int quote_len(size_t len)
{
	return (int)(len < ERR_QUOTE_MAX ? len : ERR_QUOTE_MAX);
}

static bool id_from_name(const char *name, size_t len, enum topic_id *out)
{
	for (int i = 0; i < TOPIC_ID_COUNT; i++) {
		if (strlen(id_names[i]) == len && memcmp(id_names[i], name, len) == 0) {
			*out = (enum topic_id)i;
			return true;
		}
	}
	return false;
}

/* --- pattern compilation ------------------------------------------------ */

/* Reads one placeholder level "{...}" (len includes the braces). */
static bool level_parse_placeholder(const char *row_name, const char *p, size_t len,
				    struct pattern_level *pl, char *err, size_t err_size)
{
	const char *name = p + 1;
	size_t n = len - 2;

	if (p[len - 1] != '}' || memchr(name, '{', n) || memchr(name, '}', n))
		return util_fail(err, err_size, "row \"%s\": malformed placeholder \"%.*s\"", row_name,
			    quote_len(len), p);
	if (n == 0)
		return util_fail(err, err_size, "row \"%s\": empty placeholder {}", row_name);
	if (n == 3 && memcmp(name, "fmt", 3) == 0) {
		pl->kind = LEVEL_FMT;
		return true;
	}
	pl->kind = LEVEL_ID;
	size_t id_len = n;
	if (name[n - 1] == '*') {
		pl->kind = LEVEL_MULTI;
		id_len--;
	}
	if (!id_from_name(name, id_len, &pl->id))
		return util_fail(err, err_size, "row \"%s\": unknown placeholder {%.*s}", row_name,
			    quote_len(n), name);
	return true;
}

/* Splits and checks `pattern` as the pattern of `family`.  On success *row
 * holds its own copy of the pattern; on failure *row is untouched. */
static bool row_parse(enum topic_family family, const char *pattern, struct topic_row *row,
		      char *err, size_t err_size)
{
	const struct family_info *info = &family_info[family];
	const char *rn = info->name;
	struct topic_row r;
	bool has_fmt = false;

	if (!pattern || !*pattern)
		return util_fail(err, err_size, "row \"%s\": empty pattern", rn);
	memset(&r, 0, sizeof(r));
	r.multi = -1;
	r.pattern = xstrdup(pattern);

	const char *p = r.pattern;
	for (;;) {
		const char *slash = strchr(p, '/');
		size_t len = slash ? (size_t)(slash - p) : strlen(p);
		struct pattern_level *pl = &r.levels[r.count];

		if (len == 0) {
			util_fail(err, err_size, "row \"%s\": empty level in pattern", rn);
			goto bad;
		}
		if (r.count == TOPIC_LEVELS_MAX) {
			util_fail(err, err_size, "row \"%s\": pattern has more than %d levels", rn,
			     TOPIC_LEVELS_MAX);
			goto bad;
		}
		if (memchr(p, '+', len) || memchr(p, '#', len)) {
			util_fail(err, err_size, "row \"%s\": wildcard in pattern level \"%.*s\"", rn,
			     quote_len(len), p);
			goto bad;
		}
		if (p[0] == '{') {
			if (!level_parse_placeholder(rn, p, len, pl, err, err_size))
				goto bad;
		} else if (memchr(p, '{', len) || memchr(p, '}', len)) {
			util_fail(err, err_size,
			     "row \"%s\": placeholder must be a whole level: \"%.*s\"", rn,
			     quote_len(len), p);
			goto bad;
		} else if (len > TOPIC_ID_MAX) {
			/* topic_match rejects such levels up front, so it could never match. */
			util_fail(err, err_size, "row \"%s\": level longer than %d bytes", rn,
			     TOPIC_ID_MAX);
			goto bad;
		} else {
			pl->kind = LEVEL_LITERAL;
			pl->literal = sv_make(p, len);
		}

		if (pl->kind == LEVEL_FMT) {
			if (has_fmt) {
				util_fail(err, err_size, "row \"%s\": placeholder {fmt} used twice", rn);
				goto bad;
			}
			has_fmt = true;
		} else if (pl->kind != LEVEL_LITERAL) {
			if (r.id_mask & (1u << pl->id)) {
				util_fail(err, err_size, "row \"%s\": placeholder {%s} used twice", rn,
				     id_names[pl->id]);
				goto bad;
			}
			r.id_mask |= 1u << pl->id;
		}
		if (pl->kind == LEVEL_MULTI) {
			if (r.multi >= 0) {
				util_fail(err, err_size, "row \"%s\": more than one multi-level capture",
				     rn);
				goto bad;
			}
			r.multi = (int)r.count;
		}
		r.count++;
		if (!slash)
			break;
		p = slash + 1;
	}

	if (r.count < 2 || r.levels[0].kind != LEVEL_LITERAL ||
	    !SV_IS(r.levels[0].literal, "drivr") || r.levels[1].kind != LEVEL_LITERAL ||
	    !SV_IS(r.levels[1].literal, "v1")) {
		util_fail(err, err_size, "row \"%s\": pattern must start with drivr/v1", rn);
		goto bad;
	}
	if (info->encoding == TOPIC_ENC_FMT && !has_fmt) {
		util_fail(err, err_size, "row \"%s\": pattern needs a {fmt} level (json/msgpack row)",
		     rn);
		goto bad;
	}
	if (info->encoding != TOPIC_ENC_FMT && has_fmt) {
		util_fail(err, err_size, "row \"%s\": {fmt} is only allowed on json/msgpack rows", rn);
		goto bad;
	}
	if (info->direction == TOPIC_PUB && r.multi >= 0) {
		util_fail(err, err_size, "row \"%s\": multi-level capture not allowed on a request row",
		     rn);
		goto bad;
	}
	/* The answered input topic is the reply's topic minus its last level. */
	if (family == TOPIC_ERROR_REPLY && r.levels[r.count - 1].kind != LEVEL_LITERAL) {
		util_fail(err, err_size, "row \"%s\": last level must be a literal such as error", rn);
		goto bad;
	}
	*row = r;
	return true;
bad:
	free(r.pattern);
	return false;
}

/* row_parse plus the rule that a request row keeps every id its default
 * pattern names: topic_build callers fill exactly those ids. */
static bool row_compile(enum topic_family family, const char *pattern, struct topic_row *row,
			char *err, size_t err_size)
{
	struct topic_row r, def;

	if (!row_parse(family, pattern, &r, err, err_size))
		return false;
	if (family_info[family].direction == TOPIC_PUB) {
		if (!row_parse(family, family_info[family].pattern, &def, NULL, 0))
			abort(); /* a bad default is a bug; test_topics catches it */
		uint32_t missing = def.id_mask & ~r.id_mask;
		free(def.pattern);
		if (missing) {
			int id = 0;
			while (!(missing & (1u << id)))
				id++;
			free(r.pattern);
			return util_fail(err, err_size,
				    "row \"%s\": pattern lacks {%s}, which requests need",
				    family_info[family].name, id_names[id]);
		}
	}
	*row = r;
	return true;
}

/* --- table -------------------------------------------------------------- */

struct topic_table *topics_new(void)
{
	struct topic_table *table = xcalloc(1, sizeof(*table));
	char err[160];

	for (int f = 0; f < TOPIC_UNCLASSIFIED; f++) {
		if (!row_compile(f, family_info[f].pattern, &table->rows[f], err, sizeof(err))) {
			fprintf(stderr, "topics: bad compiled-in pattern: %s\n", err);
			abort();
		}
	}
	return table;
}

void topics_free(struct topic_table *table)
{
	if (!table)
		return;
	for (int f = 0; f < TOPIC_UNCLASSIFIED; f++)
		free(table->rows[f].pattern);
	free(table);
}

bool topics_override(struct topic_table *table, const char *row_name, const char *pattern,
		     char *err, size_t err_size)
{
	enum topic_family family = topic_family_from_name(row_name);
	struct topic_row row;

	if (!table)
		return util_fail(err, err_size, "no topic table");
	if (family == TOPIC_UNCLASSIFIED)
		return util_fail(err, err_size, "unknown row \"%.*s\"",
			    quote_len(row_name ? strlen(row_name) : 0), row_name ? row_name : "");
	if (!row_compile(family, pattern, &row, err, err_size))
		return false;
	free(table->rows[family].pattern);
	table->rows[family] = row;
	return true;
}

const char *topics_pattern(const struct topic_table *table, enum topic_family family)
{
	if (!table || !family_valid(family))
		return NULL;
	return table->rows[family].pattern;
}

/* --- topics file (ini.h reads the lines) --------------------------------- */

/* A topics file holds rows only (docs/topics.md): before any header or
 * under [topics]; any other section is refused, so a config file given as
 * --topics is said at its first line that is not a row, not half-read. */
static bool on_section(void *ctx, const char *name, char *why, size_t why_size)
{
	(void)ctx;
	if (strcmp(name, "topics") == 0)
		return true;
	return util_fail(why, why_size,
		    "section [%s] in a topics file (it holds \"row = pattern\" lines, under "
		    "[topics] or none; a config file takes --config)",
		    name);
}

static bool on_row(void *ctx, const struct ini_line *line, char *why, size_t why_size)
{
	return topics_override(ctx, line->key, line->value, why, why_size);
}

/* Applies the text's lines to `scratch`; the caller commits only when it
 * succeeds. */
static bool load_lines(struct topic_table *scratch, const char *text, size_t len,
		       const char *path, char *err, size_t err_size)
{
	const struct ini_reader reader = { on_section, on_row, "row = pattern", scratch };
	return ini_parse(text, len, path, &reader, err, err_size);
}

static bool parse_text(struct topic_table *table, const char *text, size_t len,
		       const char *filename, char *err, size_t err_size)
{
	if (!filename)
		filename = "(topics)";
	/* All or nothing: a text with a bad line changes no row. */
	struct topic_table *scratch = xcalloc(1, sizeof(*scratch));
	for (int f = 0; f < TOPIC_UNCLASSIFIED; f++) {
		if (!row_compile(f, table->rows[f].pattern, &scratch->rows[f], NULL, 0))
			abort(); /* it compiled when it went into the table */
	}
	bool ok = load_lines(scratch, text, len, filename, err, err_size);
	if (ok) {
		for (int f = 0; f < TOPIC_UNCLASSIFIED; f++) {
			free(table->rows[f].pattern);
			table->rows[f] = scratch->rows[f];
		}
		free(scratch);
	} else {
		topics_free(scratch);
	}
	return ok;
}

bool topics_parse_text(struct topic_table *table, const char *text, const char *filename,
		       char *err, size_t err_size)
{
	if (!table || !text)
		return util_fail(err, err_size, "no topic table or text");
	return parse_text(table, text, strlen(text), filename, err, err_size);
}

bool topics_load_file(struct topic_table *table, const char *path, char *err, size_t err_size)
{
	if (!table || !path)
		return util_fail(err, err_size, "no topic table or path");
	size_t len;
	char *text = util_read_file(path, LIMIT_TOPICS_FILE, "--topics", &len, err, err_size);
	if (!text)
		return false;
	/* ini_parse refuses a NUL byte (it would hide the rest of the file). */
	bool ok = parse_text(table, text, len, path, err, err_size);
	free(text);
	return ok;
}

/* --- matching ----------------------------------------------------------- */

/* Splits a received topic into level views; returns why it cannot be
 * classified, or NULL.  Longer-than-id levels are refused here: no capture
 * may take them and override validation keeps literals as short. */
static const char *topic_split(const char *topic, size_t len, struct strview *lv, size_t *count)
{
	size_t n = 0, start = 0;

	if (len == 0)
		return "empty topic";
	for (size_t i = 0; i <= len; i++) {
		if (i < len) {
			char c = topic[i];
			if (c != '/') {
				if (c == '+' || c == '#')
					return "wildcard character in topic";
				if (c == '\0')
					return "NUL character in topic";
				continue;
			}
		}
		if (i == start)
			return "empty topic level";
		if (n == TOPIC_LEVELS_MAX)
			return "more than " STR(TOPIC_LEVELS_MAX) " topic levels";
		if (i - start > TOPIC_ID_MAX)
			return "id longer than " STR(TOPIC_ID_MAX) " bytes";
		lv[n++] = sv_make(topic + start, i - start);
		start = i + 1;
	}
	*count = n;
	return NULL;
}

static bool fmt_from_level(struct strview v, enum payload_format *fmt)
{
	if (SV_IS(v, "json"))
		*fmt = FORMAT_JSON;
	else if (SV_IS(v, "msgpack"))
		*fmt = FORMAT_MSGPACK;
	else
		return false;
	return true;
}

/* Topic level index of row level i: levels after a {name*} shift by the
 * number of extra levels it swallowed. */
static size_t level_at(const struct topic_row *row, size_t i, size_t extra)
{
	return row->multi >= 0 && i > (size_t)row->multi ? i + extra : i;
}

/* The view spanning topic levels first..last (contiguous in the topic). */
static struct strview span_of(const struct strview *lv, size_t first, size_t last)
{
	return sv_make(lv[first].ptr, (size_t)(lv[last].ptr + lv[last].len - lv[first].ptr));
}

/* Checks structure only; captures are written by row_capture() once the
 * whole row fits, so a half-matching row leaves nothing behind. */
static bool row_fits(const struct topic_row *row, const struct strview *lv, size_t n,
		     bool *too_long)
{
	enum payload_format fmt;

	if (row->multi < 0 ? n != row->count : n < row->count)
		return false;
	size_t extra = n - row->count;
	for (size_t i = 0; i < row->count; i++) {
		const struct pattern_level *pl = &row->levels[i];
		struct strview v = lv[level_at(row, i, extra)];
		if (pl->kind == LEVEL_LITERAL && !sv_equal(v, pl->literal))
			return false;
		if (pl->kind == LEVEL_FMT && !fmt_from_level(v, &fmt))
			return false;
	}
	if (row->multi >= 0) {
		size_t m = (size_t)row->multi;
		if (span_of(lv, m, m + extra).len > TOPIC_ID_MAX) {
			*too_long = true;
			return false;
		}
	}
	return true;
}

static void row_capture(const struct topic_row *row, const struct strview *lv, size_t n,
			struct strview *ids, enum payload_format *fmt)
{
	size_t extra = n - row->count;

	for (size_t i = 0; i < row->count; i++) {
		const struct pattern_level *pl = &row->levels[i];
		size_t t = level_at(row, i, extra);
		switch (pl->kind) {
		case LEVEL_LITERAL:
			break;
		case LEVEL_ID:
			ids[pl->id] = lv[t];
			break;
		case LEVEL_FMT:
			fmt_from_level(lv[t], fmt);
			break;
		case LEVEL_MULTI:
			ids[pl->id] = span_of(lv, t, t + extra);
			break;
		}
	}
}

static enum payload_format format_of_encoding(enum topic_encoding enc)
{
	switch (enc) {
	case TOPIC_ENC_JSON:
		return FORMAT_JSON;
	case TOPIC_ENC_STATE:
		return FORMAT_STATE;
	case TOPIC_ENC_FMT:    /* replaced by the {fmt} level */
	case TOPIC_ENC_OPAQUE:
		break;
	}
	return FORMAT_OPAQUE;
}

/* First row (in table order, `skip` excluded) that fits; fills ids and fmt
 * only on success.  fmt_last: only rows ending in {fmt} (second reading). */
static enum topic_family rows_match(const struct topic_table *table, const struct strview *lv,
				    size_t n, enum topic_family skip, bool fmt_last,
				    struct strview *ids, enum payload_format *fmt, bool *too_long)
{
	for (int f = 0; f < TOPIC_UNCLASSIFIED; f++) {
		const struct topic_row *row = &table->rows[f];
		if ((enum topic_family)f == skip)
			continue;
		if (fmt_last && row->levels[row->count - 1].kind != LEVEL_FMT)
			continue;
		if (!row_fits(row, lv, n, too_long))
			continue;
		*fmt = format_of_encoding(family_info[f].encoding);
		row_capture(row, lv, n, ids, fmt);
		return (enum topic_family)f;
	}
	return TOPIC_UNCLASSIFIED;
}

/* Fills the answers_* fields of an error reply.  lv is scratch: the second
 * reading overwrites its last level. */
static void error_match_answer(const struct topic_table *table, const char *topic,
			       struct strview *lv, size_t n, struct topic_match *out)
{
	enum payload_format fmt;
	bool too_long = false;

	out->answers_topic = sv_make(topic, (size_t)(lv[n - 1].ptr - 1 - topic));
	/* First reading: /error appended to the input topic (.../json/error). */
	out->answers_family = rows_match(table, lv, n - 1, TOPIC_ERROR_REPLY, false,
					 out->answers_ids, &fmt, &too_long);
	if (out->answers_family == TOPIC_UNCLASSIFIED) {
		/* Second reading: /error replaced the format level.  Stand a
		 * "json" level in for "error" rather than building a string. */
		lv[n - 1] = sv_make("json", 4);
		out->answers_family = rows_match(table, lv, n, TOPIC_ERROR_REPLY, true,
						 out->answers_ids, &fmt, &too_long);
	}
	/* Let the store tie the error to its system without a second lookup. */
	for (int i = 0; i < TOPIC_ID_COUNT; i++) {
		if (!out->ids[i].ptr && out->answers_ids[i].ptr)
			out->ids[i] = out->answers_ids[i];
	}
}

void topic_match(const struct topic_table *table, const char *topic, size_t len,
		 struct topic_match *out)
{
	struct strview lv[TOPIC_LEVELS_MAX];
	size_t n = 0;
	bool too_long = false;
	const char *why;

	memset(out, 0, sizeof(*out));
	out->family = TOPIC_UNCLASSIFIED;
	out->format = FORMAT_OPAQUE;
	out->answers_family = TOPIC_UNCLASSIFIED; /* meaningful for error replies only */

	why = topic_split(topic, topic ? len : 0, lv, &n);
	if (!why && (n < 2 || !SV_IS(lv[0], "drivr") || !SV_IS(lv[1], "v1")))
		why = "not under drivr/v1";
	if (!why && !table)
		why = "no topic table";
	if (why) {
		out->unclassified_reason = why;
		return;
	}
	out->family = rows_match(table, lv, n, TOPIC_FAMILY_COUNT, false, out->ids, &out->format,
				 &too_long);
	if (out->family == TOPIC_UNCLASSIFIED)
		out->unclassified_reason = too_long ? "id longer than " STR(TOPIC_ID_MAX) " bytes"
						    : "no pattern matches";
	else if (out->family == TOPIC_ERROR_REPLY)
		error_match_answer(table, topic, lv, n, out);
}

/* --- building ----------------------------------------------------------- */

/* An id usable as one level (or, multi, as several non-empty levels). */
static bool id_valid(const char *s, bool multi)
{
	if (!s || !*s)
		return false;
	size_t len = strlen(s);
	if (len > TOPIC_ID_MAX || strpbrk(s, "+#"))
		return false;
	if (!multi)
		return !strchr(s, '/');
	return s[0] != '/' && s[len - 1] != '/' && !strstr(s, "//");
}

int topic_build(const struct topic_table *table, enum topic_family family,
		const struct topic_ids *ids, enum payload_format fmt, char *buf, size_t size)
{
	size_t pos = 0;

	if (!buf || size == 0)
		return -1;
	buf[0] = '\0';
	if (!table || !family_valid(family) || !ids)
		return -1;

	const struct topic_row *row = &table->rows[family];
	for (size_t i = 0; i < row->count; i++) {
		const struct pattern_level *pl = &row->levels[i];
		struct strview part = pl->literal;
		switch (pl->kind) {
		case LEVEL_LITERAL:
			break;
		case LEVEL_ID:
		case LEVEL_MULTI:
			if (!id_valid(ids->v[pl->id], pl->kind == LEVEL_MULTI))
				goto bad;
			part = sv_from_cstr(ids->v[pl->id]);
			break;
		case LEVEL_FMT:
			if (fmt == FORMAT_JSON)
				part = sv_make("json", 4);
			else if (fmt == FORMAT_MSGPACK)
				part = sv_make("msgpack", 7);
			else
				goto bad;
			break;
		}
		/* Room for the separator, the level and the final NUL. */
		if ((i ? 1 : 0) + part.len >= size - pos)
			goto bad;
		if (i)
			buf[pos++] = '/';
		memcpy(buf + pos, part.ptr, part.len);
		pos += part.len;
	}
	if (pos > INT_MAX)
		goto bad;
	buf[pos] = '\0';
	return (int)pos;
bad:
	buf[0] = '\0';
	return -1;
}

size_t topics_fallback_filters(const char *slug, char *filters, size_t max, size_t each)
{
	size_t n = 0;

	if (!filters || each == 0 || !id_valid(slug, false))
		return 0;
	for (size_t i = 0; i < ARRAY_LEN(fallback_suffixes) && n < max; i++) {
		char *slot = filters + n * each;
		int w = snprintf(slot, each, "drivr/v1/%s%s", slug, fallback_suffixes[i]);
		if (w < 0 || (size_t)w >= each) {
			slot[0] = '\0'; /* a truncated filter would subscribe to the wrong thing */
			break;
		}
		n++;
	}
	return n;
}

/* --- static facts ------------------------------------------------------- */

const char *topic_family_name(enum topic_family family)
{
	if (family == TOPIC_UNCLASSIFIED)
		return "unclassified";
	return family_valid(family) ? family_info[family].name : "unknown";
}

enum topic_direction topic_family_direction(enum topic_family family)
{
	return family_valid(family) ? family_info[family].direction : TOPIC_SUB;
}

enum topic_encoding topic_family_encoding(enum topic_family family)
{
	return family_valid(family) ? family_info[family].encoding : TOPIC_ENC_OPAQUE;
}

enum topic_confidence topic_family_confidence(enum topic_family family)
{
	return family_valid(family) ? family_info[family].confidence : TOPIC_GAP;
}

const char *topic_confidence_name(enum topic_confidence c)
{
	switch (c) {
	case TOPIC_DOC:
		return "documented";
	case TOPIC_INFERRED:
		return "inferred";
	case TOPIC_GAP:
		return "gap";
	}
	return "unknown";
}

const char *topic_id_name(enum topic_id id)
{
	return (unsigned)id < TOPIC_ID_COUNT ? id_names[id] : "unknown";
}

enum topic_family topic_family_from_name(const char *name)
{
	if (!name)
		return TOPIC_UNCLASSIFIED;
	for (int f = 0; f < TOPIC_UNCLASSIFIED; f++) {
		if (strcmp(family_info[f].name, name) == 0)
			return (enum topic_family)f;
	}
	return TOPIC_UNCLASSIFIED;
}
