/*
 * booking.c — the booking path: propose, confirm, cancel, move, print and Modello 209 records.
 * Reading appointments is booking_read.c; closing the day is day_close.c.
 *
 * Every change is one IMMEDIATE transaction that writes the change, its journal entry (what
 * central must learn, invariant I4) and its audit record (I6), committed with synchronous=FULL
 * before the call returns (I1). The schema's partial unique indexes back up the rules checked
 * here: one confirmed appointment per slot (I2) and per practice (I3).
 */
#include "services/booking.h"
#include "services/booking_row.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "core/messages.h"
#include "core/slot_search.h"
#include "core/text.h"
#include "services/audit.h"
#include "services/clock_trust.h"
#include "services/day_list_versions.h"
#include "services/journal.h"
#include "services/journal_payload.h"
#include "services/questure.h"
#include "services/slots.h"
#include "services/sync_state.h"

/* ---- slot search over the store ----------------------------------------------------- */

struct store_slots {
	agenda_ctx *ctx;
	const char *questura;
	agenda_err err;      /* first store error met, reported after the search */
	agenda_detail error; /* its detail (the search writes its own into why) */
};

static bool store_next_free(void *arg, agenda_day from, agenda_day until,
                            struct sched_free_slot *out)
{
	struct store_slots *src = arg;
	agenda_err err = slots_next_free(src->ctx, src->questura, from, until, out, &src->error);

	if (err != AG_OK && err != AG_ERR_NOT_FOUND && !src->err)
		src->err = err;
	return err == AG_OK;
}

/* The search request for a practice's Questura from today, with its calendar. */
static agenda_err search_request(agenda_ctx *ctx, const struct practice *p,
                                 const struct booking_options *opt, struct sched_request *req,
                                 struct cal_rules *rules, agenda_detail *why)
{
	memset(req, 0, sizeof *req);
	req->today = agenda_today(ctx, NULL);
	req->lead_open_days = opt && opt->lead_open_days >= 0 ? opt->lead_open_days
	                                                      : SCHED_DEFAULT_LEAD_OPEN_DAYS;
	req->horizon_days =
	        opt && opt->horizon_days > 0 ? opt->horizon_days : SCHED_DEFAULT_HORIZON_DAYS;
	req->calendar = rules;
	return questura_rules(ctx, p->questura, req->today, req->today + req->horizon_days, rules,
	                      why);
}

/*
 * A device central manages that holds no bookable grant at the Questura at all is told to
 * synchronise rather than that the Questura is full (the search's detail stays otherwise).
 */
static void no_lease_detail(agenda_ctx *ctx, const char *questura, agenda_day today,
                            agenda_detail *why)
{
	int64_t bookable = 0;

	if (sync_state_central_managed(ctx) &&
	    slots_count_bookable(ctx, questura, today, &bookable, NULL) == AG_OK && bookable == 0)
		agenda_detail_set(why, MSG_BOOK_NO_LEASE, questura);
}

/* Finds the earliest free held slot for the practice's Questura. */
static agenda_err find_slot(agenda_ctx *ctx, const struct practice *p,
                            const struct booking_options *opt, struct sched_result *res,
                            agenda_detail *why)
{
	struct store_slots src = {.ctx = ctx, .questura = p->questura};
	struct sched_request req;
	struct cal_rules rules;
	agenda_err err = search_request(ctx, p, opt, &req, &rules, why);

	if (err != AG_OK)
		return err;
	req.next_free = store_next_free;
	req.ctx = &src;
	err = sched_find(&req, res, why);
	questura_rules_free(&rules);
	if (src.err) {
		if (why)
			*why = src.error;
		return src.err;
	}
	if (err == AG_ERR_NO_CAPACITY)
		no_lease_detail(ctx, p->questura, req.today, why);
	return err;
}

/*
 * Whether the proposed slot can still be booked as proposed: free, held by this device, at the
 * practice's Questura, at the same date and time (a slot id alone could name a re-created slot),
 * on a day the calendar still opens within lead and horizon. AG_ERR_NOT_FOUND when it cannot.
 */
static agenda_err accept_proposal(agenda_ctx *ctx, const struct practice *p,
                                  const struct booking *proposal, const struct booking_options *opt,
                                  struct sched_result *res, agenda_detail *why)
{
	struct sched_free_slot slot;
	struct sched_request req;
	struct cal_rules rules;
	agenda_err err;

	if (strcmp(proposal->questura, p->questura) != 0)
		return AG_ERR_NOT_FOUND;
	if ((err = slots_free_held(ctx, proposal->slot_id, p->questura, &slot, why)) != AG_OK)
		return err;
	if (slot.day != proposal->day || slot.minute != proposal->minute)
		return AG_ERR_NOT_FOUND;
	if ((err = search_request(ctx, p, opt, &req, &rules, why)) != AG_OK)
		return err;
	err = sched_accept(&req, &slot, res, why);
	questura_rules_free(&rules);
	return err;
}

static void fill_from_search(struct booking *b, const struct practice *p,
                             const struct sched_result *res)
{
	b->practice_id = p->id;
	snprintf(b->numero_pratica, sizeof b->numero_pratica, "%s", p->numero_pratica);
	snprintf(b->questura, sizeof b->questura, "%s", p->questura);
	b->slot_id = res->slot.slot_id;
	b->day = res->slot.day;
	b->minute = res->slot.minute;
	b->deferred = res->deferred;
	b->deferred_from = res->deferred ? res->first_tried : 0;
	b->days_full = res->days_full;
	b->days_closed = res->days_closed;
}

agenda_err booking_propose(agenda_ctx *ctx, const struct session *who, int64_t practice_id,
                           const struct booking_options *opt, struct booking *out,
                           agenda_detail *why)
{
	struct practice p;
	struct sched_result res;
	agenda_err err;

	memset(out, 0, sizeof *out);
	if ((err = session_require_personal_data(who, why)) ||
	    (err = practice_by_id(ctx, practice_id, &p, why)) ||
	    (err = practice_check_bookable(&p, why)) || (err = clock_trust_require(ctx, why)))
		return err;
	err = booking_load(ctx, BOOKING_LIVE_BY_PRACTICE, NULL, practice_id, out, why);
	if (err == AG_OK) {
		out->existing = true;
		return AG_OK;
	}
	if (err != AG_ERR_NOT_FOUND)
		return err;
	agenda_detail_clear(why);
	memset(out, 0, sizeof *out);
	if ((err = find_slot(ctx, &p, opt, &res, why)) != AG_OK)
		return err;
	fill_from_search(out, &p, &res);
	snprintf(out->operator_username, sizeof out->operator_username, "%s", who->username);
	return AG_OK;
}

/* ---- writing: the steps of a booking ---------------------------------------------------- */

static agenda_err insert_appointment(agenda_ctx *ctx, const struct session *who, struct booking *b,
                                     agenda_detail *why)
{
	static const char SQL[] = "INSERT INTO appointment(id, practice_id, slot_id, operator_id,"
	                          " created_at, state, deferred_from, modello209)"
	                          " VALUES(?, ?, ?, ?, ?, 'confirmed', ?, ?)";
	sqlite3_stmt *st;
	agenda_err err = rng_uuid(&ctx->rng, b->id);

	if (err != AG_OK) {
		agenda_detail_set(why, MSG_RNG_FAILED);
		return err;
	}
	if (!(st = store_stmt(ctx->store, SQL, why)))
		return AG_ERR_STORE;
	b->created_at = clock_now(&ctx->clock);
	b->state = APPOINTMENT_CONFIRMED;
	snprintf(b->operator_username, sizeof b->operator_username, "%s", who->username);
	sqlite3_bind_text(st, 1, b->id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, b->practice_id);
	sqlite3_bind_int64(st, 3, b->slot_id);
	sqlite3_bind_int64(st, 4, who->operator_id);
	sqlite3_bind_int64(st, 5, b->created_at);
	if (b->deferred)
		sqlite3_bind_int(st, 6, b->deferred_from);
	else
		sqlite3_bind_null(st, 6);
	sqlite3_bind_int(st, 7, b->modello209);
	return store_step_done(ctx->store, st, why);
}

/* Takes the slot the search (or the accepted proposal) found and inserts the appointment. */
static agenda_err book_slot(agenda_ctx *ctx, const struct session *who, const struct practice *p,
                            const struct sched_result *res, const struct booking_options *opt,
                            struct booking *out, agenda_detail *why)
{
	agenda_err err;

	memset(out, 0, sizeof *out);
	fill_from_search(out, p, res);
	out->modello209 = opt && opt->modello209;
	if ((err = slots_take(ctx, out->slot_id, why)) == AG_ERR_NOT_FOUND) {
		/* Inside the transaction that just found it free: the store is not what it says. */
		agenda_detail_set(why, MSG_STORE_FAILED, "slot no longer free");
		return AG_ERR_STORE;
	}
	if (err != AG_OK)
		return err;
	return insert_appointment(ctx, who, out, why);
}

/* Searches and books: the heart of confirm without a proposal, and of move. */
static agenda_err book_new(agenda_ctx *ctx, const struct session *who, const struct practice *p,
                           const struct booking_options *opt, struct booking *out,
                           agenda_detail *why)
{
	struct sched_result res;
	agenda_err err = find_slot(ctx, p, opt, &res, why);

	return err != AG_OK ? err : book_slot(ctx, who, p, &res, opt, out, why);
}

/*
 * The proposal's slot is gone: nothing is booked; *out becomes the new proposal and why says
 * so with its date and time, for the operator to read out and confirm again.
 */
static agenda_err propose_again(agenda_ctx *ctx, const struct session *who,
                                const struct practice *p, const struct booking_options *opt,
                                struct booking *out, agenda_detail *why)
{
	struct sched_result res;
	char day[16], time[8];
	int y, m, d;
	agenda_err err;

	memset(out, 0, sizeof *out);
	if ((err = find_slot(ctx, p, opt, &res, why)) != AG_OK)
		return err;
	fill_from_search(out, p, &res);
	snprintf(out->operator_username, sizeof out->operator_username, "%s", who->username);
	date_to_ymd(out->day, &y, &m, &d);
	snprintf(day, sizeof day, "%02d/%02d/%04d", d, m, y);
	time_format(out->minute, time, sizeof time);
	agenda_detail_set(why, MSG_PROPOSAL_CHANGED, day, time);
	return AG_ERR_CHANGED;
}

static void audit_detail(const struct booking *b, char *out, size_t size)
{
	char day[DATE_TEXT_MAX], time[8], from[DATE_TEXT_MAX] = "";

	date_format(b->day, day, sizeof day);
	time_format(b->minute, time, sizeof time);
	if (b->deferred)
		date_format(b->deferred_from, from, sizeof from);
	snprintf(out, size, "pratica=%s questura=%s at=%s %s%s%s", b->numero_pratica, b->questura,
	         day, time, b->deferred ? " deferred_from=" : "", from);
}

/* Confirm with (proposal != NULL) or without a proposal read out first: one transaction. */
static agenda_err confirm(agenda_ctx *ctx, const struct session *who, int64_t practice_id,
                          const struct booking *proposal, const struct booking_options *opt,
                          struct booking *out, agenda_detail *why)
{
	struct sched_result res;
	struct practice p;
	char detail[160];
	json_t *payload;
	agenda_err err;

	memset(out, 0, sizeof *out);
	if ((err = session_require_personal_data(who, why)))
		return err;
	if ((err = store_begin(ctx->store, why)) != AG_OK)
		return err;
	if ((err = practice_by_id(ctx, practice_id, &p, why)) ||
	    (err = practice_check_bookable(&p, why)) || (err = clock_trust_require(ctx, why)))
		goto done;
	/* One live appointment per practice (I3): booking again shows the one it has. */
	err = booking_load(ctx, BOOKING_LIVE_BY_PRACTICE, NULL, practice_id, out, why);
	if (err == AG_OK) {
		out->existing = true;
		store_rollback(ctx->store);
		return AG_OK;
	}
	if (err != AG_ERR_NOT_FOUND)
		goto done;
	agenda_detail_clear(why);
	if (!proposal) {
		err = find_slot(ctx, &p, opt, &res, why);
	} else if ((err = accept_proposal(ctx, &p, proposal, opt, &res, why)) == AG_ERR_NOT_FOUND) {
		err = propose_again(ctx, who, &p, opt, out, why);
		store_rollback(ctx->store);
		return err;
	}
	if (err || (err = book_slot(ctx, who, &p, &res, opt, out, why)))
		goto done;
	payload = journal_payload_book(out);
	if ((err = journal_add(ctx, JOURNAL_KIND_BOOK, out->id, payload, why)) != AG_OK)
		goto done;
	audit_detail(out, detail, sizeof detail);
	if ((err = audit_append(ctx, who->username, "book", out->id, detail, why)) != AG_OK)
		goto done;
	/* Booked on a day already closed: its Questura's list gets a RETTIFICA (issue 13). */
	if ((err = day_list_after_change(ctx, who->username, out->created_at, why)) != AG_OK)
		goto done;
	/* The latest time a booking saw: a clock set back later shows against it. */
	if (sync_state_central_managed(ctx) && (err = clock_trust_note_now(ctx, why)) != AG_OK)
		goto done;
	err = store_commit(ctx->store, why);
done:
	if (err != AG_OK) {
		store_rollback(ctx->store);
		memset(out->id, 0, sizeof out->id);
	}
	return err;
}

agenda_err booking_confirm(agenda_ctx *ctx, const struct session *who, int64_t practice_id,
                           const struct booking_options *opt, struct booking *out,
                           agenda_detail *why)
{
	return confirm(ctx, who, practice_id, NULL, opt, out, why);
}

agenda_err booking_confirm_proposal(agenda_ctx *ctx, const struct session *who,
                                    const struct booking *proposal,
                                    const struct booking_options *opt, struct booking *out,
                                    agenda_detail *why)
{
	if (!proposal || proposal->existing || proposal->slot_id <= 0) {
		agenda_detail_set(why, MSG_PROPOSAL_MISSING);
		return AG_ERR_USAGE;
	}
	return confirm(ctx, who, proposal->practice_id, proposal, opt, out, why);
}

static agenda_err check_reason(const char *reason, agenda_detail *why)
{
	char trimmed[REASON_MAX];

	if (!reason || !text_trim_copy(reason, trimmed, sizeof trimmed) || !trimmed[0]) {
		agenda_detail_set(why,
		                  reason && strlen(reason) >= REASON_MAX ? MSG_REASON_TOO_LONG
		                                                         : MSG_REASON_REQUIRED,
		                  REASON_MAX - 1);
		return reason && strlen(reason) >= REASON_MAX ? AG_ERR_INVALID : AG_ERR_USAGE;
	}
	if (!text_is_utf8(reason, strlen(reason)) || text_has_control(reason)) {
		agenda_detail_set(why, MSG_REASON_BAD_TEXT);
		return AG_ERR_INVALID;
	}
	return AG_OK;
}

/* Loads a confirmed appointment inside the caller's transaction. */
static agenda_err load_live(agenda_ctx *ctx, const char *id, struct booking *b, agenda_detail *why)
{
	agenda_err err = booking_load(ctx, BOOKING_BY_ID, id, 0, b, why);

	if (err == AG_OK && b->state != APPOINTMENT_CONFIRMED) {
		agenda_detail_set(why, MSG_BOOKING_NOT_LIVE, id, appointment_state_name(b->state));
		return AG_ERR_REFUSED;
	}
	return err;
}

static agenda_err end_appointment(agenda_ctx *ctx, const char *id, const char *state,
                                  const char *reason, const char *replaced_by, agenda_detail *why)
{
	static const char SQL[] = "UPDATE appointment SET state = ?2, cancel_reason = ?3,"
	                          " ended_at = ?4, replaced_by = ?5 WHERE id = ?1";
	sqlite3_stmt *st = store_stmt(ctx->store, SQL, why);

	if (!st)
		return AG_ERR_STORE;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, state, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, reason, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, clock_now(&ctx->clock));
	sqlite3_bind_text(st, 5, replaced_by, -1, SQLITE_STATIC);
	return store_step_done(ctx->store, st, why);
}

agenda_err booking_cancel(agenda_ctx *ctx, const struct session *who, const char *appointment_id,
                          const char *reason, agenda_detail *why)
{
	struct booking b;
	json_t *payload;
	agenda_err err;

	if ((err = session_require_personal_data(who, why)) || (err = check_reason(reason, why)))
		return err;
	if ((err = store_begin(ctx->store, why)) != AG_OK)
		return err;
	if ((err = load_live(ctx, appointment_id, &b, why)) ||
	    (err = end_appointment(ctx, b.id, "cancelled", reason, NULL, why)) ||
	    (err = slots_release(ctx, b.slot_id, why)))
		goto done;
	payload = journal_payload_cancel(b.id, reason, who->username);
	if ((err = journal_add(ctx, JOURNAL_KIND_CANCEL, b.id, payload, why)) ||
	    (err = audit_append(ctx, who->username, "cancel", b.id, b.numero_pratica, why)) ||
	    (err = day_list_after_change(ctx, who->username, b.created_at, why)))
		goto done;
	err = store_commit(ctx->store, why);
done:
	if (err != AG_OK)
		store_rollback(ctx->store);
	return err;
}

agenda_err booking_cancel_by_central(agenda_ctx *ctx, const char *appointment_id,
                                     const char *reason, struct booking *out, agenda_detail *why)
{
	static const char CENTRAL[] = "central";
	struct booking b;
	json_t *payload;
	agenda_err err;

	if ((err = store_begin(ctx->store, why)) != AG_OK)
		return err;
	if ((err = load_live(ctx, appointment_id, &b, why)) ||
	    (err = end_appointment(ctx, b.id, "cancelled", reason, NULL, why)) ||
	    (err = slots_release(ctx, b.slot_id, why)))
		goto done;
	payload = journal_payload_cancel(b.id, reason, CENTRAL);
	if ((err = journal_add(ctx, JOURNAL_KIND_CANCEL, b.id, payload, why)) ||
	    (err = audit_append(ctx, CENTRAL, "cancel", b.id, b.numero_pratica, why)) ||
	    (err = day_list_after_change(ctx, CENTRAL, b.created_at, why)))
		goto done;
	if (out)
		*out = b;
	err = store_commit(ctx->store, why);
done:
	if (err != AG_OK)
		store_rollback(ctx->store);
	return err;
}

agenda_err booking_move(agenda_ctx *ctx, const struct session *who, const char *appointment_id,
                        const char *reason, const struct booking_options *opt, struct booking *out,
                        agenda_detail *why)
{
	struct booking old;
	struct practice p;
	char detail[200];
	json_t *payload;
	agenda_err err;

	memset(out, 0, sizeof *out);
	if ((err = session_require_personal_data(who, why)) || (err = check_reason(reason, why)))
		return err;
	if ((err = store_begin(ctx->store, why)) != AG_OK)
		return err;
	if ((err = load_live(ctx, appointment_id, &old, why)) ||
	    (err = practice_by_id(ctx, old.practice_id, &p, why)) ||
	    (err = clock_trust_require(ctx, why)))
		goto done;
	/*
	 * The old appointment stops being live first (one live per practice), but its slot is
	 * freed only after the search, so the move never lands on the same slot again.
	 */
	if ((err = end_appointment(ctx, old.id, "moved", reason, NULL, why)) ||
	    (err = book_new(ctx, who, &p, opt, out, why)) ||
	    (err = end_appointment(ctx, old.id, "moved", reason, out->id, why)) ||
	    (err = slots_release(ctx, old.slot_id, why)))
		goto done;
	payload = journal_payload_move(out, old.id, reason);
	if ((err = journal_add(ctx, JOURNAL_KIND_MOVE, out->id, payload, why)) != AG_OK)
		goto done;
	audit_detail(out, detail, sizeof detail);
	if ((err = audit_append(ctx, who->username, "move", old.id, detail, why)) != AG_OK)
		goto done;
	/* The old appointment's day and the new one's (today) may both be closed already. */
	if ((err = day_list_after_change(ctx, who->username, old.created_at, why)) ||
	    (err = day_list_after_change(ctx, who->username, out->created_at, why)))
		goto done;
	if (sync_state_central_managed(ctx) && (err = clock_trust_note_now(ctx, why)) != AG_OK)
		goto done;
	err = store_commit(ctx->store, why);
done:
	if (err != AG_OK) {
		store_rollback(ctx->store);
		memset(out->id, 0, sizeof out->id);
	}
	return err;
}

/*
 * prints + 1 or modello209 = 1, with journal and audit, in one transaction; only on a confirmed
 * appointment.
 */
static agenda_err record_event(agenda_ctx *ctx, const struct session *who, const char *id,
                               const char *sql, const char *kind, agenda_detail *why)
{
	struct booking b;
	sqlite3_stmt *st;
	json_t *payload;
	agenda_err err;

	if ((err = session_require_personal_data(who, why)))
		return err;
	if ((err = store_begin(ctx->store, why)) != AG_OK)
		return err;
	if ((err = booking_load(ctx, BOOKING_BY_ID, id, 0, &b, why)))
		goto done;
	/* A slip or a Modello 209 of a cancelled or moved appointment would send someone wrong. */
	if (b.state != APPOINTMENT_CONFIRMED) {
		agenda_detail_set(why, MSG_BOOKING_NOT_LIVE, b.id, appointment_state_name(b.state));
		err = AG_ERR_REFUSED;
		goto done;
	}
	if (!(st = store_stmt(ctx->store, sql, why))) {
		err = AG_ERR_STORE;
		goto done;
	}
	sqlite3_bind_text(st, 1, b.id, -1, SQLITE_STATIC);
	if ((err = store_step_done(ctx->store, st, why)))
		goto done;
	payload = journal_payload_print(b.id, who->username,
	                                b.prints + (strcmp(kind, "print") == 0 ? 1 : 0));
	if ((err = journal_add(ctx, kind, b.id, payload, why)) ||
	    (err = audit_append(ctx, who->username,
	                        strcmp(kind, "print") == 0 && b.prints > 0 ? "reprint" : kind, b.id,
	                        b.numero_pratica, why)))
		goto done;
	err = store_commit(ctx->store, why);
done:
	if (err != AG_OK)
		store_rollback(ctx->store);
	return err;
}

agenda_err booking_record_print(agenda_ctx *ctx, const struct session *who,
                                const char *appointment_id, agenda_detail *why)
{
	static const char SQL[] = "UPDATE appointment SET prints = prints + 1,"
	                          " print_state = 'printed', print_error = NULL WHERE id = ?";

	return record_event(ctx, who, appointment_id, SQL, "print", why);
}

agenda_err booking_record_modello209(agenda_ctx *ctx, const struct session *who,
                                     const char *appointment_id, agenda_detail *why)
{
	static const char SQL[] = "UPDATE appointment SET modello209 = 1 WHERE id = ?";

	return record_event(ctx, who, appointment_id, SQL, "modello209", why);
}
