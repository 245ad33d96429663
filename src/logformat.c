/* logformat — see include/logformat.h. */
#include "logformat.h"

#include <cJSON.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "sanitize.h"
#include "util.h"

static const char csv_header[] = "time,system,component,service,characteristic,value,unit";

/* A template directive's letter, or an escape's; false for an unknown one. */
static bool known_directive(char c)
{
	return c && strchr("tpxlrfUI%", c) != NULL;
}

static bool known_escape(char c)
{
	return c == 'n' || c == 't' || c == '\\';
}

static bool check_template(const char *spec, char *err, size_t err_size)
{
	for (const char *p = spec; *p; p++) {
		if (*p == '%' && !known_directive(p[1]))
			return util_fail(err, err_size,
					 "--format: %%%c is not a directive (%%t %%p %%x %%l %%r %%f %%U "
					 "%%I %%%%)",
					 p[1] ? p[1] : ' ');
		if (*p == '\\' && !known_escape(p[1]))
			return util_fail(err, err_size, "--format: \\%c is not an escape (\\n \\t \\\\)",
					 p[1] ? p[1] : ' ');
		if ((*p == '%' || *p == '\\') && p[1])
			p++;
	}
	return true;
}

bool logformat_parse(struct logformat *f, const char *spec, char *err, size_t err_size)
{
	struct logformat parsed = { LOGFORMAT_JSON, NULL, 0 };
	if (!spec || strcmp(spec, "json") == 0) {
		*f = parsed;
		return true;
	}
	if (strcmp(spec, "csv") == 0) {
		parsed.kind = LOGFORMAT_CSV;
		*f = parsed;
		return true;
	}
	/* A word that is no template is a typo ("cvs"), not a constant line. */
	if (!strpbrk(spec, "%\\"))
		return util_fail(err, err_size,
				 "--format: \"%s\" is not json, csv or a template with %% directives",
				 spec);
	if (!check_template(spec, err, err_size))
		return false;
	parsed.kind = LOGFORMAT_TEMPLATE;
	parsed.template = xstrdup(spec);
	*f = parsed;
	return true;
}

void logformat_free(struct logformat *f)
{
	free(f->template);
	f->template = NULL;
}

void logformat_begin(const struct logformat *f, FILE *out)
{
	if (f->kind != LOGFORMAT_CSV)
		return;
	fputs(csv_header, out);
	csv_end_record(out);
}

/* ---- values ----------------------------------------------------------------- */

/* The shortest of %.15g / %.17g that reads back as the same double. */
static void number_text(double v, bool is_integer, char *buf, size_t size)
{
	if (is_integer && fabs(v) < 1e15) {
		snprintf(buf, size, "%.0f", v);
		return;
	}
	snprintf(buf, size, "%.15g", v);
	if (strtod(buf, NULL) != v)
		snprintf(buf, size, "%.17g", v);
}

void logformat_value_text(const struct value *v, char *buf, size_t size, bool *number)
{
	*number = false;
	if (!size)
		return;
	buf[0] = '\0';
	switch (v->type) {
	case VALUE_ABSENT:
	case VALUE_NULL:
		break;
	case VALUE_NUMBER:
		number_text(v->number, v->is_integer, buf, size);
		*number = true;
		break;
	case VALUE_BOOL:
		snprintf(buf, size, "%s", v->boolean ? "true" : "false");
		break;
	case VALUE_STRING:
		snprintf(buf, size, "%s", v->text ? v->text : "");
		break;
	case VALUE_JSON: {
		char *text = v->json ? cJSON_PrintUnformatted(v->json) : NULL;
		snprintf(buf, size, "%s", text ? text : "");
		cJSON_free(text);
		break;
	}
	}
}

/* ---- csv -------------------------------------------------------------------- */

static const char *code_or_uuid(const char *code, const char *uuid)
{
	return code ? code : uuid;
}

static void write_datapoint(FILE *out, const struct datapoint *dp, const char *system,
			    const char *unit)
{
	char when[40], value[1024];
	bool number;
	time_format_iso8601(dp->time, when, sizeof(when));
	logformat_value_text(&dp->value, value, sizeof(value), &number);
	const struct stream_address *a = &dp->addr;
	csv_field(out, when, true, false);
	csv_field(out, system, false, false);
	csv_field(out, code_or_uuid(a->component_code, a->component_uuid), false, false);
	csv_field(out, code_or_uuid(a->service_code, a->service_uuid), false, false);
	csv_field(out, code_or_uuid(a->characteristic_code, a->characteristic_uuid), false, false);
	csv_field(out, value, false, number);
	csv_field(out, unit, false, false);
	csv_end_record(out);
}

static bool write_csv(struct logformat *f, FILE *out, const struct message_meta *msg,
		      const struct topic_match *match, const struct decode_result *result,
		      logformat_unit_fn unit, void *unit_ctx)
{
	if (match->family != TOPIC_DATAPOINT_INPUT)
		return true;
	if (!result->ok) {
		f->skipped++;
		return false;
	}
	char topic_system[TOPIC_ID_MAX + 1];
	sv_copy(match->ids[TOPIC_ID_SYSTEM_UUID], topic_system, sizeof(topic_system));
	const struct upd_datapoints *dps = &result->u.datapoints;
	for (size_t i = 0; i < dps->count; i++) {
		struct datapoint dp = dps->items[i];
		const struct stream_address *a = &dp.addr;
		const char *system = a->system_code ? a->system_code
			: a->system_uuid	    ? a->system_uuid
						    : topic_system;
		/* no time of its own: the platform stamps it on arrival */
		if (dp.time == DECODE_TIME_ABSENT)
			dp.time = msg->received_at;
		write_datapoint(out, &dp, system, unit ? unit(unit_ctx, system, &dp) : NULL);
	}
	return true;
}

/* ---- template --------------------------------------------------------------- */

/* in[0..len) sanitised for a terminal, written out. */
static void put_clean(FILE *out, const char *in, size_t len)
{
	char small[1024];
	/* caret notation at most quadruples a byte (C1: \x9b) */
	size_t need = len * 4 + 1;
	char *buf = need <= sizeof(small) ? small : xmalloc(need);
	sanitize_text(in, len, SANITIZE_DISPLAY_UTF8, buf, need, 0);
	fputs(buf, out);
	if (buf != small)
		free(buf);
}

static void put_hex(FILE *out, const unsigned char *p, size_t len)
{
	for (size_t i = 0; i < len; i++)
		fprintf(out, "%02x", p[i]);
}

static void write_template(const struct logformat *f, FILE *out, const struct message_meta *msg,
			   const struct topic_match *match)
{
	char when[40];
	for (const char *p = f->template; *p; p++) {
		if (*p == '\\' && p[1]) {
			p++;
			fputc(*p == 'n' ? '\n' : *p == 't' ? '\t' : '\\', out);
			continue;
		}
		if (*p != '%' || !p[1]) {
			fputc(*p, out);
			continue;
		}
		switch (*++p) {
		case 't':
			put_clean(out, msg->topic, msg->topic_len);
			break;
		case 'p':
			put_clean(out, msg->payload, msg->payload_len);
			break;
		case 'x':
			put_hex(out, msg->payload, msg->payload_len);
			break;
		case 'l':
			fprintf(out, "%zu", msg->payload_len);
			break;
		case 'r':
			fputc(msg->retained ? '1' : '0', out);
			break;
		case 'f':
			fputs(topic_family_name(match->family), out);
			break;
		case 'U':
			fprintf(out, "%.6f", msg->received_at);
			break;
		case 'I':
			time_format_iso8601(msg->received_at, when, sizeof(when));
			fputs(when, out);
			break;
		default: /* %%: logformat_parse let nothing else through */
			fputc('%', out);
			break;
		}
	}
	fputc('\n', out);
}

bool logformat_write(struct logformat *f, FILE *out, const struct message_meta *msg,
		     const struct topic_match *match, const struct decode_result *result,
		     logformat_unit_fn unit, void *unit_ctx)
{
	switch (f->kind) {
	case LOGFORMAT_CSV:
		return write_csv(f, out, msg, match, result, unit, unit_ctx);
	case LOGFORMAT_TEMPLATE:
		write_template(f, out, msg, match);
		return true;
	case LOGFORMAT_JSON:
		break;
	}
	return true;
}
