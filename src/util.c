/* util — see include/util.h. */
#include "util.h"

#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static void out_of_memory(size_t size)
{
	fprintf(stderr, "drivr: out of memory (%zu bytes)\n", size);
	abort();
}

void *xmalloc(size_t size)
{
	void *p = malloc(size ? size : 1);
	if (!p)
		out_of_memory(size);
	return p;
}

void *xcalloc(size_t count, size_t size)
{
	void *p = calloc(count ? count : 1, size ? size : 1);
	if (!p)
		out_of_memory(count * size);
	return p;
}

void *xrealloc(void *ptr, size_t size)
{
	void *p = realloc(ptr, size ? size : 1);
	if (!p)
		out_of_memory(size);
	return p;
}

char *xstrndup(const char *s, size_t len)
{
	char *p = xmalloc(len + 1);
	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

char *xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

struct strview sv_from_cstr(const char *s)
{
	return sv_make(s, s ? strlen(s) : 0);
}

bool sv_equal_cstr(struct strview v, const char *s)
{
	size_t n = strlen(s);
	return v.ptr && v.len == n && memcmp(v.ptr, s, n) == 0;
}

bool sv_equal(struct strview a, struct strview b)
{
	return a.len == b.len && (a.len == 0 || memcmp(a.ptr, b.ptr, a.len) == 0);
}

char *sv_copy(struct strview v, char *buf, size_t size)
{
	if (size == 0)
		return buf;
	size_t n = v.len < size - 1 ? v.len : size - 1;
	if (n)
		memcpy(buf, v.ptr, n);
	buf[n] = '\0';
	return buf;
}

#define FNV_OFFSET 14695981039346656037ULL
#define FNV_PRIME 1099511628211ULL

uint64_t hash_mix(uint64_t h, const void *data, size_t len)
{
	const unsigned char *p = data;
	for (size_t i = 0; i < len; i++) {
		h ^= p[i];
		h *= FNV_PRIME;
	}
	return h;
}

uint64_t hash_bytes(const void *data, size_t len)
{
	return hash_mix(FNV_OFFSET, data, len);
}

/* Reads exactly n decimal digits. */
static bool read_digits(const char **s, int n, int *out)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		char c = (*s)[i];
		if (c < '0' || c > '9')
			return false;
		v = v * 10 + (c - '0');
	}
	*s += n;
	*out = v;
	return true;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
 * civil-from-days inverse), so no timegm()/TZ dependence. */
static long days_from_civil(int y, int m, int d)
{
	y -= m <= 2;
	long era = (y >= 0 ? y : y - 399) / 400;
	long yoe = y - era * 400;
	long doy = (153L * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

double time_parse_iso8601(const char *s)
{
	int year, mon, day, hour, min, sec;
	if (!s)
		return TIME_UNKNOWN;
	if (!read_digits(&s, 4, &year) || *s++ != '-' || !read_digits(&s, 2, &mon) ||
	    *s++ != '-' || !read_digits(&s, 2, &day))
		return TIME_UNKNOWN;
	if (*s != 'T' && *s != 't' && *s != ' ')
		return TIME_UNKNOWN;
	s++;
	if (!read_digits(&s, 2, &hour) || *s++ != ':' || !read_digits(&s, 2, &min) ||
	    *s++ != ':' || !read_digits(&s, 2, &sec))
		return TIME_UNKNOWN;
	if (mon < 1 || mon > 12 || day < 1 || day > 31 || hour > 23 || min > 59 || sec > 60)
		return TIME_UNKNOWN;
	double frac = 0.0;
	if (*s == '.' || *s == ',') {
		s++;
		double scale = 0.1;
		if (*s < '0' || *s > '9')
			return TIME_UNKNOWN;
		while (*s >= '0' && *s <= '9') {
			frac += (*s - '0') * scale;
			scale /= 10.0;
			s++;
		}
	}
	long offset = 0;
	if (*s == 'Z' || *s == 'z') {
		s++;
	} else if (*s == '+' || *s == '-') {
		int sign = *s == '-' ? -1 : 1, oh, om = 0;
		s++;
		if (!read_digits(&s, 2, &oh))
			return TIME_UNKNOWN;
		if (*s == ':')
			s++;
		if (*s >= '0' && *s <= '9' && !read_digits(&s, 2, &om))
			return TIME_UNKNOWN;
		if (oh > 23 || om > 59)
			return TIME_UNKNOWN;
		offset = sign * (oh * 3600L + om * 60L);
	} else {
		return TIME_UNKNOWN; /* DRIVR always sends an offset; a bare local time is ambiguous */
	}
	if (*s != '\0')
		return TIME_UNKNOWN;
	long days = days_from_civil(year, mon, day);
	double t = (double)days * 86400.0 + hour * 3600.0 + min * 60.0 + sec - (double)offset;
	return t + frac;
}

void time_format_iso8601(double t, char *buf, size_t size)
{
	if (t < 0 || !isfinite(t)) {
		snprintf(buf, size, "-");
		return;
	}
	/* to the nearest millisecond: a time parsed from "…:51.540Z" is held
	 * as .53999… (a double near 1.7e9 has no more digits), and truncating
	 * would print .539 — a --replay would not give back what --log said */
	long long ms = llround(t * 1000.0);
	time_t whole = (time_t)(ms / 1000);
	int millis = (int)(ms % 1000);
	struct tm tm;
	gmtime_r(&whole, &tm);
	snprintf(buf, size, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
		 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, millis);
}

double time_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

double time_monotonic(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void size_text(size_t n, char *buf, size_t size)
{
	if (n >= UTIL_MiB)
		snprintf(buf, size, "%.*f MiB", n % UTIL_MiB ? 1 : 0, (double)n / UTIL_MiB);
	else
		snprintf(buf, size, "%zu KiB", n / 1024);
}

char *util_read_file(const char *path, size_t max, const char *what, size_t *len, char *err,
		     size_t err_size)
{
	char limit[32];
	size_text(max, limit, sizeof(limit));
	/* O_NONBLOCK: opening a FIFO must not wait for a writer; it is
	 * refused below anyway. */
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		int e = errno;
		snprintf(err, err_size, "%s %s: %s", what, path, strerror(e));
		errno = e;
		return NULL;
	}
	struct stat st;
	if (fstat(fd, &st) != 0) {
		int e = errno;
		snprintf(err, err_size, "%s %s: %s", what, path, strerror(e));
		close(fd);
		errno = e;
		return NULL;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, err_size, "%s %s: not a regular file (%s); refused", what, path,
			 S_ISDIR(st.st_mode)   ? "a directory"
			 : S_ISFIFO(st.st_mode) ? "a FIFO"
			 : S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode) ? "a device"
								  : "a socket or special file");
		close(fd);
		errno = EINVAL;
		return NULL;
	}
	if ((unsigned long long)st.st_size > max) {
		char has[32];
		size_text((size_t)st.st_size, has, sizeof(has));
		snprintf(err, err_size, "%s %s: %s, larger than the %s limit; refused", what, path,
			 has, limit);
		close(fd);
		errno = EFBIG;
		return NULL;
	}
	size_t cap = (size_t)st.st_size + 1, n = 0;
	char *buf = xmalloc(cap + 1);
	for (;;) { /* bounded: at most max + 1 bytes are read */
		if (n == cap) {
			if (n > max)
				break;
			cap = cap * 2 > max + 1 ? max + 1 : cap * 2;
			buf = xrealloc(buf, cap + 1);
		}
		ssize_t got = read(fd, buf + n, cap - n);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			int e = errno;
			snprintf(err, err_size, "%s %s: %s", what, path, strerror(e));
			free(buf);
			close(fd);
			errno = e;
			return NULL;
		}
		if (got == 0)
			break;
		n += (size_t)got;
	}
	close(fd);
	if (n > max) { /* it grew while we read */
		snprintf(err, err_size, "%s %s: larger than the %s limit; refused", what, path, limit);
		free(buf);
		errno = EFBIG;
		return NULL;
	}
	buf[n] = '\0';
	if (len)
		*len = n;
	return buf;
}

bool util_fail(char *err, size_t size, const char *fmt, ...)
{
	if (err && size) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(err, size, fmt, ap);
		va_end(ap);
	}
	return false;
}
