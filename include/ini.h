/* ini — the one reader of the line-based files: the config file, the topics
 * override file and the theme files.  The rules live here once
 * (docs/configuration.md, "File syntax"):
 *
 *   - one "key = value" per line; whitespace around key and value trimmed;
 *     a UTF-8 BOM on the first line and CRLF line ends accepted;
 *   - blank lines are skipped; a comment is a whole line whose first
 *     character is ';', or '#' followed by a blank, the end of the line or
 *     another '#' ("#system = ..." is not a comment: the key is wrong, said);
 *     nothing is a comment after a value (a value may hold ';' and '#');
 *   - "[name]" starts a section (inner blanks trimmed); lines before the
 *     first header belong to no section;
 *   - a NUL byte is refused (it would hide the rest of the file).
 *
 * Each caller keeps only its keys and sections: the callbacks say what a
 * line means and why it is refused, and the reader writes the error as
 * "file:line: why".  Pure module. */
#ifndef DRIVR_INI_H
#define DRIVR_INI_H

#include <stdbool.h>
#include <stddef.h>

struct ini_line {
	const char *file;
	size_t number;       /* from 1 */
	const char *section; /* NULL before the first header */
	const char *key, *value;
};

struct ini_reader {
	/* A "[name]" header.  False with a reason in why refuses the line. */
	bool (*section)(void *ctx, const char *name, char *why, size_t why_size);
	/* A "key = value" line.  The strings live until the callback returns. */
	bool (*key)(void *ctx, const struct ini_line *line, char *why, size_t why_size);
	/* What a line must look like, for the error on a line without '='
	 * (e.g. "row = pattern"). */
	const char *syntax;
	void *ctx;
};

/* Reads len bytes of text (no terminating NUL needed), calling back per
 * line in order; stops at the first refused line.  Returns false with
 * "file:line: reason" in err. */
bool ini_parse(const char *text, size_t len, const char *filename, const struct ini_reader *reader,
	       char *err, size_t err_size);

/* "true"/"yes" and "false"/"no", the spellings of a flag in every file.
 * False when value is neither. */
bool ini_parse_bool(const char *value, bool *out);

#endif
