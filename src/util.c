/* util — see include/util.h. */
#include "util.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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
	time_t whole = (time_t)t;
	int millis = (int)((t - (double)whole) * 1000.0);
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
