/*
 * round_apply.c — a round's response applied in one device transaction (round_apply.h).
 *
 * The services do the work (journal, grants, worklist, practices, operators, Questure, clock
 * trust, sync state); this file maps the protocol's structs onto them and keeps the order the
 * contract fixes: acks and conflicts first (they refer to entries the device wrote), then the
 * changes in central's order (a revoke may follow the grant it undoes), then what depends on
 * the whole answer (hand-backs forgotten, leases renewed, clock, cursor).
 */
#include "sync/round_apply.h"

#include <stdlib.h>
#include <string.h>

#include "core/date.h"
#include "core/messages.h"
#include "services/clock_trust.h"
#include "services/grants.h"
#include "services/journal.h"
#include "services/operators.h"
#include "services/practices.h"
#include "services/questure.h"
#include "services/sync_state.h"
#include "services/worklist.h"

static agenda_err bad_change(const struct sync_change *c, const char *field, agenda_detail *why)
{
	char path[64];

	snprintf(path, sizeof path, "changes[seq %lld].%s", (long long)c->seq, field);
	agenda_detail_set(why, MSG_SYNC_PROTO_BAD_VALUE, path);
	return AG_ERR_INVALID;
}

/* Copies a field central sent into the device's own (smaller) field; false when it does not fit:
 * a value the device cannot hold whole is refused, never cut. */
static bool fits(char *dst, size_t size, const char *src)
{
	size_t n = strlen(src);

	if (n >= size)
		return false;
	memcpy(dst, src, n + 1);
	return true;
}

#define COPY_FIELD(c, dst, src, name)                                                              \
	do {                                                                                       \
		if (!fits(dst, sizeof(dst), src))                                                  \
			return bad_change(c, name, why);                                           \
	} while (0)

static agenda_err apply_grant(agenda_ctx *ctx, const struct sync_change *c, agenda_detail *why)
{
	const struct sync_grant *g = &c->u.grant;
	agenda_day day;

	if (!date_parse(g->day, &day))
		return bad_change(c, "day", why);
	return grants_apply(ctx, g->slot_id, g->questura, day, g->minute, g->lease_end, why);
}

static agenda_err apply_capacity(agenda_ctx *ctx, const struct sync_change *c, agenda_detail *why)
{
	const struct sync_capacity *k = &c->u.capacity;
	agenda_day day;

	if (!date_parse(k->day, &day))
		return bad_change(c, "day", why);
	return questura_exception_from_central(ctx, k->questura, day, k->open, k->note, why);
}

static agenda_err apply_practice(agenda_ctx *ctx, const struct sync_change *c, agenda_detail *why)
{
	const struct sync_practice *p = &c->u.practice;
	struct practice row = {0};

	if (!date_parse(p->data_nascita, &row.data_nascita))
		return bad_change(c, "data_nascita", why);
	COPY_FIELD(c, row.numero_pratica, p->numero_pratica, "numero_pratica");
	COPY_FIELD(c, row.numero_visto, p->numero_visto, "numero_visto");
	COPY_FIELD(c, row.cognome, p->cognome, "cognome");
	COPY_FIELD(c, row.nome, p->nome, "nome");
	COPY_FIELD(c, row.nazionalita, p->nazionalita, "nazionalita");
	COPY_FIELD(c, row.tipo, p->tipo, "tipo");
	COPY_FIELD(c, row.questura, p->questura, "questura");
	COPY_FIELD(c, row.status, p->status, "status");
	return practice_upsert_from_central(ctx, &row, why);
}

static agenda_err apply_operator(agenda_ctx *ctx, const struct sync_change *c, agenda_detail *why)
{
	const struct sync_operator *o = &c->u.op;
	enum operator_role role;

	if (!operator_role_parse(o->role, &role))
		return bad_change(c, "role", why);
	return operator_upsert_from_central(ctx, o->username, role, o->password_hash, why);
}

static agenda_err apply_questura(agenda_ctx *ctx, const struct sync_change *c, agenda_detail *why)
{
	const struct sync_questura *s = &c->u.questura;
	struct questura q = {.patron_month = s->patron_month, .patron_day = s->patron_day};

	COPY_FIELD(c, q.code, s->code, "code");
	COPY_FIELD(c, q.name, s->name, "name");
	COPY_FIELD(c, q.city, s->city, "city");
	COPY_FIELD(c, q.address, s->address, "address");
	COPY_FIELD(c, q.email, s->email, "email");
	return questura_put(ctx, GRANT_ACTOR_CENTRAL, &q, why);
}

static agenda_err apply_change(agenda_ctx *ctx, const struct sync_change *c,
                               struct round_applied *out, agenda_detail *why)
{
	enum grant_revoke_outcome outcome = GRANT_REVOKE_UNKNOWN;
	agenda_err err;

	switch (c->type) {
	case SYNC_CHANGE_GRANT:
		out->grants++;
		return apply_grant(ctx, c, why);
	case SYNC_CHANGE_REVOKE:
		out->revokes++;
		err = grants_revoke(ctx, c->u.revoke.slot_id, c->u.revoke.reason, &outcome, why);
		if (outcome == GRANT_REVOKE_KEPT || outcome == GRANT_REVOKE_CANCELLED)
			out->worklist_items++;
		return err;
	case SYNC_CHANGE_CAPACITY:
		return apply_capacity(ctx, c, why);
	case SYNC_CHANGE_PRACTICE:
		return apply_practice(ctx, c, why);
	case SYNC_CHANGE_OPERATOR:
		return apply_operator(ctx, c, why);
	case SYNC_CHANGE_QUESTURA:
		return apply_questura(ctx, c, why);
	}
	return bad_change(c, "type", why);
}

static const struct round_sent_entry *sent_entry(const struct round_sent *sent, const char *id)
{
	for (size_t i = 0; i < sent->n_entries; i++)
		if (strcmp(sent->entries[i].entry_id, id) == 0)
			return &sent->entries[i];
	return NULL;
}

/*
 * A conflict is an entry central applied its own way: the device acts on it (cancels its copy,
 * or keeps it and tells the counter) and counts the entry as acknowledged, so it is not sent
 * again. An entry this request did not carry (a repeated answer) still gets its worklist item.
 */
static agenda_err apply_conflict(agenda_ctx *ctx, const struct round_sent *sent,
                                 const struct sync_conflict *k, agenda_detail *why)
{
	const struct round_sent_entry *e = sent_entry(sent, k->entry_id);
	const char *appointment = e && e->appointment_id[0] ? e->appointment_id : NULL;
	const char *pratica = e && e->numero_pratica[0] ? e->numero_pratica : NULL;

	if (k->action == SYNC_ACTION_CANCEL_COPY && appointment)
		return grants_cancel_copy(ctx, appointment, k->reason, why);
	return worklist_add(ctx, k->reason, appointment, pratica, NULL, NULL, why);
}

static agenda_err apply_entries(agenda_ctx *ctx, const struct round_sent *sent,
                                const struct sync_response *res, struct round_applied *out,
                                agenda_detail *why)
{
	size_t n = res->n_acks + res->n_conflicts;
	const char **ids = n ? calloc(n, sizeof *ids) : NULL;
	struct journal_ack_report acked = {0};
	agenda_err err = AG_OK;

	if (n && !ids) {
		agenda_detail_set(why, MSG_NOMEM);
		return AG_ERR_NOMEM;
	}
	for (size_t i = 0; i < res->n_acks; i++)
		ids[i] = res->acks[i];
	for (size_t i = 0; i < res->n_conflicts && err == AG_OK; i++) {
		ids[res->n_acks + i] = res->conflicts[i].entry_id;
		err = apply_conflict(ctx, sent, &res->conflicts[i], why);
	}
	if (err == AG_OK && n)
		err = journal_ack(ctx, ids, n, &acked, why);
	out->acked += acked.acked;
	out->conflicts += (int)res->n_conflicts;
	out->worklist_items += (int)res->n_conflicts;
	free(ids);
	return err;
}

/* The bookkeeping a completed answer allows: the device is central's, in line, up to date. */
static agenda_err record_round(agenda_ctx *ctx, const struct round_sent *sent,
                               const struct sync_response *res, agenda_detail *why)
{
	int64_t now = clock_now(&ctx->clock);
	agenda_err err;

	if ((err = sync_state_set_int(ctx, SYNC_KEY_CURSOR, res->cursor, why)) != AG_OK ||
	    (err = sync_state_set_int(ctx, SYNC_KEY_AUDIT_ANCHOR_SEQ, sent->audit_seq, why)) !=
	            AG_OK ||
	    (err = sync_state_set_int(ctx, SYNC_KEY_LAST_SUCCESS_AT, now, why)) != AG_OK ||
	    (err = sync_state_set_int(ctx, SYNC_KEY_ONLINE, 1, why)) != AG_OK ||
	    (err = sync_state_set_int(ctx, SYNC_KEY_CENTRAL_MANAGED, 1, why)) != AG_OK)
		return err;
	return sync_state_unset(ctx, SYNC_KEY_LAST_ERROR, why);
}

agenda_err round_apply(agenda_ctx *ctx, const struct round_sent *sent,
                       const struct sync_response *res, struct round_applied *out,
                       agenda_detail *why)
{
	struct round_applied got = {0};
	agenda_err err;

	if ((err = store_begin(ctx->store, why)) != AG_OK)
		return err;
	err = apply_entries(ctx, sent, res, &got, why);
	for (size_t i = 0; err == AG_OK && i < res->n_changes; i++) {
		err = apply_change(ctx, &res->changes[i], &got, why);
		got.changes++;
	}
	if (err == AG_OK && sent->n_releasing)
		err = grants_forget(ctx, sent->releasing, sent->n_releasing, why);
	if (err == AG_OK)
		err = grants_renew(ctx, res->lease_end, why);
	if (err == AG_OK)
		err = clock_trust_record_sync(ctx, res->now, &got.clock_skew, why);
	if (err == AG_OK)
		err = record_round(ctx, sent, res, why);
	if (err == AG_OK)
		err = store_commit(ctx->store, why);
	if (err != AG_OK) {
		store_rollback(ctx->store);
		return err;
	}
	*out = got;
	return AG_OK;
}
