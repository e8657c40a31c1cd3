/*
 * booking_row.h — inside the library only: the query shape of a struct booking and the helpers
 * that read it, shared by the booking modules (booking.c, booking_read.c).
 */
#ifndef AGENDA_SERVICES_BOOKING_ROW_H
#define AGENDA_SERVICES_BOOKING_ROW_H

#include <sqlite3.h>

#include "services/booking.h"

#define BOOKING_SELECT                                                                             \
	"SELECT a.id, a.practice_id, p.numero_pratica, s.questura, a.slot_id, s.day, s.minute,"    \
	" a.deferred_from, a.state, a.prints, a.modello209, a.created_at, o.username"              \
	" FROM appointment a JOIN slot s ON s.id = a.slot_id"                                      \
	" JOIN practice p ON p.id = a.practice_id JOIN operator o ON o.id = a.operator_id "

extern const char BOOKING_BY_ID[];
extern const char BOOKING_LIVE_BY_PRACTICE[];

/* Fills a struct booking (out) from a row of BOOKING_SELECT. */
void booking_read_row(sqlite3_stmt *st, void *out);

/* One booking by a text key or an id; AG_ERR_NOT_FOUND (with detail) when none. */
agenda_err booking_load(agenda_ctx *ctx, const char *sql, const char *text, int64_t id,
                        struct booking *out, agenda_detail *why);

#endif
