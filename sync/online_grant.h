/*
 * online_grant.h — booking "the earliest date in the whole Questura" when central is reachable.
 *
 * The device proposes from what it holds; then it asks central (POST /v1/device/grant) for a
 * pool slot earlier than that proposal, within a short total bound (setting
 * sync.grant_timeout_ms, default 2000 ms). A grant is applied in its own transaction before the
 * booking, so booking_confirm picks it up as the earliest slot the device holds — the booking
 * itself is the ordinary, durable, local one (I1). When central cannot be reached in time, or
 * refuses, or has nothing earlier, the device books from what it holds; *online says whether
 * central answered, *from_central whether the slot booked is the one it granted.
 */
#ifndef AGENDA_SYNC_ONLINE_GRANT_H
#define AGENDA_SYNC_ONLINE_GRANT_H

#include <stdbool.h>
#include <stdint.h>

#include "services/booking.h"
#include "services/context.h"
#include "sync/sync_session.h"

#define ONLINE_GRANT_PATH               "/v1/device/grant"
#define ONLINE_GRANT_SETTING_TIMEOUT_MS "sync.grant_timeout_ms"
#define ONLINE_GRANT_DEFAULT_TIMEOUT_MS 2000

struct online_grant_outcome {
	bool online;       /* central answered the grant request in time */
	bool granted;      /* central granted an earlier slot (applied before booking) */
	bool from_central; /* the booking is on that granted slot */
	long elapsed_ms;   /* time spent asking central */
};

/*
 * Books the practice as booking_confirm does, after asking central for an earlier slot.
 * session may be NULL (the device has none open: offline). Errors are booking_confirm's; a
 * failure to reach central or to apply its grant is not an error (the booking goes on from
 * what the device holds, outcome->online false). *online may be NULL.
 */
agenda_err sync_book_online(agenda_ctx *ctx, sync_session *session, const struct session *who,
                            int64_t practice_id, const struct booking_options *opt,
                            struct booking *booking, struct online_grant_outcome *outcome,
                            agenda_detail *why);

#endif
