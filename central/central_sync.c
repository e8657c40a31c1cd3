/*
 * central_sync.c — one sync round and the device's sync state (central_sync.h). The round is the
 * contract's seven steps in one transaction, in this order: expire leases, apply entries,
 * releasing, tamper checks, demand, renew, the changes after the cursor. On PostgreSQL the
 * transaction takes the change lock before anything else, so rounds that write changes queue
 * on it instead of deadlocking on each other's rows later (and seqs appear in order).
 */
#include "central_sync.h"

#include <stdlib.h>
#include <string.h>

#include "central_changes.h"
#include "central_sync_internal.h"
#include "core/messages.h"
#include "store_enrol.h"
#include "store_sync.h"

static const char *const ALERT_NAMES[CENTRAL_ALERT_COUNT] = {"", "audit_cut", "audit_rewritten",
                                                             "digest_mismatch"};

const char *central_alert_name(enum central_alert alert)
{
	return (unsigned)alert < CENTRAL_ALERT_COUNT ? ALERT_NAMES[alert] : "";
}

enum central_alert central_alert_from_name(const char *name)
{
	for (int i = 1; name && i < CENTRAL_ALERT_COUNT; i++)
		if (strcmp(name, ALERT_NAMES[i]) == 0)
			return (enum central_alert)i;
	return CENTRAL_ALERT_NONE;
}

struct central_sync_config central_sync_config_default(void)
{
	struct central_sync_config cfg = {.lease_seconds = CENTRAL_LEASE_SECONDS_DEFAULT,
	                                  .margin_seconds = CENTRAL_LEASE_MARGIN_DEFAULT,
	                                  .max_grants = CENTRAL_MAX_GRANTS_PER_ROUND};
	return cfg;
}

agenda_err central_round_open(struct central_round *r, central_store *s, const char *device,
                              const struct central_sync_config *cfg, int64_t now,
                              agenda_detail *why)
{
	central_device d;
	central_site site;
	agenda_err err;

	memset(&d, 0, sizeof d);
	r->s = s;
	r->device = device;
	r->now = now;
	r->lease_end = now + cfg->lease_seconds;
	r->margin = cfg->margin_seconds;
	err = central_store_get_device(s, device, false, &d, why);
	if (err == AG_ERR_NOT_FOUND || (err == AG_OK && d.revoked_at != 0)) {
		central_device_clear(&d);
		agenda_detail_set(why, MSG_CENTRAL_DEVICE_UNKNOWN, device);
		return AG_ERR_REFUSED;
	}
	if (err == AG_OK)
		err = central_store_get_site(s, d.site, &site, why);
	central_device_clear(&d);
	if (err != AG_OK)
		return err;
	snprintf(r->site, sizeof r->site, "%s", site.code);
	memcpy(r->provinces, site.provinces, sizeof r->provinces);
	r->province_count = site.province_count;
	return AG_OK;
}

bool central_round_serves(const struct central_round *r, const char *questura)
{
	for (size_t i = 0; i < r->province_count; i++)
		if (strcmp(r->provinces[i], questura) == 0)
			return true;
	return false;
}

/* The device's sync row, made at its first round. */
static agenda_err ensure_state(struct central_round *r, agenda_detail *why)
{
	const char *params[] = {r->device};

	return central_sync_query(r->s,
	                          "INSERT INTO device_sync(device) VALUES($1)"
	                          " ON CONFLICT(device) DO NOTHING",
	                          1, params, NULL, NULL, why);
}

/* The answer for entry e with outcome o. */
static void answer(struct central_round *r, const struct sync_entry *e,
                   const struct central_outcome *o, struct sync_response *out)
{
	if (o->conflict) {
		struct sync_conflict *c = &out->conflicts[out->n_conflicts++];

		snprintf(c->entry_id, sizeof c->entry_id, "%s", e->entry_id);
		snprintf(c->reason, sizeof c->reason, "%s", o->reason);
		c->action = o->action;
		r->rep->conflicts++;
	} else {
		snprintf(out->acks[out->n_acks++], SYNC_UUID_SIZE, "%s", e->entry_id);
	}
}

/* An earlier entry of the same request with this id (a device repeating itself): its index. */
static bool earlier_twin(const struct sync_request *req, size_t i, size_t *twin)
{
	for (size_t k = 0; k < i; k++)
		if (strcmp(req->entries[k].entry_id, req->entries[i].entry_id) == 0) {
			*twin = k;
			return true;
		}
	return false;
}

static agenda_err apply_entries(struct central_round *r, const struct sync_request *req,
                                struct sync_response *out, agenda_detail *why)
{
	size_t n = req->n_entries, fresh = 0;
	struct central_outcome *outcomes = NULL, *recorded = NULL;
	const struct sync_entry **applied = NULL;
	struct central_applied *stored = NULL;
	agenda_err err;

	if (n == 0)
		return AG_OK;
	out->acks = calloc(n, sizeof *out->acks);
	out->conflicts = calloc(n, sizeof *out->conflicts);
	outcomes = calloc(n, sizeof *outcomes);
	recorded = calloc(n, sizeof *recorded);
	applied = calloc(n, sizeof *applied);
	if (!out->acks || !out->conflicts || !outcomes || !recorded || !applied) {
		agenda_detail_set(why, MSG_NOMEM);
		err = AG_ERR_NOMEM;
		goto done;
	}
	if ((err = central_applied_load(r, req, &stored, why)) != AG_OK)
		goto done;
	for (size_t i = 0; err == AG_OK && i < n; i++) {
		const struct sync_entry *e = &req->entries[i];
		size_t twin;

		if (central_applied_find(stored, e->entry_id, &outcomes[i])) {
			r->rep->repeated++;
		} else if (earlier_twin(req, i, &twin)) {
			outcomes[i] = outcomes[twin];
			r->rep->repeated++;
		} else if ((err = central_apply_new(r, e, &outcomes[i], why)) == AG_OK) {
			r->rep->applied++;
			applied[fresh] = e;
			recorded[fresh++] = outcomes[i];
		}
		if (err == AG_OK)
			answer(r, e, &outcomes[i], out);
	}
	if (err == AG_OK)
		err = central_applied_record(r, applied, recorded, fresh, why);
done:
	central_applied_free(stored);
	free(outcomes);
	free(recorded);
	free(applied);
	return err;
}

static agenda_err finish_state(struct central_round *r, int64_t cursor, agenda_detail *why)
{
	char cursor_text[24], now[24], lease[24];
	const char *params[] = {r->device, cursor_text, now, lease};

	I64(cursor_text, cursor);
	I64(now, r->now);
	I64(lease, r->lease_end);
	return central_sync_query(r->s,
	                          "UPDATE device_sync SET cursor_sent = CAST($2 AS bigint),"
	                          " last_round_at = CAST($3 AS bigint),"
	                          " lease_end = CAST($4 AS bigint) WHERE device = $1",
	                          4, params, NULL, NULL, why);
}

static agenda_err run_round(struct central_round *r, const struct sync_request *req,
                            const struct central_sync_config *cfg, struct sync_response *out,
                            agenda_detail *why)
{
	size_t max_grants = cfg->max_grants ? cfg->max_grants : CENTRAL_MAX_GRANTS_PER_ROUND;
	agenda_err err;

	if ((err = central_sync_lock_changes(r->s, why)) != AG_OK ||
	    (err = ensure_state(r, why)) != AG_OK ||
	    (err = central_grants_expire(r, why)) != AG_OK ||
	    (err = apply_entries(r, req, out, why)) != AG_OK ||
	    (err = central_grants_release(r, req->releasing, req->n_releasing, why)) != AG_OK ||
	    (err = central_tamper_check(r, req, why)) != AG_OK ||
	    (err = central_grants_demand(r, req->demand, req->n_demand, max_grants, why)) !=
	            AG_OK ||
	    (err = central_grants_renew(r, why)) != AG_OK)
		return err;
	err = central_changes_for(r->s, r->device, r->site, req->cursor, SYNC_MAX_CHANGES,
	                          &out->changes, &out->n_changes, &out->more, &out->cursor, why);
	if (err == AG_OK)
		err = finish_state(r, out->cursor, why);
	r->rep->changes = out->n_changes;
	out->version = SYNC_PROTOCOL_VERSION;
	out->lease_end = r->lease_end;
	out->now = r->now;
	return err;
}

agenda_err central_sync_round(central_store *s, const char *device_id,
                              const struct sync_request *req, const struct central_sync_config *cfg,
                              int64_t now, struct sync_response *out,
                              struct central_round_report *rep, agenda_detail *why)
{
	struct central_round_report own_report;
	struct central_sync_config defaults = central_sync_config_default();
	struct central_round r;
	agenda_err err;

	memset(out, 0, sizeof *out);
	memset(&r, 0, sizeof r);
	memset(&own_report, 0, sizeof own_report);
	r.rep = &own_report;
	if (!cfg)
		cfg = &defaults;
	if (strcmp(req->device_id, device_id) != 0) {
		agenda_detail_set(why, MSG_CENTRAL_SYNC_OTHER_DEVICE, req->device_id);
		return AG_ERR_INVALID;
	}
	if ((err = central_store_begin(s, why)) != AG_OK)
		return err;
	err = central_round_open(&r, s, device_id, cfg, now, why);
	if (err == AG_OK)
		err = run_round(&r, req, cfg, out, why);
	if (err == AG_OK)
		err = central_store_commit(s, why);
	else
		central_store_rollback(s);
	if (err != AG_OK) {
		sync_response_free(out);
		memset(out, 0, sizeof *out);
		memset(&own_report, 0, sizeof own_report);
	}
	if (rep)
		*rep = own_report;
	return err;
}
