/*
 * backoff.h — when to try again after a failed attempt: exponential back-off with a cap and a
 * point where the device stops trying by itself (a person can still retry).
 *
 * Pure arithmetic on attempt counts and epoch seconds, shared by the mail sender (outbox) and,
 * later, any other sender that retries against a remote server. No jitter: one device talks to
 * one server, there is no herd to spread.
 */
#ifndef AGENDA_CORE_BACKOFF_H
#define AGENDA_CORE_BACKOFF_H

#include <stdbool.h>
#include <stdint.h>

struct backoff_policy {
	int64_t base_seconds; /* wait after the first failure */
	int64_t cap_seconds;  /* the wait doubles up to this */
	int max_attempts;     /* failed attempts after which the sender gives up */
};

/*
 * The mail sender's policy: 1 min, 2, 4, ... capped at 1 h; gives up at the 30th failure, about
 * a day (86 580 s of waiting) after the first.
 */
extern const struct backoff_policy BACKOFF_MAIL;

/* The wait after the attempts-th failure (1 = the first); base for attempts < 1. */
int64_t backoff_delay(const struct backoff_policy *p, int attempts);

/*
 * After the attempts-th failure at time now: true when the sender should give up; otherwise
 * false and *next_try = now + backoff_delay(p, attempts).
 */
bool backoff_next(const struct backoff_policy *p, int attempts, int64_t now, int64_t *next_try);

/*
 * Sync rounds (issue 12): many kiosks of one office may lose central together and come back
 * together, so their retries are spread ("equal jitter"): half the exponential delay for sure,
 * the other half chosen by a random number the caller draws from its injectable RNG. Delays in
 * milliseconds: 2 s, 4, 8, ... capped at 5 min; never gives up (a person may also retry).
 */
extern const struct backoff_policy BACKOFF_SYNC_MS;

/* backoff_delay(p, attempts) / 2 + random % (backoff_delay(p, attempts) / 2 + 1). */
int64_t backoff_jittered(const struct backoff_policy *p, int attempts, uint32_t random);

#endif
