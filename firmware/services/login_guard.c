/*
 * login_guard.c — failed log-ins counted per typed name, under a keyed hash (login_guard.h).
 */
#include "services/login_guard.h"

#include <string.h>

#include "services/device_secret.h"
#include "services/operators.h"

void login_guard_key(const agenda_ctx *ctx, const char *name,
                     unsigned char key[LOGIN_GUARD_KEY_LEN])
{
	device_secret_mac(ctx->secret, "login_guard", name, strlen(name), key);
}

agenda_err login_guard_clear(agenda_ctx *ctx, const char *username, agenda_detail *why)
{
	static const char SQL[] = "DELETE FROM login_guard WHERE name_key = ?";
	unsigned char key[LOGIN_GUARD_KEY_LEN];
	sqlite3_stmt *st = store_stmt(ctx->store, SQL, why);

	if (!st)
		return AG_ERR_STORE;
	login_guard_key(ctx, username, key);
	sqlite3_bind_blob(st, 1, key, sizeof key, SQLITE_TRANSIENT);
	return store_step_done(ctx->store, st, why);
}

void login_guard_read(agenda_ctx *ctx, const unsigned char key[LOGIN_GUARD_KEY_LEN], int *failures,
                      int64_t *locked_until)
{
	static const char SQL[] =
	        "SELECT failures, locked_until FROM login_guard WHERE name_key = ?";
	sqlite3_stmt *st = store_stmt(ctx->store, SQL, NULL);

	*failures = 0;
	*locked_until = 0;
	if (!st)
		return;
	sqlite3_bind_blob(st, 1, key, LOGIN_GUARD_KEY_LEN, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW) {
		*failures = sqlite3_column_int(st, 0);
		*locked_until = sqlite3_column_int64(st, 1);
	}
	sqlite3_reset(st);
}

agenda_err login_guard_admit(agenda_ctx *ctx, const unsigned char key[LOGIN_GUARD_KEY_LEN],
                             int64_t now, struct login_attempt *a, agenda_detail *why)
{
	static const char PUT[] =
	        "INSERT INTO login_guard(name_key, failures, locked_until, last_at) VALUES(?,?,?,?)"
	        " ON CONFLICT(name_key) DO UPDATE SET failures = excluded.failures,"
	        " locked_until = excluded.locked_until, last_at = excluded.last_at";
	static const char FORGET[] =
	        "DELETE FROM login_guard WHERE last_at < ?1 AND locked_until < ?2";
	sqlite3_stmt *st;
	int64_t locked_until;
	agenda_err err = store_begin(ctx->store, why);

	memset(a, 0, sizeof *a);
	if (err != AG_OK)
		return err;
	/* Names nobody has typed for a day are forgotten: the table stays small. */
	if (!(st = store_stmt(ctx->store, FORGET, why))) {
		err = AG_ERR_STORE;
		goto done;
	}
	sqlite3_bind_int64(st, 1, now - LOGIN_GUARD_FORGET_SECONDS);
	sqlite3_bind_int64(st, 2, now);
	if ((err = store_step_done(ctx->store, st, why)) != AG_OK)
		goto done;
	login_guard_read(ctx, key, &a->failures, &locked_until);
	if (locked_until == 0 || locked_until <= now) {
		if (locked_until != 0)
			a->failures = 0; /* a lock that has run out starts a fresh count */
		a->failures++;
		a->admitted = true;
		a->lock_end = a->failures >= LOGIN_MAX_FAILURES ? now + LOGIN_LOCK_SECONDS : 0;
		locked_until = a->lock_end;
	}
	/* A locked name is not admitted, but its row is written all the same (the time of its last
	 * attempt): every attempt costs the same durable write, so time tells nothing either. */
	if (!(st = store_stmt(ctx->store, PUT, why))) {
		err = AG_ERR_STORE;
		goto done;
	}
	sqlite3_bind_blob(st, 1, key, LOGIN_GUARD_KEY_LEN, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, a->failures);
	sqlite3_bind_int64(st, 3, locked_until);
	sqlite3_bind_int64(st, 4, now);
	err = store_step_done(ctx->store, st, why);
done:
	if (err == AG_OK)
		err = store_commit(ctx->store, why);
	else
		store_rollback(ctx->store);
	return err;
}
