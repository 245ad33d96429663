/* Shared by the libFuzzer harnesses: input splitting and invariant checks.
 * An invariant that fails aborts, which libFuzzer reports as a crash with
 * the input saved (a finding, like a sanitizer report). */
#ifndef DRIVR_FUZZ_H
#define DRIVR_FUZZ_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_CHECK(cond)                                                              \
	do {                                                                          \
		if (!(cond)) {                                                        \
			fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__, __LINE__, \
				#cond);                                               \
			abort();                                                      \
		}                                                                     \
	} while (0)

/* A NUL-terminated copy of data[0..size) (text parsers take C strings). */
static inline char *fuzz_text(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	if (!s)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

/* Splits the input at its first NUL: *a gets the part before, *b the rest
 * (both new C strings; *b is "" when there is no NUL). */
static inline void fuzz_split(const uint8_t *data, size_t size, char **a, char **b)
{
	const uint8_t *nul = memchr(data, 0, size);
	size_t n = nul ? (size_t)(nul - data) : size;
	*a = fuzz_text(data, n);
	*b = nul ? fuzz_text(nul + 1, size - n - 1) : fuzz_text(data, 0);
}

#endif
