/*
 * journal_payload.c — building the journal's JSON (journal_payload.h, docs/JOURNAL.md).
 *
 * Pure: no store, no clock, no RNG; the envelope's id and time are handed in, so a test can
 * compare each kind's output byte for byte.
 */
#include "services/journal_payload.h"

#include <stdio.h>

/* What a booking and a move both say about the appointment they leave confirmed. */
static json_t *appointment_payload(const struct booking *b)
{
	char day[DATE_TEXT_MAX], time[8];

	date_format(b->day, day, sizeof day);
	time_format(b->minute, time, sizeof time);
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:b}", "appointment_id", b->id,
	                 "numero_pratica", b->numero_pratica, "questura", b->questura, "date", day,
	                 "time", time, "operator", b->operator_username, "modello209",
	                 b->modello209);
}

json_t *journal_payload_book(const struct booking *b)
{
	json_t *payload = appointment_payload(b);

	if (payload && b->deferred) {
		char from[DATE_TEXT_MAX];

		date_format(b->deferred_from, from, sizeof from);
		json_object_set_new(payload, "deferred_from", json_string(from));
	}
	return payload;
}

json_t *journal_payload_move(const struct booking *moved_to, const char *replaces,
                             const char *reason)
{
	json_t *payload = appointment_payload(moved_to);

	if (payload) {
		json_object_set_new(payload, "replaces", json_string(replaces));
		json_object_set_new(payload, "reason", json_string(reason));
	}
	return payload;
}

json_t *journal_payload_cancel(const char *appointment_id, const char *reason,
                               const char *operator_username)
{
	return json_pack("{s:s, s:s, s:s}", "appointment_id", appointment_id, "reason", reason,
	                 "operator", operator_username);
}

json_t *journal_payload_print(const char *appointment_id, const char *operator_username, int prints)
{
	return json_pack("{s:s, s:s, s:i}", "appointment_id", appointment_id, "operator",
	                 operator_username, "prints", prints);
}

json_t *journal_payload_print_failed(const char *appointment_id, const char *reason)
{
	return json_pack("{s:s, s:s}", "appointment_id", appointment_id, "reason",
	                 reason ? reason : "");
}

json_t *journal_payload_close_day(agenda_day day, int version, int appointments, int cancellations)
{
	char date[DATE_TEXT_MAX];

	date_format(day, date, sizeof date);
	return json_pack("{s:s, s:i, s:i, s:i}", "day", date, "version", version, "appointments",
	                 appointments, "cancellations", cancellations);
}

char *journal_payload_seal(json_t *payload, const char *entry_id, const char *kind,
                           const char *device_id, int64_t at)
{
	if (!payload)
		return NULL;
	json_object_set_new(payload, "entry_id", json_string(entry_id));
	json_object_set_new(payload, "kind", json_string(kind));
	json_object_set_new(payload, "device", json_string(device_id));
	json_object_set_new(payload, "at", json_integer(at));
	return json_dumps(payload, JSON_COMPACT | JSON_SORT_KEYS);
}
