/* rng — the simulator's deterministic random numbers (xoshiro256**, seeded
 * through splitmix64).  Every choice the simulator makes comes from one of
 * these, so a run with the same --seed makes the same world and the same
 * sequence of values; only wall-clock times and RSA keys differ. */
#ifndef DRIVR_SIM_RNG_H
#define DRIVR_SIM_RNG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct rng {
	uint64_t s[4];
};

void rng_seed(struct rng *r, uint64_t seed);
uint64_t rng_next(struct rng *r);
/* Uniform in [0, 1). */
double rng_unit(struct rng *r);
/* Uniform in [0, n); 0 when n is 0. */
uint32_t rng_below(struct rng *r, uint32_t n);
/* Uniform in [lo, hi). */
double rng_range(struct rng *r, double lo, double hi);
/* True with probability p. */
bool rng_chance(struct rng *r, double p);
/* Roughly normal (sum of uniforms), mean 0, deviation 1. */
double rng_gauss(struct rng *r);
/* A version 4 UUID, lowercase, into out[37]. */
void rng_uuid(struct rng *r, char out[37]);

#endif
