/*
 * rng.c — mbedTLS CTR-DRBG behind agenda_rng, with OS or fixed-seed entropy, and UUIDs.
 */
#include "platform/rng.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mbedtls/ctr_drbg.h>
#include <mbedtls/entropy.h>

struct rng_state {
	mbedtls_entropy_context entropy;
	mbedtls_ctr_drbg_context drbg;
	uint64_t seed;
	uint64_t counter;
};

static int drbg_fill(void *ctx, unsigned char *buf, size_t len)
{
	struct rng_state *s = ctx;

	/* CTR-DRBG hands out at most MBEDTLS_CTR_DRBG_MAX_REQUEST bytes per call. */
	while (len > 0) {
		size_t n = len < MBEDTLS_CTR_DRBG_MAX_REQUEST ? len : MBEDTLS_CTR_DRBG_MAX_REQUEST;

		if (mbedtls_ctr_drbg_random(&s->drbg, buf, n) != 0)
			return -1;
		buf += n;
		len -= n;
	}
	return 0;
}

/* Test entropy: a splitmix64 stream from the seed, never the OS. */
static int seeded_entropy(void *ctx, unsigned char *out, size_t len)
{
	struct rng_state *s = ctx;

	for (size_t i = 0; i < len; i++) {
		uint64_t z = (s->seed + 0x9e3779b97f4a7c15ULL * ++s->counter);

		z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
		z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
		out[i] = (unsigned char)(z ^ (z >> 31));
	}
	return 0;
}

static agenda_err open_with(agenda_rng *out, struct rng_state **state, int seeded, uint64_t seed)
{
	static const unsigned char PERSONALISATION[] = "agenda-elettronica";
	struct rng_state *s = calloc(1, sizeof *s);
	int rc;

	if (!s)
		return AG_ERR_NOMEM;
	mbedtls_ctr_drbg_init(&s->drbg);
	mbedtls_entropy_init(&s->entropy);
	s->seed = seed;
	if (seeded)
		rc = mbedtls_ctr_drbg_seed(&s->drbg, seeded_entropy, s, PERSONALISATION,
		                           sizeof PERSONALISATION - 1);
	else
		rc = mbedtls_ctr_drbg_seed(&s->drbg, mbedtls_entropy_func, &s->entropy,
		                           PERSONALISATION, sizeof PERSONALISATION - 1);
	if (rc != 0) {
		rng_close(s);
		return AG_ERR_IO;
	}
	*state = s;
	*out = (agenda_rng){.fill = drbg_fill, .ctx = s};
	return AG_OK;
}

agenda_err rng_open_system(agenda_rng *out, struct rng_state **state)
{
	return open_with(out, state, 0, 0);
}

agenda_err rng_open_seeded(agenda_rng *out, struct rng_state **state, uint64_t seed)
{
	return open_with(out, state, 1, seed);
}

void rng_close(struct rng_state *state)
{
	if (!state)
		return;
	mbedtls_ctr_drbg_free(&state->drbg);
	mbedtls_entropy_free(&state->entropy);
	free(state);
}

agenda_err rng_uuid(const agenda_rng *r, char out[37])
{
	static const char HEX[] = "0123456789abcdef";
	unsigned char b[16];
	char *o = out;

	if (rng_fill(r, b, sizeof b) != 0)
		return AG_ERR_IO;
	b[6] = (unsigned char)((b[6] & 0x0f) | 0x40); /* version 4 */
	b[8] = (unsigned char)((b[8] & 0x3f) | 0x80); /* RFC 4122 variant */
	/* 8-4-4-4-12 hex digits; by hand, since snprintf's format parsing cost a booking ~6 us. */
	for (int i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			*o++ = '-';
		*o++ = HEX[b[i] >> 4];
		*o++ = HEX[b[i] & 0x0f];
	}
	*o = '\0';
	return AG_OK;
}
