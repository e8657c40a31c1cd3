/*
 * central_change_admin.c — the admin verbs' change rows (central_change_admin.h), written in
 * SQL both backends share through the sync seam (store_sync.h).
 */
#include "central_change_admin.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "central_changes.h"
#include "central_sync_internal.h"
#include "core/messages.h"
#include "store_internal.h"
#include "store_sync.h"

static void copy(char *out, size_t size, const char *text)
{
	snprintf(out, size, "%s", text);
}

agenda_err central_changes_questura(central_store *s, const char *code, int64_t now,
                                    agenda_detail *why)
{
	const char *params[] = {code};
	struct central_rows rows = {0};
	struct sync_change c;
	agenda_err err = central_sync_query(
	        s,
	        "SELECT code, name, patron_month, patron_day, email FROM questura WHERE code = $1",
	        1, params, &rows, NULL, why);

	if (err != AG_OK || rows.n_rows != 1) {
		central_rows_free(&rows);
		return err;
	}
	memset(&c, 0, sizeof c);
	c.type = SYNC_CHANGE_QUESTURA;
	copy(c.u.questura.code, sizeof c.u.questura.code, central_rows_text(&rows, 0, 0));
	copy(c.u.questura.name, sizeof c.u.questura.name, central_rows_text(&rows, 0, 1));
	/* central keeps no city of its own for a Questura: its name says it ("Questura di Roma") */
	copy(c.u.questura.city, sizeof c.u.questura.city, central_rows_text(&rows, 0, 1));
	c.u.questura.patron_month = (int)central_rows_int(&rows, 0, 2);
	c.u.questura.patron_day = (int)central_rows_int(&rows, 0, 3);
	copy(c.u.questura.email, sizeof c.u.questura.email, central_rows_text(&rows, 0, 4));
	central_rows_free(&rows);
	return central_change_add(s, &c, NULL, NULL, NULL, now, NULL, why);
}

/* Revokes every slot held on that day; granted ones not booked at central leave. */
static agenda_err revoke_closed_day(central_store *s, const char *code, agenda_day day, int64_t now,
                                    agenda_detail *why)
{
	char day_text[16];
	const char *params[] = {code, day_text};
	struct central_rows rows = {0};
	agenda_err err;

	I64(day_text, day);
	err = central_sync_query(s,
	                         "SELECT id, holder FROM slot WHERE questura = $1 AND day = $2"
	                         " AND holder IS NOT NULL ORDER BY id",
	                         2, params, &rows, NULL, why);
	for (size_t i = 0; err == AG_OK && i < rows.n_rows; i++)
		err = central_change_revoke(s, central_rows_text(&rows, i, 1),
		                            central_rows_int(&rows, i, 0), "closure", now, why);
	central_rows_free(&rows);
	/* slots held without a lease are issue 11's allocations: kept, as closure add did then */
	if (err == AG_OK)
		err = central_sync_query(s,
		                         "DELETE FROM slot WHERE questura = $1 AND day = $2"
		                         " AND holder IS NOT NULL AND lease_end IS NOT NULL"
		                         " AND NOT EXISTS (SELECT 1 FROM appointment a"
		                         " WHERE a.slot_id = slot.id AND a.state = 'confirmed')",
		                         2, params, NULL, NULL, why);
	return err;
}

agenda_err central_changes_closure(central_store *s, const char *code, agenda_day day, bool open,
                                   const char *note, int64_t now, agenda_detail *why)
{
	struct sync_change c;
	agenda_err err;

	memset(&c, 0, sizeof c);
	c.type = SYNC_CHANGE_CAPACITY;
	copy(c.u.capacity.questura, sizeof c.u.capacity.questura, code);
	date_format(day, c.u.capacity.day, sizeof c.u.capacity.day);
	c.u.capacity.open = open;
	copy(c.u.capacity.note, sizeof c.u.capacity.note, note ? note : "");
	err = central_change_add(s, &c, NULL, code, NULL, now, NULL, why);
	if (err == AG_OK && !open)
		err = revoke_closed_day(s, code, day, now, why);
	return err;
}

agenda_err central_changes_operator(central_store *s, const char *username, int64_t now,
                                    agenda_detail *why)
{
	const char *params[] = {username};
	struct central_rows rows = {0};
	struct sync_change c;
	agenda_err err = central_sync_query(s,
	                                    "SELECT username, role, site, password_hash,"
	                                    " locked_until FROM operator WHERE username = $1",
	                                    1, params, &rows, NULL, why);

	if (err != AG_OK || rows.n_rows != 1) {
		central_rows_free(&rows);
		return err;
	}
	memset(&c, 0, sizeof c);
	c.type = SYNC_CHANGE_OPERATOR;
	copy(c.u.op.username, sizeof c.u.op.username, central_rows_text(&rows, 0, 0));
	copy(c.u.op.role, sizeof c.u.op.role, central_rows_text(&rows, 0, 1));
	copy(c.u.op.site, sizeof c.u.op.site, central_rows_text(&rows, 0, 2));
	copy(c.u.op.password_hash, sizeof c.u.op.password_hash, central_rows_text(&rows, 0, 3));
	c.u.op.locked_until = central_rows_int(&rows, 0, 4);
	err = central_change_add(s, &c, NULL, NULL, c.u.op.site, now, NULL, why);
	central_rows_free(&rows);
	return err;
}

#define PRACTICE_COLUMNS                                                                           \
	"SELECT numero_pratica, numero_visto, cognome, nome, data_nascita, nazionalita, tipo,"     \
	" questura, status FROM practice WHERE numero_pratica = $1"

agenda_err central_changes_practice(central_store *s, const char *numero, int64_t now,
                                    agenda_detail *why)
{
	const char *params[] = {numero};
	struct central_rows rows = {0};
	struct sync_change c;
	struct sync_practice *p = &c.u.practice;
	agenda_err err = central_sync_query(s, PRACTICE_COLUMNS, 1, params, &rows, NULL, why);

	if (err != AG_OK || rows.n_rows != 1) {
		central_rows_free(&rows);
		return err;
	}
	memset(&c, 0, sizeof c);
	c.type = SYNC_CHANGE_PRACTICE;
	copy(p->numero_pratica, sizeof p->numero_pratica, central_rows_text(&rows, 0, 0));
	copy(p->numero_visto, sizeof p->numero_visto, central_rows_text(&rows, 0, 1));
	copy(p->cognome, sizeof p->cognome, central_rows_text(&rows, 0, 2));
	copy(p->nome, sizeof p->nome, central_rows_text(&rows, 0, 3));
	date_format((agenda_day)central_rows_int(&rows, 0, 4), p->data_nascita,
	            sizeof p->data_nascita);
	copy(p->nazionalita, sizeof p->nazionalita, central_rows_text(&rows, 0, 5));
	copy(p->tipo, sizeof p->tipo, central_rows_text(&rows, 0, 6));
	copy(p->questura, sizeof p->questura, central_rows_text(&rows, 0, 7));
	copy(p->status, sizeof p->status, central_rows_text(&rows, 0, 8));
	central_rows_free(&rows);
	return central_change_add(s, &c, NULL, p->questura, NULL, now, NULL, why);
}

static agenda_err withdraw_in(central_store *s, const char *numero, int64_t now, bool *cancelled,
                              agenda_detail *why)
{
	char at[24];
	const char *params[] = {numero, at};
	struct central_rows rows = {0};
	int64_t changed = 0;
	agenda_err err;

	I64(at, now);
	if ((err = central_sync_lock_changes(s, why)) != AG_OK)
		return err;
	err = central_sync_query(s,
	                         "UPDATE practice SET status = 'ritirata', updated_at ="
	                         " CAST($2 AS bigint) WHERE numero_pratica = $1",
	                         2, params, NULL, &changed, why);
	if (err == AG_OK && changed == 0) {
		agenda_detail_set(why, MSG_CENTRAL_PRACTICE_UNKNOWN, numero);
		return AG_ERR_NOT_FOUND;
	}
	if (err == AG_OK)
		err = central_changes_practice(s, numero, now, why);
	if (err == AG_OK)
		err = central_sync_query(s,
		                         "UPDATE appointment SET state = 'cancelled'"
		                         " WHERE numero_pratica = $1 AND state = 'confirmed'"
		                         " RETURNING device, slot_id",
		                         1, params, &rows, NULL, why);
	for (size_t i = 0; err == AG_OK && i < rows.n_rows; i++) {
		err = central_change_revoke(s, central_rows_text(&rows, i, 0),
		                            central_rows_int(&rows, i, 1), "withdrawn", now, why);
		*cancelled = true;
	}
	central_rows_free(&rows);
	return err;
}

agenda_err central_store_withdraw_practice(central_store *s, const char *numero, int64_t now,
                                           bool *cancelled, agenda_detail *why)
{
	bool own;
	agenda_err err;

	*cancelled = false;
	if (!numero || !*numero || strlen(numero) >= SYNC_NAME_SIZE) {
		agenda_detail_set(why, MSG_CENTRAL_PRACTICE_UNKNOWN, numero ? numero : "");
		return AG_ERR_NOT_FOUND;
	}
	if ((err = central_store_enter(s, &own, why)) != AG_OK)
		return err;
	err = withdraw_in(s, numero, now, cancelled, why);
	if (err != AG_OK)
		*cancelled = false;
	return central_store_leave(s, own, err, why);
}
