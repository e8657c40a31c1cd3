/*
 * convocation.c — from an appointment in the store to the slip's input, and print outcomes.
 */
#include "services/convocation.h"

#include <stdlib.h>
#include <string.h>

#include "core/messages.h"
#include "services/audit.h"
#include "services/journal.h"
#include "services/journal_payload.h"

agenda_err convocation_load(agenda_ctx *ctx, const struct session *who, const char *appointment_id,
                            int columns, struct convocation *out, agenda_detail *why)
{
	slip_input *in = &out->in;
	agenda_err err;

	memset(out, 0, sizeof *out);
	if ((err = booking_get(ctx, who, appointment_id, &out->booking, why)) ||
	    (err = practice_by_id(ctx, out->booking.practice_id, &out->practice, why)) ||
	    (err = questura_get(ctx, out->booking.questura, &out->questura, why)))
		return err;
	if (out->booking.state != APPOINTMENT_CONFIRMED) {
		agenda_detail_set(why, MSG_BOOKING_NOT_LIVE, appointment_id,
		                  appointment_state_name(out->booking.state));
		return AG_ERR_REFUSED;
	}
	if (!store_setting_get(ctx->store, "site", out->city, sizeof out->city))
		snprintf(out->city, sizeof out->city, "%s", out->questura.city);
	store_setting_get(ctx->store, "what_to_bring", out->what_to_bring,
	                  sizeof out->what_to_bring);
	in->city = out->city;
	in->surname = out->practice.cognome;
	in->name = out->practice.nome;
	in->birth_date = out->practice.data_nascita;
	in->nationality = out->practice.nazionalita;
	in->numero_pratica = out->practice.numero_pratica;
	in->numero_visto = out->practice.numero_visto;
	in->questura_name = out->questura.name;
	in->questura_address = out->questura.address;
	in->day = out->booking.day;
	in->minute = out->booking.minute;
	in->what_to_bring = out->what_to_bring;
	in->deferred = out->booking.deferred;
	in->first_tried = out->booking.deferred_from;
	in->reference = out->booking.id;
	in->operator_id = who->username;
	in->printed_at = clock_now(&ctx->clock);
	clock_local(in->printed_at, &in->printed_day, &in->printed_minute);
	in->reprint = out->booking.prints > 0;
	in->columns = columns;
	return AG_OK;
}

agenda_err convocation_slip(agenda_ctx *ctx, const struct session *who, const char *appointment_id,
                            int columns, slip *out, agenda_detail *why)
{
	struct convocation c;
	agenda_err err = convocation_load(ctx, who, appointment_id, columns, &c, why);

	return err ? err : slip_build(&c.in, out, why);
}

static agenda_err record_failure(agenda_ctx *ctx, const struct session *who, const char *id,
                                 const char *reason, agenda_detail *why)
{
	static const char SQL[] = "UPDATE appointment SET print_state = 'failed', print_error = ?2"
	                          " WHERE id = ?1 AND state = 'confirmed'";
	sqlite3_stmt *st;
	agenda_err err = store_begin(ctx->store, why);

	if (err != AG_OK)
		return err;
	if (!(st = store_stmt(ctx->store, SQL, why))) {
		err = AG_ERR_STORE;
		goto done;
	}
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, reason ? reason : "", -1, SQLITE_STATIC);
	if ((err = store_step_done(ctx->store, st, why)))
		goto done;
	if (sqlite3_changes(store_db(ctx->store)) != 1) {
		agenda_detail_set(why, MSG_BOOKING_NOT_FOUND, id);
		err = AG_ERR_NOT_FOUND;
		goto done;
	}
	if ((err = journal_add(ctx, JOURNAL_KIND_PRINT_FAILED, id,
	                       journal_payload_print_failed(id, reason), why)) ||
	    (err = audit_append(ctx, who->username, "print_failed", id, reason ? reason : "", why)))
		goto done;
	err = store_commit(ctx->store, why);
done:
	if (err != AG_OK)
		store_rollback(ctx->store);
	return err;
}

agenda_err convocation_record(agenda_ctx *ctx, const struct session *who,
                              const char *appointment_id, enum print_outcome outcome,
                              const char *reason, agenda_detail *why)
{
	agenda_err err = session_require_personal_data(who, why);

	if (err)
		return err;
	if (outcome == PRINT_OUTCOME_DONE)
		return booking_record_print(ctx, who, appointment_id, why);
	return record_failure(ctx, who, appointment_id, reason, why);
}

agenda_err convocation_reprint_queue(agenda_ctx *ctx, const struct session *who,
                                     booking_visit_fn visit, void *arg, agenda_detail *why)
{
	/* The predicate of index appointment_print_pending (migration 4): the index serves it. */
	static const char SQL[] = "SELECT id FROM appointment WHERE print_state <> 'printed'"
	                          " AND state = 'confirmed' ORDER BY created_at, id";
	char(*ids)[APPOINTMENT_ID_MAX] = NULL;
	size_t n = 0, cap = 0;
	sqlite3_stmt *st;
	agenda_err err = session_require_personal_data(who, why);
	int rc;

	if (err)
		return err;
	if (!(st = store_stmt(ctx->store, SQL, why)))
		return AG_ERR_STORE;
	/* Collect first: booking_get below reuses the statement cache. */
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (n == cap) {
			void *bigger = realloc(ids, (cap = cap ? cap * 2 : 16) * sizeof *ids);

			if (!bigger) {
				rc = SQLITE_NOMEM;
				break;
			}
			ids = bigger;
		}
		snprintf(ids[n++], APPOINTMENT_ID_MAX, "%s",
		         (const char *)sqlite3_column_text(st, 0));
	}
	sqlite3_reset(st);
	err = rc == SQLITE_DONE ? AG_OK : store_error(ctx->store, rc, why);
	for (size_t i = 0; i < n && err == AG_OK; i++) {
		struct booking b;

		if ((err = booking_get(ctx, who, ids[i], &b, why)) == AG_OK)
			visit(arg, &b);
	}
	free(ids);
	return err;
}
