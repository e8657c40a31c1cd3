/*
 * central_apply_model.h — a round's journal entries applied as a batch (step 2, central_apply.c):
 * every appointment, confirmed practice and slot the batch names is read first in a few
 * statements, the rules run in C on this in-memory copy in entry order (so an entry sees what
 * the earlier ones did), and what changed is written back at the end in multi-row statements.
 * On PostgreSQL each statement is a round trip: per-entry statements made a 10,000-entry push
 * take tens of seconds; a batch of 500 now costs a dozen statements.
 *
 * Valid only inside the round's transaction, which holds the change lock (no other round
 * changes these rows meanwhile).
 */
#ifndef AGENDA_CENTRAL_APPLY_MODEL_H
#define AGENDA_CENTRAL_APPLY_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "central_sync_internal.h"
#include "core/date.h"

/* A booking payload's fields (book, move). */
struct booking {
	const char *appointment_id, *numero_pratica, *questura, *replaces;
	agenda_day day;
	int minute;
	int64_t at;
};

struct model_appt {
	const char *id, *device, *numero_pratica, *questura, *entry_id;
	int64_t day, minute, at;
	int64_t slot_id;   /* < 0: a slot made in this batch (model_slot_ref) until the flush */
	const char *state; /* "confirmed", "cancelled", "moved" */
	const char *initial_state; /* as read; NULL for an appointment made in this batch */
};

struct model_slot {
	int64_t id; /* < 0 until the flush for a slot made in this batch */
	char key[CENTRAL_QUESTURA_CODE_MAX + 48]; /* "questura|day|minute" */
	const char *questura;
	int64_t day, minute;
	const char *holder; /* NULL: in the pool */
	bool taken;         /* from the pool to this device in this batch */
	bool made;          /* unknown before: inserted at the flush */
	int64_t confirmed;  /* confirmed appointments on it */
};

struct apply_model;

/* Reads what bookings[0..n) (NULL entries skipped) and the ids in extra_ids[0..n_extra) name. */
agenda_err apply_model_load(struct central_round *r, const struct booking *const *bookings,
                            size_t n, const char *const *extra_ids, size_t n_extra,
                            struct apply_model **out, agenda_detail *why);
void apply_model_free(struct apply_model *m);

/* The appointment with this id (any state); NULL when there is none. */
struct model_appt *apply_model_appt(struct apply_model *m, const char *id);
/* The appointment confirmed for this practice; NULL when none. */
struct model_appt *apply_model_confirmed(struct apply_model *m, const char *numero_pratica);
/* The slot at (questura, day, minute); NULL when central has none. */
struct model_slot *apply_model_slot(struct apply_model *m, const char *questura, int64_t day,
                                    int64_t minute);
/* A slot made for the device at that time (its Questura must exist: apply_model_questura). */
struct model_slot *apply_model_make_slot(struct apply_model *m, const char *questura, int64_t day,
                                         int64_t minute);
bool apply_model_questura(const struct apply_model *m, const char *questura);
/* A's state becomes state (its slot's confirmed count follows). */
void apply_model_set_state(struct apply_model *m, struct model_appt *a, const char *state);
/* A new confirmed appointment of the device (fields copied by pointer: they must outlive m). */
void apply_model_book(struct apply_model *m, const struct booking *b, const char *entry_id,
                      const struct model_slot *slot);
/* A revoke `duplicate_practice` for a's device and slot, written at the flush. */
void apply_model_revoke(struct apply_model *m, const struct model_appt *a);

/* Writes every change back, in an order the unique indexes accept, then the revokes. */
agenda_err apply_model_flush(struct apply_model *m, agenda_detail *why);

#endif
