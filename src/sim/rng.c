/* rng — see rng.h. */
#include "rng.h"

#include <stdio.h>

static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

void rng_seed(struct rng *r, uint64_t seed)
{
	for (int i = 0; i < 4; i++)
		r->s[i] = splitmix64(&seed);
}

static uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

uint64_t rng_next(struct rng *r)
{
	uint64_t *s = r->s;
	uint64_t result = rotl(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;
	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return result;
}

double rng_unit(struct rng *r)
{
	return (double)(rng_next(r) >> 11) * (1.0 / 9007199254740992.0);
}

uint32_t rng_below(struct rng *r, uint32_t n)
{
	return n ? (uint32_t)(rng_unit(r) * n) : 0;
}

double rng_range(struct rng *r, double lo, double hi)
{
	return lo + (hi - lo) * rng_unit(r);
}

bool rng_chance(struct rng *r, double p)
{
	return rng_unit(r) < p;
}

double rng_gauss(struct rng *r)
{
	double sum = 0;
	for (int i = 0; i < 6; i++)
		sum += rng_unit(r);
	return (sum - 3.0) * 1.4142135623730951; /* variance of 6 uniforms is 1/2 */
}

void rng_uuid(struct rng *r, char out[37])
{
	uint64_t hi = rng_next(r), lo = rng_next(r);
	hi = (hi & ~0xf000ULL) | 0x4000ULL;                     /* version 4 */
	lo = (lo & ~(0xc0ULL << 56)) | (0x80ULL << 56);         /* variant 10 */
	snprintf(out, 37, "%08x-%04x-%04x-%04x-%012llx", (unsigned)(hi >> 32),
		 (unsigned)((hi >> 16) & 0xffff), (unsigned)(hi & 0xffff), (unsigned)(lo >> 48),
		 (unsigned long long)(lo & 0xffffffffffffULL));
}
