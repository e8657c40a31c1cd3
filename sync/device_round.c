/*
 * device_round.c — the device's sync round: build the request, post it, apply the answer
 * (device_round.h). The answer is applied by round_apply.c in one transaction; this file
 * gathers what the request says from the services and records the outcome in the sync state.
 */
#include "sync/device_round.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/messages.h"
#include "services/audit.h"
#include "services/grants.h"
#include "services/journal.h"
#include "services/sync_digest.h"
#include "services/sync_state.h"
#include "sync/protocol.h"
#include "sync/round_apply.h"

#define ZERO_HASH "0000000000000000000000000000000000000000000000000000000000000000"

/* One request being built: the protocol message and what its answer refers back to. */
struct round_request {
	struct sync_request msg;
	struct round_sent_entry *sent;
	struct journal_batch_report batch;
	agenda_err visit_err;
};

static bool add_entry(const struct journal_entry *e, void *arg)
{
	struct round_request *r = arg;
	struct sync_entry *out = &r->msg.entries[r->msg.n_entries];
	struct round_sent_entry *sent = &r->sent[r->msg.n_entries];
	const char *pratica;
	json_t *payload = json_loadb(e->payload, e->payload_bytes, 0, NULL);

	if (!json_is_object(payload)) {
		/* The library wrote it: an unreadable payload is a broken file, not a cut. */
		json_decref(payload);
		r->visit_err = AG_ERR_CORRUPT;
		return false;
	}
	snprintf(out->entry_id, sizeof out->entry_id, "%s", e->entry_id);
	snprintf(out->kind, sizeof out->kind, "%s", e->kind);
	out->seq = e->id;
	out->payload = payload;
	snprintf(sent->entry_id, sizeof sent->entry_id, "%s", e->entry_id);
	snprintf(sent->appointment_id, sizeof sent->appointment_id, "%s",
	         e->appointment_id ? e->appointment_id : "");
	pratica = json_string_value(json_object_get(payload, "numero_pratica"));
	snprintf(sent->numero_pratica, sizeof sent->numero_pratica, "%s", pratica ? pratica : "");
	r->msg.n_entries++;
	return true;
}

static agenda_err add_entries(agenda_ctx *ctx, int64_t after_id, struct round_request *r,
                              agenda_detail *why)
{
	struct journal_batch_limits lim = {.max_entries = SYNC_MAX_ENTRIES,
	                                   .max_bytes = ROUND_MAX_BATCH_BYTES};
	agenda_err err;

	r->msg.entries = calloc(SYNC_MAX_ENTRIES, sizeof *r->msg.entries);
	r->sent = calloc(SYNC_MAX_ENTRIES, sizeof *r->sent);
	if (!r->msg.entries || !r->sent) {
		agenda_detail_set(why, MSG_NOMEM);
		return AG_ERR_NOMEM;
	}
	err = journal_batch(ctx, after_id, &lim, add_entry, r, &r->batch, why);
	if (err == AG_OK && r->visit_err != AG_OK) {
		agenda_detail_set(why, MSG_SYNC_ROUND_JOURNAL_BAD);
		err = r->visit_err;
	}
	return err;
}

static agenda_err add_holdings(agenda_ctx *ctx, struct round_request *r, agenda_detail *why)
{
	struct grant_demand demand[SYNC_MAX_DEMAND];
	size_t n = 0;
	agenda_err err;

	r->msg.releasing = calloc(SYNC_MAX_RELEASING, sizeof *r->msg.releasing);
	r->msg.demand = calloc(SYNC_MAX_DEMAND, sizeof *r->msg.demand);
	if (!r->msg.releasing || !r->msg.demand) {
		agenda_detail_set(why, MSG_NOMEM);
		return AG_ERR_NOMEM;
	}
	if ((err = grants_releasing(ctx, r->msg.releasing, SYNC_MAX_RELEASING, &r->msg.n_releasing,
	                            why)) != AG_OK ||
	    (err = grants_demand(ctx, demand, SYNC_MAX_DEMAND, &n, why)) != AG_OK)
		return err;
	for (size_t i = 0; i < n; i++) {
		struct sync_demand *d = &r->msg.demand[i];

		snprintf(d->questura, sizeof d->questura, "%.*s", (int)sizeof d->questura - 1,
		         demand[i].questura);
		d->days = demand[i].days > SYNC_MAX_DEMAND_DAYS ? SYNC_MAX_DEMAND_DAYS
		                                                : demand[i].days;
		d->slots = demand[i].slots > SYNC_MAX_DEMAND_SLOTS ? SYNC_MAX_DEMAND_SLOTS
		                                                   : demand[i].slots;
	}
	r->msg.n_demand = n;
	return AG_OK;
}

/* The audit head, and the record central anchored last round (zeros when it is gone: a cut). */
static agenda_err add_audit(agenda_ctx *ctx, struct round_request *r, agenda_detail *why)
{
	agenda_err err;

	if ((err = audit_head(ctx, &r->msg.audit_seq, r->msg.audit_hash, why)) != AG_OK ||
	    (err = sync_state_get_int(ctx, SYNC_KEY_AUDIT_ANCHOR_SEQ, 0, &r->msg.audit_anchor_seq,
	                              why)) != AG_OK)
		return err;
	if (r->msg.audit_anchor_seq < 0)
		r->msg.audit_anchor_seq = 0;
	err = audit_hash_at(ctx, r->msg.audit_anchor_seq, r->msg.audit_anchor_hash, why);
	if (err == AG_ERR_NOT_FOUND) {
		snprintf(r->msg.audit_anchor_hash, sizeof r->msg.audit_anchor_hash, "%s",
		         ZERO_HASH);
		err = AG_OK;
	}
	return err;
}

static agenda_err build_request(agenda_ctx *ctx, int64_t after_id, struct round_request *r,
                                agenda_detail *why)
{
	agenda_err err;

	r->msg.version = SYNC_PROTOCOL_VERSION;
	snprintf(r->msg.device_id, sizeof r->msg.device_id, "%s", ctx->device_id);
	if ((err = sync_state_get_int(ctx, SYNC_KEY_CURSOR, 0, &r->msg.cursor, why)) != AG_OK ||
	    (err = add_entries(ctx, after_id, r, why)) != AG_OK ||
	    (err = add_holdings(ctx, r, why)) != AG_OK || (err = add_audit(ctx, r, why)) != AG_OK)
		return err;
	return sync_digest(ctx, r->msg.digest, why);
}

static void round_request_free(struct round_request *r)
{
	sync_request_free(&r->msg);
	free(r->sent);
	memset(r, 0, sizeof *r);
}

/* Free granted slots beyond the horizon become releasing, in their own short transaction. */
static agenda_err hand_back(agenda_ctx *ctx, agenda_detail *why)
{
	char text[16];
	int days = ROUND_DEFAULT_HAND_BACK_DAYS;
	int64_t ids[64];
	size_t n = 0;
	agenda_err err;

	if (store_setting_get(ctx->store, ROUND_SETTING_HAND_BACK_DAYS, text, sizeof text) &&
	    atoi(text) >= 0)
		days = atoi(text); /* 0: hand back every free granted slot after today */
	if ((err = store_begin(ctx->store, why)) != AG_OK)
		return err;
	err = grants_hand_back(ctx, days, ids, sizeof ids / sizeof ids[0], &n, why);
	if (err == AG_OK)
		err = store_commit(ctx->store, why);
	if (err != AG_OK)
		store_rollback(ctx->store);
	return err;
}

/* Central's non-200 answer: its own words, and which last_error the status shows. */
static agenda_err central_refused(const struct https_response *r, struct sync_round_report *report,
                                  agenda_msg *last, agenda_detail *why)
{
	agenda_err err = central_answer_error(r, report->server_error, why);

	report->status = r->status;
	if (strcmp(report->server_error, "revoked") == 0)
		*last = MSG_SYNC_REVOKED;
	else if (strcmp(report->server_error, "forbidden") == 0)
		*last = MSG_SYNC_FORBIDDEN;
	else
		*last = r->status >= 500 ? MSG_SYNC_ROUND_SERVER_FAILED : MSG_SYNC_ROUND_REFUSED;
	return err;
}

/*
 * One request and its answer applied. *again: central has more changes, or the batch was full
 * so entries remain; *next_after: where the journal resumes within this round; *sent_demand:
 * how many Questure the request asked slots for.
 */
static agenda_err one_request(agenda_ctx *ctx, sync_session *session, int64_t after_id,
                              struct sync_round_report *report, bool *again, int64_t *next_after,
                              size_t *sent_demand, agenda_msg *last, agenda_detail *why)
{
	struct round_request r = {0};
	struct sync_response res = {0};
	struct https_response answer = {0};
	struct round_applied applied = {0};
	struct round_sent sent;
	char *body = NULL;
	agenda_err err;

	*last = MSG_SYNC_ROUND_APPLY_FAILED;
	if ((err = build_request(ctx, after_id, &r, why)) != AG_OK)
		goto done;
	if (!(body = sync_request_encode(&r.msg, &err))) {
		agenda_detail_set(why,
		                  err == AG_ERR_NOMEM ? MSG_NOMEM : MSG_SYNC_ROUND_JOURNAL_BAD);
		goto done;
	}
	err = sync_session_post(session, ROUND_PATH, body, 0, &answer, why);
	report->network = answer.failure;
	if (err != AG_OK) {
		*last = MSG_SYNC_ROUND_UNREACHABLE;
		goto done;
	}
	if (answer.status != 200) {
		err = central_refused(&answer, report, last, why);
		goto done;
	}
	if ((err = sync_response_decode(answer.body, answer.length, &res, why)) != AG_OK) {
		*last = MSG_SYNC_ROUND_BAD_ANSWER;
		goto done;
	}
	sent = (struct round_sent){.entries = r.sent,
	                           .n_entries = r.msg.n_entries,
	                           .releasing = r.msg.releasing,
	                           .n_releasing = r.msg.n_releasing,
	                           .audit_seq = r.msg.audit_seq};
	if ((err = round_apply(ctx, &sent, &res, &applied, why)) != AG_OK)
		goto done;
	report->requests++;
	report->entries_sent += (int)r.msg.n_entries;
	report->acked += applied.acked;
	report->conflicts += applied.conflicts;
	report->changes += applied.changes;
	report->grants += applied.grants;
	report->revokes += applied.revokes;
	report->worklist_items += applied.worklist_items;
	report->released += (int)r.msg.n_releasing;
	report->clock_skew = report->clock_skew || applied.clock_skew;
	report->cursor = res.cursor;
	report->lease_end = res.lease_end;
	report->central_now = res.now;
	*again = res.more || r.batch.entries >= SYNC_MAX_ENTRIES ||
	         r.batch.bytes >= ROUND_MAX_BATCH_BYTES;
	*next_after = r.batch.last_id;
	*sent_demand = r.msg.n_demand;
done:
	sync_response_free(&res);
	https_response_free(&answer);
	free(body);
	round_request_free(&r);
	return err;
}

/* True when the device now wants slots at more Questure than the request just asked for. */
static bool demand_grew(agenda_ctx *ctx, size_t sent)
{
	struct grant_demand demand[SYNC_MAX_DEMAND];
	size_t n = 0;

	return grants_demand(ctx, demand, SYNC_MAX_DEMAND, &n, NULL) == AG_OK && n > sent;
}

/* The outcome as the status bar and `agendactl sync status` show it; best effort. */
static void record_outcome(agenda_ctx *ctx, agenda_err err, agenda_msg last)
{
	if (err == AG_OK && last == MSG_COUNT)
		return; /* round_apply recorded the success with the data */
	sync_state_set_text(ctx, SYNC_KEY_LAST_ERROR, msg_name(last), NULL);
	sync_state_set_int(ctx, SYNC_KEY_LAST_ERROR_AT, clock_now(&ctx->clock), NULL);
	if (err != AG_OK)
		sync_state_set_int(ctx, SYNC_KEY_ONLINE, 0, NULL);
}

agenda_err sync_round_run(agenda_ctx *ctx, sync_session *session, struct sync_round_report *report,
                          agenda_detail *why)
{
	long connections_before = sync_session_connections(session);
	agenda_msg last = MSG_SYNC_ROUND_APPLY_FAILED;
	int64_t after_id = 0;
	size_t sent_demand = 0;
	bool again = true, demand_rechecked = false;
	agenda_err err;

	memset(report, 0, sizeof *report);
	/* The id central gave may be newer than this context: a kiosk activated from its Tecnico
	 * screen runs its rounds on the sync thread's context, opened before the activation. */
	store_setting_get(ctx->store, "device_id", ctx->device_id, sizeof ctx->device_id);
	if ((err = journal_cursor(ctx, &after_id, why)) != AG_OK ||
	    (err = hand_back(ctx, why)) != AG_OK)
		goto done;
	while (again && report->requests < ROUND_MAX_REQUESTS) {
		again = false;
		if ((err = one_request(ctx, session, after_id, report, &again, &after_id,
		                       &sent_demand, &last, why)) != AG_OK)
			goto done;
		if (!again && !demand_rechecked) {
			/* The answer may have named the device's first Questure (practices, the
			 * first round): ask for their slots now rather than a round later. */
			demand_rechecked = true;
			again = demand_grew(ctx, sent_demand);
		}
	}
	last = report->clock_skew ? MSG_SYNC_ROUND_CLOCK_SKEW : MSG_COUNT;
done:
	record_outcome(ctx, err, last);
	journal_unacked_count(ctx, &report->entries_waiting, NULL);
	report->connections = sync_session_connections(session) - connections_before;
	return err;
}
