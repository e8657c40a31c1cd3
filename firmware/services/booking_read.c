/*
 * booking_read.c — reading appointments: by id, the live one of a practice, the day's list.
 * The one SELECT that joins appointment, slot, practice and operator lives in booking_row.h.
 */
#include <string.h>

#include "core/messages.h"
#include "services/booking.h"
#include "services/booking_row.h"

static const char *const STATE_NAMES[] = {"confirmed", "cancelled", "moved"};

const char *appointment_state_name(enum appointment_state s)
{
	return (s >= APPOINTMENT_CONFIRMED && s <= APPOINTMENT_MOVED) ? STATE_NAMES[s] : "?";
}

static enum appointment_state state_parse(const char *text)
{
	for (int i = 0; i <= APPOINTMENT_MOVED; i++)
		if (text && strcmp(text, STATE_NAMES[i]) == 0)
			return (enum appointment_state)i;
	return APPOINTMENT_CANCELLED;
}

/* ---- reading appointments ---------------------------------------------------------- */

void booking_read_row(sqlite3_stmt *st, void *out)
{
	struct booking *b = out;

	memset(b, 0, sizeof *b);
	snprintf(b->id, sizeof b->id, "%s", (const char *)sqlite3_column_text(st, 0));
	b->practice_id = sqlite3_column_int64(st, 1);
	snprintf(b->numero_pratica, sizeof b->numero_pratica, "%s",
	         (const char *)sqlite3_column_text(st, 2));
	snprintf(b->questura, sizeof b->questura, "%s", (const char *)sqlite3_column_text(st, 3));
	b->slot_id = sqlite3_column_int64(st, 4);
	b->day = (agenda_day)sqlite3_column_int(st, 5);
	b->minute = sqlite3_column_int(st, 6);
	b->deferred = sqlite3_column_type(st, 7) != SQLITE_NULL;
	b->deferred_from = b->deferred ? (agenda_day)sqlite3_column_int(st, 7) : 0;
	b->state = state_parse((const char *)sqlite3_column_text(st, 8));
	b->prints = sqlite3_column_int(st, 9);
	b->modello209 = sqlite3_column_int(st, 10) != 0;
	b->created_at = sqlite3_column_int64(st, 11);
	snprintf(b->operator_username, sizeof b->operator_username, "%s",
	         (const char *)sqlite3_column_text(st, 12));
}

agenda_err booking_load(agenda_ctx *ctx, const char *sql, const char *text, int64_t id,
                        struct booking *out, agenda_detail *why)
{
	agenda_err err = store_query_one(ctx->store, sql, text, id, booking_read_row, out, why);

	if (err == AG_ERR_NOT_FOUND)
		agenda_detail_set(why, MSG_BOOKING_NOT_FOUND, text ? text : "?");
	return err;
}

const char BOOKING_BY_ID[] = BOOKING_SELECT "WHERE a.id = ?";
const char BOOKING_LIVE_BY_PRACTICE[] =
        BOOKING_SELECT "WHERE a.practice_id = ? AND a.state = 'confirmed'";

agenda_err booking_get(agenda_ctx *ctx, const struct session *who, const char *appointment_id,
                       struct booking *out, agenda_detail *why)
{
	agenda_err err = session_require_personal_data(who, why);

	return err ? err : booking_load(ctx, BOOKING_BY_ID, appointment_id, 0, out, why);
}

agenda_err booking_live_for_practice(agenda_ctx *ctx, const struct session *who,
                                     int64_t practice_id, struct booking *out, agenda_detail *why)
{
	agenda_err err = session_require_personal_data(who, why);

	return err ? err : booking_load(ctx, BOOKING_LIVE_BY_PRACTICE, NULL, practice_id, out, why);
}

/* ---- the day ------------------------------------------------------------------------ */

agenda_err booking_day_list(agenda_ctx *ctx, const struct session *who, agenda_day day,
                            booking_visit_fn visit, void *arg, agenda_detail *why)
{
	static const char SQL[] = BOOKING_SELECT
	        "WHERE a.created_at >= ? AND a.created_at < ? ORDER BY a.created_at, a.rowid";
	struct booking b;
	sqlite3_stmt *st;
	agenda_err err = session_require_personal_data(who, why);
	int rc;

	if (err)
		return err;
	if (!(st = store_stmt(ctx->store, SQL, why)))
		return AG_ERR_STORE;
	sqlite3_bind_int64(st, 1, clock_epoch_of(day, 0));
	sqlite3_bind_int64(st, 2, clock_epoch_of(day + 1, 0));
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		booking_read_row(st, &b);
		visit(arg, &b);
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? AG_OK : store_error(ctx->store, rc, why);
}
