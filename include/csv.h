/* csv — RFC 4180 records for exports (the console's `w`).
 *
 * A field is quoted when it holds a comma, a quote, CR or LF (quotes
 * doubled); records end in CRLF.  Every field first goes through the
 * sanitiser (SANITIZE_DISPLAY_UTF8): a device string never carries a
 * terminal escape or a raw control character into a file someone will
 * `cat`.  A field starting with = + - @ (or a tab / CR, which some
 * spreadsheets skip) gets a leading apostrophe, so a spreadsheet shows it
 * as text instead of running it as a formula (CSV injection).  Numbers the
 * caller marks as numbers are written as they are (a negative value stays
 * a number). */
#ifndef DRIVR_CSV_H
#define DRIVR_CSV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* Writes one field (with the separating comma when !first).  number: the
 * caller formatted it from a double (no formula guard). */
void csv_field(FILE *out, const char *text, bool first, bool number);
/* True when text is a whole number strtod reads ("-12.5", "3e4"): written
 * as a number, without the formula guard. */
bool csv_is_number(const char *text);
/* Ends the record (CRLF). */
void csv_end_record(FILE *out);

/* The field as csv_field writes it, into buf (cut at size - 1: bounded).
 * Returns the length it needed. */
size_t csv_format_field(const char *text, bool number, char *buf, size_t size);

#endif
