/*
 * clock_trust.c — the trusted-clock rule of a device central manages (see clock_trust.h): two
 * sync_state keys, clock_synced_at (set only by a round whose clock agreed with central's) and
 * clock_high (the latest device time seen), compared with the context's clock.
 */
#include "services/clock_trust.h"

#include <stdio.h>

#include "core/messages.h"
#include "services/sync_state.h"

agenda_err clock_trust_state(agenda_ctx *ctx, enum clock_trust_state *out, agenda_detail *why)
{
	int64_t synced_at = 0, high = 0, now = clock_now(&ctx->clock);
	agenda_err err;

	*out = CLOCK_NEVER_SYNCED;
	if ((err = sync_state_get_int(ctx, SYNC_KEY_CLOCK_SYNCED_AT, 0, &synced_at, why)) ||
	    (err = sync_state_get_int(ctx, SYNC_KEY_CLOCK_HIGH, 0, &high, why)))
		return err;
	if (synced_at <= 0)
		*out = CLOCK_NEVER_SYNCED;
	else if (now < high - CLOCK_TRUST_SKEW_SECONDS)
		*out = CLOCK_WENT_BACK;
	else
		*out = CLOCK_TRUSTED;
	return AG_OK;
}

bool clock_trust(agenda_ctx *ctx)
{
	enum clock_trust_state state;

	return clock_trust_state(ctx, &state, NULL) == AG_OK && state == CLOCK_TRUSTED;
}

agenda_err clock_trust_require(agenda_ctx *ctx, agenda_detail *why)
{
	enum clock_trust_state state;
	agenda_err err;

	if (!sync_state_central_managed(ctx))
		return AG_OK;
	if ((err = clock_trust_state(ctx, &state, why)) != AG_OK)
		return err;
	if (state == CLOCK_TRUSTED)
		return AG_OK;
	agenda_detail_set(why, MSG_BOOK_CLOCK_UNTRUSTED);
	return AG_ERR_REFUSED;
}

agenda_err clock_trust_note_now(agenda_ctx *ctx, agenda_detail *why)
{
	static const char SQL[] = "INSERT INTO sync_state(key, value) VALUES('" SYNC_KEY_CLOCK_HIGH
	                          "', ?1) ON CONFLICT(key) DO UPDATE SET value = ?1"
	                          " WHERE CAST(value AS INTEGER) < CAST(?1 AS INTEGER)";
	sqlite3_stmt *st = store_stmt(ctx->store, SQL, why);
	char now[32];

	if (!st)
		return AG_ERR_STORE;
	snprintf(now, sizeof now, "%lld", (long long)clock_now(&ctx->clock));
	sqlite3_bind_text(st, 1, now, -1, SQLITE_TRANSIENT);
	return store_step_done(ctx->store, st, why);
}

agenda_err clock_trust_record_sync(agenda_ctx *ctx, int64_t central_now, bool *skewed,
                                   agenda_detail *why)
{
	int64_t now = clock_now(&ctx->clock);
	int64_t gap = now > central_now ? now - central_now : central_now - now;
	agenda_err err;

	*skewed = gap > CLOCK_TRUST_SKEW_SECONDS;
	/* A clock central contradicts is not trusted until a round agrees with it again. */
	if (*skewed)
		return sync_state_unset(ctx, SYNC_KEY_CLOCK_SYNCED_AT, why);
	/* Agreed with central: now is right, so a higher clock_high came from a clock that ran
	 * ahead and must not make the device distrust itself later. */
	if ((err = sync_state_set_int(ctx, SYNC_KEY_CLOCK_SYNCED_AT, now, why)) != AG_OK)
		return err;
	return sync_state_set_int(ctx, SYNC_KEY_CLOCK_HIGH, now, why);
}
