/*
 * day_close.c — closing a day: the close record (day, version, counts), the end-of-day lists
 * owed to each Questura with their messages (day_list_versions.c), the journal entry and the
 * audit record, all in one transaction. Closing again makes a new close version; a Questura's
 * list gets a new version (a RETTIFICA) only when it changed.
 *
 * The automatic close (day_close_due) runs from the kiosk's worker and `agendactl close-day
 * --due`: past the close time, a day with appointments and no close is closed by "sistema".
 */
#include <stdio.h>
#include <string.h>

#include "core/messages.h"
#include "services/audit.h"
#include "services/booking.h"
#include "services/day_list.h"
#include "services/day_list_versions.h"
#include "services/journal.h"
#include "services/journal_payload.h"

#define DAY_CLOSE_DEFAULT_TIME (18 * 60)
#define DAY_CLOSE_LOOKBACK     31 /* past days the automatic close still catches up */

static bool send_empty_setting(agenda_ctx *ctx)
{
	char value[8] = "";

	return store_setting_get(ctx->store, "day_close.send_empty", value, sizeof value) &&
	       !strcmp(value, "1");
}

/* operator_id 0: the automatic close (NULL in the row). */
static agenda_err close_day(agenda_ctx *ctx, const char *actor, int64_t operator_id, agenda_day day,
                            struct day_close_report *out, agenda_detail *why)
{
	static const char COUNT[] =
	        "SELECT coalesce(sum(state = 'confirmed'), 0), coalesce(sum(state != 'confirmed'), "
	        "0),"
	        " (SELECT coalesce(max(version), 0) + 1 FROM day_close WHERE day = ?3)"
	        " FROM appointment WHERE created_at >= ?1 AND created_at < ?2";
	static const char INSERT[] = "INSERT INTO day_close(day, version, closed_at, operator_id,"
	                             " appointments, cancellations) VALUES(?, ?, ?, ?, ?, ?)";
	char date[DATE_TEXT_MAX], detail[128];
	sqlite3_stmt *st;
	json_t *payload;
	agenda_err err;
	int rc;

	memset(out, 0, sizeof *out);
	out->day = day;
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
	if (operator_id > 0)
		sqlite3_bind_int64(st, 4, operator_id);
	else
		sqlite3_bind_null(st, 4);
	sqlite3_bind_int(st, 5, out->appointments);
	sqlite3_bind_int(st, 6, out->cancellations);
	if ((err = store_step_done(ctx->store, st, why)) ||
	    (err = day_list_write_versions(ctx, actor, day, send_empty_setting(ctx), out, why)))
		goto done;
	date_format(day, date, sizeof date);
	payload =
	        journal_payload_close_day(day, out->version, out->appointments, out->cancellations);
	snprintf(detail, sizeof detail,
	         "version=%d appointments=%d cancellations=%d lists=%d messages=%d", out->version,
	         out->appointments, out->cancellations, out->versions, out->messages);
	if ((err = journal_add(ctx, JOURNAL_KIND_CLOSE_DAY, NULL, payload, why)) ||
	    (err = audit_append(ctx, actor, "close_day", date, detail, why)))
		goto done;
	err = store_commit(ctx->store, why);
done:
	if (err != AG_OK) {
		store_rollback(ctx->store);
		out->versions = out->messages = out->without_email = 0;
	}
	return err;
}

agenda_err booking_close_day(agenda_ctx *ctx, const struct session *who, agenda_day day,
                             struct day_close_report *out, agenda_detail *why)
{
	agenda_err err;

	memset(out, 0, sizeof *out);
	out->day = day;
	if ((err = session_require_personal_data(who, why)))
		return err;
	return close_day(ctx, who->username, who->operator_id, day, out, why);
}

/* The close time in minutes after midnight (setting day_close.time, default 18:00). */
static int close_minute(agenda_ctx *ctx)
{
	char value[16] = "";
	int minute;

	if (store_setting_get(ctx->store, "day_close.time", value, sizeof value) &&
	    time_parse(value, &minute))
		return minute;
	return DAY_CLOSE_DEFAULT_TIME;
}

void day_close_settings_get(agenda_ctx *ctx, struct day_close_settings *out)
{
	out->close_minute = close_minute(ctx);
	out->send_empty = send_empty_setting(ctx);
}

agenda_err day_close_configure(agenda_ctx *ctx, const char *actor, int minute, int send_empty,
                               agenda_detail *why)
{
	char text[16], detail[64];
	struct day_close_settings now;
	agenda_err err;

	if (minute >= 24 * 60) {
		snprintf(text, sizeof text, "%d", minute);
		agenda_detail_set(why, MSG_DAYLIST_BAD_CLOSE_TIME, text);
		return AG_ERR_INVALID;
	}
	if ((err = store_begin(ctx->store, why)) != AG_OK)
		return err;
	if (minute >= 0) {
		time_format(minute, text, sizeof text);
		if ((err = store_setting_set(ctx->store, "day_close.time", text, why)))
			goto done;
	}
	if (send_empty >= 0 && (err = store_setting_set(ctx->store, "day_close.send_empty",
	                                                send_empty ? "1" : "0", why)))
		goto done;
	day_close_settings_get(ctx, &now);
	time_format(now.close_minute, text, sizeof text);
	snprintf(detail, sizeof detail, "time=%s send_empty=%d", text, now.send_empty);
	if ((err = audit_append(ctx, actor, "day_close_configure", "day_close", detail, why)))
		goto done;
	err = store_commit(ctx->store, why);
done:
	if (err != AG_OK)
		store_rollback(ctx->store);
	return err;
}

/* Whether day has appointments fixed on it and no close yet. */
static agenda_err needs_close(agenda_ctx *ctx, agenda_day day, bool *needed, agenda_detail *why)
{
	static const char SQL[] = "SELECT EXISTS(SELECT 1 FROM appointment WHERE created_at >= ?1 "
	                          "AND created_at < ?2)"
	                          " AND NOT EXISTS(SELECT 1 FROM day_close WHERE day = ?3)";
	sqlite3_stmt *st = store_stmt(ctx->store, SQL, why);
	int rc;

	if (!st)
		return AG_ERR_STORE;
	sqlite3_bind_int64(st, 1, clock_epoch_of(day, 0));
	sqlite3_bind_int64(st, 2, clock_epoch_of(day + 1, 0));
	sqlite3_bind_int(st, 3, day);
	rc = sqlite3_step(st);
	*needed = rc == SQLITE_ROW && sqlite3_column_int(st, 0);
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? AG_OK : store_error(ctx->store, rc, why);
}

agenda_err day_close_due(agenda_ctx *ctx, struct day_close_report *out, bool *closed,
                         agenda_detail *why)
{
	agenda_day today, day;
	int minute;
	bool needed = false;
	agenda_err err;

	memset(out, 0, sizeof *out);
	*closed = false;
	clock_local(clock_now(&ctx->clock), &today, &minute);
	/* Oldest first: a device off for days closes each of them, one call each. */
	for (day = today - DAY_CLOSE_LOOKBACK; day <= today; day++) {
		if (day == today && minute < close_minute(ctx))
			break;
		if ((err = needs_close(ctx, day, &needed, why)) != AG_OK)
			return err;
		if (needed)
			break;
	}
	if (!needed)
		return AG_OK;
	if ((err = close_day(ctx, DAY_CLOSE_ACTOR_SYSTEM, 0, day, out, why)) != AG_OK)
		return err;
	*closed = true;
	return AG_OK;
}
