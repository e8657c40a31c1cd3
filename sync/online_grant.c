/*
 * online_grant.c — the online earliest-slot grant before a booking (online_grant.h).
 */
#include "sync/online_grant.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/date.h"
#include "core/messages.h"
#include "core/slot_search.h"
#include "services/grants.h"
#include "services/practices.h"
#include "sync/protocol.h"

static long elapsed_ms_since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (long)((t1.tv_sec - t0->tv_sec) * 1000 + (t1.tv_nsec - t0->tv_nsec) / 1000000);
}

static long grant_timeout_ms(agenda_ctx *ctx)
{
	char text[16];
	long ms;

	if (store_setting_get(ctx->store, ONLINE_GRANT_SETTING_TIMEOUT_MS, text, sizeof text) &&
	    (ms = atol(text)) > 0)
		return ms;
	return ONLINE_GRANT_DEFAULT_TIMEOUT_MS;
}

/*
 * What to ask central: the practice's Questura, from the first day the device may book, before
 * the device's own best proposal (or anything within the horizon when it holds nothing).
 * AG_ERR_EXISTS when the practice already has an appointment: nothing to ask.
 */
static agenda_err grant_question(agenda_ctx *ctx, const struct session *who, int64_t practice_id,
                                 const struct booking_options *opt, struct sync_grant_request *q,
                                 agenda_detail *why)
{
	struct booking proposal;
	struct practice p;
	agenda_day today = agenda_today(ctx, NULL), from, before;
	int horizon = opt && opt->horizon_days > 0 ? opt->horizon_days : SCHED_DEFAULT_HORIZON_DAYS;
	agenda_err err = booking_propose(ctx, who, practice_id, opt, &proposal, why);

	memset(q, 0, sizeof *q);
	q->version = SYNC_PROTOCOL_VERSION;
	if (err == AG_OK && proposal.existing)
		return AG_ERR_EXISTS;
	if (err == AG_OK) {
		snprintf(q->questura, sizeof q->questura, "%s", proposal.questura);
		from = proposal.deferred ? proposal.deferred_from : proposal.day;
		before = proposal.day;
		q->before_minute = proposal.minute;
	} else if (err == AG_ERR_NO_CAPACITY) {
		if ((err = practice_by_id(ctx, practice_id, &p, why)) != AG_OK)
			return err;
		snprintf(q->questura, sizeof q->questura, "%s", p.questura);
		from = today + 1;
		before = today + horizon;
		q->before_minute = 1440; /* any time of that day */
	} else {
		return err;
	}
	date_format(from, q->from_day, sizeof q->from_day);
	date_format(before, q->before_day, sizeof q->before_day);
	return AG_OK;
}

/* Asks central within the bound; AG_OK with *got filled when it answered 200 and decoded. */
static agenda_err ask_central(agenda_ctx *ctx, sync_session *session,
                              const struct sync_grant_request *q, struct sync_grant_response *got,
                              agenda_detail *why)
{
	struct https_response answer = {0};
	agenda_err err = AG_OK;
	char *body = sync_grant_request_encode(q, &err);

	if (!body)
		return err;
	err = sync_session_post(session, ONLINE_GRANT_PATH, body, grant_timeout_ms(ctx), &answer,
	                        why);
	if (err == AG_OK && answer.status != 200)
		err = AG_ERR_REFUSED;
	if (err == AG_OK)
		err = sync_grant_response_decode(answer.body, answer.length, got, why);
	https_response_free(&answer);
	free(body);
	return err;
}

static agenda_err apply_grant(agenda_ctx *ctx, const struct sync_grant *g, agenda_detail *why)
{
	agenda_day day;
	agenda_err err;

	if (!date_parse(g->day, &day)) {
		agenda_detail_set(why, MSG_SYNC_PROTO_BAD_VALUE, "grant.day");
		return AG_ERR_INVALID;
	}
	if ((err = store_begin(ctx->store, why)) != AG_OK)
		return err;
	err = grants_apply(ctx, g->slot_id, g->questura, day, g->minute, g->lease_end, why);
	if (err == AG_OK)
		err = store_commit(ctx->store, why);
	if (err != AG_OK)
		store_rollback(ctx->store);
	return err;
}

agenda_err sync_book_online(agenda_ctx *ctx, sync_session *session, const struct session *who,
                            int64_t practice_id, const struct booking_options *opt,
                            struct booking *booking, struct online_grant_outcome *outcome,
                            agenda_detail *why)
{
	struct online_grant_outcome local = {0};
	struct online_grant_outcome *o = outcome ? outcome : &local;
	struct sync_grant_request q;
	struct sync_grant_response got = {0};
	struct timespec t0;
	agenda_detail ignored;
	agenda_err err;

	memset(o, 0, sizeof *o);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	err = grant_question(ctx, who, practice_id, opt, &q, why);
	if (err != AG_OK && err != AG_ERR_EXISTS)
		return err; /* the booking itself would fail the same way: say so now */
	if (err == AG_OK && session && ask_central(ctx, session, &q, &got, &ignored) == AG_OK) {
		o->online = true;
		/* A grant that cannot be applied is not the booking's failure: book what is held.
		 */
		if (got.granted && got.grant.type == SYNC_CHANGE_GRANT &&
		    apply_grant(ctx, &got.grant.u.grant, &ignored) == AG_OK)
			o->granted = true;
	}
	o->elapsed_ms = elapsed_ms_since(&t0);
	err = booking_confirm(ctx, who, practice_id, opt, booking, why);
	if (err == AG_OK && o->granted && !booking->existing &&
	    strcmp(booking->questura, got.grant.u.grant.questura) == 0) {
		agenda_day day;

		o->from_central = date_parse(got.grant.u.grant.day, &day) && booking->day == day &&
		                  booking->minute == got.grant.u.grant.minute;
	}
	return err;
}
