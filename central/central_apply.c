/*
 * central_apply.c — step 2 of a round: one device journal entry applied at central exactly once,
 * by its entry id (journal_applied keeps the outcome, so a repeated entry gets the same answer).
 *
 * book: the slot (questura, day, minute) must be the device's, or in the pool, or unknown (then
 * it is made the device's: a booking on the device is a fact); another holder means `slot_taken`.
 * A practice already confirmed under another appointment: the earlier `at` wins (tie: the
 * smaller entry id); the loser's device gets `cancel_copy` (the incoming entry) or a revoke
 * `duplicate_practice` (the one confirmed before). move: the replaced appointment becomes
 * moved, then as book. cancel: cancelled, the slot stays the device's. Other kinds are recorded
 * only. A payload whose shape does not fit (missing or malformed fields) is `invalid`: the round
 * goes on. The payload's `device` is not checked: entries written before the device was
 * provisioned carry its earlier local id, and the request is the certificate's device's.
 *
 * The batch is applied to an in-memory copy of the rows it names (central_apply_model.h), read
 * in a few statements and written back in a few more; the rules below run in entry order on it.
 */
#include <jansson.h>
#include <string.h>

#include <stdlib.h>

#include "central_apply_model.h"
#include "core/messages.h"

static const char *text_field(json_t *payload, const char *key)
{
	const char *t = json_string_value(json_object_get(payload, key));

	return t && *t && strlen(t) < SYNC_NAME_SIZE ? t : NULL;
}

/* The booking fields of a book or move payload; false when one is missing or malformed. */
static bool read_booking(json_t *payload, bool is_move, struct booking *b)
{
	const char *date = text_field(payload, "date"), *time = text_field(payload, "time");
	json_t *at = json_object_get(payload, "at");
	int hours, minutes;
	char tail;

	memset(b, 0, sizeof *b);
	b->appointment_id = text_field(payload, "appointment_id");
	b->numero_pratica = text_field(payload, "numero_pratica");
	b->questura = text_field(payload, "questura");
	b->replaces = is_move ? text_field(payload, "replaces") : NULL;
	if (!b->appointment_id || !b->numero_pratica || !b->questura || !date || !time ||
	    !json_is_integer(at) || (is_move && !b->replaces) || !date_parse(date, &b->day) ||
	    sscanf(time, "%2d:%2d%c", &hours, &minutes, &tail) != 2 || hours < 0 || hours > 23 ||
	    minutes < 0 || minutes > 59 || strlen(b->questura) > CENTRAL_QUESTURA_CODE_MAX)
		return false;
	b->minute = hours * 60 + minutes;
	b->at = json_integer_value(at);
	return true;
}

static void set_conflict(struct central_outcome *out, const char *reason, enum sync_action action)
{
	out->conflict = true;
	snprintf(out->reason, sizeof out->reason, "%s", reason);
	out->action = action;
}

enum entry_kind { KIND_OTHER, KIND_BOOK, KIND_MOVE, KIND_CANCEL };

static enum entry_kind kind_of(const struct sync_entry *e)
{
	return strcmp(e->kind, "book") == 0     ? KIND_BOOK
	       : strcmp(e->kind, "move") == 0   ? KIND_MOVE
	       : strcmp(e->kind, "cancel") == 0 ? KIND_CANCEL
	                                        : KIND_OTHER;
}

/* The slot of the booking as the device's: held already, taken from the pool or made. */
static struct model_slot *take_slot(struct apply_model *m, struct central_round *r,
                                    const struct booking *b, struct central_outcome *out)
{
	struct model_slot *slot = apply_model_slot(m, b->questura, b->day, b->minute);

	if (slot) {
		if ((slot->holder && strcmp(slot->holder, r->device) != 0) || slot->confirmed > 0) {
			set_conflict(out, "slot_taken", SYNC_ACTION_WORKLIST);
			return NULL;
		}
		if (!slot->holder) {
			slot->holder = r->device;
			slot->taken = true;
		}
		return slot;
	}
	if (!apply_model_questura(m, b->questura)) {
		set_conflict(out, "invalid", SYNC_ACTION_WORKLIST);
		return NULL;
	}
	return apply_model_make_slot(m, b->questura, b->day, b->minute);
}

static void apply_booking(struct apply_model *m, struct central_round *r,
                          const struct sync_entry *e, const struct booking *b,
                          struct central_outcome *out)
{
	struct model_appt *known, *old;
	struct model_slot *slot;

	if (b->replaces) {
		struct model_appt *replaced = apply_model_appt(m, b->replaces);

		if (replaced && strcmp(replaced->device, r->device) == 0 &&
		    strcmp(replaced->state, "confirmed") == 0)
			apply_model_set_state(m, replaced, "moved");
	}
	if ((known = apply_model_appt(m, b->appointment_id)) != NULL) {
		/* already known: applied under another entry (another device's id: invalid) */
		if (strcmp(known->device, r->device) != 0)
			set_conflict(out, "invalid", SYNC_ACTION_WORKLIST);
		return;
	}
	if (!(slot = take_slot(m, r, b, out)))
		return;
	if ((old = apply_model_confirmed(m, b->numero_pratica)) != NULL) {
		if (old->at < b->at ||
		    (old->at == b->at && strcmp(old->entry_id, e->entry_id) < 0)) {
			set_conflict(out, "duplicate_practice", SYNC_ACTION_CANCEL_COPY);
			return;
		}
		apply_model_set_state(m, old, "cancelled");
		apply_model_revoke(m, old);
	}
	apply_model_book(m, b, e->entry_id, slot);
}

static void apply_one(struct apply_model *m, struct central_round *r, const struct sync_entry *e,
                      enum entry_kind kind, const struct booking *b, struct central_outcome *out)
{
	memset(out, 0, sizeof *out);
	if (kind == KIND_BOOK || kind == KIND_MOVE) {
		if (!b)
			set_conflict(out, "invalid", SYNC_ACTION_WORKLIST);
		else
			apply_booking(m, r, e, b, out);
	} else if (kind == KIND_CANCEL) {
		const char *id = text_field(e->payload, "appointment_id");
		struct model_appt *a = id ? apply_model_appt(m, id) : NULL;

		if (!id)
			set_conflict(out, "invalid", SYNC_ACTION_WORKLIST);
		else if (a && strcmp(a->device, r->device) == 0 &&
		         strcmp(a->state, "confirmed") == 0)
			apply_model_set_state(m, a, "cancelled");
	}
	/* print, modello209, print_failed, close_day, kinds of a newer device: recorded only */
}

agenda_err central_apply_batch(struct central_round *r, const struct sync_entry *const *entries,
                               size_t n, struct central_outcome *outcomes, agenda_detail *why)
{
	struct booking *bookings = calloc(n ? n : 1, sizeof *bookings);
	const struct booking **valid = calloc(n ? n : 1, sizeof *valid);
	const char **cancels = calloc(n ? n : 1, sizeof *cancels);
	enum entry_kind *kinds = calloc(n ? n : 1, sizeof *kinds);
	struct apply_model *m = NULL;
	size_t n_cancels = 0;
	agenda_err err;

	if (!bookings || !valid || !cancels || !kinds) {
		agenda_detail_set(why, MSG_NOMEM);
		err = AG_ERR_NOMEM;
		goto done;
	}
	for (size_t i = 0; i < n; i++) {
		kinds[i] = kind_of(entries[i]);
		if ((kinds[i] == KIND_BOOK || kinds[i] == KIND_MOVE) &&
		    read_booking(entries[i]->payload, kinds[i] == KIND_MOVE, &bookings[i]))
			valid[i] = &bookings[i];
		if (kinds[i] == KIND_CANCEL &&
		    (cancels[n_cancels] = text_field(entries[i]->payload, "appointment_id")))
			n_cancels++;
	}
	err = apply_model_load(r, valid, n, cancels, n_cancels, &m, why);
	for (size_t i = 0; err == AG_OK && i < n; i++)
		apply_one(m, r, entries[i], kinds[i], valid[i], &outcomes[i]);
	if (err == AG_OK)
		err = apply_model_flush(m, why);
done:
	apply_model_free(m);
	free(bookings);
	free(valid);
	free(cancels);
	free(kinds);
	return err;
}
