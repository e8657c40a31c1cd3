/*
 * booking.h — proposing, confirming, cancelling, moving and reprinting appointments.
 *
 * Confirming is ONE SQLite transaction: the slot taken, the appointment, its journal entry for
 * central and its audit record, committed durably before the call returns (invariant I1). A
 * practice has at most one live appointment (I3): booking it again returns the existing one
 * unless the operator moves it. The date comes from the slot search (core/slot_search.h) over
 * the slots this device holds (I2).
 */
#ifndef AGENDA_SERVICES_BOOKING_H
#define AGENDA_SERVICES_BOOKING_H

#include <stdbool.h>
#include <stdint.h>

#include "services/context.h"
#include "services/operators.h"
#include "services/practices.h"

#define APPOINTMENT_ID_MAX 37
#define REASON_MAX         256

enum appointment_state { APPOINTMENT_CONFIRMED = 0, APPOINTMENT_CANCELLED, APPOINTMENT_MOVED };

struct booking {
	char id[APPOINTMENT_ID_MAX];
	int64_t practice_id;
	char numero_pratica[PRATICA_MAX];
	char questura[QUESTURA_CODE_MAX];
	int64_t slot_id;
	agenda_day day;
	int minute;
	bool deferred;            /* earlier days were full or closed */
	agenda_day deferred_from; /* first day tried, when deferred */
	int days_full;
	int days_closed;
	enum appointment_state state;
	int prints;
	bool modello209;
	int64_t created_at;
	char operator_username[USERNAME_MAX];
	bool existing; /* confirm found a live appointment and returned it */
};

struct booking_options {
	bool modello209;    /* Modello 209 handed over at the counter */
	int lead_open_days; /* < 0: default (SCHED_DEFAULT_LEAD_OPEN_DAYS) */
	int horizon_days;   /* <= 0: default (SCHED_DEFAULT_HORIZON_DAYS) */
};

const char *appointment_state_name(enum appointment_state s);

/* What confirm would book now, without booking (read-only). */
agenda_err booking_propose(agenda_ctx *ctx, const struct session *who, int64_t practice_id,
                           const struct booking_options *opt, struct booking *out,
                           agenda_detail *why);

/*
 * Books the earliest free slot for the practice, durably (propose and confirm in one
 * transaction). If the practice already has a live appointment, returns it with out->existing
 * set and books nothing.
 */
agenda_err booking_confirm(agenda_ctx *ctx, const struct session *who, int64_t practice_id,
                           const struct booking_options *opt, struct booking *out,
                           agenda_detail *why);

/*
 * Books exactly what booking_propose returned and the operator read out: its practice, slot,
 * date and time (invariant I8). When that slot can no longer be booked (another counter took
 * it, it was handed back, its day was closed or is now too near), books nothing and returns
 * AG_ERR_CHANGED with *out a new proposal and why naming its date: read it out and confirm
 * that one. A practice that got a live appointment meanwhile returns it with out->existing.
 * AG_ERR_USAGE for something that is not a proposal (an existing appointment, no slot).
 */
agenda_err booking_confirm_proposal(agenda_ctx *ctx, const struct session *who,
                                    const struct booking *proposal,
                                    const struct booking_options *opt, struct booking *out,
                                    agenda_detail *why);

/* Cancels a confirmed appointment (reason required) and frees its slot. */
agenda_err booking_cancel(agenda_ctx *ctx, const struct session *who, const char *appointment_id,
                          const char *reason, agenda_detail *why);

/*
 * Central ended a confirmed appointment (issue 12: the practice booked earlier elsewhere, or
 * withdrawn): cancelled with reason, its slot freed, journalled and audited as booking_cancel
 * does with operator "central". Inside the caller's transaction (no session: central's word).
 * *out (may be NULL) gets the appointment as it was. AG_ERR_NOT_FOUND / AG_ERR_REFUSED when it
 * is unknown / not confirmed.
 */
agenda_err booking_cancel_by_central(agenda_ctx *ctx, const char *appointment_id,
                                     const char *reason, struct booking *out, agenda_detail *why);

/*
 * Moves a confirmed appointment to the earliest other free slot: cancel + book in one
 * transaction (the old one becomes "moved" and points to the new one).
 */
agenda_err booking_move(agenda_ctx *ctx, const struct session *who, const char *appointment_id,
                        const char *reason, const struct booking_options *opt, struct booking *out,
                        agenda_detail *why);

/*
 * The practice's live (confirmed) appointment, whatever its kind or status is now;
 * AG_ERR_NOT_FOUND when it has none.
 */
agenda_err booking_live_for_practice(agenda_ctx *ctx, const struct session *who,
                                     int64_t practice_id, struct booking *out, agenda_detail *why);

/* An appointment by id (any state). */
agenda_err booking_get(agenda_ctx *ctx, const struct session *who, const char *appointment_id,
                       struct booking *out, agenda_detail *why);

/* Records that the slip was printed (first print or reprint: prints counts them). */
agenda_err booking_record_print(agenda_ctx *ctx, const struct session *who,
                                const char *appointment_id, agenda_detail *why);

/* Records that Modello 209 was handed over. */
agenda_err booking_record_modello209(agenda_ctx *ctx, const struct session *who,
                                     const char *appointment_id, agenda_detail *why);

/* Appointments created on a local day (any state), oldest first. */
typedef void (*booking_visit_fn)(void *arg, const struct booking *b);
agenda_err booking_day_list(agenda_ctx *ctx, const struct session *who, agenda_day day,
                            booking_visit_fn visit, void *arg, agenda_detail *why);

#define DAY_CLOSE_NO_EMAIL_MAX 16

struct day_close_report {
	agenda_day day;
	int version;       /* 1 the first time a day is closed, then 2, 3... for late changes */
	int appointments;  /* confirmed appointments created that day */
	int cancellations; /* cancelled or moved that day */
	/* Issue 13: the end-of-day lists (services/day_list.h). */
	int versions;      /* day_list versions written by this close (originals and RETTIFICHE) */
	int messages;      /* outbox messages queued by this close */
	int without_email; /* Questure whose list was recorded but not queued: no address */
	char no_email[DAY_CLOSE_NO_EMAIL_MAX][QUESTURA_CODE_MAX]; /* the first of them, by code */
};

/*
 * Closes a day: records the close, and, in the same transaction, for every Questura whose list
 * is new or changed since its last version, the next day_list version and its outbox message
 * (services/day_list.h); journal and audit.
 */
agenda_err booking_close_day(agenda_ctx *ctx, const struct session *who, agenda_day day,
                             struct day_close_report *out, agenda_detail *why);

#endif
