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
 * only. A payload that does not fit (another device, missing fields) is `invalid`: the round
 * goes on.
 */
#include <jansson.h>
#include <string.h>

#include "central_changes.h"
#include "central_sync_internal.h"
#include "core/date.h"
#include "store_sync.h"

struct booking {
	const char *appointment_id, *numero_pratica, *questura, *replaces;
	agenda_day day;
	int minute;
	int64_t at;
};

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

static agenda_err query(struct central_round *r, const char *sql, size_t n, const char *const *p,
                        struct central_rows *rows, agenda_detail *why)
{
	return central_sync_query(r->s, sql, n, p, rows, NULL, why);
}

/* The slot of the booking as the device's: taken from the pool or made; *slot_id its id. */
static agenda_err take_slot(struct central_round *r, const struct booking *b, int64_t *slot_id,
                            struct central_outcome *out, agenda_detail *why)
{
	char day[16], minute[16], lease[24];
	const char *find[] = {b->questura, day, minute};
	struct central_rows rows = {0};
	agenda_err err;

	I64(day, b->day);
	I64(minute, b->minute);
	I64(lease, r->lease_end);
	err = query(
	        r,
	        "SELECT s.id, s.holder, (SELECT count(*) FROM appointment a WHERE a.slot_id = s.id"
	        " AND a.state = 'confirmed') FROM slot s"
	        " WHERE s.questura = $1 AND s.day = $2 AND s.minute = $3",
	        3, find, &rows, why);
	if (err != AG_OK)
		return err;
	if (rows.n_rows == 1) {
		const char *holder = central_rows_text(&rows, 0, 1);
		bool pool = central_rows_null(&rows, 0, 1);

		*slot_id = central_rows_int(&rows, 0, 0);
		if ((!pool && strcmp(holder, r->device) != 0) ||
		    central_rows_int(&rows, 0, 2) > 0) {
			central_rows_free(&rows);
			set_conflict(out, "slot_taken", SYNC_ACTION_WORKLIST);
			return AG_OK;
		}
		central_rows_free(&rows);
		if (pool) {
			char id[24];
			const char *take[] = {id, r->device, lease};

			I64(id, *slot_id);
			err = query(r,
			            "UPDATE slot SET holder = $2, lease_end = $3 WHERE id = $1"
			            " AND holder IS NULL",
			            3, take, NULL, why);
		}
		return err;
	}
	central_rows_free(&rows);
	{
		const char *known[] = {b->questura};

		if ((err = query(r, "SELECT 1 FROM questura WHERE code = $1", 1, known, &rows,
		                 why)) != AG_OK)
			return err;
		if (rows.n_rows == 0) {
			set_conflict(out, "invalid", SYNC_ACTION_WORKLIST);
			central_rows_free(&rows);
			return AG_OK;
		}
		central_rows_free(&rows);
	}
	{
		const char *make[] = {b->questura, day, minute, r->device, lease};

		err = query(r,
		            "INSERT INTO slot(questura, day, minute, holder, lease_end)"
		            " VALUES($1, CAST($2 AS integer), CAST($3 AS integer), $4,"
		            " CAST($5 AS bigint)) RETURNING id",
		            5, make, &rows, why);
	}
	if (err == AG_OK)
		*slot_id = central_rows_int(&rows, 0, 0);
	central_rows_free(&rows);
	return err;
}

/*
 * The practice confirmed under another appointment: *incoming_loses, or the old one cancelled
 * with a revoke to its device. Earlier `at` wins, then the smaller entry id.
 */
static agenda_err settle_practice(struct central_round *r, const struct booking *b,
                                  const char *entry_id, bool *incoming_loses, agenda_detail *why)
{
	const char *find[] = {b->numero_pratica};
	struct central_rows rows = {0};
	agenda_err err = query(r,
	                       "SELECT id, device, slot_id, at, entry_id FROM appointment"
	                       " WHERE numero_pratica = $1 AND state = 'confirmed'",
	                       1, find, &rows, why);
	int64_t old_at;

	*incoming_loses = false;
	if (err != AG_OK || rows.n_rows == 0) {
		central_rows_free(&rows);
		return err;
	}
	old_at = central_rows_int(&rows, 0, 3);
	if (old_at < b->at ||
	    (old_at == b->at && strcmp(central_rows_text(&rows, 0, 4), entry_id) < 0)) {
		*incoming_loses = true;
	} else {
		const char *cancel[] = {central_rows_text(&rows, 0, 0)};

		err = query(r, "UPDATE appointment SET state = 'cancelled' WHERE id = $1", 1,
		            cancel, NULL, why);
		if (err == AG_OK)
			err = central_change_revoke(r->s, central_rows_text(&rows, 0, 1),
			                            central_rows_int(&rows, 0, 2),
			                            "duplicate_practice", r->now, why);
		if (err == AG_OK)
			r->rep->revoked++;
	}
	central_rows_free(&rows);
	return err;
}

static agenda_err apply_booking(struct central_round *r, const struct sync_entry *e,
                                const struct booking *b, struct central_outcome *out,
                                agenda_detail *why)
{
	const char *exists[] = {b->appointment_id};
	struct central_rows rows = {0};
	bool loses = false;
	int64_t slot_id = 0;
	agenda_err err;

	if (b->replaces) {
		const char *move[] = {b->replaces, r->device};

		err = query(r,
		            "UPDATE appointment SET state = 'moved' WHERE id = $1 AND device = $2"
		            " AND state = 'confirmed'",
		            2, move, NULL, why);
		if (err != AG_OK)
			return err;
	}
	err = query(r, "SELECT device FROM appointment WHERE id = $1", 1, exists, &rows, why);
	if (err == AG_OK && rows.n_rows > 0 && strcmp(central_rows_text(&rows, 0, 0), r->device))
		set_conflict(out, "invalid", SYNC_ACTION_WORKLIST);
	if (err != AG_OK || rows.n_rows > 0) { /* already known: applied under another entry */
		central_rows_free(&rows);
		return err;
	}
	central_rows_free(&rows);
	if ((err = take_slot(r, b, &slot_id, out, why)) != AG_OK || out->conflict)
		return err;
	if ((err = settle_practice(r, b, e->entry_id, &loses, why)) != AG_OK)
		return err;
	if (loses) {
		set_conflict(out, "duplicate_practice", SYNC_ACTION_CANCEL_COPY);
		return AG_OK;
	}
	{
		char day[16], minute[16], slot[24], at[24];
		const char *add[] = {b->appointment_id,
		                     r->device,
		                     b->numero_pratica,
		                     b->questura,
		                     day,
		                     minute,
		                     slot,
		                     at,
		                     e->entry_id};

		I64(day, b->day);
		I64(minute, b->minute);
		I64(slot, slot_id);
		I64(at, b->at);
		err = query(
		        r,
		        "INSERT INTO appointment(id, device, numero_pratica, questura, day, minute,"
		        " slot_id, state, at, entry_id) VALUES($1, $2, $3, $4, CAST($5 AS bigint),"
		        " CAST($6 AS bigint), CAST($7 AS bigint), 'confirmed', CAST($8 AS bigint),"
		        " $9)",
		        9, add, NULL, why);
	}
	return err;
}

static agenda_err apply_new(struct central_round *r, const struct sync_entry *e,
                            struct central_outcome *out, agenda_detail *why)
{
	const char *device = json_string_value(json_object_get(e->payload, "device"));
	bool is_move = strcmp(e->kind, "move") == 0;
	struct booking b;

	if (!device || strcmp(device, r->device) != 0) {
		set_conflict(out, "invalid", SYNC_ACTION_WORKLIST);
		return AG_OK;
	}
	if (is_move || strcmp(e->kind, "book") == 0) {
		if (!read_booking(e->payload, is_move, &b)) {
			set_conflict(out, "invalid", SYNC_ACTION_WORKLIST);
			return AG_OK;
		}
		return apply_booking(r, e, &b, out, why);
	}
	if (strcmp(e->kind, "cancel") == 0) {
		const char *id = text_field(e->payload, "appointment_id");
		const char *cancel[] = {id, r->device};

		if (!id) {
			set_conflict(out, "invalid", SYNC_ACTION_WORKLIST);
			return AG_OK;
		}
		return query(
		        r,
		        "UPDATE appointment SET state = 'cancelled' WHERE id = $1 AND device = $2"
		        " AND state = 'confirmed'",
		        2, cancel, NULL, why);
	}
	return AG_OK; /* print, modello209, print_failed, close_day, kinds of a newer device */
}

agenda_err central_apply_new(struct central_round *r, const struct sync_entry *e,
                             struct central_outcome *out, agenda_detail *why)
{
	memset(out, 0, sizeof *out);
	return apply_new(r, e, out, why);
}
