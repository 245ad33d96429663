/* optable — the options engine of both programs (drivr-console, drivr-sim),
 * after tmux's options-table.c: each program describes its options in one
 * table of struct opt_def (name, type, default, bounds, help, where the
 * value is stored); parsing the command line and the config file's keys,
 * range checks, defaults, --help and every error message are here, once.
 *
 * Values live in the program's own struct, at def->offset, by type:
 *   OPT_FLAG bool; OPT_STRING, OPT_ENUM char * (owned, freed by opt_free);
 *   OPT_INT, OPT_SIZE long; OPT_DOUBLE, OPT_DURATION double;
 *   OPT_LIST struct opt_list (each value given appends a copy).
 * A number without a default starts at OPT_UNSET (the program decides, e.g.
 * the port from TLS use); a string without one at NULL.
 * Pure module. */
#ifndef DRIVR_OPTABLE_H
#define DRIVR_OPTABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

enum opt_type {
	OPT_FLAG,     /* no argument; in a file: true/false/yes/no */
	OPT_STRING,   /* any text */
	OPT_ENUM,     /* one of the words of def->arg, "311|5" */
	OPT_INT,      /* a decimal integer */
	OPT_DOUBLE,   /* a number, may have a fraction */
	OPT_DURATION, /* seconds, may have a fraction; or with ms, s, m, h */
	OPT_SIZE,     /* bytes; or with K, M, G (KiB, MiB, GiB) */
	OPT_LIST,     /* any text, repeatable: every value kept, in order */
};

/* The values of an OPT_LIST option, owned (freed by opt_free). */
struct opt_list {
	char **v;
	size_t n;
};

#define OPT_SANITY_MAX 1e9

/* A number not given and without a default. */
#define OPT_UNSET (-1)

enum {
	OPT_CLI_ONLY = 1u << 0, /* not a config file key (--help, --config, ...) */
};

struct opt_def {
	const char *name; /* --name, and the key in config files */
	char short_name;  /* -c, or 0 */
	enum opt_type type;
	const char *arg;  /* the argument in --help; OPT_ENUM: its words, '|' between */
	const char *def;  /* the default as written on the command line, or NULL */
	double min, max;  /* bounds of a number, inclusive; min == max: none.  A max
			   * of OPT_SANITY_MAX or more is a sanity bound, not
			   * shown by --help */
	unsigned flags;   /* OPT_CLI_ONLY */
	const char *help; /* one line */
	size_t offset;    /* of the value in the program's struct */
};

struct opt_table {
	const char *usage; /* the first lines of --help; each %s is the program name */
	const struct opt_def *defs;
	size_t count;
};

/* Sets every option to its default (strings copied).  A default the table
 * itself cannot parse aborts: it is a programming error (test_config parses
 * each). */
void opt_defaults(const struct opt_table *t, void *base);
/* Frees the strings of base. */
void opt_free(const struct opt_table *t, void *base);

const struct opt_def *opt_find(const struct opt_table *t, const char *name, size_t len);
const struct opt_def *opt_find_short(const struct opt_table *t, char c);

/* Parses and stores one value (NULL for a flag given on the command line;
 * a flag's text "true"/"false"/"yes"/"no" from a file).  Range and type
 * checked; false with "--name: reason" in err, nothing stored. */
bool opt_set(const struct opt_def *def, void *base, const char *value, char *err,
	     size_t err_size);

/* Parses argv[1..]: --name VALUE, --name=VALUE, -c VALUE, flags.  given
 * (t->count entries, may be NULL) marks what the command line set.  False
 * with a one-line message for an unknown option, a missing or bad value, a
 * stray argument. */
bool opt_parse_args(const struct opt_table *t, void *base, int argc, char **argv, bool *given,
		    char *err, size_t err_size);

/* The --help lines of every option, with defaults and bounds from the table. */
void opt_print_help(const struct opt_table *t, const char *program, FILE *out);

#endif
