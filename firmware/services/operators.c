/*
 * operators.c — this device's accounts: stored with a generated password and its Argon2id hash
 * (account/account.h: the rules central shares), the Dirigente's password email, unlock and
 * list. Log-in itself is login.c; the count of failed log-ins per typed name is login_guard.c.
 */
#include "services/operators.h"

#include <stdio.h>
#include <string.h>

#include "core/messages.h"
#include "services/audit.h"
#include "services/login_guard.h"
#include "services/outbox.h"

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

static agenda_err set_password(agenda_ctx *ctx, const char *actor, const char *username,
                               enum operator_role role, bool create, char *password_out,
                               agenda_detail *why)
{
	static const char INSERT[] =
	        "INSERT INTO operator(username, role, password_hash, created_at)"
	        " VALUES(?, ?, ?, ?)";
	static const char UPDATE[] = "UPDATE operator SET password_hash = ?3 WHERE username = ?1";
	char password[PASSWORD_MAX], encoded[PASSWORD_HASH_ENCODED_MAX];
	sqlite3_stmt *st;
	agenda_err err;

	if ((err = operator_username_check(username, why)) != AG_OK)
		return err;
	if ((err = account_password_generate(&ctx->rng, password)) != AG_OK ||
	    (err = account_password_hash(&ctx->rng, password, encoded)) != AG_OK) {
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
		err = login_guard_clear(ctx, username, why);
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
	err = login_guard_clear(ctx, username, why);
	if (err == AG_OK)
		err = audit_append(ctx, actor, "operator_unlock", username, "", why);
	if (err == AG_OK)
		err = store_commit(ctx->store, why);
done:
	if (err != AG_OK)
		store_rollback(ctx->store);
	return err;
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
	unsigned char key[LOGIN_GUARD_KEY_LEN];
	int rc;

	if (!st)
		return AG_ERR_STORE;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		read_operator(st, &op);
		login_guard_key(ctx, op.username, key);
		login_guard_read(ctx, key, &op.failures, &op.locked_until);
		if (op.locked_until != 0 && op.locked_until <= clock_now(&ctx->clock))
			op.failures = 0,
			op.locked_until = 0; /* a lock that ran out counts afresh */
		visit(arg, &op);
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? AG_OK : store_error(ctx->store, rc, why);
}

agenda_err operator_upsert_from_central(agenda_ctx *ctx, const char *username,
                                        enum operator_role role, const char *password_hash,
                                        agenda_detail *why)
{
	static const char SQL[] =
	        "INSERT INTO operator(username, role, password_hash, created_at) VALUES(?, ?, ?, ?)"
	        " ON CONFLICT(username) DO UPDATE SET role = excluded.role,"
	        " password_hash = excluded.password_hash";
	static const char PREFIX[] = "$argon2id$";
	sqlite3_stmt *st;
	agenda_err err;

	if ((err = operator_username_check(username, why)) != AG_OK)
		return err;
	if (!password_hash || strncmp(password_hash, PREFIX, sizeof PREFIX - 1) != 0 ||
	    strlen(password_hash) >= PASSWORD_HASH_ENCODED_MAX || role == ROLE_NONE) {
		agenda_detail_set(why, MSG_OPERATOR_BAD_HASH, username);
		return AG_ERR_INVALID;
	}
	if ((err = store_begin(ctx->store, why)) != AG_OK)
		return err;
	if (!(st = store_stmt(ctx->store, SQL, why))) {
		err = AG_ERR_STORE;
		goto done;
	}
	sqlite3_bind_text(st, 1, username, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, operator_role_name(role), -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, password_hash, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, clock_now(&ctx->clock));
	/* Central's change follows an administrator's act (add, reset, unlock): a lock the
	 * device counted for this name goes with it. */
	if ((err = store_step_done(ctx->store, st, why)) ||
	    (err = login_guard_clear(ctx, username, why)) ||
	    (err = audit_append(ctx, "central", "operator_from_central", username,
	                        operator_role_name(role), why)))
		goto done;
	return store_commit(ctx->store, why);
done:
	store_rollback(ctx->store);
	return err;
}
