/*
 * operators.c — accounts, generated passwords, Argon2id hashes, log-in and lockout.
 *
 * Nothing a log-in answers tells whether a user name exists: unknown user, wrong password and
 * locked account give one message and one code, and cost the same (one Argon2id check — against
 * a dummy hash when there is no account or it is locked — and the same two transactions).
 * Failures are counted per typed name in login_guard, keyed by an HMAC of the name, for names
 * with and without an account alike; so an unknown name locks too.
 *
 * The attempt is counted durably BEFORE the password is checked: however many processes guess
 * at once, at most LOGIN_MAX_FAILURES guesses per lock period ever reach Argon2id.
 */
#include "services/operators.h"

#include <argon2.h>
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "core/messages.h"
#include "services/audit.h"
#include "services/device_secret.h"
#include "services/outbox.h"

/* No 0/O, 1/l/I: the Dirigente reads the password from an email and dictates it. */
static const char PASSWORD_ALPHABET[] = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";

#define SALT_LEN    16
#define HASH_LEN    32
#define ENCODED_MAX 128

static const char *const ROLE_NAMES[] = {"operatore", "dirigente", "tecnico"};

const char *operator_role_name(enum operator_role role)
{
	return (role >= ROLE_OPERATORE && role <= ROLE_TECNICO) ? ROLE_NAMES[role] : "?";
}

bool operator_role_parse(const char *text, enum operator_role *out)
{
	for (int r = ROLE_OPERATORE; r <= ROLE_TECNICO; r++) {
		if (text && strcmp(text, ROLE_NAMES[r]) == 0) {
			*out = (enum operator_role)r;
			return true;
		}
	}
	return false;
}

agenda_err operator_username_check(const char *username, agenda_detail *why)
{
	size_t n = username ? strlen(username) : 0;

	if (n < 3 || n >= USERNAME_MAX || !islower((unsigned char)username[0]))
		goto bad;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)username[i];

		if (!(islower(c) || isdigit(c) || c == '.' || c == '_' || c == '-'))
			goto bad;
	}
	return AG_OK;
bad:
	agenda_detail_set(why, MSG_OPERATOR_BAD_USERNAME);
	return AG_ERR_INVALID;
}

/* Uniform choice from the alphabet by rejection sampling (no modulo bias). */
static agenda_err generate_password(agenda_ctx *ctx, char *out)
{
	const unsigned n = sizeof PASSWORD_ALPHABET - 1;
	const unsigned limit = 256 - 256 % n;
	int len = 0;

	while (len < PASSWORD_LENGTH) {
		unsigned char b[32];

		if (rng_fill(&ctx->rng, b, sizeof b) != 0)
			return AG_ERR_IO;
		for (size_t i = 0; i < sizeof b && len < PASSWORD_LENGTH; i++)
			if (b[i] < limit)
				out[len++] = PASSWORD_ALPHABET[b[i] % n];
	}
	out[len] = '\0';
	return AG_OK;
}

static agenda_err hash_password(agenda_ctx *ctx, const char *password, char *encoded)
{
	unsigned char salt[SALT_LEN];

	if (rng_fill(&ctx->rng, salt, sizeof salt) != 0)
		return AG_ERR_IO;
	if (argon2id_hash_encoded(PASSWORD_HASH_PASSES, PASSWORD_HASH_MEMORY_KIB, 1, password,
	                          strlen(password), salt, sizeof salt, HASH_LEN, encoded,
	                          ENCODED_MAX) != ARGON2_OK)
		return AG_ERR_NOMEM;
	return AG_OK;
}

/*
 * Queues the new password to the Dirigente when the device knows the address, replacing one
 * still waiting for the same account (outbox topic).
 */
static agenda_err mail_password(agenda_ctx *ctx, const char *username, const char *password,
                                agenda_detail *why)
{
	char to[128], site[64] = "", message_id[96], uuid[37], subject[160], body[512], topic[48];
	struct outbox_message m = {.kind = "password",
	                           .topic = topic,
	                           .message_id = message_id,
	                           .recipient = to,
	                           .subject = subject,
	                           .body = body};
	agenda_err err;

	if (!store_setting_get(ctx->store, "dirigente_email", to, sizeof to) || !to[0])
		return AG_OK;
	store_setting_get(ctx->store, "site", site, sizeof site);
	if ((err = rng_uuid(&ctx->rng, uuid)) != AG_OK)
		return err;
	snprintf(topic, sizeof topic, "password:%s", username);
	snprintf(message_id, sizeof message_id, "<password.%s@%s.agenda>", uuid, ctx->device_id);
	snprintf(subject, sizeof subject, msg_get(MSG_OPERATOR_PASSWORD_SUBJECT, LANG_IT),
	         username);
	snprintf(body, sizeof body, msg_get(MSG_OPERATOR_PASSWORD_BODY, LANG_IT), site, username,
	         password);
	err = outbox_queue(ctx, &m, why);
	memset(body, 0, sizeof body);
	return err;
}

/* The login_guard row of a typed name: never the name itself (it may be a mistyped password). */
static void guard_key(const agenda_ctx *ctx, const char *name, unsigned char key[32])
{
	device_secret_mac(ctx->secret, "login_guard", name, strlen(name), key);
}

/* Forgets the failures counted for an account (reset, unlock), inside the caller's transaction. */
static agenda_err guard_clear(agenda_ctx *ctx, const char *username, agenda_detail *why)
{
	static const char SQL[] = "DELETE FROM login_guard WHERE name_key = ?";
	unsigned char key[32];
	sqlite3_stmt *st = store_stmt(ctx->store, SQL, why);

	if (!st)
		return AG_ERR_STORE;
	guard_key(ctx, username, key);
	sqlite3_bind_blob(st, 1, key, sizeof key, SQLITE_TRANSIENT);
	return store_step_done(ctx->store, st, why);
}

static agenda_err set_password(agenda_ctx *ctx, const char *actor, const char *username,
                               enum operator_role role, bool create, char *password_out,
                               agenda_detail *why)
{
	static const char INSERT[] =
	        "INSERT INTO operator(username, role, password_hash, created_at)"
	        " VALUES(?, ?, ?, ?)";
	static const char UPDATE[] = "UPDATE operator SET password_hash = ?3 WHERE username = ?1";
	char password[PASSWORD_MAX], encoded[ENCODED_MAX];
	sqlite3_stmt *st;
	agenda_err err;

	if ((err = operator_username_check(username, why)) != AG_OK)
		return err;
	if ((err = generate_password(ctx, password)) != AG_OK ||
	    (err = hash_password(ctx, password, encoded)) != AG_OK) {
		agenda_detail_set(why, MSG_RNG_FAILED);
		return err;
	}
	if ((err = store_begin(ctx->store, why)) != AG_OK)
		return err;
	if (!(st = store_stmt(ctx->store, create ? INSERT : UPDATE, why))) {
		err = AG_ERR_STORE;
		goto done;
	}
	sqlite3_bind_text(st, 1, username, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, operator_role_name(role), -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, encoded, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, clock_now(&ctx->clock));
	if (sqlite3_step(st) != SQLITE_DONE) {
		int rc = sqlite3_extended_errcode(store_db(ctx->store));

		sqlite3_reset(st);
		if (rc == SQLITE_CONSTRAINT_UNIQUE) {
			agenda_detail_set(why, MSG_OPERATOR_EXISTS, username);
			err = AG_ERR_EXISTS;
		} else {
			err = store_error(ctx->store, rc, why);
		}
		goto done;
	}
	sqlite3_reset(st);
	if (!create && sqlite3_changes(store_db(ctx->store)) == 0) {
		agenda_detail_set(why, MSG_OPERATOR_NOT_FOUND, username);
		err = AG_ERR_NOT_FOUND;
		goto done;
	}
	err = mail_password(ctx, username, password, why);
	if (err == AG_OK)
		err = guard_clear(ctx, username, why);
	if (err == AG_OK)
		err = audit_append(ctx, actor, create ? "operator_add" : "operator_password",
		                   username, create ? operator_role_name(role) : "", why);
	if (err == AG_OK)
		err = store_commit(ctx->store, why);
done:
	if (err != AG_OK)
		store_rollback(ctx->store);
	else if (password_out)
		snprintf(password_out, PASSWORD_MAX, "%s", password);
	/* A replaced password message's bytes may sit in the WAL until the next checkpoint. */
	if (err == AG_OK && !create)
		store_checkpoint(ctx->store);
	memset(password, 0, sizeof password);
	return err;
}

agenda_err operator_add(agenda_ctx *ctx, const char *actor, const char *username,
                        enum operator_role role, char *password_out, agenda_detail *why)
{
	return set_password(ctx, actor, username, role, true, password_out, why);
}

agenda_err operator_reset_password(agenda_ctx *ctx, const char *actor, const char *username,
                                   char *password_out, agenda_detail *why)
{
	return set_password(ctx, actor, username, ROLE_OPERATORE, false, password_out, why);
}

agenda_err operator_unlock(agenda_ctx *ctx, const char *actor, const char *username,
                           agenda_detail *why)
{
	static const char EXISTS[] = "SELECT 1 FROM operator WHERE username = ?";
	sqlite3_stmt *st;
	agenda_err err = store_begin(ctx->store, why);
	bool found;

	if (err != AG_OK)
		return err;
	if (!(st = store_stmt(ctx->store, EXISTS, why))) {
		err = AG_ERR_STORE;
		goto done;
	}
	sqlite3_bind_text(st, 1, username, -1, SQLITE_STATIC);
	found = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_reset(st);
	if (!found) {
		agenda_detail_set(why, MSG_OPERATOR_NOT_FOUND, username);
		err = AG_ERR_NOT_FOUND;
		goto done;
	}
	err = guard_clear(ctx, username, why);
	if (err == AG_OK)
		err = audit_append(ctx, actor, "operator_unlock", username, "", why);
	if (err == AG_OK)
		err = store_commit(ctx->store, why);
done:
	if (err != AG_OK)
		store_rollback(ctx->store);
	return err;
}

/* The failures counted for a name and the end of its lock (0, 0 when none). */
static void guard_read(agenda_ctx *ctx, const unsigned char key[32], int *failures,
                       int64_t *locked_until)
{
	static const char SQL[] =
	        "SELECT failures, locked_until FROM login_guard WHERE name_key = ?";
	sqlite3_stmt *st = store_stmt(ctx->store, SQL, NULL);

	*failures = 0;
	*locked_until = 0;
	if (!st)
		return;
	sqlite3_bind_blob(st, 1, key, 32, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW) {
		*failures = sqlite3_column_int(st, 0);
		*locked_until = sqlite3_column_int64(st, 1);
	}
	sqlite3_reset(st);
}

static void read_operator(sqlite3_stmt *st, struct operator_info *op)
{
	memset(op, 0, sizeof *op);
	op->id = sqlite3_column_int64(st, 0);
	snprintf(op->username, sizeof op->username, "%s", (const char *)sqlite3_column_text(st, 1));
	operator_role_parse((const char *)sqlite3_column_text(st, 2), &op->role);
}

agenda_err operator_list(agenda_ctx *ctx, operator_visit_fn visit, void *arg, agenda_detail *why)
{
	static const char SQL[] = "SELECT id, username, role FROM operator ORDER BY username";
	sqlite3_stmt *st = store_stmt(ctx->store, SQL, why);
	struct operator_info op;
	unsigned char key[32];
	int rc;

	if (!st)
		return AG_ERR_STORE;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		read_operator(st, &op);
		guard_key(ctx, op.username, key);
		guard_read(ctx, key, &op.failures, &op.locked_until);
		if (op.locked_until != 0 && op.locked_until <= clock_now(&ctx->clock))
			op.failures = 0,
			op.locked_until = 0; /* a lock that ran out counts afresh */
		visit(arg, &op);
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? AG_OK : store_error(ctx->store, rc, why);
}

/* A valid encoding of a random password: unknown users are verified against it. */
static const char DUMMY_HASH[] = "$argon2id$v=19$m=19456,t=2,p=1$"
                                 "c29tZXNhbHRzb21lc2FsdA$"
                                 "Vx4b3ZQmzmL0qzYbyoRpjvvUhHcGhc3OqITe3b1JJ8I";

/* What counting an attempt decided (login_admit). */
struct attempt {
	bool admitted;    /* the password may be checked */
	int failures;     /* counted so far, this attempt included */
	int64_t lock_end; /* set when this attempt is the last one allowed */
};

/*
 * Counts the attempt on the typed name before its password is checked, in its own durable
 * transaction: a locked name is not admitted; else the count goes up and, at the fifth, the lock
 * is set already — a concurrent sixth guess finds it and is never checked.
 */
static agenda_err login_admit(agenda_ctx *ctx, const unsigned char key[32], int64_t now,
                              struct attempt *a, agenda_detail *why)
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
	guard_read(ctx, key, &a->failures, &locked_until);
	if (locked_until != 0 && locked_until > now)
		goto done; /* not admitted; nothing to write */
	if (locked_until != 0)
		a->failures = 0; /* a lock that has run out starts a fresh count */
	a->failures++;
	a->admitted = true;
	a->lock_end = a->failures >= LOGIN_MAX_FAILURES ? now + LOGIN_LOCK_SECONDS : 0;
	if (!(st = store_stmt(ctx->store, PUT, why))) {
		err = AG_ERR_STORE;
		goto done;
	}
	sqlite3_bind_blob(st, 1, key, 32, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, a->failures);
	sqlite3_bind_int64(st, 3, a->lock_end);
	sqlite3_bind_int64(st, 4, now);
	err = store_step_done(ctx->store, st, why);
done:
	if (err == AG_OK)
		err = store_commit(ctx->store, why);
	else
		store_rollback(ctx->store);
	return err;
}

/*
 * Records how the attempt ended: success clears the name's count; every outcome leaves one
 * audit record (unknown names as "-": what was typed is not kept).
 */
static agenda_err login_settle(agenda_ctx *ctx, const unsigned char key[32], bool ok,
                               const char *username, const struct attempt *a, agenda_detail *why)
{
	static const char CLEAR[] = "DELETE FROM login_guard WHERE name_key = ?";
	const char *action = ok             ? "login"
	                     : !a->admitted ? "login_refused_locked"
	                     : a->lock_end  ? "login_locked"
	                                    : "login_failed";
	char detail[32];
	sqlite3_stmt *st;
	agenda_err err = store_begin(ctx->store, why);

	if (err != AG_OK)
		return err;
	if (ok) {
		if (!(st = store_stmt(ctx->store, CLEAR, why))) {
			err = AG_ERR_STORE;
			goto done;
		}
		sqlite3_bind_blob(st, 1, key, 32, SQLITE_STATIC);
		err = store_step_done(ctx->store, st, why);
	}
	snprintf(detail, sizeof detail, "failures=%d", a->failures);
	if (err == AG_OK)
		err = audit_append(ctx, username, action, username, detail, why);
	if (err == AG_OK)
		err = store_commit(ctx->store, why);
done:
	if (err != AG_OK)
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
	char encoded[ENCODED_MAX] = "";
	unsigned char key[32];
	struct operator_info op;
	struct attempt attempt;
	sqlite3_stmt *st = store_stmt(ctx->store, FIND, why);
	bool found = false, ok;
	agenda_err err;

	if (!st)
		return AG_ERR_STORE;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW) {
		read_operator(st, &op);
		snprintf(encoded, sizeof encoded, "%s", (const char *)sqlite3_column_text(st, 3));
		found = true;
	}
	sqlite3_reset(st);
	guard_key(ctx, name, key);
	if ((err = login_admit(ctx, key, now, &attempt, why)) != AG_OK)
		return err;
	/* Exactly one Argon2id check whatever the case, so the time tells nothing either. */
	ok = argon2id_verify(found && attempt.admitted ? encoded : DUMMY_HASH,
	                     password ? password : "",
	                     password ? strlen(password) : 0) == ARGON2_OK;
	ok = ok && found && attempt.admitted;
	err = login_settle(ctx, key, ok, found ? op.username : "-", &attempt, why);
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
	if (s && (s->role == ROLE_OPERATORE || s->role == ROLE_DIRIGENTE))
		return AG_OK;
	agenda_detail_set(why, MSG_ROLE_NO_PERSONAL_DATA);
	return AG_ERR_REFUSED;
}
