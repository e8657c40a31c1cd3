/*
 * slots.h — the one owner of the slot table: every statement that reads or changes a slot is here.
 *
 * A slot is one concrete time (questura, day, minute) held by exactly one holder: this device, or
 * another device or central's pool (invariant I2). This device books only free slots it holds;
 * it never creates, deletes or changes a slot held by someone else, whatever a local capacity plan
 * says. A slot goes free -> booked -> free (cancel, move); a slot handed back to central goes
 * free -> releasing, is never bookable again, and leaves the table when central acknowledges it.
 * grant_id names the grant a slot came under (NULL for a stand-alone device's own capacity).
 *
 * All calls run inside the caller's transaction (or autocommit for reads).
 */
#ifndef AGENDA_SERVICES_SLOTS_H
#define AGENDA_SERVICES_SLOTS_H

#include <stdint.h>

#include "core/date.h"
#include "core/slot_search.h"
#include "services/context.h"

struct capacity_plan {
	agenda_day from, to; /* inclusive */
	unsigned weekdays;   /* bit 1 << (ISO weekday - 1); 0x1f = Monday..Friday */
	int first_minute;    /* first appointment time */
	int minutes_per_slot;
	int slots_per_day; /* 0 removes free capacity */
};

struct capacity_report {
	int days; /* days of the range the plan applies to */
	int slots_created;
	int slots_removed;      /* free slots no longer in the plan */
	int slots_kept_booked;  /* booked slots outside the new plan, kept */
	int slots_other_holder; /* times held by another device or central: left as they are */
};

/*
 * The scheduler's source: the earliest free slot this device holds at questura with
 * from <= day <= until (earliest minute that day). AG_ERR_NOT_FOUND when there is none.
 */
agenda_err slots_next_free(agenda_ctx *ctx, const char *questura, agenda_day from, agenda_day until,
                           struct sched_free_slot *out, agenda_detail *why);

/* Slot slot_id if it is free, held by this device and at questura; else AG_ERR_NOT_FOUND. */
agenda_err slots_free_held(agenda_ctx *ctx, int64_t slot_id, const char *questura,
                           struct sched_free_slot *out, agenda_detail *why);

/*
 * On a device central manages (sync_state central_managed = 1), the two calls above find only
 * slots central granted whose lease has not ended; a stand-alone device's are all its free ones.
 */

/* Free slots the rule above lets this device book at questura from day on. */
agenda_err slots_count_bookable(agenda_ctx *ctx, const char *questura, agenda_day from,
                                int64_t *count, agenda_detail *why);

/* free -> booked; AG_ERR_NOT_FOUND when the slot is not a free slot this device holds. */
agenda_err slots_take(agenda_ctx *ctx, int64_t slot_id, agenda_detail *why);

/* booked -> free (a cancelled or moved appointment's slot). */
agenda_err slots_release(agenda_ctx *ctx, int64_t slot_id, agenda_detail *why);

/* Free slots this device holds from day on (the status bar's count). */
agenda_err slots_count_free(agenda_ctx *ctx, agenda_day from, int64_t *count, agenda_detail *why);

/*
 * Applies a capacity plan to one day at questura: the plan's times exist (held by this device
 * unless someone else already holds that time), this device's free slots at other times go,
 * booked ones stay. Slots held by others are never touched. Adds to *r.
 */
agenda_err slots_apply_plan(agenda_ctx *ctx, const char *questura, agenda_day day,
                            const struct capacity_plan *plan, struct capacity_report *r,
                            agenda_detail *why);

/*
 * Hands back this device's free slots at questura with from <= day <= until: they become
 * 'releasing' (never bookable) until central acknowledges them. *count: how many.
 */
agenda_err slots_hand_back(agenda_ctx *ctx, const char *questura, agenda_day from, agenda_day until,
                           int *count, agenda_detail *why);

/* Central acknowledged the hand-back of these slots: they leave the device. */
agenda_err slots_forget_released(agenda_ctx *ctx, const int64_t *ids, int n, agenda_detail *why);

/* Moves every slot held under old_holder to new_holder (the device id set by provisioning). */
agenda_err slots_change_holder(agenda_ctx *ctx, const char *old_holder, const char *new_holder,
                               agenda_detail *why);

#endif
