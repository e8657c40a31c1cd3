/*
 * slots.c — the slot table's statements (see slots.h for the states and who holds what).
 *
 * Every statement that can change a slot names the holder: a slot another device holds is
 * simply not matched, so no caller can book, free or re-plan it by mistake. The free-slot index
 * (questura, held_by, day, minute) WHERE state = 'free' serves both searches.
 */
#include "services/slots.h"

#include "core/messages.h"

/*
 * Which free slots may be booked (issue 12): on a device central manages (sync_state
 * central_managed = 1) only those central granted whose lease has not ended (?5 = now; a
 * revoked one has lease 0); a stand-alone device books every free slot it holds, as before.
 */
#define LEASE_RULE                                                                                 \
	"(coalesce((SELECT value FROM sync_state WHERE key = 'central_managed'), '0') <> '1'"      \
	" OR (grant_id IS NOT NULL AND lease_end > ?5))"

/* Steps a statement that returns nothing; *changes: rows it changed. */
static agenda_err step_done(agenda_ctx *ctx, sqlite3_stmt *st, int *changes, agenda_detail *why)
{
	agenda_err err = store_step_done(ctx->store, st, why);

	if (err == AG_OK && changes)
		*changes = sqlite3_changes(store_db(ctx->store));
	return err;
}

/* Steps a query returning (id, day, minute): AG_ERR_NOT_FOUND when it returns no row. */
static agenda_err step_slot(agenda_ctx *ctx, sqlite3_stmt *st, struct sched_free_slot *out,
                            agenda_detail *why)
{
	int rc = sqlite3_step(st);
	agenda_err err = AG_OK;

	if (rc == SQLITE_ROW) {
		out->slot_id = sqlite3_column_int64(st, 0);
		out->day = (agenda_day)sqlite3_column_int(st, 1);
		out->minute = sqlite3_column_int(st, 2);
	} else if (rc == SQLITE_DONE) {
		err = AG_ERR_NOT_FOUND;
	} else {
		err = store_error(ctx->store, rc, why);
	}
	sqlite3_reset(st);
	return err;
}

/* Prepares sql with ?1 questura, ?2 this device, ?3..?4 a range of days. */
static sqlite3_stmt *range_stmt(agenda_ctx *ctx, const char *sql, const char *questura,
                                agenda_day from, agenda_day until, agenda_detail *why)
{
	sqlite3_stmt *st = store_stmt(ctx->store, sql, why);

	if (!st)
		return NULL;
	sqlite3_bind_text(st, 1, questura, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, ctx->device_id, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 3, from);
	sqlite3_bind_int(st, 4, until);
	return st;
}

agenda_err slots_next_free(agenda_ctx *ctx, const char *questura, agenda_day from, agenda_day until,
                           struct sched_free_slot *out, agenda_detail *why)
{
	static const char SQL[] = "SELECT id, day, minute FROM slot WHERE questura = ?"
	                          " AND held_by = ? AND state = 'free' AND day BETWEEN ? AND ?"
	                          " AND " LEASE_RULE " ORDER BY day, minute LIMIT 1";
	sqlite3_stmt *st = range_stmt(ctx, SQL, questura, from, until, why);

	if (!st)
		return AG_ERR_STORE;
	sqlite3_bind_int64(st, 5, clock_now(&ctx->clock));
	return step_slot(ctx, st, out, why);
}

agenda_err slots_free_held(agenda_ctx *ctx, int64_t slot_id, const char *questura,
                           struct sched_free_slot *out, agenda_detail *why)
{
	static const char SQL[] = "SELECT id, day, minute FROM slot WHERE id = ? AND questura = ?"
	                          " AND held_by = ? AND state = 'free' AND " LEASE_RULE;
	sqlite3_stmt *st = store_stmt(ctx->store, SQL, why);

	if (!st)
		return AG_ERR_STORE;
	sqlite3_bind_int64(st, 1, slot_id);
	sqlite3_bind_text(st, 2, questura, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, ctx->device_id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, clock_now(&ctx->clock));
	return step_slot(ctx, st, out, why);
}

agenda_err slots_count_bookable(agenda_ctx *ctx, const char *questura, agenda_day from,
                                int64_t *count, agenda_detail *why)
{
	static const char SQL[] = "SELECT count(*) FROM slot WHERE questura = ?1 AND held_by = ?2"
	                          " AND state = 'free' AND day >= ?3 AND " LEASE_RULE;
	sqlite3_stmt *st = store_stmt(ctx->store, SQL, why);
	int rc;

	*count = 0;
	if (!st)
		return AG_ERR_STORE;
	sqlite3_bind_text(st, 1, questura, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, ctx->device_id, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 3, from);
	sqlite3_bind_int64(st, 5, clock_now(&ctx->clock));
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*count = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? AG_OK : store_error(ctx->store, rc, why);
}

agenda_err slots_take(agenda_ctx *ctx, int64_t slot_id, agenda_detail *why)
{
	static const char SQL[] = "UPDATE slot SET state = 'booked' WHERE id = ? AND state = 'free'"
	                          " AND held_by = ?";
	sqlite3_stmt *st = store_stmt(ctx->store, SQL, why);
	int changes = 0;
	agenda_err err;

	if (!st)
		return AG_ERR_STORE;
	sqlite3_bind_int64(st, 1, slot_id);
	sqlite3_bind_text(st, 2, ctx->device_id, -1, SQLITE_STATIC);
	if ((err = step_done(ctx, st, &changes, why)) != AG_OK)
		return err;
	return changes == 1 ? AG_OK : AG_ERR_NOT_FOUND;
}

agenda_err slots_release(agenda_ctx *ctx, int64_t slot_id, agenda_detail *why)
{
	static const char SQL[] =
	        "UPDATE slot SET state = 'free' WHERE id = ? AND state = 'booked'";
	sqlite3_stmt *st = store_stmt(ctx->store, SQL, why);

	if (!st)
		return AG_ERR_STORE;
	sqlite3_bind_int64(st, 1, slot_id);
	return step_done(ctx, st, NULL, why);
}

agenda_err slots_count_free(agenda_ctx *ctx, agenda_day from, int64_t *count, agenda_detail *why)
{
	static const char SQL[] = "SELECT count(*) FROM slot WHERE state = 'free' AND day >= ?"
	                          " AND held_by = ?";
	sqlite3_stmt *st = store_stmt(ctx->store, SQL, why);
	int rc;

	*count = 0;
	if (!st)
		return AG_ERR_STORE;
	sqlite3_bind_int(st, 1, from);
	sqlite3_bind_text(st, 2, ctx->device_id, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*count = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? AG_OK : store_error(ctx->store, rc, why);
}

/* Prepares sql with the plan's parameters bound: ?1 questura, ?2 day, ?3 first minute, ?4 end
 * minute, ?5 step, ?6 this device. */
static sqlite3_stmt *plan_stmt(agenda_ctx *ctx, const char *sql, const char *questura,
                               agenda_day day, const struct capacity_plan *plan, agenda_detail *why)
{
	sqlite3_stmt *st = store_stmt(ctx->store, sql, why);

	if (!st)
		return NULL;
	sqlite3_bind_text(st, 1, questura, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, day);
	sqlite3_bind_int(st, 3, plan->first_minute);
	sqlite3_bind_int(st, 4, plan->first_minute + plan->slots_per_day * plan->minutes_per_slot);
	sqlite3_bind_int(st, 5, plan->minutes_per_slot);
	sqlite3_bind_text(st, 6, ctx->device_id, -1, SQLITE_STATIC);
	return st;
}

/* Prepares sql with one time bound: ?1 questura, ?2 day, ?3 minute, ?4 this device. */
static sqlite3_stmt *time_stmt(agenda_ctx *ctx, const char *sql, const char *questura,
                               agenda_day day, int minute, agenda_detail *why)
{
	sqlite3_stmt *st = store_stmt(ctx->store, sql, why);

	if (!st)
		return NULL;
	sqlite3_bind_text(st, 1, questura, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, day);
	sqlite3_bind_int(st, 3, minute);
	sqlite3_bind_text(st, 4, ctx->device_id, -1, SQLITE_STATIC);
	return st;
}

agenda_err slots_apply_plan(agenda_ctx *ctx, const char *questura, agenda_day day,
                            const struct capacity_plan *plan, struct capacity_report *r,
                            agenda_detail *why)
{
	/* A time someone else holds conflicts on UNIQUE(questura, day, minute) and stays theirs. */
	static const char ADD[] = "INSERT INTO slot(questura, day, minute, held_by, state)"
	                          " VALUES(?, ?, ?, ?, 'free') ON CONFLICT DO NOTHING";
	static const char OTHER[] = "SELECT count(*) FROM slot WHERE questura = ? AND day = ?"
	                            " AND minute = ? AND held_by <> ?";
	/* "Outside the plan": before its first time, after its last, or off its step. */
#define OUTSIDE                                                                                    \
	"questura = ?1 AND day = ?2 AND held_by = ?6 AND (minute < ?3 OR minute >= ?4"             \
	" OR (minute - ?3) % ?5 != 0)"
	static const char DROP[] = "DELETE FROM slot WHERE state = 'free' AND " OUTSIDE;
	static const char KEPT[] = "SELECT count(*) FROM slot WHERE state = 'booked' AND " OUTSIDE;
#undef OUTSIDE
	sqlite3_stmt *st;
	agenda_err err;
	int changes = 0, rc;

	for (int i = 0; i < plan->slots_per_day; i++) {
		int minute = plan->first_minute + i * plan->minutes_per_slot;

		if (!(st = time_stmt(ctx, ADD, questura, day, minute, why)))
			return AG_ERR_STORE;
		if ((err = step_done(ctx, st, &changes, why)) != AG_OK)
			return err;
		r->slots_created += changes;
		if (changes)
			continue;
		if (!(st = time_stmt(ctx, OTHER, questura, day, minute, why)))
			return AG_ERR_STORE;
		if (sqlite3_step(st) == SQLITE_ROW)
			r->slots_other_holder += sqlite3_column_int(st, 0);
		sqlite3_reset(st);
	}
	if (!(st = plan_stmt(ctx, KEPT, questura, day, plan, why)))
		return AG_ERR_STORE;
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		r->slots_kept_booked += sqlite3_column_int(st, 0);
	sqlite3_reset(st);
	if (rc != SQLITE_ROW)
		return store_error(ctx->store, rc, why);
	if (!(st = plan_stmt(ctx, DROP, questura, day, plan, why)))
		return AG_ERR_STORE;
	if ((err = step_done(ctx, st, &changes, why)) != AG_OK)
		return err;
	r->slots_removed += changes;
	return AG_OK;
}

agenda_err slots_hand_back(agenda_ctx *ctx, const char *questura, agenda_day from, agenda_day until,
                           int *count, agenda_detail *why)
{
	static const char SQL[] = "UPDATE slot SET state = 'releasing' WHERE questura = ?"
	                          " AND held_by = ? AND state = 'free' AND day BETWEEN ? AND ?";
	sqlite3_stmt *st = range_stmt(ctx, SQL, questura, from, until, why);

	*count = 0;
	return st ? step_done(ctx, st, count, why) : AG_ERR_STORE;
}

agenda_err slots_forget_released(agenda_ctx *ctx, const int64_t *ids, int n, agenda_detail *why)
{
	static const char SQL[] = "DELETE FROM slot WHERE id = ? AND state = 'releasing'"
	                          " AND held_by = ?";
	agenda_err err = AG_OK;

	for (int i = 0; i < n && err == AG_OK; i++) {
		sqlite3_stmt *st = store_stmt(ctx->store, SQL, why);

		if (!st)
			return AG_ERR_STORE;
		sqlite3_bind_int64(st, 1, ids[i]);
		sqlite3_bind_text(st, 2, ctx->device_id, -1, SQLITE_STATIC);
		err = step_done(ctx, st, NULL, why);
	}
	return err;
}

agenda_err slots_change_holder(agenda_ctx *ctx, const char *old_holder, const char *new_holder,
                               agenda_detail *why)
{
	static const char SQL[] = "UPDATE slot SET held_by = ?2 WHERE held_by = ?1";
	sqlite3_stmt *st = store_stmt(ctx->store, SQL, why);

	if (!st)
		return AG_ERR_STORE;
	sqlite3_bind_text(st, 1, old_holder, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, new_holder, -1, SQLITE_STATIC);
	return step_done(ctx, st, NULL, why);
}
