/*
 * rng.h — the injectable random number generator.
 *
 * Passwords, salts and appointment ids take their bytes from an agenda_rng. The device's
 * generator is mbedTLS CTR-DRBG fed by the OS entropy source; tests use the same DRBG seeded
 * from a number, so runs repeat exactly.
 */
#ifndef AGENDA_PLATFORM_RNG_H
#define AGENDA_PLATFORM_RNG_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

typedef struct agenda_rng {
	int (*fill)(void *ctx, unsigned char *buf, size_t len); /* 0 on success */
	void *ctx;
} agenda_rng;

struct rng_state; /* opaque DRBG state, owned by whoever opened it */

/* CTR-DRBG seeded from the OS. Free with rng_close. */
agenda_err rng_open_system(agenda_rng *out, struct rng_state **state);

/* CTR-DRBG seeded from `seed` only: deterministic, for tests. Free with rng_close. */
agenda_err rng_open_seeded(agenda_rng *out, struct rng_state **state, uint64_t seed);

void rng_close(struct rng_state *state);

static inline int rng_fill(const agenda_rng *r, void *buf, size_t len)
{
	return r->fill(r->ctx, (unsigned char *)buf, len);
}

/* A random (version 4) UUID as 36 characters + NUL. */
agenda_err rng_uuid(const agenda_rng *r, char out[37]);

#endif
