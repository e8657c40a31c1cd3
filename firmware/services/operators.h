/*
 * operators.h — operator accounts and log-in (sessions).
 *
 * User names are the SPI ones. Passwords are generated here (CSPRNG), never chosen, and stored
 * only as Argon2id hashes; the clear text goes to the Dirigente by email (outbox) and, on a
 * stand-alone device, once to whoever created the account. Five wrong passwords in a row lock an
 * account for 15 minutes. A tecnico may service the device but never reads personal data.
 */
#ifndef AGENDA_SERVICES_OPERATORS_H
#define AGENDA_SERVICES_OPERATORS_H

#include <stdbool.h>
#include <stdint.h>

#include "account/account.h"
#include "services/context.h"

/* User names, roles, password generation and hashing: account/account.h (shared with central). */
#define LOGIN_MAX_FAILURES 5
#define LOGIN_LOCK_SECONDS (15 * 60)
/* A name nobody has typed for this long loses its count of failures. */
#define LOGIN_GUARD_FORGET_SECONDS (24 * 60 * 60)

struct operator_info {
	int64_t id;
	char username[USERNAME_MAX];
	enum operator_role role;
	int failures;         /* wrong passwords counted for the name (login_guard) */
	int64_t locked_until; /* epoch seconds; 0 = not locked */
};

/* Who is logged in; every service that touches personal data takes one. */
struct session {
	int64_t operator_id;
	char username[USERNAME_MAX];
	enum operator_role role;
	int64_t started_at;
};

/*
 * Creates an account with a generated password, written to password_out (PASSWORD_MAX bytes).
 * When the setting "dirigente_email" exists, the password is also queued to the Dirigente in the
 * outbox. actor is who does it (audit).
 */
agenda_err operator_add(agenda_ctx *ctx, const char *actor, const char *username,
                        enum operator_role role, char *password_out, agenda_detail *why);

/* New generated password for an existing account; also clears a lock. */
agenda_err operator_reset_password(agenda_ctx *ctx, const char *actor, const char *username,
                                   char *password_out, agenda_detail *why);

agenda_err operator_unlock(agenda_ctx *ctx, const char *actor, const char *username,
                           agenda_detail *why);

typedef void (*operator_visit_fn)(void *arg, const struct operator_info *op);
agenda_err operator_list(agenda_ctx *ctx, operator_visit_fn visit, void *arg, agenda_detail *why);

/*
 * An operator account central sent (issue 12): created or updated by user name with central's
 * role and Argon2id hash (encoded, "$argon2id$..."), which session_login then accepts; the
 * name's failure count is cleared. Audited as operator_from_central (actor "central"). A hash
 * that is not an Argon2id encoding is refused (AG_ERR_INVALID). Inside the caller's transaction.
 */
agenda_err operator_upsert_from_central(agenda_ctx *ctx, const char *username,
                                        enum operator_role role, const char *password_hash,
                                        agenda_detail *why);

/*
 * Log-in: AG_OK and *out, or AG_ERR_AUTH with one detail for unknown user, wrong password and
 * locked name alike (nothing tells which names exist). Five failures in a row for a typed name
 * lock it for LOGIN_LOCK_SECONDS; every attempt is counted before its password is checked and
 * audited after.
 */
agenda_err session_login(agenda_ctx *ctx, const char *username, const char *password,
                         struct session *out, agenda_detail *why);

/*
 * AG_OK when the session may see applicants' personal data; AG_ERR_REFUSED for a tecnico;
 * AG_ERR_AUTH for no session at all (zeroed, wiped at log-out: no id or no role).
 */
agenda_err session_require_personal_data(const struct session *s, agenda_detail *why);

#endif
