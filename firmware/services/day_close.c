/*
 * day_close.c — closing a day: the close record (day, version, counts), its journal entry and
 * audit record in one transaction. Closing again makes a new version: a late change produces a
 * new, marked day list (the end-of-day emails come with the mail issue, invariant I5).
 */
#include <string.h>

#include "core/messages.h"
#include "services/audit.h"
#include "services/booking.h"
#include "services/journal.h"
#include "services/journal_payload.h"

agenda_err booking_close_day(agenda_ctx *ctx, const struct session *who, agenda_day day,
                             struct day_close_report *out, agenda_detail *why)
{
	static const char COUNT[] =
	        "SELECT coalesce(sum(state = 'confirmed'), 0), coalesce(sum(state != 'confirmed'), "
	        "0),"
	        " (SELECT coalesce(max(version), 0) + 1 FROM day_close WHERE day = ?3)"
	        " FROM appointment WHERE created_at >= ?1 AND created_at < ?2";
	static const char INSERT[] = "INSERT INTO day_close(day, version, closed_at, operator_id,"
	                             " appointments, cancellations) VALUES(?, ?, ?, ?, ?, ?)";
	char date[DATE_TEXT_MAX], detail[96];
	sqlite3_stmt *st;
	json_t *payload;
	agenda_err err;
	int rc;

	memset(out, 0, sizeof *out);
	out->day = day;
	if ((err = session_require_personal_data(who, why)))
		return err;
	if ((err = store_begin(ctx->store, why)) != AG_OK)
		return err;
	if (!(st = store_stmt(ctx->store, COUNT, why))) {
		err = AG_ERR_STORE;
		goto done;
	}
	sqlite3_bind_int64(st, 1, clock_epoch_of(day, 0));
	sqlite3_bind_int64(st, 2, clock_epoch_of(day + 1, 0));
	sqlite3_bind_int(st, 3, day);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		out->appointments = sqlite3_column_int(st, 0);
		out->cancellations = sqlite3_column_int(st, 1);
		out->version = sqlite3_column_int(st, 2);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_ROW) { /* a count that failed must not be saved as a close of zeros */
		err = store_error(ctx->store, rc, why);
		goto done;
	}
	if (!(st = store_stmt(ctx->store, INSERT, why))) {
		err = AG_ERR_STORE;
		goto done;
	}
	sqlite3_bind_int(st, 1, day);
	sqlite3_bind_int(st, 2, out->version);
	sqlite3_bind_int64(st, 3, clock_now(&ctx->clock));
	sqlite3_bind_int64(st, 4, who->operator_id);
	sqlite3_bind_int(st, 5, out->appointments);
	sqlite3_bind_int(st, 6, out->cancellations);
	if ((err = store_step_done(ctx->store, st, why)))
		goto done;
	date_format(day, date, sizeof date);
	payload =
	        journal_payload_close_day(day, out->version, out->appointments, out->cancellations);
	snprintf(detail, sizeof detail, "version=%d appointments=%d cancellations=%d", out->version,
	         out->appointments, out->cancellations);
	if ((err = journal_add(ctx, JOURNAL_KIND_CLOSE_DAY, NULL, payload, why)) ||
	    (err = audit_append(ctx, who->username, "close_day", date, detail, why)))
		goto done;
	err = store_commit(ctx->store, why);
done:
	if (err != AG_OK)
		store_rollback(ctx->store);
	return err;
}
