/*
 * login_guard.h — failed log-ins counted per typed user name (library-internal).
 *
 * A row per name in table login_guard, keyed by HMAC(device secret, name): names with and without
 * an account are counted alike, so a lock tells nobody which names exist, and nothing typed (a
 * password in the user field, perhaps) is kept in clear. login.c counts each attempt here BEFORE
 * its password is checked; operators.c clears a name on reset and unlock and reads it for lists.
 */
#ifndef AGENDA_SERVICES_LOGIN_GUARD_H
#define AGENDA_SERVICES_LOGIN_GUARD_H

#include <stdbool.h>
#include <stdint.h>

#include "services/context.h"

#define LOGIN_GUARD_KEY_LEN 32

/* What counting an attempt decided (login_guard_admit). */
struct login_attempt {
	bool admitted;    /* the password may be checked */
	int failures;     /* counted so far, this attempt included */
	int64_t lock_end; /* set when this attempt is the last one allowed */
};

/* The row key of a typed name. */
void login_guard_key(const agenda_ctx *ctx, const char *name,
                     unsigned char key[LOGIN_GUARD_KEY_LEN]);

/* The failures counted for a name and the end of its lock (0, 0 when none). */
void login_guard_read(agenda_ctx *ctx, const unsigned char key[LOGIN_GUARD_KEY_LEN], int *failures,
                      int64_t *locked_until);

/*
 * Counts an attempt on the name in its own durable transaction: a locked name is not admitted;
 * else the count goes up and, at LOGIN_MAX_FAILURES, the lock is set already, so a concurrent
 * next guess finds it and is never checked. Names nobody typed for a day are forgotten.
 */
agenda_err login_guard_admit(agenda_ctx *ctx, const unsigned char key[LOGIN_GUARD_KEY_LEN],
                             int64_t now, struct login_attempt *a, agenda_detail *why);

/* Forgets the failures counted for a name, inside the caller's transaction. */
agenda_err login_guard_clear(agenda_ctx *ctx, const char *username, agenda_detail *why);

#endif
