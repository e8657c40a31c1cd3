/*
 * grants.c — central's grants and revokes applied to the slot table, leases renewed, slots
 * handed back, and what the device asks central to hold (see grants.h).
 *
 * A slot central took back cannot always leave the table: an old cancelled appointment may
 * still point at it (foreign key). Such a row is "retired" instead: state 'releasing' (never
 * bookable, never counted), grant_id NULL (no longer central's id here, out of the digest),
 * lease_end 0. A later grant of the same time finds it by (questura, day, minute) and revives it.
 */
#include "services/grants.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/calendar.h"
#include "core/messages.h"
#include "core/numbers.h"
#include "services/audit.h"
#include "services/booking.h"
#include "services/booking_row.h"
#include "services/journal.h"
#include "services/questure.h"
#include "services/sync_state.h"
#include "services/worklist.h"

/* One slot row as grants.c reads it. */
struct slot_row {
	int64_t id;
	char state[12];
	int64_t lease_end; /* -1 for NULL */
	bool granted;      /* grant_id not NULL */
};

static void read_slot_row(sqlite3_stmt *st, void *out)
{
	struct slot_row *r = out;

	r->id = sqlite3_column_int64(st, 0);
	store_column_text(st, 1, r->state, sizeof r->state);
	r->lease_end = sqlite3_column_type(st, 2) == SQLITE_NULL ? -1 : sqlite3_column_int64(st, 2);
	r->granted = sqlite3_column_type(st, 3) != SQLITE_NULL;
}

static agenda_err slot_by_grant(agenda_ctx *ctx, int64_t central_id, struct slot_row *out,
                                agenda_detail *why)
{
	static const char SQL[] = "SELECT id, state, lease_end, grant_id FROM slot"
	                          " WHERE grant_id = ?";
	char key[24];

	snprintf(key, sizeof key, "%lld", (long long)central_id);
	return store_query_one(ctx->store, SQL, key, 0, read_slot_row, out, why);
}

static agenda_err run(agenda_ctx *ctx, sqlite3_stmt *st, agenda_detail *why)
{
	return st ? store_step_done(ctx->store, st, why) : AG_ERR_STORE;
}

/* A Questura central grants at must exist locally (slot.questura references it): until its
 * record arrives, a placeholder named by its code stands in (questura_put replaces it). */
static agenda_err ensure_questura(agenda_ctx *ctx, const char *code, agenda_detail *why)
{
	static const char SQL[] = "INSERT INTO questura(code, name, city) VALUES(?1, ?1, ?1)"
	                          " ON CONFLICT(code) DO NOTHING";
	sqlite3_stmt *st;

	if (!code || !provincia_is_known(code)) {
		agenda_detail_set(why, MSG_QUESTURA_BAD, code ? code : "");
		return AG_ERR_INVALID;
	}
	if (!(st = store_stmt(ctx->store, SQL, why)))
		return AG_ERR_STORE;
	sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
	return run(ctx, st, why);
}

/* Makes an existing row (by local id) this grant's: central id, lease, this device, bookable
 * again if it was being handed back or retired. */
static agenda_err claim_row(agenda_ctx *ctx, int64_t slot_id, const char *key, int64_t lease_end,
                            agenda_detail *why)
{
	static const char SQL[] = "UPDATE slot SET grant_id = ?2, lease_end = ?3, held_by = ?4,"
	                          " state = CASE state WHEN 'releasing' THEN 'free' ELSE state END"
	                          " WHERE id = ?1";
	sqlite3_stmt *st = store_stmt(ctx->store, SQL, why);

	if (!st)
		return AG_ERR_STORE;
	sqlite3_bind_int64(st, 1, slot_id);
	sqlite3_bind_text(st, 2, key, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, lease_end);
	sqlite3_bind_text(st, 4, ctx->device_id, -1, SQLITE_STATIC);
	return run(ctx, st, why);
}

static agenda_err insert_granted(agenda_ctx *ctx, const char *key, const char *questura,
                                 agenda_day day, int minute, int64_t lease_end, agenda_detail *why)
{
	static const char SQL[] =
	        "INSERT INTO slot(questura, day, minute, held_by, state, grant_id,"
	        " lease_end) VALUES(?, ?, ?, ?, 'free', ?, ?)";
	sqlite3_stmt *st = store_stmt(ctx->store, SQL, why);

	if (!st)
		return AG_ERR_STORE;
	sqlite3_bind_text(st, 1, questura, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, day);
	sqlite3_bind_int(st, 3, minute);
	sqlite3_bind_text(st, 4, ctx->device_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, key, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 6, lease_end);
	return run(ctx, st, why);
}

static agenda_err slot_at(agenda_ctx *ctx, const char *questura, agenda_day day, int minute,
                          struct slot_row *out, agenda_detail *why)
{
	static const char SQL[] = "SELECT id, state, lease_end, grant_id FROM slot"
	                          " WHERE questura = ? AND day = ? AND minute = ?";
	sqlite3_stmt *st = store_stmt(ctx->store, SQL, why);
	int rc;

	if (!st)
		return AG_ERR_STORE;
	sqlite3_bind_text(st, 1, questura, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, day);
	sqlite3_bind_int(st, 3, minute);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		read_slot_row(st, out);
	sqlite3_reset(st);
	if (rc == SQLITE_ROW)
		return AG_OK;
	return rc == SQLITE_DONE ? AG_ERR_NOT_FOUND : store_error(ctx->store, rc, why);
}

agenda_err grants_apply(agenda_ctx *ctx, int64_t central_id, const char *questura, agenda_day day,
                        int minute, int64_t lease_end, agenda_detail *why)
{
	struct slot_row row;
	char key[24], when[DATE_TEXT_MAX], detail[96];
	const char *how = "new";
	agenda_err err;

	if (central_id <= 0 || minute < 0 || minute > 1439 || day <= 0) {
		agenda_detail_set(why, MSG_GRANT_BAD, (long long)central_id, "day/minute");
		return AG_ERR_INVALID;
	}
	snprintf(key, sizeof key, "%lld", (long long)central_id);
	if ((err = store_begin(ctx->store, why)) != AG_OK)
		return err;
	if ((err = ensure_questura(ctx, questura, why)) != AG_OK)
		goto done;
	err = slot_by_grant(ctx, central_id, &row, why);
	if (err == AG_OK) {
		/* Known grant: the lease is refreshed; only a revived slot is news for the audit.
		 */
		bool revived = strcmp(row.state, "releasing") == 0 || row.lease_end == 0;

		if ((err = claim_row(ctx, row.id, key, lease_end, why)) != AG_OK || !revived)
			goto done;
		how = "renewed";
	} else if (err == AG_ERR_NOT_FOUND) {
		err = slot_at(ctx, questura, day, minute, &row, why);
		if (err == AG_OK) {
			how = row.granted ? "repointed" : "converted";
			err = claim_row(ctx, row.id, key, lease_end, why);
		} else if (err == AG_ERR_NOT_FOUND) {
			err = insert_granted(ctx, key, questura, day, minute, lease_end, why);
		}
		if (err != AG_OK)
			goto done;
	} else {
		goto done;
	}
	date_format(day, when, sizeof when);
	snprintf(detail, sizeof detail, "questura=%s at=%s %02d:%02d lease_end=%lld %s", questura,
	         when, minute / 60, minute % 60, (long long)lease_end, how);
	err = audit_append(ctx, GRANT_ACTOR_CENTRAL, "grant_applied", key, detail, why);
done:
	if (err == AG_OK)
		return store_commit(ctx->store, why);
	store_rollback(ctx->store);
	return err;
}

/* The slot leaves the device: deleted, or retired when an appointment still points at it. */
static agenda_err remove_slot(agenda_ctx *ctx, int64_t slot_id, agenda_detail *why)
{
	static const char USED[] = "SELECT count(*) FROM appointment WHERE slot_id = ?";
	static const char DELETE[] = "DELETE FROM slot WHERE id = ?";
	static const char RETIRE[] = "UPDATE slot SET state = 'releasing', grant_id = NULL,"
	                             " lease_end = 0 WHERE id = ?";
	sqlite3_stmt *st = store_stmt(ctx->store, USED, why);
	int rc, used = 0;

	if (!st)
		return AG_ERR_STORE;
	sqlite3_bind_int64(st, 1, slot_id);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		used = sqlite3_column_int(st, 0);
	sqlite3_reset(st);
	if (rc != SQLITE_ROW)
		return store_error(ctx->store, rc, why);
	if (!(st = store_stmt(ctx->store, used ? RETIRE : DELETE, why)))
		return AG_ERR_STORE;
	sqlite3_bind_int64(st, 1, slot_id);
	return run(ctx, st, why);
}

/* The confirmed appointment on a slot ("" when none) and its practice number. */
static agenda_err live_on_slot(agenda_ctx *ctx, int64_t slot_id, char id[APPOINTMENT_ID_MAX],
                               char pratica[PRATICA_MAX], agenda_detail *why)
{
	static const char SQL[] = "SELECT a.id, p.numero_pratica FROM appointment a"
	                          " JOIN practice p ON p.id = a.practice_id"
	                          " WHERE a.slot_id = ? AND a.state = 'confirmed'";
	sqlite3_stmt *st = store_stmt(ctx->store, SQL, why);
	int rc;

	id[0] = pratica[0] = '\0';
	if (!st)
		return AG_ERR_STORE;
	sqlite3_bind_int64(st, 1, slot_id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		store_column_text(st, 0, id, APPOINTMENT_ID_MAX);
		store_column_text(st, 1, pratica, PRATICA_MAX);
	}
	sqlite3_reset(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? AG_OK : store_error(ctx->store, rc, why);
}

static bool reason_cancels(const char *reason)
{
	return strcmp(reason, GRANT_REASON_DUPLICATE_PRACTICE) == 0 ||
	       strcmp(reason, GRANT_REASON_WITHDRAWN) == 0;
}

/* A booked slot central took back: never bookable again; the appointment kept or cancelled. */
static agenda_err revoke_booked(agenda_ctx *ctx, const struct slot_row *row, const char *reason,
                                enum grant_revoke_outcome *outcome, agenda_detail *why)
{
	static const char LEASE_ZERO[] = "UPDATE slot SET lease_end = 0 WHERE id = ?";
	char appointment[APPOINTMENT_ID_MAX], pratica[PRATICA_MAX];
	const char *kind = reason;
	sqlite3_stmt *st;
	agenda_err err;

	if ((err = live_on_slot(ctx, row->id, appointment, pratica, why)) != AG_OK)
		return err;
	if (!appointment[0]) {
		/* Booked without a live appointment cannot last; treat it as free. */
		*outcome = GRANT_REVOKE_DELETED;
		return remove_slot(ctx, row->id, why);
	}
	if (row->lease_end == 0) {
		*outcome = GRANT_REVOKE_ALREADY;
		return AG_OK;
	}
	if (!(st = store_stmt(ctx->store, LEASE_ZERO, why)))
		return AG_ERR_STORE;
	sqlite3_bind_int64(st, 1, row->id);
	if ((err = run(ctx, st, why)) != AG_OK)
		return err;
	if (reason_cancels(reason)) {
		/* The slot stays here, free with lease 0: central keeps it as this device's (its
		 * digest counts it) but the device never books it again. */
		if ((err = booking_cancel_by_central(ctx, appointment, reason, NULL, why)) != AG_OK)
			return err;
		*outcome = GRANT_REVOKE_CANCELLED;
	} else {
		*outcome = GRANT_REVOKE_KEPT;
	}
	if (worklist_kind_message(kind) == MSG_WORKLIST_OTHER)
		kind = GRANT_REASON_CLOSURE; /* an unknown reason: someone looks at it all the same
		                              */
	return worklist_add(ctx, kind, appointment, pratica, NULL, NULL, why);
}

agenda_err grants_revoke(agenda_ctx *ctx, int64_t central_id, const char *reason,
                         enum grant_revoke_outcome *outcome, agenda_detail *why)
{
	enum grant_revoke_outcome done_as = GRANT_REVOKE_UNKNOWN;
	struct slot_row row;
	char key[24], detail[80];
	agenda_err err;

	if (!reason || !reason[0])
		reason = GRANT_REASON_CLOSURE;
	if (outcome)
		*outcome = GRANT_REVOKE_UNKNOWN;
	if ((err = store_begin(ctx->store, why)) != AG_OK)
		return err;
	err = slot_by_grant(ctx, central_id, &row, why);
	if (err == AG_ERR_NOT_FOUND) {
		agenda_detail_clear(why);
		err = AG_OK;
		goto done;
	}
	if (err != AG_OK)
		goto done;
	if (strcmp(row.state, "booked") == 0) {
		err = revoke_booked(ctx, &row, reason, &done_as, why);
	} else {
		done_as = GRANT_REVOKE_DELETED;
		err = remove_slot(ctx, row.id, why);
	}
	if (err != AG_OK || done_as == GRANT_REVOKE_ALREADY)
		goto done;
	snprintf(key, sizeof key, "%lld", (long long)central_id);
	snprintf(detail, sizeof detail, "reason=%.32s was=%s", reason, row.state);
	err = audit_append(ctx, GRANT_ACTOR_CENTRAL, "grant_revoked", key, detail, why);
done:
	if (err != AG_OK) {
		store_rollback(ctx->store);
		return err;
	}
	if (outcome)
		*outcome = done_as;
	return store_commit(ctx->store, why);
}

agenda_err grants_renew(agenda_ctx *ctx, int64_t lease_end, agenda_detail *why)
{
	/* Not audited slot by slot: a round renews every lease every minute; the lease itself is
	 * in sync_state and central keeps the authoritative one. */
	static const char SQL[] = "UPDATE slot SET lease_end = ? WHERE grant_id IS NOT NULL"
	                          " AND lease_end > 0 AND held_by = ? AND state <> 'releasing'";
	sqlite3_stmt *st;
	agenda_err err;

	if ((err = store_begin(ctx->store, why)) != AG_OK)
		return err;
	if (!(st = store_stmt(ctx->store, SQL, why))) {
		err = AG_ERR_STORE;
		goto done;
	}
	sqlite3_bind_int64(st, 1, lease_end);
	sqlite3_bind_text(st, 2, ctx->device_id, -1, SQLITE_STATIC);
	if ((err = run(ctx, st, why)) ||
	    (err = sync_state_set_int(ctx, SYNC_KEY_LEASE_END, lease_end, why)))
		goto done;
	return store_commit(ctx->store, why);
done:
	store_rollback(ctx->store);
	return err;
}

agenda_err grants_cancel_copy(agenda_ctx *ctx, const char *appointment_id, const char *reason,
                              agenda_detail *why)
{
	struct booking b;
	agenda_err err;

	if (!reason || !reason[0])
		reason = GRANT_REASON_DUPLICATE_PRACTICE;
	if ((err = store_begin(ctx->store, why)) != AG_OK)
		return err;
	err = booking_cancel_by_central(ctx, appointment_id, reason, &b, why);
	if (err == AG_ERR_NOT_FOUND || err == AG_ERR_REFUSED) {
		/* Already ended here (or never here): nothing left to undo. */
		agenda_detail_clear(why);
		store_rollback(ctx->store);
		return AG_OK;
	}
	if (err == AG_OK)
		err = worklist_add(ctx,
		                   worklist_kind_message(reason) == MSG_WORKLIST_OTHER
		                           ? GRANT_REASON_DUPLICATE_PRACTICE
		                           : reason,
		                   b.id, b.numero_pratica, NULL, NULL, why);
	if (err != AG_OK) {
		store_rollback(ctx->store);
		return err;
	}
	return store_commit(ctx->store, why);
}

agenda_err grants_conflict(agenda_ctx *ctx, const char *entry_id, const char *reason,
                           bool cancel_copy, agenda_detail *why)
{
	char appointment[JOURNAL_ENTRY_ID_MAX], detail[64];
	struct booking b;
	agenda_err err = journal_entry_appointment(ctx, entry_id, appointment, why);

	if (err != AG_OK && err != AG_ERR_NOT_FOUND)
		return err;
	agenda_detail_clear(why);
	if (cancel_copy && appointment[0])
		return grants_cancel_copy(ctx, appointment, reason, why);
	memset(&b, 0, sizeof b);
	if (appointment[0] && booking_load(ctx, BOOKING_BY_ID, appointment, 0, &b, NULL) != AG_OK)
		memset(&b, 0, sizeof b);
	snprintf(detail, sizeof detail, "entry=%.40s", entry_id ? entry_id : "");
	return worklist_add(ctx, worklist_kind_ok(reason) ? reason : "conflict", appointment,
	                    b.numero_pratica, detail, NULL, why);
}

/* Reads central ids (one integer column) from st into ids, up to max. */
static agenda_err read_ids(agenda_ctx *ctx, sqlite3_stmt *st, int64_t *ids, size_t max, size_t *n,
                           agenda_detail *why)
{
	int rc;

	*n = 0;
	while (*n < max && (rc = sqlite3_step(st)) == SQLITE_ROW)
		ids[(*n)++] = sqlite3_column_int64(st, 0);
	if (*n == max)
		rc = SQLITE_DONE;
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? AG_OK : store_error(ctx->store, rc, why);
}

agenda_err grants_hand_back(agenda_ctx *ctx, int horizon_days, int64_t *ids, size_t max, size_t *n,
                            agenda_detail *why)
{
	static const char FIND[] =
	        "SELECT CAST(grant_id AS INTEGER) FROM slot WHERE grant_id IS NOT NULL"
	        " AND held_by = ? AND state = 'free' AND (day > ? OR lease_end = 0)"
	        " ORDER BY lease_end = 0 DESC, day DESC, minute DESC";
	static const char MARK[] = "UPDATE slot SET state = 'releasing' WHERE grant_id = ?"
	                           " AND state = 'free'";
	agenda_day last = agenda_today(ctx, NULL) + (horizon_days > 0 ? horizon_days : 0);
	char key[24], detail[48];
	sqlite3_stmt *st;
	agenda_err err;

	*n = 0;
	if ((err = store_begin(ctx->store, why)) != AG_OK)
		return err;
	if (!(st = store_stmt(ctx->store, FIND, why))) {
		err = AG_ERR_STORE;
		goto done;
	}
	sqlite3_bind_text(st, 1, ctx->device_id, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, last);
	if ((err = read_ids(ctx, st, ids, max, n, why)) != AG_OK)
		goto done;
	for (size_t i = 0; i < *n && err == AG_OK; i++) {
		if (!(st = store_stmt(ctx->store, MARK, why))) {
			err = AG_ERR_STORE;
			break;
		}
		snprintf(key, sizeof key, "%lld", (long long)ids[i]);
		sqlite3_bind_text(st, 1, key, -1, SQLITE_TRANSIENT);
		err = run(ctx, st, why);
	}
	if (err == AG_OK && *n > 0) {
		snprintf(detail, sizeof detail, "count=%zu after=%d", *n, (int)last);
		err = audit_append(ctx, "device", "grants_handed_back", "-", detail, why);
	}
done:
	if (err == AG_OK)
		return store_commit(ctx->store, why);
	*n = 0;
	store_rollback(ctx->store);
	return err;
}

agenda_err grants_releasing(agenda_ctx *ctx, int64_t *ids, size_t max, size_t *n,
                            agenda_detail *why)
{
	static const char SQL[] = "SELECT CAST(grant_id AS INTEGER) AS central FROM slot"
	                          " WHERE grant_id IS NOT NULL AND state = 'releasing'"
	                          " ORDER BY central";
	sqlite3_stmt *st = store_stmt(ctx->store, SQL, why);

	*n = 0;
	return st ? read_ids(ctx, st, ids, max, n, why) : AG_ERR_STORE;
}

agenda_err grants_forget(agenda_ctx *ctx, const int64_t *ids, size_t n, agenda_detail *why)
{
	struct slot_row row;
	size_t forgotten = 0;
	agenda_err err;

	if ((err = store_begin(ctx->store, why)) != AG_OK)
		return err;
	for (size_t i = 0; i < n && err == AG_OK; i++) {
		err = slot_by_grant(ctx, ids[i], &row, why);
		if (err == AG_ERR_NOT_FOUND ||
		    (err == AG_OK && strcmp(row.state, "releasing") != 0)) {
			err = AG_OK; /* re-granted meanwhile, or already gone */
			continue;
		}
		if (err == AG_OK && (err = remove_slot(ctx, row.id, why)) == AG_OK)
			forgotten++;
	}
	if (err == AG_OK && forgotten > 0) {
		char detail[32];

		snprintf(detail, sizeof detail, "count=%zu", forgotten);
		err = audit_append(ctx, GRANT_ACTOR_CENTRAL, "grants_released", "-", detail, why);
	}
	if (err != AG_OK) {
		store_rollback(ctx->store);
		return err;
	}
	return store_commit(ctx->store, why);
}

/* A positive integer setting, or fallback when unset or not one (clamped to 1..limit). */
static int setting_int(agenda_ctx *ctx, const char *key, int fallback, int limit)
{
	char text[24], *end;
	long v;

	if (!store_setting_get(ctx->store, key, text, sizeof text))
		return fallback;
	v = strtol(text, &end, 10);
	if (end == text || *end || v < 1)
		return fallback;
	return v > limit ? limit : (int)v;
}

/* Appointments booked at questura on its last GRANT_DEMAND_RECENT_OPEN_DAYS open days before
 * today (calendar exceptions included). */
static agenda_err recent_bookings(agenda_ctx *ctx, const char *questura, int64_t *count,
                                  agenda_detail *why)
{
	static const char SQL[] = "SELECT count(*) FROM appointment a JOIN slot s"
	                          " ON s.id = a.slot_id WHERE s.questura = ? AND a.created_at >= ?"
	                          " AND a.created_at < ?";
	agenda_day today = agenda_today(ctx, NULL), day = today, first = today;
	struct cal_rules rules;
	sqlite3_stmt *st;
	agenda_err err;
	int open = 0, rc;

	*count = 0;
	if ((err = questura_rules(ctx, questura, today - 60, today, &rules, why)) != AG_OK)
		return err;
	while (open < GRANT_DEMAND_RECENT_OPEN_DAYS && day > today - 60) {
		day--;
		if (cal_is_open(&rules, day)) {
			open++;
			first = day;
		}
	}
	questura_rules_free(&rules);
	if (!(st = store_stmt(ctx->store, SQL, why)))
		return AG_ERR_STORE;
	sqlite3_bind_text(st, 1, questura, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, clock_epoch_of(first, 0));
	sqlite3_bind_int64(st, 3, clock_epoch_of(today, 0));
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		*count = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? AG_OK : store_error(ctx->store, rc, why);
}

agenda_err grants_demand(agenda_ctx *ctx, struct grant_demand *out, size_t max, size_t *n,
                         agenda_detail *why)
{
	/*
	 * Which Questure: those it holds grants at, those it booked for lately, and those of the
	 * practices central sent it (so a device fresh from provisioning asks for its first slots;
	 * central ignores Questure outside the device's site).
	 */
	static const char SQL[] =
	        "SELECT questura FROM slot WHERE grant_id IS NOT NULL AND held_by = ?1"
	        " UNION SELECT s.questura FROM appointment a JOIN slot s ON s.id = a.slot_id"
	        " WHERE a.created_at >= ?2 UNION SELECT questura FROM practice"
	        " ORDER BY 1 LIMIT ?3";
	int days = setting_int(ctx, GRANT_SETTING_HOLD_DAYS, GRANT_DEFAULT_HOLD_DAYS, 366);
	int low = setting_int(ctx, GRANT_SETTING_LOW_WATER, GRANT_DEFAULT_LOW_WATER, 100000);
	sqlite3_stmt *st = store_stmt(ctx->store, SQL, why);
	agenda_err err = AG_OK;
	int rc;

	*n = 0;
	if (!st)
		return AG_ERR_STORE;
	sqlite3_bind_text(st, 1, ctx->device_id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, clock_now(&ctx->clock) - 60 * 86400);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)max);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		store_column_text(st, 0, out[(*n)++].questura, sizeof out->questura);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return store_error(ctx->store, rc, why);
	for (size_t i = 0; i < *n && err == AG_OK; i++) {
		int64_t booked = 0, wanted;

		if ((err = recent_bookings(ctx, out[i].questura, &booked, why)) != AG_OK)
			break;
		wanted = (booked * days + GRANT_DEMAND_RECENT_OPEN_DAYS - 1) /
		         GRANT_DEMAND_RECENT_OPEN_DAYS;
		out[i].days = days;
		out[i].slots = (int)(wanted > low ? (wanted > 100000 ? 100000 : wanted) : low);
	}
	if (err != AG_OK)
		*n = 0;
	return err;
}

agenda_err grants_count(agenda_ctx *ctx, int64_t *held, int64_t *earliest_lease_end,
                        agenda_detail *why)
{
	static const char SQL[] = "SELECT count(*), coalesce(min(lease_end), 0) FROM slot"
	                          " WHERE grant_id IS NOT NULL AND lease_end > 0 AND held_by = ?"
	                          " AND state <> 'releasing'";
	sqlite3_stmt *st = store_stmt(ctx->store, SQL, why);
	int rc;

	*held = *earliest_lease_end = 0;
	if (!st)
		return AG_ERR_STORE;
	sqlite3_bind_text(st, 1, ctx->device_id, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		*held = sqlite3_column_int64(st, 0);
		*earliest_lease_end = sqlite3_column_int64(st, 1);
	}
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? AG_OK : store_error(ctx->store, rc, why);
}
