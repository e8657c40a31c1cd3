/*
 * store_admin.c — the admin verbs' tables, backend-independent half (store_admin.h): what valid
 * arguments are, checked once here for both backends, then the backend's call in the caller's
 * transaction or its own. Details name the problem in the catalogue's words.
 */
#include "store_admin.h"

#include <stdlib.h>
#include <string.h>

#include "core/messages.h"
#include "core/numbers.h"
#include "core/text.h"
#include "central_change_admin.h"
#include "central_changes.h"
#include "store_internal.h"
#include "store_sync.h"

static const central_admin_ops *admin(central_store *s)
{
	return s->ops->admin;
}

/* Runs one backend call in the caller's transaction or its own. */
#define IN_TRANSACTION(s, why, call)                                                               \
	do {                                                                                       \
		bool own_;                                                                         \
		agenda_err err_ = central_store_enter((s), &own_, (why));                          \
		if (err_ != AG_OK)                                                                 \
			return err_;                                                               \
		return central_store_leave((s), own_, (call), (why));                              \
	} while (0)

/* UTF-8 without control characters, at most max bytes (empty allowed when may_be_empty). */
static bool text_ok(const char *text, size_t max, bool may_be_empty)
{
	size_t n = text ? strlen(text) : 0;

	return text && (n > 0 || may_be_empty) && n <= max && text_is_utf8(text, n) &&
	       !text_has_control(text);
}

/* "" (no address) or an address the device can hold. */
static agenda_err questura_email_check(const char *email, agenda_detail *why)
{
	if (email[0] &&
	    (strlen(email) > CENTRAL_QUESTURA_EMAIL_MAX || !central_email_valid(email))) {
		agenda_detail_set(why, MSG_CENTRAL_QUESTURA_BAD_EMAIL, email,
		                  CENTRAL_QUESTURA_EMAIL_MAX);
		return AG_ERR_INVALID;
	}
	return AG_OK;
}

/* In the caller's transaction; AG_ERR_NOT_FOUND when there is no such Questura. */
static agenda_err write_questura_email(central_store *s, const char *code, const char *email,
                                       agenda_detail *why)
{
	const char *params[] = {code, email};
	int64_t changed = 0;
	agenda_err err = central_sync_query(s, "UPDATE questura SET email = $2 WHERE code = $1", 2,
	                                    params, NULL, &changed, why);

	return err == AG_OK && changed == 0 ? AG_ERR_NOT_FOUND : err;
}

agenda_err central_store_add_questura_full(central_store *s, const central_questura *q,
                                           agenda_detail *why)
{
	bool own;
	agenda_err err;

	if (!provincia_is_known(q->code)) {
		agenda_detail_set(why, MSG_CENTRAL_QUESTURA_NOT_PROVINCE, q->code);
		return AG_ERR_INVALID;
	}
	if (!text_ok(q->name, CENTRAL_QUESTURA_NAME_MAX, false)) {
		agenda_detail_set(why, MSG_CENTRAL_QUESTURA_BAD_NAME, CENTRAL_QUESTURA_NAME_MAX);
		return AG_ERR_INVALID;
	}
	if (q->patron_month != 0 && !date_ymd_valid(2024, q->patron_month, q->patron_day)) {
		agenda_detail_set(why, MSG_QUESTURA_BAD_PATRON, q->patron_month, q->patron_day);
		return AG_ERR_INVALID;
	}
	if ((err = questura_email_check(q->email, why)) != AG_OK)
		return err;
	if ((err = central_store_enter(s, &own, why)) != AG_OK)
		return err;
	/* the change lock before any row lock: PostgreSQL writers of `change` queue in one order */
	err = central_sync_lock_changes(s, why);
	if (err == AG_OK)
		err = s->ops->add_questura(s, q->code, q->name, why);
	if (err == AG_ERR_EXISTS)
		agenda_detail_set(why, MSG_CENTRAL_QUESTURA_EXISTS, q->code);
	if (err == AG_OK)
		err = admin(s)->set_patron(s, q->code, q->patron_month, q->patron_day, why);
	if (err == AG_OK && q->email[0])
		err = write_questura_email(s, q->code, q->email, why);
	if (err == AG_OK)
		err = central_changes_questura(s, q->code, central_changes_now(), why);
	return central_store_leave(s, own, err, why);
}

agenda_err central_store_set_questura_email(central_store *s, const char *code, const char *email,
                                            agenda_detail *why)
{
	bool own;
	agenda_err err;

	if ((err = questura_email_check(email, why)) != AG_OK)
		return err;
	if ((err = central_store_enter(s, &own, why)) != AG_OK)
		return err;
	err = central_sync_lock_changes(s, why);
	if (err == AG_OK)
		err = write_questura_email(s, code, email, why);
	if (err == AG_ERR_NOT_FOUND)
		agenda_detail_set(why, MSG_CENTRAL_QUESTURA_UNKNOWN, code);
	if (err == AG_OK)
		err = central_changes_questura(s, code, central_changes_now(), why);
	return central_store_leave(s, own, err, why);
}

agenda_err central_store_list_questure(central_store *s, central_questura **out, size_t *count,
                                       agenda_detail *why)
{
	agenda_err err;
	bool own;

	*out = NULL;
	*count = 0;
	if ((err = central_store_enter(s, &own, why)) != AG_OK)
		return err;
	err = central_store_leave(s, own, admin(s)->list_questure(s, out, count, why), why);
	if (err != AG_OK) {
		free(*out);
		*out = NULL;
		*count = 0;
	}
	return err;
}

agenda_err central_store_calendar(central_store *s, const char *code, agenda_day from,
                                  agenda_day to, struct cal_rules *rules, agenda_detail *why)
{
	agenda_err err;
	bool own;

	memset(rules, 0, sizeof *rules);
	if (!code || !*code || strlen(code) > CENTRAL_QUESTURA_CODE_MAX || from > to)
		return AG_ERR_USAGE;
	if ((err = central_store_enter(s, &own, why)) != AG_OK)
		return err;
	err = admin(s)->calendar(s, code, from, to, rules, why);
	if (err == AG_ERR_NOT_FOUND)
		agenda_detail_set(why, MSG_CENTRAL_QUESTURA_UNKNOWN, code);
	err = central_store_leave(s, own, err, why);
	if (err != AG_OK)
		central_calendar_free(rules);
	return err;
}

void central_calendar_free(struct cal_rules *rules)
{
	free((void *)rules->exceptions);
	rules->exceptions = NULL;
	rules->exception_count = 0;
}

agenda_err central_store_put_closure(central_store *s, const char *code, agenda_day day, bool open,
                                     const char *note, size_t *removed, size_t *held,
                                     agenda_detail *why)
{
	agenda_err err;
	bool own;

	*removed = *held = 0;
	if (!code || !*code || strlen(code) > CENTRAL_QUESTURA_CODE_MAX)
		return AG_ERR_USAGE;
	if (note && !text_ok(note, CENTRAL_NOTE_MAX, true)) {
		agenda_detail_set(why, MSG_NOTE_BAD, CENTRAL_NOTE_MAX);
		return AG_ERR_INVALID;
	}
	if ((err = central_store_enter(s, &own, why)) != AG_OK)
		return err;
	err = central_sync_lock_changes(s, why);
	if (err == AG_OK)
		err = admin(s)->put_closure(s, code, day, open, note ? note : "", removed, held,
		                            why);
	if (err == AG_ERR_NOT_FOUND)
		agenda_detail_set(why, MSG_CENTRAL_QUESTURA_UNKNOWN, code);
	if (err == AG_OK)
		err = central_changes_closure(s, code, day, open, note, central_changes_now(), why);
	err = central_store_leave(s, own, err, why);
	if (err != AG_OK)
		*removed = *held = 0;
	return err;
}

/* The upsert, and a practice change for each row it inserted or changed (not one rewritten
 * as it was: importing the same file again sends nothing). */
static agenda_err upsert_with_changes(central_store *s, const struct practice_row *rows, size_t n,
                                      int64_t now, bool *taken, size_t *written, agenda_detail *why)
{
	struct central_rows before = {0}, after = {0};
	agenda_err err = central_sync_lock_changes(s, why);

	if (err == AG_OK)
		err = central_practices_read(s, rows, n, &before, why);
	if (err == AG_OK)
		err = admin(s)->upsert_practices(s, rows, n, now, taken, written, why);
	if (err == AG_OK)
		err = central_practices_read(s, rows, n, &after, why);
	if (err == AG_OK)
		err = central_changes_practices(s, &before, &after, now, why);
	central_rows_free(&before);
	central_rows_free(&after);
	return err;
}

agenda_err central_store_upsert_practices(central_store *s, const struct practice_row *rows,
                                          size_t n, int64_t now, bool *taken, size_t *written,
                                          agenda_detail *why)
{
	*written = 0;
	if (n > 0 && (!rows || !taken))
		return AG_ERR_USAGE;
	memset(taken, 0, n * sizeof *taken);
	if (n == 0)
		return AG_OK;
	IN_TRANSACTION(s, why, upsert_with_changes(s, rows, n, now, taken, written, why));
}

agenda_err central_store_add_operator(central_store *s, const central_operator *op,
                                      const char *hash, agenda_detail *why)
{
	agenda_err err = operator_username_check(op->username, why);
	bool own;

	if (err != AG_OK)
		return err;
	if (op->role == ROLE_NONE || !hash || !*hash) {
		agenda_detail_set(why, MSG_CENTRAL_BAD_ROLE, operator_role_name(op->role));
		return AG_ERR_INVALID;
	}
	if ((err = central_store_enter(s, &own, why)) != AG_OK)
		return err;
	err = central_sync_lock_changes(s, why);
	if (err == AG_OK)
		err = admin(s)->add_operator(s, op, hash, why);
	if (err == AG_ERR_EXISTS)
		agenda_detail_set(why, MSG_OPERATOR_EXISTS, op->username);
	else if (err == AG_ERR_NOT_FOUND)
		agenda_detail_set(why, MSG_CENTRAL_SITE_UNKNOWN, op->site);
	if (err == AG_OK)
		err = central_changes_operator(s, op->username, op->created_at, why);
	return central_store_leave(s, own, err, why);
}

/* A user name that cannot exist is reported as not found, not as a malformed argument. */
static bool username_plausible(const char *username, agenda_detail *why)
{
	if (username && *username && strlen(username) < USERNAME_MAX)
		return true;
	agenda_detail_set(why, MSG_OPERATOR_NOT_FOUND, username ? username : "");
	return false;
}

agenda_err central_store_get_operator(central_store *s, const char *username, central_operator *out,
                                      agenda_detail *why)
{
	agenda_err err;
	bool own;

	memset(out, 0, sizeof *out);
	if (!username_plausible(username, why))
		return AG_ERR_NOT_FOUND;
	if ((err = central_store_enter(s, &own, why)) != AG_OK)
		return err;
	err = admin(s)->get_operator(s, username, out, why);
	if (err == AG_ERR_NOT_FOUND)
		agenda_detail_set(why, MSG_OPERATOR_NOT_FOUND, username);
	return central_store_leave(s, own, err, why);
}

agenda_err central_store_reset_operator(central_store *s, const char *username, const char *hash,
                                        int64_t now, agenda_detail *why)
{
	agenda_err err;
	bool own;

	if (!username_plausible(username, why))
		return AG_ERR_NOT_FOUND;
	if ((err = central_store_enter(s, &own, why)) != AG_OK)
		return err;
	err = central_sync_lock_changes(s, why);
	if (err == AG_OK)
		err = admin(s)->reset_operator(s, username, hash, now, why);
	if (err == AG_ERR_NOT_FOUND)
		agenda_detail_set(why, MSG_OPERATOR_NOT_FOUND, username);
	if (err == AG_OK)
		err = central_changes_operator(s, username, now, why);
	return central_store_leave(s, own, err, why);
}

agenda_err central_store_list_operators(central_store *s, const char *site, central_operator **out,
                                        size_t *count, agenda_detail *why)
{
	agenda_err err;
	bool own;

	*out = NULL;
	*count = 0;
	if ((err = central_store_enter(s, &own, why)) != AG_OK)
		return err;
	err = central_store_leave(s, own, admin(s)->list_operators(s, site, out, count, why), why);
	if (err != AG_OK) {
		free(*out);
		*out = NULL;
		*count = 0;
	}
	return err;
}

agenda_err central_store_queue_mail(central_store *s, const central_mail *m, agenda_detail *why)
{
	if (!m->kind || !m->message_id || !m->recipient || !m->subject || !m->body)
		return AG_ERR_USAGE;
	IN_TRANSACTION(s, why, admin(s)->queue_mail(s, m, why));
}

agenda_err central_store_list_outbox(central_store *s, central_outbox_item **out, size_t *count,
                                     agenda_detail *why)
{
	agenda_err err;
	bool own;

	*out = NULL;
	*count = 0;
	if ((err = central_store_enter(s, &own, why)) != AG_OK)
		return err;
	err = central_store_leave(s, own, admin(s)->list_outbox(s, out, count, why), why);
	if (err != AG_OK) {
		free(*out);
		*out = NULL;
		*count = 0;
	}
	return err;
}

void central_store_forget_deleted(central_store *s)
{
	if (s->depth == 0)
		admin(s)->forget_deleted(s);
}
