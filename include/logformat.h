/* logformat — the other shapes of `--log --format`: CSV of the datapoints
 * and a template per message like `mosquitto_sub -F`.  The default JSON
 * line stays headless_log_object()'s; this module is asked only when
 * --format is not json.
 *
 *   csv       one RFC 4180 record (csv.h) per datapoint of a datapoint
 *             input message, after one header record:
 *             time,system,component,service,characteristic,value,unit
 *             Other messages write nothing.
 *   TEMPLATE  anything holding a '%' or a '\': per message, the template
 *             with its directives replaced, then a newline:
 *               %t topic    %p payload      %x payload as hex
 *               %l payload bytes  %r retained (0/1)  %f topic family
 *               %U reception time, epoch seconds (microseconds)
 *               %I reception time, ISO 8601 UTC    %% a '%'
 *               \n newline  \t tab  \\ a '\'
 *             (no %q: the console does not keep a message's QoS).
 *
 * Every device string (topic, payload, ids, values, units) is sanitised
 * (SANITIZE_DISPLAY_UTF8: escapes and control characters shown as ^[,
 * invalid UTF-8 as U+FFFD): nothing from a device moves a terminal the
 * output is shown on, and a template line stays one line.
 * Pure module: writes to the stream it is given. */
#ifndef DRIVR_LOGFORMAT_H
#define DRIVR_LOGFORMAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "decode.h"
#include "message.h"
#include "topics.h"

enum logformat_kind { LOGFORMAT_JSON, LOGFORMAT_CSV, LOGFORMAT_TEMPLATE };

struct logformat {
	enum logformat_kind kind;
	char *template; /* LOGFORMAT_TEMPLATE: the text as given (owned) */
	/* CSV: datapoint messages that failed to decode (no row; said on
	 * stderr by the caller, see logformat_write's return). */
	uint64_t skipped;
};

/* The unit of a datapoint's characteristic, or NULL: the caller knows the
 * catalogues.  system is the datapoint's system (its own field or the
 * topic's id).  The string is borrowed until the next call. */
typedef const char *(*logformat_unit_fn)(void *ctx, const char *system,
					 const struct datapoint *dp);

/* Parses --format's value ("json", "csv" or a template; NULL: json).
 * False with a one-line message naming the problem (an unknown %
 * directive or \ escape, a word that is none of these) and f untouched. */
bool logformat_parse(struct logformat *f, const char *spec, char *err, size_t err_size);
void logformat_free(struct logformat *f);

/* What comes before the first message: the CSV header record. */
void logformat_begin(const struct logformat *f, FILE *out);

/* Writes the lines of one message.  Returns false only for a datapoint
 * message CSV cannot write (it did not decode: counted in f->skipped); the
 * caller says so. */
bool logformat_write(struct logformat *f, FILE *out, const struct message_meta *msg,
		     const struct topic_match *match, const struct decode_result *result,
		     logformat_unit_fn unit, void *unit_ctx);

/* A datapoint's value as CSV and templates print it: a number as short as
 * it reads back exactly, true/false, the text, compact JSON; "" when null
 * or absent.  Into buf (bounded, always NUL-terminated); sets *number when
 * it is a number. */
void logformat_value_text(const struct value *v, char *buf, size_t size, bool *number);

#endif
