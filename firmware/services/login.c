/*
 * login.c — log-in (sessions) and the personal-data gate.
 *
 * Nothing a log-in answers tells whether a user name exists: unknown user, wrong password and
 * locked account give one message and one code, and cost the same (one Argon2id check — against
 * a dummy hash when there is no account or it is locked — and the same two transactions).
 * Failures are counted per typed name (login_guard.c), for names with and without an account
 * alike; so an unknown name locks too. The attempt is counted durably BEFORE the password is
 * checked: however many processes guess at once, at most LOGIN_MAX_FAILURES guesses per lock
 * period ever reach Argon2id.
 */
#include <argon2.h>
#include <stdio.h>
#include <string.h>

#include "core/messages.h"
#include "services/audit.h"
#include "services/login_guard.h"
#include "services/operators.h"

/* A valid encoding of a random password: unknown users are verified against it. */
static const char DUMMY_HASH[] = "$argon2id$v=19$m=19456,t=2,p=1$"
                                 "c29tZXNhbHRzb21lc2FsdA$"
                                 "Vx4b3ZQmzmL0qzYbyoRpjvvUhHcGhc3OqITe3b1JJ8I";

/*
 * Records how the attempt ended: success clears the name's count; every outcome leaves one
 * audit record (unknown names as "-": what was typed is not kept).
 */
static agenda_err login_settle(agenda_ctx *ctx, bool ok, const char *username,
                               const struct login_attempt *a, agenda_detail *why)
{
	const char *action = ok             ? "login"
	                     : !a->admitted ? "login_refused_locked"
	                     : a->lock_end  ? "login_locked"
	                                    : "login_failed";
	char detail[32];
	agenda_err err = store_begin(ctx->store, why);

	if (err != AG_OK)
		return err;
	if (ok)
		err = login_guard_clear(ctx, username, why);
	snprintf(detail, sizeof detail, "failures=%d", a->failures);
	if (err == AG_OK)
		err = audit_append(ctx, username, action, username, detail, why);
	if (err == AG_OK)
		err = store_commit(ctx->store, why);
	else
		store_rollback(ctx->store);
	return err;
}

agenda_err session_login(agenda_ctx *ctx, const char *username, const char *password,
                         struct session *out, agenda_detail *why)
{
	static const char FIND[] = "SELECT id, username, role, password_hash"
	                           " FROM operator WHERE username = ?";
	const char *name = username ? username : "";
	int64_t now = clock_now(&ctx->clock);
	char encoded[PASSWORD_HASH_ENCODED_MAX] = "";
	unsigned char key[LOGIN_GUARD_KEY_LEN];
	struct operator_info op;
	struct login_attempt attempt;
	sqlite3_stmt *st = store_stmt(ctx->store, FIND, why);
	bool found = false, ok;
	agenda_err err;

	if (!st)
		return AG_ERR_STORE;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW) {
		memset(&op, 0, sizeof op);
		op.id = sqlite3_column_int64(st, 0);
		snprintf(op.username, sizeof op.username, "%s",
		         (const char *)sqlite3_column_text(st, 1));
		operator_role_parse((const char *)sqlite3_column_text(st, 2), &op.role);
		snprintf(encoded, sizeof encoded, "%s", (const char *)sqlite3_column_text(st, 3));
		found = true;
	}
	sqlite3_reset(st);
	login_guard_key(ctx, name, key);
	if ((err = login_guard_admit(ctx, key, now, &attempt, why)) != AG_OK)
		return err;
	/* Exactly one Argon2id check whatever the case, so the time tells nothing either. */
	ok = argon2id_verify(found && attempt.admitted ? encoded : DUMMY_HASH,
	                     password ? password : "",
	                     password ? strlen(password) : 0) == ARGON2_OK;
	ok = ok && found && attempt.admitted;
	err = login_settle(ctx, ok, found ? op.username : "-", &attempt, why);
	if (err != AG_OK)
		return err;
	if (!ok) {
		agenda_detail_set(why, MSG_LOGIN_FAILED, LOGIN_MAX_FAILURES,
		                  LOGIN_LOCK_SECONDS / 60);
		return AG_ERR_AUTH;
	}
	memset(out, 0, sizeof *out);
	out->operator_id = op.id;
	snprintf(out->username, sizeof out->username, "%s", op.username);
	out->role = op.role;
	out->started_at = now;
	return AG_OK;
}

agenda_err session_require_personal_data(const struct session *s, agenda_detail *why)
{
	/* A session is someone only with an account behind it (an id) and a role. */
	if (!s || s->operator_id <= 0 || s->role == ROLE_NONE) {
		agenda_detail_set(why, MSG_SESSION_NONE);
		return AG_ERR_AUTH;
	}
	if (s->role == ROLE_OPERATORE || s->role == ROLE_DIRIGENTE)
		return AG_OK;
	agenda_detail_set(why, MSG_ROLE_NO_PERSONAL_DATA);
	return AG_ERR_REFUSED;
}
