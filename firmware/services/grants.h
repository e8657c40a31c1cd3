/*
 * grants.h — the device's side of central's slot grants and leases (issue 12).
 *
 * On a device central manages, every bookable slot came from central as a grant: the row keeps
 * the local slot.id and carries central's slot id in grant_id (decimal text) and a lease
 * (slot.lease_end, epoch seconds; NULL for a stand-alone device's own capacity, 0 once central
 * revoked it: never bookable again). A round (sync/device_round.c) applies central's grant and
 * revoke changes here, renews every lease at once, hands back free slots beyond the horizon and
 * forgets those central acknowledged. Every change is audited (ids only, I7); where the device
 * itself ends an appointment (a copy central cancelled, a withdrawn practice) it is journalled
 * like booking_cancel, so central learns it. No network here, no protocol structs: the caller
 * maps central's messages onto these calls.
 *
 * Every call runs inside the caller's transaction (a nested store_begin is a savepoint).
 */
#ifndef AGENDA_SERVICES_GRANTS_H
#define AGENDA_SERVICES_GRANTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/date.h"
#include "core/practice_row.h"
#include "services/context.h"

/* Reasons central gives for a revoke or a conflict (its wire tokens). */
#define GRANT_REASON_CLOSURE            "closure"
#define GRANT_REASON_SLOT_TAKEN         "slot_taken"
#define GRANT_REASON_LEASE_EXPIRED      "lease_expired"
#define GRANT_REASON_DUPLICATE_PRACTICE "duplicate_practice"
#define GRANT_REASON_WITHDRAWN          "withdrawn"
#define GRANT_REASON_MAX                32

/* Who the audit and the journal name when the device acts on central's word. */
#define GRANT_ACTOR_CENTRAL "central"

/* Settings that shape the demand (setting table), and their defaults. */
#define GRANT_SETTING_HOLD_DAYS       "sync.hold_days"
#define GRANT_SETTING_LOW_WATER       "sync.low_water"
#define GRANT_DEFAULT_HOLD_DAYS       10
#define GRANT_DEFAULT_LOW_WATER       20
#define GRANT_DEMAND_RECENT_OPEN_DAYS 5

/*
 * A grant from central: slot central_id at (questura, day, minute) is this device's until
 * lease_end. Idempotent by central id (a repeated grant only refreshes the lease). A local row
 * at that time that is this device's own capacity (grant_id NULL) is converted: it takes the
 * central id and the lease and keeps its local id, state and appointment. A row at that time
 * held under another central id is re-pointed to this one (central re-granted the time).
 * AG_ERR_INVALID for a Questura the device does not know or an impossible day/minute.
 */
agenda_err grants_apply(agenda_ctx *ctx, int64_t central_id, const char *questura, agenda_day day,
                        int minute, int64_t lease_end, agenda_detail *why);

/* What grants_revoke did. */
enum grant_revoke_outcome {
	GRANT_REVOKE_UNKNOWN = 0, /* no slot under that central id: nothing to do */
	GRANT_REVOKE_DELETED,     /* free or releasing: the row left the device */
	GRANT_REVOKE_KEPT,        /* booked: lease_end = 0, appointment kept, worklist item */
	GRANT_REVOKE_CANCELLED,   /* booked: lease_end = 0, appointment cancelled (journal,
	                             audit), worklist item */
	GRANT_REVOKE_ALREADY      /* booked and already revoked: nothing new */
};

/*
 * Central takes slot central_id back for reason (GRANT_REASON_*; unknown reasons are treated
 * as closure: the appointment is kept and someone looks at it). Free or releasing: the row is
 * deleted. Booked: lease_end = 0 (never bookable again, even once freed), and for
 * closure/slot_taken/lease_expired a worklist item (the appointment stays: the applicant holds a
 * slip; an operator decides), for duplicate_practice/withdrawn the appointment is cancelled as
 * booking_cancel does (operator "central") plus a worklist item. *outcome may be NULL.
 */
agenda_err grants_revoke(agenda_ctx *ctx, int64_t central_id, const char *reason,
                         enum grant_revoke_outcome *outcome, agenda_detail *why);

/* Every granted slot not revoked (lease_end > 0) now lasts until lease_end; sets sync_state
 * 'lease_end'. */
agenda_err grants_renew(agenda_ctx *ctx, int64_t lease_end, agenda_detail *why);

/*
 * A 'cancel_copy' conflict: central kept another device's booking of the same practice, so
 * this confirmed appointment is cancelled (slot freed, journal 'cancel' with reason, audit,
 * operator "central") and a worklist item tells the counter. Already ended: AG_OK, nothing done.
 */
agenda_err grants_cancel_copy(agenda_ctx *ctx, const char *appointment_id, const char *reason,
                              agenda_detail *why);

/*
 * A conflict central answered for the journal entry entry_id (the round has entry ids, not
 * appointments): with cancel_copy, grants_cancel_copy on the entry's appointment; otherwise
 * (action 'worklist') a worklist item of kind reason (a token that is not [a-z0-9_]+ becomes
 * "conflict") naming the entry's appointment and practice. An entry that names no appointment
 * (a day close) or is unknown still gets its worklist item, with no appointment.
 */
agenda_err grants_conflict(agenda_ctx *ctx, const char *entry_id, const char *reason,
                           bool cancel_copy, agenda_detail *why);

/*
 * Free granted slots on days after today + horizon_days, and free ones central revoked while
 * booked (lease 0: the device will never book them, central still counts them as its), become
 * 'releasing' (never bookable) until central acknowledges them; their central ids (up to max,
 * revoked ones first) go to ids, *n how many were marked now.
 */
agenda_err grants_hand_back(agenda_ctx *ctx, int horizon_days, int64_t *ids, size_t max, size_t *n,
                            agenda_detail *why);

/* Central ids of every slot waiting in 'releasing' (up to max, ascending), for the request. */
agenda_err grants_releasing(agenda_ctx *ctx, int64_t *ids, size_t max, size_t *n,
                            agenda_detail *why);

/* Central answered a request that carried these releasing ids: those rows leave the device.
 * Ids that are not releasing (or unknown) are ignored. */
agenda_err grants_forget(agenda_ctx *ctx, const int64_t *ids, size_t n, agenda_detail *why);

/* What the device asks central to hold for one Questura (the request's demand). */
struct grant_demand {
	char questura[QUESTURA_CODE_MAX];
	int days;  /* setting sync.hold_days */
	int slots; /* max(sync.low_water, bookings of the last 5 open days / 5 * days) */
};

/*
 * The demand for every Questura this device has granted slots at or booked for in the last
 * GRANT_DEMAND_RECENT_OPEN_DAYS open days (by code, up to max; *n how many).
 */
agenda_err grants_demand(agenda_ctx *ctx, struct grant_demand *out, size_t max, size_t *n,
                         agenda_detail *why);

/* Granted slots this device holds (not revoked, not releasing) and the earliest lease end among
 * them (0 when none): for `agendactl sync status` and tests. */
agenda_err grants_count(agenda_ctx *ctx, int64_t *held, int64_t *earliest_lease_end,
                        agenda_detail *why);

#endif
