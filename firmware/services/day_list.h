/*
 * day_list.h — the end-of-day lists: for one civil day and one Questura, the appointments this
 * device fixed that day (every state), as the text that fits one printed page and as a CSV.
 *
 * They are what booking_close_day sends to each Questura (versions in table day_list: 1 is the
 * original, > 1 a RETTIFICA written when the list changed after the close), what the kiosk and
 * agendactl print, and what docs/FORMATS.md documents column by column.
 */
#ifndef AGENDA_SERVICES_DAY_LIST_H
#define AGENDA_SERVICES_DAY_LIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/date.h"
#include "core/numbers.h"
#include "core/practice_row.h"
#include "services/booking.h"
#include "services/context.h"
#include "services/questure.h"

#define DAY_LIST_TIME_MAX     6  /* "09:30" */
#define DAY_LIST_STAMP_MAX    32 /* "2026-05-04T10:15:00" (local time) and room */
#define DAY_LIST_TEXT_LINES   60 /* the body fits one printed page: at most these lines ... */
#define DAY_LIST_TEXT_COLUMNS 80 /* ... of at most these columns (code points) */

/* One appointment of the list, as the CSV shows it (texts already formatted). */
struct day_list_row {
	char date_text[DATE_TEXT_MAX];     /* data_appuntamento "YYYY-MM-DD" */
	char time_text[DAY_LIST_TIME_MAX]; /* ora "HH:MM" */
	char numero_pratica[PRATICA_MAX];
	char numero_visto[VISTO_MAX]; /* "" when none */
	char cognome[PERSON_NAME_MAX];
	char nome[PERSON_NAME_MAX];
	char data_nascita[DATE_TEXT_MAX]; /* "YYYY-MM-DD" */
	char nazionalita[FIELD_MAX];
	char tipo[FIELD_MAX];
	enum appointment_state state; /* stato: confermato | annullato | spostato */
	char appointment_id[APPOINTMENT_ID_MAX];
	char fixed_at[DAY_LIST_STAMP_MAX]; /* fissato_il, ISO local time */
	agenda_day day;                    /* the appointment's date */
	int minute;                        /* its time, minutes after midnight */
	int64_t created_at;                /* epoch seconds */
};

struct day_list {
	agenda_day day; /* the day the appointments were fixed */
	char questura[QUESTURA_CODE_MAX];
	char questura_name[QUESTURA_NAME_MAX];
	char questura_email[EMAIL_MAX]; /* "" when the Questura has no address */
	int version;                    /* the last version recorded, 0 when none yet */
	size_t count;
	struct day_list_row *rows; /* sorted by date, time, numero pratica */
	int appointments;          /* rows confirmed */
	int cancellations;         /* rows cancelled or moved */
};

/* The list of one Questura for a day (version = the last recorded). Free with day_list_free. */
agenda_err day_list_load(agenda_ctx *ctx, agenda_day day, const char *questura,
                         struct day_list *out, agenda_detail *why);
void day_list_free(struct day_list *l);

/* Questure with appointments fixed that day, by code (malloc'd array of codes; free()). */
agenda_err day_list_questure(agenda_ctx *ctx, agenda_day day, char (**codes)[QUESTURA_CODE_MAX],
                             size_t *count, agenda_detail *why);

/* The mail body (≤ 60 lines of ≤ 80 columns), malloc'd; NULL when out of memory. */
char *day_list_text(const struct day_list *l, const char *site);

/* The attachment's file name: appuntamenti_<Q>_<YYYY-MM-DD>_v<version>.csv (version 0 as 1). */
void day_list_csv_name(const struct day_list *l, char *out, size_t size);

/* The CSV attachment (BOM, ';', CRLF, RFC 4180), malloc'd; NULL when out of memory. */
char *day_list_csv(const struct day_list *l);

/*
 * Automatic close: when now is past the close time (setting day_close.time "HH:MM", default
 * "18:00", Europe/Rome) of a day that has appointments and no close, closes it (actor
 * "sistema"); also a past day left open (device off at 18:00), up to 31 days back. One day
 * per call, the oldest first: call again while *closed says it did.
 */
agenda_err day_close_due(agenda_ctx *ctx, struct day_close_report *out, bool *closed,
                         agenda_detail *why);

/* The automatic close's settings. */
struct day_close_settings {
	int close_minute; /* day_close.time, minutes after midnight (default 18:00) */
	bool send_empty;  /* day_close.send_empty: "nessun appuntamento" lists too */
};
void day_close_settings_get(agenda_ctx *ctx, struct day_close_settings *out);

/*
 * Sets the close time (close_minute >= 0; -1 leaves it) and send_empty (0/1; -1 leaves it),
 * in one transaction with an audit record under actor. AG_ERR_INVALID for a minute out of range.
 */
agenda_err day_close_configure(agenda_ctx *ctx, const char *actor, int close_minute, int send_empty,
                               agenda_detail *why);

#endif
