/*
 * central_sync_grant.c — the online earliest-slot grant (POST /v1/device/grant): when a device
 * books online, "the earliest date" is the earliest of the whole Questura, so central offers the
 * earliest pool slot strictly before the device's own best one and on/after the first day it may
 * book. Same transaction style as a round: the change lock, leases expired first (a dead
 * device's slots are the pool's again), then the slot with its grant change, answered at once.
 */
#include <string.h>

#include "central_changes.h"
#include "central_sync_internal.h"
#include "core/date.h"
#include "core/messages.h"
#include "store_sync.h"

/* Earliest pool slot in [from, before): allocate's own earliest-first, handed back if late. */
static agenda_err earliest_before(struct central_round *r, const char *questura, agenda_day from,
                                  agenda_day before_day, int before_minute, central_slot *slot,
                                  bool *found, agenda_detail *why)
{
	size_t got = 0;
	agenda_err err;

	*found = false;
	if (before_day < from || (before_day == from && before_minute <= 0))
		return AG_OK;
	err = central_store_allocate(r->s, questura, from, before_day, r->device, 1, slot, &got,
	                             why);
	if (err != AG_OK || got == 0)
		return err;
	if (slot->day < before_day || (slot->day == before_day && slot->minute < before_minute)) {
		*found = true;
		return AG_OK;
	}
	return central_store_release(r->s, r->device, &slot->id, 1, NULL, why);
}

static agenda_err grant_in(struct central_round *r, const struct sync_grant_request *req,
                           struct sync_grant_response *out, agenda_detail *why)
{
	agenda_day from, before;
	central_slot slot;
	bool found = false;
	agenda_err err;

	if (!date_parse(req->from_day, &from) || !date_parse(req->before_day, &before)) {
		agenda_detail_set(why, MSG_CTL_BAD_DATE, req->from_day);
		return AG_ERR_INVALID;
	}
	if (!central_round_serves(r, req->questura))
		return AG_OK; /* not a Questura of the device's site: nothing to give */
	if ((err = central_sync_lock_changes(r->s, why)) != AG_OK ||
	    (err = central_grants_expire(r, why)) != AG_OK)
		return err;
	err = earliest_before(r, req->questura, from, before, req->before_minute, &slot, &found,
	                      why);
	if (err != AG_OK || !found)
		return err;
	if ((err = central_grants_give(r, slot.id, req->questura, slot.day, slot.minute, why)))
		return err;
	out->granted = true;
	out->grant.seq = r->last_seq;
	out->grant.type = SYNC_CHANGE_GRANT;
	out->grant.u.grant.slot_id = slot.id;
	snprintf(out->grant.u.grant.questura, sizeof out->grant.u.grant.questura, "%s",
	         req->questura);
	date_format(slot.day, out->grant.u.grant.day, sizeof out->grant.u.grant.day);
	out->grant.u.grant.minute = slot.minute;
	out->grant.u.grant.lease_end = r->lease_end;
	return AG_OK;
}

agenda_err central_sync_grant(central_store *s, const char *device_id,
                              const struct sync_grant_request *req,
                              const struct central_sync_config *cfg, int64_t now,
                              struct sync_grant_response *out, agenda_detail *why)
{
	struct central_sync_config defaults = central_sync_config_default();
	struct central_round_report report;
	struct central_round r;
	agenda_err err;

	memset(out, 0, sizeof *out);
	memset(&r, 0, sizeof r);
	memset(&report, 0, sizeof report);
	r.rep = &report;
	if (!cfg)
		cfg = &defaults;
	if ((err = central_store_begin(s, why)) != AG_OK)
		return err;
	err = central_round_open(&r, s, device_id, cfg, now, why);
	if (err == AG_OK)
		err = grant_in(&r, req, out, why);
	if (err == AG_OK)
		err = central_store_commit(s, why);
	else
		central_store_rollback(s);
	if (err != AG_OK)
		memset(out, 0, sizeof *out);
	out->version = SYNC_PROTOCOL_VERSION;
	out->now = now;
	out->lease_end = out->granted ? r.lease_end : 0;
	return err;
}
