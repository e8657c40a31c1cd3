/*
 * central_tamper.c — step 4 of a round: the device's audit chain and its file, checked against
 * what central anchored (docs/SYNC.md "Tamper evidence"). The record at the seq anchored last
 * round must still have the hash central stored (else `audit_rewritten`); the head must not be
 * below it (`audit_cut`). When nothing is in flight (no entries, no grant or revoke after the
 * device's cursor) the device's digest must equal central's (`digest_mismatch`). Only the first
 * problem is kept, until `agenda-central device clear-alert`; the round itself goes on.
 */
#include <string.h>

#include "central_changes.h"
#include "central_digest.h"
#include "central_sync_internal.h"
#include "store_sync.h"

static agenda_err raise_alert(struct central_round *r, enum central_alert alert, agenda_detail *why)
{
	char at[24];
	const char *params[] = {r->device, central_alert_name(alert), at};
	int64_t changed = 0;
	agenda_err err;

	I64(at, r->now);
	err = central_sync_query(r->s,
	                         "UPDATE device_sync SET alert = $2, alert_at = CAST($3 AS bigint)"
	                         " WHERE device = $1 AND alert IS NULL",
	                         3, params, NULL, &changed, why);
	if (err == AG_OK && r->rep->alert == CENTRAL_ALERT_NONE)
		r->rep->alert = alert;
	return err;
}

agenda_err central_tamper_check(struct central_round *r, const struct sync_request *req,
                                agenda_detail *why)
{
	const char *find[] = {r->device};
	struct central_rows rows = {0};
	int64_t stored_seq;
	char stored_hash[SYNC_HEX_SIZE];
	bool pending = false;
	agenda_err err = central_sync_query(
	        r->s, "SELECT audit_seq, audit_hash FROM device_sync WHERE device = $1", 1, find,
	        &rows, NULL, why);

	if (err != AG_OK)
		return err;
	stored_seq = rows.n_rows == 1 ? central_rows_int(&rows, 0, 0) : 0;
	snprintf(stored_hash, sizeof stored_hash, "%s",
	         rows.n_rows == 1 ? central_rows_text(&rows, 0, 1) : "");
	central_rows_free(&rows);
	if (stored_seq > 0 && req->audit_anchor_seq > 0 && req->audit_anchor_seq == stored_seq &&
	    strcmp(req->audit_anchor_hash, stored_hash) != 0)
		err = raise_alert(r, CENTRAL_ALERT_AUDIT_REWRITTEN, why);
	if (err == AG_OK && req->audit_seq < stored_seq)
		err = raise_alert(r, CENTRAL_ALERT_AUDIT_CUT, why);
	if (err == AG_OK) {
		char seq[24];
		const char *head[] = {r->device, seq, req->audit_hash};

		I64(seq, req->audit_seq);
		err = central_sync_query(r->s,
		                         "UPDATE device_sync SET audit_seq = CAST($2 AS bigint),"
		                         " audit_hash = $3 WHERE device = $1",
		                         3, head, NULL, NULL, why);
	}
	if (err == AG_OK && req->n_entries == 0)
		err = central_changes_pending_for_device(r->s, r->device, req->cursor, &pending,
		                                         why);
	if (err == AG_OK && req->n_entries == 0 && !pending) {
		char hex[SYNC_HEX_SIZE];
		bool same;

		if ((err = central_digest(r->s, r->device, hex, why)) != AG_OK)
			return err;
		same = strcmp(hex, req->digest) == 0;
		{
			const char *ok[] = {r->device, same ? "1" : "0"};

			err = central_sync_query(
			        r->s,
			        "UPDATE device_sync SET digest_ok = CAST($2 AS bigint)"
			        " WHERE device = $1",
			        2, ok, NULL, NULL, why);
		}
		if (err == AG_OK && !same)
			err = raise_alert(r, CENTRAL_ALERT_DIGEST_MISMATCH, why);
	}
	return err;
}
