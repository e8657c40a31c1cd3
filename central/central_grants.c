/*
 * central_grants.c — the slots a device holds, in a round: leases that ended go back to the pool
 * (any device's: a dead device must not strand them), hand-backs, grants by demand and renewal.
 * A slot with a confirmed booking at central is never taken from its holder: the booking is a
 * fact on a device, the lease only bounds what it may still book. Slots back in the pool on a
 * day closed meanwhile leave it, as closure add does for the pool (issue 11).
 */
#include <stdlib.h>
#include <string.h>

#include "central_changes.h"
#include "central_sync_internal.h"
#include "core/date.h"
#include "core/messages.h"
#include "platform/clock.h"
#include "store_sync.h"

#define NOT_BOOKED                                                                                 \
	"NOT EXISTS (SELECT 1 FROM appointment a WHERE a.slot_id = slot.id"                        \
	" AND a.state = 'confirmed')"

static agenda_err drop_closed_pool_slots(struct central_round *r, agenda_detail *why)
{
	return central_sync_query(r->s,
	                          "DELETE FROM slot WHERE holder IS NULL AND (questura, day) IN"
	                          " (SELECT questura, day FROM closure WHERE open = 0)",
	                          0, NULL, NULL, NULL, why);
}

agenda_err central_grants_expire(struct central_round *r, agenda_detail *why)
{
	char margin[24], now[24];
	const char *params[] = {margin, now};
	struct central_rows rows = {0};
	agenda_err err;

	I64(margin, r->margin);
	I64(now, r->now);
	err = central_sync_query(r->s,
	                         "SELECT id, holder FROM slot WHERE holder IS NOT NULL"
	                         " AND lease_end IS NOT NULL AND lease_end + $1 < $2"
	                         " AND " NOT_BOOKED " ORDER BY id",
	                         2, params, &rows, NULL, why);
	for (size_t i = 0; err == AG_OK && i < rows.n_rows; i++) {
		const char *id[] = {central_rows_text(&rows, i, 0)};

		err = central_sync_query(r->s,
		                         "UPDATE slot SET holder = NULL, lease_end = NULL,"
		                         " grant_seq = NULL WHERE id = $1",
		                         1, id, NULL, NULL, why);
		if (err == AG_OK)
			err = central_change_revoke(r->s, central_rows_text(&rows, i, 1),
			                            central_rows_int(&rows, i, 0), "lease_expired",
			                            r->now, why);
	}
	if (err == AG_OK) {
		r->rep->expired += rows.n_rows;
		r->rep->revoked += rows.n_rows;
	}
	if (err == AG_OK && rows.n_rows > 0)
		err = drop_closed_pool_slots(r, why);
	central_rows_free(&rows);
	return err;
}

agenda_err central_grants_release(struct central_round *r, const int64_t *ids, size_t n,
                                  agenda_detail *why)
{
	agenda_err err = AG_OK;
	size_t released = 0;

	for (size_t i = 0; err == AG_OK && i < n; i++) {
		char id[24];
		const char *params[] = {id, r->device};
		int64_t changed = 0;

		I64(id, ids[i]);
		err = central_sync_query(r->s,
		                         "UPDATE slot SET holder = NULL, lease_end = NULL,"
		                         " grant_seq = NULL WHERE id = $1 AND holder = $2"
		                         " AND " NOT_BOOKED,
		                         2, params, NULL, &changed, why);
		released += (size_t)changed;
	}
	if (err == AG_OK && released > 0)
		err = drop_closed_pool_slots(r, why);
	r->rep->released += released;
	return err;
}

agenda_err central_grants_give(struct central_round *r, int64_t id, const char *questura,
                               agenda_day day, int minute, agenda_detail *why)
{
	struct sync_change c;
	char seq_text[24], id_text[24], lease[24];
	int64_t seq = 0;
	agenda_err err;

	memset(&c, 0, sizeof c);
	c.type = SYNC_CHANGE_GRANT;
	c.u.grant.slot_id = id;
	snprintf(c.u.grant.questura, sizeof c.u.grant.questura, "%s", questura);
	date_format(day, c.u.grant.day, sizeof c.u.grant.day);
	c.u.grant.minute = minute;
	c.u.grant.lease_end = r->lease_end;
	err = central_change_add(r->s, &c, r->device, NULL, NULL, r->now, &seq, why);
	I64(id_text, id);
	I64(seq_text, seq);
	I64(lease, r->lease_end);
	if (err == AG_OK) {
		const char *params[] = {id_text, seq_text, lease};

		err = central_sync_query(
		        r->s, "UPDATE slot SET grant_seq = $2, lease_end = $3 WHERE id = $1", 3,
		        params, NULL, NULL, why);
	}
	if (err == AG_OK) {
		r->rep->granted++;
		r->last_seq = seq;
	}
	return err;
}

/* Slots the device holds in questura from today on without a confirmed booking. */
static agenda_err free_held(struct central_round *r, const char *questura, agenda_day today,
                            int64_t *free_count, agenda_detail *why)
{
	char day[16];
	const char *params[] = {r->device, questura, day};
	struct central_rows rows = {0};
	agenda_err err;

	I64(day, today);
	err = central_sync_query(r->s,
	                         "SELECT count(*) FROM slot WHERE holder = $1 AND questura = $2"
	                         " AND day >= $3 AND " NOT_BOOKED,
	                         3, params, &rows, NULL, why);
	*free_count = err == AG_OK && rows.n_rows == 1 ? central_rows_int(&rows, 0, 0) : 0;
	central_rows_free(&rows);
	return err;
}

agenda_err central_grants_demand(struct central_round *r, const struct sync_demand *demand,
                                 size_t n, size_t max_grants, agenda_detail *why)
{
	central_slot *got = NULL;
	agenda_day today;
	size_t left = max_grants;
	agenda_err err = AG_OK;

	clock_local(r->now, &today, NULL);
	for (size_t i = 0; err == AG_OK && i < n && left > 0; i++) {
		const struct sync_demand *d = &demand[i];
		int64_t have = 0;
		size_t want, count = 0;

		if (!central_round_serves(r, d->questura) || d->slots <= 0)
			continue;
		if ((err = free_held(r, d->questura, today, &have, why)) != AG_OK)
			break;
		if (have >= d->slots)
			continue;
		want = (size_t)(d->slots - have);
		if (want > left)
			want = left;
		central_slot *bigger = realloc(got, want * sizeof *got);

		if (!bigger) {
			agenda_detail_set(why, MSG_NOMEM);
			err = AG_ERR_NOMEM;
			break;
		}
		got = bigger;
		/* from today, earliest first, whatever the device's days: the pool decides how far
		 */
		err = central_store_allocate(r->s, d->questura, today, today + SYNC_MAX_DEMAND_DAYS,
		                             r->device, want, got, &count, why);
		for (size_t k = 0; err == AG_OK && k < count; k++)
			err = central_grants_give(r, got[k].id, d->questura, got[k].day,
			                          got[k].minute, why);
		left -= count;
	}
	free(got);
	return err;
}

agenda_err central_grants_renew(struct central_round *r, agenda_detail *why)
{
	char lease[24];
	const char *params[] = {r->device, lease};

	I64(lease, r->lease_end);
	return central_sync_query(r->s, "UPDATE slot SET lease_end = $2 WHERE holder = $1", 2,
	                          params, NULL, NULL, why);
}
