/*
 * questure.h — the Questure a device books for, their calendars and their capacity.
 *
 * Capacity is a set of concrete slots (questura, day, time) held by this device. Until central
 * grants slots (a later issue), a stand-alone device holds every slot its own "capacity set"
 * creates; the slot model is already the one grants will fill (invariant I2: a device books only
 * slots it holds and never invents capacity).
 */
#ifndef AGENDA_SERVICES_QUESTURE_H
#define AGENDA_SERVICES_QUESTURE_H

#include <stdbool.h>
#include <stdint.h>

#include "core/calendar.h"
#include "services/context.h"
#include "services/practices.h"
#include "services/slots.h"

#define QUESTURA_NAME_MAX    96
#define QUESTURA_ADDRESS_MAX 160
#define EMAIL_MAX            128
#define NOTE_MAX             256 /* a closure or opening note, NUL included */

struct questura {
	char code[QUESTURA_CODE_MAX]; /* province code: "RM", "MI", "BO", "PD" */
	char name[QUESTURA_NAME_MAX]; /* "Questura di Roma" */
	char city[FIELD_MAX];
	char address[QUESTURA_ADDRESS_MAX];
	char email[EMAIL_MAX]; /* where the end-of-day list goes */
	int patron_month;      /* 0 = take it from cal_patron_for_city */
	int patron_day;
};

/* Adds or updates a Questura (code must be a known province). */
agenda_err questura_put(agenda_ctx *ctx, const char *actor, const struct questura *q,
                        agenda_detail *why);
agenda_err questura_get(agenda_ctx *ctx, const char *code, struct questura *out,
                        agenda_detail *why);

typedef void (*questura_visit_fn)(void *arg, const struct questura *q);
agenda_err questura_list(agenda_ctx *ctx, questura_visit_fn visit, void *arg, agenda_detail *why);

/*
 * A Questura's calendar rules, exceptions included, for [from, to]. The exceptions array is
 * malloc'd into *rules (free with questura_rules_free).
 */
agenda_err questura_rules(agenda_ctx *ctx, const char *code, agenda_day from, agenda_day to,
                          struct cal_rules *rules, agenda_detail *why);
void questura_rules_free(struct cal_rules *rules);

/*
 * Adds a closure (open = false) or an extra opening day. A closure on a day that already has
 * confirmed appointments is refused (they must be moved first). The note (NULL = none) is UTF-8
 * without control characters, shorter than NOTE_MAX bytes, or refused (AG_ERR_INVALID).
 */
agenda_err questura_exception_add(agenda_ctx *ctx, const char *actor, const char *code,
                                  agenda_day day, bool open, const char *note, agenda_detail *why);

/*
 * Central's calendar for a day (issue 12): a closure or an opening, upserted, audited with actor
 * "central". Unlike questura_exception_add a closure is never refused for the appointments it
 * has: central decided; the slots it takes back come as revokes (grants.h) and the counter's
 * worklist. A Questura from central is put with questura_put(ctx, GRANT_ACTOR_CENTRAL, ...).
 */
agenda_err questura_exception_from_central(agenda_ctx *ctx, const char *code, agenda_day day,
                                           bool open, const char *note, agenda_detail *why);

/*
 * Sets this device's slots of matching days to the plan (slots.h: slots_apply_plan); booked
 * slots and slots held by another device are never touched.
 */
agenda_err capacity_set(agenda_ctx *ctx, const char *actor, const char *code,
                        const struct capacity_plan *plan, struct capacity_report *report,
                        agenda_detail *why);

#endif
