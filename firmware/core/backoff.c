/*
 * backoff.c — exponential back-off with a cap and a give-up point (backoff.h).
 */
#include "core/backoff.h"

const struct backoff_policy BACKOFF_MAIL = {
        .base_seconds = 60, .cap_seconds = 3600, .max_attempts = 30};

int64_t backoff_delay(const struct backoff_policy *p, int attempts)
{
	int64_t delay = p->base_seconds;

	/* Doubling stops at the cap, so no shift can overflow however large attempts is. */
	for (int i = 1; i < attempts && delay < p->cap_seconds; i++)
		delay *= 2;
	return delay < p->cap_seconds ? delay : p->cap_seconds;
}

bool backoff_next(const struct backoff_policy *p, int attempts, int64_t now, int64_t *next_try)
{
	if (attempts >= p->max_attempts)
		return true;
	*next_try = now + backoff_delay(p, attempts);
	return false;
}

const struct backoff_policy BACKOFF_SYNC_MS = {
        .base_seconds = 2000, .cap_seconds = 300000, .max_attempts = 0};

int64_t backoff_jittered(const struct backoff_policy *p, int attempts, uint32_t random)
{
	int64_t half = backoff_delay(p, attempts) / 2;

	return half + (int64_t)(random % (uint64_t)(half + 1));
}
