/* util — allocation wrappers, string views, hashing and ISO-8601 time.
 * Pure helpers shared by every module; no globals, no I/O — except
 * util_read_file(), the one way the console reads a file it is given, so
 * the size rule lives once. */
#ifndef DRIVR_UTIL_H
#define DRIVR_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Allocation failure is not recoverable in a console: these abort with a
 * message instead of returning NULL (as htop and tmux do). */
void *xmalloc(size_t size);
void *xcalloc(size_t count, size_t size);
void *xrealloc(void *ptr, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t len);

/* A borrowed, non-NUL-terminated slice of someone else's buffer. */
struct strview {
	const char *ptr;
	size_t len;
};

static inline struct strview sv_make(const char *ptr, size_t len)
{
	struct strview v = { ptr, len };
	return v;
}
struct strview sv_from_cstr(const char *s);
bool sv_equal_cstr(struct strview v, const char *s);
bool sv_equal(struct strview a, struct strview b);
/* Copies into buf (always NUL-terminated, truncated if needed); returns buf. */
char *sv_copy(struct strview v, char *buf, size_t size);

/* 64-bit FNV-1a; good enough spread for the store's open-addressing maps. */
uint64_t hash_bytes(const void *data, size_t len);
uint64_t hash_mix(uint64_t h, const void *data, size_t len);

#define TIME_UNKNOWN (-1.0)
/* Parses ISO-8601 date-times as DRIVR sends them: "2022-01-01T00:00:00Z",
 * "2021-08-06T13:13:06.136333+00:00", also a space instead of T.
 * Returns seconds since the epoch (UTC) or TIME_UNKNOWN when malformed. */
double time_parse_iso8601(const char *s);
/* Formats t (epoch seconds) as "2022-01-01T00:00:00.000Z" into buf. */
void time_format_iso8601(double t, char *buf, size_t size);
/* Wall clock, epoch seconds with sub-second precision. */
double time_now(void);
/* Monotonic clock, seconds. */
double time_monotonic(void);

/* Size limits of the files the console reads (docs/configuration.md). */
#define UTIL_MiB (1024u * 1024u)
#define LIMIT_CONFIG_FILE (1 * UTIL_MiB)     /* --config */
#define LIMIT_TOPICS_FILE (1 * UTIL_MiB)     /* --topics */
#define LIMIT_THEME_FILE (1 * UTIL_MiB)      /* --theme */
#define LIMIT_KEYS_FILE (4 * UTIL_MiB)       /* --keys */
#define LIMIT_SYSTEMS_FILE (4 * UTIL_MiB)    /* --systems-file: 100 000 UUIDs */
#define LIMIT_REPLAY_FILE (256 * UTIL_MiB)   /* --replay: whole --log captures */
#define LIMIT_SECRET_FILE (64u * 1024u)      /* --key-pass-file, --user-token-file */

/* Writes the message into err (when err and size are set) and returns
 * false: `return util_fail(err, size, "...", ...);` in the parsers. */
bool util_fail(char *err, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Reads the whole file at path into a NUL-terminated buffer (*len, optional,
 * without the NUL).  Refuses, without reading, what is not a regular file (a
 * device such as /dev/zero, a FIFO, a directory) and a file larger than max;
 * a file that grows past max while read is refused too.  NULL on failure,
 * with err = "<what> <path>: <reason>" (what: the option, "config file") and
 * errno kept from open(2) (ENOENT: a missing optional file), or EINVAL /
 * EFBIG for the refusals. */
char *util_read_file(const char *path, size_t max, const char *what, size_t *len, char *err,
		     size_t err_size);

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

#endif
