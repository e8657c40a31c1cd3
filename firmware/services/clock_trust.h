/*
 * clock_trust.h — whether a device central manages may trust its own clock to book.
 *
 * A lease is only as good as the clock that compares it: a device whose clock was set back
 * could book on slots whose lease ended. So a provisioned device (sync_state central_managed =
 * 1) books only when its clock was agreed with central's at least once (clock_synced_at set by a
 * round whose |device now - central now| <= CLOCK_TRUST_SKEW_SECONDS) and has not gone back more
 * than that since the latest time it saw (clock_high, raised at each booking and each round).
 * A never-provisioned device books as before: these rules do not apply to it.
 */
#ifndef AGENDA_SERVICES_CLOCK_TRUST_H
#define AGENDA_SERVICES_CLOCK_TRUST_H

#include <stdbool.h>
#include <stdint.h>

#include "services/context.h"

#define CLOCK_TRUST_SKEW_SECONDS 120

enum clock_trust_state {
	CLOCK_TRUSTED = 0,
	CLOCK_NEVER_SYNCED, /* no round ever agreed the clock with central */
	CLOCK_WENT_BACK     /* now < clock_high - CLOCK_TRUST_SKEW_SECONDS */
};

/* The clock's state now (reads sync_state; no write). */
agenda_err clock_trust_state(agenda_ctx *ctx, enum clock_trust_state *out, agenda_detail *why);

/* True when trusted (a store error counts as not trusted). */
bool clock_trust(agenda_ctx *ctx);

/*
 * AG_OK when the device may book: not central-managed, or trusted. Otherwise AG_ERR_REFUSED with
 * MSG_BOOK_CLOCK_UNTRUSTED.
 */
agenda_err clock_trust_require(agenda_ctx *ctx, agenda_detail *why);

/* Raises clock_high to now if now is later (inside the caller's transaction). */
agenda_err clock_trust_note_now(agenda_ctx *ctx, agenda_detail *why);

/*
 * A round's answer carried central's clock: when |device now - central_now| <=
 * CLOCK_TRUST_SKEW_SECONDS, clock_synced_at = clock_high = device now (the clock is right, so a
 * higher clock_high came from a clock that ran ahead); otherwise clock_synced_at is removed
 * (booking stops until a round agrees again) and *skewed = true (the round reports clock_skew).
 * Inside the caller's transaction.
 */
agenda_err clock_trust_record_sync(agenda_ctx *ctx, int64_t central_now, bool *skewed,
                                   agenda_detail *why);

#endif
